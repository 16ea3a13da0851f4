-- Update policy: four scopes, most specific first —
-- tenant+product → product → tenant → global — each optionally for one
-- platform (a platform row beats the generic row of its scope).  Every field
-- is nullable: a more specific level overrides only what it sets.
-- Vendor scopes (global, product) live in vendor_policies; tenant scopes in
-- tenant_policies, under RLS.

CREATE FUNCTION bigpicture._check_maintenance_window(w jsonb) RETURNS void
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	k text;
	d jsonb;
BEGIN
	IF w IS NULL THEN
		RETURN;
	END IF;
	IF jsonb_typeof(w) <> 'object' THEN
		RAISE EXCEPTION 'maintenance_window must be a JSON object' USING ERRCODE = '22023',
			HINT = 'For example {"days": ["sat", "sun"], "start": "22:00", "end": "06:00", "timezone": "Europe/Berlin"}.';
	END IF;
	FOR k IN SELECT jsonb_object_keys(w) LOOP
		IF k NOT IN ('days', 'start', 'end', 'timezone') THEN
			RAISE EXCEPTION 'maintenance_window has an unknown key "%"', k USING ERRCODE = '22023',
				HINT = 'The keys are days, start, end and timezone.';
		END IF;
	END LOOP;
	IF jsonb_typeof(w -> 'start') IS DISTINCT FROM 'string' OR w ->> 'start' !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
	   OR jsonb_typeof(w -> 'end') IS DISTINCT FROM 'string' OR w ->> 'end' !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' THEN
		RAISE EXCEPTION 'maintenance_window needs start and end as "HH:MM"' USING ERRCODE = '22023';
	END IF;
	IF w ->> 'start' = w ->> 'end' THEN
		RAISE EXCEPTION 'maintenance_window start and end must differ' USING ERRCODE = '22023',
			HINT = 'A window may cross midnight: start 22:00, end 06:00.';
	END IF;
	IF w ? 'days' THEN
		d := w -> 'days';
		IF jsonb_typeof(d) <> 'array' OR jsonb_array_length(d) = 0
		   OR EXISTS (SELECT 1 FROM jsonb_array_elements(d) e
					  WHERE jsonb_typeof(e) <> 'string' OR e #>> '{}' NOT IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'))
		   OR (SELECT count(DISTINCT e) FROM jsonb_array_elements(d) e) <> jsonb_array_length(d) THEN
			RAISE EXCEPTION 'maintenance_window days must be distinct names among mon, tue, wed, thu, fri, sat, sun'
				USING ERRCODE = '22023';
		END IF;
	END IF;
	IF w ? 'timezone' THEN
		IF jsonb_typeof(w -> 'timezone') <> 'string' OR NOT EXISTS
			(SELECT 1 FROM pg_timezone_names WHERE name = w ->> 'timezone') THEN
			RAISE EXCEPTION 'maintenance_window timezone "%" is not known', w ->> 'timezone' USING ERRCODE = '22023',
				HINT = 'Use an IANA name such as Europe/Berlin or UTC.';
		END IF;
	END IF;
END
$$;

-- Is a time inside the window?  days name the day a window starts on, in
-- its time zone (UTC by default); a window may cross midnight.
CREATE FUNCTION bigpicture.in_maintenance_window(w jsonb, at timestamptz DEFAULT pg_catalog.now()) RETURNS boolean
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	local timestamp := at AT TIME ZONE COALESCE(w ->> 'timezone', 'UTC');
	t time := local::time;
	s time := (w ->> 'start')::time;
	e time := (w ->> 'end')::time;
	days jsonb := COALESCE(w -> 'days', '["mon","tue","wed","thu","fri","sat","sun"]');
	today text := lower(to_char(local, 'Dy'));
	yesterday text := lower(to_char(local - interval '1 day', 'Dy'));
BEGIN
	IF w IS NULL THEN
		RETURN true;
	END IF;
	IF s < e THEN
		RETURN t >= s AND t < e AND days ? today;
	END IF;
	RETURN (t >= s AND days ? today) OR (t < e AND days ? yesterday);
END
$$;
COMMENT ON FUNCTION bigpicture.in_maintenance_window(jsonb, timestamptz) IS
	'whether a time falls inside a maintenance window {"days": [...], "start": "HH:MM", "end": "HH:MM", "timezone": "…"}; NULL window: always';

CREATE TABLE bigpicture.vendor_policies (
	policy_id                    text PRIMARY KEY DEFAULT bigpicture.new_id('pol'),
	product_id                   text REFERENCES bigpicture.products ON DELETE CASCADE,
	platform                     text CHECK (platform IN ('windows', 'macos', 'linux')),
	mode                         text CHECK (mode IN ('AUTO_INSTALL', 'NOTIFY_ONLY', 'MANAGED_BY_IT')),
	channel                      text,
	pinned_range                 bigpicture.semver_range,
	blocked                      bigpicture.semver_range[],
	maintenance_window           jsonb,
	allow_prerelease             boolean,
	expired_entitlement_updates  text CHECK (expired_entitlement_updates IN ('none', 'published_before_expiry', 'all')),
	updated_at                   timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_by                   text NOT NULL,
	CONSTRAINT vendor_policies_target UNIQUE NULLS NOT DISTINCT (product_id, platform)
);
COMMENT ON TABLE bigpicture.vendor_policies IS
	'vendor-owned update policy: global (product_id NULL) and per product, optionally per platform';

CREATE TABLE bigpicture.tenant_policies (
	tenant_id                    text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	policy_id                    text NOT NULL DEFAULT bigpicture.new_id('pol'),
	product_id                   text REFERENCES bigpicture.products ON DELETE CASCADE,
	platform                     text CHECK (platform IN ('windows', 'macos', 'linux')),
	mode                         text CHECK (mode IN ('AUTO_INSTALL', 'NOTIFY_ONLY', 'MANAGED_BY_IT')),
	channel                      text,
	pinned_range                 bigpicture.semver_range,
	blocked                      bigpicture.semver_range[],
	maintenance_window           jsonb,
	allow_prerelease             boolean,
	expired_entitlement_updates  text CHECK (expired_entitlement_updates IN ('none', 'published_before_expiry', 'all')),
	updated_at                   timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_by                   text NOT NULL,
	PRIMARY KEY (tenant_id, policy_id),
	CONSTRAINT tenant_policies_target UNIQUE NULLS NOT DISTINCT (tenant_id, product_id, platform)
);
COMMENT ON TABLE bigpicture.tenant_policies IS
	'a tenant''s update policy: tenant-wide (product_id NULL) and per product, optionally per platform';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.vendor_policies', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.tenant_policies', '');

