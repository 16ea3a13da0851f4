-- The tamper-evident audit log: a script of API calls, each run as
-- a real role (SET ROLE, or the gateway with JWT claims), with the events it
-- must leave (chain, type, object, actor); row images and request context;
-- no sealed secret in any image; event names; no-op updates and rolled-back
-- work leave nothing; verify_audit_chain against tampering (each case undone
-- afterwards); checkpoints; export and offline re-hashing; append-only
-- triggers and privileges; audit_log filters and who may read which chain.
--
-- The whole file runs under REPEATABLE READ: every append below is made by a
-- single writer at that level (concurrent appends are covered by the driver
-- tests in test/concurrency, which a single pgTAP transaction cannot run).
BEGIN;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
SELECT plan(242);
SET LOCAL TimeZone = 'UTC';
-- check_update writes the decision log: it must stay out of the audit chain.
SET LOCAL bigpicture.log_decisions = on;

-- ---- actors -------------------------------------------------------------------------------
CREATE ROLE t_gw LOGIN NOINHERIT IN ROLE bigpicture_gateway;
CREATE ROLE t_dba_a LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE t_dba_b LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE t_x LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE t_unbound LOGIN IN ROLE bigpicture_tenant_admin;
CREATE ROLE t_admin LOGIN IN ROLE bigpicture_admin;
CREATE ROLE t_auditor LOGIN IN ROLE bigpicture_auditor;
CREATE ROLE t_pub LOGIN IN ROLE bigpicture_publisher;
CREATE ROLE t_appr LOGIN IN ROLE bigpicture_approver;

-- who: how to become the actor.  session_role: SET SESSION AUTHORIZATION (NULL: stay
-- the superuser); set_role: SET ROLE; claims, method, path, headers: the request.*
-- settings, transaction-local as PostgREST sets them.  actor: the expected audit actor.
CREATE TEMP TABLE whos (who text PRIMARY KEY, session_role name, set_role name, claims text, method text,
	path text, headers text, actor text);
INSERT INTO whos VALUES
	('su',           NULL,   NULL,                      NULL, NULL, NULL, NULL, session_user),
	('owner',        NULL,   'bigpicture_owner',        NULL, NULL, NULL, NULL, 'bigpicture_owner'),
	('admin',        NULL,   't_admin',                 NULL, NULL, NULL, NULL, 't_admin'),
	('pub',          NULL,   't_pub',                   NULL, NULL, NULL, NULL, 't_pub'),
	('appr',         NULL,   't_appr',                  NULL, NULL, NULL, NULL, 't_appr'),
	('auditor',      NULL,   't_auditor',               NULL, NULL, NULL, NULL, 't_auditor'),
	('dba_a',        NULL,   't_dba_a',                 NULL, NULL, NULL, NULL, 't_dba_a'),
	('dba_b',        NULL,   't_dba_b',                 NULL, NULL, NULL, NULL, 't_dba_b'),
	('unbound',      NULL,   't_unbound',               NULL, NULL, NULL, NULL, 't_unbound'),
	-- an ordinary SQL session that sets the gateway's request settings itself
	('dba_a_forged', NULL,   't_dba_a',                 NULL, 'GET', '/forged', '{"x-forwarded-for": "198.51.100.9"}', 't_dba_a'),
	('gw_a',         't_gw', 'bigpicture_tenant_admin',
		'{"role":"bigpicture_tenant_admin","tenant_id":"tenant_a","sub":"alice"}', 'POST', '/rpc/set_policy',
		'{"x-forwarded-for": "203.0.113.7"}', 'alice'),
	-- a token naming its tenant twice (jsonb would keep the last)
	('client_dup',   't_gw', 'bigpicture_client',
		'{"role":"bigpicture_client","tenant_id":"tenant_a","sub":"device-1","tenant_id":"tenant_b"}', 'POST', '/rpc/issue_lease', NULL, 'device-1'),
	('client_dup_esc', 't_gw', 'bigpicture_client',
		'{"role":"bigpicture_client","tenant_id":"tenant_a","sub":"device-1","s\u0075b":"other"}', 'POST', '/rpc/issue_lease', NULL, 'device-1'),
	('client_a',     't_gw', 'bigpicture_client',
		'{"role":"bigpicture_client","tenant_id":"tenant_a","sub":"device-1"}', 'POST', '/rpc/issue_lease', NULL, 'device-1');

-- Run stmt as an actor and come back: its one value (for a SELECT), or the error
-- "SQLSTATE message".  A failing statement is rolled back (and so are its events).
CREATE FUNCTION pg_temp.run_as(p_who text, stmt text, OUT result text, OUT err text) LANGUAGE plpgsql AS $$
DECLARE
	w record;
BEGIN
	SELECT * INTO STRICT w FROM whos WHERE who = p_who;
	BEGIN
		IF w.session_role IS NOT NULL THEN
			EXECUTE format('SET SESSION AUTHORIZATION %I', w.session_role);
		END IF;
		IF w.set_role IS NOT NULL THEN
			EXECUTE format('SET ROLE %I', w.set_role);
		END IF;
		PERFORM set_config('request.jwt.claims', COALESCE(w.claims, ''), true),
			set_config('request.method', COALESCE(w.method, ''), true),
			set_config('request.path', COALESCE(w.path, ''), true),
			set_config('request.headers', COALESCE(w.headers, ''), true);
		IF stmt ~* '^\s*(SELECT|WITH)\M' THEN
			EXECUTE stmt INTO result;
		ELSE
			EXECUTE stmt;
		END IF;
	EXCEPTION WHEN OTHERS THEN
		result := NULL;
		err := SQLSTATE || ' ' || SQLERRM;
	END;
	PERFORM set_config('request.jwt.claims', '', true), set_config('request.method', '', true),
		set_config('request.path', '', true), set_config('request.headers', '', true);
	RESET ROLE;
	RESET SESSION AUTHORIZATION;
