-- SemVer types: parsing, precedence, operators, indexes, ranges, bad input.
BEGIN;
SELECT plan(37);
SET search_path = bigpicture, public;


-- ---- catalogue: the types and their operator classes ------------------------
SELECT has_type('bigpicture', 'semver', 'type semver exists');
SELECT has_type('bigpicture', 'semver_range', 'type semver_range exists');
SELECT has_opclass('bigpicture', 'semver_ops', 'btree operator class for semver');
SELECT has_opclass('bigpicture', 'semver_hash_ops', 'hash operator class for semver');
SELECT is(
	(SELECT array_agg(p.oid::regprocedure::text) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	 WHERE n.nspname = 'bigpicture' AND p.proname LIKE 'semver%'
	   AND (p.provolatile <> 'i' OR NOT p.proisstrict OR p.proparallel <> 's')),
	NULL, 'every semver function is IMMUTABLE STRICT PARALLEL SAFE');

-- ---- valid versions round-trip unchanged ------------------------------------
SELECT is(
	(SELECT array_agg(v) FROM (VALUES
		('0.0.4'), ('1.2.3'), ('10.20.30'), ('1.1.2-prerelease+meta'), ('1.1.2+meta'),
		('1.1.2+meta-valid'), ('1.0.0-alpha'), ('1.0.0-alpha.beta.1'), ('1.0.0-alpha0.valid'),
		('1.0.0-alpha.0valid'), ('1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay'),
		('1.0.0-rc.1+build.1'), ('10.2.3-DEV-SNAPSHOT'), ('1.2.3----RC-SNAPSHOT.12.9.1--.12+788'),
		('1.0.0+0.build.1-rc.10000aaa-kk-0.1'), ('1.0.0-0A.is.legal'),
		('2147483647.2147483647.2147483647')) AS t(v)
	 WHERE v::semver::text <> v),
	NULL, 'valid versions from the semver.org corpus round-trip unchanged');

-- ---- invalid versions fail with 22P02 ---------------------------------------
SELECT is(
	(SELECT array_agg(v) FROM (VALUES
		('1'), ('1.2'), ('1.2.3-0123'), ('1.2.3-0123.0123'), ('1.1.2+.123'), ('+invalid'),
		('-invalid'), ('alpha'), ('1.0.0-alpha_beta'), ('1.0.0-alpha..1'), ('01.1.1'),
		('1.01.1'), ('1.1.01'), ('1.2.3.DEV'), ('1.2-SNAPSHOT'), ('-1.0.3-gamma+b7718'),
		('9.8.7+meta+meta'), ('9.8.7-whatever+meta+meta'), ('2147483648.0.0'),
		('99999999999999999999999.999999999999999999.99999999999999999'),
		('v1.2.3'), (' 1.2.3'), ('1.2.3 '), (''), ('1.2.3-'), ('1.2.3+')) AS t(v)
	 WHERE sqlstate_of(format('SELECT %L::bigpicture.semver', v)) IS DISTINCT FROM '22P02'),
	NULL, 'invalid versions from the semver.org corpus fail with 22P02');

SELECT throws_ok($$SELECT '01.2.3'::bigpicture.semver$$, '22P02',
	'invalid input syntax for type semver: "01.2.3"', 'the error names the type and the input');
SELECT throws_ok($$SELECT '1.2.2147483648'::bigpicture.semver$$, '22P02',
	'invalid input syntax for type semver: "1.2.2147483648"', 'components beyond 2^31-1 are refused');

-- ---- precedence ---------------------------------------------------------------
SELECT is(
	(SELECT array_agg(v::text ORDER BY v::semver) FROM unnest(ARRAY[
		'1.0.0', '1.0.0-rc.1', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-beta', '1.0.0-alpha.beta',
		'1.0.0-alpha.1', '1.0.0-alpha']) AS v),
	ARRAY['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2',
		  '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'],
	'ORDER BY follows the semver.org precedence example chain');

