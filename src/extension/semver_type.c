/*
 * semver_type.c — the SQL types bigpicture.semver and bigpicture.semver_range.
 *
 * Parsing, precedence and range membership live in src/core/semver.c; this
 * file only stores, converts and exposes them.
 *
 * On-disk form of semver: a varlena holding a format byte, the three numbers
 * and the prerelease and build text.  Numbers are stored parsed so that the
 * common comparisons (different major/minor/patch) never touch text.
 *
 * semver_range keeps the text the user wrote (trimmed), behind a format byte,
 * and is parsed when used: ranges are short and parsing is cheaper than a
 * detoast, while the original spelling stays what users see.
 */
#include "postgres.h"

#include <ctype.h>

#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "bigpicture.h"
#include "semver.h"

#define SEMVER_FORMAT 1
#define SEMVER_RANGE_FORMAT 1

typedef struct SemverData
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		format;			/* SEMVER_FORMAT */
	uint8		reserved;		/* zero */
	uint16		pre_len;
	uint16		build_len;
	uint16		reserved2;		/* zero */
	uint32		major;
	uint32		minor;
	uint32		patch;
	char		text[FLEXIBLE_ARRAY_MEMBER];	/* prerelease then build */
} SemverData;

typedef struct SemverRangeData
{
	int32		vl_len_;
	uint8		format;			/* SEMVER_RANGE_FORMAT */
	char		text[FLEXIBLE_ARRAY_MEMBER];	/* as written, not NUL-terminated */
} SemverRangeData;

#define DatumGetSemverP(d)	((SemverData *) PG_DETOAST_DATUM(d))
#define PG_GETARG_SEMVER_P(n) DatumGetSemverP(PG_GETARG_DATUM(n))
#define DatumGetSemverRangeP(d) ((SemverRangeData *) PG_DETOAST_DATUM(d))
#define PG_GETARG_SEMVER_RANGE_P(n) DatumGetSemverRangeP(PG_GETARG_DATUM(n))

/* A core view of a stored version; points into the datum. */
static bp_semver
semver_view(const SemverData *s)
{
	bp_semver	v;

	v.major = s->major;
	v.minor = s->minor;
	v.patch = s->patch;
	v.pre = s->text;
	v.pre_len = s->pre_len;
	v.build = s->text + s->pre_len;
	v.build_len = s->build_len;
	return v;
}

static SemverData *
semver_make(const bp_semver *v)
{
	Size		size = offsetof(SemverData, text) + v->pre_len + v->build_len;
	SemverData *s = (SemverData *) palloc0(size);

	SET_VARSIZE(s, size);
	s->format = SEMVER_FORMAT;
	s->major = v->major;
	s->minor = v->minor;
	s->patch = v->patch;
	s->pre_len = (uint16) v->pre_len;
	s->build_len = (uint16) v->build_len;
	memcpy(s->text, v->pre, v->pre_len);
	memcpy(s->text + v->pre_len, v->build, v->build_len);
	return s;
}

static SemverData *
semver_from_text(const char *str, size_t len)
{
	bp_semver	v;
	bp_semver_status st = bp_semver_parse(str, len, &v);

	if (st != BP_SEMVER_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%.*s\"",
						"semver", (int) Min(len, 300), str),
				 errdetail("%s", bp_semver_strerror(st)),
				 errhint("A version is MAJOR.MINOR.PATCH with an optional -prerelease and +build, "
						 "as in 1.2.3, 1.2.3-beta.1 or 1.2.3+build.5 (SemVer 2.0.0).")));
	return semver_make(&v);
}

static char *
semver_to_cstring(const SemverData *s)
{
	bp_semver	v = semver_view(s);
	size_t		need = bp_semver_format(&v, NULL, 0);
	char	   *out = palloc(need + 1);

	bp_semver_format(&v, out, need + 1);
	return out;
}

static int
semver_cmp_internal(const SemverData *a, const SemverData *b)
{
	bp_semver	va = semver_view(a);
	bp_semver	vb = semver_view(b);

	return bp_semver_compare(&va, &vb);
}

