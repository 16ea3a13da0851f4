/*
 * fuzz_paseto.c — PASETO v4.public: bp_paseto_v4_verify, bp_paseto_footer,
 * bp_paseto_v4_sign, with the official vector key pair (so the official
 * tokens in the seed corpus verify, and mutations of them reach every
 * check up to the signature).
 *
 * Input: a first byte choosing the mode, then
 *   even: TOKEN ['\n' IMPLICIT]            verify an untrusted token
 *   odd:  PAYLOAD ['\n' FOOTER ['\n' IMPLICIT]]   sign, then verify
 *
 * Properties when verifying:
 *   - footer and verify agree on the token's structure (same error);
 *   - verify with the footer read by bp_paseto_footer as the expected
 *     footer gives the same result as verify accepting any footer;
 *   - the size helpers are upper bounds, and verify succeeds with scratch
 *     and payload buffers of exactly the size it needs, and says
 *     BUFFER_TOO_SMALL with one byte less (no write past either);
 *   - a token that verifies is the one signing its payload, footer and
 *     implicit assertion gives again (Ed25519 is deterministic, base64url
 *     canonical), so nothing else about the token can vary.
 * Properties when signing: the token has exactly bp_paseto_v4_token_len
 * characters, verifies to the same payload and footer, and fails with
 * another implicit assertion, another expected footer or one character
 * changed.
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "base64url.h"
#include "paseto.h"
#include "fuzz.h"

static uint8_t sk[64];
static uint8_t pk[32];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	if (sodium_init() < 0)
		abort();
	fuzz_unhex(FUZZ_VECTOR_SK, sk, sizeof(sk));
	fuzz_unhex(FUZZ_VECTOR_PK, pk, sizeof(pk));
	return 0;
}

static bool
structural(bp_paseto_status st)
{
	return st == BP_PASETO_NOT_PASETO || st == BP_PASETO_WRONG_VERSION ||
		st == BP_PASETO_WRONG_PURPOSE || st == BP_PASETO_EXTRA_PARTS ||
		st == BP_PASETO_EMPTY_FOOTER || st == BP_PASETO_BAD_BASE64 ||
		st == BP_PASETO_NONCANONICAL_BASE64 || st == BP_PASETO_SHORT_BODY;
}

/* Verify with heap buffers of exactly scratch_cap and payload_cap bytes. */
static bp_paseto_status
verify_exact(const char *token, size_t token_len, const uint8_t *ef, size_t ef_len,
			 const uint8_t *i, size_t i_len, size_t scratch_cap, size_t payload_cap,
			 uint8_t **payload_out, size_t *payload_len)
{
	uint8_t    *scratch = fuzz_malloc(scratch_cap);
	uint8_t    *payload = payload_cap ? fuzz_malloc(payload_cap) : NULL;
	bp_paseto_status st;

	*payload_len = 12345;
	st = bp_paseto_v4_verify(token, token_len, pk, sizeof(pk), ef, ef_len, i, i_len,
							 scratch, scratch_cap, payload, payload_cap, payload_len);
	FUZZ_ASSERT(st == BP_PASETO_OK || *payload_len == 0);
	free(scratch);
	if (payload_out)
		*payload_out = payload;
	else
		free(payload);
	return st;
}