SELECT is(
	(SELECT array_agg(format('%s %s %s', a, op, b)) FROM (VALUES
		('1.9.0', '<', '1.10.0'), ('1.10.0', '>', '1.9.0'), ('1.0.0', '<', '2.0.0'),
		('2.0.0', '<', '2.1.0'), ('2.1.0', '<', '2.1.1'), ('1.0.0-alpha', '<', '1.0.0'),
		('1.0.0+a', '=', '1.0.0+b'), ('1.0.0+build', '=', '1.0.0'), ('1.0.0-1', '<', '1.0.0-a'),
		('1.0.0-a.b', '>', '1.0.0-a'), ('1.0.0-2', '<', '1.0.0-10'), ('1.0.0', '<=', '1.0.0'),
		('1.0.0', '>=', '1.0.0+x'), ('1.0.0', '<>', '1.0.1')) AS t(a, op, b)
	 WHERE NOT CASE op
		WHEN '<' THEN a::semver < b::semver WHEN '>' THEN a::semver > b::semver
		WHEN '=' THEN a::semver = b::semver WHEN '<=' THEN a::semver <= b::semver
		WHEN '>=' THEN a::semver >= b::semver WHEN '<>' THEN a::semver <> b::semver END),
	NULL, 'comparison operators follow SemVer precedence, ignoring build metadata');

SELECT is(semver_cmp('1.0.0', '1.0.1'), -1, 'semver_cmp less');
SELECT is(semver_cmp('1.0.1+b', '1.0.1+a'), 0, 'semver_cmp equal ignores build');
SELECT is(semver_cmp('1.0.1', '1.0.1-rc.1'), 1, 'semver_cmp greater');

-- ---- parts ----------------------------------------------------------------
SELECT is(
	ROW(semver_major(v), semver_minor(v), semver_patch(v), semver_prerelease(v), semver_build(v),
		semver_is_prerelease(v))::text,
	'(1,22,333,rc.1.x-y,build.7,t)', 'part functions split a full version')
FROM (SELECT '1.22.333-rc.1.x-y+build.7'::semver AS v) s;
SELECT is(
	ROW(semver_prerelease(v), semver_build(v), semver_is_prerelease(v))::text, '(,,f)',
	'missing prerelease and build are NULL') FROM (SELECT '4.5.6'::semver AS v) s;

-- ---- aggregates, indexes -----------------------------------------------------------
CREATE TEMP TABLE builds (product text, version semver, PRIMARY KEY (product, version));
INSERT INTO builds VALUES ('a', '1.9.0'), ('a', '1.10.0'), ('a', '2.0.0-rc.1'), ('a', '2.0.0+7'),
	('b', '0.1.0');
SELECT is((SELECT max(version)::text FROM builds WHERE product = 'a'), '2.0.0+7', 'max() uses precedence');
SELECT is((SELECT min(version)::text FROM builds WHERE product = 'a'), '1.9.0', 'min() uses precedence');
SELECT throws_ok($$INSERT INTO builds VALUES ('a', '2.0.0+8')$$, '23505', NULL,
	'a unique index treats versions differing only in build metadata as equal');
SELECT lives_ok($$INSERT INTO builds VALUES ('a', '2.0.0-rc.2')$$, 'a different prerelease is a new version');

SET LOCAL enable_seqscan = off;
CREATE INDEX builds_version_hash ON builds USING hash (version);
SELECT is((SELECT count(*)::int FROM builds WHERE version = '2.0.0+anything'), 1,
	'hash index lookup ignores build metadata');
RESET enable_seqscan;

-- ---- binary send/receive round trip ------------------------------------------
CREATE TEMP TABLE bin_src (v semver, r semver_range);
INSERT INTO bin_src VALUES ('1.2.3-rc.1+b.5', '>=1.2.0, <2.0.0 || ^3.1');
COPY bin_src TO '/tmp/bigpicture_semver_test.bin' (FORMAT binary);
CREATE TEMP TABLE bin_dst (LIKE bin_src);
COPY bin_dst FROM '/tmp/bigpicture_semver_test.bin' (FORMAT binary);
SELECT is((SELECT (v::text, r::text)::text FROM bin_dst), (SELECT (v::text, r::text)::text FROM bin_src),
	'binary COPY round-trips semver and semver_range');

