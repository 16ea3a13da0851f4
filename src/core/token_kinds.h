/*
 * token_kinds.h — the one rule table of signed tokens: each kind (the
 * payload's typ), the key purpose that signs it, whether it must carry exp,
 * and the longest lifetime the signer gives it.  The signer (the extension),
 * the verifier (src/core/verify.c, used by SQL, the gateway and the client)
 * and the documentation all read it from here.  Pure C99, constant data.
 */
#ifndef BP_TOKEN_KINDS_H
#define BP_TOKEN_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

/* Key purposes; the numbering is part of the client library's ABI. */
typedef enum bp_purpose
{
	BP_PURPOSE_NONE = 0,
	BP_PURPOSE_ROOT,			/* key sets, key certificates */
	BP_PURPOSE_DECISION,		/* update decisions, release metadata */
	BP_PURPOSE_LEASE,
	BP_PURPOSE_SNAPSHOT,
	BP_PURPOSE_AUDIT			/* audit checkpoints */
} bp_purpose;

#define BP_PURPOSE_FIRST BP_PURPOSE_ROOT
#define BP_PURPOSE_LAST BP_PURPOSE_AUDIT

typedef struct bp_token_kind
{
	const char *typ;			/* the payload's "typ" */
	bp_purpose	purpose;		/* the only purpose whose key may sign it */
	bool		needs_exp;		/* signed with exp; a verifier refuses it without */
	int64_t		max_lifetime;	/* exp - iat at most (seconds); 0: no bound here */
} bp_token_kind;

/* Every kind, in a fixed order; bp_n_token_kinds entries. */
extern const bp_token_kind bp_token_kinds[];
extern const size_t bp_n_token_kinds;

/* The kind of a typ (len bytes, not NUL-terminated), or NULL when unknown. */
const bp_token_kind *bp_token_kind_of(const char *typ, size_t len);

/* "root", "decision", ... <-> purpose; NONE for an unknown name. */
bp_purpose	bp_purpose_from_name(const char *name, size_t len);
/* The name of a purpose; "none" for NONE or an unknown value. */
const char *bp_purpose_name(bp_purpose purpose);

#ifdef __cplusplus
}
#endif

#endif							/* BP_TOKEN_KINDS_H */
