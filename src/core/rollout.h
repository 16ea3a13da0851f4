/*
 * rollout.h — the staged-rollout bucket of an installation.
 *
 *   bucket = u64_le(BLAKE2b-8(key = salt, msg = install id)) mod 10000
 *
 * An install is in a rollout of p basis points when bucket < p, so raising p
 * only ever adds installs, and the same install always lands in the same
 * bucket for the same rollout.  The salt (16 to 64 bytes; new rollouts get
 * 32 random bytes) keeps buckets independent across rollouts.
 */
#ifndef BP_ROLLOUT_H
#define BP_ROLLOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

#define BP_ROLLOUT_BUCKETS 10000
#define BP_ROLLOUT_SALT_MIN 16
#define BP_ROLLOUT_SALT_MAX 64

/* False when the salt length is out of range or an argument is NULL. */
bool		bp_rollout_bucket(const uint8_t *salt, size_t salt_len,
							  const uint8_t *install_id, size_t install_id_len,
							  uint32_t *bucket);

#ifdef __cplusplus
}
#endif

#endif							/* BP_ROLLOUT_H */
