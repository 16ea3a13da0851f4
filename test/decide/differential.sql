-- The decision engine's differential run (docs/development.md): a catalogue,
-- fleet and policies drawn at random from a fixed seed, and 15,000 random
-- requests; the digest of every explain_decision() answer (its whole trace:
-- policy and sources, every release considered and why, action, reasons,
-- artifact) must equal the one recorded from the engine before the rules
-- moved to src/core/decide.c.  Everything is rolled back.
-- Output (psql -At): "digest <md5>", then "actions <action>=<n> ...".
\set ON_ERROR_STOP on
BEGIN;
SET LOCAL search_path = bigpicture, public;
SET LOCAL client_min_messages = warning;
SELECT setseed(0.2412) \g /dev/null
SELECT count(activate_key(generate_key(p))) FROM unnest('{decision,audit}'::text[]) p \g /dev/null

CREATE FUNCTION pg_temp.pick(a text[]) RETURNS text LANGUAGE sql VOLATILE
	RETURN a[1 + floor(random() * cardinality(a))::int];

-- tenants: tenant_d1 .. tenant_d12, the last suspended
SELECT count(create_tenant('Diff ' || n, 'tenant_d' || n)) FROM generate_series(1, 12) n \g /dev/null
SELECT set_tenant_status('tenant_d12', 'suspended') \g /dev/null
-- products: prod_d1 .. prod_d5, odd ones licensed
SELECT count(create_product('Diff ' || n, 'prod_d' || n, requires_entitlement => n % 2 = 1)) FROM generate_series(1, 5) n \g /dev/null
SELECT count(*) FROM (SELECT create_channel('prod_d' || n, 'stable'), create_channel('prod_d' || n, 'beta', true)
	FROM generate_series(1, 5) n) x \g /dev/null

-- releases: 14 per product, random versions (some prereleases), channels, criticality, artifacts
CREATE TEMP TABLE rels AS
SELECT DISTINCT ON (p, v) p, v, r FROM (
	SELECT p, format('%s.%s.%s%s', floor(random() * 3)::int + 1, floor(random() * 4)::int, floor(random() * 3)::int,
		CASE WHEN random() < 0.2 THEN '-beta.' || (floor(random() * 3)::int + 1) ELSE '' END) AS v, random() AS r
	FROM generate_series(1, 5) p, generate_series(1, 14) k) x ORDER BY p, v;
CREATE TEMP TABLE made AS
SELECT p, v, create_release('prod_d' || p, v, CASE WHEN r < 0.7 THEN 'stable' ELSE 'beta' END, critical => r < 0.1,
	release_id => 'rel_d' || p || '_' || replace(replace(v, '.', '_'), '-', '_')) AS release_id
FROM rels ORDER BY p, v;
SELECT count(attach_artifact(m.release_id, create_artifact('prod_d' || m.p,
		format('https://dl.example.com/%s/%s/%s-%s.%s', m.p, m.v, pl, ar, it), repeat(left(md5(m.release_id || pl || ar || it), 2), 32),
		1000 + length(m.release_id), pl, ar, it, requires_admin => random() < 0.3,
		install_scope => CASE WHEN random() < 0.5 THEN 'user' ELSE 'machine' END)))
FROM made m,
	LATERAL (SELECT pl, ar FROM unnest('{windows,macos,linux}'::text[]) pl, unnest('{x86_64,arm64}'::text[]) ar
			 WHERE random() < 0.7) pa,
	LATERAL (SELECT it FROM unnest(CASE pl WHEN 'windows' THEN '{msi,exe,msix}'::text[] WHEN 'macos' THEN '{pkg,dmg}'::text[]
			 ELSE '{deb,rpm,appimage}'::text[] END) it WHERE random() < 0.6) i \g /dev/null
SELECT count(submit_release(m.release_id)) FROM made m
 WHERE EXISTS (SELECT 1 FROM release_artifacts a WHERE a.release_id = m.release_id) \g /dev/null
-- (random() is drawn over rows in a fixed order: a table's physical order can change between runs;
-- OFFSET 0 keeps the filter above the sort)
SELECT count(revoke_release(release_id, 'differential')) FROM (SELECT release_id FROM releases
 WHERE status = 'published' AND release_id LIKE 'rel_d%' ORDER BY release_id OFFSET 0) x WHERE random() < 0.08 \g /dev/null

