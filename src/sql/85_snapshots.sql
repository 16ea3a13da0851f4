-- Snapshots, key certificates and mirrors (DESIGN §6, §9; docs/mirrors.md).
--
-- The vendor signs a point-in-time bundle of everything one tenant's mirror,
-- local license server or air-gapped site needs (typ "snapshot", snapshot
-- key).  The mirror, another PostgreSQL with this extension, imports it
-- after checking it chains to a root key it pinned, that it is newer than
-- the last one and not expired, and then serves decisions and leases from
-- the imported data, signed with its own key under a key certificate.

-- ---- verification against pinned roots (mirror side) ----------------------------

-- A PASERK k4.public key as its 32 raw bytes, or a clear error.
CREATE FUNCTION bigpicture._public_key_bytes(public_key text, what text) RETURNS bytea
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	raw bytea;
BEGIN
	IF public_key IS NOT NULL AND public_key ~ '^k4\.public\.[A-Za-z0-9_-]{43}$' THEN
		raw := decode(translate(substr(public_key, 11), '-_', '+/') || '=', 'base64');
		-- Canonical encodings only: the text must round-trip.
		IF bigpicture.paserk_public(raw) = public_key THEN
			RETURN raw;
		END IF;
	END IF;
	RAISE EXCEPTION 'invalid % public key', what USING ERRCODE = '22023',
		DETAIL = 'Keys are given as PASERK k4.public text (k4.public. and 43 base64url characters).',
		HINT = 'Read it from bigpicture.public_keys on the server that holds the key.';
END
$$;

-- The payload of a PASETO v4.public token WITHOUT checking its signature:
-- only to find what to verify it with (a snapshot carries the key set that
-- lists its signing key).  NULL when it does not decode to a JSON object.
CREATE FUNCTION bigpicture._unverified_paseto_payload(token text) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	body text := split_part(token, '.', 3);
	raw bytea;
	payload jsonb;
BEGIN
	raw := decode(translate(body, '-_', '+/') || repeat('=', (4 - length(body) % 4) % 4), 'base64');
	IF length(raw) <= 64 THEN
		RETURN NULL;
	END IF;
	-- Message, then the 64-byte signature.
	payload := convert_from(substr(raw, 1, length(raw) - 64), 'UTF8')::jsonb;
	RETURN CASE WHEN jsonb_typeof(payload) = 'object' THEN payload END;
