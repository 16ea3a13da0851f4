-- Signing keys: generation, rotation with grace, key set, verification,
-- tampering, and that no SQL path reveals a secret.
BEGIN;
SELECT plan(85);
SET search_path = bigpicture, public;

-- Replace the character at position pos of s with one that differs.
CREATE FUNCTION pg_temp.flip(s text, pos int) RETURNS text LANGUAGE sql AS $$
	SELECT overlay(s PLACING CASE WHEN substr(s, pos, 1) = 'A' THEN 'B' ELSE 'A' END FROM pos FOR 1)
$$;

CREATE FUNCTION pg_temp.b64url(t text) RETURNS text LANGUAGE sql AS $$
	SELECT rtrim(translate(replace(encode(convert_to(t, 'UTF8'), 'base64'), E'\n', ''), '+/', '-_'), '=')
$$;
-- A token with its footer replaced.
CREATE FUNCTION pg_temp.with_footer(token text, footer text) RETURNS text LANGUAGE sql AS $$
	SELECT array_to_string((string_to_array(token, '.'))[1:3], '.') || '.' || pg_temp.b64url(footer)
$$;

-- ---- generation -----------------------------------------------------------------
SELECT throws_ok($$SELECT keyset()$$, 'PT409', 'no active root signing key',
	'without an active root key there is no key set');

DO $$BEGIN PERFORM create_tenant('Acme', 'tenant_acme'), create_tenant('Other', 'tenant_other'); END$$;
SELECT throws_ok($$SELECT generate_key('lease', 'tenant_nobody')$$, 'PT404', 'tenant "tenant_nobody" does not exist',
	'a tenant key needs an existing tenant');
CREATE TEMP TABLE k AS SELECT generate_key('root') AS root1, generate_key('decision') AS dec1,
	generate_key('decision') AS dec2, generate_key('lease', 'tenant_acme') AS lease_acme;
SELECT matches((SELECT root1 FROM k), '^k4\.pid\.[A-Za-z0-9_-]{44}$', 'generate_key returns a PASERK k4.pid');
SELECT is((SELECT state FROM public_keys WHERE kid = (SELECT root1 FROM k)), 'pending', 'a new key is pending');
SELECT is((SELECT count(*)::int FROM public_keys p JOIN signing_keys s USING (kid)
		   WHERE p.kid IN (SELECT unnest(ARRAY[root1, dec1, dec2, lease_acme]) FROM k)
			 AND p.kid = paserk_pid(s.public_key)
			 AND p.public_key = paserk_public(s.public_key)
			 AND p.public_key ~ '^k4\.public\.[A-Za-z0-9_-]{43}$'),
	4, 'each kid is the PASERK pid of its public key, listed as k4.public');
SELECT is((SELECT tenant_id FROM public_keys WHERE kid = (SELECT lease_acme FROM k)), 'tenant_acme',
	'a key can belong to one tenant');
SELECT is((SELECT length(sealed_secret) FROM signing_keys WHERE kid = (SELECT root1 FROM k)), 105,
	'the secret is stored sealed: format byte, 24-byte nonce, 64-byte key, 16-byte tag');
SELECT isnt((SELECT substr(sealed_secret, 26, 64) FROM signing_keys WHERE kid = (SELECT dec1 FROM k)),
	(SELECT substr(sealed_secret, 26, 64) FROM signing_keys WHERE kid = (SELECT dec2 FROM k)),
	'sealed secrets differ');

SELECT throws_ok($$SELECT generate_key('signing')$$, '22023', 'invalid key purpose "signing"', 'unknown purpose refused');
SELECT throws_ok($$SELECT generate_key(NULL)$$, '22004', 'key purpose must not be null', 'NULL purpose refused');
SELECT throws_ok($$SELECT generate_key('root', '')$$, '22023', 'tenant id must not be empty', 'empty tenant refused');
SELECT is((SELECT count(*)::int FROM signing_keys), 4, 'failed calls wrote nothing');

