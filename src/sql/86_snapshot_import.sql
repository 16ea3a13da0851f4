-- Snapshot import, mirror side (docs/mirrors.md).
--
-- import_snapshot verifies a bundle with the one verifier in src/core
-- (bigpicture._verify_snapshot: its key set against the pinned roots, the
-- bundle against that key set, expiry with the tenant's offline grace),
-- refuses a rollback, then applies it in one transaction, one helper per
-- part of the catalog.  The helpers trust their input: only import_snapshot
-- calls them, after verification.

-- ---- import (mirror side) ---------------------------------------------------------

CREATE TABLE bigpicture.imported_snapshots (
	tenant_id         text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	seq               bigint NOT NULL CHECK (seq > 0),
	created_at        timestamptz NOT NULL,
	expires_at        timestamptz NOT NULL,
	content_hash      text NOT NULL,
	keyset            text NOT NULL,
	audit_checkpoint  text,
	imported_at       timestamptz NOT NULL DEFAULT now(),
	imported_by       text NOT NULL,
	token             text NOT NULL,
	PRIMARY KEY (tenant_id, seq)
);
COMMENT ON TABLE bigpicture.imported_snapshots IS
	'on a mirror: the snapshots imported per tenant; the newest sequence number is the floor for the next import';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.imported_snapshots', '');
ALTER TABLE bigpicture.imported_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.imported_snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.imported_snapshots TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.imported_snapshots FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.imported_snapshots FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.imported_snapshots FOR SELECT TO bigpicture_tenant_admin, bigpicture_mirror
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.imported_snapshots TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin,
	bigpicture_mirror;
CREATE TRIGGER imported_snapshots_append_only BEFORE UPDATE OR DELETE ON bigpicture.imported_snapshots
	FOR EACH ROW EXECUTE FUNCTION bigpicture.snapshots_append_only();
CREATE TRIGGER imported_snapshots_no_truncate BEFORE TRUNCATE ON bigpicture.imported_snapshots
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.snapshots_append_only();

-- Verified: the snapshot's payload, its key set's payload and token, or the
-- refusal (see docs/mirrors.md for the order of the checks).
CREATE FUNCTION bigpicture._verify_snapshot(token text, at timestamptz,
	OUT payload jsonb, OUT keyset jsonb, OUT keyset_token text)
	AS 'MODULE_PATHNAME', 'bigpicture_verify_snapshot' LANGUAGE C STABLE;

-- The tenant, its products, channels and artifacts (artifacts never change).
CREATE FUNCTION bigpicture._import_catalog(s jsonb) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO bigpicture.tenants AS x SELECT * FROM jsonb_populate_record(NULL::bigpicture.tenants, s -> 'tenant')
	ON CONFLICT (tenant_id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status,
		decision_ttl = EXCLUDED.decision_ttl, retry_after = EXCLUDED.retry_after,
		offline_grace = EXCLUDED.offline_grace, updated_at = EXCLUDED.updated_at
	WHERE (x.name, x.status, x.decision_ttl, x.retry_after, x.offline_grace)
		IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.status, EXCLUDED.decision_ttl, EXCLUDED.retry_after, EXCLUDED.offline_grace);
	INSERT INTO bigpicture.products AS x SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.products, s -> 'products')
	ON CONFLICT (product_id) DO UPDATE SET name = EXCLUDED.name, requires_entitlement = EXCLUDED.requires_entitlement
	WHERE (x.name, x.requires_entitlement) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.requires_entitlement);
	INSERT INTO bigpicture.channels AS x SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.channels, s -> 'channels')
	ON CONFLICT (product_id, channel) DO UPDATE SET allows_prerelease = EXCLUDED.allows_prerelease
	WHERE x.allows_prerelease IS DISTINCT FROM EXCLUDED.allows_prerelease;
	INSERT INTO bigpicture.artifacts SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.artifacts, s -> 'artifacts')
	ON CONFLICT DO NOTHING;
END
$$;

-- Releases, walked through the state machine as on the vendor (draft,
-- pending_approval, published, revoked), so every guard holds.
CREATE FUNCTION bigpicture._import_releases(s jsonb) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r jsonb;
	cur text;
