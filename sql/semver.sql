-- SemVer types: what users see.  Golden output in expected/semver.out.
SET search_path = bigpicture, public;

-- Canonical output of valid versions.
SELECT v::semver AS version, semver_major(v::semver) AS major, semver_minor(v::semver) AS minor,
       semver_patch(v::semver) AS patch, semver_prerelease(v::semver) AS prerelease,
       semver_build(v::semver) AS build
FROM (VALUES ('0.0.4'), ('10.20.30'), ('1.1.2-prerelease+meta'), ('1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay'),
             ('1.2.3----RC-SNAPSHOT.12.9.1--.12+788'), ('2147483647.0.1')) AS t(v);

-- Precedence.
SELECT v FROM unnest('{2.0.0,1.0.0-rc.1,1.0.0,1.0.0-beta.11,1.0.0-beta.2,1.0.0-beta,1.0.0-alpha.beta,1.0.0-alpha.1,1.0.0-alpha,1.10.0,1.9.0}'::semver[]) AS v
ORDER BY v;

-- Error texts for bad versions.
\set VERBOSITY default
SELECT ''::semver;
SELECT '1.2'::semver;
SELECT '01.2.3'::semver;
SELECT '1.2.3-01'::semver;
SELECT '1.2.2147483648'::semver;
SELECT '1.2.3-beta_1'::semver;
SELECT '1.2.3+build..1'::semver;
SELECT '1.2.3 '::semver;
SELECT 'v1.2.3'::semver;

-- Ranges: spelling kept, meaning shown.
SELECT r AS range, semver_range_canonical(r) AS canonical
FROM unnest('{">=1.2.0,<2.0.0",">= 1.2.0 <2",^0.2.3,^0.0.3,~1,1.2.x,"1.2 - 2",">1.2","<=1.2","1.x || 3.1.4-rc.1"}'::semver_range[]) AS r;

-- Error texts for bad ranges.
SELECT 'vv1.2.3'::semver_range;
SELECT '1.2.3 ||'::semver_range;
SELECT '>=1.2.3 - 2'::semver_range;
SELECT '1.2.3 -'::semver_range;
SELECT '!=1.2.3'::semver_range;
SELECT '^1.02'::semver_range;
