-- A simulated fleet of 10,000 installs, the clock moved by hand
-- (docs/rollouts.md): a good release walks through its plan, every install
-- asking once per step and reporting what happened; a release with 20%
-- failures halts within its minimum sample plus one report, and from then on
-- reaches no new install.
BEGIN;
SELECT plan(14);
SET search_path = bigpicture, public;
SET LOCAL bigpicture.log_decisions = off;

SELECT count(activate_key(generate_key(p))) FROM unnest('{root,decision}'::text[]) p \g /dev/null
SELECT create_tenant('Fleet ' || t, 'tenant_sim_' || t) FROM unnest('{a,b,c}'::text[]) t \g /dev/null
SELECT create_product('Sim', 'prod_sim'), create_channel('prod_sim', 'stable') \g /dev/null
SELECT count(create_entitlement('tenant_sim_' || t, 'prod_sim', 'concurrent', max_seats => 100000))
FROM unnest('{a,b,c}'::text[]) t \g /dev/null
CREATE FUNCTION pg_temp.publish(v text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	rid text := 'rel_sim_' || replace(v, '.', '_');
BEGIN
	PERFORM create_release('prod_sim', v, 'stable', release_id => rid);
	PERFORM attach_artifact(rid, create_artifact('prod_sim', 'https://dl.example.com/sim-' || v || '.msi',
		encode(sha256(convert_to(rid, 'UTF8')), 'hex'), 1000, 'windows', 'x86_64', 'msi'));
	PERFORM submit_release(rid);
	RETURN rid;
END
$$;

-- The fleet: 10,000 installs over three tenants, on 1.0.0.
CREATE TEMP TABLE fleet (i int PRIMARY KEY, install_id text, tenant_id text, version text);
INSERT INTO fleet SELECT i, 'sim-' || i, 'tenant_sim_' || (ARRAY['a', 'b', 'c'])[1 + i % 3], '1.0.0'
FROM generate_series(1, 10000) i;

-- One round: every install not on the newest asks; those offered rel report
-- installed, or failed when fails(i).  Returns the installs offered rel.
CREATE FUNCTION pg_temp.round(rel text, fail_every int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	f record;
	d jsonb;
	offered int := 0;
	target text := (SELECT version::text FROM releases WHERE release_id = rel);
BEGIN
	FOR f IN SELECT * FROM fleet WHERE version <> target ORDER BY i LOOP
		d := check_update(jsonb_build_object('install_id', f.install_id, 'tenant_id', f.tenant_id, 'platform', 'windows',
			'arch', 'x86_64', 'products', jsonb_build_array(jsonb_build_object('product_id', 'prod_sim',
			'current_version', f.version)))) -> 'decisions' -> 0;
		IF d ->> 'version' = target THEN
			offered := offered + 1;
			PERFORM report(jsonb_build_object('decision', d ->> 'token', 'tenant_id', f.tenant_id,
				'outcome', CASE WHEN fail_every > 0 AND f.i % fail_every = 0 THEN 'failed' ELSE 'installed' END));
			IF fail_every = 0 OR f.i % fail_every <> 0 THEN
				UPDATE fleet SET version = target WHERE i = f.i;
			END IF;
		END IF;
	END LOOP;
	RETURN offered;
END
$$;
-- The clock moves past the step interval and the worker's job runs.
CREATE FUNCTION pg_temp.next_step(rel text) RETURNS jsonb LANGUAGE sql AS $$
	UPDATE rollouts SET stepped_at = stepped_at - step_interval WHERE release_id = rel;
	SELECT run_job('advance_rollouts') -> 'result';
$$;

-- ---- a good release walks through its plan ---------------------------------------------------
SELECT pg_temp.publish('2.0.0') \g /dev/null
SELECT set_rollout('rel_sim_2_0_0', 100) \g /dev/null
SELECT set_rollout_plan('rel_sim_2_0_0', ARRAY[100, 500, 2500, 10000], interval '1 hour') \g /dev/null
-- 0.5% of installs fail, well inside a 5% limit
SELECT set_rollout_guards('rel_sim_2_0_0', max_failure_rate => 0.05, min_sample => 100) \g /dev/null
CREATE TEMP TABLE walk (step int, offered int, percentage int, members bigint);
-- A round at a step, then how many installs the rollout has reached.
CREATE FUNCTION pg_temp.walk_step(step int, percentage int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	offered int := pg_temp.round('rel_sim_2_0_0', 200);
BEGIN
	INSERT INTO walk SELECT step, offered, percentage,
		(SELECT count(*) FROM rollout_members WHERE release_id = 'rel_sim_2_0_0');
END
$$;
SELECT pg_temp.walk_step(1, 100);
SELECT is(pg_temp.next_step('rel_sim_2_0_0'), '{"halted": 0, "advanced": 1}'::jsonb, 'step 1 → 2 while the guards hold');
SELECT pg_temp.walk_step(2, 500);
SELECT is(pg_temp.next_step('rel_sim_2_0_0'), '{"halted": 0, "advanced": 1}'::jsonb, 'step 2 → 3');
SELECT pg_temp.walk_step(3, 2500);
SELECT is(pg_temp.next_step('rel_sim_2_0_0'), '{"halted": 0, "advanced": 1}'::jsonb, 'step 3 → 4');
SELECT pg_temp.walk_step(4, 10000);
SELECT is(pg_temp.next_step('rel_sim_2_0_0'), '{"halted": 0, "advanced": 0}'::jsonb, 'the plan is done: nothing more to take');
SELECT is((SELECT (percentage, step, halted_at IS NULL) FROM rollouts WHERE release_id = 'rel_sim_2_0_0'),
	(10000, 4, true), 'the good release reached 100% and never halted');
-- Buckets are uniform: each step's members are its share of 10,000, within 4 standard deviations.
SELECT is((SELECT array_agg(w.step ORDER BY w.step) FROM walk w
		   WHERE abs(w.members - w.percentage) > 4 * sqrt(10000 * (w.percentage / 10000.0) * (1 - w.percentage / 10000.0)) + 1),
	NULL, 'each step reached its share of the fleet (1%, 5%, 25%, 100%)');
SELECT is((SELECT bool_and(w.members >= p.members) FROM walk w JOIN walk p ON p.step = w.step - 1), true,
	'membership only grows: the bucket is monotonic');
SELECT is((SELECT count(*) FROM fleet WHERE version = '2.0.0'), 10000::bigint - 10000 / 200,
	'every install but the ones that failed updated');
SELECT ok((SELECT (rollout_health('rel_sim_2_0_0') #>> '{groups,0,failure_interval,1}')::numeric < 0.05),
	'the release''s failure rate is below the limit with 95% confidence');

-- ---- a bad release halts on its evidence ---------------------------------------------------------
SELECT pg_temp.publish('3.0.0') \g /dev/null
SELECT set_rollout('rel_sim_3_0_0', 2000) \g /dev/null
SELECT set_rollout_guards('rel_sim_3_0_0', max_failure_rate => 0.05, min_sample => 100) \g /dev/null
-- Every fifth install fails: 20%.  Report one install at a time, and note when the halt comes.
CREATE TEMP TABLE bad (n int, halted boolean);
DO $$
DECLARE
	f record;
	d jsonb;
	n int := 0;
BEGIN
	FOR f IN SELECT * FROM fleet ORDER BY i LOOP
		d := check_update(jsonb_build_object('install_id', f.install_id, 'tenant_id', f.tenant_id, 'platform', 'windows',
			'arch', 'x86_64', 'products', jsonb_build_array(jsonb_build_object('product_id', 'prod_sim',
			'current_version', f.version)))) -> 'decisions' -> 0;
		CONTINUE WHEN d ->> 'version' IS DISTINCT FROM '3.0.0';
		n := n + 1;
		PERFORM report(jsonb_build_object('decision', d ->> 'token', 'tenant_id', f.tenant_id,
			'outcome', CASE WHEN n % 5 = 0 THEN 'failed' ELSE 'installed' END));
		INSERT INTO bad VALUES (n, (SELECT halted_at IS NOT NULL FROM rollouts WHERE release_id = 'rel_sim_3_0_0'));
	END LOOP;
END
$$;
SELECT is((SELECT halt_reason FROM rollouts WHERE release_id = 'rel_sim_3_0_0'), 'failure_rate', 'the bad release halted');
SELECT ok((SELECT min(n) FROM bad WHERE halted) <= 101,
	format('within its minimum sample plus one report (at report %s)', (SELECT min(n) FROM bad WHERE halted)));
SELECT is((SELECT bool_and(NOT halted) FROM bad WHERE n < 100), true, 'not before the sample was reached');
SELECT is((SELECT count(*) FROM bad WHERE n > (SELECT min(n) FROM bad WHERE halted)), 0::bigint,
	'after the halt no new install was offered it (in 20% of a 10,000 fleet)');
SELECT is((SELECT count(*) FROM events WHERE type = 'rollout.halted' AND payload ->> 'release_id' = 'rel_sim_3_0_0'), 1::bigint,
	'one rollout.halted event');

SELECT * FROM finish();
ROLLBACK;
