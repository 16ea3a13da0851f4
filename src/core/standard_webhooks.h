/*
 * standard_webhooks.h — the signature of the Standard Webhooks format
 * (https://www.standardwebhooks.com): HMAC-SHA256 with the secret's bytes
 * over "msg_id.timestamp.body", sent as "v1," and its standard base64 in
 * the webhook-signature header.  Several signatures (a secret being
 * rotated) go space-separated in the one header.
 *
 * Pure C with libsodium, no allocation.
 */
#ifndef BP_STANDARD_WEBHOOKS_H
#define BP_STANDARD_WEBHOOKS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

/* "v1," and 44 base64 characters; buffers add one for the NUL */
#define BP_SWH_SIGNATURE_LEN 47
#define BP_SWH_MAX_SECRET_BYTES 64

typedef enum bp_swh_status
{
	BP_SWH_OK = 0,
	BP_SWH_BAD_SECRET,			/* not whsec_ (optional) and base64 of 1 to 64 bytes */
	BP_SWH_BAD_ARGUMENT
} bp_swh_status;

/*
 * The signature of body (body_len bytes) with msg_id and timestamp (Unix
 * seconds), under secret ("whsec_..." or the bare base64), into out
 * (BP_SWH_SIGNATURE_LEN + 1 bytes, NUL-terminated).
 */
bp_swh_status bp_swh_sign(const char *secret, const char *msg_id, int64_t timestamp,
						  const char *body, size_t body_len, char out[BP_SWH_SIGNATURE_LEN + 1]);

#ifdef __cplusplus
}
#endif

#endif							/* BP_STANDARD_WEBHOOKS_H */
