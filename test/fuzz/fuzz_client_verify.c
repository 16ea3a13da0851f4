/*
 * fuzz_client_verify.c — bp_client_verify(_ex), bp_client_verify_paseto,
 * key certificates, bp_client_check_binding and the lease chain
 * (bp_client_check_lease_chain, bp_client_lease_chain_next), with a context
 * holding the fixed key set of fuzz_client.h.
 *
 * Input: two bytes, then a body.  Byte 0: mode (bits 0-1), key (bits 2-5,
 * index into fuzz_keys), bit 7 the flag BP_CLIENT_SIGNED_EARLIER; byte 1:
 * flags (bit 0 SKIP_TIME, bits 1-2 the "now", bit 3 a misaligned work
 * buffer, bits 4-6 expected typ, bit 7 certificate mode).
 *   mode 0: the body is a token, verified as is;
 *   mode 1: the body is a payload, signed here by the key with the footer
 *           {"kid":...}, so every check after the signature is reached;
 *   mode 2: the body is FOOTER '\n' PAYLOAD, signed here by the key;
 *           with flags bit 7 it is CERT_PAYLOAD '\n' PAYLOAD instead: the
 *           harness signs a key certificate with the root key (sel bit 6:
 *           the key set's second root key) and the payload with the key
 *           and the footer {"kid":...,"cert":...};
 *   mode 3: the body is PREV '\n' NEXT, two lease payloads for the chain
 *           functions (PREV's text doubles as the previous token).
 *
 * Properties of verify:
 *   - the work buffer of bp_client_work_len bytes (a heap block of exactly
 *     that size, aligned or not) always suffices;
 *   - a token this harness signed passes bp_client_verify_paseto, is never
 *     BAD_SIGNATURE, and with the usual footer (or a certificate, for a
 *     key the context knows) fails on the key's state exactly as the key
 *     model says (unknown, revoked, not valid);
 *   - for a key the context does not know, a certificate that does not
 *     verify on its own as a key_certificate token is CERT_EXPIRED (exp,
 *     nbf) or CERT_INVALID; a footer over 4096 bytes (the client's limit)
 *     is MALFORMED, whatever it holds;
 *   - success means: the key is a usable context key, or an unknown key
 *     with a certificate that verifies on its own and names that key (kid
 *     and public_key), a tenant and its purposes; the payload is a JSON
 *     object at the start of work, its typ is one the key may sign (and
 *     the one expected), exp, nbf and iat (within the clock skew) hold at
 *     now unless skipped, a tenant key's tenant_id matches (and a
 *     certified key's is there, and a tenant audit key's chain_id is its
 *     tenant); the same token also passes with SKIP_TIME and with no
 *     expected typ, and its signature checks with the key alone;
 *   - bp_client_check_binding, on accepted payloads and on the lease
 *     payloads: a string install_id or nonce matches exactly its own
 *     value, an absent or non-string one nothing.
 * Properties of the lease chain: the one-shot check and the stateful
 * follower agree; the follower's state moves only on success.
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "bp_client.h"
#include "json.h"
#include "paseto.h"
#include "fuzz.h"
#include "fuzz_client.h"

/* bp_client.c reads footers of up to 4096 bytes: a longer one is MALFORMED. */
#define FOOTER_MAX 4096

static bp_client_ctx ctx;

static const char *const typs[8] = {
	NULL, "decision", "release", "lease", "snapshot", "checkpoint", "keyset", "key_certificate"
};
static const int64_t nows[4] = {
	FUZZ_NOW, FUZZ_NOW - 2 * 86400, FUZZ_NOW + 40 * 86400, 0
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	if (sodium_init() < 0)
		abort();
	fuzz_client_keys_init();
	fuzz_client_ctx(&ctx, true);
	return 0;
}

/* The context's key with this public key, or NULL. */
static const bp_client_key *
ctx_key_by_pk(const uint8_t *pk)
{
	for (size_t i = 0; i < ctx.n_keys; i++)
		if (memcmp(ctx.keys[i].pk, pk, 32) == 0)
			return &ctx.keys[i];
	return NULL;
}