-- ---- activation and the key set --------------------------------------------------
SELECT lives_ok(format('SELECT activate_key(%L)', (SELECT root1 FROM k)), 'activate the root key');
SELECT is((SELECT state FROM public_keys WHERE kid = (SELECT root1 FROM k)), 'active', 'the root key is active');
SELECT ok((SELECT valid_from = now() FROM public_keys WHERE kid = (SELECT root1 FROM k)), 'valid_from is the activation time');

CREATE TEMP TABLE ks AS SELECT keyset() AS token;
SELECT is((SELECT paseto_footer(token) FROM ks), jsonb_build_object('kid', (SELECT root1 FROM k)),
	'the key set footer names the root key');
SELECT is((SELECT verify_token(token) ->> 'typ' FROM ks), 'keyset', 'the key set verifies, typ keyset');
SELECT is((SELECT paseto_verify(token, (SELECT public_key FROM public_keys WHERE kid = (SELECT root1 FROM k))) FROM ks),
	(SELECT verify_token(token) FROM ks), 'paseto_verify with the PASERK key gives the same payload');
SELECT is((SELECT jsonb_array_length(verify_token(token) -> 'keys') FROM ks), 4, 'the key set lists all four keys');
SELECT is((SELECT verify_token(token) -> 'keys' -> 0 ?& ARRAY['kid', 'purpose', 'tenant_id', 'public_key', 'state', 'valid_from', 'valid_until'] FROM ks),
	true, 'each key set entry has kid, purpose, tenant, PASERK key, state and validity');
SELECT ok((SELECT (p ->> 'version')::bigint > 0 AND (p ->> 'exp')::timestamptz > (p ->> 'iat')::timestamptz
		   AND p ->> 'iat' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$' AND p ->> 'iss' = 'bigpicture'
		   FROM (SELECT verify_token(token) AS p FROM ks) s), 'the key set has a version, iss, and RFC 3339 iat < exp');

-- ---- rotation with grace ------------------------------------------------------------
SELECT lives_ok(format('SELECT activate_key(%L)', (SELECT dec1 FROM k)), 'activate decision key 1');
CREATE TEMP TABLE t1 AS SELECT _sign('decision', NULL, '{"n":1}', now() + interval '1 hour') AS token;
SELECT is((SELECT paseto_footer(token) ->> 'kid' FROM t1), (SELECT dec1 FROM k), 'decision key 1 signs');

SET LOCAL bigpicture.key_grace_period = '2h';
SELECT lives_ok(format('SELECT activate_key(%L)', (SELECT dec2 FROM k)), 'activate decision key 2');
SELECT is((SELECT state FROM public_keys WHERE kid = (SELECT dec1 FROM k)), 'retiring', 'the replaced key is retiring');
SELECT is((SELECT valid_until FROM public_keys WHERE kid = (SELECT dec1 FROM k)), now() + interval '2h',
	'its grace ends after bigpicture.key_grace_period');
SELECT is((SELECT count(*)::int FROM signing_keys WHERE purpose = 'decision' AND state = 'active'), 1,
	'exactly one active decision key');
CREATE TEMP TABLE t2 AS SELECT _sign('decision', NULL, '{"n":2}', now() + interval '1 hour') AS token;
SELECT is((SELECT paseto_footer(token) ->> 'kid' FROM t2), (SELECT dec2 FROM k), 'the new key signs; the retiring key never does');
SELECT is((SELECT verify_token(token) ->> 'n' FROM t1), '1', 'a token of the retiring key still verifies');
SELECT is((SELECT jsonb_agg(e ->> 'state' ORDER BY e ->> 'state') FROM jsonb_array_elements(verify_token(keyset()) -> 'keys') e
		   WHERE e ->> 'purpose' = 'decision'), '["active", "retiring"]'::jsonb, 'the key set lists both decision keys');
SELECT ok((SELECT (verify_token(keyset()) ->> 'version')::bigint > (SELECT verify_token(token) ->> 'version' FROM ks)::bigint),
	'the key set version grew');

