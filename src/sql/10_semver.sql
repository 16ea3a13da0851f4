-- SemVer 2.0.0 versions and ranges (src/extension/semver_type.c, src/core/semver.c).

CREATE TYPE bigpicture.semver;

CREATE FUNCTION bigpicture.semver_in(cstring) RETURNS bigpicture.semver
	AS 'MODULE_PATHNAME', 'semver_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_out(bigpicture.semver) RETURNS cstring
	AS 'MODULE_PATHNAME', 'semver_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_recv(internal) RETURNS bigpicture.semver
	AS 'MODULE_PATHNAME', 'semver_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_send(bigpicture.semver) RETURNS bytea
	AS 'MODULE_PATHNAME', 'semver_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE bigpicture.semver (
	INPUT = bigpicture.semver_in,
	OUTPUT = bigpicture.semver_out,
	RECEIVE = bigpicture.semver_recv,
	SEND = bigpicture.semver_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE bigpicture.semver IS
	'a SemVer 2.0.0 version; ordered by SemVer precedence, build metadata ignored';

CREATE FUNCTION bigpicture.semver_cmp(bigpicture.semver, bigpicture.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'semver_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_eq(bigpicture.semver, bigpicture.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_ne(bigpicture.semver, bigpicture.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_lt(bigpicture.semver, bigpicture.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_le(bigpicture.semver, bigpicture.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_gt(bigpicture.semver, bigpicture.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_ge(bigpicture.semver, bigpicture.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_hash(bigpicture.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'semver_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_hash_extended(bigpicture.semver, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'semver_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_larger(bigpicture.semver, bigpicture.semver) RETURNS bigpicture.semver
	AS 'MODULE_PATHNAME', 'semver_larger' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_smaller(bigpicture.semver, bigpicture.semver) RETURNS bigpicture.semver
	AS 'MODULE_PATHNAME', 'semver_smaller' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR bigpicture.= (
	LEFTARG = bigpicture.semver, RIGHTARG = bigpicture.semver, FUNCTION = bigpicture.semver_eq,
	COMMUTATOR = OPERATOR(bigpicture.=), NEGATOR = OPERATOR(bigpicture.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR bigpicture.<> (
	LEFTARG = bigpicture.semver, RIGHTARG = bigpicture.semver, FUNCTION = bigpicture.semver_ne,
	COMMUTATOR = OPERATOR(bigpicture.<>), NEGATOR = OPERATOR(bigpicture.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR bigpicture.< (
	LEFTARG = bigpicture.semver, RIGHTARG = bigpicture.semver, FUNCTION = bigpicture.semver_lt,
	COMMUTATOR = OPERATOR(bigpicture.>), NEGATOR = OPERATOR(bigpicture.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR bigpicture.<= (
	LEFTARG = bigpicture.semver, RIGHTARG = bigpicture.semver, FUNCTION = bigpicture.semver_le,
	COMMUTATOR = OPERATOR(bigpicture.>=), NEGATOR = OPERATOR(bigpicture.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR bigpicture.> (
	LEFTARG = bigpicture.semver, RIGHTARG = bigpicture.semver, FUNCTION = bigpicture.semver_gt,
	COMMUTATOR = OPERATOR(bigpicture.<), NEGATOR = OPERATOR(bigpicture.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR bigpicture.>= (
	LEFTARG = bigpicture.semver, RIGHTARG = bigpicture.semver, FUNCTION = bigpicture.semver_ge,
	COMMUTATOR = OPERATOR(bigpicture.<=), NEGATOR = OPERATOR(bigpicture.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS bigpicture.semver_ops
	DEFAULT FOR TYPE bigpicture.semver USING btree AS
		OPERATOR 1 bigpicture.<,
		OPERATOR 2 bigpicture.<=,
		OPERATOR 3 bigpicture.=,
		OPERATOR 4 bigpicture.>=,
		OPERATOR 5 bigpicture.>,
		FUNCTION 1 bigpicture.semver_cmp(bigpicture.semver, bigpicture.semver);

CREATE OPERATOR CLASS bigpicture.semver_hash_ops
	DEFAULT FOR TYPE bigpicture.semver USING hash AS
		OPERATOR 1 bigpicture.=,
		FUNCTION 1 bigpicture.semver_hash(bigpicture.semver),
		FUNCTION 2 bigpicture.semver_hash_extended(bigpicture.semver, bigint);

CREATE AGGREGATE bigpicture.max(bigpicture.semver) (
	SFUNC = bigpicture.semver_larger, STYPE = bigpicture.semver,
	SORTOP = OPERATOR(bigpicture.>), COMBINEFUNC = bigpicture.semver_larger, PARALLEL = SAFE
);
CREATE AGGREGATE bigpicture.min(bigpicture.semver) (
	SFUNC = bigpicture.semver_smaller, STYPE = bigpicture.semver,
	SORTOP = OPERATOR(bigpicture.<), COMBINEFUNC = bigpicture.semver_smaller, PARALLEL = SAFE
);
COMMENT ON AGGREGATE bigpicture.max(bigpicture.semver) IS 'the highest version by SemVer precedence';
COMMENT ON AGGREGATE bigpicture.min(bigpicture.semver) IS 'the lowest version by SemVer precedence';

CREATE FUNCTION bigpicture.semver_major(bigpicture.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'semver_major' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_minor(bigpicture.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'semver_minor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_patch(bigpicture.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'semver_patch' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_prerelease(bigpicture.semver) RETURNS text
	AS 'MODULE_PATHNAME', 'semver_prerelease' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_build(bigpicture.semver) RETURNS text
	AS 'MODULE_PATHNAME', 'semver_build' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_is_prerelease(bigpicture.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_is_prerelease' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION bigpicture.semver_cmp(bigpicture.semver, bigpicture.semver) IS
	'-1, 0 or 1 by SemVer precedence (build metadata ignored)';
COMMENT ON FUNCTION bigpicture.semver_major(bigpicture.semver) IS 'the MAJOR number';
COMMENT ON FUNCTION bigpicture.semver_minor(bigpicture.semver) IS 'the MINOR number';
COMMENT ON FUNCTION bigpicture.semver_patch(bigpicture.semver) IS 'the PATCH number';
COMMENT ON FUNCTION bigpicture.semver_prerelease(bigpicture.semver) IS
	'the prerelease identifiers without the leading -, or NULL';
COMMENT ON FUNCTION bigpicture.semver_build(bigpicture.semver) IS
	'the build metadata without the leading +, or NULL';
COMMENT ON FUNCTION bigpicture.semver_is_prerelease(bigpicture.semver) IS
	'true when the version has a prerelease part';

-- ---- ranges ----------------------------------------------------------------

CREATE TYPE bigpicture.semver_range;

CREATE FUNCTION bigpicture.semver_range_in(cstring) RETURNS bigpicture.semver_range
	AS 'MODULE_PATHNAME', 'semver_range_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_range_out(bigpicture.semver_range) RETURNS cstring
	AS 'MODULE_PATHNAME', 'semver_range_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_range_recv(internal) RETURNS bigpicture.semver_range
	AS 'MODULE_PATHNAME', 'semver_range_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_range_send(bigpicture.semver_range) RETURNS bytea
	AS 'MODULE_PATHNAME', 'semver_range_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE bigpicture.semver_range (
	INPUT = bigpicture.semver_range_in,
	OUTPUT = bigpicture.semver_range_out,
	RECEIVE = bigpicture.semver_range_recv,
	SEND = bigpicture.semver_range_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE bigpicture.semver_range IS
	'a set of SemVer versions written as node-semver style comparators (>=1.2.0,<2.0.0, ^1.2, ~1.2.3, 1.x, A - B, ||)';

CREATE FUNCTION bigpicture.semver_range_canonical(bigpicture.semver_range) RETURNS text
	AS 'MODULE_PATHNAME', 'semver_range_canonical' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.semver_range_canonical(bigpicture.semver_range) IS
	'the desugared comparator sets, e.g. ^1.2.3 gives >=1.2.3 <2.0.0-0; equal ranges have equal canonical text';

CREATE FUNCTION bigpicture.semver_range_eq(bigpicture.semver_range, bigpicture.semver_range) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_range_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_range_ne(bigpicture.semver_range, bigpicture.semver_range) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_range_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_range_contains(bigpicture.semver_range, bigpicture.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_range_contains' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bigpicture.semver_contained_by(bigpicture.semver, bigpicture.semver_range) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_contained_by' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.semver_range_contains(bigpicture.semver_range, bigpicture.semver) IS
	'true when the version satisfies the range (node-semver rules, including its prerelease rule)';
COMMENT ON FUNCTION bigpicture.semver_contained_by(bigpicture.semver, bigpicture.semver_range) IS
	'true when the version satisfies the range (node-semver rules, including its prerelease rule)';

CREATE FUNCTION bigpicture.semver_range_is_empty(bigpicture.semver_range) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_range_is_empty' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.semver_range_is_empty(bigpicture.semver_range) IS
	'true when no version can satisfy the range, as far as its bounds show (>=2.0.0 <1.0.0)';

CREATE FUNCTION bigpicture.semver_range_covers(bigpicture.semver_range, bigpicture.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'semver_range_covers' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bigpicture.semver_range_covers(bigpicture.semver_range, bigpicture.semver) IS
	'true when the version meets the range''s comparators, prereleases included (no prerelease rule): what block lists use';

CREATE OPERATOR bigpicture.= (
	LEFTARG = bigpicture.semver_range, RIGHTARG = bigpicture.semver_range,
	FUNCTION = bigpicture.semver_range_eq,
	COMMUTATOR = OPERATOR(bigpicture.=), NEGATOR = OPERATOR(bigpicture.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel
);
CREATE OPERATOR bigpicture.<> (
	LEFTARG = bigpicture.semver_range, RIGHTARG = bigpicture.semver_range,
	FUNCTION = bigpicture.semver_range_ne,
	COMMUTATOR = OPERATOR(bigpicture.<>), NEGATOR = OPERATOR(bigpicture.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR bigpicture.@> (
	LEFTARG = bigpicture.semver_range, RIGHTARG = bigpicture.semver,
	FUNCTION = bigpicture.semver_range_contains,
	COMMUTATOR = OPERATOR(bigpicture.<@),
	RESTRICT = contsel, JOIN = contjoinsel
);
CREATE OPERATOR bigpicture.<@ (
	LEFTARG = bigpicture.semver, RIGHTARG = bigpicture.semver_range,
	FUNCTION = bigpicture.semver_contained_by,
	COMMUTATOR = OPERATOR(bigpicture.@>),
	RESTRICT = contsel, JOIN = contjoinsel
);