static const bp_client_key *
ctx_key_by_kid(const char *kid, size_t len)
{
	if (len != BP_PASERK_K4_PID_LEN)
		return NULL;
	for (size_t i = 0; i < ctx.n_keys; i++)
		if (memcmp(ctx.keys[i].kid, kid, len) == 0)
			return &ctx.keys[i];
	return NULL;
}

/*
 * What the header says about a key's state at now (for a token signed
 * earlier, only that it is not revoked).
 */
static bp_client_status
key_model(const bp_client_key *k, int64_t now, bool signed_earlier)
{
	if (k == NULL)
		return BP_CLIENT_UNKNOWN_KEY;
	if (k->state == BP_CLIENT_STATE_REVOKED)
		return BP_CLIENT_KEY_REVOKED;
	if (signed_earlier)
		return BP_CLIENT_OK;
	if (k->state == BP_CLIENT_STATE_PENDING || k->state == BP_CLIENT_STATE_RETIRED)
		return BP_CLIENT_KEY_NOT_VALID;
	if ((k->has_valid_from && now < k->valid_from) ||
		(k->has_valid_until && now >= k->valid_until))
		return BP_CLIENT_KEY_NOT_VALID;
	return BP_CLIENT_OK;
}

/* What an accepted token's signing key allows, re-derived here. */
typedef struct allowed
{
	unsigned	purposes;		/* bit (1 << purpose) per typ purpose allowed */
	bool		has_tenant;
	bool		tenant_required;	/* a certified key: tenant_id must be there */
	bool		audit_tenant;	/* a tenant's audit key: chain_id is the tenant */
	const char *tenant;
	size_t		tenant_len;
	uint8_t		pk[32];
} allowed;

/* A verified payload's claims, re-read here. */
static void
check_payload(const char *payload, size_t len, const allowed *a, const char *typ,
			  int64_t now, bool skip_time)
{
	size_t		n = 0;
	bp_json_token *tok;
	int			v;
	bp_client_purpose purpose;

	FUZZ_ASSERT(bp_json_parse(payload, len, NULL, 0, &n) == BP_JSON_OK);
	tok = fuzz_malloc(n * sizeof(*tok));
	FUZZ_ASSERT(bp_json_parse(payload, len, tok, n, &n) == BP_JSON_OK);
	FUZZ_ASSERT(tok[0].type == BP_JSON_OBJECT);

	v = bp_json_object_get(payload, tok, n, 0, "typ");
	FUZZ_ASSERT(v > 0 && tok[v].type == BP_JSON_STRING);
	purpose = bp_client_purpose_of_typ(payload + tok[v].start, tok[v].end - tok[v].start);
	FUZZ_ASSERT(purpose != BP_CLIENT_PURPOSE_NONE && (a->purposes & (1u << purpose)));
	if (typ != NULL)
		FUZZ_ASSERT(bp_json_string_equals(payload, &tok[v], typ, strlen(typ)));

	if (!skip_time)
	{
		int64_t		t;

		v = bp_json_object_get(payload, tok, n, 0, "exp");
		if (v > 0)
			FUZZ_ASSERT(tok[v].type == BP_JSON_STRING &&
						bp_client_parse_rfc3339(payload + tok[v].start, tok[v].end - tok[v].start, &t) &&
						t > now);
		v = bp_json_object_get(payload, tok, n, 0, "nbf");
		if (v > 0)
			FUZZ_ASSERT(tok[v].type == BP_JSON_STRING &&
						bp_client_parse_rfc3339(payload + tok[v].start, tok[v].end - tok[v].start, &t) &&
						t <= now);
		v = bp_json_object_get(payload, tok, n, 0, "iat");
		if (v > 0)
			FUZZ_ASSERT(tok[v].type == BP_JSON_STRING &&
						bp_client_parse_rfc3339(payload + tok[v].start, tok[v].end - tok[v].start, &t) &&
						t <= now + BP_CLIENT_CLOCK_SKEW);
	}
	if (a->audit_tenant)
	{
		v = bp_json_object_get(payload, tok, n, 0, "chain_id");
		FUZZ_ASSERT(v > 0 && bp_json_string_equals(payload, &tok[v], a->tenant, a->tenant_len));
	}
	v = bp_json_object_get(payload, tok, n, 0, "tenant_id");
	if (a->tenant_required)
		FUZZ_ASSERT(v > 0);
	if (a->has_tenant && v > 0)
		FUZZ_ASSERT(tok[v].type == BP_JSON_STRING &&
					bp_json_string_equals(payload, &tok[v], a->tenant, a->tenant_len));
	free(tok);
}

