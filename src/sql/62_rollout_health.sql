-- Rollouts that watch themselves (docs/rollouts.md): who entered a rollout,
-- what installs report after a decision, health with confidence bounds,
-- guards that halt a rollout in the transaction of the report that trips
-- them, resuming by an approver, and plans the background worker steps
-- through.  The rates and the guards' rule are src/core/health.c.

-- ---- who entered a rollout --------------------------------------------------------------
-- Written by check_update the first time a decision offers an install a
-- release under a rollout.  A member keeps its offer when the rollout halts
-- or is lowered; only new installs wait.
CREATE TABLE bigpicture.rollout_members (
	release_id  text NOT NULL REFERENCES bigpicture.releases ON DELETE CASCADE,
	tenant_id   text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	install_id  text NOT NULL CHECK (pg_catalog.length(install_id) BETWEEN 1 AND 128),
	entered_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, release_id, install_id)
);
-- velocity: a rollout's new installs in the last hour, over every tenant
CREATE INDEX rollout_members_entered ON bigpicture.rollout_members (release_id, entered_at);
COMMENT ON TABLE bigpicture.rollout_members IS
	'installs a rollout has reached (the first decision that offered them the release); they keep it when the rollout halts';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.rollout_members', '');
ALTER TABLE bigpicture.rollout_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.rollout_members FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.rollout_members TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.rollout_members FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.rollout_members FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.rollout_members FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.rollout_members TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- ---- outcome reports ------------------------------------------------------------------------
CREATE TABLE bigpicture.install_reports (
	tenant_id      text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	report_id      text NOT NULL DEFAULT bigpicture.new_id('rep'),
	install_id     text NOT NULL CHECK (pg_catalog.length(install_id) BETWEEN 1 AND 128),
	release_id     text NOT NULL REFERENCES bigpicture.releases ON DELETE CASCADE,
	platform       text NOT NULL CHECK (platform IN ('windows', 'macos', 'linux')),
	decision_hash  bytea NOT NULL CHECK (pg_catalog.length(decision_hash) = 32),
	decided_at     timestamptz NOT NULL,
	outcome        text NOT NULL CHECK (outcome IN ('downloaded', 'install_started', 'installed', 'failed',
	               'rolled_back', 'crashed')),
	error_code     text CHECK (pg_catalog.length(error_code) BETWEEN 1 AND 64),
	reported_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, report_id),
	-- one report per install, decision and outcome: a client may retry
	CONSTRAINT install_reports_once UNIQUE (tenant_id, install_id, decision_hash, outcome)
);
-- health and guards: a release's reports over every tenant
CREATE INDEX install_reports_release ON bigpicture.install_reports (release_id, outcome, reported_at);
CREATE INDEX install_reports_install ON bigpicture.install_reports (tenant_id, install_id, release_id);
COMMENT ON TABLE bigpicture.install_reports IS
	'what installs report after a decision (downloaded … crashed), bound to the signed decision by its SHA-256';
COMMENT ON COLUMN bigpicture.install_reports.decision_hash IS 'SHA-256 of the decision token the report follows';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.install_reports', '');
ALTER TABLE bigpicture.install_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.install_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.install_reports TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.install_reports FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.install_reports FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY publisher_read ON bigpicture.install_reports FOR SELECT TO bigpicture_publisher USING (true);
CREATE POLICY own_tenant_read ON bigpicture.install_reports FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.install_reports TO bigpicture_admin, bigpicture_auditor, bigpicture_publisher,
	bigpicture_tenant_admin;

