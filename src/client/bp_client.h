/*
 * bp_client.h — libbigpicture-client: verify Big Picture tokens offline.
 *
 * A client pins the root public key (or purpose keys directly), loads the
 * key set the server publishes (a PASETO v4.public token, typ "keyset",
 * signed by a pinned root key), and then verifies decisions, leases,
 * releases, snapshots, checkpoints and key certificates: signature, the
 * signing key's purpose, state and validity window, typ, exp and nbf, the
 * tenant of a tenant-scoped key, and for leases the sequence chain and the
 * tenant's signed revocation list.  See docs/client.md and docs/keys.md.
 *
 * Every token's footer is {"kid":"k4.pid.…"}; the kid selects the key, and
 * the footer is bound into the signature (it is passed back to the verifier
 * as the expected footer).  A token signed by a mirror or local license
 * server carries its key certificate too, {"kid":…,"cert":"v4.public.…"}:
 * when the kid is not a known key, the certificate (typ key_certificate,
 * signed by a known root key, unexpired, its kid and public_key those of
 * the signing key) supplies the key, for its purposes (decision and/or
 * lease) and for its one tenant: the payload must carry that tenant_id.  A
 * key set that lists the certified key as revoked overrides the
 * certificate.  The payload's typ must be one the key's purpose may sign:
 *
 *   keyset, key_certificate -> root      decision, release -> decision
 *   lease, lease_revocations -> lease    snapshot -> snapshot
 *   checkpoint -> audit
 *
 * Times: the caller passes "now" as Unix seconds, so nothing here reads a
 * clock.  Payload times are RFC 3339 (bp_client_parse_rfc3339).  A token is
 * refused when exp <= now, or when its nbf or iat is more than
 * BP_CLIENT_CLOCK_SKEW seconds after now (NOT_YET_VALID: a clock is wrong;
 * the server stamps nbf with the second it signs, so a client clock a
 * little behind still accepts a fresh token);
 * a key set must carry exp.  A key is
 * usable when valid_from <= now < valid_until (each bound only if present),
 * its state is active or retiring, and it is not revoked.
 *
 * Pure C99 + libsodium, no allocation, no global mutable state: the context
 * lives in caller memory (it holds at most BP_CLIENT_MAX_KEYS keys), and
 * verification works in a caller buffer whose size bp_client_work_len
 * gives.  Token text need not be NUL-terminated.  sodium_init() must have
 * been called.
 */
#ifndef BP_CLIENT_H
#define BP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paserk.h"
#include "revocations.h"
#include "rfc3339.h"
#include "verify.h"

