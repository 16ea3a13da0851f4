-- Citus (docs/scaling.md): the extension's tables distributed by tenant, on
-- a coordinator and workers that all have the extension.  Nothing here runs
-- on a single node; the functions refer to Citus's catalogues only when called.

-- Are the extension's tables distributed here?  C (src/extension/citus.c):
-- asked on every lease and new entitlement, it costs one node a setting
-- lookup.
CREATE FUNCTION bigpicture._citus_distributed() RETURNS boolean
	LANGUAGE C STABLE
	AS 'MODULE_PATHNAME', 'bigpicture_citus_distributed';
COMMENT ON FUNCTION bigpicture._citus_distributed() IS
	'internal (Citus): whether bigpicture.citus_distribute() has distributed the extension''s tables in this database';

-- Is this node a Citus worker (not the coordinator)?
CREATE FUNCTION bigpicture._citus_worker() RETURNS boolean
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
		RETURN false;
	END IF;
	RETURN (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) <> 0;
END
$$;
COMMENT ON FUNCTION bigpicture._citus_worker() IS
	'internal (Citus): whether this node is a worker, where triggers on shards and reference copies write no event';

-- Does this node hold the shard of an audit chain?  Audit triggers on Citus
-- run on shards and on every copy of a reference table; each appends only
-- where the chain lives, so locally and once.
CREATE FUNCTION bigpicture._citus_chain_is_here(chain text) RETURNS boolean
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN EXISTS (SELECT FROM pg_catalog.pg_dist_placement p
		WHERE p.shardid = pg_catalog.get_shard_id_for_distribution_column('bigpicture.audit_heads', chain)
		  AND p.groupid = (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g));
END
$$;
COMMENT ON FUNCTION bigpicture._citus_chain_is_here(text) IS
	'internal (Citus): whether this node holds the shard of the audit chain, so a trigger on a shard appends to it here';
