-- Fixtures for test/hostile/run: what the hostile cases aim at.  Run once, as a
-- superuser, on a database that has only CREATE EXTENSION bigpicture; the
-- state after it is the baseline that every case must leave unchanged.
SET search_path = bigpicture, public;
\set ON_ERROR_STOP 1
\o /dev/null
SET client_min_messages = warning;

-- Keys of every purpose; the vendor trusts its own root, as a mirror would,
-- so that forged snapshots and certificates get past "no root is pinned".
SELECT activate_key(generate_key(p)) FROM unnest('{root,decision,lease,snapshot,audit}'::text[]) p;
SELECT generate_key('decision') AS pending_kid \gset
SELECT pin_root_key(public_key, 'hostile: the vendor root') FROM public_keys WHERE purpose = 'root' AND state = 'active';

SELECT create_tenant('Acme', 'tenant_ha'), create_tenant('Other', 'tenant_hb'),
	create_tenant('Frozen', 'tenant_hg', offline_grace => '0');

SELECT create_product('Editor', 'prod_h1'), create_product('Viewer', 'prod_h2', requires_entitlement => false);
SELECT create_channel('prod_h1', 'stable'), create_channel('prod_h1', 'beta', allows_prerelease => true),
	create_channel('prod_h2', 'stable');
SELECT create_artifact('prod_h1', 'https://dl.example.com/h1-1.0.0.deb', repeat('ab', 32), 100, 'linux', 'x86_64', 'deb',
	artifact_id => 'art_h1_100');
SELECT create_artifact('prod_h1', 'https://dl.example.com/h1-2.0.0.deb', repeat('cd', 32), 100, 'linux', 'x86_64', 'deb',
	artifact_id => 'art_h1_200');
SELECT create_artifact('prod_h1', 'https://dl.example.com/h1-3.0.0-beta.1.deb', repeat('ef', 32), 100, 'linux', 'x86_64', 'deb',
	artifact_id => 'art_h1_beta');
SELECT create_artifact('prod_h1', 'https://dl.example.com/h1-3.0.0-rc.1.deb', repeat('0f', 32), 100, 'linux', 'x86_64', 'deb',
	artifact_id => 'art_h1_rc');
SELECT create_artifact('prod_h2', 'https://dl.example.com/h2-1.0.0.msi', repeat('01', 32), 100, 'windows', 'x86_64', 'msi',
	artifact_id => 'art_h2_100');
SELECT create_release('prod_h1', '1.0.0', 'stable', release_id => 'rel_h1_100'),
	create_release('prod_h1', '2.0.0', 'stable', release_id => 'rel_h1_200'),
	create_release('prod_h1', '3.0.0-beta.1', 'beta', release_id => 'rel_h1_beta'),
	create_release('prod_h1', '3.0.0-rc.1', 'beta', release_id => 'rel_h1_rc'),
	create_release('prod_h2', '1.0.0', 'stable', release_id => 'rel_h2_100');
SELECT attach_artifact('rel_h1_100', 'art_h1_100'), attach_artifact('rel_h1_200', 'art_h1_200'),
	attach_artifact('rel_h1_beta', 'art_h1_beta'), attach_artifact('rel_h1_rc', 'art_h1_rc'), attach_artifact('rel_h2_100', 'art_h2_100');
SELECT set_approval_workflow('channel', 'prod_h1', 'beta', required_approvals => 2);
SELECT submit_release('rel_h1_100'), submit_release('rel_h2_100');   -- published; rel_h1_200 stays a draft
SELECT set_rollout('rel_h1_100', 5000);

SELECT create_entitlement('tenant_ha', 'prod_h1', 'concurrent', max_seats => 1, entitlement_id => 'ent_ha');
SELECT create_entitlement('tenant_hb', 'prod_h1', 'concurrent', max_seats => 5, entitlement_id => 'ent_hb');
SELECT set_policy('tenant', 'tenant_ha', mode => 'AUTO_INSTALL');
SELECT set_policy('tenant', 'tenant_hb', mode => 'NOTIFY_ONLY');
SELECT register_mirror('Acme HQ', 'tenant_ha', 'mirror_ha'), register_mirror('Other HQ', 'tenant_hb', 'mirror_hb');

