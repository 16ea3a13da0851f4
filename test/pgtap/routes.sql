-- The route table (bigpicture.api_routes(), the table of docs/http.md) held
-- against the functions of bigpicture_api in pg_proc and PostgREST's rules
-- for calling them, as its documentation ("Functions as RPC") and its code
-- (Plan.findProc) state them:
--   * GET /rpc/f?a=1 calls f(a := '1'): only named parameters count, a query
--     key must name one, every parameter without a default must be given, and
--     it runs in a READ ONLY transaction, so f must be STABLE or IMMUTABLE.
--     The keys select, columns, on_conflict, order, limit, offset, and, or are
--     PostgREST's own (a parameter of that name never gets a value by GET).
--   * POST /rpc/f with a JSON object calls f by the object's keys the same way,
--     or, when no function of that name takes those keys, a function with one
--     unnamed json/jsonb parameter with the whole body.
--   * Overloads are told apart by those key sets alone: two that accept the
--     same keys (or two single-unnamed-json ones) make the call ambiguous
--     (PGRST203).
-- route_problems() checks a schema against a route table; it is run on the
-- real one (no problems) and on a probe schema built to break every rule
-- (each problem found), so a check that stops checking fails here.
BEGIN;
SELECT plan(24);

-- The keys PostgREST keeps for itself in a query string (QueryParams.hs).
CREATE FUNCTION pg_temp.reserved_keys() RETURNS text[] LANGUAGE sql IMMUTABLE
	RETURN '{select,columns,on_conflict,order,limit,offset,and,or}'::text[];

-- Each IN parameter of a function: position, name ('' when unnamed), and whether it has a default.
CREATE FUNCTION pg_temp.params(f oid) RETURNS TABLE (ord int, name text, has_default boolean, mode "char")
	LANGUAGE sql STABLE AS $$
	SELECT a.ord::int, COALESCE(p.proargnames[a.ord], ''), a.ord > p.pronargs - p.pronargdefaults,
		COALESCE(p.proargmodes[a.ord], 'i')
	FROM pg_proc p CROSS JOIN LATERAL unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY a(t, ord)
	WHERE p.oid = f
$$;

-- How PostgREST can call a function: 'named' (every parameter named, or none),
-- 'body' (one unnamed json/jsonb parameter, no default), or 'none'.
CREATE FUNCTION pg_temp.call_form(f oid) RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN EXISTS (SELECT 1 FROM pg_temp.params(f) x WHERE x.mode <> 'i') THEN 'none'
		WHEN NOT EXISTS (SELECT 1 FROM pg_temp.params(f) x WHERE x.name = '') THEN 'named'
		WHEN p.pronargs = 1 AND p.pronargdefaults = 0 AND p.proargtypes[0] IN ('json'::regtype, 'jsonb'::regtype) THEN 'body'
		ELSE 'none' END
	FROM pg_proc p WHERE p.oid = f
$$;

