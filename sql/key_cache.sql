-- Verification keys kept per backend (key_cache.c): a cached key never
-- outlives what the key table says, across transactions in one session.
SET search_path = bigpicture, public;
SET client_min_messages = warning;
\set VERBOSITY terse
SELECT kid AS old_kid FROM public_keys WHERE purpose = 'decision' AND state = 'active' AND tenant_id IS NULL \gset
CREATE TEMP TABLE tokens AS SELECT 1 AS n, _sign('decision', NULL, '{"n":1}', now() + interval '1 hour') AS token;
-- verified once: its key is now cached in this backend
SELECT verify_token(token) ->> 'n' AS n FROM tokens WHERE n = 1;
-- rotation with a one-second grace: the old key is retiring, its tokens still verify
SET bigpicture.key_grace_period = '1s';
SELECT count(*) AS rotated FROM (SELECT activate_key(generate_key('decision'))) x;
SELECT state FROM public_keys WHERE kid = :'old_kid';
SELECT verify_token(token) ->> 'n' AS n FROM tokens WHERE n = 1;
-- the grace ends with no change to the table: the cached key must not outlive it
SELECT pg_sleep(1.5);
SELECT state FROM public_keys WHERE kid = :'old_kid';
SELECT verify_token(token) ->> 'n' AS n FROM tokens WHERE n = 1;
-- a key cached while active, then revoked: refused from the next statement on
INSERT INTO tokens SELECT 2, _sign('decision', NULL, '{"n":2}', now() + interval '1 hour');
SELECT verify_token(token) ->> 'n' AS n FROM tokens WHERE n = 2;
SELECT count(*) AS revoked FROM (SELECT revoke_key(kid, 'key_cache test') FROM public_keys
 WHERE purpose = 'decision' AND state = 'active' AND tenant_id IS NULL) x;
SELECT verify_token(token) ->> 'n' AS n FROM tokens WHERE n = 2;
-- and a revocation that rolls back leaves the key verifying
SELECT count(*) AS replaced FROM (SELECT activate_key(generate_key('decision'))) x;
INSERT INTO tokens SELECT 3, _sign('decision', NULL, '{"n":3}', now() + interval '1 hour');
SELECT verify_token(token) ->> 'n' AS n FROM tokens WHERE n = 3;
BEGIN;
SELECT count(*) AS revoked FROM (SELECT revoke_key(kid, 'key_cache test') FROM public_keys
 WHERE purpose = 'decision' AND state = 'active' AND tenant_id IS NULL) x;
SELECT verify_token(token) ->> 'n' AS n FROM tokens WHERE n = 3;
ROLLBACK;
SELECT verify_token(token) ->> 'n' AS n FROM tokens WHERE n = 3;
