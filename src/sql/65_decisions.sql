-- Update decisions: check_update, explain_decision,
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
	RAISE EXCEPTION 'the decision log is append-only' USING ERRCODE = 'PT409';
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
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.decision_log TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- ---- the decision engine -----------------------------------------------------------
-- In C (src/extension/decisions.c and evaluate.c): a decision is the call
-- served most, and prepared plans do in three queries per product what
-- PL/pgSQL did in about 25 statements.

-- Check a request's shape (docs/decisions.md); returns it with capabilities
-- filled in.  Every problem is a 22023 naming the field.
CREATE FUNCTION bigpicture._check_request(req jsonb) RETURNS jsonb
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_check_request';

-- One product's decision for one tenant, platform and arch: the effective
-- policy, the candidate releases newest first, the target, the action and
-- the reasons.  With trace, every release considered is listed with why it
-- was kept or dropped.  Reads only, in the caller's snapshot.
CREATE FUNCTION bigpicture._evaluate(t bigpicture.tenants, install_id text, platform text, arch text,
	caps jsonb, product_id text, current_version bigpicture.semver, requested_channel text, with_trace boolean)
	RETURNS jsonb
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_evaluate';

-- The tenant row an API call acts on.
CREATE FUNCTION bigpicture._request_tenant(requested text) RETURNS bigpicture.tenants
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_request_tenant';

-- ---- check_update ----------------------------------------------------------------------------

-- Evaluates each product, signs the decision (typ decision) with the
-- tenant's or the vendor's decision key, logs it when bigpicture.log_decisions
-- is on, and remembers the install; on a read-only transaction or a standby
-- nothing is written.
CREATE FUNCTION bigpicture.check_update(request jsonb) RETURNS jsonb
	LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_check_update';
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
	RETURN bigpicture._sign('decision', t.tenant_id, jsonb_build_object(
		'kind', 'tenant_targets',
		'tenant_id', t.tenant_id,
		'products', products), now() + make_interval(secs => t.decision_ttl));
END
$$;
COMMENT ON FUNCTION bigpicture.tenant_update_decisions(text) IS
	'for IT tools (Intune, SCCM): the target version and artifacts of every product the tenant may run, as one signed token';

GRANT EXECUTE ON FUNCTION bigpicture.check_update(jsonb) TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.explain_decision(jsonb), bigpicture.tenant_update_decisions(text)
	TO bigpicture_tenant_admin, bigpicture_admin;