static bp_client_status
verify(const char *token, size_t len, const char *typ, int64_t now, unsigned flags,
	   bool misaligned, char **payload_copy, size_t *payload_len)
{
	size_t		work_len = bp_client_work_len(len);
	char	   *block;
	char	   *work;
	bp_client_status st;

	FUZZ_ASSERT(work_len != SIZE_MAX);
	block = fuzz_malloc(work_len + 1);
	work = block + (misaligned ? 1 : 0);
	*payload_len = 12345;
	st = bp_client_verify_ex(&ctx, token, len, typ, now, flags, work, work_len, payload_len);
	FUZZ_ASSERT(bp_client_status_name(st) != NULL && bp_client_strerror(st) != NULL);
	FUZZ_ASSERT_MSG(st != BP_CLIENT_BUFFER_TOO_SMALL && st != BP_CLIENT_BAD_ARGUMENT &&
					st != BP_CLIENT_CAPACITY && st != BP_CLIENT_ROLLBACK &&
					st != BP_CLIENT_CHAIN_BROKEN && st != BP_CLIENT_BAD_KEY,
					"%s", bp_client_status_name(st));
	if (st == BP_CLIENT_OK)
	{
		FUZZ_ASSERT(*payload_len <= work_len);
		if (payload_copy)
			*payload_copy = fuzz_dup(work, *payload_len);
	}
	else
		FUZZ_ASSERT(*payload_len == 0);
	free(block);
	return st;
}

/*
 * The key a certificate vouches for, read here from a certificate that
 * must itself verify as a key_certificate token at now.
 */
static void
read_certificate(const char *cert, size_t cert_len, const char *kid, int64_t now, allowed *a,
				 char *tenant_buf)
{
	char	   *cert_payload = NULL;
	size_t		len = 0;
	size_t		n = 0;
	bp_json_token *tok;
	int			v;
	char		pid[BP_PASERK_K4_PID_LEN];
	size_t		pid_len = 0;

	FUZZ_ASSERT(verify(cert, cert_len, "key_certificate", now, 0, false, &cert_payload, &len) ==
				BP_CLIENT_OK);
	FUZZ_ASSERT(bp_json_parse(cert_payload, len, NULL, 0, &n) == BP_JSON_OK);
	tok = fuzz_malloc(n * sizeof(*tok));
	FUZZ_ASSERT(bp_json_parse(cert_payload, len, tok, n, &n) == BP_JSON_OK);

	v = bp_json_object_get(cert_payload, tok, n, 0, "exp");
	FUZZ_ASSERT(v > 0);
	v = bp_json_object_get(cert_payload, tok, n, 0, "kid");
	FUZZ_ASSERT(v > 0 && bp_json_string_equals(cert_payload, &tok[v], kid, BP_PASERK_K4_PID_LEN));
	v = bp_json_object_get(cert_payload, tok, n, 0, "public_key");
	FUZZ_ASSERT(v > 0 && tok[v].type == BP_JSON_STRING &&
				bp_paserk_k4_public_decode(cert_payload + tok[v].start, tok[v].end - tok[v].start,
										   a->pk) == BP_PASERK_OK);
	FUZZ_ASSERT(bp_paserk_k4_pid(a->pk, 32, pid, sizeof(pid), &pid_len) == BP_PASERK_OK &&
				memcmp(pid, kid, sizeof(pid)) == 0);
	v = bp_json_object_get(cert_payload, tok, n, 0, "tenant_id");
	FUZZ_ASSERT(v > 0 && bp_json_unescape(cert_payload, &tok[v], tenant_buf, BP_CLIENT_MAX_TENANT_LEN,
										  &a->tenant_len) == BP_JSON_OK && a->tenant_len > 0);
	a->tenant = tenant_buf;
	a->has_tenant = true;
	a->tenant_required = true;
	v = bp_json_object_get(cert_payload, tok, n, 0, "purposes");
	FUZZ_ASSERT(v > 0 && tok[v].type == BP_JSON_ARRAY && tok[v].size > 0);
	a->purposes = 0;
	for (size_t i = 0, e = (size_t) v + 1; i < tok[v].size; i++, e = (size_t) bp_json_skip(tok, n, (int) e))
	{
		bp_client_purpose p;

		FUZZ_ASSERT(e < n && tok[e].type == BP_JSON_STRING);
		p = bp_client_purpose_from_name(cert_payload + tok[e].start, tok[e].end - tok[e].start);
		FUZZ_ASSERT(p == BP_CLIENT_PURPOSE_DECISION || p == BP_CLIENT_PURPOSE_LEASE);
		a->purposes |= 1u << p;
	}
	free(tok);
	free(cert_payload);
}