#ifdef __cplusplus
extern "C"
{
#endif

/*
 * The verifier itself is src/core/verify.h, shared with the server: these
 * are its names as the client library has always spelled them.
 */
#define BP_CLIENT_MAX_KEYS BP_VERIFY_MAX_KEYS
#define BP_CLIENT_MAX_TENANT_LEN BP_VERIFY_MAX_TENANT_LEN
#define BP_CLIENT_MAX_TOKEN_LEN BP_VERIFY_MAX_TOKEN_LEN
#define BP_CLIENT_CLOCK_SKEW BP_VERIFY_CLOCK_SKEW
/* Hex SHA-256 of a lease token: 64 characters (no NUL counted). */
#define BP_CLIENT_LEASE_HASH_HEX_LEN 64

typedef bp_verify_status bp_client_status;
#define BP_CLIENT_OK BP_VERIFY_OK
#define BP_CLIENT_BAD_ARGUMENT BP_VERIFY_BAD_ARGUMENT
#define BP_CLIENT_BAD_KEY BP_VERIFY_BAD_KEY
#define BP_CLIENT_MALFORMED BP_VERIFY_MALFORMED
#define BP_CLIENT_BAD_SIGNATURE BP_VERIFY_BAD_SIGNATURE
#define BP_CLIENT_UNKNOWN_KEY BP_VERIFY_UNKNOWN_KEY
#define BP_CLIENT_WRONG_PURPOSE BP_VERIFY_WRONG_PURPOSE
#define BP_CLIENT_WRONG_TYPE BP_VERIFY_WRONG_TYPE
#define BP_CLIENT_EXPIRED BP_VERIFY_EXPIRED
#define BP_CLIENT_NOT_YET_VALID BP_VERIFY_NOT_YET_VALID
#define BP_CLIENT_KEY_REVOKED BP_VERIFY_KEY_REVOKED
#define BP_CLIENT_KEY_NOT_VALID BP_VERIFY_KEY_NOT_VALID
#define BP_CLIENT_WRONG_TENANT BP_VERIFY_WRONG_TENANT
#define BP_CLIENT_ROLLBACK BP_VERIFY_ROLLBACK
#define BP_CLIENT_CHAIN_BROKEN BP_VERIFY_CHAIN_BROKEN
#define BP_CLIENT_BUFFER_TOO_SMALL BP_VERIFY_BUFFER_TOO_SMALL
#define BP_CLIENT_CAPACITY BP_VERIFY_CAPACITY
#define BP_CLIENT_CERT_INVALID BP_VERIFY_CERT_INVALID
#define BP_CLIENT_CERT_EXPIRED BP_VERIFY_CERT_EXPIRED
#define BP_CLIENT_NOT_FOR_US BP_VERIFY_NOT_FOR_US
#define BP_CLIENT_LEASE_REVOKED BP_VERIFY_LEASE_REVOKED
#define BP_CLIENT_N_STATUS BP_VERIFY_N_STATUS

typedef bp_purpose bp_client_purpose;
#define BP_CLIENT_PURPOSE_NONE BP_PURPOSE_NONE
#define BP_CLIENT_PURPOSE_ROOT BP_PURPOSE_ROOT
#define BP_CLIENT_PURPOSE_DECISION BP_PURPOSE_DECISION
#define BP_CLIENT_PURPOSE_LEASE BP_PURPOSE_LEASE
#define BP_CLIENT_PURPOSE_SNAPSHOT BP_PURPOSE_SNAPSHOT
#define BP_CLIENT_PURPOSE_AUDIT BP_PURPOSE_AUDIT

typedef bp_key_state bp_client_key_state;
#define BP_CLIENT_STATE_ACTIVE BP_KEY_ACTIVE
#define BP_CLIENT_STATE_PENDING BP_KEY_PENDING
#define BP_CLIENT_STATE_RETIRING BP_KEY_RETIRING
#define BP_CLIENT_STATE_RETIRED BP_KEY_RETIRED
#define BP_CLIENT_STATE_REVOKED BP_KEY_REVOKED

typedef bp_verify_key bp_client_key;
typedef bp_verifier bp_client_ctx;

/* Distinct names ("BAD_SIGNATURE") and sentences for each status. */
const char *bp_client_status_name(bp_client_status status);
const char *bp_client_strerror(bp_client_status status);

/* "root", "decision", ... <-> purpose; NONE for an unknown name. */
bp_client_purpose bp_client_purpose_from_name(const char *name, size_t len);
const char *bp_client_purpose_name(bp_client_purpose purpose);

/* The purpose whose key may sign a typ; NONE for an unknown typ. */
bp_client_purpose bp_client_purpose_of_typ(const char *typ, size_t len);

/* Empty context: no keys, no key set. */
void		bp_client_init(bp_client_ctx *ctx);

/*
 * Pin a public key, PASERK "k4.public.…" (NUL-terminated), for a purpose:
 * root keys verify key sets (and key certificates), purpose keys verify
 * tokens directly, without any key set.  Pinning the same key again for
 * the same purpose is a no-op; for another purpose it is BAD_ARGUMENT.
 */
bp_client_status bp_client_pin_key(bp_client_ctx *ctx, bp_client_purpose purpose,
								   const char *k4_public);

/*
 * Size of the work buffer that verifying (or loading) a token of token_len
 * characters needs at most; SIZE_MAX when token_len is too large.  The
 * payload JSON is handed back at the start of that buffer.
 */
size_t		bp_client_work_len(size_t token_len);

/*
 * Verify a key set token against a pinned root key (the footer's kid must
 * be a pinned root key, usable at now), typ "keyset", exp (required) and
 * nbf against now, and version >= the last version loaded (ROLLBACK
 * otherwise).  Every entry is checked (purpose, state, kid equal to the
 * k4.pid of public_key, RFC 3339 validity times) before anything changes:
 * on success the keys of the previous key set are replaced by these; on
 * failure the context is unchanged.  A key set entry with the kid of a
 * pinned key must have its purpose; it narrows the pinned key to the
 * entry's validity window, and when revoked revokes it.
 */
bp_client_status bp_client_load_keyset(bp_client_ctx *ctx,
									   const char *token, size_t token_len,
									   int64_t now,
									   void *work, size_t work_cap);

/*
 * Check only the signature and PASETO v4.public form of a token, with a key
 * given as PASERK k4.public and an implicit assertion (may be NULL when its
 * length is 0): no kid, typ, key state or time checks.  For generic PASETO
 * tokens and the official test vectors; Big Picture tokens go through
 * bp_client_verify.  work_cap >= bp_client_work_len(token_len) + implicit_len
 * suffices; the payload is at the start of work.
 */
bp_client_status bp_client_verify_paseto(const char *k4_public,
										 const char *token, size_t token_len,
										 const char *implicit, size_t implicit_len,
										 void *work, size_t work_cap, size_t *payload_len);

/* Flags for bp_client_verify_ex: BP_VERIFY_SKIP_TIME and BP_VERIFY_SIGNED_EARLIER. */
#define BP_CLIENT_SKIP_TIME BP_VERIFY_SKIP_TIME
#define BP_CLIENT_SIGNED_EARLIER BP_VERIFY_SIGNED_EARLIER

/*
 * Verify a token: find the key by the footer's kid, check its state and
 * window at now, the signature, that the payload is a JSON object whose typ
 * the key's purpose may sign (and equals expected_typ unless that is NULL),
 * exp > now and nbf <= now when present, and, for a tenant-scoped key, that
 * a tenant_id in the payload is that tenant (for a tenant's audit key, the
 * checkpoint's chain_id must be that tenant).  On success the payload JSON
 * is at the start of work, *payload_len bytes (not NUL-terminated);
 * work_cap >= bp_client_work_len(token_len) always suffices.
 */
bp_client_status bp_client_verify(const bp_client_ctx *ctx,
								  const char *token, size_t token_len,
								  const char *expected_typ, int64_t now,
								  void *work, size_t work_cap,
								  size_t *payload_len);
bp_client_status bp_client_verify_ex(const bp_client_ctx *ctx,
									 const char *token, size_t token_len,
									 const char *expected_typ, int64_t now,
									 unsigned flags,
									 void *work, size_t work_cap,
									 size_t *payload_len);

/*
 * Is a verified payload (from bp_client_verify) an answer to this install
 * and this request?  Decisions carry the install_id and nonce of the request
 * they answer, leases the install_id.  With install_id (NUL-terminated, or
 * NULL to skip) the payload's "install_id" must be that string; with nonce
 * (or NULL) its "nonce" must be: a token replayed from another install, or
 * an old answer replayed to a new request, is NOT_FOR_US.  A member that is
 * absent, null or not a string does not match.  No allocation: payloads of
 * more than BP_CLIENT_BINDING_MAX_TOKENS JSON tokens are BUFFER_TOO_SMALL.
 */
#define BP_CLIENT_BINDING_MAX_TOKENS 1024
bp_client_status bp_client_check_binding(const char *payload, size_t payload_len,
										 const char *install_id, const char *nonce);

/*
 * Lease chain.  Each lease of a subject carries "seq" (1, 2, ...) and
 * "prev_hash", the hex SHA-256 of the previous lease token's text ("" for
 * the first).  Given the previous lease token and its verified payload, the
 * next lease's verified payload must have seq = prev seq + 1 (ROLLBACK when
 * lower or equal, CHAIN_BROKEN when it skips) and prev_hash equal to the
 * hash of prev_token (CHAIN_BROKEN).  With prev_token NULL the next lease
 * must be the first: seq 1 and prev_hash "".
 */
bp_client_status bp_client_check_lease_chain(const char *prev_token, size_t prev_token_len,
											 const char *prev_payload, size_t prev_payload_len,
											 const char *next_payload, size_t next_payload_len);

/* Hex SHA-256 of a lease token's text into hex (65 bytes, NUL-terminated). */
void		bp_client_lease_hash(const char *token, size_t token_len,
								 char hex[BP_CLIENT_LEASE_HASH_HEX_LEN + 1]);

/*
 * A small stateful helper: follow one subject's leases in order.  Start
 * with bp_client_lease_chain_init (the next lease must be the first) and
 * feed each verified lease (token text and payload) to ..._next; the state
 * moves on only when the lease fits the chain.
 */
typedef struct bp_client_lease_chain
{
	int64_t		seq;			/* of the last lease accepted, 0 before any */
	char		hash[BP_CLIENT_LEASE_HASH_HEX_LEN + 1]; /* its token hash */
} bp_client_lease_chain;

void		bp_client_lease_chain_init(bp_client_lease_chain *chain);
bp_client_status bp_client_lease_chain_next(bp_client_lease_chain *chain,
											const char *token, size_t token_len,
											const char *payload, size_t payload_len);

/*
 * Lease revocation lists (src/core/revocations.h): a tenant's signed list
 * (typ lease_revocations) of its revoked leases that have not expired.
 * Load the latest list with ..._load_revocations (verified with ctx's keys
 * at now; another tenant's list than the one held is WRONG_TENANT, an
 * older one ROLLBACK, and on failure the held list is unchanged), then
 * check every verified lease payload: LEASE_REVOKED when the list of its
 * tenant names its lease_id.  A list keeps applying after its exp until a
 * newer one replaces it; an expired list is refused when loaded (EXPIRED).
 * At most BP_CLIENT_MAX_REVOCATIONS ids (CAPACITY); the struct is about
 * 530 KB: keep it static or on the heap.  One per tenant.
 */
#define BP_CLIENT_MAX_REVOCATIONS BP_REVOCATIONS_MAX
typedef bp_revocations bp_client_revocations;

void		bp_client_revocations_init(bp_client_revocations *rev);
bp_client_status bp_client_load_revocations(bp_client_revocations *rev, const bp_client_ctx *ctx,
											const char *token, size_t token_len, int64_t now,
											void *work, size_t work_cap);
bool		bp_client_revocations_contains(const bp_client_revocations *rev,
										   const char *lease_id, size_t len);
bp_client_status bp_client_check_lease_revoked(const bp_client_revocations *rev,
											   const char *payload, size_t payload_len);

/*
 * RFC 3339 date-time "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" to Unix
 * seconds (fraction truncated toward the earlier second), without locale or
 * time zone functions.  'T' and 'Z' may be lower case; a leap second :60 is
 * accepted and counts as the next minute's :00.  false on anything else,
 * including impossible dates (2026-02-29) and trailing text.
 */
bool		bp_client_parse_rfc3339(const char *s, size_t len, int64_t *out);

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
int64_t		bp_client_days_from_civil(int64_t y, unsigned m, unsigned d);

#ifdef __cplusplus
}
#endif

#endif							/* BP_CLIENT_H */
