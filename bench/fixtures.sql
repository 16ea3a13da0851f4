-- Fixtures for bench/run: keys, eight tenants, a product with a few releases.
CREATE EXTENSION bigpicture;
SET search_path = bigpicture, public;
SELECT activate_key(generate_key(p)) FROM unnest(ARRAY['decision', 'lease', 'audit', 'root']) p;
SELECT create_tenant('Bench ' || n, 'tenant_bench_' || n) FROM generate_series(1, 8) n;
SELECT create_product('Bench App', 'prod_bench', requires_entitlement => false);
SELECT create_channel('prod_bench', 'stable');
SELECT submit_release(attach_artifact(r, create_artifact('prod_bench', 'https://dl.example.com/bench-' || v || '.msi',
	repeat('ab', 32), 1000, 'windows', 'x86_64', 'msi'))::text || r)
FROM (SELECT v, create_release('prod_bench', v, 'stable', release_id => 'rel_bench_' || replace(v, '.', '_')) AS r
	  FROM unnest(ARRAY['1.0.0', '1.1.0', '1.2.0', '2.0.0']) v) x;
SELECT set_rollout('rel_bench_2_0_0', 5000);
