/*
 * test_paserk.c — k4.public, k4.secret and k4.pid against the official
 * vectors, plus strict decoding.
 *
 * Run from the repository root: the vectors are read from VECTOR_DIR.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "json_mini.h"
#include "paserk.h"
#include "unit.h"

#define VECTOR_DIR "test/unit/vectors/paseto"

static bool
load(const char *file, jm_value *root)
{
	char		path[256];
	bool		ok;

	snprintf(path, sizeof(path), "%s/%s", VECTOR_DIR, file);
	ok = jm_parse_file(path, root) && jm_get(root, "tests") != NULL &&
		jm_get(root, "tests")->type == JM_ARRAY;
	CHECK_MSG(ok, "cannot load vectors from %s (run from the repository root)", path);
	return ok;
}

typedef enum kind
{
	KIND_PUBLIC,
	KIND_SECRET,
	KIND_PID
} kind;

static bp_paserk_status
encode(kind k, const uint8_t *key, size_t len, char *out, size_t cap, size_t *n)
{
	switch (k)
	{
		case KIND_PUBLIC:
			return bp_paserk_k4_public_encode(key, len, out, cap, n);
		case KIND_SECRET:
			return bp_paserk_k4_secret_encode(key, len, out, cap, n);
		case KIND_PID:
			break;
	}
	return bp_paserk_k4_pid(key, len, out, cap, n);
}

/* Run one vector file; returns how many vectors it held. */
static int
run_file(const char *file, kind k, int *n_fail)
{
	jm_value	root;
	const jm_value *tests;
	size_t		i;
	int			count = 0;

	*n_fail = 0;
	if (!load(file, &root))
		return 0;
	tests = jm_get(&root, "tests");
	for (i = 0; i < tests->count; i++)
	{
		const jm_value *t = &tests->items[i];
		const char *name = jm_str(t, "name");
		const char *keyhex = jm_str(t, "key");
		const char *paserk = jm_str(t, "paserk");
		int			expect_fail = jm_bool(t, "expect-fail");
		uint8_t		key[256];
		uint8_t		back[64];
		char		out[128];
		size_t		n = 0;
		long		key_len;
		bp_paserk_status st;

		count++;
		if (name == NULL || keyhex == NULL || expect_fail < 0)
		{
			CHECK_MSG(false, "%s: vector %zu lacks fields", file, i);
			continue;
		}
		key_len = jm_hex_decode(keyhex, key, sizeof(key));
		CHECK_MSG(key_len >= 0, "%s: bad hex key", name);
		if (key_len < 0)
			continue;

		st = encode(k, key, (size_t) key_len, out, sizeof(out) - 1, &n);
		out[n] = '\0';
		if (expect_fail)
		{
			(*n_fail)++;
			CHECK_MSG(st != BP_PASERK_OK, "%s: serialised but must fail", name);
			CHECK_MSG(st == BP_PASERK_BAD_KEY_LENGTH, "%s: status %s", name,
					  bp_paserk_strerror(st));
			continue;
		}
		if (paserk == NULL)
		{
			CHECK_MSG(false, "%s: no paserk", name);
			continue;
		}
		CHECK_MSG(st == BP_PASERK_OK, "%s: %s", name, bp_paserk_strerror(st));
		CHECK_MSG(strcmp(out, paserk) == 0, "%s:\n  got  %s\n  want %s", name, out, paserk);

		/* And back. */
		switch (k)
		{
			case KIND_PUBLIC:
				CHECK_INT_EQ(n, BP_PASERK_K4_PUBLIC_LEN);
				CHECK_INT_EQ(bp_paserk_k4_public_decode(paserk, strlen(paserk), back),
							 BP_PASERK_OK);
				CHECK(memcmp(back, key, 32) == 0);
				break;
			case KIND_SECRET:
				{
					uint8_t		pk[32],
								seed[32],
								derived_pk[32],
								derived_sk[64];

					CHECK_INT_EQ(n, BP_PASERK_K4_SECRET_LEN);
					CHECK_INT_EQ(bp_paserk_k4_secret_decode(paserk, strlen(paserk), back),
								 BP_PASERK_OK);
					CHECK(memcmp(back, key, 64) == 0);
					/* The vector's seed and public key match the secret key. */
					CHECK_INT_EQ(jm_hex_decode(jm_str(t, "secret-key-seed"), seed, 32), 32);
					CHECK_INT_EQ(crypto_sign_seed_keypair(derived_pk, derived_sk, seed), 0);
					CHECK(memcmp(derived_sk, key, 64) == 0);
					CHECK_INT_EQ(jm_hex_decode(jm_str(t, "public-key"), pk, 32), 32);
					CHECK(memcmp(derived_pk, pk, 32) == 0);
					break;
				}
			case KIND_PID:
				CHECK_INT_EQ(n, BP_PASERK_K4_PID_LEN);
				CHECK_INT_EQ(bp_paserk_k4_pid_decode(paserk, strlen(paserk), back),
							 BP_PASERK_OK);
				break;
		}
	}
	jm_free(&root);
	return count;
}

