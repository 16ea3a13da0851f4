-- Update decisions: a table of cases — policy scopes and their
-- merging, blocked / pinned / prerelease / rollout filters, revocation, modes,
-- installer capabilities, maintenance windows, entitlements, tenancy — each
-- evaluated by check_update (token verified) and explain_decision against its
-- own policy setup, which is rolled back after the case.  Then: tokens and
-- payloads, multi-product requests, rollout properties, windows, explain
-- traces, IT targets, installs, the decision log, bad requests, callers
-- bound to a tenant, and key rotation.
BEGIN;
SELECT plan(124);
SET search_path = bigpicture, public;

-- ---- helpers ------------------------------------------------------------------------

-- Publish a release of p with artifacts given as 'platform/arch/type' or
-- 'platform/arch/type/admin' (requires_admin, machine scope); returns its id,
-- rel_<product without prod_>_<version with _ for punctuation>.
CREATE FUNCTION pg_temp.publish(p text, v text, ch text, arts text[], crit boolean DEFAULT false)
	RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	rid text := 'rel_' || replace(p, 'prod_', '') || '_' || regexp_replace(v, '[^A-Za-z0-9]', '_', 'g');
	a text;
	part text[];
BEGIN
	PERFORM bigpicture.create_release(p, v, ch, critical => crit, release_id => rid);
	FOREACH a IN ARRAY arts LOOP
		part := string_to_array(a, '/');
		PERFORM bigpicture.attach_artifact(rid, bigpicture.create_artifact(p,
			format('https://dl.example.com/%s/%s/%s-%s.%s', p, v, part[1], part[2], part[3]),
			encode(sha256(convert_to(rid || a, 'UTF8')), 'hex'), 1000 + length(rid || a),
			part[1], part[2], part[3], requires_admin => part[4] IS NOT DISTINCT FROM 'admin',
			install_scope => CASE WHEN part[4] = 'admin' THEN 'machine' ELSE 'user' END,
			artifact_id => 'art_' || substr(rid, 5) || '_' || part[1] || '_' || part[3]));
	END LOOP;
	IF bigpicture.submit_release(rid) <> 'published' THEN
		RAISE EXCEPTION 'release % was not published', rid;
	END IF;
	RETURN rid;
END
$$;

-- A one-product request from a windows/x86_64 install; extra is merged over
-- the top level (platform, arch, capabilities, install_id, …).
CREATE FUNCTION pg_temp.q(p text, cv text DEFAULT NULL, ch text DEFAULT NULL, extra jsonb DEFAULT '{}')
	RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('install_id', 'inst-1', 'nonce', 'n-1', 'platform', 'windows', 'arch', 'x86_64',
		'products', jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('product_id', p, 'current_version', cv,
			'channel', ch)))) || extra
$$;

-- A maintenance window from now()+from_min to now()+to_min minutes, in the
-- local time of tz; with_tz false leaves the timezone out (so UTC applies).
CREATE FUNCTION pg_temp.win(from_min int, to_min int, tz text DEFAULT 'UTC', days text[] DEFAULT NULL,
	with_tz boolean DEFAULT true) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'start', to_char((now() AT TIME ZONE tz) + make_interval(mins => from_min), 'HH24:MI'),
		'end', to_char((now() AT TIME ZONE tz) + make_interval(mins => to_min), 'HH24:MI'),
		'timezone', CASE WHEN with_tz THEN tz END, 'days', to_jsonb(days)))
$$;
-- The lower-case day name ('mon', …) of now() + offset in UTC.
CREATE FUNCTION pg_temp.day(offset_min int) RETURNS text LANGUAGE sql AS $$
	SELECT lower(to_char((now() AT TIME ZONE 'UTC') + make_interval(mins => offset_min), 'Dy'))
$$;

-- The decision for the first product of a request, made after running setup;
-- the setup and everything the call wrote are rolled back afterwards.
-- reasons and policy_sources come from the verified token.  problems lists
-- inconsistencies: the token does not verify with paseto_verify and the
-- signer's PASERK key, typ is not decision, the payload disagrees with the
-- response, or explain_decision disagrees with check_update.  An error is
-- returned as action 'ERROR <sqlstate> <message>'.
CREATE FUNCTION pg_temp.decide(tenant text, req jsonb, setup text DEFAULT NULL,
	OUT action text, OUT version text, OUT reasons text[], OUT sources jsonb, OUT payload jsonb, OUT problems text)
	LANGUAGE plpgsql AS $$
DECLARE
	r jsonb := CASE WHEN tenant IS NULL THEN req ELSE req || jsonb_build_object('tenant_id', tenant) END;
	resp jsonb;
	tok text;
	ex jsonb;
	pk text;
BEGIN
	BEGIN
		IF setup IS NOT NULL THEN
			EXECUTE setup;
		END IF;
		resp := bigpicture.check_update(r);
		tok := resp #>> '{decisions,0,token}';
		payload := bigpicture.verify_token(tok);
		SELECT k.public_key INTO pk FROM bigpicture.public_keys k WHERE k.kid = bigpicture.paseto_footer(tok) ->> 'kid';
		ex := bigpicture.explain_decision(r) #> '{decisions,0}';
		action := resp #>> '{decisions,0,action}';
		version := resp #>> '{decisions,0,version}';
		reasons := ARRAY(SELECT jsonb_array_elements_text(payload -> 'reasons'));
		sources := payload -> 'policy_sources';
		problems := NULLIF(concat_ws('; ',
			CASE WHEN bigpicture.paseto_verify(tok, pk) IS DISTINCT FROM payload THEN 'paseto_verify disagrees' END,
			CASE WHEN payload ->> 'typ' IS DISTINCT FROM 'decision' THEN 'typ is not decision' END,
			CASE WHEN (payload ->> 'action', payload ->> 'version', payload ->> 'product_id')
				IS DISTINCT FROM (action, version, resp #>> '{decisions,0,product_id}') THEN 'payload disagrees with response' END,
			CASE WHEN (ex ->> 'action', ex ->> 'version', ex -> 'reasons', ex -> 'policy_sources')
				IS DISTINCT FROM (action, version, payload -> 'reasons', payload -> 'policy_sources')
				THEN 'explain_decision disagrees: ' || (ex - 'trace' - 'policy')::text END), '');
		RAISE SQLSTATE 'BPOK0';
	EXCEPTION
		WHEN SQLSTATE 'BPOK0' THEN NULL;
		WHEN OTHERS THEN action := 'ERROR ' || SQLSTATE || ' ' || SQLERRM;
	END;
END
$$;


-- ---- fixtures -------------------------------------------------------------------------
CREATE TEMP TABLE k AS SELECT generate_key('root') AS root, generate_key('decision') AS dec1;
DO $$BEGIN PERFORM activate_key(root), activate_key(dec1) FROM k; END$$;

DO $$BEGIN
	PERFORM create_tenant('Acme', 'tenant_a', decision_ttl => 900, retry_after => 120);
	PERFORM create_tenant('Beta Corp', 'tenant_b');
	-- requires_entitlement true: app, gated, lic; false: free, roll.
	PERFORM create_product('App', 'prod_app');
	PERFORM create_product('Free', 'prod_free', requires_entitlement => false);
	PERFORM create_product('Gated', 'prod_gated');
	PERFORM create_product('Licensed', 'prod_lic');
	PERFORM create_product('Rolling', 'prod_roll', requires_entitlement => false);
	PERFORM create_channel('prod_app', 'stable');
	PERFORM create_channel('prod_app', 'beta', allows_prerelease => true);
	PERFORM create_channel(p, 'stable') FROM unnest(ARRAY['prod_free', 'prod_gated', 'prod_lic', 'prod_roll']) p;

	-- prod_app stable: 1.0.0 … 2.1.0 on every platform (2.1.0 with an admin msi
	-- and a plain exe for windows), 2.1.1 for linux only; beta: two prereleases.
	PERFORM pg_temp.publish('prod_app', v, 'stable', '{windows/x86_64/msi,macos/arm64/dmg,linux/x86_64/deb}', v = '2.0.0')
	   FROM unnest(ARRAY['1.0.0', '1.1.0', '1.2.0', '2.0.0']) v;
	PERFORM pg_temp.publish('prod_app', '2.1.0', 'stable',
		'{windows/x86_64/msi/admin,windows/x86_64/exe,macos/arm64/dmg,linux/x86_64/deb}');
	PERFORM pg_temp.publish('prod_app', '2.1.1', 'stable', '{linux/x86_64/deb}');
	PERFORM pg_temp.publish('prod_app', v, 'beta', '{windows/x86_64/msi,macos/arm64/dmg,linux/x86_64/deb}')
	   FROM unnest(ARRAY['3.0.0-beta.1', '3.0.0-beta.2']) v;
	-- prod_free: a prerelease on its stable channel.
	PERFORM pg_temp.publish('prod_free', v, 'stable', '{windows/x86_64/msi,macos/arm64/dmg,linux/x86_64/deb}')
	   FROM unnest(ARRAY['0.9.0', '1.0.0', '1.1.0-rc.1']) v;
	PERFORM pg_temp.publish('prod_gated', '1.0.0', 'stable', '{windows/x86_64/msi}');
	PERFORM pg_temp.publish('prod_lic', v, 'stable', '{windows/x86_64/msi}') FROM unnest(ARRAY['1.0.0', '1.1.0']) v;
	PERFORM pg_temp.publish('prod_roll', v, 'stable', '{windows/x86_64/msi,macos/arm64/dmg}')
	   FROM unnest(ARRAY['1.0.0', '1.1.0', '1.2.0']) v;

	PERFORM create_entitlement('tenant_a', 'prod_app', 'per_machine', 100, entitlement_id => 'ent_a_app');
	PERFORM create_entitlement('tenant_b', 'prod_app', 'per_machine', 100, entitlement_id => 'ent_b_app');
	-- tenant_a's prod_lic licence ended ten days ago; tenant_b's is suspended;
	-- tenant_b's prod_gated licence starts tomorrow.
	PERFORM create_entitlement('tenant_a', 'prod_lic', 'per_machine', 10, starts_at => now() - interval '400 days',
		ends_at => now() - interval '10 days', entitlement_id => 'ent_a_lic');
	PERFORM create_entitlement('tenant_b', 'prod_lic', 'per_machine', 10, entitlement_id => 'ent_b_lic');
	UPDATE entitlements SET status = 'suspended' WHERE entitlement_id = 'ent_b_lic';
	PERFORM create_entitlement('tenant_b', 'prod_gated', 'per_machine', 10, starts_at => now() + interval '1 day',
		entitlement_id => 'ent_b_gated');
END$$;

-- published_at is now() for everything published in this transaction, so no
-- release could predate an entitlement that has already ended.  To test
-- published_before_expiry, prod_lic 1.0.0 is backdated 30 days, past the
-- immutability guard, as keys.sql does for signing keys.
ALTER TABLE releases DISABLE TRIGGER releases_guard;
UPDATE releases SET published_at = now() - interval '30 days' WHERE release_id = 'rel_lic_1_0_0';
ALTER TABLE releases ENABLE TRIGGER releases_guard;

SELECT is((SELECT count(*)::int FROM releases WHERE status = 'published'
		AND product_id IN ('prod_app', 'prod_free', 'prod_gated', 'prod_lic', 'prod_roll')), 17, 'fixture: 17 published releases');

-- ---- the cases ------------------------------------------------------------------------
-- Defaults unless a case says otherwise: tenant_a, prod_app, windows/x86_64,
-- install inst-1, no capabilities, no policy (mode NOTIFY_ONLY, channel stable).
-- prod_app stable for windows: 1.0.0 1.1.0 1.2.0 2.0.0 2.1.0 (2.1.1 is linux only).
CREATE TEMP TABLE cases (
	n        serial,
	grp      text NOT NULL,
	name     text NOT NULL UNIQUE,
	tenant   text,
	req      jsonb NOT NULL,
	setup    text,
	action   text NOT NULL,
	version  text,
	reasons  text[] NOT NULL,
	sources  jsonb          -- when given, policy_sources must contain it
);
INSERT INTO cases (grp, name, tenant, req, setup, action, version, reasons, sources) VALUES
-- policy scopes: tenant_product → product → tenant → global; platform rows first within a scope
('policy', 'no policy: NOTIFY_ONLY, stable, all defaults', 'tenant_a', pg_temp.q('prod_app', '1.0.0'), NULL,
	'NOTIFY', '2.1.0', '{update_available}',
	'{"mode":"default","channel":"default","allow_prerelease":"default","expired_entitlement_updates":"default"}'),
('policy', 'channel taken from the request is sourced "request"', 'tenant_a', pg_temp.q('prod_app', '2.1.0', 'beta'), NULL,
	'NOTIFY', '3.0.0-beta.2', '{update_available}', '{"channel":"request","mode":"default"}'),
('policy', 'global mode applies', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('global', mode => 'AUTO_INSTALL')$$,
	'INSTALL', '2.1.0', '{update_available}', '{"mode":"global"}'),
('policy', 'tenant beats global', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('global', mode => 'AUTO_INSTALL'); SELECT set_policy('tenant', 'tenant_a', mode => 'MANAGED_BY_IT')$$,
	'NONE', '2.1.0', '{managed_by_it}', '{"mode":"tenant"}'),
('policy', 'product beats tenant', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'MANAGED_BY_IT'); SELECT set_policy('product', product_id => 'prod_app', mode => 'AUTO_INSTALL')$$,
	'INSTALL', '2.1.0', '{update_available}', '{"mode":"product"}'),
