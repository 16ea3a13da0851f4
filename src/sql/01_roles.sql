-- Roles.  Roles are cluster-wide and outlive the extension, so they
-- are created only when missing and never dropped by DROP EXTENSION.  All are
-- NOLOGIN groups except bigpicture_gateway, the NOINHERIT role that PostgREST
-- or bigpicture-gateway logs in as (a password is set by the operator).
-- bigpicture_owner owns the extension's objects (see 99_privileges.sql), so
-- SECURITY DEFINER functions run as a NOLOGIN role that is not a superuser.

DO $roles$
DECLARE
	r record;
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
			('bigpicture_owner',        'NOLOGIN',          'owns the extension''s tables and functions; definer functions run as it')
		) AS t(name, options, purpose)
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I %s', r.name, r.options);
			EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.name, 'Big Picture: ' || r.purpose);
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
	bigpicture_client, bigpicture_mirror, bigpicture_auditor, bigpicture_anon;
COMMENT ON SCHEMA bigpicture IS 'Big Picture: catalog, policy, decisions, licensing and audit';
