/*
 * revocations.c — a tenant's signed list of revoked leases: see
 * revocations.h.
 *
 * Loading reads the verified payload in the caller's work buffer: its JSON
 * tokens go right after it, where verification had its scratch, and the
 * ids (each a single string token of the leases array) are sorted there in
 * place, so finding a duplicate needs no memory of its own.  The held list
 * is written only once everything has been checked.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "revocations.h"
#include "rfc3339.h"

/* Alignment that bp_json_token needs, without C11's alignof. */
struct token_align
{
	char		c;
	bp_json_token t;
};
#define TOKEN_ALIGN offsetof(struct token_align, t)

void
bp_revocations_init(bp_revocations *r)
{
	if (r != NULL)
		memset(r, 0, sizeof(*r));
}

/* Bytewise order, a prefix before what it starts: the order of the ids. */
static int
id_cmp(const char *a, size_t a_len, const char *b, size_t b_len)
{
	int			c = memcmp(a, b, a_len < b_len ? a_len : b_len);

	if (c != 0)
		return c;
	return (a_len > b_len) - (a_len < b_len);
}

/* An id already checked to unescape to 1..BP_REVOCATIONS_MAX_ID_LEN bytes. */
static size_t
read_id(const char *text, const bp_json_token *t, char out[BP_REVOCATIONS_MAX_ID_LEN])
{
	size_t		len = 0;

	(void) bp_json_unescape(text, t, out, BP_REVOCATIONS_MAX_ID_LEN, &len);
	return len;
}

static int
token_cmp(const char *text, const bp_json_token *a, const bp_json_token *b)
{
	char		x[BP_REVOCATIONS_MAX_ID_LEN];
	char		y[BP_REVOCATIONS_MAX_ID_LEN];
	size_t		x_len = read_id(text, a, x);
	size_t		y_len = read_id(text, b, y);

	return id_cmp(x, x_len, y, y_len);
}

static void
sift_down(const char *text, bp_json_token *e, size_t root, size_t n)
{
	for (;;)
	{
		size_t		child = 2 * root + 1;
		bp_json_token t;

		if (child >= n)
			return;
		if (child + 1 < n && token_cmp(text, &e[child], &e[child + 1]) < 0)
			child++;
		if (token_cmp(text, &e[root], &e[child]) >= 0)
			return;
		t = e[root];
		e[root] = e[child];
		e[child] = t;
		root = child;
	}
}

/* Heapsort: no recursion, no memory, and qsort may allocate. */
static void
sort_ids(const char *text, bp_json_token *e, size_t n)
{
	size_t		i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		sift_down(text, e, i, n);
	for (i = n - 1; i > 0; i--)
	{
		bp_json_token t = e[0];

		e[0] = e[i];
		e[i] = t;
		sift_down(text, e, 0, i);
	}
}

/* How many top-level members are called name (the verifier checks only its own). */
static size_t
count_members(const char *text, const bp_json_token *tok, size_t n, const char *name)
{
	size_t		count = 0;
	size_t		m;
	int			k = 1;

	for (m = 0; m < tok[0].size && k > 0 && (size_t) k + 1 < n; m++)
	{
		if (bp_json_string_equals(text, &tok[k], name, strlen(name)))
			count++;
		k = bp_json_skip(tok, n, k + 1);
	}
	return count;
}

/* A top-level RFC 3339 time member, required. */
static bool
read_time(const char *text, const bp_json_token *tok, size_t n, const char *name, int64_t *t)
{
	int			v = bp_json_object_get(text, tok, n, 0, name);

	return v >= 0 && tok[v].type == BP_JSON_STRING &&
		bp_rfc3339_parse(text + tok[v].start, tok[v].end - tok[v].start, t);
}

