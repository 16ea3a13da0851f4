/*
 * agent.h — the update-check cycle of a desktop client (libbigpicture-client).
 *
 * bp_client.h verifies a token it is handed.  The agent does the rest of
 * what the trust model asks of a client: it asks the service (HTTP, through
 * a transport callback; libcurl's by default), verifies the answer with the
 * pinned root keys and the key set, binds it to this install and request,
 * and keeps the last verified key sets, decision, lease and revocation list
 * in a state directory.  When the service cannot be asked it answers from
 * that directory while the cached answer is still valid, and says so.
 *
 * The state directory is untrusted storage: everything in it is verified
 * again whenever it is read (signature, binding, expiry), files are written
 * whole (a temporary file, fsync, rename), and a copy older than one already
 * seen is refused (ROLLBACK: a key set of a lower version, a decision issued
 * before the last one, a lease earlier in its chain, an older revocation
 * list).  The high-water marks are kept in the same directory (file "seen"),
 * so they catch one file swapped for an older copy, not a whole directory
 * rolled back by someone who may write all of it.  A clock earlier than a
 * time already seen (by more than BP_VERIFY_CLOCK_SKEW) makes every cached
 * answer CLOCK_BACK: moving the clock back cannot revive an expired lease.
 *
 * Root rotation: the key set is fetched as every copy the service signs
 * (GET /rpc/keyset's "keysets", one per root key in service), and the first
 * that verifies is taken.  A root key listed in a trusted key set is trusted
 * to sign the next key set, so a client built with only the old root follows
 * the rotation; the key sets that introduced such a root are kept in the
 * state directory (file "keysets", oldest first) and verified again, in
 * order, from the pinned roots, on every start.
 *
 * Times: "now" is wall-clock Unix seconds from the caller, as everywhere in
 * the client library; timeouts use the monotonic clock.  Unlike bp_client.h
 * the agent allocates (malloc), and one agent must not be used by two
 * threads at once.  sodium_init() must have been called.  See
 * docs/client.md.
 */
#ifndef BP_AGENT_H
#define BP_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp_client.h"