-- rollouts on a third of the published releases: percentages, platforms, paused, halted, a velocity limit
SELECT count(set_rollout(release_id, (ARRAY[0, 100, 2500, 5000, 9000, 10000])[1 + floor(random() * 6)::int],
	CASE WHEN random() < 0.3 THEN pg_temp.pick('{windows,macos,linux}') END, random() < 0.1))
FROM (SELECT release_id FROM releases WHERE status = 'published' AND release_id LIKE 'rel_d%' ORDER BY release_id OFFSET 0) x
WHERE random() < 0.33 \g /dev/null
-- fixed salts, so the buckets are the same on every run (the guard that keeps salts is lifted for it)
ALTER TABLE rollouts DISABLE TRIGGER rollouts_guard;
UPDATE rollouts SET salt = decode(md5(release_id || COALESCE(platform, '*')), 'hex');
ALTER TABLE rollouts ENABLE TRIGGER rollouts_guard;
SELECT count(halt_rollout(release_id, 'differential', platform)) FROM (SELECT release_id, platform FROM rollouts
 ORDER BY release_id, platform NULLS FIRST OFFSET 0) x WHERE random() < 0.15 \g /dev/null
CREATE TEMP TABLE limited AS SELECT release_id, platform FROM (SELECT release_id, platform FROM rollouts
 ORDER BY release_id, platform NULLS FIRST OFFSET 0) x WHERE random() < 0.2;
UPDATE rollouts r SET max_new_per_hour = 1000 FROM limited l
 WHERE l.release_id = r.release_id AND l.platform IS NOT DISTINCT FROM r.platform;

-- entitlements: active, expired (ends in the past) or none, per tenant and licensed product
SELECT count(create_entitlement('tenant_d' || t, 'prod_d' || p, 'feature_based',
	starts_at => now() - interval '400 days',
	ends_at => CASE WHEN random() < 0.35 THEN now() - (floor(random() * 300)::int + 1) * interval '1 day' END))
FROM generate_series(1, 12) t, generate_series(1, 5, 2) p WHERE random() < 0.75 \g /dev/null

-- policies: vendor-wide, per product, per tenant and per tenant and product, some per platform
CREATE TEMP TABLE pol AS
SELECT scope, t, p, pl, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6
FROM (SELECT 'global' AS scope, NULL::int AS t, NULL::int AS p
	  UNION ALL SELECT 'product', NULL, p FROM generate_series(1, 5) p
	  UNION ALL SELECT 'tenant', t, NULL FROM generate_series(1, 12) t
	  UNION ALL SELECT 'tenant_product', t, p FROM generate_series(1, 12) t, generate_series(1, 5) p) s,
	LATERAL (SELECT NULL::text AS pl UNION ALL SELECT pg_temp.pick('{windows,macos,linux}') WHERE random() < 0.2) x
WHERE s.scope = 'global' OR random() < 0.4;
SELECT count(set_policy(scope, CASE WHEN t IS NOT NULL THEN 'tenant_d' || t END, CASE WHEN p IS NOT NULL THEN 'prod_d' || p END,
	pl,
	mode => CASE WHEN r1 < 0.25 THEN 'AUTO_INSTALL' WHEN r1 < 0.5 THEN 'NOTIFY_ONLY' WHEN r1 < 0.6 THEN 'MANAGED_BY_IT' END,
	channel => CASE WHEN r2 < 0.15 THEN 'beta' WHEN r2 < 0.3 THEN 'stable' END,
	pinned_range => CASE WHEN r3 < 0.15 THEN pg_temp.pick('{^1.0,~2.1,>=1.2.0 <3.0.0,1.x,2.x || 3.0.x}')::semver_range END,
	blocked => CASE WHEN r4 < 0.15 THEN ARRAY[pg_temp.pick('{1.1.x,2.0.0,>=3.2.0,~1.3,2.2.1 || 2.3.x}')::semver_range] END,
	allow_prerelease => CASE WHEN r5 < 0.1 THEN true WHEN r5 < 0.15 THEN false END,
	expired_entitlement_updates => CASE WHEN r6 < 0.1 THEN 'none' WHEN r6 < 0.2 THEN 'all'
		WHEN r6 < 0.3 THEN 'published_before_expiry' END))
FROM pol \g /dev/null

