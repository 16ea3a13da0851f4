-- The HTTP surface (docs/http.md): the schema bigpicture_api that
-- PostgREST or bigpicture-gateway exposes, one function per route, each a
-- thin SECURITY INVOKER wrapper over the typed SQL API: the caller's role,
-- grants and row-level security decide, exactly as in SQL.  PostgREST's
-- rules decide the shapes:
--   * an entry point that writes is VOLATILE and takes one unnamed jsonb,
--     the POST body (PostgREST passes a body whole only to such a function,
--     and only on POST);
--   * an entry point that only reads is STABLE with named parameters (or
--     none): GET /rpc/f?a=1 and POST {"a": 1} both call f(a := '1'), and
--     PostgREST runs it in a READ ONLY transaction;
--   * no overloads, and no parameter named limit, offset, order, select,
--     columns, on_conflict, and or or (GET reserves those names).
-- bigpicture.api_routes() is the route table; test/pgtap/routes.sql holds
-- these functions to it and to the rules above, openapi() describes it.

CREATE SCHEMA bigpicture_api;
COMMENT ON SCHEMA bigpicture_api IS 'Big Picture over HTTP: RPC functions (routes of bigpicture.api_routes()) and listing views';
REVOKE ALL ON SCHEMA bigpicture_api FROM PUBLIC;
GRANT USAGE ON SCHEMA bigpicture_api TO bigpicture_owner,
	bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin,
	bigpicture_client, bigpicture_mirror, bigpicture_auditor, bigpicture_anon;

-- The request object of a POST entry point, checked: a JSON object with only
-- the allowed members and every required one.  Bad requests are 22023 (HTTP
-- 400) naming the field.  The helpers live in schema bigpicture, not here:
-- PostgREST routes every function of bigpicture_api that a role may execute,
-- and these are no routes.  No leading underscore: in schema bigpicture that
-- means "granted to no one", and these are granted to the roles of the POST
-- routes that call them (the routes run with the caller's rights).
CREATE FUNCTION bigpicture.api_request(req jsonb, allowed text[], required text[] DEFAULT '{}') RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	k text;
BEGIN
	IF req IS NULL OR jsonb_typeof(req) <> 'object' THEN
		RAISE EXCEPTION 'the request must be a JSON object' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(jsonb_typeof(req), 'nothing'));
	END IF;
	SELECT x INTO k FROM jsonb_object_keys(req) x WHERE x <> ALL (allowed) ORDER BY x LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'unknown field "%"', k USING ERRCODE = '22023',
			DETAIL = CASE WHEN cardinality(allowed) = 0 THEN 'This function takes no fields.'
				ELSE format('Allowed fields: %s.', array_to_string(allowed, ', ')) END;
	END IF;
	SELECT x INTO k FROM unnest(required) x WHERE NOT req ? x OR req -> x = 'null' LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'field "%" is required', k USING ERRCODE = '22023',
			DETAIL = format('Required fields: %s.', array_to_string(required, ', '));
	END IF;
	RETURN req;
END
$$;
COMMENT ON FUNCTION bigpicture.api_request(jsonb, text[], text[]) IS
	'bigpicture_api''s check of a POST body: a JSON object with only the allowed fields and every required one, or 22023 naming the field';

-- A member as a text array (a JSON array of strings), or NULL when absent.
CREATE FUNCTION bigpicture.api_text_array(req jsonb, field text) RETURNS text[]
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT req ? field OR req -> field = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(req -> field) <> 'array' OR EXISTS (
			SELECT 1 FROM jsonb_array_elements(req -> field) e WHERE jsonb_typeof(e) <> 'string') THEN
		RAISE EXCEPTION 'field "%" must be an array of strings', field USING ERRCODE = '22023';
	END IF;
	RETURN ARRAY(SELECT jsonb_array_elements_text(req -> field));
END
$$;
COMMENT ON FUNCTION bigpicture.api_text_array(jsonb, text) IS
	'bigpicture_api''s reading of a body field as text[] (a JSON array of strings), or 22023';

-- ---- desktop clients ---------------------------------------------------------------
-- These one-call wrappers carry no SET clause, so the planner inlines them
-- into the calling statement instead of planning their body on every call.
-- A RETURN body is bound when the function is created: no search_path is
-- read when it runs.  (The same holds for entitlement_state, lease_state,
-- _lease_response and _lease_expiry.)

