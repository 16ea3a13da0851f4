/*
 * paserk.c — k4.public, k4.secret and k4.pid PASERKs.
 */
#include "paserk.h"

#include <string.h>

#include <sodium.h>

#include "base64url.h"
#include "paseto.h"

#define K4_PUBLIC_PREFIX "k4.public."
#define K4_SECRET_PREFIX "k4.secret."
#define K4_PID_PREFIX "k4.pid."

static bp_paserk_status
from_b64(bp_b64url_status s)
{
	switch (s)
	{
		case BP_B64URL_OK:
			return BP_PASERK_OK;
		case BP_B64URL_BUFFER_TOO_SMALL:
		case BP_B64URL_TOO_LARGE:
			return BP_PASERK_BAD_DATA_LENGTH;
		case BP_B64URL_NONCANONICAL:
			return BP_PASERK_NONCANONICAL_BASE64;
		case BP_B64URL_BAD_LENGTH:
		case BP_B64URL_PADDING:
		case BP_B64URL_BAD_CHAR:
			break;
	}
	return BP_PASERK_BAD_BASE64;
}

/*
 * Check that in starts with prefix; if not, tell apart "not a PASERK",
 * "another version" and "k4 but another type" so errors are actionable.
 */
static bp_paserk_status
check_prefix(const char *in, size_t len, const char *prefix)
{
	size_t		plen = strlen(prefix);
	size_t		p = 1;
	size_t		v_end;
	size_t		type;

	if (in == NULL)
		return BP_PASERK_BAD_ARGUMENT;
	if (len >= plen && memcmp(in, prefix, plen) == 0)
		return BP_PASERK_OK;

	if (len < 1 || in[0] != 'k')
		return BP_PASERK_NOT_PASERK;
	while (p < len && in[p] >= '0' && in[p] <= '9')
		p++;
	if (p == 1 || p >= len || in[p] != '.')
		return BP_PASERK_NOT_PASERK;
	v_end = p++;
	type = p;
	while (p < len && ((in[p] >= 'a' && in[p] <= 'z') || in[p] == '-'))
		p++;
	if (p == type || p >= len || in[p] != '.')
		return BP_PASERK_NOT_PASERK;
	if (v_end != 2 || in[1] != '4')
		return BP_PASERK_WRONG_VERSION;
	return BP_PASERK_WRONG_TYPE;
}

/* prefix ‖ b64url(data) into out; lengths are fixed by the callers. */
static bp_paserk_status
encode_with_prefix(const char *prefix, const uint8_t *data, size_t n,
				   char *out, size_t cap, size_t *out_len)
{
	size_t		plen = strlen(prefix);
	size_t		need = plen + bp_b64url_encoded_len(n);
	size_t		written;

	if (out == NULL)
		return BP_PASERK_BAD_ARGUMENT;
	if (cap < need)
		return BP_PASERK_BUFFER_TOO_SMALL;
	memcpy(out, prefix, plen);
	bp_b64url_encode(data, n, out + plen, cap - plen, &written);
	if (out_len)
		*out_len = plen + written;
	return BP_PASERK_OK;
}

/* Decode exactly n bytes after prefix; out is untouched on error. */
static bp_paserk_status
decode_with_prefix(const char *prefix, const char *in, size_t len,
				   uint8_t *out, size_t n)
{
	size_t		plen = strlen(prefix);
	bp_paserk_status st;
	bp_b64url_status b64;
	size_t		got;

	st = check_prefix(in, len, prefix);
	if (st != BP_PASERK_OK)
		return st;
	/*
	 * Bad characters and padding are reported as such; otherwise a text of
	 * the wrong length is a length error, whatever its last character.
	 */
	b64 = bp_b64url_decode(in + plen, len - plen, NULL, 0, &got);
	if (b64 != BP_B64URL_BAD_CHAR && b64 != BP_B64URL_PADDING &&
		len - plen != bp_b64url_encoded_len(n))
		return BP_PASERK_BAD_DATA_LENGTH;
	st = from_b64(b64);
	if (st != BP_PASERK_OK)
		return st;
	if (out == NULL)
		return BP_PASERK_OK;
	return from_b64(bp_b64url_decode(in + plen, len - plen, out, n, NULL));
}

bp_paserk_status
bp_paserk_k4_public_encode(const uint8_t *pk, size_t pk_len,
						   char *out, size_t cap, size_t *out_len)
{
	if (out_len)
		*out_len = 0;
	if (pk == NULL)
		return BP_PASERK_BAD_ARGUMENT;
	if (pk_len != BP_PASERK_K4_PUBLIC_KEY_BYTES)
		return BP_PASERK_BAD_KEY_LENGTH;
	return encode_with_prefix(K4_PUBLIC_PREFIX, pk, pk_len, out, cap, out_len);
}

