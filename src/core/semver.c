/*
 * semver.c — SemVer 2.0.0 versions and node-semver style ranges.
 *
 * Versions follow semver.org strictly.  Ranges follow node-semver (default
 * options: not loose, no includePrerelease): every operator is desugared into
 * primitive comparators exactly as node-semver's Range class does, so that
 * membership and the canonical text agree with it.  See semver.h.
 */
#include "semver.h"

#include <string.h>

/* ---- character classes ------------------------------------------------- */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_ident_char(char c)
{
	return is_digit(c) || is_alpha(c) || c == '-';
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ---- versions ---------------------------------------------------------- */

/*
 * Value of the digit run s[0..n).  Returns false above BP_SEMVER_MAX_NUMBER;
 * it stops at the first excess digit, so arbitrarily long runs cannot wrap.
 */
static bool
digits_value(const char *s, size_t n, uint32_t *value)
{
	uint64_t	v = 0;

	for (size_t i = 0; i < n; i++)
	{
		v = v * 10 + (uint64_t) (s[i] - '0');
		if (v > BP_SEMVER_MAX_NUMBER)
			return false;
	}
	*value = (uint32_t) v;
	return true;
}

/*
 * Parse the number at s[*pos], reading no further than len.  On success *pos
 * moves past it; on failure *pos is left at the number's first byte.
 */
static bp_semver_status
parse_number(const char *s, size_t len, size_t *pos, uint32_t *value)
{
	size_t		start = *pos;
	size_t		end = start;

	while (end < len && is_digit(s[end]))
		end++;
	if (end == start)
		return BP_SEMVER_BAD_NUMBER;
	if (s[start] == '0' && end - start > 1)
		return BP_SEMVER_LEADING_ZERO;
	if (!digits_value(s + start, end - start, value))
		return BP_SEMVER_OVERFLOW;
	*pos = end;
	return BP_SEMVER_OK;
}

/*
 * Dot-separated identifiers of [0-9A-Za-z-] starting at *pos, up to the first
 * byte that cannot continue them.  All-digit prerelease identifiers must be
 * canonical numbers in range; build identifiers may have leading zeros.  On
 * failure *pos is the offending byte (or the start of the bad identifier).
 */
static bp_semver_status
parse_identifiers(const char *s, size_t len, size_t *pos, bool prerelease)
{
	size_t		p = *pos;

	for (;;)
	{
		size_t		start = p;
		bool		numeric = true;

		while (p < len && is_ident_char(s[p]))
		{
			if (!is_digit(s[p]))
				numeric = false;
			p++;
		}
		if (p == start)
		{
			*pos = p;
			return prerelease ? BP_SEMVER_BAD_PRERELEASE : BP_SEMVER_BAD_BUILD;
		}
		if (prerelease && numeric)
		{
			uint32_t	ignored;

			if (s[start] == '0' && p - start > 1)
			{
				*pos = start;
				return BP_SEMVER_LEADING_ZERO;
			}
			if (!digits_value(s + start, p - start, &ignored))
			{
				*pos = start;
				return BP_SEMVER_OVERFLOW;
			}
		}
		if (p < len && s[p] == '.')
		{
			p++;
			continue;
		}
		break;
	}
	*pos = p;
	return BP_SEMVER_OK;
}

/*
 * Strict SemVer 2.0.0 parse of exactly len bytes (len > 0; the caller checks
 * the length limit).  On failure *err is the byte offset of the problem.
 */
static bp_semver_status
parse_version(const char *s, size_t len, bp_semver *out, size_t *err)
{
	uint32_t	part[3];
	size_t		pos = 0;
	bp_semver_status st;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 3; i++)
	{
		if (i > 0)
		{
			if (pos >= len || s[pos] != '.')
			{
				*err = pos;
				return BP_SEMVER_MISSING_PART;
			}
			pos++;
		}
		if (pos >= len || !is_digit(s[pos]))
		{
			*err = pos;
			return BP_SEMVER_BAD_NUMBER;
		}
		st = parse_number(s, len, &pos, &part[i]);
		if (st != BP_SEMVER_OK)
		{
			*err = pos;
			return st;
		}
		/* "1a.2.3", "1.2.3a": a number running straight into letters */
		if (pos < len && is_alpha(s[pos]))
		{
			*err = pos;
			return BP_SEMVER_BAD_NUMBER;
		}
	}

	if (pos < len && s[pos] == '-')
	{
		size_t		start = ++pos;

		st = parse_identifiers(s, len, &pos, true);
		if (st != BP_SEMVER_OK)
		{
			*err = pos;
			return st;
		}
		out->pre = s + start;
		out->pre_len = pos - start;
	}
	if (pos < len && s[pos] == '+')
	{
		size_t		start = ++pos;

		st = parse_identifiers(s, len, &pos, false);
		if (st != BP_SEMVER_OK)
		{
			*err = pos;
			return st;
		}
		out->build = s + start;
		out->build_len = pos - start;
	}
	if (pos < len)
	{
		/* a stray byte right after an identifier is blamed on that part */
		*err = pos;
		if (out->build_len > 0)
			return BP_SEMVER_BAD_BUILD;
		if (out->pre_len > 0)
			return BP_SEMVER_BAD_PRERELEASE;
		return BP_SEMVER_TRAILING;
	}

	out->major = part[0];
	out->minor = part[1];
	out->patch = part[2];
	return BP_SEMVER_OK;
}

