/*
 * semver.h — SemVer 2.0.0 versions and node-semver style ranges.
 *
 * Pure C99, no allocation, no global mutable state: every structure lives in
 * memory the caller provides.  Parsed versions point into the caller's input
 * text (or into static strings for desugared ranges), so the input must
 * outlive the parsed value.
 */
#ifndef BP_SEMVER_H
#define BP_SEMVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

/* Longest accepted version text, in bytes. */
#define BP_SEMVER_MAX_LEN 256
/* Largest numeric component (major, minor, patch, numeric prerelease id). */
#define BP_SEMVER_MAX_NUMBER 2147483647u

/* Longest accepted range text, comparators in all sets, and number of sets. */
#define BP_RANGE_MAX_LEN 1024
#define BP_RANGE_MAX_COMPARATORS 64
#define BP_RANGE_MAX_SETS 32

typedef struct bp_semver
{
	uint32_t	major;
	uint32_t	minor;
	uint32_t	patch;
	const char *pre;			/* prerelease without the '-', not NUL-terminated */
	size_t		pre_len;		/* 0: no prerelease */
	const char *build;			/* build metadata without the '+' */
	size_t		build_len;		/* 0: no build metadata */
} bp_semver;

typedef enum bp_semver_status
{
	BP_SEMVER_OK = 0,
	BP_SEMVER_EMPTY,			/* empty input */
	BP_SEMVER_TOO_LONG,			/* longer than BP_SEMVER_MAX_LEN */
	BP_SEMVER_MISSING_PART,		/* fewer than three numeric parts */
	BP_SEMVER_BAD_NUMBER,		/* a numeric part is not all digits */
	BP_SEMVER_LEADING_ZERO,		/* numeric part or numeric prerelease id like 01 */
	BP_SEMVER_OVERFLOW,			/* number above BP_SEMVER_MAX_NUMBER */
	BP_SEMVER_BAD_PRERELEASE,	/* empty identifier or character outside [0-9A-Za-z-] */
	BP_SEMVER_BAD_BUILD,		/* empty identifier or character outside [0-9A-Za-z-] */
	BP_SEMVER_TRAILING			/* anything after the version */
} bp_semver_status;

/* Parse exactly len bytes as a strict SemVer 2.0.0 version (no 'v', no spaces). */
bp_semver_status bp_semver_parse(const char *text, size_t len, bp_semver *out);

/* A short English sentence describing a status, for error details. */
const char *bp_semver_strerror(bp_semver_status status);

/* SemVer precedence: negative, 0 or positive.  Build metadata is ignored. */
int			bp_semver_compare(const bp_semver *a, const bp_semver *b);

/* Compare including build metadata (bytewise) as a final tie-break: a total
 * order consistent with equality of the full text, for btree/hash use. */
int			bp_semver_compare_full(const bp_semver *a, const bp_semver *b);

/*
 * Write the canonical text of v into buf (NUL-terminated when cap > 0).
 * Returns the length the full text needs, excluding the NUL, like snprintf.
 */
size_t		bp_semver_format(const bp_semver *v, char *buf, size_t cap);

/* ---- ranges ---------------------------------------------------------- */

typedef enum bp_semver_op
{
	BP_OP_EQ,
	BP_OP_LT,
	BP_OP_LE,
	BP_OP_GT,
	BP_OP_GE
} bp_semver_op;

typedef struct bp_comparator
{
	bp_semver_op op;
	bp_semver	version;
} bp_comparator;

/*
 * A parsed range: sets joined by "||", each set a conjunction of primitive
 * comparators after desugaring (^, ~, x-ranges, partials, hyphen ranges).
 * Set i covers comparators [set_start(i), set_end[i]) where set_start(0) = 0
 * and set_start(i) = set_end[i-1].  A set with no comparators matches every
 * release version (the "*" range).
 */
typedef struct bp_semver_range
{
	size_t		n_comparators;
	size_t		n_sets;
	bp_comparator comparators[BP_RANGE_MAX_COMPARATORS];
	uint16_t	set_end[BP_RANGE_MAX_SETS];
} bp_semver_range;

typedef enum bp_range_status
{
	BP_RANGE_OK = 0,
	BP_RANGE_EMPTY,				/* no longer returned: blank input is "*" */
	BP_RANGE_TOO_LONG,			/* longer than BP_RANGE_MAX_LEN */
	BP_RANGE_TOO_MANY,			/* more comparators or sets than the limits */
	BP_RANGE_BAD_OPERATOR,		/* unknown operator such as "=>" or "!=" */
	BP_RANGE_BAD_VERSION,		/* a (partial) version in the range is invalid */
	BP_RANGE_EMPTY_SET,			/* "||" with nothing on one side */
	BP_RANGE_BAD_HYPHEN			/* hyphen range missing a side */
} bp_range_status;

/*
 * Parse a range.  Comparators within a set are separated by whitespace or
 * commas; sets by "||".  A version in a range may start with one "v"
 * ("~v1.2.3", ">=v1.0.0 <v2", "=v1.2.3"), and blank text is "*", as in
 * node-semver.  On error, *error_pos (if not NULL) receives the byte offset
 * where the problem was found.
 *
 * Differences from node-semver (7.x, default options), on purpose: an empty
 * side of "||" is an error, not "*"; at most one "v", and no "=" after an
 * operator other than "~" ("^=1.2", ">==1.2", "vv1.2" are errors; "~=" is
 * "~"); no space inside an operator ("> =1"); partial versions ("1.2", "1.x")
 * take no prerelease or build; "==", "!=" and friends are always rejected;
 * numbers stop at BP_SEMVER_MAX_NUMBER; commas may separate comparators; and
 * node's extra rewrite of ">=0.0.0" to nothing is not done, so "^0.x" is
 * ">=0.0.0 <1.0.0-0" where node prints "<1.0.0-0" (same versions match,
 * except that node then lets a "||" alternative of ">=0.0.0" swallow the
 * whole range as "*").
 */
bp_range_status bp_semver_range_parse(const char *text, size_t len,
									  bp_semver_range *out, size_t *error_pos);

const char *bp_semver_range_strerror(bp_range_status status);

/* node-semver membership, including its prerelease rule. */
bool		bp_semver_range_satisfies(const bp_semver_range *range,
									  const bp_semver *version);

/*
 * Membership by the comparators alone, prereleases included (node-semver's
 * includePrerelease): what a block list needs, since a block must catch
 * 3.0.0-beta.1 under ">=2.5.0" too.
 */
bool		bp_semver_range_covers(const bp_semver_range *range,
								   const bp_semver *version);

/*
 * True when no version can satisfy the range, as far as bounds show: every
 * set has a lower bound above its upper bound (">=2.0.0 <1.0.0"), or an
 * upper bound below 0.0.0-0.  (A set can be empty for subtler reasons, such
 * as ">1.0.0 <1.0.1-0"; those are not detected.)
 */
bool		bp_semver_range_is_empty(const bp_semver_range *range);

/*
 * Canonical desugared text: comparators separated by one space, sets by
 * " || ", e.g. "^1.2.3" -> ">=1.2.3 <2.0.0-0"; an unconstrained set is "*".
 * Two ranges are equal when their canonical texts are equal.
 * Returns the needed length excluding the NUL, like snprintf.
 */
size_t		bp_semver_range_format(const bp_semver_range *range, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif							/* BP_SEMVER_H */
