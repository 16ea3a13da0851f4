-- Demo data for scripts/demo: keys, a catalog of two products with releases
-- for three platforms, an approval workflow, and two tenants.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS bigpicture;
SET search_path = bigpicture, public;

-- Builds and pins, to show the version types.
CREATE TABLE public.demo_builds (
	product text NOT NULL,
	version bigpicture.semver NOT NULL,
	PRIMARY KEY (product, version)
);
INSERT INTO public.demo_builds VALUES
	('acme-editor', '1.9.0'), ('acme-editor', '1.10.0'), ('acme-editor', '1.10.1'),
	('acme-editor', '2.0.0-beta.1'), ('acme-editor', '2.0.0-beta.11'), ('acme-editor', '2.0.0-rc.1'),
	('acme-editor', '2.0.0'), ('acme-editor', '2.1.0+build.2024');

-- Signing keys: a root key (signs the key set) and a decision key (decisions
-- and release metadata).
SELECT activate_key(generate_key('root')) \gset
SELECT activate_key(generate_key('decision')) \gset
SELECT activate_key(generate_key('lease')) \gset

-- Tenants.
SELECT create_tenant('Globex Corporation', 'tenant_globex') \gset
SELECT create_tenant('Initech', 'tenant_initech', decision_ttl => 900) \gset

-- Products and channels.
SELECT create_product('Acme Editor', 'prod_editor') \gset
SELECT create_product('Acme Sync Agent', 'prod_sync', requires_entitlement => false) \gset
SELECT create_channel('prod_editor', 'stable') \gset
SELECT create_channel('prod_editor', 'beta', allows_prerelease => true) \gset
SELECT create_channel('prod_sync', 'stable') \gset

-- Releases with an artifact per platform.  Artifacts are fake but well formed.
CREATE FUNCTION pg_temp.demo_release(product text, version text, channel text, notes text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	rel text := bigpicture.create_release(product, version, channel, notes);
	p record;
BEGIN
	FOR p IN SELECT * FROM (VALUES ('windows', 'x86_64', 'msi', true), ('macos', 'arm64', 'dmg', false),
								   ('linux', 'x86_64', 'deb', true)) AS t(platform, arch, installer, admin)
	LOOP
		PERFORM bigpicture.attach_artifact(rel, bigpicture.create_artifact(product,
			format('https://downloads.acme.example/%s/%s/%s-%s.%s', product, version, p.platform, p.arch, p.installer),
			encode(sha256(convert_to(product || version || p.platform, 'UTF8')), 'hex'),
			50000000 + length(version) * 1000, p.platform, p.arch, p.installer, p.admin,
			CASE WHEN p.admin THEN 'machine' ELSE 'user' END));
	END LOOP;
	PERFORM bigpicture.submit_release(rel);
	RETURN rel;
END
$$;
SELECT pg_temp.demo_release('prod_editor', '1.9.0', 'stable', 'Spell checker') \gset
SELECT pg_temp.demo_release('prod_editor', '1.10.0', 'stable', 'Dark mode') \gset
SELECT pg_temp.demo_release('prod_editor', '1.10.1', 'stable', 'Fixes a crash on save') \gset
SELECT pg_temp.demo_release('prod_editor', '2.0.0-beta.1', 'beta', 'New rendering engine') \gset
SELECT pg_temp.demo_release('prod_sync', '3.2.0', 'stable', 'Delta sync') \gset
-- A bad build goes out and is withdrawn.
SELECT pg_temp.demo_release('prod_sync', '3.2.1', 'stable', 'Faster uploads') AS bad_release \gset
SELECT revoke_release(:'bad_release', 'corrupts files over 4 GiB') \gset

-- From now on stable releases of the editor need two approvals.
SELECT set_approval_workflow('channel', 'prod_editor', 'stable', required_approvals => 2) \gset
SELECT create_release('prod_editor', '1.11.0', 'stable', 'Plugin API') AS pending_release \gset
SELECT attach_artifact(:'pending_release', create_artifact('prod_editor',
	'https://downloads.acme.example/prod_editor/1.11.0/windows-x86_64.msi', repeat('0123456789abcdef', 4),
	51000000, 'windows', 'x86_64', 'msi')) \gset
SELECT submit_release(:'pending_release') \gset

-- Licenses and policy: Globex licenses the editor and auto-installs it;
-- Initech's license has lapsed.  The sync agent needs no license and is
-- rolling out 3.2.0 to a quarter of installs.
SELECT create_entitlement('tenant_globex', 'prod_editor', 'concurrent', max_seats => 50,
	features => '{spellcheck,export_pdf}', ends_at => now() + interval '1 year',
	entitlement_id => 'ent_globex_editor') \gset
SELECT create_entitlement('tenant_initech', 'prod_editor', 'per_user', max_seats => 5,
	starts_at => now() - interval '2 years', ends_at => now() - interval '30 days') \gset
SELECT set_policy('tenant', 'tenant_globex', mode => 'AUTO_INSTALL') \gset
SELECT set_policy('tenant_product', 'tenant_globex', 'prod_editor', platform => 'macos', mode => 'NOTIFY_ONLY') \gset
SELECT set_rollout(release_id, 2500) FROM releases WHERE product_id = 'prod_sync' AND version = '3.2.0' \gset
