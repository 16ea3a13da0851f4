/*
 * blake2b.h — BLAKE2b (RFC 7693) with any digest length from 1 to 64 bytes.
 *
 * libsodium's generichash stops at 16-byte digests; the rollout bucket needs
 * BLAKE2b with an 8-byte digest, and the digest length is part of BLAKE2b's
 * parameter block, so truncating a longer digest would give another value.
 * Pure C99, no allocation, no global state.
 */
#ifndef BP_BLAKE2B_H
#define BP_BLAKE2B_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

#define BP_BLAKE2B_OUT_MAX 64
#define BP_BLAKE2B_KEY_MAX 64

typedef struct bp_blake2b_state
{
	uint64_t	h[8];
	uint64_t	t[2];
	uint8_t		buf[128];
	size_t		buf_len;
	size_t		out_len;
} bp_blake2b_state;

/* Start a hash of out_len (1..64) bytes, keyed when key_len > 0 (up to 64). */
bool		bp_blake2b_init(bp_blake2b_state *s, size_t out_len, const uint8_t *key, size_t key_len);
void		bp_blake2b_update(bp_blake2b_state *s, const uint8_t *in, size_t len);
/* Write out_len bytes and wipe the state. */
void		bp_blake2b_final(bp_blake2b_state *s, uint8_t *out);

/* One call: false when a length is out of range. */
bool		bp_blake2b(uint8_t *out, size_t out_len, const uint8_t *in, size_t in_len,
					   const uint8_t *key, size_t key_len);

#ifdef __cplusplus
}
#endif

#endif							/* BP_BLAKE2B_H */