-- Grace over: retired, no longer listed or trusted.
UPDATE signing_keys SET grace_ends_at = now() - interval '1 second' WHERE kid = (SELECT dec1 FROM k);
SELECT is((SELECT state FROM public_keys WHERE kid = (SELECT dec1 FROM k)), 'retired', 'after the grace period the key counts as retired');
SELECT throws_ok($$SELECT verify_token(token) FROM t1$$, '22023', 'token is signed by a retired key',
	'a retired key no longer verifies');
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(verify_token(keyset()) -> 'keys') e
		   WHERE e ->> 'kid' = (SELECT dec1 FROM k)), 0, 'a retired key leaves the key set');
SELECT is(retire_expired_keys(), 1, 'retire_expired_keys marks it retired');
SELECT is((SELECT state FROM signing_keys WHERE kid = (SELECT dec1 FROM k)), 'retired', 'stored state is retired');

-- Revocation.
SELECT lives_ok(format('SELECT revoke_key(%L, %L)', (SELECT dec2 FROM k), 'test: leaked'), 'revoke decision key 2');
SELECT throws_ok($$SELECT verify_token(token) FROM t2$$, '22023', 'token is signed by a revoked key',
	'a revoked key never verifies again');
SELECT is((SELECT e ->> 'state' FROM jsonb_array_elements(verify_token(keyset()) -> 'keys') e
		   WHERE e ->> 'kid' = (SELECT dec2 FROM k)), 'revoked', 'the key set lists the revoked key as revoked');
SELECT throws_ok($$SELECT _sign('decision', NULL, '{}', now() + interval '1 hour')$$, 'PT409', 'no active decision signing key',
	'with the only decision key revoked, nothing signs decisions');

-- Tenant keys: a tenant's own key signs for it; others get the vendor key.
SELECT lives_ok(format('SELECT activate_key(%L)', (SELECT lease_acme FROM k)), 'activate the tenant lease key');
SELECT is(paseto_footer(_sign('lease', 'tenant_acme', '{}', now() + interval '1 hour')) ->> 'kid', (SELECT lease_acme FROM k),
	'the tenant''s own key signs its tokens');
SELECT throws_ok($$SELECT _sign('lease', 'tenant_other', '{}', now() + interval '1 hour')$$, 'PT409',
	'no active lease signing key', 'another tenant does not get that tenant''s key');

-- ---- illegal transitions and direct writes --------------------------------------------
SELECT throws_ok(format('SELECT activate_key(%L)', (SELECT root1 FROM k)), 'PT409',
	format('signing key "%s" cannot be activated', (SELECT root1 FROM k)), 'an active key cannot be activated again');
SELECT throws_ok(format('SELECT retire_key(%L)', (SELECT dec2 FROM k)), 'PT409',
	format('signing key "%s" cannot be retired', (SELECT dec2 FROM k)), 'a revoked key cannot be retired');
SELECT throws_ok($$SELECT activate_key('k4.pid.nope')$$, 'PT404', 'signing key "k4.pid.nope" does not exist', 'unknown kid');
SELECT throws_ok(format('UPDATE signing_keys SET public_key = %L WHERE kid = %L', '\x' || repeat('00', 32), (SELECT root1 FROM k)),
	'PT409', format('the identity of signing key %s cannot change', (SELECT root1 FROM k)), 'a key''s public half never changes');
SELECT throws_ok(format('UPDATE signing_keys SET state = %L WHERE kid = %L', 'active', (SELECT dec2 FROM k)),
	'PT409', format('signing key %s cannot go from revoked to active', (SELECT dec2 FROM k)), 'revocation is final');
SELECT throws_ok(format('DELETE FROM signing_keys WHERE kid = %L', (SELECT root1 FROM k)), 'PT409',
	'signing keys cannot be deleted', 'keys are never deleted');