-- What a rollout's guards judge, kept as reports arrive so a report costs
-- the same at the ten-thousandth install as at the first: installs counted
-- once each, since the rollout's guard_since, in 16 shards so concurrent
-- reports seldom wait on one row.
CREATE TABLE bigpicture.rollout_counts (
	release_id  text NOT NULL REFERENCES bigpicture.releases ON DELETE CASCADE,
	platform    text,		-- the rollout's platform; NULL: the platform-wide rollout
	since       timestamptz NOT NULL,
	shard       smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
	attempts    bigint NOT NULL DEFAULT 0,	-- installs that installed, failed or rolled back
	failures    bigint NOT NULL DEFAULT 0,	-- installs that failed or rolled back
	installed   bigint NOT NULL DEFAULT 0,
	crashed     bigint NOT NULL DEFAULT 0,	-- installed installs that crashed
	CONSTRAINT rollout_counts_key UNIQUE NULLS NOT DISTINCT (release_id, platform, since, shard)
);
COMMENT ON TABLE bigpicture.rollout_counts IS
	'running counts of installs per outcome class for each rollout since its guard_since, in 16 shards: what its guards judge';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.rollout_counts', '');
GRANT SELECT ON bigpicture.rollout_counts TO bigpicture_admin, bigpicture_auditor, bigpicture_publisher;

-- ---- rates --------------------------------------------------------------------------------
CREATE FUNCTION bigpicture.wilson_interval(k bigint, n bigint) RETURNS double precision[]
	AS 'MODULE_PATHNAME', 'bigpicture_wilson_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.wilson_interval(bigint, bigint) IS
	'the 95% Wilson score interval {lower, upper} of k successes in n trials ({0,0} when n is 0)';

CREATE FUNCTION bigpicture._guard_verdict(attempts bigint, failures bigint, installed bigint, crashes bigint,
	max_failure_rate double precision, max_crash_rate double precision, min_sample integer) RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_guard_verdict' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture._guard_verdict(bigint, bigint, bigint, bigint, double precision, double precision, integer) IS
	'internal: failure_rate or crash_rate when that guard trips (Wilson lower bound above the limit after min_sample), else NULL';

-- Installs per outcome, each install once, with the rates: the counts one
-- row of health is made of.
CREATE FUNCTION bigpicture._health_row(installs_by_outcome jsonb) RETURNS jsonb
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
	RETURN (WITH c AS (SELECT
			COALESCE((installs_by_outcome ->> 'attempts')::bigint, 0) AS attempts,
			COALESCE((installs_by_outcome ->> 'failures')::bigint, 0) AS failures,
			COALESCE((installs_by_outcome ->> 'installed')::bigint, 0) AS installed,
			COALESCE((installs_by_outcome ->> 'crashed')::bigint, 0) AS crashes)
		SELECT installs_by_outcome || jsonb_build_object(
			'failure_rate', CASE WHEN attempts > 0 THEN round(failures::numeric / attempts, 4) END,
			'failure_interval', CASE WHEN attempts > 0 THEN
				to_jsonb(ARRAY(SELECT round(x::numeric, 4) FROM unnest(bigpicture.wilson_interval(failures, attempts)) x)) END,
			'crash_rate', CASE WHEN installed > 0 THEN round(least(crashes, installed)::numeric / installed, 4) END,
			'crash_interval', CASE WHEN installed > 0 THEN
				to_jsonb(ARRAY(SELECT round(x::numeric, 4)
					FROM unnest(bigpicture.wilson_interval(least(crashes, installed), installed)) x)) END)
		FROM c);