('policy', 'tenant_product beats product', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('product', product_id => 'prod_app', mode => 'AUTO_INSTALL');
	  SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', mode => 'NOTIFY_ONLY')$$,
	'NOTIFY', '2.1.0', '{update_available}', '{"mode":"tenant_product"}'),
('policy', 'all four scopes set: tenant_product wins', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('global', mode => 'MANAGED_BY_IT'); SELECT set_policy('tenant', 'tenant_a', mode => 'MANAGED_BY_IT');
	  SELECT set_policy('product', product_id => 'prod_app', mode => 'MANAGED_BY_IT');
	  SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', mode => 'AUTO_INSTALL')$$,
	'INSTALL', '2.1.0', '{update_available}', '{"mode":"tenant_product"}'),
('policy', 'a platform row beats the generic row of its scope', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('global', mode => 'MANAGED_BY_IT'); SELECT set_policy('global', platform => 'windows', mode => 'AUTO_INSTALL')$$,
	'INSTALL', '2.1.0', '{update_available}', '{"mode":"global:windows"}'),
('policy', 'a row for another platform is ignored', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('global', mode => 'MANAGED_BY_IT'); SELECT set_policy('global', platform => 'macos', mode => 'AUTO_INSTALL')$$,
	'NONE', '2.1.0', '{managed_by_it}', '{"mode":"global"}'),
('policy', 'the platform row applies to its platform (macos)', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"platform":"macos","arch":"arm64"}'),
	$$SELECT set_policy('global', mode => 'MANAGED_BY_IT'); SELECT set_policy('global', platform => 'macos', mode => 'AUTO_INSTALL')$$,
	'INSTALL', '2.1.0', '{update_available}', '{"mode":"global:macos"}'),
('policy', 'a generic row of a more specific scope beats a platform row of a less specific one', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('global', platform => 'windows', mode => 'AUTO_INSTALL'); SELECT set_policy('tenant', 'tenant_a', mode => 'MANAGED_BY_IT')$$,
	'NONE', '2.1.0', '{managed_by_it}', '{"mode":"tenant"}'),
('policy', 'product platform pin beats product generic pin (windows)', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('product', product_id => 'prod_app', pinned_range => '<1.2.0');
	  SELECT set_policy('product', product_id => 'prod_app', platform => 'windows', pinned_range => '<2.0.0')$$,
	'NOTIFY', '1.2.0', '{outside_pinned_range}', '{"pinned_range":"product:windows"}'),
('policy', 'product generic pin for the other platform (macos)', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"platform":"macos","arch":"arm64"}'),
	$$SELECT set_policy('product', product_id => 'prod_app', pinned_range => '<1.2.0');
	  SELECT set_policy('product', product_id => 'prod_app', platform => 'windows', pinned_range => '<2.0.0')$$,
	'NOTIFY', '1.1.0', '{outside_pinned_range}', '{"pinned_range":"product"}'),
('policy', 'tenant_product platform row beats tenant_product generic row', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', mode => 'MANAGED_BY_IT');
	  SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', platform => 'windows', mode => 'AUTO_INSTALL')$$,
	'INSTALL', '2.1.0', '{update_available}', '{"mode":"tenant_product:windows"}'),
('policy', 'field-wise merge: mode from tenant, pin from product', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL'); SELECT set_policy('product', product_id => 'prod_app', pinned_range => '^1')$$,
	'INSTALL', '1.2.0', '{outside_pinned_range}', '{"mode":"tenant","pinned_range":"product"}'),
('policy', 'field-wise merge: channel from product, mode from tenant_product', 'tenant_a', pg_temp.q('prod_app', '2.1.0', 'stable'),
	$$SELECT set_policy('product', product_id => 'prod_app', channel => 'beta');
	  SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', mode => 'AUTO_INSTALL')$$,
	'INSTALL', '3.0.0-beta.2', '{update_available}', '{"channel":"product","mode":"tenant_product"}'),
('policy', 'a more specific scope can lift a block with an empty list', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('global', blocked => ARRAY['2.1.0']::semver_range[]);
	  SELECT set_policy('tenant', 'tenant_a', blocked => '{}'::semver_range[])$$,
	'NOTIFY', '2.1.0', '{update_available}', '{"blocked":"tenant"}'),
('policy', 'a less specific field is kept when the specific row leaves it NULL', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('global', blocked => ARRAY['2.1.0']::semver_range[]);
	  SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', mode => 'AUTO_INSTALL')$$,
	'INSTALL', '2.0.0', '{blocked}', '{"blocked":"global","mode":"tenant_product"}'),
('policy', 'clear_policy removes a scope again', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'MANAGED_BY_IT'); SELECT clear_policy('tenant', 'tenant_a')$$,
	'NOTIFY', '2.1.0', '{update_available}', '{"mode":"default"}'),

-- filters: blocked beats pinned beats rollout; platform, arch, current version
('filters', 'blocked target: the previous eligible release becomes the target', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', blocked => ARRAY['2.1.0']::semver_range[])$$,
	'NOTIFY', '2.0.0', '{blocked}', '{"blocked":"tenant_product"}'),
('filters', 'a blocked range drops several releases', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', blocked => ARRAY['>=2.0.0']::semver_range[])$$,
	'NOTIFY', '1.2.0', '{blocked}', NULL),
('filters', 'several blocked ranges', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', blocked => ARRAY['2.1.0', '1.2.0 - 2.0.0']::semver_range[])$$,
	'NOTIFY', '1.1.0', '{blocked}', NULL),
('filters', 'pinned range limits the target', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', pinned_range => '<2.0.0')$$,
	'NOTIFY', '1.2.0', '{outside_pinned_range}', '{"pinned_range":"tenant"}'),
('filters', 'blocked beats pinned: versions both blocked and outside the pin count as blocked', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', pinned_range => '<2.0.0', blocked => ARRAY['>=2.0.0']::semver_range[])$$,
	'NOTIFY', '1.2.0', '{blocked}', NULL),
('filters', 'a version inside the pin but blocked is dropped as blocked', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', pinned_range => '<2.0.0', blocked => ARRAY['1.2.0']::semver_range[])$$,
	'NOTIFY', '1.1.0', '{outside_pinned_range,blocked}', NULL),
('filters', 'pinned beats rollout: a pinned-out release under rollout is outside_pinned_range', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_rollout('rel_app_2_1_0', 0); SELECT set_policy('tenant', 'tenant_a', pinned_range => '<2.1.0')$$,
	'NOTIFY', '2.0.0', '{outside_pinned_range}', NULL),
('filters', 'blocked beats rollout', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_rollout('rel_app_2_1_0', 0); SELECT set_policy('tenant', 'tenant_a', blocked => ARRAY['2.1.0']::semver_range[])$$,
	'NOTIFY', '2.0.0', '{blocked}', NULL),
('filters', 'everything newer blocked: NONE', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', blocked => ARRAY['>1.0.0']::semver_range[])$$,
	'NONE', NULL, '{blocked}', NULL),
('filters', 'everything newer outside the pin: NONE', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', pinned_range => '<1.1.0')$$,
	'NONE', NULL, '{outside_pinned_range}', NULL),
('filters', 'up to date', 'tenant_a', pg_temp.q('prod_app', '2.1.0'), NULL, 'NONE', NULL, '{up_to_date}', NULL),
('filters', 'build metadata of current_version is ignored', 'tenant_a', pg_temp.q('prod_app', '2.1.0+build.7'), NULL,
	'NONE', NULL, '{up_to_date}', NULL),
('filters', 'current_version newer than every release: no downgrade', 'tenant_a', pg_temp.q('prod_app', '9.0.0'), NULL,
	'NONE', NULL, '{up_to_date}', NULL),
('filters', 'no current_version: the newest release', 'tenant_a', pg_temp.q('prod_app'), NULL,
	'NOTIFY', '2.1.0', '{update_available}', NULL),
('filters', 'only releases with an artifact for the platform: linux gets linux-only 2.1.1', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"platform":"linux"}'), NULL, 'NOTIFY', '2.1.1', '{update_available}', NULL),
('filters', 'macos arm64 gets 2.1.0', 'tenant_a', pg_temp.q('prod_app', '1.0.0', extra => '{"platform":"macos","arch":"arm64"}'),
	NULL, 'NOTIFY', '2.1.0', '{update_available}', NULL),
('filters', 'no artifact for the arch (macos x86_64): NONE', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"platform":"macos"}'), NULL, 'NONE', NULL, '{up_to_date}', NULL),
('filters', 'a channel the product lacks: NONE unknown_channel', 'tenant_a', pg_temp.q('prod_app', '1.0.0', 'nightly'), NULL,
	'NONE', NULL, '{unknown_channel}', NULL),
-- prerelease rules
('prerelease', 'stable does not allow prereleases', 'tenant_a', pg_temp.q('prod_free', '1.0.0'), NULL,
	'NONE', NULL, '{prerelease_not_allowed}', NULL),
('prerelease', 'a newer prerelease is skipped for the newest stable release', 'tenant_a', pg_temp.q('prod_free', '0.9.0'), NULL,
	'NOTIFY', '1.0.0', '{prerelease_not_allowed}', NULL),
('prerelease', 'policy allow_prerelease admits prereleases on stable', 'tenant_a', pg_temp.q('prod_free', '1.0.0'),
	$$SELECT set_policy('tenant_product', 'tenant_a', 'prod_free', allow_prerelease => true)$$,
	'NOTIFY', '1.1.0-rc.1', '{update_available}', '{"allow_prerelease":"tenant_product"}'),
('prerelease', 'the beta channel allows prereleases', 'tenant_a', pg_temp.q('prod_app', '2.1.0', 'beta'), NULL,
	'NOTIFY', '3.0.0-beta.2', '{update_available}', NULL),
