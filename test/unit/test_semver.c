/*
 * test_semver.c — unit tests for src/core/semver.c.
 *
 * The range tables follow node-semver 7's documented behaviour and the
 * spirit of its range-include/range-exclude/range-parse fixtures (default
 * options).  Rows that differ from node on purpose are marked "ours".
 */
#include "semver.h"
#include "unit.h"

#include <ctype.h>
#include <stdbool.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const status_name[] = {
	"OK", "EMPTY", "TOO_LONG", "MISSING_PART", "BAD_NUMBER", "LEADING_ZERO",
	"OVERFLOW", "BAD_PRERELEASE", "BAD_BUILD", "TRAILING"
};

static const char *const range_status_name[] = {
	"OK", "EMPTY", "TOO_LONG", "TOO_MANY", "BAD_OPERATOR", "BAD_VERSION",
	"EMPTY_SET", "BAD_HYPHEN"
};

/* Parse a version the test knows is valid. */
static bp_semver
V(const char *text)
{
	bp_semver	v;
	bp_semver_status st = bp_semver_parse(text, strlen(text), &v);

	CHECK_MSG(st == BP_SEMVER_OK, "fixture version \"%s\" did not parse (%d)", text, (int) st);
	return v;
}

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

/* ---- versions: the semver.org corpus ----------------------------------- */

static const char *const valid_versions[] = {
	"0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta",
	"1.1.2+meta-valid", "1.0.0-alpha", "1.0.0-beta", "1.0.0-alpha.beta",
	"1.0.0-alpha.beta.1", "1.0.0-alpha.1", "1.0.0-alpha0.valid",
	"1.0.0-alpha.0valid", "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
	"1.0.0-rc.1+build.1", "2.0.0-rc.1+build.123", "1.2.3-beta",
	"10.2.3-DEV-SNAPSHOT", "1.2.3-SNAPSHOT-123", "1.0.0", "2.0.0", "1.1.7",
	"2.0.0+build.1848", "2.0.1-alpha.1227", "1.0.0-alpha+beta",
	"1.2.3----RC-SNAPSHOT.12.9.1--.12+788", "1.2.3----R-S.12.9.1--.12+meta",
	"1.2.3----RC-SNAPSHOT.12.9.1--.12", "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
	"1.0.0-0A.is.legal",
	/* a few more edges of our own */
	"0.0.0", "0.0.0-0", "1.2.3--", "1.2.3-0", "1.2.3+007", "1.2.3-a.0.b",
	"2147483647.2147483647.2147483647", "1.2.3-2147483647", "1.2.3-x.2147483648a",
};

typedef struct bad_version
{
	const char *text;
	bp_semver_status status;
} bad_version;

static const bad_version invalid_versions[] = {
	{"1", BP_SEMVER_MISSING_PART},
	{"1.2", BP_SEMVER_MISSING_PART},
	{"1.2.3-0123", BP_SEMVER_LEADING_ZERO},
	{"1.2.3-0123.0123", BP_SEMVER_LEADING_ZERO},
	{"1.1.2+.123", BP_SEMVER_BAD_BUILD},
	{"+invalid", BP_SEMVER_BAD_NUMBER},
	{"-invalid", BP_SEMVER_BAD_NUMBER},
	{"-invalid+invalid", BP_SEMVER_BAD_NUMBER},
	{"-invalid.01", BP_SEMVER_BAD_NUMBER},
	{"alpha", BP_SEMVER_BAD_NUMBER},
	{"alpha.beta", BP_SEMVER_BAD_NUMBER},
	{"alpha.beta.1", BP_SEMVER_BAD_NUMBER},
	{"alpha.1", BP_SEMVER_BAD_NUMBER},
	{"alpha+beta", BP_SEMVER_BAD_NUMBER},
	{"alpha_beta", BP_SEMVER_BAD_NUMBER},
	{"alpha.", BP_SEMVER_BAD_NUMBER},
	{"alpha..", BP_SEMVER_BAD_NUMBER},
	{"beta", BP_SEMVER_BAD_NUMBER},
	{"1.0.0-alpha_beta", BP_SEMVER_BAD_PRERELEASE},
	{"-alpha.", BP_SEMVER_BAD_NUMBER},
	{"1.0.0-alpha..", BP_SEMVER_BAD_PRERELEASE},
	{"1.0.0-alpha..1", BP_SEMVER_BAD_PRERELEASE},
	{"1.0.0-alpha...1", BP_SEMVER_BAD_PRERELEASE},
	{"1.0.0-alpha....1", BP_SEMVER_BAD_PRERELEASE},
	{"1.0.0-alpha.....1", BP_SEMVER_BAD_PRERELEASE},
	{"1.0.0-alpha......1", BP_SEMVER_BAD_PRERELEASE},
	{"1.0.0-alpha.......1", BP_SEMVER_BAD_PRERELEASE},
	{"01.1.1", BP_SEMVER_LEADING_ZERO},
	{"1.01.1", BP_SEMVER_LEADING_ZERO},
	{"1.1.01", BP_SEMVER_LEADING_ZERO},
	{"1.2.3.DEV", BP_SEMVER_TRAILING},
	{"1.2-SNAPSHOT", BP_SEMVER_MISSING_PART},
	{"1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788", BP_SEMVER_TRAILING},
	{"1.2-RC-SNAPSHOT", BP_SEMVER_MISSING_PART},
	{"-1.0.3-gamma+b7718", BP_SEMVER_BAD_NUMBER},
	{"+justmeta", BP_SEMVER_BAD_NUMBER},
	{"9.8.7+meta+meta", BP_SEMVER_BAD_BUILD},
	{"9.8.7-whatever+meta+meta", BP_SEMVER_BAD_BUILD},
	{"99999999999999999999999.999999999999999999.99999999999999999", BP_SEMVER_OVERFLOW},
	/* our own */
	{"", BP_SEMVER_EMPTY},
	{"v1.2.3", BP_SEMVER_BAD_NUMBER},
	{"=1.2.3", BP_SEMVER_BAD_NUMBER},
	{" 1.2.3", BP_SEMVER_BAD_NUMBER},
	{"1.2.3 ", BP_SEMVER_TRAILING},
	{"1.2.3\n", BP_SEMVER_TRAILING},
	{"1.2.3-beta ", BP_SEMVER_BAD_PRERELEASE},
	{"1.2.3+b ", BP_SEMVER_BAD_BUILD},
	{"1.2.", BP_SEMVER_BAD_NUMBER},
	{"1..3", BP_SEMVER_BAD_NUMBER},
	{"1.2.3a", BP_SEMVER_BAD_NUMBER},
	{"1a.2.3", BP_SEMVER_BAD_NUMBER},
	{"1.2.x", BP_SEMVER_BAD_NUMBER},
	{"1.2.*", BP_SEMVER_BAD_NUMBER},
	{"1.2.3-", BP_SEMVER_BAD_PRERELEASE},
	{"1.2.3+", BP_SEMVER_BAD_BUILD},
	{"1.2.3-a.", BP_SEMVER_BAD_PRERELEASE},
	{"1.2.3+a.", BP_SEMVER_BAD_BUILD},
	{"1.2.3-+b", BP_SEMVER_BAD_PRERELEASE},
	{"1.2.3-00", BP_SEMVER_LEADING_ZERO},
	{"00.0.0", BP_SEMVER_LEADING_ZERO},
	{"2147483648.0.0", BP_SEMVER_OVERFLOW},
	{"0.2147483648.0", BP_SEMVER_OVERFLOW},
	{"0.0.2147483648", BP_SEMVER_OVERFLOW},
	{"0.0.4294967296", BP_SEMVER_OVERFLOW},
	{"0.0.18446744073709551617", BP_SEMVER_OVERFLOW},
	{"1.2.3-2147483648", BP_SEMVER_OVERFLOW},
	{"1.2.3-a.99999999999999999999", BP_SEMVER_OVERFLOW},
	{"1.2.3-é", BP_SEMVER_BAD_PRERELEASE},
	{"1,2,3", BP_SEMVER_MISSING_PART},
	{"1.2.3,", BP_SEMVER_TRAILING},
};

static void
test_version_corpus(void)
{
	char		buf[BP_SEMVER_MAX_LEN + 1];

	for (size_t i = 0; i < LEN(valid_versions); i++)
	{
		const char *t = valid_versions[i];
		bp_semver	v;
		bp_semver_status st = bp_semver_parse(t, strlen(t), &v);

		CHECK_MSG(st == BP_SEMVER_OK, "\"%s\" should be valid, got %s", t, status_name[st]);
		/* canonical text of a valid version is the input itself */
		CHECK_INT_EQ(bp_semver_format(&v, buf, sizeof(buf)), strlen(t));
		CHECK_STR_EQ(buf, t);
	}
	for (size_t i = 0; i < LEN(invalid_versions); i++)
	{
		const char *t = invalid_versions[i].text;
		bp_semver	v;
		bp_semver_status st = bp_semver_parse(t, strlen(t), &v);

		CHECK_MSG(st == invalid_versions[i].status, "\"%s\": got %s, expected %s",
				  t, status_name[st], status_name[invalid_versions[i].status]);
		/* a failed parse leaves nothing that looks like a version */
		CHECK(v.major == 0 && v.minor == 0 && v.patch == 0 && v.pre_len == 0 && v.build_len == 0);
	}
}