/*
 * bp_client_check_binding on any payload: MALFORMED / BUFFER_TOO_SMALL as
 * the JSON says; otherwise a string member install_id (or nonce) matches
 * its own unescaped value (if it has no NUL) and nothing else, and an
 * absent or non-string one matches nothing.
 */
static void
check_binding(const char *payload, size_t len)
{
	static const char *const names[2] = {"install_id", "nonce"};
	size_t		n = 0;
	bp_json_status js = bp_json_parse(payload, len, NULL, 0, &n);
	bp_json_token *tok;
	bp_client_status st = bp_client_check_binding(payload, len, NULL, NULL);

	if (js != BP_JSON_OK)
	{
		FUZZ_ASSERT(st == BP_CLIENT_MALFORMED);
		return;
	}
	if (n > BP_CLIENT_BINDING_MAX_TOKENS)
	{
		FUZZ_ASSERT(st == BP_CLIENT_BUFFER_TOO_SMALL);
		return;
	}
	tok = fuzz_malloc(n * sizeof(*tok));
	FUZZ_ASSERT(bp_json_parse(payload, len, tok, n, &n) == BP_JSON_OK);
	FUZZ_ASSERT(st == (tok[0].type == BP_JSON_OBJECT ? BP_CLIENT_OK : BP_CLIENT_MALFORMED));
	if (st == BP_CLIENT_OK)
		for (int k = 0; k < 2; k++)
		{
			int			v = bp_json_object_get(payload, tok, n, 0, names[k]);
			char	   *want;
			size_t		want_len = 0;
			bp_client_status got;
			bp_client_status other;

			if (v < 0 || tok[v].type != BP_JSON_STRING)
			{
				got = bp_client_check_binding(payload, len, k == 0 ? "" : NULL, k == 1 ? "" : NULL);
				FUZZ_ASSERT(got == BP_CLIENT_NOT_FOR_US);
				continue;
			}
			want = fuzz_malloc(tok[v].end - tok[v].start + 2);
			FUZZ_ASSERT(bp_json_unescape(payload, &tok[v], want, tok[v].end - tok[v].start,
										 &want_len) == BP_JSON_OK);
			want[want_len] = '\0';
			if (strlen(want) == want_len)
			{
				got = bp_client_check_binding(payload, len, k == 0 ? want : NULL, k == 1 ? want : NULL);
				FUZZ_ASSERT(got == BP_CLIENT_OK);
				want[want_len] = 'x';
				want[want_len + 1] = '\0';
				other = bp_client_check_binding(payload, len, k == 0 ? want : NULL, k == 1 ? want : NULL);
				FUZZ_ASSERT(other == BP_CLIENT_NOT_FOR_US);
			}
			free(want);
		}
	free(tok);
}

