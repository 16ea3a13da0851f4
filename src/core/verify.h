/*
 * verify.h — the one verifier of Big Picture tokens, used by the extension
 * (SQL verify_token, snapshot import, key certificates), the client library
 * and the tools.
 *
 * A verifier holds keys: pinned ones (a client pins the root; a mirror pins
 * the vendor's root), keys from a key set token (typ "keyset", signed by a
 * pinned root key), or keys a server adds from its own key table.  A token
 * verifies when its footer {"kid":"k4.pid.…"} names a known key (or, for a
 * mirror's key, carries a key certificate {"kid":…,"cert":"v4.public.…"}
 * signed by a known root key), that key is usable at now, the signature
 * holds with the footer bound, and the payload is a JSON object whose typ the
 * key's purpose may sign (src/core/token_kinds.h), with exp (required where
 * the kind needs it) > now, nbf and iat at most BP_VERIFY_CLOCK_SKEW
 * seconds ahead of now, and the tenant of a tenant-scoped key.
 *
 * A key is usable when valid_from <= now < valid_until (each bound only if
 * present) and its state is active or retiring.  Times are Unix seconds
 * given by the caller, so nothing here reads a clock.  Pure C99 + libsodium,
 * no allocation, no global mutable state: the verifier lives in caller
 * memory and verification works in a caller buffer (bp_verify_work_len).
 * sodium_init() must have been called.
 */
#ifndef BP_VERIFY_H
#define BP_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paserk.h"
#include "token_kinds.h"