static void
test_version_fields(void)
{
	const char *t = "1.22.333-rc.1+build.007";
	bp_semver	v;

	CHECK_INT_EQ(bp_semver_parse(t, strlen(t), &v), BP_SEMVER_OK);
	CHECK_INT_EQ(v.major, 1);
	CHECK_INT_EQ(v.minor, 22);
	CHECK_INT_EQ(v.patch, 333);
	CHECK_INT_EQ(v.pre_len, 4);
	CHECK(v.pre == t + 9);
	CHECK(memcmp(v.pre, "rc.1", 4) == 0);
	CHECK_INT_EQ(v.build_len, 9);
	CHECK(v.build == t + 14);
	CHECK(memcmp(v.build, "build.007", 9) == 0);

	CHECK_INT_EQ(bp_semver_parse("4.5.6", 5, &v), BP_SEMVER_OK);
	CHECK_INT_EQ(v.pre_len, 0);
	CHECK_INT_EQ(v.build_len, 0);

	/* the largest numbers parse, one more overflows */
	v = V("2147483647.0.1");
	CHECK_INT_EQ(v.major, 2147483647);
	CHECK_INT_EQ(bp_semver_parse("2147483648.0.1", 14, &v), BP_SEMVER_OVERFLOW);
	v = V("0.2147483647.0");
	CHECK_INT_EQ(v.minor, 2147483647);
	v = V("0.0.2147483647");
	CHECK_INT_EQ(v.patch, 2147483647);
	/* leading zero is reported before overflow */
	CHECK_INT_EQ(bp_semver_parse("09999999999.0.0", 15, &v), BP_SEMVER_LEADING_ZERO);
}

static void
test_version_lengths(void)
{
	char		big[BP_SEMVER_MAX_LEN + 2];
	char		out[BP_SEMVER_MAX_LEN + 2];
	bp_semver	v;
	size_t		n;

	/* exactly BP_SEMVER_MAX_LEN bytes: "1.0.0-aaaa..." */
	memcpy(big, "1.0.0-", 6);
	memset(big + 6, 'a', sizeof(big) - 6);
	CHECK_INT_EQ(bp_semver_parse(big, BP_SEMVER_MAX_LEN, &v), BP_SEMVER_OK);
	CHECK_INT_EQ(v.pre_len, BP_SEMVER_MAX_LEN - 6);
	n = bp_semver_format(&v, out, sizeof(out));
	CHECK_INT_EQ(n, BP_SEMVER_MAX_LEN);
	CHECK(memcmp(out, big, BP_SEMVER_MAX_LEN) == 0 && out[BP_SEMVER_MAX_LEN] == '\0');
	CHECK_INT_EQ(bp_semver_parse(big, BP_SEMVER_MAX_LEN + 1, &v), BP_SEMVER_TOO_LONG);

	CHECK_INT_EQ(bp_semver_parse("", 0, &v), BP_SEMVER_EMPTY);
	CHECK_INT_EQ(bp_semver_parse(NULL, 0, &v), BP_SEMVER_EMPTY);

	/* exactly len bytes are read: a prefix of a longer buffer */
	CHECK_INT_EQ(bp_semver_parse("1.2.3-beta", 5, &v), BP_SEMVER_OK);
	CHECK_INT_EQ(v.pre_len, 0);
	CHECK_INT_EQ(bp_semver_parse("1.2.345", 5, &v), BP_SEMVER_OK);
	CHECK_INT_EQ(v.patch, 3);
	CHECK_INT_EQ(bp_semver_parse("1.2.3", 3, &v), BP_SEMVER_MISSING_PART);
	CHECK_INT_EQ(bp_semver_parse("1.2.3", 4, &v), BP_SEMVER_BAD_NUMBER);

	/* an embedded NUL is just an invalid byte */
	CHECK_INT_EQ(bp_semver_parse("1.2.3\0", 6, &v), BP_SEMVER_TRAILING);
	CHECK_INT_EQ(bp_semver_parse("1.2\0.3", 6, &v), BP_SEMVER_MISSING_PART);
	CHECK_INT_EQ(bp_semver_parse("1.2.3-a\0b", 9, &v), BP_SEMVER_BAD_PRERELEASE);
	CHECK_INT_EQ(bp_semver_parse("1.2.3+a\0b", 9, &v), BP_SEMVER_BAD_BUILD);
}

static void
test_version_format(void)
{
	bp_semver	v = V("10.20.30-rc.1+b.2");
	char		buf[64];

	/* snprintf contract: full length always, truncation NUL-terminated */
	CHECK_INT_EQ(bp_semver_format(&v, NULL, 0), 17);
	memset(buf, 'Z', sizeof(buf));
	CHECK_INT_EQ(bp_semver_format(&v, buf, 1), 17);
	CHECK_STR_EQ(buf, "");
	CHECK(buf[1] == 'Z');
	memset(buf, 'Z', sizeof(buf));
	CHECK_INT_EQ(bp_semver_format(&v, buf, 5), 17);
	CHECK_STR_EQ(buf, "10.2");
	CHECK(buf[5] == 'Z');
	CHECK_INT_EQ(bp_semver_format(&v, buf, 17), 17);
	CHECK_STR_EQ(buf, "10.20.30-rc.1+b.");
	CHECK_INT_EQ(bp_semver_format(&v, buf, 18), 17);
	CHECK_STR_EQ(buf, "10.20.30-rc.1+b.2");

	/* a hand-built value formats too */
	{
		bp_semver	h;

		memset(&h, 0, sizeof(h));
		h.major = 2147483647;
		h.minor = 0;
		h.patch = 9;
		CHECK_INT_EQ(bp_semver_format(&h, buf, sizeof(buf)), 14);
		CHECK_STR_EQ(buf, "2147483647.0.9");
	}
}

static void
test_strerror(void)
{
	for (int st = BP_SEMVER_OK; st <= BP_SEMVER_TRAILING; st++)
	{
		const char *m = bp_semver_strerror((bp_semver_status) st);
		size_t		n = m ? strlen(m) : 0;

		CHECK_MSG(n > 1 && isupper((unsigned char) m[0]) && m[n - 1] == '.',
				  "strerror(%d) = \"%s\"", st, m ? m : "(null)");
		for (int other = BP_SEMVER_OK; other < st; other++)
			CHECK(strcmp(m, bp_semver_strerror((bp_semver_status) other)) != 0);
	}
	CHECK_STR_EQ(bp_semver_strerror(BP_SEMVER_LEADING_ZERO), "Numeric part has a leading zero.");
	CHECK(bp_semver_strerror((bp_semver_status) 99) != NULL);

	for (int st = BP_RANGE_OK; st <= BP_RANGE_BAD_HYPHEN; st++)
	{
		const char *m = bp_semver_range_strerror((bp_range_status) st);
		size_t		n = m ? strlen(m) : 0;

		CHECK_MSG(n > 1 && isupper((unsigned char) m[0]) && m[n - 1] == '.',
				  "range_strerror(%d) = \"%s\"", st, m ? m : "(null)");
		for (int other = BP_RANGE_OK; other < st; other++)
			CHECK(strcmp(m, bp_semver_range_strerror((bp_range_status) other)) != 0);
	}
	CHECK(bp_semver_range_strerror((bp_range_status) 99) != NULL);
}

/* ---- precedence -------------------------------------------------------- */

/* Strictly increasing precedence; within a group of equal rank, see below. */
static const char *const ordered[] = {
	"0.0.0-0", "0.0.0-0.0", "0.0.0-1", "0.0.0-a", "0.0.0", "0.0.1", "0.1.0",
	"1.0.0-0", "1.0.0-1", "1.0.0-9", "1.0.0-10", "1.0.0-2147483647",
	"1.0.0--", "1.0.0-0A", "1.0.0-A", "1.0.0-Z", "1.0.0-a",
	/* the semver.org section 11 chain */
	"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
	"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
	"1.0.1", "1.9.0", "1.10.0", "1.10.1", "2.0.0", "2.1.0", "2.1.1",
	"10.0.0", "2147483647.2147483647.2147483647-0", "2147483647.2147483647.2147483647",
};

