-- Snapshots, vendor side (docs/mirrors.md).
--
-- The vendor signs a point-in-time bundle of everything one tenant's mirror,
-- local license server or air-gapped site needs (typ "snapshot", snapshot
-- key), with the key set that lists its key.  A mirror imports it
-- (86_snapshot_import.sql) and serves decisions and leases from it, signed
-- with its own key under a key certificate (84_mirrors.sql).

-- ---- snapshots (vendor side) ------------------------------------------------------

CREATE TABLE bigpicture.snapshots (
	tenant_id     text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	seq           bigint NOT NULL CHECK (seq > 0),
	created_at    timestamptz NOT NULL DEFAULT now(),
	expires_at    timestamptz NOT NULL,
	content_hash  text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
	reason        text NOT NULL,
	token         text NOT NULL,
	PRIMARY KEY (tenant_id, seq)
);
COMMENT ON TABLE bigpicture.snapshots IS
	'signed snapshots generated for each tenant (typ snapshot), numbered per tenant; the newest is what mirrors fetch';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.snapshots', '');
ALTER TABLE bigpicture.snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.snapshots TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.snapshots FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.snapshots FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.snapshots FOR SELECT TO bigpicture_tenant_admin, bigpicture_mirror
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.snapshots TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin, bigpicture_mirror;
-- Signed snapshots are history: never changed or removed, except with
-- their tenant (a cascading delete, which runs at trigger depth 2).
CREATE FUNCTION bigpicture.snapshots_append_only() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'PT409',
		DETAIL = format('%s on %s is refused.', TG_OP, TG_TABLE_NAME);
END
$$;
CREATE TRIGGER snapshots_append_only BEFORE UPDATE OR DELETE ON bigpicture.snapshots
	FOR EACH ROW EXECUTE FUNCTION bigpicture.snapshots_append_only();
CREATE TRIGGER snapshots_no_truncate BEFORE TRUNCATE ON bigpicture.snapshots
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.snapshots_append_only();

-- Everything a tenant's mirror needs, unsigned and without times or
-- sequence: equal content means an equal snapshot.  Rows travel as to_jsonb
-- of the table row, so the importer rebuilds them with jsonb_populate_record.
-- PL/pgSQL, the tenant's rows first and the catalogue after, each statement
-- over one kind of table: under Citus the tenant's tables are distributed and
-- the catalogue is a reference table, and one statement joining them with
-- the tenant as a parameter cannot be planned there.
CREATE FUNCTION bigpicture._snapshot_content(p_tenant_id text) RETURNS jsonb
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres'
	AS $$
DECLARE
	-- products the tenant holds an entitlement to or has a policy for
	held text[];
	tenant_policies jsonb;
	entitlements jsonb;
	checkpoint text;
	certificates jsonb;
	cert_seq bigint;
	key_seq bigint;
	effective jsonb := '{}';
	product text;
	catalog jsonb;
