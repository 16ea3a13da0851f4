-- bigpicture.dry_run (docs/dry-run.md): for each kind of change, the dry
-- run's counts before and after are compared with the truth — every
-- install's decision asked one by one (_evaluate, the path check_update
-- takes), before the change and after actually making it in a
-- subtransaction that is then rolled back.  Then: nothing is written or
-- signed, refusals are the real call's, and a tenant's administrator sees
-- only its own fleet.
BEGIN;
SELECT plan(65);
SET search_path = bigpicture, public;

SELECT count(activate_key(generate_key(p))) FROM unnest('{root,decision,audit}'::text[]) p \g /dev/null
SELECT create_tenant('Dry ' || t, 'tenant_dry_' || t) FROM unnest('{a,b,c}'::text[]) t \g /dev/null
SELECT create_product('App', 'prod_dry_app'), create_channel('prod_dry_app', 'stable') \g /dev/null
SELECT create_product('Tool', 'prod_dry_tool', requires_entitlement => false), create_channel('prod_dry_tool', 'stable') \g /dev/null
SELECT count(create_entitlement('tenant_dry_' || t, 'prod_dry_app', 'concurrent', max_seats => 10000))
FROM unnest('{a,c}'::text[]) t \g /dev/null

-- Releases 1.0.0 to 3.0.0 of both products published for windows and linux;
-- 4.0.0 of the app a draft with its artifacts.
CREATE FUNCTION pg_temp.release(product text, v int, publish boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	rid text := 'rel_' || product || '_' || v;
BEGIN
	PERFORM create_release('prod_dry_' || product, v || '.0.0', 'stable', release_id => rid);
	PERFORM attach_artifact(rid, create_artifact('prod_dry_' || product,
		format('https://dl.example.com/%s/%s/%s', product, v, pl.p), repeat('cd', 32), 100 + v, pl.p, 'x86_64', pl.i))
	FROM (VALUES ('windows', 'msi'), ('linux', 'deb')) pl(p, i);
	IF publish THEN
		PERFORM submit_release(rid);
	END IF;
	RETURN rid;
END
$$;
SELECT count(pg_temp.release(p, v, v < 4)) FROM unnest('{app,tool}'::text[]) p, generate_series(1, 4) v \g /dev/null

-- Rollouts: 3.0.0 of the app at 50% (some installs already in), 3.0.0 of the tool at 20% on windows.
SELECT set_rollout('rel_app_3', 5000), set_rollout('rel_tool_3', 2000, 'windows') \g /dev/null

-- Policies at several scopes, a pin, a block and a maintenance window.
SELECT set_policy('global', mode => 'NOTIFY_ONLY') \g /dev/null
SELECT set_policy('tenant', 'tenant_dry_a', mode => 'AUTO_INSTALL') \g /dev/null
SELECT set_policy('tenant_product', 'tenant_dry_b', 'prod_dry_tool', platform => 'windows', pinned_range => '<3.0.0') \g /dev/null
SELECT set_policy('tenant_product', 'tenant_dry_c', 'prod_dry_tool', blocked => '{2.0.0}', mode => 'AUTO_INSTALL',
	maintenance_window => jsonb_build_object('start', to_char(now() AT TIME ZONE 'UTC' + interval '2 hours', 'HH24:MI'),
		'end', to_char(now() AT TIME ZONE 'UTC' + interval '3 hours', 'HH24:MI'), 'timezone', 'UTC')) \g /dev/null

-- The fleet: 900 installs over three tenants and platforms (macOS has no
-- artifact), most running both products at 1.0.0–3.0.0; a few without a
-- platform or with a version that is not SemVer (skipped, as no request
-- could have recorded them).
INSERT INTO installs (tenant_id, install_id, platform, arch, versions)
SELECT 'tenant_dry_' || (ARRAY['a', 'b', 'c'])[1 + n % 3], 'dry-' || n, (ARRAY['windows', 'linux', 'macos'])[1 + (n / 3) % 3],
	'x86_64', CASE WHEN n % 7 = 0 THEN jsonb_build_object('prod_dry_app', (1 + (n / 2) % 3) || '.0.0')
		ELSE jsonb_build_object('prod_dry_app', (1 + (n / 2) % 3) || '.0.0', 'prod_dry_tool', (1 + (n / 9) % 3) || '.0.0') END
FROM generate_series(1, 900) n;
INSERT INTO installs (tenant_id, install_id, platform, arch, versions) VALUES
	('tenant_dry_a', 'dry-noplatform', NULL, NULL, '{"prod_dry_app": "1.0.0"}'),
	('tenant_dry_a', 'dry-badversion', 'linux', 'x86_64', '{"prod_dry_app": "one"}');
INSERT INTO rollout_members (release_id, tenant_id, install_id)
SELECT 'rel_app_3', tenant_id, install_id FROM installs WHERE install_id ~ '^dry-[0-9]+$' AND substr(install_id, 5)::int % 5 = 0;

-- Every install's decisions, asked one by one.
CREATE FUNCTION pg_temp.truth(p_tenant text, p_product text)
RETURNS TABLE (tenant_id text, install_id text, product_id text, action text, version text) LANGUAGE sql AS $$
	SELECT i.tenant_id, i.install_id, v.key, d ->> 'action', d ->> 'version'
	  FROM installs i JOIN tenants t ON t.tenant_id = i.tenant_id
	 CROSS JOIN LATERAL jsonb_each_text(i.versions) v
	 CROSS JOIN LATERAL _evaluate(t, i.install_id, i.platform, i.arch, '{"can_elevate": true}', v.key, v.value::semver, NULL, false) d
	 WHERE i.platform IS NOT NULL AND v.value ~ '^[0-9]+\.[0-9]+\.[0-9]+$'
	   AND (p_tenant IS NULL OR i.tenant_id = p_tenant) AND (p_product IS NULL OR v.key = p_product)
$$;
-- Counts per action and version as sorted text, from the truth or from a dry run's side.
CREATE FUNCTION pg_temp.counts(rows jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(format('%s %s %s', r ->> 'action', COALESCE(r ->> 'version', '-'), r ->> 'decisions'), ', '
		ORDER BY r ->> 'action', r ->> 'version' NULLS FIRST)
	  FROM jsonb_array_elements(rows) r
$$;
CREATE FUNCTION pg_temp.truth_counts(t jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT COALESCE(jsonb_agg(jsonb_build_object('action', action, 'version', version, 'decisions', n)), '[]')
	  FROM (SELECT x ->> 'action' AS action, x ->> 'version' AS version, count(*) AS n
			  FROM jsonb_array_elements(t) x GROUP BY 1, 2) c
$$;

-- One change: the dry run against the truth before and after making it for real (rolled back).
CREATE FUNCTION pg_temp.check(change jsonb, label text, expect_changes boolean DEFAULT true)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	dry jsonb := dry_run(change, 1000);
	rt text := dry -> 'reach' ->> 'tenant_id';
	rp text := dry -> 'reach' ->> 'product_id';
	before jsonb := (SELECT jsonb_agg(to_jsonb(x)) FROM pg_temp.truth(rt, rp) x);
	after jsonb;
	changed int;
	per_tenant text;
	sample_ok boolean;
BEGIN
	BEGIN
		PERFORM _dry_run_apply(change);
		after := (SELECT jsonb_agg(to_jsonb(x)) FROM pg_temp.truth(rt, rp) x);
		RAISE EXCEPTION 'roll back' USING ERRCODE = 'BPT01';
	EXCEPTION WHEN SQLSTATE 'BPT01' THEN
		NULL;
	END;
	SELECT count(*) INTO changed
	  FROM jsonb_to_recordset(before) b(tenant_id text, install_id text, product_id text, action text, version text)
	  JOIN jsonb_to_recordset(after) a(tenant_id text, install_id text, product_id text, action text, version text)
		USING (tenant_id, install_id, product_id)
	 WHERE (b.action, b.version) IS DISTINCT FROM (a.action, a.version);
	SELECT string_agg(format('%s %s/%s', tenant_id, c, n), ', ' ORDER BY tenant_id) INTO per_tenant
	  FROM (SELECT b.tenant_id, count(*) AS n,
				   count(*) FILTER (WHERE (b.action, b.version) IS DISTINCT FROM (a.action, a.version)) AS c
			  FROM jsonb_to_recordset(before) b(tenant_id text, install_id text, product_id text, action text, version text)
			  JOIN jsonb_to_recordset(after) a(tenant_id text, install_id text, product_id text, action text, version text)
				USING (tenant_id, install_id, product_id)
			 GROUP BY 1) t WHERE c > 0;
	-- the sample (up to 1000 here: all of them) is exactly the installs that change, with both sides
	SELECT bool_and(EXISTS (SELECT 1 FROM jsonb_to_recordset(before) b(tenant_id text, install_id text, product_id text,
			action text, version text)
		WHERE b.tenant_id = s ->> 'tenant_id' AND b.install_id = s ->> 'install_id' AND b.product_id = s ->> 'product_id'
		  AND b.action = s -> 'before' ->> 'action' AND b.version IS NOT DISTINCT FROM s -> 'before' ->> 'version'
		  AND s -> 'after' ->> 'rationale' IS NOT NULL))
	  INTO sample_ok FROM jsonb_array_elements(dry -> 'sample') s;
	RETURN NEXT is(pg_temp.counts(dry -> 'before'), pg_temp.counts(pg_temp.truth_counts(before)), label || ': counts before');
	RETURN NEXT is(pg_temp.counts(dry -> 'after'), pg_temp.counts(pg_temp.truth_counts(after)), label || ': counts after');
	RETURN NEXT is((dry ->> 'changed')::int, changed, label || ': decisions that change');
	RETURN NEXT is((SELECT string_agg(format('%s %s/%s', t ->> 'tenant_id', t ->> 'changed', t ->> 'decisions'), ', '
		ORDER BY t ->> 'tenant_id') FROM jsonb_array_elements(dry -> 'tenants') t), per_tenant, label || ': per tenant');
	RETURN NEXT ok((changed > 0) = expect_changes AND jsonb_array_length(dry -> 'sample') = changed
		AND COALESCE(sample_ok, true), label || ': the sample is the changed decisions, both explained');
END
$$;

SELECT * FROM pg_temp.check('{"call": "set_policy", "args": {"scope": "tenant", "tenant_id": "tenant_dry_b", "mode": "AUTO_INSTALL"}}',
	'a tenant policy');
SELECT * FROM pg_temp.check('{"call": "set_policy", "args": {"scope": "global", "mode": "MANAGED_BY_IT"}}', 'the global policy');
SELECT * FROM pg_temp.check('{"call": "set_policy", "args": {"scope": "product", "product_id": "prod_dry_tool", "blocked": ["3.0.0"]}}',
	'a block on a product');
SELECT * FROM pg_temp.check('{"call": "set_policy", "args": {"scope": "tenant_product", "tenant_id": "tenant_dry_a", "product_id": "prod_dry_app", "pinned_range": "<2.0.0"}}',
	'a pin for one tenant''s product');
SELECT * FROM pg_temp.check('{"call": "set_rollout", "args": {"release_id": "rel_app_3", "percentage": 9000}}', 'a rollout widened');
SELECT * FROM pg_temp.check('{"call": "halt_rollout", "args": {"release_id": "rel_app_3", "reason": "crash reports"}}',
	'a rollout halted (its members keep it)');
SELECT * FROM pg_temp.check('{"call": "revoke_release", "args": {"release_id": "rel_app_3", "reason": "bad build"}}',
	'a release revoked');
SELECT * FROM pg_temp.check('{"call": "submit_release", "args": {"release_id": "rel_app_4"}}', 'a release published');
SELECT * FROM pg_temp.check('{"call": "clear_policy", "args": {"scope": "tenant", "tenant_id": "tenant_dry_c"}}',
	'a policy cleared that set nothing', false);

-- ---- the whole picture --------------------------------------------------------------------------
SELECT is((SELECT (d ->> 'installs')::int || ' ' || (d ->> 'skipped')::int || ' ' || (d ->> 'decisions')::int
	FROM (SELECT dry_run('{"call": "set_policy", "args": {"scope": "global", "mode": "AUTO_INSTALL"}}', 0) d) x),
	(SELECT count(*) FILTER (WHERE platform IS NOT NULL) || ' 2 '
		|| (SELECT count(*) FROM installs i, jsonb_each_text(i.versions) v WHERE platform IS NOT NULL AND v.value <> 'one')
	 FROM installs), 'every install within reach is counted; one without a platform and a version that is no SemVer are skipped');
-- ---- nothing written, nothing signed ------------------------------------------------------------
CREATE TEMP TABLE state_before AS
SELECT (SELECT count(*) FROM audit_events) AS audit, (SELECT count(*) FROM events) AS events,
	   (SELECT string_agg(release_id || status || COALESCE(release_token, '-'), ',' ORDER BY release_id) FROM releases) AS releases,
	   (SELECT count(*) FROM tenant_policies) + (SELECT count(*) FROM vendor_policies) AS policies,
	   (SELECT string_agg(release_id || percentage || COALESCE(halted_at::text, '-'), ',' ORDER BY release_id) FROM rollouts) AS rollouts;
SELECT dry_run(c) FROM unnest(ARRAY[
	'{"call": "submit_release", "args": {"release_id": "rel_app_4"}}',
	'{"call": "set_policy", "args": {"scope": "tenant", "tenant_id": "tenant_dry_b", "mode": "AUTO_INSTALL"}}',
	'{"call": "halt_rollout", "args": {"release_id": "rel_app_3", "reason": "x"}}']::jsonb[]) c \g /dev/null
SELECT is((SELECT to_jsonb(s) FROM state_before s),
	(SELECT to_jsonb(s) FROM (SELECT (SELECT count(*) FROM audit_events) AS audit, (SELECT count(*) FROM events) AS events,
	   (SELECT string_agg(release_id || status || COALESCE(release_token, '-'), ',' ORDER BY release_id) FROM releases) AS releases,
	   (SELECT count(*) FROM tenant_policies) + (SELECT count(*) FROM vendor_policies) AS policies,
	   (SELECT string_agg(release_id || percentage || COALESCE(halted_at::text, '-'), ',' ORDER BY release_id) FROM rollouts) AS rollouts) s),
	'after dry runs of a publication, a policy and a halt: no audit entry, event, release, policy or rollout changed');
-- A change that would sign is refused as the real one is without the key (and otherwise signs nothing).
SELECT revoke_key(kid, 'test') FROM signing_keys WHERE purpose = 'decision' AND state = 'active' \g /dev/null
CREATE TEMP TABLE audit_after_revoke AS SELECT count(*) AS audit FROM audit_events;
SELECT is(failure_of($$SELECT dry_run('{"call": "submit_release", "args": {"release_id": "rel_app_4"}}')$$),
	failure_of($$SELECT submit_release('rel_app_4')$$), 'no decision key (releases are signed with it): the dry run of a publication fails as the real one');

-- ---- refusals: the real call's, and the dry run's own -------------------------------------------
SELECT is(failure_of($$SELECT dry_run('{"call": "revoke_release", "args": {"release_id": "rel_app_3", "reason": " "}}')$$),
	failure_of($$SELECT revoke_release('rel_app_3', ' ')$$), 'a revocation without a reason: the real call''s error');
SELECT is(failure_of($$SELECT dry_run('{"call": "submit_release", "args": {"release_id": "rel_app_1"}}')$$),
	failure_of($$SELECT submit_release('rel_app_1')$$), 'publishing a published release: the real call''s error');
SELECT is(failure_of($$SELECT dry_run('{"call": "set_policy", "args": {"scope": "tenant", "tenant_id": "tenant_dry_a", "mode": "SOMETIMES"}}')$$),
	failure_of($$SELECT set_policy('tenant', 'tenant_dry_a', mode => 'SOMETIMES')$$), 'a bad mode: the real call''s error');
SELECT is(failure_of($$SELECT dry_run('{"call": "set_rollout", "args": {"release_id": "rel_none", "percentage": 10}}')$$),
	failure_of($$SELECT set_rollout('rel_none', 10)$$), 'an unknown release: the real call''s error');
SELECT is(failure_of($$SELECT dry_run('{"call": "drop_table"}')$$), '22023 a dry run cannot make the change "drop_table"',
	'only the listed calls');
SELECT is(failure_of($$SELECT dry_run('{"call": "set_rollout", "args": {"release_id": "rel_app_3", "percent": 10}}')$$),
	'22023 unknown argument "percent" of set_rollout', 'an unknown argument is refused, not ignored');
SELECT is(failure_of($$SELECT dry_run('{"call": "set_rollout", "when": "now"}')$$), '22023 unknown field "when" of a change',
	'an unknown field of the change');
SELECT is(failure_of($$SELECT dry_run('[1]')$$), '22023 a change is a JSON object {"call": "…", "args": {…}}', 'not an object');
SELECT is(failure_of($$SELECT dry_run(NULL)$$), '22023 a dry run needs a change', 'no change');
SELECT is(failure_of($$SELECT dry_run('{"call": "clear_policy", "args": {"scope": "global"}}', 1001)$$),
	'22023 sample must be between 0 and 1000', 'the sample is bounded');
SELECT is((SELECT count(*)::int FROM audit_events), (SELECT audit::int FROM audit_after_revoke), 'refused dry runs wrote nothing either');

-- ---- a tenant's administrator: its own fleet, its own rights ------------------------------------
CREATE ROLE dry_test_dba LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE dry_test_nobody LOGIN IN ROLE bigpicture_tenant_admin;
SELECT bind_role('dry_test_dba', 'tenant_dry_b') \g /dev/null
SET LOCAL ROLE dry_test_dba;
SELECT is((SELECT d -> 'reach' ->> 'tenant_id' || ' ' || (d ->> 'installs') || ' '
		|| (SELECT string_agg(DISTINCT t ->> 'tenant_id', ',') FROM jsonb_array_elements(d -> 'tenants') t)
	FROM (SELECT dry_run('{"call": "set_policy", "args": {"scope": "tenant", "mode": "AUTO_INSTALL"}}') d) x),
	'tenant_dry_b 300 tenant_dry_b', 'a tenant admin''s dry run: its own 300 installs, its own tenant');
SELECT is(failure_of($$SELECT dry_run('{"call": "set_policy", "args": {"scope": "global", "mode": "AUTO_INSTALL"}}')$$),
	failure_of($$SELECT set_policy('global', mode => 'AUTO_INSTALL')$$), 'a vendor policy: refused as the real call is');
SELECT is(failure_of($$SELECT dry_run('{"call": "set_policy", "args": {"scope": "tenant", "tenant_id": "tenant_dry_a", "mode": "AUTO_INSTALL"}}')$$),
	failure_of($$SELECT set_policy('tenant', 'tenant_dry_a', mode => 'AUTO_INSTALL')$$), 'another tenant''s policy: refused as the real call is');
SELECT is(failure_of($$SELECT dry_run('{"call": "revoke_release", "args": {"release_id": "rel_app_3", "reason": "x"}}')$$),
	'42501 permission denied for function revoke_release', 'a call it may not make: permission denied, as for the call');
SELECT is(left(failure_of($$SELECT revoke_release('rel_app_3', 'x')$$), 5), '42501', '(the real call is refused too)');
SET LOCAL ROLE dry_test_nobody;
SELECT is(failure_of($$SELECT dry_run('{"call": "set_policy", "args": {"scope": "tenant", "mode": "AUTO_INSTALL"}}')$$),
	'42501 a dry run needs a tenant or bigpicture_admin', 'a role bound to no tenant sees no fleet');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
