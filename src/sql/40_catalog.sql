-- The vendor's catalog: products, channels, artifacts, releases
-- and the links between releases and artifacts.  Vendor-wide: no tenant_id.
-- Writes go through the API functions below; triggers keep published
-- releases immutable whoever writes.

CREATE TABLE bigpicture.products (
	product_id            text PRIMARY KEY CHECK (bigpicture.is_valid_id(product_id, 'prod')),
	name                  text NOT NULL CHECK (name OPERATOR(pg_catalog.~) '[^[:space:]]'),
	requires_entitlement  boolean NOT NULL DEFAULT true,
	created_at            timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by            text NOT NULL
);
COMMENT ON TABLE bigpicture.products IS
	'products the vendor ships; requires_entitlement false makes a product visible to every tenant';

CREATE TABLE bigpicture.channels (
	product_id         text NOT NULL REFERENCES bigpicture.products ON DELETE CASCADE,
	channel            text NOT NULL CHECK (channel OPERATOR(pg_catalog.~) '^[a-z0-9][a-z0-9_-]{0,31}$'),
	allows_prerelease  boolean NOT NULL DEFAULT false,
	created_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (product_id, channel)
);
COMMENT ON TABLE bigpicture.channels IS
	'release channels of a product (stable, beta, internal, …); allows_prerelease admits prerelease versions';

CREATE TABLE bigpicture.artifacts (
	artifact_id     text PRIMARY KEY CHECK (bigpicture.is_valid_id(artifact_id, 'art')),
	product_id      text NOT NULL REFERENCES bigpicture.products,
	url             text NOT NULL CHECK (url OPERATOR(pg_catalog.~) '^https://[^\s/?#@]+([/?#][^\s]*)?$'),
	sha256          text NOT NULL CHECK (sha256 OPERATOR(pg_catalog.~) '^[0-9a-f]{64}$'),
	size            bigint NOT NULL CHECK (size > 0),
	source_type     text NOT NULL DEFAULT 'EXTERNAL' CHECK (source_type IN ('EXTERNAL', 'MANAGED')),
	platform        text NOT NULL CHECK (platform IN ('windows', 'macos', 'linux')),
	arch            text NOT NULL CHECK (arch IN ('x86_64', 'x86', 'arm64')),
	installer_type  text NOT NULL CHECK (installer_type IN
	                ('msi', 'msix', 'exe', 'dmg', 'pkg', 'deb', 'rpm', 'zip', 'tar.gz', 'appimage')),
	requires_admin  boolean NOT NULL DEFAULT false,
	install_scope   text NOT NULL DEFAULT 'user' CHECK (install_scope IN ('user', 'machine')),
	created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by      text NOT NULL,
	UNIQUE (artifact_id, platform, arch, installer_type)
);
CREATE INDEX artifacts_product ON bigpicture.artifacts (product_id);
COMMENT ON TABLE bigpicture.artifacts IS
	'installable files: https URL, SHA-256, size, platform, arch, installer type, admin rights and scope';

CREATE TABLE bigpicture.releases (
	release_id      text PRIMARY KEY CHECK (bigpicture.is_valid_id(release_id, 'rel')),
	product_id      text NOT NULL,
	version         bigpicture.semver NOT NULL,
	channel         text NOT NULL,
	notes           text NOT NULL DEFAULT '',
	metadata        jsonb NOT NULL DEFAULT '{}' CHECK (pg_catalog.jsonb_typeof(metadata) = 'object'),
	critical        boolean NOT NULL DEFAULT false,
	status          text NOT NULL DEFAULT 'draft'
	                CHECK (status IN ('draft', 'pending_approval', 'published', 'rejected', 'revoked')),
	created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by      text NOT NULL,
	submitted_at    timestamptz,
	submitted_by    text,
	published_at    timestamptz,
	release_token   text,
	rejected_at     timestamptz,
	rejected_by     text,
	rejected_reason text,
	revoked_at      timestamptz,
	revoked_by      text,
	revoked_reason  text,
	FOREIGN KEY (product_id, channel) REFERENCES bigpicture.channels,
	-- Versions are unique per product by SemVer precedence: build metadata ignored.
	UNIQUE (product_id, version),
	CHECK (status NOT IN ('published', 'revoked') OR (published_at IS NOT NULL AND release_token IS NOT NULL)),
	CHECK (status <> 'revoked' OR (revoked_at IS NOT NULL AND revoked_reason IS NOT NULL)),
	CHECK (status <> 'rejected' OR rejected_at IS NOT NULL)
);
CREATE INDEX releases_channel ON bigpicture.releases (product_id, channel, version);
COMMENT ON TABLE bigpicture.releases IS
	'versions of a product on a channel: draft → pending_approval → published | rejected, published → revoked; published releases never change';