/* An accepted token: its key and its payload, checked again from scratch. */
static void
check_accepted(const char *token, size_t len, const char *payload, size_t payload_len,
			   const char *typ, int64_t now, unsigned vflags, bool misaligned)
{
	size_t		footer_cap = bp_paseto_footer_max_len(len);
	uint8_t    *footer = fuzz_malloc(footer_cap);
	const char *ftext = (const char *) footer;
	size_t		f_len = 0;
	char		kid[BP_PASERK_K4_PID_LEN];
	size_t		kid_len = 0;
	bp_json_token ftok[16];
	size_t		fn = 0;
	int			v;
	const bp_client_key *key;
	allowed		a;
	char		tenant_buf[BP_CLIENT_MAX_TENANT_LEN];
	size_t		again_len;
	char	   *again = NULL;

	memset(&a, 0, sizeof(a));
	/* the key is the one the footer names */
	FUZZ_ASSERT(bp_paseto_footer(token, len, footer, footer_cap, &f_len) == BP_PASETO_OK);
	FUZZ_ASSERT(bp_json_parse(ftext, f_len, ftok, 16, &fn) == BP_JSON_OK);
	v = bp_json_object_get(ftext, ftok, fn, 0, "kid");
	FUZZ_ASSERT(v > 0 && bp_json_unescape(ftext, &ftok[v], kid, sizeof(kid), &kid_len) == BP_JSON_OK &&
				kid_len == sizeof(kid));
	key = ctx_key_by_kid(kid, kid_len);
	if (key != NULL)
	{
		/* a known key: its own state, purpose and tenant (a certificate is ignored) */
		FUZZ_ASSERT(key_model(key, now, vflags & BP_CLIENT_SIGNED_EARLIER) == BP_CLIENT_OK);
		a.purposes = 1u << key->purpose;
		a.has_tenant = key->has_tenant;
		a.audit_tenant = key->has_tenant && key->purpose == BP_CLIENT_PURPOSE_AUDIT;
		a.tenant = key->tenant;
		a.tenant_len = key->tenant_len;
		memcpy(a.pk, key->pk, 32);
	}
	else
	{
		/* an unknown key: only with a certificate that vouches for it */
		v = bp_json_object_get(ftext, ftok, fn, 0, "cert");
		FUZZ_ASSERT(v > 0 && ftok[v].type == BP_JSON_STRING);
		read_certificate(ftext + ftok[v].start, ftok[v].end - ftok[v].start, kid, now, &a, tenant_buf);
	}
	check_payload(payload, payload_len, &a, typ, now, vflags & BP_CLIENT_SKIP_TIME);

	/* looser calls accept it too, with the same payload */
	FUZZ_ASSERT(verify(token, len, NULL, now, BP_CLIENT_SKIP_TIME | (vflags & BP_CLIENT_SIGNED_EARLIER),
					   !misaligned, &again, &again_len) == BP_CLIENT_OK);
	FUZZ_ASSERT(again_len == payload_len && memcmp(again, payload, payload_len) == 0);
	free(again);
	{
		size_t		work_len = bp_client_work_len(len);
		void	   *work = fuzz_malloc(work_len);
		size_t		plen = 0;
		char		text[BP_PASERK_K4_PUBLIC_LEN + 1];
		size_t		tl = 0;

		FUZZ_ASSERT(bp_paserk_k4_public_encode(a.pk, 32, text, sizeof(text), &tl) == BP_PASERK_OK);
		text[tl] = '\0';
		FUZZ_ASSERT(bp_client_verify_paseto(text, token, len, NULL, 0, work, work_len, &plen) ==
					BP_CLIENT_OK && plen == payload_len);
		free(work);
	}
	free(footer);
	check_binding(payload, payload_len);
}

/* Bytes in the footer of a well-formed token. */
static size_t
footer_len(const char *token, size_t len)
{
	size_t		cap = bp_paseto_footer_max_len(len);
	uint8_t    *f = fuzz_malloc(cap);
	size_t		n = 0;

	FUZZ_ASSERT(bp_paseto_footer(token, len, f, cap, &n) == BP_PASETO_OK);
	free(f);
	return n;
}

/*
 * Certificate mode: CERT_PAYLOAD '\n' PAYLOAD.  The certificate is signed
 * by the root key (or, with sel bit 6, by the second root key, which the
 * key set lists), the token by the chosen key with the footer
 * {"kid":...,"cert":...}.
 */
