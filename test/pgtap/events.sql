-- The outbox (docs/events.md): each state change of interest writes its
-- event in its own transaction, with the documented payload and tenant;
-- events_after is a cursor; row-level security shows a tenant admin its own.
BEGIN;
SELECT plan(59);
SET search_path = bigpicture, public;
-- Ids are given to committed events by _sequence_events(); this test never
-- commits, and sequences its own events (a transaction sees its own rows).

CREATE TEMP TABLE mark AS SELECT COALESCE(max(event_id), 0) AS id FROM events;
CREATE FUNCTION pg_temp.new_events() RETURNS TABLE (type text, tenant_id text, payload jsonb)
	LANGUAGE sql AS $$
	SELECT bigpicture._sequence_events();
	SELECT e.type, e.tenant_id, e.payload FROM events e WHERE e.event_id > (SELECT id FROM mark) ORDER BY e.event_id
$$;
CREATE FUNCTION pg_temp.types() RETURNS text[] LANGUAGE sql AS $$ SELECT array_agg(type) FROM pg_temp.new_events() $$;
CREATE FUNCTION pg_temp.advance() RETURNS void LANGUAGE sql AS $$
	SELECT bigpicture._sequence_events(); UPDATE mark SET id = (SELECT max(event_id) FROM events) $$;

-- ---- keys, tenants, entitlements ----------------------------------------------------------------
CREATE TEMP TABLE k AS SELECT generate_key('decision') AS kid, generate_key('root') AS root,
	generate_key('audit') AS audit, generate_key('snapshot') AS snap;
SELECT is(pg_temp.types(), NULL, 'a generated (pending) key is no event');
SELECT activate_key(kid) FROM k \g /dev/null
SELECT is(pg_temp.types(), '{key.activated}', 'activating a key: key.activated');
SELECT is((SELECT payload FROM pg_temp.new_events()),
	jsonb_build_object('kid', (SELECT kid FROM k), 'purpose', 'decision', 'tenant_id', NULL, 'state', 'active'),
	'… with its kid, purpose, tenant and state');
SELECT activate_key(root), activate_key(audit), activate_key(snap) FROM k \g /dev/null
SELECT pg_temp.advance();
SELECT activate_key(generate_key('decision')) \g /dev/null
SELECT is(pg_temp.types(), '{key.retiring,key.activated}', 'rotating: the old key retiring, the new one activated');
SELECT pg_temp.advance();
SELECT revoke_key((SELECT kid FROM k), 'test') \g /dev/null
SELECT is(pg_temp.types(), '{key.revoked}', 'revoking a key: key.revoked');
SELECT pg_temp.advance();

SELECT create_tenant('A', 'tenant_ev_a'), create_tenant('B', 'tenant_ev_b') \g /dev/null
SELECT create_product('Ev', 'prod_ev'), create_channel('prod_ev', 'stable') \g /dev/null
SELECT is(pg_temp.types(), NULL, 'tenants, products and channels are no events');
SELECT create_entitlement('tenant_ev_a', 'prod_ev', 'concurrent', max_seats => 3, entitlement_id => 'ent_ev_a') \g /dev/null
SELECT is((SELECT (type, tenant_id, payload ->> 'entitlement_id', payload ->> 'max_seats') FROM pg_temp.new_events()),
	('entitlement.created'::text, 'tenant_ev_a'::text, 'ent_ev_a'::text, '3'::text),
	'an entitlement: entitlement.created, for its tenant');
SELECT create_entitlement('tenant_ev_b', 'prod_ev', 'concurrent', max_seats => 1, entitlement_id => 'ent_ev_b') \g /dev/null
SELECT pg_temp.advance();

-- ---- releases ------------------------------------------------------------------------------------
SELECT attach_artifact(create_release('prod_ev', '1.0.0', 'stable', release_id => 'rel_ev_1'),
	create_artifact('prod_ev', 'https://dl.example.com/ev-1.msi', repeat('ab', 32), 10, 'windows', 'x86_64', 'msi')) \g /dev/null
SELECT is(pg_temp.types(), NULL, 'a draft release is no event');
SELECT submit_release('rel_ev_1') \g /dev/null
SELECT is(pg_temp.types(), '{release.submitted,release.published}', 'submitted without approvals: submitted, then published');
SELECT is((SELECT (type, tenant_id, payload) FROM pg_temp.new_events() WHERE type = 'release.published'),
	('release.published'::text, NULL::text, '{"status": "published", "channel": "stable", "version": "1.0.0",
		"product_id": "prod_ev", "release_id": "rel_ev_1"}'::jsonb),
	'release.published is vendor-wide, with the release');