BEGIN
	FOR r IN SELECT e FROM jsonb_array_elements(s -> 'releases') e LOOP
		SELECT status INTO cur FROM bigpicture.releases WHERE release_id = r ->> 'release_id';
		IF cur IS NULL THEN
			INSERT INTO bigpicture.releases SELECT * FROM jsonb_populate_record(NULL::bigpicture.releases,
				r || '{"status": "draft", "submitted_at": null, "submitted_by": null, "published_at": null,
					   "release_token": null, "revoked_at": null, "revoked_by": null, "revoked_reason": null}');
			INSERT INTO bigpicture.release_artifacts
				SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.release_artifacts, r -> 'artifacts');
			UPDATE bigpicture.releases SET status = 'pending_approval', submitted_at = (r ->> 'submitted_at')::timestamptz,
				submitted_by = r ->> 'submitted_by' WHERE release_id = r ->> 'release_id';
			UPDATE bigpicture.releases SET status = 'published', published_at = (r ->> 'published_at')::timestamptz,
				release_token = r ->> 'release_token' WHERE release_id = r ->> 'release_id';
			cur := 'published';
		END IF;
		IF cur = 'published' AND r ->> 'status' = 'revoked' THEN
			UPDATE bigpicture.releases SET status = 'revoked', revoked_at = (r ->> 'revoked_at')::timestamptz,
				revoked_by = r ->> 'revoked_by', revoked_reason = r ->> 'revoked_reason'
			 WHERE release_id = r ->> 'release_id';
		END IF;
		-- Re-signed by the vendor (a new decision key, or before its exp).
		UPDATE bigpicture.releases x SET release_token = r ->> 'release_token'
		 WHERE x.release_id = r ->> 'release_id' AND x.release_token IS DISTINCT FROM r ->> 'release_token';
	END LOOP;
END
$$;

-- Rollouts of the bundle's releases: as the vendor has them now.
CREATE FUNCTION bigpicture._import_rollouts(s jsonb) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	ids text[];
BEGIN
	ids := ARRAY(SELECT e ->> 'release_id' FROM jsonb_array_elements(s -> 'releases') e);
	DELETE FROM bigpicture.rollouts o WHERE o.release_id = ANY (ids)
	   AND NOT EXISTS (SELECT 1 FROM jsonb_populate_recordset(NULL::bigpicture.rollouts, s -> 'rollouts') n
					   WHERE n.release_id = o.release_id AND n.platform IS NOT DISTINCT FROM o.platform);
	-- A mirror follows the vendor's percentages; the plan that sets them is the vendor's worker's.
	INSERT INTO bigpicture.rollouts AS x SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.rollouts,
		(SELECT jsonb_agg(e - '{plan,step,step_interval,stepped_at}'::text[]) FROM jsonb_array_elements(s -> 'rollouts') e))
	ON CONFLICT ON CONSTRAINT rollouts_target DO UPDATE SET percentage = EXCLUDED.percentage,
		paused = EXCLUDED.paused, updated_by = EXCLUDED.updated_by,
		max_failure_rate = EXCLUDED.max_failure_rate, max_crash_rate = EXCLUDED.max_crash_rate,
		min_sample = EXCLUDED.min_sample, max_new_per_hour = EXCLUDED.max_new_per_hour,
		crash_window = EXCLUDED.crash_window, guard_since = EXCLUDED.guard_since,
		halted_at = EXCLUDED.halted_at, halt_reason = EXCLUDED.halt_reason, halt_evidence = EXCLUDED.halt_evidence
	WHERE (x.percentage, x.paused, x.halted_at, x.max_new_per_hour)
		IS DISTINCT FROM (EXCLUDED.percentage, EXCLUDED.paused, EXCLUDED.halted_at, EXCLUDED.max_new_per_hour);
END
$$;

-- Policies: the vendor's for the bundle's products, and the tenant's, replaced.
CREATE FUNCTION bigpicture._import_policies(s jsonb) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	ids text[];
BEGIN
	ids := ARRAY(SELECT e ->> 'product_id' FROM jsonb_array_elements(s -> 'products') e);
	DELETE FROM bigpicture.vendor_policies v WHERE (v.product_id IS NULL OR v.product_id = ANY (ids))
	   AND NOT (s -> 'vendor_policies') @> jsonb_build_array(to_jsonb(v));
	INSERT INTO bigpicture.vendor_policies
		SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.vendor_policies, s -> 'vendor_policies')
	ON CONFLICT DO NOTHING;
	DELETE FROM bigpicture.tenant_policies tp WHERE tp.tenant_id = s ->> 'tenant_id'
	   AND NOT (s -> 'tenant_policies') @> jsonb_build_array(to_jsonb(tp));
	INSERT INTO bigpicture.tenant_policies
		SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.tenant_policies, s -> 'tenant_policies')
	ON CONFLICT DO NOTHING;
END
$$;

-- Entitlements as the vendor has them; the vendor's rule holds here too: a
-- revoked entitlement's active leases (issued by this mirror) go with it.
CREATE FUNCTION bigpicture._import_entitlements(s jsonb) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO bigpicture.entitlements AS x
		SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.entitlements, s -> 'entitlements')
	ON CONFLICT (tenant_id, entitlement_id) DO UPDATE SET max_seats = EXCLUDED.max_seats,
		features = EXCLUDED.features, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
		status = EXCLUDED.status, auto_renew = EXCLUDED.auto_renew, renewal_days = EXCLUDED.renewal_days,
		default_lease_duration = EXCLUDED.default_lease_duration, max_lease_duration = EXCLUDED.max_lease_duration,
		updated_at = EXCLUDED.updated_at, revoked_at = EXCLUDED.revoked_at, revoked_reason = EXCLUDED.revoked_reason
	WHERE to_jsonb(x) IS DISTINCT FROM to_jsonb(EXCLUDED);
	UPDATE bigpicture.leases l SET revoked_at = now(),
		revoked_reason = 'entitlement revoked: ' || COALESCE(e.revoked_reason, 'by the vendor')
	  FROM jsonb_populate_recordset(NULL::bigpicture.entitlements, s -> 'entitlements') e
	 WHERE e.status = 'revoked' AND l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id
	   AND l.released_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > now();
