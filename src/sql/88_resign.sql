-- Re-signing (docs/keys.md, "What stays verifiable"): every signed object
-- this server still serves — release metadata, key certificates, the latest
-- checkpoint of each audit chain, the latest snapshot of each tenant — is
-- signed again by the active key of its purpose when the key that signed it
-- is no longer that key, or when half its life has gone.  The claims stay
-- the same (each is rebuilt from its row, as when it was first signed); only
-- the envelope (iat, exp, and the key in the footer) changes.  The worker
-- runs refresh_signatures hourly, and at once after a key changes state.

-- The active key that _sign would use for a purpose and scope: the
-- tenant's own, else the vendor-wide one; NULL when there is none (a mirror
-- has no vendor-wide key: what the vendor signed it takes from snapshots).
CREATE FUNCTION bigpicture._active_kid(p_purpose text, p_tenant_id text) RETURNS text
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT k.kid FROM bigpicture.signing_keys k
	WHERE k.purpose = p_purpose AND k.state = 'active' AND (k.tenant_id = p_tenant_id OR k.tenant_id IS NULL)
	ORDER BY k.tenant_id NULLS LAST
	LIMIT 1;
END;

-- Is a stored token due for re-signing: not signed by the active key, no
-- exp, or less than half of ttl left.
CREATE FUNCTION bigpicture._needs_resigning(token text, active_kid text, ttl interval) RETURNS boolean
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
	RETURN token IS NULL
		OR (bigpicture.paseto_footer(token) ->> 'kid') IS DISTINCT FROM active_kid
		-- No exp compares as NULL: due as well.
		OR COALESCE((bigpicture._unverified_payload(token) ->> 'exp')::timestamptz < now() + ttl / 2, true);

CREATE FUNCTION bigpicture.refresh_signatures() RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	release_ttl interval := bigpicture._setting_interval('release_ttl', 30 * 86400);
	checkpoint_ttl interval := bigpicture._setting_interval('checkpoint_ttl', 30 * 86400);
	decision_kid text := bigpicture._active_kid('decision', NULL);
	root_kid text := bigpicture._active_kid('root', NULL);
	n_releases integer := 0;
	n_certificates integer := 0;
	n_checkpoints integer := 0;
	n_snapshots integer := 0;
	snapshot_kid text;
	kid text;
	r record;
	rel bigpicture.releases;
	last bigpicture.snapshots;
BEGIN
	-- One refresher at a time (the worker, a scheduler, an admin by hand).
	PERFORM pg_advisory_xact_lock(hashtext('bigpicture.refresh_signatures'));

	IF decision_kid IS NOT NULL THEN
		FOR rel IN SELECT x.* FROM bigpicture.releases x
				 WHERE x.status IN ('published', 'revoked')
				   AND bigpicture._needs_resigning(x.release_token, decision_kid, release_ttl)
				 ORDER BY x.release_id FOR UPDATE LOOP
			UPDATE bigpicture.releases x SET release_token = bigpicture._sign('release', NULL,
				bigpicture.release_payload(rel, rel.published_at), now() + release_ttl)
			 WHERE x.release_id = rel.release_id;
			n_releases := n_releases + 1;
		END LOOP;
	END IF;

	-- A certificate keeps its own end (valid_until): only its signer changes.
	-- No FOR UPDATE (Citus cannot lock rows across shards): what is signed
	-- never changes, and the UPDATE skips a certificate revoked meanwhile.
	IF root_kid IS NOT NULL THEN
		FOR r IN SELECT c.* FROM bigpicture.key_certificates c
				 WHERE c.revoked_at IS NULL AND c.valid_until > now()
				   AND (bigpicture.paseto_footer(c.token) ->> 'kid') IS DISTINCT FROM root_kid
				 ORDER BY c.kid LOOP
			UPDATE bigpicture.key_certificates c SET token = bigpicture._sign('key_certificate', NULL,
				bigpicture._key_certificate_claims(r.kid, r.public_key, r.tenant_id, r.purposes, r.mirror_id),
				r.valid_until, r.issued_at)
			 WHERE c.tenant_id = r.tenant_id AND c.kid = r.kid AND c.revoked_at IS NULL;
			IF FOUND THEN
				n_certificates := n_certificates + 1;
			END IF;
		END LOOP;
	END IF;

	-- The latest checkpoint of each chain is the one served and verified.
	-- The signing key is looked up per chain in the loop, not in the query:
	-- on Citus the query runs on the shards, where a lookup is a nested query.
	FOR r IN SELECT DISTINCT ON (c.chain_id) c.chain_id, c.seq, c.hash, c.token,
				 CASE WHEN c.chain_id = 'vendor' THEN NULL ELSE c.chain_id END AS tenant_id
			 FROM bigpicture.audit_checkpoints c ORDER BY c.chain_id, c.seq DESC LOOP
		kid := bigpicture._active_kid('audit', r.tenant_id);
		CONTINUE WHEN kid IS NULL OR NOT bigpicture._needs_resigning(r.token, kid, checkpoint_ttl);
		UPDATE bigpicture.audit_checkpoints c SET token = bigpicture._sign('checkpoint', r.tenant_id,
			bigpicture._checkpoint_claims(r.chain_id, r.seq, r.hash), now() + checkpoint_ttl)
		 WHERE c.chain_id = r.chain_id AND c.seq = r.seq;
		n_checkpoints := n_checkpoints + 1;
	END LOOP;

	-- Last, the snapshots, which carry all of the above: a new one (the
	-- next seq, so mirrors take it) when its signer changed or half its
	-- life is gone (forced), or what it carries changed (which
	-- _generate_snapshot finds by itself); with the lifetime the last had.
	snapshot_kid := bigpicture._active_kid('snapshot', NULL);
	IF snapshot_kid IS NOT NULL THEN
		FOR last IN SELECT DISTINCT ON (s.tenant_id) s.* FROM bigpicture.snapshots s
					ORDER BY s.tenant_id, s.seq DESC LOOP
			PERFORM bigpicture._generate_snapshot(last.tenant_id,
				bigpicture._needs_resigning(last.token, snapshot_kid, last.expires_at - last.created_at),
				last.expires_at - last.created_at, 're-signed');
			IF (SELECT max(s.seq) FROM bigpicture.snapshots s WHERE s.tenant_id = last.tenant_id) > last.seq THEN
				n_snapshots := n_snapshots + 1;
			END IF;
		END LOOP;
	END IF;

	RETURN jsonb_build_object('releases', n_releases, 'key_certificates', n_certificates,
		'checkpoints', n_checkpoints, 'snapshots', n_snapshots);
END
$$;
COMMENT ON FUNCTION bigpicture.refresh_signatures() IS
	're-sign, with the active key of each purpose, what is served and was signed by another key or has less than half its life left: release metadata, key certificates, the latest checkpoint of each chain, the latest snapshot of each tenant; returns how many of each';

GRANT EXECUTE ON FUNCTION bigpicture.refresh_signatures() TO bigpicture_admin;
