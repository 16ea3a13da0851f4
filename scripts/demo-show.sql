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

\echo 'The newest build, and the newest inside a pin:'
SELECT max(version) AS newest,
       max(version) FILTER (WHERE version <@ '<2.0.0'::semver_range) AS newest_before_2
FROM demo_builds;

\echo 'Signing keys (secrets sealed under the master key; only public halves are visible):'
SELECT kid, purpose, public_key, state FROM public_keys ORDER BY purpose;

\echo 'The key set, a PASETO v4.public token signed by the root key:'
SELECT keyset() AS token \gset
\echo :token
\echo
\echo 'Verified against the root key, its payload:'
SELECT jsonb_pretty(verify_token(:'token')) AS payload;