CREATE FUNCTION bigpicture_api.decision(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE
	RETURN bigpicture.check_update($1);
COMMENT ON FUNCTION bigpicture_api.decision(jsonb) IS
	'POST /rpc/decision — signed update decisions for an install (bigpicture.check_update); scope updates:check';

-- The same call declared STABLE, for hot standbys: PostgREST runs a STABLE
-- function in a READ ONLY transaction, which a standby accepts; check_update
-- then signs but writes nothing and answers "recorded": false.
CREATE FUNCTION bigpicture_api.decision_readonly(jsonb) RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN bigpicture.check_update($1);
COMMENT ON FUNCTION bigpicture_api.decision_readonly(jsonb) IS
	'POST /rpc/decision_readonly — decision in a read-only transaction, for standbys: signed, nothing recorded (bigpicture.check_update); scope updates:check';

CREATE FUNCTION bigpicture_api.lease(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE
	RETURN bigpicture.issue_lease($1);
COMMENT ON FUNCTION bigpicture_api.lease(jsonb) IS
	'POST /rpc/lease — take a seat: a signed lease (bigpicture.issue_lease); scope licenses:lease';

CREATE FUNCTION bigpicture_api.lease_renew(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE
	RETURN bigpicture.renew_lease($1);
COMMENT ON FUNCTION bigpicture_api.lease_renew(jsonb) IS
	'POST /rpc/lease_renew — extend a lease, next in its chain (bigpicture.renew_lease); scope licenses:lease';

CREATE FUNCTION bigpicture_api.lease_release(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE
	RETURN bigpicture.release_lease($1);
COMMENT ON FUNCTION bigpicture_api.lease_release(jsonb) IS
	'POST /rpc/lease_release — give a seat back (bigpicture.release_lease); scope licenses:lease';

-- The fields of bigpicture.license_status; without a subject, the tenant's
-- entitlements to the product and their seats.
CREATE FUNCTION bigpicture_api.license_status(product_id text, subject_type text DEFAULT NULL, subject_id text DEFAULT NULL,
	install_id text DEFAULT NULL, tenant_id text DEFAULT NULL) RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN bigpicture.license_status(jsonb_strip_nulls(jsonb_build_object('product_id', product_id,
		'subject_type', subject_type, 'subject_id', subject_id, 'install_id', install_id, 'tenant_id', tenant_id)));
COMMENT ON FUNCTION bigpicture_api.license_status(text, text, text, text, text) IS
	'GET or POST /rpc/license_status — may this subject run the product now (bigpicture.license_status); scope licenses:lease';

CREATE FUNCTION bigpicture_api.lease_revocations(tenant_id text DEFAULT NULL) RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN jsonb_build_object('lease_revocations', bigpicture.lease_revocations(tenant_id));
COMMENT ON FUNCTION bigpicture_api.lease_revocations(text) IS
	'GET or POST /rpc/lease_revocations — the signed list of revoked leases not yet expired (bigpicture.lease_revocations); scope licenses:lease';

-- keysets: the same key set signed by each root key in service, so that a
-- client which pinned only the retiring root follows a root rotation.
CREATE FUNCTION bigpicture_api.keyset() RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN (SELECT jsonb_build_object(
		'keyset', COALESCE(max(t.token) FILTER (WHERE t.state = 'active'), bigpicture.keyset()),
		'keysets', COALESCE(jsonb_agg(t.token ORDER BY t.state <> 'active', t.kid), '[]'))
	  FROM bigpicture.keyset_tokens() t);
COMMENT ON FUNCTION bigpicture_api.keyset() IS
	'GET or POST /rpc/keyset — the key set token signed by the active root key, and keysets, the key set signed by each root key in service (bigpicture.keyset_tokens); anyone, no scope';

-- ---- rollouts (docs/rollouts.md) -------------------------------------------------------------

CREATE FUNCTION bigpicture_api.report(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE
	RETURN bigpicture.report($1);
COMMENT ON FUNCTION bigpicture_api.report(jsonb) IS
	'POST /rpc/report — what happened after a decision: downloaded … crashed (bigpicture.report); scope updates:check';

CREATE FUNCTION bigpicture_api.rollout_health(release_id text, group_by text DEFAULT NULL, platform text DEFAULT NULL)
	RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN bigpicture.rollout_health(release_id, group_by, platform);
COMMENT ON FUNCTION bigpicture_api.rollout_health(text, text, text) IS
	'GET or POST /rpc/rollout_health — outcome counts and rates with confidence bounds (bigpicture.rollout_health); scope rollouts:read';

CREATE FUNCTION bigpicture_api.dry_run(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{change,sample}', '{change}');
BEGIN
	IF req ? 'sample' AND jsonb_typeof(req -> 'sample') <> 'number' THEN
		RAISE EXCEPTION 'field "sample" must be a whole number' USING ERRCODE = '22023';
	END IF;
	RETURN bigpicture.dry_run(req -> 'change', COALESCE((req ->> 'sample')::numeric::integer, 10));
END
$$;
COMMENT ON FUNCTION bigpicture_api.dry_run(jsonb) IS
	'POST /rpc/dry_run — what a change would do to the fleet, nothing written or signed (bigpicture.dry_run); scope policies:write or rollouts:write';

CREATE FUNCTION bigpicture_api.rollout_set(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{release_id,percentage,platform,paused}', '{release_id,percentage}');
BEGIN
	IF jsonb_typeof(req -> 'percentage') <> 'number' THEN
		RAISE EXCEPTION 'field "percentage" must be a whole number of basis points' USING ERRCODE = '22023';
	END IF;
	PERFORM bigpicture.set_rollout(req ->> 'release_id', (req ->> 'percentage')::numeric::integer, req ->> 'platform',
		COALESCE((req ->> 'paused')::boolean, false));
	RETURN bigpicture.rollout_health(req ->> 'release_id', NULL, req ->> 'platform') -> 'rollout';
END
$$;
COMMENT ON FUNCTION bigpicture_api.rollout_set(jsonb) IS
	'POST /rpc/rollout_set — start or change a staged rollout (bigpicture.set_rollout); scope rollouts:write';

CREATE FUNCTION bigpicture_api.rollout_guards(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.set_rollout_guards(
		bigpicture.api_request($1, '{release_id,platform,max_failure_rate,max_crash_rate,min_sample,max_new_per_hour,crash_window}',
			'{release_id}') ->> 'release_id',
		($1 ->> 'max_failure_rate')::double precision, ($1 ->> 'max_crash_rate')::double precision,
		COALESCE(($1 ->> 'min_sample')::integer, 100), ($1 ->> 'max_new_per_hour')::integer,
		COALESCE(($1 ->> 'crash_window')::interval, interval '24 hours'), $1 ->> 'platform');
COMMENT ON FUNCTION bigpicture_api.rollout_guards(jsonb) IS
	'POST /rpc/rollout_guards — the limits that halt a rollout (bigpicture.set_rollout_guards); scope rollouts:write';

CREATE FUNCTION bigpicture_api.rollout_plan(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.set_rollout_plan(
		bigpicture.api_request($1, '{release_id,platform,plan,step_interval}', '{release_id}') ->> 'release_id',
		ARRAY(SELECT x::integer FROM jsonb_array_elements_text(CASE jsonb_typeof($1 -> 'plan') WHEN 'array' THEN $1 -> 'plan'
			END) WITH ORDINALITY e(x, i) ORDER BY i),
		($1 ->> 'step_interval')::interval, $1 ->> 'platform');
COMMENT ON FUNCTION bigpicture_api.rollout_plan(jsonb) IS
	'POST /rpc/rollout_plan — rising percentages stepped by the worker (bigpicture.set_rollout_plan); scope rollouts:write';

CREATE FUNCTION bigpicture_api.rollout_halt(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.halt_rollout(bigpicture.api_request($1, '{release_id,platform,reason}', '{release_id,reason}') ->> 'release_id',
		$1 ->> 'reason', $1 ->> 'platform');
COMMENT ON FUNCTION bigpicture_api.rollout_halt(jsonb) IS
	'POST /rpc/rollout_halt — halt a rollout by hand (bigpicture.halt_rollout); scope rollouts:write';

CREATE FUNCTION bigpicture_api.rollout_resume(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.resume_rollout(bigpicture.api_request($1, '{release_id,platform,reason}', '{release_id,reason}') ->> 'release_id',
		$1 ->> 'reason', $1 ->> 'platform');
COMMENT ON FUNCTION bigpicture_api.rollout_resume(jsonb) IS
	'POST /rpc/rollout_resume — resume a halted rollout, with a reason (bigpicture.resume_rollout); scope releases:approve';

-- ---- events (docs/events.md) ---------------------------------------------------------------

CREATE FUNCTION bigpicture_api.events(after_id bigint DEFAULT 0, max_events integer DEFAULT 100, types text[] DEFAULT NULL)
	RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object('event_id', e.event_id, 'type', e.type, 'tenant_id', e.tenant_id,
		'created_at', bigpicture.rfc3339(e.created_at), 'payload', e.payload) ORDER BY e.event_id), '[]')
		FROM bigpicture.events_after(after_id, max_events, types) e);
COMMENT ON FUNCTION bigpicture_api.events(bigint, integer, text[]) IS
	'GET or POST /rpc/events — the outbox after a cursor, oldest first (bigpicture.events_after); scope events:read';

-- ---- webhooks (docs/events.md) ---------------------------------------------------------------

CREATE FUNCTION bigpicture_api.webhooks() RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object('subscription_id', w.subscription_id, 'tenant_id', w.tenant_id,
		'url', w.url, 'event_types', to_jsonb(w.event_types), 'enabled', w.enabled, 'max_attempts', w.max_attempts,
		'previous_valid_until', bigpicture.rfc3339(w.previous_valid_until), 'after_event_id', w.after_event_id,
		'attempts', w.attempts, 'next_attempt_at', bigpicture.rfc3339(w.next_attempt_at), 'last_status', w.last_status,
		'last_error', w.last_error, 'dead_letters', w.dead_letters, 'created_at', bigpicture.rfc3339(w.created_at),
		'created_by', w.created_by) ORDER BY w.subscription_id), '[]')
		FROM bigpicture.webhooks w);
COMMENT ON FUNCTION bigpicture_api.webhooks() IS
	'GET or POST /rpc/webhooks — the subscriptions you may see, with where their delivery stands (bigpicture.webhooks); scope webhooks:read';

CREATE FUNCTION bigpicture_api.webhook_create(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.create_webhook(
		bigpicture.api_request($1, '{url,event_types,tenant_id,max_attempts,secret,subscription_id}', '{url}') ->> 'url',
		COALESCE(bigpicture.api_text_array($1, 'event_types'), '{}'), $1 ->> 'tenant_id',
		COALESCE(($1 ->> 'max_attempts')::integer, 10), $1 ->> 'secret', $1 ->> 'subscription_id');
COMMENT ON FUNCTION bigpicture_api.webhook_create(jsonb) IS
	'POST /rpc/webhook_create — subscribe an endpoint; the answer holds its secret, shown only then (bigpicture.create_webhook); scope webhooks:write';

CREATE FUNCTION bigpicture_api.webhook_update(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.set_webhook(
		bigpicture.api_request($1, '{subscription_id,url,event_types,enabled,max_attempts}', '{subscription_id}')
			->> 'subscription_id',
		$1 ->> 'url', bigpicture.api_text_array($1, 'event_types'), ($1 ->> 'enabled')::boolean,
		($1 ->> 'max_attempts')::integer);
COMMENT ON FUNCTION bigpicture_api.webhook_update(jsonb) IS
	'POST /rpc/webhook_update — change a subscription''s URL, types, enabled or max_attempts (bigpicture.set_webhook); scope webhooks:write';

CREATE FUNCTION bigpicture_api.webhook_rotate_secret(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.rotate_webhook_secret(
		bigpicture.api_request($1, '{subscription_id,previous_valid}', '{subscription_id}') ->> 'subscription_id',
		COALESCE(($1 ->> 'previous_valid')::interval, interval '24 hours'));
COMMENT ON FUNCTION bigpicture_api.webhook_rotate_secret(jsonb) IS
	'POST /rpc/webhook_rotate_secret — a new secret, shown only now; the old one signs too for previous_valid (bigpicture.rotate_webhook_secret); scope webhooks:write';

CREATE FUNCTION bigpicture_api.webhook_delete(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('subscription_id', $1 ->> 'subscription_id', 'deleted', bigpicture.delete_webhook(
		bigpicture.api_request($1, '{subscription_id}', '{subscription_id}') ->> 'subscription_id'));
COMMENT ON FUNCTION bigpicture_api.webhook_delete(jsonb) IS
	'POST /rpc/webhook_delete — remove a subscription and its log (bigpicture.delete_webhook); scope webhooks:write';

CREATE FUNCTION bigpicture_api.webhook_deliveries(subscription_id text, max_rows integer DEFAULT 100) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF max_rows IS NULL OR max_rows NOT BETWEEN 1 AND 10000 THEN
		RAISE EXCEPTION 'max_rows must be between 1 and 10000' USING ERRCODE = '22023';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM bigpicture.webhooks w WHERE w.subscription_id = webhook_deliveries.subscription_id) THEN
		RAISE EXCEPTION 'webhook subscription "%" does not exist', subscription_id USING ERRCODE = 'PT404';
	END IF;
	RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object('delivery_id', d.delivery_id, 'event_id', d.event_id,
		'attempt', d.attempt, 'outcome', d.outcome, 'http_status', d.http_status, 'error', d.error,
		'duration_ms', d.duration_ms, 'attempted_at', bigpicture.rfc3339(d.attempted_at)) ORDER BY d.delivery_id DESC), '[]')
		FROM (SELECT * FROM bigpicture.webhook_deliveries x WHERE x.subscription_id = webhook_deliveries.subscription_id
			  ORDER BY x.delivery_id DESC LIMIT max_rows) d);
END
$$;
COMMENT ON FUNCTION bigpicture_api.webhook_deliveries(text, integer) IS
	'GET or POST /rpc/webhook_deliveries — a subscription''s delivery log, newest first; dead letters have outcome dead; scope webhooks:read';

-- ---- mirrors ----------------------------------------------------------------------------

CREATE FUNCTION bigpicture_api.snapshot_latest(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{tenant_id,mirror_id}');
	s bigpicture.snapshots := bigpicture.latest_snapshot(req ->> 'tenant_id', req ->> 'mirror_id');
BEGIN
	RETURN jsonb_build_object('tenant_id', s.tenant_id, 'seq', s.seq, 'created_at', bigpicture.rfc3339(s.created_at),
		'expires_at', bigpicture.rfc3339(s.expires_at), 'content_hash', s.content_hash, 'token', s.token);
END
$$;
COMMENT ON FUNCTION bigpicture_api.snapshot_latest(jsonb) IS
	'POST /rpc/snapshot_latest — the newest signed snapshot of the tenant; with mirror_id, records the sync (bigpicture.latest_snapshot); scope mirror:sync';

-- ---- releases (vendor CI and approvers) --------------------------------------------------

CREATE FUNCTION bigpicture_api.release_create(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{product_id,version,channel,notes,metadata,critical,release_id}',
		'{product_id,version,channel}');
BEGIN
	RETURN jsonb_build_object('release_id', bigpicture.create_release(req ->> 'product_id', req ->> 'version',
		req ->> 'channel', COALESCE(req ->> 'notes', ''), COALESCE(req -> 'metadata', '{}'),
		COALESCE((req ->> 'critical')::boolean, false), req ->> 'release_id'), 'status', 'draft');
END
$$;
COMMENT ON FUNCTION bigpicture_api.release_create(jsonb) IS
	'POST /rpc/release_create — a draft release (bigpicture.create_release); scope releases:write';

CREATE FUNCTION bigpicture_api.release_attach(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{release_id,artifact_id,artifact}', '{release_id}');
	a jsonb;
	id text := req ->> 'artifact_id';
BEGIN
	IF (req ? 'artifact') = (req ? 'artifact_id') THEN
		RAISE EXCEPTION 'give either artifact_id or artifact' USING ERRCODE = '22023',
			DETAIL = 'artifact_id attaches an existing artifact; artifact creates one and attaches it.';
	END IF;
	IF req ? 'artifact' THEN
		a := bigpicture.api_request(req -> 'artifact', '{product_id,url,sha256,size,platform,arch,installer_type,'
			'requires_admin,install_scope,source_type,artifact_id}', '{url,sha256,size,platform,arch,installer_type}');
		id := bigpicture.create_artifact(COALESCE(a ->> 'product_id',
				(SELECT r.product_id FROM bigpicture.releases r WHERE r.release_id = req ->> 'release_id')),
			a ->> 'url', a ->> 'sha256', (a ->> 'size')::bigint, a ->> 'platform', a ->> 'arch', a ->> 'installer_type',
			COALESCE((a ->> 'requires_admin')::boolean, false), COALESCE(a ->> 'install_scope', 'user'),
			COALESCE(a ->> 'source_type', 'EXTERNAL'), a ->> 'artifact_id');
	END IF;
	PERFORM bigpicture.attach_artifact(req ->> 'release_id', id);
	RETURN jsonb_build_object('release_id', req ->> 'release_id', 'artifact_id', id);
END
$$;
COMMENT ON FUNCTION bigpicture_api.release_attach(jsonb) IS
	'POST /rpc/release_attach — attach an artifact (existing, or described in "artifact") to a draft (bigpicture.attach_artifact); scope releases:write';

CREATE FUNCTION bigpicture_api.release_submit(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('release_id', bigpicture.api_request($1, '{release_id}', '{release_id}') ->> 'release_id',
		'status', bigpicture.submit_release($1 ->> 'release_id'));
COMMENT ON FUNCTION bigpicture_api.release_submit(jsonb) IS
	'POST /rpc/release_submit — submit a draft; published at once when no approval is needed (bigpicture.submit_release); scope releases:write';

CREATE FUNCTION bigpicture_api.release_approve(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('release_id', bigpicture.api_request($1, '{release_id,comment}', '{release_id}') ->> 'release_id',
		'status', bigpicture.approve_release($1 ->> 'release_id', $1 ->> 'comment'));
COMMENT ON FUNCTION bigpicture_api.release_approve(jsonb) IS
	'POST /rpc/release_approve — approve a release awaiting approval (bigpicture.approve_release); scope releases:approve';

CREATE FUNCTION bigpicture_api.release_reject(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{release_id,reason}', '{release_id,reason}');
BEGIN
	PERFORM bigpicture.reject_release(req ->> 'release_id', req ->> 'reason');
	RETURN jsonb_build_object('release_id', req ->> 'release_id', 'status', 'rejected');
END
$$;
COMMENT ON FUNCTION bigpicture_api.release_reject(jsonb) IS
	'POST /rpc/release_reject — reject a release awaiting approval (bigpicture.reject_release); scope releases:approve';

CREATE FUNCTION bigpicture_api.release_revoke(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{release_id,reason}', '{release_id,reason}');
BEGIN
	PERFORM bigpicture.revoke_release(req ->> 'release_id', req ->> 'reason');
	RETURN jsonb_build_object('release_id', req ->> 'release_id', 'status', 'revoked');
END
$$;
COMMENT ON FUNCTION bigpicture_api.release_revoke(jsonb) IS
	'POST /rpc/release_revoke — withdraw a published release (bigpicture.revoke_release); scope releases:revoke';

-- ---- policy --------------------------------------------------------------------------------

CREATE FUNCTION bigpicture_api.policy_get(scope text, tenant_id text DEFAULT NULL, product_id text DEFAULT NULL,
	platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN COALESCE(bigpicture.get_policy(scope, tenant_id, product_id, platform), 'null');
COMMENT ON FUNCTION bigpicture_api.policy_get(text, text, text, text) IS
	'GET or POST /rpc/policy_get — the stored policy of a scope, or null (bigpicture.get_policy); scope policies:read';

CREATE FUNCTION bigpicture_api.policy_put(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{scope,tenant_id,product_id,platform,mode,channel,pinned_range,blocked,'
		'maintenance_window,allow_prerelease,expired_entitlement_updates}', '{scope}');
BEGIN
	PERFORM bigpicture.set_policy(req ->> 'scope', req ->> 'tenant_id', req ->> 'product_id', req ->> 'platform',
		req ->> 'mode', req ->> 'channel', (req ->> 'pinned_range')::bigpicture.semver_range,
		bigpicture.api_text_array(req, 'blocked')::bigpicture.semver_range[], req -> 'maintenance_window',
		(req ->> 'allow_prerelease')::boolean, req ->> 'expired_entitlement_updates');
	RETURN COALESCE(bigpicture.get_policy(req ->> 'scope', req ->> 'tenant_id', req ->> 'product_id', req ->> 'platform'),
		'null');
END
$$;
COMMENT ON FUNCTION bigpicture_api.policy_put(jsonb) IS
	'POST /rpc/policy_put — set the policy of a scope and return it (bigpicture.set_policy); scope policies:write';

-- ---- entitlements and usage ---------------------------------------------------------------------

CREATE FUNCTION bigpicture_api.entitlement_create(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{tenant_id,product_id,type,max_seats,features,starts_at,ends_at,'
		'auto_renew,renewal_days,default_lease_duration,max_lease_duration,entitlement_id}',
		'{tenant_id,product_id,type}');
BEGIN
	RETURN jsonb_build_object('entitlement_id', bigpicture.create_entitlement(req ->> 'tenant_id', req ->> 'product_id',
		req ->> 'type', (req ->> 'max_seats')::integer, COALESCE(bigpicture.api_text_array(req, 'features'), '{}'),
		(req ->> 'starts_at')::timestamptz, (req ->> 'ends_at')::timestamptz,
		COALESCE((req ->> 'auto_renew')::boolean, false), COALESCE((req ->> 'renewal_days')::integer, 365),
		COALESCE((req ->> 'default_lease_duration')::interval, '1 day'),
		COALESCE((req ->> 'max_lease_duration')::interval, '7 days'), req ->> 'entitlement_id'));
END
$$;
COMMENT ON FUNCTION bigpicture_api.entitlement_create(jsonb) IS
	'POST /rpc/entitlement_create — license a product to a tenant (bigpicture.create_entitlement); scope entitlements:admin';

CREATE FUNCTION bigpicture_api.entitlement_update(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{entitlement_id,ends_at,max_seats,features,auto_renew,clear_ends_at,'
		'status,reason}', '{entitlement_id}');
BEGIN
	IF req ?| '{ends_at,max_seats,features,auto_renew,clear_ends_at}' THEN
		PERFORM bigpicture.update_entitlement(req ->> 'entitlement_id', (req ->> 'ends_at')::timestamptz,
			(req ->> 'max_seats')::integer, bigpicture.api_text_array(req, 'features'), (req ->> 'auto_renew')::boolean,
			COALESCE((req ->> 'clear_ends_at')::boolean, false));
	END IF;
	IF req ? 'status' THEN
		PERFORM bigpicture.set_entitlement_status(req ->> 'entitlement_id', req ->> 'status', req ->> 'reason');
	END IF;
	RETURN (SELECT to_jsonb(e) FROM bigpicture.list_entitlements() e WHERE e.entitlement_id = req ->> 'entitlement_id');
END
$$;
COMMENT ON FUNCTION bigpicture_api.entitlement_update(jsonb) IS
	'POST /rpc/entitlement_update — change an entitlement''s end, seats, features, renewal or status (bigpicture.update_entitlement, set_entitlement_status); scope entitlements:admin';

CREATE FUNCTION bigpicture_api.usage("from" timestamptz, "to" timestamptz, tenant_id text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF usage."from" IS NULL OR usage."to" IS NULL THEN
		RAISE EXCEPTION 'field "%" is required', CASE WHEN usage."from" IS NULL THEN 'from' ELSE 'to' END
			USING ERRCODE = '22023', DETAIL = 'Required fields: from, to.';
	END IF;
	RETURN COALESCE((SELECT jsonb_agg(to_jsonb(u) ORDER BY u.entitlement_id)
		FROM bigpicture.license_usage_report(usage.tenant_id, usage."from", usage."to") u), '[]');
END
$$;
COMMENT ON FUNCTION bigpicture_api.usage(timestamptz, timestamptz, text) IS
	'GET or POST /rpc/usage — per entitlement over [from, to): leases, peak and average concurrency (bigpicture.license_usage_report); scope usage:read';

-- max_events, not limit: GET /rpc/audit?limit=5 is PostgREST's own row limit
-- (a reserved query parameter), which never reaches a function.
CREATE FUNCTION bigpicture_api.audit(chain_id text DEFAULT NULL, event_type text DEFAULT NULL, actor text DEFAULT NULL,
	"from" timestamptz DEFAULT NULL, "to" timestamptz DEFAULT NULL, max_events integer DEFAULT 100) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n integer := COALESCE(audit.max_events, 100);
BEGIN
	IF n NOT BETWEEN 1 AND 10000 THEN
		RAISE EXCEPTION 'max_events must be between 1 and 10000' USING ERRCODE = '22023';
	END IF;
	RETURN COALESCE((SELECT jsonb_agg(to_jsonb(e) - '{prev_hash,hash}'::text[]
			|| jsonb_build_object('hash', encode(e.hash, 'hex')) ORDER BY e.occurred_at DESC, e.seq DESC, e.chain_id)
		FROM (SELECT * FROM bigpicture.audit_log(audit.chain_id, audit.event_type, audit.actor, audit."from", audit."to") x
			ORDER BY x.occurred_at DESC, x.seq DESC LIMIT n) e), '[]');
END
$$;
COMMENT ON FUNCTION bigpicture_api.audit(text, text, text, timestamptz, timestamptz, integer) IS
	'GET or POST /rpc/audit — audit events you may read, newest first, at most max_events (bigpicture.audit_log); scope audit:read';

-- ---- listings: views that run with the caller's rights ---------------------------------------------

CREATE VIEW bigpicture_api.releases WITH (security_invoker = true) AS
SELECT release_id, product_id, version::text AS version, channel, status, critical, notes, created_at, published_at,
	   revoked_at, revoked_reason, release_token
FROM bigpicture.releases;
CREATE VIEW bigpicture_api.entitlements WITH (security_invoker = true) AS
SELECT tenant_id, entitlement_id, product_id, type, max_seats, features, starts_at, ends_at, status, auto_renew
FROM bigpicture.entitlements;
CREATE VIEW bigpicture_api.public_keys WITH (security_invoker = true) AS
SELECT kid, purpose, tenant_id, public_key, state, valid_from, valid_until FROM bigpicture.public_keys;
CREATE VIEW bigpicture_api.mirrors WITH (security_invoker = true) AS
SELECT tenant_id, mirror_id, name, status, last_sync_at, last_error, last_snapshot_seq FROM bigpicture.mirrors;
CREATE VIEW bigpicture_api.snapshots WITH (security_invoker = true) AS
SELECT tenant_id, seq, created_at, expires_at, content_hash, reason FROM bigpicture.snapshots;
COMMENT ON VIEW bigpicture_api.releases IS 'GET /releases — the catalog''s releases (vendor roles and mirrors)';
COMMENT ON VIEW bigpicture_api.entitlements IS 'GET /entitlements — entitlements you may read (row-level security)';
COMMENT ON VIEW bigpicture_api.public_keys IS 'GET /public_keys — public signing keys';
COMMENT ON VIEW bigpicture_api.mirrors IS 'GET /mirrors — mirrors you may read, with status and last sync';
COMMENT ON VIEW bigpicture_api.snapshots IS 'GET /snapshots — snapshots you may read, without their tokens';
GRANT SELECT ON bigpicture_api.releases TO bigpicture_admin, bigpicture_publisher, bigpicture_approver,
	bigpicture_auditor, bigpicture_mirror;
GRANT SELECT ON bigpicture_api.entitlements, bigpicture_api.mirrors, bigpicture_api.snapshots
	TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;
GRANT SELECT ON bigpicture_api.mirrors, bigpicture_api.snapshots TO bigpicture_mirror;
GRANT SELECT ON bigpicture_api.public_keys TO bigpicture_admin, bigpicture_publisher, bigpicture_approver,
	bigpicture_tenant_admin, bigpicture_client, bigpicture_mirror, bigpicture_auditor;

-- ---- the route table ---------------------------------------------------------------------------------
-- Every route of the schema, in one place: docs/http.md's table lists the
-- same routes (test/http/run compares them), test/pgtap/routes.sql holds
-- each function to PostgREST's rules for its methods, and openapi() is built
-- from it.  request: the JSON Schema of the body of a single-jsonb entry
-- point; for one with named parameters, extra JSON Schema keywords per
-- parameter (the types and which are required come from pg_proc).
-- response: the JSON Schema of the 200 body.  The roles are the grants.
CREATE FUNCTION bigpicture.api_routes() RETURNS TABLE (function text, methods text[], path text, request jsonb, response jsonb)
	LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
	-- "$name" (a JSON string) stands for the shared schema of that name in s;
	-- s is in dependency order (a schema may name only those before it), and
	-- the names are replaced last first.
	WITH RECURSIVE s(n, name, schema) AS (SELECT row_number() OVER (), v.name, v.schema FROM (VALUES
		('id', '{"type": "string", "minLength": 1, "maxLength": 128}'),
		('id_opt', '{"type": "string", "minLength": 1, "maxLength": 128, "nullable": true}'),
		('str_opt', '{"type": "string", "nullable": true}'),
		('time', '{"type": "string", "format": "date-time"}'),
		('time_null', '{"type": "string", "format": "date-time", "nullable": true}'),
		('strings_opt', '{"type": "array", "items": {"type": "string"}, "nullable": true}'),
		('release_status', '{"type": "object", "required": ["release_id", "status"], "properties": {
			"release_id": {"type": "string"}, "status": {"type": "string",
			"enum": ["draft", "pending_approval", "published", "rejected", "revoked"]}}}'),
		('lease', '{"type": "object", "required": ["lease_id", "entitlement_id", "product_id", "subject", "expires_at", "token"],
			"properties": {"lease_id": {"type": "string"}, "entitlement_id": {"type": "string"}, "product_id": {"type": "string"},
			"subject": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"},
			"token": {"type": "string", "pattern": "^v4\\.public\\."}, "renewed": {"type": "boolean"}}}'),
		('policy', '{"type": "object", "required": ["policy_id"], "properties": {"policy_id": {"type": "string"},
			"tenant_id": {"type": "string", "nullable": true}, "product_id": {"type": "string", "nullable": true},
			"platform": {"type": "string", "nullable": true}, "mode": {"type": "string", "nullable": true},
			"channel": {"type": "string", "nullable": true}, "pinned_range": {"type": "string", "nullable": true},
			"blocked": {"type": "array", "items": {"type": "string"}, "nullable": true},
			"maintenance_window": {"type": "object", "nullable": true}, "allow_prerelease": {"type": "boolean", "nullable": true},
			"expired_entitlement_updates": {"type": "string", "nullable": true},
			"updated_at": {"type": "string", "format": "date-time"}, "updated_by": {"type": "string"}}}'),
		('policy_or_null', '{"type": "object", "nullable": true, "required": ["policy_id"], "properties": {"policy_id": {"type": "string"},
			"tenant_id": {"type": "string", "nullable": true}, "product_id": {"type": "string", "nullable": true},
			"platform": {"type": "string", "nullable": true}, "mode": {"type": "string", "nullable": true},
			"channel": {"type": "string", "nullable": true}, "pinned_range": {"type": "string", "nullable": true},
			"blocked": {"type": "array", "items": {"type": "string"}, "nullable": true},
			"maintenance_window": {"type": "object", "nullable": true}, "allow_prerelease": {"type": "boolean", "nullable": true},
			"expired_entitlement_updates": {"type": "string", "nullable": true},
			"updated_at": {"type": "string", "format": "date-time"}, "updated_by": {"type": "string"}}}'),
		('rollout', '{"type": "object", "required": ["release_id", "percentage", "paused", "halted", "guards"], "properties": {
			"release_id": {"type": "string"}, "platform": {"type": "string", "nullable": true},
			"percentage": {"type": "integer", "description": "basis points"}, "paused": {"type": "boolean"},
			"halted": {"type": "boolean"}, "halted_at": "$time_null", "halt_reason": {"type": "string", "nullable": true},
			"halt_evidence": {"type": "object", "nullable": true}, "guards": {"type": "object"},
			"plan": {"type": "array", "items": {"type": "integer"}, "nullable": true},
			"step": {"type": "integer", "nullable": true}, "step_interval": {"type": "string", "nullable": true},
			"stepped_at": "$time_null", "next_step_at": "$time_null"}}'),
		('decision_request', '{"type": "object", "additionalProperties": false, "required": ["platform", "arch", "products"],
			"properties": {
				"install_id": {"type": "string", "minLength": 1, "maxLength": 128, "nullable": true},
				"tenant_id": {"type": "string", "minLength": 1, "maxLength": 128, "nullable": true},
				"nonce": {"type": "string", "minLength": 1, "maxLength": 128, "nullable": true},
				"platform": {"type": "string", "enum": ["windows", "macos", "linux"]},
				"arch": {"type": "string", "enum": ["x86_64", "x86", "arm64"]},
				"capabilities": {"type": "object", "nullable": true, "additionalProperties": false, "properties": {
					"can_elevate": {"type": "boolean"}, "vdi": {"type": "boolean"},
					"install_scope": {"type": "string", "enum": ["user", "machine"]},
					"installer_types": {"type": "array", "items": {"type": "string"}}}},
				"products": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"type": "object",
					"additionalProperties": false, "required": ["product_id"], "properties": {
					"product_id": {"type": "string", "minLength": 1, "maxLength": 128},
					"current_version": {"type": "string", "nullable": true},
					"channel": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,31}$", "nullable": true}}}}}}'),
		('decision_response', '{"type": "object", "required": ["decisions", "retry_after", "recorded"], "properties": {
			"decisions": {"type": "array", "items": {"type": "object", "required": ["product_id", "action", "version", "token"],
				"properties": {"product_id": {"type": "string"}, "action": {"type": "string"},
				"version": {"type": "string", "nullable": true}, "token": {"type": "string", "pattern": "^v4\\.public\\."}}}},
			"retry_after": {"type": "integer"},
			"recorded": {"type": "boolean", "description": "false when nothing was written: a read-only transaction or a standby"}}}'),
		('webhook', '{"type": "object", "required": ["subscription_id", "url", "event_types", "enabled", "max_attempts"],
			"properties": {"subscription_id": {"type": "string"}, "tenant_id": {"type": "string", "nullable": true},
			"url": {"type": "string"}, "event_types": {"type": "array", "items": {"type": "string"}},
			"enabled": {"type": "boolean"}, "max_attempts": {"type": "integer"}, "previous_valid_until": "$time_null",
			"after_event_id": {"type": "integer"}, "attempts": {"type": "integer"}, "next_attempt_at": "$time_null",
			"last_status": {"type": "integer", "nullable": true}, "last_error": {"type": "string", "nullable": true},
			"dead_letters": {"type": "integer"}, "created_at": "$time", "created_by": {"type": "string"},
			"updated_at": "$time"}}')
		) v(name, schema)
	), r(function, methods, path, request, response) AS (VALUES

		('decision', '{POST}'::text[], '/rpc/decision', '"$decision_request"', '"$decision_response"'),
		('decision_readonly', '{POST}', '/rpc/decision_readonly', '"$decision_request"', '"$decision_response"'),
		('lease', '{POST}', '/rpc/lease', '{"type": "object", "additionalProperties": false,
			"required": ["product_id", "subject_type", "subject_id"], "properties": {"product_id": "$id",
			"subject_type": {"type": "string", "enum": ["user", "machine"]}, "subject_id": "$id",
			"install_id": "$id_opt", "tenant_id": "$id_opt",
			"duration": {"type": "integer", "minimum": 1, "maximum": 31622400, "nullable": true,
				"description": "seconds; at most the entitlement''s maximum"}}}', '"$lease"'),
		('lease_renew', '{POST}', '/rpc/lease_renew', '{"type": "object", "additionalProperties": false,
			"required": ["lease_id"], "properties": {"lease_id": "$id", "tenant_id": "$id_opt",
			"duration": {"type": "integer", "minimum": 1, "maximum": 31622400, "nullable": true}}}', '"$lease"'),
		('lease_release', '{POST}', '/rpc/lease_release', '{"type": "object", "additionalProperties": false,
			"required": ["lease_id"], "properties": {"lease_id": "$id", "tenant_id": "$id_opt"}}',
			'{"type": "object", "required": ["lease_id", "state"], "properties": {"lease_id": {"type": "string"},
			"state": {"type": "string"}}}'),
		('license_status', '{GET,POST}', '/rpc/license_status', '{"subject_type": {"enum": ["user", "machine"]}}',
			'{"type": "object", "required": ["tenant_id", "product_id", "entitlements"], "properties": {
			"tenant_id": {"type": "string"}, "product_id": {"type": "string"},
			"entitlements": {"type": "array", "items": {"type": "object", "required": ["entitlement_id", "type", "state"],
				"properties": {"entitlement_id": {"type": "string"}, "type": {"type": "string"}, "state": {"type": "string"},
				"ends_at": {"type": "string", "format": "date-time", "nullable": true},
				"features": {"type": "array", "items": {"type": "string"}},
				"max_seats": {"type": "integer", "nullable": true}, "seats_used": {"type": "integer"},
				"seats_available": {"type": "integer", "nullable": true},
				"lease": {"type": "object", "nullable": true, "properties": {"lease_id": {"type": "string"},
					"expires_at": {"type": "string", "format": "date-time"},
					"install_id": {"type": "string", "nullable": true}}}}}}}}'),
		('lease_revocations', '{GET,POST}', '/rpc/lease_revocations', '{}',
			'{"type": "object", "required": ["lease_revocations"], "properties": {
			"lease_revocations": {"type": "string", "pattern": "^v4\\.public\\."}}}'),
		('keyset', '{GET,POST}', '/rpc/keyset', '{}',
			'{"type": "object", "required": ["keyset", "keysets"], "properties": {"keyset": {"type": "string", "pattern": "^v4\\.public\\."},
			"keysets": {"type": "array", "items": {"type": "string", "pattern": "^v4\\.public\\."}}}}'),
		('snapshot_latest', '{POST}', '/rpc/snapshot_latest', '{"type": "object", "additionalProperties": false,
			"properties": {"tenant_id": "$id_opt", "mirror_id": "$id_opt"}}',
			'{"type": "object", "required": ["tenant_id", "seq", "created_at", "expires_at", "content_hash", "token"],
			"properties": {"tenant_id": {"type": "string"}, "seq": {"type": "integer"},
			"created_at": {"type": "string", "format": "date-time"}, "expires_at": {"type": "string", "format": "date-time"},
			"content_hash": {"type": "string"}, "token": {"type": "string", "pattern": "^v4\\.public\\."}}}'),
		('release_create', '{POST}', '/rpc/release_create', '{"type": "object", "additionalProperties": false,
			"required": ["product_id", "version", "channel"], "properties": {"product_id": "$id",
			"version": {"type": "string", "description": "SemVer 2.0.0"}, "channel": {"type": "string"},
			"notes": "$str_opt", "metadata": {"type": "object", "nullable": true},
			"critical": {"type": "boolean", "nullable": true}, "release_id": "$id_opt"}}', '"$release_status"'),
		('release_attach', '{POST}', '/rpc/release_attach', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "description": "exactly one of artifact_id (attach an existing artifact) and artifact (create one)",
			"properties": {"release_id": "$id", "artifact_id": "$id",
			"artifact": {"type": "object", "additionalProperties": false,
				"required": ["url", "sha256", "size", "platform", "arch", "installer_type"], "properties": {
				"product_id": "$id_opt", "url": {"type": "string"}, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
				"size": {"type": "integer", "minimum": 0}, "platform": {"type": "string", "enum": ["windows", "macos", "linux"]},
				"arch": {"type": "string", "enum": ["x86_64", "x86", "arm64"]}, "installer_type": {"type": "string"},
				"requires_admin": {"type": "boolean", "nullable": true}, "install_scope": {"type": "string", "nullable": true},
				"source_type": {"type": "string", "nullable": true}, "artifact_id": "$id_opt"}}}}',
			'{"type": "object", "required": ["release_id", "artifact_id"], "properties": {"release_id": {"type": "string"},
			"artifact_id": {"type": "string"}}}'),
		('release_submit', '{POST}', '/rpc/release_submit', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "properties": {"release_id": "$id"}}', '"$release_status"'),
		('release_approve', '{POST}', '/rpc/release_approve', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "properties": {"release_id": "$id", "comment": "$str_opt"}}',
			'"$release_status"'),
		('release_reject', '{POST}', '/rpc/release_reject', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "reason"], "properties": {"release_id": "$id", "reason": {"type": "string"}}}',
			'"$release_status"'),
		('release_revoke', '{POST}', '/rpc/release_revoke', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "reason"], "properties": {"release_id": "$id", "reason": {"type": "string"}}}',
			'"$release_status"'),
		('policy_get', '{GET,POST}', '/rpc/policy_get', '{"scope": {"enum": ["global", "product", "tenant", "tenant_product"]}}',
			'"$policy_or_null"'),
		('policy_put', '{POST}', '/rpc/policy_put', '{"type": "object", "additionalProperties": false, "required": ["scope"],
			"properties": {"scope": {"type": "string"}, "tenant_id": "$id_opt", "product_id": "$id_opt",
			"platform": "$str_opt", "mode": "$str_opt", "channel": "$str_opt",
			"pinned_range": {"type": "string", "nullable": true, "description": "a SemVer range"},
			"blocked": "$strings_opt", "maintenance_window": {"type": "object", "nullable": true},
			"allow_prerelease": {"type": "boolean", "nullable": true}, "expired_entitlement_updates": "$str_opt"}}',
			'"$policy"'),
		('entitlement_create', '{POST}', '/rpc/entitlement_create', '{"type": "object", "additionalProperties": false,
			"required": ["tenant_id", "product_id", "type"], "properties": {"tenant_id": "$id", "product_id": "$id",
			"type": {"type": "string"}, "max_seats": {"type": "integer", "nullable": true}, "features": "$strings_opt",
			"starts_at": "$time_null", "ends_at": "$time_null", "auto_renew": {"type": "boolean", "nullable": true},
			"renewal_days": {"type": "integer", "nullable": true},
			"default_lease_duration": {"type": "string", "nullable": true, "description": "a PostgreSQL interval, default 1 day"},
			"max_lease_duration": {"type": "string", "nullable": true, "description": "a PostgreSQL interval, default 7 days"},
			"entitlement_id": "$id_opt"}}',
			'{"type": "object", "required": ["entitlement_id"], "properties": {"entitlement_id": {"type": "string"}}}'),
		('entitlement_update', '{POST}', '/rpc/entitlement_update', '{"type": "object", "additionalProperties": false,
			"required": ["entitlement_id"], "properties": {"entitlement_id": "$id", "ends_at": "$time_null",
			"clear_ends_at": {"type": "boolean", "nullable": true}, "max_seats": {"type": "integer", "nullable": true},
			"features": "$strings_opt", "auto_renew": {"type": "boolean", "nullable": true},
			"status": "$str_opt", "reason": "$str_opt"}}',
			'{"type": "object", "required": ["entitlement_id", "tenant_id", "product_id", "type", "state"], "properties": {
			"tenant_id": {"type": "string"}, "entitlement_id": {"type": "string"}, "product_id": {"type": "string"},
			"type": {"type": "string"}, "state": {"type": "string"}, "max_seats": {"type": "integer", "nullable": true},
			"seats_used": {"type": "integer"}, "features": {"type": "array", "items": {"type": "string"}},
			"starts_at": "$time", "ends_at": "$time_null", "auto_renew": {"type": "boolean"}}}'),
		('usage', '{GET,POST}', '/rpc/usage', '{}',
			'{"type": "array", "items": {"type": "object", "required": ["entitlement_id", "product_id", "type", "leases",
			"peak_concurrency", "average_concurrency"], "properties": {"entitlement_id": {"type": "string"},
			"product_id": {"type": "string"}, "type": {"type": "string"}, "max_seats": {"type": "integer", "nullable": true},
			"leases": {"type": "integer"}, "peak_concurrency": {"type": "integer"}, "average_concurrency": {"type": "number"}}}}'),
		('audit', '{GET,POST}', '/rpc/audit', '{"max_events": {"minimum": 1, "maximum": 10000}}',
			'{"type": "array", "items": {"type": "object", "required": ["chain_id", "seq", "event_id", "occurred_at", "actor",
			"event_type", "object_type", "hash"], "properties": {"chain_id": {"type": "string"}, "seq": {"type": "integer"},
			"event_id": {"type": "string"}, "occurred_at": "$time", "actor": {"type": "string"},
			"event_type": {"type": "string"}, "object_type": {"type": "string"}, "object_id": {"type": "string", "nullable": true},
			"before": {"type": "object", "nullable": true}, "after": {"type": "object", "nullable": true},
			"context": {"type": "object", "nullable": true}, "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}}'),
		('report', '{POST}', '/rpc/report', '{"type": "object", "additionalProperties": false,
			"required": ["decision", "outcome"], "properties": {
			"decision": {"type": "string", "pattern": "^v4\\.public\\.", "description": "the decision token the report follows"},
			"outcome": {"type": "string", "enum": ["downloaded", "install_started", "installed", "failed", "rolled_back", "crashed"]},
			"error_code": {"type": "string", "minLength": 1, "maxLength": 64, "nullable": true},
			"install_id": "$id_opt", "tenant_id": "$id_opt"}}',
			'{"type": "object", "required": ["report_id", "release_id", "outcome", "duplicate"], "properties": {
			"report_id": {"type": "string", "nullable": true}, "release_id": {"type": "string"},
			"outcome": {"type": "string"}, "duplicate": {"type": "boolean"}}}'),
		('rollout_health', '{GET,POST}', '/rpc/rollout_health', '{"group_by": {"enum": ["hour", "platform", "tenant"]},
			"platform": {"enum": ["windows", "macos", "linux"]}}',
			'{"type": "object", "required": ["release_id", "version", "groups"], "properties": {
			"release_id": {"type": "string"}, "version": {"type": "string"},
			"group_by": {"type": "string", "nullable": true}, "tenant_id": {"type": "string", "nullable": true},
			"rollout": {"type": "object", "nullable": true},
			"groups": {"type": "array", "items": {"type": "object", "required": ["installs", "attempts", "failures"],
				"properties": {"installs": {"type": "integer"}, "attempts": {"type": "integer"}, "failures": {"type": "integer"},
				"installed": {"type": "integer"}, "crashed": {"type": "integer"},
				"failure_rate": {"type": "number", "nullable": true},
				"failure_interval": {"type": "array", "items": {"type": "number"}, "nullable": true},
				"crash_rate": {"type": "number", "nullable": true},
				"crash_interval": {"type": "array", "items": {"type": "number"}, "nullable": true}}}}}}'),
		('dry_run', '{POST}', '/rpc/dry_run', '{"type": "object", "additionalProperties": false,
			"required": ["change"], "properties": {
			"change": {"type": "object", "required": ["call"], "properties": {
				"call": {"type": "string", "enum": ["set_policy", "clear_policy", "set_rollout", "clear_rollout",
					"set_rollout_plan", "halt_rollout", "resume_rollout", "submit_release", "approve_release", "revoke_release"]},
				"args": {"type": "object"}}},
			"sample": {"type": "integer", "minimum": 0, "maximum": 1000, "nullable": true}}}',
			'{"type": "object", "required": ["reach", "installs", "installs_changed", "decisions", "changed", "skipped",
			"before", "after", "tenants", "sample"], "properties": {"reach": {"type": "object"},
			"installs": {"type": "integer"}, "installs_changed": {"type": "integer"}, "decisions": {"type": "integer"},
			"changed": {"type": "integer"}, "skipped": {"type": "integer"},
			"before": {"type": "array", "items": {"type": "object"}}, "after": {"type": "array", "items": {"type": "object"}},
			"tenants": {"type": "array", "items": {"type": "object"}}, "sample": {"type": "array", "items": {"type": "object"}}}}'),
		('rollout_set', '{POST}', '/rpc/rollout_set', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "percentage"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true},
			"percentage": {"type": "integer", "minimum": 0, "maximum": 10000}, "paused": {"type": "boolean", "nullable": true}}}',
			'"$rollout"'),
		('rollout_guards', '{POST}', '/rpc/rollout_guards', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true},
			"max_failure_rate": {"type": "number", "minimum": 0, "maximum": 1, "nullable": true},
			"max_crash_rate": {"type": "number", "minimum": 0, "maximum": 1, "nullable": true},
			"min_sample": {"type": "integer", "minimum": 1, "maximum": 1000000, "nullable": true},
			"max_new_per_hour": {"type": "integer", "minimum": 1, "nullable": true},
			"crash_window": {"type": "string", "description": "a PostgreSQL interval, 1 minute to 30 days", "nullable": true}}}',
			'"$rollout"'),
		('rollout_plan', '{POST}', '/rpc/rollout_plan', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true},
			"plan": {"type": "array", "minItems": 1, "maxItems": 20, "nullable": true, "description": "null clears the plan",
				"items": {"type": "integer", "minimum": 1, "maximum": 10000}},
			"step_interval": {"type": "string", "nullable": true, "description": "a PostgreSQL interval, 1 second to 365 days"}}}',
			'"$rollout"'),
		('rollout_halt', '{POST}', '/rpc/rollout_halt', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "reason"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true}, "reason": {"type": "string", "minLength": 1}}}',
			'"$rollout"'),
		('rollout_resume', '{POST}', '/rpc/rollout_resume', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "reason"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true}, "reason": {"type": "string", "minLength": 1}}}',
			'"$rollout"'),
		('events', '{GET,POST}', '/rpc/events', '{"after_id": {"minimum": 0}, "max_events": {"minimum": 1, "maximum": 10000}}',
			'{"type": "array", "items": {"type": "object", "required": ["event_id", "type", "created_at", "payload"],
			"properties": {"event_id": {"type": "integer"}, "type": {"type": "string"},
			"tenant_id": {"type": "string", "nullable": true}, "created_at": "$time", "payload": {"type": "object"}}}}'),
		('webhooks', '{GET,POST}', '/rpc/webhooks', '{}', '{"type": "array", "items": "$webhook"}'),
		('webhook_create', '{POST}', '/rpc/webhook_create', '{"type": "object", "additionalProperties": false,
			"required": ["url"], "properties": {"url": {"type": "string", "maxLength": 2048, "pattern": "^https?://"},
			"event_types": "$strings_opt", "tenant_id": "$id_opt", "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100},
			"secret": {"type": "string", "pattern": "^whsec_", "nullable": true}, "subscription_id": "$id_opt"}}',
			'{"type": "object", "allOf": ["$webhook", {"type": "object", "required": ["secret"], "properties": {"secret": {"type": "string", "pattern": "^whsec_"}}}]}'),
		('webhook_update', '{POST}', '/rpc/webhook_update', '{"type": "object", "additionalProperties": false,
			"required": ["subscription_id"], "properties": {"subscription_id": "$id",
			"url": {"type": "string", "maxLength": 2048, "pattern": "^https?://", "nullable": true}, "event_types": "$strings_opt",
			"enabled": {"type": "boolean", "nullable": true},
			"max_attempts": {"type": "integer", "minimum": 1, "maximum": 100, "nullable": true}}}', '"$webhook"'),
		('webhook_rotate_secret', '{POST}', '/rpc/webhook_rotate_secret', '{"type": "object", "additionalProperties": false,
			"required": ["subscription_id"], "properties": {"subscription_id": "$id",
			"previous_valid": {"type": "string", "nullable": true, "description": "a PostgreSQL interval, 0 to 30 days"}}}',
			'{"type": "object", "allOf": ["$webhook", {"type": "object", "required": ["secret"], "properties": {"secret": {"type": "string", "pattern": "^whsec_"}}}]}'),
		('webhook_delete', '{POST}', '/rpc/webhook_delete', '{"type": "object", "additionalProperties": false,
			"required": ["subscription_id"], "properties": {"subscription_id": "$id"}}',
			'{"type": "object", "required": ["subscription_id", "deleted"], "properties": {"subscription_id": {"type": "string"},
			"deleted": {"type": "boolean"}}}'),
		('webhook_deliveries', '{GET,POST}', '/rpc/webhook_deliveries', '{"max_rows": {"minimum": 1, "maximum": 10000}}',
			'{"type": "array", "items": {"type": "object", "required": ["delivery_id", "event_id", "attempt", "outcome", "attempted_at"],
			"properties": {"delivery_id": {"type": "integer"}, "event_id": {"type": "integer"}, "attempt": {"type": "integer"},
			"outcome": {"type": "string", "enum": ["delivered", "failed", "dead"]}, "http_status": {"type": "integer", "nullable": true},
			"error": {"type": "string", "nullable": true}, "duration_ms": {"type": "integer", "nullable": true}, "attempted_at": "$time"}}}'),
		('openapi', '{GET}', '/', '{}', '{"type": "object", "required": ["openapi", "info", "paths"],
			"description": "this document (OpenAPI 3.0.3)"}')
	), x(k, function, methods, path, request, response) AS (
		SELECT (SELECT max(n) FROM s), r.function, r.methods, r.path, r.request, r.response FROM r
		UNION ALL
		SELECT x.k - 1, x.function, x.methods, x.path,
			replace(x.request, format('"$%s"', s.name), s.schema), replace(x.response, format('"$%s"', s.name), s.schema)
		FROM x JOIN s ON s.n = x.k
	)
	SELECT x.function, x.methods, x.path, x.request::jsonb, x.response::jsonb FROM x WHERE x.k = 0 ORDER BY x.path;