EXCEPTION WHEN data_exception OR invalid_text_representation OR untranslatable_character
	OR character_not_in_repertoire OR statement_too_complex THEN
	-- (statement_too_complex: nesting deep enough to exhaust the parser's stack)
	RETURN NULL;
END
$$;

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

-- A token's payload after checking it is a PASETO v4.public token whose
-- footer names a pinned root key, signed by it, of the expected typ.
CREATE FUNCTION bigpicture._verify_with_pinned_root(token text, what text, expected_typ text) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	footer jsonb;
	root bigpicture.trusted_root_keys;
	payload jsonb;
BEGIN
	IF token IS NULL OR token !~ '^v4\.public\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$' THEN
		RAISE EXCEPTION '% is not a PASETO v4.public token', what USING ERRCODE = '22P02';
	END IF;
	BEGIN
		footer := bigpicture.paseto_footer(token);
	EXCEPTION WHEN data_exception THEN
		footer := NULL;
	END;
	IF jsonb_typeof(footer) IS DISTINCT FROM 'object' OR jsonb_typeof(footer -> 'kid') IS DISTINCT FROM 'string' THEN
		RAISE EXCEPTION '% has no key id', what USING ERRCODE = '22P02',
			DETAIL = 'The footer must be {"kid":"k4.pid.…"}.';
	END IF;
	SELECT * INTO root FROM bigpicture.trusted_root_keys r WHERE r.kid = footer ->> 'kid';
	IF NOT FOUND THEN
		RAISE EXCEPTION '% is not signed by a pinned root key', what USING ERRCODE = '22023',
			DETAIL = format('It names key %s, which this server does not trust.', footer ->> 'kid'),
			HINT = 'Pin the vendor''s root key with bigpicture.pin_root_key(), after checking it out of band.';
	END IF;
	BEGIN
		payload := bigpicture.paseto_verify(token, root.public_key);
	EXCEPTION WHEN data_exception OR invalid_parameter_value THEN
		RAISE EXCEPTION '% signature does not verify', what USING ERRCODE = '22023',
			DETAIL = 'The token was altered, or signed by another key than its footer names.';
	END;
	IF payload ->> 'typ' IS DISTINCT FROM expected_typ THEN
		RAISE EXCEPTION '% has typ %, not %', what, COALESCE(payload ->> 'typ', '(none)'), expected_typ
			USING ERRCODE = '22023';
	END IF;
	RETURN payload;
END
$$;

-- ---- key certificates -------------------------------------------------------------

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
		RAISE EXCEPTION 'mirror "%" of tenant "%" does not exist', mirror_id, t.tenant_id USING ERRCODE = 'P0002';
	END IF;
	IF EXISTS (SELECT 1 FROM bigpicture.signing_keys k WHERE k.kid = pid)
	   OR EXISTS (SELECT 1 FROM bigpicture.key_certificates c WHERE c.kid = pid) THEN
		RAISE EXCEPTION 'key % is already known here', pid USING ERRCODE = '23505',
			DETAIL = 'A certificate is issued once per mirror key, and never for one of this server''s own keys.',
			HINT = 'Generate a new key on the mirror for a new certificate.';
	END IF;
	token := bigpicture._sign_token('root', NULL, jsonb_build_object(
		'typ', 'key_certificate',
		'iss', current_setting('bigpicture.issuer', true),
		'iat', bigpicture.rfc3339(now()),
		'nbf', bigpicture.rfc3339(now()),
		'exp', bigpicture.rfc3339(valid_until),
		'kid', pid,
		'public_key', public_key,
		'tenant_id', t.tenant_id,
		'purposes', to_jsonb(p),
		'mirror_id', mirror_id));
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
		RAISE EXCEPTION 'key certificate for "%" does not exist', kid USING ERRCODE = 'P0002';
	END IF;
	IF c.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'key certificate for "%" is already revoked', kid USING ERRCODE = '55000';
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
	c jsonb := bigpicture._verify_with_pinned_root(certificate, 'key certificate', 'key_certificate');
	k bigpicture.signing_keys;
	expires timestamptz;
BEGIN
	IF jsonb_typeof(c -> 'kid') <> 'string' OR jsonb_typeof(c -> 'tenant_id') <> 'string'
	   OR jsonb_typeof(c -> 'purposes') <> 'array' OR jsonb_typeof(c -> 'exp') <> 'string' THEN
		RAISE EXCEPTION 'key certificate is incomplete' USING ERRCODE = '22023',
			DETAIL = 'It must name kid, tenant_id, purposes and exp.';
	END IF;
	expires := (c ->> 'exp')::timestamptz;
	IF expires <= now() THEN
		RAISE EXCEPTION 'key certificate expired at %', c ->> 'exp' USING ERRCODE = 'PT410',
			HINT = 'Ask the vendor for a new certificate.';
	END IF;
	SELECT * INTO k FROM bigpicture.signing_keys x WHERE x.kid = c ->> 'kid' FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'key certificate is for key %, which this server does not have', c ->> 'kid'
			USING ERRCODE = 'P0002', HINT = 'Certificates are installed on the server that generated the key.';
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
		RAISE EXCEPTION 'signing key % is %', k.kid, k.state USING ERRCODE = '55000';
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
	USING (tenant_id = (SELECT bigpicture.current_tenant()));
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
		RAISE EXCEPTION 'mirror "%" does not exist', p_mirror_id USING ERRCODE = 'P0002';
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
	 WHERE x.mirror_id = m.mirror_id;
END
$$;
COMMENT ON FUNCTION bigpicture.set_mirror_status(text, text, text) IS
	'set a mirror ACTIVE, INACTIVE, or ERROR with the error it reported';

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
	USING (tenant_id = (SELECT bigpicture.current_tenant()));
GRANT SELECT ON bigpicture.snapshots TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin, bigpicture_mirror;
-- Signed snapshots are history: never changed or removed, except with
-- their tenant (a cascading delete, which runs at trigger depth 2).
CREATE FUNCTION bigpicture.snapshots_append_only() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '55000',
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
CREATE FUNCTION bigpicture._snapshot_content(p_tenant_id text) RETURNS jsonb
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres'
BEGIN ATOMIC
	WITH prod AS (
		SELECT p.* FROM bigpicture.products p
		WHERE NOT p.requires_entitlement
		   OR EXISTS (SELECT 1 FROM bigpicture.entitlements e WHERE e.tenant_id = p_tenant_id AND e.product_id = p.product_id)
		   OR EXISTS (SELECT 1 FROM bigpicture.tenant_policies tp WHERE tp.tenant_id = p_tenant_id AND tp.product_id = p.product_id)),
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
			WHERE v.product_id IS NULL OR v.product_id IN (SELECT product_id FROM prod)), '[]'),
		'tenant_policies', COALESCE((SELECT jsonb_agg(to_jsonb(tp) ORDER BY tp.policy_id) FROM bigpicture.tenant_policies tp
			WHERE tp.tenant_id = p_tenant_id), '[]'),
		'effective_policies', COALESCE((SELECT jsonb_object_agg(p.product_id,
			bigpicture.effective_policy(p_tenant_id, p.product_id)) FROM prod p), '{}'),
		'entitlements', COALESCE((SELECT jsonb_agg(to_jsonb(e) ORDER BY e.entitlement_id) FROM bigpicture.entitlements e
			WHERE e.tenant_id = p_tenant_id), '[]'),
		'keyset_version', GREATEST((SELECT COALESCE(max(change_seq), 0) FROM bigpicture.signing_keys),
			(SELECT COALESCE(max(change_seq), 0) FROM bigpicture.key_certificates)),
		'audit_checkpoint', (SELECT c.token FROM bigpicture.audit_checkpoints c
			WHERE c.chain_id = p_tenant_id ORDER BY c.seq DESC LIMIT 1));
