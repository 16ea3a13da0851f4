/*
 * fuzz_semver.c — bp_semver_parse, bp_semver_format, bp_semver_compare(_full).
 *
 * Input: up to three versions separated by '\n' (which no version contains).
 * Properties, for each part that parses:
 *   - the parser is strict, so the canonical text is the input itself:
 *     format(parse(s)) == s, and parse(format(v)) == v field by field;
 *   - format is snprintf-like at every capacity: same return value, a
 *     NUL-terminated prefix;
 *   - the parsed pointers lie inside the input;
 * and between parts:
 *   - compare agrees with a reference written from semver.org section 11;
 *   - compare and compare_full are antisymmetric and reflexive;
 *   - compare_full is 0 exactly when the texts are equal, compare exactly
 *     when they are equal without build metadata;
 *   - both are transitive over the three parts.
 * On error the output is zeroed.
 */
#include <stdint.h>
#include <string.h>

#include "semver.h"
#include "fuzz.h"

#define MAX_PARTS 3

/* Length of the text without "+build". */
static size_t
without_build(const char *s, size_t n)
{
	const char *plus = memchr(s, '+', n);

	return plus ? (size_t) (plus - s) : n;
}

/*
 * Reference precedence (semver.org section 11) on two valid version texts,
 * written from the spec: numbers compared as integers, then no prerelease
 * above any prerelease, then identifier by identifier (numeric below
 * alphanumeric, numbers by value, others by ASCII), a longer list above
 * its prefix; build metadata ignored.
 */
static uint64_t
ref_number(const char **p, const char *end)
{
	uint64_t	v = 0;

	while (*p < end && **p >= '0' && **p <= '9')
		v = v * 10 + (uint64_t) (*(*p)++ - '0');
	return v;
}

static bool
ref_numeric(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

static int
ref_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + without_build(a, alen);
	const char *be = b + without_build(b, blen);
	const char *ap = a;
	const char *bp = b;
	const char *apre;
	const char *bpre;

	for (int i = 0; i < 3; i++)
	{
		uint64_t	x = ref_number(&ap, ae);
		uint64_t	y = ref_number(&bp, be);

		if (x != y)
			return x < y ? -1 : 1;
		if (i < 2)
			ap++, bp++;			/* the dots */
	}
	/* ap, bp: at '-' or the end */
	if (ap == ae || bp == be)
		return (ap == ae) - (bp == be);
	apre = ap + 1;
	bpre = bp + 1;
	for (;;)
	{
		const char *adot = memchr(apre, '.', (size_t) (ae - apre));
		const char *bdot = memchr(bpre, '.', (size_t) (be - bpre));
		size_t		an = (size_t) ((adot ? adot : ae) - apre);
		size_t		bn = (size_t) ((bdot ? bdot : be) - bpre);
		bool		anum = ref_numeric(apre, an);
		bool		bnum = ref_numeric(bpre, bn);
		int			c;

		if (anum && bnum)
		{
			const char *x = apre;
			const char *y = bpre;
			uint64_t	xv = ref_number(&x, apre + an);
			uint64_t	yv = ref_number(&y, bpre + bn);

			c = xv < yv ? -1 : xv > yv;
		}
		else if (anum || bnum)
			c = anum ? -1 : 1;
		else
		{
			size_t		n = an < bn ? an : bn;

			c = memcmp(apre, bpre, n);
			c = c != 0 ? (c < 0 ? -1 : 1) : (an > bn) - (an < bn);
		}
		if (c != 0)
			return c;
		if (adot == NULL || bdot == NULL)
			return (adot != NULL) - (bdot != NULL);
		apre = adot + 1;
		bpre = bdot + 1;
	}
}

static int
sign_of(int c)
{
	return (c > 0) - (c < 0);
}