-- Every way a schema and a route table (a jsonb array of {function, methods, path, request})
-- break the rules above; nothing when they keep them.
CREATE FUNCTION pg_temp.route_problems(nsp regnamespace, routes jsonb) RETURNS SETOF text LANGUAGE sql STABLE AS $$
	WITH r AS (
		SELECT x ->> 'function' AS function, ARRAY(SELECT jsonb_array_elements_text(x -> 'methods')) AS methods,
			x ->> 'path' AS path, x -> 'request' AS request
		FROM jsonb_array_elements(routes) x
	), f AS (
		SELECT p.oid, p.proname::text AS name, p.provolatile, pg_temp.call_form(p.oid) AS form,
			ARRAY(SELECT x.name FROM pg_temp.params(p.oid) x ORDER BY x.ord) AS names,
			ARRAY(SELECT x.name FROM pg_temp.params(p.oid) x WHERE NOT x.has_default ORDER BY x.ord) AS required
		FROM pg_proc p WHERE p.pronamespace = nsp AND p.prokind = 'f'
	)
	-- the table and the schema list the same functions
	SELECT format('%s: in the schema but not in the route table', f.name) FROM f
	WHERE f.name !~ '^_' AND NOT EXISTS (SELECT 1 FROM r WHERE r.function = f.name)
	UNION ALL
	SELECT format('%s: an internal (_) function in the exposed schema: PostgREST routes it too', f.name) FROM f WHERE f.name ~ '^_'
	UNION ALL
	SELECT format('%s: in the route table but not in the schema', r.function) FROM r
	WHERE NOT EXISTS (SELECT 1 FROM f WHERE f.name = r.function)
	UNION ALL
	SELECT format('%s: listed %s times in the route table', r.function, count(*)) FROM r GROUP BY r.function HAVING count(*) > 1
	UNION ALL
	SELECT format('%s: methods %s (GET and/or POST)', r.function, r.methods) FROM r
	WHERE cardinality(r.methods) = 0 OR NOT r.methods <@ '{GET,POST}'
	UNION ALL
	SELECT format('%s: path %s is not /rpc/%s', r.function, r.path, r.function) FROM r
	WHERE r.path IS DISTINCT FROM '/rpc/' || r.function AND NOT (r.function = 'openapi' AND r.path = '/')
	-- GET: named parameters only, STABLE or IMMUTABLE, no reserved key
	UNION ALL
	SELECT format('%s: GET, but %s (GET runs in a READ ONLY transaction)', f.name,
		CASE f.provolatile WHEN 'v' THEN 'VOLATILE' END) FROM r JOIN f ON f.name = r.function
	WHERE 'GET' = ANY (r.methods) AND f.provolatile = 'v'
	UNION ALL
	SELECT format('%s: GET, but not every parameter is named (GET passes query parameters by name)', f.name)
	FROM r JOIN f ON f.name = r.function WHERE 'GET' = ANY (r.methods) AND f.form <> 'named'
	UNION ALL
	SELECT format('%s: parameter "%s" is a query key PostgREST keeps for itself', f.name, n)
	FROM r JOIN f ON f.name = r.function CROSS JOIN unnest(f.names) n
	WHERE 'GET' = ANY (r.methods) AND n = ANY (pg_temp.reserved_keys())
	-- POST: one unnamed json/jsonb, or named parameters only
	UNION ALL
	SELECT format('%s: POST, but neither one unnamed json/jsonb parameter nor only named ones', f.name)
	FROM r JOIN f ON f.name = r.function WHERE 'POST' = ANY (r.methods) AND f.form = 'none'
	-- a reading function PostgREST could GET is listed with GET
	UNION ALL
	SELECT format('%s: STABLE with named parameters, but the route table has no GET for it', f.name)
	FROM r JOIN f ON f.name = r.function WHERE f.provolatile <> 'v' AND f.form = 'named' AND NOT 'GET' = ANY (r.methods)
	-- the request schema: a JSON object schema for a body; for named parameters, keywords for real ones
	UNION ALL
	SELECT format('%s: takes a JSON body but its request is not an object schema', f.name)
	FROM r JOIN f ON f.name = r.function
	WHERE f.form = 'body' AND (r.request IS NULL OR r.request ->> 'type' IS DISTINCT FROM 'object')
	UNION ALL
	SELECT format('%s: request names "%s", which is not a parameter', f.name, k)
	FROM r JOIN f ON f.name = r.function CROSS JOIN LATERAL jsonb_object_keys(COALESCE(r.request, '{}')) k
	WHERE f.form = 'named' AND NOT k = ANY (f.names)
	-- overloads PostgREST cannot tell apart
	UNION ALL
	SELECT format('%s: overloads %s and %s are ambiguous for PostgREST', a.name, a.oid::regprocedure, b.oid::regprocedure)
	FROM f a JOIN f b ON a.name = b.name AND a.oid < b.oid
	WHERE (a.form = 'body' AND b.form = 'body')
	   OR (a.form = 'named' AND b.form = 'named'
		   -- some key set is accepted by both: both required sets within both parameter sets
		   AND (a.required || b.required) <@ ARRAY(SELECT unnest(a.names) INTERSECT SELECT unnest(b.names)))
$$;

-- ---- the real schema ------------------------------------------------------------------------
CREATE TEMP TABLE real_routes AS SELECT jsonb_agg(to_jsonb(r)) AS routes FROM bigpicture.api_routes() r;
SELECT is((SELECT array_agg(x ORDER BY x) FROM pg_temp.route_problems('bigpicture_api', (SELECT routes FROM real_routes)) x),
	NULL, 'bigpicture_api keeps PostgREST''s rules for every route of the route table, and the table lists every function');
SELECT is((SELECT array_agg(proname::text ORDER BY proname) FROM pg_proc WHERE pronamespace = 'bigpicture_api'::regnamespace
		   GROUP BY proname HAVING count(*) > 1), NULL, 'no function of bigpicture_api is overloaded at all');
SELECT is((SELECT array_agg(function ORDER BY function) FROM bigpicture.api_routes() WHERE 'GET' = ANY (methods)),
	'{audit,events,keyset,lease_revocations,license_status,openapi,policy_get,rollout_health,usage,webhook_deliveries,webhooks}',
	'the GET routes');
