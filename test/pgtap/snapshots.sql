-- Snapshots, mirrors and key certificates on one instance (the two-instance
-- flow is test/mirror/run): generation rules, the publish trigger without a
-- snapshot key, mirror registration and status, certificate issuance and
-- revocation, and the precise error of each refusal.
BEGIN;
SELECT plan(36);
SET search_path = bigpicture, public;
SET LOCAL client_min_messages = warning;

SELECT lives_ok($$SELECT activate_key(generate_key(p)) FROM unnest('{root,decision}'::text[]) p$$, 'root and decision keys');
SELECT lives_ok($$SELECT create_tenant('Acme', 'tenant_snap'), create_tenant('Other', 'tenant_snap_other'),
	create_product('Editor', 'prod_snap', requires_entitlement => false), create_channel('prod_snap', 'stable')$$, 'fixtures');

-- ---- mirrors ---------------------------------------------------------------------------
SELECT is(register_mirror('Acme office', 'tenant_snap', 'mirror_snap'), 'mirror_snap', 'register a mirror');
SELECT is(error_of($$SELECT register_mirror('Again', 'tenant_snap_other', 'mirror_snap')$$),
	'mirror "mirror_snap" already exists |  | ', 'mirror ids are unique across tenants');
SELECT is(sqlstate_of($$SELECT register_mirror(E' \t\n', 'tenant_snap')$$), '22023', 'a blank name is refused');
SELECT is(sqlstate_of($$SELECT register_mirror('X', 'tenant_snap', 'not a mirror id')$$), '22023', 'a malformed id is refused');
SELECT is(sqlstate_of($$SELECT register_mirror('X', 'tenant_nope')$$), 'PT404', 'an unknown tenant is refused');
SELECT is((SELECT status FROM mirrors WHERE mirror_id = 'mirror_snap'), 'ACTIVE', 'a new mirror is ACTIVE');
SELECT is(sqlstate_of($$SELECT set_mirror_status('mirror_snap', 'BROKEN')$$), '22023', 'an unknown status is refused');
SELECT is(sqlstate_of($$SELECT set_mirror_status('mirror_nope', 'INACTIVE')$$), 'PT404', 'an unknown mirror is refused');
SELECT lives_ok($$SELECT set_mirror_status('mirror_snap', 'INACTIVE')$$, 'a mirror can be set INACTIVE');

-- ---- publishing without a snapshot key: the release goes out, no snapshot ------------------
SELECT lives_ok($$SELECT set_mirror_status('mirror_snap', 'ACTIVE')$$, 'active again');
SELECT lives_ok($$SELECT submit_release(attach_artifact(create_release('prod_snap', '1.0.0', 'stable', release_id => 'rel_snap_1'),
	create_artifact('prod_snap', 'https://dl.example.com/s-1.deb', repeat('ab', 32), 10, 'linux', 'x86_64', 'deb'))::text
	|| 'rel_snap_1')$$, 'publishing works without a snapshot key');
SELECT is((SELECT status FROM releases WHERE release_id = 'rel_snap_1'), 'published', 'the release is published');
SELECT is((SELECT count(*) FROM snapshots), 0::bigint, 'and no snapshot was made (a warning says why)');
SELECT is(sqlstate_of($$SELECT generate_snapshot('tenant_snap')$$), 'PT409', 'on demand: no active snapshot key');

-- ---- generation ---------------------------------------------------------------------------
SELECT lives_ok($$SELECT activate_key(generate_key('snapshot'))$$, 'a snapshot key');
SELECT is(verify_token(generate_snapshot('tenant_snap')) ->> 'seq', '1', 'the first snapshot has seq 1');
SELECT is(generate_snapshot('tenant_snap'), (latest_snapshot('tenant_snap')).token, 'unchanged content: the same snapshot');
SELECT is(verify_token(generate_snapshot('tenant_snap', force => true)) ->> 'seq', '2', 'forced: a new one');
SELECT is(sqlstate_of($$SELECT generate_snapshot('tenant_snap', ttl => '0')$$), '22023', 'a zero ttl is refused');
SELECT is(sqlstate_of($$SELECT generate_snapshot('tenant_snap', ttl => '2 years')$$), '22023', 'a ttl beyond 400 days is refused');
SELECT is(sqlstate_of($$SELECT generate_snapshot('tenant_nope')$$), 'PT404', 'an unknown tenant is refused');
SELECT is(sqlstate_of($$SELECT latest_snapshot('tenant_snap_other')$$), 'PT404', 'a tenant without snapshots: PT404');
SELECT lives_ok($$SELECT revoke_release('rel_snap_1', 'bad build')$$, 'revoke the release');
SELECT is((SELECT reason FROM list_snapshots('tenant_snap') LIMIT 1), 'release rel_snap_1 revoked',
	'revoking regenerated the snapshot of the tenant with a mirror');
SELECT is((SELECT ((verify_token(token) ->> 'content')::jsonb -> 'releases' -> 0 ->> 'status') FROM snapshots WHERE tenant_id = 'tenant_snap'
		   ORDER BY seq DESC LIMIT 1), 'revoked', 'and it carries the release as revoked');

-- ---- key certificates -----------------------------------------------------------------------
SELECT is(error_of($$SELECT issue_key_certificate('tenant_snap', 'k4.public.ERERERERERERERERERERERERERERERERERERERERERE',
	'{decision}', now() + interval '401 days')$$),
	'valid_until must be in the future, at most 400 days ahead | Got ' || (now() + interval '401 days')::text || '. | ',
	'at most 400 days');
SELECT is(sqlstate_of($$SELECT issue_key_certificate('tenant_snap', 'k4.public.ERERERERERERERERERERERERERERERERERERERERERE',
	'{decision}', now() + interval '1 day', 'mirror_nope')$$), 'PT404', 'an unknown mirror');
SELECT is(sqlstate_of($$SELECT issue_key_certificate('tenant_snap', 'k4.public.ERERERERERERERERERERERERERERERERERERERERERE',
	'{decision,NULL}', now() + interval '1 day')$$), '22023', 'a NULL purpose');
SELECT is(sqlstate_of(format('SELECT issue_key_certificate(%L, %L, %L, now() + interval %L)', 'tenant_snap',
	(SELECT public_key FROM public_keys WHERE purpose = 'decision'), '{decision}', '1 day')), '23505',
	'never for one of this server''s own keys');
SELECT lives_ok($$SELECT issue_key_certificate('tenant_snap', 'k4.public.ERERERERERERERERERERERERERERERERERERERERERE',
	'{decision}', now() + interval '1 day', 'mirror_snap')$$, 'a certificate');
SELECT is(sqlstate_of($$SELECT issue_key_certificate('tenant_snap', 'k4.public.ERERERERERERERERERERERERERERERERERERERERERE',
	'{decision}', now() + interval '1 day')$$), '23505', 'once per key');
SELECT is(sqlstate_of($$SELECT revoke_key_certificate(paserk_pid(decode(repeat('11', 32), 'hex')), E'\t')$$), '22023',
	'a revocation needs a reason');
SELECT lives_ok($$SELECT revoke_key_certificate(paserk_pid(decode(repeat('11', 32), 'hex')), 'mirror stolen')$$,
	'revoke it');
SELECT is((SELECT e ->> 'state' FROM jsonb_array_elements(verify_token(keyset()) -> 'keys') e
		   WHERE e ->> 'kid' = paserk_pid(decode(repeat('11', 32), 'hex'))), 'revoked',
	'the key set lists the certified key as revoked');

SELECT * FROM finish();
ROLLBACK;