bp_verify_status
bp_revocations_load(bp_revocations *r, const bp_verifier *v, const char *token, size_t token_len,
					int64_t now, void *work, size_t work_cap)
{
	uint8_t    *w = work;
	const char *text = work;
	bp_json_token *tok;
	bp_json_token *ids;
	char		tenant[BP_VERIFY_MAX_TENANT_LEN];
	size_t		tenant_len;
	size_t		payload_len;
	size_t		n_tok;
	size_t		n;
	size_t		off;
	size_t		n_ids;
	size_t		i;
	uintptr_t	addr;
	int64_t		version;
	int64_t		iat;
	int64_t		exp;
	int			at;
	bp_verify_status st;

	if (r == NULL || v == NULL || token == NULL || work == NULL)
		return BP_VERIFY_BAD_ARGUMENT;
	st = bp_verify_token(v, token, token_len, "lease_revocations", now, 0, 0, work, work_cap,
						 &payload_len);
	if (st != BP_VERIFY_OK)
		return st;

	/* The payload's tokens, after it (bp_verify_work_len leaves room). */
	if (bp_json_parse(text, payload_len, NULL, 0, &n_tok) != BP_JSON_OK)
		return BP_VERIFY_MALFORMED;
	addr = (uintptr_t) (w + payload_len);
	off = payload_len + (TOKEN_ALIGN - addr % TOKEN_ALIGN) % TOKEN_ALIGN;
	if (off > work_cap || (work_cap - off) / sizeof(bp_json_token) < n_tok)
		return BP_VERIFY_BUFFER_TOO_SMALL;
	tok = (bp_json_token *) (void *) (w + off);
	if (bp_json_parse(text, payload_len, tok, n_tok, &n) != BP_JSON_OK || tok[0].type != BP_JSON_OBJECT)
		return BP_VERIFY_MALFORMED;

	/* The members (typ, times and tenant_id are unique: the verifier saw to it). */
	at = bp_json_object_get(text, tok, n, 0, "tenant_id");
	if (at < 0 || tok[at].type != BP_JSON_STRING ||
		bp_json_unescape(text, &tok[at], tenant, sizeof(tenant), &tenant_len) != BP_JSON_OK ||
		tenant_len == 0)
		return BP_VERIFY_MALFORMED;
	at = bp_json_object_get(text, tok, n, 0, "version");
	if (at < 0 || tok[at].type != BP_JSON_NUMBER ||
		bp_json_int64(text, &tok[at], &version) != BP_JSON_OK || version < 0)
		return BP_VERIFY_MALFORMED;
	/* iat orders lists of one version, so it is required. */
	if (!read_time(text, tok, n, "iat", &iat) || !read_time(text, tok, n, "exp", &exp))
		return BP_VERIFY_MALFORMED;
	at = bp_json_object_get(text, tok, n, 0, "leases");
	if (at < 0 || tok[at].type != BP_JSON_ARRAY || count_members(text, tok, n, "leases") != 1)
		return BP_VERIFY_MALFORMED;
	n_ids = tok[at].size;
	if (n_ids > BP_REVOCATIONS_MAX)
		return BP_VERIFY_CAPACITY;
	/* Strings only, so the elements are the n_ids tokens after the array. */
	if ((size_t) at + 1 + n_ids > n)
		return BP_VERIFY_MALFORMED;
	ids = &tok[at + 1];
	for (i = 0; i < n_ids; i++)
	{
		size_t		len;

		if (ids[i].type != BP_JSON_STRING ||
			bp_json_unescape(text, &ids[i], NULL, 0, &len) != BP_JSON_OK ||
			len == 0 || len > BP_REVOCATIONS_MAX_ID_LEN)
			return BP_VERIFY_MALFORMED;
	}
	sort_ids(text, ids, n_ids);
	for (i = 1; i < n_ids; i++)
		if (token_cmp(text, &ids[i - 1], &ids[i]) == 0)
			return BP_VERIFY_MALFORMED;

	/* Against the list held: the same tenant, and not older. */
	if (r->loaded)
	{
		if (tenant_len != r->tenant_len || memcmp(tenant, r->tenant, tenant_len) != 0)
			return BP_VERIFY_WRONG_TENANT;
		if (version < r->version || (version == r->version && iat < r->iat))
			return BP_VERIFY_ROLLBACK;
	}

	/* Commit. */
	r->loaded = true;
	memcpy(r->tenant, tenant, tenant_len);
	r->tenant_len = tenant_len;
	r->version = version;
	r->iat = iat;
	r->exp = exp;
	r->n_ids = n_ids;
	for (i = 0; i < n_ids; i++)
		r->id_len[i] = (uint8_t) read_id(text, &ids[i], r->ids[i]);
	return BP_VERIFY_OK;
}

bool
bp_revocations_contains(const bp_revocations *r, const char *lease_id, size_t len)
{
	size_t		lo = 0;
	size_t		hi;

	if (r == NULL || lease_id == NULL || !r->loaded)
		return false;
	hi = r->n_ids;
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		int			c = id_cmp(r->ids[mid], r->id_len[mid], lease_id, len);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bp_verify_status
bp_revocations_check_lease(const bp_revocations *r, const char *payload, size_t payload_len)
{
	bp_json_token tok[BP_REVOCATIONS_LEASE_MAX_TOKENS];
	char		id[BP_REVOCATIONS_MAX_ID_LEN];
	size_t		id_len;
	size_t		n;
	bp_json_status js;
	int			tenant;
	int			lease;
	int			v;

	if (r == NULL || payload == NULL)
		return BP_VERIFY_BAD_ARGUMENT;
	js = bp_json_parse(payload, payload_len, tok, BP_REVOCATIONS_LEASE_MAX_TOKENS, &n);
	if (js == BP_JSON_TOO_MANY_TOKENS)
		return BP_VERIFY_BUFFER_TOO_SMALL;
	if (js != BP_JSON_OK || tok[0].type != BP_JSON_OBJECT)
		return BP_VERIFY_MALFORMED;
	v = bp_json_object_get(payload, tok, n, 0, "typ");
	if (v < 0 || tok[v].type != BP_JSON_STRING)
		return BP_VERIFY_MALFORMED;
	if (!bp_json_string_equals(payload, &tok[v], "lease", 5))
		return BP_VERIFY_WRONG_TYPE;
	tenant = bp_json_object_get(payload, tok, n, 0, "tenant_id");
	lease = bp_json_object_get(payload, tok, n, 0, "lease_id");
	if (tenant < 0 || tok[tenant].type != BP_JSON_STRING ||
		lease < 0 || tok[lease].type != BP_JSON_STRING)
		return BP_VERIFY_MALFORMED;

	/* Another tenant's list says nothing about this lease. */
	if (!r->loaded || !bp_json_string_equals(payload, &tok[tenant], r->tenant, r->tenant_len))
		return BP_VERIFY_OK;
	/* An id that could not be listed is not. */
	if (bp_json_unescape(payload, &tok[lease], id, sizeof(id), &id_len) != BP_JSON_OK)
		return BP_VERIFY_OK;
	return bp_revocations_contains(r, id, id_len) ? BP_VERIFY_LEASE_REVOKED : BP_VERIFY_OK;
}
