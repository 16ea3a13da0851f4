/*
 * bp_client.h — libbigpicture-client: verify Big Picture tokens offline.
 *
 * A client pins the root public key (or purpose keys directly), loads the
 * key set the server publishes (a PASETO v4.public token, typ "keyset",
 * signed by a pinned root key), and then verifies decisions, leases,
 * releases, snapshots, checkpoints and key certificates: signature, the
 * signing key's purpose, state and validity window, typ, exp and nbf, the
 * tenant of a tenant-scoped key, and for leases the sequence chain.  See
 * DESIGN.md §5, §6, §9 and §11.
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
 *   lease -> lease    snapshot -> snapshot    checkpoint -> audit
 *
 * Times: the caller passes "now" as Unix seconds, so nothing here reads a
 * clock.  Payload times are RFC 3339 (bp_client_parse_rfc3339).  A token is
 * refused when exp <= now or nbf > now, or when its iat is more than
 * BP_CLIENT_CLOCK_SKEW seconds after now (NOT_YET_VALID: a clock is wrong);
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

#define BP_CLIENT_MAX_KEYS 64
#define BP_CLIENT_MAX_TENANT_LEN 128
/* Longest token accepted at all (a snapshot can be large, but not this). */
#define BP_CLIENT_MAX_TOKEN_LEN (64u * 1024u * 1024u)
/* How far a token's iat may be ahead of the caller's clock (seconds). */
#define BP_CLIENT_CLOCK_SKEW 300
/* Hex SHA-256 of a lease token: 64 characters (no NUL counted). */
#define BP_CLIENT_LEASE_HASH_HEX_LEN 64

typedef enum bp_client_status
{
	BP_CLIENT_OK = 0,
	BP_CLIENT_BAD_ARGUMENT,		/* NULL pointer, unknown purpose name, ... */
	BP_CLIENT_BAD_KEY,			/* a pinned key is not a valid k4.public PASERK */
	BP_CLIENT_MALFORMED,		/* token, footer or payload is not well formed */
	BP_CLIENT_BAD_SIGNATURE,	/* the signature does not verify */
	BP_CLIENT_UNKNOWN_KEY,		/* no pinned or key set key has the footer's kid */
	BP_CLIENT_WRONG_PURPOSE,	/* the key's purpose may not sign this typ */
	BP_CLIENT_WRONG_TYPE,		/* typ is not the one the caller expects */
	BP_CLIENT_EXPIRED,			/* exp <= now */
	BP_CLIENT_NOT_YET_VALID,	/* nbf > now */
	BP_CLIENT_KEY_REVOKED,		/* the signing key is revoked */
	BP_CLIENT_KEY_NOT_VALID,	/* key pending, retired, or outside its window */
	BP_CLIENT_WRONG_TENANT,		/* tenant-scoped key, payload of another tenant */
	BP_CLIENT_ROLLBACK,			/* key set version or lease seq went backwards */
	BP_CLIENT_CHAIN_BROKEN,		/* lease seq skipped, or prev_hash mismatch */
	BP_CLIENT_BUFFER_TOO_SMALL, /* the work buffer is smaller than needed */
	BP_CLIENT_CAPACITY,			/* more keys than BP_CLIENT_MAX_KEYS */
	BP_CLIENT_CERT_INVALID,		/* key certificate malformed, not root-signed, wrong key */
	BP_CLIENT_CERT_EXPIRED,		/* key certificate past its exp (or before its nbf) */
	BP_CLIENT_NOT_FOR_US		/* install_id or nonce is another install's or request's */
} bp_client_status;

#define BP_CLIENT_N_STATUS (BP_CLIENT_NOT_FOR_US + 1)

typedef enum bp_client_purpose
{
	BP_CLIENT_PURPOSE_NONE = 0,
	BP_CLIENT_PURPOSE_ROOT,
	BP_CLIENT_PURPOSE_DECISION,
	BP_CLIENT_PURPOSE_LEASE,
	BP_CLIENT_PURPOSE_SNAPSHOT,
	BP_CLIENT_PURPOSE_AUDIT
} bp_client_purpose;

typedef enum bp_client_key_state
{
	BP_CLIENT_STATE_ACTIVE = 0,
	BP_CLIENT_STATE_PENDING,
	BP_CLIENT_STATE_RETIRING,
	BP_CLIENT_STATE_RETIRED,
	BP_CLIENT_STATE_REVOKED
} bp_client_key_state;

typedef struct bp_client_key
{
	char		kid[BP_PASERK_K4_PID_LEN];	/* k4.pid text, not NUL-terminated */
	uint8_t		pk[BP_PASERK_K4_PUBLIC_KEY_BYTES];
	bp_client_purpose purpose;
	bp_client_key_state state;
	bool		pinned;			/* pinned by the caller, not from a key set */
	bool		has_valid_from;
	bool		has_valid_until;
	int64_t		valid_from;
	int64_t		valid_until;
	bool		has_tenant;		/* tenant_id not null */
	size_t		tenant_len;
	char		tenant[BP_CLIENT_MAX_TENANT_LEN];
} bp_client_key;

typedef struct bp_client_ctx
{
	size_t		n_keys;
	bp_client_key keys[BP_CLIENT_MAX_KEYS];
	bool		keyset_loaded;
	int64_t		keyset_version; /* of the last key set loaded */
	int64_t		keyset_exp;		/* its exp, Unix seconds */
} bp_client_ctx;

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
 * pinned key must have its purpose; when revoked it revokes the pinned key.
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

/* Flags for bp_client_verify_ex. */
#define BP_CLIENT_SKIP_TIME 0x1 /* do not check exp and nbf (not the key's window) */
/*
 * The token records the past (an audit checkpoint): the key must be known
 * and not revoked, but its state (pending, retired) and validity window are
 * not checked, as the server's verify_audit_chain does.  Not for key sets.
 */
#define BP_CLIENT_SIGNED_EARLIER 0x2

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
 * Lease chain (§9).  Each lease of a subject carries "seq" (1, 2, ...) and
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
 * RFC 3339 date-time "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" to Unix
 * seconds (fraction truncated toward the earlier second), without locale or
 * time zone functions.  'T' and 'Z' may be lower case; a leap second :60 is
 * accepted and counts as the next minute's :00.  false on anything else,
 * including impossible dates (2026-02-29) and trailing text.
 */
bool		bp_client_parse_rfc3339(const char *s, size_t len, int64_t *out);

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
int64_t		bp_client_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif							/* BP_CLIENT_H */