END;

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
	IF ttl IS NULL OR ttl < interval '1 second' OR ttl > interval '400 days' THEN
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
	token := bigpicture._sign_token('snapshot', NULL, content || jsonb_build_object(
		'typ', 'snapshot',
		'iss', current_setting('bigpicture.issuer', true),
		'iat', bigpicture.rfc3339(created),
		'exp', bigpicture.rfc3339(expires),
		'tenant_id', p_tenant_id,
		'seq', seq,
		'content_hash', hash,
		'keysets', (SELECT jsonb_agg(k.token ORDER BY k.state, k.kid)
			FROM bigpicture._keyset_tokens(bigpicture._keyset_payload(p_tenant_id, false, expires)) k)));
	INSERT INTO bigpicture.snapshots (tenant_id, seq, created_at, expires_at, content_hash, reason, token)
	VALUES (p_tenant_id, seq, created, expires, hash, reason, token);
	RETURN token;
END
$$;

CREATE FUNCTION bigpicture.generate_snapshot(tenant_id text, force boolean DEFAULT false,
	ttl interval DEFAULT '7 days') RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN bigpicture._generate_snapshot((bigpicture._tenant_or_error(generate_snapshot.tenant_id)).tenant_id,
		COALESCE(force, false), ttl, 'on demand');
END
$$;
COMMENT ON FUNCTION bigpicture.generate_snapshot(text, boolean, interval) IS
	'sign a snapshot (typ snapshot) of everything a tenant''s mirror needs; returns the previous one instead when nothing changed, unless forced';

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
			RAISE EXCEPTION 'mirror "%" does not exist', mirror_id USING ERRCODE = 'P0002';
		END IF;
		IF s.seq IS NOT NULL AND NOT current_setting('transaction_read_only')::boolean THEN
			UPDATE bigpicture.mirrors x SET last_sync_at = now(), last_snapshot_seq = s.seq,
				status = CASE WHEN x.status = 'ERROR' THEN 'ACTIVE' ELSE x.status END, updated_at = now()
			 WHERE x.mirror_id = m.mirror_id;
		END IF;
	END IF;
	IF s.seq IS NULL THEN
		RAISE EXCEPTION 'tenant "%" has no snapshot yet', t USING ERRCODE = 'P0002',
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
CREATE FUNCTION bigpicture.snapshots_on_release() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text;
BEGIN
	IF NEW.status NOT IN ('published', 'revoked') OR NEW.status = OLD.status THEN
		RETURN NULL;
	END IF;
	FOR t IN
		SELECT x.tenant_id FROM bigpicture.tenants x
		WHERE (EXISTS (SELECT 1 FROM bigpicture.mirrors m WHERE m.tenant_id = x.tenant_id AND m.status <> 'INACTIVE')
			OR EXISTS (SELECT 1 FROM bigpicture.snapshots s WHERE s.tenant_id = x.tenant_id))
		  AND (NOT (SELECT p.requires_entitlement FROM bigpicture.products p WHERE p.product_id = NEW.product_id)
			OR EXISTS (SELECT 1 FROM bigpicture.entitlements e WHERE e.tenant_id = x.tenant_id AND e.product_id = NEW.product_id))
		ORDER BY x.tenant_id
	LOOP
		IF NOT EXISTS (SELECT 1 FROM bigpicture.signing_keys k
					   WHERE k.purpose = 'snapshot' AND k.state = 'active' AND k.tenant_id IS NULL) THEN
			RAISE WARNING 'no snapshot was generated for the tenants that take snapshots'
				USING DETAIL = 'There is no active snapshot signing key.',
					  HINT = 'Create one with bigpicture.generate_key(''snapshot'') and activate it.';
			RETURN NULL;
		END IF;
		PERFORM bigpicture._generate_snapshot(t, false, interval '7 days',
			'release ' || NEW.release_id || ' ' || NEW.status);
	END LOOP;
	RETURN NULL;
