-- Signed data stays verifiable: the background worker's jobs (run_job,
-- run_due_jobs, set_worker_job), refresh_signatures for each kind it
-- re-signs, the guards that let a stored token change only to one of the
-- same claims and only by the owner, lease revocation lists, and the
-- snapshot's content member.  The worker itself (a process) is exercised by
-- test/rotation/run; here every job is run by hand.
BEGIN;
SELECT plan(49);
SET search_path = bigpicture, public;
SET LOCAL client_min_messages = warning;

SELECT lives_ok($$SELECT activate_key(generate_key(p)) FROM unnest('{root,decision,lease,snapshot,audit}'::text[]) p$$,
	'a key of every purpose');
SELECT lives_ok($$SELECT create_tenant('Acme', 'tenant_rs'), create_tenant('Other', 'tenant_rs_other'),
	create_product('Editor', 'prod_rs', requires_entitlement => false), create_channel('prod_rs', 'stable'),
	register_mirror('Acme office', 'tenant_rs', 'mirror_rs')$$, 'fixtures');
SELECT lives_ok($$SELECT submit_release(attach_artifact(create_release('prod_rs', '1.0.0', 'stable', release_id => 'rel_rs_1'),
	create_artifact('prod_rs', 'https://dl.example.com/rs-1.deb', repeat('ab', 32), 10, 'linux', 'x86_64', 'deb'))::text
	|| 'rel_rs_1')$$, 'a published release');

-- ---- jobs -------------------------------------------------------------------------------------
SELECT is((SELECT array_agg(job ORDER BY job) FROM worker_jobs), '{advance_rollouts,entitlement_notices,fold_seat_refusals,prune_webhook_deliveries,refresh_signatures,renew_due_entitlements,retire_expired_keys,sequence_events}',
	'the worker''s jobs');
SELECT is((run_job('retire_expired_keys')) - 'report', '{"job": "retire_expired_keys", "ok": true, "result": 0}',
	'run_job runs a job and says how it went');
SELECT is((SELECT (runs, failures, last_result, last_error IS NULL, next_run_at = now() + every)::text FROM worker_jobs
	WHERE job = 'retire_expired_keys'), '(1,0,0,t,t)', 'and records it: runs, result, next run one interval later');
SELECT is(run_job('retire_expired_keys') ->> 'report', NULL, 'a run that did nothing has nothing to report (the worker logs nothing)');
SELECT is(error_of($$SELECT run_job('vacuum_everything')$$),
	'worker job "vacuum_everything" does not exist |  | The jobs are listed in bigpicture.worker_jobs.', 'an unknown job: PT404');
SELECT is(sqlstate_of($$SELECT run_job('vacuum_everything')$$), 'PT404', 'with its SQLSTATE');
-- A job whose function fails: recorded, rolled back, retried within a minute.
INSERT INTO worker_jobs (job, description, every) VALUES ('no_such_job', 'fails', interval '1 hour');
SELECT is(run_job('no_such_job') ->> 'ok', 'false', 'a failing job is caught');
SELECT is((SELECT (failures, runs, last_error LIKE '42883: function bigpicture.no_such_job() does not exist%',
	next_run_at = now() + interval '1 minute')::text FROM worker_jobs WHERE job = 'no_such_job'), '(1,1,t,t)',
	'its error is recorded and it is retried after a minute');
SELECT is(sqlstate_of($$SELECT set_worker_job('no_such_job', every => '0')$$), '22023', 'an interval under a second is refused');
SELECT is(sqlstate_of($$SELECT set_worker_job('vacuum_everything', false)$$), 'PT404', 'set_worker_job: an unknown job');
SELECT is((set_worker_job('no_such_job', enabled => false)).enabled, false, 'a job can be disabled');
UPDATE worker_jobs SET next_run_at = now() - interval '1 second';
SELECT is((SELECT array_agg(r ->> 'job' ORDER BY r ->> 'job') FROM run_due_jobs() r),
	'{advance_rollouts,entitlement_notices,fold_seat_refusals,prune_webhook_deliveries,refresh_signatures,renew_due_entitlements,retire_expired_keys,sequence_events}', 'run_due_jobs runs the due and enabled jobs only');
DELETE FROM worker_jobs WHERE job = 'no_such_job';
SELECT lives_ok($$SELECT activate_key(generate_key('lease'))$$, 'a key is activated');
SELECT is((SELECT next_run_at <= now() FROM worker_jobs WHERE job = 'refresh_signatures'), true,
	'which makes refresh_signatures due at once');