-- Write-time validation for both tables, whoever writes: contradictions that
-- can be detected are refused.
-- SECURITY DEFINER: it reads the catalog and calls internal checks that the
-- writing role (a tenant admin, say) may not call itself.
CREATE FUNCTION bigpicture.policies_validate() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NEW.channel IS NOT NULL THEN
		IF NEW.product_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bigpicture.channels c
				WHERE c.product_id = NEW.product_id AND c.channel = NEW.channel) THEN
			RAISE EXCEPTION 'channel "%" of product "%" does not exist', NEW.channel, NEW.product_id
				USING ERRCODE = '22023';
		ELSIF NEW.product_id IS NULL AND NOT EXISTS (SELECT 1 FROM bigpicture.channels c WHERE c.channel = NEW.channel) THEN
			RAISE EXCEPTION 'no product has a channel "%"', NEW.channel USING ERRCODE = '22023';
		END IF;
	END IF;
	IF NEW.pinned_range IS NOT NULL AND bigpicture.semver_range_is_empty(NEW.pinned_range) THEN
		RAISE EXCEPTION 'pinned_range "%" admits no version', NEW.pinned_range USING ERRCODE = '22023',
			DETAIL = format('It means %s.', bigpicture.semver_range_canonical(NEW.pinned_range));
	END IF;
	IF NEW.blocked IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(NEW.blocked) b WHERE b IS NULL) THEN
		RAISE EXCEPTION 'blocked must not contain NULL' USING ERRCODE = '22023';
	END IF;
	PERFORM bigpicture._check_maintenance_window(NEW.maintenance_window);
	NEW.updated_at := now();
	RETURN NEW;
END
$$;
CREATE TRIGGER policies_validate BEFORE INSERT OR UPDATE ON bigpicture.vendor_policies
	FOR EACH ROW EXECUTE FUNCTION bigpicture.policies_validate();
CREATE TRIGGER policies_validate BEFORE INSERT OR UPDATE ON bigpicture.tenant_policies
	FOR EACH ROW EXECUTE FUNCTION bigpicture.policies_validate();

