-- The HTTP schema bigpicture_api: every entry point is a SECURITY INVOKER
-- wrapper, STABLE exactly when it only reads, granted per the scope table of
-- docs/http.md; each one works as its role and refuses bad requests with
-- 22023 naming the field; views run with the caller's rights.  The shapes
-- PostgREST needs (one unnamed jsonb for POST routes, named parameters for
-- GET routes, the route table) are test/pgtap/routes.sql; the same calls
-- over HTTP are in test/http.
BEGIN;
SELECT plan(91);
SET search_path = bigpicture, public;

-- ---- the shape of the schema ----------------------------------------------------------
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.provolatile = 'v'
			 AND (p.pronargs <> 1 OR p.proargtypes[0] <> 'jsonb'::regtype OR p.proargnames IS NOT NULL)),
	NULL, 'every writing entry point takes one unnamed jsonb parameter (the POST body)');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ' ' ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.provolatile <> 'v'
			 AND p.proname <> 'decision_readonly'),
	'bigpicture_api.audit(text,text,text,timestamp with time zone,timestamp with time zone,integer) bigpicture_api.events(bigint,integer,text[]) bigpicture_api.keyset() '
	'bigpicture_api.lease_revocations(text) bigpicture_api.license_status(text,text,text,text,text) bigpicture_api.openapi() '
	'bigpicture_api.policy_get(text,text,text,text) bigpicture_api.rollout_health(text,text,text) '
	'bigpicture_api.usage(timestamp with time zone,timestamp with time zone,text) '
	'bigpicture_api.webhook_deliveries(text,integer) bigpicture_api.webhooks()',
	'the reading entry points take named parameters (or none): GET passes query parameters by name');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.prosecdef),
	NULL, 'no entry point is SECURITY DEFINER: the caller''s rights decide');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname !~ '^_' AND p.provolatile = 's'),
	'{audit,decision_readonly,events,keyset,lease_revocations,license_status,openapi,policy_get,rollout_health,usage,'
	'webhook_deliveries,webhooks}',
	'exactly the reading entry points are STABLE (GET-able), and decision_readonly (read-only transactions)');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
		   WHERE c.relnamespace = 'bigpicture_api'::regnamespace AND c.relkind = 'v'
			 AND NOT COALESCE(c.reloptions @> '{security_invoker=true}', false)),
	NULL, 'every listing view is security_invoker');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')),
	NULL, 'nothing in bigpicture_api is executable by PUBLIC');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname !~ '^_'
			 AND obj_description(p.oid, 'pg_proc') IS NULL),
	NULL, 'every entry point is documented (its comment is its OpenAPI summary)');

-- Who may call what: the scope table of docs/http.md.
SELECT is((SELECT string_agg(r || ':' || (SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p
			WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname !~ '^_' AND p.proname <> 'openapi'
			  AND has_function_privilege(r, p.oid, 'EXECUTE')), E'\n' ORDER BY r)
		   FROM unnest('{bigpicture_anon,bigpicture_client,bigpicture_mirror,bigpicture_tenant_admin,bigpicture_publisher,'
			'bigpicture_approver,bigpicture_auditor,bigpicture_admin}'::text[]) r),
	E'bigpicture_admin:audit,decision,decision_readonly,dry_run,entitlement_create,entitlement_update,events,keyset,lease,lease_release,lease_renew,lease_revocations,license_status,policy_get,policy_put,release_approve,release_attach,release_create,release_reject,release_revoke,release_submit,report,rollout_guards,rollout_halt,rollout_health,rollout_plan,rollout_resume,rollout_set,snapshot_latest,usage,webhook_create,webhook_delete,webhook_deliveries,webhook_rotate_secret,webhook_update,webhooks\n'
	'bigpicture_anon:keyset\n'
	'bigpicture_approver:dry_run,keyset,release_approve,release_reject,rollout_health,rollout_resume\n'
	'bigpicture_auditor:audit,events,keyset,policy_get,rollout_health,usage,webhook_deliveries,webhooks\n'
	'bigpicture_client:decision,decision_readonly,keyset,lease,lease_release,lease_renew,lease_revocations,license_status,report\n'
	'bigpicture_mirror:keyset,lease,lease_release,lease_renew,lease_revocations,license_status,snapshot_latest\n'
	'bigpicture_publisher:dry_run,keyset,release_attach,release_create,release_submit,rollout_guards,rollout_halt,rollout_health,rollout_plan,rollout_set\n'
	'bigpicture_tenant_admin:audit,decision,decision_readonly,dry_run,events,keyset,lease,lease_release,lease_renew,lease_revocations,license_status,policy_get,policy_put,report,rollout_health,snapshot_latest,usage,webhook_create,webhook_delete,webhook_deliveries,webhook_rotate_secret,webhook_update,webhooks',
	'EXECUTE per role is the documented scope mapping');