static void
test_compare(void)
{
	bp_semver	v[LEN(ordered)];
	size_t		n = LEN(ordered);

	for (size_t i = 0; i < n; i++)
		v[i] = V(ordered[i]);

	/* every pair: sign matches index order, antisymmetric, reflexive */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
		{
			int			want = (i > j) - (i < j);
			int			c = bp_semver_compare(&v[i], &v[j]);
			int			cf = bp_semver_compare_full(&v[i], &v[j]);

			CHECK_MSG(sign(c) == want, "compare(%s, %s) = %d, want %d", ordered[i], ordered[j], c, want);
			CHECK_MSG(sign(cf) == want, "compare_full(%s, %s) = %d, want %d", ordered[i], ordered[j], cf, want);
			CHECK(sign(bp_semver_compare(&v[j], &v[i])) == -sign(c));
		}
	/* transitivity over all triples */
	{
		int			bad = 0;

		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++)
				for (size_t k = 0; k < n; k++)
					if (bp_semver_compare(&v[i], &v[j]) < 0 &&
						bp_semver_compare(&v[j], &v[k]) < 0 &&
						!(bp_semver_compare(&v[i], &v[k]) < 0))
						bad++;
		CHECK_INT_EQ(bad, 0);
	}

	/* build metadata: ignored by compare, a tie-break for compare_full */
	{
		bp_semver	a = V("1.0.0+a");
		bp_semver	b = V("1.0.0+b");
		bp_semver	none = V("1.0.0");
		bp_semver	ab = V("1.0.0+a.b");
		bp_semver	pa = V("1.0.0-rc.1+a");
		bp_semver	pb = V("1.0.0-rc.1+zzz");
		bp_semver	d1 = V("1.0.0+001");
		bp_semver	d2 = V("1.0.0+1");

		CHECK_INT_EQ(bp_semver_compare(&a, &b), 0);
		CHECK_INT_EQ(bp_semver_compare(&a, &none), 0);
		CHECK_INT_EQ(bp_semver_compare(&pa, &pb), 0);
		CHECK(bp_semver_compare_full(&a, &b) < 0);
		CHECK(bp_semver_compare_full(&b, &a) > 0);
		CHECK(bp_semver_compare_full(&none, &a) < 0);
		CHECK(bp_semver_compare_full(&a, &ab) < 0);
		CHECK(bp_semver_compare_full(&pa, &pb) < 0);
		CHECK(bp_semver_compare_full(&d1, &d2) < 0);
		CHECK_INT_EQ(bp_semver_compare_full(&a, &a), 0);
		/* precedence still dominates the build */
		CHECK(bp_semver_compare_full(&pb, &a) < 0);
	}

	/* numeric prerelease identifiers compare as numbers, not text */
	{
		bp_semver	a = V("1.0.0-2");
		bp_semver	b = V("1.0.0-10");
		bp_semver	c = V("1.0.0-a.2");
		bp_semver	d = V("1.0.0-a.10");
		bp_semver	e = V("1.0.0-1a");
		bp_semver	f = V("1.0.0-10a");

		CHECK(bp_semver_compare(&a, &b) < 0);
		CHECK(bp_semver_compare(&c, &d) < 0);
		/* "1a" and "10a" are alphanumeric: ASCII order, 'a' > '0' */
		CHECK(bp_semver_compare(&e, &f) > 0);
		CHECK(bp_semver_compare(&f, &e) < 0);
	}
}

/* ---- ranges: membership ------------------------------------------------ */

typedef struct sat_case
{
	const char *range;
	const char *version;
	bool		want;
} sat_case;

