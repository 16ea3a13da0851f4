-- bigpicture 0.1.0 -> 0.2.0 (docs/upgrading.md).  Run by ALTER EXTENSION
-- bigpicture UPDATE; test/upgrade/run proves that a database updated with it
-- has the catalogue of a fresh 0.2.0 install.  No table changes.
--
-- What changes:
--   * "not found" raises PT404 (was P0002) and "wrong state" PT409 (was
--     55000), so PostgREST and bigpicture-gateway answer 404 and 409: every
--     function raising them is replaced;
--   * backup and restore: pre_restore(), post_restore() and restore mode
--     (94_restore.sql, docs/backup.md); the audit trigger names
--     pre_restore() when pg_restore writes without it; the worker's jobs
--     are a configuration table, so dumps carry them;
--   * HTTP: the reading entry points of bigpicture_api take named
--     parameters (PostgREST's GET rules), decision_readonly() for standbys,
--     an OpenAPI document with schemas, the route table api_routes(), and
--     the request checkers move out of bigpicture_api (api_request,
--     api_text_array) so nothing internal is exposed;
--   * privileges are re-applied as at install, which now also records the
--     owner's privileges in pg_init_privs (dumps restate no privileges).
-- Function bodies below are as PostgreSQL prints them (scripts/upgrade-draft);
-- their sources, with comments, are in src/sql.

\echo Use "ALTER EXTENSION bigpicture UPDATE" to load this file. \quit

-- ---- functions: new, and replaced with their 0.2.0 bodies ----------------------------------------

CREATE OR REPLACE FUNCTION bigpicture._expect_status(r bigpicture.releases, wanted text, action text)
 RETURNS void
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF r.status <> wanted THEN
		RAISE EXCEPTION 'release % is %, so it cannot be %', r.release_id, r.status, action USING ERRCODE = 'PT409',
			DETAIL = format('Only a %s release can be %s.', replace(wanted, '_', ' '), action);
	END IF;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._install_worker_jobs() RETURNS void
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	INSERT INTO bigpicture.worker_jobs (job, description, every) VALUES
		('retire_expired_keys', 'mark retiring keys whose grace period has ended as retired', interval '1 minute'),
		('refresh_signatures', 're-sign what the active keys did not sign or what is half-way to its exp',
		 interval '1 hour'),
		('renew_due_entitlements', 'extend auto-renewing entitlements that end within a day', interval '1 hour'),
		('advance_rollouts', 'take the next step of rollout plans whose time has come, while their guards hold',
		 interval '1 minute'),
		('entitlement_notices', 'write entitlement.expiring and entitlement.expired events', interval '1 hour'),
		('fold_seat_refusals', 'write entitlement.leases_refused events for the leases refused since the last run',
		 interval '1 minute'),
		('sequence_events', 'give committed outbox events their ids, in order', interval '1 second'),
		('prune_webhook_deliveries', 'forget webhook delivery tries older than 30 days', interval '1 day')
	ON CONFLICT (job) DO NOTHING;
END;

CREATE OR REPLACE FUNCTION bigpicture._lock_entitlement(p_entitlement_id text)
 RETURNS bigpicture.entitlements
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	e bigpicture.entitlements;
BEGIN
	SELECT * INTO e FROM bigpicture.entitlements x WHERE x.entitlement_id = p_entitlement_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'entitlement "%" does not exist', p_entitlement_id USING ERRCODE = 'PT404';
	END IF;
	RETURN e;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._lock_key(p_kid text)
 RETURNS bigpicture.signing_keys
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	k bigpicture.signing_keys;
BEGIN
	IF p_kid IS NULL THEN
		RAISE EXCEPTION 'kid must not be null' USING ERRCODE = '22004';
	END IF;
	SELECT * INTO k FROM bigpicture.signing_keys WHERE kid = p_kid FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'signing key "%" does not exist', p_kid
			USING ERRCODE = 'PT404', HINT = 'Key ids are listed in bigpicture.public_keys.';
	END IF;
	RETURN k;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._lock_lease(request jsonb)
 RETURNS bigpicture.leases
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	t bigpicture.tenants := bigpicture._request_tenant(request ->> 'tenant_id');
	l bigpicture.leases;
BEGIN
	PERFORM 1 FROM bigpicture.entitlements x
	 WHERE x.tenant_id = t.tenant_id AND x.product_id = (SELECT y.product_id FROM bigpicture.leases y
			WHERE y.tenant_id = t.tenant_id AND y.lease_id = request ->> 'lease_id')
	 ORDER BY x.entitlement_id FOR UPDATE;
	SELECT * INTO l FROM bigpicture.leases x
	 WHERE x.tenant_id = t.tenant_id AND x.lease_id = request ->> 'lease_id' FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'lease "%" does not exist', request ->> 'lease_id' USING ERRCODE = 'PT404';
	END IF;
	RETURN l;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._lock_release(p_release_id text)
 RETURNS bigpicture.releases
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	r bigpicture.releases;
BEGIN
	SELECT * INTO r FROM bigpicture.releases WHERE release_id = p_release_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'release "%" does not exist', p_release_id USING ERRCODE = 'PT404';
	END IF;
	RETURN r;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._mirror_or_error(p_mirror_id text)
 RETURNS bigpicture.mirrors
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	m bigpicture.mirrors;
	own text := bigpicture.current_tenant();
BEGIN
	SELECT * INTO m FROM bigpicture.mirrors x WHERE x.mirror_id = p_mirror_id;
	-- Another tenant's mirror is reported exactly like a missing one.
	IF NOT FOUND OR (m.tenant_id IS DISTINCT FROM own AND NOT bigpicture.acts_for_all_tenants()) THEN
		RAISE EXCEPTION 'mirror "%" does not exist', p_mirror_id USING ERRCODE = 'PT404';
	END IF;
	RETURN m;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._product_or_error(p_product_id text)
 RETURNS bigpicture.products
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	p bigpicture.products;
BEGIN
	SELECT * INTO p FROM bigpicture.products WHERE product_id = p_product_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'product "%" does not exist', p_product_id USING ERRCODE = 'PT404';
	END IF;
	RETURN p;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._refuse_entitlement(state text, p_product_id text)
 RETURNS void
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	CASE state
		WHEN 'expired' THEN
			RAISE EXCEPTION 'the entitlement to % has expired', p_product_id USING ERRCODE = 'PT402',
				HINT = 'Renew the license.';
		WHEN 'suspended' THEN
			RAISE EXCEPTION 'the entitlement to % is suspended', p_product_id USING ERRCODE = 'PT423',
				HINT = 'Ask the vendor to resume it.';
		WHEN 'revoked' THEN
			RAISE EXCEPTION 'the entitlement to % is revoked', p_product_id USING ERRCODE = 'PT410';
		WHEN 'not_started' THEN
			RAISE EXCEPTION 'the entitlement to % has not started yet', p_product_id USING ERRCODE = 'PT425';
		ELSE
			RAISE EXCEPTION 'no entitlement to %', p_product_id USING ERRCODE = 'PT404',
				HINT = 'The tenant holds no license for this product.';
	END CASE;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._require_superuser(what text)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
		RAISE EXCEPTION '% needs a superuser', what USING ERRCODE = '42501',
			DETAIL = 'Restoring writes every table of the extension with its guards off.';
	END IF;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._restoring()
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
RETURN ((current_setting('bigpicture.restoring'::text, true) = 'on'::text) OR (EXISTS (SELECT 1 FROM (pg_db_role_setting s JOIN pg_database d ON ((d.oid = s.setdatabase))) WHERE ((d.datname = current_database()) AND (s.setrole = (0)::oid) AND ('bigpicture.restoring=on'::text = ANY (s.setconfig))))));

CREATE OR REPLACE FUNCTION bigpicture._set_restoring(on_ boolean)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF on_ THEN
		EXECUTE format('ALTER DATABASE %I SET session_replication_role = replica', current_database());
		EXECUTE format('ALTER DATABASE %I SET bigpicture.restoring = on', current_database());
	ELSE
		EXECUTE format('ALTER DATABASE %I RESET session_replication_role', current_database());
		EXECUTE format('ALTER DATABASE %I RESET bigpicture.restoring', current_database());
	END IF;
	-- This session too, until it ends (set_config's false: not transaction-local).
	PERFORM set_config('session_replication_role', CASE WHEN on_ THEN 'replica' ELSE 'origin' END, false);
	PERFORM set_config('bigpicture.restoring', on_::text, false);
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture._tenant_or_error(p_tenant_id text)
 RETURNS bigpicture.tenants
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	t bigpicture.tenants;
BEGIN
	SELECT * INTO t FROM bigpicture.tenants WHERE tenant_id = p_tenant_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'tenant "%" does not exist', p_tenant_id USING ERRCODE = 'PT404';
	END IF;
	RETURN t;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.activate_key(kid text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	k bigpicture.signing_keys;
	grace interval;
BEGIN
	k := bigpicture._lock_key(activate_key.kid);
	-- One activation per purpose and scope at a time, so two cannot race.
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext(
		'bigpicture.activate_key:' || k.purpose || ':' || COALESCE(k.tenant_id, '')));
	IF k.state <> 'pending' THEN
		RAISE EXCEPTION 'signing key "%" cannot be activated', k.kid
			USING ERRCODE = 'PT409', DETAIL = format('The key is %s; only a pending key can be activated.', k.state),
				  HINT = 'Generate a new key with bigpicture.generate_key().';
	END IF;
	grace := bigpicture._setting_interval('key_grace_period', 30 * 86400);
	UPDATE bigpicture.signing_keys s
	   SET state = 'retiring', retiring_at = pg_catalog.now(), grace_ends_at = pg_catalog.now() + grace
	 WHERE s.purpose = k.purpose AND s.tenant_id IS NOT DISTINCT FROM k.tenant_id AND s.state = 'active';
	UPDATE bigpicture.signing_keys s
	   SET state = 'active', activated_at = pg_catalog.now()
	 WHERE s.kid = k.kid;
	PERFORM bigpicture._refresh_signatures_soon();
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.api_request(req jsonb, allowed text[], required text[] DEFAULT '{}'::text[])
 RETURNS jsonb
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	k text;
BEGIN
	IF req IS NULL OR jsonb_typeof(req) <> 'object' THEN
		RAISE EXCEPTION 'the request must be a JSON object' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(jsonb_typeof(req), 'nothing'));
	END IF;
	SELECT x INTO k FROM jsonb_object_keys(req) x WHERE x <> ALL (allowed) ORDER BY x LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'unknown field "%"', k USING ERRCODE = '22023',
			DETAIL = CASE WHEN cardinality(allowed) = 0 THEN 'This function takes no fields.'
				ELSE format('Allowed fields: %s.', array_to_string(allowed, ', ')) END;
	END IF;
	SELECT x INTO k FROM unnest(required) x WHERE NOT req ? x OR req -> x = 'null' LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'field "%" is required', k USING ERRCODE = '22023',
			DETAIL = format('Required fields: %s.', array_to_string(required, ', '));
	END IF;
	RETURN req;
END
$function$;

GRANT EXECUTE ON FUNCTION bigpicture.api_request(jsonb,text[],text[]) TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture.api_request(jsonb,text[],text[]) TO bigpicture_approver;

GRANT EXECUTE ON FUNCTION bigpicture.api_request(jsonb,text[],text[]) TO bigpicture_mirror;

GRANT EXECUTE ON FUNCTION bigpicture.api_request(jsonb,text[],text[]) TO bigpicture_publisher;

GRANT EXECUTE ON FUNCTION bigpicture.api_request(jsonb,text[],text[]) TO bigpicture_tenant_admin;

COMMENT ON FUNCTION bigpicture.api_request(jsonb,text[],text[]) IS 'bigpicture_api''s check of a POST body: a JSON object with only the allowed fields and every required one, or 22023 naming the field';

CREATE OR REPLACE FUNCTION bigpicture.api_routes() RETURNS TABLE (function text, methods text[], path text, request jsonb, response jsonb)
	LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
	-- "$name" (a JSON string) stands for the shared schema of that name in s;
	-- s is in dependency order (a schema may name only those before it), and
	-- the names are replaced last first.
	WITH RECURSIVE s(n, name, schema) AS (SELECT row_number() OVER (), v.name, v.schema FROM (VALUES
		('id', '{"type": "string", "minLength": 1, "maxLength": 128}'),
		('id_opt', '{"type": "string", "minLength": 1, "maxLength": 128, "nullable": true}'),
		('str_opt', '{"type": "string", "nullable": true}'),
		('time', '{"type": "string", "format": "date-time"}'),
		('time_null', '{"type": "string", "format": "date-time", "nullable": true}'),
		('strings_opt', '{"type": "array", "items": {"type": "string"}, "nullable": true}'),
		('release_status', '{"type": "object", "required": ["release_id", "status"], "properties": {
			"release_id": {"type": "string"}, "status": {"type": "string",
			"enum": ["draft", "pending_approval", "published", "rejected", "revoked"]}}}'),
		('lease', '{"type": "object", "required": ["lease_id", "entitlement_id", "product_id", "subject", "expires_at", "token"],
			"properties": {"lease_id": {"type": "string"}, "entitlement_id": {"type": "string"}, "product_id": {"type": "string"},
			"subject": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"},
			"token": {"type": "string", "pattern": "^v4\\.public\\."}, "renewed": {"type": "boolean"}}}'),
		('policy', '{"type": "object", "required": ["policy_id"], "properties": {"policy_id": {"type": "string"},
			"tenant_id": {"type": "string", "nullable": true}, "product_id": {"type": "string", "nullable": true},
			"platform": {"type": "string", "nullable": true}, "mode": {"type": "string", "nullable": true},
			"channel": {"type": "string", "nullable": true}, "pinned_range": {"type": "string", "nullable": true},
			"blocked": {"type": "array", "items": {"type": "string"}, "nullable": true},
			"maintenance_window": {"type": "object", "nullable": true}, "allow_prerelease": {"type": "boolean", "nullable": true},
			"expired_entitlement_updates": {"type": "string", "nullable": true},
			"updated_at": {"type": "string", "format": "date-time"}, "updated_by": {"type": "string"}}}'),
		('policy_or_null', '{"type": "object", "nullable": true, "required": ["policy_id"], "properties": {"policy_id": {"type": "string"},
			"tenant_id": {"type": "string", "nullable": true}, "product_id": {"type": "string", "nullable": true},
			"platform": {"type": "string", "nullable": true}, "mode": {"type": "string", "nullable": true},
			"channel": {"type": "string", "nullable": true}, "pinned_range": {"type": "string", "nullable": true},
			"blocked": {"type": "array", "items": {"type": "string"}, "nullable": true},
			"maintenance_window": {"type": "object", "nullable": true}, "allow_prerelease": {"type": "boolean", "nullable": true},
			"expired_entitlement_updates": {"type": "string", "nullable": true},
			"updated_at": {"type": "string", "format": "date-time"}, "updated_by": {"type": "string"}}}'),
		('rollout', '{"type": "object", "required": ["release_id", "percentage", "paused", "halted", "guards"], "properties": {
			"release_id": {"type": "string"}, "platform": {"type": "string", "nullable": true},
			"percentage": {"type": "integer", "description": "basis points"}, "paused": {"type": "boolean"},
			"halted": {"type": "boolean"}, "halted_at": "$time_null", "halt_reason": {"type": "string", "nullable": true},
			"halt_evidence": {"type": "object", "nullable": true}, "guards": {"type": "object"},
			"plan": {"type": "array", "items": {"type": "integer"}, "nullable": true},
			"step": {"type": "integer", "nullable": true}, "step_interval": {"type": "string", "nullable": true},
			"stepped_at": "$time_null", "next_step_at": "$time_null"}}'),
		('decision_request', '{"type": "object", "additionalProperties": false, "required": ["platform", "arch", "products"],
			"properties": {
				"install_id": {"type": "string", "minLength": 1, "maxLength": 128, "nullable": true},
				"tenant_id": {"type": "string", "minLength": 1, "maxLength": 128, "nullable": true},
				"nonce": {"type": "string", "minLength": 1, "maxLength": 128, "nullable": true},
				"platform": {"type": "string", "enum": ["windows", "macos", "linux"]},
				"arch": {"type": "string", "enum": ["x86_64", "x86", "arm64"]},
				"capabilities": {"type": "object", "nullable": true, "additionalProperties": false, "properties": {
					"can_elevate": {"type": "boolean"}, "vdi": {"type": "boolean"},
					"install_scope": {"type": "string", "enum": ["user", "machine"]},
					"installer_types": {"type": "array", "items": {"type": "string"}}}},
				"products": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"type": "object",
					"additionalProperties": false, "required": ["product_id"], "properties": {
					"product_id": {"type": "string", "minLength": 1, "maxLength": 128},
					"current_version": {"type": "string", "nullable": true},
					"channel": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,31}$", "nullable": true}}}}}}'),
		('decision_response', '{"type": "object", "required": ["decisions", "retry_after", "recorded"], "properties": {
			"decisions": {"type": "array", "items": {"type": "object", "required": ["product_id", "action", "version", "token"],
				"properties": {"product_id": {"type": "string"}, "action": {"type": "string"},
				"version": {"type": "string", "nullable": true}, "token": {"type": "string", "pattern": "^v4\\.public\\."}}}},
			"retry_after": {"type": "integer"},
			"recorded": {"type": "boolean", "description": "false when nothing was written: a read-only transaction or a standby"}}}'),
		('webhook', '{"type": "object", "required": ["subscription_id", "url", "event_types", "enabled", "max_attempts"],
			"properties": {"subscription_id": {"type": "string"}, "tenant_id": {"type": "string", "nullable": true},
			"url": {"type": "string"}, "event_types": {"type": "array", "items": {"type": "string"}},
			"enabled": {"type": "boolean"}, "max_attempts": {"type": "integer"}, "previous_valid_until": "$time_null",
			"after_event_id": {"type": "integer"}, "attempts": {"type": "integer"}, "next_attempt_at": "$time_null",
			"last_status": {"type": "integer", "nullable": true}, "last_error": {"type": "string", "nullable": true},
			"dead_letters": {"type": "integer"}, "created_at": "$time", "created_by": {"type": "string"},
			"updated_at": "$time"}}')
		) v(name, schema)
	), r(function, methods, path, request, response) AS (VALUES

		('decision', '{POST}'::text[], '/rpc/decision', '"$decision_request"', '"$decision_response"'),
		('decision_readonly', '{POST}', '/rpc/decision_readonly', '"$decision_request"', '"$decision_response"'),
		('lease', '{POST}', '/rpc/lease', '{"type": "object", "additionalProperties": false,
			"required": ["product_id", "subject_type", "subject_id"], "properties": {"product_id": "$id",
			"subject_type": {"type": "string", "enum": ["user", "machine"]}, "subject_id": "$id",
			"install_id": "$id_opt", "tenant_id": "$id_opt",
			"duration": {"type": "integer", "minimum": 1, "maximum": 31622400, "nullable": true,
				"description": "seconds; at most the entitlement''s maximum"}}}', '"$lease"'),
		('lease_renew', '{POST}', '/rpc/lease_renew', '{"type": "object", "additionalProperties": false,
			"required": ["lease_id"], "properties": {"lease_id": "$id", "tenant_id": "$id_opt",
			"duration": {"type": "integer", "minimum": 1, "maximum": 31622400, "nullable": true}}}', '"$lease"'),
		('lease_release', '{POST}', '/rpc/lease_release', '{"type": "object", "additionalProperties": false,
			"required": ["lease_id"], "properties": {"lease_id": "$id", "tenant_id": "$id_opt"}}',
			'{"type": "object", "required": ["lease_id", "state"], "properties": {"lease_id": {"type": "string"},
			"state": {"type": "string"}}}'),
		('license_status', '{GET,POST}', '/rpc/license_status', '{"subject_type": {"enum": ["user", "machine"]}}',
			'{"type": "object", "required": ["tenant_id", "product_id", "entitlements"], "properties": {
			"tenant_id": {"type": "string"}, "product_id": {"type": "string"},
			"entitlements": {"type": "array", "items": {"type": "object", "required": ["entitlement_id", "type", "state"],
				"properties": {"entitlement_id": {"type": "string"}, "type": {"type": "string"}, "state": {"type": "string"},
				"ends_at": {"type": "string", "format": "date-time", "nullable": true},
				"features": {"type": "array", "items": {"type": "string"}},
				"max_seats": {"type": "integer", "nullable": true}, "seats_used": {"type": "integer"},
				"seats_available": {"type": "integer", "nullable": true},
				"lease": {"type": "object", "nullable": true, "properties": {"lease_id": {"type": "string"},
					"expires_at": {"type": "string", "format": "date-time"},
					"install_id": {"type": "string", "nullable": true}}}}}}}}'),
		('lease_revocations', '{GET,POST}', '/rpc/lease_revocations', '{}',
			'{"type": "object", "required": ["lease_revocations"], "properties": {
			"lease_revocations": {"type": "string", "pattern": "^v4\\.public\\."}}}'),
		('keyset', '{GET,POST}', '/rpc/keyset', '{}',
			'{"type": "object", "required": ["keyset", "keysets"], "properties": {"keyset": {"type": "string", "pattern": "^v4\\.public\\."},
			"keysets": {"type": "array", "items": {"type": "string", "pattern": "^v4\\.public\\."}}}}'),
		('snapshot_latest', '{POST}', '/rpc/snapshot_latest', '{"type": "object", "additionalProperties": false,
			"properties": {"tenant_id": "$id_opt", "mirror_id": "$id_opt"}}',
			'{"type": "object", "required": ["tenant_id", "seq", "created_at", "expires_at", "content_hash", "token"],
			"properties": {"tenant_id": {"type": "string"}, "seq": {"type": "integer"},
			"created_at": {"type": "string", "format": "date-time"}, "expires_at": {"type": "string", "format": "date-time"},
			"content_hash": {"type": "string"}, "token": {"type": "string", "pattern": "^v4\\.public\\."}}}'),
		('release_create', '{POST}', '/rpc/release_create', '{"type": "object", "additionalProperties": false,
			"required": ["product_id", "version", "channel"], "properties": {"product_id": "$id",
			"version": {"type": "string", "description": "SemVer 2.0.0"}, "channel": {"type": "string"},
			"notes": "$str_opt", "metadata": {"type": "object", "nullable": true},
			"critical": {"type": "boolean", "nullable": true}, "release_id": "$id_opt"}}', '"$release_status"'),
		('release_attach', '{POST}', '/rpc/release_attach', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "description": "exactly one of artifact_id (attach an existing artifact) and artifact (create one)",
			"properties": {"release_id": "$id", "artifact_id": "$id",
			"artifact": {"type": "object", "additionalProperties": false,
				"required": ["url", "sha256", "size", "platform", "arch", "installer_type"], "properties": {
				"product_id": "$id_opt", "url": {"type": "string"}, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
				"size": {"type": "integer", "minimum": 0}, "platform": {"type": "string", "enum": ["windows", "macos", "linux"]},
				"arch": {"type": "string", "enum": ["x86_64", "x86", "arm64"]}, "installer_type": {"type": "string"},
				"requires_admin": {"type": "boolean", "nullable": true}, "install_scope": {"type": "string", "nullable": true},
				"source_type": {"type": "string", "nullable": true}, "artifact_id": "$id_opt"}}}}',
			'{"type": "object", "required": ["release_id", "artifact_id"], "properties": {"release_id": {"type": "string"},
			"artifact_id": {"type": "string"}}}'),
		('release_submit', '{POST}', '/rpc/release_submit', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "properties": {"release_id": "$id"}}', '"$release_status"'),
		('release_approve', '{POST}', '/rpc/release_approve', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "properties": {"release_id": "$id", "comment": "$str_opt"}}',
			'"$release_status"'),
		('release_reject', '{POST}', '/rpc/release_reject', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "reason"], "properties": {"release_id": "$id", "reason": {"type": "string"}}}',
			'"$release_status"'),
		('release_revoke', '{POST}', '/rpc/release_revoke', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "reason"], "properties": {"release_id": "$id", "reason": {"type": "string"}}}',
			'"$release_status"'),
		('policy_get', '{GET,POST}', '/rpc/policy_get', '{"scope": {"enum": ["global", "product", "tenant", "tenant_product"]}}',
			'"$policy_or_null"'),
		('policy_put', '{POST}', '/rpc/policy_put', '{"type": "object", "additionalProperties": false, "required": ["scope"],
			"properties": {"scope": {"type": "string"}, "tenant_id": "$id_opt", "product_id": "$id_opt",
			"platform": "$str_opt", "mode": "$str_opt", "channel": "$str_opt",
			"pinned_range": {"type": "string", "nullable": true, "description": "a SemVer range"},
			"blocked": "$strings_opt", "maintenance_window": {"type": "object", "nullable": true},
			"allow_prerelease": {"type": "boolean", "nullable": true}, "expired_entitlement_updates": "$str_opt"}}',
			'"$policy"'),
		('entitlement_create', '{POST}', '/rpc/entitlement_create', '{"type": "object", "additionalProperties": false,
			"required": ["tenant_id", "product_id", "type"], "properties": {"tenant_id": "$id", "product_id": "$id",
			"type": {"type": "string"}, "max_seats": {"type": "integer", "nullable": true}, "features": "$strings_opt",
			"starts_at": "$time_null", "ends_at": "$time_null", "auto_renew": {"type": "boolean", "nullable": true},
			"renewal_days": {"type": "integer", "nullable": true},
			"default_lease_duration": {"type": "string", "nullable": true, "description": "a PostgreSQL interval, default 1 day"},
			"max_lease_duration": {"type": "string", "nullable": true, "description": "a PostgreSQL interval, default 7 days"},
			"entitlement_id": "$id_opt"}}',
			'{"type": "object", "required": ["entitlement_id"], "properties": {"entitlement_id": {"type": "string"}}}'),
		('entitlement_update', '{POST}', '/rpc/entitlement_update', '{"type": "object", "additionalProperties": false,
			"required": ["entitlement_id"], "properties": {"entitlement_id": "$id", "ends_at": "$time_null",
			"clear_ends_at": {"type": "boolean", "nullable": true}, "max_seats": {"type": "integer", "nullable": true},
			"features": "$strings_opt", "auto_renew": {"type": "boolean", "nullable": true},
			"status": "$str_opt", "reason": "$str_opt"}}',
			'{"type": "object", "required": ["entitlement_id", "tenant_id", "product_id", "type", "state"], "properties": {
			"tenant_id": {"type": "string"}, "entitlement_id": {"type": "string"}, "product_id": {"type": "string"},
			"type": {"type": "string"}, "state": {"type": "string"}, "max_seats": {"type": "integer", "nullable": true},
			"seats_used": {"type": "integer"}, "features": {"type": "array", "items": {"type": "string"}},
			"starts_at": "$time", "ends_at": "$time_null", "auto_renew": {"type": "boolean"}}}'),
		('usage', '{GET,POST}', '/rpc/usage', '{}',
			'{"type": "array", "items": {"type": "object", "required": ["entitlement_id", "product_id", "type", "leases",
			"peak_concurrency", "average_concurrency"], "properties": {"entitlement_id": {"type": "string"},
			"product_id": {"type": "string"}, "type": {"type": "string"}, "max_seats": {"type": "integer", "nullable": true},
			"leases": {"type": "integer"}, "peak_concurrency": {"type": "integer"}, "average_concurrency": {"type": "number"}}}}'),
		('audit', '{GET,POST}', '/rpc/audit', '{"max_events": {"minimum": 1, "maximum": 10000}}',
			'{"type": "array", "items": {"type": "object", "required": ["chain_id", "seq", "event_id", "occurred_at", "actor",
			"event_type", "object_type", "hash"], "properties": {"chain_id": {"type": "string"}, "seq": {"type": "integer"},
			"event_id": {"type": "string"}, "occurred_at": "$time", "actor": {"type": "string"},
			"event_type": {"type": "string"}, "object_type": {"type": "string"}, "object_id": {"type": "string", "nullable": true},
			"before": {"type": "object", "nullable": true}, "after": {"type": "object", "nullable": true},
			"context": {"type": "object", "nullable": true}, "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}}'),
		('report', '{POST}', '/rpc/report', '{"type": "object", "additionalProperties": false,
			"required": ["decision", "outcome"], "properties": {
			"decision": {"type": "string", "pattern": "^v4\\.public\\.", "description": "the decision token the report follows"},
			"outcome": {"type": "string", "enum": ["downloaded", "install_started", "installed", "failed", "rolled_back", "crashed"]},
			"error_code": {"type": "string", "minLength": 1, "maxLength": 64, "nullable": true},
			"install_id": "$id_opt", "tenant_id": "$id_opt"}}',
			'{"type": "object", "required": ["report_id", "release_id", "outcome", "duplicate"], "properties": {
			"report_id": {"type": "string", "nullable": true}, "release_id": {"type": "string"},
			"outcome": {"type": "string"}, "duplicate": {"type": "boolean"}}}'),
		('rollout_health', '{GET,POST}', '/rpc/rollout_health', '{"group_by": {"enum": ["hour", "platform", "tenant"]},
			"platform": {"enum": ["windows", "macos", "linux"]}}',
			'{"type": "object", "required": ["release_id", "version", "groups"], "properties": {
			"release_id": {"type": "string"}, "version": {"type": "string"},
			"group_by": {"type": "string", "nullable": true}, "tenant_id": {"type": "string", "nullable": true},
			"rollout": {"type": "object", "nullable": true},
			"groups": {"type": "array", "items": {"type": "object", "required": ["installs", "attempts", "failures"],
				"properties": {"installs": {"type": "integer"}, "attempts": {"type": "integer"}, "failures": {"type": "integer"},
				"installed": {"type": "integer"}, "crashed": {"type": "integer"},
				"failure_rate": {"type": "number", "nullable": true},
				"failure_interval": {"type": "array", "items": {"type": "number"}, "nullable": true},
				"crash_rate": {"type": "number", "nullable": true},
				"crash_interval": {"type": "array", "items": {"type": "number"}, "nullable": true}}}}}}'),
		('dry_run', '{POST}', '/rpc/dry_run', '{"type": "object", "additionalProperties": false,
			"required": ["change"], "properties": {
			"change": {"type": "object", "required": ["call"], "properties": {
				"call": {"type": "string", "enum": ["set_policy", "clear_policy", "set_rollout", "clear_rollout",
					"set_rollout_plan", "halt_rollout", "resume_rollout", "submit_release", "approve_release", "revoke_release"]},
				"args": {"type": "object"}}},
			"sample": {"type": "integer", "minimum": 0, "maximum": 1000, "nullable": true}}}',
			'{"type": "object", "required": ["reach", "installs", "installs_changed", "decisions", "changed", "skipped",
			"before", "after", "tenants", "sample"], "properties": {"reach": {"type": "object"},
			"installs": {"type": "integer"}, "installs_changed": {"type": "integer"}, "decisions": {"type": "integer"},
			"changed": {"type": "integer"}, "skipped": {"type": "integer"},
			"before": {"type": "array", "items": {"type": "object"}}, "after": {"type": "array", "items": {"type": "object"}},
			"tenants": {"type": "array", "items": {"type": "object"}}, "sample": {"type": "array", "items": {"type": "object"}}}}'),
		('rollout_set', '{POST}', '/rpc/rollout_set', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "percentage"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true},
			"percentage": {"type": "integer", "minimum": 0, "maximum": 10000}, "paused": {"type": "boolean", "nullable": true}}}',
			'"$rollout"'),
		('rollout_guards', '{POST}', '/rpc/rollout_guards', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true},
			"max_failure_rate": {"type": "number", "minimum": 0, "maximum": 1, "nullable": true},
			"max_crash_rate": {"type": "number", "minimum": 0, "maximum": 1, "nullable": true},
			"min_sample": {"type": "integer", "minimum": 1, "maximum": 1000000, "nullable": true},
			"max_new_per_hour": {"type": "integer", "minimum": 1, "nullable": true},
			"crash_window": {"type": "string", "description": "a PostgreSQL interval, 1 minute to 30 days", "nullable": true}}}',
			'"$rollout"'),
		('rollout_plan', '{POST}', '/rpc/rollout_plan', '{"type": "object", "additionalProperties": false,
			"required": ["release_id"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true},
			"plan": {"type": "array", "minItems": 1, "maxItems": 20, "nullable": true, "description": "null clears the plan",
				"items": {"type": "integer", "minimum": 1, "maximum": 10000}},
			"step_interval": {"type": "string", "nullable": true, "description": "a PostgreSQL interval, 1 second to 365 days"}}}',
			'"$rollout"'),
		('rollout_halt', '{POST}', '/rpc/rollout_halt', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "reason"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true}, "reason": {"type": "string", "minLength": 1}}}',
			'"$rollout"'),
		('rollout_resume', '{POST}', '/rpc/rollout_resume', '{"type": "object", "additionalProperties": false,
			"required": ["release_id", "reason"], "properties": {"release_id": "$id",
			"platform": {"type": "string", "enum": ["windows", "macos", "linux"], "nullable": true}, "reason": {"type": "string", "minLength": 1}}}',
			'"$rollout"'),
		('events', '{GET,POST}', '/rpc/events', '{"after_id": {"minimum": 0}, "max_events": {"minimum": 1, "maximum": 10000}}',
			'{"type": "array", "items": {"type": "object", "required": ["event_id", "type", "created_at", "payload"],
			"properties": {"event_id": {"type": "integer"}, "type": {"type": "string"},
			"tenant_id": {"type": "string", "nullable": true}, "created_at": "$time", "payload": {"type": "object"}}}}'),
		('webhooks', '{GET,POST}', '/rpc/webhooks', '{}', '{"type": "array", "items": "$webhook"}'),
		('webhook_create', '{POST}', '/rpc/webhook_create', '{"type": "object", "additionalProperties": false,
			"required": ["url"], "properties": {"url": {"type": "string", "maxLength": 2048, "pattern": "^https?://"},
			"event_types": "$strings_opt", "tenant_id": "$id_opt", "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100},
			"secret": {"type": "string", "pattern": "^whsec_", "nullable": true}, "subscription_id": "$id_opt"}}',
			'{"type": "object", "allOf": ["$webhook", {"type": "object", "required": ["secret"], "properties": {"secret": {"type": "string", "pattern": "^whsec_"}}}]}'),
		('webhook_update', '{POST}', '/rpc/webhook_update', '{"type": "object", "additionalProperties": false,
			"required": ["subscription_id"], "properties": {"subscription_id": "$id",
			"url": {"type": "string", "maxLength": 2048, "pattern": "^https?://", "nullable": true}, "event_types": "$strings_opt",
			"enabled": {"type": "boolean", "nullable": true},
			"max_attempts": {"type": "integer", "minimum": 1, "maximum": 100, "nullable": true}}}', '"$webhook"'),
		('webhook_rotate_secret', '{POST}', '/rpc/webhook_rotate_secret', '{"type": "object", "additionalProperties": false,
			"required": ["subscription_id"], "properties": {"subscription_id": "$id",
			"previous_valid": {"type": "string", "nullable": true, "description": "a PostgreSQL interval, 0 to 30 days"}}}',
			'{"type": "object", "allOf": ["$webhook", {"type": "object", "required": ["secret"], "properties": {"secret": {"type": "string", "pattern": "^whsec_"}}}]}'),
		('webhook_delete', '{POST}', '/rpc/webhook_delete', '{"type": "object", "additionalProperties": false,
			"required": ["subscription_id"], "properties": {"subscription_id": "$id"}}',
			'{"type": "object", "required": ["subscription_id", "deleted"], "properties": {"subscription_id": {"type": "string"},
			"deleted": {"type": "boolean"}}}'),
		('webhook_deliveries', '{GET,POST}', '/rpc/webhook_deliveries', '{"max_rows": {"minimum": 1, "maximum": 10000}}',
			'{"type": "array", "items": {"type": "object", "required": ["delivery_id", "event_id", "attempt", "outcome", "attempted_at"],
			"properties": {"delivery_id": {"type": "integer"}, "event_id": {"type": "integer"}, "attempt": {"type": "integer"},
			"outcome": {"type": "string", "enum": ["delivered", "failed", "dead"]}, "http_status": {"type": "integer", "nullable": true},
			"error": {"type": "string", "nullable": true}, "duration_ms": {"type": "integer", "nullable": true}, "attempted_at": "$time"}}}'),
		('openapi', '{GET}', '/', '{}', '{"type": "object", "required": ["openapi", "info", "paths"],
			"description": "this document (OpenAPI 3.0.3)"}')
	), x(k, function, methods, path, request, response) AS (
		SELECT (SELECT max(n) FROM s), r.function, r.methods, r.path, r.request, r.response FROM r
		UNION ALL
		SELECT x.k - 1, x.function, x.methods, x.path,
			replace(x.request, format('"$%s"', s.name), s.schema), replace(x.response, format('"$%s"', s.name), s.schema)
		FROM x JOIN s ON s.n = x.k
	)
	SELECT x.function, x.methods, x.path, x.request::jsonb, x.response::jsonb FROM x WHERE x.k = 0 ORDER BY x.path;
