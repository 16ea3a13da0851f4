/*
 * base64url.c — strict, unpadded RFC 4648 §5 base64url.
 *
 * The character mapping is branch-free arithmetic rather than a table so
 * that encoding or decoding secret keys does not index memory by secret
 * values.  Rejecting invalid input does branch: the error itself is visible.
 */
#include "base64url.h"

/*
 * Byte-wide masks for operands below 256: 0xFF when the relation holds,
 * 0 otherwise.
 */
static inline unsigned int
ct_lt(unsigned int x, unsigned int y)
{
	return ((x - y) >> 8) & 0xFF;
}

static inline unsigned int
ct_ge(unsigned int x, unsigned int y)
{
	return ct_lt(x, y) ^ 0xFF;
}

static inline unsigned int
ct_eq(unsigned int x, unsigned int y)
{
	return (((0U - (x ^ y)) >> 8) & 0xFF) ^ 0xFF;
}

/* 6-bit value to its alphabet character. */
static inline char
b64_char(unsigned int v)
{
	unsigned int c;

	c = (ct_lt(v, 26) & (v + 'A')) |
		(ct_ge(v, 26) & ct_lt(v, 52) & (v + ('a' - 26))) |
		(ct_ge(v, 52) & ct_lt(v, 62) & (v - (52 - '0'))) |
		(ct_eq(v, 62) & '-') |
		(ct_eq(v, 63) & '_');
	return (char) c;
}

/* Alphabet character to its 6-bit value, or 0xFF when not in the alphabet. */
static inline unsigned int
b64_value(unsigned char c)
{
	unsigned int v;
	unsigned int valid;

	valid = (ct_ge(c, 'A') & ct_lt(c, 'Z' + 1)) |
		(ct_ge(c, 'a') & ct_lt(c, 'z' + 1)) |
		(ct_ge(c, '0') & ct_lt(c, '9' + 1)) |
		ct_eq(c, '-') | ct_eq(c, '_');
	v = (ct_ge(c, 'A') & ct_lt(c, 'Z' + 1) & (c - 'A')) |
		(ct_ge(c, 'a') & ct_lt(c, 'z' + 1) & (c - ('a' - 26))) |
		(ct_ge(c, '0') & ct_lt(c, '9' + 1) & (c + (52 - '0'))) |
		(ct_eq(c, '-') & 62) |
		(ct_eq(c, '_') & 63);
	return v | (valid ^ 0xFF);
}

size_t
bp_b64url_encoded_len(size_t n)
{
	size_t		groups = n / 3;
	size_t		rem = n % 3;

	if (groups > (SIZE_MAX - 3) / 4)
		return SIZE_MAX;
	return groups * 4 + (rem ? rem + 1 : 0);
}

size_t
bp_b64url_decoded_len(size_t n)
{
	size_t		rem = n % 4;

	/* A remainder of 1 is invalid; decoding rejects it before writing. */
	return (n / 4) * 3 + (rem >= 2 ? rem - 1 : 0);
}

bp_b64url_status
bp_b64url_encode(const uint8_t *in, size_t n, char *out, size_t cap,
				 size_t *out_len)
{
	size_t		need = bp_b64url_encoded_len(n);
	size_t		i;
	size_t		o = 0;

	if (out_len)
		*out_len = 0;
	if (need == SIZE_MAX)
		return BP_B64URL_TOO_LARGE;
	if (need > cap)
		return BP_B64URL_BUFFER_TOO_SMALL;

	for (i = 0; i + 3 <= n; i += 3)
	{
		uint32_t	w = ((uint32_t) in[i] << 16) |
			((uint32_t) in[i + 1] << 8) | in[i + 2];

		out[o++] = b64_char((w >> 18) & 63);
		out[o++] = b64_char((w >> 12) & 63);
		out[o++] = b64_char((w >> 6) & 63);
		out[o++] = b64_char(w & 63);
	}
	if (n - i == 1)
	{
		uint32_t	w = (uint32_t) in[i] << 16;

		out[o++] = b64_char((w >> 18) & 63);
		out[o++] = b64_char((w >> 12) & 63);
	}
	else if (n - i == 2)
	{
		uint32_t	w = ((uint32_t) in[i] << 16) | ((uint32_t) in[i + 1] << 8);

		out[o++] = b64_char((w >> 18) & 63);
		out[o++] = b64_char((w >> 12) & 63);
		out[o++] = b64_char((w >> 6) & 63);
	}
	if (out_len)
		*out_len = o;
	return BP_B64URL_OK;
}

