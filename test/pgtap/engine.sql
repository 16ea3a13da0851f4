-- The decision engine in C (src/extension/evaluate.c, decisions.c, tenancy.c):
-- what its prepared plans and its cursor must get right beyond the decision
-- cases of decisions.sql — plans shared by callers under different row-level
-- security, plans outliving the tables they were made for, a release whose
-- rows span the cursor's batches, and tenant resolution through the gateway.
BEGIN;
SELECT plan(16);
SET search_path = bigpicture, public;

CREATE FUNCTION pg_temp.setup() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bigpicture.activate_key(bigpicture.generate_key(p)) FROM unnest(ARRAY['decision', 'root']) p;
	PERFORM bigpicture.create_tenant('Engine A', 'tenant_eng_a');
	PERFORM bigpicture.create_tenant('Engine B', 'tenant_eng_b');
	PERFORM bigpicture.create_product('Engine App', 'prod_eng', requires_entitlement => false);
	PERFORM bigpicture.create_channel('prod_eng', 'stable');
END
$$;

CREATE FUNCTION pg_temp.publish(v text, types text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	rid text := 'rel_eng_' || replace(v, '.', '_');
	t text;
BEGIN
	PERFORM bigpicture.create_release('prod_eng', v, 'stable', release_id => rid);
	FOREACH t IN ARRAY types LOOP
		PERFORM bigpicture.attach_artifact(rid, bigpicture.create_artifact('prod_eng',
			format('https://dl.example.com/eng/%s/app.%s', v, t), repeat('ab', 32), 1000,
			'windows', 'x86_64', t));
	END LOOP;
	PERFORM bigpicture.submit_release(rid);
	RETURN rid;
END
$$;

CREATE FUNCTION pg_temp.decide(tenant text, types jsonb DEFAULT NULL) RETURNS jsonb LANGUAGE sql AS $$
	SELECT bigpicture.verify_token(bigpicture.check_update(jsonb_build_object(
		'tenant_id', tenant, 'install_id', 'inst-eng', 'platform', 'windows', 'arch', 'x86_64',
		'capabilities', jsonb_strip_nulls(jsonb_build_object('installer_types', types)),
		'products', '[{"product_id": "prod_eng", "current_version": "1.0.0"}]'::jsonb)) #>> '{decisions,0,token}')
$$;

SELECT pg_temp.setup();
SELECT pg_temp.publish('1.0.0', '{msi}');
SELECT bigpicture.set_policy('tenant', 'tenant_eng_b', mode => 'AUTO_INSTALL');

-- ---- one plan, callers under different row-level security ------------------------------

SELECT is(effective_policy('tenant_eng_b', 'prod_eng') #>> '{sources,mode}', 'tenant',
	'the superuser sees tenant B''s own policy row');
CREATE ROLE eng_admin_a;
GRANT bigpicture_tenant_admin TO eng_admin_a;
SELECT bind_role('eng_admin_a', 'tenant_eng_a');
SET ROLE eng_admin_a;
SELECT is(effective_policy('tenant_eng_b', 'prod_eng') #>> '{sources,mode}', 'default',
	'the same prepared plan run by tenant A''s admin sees no row of tenant B');
SELECT is(effective_policy('tenant_eng_a', 'prod_eng') #>> '{policy,mode}', 'NOTIFY_ONLY',
	'and its own tenant''s policy as merged');
RESET ROLE;
SELECT is(effective_policy('tenant_eng_b', 'prod_eng') #>> '{sources,mode}', 'tenant',
	'back as the superuser, tenant B''s row is seen again');

-- ---- a release whose rows span the cursor's batches ----------------------------------------

-- Ten installer types and two rollout rows give 20 rows for one release, more
-- than one fetch of the cursor; the artifact and rollout chosen must not depend on it.
SELECT pg_temp.publish('2.0.0', '{zip,msi,msix,exe,appimage,deb,rpm,dmg,pkg,tar.gz}');
SELECT set_rollout('rel_eng_2_0_0', 0);
SELECT set_rollout('rel_eng_2_0_0', 10000, 'windows');
SELECT is(pg_temp.decide('tenant_eng_a', '["zip", "exe"]') #>> '{artifact,installer_type}', 'zip',
	'the client''s first installer type is chosen among 20 rows of one release');
SELECT is(pg_temp.decide('tenant_eng_a', '["tar.gz"]') #>> '{artifact,installer_type}', 'tar.gz',
	'and its only one when it names one');
SELECT is(pg_temp.decide('tenant_eng_a') #>> '{artifact,installer_type}', 'appimage',
	'with no preference, the first installer type by name');
SELECT is(pg_temp.decide('tenant_eng_a') ->> 'version', '2.0.0',
	'the platform''s own rollout (100%) wins over the platform-wide one (0%)');
SELECT is((explain_decision(jsonb_build_object('tenant_id', 'tenant_eng_a', 'install_id', 'inst-eng',
		'platform', 'windows', 'arch', 'x86_64', 'products', '[{"product_id": "prod_eng", "current_version": "1.0.0"}]'::jsonb))
		#> '{decisions,0,trace,0,rollout,percentage}')::int, 10000,
	'the trace shows the rollout row that applied');
SELECT set_rollout('rel_eng_2_0_0', 0, 'windows');
SELECT is(pg_temp.decide('tenant_eng_a') -> 'reasons', '["rollout_not_reached"]'::jsonb,
	'at 0% for the platform, the release is held back');

-- ---- tenant resolution through the gateway -------------------------------------------------

-- Claims count only in a gateway session; as the superuser they are ignored.
SET request.jwt.claims = '{"tenant_id": "tenant_eng_b", "sub": "someone"}';
SELECT is(current_tenant(), NULL, 'claims outside a gateway session name no tenant');
SELECT is(current_actor(), current_user::text, 'nor an actor');
SET request.jwt.claims = '';

-- ---- plans that outlive their tables ---------------------------------------------------------

SELECT set_rollout('rel_eng_2_0_0', 10000, 'windows');
SELECT is(pg_temp.decide('tenant_eng_b') ->> 'action', 'INSTALL', 'a decision before the extension is re-created');
-- events get their ids at commit (a deferred trigger); give them now, so their table can go
SET CONSTRAINTS ALL IMMEDIATE;
DROP EXTENSION bigpicture CASCADE;
CREATE EXTENSION bigpicture;
SELECT pg_temp.setup();
SELECT pg_temp.publish('1.0.0', '{msi}');
SELECT pg_temp.publish('1.5.0', '{msi}');
SELECT is(pg_temp.decide('tenant_eng_b') ->> 'version', '1.5.0',
	'the same session decides on the new tables: plans are made again, not run on dropped ones');
SELECT is(pg_temp.decide('tenant_eng_b') ->> 'action', 'NOTIFY',
	'and reads the new policy rows (none: the default mode)');
SELECT is(effective_policy('tenant_eng_b', 'prod_eng') -> 'sources',
	'{"mode": "default", "channel": "default", "allow_prerelease": "default", "expired_entitlement_updates": "default"}'::jsonb,
	'effective_policy too');

SELECT * FROM finish();
ROLLBACK;
