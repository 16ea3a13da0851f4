-- ---- dry run: what a change would do to the fleet (docs/dry-run.md) ----------------------------

-- Is a dry run making its change?  Then the audit appends nothing (it would
-- be rolled back) and holds no chain's head while the fleet is decided.
CREATE FUNCTION bigpicture._dry_run_active() RETURNS boolean
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_dry_run_active';
COMMENT ON FUNCTION bigpicture._dry_run_active() IS
	'internal: whether a dry run is making its change in this backend (nothing is audited or signed then)';

-- The change, applied for real by the call it names, inside the dry run's
-- subtransaction (which bigpicture.dry_run rolls back): the real call's
-- checks, errors and rights apply, unchanged.  Returns the part of the fleet
-- the change can reach: {"tenant_id": …, "product_id": …}, NULL for "any".
CREATE FUNCTION bigpicture._dry_run_apply(change jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	call text;
	a jsonb;
	allowed text[];
	fn regprocedure;
	k text;
	release_product text;
BEGIN
	IF change IS NULL OR jsonb_typeof(change) <> 'object' OR jsonb_typeof(change -> 'call') IS DISTINCT FROM 'string' THEN
		RAISE EXCEPTION 'a change is a JSON object {"call": "…", "args": {…}}' USING ERRCODE = '22023',
			HINT = 'call is one of set_policy, clear_policy, set_rollout, clear_rollout, set_rollout_plan, '
				'halt_rollout, resume_rollout, submit_release, approve_release, revoke_release.';
	END IF;
	SELECT x INTO k FROM jsonb_object_keys(change) x WHERE x NOT IN ('call', 'args') ORDER BY x LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'unknown field "%" of a change', k USING ERRCODE = '22023', DETAIL = 'A change has call and args.';
	END IF;
	call := change ->> 'call';
	a := COALESCE(change -> 'args', '{}');
	IF jsonb_typeof(a) <> 'object' THEN
		RAISE EXCEPTION 'the args of a change must be a JSON object' USING ERRCODE = '22023';
	END IF;
	CASE call
		WHEN 'set_policy' THEN
			allowed := '{scope,tenant_id,product_id,platform,mode,channel,pinned_range,blocked,maintenance_window,allow_prerelease,expired_entitlement_updates}';
			fn := 'bigpicture.set_policy(text,text,text,text,text,text,bigpicture.semver_range,bigpicture.semver_range[],jsonb,boolean,text)';
		WHEN 'clear_policy' THEN
			allowed := '{scope,tenant_id,product_id,platform}';
			fn := 'bigpicture.clear_policy(text,text,text,text)';
		WHEN 'set_rollout' THEN
			allowed := '{release_id,percentage,platform,paused}';
			fn := 'bigpicture.set_rollout(text,integer,text,boolean)';
		WHEN 'clear_rollout' THEN
			allowed := '{release_id,platform}';
			fn := 'bigpicture.clear_rollout(text,text)';
		WHEN 'set_rollout_plan' THEN
			allowed := '{release_id,plan,step_interval,platform}';
			fn := 'bigpicture.set_rollout_plan(text,integer[],interval,text)';
		WHEN 'halt_rollout' THEN
			allowed := '{release_id,reason,platform}';
			fn := 'bigpicture.halt_rollout(text,text,text)';
		WHEN 'resume_rollout' THEN
			allowed := '{release_id,reason,platform}';
			fn := 'bigpicture.resume_rollout(text,text,text)';
		WHEN 'submit_release' THEN
			allowed := '{release_id}';
			fn := 'bigpicture.submit_release(text)';
		WHEN 'approve_release' THEN
			allowed := '{release_id,comment}';
			fn := 'bigpicture.approve_release(text,text)';
		WHEN 'revoke_release' THEN
			allowed := '{release_id,reason}';
			fn := 'bigpicture.revoke_release(text,text)';
		ELSE
			RAISE EXCEPTION 'a dry run cannot make the change "%"', call USING ERRCODE = '22023',
				HINT = 'call is one of set_policy, clear_policy, set_rollout, clear_rollout, set_rollout_plan, '
					'halt_rollout, resume_rollout, submit_release, approve_release, revoke_release.';
	END CASE;
	SELECT x INTO k FROM jsonb_object_keys(a) x WHERE x <> ALL (allowed) ORDER BY x LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'unknown argument "%" of %', k, call USING ERRCODE = '22023',
			DETAIL = format('Allowed arguments: %s.', array_to_string(allowed, ', '));
	END IF;
	-- The dry run runs with the extension's rights; the change with the caller's.
	IF NOT has_function_privilege(bigpicture.calling_role(), fn, 'EXECUTE') THEN
		RAISE EXCEPTION 'permission denied for function %', call USING ERRCODE = '42501';
	END IF;

	CASE call
		WHEN 'set_policy' THEN
			PERFORM bigpicture.set_policy(a ->> 'scope', a ->> 'tenant_id', a ->> 'product_id', a ->> 'platform',
				a ->> 'mode', a ->> 'channel', (a ->> 'pinned_range')::bigpicture.semver_range,
				CASE WHEN a ? 'blocked' AND a -> 'blocked' <> 'null' THEN
					COALESCE(ARRAY(SELECT x::bigpicture.semver_range FROM jsonb_array_elements_text(a -> 'blocked') x),
						'{}') END,
				a -> 'maintenance_window', (a ->> 'allow_prerelease')::boolean, a ->> 'expired_entitlement_updates');
		WHEN 'clear_policy' THEN
			PERFORM bigpicture.clear_policy(a ->> 'scope', a ->> 'tenant_id', a ->> 'product_id', a ->> 'platform');
		WHEN 'set_rollout' THEN
			PERFORM bigpicture.set_rollout(a ->> 'release_id', (a ->> 'percentage')::integer, a ->> 'platform',
				COALESCE((a ->> 'paused')::boolean, false));
		WHEN 'clear_rollout' THEN
			PERFORM bigpicture.clear_rollout(a ->> 'release_id', a ->> 'platform');
		WHEN 'set_rollout_plan' THEN
			PERFORM bigpicture.set_rollout_plan(a ->> 'release_id',
				ARRAY(SELECT x::integer FROM jsonb_array_elements_text(a -> 'plan') x),
				(a ->> 'step_interval')::interval, a ->> 'platform');
		WHEN 'halt_rollout' THEN
			PERFORM bigpicture.halt_rollout(a ->> 'release_id', a ->> 'reason', a ->> 'platform');
		WHEN 'resume_rollout' THEN
			PERFORM bigpicture.resume_rollout(a ->> 'release_id', a ->> 'reason', a ->> 'platform');
		WHEN 'submit_release' THEN
			PERFORM bigpicture.submit_release(a ->> 'release_id');
		WHEN 'approve_release' THEN
			PERFORM bigpicture.approve_release(a ->> 'release_id', a ->> 'comment');
		WHEN 'revoke_release' THEN
			PERFORM bigpicture.revoke_release(a ->> 'release_id', a ->> 'reason');
	END CASE;

	IF call IN ('set_policy', 'clear_policy') THEN
		RETURN jsonb_build_object(
			'tenant_id', CASE WHEN a ->> 'scope' IN ('tenant', 'tenant_product')
				THEN bigpicture._resolve_tenant(a ->> 'tenant_id') END,
			'product_id', a ->> 'product_id');
	END IF;
	SELECT r.product_id INTO release_product FROM bigpicture.releases r WHERE r.release_id = a ->> 'release_id';
	RETURN jsonb_build_object('tenant_id', NULL, 'product_id', release_product);
END
$$;
COMMENT ON FUNCTION bigpicture._dry_run_apply(jsonb) IS
	'internal: make a dry run''s change through the real call (in the dry run''s subtransaction); returns the tenant and product it can reach';

-- Every known install the change can reach, evaluated with and without it
-- in one snapshot, nothing written and nothing signed.
CREATE FUNCTION bigpicture.dry_run(change jsonb, sample integer DEFAULT 10) RETURNS jsonb
	LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_dry_run';
COMMENT ON FUNCTION bigpicture.dry_run(jsonb, integer) IS
	'what a change (a policy, a rollout, publishing or revoking a release) would do to every known install: decisions before and after, per tenant, with a sample; nothing is written or signed; see docs/dry-run.md';
-- Whoever may change something may ask what the change would do (the
-- change itself is then checked against the caller's own rights).
GRANT EXECUTE ON FUNCTION bigpicture.dry_run(jsonb, integer)
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin;