BEGIN
	SELECT array_agg(DISTINCT x.product_id) INTO held FROM (
		SELECT e.product_id FROM bigpicture.entitlements e WHERE e.tenant_id = p_tenant_id
		UNION ALL
		SELECT tp.product_id FROM bigpicture.tenant_policies tp WHERE tp.tenant_id = p_tenant_id AND tp.product_id IS NOT NULL) x;
	SELECT COALESCE(jsonb_agg(to_jsonb(tp) ORDER BY tp.policy_id), '[]') INTO tenant_policies
	  FROM bigpicture.tenant_policies tp WHERE tp.tenant_id = p_tenant_id;
	SELECT COALESCE(jsonb_agg(to_jsonb(e) ORDER BY e.entitlement_id), '[]') INTO entitlements
	  FROM bigpicture.entitlements e WHERE e.tenant_id = p_tenant_id;
	SELECT c.token INTO checkpoint FROM bigpicture.audit_checkpoints c
	 WHERE c.chain_id = p_tenant_id ORDER BY c.seq DESC LIMIT 1;
	-- The tenant's mirror keys' certificates as signed now, so a mirror
	-- picks up a certificate re-signed after a root rotation.
	SELECT COALESCE(jsonb_agg(c.token ORDER BY c.kid), '[]') INTO certificates FROM bigpicture.key_certificates c
	 WHERE c.tenant_id = p_tenant_id AND c.revoked_at IS NULL AND c.valid_until > now();
	SELECT COALESCE(max(c.change_seq), 0) INTO cert_seq FROM bigpicture.key_certificates c;
	SELECT COALESCE(max(k.change_seq), 0) INTO key_seq FROM bigpicture.signing_keys k;
	FOR product IN SELECT p.product_id FROM bigpicture.products p
		WHERE NOT p.requires_entitlement OR p.product_id = ANY (held) LOOP
		effective := effective || jsonb_build_object(product, bigpicture.effective_policy(p_tenant_id, product));
	END LOOP;

	WITH prod AS (
		SELECT p.* FROM bigpicture.products p
		WHERE NOT p.requires_entitlement OR p.product_id = ANY (held)),
	rel AS (
		SELECT r.* FROM bigpicture.releases r JOIN prod USING (product_id)
		WHERE r.status IN ('published', 'revoked'))
	SELECT jsonb_build_object(
		'tenant', (SELECT to_jsonb(t) FROM bigpicture.tenants t WHERE t.tenant_id = p_tenant_id),
		'products', COALESCE((SELECT jsonb_agg(to_jsonb(p) ORDER BY p.product_id) FROM prod p), '[]'),
		'channels', COALESCE((SELECT jsonb_agg(to_jsonb(c) ORDER BY c.product_id, c.channel)
			FROM bigpicture.channels c JOIN prod USING (product_id)), '[]'),
		'artifacts', COALESCE((SELECT jsonb_agg(to_jsonb(a) ORDER BY a.artifact_id) FROM bigpicture.artifacts a
			WHERE a.artifact_id IN (SELECT ra.artifact_id FROM bigpicture.release_artifacts ra JOIN rel USING (release_id))), '[]'),
		'releases', COALESCE((SELECT jsonb_agg(to_jsonb(r) || jsonb_build_object('artifacts', COALESCE((
				SELECT jsonb_agg(to_jsonb(ra) ORDER BY ra.artifact_id) FROM bigpicture.release_artifacts ra
				WHERE ra.release_id = r.release_id), '[]')) ORDER BY r.release_id) FROM rel r), '[]'),
		'rollouts', COALESCE((SELECT jsonb_agg(to_jsonb(o) ORDER BY o.release_id, o.platform NULLS FIRST)
			FROM bigpicture.rollouts o JOIN rel USING (release_id)), '[]'),
		'vendor_policies', COALESCE((SELECT jsonb_agg(to_jsonb(v) ORDER BY v.policy_id) FROM bigpicture.vendor_policies v
			WHERE v.product_id IS NULL OR v.product_id IN (SELECT product_id FROM prod)), '[]'))
	  INTO catalog;
	RETURN catalog || jsonb_build_object(
		'tenant_policies', tenant_policies,
		'effective_policies', effective,
		'entitlements', entitlements,
		'keyset_version', GREATEST(key_seq, cert_seq),
		'audit_checkpoint', checkpoint,
		'key_certificates', certificates);
END
$$;

CREATE FUNCTION bigpicture._generate_snapshot(p_tenant_id text, force boolean, ttl interval, reason text)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	content jsonb;
	hash text;
	last bigpicture.snapshots;
	seq bigint;
	created timestamptz := date_trunc('second', now());
	expires timestamptz;
	token text;
