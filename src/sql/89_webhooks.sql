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