static const sat_case sat_cases[] = {
	/* node-semver range-include */
	{"1.0.0 - 2.0.0", "1.2.3", true},
	{"^1.2.3+build", "1.2.3", true},
	{"^1.2.3+build", "1.3.0", true},
	{"1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3", true},
	{"1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3-pre.2", true},
	{"1.2.3-pre+asdf - 2.4.3-pre+asdf", "2.4.3-alpha", true},
	{"1.2.3+asdf - 2.4.3+asdf", "1.2.3", true},
	{"1.0.0", "1.0.0", true},
	{">=*", "0.2.4", true},
	{"*", "1.2.3", true},
	{">=1.0.0", "1.0.0", true},
	{">=1.0.0", "1.0.1", true},
	{">=1.0.0", "1.1.0", true},
	{">1.0.0", "1.0.1", true},
	{">1.0.0", "1.1.0", true},
	{"<=2.0.0", "2.0.0", true},
	{"<=2.0.0", "1.9999.9999", true},
	{"<=2.0.0", "0.2.9", true},
	{"<2.0.0", "1.9999.9999", true},
	{"<2.0.0", "0.2.9", true},
	{">= 1.0.0", "1.0.0", true},
	{">=  1.0.0", "1.0.1", true},
	{">=   1.0.0", "1.1.0", true},
	{"> 1.0.0", "1.0.1", true},
	{">  1.0.0", "1.1.0", true},
	{"<=   2.0.0", "2.0.0", true},
	{"<= 2.0.0", "1.9999.9999", true},
	{"<=  2.0.0", "0.2.9", true},
	{"<    2.0.0", "1.9999.9999", true},
	{"<\t2.0.0", "0.2.9", true},
	{">=0.1.97", "0.1.97", true},
	{"0.1.20 || 1.2.4", "1.2.4", true},
	{">=0.2.3 || <0.0.1", "0.0.0", true},
	{">=0.2.3 || <0.0.1", "0.2.3", true},
	{">=0.2.3 || <0.0.1", "0.2.4", true},
	{"2.x.x", "2.1.3", true},
	{"1.2.x", "1.2.3", true},
	{"1.2.x || 2.x", "2.1.3", true},
	{"1.2.x || 2.x", "1.2.3", true},
	{"x", "1.2.3", true},
	{"2.*.*", "2.1.3", true},
	{"1.2.*", "1.2.3", true},
	{"1.2.* || 2.*", "2.1.3", true},
	{"1.2.* || 2.*", "1.2.3", true},
	{"2", "2.1.2", true},
	{"2.3", "2.3.1", true},
	{"~0.0.1", "0.0.1", true},
	{"~0.0.1", "0.0.2", true},
	{"~x", "0.0.9", true},
	{"~2", "2.0.9", true},
	{"~2.4", "2.4.0", true},
	{"~2.4", "2.4.5", true},
	{"~>3.2.1", "3.2.2", true},
	{"~1", "1.2.3", true},
	{"~>1", "1.2.3", true},
	{"~> 1", "1.2.3", true},
	{"~1.0", "1.0.2", true},
	{"~ 1.0", "1.0.2", true},
	{"~ 1.0.3", "1.0.12", true},
	{">=1", "1.0.0", true},
	{">= 1", "1.0.0", true},
	{"<1.2", "1.1.1", true},
	{"< 1.2", "1.1.1", true},
	{"=0.7.x", "0.7.2", true},
	{"<=0.7.x", "0.7.2", true},
	{">=0.7.x", "0.7.2", true},
	{"<=0.7.x", "0.6.2", true},
	{"~1.2.1 >=1.2.3", "1.2.3", true},
	{"~1.2.1 =1.2.3", "1.2.3", true},
	{"~1.2.1 1.2.3", "1.2.3", true},
	{"~1.2.1 >=1.2.3 1.2.3", "1.2.3", true},
	{"~1.2.1 1.2.3 >=1.2.3", "1.2.3", true},
	{">=1.2.1 1.2.3", "1.2.3", true},
	{"1.2.3 >=1.2.1", "1.2.3", true},
	{">=1.2.3 >=1.2.1", "1.2.3", true},
	{">=1.2.1 >=1.2.3", "1.2.3", true},
	{">=1.2", "1.2.8", true},
	{"^1.2.3", "1.8.1", true},
	{"^0.1.2", "0.1.2", true},
	{"^0.1", "0.1.2", true},
	{"^0.0.1", "0.0.1", true},
	{"^1.2", "1.4.2", true},
	{"^1.2 ^1", "1.4.2", true},
	{"^1.2.3-alpha", "1.2.3-pre", true},
	{"^1.2.0-alpha", "1.2.0-pre", true},
	{"^0.0.1-alpha", "0.0.1-beta", true},
	{"^0.0.1-alpha", "0.0.1", true},
	{"^0.1.1-alpha", "0.1.1-beta", true},
	{"^x", "1.2.3", true},
	{"x - 1.0.0", "0.9.7", true},
	{"x - 1.x", "0.9.7", true},
	{"1.0.0 - x", "1.9.7", true},
	{"1.x - x", "1.9.7", true},
	{"<=7.x", "7.9.9", true},
	/* node-semver range-exclude */
	{"1.0.0 - 2.0.0", "2.2.3", false},
	{"1.2.3+asdf - 2.4.3+asdf", "1.2.3-pre.2", false},
	{"1.2.3+asdf - 2.4.3+asdf", "2.4.3-alpha", false},
	{"^1.2.3+build", "2.0.0", false},
	{"^1.2.3+build", "1.2.0", false},
	{"^1.2.3", "1.2.3-pre", false},
	{"^1.2", "1.2.0-pre", false},
	{">1.2", "1.3.0-beta", false},
	{"<=1.2.3", "1.2.3-beta", false},
	{"^1.2.3", "1.2.3-beta", false},
	{"=0.7.x", "0.7.0-asdf", false},
	{">=0.7.x", "0.7.0-asdf", false},
	{"<=0.7.x", "0.7.0-asdf", false},
	{"1.0.0", "1.0.1", false},
	{">=1.0.0", "0.0.0", false},
	{">=1.0.0", "0.0.1", false},
	{">=1.0.0", "0.1.0", false},
	{">1.0.0", "0.0.1", false},
	{">1.0.0", "0.1.0", false},
	{"<=2.0.0", "3.0.0", false},
	{"<=2.0.0", "2.9999.9999", false},
	{"<=2.0.0", "2.2.9", false},
	{"<2.0.0", "2.9999.9999", false},
	{"<2.0.0", "2.2.9", false},
	{">=0.1.97", "0.1.93", false},
	{"0.1.20 || 1.2.4", "1.2.3", false},
	{">=0.2.3 || <0.0.1", "0.0.3", false},
	{">=0.2.3 || <0.0.1", "0.2.2", false},
	{"2.x.x", "1.1.3", false},
	{"2.x.x", "3.1.3", false},
	{"1.2.x", "1.3.3", false},
	{"1.2.x || 2.x", "3.1.3", false},
	{"1.2.x || 2.x", "1.1.3", false},
	{"2.*.*", "1.1.3", false},
	{"2.*.*", "3.1.3", false},
	{"1.2.*", "1.3.3", false},
	{"1.2.* || 2.*", "3.1.3", false},
	{"1.2.* || 2.*", "1.1.3", false},
	{"2", "1.1.2", false},
	{"2.3", "2.4.1", false},
	{"~0.0.1", "0.1.0-alpha", false},
	{"~0.0.1", "0.1.0", false},
	{"~2.4", "2.5.0", false},
	{"~2.4", "2.3.9", false},
	{"~>3.2.1", "3.3.2", false},
	{"~>3.2.1", "3.2.0", false},
	{"~1", "0.2.3", false},
	{"~>1", "2.2.3", false},
	{"~1.0", "1.1.0", false},
	{"<1", "1.0.0", false},
	{">=1.2", "1.1.1", false},
	{"=0.7.x", "0.8.2", false},
	{">=0.7.x", "0.6.2", false},
	{"<0.7.x", "0.7.2", false},
	{"<1.2.3", "1.2.3-beta", false},
	{"=1.2.3", "1.2.3-beta", false},
	{">1.2", "1.2.8", false},
	{"^0.0.1", "0.0.2-alpha", false},
	{"^0.0.1", "0.0.2", false},
	{"^1.2.3", "2.0.0-alpha", false},
	{"^1.2.3", "1.2.2", false},
	{"^1.2", "1.1.9", false},
	{"^1.2.3", "2.0.0-pre", false},
	{"^1.0.0", "1.0.0-rc1", false},
	{"^1.0.0", "2.0.0-rc1", false},
	{"^1.2.0-rc2", "2.0.0", false},
	{"1 - 2", "2.0.0-pre", false},
	{"1 - 2", "1.0.0-pre", false},
	{"1.0 - 2", "1.0.0-pre", false},
	{"1.1.x", "1.0.0-a", false},
	{"1.1.x", "1.1.0-a", false},
	{"1.1.x", "1.2.0-a", false},
	{"1.x", "1.0.0-a", false},
	{"1.x", "1.1.0-a", false},
	{"1.x", "1.2.0-a", false},
	{">=1.0.0 <1.1.0", "1.1.0", false},
	{">=1.0.0 <1.1.0", "1.1.0-pre", false},
	{">=1.0.0 <1.1.0-pre", "1.1.0-pre", false},
	/* the brief's examples and the -0 upper bounds */
	{"^1.2.3", "1.2.3", true},
	{"^1.2.3", "1.9.9", true},
	{"^1.2.3", "2.0.0", false},
	{"^0.2.3", "0.2.9", true},
	{"^0.2.3", "0.3.0", false},
	{"^0.0.3", "0.0.3", true},
	{"^0.0.3", "0.0.4", false},
	{"^0.0.x", "0.0.9", true},
	{"^0.0.x", "0.1.0", false},
	{"^0.x", "0.99.0", true},
	{"^0.x", "1.0.0", false},
	{"^0", "0.0.0", true},
	{"^0.0.0", "0.0.0", true},
	{"^0.0.0", "0.0.1", false},
	{"^1.2.3-beta.2", "1.2.3-beta.2", true},
	{"^1.2.3-beta.2", "1.2.3-beta.3", true},
	{"^1.2.3-beta.2", "1.2.3-beta.1", false},
	{"^1.2.3-beta.2", "1.2.3", true},
	{"^1.2.3-beta.2", "1.2.4-beta.2", false},
	{"^1.2.3-beta.2", "3.4.5-alpha.9", false},
	{">=1.2.3-beta.2 <2.0.0-0", "1.2.3-beta.3", true},
	{"~1.2.3", "1.2.9", true},
	{"~1.2.3", "1.3.0", false},
	{"~1.2.3-beta.2", "1.2.3-beta.4", true},
	{"~1.2.3-beta.2", "1.2.4-beta.4", false},
	{"~0.2.3", "0.2.5", true},
	{"~0.2.3", "0.3.0", false},
	{"~1.2", "1.2.0", true},
	{"~1", "1.99.99", true},
	{"~1", "2.0.0", false},
	{"1.x", "1.0.0", true},
	{"1.x", "2.0.0", false},
	{">1", "1.99.99", false},
	{">1", "2.0.0", true},
	{">1.2", "1.3.0", true},
	{"<1.2", "1.2.0", false},
	{"<=1.2", "1.2.99", true},
	{"<=1.2", "1.3.0", false},
	{"<1", "0.99.99", true},
	{"<2.0.0-0", "2.0.0-alpha", false},
	{"<2.0.0", "2.0.0-alpha", false},
	/* "*" and friends */
	{"*", "0.0.0", true},
	{"*", "1.0.0-alpha", false},
	{"X", "2147483647.2147483647.2147483647", true},
	{"x.x.x", "3.4.5", true},
	{">*", "1.0.0", false},
	{"<*", "0.0.0", false},
	{"<*", "0.0.0-0", false},
	{"<=*", "1.0.0", true},
	{"=*", "1.0.0", true},
	{"~*", "1.0.0", true},
	{"^*", "1.0.0", true},
	{"* - *", "1.0.0", true},
	{"<x <* || >* 2.x", "2.0.0", false},
	{">x 2.x || * || <x", "1.0.0", true},
	/* node quirk: once a "*" set exists, the whole range is "*" */
	{"* || 1.2.3-beta", "1.2.3-beta", false},
	{"2.x || 1.2.3-beta", "1.2.3-beta", true},
	/* prerelease rule per set */
	{"1.2.3-alpha || 2.x", "1.2.3-alpha", true},
	{">=1.2.3-alpha <1.2.4 || 2.x", "1.2.3-beta", true},
	{">=1.2.3-alpha <1.2.4 || 2.x", "2.0.0-beta", false},
	{">=2.0.0-alpha || >=1.0.0", "2.0.0-beta", true},
	{">=1.0.0 <=2.0.0-rc.1", "2.0.0-beta", true},
	{">=1.0.0 <=2.0.0-rc.1", "2.0.0-rc.2", false},
	{">=1.0.0 <=2.0.0-rc.1", "1.5.0-beta", false},
	{"1.2.3-beta - 2.0.0", "1.2.3-beta.1", true},
	{"1.2.3-beta - 2.0.0", "2.0.0-beta", false},
	/* build metadata is ignored everywhere */
	{"1.2.3", "1.2.3+build.5", true},
	{"=1.2.3+abc", "1.2.3+xyz", true},
	{">1.2.3+abc", "1.2.3+xyz", false},
	{"<=1.2.3+abc", "1.2.3", true},
	/* node: one "v" before a version in a range; blank text is "*" */
	{"~v1.2.3", "1.2.9", true},
	{"~v1.2.3", "1.3.0", false},
	{">=v1.0.0 <v2", "1.9.9", true},
	{">=v1.0.0 <v2", "2.0.0", false},
	{">=v1.0.0 <v2", "0.9.0", false},
	{"^v1.2", "1.9.0", true},
	{"^v1.2", "1.1.9", false},
	{"v1.2.3", "1.2.3", true},
	{"=v1.2.3", "1.2.3+b", true},
	{"= v1.2.3", "1.2.4", false},
	{"v1.2.3 - v2", "2.9.9", true},
	{"v1.2.3 - v2", "3.0.0", false},
	{"<=v1.2.3-rc.1", "1.2.3-beta", true},
	{"^v0.0.3", "0.0.4", false},
	{"vx", "4.0.0", true},
	{"", "1.0.0", true},
	{"", "1.0.0-rc.1", false},
	{"  ", "0.0.0", true},
	/* ours: commas separate comparators */
	{">=1.2.0,<2.0.0", "1.5.0", true},
	{">=1.2.0,<2.0.0", "2.0.0", false},
	{">=1.2.0,<2.0.0", "1.1.9", false},
	{">=1.2.0, <2.0.0", "1.2.0", true},
	{">=1.2.0 , <2.0.0", "1.9.9", true},
	{">= 1.2.0 ,< 2.0.0", "1.9.9", true},
	{">=1.2.0,<2.0.0 || >=3.0.0,<3.1.0", "3.0.5", true},
	{">=1.2.0,<2.0.0 || >=3.0.0,<3.1.0", "3.1.0", false},
	/* hyphen ranges with partials */
	{"1.2 - 2.3.4", "1.2.0", true},
	{"1.2 - 2.3.4", "2.3.4", true},
	{"1.2 - 2.3.4", "2.3.5", false},
	{"1.2.3 - 2.3", "2.3.99", true},
	{"1.2.3 - 2.3", "2.4.0", false},
	{"1.2.3 - 2", "2.99.0", true},
	{"1.2.3 - 2", "3.0.0", false},
	{"1.2.3 - 2", "1.2.2", false},
	{"1.2.3  -\t2.0.0", "1.5.0", true},
	/* whitespace and duplicate forms */
	{"  ^1.2.3  ", "1.3.0", true},
	{"^ 1.2.3", "1.3.0", true},
	{"~> 1.2.3", "1.2.7", true},
	{"1.2.3||2.0.0", "2.0.0", true},
	{"1.2.3||2.0.0", "1.2.4", false},
	{">=2147483647.0.0", "2147483647.2147483647.2147483647", true},
};