END;

GRANT EXECUTE ON FUNCTION bigpicture.api_routes() TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture.api_routes() TO bigpicture_anon;

GRANT EXECUTE ON FUNCTION bigpicture.api_routes() TO bigpicture_approver;

GRANT EXECUTE ON FUNCTION bigpicture.api_routes() TO bigpicture_auditor;

GRANT EXECUTE ON FUNCTION bigpicture.api_routes() TO bigpicture_client;

GRANT EXECUTE ON FUNCTION bigpicture.api_routes() TO bigpicture_mirror;

GRANT EXECUTE ON FUNCTION bigpicture.api_routes() TO bigpicture_publisher;

GRANT EXECUTE ON FUNCTION bigpicture.api_routes() TO bigpicture_tenant_admin;

COMMENT ON FUNCTION bigpicture.api_routes() IS 'The route table of bigpicture_api (docs/http.md): function, HTTP methods, path, request and response JSON Schemas';

CREATE OR REPLACE FUNCTION bigpicture.api_text_array(req jsonb, field text)
 RETURNS text[]
 LANGUAGE plpgsql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF NOT req ? field OR req -> field = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(req -> field) <> 'array' OR EXISTS (
			SELECT 1 FROM jsonb_array_elements(req -> field) e WHERE jsonb_typeof(e) <> 'string') THEN
		RAISE EXCEPTION 'field "%" must be an array of strings', field USING ERRCODE = '22023';
	END IF;
	RETURN ARRAY(SELECT jsonb_array_elements_text(req -> field));
END
$function$;

GRANT EXECUTE ON FUNCTION bigpicture.api_text_array(jsonb,text) TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture.api_text_array(jsonb,text) TO bigpicture_tenant_admin;

COMMENT ON FUNCTION bigpicture.api_text_array(jsonb,text) IS 'bigpicture_api''s reading of a body field as text[] (a JSON array of strings), or 22023';

CREATE OR REPLACE FUNCTION bigpicture.artifacts_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		RAISE EXCEPTION 'artifacts cannot be truncated' USING ERRCODE = 'PT409';
	END IF;
	IF EXISTS (SELECT 1 FROM bigpicture.release_artifacts ra JOIN bigpicture.releases r USING (release_id)
			   WHERE ra.artifact_id = OLD.artifact_id AND r.status <> 'draft') THEN
		RAISE EXCEPTION 'artifact % belongs to a submitted or published release and cannot change', OLD.artifact_id
			USING ERRCODE = 'PT409';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.attach_artifact(release_id text, artifact_id text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(attach_artifact.release_id);
	a bigpicture.artifacts;
BEGIN
	PERFORM bigpicture._expect_status(r, 'draft', 'changed');
	SELECT * INTO a FROM bigpicture.artifacts x WHERE x.artifact_id = attach_artifact.artifact_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'artifact "%" does not exist', artifact_id USING ERRCODE = 'PT404';
	END IF;
	IF a.product_id <> r.product_id THEN
		RAISE EXCEPTION 'artifact "%" belongs to product "%", not "%"', a.artifact_id, a.product_id, r.product_id
			USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.release_artifacts (release_id, artifact_id, platform, arch, installer_type)
	VALUES (r.release_id, a.artifact_id, a.platform, a.arch, a.installer_type);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'release % already has an artifact for %/% (%)', r.release_id, a.platform, a.arch, a.installer_type
		USING ERRCODE = '23505', HINT = 'A release ships one artifact per platform, arch and installer type.';
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.audit_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'PT409',
		DETAIL = format('%s on %s is refused.', TG_OP, TG_TABLE_NAME);
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.audit_checkpoint(chain_id text) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c text := bigpicture._audit_chain_for(audit_checkpoint.chain_id);
	h bigpicture.audit_heads;
	token text;
BEGIN
	SELECT * INTO h FROM bigpicture.audit_heads x WHERE x.chain_id = c FOR SHARE;
	IF NOT FOUND OR h.seq = 0 THEN
		RAISE EXCEPTION 'audit chain "%" has no events yet', c USING ERRCODE = 'PT404';
	END IF;
	SELECT x.token INTO token FROM bigpicture.audit_checkpoints x WHERE x.chain_id = c AND x.seq = h.seq;
	IF FOUND THEN
		RETURN token;
	END IF;
	token := bigpicture._sign('checkpoint', CASE WHEN c = 'vendor' THEN NULL ELSE c END,
		bigpicture._checkpoint_claims(c, h.seq, h.hash),
		now() + bigpicture._setting_interval('checkpoint_ttl', 30 * 86400));
	INSERT INTO bigpicture.audit_checkpoints (chain_id, seq, hash, token) VALUES (c, h.seq, h.hash, token);
	-- on Citus the trigger ran on a worker's shard (87_events.sql)
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._checkpoint_signed_event(c, h.seq, h.hash);
	END IF;
	RETURN token;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.audit_checkpoints_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF TG_OP = 'UPDATE' AND current_user = 'bigpicture_owner'
	   AND (to_jsonb(NEW) - 'token') = (to_jsonb(OLD) - 'token')
	   AND bigpicture._signed_claims(NEW.token) = bigpicture._signed_claims(OLD.token) THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'PT409',
		DETAIL = format('%s on %s is refused.', TG_OP, TG_TABLE_NAME);
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.audit_row_change() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres'
	AS $$
DECLARE
	-- TG_ARGV[2], optional: more columns left out of the row images (bulky ones).
	omit text[] := '{sealed_secret}'::text[] || COALESCE(string_to_array(TG_ARGV[2], ','), '{}');
	o jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) - omit END;
	n jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) - omit END;
	-- The object id: one column, or several joined with '/' (channel: product/channel).
	id text := (SELECT string_agg(COALESCE(n, o) ->> c, '/') FROM unnest(string_to_array(TG_ARGV[1], ',')) c);
	-- On Citus the trigger fires on a shard (leases_102133), and for a
	-- reference table on every node's copy (docs/scaling.md).  No table of
	-- ours ends in _<digits>.
	on_shard boolean := right(TG_TABLE_NAME, 1) BETWEEN '0' AND '9';
	event text := bigpicture._audit_event_type(CASE WHEN on_shard THEN regexp_replace(TG_TABLE_NAME, '_[0-9]+$', '')
		ELSE TG_TABLE_NAME END, TG_OP, o, n);
BEGIN
	IF TG_OP = 'UPDATE' AND o = n THEN
		RETURN NULL;
	END IF;
	-- pg_restore's session (row_security off) into a database without
	-- pre_restore(): the audit chain cannot take rows one by one.
	IF current_setting('row_security') = 'off' THEN
		RAISE EXCEPTION 'bigpicture: a dump is restored into a database prepared with bigpicture.pre_restore()'
			USING ERRCODE = 'PT409',
			DETAIL = format('A %s row arrived with row_security off, as pg_restore writes; its audit event '
				'cannot be appended under the chain''s row-level security.', TG_TABLE_NAME),
			HINT = 'Restore into a new database: CREATE EXTENSION bigpicture; SELECT bigpicture.pre_restore(); '
				'pg_restore; SELECT bigpicture.post_restore(). See docs/backup.md.';
	END IF;
	-- A chain is appended to on the node that holds it, so once, in the
	-- transaction of the change: a shard is colocated with its chain, and of a
	-- reference table's copies exactly one is on the chain's node.
	IF NOT on_shard OR bigpicture._citus_chain_is_here(COALESCE(n ->> 'tenant_id', o ->> 'tenant_id', 'vendor')) THEN
		PERFORM bigpicture._audit_append(COALESCE(n ->> 'tenant_id', o ->> 'tenant_id', 'vendor'), event,
			TG_ARGV[0], id, o, n);
	END IF;
	-- A row moved to another tenant is recorded on the chain it left, too.
	IF TG_OP = 'UPDATE' AND o ->> 'tenant_id' IS DISTINCT FROM n ->> 'tenant_id'
		AND (NOT on_shard OR bigpicture._citus_chain_is_here(COALESCE(o ->> 'tenant_id', 'vendor'))) THEN
		PERFORM bigpicture._audit_append(COALESCE(o ->> 'tenant_id', 'vendor'), event, TG_ARGV[0], id, o, n);
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.create_release(product_id text, version text, channel text, notes text DEFAULT ''::text, metadata jsonb DEFAULT '{}'::jsonb, critical boolean DEFAULT false, release_id text DEFAULT NULL::text)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	id text := bigpicture._check_id(COALESCE(create_release.release_id, bigpicture.new_id('rel')), 'rel', 'release');
	v bigpicture.semver;
BEGIN
	PERFORM bigpicture._product_or_error(create_release.product_id);
	IF version IS NULL THEN
		RAISE EXCEPTION 'version must not be null' USING ERRCODE = '22004';
	END IF;
	v := version::bigpicture.semver;
	IF NOT EXISTS (SELECT 1 FROM bigpicture.channels c
				   WHERE c.product_id = create_release.product_id AND c.channel = create_release.channel) THEN
		RAISE EXCEPTION 'channel "%" of product "%" does not exist', channel, product_id USING ERRCODE = 'PT404',
			HINT = 'Create it with bigpicture.create_channel().';
	END IF;
	IF metadata IS NOT NULL AND jsonb_typeof(metadata) <> 'object' THEN
		RAISE EXCEPTION 'release metadata must be a JSON object' USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.releases (release_id, product_id, version, channel, notes, metadata, critical, created_by)
	VALUES (id, create_release.product_id, v, channel, COALESCE(notes, ''), COALESCE(metadata, '{}'),
		COALESCE(critical, false), bigpicture.current_actor());
	RETURN id;
EXCEPTION WHEN unique_violation THEN
	IF EXISTS (SELECT 1 FROM bigpicture.releases r WHERE r.release_id = id) THEN
		RAISE EXCEPTION 'release "%" already exists', id USING ERRCODE = '23505';
	END IF;
	RAISE EXCEPTION 'version % of product "%" already exists', v, product_id USING ERRCODE = '23505',
		DETAIL = 'Versions are unique per product by SemVer precedence; build metadata does not make a new version.';
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.decision_log_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'the decision log is append-only' USING ERRCODE = 'PT409';
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.detach_artifact(release_id text, artifact_id text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(detach_artifact.release_id);
BEGIN
	PERFORM bigpicture._expect_status(r, 'draft', 'changed');
	DELETE FROM bigpicture.release_artifacts ra
	 WHERE ra.release_id = r.release_id AND ra.artifact_id = detach_artifact.artifact_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'artifact "%" is not attached to release %', artifact_id, r.release_id USING ERRCODE = 'PT404';
	END IF;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.install_key_certificate(certificate text)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	-- Signed by a pinned root, typ key_certificate, valid now (else PT410).
	c jsonb := bigpicture._verify_pinned(certificate, 'key certificate', 'key_certificate', now());
	k bigpicture.signing_keys;
	expires timestamptz := (c ->> 'exp')::timestamptz;
BEGIN
	IF jsonb_typeof(c -> 'kid') <> 'string' OR jsonb_typeof(c -> 'tenant_id') <> 'string'
	   OR jsonb_typeof(c -> 'purposes') <> 'array' THEN
		RAISE EXCEPTION 'key certificate is incomplete' USING ERRCODE = '22023',
			DETAIL = 'It must name kid, tenant_id and purposes.';
	END IF;
	SELECT * INTO k FROM bigpicture.signing_keys x WHERE x.kid = c ->> 'kid' FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'key certificate is for key %, which this server does not have', c ->> 'kid'
			USING ERRCODE = 'PT404', HINT = 'Certificates are installed on the server that generated the key.';
	END IF;
	IF k.tenant_id IS DISTINCT FROM c ->> 'tenant_id' THEN
		RAISE EXCEPTION 'key certificate is for tenant %, but key % belongs to %', c ->> 'tenant_id', k.kid,
			COALESCE('tenant ' || k.tenant_id, 'no tenant') USING ERRCODE = '22023',
			HINT = 'Generate the mirror''s key with bigpicture.generate_key(purpose, tenant_id) for the certified tenant.';
	END IF;
	IF NOT (c -> 'purposes') ? k.purpose THEN
		RAISE EXCEPTION 'key certificate does not cover purpose %', k.purpose USING ERRCODE = '22023',
			DETAIL = format('It certifies %s.', c -> 'purposes');
	END IF;
	IF k.state NOT IN ('pending', 'active') THEN
		RAISE EXCEPTION 'signing key % is %', k.kid, k.state USING ERRCODE = 'PT409';
	END IF;
	UPDATE bigpicture.signing_keys x SET certificate = install_key_certificate.certificate,
		certificate_expires_at = expires
	 WHERE x.kid = k.kid;
	RETURN k.kid;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.issue_key_certificate(tenant_id text, public_key text, purposes text[], valid_until timestamp with time zone, mirror_id text DEFAULT NULL::text)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	t bigpicture.tenants := bigpicture._tenant_or_error(issue_key_certificate.tenant_id);
	raw bytea := bigpicture._public_key_bytes(public_key, 'mirror');
	pid text := bigpicture.paserk_pid(raw);
	p text[] := ARRAY(SELECT DISTINCT x FROM unnest(purposes) x ORDER BY x);
	token text;
BEGIN
	IF purposes IS NULL OR cardinality(p) = 0 OR NOT p <@ '{decision,lease}' OR array_position(purposes, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'invalid purposes %', COALESCE(purposes::text, 'NULL') USING ERRCODE = '22023',
			DETAIL = 'A key certificate delegates decision and/or lease signing, nothing else.';
	END IF;
	IF valid_until IS NULL OR valid_until <= now() OR valid_until > now() + interval '400 days' THEN
		RAISE EXCEPTION 'valid_until must be in the future, at most 400 days ahead' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(valid_until::text, 'NULL'));
	END IF;
	IF mirror_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bigpicture.mirrors m
			WHERE m.tenant_id = t.tenant_id AND m.mirror_id = issue_key_certificate.mirror_id) THEN
		RAISE EXCEPTION 'mirror "%" of tenant "%" does not exist', mirror_id, t.tenant_id USING ERRCODE = 'PT404';
	END IF;
	IF EXISTS (SELECT 1 FROM bigpicture.signing_keys k WHERE k.kid = pid)
	   OR EXISTS (SELECT 1 FROM bigpicture.key_certificates c WHERE c.kid = pid) THEN
		RAISE EXCEPTION 'key % is already known here', pid USING ERRCODE = '23505',
			DETAIL = 'A certificate is issued once per mirror key, and never for one of this server''s own keys.',
			HINT = 'Generate a new key on the mirror for a new certificate.';
	END IF;
	token := bigpicture._sign('key_certificate', NULL,
		bigpicture._key_certificate_claims(pid, raw, t.tenant_id, p, mirror_id), valid_until, now());
	INSERT INTO bigpicture.key_certificates (tenant_id, kid, public_key, purposes, mirror_id, valid_until, token, issued_by)
	VALUES (t.tenant_id, pid, raw, p, mirror_id, date_trunc('second', valid_until), token, bigpicture.current_actor());
	RETURN token;
END
$function$;

CREATE FUNCTION bigpicture._bound_install_id(requested text) RETURNS text
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_bound_install_id';
COMMENT ON FUNCTION bigpicture._bound_install_id(text) IS
	'internal: the requested install_id, or the one the gateway session''s claims bind it to; another is refused (42501)';

CREATE OR REPLACE FUNCTION bigpicture.issue_lease(request jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	subj text := bigpicture._check_lease_request(request,
		'{tenant_id,product_id,subject_type,subject_id,install_id,duration}', '{product_id,subject_type,subject_id}');
	t bigpicture.tenants := bigpicture._request_tenant(request ->> 'tenant_id');
	product text := request ->> 'product_id';
	install text := bigpicture._bound_install_id(request ->> 'install_id');
	e bigpicture.entitlements;
	l bigpicture.leases;
	signed record;
	best_state text;
	used integer;
BEGIN
	IF t.status <> 'active' THEN
		RAISE EXCEPTION 'tenant % is suspended', t.tenant_id USING ERRCODE = 'PT423';
	END IF;
	-- Entitlements to this product, locked in a fixed order so that parallel
	-- requests queue instead of over-subscribing (or deadlocking).
	PERFORM 1 FROM bigpicture.entitlements x
	 WHERE x.tenant_id = t.tenant_id AND x.product_id = product ORDER BY x.entitlement_id FOR UPDATE;
	-- The same subject asking again renews its lease, under whichever active
	-- entitlement holds it, instead of taking a second seat (concurrent and
	-- feature-based leases are per install).
	SELECT x.* INTO l FROM bigpicture.leases x JOIN bigpicture.entitlements y
	    ON y.tenant_id = x.tenant_id AND y.entitlement_id = x.entitlement_id
	 WHERE x.tenant_id = t.tenant_id AND x.product_id = product AND x.subject = subj
	   AND x.released_at IS NULL AND x.revoked_at IS NULL AND x.expires_at > now()
	   AND bigpicture.entitlement_state_of(y.status, y.starts_at, y.ends_at) = 'active'
	   AND (y.type IN ('per_user', 'per_machine') OR x.install_id IS NOT DISTINCT FROM install)
	 ORDER BY x.issued_at DESC LIMIT 1;
	IF FOUND THEN
		SELECT * INTO e FROM bigpicture.entitlements y WHERE y.tenant_id = l.tenant_id AND y.entitlement_id = l.entitlement_id;
		l.expires_at := bigpicture._lease_expiry(e, (request ->> 'duration')::numeric);
		l.install_id := COALESCE(install, l.install_id);
		l.features := e.features;
		signed := bigpicture._sign_lease(l, e, t.offline_grace);
		UPDATE bigpicture.leases x SET expires_at = l.expires_at, renewed_at = now(), install_id = l.install_id,
			features = l.features, seq = signed.seq, token_hash = signed.token_hash
		 WHERE x.tenant_id = l.tenant_id AND x.lease_id = l.lease_id RETURNING * INTO l;
		RETURN bigpicture._lease_response(l, signed.token) || '{"renewed": true}';
	END IF;
	FOR e IN
		SELECT * FROM bigpicture.entitlements x
		WHERE x.tenant_id = t.tenant_id AND x.product_id = product
		ORDER BY x.entitlement_id
	LOOP
		IF bigpicture.entitlement_state(e) <> 'active' THEN
			best_state := COALESCE(best_state, bigpicture.entitlement_state(e));
			CONTINUE;
		END IF;
		IF e.type = 'per_user' AND subj NOT LIKE 'user:%' OR e.type = 'per_machine' AND subj NOT LIKE 'machine:%' THEN
			IF best_state IS DISTINCT FROM 'active' THEN
				best_state := 'wrong_subject_type';
			END IF;
			CONTINUE;
		END IF;
		best_state := 'active';
		IF e.type <> 'feature_based' THEN
			SELECT count(*) INTO used FROM bigpicture.leases x
			 WHERE x.tenant_id = t.tenant_id AND x.entitlement_id = e.entitlement_id
			   AND x.released_at IS NULL AND x.revoked_at IS NULL AND x.expires_at > now();
			IF used >= e.max_seats THEN
				CONTINUE;
			END IF;
		END IF;
		l := ROW(t.tenant_id, bigpicture.new_id('lease'), e.entitlement_id, product, subj, install, e.features,
			now(), NULL, bigpicture._lease_expiry(e, (request ->> 'duration')::numeric), NULL, NULL, NULL, 1,
			repeat('0', 64))::bigpicture.leases;
		signed := bigpicture._sign_lease(l, e, t.offline_grace);
		INSERT INTO bigpicture.leases (tenant_id, lease_id, entitlement_id, product_id, subject, install_id, features,
			issued_at, expires_at, seq, token_hash)
		VALUES (l.tenant_id, l.lease_id, l.entitlement_id, l.product_id, l.subject, l.install_id, l.features,
			l.issued_at, l.expires_at, signed.seq, signed.token_hash)
		RETURNING * INTO l;
		-- on Citus the trigger ran on a worker's shard (87_events.sql)
		IF bigpicture._citus_distributed() THEN
			PERFORM bigpicture._seats_exhausted_event(l.tenant_id, l.entitlement_id, l.lease_id);
		END IF;
		RETURN bigpicture._lease_response(l, signed.token) || '{"renewed": false}';
	END LOOP;
	IF best_state = 'wrong_subject_type' THEN
		RAISE EXCEPTION 'no entitlement to % licenses % subjects', product, split_part(subj, ':', 1)
			USING ERRCODE = 'PT404',
			HINT = 'per_user entitlements take user subjects, per_machine ones machine subjects.';
	END IF;
	IF best_state = 'active' THEN
		-- the refusal rolls back whatever it writes; it is counted instead (87_events.sql)
		PERFORM bigpicture._note_seat_refusal(t.tenant_id, product);
		RAISE EXCEPTION 'no seat available for %', product USING ERRCODE = 'PT409',
			DETAIL = 'Every seat of the tenant''s entitlements to this product is taken.',
			HINT = 'Release a lease, wait for one to expire, or add seats.';
	END IF;
	PERFORM bigpicture._refuse_entitlement(best_state, product);
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.key_certificates_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
		RETURN OLD;
	END IF;
	IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
		RAISE EXCEPTION 'key certificates cannot be deleted' USING ERRCODE = 'PT409',
			HINT = 'Revoke the certificate with bigpicture.revoke_key_certificate().';
	END IF;
	-- Re-signed by the root key that replaced its signer (refresh_signatures):
	-- the same claims, nothing else changes, and the key set stays the same.
	IF current_user = 'bigpicture_owner' AND OLD.revoked_at IS NULL
	   AND (to_jsonb(NEW) - 'token') = (to_jsonb(OLD) - 'token')
	   AND bigpicture._signed_claims(NEW.token) = bigpicture._signed_claims(OLD.token) THEN
		RETURN NEW;
	END IF;
	IF (to_jsonb(NEW) - '{revoked_at,revoked_reason,change_seq}'::text[])
		IS DISTINCT FROM (to_jsonb(OLD) - '{revoked_at,revoked_reason,change_seq}'::text[])
	   OR OLD.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'key certificate % can only be revoked, once', OLD.kid USING ERRCODE = 'PT409';
	END IF;
	NEW.change_seq := pg_catalog.nextval('bigpicture.signing_key_changes');
	RETURN NEW;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.latest_snapshot(tenant_id text DEFAULT NULL::text, mirror_id text DEFAULT NULL::text)
 RETURNS bigpicture.snapshots
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	t text := bigpicture._resolve_tenant(latest_snapshot.tenant_id);
	s bigpicture.snapshots;
	m bigpicture.mirrors;
BEGIN
	SELECT * INTO s FROM bigpicture.snapshots x WHERE x.tenant_id = t ORDER BY x.seq DESC LIMIT 1;
	IF mirror_id IS NOT NULL THEN
		m := bigpicture._mirror_or_error(latest_snapshot.mirror_id);
		IF m.tenant_id <> t THEN
			RAISE EXCEPTION 'mirror "%" does not exist', mirror_id USING ERRCODE = 'PT404';
		END IF;
		IF s.seq IS NOT NULL AND NOT current_setting('transaction_read_only')::boolean THEN
			UPDATE bigpicture.mirrors x SET last_sync_at = now(), last_snapshot_seq = s.seq,
				status = CASE WHEN x.status = 'ERROR' THEN 'ACTIVE' ELSE x.status END, updated_at = now()
			 WHERE x.mirror_id = m.mirror_id;
		END IF;
	END IF;
	IF s.seq IS NULL THEN
		RAISE EXCEPTION 'tenant "%" has no snapshot yet', t USING ERRCODE = 'PT404',
			HINT = 'An admin generates one with bigpicture.generate_snapshot(tenant_id).';
	END IF;
	RETURN s;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.post_restore()
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	t regclass;
	n bigint;
	fk record;
	v record;
	chain text;
	rows_by_table jsonb := '{}';
	chains int := 0;
	fks int := 0;
	key record;
BEGIN
	PERFORM bigpicture._require_superuser('post_restore()');
	IF NOT bigpicture._restoring() THEN
		RAISE EXCEPTION 'the database is not being restored' USING ERRCODE = 'PT409',
			HINT = 'post_restore() finishes what SELECT bigpicture.pre_restore() started; see docs/backup.md.';
	END IF;
	-- Checks run with the guards of this session on again, but as one
	-- transaction: any failure leaves the database in restore mode.
	PERFORM set_config('session_replication_role', 'origin', true);
	PERFORM set_config('bigpicture.restoring', 'off', true);

	FOR t IN SELECT unnest(e.extconfig)::regclass FROM pg_extension e WHERE e.extname = 'bigpicture' ORDER BY 1 LOOP
		CONTINUE WHEN (SELECT c.relkind FROM pg_class c WHERE c.oid = t) = 'S';
		EXECUTE format('SELECT count(*) FROM %s', t) INTO n;
		rows_by_table := rows_by_table || jsonb_build_object(regexp_replace(t::text, '^bigpicture\.', ''), n);
	END LOOP;

	-- 1. Every foreign key between the extension's tables (not checked while
	--    the triggers were off), as MATCH SIMPLE: rows with a NULL are exempt.
	FOR fk IN SELECT c.conname, c.conrelid::regclass AS child, c.confrelid::regclass AS parent,
			(SELECT string_agg(format('x.%I IS NOT NULL', a.attname), ' AND ')
			 FROM unnest(c.conkey) k(n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS not_null,
			(SELECT string_agg(format('p.%I = x.%I', pa.attname, ca.attname), ' AND ')
			 FROM unnest(c.conkey, c.confkey) k(cn, pn)
			 JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.cn
			 JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pn) AS joined
		FROM pg_constraint c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.conrelid
			AND d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'bigpicture')
		WHERE c.contype = 'f' ORDER BY c.conname LOOP
		EXECUTE format('SELECT count(*) FROM %s x WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)',
			fk.child, fk.not_null, fk.parent, fk.joined) INTO n;
		IF n > 0 THEN
			RAISE EXCEPTION 'the restored data breaks foreign key %: % rows of % have no row in %',
				fk.conname, n, fk.child, fk.parent USING ERRCODE = '23503',
				HINT = 'The dump is incomplete (a table left out with -t/-T?). Restore the whole dump into a new database.';
		END IF;
		fks := fks + 1;
	END LOOP;

	-- 2. Every audit chain recomputes and matches its head and checkpoint.
	FOR chain IN SELECT h.chain_id FROM bigpicture.audit_heads h UNION SELECT e.chain_id FROM bigpicture.audit_events e
			ORDER BY 1 LOOP
		SELECT * INTO v FROM bigpicture.verify_audit_chain(chain);
		IF NOT v.ok THEN
			RAISE EXCEPTION 'audit chain "%" does not verify after the restore: %', chain, v.problem
				USING ERRCODE = 'XX001', DETAIL = format('First bad event: %s.', v.first_bad_seq),
				HINT = 'Restore from another dump; the database stays in restore mode, so nothing is signed.';
		END IF;
		chains := chains + 1;
	END LOOP;

	-- 3. The master key of this server opens the restored keys: every active
	--    key signs a probe (a token of a kind of its purpose, thrown away).
	FOR key IN SELECT s.kid, s.purpose FROM bigpicture.signing_keys s WHERE s.state = 'active' ORDER BY s.kid LOOP
		PERFORM bigpicture._sign_with_key(key.kid, CASE key.purpose WHEN 'root' THEN 'keyset' WHEN 'lease' THEN 'lease'
			WHEN 'audit' THEN 'checkpoint' ELSE key.purpose END, '{}', now() + interval '1 minute');
	END LOOP;

	-- 4. Jobs: the defaults a 0.1.0 dump does not carry, and a re-signing run soon.
	PERFORM bigpicture._install_worker_jobs();
	PERFORM bigpicture._refresh_signatures_soon();

	PERFORM bigpicture._set_restoring(false);
	RETURN jsonb_build_object('rows', rows_by_table, 'foreign_keys_checked', fks, 'audit_chains_verified', chains,
		'keys_opened', (SELECT count(*) FROM bigpicture.signing_keys s WHERE s.state = 'active'));
END
$function$;

COMMENT ON FUNCTION bigpicture.post_restore() IS 'finish a restore: check foreign keys, audit chains and keys, then turn guards, signing and the worker back on (docs/backup.md)';

CREATE OR REPLACE FUNCTION bigpicture.pre_restore()
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	t regclass;
	n bigint;
BEGIN
	PERFORM bigpicture._require_superuser('pre_restore()');
	IF bigpicture._restoring() THEN
		RAISE EXCEPTION 'the database is already being restored' USING ERRCODE = 'PT409',
			HINT = 'Run pg_restore, then SELECT bigpicture.post_restore().';
	END IF;
	-- Only into a new database: the restore brings every row, and mixing them
	-- with rows of this one would mix two audit chains and two key histories.
	FOR t IN SELECT unnest(e.extconfig)::regclass FROM pg_extension e WHERE e.extname = 'bigpicture' LOOP
		CONTINUE WHEN t = 'bigpicture.worker_jobs'::regclass OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t) = 'S';
		EXECUTE format('SELECT count(*) FROM %s', t) INTO n;
		IF n > 0 THEN
			RAISE EXCEPTION 'pre_restore() is for a new database, and % has % rows', t, n USING ERRCODE = 'PT409',
				HINT = 'CREATE DATABASE a new one, CREATE EXTENSION bigpicture in it, and run pre_restore() there.';
		END IF;
	END LOOP;
	-- The jobs come with the dump (a dump of 0.1.0 has none: post_restore() adds them).
	DELETE FROM bigpicture.worker_jobs;
	PERFORM bigpicture._set_restoring(true);
	RETURN format('database %s is ready for pg_restore; then run SELECT bigpicture.post_restore()',
		current_database());
