/*
 * paseto.h — PASETO v4.public tokens: Ed25519 signatures over PAE.
 *
 * Token:  "v4.public." b64url(m ‖ sig) [ "." b64url(f) ]   (footer only if
 * non-empty), where sig = Ed25519(sk, PAE("v4.public.", m, f, i)) and i is
 * the implicit assertion, which is signed but never carried in the token.
 *
 * Pure C99 + libsodium, no allocation, no global mutable state.  Ed25519
 * signs the whole message in two passes, so PAE cannot be streamed: both
 * sign and verify take a caller-provided scratch buffer that receives the
 * PAE bytes (public data only: never secret).  Size helpers below say how
 * big each buffer must be; they return SIZE_MAX when the size would overflow,
 * and every function re-checks its capacities itself.
 *
 * Token text is not NUL-terminated.  sodium_init() must have been called.
 */
#ifndef BP_PASETO_H
#define BP_PASETO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

#define BP_PASETO_V4_PUBLIC_HEADER "v4.public."
#define BP_PASETO_HEADER_LEN 10
#define BP_PASETO_PUBLIC_KEY_BYTES 32	/* Ed25519 public key */
#define BP_PASETO_SECRET_KEY_BYTES 64	/* libsodium layout: seed ‖ public key */
#define BP_PASETO_SIGNATURE_BYTES 64

typedef enum bp_paseto_status
{
	BP_PASETO_OK = 0,
	BP_PASETO_BAD_ARGUMENT,		/* NULL pointer where data is required */
	BP_PASETO_BAD_KEY_LENGTH,	/* key is not 32 (public) / 64 (secret) bytes */
	BP_PASETO_KEY_MISMATCH,		/* secret key's public half does not match its seed */
	BP_PASETO_BUFFER_TOO_SMALL, /* an output or scratch buffer is too small */
	BP_PASETO_TOO_LARGE,		/* sizes overflow size_t arithmetic */
	BP_PASETO_NOT_PASETO,		/* does not start with "vN.purpose." */
	BP_PASETO_WRONG_VERSION,	/* a PASETO, but not version v4 */
	BP_PASETO_WRONG_PURPOSE,	/* v4, but not "public" (e.g. v4.local) */
	BP_PASETO_EXTRA_PARTS,		/* more '.'-separated parts than body and footer */
	BP_PASETO_EMPTY_FOOTER,		/* a '.' after the body with nothing after it */
	BP_PASETO_BAD_BASE64,		/* body or footer is not valid base64url */
	BP_PASETO_NONCANONICAL_BASE64,	/* body or footer base64url is not canonical */
	BP_PASETO_SHORT_BODY,		/* body decodes to fewer than 64 bytes */
	BP_PASETO_FOOTER_MISMATCH,	/* footer differs from the one the caller expects */
	BP_PASETO_BAD_SIGNATURE		/* the signature does not verify */
} bp_paseto_status;

/*
 * Is a 64-byte libsodium secret key (seed ‖ public key) consistent, its
 * public half derived from its seed?  Signing with a mismatched half can
 * leak the key, so signing and PASERK secret parsing both check.
 */
bool		bp_ed25519_secret_key_consistent(const uint8_t *sk);

/* A short English sentence describing a status, for error details. */
const char *bp_paseto_strerror(bp_paseto_status status);

/*
 * Length of PAE("v4.public.", m, f, i) for the given part lengths: the
 * scratch size bp_paseto_v4_sign needs.
 */
size_t		bp_paseto_v4_pae_len(size_t m_len, size_t f_len, size_t i_len);

/* Length of the token that signing m with footer f produces. */
size_t		bp_paseto_v4_token_len(size_t m_len, size_t f_len);

/*
 * Upper bounds for verifying a token of token_len characters with an
 * implicit assertion of i_len bytes: the scratch size, the payload size and
 * the footer size.  Exact sizes are never larger.
 */
size_t		bp_paseto_v4_verify_scratch_len(size_t token_len, size_t i_len);
size_t		bp_paseto_v4_payload_max_len(size_t token_len);
size_t		bp_paseto_footer_max_len(size_t token_len);

/*
 * Sign payload m with footer f and implicit assertion i (each may be NULL
 * when its length is 0) using a 64-byte libsodium Ed25519 secret key.
 * Writes the token (bp_paseto_v4_token_len bytes) into out; scratch must
 * hold bp_paseto_v4_pae_len bytes and receives PAE, which is public.  The
 * secret key is checked against its own seed first, since signing with a
 * mismatched public half can leak the key.
 */
