-- The HTTP schema bigpicture_api: every entry point takes one
-- unnamed jsonb, is a SECURITY INVOKER wrapper, is STABLE exactly when it
-- only reads, and is granted per the scope table of docs/http.md; each one
-- works as its role and refuses bad requests with 22023 naming the field;
-- views run with the caller's rights.  The same calls over HTTP are in
-- test/http.
BEGIN;
SELECT plan(62);
SET search_path = bigpicture, public;

-- ---- the shape of the schema ----------------------------------------------------------
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname !~ '^_'
			 AND (p.pronargs <> 1 OR p.proargtypes[0] <> 'jsonb'::regtype OR p.proargnames IS NOT NULL)
			 AND p.proname <> 'openapi'),
	NULL, 'every entry point takes one unnamed jsonb parameter');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.prosecdef),
	NULL, 'no entry point is SECURITY DEFINER: the caller''s rights decide');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
		   WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname !~ '^_' AND p.provolatile = 's'),
	'{audit,keyset,lease_revocations,license_status,openapi,policy_get,usage}',
	'exactly the reading entry points are STABLE (GET-able)');
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
	E'bigpicture_admin:audit,decision,entitlement_create,entitlement_update,keyset,lease,lease_release,lease_renew,lease_revocations,license_status,policy_get,policy_put,release_approve,release_attach,release_create,release_reject,release_revoke,release_submit,snapshot_latest,usage\n'
	'bigpicture_anon:keyset\n'
	'bigpicture_approver:keyset,release_approve,release_reject\n'
	'bigpicture_auditor:audit,keyset,policy_get,usage\n'
	'bigpicture_client:decision,keyset,lease,lease_release,lease_renew,lease_revocations,license_status\n'
	'bigpicture_mirror:keyset,lease,lease_release,lease_renew,lease_revocations,license_status,snapshot_latest\n'
	'bigpicture_publisher:keyset,release_attach,release_create,release_submit\n'
	'bigpicture_tenant_admin:audit,decision,keyset,lease,lease_release,lease_renew,lease_revocations,license_status,policy_get,policy_put,snapshot_latest,usage',
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
SELECT is(bigpicture_api.license_status('{"product_id": "prod_api", "subject_type": "user", "subject_id": "alice"}') IS NOT NULL,
	true, 'license_status answers');
SELECT is(bigpicture_api.lease_renew(jsonb_build_object('lease_id', :'lease'::jsonb ->> 'lease_id')) ->> 'lease_id',
	:'lease'::jsonb ->> 'lease_id', 'lease_renew renews it');
SELECT is(bigpicture_api.lease_release(jsonb_build_object('lease_id', :'lease'::jsonb ->> 'lease_id')) IS NOT NULL, true,
	'lease_release gives it back');
RESET ROLE;
SET ROLE t_api_client;
SELECT is(sqlstate_of($$SELECT bigpicture_api.policy_put('{"scope": "tenant", "mode": "AUTO_INSTALL"}')$$), '42501',
	'a client cannot set policy');
SELECT is(sqlstate_of($$SELECT bigpicture_api.audit('{}')$$), '42501', 'nor read the audit log');
SELECT is(sqlstate_of($$SELECT * FROM bigpicture_api.entitlements$$), '42501', 'nor list entitlements');
SELECT is(bigpicture_api.keyset('{}') ->> 'keyset' LIKE 'v4.public.%', true, 'keyset');
RESET ROLE;
SET ROLE bigpicture_anon;
SELECT is(bigpicture_api.keyset(NULL) ->> 'keyset' LIKE 'v4.public.%', true, 'anon: keyset, also without a body');
SELECT is(error_of($$SELECT bigpicture_api.keyset('{"x": 1}')$$), 'unknown field "x" | This function takes no fields. | ',
	'keyset takes no fields');
SELECT is(sqlstate_of($$SELECT bigpicture_api.decision('{}')$$), '42501', 'anon: no decisions');
SELECT is(sqlstate_of($$SELECT bigpicture_api.lease('{}')$$), '42501', 'anon: no leases');
SELECT is(sqlstate_of($$SELECT * FROM bigpicture_api.releases$$), '42501', 'anon: no release listing');
RESET ROLE;

-- ---- the tenant's DBA: policy, usage, audit, entitlements ---------------------------------------
SET ROLE t_api_dba;
SELECT is(bigpicture_api.policy_put('{"scope": "tenant", "mode": "NOTIFY_ONLY", "blocked": ["<1.1.0"]}') ->> 'mode',
	'NOTIFY_ONLY', 'policy_put sets and returns the policy');
SELECT is(bigpicture_api.policy_get('{"scope": "tenant"}') -> 'blocked', '["<1.1.0"]', 'policy_get reads it back');
SELECT is(bigpicture_api.policy_get('{"scope": "tenant_product", "product_id": "prod_api"}'), 'null',
	'policy_get of an empty scope: null');
SELECT is(sqlstate_of($$SELECT bigpicture_api.policy_put('{"scope": "tenant", "blocked": "<1.1.0"}')$$), '22023',
	'blocked must be an array of strings');
SELECT is(sqlstate_of($$SELECT bigpicture_api.policy_put('{"scope": "tenant", "tenant_id": "tenant_api_other",
	"mode": "AUTO_INSTALL"}')$$), '42501', 'policy for another tenant: 42501');
SELECT is(jsonb_array_length(bigpicture_api.usage(jsonb_build_object('from', now() - interval '1 hour',
	'to', now() + interval '1 hour'))), 1, 'usage: one entitlement');
SELECT is(sqlstate_of($$SELECT bigpicture_api.usage('{"from": "yesterday"}')$$), '22023', 'usage needs from and to');
SELECT is(bigpicture_api.audit('{"limit": 5}') -> 0 ->> 'chain_id', 'tenant_api', 'audit: the tenant''s own chain');
SELECT is((SELECT count(*) FROM jsonb_array_elements(bigpicture_api.audit('{"limit": 1000}')) e
		   WHERE e ->> 'chain_id' <> 'tenant_api'), 0::bigint, 'and nothing of other chains');
SELECT is(sqlstate_of($$SELECT bigpicture_api.audit('{"limit": 0}')$$), '22023', 'audit limit is checked');
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

-- ---- OpenAPI -------------------------------------------------------------------------------------
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(bigpicture_api.openapi() -> 'paths') k
		   WHERE k LIKE '/rpc/%'),
	(SELECT array_agg('/rpc/' || p.proname ORDER BY '/rpc/' || p.proname) FROM pg_proc p
	 WHERE p.pronamespace = 'bigpicture_api'::regnamespace AND p.proname !~ '^_' AND p.proname <> 'openapi'),
	'OpenAPI lists every entry point');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(bigpicture_api.openapi() -> 'paths') k
		   WHERE (bigpicture_api.openapi() -> 'paths' -> k -> 'get') IS NOT NULL AND k LIKE '/rpc/%'),
	'{/rpc/audit,/rpc/keyset,/rpc/lease_revocations,/rpc/license_status,/rpc/policy_get,/rpc/usage}', 'with GET only for the STABLE ones');

SELECT * FROM finish();
ROLLBACK;