('prerelease', 'from one prerelease to the next', 'tenant_a', pg_temp.q('prod_app', '3.0.0-beta.1', 'beta'), NULL,
	'NOTIFY', '3.0.0-beta.2', '{update_available}', NULL),
('prerelease', 'allow_prerelease false does not override a channel that allows them', 'tenant_a',
	pg_temp.q('prod_app', '2.1.0', 'beta'),
	$$SELECT set_policy('tenant', 'tenant_a', allow_prerelease => false)$$,
	'NOTIFY', '3.0.0-beta.2', '{update_available}', '{"allow_prerelease":"tenant"}'),
('prerelease', 'a policy channel overrides the requested one', 'tenant_a', pg_temp.q('prod_app', '2.1.0', 'beta'),
	$$SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', channel => 'stable')$$,
	'NONE', NULL, '{up_to_date}', '{"channel":"tenant_product"}'),
-- revocation
('revoked', 'a revoked target leaves decisions at once: the previous one is the target', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0'), $$SELECT revoke_release('rel_app_2_1_0', 'broken installer')$$,
	'NOTIFY', '2.0.0', '{update_available}', NULL),
('current_revoked', 'a client on a revoked version is told so', 'tenant_a', pg_temp.q('prod_app', '2.1.0'),
	$$SELECT revoke_release('rel_app_2_1_0', 'broken installer')$$,
	'NONE', NULL, '{current_version_revoked,up_to_date}', NULL),
('current_revoked', 'a client on a revoked version with a newer release', 'tenant_a', pg_temp.q('prod_app', '2.0.0'),
	$$SELECT revoke_release('rel_app_2_0_0', 'broken installer')$$,
	'NOTIFY', '2.1.0', '{current_version_revoked,update_available}', NULL),
('revoked', 'every newer release revoked: NONE', 'tenant_a', pg_temp.q('prod_app', '1.2.0'),
	$$SELECT revoke_release('rel_app_2_1_0', 'x'); SELECT revoke_release('rel_app_2_0_0', 'x')$$,
	'NONE', NULL, '{up_to_date}', NULL),
-- rollouts (deterministic percentages; the random buckets are tested below)
('rollout', 'rollout at 100%: everybody', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_rollout('rel_app_2_1_0', 10000)$$, 'NOTIFY', '2.1.0', '{update_available}', NULL),
('rollout', 'rollout at 0%: fall back to the best release not held back', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_rollout('rel_app_2_1_0', 0)$$, 'NOTIFY', '2.0.0', '{rollout_not_reached}', NULL),
('rollout', 'a paused rollout is not reached even at 100%', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_rollout('rel_app_2_1_0', 10000, paused => true)$$, 'NOTIFY', '2.0.0', '{rollout_not_reached}', NULL),
('rollout', 'a platform rollout beats the generic one (windows at 0%)', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_rollout('rel_app_2_1_0', 10000); SELECT set_rollout('rel_app_2_1_0', 0, 'windows')$$,
	'NOTIFY', '2.0.0', '{rollout_not_reached}', NULL),
('rollout', 'the generic rollout for other platforms (macos at 100%)', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"platform":"macos","arch":"arm64"}'),
	$$SELECT set_rollout('rel_app_2_1_0', 10000); SELECT set_rollout('rel_app_2_1_0', 0, 'windows')$$,
	'NOTIFY', '2.1.0', '{update_available}', NULL),
('rollout', 'a rollout for another platform only holds nobody back here', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_rollout('rel_app_2_1_0', 0, 'macos')$$, 'NOTIFY', '2.1.0', '{update_available}', NULL),
('rollout', 'every newer release held back: NONE rollout_not_reached', 'tenant_a', pg_temp.q('prod_app', '1.2.0'),
	$$SELECT set_rollout('rel_app_2_1_0', 0); SELECT set_rollout('rel_app_2_0_0', 0)$$,
	'NONE', NULL, '{rollout_not_reached}', NULL),
('rollout', 'lowering a rollout to 0% never downgrades an install already on it', 'tenant_a', pg_temp.q('prod_app', '2.1.0'),
	$$SELECT set_rollout('rel_app_2_1_0', 0)$$, 'NONE', NULL, '{up_to_date}', NULL),
('rollout', 'no install_id, rollout at 100%', 'tenant_a', pg_temp.q('prod_app', '1.0.0') - 'install_id',
	$$SELECT set_rollout('rel_app_2_1_0', 10000)$$, 'NOTIFY', '2.1.0', '{update_available}', NULL),
-- modes
('mode', 'AUTO_INSTALL gives INSTALL', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$, 'INSTALL', '2.1.0', '{update_available}', NULL),
('mode', 'NOTIFY_ONLY gives NOTIFY', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'NOTIFY_ONLY')$$, 'NOTIFY', '2.1.0', '{update_available}', '{"mode":"tenant"}'),
('mode', 'MANAGED_BY_IT gives NONE and still reports the target', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'MANAGED_BY_IT')$$, 'NONE', '2.1.0', '{managed_by_it}', NULL),
('mode', 'MANAGED_BY_IT with a block reports both', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'MANAGED_BY_IT', blocked => ARRAY['2.1.0']::semver_range[])$$,
	'NONE', '2.0.0', '{blocked,managed_by_it}', NULL),