static void
fuzz_verify(const uint8_t *data, size_t size)
{
	size_t		token_len;
	const uint8_t *implicit_data;
	size_t		i_len;
	char	   *token;
	uint8_t    *implicit;
	size_t		footer_cap;
	uint8_t    *footer;
	size_t		f_len = 12345;
	bp_paseto_status fst;
	bp_paseto_status vst;
	uint8_t    *payload = NULL;
	size_t		m_len;
	size_t		scratch_cap;
	size_t		payload_cap;

	fuzz_split(data, size, '\n', &token_len, &implicit_data, &i_len);
	token = fuzz_dup(data, token_len);
	implicit = (uint8_t *) fuzz_dup(implicit_data, i_len);

	footer_cap = bp_paseto_footer_max_len(token_len);
	footer = fuzz_malloc(footer_cap);
	fst = bp_paseto_footer(token, token_len, footer, footer_cap, &f_len);
	FUZZ_ASSERT(bp_paseto_strerror(fst) != NULL);
	FUZZ_ASSERT(fst == BP_PASETO_OK || structural(fst));
	FUZZ_ASSERT(fst == BP_PASETO_OK ? f_len <= footer_cap : f_len == 0);

	scratch_cap = bp_paseto_v4_verify_scratch_len(token_len, i_len);
	payload_cap = bp_paseto_v4_payload_max_len(token_len);
	vst = verify_exact(token, token_len, NULL, 0, implicit, i_len, scratch_cap, payload_cap,
					   &payload, &m_len);
	FUZZ_ASSERT(bp_paseto_strerror(vst) != NULL);
	if (structural(fst))
		FUZZ_ASSERT(vst == fst);
	else
	{
		size_t		body_bytes = 0;
		const char *body = token + BP_PASETO_HEADER_LEN;
		const char *dot = memchr(body, '.', token_len - BP_PASETO_HEADER_LEN);
		size_t		body_len = dot ? (size_t) (dot - body) : token_len - BP_PASETO_HEADER_LEN;
		size_t		exact;
		size_t		exact_m;
		size_t		m2;
		bp_paseto_status st2;

		FUZZ_ASSERT(vst == BP_PASETO_OK || vst == BP_PASETO_BAD_SIGNATURE);
		/* the expected footer read from the token changes nothing */
		st2 = verify_exact(token, token_len, f_len ? footer : NULL, f_len, implicit, i_len,
						   scratch_cap, payload_cap, NULL, &m2);
		FUZZ_ASSERT(st2 == vst);
		/* ... and any other expected footer is a mismatch */
		st2 = verify_exact(token, token_len, footer, f_len > 0 ? f_len - 1 : 0,
						   implicit, i_len, scratch_cap, payload_cap, NULL, &m2);
		FUZZ_ASSERT(f_len == 0 ? st2 == vst : st2 == BP_PASETO_FOOTER_MISMATCH);

		/* exact buffer sizes */
		FUZZ_ASSERT(bp_b64url_decode(body, body_len, NULL, 0, &body_bytes) == BP_B64URL_OK);
		FUZZ_ASSERT(body_bytes >= BP_PASETO_SIGNATURE_BYTES);
		exact_m = body_bytes - BP_PASETO_SIGNATURE_BYTES;
		exact = 34 + exact_m + BP_PASETO_SIGNATURE_BYTES;
		if (exact < bp_paseto_v4_pae_len(exact_m, f_len, i_len))
			exact = bp_paseto_v4_pae_len(exact_m, f_len, i_len);
		FUZZ_ASSERT(exact <= scratch_cap && exact_m <= payload_cap);
		st2 = verify_exact(token, token_len, NULL, 0, implicit, i_len, exact, exact_m, NULL, &m2);
		FUZZ_ASSERT(st2 == vst);
		FUZZ_ASSERT(verify_exact(token, token_len, NULL, 0, implicit, i_len, exact - 1, exact_m,
								 NULL, &m2) == BP_PASETO_BUFFER_TOO_SMALL);
		if (exact_m > 0)
			FUZZ_ASSERT(verify_exact(token, token_len, NULL, 0, implicit, i_len, exact, exact_m - 1,
									 NULL, &m2) == BP_PASETO_BUFFER_TOO_SMALL);
	}

	if (vst == BP_PASETO_OK)
	{
		/* the token is exactly what signing its contents gives */
		size_t		pae_len = bp_paseto_v4_pae_len(m_len, f_len, i_len);
		size_t		cap = bp_paseto_v4_token_len(m_len, f_len);
		uint8_t    *scratch = fuzz_malloc(pae_len);
		char	   *again = fuzz_malloc(cap);
		size_t		again_len = 0;

		FUZZ_ASSERT(fst == BP_PASETO_OK);
		FUZZ_ASSERT(m_len <= payload_cap);
		FUZZ_ASSERT(bp_paseto_v4_sign(sk, sizeof(sk), payload, m_len, footer, f_len,
									  implicit, i_len, scratch, pae_len, again, cap,
									  &again_len) == BP_PASETO_OK);
		FUZZ_ASSERT(again_len == token_len && memcmp(again, token, token_len) == 0);
		free(again);
		free(scratch);
	}
	free(payload);
	free(footer);
	free(implicit);
	free(token);
}