#ifdef __cplusplus
extern "C"
{
#endif

/*
 * Statuses: BP_AGENT_OK, the verifier's statuses (bp_client_status, 1 to
 * BP_CLIENT_N_STATUS - 1: a token that does not verify), and these.
 */
typedef int bp_agent_status;
#define BP_AGENT_OK 0
#define BP_AGENT_UNREACHABLE 64	/* the service could not be asked, nothing valid is cached */
#define BP_AGENT_SERVER_ERROR 65	/* the service answered with an HTTP error */
#define BP_AGENT_BAD_RESPONSE 66	/* the answer is not what the API documents */
#define BP_AGENT_STATE_ERROR 67 /* the state directory cannot be read or written */
#define BP_AGENT_CLOCK_BACK 68	/* the clock is earlier than a time already seen */
#define BP_AGENT_NO_CACHE 69	/* nothing cached for this question */
#define BP_AGENT_NO_ARTIFACT 70 /* the decision names no artifact */
#define BP_AGENT_ARTIFACT_SIZE 71	/* the file's size is not the artifact's */
#define BP_AGENT_ARTIFACT_HASH 72	/* the file's SHA-256 is not the artifact's */
#define BP_AGENT_FILE_ERROR 73	/* the file cannot be read */
#define BP_AGENT_NO_MEMORY 74
#define BP_AGENT_BAD_OPTION 75	/* an option is missing or not valid */

/* "UNREACHABLE", ... (the verifier's names for its statuses). */
const char *bp_agent_status_name(bp_agent_status status);
const char *bp_agent_strerror(bp_agent_status status);

/* ---- transport ------------------------------------------------------------------------------ */

typedef struct bp_agent_request
{
	const char *method;			/* "GET" or "POST" */
	const char *url;			/* service_url followed by the path, e.g. …/rpc/decision */
	const char *authorization;	/* "Bearer …", or NULL */
	const char *body;			/* JSON (POST), or NULL */
	size_t		body_len;
	long		timeout_ms;		/* the time left: the transport may not take longer */
	size_t		max_body;		/* answers longer than this are refused */
} bp_agent_request;

typedef struct bp_agent_response
{
	long		status;			/* HTTP status */
	char	   *body;			/* malloc'ed by the transport, freed by the agent */
	size_t		body_len;
	char		error[256];		/* when there is no answer: why (NUL-terminated) */
} bp_agent_response;

/*
 * Send one request.  0: an HTTP answer (of any status) is in *resp; nonzero:
 * there is none (connection refused, timeout, TLS failure, too long), and
 * resp->error says why.
 */
typedef int (*bp_agent_transport) (void *arg, const bp_agent_request *req, bp_agent_response *resp);

/* The default transport: libcurl, no redirects, HTTP and HTTPS only. */
int			bp_agent_curl_transport(void *arg, const bp_agent_request *req, bp_agent_response *resp);

/* ---- the agent ------------------------------------------------------------------------------ */

typedef struct bp_agent_options
{
	const char *service_url;	/* e.g. "https://updates.example.com" (no trailing /) */
	const char *state_dir;		/* created (mode 0700) when missing */
	const char *const *roots;	/* pinned root keys, PASERK k4.public */
	size_t		n_roots;
	const char *install_id;		/* required: decisions and leases are bound to it */
	const char *access_token;	/* the install's JWT (sent as Bearer), or NULL */
	const char *platform;		/* for decisions, e.g. "windows" */
	const char *arch;			/* e.g. "x86_64" */
	long		timeout_ms;		/* the most one call may wait for the service; 0: 5000 */
	int64_t		keyset_grace;	/* seconds an expired cached key set still verifies cached
								 * answers while the service is unreachable; 0: 7 days */
	bp_agent_transport transport;	/* NULL: bp_agent_curl_transport */
	void	   *transport_arg;
} bp_agent_options;

typedef struct bp_agent bp_agent;

/*
 * Open the state directory and verify what it holds.  Cached files that do
 * not verify are not used (bp_agent_detail says which); that is not an
 * error.  On failure *agent is NULL and detail (may be NULL) holds a
 * sentence.
 */
bp_agent_status bp_agent_open(const bp_agent_options *options, int64_t now, bp_agent **agent,
							  char *detail, size_t detail_cap);
void		bp_agent_close(bp_agent *agent);

/* A sentence about the last failure or fallback (never NULL). */
const char *bp_agent_detail(const bp_agent *agent);

typedef enum bp_agent_source
{
	BP_AGENT_FROM_SERVICE = 0,
	BP_AGENT_FROM_CACHE
} bp_agent_source;

typedef struct bp_agent_result
{
	bp_agent_source source;
	bp_agent_status offline_status; /* FROM_CACHE: why the service's answer was not used */
	char	   *token;			/* the verified token, NUL-terminated */
	char	   *payload;		/* its payload JSON, NUL-terminated */
	size_t		payload_len;
	int64_t		issued_at;		/* the payload's iat (0 when absent) */
	int64_t		expires_at;		/* the payload's exp */
} bp_agent_result;

/* Free what a result holds (and zero it). */
void		bp_agent_result_free(bp_agent_result *result);

/*
 * Refresh the key set from the service (GET /rpc/keyset): the newest copy
 * that verifies with the trusted roots is kept.  bp_agent_check and
 * bp_agent_lease call it themselves when the key set is missing, past half
 * its life, or a token names a key it does not know.
 */
bp_agent_status bp_agent_refresh_keys(bp_agent *agent, int64_t now);

/*
 * Should this product be updated?  POST /rpc/decision for one product
 * (channel may be NULL: the policy's), verified as a decision, for this
 * install and a fresh nonce, and for this product; then kept.  When the
 * service cannot be asked (or answers with a server error, 5xx), the
 * cached decision for the product, if still valid, with source
 * FROM_CACHE.  A 4xx answer is an error, not a fallback: the service said no.
 */
bp_agent_status bp_agent_check(bp_agent *agent, const char *product_id, const char *current_version,
							   const char *channel, int64_t now, bp_agent_result *result);

/*
 * May this subject run the product?  A lease: the cached one renewed
 * (POST /rpc/lease_renew) or a new one (POST /rpc/lease), verified, bound to
 * this install, in its chain after the cached lease, and not on its
 * tenant's revocation list (fetched with it).  Offline, the cached lease
 * while it is valid and not revoked by the cached list.
 */
bp_agent_status bp_agent_lease(bp_agent *agent, const char *product_id, const char *subject_type,
							   const char *subject_id, int64_t now, bp_agent_result *result);

/*
 * The cached decision for a product, verified again (signature, binding),
 * whatever its age: what bp_agent_verify_file compares a download with.
 */
bp_agent_status bp_agent_cached_decision(bp_agent *agent, const char *product_id, int64_t now,
										 bp_agent_result *result);

/*
 * Compare a file with the artifact of a verified decision payload: its size
 * and SHA-256, read in chunks (files larger than memory are fine).
 * NO_ARTIFACT when the payload names none, ARTIFACT_SIZE, ARTIFACT_HASH,
 * FILE_ERROR; detail (may be NULL) gets a sentence.
 */
bp_agent_status bp_agent_check_artifact(const char *payload, size_t payload_len, const char *path,
										char *detail, size_t detail_cap);

/* The cached decision for product_id and bp_agent_check_artifact on path. */
bp_agent_status bp_agent_verify_file(bp_agent *agent, const char *product_id, const char *path,
									 int64_t now);

/*
 * What the state directory holds, verified again, as one JSON object
 * (malloc'ed, NUL-terminated; free() it): the key set's version and expiry
 * and the roots trusted, and each cached decision, lease and revocation list
 * with its status name.
 */
bp_agent_status bp_agent_status_json(bp_agent *agent, int64_t now, char **json);

#ifdef __cplusplus
}
#endif

#endif							/* BP_AGENT_H */