SELECT pg_temp.advance();
SELECT set_approval_workflow('channel', 'prod_ev', 'stable', required_approvals => 1) \g /dev/null
SELECT attach_artifact(create_release('prod_ev', '1.1.0', 'stable', release_id => 'rel_ev_11'),
	create_artifact('prod_ev', 'https://dl.example.com/ev-11.msi', repeat('cd', 32), 10, 'windows', 'x86_64', 'msi')) \g /dev/null
SELECT submit_release('rel_ev_11') \g /dev/null
SELECT is(pg_temp.types(), '{release.submitted}', 'submitted for approval: release.submitted');
SELECT pg_temp.advance();
CREATE ROLE ev_test_approver LOGIN IN ROLE bigpicture_approver;
SET LOCAL ROLE ev_test_approver;
SELECT approve_release('rel_ev_11', 'fine') \g /dev/null
RESET ROLE;
SELECT is(pg_temp.types(), '{release.approved,release.published}', 'approved: release.approved, then release.published');
SELECT is((SELECT payload ->> 'comment' FROM pg_temp.new_events() WHERE type = 'release.approved'), 'fine',
	'… the approval carries its comment');
SELECT pg_temp.advance();
SELECT attach_artifact(create_release('prod_ev', '1.2.0', 'stable', release_id => 'rel_ev_12'),
	create_artifact('prod_ev', 'https://dl.example.com/ev-12.msi', repeat('ef', 32), 10, 'windows', 'x86_64', 'msi')) \g /dev/null
SELECT submit_release('rel_ev_12') \g /dev/null
SET LOCAL ROLE ev_test_approver;
SELECT reject_release('rel_ev_12', 'no') \g /dev/null
RESET ROLE;
SELECT is(pg_temp.types(), '{release.submitted,release.rejected}', 'rejected: release.rejected');
SELECT pg_temp.advance();
SELECT revoke_release('rel_ev_1', 'broken') \g /dev/null
SELECT is(pg_temp.types(), '{release.revoked}', 'revoked: release.revoked');
SELECT pg_temp.advance();
SELECT set_rollout('rel_ev_11', 500) \g /dev/null
SELECT is((SELECT (type, payload ->> 'percentage') FROM pg_temp.new_events()), ('rollout.started'::text, '500'::text),
	'a rollout: rollout.started, with the rollout');
SELECT set_rollout('rel_ev_11', 1000) \g /dev/null
SELECT is((SELECT count(*) FROM pg_temp.new_events()), 1::bigint, 'changing its percentage by hand is no new start');
SELECT pg_temp.advance();

-- ---- checkpoints and snapshots ---------------------------------------------------------------------
SELECT audit_checkpoint('tenant_ev_a') \g /dev/null
SELECT is((SELECT (type, tenant_id, payload ->> 'chain_id') FROM pg_temp.new_events()),
	('audit.checkpoint_signed'::text, 'tenant_ev_a'::text, 'tenant_ev_a'::text), 'a checkpoint: audit.checkpoint_signed');
SELECT pg_temp.advance();
SELECT audit_checkpoint('vendor') \g /dev/null
SELECT is((SELECT (type, tenant_id) FROM pg_temp.new_events()), ('audit.checkpoint_signed'::text, NULL::text),
	'the vendor chain''s is vendor-wide');
SELECT pg_temp.advance();
SELECT generate_snapshot('tenant_ev_a') \g /dev/null
SELECT is((SELECT (type, tenant_id, payload ->> 'seq') FROM pg_temp.new_events()),
	('snapshot.generated'::text, 'tenant_ev_a'::text, '1'::text), 'a snapshot: snapshot.generated');

SELECT pg_temp.advance();

-- ---- seats, mirrors, entitlements ending -----------------------------------------------------------
SELECT activate_key(generate_key('lease')) \g /dev/null
SELECT pg_temp.advance();
SELECT issue_lease('{"tenant_id": "tenant_ev_b", "product_id": "prod_ev", "subject_type": "user", "subject_id": "u1"}') \g /dev/null
SELECT is((SELECT (type, tenant_id, payload ->> 'entitlement_id', payload ->> 'seats_used') FROM pg_temp.new_events()
		   WHERE type LIKE 'entitlement.%'),
	('entitlement.seats_exhausted'::text, 'tenant_ev_b'::text, 'ent_ev_b'::text, '1'::text),
	'the last seat taken: entitlement.seats_exhausted, for its tenant');
SELECT pg_temp.advance();
SELECT issue_lease('{"tenant_id": "tenant_ev_a", "product_id": "prod_ev", "subject_type": "user", "subject_id": "u1"}') \g /dev/null
SELECT is((SELECT count(*) FROM pg_temp.new_events() WHERE type = 'entitlement.seats_exhausted'), 0::bigint,
	'a lease that leaves seats free is none');