-- Health of one release's reports (of one tenant, or all), grouped by
-- nothing, hour, platform or tenant.
CREATE FUNCTION bigpicture._release_health(release_id text, platform text, group_by text, tenant_id text DEFAULT NULL)
	RETURNS SETOF jsonb
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH per_install AS (
		SELECT CASE group_by WHEN 'hour' THEN to_jsonb(date_trunc('hour', min(r.reported_at)))
				WHEN 'platform' THEN to_jsonb(r.platform) WHEN 'tenant' THEN to_jsonb(r.tenant_id) END AS grp,
			bool_or(r.outcome = 'downloaded') AS downloaded,
			bool_or(r.outcome = 'install_started') AS install_started,
			bool_or(r.outcome = 'installed') AS installed,
			bool_or(r.outcome = 'failed') AS failed,
			bool_or(r.outcome = 'rolled_back') AS rolled_back,
			bool_or(r.outcome = 'crashed') AS crashed
		FROM bigpicture.install_reports r
		WHERE r.release_id = _release_health.release_id
		  AND (_release_health.platform IS NULL OR r.platform = _release_health.platform)
		  AND (_release_health.tenant_id IS NULL OR r.tenant_id = _release_health.tenant_id)
		GROUP BY r.tenant_id, r.install_id, r.platform
	)
	SELECT bigpicture._health_row(jsonb_build_object(
			'group', p.grp,
			'installs', count(*),
			'downloaded', count(*) FILTER (WHERE p.downloaded),
			'install_started', count(*) FILTER (WHERE p.install_started),
			'installed', count(*) FILTER (WHERE p.installed),
			'failed', count(*) FILTER (WHERE p.failed),
			'rolled_back', count(*) FILTER (WHERE p.rolled_back),
			'crashed', count(*) FILTER (WHERE p.crashed AND p.installed),
			'attempts', count(*) FILTER (WHERE p.installed OR p.failed OR p.rolled_back),
			'failures', count(*) FILTER (WHERE p.failed OR p.rolled_back)))
	FROM per_install p
	GROUP BY p.grp
	ORDER BY p.grp NULLS FIRST;
END;

-- The vendor's roles see every tenant's installs; a tenant admin its own only.
CREATE FUNCTION bigpicture.rollout_health(release_id text, group_by text DEFAULT NULL, platform text DEFAULT NULL)
	RETURNS jsonb
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases;
	o bigpicture.rollouts;
	caller name := bigpicture.calling_role();
	scope text;
BEGIN
	IF NOT (bigpicture.acts_for_all_tenants() OR pg_has_role(caller, 'bigpicture_publisher', 'USAGE')
			OR pg_has_role(caller, 'bigpicture_approver', 'USAGE')) THEN
		scope := bigpicture.current_tenant();
		IF scope IS NULL THEN
			RAISE EXCEPTION 'no tenant for this caller' USING ERRCODE = '42501',
				HINT = 'A tenant admin sees the health of its own installs; bind the role to a tenant.';
		END IF;
		IF group_by = 'tenant' THEN
			group_by := NULL;
		END IF;
	END IF;
	IF group_by IS NOT NULL AND group_by NOT IN ('hour', 'platform', 'tenant') THEN
		RAISE EXCEPTION 'health is grouped by hour, platform or tenant, not "%"', group_by USING ERRCODE = '22023',
			HINT = 'Leave group_by out for one row.';
	END IF;
	IF platform IS NOT NULL AND platform NOT IN ('windows', 'macos', 'linux') THEN
		RAISE EXCEPTION 'invalid platform "%"', platform USING ERRCODE = '22023', HINT = 'Use windows, macos or linux.';
	END IF;
	SELECT * INTO r FROM bigpicture.releases x WHERE x.release_id = rollout_health.release_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'release "%" does not exist', release_id USING ERRCODE = 'PT404';
	END IF;
	SELECT * INTO o FROM bigpicture.rollouts x
	 WHERE x.release_id = r.release_id AND x.platform IS NOT DISTINCT FROM rollout_health.platform;
	RETURN jsonb_build_object(
		'release_id', r.release_id, 'version', r.version::text, 'group_by', group_by,
		'rollout', CASE WHEN o.release_id IS NULL THEN NULL WHEN scope IS NULL THEN bigpicture._rollout_json(o)
			ELSE bigpicture._rollout_json(o) - 'halt_evidence' END,
		'tenant_id', scope,
		'groups', COALESCE((SELECT jsonb_agg(h) FROM bigpicture._release_health(r.release_id, platform, group_by, scope) h),
			'[]'));
