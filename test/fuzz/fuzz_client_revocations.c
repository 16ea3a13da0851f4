/*
 * fuzz_client_revocations.c — lease revocation lists (src/core/revocations.h
 * through bp_client.h): bp_client_load_revocations,
 * bp_client_revocations_contains, bp_client_check_lease_revoked, against the
 * context of fuzz_client.h with the fixed key set loaded (vendor lease key,
 * and the lease key of tenant "tenant-\u00e9").
 *
 * Input: two bytes, then a body.  Byte 0: mode (bits 0-1) and key (bits
 * 2-5, index into fuzz_keys); byte 1: flags (bit 0 start with the fixed
 * list FUZZ_REVOCATIONS_PAYLOAD of tenant acme held, bits 1-2 the "now",
 * bit 3 a misaligned work buffer).
 *   mode 0: the body is a token, loaded as is;
 *   mode 1: the body is a list payload, signed here by the key with the
 *           footer {"kid":...}, so the members are reached;
 *   mode 2: the body is LIST_PAYLOAD '\n' LEASE_PAYLOAD: the list is signed
 *           and loaded as in mode 1, then the lease payload checked;
 *   mode 3: the body is a lease payload, checked against the list held.
 *
 * Properties:
 *   - the work buffer of bp_client_work_len bytes always suffices;
 *   - on failure the held list is unchanged, byte for byte;
 *   - a list the harness signed with a key of the key set is never
 *     BAD_SIGNATURE, and with a key whose purpose is not lease never OK;
 *   - after success: the list verifies as a lease_revocations token; its
 *     tenant, version, iat and exp are the payload's; it holds exactly the
 *     payload's ids, strictly sorted (bytewise), each 1..128 bytes and found
 *     by contains (the id one byte shorter, or with one more byte, only when
 *     it is listed too); against a list held before it is of the same
 *     tenant and not older (version, then iat); loading the same token
 *     again succeeds and changes nothing;
 *   - checking a lease payload is LEASE_REVOKED exactly when a model (a
 *     lease of the list's tenant whose unescaped lease_id the list names)
 *     says so, OK when the payload is a lease the model does not find, and
 *     otherwise MALFORMED, WRONG_TYPE or BUFFER_TOO_SMALL.
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "bp_client.h"
#include "json.h"
#include "fuzz.h"
#include "fuzz_client.h"

static bp_client_ctx ctx;
static bp_client_revocations fixed;
static bp_client_revocations rev;
static bp_client_revocations before;
static bp_client_revocations again;

static const int64_t nows[4] = {
	FUZZ_NOW, FUZZ_NOW - 2 * 86400, FUZZ_NOW + 40 * 86400, FUZZ_NOW + 1800
};

static bp_client_status
load(bp_client_revocations *r, const char *token, size_t len, int64_t now, bool misaligned)
{
	size_t		work_len = bp_client_work_len(len);
	char	   *block;
	bp_client_status st;

	FUZZ_ASSERT(work_len != SIZE_MAX);
	block = fuzz_malloc(work_len + 1);
	st = bp_client_load_revocations(r, &ctx, token, len, now, block + (misaligned ? 1 : 0), work_len);
	free(block);
	FUZZ_ASSERT_MSG(st != BP_CLIENT_BUFFER_TOO_SMALL && st != BP_CLIENT_BAD_ARGUMENT &&
					st != BP_CLIENT_CHAIN_BROKEN && st != BP_CLIENT_BAD_KEY &&
					st != BP_CLIENT_LEASE_REVOKED && st != BP_CLIENT_NOT_FOR_US,
					"%s", bp_client_status_name(st));
	return st;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t		len;
	char	   *token;

	(void) argc;
	(void) argv;
	if (sodium_init() < 0)
		abort();
	fuzz_client_keys_init();
	fuzz_client_ctx(&ctx, true);
	bp_client_revocations_init(&fixed);
	token = fuzz_sign_kid(&fuzz_keys[FK_LEASE], FUZZ_REVOCATIONS_PAYLOAD,
						  strlen(FUZZ_REVOCATIONS_PAYLOAD), &len);
	if (load(&fixed, token, len, FUZZ_NOW, false) != BP_CLIENT_OK)
	{
		fprintf(stderr, "fuzz: the fixed revocation list does not load\n");
		abort();
	}
	free(token);
	return 0;
}

/* JSON tokens of text on the heap (exactly as many as it needs), or NULL. */
static bp_json_token *
parse(const char *text, size_t len, size_t *n)
{
	bp_json_token *tok;

	if (bp_json_parse(text, len, NULL, 0, n) != BP_JSON_OK)
		return NULL;
	tok = fuzz_malloc(*n * sizeof(*tok));
	FUZZ_ASSERT(bp_json_parse(text, len, tok, *n, n) == BP_JSON_OK);
	return tok;
}