('mode', 'MANAGED_BY_IT when up to date', 'tenant_a', pg_temp.q('prod_app', '2.1.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'MANAGED_BY_IT')$$, 'NONE', NULL, '{up_to_date}', NULL),
-- installer capabilities (AUTO_INSTALL; 2.1.0 for windows has an admin msi and a plain exe)
('capabilities', 'msi preferred but needs admin, cannot elevate: the plain exe installs', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{"can_elevate":false,"installer_types":["msi","exe"]}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$, 'INSTALL', '2.1.0', '{update_available}', NULL),
('capabilities', 'only the admin msi is runnable, cannot elevate: NOTIFY installer_requires_admin', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{"can_elevate":false,"installer_types":["msi"]}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$, 'NOTIFY', '2.1.0', '{installer_requires_admin}', NULL),
('capabilities', 'admin msi, can elevate: INSTALL', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{"can_elevate":true,"installer_types":["msi","exe"]}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$, 'INSTALL', '2.1.0', '{update_available}', NULL),
('capabilities', 'can_elevate missing counts as false', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{"installer_types":["msi"]}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$, 'NOTIFY', '2.1.0', '{installer_requires_admin}', NULL),
('capabilities', 'exe listed first: the plain exe is chosen, INSTALL', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{"can_elevate":false,"installer_types":["exe","msi"]}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$, 'INSTALL', '2.1.0', '{update_available}', NULL),
('capabilities', 'installer type the client cannot run: NOTIFY installer_type_unsupported', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{"installer_types":["msix"]}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$, 'NOTIFY', '2.1.0', '{installer_type_unsupported}', NULL),
('capabilities', 'macos dmg, client runs pkg only', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"platform":"macos","arch":"arm64","capabilities":{"installer_types":["pkg"]}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$, 'NOTIFY', '2.1.0', '{installer_type_unsupported}', NULL),
('capabilities', 'no installer_types given: any type will do', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL')$$, 'INSTALL', '2.1.0', '{update_available}', NULL),
('capabilities', 'NOTIFY_ONLY is not downgraded by capabilities', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{"installer_types":["msix"],"can_elevate":false}}'),
	NULL, 'NOTIFY', '2.1.0', '{update_available}', NULL),
('capabilities', 'an older target whose msi needs no admin: INSTALL', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{"can_elevate":false,"installer_types":["msi"]}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL', blocked => ARRAY['2.1.0']::semver_range[])$$,
	'INSTALL', '2.0.0', '{blocked}', NULL),
-- maintenance windows, relative to now() so that every time of day works
('window', 'inside the window: INSTALL', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL', maintenance_window => pg_temp.win(-60, 60))$$,
	'INSTALL', '2.1.0', '{update_available}', '{"maintenance_window":"tenant"}'),
('window', 'outside the window: DOWNLOAD', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL', maintenance_window => pg_temp.win(60, 120))$$,
	'DOWNLOAD', '2.1.0', '{outside_maintenance_window}', NULL),
('window', 'outside the window, NOTIFY_ONLY: still NOTIFY', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', maintenance_window => pg_temp.win(60, 120))$$,
	'NOTIFY', '2.1.0', '{update_available}', NULL),
('window', 'inside the hours but on another day: DOWNLOAD', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL', maintenance_window => pg_temp.win(-60, 60, days => ARRAY[pg_temp.day(1440)]))$$,
	'DOWNLOAD', '2.1.0', '{outside_maintenance_window}', NULL),
('window', 'inside the hours on the day the window started: INSTALL', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL', maintenance_window => pg_temp.win(-60, 60, days => ARRAY[pg_temp.day(-60)]))$$,
	'INSTALL', '2.1.0', '{update_available}', NULL),
('window', 'the window is read in its time zone (Asia/Tokyo, inside)', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL', maintenance_window => pg_temp.win(-60, 60, 'Asia/Tokyo'))$$,
	'INSTALL', '2.1.0', '{update_available}', NULL),
('window', 'the same hours without the time zone are UTC (outside)', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL', maintenance_window => pg_temp.win(-60, 60, 'Asia/Tokyo', with_tz => false))$$,
	'DOWNLOAD', '2.1.0', '{outside_maintenance_window}', NULL),
('window', 'admin rights are checked before the window', 'tenant_a',
	pg_temp.q('prod_app', '1.0.0', extra => '{"capabilities":{"installer_types":["msi"]}}'),
	$$SELECT set_policy('tenant', 'tenant_a', mode => 'AUTO_INSTALL', maintenance_window => pg_temp.win(60, 120))$$,
	'NOTIFY', '2.1.0', '{installer_requires_admin}', NULL),
('window', 'a tenant_product window overrides the global one', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('global', mode => 'AUTO_INSTALL', maintenance_window => pg_temp.win(60, 120));
	  SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', maintenance_window => pg_temp.win(-30, 30))$$,
	'INSTALL', '2.1.0', '{update_available}', '{"maintenance_window":"tenant_product","mode":"global"}'),
-- entitlements (prod_lic: 1.0.0 published 30 days ago, 1.1.0 now; tenant_a's licence ended 10 days ago)
('entitlement', 'no entitlement for a product that requires one: NONE not_entitled', 'tenant_a', pg_temp.q('prod_gated', '0.1.0'),
	NULL, 'NONE', NULL, '{not_entitled}', NULL),
('entitlement', 'an entitlement that has not started: not_entitled', 'tenant_b', pg_temp.q('prod_gated', '0.1.0'),
	NULL, 'NONE', NULL, '{not_entitled}', NULL),
('entitlement', 'a suspended entitlement: not_entitled', 'tenant_b', pg_temp.q('prod_lic', '0.9.0'),
	NULL, 'NONE', NULL, '{not_entitled}', NULL),
('entitlement', 'a revoked entitlement: not_entitled', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$UPDATE entitlements SET status = 'revoked', revoked_at = now(), revoked_reason = 'test' WHERE entitlement_id = 'ent_a_app'$$,
	'NONE', NULL, '{not_entitled}', NULL),
('entitlement', 'requires_entitlement false: visible without an entitlement', 'tenant_b', pg_temp.q('prod_roll', '1.0.0'),
	NULL, 'NOTIFY', '1.2.0', '{update_available}', NULL),
('entitlement', 'an unknown product looks exactly like one not entitled', 'tenant_a', pg_temp.q('prod_nope', '1.0.0'),
	NULL, 'NONE', NULL, '{not_entitled}', NULL),
('entitlement', 'expired, default published_before_expiry: only releases published before the end', 'tenant_a',
	pg_temp.q('prod_lic', '0.9.0'), NULL, 'NOTIFY', '1.0.0', '{entitlement_expired}', '{"expired_entitlement_updates":"default"}'),
('entitlement', 'expired, published_before_expiry: nothing published before the end', 'tenant_a',
	pg_temp.q('prod_lic', '1.0.0'), NULL, 'NONE', NULL, '{entitlement_expired}', NULL),
('entitlement', 'expired, none: no updates at all', 'tenant_a', pg_temp.q('prod_lic', '0.9.0'),
	$$SELECT set_policy('tenant_product', 'tenant_a', 'prod_lic', expired_entitlement_updates => 'none')$$,
	'NONE', NULL, '{entitlement_expired}', '{"expired_entitlement_updates":"tenant_product"}'),
('entitlement', 'expired, all: every update', 'tenant_a', pg_temp.q('prod_lic', '0.9.0'),
	$$SELECT set_policy('tenant', 'tenant_a', expired_entitlement_updates => 'all')$$,
	'NOTIFY', '1.1.0', '{update_available}', '{"expired_entitlement_updates":"tenant"}'),
('entitlement', 'an active entitlement besides the expired one', 'tenant_a', pg_temp.q('prod_lic', '0.9.0'),
	$$SELECT set_policy('tenant', 'tenant_a', expired_entitlement_updates => 'none');
	  SELECT create_entitlement('tenant_a', 'prod_lic', 'feature_based')$$,
	'NOTIFY', '1.1.0', '{update_available}', NULL),
('entitlement', 'an entitlement that ended a second ago, release published now: dropped', 'tenant_b',
	pg_temp.q('prod_app', '2.0.0'),
	$$UPDATE entitlements SET starts_at = now() - interval '1 day', ends_at = now() - interval '1 second' WHERE entitlement_id = 'ent_b_app'$$,
	'NONE', NULL, '{entitlement_expired}', NULL),
-- tenancy
('tenancy', 'a suspended tenant gets NONE tenant_suspended', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_tenant_status('tenant_a', 'suspended')$$, 'NONE', NULL, '{tenant_suspended}', NULL),
('tenancy', 'a suspended tenant gets nothing, not even free products', 'tenant_a', pg_temp.q('prod_free', '0.9.0'),
	$$SELECT set_tenant_status('tenant_a', 'suspended')$$, 'NONE', NULL, '{tenant_suspended}', NULL),
('tenancy', 'tenant A''s block never affects tenant B', 'tenant_b', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', blocked => ARRAY['>=1.0.0']::semver_range[]);
	  SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', mode => 'MANAGED_BY_IT', pinned_range => '1.0.0')$$,
	'NOTIFY', '2.1.0', '{update_available}', '{"mode":"default"}'),
('tenancy', 'the same policies do apply to tenant A', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_a', blocked => ARRAY['>=1.0.0']::semver_range[]);
	  SELECT set_policy('tenant_product', 'tenant_a', 'prod_app', mode => 'MANAGED_BY_IT', pinned_range => '1.0.0')$$,
	'NONE', NULL, '{blocked}', NULL),
('tenancy', 'tenant B''s own policy applies to B', 'tenant_b', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_b', mode => 'AUTO_INSTALL')$$, 'INSTALL', '2.1.0', '{update_available}', '{"mode":"tenant"}'),
('tenancy', 'and never to A', 'tenant_a', pg_temp.q('prod_app', '1.0.0'),
	$$SELECT set_policy('tenant', 'tenant_b', mode => 'AUTO_INSTALL');
	  SELECT set_policy('tenant_product', 'tenant_b', 'prod_app', blocked => ARRAY['*']::semver_range[])$$,
	'NOTIFY', '2.1.0', '{update_available}', '{"mode":"default"}'),
('tenancy', 'tenant A''s entitlement does not make a product visible to B', 'tenant_b', pg_temp.q('prod_lic', '0.9.0'),
	$$UPDATE entitlements SET ends_at = NULL WHERE entitlement_id = 'ent_a_lic'$$, 'NONE', NULL, '{not_entitled}', NULL);

CREATE TEMP TABLE results AS
	SELECT c.*, d.action AS got_action, d.version AS got_version, d.reasons AS got_reasons, d.sources AS got_sources,
		d.payload, d.problems
	FROM cases c, LATERAL pg_temp.decide(c.tenant, c.req, c.setup) d;
CREATE TEMP VIEW mismatches AS
	SELECT grp, n, format('%s: got %s %s %s%s, want %s %s %s%s%s', name,
		got_action, COALESCE(got_version, '-'), got_reasons, CASE WHEN sources IS NOT NULL THEN ' ' || got_sources::text END,
		action, COALESCE(version, '-'), reasons, CASE WHEN sources IS NOT NULL THEN ' ' || sources::text END,
		CASE WHEN problems IS NOT NULL THEN ' (' || problems || ')' END) AS failure
	FROM results
	WHERE (got_action, got_version, got_reasons) IS DISTINCT FROM (action, version, reasons)
	   OR NOT COALESCE(got_sources @> sources, true) OR problems IS NOT NULL;

SELECT ok((SELECT count(*) >= 60 FROM cases), format('at least 60 decision cases (%s)', (SELECT count(*) FROM cases)));
SELECT is((SELECT array_agg(failure ORDER BY n) FROM mismatches WHERE grp = g), NULL, format('cases: %s (%s)', g, c))
FROM (SELECT grp AS g, count(*) AS c, min(n) AS m FROM cases WHERE grp <> 'current_revoked' GROUP BY grp) s ORDER BY m;
-- A client that reports a revoked version.
SELECT is((SELECT array_agg(failure ORDER BY n) FROM mismatches WHERE grp = 'current_revoked'), NULL,
	format('cases: a client on a revoked version (%s)', (SELECT count(*) FROM cases WHERE grp = 'current_revoked')));
SELECT is((SELECT array_agg(name ORDER BY n) FROM results WHERE problems IS NOT NULL), NULL,
	'every case''s token verifies with verify_token and paseto_verify, has typ decision, matches the response and explain_decision');

-- Key behaviours of the table, on their own.
SELECT is((SELECT (got_action, got_version) FROM results WHERE name = 'blocked target: the previous eligible release becomes the target'),
	('NOTIFY'::text, '2.0.0'::text), 'a blocked target falls back to the previous eligible release');
SELECT is((SELECT got_reasons FROM results WHERE name = 'a version inside the pin but blocked is dropped as blocked'),
	'{outside_pinned_range,blocked}', 'block beats pin: a version inside the pin but blocked is dropped as blocked');
SELECT is((SELECT got_reasons FROM results WHERE name = 'pinned beats rollout: a pinned-out release under rollout is outside_pinned_range'),
	'{outside_pinned_range}', 'a pinned-out release under rollout is reported outside_pinned_range');
SELECT is((SELECT (got_action, got_version, got_reasons) FROM results WHERE name = 'MANAGED_BY_IT gives NONE and still reports the target'),
	('NONE'::text, '2.1.0'::text, '{managed_by_it}'::text[]), 'MANAGED_BY_IT: NONE, version still reported, reason managed_by_it');
SELECT is((SELECT got_sources FROM results WHERE name = 'no policy: NOTIFY_ONLY, stable, all defaults'),
	'{"mode":"default","channel":"default","allow_prerelease":"default","expired_entitlement_updates":"default"}'::jsonb,
	'without policy every field comes from the defaults');
SELECT is((SELECT got_sources FROM results WHERE name = 'field-wise merge: channel from product, mode from tenant_product'),
	'{"mode":"tenant_product","channel":"product","allow_prerelease":"default","expired_entitlement_updates":"default"}'::jsonb,
	'policy_sources records the scope of each merged field');
SELECT is((SELECT payload -> 'critical' FROM results WHERE name = 'blocked target: the previous eligible release becomes the target'),
	'true'::jsonb, 'the payload carries the target''s critical flag (2.0.0 is critical)');
SELECT is((SELECT payload -> 'artifact' ->> 'installer_type' FROM results WHERE name = 'exe listed first: the plain exe is chosen, INSTALL'),
	'exe', 'the artifact follows the client''s installer_types order (exe first)');
SELECT is((SELECT payload -> 'artifact' ->> 'installer_type' FROM results WHERE name = 'admin msi, can elevate: INSTALL'),
	'msi', 'the artifact follows the client''s installer_types order (msi first)');

-- Decision rule: "block beats everything" — prereleases included, although
-- node-semver's prerelease rule leaves 3.0.0-beta.2 outside ">=2.5.0".
SELECT is((SELECT (action, version, reasons) FROM pg_temp.decide('tenant_a', pg_temp.q('prod_app', '2.1.0', 'beta'),
		$$SELECT set_policy('tenant', 'tenant_a', blocked => ARRAY['>=2.5.0']::semver_range[])$$)),
	('NONE'::text, NULL::text, '{blocked}'::text[]), 'blocking >=2.5.0 also blocks 3.0.0-beta.2 (block beats everything)');

-- ---- the token and its payload ----------------------------------------------------------------------
CREATE TEMP TABLE tok AS
	SELECT r AS req, check_update(r) AS resp FROM (SELECT pg_temp.q('prod_app', '1.0.0',
		extra => '{"install_id":"inst-pay","nonce":"nonce-123","capabilities":{"can_elevate":true,"installer_types":["msi","exe"]}}')
		|| '{"tenant_id":"tenant_a"}' AS r) s;
DO $$BEGIN PERFORM set_policy('tenant_product', 'tenant_a', 'prod_app', mode => 'AUTO_INSTALL'); END$$;
INSERT INTO tok SELECT r, check_update(r) FROM (SELECT pg_temp.q('prod_app', '1.0.0',
		extra => '{"install_id":"inst-pay2","nonce":"nonce-456","capabilities":{"can_elevate":true,"installer_types":["msi","exe"]}}')
		|| '{"tenant_id":"tenant_a"}' AS r) s;
DO $$BEGIN PERFORM clear_policy('tenant_product', 'tenant_a', 'prod_app'); END$$;
CREATE TEMP VIEW pay AS SELECT req, resp, resp #>> '{decisions,0,token}' AS token,
	verify_token(resp #>> '{decisions,0,token}') AS p FROM tok;

SELECT is((SELECT array_agg(k ORDER BY k) FROM pay, jsonb_object_keys(resp) k WHERE req ->> 'install_id' = 'inst-pay'),
	'{decisions,recorded,retry_after}', 'the response has decisions, recorded and retry_after');
SELECT is((SELECT resp -> 'recorded' FROM pay WHERE req ->> 'install_id' = 'inst-pay'), 'true'::jsonb,
	'a read-write transaction records the install: recorded is true');
SELECT is((SELECT resp -> 'retry_after' FROM pay WHERE req ->> 'install_id' = 'inst-pay'), '120'::jsonb,
	'retry_after is the tenant''s setting');
SELECT is((SELECT array_agg(k ORDER BY k) FROM pay, jsonb_object_keys(resp #> '{decisions,0}') k WHERE req ->> 'install_id' = 'inst-pay'),
	'{action,product_id,token,version}', 'each decision has product_id, action, version, token');
SELECT is((SELECT array_agg(k ORDER BY k) FROM pay, jsonb_object_keys(p) k WHERE req ->> 'install_id' = 'inst-pay'),
	'{action,arch,artifact,bucket,channel,critical,current_version,exp,iat,install_id,iss,mode,nonce,platform,policy_sources,product_id,rationale,reasons,tenant_id,typ,version}',
	'the payload has exactly the fields docs/decisions.md lists');
SELECT is((SELECT jsonb_build_object('typ', p -> 'typ', 'iss', p -> 'iss', 'nonce', p -> 'nonce', 'tenant_id', p -> 'tenant_id',
		'install_id', p -> 'install_id', 'product_id', p -> 'product_id', 'current_version', p -> 'current_version',
		'channel', p -> 'channel', 'platform', p -> 'platform', 'arch', p -> 'arch', 'mode', p -> 'mode',
		'action', p -> 'action', 'version', p -> 'version', 'critical', p -> 'critical', 'reasons', p -> 'reasons',
		'bucket', p -> 'bucket') FROM pay WHERE req ->> 'install_id' = 'inst-pay'),
	'{"typ":"decision","iss":"bigpicture","nonce":"nonce-123","tenant_id":"tenant_a","install_id":"inst-pay",
	  "product_id":"prod_app","current_version":"1.0.0","channel":"stable","platform":"windows","arch":"x86_64",
	  "mode":"NOTIFY_ONLY","action":"NOTIFY","version":"2.1.0","critical":false,"reasons":["update_available"],"bucket":null}'::jsonb,
	'the payload repeats the request and the decision');
SELECT is((SELECT p -> 'artifact' FROM pay WHERE req ->> 'install_id' = 'inst-pay'),
	(SELECT jsonb_build_object('url', url, 'sha256', sha256, 'size', size, 'installer_type', installer_type,
		'requires_admin', requires_admin) FROM artifacts WHERE artifact_id = 'art_app_2_1_0_windows_msi'),
	'the payload''s artifact is the chosen one: url, sha256, size, installer type, requires_admin');
SELECT is((SELECT (p ->> 'action', p ->> 'mode', p #>> '{policy_sources,mode}') FROM pay WHERE req ->> 'install_id' = 'inst-pay2'),
	('INSTALL'::text, 'AUTO_INSTALL'::text, 'tenant_product'::text), 'a second decision under AUTO_INSTALL: INSTALL, sourced tenant_product');
SELECT is((SELECT p ->> 'rationale' FROM pay WHERE req ->> 'install_id' = 'inst-pay2'),
	'Install 2.1.0 on stable: an update is available.', 'the rationale says what to do and why');
SELECT is((SELECT count(*)::int FROM pay WHERE (p ->> 'exp')::timestamptz - (p ->> 'iat')::timestamptz = interval '900 seconds'
		AND p ->> 'iat' = rfc3339(now())), 2, 'iat is now and exp - iat is the tenant''s decision_ttl (900 s)');
SELECT is((SELECT (p ->> 'exp')::timestamptz - (p ->> 'iat')::timestamptz FROM (SELECT verify_token(check_update(
		pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_b"}') #>> '{decisions,0,token}') AS p) s),
	interval '3600 seconds', 'tenant_b''s decisions live for its default ttl (3600 s)');
SELECT is((SELECT paseto_footer(token) FROM pay WHERE req ->> 'install_id' = 'inst-pay'), (SELECT jsonb_build_object('kid', dec1) FROM k),
	'the footer names the active decision key');
SELECT is((SELECT paseto_verify(token, (SELECT public_key FROM public_keys WHERE kid = (SELECT dec1 FROM k))) FROM pay
		WHERE req ->> 'install_id' = 'inst-pay'),
	(SELECT p FROM pay WHERE req ->> 'install_id' = 'inst-pay'), 'paseto_verify with the decision key''s PASERK gives the same payload');
SELECT is((SELECT p -> 'nonce' FROM (SELECT verify_token(check_update(pg_temp.q('prod_app', '1.0.0') - 'nonce' - 'install_id'
		|| '{"tenant_id":"tenant_a"}') #>> '{decisions,0,token}') AS p) s), 'null'::jsonb,
	'without a nonce the payload''s nonce is null');

-- ---- several products in one request ---------------------------------------------------------------
CREATE TEMP TABLE multi AS SELECT check_update('{"tenant_id":"tenant_a","install_id":"inst-multi","platform":"windows",
	"arch":"x86_64","products":[{"product_id":"prod_free","current_version":"0.9.0"},
	{"product_id":"prod_app","current_version":"1.0.0"},{"product_id":"prod_gated"},
	{"product_id":"prod_nope","current_version":"1.0.0"},{"product_id":"prod_lic","current_version":"0.9.0"}]}') AS resp;
SELECT is((SELECT array_agg(d ->> 'product_id' ORDER BY i) FROM multi, jsonb_array_elements(resp -> 'decisions') WITH ORDINALITY x(d, i)),
	'{prod_free,prod_app,prod_gated,prod_nope,prod_lic}', 'one response, decisions in request order');
SELECT is((SELECT array_agg(format('%s %s %s', d ->> 'action', COALESCE(d ->> 'version', '-'), verify_token(d ->> 'token') -> 'reasons') ORDER BY i)
		FROM multi, jsonb_array_elements(resp -> 'decisions') WITH ORDINALITY x(d, i)),
	ARRAY['NOTIFY 1.0.0 ["prerelease_not_allowed"]', 'NOTIFY 2.1.0 ["update_available"]', 'NONE - ["not_entitled"]',
		'NONE - ["not_entitled"]', 'NOTIFY 1.0.0 ["entitlement_expired"]'],
	'each product decided on its own');
SELECT is((SELECT count(*)::int FROM multi, jsonb_array_elements(resp -> 'decisions') d
		WHERE verify_token(d ->> 'token') ->> 'product_id' = d ->> 'product_id'
		  AND verify_token(d ->> 'token') ->> 'install_id' = 'inst-multi'), 5,
	'each token verifies and names its own product');

-- ---- rollouts: buckets, stickiness, monotonicity, distribution -----------------------------------
DO $$BEGIN PERFORM set_rollout('rel_roll_1_2_0', 3000); END$$;
CREATE TEMP TABLE salt AS SELECT salt FROM rollouts WHERE release_id = 'rel_roll_1_2_0';
SELECT is((SELECT length(salt) FROM salt), 32, 'a new rollout gets a 32-byte salt');
CREATE TEMP TABLE roll AS
	SELECT i, 'inst-r' || i AS install_id, verify_token(check_update(pg_temp.q('prod_roll', '1.0.0',
		extra => jsonb_build_object('install_id', 'inst-r' || i)) || '{"tenant_id":"tenant_a"}') #>> '{decisions,0,token}') AS p
	FROM generate_series(1, 2000) i;
SELECT is((SELECT count(*)::int FROM roll, salt WHERE p ->> 'version' IS DISTINCT FROM
		CASE WHEN rollout_bucket(salt.salt, install_id) < 3000 THEN '1.2.0' ELSE '1.1.0' END), 0,
	'2000 installs: in the rollout exactly when rollout_bucket(salt, install_id) < percentage, else the previous release');
SELECT is((SELECT count(*)::int FROM roll, salt WHERE p ->> 'version' = '1.2.0'
		AND (p -> 'bucket') IS DISTINCT FROM to_jsonb(rollout_bucket(salt.salt, install_id))), 0,
	'the payload''s bucket is rollout_bucket(salt, install_id)');
SELECT is((SELECT count(*)::int FROM roll WHERE p ->> 'version' = '1.1.0' AND p -> 'reasons' <> '["rollout_not_reached"]'), 0,
	'installs outside the rollout get reason rollout_not_reached');
-- 2000 installs at 30%: the standard deviation of the share is about 1 point,
-- so a 1-point bound would fail one run in three; allow 5 points (5 sigma)
-- here, and check the 1-point bound on 100000 ids (over 6 sigma).
SELECT ok((SELECT abs(count(*) FILTER (WHERE p ->> 'version' = '1.2.0') / 2000.0 - 0.30) < 0.05 FROM roll),
	format('share of 2000 installs inside a 30%% rollout is near 30%% (%s)',
		(SELECT count(*) FILTER (WHERE p ->> 'version' = '1.2.0') FROM roll)));
SELECT is((SELECT array_agg(format('%s bp: %s', pct, share)) FROM (
		SELECT pct, avg((rollout_bucket(salt.salt, 'install-' || i) < pct)::int) AS share
		FROM salt, generate_series(1, 100000) i, unnest(ARRAY[100, 3000, 5000, 9900]) pct GROUP BY pct) s
	WHERE abs(share - pct / 10000.0) >= 0.01), NULL,
	'over 100000 install ids the share inside a rollout of p basis points is within 1 point of p');
SELECT is((SELECT count(*)::int FROM generate_series(1, 20000) i, salt
		WHERE rollout_bucket(salt.salt, 'x' || i) NOT BETWEEN 0 AND 9999), 0, 'buckets are 0 to 9999');
-- Vectors computed independently (Python: hashlib.blake2b(install_id.encode(),
-- key=salt, digest_size=8), little-endian, mod 10000); salts 16, 32, 64 bytes.
SELECT is((SELECT array_agg(format('%s/%s: %s, want %s', length(salt), id, rollout_bucket(salt, id), want)) FROM (VALUES
		('\x000102030405060708090a0b0c0d0e0f'::bytea, 'tenant_acme', 3633),
		('\x000102030405060708090a0b0c0d0e0f', 'inst-0042', 2143),
		('\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'inst-0042', 6357),
		('\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f', 'inst-0042', 4535),
		('\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', U&'\00e9-\00fcn\00efcode', 7816),
		('\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', repeat('x', 128), 6227)) AS t(salt, id, want)
	WHERE rollout_bucket(salt, id) <> want), NULL,
	'rollout_bucket is u64_le(BLAKE2b-8(key = salt, msg = install_id as UTF-8)) mod 10000');
-- Stickiness: the same install asks again and gets the same answer.
SELECT is((SELECT count(*)::int FROM roll WHERE i <= 300 AND (p ->> 'version', p -> 'bucket') IS DISTINCT FROM (
		SELECT (q ->> 'version', q -> 'bucket') FROM (SELECT verify_token(check_update(pg_temp.q('prod_roll', '1.0.0',
			extra => jsonb_build_object('install_id', install_id, 'nonce', 'again')) || '{"tenant_id":"tenant_a"}')
			#>> '{decisions,0,token}') AS q) s)), 0, 'sticky: 300 installs asking again get the same version and bucket');
-- Monotonicity: raising 20% to 50% only adds installs.
DO $$BEGIN PERFORM set_rollout('rel_roll_1_2_0', 2000); END$$;
CREATE TEMP TABLE at20 AS SELECT install_id FROM roll WHERE i <= 300 AND check_update(pg_temp.q('prod_roll', '1.0.0',
	extra => jsonb_build_object('install_id', install_id)) || '{"tenant_id":"tenant_a"}') #>> '{decisions,0,version}' = '1.2.0';
DO $$BEGIN PERFORM set_rollout('rel_roll_1_2_0', 5000); END$$;
CREATE TEMP TABLE at50 AS SELECT install_id FROM roll WHERE i <= 300 AND check_update(pg_temp.q('prod_roll', '1.0.0',
	extra => jsonb_build_object('install_id', install_id)) || '{"tenant_id":"tenant_a"}') #>> '{decisions,0,version}' = '1.2.0';
SELECT is((SELECT count(*)::int FROM at20 WHERE install_id NOT IN (SELECT install_id FROM at50)), 0,
	format('raising a rollout only adds installs: the %s in at 20%% are all among the %s in at 50%%',
		(SELECT count(*) FROM at20), (SELECT count(*) FROM at50)));
SELECT ok((SELECT count(*) FROM at50) > (SELECT count(*) FROM at20) AND (SELECT count(*) FROM at20) > 0,
	'and it does add some');
SELECT is((SELECT salt FROM rollouts WHERE release_id = 'rel_roll_1_2_0'), (SELECT salt FROM salt),
	'changing the percentage keeps the salt');
-- Without an install id, the tenant id is the bucket key: the whole tenant moves together.
SELECT is((SELECT array_agg(DISTINCT e ->> 'version') FROM generate_series(1, 5) i,
		jsonb_array_elements(check_update(jsonb_build_object('tenant_id', 'tenant_a', 'nonce', 'n' || i,
			'platform', 'windows', 'arch', 'x86_64', 'products', '[{"product_id":"prod_roll","current_version":"1.0.0"}]'::jsonb))
			-> 'decisions') e),
	ARRAY[CASE WHEN rollout_bucket((SELECT salt FROM salt), 'tenant_a') < 5000 THEN '1.2.0' ELSE '1.1.0' END],
	'without install_id every request of a tenant gets the answer of bucket rollout_bucket(salt, tenant_id)');
SELECT is((SELECT e -> 'rollout' ->> 'bucket' FROM jsonb_array_elements(explain_decision(jsonb_build_object('tenant_id', 'tenant_b',
		'platform', 'macos', 'arch', 'arm64', 'products', '[{"product_id":"prod_roll","current_version":"1.0.0"}]'::jsonb))
		#> '{decisions,0,trace}') e WHERE e ->> 'version' = '1.2.0'),
	rollout_bucket((SELECT salt FROM salt), 'tenant_b')::text, 'explain_decision shows the tenant bucket for tenant_b');

-- ---- maintenance windows ------------------------------------------------------------------------
-- 2026-03-07 is a Saturday; Europe/Berlin is UTC+1 then.
SELECT is((SELECT array_agg(format('%s at %s should be %s', w, at, want)) FROM (VALUES
		('{"start":"22:00","end":"06:00"}', '2026-03-07 22:00Z', true),
		('{"start":"22:00","end":"06:00"}', '2026-03-07 23:59Z', true),
		('{"start":"22:00","end":"06:00"}', '2026-03-08 00:00Z', true),
		('{"start":"22:00","end":"06:00"}', '2026-03-08 05:59Z', true),
		('{"start":"22:00","end":"06:00"}', '2026-03-08 06:00Z', false),
		('{"start":"22:00","end":"06:00"}', '2026-03-07 21:59Z', false),
		('{"start":"22:00","end":"06:00"}', '2026-03-07 12:00Z', false),
		('{"days":["sat"],"start":"22:00","end":"06:00","timezone":"Europe/Berlin"}', '2026-03-07 22:00Z', true),  -- sat 23:00
		('{"days":["sat"],"start":"22:00","end":"06:00","timezone":"Europe/Berlin"}', '2026-03-08 04:59Z', true),  -- sun 05:59, started sat
		('{"days":["sat"],"start":"22:00","end":"06:00","timezone":"Europe/Berlin"}', '2026-03-08 05:00Z', false), -- sun 06:00
		('{"days":["sat"],"start":"22:00","end":"06:00","timezone":"Europe/Berlin"}', '2026-03-08 22:00Z', false), -- sun 23:00
		('{"days":["sat"],"start":"22:00","end":"06:00","timezone":"Europe/Berlin"}', '2026-03-07 04:00Z', false), -- sat 05:00, started fri
		('{"days":["sat"],"start":"22:00","end":"06:00","timezone":"Europe/Berlin"}', '2026-03-07 20:59Z', false), -- sat 21:59
		('{"days":["sat"],"start":"22:00","end":"06:00","timezone":"Europe/Berlin"}', '2026-03-06 23:30Z', false), -- sat 00:30, started fri
		('{"days":["mon","tue"],"start":"09:00","end":"17:00"}', '2026-03-09 09:00Z', true),
		('{"days":["mon","tue"],"start":"09:00","end":"17:00"}', '2026-03-10 16:59Z', true),
		('{"days":["mon","tue"],"start":"09:00","end":"17:00"}', '2026-03-09 17:00Z', false),
		('{"days":["mon","tue"],"start":"09:00","end":"17:00"}', '2026-03-11 12:00Z', false),
		('{"days":["mon","tue"],"start":"09:00","end":"17:00"}', '2026-03-09 08:59Z', false),
		('{"start":"09:00","end":"17:00","timezone":"America/New_York"}', '2026-03-09 13:00Z', true),   -- 09:00 EDT
		('{"start":"09:00","end":"17:00","timezone":"America/New_York"}', '2026-03-06 13:00Z', false)   -- 08:00 EST
	) AS t(w, at, want)
	WHERE in_maintenance_window(w::jsonb, at::timestamptz) IS DISTINCT FROM want), NULL,
	'in_maintenance_window: days name the starting day, windows cross midnight, end is exclusive, time zones apply');
SELECT ok(in_maintenance_window(NULL, now()), 'no window: always inside');
SELECT is((SELECT array_agg(format('%s -> %s', w, COALESCE(e, 'accepted'))) FROM (
		SELECT w, failure_of(format('SELECT set_policy(%L, %L, maintenance_window => %L)', 'tenant', 'tenant_a', w)) AS e
		FROM unnest(ARRAY['[]', '"22:00-06:00"', '{"start":"22:00","end":"06:00","weekly":true}', '{"start":"25:00","end":"06:00"}',
			'{"start":"22:00"}', '{"start":"9:00","end":"10:00"}', '{"start":"22:00","end":"22:00"}',
			'{"start":"22:00","end":"06:00","days":["funday"]}', '{"start":"22:00","end":"06:00","days":[]}',
			'{"start":"22:00","end":"06:00","days":["mon","mon"]}', '{"start":"22:00","end":"06:00","days":"mon"}',
			'{"start":"22:00","end":"06:00","timezone":"Mars/Olympus_Mons"}', '{"start":22,"end":6}']) w) s
	WHERE e IS NULL OR e NOT LIKE '22023 maintenance_window %'), NULL,
	'bad maintenance windows are refused by set_policy with 22023');
SELECT is(failure_of($$SELECT set_policy('tenant', 'tenant_a', maintenance_window => '{"start":"22:00","end":"06:00","timezone":"Mars/Olympus_Mons"}')$$),
	'22023 maintenance_window timezone "Mars/Olympus_Mons" is not known', 'the error names the bad time zone');
SELECT is((SELECT count(*)::int FROM tenant_policies WHERE tenant_id = 'tenant_a'), 0, 'refused windows wrote no policy');

-- ---- explain_decision -----------------------------------------------------------------------------
DO $$BEGIN PERFORM set_policy('tenant_product', 'tenant_a', 'prod_app', blocked => ARRAY['2.1.0']::semver_range[], pinned_range => '>=1.1.0'); END$$;
DO $$BEGIN PERFORM set_rollout('rel_app_2_0_0', 10000); END$$;
CREATE TEMP TABLE ex AS SELECT explain_decision(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_a"}') AS e;
SELECT is((SELECT array_agg(format('%s %s %s', t ->> 'version', t ->> 'kept', COALESCE(t ->> 'reason', '-')) ORDER BY i)
		FROM ex, jsonb_array_elements(e #> '{decisions,0,trace}') WITH ORDINALITY x(t, i)),
	ARRAY['2.1.0 false blocked', '2.0.0 true -', '1.2.0 false older_than_target', '1.1.0 false older_than_target'],
	'the trace lists every release considered, newest first, kept or dropped with the reason');
SELECT is((SELECT t -> 'rollout' FROM ex, jsonb_array_elements(e #> '{decisions,0,trace}') t WHERE t ->> 'version' = '2.0.0'),
	jsonb_build_object('percentage', 10000, 'paused', false, 'halted', false, 'member', false,
		'bucket', rollout_bucket((SELECT salt FROM rollouts WHERE release_id = 'rel_app_2_0_0'), 'inst-1')),
	'a release under rollout shows percentage, paused, halted, whether the install is in, and its bucket');
SELECT is((SELECT e #> '{decisions,0,policy_sources}' FROM ex),
	'{"mode":"default","channel":"default","blocked":"tenant_product","pinned_range":"tenant_product","allow_prerelease":"default","expired_entitlement_updates":"default"}'::jsonb,
	'the trace has the policy sources');
SELECT is((SELECT e #> '{decisions,0,policy}' FROM ex),
	'{"mode":"NOTIFY_ONLY","channel":"stable","blocked":["2.1.0"],"pinned_range":">=1.1.0","allow_prerelease":false,"expired_entitlement_updates":"published_before_expiry"}'::jsonb,
	'and the merged policy');
SELECT is((SELECT (e ->> 'tenant_id', e ->> 'tenant_status', e ->> 'evaluated_at') FROM ex),
	('tenant_a'::text, 'active'::text, rfc3339(now())), 'explain_decision names the tenant, its status and the time');
SELECT is((SELECT e #>> '{decisions,0,release_id}' FROM ex), 'rel_app_2_0_0', 'and the target release id');
SELECT ok((SELECT NOT (e::text ~ 'v4\.public\.') FROM ex), 'explain_decision signs nothing');
SELECT is((SELECT (e #> '{decisions,0}') - 'product_id' - 'channel' - 'rationale' FROM (SELECT explain_decision(
		pg_temp.q('prod_nope', '1.0.0') || '{"tenant_id":"tenant_a"}') AS e) s),
	'{"action":"NONE","version":null,"release_id":null,"artifact":null,"critical":false,"bucket":null,"mode":null,"policy_sources":{},"reasons":["not_entitled"],"trace":[]}'::jsonb,
	'an unknown product explains as not_entitled, with an empty trace and no policy');
DO $$BEGIN PERFORM clear_policy('tenant_product', 'tenant_a', 'prod_app'); END$$;
DO $$BEGIN PERFORM clear_rollout('rel_app_2_0_0'); END$$;

-- ---- tenant_update_decisions (IT tools) ---------------------------------------------------------------
CREATE TEMP TABLE it AS SELECT tenant_update_decisions('tenant_a') AS token;
CREATE TEMP VIEW itp AS SELECT verify_token(token) AS p FROM it;
SELECT is((SELECT (p ->> 'typ', p ->> 'kind', p ->> 'tenant_id') FROM itp), ('decision'::text, 'tenant_targets'::text, 'tenant_a'::text),
	'tenant_update_decisions: a verified token, typ decision, kind tenant_targets');
SELECT is((SELECT (p ->> 'exp')::timestamptz - (p ->> 'iat')::timestamptz FROM itp), interval '900 seconds',
	'it expires after the tenant''s decision_ttl');
SELECT is((SELECT array_agg(e ->> 'product_id' ORDER BY e ->> 'product_id') FROM itp, jsonb_array_elements(p -> 'products') e),
	'{prod_app,prod_free,prod_lic,prod_roll}', 'one entry per product visible to the tenant (entitled, expired, or free)');
SELECT is((SELECT array_agg(format('%s/%s %s %s', t ->> 'platform', t ->> 'arch', t ->> 'version', t -> 'artifact' ->> 'installer_type')
		ORDER BY t ->> 'platform') FROM itp, jsonb_array_elements(p -> 'products') e, jsonb_array_elements(e -> 'targets') t
		WHERE e ->> 'product_id' = 'prod_free'),
	'{"linux/x86_64 1.0.0 deb","macos/arm64 1.0.0 dmg","windows/x86_64 1.0.0 msi"}',
	'each product has a target per platform and arch it ships for, with that platform''s artifact');
SELECT is((SELECT t -> 'artifact' ?& ARRAY['url', 'sha256', 'size', 'installer_type', 'requires_admin']
		FROM itp, jsonb_array_elements(p -> 'products') e, jsonb_array_elements(e -> 'targets') t
		WHERE e ->> 'product_id' = 'prod_free' LIMIT 1), true,
	'an artifact entry has url, sha256, size, installer type, requires_admin');
SELECT is(verify_token(tenant_update_decisions('tenant_b')) -> 'products' -> 0 ->> 'product_id', 'prod_app',
	'tenant_b sees its own products');
-- prod_app's newest release 2.1.1 ships for linux only; windows and macos
-- fleets get 2.1.0, each with its own artifact.
SELECT is((SELECT array_agg(format('%s %s', t ->> 'platform', t ->> 'version') ORDER BY t ->> 'platform')
		FROM itp, jsonb_array_elements(p -> 'products') e, jsonb_array_elements(e -> 'targets') t
		WHERE e ->> 'product_id' = 'prod_app' AND t -> 'artifact' <> 'null'),
	(SELECT array_agg(format('%s %s', pl, v) ORDER BY pl) FROM (VALUES ('linux', '2.1.1'), ('macos', '2.1.0'), ('windows', '2.1.0')) x(pl, v)
	 WHERE pl IN (SELECT DISTINCT ra.platform FROM release_artifacts ra JOIN releases r USING (release_id) WHERE r.product_id = 'prod_app')),
	'IT targets are per platform: linux gets 2.1.1, the others the newest release they have');

-- ---- installs -------------------------------------------------------------------------------
CREATE TEMP TABLE inst0 AS SELECT count(*) AS n FROM installs;
DO $$BEGIN PERFORM check_update(pg_temp.q('prod_app', '1.0.0', extra => '{"install_id":"inst-up"}') || '{"tenant_id":"tenant_a"}'); END$$;
SELECT is((SELECT (platform, arch, versions) FROM installs WHERE tenant_id = 'tenant_a' AND install_id = 'inst-up'),
	('windows'::text, 'x86_64'::text, '{"prod_app":"1.0.0"}'::jsonb), 'check_update records the install with what it reported');
UPDATE installs SET first_seen = now() - interval '2 days', last_seen = now() - interval '1 day' WHERE install_id = 'inst-up';
DO $$BEGIN PERFORM check_update(jsonb_build_object('tenant_id', 'tenant_a', 'install_id', 'inst-up', 'platform', 'linux', 'arch', 'x86_64',
	'products', '[{"product_id":"prod_free","current_version":"0.9.0"},{"product_id":"prod_gated","current_version":"1.0.0"},
	{"product_id":"prod_nope","current_version":"1.0.0"},{"product_id":"prod_roll"}]'::jsonb)); END$$;
SELECT is((SELECT (platform, versions) FROM installs WHERE tenant_id = 'tenant_a' AND install_id = 'inst-up'),
	('linux'::text, '{"prod_app":"1.0.0","prod_free":"0.9.0"}'::jsonb),
	'versions merge across calls; products not visible or without a version are not recorded');
SELECT is((SELECT (first_seen, last_seen) FROM installs WHERE install_id = 'inst-up'), (now() - interval '2 days', now()),
	'last_seen is updated, first_seen kept');
DO $$BEGIN PERFORM check_update(pg_temp.q('prod_app', '2.1.0', extra => '{"install_id":"inst-up"}') || '{"tenant_id":"tenant_a"}'); END$$;
SELECT is((SELECT versions FROM installs WHERE install_id = 'inst-up'), '{"prod_app":"2.1.0","prod_free":"0.9.0"}'::jsonb,
	'a newer reported version replaces the old one');
SELECT is((SELECT count(*)::int FROM installs WHERE install_id = 'inst-up'), 1, 'still one row per install');
DO $$BEGIN PERFORM check_update(pg_temp.q('prod_app', '1.0.0', extra => '{"install_id":"inst-up"}') || '{"tenant_id":"tenant_b"}'); END$$;
SELECT is((SELECT array_agg(tenant_id ORDER BY tenant_id) FROM installs WHERE install_id = 'inst-up'), '{tenant_a,tenant_b}',
	'installs are per tenant: the same install id in another tenant is another row');
CREATE TEMP TABLE inst1 AS SELECT count(*) AS n FROM installs;
DO $$BEGIN PERFORM explain_decision(pg_temp.q('prod_app', '1.0.0', extra => '{"install_id":"inst-explain"}') || '{"tenant_id":"tenant_a"}'); END$$;
DO $$BEGIN PERFORM check_update(pg_temp.q('prod_app', '1.0.0') - 'install_id' || '{"tenant_id":"tenant_a"}'); END$$;
DO $$BEGIN PERFORM set_tenant_status('tenant_b', 'suspended'); END$$;
DO $$BEGIN PERFORM check_update(pg_temp.q('prod_app', '1.0.0', extra => '{"install_id":"inst-suspended"}') || '{"tenant_id":"tenant_b"}'); END$$;
DO $$BEGIN PERFORM set_tenant_status('tenant_b', 'active'); END$$;
SELECT is((SELECT count(*) FROM installs) - (SELECT n FROM inst1), 0::bigint,
	'explain_decision, requests without install_id, and suspended tenants write no install');
SELECT ok((SELECT n FROM inst1) > (SELECT n FROM inst0), 'check_update did write installs above');

-- ---- read-only transactions (a hot standby in miniature) ----------------------------------------
-- Going read-only is allowed mid-transaction; the block rolls it back.
CREATE FUNCTION pg_temp.read_only_decision(req jsonb, log boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	got text;
BEGIN
	BEGIN
		SET LOCAL transaction_read_only = on;
		PERFORM set_config('bigpicture.log_decisions', log::text, true);
		got := (SELECT r #>> '{decisions,0,version}' || ' recorded=' || (r ->> 'recorded')
			FROM bigpicture.check_update(req) r);
		RAISE SQLSTATE 'BPOK0';
	EXCEPTION
		WHEN SQLSTATE 'BPOK0' THEN NULL;
		WHEN OTHERS THEN got := 'ERROR ' || SQLSTATE || ' ' || SQLERRM;
	END;
	RETURN got;
END
$$;
SELECT is(pg_temp.read_only_decision(pg_temp.q('prod_app', '1.0.0', extra => '{"install_id":"inst-ro"}') || '{"tenant_id":"tenant_a"}', false),
	'2.1.0 recorded=false', 'check_update works in a read-only transaction and says the install was not recorded');
SELECT is(pg_temp.read_only_decision(pg_temp.q('prod_app', '1.0.0', extra => '{"install_id":"inst-ro"}') || '{"tenant_id":"tenant_a"}', true),
	'2.1.0 recorded=false', 'even with log_decisions on, which is skipped there and reported as not recorded');
SELECT is(current_setting('transaction_read_only'), 'off', 'the test transaction is read-write again');

-- ---- the decision log -----------------------------------------------------------------------------
SET LOCAL bigpicture.log_decisions = on;
DO $$BEGIN PERFORM check_update(jsonb_build_object('tenant_id', 'tenant_a', 'install_id', 'inst-log', 'nonce', 'nonce-log',
	'platform', 'windows', 'arch', 'x86_64', 'products',
	'[{"product_id":"prod_app","current_version":"1.0.0"},{"product_id":"prod_gated","channel":"stable"}]'::jsonb)); END$$;
DO $$BEGIN PERFORM explain_decision(pg_temp.q('prod_app', '1.0.0', extra => '{"install_id":"inst-log-explain"}') || '{"tenant_id":"tenant_a"}'); END$$;
SELECT is((SELECT array_agg(format('%s %s %s %s %s %s %s %s %s', tenant_id, install_id, product_id, COALESCE(current_version, '-'),
		channel, action, COALESCE(version, '-'), reasons, nonce) ORDER BY product_id) FROM decision_log WHERE tenant_id = 'tenant_a'),
	ARRAY['tenant_a inst-log prod_app 1.0.0 stable NOTIFY 2.1.0 {update_available} nonce-log',
		  'tenant_a inst-log prod_gated - stable NONE - {not_entitled} nonce-log'],
	'with bigpicture.log_decisions on, each decision of check_update is logged (explain_decision is not)');
SELECT is((SELECT array_agg(DISTINCT actor) FROM decision_log WHERE tenant_id = 'tenant_a'), ARRAY[current_user::text], 'the log records the actor');
SELECT is((SELECT count(*)::int FROM decision_log WHERE tenant_id = 'tenant_a' AND decided_at = now() AND decision_id ~ '^dec_'), 2, 'with time and id');
SET LOCAL bigpicture.log_decisions = off;
DO $$BEGIN PERFORM check_update(pg_temp.q('prod_app', '1.0.0', extra => '{"install_id":"inst-nolog"}') || '{"tenant_id":"tenant_a"}'); END$$;
SELECT is((SELECT count(*)::int FROM decision_log WHERE tenant_id = 'tenant_a'), 2, 'with it off nothing is logged');
SELECT is(failure_of('UPDATE decision_log SET action = ''INSTALL'''), 'PT409 the decision log is append-only',
	'the decision log refuses UPDATE');
SELECT is(failure_of('DELETE FROM decision_log'), 'PT409 the decision log is append-only', 'and DELETE');
SELECT is(failure_of('TRUNCATE decision_log'), 'PT409 the decision log is append-only', 'and TRUNCATE');

-- ---- bad requests -----------------------------------------------------------------------------------
SET LOCAL bigpicture.log_decisions = on;
CREATE TEMP TABLE before_bad AS SELECT (SELECT count(*) FROM installs) AS installs, (SELECT count(*) FROM decision_log) AS logged;
CREATE TEMP TABLE bad (name text, req jsonb, want text);
INSERT INTO bad VALUES
	('not an object', '[]', '"request" must be a JSON object'),
	('a string', '"hello"', '"request" must be a JSON object'),
	('unknown top-level field', '{"platform":"windows","arch":"x86_64","products":[{"product_id":"prod_app"}],"version":"1"}',
		'"version" is not a request field'),
	('bad platform', '{"platform":"win32","arch":"x86_64","products":[{"product_id":"prod_app"}]}',
		'"platform" must be one of windows, macos, linux'),
	('missing platform', '{"arch":"x86_64","products":[{"product_id":"prod_app"}]}', '"platform" must be one of windows, macos, linux'),
	('bad arch', '{"platform":"windows","arch":"amd64","products":[{"product_id":"prod_app"}]}', '"arch" must be one of x86_64, x86, arm64'),
	('install_id empty', '{"install_id":"","platform":"windows","arch":"x86_64","products":[{"product_id":"prod_app"}]}',
		'"install_id" must be a string of 1 to 128 characters'),
	('install_id too long', jsonb_build_object('install_id', repeat('i', 129), 'platform', 'windows', 'arch', 'x86_64',
		'products', '[{"product_id":"prod_app"}]'::jsonb), '"install_id" must be a string of 1 to 128 characters'),
	('nonce a number', '{"nonce":7,"platform":"windows","arch":"x86_64","products":[{"product_id":"prod_app"}]}',
		'"nonce" must be a string of 1 to 128 characters'),
	('products missing', '{"platform":"windows","arch":"x86_64"}', '"products" must be an array of 1 to 50 products'),
	('products empty', '{"platform":"windows","arch":"x86_64","products":[]}', '"products" must be an array of 1 to 50 products'),
	('products not an array', '{"platform":"windows","arch":"x86_64","products":{"product_id":"prod_app"}}',
		'"products" must be an array of 1 to 50 products'),
	('51 products', jsonb_build_object('platform', 'windows', 'arch', 'x86_64', 'products',
		(SELECT jsonb_agg(jsonb_build_object('product_id', 'prod_' || i)) FROM generate_series(1, 51) i)),
		'"products" must be an array of 1 to 50 products'),
	('product not an object', '{"platform":"windows","arch":"x86_64","products":[{"product_id":"prod_app"},"prod_free"]}',
		'"products[1]" must be an object'),
	('missing product_id', '{"platform":"windows","arch":"x86_64","products":[{"current_version":"1.0.0"}]}',
		'"products[0].product_id" must be a string of 1 to 128 characters'),
	('duplicate product_id', '{"platform":"windows","arch":"x86_64","products":[{"product_id":"prod_app"},{"product_id":"prod_app"}]}',
		'"products[1].product_id" repeats an earlier product'),
	('unknown product field', '{"platform":"windows","arch":"x86_64","products":[{"product_id":"prod_app","version":"1.0.0"}]}',
		'"products[0].version" is not a product field'),
	('malformed current_version 1.2', '{"platform":"windows","arch":"x86_64","products":[{"product_id":"prod_app","current_version":"1.2"}]}',
		'"products[0].current_version" is not a SemVer 2.0.0 version'),
	('current_version a number', '{"platform":"windows","arch":"x86_64","products":[{"product_id":"prod_app","current_version":1}]}',
		'"products[0].current_version" must be a SemVer string'),
	('channel with upper case', '{"platform":"windows","arch":"x86_64","products":[{"product_id":"prod_app","channel":"Stable"}]}',
		'"products[0].channel" must be a channel name'),
	('capabilities not an object', '{"platform":"windows","arch":"x86_64","capabilities":["msi"],"products":[{"product_id":"prod_app"}]}',
		'"capabilities" must be an object'),
	('unknown capability', '{"platform":"windows","arch":"x86_64","capabilities":{"sudo":true},"products":[{"product_id":"prod_app"}]}',
		'"capabilities.sudo" is not a capability'),
	('installer_types not an array', '{"platform":"windows","arch":"x86_64","capabilities":{"installer_types":"msi"},"products":[{"product_id":"prod_app"}]}',
		'"capabilities.installer_types" must be an array of installer types'),
	('can_elevate a string', '{"platform":"windows","arch":"x86_64","capabilities":{"can_elevate":"yes"},"products":[{"product_id":"prod_app"}]}',
		'"capabilities.can_elevate" must be true or false'),
	('install_scope unknown', '{"platform":"windows","arch":"x86_64","capabilities":{"install_scope":"global"},"products":[{"product_id":"prod_app"}]}',
		'"capabilities.install_scope" must be user or machine');
-- Every bad request also carries a good install id and tenant, so a partial write would show.
UPDATE bad SET req = req || '{"tenant_id":"tenant_a","install_id":"inst-bad"}' WHERE jsonb_typeof(req) = 'object' AND NOT req ? 'install_id';
SELECT is((SELECT array_agg(format('%s: %s', name, COALESCE(got, 'no error'))) FROM (
		SELECT name, want, failure_of(format('SELECT check_update(%L)', req)) AS got FROM bad) s
	WHERE got IS DISTINCT FROM '22023 invalid request: ' || want), NULL,
	format('check_update refuses %s kinds of bad request with 22023 and a message naming the field', (SELECT count(*) FROM bad)));
SELECT is((SELECT array_agg(name) FROM (SELECT name, want, failure_of(format('SELECT explain_decision(%L)', req)) AS got FROM bad) s
	WHERE got IS DISTINCT FROM '22023 invalid request: ' || want), NULL, 'explain_decision refuses them the same way');
SELECT is(error_of($$SELECT check_update('{"platform":"windows","arch":"x86_64","products":[]}')$$),
	'invalid request: "products" must be an array of 1 to 50 products | It is []. | See docs/decisions.md for the request format.',
	'the error says what the field held, and hints at the docs');
SELECT is(error_of($$SELECT check_update('{"arch":"x86_64","products":[{"product_id":"p"}]}')$$),
	'invalid request: "platform" must be one of windows, macos, linux | The request has no platform. | See docs/decisions.md for the request format.',
	'a missing field is called missing');
SELECT is(failure_of('SELECT check_update(NULL)'), '22023 invalid request: "request" must be a JSON object', 'a NULL request is refused');
SELECT is((SELECT ((SELECT count(*) FROM installs), (SELECT count(*) FROM decision_log)) FROM before_bad),
	(SELECT (installs, logged) FROM before_bad), 'bad requests wrote no install and no log row');
SELECT lives_ok($$SELECT check_update(pg_temp.q('prod_app', '1.0.0', extra => '{"install_id":"inst-bad","capabilities":{"can_elevate":true,"vdi":false,"install_scope":"user","installer_types":[]}}') || '{"tenant_id":"tenant_a","nonce":null}')$$,
	'every documented field is accepted, null nonce included');
SET LOCAL bigpicture.log_decisions = off;

-- ---- callers bound to a tenant -------------------------------------------------------------
CREATE ROLE dec_test_dba_a LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE dec_test_client_b LOGIN IN ROLE bigpicture_client;
CREATE ROLE dec_test_unbound LOGIN IN ROLE bigpicture_client;
DO $$BEGIN PERFORM bind_role('dec_test_dba_a', 'tenant_a'); END$$;
DO $$BEGIN PERFORM bind_role('dec_test_client_b', 'tenant_b'); END$$;
SET LOCAL ROLE dec_test_dba_a;
SELECT is(verify_token(check_update(pg_temp.q('prod_app', '1.0.0')) #>> '{decisions,0,token}') ->> 'tenant_id', 'tenant_a',
	'a caller bound to tenant_a omitting tenant_id gets tenant_a');
SELECT is(failure_of($$SELECT check_update(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_b"}')$$),
	'42501 tenant_id does not match the caller''s tenant', 'and cannot ask for tenant_b');
SELECT lives_ok($$SELECT check_update(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_a"}')$$, 'naming its own tenant is fine');
SELECT is(failure_of($$SELECT explain_decision(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_b"}')$$),
	'42501 tenant_id does not match the caller''s tenant', 'explain_decision: no other tenant either');
SELECT is(failure_of($$SELECT tenant_update_decisions('tenant_b')$$),
	'42501 tenant_id does not match the caller''s tenant', 'tenant_update_decisions: no other tenant either');
SELECT is(verify_token(tenant_update_decisions()) ->> 'tenant_id', 'tenant_a', 'tenant_update_decisions() is the caller''s tenant');
SELECT lives_ok($$SELECT set_policy('tenant', mode => 'MANAGED_BY_IT', blocked => ARRAY['>=2.0.0']::bigpicture.semver_range[])$$,
	'the tenant admin sets its own tenant policy');
SELECT is((SELECT (d ->> 'action', d ->> 'version') FROM jsonb_array_elements(check_update(pg_temp.q('prod_app', '1.0.0')) -> 'decisions') d),
	('NONE'::text, '1.2.0'::text), 'which governs its own decisions');
SET LOCAL ROLE dec_test_client_b;
SELECT is((SELECT (d ->> 'action', d ->> 'version', verify_token(d ->> 'token') ->> 'tenant_id')
		FROM jsonb_array_elements(check_update(pg_temp.q('prod_app', '1.0.0')) -> 'decisions') d),
	('NOTIFY'::text, '2.1.0'::text, 'tenant_b'::text), 'tenant_b''s client is untouched by tenant_a''s policy');
SELECT is(failure_of($$SELECT check_update(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_a"}')$$),
	'42501 tenant_id does not match the caller''s tenant', 'a client cannot ask for another tenant');
SELECT is(left(failure_of($$SELECT explain_decision(pg_temp.q('prod_app', '1.0.0'))$$), 5), '42501',
	'a client may not call explain_decision');
SET LOCAL ROLE dec_test_unbound;
SELECT is(failure_of($$SELECT check_update(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_a"}')$$),
	'42501 no tenant for this caller', 'an unbound client gets no tenant, even when it names one');
RESET ROLE;

-- ---- an install bound by the gateway's claims (a client certificate's or a token's install_id) ----
CREATE ROLE dec_test_gw LOGIN NOINHERIT IN ROLE bigpicture_gateway;
SET LOCAL SESSION AUTHORIZATION dec_test_gw;
SET LOCAL ROLE bigpicture_client;
SELECT set_config('request.jwt.claims', '{"role":"bigpicture_client","tenant_id":"tenant_a","install_id":"inst-bound"}', true);
CREATE TEMP TABLE bound_tok AS SELECT check_update(pg_temp.q('prod_app', '1.0.0') - 'install_id') #>> '{decisions,0,token}' AS token;
SELECT is(failure_of($$SELECT check_update(pg_temp.q('prod_app', '1.0.0') || '{"install_id":"inst-other"}')$$),
	'42501 install_id "inst-other" is not the install this request is bound to',
	'a request whose claims name an install cannot ask for another');
SELECT lives_ok($$SELECT check_update(pg_temp.q('prod_app', '1.0.0') || '{"install_id":"inst-bound"}')$$,
	'naming the bound install is fine');
SELECT is(failure_of($$SELECT issue_lease('{"product_id":"prod_app","subject_type":"machine","subject_id":"m-bound","install_id":"inst-other"}')$$),
	'42501 install_id "inst-other" is not the install this request is bound to', 'a lease for another install neither');
SELECT set_config('request.jwt.claims', '{"role":"bigpicture_client","tenant_id":"tenant_a"}', true);
SELECT lives_ok($$SELECT check_update(pg_temp.q('prod_app', '1.0.0') || '{"install_id":"inst-other"}')$$,
	'claims without install_id bind no install');
SELECT set_config('request.jwt.claims', '', true);
RESET ROLE;
RESET SESSION AUTHORIZATION;
SELECT is((SELECT verify_token(token) ->> 'install_id' FROM bound_tok), 'inst-bound',
	'a request bound to an install is for that install when it names none');
SELECT is(bigpicture._bound_install_id('inst-x'), 'inst-x', 'outside the gateway no claim binds an install');
DO $$BEGIN PERFORM clear_policy('tenant', 'tenant_a'); END$$;

-- ---- key rotation ---------------------------------------------------------------------------------
CREATE TEMP TABLE old_tok AS SELECT check_update(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_a"}') #>> '{decisions,0,token}' AS token;
CREATE TEMP TABLE dec2 AS SELECT generate_key('decision') AS kid;
DO $$BEGIN PERFORM activate_key(kid) FROM dec2; END$$;
CREATE TEMP TABLE new_tok AS SELECT check_update(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_a"}') #>> '{decisions,0,token}' AS token;
SELECT is((SELECT paseto_footer(token) ->> 'kid' FROM new_tok), (SELECT kid FROM dec2), 'after rotation the new decision key signs');
SELECT is((SELECT state FROM public_keys WHERE kid = (SELECT dec1 FROM k)), 'retiring',
	'the old key is retiring and signs no more');
SELECT is((SELECT verify_token(token) ->> 'version' FROM old_tok), '2.1.0', 'tokens of the retiring key still verify');
SELECT is((SELECT paseto_verify(token, (SELECT public_key FROM public_keys WHERE kid = (SELECT kid FROM dec2))) ->> 'typ' FROM new_tok),
	'decision', 'new tokens verify with the new key''s PASERK');
-- A tenant may have its own decision key: its decisions use it.
CREATE TEMP TABLE kb AS SELECT generate_key('decision', 'tenant_b') AS kid;
DO $$BEGIN PERFORM activate_key(kid) FROM kb; END$$;
SELECT is(paseto_footer(check_update(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_b"}') #>> '{decisions,0,token}') ->> 'kid',
	(SELECT kid FROM kb), 'a tenant''s own decision key signs its decisions');
SELECT is(paseto_footer(check_update(pg_temp.q('prod_app', '1.0.0') || '{"tenant_id":"tenant_a"}') #>> '{decisions,0,token}') ->> 'kid',
	(SELECT kid FROM dec2), 'other tenants keep the vendor key');

SELECT * FROM finish();
ROLLBACK;
