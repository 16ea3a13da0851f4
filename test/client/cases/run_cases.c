/*
 * run_cases.c — run the shared client case file (test/client/cases.json,
 * see make_cases.c for what a case is) with libbigpicture-client.  Written
 * in the common subset of C99 and C++17: test/client/cases/run builds it as
 * both, the C++ one against the library installed as a distribution would.
 *
 * usage: run_cases CASES.json
 * Prints "ok - name" / "not ok - name (got X, expected Y)" per case and
 * "LABEL: N passed, N failed" (LABEL: c or cxx, from the build).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#ifdef BP_INSTALLED_HEADERS		/* as an application includes them */
#include <bigpicture/bp_client.h>
#include <bigpicture/json.h>
#else
#include "bp_client.h"
#include "json.h"
#endif

#ifdef __cplusplus
#define LABEL "cases-cxx"
#else
#define LABEL "cases-c"
#endif

typedef struct doc
{
	char	   *text;
	size_t		len;
	bp_json_token *t;
	size_t		n;
} doc;

static char *
read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf = NULL;
	long		n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
	{
		if (f)
			fclose(f);
		return NULL;
	}
	buf = (char *) malloc((size_t) n + 1);
	if (buf != NULL && fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf != NULL)
	{
		buf[n] = '\0';
		*len = (size_t) n;
	}
	return buf;
}

/* A string member, copied (NUL-terminated), or NULL when absent or null. */
static char *
str(const doc *d, int obj, const char *key)
{
	int			i = bp_json_object_get(d->text, d->t, d->n, obj, key);
	size_t		len;
	char	   *s;

	if (i < 0 || d->t[i].type != BP_JSON_STRING)
		return NULL;
	bp_json_unescape(d->text, &d->t[i], NULL, 0, &len);
	s = (char *) malloc(len + 1);
	bp_json_unescape(d->text, &d->t[i], s, len + 1, &len);
	s[len] = '\0';
	return s;
}

/* Two JSON texts equal as values (objects compared member by member, in any order)? */
static bool json_equal(const doc *a, int ia, const doc *b, int ib);

static bool
json_equal(const doc *a, int ia, const doc *b, int ib)
{
	const bp_json_token *x = &a->t[ia];
	const bp_json_token *y = &b->t[ib];

	if (x->type != y->type || x->size != y->size)
		return false;
	if (x->type == BP_JSON_OBJECT)
	{
		int			k = ia + 1;

		for (size_t m = 0; m < x->size; m++)
		{
			char	   *key;
			size_t		len;
			int			other;

			bp_json_unescape(a->text, &a->t[k], NULL, 0, &len);
			key = (char *) malloc(len + 1);
			bp_json_unescape(a->text, &a->t[k], key, len + 1, &len);
			key[len] = '\0';
			other = bp_json_object_get(b->text, b->t, b->n, ib, key);
			free(key);
			if (other < 0 || !json_equal(a, k + 1, b, other))
				return false;
			k = bp_json_skip(a->t, a->n, k + 1);
		}
		return true;
	}
	if (x->type == BP_JSON_ARRAY)
	{
		int			p = ia + 1;
		int			q = ib + 1;

		for (size_t m = 0; m < x->size; m++)
		{
			if (!json_equal(a, p, b, q))
				return false;
			p = bp_json_skip(a->t, a->n, p);
			q = bp_json_skip(b->t, b->n, q);
		}
		return true;
	}
	return x->end - x->start == y->end - y->start &&
		memcmp(a->text + x->start, b->text + y->start, x->end - x->start) == 0;
}

static bool
parse(doc *d, char *text, size_t len)
{
	d->text = text;
	d->len = len;
	if (bp_json_parse(text, len, NULL, 0, &d->n) != BP_JSON_OK)
		return false;
	d->t = (bp_json_token *) calloc(d->n, sizeof(bp_json_token));
	return bp_json_parse(text, len, d->t, d->n, &d->n) == BP_JSON_OK;
}

static uint8_t work[1 << 20];
static uint8_t prev_work[1 << 20];

