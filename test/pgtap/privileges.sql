-- Privilege proof: the invariants behind the
-- per-object grants that catalog.sql pins.  Three parts:
--   (a) every object the extension owns (pg_depend deptype 'e', schemas
--       bigpicture and bigpicture_api): owner, nothing for PUBLIC but the pure
--       value functions, definer functions with a pinned search_path, honest
--       volatility, RLS enabled and forced on tenant tables;
--   (b) every SECURITY DEFINER function that takes a tenant refuses a caller
--       bound to another tenant — enumerated from pg_proc, so a new one without
--       a case here fails;
--   (c) no role but bigpicture_owner (and superusers) reaches sealed key
--       material: not by SELECT, not through a view, not in the output of any
--       function granted to a bigpicture_* role, not in an error message.
--       (pg_dump as each role is test/faults/pgdump_keys: it needs a shell.)
-- Every actor is a real role (SET SESSION AUTHORIZATION / SET ROLE), never the
-- superuser, who bypasses all of it.
BEGIN;
SELECT plan(739);

-- ==== (a) the extension's objects ==============================================================

-- Everything the extension owns, by catalog.
CREATE TEMP VIEW ext_member AS
SELECT d.classid, d.objid, pg_describe_object(d.classid, d.objid, 0) AS descr
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'bigpicture'
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e';
CREATE TEMP VIEW ext_proc AS
SELECT p.* , p.oid::regprocedure::text AS sig FROM pg_proc p JOIN ext_member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid;
CREATE TEMP VIEW ext_rel AS
SELECT c.*, c.oid::regclass::text AS name FROM pg_class c JOIN ext_member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid;
-- The role that ran CREATE EXTENSION: it keeps the schemas, types and operators.
CREATE TEMP VIEW ext_installer AS SELECT extowner AS oid FROM pg_extension WHERE extname = 'bigpicture';

SELECT is((SELECT array_agg(DISTINCT classid::regclass::text ORDER BY classid::regclass::text) FROM ext_member),
	ARRAY['pg_class', 'pg_namespace', 'pg_opclass', 'pg_operator', 'pg_opfamily', 'pg_proc', 'pg_type'],
	'the extension owns functions, relations, types, operators, operator classes and families, and a schema: nothing else');
SELECT is((SELECT array_agg(descr ORDER BY descr) FROM ext_member m
		   WHERE m.classid IN ('pg_proc'::regclass, 'pg_class'::regclass, 'pg_type'::regclass, 'pg_operator'::regclass)
			 AND COALESCE((SELECT pronamespace FROM pg_proc WHERE m.classid = 'pg_proc'::regclass AND oid = m.objid),
						  (SELECT relnamespace FROM pg_class WHERE m.classid = 'pg_class'::regclass AND oid = m.objid),
						  (SELECT typnamespace FROM pg_type WHERE m.classid = 'pg_type'::regclass AND oid = m.objid),
						  (SELECT oprnamespace FROM pg_operator WHERE m.classid = 'pg_operator'::regclass AND oid = m.objid))
				 NOT IN ('bigpicture'::regnamespace, 'bigpicture_api'::regnamespace)),
	NULL, 'every member lives in schema bigpicture or bigpicture_api');
SELECT is((SELECT array_agg(x ORDER BY x) FROM (
			SELECT p.oid::regprocedure::text AS x FROM pg_proc p
			WHERE p.pronamespace IN ('bigpicture'::regnamespace, 'bigpicture_api'::regnamespace)
			  AND NOT EXISTS (SELECT 1 FROM ext_proc e WHERE e.oid = p.oid)
			UNION ALL
			SELECT c.oid::regclass::text FROM pg_class c
			WHERE c.relnamespace IN ('bigpicture'::regnamespace, 'bigpicture_api'::regnamespace)
			  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT EXISTS (SELECT 1 FROM ext_rel e WHERE e.oid = c.oid)) s),
	NULL, 'every function, table, view and sequence in the two schemas belongs to the extension (so the checks below see it)');

-- ---- owners ---------------------------------------------------------------------------------------
SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_proc WHERE proowner <> 'bigpicture_owner'::regrole),
	NULL, 'every function and aggregate is owned by bigpicture_owner');
SELECT is((SELECT array_agg(name ORDER BY name) FROM ext_rel WHERE relowner <> 'bigpicture_owner'::regrole),
	NULL, 'every table, view and sequence is owned by bigpicture_owner');
SELECT is((SELECT array_agg(relkind::text || ' ' || name ORDER BY name) FROM ext_rel WHERE relkind NOT IN ('r', 'v', 'S')),
	NULL, 'the extension''s relations are tables, views and sequences (the kinds 99_privileges.sql hands to the owner)');
-- 99_privileges.sql: "Types and operators stay with the installer; they grant nothing."
-- The schemas stay with the installer too (CREATE EXTENSION makes bigpicture; 90_api.sql
-- makes bigpicture_api).
SELECT is((SELECT array_agg(descr ORDER BY descr) FROM ext_member m
		   WHERE m.classid NOT IN ('pg_proc'::regclass, 'pg_class'::regclass)
			 AND (SELECT oid FROM ext_installer) <> CASE m.classid
				WHEN 'pg_type'::regclass THEN (SELECT typowner FROM pg_type WHERE oid = m.objid)
				WHEN 'pg_operator'::regclass THEN (SELECT oprowner FROM pg_operator WHERE oid = m.objid)
				WHEN 'pg_opclass'::regclass THEN (SELECT opcowner FROM pg_opclass WHERE oid = m.objid)
				WHEN 'pg_opfamily'::regclass THEN (SELECT opfowner FROM pg_opfamily WHERE oid = m.objid)
				WHEN 'pg_namespace'::regclass THEN (SELECT nspowner FROM pg_namespace WHERE oid = m.objid) END),
	NULL, 'types, operators, operator classes and families and the schema stay with the installer, as 99_privileges.sql documents');
SELECT is((SELECT nspowner FROM pg_namespace WHERE nspname = 'bigpicture'), (SELECT oid FROM ext_installer),
	'schema bigpicture (made by CREATE EXTENSION) belongs to the installer');
SELECT is((SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_roles
		   WHERE rolname LIKE 'bigpicture\_%'
			 AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication
				  OR rolcanlogin <> (rolname = 'bigpicture_gateway') OR rolinherit = (rolname = 'bigpicture_gateway'))),
	NULL, 'bigpicture_* roles: NOLOGIN groups, except bigpicture_gateway (LOGIN NOINHERIT); none superuser, BYPASSRLS, CREATEROLE, CREATEDB or REPLICATION');
SELECT is((SELECT array_agg(member::regrole::text ORDER BY member::regrole::text) FROM pg_auth_members
		   WHERE roleid = 'bigpicture_owner'::regrole),
	NULL, 'nobody is a member of bigpicture_owner: no role can become the owner of the key table');
SELECT is((SELECT array_agg(roleid::regrole::text ORDER BY roleid::regrole::text) FROM pg_auth_members
		   WHERE member = 'bigpicture_owner'::regrole),
	NULL, 'bigpicture_owner is a member of no role: definer code holds nothing but what it owns');

-- ---- PUBLIC -----------------------------------------------------------------------------------------
-- What PUBLIC may use, object by object: the explicit allow-list, each entry
-- with its reason (the functions are 99_privileges.sql's pure value
-- functions).  Nothing else the extension owns (function, table, view,
-- sequence, column, type, schema) grants PUBLIC anything: in particular no
-- function of bigpicture_api, which PostgREST would route for anyone.
CREATE TEMP TABLE public_allow (kind text, name_like text, privilege text, why text NOT NULL,
	PRIMARY KEY (kind, name_like, privilege));
INSERT INTO public_allow VALUES
	('function', 'bigpicture.semver\_%', 'EXECUTE', 'the SemVer and range types'' I/O, comparison and operator functions: pure functions of their arguments'),
	('function', 'bigpicture.max', 'EXECUTE', 'max(semver), an aggregate over values'),
	('function', 'bigpicture.min', 'EXECUTE', 'min(semver), an aggregate over values'),
	('function', 'bigpicture.paserk_public', 'EXECUTE', 'the PASERK form of a public key given by the caller'),
	('function', 'bigpicture.paserk_pid', 'EXECUTE', 'the PASERK id of a public key given by the caller'),
	('function', 'bigpicture.paseto_verify', 'EXECUTE', 'checks a token against a public key given by the caller; reads no key table'),
	('function', 'bigpicture.paseto_footer', 'EXECUTE', 'decodes a token''s footer'),
	('function', 'bigpicture.rfc3339', 'EXECUTE', 'formats a timestamp'),
	('function', 'bigpicture.key_purpose_of', 'EXECUTE', 'the purpose of a token type: a constant mapping'),
	('function', 'bigpicture.new_id', 'EXECUTE', 'a random prefixed id; reads no table'),
	('function', 'bigpicture.is_valid_id', 'EXECUTE', 'checks the form of an id'),
	('function', 'bigpicture.rollout_bucket', 'EXECUTE', 'the rollout bucket of an install id: a hash'),
	('type', 'bigpicture.semver', 'USAGE', 'a value type: USAGE for PUBLIC is PostgreSQL''s default for types and reaches no data'),
	('type', 'bigpicture.semver_range', 'USAGE', 'a value type, as semver');
