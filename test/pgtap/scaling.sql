-- The schema invariant the Citus plan of docs/scaling.md relies on:
-- in every tenant table (one with a tenant_id, or chain_id for the audit log),
-- the tenant column leads every primary key, unique constraint and index, and
-- every foreign key either leads with it into another tenant table (colocated)
-- or points at a catalog table without a tenant column (a reference table).
-- The exceptions are listed with their reason and must stay the only ones.
-- Then the plan citus_distribute() follows (bigpicture.citus_plan(); test/citus
-- runs it on a real cluster): it names every table, distributes exactly the
-- tenant tables by their tenant column, and no foreign key goes where Citus
-- cannot have one.
BEGIN;
SELECT plan(11);

CREATE TEMP VIEW tenant_tables AS
SELECT c.oid, c.relname::text AS tbl, a.attnum AS tenant_att, a.attname AS tenant_col
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('tenant_id', 'chain_id') AND NOT a.attisdropped
WHERE c.relnamespace = 'bigpicture'::regnamespace AND c.relkind = 'r'
  AND c.relname NOT IN ('signing_keys', 'tenant_roles', 'events', 'webhook_subscriptions', 'webhook_cursors',
	'webhook_deliveries');

SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname)
		   FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('tenant_id', 'chain_id')
		   WHERE c.relnamespace = 'bigpicture'::regnamespace AND c.relkind = 'r'
			 AND c.relname IN ('signing_keys', 'tenant_roles', 'events', 'webhook_subscriptions', 'webhook_cursors',
				'webhook_deliveries')),
	'{events,signing_keys,tenant_roles,webhook_cursors,webhook_deliveries,webhook_subscriptions}',
	'the exceptions: signing_keys (the key store, vendor and tenant keys, a reference table used on the coordinator), '
	'tenant_roles (role to tenant lookup, a reference table) and events (the outbox: one order across tenants '
	'for its consumers, and vendor-wide events have no tenant; kept on the coordinator) and the webhook tables '
	'(a vendor-wide subscription has no tenant; they serve the delivery daemon beside the coordinator)');

-- Indexes that read across tenants on purpose: a rollout is vendor-wide, so
-- its guards count every tenant's reports and new installs.  On Citus each
-- shard answers for its own tenants; the coordinator adds them up.
CREATE TEMP TABLE cross_tenant_indexes (idx text PRIMARY KEY);
INSERT INTO cross_tenant_indexes VALUES ('bigpicture.install_reports_release'), ('bigpicture.rollout_members_entered');
SELECT is((SELECT array_agg(idx ORDER BY idx) FROM cross_tenant_indexes WHERE to_regclass(idx) IS NOT NULL),
	'{bigpicture.install_reports_release,bigpicture.rollout_members_entered}',
	'the cross-tenant indexes (rollout health and velocity) exist and are the only exceptions below');

SELECT is((SELECT array_agg(t.tbl || '.' || con.conname ORDER BY 1)
		   FROM tenant_tables t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype IN ('p', 'u')
		   WHERE con.conkey[1] <> t.tenant_att),
	NULL, 'the tenant column leads every primary key and unique constraint of every tenant table');

SELECT is((SELECT array_agg(t.tbl || '.' || i.indexrelid::regclass::text ORDER BY 1)
		   FROM tenant_tables t JOIN pg_index i ON i.indrelid = t.oid
		   WHERE i.indkey[0] <> t.tenant_att AND i.indexrelid::regclass::text NOT IN (SELECT idx FROM cross_tenant_indexes)),
	NULL, 'the tenant column leads every index of every tenant table (but the cross-tenant ones above)');

SELECT is((SELECT array_agg(t.tbl || '.' || con.conname ORDER BY 1)
		   FROM tenant_tables t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'f'
		   JOIN tenant_tables r ON r.oid = con.confrelid
		   WHERE con.conkey[1] <> t.tenant_att OR con.confkey[1] <> r.tenant_att),
	NULL, 'every foreign key between tenant tables leads with the tenant column on both sides (colocated)');

SELECT is((SELECT array_agg(t.tbl || '.' || con.conname ORDER BY 1)
		   FROM tenant_tables t JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'f'
		   WHERE con.confrelid NOT IN (SELECT oid FROM tenant_tables)
			 AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.confrelid
						 AND a.attname IN ('tenant_id', 'chain_id') AND NOT a.attisdropped)),
	NULL, 'every other foreign key points at a table without a tenant column (a reference table)');

-- ---- the Citus plan ------------------------------------------------------------------------------
CREATE TEMP VIEW plan AS
SELECT p.*, ('bigpicture.' || p.table_name)::regclass AS oid FROM bigpicture.citus_plan() p;
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
		   WHERE c.relnamespace = 'bigpicture'::regnamespace AND c.relkind IN ('r', 'p')),
	(SELECT array_agg(table_name ORDER BY table_name) FROM plan),
	'citus_plan() names every table of the extension, once');
SELECT is((SELECT array_agg(t.tbl || ':' || t.tenant_col ORDER BY t.tbl) FROM tenant_tables t WHERE t.tbl <> 'tenants'),
	(SELECT array_agg(table_name || ':' || distribution_column ORDER BY table_name) FROM plan WHERE placement = 'distributed'),
	'it distributes exactly the tenant tables but tenants (a reference table, so that signing_keys and tenant_roles may reference it), each by its tenant column');
SELECT is((SELECT array_agg(con.conrelid::regclass || ' -> ' || con.confrelid::regclass
							 ORDER BY con.conrelid::regclass::text, con.confrelid::regclass::text)
		   FROM pg_constraint con JOIN plan f ON f.oid = con.conrelid JOIN plan t ON t.oid = con.confrelid
		   WHERE con.contype = 'f' AND f.placement = 'reference' AND t.placement <> 'reference'),
	NULL, 'no reference table has a foreign key to a distributed or local table');
SELECT is((SELECT array_agg(con.conrelid::regclass || ' -> ' || con.confrelid::regclass
							 ORDER BY con.conrelid::regclass::text, con.confrelid::regclass::text)
		   FROM pg_constraint con JOIN plan f ON f.oid = con.conrelid JOIN plan t ON t.oid = con.confrelid
		   WHERE con.contype = 'f' AND f.placement = 'coordinator' AND t.placement <> 'coordinator'),
	'{bigpicture.webhook_cursors -> bigpicture.tenants,bigpicture.webhook_deliveries -> bigpicture.tenants,bigpicture.webhook_subscriptions -> bigpicture.tenants}',
	'the only foreign keys from local tables to distributed ones are the webhook tables'' to tenants, '
	'which citus_distribute() drops (the tenants trigger deletes a tenant''s subscriptions instead)');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
		   WHERE c.relnamespace = 'bigpicture'::regnamespace AND c.relname ~ '_[0-9]+$'),
	NULL, 'no relation of ours ends in _<digits>: on Citus that suffix is a shard''s (audit_row_change relies on it)');

SELECT * FROM finish();
ROLLBACK;
