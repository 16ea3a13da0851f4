-- Signing keys: the key store, lifecycle, key set, verification.
-- Secret keys are created, sealed and used only in src/extension/key_generate.c,
-- key_seal.c, key_cache.c and signing.c; tokens are checked by src/core/verify.c.

-- STABLE, not IMMUTABLE: to_char is STABLE in general, although this
-- all-numeric pattern in UTC does not depend on any setting.
CREATE FUNCTION bigpicture.rfc3339(ts timestamptz) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.to_char(pg_catalog.timezone('UTC', ts), 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
COMMENT ON FUNCTION bigpicture.rfc3339(timestamptz) IS
	'the time as RFC 3339 UTC text with whole seconds, as in every signed payload';

CREATE SEQUENCE bigpicture.signing_key_changes;
COMMENT ON SEQUENCE bigpicture.signing_key_changes IS
	'bumped by every change to signing_keys; its last value is the key set version';

CREATE TABLE bigpicture.signing_keys (
	kid            text PRIMARY KEY
	               CHECK (kid OPERATOR(pg_catalog.~) '^k4\.pid\.[A-Za-z0-9_-]{44}$'),
	purpose        text NOT NULL
	               CHECK (purpose IN ('root', 'decision', 'lease', 'snapshot', 'audit')),
	tenant_id      text REFERENCES bigpicture.tenants,
	public_key     bytea NOT NULL CHECK (pg_catalog.length(public_key) = 32),
	sealed_secret  bytea,
	state          text NOT NULL DEFAULT 'pending'
	               CHECK (state IN ('pending', 'active', 'retiring', 'retired', 'revoked')),
	created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
	activated_at   timestamptz,
	retiring_at    timestamptz,
	grace_ends_at  timestamptz,
	retired_at     timestamptz,
	revoked_at     timestamptz,
	revoked_reason text,
	change_seq     bigint NOT NULL,
	-- On a mirror or local license server: the vendor's key certificate for
	-- this key (docs/mirrors.md), attached to every token the key signs.
	certificate            text,
	certificate_expires_at timestamptz,
	-- Where the secret half lives: sealed in this table, or on the
	-- PKCS#11 token (bigpicture.key_backend), where it cannot be read.
	backend        text NOT NULL DEFAULT 'sealed' CHECK (backend IN ('sealed', 'pkcs11')),
	CHECK (state <> 'retiring' OR grace_ends_at IS NOT NULL),
	CHECK ((certificate IS NULL) = (certificate_expires_at IS NULL)),
	CONSTRAINT signing_keys_secret_where CHECK ((backend = 'sealed') = (sealed_secret IS NOT NULL))
);
COMMENT ON TABLE bigpicture.signing_keys IS
	'Ed25519 signing keys; secrets sealed with XChaCha20-Poly1305 under the master key; readable by the extension owner only';
-- Exactly one active key per purpose and scope (vendor-wide or one tenant).
CREATE UNIQUE INDEX signing_keys_one_active
	ON bigpicture.signing_keys (purpose, (COALESCE(tenant_id, '')))
	WHERE state = 'active';
REVOKE ALL ON TABLE bigpicture.signing_keys FROM PUBLIC;
REVOKE ALL ON SEQUENCE bigpicture.signing_key_changes FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('bigpicture.signing_keys', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.signing_key_changes', '');

-- Keys never change identity; state moves only forward; rows are never deleted.
CREATE FUNCTION bigpicture.signing_keys_guard() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
		RAISE EXCEPTION 'signing keys cannot be deleted'
			USING ERRCODE = 'PT409', HINT = 'Retire or revoke the key instead.';
	END IF;
	IF TG_OP = 'UPDATE' THEN
		IF (NEW.kid, NEW.purpose, NEW.tenant_id, NEW.public_key, NEW.sealed_secret, NEW.created_at)
			IS DISTINCT FROM
		   (OLD.kid, OLD.purpose, OLD.tenant_id, OLD.public_key, OLD.sealed_secret, OLD.created_at) THEN
			RAISE EXCEPTION 'the identity of signing key % cannot change', OLD.kid
				USING ERRCODE = 'PT409', HINT = 'Generate a new key instead.';
		END IF;
		IF NEW.state IS DISTINCT FROM OLD.state AND NOT (OLD.state, NEW.state) IN (
			('pending', 'active'), ('pending', 'retired'), ('pending', 'revoked'),
			('active', 'retiring'), ('active', 'retired'), ('active', 'revoked'),
			('retiring', 'retired'), ('retiring', 'revoked'), ('retired', 'revoked')) THEN
			RAISE EXCEPTION 'signing key % cannot go from % to %', OLD.kid, OLD.state, NEW.state
				USING ERRCODE = 'PT409';
		END IF;
	END IF;
	-- A no-op update changes nothing, not even the key set version.
	IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
		RETURN NEW;
	END IF;
	NEW.change_seq := pg_catalog.nextval('bigpicture.signing_key_changes');
	RETURN NEW;
END
$$;
CREATE TRIGGER signing_keys_guard BEFORE INSERT OR UPDATE OR DELETE ON bigpicture.signing_keys
	FOR EACH ROW EXECUTE FUNCTION bigpicture.signing_keys_guard();
CREATE TRIGGER signing_keys_no_truncate BEFORE TRUNCATE ON bigpicture.signing_keys
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.signing_keys_guard();

-- Every backend drops its unsealed copies, and the public halves it keeps
-- for verifying, once the key table changes.
CREATE FUNCTION bigpicture.signing_keys_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'bigpicture_signing_keys_changed' LANGUAGE C;
CREATE TRIGGER signing_keys_changed AFTER INSERT OR UPDATE OR DELETE ON bigpicture.signing_keys
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.signing_keys_changed();

-- ---- public views of keys -------------------------------------------------------

CREATE FUNCTION bigpicture.paserk_public(public_key bytea) RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_paserk_public' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.paserk_public(bytea) IS
	'a raw 32-byte Ed25519 public key as PASERK k4.public text';
CREATE FUNCTION bigpicture.paserk_pid(public_key bytea) RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_paserk_pid' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.paserk_pid(bytea) IS
	'the PASERK k4.pid key id of a raw 32-byte Ed25519 public key';

-- The state a key has now: a retiring key whose grace has ended is retired.
-- Unfiltered, for the extension's own definer code; callers see public_keys.
CREATE VIEW bigpicture._all_public_keys AS
SELECT k.kid,
	   k.purpose,
	   k.tenant_id,
	   bigpicture.paserk_public(k.public_key) AS public_key,
	   CASE WHEN k.state = 'retiring' AND k.grace_ends_at <= pg_catalog.now() THEN 'retired'
			ELSE k.state END AS state,
	   k.created_at,
	   k.activated_at AS valid_from,
	   COALESCE(k.revoked_at, k.retired_at, k.grace_ends_at) AS valid_until,
	   k.revoked_reason
FROM bigpicture.signing_keys k;
COMMENT ON VIEW bigpicture._all_public_keys IS
	'internal: every signing key''s public half, purpose, scope, state and validity; see public_keys';

CREATE VIEW bigpicture.public_keys WITH (security_barrier) AS
SELECT p.* FROM bigpicture._all_public_keys p
-- A tenant's own keys are its business: others see vendor-wide keys only.
WHERE p.tenant_id IS NULL OR p.tenant_id = (SELECT bigpicture.current_tenant())
   OR (SELECT bigpicture.acts_for_all_tenants());
COMMENT ON VIEW bigpicture.public_keys IS
	'signing keys'' public halves (PASERK k4.public), purpose, scope, state and validity: vendor-wide keys and the caller''s tenant''s (all for admins and auditors); never a secret';

-- ---- key certificates -------------------------------------------------
-- What the vendor's root key has certified: a key made on a mirror or local
-- license server may sign decisions and/or leases for one tenant until a
-- date.  The private key never leaves the mirror; only its public half and
-- the certificate cross.  A revoked certificate is listed in the key set as
-- a revoked key, so clients refuse its tokens before the certificate expires.
CREATE TABLE bigpicture.key_certificates (
	tenant_id       text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	kid             text NOT NULL CHECK (kid OPERATOR(pg_catalog.~) '^k4\.pid\.[A-Za-z0-9_-]{44}$'),
	public_key      bytea NOT NULL CHECK (pg_catalog.length(public_key) = 32),
	purposes        text[] NOT NULL CHECK (purposes <@ '{decision,lease}' AND pg_catalog.cardinality(purposes) > 0),
	mirror_id       text,
	valid_until     timestamptz NOT NULL,
	token           text NOT NULL,
	issued_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
	issued_by       text NOT NULL,
	revoked_at      timestamptz,
	revoked_reason  text,
	change_seq      bigint NOT NULL DEFAULT pg_catalog.nextval('bigpicture.signing_key_changes'),
	PRIMARY KEY (tenant_id, kid)
);
COMMENT ON TABLE bigpicture.key_certificates IS
	'key certificates the root key signed (typ key_certificate): a mirror''s key, its tenant, purposes and end; revocable';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.key_certificates', '');
ALTER TABLE bigpicture.key_certificates ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.key_certificates FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.key_certificates TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.key_certificates FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.key_certificates FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.key_certificates FOR SELECT TO bigpicture_tenant_admin, bigpicture_mirror
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.key_certificates TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin,
	bigpicture_mirror;

-- Certificates change only by revocation or re-signing; they are deleted
-- only with their tenant (a cascading delete, at trigger depth 2).
CREATE FUNCTION bigpicture.key_certificates_guard() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
		RETURN OLD;
	END IF;
	IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
		RAISE EXCEPTION 'key certificates cannot be deleted' USING ERRCODE = 'PT409',
			HINT = 'Revoke the certificate with bigpicture.revoke_key_certificate().';
	END IF;
	-- Re-signed by the root key that replaced its signer (refresh_signatures):
	-- the same claims, nothing else changes, and the key set stays the same.
	IF current_user = 'bigpicture_owner' AND OLD.revoked_at IS NULL
	   AND (to_jsonb(NEW) - 'token') = (to_jsonb(OLD) - 'token')
	   AND bigpicture._signed_claims(NEW.token) = bigpicture._signed_claims(OLD.token) THEN
		RETURN NEW;
	END IF;
	IF (to_jsonb(NEW) - '{revoked_at,revoked_reason,change_seq}'::text[])
		IS DISTINCT FROM (to_jsonb(OLD) - '{revoked_at,revoked_reason,change_seq}'::text[])
	   OR OLD.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'key certificate % can only be revoked, once', OLD.kid USING ERRCODE = 'PT409';
	END IF;
	NEW.change_seq := pg_catalog.nextval('bigpicture.signing_key_changes');
	RETURN NEW;
END
$$;
CREATE TRIGGER key_certificates_guard BEFORE UPDATE OR DELETE ON bigpicture.key_certificates
	FOR EACH ROW EXECUTE FUNCTION bigpicture.key_certificates_guard();
CREATE TRIGGER key_certificates_no_truncate BEFORE TRUNCATE ON bigpicture.key_certificates
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.key_certificates_guard();

-- On a mirror: the vendor root keys it trusts (pinned by an administrator,
-- out of band).  Snapshots and key certificates must chain to one of them.
CREATE TABLE bigpicture.trusted_root_keys (
	kid         text PRIMARY KEY CHECK (kid OPERATOR(pg_catalog.~) '^k4\.pid\.[A-Za-z0-9_-]{44}$'),
	public_key  text NOT NULL UNIQUE,
	note        text,
	pinned_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
	pinned_by   text NOT NULL
);
COMMENT ON TABLE bigpicture.trusted_root_keys IS
	'on a mirror or air-gapped site: the vendor root keys (PASERK k4.public) that imported snapshots and key certificates must be signed by';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.trusted_root_keys', '');
GRANT SELECT ON bigpicture.trusted_root_keys TO bigpicture_admin, bigpicture_auditor, bigpicture_mirror;

-- ---- signing (internal) --------------------------------------------------------

-- Every token is signed through one C envelope (src/extension/signing.c):
-- it stamps typ, iss, iat, exp and nbf in front of the claims, takes the
-- key purpose from typ by the rule table in src/core/token_kinds.c, and
-- refuses claims that carry envelope members of their own.
CREATE FUNCTION bigpicture._sign(typ text, tenant_id text, claims jsonb, exp timestamptz, nbf timestamptz DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_sign' LANGUAGE C STABLE;
COMMENT ON FUNCTION bigpicture._sign(text, text, jsonb, timestamptz, timestamptz) IS
	'internal: sign claims as a token of typ with the active key of typ''s purpose; callable only by the extension''s own definer functions';

CREATE FUNCTION bigpicture._sign_with_key(kid text, typ text, claims jsonb, exp timestamptz, nbf timestamptz DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_sign_with_key' LANGUAGE C STABLE;
COMMENT ON FUNCTION bigpicture._sign_with_key(text, text, jsonb, timestamptz, timestamptz) IS
	'internal: sign with one named key of typ''s purpose that is active or retiring within its grace period (root rotation)';

CREATE FUNCTION bigpicture._token_payload(typ text, claims jsonb, exp timestamptz, nbf timestamptz DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bigpicture_token_payload' LANGUAGE C STABLE;
COMMENT ON FUNCTION bigpicture._token_payload(text, jsonb, timestamptz, timestamptz) IS
	'internal: the payload _sign would sign, unsigned (the envelope and the claims)';

-- ---- lifecycle ---------------------------------------------------------------------

CREATE FUNCTION bigpicture.generate_key(purpose text, tenant_id text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_generate_key'
	LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION bigpicture.generate_key(text, text) IS
	'create a pending Ed25519 signing key for a purpose (root, decision, lease, snapshot, audit), optionally for one tenant; returns its kid';

-- What a key signed must be re-signed by its successor before the key
-- stops verifying: a change of keys makes the worker's refresh_signatures
-- job (92_worker.sql) due at once, when this transaction commits.
CREATE FUNCTION bigpicture._refresh_signatures_soon() RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	UPDATE bigpicture.worker_jobs SET next_run_at = pg_catalog.now()
	 WHERE job = 'refresh_signatures' AND next_run_at > pg_catalog.now();
END
$$;

-- The key with this kid, locked, or an error.
CREATE FUNCTION bigpicture._lock_key(p_kid text) RETURNS bigpicture.signing_keys
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	k bigpicture.signing_keys;
BEGIN
	IF p_kid IS NULL THEN
		RAISE EXCEPTION 'kid must not be null' USING ERRCODE = '22004';
	END IF;
	SELECT * INTO k FROM bigpicture.signing_keys WHERE kid = p_kid FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'signing key "%" does not exist', p_kid
			USING ERRCODE = 'PT404', HINT = 'Key ids are listed in bigpicture.public_keys.';
	END IF;
	RETURN k;
END
$$;

CREATE FUNCTION bigpicture.activate_key(kid text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	k bigpicture.signing_keys;
	grace interval;
BEGIN
	k := bigpicture._lock_key(activate_key.kid);
	-- One activation per purpose and scope at a time, so two cannot race.
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext(
		'bigpicture.activate_key:' || k.purpose || ':' || COALESCE(k.tenant_id, '')));
	IF k.state <> 'pending' THEN
		RAISE EXCEPTION 'signing key "%" cannot be activated', k.kid
			USING ERRCODE = 'PT409', DETAIL = format('The key is %s; only a pending key can be activated.', k.state),
				  HINT = 'Generate a new key with bigpicture.generate_key().';
	END IF;
	grace := bigpicture._setting_interval('key_grace_period', 30 * 86400);
	UPDATE bigpicture.signing_keys s
	   SET state = 'retiring', retiring_at = pg_catalog.now(), grace_ends_at = pg_catalog.now() + grace
	 WHERE s.purpose = k.purpose AND s.tenant_id IS NOT DISTINCT FROM k.tenant_id AND s.state = 'active';
	UPDATE bigpicture.signing_keys s
	   SET state = 'active', activated_at = pg_catalog.now()
	 WHERE s.kid = k.kid;
	PERFORM bigpicture._refresh_signatures_soon();
END
$$;
COMMENT ON FUNCTION bigpicture.activate_key(text) IS
	'make a pending key the one that signs for its purpose and scope; the key it replaces keeps verifying for bigpicture.key_grace_period';

CREATE FUNCTION bigpicture.retire_key(kid text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	k bigpicture.signing_keys;
BEGIN
	k := bigpicture._lock_key(retire_key.kid);
	IF k.state NOT IN ('pending', 'active', 'retiring') THEN
		RAISE EXCEPTION 'signing key "%" cannot be retired', k.kid
			USING ERRCODE = 'PT409', DETAIL = format('The key is already %s.', k.state);
	END IF;
	UPDATE bigpicture.signing_keys s SET state = 'retired', retired_at = pg_catalog.now() WHERE s.kid = k.kid;
	PERFORM bigpicture._refresh_signatures_soon();
END
$$;
COMMENT ON FUNCTION bigpicture.retire_key(text) IS
	'stop a key signing and verifying now, ahead of its grace period; it leaves the key set';

CREATE FUNCTION bigpicture.revoke_key(kid text, reason text DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	k bigpicture.signing_keys;
BEGIN
	k := bigpicture._lock_key(revoke_key.kid);
	IF k.state = 'revoked' THEN
		RAISE EXCEPTION 'signing key "%" is already revoked', k.kid USING ERRCODE = 'PT409';
	END IF;
	UPDATE bigpicture.signing_keys s
	   SET state = 'revoked', revoked_at = pg_catalog.now(), revoked_reason = reason
	 WHERE s.kid = k.kid;
	PERFORM bigpicture._refresh_signatures_soon();
END
$$;
COMMENT ON FUNCTION bigpicture.revoke_key(text, text) IS
	'distrust a key at once (say, it leaked): it never signs or verifies again, and the key set lists it as revoked';

CREATE FUNCTION bigpicture.retire_expired_keys() RETURNS integer
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH done AS (
		UPDATE bigpicture.signing_keys SET state = 'retired', retired_at = grace_ends_at
		WHERE state = 'retiring' AND grace_ends_at <= pg_catalog.now()
		RETURNING 1)
	SELECT pg_catalog.count(*)::integer FROM done;
END;
COMMENT ON FUNCTION bigpicture.retire_expired_keys() IS
	'mark retiring keys whose grace period has ended as retired (for pg_cron or any scheduler); returns how many';

-- ---- key set ------------------------------------------------------------------------

-- The key set's claims for one audience: vendor-wide keys plus one tenant's
-- (or every tenant's), each key not retired, and the certified mirror keys
-- whose certificates were revoked (listed as revoked keys).
-- PL/pgSQL, one table per statement: under Citus key_certificates is
-- distributed and signing_keys a reference table, and a query that joins or
-- unions the two with parameters cannot be planned there.
CREATE FUNCTION bigpicture._keyset_claims(p_tenant_id text, p_all_tenants boolean)
	RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	revoked jsonb;
	cert_seq bigint;
	key_seq bigint;
BEGIN
	SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
			'kid', c.kid, 'purpose', c.purposes[1], 'tenant_id', c.tenant_id,
			'public_key', bigpicture.paserk_public(c.public_key), 'state', 'revoked',
			'created_at', c.issued_at, 'valid_from', c.issued_at, 'valid_until', c.revoked_at)), '[]')
	  INTO revoked
	  FROM bigpicture.key_certificates c
	 WHERE c.revoked_at IS NOT NULL AND c.valid_until > pg_catalog.now()
	   AND (c.tenant_id = p_tenant_id OR p_all_tenants);
	SELECT COALESCE(pg_catalog.max(c.change_seq), 0) INTO cert_seq FROM bigpicture.key_certificates c;
	SELECT COALESCE(pg_catalog.max(k.change_seq), 0) INTO key_seq FROM bigpicture.signing_keys k;
	RETURN pg_catalog.jsonb_build_object(
		'version', GREATEST(key_seq, cert_seq),
		'keys', COALESCE((
			SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
				'kid', k.kid, 'purpose', k.purpose, 'tenant_id', k.tenant_id,
				'public_key', k.public_key, 'state', k.state,
				'valid_from', bigpicture.rfc3339(k.valid_from),
				'valid_until', bigpicture.rfc3339(k.valid_until)) ORDER BY k.purpose, k.created_at, k.kid)
			FROM (SELECT p.kid, p.purpose, p.tenant_id, p.public_key, p.state, p.created_at, p.valid_from, p.valid_until
					FROM bigpicture._all_public_keys p
				   WHERE p.state <> 'retired' AND (p.tenant_id IS NULL OR p.tenant_id = p_tenant_id OR p_all_tenants)
				  UNION ALL
				  SELECT r.kid, r.purpose, r.tenant_id, r.public_key, r.state, r.created_at, r.valid_from, r.valid_until
					FROM pg_catalog.jsonb_to_recordset(revoked) AS r(kid text, purpose text, tenant_id text, public_key text,
						state text, created_at timestamptz, valid_from timestamptz, valid_until timestamptz)) k),
			'[]'::jsonb));
END
$$;

-- A lifetime setting of ours (bigpicture.<name>, in seconds) as an
-- interval; the fallback when the library is not loaded (the setting is
-- then unknown).
CREATE FUNCTION bigpicture._setting_interval(name text, fallback_seconds float8) RETURNS interval
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT pg_catalog.make_interval(secs => COALESCE(
		(SELECT s.setting::float8 FROM pg_catalog.pg_settings s WHERE s.name = 'bigpicture.' || _setting_interval.name),
		fallback_seconds));
END;

-- When a key set signed now expires: bigpicture.keyset_ttl from now.
CREATE FUNCTION bigpicture._keyset_expiry() RETURNS timestamptz
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT pg_catalog.now() + bigpicture._setting_interval('keyset_ttl', 86400);
END;

CREATE FUNCTION bigpicture.keyset_payload() RETURNS jsonb
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT bigpicture._token_payload('keyset',
		bigpicture._keyset_claims(bigpicture.current_tenant(), bigpicture.acts_for_all_tenants()),
		bigpicture._keyset_expiry());
END;
COMMENT ON FUNCTION bigpicture.keyset_payload() IS
	'the unsigned key set: every key not retired (pending, active, retiring, revoked) with purpose, state and validity';

-- A mirror has no root key of its own: it serves the key set of the last
-- snapshot it imported for the caller's tenant (signed by the vendor's root).
CREATE FUNCTION bigpicture.keyset() RETURNS text
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	imported text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM bigpicture.signing_keys
				   WHERE purpose = 'root' AND tenant_id IS NULL AND state = 'active') THEN
		SELECT i.keyset INTO imported FROM bigpicture.imported_snapshots i
		 WHERE i.tenant_id = bigpicture.current_tenant() ORDER BY i.seq DESC LIMIT 1;
		IF FOUND THEN
			RETURN imported;
		END IF;
	END IF;
	RETURN bigpicture._sign('keyset', NULL,
		bigpicture._keyset_claims(bigpicture.current_tenant(), bigpicture.acts_for_all_tenants()),
		bigpicture._keyset_expiry());
END
$$;
COMMENT ON FUNCTION bigpicture.keyset() IS
	'the key set as a PASETO v4.public token (typ keyset) signed by the active root key; on a mirror, the vendor''s from the last imported snapshot';

-- During a root rotation, clients that pinned the outgoing root key must be
-- able to follow: the same key set is also signed by every root key still
-- in its grace period.
CREATE FUNCTION bigpicture._keyset_tokens(claims jsonb, exp timestamptz)
	RETURNS TABLE (kid text, state text, token text)
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT k.kid, k.state, bigpicture._sign_with_key(k.kid, 'keyset', claims, exp)
	FROM bigpicture._all_public_keys k
	WHERE k.purpose = 'root' AND k.tenant_id IS NULL AND k.state IN ('active', 'retiring')
	ORDER BY k.state, k.kid;
END;

CREATE FUNCTION bigpicture.keyset_tokens() RETURNS TABLE (kid text, state text, token text)
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT * FROM bigpicture._keyset_tokens(
		bigpicture._keyset_claims(bigpicture.current_tenant(), bigpicture.acts_for_all_tenants()),
		bigpicture._keyset_expiry());
END;
COMMENT ON FUNCTION bigpicture.keyset_tokens() IS
	'the key set signed by each root key that may sign it: the active root and, during a rotation, the retiring one';

-- ---- verification ---------------------------------------------------------------------

CREATE FUNCTION bigpicture.paseto_verify(token text, public_key text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bigpicture_paseto_verify' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.paseto_verify(text, text) IS
	'verify a PASETO v4.public token with a PASERK k4.public key and return its payload; checks the signature only';

CREATE FUNCTION bigpicture.paseto_footer(token text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bigpicture_paseto_footer' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.paseto_footer(text) IS
	'the footer of a PASETO v4.public token, NOT verified (read the kid, then verify)';

-- A stored token's payload, NOT verified (src/extension/token_verify.c):
-- for the extension's own copies only, to compare claims and read exp.
CREATE FUNCTION bigpicture._unverified_payload(token text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bigpicture_unverified_payload' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- A token's claims without its envelope (iss, iat, exp, nbf): equal for a
-- token and its re-signed copy.  NOT verified.
CREATE FUNCTION bigpicture._signed_claims(token text) RETURNS jsonb
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture._unverified_payload(token) - '{iss,iat,exp,nbf}'::text[];

-- Which key purpose signs tokens of a typ: the rule table of src/core.
CREATE FUNCTION bigpicture.key_purpose_of(typ text) RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_key_purpose_of' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.key_purpose_of(text) IS
	'the key purpose that signs tokens of a typ (keyset, key_certificate, decision, release, lease, snapshot, checkpoint)';

-- The one verifier (src/core/verify.c) against this server's keys, as
-- bigpicture.public_keys shows them to the caller.  typ NULL accepts any
-- kind; signed_earlier checks a record of the past (audit checkpoints): a
-- key retired since still counts, and the token's own times do not.
CREATE FUNCTION bigpicture._verify(token text, typ text, at timestamptz, signed_earlier boolean DEFAULT false)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bigpicture_verify' LANGUAGE C STABLE;
COMMENT ON FUNCTION bigpicture._verify(text, text, timestamptz, boolean) IS
	'internal: verify a token against this server''s keys at a time, by the rules every verifier shares; returns the payload';

CREATE FUNCTION bigpicture.verify_token(token text) RETURNS jsonb
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	RETURN bigpicture._verify(token, NULL, pg_catalog.now());
COMMENT ON FUNCTION bigpicture.verify_token(text) IS
	'verify a token signed by this server: known key valid now, typ matching the key''s purpose, iat, exp and nbf; returns the payload';

-- ---- grants -----------------------------------------------------------------------------

GRANT SELECT ON bigpicture.public_keys TO bigpicture_admin, bigpicture_publisher, bigpicture_approver,
	bigpicture_tenant_admin, bigpicture_client, bigpicture_mirror, bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture.generate_key(text, text), bigpicture.activate_key(text),
	bigpicture.retire_key(text), bigpicture.revoke_key(text, text), bigpicture.retire_expired_keys()
	TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.keyset(), bigpicture.keyset_payload(), bigpicture.keyset_tokens() TO bigpicture_admin,
	bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin, bigpicture_client,
	bigpicture_mirror, bigpicture_auditor, bigpicture_anon;
GRANT EXECUTE ON FUNCTION bigpicture.verify_token(text) TO bigpicture_admin, bigpicture_publisher,
	bigpicture_approver, bigpicture_tenant_admin, bigpicture_client, bigpicture_mirror,
	bigpicture_auditor;
