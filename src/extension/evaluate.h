/*
 * evaluate.h — the decision engine (evaluate.c) as decisions.c uses it.
 */
#ifndef BP_EVALUATE_H
#define BP_EVALUATE_H

#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/hsearch.h"
#include "utils/snapshot.h"

#include "decide.h"

typedef struct bp_eval_cache bp_eval_cache;

/* What the client says it can do (the request's capabilities object). */
typedef struct bp_caps
{
	Jsonb	   *json;			/* the object itself ({} when absent) */
	bool		can_elevate;
	char	   *install_scope;	/* "user", "machine" or NULL */
	bool		has_installer_types;
	char	  **installer_types;	/* in the client's order of preference */
	int			n_installer_types;
	bp_decide_caps rules;		/* the same, as src/core/decide.c takes them */
} bp_caps;

/* A merged policy: each field's JSON value and the scope that supplied it. */
typedef struct bp_policy
{
	char	   *value_json[BP_POLICY_FIELDS];	/* NULL: no scope set the field */
	char	   *source[BP_POLICY_FIELDS];
	/* the same, typed, for evaluation */
	const char *mode;
	char	   *channel;
	char	   *pinned_range;
	bool		has_blocked;
	char	  **blocked;
	int			n_blocked;
	Jsonb	   *window;
	bool		allow_prerelease;
	const char *expired_rule;
} bp_policy;

typedef struct bp_eval_input
{
	const char *tenant_id;
	bool		tenant_active;
	const char *install_id;		/* NULL: the tenant id buckets rollouts */
	const char *platform;
	const char *arch;
	const bp_caps *caps;
	const char *product_id;
	const char *current_version;	/* canonical SemVer text or NULL */
	const char *requested_channel;
	bool		with_trace;
} bp_eval_input;


/* The artifact a release ships for the client's platform and arch. */
typedef struct bp_artifact
{
	char	   *url;
	char	   *sha256;
	int64		size;
	char	   *installer_type;
	bool		requires_admin;
	char	   *install_scope;
} bp_artifact;

typedef struct bp_decision
{
	const char *product_id;
	bool		visible;
	bp_action	action;
	const char *mode;
	const char *channel;
	bp_policy	policy;			/* when visible */
	bool		have_target;
	char	   *release_id;
	char	   *version;
	bool		critical;
	bool		has_bucket;
	int			bucket;
	bool		enters_rollout;	/* the target is under a rollout this install had not entered */
	bp_artifact artifact;
	bp_reasons	reasons;
	StringInfo	trace;			/* JSON array text when tracing */
} bp_decision;

/* All of these run inside the caller's SPI connection. */
extern void bp_caps_from_jsonb(Jsonb *json, bp_caps *caps);
extern void bp_effective_policy(const char *tenant_id, const char *product_id, const char *platform,
								const char *requested_channel, bp_policy *pol);
extern void bp_policy_append_json(StringInfo out, const bp_policy *pol, bool sources);
extern void bp_evaluate(const bp_eval_input *in, bp_decision *d);
extern bool bp_schema_has_rollout_members(void);
extern void bp_decision_append_reasons(StringInfo out, const bp_decision *d);
extern void bp_decision_append_claims(StringInfo out, const bp_decision *d, bool full_artifact);
extern void bp_decision_append_json(StringInfo out, const bp_decision *d, bool with_trace);
extern void bp_decision_append_rationale(StringInfo out, const bp_decision *d);
extern void bp_append_json_string_or_null(StringInfo out, const char *s);

/*
 * Many decisions in one snapshot (the dry run): what does not depend on the
 * install — tenant, product, entitlement, merged policy, candidates, a
 * rollout's members and velocity — is read once and kept in the cache's
 * memory context.  bp_evaluate_cached gives the decision bp_evaluate would
 * give in that snapshot (without a trace); in->caps must be the same for
 * every call.
 */
/*
 * Hash tables whose entries start with a char * key (see evaluate.c); enter
 * returns the entry, zeroed and holding a copy of key in cxt when new.
 */
extern HTAB *bp_string_table(const char *name, Size entrysize, MemoryContext cxt);
extern void *bp_string_table_enter(HTAB *table, Size entrysize, MemoryContext cxt, const char *key, bool *found);

extern bp_eval_cache *bp_eval_cache_create(Snapshot snapshot, MemoryContext parent);
extern void bp_evaluate_cached(bp_eval_cache *cache, const bp_eval_input *in, bp_decision *d);

#endif							/* BP_EVALUATE_H */
