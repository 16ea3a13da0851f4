-- Releases: the state machine, immutability, approval workflows, the signed
-- release token, bad input, listings, and who may do what.
BEGIN;
SELECT plan(84);
SET search_path = bigpicture, public;

CREATE ROLE t_publisher LOGIN IN ROLE bigpicture_publisher;
CREATE ROLE t_appr1 LOGIN IN ROLE bigpicture_approver;
CREATE ROLE t_appr2 LOGIN IN ROLE bigpicture_approver;
CREATE ROLE t_appr3 LOGIN IN ROLE bigpicture_approver;
CREATE ROLE t_admin LOGIN IN ROLE bigpicture_admin;
CREATE ROLE t_mirror LOGIN IN ROLE bigpicture_mirror;
CREATE ROLE t_client LOGIN IN ROLE bigpicture_client;
CREATE ROLE t_tadmin LOGIN IN ROLE bigpicture_tenant_admin;

-- NULL when a statement ends as wanted ("SQLSTATE message", or NULL for
-- success), else what happened instead.
CREATE FUNCTION pg_temp.check(stmt text, want text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	got text := failure_of(stmt);
BEGIN
	RETURN CASE WHEN got IS DISTINCT FROM want THEN format('%s => %s', stmt, COALESCE(got, 'no error')) END;
END
$$;
-- The same, acting as role r; whatever the statement did is undone.
CREATE FUNCTION pg_temp.check_as(r text, stmt text, want text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	got text;
BEGIN
	BEGIN
		EXECUTE format('SET LOCAL ROLE %I', r);
		EXECUTE stmt;
		RAISE SQLSTATE 'BPOK0';
	EXCEPTION WHEN OTHERS THEN
		got := CASE WHEN SQLSTATE <> 'BPOK0' THEN SQLSTATE || ' ' || SQLERRM END;
	END;
	RETURN CASE WHEN got IS DISTINCT FROM want THEN format('%s as %s => %s', stmt, r, COALESCE(got, 'no error')) END;
END
$$;
-- A draft release with one windows/x86_64/msi artifact art_<id without rel_>.
CREATE FUNCTION pg_temp.draft(p text, v text, ch text, id text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bigpicture.create_release(p, v, ch, release_id => id);
	PERFORM bigpicture.attach_artifact(id, bigpicture.create_artifact(p, format('https://dl.example.com/%s/%s.msi', p, v),
		encode(sha256(convert_to(id, 'UTF8')), 'hex'), 1000 + length(v), 'windows', 'x86_64', 'msi',
		artifact_id => 'art_' || substr(id, 5)));
END
$$;
-- Everything a failed call might have written.
CREATE FUNCTION pg_temp.catalog_state() RETURNS text LANGUAGE sql AS $$
	SELECT format('products %s; channels %s; artifacts %s; links %s; approvals %s; releases %s; workflows %s',
		(SELECT count(*) FROM bigpicture.products), (SELECT count(*) FROM bigpicture.channels),
		(SELECT count(*) FROM bigpicture.artifacts), (SELECT count(*) FROM bigpicture.release_artifacts),
		(SELECT count(*) FROM bigpicture.release_approvals),
		(SELECT string_agg(release_id || '=' || status, ',' ORDER BY release_id COLLATE "C") FROM bigpicture.releases),
		(SELECT string_agg(format('%s/%s/%s:%s/%s/%s', scope, product_id, channel, required_approvals,
			auto_approve_channels, approval_expiry), ',' ORDER BY workflow_id COLLATE "C") FROM bigpicture.approval_workflows))
$$;

DO $$BEGIN
	PERFORM create_product('App', 'prod_app');
	PERFORM create_product('Other', 'prod_other');
	PERFORM create_product('Listed', 'prod_list');
	PERFORM create_channel(p, c, c = 'beta') FROM (VALUES ('prod_app', 'stable'), ('prod_app', 'beta'),
		('prod_app', 'internal'), ('prod_other', 'stable'), ('prod_list', 'stable'), ('prod_list', 'beta')) AS t(p, c);
	PERFORM create_artifact('prod_other', 'https://dl.example.com/other.msi', repeat('0', 64), 1, 'windows', 'x86_64', 'msi',
		artifact_id => 'art_other');
	PERFORM pg_temp.draft('prod_app', '0.0.1', 'stable', 'rel_nokey');
END$$;

-- ---- no decision key: submit fails and writes nothing ---------------------------
SELECT throws_ok($$SELECT submit_release('rel_nokey')$$, 'PT409', 'no active decision signing key',
	'without an active decision key a release cannot be published');
SELECT is((SELECT ROW(status, submitted_at, submitted_by, published_at, release_token)::text FROM releases
		   WHERE release_id = 'rel_nokey'), '(draft,,,,)', 'and it stays a draft: nothing of the submission is written');

CREATE TEMP TABLE k AS SELECT generate_key('decision') AS dec;
DO $$BEGIN PERFORM activate_key(dec) FROM k; END$$;

-- ---- no workflow: submit publishes, signed ----------------------------------------
SET ROLE t_publisher;
DO $$BEGIN
	PERFORM create_release('prod_app', '1.0.0', 'stable', notes => 'First', metadata => '{"build": 7}', critical => true,
		release_id => 'rel_100');
	PERFORM create_artifact('prod_app', 'https://dl.example.com/app-1.0.0.msi', upper(repeat('ab', 32)), 48211968,
		'windows', 'x86_64', 'msi', requires_admin => true, install_scope => 'machine', artifact_id => 'art_100_win');
	PERFORM create_artifact('prod_app', 'https://dl.example.com/app-1.0.0-arm64.deb', repeat('cd', 32), 1234,
		'linux', 'arm64', 'deb', source_type => 'MANAGED', artifact_id => 'art_100_deb');
	PERFORM attach_artifact('rel_100', 'art_100_win');
	PERFORM attach_artifact('rel_100', 'art_100_deb');
END$$;
SELECT is(submit_release('rel_100'), 'published', 'with no approval workflow, submitting publishes at once');
RESET ROLE;
SELECT is((SELECT ROW(status, created_by, submitted_by, submitted_at = now(), published_at = now())::text
		   FROM releases WHERE release_id = 'rel_100'), '(published,t_publisher,t_publisher,t,t)',
	'the acting role is recorded as creator and submitter; published now');
SELECT is((SELECT sha256 FROM artifacts WHERE artifact_id = 'art_100_win'), repeat('ab', 32),
	'an upper-case SHA-256 is accepted and stored lower-case');

CREATE TEMP TABLE tok AS SELECT release_token AS token, published_at, verify_token(release_token) AS p
	FROM releases WHERE release_id = 'rel_100';
SELECT is((SELECT (p ->> 'exp')::timestamptz - (p ->> 'iat')::timestamptz FROM tok), interval '30 days',
	'release metadata expires after bigpicture.release_ttl (30 days by default)');
SELECT is((SELECT p - ARRAY['iat', 'exp', 'published_at', 'artifacts'] FROM tok),
	jsonb_build_object('typ', 'release', 'iss', current_setting('bigpicture.issuer', true), 'release_id', 'rel_100',
		'product_id', 'prod_app', 'version', '1.0.0', 'channel', 'stable', 'critical', true),
	'the release token verifies with verify_token: typ release, product, version, channel, critical');
SELECT is((SELECT p -> 'artifacts' FROM tok), jsonb_build_array(
		jsonb_build_object('artifact_id', 'art_100_deb', 'url', 'https://dl.example.com/app-1.0.0-arm64.deb',
			'sha256', repeat('cd', 32), 'size', 1234, 'platform', 'linux', 'arch', 'arm64', 'installer_type', 'deb',
			'requires_admin', false, 'install_scope', 'user'),
		jsonb_build_object('artifact_id', 'art_100_win', 'url', 'https://dl.example.com/app-1.0.0.msi',
			'sha256', repeat('ab', 32), 'size', 48211968, 'platform', 'windows', 'arch', 'x86_64', 'installer_type', 'msi',
			'requires_admin', true, 'install_scope', 'machine')),
	'the token lists the artifacts exactly as created (url, sha256, size, platform, arch, installer type)');
SELECT is((SELECT ARRAY[p ->> 'iat', p ->> 'published_at'] FROM tok),
	(SELECT ARRAY[rfc3339(published_at), rfc3339(published_at)] FROM tok), 'iat and published_at are the publication time');
SELECT is((SELECT paseto_verify(token, (SELECT public_key FROM public_keys WHERE kid = (SELECT dec FROM k))) FROM tok),
	(SELECT p FROM tok), 'paseto_verify with the decision key''s PASERK gives the same payload');
SELECT is((SELECT paseto_footer(token) FROM tok), (SELECT jsonb_build_object('kid', dec) FROM k),
	'the footer names the active decision key');

-- ---- listings --------------------------------------------------------------------------
DO $$BEGIN
	PERFORM pg_temp.draft('prod_list', v, ch, id) FROM (VALUES ('1.10.0', 'stable', 'rel_l1100'),
		('3.0.0', 'stable', 'rel_l300'), ('2.0.0-rc.1', 'beta', 'rel_l200rc1'), ('1.9.0', 'stable', 'rel_l190'),
		('2.0.0', 'stable', 'rel_l200'), ('2.1.0-beta.1', 'beta', 'rel_l210b1')) AS t(v, ch, id);
	PERFORM submit_release(id) FROM unnest(ARRAY['rel_l200', 'rel_l190', 'rel_l200rc1', 'rel_l1100']) AS id;
END$$;
SELECT is(ARRAY(SELECT version::text FROM list_releases('prod_list')),
	ARRAY['3.0.0', '2.1.0-beta.1', '2.0.0', '2.0.0-rc.1', '1.10.0', '1.9.0'],
	'list_releases is newest first by SemVer precedence (1.10.0 > 1.9.0, 2.0.0 > 2.0.0-rc.1)');
SELECT is(array_remove(array_agg(CASE WHEN ARRAY(SELECT version::text FROM list_releases('prod_list', ch, st)) <> want
		THEN format('%s/%s', ch, st) END), NULL), '{}', 'list_releases filters by channel and by status')
FROM (VALUES
	(NULL, 'published', ARRAY['2.0.0', '2.0.0-rc.1', '1.10.0', '1.9.0']),
	('stable', NULL, ARRAY['3.0.0', '2.0.0', '1.10.0', '1.9.0']),
	('beta', NULL, ARRAY['2.1.0-beta.1', '2.0.0-rc.1']),
	('stable', 'draft', ARRAY['3.0.0']),
	('beta', 'published', ARRAY['2.0.0-rc.1']),
	('stable', 'rejected', '{}'),
	('nightly', NULL, '{}')) AS t(ch, st, want);
SELECT is((latest_release('prod_list', 'stable')).version::text, '2.0.0',
	'latest_release is the highest published release, not the higher draft 3.0.0');
SELECT is((latest_release('prod_list', 'beta')).version::text, '2.0.0-rc.1', 'nor the draft 2.1.0-beta.1 on beta');
SELECT is((latest_release('prod_other', 'stable')).release_id, NULL, 'a channel with nothing published has no latest release');
SET ROLE t_admin;
SELECT lives_ok($$SELECT revoke_release('rel_l200', 'crashes on start')$$, 'an admin revokes the latest release');
RESET ROLE;
SELECT is((SELECT ROW(status, revoked_by, revoked_reason, revoked_at = now(), release_token IS NOT NULL)::text
		   FROM releases WHERE release_id = 'rel_l200'), '(revoked,t_admin,"crashes on start",t,t)',
	'revocation records who, when and why, and keeps the token');
SELECT is((latest_release('prod_list', 'stable')).version::text, '1.10.0',
	'with the latest revoked, latest_release falls back to the previous one (1.10.0, not 1.9.0)');
SELECT is(ARRAY(SELECT version || ':' || status FROM list_releases('prod_list', 'stable')),
	ARRAY['3.0.0:draft', '2.0.0:revoked', '1.10.0:published', '1.9.0:published'], 'list_releases still lists the revoked one');

-- ---- approval workflows ---------------------------------------------------------------------
SET ROLE t_admin;
SELECT matches(set_approval_workflow('global', required_approvals => 2), '^wf_[0-9a-f]{32}$',
	'an admin sets a global workflow of two approvals');
SET ROLE t_publisher;
DO $$BEGIN PERFORM pg_temp.draft('prod_app', '1.1.0', 'stable', 'rel_110'); END$$;
SELECT is(submit_release('rel_110'), 'pending_approval', 'under a workflow, submitting awaits approval');
SET ROLE t_appr1;
SELECT is(approve_release('rel_110', 'looks good'), 'pending_approval', 'one approval of two: still pending');
SELECT throws_ok($$SELECT approve_release('rel_110')$$, '23505', 't_appr1 has already approved release rel_110',
	'an approver counts once: approving twice is refused');
SET ROLE t_appr2;
SELECT is(approve_release('rel_110'), 'published', 'the second distinct approver publishes it');
RESET ROLE;
SELECT is((SELECT array_agg(approver || ':' || COALESCE(comment, '') ORDER BY approver COLLATE "C") FROM release_approvals
		   WHERE release_id = 'rel_110'), ARRAY['t_appr1:looks good', 't_appr2:'], 'each approval is recorded once, with its comment');
SELECT is((SELECT verify_token(release_token) ->> 'release_id' FROM releases WHERE release_id = 'rel_110'), 'rel_110',
	'a release published by approval carries a verifiable token');

SET ROLE t_admin;
DO $$BEGIN PERFORM pg_temp.draft('prod_app', '1.1.1', 'stable', 'rel_111'); PERFORM submit_release('rel_111'); END$$;
SELECT throws_ok($$SELECT approve_release('rel_111')$$, '42501', 'the submitter of release rel_111 cannot approve it',
	'the submitter cannot approve their own release');
DO $$BEGIN
	PERFORM set_approval_workflow('product', 'prod_app', required_approvals => 1, auto_approve_channels => '{internal}');
END$$;
SET ROLE t_appr1;
SELECT is(approve_release('rel_111'), 'published',
	'a product workflow overrides the global one: one approval now publishes (the workflow applies at approval time)');
SET ROLE t_publisher;
DO $$BEGIN PERFORM pg_temp.draft('prod_app', '1.2.0', 'internal', 'rel_120i'); END$$;
SELECT is(submit_release('rel_120i'), 'published', 'a channel in auto_approve_channels publishes on submit');
SET ROLE t_admin;
DO $$BEGIN
	PERFORM set_approval_workflow('channel', 'prod_app', 'stable', required_approvals => 3, approval_expiry => '1 day');
	PERFORM set_approval_workflow('channel', 'prod_app', 'beta', required_approvals => 0);
END$$;
RESET ROLE;
SELECT is(
	(SELECT array_agg(format('%s/%s', p, c)) FROM (VALUES
		('prod_app', 'stable', 'channel', 3), ('prod_app', 'beta', 'channel', 0),
		('prod_app', 'internal', 'product', 1), ('prod_other', 'stable', 'global', 2)) AS t(p, c, scope, n)
	 WHERE (approval_workflow_for(p, c)).scope IS DISTINCT FROM t.scope
		OR (approval_workflow_for(p, c)).required_approvals IS DISTINCT FROM t.n),
	NULL, 'the most specific workflow applies: channel, else product, else global');
SET ROLE t_publisher;
DO $$BEGIN PERFORM pg_temp.draft('prod_app', '1.3.0-beta.1', 'beta', 'rel_130b'); END$$;
SELECT is(submit_release('rel_130b'), 'published', 'required_approvals 0 publishes on submit');
DO $$BEGIN PERFORM pg_temp.draft('prod_app', '1.3.0', 'stable', 'rel_130'); END$$;
SELECT is(submit_release('rel_130'), 'pending_approval', 'a channel workflow overrides the product one: three approvals');
SET ROLE t_appr1;
SELECT is(approve_release('rel_130'), 'pending_approval', 'first approval of three: pending');
SET ROLE t_appr2;
SELECT is(approve_release('rel_130'), 'pending_approval', 'second approval of three: pending');
RESET ROLE;
UPDATE release_approvals SET approved_at = now() - interval '25 hours' WHERE release_id = 'rel_130' AND approver = 't_appr1';
SET ROLE t_appr3;
SELECT is(approve_release('rel_130'), 'pending_approval',
	'a third approval while the first is older than the 1 day expiry: only two count, still pending');
SET ROLE t_appr1;
SELECT is(approve_release('rel_130', 'again'), 'published', 'after expiry the same approver may approve again, which completes it');
RESET ROLE;
SELECT is((SELECT array_agg(approver || ':' || (approved_at = now()) ORDER BY approver COLLATE "C") FROM release_approvals
		   WHERE release_id = 'rel_130'), ARRAY['t_appr1:true', 't_appr2:true', 't_appr3:true'],
	'the renewed approval replaced the expired one');

SET ROLE t_publisher;
DO $$BEGIN PERFORM pg_temp.draft('prod_app', '1.4.0', 'stable', 'rel_140'); PERFORM submit_release('rel_140'); END$$;
SET ROLE t_appr2;
SELECT is(array_remove(array_agg(pg_temp.check(format('SELECT reject_release(%L, %L)', 'rel_140', r),
	'22023 a rejection needs a reason')), NULL), '{}', 'a rejection needs a reason (NULL, empty, blank)')
FROM unnest(ARRAY[NULL, '', '   ']) AS r;
SELECT lives_ok($$SELECT reject_release('rel_140', 'missing notarisation')$$, 'an approver rejects a pending release');
RESET ROLE;
SELECT is((SELECT ROW(status, rejected_by, rejected_reason, rejected_at = now(), published_at IS NULL AND release_token IS NULL)::text
		   FROM releases WHERE release_id = 'rel_140'), '(rejected,t_appr2,"missing notarisation",t,t)',
	'rejection records who, when and why, and signs nothing');
SET ROLE t_publisher;
SELECT throws_ok($$SELECT create_release('prod_app', '1.4.0', 'beta')$$, '23505',
	'version 1.4.0 of product "prod_app" already exists', 'rejection is final: the version cannot be reused');
RESET ROLE;

CREATE TEMP TABLE snap_wf AS SELECT pg_temp.catalog_state() AS s;
SELECT is(array_remove(array_agg(pg_temp.check('SELECT set_approval_workflow(' || args || ')', want)), NULL), '{}',
	'set_approval_workflow refuses a bad scope, mismatched arguments, unknown targets, bad counts and expiries')
FROM (VALUES
	($$'tenant'$$, '22023 invalid workflow scope "tenant"'),
	($$NULL$$, '22023 invalid workflow scope "<NULL>"'),
	($$'global', 'prod_app'$$, '22023 a global workflow takes no product and no channel'),
	($$'global', NULL, 'stable'$$, '22023 a global workflow takes no product and no channel'),
	($$'product'$$, '22023 a product workflow takes a product and no channel'),
	($$'product', 'prod_app', 'stable'$$, '22023 a product workflow takes a product and no channel'),
	($$'channel', 'prod_app'$$, '22023 a channel workflow takes a product and a channel'),
	($$'channel', NULL, 'stable'$$, '22023 a channel workflow takes a product and a channel'),
	($$'product', 'prod_nope'$$, 'PT404 product "prod_nope" does not exist'),
	($$'channel', 'prod_app', 'nightly'$$, 'PT404 channel "nightly" of product "prod_app" does not exist'),
	($$'channel', 'prod_other', 'beta'$$, 'PT404 channel "beta" of product "prod_other" does not exist'),
	($$'global', required_approvals => 11$$, '22023 required_approvals must be 0 to 10'),
	($$'global', required_approvals => -1$$, '22023 required_approvals must be 0 to 10'),
	($$'global', required_approvals => NULL$$, '22023 required_approvals must be 0 to 10'),
	($$'global', approval_expiry => '0'$$, '22023 approval_expiry must be a positive interval'),
	($$'global', approval_expiry => '-1 day'$$, '22023 approval_expiry must be a positive interval'),
	($$'global', approval_expiry => NULL$$, '22023 approval_expiry must be a positive interval')) AS t(args, want);
SELECT is(pg_temp.catalog_state(), (SELECT s FROM snap_wf), 'and those failed calls wrote nothing');
SELECT is(set_approval_workflow('global', required_approvals => 2), (SELECT workflow_id FROM approval_workflows WHERE scope = 'global'),
	'setting a scope again updates its workflow in place');
SELECT is(clear_approval_workflow('channel', 'prod_app', 'beta'), true, 'clear_approval_workflow returns true when it removed one');
SELECT is(clear_approval_workflow('channel', 'prod_app', 'beta'), false, 'and false when there was none');

-- ---- the state machine: every illegal transition through the API -----------------------
SET ROLE t_publisher;
DO $$BEGIN
	PERFORM pg_temp.draft('prod_app', '4.0.0', 'stable', 'rel_p');
	PERFORM submit_release('rel_p');
	PERFORM pg_temp.draft('prod_app', '4.1.0', 'stable', 'rel_pp');
	PERFORM submit_release('rel_pp');
	PERFORM pg_temp.draft('prod_app', '5.0.0', 'stable', 'rel_d');
	PERFORM create_release('prod_app', '5.1.0', 'stable', release_id => 'rel_empty');
	PERFORM create_artifact('prod_app', 'https://dl.example.com/app.dmg', repeat('1', 64), 10, 'macos', 'arm64', 'dmg',
		artifact_id => 'art_spare');
	PERFORM create_artifact('prod_app', 'https://dl.example.com/app-dup.msi', repeat('2', 64), 10, 'windows', 'x86_64', 'msi',
		artifact_id => 'art_dup');
	PERFORM create_artifact('prod_app', 'https://dl.example.com/app.rpm', repeat('3', 64), 10, 'linux', 'x86_64', 'rpm',
		artifact_id => 'art_m');
END$$;
RESET ROLE;

-- One release in each state; each action refuses every state but its own.
SELECT is(array_remove(array_agg(pg_temp.check(format(a.tmpl, r.id, r.art),
		format('PT409 release %s is %s, so it cannot be %s', r.id, r.st, a.verb)) ORDER BY r.id), NULL), '{}',
	format('%s refuses, with PT409, every release that is not %s', a.fn, a.from_st))
FROM (VALUES
	('1 submit_release', 'SELECT submit_release(%1$L)', 'submitted', 'draft'),
	('2 approve_release', 'SELECT approve_release(%1$L)', 'approved', 'pending_approval'),
	('3 reject_release', 'SELECT reject_release(%1$L, ''no'')', 'rejected', 'pending_approval'),
	('4 revoke_release', 'SELECT revoke_release(%1$L, ''no'')', 'revoked', 'published'),
	('5 attach_artifact', 'SELECT attach_artifact(%1$L, ''art_spare'')', 'changed', 'draft'),
	('6 detach_artifact', 'SELECT detach_artifact(%1$L, %2$L)', 'changed', 'draft')) AS a(fn, tmpl, verb, from_st)
CROSS JOIN (VALUES ('rel_d', 'draft', 'art_d'), ('rel_p', 'pending_approval', 'art_p'), ('rel_100', 'published', 'art_100_win'),
	('rel_140', 'rejected', 'art_140'), ('rel_l200', 'revoked', 'art_l200')) AS r(id, st, art)
WHERE r.st <> a.from_st
GROUP BY a.fn, a.from_st
ORDER BY a.fn;
SELECT is((SELECT array_agg(release_id || ':' || status || ':' || (SELECT count(*) FROM release_artifacts ra WHERE ra.release_id = r.release_id)
		   ORDER BY release_id COLLATE "C") FROM releases r
		   WHERE release_id IN ('rel_d', 'rel_p', 'rel_100', 'rel_140', 'rel_l200')),
	ARRAY['rel_100:published:2', 'rel_140:rejected:1', 'rel_d:draft:1', 'rel_l200:revoked:1', 'rel_p:pending_approval:1'],
	'the refused calls changed no status and no artifact link');

SELECT is(array_remove(array_agg(pg_temp.check(format('UPDATE releases SET %s WHERE release_id = %L', s, id),
	'42501 release status changes only through the release functions')), NULL), '{}',
	'a superuser cannot change a status directly, not even along a legal transition')
FROM (VALUES
	('rel_d', $$status = 'pending_approval', submitted_at = now(), submitted_by = 'mallory'$$),
	('rel_d', $$status = 'published', published_at = now(), release_token = 'v4.public.forged'$$),
	('rel_p', $$status = 'published', published_at = now(), release_token = 'v4.public.forged'$$),
	('rel_p', $$status = 'rejected', rejected_at = now()$$),
	('rel_100', $$status = 'revoked', revoked_at = now(), revoked_reason = 'x'$$),
	('rel_140', $$status = 'draft'$$),
	('rel_l200', $$status = 'published'$$)) AS t(id, s);
SELECT is(array_remove(array_agg(pg_temp.check_as('bigpicture_owner', format('UPDATE releases SET status = %L WHERE release_id = %L', st, id),
	format('PT409 release %s cannot go from %s to %s', id, old, st))), NULL), '{}',
	'even as the extension owner only the legal transitions are possible')
FROM (VALUES ('rel_d', 'draft', 'published'), ('rel_d', 'draft', 'rejected'), ('rel_p', 'pending_approval', 'revoked'),
	('rel_p', 'pending_approval', 'draft'), ('rel_100', 'published', 'draft'), ('rel_100', 'published', 'rejected'),
	('rel_140', 'rejected', 'pending_approval'), ('rel_140', 'rejected', 'published'),
	('rel_l200', 'revoked', 'published')) AS t(id, old, st);
SELECT is(array_remove(array_agg(pg_temp.check_as('t_admin', stmt, '42501 permission denied for table ' || tbl)), NULL), '{}',
	'a bigpicture_admin member cannot write the release tables directly (SELECT only)')
FROM (VALUES
	('releases', $$UPDATE bigpicture.releases SET status = 'revoked', revoked_at = now(), revoked_reason = 'x' WHERE release_id = 'rel_100'$$),
	('releases', $$UPDATE bigpicture.releases SET notes = 'x' WHERE release_id = 'rel_d'$$),
	('releases', $$DELETE FROM bigpicture.releases WHERE release_id = 'rel_d'$$),
	('releases', $$INSERT INTO bigpicture.releases (release_id, product_id, version, channel, created_by) VALUES ('rel_x', 'prod_app', '9.0.0', 'stable', 'x')$$),
	('release_artifacts', $$DELETE FROM bigpicture.release_artifacts WHERE release_id = 'rel_d'$$),
	('release_approvals', $$INSERT INTO bigpicture.release_approvals (release_id, approver) VALUES ('rel_p', 'ghost')$$),
	('artifacts', $$UPDATE bigpicture.artifacts SET url = 'https://evil.example.com/x' WHERE artifact_id = 'art_d'$$),
	('approval_workflows', $$UPDATE bigpicture.approval_workflows SET required_approvals = 0$$)) AS t(tbl, stmt);

-- ---- bad input, and failed calls write nothing ---------------------------------------------
CREATE FUNCTION pg_temp.artifact_call(o jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT format('SELECT create_artifact(%L, %L, %L, %s, %L, %L, %L, install_scope => %L, source_type => %L, artifact_id => %L)',
		a ->> 'product', a ->> 'url', a ->> 'sha256', COALESCE(a ->> 'size', 'NULL'), a ->> 'platform', a ->> 'arch',
		a ->> 'installer', a ->> 'scope', a ->> 'source', a ->> 'id')
	FROM (SELECT jsonb_build_object('product', 'prod_app', 'url', 'https://dl.example.com/x.msi', 'sha256', repeat('9', 64),
		'size', 1, 'platform', 'windows', 'arch', 'x86', 'installer', 'msi', 'scope', 'user', 'source', 'EXTERNAL',
		'id', 'art_new') || o AS a) s
$$;
CREATE TEMP TABLE snap_bad AS SELECT pg_temp.catalog_state() AS s;
SELECT is(pg_temp.check_as(current_user::text, pg_temp.artifact_call('{}'), NULL), NULL,
	'the baseline create_artifact call of the table below succeeds (and is undone)');
SELECT is(array_remove(array_agg(pg_temp.check(pg_temp.artifact_call(o), want)), NULL), '{}',
	'create_artifact refuses bad input with 22023 (PT404 unknown product, 23505 duplicate id)')
FROM (VALUES
	('{"product": "prod_nope"}'::jsonb, 'PT404 product "prod_nope" does not exist'),
	('{"id": "art"}', '22023 invalid artifact id "art"'),
	('{"id": "artifact_1"}', '22023 invalid artifact id "artifact_1"'),
	('{"id": "art_a b"}', '22023 invalid artifact id "art_a b"'),
	('{"url": "http://dl.example.com/x.msi"}', '22023 artifact url must be an https URL'),
	('{"url": "ftp://dl.example.com/x.msi"}', '22023 artifact url must be an https URL'),
	('{"url": "https://"}', '22023 artifact url must be an https URL'),
	('{"url": "https://dl.example.com/a b.msi"}', '22023 artifact url must be an https URL'),
	('{"url": "https://trusted.example.com@evil.example.net/a.msi"}', '22023 artifact url must be an https URL'),
	('{"url": "https://user:pass@dl.example.com/a.msi"}', '22023 artifact url must be an https URL'),
	('{"url": null}', '22023 artifact url must be an https URL'),
	(jsonb_build_object('sha256', repeat('a', 63)), '22023 artifact sha256 must be 64 hexadecimal digits'),
	(jsonb_build_object('sha256', repeat('a', 65)), '22023 artifact sha256 must be 64 hexadecimal digits'),
	(jsonb_build_object('sha256', repeat('g', 64)), '22023 artifact sha256 must be 64 hexadecimal digits'),
	(jsonb_build_object('sha256', ' ' || repeat('a', 63)), '22023 artifact sha256 must be 64 hexadecimal digits'),
	('{"sha256": null}', '22023 artifact sha256 must be 64 hexadecimal digits'),
	('{"size": 0}', '22023 artifact size must be a positive number of bytes'),
	('{"size": -1}', '22023 artifact size must be a positive number of bytes'),
	('{"size": null}', '22023 artifact size must be a positive number of bytes'),
	('{"platform": "android"}', '22023 invalid platform "android"'),
	('{"platform": "Windows"}', '22023 invalid platform "Windows"'),
	('{"arch": "mips"}', '22023 invalid arch "mips"'),
	('{"arch": "amd64"}', '22023 invalid arch "amd64"'),
	('{"installer": "apk"}', '22023 invalid installer type "apk"'),
	('{"installer": null}', '22023 invalid installer type "<NULL>"'),
	('{"scope": "global"}', '22023 invalid install scope "global"'),
	('{"source": "S3"}', '22023 invalid source type "S3"'),
	('{"source": "external"}', '22023 invalid source type "external"'),
	('{"id": "art_100_win"}', '23505 artifact "art_100_win" already exists')) AS t(o, want);
SELECT is(array_remove(array_agg(pg_temp.check(stmt, want)), NULL), '{}',
	'create_product and create_channel refuse bad ids, names, unknown products and duplicates')
FROM (VALUES
	($$SELECT create_product('X', 'prod_')$$, '22023 invalid product id "prod_"'),
	($$SELECT create_product('X', 'product_x')$$, '22023 invalid product id "product_x"'),
	($$SELECT create_product('X', 'prod_a/b')$$, '22023 invalid product id "prod_a/b"'),
	($$SELECT create_product('', 'prod_x')$$, '22023 product name must not be empty'),
	($$SELECT create_product('  ', 'prod_x')$$, '22023 product name must not be empty'),
	($$SELECT create_product(NULL, 'prod_x')$$, '22023 product name must not be empty'),
	($$SELECT create_product('Again', 'prod_app')$$, '23505 product "prod_app" already exists'),
	($$SELECT create_channel('prod_nope', 'stable')$$, 'PT404 product "prod_nope" does not exist'),
	($$SELECT create_channel('prod_app', 'Stable')$$, '22023 invalid channel name "Stable"'),
	($$SELECT create_channel('prod_app', 'night ly')$$, '22023 invalid channel name "night ly"'),
	($$SELECT create_channel('prod_app', '-x')$$, '22023 invalid channel name "-x"'),
	($$SELECT create_channel('prod_app', repeat('a', 33))$$, format('22023 invalid channel name "%s"', repeat('a', 33))),
	($$SELECT create_channel('prod_app', NULL)$$, '22023 invalid channel name "<NULL>"'),
	($$SELECT create_channel('prod_app', 'stable')$$, '23505 channel "stable" of product "prod_app" already exists')) AS t(stmt, want);
SELECT is(array_remove(array_agg(pg_temp.check('SELECT create_release(' || args || ')', want)), NULL), '{}',
	'create_release refuses unknown products and channels, bad ids, malformed and duplicate versions')
FROM (VALUES
	($$'prod_nope', '1.0.0', 'stable'$$, 'PT404 product "prod_nope" does not exist'),
	($$'prod_app', '9.0.0', 'stable', release_id => 'rel-1'$$, '22023 invalid release id "rel-1"'),
	($$'prod_app', '9.0.0', 'stable', release_id => 'rel_'$$, '22023 invalid release id "rel_"'),
	($$'prod_app', '9.0.0', 'stable', release_id => 'release_9'$$, '22023 invalid release id "release_9"'),
	($$'prod_app', '1.0', 'stable'$$, '22P02 invalid input syntax for type semver: "1.0"'),
	($$'prod_app', 'v9.0.0', 'stable'$$, '22P02 invalid input syntax for type semver: "v9.0.0"'),
	($$'prod_app', '9.0.0.1', 'stable'$$, '22P02 invalid input syntax for type semver: "9.0.0.1"'),
	($$'prod_app', '09.0.0', 'stable'$$, '22P02 invalid input syntax for type semver: "09.0.0"'),
	($$'prod_app', '', 'stable'$$, '22P02 invalid input syntax for type semver: ""'),
	($$'prod_app', NULL, 'stable'$$, '22004 version must not be null'),
	($$'prod_app', '9.0.0', 'nightly'$$, 'PT404 channel "nightly" of product "prod_app" does not exist'),
	($$'prod_other', '9.0.0', 'beta'$$, 'PT404 channel "beta" of product "prod_other" does not exist'),
	($$'prod_app', '9.0.0', 'stable', metadata => '[1]'$$, '22023 release metadata must be a JSON object'),
	($$'prod_app', '1.0.0', 'stable'$$, '23505 version 1.0.0 of product "prod_app" already exists'),
	($$'prod_app', '1.0.0', 'beta'$$, '23505 version 1.0.0 of product "prod_app" already exists'),
	($$'prod_app', '1.0.0+build.9', 'stable'$$, '23505 version 1.0.0+build.9 of product "prod_app" already exists'),
	($$'prod_app', '5.0.0+other', 'beta'$$, '23505 version 5.0.0+other of product "prod_app" already exists'),
	($$'prod_app', '9.0.0', 'stable', release_id => 'rel_100'$$, '23505 release "rel_100" already exists')) AS t(args, want);
SELECT is(array_remove(array_agg(pg_temp.check(stmt, want)), NULL), '{}',
	'attach_artifact, detach_artifact and submit_release refuse unknown, foreign, clashing and missing artifacts')
FROM (VALUES
	($$SELECT attach_artifact('rel_nope', 'art_spare')$$, 'PT404 release "rel_nope" does not exist'),
	($$SELECT attach_artifact('rel_d', 'art_nope')$$, 'PT404 artifact "art_nope" does not exist'),
	($$SELECT attach_artifact('rel_d', 'art_other')$$, '22023 artifact "art_other" belongs to product "prod_other", not "prod_app"'),
	($$SELECT attach_artifact('rel_d', 'art_dup')$$, '23505 release rel_d already has an artifact for windows/x86_64 (msi)'),
	($$SELECT attach_artifact('rel_d', 'art_d')$$, '23505 release rel_d already has an artifact for windows/x86_64 (msi)'),
	($$SELECT detach_artifact('rel_d', 'art_spare')$$, 'PT404 artifact "art_spare" is not attached to release rel_d'),
	($$SELECT detach_artifact('rel_nope', 'art_d')$$, 'PT404 release "rel_nope" does not exist'),
	($$SELECT submit_release('rel_nope')$$, 'PT404 release "rel_nope" does not exist'),
	($$SELECT submit_release('rel_empty')$$, 'PT409 release rel_empty has no artifacts')) AS t(stmt, want);
SELECT is(pg_temp.catalog_state(), (SELECT s FROM snap_bad), 'none of the failed calls wrote anything');

-- ---- immutability, whoever writes ------------------------------------------------------------
SELECT is(array_remove(array_agg(pg_temp.check(format('UPDATE releases SET %s WHERE release_id = ''rel_100''', s),
	'PT409 release rel_100 is published and cannot change')), NULL), '{}',
	'no column of a published release can change, not even by a superuser, not even to itself')
FROM unnest(ARRAY[$$notes = 'edited'$$, $$metadata = '{"x": 1}'$$, $$critical = false$$, $$version = '1.0.0+rebuild'$$,
	$$channel = 'beta'$$, $$product_id = 'prod_other'$$, $$release_id = 'rel_100x'$$, $$created_by = 'mallory'$$,
	$$created_at = now() - interval '1 day'$$, $$submitted_at = NULL$$, $$submitted_by = 'mallory'$$,
	$$published_at = now() + interval '1 day'$$, $$release_token = 'v4.public.forged'$$, $$rejected_reason = 'x'$$,
	$$revoked_at = now()$$, $$revoked_reason = 'x'$$, $$notes = notes$$]) AS s;
SELECT is(array_remove(array_agg(pg_temp.check(format('UPDATE releases SET %s WHERE release_id = ''rel_p''', s),
	'PT409 release rel_p is pending_approval and cannot change')), NULL), '{}',
	'the content of a release awaiting approval cannot change')
FROM unnest(ARRAY[$$notes = 'edited'$$, $$version = '4.0.1'$$, $$critical = true$$, $$channel = 'beta'$$,
	$$metadata = '{"x": 1}'$$, $$created_by = 'mallory'$$, $$submitted_by = 'mallory'$$, $$submitted_at = NULL$$,
	-- the outcome's columns move only with the outcome itself
	$$release_token = 'v4.public.forged'$$, $$published_at = now()$$, $$rejected_by = 'mallory'$$,
	$$rejected_reason = 'x'$$, $$rejected_at = now()$$]) AS s;
-- Rejected and revoked releases are final, and only drafts may be deleted.
CREATE TEMP TABLE frozen (id text, st text, stmt text);
INSERT INTO frozen SELECT id, st, format('UPDATE releases SET %s WHERE release_id = %L', s, id)
FROM (VALUES ('rel_140', 'rejected', $$notes = 'edited'$$), ('rel_140', 'rejected', $$rejected_reason = 'other'$$),
	('rel_140', 'rejected', $$rejected_by = 'mallory'$$), ('rel_140', 'rejected', $$notes = notes$$),
	('rel_l200', 'revoked', $$notes = 'edited'$$), ('rel_l200', 'revoked', $$revoked_reason = 'other'$$),
	('rel_l200', 'revoked', $$revoked_at = now() - interval '1 day'$$), ('rel_l200', 'revoked', $$release_token = 'v4.public.x'$$),
	('rel_l200', 'revoked', $$notes = notes$$)) AS t(id, st, s);
CREATE TEMP TABLE undeletable (id text, st text, stmt text);
INSERT INTO undeletable SELECT id, st, format('DELETE FROM releases WHERE release_id = %L', id)
FROM (VALUES ('rel_p', 'pending_approval'), ('rel_100', 'published'), ('rel_140', 'rejected'), ('rel_l200', 'revoked')) AS t(id, st);
CREATE TEMP TABLE before_final AS SELECT array_agg(to_jsonb(r) ORDER BY release_id COLLATE "C") AS rows
	FROM releases r WHERE release_id IN ('rel_p', 'rel_100', 'rel_140', 'rel_l200');
SELECT is(array_remove(array_agg(pg_temp.check(stmt, format('PT409 release %s is %s and cannot change', id, st))), NULL), '{}',
	'rejected and revoked releases cannot change at all, not even to themselves') FROM frozen;
SELECT is(array_remove(array_agg(pg_temp.check(stmt, format('PT409 release %s is %s and cannot be deleted', id, st))), NULL), '{}',
	'only a draft can be deleted: pending, published, rejected and revoked ones cannot') FROM undeletable;
SELECT is((SELECT array_agg(to_jsonb(r) ORDER BY release_id COLLATE "C") FROM releases r
		   WHERE release_id IN ('rel_p', 'rel_100', 'rel_140', 'rel_l200')), (SELECT rows FROM before_final),
	'those releases are exactly as they were');
SELECT lives_ok($$DELETE FROM releases WHERE release_id = 'rel_nokey'$$, 'a draft can be deleted');
SELECT is((SELECT count(*)::int FROM release_artifacts WHERE release_id = 'rel_nokey'), 0, 'its artifact links go with it');
SELECT throws_ok($$INSERT INTO releases (release_id, product_id, version, channel, status, created_by, published_at, release_token)
		VALUES ('rel_forged', 'prod_app', '8.0.0', 'stable', 'published', 'mallory', now(), 'v4.public.x')$$,
	'PT409', 'a release is created as a draft', 'a release cannot be inserted already published');
SET LOCAL client_min_messages = warning;
SELECT is(array_remove(array_agg(pg_temp.check(stmt, want)), NULL), '{}',
	'the release tables and artifacts cannot be truncated')
FROM (VALUES ($$TRUNCATE releases CASCADE$$, 'PT409 releases cannot be truncated'),
	($$TRUNCATE release_artifacts$$, 'PT409 release artifacts cannot be truncated'),
	($$TRUNCATE artifacts CASCADE$$, 'PT409 artifacts cannot be truncated')) AS t(stmt, want);
RESET client_min_messages;
SELECT is(array_remove(array_agg(pg_temp.check(stmt, want)), NULL), '{}',
	'artifact links of a release past draft cannot be added or removed, and no link can be updated')
FROM (VALUES
	($$INSERT INTO release_artifacts (release_id, artifact_id, platform, arch, installer_type) VALUES ('rel_100', 'art_spare', 'macos', 'arm64', 'dmg')$$,
		'PT409 release rel_100 is published and its artifacts cannot change'),
	($$INSERT INTO release_artifacts (release_id, artifact_id, platform, arch, installer_type) VALUES ('rel_p', 'art_spare', 'macos', 'arm64', 'dmg')$$,
		'PT409 release rel_p is pending_approval and its artifacts cannot change'),
	($$INSERT INTO release_artifacts (release_id, artifact_id, platform, arch, installer_type) VALUES ('rel_140', 'art_spare', 'macos', 'arm64', 'dmg')$$,
		'PT409 release rel_140 is rejected and its artifacts cannot change'),
	($$DELETE FROM release_artifacts WHERE release_id = 'rel_100'$$, 'PT409 release rel_100 is published and its artifacts cannot change'),
	($$DELETE FROM release_artifacts WHERE release_id = 'rel_l200'$$, 'PT409 release rel_l200 is revoked and its artifacts cannot change'),
	($$UPDATE release_artifacts SET artifact_id = artifact_id WHERE release_id = 'rel_100'$$, 'PT409 release artifact links cannot be changed'),
	($$UPDATE release_artifacts SET artifact_id = artifact_id WHERE release_id = 'rel_d'$$, 'PT409 release artifact links cannot be changed')) AS t(stmt, want);
SELECT is(array_remove(array_agg(pg_temp.check(stmt, format('PT409 artifact %s belongs to a submitted or published release and cannot change', art))), NULL), '{}',
	'an artifact of a release past draft cannot be updated or deleted')
FROM (VALUES
	('art_100_win', $$UPDATE artifacts SET url = 'https://evil.example.com/app.msi' WHERE artifact_id = 'art_100_win'$$),
	('art_100_win', $$UPDATE artifacts SET requires_admin = false WHERE artifact_id = 'art_100_win'$$),
	('art_100_deb', $$DELETE FROM artifacts WHERE artifact_id = 'art_100_deb'$$),
	('art_p', $$UPDATE artifacts SET sha256 = repeat('0', 64) WHERE artifact_id = 'art_p'$$),
	('art_140', $$UPDATE artifacts SET size = 1 WHERE artifact_id = 'art_140'$$),
	('art_l200', $$UPDATE artifacts SET url = 'https://evil.example.com/x.msi' WHERE artifact_id = 'art_l200'$$)) AS t(art, stmt);
SELECT lives_ok($$UPDATE artifacts SET url = 'https://mirror.example.com/app-5.0.0.msi', size = 2048 WHERE artifact_id = 'art_d'$$,
	'an artifact linked only to a draft can still be updated');
SELECT throws_ok($$DELETE FROM artifacts WHERE artifact_id = 'art_d'$$, '23503',
	'update or delete on table "artifacts" violates foreign key constraint "release_artifacts_artifact_id_platform_arch_installer_type_fkey" on table "release_artifacts"',
	'but not deleted while linked');
DO $$BEGIN PERFORM detach_artifact('rel_d', 'art_d'); END$$;
SELECT lives_ok($$DELETE FROM artifacts WHERE artifact_id = 'art_d'$$, 'once detached from the draft it can be deleted');
DO $$BEGIN PERFORM attach_artifact('rel_d', 'art_spare'); END$$;

-- A pending release whose content is frozen can still be published.
SET ROLE t_appr1;
DO $$BEGIN PERFORM approve_release('rel_p'); END$$;
SET ROLE t_appr2;
DO $$BEGIN PERFORM approve_release('rel_p'); END$$;
SET ROLE t_appr3;
SELECT is(approve_release('rel_p'), 'published', 'a pending release whose content cannot change still publishes by approval');
RESET ROLE;

-- ---- who may do what ----------------------------------------------------------------------------
-- Each call as each role, undone afterwards: allowed ones succeed, the rest are
-- refused with 42501 for the function or table.
SELECT is(array_remove(array_agg(pg_temp.check_as(r.role, c.stmt,
		CASE WHEN r.grp = ANY (c.allowed) THEN NULL ELSE '42501 permission denied for ' || c.obj END) ORDER BY c.obj), NULL), '{}',
	format('%s (%s) can make exactly the catalog calls its role grants', r.role, r.grp))
FROM (VALUES ('t_admin', 'admin'), ('t_publisher', 'publisher'), ('t_appr1', 'approver'), ('t_mirror', 'mirror'),
	('t_client', 'client'), ('t_tadmin', 'tenant_admin')) AS r(role, grp)
CROSS JOIN (VALUES
	('function create_product', $$SELECT create_product('Priv', 'prod_priv')$$, '{admin}'::text[]),
	('function create_channel', $$SELECT create_channel('prod_app', 'priv')$$, '{admin}'),
	('function set_approval_workflow', $$SELECT set_approval_workflow('product', 'prod_other', required_approvals => 1)$$, '{admin}'),
	('function clear_approval_workflow', $$SELECT clear_approval_workflow('global')$$, '{admin}'),
	('function create_artifact', $$SELECT create_artifact('prod_app', 'https://dl.example.com/p.zip', repeat('e', 64), 1, 'linux', 'x86', 'zip')$$, '{admin,publisher}'),
	('function create_release', $$SELECT create_release('prod_app', '9.0.0', 'stable')$$, '{admin,publisher}'),
	('function attach_artifact', $$SELECT attach_artifact('rel_d', 'art_m')$$, '{admin,publisher}'),
	('function detach_artifact', $$SELECT detach_artifact('rel_d', 'art_spare')$$, '{admin,publisher}'),
	('function submit_release', $$SELECT submit_release('rel_d')$$, '{admin,publisher}'),
	('function approve_release', $$SELECT approve_release('rel_pp')$$, '{admin,approver}'),
	('function reject_release', $$SELECT reject_release('rel_pp', 'no')$$, '{admin,approver}'),
	('function revoke_release', $$SELECT revoke_release('rel_100', 'no')$$, '{admin}'),
	('function list_releases', $$SELECT list_releases('prod_app')$$, '{admin,publisher,approver,mirror}'),
	('function latest_release', $$SELECT latest_release('prod_app', 'stable')$$, '{admin,publisher,approver,mirror}'),
	('table releases', $$SELECT count(*) FROM bigpicture.releases$$, '{admin,publisher,approver,mirror}'),
	('table release_approvals', $$SELECT count(*) FROM bigpicture.release_approvals$$, '{admin,publisher,approver}'),
	('table releases', $$UPDATE bigpicture.releases SET notes = 'x' WHERE release_id = 'rel_d'$$, '{}')) AS c(obj, stmt, allowed)
GROUP BY r.role, r.grp
ORDER BY r.role;

SELECT * FROM finish();
ROLLBACK;
