-- Row-level security as a matrix: every actor
-- × every tenant table × SELECT, INSERT, UPDATE, DELETE × own / other tenant,
-- each run as a real role (SET SESSION AUTHORIZATION / SET ROLE, claims set the
-- way PostgREST sets them), never as the superuser, who bypasses RLS; then
-- current_tenant() per actor, and the RLS settings in the catalogue.
--
-- A new tenant table is a row in tenant_tables plus one row per actor in
-- expected; the catalogue checks below fail until both are there.  The tenant
-- column is tenant_id, or chain_id for the audit log (a tenant's chain has the
-- tenant's id; the vendor chain, 'vendor', belongs to no tenant).
BEGIN;
SELECT plan(2382);

-- ---- fixtures: two tenants, their rows, and one login role per actor ---------------------
-- The gateway's login: NOINHERIT like bigpicture_gateway, so it holds no privilege of its
-- own; SET ROLE needs only membership, which runs t_gw → gateway → anon/client/….
CREATE ROLE t_gw LOGIN NOINHERIT IN ROLE bigpicture_gateway;
CREATE ROLE t_dba_a LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE t_dba_b LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE t_unbound LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE t_admin LOGIN IN ROLE bigpicture_admin;
CREATE ROLE t_auditor LOGIN IN ROLE bigpicture_auditor;
DO $$
BEGIN
	PERFORM bigpicture.create_tenant('Tenant A', 'tenant_a'), bigpicture.create_tenant('Tenant B', 'tenant_b');
	PERFORM bigpicture.bind_role('t_dba_a', 'tenant_a'), bigpicture.bind_role('t_dba_b', 'tenant_b');
END
$$;

INSERT INTO bigpicture.installs (tenant_id, install_id, platform)
VALUES ('tenant_a', 'inst-a1', 'linux'), ('tenant_a', 'inst-a2', 'macos'), ('tenant_b', 'inst-b1', 'windows');

-- Entitlements and the decision log refer to a product.
DO $$
BEGIN
	PERFORM bigpicture.create_product('P', 'prod_p');
	PERFORM bigpicture.create_entitlement('tenant_a', 'prod_p', 'per_machine', 10, entitlement_id => 'ent_a1'),
		bigpicture.create_entitlement('tenant_a', 'prod_p', 'feature_based', entitlement_id => 'ent_a2'),
		bigpicture.create_entitlement('tenant_b', 'prod_p', 'per_user', 5, entitlement_id => 'ent_b1');
END
$$;

-- Tenant policies: tenant-wide and per product, all platforms; the matrix INSERTs a linux
-- row (unique per tenant, product and platform), so it never collides with these.
INSERT INTO bigpicture.tenant_policies (tenant_id, policy_id, product_id, platform, mode, updated_by)
VALUES ('tenant_a', 'pol_a1', NULL, NULL, 'NOTIFY_ONLY', 'fixture'),
	('tenant_a', 'pol_a2', 'prod_p', NULL, 'AUTO_INSTALL', 'fixture'),
	('tenant_b', 'pol_b1', NULL, NULL, 'MANAGED_BY_IT', 'fixture');

-- The decision log is written only by check_update (as its owner); the superuser stands in.
INSERT INTO bigpicture.decision_log (tenant_id, install_id, product_id, action, reasons, actor)
VALUES ('tenant_a', 'inst-a1', 'prod_p', 'NONE', '{up_to_date}', 'fixture'),
	('tenant_a', 'inst-a2', 'prod_p', 'NONE', '{up_to_date}', 'fixture'),
	('tenant_b', 'inst-b1', 'prod_p', 'NONE', '{not_entitled}', 'fixture');

-- Reports, rollout members and events are written only by report, check_update and the
-- rollout functions (as their owner); the superuser stands in, for a draft release.
DO $$BEGIN PERFORM bigpicture.create_channel('prod_p', 'stable'), bigpicture.create_release('prod_p', '1.0.0', 'stable', release_id => 'rel_p_1'); END$$;
INSERT INTO bigpicture.install_reports (tenant_id, install_id, release_id, platform, decision_hash, decided_at, outcome)
VALUES ('tenant_a', 'inst-a1', 'rel_p_1', 'linux', decode(repeat('a1', 32), 'hex'), now(), 'installed'),
	('tenant_a', 'inst-a2', 'rel_p_1', 'macos', decode(repeat('a2', 32), 'hex'), now(), 'failed'),
	('tenant_b', 'inst-b1', 'rel_p_1', 'windows', decode(repeat('b1', 32), 'hex'), now(), 'installed');
INSERT INTO bigpicture.rollout_members (release_id, tenant_id, install_id)
VALUES ('rel_p_1', 'tenant_a', 'inst-a1'), ('rel_p_1', 'tenant_a', 'inst-a2'), ('rel_p_1', 'tenant_b', 'inst-b1');
INSERT INTO bigpicture.events (type, tenant_id, payload)
VALUES ('entitlement.created', 'tenant_a', '{}'), ('entitlement.created', 'tenant_a', '{}'),
	('entitlement.created', 'tenant_b', '{}');

-- Webhook subscriptions (two for tenant_a, one for tenant_b), their cursors, a delivery each,
-- and entitlement notices: written only by their functions (as their owner).
DO $$
BEGIN
	PERFORM bigpicture.create_webhook('https://hooks.example.com/' || s, tenant_id => t, subscription_id => 'whsub_' || s)
	FROM (VALUES ('tenant_a', 'a1'), ('tenant_a', 'a2'), ('tenant_b', 'b1')) x(t, s);
END
$$;
INSERT INTO bigpicture.webhook_deliveries (subscription_id, tenant_id, event_id, attempt, outcome, http_status)
VALUES ('whsub_a1', 'tenant_a', 1, 1, 'delivered', 204), ('whsub_a2', 'tenant_a', 1, 1, 'failed', 500),
	('whsub_b1', 'tenant_b', 1, 1, 'delivered', 204);
INSERT INTO bigpicture.entitlement_notices (tenant_id, entitlement_id, kind, ends_at)
VALUES ('tenant_a', 'ent_a1', 'expiring', now()), ('tenant_a', 'ent_a2', 'expired', now()),
	('tenant_b', 'ent_b1', 'expiring', now());

-- Leases and lease chains are written only by issue_lease and friends (as their owner);
-- the superuser stands in, with rows for the entitlements above.
INSERT INTO bigpicture.leases (tenant_id, lease_id, entitlement_id, product_id, subject, install_id, expires_at,
	seq, token_hash)
VALUES ('tenant_a', 'lease_a1', 'ent_a1', 'prod_p', 'machine:m1', 'inst-a1', now() + interval '1 day', 1, repeat('a', 64)),
	('tenant_a', 'lease_a2', 'ent_a2', 'prod_p', 'user:alice', 'inst-a2', now() + interval '1 day', 1, repeat('b', 64)),
	('tenant_b', 'lease_b1', 'ent_b1', 'prod_p', 'user:bob', 'inst-b1', now() + interval '1 day', 1, repeat('c', 64));
INSERT INTO bigpicture.lease_chains (tenant_id, product_id, subject, last_seq, last_token_hash)
VALUES ('tenant_a', 'prod_p', 'machine:m1', 1, repeat('a', 64)),
	('tenant_a', 'prod_p', 'user:alice', 1, repeat('b', 64)),
	('tenant_b', 'prod_p', 'user:bob', 1, repeat('c', 64));

-- Mirrors, snapshots and key certificates are written only by their functions (as their
-- owner); the superuser stands in.
INSERT INTO bigpicture.mirrors (tenant_id, mirror_id, name)
VALUES ('tenant_a', 'mirror_a1', 'A office'), ('tenant_a', 'mirror_a2', 'A lab'), ('tenant_b', 'mirror_b1', 'B office');
INSERT INTO bigpicture.snapshots (tenant_id, seq, expires_at, content_hash, reason, token)
VALUES ('tenant_a', 1, now() + interval '1 day', repeat('a', 64), 'fixture', 'v4.public.a1'),
	('tenant_a', 2, now() + interval '1 day', repeat('b', 64), 'fixture', 'v4.public.a2'),
	('tenant_b', 1, now() + interval '1 day', repeat('c', 64), 'fixture', 'v4.public.b1');
INSERT INTO bigpicture.imported_snapshots (tenant_id, seq, created_at, expires_at, content_hash, keyset, imported_by, token)
VALUES ('tenant_a', 1, now(), now() + interval '1 day', repeat('a', 64), 'v4.public.k', 'fixture', 'v4.public.a1'),
	('tenant_a', 2, now(), now() + interval '1 day', repeat('b', 64), 'v4.public.k', 'fixture', 'v4.public.a2'),
	('tenant_b', 1, now(), now() + interval '1 day', repeat('c', 64), 'v4.public.k', 'fixture', 'v4.public.b1');
INSERT INTO bigpicture.key_certificates (tenant_id, kid, public_key, purposes, valid_until, token, issued_by)
VALUES ('tenant_a', 'k4.pid.' || repeat('a', 44), decode(repeat('0a', 32), 'hex'), '{decision}', now() + interval '1 day',
		'v4.public.ca1', 'fixture'),
	('tenant_a', 'k4.pid.' || repeat('b', 44), decode(repeat('0b', 32), 'hex'), '{lease}', now() + interval '1 day',
		'v4.public.ca2', 'fixture'),
	('tenant_b', 'k4.pid.' || repeat('c', 44), decode(repeat('0c', 32), 'hex'), '{decision,lease}', now() + interval '1 day',
		'v4.public.cb1', 'fixture');

-- Both tenants' audit chains have events (from the fixtures above) and a checkpoint.
DO $$
BEGIN
	PERFORM bigpicture.activate_key(bigpicture.generate_key('audit'));
	PERFORM bigpicture.audit_checkpoint('tenant_a'), bigpicture.audit_checkpoint('tenant_b');
END
$$;

-- ---- the tables -------------------------------------------------------------------------
-- Every table with a tenant column, and an INSERT of a fresh row for tenant %1$L.
-- (For tenants itself, a fresh row is a new tenant whose id derives from %1$L.)
CREATE TEMP TABLE tenant_tables (ord int, tbl text PRIMARY KEY, tenant_col name, insert_sql text);
INSERT INTO tenant_tables VALUES
	(1, 'tenants', 'tenant_id',
		$$INSERT INTO bigpicture.tenants (tenant_id, name) VALUES (%1$L || '_new', 'New')$$),
	(2, 'tenant_roles', 'tenant_id',
		$$INSERT INTO bigpicture.tenant_roles (role_name, tenant_id) VALUES ('t_new', %1$L)$$),
	(3, 'installs', 'tenant_id',
		$$INSERT INTO bigpicture.installs (tenant_id, install_id) VALUES (%1$L, 'inst-new')$$),
	(4, 'entitlements', 'tenant_id',
		$$INSERT INTO bigpicture.entitlements (tenant_id, entitlement_id, product_id, type, max_seats)
		  VALUES (%1$L, 'ent_new', 'prod_p', 'per_machine', 1)$$),
	(5, 'tenant_policies', 'tenant_id',
		$$INSERT INTO bigpicture.tenant_policies (tenant_id, product_id, platform, mode, updated_by)
		  VALUES (%1$L, NULL, 'linux', 'NOTIFY_ONLY', 'rls test')$$),
	(6, 'decision_log', 'tenant_id',
		$$INSERT INTO bigpicture.decision_log (tenant_id, install_id, product_id, action, reasons, actor)
		  VALUES (%1$L, 'inst-new', 'prod_p', 'NONE', '{up_to_date}', 'rls test')$$),
	-- ent_a1 for tenant_a, ent_b1 for tenant_b: the composite FK needs the tenant's own entitlement.
	(7, 'leases', 'tenant_id',
		$$INSERT INTO bigpicture.leases (tenant_id, entitlement_id, product_id, subject, expires_at, seq, token_hash)
		  VALUES (%1$L, replace(%1$L, 'tenant_', 'ent_') || '1', 'prod_p', 'user:new', now() + interval '1 hour', 1,
			repeat('0', 64))$$),
	(8, 'lease_chains', 'tenant_id',
		$$INSERT INTO bigpicture.lease_chains (tenant_id, product_id, subject, last_seq, last_token_hash)
		  VALUES (%1$L, 'prod_p', 'user:new', 1, repeat('0', 64))$$),
	-- The audit log is written only by the audit triggers (as its owner): nobody else may append.
	(9, 'audit_events', 'chain_id',
		$$INSERT INTO bigpicture.audit_events (chain_id, seq, event_id, occurred_at, actor, event_type, object_type,
			prev_hash, hash)
		  VALUES (%1$L, 1000000, 'evt_rls', now(), 'rls test', 'forged', 'forged', decode(repeat('22', 32), 'hex'),
			decode(repeat('33', 32), 'hex'))$$),
	(10, 'audit_checkpoints', 'chain_id',
		$$INSERT INTO bigpicture.audit_checkpoints (chain_id, seq, hash, token)
		  VALUES (%1$L, 1000000, decode(repeat('33', 32), 'hex'), 'v4.public.forged')$$),
	-- Mirrors, snapshots and certificates: written only by their functions.
	(11, 'mirrors', 'tenant_id',
		$$INSERT INTO bigpicture.mirrors (tenant_id, mirror_id, name) VALUES (%1$L, 'mirror_new', 'New')$$),
	(12, 'snapshots', 'tenant_id',
		$$INSERT INTO bigpicture.snapshots (tenant_id, seq, expires_at, content_hash, reason, token)
		  VALUES (%1$L, 99, now(), repeat('d', 64), 'forged', 'v4.public.forged')$$),
	(13, 'imported_snapshots', 'tenant_id',
		$$INSERT INTO bigpicture.imported_snapshots (tenant_id, seq, created_at, expires_at, content_hash, keyset,
			imported_by, token)
		  VALUES (%1$L, 99, now(), now(), repeat('d', 64), 'v4.public.k', 'forged', 'v4.public.forged')$$),
	(14, 'key_certificates', 'tenant_id',
		$$INSERT INTO bigpicture.key_certificates (tenant_id, kid, public_key, purposes, valid_until, token, issued_by)
		  VALUES (%1$L, 'k4.pid.' || repeat('d', 44), decode(repeat('0d', 32), 'hex'), '{decision}', now(),
			'v4.public.forged', 'forged')$$),
	(15, 'install_reports', 'tenant_id',
		$$INSERT INTO bigpicture.install_reports (tenant_id, install_id, release_id, platform, decision_hash, decided_at,
			outcome)
		  VALUES (%1$L, 'inst-new', 'rel_p_1', 'linux', decode(repeat('44', 32), 'hex'), now(), 'installed')$$),
	(16, 'rollout_members', 'tenant_id',
		$$INSERT INTO bigpicture.rollout_members (release_id, tenant_id, install_id) VALUES ('rel_p_1', %1$L, 'inst-new')$$),
	(17, 'events', 'tenant_id',
		$$INSERT INTO bigpicture.events (type, tenant_id, payload) VALUES ('forged.event', %1$L, '{}')$$),
	-- Webhooks: managed by their functions; the subscriptions (sealed secrets) by no role at all.
	(18, 'webhook_subscriptions', 'tenant_id',
		$$INSERT INTO bigpicture.webhook_subscriptions (subscription_id, tenant_id, url, signing_secret_sealed, created_by)
		  VALUES ('whsub_new', %1$L, 'https://hooks.example.com/new', '\x00', 'forged')$$),
	(19, 'webhook_cursors', 'tenant_id',
		$$INSERT INTO bigpicture.webhook_cursors (subscription_id, tenant_id, after_event_id)
		  VALUES (replace(%1$L, 'tenant_', 'whsub_') || '1', %1$L, 0)$$),
	(20, 'webhook_deliveries', 'tenant_id',
		$$INSERT INTO bigpicture.webhook_deliveries (subscription_id, tenant_id, event_id, attempt, outcome)
		  VALUES (replace(%1$L, 'tenant_', 'whsub_') || '1', %1$L, 2, 1, 'delivered')$$),
	(21, 'entitlement_notices', 'tenant_id',
		$$INSERT INTO bigpicture.entitlement_notices (tenant_id, entitlement_id, kind, ends_at)
		  VALUES (%1$L, replace(%1$L, 'tenant_', 'ent_') || '1', 'expired', now())$$);

-- Tables with a tenant column that are not tenant tables, and why.
CREATE TEMP TABLE exempt_tables (tbl text PRIMARY KEY, why text);
INSERT INTO exempt_tables VALUES
	('signing_keys', 'the key store: no role but its owner may touch it; NULL tenant_id is a vendor-wide key'),
	('audit_heads', 'the head of each audit chain: written and read only by the owner''s audit functions');

-- ---- the actors -------------------------------------------------------------------------
-- session_role: SET SESSION AUTHORIZATION (NULL: stay in the superuser's session);
-- set_role: SET ROLE (NULL: none); claims: request.jwt.claims, set transaction-locally as
-- PostgREST does (NULL: unset).  own/other: the tenants the actor's rows are tested
-- against (for actors without a tenant, tenant_a and tenant_b); tenant: the expected
-- current_tenant(), or 'ERROR sqlstate'.  matrix: run the table matrix too.
CREATE TEMP TABLE actors (ord int, actor text PRIMARY KEY, session_role name, set_role name, claims text,
	own text, other text, tenant text, matrix boolean);
INSERT INTO actors VALUES
	( 1, 'gw tenant_admin @a', 't_gw', 'bigpicture_tenant_admin',
		'{"role":"bigpicture_tenant_admin","tenant_id":"tenant_a","sub":"alice"}', 'tenant_a', 'tenant_b', 'tenant_a', true),
	( 2, 'gw tenant_admin @b', 't_gw', 'bigpicture_tenant_admin',
		'{"role":"bigpicture_tenant_admin","tenant_id":"tenant_b","sub":"bob"}', 'tenant_b', 'tenant_a', 'tenant_b', true),
	( 3, 'gw tenant_admin, no claims', 't_gw', 'bigpicture_tenant_admin', NULL, 'tenant_a', 'tenant_b', NULL, true),
	( 4, 'gw tenant_admin, claims without tenant', 't_gw', 'bigpicture_tenant_admin',
		'{"role":"bigpicture_tenant_admin","sub":"alice"}', 'tenant_a', 'tenant_b', NULL, true),
	( 5, 'gw client @a', 't_gw', 'bigpicture_client',
		'{"role":"bigpicture_client","tenant_id":"tenant_a","sub":"device-1"}', 'tenant_a', 'tenant_b', 'tenant_a', true),
	( 6, 'gw mirror @a', 't_gw', 'bigpicture_mirror',
		'{"role":"bigpicture_mirror","tenant_id":"tenant_a","sub":"mirror-1"}', 'tenant_a', 'tenant_b', 'tenant_a', true),
	( 7, 'gw anon', 't_gw', 'bigpicture_anon', '{"role":"bigpicture_anon"}', 'tenant_a', 'tenant_b', NULL, true),
	( 8, 'dba_a', NULL, 't_dba_a', NULL, 'tenant_a', 'tenant_b', 'tenant_a', true),
	( 9, 'dba_a login, claims b', 't_dba_a', NULL,
		'{"role":"t_dba_a","tenant_id":"tenant_b","sub":"mallory"}', 'tenant_a', 'tenant_b', 'tenant_a', true),
	(10, 'dba_b, claims a', NULL, 't_dba_b',
		'{"role":"t_dba_b","tenant_id":"tenant_a","sub":"mallory"}', 'tenant_b', 'tenant_a', 'tenant_b', true),
	(11, 'tenant_admin direct, claims a', NULL, 'bigpicture_tenant_admin',
		'{"role":"bigpicture_tenant_admin","tenant_id":"tenant_a","sub":"mallory"}', 'tenant_a', 'tenant_b', NULL, true),
	(12, 'unbound', NULL, 't_unbound', NULL, 'tenant_a', 'tenant_b', NULL, true),
	(13, 'admin', NULL, 't_admin', NULL, 'tenant_a', 'tenant_b', NULL, true),
	(14, 'auditor', NULL, 't_auditor', NULL, 'tenant_a', 'tenant_b', NULL, true),
	(15, 'superuser, claims a', NULL, NULL,
		'{"role":"bigpicture_tenant_admin","tenant_id":"tenant_a","sub":"mallory"}', 'tenant_a', 'tenant_b', NULL, false),
	(16, 'gw tenant_admin, claims not JSON', 't_gw', 'bigpicture_tenant_admin', 'not json',
		'tenant_a', 'tenant_b', 'ERROR 42501', false);

-- ---- the expectations ---------------------------------------------------------------------
-- One row per matrix actor and table; each command column is "own other".
--   all     SELECT sees / UPDATE, DELETE affect every row of that tenant
--   none    0 rows: RLS hides them
--   ok      INSERT of one row succeeds
--   denied  42501, no privilege on the table
--   rls     42501, the new row violates a row-level security policy
CREATE TEMP TABLE expected (actor text, tbl text, sel text, ins text, upd text, del text);
INSERT INTO expected VALUES
	('gw tenant_admin @a',                     'tenants',         'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'installs',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'entitlements',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'tenant_policies', 'all none',      'ok rls',        'all none',      'all none'),
	('gw tenant_admin @a',                     'decision_log',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'install_reports', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'rollout_members', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'events',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'leases',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'lease_chains',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'audit_events',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'audit_checkpoints', 'all none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'tenants',         'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'installs',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'entitlements',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'tenant_policies', 'all none',      'ok rls',        'all none',      'all none'),
	('gw tenant_admin @b',                     'decision_log',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'install_reports', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'rollout_members', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'events',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'leases',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'lease_chains',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'audit_events',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'audit_checkpoints', 'all none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'tenants',         'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'installs',        'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'entitlements',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'tenant_policies', 'none none',     'rls rls',       'none none',     'none none'),
	('gw tenant_admin, no claims',             'decision_log',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'install_reports', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'rollout_members', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'events',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'leases',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'lease_chains',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'audit_events',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'audit_checkpoints', 'none none',    'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'tenants',         'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'installs',        'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'entitlements',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'tenant_policies', 'none none',     'rls rls',       'none none',     'none none'),
	('gw tenant_admin, claims without tenant', 'decision_log',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'install_reports', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'rollout_members', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'events',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'leases',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'lease_chains',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'audit_events',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'audit_checkpoints', 'none none',    'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'tenants',         'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'installs',        'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'entitlements',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'tenant_policies', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'decision_log',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'install_reports', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'rollout_members', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'events',          'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'leases',          'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'lease_chains',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'audit_events',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'audit_checkpoints', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'tenants',         'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'installs',        'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'entitlements',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'tenant_policies', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'decision_log',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'install_reports', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'rollout_members', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'events',          'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'leases',          'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'lease_chains',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'audit_events',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'audit_checkpoints', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'tenants',         'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'installs',        'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'entitlements',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'tenant_policies', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'decision_log',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'install_reports', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'rollout_members', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'events',          'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'leases',          'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'lease_chains',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'audit_events',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'audit_checkpoints', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'tenants',         'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'installs',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'entitlements',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'tenant_policies', 'all none',      'ok rls',        'all none',      'all none'),
	('dba_a',                                  'decision_log',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'install_reports', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'rollout_members', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'events',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'leases',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'lease_chains',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'audit_events',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'audit_checkpoints', 'all none',     'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'tenants',         'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'installs',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'entitlements',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'tenant_policies', 'all none',      'ok rls',        'all none',      'all none'),
	('dba_a login, claims b',                  'decision_log',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'install_reports', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'rollout_members', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'events',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'leases',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'lease_chains',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'audit_events',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'audit_checkpoints', 'all none',     'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'tenants',         'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'installs',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'entitlements',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'tenant_policies', 'all none',      'ok rls',        'all none',      'all none'),
	('dba_b, claims a',                        'decision_log',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'install_reports', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'rollout_members', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'events',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'leases',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'lease_chains',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'audit_events',    'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'audit_checkpoints', 'all none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'tenants',         'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'installs',        'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'entitlements',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'tenant_policies', 'none none',     'rls rls',       'none none',     'none none'),
	('tenant_admin direct, claims a',          'decision_log',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'install_reports', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'rollout_members', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'events',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'leases',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'lease_chains',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'audit_events',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'audit_checkpoints', 'none none',    'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'tenants',         'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'tenant_roles',    'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'installs',        'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'entitlements',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'tenant_policies', 'none none',     'rls rls',       'none none',     'none none'),
	('unbound',                                'decision_log',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'install_reports', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'rollout_members', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'events',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'leases',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'lease_chains',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'audit_events',    'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'audit_checkpoints', 'none none',    'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'tenants',         'all all',       'ok ok',         'all all',       'all all'),
	('admin',                                  'tenant_roles',    'all all',       'ok ok',         'all all',       'all all'),
	('admin',                                  'installs',        'all all',       'ok ok',         'all all',       'all all'),
	('admin',                                  'entitlements',    'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'tenant_policies', 'all all',       'ok ok',         'all all',       'all all'),
	('admin',                                  'decision_log',    'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'install_reports', 'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'rollout_members', 'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'events',          'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'leases',          'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'lease_chains',    'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'audit_events',    'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'audit_checkpoints', 'all all',      'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'tenants',         'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'tenant_roles',    'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'installs',        'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'entitlements',    'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'tenant_policies', 'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'decision_log',    'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'install_reports', 'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'rollout_members', 'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'events',          'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'leases',          'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'lease_chains',    'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'audit_events',    'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'audit_checkpoints', 'all all',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'mirrors',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'snapshots',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'imported_snapshots', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a',                     'key_certificates', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'mirrors',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'snapshots',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'imported_snapshots', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b',                     'key_certificates', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'mirrors',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'snapshots',        'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'imported_snapshots', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims',             'key_certificates', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'mirrors',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'snapshots',        'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'imported_snapshots', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'key_certificates', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'mirrors',          'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'snapshots',        'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'imported_snapshots', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a',                           'key_certificates', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'mirrors',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'snapshots',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'imported_snapshots', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a',                           'key_certificates', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'mirrors',          'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'snapshots',        'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'imported_snapshots', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon',                                'key_certificates', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'mirrors',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'snapshots',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'imported_snapshots', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a',                                  'key_certificates', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'mirrors',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'snapshots',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'imported_snapshots', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b',                  'key_certificates', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'mirrors',          'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'snapshots',        'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'imported_snapshots', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a',                        'key_certificates', 'all none',      'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'mirrors',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'snapshots',        'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'imported_snapshots', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a',          'key_certificates', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'mirrors',          'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'snapshots',        'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'imported_snapshots', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('unbound',                                'key_certificates', 'none none',     'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'mirrors',          'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'snapshots',        'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'imported_snapshots', 'all all',       'denied denied', 'denied denied', 'denied denied'),
	('admin',                                  'key_certificates', 'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'mirrors',          'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'snapshots',        'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'imported_snapshots', 'all all',       'denied denied', 'denied denied', 'denied denied'),
	('auditor',                                'key_certificates', 'all all',       'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a', 'webhook_cursors', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a', 'webhook_deliveries', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @a', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b', 'webhook_cursors', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b', 'webhook_deliveries', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin @b', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims', 'webhook_cursors', 'none none', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims', 'webhook_deliveries', 'none none', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, no claims', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'webhook_cursors', 'none none', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'webhook_deliveries', 'none none', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw tenant_admin, claims without tenant', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a', 'webhook_cursors', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a', 'webhook_deliveries', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw client @a', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a', 'webhook_cursors', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a', 'webhook_deliveries', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw mirror @a', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon', 'webhook_cursors', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon', 'webhook_deliveries', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('gw anon', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a', 'webhook_cursors', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a', 'webhook_deliveries', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b', 'webhook_cursors', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b', 'webhook_deliveries', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_a login, claims b', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a', 'webhook_cursors', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a', 'webhook_deliveries', 'all none', 'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('dba_b, claims a', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a', 'webhook_cursors', 'none none', 'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a', 'webhook_deliveries', 'none none', 'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('tenant_admin direct, claims a', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('unbound', 'webhook_cursors', 'none none', 'denied denied', 'denied denied', 'denied denied'),
	('unbound', 'webhook_deliveries', 'none none', 'denied denied', 'denied denied', 'denied denied'),
	('unbound', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('unbound', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('admin', 'webhook_cursors', 'all all', 'denied denied', 'denied denied', 'denied denied'),
	('admin', 'webhook_deliveries', 'all all', 'denied denied', 'denied denied', 'denied denied'),
	('admin', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('admin', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('auditor', 'webhook_cursors', 'all all', 'denied denied', 'denied denied', 'denied denied'),
	('auditor', 'webhook_deliveries', 'all all', 'denied denied', 'denied denied', 'denied denied'),
	('auditor', 'webhook_subscriptions', 'denied denied', 'denied denied', 'denied denied', 'denied denied'),
	('auditor', 'entitlement_notices', 'denied denied', 'denied denied', 'denied denied', 'denied denied');

-- The same, one row per cell.
CREATE TEMP VIEW expected_cells AS
SELECT e.actor, e.tbl, c.cmd, c.ord AS cmd_ord, s.scope, s.ord AS scope_ord,
	split_part(c.codes, ' ', s.ord) AS expected
FROM expected e
CROSS JOIN LATERAL (VALUES (1, 'SELECT', e.sel), (2, 'INSERT', e.ins), (3, 'UPDATE', e.upd), (4, 'DELETE', e.del))
	AS c(ord, cmd, codes)
CROSS JOIN (VALUES (1, 'own'), (2, 'other')) AS s(ord, scope);

-- ---- running it -----------------------------------------------------------------------------
-- Rows per table and tenant, seen by the superuser: what 'all' means.
CREATE FUNCTION pg_temp.count_rows(tbl text, col name, tenant text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
	n int;
BEGIN
	EXECUTE format('SELECT count(*) FROM bigpicture.%I WHERE %I = %L', tbl, col, tenant) INTO n;
	RETURN n;
END
$$;
CREATE TEMP TABLE baseline AS
SELECT t.tbl, x.tenant, pg_temp.count_rows(t.tbl, t.tenant_col, x.tenant) AS n
FROM tenant_tables t CROSS JOIN (VALUES ('tenant_a'), ('tenant_b')) x(tenant);

-- Run stmt (which returns one count) and undo it: its count, or the SQLSTATE and message
-- it fails with.  Undoing keeps every cell independent of the others.
CREATE FUNCTION pg_temp.attempt(stmt text, OUT n bigint, OUT state text, OUT message text) LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt INTO n;
	RAISE EXCEPTION USING ERRCODE = 'RLSRB', MESSAGE = n::text;
EXCEPTION
	WHEN SQLSTATE 'RLSRB' THEN
		n := SQLERRM::bigint;
	WHEN OTHERS THEN
		n := NULL;
		state := SQLSTATE;
		message := SQLERRM;
END
$$;

-- Become each actor in turn, try every cell, and come back.  The statements are built
-- first: while acting as someone else the superuser's temp tables are out of reach.
CREATE FUNCTION pg_temp.run_matrix() RETURNS TABLE (actor text, tbl text, cmd text, scope text, outcome text)
	LANGUAGE plpgsql AS $$
DECLARE
	a record;
	c record;
	r record;
	cells jsonb;
BEGIN
	FOR a IN SELECT * FROM actors ORDER BY ord LOOP
		SELECT COALESCE(jsonb_agg(jsonb_build_object('tbl', t.tbl, 'cmd', m.cmd, 'scope', s.scope,
				'stmt', CASE m.cmd
					WHEN 'SELECT' THEN format('SELECT count(*) FROM bigpicture.%I WHERE %I = %L', t.tbl, t.tenant_col, s.tenant)
					WHEN 'INSERT' THEN format('WITH x AS (%s RETURNING 1) SELECT count(*) FROM x', format(t.insert_sql, s.tenant))
					WHEN 'UPDATE' THEN format('WITH x AS (UPDATE bigpicture.%I SET %I = %I WHERE %I = %L RETURNING 1) SELECT count(*) FROM x',
						t.tbl, t.tenant_col, t.tenant_col, t.tenant_col, s.tenant)
					WHEN 'DELETE' THEN format('WITH x AS (DELETE FROM bigpicture.%I WHERE %I = %L RETURNING 1) SELECT count(*) FROM x',
						t.tbl, t.tenant_col, s.tenant)
				END,
				'all', b.n)), '[]')
		  INTO cells
		  FROM tenant_tables t
		  CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE')) m(cmd)
		  CROSS JOIN (VALUES ('own', a.own), ('other', a.other)) s(scope, tenant)
		  JOIN baseline b ON b.tbl = t.tbl AND b.tenant = s.tenant
		 WHERE a.matrix;

		IF a.session_role IS NOT NULL THEN
			EXECUTE format('SET SESSION AUTHORIZATION %I', a.session_role);
		END IF;
		IF a.set_role IS NOT NULL THEN
			EXECUTE format('SET ROLE %I', a.set_role);
		END IF;
		PERFORM set_config('request.jwt.claims', COALESCE(a.claims, ''), true);

		actor := a.actor;
		tbl := NULL;
		cmd := 'current_tenant()';
		scope := NULL;
		r := pg_temp.attempt('SELECT count(bigpicture.current_tenant())');
		outcome := CASE WHEN r.state IS NULL THEN bigpicture.current_tenant() ELSE 'ERROR ' || r.state END;
		RETURN NEXT;

		FOR c IN SELECT * FROM jsonb_to_recordset(cells) AS j(tbl text, cmd text, scope text, stmt text, "all" bigint) LOOP
			r := pg_temp.attempt(c.stmt);
			tbl := c.tbl;
			cmd := c.cmd;
			scope := c.scope;
			outcome := CASE
				WHEN r.state = '42501' AND r.message LIKE 'permission denied for table %' THEN 'denied'
				WHEN r.state = '42501' AND r.message LIKE 'new row violates row-level security policy%' THEN 'rls'
				WHEN r.state IS NOT NULL THEN format('ERROR %s: %s', r.state, r.message)
				WHEN c.cmd = 'INSERT' AND r.n = 1 THEN 'ok'
				WHEN c.cmd <> 'INSERT' AND r.n = c."all" THEN 'all'
				WHEN r.n = 0 THEN 'none'
				ELSE format('%s of %s rows', r.n, c."all")
			END;
			RETURN NEXT;
		END LOOP;

		PERFORM set_config('request.jwt.claims', '', true);
		RESET ROLE;
		RESET SESSION AUTHORIZATION;
	END LOOP;
END
$$;

CREATE TEMP TABLE results AS SELECT * FROM pg_temp.run_matrix();

SELECT is(session_user::text || '/' || current_user::text, 'postgres/postgres',
	'back to the superuser after the matrix');
SELECT is((SELECT array_agg(format('%s@%s', tbl, tenant) ORDER BY tbl, tenant) FROM baseline WHERE n = 0), NULL,
	'every tenant table has rows of both tenants, so "all" and "none" differ');

-- ---- current_tenant() per actor ---------------------------------------------------------------
SELECT is(r.outcome, a.tenant, format('current_tenant() for %s', a.actor))
FROM actors a LEFT JOIN results r ON r.actor = a.actor AND r.cmd = 'current_tenant()'
ORDER BY a.ord;

-- ---- the matrix: one assertion per (actor, table, command, scope) ------------------------------
SELECT is(r.outcome, e.expected, format('%s | %s | %s | %s tenant (%s)',
		COALESCE(e.actor, r.actor), COALESCE(e.tbl, r.tbl), COALESCE(e.cmd, r.cmd), COALESCE(e.scope, r.scope),
		CASE COALESCE(e.scope, r.scope) WHEN 'own' THEN a.own ELSE a.other END))
FROM expected_cells e
FULL JOIN (SELECT * FROM results WHERE cmd <> 'current_tenant()') r
	ON r.actor = e.actor AND r.tbl = e.tbl AND r.cmd = e.cmd AND r.scope = e.scope
LEFT JOIN actors a ON a.actor = COALESCE(e.actor, r.actor)
LEFT JOIN tenant_tables t ON t.tbl = COALESCE(e.tbl, r.tbl)
ORDER BY a.ord, t.ord, e.cmd_ord, e.scope_ord;

SELECT is((SELECT array_agg(DISTINCT actor ORDER BY actor) FROM results
		   WHERE tbl = 'tenant_roles' AND cmd = 'SELECT' AND outcome <> 'denied'),
	ARRAY['admin', 'auditor'], 'tenant_roles is readable by admin and auditor only');
SELECT is((SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_roles
		   WHERE rolname LIKE 'bigpicture\_%' AND has_table_privilege(oid, 'bigpicture.tenant_roles', 'SELECT')),
	ARRAY['bigpicture_admin', 'bigpicture_auditor', 'bigpicture_owner'],
	'only admin, auditor and the owner hold SELECT on tenant_roles');

-- ---- the RLS settings in the catalogue ------------------------------------------------------------
-- Tables with a tenant column: tenant_id, or chain_id (the audit log).
CREATE TEMP VIEW tenant_id_tables AS
SELECT c.oid, c.relname::text AS tbl, c.relowner, c.relacl, c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c
WHERE c.relnamespace = 'bigpicture'::regnamespace AND c.relkind IN ('r', 'p')
  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname IN ('tenant_id', 'chain_id')
			  AND NOT a.attisdropped);

SELECT is((SELECT array_agg(tbl ORDER BY tbl) FROM tenant_id_tables WHERE tbl NOT IN (SELECT tbl FROM exempt_tables)),
	(SELECT array_agg(tbl ORDER BY tbl) FROM tenant_tables),
	'the matrix covers every table with a tenant_id or chain_id column (except the exempt ones)');
SELECT is((SELECT array_agg(e.tbl ORDER BY e.tbl) FROM exempt_tables e JOIN tenant_id_tables t USING (tbl)
		   WHERE EXISTS (SELECT FROM aclexplode(COALESCE(t.relacl, acldefault('r', t.relowner))) x
						 WHERE x.grantee <> t.relowner)),
	NULL, 'exempt tables grant nothing to anyone but their owner');
SELECT is((SELECT array_agg(tbl ORDER BY tbl) FROM tenant_id_tables
		   WHERE tbl NOT IN (SELECT tbl FROM exempt_tables) AND NOT (relrowsecurity AND relforcerowsecurity)),
	NULL, 'every tenant table has ENABLE and FORCE ROW LEVEL SECURITY');

-- Citus refuses subqueries in policies on distributed tables (docs/scaling.md),
-- so each policy that is not "true" is exactly the tenant comparison, with the
-- STABLE function in the qual: an index scan still evaluates it once.
SELECT is((SELECT array_agg(format('%s.%s: %s', p.tablename, p.policyname, e) ORDER BY p.tablename, p.policyname)
		   FROM pg_policies p
		   CROSS JOIN LATERAL unnest(ARRAY[p.qual, p.with_check]) e
		   WHERE p.schemaname = 'bigpicture' AND p.tablename IN (SELECT tbl FROM tenant_tables)
			 AND e IS NOT NULL AND e <> 'true'
			 AND e !~ '^\((tenant_id|chain_id) = bigpicture\.current_tenant\(\)\)$'),
	NULL, 'every policy that is not "true" is (tenant_id = bigpicture.current_tenant()), without a subquery');
SELECT is((SELECT array_agg(format('%s.%s', tablename, policyname) ORDER BY tablename, policyname) FROM pg_policies
		   WHERE schemaname = 'bigpicture' AND tablename IN (SELECT tbl FROM tenant_tables) AND 'public' = ANY (roles)),
	NULL, 'no policy on a tenant table applies to PUBLIC');

-- The tenant column leads every index, except the keys named here.
SELECT is((SELECT array_agg(i.indexrelid::regclass::text ORDER BY i.indexrelid::regclass::text)
		   FROM pg_index i
		   JOIN tenant_tables t ON i.indrelid = format('bigpicture.%I', t.tbl)::regclass
		   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attname = t.tenant_col
		   WHERE i.indkey[0] <> a.attnum
			 AND i.indexrelid::regclass::text NOT IN (
				 'bigpicture.tenant_roles_pkey',  -- one binding per role: keyed by role_name
				 'bigpicture.events_pkey',        -- the outbox's one order across tenants
				 'bigpicture.install_reports_release', 'bigpicture.rollout_members_entered',
				                                  -- a rollout's guards count every tenant (test/pgtap/scaling.sql)
				 'bigpicture.webhook_subscriptions_pkey', 'bigpicture.webhook_cursors_pkey',
				 'bigpicture.webhook_deliveries_pkey', 'bigpicture.webhook_deliveries_subscription',
				 'bigpicture.webhook_deliveries_time'
				                                  -- webhooks: a vendor-wide subscription has no tenant (scaling.sql)
			 )),
	NULL, 'the tenant column is the first column of every index of every tenant table');

-- ---- current_tenant() answers once per statement, and only as long as its key holds -------------
-- Each function below is one statement: the answer must still follow a rebinding
-- (a later command), SET ROLE, and new gateway claims within it, and a per-row
-- policy qual over a sequential scan must apply the tenant to every row.
CREATE FUNCTION pg_temp.tenant_after_rebind() RETURNS text LANGUAGE plpgsql AS $$
DECLARE before text; after text;
BEGIN
	SET LOCAL ROLE t_dba_a;
	before := bigpicture.current_tenant();
	RESET ROLE;
	PERFORM bigpicture.bind_role('t_dba_a', 'tenant_b');
	SET LOCAL ROLE t_dba_a;
	after := bigpicture.current_tenant();
	RESET ROLE;
	PERFORM bigpicture.bind_role('t_dba_a', 'tenant_a');
	RETURN before || ' ' || after;
END $$;
SELECT is(pg_temp.tenant_after_rebind(), 'tenant_a tenant_b', 'current_tenant() follows a rebinding later in the same statement');

CREATE FUNCTION pg_temp.tenant_per_role() RETURNS text LANGUAGE plpgsql AS $$
DECLARE a text; b text;
BEGIN
	SET LOCAL ROLE t_dba_a;
	a := bigpicture.current_tenant();
	RESET ROLE;
	SET LOCAL ROLE t_dba_b;
	b := bigpicture.current_tenant();
	RESET ROLE;
	RETURN a || ' ' || b;
END $$;
SELECT is(pg_temp.tenant_per_role(), 'tenant_a tenant_b', 'current_tenant() follows SET ROLE within one statement');

CREATE FUNCTION pg_temp.tenant_per_claims() RETURNS text LANGUAGE plpgsql AS $$
DECLARE a text; b text;
BEGIN
	SET LOCAL SESSION AUTHORIZATION t_gw;
	SET LOCAL ROLE bigpicture_tenant_admin;
	PERFORM set_config('request.jwt.claims', '{"tenant_id": "tenant_a"}', true);
	a := bigpicture.current_tenant();
	PERFORM set_config('request.jwt.claims', '{"tenant_id": "tenant_b"}', true);
	b := bigpicture.current_tenant();
	PERFORM set_config('request.jwt.claims', '', true);
	RESET ROLE;
	RESET SESSION AUTHORIZATION;
	RETURN a || ' ' || b;
END $$;
SELECT is(pg_temp.tenant_per_claims(), 'tenant_a tenant_b', 'current_tenant() follows new gateway claims within one statement');

CREATE FUNCTION pg_temp.seqscan_count(r name) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_bitmapscan = off;
	SET LOCAL enable_indexonlyscan = off;
	EXECUTE format('SET LOCAL ROLE %I', r);
	SELECT count(*) INTO n FROM bigpicture.installs;
	RESET ROLE;
	RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan;
	RETURN n;
END $$;
SELECT is(pg_temp.seqscan_count('t_dba_a') || ' ' || pg_temp.seqscan_count('t_dba_b'),
	(SELECT count(*) FILTER (WHERE tenant_id = 'tenant_a') || ' ' || count(*) FILTER (WHERE tenant_id = 'tenant_b')
	   FROM bigpicture.installs),
	'a sequential scan filters every row by the caller''s tenant');

SELECT * FROM finish();
ROLLBACK;