/* A string member's unescaped value into out (cap bytes); false if none or too long. */
static bool
member(const char *text, const bp_json_token *tok, size_t n, const char *name,
	   char *out, size_t cap, size_t *len)
{
	int			v = bp_json_object_get(text, tok, n, 0, name);

	return v >= 0 && tok[v].type == BP_JSON_STRING &&
		bp_json_unescape(text, &tok[v], out, cap, len) == BP_JSON_OK;
}

/* Linear search: the model of contains. */
static bool
listed(const bp_client_revocations *r, const char *id, size_t len)
{
	for (size_t i = 0; r->loaded && i < r->n_ids; i++)
		if (r->id_len[i] == len && memcmp(r->ids[i], id, len) == 0)
			return true;
	return false;
}

static bool
id_less(const char *a, size_t a_len, const char *b, size_t b_len)
{
	int			c = memcmp(a, b, a_len < b_len ? a_len : b_len);

	return c < 0 || (c == 0 && a_len < b_len);
}

/* The list just loaded from token is the payload's, and well kept. */
static void
check_loaded(const bp_client_revocations *old, const bp_client_revocations *r,
			 const char *token, size_t len, int64_t now)
{
	size_t		work_len = bp_client_work_len(len);
	char	   *work = fuzz_malloc(work_len);
	size_t		plen = 0;
	size_t		n;
	bp_json_token *tok;
	char		tenant[BP_CLIENT_MAX_TENANT_LEN];
	size_t		tenant_len = 0;
	int64_t		version;
	int			v;

	FUZZ_ASSERT(bp_client_verify(&ctx, token, len, "lease_revocations", now, work, work_len, &plen) ==
				BP_CLIENT_OK);
	tok = parse(work, plen, &n);
	FUZZ_ASSERT(tok != NULL && tok[0].type == BP_JSON_OBJECT);
	FUZZ_ASSERT(r->loaded);
	FUZZ_ASSERT(member(work, tok, n, "tenant_id", tenant, sizeof(tenant), &tenant_len));
	FUZZ_ASSERT(tenant_len > 0 && tenant_len == r->tenant_len && memcmp(tenant, r->tenant, tenant_len) == 0);
	v = bp_json_object_get(work, tok, n, 0, "version");
	FUZZ_ASSERT(v >= 0 && bp_json_int64(work, &tok[v], &version) == BP_JSON_OK);
	FUZZ_ASSERT(version >= 0 && version == r->version);
	FUZZ_ASSERT(r->exp > now && r->iat <= now + BP_CLIENT_CLOCK_SKEW);
	if (old->loaded)
	{
		FUZZ_ASSERT(old->tenant_len == r->tenant_len && memcmp(old->tenant, r->tenant, r->tenant_len) == 0);
		FUZZ_ASSERT(r->version > old->version || (r->version == old->version && r->iat >= old->iat));
	}

	/* Exactly the payload's ids, sorted, each found. */
	v = bp_json_object_get(work, tok, n, 0, "leases");
	FUZZ_ASSERT(v >= 0 && tok[v].type == BP_JSON_ARRAY);
	FUZZ_ASSERT(tok[v].size == r->n_ids && r->n_ids <= BP_CLIENT_MAX_REVOCATIONS);
	for (size_t i = 0; i < r->n_ids; i++)
	{
		char		id[BP_REVOCATIONS_MAX_ID_LEN + 1];
		size_t		id_len = 0;
		const bp_json_token *e = &tok[v + 1 + i];

		FUZZ_ASSERT(e->type == BP_JSON_STRING &&
					bp_json_unescape(work, e, id, BP_REVOCATIONS_MAX_ID_LEN, &id_len) == BP_JSON_OK);
		FUZZ_ASSERT(bp_client_revocations_contains(r, id, id_len));
		FUZZ_ASSERT(r->id_len[i] >= 1 && r->id_len[i] <= BP_REVOCATIONS_MAX_ID_LEN);
		if (i > 0)
			FUZZ_ASSERT(id_less(r->ids[i - 1], r->id_len[i - 1], r->ids[i], r->id_len[i]));
		/* Near misses are found only when listed themselves. */
		FUZZ_ASSERT(bp_client_revocations_contains(r, r->ids[i], r->id_len[i] - 1u) ==
					listed(r, r->ids[i], r->id_len[i] - 1u));
		memcpy(id, r->ids[i], r->id_len[i]);
		id[r->id_len[i]] = 'x';
		FUZZ_ASSERT(bp_client_revocations_contains(r, id, r->id_len[i] + 1u) ==
					listed(r, id, r->id_len[i] + 1u));
	}
	free(tok);
	free(work);
}