END
$function$;

COMMENT ON FUNCTION bigpicture.pre_restore() IS 'prepare a new database for pg_restore: triggers off for its sessions, signing and the worker stopped (docs/backup.md)';

CREATE OR REPLACE FUNCTION bigpicture.release_artifacts_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	rel text := CASE WHEN TG_OP = 'INSERT' THEN NEW.release_id WHEN TG_OP = 'TRUNCATE' THEN NULL ELSE OLD.release_id END;
	st text;
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		RAISE EXCEPTION 'release artifacts cannot be truncated' USING ERRCODE = 'PT409';
	END IF;
	IF TG_OP = 'UPDATE' THEN
		RAISE EXCEPTION 'release artifact links cannot be changed' USING ERRCODE = 'PT409',
			HINT = 'Detach and attach instead, while the release is a draft.';
	END IF;
	SELECT status INTO st FROM bigpicture.releases WHERE release_id = rel;
	-- A cascading delete of a draft release finds it gone or deletable.
	IF st IS NOT NULL AND st <> 'draft' THEN
		RAISE EXCEPTION 'release % is % and its artifacts cannot change', rel, st USING ERRCODE = 'PT409';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.releases_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	mutable text[];
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		RAISE EXCEPTION 'releases cannot be truncated' USING ERRCODE = 'PT409';
	END IF;
	IF TG_OP = 'DELETE' THEN
		IF OLD.status <> 'draft' THEN
			RAISE EXCEPTION 'release % is % and cannot be deleted', OLD.release_id, OLD.status
				USING ERRCODE = 'PT409', HINT = CASE WHEN OLD.status = 'published'
					THEN 'Revoke a published release instead.' ELSE 'Only a draft can be deleted.' END;
		END IF;
		RETURN OLD;
	END IF;
	IF TG_OP = 'INSERT' THEN
		IF NEW.status <> 'draft' THEN
			RAISE EXCEPTION 'a release is created as a draft' USING ERRCODE = 'PT409';
		END IF;
		RETURN NEW;
	END IF;
	-- UPDATE
	-- Re-signing (refresh_signatures, or a mirror importing the vendor's
	-- re-signed copy): the owner may replace the token of a published or
	-- revoked release by one of the same claims, and change nothing else.
	IF NEW.release_token IS DISTINCT FROM OLD.release_token AND OLD.status IN ('published', 'revoked')
	   AND (to_jsonb(NEW) - 'release_token') = (to_jsonb(OLD) - 'release_token') THEN
		IF current_user <> 'bigpicture_owner' THEN
			RAISE EXCEPTION 'release % is % and cannot change', OLD.release_id, OLD.status USING ERRCODE = 'PT409',
				HINT = 'Signed release metadata is re-signed by the extension itself (bigpicture.refresh_signatures).';
		END IF;
		IF NEW.release_token IS NULL
		   OR bigpicture._signed_claims(NEW.release_token) IS DISTINCT FROM bigpicture._signed_claims(OLD.release_token) THEN
			RAISE EXCEPTION 'the new token of release % does not carry the same claims', OLD.release_id
				USING ERRCODE = 'PT409', DETAIL = 'A re-signed token may differ from the old one in its envelope only.';
		END IF;
		RETURN NEW;
	END IF;
	IF NEW.status IS DISTINCT FROM OLD.status THEN
		IF current_user <> 'bigpicture_owner' THEN
			RAISE EXCEPTION 'release status changes only through the release functions' USING ERRCODE = '42501',
				HINT = 'Use submit_release, approve_release, reject_release or revoke_release.';
		END IF;
		IF NOT (OLD.status, NEW.status) IN (('draft', 'pending_approval'), ('pending_approval', 'published'),
				('pending_approval', 'rejected'), ('published', 'revoked')) THEN
			RAISE EXCEPTION 'release % cannot go from % to %', OLD.release_id, OLD.status, NEW.status
				USING ERRCODE = 'PT409';
		END IF;
	END IF;
	-- What each move lets change: a draft anything; leaving pending_approval
	-- only the outcome's columns; published → revoked only the revocation's.
	-- Staying published, rejected or revoked changes nothing.
	mutable := CASE
		WHEN OLD.status = 'draft' THEN NULL
		WHEN OLD.status = 'pending_approval' AND NEW.status = 'published' THEN '{status,published_at,release_token}'
		WHEN OLD.status = 'pending_approval' AND NEW.status = 'rejected' THEN '{status,rejected_at,rejected_by,rejected_reason}'
		WHEN OLD.status = 'published' AND NEW.status = 'revoked' THEN '{status,revoked_at,revoked_by,revoked_reason}'
		ELSE '{}' END;
	IF mutable IS NOT NULL AND (OLD.status IN ('published', 'rejected', 'revoked') AND NEW.status = OLD.status
		OR (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable)) THEN
		RAISE EXCEPTION 'release % is % and cannot change', OLD.release_id, OLD.status
			USING ERRCODE = 'PT409', HINT = CASE OLD.status
				WHEN 'published' THEN 'A published release can only be revoked, with bigpicture.revoke_release().'
				WHEN 'pending_approval' THEN 'Approve, or reject it and create a new release instead.'
				ELSE 'Rejected and revoked releases are final.' END;
	END IF;
	RETURN NEW;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.retire_key(kid text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	k bigpicture.signing_keys;
BEGIN
	k := bigpicture._lock_key(retire_key.kid);
	IF k.state NOT IN ('pending', 'active', 'retiring') THEN
		RAISE EXCEPTION 'signing key "%" cannot be retired', k.kid
			USING ERRCODE = 'PT409', DETAIL = format('The key is already %s.', k.state);
	END IF;
	UPDATE bigpicture.signing_keys s SET state = 'retired', retired_at = pg_catalog.now() WHERE s.kid = k.kid;
	PERFORM bigpicture._refresh_signatures_soon();
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.revoke_key(kid text, reason text DEFAULT NULL::text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	k bigpicture.signing_keys;
BEGIN
	k := bigpicture._lock_key(revoke_key.kid);
	IF k.state = 'revoked' THEN
		RAISE EXCEPTION 'signing key "%" is already revoked', k.kid USING ERRCODE = 'PT409';
	END IF;
	UPDATE bigpicture.signing_keys s
	   SET state = 'revoked', revoked_at = pg_catalog.now(), revoked_reason = reason
	 WHERE s.kid = k.kid;
	PERFORM bigpicture._refresh_signatures_soon();
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.revoke_key_certificate(kid text, reason text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	c bigpicture.key_certificates;
BEGIN
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'a revocation needs a reason' USING ERRCODE = '22023';
	END IF;
	SELECT * INTO c FROM bigpicture.key_certificates x WHERE x.kid = revoke_key_certificate.kid FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'key certificate for "%" does not exist', kid USING ERRCODE = 'PT404';
	END IF;
	IF c.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'key certificate for "%" is already revoked', kid USING ERRCODE = 'PT409';
	END IF;
	UPDATE bigpicture.key_certificates x SET revoked_at = now(), revoked_reason = reason
	 WHERE x.kid = c.kid;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.revoke_lease(lease_id text, reason text, tenant_id text DEFAULT NULL::text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	l bigpicture.leases := bigpicture._lock_lease(jsonb_build_object('lease_id', revoke_lease.lease_id,
		'tenant_id', revoke_lease.tenant_id));
BEGIN
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'a revocation needs a reason' USING ERRCODE = '22023';
	END IF;
	IF l.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'lease % is already revoked', l.lease_id USING ERRCODE = 'PT409';
	END IF;
	UPDATE bigpicture.leases x SET revoked_at = now(), revoked_reason = reason
	 WHERE x.tenant_id = l.tenant_id AND x.lease_id = l.lease_id;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.rollouts_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF NEW.salt IS DISTINCT FROM OLD.salt OR NEW.release_id IS DISTINCT FROM OLD.release_id
	   OR NEW.platform IS DISTINCT FROM OLD.platform THEN
		RAISE EXCEPTION 'a rollout''s release, platform and salt never change' USING ERRCODE = 'PT409',
			HINT = 'Clear the rollout and set a new one to reshuffle its buckets.';
	END IF;
	NEW.updated_at := now();
	RETURN NEW;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.run_due_jobs()
 RETURNS SETOF jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	j text;
BEGIN
	-- A database being restored has rows nobody checked yet (94_restore.sql).
	IF bigpicture._restoring() THEN
		RETURN;
	END IF;
	FOR j IN SELECT w.job FROM bigpicture.worker_jobs w WHERE w.enabled AND w.next_run_at <= now()
			 ORDER BY w.next_run_at, w.job LOOP
		RETURN NEXT bigpicture.run_job(j);
	END LOOP;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.run_job(job text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	j bigpicture.worker_jobs;
	started timestamptz := clock_timestamp();
	result jsonb;
	err_state text;
	err_message text;
BEGIN
	SELECT * INTO j FROM bigpicture.worker_jobs w WHERE w.job = run_job.job FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'worker job "%" does not exist', run_job.job USING ERRCODE = 'PT404',
			HINT = 'The jobs are listed in bigpicture.worker_jobs.';
	END IF;
	BEGIN
		EXECUTE format('SELECT to_jsonb(bigpicture.%I())', j.job) INTO result;
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT;
		UPDATE bigpicture.worker_jobs w
		   SET last_started_at = started, last_finished_at = clock_timestamp(), last_error = err_state || ': ' || err_message,
			   failures = w.failures + 1, runs = w.runs + 1, next_run_at = now() + least(w.every, interval '1 minute')
		 WHERE w.job = j.job;
		RETURN jsonb_build_object('job', j.job, 'ok', false, 'error', err_state || ': ' || err_message,
			'report', format('job %s failed: %s: %s', j.job, err_state, err_message));
	END;
	UPDATE bigpicture.worker_jobs w
	   SET last_started_at = started, last_finished_at = clock_timestamp(), last_result = result, last_error = NULL,
		   runs = w.runs + 1, next_run_at = now() + w.every
	 WHERE w.job = j.job;
	RETURN jsonb_build_object('job', j.job, 'ok', true, 'result', result,
		'report', CASE WHEN bigpicture._job_did_something(result) THEN format('job %s: %s', j.job, result) END);
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.set_approval_workflow(scope text, product_id text DEFAULT NULL, channel text DEFAULT NULL,
	required_approvals integer DEFAULT 1, auto_approve_channels text[] DEFAULT '{}',
	approval_expiry interval DEFAULT '7 days') RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id text;
BEGIN
	IF scope IS NULL OR scope NOT IN ('global', 'product', 'channel') THEN
		RAISE EXCEPTION 'invalid workflow scope "%"', scope USING ERRCODE = '22023', HINT = 'Use global, product or channel.';
	END IF;
	IF (scope = 'global') <> (product_id IS NULL) OR (scope = 'channel') <> (channel IS NOT NULL) THEN
		RAISE EXCEPTION 'a % workflow takes %', scope, CASE scope WHEN 'global' THEN 'no product and no channel'
			WHEN 'product' THEN 'a product and no channel' ELSE 'a product and a channel' END USING ERRCODE = '22023';
	END IF;
	IF product_id IS NOT NULL THEN
		PERFORM bigpicture._product_or_error(product_id);
	END IF;
	IF channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bigpicture.channels c
			WHERE c.product_id = set_approval_workflow.product_id AND c.channel = set_approval_workflow.channel) THEN
		RAISE EXCEPTION 'channel "%" of product "%" does not exist', channel, product_id USING ERRCODE = 'PT404';
	END IF;
	IF required_approvals IS NULL OR required_approvals NOT BETWEEN 0 AND 10 THEN
		RAISE EXCEPTION 'required_approvals must be 0 to 10' USING ERRCODE = '22023';
	END IF;
	IF approval_expiry IS NULL OR approval_expiry <= interval '0' THEN
		RAISE EXCEPTION 'approval_expiry must be a positive interval' USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.approval_workflows AS w (scope, product_id, channel, required_approvals,
		auto_approve_channels, approval_expiry)
	VALUES (set_approval_workflow.scope, set_approval_workflow.product_id, set_approval_workflow.channel,
		set_approval_workflow.required_approvals, COALESCE(set_approval_workflow.auto_approve_channels, '{}'),
		set_approval_workflow.approval_expiry)
	ON CONFLICT ON CONSTRAINT approval_workflows_target DO UPDATE
		SET required_approvals = EXCLUDED.required_approvals, auto_approve_channels = EXCLUDED.auto_approve_channels,
			approval_expiry = EXCLUDED.approval_expiry, updated_at = EXCLUDED.updated_at
	RETURNING w.workflow_id INTO id;
	RETURN id;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.set_entitlement_status(entitlement_id text, status text, reason text DEFAULT NULL::text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	e bigpicture.entitlements := bigpicture._lock_entitlement(set_entitlement_status.entitlement_id);
BEGIN
	IF status IS NULL OR status NOT IN ('active', 'suspended', 'revoked') THEN
		RAISE EXCEPTION 'invalid entitlement status "%"', status USING ERRCODE = '22023',
			HINT = 'Use active, suspended or revoked.';
	END IF;
	IF e.status = 'revoked' THEN
		RAISE EXCEPTION 'entitlement % is revoked; revocation is final', e.entitlement_id USING ERRCODE = 'PT409';
	END IF;
	IF status = 'revoked' AND (reason IS NULL OR reason !~ '[^[:space:]]') THEN
		RAISE EXCEPTION 'a revocation needs a reason' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.entitlements x SET status = set_entitlement_status.status, updated_at = now(),
		revoked_at = CASE WHEN set_entitlement_status.status = 'revoked' THEN now() END,
		revoked_reason = CASE WHEN set_entitlement_status.status = 'revoked' THEN reason END
	 WHERE x.tenant_id = e.tenant_id AND x.entitlement_id = e.entitlement_id;
	-- Revoking an entitlement revokes its active leases.
	IF status = 'revoked' THEN
		UPDATE bigpicture.leases l SET revoked_at = now(), revoked_reason = 'entitlement revoked: ' || reason
		 WHERE l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id
		   AND l.released_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > now();
	END IF;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.set_rollout(release_id text, percentage integer, platform text DEFAULT NULL::text, paused boolean DEFAULT false)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	r bigpicture.releases;
BEGIN
	SELECT * INTO r FROM bigpicture.releases x WHERE x.release_id = set_rollout.release_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'release "%" does not exist', release_id USING ERRCODE = 'PT404';
	END IF;
	IF r.status IN ('rejected', 'revoked') THEN
		RAISE EXCEPTION 'release % is %; a rollout would have no effect', r.release_id, r.status USING ERRCODE = 'PT409';
	END IF;
	IF percentage IS NULL OR percentage NOT BETWEEN 0 AND 10000 THEN
		RAISE EXCEPTION 'rollout percentage must be 0 to 10000 basis points' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(percentage::text, 'NULL')), HINT = '2500 means 25%.';
	END IF;
	IF platform IS NOT NULL AND platform NOT IN ('windows', 'macos', 'linux') THEN
		RAISE EXCEPTION 'invalid platform "%"', platform USING ERRCODE = '22023', HINT = 'Use windows, macos or linux, or NULL for all.';
	END IF;
	INSERT INTO bigpicture.rollouts AS o (release_id, platform, percentage, salt, paused, updated_by)
	VALUES (r.release_id, set_rollout.platform, set_rollout.percentage, bigpicture.random_bytes(32), COALESCE(set_rollout.paused, false),
		bigpicture.current_actor())
	ON CONFLICT ON CONSTRAINT rollouts_target DO UPDATE
		SET percentage = EXCLUDED.percentage, paused = EXCLUDED.paused, updated_by = EXCLUDED.updated_by;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.set_worker_job(job text, enabled boolean DEFAULT NULL::boolean, every interval DEFAULT NULL::interval)
 RETURNS bigpicture.worker_jobs
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	j bigpicture.worker_jobs;
BEGIN
	IF every IS NOT NULL AND every < interval '1 second' THEN
		RAISE EXCEPTION 'a job runs at most every second' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', every);
	END IF;
	UPDATE bigpicture.worker_jobs w
	   SET enabled = COALESCE(set_worker_job.enabled, w.enabled), every = COALESCE(set_worker_job.every, w.every),
		   next_run_at = CASE WHEN set_worker_job.every IS NOT NULL THEN least(w.next_run_at, now() + set_worker_job.every)
							  ELSE w.next_run_at END
	 WHERE w.job = set_worker_job.job
	RETURNING * INTO j;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'worker job "%" does not exist', set_worker_job.job USING ERRCODE = 'PT404',
			HINT = 'The jobs are listed in bigpicture.worker_jobs.';
	END IF;
	RETURN j;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.signing_keys_guard()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
		RAISE EXCEPTION 'signing keys cannot be deleted'
			USING ERRCODE = 'PT409', HINT = 'Retire or revoke the key instead.';
	END IF;
	IF TG_OP = 'UPDATE' THEN
		IF (NEW.kid, NEW.purpose, NEW.tenant_id, NEW.public_key, NEW.sealed_secret, NEW.created_at)
			IS DISTINCT FROM
		   (OLD.kid, OLD.purpose, OLD.tenant_id, OLD.public_key, OLD.sealed_secret, OLD.created_at) THEN
			RAISE EXCEPTION 'the identity of signing key % cannot change', OLD.kid
				USING ERRCODE = 'PT409', HINT = 'Generate a new key instead.';
		END IF;
		IF NEW.state IS DISTINCT FROM OLD.state AND NOT (OLD.state, NEW.state) IN (
			('pending', 'active'), ('pending', 'retired'), ('pending', 'revoked'),
			('active', 'retiring'), ('active', 'retired'), ('active', 'revoked'),
			('retiring', 'retired'), ('retiring', 'revoked'), ('retired', 'revoked')) THEN
			RAISE EXCEPTION 'signing key % cannot go from % to %', OLD.kid, OLD.state, NEW.state
				USING ERRCODE = 'PT409';
		END IF;
	END IF;
	-- A no-op update changes nothing, not even the key set version.
	IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
		RETURN NEW;
	END IF;
	NEW.change_seq := pg_catalog.nextval('bigpicture.signing_key_changes');
	RETURN NEW;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.snapshots_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'PT409',
		DETAIL = format('%s on %s is refused.', TG_OP, TG_TABLE_NAME);
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.submit_release(release_id text)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(submit_release.release_id);
	w bigpicture.approval_workflows;
BEGIN
	PERFORM bigpicture._expect_status(r, 'draft', 'submitted');
	IF NOT EXISTS (SELECT 1 FROM bigpicture.release_artifacts ra WHERE ra.release_id = r.release_id) THEN
		RAISE EXCEPTION 'release % has no artifacts', r.release_id USING ERRCODE = 'PT409',
			HINT = 'Attach at least one with bigpicture.attach_artifact() before submitting.';
	END IF;
	UPDATE bigpicture.releases x SET status = 'pending_approval', submitted_at = now(),
		submitted_by = bigpicture.current_actor()
	 WHERE x.release_id = r.release_id;
	w := bigpicture.approval_workflow_for(r.product_id, r.channel);
	IF w.workflow_id IS NULL OR w.required_approvals = 0 OR r.channel = ANY (w.auto_approve_channels) THEN
		PERFORM bigpicture._publish(r.release_id);
		RETURN 'published';
	END IF;
	RETURN 'pending_approval';
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture.update_entitlement(entitlement_id text, ends_at timestamp with time zone DEFAULT NULL::timestamp with time zone, max_seats integer DEFAULT NULL::integer, features text[] DEFAULT NULL::text[], auto_renew boolean DEFAULT NULL::boolean, clear_ends_at boolean DEFAULT false)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	e bigpicture.entitlements := bigpicture._lock_entitlement(update_entitlement.entitlement_id);
BEGIN
	IF e.status = 'revoked' THEN
		RAISE EXCEPTION 'entitlement % is revoked and cannot change', e.entitlement_id USING ERRCODE = 'PT409';
	END IF;
	IF max_seats IS NOT NULL AND max_seats <= 0 THEN
		RAISE EXCEPTION 'max_seats must be greater than zero' USING ERRCODE = '22023';
	END IF;
	IF ends_at IS NOT NULL AND ends_at <= e.starts_at THEN
		RAISE EXCEPTION 'ends_at must be after starts_at' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.entitlements x SET
		ends_at = CASE WHEN clear_ends_at THEN NULL ELSE COALESCE(update_entitlement.ends_at, x.ends_at) END,
		max_seats = COALESCE(update_entitlement.max_seats, x.max_seats),
		features = COALESCE(update_entitlement.features, x.features),
		auto_renew = COALESCE(update_entitlement.auto_renew, x.auto_renew),
		updated_at = now()
	 WHERE x.tenant_id = e.tenant_id AND x.entitlement_id = e.entitlement_id;
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture_api.audit(chain_id text DEFAULT NULL::text, event_type text DEFAULT NULL::text, actor text DEFAULT NULL::text, "from" timestamp with time zone DEFAULT NULL::timestamp with time zone, "to" timestamp with time zone DEFAULT NULL::timestamp with time zone, max_events integer DEFAULT 100)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	n integer := COALESCE(audit.max_events, 100);
BEGIN
	IF n NOT BETWEEN 1 AND 10000 THEN
		RAISE EXCEPTION 'max_events must be between 1 and 10000' USING ERRCODE = '22023';
	END IF;
	RETURN COALESCE((SELECT jsonb_agg(to_jsonb(e) - '{prev_hash,hash}'::text[]
			|| jsonb_build_object('hash', encode(e.hash, 'hex')) ORDER BY e.occurred_at DESC, e.seq DESC, e.chain_id)
		FROM (SELECT * FROM bigpicture.audit_log(audit.chain_id, audit.event_type, audit.actor, audit."from", audit."to") x
			ORDER BY x.occurred_at DESC, x.seq DESC LIMIT n) e), '[]');
END
$function$;

GRANT EXECUTE ON FUNCTION bigpicture_api.audit(text,text,text,timestamp with time zone,timestamp with time zone,integer) TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture_api.audit(text,text,text,timestamp with time zone,timestamp with time zone,integer) TO bigpicture_auditor;

GRANT EXECUTE ON FUNCTION bigpicture_api.audit(text,text,text,timestamp with time zone,timestamp with time zone,integer) TO bigpicture_tenant_admin;

COMMENT ON FUNCTION bigpicture_api.audit(text,text,text,timestamp with time zone,timestamp with time zone,integer) IS 'GET or POST /rpc/audit — audit events you may read, newest first, at most max_events (bigpicture.audit_log); scope audit:read';

CREATE OR REPLACE FUNCTION bigpicture_api.decision_readonly(jsonb)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
RETURN bigpicture.check_update($1);

GRANT EXECUTE ON FUNCTION bigpicture_api.decision_readonly(jsonb) TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture_api.decision_readonly(jsonb) TO bigpicture_client;

GRANT EXECUTE ON FUNCTION bigpicture_api.decision_readonly(jsonb) TO bigpicture_tenant_admin;

COMMENT ON FUNCTION bigpicture_api.decision_readonly(jsonb) IS 'POST /rpc/decision_readonly — decision in a read-only transaction, for standbys: signed, nothing recorded (bigpicture.check_update); scope updates:check';

CREATE OR REPLACE FUNCTION bigpicture_api.entitlement_create(jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	req jsonb := bigpicture.api_request($1, '{tenant_id,product_id,type,max_seats,features,starts_at,ends_at,'
		'auto_renew,renewal_days,default_lease_duration,max_lease_duration,entitlement_id}',
		'{tenant_id,product_id,type}');
BEGIN
	RETURN jsonb_build_object('entitlement_id', bigpicture.create_entitlement(req ->> 'tenant_id', req ->> 'product_id',
		req ->> 'type', (req ->> 'max_seats')::integer, COALESCE(bigpicture.api_text_array(req, 'features'), '{}'),
		(req ->> 'starts_at')::timestamptz, (req ->> 'ends_at')::timestamptz,
		COALESCE((req ->> 'auto_renew')::boolean, false), COALESCE((req ->> 'renewal_days')::integer, 365),
		COALESCE((req ->> 'default_lease_duration')::interval, '1 day'),
		COALESCE((req ->> 'max_lease_duration')::interval, '7 days'), req ->> 'entitlement_id'));
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture_api.entitlement_update(jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	req jsonb := bigpicture.api_request($1, '{entitlement_id,ends_at,max_seats,features,auto_renew,clear_ends_at,'
		'status,reason}', '{entitlement_id}');
BEGIN
	IF req ?| '{ends_at,max_seats,features,auto_renew,clear_ends_at}' THEN
		PERFORM bigpicture.update_entitlement(req ->> 'entitlement_id', (req ->> 'ends_at')::timestamptz,
			(req ->> 'max_seats')::integer, bigpicture.api_text_array(req, 'features'), (req ->> 'auto_renew')::boolean,
			COALESCE((req ->> 'clear_ends_at')::boolean, false));
	END IF;
	IF req ? 'status' THEN
		PERFORM bigpicture.set_entitlement_status(req ->> 'entitlement_id', req ->> 'status', req ->> 'reason');
	END IF;
	RETURN (SELECT to_jsonb(e) FROM bigpicture.list_entitlements() e WHERE e.entitlement_id = req ->> 'entitlement_id');
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture_api.keyset()
 RETURNS jsonb
 LANGUAGE sql
 STABLE
RETURN (SELECT jsonb_build_object(
		'keyset', COALESCE(max(t.token) FILTER (WHERE t.state = 'active'), bigpicture.keyset()),
		'keysets', COALESCE(jsonb_agg(t.token ORDER BY t.state <> 'active', t.kid), '[]'))
	  FROM bigpicture.keyset_tokens() t);
COMMENT ON FUNCTION bigpicture_api.keyset() IS
	'GET or POST /rpc/keyset — the key set token signed by the active root key, and keysets, the key set signed by each root key in service (bigpicture.keyset_tokens); anyone, no scope';

GRANT EXECUTE ON FUNCTION bigpicture_api.keyset() TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture_api.keyset() TO bigpicture_anon;

GRANT EXECUTE ON FUNCTION bigpicture_api.keyset() TO bigpicture_approver;

GRANT EXECUTE ON FUNCTION bigpicture_api.keyset() TO bigpicture_auditor;

GRANT EXECUTE ON FUNCTION bigpicture_api.keyset() TO bigpicture_client;

GRANT EXECUTE ON FUNCTION bigpicture_api.keyset() TO bigpicture_mirror;

GRANT EXECUTE ON FUNCTION bigpicture_api.keyset() TO bigpicture_publisher;

GRANT EXECUTE ON FUNCTION bigpicture_api.keyset() TO bigpicture_tenant_admin;


CREATE OR REPLACE FUNCTION bigpicture_api.lease_revocations(tenant_id text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
RETURN jsonb_build_object('lease_revocations', bigpicture.lease_revocations(tenant_id));

GRANT EXECUTE ON FUNCTION bigpicture_api.lease_revocations(text) TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture_api.lease_revocations(text) TO bigpicture_client;

GRANT EXECUTE ON FUNCTION bigpicture_api.lease_revocations(text) TO bigpicture_mirror;

GRANT EXECUTE ON FUNCTION bigpicture_api.lease_revocations(text) TO bigpicture_tenant_admin;

COMMENT ON FUNCTION bigpicture_api.lease_revocations(text) IS 'GET or POST /rpc/lease_revocations — the signed list of revoked leases not yet expired (bigpicture.lease_revocations); scope licenses:lease';

CREATE OR REPLACE FUNCTION bigpicture_api.license_status(product_id text, subject_type text DEFAULT NULL::text, subject_id text DEFAULT NULL::text, install_id text DEFAULT NULL::text, tenant_id text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
RETURN bigpicture.license_status(jsonb_strip_nulls(jsonb_build_object('product_id', product_id, 'subject_type', subject_type, 'subject_id', subject_id, 'install_id', install_id, 'tenant_id', tenant_id)));

GRANT EXECUTE ON FUNCTION bigpicture_api.license_status(text,text,text,text,text) TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture_api.license_status(text,text,text,text,text) TO bigpicture_client;

GRANT EXECUTE ON FUNCTION bigpicture_api.license_status(text,text,text,text,text) TO bigpicture_mirror;

GRANT EXECUTE ON FUNCTION bigpicture_api.license_status(text,text,text,text,text) TO bigpicture_tenant_admin;

COMMENT ON FUNCTION bigpicture_api.license_status(text,text,text,text,text) IS 'GET or POST /rpc/license_status — may this subject run the product now (bigpicture.license_status); scope licenses:lease';

CREATE OR REPLACE FUNCTION bigpicture_api.openapi()
 RETURNS json
 LANGUAGE sql
 STABLE
BEGIN ATOMIC
 WITH route AS (
          SELECT r.function,
             r.methods,
             r.path,
             r.request,
             r.response,
             p.oid AS fn,
             p.pronargs,
             p.pronargdefaults,
             ( SELECT COALESCE(jsonb_agg(((a.grantee)::regrole)::text ORDER BY ((a.grantee)::regrole)::text), '[]'::jsonb) AS "coalesce"
                    FROM aclexplode(p.proacl) a(grantor, grantee, privilege_type, is_grantable)
                   WHERE ((a.privilege_type = 'EXECUTE'::text) AND (a.grantee <> p.proowner) AND (a.grantee <> (0)::oid))) AS roles,
             has_function_privilege('bigpicture_anon'::name, p.oid, 'EXECUTE'::text) AS anonymous
            FROM (bigpicture.api_routes() r(function, methods, path, request, response)
              JOIN pg_proc p ON (((p.pronamespace = ('bigpicture_api'::regnamespace)::oid) AND (p.proname = r.function))))
         ), param AS (
          SELECT route.function,
             a.ord,
             p.proargnames[a.ord] AS name,
             (a.ord <= (p.pronargs - p.pronargdefaults)) AS required,
             (
                 CASE a.type
                     WHEN 'text'::regtype THEN '{"type": "string"}'::jsonb
                     WHEN 'timestamp with time zone'::regtype THEN '{"type": "string", "format": "date-time"}'::jsonb
                     WHEN 'integer'::regtype THEN '{"type": "integer", "format": "int32"}'::jsonb
                     WHEN 'boolean'::regtype THEN '{"type": "boolean"}'::jsonb
                     ELSE '{}'::jsonb
                 END || COALESCE((route.request -> p.proargnames[a.ord]), '{}'::jsonb)) AS schema
            FROM ((route
              JOIN pg_proc p ON ((p.oid = route.fn)))
              CROSS JOIN LATERAL unnest((p.proargtypes)::oid[]) WITH ORDINALITY a(type, ord))
           WHERE (NOT (route.request ? 'type'::text))
         ), op AS (
          SELECT route.path,
             lower(m.method) AS method,
             jsonb_strip_nulls(jsonb_build_object('summary', obj_description(route.fn, 'pg_proc'::name), 'operationId', (route.function ||
                 CASE
                     WHEN ((m.method = 'GET'::text) AND (route.path <> '/'::text)) THEN '_get'::text
                     ELSE ''::text
                 END), 'parameters',
                 CASE
                     WHEN (m.method = 'GET'::text) THEN COALESCE(( SELECT jsonb_agg(jsonb_build_object('name', x.name, 'in', 'query', 'required', x.required, 'schema', x.schema) ORDER BY x.ord) AS jsonb_agg
                        FROM param x
                       WHERE (x.function = route.function)), '[]'::jsonb)
                     ELSE NULL::jsonb
                 END, 'requestBody',
                 CASE
                     WHEN (m.method = 'POST'::text) THEN
                     CASE
                         WHEN (route.request ? 'type'::text) THEN jsonb_build_object('required', true, 'content', jsonb_build_object('application/json', jsonb_build_object('schema', route.request)))
                         ELSE jsonb_build_object('required', (route.pronargs > route.pronargdefaults), 'content', jsonb_build_object('application/json', jsonb_build_object('schema', jsonb_strip_nulls(jsonb_build_object('type', 'object', 'additionalProperties', false, 'required', ( SELECT jsonb_agg(x.name ORDER BY x.ord) AS jsonb_agg
                            FROM param x
                           WHERE ((x.function = route.function) AND x.required)), 'properties', COALESCE(( SELECT jsonb_object_agg(x.name, x.schema) AS jsonb_object_agg
                            FROM param x
                           WHERE (x.function = route.function)), '{}'::jsonb))))))
                     END
                     ELSE NULL::jsonb
                 END, 'responses', jsonb_build_object('200', jsonb_build_object('description', 'OK', 'content', jsonb_build_object('application/json', jsonb_build_object('schema', route.response))), '400', '{"$ref": "#/components/responses/BadRequest"}'::jsonb, '401',
                 CASE
                     WHEN (NOT route.anonymous) THEN '{"$ref": "#/components/responses/Unauthorized"}'::jsonb
                     ELSE NULL::jsonb
                 END, '403', '{"$ref": "#/components/responses/Forbidden"}'::jsonb, '404', '{"$ref": "#/components/responses/NotFound"}'::jsonb, 'default', '{"$ref": "#/components/responses/Error"}'::jsonb), 'security',
                 CASE
                     WHEN route.anonymous THEN '[{}, {"jwt": []}]'::jsonb
                     ELSE '[{"jwt": []}]'::jsonb
                 END, 'x-bigpicture-roles', route.roles)) AS item
            FROM (route
              CROSS JOIN LATERAL unnest(route.methods) m(method))
         )
  SELECT json_build_object('openapi', '3.0.3', 'info', json_build_object('title', 'Big Picture', 'version', ( SELECT pg_extension.extversion
            FROM pg_extension
           WHERE (pg_extension.extname = 'bigpicture'::name)), 'description', 'Signed desktop-software update decisions and licenses: the routes of the schema bigpicture_api, as PostgREST and bigpicture-gateway serve them (docs/http.md). The listing views (/releases, /entitlements, /public_keys, /mirrors, /snapshots) are served by PostgREST only and are not described here.'), 'paths', ( SELECT jsonb_object_agg(o.path, o.item ORDER BY o.path) AS jsonb_object_agg
            FROM ( SELECT op.path,
                     jsonb_object_agg(op.method, op.item) AS item
                    FROM op
                   GROUP BY op.path) o), 'components', jsonb_build_object('securitySchemes', jsonb_build_object('jwt', jsonb_build_object('type', 'http', 'scheme', 'bearer', 'bearerFormat', 'JWT', 'description', 'A JWT whose role claim names a bigpicture_* role (and, for tenant roles, tenant_id and sub claims). Without one a request runs as bigpicture_anon, which may call only keyset and read this document.')), 'schemas', jsonb_build_object('Error', '{"type": "object", "required": ["code", "message", "details", "hint"], "properties": {"code": {"type": "string", "description": "a SQLSTATE, or PGRSTnnn for the server''s own errors"}, "hint": {"type": "string", "nullable": true}, "details": {"type": "string", "nullable": true}, "message": {"type": "string"}}, "description": "PostgREST''s error body", "additionalProperties": false}'::jsonb), 'responses', ( SELECT jsonb_object_agg(e.name, jsonb_build_object('description', e.description, 'content', '{"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}'::jsonb)) AS jsonb_object_agg
            FROM ( VALUES ('BadRequest'::text,'Bad request: a missing, unknown or bad field of a JSON body (22023), a bad value (22P02, 22007, 22008, 22004), a body that is not JSON (PGRST102)'::text), ('Unauthorized'::text,'No token, or one that is not valid (42501, PGRST30x)'::text), ('Forbidden'::text,'The token''s role or tenant may not do this (42501)'::text), ('NotFound'::text,'No function of this name takes these parameters (PGRST202: an unknown or missing parameter of a route with named parameters), or no such object (PT404)'::text), ('Error'::text,'Any other error, with PostgREST''s status for its SQLSTATE (docs/http.md, Errors)'::text)) e(name, description)))) AS json_build_object;
END;

COMMENT ON FUNCTION bigpicture_api.openapi() IS 'GET / — the OpenAPI 3.0.3 description of the routes (db-root-spec)';

CREATE OR REPLACE FUNCTION bigpicture_api.policy_get(scope text, tenant_id text DEFAULT NULL::text, product_id text DEFAULT NULL::text, platform text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
RETURN COALESCE(bigpicture.get_policy(scope, tenant_id, product_id, platform), 'null'::jsonb);

GRANT EXECUTE ON FUNCTION bigpicture_api.policy_get(text,text,text,text) TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture_api.policy_get(text,text,text,text) TO bigpicture_auditor;

GRANT EXECUTE ON FUNCTION bigpicture_api.policy_get(text,text,text,text) TO bigpicture_tenant_admin;

COMMENT ON FUNCTION bigpicture_api.policy_get(text,text,text,text) IS 'GET or POST /rpc/policy_get — the stored policy of a scope, or null (bigpicture.get_policy); scope policies:read';

CREATE OR REPLACE FUNCTION bigpicture_api.policy_put(jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	req jsonb := bigpicture.api_request($1, '{scope,tenant_id,product_id,platform,mode,channel,pinned_range,blocked,'
		'maintenance_window,allow_prerelease,expired_entitlement_updates}', '{scope}');
BEGIN
	PERFORM bigpicture.set_policy(req ->> 'scope', req ->> 'tenant_id', req ->> 'product_id', req ->> 'platform',
		req ->> 'mode', req ->> 'channel', (req ->> 'pinned_range')::bigpicture.semver_range,
		bigpicture.api_text_array(req, 'blocked')::bigpicture.semver_range[], req -> 'maintenance_window',
		(req ->> 'allow_prerelease')::boolean, req ->> 'expired_entitlement_updates');
	RETURN COALESCE(bigpicture.get_policy(req ->> 'scope', req ->> 'tenant_id', req ->> 'product_id', req ->> 'platform'),
		'null');
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture_api.release_approve(jsonb)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO 'pg_catalog', 'pg_temp'
RETURN jsonb_build_object('release_id', (bigpicture.api_request($1, '{release_id,comment}'::text[], '{release_id}'::text[]) ->> 'release_id'::text), 'status', bigpicture.approve_release(($1 ->> 'release_id'::text), ($1 ->> 'comment'::text)));

CREATE OR REPLACE FUNCTION bigpicture_api.release_attach(jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	req jsonb := bigpicture.api_request($1, '{release_id,artifact_id,artifact}', '{release_id}');
	a jsonb;
	id text := req ->> 'artifact_id';
BEGIN
	IF (req ? 'artifact') = (req ? 'artifact_id') THEN
		RAISE EXCEPTION 'give either artifact_id or artifact' USING ERRCODE = '22023',
			DETAIL = 'artifact_id attaches an existing artifact; artifact creates one and attaches it.';
	END IF;
	IF req ? 'artifact' THEN
		a := bigpicture.api_request(req -> 'artifact', '{product_id,url,sha256,size,platform,arch,installer_type,'
			'requires_admin,install_scope,source_type,artifact_id}', '{url,sha256,size,platform,arch,installer_type}');
		id := bigpicture.create_artifact(COALESCE(a ->> 'product_id',
				(SELECT r.product_id FROM bigpicture.releases r WHERE r.release_id = req ->> 'release_id')),
			a ->> 'url', a ->> 'sha256', (a ->> 'size')::bigint, a ->> 'platform', a ->> 'arch', a ->> 'installer_type',
			COALESCE((a ->> 'requires_admin')::boolean, false), COALESCE(a ->> 'install_scope', 'user'),
			COALESCE(a ->> 'source_type', 'EXTERNAL'), a ->> 'artifact_id');
	END IF;
	PERFORM bigpicture.attach_artifact(req ->> 'release_id', id);
	RETURN jsonb_build_object('release_id', req ->> 'release_id', 'artifact_id', id);
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture_api.release_create(jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	req jsonb := bigpicture.api_request($1, '{product_id,version,channel,notes,metadata,critical,release_id}',
		'{product_id,version,channel}');
BEGIN
	RETURN jsonb_build_object('release_id', bigpicture.create_release(req ->> 'product_id', req ->> 'version',
		req ->> 'channel', COALESCE(req ->> 'notes', ''), COALESCE(req -> 'metadata', '{}'),
		COALESCE((req ->> 'critical')::boolean, false), req ->> 'release_id'), 'status', 'draft');
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture_api.release_reject(jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	req jsonb := bigpicture.api_request($1, '{release_id,reason}', '{release_id,reason}');
BEGIN
	PERFORM bigpicture.reject_release(req ->> 'release_id', req ->> 'reason');
	RETURN jsonb_build_object('release_id', req ->> 'release_id', 'status', 'rejected');
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture_api.release_revoke(jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	req jsonb := bigpicture.api_request($1, '{release_id,reason}', '{release_id,reason}');
BEGIN
	PERFORM bigpicture.revoke_release(req ->> 'release_id', req ->> 'reason');
	RETURN jsonb_build_object('release_id', req ->> 'release_id', 'status', 'revoked');
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture_api.release_submit(jsonb)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO 'pg_catalog', 'pg_temp'
RETURN jsonb_build_object('release_id', (bigpicture.api_request($1, '{release_id}'::text[], '{release_id}'::text[]) ->> 'release_id'::text), 'status', bigpicture.submit_release(($1 ->> 'release_id'::text)));

CREATE OR REPLACE FUNCTION bigpicture_api.snapshot_latest(jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
	req jsonb := bigpicture.api_request($1, '{tenant_id,mirror_id}');
	s bigpicture.snapshots := bigpicture.latest_snapshot(req ->> 'tenant_id', req ->> 'mirror_id');
BEGIN
	RETURN jsonb_build_object('tenant_id', s.tenant_id, 'seq', s.seq, 'created_at', bigpicture.rfc3339(s.created_at),
		'expires_at', bigpicture.rfc3339(s.expires_at), 'content_hash', s.content_hash, 'token', s.token);
END
$function$;

CREATE OR REPLACE FUNCTION bigpicture_api.usage("from" timestamp with time zone, "to" timestamp with time zone, tenant_id text DEFAULT NULL::text)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
	IF usage."from" IS NULL OR usage."to" IS NULL THEN
		RAISE EXCEPTION 'field "%" is required', CASE WHEN usage."from" IS NULL THEN 'from' ELSE 'to' END
			USING ERRCODE = '22023', DETAIL = 'Required fields: from, to.';
	END IF;
	RETURN COALESCE((SELECT jsonb_agg(to_jsonb(u) ORDER BY u.entitlement_id)
		FROM bigpicture.license_usage_report(usage.tenant_id, usage."from", usage."to") u), '[]');
END
$function$;

GRANT EXECUTE ON FUNCTION bigpicture_api.usage(timestamp with time zone,timestamp with time zone,text) TO bigpicture_admin;

GRANT EXECUTE ON FUNCTION bigpicture_api.usage(timestamp with time zone,timestamp with time zone,text) TO bigpicture_auditor;

GRANT EXECUTE ON FUNCTION bigpicture_api.usage(timestamp with time zone,timestamp with time zone,text) TO bigpicture_tenant_admin;

COMMENT ON FUNCTION bigpicture_api.usage(timestamp with time zone,timestamp with time zone,text) IS 'GET or POST /rpc/usage — per entitlement over [from, to): leases, peak and average concurrency (bigpicture.license_usage_report); scope usage:read';

-- ---- functions 0.2.0 replaced: the jsonb forms of the reading routes and the ----------------------
-- request checkers, after everything that called them is replaced above

DROP FUNCTION bigpicture_api._request(jsonb,text[],text[]);

DROP FUNCTION bigpicture_api._text_array(jsonb,text);

DROP FUNCTION bigpicture_api.audit(jsonb);

DROP FUNCTION bigpicture_api.keyset(jsonb);

DROP FUNCTION bigpicture_api.lease_revocations(jsonb);

DROP FUNCTION bigpicture_api.license_status(jsonb);

DROP FUNCTION bigpicture_api.policy_get(jsonb);

DROP FUNCTION bigpicture_api.usage(jsonb);

-- ---- configuration ---------------------------------------------------------------------------------
COMMENT ON SCHEMA bigpicture_api IS 'Big Picture over HTTP: RPC functions (routes of bigpicture.api_routes()) and listing views';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.worker_jobs', '');
SELECT bigpicture._install_worker_jobs();

-- ---- signing keys on a PKCS#11 token (bigpicture.key_backend) ----------------

ALTER TABLE bigpicture.signing_keys ALTER COLUMN sealed_secret DROP NOT NULL;
ALTER TABLE bigpicture.signing_keys
	ADD COLUMN backend text NOT NULL DEFAULT 'sealed' CHECK (backend IN ('sealed', 'pkcs11'));
ALTER TABLE bigpicture.signing_keys ADD CONSTRAINT signing_keys_secret_where
	CHECK ((backend = 'sealed') = (sealed_secret IS NOT NULL));

-- ---- rollouts that watch themselves: guards, plans and halts; reports, members, events ----------

-- A plan is 1 to 20 steps of 1 to 10000 basis points, rising.
CREATE FUNCTION bigpicture._valid_rollout_plan(plan integer[]) RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	RETURN plan IS NULL OR (pg_catalog.cardinality(plan) BETWEEN 1 AND 20 AND pg_catalog.array_ndims(plan) = 1
		AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(plan) WITH ORDINALITY AS s(p, i)
			WHERE p IS NULL OR p NOT BETWEEN 1 AND 10000 OR (i > 1 AND p <= plan[i - 1])));

ALTER TABLE bigpicture.rollouts
	ADD COLUMN max_failure_rate double precision CHECK (max_failure_rate BETWEEN 0 AND 1),
	ADD COLUMN max_crash_rate   double precision CHECK (max_crash_rate BETWEEN 0 AND 1),
	ADD COLUMN min_sample       integer NOT NULL DEFAULT 100 CHECK (min_sample BETWEEN 1 AND 1000000),
	ADD COLUMN max_new_per_hour integer CHECK (max_new_per_hour BETWEEN 1 AND 100000000),
	ADD COLUMN crash_window     interval NOT NULL DEFAULT interval '24 hours' CHECK (crash_window BETWEEN interval '1 minute' AND interval '30 days'),
	ADD COLUMN guard_since      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	ADD COLUMN plan             integer[] CHECK (bigpicture._valid_rollout_plan(plan)),
	ADD COLUMN step_interval    interval CHECK (step_interval BETWEEN interval '1 second' AND interval '365 days'),
	ADD COLUMN step             integer,
	ADD COLUMN stepped_at       timestamptz,
	ADD COLUMN halted_at        timestamptz,
	ADD COLUMN halt_reason      text,
	ADD COLUMN halt_evidence    jsonb,
	ADD CONSTRAINT rollouts_plan CHECK ((plan IS NULL) = (step IS NULL) AND (plan IS NULL) = (step_interval IS NULL) AND (step IS NULL OR step BETWEEN 1 AND pg_catalog.cardinality(plan))),
	ADD CONSTRAINT rollouts_halt CHECK ((halted_at IS NULL) = (halt_reason IS NULL));

-- Rollouts that watch themselves (docs/rollouts.md): who entered a rollout,
-- what installs report after a decision, health with confidence bounds,
-- guards that halt a rollout in the transaction of the report that trips
-- them, resuming by an approver, and plans the background worker steps
-- through.  The rates and the guards' rule are src/core/health.c.

-- ---- who entered a rollout --------------------------------------------------------------
-- Written by check_update the first time a decision offers an install a
-- release under a rollout.  A member keeps its offer when the rollout halts
-- or is lowered; only new installs wait.
CREATE TABLE bigpicture.rollout_members (
	release_id  text NOT NULL REFERENCES bigpicture.releases ON DELETE CASCADE,
	tenant_id   text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	install_id  text NOT NULL CHECK (pg_catalog.length(install_id) BETWEEN 1 AND 128),
	entered_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, release_id, install_id)
);
-- velocity: a rollout's new installs in the last hour, over every tenant
CREATE INDEX rollout_members_entered ON bigpicture.rollout_members (release_id, entered_at);
COMMENT ON TABLE bigpicture.rollout_members IS
	'installs a rollout has reached (the first decision that offered them the release); they keep it when the rollout halts';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.rollout_members', '');
ALTER TABLE bigpicture.rollout_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.rollout_members FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.rollout_members TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.rollout_members FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.rollout_members FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.rollout_members FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.rollout_members TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- ---- outcome reports ------------------------------------------------------------------------
CREATE TABLE bigpicture.install_reports (
	tenant_id      text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	report_id      text NOT NULL DEFAULT bigpicture.new_id('rep'),
	install_id     text NOT NULL CHECK (pg_catalog.length(install_id) BETWEEN 1 AND 128),
	release_id     text NOT NULL REFERENCES bigpicture.releases ON DELETE CASCADE,
	platform       text NOT NULL CHECK (platform IN ('windows', 'macos', 'linux')),
	decision_hash  bytea NOT NULL CHECK (pg_catalog.length(decision_hash) = 32),
	decided_at     timestamptz NOT NULL,
	outcome        text NOT NULL CHECK (outcome IN ('downloaded', 'install_started', 'installed', 'failed',
	               'rolled_back', 'crashed')),
	error_code     text CHECK (pg_catalog.length(error_code) BETWEEN 1 AND 64),
	reported_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, report_id),
	-- one report per install, decision and outcome: a client may retry
	CONSTRAINT install_reports_once UNIQUE (tenant_id, install_id, decision_hash, outcome)
);
-- health and guards: a release's reports over every tenant
CREATE INDEX install_reports_release ON bigpicture.install_reports (release_id, outcome, reported_at);
CREATE INDEX install_reports_install ON bigpicture.install_reports (tenant_id, install_id, release_id);
COMMENT ON TABLE bigpicture.install_reports IS
	'what installs report after a decision (downloaded … crashed), bound to the signed decision by its SHA-256';
COMMENT ON COLUMN bigpicture.install_reports.decision_hash IS 'SHA-256 of the decision token the report follows';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.install_reports', '');
ALTER TABLE bigpicture.install_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.install_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.install_reports TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.install_reports FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.install_reports FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY publisher_read ON bigpicture.install_reports FOR SELECT TO bigpicture_publisher USING (true);
CREATE POLICY own_tenant_read ON bigpicture.install_reports FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.install_reports TO bigpicture_admin, bigpicture_auditor, bigpicture_publisher,
	bigpicture_tenant_admin;

-- What a rollout's guards judge, kept as reports arrive so a report costs
-- the same at the ten-thousandth install as at the first: installs counted
-- once each, since the rollout's guard_since, in 16 shards so concurrent
-- reports seldom wait on one row.
CREATE TABLE bigpicture.rollout_counts (
	release_id  text NOT NULL REFERENCES bigpicture.releases ON DELETE CASCADE,
	platform    text,		-- the rollout's platform; NULL: the platform-wide rollout
	since       timestamptz NOT NULL,
	shard       smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
	attempts    bigint NOT NULL DEFAULT 0,	-- installs that installed, failed or rolled back
	failures    bigint NOT NULL DEFAULT 0,	-- installs that failed or rolled back
	installed   bigint NOT NULL DEFAULT 0,
	crashed     bigint NOT NULL DEFAULT 0,	-- installed installs that crashed
	CONSTRAINT rollout_counts_key UNIQUE NULLS NOT DISTINCT (release_id, platform, since, shard)
);
COMMENT ON TABLE bigpicture.rollout_counts IS
	'running counts of installs per outcome class for each rollout since its guard_since, in 16 shards: what its guards judge';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.rollout_counts', '');
GRANT SELECT ON bigpicture.rollout_counts TO bigpicture_admin, bigpicture_auditor, bigpicture_publisher;

-- ---- rates --------------------------------------------------------------------------------
CREATE FUNCTION bigpicture.wilson_interval(k bigint, n bigint) RETURNS double precision[]
	AS 'MODULE_PATHNAME', 'bigpicture_wilson_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.wilson_interval(bigint, bigint) IS
	'the 95% Wilson score interval {lower, upper} of k successes in n trials ({0,0} when n is 0)';

CREATE FUNCTION bigpicture._guard_verdict(attempts bigint, failures bigint, installed bigint, crashes bigint,
	max_failure_rate double precision, max_crash_rate double precision, min_sample integer) RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_guard_verdict' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture._guard_verdict(bigint, bigint, bigint, bigint, double precision, double precision, integer) IS
	'internal: failure_rate or crash_rate when that guard trips (Wilson lower bound above the limit after min_sample), else NULL';

-- Installs per outcome, each install once, with the rates: the counts one
-- row of health is made of.
CREATE FUNCTION bigpicture._health_row(installs_by_outcome jsonb) RETURNS jsonb
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
	RETURN (WITH c AS (SELECT
			COALESCE((installs_by_outcome ->> 'attempts')::bigint, 0) AS attempts,
			COALESCE((installs_by_outcome ->> 'failures')::bigint, 0) AS failures,
			COALESCE((installs_by_outcome ->> 'installed')::bigint, 0) AS installed,
			COALESCE((installs_by_outcome ->> 'crashed')::bigint, 0) AS crashes)
		SELECT installs_by_outcome || jsonb_build_object(
			'failure_rate', CASE WHEN attempts > 0 THEN round(failures::numeric / attempts, 4) END,
			'failure_interval', CASE WHEN attempts > 0 THEN
				to_jsonb(ARRAY(SELECT round(x::numeric, 4) FROM unnest(bigpicture.wilson_interval(failures, attempts)) x)) END,
			'crash_rate', CASE WHEN installed > 0 THEN round(least(crashes, installed)::numeric / installed, 4) END,
			'crash_interval', CASE WHEN installed > 0 THEN
				to_jsonb(ARRAY(SELECT round(x::numeric, 4)
					FROM unnest(bigpicture.wilson_interval(least(crashes, installed), installed)) x)) END)
		FROM c);

-- Health of one release's reports (of one tenant, or all), grouped by
-- nothing, hour, platform or tenant.
CREATE FUNCTION bigpicture._release_health(release_id text, platform text, group_by text, tenant_id text DEFAULT NULL)
	RETURNS SETOF jsonb
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH per_install AS (
		SELECT CASE group_by WHEN 'hour' THEN to_jsonb(date_trunc('hour', min(r.reported_at)))
				WHEN 'platform' THEN to_jsonb(r.platform) WHEN 'tenant' THEN to_jsonb(r.tenant_id) END AS grp,
			bool_or(r.outcome = 'downloaded') AS downloaded,
			bool_or(r.outcome = 'install_started') AS install_started,
			bool_or(r.outcome = 'installed') AS installed,
			bool_or(r.outcome = 'failed') AS failed,
			bool_or(r.outcome = 'rolled_back') AS rolled_back,
			bool_or(r.outcome = 'crashed') AS crashed
		FROM bigpicture.install_reports r
		WHERE r.release_id = _release_health.release_id
		  AND (_release_health.platform IS NULL OR r.platform = _release_health.platform)
		  AND (_release_health.tenant_id IS NULL OR r.tenant_id = _release_health.tenant_id)
		GROUP BY r.tenant_id, r.install_id, r.platform
	)
	SELECT bigpicture._health_row(jsonb_build_object(
			'group', p.grp,
			'installs', count(*),
			'downloaded', count(*) FILTER (WHERE p.downloaded),
			'install_started', count(*) FILTER (WHERE p.install_started),
			'installed', count(*) FILTER (WHERE p.installed),
			'failed', count(*) FILTER (WHERE p.failed),
			'rolled_back', count(*) FILTER (WHERE p.rolled_back),
			'crashed', count(*) FILTER (WHERE p.crashed AND p.installed),
			'attempts', count(*) FILTER (WHERE p.installed OR p.failed OR p.rolled_back),
			'failures', count(*) FILTER (WHERE p.failed OR p.rolled_back)))
	FROM per_install p
	GROUP BY p.grp
	ORDER BY p.grp NULLS FIRST;
END;

-- The vendor's roles see every tenant's installs; a tenant admin its own only.
CREATE FUNCTION bigpicture.rollout_health(release_id text, group_by text DEFAULT NULL, platform text DEFAULT NULL)
	RETURNS jsonb
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases;
	o bigpicture.rollouts;
	caller name := bigpicture.calling_role();
	scope text;
BEGIN
	IF NOT (bigpicture.acts_for_all_tenants() OR pg_has_role(caller, 'bigpicture_publisher', 'USAGE')
			OR pg_has_role(caller, 'bigpicture_approver', 'USAGE')) THEN
		scope := bigpicture.current_tenant();
		IF scope IS NULL THEN
			RAISE EXCEPTION 'no tenant for this caller' USING ERRCODE = '42501',
				HINT = 'A tenant admin sees the health of its own installs; bind the role to a tenant.';
		END IF;
		IF group_by = 'tenant' THEN
			group_by := NULL;
		END IF;
	END IF;
	IF group_by IS NOT NULL AND group_by NOT IN ('hour', 'platform', 'tenant') THEN
		RAISE EXCEPTION 'health is grouped by hour, platform or tenant, not "%"', group_by USING ERRCODE = '22023',
			HINT = 'Leave group_by out for one row.';
	END IF;
	IF platform IS NOT NULL AND platform NOT IN ('windows', 'macos', 'linux') THEN
		RAISE EXCEPTION 'invalid platform "%"', platform USING ERRCODE = '22023', HINT = 'Use windows, macos or linux.';
	END IF;
	SELECT * INTO r FROM bigpicture.releases x WHERE x.release_id = rollout_health.release_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'release "%" does not exist', release_id USING ERRCODE = 'PT404';
	END IF;
	SELECT * INTO o FROM bigpicture.rollouts x
	 WHERE x.release_id = r.release_id AND x.platform IS NOT DISTINCT FROM rollout_health.platform;
	RETURN jsonb_build_object(
		'release_id', r.release_id, 'version', r.version::text, 'group_by', group_by,
		'rollout', CASE WHEN o.release_id IS NULL THEN NULL WHEN scope IS NULL THEN bigpicture._rollout_json(o)
			ELSE bigpicture._rollout_json(o) - 'halt_evidence' END,
		'tenant_id', scope,
		'groups', COALESCE((SELECT jsonb_agg(h) FROM bigpicture._release_health(r.release_id, platform, group_by, scope) h),
			'[]'));
END
$$;
COMMENT ON FUNCTION bigpicture.rollout_health(text, text, text) IS
	'outcome counts (installs, each once), failure and crash rates with 95% Wilson intervals, for a release, optionally by hour, platform or tenant; a tenant admin sees its own installs only, and the rollout without its evidence';

-- The reports as rows, for SQL: installs (each once) and reports per release,
-- tenant, platform, hour and outcome.  security_invoker: install_reports'
-- row-level security applies, so a tenant admin sees its own installs.
CREATE VIEW bigpicture.release_outcomes WITH (security_invoker = true) AS
SELECT r.release_id, r.tenant_id, r.platform, pg_catalog.date_trunc('hour', r.reported_at) AS hour, r.outcome,
	   count(DISTINCT r.install_id) AS installs, count(*) AS reports
FROM bigpicture.install_reports r
GROUP BY r.release_id, r.tenant_id, r.platform, pg_catalog.date_trunc('hour', r.reported_at), r.outcome;
COMMENT ON VIEW bigpicture.release_outcomes IS
	'installs and reports per release, tenant, platform, hour and outcome; a tenant admin sees its own (RLS)';
GRANT SELECT ON bigpicture.release_outcomes TO bigpicture_admin, bigpicture_auditor, bigpicture_publisher,
	bigpicture_tenant_admin;

-- A rollout as its API shows it.
CREATE FUNCTION bigpicture._rollout_json(o bigpicture.rollouts) RETURNS jsonb
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('release_id', o.release_id, 'platform', o.platform, 'percentage', o.percentage,
		'paused', o.paused, 'halted', o.halted_at IS NOT NULL, 'halted_at', bigpicture.rfc3339(o.halted_at),
		'halt_reason', o.halt_reason, 'halt_evidence', o.halt_evidence,
		'guards', jsonb_build_object('max_failure_rate', o.max_failure_rate, 'max_crash_rate', o.max_crash_rate,
			'min_sample', o.min_sample, 'max_new_per_hour', o.max_new_per_hour,
			'crash_window', o.crash_window::text, 'since', bigpicture.rfc3339(o.guard_since)),
		'plan', o.plan, 'step', o.step, 'step_interval', o.step_interval::text,
		'stepped_at', bigpicture.rfc3339(o.stepped_at),
		'next_step_at', CASE WHEN o.plan IS NOT NULL AND o.step < cardinality(o.plan)
			THEN bigpicture.rfc3339(o.stepped_at + o.step_interval) END);

-- ---- guards ---------------------------------------------------------------------------------
-- Judge a rollout's guards on its reports since guard_since; when one trips,
-- halt it here, in the caller's transaction, with the evidence (audited with
-- the row) and an event.  Returns the verdict or NULL.
CREATE FUNCTION bigpicture._check_rollout_guards(o bigpicture.rollouts) RETURNS text
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n record;
	h jsonb;
	verdict text;
BEGIN
	IF o.halted_at IS NOT NULL OR (o.max_failure_rate IS NULL AND o.max_crash_rate IS NULL) THEN
		RETURN NULL;
	END IF;
	SELECT COALESCE(sum(c.attempts), 0)::bigint AS attempts, COALESCE(sum(c.failures), 0)::bigint AS failures,
		   COALESCE(sum(c.installed), 0)::bigint AS installed, COALESCE(sum(c.crashed), 0)::bigint AS crashed
	  INTO n FROM bigpicture.rollout_counts c
	 WHERE c.release_id = o.release_id AND c.platform IS NOT DISTINCT FROM o.platform AND c.since = o.guard_since;
	verdict := bigpicture._guard_verdict(n.attempts, n.failures, n.installed, n.crashed,
		o.max_failure_rate, o.max_crash_rate, o.min_sample);
	IF verdict IS NULL THEN
		RETURN NULL;
	END IF;
	h := bigpicture._health_row(to_jsonb(n));
	UPDATE bigpicture.rollouts x
	   SET halted_at = now(), halt_reason = verdict,
		   halt_evidence = h || jsonb_build_object('guard', verdict,
				'limit', CASE verdict WHEN 'failure_rate' THEN o.max_failure_rate ELSE o.max_crash_rate END,
				'min_sample', o.min_sample, 'since', bigpicture.rfc3339(o.guard_since)),
		   updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform AND x.halted_at IS NULL
	RETURNING * INTO o;
	IF FOUND THEN
		PERFORM bigpicture._emit_event('rollout.halted', NULL, bigpicture._rollout_json(o));
	END IF;
	RETURN verdict;
END
$$;

CREATE FUNCTION bigpicture._lock_rollout(release_id text, platform text) RETURNS bigpicture.rollouts
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts;
BEGIN
	IF platform IS NOT NULL AND platform NOT IN ('windows', 'macos', 'linux') THEN
		RAISE EXCEPTION 'invalid platform "%"', platform USING ERRCODE = '22023', HINT = 'Use windows, macos or linux, or NULL for all.';
	END IF;
	SELECT * INTO o FROM bigpicture.rollouts x
	 WHERE x.release_id = _lock_rollout.release_id AND x.platform IS NOT DISTINCT FROM _lock_rollout.platform
	   FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'release "%" has no rollout%', release_id,
			CASE WHEN platform IS NOT NULL THEN ' for ' || platform ELSE '' END USING ERRCODE = 'PT404',
			HINT = 'Start one with bigpicture.set_rollout.';
	END IF;
	RETURN o;
END
$$;

CREATE FUNCTION bigpicture.set_rollout_guards(release_id text, max_failure_rate double precision DEFAULT NULL,
	max_crash_rate double precision DEFAULT NULL, min_sample integer DEFAULT 100,
	max_new_per_hour integer DEFAULT NULL, crash_window interval DEFAULT interval '24 hours',
	platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts := bigpicture._lock_rollout(release_id, platform);
BEGIN
	IF max_failure_rate NOT BETWEEN 0 AND 1 OR max_crash_rate NOT BETWEEN 0 AND 1 THEN
		RAISE EXCEPTION 'a rate limit is a fraction from 0 to 1' USING ERRCODE = '22023',
			DETAIL = format('Got max_failure_rate %s, max_crash_rate %s.', max_failure_rate, max_crash_rate),
			HINT = '0.05 means 5%.';
	END IF;
	IF min_sample IS NULL OR min_sample NOT BETWEEN 1 AND 1000000 THEN
		RAISE EXCEPTION 'min_sample must be 1 to 1000000 installs' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(min_sample::text, 'NULL'));
	END IF;
	IF max_new_per_hour <= 0 THEN
		RAISE EXCEPTION 'max_new_per_hour must be positive' USING ERRCODE = '22023', HINT = 'NULL means no limit.';
	END IF;
	IF crash_window IS NULL OR crash_window NOT BETWEEN interval '1 minute' AND interval '30 days' THEN
		RAISE EXCEPTION 'crash_window must be 1 minute to 30 days' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.rollouts x
	   SET max_failure_rate = set_rollout_guards.max_failure_rate, max_crash_rate = set_rollout_guards.max_crash_rate,
		   min_sample = set_rollout_guards.min_sample, max_new_per_hour = set_rollout_guards.max_new_per_hour,
		   crash_window = set_rollout_guards.crash_window, updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
	RETURNING * INTO o;
	RETURN bigpicture._rollout_json(o);
END
$$;
COMMENT ON FUNCTION bigpicture.set_rollout_guards(text, double precision, double precision, integer, integer, interval, text) IS
	'guard a rollout: halt it when the failure or crash rate is above the limit with 95% confidence after min_sample installs; hold new installs past max_new_per_hour';

CREATE FUNCTION bigpicture.set_rollout_plan(release_id text, plan integer[], step_interval interval,
	platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts := bigpicture._lock_rollout(release_id, platform);
BEGIN
	IF plan IS NOT NULL AND NOT bigpicture._valid_rollout_plan(plan) THEN
		RAISE EXCEPTION 'a rollout plan is 1 to 20 rising steps of 1 to 10000 basis points' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', plan), HINT = 'For 1%% → 5%% → 25%% → 100%%: ARRAY[100, 500, 2500, 10000].';
	END IF;
	IF plan IS NOT NULL AND (step_interval IS NULL OR step_interval NOT BETWEEN interval '1 second' AND interval '365 days') THEN
		RAISE EXCEPTION 'step_interval must be 1 second to 365 days' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(step_interval::text, 'NULL'));
	END IF;
	IF plan IS NOT NULL AND plan[cardinality(plan)] < o.percentage THEN
		RAISE EXCEPTION 'the plan ends below the rollout''s percentage' USING ERRCODE = 'PT409',
			DETAIL = format('The rollout is at %s basis points; the plan ends at %s.', o.percentage, plan[cardinality(plan)]),
			HINT = 'A rollout never shrinks by plan: end the plan at or above the current percentage.';
	END IF;
	-- Start at the first step at or above where the rollout is: it only grows.
	UPDATE bigpicture.rollouts x
	   SET plan = set_rollout_plan.plan,
		   step_interval = CASE WHEN set_rollout_plan.plan IS NOT NULL THEN set_rollout_plan.step_interval END,
		   step = (SELECT min(i) FROM unnest(set_rollout_plan.plan) WITH ORDINALITY s(p, i) WHERE p >= o.percentage),
		   percentage = COALESCE((SELECT min(p) FROM unnest(set_rollout_plan.plan) p WHERE p >= o.percentage), o.percentage),
		   stepped_at = CASE WHEN set_rollout_plan.plan IS NOT NULL THEN now() END,
		   updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
	RETURNING * INTO o;
	RETURN bigpicture._rollout_json(o);
END
$$;
COMMENT ON FUNCTION bigpicture.set_rollout_plan(text, integer[], interval, text) IS
	'give a rollout a plan of rising percentages (basis points); the background worker takes the next step after step_interval while the guards hold (NULL plan: none)';

CREATE FUNCTION bigpicture.halt_rollout(release_id text, reason text, platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts := bigpicture._lock_rollout(release_id, platform);
BEGIN
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'halting a rollout needs a reason' USING ERRCODE = '22023';
	END IF;
	IF o.halted_at IS NOT NULL THEN
		RAISE EXCEPTION 'the rollout of release % is already halted', o.release_id USING ERRCODE = 'PT409',
			DETAIL = format('Halted at %s: %s.', bigpicture.rfc3339(o.halted_at), o.halt_reason);
	END IF;
	UPDATE bigpicture.rollouts x
	   SET halted_at = now(), halt_reason = 'manual', halt_evidence = jsonb_build_object('reason', halt_rollout.reason,
			'by', bigpicture.current_actor()), updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
	RETURNING * INTO o;
	PERFORM bigpicture._emit_event('rollout.halted', NULL, bigpicture._rollout_json(o));
	RETURN bigpicture._rollout_json(o);
END
$$;
COMMENT ON FUNCTION bigpicture.halt_rollout(text, text, text) IS
	'halt a rollout by hand, with a reason: no new install enters it; installs already in keep their decision';

CREATE FUNCTION bigpicture.resume_rollout(release_id text, reason text, platform text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts := bigpicture._lock_rollout(release_id, platform);
	caller name := bigpicture.calling_role();
BEGIN
	IF NOT (pg_has_role(caller, 'bigpicture_approver', 'USAGE') OR pg_has_role(caller, 'bigpicture_admin', 'USAGE')) THEN
		RAISE EXCEPTION 'resuming a rollout needs an approver' USING ERRCODE = '42501',
			HINT = 'Ask a member of bigpicture_approver.';
	END IF;
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'resuming a rollout needs a reason' USING ERRCODE = '22023',
			HINT = 'Say what was fixed or why the evidence does not apply; it goes into the audit chain.';
	END IF;
	IF o.halted_at IS NULL THEN
		RAISE EXCEPTION 'the rollout of release % is not halted', o.release_id USING ERRCODE = 'PT409';
	END IF;
	-- The guards start a new sample: the evidence that tripped them was judged.  (The clock,
	-- not the transaction's start: the new sample is distinct even within one transaction.)
	UPDATE bigpicture.rollouts x
	   SET halted_at = NULL, halt_reason = NULL,
		   halt_evidence = o.halt_evidence || jsonb_build_object('resumed_by', bigpicture.current_actor(),
				'resumed_at', bigpicture.rfc3339(now()), 'resume_reason', resume_rollout.reason),
		   guard_since = clock_timestamp(), stepped_at = CASE WHEN x.plan IS NOT NULL THEN now() END,
		   updated_by = bigpicture.current_actor()
	 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
	RETURNING * INTO o;
	PERFORM bigpicture._emit_event('rollout.resumed', NULL, bigpicture._rollout_json(o));
	RETURN bigpicture._rollout_json(o);
END
$$;
COMMENT ON FUNCTION bigpicture.resume_rollout(text, text, text) IS
	'resume a halted rollout (approvers and admins), with a reason; the guards then judge only reports from now on';

-- ---- scheduled steps (a worker job) ----------------------------------------------------------
CREATE FUNCTION bigpicture.advance_rollouts() RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	o bigpicture.rollouts;
	advanced int := 0;
	halted int := 0;
BEGIN
	FOR o IN SELECT * FROM bigpicture.rollouts x
			  WHERE x.plan IS NOT NULL AND x.step < cardinality(x.plan) AND NOT x.paused AND x.halted_at IS NULL
				AND x.stepped_at + x.step_interval <= now()
			  ORDER BY x.release_id, x.platform NULLS FIRST
			  FOR UPDATE SKIP LOCKED LOOP
		-- A step is taken only while the guards hold.
		IF bigpicture._check_rollout_guards(o) IS NOT NULL THEN
			halted := halted + 1;
			CONTINUE;
		END IF;
		UPDATE bigpicture.rollouts x
		   SET step = o.step + 1, percentage = greatest(x.percentage, o.plan[o.step + 1]), stepped_at = now(),
			   updated_by = 'bigpicture worker'
		 WHERE x.release_id = o.release_id AND x.platform IS NOT DISTINCT FROM o.platform
		RETURNING * INTO o;
		PERFORM bigpicture._emit_event('rollout.advanced', NULL, bigpicture._rollout_json(o));
		advanced := advanced + 1;
	END LOOP;
	RETURN jsonb_build_object('advanced', advanced, 'halted', halted);
END
$$;
COMMENT ON FUNCTION bigpicture.advance_rollouts() IS
	'worker job: take the next step of every rollout plan whose step_interval has passed, while its guards hold';

-- ---- reports ----------------------------------------------------------------------------------
-- In C (src/extension/reports.c), like check_update: it is called about as
-- often.  What a report adds to the counts, and the guards' rule, are
-- src/core/health.c.
CREATE FUNCTION bigpicture.report(request jsonb) RETURNS jsonb
	LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_report';
COMMENT ON FUNCTION bigpicture.report(jsonb) IS
	'an install reports what happened after a decision: {"decision": token, "outcome": downloaded|install_started|installed|failed|rolled_back|crashed, "error_code"}; idempotent; may halt the rollout';

GRANT EXECUTE ON FUNCTION bigpicture.report(jsonb) TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.rollout_health(text, text, text), bigpicture.wilson_interval(bigint, bigint)
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_auditor, bigpicture_tenant_admin;
GRANT EXECUTE ON FUNCTION bigpicture.set_rollout_guards(text, double precision, double precision, integer, integer, interval, text),
	bigpicture.set_rollout_plan(text, integer[], interval, text), bigpicture.halt_rollout(text, text, text)
	TO bigpicture_admin, bigpicture_publisher;
GRANT EXECUTE ON FUNCTION bigpicture.resume_rollout(text, text, text) TO bigpicture_admin, bigpicture_approver;

CREATE OR REPLACE FUNCTION bigpicture._import_rollouts(s jsonb) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	ids text[];
BEGIN
	ids := ARRAY(SELECT e ->> 'release_id' FROM jsonb_array_elements(s -> 'releases') e);
	DELETE FROM bigpicture.rollouts o WHERE o.release_id = ANY (ids)
	   AND NOT EXISTS (SELECT 1 FROM jsonb_populate_recordset(NULL::bigpicture.rollouts, s -> 'rollouts') n
					   WHERE n.release_id = o.release_id AND n.platform IS NOT DISTINCT FROM o.platform);
	-- A mirror follows the vendor's percentages; the plan that sets them is the vendor's worker's.
	INSERT INTO bigpicture.rollouts AS x SELECT * FROM jsonb_populate_recordset(NULL::bigpicture.rollouts,
		(SELECT jsonb_agg(e - '{plan,step,step_interval,stepped_at}'::text[]) FROM jsonb_array_elements(s -> 'rollouts') e))
	ON CONFLICT ON CONSTRAINT rollouts_target DO UPDATE SET percentage = EXCLUDED.percentage,
		paused = EXCLUDED.paused, updated_by = EXCLUDED.updated_by,
		max_failure_rate = EXCLUDED.max_failure_rate, max_crash_rate = EXCLUDED.max_crash_rate,
		min_sample = EXCLUDED.min_sample, max_new_per_hour = EXCLUDED.max_new_per_hour,
		crash_window = EXCLUDED.crash_window, guard_since = EXCLUDED.guard_since,
		halted_at = EXCLUDED.halted_at, halt_reason = EXCLUDED.halt_reason, halt_evidence = EXCLUDED.halt_evidence
	WHERE (x.percentage, x.paused, x.halted_at, x.max_new_per_hour)
		IS DISTINCT FROM (EXCLUDED.percentage, EXCLUDED.paused, EXCLUDED.halted_at, EXCLUDED.max_new_per_hour);
END
$$;

-- ---- rollouts over HTTP: report, rollout_health and the rollout routes ----------------------------


CREATE FUNCTION bigpicture_api.report(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE
	RETURN bigpicture.report($1);
COMMENT ON FUNCTION bigpicture_api.report(jsonb) IS
	'POST /rpc/report — what happened after a decision: downloaded … crashed (bigpicture.report); scope updates:check';

CREATE FUNCTION bigpicture_api.rollout_health(release_id text, group_by text DEFAULT NULL, platform text DEFAULT NULL)
	RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN bigpicture.rollout_health(release_id, group_by, platform);
COMMENT ON FUNCTION bigpicture_api.rollout_health(text, text, text) IS
	'GET or POST /rpc/rollout_health — outcome counts and rates with confidence bounds (bigpicture.rollout_health); scope rollouts:read';

CREATE FUNCTION bigpicture_api.rollout_set(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{release_id,percentage,platform,paused}', '{release_id,percentage}');
BEGIN
	IF jsonb_typeof(req -> 'percentage') <> 'number' THEN
		RAISE EXCEPTION 'field "percentage" must be a whole number of basis points' USING ERRCODE = '22023';
	END IF;
	PERFORM bigpicture.set_rollout(req ->> 'release_id', (req ->> 'percentage')::numeric::integer, req ->> 'platform',
		COALESCE((req ->> 'paused')::boolean, false));
	RETURN bigpicture.rollout_health(req ->> 'release_id', NULL, req ->> 'platform') -> 'rollout';
END
$$;
COMMENT ON FUNCTION bigpicture_api.rollout_set(jsonb) IS
	'POST /rpc/rollout_set — start or change a staged rollout (bigpicture.set_rollout); scope rollouts:write';

CREATE FUNCTION bigpicture_api.rollout_guards(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.set_rollout_guards(
		bigpicture.api_request($1, '{release_id,platform,max_failure_rate,max_crash_rate,min_sample,max_new_per_hour,crash_window}',
			'{release_id}') ->> 'release_id',
		($1 ->> 'max_failure_rate')::double precision, ($1 ->> 'max_crash_rate')::double precision,
		COALESCE(($1 ->> 'min_sample')::integer, 100), ($1 ->> 'max_new_per_hour')::integer,
		COALESCE(($1 ->> 'crash_window')::interval, interval '24 hours'), $1 ->> 'platform');
COMMENT ON FUNCTION bigpicture_api.rollout_guards(jsonb) IS
	'POST /rpc/rollout_guards — the limits that halt a rollout (bigpicture.set_rollout_guards); scope rollouts:write';

CREATE FUNCTION bigpicture_api.rollout_plan(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.set_rollout_plan(
		bigpicture.api_request($1, '{release_id,platform,plan,step_interval}', '{release_id}') ->> 'release_id',
		ARRAY(SELECT x::integer FROM jsonb_array_elements_text(CASE jsonb_typeof($1 -> 'plan') WHEN 'array' THEN $1 -> 'plan'
			END) WITH ORDINALITY e(x, i) ORDER BY i),
		($1 ->> 'step_interval')::interval, $1 ->> 'platform');
COMMENT ON FUNCTION bigpicture_api.rollout_plan(jsonb) IS
	'POST /rpc/rollout_plan — rising percentages stepped by the worker (bigpicture.set_rollout_plan); scope rollouts:write';

CREATE FUNCTION bigpicture_api.rollout_halt(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.halt_rollout(bigpicture.api_request($1, '{release_id,platform,reason}', '{release_id,reason}') ->> 'release_id',
		$1 ->> 'reason', $1 ->> 'platform');
COMMENT ON FUNCTION bigpicture_api.rollout_halt(jsonb) IS
	'POST /rpc/rollout_halt — halt a rollout by hand (bigpicture.halt_rollout); scope rollouts:write';

CREATE FUNCTION bigpicture_api.rollout_resume(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.resume_rollout(bigpicture.api_request($1, '{release_id,platform,reason}', '{release_id,reason}') ->> 'release_id',
		$1 ->> 'reason', $1 ->> 'platform');
COMMENT ON FUNCTION bigpicture_api.rollout_resume(jsonb) IS
	'POST /rpc/rollout_resume — resume a halted rollout, with a reason (bigpicture.resume_rollout); scope releases:approve';

GRANT EXECUTE ON FUNCTION bigpicture_api.report(jsonb) TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.rollout_health(text, text, text)
	TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor, bigpicture_publisher, bigpicture_approver;
GRANT EXECUTE ON FUNCTION bigpicture_api.rollout_set(jsonb), bigpicture_api.rollout_guards(jsonb),
	bigpicture_api.rollout_plan(jsonb), bigpicture_api.rollout_halt(jsonb)
	TO bigpicture_publisher, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture_api.rollout_resume(jsonb) TO bigpicture_approver, bigpicture_admin;

-- ---- events out: the outbox, its writers and its cursor ----------------------------------------

-- Events out (docs/events.md): the outbox.  One row per state change of
-- interest, written by the change's own transaction, so an event exists if
-- and only if its change committed.  Consumers read it with events_after()
-- (SQL, GET /rpc/events) or LISTEN bigpicture_events; webhooks are
-- delivered from it by a daemon beside the gateway, never from a backend.

CREATE SEQUENCE bigpicture.event_ids;
COMMENT ON SEQUENCE bigpicture.event_ids IS 'the outbox''s event ids: one order across tenants';
REVOKE ALL ON SEQUENCE bigpicture.event_ids FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('bigpicture.event_ids', '');
CREATE SEQUENCE bigpicture.event_provisional_ids;
COMMENT ON SEQUENCE bigpicture.event_provisional_ids IS 'provisional (negated) ids of events not yet committed';
REVOKE ALL ON SEQUENCE bigpicture.event_provisional_ids FROM PUBLIC;
CREATE TABLE bigpicture.events (
	-- negative (provisional) until _sequence_events gives it its id, after its transaction commits
	event_id    bigint PRIMARY KEY DEFAULT (- pg_catalog.nextval('bigpicture.event_provisional_ids')),
	type        text NOT NULL CHECK (type OPERATOR(pg_catalog.~) '^[a-z_]+\.[a-z_]+$'),
	-- no foreign key: its check would cost every change that writes an event
	-- a lookup and a lock; a tenant's events go with it (_tenant_events_gone)
	tenant_id   text,
	payload     jsonb NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX events_tenant ON bigpicture.events (tenant_id, event_id);
COMMENT ON TABLE bigpicture.events IS
	'outbox: state changes of interest (type, tenant or NULL for vendor-wide, payload), written in the change''s transaction';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.events', '');
ALTER TABLE bigpicture.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.events FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.events TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.events FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.events FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.events FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.events TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- A deleted tenant's events go with it, as a foreign key's cascade would do.
CREATE FUNCTION bigpicture._tenant_events_gone() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	DELETE FROM bigpicture.events e WHERE e.tenant_id = OLD.tenant_id;
	DELETE FROM bigpicture.webhook_subscriptions s WHERE s.tenant_id = OLD.tenant_id;
	RETURN NULL;
END
$$;
CREATE TRIGGER events_gone AFTER DELETE ON bigpicture.tenants
	FOR EACH ROW EXECUTE FUNCTION bigpicture._tenant_events_gone();

-- Ids in commit order, so a consumer that has read up to an id never finds a
-- smaller one later (events_after is a safe cursor).  A change writes its
-- event with a provisional, negative id and nothing else: its transaction
-- takes no lock for the outbox.  Ids are given afterwards, to committed
-- events only, by _sequence_events(): under one lock, so two sequencers
-- never interleave, and each sees what the one before it gave.  It runs as
-- the worker's job sequence_events (every second) and before every claim
-- of bigpicture-webhooks, so deliveries wait for no job.

-- PL/pgSQL, not SQL: a SQL function's INSERT is planned again in every
-- transaction that calls it, PL/pgSQL keeps the plan for the session.
CREATE FUNCTION bigpicture._emit_event(type text, tenant_id text, payload jsonb) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id bigint;
BEGIN
	-- On a Citus worker the trigger fired on a shard or on a reference
	-- table's copy; the outbox is the coordinator's (docs/scaling.md).
	IF current_setting('citus.version', true) IS NOT NULL AND bigpicture._citus_worker() THEN
		RETURN NULL;
	END IF;
	-- no NOTIFY here: a notifying commit takes the database's notify lock,
	-- which would queue every change that writes an event behind the others
	INSERT INTO bigpicture.events AS e (type, tenant_id, payload) VALUES ($1, $2, $3) RETURNING e.event_id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION bigpicture._emit_event(text, text, jsonb) IS
	'internal: write one event to the outbox (its id is given once it has committed, by _sequence_events)';

-- Give the committed events their ids, oldest first; NOTIFY the newest.
-- Returns how many.
CREATE FUNCTION bigpicture._sequence_events() RETURNS integer
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n integer;
	newest bigint;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM bigpicture.events e WHERE e.event_id < 0) THEN
		RETURN 0;
	END IF;
	PERFORM pg_advisory_xact_lock(8700, 1);
	-- a fresh snapshot, taken after the lock: what the sequencer before gave is seen
	WITH todo AS (
		SELECT e.event_id AS provisional, pg_catalog.nextval('bigpicture.event_ids') AS id
		  FROM (SELECT x.event_id FROM bigpicture.events x WHERE x.event_id < 0 ORDER BY x.event_id DESC OFFSET 0) e
	)
	UPDATE bigpicture.events e SET event_id = t.id FROM todo t WHERE e.event_id = t.provisional;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		newest := (SELECT max(e.event_id) FROM bigpicture.events e);
		PERFORM pg_notify('bigpicture_events', newest::text);
	END IF;
	RETURN n;
END
$$;
COMMENT ON FUNCTION bigpicture._sequence_events() IS
	'internal: give committed outbox events their ids, in order (the worker''s job sequence_events, and webhook_claim)';

CREATE FUNCTION bigpicture.sequence_events() RETURNS integer
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	RETURN bigpicture._sequence_events();
COMMENT ON FUNCTION bigpicture.sequence_events() IS
	'worker job: give committed outbox events their ids (every second); returns how many';


-- ---- the writers ------------------------------------------------------------------------------
-- Triggers on the tables whose changes are events, so no path that makes the
-- change can skip its event.  (Rollout halts, resumes and steps are written
-- by their functions, with the rollout as payload: docs/rollouts.md.)

CREATE FUNCTION bigpicture._release_event() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	kind text := CASE NEW.status WHEN 'pending_approval' THEN 'submitted' WHEN 'published' THEN 'published'
		WHEN 'rejected' THEN 'rejected' WHEN 'revoked' THEN 'revoked' END;
BEGIN
	IF kind IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status) THEN
		PERFORM bigpicture._emit_event('release.' || kind, NULL, jsonb_build_object('release_id', NEW.release_id,
			'product_id', NEW.product_id, 'version', NEW.version::text, 'channel', NEW.channel, 'status', NEW.status));
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER events AFTER INSERT OR UPDATE OF status ON bigpicture.releases
	FOR EACH ROW EXECUTE FUNCTION bigpicture._release_event();

CREATE FUNCTION bigpicture._approval_event() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._emit_event('release.approved', NULL, jsonb_build_object('release_id', NEW.release_id,
		'approver', NEW.approver, 'comment', NEW.comment));
	RETURN NULL;
END
$$;
CREATE TRIGGER events AFTER INSERT ON bigpicture.release_approvals
	FOR EACH ROW EXECUTE FUNCTION bigpicture._approval_event();

CREATE FUNCTION bigpicture._rollout_started_event() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	-- ROW(NEW.*): on Citus the row is a shard's, of another row type
	PERFORM bigpicture._emit_event('rollout.started', NULL, bigpicture._rollout_json(ROW(NEW.*)::bigpicture.rollouts));
	RETURN NULL;
END
$$;
CREATE TRIGGER events AFTER INSERT ON bigpicture.rollouts
	FOR EACH ROW EXECUTE FUNCTION bigpicture._rollout_started_event();

CREATE FUNCTION bigpicture._key_event() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NEW.state IN ('active', 'retiring', 'revoked') AND NEW.state IS DISTINCT FROM OLD.state THEN
		PERFORM bigpicture._emit_event('key.' || CASE NEW.state WHEN 'active' THEN 'activated' ELSE NEW.state END,
			NEW.tenant_id, jsonb_build_object('kid', NEW.kid, 'purpose', NEW.purpose, 'tenant_id', NEW.tenant_id,
				'state', NEW.state));
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER events AFTER UPDATE OF state ON bigpicture.signing_keys
	FOR EACH ROW EXECUTE FUNCTION bigpicture._key_event();

CREATE FUNCTION bigpicture._entitlement_event() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF right(TG_TABLE_NAME, 1) NOT BETWEEN '0' AND '9' THEN
		PERFORM bigpicture._entitlement_created_event(NEW);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER events AFTER INSERT ON bigpicture.entitlements
	FOR EACH ROW EXECUTE FUNCTION bigpicture._entitlement_event();

CREATE FUNCTION bigpicture._checkpoint_event() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF right(TG_TABLE_NAME, 1) NOT BETWEEN '0' AND '9' THEN
		PERFORM bigpicture._checkpoint_signed_event(NEW.chain_id, NEW.seq, NEW.hash);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER events AFTER INSERT ON bigpicture.audit_checkpoints
	FOR EACH ROW EXECUTE FUNCTION bigpicture._checkpoint_event();

CREATE FUNCTION bigpicture._snapshot_event() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF right(TG_TABLE_NAME, 1) NOT BETWEEN '0' AND '9' THEN
		PERFORM bigpicture._snapshot_generated_event(NEW.tenant_id, NEW.seq, NEW.expires_at, NEW.content_hash);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER events AFTER INSERT ON bigpicture.snapshots
	FOR EACH ROW EXECUTE FUNCTION bigpicture._snapshot_event();

-- ---- reading ----------------------------------------------------------------------------------
-- The events after a cursor, oldest first, as the caller may see them (RLS:
-- a tenant admin its tenant's, the vendor's roles all).  A consumer keeps the
-- last event_id it handled and asks again after it.
CREATE FUNCTION bigpicture.events_after(after_id bigint DEFAULT 0, max_events integer DEFAULT 100,
	types text[] DEFAULT NULL) RETURNS SETOF bigpicture.events
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF after_id IS NULL OR after_id < 0 THEN
		RAISE EXCEPTION 'after_id must be an event id, or 0 for the first' USING ERRCODE = '22023';
	END IF;
	IF max_events IS NULL OR max_events NOT BETWEEN 1 AND 10000 THEN
		RAISE EXCEPTION 'max_events must be 1 to 10000' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(max_events::text, 'NULL'));
	END IF;
	RETURN QUERY SELECT * FROM bigpicture.events e
		WHERE e.event_id > after_id AND (types IS NULL OR e.type = ANY (types))
		ORDER BY e.event_id LIMIT max_events;
END
$$;
COMMENT ON FUNCTION bigpicture.events_after(bigint, integer, text[]) IS
	'the outbox after a cursor, oldest first (ids are in commit order), as the caller may see them; optionally of some types';
GRANT EXECUTE ON FUNCTION bigpicture.events_after(bigint, integer, text[])
	TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- ---- events over HTTP -------------------------------------------------------------------------------


CREATE FUNCTION bigpicture_api.events(after_id bigint DEFAULT 0, max_events integer DEFAULT 100, types text[] DEFAULT NULL)
	RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object('event_id', e.event_id, 'type', e.type, 'tenant_id', e.tenant_id,
		'created_at', bigpicture.rfc3339(e.created_at), 'payload', e.payload) ORDER BY e.event_id), '[]')
		FROM bigpicture.events_after(after_id, max_events, types) e);
COMMENT ON FUNCTION bigpicture_api.events(bigint, integer, text[]) IS
	'GET or POST /rpc/events — the outbox after a cursor, oldest first (bigpicture.events_after); scope events:read';

GRANT EXECUTE ON FUNCTION bigpicture_api.events(bigint, integer, text[])
	TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;

-- ---- webhooks: the delivery daemon's role (as src/sql/01_roles.sql makes it) ----------------------
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'bigpicture_webhooks') THEN
		CREATE ROLE bigpicture_webhooks NOLOGIN;
		COMMENT ON ROLE bigpicture_webhooks IS 'Big Picture: the webhook delivery daemon: claims events, records deliveries';
	ELSIF pg_catalog.shobj_description((SELECT oid FROM pg_catalog.pg_roles WHERE rolname = 'bigpicture_webhooks'), 'pg_authid')
			IS DISTINCT FROM 'Big Picture: the webhook delivery daemon: claims events, records deliveries' THEN
		RAISE EXCEPTION 'role "bigpicture_webhooks" exists and is not one bigpicture can adopt' USING ERRCODE = '42501',
			HINT = 'Drop the role (it was not made by bigpicture), then ALTER EXTENSION bigpicture UPDATE again.';
	END IF;
END
$roles$;
GRANT USAGE ON SCHEMA bigpicture TO bigpicture_webhooks;

-- ---- events out, continued: seats exhausted, mirror sync failed, entitlements ending --------------
-- The last seat taken: from now on leases are refused until one is free.
-- (A refused lease is not an event: its transaction rolls back.)
CREATE FUNCTION bigpicture._seats_event() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF right(TG_TABLE_NAME, 1) NOT BETWEEN '0' AND '9' THEN
		PERFORM bigpicture._seats_exhausted_event(NEW.tenant_id, NEW.entitlement_id, NEW.lease_id);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER events AFTER INSERT ON bigpicture.leases
	FOR EACH ROW EXECUTE FUNCTION bigpicture._seats_event();

-- A mirror reported that it could not sync (set_mirror_status ERROR).
CREATE FUNCTION bigpicture._mirror_event() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF right(TG_TABLE_NAME, 1) NOT BETWEEN '0' AND '9' THEN
		PERFORM bigpicture._mirror_failed_event(OLD, NEW);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER events AFTER UPDATE OF status, last_error ON bigpicture.mirrors
	FOR EACH ROW EXECUTE FUNCTION bigpicture._mirror_event();

-- Entitlements about to end (within bigpicture.entitlement_notice_period)
-- and ended: written once per entitlement and end by the worker's
-- entitlement_notices job, which remembers here what it wrote (a new end,
-- after a renewal, is noticed again).
CREATE TABLE bigpicture.entitlement_notices (
	tenant_id       text NOT NULL,
	entitlement_id  text NOT NULL,
	kind            text NOT NULL CHECK (kind IN ('expiring', 'expired')),
	ends_at         timestamptz NOT NULL,
	noticed_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, entitlement_id, kind, ends_at),
	FOREIGN KEY (tenant_id, entitlement_id) REFERENCES bigpicture.entitlements ON DELETE CASCADE
);
COMMENT ON TABLE bigpicture.entitlement_notices IS
	'which entitlement.expiring and entitlement.expired events were written, per entitlement and end';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.entitlement_notices', '');
ALTER TABLE bigpicture.entitlement_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.entitlement_notices FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.entitlement_notices TO bigpicture_owner USING (true) WITH CHECK (true);
REVOKE ALL ON bigpicture.entitlement_notices FROM PUBLIC;

-- The job.  An end more than a notice period past is not noticed: a first
-- run on an old database does not flood consumers with ancient news.
CREATE FUNCTION bigpicture.entitlement_notices() RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	notice interval := bigpicture._setting_interval('entitlement_notice_period', 7 * 86400);
	expiring integer;
	expired integer;
BEGIN
	WITH due AS (
		SELECT e.*, CASE WHEN e.ends_at <= now() THEN 'expired' ELSE 'expiring' END AS kind
		  FROM bigpicture.entitlements e
		 WHERE e.status = 'active' AND e.ends_at IS NOT NULL
		   AND e.ends_at <= now() + notice AND e.ends_at > now() - greatest(notice, interval '1 day')
	), noted AS (
		INSERT INTO bigpicture.entitlement_notices (tenant_id, entitlement_id, kind, ends_at)
		SELECT d.tenant_id, d.entitlement_id, d.kind, d.ends_at FROM due d
		ON CONFLICT DO NOTHING RETURNING *
	), written AS (
		SELECT n.kind, bigpicture._emit_event('entitlement.' || n.kind, n.tenant_id, jsonb_build_object(
			'entitlement_id', d.entitlement_id, 'tenant_id', d.tenant_id, 'product_id', d.product_id, 'type', d.type,
			'max_seats', d.max_seats, 'ends_at', bigpicture.rfc3339(d.ends_at), 'auto_renew', d.auto_renew)) AS id
		  FROM noted n JOIN due d USING (tenant_id, entitlement_id, kind)
	)
	SELECT count(*) FILTER (WHERE kind = 'expiring'), count(*) FILTER (WHERE kind = 'expired')
	  INTO expiring, expired FROM written;
	RETURN jsonb_build_object('expiring', expiring, 'expired', expired);
END
$$;
COMMENT ON FUNCTION bigpicture.entitlement_notices() IS
	'worker job: write entitlement.expiring (within bigpicture.entitlement_notice_period) and entitlement.expired, once per entitlement and end';

-- ---- webhooks: subscriptions, delivery state and log, the daemon's side ------------------------------
-- Webhooks (docs/events.md, "Webhooks"): subscriptions to the outbox, each
-- with its endpoint, event types and signing secret, and the state of its
-- delivery.  Delivery itself is bigpicture-webhooks, a daemon beside the
-- gateway (src/webhooks): it claims the next events of a subscription with
-- webhook_claim(), posts them in order, and says how it went with
-- webhook_record().  No backend ever makes an HTTP call.

-- The event types there are, for filters (a typo in a filter would
-- otherwise never match and never say so).
CREATE FUNCTION bigpicture.event_types() RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN '{release.submitted,release.approved,release.published,release.rejected,release.revoked,'
		'rollout.started,rollout.advanced,rollout.halted,rollout.resumed,'
		'key.activated,key.retiring,key.revoked,'
		'entitlement.created,entitlement.expiring,entitlement.expired,entitlement.seats_exhausted,entitlement.leases_refused,'
		'audit.checkpoint_signed,snapshot.generated,mirror.sync_failed}'::text[];
COMMENT ON FUNCTION bigpicture.event_types() IS 'every event type the outbox writes (docs/events.md)';

-- A filter entry is a type or "area.*".
CREATE FUNCTION bigpicture._event_type_matches(types text[], type text) RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	RETURN pg_catalog.cardinality(types) = 0 OR type = ANY (types)
		OR pg_catalog.split_part(type, '.', 1) || '.*' = ANY (types);

CREATE TABLE bigpicture.webhook_subscriptions (
	subscription_id  text PRIMARY KEY DEFAULT bigpicture.new_id('whsub')
	                 CHECK (bigpicture.is_valid_id(subscription_id, 'whsub')),
	-- NULL: vendor-wide, every event; else that tenant's events only
	tenant_id        text REFERENCES bigpicture.tenants ON DELETE CASCADE,
	url              text NOT NULL CHECK (pg_catalog.length(url) <= 2048),
	event_types      text[] NOT NULL DEFAULT '{}',	-- empty: every type
	enabled          boolean NOT NULL DEFAULT true,
	max_attempts     integer NOT NULL DEFAULT 10 CHECK (max_attempts BETWEEN 1 AND 100),
	signing_secret_sealed    bytea NOT NULL,
	-- after a rotation the old secret signs too, until then (receivers move over)
	previous_secret_sealed bytea,
	previous_valid_until  timestamptz,
	created_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by       text NOT NULL,
	updated_at       timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX webhook_subscriptions_tenant ON bigpicture.webhook_subscriptions (tenant_id);
COMMENT ON TABLE bigpicture.webhook_subscriptions IS
	'webhook endpoints: per tenant or vendor-wide, event-type filters, sealed signing secrets (never shown again)';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.webhook_subscriptions', '');

-- Where each subscription's delivery stands: the last event handled
-- (delivered or dead), tries of the next one, and which daemon holds it.
-- Apart from the subscription, so its many updates are not audited.
CREATE TABLE bigpicture.webhook_cursors (
	subscription_id  text PRIMARY KEY REFERENCES bigpicture.webhook_subscriptions ON DELETE CASCADE,
	tenant_id        text REFERENCES bigpicture.tenants ON DELETE CASCADE,
	after_event_id   bigint NOT NULL CHECK (after_event_id >= 0),
	attempts         integer NOT NULL DEFAULT 0,
	next_attempt_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
	claimed_by       text,
	claimed_until    timestamptz,
	last_status      integer,
	last_error       text,
	updated_at       timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE bigpicture.webhook_cursors IS
	'each subscription''s delivery: the last event handled, tries of the next, the daemon holding it';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.webhook_cursors', '');

-- The delivery log: one row per try.  outcome dead: the tries ran out and
-- the subscription went on past the event (the dead letters).
CREATE SEQUENCE bigpicture.webhook_delivery_ids;
REVOKE ALL ON SEQUENCE bigpicture.webhook_delivery_ids FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('bigpicture.webhook_delivery_ids', '');
CREATE TABLE bigpicture.webhook_deliveries (
	delivery_id      bigint PRIMARY KEY DEFAULT pg_catalog.nextval('bigpicture.webhook_delivery_ids'),
	subscription_id  text NOT NULL REFERENCES bigpicture.webhook_subscriptions ON DELETE CASCADE,
	tenant_id        text REFERENCES bigpicture.tenants ON DELETE CASCADE,
	event_id         bigint NOT NULL,
	attempt          integer NOT NULL CHECK (attempt >= 1),
	outcome          text NOT NULL CHECK (outcome IN ('delivered', 'failed', 'dead')),
	http_status      integer,
	error            text,
	duration_ms      integer,
	worker           text,
	attempted_at     timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX webhook_deliveries_subscription ON bigpicture.webhook_deliveries (subscription_id, event_id);
CREATE INDEX webhook_deliveries_time ON bigpicture.webhook_deliveries (attempted_at);
COMMENT ON TABLE bigpicture.webhook_deliveries IS
	'webhook delivery log: every try, its HTTP status or error; outcome dead marks a dead letter';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.webhook_deliveries', '');

DO $rls$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY '{webhook_subscriptions,webhook_cursors,webhook_deliveries}'::text[] LOOP
		EXECUTE format('ALTER TABLE bigpicture.%I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE bigpicture.%I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY owner_all ON bigpicture.%I TO bigpicture_owner USING (true) WITH CHECK (true)', t);
		EXECUTE format('CREATE POLICY admin_read ON bigpicture.%I FOR SELECT TO bigpicture_admin, bigpicture_auditor USING (true)', t);
		EXECUTE format('CREATE POLICY own_tenant_read ON bigpicture.%I FOR SELECT TO bigpicture_tenant_admin '
			'USING (tenant_id = bigpicture.current_tenant())', t);
		EXECUTE format('REVOKE ALL ON bigpicture.%I FROM PUBLIC', t);
	END LOOP;
END
$rls$;
-- The subscriptions table is the owner's alone (its secrets): they are read through the view webhooks.
GRANT SELECT ON bigpicture.webhook_cursors, bigpicture.webhook_deliveries
	TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bigpicture.webhook_subscriptions
	FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_row_change('webhook_subscription', 'subscription_id',
		'signing_secret_sealed,previous_secret_sealed');

-- ---- managing subscriptions -------------------------------------------------------------------

-- A subscription as its owner sees it: never a secret.
CREATE FUNCTION bigpicture._webhook_json(s bigpicture.webhook_subscriptions) RETURNS jsonb
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('subscription_id', s.subscription_id, 'tenant_id', s.tenant_id, 'url', s.url,
		'event_types', to_jsonb(s.event_types), 'enabled', s.enabled, 'max_attempts', s.max_attempts,
		'previous_valid_until', bigpicture.rfc3339(s.previous_valid_until),
		'created_at', bigpicture.rfc3339(s.created_at), 'created_by', s.created_by,
		'updated_at', bigpicture.rfc3339(s.updated_at));

CREATE FUNCTION bigpicture._check_webhook(url text, event_types text[], max_attempts integer) RETURNS void
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	bad text;
BEGIN
	-- scheme, a host, no credentials in the URL, nothing that is not a URL character
	IF url IS NOT NULL AND (url !~ '^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?([/?#][!-~]*)?$'
			OR length(url) > 2048) THEN
		RAISE EXCEPTION 'invalid webhook URL' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', left(url, 200)),
			HINT = 'An http:// or https:// URL with a host name or address, no user:password@, at most 2048 characters.';
	END IF;
	IF event_types IS NOT NULL THEN
		SELECT t INTO bad FROM unnest(event_types) t
		 WHERE t IS NULL OR NOT (t = ANY (bigpicture.event_types())
			OR (t ~ '^[a-z_]+\.\*$' AND EXISTS (SELECT 1 FROM unnest(bigpicture.event_types()) k
				WHERE split_part(k, '.', 1) = split_part(t, '.', 1))))
		 LIMIT 1;
		IF FOUND THEN
			RAISE EXCEPTION 'unknown event type "%"', COALESCE(bad, 'NULL') USING ERRCODE = '22023',
				DETAIL = 'The types are: ' || array_to_string(bigpicture.event_types(), ', ') || '.',
				HINT = 'A filter entry is a type or area.* (release.*); an empty list means every type.';
		END IF;
	END IF;
	IF max_attempts IS NOT NULL AND max_attempts NOT BETWEEN 1 AND 100 THEN
		RAISE EXCEPTION 'max_attempts must be 1 to 100' USING ERRCODE = '22023';
	END IF;
END
$$;

-- The subscription, locked, if the caller may manage it (its tenant's
-- admin, or an admin); else PT404 as if it did not exist.
CREATE FUNCTION bigpicture._lock_webhook(p_subscription_id text) RETURNS bigpicture.webhook_subscriptions
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	s bigpicture.webhook_subscriptions;
BEGIN
	SELECT * INTO s FROM bigpicture.webhook_subscriptions x WHERE x.subscription_id = p_subscription_id FOR UPDATE;
	IF NOT FOUND OR NOT (bigpicture.acts_for_all_tenants()
			OR s.tenant_id IS NOT NULL AND s.tenant_id = bigpicture.current_tenant()) THEN
		RAISE EXCEPTION 'webhook subscription "%" does not exist', p_subscription_id USING ERRCODE = 'PT404';
	END IF;
	RETURN s;
END
$$;

-- Subscribe an endpoint.  tenant_id: a tenant admin's own tenant (the
-- default); an admin names a tenant, or none for a vendor-wide one.
-- Returns the subscription and its secret, the one time it is shown.
CREATE FUNCTION bigpicture.create_webhook(url text, event_types text[] DEFAULT '{}', tenant_id text DEFAULT NULL,
	max_attempts integer DEFAULT 10, secret text DEFAULT NULL, subscription_id text DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text;
	id text := COALESCE(create_webhook.subscription_id, bigpicture.new_id('whsub'));
	s bigpicture.webhook_subscriptions;
	sec text := COALESCE(create_webhook.secret, bigpicture._webhook_secret_new());
BEGIN
	IF url IS NULL THEN
		RAISE EXCEPTION 'url is required' USING ERRCODE = '22023';
	END IF;
	PERFORM bigpicture._check_webhook(url, COALESCE(event_types, '{}'), COALESCE(max_attempts, 10));
	PERFORM bigpicture._sequence_events();	-- "after the newest event" counts what has committed
	IF NOT bigpicture.is_valid_id(id, 'whsub') THEN
		RAISE EXCEPTION 'invalid subscription id "%"', id USING ERRCODE = '22023',
			HINT = 'whsub_ followed by 1 to 64 letters, digits, _ or -.';
	END IF;
	t := CASE WHEN bigpicture.acts_for_all_tenants() AND create_webhook.tenant_id IS NULL THEN NULL
		ELSE bigpicture._resolve_tenant(create_webhook.tenant_id) END;
	IF t IS NOT NULL THEN
		PERFORM bigpicture._tenant_or_error(t);
	END IF;
	INSERT INTO bigpicture.webhook_subscriptions (subscription_id, tenant_id, url, event_types, max_attempts,
		signing_secret_sealed, created_by)
	VALUES (id, t, url, COALESCE(event_types, '{}'), COALESCE(max_attempts, 10), bigpicture._webhook_seal(id, sec),
		bigpicture.current_actor())
	RETURNING * INTO s;
	-- from now on: the events already written are not sent
	INSERT INTO bigpicture.webhook_cursors (subscription_id, tenant_id, after_event_id)
	VALUES (id, t, (SELECT COALESCE(max(e.event_id), 0) FROM bigpicture.events e WHERE e.event_id > 0));
	RETURN bigpicture._webhook_json(s) || jsonb_build_object('secret', sec);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'webhook subscription "%" exists already', id USING ERRCODE = '23505';
END
$$;
COMMENT ON FUNCTION bigpicture.create_webhook(text, text[], text, integer, text, text) IS
	'subscribe an endpoint to events (a tenant''s, or vendor-wide for admins); returns it with its whsec_ secret, shown only now';

CREATE FUNCTION bigpicture.set_webhook(subscription_id text, url text DEFAULT NULL, event_types text[] DEFAULT NULL,
	enabled boolean DEFAULT NULL, max_attempts integer DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	s bigpicture.webhook_subscriptions := bigpicture._lock_webhook(set_webhook.subscription_id);
BEGIN
	PERFORM bigpicture._check_webhook(url, event_types, max_attempts);
	UPDATE bigpicture.webhook_subscriptions x
	   SET url = COALESCE(set_webhook.url, x.url), event_types = COALESCE(set_webhook.event_types, x.event_types),
		   enabled = COALESCE(set_webhook.enabled, x.enabled), max_attempts = COALESCE(set_webhook.max_attempts, x.max_attempts),
		   updated_at = now()
	 WHERE x.subscription_id = s.subscription_id RETURNING * INTO s;
	-- re-enabled: try again now
	IF set_webhook.enabled THEN
		UPDATE bigpicture.webhook_cursors c SET next_attempt_at = now() WHERE c.subscription_id = s.subscription_id;
	END IF;
	RETURN bigpicture._webhook_json(s);
END
$$;
COMMENT ON FUNCTION bigpicture.set_webhook(text, text, text[], boolean, integer) IS
	'change a subscription''s URL, event types, enabled or max_attempts (NULL keeps each)';

-- A new secret; the old one goes on signing too for previous_valid, so a
-- receiver can move over (Standard Webhooks: several signatures).
CREATE FUNCTION bigpicture.rotate_webhook_secret(subscription_id text, previous_valid interval DEFAULT interval '24 hours')
	RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	s bigpicture.webhook_subscriptions := bigpicture._lock_webhook(rotate_webhook_secret.subscription_id);
	sec text := bigpicture._webhook_secret_new();
BEGIN
	IF previous_valid IS NULL OR previous_valid NOT BETWEEN interval '0' AND interval '30 days' THEN
		RAISE EXCEPTION 'previous_valid must be 0 to 30 days' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.webhook_subscriptions x
	   SET previous_secret_sealed = CASE WHEN previous_valid > interval '0' THEN x.signing_secret_sealed END,
		   previous_valid_until = CASE WHEN previous_valid > interval '0' THEN now() + previous_valid END,
		   signing_secret_sealed = bigpicture._webhook_seal(x.subscription_id, sec), updated_at = now()
	 WHERE x.subscription_id = s.subscription_id RETURNING * INTO s;
	RETURN bigpicture._webhook_json(s) || jsonb_build_object('secret', sec);
END
$$;
COMMENT ON FUNCTION bigpicture.rotate_webhook_secret(text, interval) IS
	'a new signing secret (returned, shown only now); the old one also signs for previous_valid';

CREATE FUNCTION bigpicture.delete_webhook(subscription_id text) RETURNS boolean
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	s bigpicture.webhook_subscriptions := bigpicture._lock_webhook(delete_webhook.subscription_id);
BEGIN
	DELETE FROM bigpicture.webhook_subscriptions x WHERE x.subscription_id = s.subscription_id;
	RETURN true;
END
$$;
COMMENT ON FUNCTION bigpicture.delete_webhook(text) IS 'remove a subscription, its delivery state and its log';

-- Subscriptions with where their delivery stands, as the caller may see them.
CREATE VIEW bigpicture.webhooks WITH (security_barrier) AS
SELECT s.subscription_id, s.tenant_id, s.url, s.event_types, s.enabled, s.max_attempts, s.previous_valid_until,
	   c.after_event_id, c.attempts, c.next_attempt_at, c.last_status, c.last_error,
	   (SELECT count(*) FROM bigpicture.webhook_deliveries d
		 WHERE d.subscription_id = s.subscription_id AND d.outcome = 'dead')::integer AS dead_letters,
	   s.created_at, s.created_by, s.updated_at
FROM bigpicture.webhook_subscriptions s JOIN bigpicture.webhook_cursors c USING (subscription_id)
-- a tenant admin sees its tenant's; admins and auditors all
WHERE s.tenant_id = (SELECT bigpicture.current_tenant()) OR (SELECT bigpicture.acts_for_all_tenants());
COMMENT ON VIEW bigpicture.webhooks IS
	'webhook subscriptions and their delivery: last event handled, tries of the next, last status and error, dead letters';
GRANT SELECT ON bigpicture.webhooks TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- ---- the delivery daemon's side ----------------------------------------------------------------

-- What is posted: Standard Webhooks' {type, timestamp, data}, data being
-- the event's payload, with the event's id and tenant beside them.
CREATE FUNCTION bigpicture._webhook_body(e bigpicture.events) RETURNS text
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('type', e.type, 'timestamp', bigpicture.rfc3339(e.created_at), 'data', e.payload,
		'event_id', e.event_id, 'tenant_id', e.tenant_id)::text;

-- The next events of due subscriptions, in order, each subscription held
-- for claim_for by worker (an id of the daemon).  At most max_events per
-- subscription: the daemon posts them one after the other and records each.
-- busy: subscriptions the daemon is still working on.  A subscription with
-- nothing to send moves on to the newest event (ids rise in commit order,
-- so none can come in behind it).  attempt: the try this will be; body:
-- what to post (its webhook-id is evt_ and the event_id).
CREATE FUNCTION bigpicture.webhook_claim(worker text, max_subscriptions integer DEFAULT 16,
	max_events integer DEFAULT 20, claim_for interval DEFAULT interval '1 minute', busy text[] DEFAULT '{}')
	RETURNS TABLE (subscription_id text, url text, secrets text[], event_id bigint, type text, attempt integer,
		body text)
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c record;
	newest bigint;
	n integer;
BEGIN
	IF worker IS NULL OR worker !~ '^[!-~]{1,128}$' THEN
		RAISE EXCEPTION 'worker must be 1 to 128 printable characters' USING ERRCODE = '22023';
	END IF;
	IF max_subscriptions NOT BETWEEN 1 AND 1000 OR max_events NOT BETWEEN 1 AND 1000
			OR claim_for NOT BETWEEN interval '1 second' AND interval '1 hour' THEN
		RAISE EXCEPTION 'max_subscriptions and max_events must be 1 to 1000, claim_for 1 second to 1 hour'
			USING ERRCODE = '22023';
	END IF;
	-- what has committed gets its id now: a delivery waits for no job
	PERFORM bigpicture._sequence_events();
	newest := (SELECT COALESCE(max(e.event_id), 0) FROM bigpicture.events e WHERE e.event_id > 0);
	FOR c IN
		SELECT w.subscription_id, w.after_event_id, w.attempts, s.url, s.event_types, s.tenant_id AS scope,
			   s.signing_secret_sealed, s.previous_secret_sealed, s.previous_valid_until
		  FROM bigpicture.webhook_cursors w JOIN bigpicture.webhook_subscriptions s USING (subscription_id)
		 WHERE s.enabled AND w.next_attempt_at <= now() AND w.after_event_id < newest
		   AND (w.claimed_until IS NULL OR w.claimed_until < now() OR w.claimed_by = worker)
		   AND w.subscription_id <> ALL (COALESCE(busy, '{}'))
		 ORDER BY w.next_attempt_at LIMIT max_subscriptions
		   FOR UPDATE OF w SKIP LOCKED
	LOOP
		RETURN QUERY
			SELECT c.subscription_id, c.url,
				   ARRAY[bigpicture._webhook_unseal(c.subscription_id, c.signing_secret_sealed)]
					|| CASE WHEN c.previous_valid_until > now()
						THEN ARRAY[bigpicture._webhook_unseal(c.subscription_id, c.previous_secret_sealed)]
						ELSE '{}'::text[] END,
				   e.event_id, e.type,
				   CASE WHEN row_number() OVER (ORDER BY e.event_id) = 1 THEN c.attempts + 1 ELSE 1 END::integer,
				   bigpicture._webhook_body(e)
			  FROM bigpicture.events e
			 WHERE e.event_id > c.after_event_id AND e.event_id <= newest
			   AND (c.scope IS NULL OR e.tenant_id = c.scope)
			   AND bigpicture._event_type_matches(c.event_types, e.type)
			 ORDER BY e.event_id LIMIT max_events;
		GET DIAGNOSTICS n = ROW_COUNT;
		IF n > 0 THEN
			UPDATE bigpicture.webhook_cursors w SET claimed_by = worker, claimed_until = now() + claim_for, updated_at = now()
			 WHERE w.subscription_id = c.subscription_id;
		ELSE
			UPDATE bigpicture.webhook_cursors w SET after_event_id = newest, attempts = 0, updated_at = now()
			 WHERE w.subscription_id = c.subscription_id;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION bigpicture.webhook_claim(text, integer, integer, interval, text[]) IS
	'for bigpicture-webhooks: the next events of due subscriptions, in order, held for the worker with their secrets';

-- How a try went.  2xx: delivered, the subscription moves past the event.
-- Else the event is tried again after retry_in, or, its tries spent, it is
-- a dead letter and the subscription moves past it.  Returns delivered,
-- retry, dead, or stale (the event was handled already, by another try).
-- claim_for: a worker going on with its batch holds the subscription again
-- for that long from now, so a long batch is never taken over half-way.
CREATE FUNCTION bigpicture.webhook_record(worker text, subscription_id text, event_id bigint, http_status integer,
	error text DEFAULT NULL, duration_ms integer DEFAULT NULL, retry_in interval DEFAULT interval '1 minute',
	claim_for interval DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c bigpicture.webhook_cursors;
	s bigpicture.webhook_subscriptions;
	ok boolean := http_status BETWEEN 200 AND 299;
	outcome text;
BEGIN
	SELECT * INTO c FROM bigpicture.webhook_cursors w WHERE w.subscription_id = webhook_record.subscription_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'stale';		-- deleted meanwhile
	END IF;
	IF webhook_record.event_id <= c.after_event_id THEN
		RETURN 'stale';
	END IF;
	SELECT * INTO s FROM bigpicture.webhook_subscriptions x WHERE x.subscription_id = c.subscription_id;
	outcome := CASE WHEN ok THEN 'delivered' WHEN c.attempts + 1 >= s.max_attempts THEN 'dead' ELSE 'failed' END;
	INSERT INTO bigpicture.webhook_deliveries (subscription_id, tenant_id, event_id, attempt, outcome, http_status,
		error, duration_ms, worker)
	VALUES (c.subscription_id, c.tenant_id, webhook_record.event_id, c.attempts + 1, outcome, http_status,
		left(webhook_record.error, 1000), duration_ms, worker);
	IF outcome = 'failed' THEN
		UPDATE bigpicture.webhook_cursors w
		   SET attempts = c.attempts + 1, next_attempt_at = now() + COALESCE(retry_in, interval '1 minute'),
			   -- released, unless another worker holds it now (this one's claim ran out)
			   claimed_by = CASE WHEN c.claimed_by = worker THEN NULL ELSE c.claimed_by END,
			   claimed_until = CASE WHEN c.claimed_by = worker THEN NULL ELSE c.claimed_until END,
			   last_status = http_status, last_error = left(webhook_record.error, 1000),
			   updated_at = now()
		 WHERE w.subscription_id = c.subscription_id;
		RETURN 'retry';
	END IF;
	UPDATE bigpicture.webhook_cursors w
	   SET after_event_id = webhook_record.event_id, attempts = 0, next_attempt_at = now(), last_status = http_status,
		   claimed_until = CASE WHEN w.claimed_by = worker AND claim_for IS NOT NULL
			   THEN now() + least(claim_for, interval '1 hour') ELSE w.claimed_until END,
		   last_error = CASE WHEN ok THEN NULL ELSE left(webhook_record.error, 1000) END, updated_at = now()
	 WHERE w.subscription_id = c.subscription_id;
	RETURN CASE WHEN ok THEN 'delivered' ELSE 'dead' END;
END
$$;
COMMENT ON FUNCTION bigpicture.webhook_record(text, text, bigint, integer, text, integer, interval, interval) IS
	'for bigpicture-webhooks: how a delivery try went (HTTP status or error); moves the subscription on, schedules a retry, or makes a dead letter';

-- The delivery log is kept 30 days (a worker job).
CREATE FUNCTION bigpicture.prune_webhook_deliveries() RETURNS integer
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (DELETE FROM bigpicture.webhook_deliveries d WHERE d.attempted_at < now() - interval '30 days' RETURNING 1)
	SELECT count(*)::integer FROM gone;
END;
COMMENT ON FUNCTION bigpicture.prune_webhook_deliveries() IS
	'worker job: forget webhook delivery tries older than 30 days; returns how many';

CREATE FUNCTION bigpicture._webhook_secret_new() RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_webhook_secret_new' LANGUAGE C VOLATILE;
CREATE FUNCTION bigpicture._webhook_seal(subscription_id text, secret text) RETURNS bytea
	AS 'MODULE_PATHNAME', 'bigpicture_webhook_seal' LANGUAGE C VOLATILE;
CREATE FUNCTION bigpicture._webhook_unseal(subscription_id text, sealed bytea) RETURNS text
	AS 'MODULE_PATHNAME', 'bigpicture_webhook_unseal' LANGUAGE C STABLE;

GRANT EXECUTE ON FUNCTION bigpicture.create_webhook(text, text[], text, integer, text, text),
	bigpicture.set_webhook(text, text, text[], boolean, integer), bigpicture.rotate_webhook_secret(text, interval),
	bigpicture.delete_webhook(text)
	TO bigpicture_admin, bigpicture_tenant_admin;
GRANT EXECUTE ON FUNCTION bigpicture.event_types() TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin,
	bigpicture_webhooks;
GRANT EXECUTE ON FUNCTION bigpicture.webhook_claim(text, integer, integer, interval, text[]),
	bigpicture.webhook_record(text, text, bigint, integer, text, integer, interval, interval)
	TO bigpicture_webhooks;

-- ---- webhooks (docs/events.md) ---------------------------------------------------------------

CREATE FUNCTION bigpicture_api.webhooks() RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object('subscription_id', w.subscription_id, 'tenant_id', w.tenant_id,
		'url', w.url, 'event_types', to_jsonb(w.event_types), 'enabled', w.enabled, 'max_attempts', w.max_attempts,
		'previous_valid_until', bigpicture.rfc3339(w.previous_valid_until), 'after_event_id', w.after_event_id,
		'attempts', w.attempts, 'next_attempt_at', bigpicture.rfc3339(w.next_attempt_at), 'last_status', w.last_status,
		'last_error', w.last_error, 'dead_letters', w.dead_letters, 'created_at', bigpicture.rfc3339(w.created_at),
		'created_by', w.created_by) ORDER BY w.subscription_id), '[]')
		FROM bigpicture.webhooks w);
COMMENT ON FUNCTION bigpicture_api.webhooks() IS
	'GET or POST /rpc/webhooks — the subscriptions you may see, with where their delivery stands (bigpicture.webhooks); scope webhooks:read';

CREATE FUNCTION bigpicture_api.webhook_create(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.create_webhook(
		bigpicture.api_request($1, '{url,event_types,tenant_id,max_attempts,secret,subscription_id}', '{url}') ->> 'url',
		COALESCE(bigpicture.api_text_array($1, 'event_types'), '{}'), $1 ->> 'tenant_id',
		COALESCE(($1 ->> 'max_attempts')::integer, 10), $1 ->> 'secret', $1 ->> 'subscription_id');
COMMENT ON FUNCTION bigpicture_api.webhook_create(jsonb) IS
	'POST /rpc/webhook_create — subscribe an endpoint; the answer holds its secret, shown only then (bigpicture.create_webhook); scope webhooks:write';

CREATE FUNCTION bigpicture_api.webhook_update(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.set_webhook(
		bigpicture.api_request($1, '{subscription_id,url,event_types,enabled,max_attempts}', '{subscription_id}')
			->> 'subscription_id',
		$1 ->> 'url', bigpicture.api_text_array($1, 'event_types'), ($1 ->> 'enabled')::boolean,
		($1 ->> 'max_attempts')::integer);
COMMENT ON FUNCTION bigpicture_api.webhook_update(jsonb) IS
	'POST /rpc/webhook_update — change a subscription''s URL, types, enabled or max_attempts (bigpicture.set_webhook); scope webhooks:write';

CREATE FUNCTION bigpicture_api.webhook_rotate_secret(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN bigpicture.rotate_webhook_secret(
		bigpicture.api_request($1, '{subscription_id,previous_valid}', '{subscription_id}') ->> 'subscription_id',
		COALESCE(($1 ->> 'previous_valid')::interval, interval '24 hours'));
COMMENT ON FUNCTION bigpicture_api.webhook_rotate_secret(jsonb) IS
	'POST /rpc/webhook_rotate_secret — a new secret, shown only now; the old one signs too for previous_valid (bigpicture.rotate_webhook_secret); scope webhooks:write';

CREATE FUNCTION bigpicture_api.webhook_delete(jsonb) RETURNS jsonb
	LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('subscription_id', $1 ->> 'subscription_id', 'deleted', bigpicture.delete_webhook(
		bigpicture.api_request($1, '{subscription_id}', '{subscription_id}') ->> 'subscription_id'));
COMMENT ON FUNCTION bigpicture_api.webhook_delete(jsonb) IS
	'POST /rpc/webhook_delete — remove a subscription and its log (bigpicture.delete_webhook); scope webhooks:write';

CREATE FUNCTION bigpicture_api.webhook_deliveries(subscription_id text, max_rows integer DEFAULT 100) RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF max_rows IS NULL OR max_rows NOT BETWEEN 1 AND 10000 THEN
		RAISE EXCEPTION 'max_rows must be between 1 and 10000' USING ERRCODE = '22023';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM bigpicture.webhooks w WHERE w.subscription_id = webhook_deliveries.subscription_id) THEN
		RAISE EXCEPTION 'webhook subscription "%" does not exist', subscription_id USING ERRCODE = 'PT404';
	END IF;
	RETURN (SELECT COALESCE(jsonb_agg(jsonb_build_object('delivery_id', d.delivery_id, 'event_id', d.event_id,
		'attempt', d.attempt, 'outcome', d.outcome, 'http_status', d.http_status, 'error', d.error,
		'duration_ms', d.duration_ms, 'attempted_at', bigpicture.rfc3339(d.attempted_at)) ORDER BY d.delivery_id DESC), '[]')
		FROM (SELECT * FROM bigpicture.webhook_deliveries x WHERE x.subscription_id = webhook_deliveries.subscription_id
			  ORDER BY x.delivery_id DESC LIMIT max_rows) d);
END
$$;
COMMENT ON FUNCTION bigpicture_api.webhook_deliveries(text, integer) IS
	'GET or POST /rpc/webhook_deliveries — a subscription''s delivery log, newest first; dead letters have outcome dead; scope webhooks:read';

GRANT EXECUTE ON FUNCTION bigpicture_api.webhooks(), bigpicture_api.webhook_deliveries(text, integer)
	TO bigpicture_tenant_admin, bigpicture_admin, bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture_api.webhook_create(jsonb), bigpicture_api.webhook_update(jsonb),
	bigpicture_api.webhook_rotate_secret(jsonb), bigpicture_api.webhook_delete(jsonb)
	TO bigpicture_tenant_admin, bigpicture_admin;

-- ---- verification keys cached per backend: any change to the key table reaches them ---------------
DROP TRIGGER signing_keys_changed ON bigpicture.signing_keys;
CREATE TRIGGER signing_keys_changed AFTER INSERT OR UPDATE OR DELETE ON bigpicture.signing_keys
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.signing_keys_changed();

-- ---- dry run: what a change would do to the fleet (docs/dry-run.md) ----------------------------

-- Is a dry run making its change?  Then the audit appends nothing (it would
-- be rolled back) and holds no chain's head while the fleet is decided.
CREATE FUNCTION bigpicture._dry_run_active() RETURNS boolean
	LANGUAGE C STABLE SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_dry_run_active';
COMMENT ON FUNCTION bigpicture._dry_run_active() IS
	'internal: whether a dry run is making its change in this backend (nothing is audited or signed then)';

-- The change, applied for real by the call it names, inside the dry run's
-- subtransaction (which bigpicture.dry_run rolls back): the real call's
-- checks, errors and rights apply, unchanged.  Returns the part of the fleet
-- the change can reach: {"tenant_id": …, "product_id": …}, NULL for "any".
CREATE FUNCTION bigpicture._dry_run_apply(change jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	call text;
	a jsonb;
	allowed text[];
	fn regprocedure;
	k text;
	release_product text;
BEGIN
	IF change IS NULL OR jsonb_typeof(change) <> 'object' OR jsonb_typeof(change -> 'call') IS DISTINCT FROM 'string' THEN
		RAISE EXCEPTION 'a change is a JSON object {"call": "…", "args": {…}}' USING ERRCODE = '22023',
			HINT = 'call is one of set_policy, clear_policy, set_rollout, clear_rollout, set_rollout_plan, '
				'halt_rollout, resume_rollout, submit_release, approve_release, revoke_release.';
	END IF;
	SELECT x INTO k FROM jsonb_object_keys(change) x WHERE x NOT IN ('call', 'args') ORDER BY x LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'unknown field "%" of a change', k USING ERRCODE = '22023', DETAIL = 'A change has call and args.';
	END IF;
	call := change ->> 'call';
	a := COALESCE(change -> 'args', '{}');
	IF jsonb_typeof(a) <> 'object' THEN
		RAISE EXCEPTION 'the args of a change must be a JSON object' USING ERRCODE = '22023';
	END IF;
	CASE call
		WHEN 'set_policy' THEN
			allowed := '{scope,tenant_id,product_id,platform,mode,channel,pinned_range,blocked,maintenance_window,allow_prerelease,expired_entitlement_updates}';
			fn := 'bigpicture.set_policy(text,text,text,text,text,text,bigpicture.semver_range,bigpicture.semver_range[],jsonb,boolean,text)';
		WHEN 'clear_policy' THEN
			allowed := '{scope,tenant_id,product_id,platform}';
			fn := 'bigpicture.clear_policy(text,text,text,text)';
		WHEN 'set_rollout' THEN
			allowed := '{release_id,percentage,platform,paused}';
			fn := 'bigpicture.set_rollout(text,integer,text,boolean)';
		WHEN 'clear_rollout' THEN
			allowed := '{release_id,platform}';
			fn := 'bigpicture.clear_rollout(text,text)';
		WHEN 'set_rollout_plan' THEN
			allowed := '{release_id,plan,step_interval,platform}';
			fn := 'bigpicture.set_rollout_plan(text,integer[],interval,text)';
		WHEN 'halt_rollout' THEN
			allowed := '{release_id,reason,platform}';
			fn := 'bigpicture.halt_rollout(text,text,text)';
		WHEN 'resume_rollout' THEN
			allowed := '{release_id,reason,platform}';
			fn := 'bigpicture.resume_rollout(text,text,text)';
		WHEN 'submit_release' THEN
			allowed := '{release_id}';
			fn := 'bigpicture.submit_release(text)';
		WHEN 'approve_release' THEN
			allowed := '{release_id,comment}';
			fn := 'bigpicture.approve_release(text,text)';
		WHEN 'revoke_release' THEN
			allowed := '{release_id,reason}';
			fn := 'bigpicture.revoke_release(text,text)';
		ELSE
			RAISE EXCEPTION 'a dry run cannot make the change "%"', call USING ERRCODE = '22023',
				HINT = 'call is one of set_policy, clear_policy, set_rollout, clear_rollout, set_rollout_plan, '
					'halt_rollout, resume_rollout, submit_release, approve_release, revoke_release.';
	END CASE;
	SELECT x INTO k FROM jsonb_object_keys(a) x WHERE x <> ALL (allowed) ORDER BY x LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'unknown argument "%" of %', k, call USING ERRCODE = '22023',
			DETAIL = format('Allowed arguments: %s.', array_to_string(allowed, ', '));
	END IF;
	-- The dry run runs with the extension's rights; the change with the caller's.
	IF NOT has_function_privilege(bigpicture.calling_role(), fn, 'EXECUTE') THEN
		RAISE EXCEPTION 'permission denied for function %', call USING ERRCODE = '42501';
	END IF;

	CASE call
		WHEN 'set_policy' THEN
			PERFORM bigpicture.set_policy(a ->> 'scope', a ->> 'tenant_id', a ->> 'product_id', a ->> 'platform',
				a ->> 'mode', a ->> 'channel', (a ->> 'pinned_range')::bigpicture.semver_range,
				CASE WHEN a ? 'blocked' AND a -> 'blocked' <> 'null' THEN
					COALESCE(ARRAY(SELECT x::bigpicture.semver_range FROM jsonb_array_elements_text(a -> 'blocked') x),
						'{}') END,
				a -> 'maintenance_window', (a ->> 'allow_prerelease')::boolean, a ->> 'expired_entitlement_updates');
		WHEN 'clear_policy' THEN
			PERFORM bigpicture.clear_policy(a ->> 'scope', a ->> 'tenant_id', a ->> 'product_id', a ->> 'platform');
		WHEN 'set_rollout' THEN
			PERFORM bigpicture.set_rollout(a ->> 'release_id', (a ->> 'percentage')::integer, a ->> 'platform',
				COALESCE((a ->> 'paused')::boolean, false));
		WHEN 'clear_rollout' THEN
			PERFORM bigpicture.clear_rollout(a ->> 'release_id', a ->> 'platform');
		WHEN 'set_rollout_plan' THEN
			PERFORM bigpicture.set_rollout_plan(a ->> 'release_id',
				ARRAY(SELECT x::integer FROM jsonb_array_elements_text(a -> 'plan') x),
				(a ->> 'step_interval')::interval, a ->> 'platform');
		WHEN 'halt_rollout' THEN
			PERFORM bigpicture.halt_rollout(a ->> 'release_id', a ->> 'reason', a ->> 'platform');
		WHEN 'resume_rollout' THEN
			PERFORM bigpicture.resume_rollout(a ->> 'release_id', a ->> 'reason', a ->> 'platform');
		WHEN 'submit_release' THEN
			PERFORM bigpicture.submit_release(a ->> 'release_id');
		WHEN 'approve_release' THEN
			PERFORM bigpicture.approve_release(a ->> 'release_id', a ->> 'comment');
		WHEN 'revoke_release' THEN
			PERFORM bigpicture.revoke_release(a ->> 'release_id', a ->> 'reason');
	END CASE;

	IF call IN ('set_policy', 'clear_policy') THEN
		RETURN jsonb_build_object(
			'tenant_id', CASE WHEN a ->> 'scope' IN ('tenant', 'tenant_product')
				THEN bigpicture._resolve_tenant(a ->> 'tenant_id') END,
			'product_id', a ->> 'product_id');
	END IF;
	SELECT r.product_id INTO release_product FROM bigpicture.releases r WHERE r.release_id = a ->> 'release_id';
	RETURN jsonb_build_object('tenant_id', NULL, 'product_id', release_product);
END
$$;
COMMENT ON FUNCTION bigpicture._dry_run_apply(jsonb) IS
	'internal: make a dry run''s change through the real call (in the dry run''s subtransaction); returns the tenant and product it can reach';

-- Every known install the change can reach, evaluated with and without it
-- in one snapshot, nothing written and nothing signed.
CREATE FUNCTION bigpicture.dry_run(change jsonb, sample integer DEFAULT 10) RETURNS jsonb
	LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'bigpicture_dry_run';
COMMENT ON FUNCTION bigpicture.dry_run(jsonb, integer) IS
	'what a change (a policy, a rollout, publishing or revoking a release) would do to every known install: decisions before and after, per tenant, with a sample; nothing is written or signed; see docs/dry-run.md';
-- Whoever may change something may ask what the change would do (the
-- change itself is then checked against the caller's own rights).
GRANT EXECUTE ON FUNCTION bigpicture.dry_run(jsonb, integer)
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_tenant_admin;

-- A dry run's change appends nothing to the audit (src/sql/80_audit.sql).
CREATE OR REPLACE FUNCTION bigpicture._audit_append(p_chain text, p_event_type text, p_object_type text, p_object_id text,
	p_before jsonb, p_after jsonb) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	h bigpicture.audit_heads;
	ev bigpicture.audit_events;
	-- Where the head row's current version is, remembered per session: a
	-- transaction that appends thousands of events to one chain (an import)
	-- would otherwise walk the head row's ever longer chain of versions from
	-- its index entry on every append.  A stale or forged value only misses.
	at_name text := 'bigpicture_audit.head_' || md5(p_chain);
	at tid := NULLIF(current_setting(at_name, true), '')::tid;
BEGIN
	-- A dry run's change is rolled back: locking the chain's head for the
	-- seconds it takes to decide the fleet would hold up every other append.
	IF bigpicture._dry_run_active() THEN
		RETURN NULL;
	END IF;
	IF at IS NOT NULL THEN
		SELECT * INTO h FROM bigpicture.audit_heads WHERE ctid = at AND chain_id = p_chain FOR UPDATE;
	END IF;
	IF at IS NULL OR NOT FOUND THEN
		INSERT INTO bigpicture.audit_heads (chain_id, seq, hash) VALUES (p_chain, 0, decode(repeat('00', 32), 'hex'))
		ON CONFLICT (chain_id) DO NOTHING;
		SELECT * INTO STRICT h FROM bigpicture.audit_heads WHERE chain_id = p_chain FOR UPDATE;
		SELECT ctid INTO at FROM bigpicture.audit_heads WHERE chain_id = p_chain;
	END IF;
	ev.chain_id := p_chain;
	ev.seq := h.seq + 1;
	ev.event_id := bigpicture.new_id('evt');
	ev.occurred_at := clock_timestamp();
	ev.actor := bigpicture.current_actor();
	ev.event_type := p_event_type;
	ev.object_type := p_object_type;
	ev.object_id := p_object_id;
	ev.before := p_before;
	ev.after := p_after;
	ev.context := bigpicture._audit_context();
	ev.prev_hash := h.hash;
	ev.hash := bigpicture.audit_hash(ev.prev_hash, ev.chain_id, ev.seq, ev.event_id, ev.occurred_at, ev.actor,
		ev.event_type, ev.object_type, ev.object_id, ev.before::text, ev.after::text, ev.context::text);
	INSERT INTO bigpicture.audit_events VALUES (ev.*);
	UPDATE bigpicture.audit_heads SET seq = ev.seq, hash = ev.hash, updated_at = now()
	 WHERE ctid = at AND chain_id = p_chain
	RETURNING ctid INTO at;
	PERFORM set_config(at_name, at::text, false);
	RETURN ev.seq;
END
$$;

-- ---- the dry run over HTTP --------------------------------------------------------------------------
CREATE FUNCTION bigpicture_api.dry_run(jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	req jsonb := bigpicture.api_request($1, '{change,sample}', '{change}');
BEGIN
	IF req ? 'sample' AND jsonb_typeof(req -> 'sample') <> 'number' THEN
		RAISE EXCEPTION 'field "sample" must be a whole number' USING ERRCODE = '22023';
	END IF;
	RETURN bigpicture.dry_run(req -> 'change', COALESCE((req ->> 'sample')::numeric::integer, 10));
END
$$;
COMMENT ON FUNCTION bigpicture_api.dry_run(jsonb) IS
	'POST /rpc/dry_run — what a change would do to the fleet, nothing written or signed (bigpicture.dry_run); scope policies:write or rollouts:write';

GRANT EXECUTE ON FUNCTION bigpicture_api.dry_run(jsonb)
	TO bigpicture_tenant_admin, bigpicture_publisher, bigpicture_approver, bigpicture_admin;

-- ---- events out: leases refused for want of a seat, counted and folded by the worker -------------
-- Leases refused for want of a seat (entitlement.leases_refused).  A
-- refusal is an error, so its transaction cannot write the event: issue_lease
-- counts it in shared memory (src/extension/seat_refusals.c) before raising,
-- and the worker's job fold_seat_refusals writes one event per tenant and
-- product with the count since the last fold.
CREATE FUNCTION bigpicture._note_seat_refusal(tenant_id text, product_id text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'bigpicture_note_seat_refusal' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION bigpicture._note_seat_refusal(text, text) IS
	'internal: count one lease refused for want of a seat (false: not counted, the library is not preloaded)';
REVOKE ALL ON FUNCTION bigpicture._note_seat_refusal(text, text) FROM PUBLIC;
CREATE FUNCTION bigpicture._take_seat_refusals() RETURNS TABLE (tenant_id text, product_id text, refusals bigint,
	first_refused_at timestamptz, last_refused_at timestamptz)
	AS 'MODULE_PATHNAME', 'bigpicture_take_seat_refusals' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION bigpicture._take_seat_refusals() IS
	'internal: take this database''s counted seat refusals (given back if the transaction aborts); a row without tenant counts refusals lost to a full table';
REVOKE ALL ON FUNCTION bigpicture._take_seat_refusals() FROM PUBLIC;

CREATE FUNCTION bigpicture.fold_seat_refusals() RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	folded jsonb;
BEGIN
	WITH taken AS MATERIALIZED (
		SELECT * FROM bigpicture._take_seat_refusals()
	), written AS (
		-- a tenant deleted since its refusal has no one left to tell
		SELECT r.refusals, bigpicture._emit_event('entitlement.leases_refused', r.tenant_id, jsonb_build_object(
			'tenant_id', r.tenant_id, 'product_id', r.product_id, 'refusals', r.refusals,
			'first_refused_at', bigpicture.rfc3339(r.first_refused_at),
			'last_refused_at', bigpicture.rfc3339(r.last_refused_at))) AS id
		  FROM taken r
		 WHERE EXISTS (SELECT 1 FROM bigpicture.tenants t WHERE t.tenant_id = r.tenant_id)
		 ORDER BY r.first_refused_at, r.tenant_id, r.product_id
	)
	SELECT jsonb_build_object('events', (SELECT count(*) FROM written),
		'refusals', (SELECT COALESCE(sum(w.refusals), 0) FROM written w),
		'lost', (SELECT COALESCE(sum(r.refusals), 0) FROM taken r WHERE r.tenant_id IS NULL))
	  INTO folded;
	IF (folded ->> 'lost')::bigint > 0 THEN
		RAISE WARNING '% lease refusals were not counted: the table of refusals was full', folded ->> 'lost'
			USING HINT = 'Run the job fold_seat_refusals more often (bigpicture.set_worker_job).';
	END IF;
	RETURN folded;
END
$$;
COMMENT ON FUNCTION bigpicture.fold_seat_refusals() IS
	'worker job: write entitlement.leases_refused, one per tenant and product, with the leases refused for want of a seat since the last run';

-- ---- policies without subqueries -------------------------------------------------------------------
-- Citus refuses subqueries in policies on distributed tables; current_tenant()
-- now answers once per statement itself, so the qual calls it directly; it
-- is no longer SECURITY DEFINER (15_tenants.sql says why).
CREATE OR REPLACE FUNCTION bigpicture.current_tenant() RETURNS text
	LANGUAGE C STABLE
	AS 'MODULE_PATHNAME', 'bigpicture_current_tenant';
ALTER POLICY own_tenant_read ON bigpicture.tenants USING (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_read ON bigpicture.installs USING (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_read ON bigpicture.key_certificates USING (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_read ON bigpicture.entitlements USING (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_all ON bigpicture.tenant_policies USING (tenant_id = bigpicture.current_tenant()) WITH CHECK (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_read ON bigpicture.decision_log USING (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_read ON bigpicture.leases USING (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_read ON bigpicture.lease_chains USING (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_chain_read ON bigpicture.audit_events USING (chain_id = bigpicture.current_tenant());
ALTER POLICY own_chain_read ON bigpicture.audit_checkpoints USING (chain_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_read ON bigpicture.mirrors USING (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_read ON bigpicture.snapshots USING (tenant_id = bigpicture.current_tenant());
ALTER POLICY own_tenant_read ON bigpicture.imported_snapshots USING (tenant_id = bigpicture.current_tenant());

-- ---- Citus (docs/scaling.md): statements Citus can plan, triggers safe on shards ---------------
CREATE OR REPLACE FUNCTION bigpicture.bind_role(role_name text, tenant_id text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._tenant_or_error(bind_role.tenant_id);
	IF role_name IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = bind_role.role_name) THEN
		RAISE EXCEPTION 'role "%" does not exist', role_name USING ERRCODE = '42704';
	END IF;
	IF role_name LIKE 'bigpicture\_%' THEN
		RAISE EXCEPTION 'the shared role "%" cannot be bound to one tenant', role_name USING ERRCODE = '22023',
			HINT = 'Bind a login role of the tenant''s own (a member of bigpicture_tenant_admin, for instance).';
	END IF;
	INSERT INTO bigpicture.tenant_roles AS r (role_name, tenant_id) VALUES (bind_role.role_name, bind_role.tenant_id)
	ON CONFLICT ON CONSTRAINT tenant_roles_pkey DO UPDATE SET tenant_id = EXCLUDED.tenant_id, created_at = EXCLUDED.created_at;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._keyset_claims(p_tenant_id text, p_all_tenants boolean)
	RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	revoked jsonb;
	cert_seq bigint;
	key_seq bigint;
BEGIN
	SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
			'kid', c.kid, 'purpose', c.purposes[1], 'tenant_id', c.tenant_id,
			'public_key', bigpicture.paserk_public(c.public_key), 'state', 'revoked',
			'created_at', c.issued_at, 'valid_from', c.issued_at, 'valid_until', c.revoked_at)), '[]')
	  INTO revoked
	  FROM bigpicture.key_certificates c
	 WHERE c.revoked_at IS NOT NULL AND c.valid_until > pg_catalog.now()
	   AND (c.tenant_id = p_tenant_id OR p_all_tenants);
	SELECT COALESCE(pg_catalog.max(c.change_seq), 0) INTO cert_seq FROM bigpicture.key_certificates c;
	SELECT COALESCE(pg_catalog.max(k.change_seq), 0) INTO key_seq FROM bigpicture.signing_keys k;
	RETURN pg_catalog.jsonb_build_object(
		'version', GREATEST(key_seq, cert_seq),
		'keys', COALESCE((
			SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
				'kid', k.kid, 'purpose', k.purpose, 'tenant_id', k.tenant_id,
				'public_key', k.public_key, 'state', k.state,
				'valid_from', bigpicture.rfc3339(k.valid_from),
				'valid_until', bigpicture.rfc3339(k.valid_until)) ORDER BY k.purpose, k.created_at, k.kid)
			FROM (SELECT p.kid, p.purpose, p.tenant_id, p.public_key, p.state, p.created_at, p.valid_from, p.valid_until
					FROM bigpicture._all_public_keys p
				   WHERE p.state <> 'retired' AND (p.tenant_id IS NULL OR p.tenant_id = p_tenant_id OR p_all_tenants)
				  UNION ALL
				  SELECT r.kid, r.purpose, r.tenant_id, r.public_key, r.state, r.created_at, r.valid_from, r.valid_until
					FROM pg_catalog.jsonb_to_recordset(revoked) AS r(kid text, purpose text, tenant_id text, public_key text,
						state text, created_at timestamptz, valid_from timestamptz, valid_until timestamptz)) k),
			'[]'::jsonb));
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.approve_release(release_id text, comment text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(approve_release.release_id);
	w bigpicture.approval_workflows := bigpicture.approval_workflow_for(r.product_id, r.channel);
	actor text := bigpicture.current_actor();
BEGIN
	PERFORM bigpicture._expect_status(r, 'pending_approval', 'approved');
	IF actor = r.submitted_by THEN
		RAISE EXCEPTION 'the submitter of release % cannot approve it', r.release_id USING ERRCODE = '42501',
			DETAIL = format('%s submitted it.', actor), HINT = 'Another approver must approve it.';
	END IF;
	-- An expired approval by the same approver is replaced by the new one.
	INSERT INTO bigpicture.release_approvals AS a (release_id, approver, comment)
	VALUES (r.release_id, actor, approve_release.comment)
	ON CONFLICT ON CONSTRAINT release_approvals_pkey DO UPDATE
		SET approved_at = EXCLUDED.approved_at, comment = EXCLUDED.comment
		WHERE a.approved_at <= EXCLUDED.approved_at - COALESCE(w.approval_expiry, interval '7 days');
	IF NOT FOUND THEN
		RAISE EXCEPTION '% has already approved release %', actor, r.release_id USING ERRCODE = '23505',
			HINT = 'Approvals must come from distinct approvers.';
	END IF;
	IF w.workflow_id IS NULL OR bigpicture._valid_approvals(r.release_id, w.approval_expiry) >= w.required_approvals THEN
		PERFORM bigpicture._publish(r.release_id);
		RETURN 'published';
	END IF;
	RETURN 'pending_approval';
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._publish(p_release_id text) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases;
	token text;
BEGIN
	SELECT * INTO STRICT r FROM bigpicture.releases WHERE release_id = p_release_id;
	token := bigpicture._sign('release', NULL, bigpicture.release_payload(r, now()),
		now() + bigpicture._setting_interval('release_ttl', 30 * 86400));
	UPDATE bigpicture.releases x SET status = 'published', published_at = now(), release_token = token
	 WHERE x.release_id = p_release_id;
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._snapshots_after_release(p_release_id, r.product_id, 'published');
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.revoke_release(release_id text, reason text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(revoke_release.release_id);
BEGIN
	PERFORM bigpicture._expect_status(r, 'published', 'revoked');
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'a revocation needs a reason' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.releases x SET status = 'revoked', revoked_at = now(),
		revoked_by = bigpicture.current_actor(), revoked_reason = reason
	 WHERE x.release_id = r.release_id;
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._snapshots_after_release(r.release_id, r.product_id, 'revoked');
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.entitlement_state_of(status text, starts_at timestamptz, ends_at timestamptz,
	at timestamptz DEFAULT pg_catalog.now())
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE
		WHEN status <> 'active' THEN status
		WHEN starts_at > at THEN 'not_started'
		WHEN ends_at IS NOT NULL AND ends_at <= at THEN 'expired'
		ELSE 'active' END;

CREATE OR REPLACE FUNCTION bigpicture.entitlement_state(e bigpicture.entitlements, at timestamptz DEFAULT pg_catalog.now())
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at, at);

CREATE OR REPLACE FUNCTION bigpicture._sign_lease(l bigpicture.leases, e bigpicture.entitlements, offline_grace interval,
	OUT token text, OUT seq bigint, OUT token_hash text)
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	chain bigpicture.lease_chains;
BEGIN
	SELECT * INTO chain FROM bigpicture.lease_chains c
	 WHERE c.tenant_id = l.tenant_id AND c.product_id = l.product_id AND c.subject = l.subject FOR UPDATE;
	seq := COALESCE(chain.last_seq, 0) + 1;
	token := bigpicture._sign('lease', l.tenant_id, jsonb_build_object(
		'lease_id', l.lease_id,
		'entitlement_id', l.entitlement_id,
		'tenant_id', l.tenant_id,
		'product_id', l.product_id,
		'sub', l.subject,
		'install_id', l.install_id,
		'license_type', e.type,
		'features', to_jsonb(l.features),
		'offline_grace', extract(epoch FROM offline_grace)::bigint,
		'seq', seq,
		'prev_hash', COALESCE(chain.last_token_hash, '')), l.expires_at, now());
	token_hash := encode(sha256(convert_to(token, 'UTF8')), 'hex');
	INSERT INTO bigpicture.lease_chains AS c (tenant_id, product_id, subject, last_seq, last_token_hash)
	VALUES (l.tenant_id, l.product_id, l.subject, seq, token_hash)
	ON CONFLICT (tenant_id, product_id, subject) DO UPDATE
		SET last_seq = EXCLUDED.last_seq, last_token_hash = EXCLUDED.last_token_hash, updated_at = EXCLUDED.updated_at;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.license_status(request jsonb) RETURNS jsonb
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	subj text := bigpicture._check_lease_request(request, '{tenant_id,product_id,subject_type,subject_id,install_id}',
		'{product_id}');
	t bigpicture.tenants := bigpicture._request_tenant(request ->> 'tenant_id');
BEGIN
	RETURN jsonb_build_object(
		'tenant_id', t.tenant_id,
		'product_id', request ->> 'product_id',
		'entitlements', COALESCE((
			SELECT jsonb_agg(jsonb_build_object(
				'entitlement_id', e.entitlement_id, 'type', e.type, 'state', bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at),
				'features', to_jsonb(e.features), 'ends_at', bigpicture.rfc3339(e.ends_at),
				'max_seats', e.max_seats, 'seats_used', u.used,
				'seats_available', CASE WHEN e.max_seats IS NOT NULL THEN greatest(e.max_seats - u.used, 0) END,
				'lease', (SELECT jsonb_build_object('lease_id', l.lease_id, 'expires_at', bigpicture.rfc3339(l.expires_at),
						'install_id', l.install_id)
					FROM bigpicture.leases l
					WHERE l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id AND l.subject = subj
					  AND l.revoked_at IS NULL AND l.released_at IS NULL AND l.expires_at > now()
					ORDER BY l.issued_at DESC LIMIT 1)) ORDER BY e.entitlement_id)
			FROM bigpicture.entitlements e
			CROSS JOIN LATERAL (SELECT count(*)::integer AS used FROM bigpicture.leases l
				WHERE l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id
				  AND l.released_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > now()) u
			WHERE e.tenant_id = t.tenant_id AND e.product_id = request ->> 'product_id'), '[]'::jsonb));
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.list_entitlements(tenant_id text DEFAULT NULL, product_id text DEFAULT NULL,
	expiring_within_days integer DEFAULT NULL, state text DEFAULT NULL)
	RETURNS TABLE (tenant_id text, entitlement_id text, product_id text, type text, state text, max_seats integer,
		seats_used integer, features text[], starts_at timestamptz, ends_at timestamptz, auto_renew boolean)
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT e.tenant_id, e.entitlement_id, e.product_id, e.type, bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at), e.max_seats,
		(SELECT count(*)::integer FROM bigpicture.leases l WHERE l.tenant_id = e.tenant_id
		   AND l.entitlement_id = e.entitlement_id AND l.released_at IS NULL AND l.revoked_at IS NULL
		   AND l.expires_at > now()),
		e.features, e.starts_at, e.ends_at, e.auto_renew
	FROM bigpicture.entitlements e
	WHERE (e.tenant_id = bigpicture.current_tenant()
		   OR bigpicture.current_tenant() IS NULL AND bigpicture.acts_for_all_tenants())
	  AND (list_entitlements.tenant_id IS NULL OR e.tenant_id = bigpicture._resolve_tenant(list_entitlements.tenant_id))
	  AND (list_entitlements.product_id IS NULL OR e.product_id = list_entitlements.product_id)
	  AND (list_entitlements.expiring_within_days IS NULL
		   OR e.ends_at <= now() + make_interval(days => list_entitlements.expiring_within_days) AND e.ends_at > now())
	  AND (list_entitlements.state IS NULL OR bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at) = list_entitlements.state)
	ORDER BY e.tenant_id, e.product_id, e.entitlement_id;
END;

CREATE OR REPLACE FUNCTION bigpicture.export_audit_chain(chain_id text) RETURNS SETOF text
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c text := bigpicture._audit_chain_for(export_audit_chain.chain_id);
BEGIN
	RETURN QUERY
	SELECT jsonb_build_object('v', 1, 'chain_id', e.chain_id, 'seq', e.seq, 'event_id', e.event_id,
		'occurred_at_us', (extract(epoch FROM e.occurred_at) * 1000000)::bigint,
		'occurred_at', to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		'actor', e.actor, 'event_type', e.event_type, 'object_type', e.object_type, 'object_id', e.object_id,
		'before', e.before::text, 'after', e.after::text, 'context', e.context::text,
		'prev_hash', encode(e.prev_hash, 'hex'), 'hash', encode(e.hash, 'hex'))::text
	FROM bigpicture.audit_events e
	WHERE e.chain_id = c
	ORDER BY e.seq;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.audit_log(chain_id text DEFAULT NULL, event_type text DEFAULT NULL, actor text DEFAULT NULL,
	from_time timestamptz DEFAULT NULL, to_time timestamptz DEFAULT NULL)
	RETURNS SETOF bigpicture.audit_events
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN QUERY
	SELECT e.* FROM bigpicture.audit_events e
	WHERE (audit_log.chain_id IS NULL OR e.chain_id = audit_log.chain_id)
	  AND (audit_log.event_type IS NULL OR e.event_type = audit_log.event_type)
	  AND (audit_log.actor IS NULL OR e.actor = audit_log.actor)
	  AND (audit_log.from_time IS NULL OR e.occurred_at >= audit_log.from_time)
	  AND (audit_log.to_time IS NULL OR e.occurred_at < audit_log.to_time)
	ORDER BY e.chain_id, e.seq;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._snapshots_after_release(p_release_id text, p_product_id text, p_status text) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text;
	needs_entitlement boolean := (SELECT p.requires_entitlement FROM bigpicture.products p WHERE p.product_id = p_product_id);
BEGIN
	-- A query per tenant, each naming it: on Citus each is a one-shard query
	-- (a correlated join of the tenant list with the tenants' tables is not).
	FOR t IN SELECT x.tenant_id FROM bigpicture.tenants x ORDER BY x.tenant_id LOOP
		CONTINUE WHEN NOT EXISTS (SELECT 1 FROM bigpicture.mirrors m WHERE m.tenant_id = t AND m.status <> 'INACTIVE')
			AND NOT EXISTS (SELECT 1 FROM bigpicture.snapshots s WHERE s.tenant_id = t);
		CONTINUE WHEN needs_entitlement
			AND NOT EXISTS (SELECT 1 FROM bigpicture.entitlements e WHERE e.tenant_id = t AND e.product_id = p_product_id);
		IF NOT EXISTS (SELECT 1 FROM bigpicture.signing_keys k
					   WHERE k.purpose = 'snapshot' AND k.state = 'active' AND k.tenant_id IS NULL) THEN
			RAISE WARNING 'no snapshot was generated for the tenants that take snapshots'
				USING DETAIL = 'There is no active snapshot signing key.',
					  HINT = 'Create one with bigpicture.generate_key(''snapshot'') and activate it.';
			RETURN;
		END IF;
		PERFORM bigpicture._generate_snapshot(t, false, NULL, 'release ' || p_release_id || ' ' || p_status);
	END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.snapshots_on_release() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NEW.status NOT IN ('published', 'revoked') OR NEW.status = OLD.status
		OR right(TG_TABLE_NAME, 1) BETWEEN '0' AND '9' THEN
		RETURN NULL;
	END IF;
	PERFORM bigpicture._snapshots_after_release(NEW.release_id, NEW.product_id, NEW.status);
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._citus_distributed() RETURNS boolean
	LANGUAGE C STABLE
	AS 'MODULE_PATHNAME', 'bigpicture_citus_distributed';
COMMENT ON FUNCTION bigpicture._citus_distributed() IS
	'internal (Citus): whether bigpicture.citus_distribute() has distributed the extension''s tables in this database';

-- Is this node a Citus worker (not the coordinator)?
CREATE FUNCTION bigpicture._citus_worker() RETURNS boolean
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
		RETURN false;
	END IF;
	RETURN (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) <> 0;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._citus_worker() RETURNS boolean
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF pg_catalog.to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
		RETURN false;
	END IF;
	RETURN (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g) <> 0;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._citus_chain_is_here(chain text) RETURNS boolean
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RETURN EXISTS (SELECT FROM pg_catalog.pg_dist_placement p
		WHERE p.shardid = pg_catalog.get_shard_id_for_distribution_column('bigpicture.audit_heads', chain)
		  AND p.groupid = (SELECT g.groupid FROM pg_catalog.pg_dist_local_group g));
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.citus_plan() RETURNS TABLE (table_name text, placement text, distribution_column text)
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT x.t, x.p, x.c FROM (VALUES
		(1, 'tenants', 'reference', NULL), (2, 'tenant_roles', 'reference', NULL), (3, 'signing_keys', 'reference', NULL),
		(4, 'trusted_root_keys', 'reference', NULL), (5, 'products', 'reference', NULL), (6, 'channels', 'reference', NULL),
		(7, 'artifacts', 'reference', NULL), (8, 'releases', 'reference', NULL), (9, 'release_artifacts', 'reference', NULL),
		(10, 'rollouts', 'reference', NULL), (11, 'rollout_counts', 'reference', NULL),
		(12, 'vendor_policies', 'reference', NULL), (13, 'approval_workflows', 'reference', NULL),
		(14, 'release_approvals', 'reference', NULL),
		(20, 'installs', 'distributed', 'tenant_id'), (21, 'entitlements', 'distributed', 'tenant_id'),
		(22, 'entitlement_notices', 'distributed', 'tenant_id'), (23, 'leases', 'distributed', 'tenant_id'),
		(24, 'lease_chains', 'distributed', 'tenant_id'), (25, 'tenant_policies', 'distributed', 'tenant_id'),
		(26, 'decision_log', 'distributed', 'tenant_id'), (27, 'install_reports', 'distributed', 'tenant_id'),
		(28, 'rollout_members', 'distributed', 'tenant_id'), (29, 'mirrors', 'distributed', 'tenant_id'),
		(30, 'snapshots', 'distributed', 'tenant_id'), (31, 'imported_snapshots', 'distributed', 'tenant_id'),
		(32, 'key_certificates', 'distributed', 'tenant_id'),
		(33, 'audit_heads', 'distributed', 'chain_id'), (34, 'audit_events', 'distributed', 'chain_id'),
		(35, 'audit_checkpoints', 'distributed', 'chain_id'),
		(40, 'events', 'coordinator', NULL), (41, 'webhook_subscriptions', 'coordinator', NULL),
		(42, 'webhook_cursors', 'coordinator', NULL), (43, 'webhook_deliveries', 'coordinator', NULL),
		(44, 'worker_jobs', 'coordinator', NULL)) AS x(n, t, p, c)
	ORDER BY x.n;
END;

CREATE OR REPLACE FUNCTION bigpicture.citus_distribute() RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	fks jsonb;
	f record;
	t record;
	planned text[];
BEGIN
	IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RAISE EXCEPTION 'Citus is not installed in this database' USING ERRCODE = '55000',
			HINT = 'CREATE EXTENSION citus on every node first; see docs/scaling.md.';
	END IF;
	IF bigpicture._citus_worker() THEN
		RAISE EXCEPTION 'citus_distribute() runs on the coordinator' USING ERRCODE = '55000';
	END IF;
	IF bigpicture._citus_distributed() THEN
		RAISE EXCEPTION 'the extension''s tables are already distributed' USING ERRCODE = '55000';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_node n WHERE n.groupid <> 0 AND n.noderole = 'primary' AND n.isactive) THEN
		RAISE EXCEPTION 'the cluster has no workers' USING ERRCODE = '55000',
			HINT = 'Add them with citus_add_node() first; see docs/scaling.md.';
	END IF;
	SELECT pg_catalog.array_agg('bigpicture.' || p.table_name) INTO planned FROM bigpicture.citus_plan() p
	 WHERE p.placement <> 'coordinator';

	-- Citus connects to the workers as the current role: the extension's roles
	-- must be able to log in there (pg_hba.conf keeps them to the nodes).
	FOR t IN SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname LIKE 'bigpicture\_%' AND NOT r.rolcanlogin LOOP
		EXECUTE format('ALTER ROLE %I LOGIN', t.rolname);
	END LOOP;
	SET LOCAL citus.enable_unsafe_triggers = on;
	SET LOCAL citus.multi_shard_modify_mode = 'sequential';

	SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('tbl', c.conrelid::regclass::text, 'name', c.conname,
			'def', pg_catalog.pg_get_constraintdef(c.oid), 'back', c.conrelid::regclass::text = ANY (planned)))
	  INTO fks FROM pg_catalog.pg_constraint c
	 WHERE c.contype = 'f' AND c.connamespace = 'bigpicture'::regnamespace
	   AND c.confrelid::regclass::text = ANY (planned);
	FOR f IN SELECT * FROM pg_catalog.jsonb_to_recordset(fks) AS x(tbl text, name text, def text, back boolean) LOOP
		EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', f.tbl, f.name);
		PERFORM pg_catalog.run_command_on_workers(format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', f.tbl, f.name));
	END LOOP;

	FOR t IN SELECT * FROM bigpicture.citus_plan() p WHERE p.placement = 'reference' LOOP
		PERFORM pg_catalog.create_reference_table(('bigpicture.' || t.table_name)::regclass);
	END LOOP;
	FOR t IN SELECT * FROM bigpicture.citus_plan() p WHERE p.placement = 'distributed' LOOP
		PERFORM pg_catalog.create_distributed_table(('bigpicture.' || t.table_name)::regclass, t.distribution_column,
			colocate_with => CASE WHEN t.table_name = 'installs' THEN 'none' ELSE 'bigpicture.installs' END);
	END LOOP;

	FOR f IN SELECT * FROM pg_catalog.jsonb_to_recordset(fks) AS x(tbl text, name text, def text, back boolean) WHERE x.back LOOP
		EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', f.tbl, f.name, f.def);
	END LOOP;
END
$$;

CREATE OR REPLACE VIEW bigpicture.entitlement_usage WITH (security_barrier) AS
SELECT e.tenant_id, e.entitlement_id, e.product_id, e.type, bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at) AS state, e.max_seats,
	u.used AS seats_used,
	CASE WHEN e.max_seats IS NOT NULL THEN greatest(e.max_seats - u.used, 0) END AS seats_available,
	CASE WHEN e.max_seats IS NOT NULL THEN round(u.used::numeric / e.max_seats, 4) END AS utilisation
FROM bigpicture.entitlements e
CROSS JOIN LATERAL (SELECT count(*)::integer AS used FROM bigpicture.leases l
	WHERE l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id
	  AND l.released_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > pg_catalog.now()) u
WHERE e.tenant_id = (SELECT bigpicture.current_tenant())
   OR (SELECT bigpicture.current_tenant()) IS NULL AND (SELECT bigpicture.acts_for_all_tenants());
COMMENT ON FUNCTION bigpicture.entitlement_state_of(text, timestamptz, timestamptz, timestamptz) IS
	'entitlement_state() from the columns: for queries over the table, which Citus runs on shards of another row type';
COMMENT ON FUNCTION bigpicture._citus_distributed() IS
	'internal (Citus): whether bigpicture.citus_distribute() has distributed the extension''s tables in this database';
COMMENT ON FUNCTION bigpicture._citus_worker() IS
	'internal (Citus): whether this node is a worker, where triggers on shards and reference copies write no event';
COMMENT ON FUNCTION bigpicture._citus_chain_is_here(text) IS
	'internal (Citus): whether this node holds the shard of the audit chain, so a trigger on a shard appends to it here';
COMMENT ON FUNCTION bigpicture.citus_plan() IS
	'what citus_distribute() makes of each table: reference, distributed (by tenant_id or chain_id, colocated) or coordinator (local)';
COMMENT ON FUNCTION bigpicture.citus_distribute() IS
	'on a Citus coordinator with its workers added: distribute the extension''s tables as citus_plan() says (docs/scaling.md)';
GRANT EXECUTE ON FUNCTION bigpicture.entitlement_state_of(text, timestamptz, timestamptz, timestamptz)
	TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- (Citus, continued) the snapshot content, the tenant's rows first, then the catalogue
CREATE OR REPLACE FUNCTION bigpicture._snapshot_content(p_tenant_id text) RETURNS jsonb
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres'
	AS $$
DECLARE
	-- products the tenant holds an entitlement to or has a policy for
	held text[];
	tenant_policies jsonb;
	entitlements jsonb;
	checkpoint text;
	certificates jsonb;
	cert_seq bigint;
	key_seq bigint;
	effective jsonb := '{}';
	product text;
	catalog jsonb;
BEGIN
	SELECT array_agg(DISTINCT x.product_id) INTO held FROM (
		SELECT e.product_id FROM bigpicture.entitlements e WHERE e.tenant_id = p_tenant_id
		UNION ALL
		SELECT tp.product_id FROM bigpicture.tenant_policies tp WHERE tp.tenant_id = p_tenant_id AND tp.product_id IS NOT NULL) x;
	SELECT COALESCE(jsonb_agg(to_jsonb(tp) ORDER BY tp.policy_id), '[]') INTO tenant_policies
	  FROM bigpicture.tenant_policies tp WHERE tp.tenant_id = p_tenant_id;
	SELECT COALESCE(jsonb_agg(to_jsonb(e) ORDER BY e.entitlement_id), '[]') INTO entitlements
	  FROM bigpicture.entitlements e WHERE e.tenant_id = p_tenant_id;
	SELECT c.token INTO checkpoint FROM bigpicture.audit_checkpoints c
	 WHERE c.chain_id = p_tenant_id ORDER BY c.seq DESC LIMIT 1;
	-- The tenant's mirror keys' certificates as signed now, so a mirror
	-- picks up a certificate re-signed after a root rotation.
	SELECT COALESCE(jsonb_agg(c.token ORDER BY c.kid), '[]') INTO certificates FROM bigpicture.key_certificates c
	 WHERE c.tenant_id = p_tenant_id AND c.revoked_at IS NULL AND c.valid_until > now();
	SELECT COALESCE(max(c.change_seq), 0) INTO cert_seq FROM bigpicture.key_certificates c;
	SELECT COALESCE(max(k.change_seq), 0) INTO key_seq FROM bigpicture.signing_keys k;
	FOR product IN SELECT p.product_id FROM bigpicture.products p
		WHERE NOT p.requires_entitlement OR p.product_id = ANY (held) LOOP
		effective := effective || jsonb_build_object(product, bigpicture.effective_policy(p_tenant_id, product));
	END LOOP;

	WITH prod AS (
		SELECT p.* FROM bigpicture.products p
		WHERE NOT p.requires_entitlement OR p.product_id = ANY (held)),
	rel AS (
		SELECT r.* FROM bigpicture.releases r JOIN prod USING (product_id)
		WHERE r.status IN ('published', 'revoked'))
	SELECT jsonb_build_object(
		'tenant', (SELECT to_jsonb(t) FROM bigpicture.tenants t WHERE t.tenant_id = p_tenant_id),
		'products', COALESCE((SELECT jsonb_agg(to_jsonb(p) ORDER BY p.product_id) FROM prod p), '[]'),
		'channels', COALESCE((SELECT jsonb_agg(to_jsonb(c) ORDER BY c.product_id, c.channel)
			FROM bigpicture.channels c JOIN prod USING (product_id)), '[]'),
		'artifacts', COALESCE((SELECT jsonb_agg(to_jsonb(a) ORDER BY a.artifact_id) FROM bigpicture.artifacts a
			WHERE a.artifact_id IN (SELECT ra.artifact_id FROM bigpicture.release_artifacts ra JOIN rel USING (release_id))), '[]'),
		'releases', COALESCE((SELECT jsonb_agg(to_jsonb(r) || jsonb_build_object('artifacts', COALESCE((
				SELECT jsonb_agg(to_jsonb(ra) ORDER BY ra.artifact_id) FROM bigpicture.release_artifacts ra
				WHERE ra.release_id = r.release_id), '[]')) ORDER BY r.release_id) FROM rel r), '[]'),
		'rollouts', COALESCE((SELECT jsonb_agg(to_jsonb(o) ORDER BY o.release_id, o.platform NULLS FIRST)
			FROM bigpicture.rollouts o JOIN rel USING (release_id)), '[]'),
		'vendor_policies', COALESCE((SELECT jsonb_agg(to_jsonb(v) ORDER BY v.policy_id) FROM bigpicture.vendor_policies v
			WHERE v.product_id IS NULL OR v.product_id IN (SELECT product_id FROM prod)), '[]'))
	  INTO catalog;
	RETURN catalog || jsonb_build_object(
		'tenant_policies', tenant_policies,
		'effective_policies', effective,
		'entitlements', entitlements,
		'keyset_version', GREATEST(key_seq, cert_seq),
		'audit_checkpoint', checkpoint,
		'key_certificates', certificates);
END
$$;

-- (Citus, continued) the worker jobs: no row locks across shards, no now() next to a column in SET
CREATE OR REPLACE FUNCTION bigpicture.refresh_signatures() RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	release_ttl interval := bigpicture._setting_interval('release_ttl', 30 * 86400);
	checkpoint_ttl interval := bigpicture._setting_interval('checkpoint_ttl', 30 * 86400);
	decision_kid text := bigpicture._active_kid('decision', NULL);
	root_kid text := bigpicture._active_kid('root', NULL);
	n_releases integer := 0;
	n_certificates integer := 0;
	n_checkpoints integer := 0;
	n_snapshots integer := 0;
	snapshot_kid text;
	kid text;
	r record;
	rel bigpicture.releases;
	last bigpicture.snapshots;
BEGIN
	-- One refresher at a time (the worker, a scheduler, an admin by hand).
	PERFORM pg_advisory_xact_lock(hashtext('bigpicture.refresh_signatures'));

	IF decision_kid IS NOT NULL THEN
		FOR rel IN SELECT x.* FROM bigpicture.releases x
				 WHERE x.status IN ('published', 'revoked')
				   AND bigpicture._needs_resigning(x.release_token, decision_kid, release_ttl)
				 ORDER BY x.release_id FOR UPDATE LOOP
			UPDATE bigpicture.releases x SET release_token = bigpicture._sign('release', NULL,
				bigpicture.release_payload(rel, rel.published_at), now() + release_ttl)
			 WHERE x.release_id = rel.release_id;
			n_releases := n_releases + 1;
		END LOOP;
	END IF;

	-- A certificate keeps its own end (valid_until): only its signer changes.
	-- No FOR UPDATE (Citus cannot lock rows across shards): what is signed
	-- never changes, and the UPDATE skips a certificate revoked meanwhile.
	IF root_kid IS NOT NULL THEN
		FOR r IN SELECT c.* FROM bigpicture.key_certificates c
				 WHERE c.revoked_at IS NULL AND c.valid_until > now()
				   AND (bigpicture.paseto_footer(c.token) ->> 'kid') IS DISTINCT FROM root_kid
				 ORDER BY c.kid LOOP
			UPDATE bigpicture.key_certificates c SET token = bigpicture._sign('key_certificate', NULL,
				bigpicture._key_certificate_claims(r.kid, r.public_key, r.tenant_id, r.purposes, r.mirror_id),
				r.valid_until, r.issued_at)
			 WHERE c.tenant_id = r.tenant_id AND c.kid = r.kid AND c.revoked_at IS NULL;
			IF FOUND THEN
				n_certificates := n_certificates + 1;
			END IF;
		END LOOP;
	END IF;

	-- The latest checkpoint of each chain is the one served and verified.
	-- The signing key is looked up per chain in the loop, not in the query:
	-- on Citus the query runs on the shards, where a lookup is a nested query.
	FOR r IN SELECT DISTINCT ON (c.chain_id) c.chain_id, c.seq, c.hash, c.token,
				 CASE WHEN c.chain_id = 'vendor' THEN NULL ELSE c.chain_id END AS tenant_id
			 FROM bigpicture.audit_checkpoints c ORDER BY c.chain_id, c.seq DESC LOOP
		kid := bigpicture._active_kid('audit', r.tenant_id);
		CONTINUE WHEN kid IS NULL OR NOT bigpicture._needs_resigning(r.token, kid, checkpoint_ttl);
		UPDATE bigpicture.audit_checkpoints c SET token = bigpicture._sign('checkpoint', r.tenant_id,
			bigpicture._checkpoint_claims(r.chain_id, r.seq, r.hash), now() + checkpoint_ttl)
		 WHERE c.chain_id = r.chain_id AND c.seq = r.seq;
		n_checkpoints := n_checkpoints + 1;
	END LOOP;

	-- Last, the snapshots, which carry all of the above: a new one (the
	-- next seq, so mirrors take it) when its signer changed or half its
	-- life is gone (forced), or what it carries changed (which
	-- _generate_snapshot finds by itself); with the lifetime the last had.
	snapshot_kid := bigpicture._active_kid('snapshot', NULL);
	IF snapshot_kid IS NOT NULL THEN
		FOR last IN SELECT DISTINCT ON (s.tenant_id) s.* FROM bigpicture.snapshots s
					ORDER BY s.tenant_id, s.seq DESC LOOP
			PERFORM bigpicture._generate_snapshot(last.tenant_id,
				bigpicture._needs_resigning(last.token, snapshot_kid, last.expires_at - last.created_at),
				last.expires_at - last.created_at, 're-signed');
			IF (SELECT max(s.seq) FROM bigpicture.snapshots s WHERE s.tenant_id = last.tenant_id) > last.seq THEN
				n_snapshots := n_snapshots + 1;
			END IF;
		END LOOP;
	END IF;

	RETURN jsonb_build_object('releases', n_releases, 'key_certificates', n_certificates,
		'checkpoints', n_checkpoints, 'snapshots', n_snapshots);
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.renew_due_entitlements() RETURNS integer
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	due timestamptz := now() + interval '1 day';
	r record;
	n integer := 0;
BEGIN
	-- The new end is computed in a query and written by key: Citus refuses a
	-- STABLE function (timestamptz + interval) next to a column in SET.  The
	-- UPDATE matches the end it read, so two runs never renew twice.
	-- As many renewal periods as it takes to run past tomorrow, so an
	-- entitlement the scheduler missed catches up in one run.
	FOR r IN SELECT e.tenant_id, e.entitlement_id, e.ends_at,
				e.ends_at + make_interval(days => e.renewal_days * greatest(1, ceil(
					extract(epoch FROM due - e.ends_at) / (e.renewal_days * 86400.0))::integer)) AS new_end
			 FROM bigpicture.entitlements e
			 WHERE e.auto_renew AND e.status = 'active' AND e.ends_at IS NOT NULL AND e.ends_at <= due LOOP
		UPDATE bigpicture.entitlements e SET ends_at = r.new_end, updated_at = now()
		 WHERE e.tenant_id = r.tenant_id AND e.entitlement_id = r.entitlement_id AND e.ends_at = r.ends_at
		   AND e.auto_renew AND e.status = 'active';
		IF FOUND THEN
			n := n + 1;
		END IF;
	END LOOP;
	RETURN n;
END
$$;

-- (Citus, continued) events of tenant tables, written by the functions that make the change
CREATE OR REPLACE FUNCTION bigpicture._entitlement_created_event(e bigpicture.entitlements) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._emit_event('entitlement.created', e.tenant_id, jsonb_build_object(
		'entitlement_id', e.entitlement_id, 'tenant_id', e.tenant_id, 'product_id', e.product_id,
		'type', e.type, 'max_seats', e.max_seats, 'ends_at', bigpicture.rfc3339(e.ends_at)));
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._checkpoint_signed_event(chain_id text, seq bigint, hash bytea) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._emit_event('audit.checkpoint_signed', NULLIF(chain_id, 'vendor'),
		jsonb_build_object('chain_id', chain_id, 'seq', seq, 'hash', encode(hash, 'hex')));
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._snapshot_generated_event(tenant_id text, seq bigint, expires_at timestamptz,
	content_hash text) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._emit_event('snapshot.generated', tenant_id, jsonb_build_object('tenant_id', tenant_id,
		'seq', seq, 'expires_at', bigpicture.rfc3339(expires_at), 'content_hash', content_hash));
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._seats_exhausted_event(p_tenant_id text, p_entitlement_id text, p_lease_id text)
	RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	e bigpicture.entitlements;
	used integer;
BEGIN
	SELECT * INTO e FROM bigpicture.entitlements x WHERE x.tenant_id = p_tenant_id AND x.entitlement_id = p_entitlement_id;
	IF e.max_seats IS NULL OR e.type = 'feature_based' THEN
		RETURN;
	END IF;
	SELECT count(*) INTO used FROM bigpicture.leases x
	 WHERE x.tenant_id = p_tenant_id AND x.entitlement_id = p_entitlement_id
	   AND x.released_at IS NULL AND x.revoked_at IS NULL AND x.expires_at > now();
	IF used = e.max_seats THEN
		PERFORM bigpicture._emit_event('entitlement.seats_exhausted', p_tenant_id, jsonb_build_object(
			'entitlement_id', e.entitlement_id, 'tenant_id', e.tenant_id, 'product_id', e.product_id,
			'max_seats', e.max_seats, 'seats_used', used, 'lease_id', p_lease_id));
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._mirror_failed_event(o bigpicture.mirrors, n bigpicture.mirrors) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF n.status = 'ERROR' AND (o.status <> 'ERROR' OR n.last_error IS DISTINCT FROM o.last_error) THEN
		PERFORM bigpicture._emit_event('mirror.sync_failed', n.tenant_id, jsonb_build_object('tenant_id', n.tenant_id,
			'mirror_id', n.mirror_id, 'name', n.name, 'last_error', n.last_error,
			'last_sync_at', bigpicture.rfc3339(n.last_sync_at)));
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.create_entitlement(tenant_id text, product_id text, type text,
	max_seats integer DEFAULT NULL, features text[] DEFAULT '{}', starts_at timestamptz DEFAULT NULL,
	ends_at timestamptz DEFAULT NULL, auto_renew boolean DEFAULT false, renewal_days integer DEFAULT 365,
	default_lease_duration interval DEFAULT '1 day', max_lease_duration interval DEFAULT '7 days',
	entitlement_id text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id text := bigpicture._check_id(COALESCE(create_entitlement.entitlement_id, bigpicture.new_id('ent')), 'ent', 'entitlement');
	starts timestamptz := COALESCE(create_entitlement.starts_at, now());
	created bigpicture.entitlements;
BEGIN
	PERFORM bigpicture._tenant_or_error(create_entitlement.tenant_id);
	PERFORM bigpicture._product_or_error(create_entitlement.product_id);
	IF type IS NULL OR type NOT IN ('per_user', 'per_machine', 'concurrent', 'feature_based') THEN
		RAISE EXCEPTION 'invalid entitlement type "%"', type USING ERRCODE = '22023',
			HINT = 'Use per_user, per_machine, concurrent or feature_based.';
	END IF;
	IF type <> 'feature_based' AND (max_seats IS NULL OR max_seats <= 0) THEN
		RAISE EXCEPTION 'a % entitlement needs max_seats greater than zero', type USING ERRCODE = '22023';
	END IF;
	IF max_seats IS NOT NULL AND max_seats <= 0 THEN
		RAISE EXCEPTION 'max_seats must be greater than zero' USING ERRCODE = '22023';
	END IF;
	IF ends_at IS NOT NULL AND ends_at <= starts THEN
		RAISE EXCEPTION 'ends_at must be after starts_at' USING ERRCODE = '22023';
	END IF;
	IF default_lease_duration IS NULL OR max_lease_duration IS NULL OR default_lease_duration <= interval '0'
	   OR max_lease_duration < default_lease_duration THEN
		RAISE EXCEPTION 'lease durations must be positive, with the default no longer than the maximum' USING ERRCODE = '22023';
	END IF;
	IF renewal_days IS NULL OR renewal_days NOT BETWEEN 1 AND 3660 THEN
		RAISE EXCEPTION 'renewal_days must be 1 to 3660' USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.entitlements (tenant_id, entitlement_id, product_id, type, max_seats, features,
		starts_at, ends_at, auto_renew, renewal_days, default_lease_duration, max_lease_duration)
	VALUES (create_entitlement.tenant_id, id, create_entitlement.product_id, create_entitlement.type,
		create_entitlement.max_seats, COALESCE(create_entitlement.features, '{}'), starts, create_entitlement.ends_at,
		COALESCE(create_entitlement.auto_renew, false), create_entitlement.renewal_days,
		create_entitlement.default_lease_duration, create_entitlement.max_lease_duration)
	RETURNING * INTO created;
	-- on Citus the trigger ran on a worker's shard (87_events.sql)
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._entitlement_created_event(created);
	END IF;
	RETURN id;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'entitlement "%" already exists', id USING ERRCODE = '23505';
END
$$;

CREATE OR REPLACE FUNCTION bigpicture._generate_snapshot(p_tenant_id text, force boolean, ttl interval, reason text)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	content jsonb;
	hash text;
	last bigpicture.snapshots;
	seq bigint;
	created timestamptz := date_trunc('second', now());
	expires timestamptz;
	token text;
BEGIN
	ttl := COALESCE(ttl, bigpicture._setting_interval('snapshot_ttl', 14 * 86400));
	IF ttl < interval '1 second' OR ttl > interval '400 days' THEN
		RAISE EXCEPTION 'snapshot ttl must be between 1 second and 400 days' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(ttl::text, 'NULL'));
	END IF;
	-- One generation per tenant at a time, so sequence numbers never fork.
	PERFORM pg_advisory_xact_lock(hashtext('bigpicture.snapshot:' || p_tenant_id));
	content := bigpicture._snapshot_content(p_tenant_id);
	hash := encode(sha256(convert_to(content::text, 'UTF8')), 'hex');
	SELECT * INTO last FROM bigpicture.snapshots s WHERE s.tenant_id = p_tenant_id ORDER BY s.seq DESC LIMIT 1;
	IF FOUND AND last.content_hash = hash AND NOT force AND last.expires_at > now() THEN
		RETURN last.token;
	END IF;
	seq := COALESCE(last.seq, 0) + 1;
	expires := created + ttl;
	-- The content travels as one JSON text: a stock verifier counts the
	-- members of a payload (paseto-ts refuses more than 128 by default),
	-- and a catalog has thousands.  content_hash is the SHA-256 of that text.
	token := bigpicture._sign('snapshot', NULL, jsonb_build_object(
		'tenant_id', p_tenant_id,
		'seq', seq,
		'content_hash', hash,
		'offline_grace', content -> 'tenant' ->> 'offline_grace',
		'content', content::text,
		'keysets', (SELECT jsonb_agg(k.token ORDER BY k.state, k.kid)
			FROM bigpicture._keyset_tokens(bigpicture._keyset_claims(p_tenant_id, false), expires) k)), expires);
	INSERT INTO bigpicture.snapshots (tenant_id, seq, created_at, expires_at, content_hash, reason, token)
	VALUES (p_tenant_id, seq, created, expires, hash, reason, token);
	-- on Citus the trigger ran on a worker's shard (87_events.sql)
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._snapshot_generated_event(p_tenant_id, seq, expires, hash);
	END IF;
	RETURN token;
END
$$;

CREATE OR REPLACE FUNCTION bigpicture.set_mirror_status(mirror_id text, status text, last_error text DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	m bigpicture.mirrors := bigpicture._mirror_or_error(set_mirror_status.mirror_id);
	n bigpicture.mirrors;
BEGIN
	IF status IS NULL OR status NOT IN ('ACTIVE', 'INACTIVE', 'ERROR') THEN
		RAISE EXCEPTION 'invalid mirror status "%"', status USING ERRCODE = '22023',
			HINT = 'A mirror is ACTIVE, INACTIVE or ERROR.';
	END IF;
	IF status = 'ERROR' AND (last_error IS NULL OR last_error !~ '[^[:space:]]') THEN
		RAISE EXCEPTION 'an ERROR status needs last_error' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.mirrors x SET status = set_mirror_status.status,
		last_error = CASE WHEN set_mirror_status.status = 'ERROR' THEN set_mirror_status.last_error ELSE x.last_error END,
		updated_at = now()
	 WHERE x.tenant_id = m.tenant_id AND x.mirror_id = m.mirror_id
	RETURNING * INTO n;
	-- on Citus the trigger ran on a worker's shard (87_events.sql)
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._mirror_failed_event(m, n);
	END IF;
END
$$;

-- ---- privileges, as src/sql/99_privileges.sql applies them at install -------------------------------
-- Privileges, last so that nothing created above escapes them.  PostgreSQL
-- grants EXECUTE on new functions to PUBLIC; we take that back from every
-- function of the extension except the pure value functions below, which
-- anyone who can reach the schema may call (schema USAGE is itself granted
-- only to the bigpicture_* roles).  Everything else is granted role by role
-- in the file that creates it.

DO $privileges$
DECLARE
	f record;
BEGIN
	FOR f IN
		SELECT p.oid::regprocedure AS sig, p.proname
		FROM pg_catalog.pg_proc p
		JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass
			AND d.objid = p.oid AND d.deptype = 'e'
		JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'bigpicture'
	LOOP
		IF f.proname OPERATOR(pg_catalog.~) '^semver_'
			OR f.proname IN ('max', 'min', 'paserk_public', 'paserk_pid', 'paseto_verify',
							 'paseto_footer', 'rfc3339', 'key_purpose_of', 'new_id', 'is_valid_id', 'rollout_bucket') THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f.sig);
		ELSE
			EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f.sig);
		END IF;
	END LOOP;
END
$privileges$;

-- Ownership: tables, sequences, views and functions belong to the NOLOGIN
-- role bigpicture_owner, so SECURITY DEFINER functions never run as the
-- superuser who installed the extension.  Types and operators stay with the
-- installer; they grant nothing.
-- Then a GRANT the new owner already holds: pg_dump compares privileges with
-- pg_init_privs, which a GRANT in this script records and a change of owner
-- does not.  Without it every dump would restate the owner's privileges of
-- every object (~250 statements), which fail on a restore into a later
-- version that renamed a function (docs/backup.md).
DO $ownership$
DECLARE
	o record;
BEGIN
	FOR o IN
		SELECT CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' END AS kind,
			CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS grant_kind, c.oid::regclass::text AS name
		FROM pg_catalog.pg_class c
		WHERE c.relnamespace IN ('bigpicture'::regnamespace, 'bigpicture_api'::regnamespace) AND c.relkind IN ('r', 'S', 'v')
		UNION ALL
		SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, 'FUNCTION', p.oid::regprocedure::text
		FROM pg_catalog.pg_proc p
		WHERE p.pronamespace IN ('bigpicture'::regnamespace, 'bigpicture_api'::regnamespace)
	LOOP
		EXECUTE pg_catalog.format('ALTER %s %s OWNER TO bigpicture_owner', o.kind, o.name);
		EXECUTE pg_catalog.format('GRANT ALL ON %s %s TO bigpicture_owner', o.grant_kind, o.name);
	END LOOP;
END
$ownership$;

-- Functions bigpicture_owner creates later are not executable by PUBLIC (see 99_privileges.sql).
ALTER DEFAULT PRIVILEGES FOR ROLE bigpicture_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