BEGIN
	ttl := COALESCE(ttl, bigpicture._setting_interval('snapshot_ttl', 14 * 86400));
	IF ttl < interval '1 second' OR ttl > interval '400 days' THEN
		RAISE EXCEPTION 'snapshot ttl must be between 1 second and 400 days' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(ttl::text, 'NULL'));
	END IF;
	-- One generation per tenant at a time, so sequence numbers never fork.
	PERFORM pg_advisory_xact_lock(hashtext('bigpicture.snapshot:' || p_tenant_id));
	content := bigpicture._snapshot_content(p_tenant_id);
	hash := encode(sha256(convert_to(content::text, 'UTF8')), 'hex');
	SELECT * INTO last FROM bigpicture.snapshots s WHERE s.tenant_id = p_tenant_id ORDER BY s.seq DESC LIMIT 1;
	IF FOUND AND last.content_hash = hash AND NOT force AND last.expires_at > now() THEN
		RETURN last.token;
	END IF;
	seq := COALESCE(last.seq, 0) + 1;
	expires := created + ttl;
	-- The content travels as one JSON text: a stock verifier counts the
	-- members of a payload (paseto-ts refuses more than 128 by default),
	-- and a catalog has thousands.  content_hash is the SHA-256 of that text.
	token := bigpicture._sign('snapshot', NULL, jsonb_build_object(
		'tenant_id', p_tenant_id,
		'seq', seq,
		'content_hash', hash,
		'offline_grace', content -> 'tenant' ->> 'offline_grace',
		'content', content::text,
		'keysets', (SELECT jsonb_agg(k.token ORDER BY k.state, k.kid)
			FROM bigpicture._keyset_tokens(bigpicture._keyset_claims(p_tenant_id, false), expires) k)), expires);
	INSERT INTO bigpicture.snapshots (tenant_id, seq, created_at, expires_at, content_hash, reason, token)
	VALUES (p_tenant_id, seq, created, expires, hash, reason, token);
	-- on Citus the trigger ran on a worker's shard (87_events.sql)
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._snapshot_generated_event(p_tenant_id, seq, expires, hash);
	END IF;
	RETURN token;
END
$$;

