/*
 * fuzz_client_keyset.c — bp_client_load_keyset: a key set token against a
 * context with the fixed root and snapshot keys of fuzz_client.h pinned
 * (and, on request, the fixed key set already loaded).
 *
 * Input: two bytes, then a body.  Byte 0: mode (bits 0-1) and key (bits
 * 2-5, index into fuzz_keys); byte 1: flags (bit 0 start with the fixed
 * key set loaded, bits 1-2 the "now", bit 3 a misaligned work buffer).
 *   mode 0 (and 3): the body is a token, loaded as is;
 *   mode 1: the body is a key set payload, signed here by the key with
 *           the footer {"kid":...}, so the entries are reached;
 *   mode 2: the body is FOOTER '\n' PAYLOAD, signed here by the key.
 *
 * Properties:
 *   - the work buffer of bp_client_work_len bytes always suffices;
 *   - on failure the context is unchanged, byte for byte;
 *   - only a pinned root key loads a key set: a token this harness signed
 *     with the usual footer and any other key is UNKNOWN_KEY, with the
 *     root key never BAD_SIGNATURE;
 *   - after success: the pinned keys are still there, in order, with
 *     their purpose (revoked at most); every other key's kid is the k4.pid
 *     of its public key; no kid twice; the version did not go back; exp
 *     is after now; loading the same token again succeeds (KEY_REVOKED if
 *     the key set revoked the root key that signed it) and changes
 *     nothing;
 *   - and then, for every loaded key that is one of the fixed keys, a
 *     token it signs verifies or fails exactly as its state and validity
 *     window say (a tenant's audit key: WRONG_TENANT, as its checkpoint
 *     names no chain).
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "bp_client.h"
#include "paserk.h"
#include "fuzz.h"
#include "fuzz_client.h"

static bp_client_ctx pinned_only;
static bp_client_ctx with_keyset;
static bp_client_ctx ctx;
static bp_client_ctx before;
static bp_client_ctx after;

static const int64_t nows[4] = {
	FUZZ_NOW, FUZZ_NOW - 2 * 86400, FUZZ_NOW + 40 * 86400, FUZZ_NOW + 1800
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	if (sodium_init() < 0)
		abort();
	fuzz_client_keys_init();
	fuzz_client_ctx(&pinned_only, false);
	fuzz_client_ctx(&with_keyset, true);
	return 0;
}

static bool
key_equal(const bp_client_key *a, const bp_client_key *b)
{
	return memcmp(a->kid, b->kid, sizeof(a->kid)) == 0 && memcmp(a->pk, b->pk, sizeof(a->pk)) == 0 &&
		a->purpose == b->purpose && a->state == b->state && a->pinned == b->pinned &&
		a->has_valid_from == b->has_valid_from && a->has_valid_until == b->has_valid_until &&
		(!a->has_valid_from || a->valid_from == b->valid_from) &&
		(!a->has_valid_until || a->valid_until == b->valid_until) &&
		a->has_tenant == b->has_tenant &&
		(!a->has_tenant || (a->tenant_len == b->tenant_len &&
							memcmp(a->tenant, b->tenant, a->tenant_len) == 0));
}

static bool
ctx_equal(const bp_client_ctx *a, const bp_client_ctx *b)
{
	if (a->n_keys != b->n_keys || a->keyset_loaded != b->keyset_loaded ||
		a->keyset_version != b->keyset_version || a->keyset_exp != b->keyset_exp)
		return false;
	for (size_t i = 0; i < a->n_keys; i++)
		if (!key_equal(&a->keys[i], &b->keys[i]))
			return false;
	return true;
}

static bp_client_status
load(bp_client_ctx *c, const char *token, size_t len, int64_t now, bool misaligned)
{
	size_t		work_len = bp_client_work_len(len);
	char	   *block;
	bp_client_status st;

	FUZZ_ASSERT(work_len != SIZE_MAX);
	block = fuzz_malloc(work_len + 1);
	st = bp_client_load_keyset(c, token, len, now, block + (misaligned ? 1 : 0), work_len);
	free(block);
	FUZZ_ASSERT_MSG(st != BP_CLIENT_BUFFER_TOO_SMALL && st != BP_CLIENT_BAD_ARGUMENT &&
					st != BP_CLIENT_CHAIN_BROKEN && st != BP_CLIENT_BAD_KEY,
					"%s", bp_client_status_name(st));
	return st;
}

/* What verifying a token of k's own typ at now must give. */
static bp_client_status
key_model(const bp_client_key *k, int64_t now)
{
	if (k->state == BP_CLIENT_STATE_REVOKED)
		return BP_CLIENT_KEY_REVOKED;
	if (k->state == BP_CLIENT_STATE_PENDING || k->state == BP_CLIENT_STATE_RETIRED)
		return BP_CLIENT_KEY_NOT_VALID;
	if ((k->has_valid_from && now < k->valid_from) ||
		(k->has_valid_until && now >= k->valid_until))
		return BP_CLIENT_KEY_NOT_VALID;
	return BP_CLIENT_OK;
}

