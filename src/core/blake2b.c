/*
 * blake2b.c — BLAKE2b as specified in RFC 7693, section 3.
 */
#include "blake2b.h"

#include <string.h>

static const uint64_t blake2b_iv[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
	0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL
};

static const uint8_t blake2b_sigma[12][16] = {
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
	{11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
	{7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
	{9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
	{2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
	{12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
	{13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
	{6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
	{10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}
};

static uint64_t
load64_le(const uint8_t *p)
{
	uint64_t	v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t
rotr64(uint64_t x, unsigned n)
{
	return (x >> n) | (x << (64 - n));
}

#define G(a, b, c, d, x, y) \
	do { \
		v[a] = v[a] + v[b] + (x); v[d] = rotr64(v[d] ^ v[a], 32); \
		v[c] = v[c] + v[d];       v[b] = rotr64(v[b] ^ v[c], 24); \
		v[a] = v[a] + v[b] + (y); v[d] = rotr64(v[d] ^ v[a], 16); \
		v[c] = v[c] + v[d];       v[b] = rotr64(v[b] ^ v[c], 63); \
	} while (0)

static void
compress(bp_blake2b_state *s, const uint8_t *block, bool last)
{
	uint64_t	m[16];
	uint64_t	v[16];

	for (int i = 0; i < 16; i++)
		m[i] = load64_le(block + 8 * i);
	for (int i = 0; i < 8; i++)
	{
		v[i] = s->h[i];
		v[i + 8] = blake2b_iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (int r = 0; r < 12; r++)
	{
		const uint8_t *sg = blake2b_sigma[r];

		G(0, 4, 8, 12, m[sg[0]], m[sg[1]]);
		G(1, 5, 9, 13, m[sg[2]], m[sg[3]]);
		G(2, 6, 10, 14, m[sg[4]], m[sg[5]]);
		G(3, 7, 11, 15, m[sg[6]], m[sg[7]]);
		G(0, 5, 10, 15, m[sg[8]], m[sg[9]]);
		G(1, 6, 11, 12, m[sg[10]], m[sg[11]]);
		G(2, 7, 8, 13, m[sg[12]], m[sg[13]]);
		G(3, 4, 9, 14, m[sg[14]], m[sg[15]]);
	}
	for (int i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
}

static void
add_counter(bp_blake2b_state *s, uint64_t n)
{
	s->t[0] += n;
	if (s->t[0] < n)
		s->t[1]++;
}

bool
bp_blake2b_init(bp_blake2b_state *s, size_t out_len, const uint8_t *key, size_t key_len)
{
	if (out_len < 1 || out_len > BP_BLAKE2B_OUT_MAX || key_len > BP_BLAKE2B_KEY_MAX ||
		(key == NULL && key_len > 0))
		return false;
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 8; i++)
		s->h[i] = blake2b_iv[i];
	/* Parameter block: digest length, key length, fanout 1, depth 1. */
	s->h[0] ^= 0x01010000ULL ^ ((uint64_t) key_len << 8) ^ (uint64_t) out_len;
	s->out_len = out_len;
	if (key_len > 0)
	{
		/* The key is the first block, zero-padded. */
		memcpy(s->buf, key, key_len);
		s->buf_len = sizeof(s->buf);
	}
	return true;
}

void
bp_blake2b_update(bp_blake2b_state *s, const uint8_t *in, size_t len)
{
	while (len > 0)
	{
		size_t		n;

		/* Compress a full buffer only when more input follows: the last block is special. */
		if (s->buf_len == sizeof(s->buf))
		{
			add_counter(s, sizeof(s->buf));
			compress(s, s->buf, false);
			s->buf_len = 0;
		}
		n = sizeof(s->buf) - s->buf_len;
		if (n > len)
			n = len;
		memcpy(s->buf + s->buf_len, in, n);
		s->buf_len += n;
		in += n;
		len -= n;
	}
}

void
bp_blake2b_final(bp_blake2b_state *s, uint8_t *out)
{
	uint8_t		full[BP_BLAKE2B_OUT_MAX];

	add_counter(s, s->buf_len);
	memset(s->buf + s->buf_len, 0, sizeof(s->buf) - s->buf_len);
	compress(s, s->buf, true);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++)
			full[8 * i + j] = (uint8_t) (s->h[i] >> (8 * j));
	memcpy(out, full, s->out_len);
	/* The state may hold key material. */
	{
		volatile uint8_t *p = (volatile uint8_t *) s;

		for (size_t i = 0; i < sizeof(*s); i++)
			p[i] = 0;
	}
}

bool
bp_blake2b(uint8_t *out, size_t out_len, const uint8_t *in, size_t in_len,
		   const uint8_t *key, size_t key_len)
{
	bp_blake2b_state s;

	if (out == NULL || (in == NULL && in_len > 0) || !bp_blake2b_init(&s, out_len, key, key_len))
		return false;
	bp_blake2b_update(&s, in, in_len);
	bp_blake2b_final(&s, out);
	return true;
}
