-- bench/run's 100x data: a large vendor.  psql variables: n_prod products x
-- n_rel releases x 3 platforms, n_ten tenants with policies at every scope,
-- n_inst installs, n_lease leases.  The catalog, tenants and policies go
-- through the API (and so through the audit triggers); installs and leases,
-- which only requests write, are bulk-inserted, the leases with their audit
-- trigger off for the load (a benchmark fixture, not a way to run).
SET client_min_messages = warning;
SET search_path = bigpicture, public;

-- Products, each with a channel, n_rel releases of 3 artifacts, published.
SELECT create_product('Fleet ' || p, 'prod_fleet_' || p, requires_entitlement => p % 2 = 0),
	   create_channel('prod_fleet_' || p, 'stable')
FROM generate_series(1, :n_prod) p \g /dev/null
-- One transaction per release: a single huge transaction would update each
-- audit chain's head row thousands of times, and every update walks the
-- versions the open transaction keeps alive (see the note in docs/performance.md).
SELECT format($$SELECT submit_release(r) FROM (SELECT create_release('prod_fleet_%1$s', '%2$s.0.0', 'stable',
		release_id => 'rel_f_%1$s_%2$s') AS r) x,
	LATERAL (SELECT count(attach_artifact(x.r, create_artifact('prod_fleet_%1$s',
		format('https://dl.example.com/f%1$s/%2$s/%%s', pl.platform), repeat('ab', 32), 1000 + %2$s,
		pl.platform, pl.arch, pl.installer)))
		FROM (VALUES ('windows', 'x86_64', 'msi'), ('macos', 'arm64', 'dmg'), ('linux', 'x86_64', 'deb')) pl(platform, arch, installer)) a$$, p, v)
FROM generate_series(1, :n_prod) p, generate_series(1, :n_rel) v \gexec

-- Tenants, each licensed for the even (licensed) products it uses.
SELECT create_tenant('Customer ' || t, 'tenant_fleet_' || t) FROM generate_series(1, :n_ten) t \g /dev/null
SELECT create_entitlement('tenant_fleet_' || t, 'prod_fleet_' || (2 * (1 + t % (:n_prod / 2))), 'concurrent',
	max_seats => 1000, entitlement_id => 'ent_fleet_' || t)
FROM generate_series(1, :n_ten) t \g /dev/null

-- Policies at every scope: global, per product, per tenant, per tenant and product, per platform.
SELECT set_policy('global', mode => 'NOTIFY_ONLY') \g /dev/null
SELECT set_policy('product', product_id => 'prod_fleet_' || p, channel => 'stable') FROM generate_series(1, :n_prod) p \g /dev/null
SELECT set_policy('tenant', 'tenant_fleet_' || t, mode => 'AUTO_INSTALL') FROM generate_series(1, :n_ten) t \g /dev/null
SELECT set_policy('tenant_product', 'tenant_fleet_' || t, 'prod_fleet_' || (1 + t % :n_prod), blocked => '{<1.0.1}')
FROM generate_series(1, :n_ten, 10) t \g /dev/null
SELECT set_policy('tenant_product', 'tenant_fleet_' || t, 'prod_fleet_' || (1 + t % :n_prod), platform => 'windows',
	mode => 'MANAGED_BY_IT')
FROM generate_series(1, :n_ten, 20) t \g /dev/null

-- The fleet: installs spread over the tenants, and leases.
INSERT INTO installs (tenant_id, install_id, platform, arch, versions)
SELECT 'tenant_fleet_' || (1 + n % :n_ten), 'fleet-' || n, (ARRAY['windows', 'macos', 'linux'])[1 + n % 3], 'x86_64',
	jsonb_build_object('prod_fleet_' || (1 + n % :n_prod), '1.0.0')
FROM generate_series(1, :n_inst) n ON CONFLICT DO NOTHING;
ALTER TABLE leases DISABLE TRIGGER audit;
INSERT INTO leases (tenant_id, entitlement_id, product_id, subject, install_id, expires_at, seq, token_hash)
SELECT 'tenant_fleet_' || t, 'ent_fleet_' || t, 'prod_fleet_' || (2 * (1 + t % (:n_prod / 2))), 'user:u' || n, 'fleet-' || n,
	now() + interval '1 day', 1, encode(sha256(n::text::bytea), 'hex')
FROM generate_series(1, :n_lease) n, LATERAL (SELECT 1 + n % :n_ten AS t) x;
ALTER TABLE leases ENABLE TRIGGER audit;
ANALYZE;