-- ---- release metadata -------------------------------------------------------------------------------
CREATE TEMP TABLE before AS SELECT release_token AS token FROM releases WHERE release_id = 'rel_rs_1';
GRANT SELECT ON before TO bigpicture_owner;
SELECT is((refresh_signatures() ->> 'releases')::int, 0, 'nothing to re-sign while the signer is active and fresh');
SELECT lives_ok($$SELECT activate_key(generate_key('decision'))$$, 'the decision key is rotated');
SELECT is((refresh_signatures() ->> 'releases')::int, 1, 'the release is re-signed');
SELECT is((SELECT paseto_footer(release_token) ->> 'kid' FROM releases WHERE release_id = 'rel_rs_1'),
	(SELECT kid FROM signing_keys WHERE purpose = 'decision' AND state = 'active'), 'by the new key');
SELECT is((SELECT verify_token(release_token) - '{iat,exp}'::text[] FROM releases WHERE release_id = 'rel_rs_1'),
	(SELECT verify_token(token) - '{iat,exp}'::text[] FROM before), 'with the same claims');
SELECT is((refresh_signatures() ->> 'releases')::int, 0, 'a second run re-signs nothing');
SET LOCAL bigpicture.release_ttl = '400d';
SELECT is((refresh_signatures() ->> 'releases')::int, 1, 'a copy with less than half of release_ttl left is re-signed');
RESET bigpicture.release_ttl;
-- The guard: only the owner, only the same claims.
SELECT is(error_of($$UPDATE releases SET release_token = (SELECT token FROM before) WHERE release_id = 'rel_rs_1'$$),
	'release rel_rs_1 is published and cannot change |  | Signed release metadata is re-signed by the extension itself (bigpicture.refresh_signatures).',
	'nobody but the owner replaces a release token (a superuser neither)');
SET LOCAL ROLE bigpicture_owner;
SELECT is(sqlstate_of($$UPDATE bigpicture.releases SET release_token = bigpicture._sign('release', NULL,
	'{"release_id": "rel_rs_1", "version": "9.9.9"}', now() + interval '1 day') WHERE release_id = 'rel_rs_1'$$), 'PT409',
	'the owner neither, with other claims');
SELECT lives_ok($$UPDATE bigpicture.releases SET release_token = (SELECT token FROM before) WHERE release_id = 'rel_rs_1'$$,
	'the owner may, with the same claims');
SELECT is(sqlstate_of($$UPDATE bigpicture.releases SET release_token = (SELECT token FROM before), critical = true
	WHERE release_id = 'rel_rs_1'$$), 'PT409', 'but not change anything else with it');
RESET ROLE;

-- ---- checkpoints -----------------------------------------------------------------------------------
CREATE TEMP TABLE cp_before AS SELECT audit_checkpoint('vendor') AS token;
SELECT lives_ok($$SELECT activate_key(generate_key('audit'))$$, 'the audit key is rotated');
SELECT is((refresh_signatures() ->> 'checkpoints')::int, 1, 'the latest checkpoint of the chain is re-signed');
SELECT is((SELECT verify_token(c.token) - '{iat,exp}'::text[] FROM audit_checkpoints c WHERE chain_id = 'vendor'
	ORDER BY seq DESC LIMIT 1), (SELECT verify_token(token) - '{iat,exp}'::text[] FROM cp_before), 'with the same claims');
SELECT is((SELECT ok FROM verify_audit_chain('vendor')), true, 'and the chain verifies');
SET LOCAL ROLE bigpicture_owner;
SELECT is(sqlstate_of($$UPDATE bigpicture.audit_checkpoints SET hash = '\x00' WHERE chain_id = 'vendor'$$), 'PT409',
	'a checkpoint''s facts never change');
RESET ROLE;

-- ---- key certificates ----------------------------------------------------------------------------------
CREATE TEMP TABLE cert_before AS
SELECT issue_key_certificate('tenant_rs', paserk_public(decode(repeat('21', 32), 'hex')), '{decision}',
	now() + interval '30 days', 'mirror_rs') AS token;
SELECT lives_ok($$SELECT issue_key_certificate('tenant_rs', paserk_public(decode(repeat('22', 32), 'hex')), '{lease}',
	now() + interval '30 days')$$, 'a second certificate');
SELECT lives_ok($$SELECT revoke_key_certificate(paserk_pid(decode(repeat('22', 32), 'hex')), 'decommissioned')$$,
	'which is revoked');
