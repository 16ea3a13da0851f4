/*
 * paseto.c — PASETO v4.public sign and verify.
 *
 * PAE layout for the four pieces (h, m, f, i) used by v4.public:
 *
 *   offset 0        LE64(4)
 *          8        LE64(10)  h = "v4.public."
 *          26       LE64(|m|) m
 *          34+m     LE64(|f|) f
 *          42+m+f   LE64(|i|) i          total 50 + m + f + i
 *
 * Verify decodes the token body (m ‖ sig) straight into the scratch buffer
 * at offset 34, moves the signature out, and then writes the rest of PAE
 * over where the signature was, so no second copy of m is needed.
 */
#include "paseto.h"

#include <string.h>

#include <sodium.h>

#include "base64url.h"

#define PAE_M_OFFSET 34			/* 8 + 8 + 10 + 8 */
#define PAE_FIXED_LEN 50		/* five LE64 counts plus the header */

/* Parsed, not yet decoded, pieces of a token. */
typedef struct token_parts
{
	const char *body;
	size_t		body_len;
	const char *footer;			/* NULL when there is no footer */
	size_t		footer_len;
} token_parts;

/* a + b, or SIZE_MAX when it overflows (SIZE_MAX itself is never a need). */
static size_t
add_size(size_t a, size_t b)
{
	if (a == SIZE_MAX || b == SIZE_MAX || a > SIZE_MAX - 1 - b)
		return SIZE_MAX;
	return a + b;
}

/* PAE length prefix: little-endian 64-bit with the top bit cleared. */
static void
store_le64(uint8_t *p, size_t n)
{
	uint64_t	v = (uint64_t) n & UINT64_C(0x7FFFFFFFFFFFFFFF);
	int			k;

	for (k = 0; k < 8; k++)
		p[k] = (uint8_t) (v >> (8 * k));
}

static bp_paseto_status
from_b64(bp_b64url_status s)
{
	switch (s)
	{
		case BP_B64URL_OK:
			return BP_PASETO_OK;
		case BP_B64URL_BUFFER_TOO_SMALL:
			return BP_PASETO_BUFFER_TOO_SMALL;
		case BP_B64URL_TOO_LARGE:
			return BP_PASETO_TOO_LARGE;
		case BP_B64URL_NONCANONICAL:
			return BP_PASETO_NONCANONICAL_BASE64;
		case BP_B64URL_BAD_LENGTH:
		case BP_B64URL_PADDING:
		case BP_B64URL_BAD_CHAR:
			break;
	}
	return BP_PASETO_BAD_BASE64;
}

/*
 * Tell apart "not a PASETO", "another version" and "v4 but another purpose"
 * for a token whose header is not "v4.public.", so errors are actionable.
 */
static bp_paseto_status
classify_header(const char *t, size_t len)
{
	size_t		p = 1;
	size_t		v_end;
	size_t		purpose;

	if (len < 1 || t[0] != 'v')
		return BP_PASETO_NOT_PASETO;
	while (p < len && t[p] >= '0' && t[p] <= '9')
		p++;
	if (p == 1 || p >= len || t[p] != '.')
		return BP_PASETO_NOT_PASETO;
	v_end = p++;
	purpose = p;
	while (p < len && t[p] >= 'a' && t[p] <= 'z')
		p++;
	if (p == purpose || p >= len || t[p] != '.')
		return BP_PASETO_NOT_PASETO;
	if (v_end != 2 || t[1] != '4')
		return BP_PASETO_WRONG_VERSION;
	return BP_PASETO_WRONG_PURPOSE;
}

/* Split a token into body and footer, checking header and part count. */
static bp_paseto_status
split_token(const char *token, size_t len, token_parts *parts)
{
	const char *rest;
	size_t		rest_len;
	const char *dot;

	if (token == NULL)
		return BP_PASETO_BAD_ARGUMENT;
	if (len < BP_PASETO_HEADER_LEN ||
		memcmp(token, BP_PASETO_V4_PUBLIC_HEADER, BP_PASETO_HEADER_LEN) != 0)
		return classify_header(token, len);

	rest = token + BP_PASETO_HEADER_LEN;
	rest_len = len - BP_PASETO_HEADER_LEN;
	dot = memchr(rest, '.', rest_len);
	parts->body = rest;
	parts->footer = NULL;
	parts->footer_len = 0;
	if (dot == NULL)
	{
		parts->body_len = rest_len;
		return BP_PASETO_OK;
	}
	parts->body_len = (size_t) (dot - rest);
	parts->footer = dot + 1;
	parts->footer_len = rest_len - parts->body_len - 1;
	if (memchr(parts->footer, '.', parts->footer_len) != NULL)
		return BP_PASETO_EXTRA_PARTS;
	/* The footer is omitted when empty, so "body." is not canonical. */
	if (parts->footer_len == 0)
		return BP_PASETO_EMPTY_FOOTER;
	return BP_PASETO_OK;
}