-- Every privilege PUBLIC holds on anything the extension owns, and on its two schemas.
CREATE TEMP VIEW public_privs AS
SELECT 'function' AS kind, p.sig AS object, p.pronamespace::regnamespace::text || '.' || p.proname AS name, a.privilege_type
FROM ext_proc p CROSS JOIN LATERAL aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee = 0
UNION ALL
SELECT 'relation', r.name, r.name, a.privilege_type
FROM ext_rel r CROSS JOIN LATERAL aclexplode(COALESCE(r.relacl, acldefault(CASE r.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", r.relowner))) a
WHERE a.grantee = 0
UNION ALL
SELECT 'column', r.name || '.' || at.attname, r.name || '.' || at.attname, a.privilege_type
FROM ext_rel r JOIN pg_attribute at ON at.attrelid = r.oid AND at.attacl IS NOT NULL CROSS JOIN LATERAL aclexplode(at.attacl) a
WHERE a.grantee = 0
UNION ALL
SELECT 'type', t.oid::regtype::text, t.oid::regtype::text, a.privilege_type
FROM pg_type t JOIN ext_member m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
CROSS JOIN LATERAL aclexplode(COALESCE(t.typacl, acldefault('T', t.typowner))) a WHERE a.grantee = 0
UNION ALL
SELECT 'schema', n.nspname, n.nspname, a.privilege_type
FROM pg_namespace n CROSS JOIN LATERAL aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
WHERE n.nspname IN ('bigpicture', 'bigpicture_api') AND a.grantee = 0;
SELECT is((SELECT array_agg(x.kind || ' ' || x.object || ': ' || x.privilege_type ORDER BY 1) FROM public_privs x
		   WHERE NOT EXISTS (SELECT 1 FROM public_allow l WHERE l.kind = x.kind AND x.name LIKE l.name_like
							 AND l.privilege = x.privilege_type)),
	NULL, 'PUBLIC holds nothing on any function, table, view, sequence, column, type or schema of the extension but the allow-list');
-- A function bigpicture_owner creates later does not become PUBLIC's (ALTER DEFAULT PRIVILEGES).
GRANT CREATE ON SCHEMA bigpicture TO bigpicture_owner;
SET LOCAL ROLE bigpicture_owner;
CREATE FUNCTION bigpicture.zz_later() RETURNS integer LANGUAGE sql RETURN 1;
RESET ROLE;
SELECT ok(NOT has_function_privilege('public', 'bigpicture.zz_later()', 'EXECUTE'),
	'a function bigpicture_owner creates after the install is not executable by PUBLIC');
DROP FUNCTION bigpicture.zz_later();
REVOKE CREATE ON SCHEMA bigpicture FROM bigpicture_owner;
SELECT is((SELECT array_agg(l.kind || ' ' || l.name_like ORDER BY 1) FROM public_allow l
		   WHERE NOT EXISTS (SELECT 1 FROM public_privs x WHERE l.kind = x.kind AND x.name LIKE l.name_like
							 AND l.privilege = x.privilege_type)),
	NULL, 'every allow-list entry is in use (the list says what PUBLIC has, not more)');
SELECT is((SELECT array_agg(x.object ORDER BY 1) FROM public_privs x WHERE x.object LIKE 'bigpicture\_api.%'
			OR x.object = 'bigpicture_api'),
	NULL, 'in particular nothing of bigpicture_api (what PostgREST routes) is PUBLIC''s');
CREATE TEMP VIEW public_ok AS
SELECT p.sig FROM ext_proc p WHERE EXISTS (SELECT 1 FROM public_allow l WHERE l.kind = 'function'
	AND p.pronamespace::regnamespace::text || '.' || p.proname LIKE l.name_like);
CREATE TEMP VIEW public_exec AS
SELECT sig FROM ext_proc p
WHERE EXISTS (SELECT 1 FROM aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) a
			  WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE');
SELECT set_eq('SELECT sig FROM public_exec', 'SELECT sig FROM public_ok',
	'PUBLIC may execute exactly the allow-listed pure value functions (semver_*, min/max, paserk_*, paseto_verify/footer, rfc3339, key_purpose_of, new_id, is_valid_id, rollout_bucket)');
SELECT is((SELECT array_agg(p.sig ORDER BY p.sig) FROM ext_proc p JOIN public_exec x USING (sig)
		   WHERE p.prosecdef OR p.proconfig IS NOT NULL
			  OR CASE WHEN p.prokind = 'f' AND p.prolang NOT IN ((SELECT oid FROM pg_language WHERE lanname = 'c'),
					(SELECT oid FROM pg_language WHERE lanname = 'internal'))
				 THEN pg_get_functiondef(p.oid) ~* '\m(from|join)\s+bigpicture\.' END),
	NULL, 'the PUBLIC functions are plain: not SECURITY DEFINER, no SET clause, and read no table');
SELECT is((SELECT array_agg(p.sig ORDER BY p.sig) FROM ext_proc p JOIN public_exec x USING (sig) WHERE p.provolatile = 'v'),
	ARRAY['bigpicture.new_id(text)'], 'of the PUBLIC functions only new_id is VOLATILE (it draws a random UUID)');
SELECT is((SELECT array_agg(r.name || ':' || a.privilege_type ORDER BY r.name, a.privilege_type)
		   FROM ext_rel r CROSS JOIN LATERAL aclexplode(COALESCE(r.relacl, acldefault(CASE r.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", r.relowner))) a
		   WHERE a.grantee = 0),
	NULL, 'no table, view or sequence grants PUBLIC anything');
SELECT is((SELECT array_agg(format('%s.%s', r.name, at.attname) ORDER BY r.name, at.attname)
		   FROM ext_rel r JOIN pg_attribute at ON at.attrelid = r.oid WHERE at.attacl IS NOT NULL),
	NULL, 'no column-level grants: table grants (pinned in catalog.sql) are the whole story');
SELECT is((SELECT array_agg(n.nspname || ':' || CASE WHEN a.grantee = 0 THEN 'public' ELSE a.grantee::regrole::text END
			|| ':' || a.privilege_type ORDER BY 1)
		   FROM pg_namespace n CROSS JOIN LATERAL aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
		   WHERE n.nspname IN ('bigpicture', 'bigpicture_api') AND a.grantee <> n.nspowner
			 AND NOT (a.privilege_type = 'USAGE' AND a.grantee::regrole::text IN ('bigpicture_owner', 'bigpicture_admin',
				'bigpicture_publisher', 'bigpicture_approver', 'bigpicture_tenant_admin', 'bigpicture_client',
				'bigpicture_mirror', 'bigpicture_auditor', 'bigpicture_anon', 'bigpicture_webhooks'))),
	NULL, 'both schemas: USAGE for the bigpicture_* roles (not the gateway login), nothing for PUBLIC, CREATE for no one but the installer');
SELECT is((SELECT array_agg(t.oid::regtype::text ORDER BY 1) FROM pg_type t JOIN ext_member m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
		   WHERE t.typacl IS NOT NULL),
	NULL, 'types keep the default ACL (USAGE for PUBLIC, like every value type): no grants of their own');
SELECT is((SELECT array_agg(d.defaclnamespace::regnamespace::text ORDER BY 1) FROM pg_default_acl d
		   WHERE d.defaclnamespace IN ('bigpicture'::regnamespace, 'bigpicture_api'::regnamespace)),
	NULL, 'no default privileges in the extension''s schemas hand out rights to objects made later');

-- ---- SECURITY DEFINER ----------------------------------------------------------------------------------
SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_proc
		   WHERE prosecdef AND NOT ('search_path=pg_catalog, pg_temp' = ANY (COALESCE(proconfig, '{}')))),
	NULL, 'every SECURITY DEFINER function (both schemas) pins search_path = pg_catalog, pg_temp');
SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_proc WHERE prosecdef AND pronamespace <> 'bigpicture'::regnamespace),
	NULL, 'bigpicture_api is a SECURITY INVOKER layer: its functions run with the caller''s rights and RLS');
SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_proc p JOIN public_exec x USING (sig) WHERE p.prosecdef),
	NULL, 'no SECURITY DEFINER function is executable by PUBLIC');
SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_proc
		   WHERE NOT prosecdef AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
			 AND NOT ('search_path=pg_catalog, pg_temp' = ANY (COALESCE(proconfig, '{}')))),
	NULL, 'every PL/pgSQL function pins its search_path too (a definer calling it must not be steered by the caller''s path)');

-- ---- volatility ----------------------------------------------------------------------------------------
-- VOLATILE only where the function writes (or locks rows, draws random bytes, or is a
-- trigger).  A change to the set must change this list, with the reason.
CREATE TEMP TABLE volatile_ok (sig text PRIMARY KEY, why text NOT NULL CHECK (why IN ('writes', 'locks', 'random', 'trigger')));
INSERT INTO volatile_ok VALUES
	('bigpicture.new_id(text)', 'random'),
	('bigpicture.random_bytes(integer)', 'random'),
	('bigpicture.create_tenant(text,text,integer,integer,interval)', 'writes'),
	('bigpicture.set_tenant_status(text,text)', 'writes'),
	('bigpicture.bind_role(text,text)', 'writes'),
	('bigpicture.unbind_role(text)', 'writes'),
	('bigpicture.generate_key(text,text)', 'writes'),
	('bigpicture._lock_key(text)', 'locks'),
	('bigpicture.activate_key(text)', 'writes'),
	('bigpicture.retire_key(text)', 'writes'),
	('bigpicture.revoke_key(text,text)', 'writes'),
	('bigpicture.retire_expired_keys()', 'writes'),
	('bigpicture.create_product(text,text,boolean)', 'writes'),
	('bigpicture.create_channel(text,text,boolean)', 'writes'),
	('bigpicture.create_artifact(text,text,text,bigint,text,text,text,boolean,text,text,text)', 'writes'),
	('bigpicture._lock_release(text)', 'locks'),
	('bigpicture.create_release(text,text,text,text,jsonb,boolean,text)', 'writes'),
	('bigpicture.attach_artifact(text,text)', 'writes'),
	('bigpicture.detach_artifact(text,text)', 'writes'),
	('bigpicture.set_approval_workflow(text,text,text,integer,text[],interval)', 'writes'),
	('bigpicture.clear_approval_workflow(text,text,text)', 'writes'),
	('bigpicture._publish(text)', 'writes'),
	('bigpicture._snapshots_after_release(text,text,text)', 'writes'),
	('bigpicture.citus_distribute()', 'writes'),
	('bigpicture.submit_release(text)', 'writes'),
	('bigpicture.approve_release(text,text)', 'writes'),
	('bigpicture.reject_release(text,text)', 'writes'),
	('bigpicture.revoke_release(text,text)', 'writes'),
	('bigpicture.create_entitlement(text,text,text,integer,text[],timestamp with time zone,timestamp with time zone,boolean,integer,interval,interval,text)', 'writes'),
	('bigpicture.set_policy(text,text,text,text,text,text,bigpicture.semver_range,bigpicture.semver_range[],jsonb,boolean,text)', 'writes'),
	('bigpicture.clear_policy(text,text,text,text)', 'writes'),
	('bigpicture.set_rollout(text,integer,text,boolean)', 'writes'),
	('bigpicture.clear_rollout(text,text)', 'writes'),
	('bigpicture.check_update(jsonb)', 'writes'),                -- the install upsert and the decision log
	('bigpicture._sign_lease(bigpicture.leases,bigpicture.entitlements,interval)', 'writes'),
	('bigpicture.issue_lease(jsonb)', 'writes'),
	('bigpicture._lock_lease(jsonb)', 'locks'),
	('bigpicture.renew_lease(jsonb)', 'writes'),
	('bigpicture.release_lease(jsonb)', 'writes'),
	('bigpicture.revoke_lease(text,text,text)', 'writes'),
	('bigpicture._lock_entitlement(text)', 'locks'),
	('bigpicture.update_entitlement(text,timestamp with time zone,integer,text[],boolean,boolean)', 'writes'),
	('bigpicture.set_entitlement_status(text,text,text)', 'writes'),
	('bigpicture.renew_due_entitlements()', 'writes'),
	('bigpicture.refresh_signatures()', 'writes'),
	('bigpicture.run_job(text)', 'writes'),
	('bigpicture.run_due_jobs()', 'writes'),
	('bigpicture.set_worker_job(text,boolean,interval)', 'writes'),
	('bigpicture.report(jsonb)', 'writes'),
	('bigpicture.set_rollout_guards(text,double precision,double precision,integer,integer,interval,text)', 'writes'),
	('bigpicture.set_rollout_plan(text,integer[],interval,text)', 'writes'),
	('bigpicture.halt_rollout(text,text,text)', 'writes'),
	('bigpicture.resume_rollout(text,text,text)', 'writes'),
	('bigpicture.advance_rollouts()', 'writes'),
	('bigpicture._check_rollout_guards(bigpicture.rollouts)', 'writes'),
	('bigpicture._emit_event(text,text,jsonb)', 'writes'),
	('bigpicture._checkpoint_signed_event(text,bigint,bytea)', 'writes'),
	('bigpicture._mirror_failed_event(bigpicture.mirrors,bigpicture.mirrors)', 'writes'),
	('bigpicture._snapshot_generated_event(text,bigint,timestamp with time zone,text)', 'writes'),
	('bigpicture._seats_exhausted_event(text,text,text)', 'writes'),
	('bigpicture._entitlement_created_event(bigpicture.entitlements)', 'writes'),
	('bigpicture._note_seat_refusal(text,text)', 'writes'),
	('bigpicture._take_seat_refusals()', 'writes'),
	('bigpicture.fold_seat_refusals()', 'writes'),
	('bigpicture._lock_rollout(text,text)', 'locks'),
	('bigpicture._install_worker_jobs()', 'writes'),
	('bigpicture.pre_restore()', 'writes'),
	('bigpicture.post_restore()', 'writes'),
	('bigpicture._set_restoring(boolean)', 'writes'),
	('bigpicture._refresh_signatures_soon()', 'writes'),
	('bigpicture._import_key_certificates(jsonb)', 'writes'),
	('bigpicture._audit_append(text,text,text,text,jsonb,jsonb)', 'writes'),
	('bigpicture.audit_checkpoint(text)', 'writes'),
	('bigpicture.pin_root_key(text,text)', 'writes'),
	('bigpicture.unpin_root_key(text)', 'writes'),
	('bigpicture.issue_key_certificate(text,text,text[],timestamp with time zone,text)', 'writes'),
	('bigpicture.revoke_key_certificate(text,text)', 'writes'),
	('bigpicture.install_key_certificate(text)', 'writes'),
	('bigpicture.register_mirror(text,text,text)', 'writes'),
	('bigpicture.set_mirror_status(text,text,text)', 'writes'),
	('bigpicture._generate_snapshot(text,boolean,interval,text)', 'writes'),
	('bigpicture.generate_snapshot(text,boolean,interval)', 'writes'),
	('bigpicture.latest_snapshot(text,text)', 'writes'),         -- with mirror_id it records the sync
	('bigpicture.import_snapshot(text)', 'writes'),
	('bigpicture._import_catalog(jsonb)', 'writes'),
	('bigpicture._import_releases(jsonb)', 'writes'),
	('bigpicture._import_rollouts(jsonb)', 'writes'),
	('bigpicture._import_policies(jsonb)', 'writes'),
	('bigpicture._import_entitlements(jsonb)', 'writes'),
	('bigpicture_api.decision(jsonb)', 'writes'),
	('bigpicture_api.lease(jsonb)', 'writes'),
	('bigpicture_api.lease_renew(jsonb)', 'writes'),
	('bigpicture_api.lease_release(jsonb)', 'writes'),
	('bigpicture_api.snapshot_latest(jsonb)', 'writes'),
	('bigpicture_api.release_create(jsonb)', 'writes'),
	('bigpicture_api.release_attach(jsonb)', 'writes'),
	('bigpicture_api.release_submit(jsonb)', 'writes'),
	('bigpicture_api.release_approve(jsonb)', 'writes'),
	('bigpicture_api.release_reject(jsonb)', 'writes'),
	('bigpicture_api.release_revoke(jsonb)', 'writes'),
	('bigpicture_api.policy_put(jsonb)', 'writes'),
	('bigpicture_api.entitlement_create(jsonb)', 'writes'),
	('bigpicture_api.entitlement_update(jsonb)', 'writes'),
	('bigpicture_api.report(jsonb)', 'writes'),
	('bigpicture_api.rollout_set(jsonb)', 'writes'),
	('bigpicture_api.dry_run(jsonb)', 'writes'),
	('bigpicture.dry_run(jsonb,integer)', 'writes'),
	('bigpicture._dry_run_apply(jsonb)', 'writes'),
	('bigpicture_api.rollout_guards(jsonb)', 'writes'),
	('bigpicture_api.rollout_plan(jsonb)', 'writes'),
	('bigpicture_api.rollout_halt(jsonb)', 'writes'),
	('bigpicture_api.rollout_resume(jsonb)', 'writes'),
	('bigpicture._webhook_secret_new()', 'random'),
	('bigpicture._webhook_seal(text,text)', 'random'),
	('bigpicture._lock_webhook(text)', 'locks'),
	('bigpicture.create_webhook(text,text[],text,integer,text,text)', 'writes'),
	('bigpicture.set_webhook(text,text,text[],boolean,integer)', 'writes'),
	('bigpicture.rotate_webhook_secret(text,interval)', 'writes'),
	('bigpicture.delete_webhook(text)', 'writes'),
	('bigpicture.webhook_claim(text,integer,integer,interval,text[])', 'writes'),
	('bigpicture.webhook_record(text,text,bigint,integer,text,integer,interval,interval)', 'writes'),
	('bigpicture.prune_webhook_deliveries()', 'writes'),
	('bigpicture.entitlement_notices()', 'writes'),
	('bigpicture._sequence_events()', 'writes'),
	('bigpicture.sequence_events()', 'writes'),
	('bigpicture_api.webhook_create(jsonb)', 'writes'),
	('bigpicture_api.webhook_update(jsonb)', 'writes'),
	('bigpicture_api.webhook_rotate_secret(jsonb)', 'writes'),
	('bigpicture_api.webhook_delete(jsonb)', 'writes');
