/*
 * rollout.c — the staged-rollout bucket; see rollout.h.
 */
#include "rollout.h"

#include "blake2b.h"

bool
bp_rollout_bucket(const uint8_t *salt, size_t salt_len,
				  const uint8_t *install_id, size_t install_id_len, uint32_t *bucket)
{
	uint8_t		digest[8];
	uint64_t	v = 0;

	if (salt == NULL || bucket == NULL || salt_len < BP_ROLLOUT_SALT_MIN ||
		salt_len > BP_ROLLOUT_SALT_MAX ||
		!bp_blake2b(digest, sizeof(digest), install_id, install_id_len, salt, salt_len))
		return false;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | digest[i];
	*bucket = (uint32_t) (v % BP_ROLLOUT_BUCKETS);
	return true;
}