END
$$;
COMMENT ON FUNCTION bigpicture.rollout_health(text, text, text) IS
	'outcome counts (installs, each once), failure and crash rates with 95% Wilson intervals, for a release, optionally by hour, platform or tenant; a tenant admin sees its own installs only, and the rollout without its evidence';

-- The reports as rows, for SQL: installs (each once) and reports per release,
-- tenant, platform, hour and outcome.  security_invoker: install_reports'
-- row-level security applies, so a tenant admin sees its own installs.
CREATE VIEW bigpicture.release_outcomes WITH (security_invoker = true) AS
SELECT r.release_id, r.tenant_id, r.platform, pg_catalog.date_trunc('hour', r.reported_at) AS hour, r.outcome,
	   count(DISTINCT r.install_id) AS installs, count(*) AS reports
FROM bigpicture.install_reports r
GROUP BY r.release_id, r.tenant_id, r.platform, pg_catalog.date_trunc('hour', r.reported_at), r.outcome;
COMMENT ON VIEW bigpicture.release_outcomes IS
	'installs and reports per release, tenant, platform, hour and outcome; a tenant admin sees its own (RLS)';
GRANT SELECT ON bigpicture.release_outcomes TO bigpicture_admin, bigpicture_auditor, bigpicture_publisher,
	bigpicture_tenant_admin;

-- A rollout as its API shows it.
CREATE FUNCTION bigpicture._rollout_json(o bigpicture.rollouts) RETURNS jsonb
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('release_id', o.release_id, 'platform', o.platform, 'percentage', o.percentage,
		'paused', o.paused, 'halted', o.halted_at IS NOT NULL, 'halted_at', bigpicture.rfc3339(o.halted_at),
		'halt_reason', o.halt_reason, 'halt_evidence', o.halt_evidence,
		'guards', jsonb_build_object('max_failure_rate', o.max_failure_rate, 'max_crash_rate', o.max_crash_rate,
			'min_sample', o.min_sample, 'max_new_per_hour', o.max_new_per_hour,
			'crash_window', o.crash_window::text, 'since', bigpicture.rfc3339(o.guard_since)),
		'plan', o.plan, 'step', o.step, 'step_interval', o.step_interval::text,
		'stepped_at', bigpicture.rfc3339(o.stepped_at),
		'next_step_at', CASE WHEN o.plan IS NOT NULL AND o.step < cardinality(o.plan)
			THEN bigpicture.rfc3339(o.stepped_at + o.step_interval) END);

-- ---- guards ---------------------------------------------------------------------------------
-- Judge a rollout's guards on its reports since guard_since; when one trips,
-- halt it here, in the caller's transaction, with the evidence (audited with
-- the row) and an event.  Returns the verdict or NULL.
CREATE FUNCTION bigpicture._check_rollout_guards(o bigpicture.rollouts) RETURNS text
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n record;
	h jsonb;
	verdict text;
BEGIN
	IF o.halted_at IS NOT NULL OR (o.max_failure_rate IS NULL AND o.max_crash_rate IS NULL) THEN
		RETURN NULL;
	END IF;
	SELECT COALESCE(sum(c.attempts), 0)::bigint AS attempts, COALESCE(sum(c.failures), 0)::bigint AS failures,
		   COALESCE(sum(c.installed), 0)::bigint AS installed, COALESCE(sum(c.crashed), 0)::bigint AS crashed
	  INTO n FROM bigpicture.rollout_counts c
	 WHERE c.release_id = o.release_id AND c.platform IS NOT DISTINCT FROM o.platform AND c.since = o.guard_since;
	verdict := bigpicture._guard_verdict(n.attempts, n.failures, n.installed, n.crashed,
		o.max_failure_rate, o.max_crash_rate, o.min_sample);
	IF verdict IS NULL THEN
		RETURN NULL;
	END IF;
	h := bigpicture._health_row(to_jsonb(n));
	UPDATE bigpicture.rollouts x
	   SET halted_at = now(), halt_reason = verdict,
		   halt_evidence = h || jsonb_build_object('guard', verdict,
				'limit', CASE verdict WHEN 'failure_rate' THEN o.max_failure_rate ELSE o.max_crash_rate END,
				'min_sample', o.min_sample, 'since', bigpicture.rfc3339(o.guard_since)),
		   updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform AND x.halted_at IS NULL
	RETURNING * INTO o;
	IF FOUND THEN
		PERFORM bigpicture._emit_event('rollout.halted', NULL, bigpicture._rollout_json(o));
	END IF;
	RETURN verdict;