/*
 * Full structural check shared by verify and footer: header, parts, both
 * base64url texts, body length.  Gives the decoded lengths.
 */
static bp_paseto_status
parse_token(const char *token, size_t len, token_parts *parts,
			size_t *m_len, size_t *f_len)
{
	bp_paseto_status st;
	size_t		body_bytes;

	st = split_token(token, len, parts);
	if (st != BP_PASETO_OK)
		return st;
	st = from_b64(bp_b64url_decode_public(parts->body, parts->body_len, NULL, 0,
								   &body_bytes));
	if (st != BP_PASETO_OK)
		return st;
	*f_len = 0;
	if (parts->footer != NULL)
	{
		st = from_b64(bp_b64url_decode_public(parts->footer, parts->footer_len,
									   NULL, 0, f_len));
		if (st != BP_PASETO_OK)
			return st;
	}
	if (body_bytes < BP_PASETO_SIGNATURE_BYTES)
		return BP_PASETO_SHORT_BODY;
	*m_len = body_bytes - BP_PASETO_SIGNATURE_BYTES;
	return BP_PASETO_OK;
}

size_t
bp_paseto_v4_pae_len(size_t m_len, size_t f_len, size_t i_len)
{
	return add_size(add_size(add_size(PAE_FIXED_LEN, m_len), f_len), i_len);
}

size_t
bp_paseto_v4_token_len(size_t m_len, size_t f_len)
{
	size_t		len;

	len = add_size(BP_PASETO_HEADER_LEN,
				   bp_b64url_encoded_len(add_size(m_len,
												  BP_PASETO_SIGNATURE_BYTES)));
	if (f_len > 0)
		len = add_size(len, add_size(1, bp_b64url_encoded_len(f_len)));
	return len;
}

size_t
bp_paseto_v4_verify_scratch_len(size_t token_len, size_t i_len)
{
	/*
	 * Body and footer decode to fewer bytes than their text, so 34 + m + 64
	 * and 50 + m + f + i are both at most 50 + token_len + i.
	 */
	return add_size(add_size(PAE_FIXED_LEN, token_len), i_len);
}

size_t
bp_paseto_v4_payload_max_len(size_t token_len)
{
	return bp_b64url_decoded_len(token_len);
}

size_t
bp_paseto_footer_max_len(size_t token_len)
{
	return bp_b64url_decoded_len(token_len);
}

/* Write the fixed start of PAE: count, header, and |m|. */
static void
pae_start(uint8_t *pae, size_t m_len)
{
	store_le64(pae, 4);
	store_le64(pae + 8, BP_PASETO_HEADER_LEN);
	memcpy(pae + 16, BP_PASETO_V4_PUBLIC_HEADER, BP_PASETO_HEADER_LEN);
	store_le64(pae + 26, m_len);
}

/* Write PAE from |f| onwards, given m already in place. */
static void
pae_finish(uint8_t *pae, size_t m_len, const uint8_t *f, size_t f_len,
		   const uint8_t *i, size_t i_len)
{
	uint8_t    *p = pae + PAE_M_OFFSET + m_len;

	store_le64(p, f_len);
	p += 8;
	/* memmove: in verify the footer was decoded in place already. */
	if (f_len > 0 && f != p)
		memmove(p, f, f_len);
	p += f_len;
	store_le64(p, i_len);
	p += 8;
	if (i_len > 0)
		memcpy(p, i, i_len);
}

bool
bp_ed25519_secret_key_consistent(const uint8_t *sk)
{
	uint8_t		pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t		sk2[crypto_sign_SECRETKEYBYTES];
	bool		ok;

	if (crypto_sign_seed_keypair(pk, sk2, sk) != 0)
		ok = false;
	else
		ok = sodium_memcmp(pk, sk + crypto_sign_SEEDBYTES,
						   crypto_sign_PUBLICKEYBYTES) == 0;
	sodium_memzero(sk2, sizeof(sk2));
	return ok;
}