static void
test_satisfies(void)
{
	for (size_t i = 0; i < LEN(sat_cases); i++)
	{
		const sat_case *c = &sat_cases[i];
		bp_semver_range r;
		bp_semver	v;
		size_t		pos = 0;
		bp_range_status st;

		st = bp_semver_range_parse(c->range, strlen(c->range), &r, &pos);
		CHECK_MSG(st == BP_RANGE_OK, "range \"%s\" did not parse: %s at %zu",
				  c->range, range_status_name[st], pos);
		if (st != BP_RANGE_OK)
			continue;
		v = V(c->version);
		CHECK_MSG(bp_semver_range_satisfies(&r, &v) == c->want,
				  "\"%s\" satisfies \"%s\": expected %s", c->version, c->range,
				  c->want ? "true" : "false");
	}
}

/* ---- ranges: canonical text -------------------------------------------- */

typedef struct canon_case
{
	const char *range;
	const char *canonical;
} canon_case;

static const canon_case canon_cases[] = {
	/* the brief's desugaring list */
	{"^1.2.3", ">=1.2.3 <2.0.0-0"},
	{"^0.2.3", ">=0.2.3 <0.3.0-0"},
	{"^0.0.3", ">=0.0.3 <0.0.4-0"},
	{"^1.2.3-beta.2", ">=1.2.3-beta.2 <2.0.0-0"},
	{"^0.0.x", ">=0.0.0 <0.1.0-0"},
	{"^0.x", ">=0.0.0 <1.0.0-0"},
	{"~1.2.3", ">=1.2.3 <1.3.0-0"},
	{"~1.2", ">=1.2.0 <1.3.0-0"},
	{"~1", ">=1.0.0 <2.0.0-0"},
	{"~0.2.3", ">=0.2.3 <0.3.0-0"},
	{"1.x", ">=1.0.0 <2.0.0-0"},
	{"1.2.x", ">=1.2.0 <1.3.0-0"},
	{"*", "*"},
	{"x", "*"},
	{">1", ">=2.0.0"},
	{">1.2", ">=1.3.0"},
	{"<1.2", "<1.2.0-0"},
	{"<=1.2", "<1.3.0-0"},
	{">=1.2", ">=1.2.0"},
	{"<1", "<1.0.0-0"},
	{">*", "<0.0.0-0"},
	{"<*", "<0.0.0-0"},
	{">=*", "*"},
	{"=1.2.3", "1.2.3"},
	{"1.2 - 2.3.4", ">=1.2.0 <=2.3.4"},
	{"1.2.3 - 2.3", ">=1.2.3 <2.4.0-0"},
	{"1.2.3 - 2", ">=1.2.3 <3.0.0-0"},
	/* node-semver range-parse fixtures (" || " instead of "||") */
	{"1.0.0 - 2.0.0", ">=1.0.0 <=2.0.0"},
	{"1 - 2", ">=1.0.0 <3.0.0-0"},
	{"1.0 - 2.0", ">=1.0.0 <2.1.0-0"},
	{"1.0.0", "1.0.0"},
	{">=1.0.0", ">=1.0.0"},
	{">1.0.0", ">1.0.0"},
	{"<=2.0.0", "<=2.0.0"},
	{"1", ">=1.0.0 <2.0.0-0"},
	{"<2.0.0", "<2.0.0"},
	{">= 1.0.0", ">=1.0.0"},
	{">=  1.0.0", ">=1.0.0"},
	{"> 1.0.0", ">1.0.0"},
	{"<=   2.0.0", "<=2.0.0"},
	{"<    2.0.0", "<2.0.0"},
	{"<\t2.0.0", "<2.0.0"},
	{"0.1.20 || 1.2.4", "0.1.20 || 1.2.4"},
	{">=0.2.3 || <0.0.1", ">=0.2.3 || <0.0.1"},
	{"2.x.x", ">=2.0.0 <3.0.0-0"},
	{"1.2.x || 2.x", ">=1.2.0 <1.3.0-0 || >=2.0.0 <3.0.0-0"},
	{"2.*.*", ">=2.0.0 <3.0.0-0"},
	{"1.2.* || 2.*", ">=1.2.0 <1.3.0-0 || >=2.0.0 <3.0.0-0"},
	{"2", ">=2.0.0 <3.0.0-0"},
	{"2.3", ">=2.3.0 <2.4.0-0"},
	{"~2.4", ">=2.4.0 <2.5.0-0"},
	{"~>3.2.1", ">=3.2.1 <3.3.0-0"},
	{"~>1", ">=1.0.0 <2.0.0-0"},
	{"~> 1", ">=1.0.0 <2.0.0-0"},
	{"~1.0", ">=1.0.0 <1.1.0-0"},
	{"~ 1.0", ">=1.0.0 <1.1.0-0"},
	{"^ 1", ">=1.0.0 <2.0.0-0"},
	{"^0.1", ">=0.1.0 <0.2.0-0"},
	{"^1.0", ">=1.0.0 <2.0.0-0"},
	{"^1.2", ">=1.2.0 <2.0.0-0"},
	{"^0.0.1", ">=0.0.1 <0.0.2-0"},
	{"^0.0.1-beta", ">=0.0.1-beta <0.0.2-0"},
	{"^0.1.2", ">=0.1.2 <0.2.0-0"},
	{"^1.2.3-beta.4", ">=1.2.3-beta.4 <2.0.0-0"},
	{"< 1", "<1.0.0-0"},
	{">=1", ">=1.0.0"},
	{">= 1", ">=1.0.0"},
	{"< 1.2", "<1.2.0-0"},
	{"^ 1.2 ^ 1", ">=1.2.0 <2.0.0-0 >=1.0.0"},
	{"1.2 - 3.4.5", ">=1.2.0 <=3.4.5"},
	{"1.2.3 - 3.4", ">=1.2.3 <3.5.0-0"},
	{"1.2 - 3.4", ">=1.2.0 <3.5.0-0"},
	{">X", "<0.0.0-0"},
	{"<X", "<0.0.0-0"},
	{"<x <* || >* 2.x", "<0.0.0-0"},
	{">x 2.x || * || <x", "*"},
	{"=2147483646.0.0", "2147483646.0.0"},
	{"^2147483646.0.0", ">=2147483646.0.0 <2147483647.0.0-0"},
	/* more of node's rules */
	{"=1.x", ">=1.0.0 <2.0.0-0"},
	{"=*", "*"},
	{"<=*", "*"},
	{"~*", "*"},
	{"^*", "*"},
	{"~x.x", "*"},
	{"* - *", "*"},
	{"1.2.3 - *", ">=1.2.3"},
	{"* - 1.2", "<1.3.0-0"},
	{"x - 1.2.3", "<=1.2.3"},
	{"1.2.3-beta - 2.0.0-rc.1", ">=1.2.3-beta <=2.0.0-rc.1"},
	{"1.2.3+b1 - 2.0.0+b2", ">=1.2.3 <=2.0.0"},
	{">1.2.3+build", ">1.2.3"},
	{"1.2.3-rc.1+build", "1.2.3-rc.1"},
	{"~1.2.3-beta.2", ">=1.2.3-beta.2 <1.3.0-0"},
	{"^1.x", ">=1.0.0 <2.0.0-0"},
	{"^1.2.x", ">=1.2.0 <2.0.0-0"},
	{"^0.1.x", ">=0.1.0 <0.2.0-0"},
	{"^0", ">=0.0.0 <1.0.0-0"},
	{"^0.0", ">=0.0.0 <0.1.0-0"},
	{"^0.0.0", ">=0.0.0 <0.0.1-0"},
	{"^0.0.1-rc.1", ">=0.0.1-rc.1 <0.0.2-0"},
	{"^0.1.2-rc.1", ">=0.1.2-rc.1 <0.2.0-0"},
	{"~0", ">=0.0.0 <1.0.0-0"},
	{"~0.0", ">=0.0.0 <0.1.0-0"},
	{"<=1", "<2.0.0-0"},
	{">0", ">=1.0.0"},
	{">=0.0.0", ">=0.0.0"},
	{"<0.0.0-0", "<0.0.0-0"},
	/* a "v" before a version, as node-semver reads it */
	{"~v1.2.3", ">=1.2.3 <1.3.0-0"},
	{">=v1.0.0 <v2", ">=1.0.0 <2.0.0-0"},
	{"^v1.2", ">=1.2.0 <2.0.0-0"},
	{"v1.2.3", "1.2.3"},
	{"=v1.2.3", "1.2.3"},
	{"= v1.2.3", "1.2.3"},
	{">= v1.2.3", ">=1.2.3"},
	{"~>v1.2", ">=1.2.0 <1.3.0-0"},
	{"v1.2.3 - v2", ">=1.2.3 <3.0.0-0"},
	{"v1 - v2.3", ">=1.0.0 <2.4.0-0"},
	{"<=v1.2.3-rc.1", "<=1.2.3-rc.1"},
	{"v1.2.3+build", "1.2.3"},
	{"^v0.0.3", ">=0.0.3 <0.0.4-0"},
	{"v1.x", ">=1.0.0 <2.0.0-0"},
	{"v*", "*"},
	{">v1.2", ">=1.3.0"},
	{"<v1", "<1.0.0-0"},
	{"v1.2.3,<v2", "1.2.3 <2.0.0-0"},
	{"1 || v2", ">=1.0.0 <2.0.0-0 || >=2.0.0 <3.0.0-0"},
	/* blank text is "*" */
	{"", "*"},
	{"   ", "*"},
	{"\t\n", "*"},
	/* duplicates collapse; a null comparator empties its set */
	{"1.2.3 =1.2.3", "1.2.3"},
	{"^1.2.3 ~1.9.0", ">=1.2.3 <2.0.0-0 >=1.9.0 <1.10.0-0"},
	{"^1.2.3 ^1.5.0", ">=1.2.3 <2.0.0-0 >=1.5.0"},
	{">=1.0.0 <* <2.0.0", "<0.0.0-0"},
	{">1 <0.0.0-0 || ^2", ">=2.0.0 <3.0.0-0"},
	{">1 || ^2", ">=2.0.0 || >=2.0.0 <3.0.0-0"},
	{"<* || >*", "<0.0.0-0"},
	{"* >=1.2.3", ">=1.2.3"},
	{"1.2.3 || 1.2.3", "1.2.3 || 1.2.3"},
	/* ours: commas and extra whitespace */
	{">=1.2.0,<2.0.0", ">=1.2.0 <2.0.0"},
	{">=1.2.0, <2.0.0", ">=1.2.0 <2.0.0"},
	{" >=1.2.0 ,\t<2.0.0 ", ">=1.2.0 <2.0.0"},
	{"^1,~1.5||2.x", ">=1.0.0 <2.0.0-0 >=1.5.0 <1.6.0-0 || >=2.0.0 <3.0.0-0"},
	{"\n1.2.3\r\n", "1.2.3"},
};