END
$$;

CREATE FUNCTION bigpicture._lock_rollout(release_id text, platform text) RETURNS bigpicture.rollouts
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts;
BEGIN
	IF platform IS NOT NULL AND platform NOT IN ('windows', 'macos', 'linux') THEN
		RAISE EXCEPTION 'invalid platform "%"', platform USING ERRCODE = '22023', HINT = 'Use windows, macos or linux, or NULL for all.';
	END IF;
	SELECT * INTO o FROM bigpicture.rollouts x
	 WHERE x.release_id = _lock_rollout.release_id AND x.platform IS NOT DISTINCT FROM _lock_rollout.platform
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'release "%" has no rollout%', release_id,
			CASE WHEN platform IS NOT NULL THEN ' for ' || platform ELSE '' END USING ERRCODE = 'PT404',
			HINT = 'Start one with bigpicture.set_rollout.';
	END IF;
	RETURN o;
END
$$;

CREATE FUNCTION bigpicture.set_rollout_guards(release_id text, max_failure_rate double precision DEFAULT NULL,
	max_crash_rate double precision DEFAULT NULL, min_sample integer DEFAULT 100,
	max_new_per_hour integer DEFAULT NULL, crash_window interval DEFAULT interval '24 hours',
	platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts := bigpicture._lock_rollout(release_id, platform);
BEGIN
	IF max_failure_rate NOT BETWEEN 0 AND 1 OR max_crash_rate NOT BETWEEN 0 AND 1 THEN
		RAISE EXCEPTION 'a rate limit is a fraction from 0 to 1' USING ERRCODE = '22023',
			DETAIL = format('Got max_failure_rate %s, max_crash_rate %s.', max_failure_rate, max_crash_rate),
			HINT = '0.05 means 5%.';
	END IF;
	IF min_sample IS NULL OR min_sample NOT BETWEEN 1 AND 1000000 THEN
		RAISE EXCEPTION 'min_sample must be 1 to 1000000 installs' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(min_sample::text, 'NULL'));
	END IF;
	IF max_new_per_hour <= 0 THEN
		RAISE EXCEPTION 'max_new_per_hour must be positive' USING ERRCODE = '22023', HINT = 'NULL means no limit.';
	END IF;
	IF crash_window IS NULL OR crash_window NOT BETWEEN interval '1 minute' AND interval '30 days' THEN
		RAISE EXCEPTION 'crash_window must be 1 minute to 30 days' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.rollouts x
	   SET max_failure_rate = set_rollout_guards.max_failure_rate, max_crash_rate = set_rollout_guards.max_crash_rate,
		   min_sample = set_rollout_guards.min_sample, max_new_per_hour = set_rollout_guards.max_new_per_hour,
		   crash_window = set_rollout_guards.crash_window, updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
	RETURNING * INTO o;
	RETURN bigpicture._rollout_json(o);
END
$$;
COMMENT ON FUNCTION bigpicture.set_rollout_guards(text, double precision, double precision, integer, integer, interval, text) IS
	'guard a rollout: halt it when the failure or crash rate is above the limit with 95% confidence after min_sample installs; hold new installs past max_new_per_hour';