END
$$;
CREATE TRIGGER snapshots_on_release AFTER UPDATE OF status ON bigpicture.releases
	FOR EACH ROW EXECUTE FUNCTION bigpicture.snapshots_on_release();

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
	USING (tenant_id = (SELECT bigpicture.current_tenant()));
GRANT SELECT ON bigpicture.imported_snapshots TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin,
	bigpicture_mirror;
CREATE TRIGGER imported_snapshots_append_only BEFORE UPDATE OR DELETE ON bigpicture.imported_snapshots
	FOR EACH ROW EXECUTE FUNCTION bigpicture.snapshots_append_only();
CREATE TRIGGER imported_snapshots_no_truncate BEFORE TRUNCATE ON bigpicture.imported_snapshots
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.snapshots_append_only();

-- Verify everything, then write everything, in one transaction.
CREATE FUNCTION bigpicture.import_snapshot(token text) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres'
	AS $$
DECLARE
	footer jsonb;
	ks_token text;
	ks jsonb;
	k jsonb;
	s jsonb;
	t text;
	grace interval;
	expires timestamptz;
	last bigpicture.imported_snapshots;
	r jsonb;
	cur text;
	ids text[];
BEGIN
	-- 1. The key set: signed by a pinned root (the first of the bundle's
	--    key sets that one of our roots signed, so a root rotation works).
	IF token IS NULL OR token !~ '^v4\.public\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' THEN
		RAISE EXCEPTION 'snapshot is not a PASETO v4.public token with a footer' USING ERRCODE = '22P02';
	END IF;
	BEGIN
		footer := bigpicture.paseto_footer(token);
	EXCEPTION WHEN data_exception THEN
		footer := NULL;
	END;
	-- Unverified until step 2: read only to find the key sets inside; a
	-- tampered payload that still parses fails the signature check below.
	s := bigpicture._unverified_paseto_payload(token);
	IF jsonb_typeof(footer -> 'kid') IS DISTINCT FROM 'string' OR s IS NULL THEN
		RAISE EXCEPTION 'snapshot is not well formed' USING ERRCODE = '22P02',
			DETAIL = 'The footer must name a kid and the payload must be a JSON object.';
	END IF;
	SELECT x INTO ks_token FROM jsonb_array_elements_text(
		CASE WHEN jsonb_typeof(s -> 'keysets') = 'array' THEN s -> 'keysets' ELSE '[]' END) x
	WHERE (bigpicture.paseto_footer(x) ->> 'kid') IN (SELECT kid FROM bigpicture.trusted_root_keys)
	LIMIT 1;
	IF ks_token IS NULL THEN
		IF NOT EXISTS (SELECT 1 FROM bigpicture.trusted_root_keys) THEN
			RAISE EXCEPTION 'no root key is pinned' USING ERRCODE = '55000',
				HINT = 'Pin the vendor''s root key with bigpicture.pin_root_key(), after checking it out of band.';
		END IF;
		RAISE EXCEPTION 'snapshot carries no key set signed by a pinned root key' USING ERRCODE = '22023',
			HINT = 'Pin the vendor''s current root key with bigpicture.pin_root_key().';
	END IF;
	ks := bigpicture._verify_with_pinned_root(ks_token, 'key set', 'keyset');

	-- 2. The snapshot: signed by a snapshot key of that key set, usable now.
	SELECT e INTO k FROM jsonb_array_elements(ks -> 'keys') e WHERE e ->> 'kid' = footer ->> 'kid';
	IF k IS NULL THEN
		RAISE EXCEPTION 'snapshot is signed by a key the key set does not list' USING ERRCODE = '22023',
			DETAIL = format('It names key %s.', footer ->> 'kid');
	END IF;
	IF k ->> 'purpose' <> 'snapshot' OR k ->> 'state' NOT IN ('active', 'retiring')
	   OR (k ->> 'valid_until') IS NOT NULL AND (k ->> 'valid_until')::timestamptz <= now() THEN
		RAISE EXCEPTION 'snapshot is signed by a key that may not sign snapshots' USING ERRCODE = '22023',
			DETAIL = format('Key %s is a %s key, %s.', k ->> 'kid', k ->> 'purpose', k ->> 'state');
	END IF;
	BEGIN
		s := bigpicture.paseto_verify(token, k ->> 'public_key');
	EXCEPTION WHEN data_exception OR invalid_parameter_value THEN
		RAISE EXCEPTION 'snapshot signature does not verify' USING ERRCODE = '22023',
			DETAIL = 'The bundle was altered after it was signed.';
	END;
	IF s ->> 'typ' IS DISTINCT FROM 'snapshot' OR jsonb_typeof(s -> 'tenant_id') <> 'string'
	   OR jsonb_typeof(s -> 'seq') <> 'number' OR jsonb_typeof(s -> 'tenant') <> 'object' THEN
		RAISE EXCEPTION 'token is not a snapshot' USING ERRCODE = '22023',
			DETAIL = format('It has typ %s.', COALESCE(s ->> 'typ', '(none)'));
	END IF;
	t := s ->> 'tenant_id';
	IF k ->> 'tenant_id' IS NOT NULL AND k ->> 'tenant_id' <> t THEN
		RAISE EXCEPTION 'snapshot is signed by another tenant''s key' USING ERRCODE = '22023';
	END IF;

	-- 3. Not older than what we have (rollback), not expired (freeze).
	SELECT * INTO last FROM bigpicture.imported_snapshots i WHERE i.tenant_id = t ORDER BY i.seq DESC LIMIT 1;
	IF FOUND AND (s ->> 'seq')::bigint <= last.seq THEN
		RAISE EXCEPTION 'snapshot % of tenant % is not newer than the last one imported (%)', s ->> 'seq', t, last.seq
			USING ERRCODE = 'PT409', DETAIL = 'Importing it would roll the mirror back.',
				  HINT = 'Fetch the newest snapshot from the vendor.';
	END IF;
	expires := (s ->> 'exp')::timestamptz;
	grace := COALESCE((s -> 'tenant' ->> 'offline_grace')::interval, interval '0');
	IF expires + grace <= now() OR (ks ->> 'exp')::timestamptz + grace <= now() THEN
		RAISE EXCEPTION 'snapshot of tenant % expired at %', t, s ->> 'exp' USING ERRCODE = 'PT410',
			DETAIL = format('The tenant''s offline grace (%s) has passed too.', grace),
			HINT = 'Fetch a fresh snapshot from the vendor.';
	END IF;

	-- 4. Apply.  The release state machine is walked as on the vendor
	--    (draft, pending_approval, published, revoked), so every guard holds.
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
	END LOOP;
	-- Rollouts of the bundle's releases: as the vendor has them now.
	ids := ARRAY(SELECT e ->> 'release_id' FROM jsonb_array_elements(s -> 'releases') e);
	DELETE FROM bigpicture.rollouts o WHERE o.release_id = ANY (ids)
	   AND NOT EXISTS (SELECT 1 FROM jsonb_populate_recordset(NULL::bigpicture.rollouts, s -> 'rollouts') n
					   WHERE n.release_id = o.release_id AND n.platform IS NOT DISTINCT FROM o.platform);
	INSERT INTO bigpicture.rollouts AS x SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.rollouts, s -> 'rollouts')
	ON CONFLICT ON CONSTRAINT rollouts_target DO UPDATE SET percentage = EXCLUDED.percentage,
		paused = EXCLUDED.paused, updated_by = EXCLUDED.updated_by
	WHERE (x.percentage, x.paused) IS DISTINCT FROM (EXCLUDED.percentage, EXCLUDED.paused);
	-- Policies: the vendor's for these products, and the tenant's, replaced.
	ids := ARRAY(SELECT e ->> 'product_id' FROM jsonb_array_elements(s -> 'products') e);
	DELETE FROM bigpicture.vendor_policies v WHERE (v.product_id IS NULL OR v.product_id = ANY (ids))
	   AND NOT (s -> 'vendor_policies') @> jsonb_build_array(to_jsonb(v));
	INSERT INTO bigpicture.vendor_policies
		SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.vendor_policies, s -> 'vendor_policies')
	ON CONFLICT DO NOTHING;
	DELETE FROM bigpicture.tenant_policies tp WHERE tp.tenant_id = t
	   AND NOT (s -> 'tenant_policies') @> jsonb_build_array(to_jsonb(tp));
	INSERT INTO bigpicture.tenant_policies
		SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.tenant_policies, s -> 'tenant_policies')
	ON CONFLICT DO NOTHING;
	INSERT INTO bigpicture.entitlements AS x
		SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.entitlements, s -> 'entitlements')
	ON CONFLICT (tenant_id, entitlement_id) DO UPDATE SET max_seats = EXCLUDED.max_seats,
		features = EXCLUDED.features, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
		status = EXCLUDED.status, auto_renew = EXCLUDED.auto_renew, renewal_days = EXCLUDED.renewal_days,
		default_lease_duration = EXCLUDED.default_lease_duration, max_lease_duration = EXCLUDED.max_lease_duration,
		updated_at = EXCLUDED.updated_at, revoked_at = EXCLUDED.revoked_at, revoked_reason = EXCLUDED.revoked_reason
	WHERE to_jsonb(x) IS DISTINCT FROM to_jsonb(EXCLUDED);
	-- The vendor's rule holds here too: a revoked entitlement's active leases
	-- (issued by this mirror) are revoked with it.
	UPDATE bigpicture.leases l SET revoked_at = now(),
		revoked_reason = 'entitlement revoked: ' || COALESCE(e.revoked_reason, 'by the vendor')
	  FROM jsonb_populate_recordset(NULL::bigpicture.entitlements, s -> 'entitlements') e
	 WHERE e.status = 'revoked' AND l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id
	   AND l.released_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > now();
	INSERT INTO bigpicture.imported_snapshots (tenant_id, seq, created_at, expires_at, content_hash, keyset,
		audit_checkpoint, imported_by, token)
	VALUES (t, (s ->> 'seq')::bigint, (s ->> 'iat')::timestamptz, expires, s ->> 'content_hash', ks_token,
		s ->> 'audit_checkpoint', bigpicture.current_actor(), token);
	RETURN jsonb_build_object('tenant_id', t, 'seq', (s ->> 'seq')::bigint, 'created_at', s ->> 'iat',
		'expires_at', s ->> 'exp', 'releases', jsonb_array_length(s -> 'releases'),
		'entitlements', jsonb_array_length(s -> 'entitlements'), 'keyset_version', ks -> 'version');
