/*
 * The differential test, client side: read what test/client/differential.sql
 * printed (the root to pin, a key set, and cases with the SQL verifier's
 * answer), ask the client library the same question for each case, and say
 * whether the two agree.  The key set is loaded at the time it was signed,
 * as a client that fetched it then would; each token is verified at the
 * case's own time.
 *
 * usage: differential < cases.tsv
 * Prints "ok - …" / "not ok - …" per case; exit status 1 when any disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp_client.h"

/* The client's answer as one of the classes differential.sql uses. */
static const char *
class_of(bp_client_status st)
{
	switch (st)
	{
		case BP_CLIENT_OK:
			return "ok";
		case BP_CLIENT_EXPIRED:
			return "expired";
		case BP_CLIENT_NOT_YET_VALID:
			return "not_yet_valid";
		/* A retired key leaves the key set, so the client does not know it. */
		case BP_CLIENT_UNKNOWN_KEY:
		case BP_CLIENT_KEY_REVOKED:
		case BP_CLIENT_KEY_NOT_VALID:
			return "key";
		case BP_CLIENT_WRONG_TYPE:
		case BP_CLIENT_WRONG_PURPOSE:
			return "type";
		case BP_CLIENT_WRONG_TENANT:
			return "tenant";
		case BP_CLIENT_BAD_SIGNATURE:
			return "signature";
		default:
			return "malformed";
	}
}

/* Split line at tabs into at most max fields; how many. */
static int
split(char *line, char **field, int max)
{
	int			n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max)
	{
		field[n++] = line;
		line = strchr(line, '\t');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

int
main(void)
{
	static char line[1 << 20];
	static unsigned char work[1 << 20];
	bp_client_ctx *ctx = malloc(sizeof(bp_client_ctx));
	char	   *f[6];
	int			agree = 0;
	int			disagree = 0;
	int			have_root = 0;
	int			have_keyset = 0;

	if (ctx == NULL)
		return 2;
	bp_client_init(ctx);
	while (fgets(line, sizeof(line), stdin) != NULL)
	{
		int			n = split(line, f, 6);
		bp_client_status st;
		size_t		len;

		if (n == 2 && strcmp(f[0], "root") == 0)
		{
			if (bp_client_pin_key(ctx, BP_CLIENT_PURPOSE_ROOT, f[1]) != BP_CLIENT_OK)
			{
				printf("not ok - the root key pins\n");
				return 1;
			}
			have_root = 1;
		}
		else if (n == 3 && strcmp(f[0], "keyset") == 0)
		{
			st = bp_client_load_keyset(ctx, f[1], strlen(f[1]), strtoll(f[2], NULL, 10), work, sizeof(work));
			if (st != BP_CLIENT_OK)
			{
				printf("not ok - the key set loads (%s)\n", bp_client_status_name(st));
				return 1;
			}
			have_keyset = 1;
		}
		else if (n == 6 && strcmp(f[0], "case") == 0 && have_root && have_keyset)
		{
			const char *client;

			st = bp_client_verify(ctx, f[4], strlen(f[4]), f[2], strtoll(f[3], NULL, 10), work, sizeof(work), &len);
			client = class_of(st);
			if (strcmp(client, f[5]) == 0)
			{
				printf("ok - %s: both %s\n", f[1], client);
				agree++;
			}
			else
			{
				printf("not ok - %s: SQL %s, client %s (%s)\n", f[1], f[5], client, bp_client_status_name(st));
				disagree++;
			}
		}
		else if (n > 0 && f[0][0] != '\0')
		{
			printf("not ok - unreadable input line starting %.40s\n", f[0]);
			disagree++;
		}
	}
	if (agree + disagree == 0)
		printf("not ok - no cases were read\n");
	free(ctx);
	return disagree == 0 && agree > 0 ? 0 : 1;
}
