-- What scripts/demo shows.
SET search_path = bigpicture, public;
\pset footer off

\echo
\echo 'Versions ordered by SemVer precedence (1.10.0 after 1.9.0; 2.0.0-beta.11 after beta.1; prereleases before the release):'
SELECT version, semver_major(version) AS major, semver_prerelease(version) AS prerelease,
       semver_build(version) AS build
FROM demo_builds ORDER BY version;

\echo 'Which versions each policy range admits (prereleases only when the range names one):'
SELECT r.range, semver_range_canonical(r.range::semver_range) AS desugared,
       (SELECT string_agg(version::text, ', ' ORDER BY version) FROM demo_builds
        WHERE version <@ r.range::semver_range) AS admitted
FROM (VALUES ('^1.9'), ('>=1.10.0,<2.0.0'), ('~2.0.0-beta.2'), ('1.x || >=2.1'), ('*')) AS r(range);

\echo 'Tenants:'
SELECT tenant_id, name, status, decision_ttl FROM tenants ORDER BY tenant_id;

\echo 'The catalog: releases, newest first per product, with their artifacts:'
SELECT r.product_id, r.version, r.channel, r.status,
       (SELECT string_agg(a.platform || '/' || a.arch || ' ' || a.installer_type, ', ' ORDER BY a.platform)
        FROM release_artifacts a WHERE a.release_id = r.release_id) AS artifacts,
       COALESCE(r.revoked_reason, '') AS revoked_because
FROM releases r ORDER BY r.product_id, r.version DESC;

\echo 'Latest release per channel (revoked ones never count):'
SELECT c.product_id, c.channel, (latest_release(c.product_id, c.channel)).version AS latest
FROM channels c ORDER BY 1, 2;

\echo 'Published release metadata is signed (typ "release", decision key):'
SELECT r.version, p ->> 'typ' AS typ, jsonb_array_length(p -> 'artifacts') AS artifacts,
       p -> 'artifacts' -> 0 ->> 'sha256' AS first_sha256
FROM releases r, LATERAL verify_token(r.release_token) AS p
WHERE r.product_id = 'prod_editor' AND r.channel = 'stable' AND r.status = 'published'
ORDER BY r.version DESC LIMIT 1;

\echo 'A desktop client asks: should I update?  One signed decision per product:'
SELECT '{"install_id": "globex-laptop-42", "tenant_id": "tenant_globex", "nonce": "demo-1",
         "platform": "windows", "arch": "x86_64",
         "capabilities": {"can_elevate": true, "installer_types": ["msi"]},
         "products": [{"product_id": "prod_editor", "current_version": "1.9.0"},
                      {"product_id": "prod_sync", "current_version": "3.1.0"}]}' AS request \gset
SELECT check_update(:'request') AS response \gset
SELECT d ->> 'product_id' AS product, d ->> 'action' AS action, d ->> 'version' AS version,
       left(d ->> 'token', 60) || '…' AS token
FROM jsonb_array_elements((:'response')::jsonb -> 'decisions') d;

\echo 'The editor decision''s token, verified against the decision key; the client acts only on this payload:'
SELECT jsonb_pretty(verify_token((:'response')::jsonb -> 'decisions' -> 0 ->> 'token')) AS payload;

\echo 'Why (explain_decision, for administrators; unsigned):'
SELECT e ->> 'product_id' AS product, t ->> 'version' AS release, t ->> 'kept' AS kept,
       COALESCE(t ->> 'reason', '') AS reason, COALESCE((t -> 'rollout' ->> 'bucket') || ' < '
       || (t -> 'rollout' ->> 'percentage') || '?', '') AS rollout
FROM jsonb_array_elements(explain_decision(:'request') -> 'decisions') e,
     jsonb_array_elements(e -> 'trace') t;

\echo 'The same release, different actions: a Mac at Globex (NOTIFY_ONLY there), and Initech, whose license lapsed:'
SELECT d ->> 'product_id' AS product, p ->> 'tenant_id' AS tenant, p ->> 'platform' AS platform,
       d ->> 'action' AS action, d ->> 'version' AS version, p ->> 'rationale' AS rationale
