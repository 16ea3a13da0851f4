-- Catalog API (typed, for DBAs and CI) and the approval workflow.

-- ---- products and channels ---------------------------------------------------------

CREATE FUNCTION bigpicture._check_id(id text, prefix text, what text) RETURNS text
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT bigpicture.is_valid_id(id, prefix) THEN
		RAISE EXCEPTION 'invalid % id "%"', what, id USING ERRCODE = '22023',
			HINT = format('A %s id is %s_ followed by 1 to 64 letters, digits, _ or -; or pass NULL to generate one.', what, prefix);
	END IF;
	RETURN id;
END
$$;

CREATE FUNCTION bigpicture._product_or_error(p_product_id text) RETURNS bigpicture.products
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	p bigpicture.products;
BEGIN
	SELECT * INTO p FROM bigpicture.products WHERE product_id = p_product_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'product "%" does not exist', p_product_id USING ERRCODE = 'PT404';
	END IF;
	RETURN p;
END
$$;

CREATE FUNCTION bigpicture.create_product(name text, product_id text DEFAULT NULL,
	requires_entitlement boolean DEFAULT true) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id text := bigpicture._check_id(COALESCE(create_product.product_id, bigpicture.new_id('prod')), 'prod', 'product');
BEGIN
	IF name IS NULL OR name !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'product name must not be empty' USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.products (product_id, name, requires_entitlement, created_by)
	VALUES (id, name, COALESCE(create_product.requires_entitlement, true), bigpicture.current_actor());
	RETURN id;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'product "%" already exists', id USING ERRCODE = '23505';
END
$$;
COMMENT ON FUNCTION bigpicture.create_product(text, text, boolean) IS
	'create a product; returns its id (generated when not given)';

CREATE FUNCTION bigpicture.create_channel(product_id text, channel text, allows_prerelease boolean DEFAULT false)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM bigpicture._product_or_error(create_channel.product_id);
	IF channel IS NULL OR channel !~ '^[a-z0-9][a-z0-9_-]{0,31}$' THEN
		RAISE EXCEPTION 'invalid channel name "%"', channel USING ERRCODE = '22023',
			HINT = 'A channel name is 1 to 32 lower-case letters, digits, _ or -, such as stable or beta.';
	END IF;
	INSERT INTO bigpicture.channels (product_id, channel, allows_prerelease)
	VALUES (create_channel.product_id, create_channel.channel, COALESCE(create_channel.allows_prerelease, false));
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'channel "%" of product "%" already exists', channel, product_id USING ERRCODE = '23505';
END
$$;
COMMENT ON FUNCTION bigpicture.create_channel(text, text, boolean) IS
	'add a release channel to a product; allows_prerelease admits prerelease versions on it';

-- ---- artifacts ----------------------------------------------------------------------------

CREATE FUNCTION bigpicture.create_artifact(product_id text, url text, sha256 text, size bigint,
	platform text, arch text, installer_type text, requires_admin boolean DEFAULT false,
	install_scope text DEFAULT 'user', source_type text DEFAULT 'EXTERNAL', artifact_id text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id text := bigpicture._check_id(COALESCE(create_artifact.artifact_id, bigpicture.new_id('art')), 'art', 'artifact');
	hash text := lower(create_artifact.sha256);
BEGIN
	PERFORM bigpicture._product_or_error(create_artifact.product_id);
	IF url IS NULL OR url !~ '^https://[^\s/?#@]+([/?#][^\s]*)?$' THEN
		RAISE EXCEPTION 'artifact url must be an https URL' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(quote_literal(left(url, 200)), 'NULL')),
			HINT = 'Clients download only over https (no user name or password in the URL), and verify the SHA-256 besides.';
	END IF;
	IF hash IS NULL OR hash !~ '^[0-9a-f]{64}$' THEN
		RAISE EXCEPTION 'artifact sha256 must be 64 hexadecimal digits' USING ERRCODE = '22023',
			DETAIL = format('Got %s.', COALESCE(quote_literal(left(sha256, 100)), 'NULL'));
	END IF;
	IF size IS NULL OR size <= 0 THEN
		RAISE EXCEPTION 'artifact size must be a positive number of bytes' USING ERRCODE = '22023';
	END IF;
	IF platform IS NULL OR platform NOT IN ('windows', 'macos', 'linux') THEN
		RAISE EXCEPTION 'invalid platform "%"', platform USING ERRCODE = '22023', HINT = 'Use windows, macos or linux.';
	END IF;
	IF arch IS NULL OR arch NOT IN ('x86_64', 'x86', 'arm64') THEN
		RAISE EXCEPTION 'invalid arch "%"', arch USING ERRCODE = '22023', HINT = 'Use x86_64, x86 or arm64.';
	END IF;
	IF installer_type IS NULL OR installer_type NOT IN ('msi', 'msix', 'exe', 'dmg', 'pkg', 'deb', 'rpm', 'zip', 'tar.gz', 'appimage') THEN
		RAISE EXCEPTION 'invalid installer type "%"', installer_type USING ERRCODE = '22023',
			HINT = 'Use msi, msix, exe, dmg, pkg, deb, rpm, zip, tar.gz or appimage.';
	END IF;
	IF install_scope IS NULL OR install_scope NOT IN ('user', 'machine') THEN
		RAISE EXCEPTION 'invalid install scope "%"', install_scope USING ERRCODE = '22023', HINT = 'Use user or machine.';
	END IF;
	IF source_type IS NULL OR source_type NOT IN ('EXTERNAL', 'MANAGED') THEN
		RAISE EXCEPTION 'invalid source type "%"', source_type USING ERRCODE = '22023', HINT = 'Use EXTERNAL or MANAGED.';
	END IF;
	INSERT INTO bigpicture.artifacts (artifact_id, product_id, url, sha256, size, source_type, platform, arch,
		installer_type, requires_admin, install_scope, created_by)
	VALUES (id, create_artifact.product_id, url, hash, size, source_type, platform, arch, installer_type,
		COALESCE(requires_admin, false), install_scope, bigpicture.current_actor());
	RETURN id;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'artifact "%" already exists', id USING ERRCODE = '23505';
