/*
 * bp_client.c — libbigpicture-client: see bp_client.h.
 *
 * Order of checks in verify: footer kid -> key (known, not revoked, usable
 * at now) -> signature (with the footer read as the expected footer, so it
 * is bound) -> payload JSON object -> typ vs the key's purpose -> typ vs
 * expected_typ -> exp / nbf -> tenant.  Nothing in the payload is trusted
 * before the signature has verified.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "bp_client.h"
#include "json.h"
#include "paserk.h"
#include "paseto.h"

/* The footer is {"kid":"k4.pid.…"}, or with a key certificate (about 600
 * bytes): anything much bigger is not ours. */
#define FOOTER_MAX 4096
#define FOOTER_TOKENS 16
/* Lease payloads are small; the chain check parses them on the stack. */
#define LEASE_TOKENS 512

static const char *const status_names[BP_CLIENT_N_STATUS] = {
	"OK", "BAD_ARGUMENT", "BAD_KEY", "MALFORMED", "BAD_SIGNATURE",
	"UNKNOWN_KEY", "WRONG_PURPOSE", "WRONG_TYPE", "EXPIRED", "NOT_YET_VALID",
	"KEY_REVOKED", "KEY_NOT_VALID", "WRONG_TENANT", "ROLLBACK",
	"CHAIN_BROKEN", "BUFFER_TOO_SMALL", "CAPACITY", "CERT_INVALID", "CERT_EXPIRED",
	"NOT_FOR_US"
};

static const char *const status_sentences[BP_CLIENT_N_STATUS] = {
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
	"The token answers another install or another request (install_id or nonce differs)."
};

const char *
bp_client_status_name(bp_client_status status)
{
	if ((int) status < 0 || (int) status >= BP_CLIENT_N_STATUS)
		return "UNKNOWN_STATUS";
	return status_names[status];
}

const char *
bp_client_strerror(bp_client_status status)
{
	if ((int) status < 0 || (int) status >= BP_CLIENT_N_STATUS)
		return "Unknown status.";
	return status_sentences[status];
}

/* ---- names ------------------------------------------------------------ */

static const char *const purpose_names[] = {
	NULL, "root", "decision", "lease", "snapshot", "audit"
};

static bool
text_is(const char *s, size_t len, const char *lit)
{
	size_t		n = strlen(lit);

	return len == n && memcmp(s, lit, n) == 0;
}

bp_client_purpose
bp_client_purpose_from_name(const char *name, size_t len)
{
	int			p;

	if (name == NULL)
		return BP_CLIENT_PURPOSE_NONE;
	for (p = BP_CLIENT_PURPOSE_ROOT; p <= BP_CLIENT_PURPOSE_AUDIT; p++)
		if (text_is(name, len, purpose_names[p]))
			return (bp_client_purpose) p;
	return BP_CLIENT_PURPOSE_NONE;
}

const char *
bp_client_purpose_name(bp_client_purpose purpose)
{
	if (purpose < BP_CLIENT_PURPOSE_ROOT || purpose > BP_CLIENT_PURPOSE_AUDIT)
		return "none";
	return purpose_names[purpose];
}

bp_client_purpose
bp_client_purpose_of_typ(const char *typ, size_t len)
{
	if (typ == NULL)
		return BP_CLIENT_PURPOSE_NONE;
	if (text_is(typ, len, "keyset") || text_is(typ, len, "key_certificate"))
		return BP_CLIENT_PURPOSE_ROOT;
	if (text_is(typ, len, "decision") || text_is(typ, len, "release"))
		return BP_CLIENT_PURPOSE_DECISION;
	if (text_is(typ, len, "lease"))
		return BP_CLIENT_PURPOSE_LEASE;
	if (text_is(typ, len, "snapshot"))
		return BP_CLIENT_PURPOSE_SNAPSHOT;
	if (text_is(typ, len, "checkpoint"))
		return BP_CLIENT_PURPOSE_AUDIT;
	return BP_CLIENT_PURPOSE_NONE;
}

/* ---- RFC 3339 ---------------------------------------------------------- */

