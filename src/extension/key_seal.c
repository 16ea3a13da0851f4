/*
 * key_seal.c — signing keys at rest: a secret key is sealed with
 * XChaCha20-Poly1305 under the master key (associated data: kid and
 * purpose, so a sealed key cannot be moved to another row) before anything
 * is written.
 */
#include "postgres.h"

#include <sodium.h>

#include "bigpicture.h"
#include "keys.h"

StaticAssertDecl(SEAL_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES &&
				 SEAL_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES,
				 "sealed key layout");

/* Associated data binds a sealed key to its kid and purpose. */
static size_t
seal_ad(char *ad, size_t cap, const char *kid, const char *purpose)
{
	int			n = snprintf(ad, cap, "%s%c%s", kid, '\0', purpose);

	return (n > 0 && (size_t) n < cap) ? (size_t) n : 0;
}

void
bp_seal_secret(const unsigned char *sk, const char *kid, const char *purpose,
			unsigned char *sealed)
{
	char		ad[KID_LEN + 32];
	size_t		ad_len = seal_ad(ad, sizeof(ad), kid, purpose);
	const unsigned char *mk = bp_master_key();

	sealed[0] = SEAL_FORMAT;
	randombytes_buf(sealed + 1, SEAL_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + 1 + SEAL_NONCE_BYTES, NULL,
											   sk, BP_PASETO_SECRET_KEY_BYTES,
											   (const unsigned char *) ad, ad_len,
											   NULL, sealed + 1, mk);
}

/* Unseal into sk (BP_PASETO_SECRET_KEY_BYTES of sodium memory). */
bool
bp_unseal_secret(const unsigned char *sealed, size_t sealed_len, const char *kid,
			  const char *purpose, unsigned char *sk)
{
	char		ad[KID_LEN + 32];
	size_t		ad_len = seal_ad(ad, sizeof(ad), kid, purpose);
	const unsigned char *mk = bp_master_key();

	return sealed_len == SEALED_BYTES && sealed[0] == SEAL_FORMAT &&
		crypto_aead_xchacha20poly1305_ietf_decrypt(sk, NULL, NULL,
												   sealed + 1 + SEAL_NONCE_BYTES,
												   sealed_len - 1 - SEAL_NONCE_BYTES,
												   (const unsigned char *) ad, ad_len,
												   sealed + 1, mk) == 0;
}

