-- Policy administration: who may set what, get/clear, and write-time validation.
BEGIN;
SELECT plan(22);
SET search_path = bigpicture, public;

CREATE ROLE t_pol_dba_a LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE t_pol_admin LOGIN IN ROLE bigpicture_admin;
CREATE ROLE t_pol_client LOGIN IN ROLE bigpicture_client;
DO $$
BEGIN
	PERFORM create_tenant('A', 'tenant_pa'), create_tenant('B', 'tenant_pb');
	PERFORM bind_role('t_pol_dba_a', 'tenant_pa');
	PERFORM create_product('P', 'prod_pol');
	PERFORM create_channel('prod_pol', 'stable'), create_channel('prod_pol', 'beta', true);
END
$$;

-- A tenant administrator manages its own tenant's rows, nothing else.
SET ROLE t_pol_dba_a;
SELECT lives_ok($$SELECT bigpicture.set_policy('tenant', mode => 'AUTO_INSTALL')$$,
	'a tenant admin sets its tenant-wide policy without naming the tenant');
SELECT lives_ok($$SELECT bigpicture.set_policy('tenant_product', NULL, 'prod_pol', 'windows', channel => 'beta')$$,
	'and a tenant_product row for one platform');
SELECT is(bigpicture.get_policy('tenant') ->> 'mode', 'AUTO_INSTALL', 'get_policy returns the stored row');
SELECT is(bigpicture.get_policy('tenant_product', NULL, 'prod_pol', 'windows') ->> 'tenant_id', 'tenant_pa',
	'rows land in the caller''s tenant');
SELECT is(bigpicture.get_policy('tenant_product', NULL, 'prod_pol'), NULL, 'no generic row: NULL');
SELECT throws_ok($$SELECT bigpicture.set_policy('tenant', 'tenant_pb', mode => 'AUTO_INSTALL')$$, '42501',
	'tenant_id does not match the caller''s tenant', 'not for another tenant');
SELECT throws_ok($$SELECT bigpicture.set_policy('global', mode => 'AUTO_INSTALL')$$, '42501',
	'only bigpicture_admin may change global policy', 'not the vendor''s global policy');
SELECT throws_ok($$SELECT bigpicture.set_policy('product', NULL, 'prod_pol', mode => 'AUTO_INSTALL')$$, '42501',
	'only bigpicture_admin may change product policy', 'nor its product policy');
SELECT is(bigpicture.get_policy('global'), NULL, 'but may read vendor policy');
SELECT throws_ok($$INSERT INTO bigpicture.tenant_policies (tenant_id, mode, updated_by) VALUES ('tenant_pb', 'NOTIFY_ONLY', 'x')$$,
	'42501', NULL, 'a direct insert for another tenant violates row-level security');
SELECT throws_ok($$INSERT INTO bigpicture.tenant_policies (tenant_id, product_id, channel, updated_by) VALUES ('tenant_pa', 'prod_pol', 'nightly', 'x')$$,
	'22023', 'channel "nightly" of product "prod_pol" does not exist', 'direct writes are validated like API writes');
SELECT is(bigpicture.clear_policy('tenant_product', NULL, 'prod_pol', 'windows'), true, 'clear_policy removes a row');
SELECT is(bigpicture.clear_policy('tenant_product', NULL, 'prod_pol', 'windows'), false, 'and says when there was none');
RESET ROLE;

SET ROLE t_pol_client;
SELECT throws_ok($$SELECT bigpicture.set_policy('tenant', 'tenant_pa', mode => 'AUTO_INSTALL')$$, '42501', NULL,
	'clients cannot set policy');
RESET ROLE;

-- Admins set every scope; bad input is refused and writes nothing.
SET ROLE t_pol_admin;
SELECT lives_ok($$SELECT bigpicture.set_policy('global', mode => 'NOTIFY_ONLY', blocked => '{"<1.0.0"}')$$,
	'an admin sets global policy');
SELECT throws_ok($$SELECT bigpicture.set_policy('tenant', mode => 'AUTO_INSTALL')$$, '42501', 'no tenant for this caller',
	'an admin must name the tenant');