/*
 * The same mapping as a table, for text that is not secret (a token's body
 * and footer, a JWT): indexing memory by it reveals nothing, and tokens are
 * decoded several times per request.
 */
static const uint8_t public_values[256] = {
#define X 0xFF
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, 62, X, X,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, 63,
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
#undef X
};

static inline unsigned int
public_value(unsigned char c)
{
	return public_values[c];
}

static inline bp_b64url_status
decode_with(unsigned int (*value) (unsigned char), const char *in, size_t n,
			uint8_t *out, size_t cap, size_t *out_len)
{
	size_t		rem = n % 4;
	size_t		full = n - rem;
	size_t		need = bp_b64url_decoded_len(n);
	size_t		i;
	size_t		o = 0;
	uint32_t	w;
	unsigned int bad = 0;

	if (out_len)
		*out_len = 0;
	/* Report padding as such, even when it also makes the length odd. */
	if (n > 0 && in[n - 1] == '=')
		return BP_B64URL_PADDING;
	if (rem == 1)
		return BP_B64URL_BAD_LENGTH;

	/* Validate everything before writing anything. */
	for (i = 0; i < n; i++)
	{
		if (in[i] == '=')
			return BP_B64URL_PADDING;
		bad |= value((unsigned char) in[i]) >> 6;
	}
	if (bad)
		return BP_B64URL_BAD_CHAR;
	/* One trailing byte uses 8 of 12 bits, two use 16 of 18: rest must be 0. */
	if ((rem == 2 && (value((unsigned char) in[n - 1]) & 0x0F) != 0) ||
		(rem == 3 && (value((unsigned char) in[n - 1]) & 0x03) != 0))
		return BP_B64URL_NONCANONICAL;

	if (out == NULL)
	{
		if (out_len)
			*out_len = need;
		return BP_B64URL_OK;
	}
	if (need > cap)
		return BP_B64URL_BUFFER_TOO_SMALL;

	for (i = 0; i < full; i += 4)
	{
		w = (value((unsigned char) in[i]) << 18) |
			(value((unsigned char) in[i + 1]) << 12) |
			(value((unsigned char) in[i + 2]) << 6) |
			value((unsigned char) in[i + 3]);
		out[o++] = (uint8_t) (w >> 16);
		out[o++] = (uint8_t) (w >> 8);
		out[o++] = (uint8_t) w;
	}
	if (rem >= 2)
	{
		w = (value((unsigned char) in[i]) << 18) |
			(value((unsigned char) in[i + 1]) << 12);
		if (rem == 3)
			w |= value((unsigned char) in[i + 2]) << 6;
		out[o++] = (uint8_t) (w >> 16);
		if (rem == 3)
			out[o++] = (uint8_t) (w >> 8);
	}
	if (out_len)
		*out_len = o;
	return BP_B64URL_OK;
}

bp_b64url_status
bp_b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap,
				 size_t *out_len)
{
	return decode_with(b64_value, in, n, out, cap, out_len);
}

bp_b64url_status
bp_b64url_decode_public(const char *in, size_t n, uint8_t *out, size_t cap,
						size_t *out_len)
{
	return decode_with(public_value, in, n, out, cap, out_len);
}

const char *
bp_b64url_strerror(bp_b64url_status status)
{
	switch (status)
	{
		case BP_B64URL_OK:
			return "No error.";
		case BP_B64URL_BUFFER_TOO_SMALL:
			return "The output buffer is too small.";
		case BP_B64URL_TOO_LARGE:
			return "The input is too large to encode.";
		case BP_B64URL_BAD_LENGTH:
			return "The base64url text has an impossible length.";
		case BP_B64URL_PADDING:
			return "The base64url text contains padding, which is not allowed.";
		case BP_B64URL_BAD_CHAR:
			return "The base64url text contains a character outside the alphabet.";
		case BP_B64URL_NONCANONICAL:
			return "The base64url text is not in canonical form.";
	}
	return "Unknown base64url error.";
}
