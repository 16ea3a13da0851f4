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

-- name, purpose, tenant_id passed to _sign_token, the tenant whose key must sign
-- (NULL: the vendor-wide key), payload.
CREATE TEMP TABLE interop_cases (
	ord        serial,
	name       text,
	purpose    text,
	tenant_id  text,
	key_tenant text,
	payload    jsonb
);
INSERT INTO interop_cases (name, purpose, tenant_id, key_tenant, payload) VALUES
	('decision payload with RFC 3339 times', 'decision', NULL, NULL,
	 '{"typ": "decision", "sub": "alice", "iss": "bigpicture-interop",
	   "iat": "2026-11-26T17:00:00Z", "nbf": "2026-11-26T17:00:00Z", "exp": "2026-11-26T18:00:00Z"}'),
	('current times from bigpicture.rfc3339', 'decision', NULL, NULL,
	 jsonb_build_object('typ', 'decision', 'iat', bigpicture.rfc3339(now()),
						'exp', bigpicture.rfc3339(now() + interval '1 hour'))),
	('unicode and escapes', 'decision', NULL, NULL,
	 '{"typ": "decision", "iat": "2026-11-26T17:00:00Z",
	   "name": "Zoë Ünïcødé — 日本語 🎉 \u00e9 e\u0301", "rtl": "שלום مرحبا",
	   "ключ": "значение", "𝄞": "astral key",
	   "esc": "quote \" backslash \\ slash / nl \n cr \r tab \t ctrl \u0001 \u001f del \u007f ls \u2028"}'),
	('nested objects, arrays, numbers, literals', 'decision', NULL, NULL,
	 '{"typ": "release", "iat": "2026-11-26T17:00:00Z",
	   "a": {"b": {"c": {"d": [1, [2, [3, {"e": null}]]]}}},
	   "nums": [0, -0, 42, -7, 9007199254740991, 0.5, 1.0, 1e2, -2.5e-3, 3.141592653589793],
	   "lits": [true, false, null, "", [], {}], "zz": 1, "a1": 2, "b": 3}'),
	('empty payload object', 'decision', NULL, NULL, '{}'),
	('large payload (~100 KB)', 'decision', NULL, NULL,
	 (SELECT jsonb_build_object('typ', 'snapshot', 'iat', '2026-11-26T17:00:00Z',
								'items', jsonb_agg(jsonb_build_object('i', g, 'name', 'item ' || g || ' ✓',
																	  'tags', jsonb_build_array('a', 'ß', g % 7))
												   ORDER BY g))
	  FROM generate_series(1, 2000) g)),
	('tenant with its own key', 'decision', 'tenant_interop', 'tenant_interop',
	 '{"typ": "decision", "tenant_id": "tenant_interop", "iat": "2026-11-26T17:00:00Z"}'),
	('tenant without a key (vendor key signs)', 'decision', 'tenant_interop_nokey', NULL,
	 '{"typ": "decision", "tenant_id": "tenant_interop_nokey", "iat": "2026-11-26T17:00:00Z"}');

SELECT json_build_object(
	'tokens', (
		SELECT json_agg(json_build_object(
			'name', c.name,
			'payload', c.payload,
			'token', bigpicture._sign_token(c.purpose, c.tenant_id, c.payload),
			'kid', (SELECT k.kid FROM bigpicture.signing_keys k
					WHERE k.purpose = c.purpose AND k.tenant_id IS NOT DISTINCT FROM c.key_tenant
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
