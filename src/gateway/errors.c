/*
 * errors.c — see errors.h.  The order of the checks is PostgREST's: exact
 * codes before their class, so 23505 is 409 while the rest of class 23 is
 * the default 400, and 25006 is 405 while the rest of 25 is 500.
 */
#include "errors.h"

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