-- ---- fixtures -------------------------------------------------------------------------------
SELECT lives_ok($$SELECT activate_key(generate_key(p)) FROM unnest('{root,decision,lease,snapshot,audit}'::text[]) p$$,
	'keys');
SELECT lives_ok($$SELECT create_tenant('Acme', 'tenant_api'), create_tenant('Other', 'tenant_api_other'),
	create_product('Editor', 'prod_api'), create_channel('prod_api', 'stable'),
	create_entitlement('tenant_api', 'prod_api', 'concurrent', max_seats => 2, entitlement_id => 'ent_api')$$, 'fixtures');
CREATE ROLE t_api_pub LOGIN IN ROLE bigpicture_publisher;
CREATE ROLE t_api_approver LOGIN IN ROLE bigpicture_approver;
CREATE ROLE t_api_dba LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE t_api_client LOGIN IN ROLE bigpicture_client;
CREATE ROLE t_api_mirror LOGIN IN ROLE bigpicture_mirror;
CREATE ROLE t_api_admin LOGIN IN ROLE bigpicture_admin;
SELECT bind_role('t_api_dba', 'tenant_api'), bind_role('t_api_client', 'tenant_api'), bind_role('t_api_mirror', 'tenant_api');
SELECT set_approval_workflow('channel', 'prod_api', 'stable', required_approvals => 1);

-- ---- releases as the publisher, approver and admin ------------------------------------------
SET ROLE t_api_pub;
SELECT is(bigpicture_api.release_create('{"product_id": "prod_api", "version": "1.2.0", "channel": "stable",
	"release_id": "rel_api_12", "notes": "Faster"}'), '{"release_id": "rel_api_12", "status": "draft"}',
	'release_create makes a draft');
