-- Fixtures and load functions for test/faults/run (loaded into the test
-- database as the superuser).  The load is pgbench calling the public.f_*
-- functions below: each does one operation of the product and, instead of
-- failing (which would abort the pgbench client), records any error it meets
-- in public.f_outcomes, where the run checks that only the expected refusals
-- occurred.  Approvals need approvers other than the submitter, so release
-- steps act as login roles of the publisher and approver groups (SET LOCAL
-- ROLE for the one call).

SET search_path = bigpicture, public;

SELECT activate_key(generate_key(p)) FROM unnest('{root,decision,lease,snapshot,audit}'::text[]) p;
SELECT create_tenant('Faults One', 'tenant_f1'), create_tenant('Faults Two', 'tenant_f2');
SELECT create_product('Faulty Editor', 'prod_f'), create_product('Faulty Viewer', 'prod_g');
SELECT create_channel(p, 'stable') FROM unnest('{prod_f,prod_g}'::text[]) p;
SELECT attach_artifact(create_release('prod_f', '1.0.0', 'stable', release_id => 'rel_f_base'),
	create_artifact('prod_f', 'https://dl.example.com/f-1.0.0.deb', repeat('ab', 32), 100, 'linux', 'x86_64', 'deb'));
SELECT submit_release('rel_f_base');
-- From now on a release needs two approvals.
SELECT set_approval_workflow('channel', 'prod_f', 'stable', required_approvals => 2);
-- Few seats, one entitlement of each type.
SELECT create_entitlement('tenant_f1', 'prod_f', 'concurrent', 3, entitlement_id => 'ent_f1_concurrent');
SELECT create_entitlement('tenant_f1', 'prod_g', 'per_user', 2, entitlement_id => 'ent_f1_per_user');
SELECT create_entitlement('tenant_f2', 'prod_f', 'per_machine', 2, entitlement_id => 'ent_f2_per_machine');
SELECT create_entitlement('tenant_f2', 'prod_g', 'feature_based', entitlement_id => 'ent_f2_features');
-- tenant_f1 has a mirror: every publication and revocation signs a new snapshot for it.
SELECT register_mirror('F1 office', 'tenant_f1', 'mirror_f1');

DO $$
BEGIN
	CREATE ROLE f_publisher LOGIN IN ROLE bigpicture_publisher;
	CREATE ROLE f_approver1 LOGIN IN ROLE bigpicture_approver;
	CREATE ROLE f_approver2 LOGIN IN ROLE bigpicture_approver;
END
$$;

CREATE TABLE public.f_outcomes (at timestamptz NOT NULL DEFAULT clock_timestamp(), op text NOT NULL,
	state text NOT NULL, message text);
CREATE SEQUENCE public.f_release_no;

-- One update decision for one of 200 installs of either tenant.
CREATE FUNCTION public.f_decide(i integer) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bigpicture.check_update(jsonb_build_object(
		'tenant_id', CASE WHEN i % 2 = 0 THEN 'tenant_f1' ELSE 'tenant_f2' END,
		'install_id', 'inst-' || i, 'platform', 'linux', 'arch', 'x86_64',
		'products', jsonb_build_array(jsonb_build_object('product_id', 'prod_f', 'current_version', '1.0.0'),
			jsonb_build_object('product_id', 'prod_g', 'current_version', '1.0.0'))));
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	INSERT INTO public.f_outcomes (op, state, message) VALUES ('decide', SQLSTATE, SQLERRM);
	RETURN SQLSTATE;
END
$$;

-- A seat on entitlement k (0..3) for subject s, on one of three installs.
CREATE FUNCTION public.f_issue(k integer, s integer) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM bigpicture.issue_lease(jsonb_build_object(
		'tenant_id', CASE WHEN k < 2 THEN 'tenant_f1' ELSE 'tenant_f2' END,
		'product_id', CASE k % 2 WHEN 0 THEN 'prod_f' ELSE 'prod_g' END,
		'subject_type', CASE k WHEN 2 THEN 'machine' ELSE 'user' END,
		'subject_id', 's' || s, 'install_id', 'i' || (s % 3), 'duration', 3600));
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	INSERT INTO public.f_outcomes (op, state, message) VALUES ('issue', SQLSTATE, SQLERRM);
	RETURN SQLSTATE;
END
$$;