bp_paseto_status
bp_paseto_v4_pae(const uint8_t *m, size_t m_len,
				 const uint8_t *f, size_t f_len,
				 const uint8_t *i, size_t i_len,
				 uint8_t *pae, size_t pae_cap, size_t *pae_len)
{
	size_t		need;

	if (pae_len)
		*pae_len = 0;
	if (pae == NULL || (m == NULL && m_len > 0) || (f == NULL && f_len > 0) ||
		(i == NULL && i_len > 0))
		return BP_PASETO_BAD_ARGUMENT;
	need = bp_paseto_v4_pae_len(m_len, f_len, i_len);
	/* Signers take unsigned long long; size_t may be wider in theory. */
	if (need == SIZE_MAX || (unsigned long long) need != need)
		return BP_PASETO_TOO_LARGE;
	if (pae_cap < need)
		return BP_PASETO_BUFFER_TOO_SMALL;
	pae_start(pae, m_len);
	if (m_len > 0)
		memcpy(pae + PAE_M_OFFSET, m, m_len);
	pae_finish(pae, m_len, f, f_len, i, i_len);
	if (pae_len)
		*pae_len = need;
	return BP_PASETO_OK;
}

bp_paseto_status
bp_paseto_v4_assemble(const uint8_t *m, size_t m_len,
					  const uint8_t *f, size_t f_len,
					  const uint8_t *sig,
					  char *out, size_t out_cap, size_t *out_len)
{
	size_t		token_len;
	size_t		head;
	size_t		tail;
	size_t		n;
	size_t		o;
	uint8_t		last[2 + BP_PASETO_SIGNATURE_BYTES];

	if (out_len)
		*out_len = 0;
	if (sig == NULL || out == NULL || (m == NULL && m_len > 0) || (f == NULL && f_len > 0))
		return BP_PASETO_BAD_ARGUMENT;
	token_len = bp_paseto_v4_token_len(m_len, f_len);
	if (token_len == SIZE_MAX)
		return BP_PASETO_TOO_LARGE;
	if (out_cap < token_len)
		return BP_PASETO_BUFFER_TOO_SMALL;

	/*
	 * b64url(m ‖ sig) without concatenating: encode the whole 3-byte groups
	 * of m directly, then the 0–2 leftover bytes of m together with sig.
	 */
	memcpy(out, BP_PASETO_V4_PUBLIC_HEADER, BP_PASETO_HEADER_LEN);
	o = BP_PASETO_HEADER_LEN;
	head = m_len - m_len % 3;
	tail = m_len - head;
	bp_b64url_encode(m, head, out + o, out_cap - o, &n);
	o += n;
	if (tail > 0)
		memcpy(last, m + head, tail);
	memcpy(last + tail, sig, BP_PASETO_SIGNATURE_BYTES);
	bp_b64url_encode(last, tail + BP_PASETO_SIGNATURE_BYTES, out + o, out_cap - o, &n);
	o += n;
	if (f_len > 0)
	{
		out[o++] = '.';
		bp_b64url_encode(f, f_len, out + o, out_cap - o, &n);
		o += n;
	}
	if (out_len)
		*out_len = o;
	return BP_PASETO_OK;
}

static bp_paseto_status
sign_v4(const uint8_t *sk, size_t sk_len,
		const uint8_t *m, size_t m_len,
		const uint8_t *f, size_t f_len,
		const uint8_t *i, size_t i_len,
		uint8_t *scratch, size_t scratch_cap,
		char *out, size_t out_cap, size_t *out_len, bool check_key)
{
	size_t		pae_len;
	size_t		token_len;
	uint8_t		sig[BP_PASETO_SIGNATURE_BYTES];
	bp_paseto_status st;

	if (out_len)
		*out_len = 0;
	if (sk == NULL || scratch == NULL || out == NULL ||
		(m == NULL && m_len > 0) || (f == NULL && f_len > 0) ||
		(i == NULL && i_len > 0))
		return BP_PASETO_BAD_ARGUMENT;
	if (sk_len != BP_PASETO_SECRET_KEY_BYTES)
		return BP_PASETO_BAD_KEY_LENGTH;

	/* Every size is checked before the key check and the signature cost anything. */
	pae_len = bp_paseto_v4_pae_len(m_len, f_len, i_len);
	token_len = bp_paseto_v4_token_len(m_len, f_len);
	if (pae_len == SIZE_MAX || token_len == SIZE_MAX ||
		(unsigned long long) pae_len != pae_len)
		return BP_PASETO_TOO_LARGE;
	if (scratch_cap < pae_len || out_cap < token_len)
		return BP_PASETO_BUFFER_TOO_SMALL;
	if (check_key && !bp_ed25519_secret_key_consistent(sk))
		return BP_PASETO_KEY_MISMATCH;

	st = bp_paseto_v4_pae(m, m_len, f, f_len, i, i_len, scratch, scratch_cap, &pae_len);
	if (st != BP_PASETO_OK)
		return st;
	if (crypto_sign_detached(sig, NULL, scratch, pae_len, sk) != 0)
		return BP_PASETO_BAD_SIGNATURE;
	return bp_paseto_v4_assemble(m, m_len, f, f_len, sig, out, out_cap, out_len);
}