#ifdef __cplusplus
extern "C"
{
#endif

#define BP_VERIFY_MAX_KEYS 64
#define BP_VERIFY_MAX_TENANT_LEN 128
/* Longest token accepted at all (a snapshot can be large, but not this). */
#define BP_VERIFY_MAX_TOKEN_LEN (64u * 1024u * 1024u)
/* How far a token's iat may be ahead of the verifier's clock (seconds). */
#define BP_VERIFY_CLOCK_SKEW 300

/* The numbering is part of the client library's ABI (bp_client_status). */
typedef enum bp_verify_status
{
	BP_VERIFY_OK = 0,
	BP_VERIFY_BAD_ARGUMENT,		/* NULL pointer, unknown purpose name, ... */
	BP_VERIFY_BAD_KEY,			/* a pinned key is not a valid k4.public PASERK */
	BP_VERIFY_MALFORMED,		/* token, footer or payload is not well formed */
	BP_VERIFY_BAD_SIGNATURE,	/* the signature does not verify */
	BP_VERIFY_UNKNOWN_KEY,		/* no known key has the footer's kid */
	BP_VERIFY_WRONG_PURPOSE,	/* the key's purpose may not sign this typ */
	BP_VERIFY_WRONG_TYPE,		/* typ is not the one the caller expects */
	BP_VERIFY_EXPIRED,			/* exp <= now */
	BP_VERIFY_NOT_YET_VALID,	/* nbf or iat more than the skew ahead */
	BP_VERIFY_KEY_REVOKED,		/* the signing key is revoked */
	BP_VERIFY_KEY_NOT_VALID,	/* key pending, retired, or outside its window */
	BP_VERIFY_WRONG_TENANT,		/* tenant-scoped key, payload of another tenant */
	BP_VERIFY_ROLLBACK,			/* key set version or lease seq went backwards */
	BP_VERIFY_CHAIN_BROKEN,		/* lease seq skipped, or prev_hash mismatch */
	BP_VERIFY_BUFFER_TOO_SMALL, /* the work buffer is smaller than needed */
	BP_VERIFY_CAPACITY,			/* more keys than BP_VERIFY_MAX_KEYS */
	BP_VERIFY_CERT_INVALID,		/* key certificate malformed, not root-signed, wrong key */
	BP_VERIFY_CERT_EXPIRED,		/* key certificate past its exp (or before its nbf) */
	BP_VERIFY_NOT_FOR_US,		/* install_id or nonce is another install's or request's */
	BP_VERIFY_LEASE_REVOKED		/* the lease is on its tenant's revocation list */
} bp_verify_status;

#define BP_VERIFY_N_STATUS (BP_VERIFY_LEASE_REVOKED + 1)

typedef enum bp_key_state
{
	BP_KEY_ACTIVE = 0,
	BP_KEY_PENDING,
	BP_KEY_RETIRING,
	BP_KEY_RETIRED,
	BP_KEY_REVOKED
} bp_key_state;

typedef struct bp_verify_key
{
	char		kid[BP_PASERK_K4_PID_LEN];	/* k4.pid text, not NUL-terminated */
	uint8_t		pk[BP_PASERK_K4_PUBLIC_KEY_BYTES];
	bp_purpose	purpose;
	bp_key_state state;
	bool		pinned;			/* pinned by the caller, not from a key set */
	bool		has_valid_from;
	bool		has_valid_until;
	int64_t		valid_from;
	int64_t		valid_until;
	bool		has_tenant;		/* tenant_id not null */
	size_t		tenant_len;
	char		tenant[BP_VERIFY_MAX_TENANT_LEN];
} bp_verify_key;

typedef struct bp_verifier
{
	size_t		n_keys;
	bp_verify_key keys[BP_VERIFY_MAX_KEYS];
	bool		keyset_loaded;
	int64_t		keyset_version; /* of the last key set loaded */
	int64_t		keyset_exp;		/* its exp, Unix seconds */
} bp_verifier;

/* Distinct names ("BAD_SIGNATURE") and sentences for each status. */
const char *bp_verify_status_name(bp_verify_status status);
const char *bp_verify_strerror(bp_verify_status status);

/* Key state names as key sets spell them ("active", ...); false if unknown. */
bool		bp_key_state_from_name(const char *name, size_t len, bp_key_state *state);

/* Empty verifier: no keys, no key set. */
void		bp_verifier_init(bp_verifier *v);

/*
 * Pin a public key, PASERK "k4.public.…" (NUL-terminated), for a purpose:
 * root keys verify key sets (and key certificates), purpose keys verify
 * tokens directly, without any key set.  Pinning the same key again for
 * the same purpose is a no-op; for another purpose it is BAD_ARGUMENT.
 */
bp_verify_status bp_verifier_pin_key(bp_verifier *v, bp_purpose purpose, const char *k4_public);

/*
 * Add a key as a server knows it from its own key table (not pinned): its
 * kid must be the k4.pid of pk (BAD_KEY otherwise), and it must not be
 * known yet (BAD_ARGUMENT).
 */
bp_verify_status bp_verifier_add_key(bp_verifier *v, const bp_verify_key *key);

/*
 * Size of the work buffer that verifying (or loading) a token of token_len
 * characters needs at most; SIZE_MAX when token_len is too large.  The
 * payload JSON is handed back at the start of that buffer.
 */
size_t		bp_verify_work_len(size_t token_len);

/* The footer's kid (BP_PASERK_K4_PID_LEN characters), or MALFORMED. */
bp_verify_status bp_verify_footer_kid(const char *token, size_t token_len,
									  char kid[BP_PASERK_K4_PID_LEN]);

/*
 * Verify a key set token against a pinned root key (the footer's kid must
 * be a pinned root key, usable at now), typ "keyset", exp (required, and
 * more than now - exp_leeway) and nbf against now, and version >= the last
 * version loaded (ROLLBACK otherwise).  Every entry is checked (purpose,
 * state, kid equal to the k4.pid of public_key, RFC 3339 validity times)
 * before anything changes: on success the keys of the previous key set are
 * replaced by these; on failure the verifier is unchanged.  A key set entry
 * with the kid of a pinned key must have its purpose; it narrows the pinned
 * key to the entry's validity window, and when revoked revokes it.  flags may be BP_VERIFY_SKIP_TIME (check the
 * signature and entries now, the key set's own times later with
 * bp_verify_token: a mirror that reports a tampered bundle before an
 * expired one).
 */
bp_verify_status bp_verifier_load_keyset(bp_verifier *v, const char *token, size_t token_len,
										 int64_t now, unsigned flags, int64_t exp_leeway,
										 void *work, size_t work_cap);

/*
 * Signature and PASETO v4.public form only, with a key given as PASERK
 * k4.public and an implicit assertion (NULL when its length is 0): no kid,
 * typ, key state or time checks.  For generic PASETO tokens and the official
 * test vectors.  work_cap >= bp_verify_work_len(token_len) + implicit_len.
 */
bp_verify_status bp_verify_paseto(const char *k4_public, const char *token, size_t token_len,
								  const char *implicit, size_t implicit_len,
								  void *work, size_t work_cap, size_t *payload_len);

/* Flags for bp_verify_token. */
#define BP_VERIFY_SKIP_TIME 0x1 /* do not check exp, nbf and iat (not the key's window) */
/*
 * The token records the past (an audit checkpoint): the key must be known
 * and not revoked, but its state (pending, retired) and validity window are
 * not checked.  Not for key sets.
 */
#define BP_VERIFY_SIGNED_EARLIER 0x2
/* Only the verifier's own keys: a key certificate in the footer is ignored. */
#define BP_VERIFY_OWN_KEYS 0x4

/*
 * Verify a token (see the top of this file); typ must equal expected_typ
 * unless that is NULL.  exp_leeway (seconds, >= 0) lets a token count as
 * unexpired that long after its exp (a mirror's offline grace); 0 normally.
 * On success the payload JSON is at the start of work, *payload_len bytes
 * (not NUL-terminated); work_cap >= bp_verify_work_len(token_len) suffices.
 */
bp_verify_status bp_verify_token(const bp_verifier *v, const char *token, size_t token_len,
								 const char *expected_typ, int64_t now, unsigned flags,
								 int64_t exp_leeway, void *work, size_t work_cap,
								 size_t *payload_len);

#ifdef __cplusplus
}
#endif

#endif							/* BP_VERIFY_H */
