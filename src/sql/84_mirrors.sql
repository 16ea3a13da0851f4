-- Mirrors and the trust they are built on (docs/mirrors.md): the vendor
-- root keys a mirror pins, the key certificates by which the vendor lets a
-- mirror's own key sign for one tenant, and the vendor's registry of a
-- tenant's mirrors.  Tokens are checked by the one verifier in src/core
-- (bigpicture._verify_pinned); nothing here decodes a token.

-- ---- pinned roots (mirror side) ---------------------------------------------------

-- A PASERK k4.public key as its 32 raw bytes, or a clear error (22023).
CREATE FUNCTION bigpicture._public_key_bytes(public_key text, what text) RETURNS bytea
	AS 'MODULE_PATHNAME', 'bigpicture_public_key_bytes' LANGUAGE C IMMUTABLE;

-- A token's payload after the core verifier checked it against the pinned
-- root keys: signed by one of them, of typ, valid at (exp: PT410).
CREATE FUNCTION bigpicture._verify_pinned(token text, what text, typ text, at timestamptz) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'bigpicture_verify_pinned' LANGUAGE C STABLE;

CREATE FUNCTION bigpicture.pin_root_key(public_key text, note text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	pid text := bigpicture.paserk_pid(bigpicture._public_key_bytes(public_key, 'root'));
BEGIN
	INSERT INTO bigpicture.trusted_root_keys (kid, public_key, note, pinned_by)
	VALUES (pid, pin_root_key.public_key, note, bigpicture.current_actor())
	ON CONFLICT (kid) DO NOTHING;
	RETURN pid;
END
$$;
COMMENT ON FUNCTION bigpicture.pin_root_key(text, text) IS
	'trust a vendor root key (PASERK k4.public) for imported snapshots and key certificates; returns its kid';

CREATE FUNCTION bigpicture.unpin_root_key(kid text) RETURNS boolean
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (DELETE FROM bigpicture.trusted_root_keys t WHERE t.kid = unpin_root_key.kid RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM gone);
END;
COMMENT ON FUNCTION bigpicture.unpin_root_key(text) IS
	'stop trusting a pinned root key; true when it was pinned';

-- ---- key certificates -------------------------------------------------------------

-- What a key certificate signs; the same when it is re-signed
-- (refresh_signatures) as when it was issued.
CREATE FUNCTION bigpicture._key_certificate_claims(kid text, public_key bytea, tenant_id text, purposes text[],
	mirror_id text) RETURNS jsonb
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('kid', kid, 'public_key', bigpicture.paserk_public(public_key), 'tenant_id', tenant_id,
		'purposes', to_jsonb(purposes), 'mirror_id', mirror_id);

-- Vendor side: certify a mirror's public key.
CREATE FUNCTION bigpicture.issue_key_certificate(tenant_id text, public_key text, purposes text[],
	valid_until timestamptz, mirror_id text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t bigpicture.tenants := bigpicture._tenant_or_error(issue_key_certificate.tenant_id);
	raw bytea := bigpicture._public_key_bytes(public_key, 'mirror');
	pid text := bigpicture.paserk_pid(raw);
	p text[] := ARRAY(SELECT DISTINCT x FROM unnest(purposes) x ORDER BY x);
	token text;
BEGIN
	IF purposes IS NULL OR cardinality(p) = 0 OR NOT p <@ '{decision,lease}' OR array_position(purposes, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'invalid purposes %', COALESCE(purposes::text, 'NULL') USING ERRCODE = '22023',
			DETAIL = 'A key certificate delegates decision and/or lease signing, nothing else.';
	END IF;
	IF valid_until IS NULL OR valid_until <= now() OR valid_until > now() + interval '400 days' THEN
		RAISE EXCEPTION 'valid_until must be in the future, at most 400 days ahead' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(valid_until::text, 'NULL'));
	END IF;
	IF mirror_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bigpicture.mirrors m
			WHERE m.tenant_id = t.tenant_id AND m.mirror_id = issue_key_certificate.mirror_id) THEN
		RAISE EXCEPTION 'mirror "%" of tenant "%" does not exist', mirror_id, t.tenant_id USING ERRCODE = 'PT404';
	END IF;
	IF EXISTS (SELECT 1 FROM bigpicture.signing_keys k WHERE k.kid = pid)
	   OR EXISTS (SELECT 1 FROM bigpicture.key_certificates c WHERE c.kid = pid) THEN
		RAISE EXCEPTION 'key % is already known here', pid USING ERRCODE = '23505',
			DETAIL = 'A certificate is issued once per mirror key, and never for one of this server''s own keys.',
			HINT = 'Generate a new key on the mirror for a new certificate.';
	END IF;
	token := bigpicture._sign('key_certificate', NULL,
		bigpicture._key_certificate_claims(pid, raw, t.tenant_id, p, mirror_id), valid_until, now());
	INSERT INTO bigpicture.key_certificates (tenant_id, kid, public_key, purposes, mirror_id, valid_until, token, issued_by)
	VALUES (t.tenant_id, pid, raw, p, mirror_id, date_trunc('second', valid_until), token, bigpicture.current_actor());
	RETURN token;
END
$$;
COMMENT ON FUNCTION bigpicture.issue_key_certificate(text, text, text[], timestamptz, text) IS
	'certify a mirror''s key (PASERK k4.public) to sign decisions and/or leases for one tenant until valid_until; returns the root-signed key_certificate token';

CREATE FUNCTION bigpicture.revoke_key_certificate(kid text, reason text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c bigpicture.key_certificates;
BEGIN
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'a revocation needs a reason' USING ERRCODE = '22023';
	END IF;
	SELECT * INTO c FROM bigpicture.key_certificates x WHERE x.kid = revoke_key_certificate.kid FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'key certificate for "%" does not exist', kid USING ERRCODE = 'PT404';
	END IF;
	IF c.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'key certificate for "%" is already revoked', kid USING ERRCODE = 'PT409';
	END IF;
	UPDATE bigpicture.key_certificates x SET revoked_at = now(), revoked_reason = reason
	 WHERE x.kid = c.kid;
END
$$;
COMMENT ON FUNCTION bigpicture.revoke_key_certificate(text, text) IS
	'withdraw a key certificate: the key set lists the mirror''s key as revoked, so clients refuse its tokens';

-- Mirror side: attach the vendor's certificate to a local key, which then
-- carries it in the footer of every token it signs.
CREATE FUNCTION bigpicture.install_key_certificate(certificate text) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	-- Signed by a pinned root, typ key_certificate, valid now (else PT410).
	c jsonb := bigpicture._verify_pinned(certificate, 'key certificate', 'key_certificate', now());
	k bigpicture.signing_keys;
	expires timestamptz := (c ->> 'exp')::timestamptz;
BEGIN
	IF jsonb_typeof(c -> 'kid') <> 'string' OR jsonb_typeof(c -> 'tenant_id') <> 'string'
	   OR jsonb_typeof(c -> 'purposes') <> 'array' THEN
		RAISE EXCEPTION 'key certificate is incomplete' USING ERRCODE = '22023',
			DETAIL = 'It must name kid, tenant_id and purposes.';
	END IF;
	SELECT * INTO k FROM bigpicture.signing_keys x WHERE x.kid = c ->> 'kid' FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'key certificate is for key %, which this server does not have', c ->> 'kid'
			USING ERRCODE = 'PT404', HINT = 'Certificates are installed on the server that generated the key.';
	END IF;
	IF k.tenant_id IS DISTINCT FROM c ->> 'tenant_id' THEN
		RAISE EXCEPTION 'key certificate is for tenant %, but key % belongs to %', c ->> 'tenant_id', k.kid,
			COALESCE('tenant ' || k.tenant_id, 'no tenant') USING ERRCODE = '22023',
			HINT = 'Generate the mirror''s key with bigpicture.generate_key(purpose, tenant_id) for the certified tenant.';
	END IF;
	IF NOT (c -> 'purposes') ? k.purpose THEN
		RAISE EXCEPTION 'key certificate does not cover purpose %', k.purpose USING ERRCODE = '22023',
			DETAIL = format('It certifies %s.', c -> 'purposes');
	END IF;
	IF k.state NOT IN ('pending', 'active') THEN
		RAISE EXCEPTION 'signing key % is %', k.kid, k.state USING ERRCODE = 'PT409';
	END IF;
	UPDATE bigpicture.signing_keys x SET certificate = install_key_certificate.certificate,
		certificate_expires_at = expires
	 WHERE x.kid = k.kid;
	RETURN k.kid;
END
$$;
COMMENT ON FUNCTION bigpicture.install_key_certificate(text) IS
	'on a mirror: check a key certificate against the pinned root key and attach it to the local key it certifies; returns the kid';

-- ---- mirrors (vendor side) --------------------------------------------------------

CREATE TABLE bigpicture.mirrors (
	tenant_id          text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	mirror_id          text NOT NULL DEFAULT bigpicture.new_id('mirror') CHECK (bigpicture.is_valid_id(mirror_id, 'mirror')),
	name               text NOT NULL CHECK (name OPERATOR(pg_catalog.~) '[^[:space:]]'),
	status             text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE', 'ERROR')),
	last_sync_at       timestamptz,
	last_error         text,
	last_snapshot_seq  bigint,
	created_at         timestamptz NOT NULL DEFAULT now(),
	updated_at         timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, mirror_id),
	CHECK (status <> 'ERROR' OR last_error IS NOT NULL)
);
COMMENT ON TABLE bigpicture.mirrors IS
	'a tenant''s mirrors and local license servers: status (ACTIVE, INACTIVE, ERROR), last sync, last error, last snapshot sequence served';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.mirrors', '');
ALTER TABLE bigpicture.mirrors ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.mirrors FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.mirrors TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.mirrors FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.mirrors FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.mirrors FOR SELECT TO bigpicture_tenant_admin, bigpicture_mirror
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.mirrors TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin, bigpicture_mirror;

CREATE FUNCTION bigpicture._mirror_or_error(p_mirror_id text) RETURNS bigpicture.mirrors
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	m bigpicture.mirrors;
	own text := bigpicture.current_tenant();
BEGIN
	SELECT * INTO m FROM bigpicture.mirrors x WHERE x.mirror_id = p_mirror_id;
	-- Another tenant's mirror is reported exactly like a missing one.
	IF NOT FOUND OR (m.tenant_id IS DISTINCT FROM own AND NOT bigpicture.acts_for_all_tenants()) THEN
		RAISE EXCEPTION 'mirror "%" does not exist', p_mirror_id USING ERRCODE = 'PT404';
	END IF;
	RETURN m;
END
$$;

CREATE FUNCTION bigpicture.register_mirror(name text, tenant_id text DEFAULT NULL, mirror_id text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text := bigpicture._resolve_tenant(register_mirror.tenant_id);
	id text := COALESCE(mirror_id, bigpicture.new_id('mirror'));
BEGIN
	PERFORM bigpicture._tenant_or_error(t);
	IF NOT bigpicture.is_valid_id(id, 'mirror') THEN
		RAISE EXCEPTION 'invalid mirror id "%"', id USING ERRCODE = '22023',
			HINT = 'Mirror ids are mirror_ followed by 1 to 64 letters, digits, _ or -.';
	END IF;
	IF name IS NULL OR name !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'a mirror needs a name' USING ERRCODE = '22023';
	END IF;
	-- Mirror ids are unique across tenants (the key is tenant-first, for
	-- sharding by tenant); generated ids are random, given ones checked.
	IF EXISTS (SELECT 1 FROM bigpicture.mirrors m WHERE m.mirror_id = id) THEN
		RAISE EXCEPTION 'mirror "%" already exists', id USING ERRCODE = '23505';
	END IF;
	INSERT INTO bigpicture.mirrors (tenant_id, mirror_id, name) VALUES (t, id, name);
	RETURN id;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'mirror "%" already exists', id USING ERRCODE = '23505';
END
$$;
COMMENT ON FUNCTION bigpicture.register_mirror(text, text, text) IS
	'register a mirror or local license server for a tenant (ACTIVE); returns its mirror_id';

CREATE FUNCTION bigpicture.set_mirror_status(mirror_id text, status text, last_error text DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	m bigpicture.mirrors := bigpicture._mirror_or_error(set_mirror_status.mirror_id);
	n bigpicture.mirrors;
BEGIN
	IF status IS NULL OR status NOT IN ('ACTIVE', 'INACTIVE', 'ERROR') THEN
		RAISE EXCEPTION 'invalid mirror status "%"', status USING ERRCODE = '22023',
			HINT = 'A mirror is ACTIVE, INACTIVE or ERROR.';
	END IF;
	IF status = 'ERROR' AND (last_error IS NULL OR last_error !~ '[^[:space:]]') THEN
		RAISE EXCEPTION 'an ERROR status needs last_error' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.mirrors x SET status = set_mirror_status.status,
		last_error = CASE WHEN set_mirror_status.status = 'ERROR' THEN set_mirror_status.last_error ELSE x.last_error END,
		updated_at = now()
	 WHERE x.tenant_id = m.tenant_id AND x.mirror_id = m.mirror_id
	RETURNING * INTO n;
	-- on Citus the trigger ran on a worker's shard (87_events.sql)
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._mirror_failed_event(m, n);
	END IF;
END
$$;
COMMENT ON FUNCTION bigpicture.set_mirror_status(text, text, text) IS
	'set a mirror ACTIVE, INACTIVE, or ERROR with the error it reported';

-- ---- audit and grants ---------------------------------------------------------------

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bigpicture.key_certificates
	FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_row_change('key_certificate', 'kid', 'token,keyset,audit_checkpoint');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bigpicture.trusted_root_keys
	FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_row_change('root_key', 'kid', 'token,keyset,audit_checkpoint');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bigpicture.mirrors
	FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_row_change('mirror', 'mirror_id', 'token,keyset,audit_checkpoint');

GRANT EXECUTE ON FUNCTION bigpicture.issue_key_certificate(text, text, text[], timestamptz, text),
	bigpicture.revoke_key_certificate(text, text), bigpicture.pin_root_key(text, text),
	bigpicture.unpin_root_key(text), bigpicture.install_key_certificate(text),
	bigpicture.set_mirror_status(text, text, text)
	TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.register_mirror(text, text, text) TO bigpicture_admin, bigpicture_tenant_admin;