ALTER TABLE bigpicture.tenant_policies ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.tenant_policies FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.tenant_policies TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON bigpicture.tenant_policies TO bigpicture_admin USING (true) WITH CHECK (true);
CREATE POLICY auditor_read ON bigpicture.tenant_policies FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_all ON bigpicture.tenant_policies TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant())
	WITH CHECK (tenant_id = bigpicture.current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON bigpicture.tenant_policies TO bigpicture_admin, bigpicture_tenant_admin;
GRANT SELECT ON bigpicture.tenant_policies TO bigpicture_auditor;
GRANT SELECT ON bigpicture.vendor_policies TO bigpicture_admin, bigpicture_tenant_admin, bigpicture_auditor,
	bigpicture_publisher, bigpicture_approver, bigpicture_mirror;

-- ---- API ----------------------------------------------------------------------------------

-- Check a scope and its arguments; returns the tenant the row belongs to.
CREATE FUNCTION bigpicture._policy_target(scope text, tenant_id text, product_id text, platform text) RETURNS text
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text;
BEGIN
	IF scope IS NULL OR scope NOT IN ('global', 'product', 'tenant', 'tenant_product') THEN
		RAISE EXCEPTION 'invalid policy scope "%"', scope USING ERRCODE = '22023',
			HINT = 'Use global, product, tenant or tenant_product.';
	END IF;
	IF platform IS NOT NULL AND platform NOT IN ('windows', 'macos', 'linux') THEN
		RAISE EXCEPTION 'invalid platform "%"', platform USING ERRCODE = '22023', HINT = 'Use windows, macos or linux, or NULL for all.';
	END IF;
	IF (scope IN ('product', 'tenant_product')) <> (product_id IS NOT NULL) THEN
		RAISE EXCEPTION 'a % policy %', scope, CASE WHEN product_id IS NULL THEN 'needs a product_id' ELSE 'takes no product_id' END
			USING ERRCODE = '22023';
	END IF;
	IF product_id IS NOT NULL THEN
		PERFORM bigpicture._product_or_error(product_id);
	END IF;
	IF scope IN ('global', 'product') THEN
		IF tenant_id IS NOT NULL THEN
			RAISE EXCEPTION 'a % policy takes no tenant_id', scope USING ERRCODE = '22023';
		END IF;
		IF NOT pg_has_role(bigpicture.calling_role(), 'bigpicture_admin', 'USAGE') THEN
			RAISE EXCEPTION 'only bigpicture_admin may change % policy', scope USING ERRCODE = '42501',
				HINT = 'Tenant administrators set tenant and tenant_product policies.';
		END IF;
		RETURN NULL;
	END IF;
	t := bigpicture._resolve_tenant(tenant_id);
	PERFORM bigpicture._tenant_or_error(t);
	RETURN t;
END
$$;

CREATE FUNCTION bigpicture.set_policy(scope text, tenant_id text DEFAULT NULL, product_id text DEFAULT NULL,
	platform text DEFAULT NULL, mode text DEFAULT NULL, channel text DEFAULT NULL,
	pinned_range bigpicture.semver_range DEFAULT NULL, blocked bigpicture.semver_range[] DEFAULT NULL,
	maintenance_window jsonb DEFAULT NULL, allow_prerelease boolean DEFAULT NULL,
	expired_entitlement_updates text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text := bigpicture._policy_target(scope, tenant_id, product_id, platform);
	id text;
BEGIN
	IF mode IS NOT NULL AND mode NOT IN ('AUTO_INSTALL', 'NOTIFY_ONLY', 'MANAGED_BY_IT') THEN
		RAISE EXCEPTION 'invalid mode "%"', mode USING ERRCODE = '22023', HINT = 'Use AUTO_INSTALL, NOTIFY_ONLY or MANAGED_BY_IT.';
	END IF;
	IF expired_entitlement_updates IS NOT NULL AND expired_entitlement_updates NOT IN ('none', 'published_before_expiry', 'all') THEN
		RAISE EXCEPTION 'invalid expired_entitlement_updates "%"', expired_entitlement_updates USING ERRCODE = '22023',
			HINT = 'Use none, published_before_expiry or all.';
	END IF;
	IF scope IN ('global', 'product') THEN
		INSERT INTO bigpicture.vendor_policies AS p (product_id, platform, mode, channel, pinned_range, blocked,
			maintenance_window, allow_prerelease, expired_entitlement_updates, updated_by)
		VALUES (set_policy.product_id, set_policy.platform, set_policy.mode, set_policy.channel, set_policy.pinned_range,
			set_policy.blocked, set_policy.maintenance_window, set_policy.allow_prerelease,
			set_policy.expired_entitlement_updates, bigpicture.current_actor())
		ON CONFLICT ON CONSTRAINT vendor_policies_target DO UPDATE SET mode = EXCLUDED.mode, channel = EXCLUDED.channel,
			pinned_range = EXCLUDED.pinned_range, blocked = EXCLUDED.blocked,
			maintenance_window = EXCLUDED.maintenance_window, allow_prerelease = EXCLUDED.allow_prerelease,
			expired_entitlement_updates = EXCLUDED.expired_entitlement_updates, updated_by = EXCLUDED.updated_by
		RETURNING p.policy_id INTO id;
	ELSE
		INSERT INTO bigpicture.tenant_policies AS p (tenant_id, product_id, platform, mode, channel, pinned_range, blocked,
			maintenance_window, allow_prerelease, expired_entitlement_updates, updated_by)
		VALUES (t, set_policy.product_id, set_policy.platform, set_policy.mode, set_policy.channel, set_policy.pinned_range,
			set_policy.blocked, set_policy.maintenance_window, set_policy.allow_prerelease,
			set_policy.expired_entitlement_updates, bigpicture.current_actor())
		ON CONFLICT ON CONSTRAINT tenant_policies_target DO UPDATE SET mode = EXCLUDED.mode, channel = EXCLUDED.channel,
			pinned_range = EXCLUDED.pinned_range, blocked = EXCLUDED.blocked,
			maintenance_window = EXCLUDED.maintenance_window, allow_prerelease = EXCLUDED.allow_prerelease,
			expired_entitlement_updates = EXCLUDED.expired_entitlement_updates, updated_by = EXCLUDED.updated_by
		RETURNING p.policy_id INTO id;
	END IF;
	RETURN id;
END
$$;
COMMENT ON FUNCTION bigpicture.set_policy(text, text, text, text, text, text, bigpicture.semver_range, bigpicture.semver_range[], jsonb, boolean, text) IS
	'set (replace) the policy row of a scope — global, product, tenant or tenant_product — optionally for one platform; NULL fields inherit from less specific scopes';

CREATE FUNCTION bigpicture.clear_policy(scope text, tenant_id text DEFAULT NULL, product_id text DEFAULT NULL,
	platform text DEFAULT NULL) RETURNS boolean
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text := bigpicture._policy_target(scope, tenant_id, product_id, platform);
BEGIN
	IF scope IN ('global', 'product') THEN
		DELETE FROM bigpicture.vendor_policies p
		 WHERE p.product_id IS NOT DISTINCT FROM clear_policy.product_id AND p.platform IS NOT DISTINCT FROM clear_policy.platform;
	ELSE
		DELETE FROM bigpicture.tenant_policies p
		 WHERE p.tenant_id = t AND p.product_id IS NOT DISTINCT FROM clear_policy.product_id
		   AND p.platform IS NOT DISTINCT FROM clear_policy.platform;
	END IF;
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION bigpicture.clear_policy(text, text, text, text) IS
	'remove the policy row of a scope (and platform); returns whether there was one';

CREATE FUNCTION bigpicture.get_policy(scope text, tenant_id text DEFAULT NULL, product_id text DEFAULT NULL,
	platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text;
BEGIN
	-- Reading vendor scopes is open to tenant administrators too; the target
	-- check would refuse them, so resolve the tenant only for tenant scopes.
	IF scope IN ('global', 'product') THEN
		IF (scope = 'product') <> (product_id IS NOT NULL) OR tenant_id IS NOT NULL THEN
			PERFORM bigpicture._policy_target(scope, tenant_id, product_id, platform);
		END IF;
		RETURN (SELECT to_jsonb(p) FROM bigpicture.vendor_policies p
				WHERE p.product_id IS NOT DISTINCT FROM get_policy.product_id
				  AND p.platform IS NOT DISTINCT FROM get_policy.platform);
	END IF;
	t := bigpicture._policy_target(scope, tenant_id, product_id, platform);
	RETURN (SELECT to_jsonb(p) FROM bigpicture.tenant_policies p
			WHERE p.tenant_id = t AND p.product_id IS NOT DISTINCT FROM get_policy.product_id
			  AND p.platform IS NOT DISTINCT FROM get_policy.platform);
END
$$;
COMMENT ON FUNCTION bigpicture.get_policy(text, text, text, text) IS
	'the stored policy row of a scope (and platform) as JSON, or NULL when there is none';

-- The merged policy for a tenant, product and platform, with the scope that
-- supplied each field ("default" where none did).
-- In C (src/extension/evaluate.c), shared with the decision engine; it runs
-- with the caller's rights, so row-level security applies to the rows read.
CREATE FUNCTION bigpicture.effective_policy(tenant_id text, product_id text, platform text DEFAULT NULL,
	requested_channel text DEFAULT NULL) RETURNS jsonb
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_effective_policy';
COMMENT ON FUNCTION bigpicture.effective_policy(text, text, text, text) IS
	'the policy fields merged across scopes (tenant_product → product → tenant → global, platform rows first) and the scope that supplied each';

GRANT EXECUTE ON FUNCTION
	bigpicture.set_policy(text, text, text, text, text, text, bigpicture.semver_range, bigpicture.semver_range[], jsonb, boolean, text),
	bigpicture.clear_policy(text, text, text, text)
	TO bigpicture_admin, bigpicture_tenant_admin;
GRANT EXECUTE ON FUNCTION bigpicture.effective_policy(text, text, text, text), bigpicture.in_maintenance_window(jsonb, timestamptz),
	bigpicture.get_policy(text, text, text, text)
	TO bigpicture_admin, bigpicture_tenant_admin, bigpicture_auditor;
