/*
 * bp_client.c — libbigpicture-client: see bp_client.h.  Verification is
 * src/core/verify.c, shared with the server; this file keeps the library's
 * names for it, and adds what only a client does: binding a payload to its
 * install and request, and following a subject's lease chain.  Lease
 * revocation lists are src/core/revocations.c, under the library's names.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "bp_client.h"
#include "json.h"

/* Lease payloads are small; the chain check parses them on the stack. */
#define LEASE_TOKENS 512

const char *
bp_client_status_name(bp_client_status status)
{
	return bp_verify_status_name(status);
}

const char *
bp_client_strerror(bp_client_status status)
{
	return bp_verify_strerror(status);
}

bp_client_purpose
bp_client_purpose_from_name(const char *name, size_t len)
{
	return bp_purpose_from_name(name, len);
}

const char *
bp_client_purpose_name(bp_client_purpose purpose)
{
	return bp_purpose_name(purpose);
}

bp_client_purpose
bp_client_purpose_of_typ(const char *typ, size_t len)
{
	const bp_token_kind *kind = bp_token_kind_of(typ, len);

	return kind != NULL ? kind->purpose : BP_PURPOSE_NONE;
}

bool
bp_client_parse_rfc3339(const char *s, size_t len, int64_t *out)
{
	return bp_rfc3339_parse(s, len, out);
}

int64_t
bp_client_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	return bp_days_from_civil(y, m, d);
}

void
bp_client_init(bp_client_ctx *ctx)
{
	bp_verifier_init(ctx);
}

bp_client_status
bp_client_pin_key(bp_client_ctx *ctx, bp_client_purpose purpose, const char *k4_public)
{
	return bp_verifier_pin_key(ctx, purpose, k4_public);
}

size_t
bp_client_work_len(size_t token_len)
{
	return bp_verify_work_len(token_len);
}

bp_client_status
bp_client_load_keyset(bp_client_ctx *ctx, const char *token, size_t token_len,
					  int64_t now, void *work, size_t work_cap)
{
	return bp_verifier_load_keyset(ctx, token, token_len, now, 0, 0, work, work_cap);
}

bp_client_status
bp_client_verify_paseto(const char *k4_public, const char *token, size_t token_len,
						const char *implicit, size_t implicit_len,
						void *work, size_t work_cap, size_t *payload_len)
{
	return bp_verify_paseto(k4_public, token, token_len, implicit, implicit_len,
							work, work_cap, payload_len);
}

bp_client_status
bp_client_verify_ex(const bp_client_ctx *ctx, const char *token, size_t token_len,
					const char *expected_typ, int64_t now, unsigned flags,
					void *work, size_t work_cap, size_t *payload_len)
{
	return bp_verify_token(ctx, token, token_len, expected_typ, now, flags, 0,
						   work, work_cap, payload_len);
}

bp_client_status
bp_client_verify(const bp_client_ctx *ctx, const char *token, size_t token_len,
				 const char *expected_typ, int64_t now,
				 void *work, size_t work_cap, size_t *payload_len)
{
	return bp_client_verify_ex(ctx, token, token_len, expected_typ, now, 0,
							   work, work_cap, payload_len);
}

/* ---- lease revocation lists -------------------------------------------- */

void
bp_client_revocations_init(bp_client_revocations *rev)
{
	bp_revocations_init(rev);
}

bp_client_status
bp_client_load_revocations(bp_client_revocations *rev, const bp_client_ctx *ctx,
						   const char *token, size_t token_len, int64_t now,
						   void *work, size_t work_cap)
{
	return bp_revocations_load(rev, ctx, token, token_len, now, work, work_cap);
}

bool
bp_client_revocations_contains(const bp_client_revocations *rev, const char *lease_id, size_t len)
{
	return bp_revocations_contains(rev, lease_id, len);
}

