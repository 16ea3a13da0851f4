-- Interop, step 1: sign payloads with the extension, and make one token of every
-- kind through the real SQL API; print them, with the keys, as one JSON document
-- for verify.mjs.  Run by test/interop/run as a superuser:
--   psql -v mirror_key=k4.public.... -f make-tokens.sql
-- mirror_key is a freshly generated Ed25519 public key (PASERK) to certify.
\set ON_ERROR_STOP on

-- Active keys: vendor-wide keys of every purpose, and a decision key of one tenant.
-- Existing active keys are reused, so the test can run again on the same database.
DO $$
DECLARE
	p text;
	t text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM bigpicture.tenants WHERE tenant_id = 'tenant_interop') THEN
		PERFORM bigpicture.create_tenant('Interop', 'tenant_interop');
	END IF;
	FOR p, t IN SELECT * FROM (VALUES ('decision', NULL), ('root', NULL), ('lease', NULL), ('snapshot', NULL),
									('audit', NULL), ('decision', 'tenant_interop')) v LOOP
		IF NOT EXISTS (SELECT 1 FROM bigpicture.signing_keys k
					   WHERE k.purpose = p AND k.tenant_id IS NOT DISTINCT FROM t AND k.state = 'active') THEN
			PERFORM bigpicture.activate_key(bigpicture.generate_key(p, t));
		END IF;
	END LOOP;
END
$$;

-- name, typ, tenant_id passed to _sign, the tenant whose key must sign (NULL:
-- the vendor-wide key), claims and exp.  The envelope (typ, iss, iat, exp) is
-- stamped by the signer; _token_payload shows the payload it signs.
CREATE TEMP TABLE interop_cases (
	ord        serial,
	name       text,
	typ        text,
	tenant_id  text,
	key_tenant text,
	claims     jsonb,
	exp        timestamptz
);
INSERT INTO interop_cases (name, typ, tenant_id, key_tenant, claims, exp) VALUES
	('decision with a subject and RFC 3339 times', 'decision', NULL, NULL,
	 '{"sub": "alice", "not_before_hint": "2026-11-26T17:00:00Z"}', now() + interval '1 hour'),
	('unicode and escapes', 'decision', NULL, NULL,
	 '{"name": "Zoë Ünïcødé — 日本語 🎉 \u00e9 e\u0301", "rtl": "שלום مرحبا",
	   "ключ": "значение", "𝄞": "astral key",
	   "esc": "quote \" backslash \\ slash / nl \n cr \r tab \t ctrl \u0001 \u001f del \u007f ls \u2028"}',
	 now() + interval '1 hour'),
	('nested objects, arrays, numbers, literals', 'release', NULL, NULL,
	 '{"a": {"b": {"c": {"d": [1, [2, [3, {"e": null}]]]}}},
	   "nums": [0, -0, 42, -7, 9007199254740991, 0.5, 1.0, 1e2, -2.5e-3, 3.141592653589793],
	   "lits": [true, false, null, "", [], {}], "zz": 1, "a1": 2, "b": 3}', now() + interval '1 hour'),
	('no claims, envelope only', 'decision', NULL, NULL, '{}', now() + interval '1 hour'),
	('large payload (~100 KB)', 'release', NULL, NULL,
	 (SELECT jsonb_build_object('items', jsonb_agg(jsonb_build_object('i', g, 'name', 'item ' || g || ' ✓',
																	  'tags', jsonb_build_array('a', 'ß', g % 7))
												   ORDER BY g))
	  FROM generate_series(1, 2000) g), now() + interval '1 hour'),
	('tenant with its own key', 'decision', 'tenant_interop', 'tenant_interop',
	 '{"tenant_id": "tenant_interop"}', now() + interval '1 hour'),
	('tenant without a key (vendor key signs)', 'decision', 'tenant_interop_nokey', NULL,
	 '{"tenant_id": "tenant_interop_nokey"}', now() + interval '1 hour');

-- ---- every token kind, from the real SQL API ------------------------------------------