CREATE TABLE bigpicture.release_artifacts (
	release_id      text NOT NULL REFERENCES bigpicture.releases ON DELETE CASCADE,
	artifact_id     text NOT NULL,
	platform        text NOT NULL,
	arch            text NOT NULL,
	installer_type  text NOT NULL,
	PRIMARY KEY (release_id, artifact_id),
	-- One artifact per platform, arch and installer type in a release.
	UNIQUE (release_id, platform, arch, installer_type),
	FOREIGN KEY (artifact_id, platform, arch, installer_type)
		REFERENCES bigpicture.artifacts (artifact_id, platform, arch, installer_type)
);
CREATE INDEX release_artifacts_artifact ON bigpicture.release_artifacts (artifact_id);
COMMENT ON TABLE bigpicture.release_artifacts IS
	'which artifacts a release ships; frozen once the release leaves draft';

SELECT pg_catalog.pg_extension_config_dump('bigpicture.products', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.channels', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.artifacts', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.releases', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.release_artifacts', '');

-- ---- immutability ------------------------------------------------------------------
-- The state machine is enforced here, for every writer including superusers
-- and the admin role: only the extension's own functions (running as
-- bigpicture_owner) move a release between states, and once published a
-- release changes only to revoked, with reason, time and actor.

CREATE FUNCTION bigpicture.releases_guard() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	mutable text[];
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		RAISE EXCEPTION 'releases cannot be truncated' USING ERRCODE = 'PT409';
	END IF;
	IF TG_OP = 'DELETE' THEN
		IF OLD.status <> 'draft' THEN
			RAISE EXCEPTION 'release % is % and cannot be deleted', OLD.release_id, OLD.status
				USING ERRCODE = 'PT409', HINT = CASE WHEN OLD.status = 'published'
					THEN 'Revoke a published release instead.' ELSE 'Only a draft can be deleted.' END;
		END IF;
		RETURN OLD;
	END IF;
	IF TG_OP = 'INSERT' THEN
		IF NEW.status <> 'draft' THEN
			RAISE EXCEPTION 'a release is created as a draft' USING ERRCODE = 'PT409';
		END IF;
		RETURN NEW;
	END IF;
	-- UPDATE
	-- Re-signing (refresh_signatures, or a mirror importing the vendor's
	-- re-signed copy): the owner may replace the token of a published or
	-- revoked release by one of the same claims, and change nothing else.
	IF NEW.release_token IS DISTINCT FROM OLD.release_token AND OLD.status IN ('published', 'revoked')
	   AND (to_jsonb(NEW) - 'release_token') = (to_jsonb(OLD) - 'release_token') THEN
		IF current_user <> 'bigpicture_owner' THEN
			RAISE EXCEPTION 'release % is % and cannot change', OLD.release_id, OLD.status USING ERRCODE = 'PT409',
				HINT = 'Signed release metadata is re-signed by the extension itself (bigpicture.refresh_signatures).';
		END IF;
		IF NEW.release_token IS NULL
		   OR bigpicture._signed_claims(NEW.release_token) IS DISTINCT FROM bigpicture._signed_claims(OLD.release_token) THEN
			RAISE EXCEPTION 'the new token of release % does not carry the same claims', OLD.release_id
				USING ERRCODE = 'PT409', DETAIL = 'A re-signed token may differ from the old one in its envelope only.';
		END IF;
		RETURN NEW;
	END IF;
	IF NEW.status IS DISTINCT FROM OLD.status THEN
		IF current_user <> 'bigpicture_owner' THEN
			RAISE EXCEPTION 'release status changes only through the release functions' USING ERRCODE = '42501',
				HINT = 'Use submit_release, approve_release, reject_release or revoke_release.';
		END IF;
		IF NOT (OLD.status, NEW.status) IN (('draft', 'pending_approval'), ('pending_approval', 'published'),
				('pending_approval', 'rejected'), ('published', 'revoked')) THEN
			RAISE EXCEPTION 'release % cannot go from % to %', OLD.release_id, OLD.status, NEW.status
				USING ERRCODE = 'PT409';
		END IF;
	END IF;
	-- What each move lets change: a draft anything; leaving pending_approval
	-- only the outcome's columns; published → revoked only the revocation's.
	-- Staying published, rejected or revoked changes nothing.
	mutable := CASE
		WHEN OLD.status = 'draft' THEN NULL
		WHEN OLD.status = 'pending_approval' AND NEW.status = 'published' THEN '{status,published_at,release_token}'
		WHEN OLD.status = 'pending_approval' AND NEW.status = 'rejected' THEN '{status,rejected_at,rejected_by,rejected_reason}'
		WHEN OLD.status = 'published' AND NEW.status = 'revoked' THEN '{status,revoked_at,revoked_by,revoked_reason}'
		ELSE '{}' END;
	IF mutable IS NOT NULL AND (OLD.status IN ('published', 'rejected', 'revoked') AND NEW.status = OLD.status
		OR (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable)) THEN
		RAISE EXCEPTION 'release % is % and cannot change', OLD.release_id, OLD.status
			USING ERRCODE = 'PT409', HINT = CASE OLD.status
				WHEN 'published' THEN 'A published release can only be revoked, with bigpicture.revoke_release().'
				WHEN 'pending_approval' THEN 'Approve, or reject it and create a new release instead.'
				ELSE 'Rejected and revoked releases are final.' END;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER releases_guard BEFORE INSERT OR UPDATE OR DELETE ON bigpicture.releases
	FOR EACH ROW EXECUTE FUNCTION bigpicture.releases_guard();