static void
check_one(const char *s, size_t n, bp_semver *v, bool *ok)
{
	bp_semver_status st = bp_semver_parse(s, n, v);
	char		buf[BP_SEMVER_MAX_LEN + 1];
	size_t		len;

	*ok = st == BP_SEMVER_OK;
	FUZZ_ASSERT(bp_semver_strerror(st) != NULL);
	if (!*ok)
	{
		bp_semver	zero;

		memset(&zero, 0, sizeof(zero));
		FUZZ_ASSERT(memcmp(v, &zero, sizeof(zero)) == 0);
		return;
	}
	FUZZ_ASSERT(n <= BP_SEMVER_MAX_LEN);
	FUZZ_ASSERT(v->pre_len == 0 || (v->pre > s && v->pre + v->pre_len <= s + n));
	FUZZ_ASSERT(v->build_len == 0 || (v->build > s && v->build + v->build_len == s + n));

	/* format(parse(s)) == s */
	len = bp_semver_format(v, buf, sizeof(buf));
	FUZZ_ASSERT_MSG(len == n && memcmp(buf, s, n) == 0 && buf[n] == '\0',
					"\"%.*s\" formats as \"%s\"", (int) n, s, buf);

	/* parse(format(v)) == v */
	{
		char	   *copy = fuzz_dup(buf, len);
		bp_semver	w;

		FUZZ_ASSERT(bp_semver_parse(copy, len, &w) == BP_SEMVER_OK);
		FUZZ_ASSERT(w.major == v->major && w.minor == v->minor && w.patch == v->patch);
		FUZZ_ASSERT(w.pre_len == v->pre_len && w.build_len == v->build_len);
		FUZZ_ASSERT(w.pre_len == 0 || memcmp(w.pre, v->pre, w.pre_len) == 0);
		FUZZ_ASSERT(w.build_len == 0 || memcmp(w.build, v->build, w.build_len) == 0);
		FUZZ_ASSERT(bp_semver_compare_full(v, &w) == 0);
		free(copy);
	}

	/* snprintf semantics at every capacity, into exact-size heap buffers */
	for (size_t cap = 0; cap <= len + 1; cap++)
	{
		char	   *small = cap ? fuzz_malloc(cap) : NULL;
		size_t		need = bp_semver_format(v, small, cap);

		FUZZ_ASSERT(need == len);
		if (cap > 0)
		{
			size_t		kept = cap - 1 < len ? cap - 1 : len;

			FUZZ_ASSERT(memcmp(small, s, kept) == 0 && small[kept] == '\0');
		}
		free(small);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *part[MAX_PARTS];
	size_t		part_len[MAX_PARTS];
	bp_semver	v[MAX_PARTS];
	bool		ok[MAX_PARTS];
	int			n_parts = 0;
	const uint8_t *rest = data;
	size_t		rest_len = size;

	while (n_parts < MAX_PARTS && rest != NULL)
	{
		size_t		head;
		const uint8_t *tail;
		size_t		tail_len;

		fuzz_split(rest, rest_len, '\n', &head, &tail, &tail_len);
		if (n_parts == MAX_PARTS - 1)
			head = rest_len;	/* the last part takes everything left */
		part[n_parts] = fuzz_dup(rest, head);
		part_len[n_parts] = head;
		check_one(part[n_parts], head, &v[n_parts], &ok[n_parts]);
		n_parts++;
		rest = n_parts < MAX_PARTS ? tail : NULL;
		rest_len = tail_len;
	}

	for (int a = 0; a < n_parts; a++)
	{
		if (!ok[a])
			continue;
		FUZZ_ASSERT(bp_semver_compare(&v[a], &v[a]) == 0);
		FUZZ_ASSERT(bp_semver_compare_full(&v[a], &v[a]) == 0);
		for (int b = 0; b < n_parts; b++)
		{
			int			c,
						cf;
			bool		same_text,
						same_precedence_text;

			if (!ok[b])
				continue;
			c = bp_semver_compare(&v[a], &v[b]);
			cf = bp_semver_compare_full(&v[a], &v[b]);
			FUZZ_ASSERT(sign_of(c) == -sign_of(bp_semver_compare(&v[b], &v[a])));
			FUZZ_ASSERT_MSG(sign_of(c) == ref_compare(part[a], part_len[a], part[b], part_len[b]),
							"%.*s vs %.*s: %d, reference %d", (int) part_len[a], part[a],
							(int) part_len[b], part[b], c,
							ref_compare(part[a], part_len[a], part[b], part_len[b]));
			FUZZ_ASSERT(sign_of(cf) == -sign_of(bp_semver_compare_full(&v[b], &v[a])));
			/* compare_full refines compare */
			FUZZ_ASSERT(c == 0 || sign_of(cf) == sign_of(c));
			same_text = part_len[a] == part_len[b] &&
				memcmp(part[a], part[b], part_len[a]) == 0;
			same_precedence_text =
				without_build(part[a], part_len[a]) == without_build(part[b], part_len[b]) &&
				memcmp(part[a], part[b], without_build(part[a], part_len[a])) == 0;
			FUZZ_ASSERT((cf == 0) == same_text);
			FUZZ_ASSERT((c == 0) == same_precedence_text);
			for (int d = 0; d < n_parts; d++)
			{
				if (!ok[d])
					continue;
				if (c <= 0 && bp_semver_compare(&v[b], &v[d]) <= 0)
					FUZZ_ASSERT(bp_semver_compare(&v[a], &v[d]) <= 0);
				if (cf <= 0 && bp_semver_compare_full(&v[b], &v[d]) <= 0)
					FUZZ_ASSERT(bp_semver_compare_full(&v[a], &v[d]) <= 0);
			}
		}
	}
	for (int i = 0; i < n_parts; i++)
		free(part[i]);
	return 0;
}