END
$$;

-- Certificates of this mirror's own keys that the vendor re-signed (after a
-- root rotation): the same claims as the certificate the key carries, each
-- checked against the pinned roots like any installed certificate.  New
-- certificates are installed by an administrator, never by an import.
CREATE FUNCTION bigpicture._import_key_certificates(s jsonb) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	cert text;
BEGIN
	FOR cert IN
		SELECT c FROM jsonb_array_elements_text(COALESCE(s -> 'key_certificates', '[]')) c
		JOIN bigpicture.signing_keys k ON k.kid = bigpicture._signed_claims(c) ->> 'kid'
		WHERE k.state IN ('pending', 'active') AND k.certificate IS NOT NULL AND k.certificate <> c
		  AND bigpicture._signed_claims(k.certificate) = bigpicture._signed_claims(c)
	LOOP
		PERFORM bigpicture.install_key_certificate(cert);
	END LOOP;
END
$$;

-- Verify everything, then write everything, in one transaction.
CREATE FUNCTION bigpicture.import_snapshot(token text) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres'
	AS $$
DECLARE
	v record := bigpicture._verify_snapshot(token, now());
	s jsonb := v.payload;
	t text := s ->> 'tenant_id';
	last bigpicture.imported_snapshots;
BEGIN
	IF jsonb_typeof(s -> 'tenant_id') IS DISTINCT FROM 'string' OR jsonb_typeof(s -> 'seq') IS DISTINCT FROM 'number'
	   OR jsonb_typeof(s -> 'content') IS DISTINCT FROM 'string' THEN
		RAISE EXCEPTION 'token is not a snapshot' USING ERRCODE = '22023',
			DETAIL = 'A snapshot names tenant_id and seq, and carries its content as JSON text.';
	END IF;
	IF encode(sha256(convert_to(s ->> 'content', 'UTF8')), 'hex') IS DISTINCT FROM s ->> 'content_hash' THEN
		RAISE EXCEPTION 'snapshot content does not match its content_hash' USING ERRCODE = '22023';
	END IF;
	-- Signed, and its hash holds: from here on one object, as generated.
	s := (s - 'content') || (s ->> 'content')::jsonb;
	IF jsonb_typeof(s -> 'tenant') IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'token is not a snapshot' USING ERRCODE = '22023',
			DETAIL = 'A snapshot''s content names the tenant.';
	END IF;
	-- Not older than what we have: importing it would roll the mirror back.
	SELECT * INTO last FROM bigpicture.imported_snapshots i WHERE i.tenant_id = t ORDER BY i.seq DESC LIMIT 1;
	IF FOUND AND (s ->> 'seq')::bigint <= last.seq THEN
		RAISE EXCEPTION 'snapshot % of tenant % is not newer than the last one imported (%)', s ->> 'seq', t, last.seq
			USING ERRCODE = 'PT409', DETAIL = 'Importing it would roll the mirror back.',
				  HINT = 'Fetch the newest snapshot from the vendor.';
	END IF;

	PERFORM bigpicture._import_catalog(s);
	PERFORM bigpicture._import_releases(s);
	PERFORM bigpicture._import_rollouts(s);
	PERFORM bigpicture._import_policies(s);
	PERFORM bigpicture._import_entitlements(s);
	PERFORM bigpicture._import_key_certificates(s);
	INSERT INTO bigpicture.imported_snapshots (tenant_id, seq, created_at, expires_at, content_hash, keyset,
		audit_checkpoint, imported_by, token)
	VALUES (t, (s ->> 'seq')::bigint, (s ->> 'iat')::timestamptz, (s ->> 'exp')::timestamptz, s ->> 'content_hash',
		v.keyset_token, s ->> 'audit_checkpoint', bigpicture.current_actor(), token);
	RETURN jsonb_build_object('tenant_id', t, 'seq', (s ->> 'seq')::bigint, 'created_at', s ->> 'iat',
		'expires_at', s ->> 'exp', 'releases', jsonb_array_length(s -> 'releases'),
		'entitlements', jsonb_array_length(s -> 'entitlements'), 'keyset_version', v.keyset -> 'version');
END
$$;
COMMENT ON FUNCTION bigpicture.import_snapshot(text) IS
	'on a mirror: verify a snapshot against the pinned root key (key set, signature, expiry, sequence), then apply it atomically';

-- ---- audit and grants ---------------------------------------------------------------

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bigpicture.imported_snapshots
	FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_row_change('snapshot', 'tenant_id,seq', 'token,keyset,audit_checkpoint');

GRANT EXECUTE ON FUNCTION bigpicture.import_snapshot(text) TO bigpicture_admin;