CREATE FUNCTION bigpicture.set_rollout_plan(release_id text, plan integer[], step_interval interval,
	platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts := bigpicture._lock_rollout(release_id, platform);
BEGIN
	IF plan IS NOT NULL AND NOT bigpicture._valid_rollout_plan(plan) THEN
		RAISE EXCEPTION 'a rollout plan is 1 to 20 rising steps of 1 to 10000 basis points' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', plan), HINT = 'For 1%% → 5%% → 25%% → 100%%: ARRAY[100, 500, 2500, 10000].';
	END IF;
	IF plan IS NOT NULL AND (step_interval IS NULL OR step_interval NOT BETWEEN interval '1 second' AND interval '365 days') THEN
		RAISE EXCEPTION 'step_interval must be 1 second to 365 days' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(step_interval::text, 'NULL'));
	END IF;
	IF plan IS NOT NULL AND plan[cardinality(plan)] < o.percentage THEN
		RAISE EXCEPTION 'the plan ends below the rollout''s percentage' USING ERRCODE = 'PT409',
			DETAIL = format('The rollout is at %s basis points; the plan ends at %s.', o.percentage, plan[cardinality(plan)]),
			HINT = 'A rollout never shrinks by plan: end the plan at or above the current percentage.';
	END IF;
	-- Start at the first step at or above where the rollout is: it only grows.
	UPDATE bigpicture.rollouts x
	   SET plan = set_rollout_plan.plan,
		   step_interval = CASE WHEN set_rollout_plan.plan IS NOT NULL THEN set_rollout_plan.step_interval END,
		   step = (SELECT min(i) FROM unnest(set_rollout_plan.plan) WITH ORDINALITY s(p, i) WHERE p >= o.percentage),
		   percentage = COALESCE((SELECT min(p) FROM unnest(set_rollout_plan.plan) p WHERE p >= o.percentage), o.percentage),
		   stepped_at = CASE WHEN set_rollout_plan.plan IS NOT NULL THEN now() END,
		   updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
	RETURNING * INTO o;
	RETURN bigpicture._rollout_json(o);
END
$$;
COMMENT ON FUNCTION bigpicture.set_rollout_plan(text, integer[], interval, text) IS
	'give a rollout a plan of rising percentages (basis points); the background worker takes the next step after step_interval while the guards hold (NULL plan: none)';

