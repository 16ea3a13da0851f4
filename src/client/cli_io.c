/*
 * cli_io.c — see cli_io.h.
 */
#include "cli_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
bp_cli_read_line(FILE *in, char *buf, size_t cap, size_t *len)
{
	size_t		n = 0;
	int			c;

	while ((c = getc(in)) != EOF)
	{
		if (c == '\n')
		{
			*len = n;
			return 1;
		}
		if (n == cap)
			return -1;
		buf[n++] = (char) c;
	}
	if (ferror(in))
		return -2;
	*len = n;
	return n > 0 ? 1 : 0;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A token argument: literal text, @FILE or - (stdin).  Malloc'd, trimmed. */
bool
bp_cli_read_arg(const char *program, const char *arg, bp_cli_text *out)
{
	FILE	   *f = NULL;
	char	   *buf = NULL;
	size_t		len = 0;
	size_t		cap = 0;
	size_t		start = 0;

	if (strcmp(arg, "-") == 0)
		f = stdin;
	else if (arg[0] == '@')
	{
		f = fopen(arg + 1, "rb");
		if (f == NULL)
		{
			fprintf(stderr, "%s: USAGE: cannot open %s: %s.\n", program, arg + 1, strerror(errno));
			return false;
		}
	}
	if (f == NULL)
	{
		len = strlen(arg);
		buf = malloc(len + 1);
		if (buf == NULL)
			return false;
		memcpy(buf, arg, len + 1);
	}
	else
	{
		for (;;)
		{
			size_t		n;

			if (cap - len < 4096)
			{
				char	   *nb;

				if (cap > BP_CLIENT_MAX_TOKEN_LEN)
				{
					fprintf(stderr, "%s: USAGE: %s is too large for a token.\n", program, arg);
					free(buf);
					if (f != stdin)
						fclose(f);
					return false;
				}
				cap = cap ? cap * 2 : 65536;
				nb = realloc(buf, cap);
				if (nb == NULL)
				{
					free(buf);
					if (f != stdin)
						fclose(f);
					return false;
				}
				buf = nb;
			}
			n = fread(buf + len, 1, cap - len - 1, f);
			len += n;
			if (n == 0)
				break;
		}
		if (ferror(f))
		{
			fprintf(stderr, "%s: USAGE: cannot read %s.\n", program, arg);
			free(buf);
			if (f != stdin)
				fclose(f);
			return false;
		}
		if (f != stdin)
			fclose(f);
		buf[len] = '\0';
	}
	while (len > 0 && is_space(buf[len - 1]))
		buf[--len] = '\0';
	while (start < len && is_space(buf[start]))
		start++;
	memmove(buf, buf + start, len - start + 1);
	out->s = buf;
	out->len = len - start;
	return true;
}

bool
bp_cli_parse_int64(const char *s, int64_t *out)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	*out = (int64_t) v;
	return true;
}

static const int exit_codes[BP_CLIENT_N_STATUS] = {
	[BP_CLIENT_OK] = 0,
	[BP_CLIENT_MALFORMED] = 10,
	[BP_CLIENT_BAD_SIGNATURE] = 11,
	[BP_CLIENT_UNKNOWN_KEY] = 12,
	[BP_CLIENT_WRONG_PURPOSE] = 13,
	[BP_CLIENT_WRONG_TYPE] = 14,
	[BP_CLIENT_EXPIRED] = 15,
	[BP_CLIENT_NOT_YET_VALID] = 16,
	[BP_CLIENT_KEY_REVOKED] = 17,
	[BP_CLIENT_KEY_NOT_VALID] = 18,
	[BP_CLIENT_WRONG_TENANT] = 19,
	[BP_CLIENT_ROLLBACK] = 20,
	[BP_CLIENT_CHAIN_BROKEN] = 21,
	[BP_CLIENT_BAD_KEY] = 22,
	[BP_CLIENT_BUFFER_TOO_SMALL] = 23,
	[BP_CLIENT_CAPACITY] = 24,
	[BP_CLIENT_BAD_ARGUMENT] = 25,
	[BP_CLIENT_CERT_INVALID] = 26,
	[BP_CLIENT_CERT_EXPIRED] = 27,
	[BP_CLIENT_NOT_FOR_US] = 30,
	[BP_CLIENT_LEASE_REVOKED] = 31,
};

int
bp_cli_exit_code(bp_client_status st)
{
	if ((int) st < 0 || (int) st >= BP_CLIENT_N_STATUS || (st != BP_CLIENT_OK && exit_codes[st] == 0))
		return 1;
	return exit_codes[st];
}

int
bp_cli_usage_error(const char *program, const char *what, const char *arg)
{
	fprintf(stderr, "%s: USAGE: %s%s%s.\n", program, what, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try '%s --help'.\n", program);
	return 2;
}
