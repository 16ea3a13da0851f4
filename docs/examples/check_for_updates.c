/*
 * check_for_updates.c — the smallest "should I update?" flow of a desktop
 * app, with libbigpicture-client.
 *
 * The app ships its vendor's root key (PASERK k4.public).  It fetches the key
 * set and asks for a decision — over HTTP, for instance
 *
 *   curl -s https://updates.example.com/rpc/keyset        > keyset.token
 *   curl -s -X POST https://updates.example.com/rpc/decision \
 *        -H "Authorization: Bearer $JWT" -d @request.json   > response.json
 *
 * — and acts only on what verifies.  This program takes those two files
 * (the response's first decision token on one line, as bigpicture-verify
 * would) and prints what to do.
 *
 *   cc check_for_updates.c $(pkg-config --cflags --libs bigpicture-client) -o check_for_updates
 *   ./check_for_updates k4.public.… keyset.token decision.token [INSTALL_ID]
 *
 * With INSTALL_ID (the install_id the app sent) the decision must be for
 * this install: one copied from another machine is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include <bigpicture/bp_client.h>
#include <bigpicture/json.h>

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		return NULL;
	buf = malloc((size_t) n + 1);
	if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n)
		return NULL;
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	*len = (size_t) n;
	return buf;
}

/* A string member of the verified payload, or "" when absent. */
static void
member(const char *json, size_t len, const char *key, char *out, size_t cap)
{
	bp_json_token tokens[256];
	size_t		n = 0;
	int			i;
	size_t		written = 0;

	out[0] = '\0';
	if (bp_json_parse(json, len, tokens, 256, &n) != BP_JSON_OK)
		return;
	i = bp_json_object_get(json, tokens, n, 0, key);
	if (i >= 0 && tokens[i].type == BP_JSON_STRING &&
		bp_json_unescape(json, &tokens[i], out, cap - 1, &written) == BP_JSON_OK)
		out[written] = '\0';
}

int
main(int argc, char **argv)
{
	bp_client_ctx ctx;
	size_t		keyset_len;
	size_t		token_len;
	char	   *keyset;
	char	   *token;
	void	   *work;
	size_t		payload_len;
	bp_client_status st;
	char		action[32];
	char		version[64];
	char		url[512];
	char		sha256[80];
	int64_t		now = (int64_t) time(NULL);

	if (argc < 4 || argc > 5 || sodium_init() < 0)
	{
		fprintf(stderr, "usage: check_for_updates ROOT_KEY KEYSET_FILE DECISION_FILE [INSTALL_ID]\n");
		return 2;
	}
	keyset = read_file(argv[2], &keyset_len);
	token = read_file(argv[3], &token_len);
	if (keyset == NULL || token == NULL)
	{
		fprintf(stderr, "check_for_updates: cannot read the input files\n");
		return 2;
	}
	work = malloc(bp_client_work_len(keyset_len > token_len ? keyset_len : token_len));

	bp_client_init(&ctx);
	if ((st = bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_ROOT, argv[1])) != BP_CLIENT_OK ||
		(st = bp_client_load_keyset(&ctx, keyset, keyset_len, now, work,
									bp_client_work_len(keyset_len))) != BP_CLIENT_OK ||
		(st = bp_client_verify(&ctx, token, token_len, "decision", now, work,
							   bp_client_work_len(token_len), &payload_len)) != BP_CLIENT_OK ||
		(st = bp_client_check_binding(work, payload_len, argc == 5 ? argv[4] : NULL, NULL)) != BP_CLIENT_OK)
	{
		/* Nothing that fails to verify is acted on. */
		fprintf(stderr, "check_for_updates: %s: %s\n", bp_client_status_name(st), bp_client_strerror(st));
		return 1;
	}

	member(work, payload_len, "action", action, sizeof(action));
	member(work, payload_len, "version", version, sizeof(version));
	if (strcmp(action, "INSTALL") == 0 || strcmp(action, "DOWNLOAD") == 0 || strcmp(action, "NOTIFY") == 0)
	{
		char		artifact[2048];
		bp_json_token tokens[256];
		size_t		n = 0;
		int			a;

		/* The artifact object: its url and sha256 (check the download against it). */
		bp_json_parse(work, payload_len, tokens, 256, &n);
		a = bp_json_object_get(work, tokens, n, 0, "artifact");
		url[0] = sha256[0] = '\0';
		if (a >= 0 && tokens[a].type == BP_JSON_OBJECT)
		{
			size_t		alen = (size_t) (tokens[a].end - tokens[a].start);

			memcpy(artifact, (char *) work + tokens[a].start, alen < sizeof(artifact) ? alen : sizeof(artifact) - 1);
			artifact[alen < sizeof(artifact) ? alen : sizeof(artifact) - 1] = '\0';
			member(artifact, strlen(artifact), "url", url, sizeof(url));
			member(artifact, strlen(artifact), "sha256", sha256, sizeof(sha256));
		}
		printf("%s %s from %s (sha256 %s)\n", action, version, url, sha256);
	}
	else
		printf("%s: nothing to do\n", action);
	free(work);
	free(keyset);
	free(token);
	return 0;
}