-- The catalog: a product with one release published through submit_release (no
-- approval workflow applies, so it publishes at once), and a product with 2,000
-- published releases for the snapshot, each with its artifact.  The tenant is
-- entitled to both.  Made once per database: publishing again after the tenant has
-- a snapshot would sign a new snapshot per release.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM bigpicture.products WHERE product_id = 'prod_interop') THEN
		PERFORM bigpicture.create_product('Interop App', 'prod_interop');
		PERFORM bigpicture.create_channel('prod_interop', 'stable');
		PERFORM bigpicture.create_artifact('prod_interop', 'https://dl.example.com/interop/1.0.0/app.msi',
			repeat('ab', 32), 12345678, 'windows', 'x86_64', 'msi', artifact_id => 'art_interop_1');
		PERFORM bigpicture.create_release('prod_interop', '1.0.0', 'stable', 'First release ✓',
			'{"min_os": "10.0.19041"}', release_id => 'rel_interop_1');
		PERFORM bigpicture.attach_artifact('rel_interop_1', 'art_interop_1');
		IF bigpicture.submit_release('rel_interop_1') <> 'published' THEN
			RAISE EXCEPTION 'rel_interop_1 was not published on submit';
		END IF;
		PERFORM bigpicture.create_entitlement('tenant_interop', 'prod_interop', 'concurrent', 5,
			entitlement_id => 'ent_interop');
	END IF;
	IF NOT EXISTS (SELECT 1 FROM bigpicture.products WHERE product_id = 'prod_interop_catalog') THEN
		PERFORM bigpicture.create_product('Interop Catalog', 'prod_interop_catalog');
		PERFORM bigpicture.create_channel('prod_interop_catalog', 'stable');
		PERFORM bigpicture.create_artifact('prod_interop_catalog', format('https://dl.example.com/catalog/%s/app.msi', g),
			encode(sha256(convert_to(g::text, 'UTF8')), 'hex'), 1000000 + g, 'windows', 'x86_64', 'msi',
			artifact_id => 'art_catalog_' || g)
		FROM generate_series(1, 2000) g;
		PERFORM bigpicture.create_release('prod_interop_catalog', format('%s.%s.0', g / 100, g % 100), 'stable',
			'Release ' || g, release_id => 'rel_catalog_' || g)
		FROM generate_series(1, 2000) g;
		PERFORM bigpicture.attach_artifact('rel_catalog_' || g, 'art_catalog_' || g) FROM generate_series(1, 2000) g;
		PERFORM bigpicture.submit_release('rel_catalog_' || g) FROM generate_series(1, 2000) g;
		IF (SELECT count(*) FROM bigpicture.releases
			WHERE product_id = 'prod_interop_catalog' AND status = 'published') <> 2000 THEN
			RAISE EXCEPTION 'the catalog does not have 2,000 published releases';
		END IF;
		PERFORM bigpicture.create_entitlement('tenant_interop', 'prod_interop_catalog', 'per_machine', 100,
			entitlement_id => 'ent_interop_catalog');
	END IF;
END
$$;

-- The first value of a statement as text, or the error it raised.  A jsonb result
-- that is an object stands for its "token" member.
CREATE FUNCTION pg_temp.try_token(stmt text, OUT token text, OUT error text) LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt INTO token;
	IF token LIKE '{%' THEN
		token := token::jsonb ->> 'token';
	END IF;
	IF token IS NULL THEN
		error := 'no token';
	END IF;
EXCEPTION WHEN OTHERS THEN
	token := NULL;
	error := format('SQLSTATE %s: %s', SQLSTATE, SQLERRM);
END
$$;
-- verify_token's payload (the extension's own verifier), or NULL with the error.
CREATE FUNCTION pg_temp.try_payload(token text, OUT payload jsonb, OUT error text) LANGUAGE plpgsql AS $$
BEGIN
	payload := bigpicture.verify_token(token);
EXCEPTION WHEN OTHERS THEN
	error := format('SQLSTATE %s: %s', SQLSTATE, SQLERRM);
END
$$;

-- A lease that is revoked at once, for the lease revocation list.
SELECT bigpicture.revoke_lease(bigpicture.issue_lease(jsonb_build_object('tenant_id', 'tenant_interop',
	'product_id', 'prod_interop', 'subject_type', 'machine', 'subject_id', 'revoked-' || bigpicture.new_id('m'))) ->> 'lease_id',
	'interop: on the revocation list', 'tenant_interop') \g /dev/null

-- How to call bigpicture.lease_revocations, if this build has it: with the tenant
-- when it takes an argument; '' when there is no such function.
SELECT COALESCE((SELECT CASE WHEN p.pronargs = 0 THEN 'SELECT bigpicture.lease_revocations()'
							 ELSE 'SELECT bigpicture.lease_revocations(''tenant_interop'')' END
				 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
				 WHERE n.nspname = 'bigpicture' AND p.proname = 'lease_revocations'
				 ORDER BY p.pronargs DESC LIMIT 1), '') AS revocations_stmt \gset