PG_FUNCTION_INFO_V1(semver_in);
Datum
semver_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);

	PG_RETURN_POINTER(semver_from_text(str, strlen(str)));
}

PG_FUNCTION_INFO_V1(semver_out);
Datum
semver_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(semver_to_cstring(PG_GETARG_SEMVER_P(0)));
}

/* Binary form: a format byte, then the canonical text. */
PG_FUNCTION_INFO_V1(semver_send);
Datum
semver_send(PG_FUNCTION_ARGS)
{
	SemverData *s = PG_GETARG_SEMVER_P(0);
	char	   *str = semver_to_cstring(s);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SEMVER_FORMAT);
	pq_sendtext(&buf, str, strlen(str));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(semver_recv);
Datum
semver_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			format = pq_getmsgbyte(buf);
	int			len;
	char	   *str;

	if (format != SEMVER_FORMAT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary format %d for type %s", format, "semver"),
				 errhint("This server understands format %d.", SEMVER_FORMAT)));
	str = pq_getmsgtext(buf, buf->len - buf->cursor, &len);
	PG_RETURN_POINTER(semver_from_text(str, (size_t) len));
}

PG_FUNCTION_INFO_V1(semver_cmp);
Datum
semver_cmp(PG_FUNCTION_ARGS)
{
	int			c = semver_cmp_internal(PG_GETARG_SEMVER_P(0), PG_GETARG_SEMVER_P(1));

	PG_RETURN_INT32(c < 0 ? -1 : (c > 0 ? 1 : 0));
}

#define SEMVER_CMP_FUNCTION(name, expr) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	int			c = semver_cmp_internal(PG_GETARG_SEMVER_P(0), PG_GETARG_SEMVER_P(1)); \
	PG_RETURN_BOOL(expr); \
}

SEMVER_CMP_FUNCTION(semver_eq, c == 0)
SEMVER_CMP_FUNCTION(semver_ne, c != 0)
SEMVER_CMP_FUNCTION(semver_lt, c < 0)
SEMVER_CMP_FUNCTION(semver_le, c <= 0)
SEMVER_CMP_FUNCTION(semver_gt, c > 0)
SEMVER_CMP_FUNCTION(semver_ge, c >= 0)

PG_FUNCTION_INFO_V1(semver_larger);
Datum
semver_larger(PG_FUNCTION_ARGS)
{
	SemverData *a = PG_GETARG_SEMVER_P(0);
	SemverData *b = PG_GETARG_SEMVER_P(1);

	PG_RETURN_POINTER(semver_cmp_internal(a, b) >= 0 ? a : b);
}

PG_FUNCTION_INFO_V1(semver_smaller);
Datum
semver_smaller(PG_FUNCTION_ARGS)
{
	SemverData *a = PG_GETARG_SEMVER_P(0);
	SemverData *b = PG_GETARG_SEMVER_P(1);

	PG_RETURN_POINTER(semver_cmp_internal(a, b) <= 0 ? a : b);
}

/*
 * Hash what equality looks at: the numbers and the prerelease text.  Build
 * metadata is ignored, as by equality; numeric prerelease identifiers have no
 * leading zeros, so equal precedence means equal prerelease bytes.
 */
static uint64
semver_hash_internal(const SemverData *s, uint64 seed)
{
	uint32		nums[3] = {s->major, s->minor, s->patch};
	uint64		h;

	h = DatumGetUInt64(hash_any_extended((const unsigned char *) nums, sizeof(nums), seed));
	if (s->pre_len > 0)
		h = hash_combine64(h, DatumGetUInt64(hash_any_extended((const unsigned char *) s->text,
																s->pre_len, seed)));
	return h;
}

PG_FUNCTION_INFO_V1(semver_hash);
Datum
semver_hash(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) semver_hash_internal(PG_GETARG_SEMVER_P(0), 0));
}

PG_FUNCTION_INFO_V1(semver_hash_extended);
Datum
semver_hash_extended(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) semver_hash_internal(PG_GETARG_SEMVER_P(0),
												 (uint64) PG_GETARG_INT64(1)));
}

