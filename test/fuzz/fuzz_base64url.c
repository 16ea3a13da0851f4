/*
 * fuzz_base64url.c — bp_b64url_decode and bp_b64url_encode.
 *
 * Properties:
 *   - decode agrees with a plain table-driven reference decoder (strict:
 *     no padding, alphabet only, no length % 4 == 1, unused bits zero) on
 *     acceptance and on the bytes;
 *   - every accepted text is canonical: encode(decode(s)) == s;
 *   - validate-only decoding (out NULL) gives the same status and length;
 *   - decoded_len / encoded_len are exact, and an output one byte short is
 *     BUFFER_TOO_SMALL with the buffer untouched (on error nothing is
 *     written);
 *   - encode then decode gives the input bytes back;
 *   - the table decoder for public text gives the same status and bytes.
 * Buffers are heap blocks of exactly the claimed size.
 */
#include <stdint.h>
#include <string.h>

#include "base64url.h"
#include "fuzz.h"

static int
ref_value(unsigned char c)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int) (p - alphabet) : -1;
}

/* Reference: true and the bytes when s is strict unpadded base64url. */
static bool
ref_decode(const char *s, size_t n, uint8_t *out, size_t *out_len)
{
	uint32_t	acc = 0;
	int			bits = 0;
	size_t		o = 0;

	if (n % 4 == 1)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		int			v = ref_value((unsigned char) s[i]);

		if (v < 0)
			return false;
		acc = (acc << 6) | (uint32_t) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			out[o++] = (uint8_t) (acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)				/* leftover bits must be zero */
		return false;
	*out_len = o;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = fuzz_dup(data, size);
	size_t		need = bp_b64url_decoded_len(size);
	uint8_t    *out = fuzz_malloc(need);
	uint8_t    *ref = fuzz_malloc(need + 1);
	size_t		out_len = 12345;
	size_t		check_len = 12345;
	size_t		ref_len = 0;
	bp_b64url_status st;
	bp_b64url_status check;
	bool		ref_ok;

	/* decode */
	st = bp_b64url_decode(text, size, out, need, &out_len);
	check = bp_b64url_decode(text, size, NULL, 0, &check_len);
	ref_ok = ref_decode(text, size, ref, &ref_len);
	FUZZ_ASSERT(bp_b64url_strerror(st) != NULL);
	FUZZ_ASSERT(check == st);
	{
		uint8_t    *pub = fuzz_malloc(need);
		size_t		pub_len = 12345;

		FUZZ_ASSERT(bp_b64url_decode_public(text, size, pub, need, &pub_len) == st);
		FUZZ_ASSERT(pub_len == out_len && (st != BP_B64URL_OK || need == 0 || memcmp(pub, out, need) == 0));
		free(pub);
	}
	FUZZ_ASSERT_MSG((st == BP_B64URL_OK) == ref_ok, "status %s, reference %s",
					bp_b64url_strerror(st), ref_ok ? "accepts" : "rejects");
	if (st == BP_B64URL_OK)
	{
		size_t		enc_len = 0;
		char	   *enc;

		FUZZ_ASSERT(out_len == need && check_len == need && ref_len == need);
		FUZZ_ASSERT(need == 0 || memcmp(out, ref, need) == 0);
		/* canonical: the only text for these bytes */
		FUZZ_ASSERT(bp_b64url_encoded_len(need) == size);
		enc = fuzz_malloc(size);
		FUZZ_ASSERT(bp_b64url_encode(out, need, enc, size, &enc_len) == BP_B64URL_OK);
		FUZZ_ASSERT(enc_len == size && (size == 0 || memcmp(enc, text, size) == 0));
		free(enc);
		/* one byte short: refused, untouched */
		if (need > 0)
		{
			uint8_t    *small = fuzz_malloc(need - 1);

			if (need > 1)
				memset(small, 0x5A, need - 1);
			FUZZ_ASSERT(bp_b64url_decode(text, size, small, need - 1, &out_len) ==
						BP_B64URL_BUFFER_TOO_SMALL);
			FUZZ_ASSERT(out_len == 0);
			for (size_t i = 0; i + 1 < need; i++)
				FUZZ_ASSERT(small[i] == 0x5A);
			free(small);
		}
	}
	else
	{
		FUZZ_ASSERT(out_len == 0 && check_len == 0);
		FUZZ_ASSERT(st != BP_B64URL_BUFFER_TOO_SMALL && st != BP_B64URL_TOO_LARGE);
	}

	/* encode the raw bytes and decode them back */
	{
		size_t		enc_need = bp_b64url_encoded_len(size);
		char	   *enc = fuzz_malloc(enc_need);
		uint8_t    *back = fuzz_malloc(size);
		size_t		enc_len = 0;
		size_t		back_len = 0;

		FUZZ_ASSERT(bp_b64url_encode(data, size, enc, enc_need, &enc_len) == BP_B64URL_OK);
		FUZZ_ASSERT(enc_len == enc_need);
		FUZZ_ASSERT(bp_b64url_decoded_len(enc_len) == size);
		FUZZ_ASSERT(bp_b64url_decode(enc, enc_len, back, size, &back_len) == BP_B64URL_OK);
		FUZZ_ASSERT(back_len == size && (size == 0 || memcmp(back, data, size) == 0));
		if (enc_need > 0)
			FUZZ_ASSERT(bp_b64url_encode(data, size, enc, enc_need - 1, &enc_len) ==
						BP_B64URL_BUFFER_TOO_SMALL && enc_len == 0);
		free(back);
		free(enc);
	}

	free(ref);
	free(out);
	free(text);
	return 0;
}
