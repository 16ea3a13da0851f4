-- Tamper-evident audit: one hash chain per tenant plus the vendor
-- chain.  Every event's hash covers the previous hash and the event's fields
-- in a versioned, length-prefixed encoding (docs/audit.md; src/core/audit_hash.c),
-- so an exported chain can be re-verified without PostgreSQL.

CREATE TABLE bigpicture.audit_events (
	chain_id     text NOT NULL CHECK (chain_id = 'vendor' OR bigpicture.is_valid_id(chain_id, 'tenant')),
	seq          bigint NOT NULL CHECK (seq > 0),
	event_id     text NOT NULL,
	occurred_at  timestamptz NOT NULL,
	actor        text NOT NULL,
	event_type   text NOT NULL,
	object_type  text NOT NULL,
	object_id    text,
	before       jsonb,
	after        jsonb,
	context      jsonb,
	prev_hash    bytea NOT NULL CHECK (pg_catalog.length(prev_hash) = 32),
	hash         bytea NOT NULL CHECK (pg_catalog.length(hash) = 32),
	PRIMARY KEY (chain_id, seq),
	-- Two events can never claim the same predecessor: no fork can commit.
	UNIQUE (chain_id, prev_hash),
	UNIQUE (chain_id, event_id)
);
CREATE INDEX audit_events_time ON bigpicture.audit_events (chain_id, occurred_at);
CREATE INDEX audit_events_type ON bigpicture.audit_events (chain_id, event_type, occurred_at);
COMMENT ON TABLE bigpicture.audit_events IS
	'append-only audit log: one hash chain per tenant (chain_id = tenant id) and one for the vendor (chain_id = ''vendor'')';