CREATE FUNCTION bigpicture.halt_rollout(release_id text, reason text, platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts := bigpicture._lock_rollout(release_id, platform);
BEGIN
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'halting a rollout needs a reason' USING ERRCODE = '22023';
	END IF;
	IF o.halted_at IS NOT NULL THEN
		RAISE EXCEPTION 'the rollout of release % is already halted', o.release_id USING ERRCODE = 'PT409',
			DETAIL = format('Halted at %s: %s.', bigpicture.rfc3339(o.halted_at), o.halt_reason);
	END IF;
	UPDATE bigpicture.rollouts x
	   SET halted_at = now(), halt_reason = 'manual', halt_evidence = jsonb_build_object('reason', halt_rollout.reason,
			'by', bigpicture.current_actor()), updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
	RETURNING * INTO o;
	PERFORM bigpicture._emit_event('rollout.halted', NULL, bigpicture._rollout_json(o));
	RETURN bigpicture._rollout_json(o);
END
$$;
COMMENT ON FUNCTION bigpicture.halt_rollout(text, text, text) IS
	'halt a rollout by hand, with a reason: no new install enters it; installs already in keep their decision';

CREATE FUNCTION bigpicture.resume_rollout(release_id text, reason text, platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts := bigpicture._lock_rollout(release_id, platform);
	caller name := bigpicture.calling_role();
BEGIN
	IF NOT (pg_has_role(caller, 'bigpicture_approver', 'USAGE') OR pg_has_role(caller, 'bigpicture_admin', 'USAGE')) THEN
		RAISE EXCEPTION 'resuming a rollout needs an approver' USING ERRCODE = '42501',
			HINT = 'Ask a member of bigpicture_approver.';
	END IF;
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'resuming a rollout needs a reason' USING ERRCODE = '22023',
			HINT = 'Say what was fixed or why the evidence does not apply; it goes into the audit chain.';
	END IF;
	IF o.halted_at IS NULL THEN
		RAISE EXCEPTION 'the rollout of release % is not halted', o.release_id USING ERRCODE = 'PT409';
	END IF;
	-- The guards start a new sample: the evidence that tripped them was judged.  (The clock,
	-- not the transaction's start: the new sample is distinct even within one transaction.)
	UPDATE bigpicture.rollouts x
	   SET halted_at = NULL, halt_reason = NULL,
		   halt_evidence = o.halt_evidence || jsonb_build_object('resumed_by', bigpicture.current_actor(),
				'resumed_at', bigpicture.rfc3339(now()), 'resume_reason', resume_rollout.reason),
		   guard_since = clock_timestamp(), stepped_at = CASE WHEN x.plan IS NOT NULL THEN now() END,
		   updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
	RETURNING * INTO o;
	PERFORM bigpicture._emit_event('rollout.resumed', NULL, bigpicture._rollout_json(o));
	RETURN bigpicture._rollout_json(o);
END
$$;
COMMENT ON FUNCTION bigpicture.resume_rollout(text, text, text) IS
	'resume a halted rollout (approvers and admins), with a reason; the guards then judge only reports from now on';

-- ---- scheduled steps (a worker job) ----------------------------------------------------------
CREATE FUNCTION bigpicture.advance_rollouts() RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts;
	advanced int := 0;
	halted int := 0;
BEGIN
	FOR o IN SELECT * FROM bigpicture.rollouts x
			  WHERE x.plan IS NOT NULL AND x.step < cardinality(x.plan) AND NOT x.paused AND x.halted_at IS NULL
				AND x.stepped_at + x.step_interval <= now()
			  ORDER BY x.release_id, x.platform NULLS FIRST
			  FOR UPDATE SKIP LOCKED LOOP
		-- A step is taken only while the guards hold.
		IF bigpicture._check_rollout_guards(o) IS NOT NULL THEN
			halted := halted + 1;
			CONTINUE;
		END IF;
		UPDATE bigpicture.rollouts x
		   SET step = o.step + 1, percentage = greatest(x.percentage, o.plan[o.step + 1]), stepped_at = now(),
			   updated_by = 'bigpicture worker'
		 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
		RETURNING * INTO o;
		PERFORM bigpicture._emit_event('rollout.advanced', NULL, bigpicture._rollout_json(o));
		advanced := advanced + 1;
	END LOOP;
	RETURN jsonb_build_object('advanced', advanced, 'halted', halted);
END
$$;
COMMENT ON FUNCTION bigpicture.advance_rollouts() IS
	'worker job: take the next step of every rollout plan whose step_interval has passed, while its guards hold';

-- ---- reports ----------------------------------------------------------------------------------
-- In C (src/extension/reports.c), like check_update: it is called about as
-- often.  What a report adds to the counts, and the guards' rule, are
-- src/core/health.c.
CREATE FUNCTION bigpicture.report(request jsonb) RETURNS jsonb
	LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_report';
COMMENT ON FUNCTION bigpicture.report(jsonb) IS
	'an install reports what happened after a decision: {"decision": token, "outcome": downloaded|install_started|installed|failed|rolled_back|crashed, "error_code"}; idempotent; may halt the rollout';

GRANT EXECUTE ON FUNCTION bigpicture.report(jsonb) TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.rollout_health(text, text, text), bigpicture.wilson_interval(bigint, bigint)
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_auditor, bigpicture_tenant_admin;
GRANT EXECUTE ON FUNCTION bigpicture.set_rollout_guards(text, double precision, double precision, integer, integer, interval, text),
	bigpicture.set_rollout_plan(text, integer[], interval, text), bigpicture.halt_rollout(text, text, text)
	TO bigpicture_admin, bigpicture_publisher;
GRANT EXECUTE ON FUNCTION bigpicture.resume_rollout(text, text, text) TO bigpicture_admin, bigpicture_approver;
