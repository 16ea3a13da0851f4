/*
 * sign_bench.c — PASETO v4.public signing and verification (src/core/paseto.c)
 * against a bare libsodium Ed25519 loop over the same bytes, in one process.
 * Prints per-operation times and the ratios; the ratio is what to watch.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "paseto.h"

#define ROUNDS 20000

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(void)
{
	unsigned char pk[32];
	unsigned char sk[64];
	unsigned char sig[64];
	char		payload[600];
	const char *footer = "{\"kid\":\"k4.pid.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";
	unsigned char scratch[2048];
	unsigned char out_payload[2048];
	char		token[2048];
	size_t		token_len = 0;
	size_t		pae_len;
	size_t		n;
	double		t0;
	double		bare_sign;
	double		paseto_sign;
	double		paseto_sign_checked;
	double		bare_verify;
	double		paseto_verify;
	volatile int sink = 0;

	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	memset(payload, 'x', sizeof(payload));
	memcpy(payload, "{\"typ\":\"decision\",\"pad\":\"", 25);
	memcpy(payload + sizeof(payload) - 2, "\"}", 2);
	pae_len = bp_paseto_v4_pae_len(sizeof(payload), strlen(footer), 0);

	t0 = seconds();
	for (int i = 0; i < ROUNDS; i++)
		crypto_sign_detached(sig, NULL, (unsigned char *) payload, pae_len > sizeof(payload) ? sizeof(payload) : pae_len, sk);
	bare_sign = (seconds() - t0) / ROUNDS;

	t0 = seconds();
	for (int i = 0; i < ROUNDS; i++)
		sink += bp_paseto_v4_sign(sk, 64, (uint8_t *) payload, sizeof(payload), (const uint8_t *) footer,
								  strlen(footer), NULL, 0, scratch, sizeof(scratch), token, sizeof(token),
								  &token_len);
	paseto_sign = (seconds() - t0) / ROUNDS;

	t0 = seconds();
	for (int i = 0; i < ROUNDS; i++)
		sink += bp_paseto_v4_sign_checked_key(sk, 64, (uint8_t *) payload, sizeof(payload), (const uint8_t *) footer,
											  strlen(footer), NULL, 0, scratch, sizeof(scratch), token,
											  sizeof(token), &token_len);
	paseto_sign_checked = (seconds() - t0) / ROUNDS;

	t0 = seconds();
	for (int i = 0; i < ROUNDS; i++)
		sink += crypto_sign_verify_detached(sig, (unsigned char *) payload, sizeof(payload), pk);
	bare_verify = (seconds() - t0) / ROUNDS;

	t0 = seconds();
	for (int i = 0; i < ROUNDS; i++)
		sink += bp_paseto_v4_verify(token, token_len, pk, 32, NULL, 0, NULL, 0, scratch, sizeof(scratch),
									out_payload, sizeof(out_payload), &n);
	paseto_verify = (seconds() - t0) / ROUNDS;

	printf("sign:   libsodium %.1f us, PASETO v4.public %.1f us (ratio %.2f); with the key checked once, "
		   "as the server signs: %.1f us (ratio %.2f)\n",
		   bare_sign * 1e6, paseto_sign * 1e6, paseto_sign / bare_sign,
		   paseto_sign_checked * 1e6, paseto_sign_checked / bare_sign);
	printf("verify: libsodium %.1f us, PASETO v4.public %.1f us, ratio %.2f\n",
		   bare_verify * 1e6, paseto_verify * 1e6, paseto_verify / bare_verify);
	/* For bench/run's table: signatures per second, bare and as the server signs. */
	printf("RESULT %.1f %.1f\n", 1.0 / bare_sign, 1.0 / paseto_sign_checked);
	return sink == -1;
}