-- Refusals are counted in shared memory (the refusal's own transaction rolls
-- back) and folded into events by the worker's job; earlier tests' counts are
-- taken first (this transaction gives them back when it rolls back).
SELECT count(*) FROM bigpicture._take_seat_refusals() \g /dev/null
SELECT pg_temp.advance();
SELECT throws_ok($$SELECT issue_lease('{"tenant_id": "tenant_ev_b", "product_id": "prod_ev", "subject_type": "user", "subject_id": "u2"}')$$,
	'PT409', 'no seat available for prod_ev', 'a lease refused for want of a seat');
SELECT throws_ok($$SELECT issue_lease('{"tenant_id": "tenant_ev_b", "product_id": "prod_ev", "subject_type": "user", "subject_id": "u3"}')$$,
	'PT409', 'no seat available for prod_ev', '… and another');
SELECT is((SELECT count(*) FROM pg_temp.new_events()), 0::bigint, 'a refusal writes no event itself (it rolls back)');
SELECT is(fold_seat_refusals(), '{"events": 1, "refusals": 2, "lost": 0}',
	'the job fold_seat_refusals writes one event per tenant and product');
SELECT is((SELECT (type, tenant_id, payload ->> 'product_id', payload ->> 'refusals',
		   (payload ->> 'first_refused_at')::timestamptz <= (payload ->> 'last_refused_at')::timestamptz)
		   FROM pg_temp.new_events()),
	('entitlement.leases_refused'::text, 'tenant_ev_b'::text, 'prod_ev'::text, '2'::text, true),
	'… entitlement.leases_refused, for the tenant, with the count and when');
SELECT is(fold_seat_refusals(), '{"events": 0, "refusals": 0, "lost": 0}', 'a second run finds nothing');
SELECT pg_temp.advance();
SELECT throws_ok($$SELECT issue_lease('{"tenant_id": "tenant_ev_b", "product_id": "prod_ev", "subject_type": "user", "subject_id": "u4"}')$$,
	'PT409');
SAVEPOINT fold;
SELECT is(fold_seat_refusals() ->> 'refusals', '1', 'a fold whose transaction aborts …');
ROLLBACK TO SAVEPOINT fold;
SELECT is(fold_seat_refusals() ->> 'refusals', '1', '… gives its counts back: none is lost');
SELECT ok(bigpicture._note_seat_refusal('tenant_ev_nobody', 'prod_ev'), 'a refusal counted for a tenant …');
SELECT is(fold_seat_refusals(), '{"events": 0, "refusals": 0, "lost": 0}', '… deleted since is told to no one');
SELECT pg_temp.advance();
SELECT is(failure_of($$SELECT bigpicture._note_seat_refusal(repeat('x', 80), 'prod_ev')$$),
	'22023 a tenant or product id longer than 79 bytes cannot be counted', 'an id too long to count is refused');
SELECT register_mirror('Office', 'tenant_ev_a', 'mirror_ev_a') \g /dev/null
SELECT set_mirror_status('mirror_ev_a', 'ERROR', 'upstream unreachable') \g /dev/null
SELECT is((SELECT (type, tenant_id, payload ->> 'mirror_id', payload ->> 'last_error') FROM pg_temp.new_events()
		   WHERE type LIKE 'mirror.%'),
	('mirror.sync_failed'::text, 'tenant_ev_a'::text, 'mirror_ev_a'::text, 'upstream unreachable'::text),
	'a mirror reporting an error: mirror.sync_failed');
SELECT set_mirror_status('mirror_ev_a', 'ERROR', 'upstream unreachable') \g /dev/null
SELECT is((SELECT count(*) FROM pg_temp.new_events() WHERE type = 'mirror.sync_failed'), 1::bigint,
	'the same error again is not a new event');
SELECT pg_temp.advance();
SELECT create_entitlement('tenant_ev_a', 'prod_ev', 'feature_based', ends_at => now() + interval '3 days',
	entitlement_id => 'ent_ev_soon'), create_entitlement('tenant_ev_a', 'prod_ev', 'feature_based',
	ends_at => now() + interval '30 days', entitlement_id => 'ent_ev_later') \g /dev/null
SELECT pg_temp.advance();
SELECT is(entitlement_notices(), '{"expiring": 1, "expired": 0}', 'the job notices an entitlement ending within the period');
SELECT is((SELECT (type, tenant_id, payload ->> 'entitlement_id') FROM pg_temp.new_events()),
	('entitlement.expiring'::text, 'tenant_ev_a'::text, 'ent_ev_soon'::text), '… as entitlement.expiring, once');