END
$$;
COMMENT ON FUNCTION bigpicture.import_snapshot(text) IS
	'on a mirror: verify a snapshot against the pinned root key (key set, signature, sequence, expiry), then apply it atomically';

-- ---- audit and grants ---------------------------------------------------------------

DO $audited$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('key_certificates', 'key_certificate', 'kid'), ('trusted_root_keys', 'root_key', 'kid'),
		('mirrors', 'mirror', 'mirror_id'), ('snapshots', 'snapshot', 'tenant_id,seq'),
		('imported_snapshots', 'snapshot', 'tenant_id,seq')) AS x(tbl, obj, idcol)
	LOOP
		-- Snapshot rows are recorded by content hash, without the bundle itself.
		EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bigpicture.%I '
			'FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_row_change(%L, %L, %L)', t.tbl, t.obj, t.idcol,
			'token,keyset,audit_checkpoint');
	END LOOP;
END
$audited$;

GRANT EXECUTE ON FUNCTION bigpicture.issue_key_certificate(text, text, text[], timestamptz, text),
	bigpicture.revoke_key_certificate(text, text), bigpicture.pin_root_key(text, text),
	bigpicture.unpin_root_key(text), bigpicture.install_key_certificate(text),
	bigpicture.generate_snapshot(text, boolean, interval), bigpicture.import_snapshot(text),
	bigpicture.set_mirror_status(text, text, text)
	TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.register_mirror(text, text, text) TO bigpicture_admin, bigpicture_tenant_admin;
GRANT EXECUTE ON FUNCTION bigpicture.latest_snapshot(text, text), bigpicture.list_snapshots(text)
	TO bigpicture_admin, bigpicture_tenant_admin, bigpicture_mirror, bigpicture_auditor;