-- The head of each chain: appends lock it, so a chain grows one event at a time.
CREATE TABLE bigpicture.audit_heads (
	chain_id    text PRIMARY KEY,
	seq         bigint NOT NULL,
	hash        bytea NOT NULL,
	updated_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE bigpicture.audit_heads IS 'the last sequence number and hash of each audit chain';

CREATE TABLE bigpicture.audit_checkpoints (
	chain_id    text NOT NULL,
	seq         bigint NOT NULL,
	hash        bytea NOT NULL,
	token       text NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (chain_id, seq)
);
COMMENT ON TABLE bigpicture.audit_checkpoints IS
	'signed chain heads (PASETO typ checkpoint, audit key): truncating the chain behind a checkpoint is detectable';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.audit_events', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.audit_heads', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.audit_checkpoints', '');

CREATE FUNCTION bigpicture.audit_append_only() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'PT409',
		DETAIL = format('%s on %s is refused.', TG_OP, TG_TABLE_NAME);
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON bigpicture.audit_events
	FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON bigpicture.audit_events
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.audit_append_only();
-- A checkpoint's facts (chain, seq, hash) never change; only the owner may
-- replace its token by one of the same claims (refresh_signatures).
CREATE FUNCTION bigpicture.audit_checkpoints_guard() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND current_user = 'bigpicture_owner'
	   AND (to_jsonb(NEW) - 'token') = (to_jsonb(OLD) - 'token')
	   AND bigpicture._signed_claims(NEW.token) = bigpicture._signed_claims(OLD.token) THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'PT409',
		DETAIL = format('%s on %s is refused.', TG_OP, TG_TABLE_NAME);
END
$$;
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON bigpicture.audit_checkpoints
	FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_checkpoints_guard();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON bigpicture.audit_checkpoints
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.audit_append_only();
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON bigpicture.audit_heads
	FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_append_only();
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON bigpicture.audit_heads
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.audit_append_only();

ALTER TABLE bigpicture.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.audit_events FORCE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.audit_events TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY vendor_read ON bigpicture.audit_events FOR SELECT TO bigpicture_admin, bigpicture_auditor USING (true);
CREATE POLICY own_chain_read ON bigpicture.audit_events FOR SELECT TO bigpicture_tenant_admin
	USING (chain_id = bigpicture.current_tenant());
CREATE POLICY owner_all ON bigpicture.audit_checkpoints TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY vendor_read ON bigpicture.audit_checkpoints FOR SELECT TO bigpicture_admin, bigpicture_auditor USING (true);
CREATE POLICY own_chain_read ON bigpicture.audit_checkpoints FOR SELECT TO bigpicture_tenant_admin
	USING (chain_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.audit_events, bigpicture.audit_checkpoints
	TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;

-- ---- hashing and appending ----------------------------------------------------------------

CREATE FUNCTION bigpicture.audit_hash(prev_hash bytea, chain_id text, seq bigint, event_id text,
	occurred_at timestamptz, actor text, event_type text, object_type text, object_id text,
	before text, after text, context text) RETURNS bytea
	AS 'MODULE_PATHNAME', 'bigpicture_audit_hash' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.audit_hash(bytea, text, bigint, text, timestamptz, text, text, text, text, text, text, text) IS
	'SHA-256 of the previous hash and the event fields in the version-1 encoding of docs/audit.md';

-- Who and where, from the settings the gateway (or PostgREST) sets per request.
CREATE FUNCTION bigpicture._audit_context() RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	headers jsonb;
BEGIN
	BEGIN
		headers := nullif(current_setting('request.headers', true), '')::jsonb;
	EXCEPTION WHEN invalid_text_representation THEN
		headers := NULL;
	END;
	-- Like the JWT claims, request settings are believed only from the gateway.
	IF NOT bigpicture._session_is_gateway() THEN
		RETURN jsonb_strip_nulls(jsonb_build_object('role', bigpicture.calling_role(),
			'client_addr', host(inet_client_addr())));
	END IF;
	RETURN jsonb_strip_nulls(jsonb_build_object(
		'role', bigpicture.calling_role(),
		'method', nullif(current_setting('request.method', true), ''),
		'path', nullif(current_setting('request.path', true), ''),
		'client_addr', COALESCE(headers ->> 'x-forwarded-for', host(inet_client_addr())),
		'gateway', true));
END
$$;

-- Append one event to a chain.  The head row is locked FOR UPDATE: under
-- READ COMMITTED appends queue; under REPEATABLE READ or SERIALIZABLE a
-- concurrent append makes this fail loudly instead of forking the chain.
CREATE FUNCTION bigpicture._audit_append(p_chain text, p_event_type text, p_object_type text, p_object_id text,
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

-- What a row change means, as an event type.
CREATE FUNCTION bigpicture._audit_event_type(tbl text, op text, o jsonb, n jsonb) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE
		WHEN tbl = 'releases' AND op = 'UPDATE' AND o ->> 'status' IS DISTINCT FROM n ->> 'status' THEN
			CASE n ->> 'status' WHEN 'pending_approval' THEN 'release_submitted' WHEN 'published' THEN 'release_published'
				WHEN 'rejected' THEN 'release_rejected' WHEN 'revoked' THEN 'release_revoked' END
		WHEN tbl = 'release_approvals' AND op <> 'DELETE' THEN 'release_approved'
		WHEN tbl = 'signing_keys' AND op = 'INSERT' THEN 'key_generated'
		WHEN tbl = 'signing_keys' AND op = 'UPDATE' AND o ->> 'certificate' IS DISTINCT FROM n ->> 'certificate'
			AND o ->> 'state' IS NOT DISTINCT FROM n ->> 'state' THEN 'key_certificate_installed'
		WHEN tbl = 'key_certificates' AND op = 'INSERT' THEN 'key_certificate_issued'
		WHEN tbl = 'key_certificates' AND op = 'UPDATE' THEN 'key_certificate_revoked'
		WHEN tbl = 'trusted_root_keys' THEN CASE op WHEN 'DELETE' THEN 'root_key_unpinned' ELSE 'root_key_pinned' END
		WHEN tbl = 'snapshots' AND op = 'INSERT' THEN 'snapshot_generated'
		WHEN tbl = 'imported_snapshots' AND op = 'INSERT' THEN 'snapshot_imported'
		WHEN tbl = 'signing_keys' AND op = 'UPDATE' AND o ->> 'state' IS DISTINCT FROM n ->> 'state' THEN
			CASE n ->> 'state' WHEN 'active' THEN 'key_activated' WHEN 'retiring' THEN 'key_retiring'
				WHEN 'retired' THEN 'key_retired' WHEN 'revoked' THEN 'key_revoked' END
		WHEN tbl = 'leases' AND op = 'INSERT' THEN 'lease_issued'
		WHEN tbl = 'leases' AND op = 'UPDATE' AND o ->> 'revoked_at' IS NULL AND n ->> 'revoked_at' IS NOT NULL THEN 'lease_revoked'
		WHEN tbl = 'leases' AND op = 'UPDATE' AND o ->> 'released_at' IS NULL AND n ->> 'released_at' IS NOT NULL THEN 'lease_released'
		WHEN tbl = 'leases' AND op = 'UPDATE' AND o ->> 'seq' IS DISTINCT FROM n ->> 'seq' THEN 'lease_renewed'
		WHEN tbl = 'tenants' AND op = 'UPDATE' AND o ->> 'status' IS DISTINCT FROM n ->> 'status' THEN
			CASE n ->> 'status' WHEN 'suspended' THEN 'tenant_suspended' ELSE 'tenant_resumed' END
		WHEN tbl = 'entitlements' AND op = 'UPDATE' AND o ->> 'status' IS DISTINCT FROM n ->> 'status' THEN
			'entitlement_' || CASE n ->> 'status' WHEN 'active' THEN 'resumed' ELSE n ->> 'status' END
		ELSE CASE tbl
			WHEN 'vendor_policies' THEN 'policy' WHEN 'tenant_policies' THEN 'policy'
			WHEN 'release_artifacts' THEN 'release_artifact' WHEN 'tenant_roles' THEN 'role_binding'
			WHEN 'approval_workflows' THEN 'approval_workflow'
			ELSE rtrim(tbl, 's') END
			|| CASE op WHEN 'INSERT' THEN '_created' WHEN 'UPDATE' THEN '_updated' ELSE '_deleted' END
	END;

-- The AFTER trigger on every audited table.  TG_ARGV: the object type and the
-- column holding the object's id.  Runs as the extension's owner, whoever writes.
-- Row images are rendered with fixed settings, so they read the same whatever
-- the writing session's TimeZone or DateStyle.
CREATE FUNCTION bigpicture.audit_row_change() RETURNS trigger
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

DO $audited$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('tenants', 'tenant', 'tenant_id'), ('tenant_roles', 'role_binding', 'role_name'),
		('products', 'product', 'product_id'), ('channels', 'channel', 'product_id,channel'),
		('artifacts', 'artifact', 'artifact_id'), ('releases', 'release', 'release_id'),
		('release_artifacts', 'release_artifact', 'release_id,artifact_id'),
		('approval_workflows', 'approval_workflow', 'workflow_id'), ('release_approvals', 'release', 'release_id'),
		('vendor_policies', 'policy', 'policy_id'), ('tenant_policies', 'policy', 'policy_id'),
		('rollouts', 'rollout', 'release_id,platform'), ('entitlements', 'entitlement', 'entitlement_id'),
		('leases', 'lease', 'lease_id'), ('signing_keys', 'signing_key', 'kid')) AS x(tbl, obj, idcol)
	LOOP
		EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON bigpicture.%I '
			'FOR EACH ROW EXECUTE FUNCTION bigpicture.audit_row_change(%L, %L)', t.tbl, t.obj, t.idcol);
	END LOOP;
END
$audited$;

-- ---- verification -----------------------------------------------------------------------------

CREATE FUNCTION bigpicture._audit_chain_for(p_chain text) RETURNS text
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF p_chain = 'vendor' THEN
		IF NOT bigpicture.acts_for_all_tenants() THEN
			RAISE EXCEPTION 'only admins and auditors may read the vendor chain' USING ERRCODE = '42501';
		END IF;
		RETURN 'vendor';
	END IF;
	RETURN bigpicture._resolve_tenant(p_chain);
END
$$;

-- Recompute a chain: report the first bad event and why (gap, broken link,
-- hash mismatch), a head that disagrees, and a tail cut behind the latest
-- checkpoint.
CREATE FUNCTION bigpicture.verify_audit_chain(chain_id text)
	RETURNS TABLE (ok boolean, events bigint, head_seq bigint, first_bad_seq bigint, problem text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c text := bigpicture._audit_chain_for(verify_audit_chain.chain_id);
	e record;
	expect bigint := 1;
	prev bytea := decode(repeat('00', 32), 'hex');
	n bigint := 0;
	h bigpicture.audit_heads;
	cp bigpicture.audit_checkpoints;
	cp_payload jsonb;
BEGIN
	FOR e IN SELECT * FROM bigpicture.audit_events x WHERE x.chain_id = c ORDER BY x.seq LOOP
		IF e.seq <> expect THEN
			RETURN QUERY SELECT false, n, e.seq, expect, format('gap: event %s is missing', expect);
			RETURN;
		END IF;
		IF e.prev_hash <> prev THEN
			RETURN QUERY SELECT false, n, e.seq, e.seq, 'broken link: prev_hash is not the hash of the event before';
			RETURN;
		END IF;
		IF e.hash <> bigpicture.audit_hash(e.prev_hash, e.chain_id, e.seq, e.event_id, e.occurred_at, e.actor,
				e.event_type, e.object_type, e.object_id, e.before::text, e.after::text, e.context::text) THEN
			RETURN QUERY SELECT false, n, e.seq, e.seq, 'hash mismatch: the event was altered';
			RETURN;
		END IF;
		prev := e.hash;
		expect := e.seq + 1;
		n := n + 1;
	END LOOP;
	SELECT * INTO h FROM bigpicture.audit_heads x WHERE x.chain_id = c;
	IF COALESCE(h.seq, 0) <> n OR n > 0 AND h.hash <> prev THEN
		RETURN QUERY SELECT false, n, h.seq, n + 1,
			format('the chain ends at event %s but its head is at %s: events were removed from the end', n, h.seq);
		RETURN;
	END IF;
	SELECT * INTO cp FROM bigpicture.audit_checkpoints x WHERE x.chain_id = c ORDER BY x.seq DESC LIMIT 1;
	IF FOUND THEN
		-- A checkpoint stays valid after its key retires (it was signed while
		-- the key was in service) and after its exp (which bounds how long a
		-- served copy counts as fresh); only a revoked key voids it.
		BEGIN
			cp_payload := bigpicture._verify(cp.token, 'checkpoint', now(), signed_earlier => true);
		EXCEPTION WHEN invalid_parameter_value THEN
			cp_payload := NULL;
		END;
		IF cp_payload IS NULL OR cp_payload ->> 'chain_id' <> c OR (cp_payload ->> 'seq')::bigint <> cp.seq
		   OR cp_payload ->> 'hash' <> encode(cp.hash, 'hex') THEN
			RETURN QUERY SELECT false, n, h.seq, cp.seq, 'the latest checkpoint does not verify';
			RETURN;
		END IF;
		IF cp.seq > n THEN
			RETURN QUERY SELECT false, n, h.seq, n + 1,
				format('the chain ends at event %s, before its checkpoint at %s: the tail was cut', n, cp.seq);
			RETURN;
		END IF;
		IF NOT EXISTS (SELECT 1 FROM bigpicture.audit_events x WHERE x.chain_id = c AND x.seq = cp.seq AND x.hash = cp.hash) THEN
			RETURN QUERY SELECT false, n, h.seq, cp.seq, 'event does not match the signed checkpoint';
			RETURN;
		END IF;
	END IF;
	RETURN QUERY SELECT true, n, COALESCE(h.seq, 0), NULL::bigint, NULL::text;
END
$$;
COMMENT ON FUNCTION bigpicture.verify_audit_chain(text) IS
	'recompute a chain (a tenant id, or ''vendor''): ok, or the first bad sequence number and why';

-- What a checkpoint signs; the same when it is re-signed.
CREATE FUNCTION bigpicture._checkpoint_claims(chain_id text, seq bigint, hash bytea) RETURNS jsonb
	LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
	RETURN jsonb_build_object('chain_id', chain_id, 'seq', seq, 'hash', encode(hash, 'hex'));

-- Sign the head of a chain with the audit key and keep it.
CREATE FUNCTION bigpicture.audit_checkpoint(chain_id text) RETURNS text
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
COMMENT ON FUNCTION bigpicture.audit_checkpoint(text) IS
	'sign the head of a chain (chain, seq, hash, time) with the audit key (typ checkpoint) and keep it; returns the token';

-- The chain as JSON lines, with the exact JSON texts that were hashed.
-- PL/pgSQL: the chain is resolved first, so the query names it as a value
-- (Citus routes a query to the chain's shard only by a value it can see).
CREATE FUNCTION bigpicture.export_audit_chain(chain_id text) RETURNS SETOF text
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
COMMENT ON FUNCTION bigpicture.export_audit_chain(text) IS
	'a chain as JSON lines (before/after/context as the exact JSON text hashed) for offline verification with bigpicture-audit-verify';

-- PL/pgSQL, not SQL: Citus cannot plan a SQL function's parameters over
-- several shards; PL/pgSQL gives it the values.
CREATE FUNCTION bigpicture.audit_log(chain_id text DEFAULT NULL, event_type text DEFAULT NULL, actor text DEFAULT NULL,
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
COMMENT ON FUNCTION bigpicture.audit_log(text, text, text, timestamptz, timestamptz) IS
	'audit events you may read (row-level security), by chain, type, actor and time';

GRANT EXECUTE ON FUNCTION bigpicture.verify_audit_chain(text), bigpicture.export_audit_chain(text),
	bigpicture.audit_log(text, text, text, timestamptz, timestamptz)
	TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;
GRANT EXECUTE ON FUNCTION bigpicture.audit_checkpoint(text) TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;