SELECT is(bigpicture_api.release_attach(('{"release_id": "rel_api_12", "artifact": {"url": "https://dl.example.com/e-1.2.0.deb",
	"sha256": "' || repeat('ab', 32) || '", "size": 1000, "platform": "linux", "arch": "x86_64", "installer_type": "deb",
	"artifact_id": "art_api_12"}}')::jsonb) ->> 'artifact_id', 'art_api_12', 'release_attach creates and attaches an artifact');
SELECT is(bigpicture_api.release_submit('{"release_id": "rel_api_12"}') ->> 'status', 'pending_approval',
	'release_submit: awaiting the required approval');
SELECT is(sqlstate_of($$SELECT bigpicture_api.release_approve('{"release_id": "rel_api_12"}')$$), '42501',
	'a publisher cannot approve');
SELECT is(error_of($$SELECT bigpicture_api.release_create('{"product_id": "prod_api", "version": "1.3.0"}')$$),
	'field "channel" is required | Required fields: product_id, version, channel. | ', 'a missing field is named');
SELECT is(error_of($$SELECT bigpicture_api.release_create('{"product_id": "prod_api", "version": "1.3.0",
	"channel": "stable", "colour": "red"}')$$),
	'unknown field "colour" | Allowed fields: product_id, version, channel, notes, metadata, critical, release_id. | ',
	'an unknown field is named');
SELECT is(sqlstate_of($$SELECT bigpicture_api.release_create('[1, 2]')$$), '22023', 'a request that is not an object: 22023');
SELECT is(sqlstate_of($$SELECT bigpicture_api.release_attach('{"release_id": "rel_api_12"}')$$), '22023',
	'release_attach needs artifact_id or artifact');
SELECT is(sqlstate_of($$SELECT bigpicture_api.release_attach('{"release_id": "rel_api_12", "artifact_id": "art_x",
	"artifact": {}}')$$), '22023', 'but not both');
SELECT is(sqlstate_of($$SELECT bigpicture_api.release_create('{"product_id": "prod_api", "version": "not a version",
	"channel": "stable"}')$$), '22P02', 'a bad version is the typed API''s own error');
RESET ROLE;
SET ROLE t_api_approver;
SELECT is(bigpicture_api.release_approve('{"release_id": "rel_api_12", "comment": "ok"}') ->> 'status', 'published',
	'release_approve publishes it');
SELECT is(sqlstate_of($$SELECT bigpicture_api.release_create('{"product_id": "prod_api", "version": "9.0.0",
	"channel": "stable"}')$$), '42501', 'an approver cannot create releases');
SELECT is((SELECT status FROM bigpicture_api.releases WHERE release_id = 'rel_api_12'), 'published',
	'the releases view, as an approver');
RESET ROLE;

-- ---- clients ------------------------------------------------------------------------------
SET ROLE t_api_client;
SELECT is(bigpicture_api.decision('{"install_id": "i-1", "platform": "linux", "arch": "x86_64",
	"products": [{"product_id": "prod_api", "current_version": "1.0.0"}]}') #>> '{decisions,0,version}', '1.2.0',
	'decision: the new release, signed');
SELECT is(verify_token(bigpicture_api.decision('{"install_id": "i-1", "platform": "linux", "arch": "x86_64",
	"products": [{"product_id": "prod_api", "current_version": "1.0.0"}]}') #>> '{decisions,0,token}') ->> 'tenant_id',
	'tenant_api', 'the decision token is for the client''s tenant');
SELECT is(sqlstate_of($$SELECT bigpicture_api.decision('{"install_id": "i-1", "platform": "linux", "arch": "x86_64",
	"tenant_id": "tenant_api_other", "products": [{"product_id": "prod_api", "current_version": "1.0.0"}]}')$$), '42501',
	'decision for another tenant: 42501');
SELECT bigpicture_api.lease('{"product_id": "prod_api", "subject_type": "user", "subject_id": "alice"}') AS lease \gset
SELECT is(:'lease'::jsonb ->> 'entitlement_id', 'ent_api', 'lease takes a seat');
SELECT is(bigpicture_api.license_status('prod_api', 'user', 'alice') #>> '{entitlements,0,lease,lease_id}',
	:'lease'::jsonb ->> 'lease_id', 'license_status: the subject''s lease');
SELECT is(bigpicture_api.license_status(product_id => 'prod_api', subject_type => 'user', subject_id => 'nobody')
	#> '{entitlements,0,lease}', 'null', 'license_status with named arguments (as PostgREST calls it): no lease for another subject');
SELECT is(error_of($$SELECT bigpicture_api.license_status('prod_api', 'person', 'alice')$$),
	(SELECT error_of($$SELECT bigpicture.license_status('{"product_id": "prod_api", "subject_type": "person", "subject_id": "alice"}')$$)),
	'license_status: a bad subject_type is the typed API''s own 22023');
SELECT is(sqlstate_of($$SELECT bigpicture_api.license_status(NULL, 'user', 'alice')$$), '22023',
	'license_status: the required product_id sent as null is 22023');
SELECT is(bigpicture_api.license_status('prod_api') #>> '{entitlements,0,seats_used}', '1',
	'license_status without a subject: the tenant''s entitlements and seats');
SELECT is(sqlstate_of($$SELECT bigpicture_api.license_status('prod_api', 'user', 'alice', tenant_id => 'tenant_api_other')$$),
	'42501', 'license_status for another tenant: 42501');
SELECT is(bigpicture_api.lease_revocations() ->> 'lease_revocations' LIKE 'v4.public.%', true,
	'lease_revocations: the signed list of the client''s tenant');
SELECT is(bigpicture_api.lease_renew(jsonb_build_object('lease_id', :'lease'::jsonb ->> 'lease_id')) ->> 'lease_id',
	:'lease'::jsonb ->> 'lease_id', 'lease_renew renews it');
SELECT is(bigpicture_api.lease_release(jsonb_build_object('lease_id', :'lease'::jsonb ->> 'lease_id')) IS NOT NULL, true,
	'lease_release gives it back');
RESET ROLE;
SET ROLE t_api_client;
SELECT is(sqlstate_of($$SELECT bigpicture_api.policy_put('{"scope": "tenant", "mode": "AUTO_INSTALL"}')$$), '42501',
	'a client cannot set policy');
SELECT is(sqlstate_of($$SELECT bigpicture_api.audit()$$), '42501', 'nor read the audit log');
SELECT is(sqlstate_of($$SELECT * FROM bigpicture_api.entitlements$$), '42501', 'nor list entitlements');
SELECT is(bigpicture_api.keyset() ->> 'keyset' LIKE 'v4.public.%', true, 'keyset');
RESET ROLE;
SET ROLE bigpicture_anon;
SELECT is(bigpicture_api.keyset() ->> 'keyset' LIKE 'v4.public.%', true, 'anon: keyset');
SELECT is(sqlstate_of($$SELECT bigpicture_api.keyset('{"x": 1}')$$), '42883',
	'keyset takes no arguments (over HTTP an argument is PGRST202)');
SELECT is(sqlstate_of($$SELECT bigpicture_api.lease_revocations()$$), '42501', 'anon: no lease revocations');
SELECT is(sqlstate_of($$SELECT bigpicture_api.decision('{}')$$), '42501', 'anon: no decisions');
SELECT is(sqlstate_of($$SELECT bigpicture_api.lease('{}')$$), '42501', 'anon: no leases');
SELECT is(sqlstate_of($$SELECT * FROM bigpicture_api.releases$$), '42501', 'anon: no release listing');
RESET ROLE;

-- ---- the tenant's DBA: policy, usage, audit, entitlements ---------------------------------------
SET ROLE t_api_dba;
SELECT is(bigpicture_api.policy_put('{"scope": "tenant", "mode": "NOTIFY_ONLY", "blocked": ["<1.1.0"]}') ->> 'mode',
	'NOTIFY_ONLY', 'policy_put sets and returns the policy');
SELECT is(bigpicture_api.policy_get('tenant') -> 'blocked', '["<1.1.0"]', 'policy_get reads it back');
SELECT is(bigpicture_api.policy_get(scope => 'tenant_product', product_id => 'prod_api'), 'null',
	'policy_get of an empty scope: null');
SELECT is(sqlstate_of($$SELECT bigpicture_api.policy_get('planet')$$), '22023', 'policy_get of a bad scope: 22023');
SELECT is(sqlstate_of($$SELECT bigpicture_api.policy_put('{"scope": "tenant", "blocked": "<1.1.0"}')$$), '22023',
	'blocked must be an array of strings');
SELECT is(sqlstate_of($$SELECT bigpicture_api.policy_put('{"scope": "tenant", "tenant_id": "tenant_api_other",
	"mode": "AUTO_INSTALL"}')$$), '42501', 'policy for another tenant: 42501');
SELECT is(jsonb_array_length(bigpicture_api.usage(now() - interval '1 hour', now() + interval '1 hour')), 1,
	'usage: one entitlement');
SELECT is(bigpicture_api.usage("from" => now() + interval '1 day', "to" => now() + interval '2 days') -> 0 -> 'leases', '0',
	'usage with named arguments: no leases in a window to come');
SELECT is(error_of($$SELECT bigpicture_api.usage('yesterday', NULL)$$), 'field "to" is required | Required fields: from, to. | ',
	'usage needs from and to (null is absent)');
SELECT is(sqlstate_of($$SELECT bigpicture_api.usage('the beginning', 'now')$$), '22007', 'usage: a bad time is 22007');
SELECT is(bigpicture_api.audit(max_events => 5) -> 0 ->> 'chain_id', 'tenant_api', 'audit: the tenant''s own chain');
SELECT is(jsonb_array_length(bigpicture_api.audit(max_events => 2)), 2, 'audit: at most max_events');
SELECT is((SELECT count(*) FROM jsonb_array_elements(bigpicture_api.audit(max_events => 1000)) e
		   WHERE e ->> 'chain_id' <> 'tenant_api'), 0::bigint, 'and nothing of other chains');
SELECT is((SELECT bool_and(a.t >= b.t) FROM (SELECT (e ->> 'occurred_at')::timestamptz t, n
		   FROM jsonb_array_elements(bigpicture_api.audit(max_events => 1000)) WITH ORDINALITY x(e, n)) a
		   JOIN (SELECT (e ->> 'occurred_at')::timestamptz t, n
		   FROM jsonb_array_elements(bigpicture_api.audit(max_events => 1000)) WITH ORDINALITY x(e, n)) b ON b.n = a.n + 1),
	true, 'audit: newest first');
SELECT is((SELECT array_agg(DISTINCT e ->> 'event_type') FROM jsonb_array_elements(
		bigpicture_api.audit(event_type => 'policy_created', max_events => 1000)) e), '{policy_created}', 'audit: by event_type');
SELECT is(sqlstate_of($$SELECT bigpicture_api.audit(max_events => 0)$$), '22023', 'audit max_events is checked (1)');
SELECT is(sqlstate_of($$SELECT bigpicture_api.audit(max_events => 10001)$$), '22023', 'audit max_events is checked (10001)');
SELECT is((SELECT array_agg(entitlement_id) FROM bigpicture_api.entitlements), '{ent_api}', 'entitlements view: own rows only');
SELECT is(sqlstate_of($$SELECT bigpicture_api.entitlement_create('{"tenant_id": "tenant_api", "product_id": "prod_api",
	"type": "feature_based"}')$$), '42501', 'a tenant admin cannot create entitlements');
RESET ROLE;

-- ---- the vendor admin: entitlements, revocation; the mirror: snapshots --------------------------
SET ROLE t_api_admin;
SELECT is(bigpicture_api.entitlement_create('{"tenant_id": "tenant_api", "product_id": "prod_api", "type": "feature_based",
	"features": ["pdf"], "entitlement_id": "ent_api_2"}'), '{"entitlement_id": "ent_api_2"}', 'entitlement_create');
SELECT is(bigpicture_api.entitlement_update('{"entitlement_id": "ent_api_2", "features": ["pdf", "ocr"],
	"status": "suspended", "reason": "unpaid"}') ->> 'state', 'suspended', 'entitlement_update: features and status');
SELECT is(sqlstate_of($$SELECT bigpicture_api.entitlement_create('{"tenant_id": "tenant_api", "product_id": "prod_api",
	"type": "concurrent", "max_seats": "many"}')$$), '22P02', 'a seat count that is not a number');
SELECT is(sqlstate_of($$SELECT bigpicture_api.entitlement_create('{"tenant_id": "tenant_api", "product_id": "prod_api",
	"type": "feature_based", "features": "pdf"}')$$), '22023', 'features must be an array');
SELECT is(bigpicture_api.release_revoke('{"release_id": "rel_api_12", "reason": "bad build"}') ->> 'status', 'revoked',
	'release_revoke');
SELECT is(sqlstate_of($$SELECT bigpicture_api.release_revoke('{"release_id": "rel_api_12"}')$$), '22023',
	'a revocation needs its reason');
SELECT lives_ok($$SELECT register_mirror('Acme office', 'tenant_api', 'mirror_api'),
	generate_snapshot('tenant_api')$$, 'a mirror and a snapshot');
RESET ROLE;
SET ROLE t_api_mirror;
SELECT is(bigpicture_api.snapshot_latest('{"mirror_id": "mirror_api"}') ->> 'seq', '1', 'snapshot_latest as the mirror');
SELECT is((SELECT last_snapshot_seq FROM bigpicture_api.mirrors), 1::bigint, 'the mirror''s sync is recorded');
SELECT is(sqlstate_of($$SELECT bigpicture_api.snapshot_latest('{"tenant_id": "tenant_api_other"}')$$), '42501',
	'another tenant''s snapshot: 42501');
RESET ROLE;

-- ---- decisions on a standby: decision_readonly in a READ ONLY transaction -------------------------
-- PostgREST runs a STABLE function in a READ ONLY transaction (what a hot
-- standby accepts); check_update then signs and writes nothing.
SET ROLE t_api_client;
SELECT is(bigpicture_api.decision_readonly('{"install_id": "i-ro", "platform": "linux", "arch": "x86_64",
	"products": [{"product_id": "prod_api", "current_version": "1.0.0"}]}') -> 'recorded', 'true',
	'decision_readonly in a read-write transaction records, like decision');
SAVEPOINT read_only;
SET TRANSACTION READ ONLY;
SELECT bigpicture_api.decision_readonly('{"install_id": "i-ro-2", "platform": "linux", "arch": "x86_64",
	"products": [{"product_id": "prod_api", "current_version": "1.0.0"}]}') AS ro \gset
SELECT is(:'ro'::jsonb -> 'recorded', 'false', 'decision_readonly in a READ ONLY transaction: "recorded": false');
SELECT is(verify_token(:'ro'::jsonb #>> '{decisions,0,token}') ->> 'install_id', 'i-ro-2', 'and the decision is signed');
SELECT is(sqlstate_of($$SELECT bigpicture_api.policy_put('{"scope": "tenant", "mode": "AUTO_INSTALL"}')$$), '42501',
	'(a client still may not set policy)');
ROLLBACK TO SAVEPOINT read_only;
SELECT is(sqlstate_of($$SELECT bigpicture_api.decision_readonly('{"tenant_id": "tenant_api_other", "platform": "linux",
	"arch": "x86_64", "products": [{"product_id": "prod_api"}]}')$$), '42501', 'decision_readonly for another tenant: 42501');
SELECT is(sqlstate_of($$SELECT bigpicture_api.decision_readonly('{"platform": "beos", "arch": "x86_64",
	"products": [{"product_id": "prod_api"}]}')$$), '22023', 'decision_readonly: a bad request is 22023');
RESET ROLE;
SET ROLE bigpicture_anon;
SELECT is(sqlstate_of($$SELECT bigpicture_api.decision_readonly('{}')$$), '42501', 'anon: no decisions on a standby either');
RESET ROLE;

-- ---- OpenAPI (the route table itself is test/pgtap/routes.sql) -------------------------------------
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(bigpicture_api.openapi() -> 'paths') k),
	(SELECT array_agg(path ORDER BY path) FROM bigpicture.api_routes()), 'OpenAPI lists exactly the routes');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(bigpicture_api.openapi() -> 'paths') k
		   WHERE k !~ '^/rpc/'), '{/}', 'and no listing view (bigpicture-gateway serves none)');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(bigpicture_api.openapi() -> 'paths') k
		   WHERE (bigpicture_api.openapi() -> 'paths' -> k -> 'get') IS NOT NULL AND k LIKE '/rpc/%'),
	'{/rpc/audit,/rpc/events,/rpc/keyset,/rpc/lease_revocations,/rpc/license_status,/rpc/policy_get,/rpc/rollout_health,/rpc/usage,'
	'/rpc/webhook_deliveries,/rpc/webhooks}',
	'with GET only for the reading ones');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(bigpicture_api.openapi() -> 'paths') k
		   WHERE EXISTS (SELECT 1 FROM json_each(bigpicture_api.openapi() -> 'paths' -> k) o,
				jsonb_array_elements((o.value -> 'security')::jsonb) r WHERE r = '{}')),
	'{/,/rpc/keyset}', 'only the document and the key set need no token');
SELECT is((bigpicture_api.openapi() #> '{paths,/rpc/usage,get,parameters}')::jsonb,
	'[{"in": "query", "name": "from", "schema": {"type": "string", "format": "date-time"}, "required": true},
	  {"in": "query", "name": "to", "schema": {"type": "string", "format": "date-time"}, "required": true},
	  {"in": "query", "name": "tenant_id", "schema": {"type": "string"}, "required": false}]',
	'GET /rpc/usage: its query parameters, from the function''s');
SELECT is((bigpicture_api.openapi() #> '{paths,/rpc/usage,post,requestBody,content,application/json,schema}')::jsonb,
	'{"type": "object", "required": ["from", "to"], "properties": {"to": {"type": "string", "format": "date-time"},
	  "from": {"type": "string", "format": "date-time"}, "tenant_id": {"type": "string"}}, "additionalProperties": false}',
	'POST /rpc/usage: the same as a JSON object, nothing else allowed (PGRST202)');
SELECT is((bigpicture_api.openapi() #> '{paths,/rpc/lease,post,requestBody,content,application/json,schema,required}')::jsonb,
	'["product_id", "subject_type", "subject_id"]', 'POST /rpc/lease: the required fields of the body');
SELECT is((bigpicture_api.openapi() #> '{paths,/rpc/decision,post,x-bigpicture-roles}')::jsonb,
	'["bigpicture_admin", "bigpicture_client", "bigpicture_tenant_admin"]', 'the roles of a route are its grants');
SET ROLE bigpicture_anon;
SELECT is(bigpicture_api.openapi() ->> 'openapi', '3.0.3', 'anon reads the document');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