static void
fuzz_sign(uint8_t mode, const uint8_t *data, size_t size)
{
	size_t		m_len;
	const uint8_t *rest;
	size_t		rest_len;
	size_t		f_len;
	const uint8_t *i_data;
	size_t		i_len;
	uint8_t    *m;
	uint8_t    *f;
	uint8_t    *implicit;
	size_t		pae_len;
	size_t		cap;
	uint8_t    *scratch;
	char	   *token;
	size_t		token_len = 0;
	bp_paseto_status st;

	fuzz_split(data, size, '\n', &m_len, &rest, &rest_len);
	fuzz_split(rest ? rest : data, rest ? rest_len : 0, '\n', &f_len, &i_data, &i_len);
	m = (uint8_t *) fuzz_dup(data, m_len);
	f = (uint8_t *) fuzz_dup(rest, f_len);
	implicit = (uint8_t *) fuzz_dup(i_data, i_len);

	pae_len = bp_paseto_v4_pae_len(m_len, f_len, i_len);
	cap = bp_paseto_v4_token_len(m_len, f_len);
	scratch = fuzz_malloc(pae_len);
	token = fuzz_malloc(cap);
	st = (mode & 2) ?
		bp_paseto_v4_sign(sk, sizeof(sk), m, m_len, f, f_len, implicit, i_len,
						  scratch, pae_len, token, cap, &token_len) :
		bp_paseto_v4_sign_checked_key(sk, sizeof(sk), m, m_len, f, f_len, implicit, i_len,
									  scratch, pae_len, token, cap, &token_len);
	FUZZ_ASSERT(st == BP_PASETO_OK && token_len == cap);
	/* one byte short of either buffer */
	FUZZ_ASSERT(bp_paseto_v4_sign_checked_key(sk, sizeof(sk), m, m_len, f, f_len, implicit, i_len,
											  scratch, pae_len - 1, token, cap, &token_len) ==
				BP_PASETO_BUFFER_TOO_SMALL && token_len == 0);
	FUZZ_ASSERT(bp_paseto_v4_sign_checked_key(sk, sizeof(sk), m, m_len, f, f_len, implicit, i_len,
											  scratch, pae_len, token, cap - 1, &token_len) ==
				BP_PASETO_BUFFER_TOO_SMALL && token_len == 0);
	token_len = cap;

	{
		size_t		scratch_cap = bp_paseto_v4_verify_scratch_len(token_len, i_len);
		size_t		payload_cap = bp_paseto_v4_payload_max_len(token_len);
		size_t		footer_cap = bp_paseto_footer_max_len(token_len);
		uint8_t    *footer = fuzz_malloc(footer_cap);
		uint8_t    *payload = NULL;
		size_t		got_m = 0;
		size_t		got_f = 0;
		size_t		ignored;

		FUZZ_ASSERT(verify_exact(token, token_len, f_len ? f : NULL, f_len, implicit, i_len,
								 scratch_cap, payload_cap, &payload, &got_m) == BP_PASETO_OK);
		FUZZ_ASSERT(got_m == m_len && (m_len == 0 || memcmp(payload, m, m_len) == 0));
		FUZZ_ASSERT(bp_paseto_footer(token, token_len, footer, footer_cap, &got_f) == BP_PASETO_OK);
		FUZZ_ASSERT(got_f == f_len && (f_len == 0 || memcmp(footer, f, f_len) == 0));
		/* another implicit assertion */
		{
			uint8_t    *other = fuzz_malloc(i_len + 1);

			if (i_len > 0)
				memcpy(other, implicit, i_len);
			other[i_len] = mode;
			FUZZ_ASSERT(verify_exact(token, token_len, NULL, 0, other, i_len + 1,
									 scratch_cap + 1, payload_cap, NULL, &ignored) ==
						BP_PASETO_BAD_SIGNATURE);
			free(other);
		}
		/* another expected footer */
		{
			uint8_t    *other = fuzz_malloc(f_len + 1);

			if (f_len > 0)
				memcpy(other, f, f_len);
			other[f_len] = 'x';
			FUZZ_ASSERT(verify_exact(token, token_len, other, f_len + 1, implicit, i_len,
									 scratch_cap, payload_cap, NULL, &ignored) ==
						BP_PASETO_FOOTER_MISMATCH);
			free(other);
		}
		/* one character of the body changed */
		{
			size_t		at = BP_PASETO_HEADER_LEN + (size_t) mode % (token_len - BP_PASETO_HEADER_LEN);
			char		c = token[at];

			token[at] = c == 'A' ? 'B' : 'A';
			FUZZ_ASSERT(verify_exact(token, token_len, NULL, 0, implicit, i_len,
									 scratch_cap, payload_cap, NULL, &ignored) != BP_PASETO_OK);
			token[at] = c;
		}
		free(payload);
		free(footer);
	}
	free(token);
	free(scratch);
	free(implicit);
	free(f);
	free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0)
		fuzz_verify(data + 1, size - 1);
	else
		fuzz_sign(data[0], data + 1, size - 1);
	return 0;
}