bp_client_status
bp_client_check_lease_revoked(const bp_client_revocations *rev, const char *payload, size_t payload_len)
{
	return bp_revocations_check_lease(rev, payload, payload_len);
}

/* ---- binding to the install and request --------------------------------- */

/* Is the payload's top-level member name a string equal to want? */
static bool
member_is(const char *payload, const bp_json_token *tok, size_t n, const char *name, const char *want)
{
	int			v = bp_json_object_get(payload, tok, n, 0, name);

	return v >= 0 && tok[v].type == BP_JSON_STRING &&
		bp_json_string_equals(payload, &tok[v], want, strlen(want));
}

bp_client_status
bp_client_check_binding(const char *payload, size_t payload_len, const char *install_id, const char *nonce)
{
	bp_json_token tok[BP_CLIENT_BINDING_MAX_TOKENS];
	size_t		n;
	bp_json_status st;

	if (payload == NULL)
		return BP_CLIENT_BAD_ARGUMENT;
	st = bp_json_parse(payload, payload_len, tok, BP_CLIENT_BINDING_MAX_TOKENS, &n);
	if (st == BP_JSON_TOO_MANY_TOKENS)
		return BP_CLIENT_BUFFER_TOO_SMALL;
	if (st != BP_JSON_OK || tok[0].type != BP_JSON_OBJECT)
		return BP_CLIENT_MALFORMED;
	if (install_id != NULL && !member_is(payload, tok, n, "install_id", install_id))
		return BP_CLIENT_NOT_FOR_US;
	if (nonce != NULL && !member_is(payload, tok, n, "nonce", nonce))
		return BP_CLIENT_NOT_FOR_US;
	return BP_CLIENT_OK;
}

/* ---- lease chain ------------------------------------------------------- */

void
bp_client_lease_hash(const char *token, size_t token_len, char hex[BP_CLIENT_LEASE_HASH_HEX_LEN + 1])
{
	uint8_t		h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *) token, token_len);
	sodium_bin2hex(hex, BP_CLIENT_LEASE_HASH_HEX_LEN + 1, h, sizeof(h));
}

typedef struct lease_fields
{
	const char *text;
	bp_json_token tok[LEASE_TOKENS];
	size_t		n;
	int64_t		seq;
	const char *prev_hash;		/* raw text of the string (hex has no escapes) */
	size_t		prev_hash_len;
} lease_fields;