CREATE TRIGGER releases_no_truncate BEFORE TRUNCATE ON bigpicture.releases
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.releases_guard();

-- Links change only while their release is a draft.
CREATE FUNCTION bigpicture.release_artifacts_guard() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	rel text := CASE WHEN TG_OP = 'INSERT' THEN NEW.release_id WHEN TG_OP = 'TRUNCATE' THEN NULL ELSE OLD.release_id END;
	st text;
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		RAISE EXCEPTION 'release artifacts cannot be truncated' USING ERRCODE = 'PT409';
	END IF;
	IF TG_OP = 'UPDATE' THEN
		RAISE EXCEPTION 'release artifact links cannot be changed' USING ERRCODE = 'PT409',
			HINT = 'Detach and attach instead, while the release is a draft.';
	END IF;
	SELECT status INTO st FROM bigpicture.releases WHERE release_id = rel;
	-- A cascading delete of a draft release finds it gone or deletable.
	IF st IS NOT NULL AND st <> 'draft' THEN
		RAISE EXCEPTION 'release % is % and its artifacts cannot change', rel, st USING ERRCODE = 'PT409';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER release_artifacts_guard BEFORE INSERT OR UPDATE OR DELETE ON bigpicture.release_artifacts
	FOR EACH ROW EXECUTE FUNCTION bigpicture.release_artifacts_guard();
CREATE TRIGGER release_artifacts_no_truncate BEFORE TRUNCATE ON bigpicture.release_artifacts
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.release_artifacts_guard();

-- An artifact that a release beyond draft ships is frozen too.
CREATE FUNCTION bigpicture.artifacts_guard() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		RAISE EXCEPTION 'artifacts cannot be truncated' USING ERRCODE = 'PT409';
	END IF;
	IF EXISTS (SELECT 1 FROM bigpicture.release_artifacts ra JOIN bigpicture.releases r USING (release_id)
			   WHERE ra.artifact_id = OLD.artifact_id AND r.status <> 'draft') THEN
		RAISE EXCEPTION 'artifact % belongs to a submitted or published release and cannot change', OLD.artifact_id
			USING ERRCODE = 'PT409';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER artifacts_guard BEFORE UPDATE OR DELETE ON bigpicture.artifacts
	FOR EACH ROW EXECUTE FUNCTION bigpicture.artifacts_guard();
CREATE TRIGGER artifacts_no_truncate BEFORE TRUNCATE ON bigpicture.artifacts
	FOR EACH STATEMENT EXECUTE FUNCTION bigpicture.artifacts_guard();

GRANT SELECT ON bigpicture.products, bigpicture.channels, bigpicture.artifacts, bigpicture.releases,
	bigpicture.release_artifacts
	TO bigpicture_admin, bigpicture_publisher, bigpicture_approver, bigpicture_auditor, bigpicture_mirror;
