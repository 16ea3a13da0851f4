/*
 * errors.c — see errors.h.  The order of the checks is PostgREST's: exact
 * codes before their class, so 23505 is 409 while the rest of class 23 is
 * the default 400, and 25006 is 405 while the rest of 25 is 500.
 */
#include "errors.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool
ends(const char *s, const char *suffix)
{
	size_t		n = strlen(s),
				k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int
gw_sqlstate_status(const char *c, const char *m, bool authenticated)
{
	if (c == NULL || strlen(c) != 5)
		return 500;
	if (m == NULL)
		m = "";
	if (starts(c, "08"))
		return 503;				/* connection exception */
	if (starts(c, "09"))
		return 500;				/* triggered action exception */
	if (starts(c, "0L") || starts(c, "0P"))
		return 403;				/* invalid grantor, invalid role specification */
	if (!strcmp(c, "23503") || !strcmp(c, "23505"))
		return 409;				/* foreign key, unique violation */
	if (!strcmp(c, "25006"))
		return 405;				/* read_only_sql_transaction: a GET hit a writer */
	if (!strcmp(c, "21000"))	/* cardinality_violation; pg-safeupdate is the client's fault */
		return ends(m, "requires a WHERE clause") ? 400 : 500;
	if (!strcmp(c, "22023"))	/* the JWT's role does not exist */
		return starts(m, "role") && ends(m, "does not exist") ? 401 : 400;
	if (starts(c, "25") || starts(c, "2D") || starts(c, "38") || starts(c, "39") ||
		starts(c, "3B") || starts(c, "40"))
		return 500;
	if (starts(c, "28"))
		return 403;				/* invalid authorization specification */
	if (!strcmp(c, "53400"))
		return 500;				/* configuration_limit_exceeded */
	if (starts(c, "53"))
		return 503;				/* insufficient resources */
	if (starts(c, "54") || starts(c, "55"))
		return 500;
	if (!strcmp(c, "57P01"))
		return 503;				/* admin_shutdown: the server is going away */
	if (starts(c, "57") || starts(c, "58") || starts(c, "F0") || starts(c, "HV"))
		return 500;
	if (!strcmp(c, "P0001"))
		return 400;				/* default code of RAISE */
	if (starts(c, "P0") || starts(c, "XX"))
		return 500;
	if (!strcmp(c, "42883"))
		return starts(m, "function xmlagg(") ? 406 : 404;
	if (!strcmp(c, "42P01"))
		return 404;
	if (!strcmp(c, "42P17"))
		return 500;
	if (!strcmp(c, "42501"))
		return authenticated ? 403 : 401;
	if (starts(c, "PT"))
	{
		/* PTxyz: the function chose HTTP status xyz */
		char	   *end;
		long		v = strtol(c + 2, &end, 10);

		if (*end == '\0' && c[2] >= '0' && c[2] <= '9' && v >= 100 && v <= 599)
			return (int) v;
		return 500;
	}
	return 400;
}

void
gw_error_body(gw_buf *out, const char *code, const char *message,
			  const char *details, const char *hint)
{
	gw_buf_puts(out, "{\"code\":");
	gw_buf_json_cstr(out, code);
	gw_buf_puts(out, ",\"details\":");
	gw_buf_json_cstr(out, details);
	gw_buf_puts(out, ",\"hint\":");
	gw_buf_json_cstr(out, hint);
	gw_buf_puts(out, ",\"message\":");
	gw_buf_json_cstr(out, message ? message : "");
	gw_buf_putc(out, '}');
}

/* ---- fuzzy hints (Data.FuzzySet) ------------------------------------------------ */

static char *
lower_dup(const char *s)
{
	char	   *d = gw_xstrdup(s);

	for (char *p = d; *p; p++)
		*p = (char) tolower((unsigned char) *p);
	return d;
}

/* "-" + the letters, digits, spaces and commas of s + "-" (s is lower case) */
static char *
enclosed(const char *s)
{
	gw_buf		b = GW_BUF_INIT;

	gw_buf_putc(&b, '-');
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
		if (isalnum(*p) || isspace(*p) || *p == ',' || *p >= 0x80)
			gw_buf_putc(&b, (char) *p);
	gw_buf_putc(&b, '-');
	return gw_buf_steal(&b);
}

/* Sum over shared grams of count(a) * count(b), and |a|, |b| */
static void
gram_scores(const char *a, const char *b, size_t g, double *dot, double *na, double *nb)
{
	size_t		la = strlen(a),
				lb = strlen(b);

	*dot = *na = *nb = 0;
	for (size_t i = 0; i + g <= la; i++)
	{
		int			ca = 0,
					cb = 0;
		bool		seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = memcmp(a + j, a + i, g) == 0;
		if (seen)
			continue;
		for (size_t j = i; j + g <= la; j++)
			ca += memcmp(a + j, a + i, g) == 0;
		for (size_t j = 0; j + g <= lb; j++)
			cb += memcmp(b + j, a + i, g) == 0;
		*dot += (double) ca * cb;
		*na += (double) ca * ca;
	}
	for (size_t i = 0; i + g <= lb; i++)
	{
		int			cb = 0;
		bool		seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = memcmp(b + j, b + i, g) == 0;
		if (seen)
			continue;
		for (size_t j = i; j + g <= lb; j++)
			cb += memcmp(b + j, b + i, g) == 0;
		*nb += (double) cb * cb;
	}
	*na = sqrt(*na);
	*nb = sqrt(*nb);
}

/* 1 - levenshtein(a, b) / max(|a|, |b|) */
static double
levenshtein_norm(const char *a, const char *b)
{
	size_t		la = strlen(a),
				lb = strlen(b);
	size_t	   *row = gw_xcalloc(lb + 1, sizeof *row);
	double		r;

	if (la == 0 && lb == 0)
	{
		free(row);
		return 1;
	}
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++)
	{
		size_t		diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++)
		{
			size_t		up = row[j];
			size_t		best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	r = 1.0 - (double) row[lb] / (double) (la > lb ? la : lb);
	free(row);
	return r;
}

int
gw_fuzzy_closest(const char *query, const char *const *cands, int n, double min_score)
{
	char	   *key = lower_dup(query);
	char	   *qe = enclosed(key);
	char	  **lc = gw_xcalloc((size_t) (n > 0 ? n : 1), sizeof *lc);
	char	  **ce = gw_xcalloc((size_t) (n > 0 ? n : 1), sizeof *ce);
	bool	   *dup = gw_xcalloc((size_t) (n > 0 ? n : 1), sizeof *dup);
	int			found = -1;

	for (int i = 0; i < n; i++)
	{
		lc[i] = lower_dup(cands[i]);
		ce[i] = enclosed(lc[i]);
		/* a set: a later entry equal (ignoring case) to an earlier one is not added */
		for (int j = 0; j < i && !dup[i]; j++)
			dup[i] = strcmp(lc[i], lc[j]) == 0;
		if (!dup[i] && found < 0 && strcmp(lc[i], key) == 0)
			found = i;			/* exact match (ignoring case): score 1 */
	}
	for (size_t g = 3; g >= 2 && found < 0; g--)
	{
		double		best = -1;

		for (int i = 0; i < n; i++)
		{
			double		dot,
						na,
						nb,
						score;

			if (dup[i])
				continue;
			gram_scores(qe, ce[i], g, &dot, &na, &nb);
			if (dot <= 0)
				continue;		/* shares no gram: not a match at this size */
			/* the cosine only ranks (top 50); the distance decides */
			score = levenshtein_norm(key, lc[i]);
			if (score >= min_score && score > best)
			{
				best = score;
				found = i;
			}
		}
	}
	for (int i = 0; i < n; i++)
	{
		free(lc[i]);
		free(ce[i]);
	}
	free(lc);
	free(ce);
	free(dup);
	free(key);
	free(qe);
	return found;
}