-- ---- the plan ----------------------------------------------------------------------------------
-- Every table of the extension, and what it becomes on Citus: a reference
-- table (the vendor's catalogue and the lookups by key or role: small, read
-- by every decision, copied to every node), distributed by tenant (chain for
-- the audit log) and colocated, or local to the coordinator (the outbox, the
-- webhook state and the worker's jobs, read and written there only).
-- test/pgtap/scaling.sql checks that it names every table.
CREATE FUNCTION bigpicture.citus_plan() RETURNS TABLE (table_name text, placement text, distribution_column text)
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT x.t, x.p, x.c FROM (VALUES
		(1, 'tenants', 'reference', NULL), (2, 'tenant_roles', 'reference', NULL), (3, 'signing_keys', 'reference', NULL),
		(4, 'trusted_root_keys', 'reference', NULL), (5, 'products', 'reference', NULL), (6, 'channels', 'reference', NULL),
		(7, 'artifacts', 'reference', NULL), (8, 'releases', 'reference', NULL), (9, 'release_artifacts', 'reference', NULL),
		(10, 'rollouts', 'reference', NULL), (11, 'rollout_counts', 'reference', NULL),
		(12, 'vendor_policies', 'reference', NULL), (13, 'approval_workflows', 'reference', NULL),
		(14, 'release_approvals', 'reference', NULL),
		(20, 'installs', 'distributed', 'tenant_id'), (21, 'entitlements', 'distributed', 'tenant_id'),
		(22, 'entitlement_notices', 'distributed', 'tenant_id'), (23, 'leases', 'distributed', 'tenant_id'),
		(24, 'lease_chains', 'distributed', 'tenant_id'), (25, 'tenant_policies', 'distributed', 'tenant_id'),
		(26, 'decision_log', 'distributed', 'tenant_id'), (27, 'install_reports', 'distributed', 'tenant_id'),
		(28, 'rollout_members', 'distributed', 'tenant_id'), (29, 'mirrors', 'distributed', 'tenant_id'),
		(30, 'snapshots', 'distributed', 'tenant_id'), (31, 'imported_snapshots', 'distributed', 'tenant_id'),
		(32, 'key_certificates', 'distributed', 'tenant_id'),
		(33, 'audit_heads', 'distributed', 'chain_id'), (34, 'audit_events', 'distributed', 'chain_id'),
		(35, 'audit_checkpoints', 'distributed', 'chain_id'),
		(40, 'events', 'coordinator', NULL), (41, 'webhook_subscriptions', 'coordinator', NULL),
		(42, 'webhook_cursors', 'coordinator', NULL), (43, 'webhook_deliveries', 'coordinator', NULL),
		(44, 'worker_jobs', 'coordinator', NULL)) AS x(n, t, p, c)
	ORDER BY x.n;
END;
COMMENT ON FUNCTION bigpicture.citus_plan() IS
	'what citus_distribute() makes of each table: reference, distributed (by tenant_id or chain_id, colocated) or coordinator (local)';

-- Distribute the extension's tables, on the coordinator, once, after the
-- workers are added (docs/scaling.md).  Citus does not make shell tables on
-- the workers for an extension's tables (the extension made them there),
-- and would turn every table linked by a foreign key into a local Citus
-- table on the first create_reference_table: so the foreign keys between
-- planned tables are dropped first (on the workers' copies too) and added
-- back after; those from the coordinator's local webhook tables to tenants
-- cannot exist on Citus (a local table may not reference a reference table
-- without becoming a Citus table), and a deleted tenant's webhook rows go
-- with it by the tenants trigger instead.
CREATE FUNCTION bigpicture.citus_distribute() RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	fks jsonb;
	f record;
	t record;
	planned text[];
BEGIN
	IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RAISE EXCEPTION 'Citus is not installed in this database' USING ERRCODE = '55000',
			HINT = 'CREATE EXTENSION citus on every node first; see docs/scaling.md.';
	END IF;
	IF bigpicture._citus_worker() THEN
		RAISE EXCEPTION 'citus_distribute() runs on the coordinator' USING ERRCODE = '55000';
	END IF;
	IF bigpicture._citus_distributed() THEN
		RAISE EXCEPTION 'the extension''s tables are already distributed' USING ERRCODE = '55000';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_node n WHERE n.groupid <> 0 AND n.noderole = 'primary' AND n.isactive) THEN
		RAISE EXCEPTION 'the cluster has no workers' USING ERRCODE = '55000',
			HINT = 'Add them with citus_add_node() first; see docs/scaling.md.';
	END IF;
	SELECT pg_catalog.array_agg('bigpicture.' || p.table_name) INTO planned FROM bigpicture.citus_plan() p
	 WHERE p.placement <> 'coordinator';

	-- Citus connects to the workers as the current role: the extension's roles
	-- must be able to log in there (pg_hba.conf keeps them to the nodes).
	FOR t IN SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname LIKE 'bigpicture\_%' AND NOT r.rolcanlogin LOOP
		EXECUTE format('ALTER ROLE %I LOGIN', t.rolname);
	END LOOP;
	SET LOCAL citus.enable_unsafe_triggers = on;
	SET LOCAL citus.multi_shard_modify_mode = 'sequential';

	SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('tbl', c.conrelid::regclass::text, 'name', c.conname,
			'def', pg_catalog.pg_get_constraintdef(c.oid), 'back', c.conrelid::regclass::text = ANY (planned)))
	  INTO fks FROM pg_catalog.pg_constraint c
	 WHERE c.contype = 'f' AND c.connamespace = 'bigpicture'::regnamespace
	   AND c.confrelid::regclass::text = ANY (planned);
	FOR f IN SELECT * FROM pg_catalog.jsonb_to_recordset(fks) AS x(tbl text, name text, def text, back boolean) LOOP
		EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', f.tbl, f.name);
		PERFORM pg_catalog.run_command_on_workers(format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', f.tbl, f.name));
	END LOOP;

	FOR t IN SELECT * FROM bigpicture.citus_plan() p WHERE p.placement = 'reference' LOOP
		PERFORM pg_catalog.create_reference_table(('bigpicture.' || t.table_name)::regclass);
	END LOOP;
	FOR t IN SELECT * FROM bigpicture.citus_plan() p WHERE p.placement = 'distributed' LOOP
		PERFORM pg_catalog.create_distributed_table(('bigpicture.' || t.table_name)::regclass, t.distribution_column,
			colocate_with => CASE WHEN t.table_name = 'installs' THEN 'none' ELSE 'bigpicture.installs' END);
	END LOOP;

	FOR f IN SELECT * FROM pg_catalog.jsonb_to_recordset(fks) AS x(tbl text, name text, def text, back boolean) WHERE x.back LOOP
		EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', f.tbl, f.name, f.def);
	END LOOP;
END
$$;
COMMENT ON FUNCTION bigpicture.citus_distribute() IS
	'on a Citus coordinator with its workers added: distribute the extension''s tables as citus_plan() says (docs/scaling.md)';
