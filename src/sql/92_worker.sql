-- The jobs of the extension's one background worker (src/extension/
-- worker.c, docs/worker.md): everything periodic the project does is a
-- row here, run by the worker in bigpicture.worker_database, or by
-- run_due_jobs() from any scheduler elsewhere.  A job is a function of this
-- schema with the job's name and no arguments; its result is kept.

CREATE TABLE bigpicture.worker_jobs (
	job               text PRIMARY KEY CHECK (job OPERATOR(pg_catalog.~) '^[a-z][a-z_]*$'),
	description       text NOT NULL,
	every             interval NOT NULL CHECK (every >= interval '1 second'),
	enabled           boolean NOT NULL DEFAULT true,
	next_run_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_started_at   timestamptz,
	last_finished_at  timestamptz,
	last_result       jsonb,
	last_error        text,
	runs              bigint NOT NULL DEFAULT 0,
	failures          bigint NOT NULL DEFAULT 0
);
COMMENT ON TABLE bigpicture.worker_jobs IS
	'the background worker''s jobs: what runs how often, when next, and how the last run went';
REVOKE ALL ON TABLE bigpicture.worker_jobs FROM PUBLIC;
GRANT SELECT ON bigpicture.worker_jobs TO bigpicture_admin, bigpicture_auditor;

-- The jobs are configuration (a DBA may change every job's interval or
-- turn it off), so a dump carries them.
SELECT pg_catalog.pg_extension_config_dump('bigpicture.worker_jobs', '');

-- The default jobs, added where missing: at install, by post_restore() (a
-- dump of 0.1.0 carries no jobs) and by upgrade scripts that add a job.
CREATE FUNCTION bigpicture._install_worker_jobs() RETURNS void
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	INSERT INTO bigpicture.worker_jobs (job, description, every) VALUES
		('retire_expired_keys', 'mark retiring keys whose grace period has ended as retired', interval '1 minute'),
		('refresh_signatures', 're-sign what the active keys did not sign or what is half-way to its exp',
		 interval '1 hour'),
		('renew_due_entitlements', 'extend auto-renewing entitlements that end within a day', interval '1 hour'),
		('advance_rollouts', 'take the next step of rollout plans whose time has come, while their guards hold',
		 interval '1 minute'),
		('entitlement_notices', 'write entitlement.expiring and entitlement.expired events', interval '1 hour'),
		('fold_seat_refusals', 'write entitlement.leases_refused events for the leases refused since the last run',
		 interval '1 minute'),
		('sequence_events', 'give committed outbox events their ids, in order', interval '1 second'),
		('prune_webhook_deliveries', 'forget webhook delivery tries older than 30 days', interval '1 day')
	ON CONFLICT (job) DO NOTHING;
END;
REVOKE ALL ON FUNCTION bigpicture._install_worker_jobs() FROM PUBLIC;
SELECT bigpicture._install_worker_jobs();

-- Does a job's result say it did something (a non-zero count anywhere)?
CREATE FUNCTION bigpicture._job_did_something(result jsonb) RETURNS boolean
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
	RETURN pg_catalog.jsonb_path_exists(result, 'strict $.** ? (@.type() == "number" && @ != 0)')
		OR pg_catalog.jsonb_typeof(result) = 'number' AND result <> '0';

-- Run one job now and record how it went.  An error of the job is caught
-- (its work rolled back), recorded, and retried after a minute at most.
-- Returns {job, ok, result | error, report}: report is the line the worker
-- logs, NULL when the job found nothing to do.
CREATE FUNCTION bigpicture.run_job(job text) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	j bigpicture.worker_jobs;
	started timestamptz := clock_timestamp();
	result jsonb;
	err_state text;
	err_message text;
BEGIN
	SELECT * INTO j FROM bigpicture.worker_jobs w WHERE w.job = run_job.job FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'worker job "%" does not exist', run_job.job USING ERRCODE = 'PT404',
			HINT = 'The jobs are listed in bigpicture.worker_jobs.';
	END IF;
	BEGIN
		EXECUTE format('SELECT to_jsonb(bigpicture.%I())', j.job) INTO result;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT;
		UPDATE bigpicture.worker_jobs w
		   SET last_started_at = started, last_finished_at = clock_timestamp(), last_error = err_state || ': ' || err_message,
			   failures = w.failures + 1, runs = w.runs + 1, next_run_at = now() + least(w.every, interval '1 minute')
		 WHERE w.job = j.job;
		RETURN jsonb_build_object('job', j.job, 'ok', false, 'error', err_state || ': ' || err_message,
			'report', format('job %s failed: %s: %s', j.job, err_state, err_message));
	END;
	UPDATE bigpicture.worker_jobs w
	   SET last_started_at = started, last_finished_at = clock_timestamp(), last_result = result, last_error = NULL,
		   runs = w.runs + 1, next_run_at = now() + w.every
	 WHERE w.job = j.job;
	RETURN jsonb_build_object('job', j.job, 'ok', true, 'result', result,
		'report', CASE WHEN bigpicture._job_did_something(result) THEN format('job %s: %s', j.job, result) END);
END
$$;
COMMENT ON FUNCTION bigpicture.run_job(text) IS
	'run one of the background worker''s jobs now and record the result (or the error, rolled back)';

CREATE FUNCTION bigpicture.run_due_jobs() RETURNS SETOF jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	j text;
BEGIN
	-- A database being restored has rows nobody checked yet (94_restore.sql).
	IF bigpicture._restoring() THEN
		RETURN;
	END IF;
	FOR j IN SELECT w.job FROM bigpicture.worker_jobs w WHERE w.enabled AND w.next_run_at <= now()
			 ORDER BY w.next_run_at, w.job LOOP
		RETURN NEXT bigpicture.run_job(j);
	END LOOP;
END
$$;
COMMENT ON FUNCTION bigpicture.run_due_jobs() IS
	'run every enabled job whose time has come, in one transaction (for pg_cron or another scheduler where the worker does not run)';

CREATE FUNCTION bigpicture.set_worker_job(job text, enabled boolean DEFAULT NULL, every interval DEFAULT NULL)
	RETURNS bigpicture.worker_jobs
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	j bigpicture.worker_jobs;
BEGIN
	IF every IS NOT NULL AND every < interval '1 second' THEN
		RAISE EXCEPTION 'a job runs at most every second' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', every);
	END IF;
	UPDATE bigpicture.worker_jobs w
	   SET enabled = COALESCE(set_worker_job.enabled, w.enabled), every = COALESCE(set_worker_job.every, w.every),
		   next_run_at = CASE WHEN set_worker_job.every IS NOT NULL THEN least(w.next_run_at, now() + set_worker_job.every)
							  ELSE w.next_run_at END
	 WHERE w.job = set_worker_job.job
	RETURNING * INTO j;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'worker job "%" does not exist', set_worker_job.job USING ERRCODE = 'PT404',
			HINT = 'The jobs are listed in bigpicture.worker_jobs.';
	END IF;
	RETURN j;
END
$$;
COMMENT ON FUNCTION bigpicture.set_worker_job(text, boolean, interval) IS
	'enable or disable a background job, or change how often it runs';

GRANT EXECUTE ON FUNCTION bigpicture.run_job(text), bigpicture.run_due_jobs(),
	bigpicture.set_worker_job(text, boolean, interval) TO bigpicture_admin;
