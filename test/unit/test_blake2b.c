/*
 * test_blake2b.c — BLAKE2b against RFC 7693's vector and libsodium, and the
 * rollout bucket's properties.
 */
#include <sodium.h>
#include <stdlib.h>

#include "blake2b.h"
#include "rollout.h"
#include "unit.h"

static void
hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

int
main(void)
{
	uint8_t		out[64];
	char		text[129];
	uint8_t		msg[1000];
	uint8_t		key[64];

	if (sodium_init() < 0)
		return 1;

	/* RFC 7693 Appendix A: BLAKE2b-512("abc"). */
	CHECK(bp_blake2b(out, 64, (const uint8_t *) "abc", 3, NULL, 0));
	hex(out, 64, text);
	CHECK_STR_EQ(text, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
				 "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");

	/* Against libsodium for every length it supports, keyed and not, many sizes
	 * (including 0, block boundaries 127/128/129, 256). */
	randombytes_buf(msg, sizeof(msg));
	randombytes_buf(key, sizeof(key));
	{
		static const size_t sizes[] = {0, 1, 3, 64, 127, 128, 129, 255, 256, 257, 999, 1000};
		int			mismatches = 0;
		int			cases = 0;

		for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
			for (size_t outlen = crypto_generichash_BYTES_MIN; outlen <= crypto_generichash_BYTES_MAX; outlen += 8)
				for (size_t keylen = 0; keylen <= 64; keylen += 16)
				{
					uint8_t		a[64];
					uint8_t		b[64];

					bp_blake2b(a, outlen, msg, sizes[si], keylen ? key : NULL, keylen);
					crypto_generichash(b, outlen, msg, sizes[si], keylen ? key : NULL, keylen);
					mismatches += memcmp(a, b, outlen) != 0;
					cases++;
				}
		CHECK_MSG(mismatches == 0, "%d of %d cases differ from libsodium", mismatches, cases);
		CHECK(cases > 200);
	}

	/* Incremental updates in odd pieces give the one-shot digest. */
	{
		bp_blake2b_state s;
		uint8_t		a[32];
		uint8_t		b[32];

		bp_blake2b(a, 32, msg, sizeof(msg), key, 32);
		CHECK(bp_blake2b_init(&s, 32, key, 32));
		for (size_t off = 0; off < sizeof(msg);)
		{
			size_t		n = (off * 7 + 13) % 150;

			if (n > sizeof(msg) - off)
				n = sizeof(msg) - off;
			bp_blake2b_update(&s, msg + off, n);
			off += n;
		}
		bp_blake2b_final(&s, b);
		CHECK(memcmp(a, b, 32) == 0);
	}

	/* Digest length is a parameter: BLAKE2b-8 is not BLAKE2b-16 truncated. */
	{
		uint8_t		a[16];
		uint8_t		b[8];

		bp_blake2b(a, 16, msg, 10, key, 32);
		bp_blake2b(b, 8, msg, 10, key, 32);
		CHECK(memcmp(a, b, 8) != 0);
	}

	/* Bad lengths. */
	CHECK(!bp_blake2b(out, 0, msg, 1, NULL, 0));
	CHECK(!bp_blake2b(out, 65, msg, 1, NULL, 0));
	CHECK(!bp_blake2b(out, 8, msg, 1, key, 65));

	/* ---- rollout bucket ---- */
	{
		uint8_t		salt[32];
		uint32_t	bucket;
		uint32_t	again;
		uint8_t		digest[8];
		uint64_t	v = 0;
		int			counts[10] = {0};
		const char *id = "install-42";

		for (int i = 0; i < 32; i++)
			salt[i] = (uint8_t) i;
		CHECK(bp_rollout_bucket(salt, 32, (const uint8_t *) id, strlen(id), &bucket));
		CHECK(bucket < BP_ROLLOUT_BUCKETS);
		CHECK(bp_rollout_bucket(salt, 32, (const uint8_t *) id, strlen(id), &again));
		CHECK_INT_EQ(again, bucket);
		/* The definition, spelled out. */
		bp_blake2b(digest, 8, (const uint8_t *) id, strlen(id), salt, 32);
		for (int i = 7; i >= 0; i--)
			v = (v << 8) | digest[i];
		CHECK_INT_EQ(bucket, v % 10000);
		/* Fixed values, computed independently with Python's hashlib.blake2b(digest_size=8,
		 * key=salt), so buckets never change across versions of this code. */
		CHECK_INT_EQ(bucket, 8136);

		{
			static const struct
			{
				const char *id;
				uint32_t	bucket;
				const char *digest;
			}			v16[] = {
				{"", 6955, "3bc453b79112d82d"},
				{"tenant_acme", 3633, "416535ae4c7a24fb"},
				{"\xc3\xbc" "n" "\xc3\xaf" "code-" "\xc3\xaf" "d", 8297, "b9ea34acd98c0115"},
			};

			for (size_t i = 0; i < sizeof(v16) / sizeof(v16[0]); i++)
			{
				uint8_t		d[8];
				char		dh[17];

				CHECK(bp_rollout_bucket(salt, 16, (const uint8_t *) v16[i].id, strlen(v16[i].id), &bucket));
				CHECK_INT_EQ(bucket, v16[i].bucket);
				bp_blake2b(d, 8, (const uint8_t *) v16[i].id, strlen(v16[i].id), salt, 16);
				hex(d, 8, dh);
				CHECK_STR_EQ(dh, v16[i].digest);
			}
		}
		CHECK(!bp_rollout_bucket(salt, 15, (const uint8_t *) id, strlen(id), &bucket));
		CHECK(!bp_rollout_bucket(salt, 65, (const uint8_t *) id, strlen(id), &bucket));
		CHECK(bp_rollout_bucket(salt, 16, (const uint8_t *) "", 0, &bucket));

		/* Roughly uniform: 100000 ids over ten deciles, each within 3% of 10000. */
		for (int i = 0; i < 100000; i++)
		{
			char		buf[32];
			int			n = snprintf(buf, sizeof(buf), "install-%d", i);

			bp_rollout_bucket(salt, 32, (const uint8_t *) buf, (size_t) n, &bucket);
			counts[bucket / 1000]++;
		}
		for (int d = 0; d < 10; d++)
			CHECK_MSG(counts[d] > 9700 && counts[d] < 10300, "decile %d has %d of 100000", d, counts[d]);
	}

	return unit_summary("blake2b");
}