CREATE FUNCTION bigpicture.generate_snapshot(tenant_id text, force boolean DEFAULT false,
	ttl interval DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN bigpicture._generate_snapshot((bigpicture._tenant_or_error(generate_snapshot.tenant_id)).tenant_id,
		COALESCE(force, false), ttl, 'on demand');
END
$$;
COMMENT ON FUNCTION bigpicture.generate_snapshot(text, boolean, interval) IS
	'sign a snapshot (typ snapshot) of everything a tenant''s mirror needs, valid for ttl (default bigpicture.snapshot_ttl); returns the previous one instead when nothing changed, unless forced';

-- The newest snapshot of the caller's tenant (or a named one for admins);
-- a mirror passes its id, which records the sync.
CREATE FUNCTION bigpicture.latest_snapshot(tenant_id text DEFAULT NULL, mirror_id text DEFAULT NULL)
	RETURNS bigpicture.snapshots
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text := bigpicture._resolve_tenant(latest_snapshot.tenant_id);
	s bigpicture.snapshots;
	m bigpicture.mirrors;
BEGIN
	SELECT * INTO s FROM bigpicture.snapshots x WHERE x.tenant_id = t ORDER BY x.seq DESC LIMIT 1;
	IF mirror_id IS NOT NULL THEN
		m := bigpicture._mirror_or_error(latest_snapshot.mirror_id);
		IF m.tenant_id <> t THEN
			RAISE EXCEPTION 'mirror "%" does not exist', mirror_id USING ERRCODE = 'PT404';
		END IF;
		IF s.seq IS NOT NULL AND NOT current_setting('transaction_read_only')::boolean THEN
			UPDATE bigpicture.mirrors x SET last_sync_at = now(), last_snapshot_seq = s.seq,
				status = CASE WHEN x.status = 'ERROR' THEN 'ACTIVE' ELSE x.status END, updated_at = now()
			 WHERE x.mirror_id = m.mirror_id;
		END IF;
	END IF;
	IF s.seq IS NULL THEN
		RAISE EXCEPTION 'tenant "%" has no snapshot yet', t USING ERRCODE = 'PT404',
			HINT = 'An admin generates one with bigpicture.generate_snapshot(tenant_id).';
	END IF;
	RETURN s;
END
$$;
COMMENT ON FUNCTION bigpicture.latest_snapshot(text, text) IS
	'the newest snapshot of a tenant; with mirror_id, records that mirror''s sync and the sequence served';

CREATE FUNCTION bigpicture.list_snapshots(tenant_id text DEFAULT NULL)
	RETURNS TABLE (tenant_id text, seq bigint, created_at timestamptz, expires_at timestamptz,
				   content_hash text, reason text)
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT s.tenant_id, s.seq, s.created_at, s.expires_at, s.content_hash, s.reason
	FROM bigpicture.snapshots s
	WHERE s.tenant_id = bigpicture._resolve_tenant(list_snapshots.tenant_id)
	ORDER BY s.seq DESC;
END;
COMMENT ON FUNCTION bigpicture.list_snapshots(text) IS
	'a tenant''s snapshots, newest first, without their tokens';

-- Publishing or revoking a release regenerates the snapshot of every tenant
-- that takes snapshots (it has a mirror that is not INACTIVE, or a snapshot
-- already) and can see the product.  Without an active snapshot key there
-- is nothing to sign with: the release still goes out, with a warning.
-- After a release is published or revoked: a new snapshot for every tenant
-- that takes them and may see the product.
CREATE FUNCTION bigpicture._snapshots_after_release(p_release_id text, p_product_id text, p_status text) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text;
	needs_entitlement boolean := (SELECT p.requires_entitlement FROM bigpicture.products p WHERE p.product_id = p_product_id);
BEGIN
	-- A query per tenant, each naming it: on Citus each is a one-shard query
	-- (a correlated join of the tenant list with the tenants' tables is not).
	FOR t IN SELECT x.tenant_id FROM bigpicture.tenants x ORDER BY x.tenant_id LOOP
		CONTINUE WHEN NOT EXISTS (SELECT 1 FROM bigpicture.mirrors m WHERE m.tenant_id = t AND m.status <> 'INACTIVE')
			AND NOT EXISTS (SELECT 1 FROM bigpicture.snapshots s WHERE s.tenant_id = t);
		CONTINUE WHEN needs_entitlement
			AND NOT EXISTS (SELECT 1 FROM bigpicture.entitlements e WHERE e.tenant_id = t AND e.product_id = p_product_id);
		IF NOT EXISTS (SELECT 1 FROM bigpicture.signing_keys k
					   WHERE k.purpose = 'snapshot' AND k.state = 'active' AND k.tenant_id IS NULL) THEN
			RAISE WARNING 'no snapshot was generated for the tenants that take snapshots'
				USING DETAIL = 'There is no active snapshot signing key.',
					  HINT = 'Create one with bigpicture.generate_key(''snapshot'') and activate it.';
			RETURN;
		END IF;
		PERFORM bigpicture._generate_snapshot(t, false, NULL, 'release ' || p_release_id || ' ' || p_status);
	END LOOP;
END
$$;

-- The trigger does it on one node.  On Citus it fires on every copy of the
-- reference table, inside a shard's query, where the tenants' shards cannot be
-- written; there the functions that publish and revoke call it themselves
-- (bigpicture._citus_distributed()).
CREATE FUNCTION bigpicture.snapshots_on_release() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NEW.status NOT IN ('published', 'revoked') OR NEW.status = OLD.status
		OR right(TG_TABLE_NAME, 1) BETWEEN '0' AND '9' THEN
		RETURN NULL;
	END IF;
	PERFORM bigpicture._snapshots_after_release(NEW.release_id, NEW.product_id, NEW.status);
	RETURN NULL;
END
$$;
CREATE TRIGGER snapshots_on_release AFTER UPDATE OF status ON bigpicture.releases
	FOR EACH ROW EXECUTE FUNCTION bigpicture.snapshots_on_release();

-- ---- audit and grants ---------------------------------------------------------------

-- Snapshot rows are recorded by content hash, without the bundle itself.
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bigpicture.snapshots
	FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_row_change('snapshot', 'tenant_id,seq', 'token,keyset,audit_checkpoint');

GRANT EXECUTE ON FUNCTION bigpicture.generate_snapshot(text, boolean, interval) TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.latest_snapshot(text, text), bigpicture.list_snapshots(text)
	TO bigpicture_admin, bigpicture_tenant_admin, bigpicture_mirror, bigpicture_auditor;
