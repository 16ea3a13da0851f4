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

-- A deleted tenant's events go with it, as a foreign key's cascade would do;
-- and its webhook subscriptions, which on one node their foreign key also
-- deletes, but which cannot have it on Citus (citus_distribute()).
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
-- On Citus a trigger on a tenant table fires on a worker's shard, where the
-- coordinator's outbox cannot be written: there the trigger does nothing and
-- the function that made the change writes the event, through the same
-- _..._event function, when bigpicture._citus_distributed().

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

CREATE FUNCTION bigpicture._entitlement_created_event(e bigpicture.entitlements) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._emit_event('entitlement.created', e.tenant_id, jsonb_build_object(
		'entitlement_id', e.entitlement_id, 'tenant_id', e.tenant_id, 'product_id', e.product_id,
		'type', e.type, 'max_seats', e.max_seats, 'ends_at', bigpicture.rfc3339(e.ends_at)));
END
$$;
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

CREATE FUNCTION bigpicture._checkpoint_signed_event(chain_id text, seq bigint, hash bytea) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._emit_event('audit.checkpoint_signed', NULLIF(chain_id, 'vendor'),
		jsonb_build_object('chain_id', chain_id, 'seq', seq, 'hash', encode(hash, 'hex')));
END
$$;
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

CREATE FUNCTION bigpicture._snapshot_generated_event(tenant_id text, seq bigint, expires_at timestamptz,
	content_hash text) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._emit_event('snapshot.generated', tenant_id, jsonb_build_object('tenant_id', tenant_id,
		'seq', seq, 'expires_at', bigpicture.rfc3339(expires_at), 'content_hash', content_hash));
END
$$;
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

-- The last seat taken: from now on leases are refused until one is free.
-- (A refused lease is counted instead: fold_seat_refusals, below.)
CREATE FUNCTION bigpicture._seats_exhausted_event(p_tenant_id text, p_entitlement_id text, p_lease_id text)
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
CREATE FUNCTION bigpicture._mirror_failed_event(o bigpicture.mirrors, n bigpicture.mirrors) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF n.status = 'ERROR' AND (o.status <> 'ERROR' OR n.last_error IS DISTINCT FROM o.last_error) THEN
		PERFORM bigpicture._emit_event('mirror.sync_failed', n.tenant_id, jsonb_build_object('tenant_id', n.tenant_id,
			'mirror_id', n.mirror_id, 'name', n.name, 'last_error', n.last_error,
			'last_sync_at', bigpicture.rfc3339(n.last_sync_at)));
	END IF;
END
$$;
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