END
$$;
COMMENT ON FUNCTION bigpicture.create_artifact(text, text, text, bigint, text, text, text, boolean, text, text, text) IS
	'register an installable file of a product (https URL, SHA-256, size, platform, arch, installer type); returns its id';

-- ---- releases -------------------------------------------------------------------------------

-- The release, locked for the state change about to happen, or an error.
CREATE FUNCTION bigpicture._lock_release(p_release_id text) RETURNS bigpicture.releases
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases;
BEGIN
	SELECT * INTO r FROM bigpicture.releases WHERE release_id = p_release_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'release "%" does not exist', p_release_id USING ERRCODE = 'PT404';
	END IF;
	RETURN r;
END
$$;

CREATE FUNCTION bigpicture._expect_status(r bigpicture.releases, wanted text, action text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF r.status <> wanted THEN
		RAISE EXCEPTION 'release % is %, so it cannot be %', r.release_id, r.status, action USING ERRCODE = 'PT409',
			DETAIL = format('Only a %s release can be %s.', replace(wanted, '_', ' '), action);
	END IF;
END
$$;

CREATE FUNCTION bigpicture.create_release(product_id text, version text, channel text,
	notes text DEFAULT '', metadata jsonb DEFAULT '{}', critical boolean DEFAULT false,
	release_id text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id text := bigpicture._check_id(COALESCE(create_release.release_id, bigpicture.new_id('rel')), 'rel', 'release');
	v bigpicture.semver;
BEGIN
	PERFORM bigpicture._product_or_error(create_release.product_id);
	IF version IS NULL THEN
		RAISE EXCEPTION 'version must not be null' USING ERRCODE = '22004';
	END IF;
	v := version::bigpicture.semver;
	IF NOT EXISTS (SELECT 1 FROM bigpicture.channels c
				   WHERE c.product_id = create_release.product_id AND c.channel = create_release.channel) THEN
		RAISE EXCEPTION 'channel "%" of product "%" does not exist', channel, product_id USING ERRCODE = 'PT404',
			HINT = 'Create it with bigpicture.create_channel().';
	END IF;
	IF metadata IS NOT NULL AND jsonb_typeof(metadata) <> 'object' THEN
		RAISE EXCEPTION 'release metadata must be a JSON object' USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.releases (release_id, product_id, version, channel, notes, metadata, critical, created_by)
	VALUES (id, create_release.product_id, v, channel, COALESCE(notes, ''), COALESCE(metadata, '{}'),
		COALESCE(critical, false), bigpicture.current_actor());
	RETURN id;
EXCEPTION WHEN unique_violation THEN
	IF EXISTS (SELECT 1 FROM bigpicture.releases r WHERE r.release_id = id) THEN
		RAISE EXCEPTION 'release "%" already exists', id USING ERRCODE = '23505';
	END IF;
	RAISE EXCEPTION 'version % of product "%" already exists', v, product_id USING ERRCODE = '23505',
		DETAIL = 'Versions are unique per product by SemVer precedence; build metadata does not make a new version.';
END
$$;
COMMENT ON FUNCTION bigpicture.create_release(text, text, text, text, jsonb, boolean, text) IS
	'create a draft release of a product on a channel; returns its id';

CREATE FUNCTION bigpicture.attach_artifact(release_id text, artifact_id text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(attach_artifact.release_id);
	a bigpicture.artifacts;
BEGIN
	PERFORM bigpicture._expect_status(r, 'draft', 'changed');
	SELECT * INTO a FROM bigpicture.artifacts x WHERE x.artifact_id = attach_artifact.artifact_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'artifact "%" does not exist', artifact_id USING ERRCODE = 'PT404';
	END IF;
	IF a.product_id <> r.product_id THEN
		RAISE EXCEPTION 'artifact "%" belongs to product "%", not "%"', a.artifact_id, a.product_id, r.product_id
			USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.release_artifacts (release_id, artifact_id, platform, arch, installer_type)
	VALUES (r.release_id, a.artifact_id, a.platform, a.arch, a.installer_type);
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'release % already has an artifact for %/% (%)', r.release_id, a.platform, a.arch, a.installer_type
		USING ERRCODE = '23505', HINT = 'A release ships one artifact per platform, arch and installer type.';
END
$$;
COMMENT ON FUNCTION bigpicture.attach_artifact(text, text) IS
	'add an artifact to a draft release (one per platform, arch and installer type)';

CREATE FUNCTION bigpicture.detach_artifact(release_id text, artifact_id text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(detach_artifact.release_id);
BEGIN
	PERFORM bigpicture._expect_status(r, 'draft', 'changed');
	DELETE FROM bigpicture.release_artifacts ra
	 WHERE ra.release_id = r.release_id AND ra.artifact_id = detach_artifact.artifact_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'artifact "%" is not attached to release %', artifact_id, r.release_id USING ERRCODE = 'PT404';
	END IF;
END
$$;
COMMENT ON FUNCTION bigpicture.detach_artifact(text, text) IS 'remove an artifact from a draft release';

-- ---- approval workflows --------------------------------------------------------------------

CREATE TABLE bigpicture.approval_workflows (
	workflow_id            text PRIMARY KEY DEFAULT bigpicture.new_id('wf'),
	scope                  text NOT NULL CHECK (scope IN ('global', 'product', 'channel')),
	product_id             text REFERENCES bigpicture.products ON DELETE CASCADE,
	channel                text,
	required_approvals     integer NOT NULL DEFAULT 1 CHECK (required_approvals BETWEEN 0 AND 10),
	auto_approve_channels  text[] NOT NULL DEFAULT '{}',
	approval_expiry        interval NOT NULL DEFAULT '7 days' CHECK (approval_expiry > interval '0'),
	updated_at             timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CHECK (scope = 'global' AND product_id IS NULL AND channel IS NULL
		OR scope = 'product' AND product_id IS NOT NULL AND channel IS NULL
		OR scope = 'channel' AND product_id IS NOT NULL AND channel IS NOT NULL),
	FOREIGN KEY (product_id, channel) REFERENCES bigpicture.channels ON DELETE CASCADE,
	CONSTRAINT approval_workflows_target UNIQUE NULLS NOT DISTINCT (scope, product_id, channel)
);
COMMENT ON TABLE bigpicture.approval_workflows IS
	'who must approve a release before it publishes: per channel, else per product, else global; none means publish on submit';

CREATE TABLE bigpicture.release_approvals (
	release_id   text NOT NULL REFERENCES bigpicture.releases ON DELETE CASCADE,
	approver     text NOT NULL,
	approved_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
	comment      text,
	PRIMARY KEY (release_id, approver)
);
COMMENT ON TABLE bigpicture.release_approvals IS 'approvals of releases awaiting approval, one per approver';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.approval_workflows', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.release_approvals', '');
GRANT SELECT ON bigpicture.approval_workflows, bigpicture.release_approvals
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_auditor;

CREATE FUNCTION bigpicture.set_approval_workflow(scope text, product_id text DEFAULT NULL, channel text DEFAULT NULL,
	required_approvals integer DEFAULT 1, auto_approve_channels text[] DEFAULT '{}',
	approval_expiry interval DEFAULT '7 days') RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	id text;
BEGIN
	IF scope IS NULL OR scope NOT IN ('global', 'product', 'channel') THEN
		RAISE EXCEPTION 'invalid workflow scope "%"', scope USING ERRCODE = '22023', HINT = 'Use global, product or channel.';
	END IF;
	IF (scope = 'global') <> (product_id IS NULL) OR (scope = 'channel') <> (channel IS NOT NULL) THEN
		RAISE EXCEPTION 'a % workflow takes %', scope, CASE scope WHEN 'global' THEN 'no product and no channel'
			WHEN 'product' THEN 'a product and no channel' ELSE 'a product and a channel' END USING ERRCODE = '22023';
	END IF;
	IF product_id IS NOT NULL THEN
		PERFORM bigpicture._product_or_error(product_id);
	END IF;
	IF channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bigpicture.channels c
			WHERE c.product_id = set_approval_workflow.product_id AND c.channel = set_approval_workflow.channel) THEN
		RAISE EXCEPTION 'channel "%" of product "%" does not exist', channel, product_id USING ERRCODE = 'PT404';
	END IF;
	IF required_approvals IS NULL OR required_approvals NOT BETWEEN 0 AND 10 THEN
		RAISE EXCEPTION 'required_approvals must be 0 to 10' USING ERRCODE = '22023';
	END IF;
	IF approval_expiry IS NULL OR approval_expiry <= interval '0' THEN
		RAISE EXCEPTION 'approval_expiry must be a positive interval' USING ERRCODE = '22023';
	END IF;
	INSERT INTO bigpicture.approval_workflows AS w (scope, product_id, channel, required_approvals,
		auto_approve_channels, approval_expiry)
	VALUES (set_approval_workflow.scope, set_approval_workflow.product_id, set_approval_workflow.channel,
		set_approval_workflow.required_approvals, COALESCE(set_approval_workflow.auto_approve_channels, '{}'),
		set_approval_workflow.approval_expiry)
	ON CONFLICT ON CONSTRAINT approval_workflows_target DO UPDATE
		SET required_approvals = EXCLUDED.required_approvals, auto_approve_channels = EXCLUDED.auto_approve_channels,
			approval_expiry = EXCLUDED.approval_expiry, updated_at = EXCLUDED.updated_at
	RETURNING w.workflow_id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION bigpicture.set_approval_workflow(text, text, text, integer, text[], interval) IS
	'set the approvals a release needs at a scope (global, product, channel): count, channels that auto-approve, how long an approval counts';

CREATE FUNCTION bigpicture.clear_approval_workflow(scope text, product_id text DEFAULT NULL, channel text DEFAULT NULL)
	RETURNS boolean
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH gone AS (DELETE FROM bigpicture.approval_workflows w
		WHERE w.scope = clear_approval_workflow.scope
		  AND w.product_id IS NOT DISTINCT FROM clear_approval_workflow.product_id
		  AND w.channel IS NOT DISTINCT FROM clear_approval_workflow.channel RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM gone);
END;
COMMENT ON FUNCTION bigpicture.clear_approval_workflow(text, text, text) IS
	'remove the workflow at a scope; returns whether there was one';

-- The workflow that governs a release: channel, else product, else global.
CREATE FUNCTION bigpicture.approval_workflow_for(product_id text, channel text)
	RETURNS bigpicture.approval_workflows
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT w.* FROM bigpicture.approval_workflows w
	WHERE w.scope = 'global'
	   OR w.scope = 'product' AND w.product_id = approval_workflow_for.product_id
	   OR w.scope = 'channel' AND w.product_id = approval_workflow_for.product_id AND w.channel = approval_workflow_for.channel
	ORDER BY CASE w.scope WHEN 'channel' THEN 1 WHEN 'product' THEN 2 ELSE 3 END
	LIMIT 1;
END;
COMMENT ON FUNCTION bigpicture.approval_workflow_for(text, text) IS
	'the approval workflow that applies to a product''s channel (most specific scope), or NULL when none does';

-- ---- publication ---------------------------------------------------------------------------

-- The claims of the signed release metadata (a "release" token, signed by
-- the decision key; the envelope is stamped by bigpicture._sign).  They are
-- the same each time they are computed, so re-signing (refresh_signatures)
-- signs the same claims with a new envelope.
CREATE FUNCTION bigpicture.release_payload(r bigpicture.releases, published_at timestamptz) RETURNS jsonb
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT jsonb_build_object(
		'release_id', r.release_id,
		'product_id', r.product_id,
		'version', r.version::text,
		'channel', r.channel,
		'critical', r.critical,
		'published_at', bigpicture.rfc3339(release_payload.published_at),
		'artifacts', COALESCE((
			SELECT jsonb_agg(jsonb_build_object(
				'artifact_id', a.artifact_id, 'url', a.url, 'sha256', a.sha256, 'size', a.size,
				'platform', a.platform, 'arch', a.arch, 'installer_type', a.installer_type,
				'requires_admin', a.requires_admin, 'install_scope', a.install_scope)
				ORDER BY a.platform, a.arch, a.installer_type)
			FROM bigpicture.release_artifacts ra JOIN bigpicture.artifacts a USING (artifact_id)
			WHERE ra.release_id = r.release_id), '[]'::jsonb));
END;
COMMENT ON FUNCTION bigpicture.release_payload(bigpicture.releases, timestamptz) IS
	'the metadata a release is published with: product, version, channel, artifacts with hashes and sizes, time';

CREATE FUNCTION bigpicture._publish(p_release_id text) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases;
	token text;
BEGIN
	SELECT * INTO STRICT r FROM bigpicture.releases WHERE release_id = p_release_id;
	token := bigpicture._sign('release', NULL, bigpicture.release_payload(r, now()),
		now() + bigpicture._setting_interval('release_ttl', 30 * 86400));
	UPDATE bigpicture.releases x SET status = 'published', published_at = now(), release_token = token
	 WHERE x.release_id = p_release_id;
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._snapshots_after_release(p_release_id, r.product_id, 'published');
	END IF;
END
$$;

-- Approvals that still count: given within the workflow's expiry.
CREATE FUNCTION bigpicture._valid_approvals(p_release_id text, expiry interval) RETURNS integer
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT count(*)::integer FROM bigpicture.release_approvals a
	WHERE a.release_id = p_release_id AND a.approved_at > now() - expiry;
END;

CREATE FUNCTION bigpicture.submit_release(release_id text) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(submit_release.release_id);
	w bigpicture.approval_workflows;
BEGIN
	PERFORM bigpicture._expect_status(r, 'draft', 'submitted');
	IF NOT EXISTS (SELECT 1 FROM bigpicture.release_artifacts ra WHERE ra.release_id = r.release_id) THEN
		RAISE EXCEPTION 'release % has no artifacts', r.release_id USING ERRCODE = 'PT409',
			HINT = 'Attach at least one with bigpicture.attach_artifact() before submitting.';
	END IF;
	UPDATE bigpicture.releases x SET status = 'pending_approval', submitted_at = now(),
		submitted_by = bigpicture.current_actor()
	 WHERE x.release_id = r.release_id;
	w := bigpicture.approval_workflow_for(r.product_id, r.channel);
	IF w.workflow_id IS NULL OR w.required_approvals = 0 OR r.channel = ANY (w.auto_approve_channels) THEN
		PERFORM bigpicture._publish(r.release_id);
		RETURN 'published';
	END IF;
	RETURN 'pending_approval';
END
$$;
COMMENT ON FUNCTION bigpicture.submit_release(text) IS
	'submit a draft release: published at once when no workflow applies or its channel auto-approves, else awaiting approval; returns the new status';

CREATE FUNCTION bigpicture.approve_release(release_id text, comment text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(approve_release.release_id);
	w bigpicture.approval_workflows := bigpicture.approval_workflow_for(r.product_id, r.channel);
	actor text := bigpicture.current_actor();
BEGIN
	PERFORM bigpicture._expect_status(r, 'pending_approval', 'approved');
	IF actor = r.submitted_by THEN
		RAISE EXCEPTION 'the submitter of release % cannot approve it', r.release_id USING ERRCODE = '42501',
			DETAIL = format('%s submitted it.', actor), HINT = 'Another approver must approve it.';
	END IF;
	-- An expired approval by the same approver is replaced by the new one.
	INSERT INTO bigpicture.release_approvals AS a (release_id, approver, comment)
	VALUES (r.release_id, actor, approve_release.comment)
	ON CONFLICT ON CONSTRAINT release_approvals_pkey DO UPDATE
		SET approved_at = EXCLUDED.approved_at, comment = EXCLUDED.comment
		WHERE a.approved_at <= EXCLUDED.approved_at - COALESCE(w.approval_expiry, interval '7 days');
	IF NOT FOUND THEN
		RAISE EXCEPTION '% has already approved release %', actor, r.release_id USING ERRCODE = '23505',
			HINT = 'Approvals must come from distinct approvers.';
	END IF;
	IF w.workflow_id IS NULL OR bigpicture._valid_approvals(r.release_id, w.approval_expiry) >= w.required_approvals THEN
		PERFORM bigpicture._publish(r.release_id);
		RETURN 'published';
	END IF;
	RETURN 'pending_approval';
END
$$;
COMMENT ON FUNCTION bigpicture.approve_release(text, text) IS
	'approve a release awaiting approval (not the submitter; once per approver); publishes it when enough unexpired approvals are in; returns the new status';

CREATE FUNCTION bigpicture.reject_release(release_id text, reason text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(reject_release.release_id);
BEGIN
	PERFORM bigpicture._expect_status(r, 'pending_approval', 'rejected');
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'a rejection needs a reason' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.releases x SET status = 'rejected', rejected_at = now(),
		rejected_by = bigpicture.current_actor(), rejected_reason = reason
	 WHERE x.release_id = r.release_id;
END
$$;
COMMENT ON FUNCTION bigpicture.reject_release(text, text) IS
	'reject a release awaiting approval; final: its version cannot be reused';

CREATE FUNCTION bigpicture.revoke_release(release_id text, reason text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r bigpicture.releases := bigpicture._lock_release(revoke_release.release_id);
BEGIN
	PERFORM bigpicture._expect_status(r, 'published', 'revoked');
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'a revocation needs a reason' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.releases x SET status = 'revoked', revoked_at = now(),
		revoked_by = bigpicture.current_actor(), revoked_reason = reason
	 WHERE x.release_id = r.release_id;
	IF bigpicture._citus_distributed() THEN
		PERFORM bigpicture._snapshots_after_release(r.release_id, r.product_id, 'revoked');
	END IF;
END
$$;
COMMENT ON FUNCTION bigpicture.revoke_release(text, text) IS
	'withdraw a published release at once: decisions stop offering it and fall back to the previous eligible release';

-- ---- listings -----------------------------------------------------------------------------------

CREATE FUNCTION bigpicture.list_releases(product_id text, channel text DEFAULT NULL, status text DEFAULT NULL)
	RETURNS SETOF bigpicture.releases
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT r.* FROM bigpicture.releases r
	WHERE r.product_id = list_releases.product_id
	  AND (list_releases.channel IS NULL OR r.channel = list_releases.channel)
	  AND (list_releases.status IS NULL OR r.status = list_releases.status)
	ORDER BY r.version DESC, r.channel;
END;
COMMENT ON FUNCTION bigpicture.list_releases(text, text, text) IS
	'a product''s releases, newest version first, optionally of one channel and one status';

CREATE FUNCTION bigpicture.latest_release(product_id text, channel text) RETURNS bigpicture.releases
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT r.* FROM bigpicture.releases r
	WHERE r.product_id = latest_release.product_id AND r.channel = latest_release.channel
	  AND r.status = 'published'
	ORDER BY r.version DESC LIMIT 1;
END;
COMMENT ON FUNCTION bigpicture.latest_release(text, text) IS
	'the highest published (not revoked) release of a product''s channel, or NULL';

-- ---- grants ----------------------------------------------------------------------------------------

GRANT EXECUTE ON FUNCTION bigpicture.create_product(text, text, boolean),
	bigpicture.create_channel(text, text, boolean),
	bigpicture.set_approval_workflow(text, text, text, integer, text[], interval),
	bigpicture.clear_approval_workflow(text, text, text),
	bigpicture.revoke_release(text, text)
	TO bigpicture_admin;
GRANT EXECUTE ON FUNCTION
	bigpicture.create_artifact(text, text, text, bigint, text, text, text, boolean, text, text, text),
	bigpicture.create_release(text, text, text, text, jsonb, boolean, text),
	bigpicture.attach_artifact(text, text), bigpicture.detach_artifact(text, text),
	bigpicture.submit_release(text)
	TO bigpicture_admin, bigpicture_publisher;
GRANT EXECUTE ON FUNCTION bigpicture.approve_release(text, text), bigpicture.reject_release(text, text)
	TO bigpicture_admin, bigpicture_approver;
GRANT EXECUTE ON FUNCTION bigpicture.list_releases(text, text, text), bigpicture.latest_release(text, text),
	bigpicture.release_payload(bigpicture.releases, timestamptz)
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_auditor, bigpicture_mirror;
GRANT EXECUTE ON FUNCTION bigpicture.approval_workflow_for(text, text)
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_auditor;