bp_paseto_status bp_paseto_v4_sign(const uint8_t *sk, size_t sk_len,
								   const uint8_t *m, size_t m_len,
								   const uint8_t *f, size_t f_len,
								   const uint8_t *i, size_t i_len,
								   uint8_t *scratch, size_t scratch_cap,
								   char *out, size_t out_cap, size_t *out_len);

/*
 * The same, for a key the caller has already checked with
 * bp_ed25519_secret_key_consistent (say, once when it was loaded): skips the
 * check, which costs as much as the signature itself.
 */
bp_paseto_status bp_paseto_v4_sign_checked_key(const uint8_t *sk, size_t sk_len,
											   const uint8_t *m, size_t m_len,
											   const uint8_t *f, size_t f_len,
											   const uint8_t *i, size_t i_len,
											   uint8_t *scratch, size_t scratch_cap,
											   char *out, size_t out_cap, size_t *out_len);

/*
 * The two halves of signing, for a signer outside this library (a PKCS#11
 * token holds the key and signs PAE itself); bp_paseto_v4_sign is
 * bp_paseto_v4_pae, Ed25519, then bp_paseto_v4_assemble.
 *
 * bp_paseto_v4_pae writes PAE("v4.public.", m, f, i), the message to sign,
 * into pae, which must hold bp_paseto_v4_pae_len(m_len, f_len, i_len) bytes;
 * *pae_len (may be NULL) receives that length.
 */
bp_paseto_status bp_paseto_v4_pae(const uint8_t *m, size_t m_len,
								  const uint8_t *f, size_t f_len,
								  const uint8_t *i, size_t i_len,
								  uint8_t *pae, size_t pae_cap, size_t *pae_len);

/*
 * The token "v4.public." b64url(m ‖ sig) ["." b64url(f)] for the 64-byte
 * Ed25519 signature sig over bp_paseto_v4_pae of the same m and f (the
 * implicit assertion is not in the token).  out must hold
 * bp_paseto_v4_token_len(m_len, f_len) characters.  The signature is not
 * checked here: that is the signer's business.
 */
bp_paseto_status bp_paseto_v4_assemble(const uint8_t *m, size_t m_len,
									   const uint8_t *f, size_t f_len,
									   const uint8_t *sig,
									   char *out, size_t out_cap, size_t *out_len);

/*
 * Verify a v4.public token with a 32-byte Ed25519 public key and implicit
 * assertion i.  When expected_footer is not NULL the token's footer must
 * equal it exactly (expected_footer_len 0 means "no footer"); when NULL any
 * footer is accepted (read it first with bp_paseto_footer).  scratch must
 * hold bp_paseto_v4_verify_scratch_len bytes.  On success the payload is
 * copied into payload (bp_paseto_v4_payload_max_len bytes suffice); on
 * failure nothing is written there and *payload_len is 0.
 */
bp_paseto_status bp_paseto_v4_verify(const char *token, size_t token_len,
									 const uint8_t *pk, size_t pk_len,
									 const uint8_t *expected_footer,
									 size_t expected_footer_len,
									 const uint8_t *i, size_t i_len,
									 uint8_t *scratch, size_t scratch_cap,
									 uint8_t *payload, size_t payload_cap,
									 size_t *payload_len);

/*
 * Decode the footer of a v4.public token WITHOUT verifying it, so a caller
 * can read a key id before choosing the key.  The token's structure is
 * checked as strictly as in verify; the footer is untrusted until verify
 * succeeds.  A token without footer yields *footer_len 0.
 */
bp_paseto_status bp_paseto_footer(const char *token, size_t token_len,
								  uint8_t *footer, size_t footer_cap,
								  size_t *footer_len);

/*
 * The payload m of a token WITHOUT verifying it: only to find the key to
 * verify it with.  payload_cap must be at least
 * bp_paseto_v4_payload_max_len(token_len) (the signature is decoded too).
 */
bp_paseto_status bp_paseto_v4_unverified_payload(const char *token, size_t token_len,
												 uint8_t *payload, size_t payload_cap,
												 size_t *payload_len);

#ifdef __cplusplus
}
#endif

#endif							/* BP_PASETO_H */
