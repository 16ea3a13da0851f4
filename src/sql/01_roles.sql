-- Roles.  Roles are cluster-wide and outlive the extension, so they
-- are created only when missing and never dropped by DROP EXTENSION.
-- A role that exists already is adopted only if it is what we would have
-- made: a role of that name made in advance with LOGIN, SUPERUSER or other
-- rights, or (unless an earlier install made it) with members or
-- memberships, would otherwise become one of ours; the install stops and
-- says what is wrong with it.  All are
-- NOLOGIN groups except bigpicture_gateway, the NOINHERIT role that PostgREST
-- or bigpicture-gateway logs in as (a password is set by the operator).
-- bigpicture_owner owns the extension's objects (see 99_privileges.sql), so
-- SECURITY DEFINER functions run as a NOLOGIN role that is not a superuser.

DO $roles$
DECLARE
	r record;
	x pg_catalog.pg_roles;
	ours boolean;
	problems text[];
	members text;
	member_of text;
	ours_all text[] := '{bigpicture_admin,bigpicture_publisher,bigpicture_approver,bigpicture_tenant_admin,'
		'bigpicture_client,bigpicture_mirror,bigpicture_auditor,bigpicture_anon,bigpicture_gateway,bigpicture_owner,'
		'bigpicture_webhooks}';
BEGIN
	FOR r IN
		SELECT * FROM (VALUES
			('bigpicture_admin',        'NOLOGIN',          'vendor operations: everything'),
			('bigpicture_publisher',    'NOLOGIN',          'CI: create and submit releases'),
			('bigpicture_approver',     'NOLOGIN',          'approve or reject releases'),
			('bigpicture_tenant_admin', 'NOLOGIN',          'one tenant''s policies, entitlements, usage, audit'),
			('bigpicture_client',       'NOLOGIN',          'desktop apps: decisions, leases, key set'),
			('bigpicture_mirror',       'NOLOGIN',          'mirrors and local license servers: snapshots'),
			('bigpicture_auditor',      'NOLOGIN',          'read the audit log of any tenant'),
			('bigpicture_anon',         'NOLOGIN',          'unauthenticated HTTP: key set only'),
			('bigpicture_gateway',      'LOGIN NOINHERIT',  'the login role the HTTP gateway switches from'),
			('bigpicture_owner',        'NOLOGIN',          'owns the extension''s tables and functions; definer functions run as it'),
			('bigpicture_webhooks',     'NOLOGIN',          'the webhook delivery daemon: claims events, records deliveries')
		) AS t(name, options, purpose)
	LOOP
		SELECT * INTO x FROM pg_catalog.pg_roles WHERE rolname = r.name;
		IF NOT FOUND THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I %s', r.name, r.options);
			EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.name, 'Big Picture: ' || r.purpose);
			CONTINUE;
		END IF;
		ours := pg_catalog.shobj_description(x.oid, 'pg_authid') IS NOT DISTINCT FROM 'Big Picture: ' || r.purpose;
		-- memberships among our own roles (the gateway's) are the install's
		members := (SELECT pg_catalog.string_agg(m.member::regrole::text, ', ' ORDER BY 1)
			FROM pg_catalog.pg_auth_members m WHERE m.roleid = x.oid AND m.member::regrole::text <> ALL (ours_all));
		member_of := (SELECT pg_catalog.string_agg(m.roleid::regrole::text, ', ' ORDER BY 1)
			FROM pg_catalog.pg_auth_members m WHERE m.member = x.oid AND m.roleid::regrole::text <> ALL (ours_all));
		problems := ARRAY(SELECT p FROM (VALUES
			(x.rolsuper, 'is a superuser'), (x.rolcreaterole, 'has CREATEROLE'), (x.rolcreatedb, 'has CREATEDB'),
			(x.rolreplication, 'has REPLICATION'), (x.rolbypassrls, 'has BYPASSRLS'),
			(x.rolcanlogin AND r.options NOT LIKE 'LOGIN%', 'can log in'),
			(x.rolinherit AND r.options LIKE '%NOINHERIT%', 'inherits the rights of its roles (it must be NOINHERIT)'),
			(NOT ours AND members IS NOT NULL, 'has members: ' || members),
			(NOT ours AND member_of IS NOT NULL, 'is a member of: ' || member_of)) AS t(bad, p) WHERE bad);
		IF pg_catalog.cardinality(problems) > 0 THEN
			RAISE EXCEPTION 'role "%" exists and is not one bigpicture can adopt', r.name
				USING ERRCODE = '42501',
				DETAIL = 'It ' || pg_catalog.array_to_string(problems, '; it ') || '.',
				HINT = pg_catalog.format('Drop the role, or make it %s with no other rights (and, if it is not from an '
					'earlier bigpicture install, no members or memberships), then CREATE EXTENSION again.', r.options);
		END IF;
		IF NOT ours THEN
			EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.name, 'Big Picture: ' || r.purpose);
			RAISE WARNING 'bigpicture: adopted the existing role "%", made before the install', r.name;
		END IF;
	END LOOP;
END
$roles$;

-- The gateway may become any of the request roles, never an admin one.
GRANT bigpicture_anon, bigpicture_client, bigpicture_tenant_admin, bigpicture_mirror
	TO bigpicture_gateway;

-- Nothing in the schema is reachable by PUBLIC; each role is granted what it needs.
REVOKE ALL ON SCHEMA bigpicture FROM PUBLIC;
GRANT USAGE ON SCHEMA bigpicture TO bigpicture_owner,
	bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin,
	bigpicture_client, bigpicture_mirror, bigpicture_auditor, bigpicture_anon, bigpicture_webhooks;
COMMENT ON SCHEMA bigpicture IS 'Big Picture: catalog, policy, decisions, licensing and audit';
