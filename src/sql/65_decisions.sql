-- Update decisions (DESIGN §4): check_update, explain_decision,
-- tenant_update_decisions, the optional decision log.

CREATE TABLE bigpicture.decision_log (
	tenant_id        text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	decision_id      text NOT NULL DEFAULT bigpicture.new_id('dec'),
	decided_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
	install_id       text,
	product_id       text NOT NULL,
	current_version  text,
	channel          text,
	action           text NOT NULL,
	version          text,
	reasons          text[] NOT NULL,
	nonce            text,
	actor            text NOT NULL,
	PRIMARY KEY (tenant_id, decision_id)
);
CREATE INDEX decision_log_time ON bigpicture.decision_log (tenant_id, decided_at);
COMMENT ON TABLE bigpicture.decision_log IS
	'append-only record of update decisions, written when bigpicture.log_decisions is on; outside the audit hash chain so it never serialises decisions';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.decision_log', '');

-- Rows go only with their tenant: a delete cascading from tenants (fired
-- from the foreign key's own trigger, so at depth 2) is let through; no role
-- has DELETE on the table itself.
CREATE FUNCTION bigpicture.decision_log_append_only() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'the decision log is append-only' USING ERRCODE = '55000';
END
$$;
CREATE TRIGGER decision_log_append_only BEFORE UPDATE OR DELETE ON bigpicture.decision_log
	FOR EACH ROW EXECUTE FUNCTION bigpicture.decision_log_append_only();
CREATE TRIGGER decision_log_no_truncate BEFORE TRUNCATE ON bigpicture.decision_log
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.decision_log_append_only();

ALTER TABLE bigpicture.decision_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.decision_log FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.decision_log TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.decision_log FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.decision_log FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.decision_log FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = (SELECT bigpicture.current_tenant()));
GRANT SELECT ON bigpicture.decision_log TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- ---- request validation --------------------------------------------------------------

