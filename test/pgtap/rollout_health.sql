-- Rollouts that watch themselves (docs/rollouts.md): outcome reports bound
-- to the decision they follow, health with Wilson intervals, guards that
-- halt a rollout in the report's own transaction, members that keep their
-- offer, resuming by an approver, velocity, plans stepped by the worker's
-- job, and who may see what.
BEGIN;
SELECT plan(94);
SET search_path = bigpicture, public;

SELECT activate_key(generate_key(p)) FROM unnest('{root,decision}'::text[]) p \g /dev/null
SELECT create_tenant('A', 'tenant_ha'), create_tenant('B', 'tenant_hb') \g /dev/null
SELECT create_product('Health', 'prod_h'), create_channel('prod_h', 'stable') \g /dev/null
SELECT create_entitlement(t, 'prod_h', 'concurrent', max_seats => 10) FROM unnest('{tenant_ha,tenant_hb}'::text[]) t \g /dev/null
CREATE FUNCTION pg_temp.publish(v text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	rid text := 'rel_h_' || replace(v, '.', '_');
BEGIN
	PERFORM create_release('prod_h', v, 'stable', release_id => rid);
	PERFORM attach_artifact(rid, create_artifact('prod_h', 'https://dl.example.com/h-' || v || '.msi',
		encode(sha256(convert_to(rid, 'UTF8')), 'hex'), 1000, 'windows', 'x86_64', 'msi'));
	PERFORM attach_artifact(rid, create_artifact('prod_h', 'https://dl.example.com/h-' || v || '.deb',
		encode(sha256(convert_to(rid || 'deb', 'UTF8')), 'hex'), 1000, 'linux', 'x86_64', 'deb'));
	PERFORM submit_release(rid);
	RETURN rid;
END
$$;
SELECT pg_temp.publish('2.0.0') \g /dev/null
-- The decision token for an install of a tenant (a nonce makes each one distinct).
CREATE FUNCTION pg_temp.decide(install text, tenant text DEFAULT 'tenant_ha', nonce text DEFAULT 'n',
	platform text DEFAULT 'windows') RETURNS text LANGUAGE sql AS $$
	SELECT check_update(jsonb_build_object('install_id', install, 'tenant_id', tenant, 'nonce', nonce,
		'platform', platform, 'arch', 'x86_64',
		'products', jsonb_build_array(jsonb_build_object('product_id', 'prod_h', 'current_version', '1.0.0'))))
		#>> '{decisions,0,token}'
$$;
-- What a decision offers an install: "NOTIFY 3.0.0", "NONE".
CREATE FUNCTION pg_temp.action(install text, tenant text DEFAULT 'tenant_ha') RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws(' ', p ->> 'action', p ->> 'version') FROM verify_token(pg_temp.decide(install, tenant)) p
$$;
CREATE FUNCTION pg_temp.rep(token text, outcome text, extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
	SELECT report(jsonb_build_object('decision', token, 'outcome', outcome, 'tenant_id', 'tenant_ha') || extra)
$$;

-- ---- reports -------------------------------------------------------------------------------
CREATE TEMP TABLE tok AS SELECT pg_temp.decide('pc-1') AS t;
CREATE TEMP TABLE first_report AS SELECT pg_temp.rep((SELECT t FROM tok), 'installed') AS r;
SELECT is((SELECT (r ->> 'release_id', r ->> 'outcome', r ->> 'duplicate') FROM first_report),
	('rel_h_2_0_0'::text, 'installed'::text, 'false'::text), 'a report names its release and outcome');
SELECT is(pg_temp.rep((SELECT t FROM tok), 'installed') ->> 'report_id', (SELECT r ->> 'report_id' FROM first_report),
	'the same report again is the same report (idempotent)');
SELECT is(pg_temp.rep((SELECT t FROM tok), 'installed') ->> 'duplicate', 'true', '… and says it is a duplicate');
SELECT is((SELECT count(*) FROM install_reports WHERE install_id = 'pc-1'), 1::bigint, 'one row for it');
SELECT is((SELECT (platform, decision_hash = sha256(convert_to((SELECT t FROM tok), 'UTF8'))) FROM install_reports
	WHERE install_id = 'pc-1'), ('windows'::text, true), 'the row keeps the platform and the decision''s SHA-256');
SELECT lives_ok($$SELECT pg_temp.rep((SELECT t FROM tok), 'failed', '{"error_code": "E1603"}')$$,
	'another outcome of the same decision, with an error code');
SELECT is((SELECT error_code FROM install_reports WHERE install_id = 'pc-1' AND outcome = 'failed'), 'E1603',
	'the error code is kept');

SELECT is(failure_of($$SELECT report(NULL)$$), '22023 invalid report: must be a JSON object', 'NULL is refused');
SELECT is(failure_of($$SELECT report('[]')$$), '22023 invalid report: must be a JSON object', 'an array is refused');
SELECT is(failure_of($$SELECT pg_temp.rep((SELECT t FROM tok), 'installed', '{"colour": 1}')$$),
	'22023 invalid report: "colour" is not a report field', 'an unknown field is refused');
SELECT is(failure_of($$SELECT pg_temp.rep((SELECT t FROM tok), 'exploded')$$),
	'22023 invalid report: "outcome" must be one of downloaded, install_started, installed, failed, rolled_back, crashed',
	'an unknown outcome is refused');
SELECT is(failure_of($$SELECT pg_temp.rep((SELECT t FROM tok), 'installed', '{"error_code": "E1"}')$$),
	'22023 invalid report: "error_code" goes with failed, rolled_back or crashed', 'an error code on success is refused');
SELECT is(failure_of($$SELECT pg_temp.rep((SELECT t FROM tok), 'failed', jsonb_build_object('error_code', repeat('x', 65)))$$),
	'22023 invalid report: "error_code" must be a string of 1 to 64 characters', 'a long error code is refused');
SELECT is(failure_of($$SELECT report('{"outcome": "installed"}')$$),
	'22023 invalid report: "decision" must be the decision token the report follows', 'a report needs its decision');
SELECT is(left(failure_of($$SELECT pg_temp.rep('v4.public.eyJ4IjoxfQ', 'installed')$$), 5), '22023',
	'a token that is no decision of ours is refused');
SELECT is(failure_of($$SELECT pg_temp.rep((SELECT t FROM tok), 'installed', '{"install_id": "pc-2"}')$$),
	'42501 install pc-2 never received this decision', 'another install cannot report this decision');
SELECT is(failure_of($$SELECT pg_temp.rep((SELECT t FROM tok), 'installed', '{"tenant_id": "tenant_hb"}')$$),
	'42501 the decision was not issued to this tenant', 'nor another tenant');
SELECT is(failure_of($$SELECT pg_temp.rep(check_update('{"tenant_id": "tenant_ha", "platform": "windows", "arch": "x86_64",
	"products": [{"product_id": "prod_h", "current_version": "1.0.0"}]}') #>> '{decisions,0,token}', 'installed')$$),
	'42501 install (none) never received this decision', 'a tenant-wide decision (no install) cannot be reported');
SELECT is(failure_of($$SELECT pg_temp.rep(check_update('{"install_id": "pc-new", "tenant_id": "tenant_ha", "platform": "windows",
	"arch": "x86_64", "products": [{"product_id": "prod_h", "current_version": "2.0.0"}]}') #>> '{decisions,0,token}', 'installed')$$),
	'PT409 the decision offered no update, so there is no outcome to report', 'a decision without an update has no outcome');
SELECT is((SELECT count(*) FROM install_reports), 2::bigint, 'the refused reports wrote nothing');

-- A crash counts within the crash window after installing.
UPDATE install_reports SET reported_at = now() - interval '25 hours' WHERE install_id = 'pc-1' AND outcome = 'installed';
SELECT is(failure_of($$SELECT pg_temp.rep((SELECT t FROM tok), 'crashed')$$),
	'PT409 a crash counts only within 24:00:00 after updating', 'a crash a day after installing is refused');
UPDATE install_reports SET reported_at = now() - interval '1 hour' WHERE install_id = 'pc-1' AND outcome = 'installed';
SELECT is(pg_temp.rep((SELECT t FROM tok), 'crashed') ->> 'outcome', 'crashed', 'one within the window is taken');

-- A flood from one install stops at 32 reports for a release.
CREATE TEMP TABLE flood AS SELECT pg_temp.decide('pc-flood', nonce => 'n' || i) AS t FROM generate_series(1, 6) i;
DO $$
DECLARE
	f record;
	o text;
BEGIN
	FOR f IN SELECT t FROM flood LOOP
		FOREACH o IN ARRAY ARRAY['downloaded', 'install_started', 'installed', 'failed', 'rolled_back'] LOOP
			BEGIN
				PERFORM pg_temp.rep(f.t, o);
			EXCEPTION WHEN SQLSTATE 'PT429' THEN
				NULL;
			END;
		END LOOP;
	END LOOP;
END
$$;
SELECT is((SELECT count(*) FROM install_reports WHERE install_id = 'pc-flood'), 30::bigint, 'a flood: 30 of 30 kept');
SELECT lives_ok($$SELECT pg_temp.rep(pg_temp.decide('pc-flood', nonce => 'x1'), 'installed')$$, '31st');
SELECT lives_ok($$SELECT pg_temp.rep(pg_temp.decide('pc-flood', nonce => 'x2'), 'installed')$$, '32nd');
SELECT is(failure_of($$SELECT pg_temp.rep(pg_temp.decide('pc-flood', nonce => 'x3'), 'installed')$$),
	'PT429 install pc-flood has sent 32 reports for release rel_h_2_0_0 already', 'the 33rd is refused (PT429)');

-- ---- health ------------------------------------------------------------------------------------
CREATE TEMP TABLE h AS SELECT rollout_health('rel_h_2_0_0') -> 'groups' -> 0 AS g;
SELECT is((SELECT (g ->> 'installs', g ->> 'installed', g ->> 'failed', g ->> 'rolled_back', g ->> 'crashed') FROM h),
	('2'::text, '2'::text, '2'::text, '1'::text, '1'::text), 'health counts installs, each once per outcome (the flood is one install)');
SELECT is((SELECT (g ->> 'attempts', g ->> 'failures') FROM h), ('2'::text, '2'::text), 'attempts and failures of installs');
SELECT is((SELECT g -> 'failure_interval' FROM h),
	(SELECT to_jsonb(ARRAY(SELECT round(x::numeric, 4) FROM unnest(wilson_interval(2, 2)) x))),
	'the failure rate comes with its Wilson interval');
SELECT is(wilson_interval(3, 5)::numeric(6, 4)[], '{0.2307,0.8824}'::numeric(6, 4)[], '3 of 5: 23% to 88%, not 60% certain');
SELECT is(wilson_interval(0, 0), '{0,0}'::float8[], 'no sample: {0,0}');
SELECT is(failure_of($$SELECT wilson_interval(6, 5)$$), '22023 k must not exceed n', 'k > n is refused');
SELECT is(failure_of($$SELECT wilson_interval(-1, 5)$$), '22023 k must not be negative', 'a negative count is refused');
SELECT is(jsonb_array_length(rollout_health('rel_h_2_0_0', 'tenant') -> 'groups'), 1, 'by tenant: one tenant reported');
SELECT is(rollout_health('rel_h_2_0_0', 'platform') #>> '{groups,0,group}', 'windows', 'by platform');
SELECT is(jsonb_typeof(rollout_health('rel_h_2_0_0', 'hour') #> '{groups,0,group}'), 'string', 'by hour');
SELECT is(failure_of($$SELECT rollout_health('rel_h_2_0_0', 'colour')$$),
	'22023 health is grouped by hour, platform or tenant, not "colour"', 'an unknown grouping is refused');
SELECT is(failure_of($$SELECT rollout_health('rel_nope')$$), 'PT404 release "rel_nope" does not exist', 'an unknown release');

-- ---- guards halt a rollout in the report's transaction --------------------------------------------
SELECT pg_temp.publish('3.0.0') \g /dev/null
SELECT set_rollout('rel_h_3_0_0', 10000) \g /dev/null
SELECT is(set_rollout_guards('rel_h_3_0_0', max_failure_rate => 0.05, min_sample => 20) #>> '{guards,min_sample}', '20',
	'guards are set');
SELECT is(failure_of($$SELECT set_rollout_guards('rel_h_3_0_0', max_failure_rate => 5)$$),
	'22023 a rate limit is a fraction from 0 to 1', 'a rate above 1 is refused');
SELECT is(failure_of($$SELECT set_rollout_guards('rel_h_3_0_0', min_sample => 0)$$),
	'22023 min_sample must be 1 to 1000000 installs', 'a sample of 0 is refused');
SELECT is(failure_of($$SELECT set_rollout_guards('rel_h_2_0_0', max_failure_rate => 0.1)$$),
	'PT404 release "rel_h_2_0_0" has no rollout', 'a release without a rollout has no guards');
CREATE TEMP TABLE fleet AS SELECT i, 'pc-g' || i AS install, pg_temp.decide('pc-g' || i) AS t FROM generate_series(1, 30) i;
SELECT is((SELECT count(*) FROM rollout_members WHERE release_id = 'rel_h_3_0_0'), 30::bigint,
	'every install offered the rollout''s release is a member');
-- Every fifth install fails: 20%.  The guard judges at 20 installs.
DO $$
DECLARE
	f record;
BEGIN
	FOR f IN SELECT * FROM fleet WHERE i <= 19 ORDER BY i LOOP
		PERFORM pg_temp.rep(f.t, CASE WHEN f.i % 5 = 0 THEN 'failed' ELSE 'installed' END, jsonb_build_object('install_id', f.install));
	END LOOP;
END
$$;
SELECT is((SELECT halted_at FROM rollouts WHERE release_id = 'rel_h_3_0_0'), NULL, '19 installs: below the sample, it runs on');
SELECT is((SELECT pg_temp.rep(t, 'failed', jsonb_build_object('install_id', install)) ->> 'outcome' FROM fleet WHERE i = 20),
	'failed', 'the 20th report is taken');
SELECT is((SELECT (halt_reason, halted_at = now()) FROM rollouts WHERE release_id = 'rel_h_3_0_0'),
	('failure_rate'::text, true), '… and halts the rollout in its own transaction');
SELECT is((SELECT (halt_evidence ->> 'attempts', halt_evidence ->> 'failures', halt_evidence ->> 'limit')
	FROM rollouts WHERE release_id = 'rel_h_3_0_0'), ('20'::text, '4'::text, '0.05'::text), 'the evidence is kept with the halt');
SELECT ok((SELECT (halt_evidence #>> '{failure_interval,0}')::numeric > 0.05 FROM rollouts WHERE release_id = 'rel_h_3_0_0'),
	'the lower bound of the failure rate is above the limit');
SELECT is((SELECT count(*) FROM events WHERE type = 'rollout.halted' AND payload ->> 'release_id' = 'rel_h_3_0_0'), 1::bigint,
	'a rollout.halted event is written');
SELECT is((SELECT count(*) FROM audit_events WHERE object_type = 'rollout' AND object_id LIKE 'rel_h_3_0_0%'
	AND after ->> 'halt_reason' = 'failure_rate'), 1::bigint, 'the halt and its evidence are in the audit chain');
SELECT is(pg_temp.action('pc-g25'), 'NOTIFY 3.0.0', 'a member that has not installed yet keeps its decision');
SELECT is(pg_temp.action('pc-fresh'), 'NOTIFY 2.0.0', 'a new install does not enter a halted rollout (it gets the release before)');
SELECT is((SELECT count(*) FROM rollout_members WHERE install_id = 'pc-fresh'), 0::bigint, '… and is not made a member');
SELECT is(failure_of($$SELECT halt_rollout('rel_h_3_0_0', 'again')$$) LIKE 'PT409 the rollout of release rel_h_3_0_0 is already halted%',
	true, 'halting a halted rollout is refused');

-- ---- resuming needs an approver, with a reason -------------------------------------------------
CREATE ROLE h_test_dba LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE h_test_approver LOGIN IN ROLE bigpicture_approver;
CREATE ROLE h_test_publisher LOGIN IN ROLE bigpicture_publisher;
CREATE ROLE h_test_client LOGIN IN ROLE bigpicture_client;
SELECT bind_role('h_test_dba', 'tenant_ha'), bind_role('h_test_client', 'tenant_ha') \g /dev/null
SET LOCAL ROLE h_test_publisher;
SELECT is(failure_of($$SELECT resume_rollout('rel_h_3_0_0', 'fixed')$$) LIKE '42501 %', true, 'a publisher cannot resume');
SET LOCAL ROLE h_test_approver;
SELECT is(failure_of($$SELECT resume_rollout('rel_h_3_0_0', ' ')$$), '22023 resuming a rollout needs a reason',
	'an approver must give a reason');
SELECT is(resume_rollout('rel_h_3_0_0', 'the installer bug is fixed in the CDN copy') ->> 'halted', 'false', 'an approver resumes it');
RESET ROLE;
SELECT is((SELECT (halt_evidence ->> 'resume_reason', halt_evidence ->> 'resumed_by', guard_since <= now())
	FROM rollouts WHERE release_id = 'rel_h_3_0_0'),
	('the installer bug is fixed in the CDN copy'::text, 'h_test_approver'::text, false),
	'who resumed, and why, is kept; the guards start a new sample (from the clock, not the transaction''s start)');
SELECT is((SELECT count(*) FROM events WHERE type = 'rollout.resumed'), 1::bigint, 'a rollout.resumed event');
SELECT is(failure_of($$SELECT resume_rollout('rel_h_3_0_0', 'x')$$), 'PT409 the rollout of release rel_h_3_0_0 is not halted',
	'resuming a running rollout is refused');
SELECT is((SELECT pg_temp.rep(t, 'failed', jsonb_build_object('install_id', install)) ->> 'duplicate' FROM fleet WHERE i = 21),
	'false', 'after the resume a failure is one report of a new sample');
SELECT is((SELECT halted_at FROM rollouts WHERE release_id = 'rel_h_3_0_0'), NULL, '… which does not halt it again at once');
SELECT is(halt_rollout('rel_h_3_0_0', 'support calls') ->> 'halt_reason', 'manual', 'a rollout can be halted by hand');

-- ---- who sees health -------------------------------------------------------------------------
SELECT lives_ok($$SELECT report(jsonb_build_object('decision', pg_temp.decide('pc-b1', 'tenant_hb'), 'outcome', 'installed',
	'tenant_id', 'tenant_hb'))$$, 'tenant_hb reports too');
SET LOCAL ROLE h_test_dba;
SELECT is(rollout_health('rel_h_2_0_0', 'tenant') #>> '{groups,0,installs}', '2', 'a tenant admin sees its own installs');
SELECT is(rollout_health('rel_h_2_0_0') ->> 'tenant_id', 'tenant_ha', '… and the answer says whose');
SELECT is(jsonb_array_length(rollout_health('rel_h_2_0_0', 'tenant') -> 'groups'), 1, '… never another tenant''s');
SELECT is(rollout_health('rel_h_3_0_0') #> '{rollout,halt_evidence}', NULL, '… nor the vendor-wide evidence of a halt');
SELECT is((SELECT count(DISTINCT tenant_id) FROM install_reports), 1::bigint, 'the reports table shows its own tenant only (RLS)');
SELECT is((SELECT count(DISTINCT tenant_id) FROM rollout_members), 1::bigint, 'so does rollout_members');
SELECT is((SELECT array_agg(DISTINCT tenant_id) FROM release_outcomes), '{tenant_ha}',
	'release_outcomes (a security_invoker view) shows a tenant admin its own tenant');
SELECT is(failure_of($$SELECT set_rollout_guards('rel_h_3_0_0', max_failure_rate => 1)$$) LIKE '42501 %', true,
	'a tenant admin cannot set guards');
SET LOCAL ROLE h_test_client;
SELECT is(failure_of($$SELECT rollout_health('rel_h_2_0_0')$$) LIKE '42501 %', true, 'a client cannot read health');
SELECT is(report(jsonb_build_object('decision', pg_temp.decide('pc-c1'), 'outcome', 'downloaded')) ->> 'outcome', 'downloaded',
	'a client bound to its tenant reports');
RESET ROLE;
SELECT is(jsonb_array_length(rollout_health('rel_h_2_0_0', 'tenant') -> 'groups'), 2, 'the vendor sees every tenant');
SELECT is((SELECT array_agg(DISTINCT tenant_id ORDER BY tenant_id) FROM release_outcomes), '{tenant_ha,tenant_hb}',
	'… and release_outcomes every tenant''s rows');
SELECT is((SELECT (sum(installs), sum(reports)) FROM release_outcomes WHERE release_id = 'rel_h_2_0_0'
	AND outcome = 'installed' AND tenant_id = 'tenant_ha'), (2::numeric, 9::numeric),
	'release_outcomes counts installs once each, and every report');

-- ---- velocity --------------------------------------------------------------------------------------
SELECT pg_temp.publish('4.0.0') \g /dev/null
SELECT set_rollout('rel_h_4_0_0', 10000) \g /dev/null
SELECT set_rollout_guards('rel_h_4_0_0', max_new_per_hour => 2) \g /dev/null
SELECT is(ARRAY[pg_temp.action('pc-v1'), pg_temp.action('pc-v2'), pg_temp.action('pc-v3')],
	'{"NOTIFY 4.0.0","NOTIFY 4.0.0","NOTIFY 2.0.0"}', 'max_new_per_hour 2: the third new install waits');
SELECT ok((SELECT explain_decision(jsonb_build_object('install_id', 'pc-v3', 'tenant_id', 'tenant_ha', 'platform', 'windows',
	'arch', 'x86_64', 'products', jsonb_build_array(jsonb_build_object('product_id', 'prod_h', 'current_version', '1.0.0'))))::text
	LIKE '%rollout_velocity%'), '… with the reason rollout_velocity');
SELECT is(pg_temp.action('pc-v1'), 'NOTIFY 4.0.0', 'a member is not held back');
UPDATE rollout_members SET entered_at = now() - interval '2 hours' WHERE release_id = 'rel_h_4_0_0';
SELECT is(pg_temp.action('pc-v3'), 'NOTIFY 4.0.0', 'an hour later it enters');
CREATE TEMP TABLE vtok AS SELECT i, pg_temp.decide('pc-v' || i, nonce => 'v') AS t FROM generate_series(1, 3) i;

-- ---- plans, stepped by the worker's job -------------------------------------------------------
SELECT set_rollout('rel_h_4_0_0', 50) \g /dev/null
SELECT set_rollout_guards('rel_h_4_0_0', max_failure_rate => 0.05, min_sample => 3) \g /dev/null
SELECT is(set_rollout_plan('rel_h_4_0_0', ARRAY[100, 500, 2500, 10000], '1 hour') ->> 'percentage', '100',
	'a plan starts at its first step at or above the rollout');
SELECT is(failure_of($$SELECT set_rollout_plan('rel_h_4_0_0', ARRAY[500, 100], '1 hour')$$),
	'22023 a rollout plan is 1 to 20 rising steps of 1 to 10000 basis points', 'a falling plan is refused');
SELECT is(failure_of($$SELECT set_rollout_plan('rel_h_4_0_0', ARRAY[100, 20000], '1 hour')$$),
	'22023 a rollout plan is 1 to 20 rising steps of 1 to 10000 basis points', 'a step above 100% is refused');
SELECT is(failure_of($$SELECT set_rollout_plan('rel_h_4_0_0', ARRAY[100, 500], NULL)$$),
	'22023 step_interval must be 1 second to 365 days', 'a plan needs a step interval');
SELECT is(advance_rollouts(), '{"halted": 0, "advanced": 0}'::jsonb, 'before its interval nothing steps');
UPDATE rollouts SET stepped_at = now() - interval '61 minutes' WHERE release_id = 'rel_h_4_0_0';
SELECT is(advance_rollouts(), '{"halted": 0, "advanced": 1}'::jsonb, 'after it, one step');
SELECT is((SELECT (step, percentage) FROM rollouts WHERE release_id = 'rel_h_4_0_0'), (2, 500), 'to the second step, 5%');
SELECT is((SELECT count(*) FROM events WHERE type = 'rollout.advanced'), 1::bigint, 'a rollout.advanced event');
SELECT is((SELECT count(*) FROM audit_events WHERE object_type = 'rollout' AND object_id LIKE 'rel_h_4_0_0%'
	AND after ->> 'step' = '2'), 1::bigint, 'the step is audited');
-- Three failed installs: the guards no longer hold, so the next step halts instead.
SELECT count(pg_temp.rep(t, 'failed', jsonb_build_object('install_id', 'pc-v' || i))) FROM vtok \g /dev/null
SELECT is((SELECT halt_reason FROM rollouts WHERE release_id = 'rel_h_4_0_0'), 'failure_rate',
	'three failures of three: the reports halt it (the lower bound is 44%)');
UPDATE rollouts SET halted_at = NULL, halt_reason = NULL, stepped_at = now() - interval '61 minutes'
	WHERE release_id = 'rel_h_4_0_0';
SELECT is(advance_rollouts(), '{"halted": 1, "advanced": 0}'::jsonb, 'a step while the guards do not hold halts instead');
SELECT is((SELECT (step, percentage, halt_reason) FROM rollouts WHERE release_id = 'rel_h_4_0_0'),
	(2, 500, 'failure_rate'::text), 'the rollout stays where it was');
SELECT is((SELECT count(*) FROM worker_jobs WHERE job = 'advance_rollouts'), 1::bigint, 'advance_rollouts is a worker job');

SELECT * FROM finish();
ROLLBACK;
