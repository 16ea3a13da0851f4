-- Update decisions: documented request/response examples (docs/decisions.md).
-- Needs the library preloaded with a master key (publishing signs).
SET search_path = bigpicture, public;
SET client_min_messages = warning;
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT activate_key(generate_key('decision')) IS NULL AS decision_key_active;
SELECT create_tenant('Regress Corp', 'tenant_regress');
SELECT create_product('Regress Editor', 'prod_regress', requires_entitlement => false);
SELECT create_channel('prod_regress', 'stable');
SELECT create_channel('prod_regress', 'beta', allows_prerelease => true);
CREATE FUNCTION pg_temp.release(version text, channel text DEFAULT 'stable', admin boolean DEFAULT false) RETURNS text
LANGUAGE sql AS $$
	SELECT bigpicture.attach_artifact(r, bigpicture.create_artifact('prod_regress',
		'https://dl.example.com/regress-' || version || '.msi', repeat('ab', 32), 1000, 'windows', 'x86_64', 'msi',
		requires_admin => admin, artifact_id => 'art_' || replace(version, '.', '_')))
		|| bigpicture.submit_release(r)
	FROM bigpicture.create_release('prod_regress', version, channel, release_id => 'rel_' || replace(version, '.', '_')) r
$$;
SELECT pg_temp.release('1.0.0'), pg_temp.release('1.1.0'), pg_temp.release('1.2.0', admin => true),
       pg_temp.release('2.0.0-beta.1', 'beta');

-- A request and the fields of its signed answer.
CREATE FUNCTION pg_temp.ask(products jsonb, extra jsonb DEFAULT '{}') RETURNS TABLE (product text, action text,
	version text, reasons jsonb, rationale text, sources jsonb) LANGUAGE sql AS $$
	SELECT p ->> 'product_id', p ->> 'action', p ->> 'version', p -> 'reasons', p ->> 'rationale', p -> 'policy_sources'
	FROM jsonb_array_elements(bigpicture.check_update(jsonb_build_object('tenant_id', 'tenant_regress',
		'install_id', 'inst-1', 'platform', 'windows', 'arch', 'x86_64', 'products', products) || extra) -> 'decisions') d,
		bigpicture.verify_token(d ->> 'token') p
$$;

-- Defaults: NOTIFY_ONLY on stable.
SELECT * FROM pg_temp.ask('[{"product_id": "prod_regress", "current_version": "1.0.0"}]');
-- Up to date, and an unknown product (never an error).
SELECT * FROM pg_temp.ask('[{"product_id": "prod_regress", "current_version": "1.2.0"},
                            {"product_id": "prod_unknown", "current_version": "1.0.0"}]');
-- AUTO_INSTALL, but the target needs admin rights the client lacks.
SELECT set_policy('tenant', 'tenant_regress', mode => 'AUTO_INSTALL') IS NOT NULL AS set;
SELECT * FROM pg_temp.ask('[{"product_id": "prod_regress", "current_version": "1.0.0"}]',
                          '{"capabilities": {"can_elevate": false}}');
SELECT * FROM pg_temp.ask('[{"product_id": "prod_regress", "current_version": "1.0.0"}]',
                          '{"capabilities": {"can_elevate": true}}');
-- A block on the tenant's product row; the beta channel allows prereleases.
SELECT set_policy('tenant_product', 'tenant_regress', 'prod_regress', blocked => '{">=1.2.0"}') IS NOT NULL AS set;
SELECT * FROM pg_temp.ask('[{"product_id": "prod_regress", "current_version": "1.0.0"}]',
                          '{"capabilities": {"can_elevate": true}}');
SELECT * FROM pg_temp.ask('[{"product_id": "prod_regress", "current_version": "1.0.0", "channel": "beta"}]',
                          '{"capabilities": {"can_elevate": true}}');
-- Revoking 1.1.0: the previous eligible release, 1.0.0, is the target again;
-- a client still on 1.1.0 is told its version was revoked (and not to downgrade).
SELECT revoke_release('rel_1_1_0', 'regression');
SELECT * FROM pg_temp.ask('[{"product_id": "prod_regress", "current_version": "0.9.0"}]',
                          '{"capabilities": {"can_elevate": true}}');
SELECT * FROM pg_temp.ask('[{"product_id": "prod_regress", "current_version": "1.1.0"}]',
                          '{"capabilities": {"can_elevate": true}}');

-- explain_decision: every release considered, unsigned.
SELECT t ->> 'version' AS version, t ->> 'kept' AS kept, t ->> 'reason' AS reason
FROM explain_decision('{"tenant_id": "tenant_regress", "install_id": "inst-1", "platform": "windows", "arch": "x86_64",
                        "products": [{"product_id": "prod_regress", "current_version": "0.9.0"}]}') e,
     jsonb_array_elements(e -> 'decisions' -> 0 -> 'trace') t;

-- Malformed requests: 22023, naming the field.
SELECT check_update('[]');
SELECT check_update('{"platform": "amiga", "arch": "x86_64", "products": []}');
SELECT check_update('{"platform": "windows", "arch": "x86_64", "tenant_id": "tenant_regress", "products": []}');
SELECT check_update('{"platform": "windows", "arch": "x86_64", "tenant_id": "tenant_regress",
                      "products": [{"product_id": "prod_regress", "current_version": "01.0.0"}]}');
SELECT check_update('{"platform": "windows", "arch": "x86_64", "tenant_id": "tenant_regress", "color": "blue",
                      "products": [{"product_id": "prod_regress"}]}');
SELECT check_update('{"platform": "windows", "arch": "x86_64", "tenant_id": "tenant_regress",
                      "products": [{"product_id": "prod_regress"}, {"product_id": "prod_regress"}]}');