END
$$;
-- The value of a query run as an actor, or "ERROR SQLSTATE".
CREATE FUNCTION pg_temp.val_as(p_who text, query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	r := pg_temp.run_as(p_who, query);
	RETURN COALESCE('ERROR ' || left(r.err, 5), r.result);
END
$$;

-- Run setup, then query, and undo both: the query's value, or "ERROR SQLSTATE message".
CREATE FUNCTION pg_temp.probe(setup text, query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	out text;
BEGIN
	EXECUTE setup;
	EXECUTE query INTO out;
	RAISE EXCEPTION USING ERRCODE = 'AUDRB';
EXCEPTION
	WHEN SQLSTATE 'AUDRB' THEN
		RETURN out;
	WHEN OTHERS THEN
		RETURN 'ERROR ' || SQLSTATE || ' ' || SQLERRM;
END
$$;

-- ---- the script ------------------------------------------------------------------------------
-- Steps run in order of n, as who; arg_sql (run as the superuser first) fills %s / %L
-- in stmt.  expect: the events the step appends, in order, as chain|event_type|
-- object_type|object_id (* for a generated id); the actor is always the step's.
-- 'ERROR sqlstate': the step fails (and leaves no event).
CREATE TEMP TABLE steps (n int PRIMARY KEY, label text UNIQUE, who text REFERENCES whos, stmt text, arg_sql text,
	expect text[]);
CREATE TEMP TABLE step_runs (label text PRIMARY KEY, result text, err text);
-- The events each step appended (label NULL: there before the script).
CREATE TEMP TABLE step_events AS SELECT NULL::text AS label, e.* FROM bigpicture.audit_events e;

CREATE FUNCTION pg_temp.run_steps() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	s record;
	arg text;
	r record;
BEGIN
	FOR s IN SELECT * FROM jsonb_to_recordset((SELECT jsonb_agg(to_jsonb(x) ORDER BY x.n) FROM steps x
			WHERE x.label NOT IN (SELECT label FROM step_runs))) AS j(n int, label text, who text, stmt text, arg_sql text)
		ORDER BY n
	LOOP
		arg := NULL;
		IF s.arg_sql IS NOT NULL THEN
			EXECUTE s.arg_sql INTO arg;
		END IF;
		r := pg_temp.run_as(s.who, CASE WHEN s.arg_sql IS NULL THEN s.stmt ELSE format(s.stmt, arg) END);
		INSERT INTO step_runs VALUES (s.label, r.result, r.err);
		INSERT INTO step_events SELECT s.label, e.* FROM bigpicture.audit_events e
		 WHERE NOT EXISTS (SELECT 1 FROM step_events x WHERE x.event_id = e.event_id);
	END LOOP;
END
$$;

-- What a step left: its error, then its events as chain|type|object_type|object_id|actor
-- (object_id shown as * where the expectation says *).
CREATE FUNCTION pg_temp.step_actual(p_label text) RETURNS text[] LANGUAGE sql AS $$
	WITH ev AS (
		SELECT row_number() OVER (ORDER BY e.occurred_at, e.chain_id, e.seq) AS i, e.*
		FROM step_events e WHERE e.label = p_label),
	x AS (SELECT u.e, u.i FROM steps s, unnest(s.expect) WITH ORDINALITY u(e, i) WHERE s.label = p_label)
	SELECT CASE WHEN r.err IS NOT NULL THEN ARRAY['ERROR ' || left(r.err, 5)] ELSE '{}' END
		|| COALESCE((SELECT array_agg(format('%s|%s|%s|%s|%s', ev.chain_id, ev.event_type, ev.object_type,
				CASE WHEN split_part(x.e, '|', 4) = '*' AND ev.object_id IS NOT NULL THEN '*'
					 ELSE COALESCE(ev.object_id, 'NULL') END, ev.actor) ORDER BY ev.i)
			FROM ev LEFT JOIN x ON x.i = ev.i), '{}')
	FROM step_runs r WHERE r.label = p_label
$$;
CREATE FUNCTION pg_temp.step_expected(p_label text) RETURNS text[] LANGUAGE sql AS $$
	SELECT COALESCE((SELECT array_agg(CASE WHEN u.e LIKE 'ERROR %' THEN u.e ELSE u.e || '|' || w.actor END ORDER BY u.i)
		FROM steps s JOIN whos w USING (who), unnest(s.expect) WITH ORDINALITY u(e, i) WHERE s.label = p_label), '{}')
$$;

-- The i-th event of a step.
CREATE FUNCTION pg_temp.ev(p_label text, i int DEFAULT 1) RETURNS bigpicture.audit_events LANGUAGE sql AS $$
	SELECT a FROM bigpicture.audit_events a
	JOIN (SELECT e.event_id FROM step_events e WHERE e.label = p_label
		  ORDER BY e.occurred_at, e.chain_id, e.seq OFFSET i - 1 LIMIT 1) x USING (event_id)
$$;
-- The columns an event's before and after images disagree on.
CREATE FUNCTION pg_temp.changed(e bigpicture.audit_events) RETURNS text[] LANGUAGE sql AS $$
	SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(COALESCE(e.before, '{}') || COALESCE(e.after, '{}')) k
	WHERE e.before -> k IS DISTINCT FROM e.after -> k
$$;
-- "before→after changed-columns" of one column across an event.
CREATE FUNCTION pg_temp.change(e bigpicture.audit_events, col text) RETURNS text LANGUAGE sql AS $$
	SELECT format('%s→%s %s', COALESCE(e.before ->> col, 'NULL'), COALESCE(e.after ->> col, 'NULL'), pg_temp.changed(e))
$$;

INSERT INTO steps VALUES
	-- tenants and role bindings: the tenant's chain
	( 10, 'create_tenant tenant_a', 'admin', $s$SELECT bigpicture.create_tenant('Tenant A', 'tenant_a')$s$, NULL,
		'{tenant_a|tenant_created|tenant|tenant_a}'),
	( 20, 'create_tenant tenant_b', 'admin', $s$SELECT bigpicture.create_tenant('Tenant B', 'tenant_b')$s$, NULL,
		'{tenant_b|tenant_created|tenant|tenant_b}'),
	( 25, 'create_tenant tenant_c', 'admin', $s$SELECT bigpicture.create_tenant('Tenant C', 'tenant_c')$s$, NULL,
		'{tenant_c|tenant_created|tenant|tenant_c}'),
	( 30, 'create_tenant with a taken id fails', 'admin', $s$SELECT bigpicture.create_tenant('Again', 'tenant_a')$s$, NULL,
		'{ERROR 23505}'),
	( 40, 'set_tenant_status suspended', 'admin', $s$SELECT bigpicture.set_tenant_status('tenant_b', 'suspended')$s$, NULL,
		'{tenant_b|tenant_suspended|tenant|tenant_b}'),
	( 50, 'set_tenant_status active', 'admin', $s$SELECT bigpicture.set_tenant_status('tenant_b', 'active')$s$, NULL,
		'{tenant_b|tenant_resumed|tenant|tenant_b}'),
	( 55, 'set_tenant_status tenant_c suspended', 'admin', $s$SELECT bigpicture.set_tenant_status('tenant_c', 'suspended')$s$, NULL,
		'{tenant_c|tenant_suspended|tenant|tenant_c}'),
	( 60, 'bind_role t_dba_a', 'admin', $s$SELECT bigpicture.bind_role('t_dba_a', 'tenant_a')$s$, NULL,
		'{tenant_a|role_binding_created|role_binding|t_dba_a}'),
	( 70, 'bind_role t_dba_b', 'admin', $s$SELECT bigpicture.bind_role('t_dba_b', 'tenant_b')$s$, NULL,
		'{tenant_b|role_binding_created|role_binding|t_dba_b}'),
	( 80, 'bind_role t_x to tenant_a', 'admin', $s$SELECT bigpicture.bind_role('t_x', 'tenant_a')$s$, NULL,
		'{tenant_a|role_binding_created|role_binding|t_x}'),
	( 90, 'bind_role t_x to tenant_b instead', 'admin', $s$SELECT bigpicture.bind_role('t_x', 'tenant_b')$s$, NULL,
		'{tenant_b|role_binding_updated|role_binding|t_x,tenant_a|role_binding_updated|role_binding|t_x}'),
	(100, 'unbind_role t_x', 'admin', $s$SELECT bigpicture.unbind_role('t_x')$s$, NULL,
		'{tenant_b|role_binding_deleted|role_binding|t_x}'),
	-- keys: the vendor chain
	(110, 'generate and activate decision and lease keys', 'admin',
		$s$DO $d$BEGIN
			PERFORM bigpicture.activate_key(bigpicture.generate_key('decision'));
			PERFORM bigpicture.activate_key(bigpicture.generate_key('lease'));
		END$d$$s$, NULL,
		'{vendor|key_generated|signing_key|*,vendor|key_activated|signing_key|*,vendor|key_generated|signing_key|*,vendor|key_activated|signing_key|*}'),
	-- the catalog and releases: the vendor chain
	(120, 'create_product', 'admin', $s$SELECT bigpicture.create_product('Audited', 'prod_aud')$s$, NULL,
		'{vendor|product_created|product|prod_aud}'),
	(130, 'create_channel stable', 'admin', $s$SELECT bigpicture.create_channel('prod_aud', 'stable')$s$, NULL,
		'{vendor|channel_created|channel|prod_aud/stable}'),
	(140, 'create_channel beta', 'admin', $s$SELECT bigpicture.create_channel('prod_aud', 'beta', true)$s$, NULL,
		'{vendor|channel_created|channel|prod_aud/beta}'),
	(150, 'create_artifact', 'pub',
		$s$SELECT bigpicture.create_artifact('prod_aud', 'https://dl.example.com/aud/1.0.0/aud.msi', repeat('a', 64), 1000,
			'windows', 'x86_64', 'msi', artifact_id => 'art_aud_win')$s$, NULL,
		'{vendor|artifact_created|artifact|art_aud_win}'),
	(160, 'create_release', 'pub', $s$SELECT bigpicture.create_release('prod_aud', '1.0.0', 'stable', release_id => 'rel_aud_1')$s$,
		NULL, '{vendor|release_created|release|rel_aud_1}'),
	(170, 'attach_artifact', 'pub', $s$SELECT bigpicture.attach_artifact('rel_aud_1', 'art_aud_win')$s$, NULL,
		'{vendor|release_artifact_created|release_artifact|rel_aud_1/art_aud_win}'),
	(180, 'create, attach and detach another artifact', 'pub',
		$s$DO $d$BEGIN
			PERFORM bigpicture.create_artifact('prod_aud', 'https://dl.example.com/aud/1.0.0/aud.deb', repeat('b', 64), 1000,
				'linux', 'x86_64', 'deb', artifact_id => 'art_aud_lin');
			PERFORM bigpicture.attach_artifact('rel_aud_1', 'art_aud_lin');
			PERFORM bigpicture.detach_artifact('rel_aud_1', 'art_aud_lin');
		END$d$$s$, NULL,
		'{vendor|artifact_created|artifact|art_aud_lin,vendor|release_artifact_created|release_artifact|rel_aud_1/art_aud_lin,vendor|release_artifact_deleted|release_artifact|rel_aud_1/art_aud_lin}'),
	(190, 'set_approval_workflow (new)', 'admin', $s$SELECT bigpicture.set_approval_workflow('product', 'prod_aud')$s$, NULL,
		'{vendor|approval_workflow_created|approval_workflow|*}'),
	(200, 'set_approval_workflow (changed)', 'admin',
		$s$SELECT bigpicture.set_approval_workflow('product', 'prod_aud', approval_expiry => '3 days')$s$, NULL,
		'{vendor|approval_workflow_updated|approval_workflow|*}'),
	(210, 'submit_release', 'pub', $s$SELECT bigpicture.submit_release('rel_aud_1')$s$, NULL,
		'{vendor|release_submitted|release|rel_aud_1}'),
	(220, 'a publisher cannot approve', 'pub', $s$SELECT bigpicture.approve_release('rel_aud_1')$s$, NULL,
		'{ERROR 42501}'),
	(230, 'approve_release publishes', 'appr', $s$SELECT bigpicture.approve_release('rel_aud_1', 'lgtm')$s$, NULL,
		'{vendor|release_approved|release|rel_aud_1,vendor|release_published|release|rel_aud_1}'),
	(240, 'a second release, submitted', 'pub',
		$s$DO $d$BEGIN
			PERFORM bigpicture.create_release('prod_aud', '1.1.0', 'stable', release_id => 'rel_aud_2');
			PERFORM bigpicture.attach_artifact('rel_aud_2', 'art_aud_win');
			PERFORM bigpicture.submit_release('rel_aud_2');
		END$d$$s$, NULL,
		'{vendor|release_created|release|rel_aud_2,vendor|release_artifact_created|release_artifact|rel_aud_2/art_aud_win,vendor|release_submitted|release|rel_aud_2}'),
	(250, 'reject_release', 'appr', $s$SELECT bigpicture.reject_release('rel_aud_2', 'crashes on start')$s$, NULL,
		'{vendor|release_rejected|release|rel_aud_2}'),
	(260, 'revoke_release', 'admin', $s$SELECT bigpicture.revoke_release('rel_aud_1', 'data loss')$s$, NULL,
		'{vendor|release_revoked|release|rel_aud_1}'),
	(270, 'create a draft', 'pub', $s$SELECT bigpicture.create_release('prod_aud', '0.9.0', 'stable', release_id => 'rel_aud_3')$s$,
		NULL, '{vendor|release_created|release|rel_aud_3}'),
	(280, 'delete the draft (superuser)', 'su', $s$DELETE FROM bigpicture.releases WHERE release_id = 'rel_aud_3'$s$, NULL,
		'{vendor|release_deleted|release|rel_aud_3}'),
	(290, 'set_rollout (new)', 'pub',
		$s$DO $d$BEGIN
			PERFORM bigpicture.create_release('prod_aud', '2.0.0-beta.1', 'beta', release_id => 'rel_aud_4');
			PERFORM bigpicture.set_rollout('rel_aud_4', 1000);
		END$d$$s$, NULL,
		'{vendor|release_created|release|rel_aud_4,vendor|rollout_created|rollout|rel_aud_4}'),
	(300, 'set_rollout (changed)', 'pub', $s$SELECT bigpicture.set_rollout('rel_aud_4', 5000)$s$, NULL,
		'{vendor|rollout_updated|rollout|rel_aud_4}'),
	(310, 'clear_rollout', 'pub', $s$SELECT bigpicture.clear_rollout('rel_aud_4')$s$, NULL,
		'{vendor|rollout_deleted|rollout|rel_aud_4}'),
	(320, 'clear_approval_workflow', 'admin', $s$SELECT bigpicture.clear_approval_workflow('product', 'prod_aud')$s$, NULL,
		'{vendor|approval_workflow_deleted|approval_workflow|*}'),
	-- policies: vendor scopes on the vendor chain, tenant scopes on the tenant's
	(330, 'set_policy global (new)', 'admin', $s$SELECT bigpicture.set_policy('global', mode => 'NOTIFY_ONLY')$s$, NULL,
		'{vendor|policy_created|policy|*}'),
	(340, 'set_policy global (changed)', 'admin', $s$SELECT bigpicture.set_policy('global', mode => 'AUTO_INSTALL')$s$, NULL,
		'{vendor|policy_updated|policy|*}'),
	(350, 'clear_policy global', 'admin', $s$SELECT bigpicture.clear_policy('global')$s$, NULL,
		'{vendor|policy_deleted|policy|*}'),
	(360, 'set_policy tenant, bound DBA', 'dba_a', $s$SELECT bigpicture.set_policy('tenant', mode => 'AUTO_INSTALL')$s$, NULL,
		'{tenant_a|policy_created|policy|*}'),
	(370, 'set_policy tenant, through the gateway', 'gw_a', $s$SELECT bigpicture.set_policy('tenant', mode => 'MANAGED_BY_IT')$s$,
		NULL, '{tenant_a|policy_updated|policy|*}'),
	(380, 'a tenant admin cannot set the global policy', 'gw_a',
		$s$SELECT bigpicture.set_policy('global', mode => 'AUTO_INSTALL')$s$, NULL, '{ERROR 42501}'),
	(390, 'clear_policy tenant, through the gateway', 'gw_a', $s$SELECT bigpicture.clear_policy('tenant')$s$, NULL,
		'{tenant_a|policy_deleted|policy|*}'),
	(400, 'set_policy tenant, tenant_b''s DBA', 'dba_b', $s$SELECT bigpicture.set_policy('tenant', mode => 'NOTIFY_ONLY')$s$, NULL,
		'{tenant_b|policy_created|policy|*}'),
	(410, 'set_policy tenant_product, DBA session with request settings', 'dba_a_forged',
		$s$SELECT bigpicture.set_policy('tenant_product', product_id => 'prod_aud', mode => 'NOTIFY_ONLY')$s$, NULL,
		'{tenant_a|policy_created|policy|*}'),
	-- entitlements and leases: the tenant's chain
	(420, 'create_entitlement', 'admin',
		$s$SELECT bigpicture.create_entitlement('tenant_a', 'prod_aud', 'concurrent', 5, entitlement_id => 'ent_aud_a')$s$, NULL,
		'{tenant_a|entitlement_created|entitlement|ent_aud_a}'),
	(430, 'suspend the entitlement', 'admin', $s$SELECT bigpicture.set_entitlement_status('ent_aud_a', 'suspended')$s$, NULL,
		'{tenant_a|entitlement_suspended|entitlement|ent_aud_a}'),
	(440, 'resume the entitlement', 'admin', $s$SELECT bigpicture.set_entitlement_status('ent_aud_a', 'active')$s$, NULL,
		'{tenant_a|entitlement_resumed|entitlement|ent_aud_a}'),
	(450, 'update_entitlement', 'admin', $s$SELECT bigpicture.update_entitlement('ent_aud_a', max_seats => 6)$s$, NULL,
		'{tenant_a|entitlement_updated|entitlement|ent_aud_a}'),
	(460, 'issue_lease', 'client_a',
		$s$SELECT bigpicture.issue_lease('{"product_id": "prod_aud", "subject_type": "machine", "subject_id": "m1", "install_id": "inst-1"}')$s$,
		NULL, '{tenant_a|lease_issued|lease|*}'),
	(470, 'issue_lease again renews', 'client_a',
		$s$SELECT bigpicture.issue_lease('{"product_id": "prod_aud", "subject_type": "machine", "subject_id": "m1", "install_id": "inst-1"}')$s$,
		NULL, '{tenant_a|lease_renewed|lease|*}'),
	(480, 'renew_lease', 'client_a', $s$SELECT bigpicture.renew_lease(jsonb_build_object('lease_id', %L))$s$,
		$s$SELECT lease_id FROM bigpicture.leases WHERE tenant_id = 'tenant_a' AND subject = 'machine:m1'$s$,
		'{tenant_a|lease_renewed|lease|*}'),
	(490, 'release_lease', 'client_a', $s$SELECT bigpicture.release_lease(jsonb_build_object('lease_id', %L))$s$,
		$s$SELECT lease_id FROM bigpicture.leases WHERE tenant_id = 'tenant_a' AND subject = 'machine:m1'$s$,
		'{tenant_a|lease_released|lease|*}'),
	(500, 'issue_lease m2', 'client_a',
		$s$SELECT bigpicture.issue_lease('{"product_id": "prod_aud", "subject_type": "machine", "subject_id": "m2"}')$s$,
		NULL, '{tenant_a|lease_issued|lease|*}'),
	(510, 'revoke_lease, tenant DBA', 'dba_a', $s$SELECT bigpicture.revoke_lease(%L, 'stolen laptop')$s$,
		$s$SELECT lease_id FROM bigpicture.leases WHERE tenant_id = 'tenant_a' AND subject = 'machine:m2'$s$,
		'{tenant_a|lease_revoked|lease|*}'),
	(520, 'issue_lease m3', 'client_a',
		$s$SELECT bigpicture.issue_lease('{"product_id": "prod_aud", "subject_type": "machine", "subject_id": "m3"}')$s$,
		NULL, '{tenant_a|lease_issued|lease|*}'),
	(530, 'revoke the entitlement (and its active lease)', 'admin',
		$s$SELECT bigpicture.set_entitlement_status('ent_aud_a', 'revoked', 'chargeback')$s$, NULL,
		'{tenant_a|entitlement_revoked|entitlement|ent_aud_a,tenant_a|lease_revoked|lease|*}'),
	(540, 'check_update with the decision log on: no audit event', 'client_a',
		$s$SELECT bigpicture.check_update('{"install_id": "inst-9", "nonce": "n-1", "platform": "windows", "arch": "x86_64",
			"products": [{"product_id": "prod_aud", "channel": "stable"}]}')$s$, NULL, '{}');

SELECT pg_temp.run_steps();

-- ---- checkpoints need an audit key ------------------------------------------------------------
SELECT throws_ok($$SELECT bigpicture.audit_checkpoint('vendor')$$, 'PT409', 'no active audit signing key',
	'audit_checkpoint without an active audit key: PT409');
SELECT is((SELECT count(*) FROM bigpicture.audit_checkpoints), 0::bigint, '... and no checkpoint is stored');

INSERT INTO steps VALUES
	(600, 'generate and activate the vendor audit key', 'admin',
		$s$SELECT bigpicture.activate_key(bigpicture.generate_key('audit'))$s$, NULL,
		'{vendor|key_generated|signing_key|*,vendor|key_activated|signing_key|*}'),
	(610, 'generate and activate tenant_a''s own audit key', 'admin',
		$s$SELECT bigpicture.activate_key(bigpicture.generate_key('audit', 'tenant_a'))$s$, NULL,
		'{tenant_a|key_generated|signing_key|*,tenant_a|key_activated|signing_key|*}'),
	(620, 'rotate the lease key', 'admin', $s$SELECT bigpicture.activate_key(bigpicture.generate_key('lease'))$s$, NULL,
		'{vendor|key_generated|signing_key|*,vendor|key_retiring|signing_key|*,vendor|key_activated|signing_key|*}'),
	(630, 'retire the old lease key', 'admin', $s$SELECT bigpicture.retire_key(%L)$s$,
		$s$SELECT kid FROM bigpicture.signing_keys WHERE purpose = 'lease' AND state = 'retiring'$s$,
		'{vendor|key_retired|signing_key|*}'),
	(640, 'generate and revoke a snapshot key', 'admin',
		$s$DO $d$BEGIN
			PERFORM bigpicture.revoke_key(bigpicture.generate_key('snapshot'), 'test');
		END$d$$s$, NULL,
		'{vendor|key_generated|signing_key|*,vendor|key_revoked|signing_key|*}');

SELECT pg_temp.run_steps();

-- ---- every step left exactly its events ---------------------------------------------------------
SELECT is(pg_temp.step_actual(s.label), pg_temp.step_expected(s.label), format('%s (as %s)', s.label, s.who))
FROM steps s ORDER BY s.n;

SELECT is((SELECT count(DISTINCT object_id) || ' ' || min(object_id) FROM step_events
		   WHERE label IN ('issue_lease', 'issue_lease again renews', 'renew_lease', 'release_lease')),
	'1 ' || (SELECT lease_id FROM bigpicture.leases WHERE tenant_id = 'tenant_a' AND subject = 'machine:m1'),
	'lease events name the lease: issue, renewal and release of m1 all carry its lease_id');
SELECT is((SELECT array_agg(DISTINCT e.object_id = e.after ->> 'kid' AND k.kid IS NOT NULL) FROM step_events e
		   LEFT JOIN bigpicture.signing_keys k ON k.kid = e.object_id WHERE e.object_type = 'signing_key'),
	'{t}', 'key events name the key: object_id is the kid');
SELECT is((SELECT array_agg(DISTINCT object_id) FROM step_events WHERE object_type = 'approval_workflow'),
	ARRAY[(SELECT after ->> 'workflow_id' FROM pg_temp.ev('set_approval_workflow (new)'))],
	'approval workflow events name the workflow: created, updated and deleted carry its workflow_id');
SELECT is((SELECT string_agg(DISTINCT object_id, ',') FROM step_events WHERE label LIKE '%policy tenant%gateway'),
	(SELECT after ->> 'policy_id' FROM pg_temp.ev('set_policy tenant, bound DBA')),
	'policy events name the policy: the gateway''s update and delete carry the DBA''s policy_id');

-- ---- row images ------------------------------------------------------------------------------
SELECT is((pg_temp.ev('create_tenant tenant_a')).before, NULL, 'INSERT: no before image');
SELECT is((pg_temp.ev('create_tenant tenant_a')).after,
	(SELECT to_jsonb(t) FROM bigpicture.tenants t WHERE tenant_id = 'tenant_a'), 'INSERT: after is the row as written');
SELECT is(pg_temp.change(pg_temp.ev('set_tenant_status suspended'), 'status'), 'active→suspended {status}',
	'UPDATE: before and after differ exactly in the changed column');
SELECT is(format('%s %s', (pg_temp.ev('unbind_role t_x')).before ->> 'role_name', ((pg_temp.ev('unbind_role t_x')).after IS NULL)::text),
	't_x true', 'DELETE: the before image, no after image');
SELECT is(format('%s %s', (pg_temp.ev('delete the draft (superuser)')).before ->> 'status',
		((pg_temp.ev('delete the draft (superuser)')).after IS NULL)::text),
	'draft true', 'a deleted draft release: its last state, no after image');
SELECT is(format('%s %s %s', ((pg_temp.ev('approve_release publishes')).before IS NULL)::text, (pg_temp.ev('approve_release publishes')).after ->> 'approver',
		(pg_temp.ev('approve_release publishes')).after ->> 'comment'),
	'true t_appr lgtm', 'release_approved: the approval row (approver, comment)');
SELECT is(pg_temp.change(pg_temp.ev('approve_release publishes', 2), 'status'),
	'pending_approval→published {published_at,release_token,status}', 'release_published: status, time and token');
SELECT is(pg_temp.change(pg_temp.ev('revoke_release'), 'status'),
	'published→revoked {revoked_at,revoked_by,revoked_reason,status}', 'release_revoked: status, time, actor and reason');
SELECT is(pg_temp.change(pg_temp.ev('set_policy tenant, through the gateway'), 'mode'),
	'AUTO_INSTALL→MANAGED_BY_IT {mode,updated_by}', 'policy_updated: the mode and who set it');
SELECT is(pg_temp.change(pg_temp.ev('set_rollout (changed)'), 'percentage'), '1000→5000 {percentage}',
	'rollout_updated: the percentage');
SELECT is(pg_temp.change(pg_temp.ev('suspend the entitlement'), 'status'), 'active→suspended {status}',
	'entitlement_suspended: the status');
SELECT is(pg_temp.change(pg_temp.ev('revoke the entitlement (and its active lease)'), 'status'),
	'active→revoked {revoked_at,revoked_reason,status}', 'entitlement_revoked: status, time and reason');
SELECT is(pg_temp.change(pg_temp.ev('renew_lease'), 'seq'), '2→3 {seq,token_hash}',
	'lease_renewed: the next token in the chain (expiry and renewal time are now()-based, so unchanged within one transaction)');
SELECT is(pg_temp.changed(pg_temp.ev('release_lease')), '{released_at}', 'lease_released: released_at');
SELECT is(pg_temp.change(pg_temp.ev('revoke_lease, tenant DBA'), 'revoked_reason'), 'NULL→stolen laptop {revoked_at,revoked_reason}',
	'lease_revoked: time and reason');
SELECT is(pg_temp.changed(pg_temp.ev('generate and activate the vendor audit key', 2)), '{activated_at,change_seq,state}',
	'key_activated: state and activation time');
SELECT is(pg_temp.changed(pg_temp.ev('rotate the lease key', 2)), '{change_seq,grace_ends_at,retiring_at,state}',
	'key_retiring: state and grace period');

-- ---- request context -----------------------------------------------------------------------------
SELECT is((pg_temp.ev('set_policy tenant, through the gateway')).context,
	'{"role": "bigpicture_tenant_admin", "method": "POST", "path": "/rpc/set_policy", "client_addr": "203.0.113.7", "gateway": true}',
	'gateway: actor is the JWT sub; context has the role, method, path, forwarded client address and gateway');
SELECT is((pg_temp.ev('issue_lease')).context - 'client_addr',
	'{"role": "bigpicture_client", "method": "POST", "path": "/rpc/issue_lease", "gateway": true}',
	'gateway client: the role it switched to, method and path');
SELECT is((pg_temp.ev('create_product')).context - 'client_addr', '{"role": "t_admin"}',
	'SQL session: the role only');
SELECT is((pg_temp.ev('set_policy tenant, bound DBA')).context - 'client_addr', '{"role": "t_dba_a"}',
	'SQL session of a bound DBA: the role only');
SELECT is((pg_temp.ev('set_policy tenant_product, DBA session with request settings')).context - 'client_addr',
	'{"role": "t_dba_a"}',
	'an ordinary SQL session cannot put a path or client address of its choosing into the context');

-- ---- no secret in any image ----------------------------------------------------------------------
SELECT cmp_ok((SELECT count(*) FROM bigpicture.audit_events WHERE object_type = 'signing_key'), '>=', 12::bigint,
	'key events were written (so the checks below are not vacuous)');
SELECT is((SELECT count(*) FROM bigpicture.audit_events WHERE before ? 'sealed_secret' OR after ? 'sealed_secret'), 0::bigint,
	'no image has a sealed_secret column');
SELECT is((SELECT array_agg(DISTINCT e.event_id) FROM bigpicture.audit_events e, bigpicture.signing_keys k
		   WHERE strpos(concat(e.before::text, e.after::text, e.context::text), encode(k.sealed_secret, 'hex')) > 0
			  OR strpos(concat(e.before::text, e.after::text, e.context::text), encode(k.sealed_secret, 'base64')) > 0),
	NULL, 'no image contains any key''s sealed secret (hex or base64)');
SELECT is((SELECT count(*) FROM bigpicture.audit_events WHERE object_type = 'signing_key'
		   AND NOT COALESCE(after, before) ?& ARRAY['kid', 'purpose', 'public_key', 'state']), 0::bigint,
	'key images keep the public columns (kid, purpose, public key, state)');

-- ---- event names -------------------------------------------------------------------------------------
-- Branches of _audit_event_type the script does not reach.
SELECT is(bigpicture._audit_event_type(t, op, o::jsonb, n::jsonb), expected, format('_audit_event_type: %s', why))
FROM (VALUES
	('releases', 'UPDATE', '{"status": "draft", "notes": "a"}', '{"status": "draft", "notes": "b"}', 'release_updated',
		'a draft edited'),
	('releases', 'DELETE', '{"status": "draft"}', NULL, 'release_deleted', 'a draft deleted'),
	('release_approvals', 'UPDATE', '{"approver": "x"}', '{"approver": "x"}', 'release_approved', 'an expired approval renewed'),
	('release_approvals', 'DELETE', '{"approver": "x"}', NULL, 'release_approval_deleted', 'an approval deleted with its release'),
	('signing_keys', 'UPDATE', '{"state": "active"}', '{"state": "active", "x": 1}', 'signing_key_updated',
		'a key changed without a state change'),
	('leases', 'UPDATE', '{"seq": 1, "expires_at": "a"}', '{"seq": 1, "expires_at": "b"}', 'lease_updated',
		'a lease edited without a new token'),
	('leases', 'UPDATE', '{"seq": 1, "released_at": null, "revoked_at": null}',
		'{"seq": 1, "released_at": "t", "revoked_at": "t"}', 'lease_revoked', 'released and revoked at once: revoked'),
	('entitlements', 'DELETE', '{"status": "active"}', NULL, 'entitlement_deleted', 'an entitlement deleted'),
	('tenant_roles', 'DELETE', '{}', NULL, 'role_binding_deleted', 'a binding removed'),
	('tenants', 'DELETE', '{}', NULL, 'tenant_deleted', 'a tenant deleted'),
	('channels', 'DELETE', '{}', NULL, 'channel_deleted', 'a channel deleted'),
	('vendor_policies', 'INSERT', NULL, '{}', 'policy_created', 'vendor and tenant policies are both "policy"')
) AS x(t, op, o, n, expected, why);
SELECT is((SELECT array_agg(DISTINCT event_type) FROM bigpicture.audit_events
		   WHERE event_type !~ '^(tenant|role_binding|product|channel|artifact|release|release_artifact|approval_workflow|policy|rollout|entitlement|lease|key)_(created|updated|deleted|submitted|published|rejected|revoked|approved|generated|activated|retiring|retired|issued|renewed|released|suspended|resumed)$'),
	NULL, 'every event type is <object>_<past participle>');

-- ---- images do not depend on the writer's settings ---------------------------------------------
SET LOCAL TimeZone = 'Pacific/Chatham';
SET LOCAL DateStyle = 'SQL, DMY';
SET LOCAL IntervalStyle = 'sql_standard';
DO $$BEGIN PERFORM bigpicture.create_tenant('Zoned', 'tenant_tz'); END$$;
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, MDY';
SET LOCAL IntervalStyle = 'postgres';
SELECT is((SELECT after FROM bigpicture.audit_events WHERE chain_id = 'tenant_tz' AND seq = 1),
	(SELECT to_jsonb(t) FROM bigpicture.tenants t WHERE tenant_id = 'tenant_tz'),
	'an image written under another TimeZone, DateStyle and IntervalStyle reads as under UTC/ISO/postgres');
SELECT matches((SELECT format('%s %s', after ->> 'created_at', after ->> 'offline_grace') FROM bigpicture.audit_events
				WHERE chain_id = 'tenant_tz' AND seq = 1),
	'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00 7 days$', '... timestamps in UTC, intervals in postgres style');

-- ---- no-op updates leave nothing -------------------------------------------------------------------
-- Rows for the tables the script emptied again.
DO $$BEGIN
	PERFORM bigpicture.set_approval_workflow('channel', 'prod_aud', 'beta');
	PERFORM bigpicture.set_policy('product', product_id => 'prod_aud', mode => 'NOTIFY_ONLY');
	PERFORM bigpicture.set_rollout('rel_aud_4', 200);
END$$;
-- The events a statement appends (undone afterwards).
CREATE FUNCTION pg_temp.events_from(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	n0 bigint;
	rows bigint;
	out text;
BEGIN
	SELECT count(*) INTO n0 FROM bigpicture.audit_events;
	EXECUTE stmt;
	GET DIAGNOSTICS rows = ROW_COUNT;
	SELECT CASE WHEN rows = 0 THEN 'no row updated' ELSE format('%s events', count(*) - n0) END INTO out
	FROM bigpicture.audit_events;
	RAISE EXCEPTION USING ERRCODE = 'AUDRB';
EXCEPTION
	WHEN SQLSTATE 'AUDRB' THEN
		RETURN out;
	WHEN OTHERS THEN
		RETURN 'ERROR ' || SQLSTATE || ' ' || SQLERRM;
END
$$;
SELECT is(pg_temp.events_from(format('UPDATE bigpicture.%I SET %s', tbl, set_where)), expected,
	format('a no-op UPDATE of %s: %s', tbl, why))
FROM (VALUES
	('tenants', 'name = name', '0 events', 'no event'),
	('tenant_roles', 'tenant_id = tenant_id', '0 events', 'no event'),
	('products', 'name = name', '0 events', 'no event'),
	('channels', 'allows_prerelease = allows_prerelease', '0 events', 'no event'),
	('artifacts', 'size = size WHERE artifact_id = ''art_aud_lin''', '0 events', 'no event'),
	('releases', 'notes = notes WHERE status = ''draft''', '0 events', 'no event'),
	('approval_workflows', 'required_approvals = required_approvals', '0 events', 'no event'),
	('release_approvals', 'comment = comment', '0 events', 'no event'),
	('vendor_policies', 'mode = mode', '0 events', 'no event'),
	('tenant_policies', 'mode = mode', '0 events', 'no event'),
	('rollouts', 'percentage = percentage', '0 events', 'no event'),
	('entitlements', 'features = features', '0 events', 'no event'),
	('leases', 'subject = subject', '0 events', 'no event'),
	-- signing_keys_guard bumps change_seq (the key set version) on every UPDATE, so the
	-- row does change: one signing_key_updated event per key.
	('signing_keys', 'state = state WHERE purpose = ''decision''', '0 events', 'not even a key''s change_seq moves')
) AS x(tbl, set_where, expected, why);

-- ---- rolled-back work leaves nothing ---------------------------------------------------------------
CREATE TEMP TABLE rb AS
SELECT (SELECT count(*) FROM bigpicture.audit_events) AS n, h.seq, h.hash FROM bigpicture.audit_heads h WHERE h.chain_id = 'vendor';
SELECT is(pg_temp.probe($$SELECT bigpicture.create_product('Rolled back', 'prod_rb')$$,
		$$SELECT seq FROM bigpicture.audit_heads WHERE chain_id = 'vendor'$$),
	((SELECT seq FROM rb) + 1)::text, 'inside a subtransaction the write appends an event ...');
SELECT is(sqlstate_of($s$DO $d$BEGIN
		PERFORM bigpicture.create_product('Rolled back', 'prod_rb');
		RAISE EXCEPTION 'changed my mind';
	END$d$$s$), 'P0001', '... a block that writes and then raises fails ...');
SAVEPOINT before_rb;
DO $$BEGIN PERFORM bigpicture.create_product('Rolled back too', 'prod_rb2'); END$$;
ROLLBACK TO SAVEPOINT before_rb;
SELECT is((SELECT count(*) FROM bigpicture.audit_events), (SELECT n FROM rb), '... and after the rollbacks no event is left');
SELECT is((SELECT format('%s %s', seq, encode(hash, 'hex')) FROM bigpicture.audit_heads WHERE chain_id = 'vendor'),
	(SELECT format('%s %s', seq, encode(hash, 'hex')) FROM rb), '... and the head is unchanged');
DO $$BEGIN PERFORM bigpicture.create_product('After the rollback', 'prod_after'); END$$;
SELECT is((SELECT format('%s %s', e.seq, (e.prev_hash = rb.hash)::text) FROM bigpicture.audit_events e, rb
		   WHERE e.chain_id = 'vendor' AND e.object_id = 'prod_after'),
	format('%s true', (SELECT seq FROM rb) + 1), 'the next event follows the head as it was before the rollback');

-- ---- verification of clean chains ---------------------------------------------------------------------
SELECT is((SELECT format('ok=%s events=%s head=%s', v.ok::text, v.events, v.head_seq) FROM bigpicture.verify_audit_chain(h.chain_id) v),
	format('ok=true events=%1$s head=%1$s', (SELECT count(*) FROM bigpicture.audit_events e WHERE e.chain_id = h.chain_id)),
	format('verify_audit_chain(%L): ok; events = head = rows (%s)', h.chain_id, h.seq))
FROM bigpicture.audit_heads h ORDER BY h.chain_id;

-- ---- checkpoints -----------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT bigpicture.audit_checkpoint('tenant_nochain')$$, 'PT404',
	'audit chain "tenant_nochain" has no events yet', 'audit_checkpoint of an empty chain: PT404');

CREATE TEMP TABLE cp AS
SELECT c.chain, c.signer, bigpicture.audit_checkpoint(c.chain) AS token
FROM (VALUES ('vendor', NULL), ('tenant_a', 'tenant_a'), ('tenant_b', NULL)) AS c(chain, signer);

SELECT is(bigpicture.verify_token(cp.token) - '{iat,exp}'::text[],
	jsonb_build_object('typ', 'checkpoint', 'iss', current_setting('bigpicture.issuer', true), 'chain_id', cp.chain,
		'seq', h.seq, 'hash', encode(h.hash, 'hex')),
	format('checkpoint of %s verifies: typ checkpoint, chain, head seq and hash', cp.chain))
FROM cp JOIN bigpicture.audit_heads h ON h.chain_id = cp.chain ORDER BY cp.chain;
SELECT is(bigpicture.paseto_footer(cp.token) ->> 'kid',
	(SELECT k.kid FROM bigpicture.signing_keys k WHERE k.purpose = 'audit' AND k.state = 'active'
	 AND k.tenant_id IS NOT DISTINCT FROM cp.signer),
	format('checkpoint of %s is signed by the %s audit key', cp.chain, COALESCE(cp.signer || '''s own', 'vendor')))
FROM cp ORDER BY cp.chain;
SELECT is(bigpicture.audit_checkpoint(cp.chain), cp.token, format('checkpoint of %s again, no new event: the same token', cp.chain))
FROM cp ORDER BY cp.chain;
SELECT is((SELECT array_agg(format('%s %s', c.chain_id, (c.seq = h.seq AND c.hash = h.hash AND c.token = cp.token)::text) ORDER BY c.chain_id)
		   FROM bigpicture.audit_checkpoints c JOIN bigpicture.audit_heads h USING (chain_id) JOIN cp ON cp.chain = c.chain_id),
	'{"tenant_a true","tenant_b true","vendor true"}', 'one stored checkpoint per chain: head seq, hash and the token');
DO $$BEGIN PERFORM bigpicture.create_product('After the checkpoint', 'prod_cp'); END$$;
SELECT is((SELECT format('%s %s', (t <> cp.token)::text, ((bigpicture.verify_token(t) ->> 'seq')::bigint
				  = (bigpicture.verify_token(cp.token) ->> 'seq')::bigint + 1)::text)
		   FROM cp, bigpicture.audit_checkpoint('vendor') t WHERE cp.chain = 'vendor'),
	'true true', 'after a new event: a new checkpoint at the new head');
SELECT is(pg_temp.val_as('dba_a', $$SELECT bigpicture.verify_token(bigpicture.audit_checkpoint(NULL)) ->> 'chain_id'$$),
	'tenant_a', 'a tenant admin checkpoints its own chain');
SELECT is(pg_temp.val_as('dba_a', $$SELECT bigpicture.audit_checkpoint('tenant_b')$$), 'ERROR 42501',
	'... not another tenant''s');
SELECT is(pg_temp.val_as('dba_a', $$SELECT bigpicture.audit_checkpoint('vendor')$$), 'ERROR 42501',
	'... nor the vendor''s');

-- ---- export ---------------------------------------------------------------------------------------------------
CREATE TEMP TABLE ex AS
SELECT c.chain, x.i, x.line, x.line::jsonb AS j
FROM (VALUES ('vendor'), ('tenant_a')) c(chain), bigpicture.export_audit_chain(c.chain) WITH ORDINALITY x(line, i);

SELECT is((SELECT array_agg((j ->> 'seq')::bigint ORDER BY i) FROM ex WHERE ex.chain = c.chain),
	(SELECT array_agg(seq ORDER BY seq) FROM bigpicture.audit_events e WHERE e.chain_id = c.chain),
	format('export of %s: one line per event, in seq order', c.chain))
FROM (VALUES ('vendor'), ('tenant_a')) c(chain);
SELECT is((SELECT array_agg(DISTINCT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(j) k)::text) FROM ex),
	'{"{actor,after,before,chain_id,context,event_id,event_type,hash,object_id,object_type,occurred_at,occurred_at_us,prev_hash,seq,v}"}',
	'every line has the same fields');
SELECT is((SELECT array_agg(DISTINCT j -> 'v') FROM ex), '{1}'::jsonb[], 'every line has v 1');
SELECT is((SELECT count(*) FROM ex JOIN bigpicture.audit_events e ON e.chain_id = ex.chain AND e.seq = (j ->> 'seq')::bigint
		   WHERE NOT (j ->> 'event_id' = e.event_id AND j ->> 'actor' = e.actor AND j ->> 'event_type' = e.event_type
			 AND j ->> 'object_type' = e.object_type AND j ->> 'object_id' IS NOT DISTINCT FROM e.object_id
			 AND j ->> 'before' IS NOT DISTINCT FROM e.before::text AND j ->> 'after' IS NOT DISTINCT FROM e.after::text
			 AND j ->> 'context' IS NOT DISTINCT FROM e.context::text
			 AND jsonb_typeof(j -> 'after') = CASE WHEN e.after IS NULL THEN 'null' ELSE 'string' END
			 AND j ->> 'prev_hash' = encode(e.prev_hash, 'hex') AND j ->> 'hash' = encode(e.hash, 'hex')
			 AND (j ->> 'occurred_at')::timestamptz = e.occurred_at
			 AND timestamptz 'epoch' + (j ->> 'occurred_at_us')::bigint * interval '1 microsecond' = e.occurred_at)),
	0::bigint, 'every line carries the stored fields; before, after and context as the exact jsonb text (or null)');
SELECT is((SELECT format('%s lines, %s mismatches', count(*), count(*) FILTER (WHERE bigpicture.audit_hash(
				decode(j ->> 'prev_hash', 'hex'), j ->> 'chain_id', (j ->> 'seq')::bigint, j ->> 'event_id',
				timestamptz 'epoch' + (j ->> 'occurred_at_us')::bigint * interval '1 microsecond',
				j ->> 'actor', j ->> 'event_type', j ->> 'object_type', j ->> 'object_id',
				j ->> 'before', j ->> 'after', j ->> 'context') IS DISTINCT FROM decode(j ->> 'hash', 'hex')))
		   FROM ex),
	format('%s lines, 0 mismatches', (SELECT count(*) FROM ex)), 'audit_hash of each line''s own fields reproduces its hash');
SELECT is((SELECT count(*) FROM ex a LEFT JOIN ex b ON b.chain = a.chain AND b.i = a.i - 1
		   WHERE a.j ->> 'prev_hash' IS DISTINCT FROM COALESCE(b.j ->> 'hash', repeat('00', 32))),
	0::bigint, 'each line''s prev_hash is the hash of the line before (zeros for the first)');
SELECT is((SELECT count(*) FROM ex, bigpicture.signing_keys k WHERE strpos(ex.line, encode(k.sealed_secret, 'hex')) > 0),
	0::bigint, 'no exported line contains a sealed secret');

-- ---- tampering (as the superuser, with the append-only triggers off; each case undone) ------------------
-- Recompute the hashes of a chain from one event on, and move its head along: a
-- rewrite that only a checkpoint can expose.
CREATE FUNCTION pg_temp.rehash(p_chain text, from_seq bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	e record;
	prev bytea;
	h bytea;
BEGIN
	SELECT x.hash INTO prev FROM bigpicture.audit_events x WHERE x.chain_id = p_chain AND x.seq = from_seq - 1;
	prev := COALESCE(prev, decode(repeat('00', 32), 'hex'));
	FOR e IN SELECT * FROM bigpicture.audit_events x WHERE x.chain_id = p_chain AND x.seq >= from_seq ORDER BY x.seq LOOP
		h := bigpicture.audit_hash(prev, e.chain_id, e.seq, e.event_id, e.occurred_at, e.actor, e.event_type,
			e.object_type, e.object_id, e.before::text, e.after::text, e.context::text);
		UPDATE bigpicture.audit_events x SET prev_hash = prev, hash = h WHERE x.chain_id = p_chain AND x.seq = e.seq;
		prev := h;
	END LOOP;
	UPDATE bigpicture.audit_heads x SET hash = prev WHERE x.chain_id = p_chain;
END
$$;
-- "ok first_bad_seq problem" of verify_audit_chain after a tampering statement, undone.
CREATE FUNCTION pg_temp.tampered(p_chain text, tamper text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	out text;
BEGIN
	ALTER TABLE bigpicture.audit_events DISABLE TRIGGER audit_events_append_only;
	ALTER TABLE bigpicture.audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only;
	ALTER TABLE bigpicture.audit_heads DISABLE TRIGGER audit_heads_no_delete;
	EXECUTE tamper;
	SELECT format('%s %s %s', v.ok::text, COALESCE(v.first_bad_seq::text, '-'), COALESCE(v.problem, '-')) INTO out
	FROM bigpicture.verify_audit_chain(p_chain) v;
	RAISE EXCEPTION USING ERRCODE = 'AUDRB';
EXCEPTION
	WHEN SQLSTATE 'AUDRB' THEN
		RETURN out;
	WHEN OTHERS THEN
		RETURN 'ERROR ' || SQLSTATE || ' ' || SQLERRM;
END
$$;

-- tenant_b: checkpointed at its head (above), nothing appended since.  In the
-- templates %1$L is the chain, %2$s the event tampered with (k), %3$s the last
-- seq (L), %4$s k + 1, %5$s L - 1.
CREATE TEMP TABLE tp AS
SELECT h.chain_id AS chain, 3 AS k, h.seq AS last FROM bigpicture.audit_heads h WHERE h.chain_id = 'tenant_b';
SELECT is((SELECT format('%s %s', last, (SELECT max(seq) FROM bigpicture.audit_checkpoints WHERE chain_id = 'tenant_b')) FROM tp),
	'7 7', 'tenant_b has 7 events and its latest checkpoint is at the last');

CREATE TEMP TABLE tamper_cases (n serial, label text, tamper text, expected text);
INSERT INTO tamper_cases (label, tamper, expected) VALUES
	('nothing changed', 'SELECT 1', 'true - -'),
	('after image edited',
		$$UPDATE bigpicture.audit_events SET after = after || '{"name": "Forged"}' WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s hash mismatch: the event was altered'),
	('before image edited',
		$$UPDATE bigpicture.audit_events SET before = before || '{"name": "Forged"}' WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s hash mismatch: the event was altered'),
	('actor changed',
		$$UPDATE bigpicture.audit_events SET actor = 'someone_else' WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s hash mismatch: the event was altered'),
	('time moved by a microsecond',
		$$UPDATE bigpicture.audit_events SET occurred_at = occurred_at + interval '1 microsecond' WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s hash mismatch: the event was altered'),
	('event type changed',
		$$UPDATE bigpicture.audit_events SET event_type = 'tenant_created' WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s hash mismatch: the event was altered'),
	('object id changed',
		$$UPDATE bigpicture.audit_events SET object_id = 'tenant_x' WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s hash mismatch: the event was altered'),
	('context changed',
		$$UPDATE bigpicture.audit_events SET context = context || '{"path": "/elsewhere"}' WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s hash mismatch: the event was altered'),
	('event id changed',
		$$UPDATE bigpicture.audit_events SET event_id = 'evt_forged' WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s hash mismatch: the event was altered'),
	('after edited and that event rehashed',
		$$UPDATE bigpicture.audit_events SET after = after || '{"name": "Forged"}' WHERE chain_id = %1$L AND seq = %2$s;
		  UPDATE bigpicture.audit_events SET hash = bigpicture.audit_hash(prev_hash, chain_id, seq, event_id, occurred_at, actor,
			event_type, object_type, object_id, before::text, after::text, context::text) WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %4$s broken link: prev_hash is not the hash of the event before'),
	('middle event deleted',
		$$DELETE FROM bigpicture.audit_events WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s gap: event %2$s is missing'),
	('first event deleted',
		$$DELETE FROM bigpicture.audit_events WHERE chain_id = %1$L AND seq = 1$$,
		'false 1 gap: event 1 is missing'),
	('last event deleted',
		$$DELETE FROM bigpicture.audit_events WHERE chain_id = %1$L AND seq = %3$s$$,
		'false %3$s the chain ends at event %5$s but its head is at %3$s: events were removed from the end'),
	('last event deleted and the head rewound',
		$$DELETE FROM bigpicture.audit_events WHERE chain_id = %1$L AND seq = %3$s;
		  UPDATE bigpicture.audit_heads SET seq = %5$s,
			hash = (SELECT e.hash FROM bigpicture.audit_events e WHERE e.chain_id = %1$L AND e.seq = %5$s) WHERE chain_id = %1$L$$,
		'false %3$s the chain ends at event %5$s, before its checkpoint at %3$s: the tail was cut'),
	('two events swapped',
		$$UPDATE bigpicture.audit_events SET seq = 1000000 WHERE chain_id = %1$L AND seq = %2$s;
		  UPDATE bigpicture.audit_events SET seq = %2$s WHERE chain_id = %1$L AND seq = %4$s;
		  UPDATE bigpicture.audit_events SET seq = %4$s WHERE chain_id = %1$L AND seq = 1000000$$,
		'false %2$s broken link: prev_hash is not the hash of the event before'),
	('prev_hash replaced',
		$$UPDATE bigpicture.audit_events SET prev_hash = sha256('forged'::bytea) WHERE chain_id = %1$L AND seq = %2$s$$,
		'false %2$s broken link: prev_hash is not the hash of the event before'),
	('chain rewritten from an event on, head moved along',
		$$UPDATE bigpicture.audit_events SET after = after || '{"name": "Forged"}' WHERE chain_id = %1$L AND seq = %2$s;
		  SELECT pg_temp.rehash(%1$L, %2$s)$$,
		'false %3$s event does not match the signed checkpoint'),
	('latest checkpoint replaced by another chain''s',
		$$UPDATE bigpicture.audit_checkpoints SET token = (SELECT c.token FROM bigpicture.audit_checkpoints c
			WHERE c.chain_id = 'vendor' ORDER BY c.seq DESC LIMIT 1) WHERE chain_id = %1$L$$,
		'false %3$s the latest checkpoint does not verify');
SELECT is(pg_temp.tampered(tp.chain, format(c.tamper, tp.chain, tp.k, tp.last, tp.k + 1, tp.last - 1)),
	format(c.expected, tp.chain, tp.k, tp.last, tp.k + 1, tp.last - 1), format('tampering: %s', c.label))
FROM tamper_cases c CROSS JOIN tp ORDER BY c.n;
-- Without a checkpoint behind it, a cut tail with its head rewound is a valid shorter chain:
-- this is what checkpoints (carried in snapshots) are for.
SELECT is(pg_temp.tampered('tenant_c', $$DELETE FROM bigpicture.audit_events WHERE chain_id = 'tenant_c' AND seq = 2;
		UPDATE bigpicture.audit_heads SET seq = 1, hash = (SELECT hash FROM bigpicture.audit_events WHERE chain_id = 'tenant_c' AND seq = 1)
		WHERE chain_id = 'tenant_c'$$),
	'true - -', 'tampering: tail cut and head rewound on a chain without a checkpoint goes unnoticed');
SELECT is((SELECT array_agg(tgname::text ORDER BY tgname) FROM pg_trigger
		   WHERE tgrelid IN ('bigpicture.audit_events'::regclass, 'bigpicture.audit_checkpoints'::regclass, 'bigpicture.audit_heads'::regclass)
			 AND tgenabled <> 'O'),
	NULL, 'every append-only trigger is enabled again after the tampering cases');

-- Rotating the audit key is routine: the checkpoints it signed must not turn into tampering.
SELECT is(pg_temp.probe(format($$SELECT bigpicture.activate_key(bigpicture.generate_key('audit')); SELECT bigpicture.retire_key(%L)$$,
			(SELECT kid FROM bigpicture.signing_keys WHERE purpose = 'audit' AND state = 'active' AND tenant_id IS NULL)),
		$$SELECT format('%s %s', ok::text, COALESCE(problem, '-')) FROM bigpicture.verify_audit_chain('tenant_b')$$),
	'true -', 'after the audit key that signed tenant_b''s checkpoint is rotated and retired, tenant_b still verifies');
-- Moving a row to another tenant is recorded on the chain it left, too.
SELECT is((SELECT array_agg(event_type ORDER BY seq) FROM bigpicture.audit_events WHERE chain_id = 'tenant_a' AND object_id = 't_x'),
	'{role_binding_created,role_binding_updated}',
	'tenant_a''s chain records that t_x was bound to it and then moved away (the update, both images, on both chains)');

-- ---- append-only ------------------------------------------------------------------------------------------
SELECT is(sqlstate_of(stmt) || ' ' || error_of(stmt), format('PT409 the audit log is append-only | %s is refused. | ', detail),
	format('%s (as the superuser): refused', stmt))
FROM (VALUES
	('UPDATE bigpicture.audit_events SET actor = actor', 'UPDATE on audit_events'),
	('DELETE FROM bigpicture.audit_events', 'DELETE on audit_events'),
	('TRUNCATE bigpicture.audit_events', 'TRUNCATE on audit_events'),
	('UPDATE bigpicture.audit_checkpoints SET token = token', 'UPDATE on audit_checkpoints'),
	('DELETE FROM bigpicture.audit_checkpoints', 'DELETE on audit_checkpoints'),
	('TRUNCATE bigpicture.audit_checkpoints', 'TRUNCATE on audit_checkpoints'),
	('DELETE FROM bigpicture.audit_heads', 'DELETE on audit_heads'),
	('TRUNCATE bigpicture.audit_heads', 'TRUNCATE on audit_heads')
) AS x(stmt, detail);
SELECT is(pg_temp.val_as('owner', stmt), 'ERROR PT409', format('%s (as the owner): refused', stmt))
FROM (VALUES ('UPDATE bigpicture.audit_events SET actor = actor'), ('DELETE FROM bigpicture.audit_events')) AS x(stmt);

-- ---- privileges -------------------------------------------------------------------------------------------
SELECT is((SELECT array_agg(format('%s %s %s', r.rolname, t.tbl, p.priv) ORDER BY 1)
		   FROM pg_roles r
		   CROSS JOIN (VALUES ('audit_events'), ('audit_checkpoints'), ('audit_heads')) t(tbl)
		   CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) p(priv)
		   WHERE r.rolname LIKE 'bigpicture\_%' AND r.rolname <> 'bigpicture_owner'
			 AND has_table_privilege(r.oid, 'bigpicture.' || t.tbl, p.priv)),
	NULL, 'no bigpicture role but the owner may write, truncate or reference an audit table');
SELECT is((SELECT array_agg(r.rolname::text ORDER BY r.rolname) FROM pg_roles r
		   WHERE r.rolname LIKE 'bigpicture\_%' AND has_table_privilege(r.oid, 'bigpicture.' || t, 'SELECT')),
	expected, format('SELECT on %s', t))
FROM (VALUES
	('audit_events', '{bigpicture_admin,bigpicture_auditor,bigpicture_owner,bigpicture_tenant_admin}'::text[]),
	('audit_checkpoints', '{bigpicture_admin,bigpicture_auditor,bigpicture_owner,bigpicture_tenant_admin}'),
	('audit_heads', '{bigpicture_owner}')
) AS x(t, expected);
SELECT is((SELECT array_agg(r.rolname::text ORDER BY r.rolname) FROM pg_roles r
		   WHERE r.rolname LIKE 'bigpicture\_%' AND r.rolname <> 'bigpicture_owner' AND has_function_privilege(r.oid, f, 'EXECUTE')),
	expected, format('EXECUTE on %s', f))
FROM (VALUES
	('bigpicture.verify_audit_chain(text)', '{bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin}'::text[]),
	('bigpicture.audit_checkpoint(text)', '{bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin}'),
	('bigpicture.export_audit_chain(text)', '{bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin}'),
	('bigpicture.audit_log(text,text,text,timestamptz,timestamptz)', '{bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin}'),
	('bigpicture._audit_append(text,text,text,text,jsonb,jsonb)', NULL),
	('bigpicture.audit_hash(bytea,text,bigint,text,timestamptz,text,text,text,text,text,text,text)', NULL),
	('bigpicture._audit_context()', NULL),
	('bigpicture._audit_chain_for(text)', NULL)
) AS x(f, expected);
SELECT is_definer('bigpicture', f, a, format('%s is SECURITY DEFINER', f))
FROM (VALUES ('verify_audit_chain', '{text}'::name[]), ('audit_checkpoint', '{text}'), ('export_audit_chain', '{text}'),
	('audit_row_change', '{}')) AS x(f, a);
SELECT isnt_definer('bigpicture', 'audit_log', ARRAY['text', 'text', 'text', 'timestamp with time zone', 'timestamp with time zone']::name[],
	'audit_log is not SECURITY DEFINER: row-level security decides what it returns');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		   WHERE t.tgfoid = 'bigpicture.audit_row_change()'::regprocedure AND NOT t.tgisinternal
			 AND t.tgtype & 1 = 1 AND t.tgtype & 2 = 0 AND t.tgtype & 28 = 28),
	'{approval_workflows,artifacts,channels,entitlements,imported_snapshots,key_certificates,leases,mirrors,products,release_approvals,release_artifacts,releases,rollouts,signing_keys,snapshots,tenant_policies,tenant_roles,tenants,trusted_root_keys,vendor_policies,webhook_subscriptions}',
	'an AFTER INSERT OR UPDATE OR DELETE row trigger audits every catalog, policy, entitlement, lease and key table');

-- ---- reading the log: filters and row-level security ----------------------------------------------------------
SELECT is(pg_temp.val_as('auditor', $$SELECT string_agg(DISTINCT chain_id, ',') FROM bigpicture.audit_log()$$),
	(SELECT string_agg(DISTINCT chain_id, ',') FROM bigpicture.audit_events), 'auditor: audit_log() shows every chain');
SELECT is(pg_temp.val_as('auditor', $$SELECT count(*)::text FROM bigpicture.audit_events$$),
	(SELECT count(*)::text FROM bigpicture.audit_events), 'auditor: the table shows every event');
SELECT is(pg_temp.val_as('auditor', $$SELECT format('%s %s', ok::text, events) FROM bigpicture.verify_audit_chain('vendor')$$),
	(SELECT format('true %s', seq) FROM bigpicture.audit_heads WHERE chain_id = 'vendor'), 'auditor: verifies the vendor chain');
SELECT is(pg_temp.val_as('auditor', $$SELECT count(*)::text FROM bigpicture.audit_log('tenant_a')$$),
	(SELECT count(*)::text FROM bigpicture.audit_events WHERE chain_id = 'tenant_a'), 'audit_log by chain');
SELECT is(pg_temp.val_as('auditor', $$SELECT count(*) || ' ' || string_agg(DISTINCT chain_id, ',') FROM bigpicture.audit_log(event_type => 'lease_issued')$$),
	'3 tenant_a', 'audit_log by event type, across chains');
SELECT is(pg_temp.val_as('auditor', $$SELECT string_agg(event_type, ',' ORDER BY seq) FROM bigpicture.audit_log('tenant_a', actor => 'alice')$$),
	'policy_updated,policy_deleted', 'audit_log by actor (the JWT sub)');
SELECT is(pg_temp.val_as('auditor', $$SELECT string_agg(object_id, ',') FROM bigpicture.audit_log('vendor', 'release_published', 't_appr')$$),
	'rel_aud_1', 'audit_log by chain, type and actor');
SELECT is(pg_temp.val_as('auditor', format($$SELECT string_agg(seq::text, ',' ORDER BY seq) FROM bigpicture.audit_log('vendor', from_time => %L, to_time => %L)$$,
		(SELECT occurred_at FROM bigpicture.audit_events WHERE chain_id = 'vendor' AND seq = 3),
		(SELECT occurred_at FROM bigpicture.audit_events WHERE chain_id = 'vendor' AND seq = 6))),
	'3,4,5', 'audit_log by time: from_time included, to_time excluded');
SELECT is(pg_temp.val_as('admin', $$SELECT string_agg(DISTINCT chain_id, ',') FROM bigpicture.audit_log()$$),
	(SELECT string_agg(DISTINCT chain_id, ',') FROM bigpicture.audit_events), 'admin: audit_log() shows every chain');
SELECT is(pg_temp.val_as('dba_a', $$SELECT count(*) || ' ' || string_agg(DISTINCT chain_id, ',') FROM bigpicture.audit_log()$$),
	(SELECT count(*) || ' tenant_a' FROM bigpicture.audit_events WHERE chain_id = 'tenant_a'),
	'bound tenant admin: audit_log() shows its own chain, all of it');
SELECT is(pg_temp.val_as('dba_a', $$SELECT count(*)::text FROM bigpicture.audit_log('vendor')$$), '0',
	'bound tenant admin: audit_log(''vendor'') is empty');
SELECT is(pg_temp.val_as('dba_a', $$SELECT count(*)::text FROM bigpicture.audit_log('tenant_b')$$), '0',
	'bound tenant admin: another tenant''s chain is empty');
SELECT is(pg_temp.val_as('dba_a', $$SELECT count(*)::text FROM bigpicture.audit_events WHERE chain_id <> 'tenant_a'$$), '0',
	'bound tenant admin: the table hides every other chain');
SELECT is(pg_temp.val_as('dba_a', $$SELECT string_agg(DISTINCT chain_id, ',') FROM bigpicture.audit_checkpoints$$), 'tenant_a',
	'bound tenant admin: sees its own checkpoints only');
SELECT is(pg_temp.val_as('dba_a', $$SELECT format('%s %s', ok::text, events) FROM bigpicture.verify_audit_chain(NULL)$$),
	(SELECT format('true %s', seq) FROM bigpicture.audit_heads WHERE chain_id = 'tenant_a'),
	'bound tenant admin: verify_audit_chain(NULL) verifies its own chain');
SELECT is(pg_temp.val_as('dba_a', $$SELECT ok::text FROM bigpicture.verify_audit_chain('vendor')$$), 'ERROR 42501',
	'bound tenant admin: verify_audit_chain(''vendor''): 42501');
SELECT is(pg_temp.val_as('dba_a', $$SELECT ok::text FROM bigpicture.verify_audit_chain('tenant_b')$$), 'ERROR 42501',
	'bound tenant admin: verify_audit_chain of another tenant: 42501');
SELECT is(pg_temp.val_as('dba_a', $$SELECT count(*)::text FROM bigpicture.export_audit_chain('vendor')$$), 'ERROR 42501',
	'bound tenant admin: export_audit_chain(''vendor''): 42501');
SELECT is(pg_temp.val_as('dba_a', $$SELECT count(*)::text FROM bigpicture.export_audit_chain('tenant_a')$$),
	(SELECT count(*)::text FROM bigpicture.audit_events WHERE chain_id = 'tenant_a'),
	'bound tenant admin: exports its own chain');
SELECT is(pg_temp.val_as('dba_b', $$SELECT string_agg(DISTINCT chain_id, ',') FROM bigpicture.audit_log()$$), 'tenant_b',
	'the other bound tenant admin: its own chain only');
SELECT is(pg_temp.val_as('gw_a', $$SELECT count(*) || ' ' || string_agg(DISTINCT chain_id, ',') FROM bigpicture.audit_log()$$),
	(SELECT count(*) || ' tenant_a' FROM bigpicture.audit_events WHERE chain_id = 'tenant_a'),
	'gateway tenant admin with a tenant_a claim: tenant_a''s chain only');
SELECT is(pg_temp.val_as('unbound', $$SELECT count(*)::text FROM bigpicture.audit_log()$$), '0',
	'unbound tenant admin: sees nothing');
SELECT is(pg_temp.val_as('unbound', $$SELECT ok::text FROM bigpicture.verify_audit_chain('tenant_a')$$), 'ERROR 42501',
	'unbound tenant admin: cannot verify a chain');
SELECT is((pg_temp.run_as('client_dup', $$SELECT bigpicture.current_tenant()$$)).err,
	'42501 request.jwt.claims repeats the member "tenant_id"', 'claims that repeat a member are refused, not read last-wins');
SELECT is((pg_temp.run_as('client_dup_esc', $$SELECT bigpicture.current_actor()$$)).err,
	'42501 request.jwt.claims repeats the member "s\u0075b"', 'also when the repeat is spelt with an escape');
SELECT is((pg_temp.run_as('client_a', $$SELECT bigpicture.current_tenant()$$)).result, 'tenant_a',
	'the same claims without the repeat name the tenant');
SELECT is(pg_temp.val_as('client_a', $$SELECT count(*)::text FROM bigpicture.audit_log()$$), 'ERROR 42501',
	'gateway client: no audit_log');
SELECT is(pg_temp.val_as('pub', $$SELECT count(*)::text FROM bigpicture.audit_events$$), 'ERROR 42501',
	'publisher: no audit table');

-- ---- decisions stay out of the chain; isolation ---------------------------------------------------------------------
SELECT is((SELECT count(*) FROM bigpicture.decision_log WHERE install_id = 'inst-9'), 1::bigint,
	'the check_update step was logged in the decision log (and left no audit event, above)');
SELECT is(current_setting('transaction_isolation'), 'repeatable read',
	'every append in this file was made under REPEATABLE READ, and every chain verified');

-- ---- many appends in one transaction, and a savepoint rolled back between them ----------------
-- _audit_append remembers where the head row's current version is (its ctid)
-- so a long transaction does not walk the row's versions on every append;
-- a rolled-back append must leave that memory harmless.
SELECT lives_ok($$SELECT bigpicture.create_tenant('Bulk', 'tenant_bulk')$$, 'a tenant for bulk appends');
SELECT lives_ok($$SELECT count(bigpicture.set_policy('tenant', 'tenant_bulk', mode => m))
	FROM (SELECT CASE WHEN i % 2 = 0 THEN 'AUTO_INSTALL' ELSE 'NOTIFY_ONLY' END AS m FROM generate_series(1, 300) i) x$$,
	'300 audited writes to one chain in one statement');
SAVEPOINT before_rollback;
SELECT bigpicture.set_policy('tenant', 'tenant_bulk', mode => 'MANAGED_BY_IT');
ROLLBACK TO SAVEPOINT before_rollback;
SELECT lives_ok($$SELECT bigpicture.set_policy('tenant', 'tenant_bulk', mode => 'AUTO_INSTALL')$$,
	'an append after a rolled-back one');
SELECT is((SELECT format('%s %s %s', ok, events, head_seq) FROM bigpicture.verify_audit_chain('tenant_bulk')),
	(SELECT format('t %s %s', count(*), max(seq)) FROM bigpicture.audit_events WHERE chain_id = 'tenant_bulk'),
	'the chain verifies: no gap where the rolled-back event was, the head matches');
SELECT is((SELECT seq FROM bigpicture.audit_heads WHERE chain_id = 'tenant_bulk'),
	(SELECT max(seq) FROM bigpicture.audit_events WHERE chain_id = 'tenant_bulk'), 'the head row is at the last event');
SELECT is((SELECT count(*) FROM bigpicture.audit_events WHERE chain_id = 'tenant_bulk' AND after ->> 'mode' = 'MANAGED_BY_IT'),
	0::bigint, 'the rolled-back event is not in the chain');

SELECT * FROM finish();
ROLLBACK;