bp_semver_status
bp_semver_parse(const char *text, size_t len, bp_semver *out)
{
	bp_semver_status st;
	size_t		err;

	if (len == 0)
		st = BP_SEMVER_EMPTY;
	else if (len > BP_SEMVER_MAX_LEN)
		st = BP_SEMVER_TOO_LONG;
	else
		st = parse_version(text, len, out, &err);
	if (st != BP_SEMVER_OK)
		memset(out, 0, sizeof(*out));
	return st;
}

const char *
bp_semver_strerror(bp_semver_status status)
{
	switch (status)
	{
		case BP_SEMVER_OK:
			return "No error.";
		case BP_SEMVER_EMPTY:
			return "Version is empty.";
		case BP_SEMVER_TOO_LONG:
			return "Version is longer than 256 bytes.";
		case BP_SEMVER_MISSING_PART:
			return "Version must have three numeric parts, MAJOR.MINOR.PATCH.";
		case BP_SEMVER_BAD_NUMBER:
			return "Numeric part is not a number.";
		case BP_SEMVER_LEADING_ZERO:
			return "Numeric part has a leading zero.";
		case BP_SEMVER_OVERFLOW:
			return "Numeric part is larger than 2147483647.";
		case BP_SEMVER_BAD_PRERELEASE:
			return "Prerelease identifier is empty or has a character other than 0-9, A-Z, a-z and hyphen.";
		case BP_SEMVER_BAD_BUILD:
			return "Build metadata identifier is empty or has a character other than 0-9, A-Z, a-z and hyphen.";
		case BP_SEMVER_TRAILING:
			return "Unexpected text after the version.";
	}
	return "Unknown version error.";
}

/* ---- precedence -------------------------------------------------------- */

static int
cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : (a > b ? 1 : 0);
}

static int
cmp_size(size_t a, size_t b)
{
	return a < b ? -1 : (a > b ? 1 : 0);
}

/* memcmp, then shorter first; safe for empty (possibly NULL) operands */
static int
cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		n = alen < blen ? alen : blen;

	if (n > 0)
	{
		int			c = memcmp(a, b, n);

		if (c != 0)
			return c < 0 ? -1 : 1;
	}
	return cmp_size(alen, blen);
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return n > 0;
}

/* One prerelease identifier against another, per semver.org section 11.4. */
static int
compare_identifier(const char *a, size_t alen, const char *b, size_t blen)
{
	bool		anum = all_digits(a, alen);
	bool		bnum = all_digits(b, blen);

	if (anum && bnum)
	{
		/*
		 * Compare as numbers of any length: valid input has no leading zeros,
		 * but skip them anyway so a hand-built value still orders sensibly.
		 */
		while (alen > 1 && *a == '0')
			a++, alen--;
		while (blen > 1 && *b == '0')
			b++, blen--;
		if (alen != blen)
			return cmp_size(alen, blen);
		return cmp_bytes(a, alen, b, blen);
	}
	if (anum)
		return -1;
	if (bnum)
		return 1;
	return cmp_bytes(a, alen, b, blen);
}

static int
compare_prerelease(const bp_semver *a, const bp_semver *b)
{
	size_t		ai = 0;
	size_t		bi = 0;

	/* a release ranks above any of its prereleases */
	if (a->pre_len == 0 || b->pre_len == 0)
		return (a->pre_len == 0) - (b->pre_len == 0);

	for (;;)
	{
		size_t		aend = ai;
		size_t		bend = bi;
		bool		amore;
		bool		bmore;
		int			c;

		while (aend < a->pre_len && a->pre[aend] != '.')
			aend++;
		while (bend < b->pre_len && b->pre[bend] != '.')
			bend++;
		c = compare_identifier(a->pre + ai, aend - ai, b->pre + bi, bend - bi);
		if (c != 0)
			return c;
		amore = aend < a->pre_len;
		bmore = bend < b->pre_len;
		/* all equal so far: the longer list ranks higher */
		if (!amore || !bmore)
			return (int) amore - (int) bmore;
		ai = aend + 1;
		bi = bend + 1;
	}
}

int
bp_semver_compare(const bp_semver *a, const bp_semver *b)
{
	int			c;

	if ((c = cmp_u32(a->major, b->major)) != 0)
		return c;
	if ((c = cmp_u32(a->minor, b->minor)) != 0)
		return c;
	if ((c = cmp_u32(a->patch, b->patch)) != 0)
		return c;
	return compare_prerelease(a, b);
}