INSERT INTO volatile_ok SELECT sig, 'trigger' FROM ext_proc WHERE prorettype = 'trigger'::regtype;
SELECT set_eq($$SELECT sig FROM ext_proc WHERE provolatile = 'v'$$, 'SELECT sig FROM volatile_ok',
	'the VOLATILE functions are exactly the pinned ones (each writes, locks rows, draws random bytes or is a trigger)');
SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_proc WHERE prorettype = 'trigger'::regtype AND provolatile <> 'v'),
	NULL, 'trigger functions are VOLATILE');
-- A function's definition (NULL for aggregates, which have none).
CREATE FUNCTION pg_temp.def_of(f oid) RETURNS text LANGUAGE sql AS $$
	SELECT CASE WHEN p.prokind = 'f' THEN pg_get_functiondef(f) END FROM pg_proc p WHERE p.oid = f
$$;
-- The body as text with string literals blanked, so messages and hints do not count.
CREATE FUNCTION pg_temp.code_of(f oid) RETURNS text LANGUAGE sql AS $$
	SELECT CASE WHEN p.prokind = 'f' THEN regexp_replace(pg_get_functiondef(f), '''([^'']|'''')*''', '''''', 'g') END
	FROM pg_proc p WHERE p.oid = f
$$;
SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_proc
		   WHERE provolatile <> 'v' AND prokind = 'f'
			 AND prolang NOT IN ((SELECT oid FROM pg_language WHERE lanname = 'c'), (SELECT oid FROM pg_language WHERE lanname = 'internal'))
			 AND pg_temp.code_of(oid) ~* '\m(insert\s+into|update\s+bigpicture\.|delete\s+from|for\s+update|for\s+share|nextval|setval|pg_advisory_xact_lock)\M'),
	NULL, 'no STABLE or IMMUTABLE function writes, locks rows or bumps a sequence');
SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_proc
		   WHERE provolatile = 'i' AND prokind = 'f'
			 AND prolang NOT IN ((SELECT oid FROM pg_language WHERE lanname = 'c'), (SELECT oid FROM pg_language WHERE lanname = 'internal'))
			 AND pg_temp.code_of(oid) ~* '(\m(from|join)\s+bigpicture\.|\mnow\(|clock_timestamp|current_setting|current_timestamp|current_user|session_user|calling_role|current_tenant|\mrandom|gen_random)'),
	NULL, 'no IMMUTABLE function reads a table, the clock, a setting or the caller');

-- ---- row-level security ---------------------------------------------------------------------------------
-- Tables with a tenant column (tenant_id, or chain_id for the audit log).  The exempt
-- ones are test/pgtap/rls.sql's, for the same reasons: no role but the owner may touch them.
CREATE TEMP TABLE rls_exempt (tbl text PRIMARY KEY, why text);
INSERT INTO rls_exempt VALUES
	('bigpicture.signing_keys', 'the key store: no role but its owner may touch it; NULL tenant_id is a vendor-wide key'),
	('bigpicture.audit_heads', 'the head of each audit chain: written and read only by the owner''s audit functions');
CREATE TEMP VIEW tenant_col_tables AS
SELECT r.* FROM ext_rel r
WHERE r.relkind IN ('r', 'p')
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = r.oid AND a.attname IN ('tenant_id', 'chain_id') AND NOT a.attisdropped);
SELECT is((SELECT array_agg(name ORDER BY name) FROM tenant_col_tables
		   WHERE name NOT IN (SELECT tbl FROM rls_exempt) AND NOT (relrowsecurity AND relforcerowsecurity)),
	NULL, 'RLS is enabled AND forced on every table with a tenant_id or chain_id column');
SELECT is((SELECT array_agg(e.tbl ORDER BY e.tbl) FROM rls_exempt e JOIN ext_rel r ON r.name = e.tbl
		   WHERE EXISTS (SELECT 1 FROM aclexplode(COALESCE(r.relacl, acldefault('r', r.relowner))) x WHERE x.grantee <> r.relowner)),
	NULL, 'the two exempt tables (signing_keys, audit_heads) grant nothing to anyone but their owner');
SELECT is((SELECT array_agg(name ORDER BY name) FROM ext_rel r
		   WHERE r.relrowsecurity AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = r.oid)),
	NULL, 'every table under RLS has policies (none is silently empty for everyone but its owner)');
SELECT is((SELECT array_agg(format('%s.%s', schemaname, tablename) || ' ' || policyname ORDER BY 1) FROM pg_policies
		   WHERE schemaname IN ('bigpicture', 'bigpicture_api') AND 'public' = ANY (roles)),
	NULL, 'no policy on any table of the extension applies to PUBLIC');
SELECT is((SELECT array_agg(c.oid::regclass::text ORDER BY 1) FROM pg_class c
		   WHERE c.relnamespace = 'bigpicture_api'::regnamespace AND c.relkind = 'v'
			 AND NOT COALESCE('security_invoker=true' = ANY (c.reloptions), false)),
	NULL, 'every view of bigpicture_api is security_invoker: RLS applies to the caller');

-- ---- the sealed column, statically ---------------------------------------------------------------------
SELECT is((SELECT array_agg(DISTINCT ev.ev_class::regclass::text) FROM pg_depend d
		   JOIN pg_rewrite ev ON d.classid = 'pg_rewrite'::regclass AND d.objid = ev.oid
		   WHERE d.refobjid = 'bigpicture.signing_keys'::regclass
			 AND d.refobjsubid = (SELECT attnum FROM pg_attribute WHERE attrelid = 'bigpicture.signing_keys'::regclass
								  AND attname = 'sealed_secret')),
	NULL, 'no view reads signing_keys.sealed_secret');
SELECT is((SELECT array_agg(sig ORDER BY sig) FROM ext_proc WHERE prokind = 'f'
			 AND prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')
			 AND CASE WHEN prokind = 'f' THEN pg_get_functiondef(oid) ~ 'sealed_secret' END),
	ARRAY['bigpicture.audit_row_change()', 'bigpicture.signing_keys_guard()'],
	'the only SQL code naming sealed_secret: the key guard (identity never changes) and the audit trigger (which leaves it out)');


-- ==== fixtures for (b) and (c) =====================================================================
-- Two tenants with the same things: an entitlement, a lease, a mirror, a snapshot, policies
-- and audit events; a product with a draft, a pending and a published release; every key.
CREATE ROLE p_spare LOGIN;
DO $$
BEGIN
	PERFORM bigpicture.activate_key(bigpicture.generate_key(p)) FROM unnest('{root,decision,lease,snapshot,audit}'::text[]) p;
	PERFORM bigpicture.create_tenant('Tenant A', 'tenant_a'), bigpicture.create_tenant('Tenant B', 'tenant_b');
	PERFORM bigpicture.create_product('P', 'prod_p', requires_entitlement => false), bigpicture.create_channel('prod_p', 'stable');
	PERFORM bigpicture.create_artifact('prod_p', 'https://dl.example.com/p-' || v || '.deb', repeat('ab', 32), 100, 'linux',
		'x86_64', 'deb', artifact_id => 'art_p_' || replace(v, '.', '_')) FROM unnest('{2.0.0,3.0.0,4.0.0}'::text[]) v;
	PERFORM bigpicture.create_artifact('prod_p', 'https://dl.example.com/p-4.0.0.dmg', repeat('ef', 32), 100, 'macos',
		'arm64', 'dmg', artifact_id => 'art_p_4_0_0_mac');
	PERFORM bigpicture.create_release('prod_p', '2.0.0', 'stable', release_id => 'rel_pub');
	PERFORM bigpicture.attach_artifact('rel_pub', 'art_p_2_0_0');
	PERFORM bigpicture.submit_release('rel_pub');
	PERFORM bigpicture.set_approval_workflow('global', required_approvals => 1);
	PERFORM bigpicture.create_release('prod_p', '3.0.0', 'stable', release_id => 'rel_pend');
	PERFORM bigpicture.attach_artifact('rel_pend', 'art_p_3_0_0');
	PERFORM bigpicture.submit_release('rel_pend');
	PERFORM bigpicture.create_release('prod_p', '4.0.0', 'stable', release_id => 'rel_draft');
	PERFORM bigpicture.attach_artifact('rel_draft', 'art_p_4_0_0');
	PERFORM bigpicture.create_entitlement(t, 'prod_p', 'concurrent', 5, entitlement_id => replace(t, 'tenant_', 'ent_') || '1')
		FROM unnest('{tenant_a,tenant_b}'::text[]) t;
	PERFORM bigpicture.register_mirror('Office', t, replace(t, 'tenant_', 'mirror_') || '1') FROM unnest('{tenant_a,tenant_b}'::text[]) t;
	PERFORM bigpicture.generate_snapshot(t) FROM unnest('{tenant_a,tenant_b}'::text[]) t;
	PERFORM bigpicture.set_policy('tenant', t, mode => 'NOTIFY_ONLY') FROM unnest('{tenant_a,tenant_b}'::text[]) t;
	PERFORM bigpicture.audit_checkpoint(t) FROM unnest('{tenant_a,tenant_b,vendor}'::text[]) t;
