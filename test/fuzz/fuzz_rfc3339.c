/*
 * fuzz_rfc3339.c — bp_client_parse_rfc3339 against a reference.
 *
 * The reference is written from bp_client.h's description, independently:
 * a fixed-position reader of "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"
 * ('T' and 'Z' in either case, month, day-of-month with leap years, hour
 * <= 23, minute <= 59, second <= 60, offset hours <= 23 and minutes <= 59,
 * nothing after), and glibc's timegm for the arithmetic (a leap second is
 * the next minute's :00, the fraction is dropped, UTC = local - offset).
 * Properties: the parser accepts exactly what the reference accepts, with
 * the same Unix time, and bp_client_days_from_civil agrees with timegm.
 */
#define _DEFAULT_SOURCE			/* timegm */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "bp_client.h"
#include "fuzz.h"

static bool
digits(const char *s, size_t n, int *out)
{
	int			v = 0;

	for (size_t i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t
ref_timegm(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t) timegm(&tm);
}

static bool
ref_parse(const char *s, size_t len, int64_t *out)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			y, mo, d, h, mi, sec, oh = 0, om = 0;
	int			sign = 0;
	size_t		p = 19;

	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
		s[13] != ':' || s[16] != ':' ||
		!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
		!digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > dim[mo - 1] + (mo == 2 && leap(y)) ||
		h > 23 || mi > 59 || sec > 60)
		return false;
	if (s[p] == '.')
	{
		size_t		start = ++p;

		while (p < len && s[p] >= '0' && s[p] <= '9')
			p++;
		if (p == start)
			return false;
	}
	if (len - p == 1 && (s[p] == 'Z' || s[p] == 'z'))
		sign = 0;
	else if (len - p == 6 && (s[p] == '+' || s[p] == '-') && s[p + 3] == ':' &&
			 digits(s + p + 1, 2, &oh) && digits(s + p + 4, 2, &om) && oh <= 23 && om <= 59)
		sign = s[p] == '+' ? 1 : -1;
	else
		return false;
	*out = ref_timegm(y, mo, d, h, mi, sec) - sign * (int64_t) (oh * 3600 + om * 60);
	return true;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	/* the reference's arithmetic must cover years 0000..9999 */
	if (ref_timegm(0, 1, 1, 0, 0, 0) != INT64_C(-62167219200) ||
		ref_timegm(9999, 12, 31, 23, 59, 60) != INT64_C(253402300800))
	{
		fprintf(stderr, "fuzz_rfc3339: timegm cannot serve as the reference here\n");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *s = fuzz_dup(data, size);
	int64_t		got = 0;
	int64_t		want = 0;
	bool		ok = bp_client_parse_rfc3339(s, size, &got);
	bool		ref_ok = ref_parse(s, size, &want);

	FUZZ_ASSERT_MSG(ok == ref_ok, "\"%.*s\": parser %s, reference %s", (int) size, s,
					ok ? "accepts" : "rejects", ref_ok ? "accepts" : "rejects");
	if (ok)
	{
		int			y, mo, d;

		FUZZ_ASSERT_MSG(got == want, "\"%.*s\": %lld, reference %lld", (int) size, s,
						(long long) got, (long long) want);
		FUZZ_ASSERT(digits(s, 4, &y) && digits(s + 5, 2, &mo) && digits(s + 8, 2, &d));
		FUZZ_ASSERT(bp_client_days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400 ==
					ref_timegm(y, mo, d, 0, 0, 0));
	}
	FUZZ_ASSERT(!bp_client_parse_rfc3339(NULL, size, &got));
	free(s);
	return 0;
}
