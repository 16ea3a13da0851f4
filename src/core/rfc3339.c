/*
 * rfc3339.c — RFC 3339 date-times: see rfc3339.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfc3339.h"

int64_t
bp_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	/* H. Hinnant's days_from_civil: March-based years, 400-year eras. */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t) (m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t) d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* n decimal digits at s[*pos]; false unless all are digits. */
static bool
read_digits(const char *s, size_t len, size_t *pos, int n, unsigned *out)
{
	unsigned	v = 0;
	int			i;

	if (len - *pos < (size_t) n)
		return false;
	for (i = 0; i < n; i++)
	{
		char		c = s[*pos + i];

		if (!is_digit(c))
			return false;
		v = v * 10 + (unsigned) (c - '0');
	}
	*pos += n;
	*out = v;
	return true;
}

static bool
expect_char(const char *s, size_t len, size_t *pos, char a, char b)
{
	if (*pos >= len || (s[*pos] != a && s[*pos] != b))
		return false;
	(*pos)++;
	return true;
}

static unsigned
days_in_month(unsigned y, unsigned m)
{
	static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

bool
bp_rfc3339_parse(const char *s, size_t len, int64_t *out)
{
	size_t		pos = 0;
	unsigned	y, mo, d, h, mi, sec;
	int64_t		t;
	int64_t		offset = 0;

	if (s == NULL || out == NULL)
		return false;
	if (!read_digits(s, len, &pos, 4, &y) || !expect_char(s, len, &pos, '-', '-') ||
		!read_digits(s, len, &pos, 2, &mo) || !expect_char(s, len, &pos, '-', '-') ||
		!read_digits(s, len, &pos, 2, &d) || !expect_char(s, len, &pos, 'T', 't') ||
		!read_digits(s, len, &pos, 2, &h) || !expect_char(s, len, &pos, ':', ':') ||
		!read_digits(s, len, &pos, 2, &mi) || !expect_char(s, len, &pos, ':', ':') ||
		!read_digits(s, len, &pos, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
		h > 23 || mi > 59 || sec > 60)
		return false;
	if (pos < len && s[pos] == '.')
	{
		size_t		start = ++pos;

		while (pos < len && is_digit(s[pos]))
			pos++;
		if (pos == start)
			return false;
	}
	if (pos >= len)
		return false;
	if (s[pos] == 'Z' || s[pos] == 'z')
		pos++;
	else if (s[pos] == '+' || s[pos] == '-')
	{
		int			sign = s[pos] == '+' ? 1 : -1;
		unsigned	oh, om;

		pos++;
		if (!read_digits(s, len, &pos, 2, &oh) || !expect_char(s, len, &pos, ':', ':') ||
			!read_digits(s, len, &pos, 2, &om) || oh > 23 || om > 59)
			return false;
		offset = sign * (int64_t) (oh * 3600 + om * 60);
	}
	else
		return false;
	if (pos != len)
		return false;

	t = bp_days_from_civil(y, mo, d) * 86400 +
		(int64_t) h * 3600 + (int64_t) mi * 60 + (int64_t) sec;
	/* Local time = UTC + offset, so UTC = local - offset. */
	*out = t - offset;
	return true;
}

/* Civil date of a day number: H. Hinnant's civil_from_days. */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		era;
	int64_t		doe;
	int64_t		yoe;
	int64_t		doy;
	int64_t		mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned) (doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static void
put_digits(char *out, unsigned v, int n)
{
	while (n-- > 0)
	{
		out[n] = (char) ('0' + v % 10);
		v /= 10;
	}
}

bool
bp_rfc3339_format(int64_t t, char out[BP_RFC3339_LEN + 1])
{
	int64_t		days;
	int64_t		secs;
	int64_t		y;
	unsigned	m;
	unsigned	d;

	if (out == NULL)
		return false;
	/* Floor division, so times before 1970 land on the right day. */
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0)
	{
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return false;
	put_digits(out, (unsigned) y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = 'T';
	put_digits(out + 11, (unsigned) (secs / 3600), 2);
	out[13] = ':';
	put_digits(out + 14, (unsigned) (secs / 60 % 60), 2);
	out[16] = ':';
	put_digits(out + 17, (unsigned) (secs % 60), 2);
	out[19] = 'Z';
	out[20] = '\0';
	return true;
}
