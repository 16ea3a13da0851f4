/*
 * standard_webhooks.c — see standard_webhooks.h.
 */
#include "standard_webhooks.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

bp_swh_status
bp_swh_sign(const char *secret, const char *msg_id, int64_t timestamp,
			const char *body, size_t body_len, char out[BP_SWH_SIGNATURE_LEN + 1])
{
	unsigned char key[BP_SWH_MAX_SECRET_BYTES];
	size_t		key_len = 0;
	const char *b64;
	char		ts[24];
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	if (secret == NULL || msg_id == NULL || (body == NULL && body_len > 0) || out == NULL)
		return BP_SWH_BAD_ARGUMENT;
	b64 = strncmp(secret, "whsec_", 6) == 0 ? secret + 6 : secret;
	if (sodium_base642bin(key, sizeof(key), b64, strlen(b64), NULL, &key_len, NULL,
						  sodium_base64_VARIANT_ORIGINAL) != 0 || key_len == 0)
	{
		sodium_memzero(key, sizeof(key));
		return BP_SWH_BAD_SECRET;
	}
	snprintf(ts, sizeof(ts), "%lld", (long long) timestamp);
	crypto_auth_hmacsha256_init(&st, key, key_len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *) msg_id, strlen(msg_id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *) ".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *) ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *) ".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *) body, body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&st, sizeof(st));
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, BP_SWH_SIGNATURE_LEN + 1 - 3, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	return BP_SWH_OK;
}
