-- The HTTP surface (docs/http.md): the schema bigpicture_api that
-- PostgREST or bigpicture-gateway exposes.  Every entry point is a function
-- with one unnamed jsonb parameter (what every PostgREST version passes a
-- JSON body to), a thin SECURITY INVOKER wrapper over the typed SQL API: the
-- caller's role, grants and row-level security decide, exactly as in SQL.
-- Functions that only read are STABLE, so they answer GET in a read-only
-- transaction; the rest are VOLATILE and need POST.

CREATE SCHEMA bigpicture_api;
COMMENT ON SCHEMA bigpicture_api IS 'Big Picture over HTTP: RPC functions taking one jsonb and listing views';
REVOKE ALL ON SCHEMA bigpicture_api FROM PUBLIC;
GRANT USAGE ON SCHEMA bigpicture_api TO bigpicture_owner,
	bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin,
	bigpicture_client, bigpicture_mirror, bigpicture_auditor, bigpicture_anon;

-- The request object, checked: a JSON object with only the allowed members
-- and every required one.  Bad requests are 22023 (HTTP 400) naming the field.
CREATE FUNCTION bigpicture_api._request(req jsonb, allowed text[], required text[] DEFAULT '{}') RETURNS jsonb
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

-- A member as a text array (a JSON array of strings), or NULL when absent.
CREATE FUNCTION bigpicture_api._text_array(req jsonb, field text) RETURNS text[]
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

CREATE FUNCTION bigpicture_api.license_status(jsonb) RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN bigpicture.license_status($1);
COMMENT ON FUNCTION bigpicture_api.license_status(jsonb) IS
	'GET or POST /rpc/license_status — may this subject run the product now (bigpicture.license_status); scope licenses:lease';

CREATE FUNCTION bigpicture_api.lease_revocations(jsonb) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture_api._request(COALESCE($1, '{}'), '{tenant_id}');
BEGIN
	RETURN jsonb_build_object('lease_revocations', bigpicture.lease_revocations(req ->> 'tenant_id'));
END
$$;
COMMENT ON FUNCTION bigpicture_api.lease_revocations(jsonb) IS
	'GET or POST /rpc/lease_revocations — the signed list of revoked leases not yet expired (bigpicture.lease_revocations); scope licenses:lease';

CREATE FUNCTION bigpicture_api.keyset(jsonb) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture_api._request(COALESCE($1, '{}'), '{}');
	RETURN jsonb_build_object('keyset', bigpicture.keyset());
END
$$;
COMMENT ON FUNCTION bigpicture_api.keyset(jsonb) IS
	'GET or POST /rpc/keyset — the key set token, signed by the root key (bigpicture.keyset); anyone, no scope';

-- ---- mirrors ----------------------------------------------------------------------------

