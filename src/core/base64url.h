/*
 * base64url.h — RFC 4648 §5 base64url without padding, as PASETO and PASERK
 * use it.
 *
 * Decoding is strict so that every byte string has exactly one accepted
 * text: no '=' padding, no characters outside [A-Za-z0-9_-], no length that
 * leaves a single dangling character, and the unused low bits of the last
 * character must be zero.  Character classification avoids lookup tables
 * indexed by secret data, because PASERK secret keys pass through here.
 *
 * Pure C99, no allocation: output goes into caller buffers.  Output text is
 * not NUL-terminated.
 */
#ifndef BP_BASE64URL_H
#define BP_BASE64URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

typedef enum bp_b64url_status
{
	BP_B64URL_OK = 0,
	BP_B64URL_BUFFER_TOO_SMALL,	/* output capacity below the needed length */
	BP_B64URL_TOO_LARGE,		/* input length overflows size_t arithmetic */
	BP_B64URL_BAD_LENGTH,		/* length % 4 == 1: no byte string encodes to it */
	BP_B64URL_PADDING,			/* '=' found: this variant has no padding */
	BP_B64URL_BAD_CHAR,			/* character outside the base64url alphabet */
	BP_B64URL_NONCANONICAL		/* unused bits of the last character not zero */
} bp_b64url_status;

/*
 * Characters needed to encode n bytes (no NUL counted).  SIZE_MAX when the
 * result would not fit in size_t.
 */
size_t		bp_b64url_encoded_len(size_t n);

/*
 * Bytes that text of n characters decodes to.  (A length with n % 4 == 1 is
 * invalid; decoding rejects it before writing anything.)
 */
size_t		bp_b64url_decoded_len(size_t n);

/*
 * Encode n bytes of in into out, which must hold bp_b64url_encoded_len(n)
 * characters.  *out_len (may be NULL) receives the number written.
 */
bp_b64url_status bp_b64url_encode(const uint8_t *in, size_t n,
								  char *out, size_t cap, size_t *out_len);

/*
 * Strictly decode n characters of in into out, which must hold
 * bp_b64url_decoded_len(n) bytes.  *out_len (may be NULL) receives the
 * number written.  The whole input is validated before anything is written,
 * so on error out is untouched.  With out NULL the input is only validated
 * (cap is ignored) and *out_len receives the decoded length.
 */
bp_b64url_status bp_b64url_decode(const char *in, size_t n,
								  uint8_t *out, size_t cap, size_t *out_len);

/*
 * The same, with a lookup table: faster, but its memory accesses depend on
 * the text, so only for text that is not secret (tokens, JWTs).
 */
bp_b64url_status bp_b64url_decode_public(const char *in, size_t n,
										 uint8_t *out, size_t cap, size_t *out_len);

/* A short English sentence describing a status, for error details. */
const char *bp_b64url_strerror(bp_b64url_status status);

#ifdef __cplusplus
}
#endif

#endif							/* BP_BASE64URL_H */