/* One case: the first step that fails gives its status (see make_cases.c). */
static bp_client_status
run_case(const doc *d, int c, size_t *payload_len)
{
	bp_client_ctx *ctx = (bp_client_ctx *) malloc(sizeof(bp_client_ctx));
	bp_client_revocations *rev = NULL;
	int64_t		now = 0;
	int			i = bp_json_object_get(d->text, d->t, d->n, c, "now");
	int			arr;
	bp_client_status st = BP_CLIENT_OK;
	char	   *token = str(d, c, "token");
	char	   *typ = str(d, c, "typ");
	char	   *install = str(d, c, "install_id");
	char	   *nonce = str(d, c, "nonce");
	char	   *prev = str(d, c, "prev_lease");
	char	   *revs = str(d, c, "revocations");
	int			skip = bp_json_object_get(d->text, d->t, d->n, c, "skip_time");
	bool		skip_time = skip >= 0 && d->t[skip].type == BP_JSON_TRUE;

	*payload_len = 0;
	bp_json_int64(d->text, &d->t[i], &now);
	bp_client_init(ctx);
	arr = bp_json_object_get(d->text, d->t, d->n, c, "pins");
	for (int k = arr + 1, m = 0; st == BP_CLIENT_OK && m < (int) d->t[arr].size; m++, k = bp_json_skip(d->t, d->n, k))
	{
		char	   *purpose = str(d, k, "purpose");
		char	   *key = str(d, k, "key");

		st = bp_client_pin_key(ctx, bp_client_purpose_from_name(purpose, strlen(purpose)), key);
		free(purpose);
		free(key);
	}
	arr = bp_json_object_get(d->text, d->t, d->n, c, "keysets");
	for (int k = arr + 1, m = 0; st == BP_CLIENT_OK && m < (int) d->t[arr].size; m++, k++)
	{
		size_t		len = d->t[k].end - d->t[k].start;	/* base64url: no escapes */

		st = bp_client_load_keyset(ctx, d->text + d->t[k].start, len, now, work, sizeof(work));
	}
	if (st == BP_CLIENT_OK && revs != NULL)
	{
		rev = (bp_client_revocations *) malloc(sizeof(bp_client_revocations));
		bp_client_revocations_init(rev);
		st = bp_client_load_revocations(rev, ctx, revs, strlen(revs), now, work, sizeof(work));
	}
	if (st == BP_CLIENT_OK && token != NULL)
		st = bp_client_verify_ex(ctx, token, strlen(token), typ, now, skip_time ? BP_CLIENT_SKIP_TIME : 0,
								 work, sizeof(work), payload_len);
	if (st == BP_CLIENT_OK && token != NULL && (install != NULL || nonce != NULL))
		st = bp_client_check_binding((const char *) work, *payload_len, install, nonce);
	if (st == BP_CLIENT_OK && token != NULL && prev != NULL)
	{
		size_t		prev_len = 0;

		st = bp_client_verify_ex(ctx, prev, strlen(prev), "lease", now, BP_CLIENT_SKIP_TIME,
								 prev_work, sizeof(prev_work), &prev_len);
		if (st == BP_CLIENT_OK)
			st = bp_client_check_lease_chain(prev, strlen(prev), (const char *) prev_work, prev_len,
											 (const char *) work, *payload_len);
	}
	if (st == BP_CLIENT_OK && token != NULL && rev != NULL && typ != NULL && strcmp(typ, "lease") == 0)
	{
		/* a list of another tenant says nothing about this lease: WRONG_TENANT, as bigpicture-verify */
		doc			p;
		char	   *copy = (char *) malloc(*payload_len + 1);
		char	   *tenant;

		memcpy(copy, work, *payload_len);
		copy[*payload_len] = '\0';
		if (parse(&p, copy, *payload_len) && (tenant = str(&p, 0, "tenant_id")) != NULL)
		{
			if (strlen(tenant) != rev->tenant_len || memcmp(tenant, rev->tenant, rev->tenant_len) != 0)
				st = BP_CLIENT_WRONG_TENANT;
			free(tenant);
		}
		free(p.t);
		free(copy);
		if (st == BP_CLIENT_OK)
			st = bp_client_check_lease_revoked(rev, (const char *) work, *payload_len);
	}
	free(token);
	free(typ);
	free(install);
	free(nonce);
	free(prev);
	free(revs);
	free(rev);
	free(ctx);
	return st;
}

int
main(int argc, char **argv)
{
	size_t		len;
	char	   *text;
	doc			d;
	int			cases;
	int			passed = 0;
	int			failed = 0;

	if (argc != 2 || sodium_init() < 0 || (text = read_file(argv[1], &len)) == NULL || !parse(&d, text, len) ||
		(cases = bp_json_object_get(d.text, d.t, d.n, 0, "cases")) < 0)
	{
		fprintf(stderr, "usage: run_cases CASES.json (a readable case file)\n");
		printf(LABEL ": 0 passed, 1 failed\n");
		return 1;
	}
	for (int c = cases + 1, m = 0; m < (int) d.t[cases].size; m++, c = bp_json_skip(d.t, d.n, c))
	{
		char	   *name = str(&d, c, "name");
		char	   *expect = str(&d, c, "expect");
		size_t		payload_len;
		bp_client_status st = run_case(&d, c, &payload_len);
		const char *got = bp_client_status_name(st);
		bool		good = strcmp(got, expect) == 0;
		int			want_payload = bp_json_object_get(d.text, d.t, d.n, c, "payload");

		if (good && st == BP_CLIENT_OK && want_payload >= 0)
		{
			doc			p;
			char	   *copy = (char *) malloc(payload_len + 1);

			memcpy(copy, work, payload_len);
			copy[payload_len] = '\0';
			good = parse(&p, copy, payload_len) && json_equal(&p, 0, &d, want_payload);
			free(p.t);
			free(copy);
			if (!good)
				got = "OK with another payload";
		}
		if (good)
		{
			passed++;
			printf("ok - %s\n", name);
		}
		else
		{
			failed++;
			printf("not ok - %s (got %s, expected %s)\n", name, got, expect);
		}
		free(name);
		free(expect);
	}
	printf(LABEL ": %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