-- Renew (even r) or release (odd r) a random active lease.
CREATE FUNCTION public.f_cycle(r integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	l record;
BEGIN
	SELECT x.tenant_id, x.lease_id INTO l FROM bigpicture.leases x
	 WHERE x.released_at IS NULL AND x.revoked_at IS NULL AND x.expires_at > now()
	   AND x.subject NOT LIKE 'user:wit\_%'  -- the witness's leases are its own
	 ORDER BY random() LIMIT 1;
	IF NOT FOUND THEN
		RETURN 'none';
	END IF;
	IF r % 2 = 0 THEN
		PERFORM bigpicture.renew_lease(jsonb_build_object('tenant_id', l.tenant_id, 'lease_id', l.lease_id, 'duration', 3600));
	ELSE
		PERFORM bigpicture.release_lease(jsonb_build_object('tenant_id', l.tenant_id, 'lease_id', l.lease_id));
	END IF;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	INSERT INTO public.f_outcomes (op, state, message) VALUES (CASE WHEN r % 2 = 0 THEN 'renew' ELSE 'release' END, SQLSTATE, SQLERRM);
	RETURN SQLSTATE;
END
$$;

-- One step of a release's life: create (a draft with an artifact, as the
-- publisher; returns its number), submit, tamper (attach another artifact
-- after submission: must be refused), approve1, approve2 (publishes it).
CREATE FUNCTION public.f_release(step text, n bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	rel text := 'rel_l' || n;
BEGIN
	IF n < 0 THEN
		RETURN n;
	END IF;
	CASE step
	WHEN 'create' THEN
		n := nextval('public.f_release_no');
		rel := 'rel_l' || n;
		PERFORM set_config('role', 'f_publisher', true);
		PERFORM bigpicture.create_release('prod_f', '2.0.' || n, 'stable', release_id => rel);
		PERFORM bigpicture.attach_artifact(rel, bigpicture.create_artifact('prod_f',
			'https://dl.example.com/f-2.0.' || n || '.deb', encode(sha256(convert_to(rel, 'UTF8')), 'hex'), 1000 + n,
			'linux', 'x86_64', 'deb', artifact_id => 'art_l' || n));
	WHEN 'submit' THEN
		PERFORM set_config('role', 'f_publisher', true);
		PERFORM bigpicture.submit_release(rel);
	WHEN 'tamper' THEN
		PERFORM set_config('role', 'f_publisher', true);
		PERFORM bigpicture.attach_artifact(rel, bigpicture.create_artifact('prod_f',
			'https://evil.example.com/f-2.0.' || n || '.msi', repeat('ee', 32), 666, 'windows', 'x86_64', 'msi'));
	WHEN 'approve1' THEN
		PERFORM set_config('role', 'f_approver1', true);
		PERFORM bigpicture.approve_release(rel);
	WHEN 'approve2' THEN
		PERFORM set_config('role', 'f_approver2', true);
		PERFORM bigpicture.approve_release(rel);
	END CASE;
	PERFORM set_config('role', 'none', true);
	RETURN n;
EXCEPTION WHEN OTHERS THEN
	INSERT INTO public.f_outcomes (op, state, message) VALUES ('release ' || step, SQLSTATE, SQLERRM);
	RETURN -1;
END
$$;

-- Policy writes on both tenants' chains, and now and then a revocation.
CREATE FUNCTION public.f_policy(i integer) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text := CASE WHEN i % 2 = 0 THEN 'tenant_f1' ELSE 'tenant_f2' END;
	victim text;
BEGIN
	CASE i % 5
	WHEN 0, 1 THEN
		PERFORM bigpicture.set_policy('tenant', t, mode => (ARRAY['AUTO_INSTALL', 'NOTIFY_ONLY', 'MANAGED_BY_IT'])[1 + i % 3]);
	WHEN 2 THEN
		PERFORM bigpicture.set_policy('tenant_product', t, 'prod_f', blocked => ARRAY[('=2.0.' || (i % 40))::bigpicture.semver_range]);
	WHEN 3 THEN
		PERFORM bigpicture.clear_policy('tenant_product', t, 'prod_f');
	ELSE
		-- Locked and skipped when locked, so two clients never revoke the same one.
		SELECT r.release_id INTO victim FROM bigpicture.releases r
		 WHERE r.status = 'published' AND r.release_id LIKE 'rel\_l%' ORDER BY random() LIMIT 1
		   FOR UPDATE SKIP LOCKED;
		IF FOUND THEN
			PERFORM bigpicture.revoke_release(victim, 'fault test');
		END IF;
	END CASE;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	INSERT INTO public.f_outcomes (op, state, message) VALUES ('policy', SQLSTATE, SQLERRM);
	RETURN SQLSTATE;
END
$$;
