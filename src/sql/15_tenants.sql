-- Tenants, who the caller is, and installs.

-- Ids are prefixed text: generated, or supplied by the caller.
CREATE FUNCTION bigpicture.new_id(prefix text) RETURNS text
	LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
	RETURN prefix || '_' || pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', '');
COMMENT ON FUNCTION bigpicture.new_id(text) IS
	'a fresh id with a type prefix, e.g. new_id(''prod'') gives prod_ and 32 hex digits';

CREATE FUNCTION bigpicture.is_valid_id(id text, prefix text) RETURNS boolean
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN id OPERATOR(pg_catalog.~) ('^' || prefix || '_[A-Za-z0-9][A-Za-z0-9_-]{0,63}$');
COMMENT ON FUNCTION bigpicture.is_valid_id(text, text) IS
	'whether id is prefix_ followed by 1 to 64 letters, digits, _ or - (starting with a letter or digit)';

-- ---- the caller ------------------------------------------------------------------

CREATE FUNCTION bigpicture.calling_role() RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_calling_role' LANGUAGE C STABLE;
COMMENT ON FUNCTION bigpicture.calling_role() IS
	'the role the session acts as (login or SET ROLE), also inside SECURITY DEFINER functions';
CREATE FUNCTION bigpicture._session_is_gateway() RETURNS boolean
	AS 'MODULE_PATHNAME', 'bigpicture_session_is_gateway' LANGUAGE C STABLE;
COMMENT ON FUNCTION bigpicture._session_is_gateway() IS
	'internal: whether the login role is bigpicture_gateway or an explicit member of it';

-- A claim of the verified JWT, trusted only in gateway sessions.
CREATE FUNCTION bigpicture._jwt_claim(claim text) RETURNS text
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_jwt_claim';
COMMENT ON FUNCTION bigpicture._jwt_claim(text) IS
	'internal: one claim of request.jwt.claims, or NULL unless the session is the gateway''s';

-- The install a request may act for (a client certificate's or token's install_id claim).
CREATE FUNCTION bigpicture._bound_install_id(requested text) RETURNS text
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_bound_install_id';
COMMENT ON FUNCTION bigpicture._bound_install_id(text) IS
	'internal: the requested install_id, or the one the gateway session''s claims bind it to; another is refused (42501)';

-- ---- tenants -----------------------------------------------------------------------

