-- Entitlements: what each tenant may run.  Tenant data, under RLS.

CREATE TABLE bigpicture.entitlements (
	tenant_id               text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	entitlement_id          text NOT NULL CHECK (bigpicture.is_valid_id(entitlement_id, 'ent')),
	product_id              text NOT NULL REFERENCES bigpicture.products,
	type                    text NOT NULL CHECK (type IN ('per_user', 'per_machine', 'concurrent', 'feature_based')),
	max_seats               integer CHECK (max_seats > 0),
	features                text[] NOT NULL DEFAULT '{}',
	starts_at               timestamptz NOT NULL DEFAULT pg_catalog.now(),
	ends_at                 timestamptz,
	status                  text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
	auto_renew              boolean NOT NULL DEFAULT false,
	renewal_days            integer NOT NULL DEFAULT 365 CHECK (renewal_days BETWEEN 1 AND 3660),
	default_lease_duration  interval NOT NULL DEFAULT '1 day' CHECK (default_lease_duration > interval '0'),
	max_lease_duration      interval NOT NULL DEFAULT '7 days',
	created_at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
	revoked_at              timestamptz,
	revoked_reason          text,
	PRIMARY KEY (tenant_id, entitlement_id),
	CHECK (type = 'feature_based' OR max_seats IS NOT NULL),
	CHECK (ends_at IS NULL OR ends_at > starts_at),
	CHECK (max_lease_duration >= default_lease_duration),
	CHECK (status <> 'revoked' OR revoked_at IS NOT NULL)
);
CREATE INDEX entitlements_product ON bigpicture.entitlements (tenant_id, product_id);
COMMENT ON TABLE bigpicture.entitlements IS
	'licenses: a tenant may run a product (per_user, per_machine, concurrent seats, or feature_based) from starts_at until ends_at (NULL: no end)';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.entitlements', '');

ALTER TABLE bigpicture.entitlements ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.entitlements FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.entitlements TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_all ON bigpicture.entitlements TO bigpicture_admin USING (true) WITH CHECK (true);
CREATE POLICY auditor_read ON bigpicture.entitlements FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.entitlements FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.entitlements TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- The state an entitlement is in now: expired is computed, never stored.
-- Queries over the table pass the columns, not the row: on Citus a query runs
-- on a shard, whose row type is not bigpicture.entitlements.
CREATE FUNCTION bigpicture.entitlement_state_of(status text, starts_at timestamptz, ends_at timestamptz,
	at timestamptz DEFAULT pg_catalog.now())
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE
		WHEN status <> 'active' THEN status
		WHEN starts_at > at THEN 'not_started'
		WHEN ends_at IS NOT NULL AND ends_at <= at THEN 'expired'
		ELSE 'active' END;
COMMENT ON FUNCTION bigpicture.entitlement_state_of(text, timestamptz, timestamptz, timestamptz) IS
	'entitlement_state() from the columns: for queries over the table, which Citus runs on shards of another row type';
CREATE FUNCTION bigpicture.entitlement_state(e bigpicture.entitlements, at timestamptz DEFAULT pg_catalog.now())
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at, at);
COMMENT ON FUNCTION bigpicture.entitlement_state(bigpicture.entitlements, timestamptz) IS
	'active, not_started, expired (computed from ends_at), suspended or revoked';

CREATE FUNCTION bigpicture.create_entitlement(tenant_id text, product_id text, type text,
	max_seats integer DEFAULT NULL, features text[] DEFAULT '{}', starts_at timestamptz DEFAULT NULL,
	ends_at timestamptz DEFAULT NULL, auto_renew boolean DEFAULT false, renewal_days integer DEFAULT 365,
	default_lease_duration interval DEFAULT '1 day', max_lease_duration interval DEFAULT '7 days',
	entitlement_id text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id text := bigpicture._check_id(COALESCE(create_entitlement.entitlement_id, bigpicture.new_id('ent')), 'ent', 'entitlement');
	starts timestamptz := COALESCE(create_entitlement.starts_at, now());
	created bigpicture.entitlements;
BEGIN
	PERFORM bigpicture._tenant_or_error(create_entitlement.tenant_id);
	PERFORM bigpicture._product_or_error(create_entitlement.product_id);
	IF type IS NULL OR type NOT IN ('per_user', 'per_machine', 'concurrent', 'feature_based') THEN
		RAISE EXCEPTION 'invalid entitlement type "%"', type USING ERRCODE = '22023',
			HINT = 'Use per_user, per_machine, concurrent or feature_based.';
	END IF;
	IF type <> 'feature_based' AND (max_seats IS NULL OR max_seats <= 0) THEN
		RAISE EXCEPTION 'a % entitlement needs max_seats greater than zero', type USING ERRCODE = '22023';
	END IF;
	IF max_seats IS NOT NULL AND max_seats <= 0 THEN
		RAISE EXCEPTION 'max_seats must be greater than zero' USING ERRCODE = '22023';
	END IF;
	IF ends_at IS NOT NULL AND ends_at <= starts THEN
		RAISE EXCEPTION 'ends_at must be after starts_at' USING ERRCODE = '22023';
	END IF;
	IF default_lease_duration IS NULL OR max_lease_duration IS NULL OR default_lease_duration <= interval '0'
	   OR max_lease_duration < default_lease_duration THEN
		RAISE EXCEPTION 'lease durations must be positive, with the default no longer than the maximum' USING ERRCODE = '22023';
	END IF;
	IF renewal_days IS NULL OR renewal_days NOT BETWEEN 1 AND 3660 THEN
		RAISE EXCEPTION 'renewal_days must be 1 to 3660' USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.entitlements (tenant_id, entitlement_id, product_id, type, max_seats, features,
		starts_at, ends_at, auto_renew, renewal_days, default_lease_duration, max_lease_duration)
	VALUES (create_entitlement.tenant_id, id, create_entitlement.product_id, create_entitlement.type,
		create_entitlement.max_seats, COALESCE(create_entitlement.features, '{}'), starts, create_entitlement.ends_at,
		COALESCE(create_entitlement.auto_renew, false), create_entitlement.renewal_days,
		create_entitlement.default_lease_duration, create_entitlement.max_lease_duration)
	RETURNING * INTO created;
	-- on Citus the trigger ran on a worker's shard (87_events.sql)
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._entitlement_created_event(created);
	END IF;
	RETURN id;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'entitlement "%" already exists', id USING ERRCODE = '23505';
END
$$;
COMMENT ON FUNCTION bigpicture.create_entitlement(text, text, text, integer, text[], timestamptz, timestamptz, boolean, integer, interval, interval, text) IS
	'license a product to a tenant; returns the entitlement id';

GRANT EXECUTE ON FUNCTION bigpicture.create_entitlement(text, text, text, integer, text[], timestamptz, timestamptz, boolean, integer, interval, interval, text)
	TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.entitlement_state(bigpicture.entitlements, timestamptz),
	bigpicture.entitlement_state_of(text, timestamptz, timestamptz, timestamptz)
	TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;
