-- Webhook subscriptions (docs/events.md, "Webhooks"): management and its
-- errors, who sees and manages what, secrets sealed and shown once, and the
-- delivery protocol the daemon drives (claim, record: retry, dead letter,
-- order, filters, tenant scope).  The daemon itself is test/webhooks/run.
BEGIN;
SELECT plan(56);
SET search_path = bigpicture, public;

SELECT count(activate_key(generate_key(p))) FROM unnest('{decision,lease,audit}'::text[]) p \g /dev/null
SELECT create_tenant('A', 'tenant_wh_a'), create_tenant('B', 'tenant_wh_b') \g /dev/null
SELECT create_product('Wh', 'prod_wh'), create_channel('prod_wh', 'stable') \g /dev/null

-- ---- creating --------------------------------------------------------------------------------
CREATE TEMP TABLE subs AS
SELECT 'vendor' AS name, create_webhook('https://hooks.example.com/all', subscription_id => 'whsub_all') AS s
UNION ALL SELECT 'a_ent', create_webhook('https://hooks.example.com/a', '{entitlement.*}', 'tenant_wh_a', 3,
	subscription_id => 'whsub_a')
UNION ALL SELECT 'releases', create_webhook('http://127.0.0.1:9/releases', '{release.published}',
	secret => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', subscription_id => 'whsub_rel');
SELECT ok((SELECT bool_and(s ->> 'secret' ~ '^whsec_[A-Za-z0-9+/]{43}=$') FROM subs WHERE name <> 'releases'),
	'a new subscription gets a whsec_ secret of 32 random bytes, returned once');
SELECT isnt((SELECT s ->> 'secret' FROM subs WHERE name = 'vendor'), (SELECT s ->> 'secret' FROM subs WHERE name = 'a_ent'),
	'each its own');
SELECT is((SELECT s ->> 'secret' FROM subs WHERE name = 'releases'), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
	'a secret may be given (moving from another system)');
SELECT is((SELECT (s -> 'tenant_id', s -> 'event_types', s -> 'max_attempts')::text FROM subs WHERE name = 'a_ent'),
	'("""tenant_wh_a""","[""entitlement.*""]",3)', 'tenant, filter and max_attempts as given');
SELECT is((SELECT s ->> 'tenant_id' FROM subs WHERE name = 'vendor'), NULL, 'an admin without a tenant: vendor-wide');
SELECT is((SELECT count(*) FROM webhooks WHERE after_event_id = (SELECT COALESCE(max(event_id), 0) FROM events)), 3::bigint,
	'a subscription starts after the newest event: what was written before is not sent');
SELECT ok((SELECT signing_secret_sealed <> convert_to(s ->> 'secret', 'UTF8') AND length(signing_secret_sealed) = 105
		   FROM webhook_subscriptions JOIN subs ON s ->> 'subscription_id' = subscription_id WHERE name = 'vendor'),
	'stored sealed (XChaCha20-Poly1305 under the master key), never as given');
SELECT is((SELECT count(*) FROM audit_events WHERE event_type = 'webhook_subscription_created'), 3::bigint,
	'each creation is audited');
SELECT is((SELECT count(*) FROM audit_events WHERE event_type = 'webhook_subscription_created'
		   AND (after ? 'signing_secret_sealed' OR after::text ~ 'whsec_' OR after::text ~ 'sealed')), 0::bigint, '… without the secret');

-- ---- bad input -------------------------------------------------------------------------------
SELECT is(failure_of($$SELECT create_webhook('ftp://example.com/x')$$), '22023 invalid webhook URL', 'not http(s): refused');
SELECT is(failure_of($$SELECT create_webhook('https://user:pw@example.com/x')$$), '22023 invalid webhook URL',
	'credentials in the URL: refused');
SELECT is(failure_of($$SELECT create_webhook('https://example.com/a b')$$), '22023 invalid webhook URL', 'a space: refused');
SELECT is(failure_of($$SELECT create_webhook(NULL)$$), '22023 url is required', 'no URL');
SELECT is(failure_of($$SELECT create_webhook('https://example.com/x', '{release.publish}')$$),
	'22023 unknown event type "release.publish"', 'a typo in a filter is refused, not silently never matched');
SELECT is(failure_of($$SELECT create_webhook('https://example.com/x', '{nothing.*}')$$), '22023 unknown event type "nothing.*"',
	'an unknown area too');
SELECT is(failure_of($$SELECT create_webhook('https://example.com/x', max_attempts => 0)$$), '22023 max_attempts must be 1 to 100',
	'max_attempts bounded');
SELECT is(failure_of($$SELECT create_webhook('https://example.com/x', secret => 'whsec_c2hvcnQ=')$$), '22023 invalid webhook secret',
	'a secret of 5 bytes is too short');
SELECT is(failure_of($$SELECT create_webhook('https://example.com/x', tenant_id => 'tenant_nope')$$),
	'PT404 tenant "tenant_nope" does not exist', 'an unknown tenant');
SELECT is(failure_of($$SELECT create_webhook('https://example.com/x', subscription_id => 'whsub_all')$$),
	'23505 webhook subscription "whsub_all" exists already', 'a taken id');
SELECT is(failure_of($$SELECT set_webhook('whsub_nope', enabled => false)$$),
	'PT404 webhook subscription "whsub_nope" does not exist', 'set_webhook: an unknown subscription');
SELECT is((SELECT count(*) FROM webhook_subscriptions), 3::bigint, 'nothing refused was written');

-- ---- delivering: claim and record ---------------------------------------------------------------
SELECT create_entitlement('tenant_wh_a', 'prod_wh', 'feature_based', entitlement_id => 'ent_wh_a1'),
	create_entitlement('tenant_wh_b', 'prod_wh', 'feature_based', entitlement_id => 'ent_wh_b1') \g /dev/null
SELECT submit_release(attach_artifact(create_release('prod_wh', '1.0.0', 'stable', release_id => 'rel_wh_1'),
	create_artifact('prod_wh', 'https://dl.example.com/wh-1.msi', repeat('ab', 32), 10, 'windows', 'x86_64', 'msi'))::text
	|| 'rel_wh_1') \g /dev/null
CREATE TEMP TABLE claimed AS SELECT * FROM webhook_claim('test-daemon');
SELECT is((SELECT array_agg(type ORDER BY event_id) FROM claimed WHERE subscription_id = 'whsub_all'),
	'{entitlement.created,entitlement.created,release.submitted,release.published}', 'a vendor-wide subscription: every event, in order');
SELECT is((SELECT array_agg(body::jsonb #>> '{data,entitlement_id}') FROM claimed WHERE subscription_id = 'whsub_a'),
	'{ent_wh_a1}', 'a tenant''s: its own tenant''s events of its types only');
SELECT is((SELECT array_agg(type) FROM claimed WHERE subscription_id = 'whsub_rel'), '{release.published}',
	'a type filter');
SELECT is((SELECT (body::jsonb ->> 'type', body::jsonb ->> 'event_id', body::jsonb ? 'timestamp', body::jsonb -> 'data' ? 'release_id')::text
		   FROM claimed WHERE type = 'release.published' AND subscription_id = 'whsub_rel'),
	(SELECT format('(release.published,%s,t,t)', event_id) FROM events WHERE type = 'release.published'),
	'the body: Standard Webhooks'' type, timestamp and data, with the event id');
SELECT is((SELECT secrets FROM claimed WHERE subscription_id = 'whsub_rel' LIMIT 1), '{whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}',
	'the daemon gets the secret unsealed');
SELECT is((SELECT count(*) FROM webhook_claim('other-daemon')), 0::bigint, 'claimed subscriptions are held from another daemon');
SELECT is((SELECT count(*) FROM webhook_claim('test-daemon', busy => '{whsub_all,whsub_a,whsub_rel}')), 0::bigint,
	'and from the same daemon while it is busy with them');

CREATE TEMP TABLE first_a AS SELECT event_id FROM claimed WHERE subscription_id = 'whsub_a';
SELECT is(webhook_record('test-daemon', 'whsub_a', (SELECT event_id FROM first_a), 500, 'HTTP 500', 12, '1 hour'), 'retry',
	'a failed try: retried');
SELECT is((SELECT (attempts, last_status, last_error, next_attempt_at > now() + interval '59 minutes')::text FROM webhooks
		   WHERE subscription_id = 'whsub_a'), '(1,500,"HTTP 500",t)', '… after the back-off the daemon chose');
SELECT is((SELECT count(*) FROM webhook_claim('test-daemon') WHERE subscription_id = 'whsub_a'), 0::bigint,
	'not claimed again before it is due');
UPDATE webhook_cursors SET next_attempt_at = now() WHERE subscription_id = 'whsub_a';
SELECT is((SELECT (event_id, attempt) FROM webhook_claim('test-daemon') WHERE subscription_id = 'whsub_a'),
	((SELECT event_id FROM first_a), 2), 'when due: the same event again, as its second try');
SELECT is(webhook_record('test-daemon', 'whsub_a', (SELECT event_id FROM first_a), NULL, 'Connection refused', 3, '0'), 'retry',
	'no response counts as a failure');
UPDATE webhook_cursors SET next_attempt_at = now() WHERE subscription_id = 'whsub_a';
SELECT is((SELECT attempt FROM webhook_claim('test-daemon') WHERE subscription_id = 'whsub_a'), 3, 'the third try');
SELECT is(webhook_record('test-daemon', 'whsub_a', (SELECT event_id FROM first_a), 503, 'HTTP 503'), 'dead',
	'max_attempts spent: a dead letter');
SELECT is((SELECT (after_event_id = (SELECT event_id FROM first_a), attempts, dead_letters)::text FROM webhooks
		   WHERE subscription_id = 'whsub_a'), '(t,0,1)', 'the subscription moves past it');
SELECT is((SELECT array_agg(outcome || attempt ORDER BY delivery_id) FROM webhook_deliveries WHERE subscription_id = 'whsub_a'),
	'{failed1,failed2,dead3}', 'the delivery log holds every try');
SELECT is(webhook_record('test-daemon', 'whsub_a', (SELECT event_id FROM first_a), 204), 'stale',
	'a late report of an event already handled changes nothing');

SELECT is((SELECT array_agg(webhook_record('test-daemon', 'whsub_all', event_id, 204, NULL, 5, '1 minute', '1 minute')
		   ORDER BY event_id) FROM claimed WHERE subscription_id = 'whsub_all'),
	'{delivered,delivered,delivered,delivered}', 'delivered, one after the other');
SELECT webhook_record('test-daemon', 'whsub_rel', event_id, 200) FROM claimed WHERE subscription_id = 'whsub_rel' \g /dev/null
SELECT is((SELECT after_event_id FROM webhooks WHERE subscription_id = 'whsub_all'),
	(SELECT max(event_id) FROM claimed WHERE subscription_id = 'whsub_all'), 'the cursor is at the last delivered');
SELECT is((SELECT count(*) FROM webhook_claim('test-daemon') WHERE subscription_id = 'whsub_all'), 0::bigint,
	'nothing more to send');
SELECT create_entitlement('tenant_wh_b', 'prod_wh', 'feature_based', entitlement_id => 'ent_wh_b2') \g /dev/null
SELECT is((SELECT array_agg(subscription_id ORDER BY subscription_id) FROM webhook_claim('test-daemon')), '{whsub_all}',
	'a new event: claimed for the subscriptions it matches');
SELECT is((SELECT after_event_id FROM webhooks WHERE subscription_id = 'whsub_rel'), (SELECT max(event_id) FROM events),
	'one with nothing to send moves on to the newest event');

-- ---- changing, rotating, deleting ------------------------------------------------------------------
SELECT is((set_webhook('whsub_rel', enabled => false) ->> 'enabled'), 'false', 'a subscription can be disabled');
SELECT create_entitlement('tenant_wh_a', 'prod_wh', 'feature_based', entitlement_id => 'ent_wh_a2') \g /dev/null
SELECT is((SELECT count(*) FROM webhook_claim('test-daemon') WHERE subscription_id = 'whsub_rel'), 0::bigint, 'a disabled one is not claimed');
CREATE TEMP TABLE rot AS SELECT rotate_webhook_secret('whsub_rel') AS r;
SELECT isnt((SELECT r ->> 'secret' FROM rot), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'rotation: a new secret, shown once');
SELECT set_webhook('whsub_rel', enabled => true, event_types => '{}') \g /dev/null
SELECT is((SELECT secrets FROM webhook_claim('test-daemon') WHERE subscription_id = 'whsub_rel' LIMIT 1),
	ARRAY[(SELECT r ->> 'secret' FROM rot), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
	'while the old one is valid, both sign (the new first)');
SELECT is(failure_of($$SELECT rotate_webhook_secret('whsub_rel', interval '31 days')$$), '22023 previous_valid must be 0 to 30 days',
	'previous_valid bounded');

-- ---- who sees and manages what -------------------------------------------------------------------
CREATE ROLE wh_test_dba LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE wh_test_client LOGIN IN ROLE bigpicture_client;
SELECT bind_role('wh_test_dba', 'tenant_wh_b'), bind_role('wh_test_client', 'tenant_wh_b') \g /dev/null
SET LOCAL ROLE wh_test_dba;
SELECT is((SELECT array_agg(subscription_id) FROM webhooks), NULL, 'a tenant admin sees no other tenant''s nor vendor-wide subscriptions');
SELECT is((create_webhook('https://hooks.example.com/b', '{entitlement.*}') ->> 'tenant_id'), 'tenant_wh_b',
	'a tenant admin subscribes for its own tenant');
SELECT is(failure_of($$SELECT set_webhook('whsub_a', enabled => false)$$), 'PT404 webhook subscription "whsub_a" does not exist',
	'another tenant''s subscription is not there for it');
SELECT is(failure_of($$SELECT delete_webhook('whsub_all')$$), 'PT404 webhook subscription "whsub_all" does not exist',
	'nor a vendor-wide one');
SELECT is(left(failure_of($$SELECT signing_secret_sealed FROM webhook_subscriptions$$), 5), '42501', 'the table itself is out of reach');
SET LOCAL ROLE wh_test_client;
SELECT is(left(failure_of($$SELECT create_webhook('https://hooks.example.com/c')$$), 5), '42501', 'a client cannot subscribe');
RESET ROLE;
SELECT is(delete_webhook('whsub_a'), true, 'delete_webhook');
SELECT is((SELECT count(*) FROM webhook_deliveries WHERE subscription_id = 'whsub_a'), 0::bigint, '… with its log');

SELECT * FROM finish();
ROLLBACK;