SELECT is((SELECT array_agg(r.function ORDER BY r.function) FROM bigpicture.api_routes() r
		   JOIN pg_proc p ON p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname = r.function
		   WHERE pg_temp.call_form(p.oid) = 'body'),
	'{decision,decision_readonly,dry_run,entitlement_create,entitlement_update,lease,lease_release,lease_renew,policy_put,'
	'release_approve,release_attach,release_create,release_reject,release_revoke,release_submit,report,rollout_guards,'
	'rollout_halt,rollout_plan,rollout_resume,rollout_set,snapshot_latest,webhook_create,webhook_delete,webhook_rotate_secret,'
	'webhook_update}',
	'the POST routes with a JSON body (one unnamed jsonb): the writing ones, and decision_readonly');
SELECT is((SELECT array_agg(r.function ORDER BY r.function) FROM bigpicture.api_routes() r
		   JOIN pg_proc p ON p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname = r.function
		   WHERE p.provolatile = 'v' AND 'GET' = ANY (r.methods)), NULL, 'no VOLATILE function is a GET route');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.prosecdef), NULL,
	'no function of bigpicture_api is SECURITY DEFINER');
SELECT is((SELECT array_agg(DISTINCT p.oid::regprocedure::text) FROM pg_proc p, pg_temp.params(p.oid) x
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND x.name = ANY (pg_temp.reserved_keys())), NULL,
	'no parameter anywhere in bigpicture_api is named like a reserved query key (audit''s cap is max_events, not limit)');
SELECT is((SELECT count(*) FROM bigpicture.api_routes()), (SELECT count(*) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace), 'one route per function');
SELECT is((SELECT array_agg(r.function ORDER BY r.function) FROM bigpicture.api_routes() r WHERE r.response IS NULL
			OR jsonb_typeof(r.response) <> 'object' OR NOT (r.response ? 'type')),
	NULL, 'every route has a response schema with a type');
SELECT is((SELECT array_agg(r.function ORDER BY r.function) FROM bigpicture.api_routes() r
		   WHERE r.request::text ~ '"\$[a-z_]+"' OR r.response::text ~ '"\$[a-z_]+"'),
	NULL, 'no shared-schema placeholder is left unexpanded');