-- Roles: one per kind of caller.  bind_role makes the tenant ones act for tenant_ha.
DO $$
DECLARE r text[];
BEGIN
	FOREACH r SLICE 1 IN ARRAY ARRAY[
		['bp_hostile_admin', 'bigpicture_admin'], ['bp_hostile_publisher', 'bigpicture_publisher'],
		['bp_hostile_approver', 'bigpicture_approver'], ['bp_hostile_auditor', 'bigpicture_auditor'],
		['bp_hostile_tadmin_a', 'bigpicture_tenant_admin'], ['bp_hostile_client_a', 'bigpicture_client'],
		['bp_hostile_mirror_a', 'bigpicture_mirror'], ['bp_hostile_client_nt', 'bigpicture_client']] LOOP
		EXECUTE format('CREATE ROLE %I NOLOGIN IN ROLE %I', r[1], r[2]);
	END LOOP;
	CREATE ROLE bp_hostile_nobody NOLOGIN;
	-- The HTTP gateways' logins: release administration opted in (docs/http.md),
	-- and a second one that may also become the vendor's admin.
	CREATE ROLE bp_hostile_gw LOGIN NOINHERIT IN ROLE bigpicture_gateway;
	GRANT bigpicture_publisher, bigpicture_approver TO bp_hostile_gw;
	CREATE ROLE bp_hostile_gw_admin LOGIN NOINHERIT IN ROLE bigpicture_gateway;
	GRANT bigpicture_publisher, bigpicture_approver, bigpicture_admin TO bp_hostile_gw_admin;
	-- Errors are the point here: keep them (and their megabyte values) out of the server log.
	ALTER ROLE bp_hostile_gw SET log_min_messages = fatal;
	ALTER ROLE bp_hostile_gw_admin SET log_min_messages = fatal;
END
$$;
SELECT bind_role(r, 'tenant_ha') FROM unnest('{bp_hostile_tadmin_a,bp_hostile_client_a,bp_hostile_mirror_a}'::text[]) r;

-- The beta releases await two approvals; their submitter is the admin role.
SET SESSION AUTHORIZATION bp_hostile_admin;
SELECT submit_release('rel_h1_beta'), submit_release('rel_h1_rc');
RESET SESSION AUTHORIZATION;

-- Leases: tenant_ha's entitlement has one seat and it is taken; tenant_hb has two leases.
SELECT issue_lease('{"tenant_id": "tenant_ha", "product_id": "prod_h1", "subject_type": "user",
	"subject_id": "holder-0", "install_id": "pc-0"}') ->> 'lease_id' AS lease_ha \gset
SELECT issue_lease('{"tenant_id": "tenant_hb", "product_id": "prod_h1", "subject_type": "user",
	"subject_id": "holder-0", "install_id": "pc-0"}') ->> 'lease_id' AS lease_hb \gset
SELECT issue_lease('{"tenant_id": "tenant_hb", "product_id": "prod_h1", "subject_type": "user",
	"subject_id": "holder-1", "install_id": "pc-1"}') ->> 'lease_id' AS lease_hb2 \gset

-- Snapshots: tenant_ha's is imported back (so a replay is a rollback);
-- tenant_hg's expires in a second and has no offline grace.
SELECT generate_snapshot('tenant_ha', force => true) AS snapshot_ha \gset
SELECT import_snapshot(:'snapshot_ha') IS NOT NULL AS imported;
SELECT generate_snapshot('tenant_hg', ttl => '1 second') AS snapshot_hg \gset
SELECT audit_checkpoint('tenant_ha') AS checkpoint_ha \gset

-- Certificates for keys this server does not have; one expires in a second.
SELECT issue_key_certificate('tenant_ha', paserk_public(sha256('hostile mirror key')), '{decision,lease}',
	now() + interval '30 days', 'mirror_ha') AS cert_ha \gset
SELECT issue_key_certificate('tenant_ha', paserk_public(sha256('hostile expiring key')), '{lease}',
	now() + interval '1 second') AS cert_expiring \gset

-- What the cases refer to: ids and tokens, one "name<TAB>value" per line.
\o :vars
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
SELECT * FROM (VALUES
	('lease_ha', :'lease_ha'), ('lease_hb', :'lease_hb'), ('lease_hb2', :'lease_hb2'), ('pending_kid', :'pending_kid'),
	('snapshot_ha', :'snapshot_ha'), ('snapshot_hg', :'snapshot_hg'), ('checkpoint_ha', :'checkpoint_ha'),
	('cert_ha', :'cert_ha'), ('cert_expiring', :'cert_expiring'),
	('keyset', keyset()),
	('root_key', (SELECT public_key FROM public_keys WHERE purpose = 'root' AND state = 'active')),
	('root_kid', (SELECT kid FROM public_keys WHERE purpose = 'root' AND state = 'active')),
	('decision_kid', (SELECT kid FROM public_keys WHERE purpose = 'decision' AND state = 'active' AND tenant_id IS NULL)),
	('snapshot_kid', (SELECT kid FROM public_keys WHERE purpose = 'snapshot' AND state = 'active')),
	('lease_kid', (SELECT kid FROM public_keys WHERE purpose = 'lease' AND state = 'active')),
	('release_token', (SELECT release_token FROM releases WHERE release_id = 'rel_h1_100')),
	('decision_token', check_update('{"tenant_id": "tenant_hb", "platform": "linux", "arch": "x86_64",
		"products": [{"product_id": "prod_h1", "current_version": "1.0.0"}]}') -> 'decisions' -> 0 ->> 'token'),
	('lease_token', renew_lease(jsonb_build_object('tenant_id', 'tenant_hb', 'lease_id', :'lease_hb')) ->> 'token')
) v(name, value);
