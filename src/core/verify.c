/*
 * verify.c — the one verifier of Big Picture tokens: see verify.h.
 *
 * Order of checks: footer kid -> key (known, not revoked, usable at now) ->
 * signature (with the footer read as the expected footer, so it is bound) ->
 * payload JSON object -> typ vs the key's purpose (token_kinds.h) -> typ vs
 * expected_typ -> exp / nbf / iat -> tenant.  Nothing in the payload is
 * trusted before the signature has verified.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "json.h"
#include "paserk.h"
#include "paseto.h"
#include "rfc3339.h"
#include "verify.h"

/* The footer is {"kid":"k4.pid.…"}, or with a key certificate (about 600
 * bytes): anything much bigger is not ours. */
#define FOOTER_MAX 4096
#define FOOTER_TOKENS 16

static const char *const status_names[BP_VERIFY_N_STATUS] = {
	"OK", "BAD_ARGUMENT", "BAD_KEY", "MALFORMED", "BAD_SIGNATURE",
	"UNKNOWN_KEY", "WRONG_PURPOSE", "WRONG_TYPE", "EXPIRED", "NOT_YET_VALID",
	"KEY_REVOKED", "KEY_NOT_VALID", "WRONG_TENANT", "ROLLBACK",
	"CHAIN_BROKEN", "BUFFER_TOO_SMALL", "CAPACITY", "CERT_INVALID", "CERT_EXPIRED",
	"NOT_FOR_US", "LEASE_REVOKED"
};

static const char *const status_sentences[BP_VERIFY_N_STATUS] = {
	"The token is valid.",
	"A required argument is missing or not acceptable.",
	"The key is not a valid PASERK k4.public key.",
	"The token, its footer or its payload is not well formed.",
	"The signature does not verify.",
	"No known key has the token's key id.",
	"The signing key's purpose may not sign this token type.",
	"The token type is not the one expected.",
	"The token has expired.",
	"The token is not valid yet.",
	"The signing key has been revoked.",
	"The signing key is not valid now (pending, retired, or outside its validity window).",
	"The token is for another tenant than the signing key's.",
	"The key set version or lease sequence went backwards.",
	"The lease does not follow the previous lease (sequence skipped or previous hash differs).",
	"The work buffer is too small for this token.",
	"Too many keys for the client context.",
	"The key certificate is not valid (malformed, not signed by a root key, or for another key).",
	"The key certificate has expired or is not valid yet.",
	"The token answers another install or another request (install_id or nonce differs).",
	"The lease has been revoked (it is on its tenant's signed revocation list)."
};

const char *
bp_verify_status_name(bp_verify_status status)
{
	if ((int) status < 0 || (int) status >= BP_VERIFY_N_STATUS)
		return "UNKNOWN_STATUS";
	return status_names[status];
}

const char *
bp_verify_strerror(bp_verify_status status)
{
	if ((int) status < 0 || (int) status >= BP_VERIFY_N_STATUS)
		return "Unknown status.";
	return status_sentences[status];
}

static bool
text_is(const char *s, size_t len, const char *lit)
{
	size_t		n = strlen(lit);

	return len == n && memcmp(s, lit, n) == 0;
}

static const char *const state_names[] = {"active", "pending", "retiring", "retired", "revoked"};

bool
bp_key_state_from_name(const char *name, size_t len, bp_key_state *state)
{
	size_t		i;

	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (name != NULL && text_is(name, len, state_names[i]))
		{
			*state = (bp_key_state) i;
			return true;
		}
	return false;
}

/* ---- keys -------------------------------------------------------------- */

void
bp_verifier_init(bp_verifier *ctx)
{
	if (ctx == NULL)
		return;
	memset(ctx, 0, sizeof(*ctx));
}

static int
find_key(const bp_verifier *ctx, const char *kid, size_t kid_len)
{
	size_t		i;

	if (kid_len != BP_PASERK_K4_PID_LEN)
		return -1;
	for (i = 0; i < ctx->n_keys; i++)
		if (memcmp(ctx->keys[i].kid, kid, BP_PASERK_K4_PID_LEN) == 0)
			return (int) i;
	return -1;
}