static bp_client_status
read_lease(const char *payload, size_t len, lease_fields *f)
{
	int			v;

	if (payload == NULL)
		return BP_CLIENT_BAD_ARGUMENT;
	f->text = payload;
	if (bp_json_parse(payload, len, f->tok, LEASE_TOKENS, &f->n) != BP_JSON_OK ||
		f->tok[0].type != BP_JSON_OBJECT)
		return BP_CLIENT_MALFORMED;
	v = bp_json_object_get(payload, f->tok, f->n, 0, "typ");
	if (v < 0 || f->tok[v].type != BP_JSON_STRING)
		return BP_CLIENT_MALFORMED;
	if (!bp_json_string_equals(payload, &f->tok[v], "lease", 5))
		return BP_CLIENT_WRONG_TYPE;
	v = bp_json_object_get(payload, f->tok, f->n, 0, "seq");
	if (v < 0 || f->tok[v].type != BP_JSON_NUMBER ||
		bp_json_int64(payload, &f->tok[v], &f->seq) != BP_JSON_OK || f->seq < 1)
		return BP_CLIENT_MALFORMED;
	v = bp_json_object_get(payload, f->tok, f->n, 0, "prev_hash");
	if (v < 0 || f->tok[v].type != BP_JSON_STRING)
		return BP_CLIENT_MALFORMED;
	f->prev_hash = payload + f->tok[v].start;
	f->prev_hash_len = f->tok[v].end - f->tok[v].start;
	if (f->prev_hash_len != 0 && f->prev_hash_len != BP_CLIENT_LEASE_HASH_HEX_LEN)
		return BP_CLIENT_MALFORMED;
	return BP_CLIENT_OK;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

/* Does next follow a lease of seq prev_seq whose token hashes to prev_hex? */
static bp_client_status
check_link(int64_t prev_seq, const char *prev_hex, const lease_fields *next)
{
	size_t		i;

	if (prev_hex == NULL)
	{
		if (next->seq != 1)
			return next->seq < 1 ? BP_CLIENT_ROLLBACK : BP_CLIENT_CHAIN_BROKEN;
		return next->prev_hash_len == 0 ? BP_CLIENT_OK : BP_CLIENT_CHAIN_BROKEN;
	}
	if (next->seq <= prev_seq)
		return BP_CLIENT_ROLLBACK;
	if (next->seq != prev_seq + 1 || next->prev_hash_len != BP_CLIENT_LEASE_HASH_HEX_LEN)
		return BP_CLIENT_CHAIN_BROKEN;
	for (i = 0; i < BP_CLIENT_LEASE_HASH_HEX_LEN; i++)
		if (lower(next->prev_hash[i]) != prev_hex[i])
			return BP_CLIENT_CHAIN_BROKEN;
	return BP_CLIENT_OK;
}

/* The same raw JSON value (or both absent) for a top-level member? */
static bool
same_member(const lease_fields *a, const lease_fields *b, const char *name)
{
	int			x = bp_json_object_get(a->text, a->tok, a->n, 0, name);
	int			y = bp_json_object_get(b->text, b->tok, b->n, 0, name);
	size_t		lx;
	size_t		ly;

	if (x < 0 || y < 0)
		return x < 0 && y < 0;
	lx = a->tok[x].end - a->tok[x].start;
	ly = b->tok[y].end - b->tok[y].start;
	return a->tok[x].type == b->tok[y].type && lx == ly &&
		memcmp(a->text + a->tok[x].start, b->text + b->tok[y].start, lx) == 0;
}

bp_client_status
bp_client_check_lease_chain(const char *prev_token, size_t prev_token_len,
							const char *prev_payload, size_t prev_payload_len,
							const char *next_payload, size_t next_payload_len)
{
	lease_fields prev;
	lease_fields next;
	char		hex[BP_CLIENT_LEASE_HASH_HEX_LEN + 1];
	bp_client_status st;

	st = read_lease(next_payload, next_payload_len, &next);
	if (st != BP_CLIENT_OK)
		return st;
	if (prev_token == NULL)
		return check_link(0, NULL, &next);
	st = read_lease(prev_payload, prev_payload_len, &prev);
	if (st != BP_CLIENT_OK)
		return st;
	/* One chain per tenant, product and subject. */
	if (!same_member(&prev, &next, "tenant_id") || !same_member(&prev, &next, "product_id") ||
		!same_member(&prev, &next, "sub"))
		return BP_CLIENT_CHAIN_BROKEN;
	bp_client_lease_hash(prev_token, prev_token_len, hex);
	return check_link(prev.seq, hex, &next);
}

void
bp_client_lease_chain_init(bp_client_lease_chain *chain)
{
	if (chain != NULL)
		memset(chain, 0, sizeof(*chain));
}

bp_client_status
bp_client_lease_chain_next(bp_client_lease_chain *chain, const char *token, size_t token_len,
						   const char *payload, size_t payload_len)
{
	lease_fields next;
	bp_client_status st;

	if (chain == NULL || token == NULL)
		return BP_CLIENT_BAD_ARGUMENT;
	st = read_lease(payload, payload_len, &next);
	if (st != BP_CLIENT_OK)
		return st;
	st = check_link(chain->seq, chain->seq == 0 ? NULL : chain->hash, &next);
	if (st != BP_CLIENT_OK)
		return st;
	chain->seq = next.seq;
	bp_client_lease_hash(token, token_len, chain->hash);
	return BP_CLIENT_OK;
}
