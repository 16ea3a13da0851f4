-- Catalogue snapshot: owner, volatility, definer-ness, settings and grants
-- of every function, and owner and grants of every table, view and
-- sequence.  A change to any of them must change this file too: that is the
-- point (pgsodium's schema test is the model).
BEGIN;
SELECT plan(9);

-- Roles that hold a privilege (besides the owner), sorted; 'public' for PUBLIC;
-- with priv NULL, 'role:PRIVILEGE' pairs.
CREATE FUNCTION pg_temp.grantees(acl aclitem[], owner oid, kind "char", priv text) RETURNS text LANGUAGE sql AS $$
	SELECT COALESCE(string_agg(g, ',' ORDER BY g), '') FROM (
		SELECT CASE WHEN a.grantee = 0 THEN 'public' ELSE a.grantee::regrole::text END
			|| CASE WHEN priv IS NULL THEN ':' || a.privilege_type ELSE '' END AS g
		FROM aclexplode(COALESCE(acl, acldefault(kind, owner))) a
		WHERE a.grantee <> owner AND (priv IS NULL OR a.privilege_type = priv)) s
$$;

SELECT set_eq(
	$$SELECT p.oid::regprocedure::text, p.proowner::regrole::text, p.provolatile::text, p.prosecdef,
			 COALESCE(array_to_string(p.proconfig, ','), ''), pg_temp.grantees(p.proacl, p.proowner, 'f', 'EXECUTE')
	  FROM pg_proc p WHERE p.pronamespace = 'bigpicture'::regnamespace$$,
	$$VALUES
	('bigpicture._audit_append(text,text,text,text,jsonb,jsonb)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._audit_chain_for(text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._audit_context()', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._audit_event_type(text,text,jsonb,jsonb)', 'bigpicture_owner', 'i', false, '', ''),
	('bigpicture._bad_lease_request(text,text,jsonb)', 'bigpicture_owner', 'i', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._check_id(text,text,text)', 'bigpicture_owner', 'i', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._check_lease_request(jsonb,text[],text[])', 'bigpicture_owner', 'i', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._check_maintenance_window(jsonb)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._check_request(jsonb)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._evaluate(bigpicture.tenants,text,text,text,jsonb,text,bigpicture.semver,text,boolean)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._expect_status(bigpicture.releases,text,text)', 'bigpicture_owner', 'i', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._generate_snapshot(text,boolean,interval,text)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._jwt_claim(text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._lease_expiry(bigpicture.entitlements,numeric)', 'bigpicture_owner', 's', false, '', ''),
	('bigpicture._lease_response(bigpicture.leases,text)', 'bigpicture_owner', 's', false, '', ''),
	('bigpicture._lock_entitlement(text)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._lock_key(text)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._lock_lease(jsonb)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._lock_release(text)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._mirror_or_error(text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._policy_target(text,text,text,text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._product_or_error(text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._publish(text)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._refuse_entitlement(text,text)', 'bigpicture_owner', 'i', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._request_tenant(text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._resolve_tenant(text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._session_is_gateway()', 'bigpicture_owner', 's', false, '', ''),
	('bigpicture._sign_lease(bigpicture.leases,bigpicture.entitlements,interval)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._snapshot_content(text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp,TimeZone=UTC,DateStyle=ISO, YMD,IntervalStyle=postgres', ''),
	('bigpicture._tenant_or_error(text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._valid_approvals(text,interval)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._import_catalog(jsonb)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._import_entitlements(jsonb)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._import_policies(jsonb)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._import_releases(jsonb)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._import_rollouts(jsonb)', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._keyset_claims(text,boolean)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._keyset_expiry()', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._keyset_tokens(jsonb,timestamp with time zone)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture._public_key_bytes(text,text)', 'bigpicture_owner', 'i', false, '', ''),
	('bigpicture._sign(text,text,jsonb,timestamp with time zone,timestamp with time zone)', 'bigpicture_owner', 's', false, '', ''),
	('bigpicture._sign_with_key(text,text,jsonb,timestamp with time zone,timestamp with time zone)', 'bigpicture_owner', 's', false, '', ''),
	('bigpicture._token_payload(text,jsonb,timestamp with time zone,timestamp with time zone)', 'bigpicture_owner', 's', false, '', ''),
	('bigpicture._verify(text,text,timestamp with time zone,boolean)', 'bigpicture_owner', 's', false, '', ''),
	('bigpicture._verify_pinned(text,text,text,timestamp with time zone)', 'bigpicture_owner', 's', false, '', ''),
	('bigpicture._verify_snapshot(text,timestamp with time zone)', 'bigpicture_owner', 's', false, '', ''),
	('bigpicture.activate_key(text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.acts_for_all_tenants()', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_anon,bigpicture_approver,bigpicture_auditor,bigpicture_client,bigpicture_mirror,bigpicture_publisher,bigpicture_tenant_admin'),
	('bigpicture.approval_workflow_for(text,text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_approver,bigpicture_auditor,bigpicture_publisher'),
	('bigpicture.approve_release(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_approver'),
	('bigpicture.artifacts_guard()', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.attach_artifact(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_publisher'),
	('bigpicture.audit_append_only()', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.audit_checkpoint(text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.audit_hash(bytea,text,bigint,text,timestamp with time zone,text,text,text,text,text,text,text)', 'bigpicture_owner', 'i', false, '', ''),
	('bigpicture.audit_log(text,text,text,timestamp with time zone,timestamp with time zone)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.audit_row_change()', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp,TimeZone=UTC,DateStyle=ISO, YMD,IntervalStyle=postgres', ''),
	('bigpicture.bind_role(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.calling_role()', 'bigpicture_owner', 's', false, '', 'bigpicture_admin,bigpicture_anon,bigpicture_approver,bigpicture_auditor,bigpicture_client,bigpicture_mirror,bigpicture_publisher,bigpicture_tenant_admin'),
	('bigpicture.check_update(jsonb)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_client,bigpicture_tenant_admin'),
	('bigpicture.clear_approval_workflow(text,text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.clear_policy(text,text,text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_tenant_admin'),
	('bigpicture.clear_rollout(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_publisher'),
	('bigpicture.create_artifact(text,text,text,bigint,text,text,text,boolean,text,text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_publisher'),
	('bigpicture.create_channel(text,text,boolean)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.create_entitlement(text,text,text,integer,text[],timestamp with time zone,timestamp with time zone,boolean,integer,interval,interval,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.create_product(text,text,boolean)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.create_release(text,text,text,text,jsonb,boolean,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_publisher'),
	('bigpicture.create_tenant(text,text,integer,integer,interval)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.current_actor()', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_anon,bigpicture_approver,bigpicture_auditor,bigpicture_client,bigpicture_mirror,bigpicture_publisher,bigpicture_tenant_admin'),
	('bigpicture.current_tenant()', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_anon,bigpicture_approver,bigpicture_auditor,bigpicture_client,bigpicture_mirror,bigpicture_publisher,bigpicture_tenant_admin'),
	('bigpicture.decision_log_append_only()', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.detach_artifact(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_publisher'),
	('bigpicture.effective_policy(text,text,text,text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.entitlement_state(bigpicture.entitlements,timestamp with time zone)', 'bigpicture_owner', 's', false, '', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.explain_decision(jsonb)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_tenant_admin'),
	('bigpicture.export_audit_chain(text)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.generate_key(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.generate_snapshot(text,boolean,interval)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.get_policy(text,text,text,text)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.import_snapshot(text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp,TimeZone=UTC,DateStyle=ISO, YMD,IntervalStyle=postgres', 'bigpicture_admin'),
	('bigpicture.in_maintenance_window(jsonb,timestamp with time zone)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.install_key_certificate(text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.is_valid_id(text,text)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.issue_key_certificate(text,text,text[],timestamp with time zone,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.issue_lease(jsonb)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_client,bigpicture_mirror,bigpicture_tenant_admin'),
	('bigpicture.key_certificates_guard()', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.key_purpose_of(text)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.keyset()', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_anon,bigpicture_approver,bigpicture_auditor,bigpicture_client,bigpicture_mirror,bigpicture_publisher,bigpicture_tenant_admin'),
	('bigpicture.keyset_payload()', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_anon,bigpicture_approver,bigpicture_auditor,bigpicture_client,bigpicture_mirror,bigpicture_publisher,bigpicture_tenant_admin'),
	('bigpicture.keyset_tokens()', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_anon,bigpicture_approver,bigpicture_auditor,bigpicture_client,bigpicture_mirror,bigpicture_publisher,bigpicture_tenant_admin'),
	('bigpicture.latest_release(text,text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_approver,bigpicture_auditor,bigpicture_mirror,bigpicture_publisher'),
	('bigpicture.latest_snapshot(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_mirror,bigpicture_tenant_admin'),
	('bigpicture.lease_state(bigpicture.leases,timestamp with time zone)', 'bigpicture_owner', 's', false, '', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.license_status(jsonb)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_client,bigpicture_mirror,bigpicture_tenant_admin'),
	('bigpicture.license_usage_report(text,timestamp with time zone,timestamp with time zone)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.list_entitlements(text,text,integer,text)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.list_releases(text,text,text)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_approver,bigpicture_auditor,bigpicture_mirror,bigpicture_publisher'),
	('bigpicture.list_snapshots(text)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_mirror,bigpicture_tenant_admin'),
	('bigpicture.max(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.min(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.new_id(text)', 'bigpicture_owner', 'v', false, '', 'public'),
	('bigpicture.paserk_pid(bytea)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.paserk_public(bytea)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.paseto_footer(text)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.paseto_verify(text,text)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.pin_root_key(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.policies_validate()', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.random_bytes(integer)', 'bigpicture_owner', 'v', false, '', ''),
	('bigpicture.register_mirror(text,text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_tenant_admin'),
	('bigpicture.reject_release(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_approver'),
	('bigpicture.release_artifacts_guard()', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.release_lease(jsonb)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_client,bigpicture_mirror,bigpicture_tenant_admin'),
	('bigpicture.release_payload(bigpicture.releases,timestamp with time zone)', 'bigpicture_owner', 's', false, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_approver,bigpicture_auditor,bigpicture_mirror,bigpicture_publisher'),
	('bigpicture.releases_guard()', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.renew_due_entitlements()', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.renew_lease(jsonb)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_client,bigpicture_mirror,bigpicture_tenant_admin'),
	('bigpicture.retire_expired_keys()', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.retire_key(text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.revoke_key(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.revoke_key_certificate(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.revoke_lease(text,text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_tenant_admin'),
	('bigpicture.revoke_release(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.rfc3339(timestamp with time zone)', 'bigpicture_owner', 's', false, '', 'public'),
	('bigpicture.rollout_bucket(bytea,text)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.rollouts_guard()', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.semver_build(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_cmp(bigpicture.semver,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_contained_by(bigpicture.semver,bigpicture.semver_range)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_eq(bigpicture.semver,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_ge(bigpicture.semver,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_gt(bigpicture.semver,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_hash(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_hash_extended(bigpicture.semver,bigint)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_in(cstring)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_is_prerelease(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_larger(bigpicture.semver,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_le(bigpicture.semver,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_lt(bigpicture.semver,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_major(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_minor(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_ne(bigpicture.semver,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_out(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_patch(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_prerelease(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_canonical(bigpicture.semver_range)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_contains(bigpicture.semver_range,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_covers(bigpicture.semver_range,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_eq(bigpicture.semver_range,bigpicture.semver_range)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_in(cstring)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_is_empty(bigpicture.semver_range)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_ne(bigpicture.semver_range,bigpicture.semver_range)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_out(bigpicture.semver_range)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_recv(internal)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_range_send(bigpicture.semver_range)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_recv(internal)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_send(bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.semver_smaller(bigpicture.semver,bigpicture.semver)', 'bigpicture_owner', 'i', false, '', 'public'),
	('bigpicture.set_approval_workflow(text,text,text,integer,text[],interval)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.set_entitlement_status(text,text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.set_mirror_status(text,text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.set_policy(text,text,text,text,text,text,bigpicture.semver_range,bigpicture.semver_range[],jsonb,boolean,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_tenant_admin'),
	('bigpicture.set_rollout(text,integer,text,boolean)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_publisher'),
	('bigpicture.set_tenant_status(text,text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.signing_keys_changed()', 'bigpicture_owner', 'v', false, '', ''),
	('bigpicture.signing_keys_guard()', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.snapshots_append_only()', 'bigpicture_owner', 'v', false, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.snapshots_on_release()', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', ''),
	('bigpicture.submit_release(text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_publisher'),
	('bigpicture.tenant_update_decisions(text)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_tenant_admin'),
	('bigpicture.unbind_role(text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.unpin_root_key(text)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.update_entitlement(text,timestamp with time zone,integer,text[],boolean,boolean)', 'bigpicture_owner', 'v', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin'),
	('bigpicture.verify_audit_chain(text)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_auditor,bigpicture_tenant_admin'),
	('bigpicture.verify_token(text)', 'bigpicture_owner', 's', true, 'search_path=pg_catalog, pg_temp', 'bigpicture_admin,bigpicture_approver,bigpicture_auditor,bigpicture_client,bigpicture_mirror,bigpicture_publisher,bigpicture_tenant_admin')
	$$,
	'functions: owner, volatility, SECURITY DEFINER, settings and EXECUTE grants are as pinned');

SELECT set_eq(
	$$SELECT c.oid::regclass::text, c.relkind::text, c.relowner::regrole::text,
			 pg_temp.grantees(c.relacl, c.relowner, (CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char", NULL)
	  FROM pg_class c WHERE c.relnamespace = 'bigpicture'::regnamespace AND c.relkind IN ('r', 'v', 'S', 'm', 'p')$$,
	$$VALUES
	('bigpicture._all_public_keys', 'v', 'bigpicture_owner', ''),
	('bigpicture.approval_workflows', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_publisher:SELECT'),
	('bigpicture.artifacts', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_publisher:SELECT'),
	('bigpicture.audit_checkpoints', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.audit_events', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.audit_heads', 'r', 'bigpicture_owner', ''),
	('bigpicture.channels', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_publisher:SELECT'),
	('bigpicture.decision_log', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.entitlement_usage', 'v', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.entitlements', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.imported_snapshots', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.installs', 'r', 'bigpicture_owner', 'bigpicture_admin:DELETE,bigpicture_admin:INSERT,bigpicture_admin:SELECT,bigpicture_admin:UPDATE,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.key_certificates', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.lease_chains', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.leases', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.mirrors', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.product_usage', 'v', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.products', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_publisher:SELECT'),
	('bigpicture.public_keys', 'v', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_client:SELECT,bigpicture_mirror:SELECT,bigpicture_publisher:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.release_approvals', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_publisher:SELECT'),
	('bigpicture.release_artifacts', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_publisher:SELECT'),
	('bigpicture.releases', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_publisher:SELECT'),
	('bigpicture.rollouts', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_publisher:SELECT'),
	('bigpicture.signing_key_changes', 'S', 'bigpicture_owner', ''),
	('bigpicture.signing_keys', 'r', 'bigpicture_owner', ''),
	('bigpicture.snapshots', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.tenant_policies', 'r', 'bigpicture_owner', 'bigpicture_admin:DELETE,bigpicture_admin:INSERT,bigpicture_admin:SELECT,bigpicture_admin:UPDATE,bigpicture_auditor:SELECT,bigpicture_tenant_admin:DELETE,bigpicture_tenant_admin:INSERT,bigpicture_tenant_admin:SELECT,bigpicture_tenant_admin:UPDATE'),
	('bigpicture.tenant_roles', 'r', 'bigpicture_owner', 'bigpicture_admin:DELETE,bigpicture_admin:INSERT,bigpicture_admin:SELECT,bigpicture_admin:UPDATE,bigpicture_auditor:SELECT'),
	('bigpicture.tenant_usage', 'v', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.tenants', 'r', 'bigpicture_owner', 'bigpicture_admin:DELETE,bigpicture_admin:INSERT,bigpicture_admin:SELECT,bigpicture_admin:UPDATE,bigpicture_auditor:SELECT,bigpicture_client:SELECT,bigpicture_mirror:SELECT,bigpicture_tenant_admin:SELECT'),
	('bigpicture.trusted_root_keys', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT'),
	('bigpicture.vendor_policies', 'r', 'bigpicture_owner', 'bigpicture_admin:SELECT,bigpicture_approver:SELECT,bigpicture_auditor:SELECT,bigpicture_mirror:SELECT,bigpicture_publisher:SELECT,bigpicture_tenant_admin:SELECT')
	$$,
	'tables, views and sequences: owner and grants are as pinned');

-- Rules that hold for every object, whatever the snapshot says.
SELECT is(
	(SELECT array_agg(p.oid::regprocedure::text) FROM pg_proc p
	 WHERE p.pronamespace = 'bigpicture'::regnamespace AND p.prosecdef
	   AND NOT ('search_path=pg_catalog, pg_temp' = ANY (COALESCE(p.proconfig, '{}')))),
	NULL, 'every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp');
SELECT is(
	(SELECT array_agg(p.oid::regprocedure::text) FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
	 WHERE p.pronamespace = 'bigpicture'::regnamespace AND (r.rolcanlogin OR r.rolsuper)),
	NULL, 'no function is owned by a role that can log in or is a superuser');
SELECT is(
	(SELECT array_agg(p.oid::regprocedure::text) FROM pg_proc p
	 WHERE p.pronamespace = 'bigpicture'::regnamespace AND p.proname LIKE '\_%'
	   AND pg_temp.grantees(p.proacl, p.proowner, 'f', 'EXECUTE') <> ''),
	NULL, 'internal functions (leading underscore) are granted to no one');
SELECT ok(NOT has_schema_privilege('public', 'bigpicture', 'USAGE') AND NOT has_schema_privilege('public', 'bigpicture', 'CREATE'),
	'PUBLIC has no privilege on the schema');
SELECT is(
	(SELECT array_agg(d.description) FROM (SELECT p.oid::regprocedure::text AS description FROM pg_proc p
	  WHERE p.pronamespace = 'bigpicture'::regnamespace AND p.proname NOT LIKE '\_%'
		AND p.proname NOT LIKE 'semver\_%' AND p.prorettype <> 'trigger'::regtype
		AND obj_description(p.oid, 'pg_proc') IS NULL) d),
	NULL, 'every user-facing function has a COMMENT');

-- pgTAP's own view of the key-administration functions.
SELECT is_definer('bigpicture', 'generate_key', ARRAY['text', 'text'], 'generate_key is SECURITY DEFINER');
SELECT function_privs_are('bigpicture', 'generate_key', ARRAY['text', 'text'], 'bigpicture_client', '{}',
	'clients cannot generate keys');

SELECT * FROM finish();
ROLLBACK;
