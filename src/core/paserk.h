/*
 * paserk.h — PASERK serialisations of version 4 Ed25519 keys.
 *
 *   k4.public.  b64url(32-byte public key)
 *   k4.secret.  b64url(64-byte libsodium secret key: seed ‖ public key)
 *   k4.pid.     b64url(BLAKE2b-264("k4.pid." ‖ k4.public PASERK string))
 *
 * Pure C99 + libsodium, no allocation, no global mutable state.  Text output
 * is not NUL-terminated; every serialisation has a fixed length, given below.
 * sodium_init() must have been called.
 */
#ifndef BP_PASERK_H
#define BP_PASERK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

#define BP_PASERK_K4_PUBLIC_KEY_BYTES 32
#define BP_PASERK_K4_SECRET_KEY_BYTES 64
#define BP_PASERK_K4_PID_BYTES 33

#define BP_PASERK_K4_PUBLIC_LEN 53	/* "k4.public." + 43 characters */
#define BP_PASERK_K4_SECRET_LEN 96	/* "k4.secret." + 86 characters */
#define BP_PASERK_K4_PID_LEN 51		/* "k4.pid." + 44 characters */

typedef enum bp_paserk_status
{
	BP_PASERK_OK = 0,
	BP_PASERK_BAD_ARGUMENT,		/* NULL pointer where data is required */
	BP_PASERK_BAD_KEY_LENGTH,	/* raw key is not 32 (public) / 64 (secret) bytes */
	BP_PASERK_KEY_MISMATCH,		/* secret key's public half does not match its seed */
	BP_PASERK_BUFFER_TOO_SMALL, /* output buffer below the fixed length */
	BP_PASERK_NOT_PASERK,		/* does not start with "kN.type." */
	BP_PASERK_WRONG_VERSION,	/* a PASERK, but not version k4 */
	BP_PASERK_WRONG_TYPE,		/* k4, but another type than the one asked for */
	BP_PASERK_BAD_BASE64,		/* data part is not valid base64url */
	BP_PASERK_NONCANONICAL_BASE64,	/* data part base64url is not canonical */
	BP_PASERK_BAD_DATA_LENGTH	/* data part decodes to the wrong number of bytes */
} bp_paserk_status;

/* A short English sentence describing a status, for error details. */
const char *bp_paserk_strerror(bp_paserk_status status);

/* k4.public: out must hold BP_PASERK_K4_PUBLIC_LEN characters. */
bp_paserk_status bp_paserk_k4_public_encode(const uint8_t *pk, size_t pk_len,
											char *out, size_t cap,
											size_t *out_len);
bp_paserk_status bp_paserk_k4_public_decode(const char *in, size_t len,
											uint8_t pk[BP_PASERK_K4_PUBLIC_KEY_BYTES]);

/*
 * k4.secret: out must hold BP_PASERK_K4_SECRET_LEN characters, and then
 * holds secret material the caller must wipe.  Both directions reject a key
 * whose public half is not derived from its seed; decode wipes sk on error.
 */
bp_paserk_status bp_paserk_k4_secret_encode(const uint8_t *sk, size_t sk_len,
											char *out, size_t cap,
											size_t *out_len);
bp_paserk_status bp_paserk_k4_secret_decode(const char *in, size_t len,
											uint8_t sk[BP_PASERK_K4_SECRET_KEY_BYTES]);

/* k4.pid of a raw public key: out must hold BP_PASERK_K4_PID_LEN characters. */
bp_paserk_status bp_paserk_k4_pid(const uint8_t *pk, size_t pk_len,
								  char *out, size_t cap, size_t *out_len);

/*
 * Check that text is a well-formed k4.pid (e.g. a kid read from a footer)
 * and give its 33 bytes; id may be NULL to only check.
 */
bp_paserk_status bp_paserk_k4_pid_decode(const char *in, size_t len,
										 uint8_t id[BP_PASERK_K4_PID_BYTES]);

#ifdef __cplusplus
}
#endif

#endif							/* BP_PASERK_H */