END;
COMMENT ON FUNCTION bigpicture.api_routes() IS
	'The route table of bigpicture_api (docs/http.md): function, HTTP methods, path, request and response JSON Schemas';

-- ---- OpenAPI (db-root-spec) -------------------------------------------------------------------------
-- GET / on either server: OpenAPI 3.0.3 of the routes of api_routes(), with
-- JSON Schemas of requests and responses, the JWT bearer scheme (and which
-- routes work without a token: those bigpicture_anon may execute), the query
-- parameters of GET routes, and PostgREST's error body.  The listing views
-- are left out: bigpicture-gateway does not serve them (PostgREST does).
CREATE FUNCTION bigpicture_api.openapi() RETURNS json
	LANGUAGE sql STABLE
BEGIN ATOMIC
	WITH route AS (
		SELECT r.*, p.oid AS fn, p.pronargs, p.pronargdefaults,
			(SELECT COALESCE(jsonb_agg(a.grantee::regrole::text ORDER BY a.grantee::regrole::text), '[]')
			 FROM aclexplode(p.proacl) a WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner
			   AND a.grantee <> 0) AS roles,
			has_function_privilege('bigpicture_anon', p.oid, 'EXECUTE') AS anonymous
		FROM bigpicture.api_routes() r
		JOIN pg_catalog.pg_proc p ON p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname = r.function
	), param AS (
		SELECT route.function, a.ord, p.proargnames[a.ord] AS name, a.ord <= p.pronargs - p.pronargdefaults AS required,
			CASE a.type WHEN 'text'::regtype THEN '{"type": "string"}'::jsonb
				WHEN 'timestamptz'::regtype THEN '{"type": "string", "format": "date-time"}'
				WHEN 'integer'::regtype THEN '{"type": "integer", "format": "int32"}'
				WHEN 'boolean'::regtype THEN '{"type": "boolean"}'
				ELSE '{}' END || COALESCE(route.request -> p.proargnames[a.ord], '{}') AS schema
		FROM route JOIN pg_catalog.pg_proc p ON p.oid = route.fn
		CROSS JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY a(type, ord)
		WHERE NOT route.request ? 'type'
	), op AS (
		SELECT route.path, lower(m.method) AS method, jsonb_strip_nulls(jsonb_build_object(
			'summary', obj_description(route.fn, 'pg_proc'),
			'operationId', route.function || CASE WHEN m.method = 'GET' AND route.path <> '/' THEN '_get' ELSE '' END,
			'parameters', CASE WHEN m.method = 'GET' THEN COALESCE((SELECT jsonb_agg(jsonb_build_object('name', x.name,
				'in', 'query', 'required', x.required, 'schema', x.schema) ORDER BY x.ord) FROM param x
				WHERE x.function = route.function), '[]') END,
			'requestBody', CASE WHEN m.method = 'POST' THEN CASE
				WHEN route.request ? 'type' THEN jsonb_build_object('required', true, 'content',
					jsonb_build_object('application/json', jsonb_build_object('schema', route.request)))
				ELSE jsonb_build_object('required', route.pronargs > route.pronargdefaults, 'content',
					jsonb_build_object('application/json', jsonb_build_object('schema', jsonb_strip_nulls(jsonb_build_object(
						'type', 'object', 'additionalProperties', false,
						'required', (SELECT jsonb_agg(x.name ORDER BY x.ord) FROM param x
							WHERE x.function = route.function AND x.required),
						'properties', COALESCE((SELECT jsonb_object_agg(x.name, x.schema) FROM param x
							WHERE x.function = route.function), '{}'))))))
				END END,
			'responses', jsonb_build_object('200', jsonb_build_object('description', 'OK',
					'content', jsonb_build_object('application/json', jsonb_build_object('schema', route.response))),
				'400', '{"$ref": "#/components/responses/BadRequest"}'::jsonb,
				'401', CASE WHEN NOT route.anonymous THEN '{"$ref": "#/components/responses/Unauthorized"}'::jsonb END,
				'403', '{"$ref": "#/components/responses/Forbidden"}'::jsonb,
				'404', '{"$ref": "#/components/responses/NotFound"}'::jsonb,
				'default', '{"$ref": "#/components/responses/Error"}'::jsonb),
			'security', CASE WHEN route.anonymous THEN '[{}, {"jwt": []}]'::jsonb ELSE '[{"jwt": []}]' END,
			'x-bigpicture-roles', route.roles)) AS item
		FROM route CROSS JOIN LATERAL unnest(route.methods) m(method)
	)
	SELECT json_build_object(
		'openapi', '3.0.3',
		'info', json_build_object('title', 'Big Picture', 'version',
			(SELECT extversion FROM pg_extension WHERE extname = 'bigpicture'),
			'description', 'Signed desktop-software update decisions and licenses: the routes of the schema bigpicture_api, '
				'as PostgREST and bigpicture-gateway serve them (docs/http.md). The listing views (/releases, /entitlements, '
				'/public_keys, /mirrors, /snapshots) are served by PostgREST only and are not described here.'),
		'paths', (SELECT jsonb_object_agg(o.path, o.item ORDER BY o.path) FROM (
			SELECT op.path, jsonb_object_agg(op.method, op.item) AS item FROM op GROUP BY op.path) o),
		'components', jsonb_build_object(
			'securitySchemes', jsonb_build_object('jwt', jsonb_build_object('type', 'http', 'scheme', 'bearer',
				'bearerFormat', 'JWT', 'description', 'A JWT whose role claim names a bigpicture_* role (and, for tenant '
				'roles, tenant_id and sub claims). Without one a request runs as bigpicture_anon, which may call only '
				'keyset and read this document.')),
			'schemas', jsonb_build_object('Error', '{"type": "object", "additionalProperties": false,
				"required": ["code", "message", "details", "hint"], "description": "PostgREST''s error body",
				"properties": {"code": {"type": "string", "description": "a SQLSTATE, or PGRSTnnn for the server''s own errors"},
				"message": {"type": "string"}, "details": {"type": "string", "nullable": true},
				"hint": {"type": "string", "nullable": true}}}'::jsonb),
			'responses', (SELECT jsonb_object_agg(e.name, jsonb_build_object('description', e.description,
				'content', '{"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}'::jsonb))
				FROM (VALUES
					('BadRequest', 'Bad request: a missing, unknown or bad field of a JSON body (22023), a bad value (22P02, 22007, 22008, 22004), a body that is not JSON (PGRST102)'),
					('Unauthorized', 'No token, or one that is not valid (42501, PGRST30x)'),
					('Forbidden', 'The token''s role or tenant may not do this (42501)'),
					('NotFound', 'No function of this name takes these parameters (PGRST202: an unknown or missing parameter of a route with named parameters), or no such object (PT404)'),
					('Error', 'Any other error, with PostgREST''s status for its SQLSTATE (docs/http.md, Errors)')) e(name, description))));
