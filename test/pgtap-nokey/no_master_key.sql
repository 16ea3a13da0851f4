-- Run by test/run-tests against a second server whose
-- bigpicture.master_key_command fails: the server starts, the types work,
-- and every key function fails with 55000 and says why.
BEGIN;
SELECT plan(6);
SET search_path = bigpicture, public;

SELECT ok('1.2.3'::semver < '1.10.0'::semver, 'the server started and the extension works');
SELECT throws_ok($$SELECT generate_key('root')$$, '55000', 'the bigpicture master key is not available',
	'generate_key fails with 55000');
SELECT throws_ok($$SELECT keyset()$$, '55000', 'the bigpicture master key is not available',
	'keyset fails with 55000');
SELECT throws_ok($$SELECT _sign('decision', NULL, '{}', now() + interval '1 hour')$$, '55000',
	'the bigpicture master key is not available', 'signing fails with 55000');

SELECT is(error_of($$SELECT generate_key('root')$$),
	'the bigpicture master key is not available | bigpicture.master_key_command failed when the server started. | Add bigpicture to shared_preload_libraries, set bigpicture.master_key_command to a command that prints the key, and restart the server.',
	'the detail says why and the hint names the setting');
SELECT is((SELECT count(*)::int FROM signing_keys), 0, 'nothing was written');

SELECT * FROM finish();
ROLLBACK;