SELECT is(
	(SELECT array_agg(what) FROM (VALUES
		('bad scope', $$SELECT bigpicture.set_policy('planet')$$, '22023'),
		('product scope without product', $$SELECT bigpicture.set_policy('product')$$, '22023'),
		('global scope with product', $$SELECT bigpicture.set_policy('global', NULL, 'prod_pol')$$, '22023'),
		('unknown product', $$SELECT bigpicture.set_policy('product', NULL, 'prod_nope')$$, 'PT404'),
		('bad platform', $$SELECT bigpicture.set_policy('global', platform => 'beos')$$, '22023'),
		('bad mode', $$SELECT bigpicture.set_policy('global', mode => 'YOLO')$$, '22023'),
		('bad expired rule', $$SELECT bigpicture.set_policy('global', expired_entitlement_updates => 'some')$$, '22023'),
		('empty pin', $$SELECT bigpicture.set_policy('global', pinned_range => '>=3.0.0 <2.0.0')$$, '22023'),
		('malformed pin', $$SELECT bigpicture.set_policy('global', pinned_range => '>=x.y')$$, '22P02'),
		('unknown channel anywhere', $$SELECT bigpicture.set_policy('global', channel => 'nightly')$$, '22023'),
		('window not an object', $$SELECT bigpicture.set_policy('global', maintenance_window => '[]')$$, '22023'),
		('window bad time', $$SELECT bigpicture.set_policy('global', maintenance_window => '{"start":"25:00","end":"02:00"}')$$, '22023'),
		('window same start and end', $$SELECT bigpicture.set_policy('global', maintenance_window => '{"start":"02:00","end":"02:00"}')$$, '22023'),
		('window bad day', $$SELECT bigpicture.set_policy('global', maintenance_window => '{"start":"01:00","end":"02:00","days":["funday"]}')$$, '22023'),
		('window bad zone', $$SELECT bigpicture.set_policy('global', maintenance_window => '{"start":"01:00","end":"02:00","timezone":"Mars/Olympus"}')$$, '22023'),
		('window unknown key', $$SELECT bigpicture.set_policy('global', maintenance_window => '{"start":"01:00","end":"02:00","when":"now"}')$$, '22023')
	) AS t(what, stmt, want)
	 WHERE sqlstate_of(stmt) IS DISTINCT FROM want),
	NULL, 'bad scopes, modes, pins, channels and windows are refused with the right SQLSTATE');
SELECT is((SELECT count(*)::int FROM bigpicture.vendor_policies), 1, 'failed calls wrote nothing');
SELECT is(bigpicture.get_policy('global') -> 'blocked', '["<1.0.0"]'::jsonb, 'the admin''s global row is there');
SELECT lives_ok($$SELECT bigpicture.set_policy('tenant', 'tenant_pb', maintenance_window =>
	'{"days": ["sat", "sun"], "start": "22:00", "end": "06:00", "timezone": "Europe/Berlin"}')$$,
	'an admin sets a tenant''s policy by naming it; a valid window is accepted');
RESET ROLE;

-- Windows: days name the day the window opens; a window may cross midnight.
SELECT is(
	(SELECT array_agg(format('%s at %s', w, at)) FROM (VALUES
		('{"start": "22:00", "end": "06:00"}', '2026-11-28 23:00+00', true),
		('{"start": "22:00", "end": "06:00"}', '2026-11-28 05:59+00', true),
		('{"start": "22:00", "end": "06:00"}', '2026-11-28 06:00+00', false),
		('{"start": "22:00", "end": "06:00", "days": ["sat"]}', '2026-11-28 23:00+00', true),
		('{"start": "22:00", "end": "06:00", "days": ["sat"]}', '2026-11-29 03:00+00', true),
		('{"start": "22:00", "end": "06:00", "days": ["sat"]}', '2026-11-28 03:00+00', false),
		('{"start": "01:00", "end": "03:00", "timezone": "Europe/Berlin"}', '2026-11-28 00:30+00', true),
		('{"start": "01:00", "end": "03:00", "timezone": "Europe/Berlin"}', '2026-11-28 02:30+00', false)
	) AS t(w, at, want)
	 WHERE bigpicture.in_maintenance_window(w::jsonb, at::timestamptz) IS DISTINCT FROM want),
	NULL, 'in_maintenance_window: overnight windows, start days, time zones');
SELECT is((SELECT effective_policy('tenant_pa', 'prod_pol', 'linux') -> 'sources'),
	'{"mode": "tenant", "blocked": "global", "channel": "default", "allow_prerelease": "default", "expired_entitlement_updates": "default"}'::jsonb,
	'effective_policy merges the tenant''s mode with the global block');

SELECT * FROM finish();
ROLLBACK;