PG_FUNCTION_INFO_V1(semver_major);
Datum
semver_major(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) PG_GETARG_SEMVER_P(0)->major);
}

PG_FUNCTION_INFO_V1(semver_minor);
Datum
semver_minor(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) PG_GETARG_SEMVER_P(0)->minor);
}

PG_FUNCTION_INFO_V1(semver_patch);
Datum
semver_patch(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32((int32) PG_GETARG_SEMVER_P(0)->patch);
}

/* Prerelease without the '-', or NULL when there is none. */
PG_FUNCTION_INFO_V1(semver_prerelease);
Datum
semver_prerelease(PG_FUNCTION_ARGS)
{
	SemverData *s = PG_GETARG_SEMVER_P(0);

	if (s->pre_len == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(s->text, s->pre_len));
}

/* Build metadata without the '+', or NULL when there is none. */
PG_FUNCTION_INFO_V1(semver_build);
Datum
semver_build(PG_FUNCTION_ARGS)
{
	SemverData *s = PG_GETARG_SEMVER_P(0);

	if (s->build_len == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(s->text + s->pre_len, s->build_len));
}

PG_FUNCTION_INFO_V1(semver_is_prerelease);
Datum
semver_is_prerelease(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_SEMVER_P(0)->pre_len > 0);
}

/* ---- semver_range ---------------------------------------------------- */

/* Parse range text, reporting errors as SQL errors. */
static void
srange_parse_or_error(const char *str, size_t len, bp_semver_range *range)
{
	size_t		pos = 0;
	bp_range_status st = bp_semver_range_parse(str, len, range, &pos);

	if (st != BP_RANGE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%.*s\"",
						"semver_range", (int) Min(len, 300), str),
				 errdetail("%s The problem is at character %zu.",
						   bp_semver_range_strerror(st), pos + 1),
				 errhint("A range is comparators such as >=1.2.0,<2.0.0, ^1.2, ~1.2.3, 1.x or "
						 "1.2.3 - 2.0.0, with || between alternatives.")));
}

static void
srange_view(const SemverRangeData *r, bp_semver_range *range)
{
	srange_parse_or_error(r->text, VARSIZE_ANY(r) - offsetof(SemverRangeData, text), range);
}

static char *
srange_canonical(const bp_semver_range *range)
{
	size_t		need = bp_semver_range_format(range, NULL, 0);
	char	   *out = palloc(need + 1);

	bp_semver_range_format(range, out, need + 1);
	return out;
}

static SemverRangeData *
srange_from_text(const char *str, size_t len)
{
	bp_semver_range range;
	SemverRangeData *r;
	Size		size;

	/* Keep what the user wrote, without surrounding whitespace. */
	while (len > 0 && isspace((unsigned char) *str))
		str++, len--;
	while (len > 0 && isspace((unsigned char) str[len - 1]))
		len--;
	srange_parse_or_error(str, len, &range);

	size = offsetof(SemverRangeData, text) + len;
	r = (SemverRangeData *) palloc0(size);
	SET_VARSIZE(r, size);
	r->format = SEMVER_RANGE_FORMAT;
	memcpy(r->text, str, len);
	return r;
}

PG_FUNCTION_INFO_V1(semver_range_in);
Datum
semver_range_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);

	PG_RETURN_POINTER(srange_from_text(str, strlen(str)));
}

PG_FUNCTION_INFO_V1(semver_range_out);
Datum
semver_range_out(PG_FUNCTION_ARGS)
{
	SemverRangeData *r = PG_GETARG_SEMVER_RANGE_P(0);

	PG_RETURN_CSTRING(pnstrdup(r->text, VARSIZE_ANY(r) - offsetof(SemverRangeData, text)));
}

PG_FUNCTION_INFO_V1(semver_range_send);
Datum
semver_range_send(PG_FUNCTION_ARGS)
{
	SemverRangeData *r = PG_GETARG_SEMVER_RANGE_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SEMVER_RANGE_FORMAT);
	pq_sendtext(&buf, r->text, VARSIZE_ANY(r) - offsetof(SemverRangeData, text));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(semver_range_recv);