static void
check_loaded(const bp_client_ctx *old, const bp_client_ctx *c, int64_t now)
{
	size_t		j = 0;

	FUZZ_ASSERT(c->keyset_loaded && c->n_keys <= BP_CLIENT_MAX_KEYS);
	FUZZ_ASSERT(!old->keyset_loaded || c->keyset_version >= old->keyset_version);
	FUZZ_ASSERT(c->keyset_version >= 0 && c->keyset_exp > now);

	/* pinned keys stay, in order */
	for (size_t i = 0; i < old->n_keys; i++)
	{
		const bp_client_key *o = &old->keys[i];

		if (!o->pinned)
			continue;
		FUZZ_ASSERT(j < c->n_keys);
		FUZZ_ASSERT(c->keys[j].pinned && memcmp(c->keys[j].pk, o->pk, 32) == 0 &&
					c->keys[j].purpose == o->purpose);
		FUZZ_ASSERT(c->keys[j].state == o->state || c->keys[j].state == BP_CLIENT_STATE_REVOKED);
		j++;
	}
	for (size_t i = 0; i < c->n_keys; i++)
	{
		const bp_client_key *k = &c->keys[i];
		char		kid[BP_PASERK_K4_PID_LEN];
		size_t		kid_len = 0;

		FUZZ_ASSERT(i < j ? k->pinned : !k->pinned);
		FUZZ_ASSERT(k->purpose >= BP_CLIENT_PURPOSE_ROOT && k->purpose <= BP_CLIENT_PURPOSE_AUDIT);
		FUZZ_ASSERT(k->state >= BP_CLIENT_STATE_ACTIVE && k->state <= BP_CLIENT_STATE_REVOKED);
		FUZZ_ASSERT(k->tenant_len <= sizeof(k->tenant));
		FUZZ_ASSERT(bp_paserk_k4_pid(k->pk, 32, kid, sizeof(kid), &kid_len) == BP_PASERK_OK &&
					memcmp(kid, k->kid, sizeof(kid)) == 0);
		for (size_t m = 0; m < i; m++)
			FUZZ_ASSERT(memcmp(c->keys[m].kid, k->kid, sizeof(k->kid)) != 0);
	}
}

/* Tokens signed by the loaded fixed keys fare as their state says. */
static void
check_keys_work(const bp_client_ctx *c, int64_t now)
{
	for (size_t i = 0; i < c->n_keys; i++)
	{
		const bp_client_key *k = &c->keys[i];
		const fuzz_key *fk = fuzz_key_by_pk(k->pk);
		char		payload[96];
		int			m_len;
		char	   *token;
		size_t		len;
		size_t		work_len;
		void	   *work;
		size_t		plen = 0;
		bp_client_status st;
		bp_client_status want = key_model(k, now);

		/* a tenant's audit key signs its tenant's chain only: none here */
		if (want == BP_CLIENT_OK && k->has_tenant && k->purpose == BP_CLIENT_PURPOSE_AUDIT)
			want = BP_CLIENT_WRONG_TENANT;

		if (fk == NULL)
			continue;
		/* every kind may carry exp; those that must, do */
		m_len = snprintf(payload, sizeof(payload), "{\"typ\":\"%s\",\"exp\":\"2099-01-01T00:00:00Z\"}",
						 fuzz_typ_of_purpose[k->purpose]);
		token = fuzz_sign_kid(fk, payload, (size_t) m_len, &len);
		work_len = bp_client_work_len(len);
		work = fuzz_malloc(work_len);
		st = bp_client_verify(c, token, len, NULL, now, work, work_len, &plen);
		FUZZ_ASSERT_MSG(st == want, "key %s (%s, state %d): %s, model %s", fk->name,
						bp_client_purpose_name(k->purpose), (int) k->state,
						bp_client_status_name(st), bp_client_status_name(want));
		free(work);
		free(token);
	}
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
	char	   *token;
	size_t		len;
	bool		usual_footer = false;
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

	if (mode == 1)
	{
		token = fuzz_sign_kid(signer, body, size, &len);
		usual_footer = true;
	}
	else if (mode == 2)
	{
		size_t		f_len;
		const uint8_t *m;
		size_t		m_len;

		fuzz_split(body, size, '\n', &f_len, &m, &m_len);
		token = fuzz_sign(signer, m, m_len, body, f_len, &len);
	}
	else
	{
		token = fuzz_dup(body, size);
		len = size;
	}

	ctx = (flags & 1) ? with_keyset : pinned_only;
	memcpy(&before, &ctx, sizeof(ctx));
	st = load(&ctx, token, len, now, misaligned);
	FUZZ_ASSERT(bp_client_status_name(st) != NULL);

	if (usual_footer)
	{
		if (signer == &fuzz_keys[FK_ROOT])
			FUZZ_ASSERT(st != BP_CLIENT_BAD_SIGNATURE && st != BP_CLIENT_UNKNOWN_KEY);
		else
			FUZZ_ASSERT_MSG(st == BP_CLIENT_UNKNOWN_KEY, "signed by %s: %s", signer->name,
							bp_client_status_name(st));
	}

	if (st != BP_CLIENT_OK)
		FUZZ_ASSERT(memcmp(&ctx, &before, sizeof(ctx)) == 0);
	else
	{
		check_loaded(&before, &ctx, now);
		/*
		 * The same token again: accepted, and nothing changes; unless the
		 * key set revoked the pinned root key that signed it.
		 */
		after = ctx;
		st = load(&after, token, len, now, !misaligned);
		if (ctx.keys[0].state == BP_CLIENT_STATE_REVOKED)
			FUZZ_ASSERT(st == BP_CLIENT_KEY_REVOKED);
		else
			FUZZ_ASSERT(st == BP_CLIENT_OK);
		FUZZ_ASSERT(ctx_equal(&after, &ctx));
		check_keys_work(&ctx, now);
	}
	free(token);
	return 0;
}