FROM (VALUES ('{"install_id": "globex-mac-7", "tenant_id": "tenant_globex", "platform": "macos", "arch": "arm64",
                "products": [{"product_id": "prod_editor", "current_version": "1.9.0"}]}'::jsonb),
             ('{"install_id": "initech-pc-1", "tenant_id": "tenant_initech", "platform": "windows", "arch": "x86_64",
                "products": [{"product_id": "prod_editor", "current_version": "1.9.0"}]}'::jsonb)) AS r(req),
     jsonb_array_elements(check_update(r.req) -> 'decisions') d,
     verify_token(d ->> 'token') p;

\echo 'May alice run the editor?  A lease: a seat for an hour, signed with the lease key:'
SELECT issue_lease('{"tenant_id": "tenant_globex", "product_id": "prod_editor", "subject_type": "user",
                     "subject_id": "alice", "install_id": "globex-laptop-42", "duration": 3600}') AS lease \gset
SELECT jsonb_pretty(verify_token((:'lease')::jsonb ->> 'token')) AS lease_payload;
SELECT entitlement_id, type, max_seats, seats_used, seats_available FROM entitlement_usage;

\echo 'A rollout that watches itself (docs/rollouts.md): Sync 3.2.0 is at 25%; halt it if more than 5% of installs fail, judged after 20:'
SELECT r #>> '{guards,max_failure_rate}' AS max_failure_rate, r #>> '{guards,min_sample}' AS min_sample
FROM set_rollout_guards((SELECT release_id FROM releases WHERE product_id = 'prod_sync' AND version = '3.2.0'),
                        max_failure_rate => 0.05, min_sample => 20) r;
\echo '400 Initech machines ask one after another; those the rollout reaches install it and report, and every fourth fails (E1603):'
CREATE TEMP TABLE demo_fleet (i int, offered text, halted_before boolean);
DO $$
DECLARE
	d jsonb;
	n int := 0;
BEGIN
	FOR i IN 1..400 LOOP
		d := bigpicture.check_update(jsonb_build_object('install_id', 'initech-pc-' || i, 'tenant_id', 'tenant_initech',
			'platform', 'linux', 'arch', 'x86_64',
			'products', '[{"product_id": "prod_sync", "current_version": "3.1.0"}]'::jsonb)) -> 'decisions' -> 0;
		INSERT INTO demo_fleet SELECT i, d ->> 'version', o.halted_at IS NOT NULL FROM bigpicture.rollouts o
			JOIN bigpicture.releases r USING (release_id) WHERE r.product_id = 'prod_sync' AND r.version = '3.2.0';
		IF d ->> 'version' = '3.2.0' THEN
			n := n + 1;
			PERFORM bigpicture.report(jsonb_build_object('decision', d ->> 'token', 'tenant_id', 'tenant_initech',
				'outcome', CASE WHEN n % 4 = 0 THEN 'failed' ELSE 'installed' END,
				'error_code', CASE WHEN n % 4 = 0 THEN 'E1603' END));
		END IF;
	END LOOP;
END
$$;
SELECT count(*) FILTER (WHERE offered = '3.2.0' AND NOT halted_before) AS "offered 3.2.0 before the halt",
       count(*) FILTER (WHERE offered = '3.2.0' AND halted_before) AS "after it",
       count(*) FILTER (WHERE halted_before) AS "machines that asked after it"
FROM demo_fleet;
\echo 'The report that tripped the guard halted the rollout in its own transaction, with the evidence:'
SELECT o.halt_reason, o.halt_evidence ->> 'attempts' AS attempts, o.halt_evidence ->> 'failures' AS failures,
       o.halt_evidence -> 'failure_interval' AS failure_interval_95
FROM rollouts o JOIN releases r USING (release_id) WHERE r.product_id = 'prod_sync' AND r.version = '3.2.0';
SELECT type, payload ->> 'release_id' AS release_id, payload ->> 'halt_reason' AS reason FROM events
WHERE type = 'rollout.halted' ORDER BY event_id;

\echo 'Before Initech moves to automatic installs, a dry run over its fleet (docs/dry-run.md): nothing is written or signed:'
SELECT dry_run('{"call": "set_policy", "args": {"scope": "tenant", "tenant_id": "tenant_initech", "mode": "AUTO_INSTALL"}}', 1)
	AS dry \gset
SELECT s.side, r.action, COALESCE(r.version, '') AS version, r.decisions
FROM (VALUES (1, 'before', (:'dry')::jsonb -> 'before'), (2, 'after', (:'dry')::jsonb -> 'after')) s(n, side, rows),
     jsonb_to_recordset(s.rows) r(action text, version text, decisions int)
ORDER BY s.n, r.action, r.version;
SELECT (:'dry')::jsonb ->> 'installs' AS installs, (:'dry')::jsonb ->> 'changed' AS decisions_that_change,
       (:'dry')::jsonb #>> '{sample,0,install_id}' AS for_example,
       (:'dry')::jsonb #>> '{sample,0,after,rationale}' AS would_get;
\echo 'Applied for real, that install (a client that may elevate, as the dry run assumes) now gets what the dry run said:'
SELECT set_policy('tenant', 'tenant_initech', mode => 'AUTO_INSTALL') \gset
SELECT d ->> 'action' AS action, d ->> 'version' AS version
FROM jsonb_array_elements(check_update(jsonb_build_object('install_id', (:'dry')::jsonb #>> '{sample,0,install_id}',
	'tenant_id', 'tenant_initech', 'platform', 'linux', 'arch', 'x86_64', 'capabilities', '{"can_elevate": true}'::jsonb,
	'products', jsonb_build_array(jsonb_build_object('product_id', (:'dry')::jsonb #>> '{sample,0,product_id}',
		'current_version', (:'dry')::jsonb #>> '{sample,0,current_version}')))) -> 'decisions') d;

\echo 'Signing keys (the secret halves sealed under the master key, or on the PKCS#11 token; only public halves are visible):'
SELECT kid, purpose, public_key, state FROM public_keys ORDER BY purpose;

\echo 'The key set, a PASETO v4.public token signed by the root key:'
SELECT keyset() AS token \gset
\echo :token
\echo
\echo 'Verified against the root key, its payload:'
SELECT jsonb_pretty(verify_token(:'token')) AS payload;
