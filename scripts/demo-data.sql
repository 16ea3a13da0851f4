-- Demo data for scripts/demo.  Later features add a catalog, tenants,
-- policies and licenses here; for now, the version types.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS bigpicture;
SET search_path = bigpicture, public;

CREATE TABLE public.demo_builds (
	product text NOT NULL,
	version bigpicture.semver NOT NULL,
	PRIMARY KEY (product, version)
);
INSERT INTO public.demo_builds VALUES
	('acme-editor', '1.9.0'), ('acme-editor', '1.10.0'), ('acme-editor', '1.10.1'),
	('acme-editor', '2.0.0-beta.1'), ('acme-editor', '2.0.0-beta.11'), ('acme-editor', '2.0.0-rc.1'),
	('acme-editor', '2.0.0'), ('acme-editor', '2.1.0+build.2024');

-- Signing keys: a root key (signs the key set) and a decision key.
SELECT bigpicture.activate_key(bigpicture.generate_key('root')) \gset
SELECT bigpicture.activate_key(bigpicture.generate_key('decision')) \gset