END;
COMMENT ON FUNCTION bigpicture_api.openapi() IS 'GET / — the OpenAPI 3.0.3 description of the routes (db-root-spec)';

-- ---- grants: the product's OAuth scopes onto our roles (docs/http.md) ----------------------------

GRANT EXECUTE ON FUNCTION bigpicture.api_routes(), bigpicture_api.openapi(), bigpicture_api.keyset()
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin, bigpicture_client,
	   bigpicture_mirror, bigpicture_auditor, bigpicture_anon;
-- The POST helpers, to the roles of the entry points that call them.
GRANT EXECUTE ON FUNCTION bigpicture.api_request(jsonb, text[], text[])
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin, bigpicture_mirror;
GRANT EXECUTE ON FUNCTION bigpicture.api_text_array(jsonb, text) TO bigpicture_admin, bigpicture_tenant_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.decision(jsonb), bigpicture_api.decision_readonly(jsonb)
	TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.lease(jsonb), bigpicture_api.lease_renew(jsonb), bigpicture_api.lease_release(jsonb),
	bigpicture_api.license_status(text, text, text, text, text), bigpicture_api.lease_revocations(text)
	TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin, bigpicture_mirror;
GRANT EXECUTE ON FUNCTION bigpicture_api.snapshot_latest(jsonb)
	TO bigpicture_mirror, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.release_create(jsonb), bigpicture_api.release_attach(jsonb),
	bigpicture_api.release_submit(jsonb)
	TO bigpicture_publisher, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.release_approve(jsonb), bigpicture_api.release_reject(jsonb)
	TO bigpicture_approver, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.release_revoke(jsonb) TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.policy_get(text, text, text, text)
	TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture_api.policy_put(jsonb) TO bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.entitlement_create(jsonb), bigpicture_api.entitlement_update(jsonb)
	TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.usage(timestamptz, timestamptz, text)
	TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture_api.audit(text, text, text, timestamptz, timestamptz, integer)
	TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture_api.report(jsonb) TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.rollout_health(text, text, text)
	TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor, bigpicture_publisher, bigpicture_approver;
GRANT EXECUTE ON FUNCTION bigpicture_api.dry_run(jsonb)
	TO bigpicture_tenant_admin, bigpicture_publisher, bigpicture_approver, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.rollout_set(jsonb), bigpicture_api.rollout_guards(jsonb),
	bigpicture_api.rollout_plan(jsonb), bigpicture_api.rollout_halt(jsonb)
	TO bigpicture_publisher, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.rollout_resume(jsonb) TO bigpicture_approver, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.events(bigint, integer, text[])
	TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture_api.webhooks(), bigpicture_api.webhook_deliveries(text, integer)
	TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture_api.webhook_create(jsonb), bigpicture_api.webhook_update(jsonb),
	bigpicture_api.webhook_rotate_secret(jsonb), bigpicture_api.webhook_delete(jsonb)
	TO bigpicture_tenant_admin, bigpicture_admin;