SELECT is(entitlement_notices(), '{"expiring": 0, "expired": 0}', 'a second run writes nothing');
SELECT set_config('bigpicture.entitlement_notice_period', '40d', true) \g /dev/null
SELECT is(entitlement_notices(), '{"expiring": 1, "expired": 0}', 'a longer notice period reaches the later one');
UPDATE entitlements SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 hour' WHERE entitlement_id = 'ent_ev_soon';
SELECT pg_temp.advance();
SELECT is(entitlement_notices(), '{"expiring": 0, "expired": 1}', 'once it has ended: entitlement.expired');
SELECT is((SELECT (type, payload ->> 'entitlement_id') FROM pg_temp.new_events()),
	('entitlement.expired'::text, 'ent_ev_soon'::text), '… for that entitlement');

-- ---- the cursor ------------------------------------------------------------------------------------
SELECT is((SELECT bool_and(d > 0) FROM (SELECT event_id - lag(event_id) OVER (ORDER BY event_id) AS d FROM events) x),
	true, 'ids rise');
CREATE TEMP TABLE c AS SELECT (SELECT event_id FROM events ORDER BY event_id OFFSET 2 LIMIT 1) AS third;
SELECT is((SELECT min(event_id) FROM events_after((SELECT third FROM c))), (SELECT third FROM c) + 1,
	'events_after(id) starts after id');
SELECT is((SELECT count(*) FROM events_after(0, 2)), 2::bigint, 'max_events caps the page');
SELECT is((SELECT array_agg(DISTINCT type) FROM events_after(0, 100, '{release.revoked,key.revoked}')),
	'{key.revoked,release.revoked}', 'types filters');
SELECT is(failure_of($$SELECT * FROM events_after(-1)$$), '22023 after_id must be an event id, or 0 for the first',
	'a negative cursor is refused');
SELECT is(failure_of($$SELECT * FROM events_after(0, 0)$$), '22023 max_events must be 1 to 10000', 'a page of 0 is refused');
SELECT is(jsonb_array_length(bigpicture_api.events(0, 3)), 3, 'GET /rpc/events: the same as JSON');

-- ---- who sees what ---------------------------------------------------------------------------------
CREATE ROLE ev_test_dba LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE ev_test_client LOGIN IN ROLE bigpicture_client;
SELECT bind_role('ev_test_dba', 'tenant_ev_a'), bind_role('ev_test_client', 'tenant_ev_a') \g /dev/null
SET LOCAL ROLE ev_test_dba;
SELECT is((SELECT array_agg(DISTINCT tenant_id) FROM events_after(0, 10000)), '{tenant_ev_a}',
	'a tenant admin reads its own tenant''s events only (no other tenant''s, no vendor-wide)');
SET LOCAL ROLE ev_test_client;
SELECT is(left(failure_of($$SELECT * FROM events_after()$$), 5), '42501', 'a client cannot read the outbox');
RESET ROLE;
CREATE TEMP TABLE pending AS SELECT bigpicture._emit_event('test.event', NULL, '{"n": 1}') AS a,
	bigpicture._emit_event('test.event', NULL, '{"n": 2}') AS b;
SELECT ok((SELECT a < 0 AND b < 0 FROM pending), 'an event has a provisional (negative) id until it is sequenced');
SELECT is((SELECT count(*) FROM events_after(0, 10000) WHERE type = 'test.event'), 0::bigint,
	'… which no cursor returns');
SELECT is(bigpicture._sequence_events(), 2, '_sequence_events gives the ids');
SELECT is((SELECT array_agg(payload ->> 'n' ORDER BY event_id) FROM events_after(0, 10000) WHERE type = 'test.event'),
	'{1,2}', '… in the order the events were written, after every id given before');
SELECT is((SELECT count(*) FROM events WHERE event_id < 0), 0::bigint, 'nothing is left provisional');
SELECT is(bigpicture._sequence_events(), 0, 'a second run has nothing to do');
SELECT create_tenant('Gone', 'tenant_ev_gone') \g /dev/null
SELECT bigpicture._emit_event('test.event', 'tenant_ev_gone', '{}') \g /dev/null
DELETE FROM tenants WHERE tenant_id = 'tenant_ev_gone';
SELECT is((SELECT count(*) FROM events WHERE tenant_id = 'tenant_ev_gone'), 0::bigint, 'a deleted tenant''s events go with it');
SELECT is((SELECT every FROM worker_jobs WHERE job = 'sequence_events'), interval '1 second',
	'the worker sequences every second (and webhook_claim before each claim)');

SELECT * FROM finish();
ROLLBACK;