int
bp_semver_compare_full(const bp_semver *a, const bp_semver *b)
{
	int			c = bp_semver_compare(a, b);

	if (c != 0)
		return c;
	return cmp_bytes(a->build, a->build_len, b->build, b->build_len);
}

/* ---- formatting -------------------------------------------------------- */

/* snprintf-style output: counts every byte, stores what fits before the NUL */
typedef struct out_buf
{
	char	   *buf;
	size_t		cap;
	size_t		len;
} out_buf;

static void
put_bytes(out_buf *o, const char *s, size_t n)
{
	if (o->len < o->cap)
	{
		size_t		room = o->cap - 1 - o->len;
		size_t		k = n < room ? n : room;

		if (k > 0)
			memcpy(o->buf + o->len, s, k);
	}
	o->len += n;
}

static void
put_str(out_buf *o, const char *s)
{
	put_bytes(o, s, strlen(s));
}

static void
put_u32(out_buf *o, uint32_t v)
{
	char		tmp[10];
	size_t		i = sizeof(tmp);

	do
	{
		tmp[--i] = (char) ('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put_bytes(o, tmp + i, sizeof(tmp) - i);
}

static size_t
put_finish(out_buf *o)
{
	if (o->cap > 0)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
	return o->len;
}

static void
put_version(out_buf *o, const bp_semver *v, bool with_build)
{
	put_u32(o, v->major);
	put_bytes(o, ".", 1);
	put_u32(o, v->minor);
	put_bytes(o, ".", 1);
	put_u32(o, v->patch);
	if (v->pre_len > 0)
	{
		put_bytes(o, "-", 1);
		put_bytes(o, v->pre, v->pre_len);
	}
	if (with_build && v->build_len > 0)
	{
		put_bytes(o, "+", 1);
		put_bytes(o, v->build, v->build_len);
	}
}

size_t
bp_semver_format(const bp_semver *v, char *buf, size_t cap)
{
	out_buf		o = {buf, cap, 0};

	put_version(&o, v, true);
	return put_finish(&o);
}

/* ---- ranges: building comparators -------------------------------------- */

/* The "-0" of node-semver's exclusive upper bounds: the lowest prerelease. */
static const char zero_pre[] = "0";

/* Operators as written; ~ and ^ are desugared away. */
typedef enum op_kind
{
	OPK_NONE,
	OPK_EQ,
	OPK_LT,
	OPK_LE,
	OPK_GT,
	OPK_GE,
	OPK_TILDE,
	OPK_CARET
} op_kind;

/* A version as written in a range: up to three numbers, then wildcards. */
typedef struct partial_version
{
	int			known;			/* leading numeric parts: 0 ("*"), 1, 2 or 3 */
	bp_semver	v;				/* unknown parts are 0; prerelease only if known == 3 */
} partial_version;

typedef struct range_ctx
{
	bp_semver_range *out;
	size_t		set_start;		/* first comparator of the set being parsed */
	bool		null_set;		/* the set already matches nothing */
} range_ctx;

/* node-semver's "matches nothing" comparator, <0.0.0-0 */
static bool
is_null_comparator(const bp_comparator *c)
{
	return c->op == BP_OP_LT && c->version.major == 0 && c->version.minor == 0 &&
		c->version.patch == 0 && c->version.pre_len == 1 && c->version.pre[0] == '0';
}

static bool
same_comparator(const bp_comparator *a, const bp_comparator *b)
{
	return a->op == b->op && a->version.major == b->version.major &&
		a->version.minor == b->version.minor && a->version.patch == b->version.patch &&
		cmp_bytes(a->version.pre, a->version.pre_len, b->version.pre, b->version.pre_len) == 0;
}

/*
 * Add a comparator to the current set the way node-semver's parseRange
 * collects them: duplicates are dropped, and once "<0.0.0-0" appears the set
 * is that comparator alone.  Build metadata is never kept.  Returns false
 * when the comparator limit is exceeded.
 */
static bool
add_cmp(range_ctx *ctx, bp_semver_op op, uint32_t major, uint32_t minor,
		uint32_t patch, const char *pre, size_t pre_len)
{
	bp_semver_range *r = ctx->out;
	bp_comparator c;

	if (ctx->null_set)
		return true;

	memset(&c, 0, sizeof(c));
	c.op = op;
	c.version.major = major;
	c.version.minor = minor;
	c.version.patch = patch;
	c.version.pre = pre_len > 0 ? pre : NULL;
	c.version.pre_len = pre_len;

	if (is_null_comparator(&c))
	{
		r->n_comparators = ctx->set_start;
		ctx->null_set = true;
	}
	else
	{
		for (size_t i = ctx->set_start; i < r->n_comparators; i++)
			if (same_comparator(&r->comparators[i], &c))
				return true;
	}
	if (r->n_comparators >= BP_RANGE_MAX_COMPARATORS)
		return false;
	r->comparators[r->n_comparators++] = c;
	return true;
}

static bool
add_version(range_ctx *ctx, bp_semver_op op, const bp_semver *v)
{
	return add_cmp(ctx, op, v->major, v->minor, v->patch, v->pre, v->pre_len);
}

/*
 * The exclusive upper bound of the x-range a partial version stands for:
 * 1 -> 2.0.0, 1.2 -> 1.3.0 (the caller adds "-0" where node does).  False
 * if the increment would exceed BP_SEMVER_MAX_NUMBER.
 */
static bool
xrange_upper(const partial_version *pv, uint32_t *major, uint32_t *minor)
{
	if (pv->known == 1)
	{
		if (pv->v.major >= BP_SEMVER_MAX_NUMBER)
			return false;
		*major = pv->v.major + 1;
		*minor = 0;
	}
	else
	{
		if (pv->v.minor >= BP_SEMVER_MAX_NUMBER)
			return false;
		*major = pv->v.major;
		*minor = pv->v.minor + 1;
	}
	return true;
}

/*
 * Desugar one comparator as node-semver's replaceCaret, replaceTilde and
 * replaceXRange do (includePrerelease off).
 */
static bp_range_status
desugar(range_ctx *ctx, op_kind k, const partial_version *pv)
{
	const bp_semver *v = &pv->v;
	uint32_t	M = v->major;
	uint32_t	m = v->minor;
	uint32_t	uM = 0;
	uint32_t	um = 0;
	bool		ok = true;

	if (pv->known == 0)
	{
		/* "*": < and > allow nothing, every other operator anything */
		if (k == OPK_LT || k == OPK_GT)
			ok = add_cmp(ctx, BP_OP_LT, 0, 0, 0, zero_pre, 1);
		return ok ? BP_RANGE_OK : BP_RANGE_TOO_MANY;
	}

	if (pv->known == 3)
	{
		switch (k)
		{
			case OPK_NONE:
			case OPK_EQ:
				ok = add_version(ctx, BP_OP_EQ, v);
				break;
			case OPK_LT:
				ok = add_version(ctx, BP_OP_LT, v);
				break;
			case OPK_LE:
				ok = add_version(ctx, BP_OP_LE, v);
				break;
			case OPK_GT:
				ok = add_version(ctx, BP_OP_GT, v);
				break;
			case OPK_GE:
				ok = add_version(ctx, BP_OP_GE, v);
				break;
			case OPK_TILDE:
				/* ~1.2.3 := >=1.2.3 <1.3.0-0 */
				if (m >= BP_SEMVER_MAX_NUMBER)
					return BP_RANGE_BAD_VERSION;
				ok = add_version(ctx, BP_OP_GE, v) &&
					add_cmp(ctx, BP_OP_LT, M, m + 1, 0, zero_pre, 1);
				break;
			case OPK_CARET:
				/* bump the left-most non-zero part: ^1.2.3, ^0.2.3, ^0.0.3 */
				if (M > 0)
				{
					if (M >= BP_SEMVER_MAX_NUMBER)
						return BP_RANGE_BAD_VERSION;
					ok = add_version(ctx, BP_OP_GE, v) &&
						add_cmp(ctx, BP_OP_LT, M + 1, 0, 0, zero_pre, 1);
				}
				else if (m > 0)
				{
					if (m >= BP_SEMVER_MAX_NUMBER)
						return BP_RANGE_BAD_VERSION;
					ok = add_version(ctx, BP_OP_GE, v) &&
						add_cmp(ctx, BP_OP_LT, 0, m + 1, 0, zero_pre, 1);
				}
				else
				{
					if (v->patch >= BP_SEMVER_MAX_NUMBER)
						return BP_RANGE_BAD_VERSION;
					ok = add_version(ctx, BP_OP_GE, v) &&
						add_cmp(ctx, BP_OP_LT, 0, 0, v->patch + 1, zero_pre, 1);
				}
				break;
		}
		return ok ? BP_RANGE_OK : BP_RANGE_TOO_MANY;
	}

	/* a partial version (known 1 or 2); m is 0 when not given */
	switch (k)
	{
		case OPK_NONE:
		case OPK_EQ:
		case OPK_TILDE:
			/* 1.2 = 1.2.x = ~1.2 := >=1.2.0 <1.3.0-0; 1 = ~1 := >=1.0.0 <2.0.0-0 */
			if (!xrange_upper(pv, &uM, &um))
				return BP_RANGE_BAD_VERSION;
			ok = add_cmp(ctx, BP_OP_GE, M, m, 0, NULL, 0) &&
				add_cmp(ctx, BP_OP_LT, uM, um, 0, zero_pre, 1);
			break;
		case OPK_CARET:
			/* ^1.2 := >=1.2.0 <2.0.0-0, but ^0.2 := >=0.2.0 <0.3.0-0 */
			if (pv->known == 2 && M > 0)
			{
				if (M >= BP_SEMVER_MAX_NUMBER)
					return BP_RANGE_BAD_VERSION;
				uM = M + 1;
				um = 0;
			}
			else if (!xrange_upper(pv, &uM, &um))
				return BP_RANGE_BAD_VERSION;
			ok = add_cmp(ctx, BP_OP_GE, M, m, 0, NULL, 0) &&
				add_cmp(ctx, BP_OP_LT, uM, um, 0, zero_pre, 1);
			break;
		case OPK_LT:
			/* <1.2 := <1.2.0-0 */
			ok = add_cmp(ctx, BP_OP_LT, M, m, 0, zero_pre, 1);
			break;
		case OPK_LE:
			/* <=1.2 := <1.3.0-0 */
			if (!xrange_upper(pv, &uM, &um))
				return BP_RANGE_BAD_VERSION;
			ok = add_cmp(ctx, BP_OP_LT, uM, um, 0, zero_pre, 1);
			break;
		case OPK_GT:
			/* >1.2 := >=1.3.0 */
			if (!xrange_upper(pv, &uM, &um))
				return BP_RANGE_BAD_VERSION;
			ok = add_cmp(ctx, BP_OP_GE, uM, um, 0, NULL, 0);
			break;
		case OPK_GE:
			ok = add_cmp(ctx, BP_OP_GE, M, m, 0, NULL, 0);
			break;
	}
	return ok ? BP_RANGE_OK : BP_RANGE_TOO_MANY;
}

/*
 * A - B, as node-semver's hyphenReplace: the lower side is inclusive from
 * its first version, the upper side inclusive if full, else exclusive just
 * past its x-range.  A "*" side sets no bound.  Overflow is blamed on B.
 */
static bp_range_status
desugar_hyphen(range_ctx *ctx, const partial_version *from, const partial_version *to)
{
	uint32_t	uM = 0;
	uint32_t	um = 0;
	bool		ok = true;

	if (to->known == 1 || to->known == 2)
	{
		if (!xrange_upper(to, &uM, &um))
			return BP_RANGE_BAD_VERSION;
	}
	if (from->known == 3)
		ok = add_version(ctx, BP_OP_GE, &from->v);
	else if (from->known > 0)
		ok = add_cmp(ctx, BP_OP_GE, from->v.major, from->v.minor, 0, NULL, 0);
	if (ok && to->known == 3)
		ok = add_version(ctx, BP_OP_LE, &to->v);
	else if (ok && to->known > 0)
		ok = add_cmp(ctx, BP_OP_LT, uM, um, 0, zero_pre, 1);
	return ok ? BP_RANGE_OK : BP_RANGE_TOO_MANY;
}

/* ---- ranges: parsing --------------------------------------------------- */

static size_t
skip_space(const char *s, size_t pos, size_t end)
{
	while (pos < end && is_space(s[pos]))
		pos++;
	return pos;
}

/* A version token ends at whitespace, a comma or the end of the set. */
static size_t
token_end(const char *s, size_t pos, size_t end)
{
	while (pos < end && !is_space(s[pos]) && s[pos] != ',')
		pos++;
	return pos;
}

static bool
is_op_char(char c)
{
	return c == '<' || c == '>' || c == '=' || c == '!' || c == '~' || c == '^' || c == '|';
}

/*
 * Read the whole run of operator characters at *pos so that "=>", "!=",
 * "==" or "<>" are rejected rather than read as a shorter operator.
 */
static bool
read_operator(const char *s, size_t *pos, size_t end, op_kind *k)
{
	size_t		start = *pos;
	size_t		p = start;

	while (p < end && is_op_char(s[p]))
		p++;
	*pos = p;
	switch (p - start)
	{
		case 0:
			*k = OPK_NONE;
			return true;
		case 1:
			switch (s[start])
			{
				case '=':
					*k = OPK_EQ;
					return true;
				case '<':
					*k = OPK_LT;
					return true;
				case '>':
					*k = OPK_GT;
					return true;
				case '~':
					*k = OPK_TILDE;
					return true;
				case '^':
					*k = OPK_CARET;
					return true;
			}
			return false;
		case 2:
			if (s[start + 1] != '=' && !(s[start] == '~' && s[start + 1] == '>'))
				return false;
			if (s[start] == '<')
				*k = OPK_LE;
			else if (s[start] == '>')
				*k = OPK_GE;
			else if (s[start] == '~')
				*k = OPK_TILDE;
			else
				return false;
			return true;
	}
	return false;
}

/*
 * Parse the version token s[start..end): "*", "1", "1.2", "1.x", "1.2.*" or
 * a full version with optional prerelease and build, each optionally after
 * one "v".  Wildcards must not be
 * followed by numbers ("1.x.3"), and partial versions take no prerelease or
 * build, unlike node-semver which silently drops them.
 */
static bp_range_status
parse_partial(const char *s, size_t start, size_t end, partial_version *pv, size_t *err)
{
	uint32_t	part[3] = {0, 0, 0};
	size_t		pos;
	bool		wild = false;

	memset(pv, 0, sizeof(*pv));
	/* node-semver takes a "v" before a version in a range: ~v1.2.3, <v2 */
	if (start < end && s[start] == 'v')
		start++;
	pos = start;
	for (int i = 0; i < 3; i++)
	{
		if (i > 0)
		{
			if (pos == end || s[pos] != '.')
				break;
			pos++;
		}
		if (pos < end && (s[pos] == 'x' || s[pos] == 'X' || s[pos] == '*'))
		{
			wild = true;
			pos++;
		}
		else if (pos < end && is_digit(s[pos]) && !wild)
		{
			if (parse_number(s, end, &pos, &part[i]) != BP_SEMVER_OK)
			{
				*err = pos;
				return BP_RANGE_BAD_VERSION;
			}
			pv->known = i + 1;
		}
		else
		{
			*err = pos;
			return BP_RANGE_BAD_VERSION;
		}
	}

	if (pv->known == 3)
	{
		/* a full version: the strict parser checks prerelease and build */
		size_t		verr = 0;

		if (end - start > BP_SEMVER_MAX_LEN)
		{
			*err = start;
			return BP_RANGE_BAD_VERSION;
		}
		if (parse_version(s + start, end - start, &pv->v, &verr) != BP_SEMVER_OK)
		{
			*err = start + verr;
			return BP_RANGE_BAD_VERSION;
		}
		pv->v.build = NULL;
		pv->v.build_len = 0;
		return BP_RANGE_OK;
	}
	if (pos != end)
	{
		*err = pos;
		return BP_RANGE_BAD_VERSION;
	}
	pv->v.major = part[0];
	pv->v.minor = part[1];
	return BP_RANGE_OK;
}

/*
 * The rest of "A - B" after A, from the hyphen at s[hyphen].  As in
 * node-semver the hyphen range must be the whole set.
 */
static bp_range_status
parse_hyphen(const char *s, size_t hyphen, size_t end, range_ctx *ctx,
			 const partial_version *from, size_t from_start, size_t *err)
{
	size_t		pos = skip_space(s, hyphen + 1, end);
	size_t		to_end;
	size_t		after;
	partial_version to;
	bp_range_status st;

	if (pos == end)
	{
		*err = hyphen;
		return BP_RANGE_BAD_HYPHEN;
	}
	if (is_op_char(s[pos]) || s[pos] == '-' || s[pos] == ',')
	{
		*err = pos;
		return BP_RANGE_BAD_HYPHEN;
	}
	to_end = token_end(s, pos, end);
	st = parse_partial(s, pos, to_end, &to, err);
	if (st != BP_RANGE_OK)
		return st;
	after = skip_space(s, to_end, end);
	if (after != end)
	{
		*err = after;
		return BP_RANGE_BAD_HYPHEN;
	}
	st = desugar_hyphen(ctx, from, &to);
	if (st != BP_RANGE_OK)
		*err = st == BP_RANGE_BAD_VERSION ? pos : from_start;
	return st;
}

/* One "||"-separated set, s[start..end). */
static bp_range_status
parse_set(const char *s, size_t start, size_t end, range_ctx *ctx, size_t *err)
{
	size_t		pos = skip_space(s, start, end);
	bool		first = true;

	if (pos == end)
	{
		*err = pos;
		return BP_RANGE_EMPTY_SET;
	}
	for (;;)
	{
		size_t		cmp_start = pos;
		size_t		ver_start;
		size_t		ver_end;
		op_kind		k;
		partial_version pv;
		bp_range_status st;

		/* a hyphen here is one not preceded by exactly one plain version */
		if (s[pos] == '-')
		{
			*err = pos;
			return BP_RANGE_BAD_HYPHEN;
		}
		if (s[pos] == ',')
		{
			*err = pos;
			return BP_RANGE_BAD_VERSION;
		}
		if (!read_operator(s, &pos, end, &k))
		{
			*err = cmp_start;
			return BP_RANGE_BAD_OPERATOR;
		}
		if (k != OPK_NONE)
		{
			/* ">= 1.2.3" is fine, "> =1.2.3" is not */
			pos = skip_space(s, pos, end);
			if (pos < end && is_op_char(s[pos]))
			{
				*err = cmp_start;
				return BP_RANGE_BAD_OPERATOR;
			}
		}
		ver_start = pos;
		ver_end = token_end(s, pos, end);
		if (ver_start == ver_end)
		{
			*err = ver_start;
			return BP_RANGE_BAD_VERSION;
		}
		st = parse_partial(s, ver_start, ver_end, &pv, err);
		if (st != BP_RANGE_OK)
			return st;
		pos = skip_space(s, ver_end, end);

		if (first && k == OPK_NONE && pos < end && s[pos] == '-' &&
			(pos + 1 == end || is_space(s[pos + 1])))
			return parse_hyphen(s, pos, end, ctx, &pv, ver_start, err);

		st = desugar(ctx, k, &pv);
		if (st != BP_RANGE_OK)
		{
			*err = st == BP_RANGE_BAD_VERSION ? ver_start : cmp_start;
			return st;
		}
		first = false;
		if (pos == end)
			return BP_RANGE_OK;
		if (s[pos] == ',')
		{
			pos = skip_space(s, pos + 1, end);
			if (pos == end)
			{
				*err = pos;
				return BP_RANGE_BAD_VERSION;
			}
		}
	}
}

/*
 * node-semver's Range constructor, after parsing the sets: sets that match
 * nothing are dropped unless all do (then the first stays), and if more than
 * one set remains and one of them is "*", the whole range becomes "*".
 */
static void
simplify_sets(bp_semver_range *r)
{
	size_t		start = 0;
	size_t		w = 0;
	size_t		kept = 0;

	if (r->n_sets < 2)
		return;
	for (size_t i = 0; i < r->n_sets; i++)
	{
		size_t		e = r->set_end[i];

		if (!(e > start && is_null_comparator(&r->comparators[start])))
		{
			if (e > start && w != start)
				memmove(&r->comparators[w], &r->comparators[start],
						(e - start) * sizeof(bp_comparator));
			w += e - start;
			r->set_end[kept++] = (uint16_t) w;
		}
		start = e;
	}
	if (kept == 0)
	{
		/* all match nothing: comparators[0] is still the first set's */
		r->n_comparators = 1;
		r->n_sets = 1;
		r->set_end[0] = 1;
		return;
	}
	r->n_comparators = w;
	r->n_sets = kept;
	if (kept < 2)
		return;
	start = 0;
	for (size_t i = 0; i < r->n_sets; i++)
	{
		if (r->set_end[i] == start)
		{
			r->n_comparators = 0;
			r->n_sets = 1;
			r->set_end[0] = 0;
			return;
		}
		start = r->set_end[i];
	}
}

bp_range_status
bp_semver_range_parse(const char *text, size_t len, bp_semver_range *out,
					  size_t *error_pos)
{
	size_t		ignored;
	size_t	   *err = error_pos ? error_pos : &ignored;
	size_t		pos = 0;
	range_ctx	ctx;
	bp_range_status st;

	out->n_comparators = 0;
	out->n_sets = 0;
	if (len > BP_RANGE_MAX_LEN)
	{
		*err = BP_RANGE_MAX_LEN;
		return BP_RANGE_TOO_LONG;
	}
	/* blank text is "*", as in node-semver: one set without comparators */
	if (skip_space(text, 0, len) == len)
	{
		out->n_sets = 1;
		out->set_end[0] = 0;
		return BP_RANGE_OK;
	}

	ctx.out = out;
	for (;;)
	{
		size_t		set_end = pos;

		while (set_end < len &&
			   !(text[set_end] == '|' && set_end + 1 < len && text[set_end + 1] == '|'))
			set_end++;
		if (out->n_sets >= BP_RANGE_MAX_SETS)
		{
			*err = skip_space(text, pos, set_end);
			st = BP_RANGE_TOO_MANY;
			goto fail;
		}
		ctx.set_start = out->n_comparators;
		ctx.null_set = false;
		st = parse_set(text, pos, set_end, &ctx, err);
		if (st != BP_RANGE_OK)
			goto fail;
		out->set_end[out->n_sets++] = (uint16_t) out->n_comparators;
		if (set_end == len)
			break;
		pos = set_end + 2;
	}
	simplify_sets(out);
	return BP_RANGE_OK;

fail:
	out->n_comparators = 0;
	out->n_sets = 0;
	return st;
}

const char *
bp_semver_range_strerror(bp_range_status status)
{
	switch (status)
	{
		case BP_RANGE_OK:
			return "No error.";
		case BP_RANGE_EMPTY:
			return "Range is empty; write * to allow any version.";
		case BP_RANGE_TOO_LONG:
			return "Range is longer than 1024 bytes.";
		case BP_RANGE_TOO_MANY:
			return "Range has more than 64 comparators or more than 32 alternatives.";
		case BP_RANGE_BAD_OPERATOR:
			return "Unknown comparison operator; use =, <, <=, >, >=, ~ or ^.";
		case BP_RANGE_BAD_VERSION:
			return "Invalid version in range.";
		case BP_RANGE_EMPTY_SET:
			return "Empty alternative next to \"||\".";
		case BP_RANGE_BAD_HYPHEN:
			return "A hyphen range needs a version on each side and nothing else in its alternative.";
	}
	return "Unknown range error.";
}

/* ---- ranges: membership and text --------------------------------------- */

static bool
comparator_test(const bp_comparator *c, const bp_semver *v)
{
	int			cmp = bp_semver_compare(v, &c->version);

	switch (c->op)
	{
		case BP_OP_EQ:
			return cmp == 0;
		case BP_OP_LT:
			return cmp < 0;
		case BP_OP_LE:
			return cmp <= 0;
		case BP_OP_GT:
			return cmp > 0;
		case BP_OP_GE:
			return cmp >= 0;
	}
	return false;
}

static bool
range_test(const bp_semver_range *range, const bp_semver *version, bool prerelease_rule)
{
	size_t		start = 0;

	for (size_t i = 0; i < range->n_sets; i++)
	{
		size_t		end = range->set_end[i];
		bool		ok = true;

		for (size_t j = start; j < end && ok; j++)
			ok = comparator_test(&range->comparators[j], version);

		/*
		 * node-semver's prerelease rule: a prerelease only matches a set
		 * that names a prerelease of the same major.minor.patch, so ^1.2.3
		 * does not pull in 1.3.0-alpha.
		 */
		if (ok && prerelease_rule && version->pre_len > 0)
		{
			ok = false;
			for (size_t j = start; j < end && !ok; j++)
			{
				const bp_semver *c = &range->comparators[j].version;

				ok = c->pre_len > 0 && c->major == version->major &&
					c->minor == version->minor && c->patch == version->patch;
			}
		}
		if (ok)
			return true;
		start = end;
	}
	return false;
}

bool
bp_semver_range_satisfies(const bp_semver_range *range, const bp_semver *version)
{
	return range_test(range, version, true);
}

bool
bp_semver_range_covers(const bp_semver_range *range, const bp_semver *version)
{
	return range_test(range, version, false);
}

size_t
bp_semver_range_format(const bp_semver_range *range, char *buf, size_t cap)
{
	static const char *const op_text[] = {"", "<", "<=", ">", ">="};
	out_buf		o = {buf, cap, 0};
	size_t		start = 0;

	for (size_t i = 0; i < range->n_sets; i++)
	{
		size_t		end = range->set_end[i];

		if (i > 0)
			put_str(&o, " || ");
		if (end == start)
			put_str(&o, "*");
		for (size_t j = start; j < end; j++)
		{
			const bp_comparator *c = &range->comparators[j];

			if (j > start)
				put_str(&o, " ");
			if ((size_t) c->op < sizeof(op_text) / sizeof(op_text[0]))
				put_str(&o, op_text[c->op]);
			put_version(&o, &c->version, false);
		}
		start = end;
	}
	return put_finish(&o);
}

/* One end of the interval a comparator set allows. */
typedef struct bound
{
	const bp_semver *v;			/* NULL: unbounded */
	bool		strict;
} bound;

static bool
set_is_empty(const bp_comparator *c, size_t n)
{
	bound		lo = {NULL, false};
	bound		hi = {NULL, false};
	int			d;

	for (size_t i = 0; i < n; i++)
	{
		const bp_semver *v = &c[i].version;
		bool		lower = c[i].op == BP_OP_GT || c[i].op == BP_OP_GE || c[i].op == BP_OP_EQ;
		bool		upper = c[i].op == BP_OP_LT || c[i].op == BP_OP_LE || c[i].op == BP_OP_EQ;

		if (lower)
		{
			bool		strict = c[i].op == BP_OP_GT;

			d = lo.v ? bp_semver_compare(v, lo.v) : 1;
			if (d > 0 || (d == 0 && strict))
				lo = (bound) {v, strict};
		}
		if (upper)
		{
			bool		strict = c[i].op == BP_OP_LT;

			d = hi.v ? bp_semver_compare(v, hi.v) : -1;
			if (d < 0 || (d == 0 && strict))
				hi = (bound) {v, strict};
		}
	}
	/* Nothing sorts below 0.0.0-0. */
	if (hi.v && hi.strict && hi.v->major == 0 && hi.v->minor == 0 && hi.v->patch == 0 &&
		hi.v->pre_len == 1 && hi.v->pre[0] == '0')
		return true;
	if (lo.v == NULL || hi.v == NULL)
		return false;
	d = bp_semver_compare(lo.v, hi.v);
	return d > 0 || (d == 0 && (lo.strict || hi.strict));
}

bool
bp_semver_range_is_empty(const bp_semver_range *range)
{
	size_t		start = 0;

	for (size_t i = 0; i < range->n_sets; i++)
	{
		if (!set_is_empty(&range->comparators[start], range->set_end[i] - start))
			return false;
		start = range->set_end[i];
	}
	return true;
}