static char *
sign_with_certificate(uint8_t sel, const fuzz_key *signer, const uint8_t *body, size_t size,
					  size_t *len, char **cert_out, size_t *cert_len)
{
	const fuzz_key *issuer = &fuzz_keys[(sel & 0x40) ? FK_ROOT2 : FK_ROOT];
	size_t		c_len;
	const uint8_t *m;
	size_t		m_len;
	char	   *cert;
	char	   *footer;
	size_t		f_len;
	char	   *token;

	fuzz_split(body, size, '\n', &c_len, &m, &m_len);
	cert = fuzz_sign_kid(issuer, body, c_len, cert_len);
	f_len = strlen("{\"kid\":\"\",\"cert\":\"\"}") + BP_PASERK_K4_PID_LEN + *cert_len;
	footer = fuzz_malloc(f_len + 1);
	snprintf(footer, f_len + 1, "{\"kid\":\"%s\",\"cert\":\"%.*s\"}", signer->kid, (int) *cert_len, cert);
	token = fuzz_sign(signer, m, m_len, footer, f_len, len);
	free(footer);
	*cert_out = cert;
	return token;
}

static void
fuzz_verify(uint8_t sel, uint8_t flags, const uint8_t *body, size_t size)
{
	int			mode = sel & 3;
	const fuzz_key *signer = &fuzz_keys[((sel >> 2) & 15) % FK_N];
	unsigned	vflags = ((flags & 1) ? BP_CLIENT_SKIP_TIME : 0) |
		((sel & 0x80) ? BP_CLIENT_SIGNED_EARLIER : 0);
	int64_t		now = nows[(flags >> 1) & 3];
	bool		misaligned = (flags >> 3) & 1;
	const char *typ = typs[(flags >> 4) & 7];
	bool		cert_mode = mode == 2 && (flags & 0x80);
	char	   *token;
	size_t		len;
	char	   *cert = NULL;
	size_t		cert_len = 0;
	bool		usual_footer = false;
	bp_client_status st;
	char	   *payload = NULL;
	size_t		payload_len = 0;

	if (mode == 0)
	{
		token = fuzz_dup(body, size);
		len = size;
	}
	else if (mode == 1)
	{
		token = fuzz_sign_kid(signer, body, size, &len);
		usual_footer = true;
	}
	else if (cert_mode)
		token = sign_with_certificate(sel, signer, body, size, &len, &cert, &cert_len);
	else
	{
		size_t		f_len;
		const uint8_t *m;
		size_t		m_len;

		fuzz_split(body, size, '\n', &f_len, &m, &m_len);
		token = fuzz_sign(signer, m, m_len, body, f_len, &len);
	}

	st = verify(token, len, typ, now, vflags, misaligned, &payload, &payload_len);

	if (mode != 0)
	{
		/* the signature is good whatever the key */
		size_t		work_len = bp_client_work_len(len);
		void	   *work = fuzz_malloc(work_len);
		size_t		plen = 0;

		FUZZ_ASSERT(bp_client_verify_paseto(signer->pub, token, len, NULL, 0, work, work_len,
											&plen) == BP_CLIENT_OK);
		free(work);
		if (usual_footer || cert_mode)
			FUZZ_ASSERT(st != BP_CLIENT_BAD_SIGNATURE);
	}
	if (cert_mode && footer_len(token, len) > FOOTER_MAX)
	{
		/* a footer longer than the client reads at all is malformed */
		FUZZ_ASSERT_MSG(st == BP_CLIENT_MALFORMED, "%zu-byte footer: %s", footer_len(token, len),
						bp_client_status_name(st));
	}
	else if (usual_footer || (cert_mode && ctx_key_by_pk(signer->pk) != NULL))
	{
		/* a known key's state decides, certificate or not */
		bp_client_status model = key_model(ctx_key_by_pk(signer->pk), now,
										   vflags & BP_CLIENT_SIGNED_EARLIER);

		if (model != BP_CLIENT_OK)
			FUZZ_ASSERT_MSG(st == model, "%s signed: %s, model %s", signer->name,
							bp_client_status_name(st), bp_client_status_name(model));
		else
			FUZZ_ASSERT(st != BP_CLIENT_UNKNOWN_KEY && st != BP_CLIENT_KEY_REVOKED &&
						st != BP_CLIENT_KEY_NOT_VALID && st != BP_CLIENT_CERT_INVALID &&
						st != BP_CLIENT_CERT_EXPIRED);
	}
	else if (cert_mode)
	{
		/* an unknown key: the certificate, verified on its own, decides first */
		char	   *ignored = NULL;
		size_t		ignored_len;
		bp_client_status cst = verify(cert, cert_len, "key_certificate", now, 0, misaligned,
									  &ignored, &ignored_len);

		free(ignored);
		if (cst == BP_CLIENT_EXPIRED || cst == BP_CLIENT_NOT_YET_VALID)
			FUZZ_ASSERT_MSG(st == BP_CLIENT_CERT_EXPIRED, "%s", bp_client_status_name(st));
		else if (cst != BP_CLIENT_OK)
			FUZZ_ASSERT_MSG(st == BP_CLIENT_CERT_INVALID, "%s", bp_client_status_name(st));
		else
			FUZZ_ASSERT(st != BP_CLIENT_CERT_EXPIRED && st != BP_CLIENT_UNKNOWN_KEY);
	}

	if (st == BP_CLIENT_OK)
		check_accepted(token, len, payload, payload_len, typ, now, vflags, misaligned);
	free(cert);
	free(payload);
	free(token);
}