-- ---- ranges ------------------------------------------------------------------------
SELECT is(
	(SELECT array_agg(format('%s in %s should be %s', v, r, want)) FROM (VALUES
		('1.2.3', '>=1.2.0,<2.0.0', true), ('2.0.0', '>=1.2.0,<2.0.0', false),
		('1.2.3', '>=1.2.0, <2.0.0', true), ('1.1.9', '>=1.2.0 <2.0.0', false),
		('1.9.9', '^1.2.3', true), ('2.0.0', '^1.2.3', false), ('0.2.9', '^0.2.3', true),
		('0.3.0', '^0.2.3', false), ('1.2.9', '~1.2.3', true), ('1.3.0', '~1.2.3', false),
		('1.5.0', '1.x', true), ('2.0.0', '1.x', false), ('1.2.7', '1.2.*', true),
		('2.3.4', '1.2.3 - 2.3.4', true), ('2.3.5', '1.2.3 - 2.3.4', false),
		('2.3.9', '1.2.3 - 2.3', true), ('2.4.0', '1.2.3 - 2.3', false),
		('0.9.0', '<1.0.0 || >=3.0.0', true), ('3.1.0', '<1.0.0 || >=3.0.0', true),
		('2.0.0', '<1.0.0 || >=3.0.0', false), ('5.0.0', '*', true),
		('1.0.0-rc.1', '*', false), ('1.2.3-beta.3', '^1.2.3-beta.2', true),
		('3.4.5-alpha.9', '^1.2.3-beta.2', false), ('1.2.4-beta', '>1.2.3-alpha', false),
		('1.2.3-beta', '>1.2.3-alpha', true), ('1.2.3+build', '=1.2.3', true),
		('1.2.3', '1.2.3', true), ('1.2.4', '1.2.3', false)) AS t(v, r, want)
	 WHERE (v::semver <@ r::semver_range) IS DISTINCT FROM want
	    OR (r::semver_range @> v::semver) IS DISTINCT FROM want),
	NULL, 'range membership follows node-semver, including its prerelease rule');

SELECT is(
	(SELECT array_agg(format('%s -> %s', r, semver_range_canonical(r::semver_range))) FROM (VALUES
		('^1.2.3', '>=1.2.3 <2.0.0-0'), ('~1.2', '>=1.2.0 <1.3.0-0'), ('1.x', '>=1.0.0 <2.0.0-0'),
		('>=1.2.0,<2.0.0', '>=1.2.0 <2.0.0'), ('1.2.3 - 2.3', '>=1.2.3 <2.4.0-0'), ('*', '*'),
		('^0.0.3 || ~1', '>=0.0.3 <0.0.4-0 || >=1.0.0 <2.0.0-0')) AS t(r, want)
	 WHERE semver_range_canonical(r::semver_range) <> want),
	NULL, 'ranges desugar to node-semver comparator sets');

-- As in node-semver: a "v" before a version in a range, and "" for "*".
SELECT is(
	(SELECT array_agg(format('%s in %s should be %s', v, r, want)) FROM (VALUES
		('1.2.9', '~v1.2.3', true), ('1.3.0', '~v1.2.3', false), ('1.9.9', '>=v1.0.0 <v2', true),
		('2.0.0', '>=v1.0.0 <v2', false), ('1.9.0', '^v1.2', true), ('1.1.0', '^v1.2', false),
		('1.2.3', '=v1.2.3', true), ('1.2.3+b', 'v1.2.3', true), ('2.9.9', 'v1.2.3 - v2', true),
		('3.0.0', 'v1.2.3 - v2', false), ('1.2.3-beta', '<=v1.2.3-rc.1', true),
		('5.0.0', '', true), ('5.0.0-rc.1', '', false), ('0.0.0', '   ', true)) AS t(v, r, want)
	 WHERE (v::semver <@ r::semver_range) IS DISTINCT FROM want),
	NULL, 'a v before a version and the blank range follow node-semver');