bp_verify_status
bp_verifier_pin_key(bp_verifier *ctx, bp_purpose purpose, const char *k4_public)
{
	bp_verify_key key;
	size_t		kid_len;
	int			at;

	if (ctx == NULL || k4_public == NULL ||
		purpose < BP_PURPOSE_ROOT || purpose > BP_PURPOSE_AUDIT)
		return BP_VERIFY_BAD_ARGUMENT;
	memset(&key, 0, sizeof(key));
	if (bp_paserk_k4_public_decode(k4_public, strlen(k4_public), key.pk) != BP_PASERK_OK)
		return BP_VERIFY_BAD_KEY;
	if (bp_paserk_k4_pid(key.pk, sizeof(key.pk), key.kid, sizeof(key.kid), &kid_len) != BP_PASERK_OK)
		return BP_VERIFY_BAD_KEY;
	key.purpose = purpose;
	key.state = BP_KEY_ACTIVE;
	key.pinned = true;

	at = find_key(ctx, key.kid, kid_len);
	if (at >= 0)
	{
		bp_verify_key *old = &ctx->keys[at];

		if (old->purpose != purpose)
			return BP_VERIFY_BAD_ARGUMENT;
		/* Pinning wins over a key set entry; a revocation stays. */
		old->pinned = true;
		if (old->state != BP_KEY_REVOKED)
		{
			key.state = BP_KEY_ACTIVE;
			*old = key;
		}
		return BP_VERIFY_OK;
	}
	if (ctx->n_keys >= BP_VERIFY_MAX_KEYS)
		return BP_VERIFY_CAPACITY;
	ctx->keys[ctx->n_keys++] = key;
	return BP_VERIFY_OK;
}

bp_verify_status
bp_verifier_add_key(bp_verifier *ctx, const bp_verify_key *key)
{
	char		pid[BP_PASERK_K4_PID_LEN];
	size_t		pid_len;

	if (ctx == NULL || key == NULL || key->purpose < BP_PURPOSE_FIRST || key->purpose > BP_PURPOSE_LAST ||
		key->tenant_len > sizeof(key->tenant))
		return BP_VERIFY_BAD_ARGUMENT;
	if (bp_paserk_k4_pid(key->pk, sizeof(key->pk), pid, sizeof(pid), &pid_len) != BP_PASERK_OK ||
		pid_len != BP_PASERK_K4_PID_LEN || memcmp(pid, key->kid, BP_PASERK_K4_PID_LEN) != 0)
		return BP_VERIFY_BAD_KEY;
	if (find_key(ctx, key->kid, BP_PASERK_K4_PID_LEN) >= 0)
		return BP_VERIFY_BAD_ARGUMENT;
	if (ctx->n_keys >= BP_VERIFY_MAX_KEYS)
		return BP_VERIFY_CAPACITY;
	ctx->keys[ctx->n_keys] = *key;
	ctx->keys[ctx->n_keys].pinned = false;
	ctx->n_keys++;
	return BP_VERIFY_OK;
}

static bp_verify_status
key_usable(const bp_verify_key *key, int64_t now)
{
	if (key->state == BP_KEY_REVOKED)
		return BP_VERIFY_KEY_REVOKED;
	if (key->state == BP_KEY_PENDING || key->state == BP_KEY_RETIRED)
		return BP_VERIFY_KEY_NOT_VALID;
	if (key->has_valid_from && now < key->valid_from)
		return BP_VERIFY_KEY_NOT_VALID;
	if (key->has_valid_until && now >= key->valid_until)
		return BP_VERIFY_KEY_NOT_VALID;
	return BP_VERIFY_OK;
}

/* ---- verification ------------------------------------------------------ */

typedef struct parsed
{
	const char *text;			/* the payload, at the start of work */
	size_t		len;
	bp_json_token *tok;			/* its tokens, after it in work */
	size_t		n;
} parsed;