-- 15,000 requests
CREATE TEMP TABLE requests AS
SELECT n, jsonb_strip_nulls(jsonb_build_object('tenant_id', 'tenant_d' || (1 + floor(random() * 12)::int),
	'install_id', CASE WHEN random() < 0.9 THEN 'inst-' || floor(random() * 5000)::int END,
	'platform', pg_temp.pick('{windows,macos,linux}'), 'arch', pg_temp.pick('{x86_64,arm64}'),
	'capabilities', CASE WHEN random() < 0.7 THEN jsonb_strip_nulls(jsonb_build_object(
		'can_elevate', CASE WHEN random() < 0.5 THEN random() < 0.5 END,
		'install_scope', CASE WHEN random() < 0.6 THEN pg_temp.pick('{user,machine}') END,
		'installer_types', CASE WHEN random() < 0.5 THEN to_jsonb(ARRAY(SELECT it FROM unnest(
			'{msi,exe,msix,pkg,dmg,deb,rpm,appimage}'::text[]) it WHERE random() < 0.4 ORDER BY random())) END)) END,
	'products', jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('product_id', 'prod_d' || (1 + floor(random() * 5)::int),
		'current_version', CASE WHEN random() < 0.8 THEN format('%s.%s.%s', floor(random() * 3)::int + 1,
			floor(random() * 4)::int, floor(random() * 3)::int) END,
		'channel', CASE WHEN random() < 0.2 THEN pg_temp.pick('{stable,beta,nightly}') END))))) AS request
FROM generate_series(1, 15000) n;

SELECT 'digest', md5(string_agg((explain_decision(request) - 'evaluated_at')::text, E'\n' ORDER BY n)) FROM requests;
SELECT 'actions', string_agg(a || '=' || c, ' ' ORDER BY a) FROM (
	SELECT d ->> 'action' AS a, count(*) AS c FROM requests, jsonb_array_elements(explain_decision(request) -> 'decisions') d
	GROUP BY 1) x;

-- The dry run's batch engine (bp_evaluate_cached) on the same data: a fleet
-- made of the requests (installs keep no capabilities and no channel), its
-- counts before a change against one decision at a time, and after it
-- against the change made for real.
INSERT INTO installs (tenant_id, install_id, platform, arch, versions)
SELECT DISTINCT ON (r.request ->> 'tenant_id', r.request ->> 'install_id') r.request ->> 'tenant_id',
	r.request ->> 'install_id', r.request ->> 'platform', r.request ->> 'arch',
	jsonb_build_object(p ->> 'product_id', p ->> 'current_version')
FROM requests r, jsonb_array_elements(r.request -> 'products') p
WHERE r.request ? 'install_id' AND p ? 'current_version'
ORDER BY r.request ->> 'tenant_id', r.request ->> 'install_id', r.n;
CREATE FUNCTION pg_temp.side(rows jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(format('%s %s %s', r ->> 'action', COALESCE(r ->> 'version', '-'), r ->> 'decisions'), ','
		ORDER BY r ->> 'action', r ->> 'version' NULLS FIRST) FROM jsonb_array_elements(rows) r
$$;
CREATE FUNCTION pg_temp.one_by_one() RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(format('%s %s %s', a, COALESCE(v, '-'), n), ',' ORDER BY a, v NULLS FIRST)
	  FROM (SELECT d ->> 'action' AS a, d ->> 'version' AS v, count(*) AS n
			  FROM installs i JOIN tenants t ON t.tenant_id = i.tenant_id, jsonb_each_text(i.versions) x,
			  LATERAL _evaluate(t, i.install_id, i.platform, i.arch, '{"can_elevate": true}', x.key, x.value::semver, NULL, false) d
			 GROUP BY 1, 2) c
$$;
CREATE TEMP TABLE dry AS SELECT dry_run('{"call": "set_policy", "args": {"scope": "global", "mode": "AUTO_INSTALL", "channel": "beta"}}', 0) AS d;
SELECT 'batch_before', pg_temp.side(d -> 'before') = pg_temp.one_by_one() FROM dry;
SELECT count(set_policy('global', mode => 'AUTO_INSTALL', channel => 'beta')) \g /dev/null
SELECT 'batch_after', pg_temp.side(d -> 'after') = pg_temp.one_by_one() FROM dry;
SELECT 'batch_size', (d ->> 'decisions')::int > 2000 AND (d ->> 'changed')::int > 0 FROM dry;
ROLLBACK;