Datum
semver_range_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			format = pq_getmsgbyte(buf);
	int			len;
	char	   *str;

	if (format != SEMVER_RANGE_FORMAT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary format %d for type %s", format, "semver_range"),
				 errhint("This server understands format %d.", SEMVER_RANGE_FORMAT)));
	str = pq_getmsgtext(buf, buf->len - buf->cursor, &len);
	PG_RETURN_POINTER(srange_from_text(str, (size_t) len));
}

/* The desugared form, e.g. ^1.2.3 -> >=1.2.3 <2.0.0-0. */
PG_FUNCTION_INFO_V1(semver_range_canonical);
Datum
semver_range_canonical(PG_FUNCTION_ARGS)
{
	bp_semver_range range;

	srange_view(PG_GETARG_SEMVER_RANGE_P(0), &range);
	PG_RETURN_TEXT_P(cstring_to_text(srange_canonical(&range)));
}

/* Ranges are equal when they desugar to the same comparator sets. */
static bool
srange_equal(const SemverRangeData *a, const SemverRangeData *b)
{
	bp_semver_range ra;
	bp_semver_range rb;

	srange_view(a, &ra);
	srange_view(b, &rb);
	return strcmp(srange_canonical(&ra), srange_canonical(&rb)) == 0;
}

PG_FUNCTION_INFO_V1(semver_range_eq);
Datum
semver_range_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(srange_equal(PG_GETARG_SEMVER_RANGE_P(0), PG_GETARG_SEMVER_RANGE_P(1)));
}

PG_FUNCTION_INFO_V1(semver_range_ne);
Datum
semver_range_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!srange_equal(PG_GETARG_SEMVER_RANGE_P(0), PG_GETARG_SEMVER_RANGE_P(1)));
}

static bool
srange_contains(const SemverRangeData *r, const SemverData *s)
{
	bp_semver_range range;
	bp_semver	v = semver_view(s);

	srange_view(r, &range);
	return bp_semver_range_satisfies(&range, &v);
}

/* For the decision engine (evaluate.c): core views of stored values. */
bp_semver
bp_semver_from_datum(Datum d)
{
	return semver_view(DatumGetSemverP(d));
}

void
bp_semver_range_from_datum(Datum d, bp_semver_range *out)
{
	srange_view(DatumGetSemverRangeP(d), out);
}

char *
bp_semver_text(const bp_semver *v)
{
	size_t		need = bp_semver_format(v, NULL, 0);
	char	   *out = palloc(need + 1);

	bp_semver_format(v, out, need + 1);
	return out;
}

/* Parse range text as the type's input function does (same errors). */
void
bp_semver_range_from_text(const char *str, bp_semver_range *out)
{
	srange_parse_or_error(str, strlen(str), out);
}

PG_FUNCTION_INFO_V1(semver_range_contains);
Datum
semver_range_contains(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(srange_contains(PG_GETARG_SEMVER_RANGE_P(0), PG_GETARG_SEMVER_P(1)));
}

PG_FUNCTION_INFO_V1(semver_contained_by);
Datum
semver_contained_by(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(srange_contains(PG_GETARG_SEMVER_RANGE_P(1), PG_GETARG_SEMVER_P(0)));
}

/* True when no version can satisfy the range, as far as its bounds show. */
PG_FUNCTION_INFO_V1(semver_range_is_empty);
Datum
semver_range_is_empty(PG_FUNCTION_ARGS)
{
	bp_semver_range range;

	srange_view(PG_GETARG_SEMVER_RANGE_P(0), &range);
	PG_RETURN_BOOL(bp_semver_range_is_empty(&range));
}

/* Membership by comparators alone, prereleases included (block lists). */
PG_FUNCTION_INFO_V1(semver_range_covers);
Datum
semver_range_covers(PG_FUNCTION_ARGS)
{
	bp_semver_range range;
	bp_semver	v = semver_view(PG_GETARG_SEMVER_P(1));

	srange_view(PG_GETARG_SEMVER_RANGE_P(0), &range);
	PG_RETURN_BOOL(bp_semver_range_covers(&range, &v));
}
