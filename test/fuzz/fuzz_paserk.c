/*
 * fuzz_paserk.c — PASERK k4.public, k4.secret and k4.pid parsing
 * (bp_paserk_k4_public_decode, _secret_decode, _pid_decode) and the
 * encoders they invert.
 *
 * The whole input is tried as each of the three forms.  Properties:
 *   - each text is accepted by at most one of the three decoders;
 *   - an accepted text is canonical: encoding the decoded key gives the
 *     same text (for k4.pid the 33 bytes re-encoded), with the fixed
 *     lengths of paserk.h;
 *   - a decoded public key's k4.pid is a well-formed k4.pid;
 *   - a decoded secret key is consistent, its public half encodes to a
 *     k4.public that decodes back; a rejected one leaves sk zeroed;
 *   - a text starting with the right prefix is never reported as another
 *     version or type;
 *   - on any failure the output key is untouched (public, pid) or wiped
 *     (secret).
 * bp_client_pin_key, which takes a NUL-terminated k4.public, accepts the
 * text exactly when the decoder does (and it has no NUL inside).
 * The first bytes, taken as raw key material, also go through
 * encode -> decode round trips for all three forms.
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "base64url.h"
#include "bp_client.h"
#include "paserk.h"
#include "paseto.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

static bool
starts_with(const char *s, size_t n, const char *prefix)
{
	size_t		p = strlen(prefix);

	return n >= p && memcmp(s, prefix, p) == 0;
}

static void
check_prefix_status(const char *s, size_t n, const char *prefix, bp_paserk_status st)
{
	FUZZ_ASSERT(bp_paserk_strerror(st) != NULL);
	FUZZ_ASSERT(st != BP_PASERK_BAD_ARGUMENT && st != BP_PASERK_BUFFER_TOO_SMALL &&
				st != BP_PASERK_BAD_KEY_LENGTH);
	if (starts_with(s, n, prefix))
		FUZZ_ASSERT(st != BP_PASERK_NOT_PASERK && st != BP_PASERK_WRONG_VERSION &&
					st != BP_PASERK_WRONG_TYPE);
	else
		FUZZ_ASSERT(st == BP_PASERK_NOT_PASERK || st == BP_PASERK_WRONG_VERSION ||
					st == BP_PASERK_WRONG_TYPE);
	if (st == BP_PASERK_WRONG_TYPE)
		FUZZ_ASSERT(starts_with(s, n, "k4."));
}

static void
roundtrip_public(const uint8_t pk[32])
{
	char	   *text = fuzz_malloc(BP_PASERK_K4_PUBLIC_LEN);
	char	   *pid = fuzz_malloc(BP_PASERK_K4_PID_LEN);
	uint8_t		back[32];
	uint8_t		id[BP_PASERK_K4_PID_BYTES];
	size_t		len = 0;

	FUZZ_ASSERT(bp_paserk_k4_public_encode(pk, 32, text, BP_PASERK_K4_PUBLIC_LEN, &len) ==
				BP_PASERK_OK && len == BP_PASERK_K4_PUBLIC_LEN);
	FUZZ_ASSERT(bp_paserk_k4_public_decode(text, len, back) == BP_PASERK_OK &&
				memcmp(back, pk, 32) == 0);
	FUZZ_ASSERT(bp_paserk_k4_public_encode(pk, 32, text, BP_PASERK_K4_PUBLIC_LEN - 1, &len) ==
				BP_PASERK_BUFFER_TOO_SMALL && len == 0);
	FUZZ_ASSERT(bp_paserk_k4_pid(pk, 32, pid, BP_PASERK_K4_PID_LEN, &len) == BP_PASERK_OK &&
				len == BP_PASERK_K4_PID_LEN);
	FUZZ_ASSERT(bp_paserk_k4_pid_decode(pid, len, id) == BP_PASERK_OK);
	FUZZ_ASSERT(bp_paserk_k4_pid_decode(pid, len, NULL) == BP_PASERK_OK);
	FUZZ_ASSERT(bp_paserk_k4_pid(pk, 32, pid, BP_PASERK_K4_PID_LEN - 1, &len) ==
				BP_PASERK_BUFFER_TOO_SMALL && len == 0);
	free(pid);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = fuzz_dup(data, size);
	uint8_t		pk[32];
	uint8_t		sk[64];
	uint8_t		id[BP_PASERK_K4_PID_BYTES];
	bp_paserk_status pst;
	bp_paserk_status sst;
	bp_paserk_status ist;
	int			accepted = 0;

	/* k4.public */
	memset(pk, 0xA5, sizeof(pk));
	pst = bp_paserk_k4_public_decode(text, size, pk);
	check_prefix_status(text, size, "k4.public.", pst);
	if (pst == BP_PASERK_OK)
	{
		char	   *again = fuzz_malloc(BP_PASERK_K4_PUBLIC_LEN);
		size_t		len = 0;

		accepted++;
		FUZZ_ASSERT(size == BP_PASERK_K4_PUBLIC_LEN);
		FUZZ_ASSERT(bp_paserk_k4_public_encode(pk, 32, again, BP_PASERK_K4_PUBLIC_LEN, &len) ==
					BP_PASERK_OK);
		FUZZ_ASSERT(len == size && memcmp(again, text, size) == 0);
		free(again);
		roundtrip_public(pk);
	}
	else
		for (size_t i = 0; i < sizeof(pk); i++)
			FUZZ_ASSERT(pk[i] == 0xA5);
	FUZZ_ASSERT(pst != BP_PASERK_KEY_MISMATCH);

	/* the client library's pinning takes the same texts */
	{
		static bp_client_ctx ctx;
		char	   *z = fuzz_dupz(data, size);
		bp_client_status cst;

		bp_client_init(&ctx);
		cst = bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_DECISION, z);
		if (strlen(z) == size)
			FUZZ_ASSERT(pst == BP_PASERK_OK ? cst == BP_CLIENT_OK : cst == BP_CLIENT_BAD_KEY);
		if (cst == BP_CLIENT_OK)
		{
			FUZZ_ASSERT(ctx.n_keys == 1 && ctx.keys[0].pinned);
			/* again: a no-op; for another purpose: refused */
			FUZZ_ASSERT(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_DECISION, z) == BP_CLIENT_OK &&
						ctx.n_keys == 1);
			FUZZ_ASSERT(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_ROOT, z) == BP_CLIENT_BAD_ARGUMENT);
		}
		else
			FUZZ_ASSERT(ctx.n_keys == 0);
		free(z);
	}

	/* k4.secret */
	memset(sk, 0xA5, sizeof(sk));
	sst = bp_paserk_k4_secret_decode(text, size, sk);
	check_prefix_status(text, size, "k4.secret.", sst);
	if (sst == BP_PASERK_OK)
	{
		char	   *again = fuzz_malloc(BP_PASERK_K4_SECRET_LEN);
		size_t		len = 0;

		accepted++;
		FUZZ_ASSERT(size == BP_PASERK_K4_SECRET_LEN);
		FUZZ_ASSERT(bp_ed25519_secret_key_consistent(sk));
		FUZZ_ASSERT(bp_paserk_k4_secret_encode(sk, 64, again, BP_PASERK_K4_SECRET_LEN, &len) ==
					BP_PASERK_OK);
		FUZZ_ASSERT(len == size && memcmp(again, text, size) == 0);
		sodium_memzero(again, BP_PASERK_K4_SECRET_LEN);
		free(again);
		roundtrip_public(sk + 32);
	}
	else
		FUZZ_ASSERT(sodium_is_zero(sk, sizeof(sk)));

	/* k4.pid, with and without output */
	memset(id, 0xA5, sizeof(id));
	ist = bp_paserk_k4_pid_decode(text, size, id);
	check_prefix_status(text, size, "k4.pid.", ist);
	FUZZ_ASSERT(bp_paserk_k4_pid_decode(text, size, NULL) == ist);
	FUZZ_ASSERT(ist != BP_PASERK_KEY_MISMATCH);
	if (ist == BP_PASERK_OK)
	{
		char		again[BP_PASERK_K4_PID_LEN];
		size_t		n = 0;

		accepted++;
		FUZZ_ASSERT(size == BP_PASERK_K4_PID_LEN);
		/* canonical: the 33 bytes encode back to the same text */
		memcpy(again, "k4.pid.", 7);
		FUZZ_ASSERT(bp_b64url_encode(id, sizeof(id), again + 7, sizeof(again) - 7, &n) == BP_B64URL_OK);
		FUZZ_ASSERT(n + 7 == size && memcmp(again, text, size) == 0);
	}
	else
		for (size_t i = 0; i < sizeof(id); i++)
			FUZZ_ASSERT(id[i] == 0xA5);
	FUZZ_ASSERT(accepted <= 1);

	/* raw bytes as key material */
	if (size >= 32)
	{
		uint8_t		seed_pk[32];
		uint8_t		seed_sk[64];
		char	   *stext = fuzz_malloc(BP_PASERK_K4_SECRET_LEN);
		uint8_t		back[64];
		size_t		len = 0;

		roundtrip_public(data);
		crypto_sign_seed_keypair(seed_pk, seed_sk, data);
		FUZZ_ASSERT(bp_paserk_k4_secret_encode(seed_sk, 64, stext, BP_PASERK_K4_SECRET_LEN, &len) ==
					BP_PASERK_OK && len == BP_PASERK_K4_SECRET_LEN);
		FUZZ_ASSERT(bp_paserk_k4_secret_decode(stext, len, back) == BP_PASERK_OK &&
					memcmp(back, seed_sk, 64) == 0);
		/* a public half that does not belong to the seed */
		seed_sk[32 + data[0] % 32] ^= 1;
		FUZZ_ASSERT(bp_paserk_k4_secret_encode(seed_sk, 64, stext, BP_PASERK_K4_SECRET_LEN, &len) ==
					BP_PASERK_KEY_MISMATCH);
		sodium_memzero(stext, BP_PASERK_K4_SECRET_LEN);
		free(stext);
	}
	free(text);
	return 0;
}