static size_t
add_size(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Alignment that bp_json_token needs, without C11's alignof. */
struct token_align
{
	char		c;
	bp_json_token t;
};
#define TOKEN_ALIGN offsetof(struct token_align, t)

size_t
bp_verify_work_len(size_t token_len)
{
	size_t		pmax;
	size_t		scratch;
	size_t		tokens;

	if (token_len > BP_VERIFY_MAX_TOKEN_LEN)
		return SIZE_MAX;
	pmax = bp_paseto_v4_payload_max_len(token_len);
	scratch = bp_paseto_v4_verify_scratch_len(token_len, 0);
	/* JSON of n bytes has at most n / 2 + 1 tokens. */
	tokens = (pmax / 2 + 2) * sizeof(bp_json_token) + TOKEN_ALIGN;
	return add_size(pmax, scratch > tokens ? scratch : tokens);
}

/*
 * Read and check the footer's kid into kid[BP_PASERK_K4_PID_LEN]; a "cert"
 * member's raw text (base64url and dots, no escapes) goes to *cert, NULL
 * when there is none.
 */
static bp_verify_status
footer_kid(const char *token, size_t token_len, uint8_t *footer, size_t *footer_len,
		   char *kid, const char **cert, size_t *cert_len)
{
	bp_json_token tok[FOOTER_TOKENS];
	size_t		n;
	size_t		kid_len;
	int			v;

	if (bp_paseto_footer(token, token_len, footer, FOOTER_MAX, footer_len) != BP_PASETO_OK ||
		*footer_len == 0)
		return BP_VERIFY_MALFORMED;
	if (bp_json_parse((const char *) footer, *footer_len, tok, FOOTER_TOKENS, &n) != BP_JSON_OK ||
		tok[0].type != BP_JSON_OBJECT)
		return BP_VERIFY_MALFORMED;
	v = bp_json_object_get((const char *) footer, tok, n, 0, "kid");
	if (v < 0 || tok[v].type != BP_JSON_STRING ||
		bp_json_unescape((const char *) footer, &tok[v], kid, BP_PASERK_K4_PID_LEN, &kid_len) != BP_JSON_OK ||
		kid_len != BP_PASERK_K4_PID_LEN ||
		bp_paserk_k4_pid_decode(kid, kid_len, NULL) != BP_PASERK_OK)
		return BP_VERIFY_MALFORMED;
	*cert = NULL;
	*cert_len = 0;
	v = bp_json_object_get((const char *) footer, tok, n, 0, "cert");
	if (v >= 0)
	{
		size_t		i;

		if (tok[v].type != BP_JSON_STRING || tok[v].end == tok[v].start)
			return BP_VERIFY_MALFORMED;
		for (i = tok[v].start; i < tok[v].end; i++)
			if (footer[i] == '\\')
				return BP_VERIFY_MALFORMED;
		*cert = (const char *) footer + tok[v].start;
		*cert_len = tok[v].end - tok[v].start;
	}
	return BP_VERIFY_OK;
}

bp_verify_status
bp_verify_footer_kid(const char *token, size_t token_len, char kid[BP_PASERK_K4_PID_LEN])
{
	uint8_t		footer[FOOTER_MAX];
	size_t		footer_len;
	const char *cert;
	size_t		cert_len;

	if (token == NULL || kid == NULL)
		return BP_VERIFY_BAD_ARGUMENT;
	if (token_len > BP_VERIFY_MAX_TOKEN_LEN)
		return BP_VERIFY_MALFORMED;
	return footer_kid(token, token_len, footer, &footer_len, kid, &cert, &cert_len);
}

/* Members that must not appear twice at the top level of a payload. */
static const char *const unique_members[] = {
	"typ", "exp", "nbf", "iat", "tenant_id", "version", "keys", "seq", "prev_hash",
	"sub", "product_id", NULL
};

static bool
has_duplicate(const parsed *p, int object, const char *const *names)
{
	for (; *names != NULL; names++)
	{
		int			count = 0;
		int			k = object + 1;
		size_t		m;
		size_t		len = strlen(*names);

		/* Members are key, value pairs: step over each value's subtree. */
		for (m = 0; m < p->tok[object].size; m++)
		{
			if (k < 0 || (size_t) k + 1 >= p->n)
				return true;
			if (bp_json_string_equals(p->text, &p->tok[k], *names, len))
				count++;
			k = bp_json_skip(p->tok, p->n, k + 1);
		}
		if (count > 1)
			return true;
	}
	return false;
}

/* A top-level time member: absent (*present false) or RFC 3339. */
/*
 * An RFC 3339 time member of an object: absent is fine (*present false), so
 * is JSON null where allow_null; anything else but a valid time is not.
 */
static bool
read_time(const parsed *p, int object, const char *name, bool allow_null, bool *present, int64_t *t)
{
	int			v = bp_json_object_get(p->text, p->tok, p->n, object, name);

	*present = false;
	if (v < 0 || (allow_null && p->tok[v].type == BP_JSON_NULL))
		return true;
	if (p->tok[v].type != BP_JSON_STRING ||
		!bp_rfc3339_parse(p->text + p->tok[v].start,
								 p->tok[v].end - p->tok[v].start, t))
		return false;
	*present = true;
	return true;
}

static bp_verify_status
map_paseto(bp_paseto_status st)
{
	switch (st)
	{
		case BP_PASETO_OK:
			return BP_VERIFY_OK;
		case BP_PASETO_BAD_SIGNATURE:
			return BP_VERIFY_BAD_SIGNATURE;
		case BP_PASETO_BUFFER_TOO_SMALL:
			return BP_VERIFY_BUFFER_TOO_SMALL;
		default:
			return BP_VERIFY_MALFORMED;
	}
}

/*
 * Signature and PASETO form only, with a key given as PASERK k4.public: no
 * kid, typ or time checks.  For generic PASETO v4.public tokens (and the
 * official test vectors); Big Picture tokens go through bp_verify_token.
 */
bp_verify_status
bp_verify_paseto(const char *k4_public, const char *token, size_t token_len,
						const char *implicit, size_t implicit_len,
						void *work, size_t work_cap, size_t *payload_len)
{
	uint8_t		pk[BP_PASERK_K4_PUBLIC_KEY_BYTES];
	size_t		pmax;
	size_t		scratch;

	if (payload_len)
		*payload_len = 0;
	if (k4_public == NULL || token == NULL || work == NULL || payload_len == NULL ||
		(implicit == NULL && implicit_len > 0))
		return BP_VERIFY_BAD_ARGUMENT;
	if (bp_paserk_k4_public_decode(k4_public, strlen(k4_public), pk) != BP_PASERK_OK)
		return BP_VERIFY_BAD_KEY;
	pmax = bp_paseto_v4_payload_max_len(token_len);
	scratch = bp_paseto_v4_verify_scratch_len(token_len, implicit_len);
	if (pmax == SIZE_MAX || scratch == SIZE_MAX || add_size(pmax, scratch) > work_cap)
		return BP_VERIFY_BUFFER_TOO_SMALL;
	return map_paseto(bp_paseto_v4_verify(token, token_len, pk, sizeof(pk), NULL, 0,
										  (const uint8_t *) implicit, implicit_len,
										  (uint8_t *) work + pmax, scratch, work, pmax, payload_len));
}

static bp_verify_status verify_token(const bp_verifier *ctx, const char *token, size_t token_len,
									 const char *expected_typ, int64_t now, unsigned flags, int64_t exp_leeway,
									 bool keyset_mode, bool allow_cert,
									 uint8_t *work, size_t work_cap, parsed *p);

/* Bit of a purpose in a certificate's purposes mask. */
#define PURPOSE_BIT(purpose) (1u << (unsigned) (purpose))

/*
 * The key a certificate vouches for: the certificate verifies with a known
 * root key (itself without a certificate), typ key_certificate, exp present
 * and after now, its kid is the token's kid and its public_key has that kid;
 * purposes (decision, lease) go to *purposes, its tenant into key.  Uses
 * work, which the caller may reuse afterwards.
 */
static bp_verify_status
certified_key(const bp_verifier *ctx, const char *cert, size_t cert_len, const char *kid,
			  int64_t now, uint8_t *work, size_t work_cap, bp_verify_key *key, unsigned *purposes)
{
	parsed		p;
	bp_verify_status st;
	bool		present;
	int64_t		exp;
	const char *s;
	size_t		len;
	char		pid[BP_PASERK_K4_PID_LEN];
	size_t		pid_len;
	int			v;
	int			e;
	size_t		i;

	st = verify_token(ctx, cert, cert_len, "key_certificate", now, 0, 0, false, false,
					  work, work_cap, &p);
	if (st == BP_VERIFY_EXPIRED || st == BP_VERIFY_NOT_YET_VALID)
		return BP_VERIFY_CERT_EXPIRED;
	if (st == BP_VERIFY_BUFFER_TOO_SMALL)
		return st;
	if (st != BP_VERIFY_OK)
		return BP_VERIFY_CERT_INVALID;
	if (!read_time(&p, 0, "exp", false, &present, &exp) || !present)
		return BP_VERIFY_CERT_INVALID;

	memset(key, 0, sizeof(*key));
	v = bp_json_object_get(p.text, p.tok, p.n, 0, "kid");
	if (v < 0 || !bp_json_string_equals(p.text, &p.tok[v], kid, BP_PASERK_K4_PID_LEN))
		return BP_VERIFY_CERT_INVALID;
	v = bp_json_object_get(p.text, p.tok, p.n, 0, "public_key");
	if (v < 0 || p.tok[v].type != BP_JSON_STRING)
		return BP_VERIFY_CERT_INVALID;
	s = p.text + p.tok[v].start;
	len = p.tok[v].end - p.tok[v].start;
	if (bp_paserk_k4_public_decode(s, len, key->pk) != BP_PASERK_OK ||
		bp_paserk_k4_pid(key->pk, sizeof(key->pk), pid, sizeof(pid), &pid_len) != BP_PASERK_OK ||
		pid_len != BP_PASERK_K4_PID_LEN || memcmp(pid, kid, BP_PASERK_K4_PID_LEN) != 0)
		return BP_VERIFY_CERT_INVALID;
	v = bp_json_object_get(p.text, p.tok, p.n, 0, "tenant_id");
	if (v < 0 || p.tok[v].type != BP_JSON_STRING ||
		bp_json_unescape(p.text, &p.tok[v], key->tenant, sizeof(key->tenant), &key->tenant_len) != BP_JSON_OK ||
		key->tenant_len == 0)
		return BP_VERIFY_CERT_INVALID;
	v = bp_json_object_get(p.text, p.tok, p.n, 0, "purposes");
	if (v < 0 || p.tok[v].type != BP_JSON_ARRAY || p.tok[v].size == 0)
		return BP_VERIFY_CERT_INVALID;
	*purposes = 0;
	for (i = 0, e = v + 1; i < p.tok[v].size; i++, e = bp_json_skip(p.tok, p.n, e))
	{
		bp_purpose pp;

		if (e < 0 || (size_t) e >= p.n || p.tok[e].type != BP_JSON_STRING)
			return BP_VERIFY_CERT_INVALID;
		pp = bp_purpose_from_name(p.text + p.tok[e].start, p.tok[e].end - p.tok[e].start);
		if (pp != BP_PURPOSE_DECISION && pp != BP_PURPOSE_LEASE)
			return BP_VERIFY_CERT_INVALID;
		*purposes |= PURPOSE_BIT(pp);
	}
	memcpy(key->kid, kid, BP_PASERK_K4_PID_LEN);
	key->purpose = BP_PURPOSE_NONE;
	key->state = BP_KEY_ACTIVE;
	key->has_valid_until = true;
	key->valid_until = exp;
	key->has_tenant = true;
	return BP_VERIFY_OK;
}

/*
 * The common verifier.  keyset_mode: the key must be a pinned root key and
 * exp is required.  allow_cert: an unknown kid may come with a key
 * certificate.  On success *p describes the payload and its tokens.
 */
static bp_verify_status
verify_token(const bp_verifier *ctx, const char *token, size_t token_len,
			 const char *expected_typ, int64_t now, unsigned flags, int64_t exp_leeway, bool keyset_mode,
			 bool allow_cert, uint8_t *work, size_t work_cap, parsed *p)
{
	const char *cert;
	size_t		cert_len;
	bp_verify_key certified;
	unsigned	cert_purposes = 0;
	uint8_t		footer[FOOTER_MAX];
	size_t		footer_len;
	char		kid[BP_PASERK_K4_PID_LEN];
	const bp_verify_key *key;
	bp_verify_status st;
	size_t		pmax;
	size_t		scratch;
	size_t		payload_len;
	size_t		n_tok;
	size_t		off;
	uintptr_t	addr;
	int			v;
	const bp_token_kind *kind;
	bp_purpose	typ_purpose;
	bool		present;
	bool		has_exp;
	int64_t		t;
	int64_t		exp;

	memset(p, 0, sizeof(*p));
	if (ctx == NULL || token == NULL || work == NULL)
		return BP_VERIFY_BAD_ARGUMENT;
	if (token_len > BP_VERIFY_MAX_TOKEN_LEN)
		return BP_VERIFY_MALFORMED;

	/* The key. */
	st = footer_kid(token, token_len, footer, &footer_len, kid, &cert, &cert_len);
	if (st != BP_VERIFY_OK)
		return st;
	v = find_key(ctx, kid, sizeof(kid));
	if (v >= 0)
		key = &ctx->keys[v];
	else if (cert != NULL && allow_cert && !keyset_mode && !(flags & BP_VERIFY_OWN_KEYS))
	{
		/* A mirror's key, vouched for by the root (a key set entry would win). */
		st = certified_key(ctx, cert, cert_len, kid, now, work, work_cap, &certified, &cert_purposes);
		if (st != BP_VERIFY_OK)
			return st;
		key = &certified;
	}
	else
		return BP_VERIFY_UNKNOWN_KEY;
	if (keyset_mode && (!key->pinned || key->purpose != BP_PURPOSE_ROOT))
		return BP_VERIFY_UNKNOWN_KEY;
	/* A record of the past (a checkpoint) only needs a key not revoked. */
	if ((flags & BP_VERIFY_SIGNED_EARLIER) && !keyset_mode)
		st = key->state == BP_KEY_REVOKED ? BP_VERIFY_KEY_REVOKED : BP_VERIFY_OK;
	else
		st = key_usable(key, now);
	if (st != BP_VERIFY_OK)
		return st;

	/* The signature, with the footer bound. */
	pmax = bp_paseto_v4_payload_max_len(token_len);
	scratch = bp_paseto_v4_verify_scratch_len(token_len, 0);
	if (add_size(pmax, scratch) > work_cap)
		return BP_VERIFY_BUFFER_TOO_SMALL;
	st = map_paseto(bp_paseto_v4_verify(token, token_len, key->pk, sizeof(key->pk),
										footer, footer_len, NULL, 0,
										work + pmax, scratch, work, pmax, &payload_len));
	if (st != BP_VERIFY_OK)
		return st;

	/* The payload: tokens go after it, into the now free scratch. */
	if (bp_json_parse((const char *) work, payload_len, NULL, 0, &n_tok) != BP_JSON_OK)
		return BP_VERIFY_MALFORMED;
	addr = (uintptr_t) (work + payload_len);
	off = payload_len + (TOKEN_ALIGN - addr % TOKEN_ALIGN) % TOKEN_ALIGN;
	if (off > work_cap || (work_cap - off) / sizeof(bp_json_token) < n_tok)
		return BP_VERIFY_BUFFER_TOO_SMALL;
	p->text = (const char *) work;
	p->len = payload_len;
	p->tok = (bp_json_token *) (void *) (work + off);
	if (bp_json_parse(p->text, payload_len, p->tok, n_tok, &p->n) != BP_JSON_OK ||
		p->tok[0].type != BP_JSON_OBJECT || has_duplicate(p, 0, unique_members))
		return BP_VERIFY_MALFORMED;

	/* typ against the key's purpose, then against what the caller expects. */
	v = bp_json_object_get(p->text, p->tok, p->n, 0, "typ");
	if (v < 0 || p->tok[v].type != BP_JSON_STRING)
		return BP_VERIFY_MALFORMED;
	kind = bp_token_kind_of(p->text + p->tok[v].start, p->tok[v].end - p->tok[v].start);
	typ_purpose = kind != NULL ? kind->purpose : BP_PURPOSE_NONE;
	if (cert_purposes != 0 ? (typ_purpose == BP_PURPOSE_NONE ||
							  !(cert_purposes & PURPOSE_BIT(typ_purpose)))
		: typ_purpose != key->purpose)
		return BP_VERIFY_WRONG_PURPOSE;
	if (keyset_mode && !bp_json_string_equals(p->text, &p->tok[v], "keyset", 6))
		return BP_VERIFY_WRONG_TYPE;
	if (expected_typ != NULL &&
		!bp_json_string_equals(p->text, &p->tok[v], expected_typ, strlen(expected_typ)))
		return BP_VERIFY_WRONG_TYPE;

	/* Times. */
	if (!read_time(p, 0, "exp", false, &has_exp, &exp))
		return BP_VERIFY_MALFORMED;
	if (!has_exp && (keyset_mode || (kind != NULL && kind->needs_exp)))
		return BP_VERIFY_MALFORMED;
	if (has_exp && !(flags & BP_VERIFY_SKIP_TIME) && exp <= now - exp_leeway)
		return BP_VERIFY_EXPIRED;
	if (!read_time(p, 0, "nbf", false, &present, &t))
		return BP_VERIFY_MALFORMED;
	/* The server sets nbf to the second it signs: a client clock a little
	 * behind the server's must not refuse a fresh token, so nbf gets the
	 * same skew as iat. */
	if (present && !(flags & BP_VERIFY_SKIP_TIME) && t > now + BP_VERIFY_CLOCK_SKEW)
		return BP_VERIFY_NOT_YET_VALID;
	if (!read_time(p, 0, "iat", false, &present, &t))
		return BP_VERIFY_MALFORMED;
	/* Issued in the future beyond any plausible clock skew: the server's or
	 * our clock is wrong, or the token is not what it claims. */
	if (present && !(flags & BP_VERIFY_SKIP_TIME) && t > now + BP_VERIFY_CLOCK_SKEW)
		return BP_VERIFY_NOT_YET_VALID;
	/* Longer-lived than its kind is ever signed: not a token of ours. */
	if (present && has_exp && kind != NULL && kind->max_lifetime > 0 && exp - t > kind->max_lifetime)
		return BP_VERIFY_MALFORMED;

	/* A tenant's key signs for that tenant only. */
	v = bp_json_object_get(p->text, p->tok, p->n, 0, "tenant_id");
	if (key->has_tenant && v >= 0 &&
		(p->tok[v].type != BP_JSON_STRING ||
		 !bp_json_string_equals(p->text, &p->tok[v], key->tenant, key->tenant_len)))
		return BP_VERIFY_WRONG_TENANT;
	/* A certified key's tokens must say whose they are. */
	if (cert_purposes != 0 && v < 0)
		return BP_VERIFY_WRONG_TENANT;
	/* A tenant's audit key checkpoints its tenant's chain only. */
	if (key->has_tenant && key->purpose == BP_PURPOSE_AUDIT)
	{
		v = bp_json_object_get(p->text, p->tok, p->n, 0, "chain_id");
		if (v < 0 || p->tok[v].type != BP_JSON_STRING ||
			!bp_json_string_equals(p->text, &p->tok[v], key->tenant, key->tenant_len))
			return BP_VERIFY_WRONG_TENANT;
	}
	return BP_VERIFY_OK;
}

bp_verify_status
bp_verify_token(const bp_verifier *ctx, const char *token, size_t token_len,
				const char *expected_typ, int64_t now, unsigned flags, int64_t exp_leeway,
				void *work, size_t work_cap, size_t *payload_len)
{
	parsed		p;
	bp_verify_status st;

	if (payload_len)
		*payload_len = 0;
	if (exp_leeway < 0)
		return BP_VERIFY_BAD_ARGUMENT;
	st = verify_token(ctx, token, token_len, expected_typ, now, flags, exp_leeway, false, true,
					  work, work_cap, &p);
	if (st == BP_VERIFY_OK && payload_len)
		*payload_len = p.len;
	return st;
}

/* ---- key set ----------------------------------------------------------- */

/* A string member's raw text, or false when absent or not a string. */
static bool
member_string(const parsed *p, int object, const char *name, const char **s, size_t *len)
{
	int			v = bp_json_object_get(p->text, p->tok, p->n, object, name);

	if (v < 0 || p->tok[v].type != BP_JSON_STRING)
		return false;
	*s = p->text + p->tok[v].start;
	*len = p->tok[v].end - p->tok[v].start;
	return true;
}

static const char *const entry_members[] = {
	"kid", "purpose", "tenant_id", "public_key", "state", "valid_from", "valid_until", NULL
};

/* Read one key set entry into *key. */
static bp_verify_status
read_entry(const parsed *p, int e, bp_verify_key *key)
{
	const char *s;
	size_t		len;
	size_t		kid_len;
	int			v;

	memset(key, 0, sizeof(*key));
	if (p->tok[e].type != BP_JSON_OBJECT || has_duplicate(p, e, entry_members))
		return BP_VERIFY_MALFORMED;

	/* PASERK and k4.pid text have no escapes, so the raw text is the value. */
	if (!member_string(p, e, "public_key", &s, &len) ||
		bp_paserk_k4_public_decode(s, len, key->pk) != BP_PASERK_OK ||
		bp_paserk_k4_pid(key->pk, sizeof(key->pk), key->kid, sizeof(key->kid), &kid_len) != BP_PASERK_OK)
		return BP_VERIFY_MALFORMED;
	if (!member_string(p, e, "kid", &s, &len) || len != kid_len ||
		memcmp(s, key->kid, kid_len) != 0)
		return BP_VERIFY_MALFORMED;

	if (!member_string(p, e, "purpose", &s, &len))
		return BP_VERIFY_MALFORMED;
	key->purpose = bp_purpose_from_name(s, len);
	if (key->purpose == BP_PURPOSE_NONE)
		return BP_VERIFY_MALFORMED;

	if (!member_string(p, e, "state", &s, &len))
		return BP_VERIFY_MALFORMED;
	if (!bp_key_state_from_name(s, len, &key->state))
		return BP_VERIFY_MALFORMED;

	v = bp_json_object_get(p->text, p->tok, p->n, e, "tenant_id");
	if (v >= 0 && p->tok[v].type != BP_JSON_NULL)
	{
		if (p->tok[v].type != BP_JSON_STRING ||
			bp_json_unescape(p->text, &p->tok[v], key->tenant, sizeof(key->tenant),
							 &key->tenant_len) != BP_JSON_OK)
			return BP_VERIFY_MALFORMED;
		key->has_tenant = true;
	}
	if (!read_time(p, e, "valid_from", true, &key->has_valid_from, &key->valid_from) ||
		!read_time(p, e, "valid_until", true, &key->has_valid_until, &key->valid_until))
		return BP_VERIFY_MALFORMED;
	return BP_VERIFY_OK;
}

bp_verify_status
bp_verifier_load_keyset(bp_verifier *ctx, const char *token, size_t token_len,
						int64_t now, unsigned flags, int64_t exp_leeway, void *work, size_t work_cap)
{
	parsed		p;
	bp_verify_status st;
	bp_verify_key staged[BP_VERIFY_MAX_KEYS];
	int			revoke[BP_VERIFY_MAX_KEYS];
	int			narrow[BP_VERIFY_MAX_KEYS];
	bp_verify_key narrowed[BP_VERIFY_MAX_KEYS];
	size_t		n_narrow = 0;
	bool		seen_pinned[BP_VERIFY_MAX_KEYS];
	size_t		n_staged = 0;
	size_t		n_revoke = 0;
	size_t		n_pinned = 0;
	size_t		i;
	size_t		j;
	int			v;
	int			e;
	int64_t		version;
	int64_t		exp = 0;
	bool		present;
	char		signer_kid[BP_PASERK_K4_PID_LEN];
	int			signer;

	if (ctx == NULL || exp_leeway < 0)
		return BP_VERIFY_BAD_ARGUMENT;
	st = verify_token(ctx, token, token_len, "keyset", now, flags & BP_VERIFY_SKIP_TIME, exp_leeway, true, false,
					  work, work_cap, &p);
	if (st != BP_VERIFY_OK)
		return st;
	(void) read_time(&p, 0, "exp", false, &present, &exp);
	if (bp_verify_footer_kid(token, token_len, signer_kid) != BP_VERIFY_OK)
		return BP_VERIFY_MALFORMED;
	signer = find_key(ctx, signer_kid, sizeof(signer_kid));

	v = bp_json_object_get(p.text, p.tok, p.n, 0, "version");
	if (v < 0 || p.tok[v].type != BP_JSON_NUMBER ||
		bp_json_int64(p.text, &p.tok[v], &version) != BP_JSON_OK || version < 0)
		return BP_VERIFY_MALFORMED;
	if (ctx->keyset_loaded && version < ctx->keyset_version)
		return BP_VERIFY_ROLLBACK;

	v = bp_json_object_get(p.text, p.tok, p.n, 0, "keys");
	if (v < 0 || p.tok[v].type != BP_JSON_ARRAY)
		return BP_VERIFY_MALFORMED;

	memset(seen_pinned, 0, sizeof(seen_pinned));
	for (i = 0; i < ctx->n_keys; i++)
		if (ctx->keys[i].pinned)
			n_pinned++;

	/* Read and check every entry before changing anything. */
	for (e = v + 1, i = 0; i < p.tok[v].size; i++, e = bp_json_skip(p.tok, p.n, e))
	{
		bp_verify_key key;
		int			at;

		if (e < 0 || (size_t) e >= p.n)
			return BP_VERIFY_MALFORMED;
		st = read_entry(&p, e, &key);
		if (st != BP_VERIFY_OK)
			return st;
		for (j = 0; j < n_staged; j++)
			if (memcmp(staged[j].kid, key.kid, sizeof(key.kid)) == 0)
				return BP_VERIFY_MALFORMED;
		at = find_key(ctx, key.kid, sizeof(key.kid));
		if (at >= 0 && ctx->keys[at].pinned)
		{
			/*
			 * A pinned key stays pinned; the key set can only narrow it: its
			 * validity window becomes the entry's (so it signs no earlier and
			 * no later than the server says), and a revocation revokes it.
			 */
			if (ctx->keys[at].purpose != key.purpose || seen_pinned[at])
				return BP_VERIFY_MALFORMED;
			seen_pinned[at] = true;
			/*
			 * A key set that puts its own signer outside its window now
			 * (without revoking it) disowns itself: it would not load
			 * again.  Refused, rather than half-trusted.
			 */
			if (at == signer && key.state != BP_KEY_REVOKED && !(flags & BP_VERIFY_SKIP_TIME) &&
				((key.has_valid_from && now < key.valid_from) ||
				 (key.has_valid_until && now >= key.valid_until)))
				return BP_VERIFY_KEY_NOT_VALID;
			narrow[n_narrow] = at;
			narrowed[n_narrow++] = key;
			if (key.state == BP_KEY_REVOKED)
				revoke[n_revoke++] = at;
			continue;
		}
		if (n_pinned + n_staged >= BP_VERIFY_MAX_KEYS)
			return BP_VERIFY_CAPACITY;
		staged[n_staged++] = key;
	}

	/* Commit: pinned keys stay (in order), the key set's keys are replaced. */
	for (i = 0; i < n_narrow; i++)
	{
		bp_verify_key *k = &ctx->keys[narrow[i]];

		k->has_valid_from = narrowed[i].has_valid_from;
		k->valid_from = narrowed[i].valid_from;
		k->has_valid_until = narrowed[i].has_valid_until;
		k->valid_until = narrowed[i].valid_until;
	}
	for (i = 0; i < n_revoke; i++)
		ctx->keys[revoke[i]].state = BP_KEY_REVOKED;
	for (i = 0, j = 0; i < ctx->n_keys; i++)
		if (ctx->keys[i].pinned)
			ctx->keys[j++] = ctx->keys[i];
	ctx->n_keys = j;
	for (i = 0; i < n_staged; i++)
		ctx->keys[ctx->n_keys++] = staged[i];
	ctx->keyset_loaded = true;
	ctx->keyset_version = version;
	ctx->keyset_exp = exp;
	sodium_memzero(staged, sizeof(staged));
	sodium_memzero(narrowed, sizeof(narrowed));
	return BP_VERIFY_OK;
}