SELECT throws_ok($$TRUNCATE signing_keys$$, 'PT409', 'signing keys cannot be deleted', 'nor truncated');
CREATE TEMP TABLE root2 AS SELECT generate_key('root') AS kid;
SELECT throws_ok(format('UPDATE signing_keys SET state = %L, activated_at = now() WHERE kid = %L',
	'active', (SELECT kid FROM root2)), '23505', NULL, 'a second active key of a purpose violates the unique index');

-- ---- tampering --------------------------------------------------------------------------
CREATE TEMP TABLE good AS SELECT keyset() AS token,
	(SELECT public_key FROM public_keys WHERE kid = (SELECT root1 FROM k)) AS pk;
SELECT is(
	(SELECT array_agg(what) FROM (VALUES
		('payload', pg_temp.flip((SELECT token FROM good), 15)),
		('signature', pg_temp.flip((SELECT token FROM good), length(split_part((SELECT token FROM good), '.', 3)) + 5)),
		('footer', pg_temp.with_footer((SELECT token FROM good), '{"kid":"k4.pid.other"}')),
		('no footer', array_to_string((string_to_array((SELECT token FROM good), '.'))[1:3], '.')),
		('header', replace((SELECT token FROM good), 'v4.public.', 'v4.local.')),
		('truncated', left((SELECT token FROM good), 60)),
		('trailing', (SELECT token FROM good) || '.x')) AS t(what, bad)
	 WHERE sqlstate_of(format('SELECT paseto_verify(%L, %L)', bad, (SELECT pk FROM good))) IS DISTINCT FROM '22023'),
	NULL, 'tampered payload, signature, footer, header, length are all rejected with 22023');
-- A token re-labelled with another key's kid does not verify under that key.
SELECT throws_ok(format('SELECT verify_token(%L)',
	pg_temp.with_footer(t.token, jsonb_build_object('kid', (SELECT lease_acme FROM k))::text)),
	'22023', 'token does not verify', 'a token claiming another kid does not verify') FROM good t;
-- The envelope: typ decides the key's purpose, and the signer stamps it.
SELECT throws_ok(format('SELECT _sign_with_key(%L, %L, %L, now() + interval %L)', (SELECT root1 FROM k), 'lease', '{}', '1 hour'),
	'PT409', format('signing key "%s" cannot sign for purpose lease', (SELECT root1 FROM k)),
	'a root key cannot sign a lease');
SELECT throws_ok($$SELECT _sign('lease', 'tenant_acme', '{"typ": "keyset"}', now() + interval '1 hour')$$, '22023',
	'token claims must not set "typ"', 'claims cannot carry their own typ');
SELECT throws_ok($$SELECT _sign('decision', NULL, '{"exp": "2999-01-01T00:00:00Z"}', now())$$, '22023',
	'token claims must not set "exp"', 'nor their own exp');
SELECT throws_ok($$SELECT _sign('lease', 'tenant_acme', '{}', NULL)$$, '22023',
	'a lease token needs an expiry', 'a kind that must expire is never signed without exp');
SELECT throws_ok($$SELECT _sign('decision', NULL, '{}', now() + interval '8 days')$$, '22023',
	'a decision token lives at most 7 days', 'nor longer than its kind lives');
SELECT throws_ok($$SELECT _sign('nonsense', NULL, '{}', NULL)$$, '22023',
	'unknown token type "nonsense"', 'an unknown kind is refused');
SELECT is(_token_payload('lease', '{"n": 1}', now() + interval '1 hour', now()),
	jsonb_build_object('typ', 'lease', 'iss', 'bigpicture', 'iat', rfc3339(now()), 'nbf', rfc3339(now()),
		'exp', rfc3339(now() + interval '1 hour'), 'n', 1),
	'the envelope: typ, iss, iat, exp and nbf stamped before the claims');
SELECT is(verify_token(_sign('lease', 'tenant_acme', '{"tenant_id": "tenant_acme", "n": 1}', now() + interval '1 hour', now())),
	_token_payload('lease', '{"tenant_id": "tenant_acme", "n": 1}', now() + interval '1 hour', now()),
	'verify_token gives back exactly the payload that was signed');