int64_t
bp_client_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	/* H. Hinnant's days_from_civil: March-based years, 400-year eras. */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t) (m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t) d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* n decimal digits at s[*pos]; false unless all are digits. */
static bool
read_digits(const char *s, size_t len, size_t *pos, int n, unsigned *out)
{
	unsigned	v = 0;
	int			i;

	if (len - *pos < (size_t) n)
		return false;
	for (i = 0; i < n; i++)
	{
		char		c = s[*pos + i];

		if (!is_digit(c))
			return false;
		v = v * 10 + (unsigned) (c - '0');
	}
	*pos += n;
	*out = v;
	return true;
}

static bool
expect_char(const char *s, size_t len, size_t *pos, char a, char b)
{
	if (*pos >= len || (s[*pos] != a && s[*pos] != b))
		return false;
	(*pos)++;
	return true;
}

static unsigned
days_in_month(unsigned y, unsigned m)
{
	static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

bool
bp_client_parse_rfc3339(const char *s, size_t len, int64_t *out)
{
	size_t		pos = 0;
	unsigned	y, mo, d, h, mi, sec;
	int64_t		t;
	int64_t		offset = 0;

	if (s == NULL || out == NULL)
		return false;
	if (!read_digits(s, len, &pos, 4, &y) || !expect_char(s, len, &pos, '-', '-') ||
		!read_digits(s, len, &pos, 2, &mo) || !expect_char(s, len, &pos, '-', '-') ||
		!read_digits(s, len, &pos, 2, &d) || !expect_char(s, len, &pos, 'T', 't') ||
		!read_digits(s, len, &pos, 2, &h) || !expect_char(s, len, &pos, ':', ':') ||
		!read_digits(s, len, &pos, 2, &mi) || !expect_char(s, len, &pos, ':', ':') ||
		!read_digits(s, len, &pos, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
		h > 23 || mi > 59 || sec > 60)
		return false;
	if (pos < len && s[pos] == '.')
	{
		size_t		start = ++pos;

		while (pos < len && is_digit(s[pos]))
			pos++;
		if (pos == start)
			return false;
	}
	if (pos >= len)
		return false;
	if (s[pos] == 'Z' || s[pos] == 'z')
		pos++;
	else if (s[pos] == '+' || s[pos] == '-')
	{
		int			sign = s[pos] == '+' ? 1 : -1;
		unsigned	oh, om;

		pos++;
		if (!read_digits(s, len, &pos, 2, &oh) || !expect_char(s, len, &pos, ':', ':') ||
			!read_digits(s, len, &pos, 2, &om) || oh > 23 || om > 59)
			return false;
		offset = sign * (int64_t) (oh * 3600 + om * 60);
	}
	else
		return false;
	if (pos != len)
		return false;

	t = bp_client_days_from_civil(y, mo, d) * 86400 +
		(int64_t) h * 3600 + (int64_t) mi * 60 + (int64_t) sec;
	/* Local time = UTC + offset, so UTC = local - offset. */
	*out = t - offset;
	return true;
}

/* ---- keys -------------------------------------------------------------- */

void
bp_client_init(bp_client_ctx *ctx)
{
	if (ctx == NULL)
		return;
	memset(ctx, 0, sizeof(*ctx));
}

static int
find_key(const bp_client_ctx *ctx, const char *kid, size_t kid_len)
{
	size_t		i;

	if (kid_len != BP_PASERK_K4_PID_LEN)
		return -1;
	for (i = 0; i < ctx->n_keys; i++)
		if (memcmp(ctx->keys[i].kid, kid, BP_PASERK_K4_PID_LEN) == 0)
			return (int) i;
	return -1;
}

bp_client_status
bp_client_pin_key(bp_client_ctx *ctx, bp_client_purpose purpose, const char *k4_public)
{
	bp_client_key key;
	size_t		kid_len;
	int			at;

	if (ctx == NULL || k4_public == NULL ||
		purpose < BP_CLIENT_PURPOSE_ROOT || purpose > BP_CLIENT_PURPOSE_AUDIT)
		return BP_CLIENT_BAD_ARGUMENT;
	memset(&key, 0, sizeof(key));
	if (bp_paserk_k4_public_decode(k4_public, strlen(k4_public), key.pk) != BP_PASERK_OK)
		return BP_CLIENT_BAD_KEY;
	if (bp_paserk_k4_pid(key.pk, sizeof(key.pk), key.kid, sizeof(key.kid), &kid_len) != BP_PASERK_OK)
		return BP_CLIENT_BAD_KEY;
	key.purpose = purpose;
	key.state = BP_CLIENT_STATE_ACTIVE;
	key.pinned = true;

	at = find_key(ctx, key.kid, kid_len);
	if (at >= 0)
	{
		bp_client_key *old = &ctx->keys[at];

		if (old->purpose != purpose)
			return BP_CLIENT_BAD_ARGUMENT;
		/* Pinning wins over a key set entry; a revocation stays. */
		old->pinned = true;
		if (old->state != BP_CLIENT_STATE_REVOKED)
		{
			key.state = BP_CLIENT_STATE_ACTIVE;
			*old = key;
		}
		return BP_CLIENT_OK;
	}
	if (ctx->n_keys >= BP_CLIENT_MAX_KEYS)
		return BP_CLIENT_CAPACITY;
	ctx->keys[ctx->n_keys++] = key;
	return BP_CLIENT_OK;
}

static bp_client_status
key_usable(const bp_client_key *key, int64_t now)
{
	if (key->state == BP_CLIENT_STATE_REVOKED)
		return BP_CLIENT_KEY_REVOKED;
	if (key->state == BP_CLIENT_STATE_PENDING || key->state == BP_CLIENT_STATE_RETIRED)
		return BP_CLIENT_KEY_NOT_VALID;
	if (key->has_valid_from && now < key->valid_from)
		return BP_CLIENT_KEY_NOT_VALID;
	if (key->has_valid_until && now >= key->valid_until)
		return BP_CLIENT_KEY_NOT_VALID;
	return BP_CLIENT_OK;
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
bp_client_work_len(size_t token_len)
{
	size_t		pmax;
	size_t		scratch;
	size_t		tokens;

	if (token_len > BP_CLIENT_MAX_TOKEN_LEN)
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
static bp_client_status
footer_kid(const char *token, size_t token_len, uint8_t *footer, size_t *footer_len,
		   char *kid, const char **cert, size_t *cert_len)
{
	bp_json_token tok[FOOTER_TOKENS];
	size_t		n;
	size_t		kid_len;
	int			v;

	if (bp_paseto_footer(token, token_len, footer, FOOTER_MAX, footer_len) != BP_PASETO_OK ||
		*footer_len == 0)
		return BP_CLIENT_MALFORMED;
	if (bp_json_parse((const char *) footer, *footer_len, tok, FOOTER_TOKENS, &n) != BP_JSON_OK ||
		tok[0].type != BP_JSON_OBJECT)
		return BP_CLIENT_MALFORMED;
	v = bp_json_object_get((const char *) footer, tok, n, 0, "kid");
	if (v < 0 || tok[v].type != BP_JSON_STRING ||
		bp_json_unescape((const char *) footer, &tok[v], kid, BP_PASERK_K4_PID_LEN, &kid_len) != BP_JSON_OK ||
		kid_len != BP_PASERK_K4_PID_LEN ||
		bp_paserk_k4_pid_decode(kid, kid_len, NULL) != BP_PASERK_OK)
		return BP_CLIENT_MALFORMED;
	*cert = NULL;
	*cert_len = 0;
	v = bp_json_object_get((const char *) footer, tok, n, 0, "cert");
	if (v >= 0)
	{
		size_t		i;

		if (tok[v].type != BP_JSON_STRING || tok[v].end == tok[v].start)
			return BP_CLIENT_MALFORMED;
		for (i = tok[v].start; i < tok[v].end; i++)
			if (footer[i] == '\\')
				return BP_CLIENT_MALFORMED;
		*cert = (const char *) footer + tok[v].start;
		*cert_len = tok[v].end - tok[v].start;
	}
	return BP_CLIENT_OK;
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
		!bp_client_parse_rfc3339(p->text + p->tok[v].start,
								 p->tok[v].end - p->tok[v].start, t))
		return false;
	*present = true;
	return true;
}

static bp_client_status
map_paseto(bp_paseto_status st)
{
	switch (st)
	{
		case BP_PASETO_OK:
			return BP_CLIENT_OK;
		case BP_PASETO_BAD_SIGNATURE:
			return BP_CLIENT_BAD_SIGNATURE;
		case BP_PASETO_BUFFER_TOO_SMALL:
			return BP_CLIENT_BUFFER_TOO_SMALL;
		default:
			return BP_CLIENT_MALFORMED;
	}
}

/*
 * Signature and PASETO form only, with a key given as PASERK k4.public: no
 * kid, typ or time checks.  For generic PASETO v4.public tokens (and the
 * official test vectors); Big Picture tokens go through bp_client_verify.
 */
bp_client_status
bp_client_verify_paseto(const char *k4_public, const char *token, size_t token_len,
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
		return BP_CLIENT_BAD_ARGUMENT;
	if (bp_paserk_k4_public_decode(k4_public, strlen(k4_public), pk) != BP_PASERK_OK)
		return BP_CLIENT_BAD_KEY;
	pmax = bp_paseto_v4_payload_max_len(token_len);
	scratch = bp_paseto_v4_verify_scratch_len(token_len, implicit_len);
	if (pmax == SIZE_MAX || scratch == SIZE_MAX || add_size(pmax, scratch) > work_cap)
		return BP_CLIENT_BUFFER_TOO_SMALL;
	return map_paseto(bp_paseto_v4_verify(token, token_len, pk, sizeof(pk), NULL, 0,
										  (const uint8_t *) implicit, implicit_len,
										  (uint8_t *) work + pmax, scratch, work, pmax, payload_len));
}

static bp_client_status verify_token(const bp_client_ctx *ctx, const char *token, size_t token_len,
									 const char *expected_typ, int64_t now, unsigned flags,
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
static bp_client_status
certified_key(const bp_client_ctx *ctx, const char *cert, size_t cert_len, const char *kid,
			  int64_t now, uint8_t *work, size_t work_cap, bp_client_key *key, unsigned *purposes)
{
	parsed		p;
	bp_client_status st;
	bool		present;
	int64_t		exp;
	const char *s;
	size_t		len;
	char		pid[BP_PASERK_K4_PID_LEN];
	size_t		pid_len;
	int			v;
	int			e;
	size_t		i;

	st = verify_token(ctx, cert, cert_len, "key_certificate", now, 0, false, false,
					  work, work_cap, &p);
	if (st == BP_CLIENT_EXPIRED || st == BP_CLIENT_NOT_YET_VALID)
		return BP_CLIENT_CERT_EXPIRED;
	if (st == BP_CLIENT_BUFFER_TOO_SMALL)
		return st;
	if (st != BP_CLIENT_OK)
		return BP_CLIENT_CERT_INVALID;
	if (!read_time(&p, 0, "exp", false, &present, &exp) || !present)
		return BP_CLIENT_CERT_INVALID;

	memset(key, 0, sizeof(*key));
	v = bp_json_object_get(p.text, p.tok, p.n, 0, "kid");
	if (v < 0 || !bp_json_string_equals(p.text, &p.tok[v], kid, BP_PASERK_K4_PID_LEN))
		return BP_CLIENT_CERT_INVALID;
	v = bp_json_object_get(p.text, p.tok, p.n, 0, "public_key");
	if (v < 0 || p.tok[v].type != BP_JSON_STRING)
		return BP_CLIENT_CERT_INVALID;
	s = p.text + p.tok[v].start;
	len = p.tok[v].end - p.tok[v].start;
	if (bp_paserk_k4_public_decode(s, len, key->pk) != BP_PASERK_OK ||
		bp_paserk_k4_pid(key->pk, sizeof(key->pk), pid, sizeof(pid), &pid_len) != BP_PASERK_OK ||
		pid_len != BP_PASERK_K4_PID_LEN || memcmp(pid, kid, BP_PASERK_K4_PID_LEN) != 0)
		return BP_CLIENT_CERT_INVALID;
	v = bp_json_object_get(p.text, p.tok, p.n, 0, "tenant_id");
	if (v < 0 || p.tok[v].type != BP_JSON_STRING ||
		bp_json_unescape(p.text, &p.tok[v], key->tenant, sizeof(key->tenant), &key->tenant_len) != BP_JSON_OK ||
		key->tenant_len == 0)
		return BP_CLIENT_CERT_INVALID;
	v = bp_json_object_get(p.text, p.tok, p.n, 0, "purposes");
	if (v < 0 || p.tok[v].type != BP_JSON_ARRAY || p.tok[v].size == 0)
		return BP_CLIENT_CERT_INVALID;
	*purposes = 0;
	for (i = 0, e = v + 1; i < p.tok[v].size; i++, e = bp_json_skip(p.tok, p.n, e))
	{
		bp_client_purpose pp;

		if (e < 0 || (size_t) e >= p.n || p.tok[e].type != BP_JSON_STRING)
			return BP_CLIENT_CERT_INVALID;
		pp = bp_client_purpose_from_name(p.text + p.tok[e].start, p.tok[e].end - p.tok[e].start);
		if (pp != BP_CLIENT_PURPOSE_DECISION && pp != BP_CLIENT_PURPOSE_LEASE)
			return BP_CLIENT_CERT_INVALID;
		*purposes |= PURPOSE_BIT(pp);
	}
	memcpy(key->kid, kid, BP_PASERK_K4_PID_LEN);
	key->purpose = BP_CLIENT_PURPOSE_NONE;
	key->state = BP_CLIENT_STATE_ACTIVE;
	key->has_valid_until = true;
	key->valid_until = exp;
	key->has_tenant = true;
	return BP_CLIENT_OK;
}

/*
 * The common verifier.  keyset_mode: the key must be a pinned root key and
 * exp is required.  allow_cert: an unknown kid may come with a key
 * certificate.  On success *p describes the payload and its tokens.
 */
static bp_client_status
verify_token(const bp_client_ctx *ctx, const char *token, size_t token_len,
			 const char *expected_typ, int64_t now, unsigned flags, bool keyset_mode,
			 bool allow_cert, uint8_t *work, size_t work_cap, parsed *p)
{
	const char *cert;
	size_t		cert_len;
	bp_client_key certified;
	unsigned	cert_purposes = 0;
	uint8_t		footer[FOOTER_MAX];
	size_t		footer_len;
	char		kid[BP_PASERK_K4_PID_LEN];
	const bp_client_key *key;
	bp_client_status st;
	size_t		pmax;
	size_t		scratch;
	size_t		payload_len;
	size_t		n_tok;
	size_t		off;
	uintptr_t	addr;
	int			v;
	bp_client_purpose typ_purpose;
	bool		present;
	int64_t		t;

	memset(p, 0, sizeof(*p));
	if (ctx == NULL || token == NULL || work == NULL)
		return BP_CLIENT_BAD_ARGUMENT;
	if (token_len > BP_CLIENT_MAX_TOKEN_LEN)
		return BP_CLIENT_MALFORMED;

	/* The key. */
	st = footer_kid(token, token_len, footer, &footer_len, kid, &cert, &cert_len);
	if (st != BP_CLIENT_OK)
		return st;
	v = find_key(ctx, kid, sizeof(kid));
	if (v >= 0)
		key = &ctx->keys[v];
	else if (cert != NULL && allow_cert && !keyset_mode)
	{
		/* A mirror's key, vouched for by the root (a key set entry would win). */
		st = certified_key(ctx, cert, cert_len, kid, now, work, work_cap, &certified, &cert_purposes);
		if (st != BP_CLIENT_OK)
			return st;
		key = &certified;
	}
	else
		return BP_CLIENT_UNKNOWN_KEY;
	if (keyset_mode && (!key->pinned || key->purpose != BP_CLIENT_PURPOSE_ROOT))
		return BP_CLIENT_UNKNOWN_KEY;
	/* A record of the past (a checkpoint) only needs a key not revoked. */
	if ((flags & BP_CLIENT_SIGNED_EARLIER) && !keyset_mode)
		st = key->state == BP_CLIENT_STATE_REVOKED ? BP_CLIENT_KEY_REVOKED : BP_CLIENT_OK;
	else
		st = key_usable(key, now);
	if (st != BP_CLIENT_OK)
		return st;

	/* The signature, with the footer bound. */
	pmax = bp_paseto_v4_payload_max_len(token_len);
	scratch = bp_paseto_v4_verify_scratch_len(token_len, 0);
	if (add_size(pmax, scratch) > work_cap)
		return BP_CLIENT_BUFFER_TOO_SMALL;
	st = map_paseto(bp_paseto_v4_verify(token, token_len, key->pk, sizeof(key->pk),
										footer, footer_len, NULL, 0,
										work + pmax, scratch, work, pmax, &payload_len));
	if (st != BP_CLIENT_OK)
		return st;

	/* The payload: tokens go after it, into the now free scratch. */
	if (bp_json_parse((const char *) work, payload_len, NULL, 0, &n_tok) != BP_JSON_OK)
		return BP_CLIENT_MALFORMED;
	addr = (uintptr_t) (work + payload_len);
	off = payload_len + (TOKEN_ALIGN - addr % TOKEN_ALIGN) % TOKEN_ALIGN;
	if (off > work_cap || (work_cap - off) / sizeof(bp_json_token) < n_tok)
		return BP_CLIENT_BUFFER_TOO_SMALL;
	p->text = (const char *) work;
	p->len = payload_len;
	p->tok = (bp_json_token *) (void *) (work + off);
	if (bp_json_parse(p->text, payload_len, p->tok, n_tok, &p->n) != BP_JSON_OK ||
		p->tok[0].type != BP_JSON_OBJECT || has_duplicate(p, 0, unique_members))
		return BP_CLIENT_MALFORMED;

	/* typ against the key's purpose, then against what the caller expects. */
	v = bp_json_object_get(p->text, p->tok, p->n, 0, "typ");
	if (v < 0 || p->tok[v].type != BP_JSON_STRING)
		return BP_CLIENT_MALFORMED;
	typ_purpose = bp_client_purpose_of_typ(p->text + p->tok[v].start,
										   p->tok[v].end - p->tok[v].start);
	if (cert_purposes != 0 ? (typ_purpose == BP_CLIENT_PURPOSE_NONE ||
							  !(cert_purposes & PURPOSE_BIT(typ_purpose)))
		: typ_purpose != key->purpose)
		return BP_CLIENT_WRONG_PURPOSE;
	if (keyset_mode && !bp_json_string_equals(p->text, &p->tok[v], "keyset", 6))
		return BP_CLIENT_WRONG_TYPE;
	if (expected_typ != NULL &&
		!bp_json_string_equals(p->text, &p->tok[v], expected_typ, strlen(expected_typ)))
		return BP_CLIENT_WRONG_TYPE;

	/* Times. */
	if (!read_time(p, 0, "exp", false, &present, &t))
		return BP_CLIENT_MALFORMED;
	if (!present && keyset_mode)
		return BP_CLIENT_MALFORMED;
	if (present && !(flags & BP_CLIENT_SKIP_TIME) && t <= now)
		return BP_CLIENT_EXPIRED;
	if (!read_time(p, 0, "nbf", false, &present, &t))
		return BP_CLIENT_MALFORMED;
	if (present && !(flags & BP_CLIENT_SKIP_TIME) && t > now)
		return BP_CLIENT_NOT_YET_VALID;
	if (!read_time(p, 0, "iat", false, &present, &t))
		return BP_CLIENT_MALFORMED;
	/* Issued in the future beyond any plausible clock skew: the server's or
	 * our clock is wrong, or the token is not what it claims. */
	if (present && !(flags & BP_CLIENT_SKIP_TIME) && t > now + BP_CLIENT_CLOCK_SKEW)
		return BP_CLIENT_NOT_YET_VALID;

	/* A tenant's key signs for that tenant only. */
	v = bp_json_object_get(p->text, p->tok, p->n, 0, "tenant_id");
	if (key->has_tenant && v >= 0 &&
		(p->tok[v].type != BP_JSON_STRING ||
		 !bp_json_string_equals(p->text, &p->tok[v], key->tenant, key->tenant_len)))
		return BP_CLIENT_WRONG_TENANT;
	/* A certified key's tokens must say whose they are. */
	if (cert_purposes != 0 && v < 0)
		return BP_CLIENT_WRONG_TENANT;
	/* A tenant's audit key checkpoints its tenant's chain only. */
	if (key->has_tenant && key->purpose == BP_CLIENT_PURPOSE_AUDIT)
	{
		v = bp_json_object_get(p->text, p->tok, p->n, 0, "chain_id");
		if (v < 0 || p->tok[v].type != BP_JSON_STRING ||
			!bp_json_string_equals(p->text, &p->tok[v], key->tenant, key->tenant_len))
			return BP_CLIENT_WRONG_TENANT;
	}
	return BP_CLIENT_OK;
}

bp_client_status
bp_client_verify_ex(const bp_client_ctx *ctx, const char *token, size_t token_len,
					const char *expected_typ, int64_t now, unsigned flags,
					void *work, size_t work_cap, size_t *payload_len)
{
	parsed		p;
	bp_client_status st;

	if (payload_len)
		*payload_len = 0;
	st = verify_token(ctx, token, token_len, expected_typ, now, flags, false, true,
					  work, work_cap, &p);
	if (st == BP_CLIENT_OK && payload_len)
		*payload_len = p.len;
	return st;
}

bp_client_status
bp_client_verify(const bp_client_ctx *ctx, const char *token, size_t token_len,
				 const char *expected_typ, int64_t now,
				 void *work, size_t work_cap, size_t *payload_len)
{
	return bp_client_verify_ex(ctx, token, token_len, expected_typ, now, 0,
							   work, work_cap, payload_len);
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
static bp_client_status
read_entry(const parsed *p, int e, bp_client_key *key)
{
	const char *s;
	size_t		len;
	size_t		kid_len;
	int			v;

	memset(key, 0, sizeof(*key));
	if (p->tok[e].type != BP_JSON_OBJECT || has_duplicate(p, e, entry_members))
		return BP_CLIENT_MALFORMED;

	/* PASERK and k4.pid text have no escapes, so the raw text is the value. */
	if (!member_string(p, e, "public_key", &s, &len) ||
		bp_paserk_k4_public_decode(s, len, key->pk) != BP_PASERK_OK ||
		bp_paserk_k4_pid(key->pk, sizeof(key->pk), key->kid, sizeof(key->kid), &kid_len) != BP_PASERK_OK)
		return BP_CLIENT_MALFORMED;
	if (!member_string(p, e, "kid", &s, &len) || len != kid_len ||
		memcmp(s, key->kid, kid_len) != 0)
		return BP_CLIENT_MALFORMED;

	if (!member_string(p, e, "purpose", &s, &len))
		return BP_CLIENT_MALFORMED;
	key->purpose = bp_client_purpose_from_name(s, len);
	if (key->purpose == BP_CLIENT_PURPOSE_NONE)
		return BP_CLIENT_MALFORMED;

	if (!member_string(p, e, "state", &s, &len))
		return BP_CLIENT_MALFORMED;
	if (text_is(s, len, "active"))
		key->state = BP_CLIENT_STATE_ACTIVE;
	else if (text_is(s, len, "pending"))
		key->state = BP_CLIENT_STATE_PENDING;
	else if (text_is(s, len, "retiring"))
		key->state = BP_CLIENT_STATE_RETIRING;
	else if (text_is(s, len, "retired"))
		key->state = BP_CLIENT_STATE_RETIRED;
	else if (text_is(s, len, "revoked"))
		key->state = BP_CLIENT_STATE_REVOKED;
	else
		return BP_CLIENT_MALFORMED;

	v = bp_json_object_get(p->text, p->tok, p->n, e, "tenant_id");
	if (v >= 0 && p->tok[v].type != BP_JSON_NULL)
	{
		if (p->tok[v].type != BP_JSON_STRING ||
			bp_json_unescape(p->text, &p->tok[v], key->tenant, sizeof(key->tenant),
							 &key->tenant_len) != BP_JSON_OK)
			return BP_CLIENT_MALFORMED;
		key->has_tenant = true;
	}
	if (!read_time(p, e, "valid_from", true, &key->has_valid_from, &key->valid_from) ||
		!read_time(p, e, "valid_until", true, &key->has_valid_until, &key->valid_until))
		return BP_CLIENT_MALFORMED;
	return BP_CLIENT_OK;
}

bp_client_status
bp_client_load_keyset(bp_client_ctx *ctx, const char *token, size_t token_len,
					  int64_t now, void *work, size_t work_cap)
{
	parsed		p;
	bp_client_status st;
	bp_client_key staged[BP_CLIENT_MAX_KEYS];
	int			revoke[BP_CLIENT_MAX_KEYS];
	bool		seen_pinned[BP_CLIENT_MAX_KEYS];
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

	if (ctx == NULL)
		return BP_CLIENT_BAD_ARGUMENT;
	st = verify_token(ctx, token, token_len, "keyset", now, 0, true, false, work, work_cap, &p);
	if (st != BP_CLIENT_OK)
		return st;
	(void) read_time(&p, 0, "exp", false, &present, &exp);

	v = bp_json_object_get(p.text, p.tok, p.n, 0, "version");
	if (v < 0 || p.tok[v].type != BP_JSON_NUMBER ||
		bp_json_int64(p.text, &p.tok[v], &version) != BP_JSON_OK || version < 0)
		return BP_CLIENT_MALFORMED;
	if (ctx->keyset_loaded && version < ctx->keyset_version)
		return BP_CLIENT_ROLLBACK;

	v = bp_json_object_get(p.text, p.tok, p.n, 0, "keys");
	if (v < 0 || p.tok[v].type != BP_JSON_ARRAY)
		return BP_CLIENT_MALFORMED;

	memset(seen_pinned, 0, sizeof(seen_pinned));
	for (i = 0; i < ctx->n_keys; i++)
		if (ctx->keys[i].pinned)
			n_pinned++;

	/* Read and check every entry before changing anything. */
	for (e = v + 1, i = 0; i < p.tok[v].size; i++, e = bp_json_skip(p.tok, p.n, e))
	{
		bp_client_key key;
		int			at;

		if (e < 0 || (size_t) e >= p.n)
			return BP_CLIENT_MALFORMED;
		st = read_entry(&p, e, &key);
		if (st != BP_CLIENT_OK)
			return st;
		for (j = 0; j < n_staged; j++)
			if (memcmp(staged[j].kid, key.kid, sizeof(key.kid)) == 0)
				return BP_CLIENT_MALFORMED;
		at = find_key(ctx, key.kid, sizeof(key.kid));
		if (at >= 0 && ctx->keys[at].pinned)
		{
			/* A pinned key stays as pinned; the key set can only revoke it. */
			if (ctx->keys[at].purpose != key.purpose || seen_pinned[at])
				return BP_CLIENT_MALFORMED;
			seen_pinned[at] = true;
			if (key.state == BP_CLIENT_STATE_REVOKED)
				revoke[n_revoke++] = at;
			continue;
		}
		if (n_pinned + n_staged >= BP_CLIENT_MAX_KEYS)
			return BP_CLIENT_CAPACITY;
		staged[n_staged++] = key;
	}

	/* Commit: pinned keys stay (in order), the key set's keys are replaced. */
	for (i = 0; i < n_revoke; i++)
		ctx->keys[revoke[i]].state = BP_CLIENT_STATE_REVOKED;
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