bp_paseto_status
bp_paseto_v4_sign(const uint8_t *sk, size_t sk_len,
				  const uint8_t *m, size_t m_len,
				  const uint8_t *f, size_t f_len,
				  const uint8_t *i, size_t i_len,
				  uint8_t *scratch, size_t scratch_cap,
				  char *out, size_t out_cap, size_t *out_len)
{
	return sign_v4(sk, sk_len, m, m_len, f, f_len, i, i_len, scratch, scratch_cap,
				   out, out_cap, out_len, true);
}

bp_paseto_status
bp_paseto_v4_sign_checked_key(const uint8_t *sk, size_t sk_len,
							  const uint8_t *m, size_t m_len,
							  const uint8_t *f, size_t f_len,
							  const uint8_t *i, size_t i_len,
							  uint8_t *scratch, size_t scratch_cap,
							  char *out, size_t out_cap, size_t *out_len)
{
	return sign_v4(sk, sk_len, m, m_len, f, f_len, i, i_len, scratch, scratch_cap,
				   out, out_cap, out_len, false);
}

bp_paseto_status
bp_paseto_v4_verify(const char *token, size_t token_len,
					const uint8_t *pk, size_t pk_len,
					const uint8_t *expected_footer, size_t expected_footer_len,
					const uint8_t *i, size_t i_len,
					uint8_t *scratch, size_t scratch_cap,
					uint8_t *payload, size_t payload_cap,
					size_t *payload_len)
{
	token_parts parts;
	bp_paseto_status st;
	size_t		m_len;
	size_t		f_len;
	size_t		pae_len;
	size_t		need;
	uint8_t		sig[BP_PASETO_SIGNATURE_BYTES];
	uint8_t    *footer;

	if (payload_len)
		*payload_len = 0;
	if (pk == NULL || scratch == NULL || (payload == NULL && payload_cap > 0) ||
		(i == NULL && i_len > 0) ||
		(expected_footer == NULL && expected_footer_len > 0))
		return BP_PASETO_BAD_ARGUMENT;
	if (pk_len != BP_PASETO_PUBLIC_KEY_BYTES)
		return BP_PASETO_BAD_KEY_LENGTH;

	st = parse_token(token, token_len, &parts, &m_len, &f_len);
	if (st != BP_PASETO_OK)
		return st;

	pae_len = bp_paseto_v4_pae_len(m_len, f_len, i_len);
	if (pae_len == SIZE_MAX || (unsigned long long) pae_len != pae_len)
		return BP_PASETO_TOO_LARGE;
	/* The body is decoded in place before PAE overwrites its signature. */
	need = PAE_M_OFFSET + m_len + BP_PASETO_SIGNATURE_BYTES;
	if (need < pae_len)
		need = pae_len;
	if (scratch_cap < need || payload_cap < m_len)
		return BP_PASETO_BUFFER_TOO_SMALL;

	pae_start(scratch, m_len);
	bp_b64url_decode_public(parts.body, parts.body_len, scratch + PAE_M_OFFSET,
					 scratch_cap - PAE_M_OFFSET, NULL);
	memcpy(sig, scratch + PAE_M_OFFSET + m_len, sizeof(sig));
	footer = scratch + PAE_M_OFFSET + m_len + 8;
	if (f_len > 0)
		bp_b64url_decode_public(parts.footer, parts.footer_len, footer,
						 scratch_cap - (size_t) (footer - scratch), NULL);

	/* Spec: compare an expected footer in constant time. */
	if (expected_footer != NULL &&
		(expected_footer_len != f_len ||
		 (f_len > 0 && sodium_memcmp(footer, expected_footer, f_len) != 0)))
		return BP_PASETO_FOOTER_MISMATCH;

	pae_finish(scratch, m_len, footer, f_len, i, i_len);
	if (crypto_sign_verify_detached(sig, scratch, pae_len, pk) != 0)
		return BP_PASETO_BAD_SIGNATURE;

	if (m_len > 0)
		memcpy(payload, scratch + PAE_M_OFFSET, m_len);
	if (payload_len)
		*payload_len = m_len;
	return BP_PASETO_OK;
}