static void
test_canonical(void)
{
	char		buf[512];

	for (size_t i = 0; i < LEN(canon_cases); i++)
	{
		const canon_case *c = &canon_cases[i];
		bp_semver_range r;
		size_t		pos = 0;
		bp_range_status st = bp_semver_range_parse(c->range, strlen(c->range), &r, &pos);

		CHECK_MSG(st == BP_RANGE_OK, "range \"%s\" did not parse: %s at %zu",
				  c->range, range_status_name[st], pos);
		if (st != BP_RANGE_OK)
			continue;
		CHECK_INT_EQ(bp_semver_range_format(&r, buf, sizeof(buf)), strlen(c->canonical));
		CHECK_MSG(strcmp(buf, c->canonical) == 0, "\"%s\" -> \"%s\", expected \"%s\"",
				  c->range, buf, c->canonical);

		/* the canonical text is itself a range with the same canonical text */
		{
			bp_semver_range again;
			char		buf2[512];

			st = bp_semver_range_parse(buf, strlen(buf), &again, &pos);
			CHECK_MSG(st == BP_RANGE_OK, "canonical \"%s\" did not parse", buf);
			if (st == BP_RANGE_OK)
			{
				bp_semver_range_format(&again, buf2, sizeof(buf2));
				CHECK_MSG(strcmp(buf, buf2) == 0, "\"%s\" re-formats as \"%s\"", buf, buf2);
			}
		}
	}
}

static void
test_range_structure(void)
{
	bp_semver_range r;
	const char *t = "^1.2.3-beta.1 || 2.x || *";
	const char *t2 = "~1.2.3-beta.1 <1.2.5 || >=3.0.0 || 4.x";
	char		buf[17];

	/* the "*" set absorbs the others, as in node-semver */
	CHECK_INT_EQ(bp_semver_range_parse(t, strlen(t), &r, NULL), BP_RANGE_OK);
	CHECK_INT_EQ(r.n_sets, 1);
	CHECK_INT_EQ(r.n_comparators, 0);
	CHECK_INT_EQ(r.set_end[0], 0);

	CHECK_INT_EQ(bp_semver_range_parse(t2, strlen(t2), &r, NULL), BP_RANGE_OK);
	CHECK_INT_EQ(r.n_sets, 3);
	CHECK_INT_EQ(r.n_comparators, 6);
	CHECK_INT_EQ(r.set_end[0], 3);
	CHECK_INT_EQ(r.set_end[1], 4);
	CHECK_INT_EQ(r.set_end[2], 6);
	CHECK_INT_EQ(r.comparators[0].op, BP_OP_GE);
	CHECK_INT_EQ(r.comparators[0].version.patch, 3);
	/* prerelease text points into the input */
	CHECK(r.comparators[0].version.pre == t2 + 7);
	CHECK_INT_EQ(r.comparators[0].version.pre_len, 6);
	CHECK_INT_EQ(r.comparators[1].op, BP_OP_LT);
	CHECK_INT_EQ(r.comparators[1].version.minor, 3);
	CHECK_INT_EQ(r.comparators[1].version.pre_len, 1);
	CHECK(r.comparators[1].version.pre[0] == '0');
	CHECK_INT_EQ(r.comparators[2].op, BP_OP_LT);
	CHECK_INT_EQ(r.comparators[3].op, BP_OP_GE);
	CHECK_INT_EQ(r.comparators[3].version.major, 3);
	CHECK_INT_EQ(r.comparators[5].version.major, 5);
	/* build metadata is dropped from comparators */
	CHECK_INT_EQ(bp_semver_range_parse("=1.2.3+b", 8, &r, NULL), BP_RANGE_OK);
	CHECK_INT_EQ(r.comparators[0].op, BP_OP_EQ);
	CHECK_INT_EQ(r.comparators[0].version.build_len, 0);

	/* range_format is snprintf-like */
	CHECK_INT_EQ(bp_semver_range_parse("^1.2.3", 6, &r, NULL), BP_RANGE_OK);
	CHECK_INT_EQ(bp_semver_range_format(&r, NULL, 0), 16);
	CHECK_INT_EQ(bp_semver_range_format(&r, buf, 16), 16);
	CHECK_STR_EQ(buf, ">=1.2.3 <2.0.0-");
	CHECK_INT_EQ(bp_semver_range_format(&r, buf, 17), 16);
	CHECK_STR_EQ(buf, ">=1.2.3 <2.0.0-0");
	CHECK_INT_EQ(bp_semver_range_format(&r, buf, 1), 16);
	CHECK_STR_EQ(buf, "");

	/* exactly len bytes are read */
	CHECK_INT_EQ(bp_semver_range_parse("1.2.3 || garbage", 5, &r, NULL), BP_RANGE_OK);
	CHECK_INT_EQ(r.n_sets, 1);
	CHECK_INT_EQ(bp_semver_range_format(&r, buf, sizeof(buf)), 5);
	CHECK_STR_EQ(buf, "1.2.3");
}

