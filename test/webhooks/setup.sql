-- test/webhooks: what the run needs in its database (as a superuser; can run again).
-- Keys, two tenants, a product with a channel, a function that writes events,
-- the receiver's log as a table, and the checks as queries on it.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SELECT count(bigpicture.activate_key(bigpicture.generate_key(p))) FROM unnest('{root,decision,lease,audit}'::text[]) p;
SELECT bigpicture.create_tenant(n, t) FROM (VALUES ('Acme', 'tenant_acme'), ('Other', 'tenant_other')) v(n, t)
 WHERE NOT EXISTS (SELECT 1 FROM bigpicture.tenants x WHERE x.tenant_id = t);
SELECT bigpicture.create_product('Webhook test product', 'prod_whtest'), bigpicture.create_channel('prod_whtest', 'stable')
 WHERE NOT EXISTS (SELECT 1 FROM bigpicture.products WHERE product_id = 'prod_whtest');

CREATE SCHEMA IF NOT EXISTS wh_test;
CREATE SEQUENCE IF NOT EXISTS wh_test.versions;
-- the receiver's log, one row per request in arrival order
CREATE TABLE IF NOT EXISTS wh_test.received (n bigserial PRIMARY KEY, e jsonb NOT NULL);
CREATE OR REPLACE VIEW wh_test.got AS
SELECT n, e ->> 'path' AS path, e ->> 'id' AS id, (e ->> 'verified')::boolean AS verified,
	   (e ->> 'signatures')::int AS signatures, e ->> 'how' AS how, (e ->> 'status')::int AS status,
	   e ->> 'body' AS body_text, (e ->> 'body')::jsonb AS body, ((e ->> 'body')::jsonb ->> 'event_id')::bigint AS event_id,
	   (e ->> 'at')::bigint AS at
  FROM wh_test.received;

-- n releases, each a release.submitted and a release.published event (vendor-wide)
CREATE OR REPLACE FUNCTION wh_test.releases(n integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v bigint;
	r text;
BEGIN
	FOR i IN 1..n LOOP
		v := nextval('wh_test.versions');
		r := 'rel_whtest_' || v;
		PERFORM bigpicture.create_release('prod_whtest', '1.0.' || v, 'stable', release_id => r);
		PERFORM bigpicture.attach_artifact(r, bigpicture.create_artifact('prod_whtest',
			'https://dl.example.com/whtest-' || v || '.msi', repeat('ab', 32), 1000 + v, 'windows', 'x86_64', 'msi'));
		PERFORM bigpicture.submit_release(r);
	END LOOP;
END
$$;

-- The events a subscription should get in (from_id, to_id], by the test's own
-- reading of the filter rules: vendor-wide gets every tenant's, a tenant's only
-- its own; an empty filter is every type, an entry is a type or area.*.
CREATE OR REPLACE FUNCTION wh_test.expected(sub text, from_id bigint, to_id bigint) RETURNS SETOF bigint
	LANGUAGE sql STABLE AS $$
	SELECT e.event_id FROM bigpicture.events e, bigpicture.webhook_subscriptions s
	 WHERE s.subscription_id = sub AND e.event_id > from_id AND e.event_id <= to_id
	   AND (s.tenant_id IS NULL OR e.tenant_id = s.tenant_id)
	   AND (cardinality(s.event_types) = 0 OR EXISTS (SELECT 1 FROM unnest(s.event_types) t
			WHERE t = e.type OR (t LIKE '%.*' AND e.type LIKE left(t, -1) || '%')))
	 ORDER BY e.event_id
$$;

-- NULL when the first deliveries at path of events in (from_id, to_id] are,
-- in arrival order, exactly the expected events in ascending order; else what differs.
CREATE OR REPLACE FUNCTION wh_test.stream_problem(path text, sub text, from_id bigint, to_id bigint) RETURNS text
	LANGUAGE sql STABLE AS $$
	WITH firsts AS (
		SELECT event_id, min(n) AS n FROM wh_test.got g
		 WHERE g.path = stream_problem.path AND g.event_id > from_id AND g.event_id <= to_id GROUP BY event_id),
	got AS (SELECT COALESCE(array_agg(event_id ORDER BY n), '{}') AS a FROM firsts),
	want AS (SELECT COALESCE(array_agg(x ORDER BY x), '{}') AS a FROM wh_test.expected(sub, from_id, to_id) x)
	SELECT CASE WHEN got.a = want.a AND cardinality(want.a) > 0 THEN NULL
		ELSE format('received %s, expected %s', got.a, want.a) END
	  FROM got, want
$$;

-- NULL when every request at a path like pattern after line from_n is verified
-- (or, with need_verified false, whatever it is) and carries the event as written:
-- webhook-id evt_<event_id>, type, data, tenant_id of the outbox's row.
CREATE OR REPLACE FUNCTION wh_test.request_problem(pattern text, from_n bigint, need_verified boolean DEFAULT true)
	RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN count(*) = 0 THEN 'no requests'
		ELSE string_agg(format('line %s %s %s: %s', g.n, g.path, g.id, concat_ws(', ',
			CASE WHEN need_verified AND NOT g.verified THEN 'not verified' END,
			CASE WHEN g.id IS DISTINCT FROM 'evt_' || (g.body ->> 'event_id') THEN 'webhook-id is not evt_<event_id>' END,
			CASE WHEN e.event_id IS NULL THEN 'no such event' END,
			CASE WHEN g.body ->> 'type' IS DISTINCT FROM e.type THEN 'type differs' END,
			CASE WHEN g.body -> 'data' IS DISTINCT FROM e.payload THEN 'data differs' END,
			CASE WHEN g.body ->> 'tenant_id' IS DISTINCT FROM e.tenant_id THEN 'tenant_id differs' END)), '; ')
			FILTER (WHERE (need_verified AND NOT g.verified) OR g.id IS DISTINCT FROM 'evt_' || (g.body ->> 'event_id')
				OR e.event_id IS NULL OR g.body ->> 'type' IS DISTINCT FROM e.type
				OR g.body -> 'data' IS DISTINCT FROM e.payload OR g.body ->> 'tenant_id' IS DISTINCT FROM e.tenant_id)
		END
	  FROM wh_test.got g LEFT JOIN bigpicture.events e ON e.event_id = g.event_id
	 WHERE g.path LIKE pattern AND g.n > from_n
$$;