CREATE FUNCTION bigpicture_api.snapshot_latest(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture_api._request($1, '{tenant_id,mirror_id}');
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
	req jsonb := bigpicture_api._request($1, '{product_id,version,channel,notes,metadata,critical,release_id}',
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
	req jsonb := bigpicture_api._request($1, '{release_id,artifact_id,artifact}', '{release_id}');
	a jsonb;
	id text := req ->> 'artifact_id';
BEGIN
	IF (req ? 'artifact') = (req ? 'artifact_id') THEN
		RAISE EXCEPTION 'give either artifact_id or artifact' USING ERRCODE = '22023',
			DETAIL = 'artifact_id attaches an existing artifact; artifact creates one and attaches it.';
	END IF;
	IF req ? 'artifact' THEN
		a := bigpicture_api._request(req -> 'artifact', '{product_id,url,sha256,size,platform,arch,installer_type,'
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
	RETURN jsonb_build_object('release_id', bigpicture_api._request($1, '{release_id}', '{release_id}') ->> 'release_id',
		'status', bigpicture.submit_release($1 ->> 'release_id'));
COMMENT ON FUNCTION bigpicture_api.release_submit(jsonb) IS
	'POST /rpc/release_submit — submit a draft; published at once when no approval is needed (bigpicture.submit_release); scope releases:write';

CREATE FUNCTION bigpicture_api.release_approve(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('release_id', bigpicture_api._request($1, '{release_id,comment}', '{release_id}') ->> 'release_id',
		'status', bigpicture.approve_release($1 ->> 'release_id', $1 ->> 'comment'));
COMMENT ON FUNCTION bigpicture_api.release_approve(jsonb) IS
	'POST /rpc/release_approve — approve a release awaiting approval (bigpicture.approve_release); scope releases:approve';

CREATE FUNCTION bigpicture_api.release_reject(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture_api._request($1, '{release_id,reason}', '{release_id,reason}');
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
	req jsonb := bigpicture_api._request($1, '{release_id,reason}', '{release_id,reason}');
BEGIN
	PERFORM bigpicture.revoke_release(req ->> 'release_id', req ->> 'reason');
	RETURN jsonb_build_object('release_id', req ->> 'release_id', 'status', 'revoked');
END
$$;
COMMENT ON FUNCTION bigpicture_api.release_revoke(jsonb) IS
	'POST /rpc/release_revoke — withdraw a published release (bigpicture.revoke_release); scope releases:revoke';

-- ---- policy --------------------------------------------------------------------------------

CREATE FUNCTION bigpicture_api.policy_get(jsonb) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture_api._request($1, '{scope,tenant_id,product_id,platform}', '{scope}');
BEGIN
	RETURN COALESCE(bigpicture.get_policy(req ->> 'scope', req ->> 'tenant_id', req ->> 'product_id', req ->> 'platform'),
		'null');
END
$$;
COMMENT ON FUNCTION bigpicture_api.policy_get(jsonb) IS
	'GET or POST /rpc/policy_get — the stored policy of a scope, or null (bigpicture.get_policy); scope policies:read';

CREATE FUNCTION bigpicture_api.policy_put(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture_api._request($1, '{scope,tenant_id,product_id,platform,mode,channel,pinned_range,blocked,'
		'maintenance_window,allow_prerelease,expired_entitlement_updates}', '{scope}');
BEGIN
	PERFORM bigpicture.set_policy(req ->> 'scope', req ->> 'tenant_id', req ->> 'product_id', req ->> 'platform',
		req ->> 'mode', req ->> 'channel', (req ->> 'pinned_range')::bigpicture.semver_range,
		bigpicture_api._text_array(req, 'blocked')::bigpicture.semver_range[], req -> 'maintenance_window',
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
	req jsonb := bigpicture_api._request($1, '{tenant_id,product_id,type,max_seats,features,starts_at,ends_at,'
		'auto_renew,renewal_days,default_lease_duration,max_lease_duration,entitlement_id}',
		'{tenant_id,product_id,type}');
BEGIN
	RETURN jsonb_build_object('entitlement_id', bigpicture.create_entitlement(req ->> 'tenant_id', req ->> 'product_id',
		req ->> 'type', (req ->> 'max_seats')::integer, COALESCE(bigpicture_api._text_array(req, 'features'), '{}'),
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
	req jsonb := bigpicture_api._request($1, '{entitlement_id,ends_at,max_seats,features,auto_renew,clear_ends_at,'
		'status,reason}', '{entitlement_id}');
BEGIN
	IF req ?| '{ends_at,max_seats,features,auto_renew,clear_ends_at}' THEN
		PERFORM bigpicture.update_entitlement(req ->> 'entitlement_id', (req ->> 'ends_at')::timestamptz,
			(req ->> 'max_seats')::integer, bigpicture_api._text_array(req, 'features'), (req ->> 'auto_renew')::boolean,
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

CREATE FUNCTION bigpicture_api.usage(jsonb) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture_api._request($1, '{tenant_id,from,to}', '{from,to}');
BEGIN
	RETURN COALESCE((SELECT jsonb_agg(to_jsonb(u) ORDER BY u.entitlement_id)
		FROM bigpicture.license_usage_report(req ->> 'tenant_id', (req ->> 'from')::timestamptz,
			(req ->> 'to')::timestamptz) u), '[]');
END
$$;
COMMENT ON FUNCTION bigpicture_api.usage(jsonb) IS
	'GET or POST /rpc/usage — per entitlement over [from, to): leases, peak and average concurrency (bigpicture.license_usage_report); scope usage:read';

CREATE FUNCTION bigpicture_api.audit(jsonb) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture_api._request($1, '{chain_id,event_type,actor,from,to,limit}');
	n integer := COALESCE((req ->> 'limit')::integer, 100);
BEGIN
	IF n NOT BETWEEN 1 AND 10000 THEN
		RAISE EXCEPTION 'limit must be between 1 and 10000' USING ERRCODE = '22023';
	END IF;
	RETURN COALESCE((SELECT jsonb_agg(to_jsonb(e) - '{prev_hash,hash}'::text[]
			|| jsonb_build_object('hash', encode(e.hash, 'hex')) ORDER BY e.chain_id, e.seq)
		FROM (SELECT * FROM bigpicture.audit_log(req ->> 'chain_id', req ->> 'event_type', req ->> 'actor',
			(req ->> 'from')::timestamptz, (req ->> 'to')::timestamptz) ORDER BY occurred_at DESC, seq DESC LIMIT n) e), '[]');
END
$$;
COMMENT ON FUNCTION bigpicture_api.audit(jsonb) IS
	'GET or POST /rpc/audit — audit events you may read, newest first, at most limit (bigpicture.audit_log); scope audit:read';

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

-- ---- OpenAPI (PGRST_DB_ROOT_SPEC) ------------------------------------------------------------------

CREATE FUNCTION bigpicture_api.openapi() RETURNS json
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT json_build_object(
		'openapi', '3.0.3',
		'info', json_build_object('title', 'Big Picture', 'version',
			(SELECT extversion FROM pg_extension WHERE extname = 'bigpicture'),
			'description', 'Signed desktop-software update decisions and licenses. See docs/http.md.'),
		'paths', (SELECT json_object_agg(path, item ORDER BY path) FROM (
			SELECT '/rpc/' || p.proname AS path, json_strip_nulls(json_build_object(
				'post', json_build_object('summary', obj_description(p.oid, 'pg_proc'), 'operationId', p.proname,
					'requestBody', json_build_object('required', true, 'content', json_build_object('application/json',
						json_build_object('schema', json_build_object('type', 'object')))),
					'responses', json_build_object('200', json_build_object('description', 'OK'))),
				'get', CASE WHEN p.provolatile <> 'v' THEN json_build_object('summary', obj_description(p.oid, 'pg_proc'),
					'operationId', p.proname || '_get',
					'responses', json_build_object('200', json_build_object('description', 'OK'))) END)) AS item
			FROM pg_proc p
			WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname !~ '^_' AND p.proname <> 'openapi'
			UNION ALL
			SELECT '/' || c.relname, json_build_object('get', json_build_object('summary',
				obj_description(c.oid, 'pg_class'), 'operationId', c.relname,
				'responses', json_build_object('200', json_build_object('description', 'OK'))))
			FROM pg_class c WHERE c.relnamespace = 'bigpicture_api'::regnamespace AND c.relkind = 'v') x));
END;
COMMENT ON FUNCTION bigpicture_api.openapi() IS 'GET / — the OpenAPI 3 description of this schema (PGRST_DB_ROOT_SPEC)';

-- ---- grants: the product's OAuth scopes onto our roles (docs/http.md) ----------------------------

GRANT EXECUTE ON FUNCTION bigpicture_api._request(jsonb, text[], text[]), bigpicture_api._text_array(jsonb, text),
	bigpicture_api.openapi(), bigpicture_api.keyset(jsonb)
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin, bigpicture_client,
	   bigpicture_mirror, bigpicture_auditor, bigpicture_anon;
GRANT EXECUTE ON FUNCTION bigpicture_api.decision(jsonb) TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.lease(jsonb), bigpicture_api.lease_renew(jsonb), bigpicture_api.lease_release(jsonb),
	bigpicture_api.license_status(jsonb), bigpicture_api.lease_revocations(jsonb)
	TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin, bigpicture_mirror;
GRANT EXECUTE ON FUNCTION bigpicture_api.snapshot_latest(jsonb)
	TO bigpicture_mirror, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.release_create(jsonb), bigpicture_api.release_attach(jsonb),
	bigpicture_api.release_submit(jsonb)
	TO bigpicture_publisher, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.release_approve(jsonb), bigpicture_api.release_reject(jsonb)
	TO bigpicture_approver, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.release_revoke(jsonb) TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.policy_get(jsonb) TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture_api.policy_put(jsonb) TO bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.entitlement_create(jsonb), bigpicture_api.entitlement_update(jsonb)
	TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.usage(jsonb) TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture_api.audit(jsonb) TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;