static bool
chain_equal(const bp_client_lease_chain *a, const bp_client_lease_chain *b)
{
	return a->seq == b->seq && memcmp(a->hash, b->hash, sizeof(a->hash)) == 0;
}

static void
fuzz_lease_chain(const uint8_t *body, size_t size)
{
	size_t		prev_len;
	const uint8_t *next_data;
	size_t		next_len;
	char	   *prev;
	char	   *next;
	bp_client_status first;
	bp_client_status linked;
	bp_client_status step;
	bp_client_lease_chain chain;
	bp_client_lease_chain before;

	fuzz_split(body, size, '\n', &prev_len, &next_data, &next_len);
	prev = fuzz_dup(body, prev_len);
	next = fuzz_dup(next_data, next_len);

	check_binding(prev, prev_len);
	check_binding(next, next_len);

	/* each payload as the first of a chain */
	first = bp_client_check_lease_chain(NULL, 0, NULL, 0, prev, prev_len);
	bp_client_lease_chain_init(&chain);
	before = chain;
	step = bp_client_lease_chain_next(&chain, prev, prev_len, prev, prev_len);
	FUZZ_ASSERT(step == first);
	if (step != BP_CLIENT_OK)
		FUZZ_ASSERT(chain_equal(&chain, &before));
	else
	{
		char		hex[BP_CLIENT_LEASE_HASH_HEX_LEN + 1];

		FUZZ_ASSERT(chain.seq == 1);
		bp_client_lease_hash(prev, prev_len, hex);
		FUZZ_ASSERT(memcmp(chain.hash, hex, sizeof(hex)) == 0);
	}

	/* next after prev (prev's text standing in for its token) */
	linked = bp_client_check_lease_chain(prev, prev_len, prev, prev_len, next, next_len);
	FUZZ_ASSERT(linked != BP_CLIENT_BAD_ARGUMENT);
	if (step == BP_CLIENT_OK)
	{
		bp_client_status followed;

		before = chain;
		followed = bp_client_lease_chain_next(&chain, next, next_len, next, next_len);
		/* the follower does not compare subjects, the one-shot check does */
		if (linked == BP_CLIENT_OK)
			FUZZ_ASSERT(followed == BP_CLIENT_OK && chain.seq == 2);
		if (followed != BP_CLIENT_OK)
			FUZZ_ASSERT(chain_equal(&chain, &before));
	}
	else if (linked == BP_CLIENT_OK)
	{
		/* prev only needs to be a lease; as a chain start it may not fit */
		FUZZ_ASSERT(step == BP_CLIENT_ROLLBACK || step == BP_CLIENT_CHAIN_BROKEN);
	}
	free(next);
	free(prev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	if ((data[0] & 3) == 3)
		fuzz_lease_chain(data + 2, size - 2);
	else
		fuzz_verify(data[0], data[1], data + 2, size - 2);
	return 0;
}