/* Check a lease payload against r, against the model. */
static void
check_lease(const bp_client_revocations *r, const uint8_t *data, size_t len)
{
	char	   *payload = fuzz_dup(data, len);
	bp_client_status st = bp_client_check_lease_revoked(r, payload, len);
	size_t		n;
	bp_json_token *tok;
	char	   *tenant = fuzz_malloc(len + 1);
	char	   *id = fuzz_malloc(len + 1);
	size_t		tenant_len;
	size_t		id_len;
	int			v;
	bool		is_lease;
	bool		revoked;

	tok = parse(payload, len, &n);
	v = tok != NULL && tok[0].type == BP_JSON_OBJECT ? bp_json_object_get(payload, tok, n, 0, "typ") : -1;
	is_lease = v >= 0 && bp_json_string_equals(payload, &tok[v], "lease", 5) &&
		member(payload, tok, n, "tenant_id", tenant, len + 1, &tenant_len) &&
		member(payload, tok, n, "lease_id", id, len + 1, &id_len);
	revoked = is_lease && r->loaded && tenant_len == r->tenant_len &&
		memcmp(tenant, r->tenant, tenant_len) == 0 && listed(r, id, id_len);

	if (st == BP_CLIENT_OK || st == BP_CLIENT_LEASE_REVOKED)
		FUZZ_ASSERT(is_lease);
	else
		FUZZ_ASSERT_MSG(st == BP_CLIENT_MALFORMED || st == BP_CLIENT_WRONG_TYPE ||
						st == BP_CLIENT_BUFFER_TOO_SMALL, "%s", bp_client_status_name(st));
	if (is_lease && n <= BP_REVOCATIONS_LEASE_MAX_TOKENS)
		FUZZ_ASSERT_MSG(st == (revoked ? BP_CLIENT_LEASE_REVOKED : BP_CLIENT_OK),
						"%s, model %s", bp_client_status_name(st), revoked ? "revoked" : "ok");
	free(tok);
	free(tenant);
	free(id);
	free(payload);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		sel;
	uint8_t		flags;
	int			mode;
	const fuzz_key *signer;
	int64_t		now;
	bool		misaligned;
	const uint8_t *body;
	const uint8_t *lease = NULL;
	size_t		lease_len = 0;
	char	   *token;
	size_t		len;
	bp_client_status st;

	if (size < 2)
		return 0;
	sel = data[0];
	flags = data[1];
	mode = sel & 3;
	signer = &fuzz_keys[(sel >> 2) % FK_N];
	now = nows[(flags >> 1) & 3];
	misaligned = (flags >> 3) & 1;
	body = data + 2;
	size -= 2;

	if (flags & 1)
		memcpy(&rev, &fixed, sizeof(rev));
	else
		bp_client_revocations_init(&rev);
	if (mode == 3)
	{
		check_lease(&rev, body, size);
		return 0;
	}
	if (mode == 2)
	{
		size_t		head;

		fuzz_split(body, size, '\n', &head, &lease, &lease_len);
		size = head;
	}
	if (mode == 0)
	{
		token = fuzz_dup(body, size);
		len = size;
	}
	else
		token = fuzz_sign_kid(signer, body, size, &len);

	memcpy(&before, &rev, sizeof(rev));
	st = load(&rev, token, len, now, misaligned);
	if (mode != 0 && signer->state != NULL)
	{
		FUZZ_ASSERT(st != BP_CLIENT_BAD_SIGNATURE && st != BP_CLIENT_UNKNOWN_KEY);
		if (signer->purpose != BP_CLIENT_PURPOSE_LEASE)
			FUZZ_ASSERT(st != BP_CLIENT_OK);
	}
	if (st != BP_CLIENT_OK)
		FUZZ_ASSERT(memcmp(&rev, &before, sizeof(rev)) == 0);
	else
	{
		check_loaded(&before, &rev, token, len, now);
		memcpy(&again, &rev, sizeof(rev));
		FUZZ_ASSERT(load(&again, token, len, now, !misaligned) == BP_CLIENT_OK);
		FUZZ_ASSERT(memcmp(&again, &rev, sizeof(rev)) == 0);
	}
	if (lease != NULL)
		check_lease(&rev, lease, lease_len);
	free(token);
	return 0;
}
