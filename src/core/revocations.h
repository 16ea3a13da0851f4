/*
 * revocations.h — a tenant's signed list of revoked leases, and checking a
 * lease against it (issue #19: revoked leases stop verifying for clients
 * that can hear it).
 *
 * The server publishes, per tenant, a token of typ "lease_revocations"
 * (bigpicture.lease_revocations(), GET /rpc/lease_revocations) signed by
 * the lease key that signs that tenant's leases (on a mirror a certified
 * key, the certificate in the footer, exactly as for leases):
 *
 *   {"typ":"lease_revocations","iss":…,"iat":…,"exp":…,"tenant_id":"…",
 *    "version":<integer >= 0>,"leases":["lease_…", …]}
 *
 * leases: the ids of the tenant's revoked leases that have not expired yet,
 * each a string of 1..BP_REVOCATIONS_MAX_ID_LEN bytes (unescaped), no id
 * twice.  version grows whenever the set of revocations grows (it never
 * goes back); iat orders two lists of the same version.
 *
 * A bp_revocations holds one tenant's latest list.  Loading verifies the
 * token (bp_verify_token with typ lease_revocations: signature, a lease
 * key, exp > now, ...), then the members above (MALFORMED otherwise), then
 * against the list already held: another tenant's is WRONG_TENANT, a lower
 * version, or the same version with an earlier iat, is ROLLBACK.  On any
 * failure the held list is unchanged; on success it is replaced.
 *
 * Revocations are permanent facts: a list keeps applying after its own exp
 * until a newer one replaces it (exp only bounds how long a frozen copy of
 * an old list could be replayed to a new client), but an expired list is
 * refused when loaded (EXPIRED), like any token.  A client that holds lists
 * of several tenants keeps one bp_revocations per tenant.
 *
 * The ids are kept sorted (bytewise, a shorter prefix first) for binary
 * search.  At most BP_REVOCATIONS_MAX ids (CAPACITY beyond); the struct is
 * about 530 KB, so keep it static or on the heap, not on a thread's stack.
 * Pure C99, no allocation, no global state; sodium_init() must have been
 * called (verification).
 */
#ifndef BP_REVOCATIONS_H
#define BP_REVOCATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verify.h"

#ifdef __cplusplus
extern "C"
{
#endif

#define BP_REVOCATIONS_MAX 4096
#define BP_REVOCATIONS_MAX_ID_LEN 128
/* Lease payloads are small: more JSON tokens than this is BUFFER_TOO_SMALL. */
#define BP_REVOCATIONS_LEASE_MAX_TOKENS 1024

typedef struct bp_revocations
{
	bool		loaded;			/* false: no list yet, nothing is revoked */
	size_t		tenant_len;
	char		tenant[BP_VERIFY_MAX_TENANT_LEN];	/* not NUL-terminated */
	int64_t		version;
	int64_t		iat;			/* Unix seconds */
	int64_t		exp;			/* when to fetch a newer list; it still applies after */
	size_t		n_ids;
	uint8_t		id_len[BP_REVOCATIONS_MAX];
	char		ids[BP_REVOCATIONS_MAX][BP_REVOCATIONS_MAX_ID_LEN]; /* sorted, not NUL-terminated */
} bp_revocations;

/* No list: nothing revoked, and any tenant's list may be loaded. */
void		bp_revocations_init(bp_revocations *r);

/*
 * Verify a lease_revocations token with v's keys at now and replace the
 * held list with it (see the top of this file).  work_cap >=
 * bp_verify_work_len(token_len) suffices; work must not overlap r.
 */
bp_verify_status bp_revocations_load(bp_revocations *r, const bp_verifier *v,
									 const char *token, size_t token_len, int64_t now,
									 void *work, size_t work_cap);

/* Is lease_id (len bytes) on the held list?  false when none is held. */
bool		bp_revocations_contains(const bp_revocations *r, const char *lease_id, size_t len);

/*
 * Check a VERIFIED lease payload (from bp_verify_token, typ lease) against
 * the held list: LEASE_REVOKED when its tenant_id is the list's tenant and
 * its lease_id is listed, OK otherwise, also when no list is held or the
 * list is another tenant's (it does not apply; the caller holds one list
 * per tenant).  A payload that is not a JSON object with typ "lease"
 * (WRONG_TYPE) and string members tenant_id and lease_id is MALFORMED.
 */
bp_verify_status bp_revocations_check_lease(const bp_revocations *r,
											const char *payload, size_t payload_len);

#ifdef __cplusplus
}
#endif

#endif							/* BP_REVOCATIONS_H */