-- kind, the typ it must carry, and the statement that makes it.  Run in order: the
-- audit checkpoint comes after the changes above, the snapshot after the catalog.
CREATE TEMP TABLE interop_kinds (ord serial, kind text, typ text, stmt text, token text, error text);
INSERT INTO interop_kinds (kind, typ, stmt) VALUES
	('decision (check_update)', 'decision',
	 $s$SELECT bigpicture.check_update('{"tenant_id": "tenant_interop", "install_id": "inst-interop-1",
		"nonce": "n-interop-1", "platform": "windows", "arch": "x86_64",
		"products": [{"product_id": "prod_interop", "channel": "stable", "current_version": "0.9.0"}]}')
		-> 'decisions' -> 0 ->> 'token'$s$),
	('lease (issue_lease)', 'lease',
	 $s$SELECT bigpicture.issue_lease('{"tenant_id": "tenant_interop", "product_id": "prod_interop",
		"subject_type": "user", "subject_id": "alice", "install_id": "inst-interop-1"}')$s$),
	('key set (keyset)', 'keyset', $s$SELECT bigpicture.keyset()$s$),
	('release metadata (submit_release, releases.release_token)', 'release',
	 $s$SELECT release_token FROM bigpicture.releases WHERE release_id = 'rel_interop_1' AND status = 'published'$s$),
	('key certificate (issue_key_certificate)', 'key_certificate',
	 format($s$SELECT bigpicture.issue_key_certificate('tenant_interop', %L, '{decision,lease}', now() + interval '30 days')$s$,
			:'mirror_key')),
	('audit checkpoint (audit_checkpoint vendor)', 'checkpoint', $s$SELECT bigpicture.audit_checkpoint('vendor')$s$),
	('snapshot of a 2,000-release catalog (generate_snapshot)', 'snapshot',
	 $s$SELECT bigpicture.generate_snapshot('tenant_interop', force => true)$s$),
	('lease revocation list (lease_revocations)', 'lease_revocations', NULLIF(:'revocations_stmt', ''));
DO $$
DECLARE
	k record;
BEGIN
	FOR k IN SELECT ord, stmt FROM interop_kinds WHERE stmt IS NOT NULL ORDER BY ord LOOP
		UPDATE interop_kinds x SET token = t.token, error = t.error
		FROM pg_temp.try_token(k.stmt) t WHERE x.ord = k.ord;
	END LOOP;
END
$$;

SELECT json_build_object(
	'tokens', (
		SELECT json_agg(json_build_object(
			'name', c.name,
			'payload', bigpicture._token_payload(c.typ, c.claims, c.exp),
			'token', bigpicture._sign(c.typ, c.tenant_id, c.claims, c.exp),
			'kid', (SELECT k.kid FROM bigpicture.signing_keys k
					WHERE k.purpose = bigpicture.key_purpose_of(c.typ) AND k.tenant_id IS NOT DISTINCT FROM c.key_tenant
					  AND k.state = 'active')) ORDER BY c.ord)
		FROM interop_cases c),
	-- keyset() and keyset_payload() see the same now() in one statement.
	'keyset', json_build_object(
		'token', bigpicture.keyset(),
		'payload', bigpicture.keyset_payload(),
		'kid', (SELECT kid FROM bigpicture.signing_keys WHERE purpose = 'root' AND tenant_id IS NULL
											 AND state = 'active')),
	-- One token of every kind; stmt NULL: this build has no way to make it.
	'kinds', (
		SELECT json_agg(json_build_object(
			'kind', c.kind, 'typ', c.typ, 'made', c.stmt IS NOT NULL, 'token', c.token, 'error', c.error,
			'purpose', bigpicture.key_purpose_of(c.typ),
			'payload', v.payload, 'payload_error', v.error) ORDER BY c.ord)
		FROM interop_kinds c LEFT JOIN LATERAL pg_temp.try_payload(c.token) v ON c.token IS NOT NULL),
	'keys', (SELECT json_agg(json_build_object('kid', p.kid, 'public_key', p.public_key, 'purpose', p.purpose,
											   'tenant_id', p.tenant_id, 'raw_hex', encode(k.public_key, 'hex'))
							 ORDER BY p.kid)
			 FROM bigpicture.public_keys p JOIN bigpicture.signing_keys k USING (kid)));
