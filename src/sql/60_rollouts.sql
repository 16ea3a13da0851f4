-- Staged rollouts.  A release under a rollout reaches
-- an install only when rollout_bucket(salt, install_id) < percentage (basis
-- points, 0–10000).  Raising the percentage only adds installs; lowering it,
-- or pausing, halts new uptake; nobody is told to downgrade.

CREATE FUNCTION bigpicture.rollout_bucket(salt bytea, install_id text) RETURNS integer
	AS 'MODULE_PATHNAME', 'bigpicture_rollout_bucket' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.rollout_bucket(bytea, text) IS
	'u64_le(BLAKE2b-8(key = salt, msg = install_id as UTF-8)) mod 10000: an install''s bucket in a rollout (0–9999)';

CREATE FUNCTION bigpicture.random_bytes(n integer) RETURNS bytea
	AS 'MODULE_PATHNAME', 'bigpicture_random_bytes' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.random_bytes(integer) IS 'n bytes (1 to 1024) from a cryptographic random generator';

-- A plan is 1 to 20 steps of 1 to 10000 basis points, rising.
CREATE FUNCTION bigpicture._valid_rollout_plan(plan integer[]) RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	RETURN plan IS NULL OR (pg_catalog.cardinality(plan) BETWEEN 1 AND 20 AND pg_catalog.array_ndims(plan) = 1
		AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(plan) WITH ORDINALITY AS s(p, i)
			WHERE p IS NULL OR p NOT BETWEEN 1 AND 10000 OR (i > 1 AND p <= plan[i - 1])));

CREATE TABLE bigpicture.rollouts (
	release_id   text NOT NULL REFERENCES bigpicture.releases ON DELETE CASCADE,
	platform     text CHECK (platform IN ('windows', 'macos', 'linux')),
	percentage   integer NOT NULL CHECK (percentage BETWEEN 0 AND 10000),
	salt         bytea NOT NULL DEFAULT bigpicture.random_bytes(32)
	             CHECK (pg_catalog.length(salt) BETWEEN 16 AND 64),
	paused       boolean NOT NULL DEFAULT false,
	created_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_by   text NOT NULL,
	-- guards (docs/rollouts.md): judged on reports since guard_since
	max_failure_rate double precision CHECK (max_failure_rate BETWEEN 0 AND 1),
	max_crash_rate   double precision CHECK (max_crash_rate BETWEEN 0 AND 1),
	min_sample       integer NOT NULL DEFAULT 100 CHECK (min_sample BETWEEN 1 AND 1000000),
	max_new_per_hour integer CHECK (max_new_per_hour BETWEEN 1 AND 100000000),
	crash_window     interval NOT NULL DEFAULT interval '24 hours'
	                 CHECK (crash_window BETWEEN interval '1 minute' AND interval '30 days'),
	guard_since      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- a plan: percentages in basis points, each step after step_interval
	plan             integer[] CHECK (bigpicture._valid_rollout_plan(plan)),
	step_interval    interval CHECK (step_interval BETWEEN interval '1 second' AND interval '365 days'),
	step             integer,
	stepped_at       timestamptz,
	-- halted by a guard or by hand: no new install enters
	halted_at        timestamptz,
	halt_reason      text,
	halt_evidence    jsonb,
	CONSTRAINT rollouts_target UNIQUE NULLS NOT DISTINCT (release_id, platform),
	CONSTRAINT rollouts_plan CHECK ((plan IS NULL) = (step IS NULL) AND (plan IS NULL) = (step_interval IS NULL)
		AND (step IS NULL OR step BETWEEN 1 AND pg_catalog.cardinality(plan))),
	CONSTRAINT rollouts_halt CHECK ((halted_at IS NULL) = (halt_reason IS NULL))
);
COMMENT ON TABLE bigpicture.rollouts IS
	'staged rollout of a release (optionally per platform): percentage in basis points, the salt of its buckets, paused';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.rollouts', '');
GRANT SELECT ON bigpicture.rollouts TO bigpicture_admin, bigpicture_publisher, bigpicture_approver,
	bigpicture_auditor, bigpicture_mirror;

-- The salt never changes: a new salt would reshuffle who is in the rollout.
CREATE FUNCTION bigpicture.rollouts_guard() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NEW.salt IS DISTINCT FROM OLD.salt OR NEW.release_id IS DISTINCT FROM OLD.release_id
	   OR NEW.platform IS DISTINCT FROM OLD.platform THEN
		RAISE EXCEPTION 'a rollout''s release, platform and salt never change' USING ERRCODE = 'PT409',
			HINT = 'Clear the rollout and set a new one to reshuffle its buckets.';
	END IF;
	NEW.updated_at := now();
	RETURN NEW;
END
$$;
CREATE TRIGGER rollouts_guard BEFORE UPDATE ON bigpicture.rollouts
	FOR EACH ROW EXECUTE FUNCTION bigpicture.rollouts_guard();

CREATE FUNCTION bigpicture.set_rollout(release_id text, percentage integer, platform text DEFAULT NULL,
	paused boolean DEFAULT false) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases;
BEGIN
	SELECT * INTO r FROM bigpicture.releases x WHERE x.release_id = set_rollout.release_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'release "%" does not exist', release_id USING ERRCODE = 'PT404';
	END IF;
	IF r.status IN ('rejected', 'revoked') THEN
		RAISE EXCEPTION 'release % is %; a rollout would have no effect', r.release_id, r.status USING ERRCODE = 'PT409';
	END IF;
	IF percentage IS NULL OR percentage NOT BETWEEN 0 AND 10000 THEN
		RAISE EXCEPTION 'rollout percentage must be 0 to 10000 basis points' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(percentage::text, 'NULL')), HINT = '2500 means 25%.';
	END IF;
	IF platform IS NOT NULL AND platform NOT IN ('windows', 'macos', 'linux') THEN
		RAISE EXCEPTION 'invalid platform "%"', platform USING ERRCODE = '22023', HINT = 'Use windows, macos or linux, or NULL for all.';
	END IF;
	INSERT INTO bigpicture.rollouts AS o (release_id, platform, percentage, salt, paused, updated_by)
	VALUES (r.release_id, set_rollout.platform, set_rollout.percentage, bigpicture.random_bytes(32), COALESCE(set_rollout.paused, false),
		bigpicture.current_actor())
	ON CONFLICT ON CONSTRAINT rollouts_target DO UPDATE
		SET percentage = EXCLUDED.percentage, paused = EXCLUDED.paused, updated_by = EXCLUDED.updated_by;
END
$$;
COMMENT ON FUNCTION bigpicture.set_rollout(text, integer, text, boolean) IS
	'start or change the staged rollout of a release (percentage in basis points), optionally for one platform; the salt is made once';

CREATE FUNCTION bigpicture.clear_rollout(release_id text, platform text DEFAULT NULL) RETURNS boolean
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (DELETE FROM bigpicture.rollouts o
		WHERE o.release_id = clear_rollout.release_id AND o.platform IS NOT DISTINCT FROM clear_rollout.platform
		RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM gone);
END;
COMMENT ON FUNCTION bigpicture.clear_rollout(text, text) IS
	'remove a release''s rollout (for one platform, or the generic one): the release then reaches every install';

GRANT EXECUTE ON FUNCTION bigpicture.set_rollout(text, integer, text, boolean), bigpicture.clear_rollout(text, text)
	TO bigpicture_admin, bigpicture_publisher;