static void
test_vectors(void)
{
	int			n_fail;

	/* A truncated or replaced vector file must not pass silently. */
	CHECK_INT_EQ(run_file("k4.public.json", KIND_PUBLIC, &n_fail), 4);
	CHECK_INT_EQ(n_fail, 1);
	CHECK_INT_EQ(run_file("k4.secret.json", KIND_SECRET, &n_fail), 5);
	CHECK_INT_EQ(n_fail, 2);
	CHECK_INT_EQ(run_file("k4.pid.json", KIND_PID, &n_fail), 5);
	CHECK_INT_EQ(n_fail, 2);
}

static bp_paserk_status
pub_dec(const char *s)
{
	uint8_t		pk[32];

	return bp_paserk_k4_public_decode(s, strlen(s), pk);
}

static void
test_decode_strict(void)
{
	const char *good = "k4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8";
	uint8_t		sk[64],
				pk[32],
				back[64];
	char		text[128];
	size_t		n;

	CHECK_INT_EQ(pub_dec(good), BP_PASERK_OK);
	CHECK_INT_EQ(pub_dec("k3.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8"),
				 BP_PASERK_WRONG_VERSION);
	CHECK_INT_EQ(pub_dec("k4.secret.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8"),
				 BP_PASERK_WRONG_TYPE);
	CHECK_INT_EQ(pub_dec("k4.local-wrap.cHFy"), BP_PASERK_WRONG_TYPE);
	CHECK_INT_EQ(pub_dec("v4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8"),
				 BP_PASERK_NOT_PASERK);
	CHECK_INT_EQ(pub_dec(""), BP_PASERK_NOT_PASERK);
	CHECK_INT_EQ(pub_dec("k4.public"), BP_PASERK_NOT_PASERK);
	CHECK_INT_EQ(pub_dec("k4.public."), BP_PASERK_BAD_DATA_LENGTH);
	/* One character short, one group long. */
	CHECK_INT_EQ(pub_dec("k4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo"),
				 BP_PASERK_BAD_DATA_LENGTH);
	CHECK_INT_EQ(pub_dec("k4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8AAAA"),
				 BP_PASERK_BAD_DATA_LENGTH);
	CHECK_INT_EQ(pub_dec("k4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8="),
				 BP_PASERK_BAD_BASE64);
	CHECK_INT_EQ(pub_dec("k4.public.cHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo8"),
				 BP_PASERK_BAD_BASE64);
	CHECK_INT_EQ(pub_dec("k4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8 "),
				 BP_PASERK_BAD_BASE64);
	/* '8' -> '9' sets an unused low bit. */
	CHECK_INT_EQ(pub_dec("k4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo9"),
				 BP_PASERK_NONCANONICAL_BASE64);
	CHECK_INT_EQ(bp_paserk_k4_public_decode(good, strlen(good) - 1, pk),
				 BP_PASERK_BAD_DATA_LENGTH);

	/* pid text checks, e.g. for a kid from a footer. */
	CHECK_INT_EQ(bp_paserk_k4_pid_decode("k4.pid.S_XQmeEwHbbvRmiyfXfHYpLGjXGzjTRSDoT1YtTakWFE",
										 51, NULL), BP_PASERK_OK);
	CHECK_INT_EQ(bp_paserk_k4_pid_decode("k4.pid.S_XQmeEwHbbvRmiyfXfHYpLGjXGzjTRSDoT1YtTakWF",
										 50, NULL), BP_PASERK_BAD_DATA_LENGTH);
	CHECK_INT_EQ(bp_paserk_k4_pid_decode("k4.lid.S_XQmeEwHbbvRmiyfXfHYpLGjXGzjTRSDoT1YtTakWFE",
										 51, NULL), BP_PASERK_WRONG_TYPE);
	CHECK_INT_EQ(bp_paserk_k4_pid_decode(good, strlen(good), NULL), BP_PASERK_WRONG_TYPE);

	/* pid of the k4.public vector key equals the k4.pid vector. */
	CHECK_INT_EQ(bp_paserk_k4_public_decode(good, strlen(good), pk), BP_PASERK_OK);
	CHECK_INT_EQ(bp_paserk_k4_pid(pk, 32, text, sizeof(text), &n), BP_PASERK_OK);
	CHECK(n == 51 && memcmp(text, "k4.pid.9ShR3xc8-qVJ_di0tc9nx0IDIqbatdeM2mqLFBJsKRHs", 51) == 0);
	CHECK_INT_EQ(bp_paserk_k4_pid(pk, 32, text, 50, &n), BP_PASERK_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(bp_paserk_k4_public_encode(pk, 32, text, 52, &n), BP_PASERK_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(bp_paserk_k4_public_encode(NULL, 32, text, sizeof(text), &n),
				 BP_PASERK_BAD_ARGUMENT);

	/* Secret keys: mismatched halves refused both ways, and wiped. */
	crypto_sign_keypair(pk, sk);
	CHECK_INT_EQ(bp_paserk_k4_secret_encode(sk, 64, text, sizeof(text), &n), BP_PASERK_OK);
	CHECK_INT_EQ(n, BP_PASERK_K4_SECRET_LEN);
	CHECK_INT_EQ(bp_paserk_k4_secret_decode(text, n, back), BP_PASERK_OK);
	CHECK(memcmp(back, sk, 64) == 0);
	text[20] = text[20] == 'A' ? 'B' : 'A';
	CHECK_INT_EQ(bp_paserk_k4_secret_decode(text, n, back), BP_PASERK_KEY_MISMATCH);
	CHECK(sodium_is_zero(back, 64));
	CHECK_INT_EQ(bp_paserk_k4_secret_decode(text, n - 1, back), BP_PASERK_BAD_DATA_LENGTH);
	CHECK_INT_EQ(bp_paserk_k4_secret_decode(good, strlen(good), back), BP_PASERK_WRONG_TYPE);
	sk[63] ^= 0x80;
	CHECK_INT_EQ(bp_paserk_k4_secret_encode(sk, 64, text, sizeof(text), &n),
				 BP_PASERK_KEY_MISMATCH);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(text, sizeof(text));
}

static void
test_strerror(void)
{
	int			s,
				t;

	for (s = BP_PASERK_OK; s <= BP_PASERK_BAD_DATA_LENGTH; s++)
	{
		const char *msg = bp_paserk_strerror((bp_paserk_status) s);

		CHECK_MSG(msg[0] >= 'A' && msg[0] <= 'Z' && msg[strlen(msg) - 1] == '.',
				  "strerror(%d) = \"%s\"", s, msg);
		for (t = BP_PASERK_OK; t < s; t++)
			CHECK_MSG(strcmp(msg, bp_paserk_strerror((bp_paserk_status) t)) != 0,
					  "strerror(%d) == strerror(%d)", s, t);
	}
}

int
main(void)
{
	if (sodium_init() < 0)
	{
		fprintf(stderr, "sodium_init failed\n");
		return 1;
	}
	test_vectors();
	test_decode_strict();
	test_strerror();
	return unit_summary("paserk");
}