CREATE FUNCTION bigpicture._bad_request(field text, problem text, got jsonb DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RAISE EXCEPTION 'invalid request: "%" %', field, problem USING ERRCODE = '22023',
		DETAIL = CASE WHEN got IS NULL THEN format('The request has no %s.', field)
			ELSE format('It is %s.', left(got::text, 100)) END,
		HINT = 'See docs/decisions.md for the request format.';
END
$$;

-- Check the parts of a request shared by every product; returns it with
-- capabilities filled in.
CREATE FUNCTION bigpicture._check_request(req jsonb) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	k text;
	caps jsonb;
	item jsonb;
	i integer := 0;
	seen text[] := '{}';
BEGIN
	IF req IS NULL OR jsonb_typeof(req) <> 'object' THEN
		PERFORM bigpicture._bad_request('request', 'must be a JSON object', req);
	END IF;
	FOR k IN SELECT jsonb_object_keys(req) LOOP
		IF k NOT IN ('install_id', 'tenant_id', 'nonce', 'platform', 'arch', 'capabilities', 'products') THEN
			PERFORM bigpicture._bad_request(k, 'is not a request field', req -> k);
		END IF;
	END LOOP;
	FOREACH k IN ARRAY ARRAY['install_id', 'tenant_id', 'nonce'] LOOP
		IF req ? k AND jsonb_typeof(req -> k) <> 'null' AND
		   (jsonb_typeof(req -> k) <> 'string' OR length(req ->> k) NOT BETWEEN 1 AND 128) THEN
			PERFORM bigpicture._bad_request(k, 'must be a string of 1 to 128 characters', req -> k);
		END IF;
	END LOOP;
	IF jsonb_typeof(req -> 'platform') IS DISTINCT FROM 'string' OR req ->> 'platform' NOT IN ('windows', 'macos', 'linux') THEN
		PERFORM bigpicture._bad_request('platform', 'must be one of windows, macos, linux', req -> 'platform');
	END IF;
	IF jsonb_typeof(req -> 'arch') IS DISTINCT FROM 'string' OR req ->> 'arch' NOT IN ('x86_64', 'x86', 'arm64') THEN
		PERFORM bigpicture._bad_request('arch', 'must be one of x86_64, x86, arm64', req -> 'arch');
	END IF;
	caps := COALESCE(NULLIF(req -> 'capabilities', 'null'), '{}');
	IF jsonb_typeof(caps) <> 'object' THEN
		PERFORM bigpicture._bad_request('capabilities', 'must be an object', caps);
	END IF;
	FOR k IN SELECT jsonb_object_keys(caps) LOOP
		IF k NOT IN ('can_elevate', 'install_scope', 'vdi', 'installer_types') THEN
			PERFORM bigpicture._bad_request('capabilities.' || k, 'is not a capability', caps -> k);
		END IF;
	END LOOP;
	IF caps ? 'can_elevate' AND jsonb_typeof(caps -> 'can_elevate') <> 'boolean' THEN
		PERFORM bigpicture._bad_request('capabilities.can_elevate', 'must be true or false', caps -> 'can_elevate');
	END IF;
	IF caps ? 'vdi' AND jsonb_typeof(caps -> 'vdi') <> 'boolean' THEN
		PERFORM bigpicture._bad_request('capabilities.vdi', 'must be true or false', caps -> 'vdi');
	END IF;
	IF caps ? 'install_scope' AND (jsonb_typeof(caps -> 'install_scope') <> 'string' OR caps ->> 'install_scope' NOT IN ('user', 'machine')) THEN
		PERFORM bigpicture._bad_request('capabilities.install_scope', 'must be user or machine', caps -> 'install_scope');
	END IF;
	IF caps ? 'installer_types' AND (jsonb_typeof(caps -> 'installer_types') <> 'array'
		OR EXISTS (SELECT 1 FROM jsonb_array_elements(caps -> 'installer_types') e WHERE jsonb_typeof(e) <> 'string')) THEN
		PERFORM bigpicture._bad_request('capabilities.installer_types', 'must be an array of installer types', caps -> 'installer_types');
	END IF;
	IF jsonb_typeof(req -> 'products') IS DISTINCT FROM 'array' OR jsonb_array_length(req -> 'products') NOT BETWEEN 1 AND 50 THEN
		PERFORM bigpicture._bad_request('products', 'must be an array of 1 to 50 products', req -> 'products');
	END IF;
	FOR item IN SELECT e FROM jsonb_array_elements(req -> 'products') e LOOP
		IF jsonb_typeof(item) <> 'object' THEN
			PERFORM bigpicture._bad_request(format('products[%s]', i), 'must be an object', item);
		END IF;
		FOR k IN SELECT jsonb_object_keys(item) LOOP
			IF k NOT IN ('product_id', 'current_version', 'channel') THEN
				PERFORM bigpicture._bad_request(format('products[%s].%s', i, k), 'is not a product field', item -> k);
			END IF;
		END LOOP;
		IF jsonb_typeof(item -> 'product_id') IS DISTINCT FROM 'string' OR length(item ->> 'product_id') NOT BETWEEN 1 AND 128 THEN
			PERFORM bigpicture._bad_request(format('products[%s].product_id', i), 'must be a string of 1 to 128 characters', item -> 'product_id');
		END IF;
		IF (item ->> 'product_id') = ANY (seen) THEN
			PERFORM bigpicture._bad_request(format('products[%s].product_id', i), 'repeats an earlier product', item -> 'product_id');
		END IF;
		seen := seen || (item ->> 'product_id');
		IF item ? 'current_version' AND jsonb_typeof(item -> 'current_version') <> 'null' THEN
			IF jsonb_typeof(item -> 'current_version') <> 'string' THEN
				PERFORM bigpicture._bad_request(format('products[%s].current_version', i), 'must be a SemVer string', item -> 'current_version');
			END IF;
			BEGIN
				PERFORM (item ->> 'current_version')::bigpicture.semver;
			EXCEPTION WHEN invalid_text_representation THEN
				PERFORM bigpicture._bad_request(format('products[%s].current_version', i),
					'is not a SemVer 2.0.0 version', item -> 'current_version');
			END;
		END IF;
		IF item ? 'channel' AND jsonb_typeof(item -> 'channel') <> 'null' AND
		   (jsonb_typeof(item -> 'channel') <> 'string' OR item ->> 'channel' !~ '^[a-z0-9][a-z0-9_-]{0,31}$') THEN
			PERFORM bigpicture._bad_request(format('products[%s].channel', i), 'must be a channel name', item -> 'channel');
		END IF;
		i := i + 1;
	END LOOP;
	RETURN jsonb_set(req, '{capabilities}', caps);
END
$$;

-- ---- evaluation ----------------------------------------------------------------------------

CREATE FUNCTION bigpicture._reason_text(reason text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE reason
		WHEN 'update_available' THEN 'an update is available'
		WHEN 'up_to_date' THEN 'already on the newest eligible release'
		WHEN 'blocked' THEN 'a newer release is blocked by policy'
		WHEN 'outside_pinned_range' THEN 'newer releases are outside the pinned version range'
		WHEN 'rollout_not_reached' THEN 'a newer release is rolling out and has not reached this install yet'
		WHEN 'prerelease_not_allowed' THEN 'newer prereleases are not allowed on this channel'
		WHEN 'entitlement_expired' THEN 'the entitlement has expired'
		WHEN 'managed_by_it' THEN 'updates are managed by IT'
		WHEN 'installer_requires_admin' THEN 'the installer needs administrator rights this client cannot get'
		WHEN 'installer_type_unsupported' THEN 'the client cannot run this installer type'
		WHEN 'outside_maintenance_window' THEN 'outside the maintenance window: download now, install in the window'
		WHEN 'not_entitled' THEN 'the product is not available to this tenant'
		WHEN 'tenant_suspended' THEN 'the tenant is suspended'
		WHEN 'current_version_revoked' THEN 'the running version has been revoked'
		WHEN 'unknown_channel' THEN 'the channel does not exist for this product'
		ELSE reason END;

-- One product's decision for one tenant, platform and arch.  With trace, every release considered is listed with why it was kept or
-- dropped.  Runs in the caller's snapshot; reads only.
CREATE FUNCTION bigpicture._evaluate(t bigpicture.tenants, install_id text, platform text, arch text,
	caps jsonb, product_id text, current_version bigpicture.semver, requested_channel text, with_trace boolean)
	RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	p bigpicture.products;
	ent_active boolean := false;
	ent_cutoff timestamptz;
	eff jsonb;
	pol jsonb;
	ch bigpicture.channels;
	mode text;
	pinned bigpicture.semver_range;
	blocked bigpicture.semver_range[];
	win jsonb;
	exp_rule text;
	allow_pre boolean;
	installer_types text[];
	can_elevate boolean := COALESCE((caps ->> 'can_elevate')::boolean, false);
	c record;
	target record;
	have_target boolean := false;
	target_bucket integer;
	drop text;
	b integer;
	reasons text[] := '{}';
	trace jsonb := '[]';
	action text := 'NONE';
	art jsonb;
	bucket_key text := COALESCE(install_id, t.tenant_id);
	result jsonb;
BEGIN
	result := jsonb_build_object('product_id', product_id, 'visible', false, 'action', 'NONE', 'version', NULL,
		'release_id', NULL, 'artifact', NULL, 'critical', false, 'bucket', NULL, 'mode', NULL,
		'channel', requested_channel, 'policy_sources', '{}'::jsonb);
	-- 1. Tenant active, product visible.  Never an error that tells whether a product exists.
	IF t.status <> 'active' THEN
		reasons := '{tenant_suspended}';
	ELSE
		SELECT * INTO p FROM bigpicture.products x WHERE x.product_id = _evaluate.product_id;
		IF NOT FOUND THEN
			reasons := '{not_entitled}';
		ELSIF p.requires_entitlement THEN
			SELECT COALESCE(bool_or(s = 'active'), false), max(e.ends_at) FILTER (WHERE s = 'expired')
			  INTO ent_active, ent_cutoff
			  FROM bigpicture.entitlements e, bigpicture.entitlement_state(e) s
			 WHERE e.tenant_id = t.tenant_id AND e.product_id = _evaluate.product_id;
			IF NOT ent_active AND ent_cutoff IS NULL THEN
				reasons := '{not_entitled}';
			END IF;
		END IF;
	END IF;
	IF reasons <> '{}' THEN
		RETURN result || jsonb_build_object('reasons', to_jsonb(reasons),
			'rationale', 'No update: ' || bigpicture._reason_text(reasons[1]) || '.',
			'trace', CASE WHEN with_trace THEN '[]'::jsonb END);
	END IF;
	result := result || '{"visible": true}';

	-- 2. Effective policy.
	eff := bigpicture.effective_policy(t.tenant_id, product_id, platform, requested_channel);
	pol := eff -> 'policy';
	mode := pol ->> 'mode';
	pinned := (pol ->> 'pinned_range')::bigpicture.semver_range;
	blocked := CASE WHEN pol ? 'blocked' THEN
		ARRAY(SELECT e #>> '{}' FROM jsonb_array_elements(pol -> 'blocked') e)::bigpicture.semver_range[] END;
	win := pol -> 'maintenance_window';
	exp_rule := pol ->> 'expired_entitlement_updates';
	allow_pre := (pol ->> 'allow_prerelease')::boolean;
	installer_types := ARRAY(SELECT e #>> '{}' FROM jsonb_array_elements(caps -> 'installer_types') e);
	result := result || jsonb_build_object('mode', mode, 'channel', pol ->> 'channel', 'policy_sources', eff -> 'sources',
		'policy', pol);

	SELECT * INTO ch FROM bigpicture.channels x WHERE x.product_id = _evaluate.product_id AND x.channel = pol ->> 'channel';
	IF NOT FOUND THEN
		reasons := '{unknown_channel}';
	ELSE
		-- 3.–5. Candidates, newest first; the first one kept is the target.
		FOR c IN
			SELECT r.release_id, r.version, r.critical, r.published_at, a.art, o.percentage, o.salt, o.paused
			FROM bigpicture.releases r
			CROSS JOIN LATERAL (
				-- The artifact for this platform and arch: one of an installer type the
				-- client runs, then one it can install without rights it lacks, then in
				-- the client's order of installer types.
				SELECT jsonb_build_object('url', x.url, 'sha256', x.sha256, 'size', x.size,
					'installer_type', x.installer_type, 'requires_admin', x.requires_admin,
					'install_scope', x.install_scope) AS art
				FROM bigpicture.release_artifacts ra JOIN bigpicture.artifacts x ON x.artifact_id = ra.artifact_id
				WHERE ra.release_id = r.release_id AND ra.platform = _evaluate.platform AND ra.arch = _evaluate.arch
				ORDER BY caps ? 'installer_types' AND NOT x.installer_type = ANY (installer_types),
						 (x.requires_admin OR x.install_scope = 'machine' AND caps ->> 'install_scope' = 'user')
						 AND NOT can_elevate,
						 array_position(installer_types, x.installer_type) NULLS LAST, x.installer_type
				LIMIT 1) a
			LEFT JOIN LATERAL (
				SELECT o.percentage, o.salt, o.paused FROM bigpicture.rollouts o
				WHERE o.release_id = r.release_id AND (o.platform IS NULL OR o.platform = _evaluate.platform)
				ORDER BY o.platform NULLS LAST LIMIT 1) o ON true
			WHERE r.product_id = _evaluate.product_id AND r.channel = ch.channel AND r.status = 'published'
			  AND (current_version IS NULL OR r.version OPERATOR(bigpicture.>) current_version)
			ORDER BY r.version DESC
		LOOP
			drop := NULL;
			b := CASE WHEN c.salt IS NOT NULL THEN bigpicture.rollout_bucket(c.salt, bucket_key) END;
			IF have_target THEN
				drop := 'older_than_target';
			ELSIF blocked IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(blocked) x WHERE bigpicture.semver_range_covers(x, c.version)) THEN
				drop := 'blocked';
			ELSIF bigpicture.semver_is_prerelease(c.version) AND NOT (ch.allows_prerelease OR allow_pre) THEN
				drop := 'prerelease_not_allowed';
			ELSIF pinned IS NOT NULL AND NOT c.version OPERATOR(bigpicture.<@) pinned THEN
				drop := 'outside_pinned_range';
			ELSIF p.requires_entitlement AND NOT ent_active
				  AND (exp_rule = 'none' OR exp_rule = 'published_before_expiry' AND c.published_at >= ent_cutoff) THEN
				drop := 'entitlement_expired';
			ELSIF c.salt IS NOT NULL AND (c.paused OR b >= c.percentage) THEN
				drop := 'rollout_not_reached';
			END IF;
			IF with_trace THEN
				trace := trace || jsonb_build_object('release_id', c.release_id, 'version', c.version::text,
					'kept', drop IS NULL, 'reason', drop,
					'rollout', CASE WHEN c.salt IS NOT NULL THEN jsonb_build_object('percentage', c.percentage,
						'paused', c.paused, 'bucket', b) END);
			END IF;
			IF drop IS NULL THEN
				target := c;
				have_target := true;
				target_bucket := b;
				IF NOT with_trace THEN
					EXIT;
				END IF;
			ELSIF drop <> 'older_than_target' AND NOT drop = ANY (reasons) THEN
				reasons := reasons || drop;
			END IF;
		END LOOP;
	END IF;

	IF EXISTS (SELECT 1 FROM bigpicture.releases r WHERE r.product_id = _evaluate.product_id
			   AND r.version OPERATOR(bigpicture.=) current_version AND r.status = 'revoked') THEN
		reasons := ARRAY['current_version_revoked'] || reasons;
	END IF;

	-- 6.–7. Target and action.
	IF have_target THEN
		art := target.art;
		action := CASE mode WHEN 'AUTO_INSTALL' THEN 'INSTALL' WHEN 'NOTIFY_ONLY' THEN 'NOTIFY' ELSE 'NONE' END;
		IF mode = 'MANAGED_BY_IT' THEN
			reasons := reasons || 'managed_by_it'::text;
		END IF;
		IF action = 'INSTALL' THEN
			-- A machine-wide install from a per-user client needs elevation too.
			IF ((art ->> 'requires_admin')::boolean OR art ->> 'install_scope' = 'machine' AND caps ->> 'install_scope' = 'user')
			   AND NOT can_elevate THEN
				action := 'NOTIFY';
				reasons := reasons || 'installer_requires_admin'::text;
			ELSIF caps ? 'installer_types' AND NOT (art ->> 'installer_type') = ANY (installer_types) THEN
				action := 'NOTIFY';
				reasons := reasons || 'installer_type_unsupported'::text;
			ELSIF win IS NOT NULL AND NOT bigpicture.in_maintenance_window(win, now()) THEN
				action := 'DOWNLOAD';
				reasons := reasons || 'outside_maintenance_window'::text;
			END IF;
		END IF;
		IF reasons = '{}' OR reasons = '{current_version_revoked}' THEN
			reasons := reasons || 'update_available'::text;
		END IF;
	ELSIF reasons = '{}' OR reasons = '{current_version_revoked}' THEN
		reasons := reasons || 'up_to_date'::text;
	END IF;

	-- 8. Reasons and rationale.
	IF NOT have_target THEN
		RETURN result || jsonb_build_object('reasons', to_jsonb(reasons),
			'rationale', 'No update: ' || (SELECT string_agg(bigpicture._reason_text(x), '; ') FROM unnest(reasons) x) || '.',
			'trace', CASE WHEN with_trace THEN trace END);
	END IF;
	RETURN result || jsonb_build_object(
		'action', action,
		'version', target.version::text,
		'release_id', target.release_id,
		'artifact', art,
		'critical', target.critical,
		'bucket', target_bucket,
		'reasons', to_jsonb(reasons),
		'rationale', format('%s %s on %s: ', initcap(action), target.version, pol ->> 'channel')
			|| (SELECT string_agg(bigpicture._reason_text(x), '; ') FROM unnest(reasons) x) || '.',
		'trace', CASE WHEN with_trace THEN trace END);
END
$$;

-- The tenant row an API call acts on.
CREATE FUNCTION bigpicture._request_tenant(requested text) RETURNS bigpicture.tenants
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t bigpicture.tenants;
	id text := bigpicture._resolve_tenant(requested);
BEGIN
	SELECT * INTO t FROM bigpicture.tenants x WHERE x.tenant_id = id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'tenant "%" does not exist', id USING ERRCODE = '42501';
	END IF;
	RETURN t;
END
$$;

-- ---- check_update ----------------------------------------------------------------------------

CREATE FUNCTION bigpicture.check_update(request jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture._check_request(request);
	t bigpicture.tenants := bigpicture._request_tenant(req ->> 'tenant_id');
	item jsonb;
	d jsonb;
	payload jsonb;
	decisions jsonb := '[]';
	seen jsonb := '{}';
	read_only boolean := current_setting('transaction_read_only')::boolean;
	log boolean := COALESCE(current_setting('bigpicture.log_decisions', true), 'off')::boolean;
	iat timestamptz := now();
BEGIN
	FOR item IN SELECT e FROM jsonb_array_elements(req -> 'products') e LOOP
		d := bigpicture._evaluate(t, req ->> 'install_id', req ->> 'platform', req ->> 'arch', req -> 'capabilities',
			item ->> 'product_id', (item ->> 'current_version')::bigpicture.semver, item ->> 'channel', false);
		-- 9. Sign what the client may act on.
		payload := jsonb_build_object(
			'typ', 'decision',
			'iss', current_setting('bigpicture.issuer', true),
			'iat', bigpicture.rfc3339(iat),
			'exp', bigpicture.rfc3339(iat + make_interval(secs => t.decision_ttl)),
			'nonce', req -> 'nonce',
			'tenant_id', t.tenant_id,
			'install_id', req -> 'install_id',
			'product_id', item ->> 'product_id',
			'current_version', item -> 'current_version',
			'channel', d -> 'channel',
			'platform', req ->> 'platform',
			'arch', req ->> 'arch',
			'mode', d -> 'mode',
			'action', d -> 'action',
			'version', d -> 'version',
			'artifact', CASE WHEN d -> 'artifact' <> 'null' THEN (d -> 'artifact') - 'install_scope' END,
			'critical', d -> 'critical',
			'reasons', d -> 'reasons',
			'rationale', d -> 'rationale',
			'policy_sources', d -> 'policy_sources',
			'bucket', d -> 'bucket');
		decisions := decisions || jsonb_build_object(
			'product_id', item ->> 'product_id',
			'action', d -> 'action',
			'version', d -> 'version',
			'token', bigpicture._sign_token('decision', t.tenant_id, payload));
		IF (d ->> 'visible')::boolean THEN
			seen := seen || jsonb_build_object(item ->> 'product_id', item -> 'current_version');
		END IF;
		IF log AND NOT read_only THEN
			INSERT INTO bigpicture.decision_log (tenant_id, install_id, product_id, current_version, channel, action,
				version, reasons, nonce, actor)
			VALUES (t.tenant_id, req ->> 'install_id', item ->> 'product_id', item ->> 'current_version', d ->> 'channel',
				d ->> 'action', d ->> 'version', ARRAY(SELECT jsonb_array_elements_text(d -> 'reasons')),
				req ->> 'nonce', bigpicture.current_actor());
		END IF;
	END LOOP;

	-- Remember the install; skipped (not failed) on a read-only transaction or a standby.
	IF req ->> 'install_id' IS NOT NULL AND NOT read_only AND t.status = 'active' THEN
		INSERT INTO bigpicture.installs AS i (tenant_id, install_id, platform, arch, versions)
		VALUES (t.tenant_id, req ->> 'install_id', req ->> 'platform', req ->> 'arch', jsonb_strip_nulls(seen))
		ON CONFLICT (tenant_id, install_id) DO UPDATE
			SET platform = EXCLUDED.platform, arch = EXCLUDED.arch, versions = i.versions || EXCLUDED.versions,
				last_seen = now();
	END IF;
	RETURN jsonb_build_object('decisions', decisions, 'retry_after', t.retry_after);
END
$$;
COMMENT ON FUNCTION bigpicture.check_update(jsonb) IS
	'should this install update? one signed decision (PASETO, typ decision) per product in the request; see docs/decisions.md';

CREATE FUNCTION bigpicture.explain_decision(request jsonb) RETURNS jsonb
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture._check_request(request);
	t bigpicture.tenants := bigpicture._request_tenant(req ->> 'tenant_id');
BEGIN
	RETURN jsonb_build_object('tenant_id', t.tenant_id, 'tenant_status', t.status, 'evaluated_at', bigpicture.rfc3339(now()),
		'decisions', (SELECT jsonb_agg(bigpicture._evaluate(t, req ->> 'install_id', req ->> 'platform', req ->> 'arch',
			req -> 'capabilities', e ->> 'product_id', (e ->> 'current_version')::bigpicture.semver, e ->> 'channel', true)
			- 'visible' ORDER BY n)
			FROM jsonb_array_elements(req -> 'products') WITH ORDINALITY AS x(e, n)));
END
$$;
COMMENT ON FUNCTION bigpicture.explain_decision(jsonb) IS
	'the full trace of a decision, unsigned: the policy with the scope of each field, every release considered and why it was kept or dropped';

CREATE FUNCTION bigpicture.tenant_update_decisions(tenant_id text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t bigpicture.tenants := bigpicture._request_tenant(tenant_update_decisions.tenant_id);
	products jsonb;
BEGIN
	-- Every platform and arch a product ships for is evaluated on its own, so
	-- platform policies and rollouts apply, and each gets its own target.  The
	-- tenant id stands in for an install id: whole customers move together.
	WITH targets AS (
		SELECT p.product_id, pa.platform, pa.arch,
			   bigpicture._evaluate(t, NULL, pa.platform, pa.arch, '{"can_elevate": true}', p.product_id,
									NULL, NULL, false) AS d
		FROM bigpicture.products p
		CROSS JOIN LATERAL (
			SELECT DISTINCT ra.platform, ra.arch
			FROM bigpicture.releases r JOIN bigpicture.release_artifacts ra ON ra.release_id = r.release_id
			WHERE r.product_id = p.product_id AND r.status = 'published') pa)
	SELECT COALESCE(jsonb_agg(jsonb_build_object('product_id', x.product_id, 'targets', x.targets)
		ORDER BY x.product_id), '[]')
	  INTO products
	  FROM (SELECT product_id, jsonb_agg(jsonb_build_object('platform', platform, 'arch', arch,
				'channel', d -> 'channel', 'mode', d -> 'mode', 'version', d -> 'version',
				'release_id', d -> 'release_id', 'critical', d -> 'critical', 'reasons', d -> 'reasons',
				'artifact', d -> 'artifact') ORDER BY platform, arch) AS targets
			FROM targets WHERE (d ->> 'visible')::boolean GROUP BY product_id) x;
	RETURN bigpicture._sign_token('decision', t.tenant_id, jsonb_build_object(
		'typ', 'decision',
		'kind', 'tenant_targets',
		'iss', current_setting('bigpicture.issuer', true),
		'iat', bigpicture.rfc3339(now()),
		'exp', bigpicture.rfc3339(now() + make_interval(secs => t.decision_ttl)),
		'tenant_id', t.tenant_id,
		'products', products));
END
$$;
COMMENT ON FUNCTION bigpicture.tenant_update_decisions(text) IS
	'for IT tools (Intune, SCCM): the target version and artifacts of every product the tenant may run, as one signed token';

GRANT EXECUTE ON FUNCTION bigpicture.check_update(jsonb) TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.explain_decision(jsonb), bigpicture.tenant_update_decisions(text)
	TO bigpicture_tenant_admin, bigpicture_admin;