bp_paseto_status
bp_paseto_footer(const char *token, size_t token_len,
				 uint8_t *footer, size_t footer_cap, size_t *footer_len)
{
	token_parts parts;
	bp_paseto_status st;
	size_t		m_len;
	size_t		f_len;

	if (footer_len)
		*footer_len = 0;
	if (footer == NULL && footer_cap > 0)
		return BP_PASETO_BAD_ARGUMENT;
	st = parse_token(token, token_len, &parts, &m_len, &f_len);
	if (st != BP_PASETO_OK)
		return st;
	if (f_len == 0)
		return BP_PASETO_OK;
	if (footer == NULL || footer_cap < f_len)
		return BP_PASETO_BUFFER_TOO_SMALL;
	return from_b64(bp_b64url_decode_public(parts.footer, parts.footer_len,
									 footer, footer_cap, footer_len));
}

/*
 * The payload without checking the signature: only to find what to verify
 * a token with (a snapshot carries the key set that lists its signing key).
 */
bp_paseto_status
bp_paseto_v4_unverified_payload(const char *token, size_t token_len,
								uint8_t *payload, size_t payload_cap, size_t *payload_len)
{
	token_parts parts;
	bp_paseto_status st;
	size_t		m_len;
	size_t		f_len;
	size_t		body_len;

	if (payload_len)
		*payload_len = 0;
	if (payload == NULL || payload_len == NULL)
		return BP_PASETO_BAD_ARGUMENT;
	st = parse_token(token, token_len, &parts, &m_len, &f_len);
	if (st != BP_PASETO_OK)
		return st;
	if (payload_cap < m_len + BP_PASETO_SIGNATURE_BYTES)
		return BP_PASETO_BUFFER_TOO_SMALL;
	st = from_b64(bp_b64url_decode_public(parts.body, parts.body_len, payload, payload_cap, &body_len));
	if (st != BP_PASETO_OK)
		return st;
	*payload_len = m_len;
	return BP_PASETO_OK;
}

const char *
bp_paseto_strerror(bp_paseto_status status)
{
	switch (status)
	{
		case BP_PASETO_OK:
			return "No error.";
		case BP_PASETO_BAD_ARGUMENT:
			return "A required argument is missing.";
		case BP_PASETO_BAD_KEY_LENGTH:
			return "The key has the wrong length.";
		case BP_PASETO_KEY_MISMATCH:
			return "The secret key's public half does not match its seed.";
		case BP_PASETO_BUFFER_TOO_SMALL:
			return "A buffer is too small.";
		case BP_PASETO_TOO_LARGE:
			return "The token is too large.";
		case BP_PASETO_NOT_PASETO:
			return "The token is not a PASETO token.";
		case BP_PASETO_WRONG_VERSION:
			return "The token is not a version 4 PASETO token.";
		case BP_PASETO_WRONG_PURPOSE:
			return "The token is not a v4.public token.";
		case BP_PASETO_EXTRA_PARTS:
			return "The token has more parts than a body and a footer.";
		case BP_PASETO_EMPTY_FOOTER:
			return "The token ends in a separator without a footer.";
		case BP_PASETO_BAD_BASE64:
			return "The token is not valid base64url.";
		case BP_PASETO_NONCANONICAL_BASE64:
			return "The token's base64url is not in canonical form.";
		case BP_PASETO_SHORT_BODY:
			return "The token is too short to contain a signature.";
		case BP_PASETO_FOOTER_MISMATCH:
			return "The token's footer is not the expected one.";
		case BP_PASETO_BAD_SIGNATURE:
			return "The token's signature is not valid.";
	}
	return "Unknown PASETO error.";
}