CREATE TABLE bigpicture.tenants (
	tenant_id        text PRIMARY KEY CHECK (bigpicture.is_valid_id(tenant_id, 'tenant')),
	name             text NOT NULL CHECK (name OPERATOR(pg_catalog.~) '[^[:space:]]'),
	status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
	decision_ttl     integer NOT NULL DEFAULT 3600 CHECK (decision_ttl BETWEEN 60 AND 604800),
	retry_after      integer NOT NULL DEFAULT 3600 CHECK (retry_after BETWEEN 60 AND 604800),
	offline_grace    interval NOT NULL DEFAULT '7 days'
	                 CHECK (offline_grace BETWEEN interval '0' AND interval '365 days'),
	created_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at       timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE bigpicture.tenants IS
	'customers; settings: decision_ttl and retry_after in seconds, offline_grace for leases';
COMMENT ON COLUMN bigpicture.tenants.decision_ttl IS 'seconds a signed update decision stays valid';
COMMENT ON COLUMN bigpicture.tenants.retry_after IS 'seconds a client should wait before asking again';
COMMENT ON COLUMN bigpicture.tenants.offline_grace IS 'how long a client may run offline past its lease';

-- Which tenant a database role acts for (a DBA's or service's login role).
CREATE TABLE bigpicture.tenant_roles (
	role_name   text PRIMARY KEY,
	tenant_id   text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX tenant_roles_tenant ON bigpicture.tenant_roles (tenant_id);
COMMENT ON TABLE bigpicture.tenant_roles IS
	'binds a database role to the tenant it acts for; maintained by admins with bind_role/unbind_role';

SELECT pg_catalog.pg_extension_config_dump('bigpicture.tenants', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.tenant_roles', '');

-- The caller's tenant: the verified tenant_id claim in a gateway
-- session; otherwise the tenant bound to the role the session acts as; else NULL.
-- These run on every API call and in row-level security policies, so they
-- are C (src/extension/tenancy.c): SQL bodies were planned again per statement.
-- current_tenant() is called per row by policies, so it is neither SECURITY
-- DEFINER nor SET: the C reads tenant_roles as the owner itself, with
-- schema-qualified names, and answers once per statement.
CREATE FUNCTION bigpicture.current_tenant() RETURNS text
	LANGUAGE C STABLE
	AS 'MODULE_PATHNAME', 'bigpicture_current_tenant';
COMMENT ON FUNCTION bigpicture.current_tenant() IS
	'the caller''s tenant: the tenant_id JWT claim in gateway sessions, else the tenant bound to the calling role, else NULL';

-- Who did it, for audit columns: the JWT subject through the gateway, else the role.
CREATE FUNCTION bigpicture.current_actor() RETURNS text
	LANGUAGE C STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_current_actor';
COMMENT ON FUNCTION bigpicture.current_actor() IS
	'who is acting: the JWT sub claim through the gateway, else the calling role';

-- May the caller act on any tenant?  (Admins and auditors; docs/tenancy.md.)
CREATE FUNCTION bigpicture.acts_for_all_tenants() RETURNS boolean
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_acts_for_all_tenants';
COMMENT ON FUNCTION bigpicture.acts_for_all_tenants() IS
	'whether the caller may act on any tenant (a member of bigpicture_admin or bigpicture_auditor); views and policies use it';

-- The tenant an API call acts on: the caller's own; an admin or auditor
-- must name one.  Tenant-scoped callers naming another tenant are refused.
CREATE FUNCTION bigpicture._resolve_tenant(requested text) RETURNS text
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_resolve_tenant';

ALTER TABLE bigpicture.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.tenant_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.tenant_roles FORCE ROW LEVEL SECURITY;

-- The owner is the extension's own definer code, which scopes itself.
CREATE POLICY owner_all ON bigpicture.tenants TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON bigpicture.tenants TO bigpicture_admin USING (true) WITH CHECK (true);
CREATE POLICY auditor_read ON bigpicture.tenants FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.tenants FOR SELECT
	TO bigpicture_tenant_admin, bigpicture_client, bigpicture_mirror
	USING (tenant_id = bigpicture.current_tenant());
CREATE POLICY owner_all ON bigpicture.tenant_roles TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON bigpicture.tenant_roles TO bigpicture_admin USING (true) WITH CHECK (true);
CREATE POLICY auditor_read ON bigpicture.tenant_roles FOR SELECT TO bigpicture_auditor USING (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON bigpicture.tenants, bigpicture.tenant_roles TO bigpicture_admin;
GRANT SELECT ON bigpicture.tenants, bigpicture.tenant_roles TO bigpicture_auditor;
GRANT SELECT ON bigpicture.tenants TO bigpicture_tenant_admin, bigpicture_client, bigpicture_mirror;

-- ---- tenant API -------------------------------------------------------------------------

CREATE FUNCTION bigpicture.create_tenant(name text, tenant_id text DEFAULT NULL,
	decision_ttl integer DEFAULT 3600, retry_after integer DEFAULT 3600,
	offline_grace interval DEFAULT '7 days') RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id text := COALESCE(create_tenant.tenant_id, bigpicture.new_id('tenant'));
BEGIN
	IF NOT bigpicture.is_valid_id(id, 'tenant') THEN
		RAISE EXCEPTION 'invalid tenant id "%"', id USING ERRCODE = '22023',
			HINT = 'A tenant id is tenant_ followed by 1 to 64 letters, digits, _ or -; or pass NULL to generate one.';
	END IF;
	IF name IS NULL OR name !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'tenant name must not be empty' USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.tenants AS t (tenant_id, name, decision_ttl, retry_after, offline_grace)
	VALUES (id, name, create_tenant.decision_ttl, create_tenant.retry_after, create_tenant.offline_grace);
	RETURN id;
EXCEPTION
	WHEN unique_violation THEN
		RAISE EXCEPTION 'tenant "%" already exists', id USING ERRCODE = '23505';
	WHEN check_violation THEN
		RAISE EXCEPTION 'invalid tenant settings' USING ERRCODE = '22023',
			DETAIL = 'decision_ttl and retry_after are 60 to 604800 seconds; offline_grace 0 to 365 days.';
END
$$;
COMMENT ON FUNCTION bigpicture.create_tenant(text, text, integer, integer, interval) IS
	'create an active tenant; returns its id (generated when not given)';

CREATE FUNCTION bigpicture._tenant_or_error(p_tenant_id text) RETURNS bigpicture.tenants
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t bigpicture.tenants;
BEGIN
	SELECT * INTO t FROM bigpicture.tenants WHERE tenant_id = p_tenant_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'tenant "%" does not exist', p_tenant_id USING ERRCODE = 'PT404';
	END IF;
	RETURN t;
END
$$;

CREATE FUNCTION bigpicture.set_tenant_status(tenant_id text, status text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._tenant_or_error(set_tenant_status.tenant_id);
	IF status IS NULL OR status NOT IN ('active', 'suspended') THEN
		RAISE EXCEPTION 'invalid tenant status "%"', status USING ERRCODE = '22023',
			HINT = 'Use active or suspended.';
	END IF;
	UPDATE bigpicture.tenants t SET status = set_tenant_status.status, updated_at = now()
	 WHERE t.tenant_id = set_tenant_status.tenant_id;
END
$$;
COMMENT ON FUNCTION bigpicture.set_tenant_status(text, text) IS
	'suspend or reactivate a tenant; a suspended tenant gets no updates and no new leases';

CREATE FUNCTION bigpicture.bind_role(role_name text, tenant_id text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._tenant_or_error(bind_role.tenant_id);
	IF role_name IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = bind_role.role_name) THEN
		RAISE EXCEPTION 'role "%" does not exist', role_name USING ERRCODE = '42704';
	END IF;
	IF role_name LIKE 'bigpicture\_%' THEN
		RAISE EXCEPTION 'the shared role "%" cannot be bound to one tenant', role_name USING ERRCODE = '22023',
			HINT = 'Bind a login role of the tenant''s own (a member of bigpicture_tenant_admin, for instance).';
	END IF;
	INSERT INTO bigpicture.tenant_roles AS r (role_name, tenant_id) VALUES (bind_role.role_name, bind_role.tenant_id)
	ON CONFLICT ON CONSTRAINT tenant_roles_pkey DO UPDATE SET tenant_id = EXCLUDED.tenant_id, created_at = EXCLUDED.created_at;
END
$$;
COMMENT ON FUNCTION bigpicture.bind_role(text, text) IS
	'make a database role act for a tenant (current_tenant() returns it for sessions acting as that role)';

CREATE FUNCTION bigpicture.unbind_role(role_name text) RETURNS boolean
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (DELETE FROM bigpicture.tenant_roles r WHERE r.role_name = unbind_role.role_name RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM gone);
END;
COMMENT ON FUNCTION bigpicture.unbind_role(text) IS 'remove a role''s tenant binding; returns whether there was one';

-- ---- installs ------------------------------------------------------------------------------

CREATE TABLE bigpicture.installs (
	tenant_id    text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	install_id   text NOT NULL CHECK (pg_catalog.length(install_id) BETWEEN 1 AND 128),
	platform     text CHECK (platform IN ('windows', 'macos', 'linux')),
	arch         text CHECK (arch IN ('x86_64', 'x86', 'arm64')),
	versions     jsonb NOT NULL DEFAULT '{}' CHECK (pg_catalog.jsonb_typeof(versions) = 'object'),
	first_seen   timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_seen    timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, install_id)
);
CREATE INDEX installs_last_seen ON bigpicture.installs (tenant_id, last_seen);
COMMENT ON TABLE bigpicture.installs IS
	'devices: the product versions each install last reported ({"prod_…": "1.2.3"}), platform and when it was seen';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.installs', '');

ALTER TABLE bigpicture.installs ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.installs FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.installs TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON bigpicture.installs TO bigpicture_admin USING (true) WITH CHECK (true);
CREATE POLICY auditor_read ON bigpicture.installs FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.installs FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON bigpicture.installs TO bigpicture_admin;
GRANT SELECT ON bigpicture.installs TO bigpicture_auditor, bigpicture_tenant_admin;

GRANT EXECUTE ON FUNCTION bigpicture.current_tenant(), bigpicture.current_actor(), bigpicture.calling_role(),
	bigpicture.acts_for_all_tenants()
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin,
	bigpicture_client, bigpicture_mirror, bigpicture_auditor, bigpicture_anon;
GRANT EXECUTE ON FUNCTION bigpicture.create_tenant(text, text, integer, integer, interval),
	bigpicture.set_tenant_status(text, text), bigpicture.bind_role(text, text), bigpicture.unbind_role(text)
	TO bigpicture_admin;