/* ---- ranges: errors ---------------------------------------------------- */

typedef struct bad_range
{
	const char *range;
	bp_range_status status;
	size_t		pos;
} bad_range;

static const bad_range bad_ranges[] = {
	/* ours: blank is "*" but an empty side of "||" is an error (node: "*") */
	{"||", BP_RANGE_EMPTY_SET, 0},
	{"1.2.3 ||", BP_RANGE_EMPTY_SET, 8},
	{"1.2.3 ||  ", BP_RANGE_EMPTY_SET, 10},
	{"|| 1.2.3", BP_RANGE_EMPTY_SET, 0},
	{"1 || || 2", BP_RANGE_EMPTY_SET, 5},
	{"1 |||| 2", BP_RANGE_EMPTY_SET, 4},
	{"=>1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{"!=1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{"==1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{"<>1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{"=<1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{">>1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{"!1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{"~^1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{">=~1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{"> =1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{"~ >1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{">=1.0.0 =<2.0.0", BP_RANGE_BAD_OPERATOR, 8},
	{"^1.2,!=1.3.0", BP_RANGE_BAD_OPERATOR, 5},
	{"1.2.3 | 2.0.0", BP_RANGE_BAD_OPERATOR, 6},
	{"1 ||| 2", BP_RANGE_BAD_OPERATOR, 4},
	{"1.2.3 -", BP_RANGE_BAD_HYPHEN, 6},
	{"1.2.3 - ", BP_RANGE_BAD_HYPHEN, 6},
	{"- 1.2.3", BP_RANGE_BAD_HYPHEN, 0},
	{"-", BP_RANGE_BAD_HYPHEN, 0},
	{" - ", BP_RANGE_BAD_HYPHEN, 1},
	{">=1.2.3 - 2.0.0", BP_RANGE_BAD_HYPHEN, 8},
	{"^1.2.3 - 2.0.0", BP_RANGE_BAD_HYPHEN, 7},
	{"1 - 2 - 3", BP_RANGE_BAD_HYPHEN, 6},
	{"1 2 - 3", BP_RANGE_BAD_HYPHEN, 4},
	{"1.2.3 -2.0.0", BP_RANGE_BAD_HYPHEN, 6},
	{"1.2.3 - >=2.0.0", BP_RANGE_BAD_HYPHEN, 8},
	{"1.2.3 - - 2", BP_RANGE_BAD_HYPHEN, 8},
	{"1.2.3 - 2.0.0 <1.5.0", BP_RANGE_BAD_HYPHEN, 14},
	{"1.2.3 - 2.0.0, <1.5.0", BP_RANGE_BAD_HYPHEN, 13},
	{"1.2.3, - 2.0.0", BP_RANGE_BAD_HYPHEN, 7},
	{"1 || 1.2.3 -", BP_RANGE_BAD_HYPHEN, 11},
	/* one "v", lower case, right before the version (node agrees on these) */
	{"vv1.2.3", BP_RANGE_BAD_VERSION, 1},
	{"V1.2.3", BP_RANGE_BAD_VERSION, 0},
	{"v 1.2.3", BP_RANGE_BAD_VERSION, 1},
	{"v", BP_RANGE_BAD_VERSION, 1},
	{">=v", BP_RANGE_BAD_VERSION, 3},
	{"v1.02", BP_RANGE_BAD_VERSION, 3},
	{"v1.2.3-01", BP_RANGE_BAD_VERSION, 7},
	{"1.2.3 - v", BP_RANGE_BAD_VERSION, 9},
	{"=1.2.3 - 2", BP_RANGE_BAD_HYPHEN, 7},
	{">==1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	/* ours: node also takes these (any run of "v" and "=" before a partial) */
	{"^vv1.2", BP_RANGE_BAD_VERSION, 2},
	{"^=1.2.3", BP_RANGE_BAD_OPERATOR, 0},
	{">==1.2", BP_RANGE_BAD_OPERATOR, 0},
	{"==1.2", BP_RANGE_BAD_OPERATOR, 0},
	{"foo", BP_RANGE_BAD_VERSION, 0},
	{">=01.2.3", BP_RANGE_BAD_VERSION, 2},
	{"1.02", BP_RANGE_BAD_VERSION, 2},
	{"~1.2.03", BP_RANGE_BAD_VERSION, 5},
	{"1.2.3-beta_1", BP_RANGE_BAD_VERSION, 10},
	{"1.2.3-01", BP_RANGE_BAD_VERSION, 6},
	{"1.2.3+", BP_RANGE_BAD_VERSION, 6},
	{"1.2-beta", BP_RANGE_BAD_VERSION, 3},
	{"1.2.x-beta", BP_RANGE_BAD_VERSION, 5},
	{"1.x+build", BP_RANGE_BAD_VERSION, 3},
	{"^1.2.*-rc.1", BP_RANGE_BAD_VERSION, 6},
	{"1.x.3", BP_RANGE_BAD_VERSION, 4},
	{"*.2.3", BP_RANGE_BAD_VERSION, 2},
	{"^x.1", BP_RANGE_BAD_VERSION, 3},
	{"1.2.3.4", BP_RANGE_BAD_VERSION, 5},
	{"1.", BP_RANGE_BAD_VERSION, 2},
	{"1.2.", BP_RANGE_BAD_VERSION, 4},
	{"1..2", BP_RANGE_BAD_VERSION, 2},
	{"1.2x", BP_RANGE_BAD_VERSION, 3},
	{"1.xx", BP_RANGE_BAD_VERSION, 3},
	{"1.2.3x", BP_RANGE_BAD_VERSION, 5},
	{"1.2.3 2.0.0 abc", BP_RANGE_BAD_VERSION, 12},
	{">=1.2.3<2.0.0", BP_RANGE_BAD_VERSION, 7},
	{">=", BP_RANGE_BAD_VERSION, 2},
	{">= ", BP_RANGE_BAD_VERSION, 3},
	{"^", BP_RANGE_BAD_VERSION, 1},
	{"~>", BP_RANGE_BAD_VERSION, 2},
	{">= || 1", BP_RANGE_BAD_VERSION, 3},
	{">=1.0.0,", BP_RANGE_BAD_VERSION, 8},
	{">=1.0.0, ", BP_RANGE_BAD_VERSION, 9},
	{",>=1.0.0", BP_RANGE_BAD_VERSION, 0},
	{">=1.0.0,,<2", BP_RANGE_BAD_VERSION, 8},
	{">=1.0.0, ,<2", BP_RANGE_BAD_VERSION, 9},
	{">=, 1.0.0", BP_RANGE_BAD_VERSION, 2},
	{"1.0.0, || 2", BP_RANGE_BAD_VERSION, 7},
	{"2147483648.0.0", BP_RANGE_BAD_VERSION, 0},
	{">=1.2147483648", BP_RANGE_BAD_VERSION, 4},
	{"1.2.3-2147483648", BP_RANGE_BAD_VERSION, 6},
	/* an increment past the limit is a bad version, not an overflow */
	{"^2147483647.0.0", BP_RANGE_BAD_VERSION, 1},
	{"^0.2147483647.0", BP_RANGE_BAD_VERSION, 1},
	{"^0.0.2147483647", BP_RANGE_BAD_VERSION, 1},
	{"~1.2147483647.0", BP_RANGE_BAD_VERSION, 1},
	{"~ 1.2147483647", BP_RANGE_BAD_VERSION, 2},
	{"2147483647", BP_RANGE_BAD_VERSION, 0},
	{">2147483647", BP_RANGE_BAD_VERSION, 1},
	{"<=1.2147483647", BP_RANGE_BAD_VERSION, 2},
	{"1.2.3 - 2147483647", BP_RANGE_BAD_VERSION, 8},
	{"1.2.3 - 1.2147483647", BP_RANGE_BAD_VERSION, 8},
	{"1.2.3 - 1.2.3.4", BP_RANGE_BAD_VERSION, 13},
	{"1.2 || >=x.1", BP_RANGE_BAD_VERSION, 11},
};

static void
test_bad_ranges(void)
{
	for (size_t i = 0; i < LEN(bad_ranges); i++)
	{
		const bad_range *c = &bad_ranges[i];
		bp_semver_range r;
		size_t		pos = 12345;
		bp_range_status st = bp_semver_range_parse(c->range, strlen(c->range), &r, &pos);

		CHECK_MSG(st == c->status && pos == c->pos,
				  "\"%s\": got %s at %zu, expected %s at %zu", c->range,
				  range_status_name[st], pos, range_status_name[c->status], c->pos);
		/* a failed parse leaves an empty range that matches nothing */
		CHECK(r.n_sets == 0 && r.n_comparators == 0);
	}

	/* a NULL error_pos is allowed */
	{
		bp_semver_range r;

		CHECK_INT_EQ(bp_semver_range_parse("=>1", 3, &r, NULL), BP_RANGE_BAD_OPERATOR);
		CHECK_INT_EQ(bp_semver_range_parse(NULL, 0, &r, NULL), BP_RANGE_OK);
		CHECK(r.n_sets == 1 && r.n_comparators == 0);	/* "*" */
	}

	/* an embedded NUL is an invalid byte, not the end of the text */
	{
		bp_semver_range r;
		size_t		pos = 0;

		CHECK_INT_EQ(bp_semver_range_parse("1.2.3\0", 6, &r, &pos), BP_RANGE_BAD_VERSION);
		CHECK_INT_EQ(pos, 5);
		CHECK_INT_EQ(bp_semver_range_parse("1.2.3 \0", 7, &r, &pos), BP_RANGE_BAD_VERSION);
		CHECK_INT_EQ(pos, 6);
	}
}

static void
test_range_limits(void)
{
	char		text[BP_RANGE_MAX_LEN + 64];
	bp_semver_range r;
	size_t		pos;
	size_t		n;
	char		buf[64];

	/* length: BP_RANGE_MAX_LEN bytes parse, one more does not */
	memset(text, ' ', sizeof(text));
	memcpy(text, "1.2.3", 5);
	pos = 0;
	CHECK_INT_EQ(bp_semver_range_parse(text, BP_RANGE_MAX_LEN, &r, &pos), BP_RANGE_OK);
	CHECK_INT_EQ(bp_semver_range_parse(text, BP_RANGE_MAX_LEN + 1, &r, &pos), BP_RANGE_TOO_LONG);
	CHECK_INT_EQ(pos, BP_RANGE_MAX_LEN);

	/* comparators: 64 distinct ones fit, the 65th does not */
	n = 0;
	for (int i = 0; i < BP_RANGE_MAX_COMPARATORS; i++)
		n += (size_t) snprintf(text + n, sizeof(text) - n, ">1.0.%d ", i);
	CHECK_INT_EQ(bp_semver_range_parse(text, n, &r, &pos), BP_RANGE_OK);
	CHECK_INT_EQ(r.n_comparators, BP_RANGE_MAX_COMPARATORS);
	{
		size_t		at = n;

		n += (size_t) snprintf(text + n, sizeof(text) - n, ">1.0.99");
		pos = 0;
		CHECK_INT_EQ(bp_semver_range_parse(text, n, &r, &pos), BP_RANGE_TOO_MANY);
		CHECK_INT_EQ(pos, at);
	}
	/* ...but duplicates are free, as in node-semver */
	n = 0;
	for (int i = 0; i < 100; i++)
		n += (size_t) snprintf(text + n, sizeof(text) - n, "^1.2.3 ");
	CHECK_INT_EQ(bp_semver_range_parse(text, n, &r, &pos), BP_RANGE_OK);
	CHECK_INT_EQ(r.n_comparators, 2);
	bp_semver_range_format(&r, buf, sizeof(buf));
	CHECK_STR_EQ(buf, ">=1.2.3 <2.0.0-0");

	/* a desugared pair that does not fit is too many too */
	n = 0;
	for (int i = 0; i < BP_RANGE_MAX_COMPARATORS - 1; i++)
		n += (size_t) snprintf(text + n, sizeof(text) - n, "<1.0.%d ", i);
	n += (size_t) snprintf(text + n, sizeof(text) - n, "^5.0.0");
	CHECK_INT_EQ(bp_semver_range_parse(text, n, &r, &pos), BP_RANGE_TOO_MANY);

	/* sets: 32 fit, the 33rd does not; the limit spans all sets */
	n = 0;
	for (int i = 0; i < BP_RANGE_MAX_SETS; i++)
		n += (size_t) snprintf(text + n, sizeof(text) - n, "%s1.0.%d", i ? " || " : "", i);
	CHECK_INT_EQ(bp_semver_range_parse(text, n, &r, &pos), BP_RANGE_OK);
	CHECK_INT_EQ(r.n_sets, BP_RANGE_MAX_SETS);
	CHECK_INT_EQ(r.set_end[BP_RANGE_MAX_SETS - 1], BP_RANGE_MAX_SETS);
	{
		size_t		at = n + 4;

		n += (size_t) snprintf(text + n, sizeof(text) - n, " || 9.9.9");
		pos = 0;
		CHECK_INT_EQ(bp_semver_range_parse(text, n, &r, &pos), BP_RANGE_TOO_MANY);
		CHECK_INT_EQ(pos, at);
	}
	{
		size_t		at = 0;

		/* 21 sets of three comparators, then "~" needs two more: 65 */
		n = 0;
		for (int i = 0; i < 22; i++)
		{
			n += (size_t) snprintf(text + n, sizeof(text) - n, "%s", i ? "||" : "");
			at = n;
			n += (size_t) snprintf(text + n, sizeof(text) - n, "~1.%d.0 >5.0.0", i);
		}
		pos = 0;
		CHECK_INT_EQ(bp_semver_range_parse(text, n, &r, &pos), BP_RANGE_TOO_MANY);
		CHECK_INT_EQ(pos, at);
		/* one set fewer fits */
		CHECK_INT_EQ(bp_semver_range_parse(text, at - 2, &r, &pos), BP_RANGE_OK);
		CHECK_INT_EQ(r.n_comparators, 63);
		CHECK_INT_EQ(r.n_sets, 21);
	}
}

int
main(void)
{
	test_version_corpus();
	test_version_fields();
	test_version_lengths();
	test_version_format();
	test_strerror();
	test_compare();
	test_satisfies();
	test_canonical();
	test_range_structure();
	test_bad_ranges();
	test_range_limits();
		/* Ranges that no version can satisfy, as far as bounds show. */
	{
		static const struct
		{
			const char *range;
			bool		empty;
		}			cases[] = {
			{">=2.0.0 <1.0.0", true}, {">1.0.0 <=1.0.0", true}, {">=1.0.0 <1.0.0", true},
			{">=1.0.0 <=1.0.0", false}, {"1.0.0", false}, {"1.0.0 2.0.0", true},
			{"<0.0.0-0", true}, {">*", true}, {"<*", true}, {"*", false},
			{">=2.0.0 <1.0.0 || 1.5.0", false}, {"^1.2.3", false}, {">=3 <2 || >=5 <4", true},
			{"1.2.3 - 1.2.2", true}, {">=1.0.0-beta <1.0.0", false}, {">1.0.0 <1.0.1-0", false},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			bp_semver_range r;
			size_t		pos;

			if (bp_semver_range_parse(cases[i].range, strlen(cases[i].range), &r, &pos) != BP_RANGE_OK)
			{
				CHECK_MSG(false, "range %s did not parse", cases[i].range);
				continue;
			}
			CHECK_MSG(bp_semver_range_is_empty(&r) == cases[i].empty, "is_empty(%s) should be %d",
					  cases[i].range, cases[i].empty);
		}
	}

	/* covers: comparators only, prereleases included. */
	{
		static const struct
		{
			const char *range;
			const char *version;
			bool		satisfies;
			bool		covers;
		}			cases[] = {
			{">=2.5.0", "3.0.0-beta.2", false, true},
			{">=2.5.0", "2.5.0-rc.1", false, false},
			{"^1.2.3", "1.3.0-alpha", false, true},
			{"^1.2.3", "2.0.0-alpha", false, false},
			{"*", "1.0.0-rc.1", false, true},
			{"1.x", "1.5.0", true, true},
			{">=1.2.3-beta.2 <2", "1.2.3-beta.3", true, true},
			{"<1.0.0", "2.0.0", false, false},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			bp_semver_range r;
			bp_semver	v;
			size_t		pos;

			if (bp_semver_range_parse(cases[i].range, strlen(cases[i].range), &r, &pos) != BP_RANGE_OK ||
				bp_semver_parse(cases[i].version, strlen(cases[i].version), &v) != BP_SEMVER_OK)
			{
				CHECK_MSG(false, "case %zu did not parse", i);
				continue;
			}
			CHECK_MSG(bp_semver_range_satisfies(&r, &v) == cases[i].satisfies, "satisfies(%s, %s)",
					  cases[i].range, cases[i].version);
			CHECK_MSG(bp_semver_range_covers(&r, &v) == cases[i].covers, "covers(%s, %s)",
					  cases[i].range, cases[i].version);
		}
	}

	return unit_summary("semver");
}