bp_paserk_status
bp_paserk_k4_public_decode(const char *in, size_t len,
						   uint8_t pk[BP_PASERK_K4_PUBLIC_KEY_BYTES])
{
	if (pk == NULL)
		return BP_PASERK_BAD_ARGUMENT;
	return decode_with_prefix(K4_PUBLIC_PREFIX, in, len, pk,
							  BP_PASERK_K4_PUBLIC_KEY_BYTES);
}

bp_paserk_status
bp_paserk_k4_secret_encode(const uint8_t *sk, size_t sk_len,
						   char *out, size_t cap, size_t *out_len)
{
	if (out_len)
		*out_len = 0;
	if (sk == NULL)
		return BP_PASERK_BAD_ARGUMENT;
	if (sk_len != BP_PASERK_K4_SECRET_KEY_BYTES)
		return BP_PASERK_BAD_KEY_LENGTH;
	if (!bp_ed25519_secret_key_consistent(sk))
		return BP_PASERK_KEY_MISMATCH;
	return encode_with_prefix(K4_SECRET_PREFIX, sk, sk_len, out, cap, out_len);
}

bp_paserk_status
bp_paserk_k4_secret_decode(const char *in, size_t len,
						   uint8_t sk[BP_PASERK_K4_SECRET_KEY_BYTES])
{
	bp_paserk_status st;

	if (sk == NULL)
		return BP_PASERK_BAD_ARGUMENT;
	st = decode_with_prefix(K4_SECRET_PREFIX, in, len, sk,
							BP_PASERK_K4_SECRET_KEY_BYTES);
	if (st == BP_PASERK_OK && !bp_ed25519_secret_key_consistent(sk))
		st = BP_PASERK_KEY_MISMATCH;
	if (st != BP_PASERK_OK)
		sodium_memzero(sk, BP_PASERK_K4_SECRET_KEY_BYTES);
	return st;
}

bp_paserk_status
bp_paserk_k4_pid(const uint8_t *pk, size_t pk_len,
				 char *out, size_t cap, size_t *out_len)
{
	/* BLAKE2b input: "k4.pid." ‖ "k4.public." ‖ b64url(pk) */
	char		msg[sizeof(K4_PID_PREFIX) - 1 + BP_PASERK_K4_PUBLIC_LEN];
	uint8_t		id[BP_PASERK_K4_PID_BYTES];
	size_t		plen = sizeof(K4_PID_PREFIX) - 1;
	bp_paserk_status st;

	if (out_len)
		*out_len = 0;
	if (out == NULL)
		return BP_PASERK_BAD_ARGUMENT;
	if (cap < BP_PASERK_K4_PID_LEN)
		return BP_PASERK_BUFFER_TOO_SMALL;
	memcpy(msg, K4_PID_PREFIX, plen);
	st = bp_paserk_k4_public_encode(pk, pk_len, msg + plen,
									sizeof(msg) - plen, NULL);
	if (st != BP_PASERK_OK)
		return st;
	if (crypto_generichash(id, sizeof(id), (const unsigned char *) msg,
						   sizeof(msg), NULL, 0) != 0)
		return BP_PASERK_BAD_ARGUMENT;
	return encode_with_prefix(K4_PID_PREFIX, id, sizeof(id), out, cap, out_len);
}

bp_paserk_status
bp_paserk_k4_pid_decode(const char *in, size_t len,
						uint8_t id[BP_PASERK_K4_PID_BYTES])
{
	return decode_with_prefix(K4_PID_PREFIX, in, len, id,
							  BP_PASERK_K4_PID_BYTES);
}

const char *
bp_paserk_strerror(bp_paserk_status status)
{
	switch (status)
	{
		case BP_PASERK_OK:
			return "No error.";
		case BP_PASERK_BAD_ARGUMENT:
			return "A required argument is missing.";
		case BP_PASERK_BAD_KEY_LENGTH:
			return "The key has the wrong length.";
		case BP_PASERK_KEY_MISMATCH:
			return "The secret key's public half does not match its seed.";
		case BP_PASERK_BUFFER_TOO_SMALL:
			return "The output buffer is too small.";
		case BP_PASERK_NOT_PASERK:
			return "The text is not a PASERK.";
		case BP_PASERK_WRONG_VERSION:
			return "The PASERK is not version k4.";
		case BP_PASERK_WRONG_TYPE:
			return "The PASERK has the wrong type.";
		case BP_PASERK_BAD_BASE64:
			return "The PASERK data is not valid base64url.";
		case BP_PASERK_NONCANONICAL_BASE64:
			return "The PASERK data is not canonical base64url.";
		case BP_PASERK_BAD_DATA_LENGTH:
			return "The PASERK data has the wrong length.";
	}
	return "Unknown PASERK error.";
}
