-- Interop, step 1: sign payloads with the extension and print them, with the keys,
-- as one JSON document for verify.mjs.  Run by test/interop/run as a superuser.
\set ON_ERROR_STOP on

-- Active keys: vendor-wide decision and root keys, and a decision key of one tenant.
-- Existing active keys are reused, so the test can run again on the same database.
DO $$
DECLARE
	p text;
	t text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM bigpicture.tenants WHERE tenant_id = 'tenant_interop') THEN
		PERFORM bigpicture.create_tenant('Interop', 'tenant_interop');
	END IF;
	FOR p, t IN SELECT * FROM (VALUES ('decision', NULL), ('root', NULL), ('decision', 'tenant_interop')) v LOOP
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
	   "lits": [true, false, null, "", [], {}], "zz": 1, "a1": 2, "b": 3}', NULL),
	('no claims, envelope only', 'decision', NULL, NULL, '{}', now() + interval '1 hour'),
	('large payload (~100 KB)', 'release', NULL, NULL,
	 (SELECT jsonb_build_object('items', jsonb_agg(jsonb_build_object('i', g, 'name', 'item ' || g || ' ✓',
																	  'tags', jsonb_build_array('a', 'ß', g % 7))
												   ORDER BY g))
	  FROM generate_series(1, 2000) g), NULL),
	('tenant with its own key', 'decision', 'tenant_interop', 'tenant_interop',
	 '{"tenant_id": "tenant_interop"}', now() + interval '1 hour'),
	('tenant without a key (vendor key signs)', 'decision', 'tenant_interop_nokey', NULL,
	 '{"tenant_id": "tenant_interop_nokey"}', now() + interval '1 hour');

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
	'keys', (SELECT json_agg(json_build_object('kid', p.kid, 'public_key', p.public_key,
											   'raw_hex', encode(k.public_key, 'hex')) ORDER BY p.kid)
			 FROM bigpicture.public_keys p JOIN bigpicture.signing_keys k USING (kid)));