SELECT is(
	(SELECT array_agg(format('%s -> %s', r, semver_range_canonical(r::semver_range))) FROM (VALUES
		('~v1.2.3', '>=1.2.3 <1.3.0-0'), ('>=v1.0.0 <v2', '>=1.0.0 <2.0.0-0'), ('^v1.2', '>=1.2.0 <2.0.0-0'),
		('= v1.2.3', '1.2.3'), ('v1 - v2.3', '>=1.0.0 <2.4.0-0'), ('', '*'), ('  ', '*')) AS t(r, want)
	 WHERE semver_range_canonical(r::semver_range) <> want),
	NULL, 'a v before a version desugars away; blank is *');
SELECT ok(''::semver_range = '*'::semver_range AND '^v1.2'::semver_range = '^1.2'::semver_range,
	'the blank range equals *, and ^v1.2 equals ^1.2');
SELECT ok('^1.2.3'::semver_range = '>=1.2.3 <2.0.0-0'::semver_range, 'ranges with the same comparators are equal');
SELECT ok('^1.2.3'::semver_range <> '~1.2.3'::semver_range, 'different ranges are not equal');
SELECT is('  >=1.2.0,<2.0.0  '::semver_range::text, '>=1.2.0,<2.0.0', 'a range keeps its spelling, trimmed');

SELECT is(
	(SELECT array_agg(r) FROM (VALUES
		('=>1.2.3'), ('!=1.0.0'), ('1.2.3 ||'), ('|| 1.2.3'), ('>=01.2.3'),
		('1.2.3 -'), ('- 1.2.3'), ('>=1.2.3-'), ('^1.2.3.4'), ('a.b.c'),
		('vv1.2.3'), ('V1.2.3'), ('v 1.2.3'), ('v'), ('^=1.2.3'), ('>==1.2')) AS t(r)
	 WHERE sqlstate_of(format('SELECT %L::bigpicture.semver_range', r)) IS DISTINCT FROM '22P02'),
	NULL, 'malformed ranges fail with 22P02');
SELECT throws_ok($$SELECT 'vv1.2.3'::bigpicture.semver_range$$, '22P02',
	'invalid input syntax for type semver_range: "vv1.2.3"', 'one v before a version, not two');
SELECT throws_ok($$SELECT '>=1.2.0,=>2.0.0'::bigpicture.semver_range$$, '22P02',
	'invalid input syntax for type semver_range: ">=1.2.0,=>2.0.0"', 'the range error names the input');

-- ---- in a table: pinned ranges -----------------------------------------------------
CREATE TEMP TABLE pins (name text PRIMARY KEY, pin semver_range NOT NULL);
INSERT INTO pins VALUES ('lts', '~1.10'), ('next', '>=2.0.0-rc.1 <3');
SELECT is(
	(SELECT array_agg(p.name || ':' || b.version::text ORDER BY p.name, b.version)
	 FROM pins p JOIN builds b ON b.version <@ p.pin WHERE b.product = 'a'),
	ARRAY['lts:1.10.0', 'next:2.0.0-rc.1', 'next:2.0.0-rc.2', 'next:2.0.0+7'],
	'join on <@ picks the builds each pin admits');

-- ---- privileges --------------------------------------------------------------------
SELECT ok(NOT has_schema_privilege('public', 'bigpicture', 'USAGE'), 'PUBLIC cannot use the schema');
SELECT ok(has_schema_privilege('bigpicture_client', 'bigpicture', 'USAGE'), 'bigpicture roles can use the schema');
SELECT ok(has_function_privilege('bigpicture_client', 'bigpicture.semver_cmp(bigpicture.semver, bigpicture.semver)', 'EXECUTE'),
	'semver functions are executable by the roles');

SELECT * FROM finish();
ROLLBACK;
