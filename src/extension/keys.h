/*
 * keys.h — what the key store's files share: the per-backend cache of
 * unsealed keys (key_cache.c), sealing (key_seal.c), the settings
 * (key_settings.c) and purpose names.  Signing is signing.c, generation
 * key_generate.c, verification token_verify.c.
 */
#ifndef BP_KEYS_H
#define BP_KEYS_H

#include "postgres.h"

#include "utils/timestamp.h"

#include "paserk.h"
#include "paseto.h"
#include "verify.h"

#define KID_LEN BP_PASERK_K4_PID_LEN

/* key_seal.c: secrets sealed with XChaCha20-Poly1305 under the master key */
#define SEAL_FORMAT 1
#define SEAL_NONCE_BYTES 24		/* crypto_aead_xchacha20poly1305_ietf_NPUBBYTES */
#define SEAL_TAG_BYTES 16		/* crypto_aead_xchacha20poly1305_ietf_ABYTES */
#define SEALED_BYTES (1 + SEAL_NONCE_BYTES + BP_PASETO_SECRET_KEY_BYTES + SEAL_TAG_BYTES)
extern void bp_seal_secret(const unsigned char *sk, const char *kid, const char *purpose,
						   unsigned char *sealed);
extern bool bp_unseal_secret(const unsigned char *sealed, size_t sealed_len, const char *kid,
							 const char *purpose, unsigned char *sk);

/* key_cache.c: unsealed keys (sodium memory) and which key is active */
typedef struct cached_key
{
	char		kid[KID_LEN + 1];	/* "" when the slot is free */
	unsigned char *sk;			/* sodium_malloc'd, BP_PASETO_SECRET_KEY_BYTES;
								 * NULL for a key on the PKCS#11 token */
	uint64		last_used;
} cached_key;

typedef struct active_key
{
	bool		used;
	bool		has_tenant;
	char		purpose[16];
	char		tenant[128];
	char		kid[KID_LEN + 1];
	char	   *certificate;	/* TopMemoryContext, or NULL */
	TimestampTz certificate_expires_at;
} active_key;

extern void bp_key_cache_init(void);
extern void bp_key_cache_watch_table(void);
extern cached_key *bp_key_cache_find(const char *kid);
extern cached_key *bp_key_cache_store(const char *kid, unsigned char *sk);
extern active_key *bp_active_key_find(const char *purpose, const char *tenant_id);
extern void bp_active_key_remember(const char *purpose, const char *tenant_id, const char *kid,
								   const char *certificate, TimestampTz certificate_expires_at);

/*
 * key_cache.c: vendor-wide public keys as verification finds them (every
 * caller sees those alike), forgotten with the rest on any key change.
 */
extern bool bp_verify_key_cache_find(const char kid[KID_LEN], bp_verify_key *key, const char **state);
extern void bp_verify_key_cache_store(const bp_verify_key *key, const char *state, TimestampTz stale_at);

/* key_settings.c */
extern void bp_key_settings_init(void);
extern const char *bp_issuer(void);
extern void bp_check_purpose(const char *purpose);

#endif							/* BP_KEYS_H */