END
$$;
-- Values the calls below name as {name}: made by the fixtures, read before acting as anyone.
CREATE TEMP TABLE vals (name text PRIMARY KEY, value text NOT NULL);
INSERT INTO vals
SELECT 'lease_' || s, bigpicture.issue_lease(jsonb_build_object('tenant_id', 'tenant_' || s, 'product_id', 'prod_p',
	'subject_type', 'user', 'subject_id', 'u1', 'install_id', 'i1', 'duration', 3600)) ->> 'lease_id'
FROM unnest('{a,b}'::text[]) s;
INSERT INTO vals VALUES
	('mirror_pk', bigpicture.paserk_public(decode(repeat('5a', 32), 'hex'))),
	('decision_token', (bigpicture.check_update('{"tenant_id": "tenant_a", "install_id": "i-1", "platform": "linux",
		"arch": "x86_64", "products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}') -> 'decisions' -> 0 ->> 'token'));
INSERT INTO vals
SELECT 'decision_token_' || s, bigpicture.check_update(jsonb_build_object('tenant_id', 'tenant_' || s, 'install_id', 'i-1',
	'platform', 'linux', 'arch', 'x86_64', 'products', '[{"product_id": "prod_p", "current_version": "1.0.0"}]'::jsonb))
	#>> '{decisions,0,token}'
FROM unnest('{a,b}'::text[]) s;

-- One login role per group (p_<group>); and the gateway's login, NOINHERIT like
-- bigpicture_gateway, which becomes a request role by SET ROLE.
DO $$
DECLARE
	g text;
BEGIN
	FOREACH g IN ARRAY '{admin,publisher,approver,tenant_admin,client,mirror,auditor,anon,webhooks}'::text[] LOOP
		EXECUTE format('CREATE ROLE %I LOGIN IN ROLE %I', 'p_' || g, 'bigpicture_' || g);
	END LOOP;
	EXECUTE 'CREATE ROLE p_gw LOGIN NOINHERIT IN ROLE bigpicture_gateway';
END
$$;

-- Become an actor, run statements, come back.  Each statement is undone (raise, catch), so
-- every cell starts from the fixtures; its outcome is its output as JSON text, or its error
-- (SQLSTATE; message | detail | hint | context).  The statements are built first: while
-- acting as someone else the superuser's temp tables are out of reach.
CREATE TEMP TABLE actors (actor text PRIMARY KEY, session_role name, set_role name, claims text, bound boolean, ord int);
CREATE FUNCTION pg_temp.attempt(stmt text, OUT output text, OUT state text, OUT err text) LANGUAGE plpgsql AS $$
DECLARE
	m text; d text; h text; c text;
	parts text[] := string_to_array(stmt, E'\n;;\n');
BEGIN
	-- Statements before the last (separated by a line ";;") run first, in their own snapshots.
	FOR i IN 1 .. cardinality(parts) - 1 LOOP
		EXECUTE parts[i];
	END LOOP;
	EXECUTE format('SELECT COALESCE(json_agg(x)::text, ''[]'') FROM (%s) x', parts[cardinality(parts)]) INTO output;
	RAISE EXCEPTION USING ERRCODE = 'PRVRB', MESSAGE = output;
EXCEPTION
	WHEN SQLSTATE 'PRVRB' THEN
		output := SQLERRM;
	WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
		output := NULL;
		state := SQLSTATE;
		err := concat_ws(' | ', m, d, h, c);
END
$$;
-- stmts: a JSON array of {"key", "stmt"}; returns (key, output, state, err) per statement.
CREATE FUNCTION pg_temp.run_as(a actors, stmts jsonb) RETURNS TABLE (key text, output text, state text, err text)
	LANGUAGE plpgsql AS $$
DECLARE
	c record;
	r record;
BEGIN
	IF a.session_role IS NOT NULL THEN
		EXECUTE format('SET SESSION AUTHORIZATION %I', a.session_role);
	END IF;
	IF a.set_role IS NOT NULL THEN
		EXECUTE format('SET ROLE %I', a.set_role);
	END IF;
	PERFORM set_config('request.jwt.claims', COALESCE(a.claims, ''), true);
	FOR c IN SELECT * FROM jsonb_to_recordset(stmts) AS j(key text, stmt text) LOOP
		r := pg_temp.attempt(c.stmt);
		key := c.key; output := r.output; state := r.state; err := r.err;
		RETURN NEXT;
	END LOOP;
	PERFORM set_config('request.jwt.claims', '', true);
	RESET ROLE;
	RESET SESSION AUTHORIZATION;
END
$$;
-- A call template with {s} (a tenant's letter) and {name} (from vals) filled in.
CREATE FUNCTION pg_temp.fill(template text, letter text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	out text := replace(template, '{s}', letter);
	v record;
BEGIN
	FOR v IN SELECT * FROM vals LOOP
		out := replace(out, '{' || v.name || '}', v.value);
	END LOOP;
	RETURN out;
END
$$;

-- ==== (b) a caller bound to tenant A cannot act on tenant B ===========================================
-- Actors bound to tenant_a: a login role of each non-vendor group (bind_role), and the
-- gateway acting as each request role with a tenant_a claim.  Admins and auditors are not
-- tenant-scoped; the unbound admin is the
-- control that each call below is a valid call.
INSERT INTO actors VALUES
	('publisher bound to a',    'p_publisher',    NULL, NULL, true, 1),
	('approver bound to a',     'p_approver',     NULL, NULL, true, 2),
	('tenant_admin bound to a', 'p_tenant_admin', NULL, NULL, true, 3),
	('client bound to a',       'p_client',       NULL, NULL, true, 4),
	('mirror bound to a',       'p_mirror',       NULL, NULL, true, 5),
	('anon bound to a',         'p_anon',         NULL, NULL, true, 6),
	('gw tenant_admin @a', 'p_gw', 'bigpicture_tenant_admin', '{"role":"bigpicture_tenant_admin","tenant_id":"tenant_a","sub":"alice"}', true, 7),
	('gw client @a',       'p_gw', 'bigpicture_client',       '{"role":"bigpicture_client","tenant_id":"tenant_a","sub":"device-1"}', true, 8),
	('gw mirror @a',       'p_gw', 'bigpicture_mirror',       '{"role":"bigpicture_mirror","tenant_id":"tenant_a","sub":"mirror-1"}', true, 9),
	('gw anon @a',         'p_gw', 'bigpicture_anon',         '{"role":"bigpicture_anon","tenant_id":"tenant_a"}', true, 10),
	('admin (unbound)',         'p_admin',        NULL, NULL, false, 11);
DO $$
DECLARE
	g text;
BEGIN
	FOREACH g IN ARRAY '{publisher,approver,tenant_admin,client,mirror,anon}'::text[] LOOP
		PERFORM bigpicture.bind_role('p_' || g, 'tenant_a');
	END LOOP;
END
$$;

-- Every function that takes a tenant: SECURITY DEFINER with an argument named tenant_id or
-- chain_id, or a jsonb request that reads "tenant_id"; and the bigpicture_api entry points
-- whose request reads "tenant_id".  One call each, naming tenant_{s}; refusal: the SQLSTATE
-- a tenant-A caller gets for tenant B when it may execute the function (42501 unless noted).
CREATE TEMP TABLE tenant_calls (fn text PRIMARY KEY, call text NOT NULL, refusal text NOT NULL DEFAULT '42501');
INSERT INTO tenant_calls (fn, call) VALUES
	('bigpicture.create_tenant(text,text,integer,integer,interval)', $$SELECT bigpicture.create_tenant('Clone', 'tenant_{s}_clone')$$),
	('bigpicture.set_tenant_status(text,text)', $$SELECT bigpicture.set_tenant_status('tenant_{s}', 'suspended')$$),
	('bigpicture.bind_role(text,text)', $$SELECT bigpicture.bind_role('p_spare', 'tenant_{s}')$$),
	('bigpicture.generate_key(text,text)', $$SELECT bigpicture.generate_key('lease', 'tenant_{s}')$$),
	('bigpicture.create_entitlement(text,text,text,integer,text[],timestamp with time zone,timestamp with time zone,boolean,integer,interval,interval,text)',
		$$SELECT bigpicture.create_entitlement('tenant_{s}', 'prod_p', 'per_user', 3)$$),
	('bigpicture.set_policy(text,text,text,text,text,text,bigpicture.semver_range,bigpicture.semver_range[],jsonb,boolean,text)',
		$$SELECT bigpicture.set_policy('tenant', 'tenant_{s}', mode => 'AUTO_INSTALL')$$),
	('bigpicture.clear_policy(text,text,text,text)', $$SELECT bigpicture.clear_policy('tenant', 'tenant_{s}')$$),
	('bigpicture.get_policy(text,text,text,text)', $$SELECT bigpicture.get_policy('tenant', 'tenant_{s}')$$),
	('bigpicture.check_update(jsonb)', $$SELECT bigpicture.check_update('{"tenant_id": "tenant_{s}", "install_id": "i-9",
		"platform": "linux", "arch": "x86_64", "products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}')$$),
	('bigpicture.explain_decision(jsonb)', $$SELECT bigpicture.explain_decision('{"tenant_id": "tenant_{s}", "install_id": "i-9",
		"platform": "linux", "arch": "x86_64", "products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}')$$),
	('bigpicture.tenant_update_decisions(text)', $$SELECT bigpicture.tenant_update_decisions('tenant_{s}')$$),
	('bigpicture.issue_lease(jsonb)', $$SELECT bigpicture.issue_lease('{"tenant_id": "tenant_{s}", "product_id": "prod_p",
		"subject_type": "user", "subject_id": "u9", "install_id": "i9"}')$$),
	('bigpicture.renew_lease(jsonb)', $$SELECT bigpicture.renew_lease('{"tenant_id": "tenant_{s}", "lease_id": "{lease_{s}}"}')$$),
	('bigpicture.release_lease(jsonb)', $$SELECT bigpicture.release_lease('{"tenant_id": "tenant_{s}", "lease_id": "{lease_{s}}"}')$$),
	('bigpicture.revoke_lease(text,text,text)', $$SELECT bigpicture.revoke_lease('{lease_{s}}', 'test', 'tenant_{s}')$$),
	('bigpicture.license_status(jsonb)', $$SELECT bigpicture.license_status('{"tenant_id": "tenant_{s}", "product_id": "prod_p",
		"subject_type": "user", "subject_id": "u1"}')$$),
	('bigpicture.lease_revocations(text)', $$SELECT bigpicture.lease_revocations('tenant_{s}')$$),
	('bigpicture.report(jsonb)', $$SELECT bigpicture.report('{"tenant_id": "tenant_{s}", "outcome": "downloaded",
		"decision": "{decision_token_{s}}"}')$$),
	('bigpicture.list_entitlements(text,text,integer,text)', $$SELECT * FROM bigpicture.list_entitlements('tenant_{s}')$$),
	('bigpicture.license_usage_report(text,timestamp with time zone,timestamp with time zone)',
		$$SELECT * FROM bigpicture.license_usage_report('tenant_{s}', now() - interval '1 day', now() + interval '1 day')$$),
	('bigpicture.verify_audit_chain(text)', $$SELECT * FROM bigpicture.verify_audit_chain('tenant_{s}')$$),
	('bigpicture.audit_checkpoint(text)', $$SELECT bigpicture.audit_checkpoint('tenant_{s}')$$),
	('bigpicture.export_audit_chain(text)', $$SELECT * FROM bigpicture.export_audit_chain('tenant_{s}')$$),
	('bigpicture.issue_key_certificate(text,text,text[],timestamp with time zone,text)',
		$$SELECT bigpicture.issue_key_certificate('tenant_{s}', '{mirror_pk}', '{decision}', now() + interval '30 days')$$),
	('bigpicture.register_mirror(text,text,text)', $$SELECT bigpicture.register_mirror('Lab', 'tenant_{s}')$$),
	('bigpicture.generate_snapshot(text,boolean,interval)', $$SELECT bigpicture.generate_snapshot('tenant_{s}', true)$$),
	('bigpicture.latest_snapshot(text,text)', $$SELECT * FROM bigpicture.latest_snapshot('tenant_{s}')$$),
	('bigpicture.list_snapshots(text)', $$SELECT * FROM bigpicture.list_snapshots('tenant_{s}')$$),
	('bigpicture_api.decision(jsonb)', $$SELECT bigpicture_api.decision('{"tenant_id": "tenant_{s}", "install_id": "i-9",
		"platform": "linux", "arch": "x86_64", "products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}')$$),
	('bigpicture_api.lease(jsonb)', $$SELECT bigpicture_api.lease('{"tenant_id": "tenant_{s}", "product_id": "prod_p",
		"subject_type": "user", "subject_id": "u9", "install_id": "i9"}')$$),
	('bigpicture_api.lease_renew(jsonb)', $$SELECT bigpicture_api.lease_renew('{"tenant_id": "tenant_{s}", "lease_id": "{lease_{s}}"}')$$),
	('bigpicture_api.lease_release(jsonb)', $$SELECT bigpicture_api.lease_release('{"tenant_id": "tenant_{s}", "lease_id": "{lease_{s}}"}')$$),
	('bigpicture_api.decision_readonly(jsonb)', $$SELECT bigpicture_api.decision_readonly('{"tenant_id": "tenant_{s}", "install_id": "i-9",
		"platform": "linux", "arch": "x86_64", "products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}')$$),
	('bigpicture_api.report(jsonb)', $$SELECT bigpicture_api.report('{"tenant_id": "tenant_{s}", "outcome": "downloaded",
		"decision": "{decision_token_{s}}"}')$$),
	('bigpicture_api.license_status(text,text,text,text,text)', $$SELECT bigpicture_api.license_status('prod_p', 'user', 'u1',
		tenant_id => 'tenant_{s}')$$),
	('bigpicture_api.lease_revocations(text)', $$SELECT bigpicture_api.lease_revocations('tenant_{s}')$$),
	('bigpicture_api.snapshot_latest(jsonb)', $$SELECT bigpicture_api.snapshot_latest('{"tenant_id": "tenant_{s}", "mirror_id": "mirror_{s}1"}')$$),
	('bigpicture_api.policy_get(text,text,text,text)', $$SELECT bigpicture_api.policy_get('tenant', 'tenant_{s}')$$),
	('bigpicture_api.policy_put(jsonb)', $$SELECT bigpicture_api.policy_put('{"scope": "tenant", "tenant_id": "tenant_{s}", "mode": "AUTO_INSTALL"}')$$),
	('bigpicture.dry_run(jsonb,integer)', $$SELECT bigpicture.dry_run('{"call": "set_policy", "args": {"scope": "tenant",
		"tenant_id": "tenant_{s}", "mode": "AUTO_INSTALL"}}')$$),
	('bigpicture_api.dry_run(jsonb)', $$SELECT bigpicture_api.dry_run('{"change": {"call": "set_policy", "args": {"scope": "tenant",
		"tenant_id": "tenant_{s}", "mode": "AUTO_INSTALL"}}}')$$),
	('bigpicture_api.entitlement_create(jsonb)', $$SELECT bigpicture_api.entitlement_create('{"tenant_id": "tenant_{s}", "product_id": "prod_p",
		"type": "per_user", "max_seats": 3}')$$),
	('bigpicture_api.usage(timestamp with time zone,timestamp with time zone,text)',
		$$SELECT bigpicture_api.usage('2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z', 'tenant_{s}')$$),
	('bigpicture.create_webhook(text,text[],text,integer,text,text)',
		$$SELECT bigpicture.create_webhook('https://hooks.example.com/{s}', tenant_id => 'tenant_{s}')$$),
	('bigpicture_api.webhook_create(jsonb)',
		$$SELECT bigpicture_api.webhook_create('{"url": "https://hooks.example.com/{s}", "tenant_id": "tenant_{s}"}')$$);
-- Row-level security answers with nothing rather than an error: "hidden" means the call
-- succeeds and its output names nothing of tenant_b.
INSERT INTO tenant_calls VALUES
	('bigpicture_api.audit(text,text,text,timestamp with time zone,timestamp with time zone,integer)',
		$$SELECT bigpicture_api.audit('tenant_{s}')$$, 'hidden');

-- API entry points that take no tenant, and why.
CREATE TEMP TABLE api_without_tenant (fn text PRIMARY KEY, why text NOT NULL);
INSERT INTO api_without_tenant VALUES
	('bigpicture_api.keyset()', 'takes no arguments'),
	('bigpicture_api.openapi()', 'takes no arguments: describes the routes'),
	('bigpicture_api.release_create(jsonb)', 'releases are vendor-wide'),
	('bigpicture_api.release_attach(jsonb)', 'releases are vendor-wide'),
	('bigpicture_api.release_submit(jsonb)', 'releases are vendor-wide'),
	('bigpicture_api.release_approve(jsonb)', 'releases are vendor-wide'),
	('bigpicture_api.release_reject(jsonb)', 'releases are vendor-wide'),
	('bigpicture_api.release_revoke(jsonb)', 'releases are vendor-wide'),
	('bigpicture_api.entitlement_update(jsonb)', 'names an entitlement, not a tenant (admins only)'),
	('bigpicture_api.rollout_health(text,text,text)', 'names no tenant: a tenant admin sees its own installs, vendor roles every tenant''s'),
	('bigpicture_api.rollout_set(jsonb)', 'rollouts are vendor-wide'),
	('bigpicture_api.rollout_guards(jsonb)', 'rollouts are vendor-wide'),
	('bigpicture_api.rollout_plan(jsonb)', 'rollouts are vendor-wide'),
	('bigpicture_api.rollout_halt(jsonb)', 'rollouts are vendor-wide'),
	('bigpicture_api.rollout_resume(jsonb)', 'rollouts are vendor-wide'),
	('bigpicture_api.events(bigint,integer,text[])', 'names no tenant: row-level security shows each caller its own events'),
	('bigpicture_api.webhooks()', 'names no tenant: the view shows a tenant admin its tenant''s subscriptions'),
	('bigpicture_api.webhook_update(jsonb)', 'names a subscription: another tenant''s is PT404 (test/pgtap/webhooks.sql)'),
	('bigpicture_api.webhook_rotate_secret(jsonb)', 'names a subscription: another tenant''s is PT404 (test/pgtap/webhooks.sql)'),
	('bigpicture_api.webhook_delete(jsonb)', 'names a subscription: another tenant''s is PT404 (test/pgtap/webhooks.sql)'),
	('bigpicture_api.webhook_deliveries(text,integer)', 'names a subscription: another tenant''s is PT404 (test/pgtap/webhooks.sql)');
CREATE TEMP VIEW tenant_taking AS
SELECT p.sig FROM ext_proc p
WHERE p.prokind = 'f' AND p.prosecdef
  AND EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i)
			  WHERE p.proargnames[a.i] IN ('tenant_id', 'chain_id')
				 OR a.t = 'jsonb'::regtype AND (pg_temp.def_of(p.oid) ~ '\m(tenant_id|chain_id)\M'
					 -- a C body cannot be read: a definer in C taking a request counts
					 OR p.prolang = (SELECT l.oid FROM pg_language l WHERE l.lanname = 'c')))
UNION
SELECT p.sig FROM ext_proc p
WHERE p.pronamespace = 'bigpicture_api'::regnamespace
  AND p.sig NOT IN (SELECT fn FROM api_without_tenant);
SELECT set_eq('SELECT sig FROM tenant_taking', 'SELECT fn FROM tenant_calls',
	'every function that takes a tenant (definer with a tenant_id/chain_id argument or a jsonb request reading one, or any jsonb request when in C; every function of bigpicture_api but the pinned tenant-less ones) has a case');

CREATE TEMP TABLE tenant_results AS
SELECT a.actor, a.ord, split_part(r.key, '|', 1) AS fn, split_part(r.key, '|', 2) AS named, r.output, r.state, r.err,
	has_function_privilege(COALESCE(a.set_role, a.session_role), split_part(r.key, '|', 1), 'EXECUTE') AS may_execute
FROM actors a
CROSS JOIN LATERAL pg_temp.run_as(a, (
	SELECT jsonb_agg(jsonb_build_object('key', c.fn || '|' || x.letter, 'stmt', pg_temp.fill(c.call, x.letter)))
	FROM tenant_calls c CROSS JOIN (VALUES ('a'), ('b')) x(letter))) r;

SELECT is(session_user::text || '/' || current_user::text, 'postgres/postgres', 'back to the superuser after the tenant matrix');

-- Naming tenant B: refused, with 42501 (no privilege, or the tenant check) or the documented SQLSTATE.
SELECT is(CASE WHEN r.state IS NULL AND c.refusal = 'hidden' AND r.output !~ 'tenant_b' THEN 'refused'
			   WHEN r.state IS NULL THEN 'succeeded: ' || left(r.output, 120)
			   WHEN r.state = c.refusal OR r.state = '42501' THEN 'refused'
			   ELSE r.state || ' ' || r.err END,
	'refused', format('%s naming tenant_b: %s', r.actor, c.fn))
FROM tenant_results r JOIN tenant_calls c ON c.fn = r.fn
JOIN actors a ON a.actor = r.actor
WHERE a.bound AND r.named = 'b'
ORDER BY a.ord, c.fn;
-- Naming its own tenant, where it may execute the function: the same call succeeds,
-- so the refusal above is the tenant's doing, not the arguments'.  (A dry run
-- may be made by whoever may make the change it names: here set_policy.)
SELECT is(COALESCE(r.state || ' ' || r.err, 'ok'), 'ok', format('%s naming its own tenant_a: %s', r.actor, c.fn))
FROM tenant_results r JOIN tenant_calls c ON c.fn = r.fn
JOIN actors a ON a.actor = r.actor
WHERE a.bound AND r.named = 'a' AND r.may_execute
  AND (c.fn NOT LIKE '%.dry_run(%' OR has_function_privilege(COALESCE(a.set_role, a.session_role),
	'bigpicture.set_policy(text,text,text,text,text,text,bigpicture.semver_range,bigpicture.semver_range[],jsonb,boolean,text)', 'EXECUTE'))
ORDER BY a.ord, c.fn;
-- The control: an unbound admin makes every call for tenant_b.
SELECT is(COALESCE(r.state || ' ' || r.err, 'ok'), 'ok', format('control: the unbound admin naming tenant_b: %s', c.fn))
FROM tenant_results r JOIN tenant_calls c ON c.fn = r.fn
WHERE r.actor = 'admin (unbound)' AND r.named = 'b'
ORDER BY c.fn;


-- ==== (c) sealed key material reaches no one ==========================================================
-- More fixtures: a pending key, a key certificate, a rollout; the key table analysed, so
-- pg_stats would show its values to anyone allowed to read the column.
INSERT INTO vals VALUES
	('kid_pending', bigpicture.generate_key('decision', 'tenant_a')),
	('root_kid', (SELECT kid FROM bigpicture.public_keys WHERE purpose = 'root' AND state = 'active')),
	('root_pk', (SELECT public_key FROM bigpicture.public_keys WHERE purpose = 'root' AND state = 'active')),
	('cert_kid', bigpicture.paseto_footer(bigpicture.issue_key_certificate('tenant_a',
		bigpicture.paserk_public(decode(repeat('3c', 32), 'hex')), '{lease}', now() + interval '30 days')) ->> 'kid');
UPDATE vals SET value = (SELECT c.kid FROM bigpicture.key_certificates c
	WHERE c.public_key = decode(repeat('3c', 32), 'hex')) WHERE name = 'cert_kid';
SELECT bigpicture.set_rollout('rel_pub', 5000);
INSERT INTO vals VALUES ('whsub_a', bigpicture.create_webhook('https://hooks.example.com/a', tenant_id => 'tenant_a',
	subscription_id => 'whsub_fixture_a') ->> 'subscription_id');
ANALYZE bigpicture.signing_keys;
INSERT INTO actors VALUES ('auditor (unbound)', 'p_auditor', NULL, NULL, false, 12),
	('webhooks daemon', 'p_webhooks', NULL, NULL, false, 13);

-- What must never show: each key's sealed secret as hex, base64 and base64url, whole and in
-- 24-byte pieces at every offset that is 0, 1 or 2 modulo 24, so that any leaked run of 50
-- bytes or more contains a piece in the same alignment, whatever its encoding.
CREATE TEMP TABLE needles AS
WITH k AS (SELECT kid, sealed_secret AS s FROM bigpicture.signing_keys),
pieces AS (
	SELECT kid, s AS b FROM k
	UNION ALL
	SELECT kid, substr(s, o, 24) FROM k CROSS JOIN LATERAL generate_series(1, length(s) - 23) o WHERE (o - 1) % 24 < 3)
SELECT DISTINCT kid, n FROM pieces CROSS JOIN LATERAL (VALUES
	(encode(b, 'hex')),
	(replace(encode(b, 'base64'), E'\n', '')),
	(rtrim(translate(replace(encode(b, 'base64'), E'\n', ''), '+/', '-_'), '='))) v(n);
-- The text to search in an outcome: the outcome, and the payload and footer of every token
-- in it (their base64url would hide a secret), two levels deep (a snapshot carries a key set).
CREATE FUNCTION pg_temp.token_text(token text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN concat_ws(' ', bigpicture.paseto_verify(token, (SELECT k.public_key FROM bigpicture._all_public_keys k
		WHERE k.kid = bigpicture.paseto_footer(token) ->> 'kid'))::text, bigpicture.paseto_footer(token)::text);
EXCEPTION WHEN OTHERS THEN
	RETURN NULL;  -- not a token after all (a fragment in a message)
END
$$;
CREATE FUNCTION pg_temp.unwrapped(t text) RETURNS text LANGUAGE sql AS $$
	WITH l1 AS (SELECT pg_temp.token_text(m[1]) AS d
				FROM regexp_matches(t, '(v4\.public\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?)', 'g') m),
	l2 AS (SELECT pg_temp.token_text(m[1]) AS d
		   FROM l1 CROSS JOIN LATERAL regexp_matches(l1.d, '(v4\.public\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?)', 'g') m)
	SELECT concat_ws(' ', t, (SELECT string_agg(d, ' ') FROM l1), (SELECT string_agg(d, ' ') FROM l2))
$$;
-- The kids of the secrets a (searchable) text shows, or NULL.
CREATE FUNCTION pg_temp.found(scan text) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(DISTINCT n.kid, ',') FROM needles n WHERE strpos(scan, n.n) > 0
$$;
CREATE FUNCTION pg_temp.leaks(t text) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.found(pg_temp.unwrapped(t))
$$;
SELECT ok((SELECT count(*) FROM needles) >= 5 * 6, 'there are sealed secrets to look for (every purpose has a key)');
SELECT isnt(pg_temp.leaks((SELECT json_agg(k)::text FROM bigpicture.signing_keys k)), NULL,
	'control: the scan finds the sealed secrets in the key table as the superuser reads it');
SELECT is((SELECT count(*) FROM bigpicture.signing_keys k WHERE pg_temp.leaks(
			'x' || rtrim(translate(encode(substr(k.sealed_secret, 30, 52), 'base64'), E'+/\n', '-_'), '=') || 'x') = k.kid),
	(SELECT count(*) FROM bigpicture.signing_keys), 'control: and 52 bytes cut from the middle of each, in base64url');

-- ---- the direct way: no privilege on the table or its column -------------------------------------------
SELECT is((SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_roles r
		   WHERE NOT r.rolsuper AND r.rolname <> 'bigpicture_owner'
			 AND NOT pg_has_role(r.oid, 'pg_read_all_data', 'USAGE') AND NOT pg_has_role(r.oid, 'pg_write_all_data', 'USAGE')
			 AND (has_table_privilege(r.oid, 'bigpicture.signing_keys', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
				  OR has_column_privilege(r.oid, 'bigpicture.signing_keys', 'sealed_secret', 'SELECT, INSERT, UPDATE, REFERENCES'))),
	NULL, 'no role but bigpicture_owner and superusers holds any privilege on signing_keys or its sealed_secret column (pg_read_all_data and pg_write_all_data aside: the DBA''s grant of everything)');

-- ---- every function granted to a bigpicture_* role, called by every actor that may --------------------
-- One plausible call each (the fixtures' ids; tenant_a, which the tenant-scoped actors act for).
CREATE TEMP TABLE leak_calls (fn text PRIMARY KEY, call text NOT NULL);
INSERT INTO leak_calls VALUES
	('bigpicture.calling_role()', $$SELECT bigpicture.calling_role()$$),
	('bigpicture.current_tenant()', $$SELECT bigpicture.current_tenant()$$),
	('bigpicture.current_actor()', $$SELECT bigpicture.current_actor()$$),
	('bigpicture.acts_for_all_tenants()', $$SELECT bigpicture.acts_for_all_tenants()$$),
	('bigpicture.create_tenant(text,text,integer,integer,interval)', $$SELECT bigpicture.create_tenant('C', 'tenant_c')$$),
	('bigpicture.set_tenant_status(text,text)', $$SELECT bigpicture.set_tenant_status('tenant_a', 'suspended')$$),
	('bigpicture.bind_role(text,text)', $$SELECT bigpicture.bind_role('p_spare', 'tenant_a')$$),
	('bigpicture.unbind_role(text)', $$SELECT bigpicture.unbind_role('p_client')$$),
	('bigpicture.generate_key(text,text)', $$SELECT bigpicture.generate_key('decision')$$),
	('bigpicture.activate_key(text)', $$SELECT bigpicture.activate_key('{kid_pending}')$$),
	('bigpicture.retire_key(text)', $$SELECT bigpicture.retire_key('{kid_pending}')$$),
	('bigpicture.revoke_key(text,text)', $$SELECT bigpicture.revoke_key('{kid_pending}', 'test')$$),
	('bigpicture.retire_expired_keys()', $$SELECT bigpicture.retire_expired_keys()$$),
	('bigpicture.keyset_payload()', $$SELECT bigpicture.keyset_payload()$$),
	('bigpicture.keyset()', $$SELECT bigpicture.keyset()$$),
	('bigpicture.keyset_tokens()', $$SELECT * FROM bigpicture.keyset_tokens()$$),
	('bigpicture.verify_token(text)', $$SELECT bigpicture.verify_token('{decision_token}')$$),
	('bigpicture.create_product(text,text,boolean)', $$SELECT bigpicture.create_product('Q', 'prod_q')$$),
	('bigpicture.create_channel(text,text,boolean)', $$SELECT bigpicture.create_channel('prod_p', 'beta')$$),
	('bigpicture.create_artifact(text,text,text,bigint,text,text,text,boolean,text,text,text)',
		$$SELECT bigpicture.create_artifact('prod_p', 'https://dl.example.com/p.msi', repeat('cd', 32), 5, 'windows', 'x86_64', 'msi')$$),
	('bigpicture.create_release(text,text,text,text,jsonb,boolean,text)', $$SELECT bigpicture.create_release('prod_p', '6.0.0', 'stable')$$),
	('bigpicture.attach_artifact(text,text)', $$SELECT bigpicture.attach_artifact('rel_draft', 'art_p_4_0_0_mac')$$),
	('bigpicture.detach_artifact(text,text)', $$SELECT bigpicture.detach_artifact('rel_draft', 'art_p_4_0_0')$$),
	('bigpicture.set_approval_workflow(text,text,text,integer,text[],interval)', $$SELECT bigpicture.set_approval_workflow('product', 'prod_p', required_approvals => 2)$$),
	('bigpicture.clear_approval_workflow(text,text,text)', $$SELECT bigpicture.clear_approval_workflow('global')$$),
	('bigpicture.approval_workflow_for(text,text)', $$SELECT * FROM bigpicture.approval_workflow_for('prod_p', 'stable')$$),
	('bigpicture.release_payload(bigpicture.releases,timestamp with time zone)',
		$$SELECT bigpicture.release_payload(r, now()) FROM bigpicture.releases r$$),
	('bigpicture.submit_release(text)', $$SELECT bigpicture.submit_release('rel_draft')$$),
	('bigpicture.approve_release(text,text)', $$SELECT bigpicture.approve_release('rel_pend')$$),
	('bigpicture.reject_release(text,text)', $$SELECT bigpicture.reject_release('rel_pend', 'no')$$),
	('bigpicture.revoke_release(text,text)', $$SELECT bigpicture.revoke_release('rel_pub', 'bad')$$),
	('bigpicture.list_releases(text,text,text)', $$SELECT * FROM bigpicture.list_releases('prod_p')$$),
	('bigpicture.latest_release(text,text)', $$SELECT * FROM bigpicture.latest_release('prod_p', 'stable')$$),
	('bigpicture.entitlement_state(bigpicture.entitlements,timestamp with time zone)',
		$$SELECT e.entitlement_id, bigpicture.entitlement_state(e) FROM bigpicture.entitlements e$$),
	('bigpicture.entitlement_state_of(text,timestamp with time zone,timestamp with time zone,timestamp with time zone)',
		$$SELECT e.entitlement_id, bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at) FROM bigpicture.entitlements e$$),
	('bigpicture.create_entitlement(text,text,text,integer,text[],timestamp with time zone,timestamp with time zone,boolean,integer,interval,interval,text)',
		$$SELECT bigpicture.create_entitlement('tenant_a', 'prod_p', 'per_user', 3)$$),
	('bigpicture.in_maintenance_window(jsonb,timestamp with time zone)',
		$$SELECT bigpicture.in_maintenance_window('{"start": "22:00", "end": "06:00"}')$$),
	('bigpicture.set_policy(text,text,text,text,text,text,bigpicture.semver_range,bigpicture.semver_range[],jsonb,boolean,text)',
		$$SELECT bigpicture.set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$),
	('bigpicture.clear_policy(text,text,text,text)', $$SELECT bigpicture.clear_policy('tenant', 'tenant_a')$$),
	('bigpicture.get_policy(text,text,text,text)', $$SELECT bigpicture.get_policy('tenant', 'tenant_a')$$),
	('bigpicture.effective_policy(text,text,text,text)', $$SELECT bigpicture.effective_policy('tenant_a', 'prod_p', 'linux')$$),
	('bigpicture.set_rollout(text,integer,text,boolean)', $$SELECT bigpicture.set_rollout('rel_pub', 7500)$$),
	('bigpicture.clear_rollout(text,text)', $$SELECT bigpicture.clear_rollout('rel_pub')$$),
	('bigpicture.check_update(jsonb)', $$SELECT bigpicture.check_update('{"tenant_id": "tenant_a", "install_id": "i-9",
		"platform": "linux", "arch": "x86_64", "products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}')$$),
	('bigpicture.explain_decision(jsonb)', $$SELECT bigpicture.explain_decision('{"tenant_id": "tenant_a", "install_id": "i-9",
		"platform": "linux", "arch": "x86_64", "products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}')$$),
	('bigpicture.tenant_update_decisions(text)', $$SELECT bigpicture.tenant_update_decisions('tenant_a')$$),
	('bigpicture.lease_state(bigpicture.leases,timestamp with time zone)', $$SELECT l.lease_id, bigpicture.lease_state(l) FROM bigpicture.leases l$$),
	('bigpicture.issue_lease(jsonb)', $$SELECT bigpicture.issue_lease('{"tenant_id": "tenant_a", "product_id": "prod_p",
		"subject_type": "user", "subject_id": "u9", "install_id": "i9"}')$$),
	('bigpicture.renew_lease(jsonb)', $$SELECT bigpicture.renew_lease('{"tenant_id": "tenant_a", "lease_id": "{lease_a}"}')$$),
	('bigpicture.release_lease(jsonb)', $$SELECT bigpicture.release_lease('{"tenant_id": "tenant_a", "lease_id": "{lease_a}"}')$$),
	('bigpicture.revoke_lease(text,text,text)', $$SELECT bigpicture.revoke_lease('{lease_a}', 'test', 'tenant_a')$$),
	('bigpicture.license_status(jsonb)', $$SELECT bigpicture.license_status('{"tenant_id": "tenant_a", "product_id": "prod_p",
		"subject_type": "user", "subject_id": "u1"}')$$),
	('bigpicture.lease_revocations(text)', $$SELECT bigpicture.lease_revocations('tenant_a')$$),
	('bigpicture.refresh_signatures()', $$SELECT bigpicture.refresh_signatures()$$),
	('bigpicture.run_job(text)', $$SELECT bigpicture.run_job('retire_expired_keys')$$),
	('bigpicture.run_due_jobs()', $$SELECT * FROM bigpicture.run_due_jobs()$$),
	('bigpicture.set_worker_job(text,boolean,interval)', $$SELECT bigpicture.set_worker_job('retire_expired_keys', true)$$),
	('bigpicture.report(jsonb)', $$SELECT bigpicture.report('{"tenant_id": "tenant_a", "outcome": "downloaded",
		"decision": "{decision_token}"}')$$),
	('bigpicture.rollout_health(text,text,text)', $$SELECT bigpicture.rollout_health('rel_pub', 'tenant')$$),
	('bigpicture.wilson_interval(bigint,bigint)', $$SELECT bigpicture.wilson_interval(3, 5)$$),
	('bigpicture.set_rollout_guards(text,double precision,double precision,integer,integer,interval,text)',
		$$SELECT bigpicture.set_rollout_guards('rel_pub', max_failure_rate => 0.5)$$),
	('bigpicture.set_rollout_plan(text,integer[],interval,text)',
		$$SELECT bigpicture.set_rollout_plan('rel_pub', ARRAY[6000, 10000], '1 hour')$$),
	('bigpicture.halt_rollout(text,text,text)', $$SELECT bigpicture.halt_rollout('rel_pub', 'privileges test')$$),
	('bigpicture.resume_rollout(text,text,text)', $$SELECT bigpicture.resume_rollout(h ->> 'release_id', 'privileges test')
		FROM bigpicture.halt_rollout('rel_pub', 'privileges test') h$$),
	('bigpicture.update_entitlement(text,timestamp with time zone,integer,text[],boolean,boolean)',
		$$SELECT bigpicture.update_entitlement('ent_a1', max_seats => 6)$$),
	('bigpicture.set_entitlement_status(text,text,text)', $$SELECT bigpicture.set_entitlement_status('ent_a1', 'suspended')$$),
	('bigpicture.list_entitlements(text,text,integer,text)', $$SELECT * FROM bigpicture.list_entitlements('tenant_a')$$),
	('bigpicture.renew_due_entitlements()', $$SELECT bigpicture.renew_due_entitlements()$$),
	('bigpicture.license_usage_report(text,timestamp with time zone,timestamp with time zone)',
		$$SELECT * FROM bigpicture.license_usage_report('tenant_a', now() - interval '1 day', now() + interval '1 day')$$),
	('bigpicture.verify_audit_chain(text)', $$SELECT * FROM bigpicture.verify_audit_chain('tenant_a')$$),
	('bigpicture.audit_checkpoint(text)', $$SELECT bigpicture.audit_checkpoint('tenant_a')$$),
	('bigpicture.export_audit_chain(text)', $$SELECT * FROM bigpicture.export_audit_chain('tenant_a')$$),
	('bigpicture.audit_log(text,text,text,timestamp with time zone,timestamp with time zone)', $$SELECT * FROM bigpicture.audit_log()$$),
	('bigpicture.pin_root_key(text,text)', $$SELECT bigpicture.pin_root_key('{root_pk}')$$),
	('bigpicture.unpin_root_key(text)', $$SELECT bigpicture.unpin_root_key('{root_kid}')$$),
	('bigpicture.issue_key_certificate(text,text,text[],timestamp with time zone,text)',
		$$SELECT bigpicture.issue_key_certificate('tenant_a', '{mirror_pk}', '{decision}', now() + interval '30 days')$$),
	('bigpicture.revoke_key_certificate(text,text)', $$SELECT bigpicture.revoke_key_certificate('{cert_kid}', 'test')$$),
	('bigpicture.install_key_certificate(text)', $$SELECT bigpicture.install_key_certificate('{decision_token}')$$),
	('bigpicture.register_mirror(text,text,text)', $$SELECT bigpicture.register_mirror('Lab', 'tenant_a')$$),
	('bigpicture.set_mirror_status(text,text,text)', $$SELECT bigpicture.set_mirror_status('mirror_a1', 'INACTIVE')$$),
	('bigpicture.generate_snapshot(text,boolean,interval)', $$SELECT bigpicture.generate_snapshot('tenant_a', true)$$),
	('bigpicture.latest_snapshot(text,text)', $$SELECT * FROM bigpicture.latest_snapshot('tenant_a')$$),
	('bigpicture.list_snapshots(text)', $$SELECT * FROM bigpicture.list_snapshots('tenant_a')$$),
	('bigpicture.import_snapshot(text)', $$SELECT bigpicture.import_snapshot('{decision_token}')$$),
	('bigpicture.api_request(jsonb,text[],text[])', $$SELECT bigpicture.api_request('{"a": 1}', '{a}')$$),
	('bigpicture.api_text_array(jsonb,text)', $$SELECT bigpicture.api_text_array('{"x": ["a"]}', 'x')$$),
	('bigpicture.api_routes()', $$SELECT * FROM bigpicture.api_routes()$$),
	('bigpicture_api.decision(jsonb)', $$SELECT bigpicture_api.decision('{"tenant_id": "tenant_a", "install_id": "i-9",
		"platform": "linux", "arch": "x86_64", "products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}')$$),
	('bigpicture_api.decision_readonly(jsonb)', $$SELECT bigpicture_api.decision_readonly('{"tenant_id": "tenant_a", "install_id": "i-9",
		"platform": "linux", "arch": "x86_64", "products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}')$$),
	('bigpicture_api.lease(jsonb)', $$SELECT bigpicture_api.lease('{"tenant_id": "tenant_a", "product_id": "prod_p",
		"subject_type": "user", "subject_id": "u9", "install_id": "i9"}')$$),
	('bigpicture_api.lease_renew(jsonb)', $$SELECT bigpicture_api.lease_renew('{"tenant_id": "tenant_a", "lease_id": "{lease_a}"}')$$),
	('bigpicture_api.lease_release(jsonb)', $$SELECT bigpicture_api.lease_release('{"tenant_id": "tenant_a", "lease_id": "{lease_a}"}')$$),
	('bigpicture_api.license_status(text,text,text,text,text)', $$SELECT bigpicture_api.license_status('prod_p', 'user', 'u1',
		tenant_id => 'tenant_a')$$),
	('bigpicture_api.lease_revocations(text)', $$SELECT bigpicture_api.lease_revocations('tenant_a')$$),
	('bigpicture_api.keyset()', $$SELECT bigpicture_api.keyset()$$),
	('bigpicture_api.snapshot_latest(jsonb)', $$SELECT bigpicture_api.snapshot_latest('{"tenant_id": "tenant_a", "mirror_id": "mirror_a1"}')$$),
	('bigpicture_api.report(jsonb)', $$SELECT bigpicture_api.report('{"tenant_id": "tenant_a", "outcome": "install_started",
		"decision": "{decision_token_a}"}')$$),
	('bigpicture_api.rollout_health(text,text,text)', $$SELECT bigpicture_api.rollout_health('rel_pub')$$),
	('bigpicture_api.events(bigint,integer,text[])', $$SELECT bigpicture_api.events()$$),
	('bigpicture.events_after(bigint,integer,text[])', $$SELECT * FROM bigpicture.events_after(0, 50)$$),
	('bigpicture_api.rollout_set(jsonb)', $$SELECT bigpicture_api.rollout_set('{"release_id": "rel_pub", "percentage": 6000}')$$),
	('bigpicture.dry_run(jsonb,integer)', $$SELECT bigpicture.dry_run('{"call": "set_policy", "args": {"scope": "tenant",
		"tenant_id": "tenant_a", "mode": "AUTO_INSTALL"}}')$$),
	('bigpicture_api.dry_run(jsonb)', $$SELECT bigpicture_api.dry_run('{"change": {"call": "set_rollout", "args": {"release_id": "rel_pub",
		"percentage": 7000}}}')$$),
	('bigpicture_api.rollout_guards(jsonb)', $$SELECT bigpicture_api.rollout_guards('{"release_id": "rel_pub", "max_crash_rate": 0.2}')$$),
	('bigpicture_api.rollout_plan(jsonb)', $$SELECT bigpicture_api.rollout_plan('{"release_id": "rel_pub", "plan": [7000, 10000],
		"step_interval": "2 hours"}')$$),
	('bigpicture_api.rollout_halt(jsonb)', $$SELECT bigpicture_api.rollout_halt('{"release_id": "rel_pub", "reason": "test"}')$$),
	('bigpicture_api.rollout_resume(jsonb)', $$SELECT bigpicture_api.rollout_resume(jsonb_build_object('release_id',
		bigpicture.halt_rollout('rel_pub', 'test') ->> 'release_id', 'reason', 'test'))$$),
	('bigpicture_api.release_create(jsonb)', $$SELECT bigpicture_api.release_create('{"product_id": "prod_p", "version": "6.0.0", "channel": "stable"}')$$),
	('bigpicture_api.release_attach(jsonb)', $$SELECT bigpicture_api.release_attach('{"release_id": "rel_draft", "artifact_id": "art_p_4_0_0_mac"}')$$),
	('bigpicture_api.release_submit(jsonb)', $$SELECT bigpicture_api.release_submit('{"release_id": "rel_draft"}')$$),
	('bigpicture_api.release_approve(jsonb)', $$SELECT bigpicture_api.release_approve('{"release_id": "rel_pend"}')$$),
	('bigpicture_api.release_reject(jsonb)', $$SELECT bigpicture_api.release_reject('{"release_id": "rel_pend", "reason": "no"}')$$),
	('bigpicture_api.release_revoke(jsonb)', $$SELECT bigpicture_api.release_revoke('{"release_id": "rel_pub", "reason": "bad"}')$$),
	('bigpicture_api.policy_get(text,text,text,text)', $$SELECT bigpicture_api.policy_get('tenant', 'tenant_a')$$),
	('bigpicture_api.policy_put(jsonb)', $$SELECT bigpicture_api.policy_put('{"scope": "tenant", "tenant_id": "tenant_a", "mode": "AUTO_INSTALL"}')$$),
	('bigpicture_api.entitlement_create(jsonb)', $$SELECT bigpicture_api.entitlement_create('{"tenant_id": "tenant_a", "product_id": "prod_p",
		"type": "per_user", "max_seats": 3}')$$),
	('bigpicture_api.entitlement_update(jsonb)', $$SELECT bigpicture_api.entitlement_update('{"entitlement_id": "ent_a1", "max_seats": 7}')$$),
	('bigpicture_api.usage(timestamp with time zone,timestamp with time zone,text)', $$SELECT bigpicture_api.usage('2000-01-01T00:00:00Z',
		'2100-01-01T00:00:00Z', 'tenant_a')$$),
	('bigpicture_api.audit(text,text,text,timestamp with time zone,timestamp with time zone,integer)',
		$$SELECT bigpicture_api.audit(max_events => 10000)$$),
	('bigpicture_api.openapi()', $$SELECT bigpicture_api.openapi()$$),
	('bigpicture.event_types()', $$SELECT bigpicture.event_types()$$),
	('bigpicture.create_webhook(text,text[],text,integer,text,text)',
		$$SELECT bigpicture.create_webhook('https://hooks.example.com/b', tenant_id => 'tenant_a')$$),
	('bigpicture.set_webhook(text,text,text[],boolean,integer)', $$SELECT bigpicture.set_webhook('{whsub_a}', max_attempts => 5)$$),
	('bigpicture.rotate_webhook_secret(text,interval)', $$SELECT bigpicture.rotate_webhook_secret('{whsub_a}')$$),
	('bigpicture.delete_webhook(text)', $$SELECT bigpicture.delete_webhook('{whsub_a}')$$),
	('bigpicture.webhook_claim(text,integer,integer,interval,text[])', $$SELECT * FROM bigpicture.webhook_claim('test')$$),
	('bigpicture.webhook_record(text,text,bigint,integer,text,integer,interval,interval)',
		$$SELECT bigpicture.webhook_record('test', '{whsub_a}', 1, 500, 'test')$$),
	('bigpicture_api.webhooks()', $$SELECT bigpicture_api.webhooks()$$),
	('bigpicture_api.webhook_create(jsonb)', $$SELECT bigpicture_api.webhook_create('{"url": "https://hooks.example.com/c",
		"tenant_id": "tenant_a"}')$$),
	('bigpicture_api.webhook_update(jsonb)', $$SELECT bigpicture_api.webhook_update('{"subscription_id": "{whsub_a}", "enabled": false}')$$),
	('bigpicture_api.webhook_rotate_secret(jsonb)', $$SELECT bigpicture_api.webhook_rotate_secret('{"subscription_id": "{whsub_a}"}')$$),
	('bigpicture_api.webhook_delete(jsonb)', $$SELECT bigpicture_api.webhook_delete('{"subscription_id": "{whsub_a}"}')$$),
	('bigpicture_api.webhook_deliveries(text,integer)', $$SELECT bigpicture_api.webhook_deliveries('{whsub_a}')$$);

SELECT set_eq($$SELECT p.sig FROM ext_proc p WHERE EXISTS (SELECT 1 FROM aclexplode(p.proacl) a
				 WHERE a.grantee <> 0 AND a.grantee::regrole::text LIKE 'bigpicture\_%' AND a.grantee <> 'bigpicture_owner'::regrole)$$,
	'SELECT fn FROM leak_calls', 'every function granted to a bigpicture_* role has a call here');

-- Reads: every table and view of both schemas (each actor reads those it may), the key
-- table itself, and the planner's statistics of the key table.
CREATE TEMP TABLE leak_reads (rel text PRIMARY KEY, stmt text NOT NULL);
INSERT INTO leak_reads SELECT name, format('SELECT * FROM %s', name) FROM ext_rel WHERE relkind IN ('r', 'v');
INSERT INTO leak_reads VALUES
	('pg_stats', $$SELECT * FROM pg_catalog.pg_stats WHERE schemaname = 'bigpicture' AND tablename = 'signing_keys'$$);

CREATE TEMP TABLE leak_results AS
SELECT a.actor, a.ord, split_part(r.key, '|', 1) AS kind, split_part(r.key, '|', 2) AS what, r.output, r.state, r.err,
	NULL::text AS leaked
FROM actors a
CROSS JOIN LATERAL pg_temp.run_as(a, (
	SELECT jsonb_agg(x.j) FROM (
		SELECT jsonb_build_object('key', 'call|' || c.fn, 'stmt', pg_temp.fill(c.call, 'a')) AS j FROM leak_calls c
		WHERE has_function_privilege(COALESCE(a.set_role, a.session_role), c.fn, 'EXECUTE')
		UNION ALL
		SELECT jsonb_build_object('key', 'read|' || l.rel, 'stmt', l.stmt) FROM leak_reads l
		WHERE l.rel = 'pg_stats' OR l.rel = 'bigpicture.signing_keys'
		   OR has_table_privilege(COALESCE(a.set_role, a.session_role), l.rel, 'SELECT')) x)) r;
SELECT is(session_user::text || '/' || current_user::text, 'postgres/postgres', 'back to the superuser after the leak scan');
UPDATE leak_results SET leaked = pg_temp.leaks(concat_ws(' ', output, err));

SELECT is((SELECT array_agg(r.kind || ' ' || r.what || ' (' || r.leaked || ')' ORDER BY r.what)
		   FROM leak_results r WHERE r.actor = a.actor AND r.leaked IS NOT NULL),
	NULL, format('%s: no sealed secret in the output or error of %s calls and %s reads', a.actor,
		(SELECT count(*) FROM leak_results r WHERE r.actor = a.actor AND r.kind = 'call'),
		(SELECT count(*) FROM leak_results r WHERE r.actor = a.actor AND r.kind = 'read')))
FROM actors a ORDER BY a.ord;
SELECT is((SELECT r.state || ' ' || split_part(r.err, ' | ', 1) FROM leak_results r
		   WHERE r.actor = a.actor AND r.kind = 'read' AND r.what = 'bigpicture.signing_keys'),
	'42501 permission denied for table signing_keys', format('%s: SELECT on signing_keys is refused', a.actor))
FROM actors a ORDER BY a.ord;
SELECT is((SELECT r.output FROM leak_results r WHERE r.actor = a.actor AND r.kind = 'read' AND r.what = 'pg_stats'),
	'[]', format('%s: pg_stats shows nothing of signing_keys', a.actor))
FROM actors a ORDER BY a.ord;
-- The calls were plausible: each one succeeded for some actor allowed to make it.
CREATE TEMP TABLE leak_never_ok (fn text PRIMARY KEY, why text NOT NULL);
INSERT INTO leak_never_ok VALUES
	('bigpicture.install_key_certificate(text)', 'needs a certificate from another instance (test/mirror); here its error path is what is scanned'),
	('bigpicture.import_snapshot(text)', 'needs a snapshot from another instance (test/mirror); here its error path is what is scanned');
SELECT is((SELECT array_agg(c.fn ORDER BY c.fn) FROM leak_calls c
		   WHERE c.fn NOT IN (SELECT fn FROM leak_never_ok)
			 AND NOT EXISTS (SELECT 1 FROM leak_results r WHERE r.kind = 'call' AND r.what = c.fn AND r.state IS NULL)),
	NULL, 'every call succeeded for at least one actor (so its real output was scanned)');

-- ---- errors from the key functions ---------------------------------------------------------------------
-- Each forced failure, as the admin: the SQLSTATE it fails with, and no secret in its
-- message, detail, hint or context.
CREATE TEMP TABLE key_errors (ord int, call text, sqlstate text);
INSERT INTO key_errors VALUES
	(1, $$SELECT bigpicture.generate_key('banana')$$, '22023'),
	(2, $$SELECT bigpicture.generate_key('decision', 'tenant_nope')$$, NULL),
	(3, $$SELECT bigpicture.activate_key('{root_kid}')$$, 'PT409'),
	(4, $$SELECT bigpicture.activate_key('k4.pid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')$$, 'PT404'),
	(5, $$SELECT bigpicture.activate_key(NULL)$$, '22004'),
	(6, $$SELECT bigpicture.retire_key('{kid_pending}')
;;
SELECT bigpicture.retire_key('{kid_pending}')$$, 'PT409'),
	(7, $$SELECT bigpicture.revoke_key('{kid_pending}')
;;
SELECT bigpicture.revoke_key('{kid_pending}')$$, 'PT409'),
	(8, $$SELECT bigpicture.revoke_key('{kid_pending}')
;;
SELECT bigpicture.activate_key('{kid_pending}')$$, 'PT409'),
	(9, $$SELECT bigpicture.verify_token(replace('{decision_token}', 'v4.public.ey', 'v4.public.ez'))$$, '22023'),
	(10, $$SELECT bigpicture.verify_token('v4.public.eyJ0eXAiOiJrZXlzZXQifQ')$$, '22023'),
	(11, $$SELECT bigpicture.revoke_key((SELECT kid FROM bigpicture.public_keys WHERE purpose = 'decision' AND state = 'active' AND tenant_id IS NULL))
;;
SELECT bigpicture.verify_token('{decision_token}')$$, '22023'),
	(12, $$SELECT bigpicture.revoke_key((SELECT kid FROM bigpicture.public_keys WHERE purpose = 'decision' AND state = 'active' AND tenant_id IS NULL))
;;
SELECT bigpicture.check_update('{"tenant_id": "tenant_b", "install_id": "i-1", "platform": "linux", "arch": "x86_64",
		"products": [{"product_id": "prod_p", "current_version": "1.0.0"}]}')$$, 'PT409'),
	(13, $$SELECT bigpicture.install_key_certificate('{decision_token}')$$, '22023'),
	(14, $$SELECT bigpicture.pin_root_key('k4.public.nope')$$, '22023'),
	(15, $$SELECT bigpicture.issue_key_certificate('tenant_a', '{root_pk}', '{decision}', now() + interval '1 day')$$, '23505');
CREATE TEMP TABLE key_error_results AS
SELECT e.ord, e.call, e.sqlstate, r.output, r.state, r.err
FROM key_errors e JOIN pg_temp.run_as((SELECT a FROM actors a WHERE a.actor = 'admin (unbound)'),
	(SELECT jsonb_agg(jsonb_build_object('key', k.ord::text, 'stmt', pg_temp.fill(k.call, 'a'))) FROM key_errors k)) r
	ON r.key = e.ord::text;
SELECT is(COALESCE(r.state, 'succeeded') || CASE WHEN pg_temp.leaks(r.err) IS NOT NULL THEN ' and leaks' ELSE '' END,
	COALESCE(r.sqlstate, r.state, 'an error'), format('key error %s fails with %s and shows no secret: %s', r.ord,
		COALESCE(r.sqlstate, 'an error'), left(regexp_replace(r.call, '\s+', ' ', 'g'), 100)))
FROM key_error_results r ORDER BY r.ord;

SELECT * FROM finish();
ROLLBACK;
