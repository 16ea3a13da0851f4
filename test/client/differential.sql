-- The differential test, database side: sign every kind of token with keys
-- in every state, and record what the SQL verifier (bigpicture._verify)
-- says about each at many clock times.  test/client/differential.c then asks
-- the client library the same questions and compares.  Everything happens
-- in one transaction that is rolled back, so the database is left as it was.
--
-- Output (psql -At, tab-separated):
--   root    <PASERK of the root the client pins>
--   keyset  <key set token>  <Unix time it was signed: the client loads it then>
--   case    <name>  <expected typ>  <Unix time to verify at>  <token>  <SQL's class>
-- Classes: ok, expired, not_yet_valid, key (unknown, revoked, retired or
-- outside its window), type, tenant, signature, malformed.
\set ON_ERROR_STOP on
\pset fieldsep '\t'
BEGIN;
SET LOCAL search_path = bigpicture, public;
SET LOCAL bigpicture.key_grace_period = '7200';   -- a replaced key verifies for 2 hours
SET LOCAL bigpicture.keyset_ttl = '34473600';     -- 399 days: the key set outlives every time asked about
SET LOCAL client_min_messages = warning;

CREATE TEMP TABLE diff_tokens (ord serial, name text, typ text, token text) ON COMMIT DROP;

-- What each kind is signed with: claims, exp and (for the "nbf" variant) nbf.
CREATE FUNCTION pg_temp.claims_of(typ text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT CASE typ
		WHEN 'keyset' THEN '{"version": 1, "keys": []}'
		WHEN 'key_certificate' THEN '{"kid": "k4.pid.x", "tenant_id": "tenant_diff", "purposes": ["decision"]}'
		WHEN 'decision' THEN '{"kind": "tenant_targets", "tenant_id": "tenant_diff", "products": []}'
		WHEN 'release' THEN '{"release_id": "rel_diff", "version": "1.0.0"}'
		WHEN 'lease' THEN '{"tenant_id": "tenant_diff", "lease_id": "lease_diff", "seq": 1}'
		WHEN 'lease_revocations' THEN '{"tenant_id": "tenant_diff", "version": 1, "leases": ["lease_diff"]}'
		WHEN 'snapshot' THEN '{"tenant_id": "tenant_diff", "seq": 1}'
		WHEN 'checkpoint' THEN '{"chain_id": "vendor", "seq": 1, "hash": "00"}' END::jsonb
$$;
CREATE FUNCTION pg_temp.exp_of(typ text) RETURNS timestamptz LANGUAGE sql AS $$
	SELECT CASE WHEN bigpicture.key_purpose_of(typ) IS NOT NULL THEN now() + interval '1 hour' END
$$;
CREATE FUNCTION pg_temp.sign_all(variant text, nbf timestamptz DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
	INSERT INTO diff_tokens (name, typ, token)
	SELECT typ || ' by ' || variant, typ, bigpicture._sign(typ, NULL, pg_temp.claims_of(typ), pg_temp.exp_of(typ), nbf)
	FROM unnest(ARRAY['keyset', 'key_certificate', 'decision', 'release', 'lease', 'lease_revocations', 'snapshot',
		'checkpoint']) typ
$$;
CREATE FUNCTION pg_temp.rotate() RETURNS text[] LANGUAGE sql AS $$
	SELECT array_agg(bigpicture.generate_key(p) ORDER BY p) FROM unnest(ARRAY['audit', 'decision', 'lease', 'root', 'snapshot']) p
$$;
CREATE TEMP TABLE diff_keys (variant text, kid text) ON COMMIT DROP;
CREATE FUNCTION pg_temp.activate(variant text) RETURNS void LANGUAGE sql AS $$
	INSERT INTO diff_keys SELECT variant, k FROM unnest(pg_temp.rotate()) k;
	SELECT bigpicture.activate_key(kid) FROM diff_keys WHERE diff_keys.variant = activate.variant;
$$;

\o /dev/null
SELECT bigpicture.create_tenant('Differential', 'tenant_diff');
-- Four generations of keys of every purpose: after the last, the first is
-- retiring (in its grace), the second retired, the third revoked, the fourth active.
SELECT pg_temp.activate('retiring key'), pg_temp.sign_all('retiring key');
SELECT pg_temp.activate('retired key'), pg_temp.sign_all('retired key');
SELECT pg_temp.activate('revoked key'), pg_temp.sign_all('revoked key');
SELECT pg_temp.activate('active key'), pg_temp.sign_all('active key'),
	   pg_temp.sign_all('active key, nbf in 30 minutes', now() + interval '30 minutes');
SELECT bigpicture.retire_key(kid) FROM diff_keys WHERE variant = 'retired key';
SELECT bigpicture.revoke_key(kid, 'differential test') FROM diff_keys WHERE variant = 'revoked key';
-- A tenant's own lease key: its tokens are for that tenant only.
SELECT bigpicture.activate_key(bigpicture.generate_key('lease', 'tenant_diff'));
INSERT INTO diff_tokens (name, typ, token) VALUES
	('lease by the tenant''s key, for the tenant', 'lease',
	 bigpicture._sign('lease', 'tenant_diff', '{"tenant_id": "tenant_diff"}', now() + interval '1 hour', now())),
	('lease by the tenant''s key, for another tenant', 'lease',
	 bigpicture._sign('lease', 'tenant_diff', '{"tenant_id": "tenant_other"}', now() + interval '1 hour', now()));
-- Every key was made a day ago, so that a token's iat, not the key's window,
-- is what a time before the token meets first.
UPDATE bigpicture.signing_keys SET activated_at = activated_at - interval '1 day'
 WHERE kid IN (SELECT kid FROM diff_keys) OR tenant_id = 'tenant_diff';
-- Tampered: one signature byte changed.
INSERT INTO diff_tokens (name, typ, token)
SELECT replace(name, 'active key', 'active key, signature altered'), typ,
	   overlay(token PLACING CASE WHEN substr(token, 60, 1) = 'A' THEN 'B' ELSE 'A' END FROM 60 FOR 1)
FROM diff_tokens WHERE name LIKE '% by active key';

-- SQL's answer, as a class.
CREATE FUNCTION pg_temp.sql_class(token text, typ text, at timestamptz) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bigpicture._verify(token, typ, at);
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN CASE
		WHEN SQLERRM = 'token has expired' THEN 'expired'
		WHEN SQLERRM = 'token is not valid yet' THEN 'not_yet_valid'
		WHEN SQLERRM LIKE 'token is signed by %' THEN 'key'
		WHEN SQLERRM LIKE 'token type does not match%' OR SQLERRM LIKE 'token is not of type%' THEN 'type'
		WHEN SQLERRM LIKE 'token is for another tenant%' THEN 'tenant'
		WHEN SQLERRM = 'token does not verify' THEN 'signature'
		ELSE 'malformed' END;
END
$$;

\o
SELECT 'root', public_key FROM bigpicture.public_keys WHERE purpose = 'root' AND state = 'active';
SELECT 'keyset', bigpicture.keyset(), extract(epoch FROM date_trunc('second', now()))::bigint;
-- The times: long before every key; an iat in the future beyond and within
-- the allowed clock skew; now; before and after nbf; at exp; after the
-- retiring keys' grace; a month on.
SELECT 'case', format('%s at %s', t.name, w.label), x.typ,
	   extract(epoch FROM date_trunc('second', now()) + w.offs)::bigint, t.token,
	   pg_temp.sql_class(t.token, x.typ, date_trunc('second', now()) + w.offs)
FROM diff_tokens t CROSS JOIN (VALUES
	(1, '2 days before', interval '-2 days', false),
	(2, '1 hour before', interval '-1 hour', false),
	(3, '200 s before', interval '-200 seconds', false),
	(4, 'signing time', interval '0', false),
	(5, 'signing time, asked for another typ', interval '0', true),
	(6, '20 minutes on', interval '20 minutes', false),
	(7, '45 minutes on', interval '45 minutes', false),
	(8, '1 hour on (exp)', interval '1 hour', false),
	(9, '3 hours on (grace over)', interval '3 hours', false),
	(10, '30 days on', interval '30 days', false)) AS w(ord, label, offs, other_typ)
	CROSS JOIN LATERAL (SELECT CASE WHEN NOT w.other_typ THEN t.typ
		WHEN t.typ = 'decision' THEN 'lease' ELSE 'decision' END AS typ) x
ORDER BY t.ord, w.ord;
ROLLBACK;