SELECT lives_ok($$SELECT activate_key(generate_key('root'))$$, 'the root key is rotated');
SELECT is((refresh_signatures() ->> 'key_certificates')::int, 1, 'the unrevoked certificate is re-signed, not the revoked one');
SELECT is((SELECT verify_token(token) - '{iat}'::text[] FROM key_certificates WHERE kid = paserk_pid(decode(repeat('21', 32), 'hex'))),
	(SELECT verify_token(token) - '{iat}'::text[] FROM cert_before), 'with the same claims, end and start');

-- ---- snapshots -------------------------------------------------------------------------------------------
SELECT is((SELECT reason FROM snapshots WHERE tenant_id = 'tenant_rs' ORDER BY seq DESC LIMIT 1), 're-signed',
	'the latest snapshot was re-signed as the next one when what it carries changed');
SELECT is((refresh_signatures() ->> 'snapshots')::int, 0, 'and not again while nothing changes');
SELECT is((SELECT (verify_token(token) ->> 'content')::jsonb -> 'key_certificates' ->> 0 FROM snapshots
	WHERE tenant_id = 'tenant_rs' ORDER BY seq DESC LIMIT 1),
	(SELECT token FROM key_certificates WHERE kid = paserk_pid(decode(repeat('21', 32), 'hex'))),
	'it carries the tenant''s certificates as re-signed');
-- A snapshot whose content does not match its hash, signed by this server's keys.
SELECT lives_ok($$SELECT pin_root_key(public_key) FROM public_keys WHERE purpose = 'root' AND state = 'active'$$,
	'pin this server''s root, to import its own snapshots');
SELECT is(error_of(format('SELECT import_snapshot(%L)', _sign('snapshot', NULL, jsonb_build_object(
	'tenant_id', 'tenant_rs_other', 'seq', 1, 'content_hash', repeat('0', 64), 'content', '{"tenant": {}}',
	'keysets', (SELECT jsonb_agg(token) FROM _keyset_tokens(_keyset_claims('tenant_rs_other', false), now() + interval '1 day'))),
	now() + interval '1 day'))), 'snapshot content does not match its content_hash |  | ', 'content that does not match its hash is refused');
SELECT is(error_of(format('SELECT import_snapshot(%L)', _sign('snapshot', NULL, jsonb_build_object(
	'tenant_id', 'tenant_rs_other', 'seq', 1, 'content_hash', repeat('0', 64), 'tenant', '{}',
	'keysets', (SELECT jsonb_agg(token) FROM _keyset_tokens(_keyset_claims('tenant_rs_other', false), now() + interval '1 day'))),
	now() + interval '1 day'))),
	'token is not a snapshot | A snapshot names tenant_id and seq, and carries its content as JSON text. | ',
	'a snapshot without its content member is refused');

-- ---- lease revocation lists -------------------------------------------------------------------------------
SELECT lives_ok($$SELECT create_entitlement('tenant_rs', 'prod_rs', 'concurrent', 5, entitlement_id => 'ent_rs')$$, 'an entitlement');
CREATE TEMP TABLE l AS SELECT (issue_lease(jsonb_build_object('tenant_id', 'tenant_rs', 'product_id', 'prod_rs',
	'subject_type', 'user', 'subject_id', 'u' || g)) ->> 'lease_id') AS id, g FROM generate_series(1, 3) g;
SELECT is((SELECT verify_token(lease_revocations('tenant_rs')) - '{iat,exp,iss}'::text[]),
	'{"typ": "lease_revocations", "tenant_id": "tenant_rs", "version": 0, "leases": []}', 'no revocation: an empty list, version 0');
SELECT lives_ok($$SELECT revoke_lease(id, 'stolen laptop', 'tenant_rs') FROM l WHERE g = 2$$, 'a lease is revoked');
SELECT is((SELECT (p -> 'leases', (p ->> 'version')::bigint = (extract(epoch FROM now()) * 1000000)::bigint,
	(p ->> 'exp')::timestamptz - (p ->> 'iat')::timestamptz)::text
	FROM verify_token(lease_revocations('tenant_rs')) p),
	(SELECT (jsonb_build_array(id), true, interval '1 day')::text FROM l WHERE g = 2),
	'the list names it, its version is the time of the revocation, it lives bigpicture.revocations_ttl');
SELECT is((SELECT p -> 'leases' FROM verify_token(lease_revocations('tenant_rs_other')) p), '[]',
	'another tenant''s list does not');
SELECT * FROM finish();
ROLLBACK;