-- ---- the checks can fail: a probe schema that breaks each rule -------------------------------------------
CREATE SCHEMA routes_probe;
CREATE FUNCTION routes_probe.ok_get(a text, b int DEFAULT 1) RETURNS int LANGUAGE sql STABLE RETURN b;
CREATE FUNCTION routes_probe.ok_body(jsonb) RETURNS jsonb LANGUAGE sql VOLATILE RETURN $1;
CREATE FUNCTION routes_probe.get_volatile(a text) RETURNS text LANGUAGE sql VOLATILE RETURN a;
CREATE FUNCTION routes_probe.get_body(jsonb) RETURNS jsonb LANGUAGE sql STABLE RETURN $1;
CREATE FUNCTION routes_probe.get_limit("limit" int DEFAULT 100) RETURNS int LANGUAGE sql STABLE RETURN "limit";
CREATE FUNCTION routes_probe.post_positional(text, text) RETURNS text LANGUAGE sql VOLATILE RETURN $1;
CREATE FUNCTION routes_probe.stable_without_get(a text) RETURNS text LANGUAGE sql STABLE RETURN a;
CREATE FUNCTION routes_probe.unlisted() RETURNS int LANGUAGE sql STABLE RETURN 1;
CREATE FUNCTION routes_probe._helper() RETURNS int LANGUAGE sql STABLE RETURN 1;
CREATE FUNCTION routes_probe.twice(jsonb) RETURNS jsonb LANGUAGE sql VOLATILE RETURN $1;
CREATE FUNCTION routes_probe.twice(json) RETURNS json LANGUAGE sql VOLATILE RETURN $1;
CREATE FUNCTION routes_probe.named_twice(a text, b text DEFAULT NULL) RETURNS text LANGUAGE sql STABLE RETURN a;
CREATE FUNCTION routes_probe.named_twice(a text, c int DEFAULT NULL) RETURNS text LANGUAGE sql STABLE RETURN a;
CREATE FUNCTION routes_probe.told_apart(a text) RETURNS text LANGUAGE sql STABLE RETURN a;
CREATE FUNCTION routes_probe.told_apart(b int) RETURNS int LANGUAGE sql STABLE RETURN b;
CREATE FUNCTION routes_probe.bad_request_schema(jsonb) RETURNS jsonb LANGUAGE sql VOLATILE RETURN $1;
CREATE FUNCTION routes_probe.odd_route(jsonb) RETURNS jsonb LANGUAGE sql VOLATILE RETURN $1;
CREATE FUNCTION routes_probe.bad_param_extra(a text) RETURNS text LANGUAGE sql STABLE RETURN a;
CREATE TEMP TABLE probe AS SELECT '[
	{"function": "ok_get", "methods": ["GET", "POST"], "path": "/rpc/ok_get", "request": {"b": {"minimum": 1}}},
	{"function": "ok_body", "methods": ["POST"], "path": "/rpc/ok_body", "request": {"type": "object"}},
	{"function": "get_volatile", "methods": ["GET", "POST"], "path": "/rpc/get_volatile", "request": {}},
	{"function": "get_body", "methods": ["GET"], "path": "/rpc/get_body", "request": {"type": "object"}},
	{"function": "get_limit", "methods": ["GET"], "path": "/rpc/get_limit", "request": {}},
	{"function": "post_positional", "methods": ["POST"], "path": "/rpc/post_positional", "request": {"type": "object"}},
	{"function": "stable_without_get", "methods": ["POST"], "path": "/rpc/stable_without_get", "request": {}},
	{"function": "twice", "methods": ["POST"], "path": "/rpc/twice", "request": {"type": "object"}},
	{"function": "named_twice", "methods": ["GET"], "path": "/rpc/named_twice", "request": {}},
	{"function": "told_apart", "methods": ["GET"], "path": "/rpc/told_apart", "request": {}},
	{"function": "bad_request_schema", "methods": ["POST"], "path": "/rpc/bad_request_schema", "request": {"type": "array"}},
	{"function": "bad_param_extra", "methods": ["GET"], "path": "/rpc/bad_param_extra", "request": {"z": {"minimum": 1}}},
	{"function": "gone", "methods": ["POST"], "path": "/rpc/gone", "request": {"type": "object"}},
	{"function": "odd_route", "methods": ["POST"], "path": "/rpc/odd_route", "request": {"type": "object"}},
	{"function": "odd_route", "methods": ["PUT"], "path": "/v1/odd", "request": {"type": "object"}}
]'::jsonb AS routes;
CREATE TEMP TABLE probe_problems AS SELECT x FROM pg_temp.route_problems('routes_probe', (SELECT routes FROM probe)) x;
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = 'get_volatile: GET, but VOLATILE (GET runs in a READ ONLY transaction)'),
	'the check finds a VOLATILE GET route');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = 'get_body: GET, but not every parameter is named (GET passes query parameters by name)'),
	'the check finds a GET route taking an unnamed jsonb (PGRST202 behind PostgREST)');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = 'get_limit: parameter "limit" is a query key PostgREST keeps for itself'),
	'the check finds a parameter GET can never set (limit)');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = 'post_positional: POST, but neither one unnamed json/jsonb parameter nor only named ones'),
	'the check finds a function PostgREST cannot call');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = 'stable_without_get: STABLE with named parameters, but the route table has no GET for it'),
	'the check finds a reading function without its GET route');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = 'unlisted: in the schema but not in the route table'),
	'the check finds a function missing from the route table');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = 'gone: in the route table but not in the schema'),
	'the check finds a route without its function');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = '_helper: an internal (_) function in the exposed schema: PostgREST routes it too'),
	'the check finds an internal function in the exposed schema');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x ~ '^twice: overloads .* are ambiguous for PostgREST'),
	'the check finds two single-json overloads (PGRST203)');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x ~ '^named_twice: overloads .* are ambiguous for PostgREST'),
	'the check finds two named overloads that both accept {a} (PGRST203)');
SELECT ok(NOT EXISTS (SELECT 1 FROM probe_problems WHERE x ~ '^(told_apart|ok_get|ok_body):'),
	'but not overloads that take different keys, nor routes that keep the rules');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = 'bad_request_schema: takes a JSON body but its request is not an object schema')
	  AND EXISTS (SELECT 1 FROM probe_problems WHERE x = 'bad_param_extra: request names "z", which is not a parameter'),
	'the check finds request schemas that do not fit the function');
SELECT ok(EXISTS (SELECT 1 FROM probe_problems WHERE x = 'odd_route: listed 2 times in the route table')
	  AND EXISTS (SELECT 1 FROM probe_problems WHERE x = 'odd_route: methods {PUT} (GET and/or POST)')
	  AND EXISTS (SELECT 1 FROM probe_problems WHERE x = 'odd_route: path /v1/odd is not /rpc/odd_route'),
	'the check finds a route listed twice, a method PostgREST does not route, a path not its function''s');
SELECT is((SELECT count(*) FROM probe_problems), 15::bigint, 'and finds nothing else in the probe');

SELECT * FROM finish();
ROLLBACK;