SELECT throws_ok(format('SELECT _verify(%L, NULL, now() + interval %L)', _sign('lease', 'tenant_acme', '{}', now() + interval '1 hour'), '2 hours'),
	'22023', 'token has expired', 'expired tokens are refused');
-- (The tenant's key made a day ago, so that its window is not what refuses.)
UPDATE signing_keys SET activated_at = activated_at - interval '1 day' WHERE kid = (SELECT lease_acme FROM k);
SELECT throws_ok(format('SELECT _verify(%L, NULL, now())', _sign('lease', 'tenant_acme', '{}', now() + interval '2 hours', now() + interval '1 hour')),
	'22023', 'token is not valid yet', 'tokens before their nbf are refused');
SELECT throws_ok(format('SELECT _verify(%L, NULL, now() - interval %L)', _sign('lease', 'tenant_acme', '{}', now() + interval '1 hour'), '1 hour'),
	'22023', 'token is not valid yet', 'a token issued in the future (beyond the clock skew) is refused');
SELECT throws_ok(format('SELECT _verify(%L, %L, now())', _sign('lease', 'tenant_acme', '{}', now() + interval '1 hour'), 'decision'),
	'22023', 'token is not of type decision', 'a token of another kind than asked for is refused');
SELECT throws_ok(format('SELECT verify_token(%L)', _sign('lease', 'tenant_acme', '{"tenant_id": "tenant_other"}', now() + interval '1 hour')),
	'22023', 'token is for another tenant than its signing key''s', 'a tenant''s key vouches for its tenant only');
SELECT throws_ok($$SELECT paseto_verify('v4.public.xyz', 'k4.public.short')$$, '22P02', 'invalid public key',
	'a malformed PASERK key is refused');

-- ---- root rotation: the outgoing root counter-signs the key set ---------------------
CREATE TEMP TABLE rootb AS SELECT generate_key('root') AS kid;
SELECT lives_ok(format('SELECT activate_key(%L)', (SELECT kid FROM rootb)), 'activate a new root key');
SELECT is((SELECT paseto_footer(keyset()) ->> 'kid'), (SELECT kid FROM rootb), 'the new root signs keyset()');
SELECT is((SELECT array_agg(state ORDER BY state) FROM keyset_tokens()), ARRAY['active', 'retiring'],
	'keyset_tokens() gives one token per root key in service: active and retiring');
SELECT is(
	(SELECT count(DISTINCT paseto_verify(t.token, p.public_key))::int FROM keyset_tokens() t
	 JOIN public_keys p ON p.kid = t.kid AND p.kid = paseto_footer(t.token) ->> 'kid'),
	1, 'each verifies with its own root key, and both carry the same key set');
SELECT is((SELECT count(*)::int FROM keyset_tokens() t WHERE verify_token(t.token) ->> 'typ' = 'keyset'), 2,
	'a client pinned to either root verifies the key set');
SELECT is((SELECT jsonb_array_length(k -> 'keysets') FROM bigpicture_api.keyset() k), 2,
	'GET /rpc/keyset carries both copies in keysets during the rotation');
SELECT is((SELECT array_agg(paseto_footer(t ->> 0) ->> 'kid' = (SELECT kid FROM rootb)) FROM bigpicture_api.keyset() k,
	jsonb_array_elements(k -> 'keysets') t), ARRAY[true, false], '… the active root''s first, then the retiring one''s');
SELECT is((SELECT paseto_footer(k ->> 'keyset') ->> 'kid' FROM bigpicture_api.keyset() k), (SELECT kid FROM rootb),
	'… and keyset is the active root''s copy');
SELECT throws_ok(format('SELECT _sign_with_key(%L, %L, %L, now() + interval %L)', (SELECT dec2 FROM k), 'decision', '{}', '1 hour'), 'PT409',
	format('signing key "%s" cannot sign for purpose decision', (SELECT dec2 FROM k)), 'a revoked key signs nothing');

-- ---- no SQL path reveals a secret ---------------------------------------------------------
SELECT is(
	(SELECT array_agg(r) FROM unnest(ARRAY['bigpicture_admin', 'bigpicture_publisher', 'bigpicture_approver',
		'bigpicture_tenant_admin', 'bigpicture_client', 'bigpicture_mirror', 'bigpicture_auditor',
		'bigpicture_anon', 'bigpicture_gateway', 'public']) AS r
	 WHERE has_column_privilege(r, 'bigpicture.signing_keys', 'sealed_secret', 'SELECT')
		OR has_table_privilege(r, 'bigpicture.signing_keys', 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE')),
	NULL, 'no role can read or write the key table');
SET LOCAL ROLE bigpicture_admin;
SELECT throws_ok($$SELECT sealed_secret FROM bigpicture.signing_keys$$, '42501', NULL, 'even the admin role cannot read sealed secrets');
SELECT throws_ok($$SELECT bigpicture._sign('keyset', NULL, '{}', now())$$, '42501', NULL, 'nor call the internal signer');
RESET ROLE;
SELECT is(
	(SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text COLLATE "C") FROM pg_proc p
	 WHERE p.pronamespace = 'bigpicture'::regnamespace
	   AND EXISTS (SELECT 1 FROM unnest(coalesce(p.proargnames, '{}') || ARRAY[p.proname]) a WHERE a ~ 'secret|seal|private')),
	'{"_webhook_seal(text,text)",_webhook_secret_new(),"_webhook_unseal(text,bytea)","create_webhook(text,text[],text,integer,text,text)","rotate_webhook_secret(text,interval)","webhook_claim(text,integer,integer,interval,text[])"}',
	'no function takes or returns anything named secret, sealed or private but webhooks'' (shared HMAC secrets, shown to their owner once; never a signing key)');
SELECT is(
	(SELECT array_agg(c.relname || '.' || a.attname) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	 WHERE c.relnamespace = 'bigpicture'::regnamespace AND c.relkind IN ('v', 'm') AND a.attname ~ 'secret|seal'),
	NULL, 'no view exposes a sealed column');
-- Error texts never carry key material: collect every error above and compare.
SELECT is(
	(SELECT count(*)::int FROM (VALUES
		(error_of($$SELECT generate_key('nope')$$)),
		(error_of(format('SELECT activate_key(%L)', (SELECT root1 FROM k)))),
		(error_of(format('UPDATE signing_keys SET sealed_secret = %L WHERE kid = %L', '\x00', (SELECT root1 FROM k)))),
		(error_of($$SELECT _sign('decision', NULL, '{}', now())$$))) AS e(msg), signing_keys s
	 WHERE e.msg IS NULL OR position(encode(s.sealed_secret, 'hex') IN e.msg) > 0
		OR position(encode(s.sealed_secret, 'base64') IN e.msg) > 0
		OR position(encode(substr(s.sealed_secret, 26, 32), 'hex') IN e.msg) > 0),
	0, 'error messages contain no sealed key bytes');
SET LOCAL ROLE bigpicture_admin;
SELECT throws_ok($$SHOW bigpicture.master_key_command$$, '42501', NULL, 'the master key command is hidden from non-superusers');
RESET ROLE;

-- A sealed key that was tampered with (here by a superuser bypassing the
-- guard) no longer opens, even though this backend had it cached: the
-- change wiped the cache.
SELECT lives_ok($$SELECT keyset()$$, 'the root key is in this backend''s cache');
ALTER TABLE signing_keys DISABLE TRIGGER signing_keys_guard;
UPDATE signing_keys SET sealed_secret = set_byte(sealed_secret, 60, get_byte(sealed_secret, 60) # 1)
 WHERE kid = (SELECT kid FROM rootb);
ALTER TABLE signing_keys ENABLE TRIGGER signing_keys_guard;
SELECT throws_ok($$SELECT keyset()$$, 'XX001', format('signing key %s cannot be unsealed', (SELECT kid FROM rootb)),
	'a tampered sealed key is refused, not used');

SELECT * FROM finish();
ROLLBACK;
