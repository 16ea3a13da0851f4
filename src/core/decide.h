/*
 * decide.h — the update decision's rules, over plain structs (docs/decisions.md):
 * which artifact of a release suits the client, whether a candidate release
 * is kept or dropped and why, and, for the release kept, the action and the
 * reasons.  No PostgreSQL, no allocation: the extension fetches the rows
 * (src/extension/evaluate.c) and renders the answer; the dry run, tests and
 * fuzzing drive the same rules.
 *
 * A decision, in order:
 *   1. tenant active and product visible (else NONE: tenant_suspended or
 *      not_entitled, the caller's check);
 *   2. the merged policy: each field from the most specific row that sets it
 *      (bp_decide_merge_policy; the caller reads the rows);
 *   3.–5. candidates newest first: blocked, prerelease, pinned range,
 *      entitlement, rollout (bucket, paused, halted, velocity) — the first
 *      kept is the target, the ones after it "older_than_target";
 *   6.–7. the action from the mode, lowered by the client's capabilities
 *      and the maintenance window.
 */
#ifndef BP_DECIDE_H
#define BP_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "semver.h"

#ifdef __cplusplus
extern "C"
{
#endif

typedef enum bp_reason
{
	BP_REASON_NONE = 0,			/* kept: no reason to drop */
	BP_REASON_UPDATE_AVAILABLE,
	BP_REASON_UP_TO_DATE,
	BP_REASON_BLOCKED,
	BP_REASON_OUTSIDE_PINNED_RANGE,
	BP_REASON_ROLLOUT_NOT_REACHED,
	BP_REASON_ROLLOUT_VELOCITY,
	BP_REASON_PRERELEASE_NOT_ALLOWED,
	BP_REASON_ENTITLEMENT_EXPIRED,
	BP_REASON_MANAGED_BY_IT,
	BP_REASON_INSTALLER_REQUIRES_ADMIN,
	BP_REASON_INSTALLER_TYPE_UNSUPPORTED,
	BP_REASON_OUTSIDE_MAINTENANCE_WINDOW,
	BP_REASON_NOT_ENTITLED,
	BP_REASON_TENANT_SUSPENDED,
	BP_REASON_CURRENT_VERSION_REVOKED,
	BP_REASON_UNKNOWN_CHANNEL,
	BP_REASON_OLDER_THAN_TARGET,	/* in traces only, never a decision's reason */
	BP_REASON_COUNT
} bp_reason;

/* "update_available" …; NULL out of range */
const char *bp_reason_name(bp_reason r);
/* the reason in words, for a decision's rationale */
const char *bp_reason_text(bp_reason r);

typedef enum bp_action
{
	BP_ACTION_NONE = 0,
	BP_ACTION_NOTIFY,
	BP_ACTION_DOWNLOAD,
	BP_ACTION_INSTALL
} bp_action;

/* "NONE", "NOTIFY", "DOWNLOAD", "INSTALL" */
const char *bp_action_name(bp_action a);

typedef enum bp_mode
{
	BP_MODE_AUTO_INSTALL = 0,
	BP_MODE_NOTIFY_ONLY,
	BP_MODE_MANAGED_BY_IT
} bp_mode;

/* AUTO_INSTALL, NOTIFY_ONLY or MANAGED_BY_IT; false for anything else */
bool		bp_mode_from_name(const char *name, bp_mode *mode);

typedef enum bp_expired_rule
{
	BP_EXPIRED_NONE = 0,		/* no update once the entitlement has ended */
	BP_EXPIRED_ALL,				/* every release still */
	BP_EXPIRED_PUBLISHED_BEFORE_EXPIRY	/* those published before it ended */
} bp_expired_rule;

bool		bp_expired_rule_from_name(const char *name, bp_expired_rule *rule);

typedef enum bp_scope
{
	BP_SCOPE_UNKNOWN = 0,		/* the client did not say */
	BP_SCOPE_USER,
	BP_SCOPE_MACHINE
} bp_scope;

/* What the client says it can do. */
typedef struct bp_decide_caps
{
	bool		can_elevate;
	bp_scope	install_scope;
	bool		has_installer_types;	/* false: any installer type */
	const char *const *installer_types; /* in the client's order of preference */
	size_t		n_installer_types;
} bp_decide_caps;

/* ---- the merged policy ---------------------------------------------------------------- */

typedef enum bp_policy_field
{
	BP_POLICY_MODE = 0,
	BP_POLICY_CHANNEL,
	BP_POLICY_PINNED_RANGE,
	BP_POLICY_BLOCKED,
	BP_POLICY_MAINTENANCE_WINDOW,
	BP_POLICY_ALLOW_PRERELEASE,
	BP_POLICY_EXPIRED_UPDATES,
	BP_POLICY_FIELDS
} bp_policy_field;

/* "mode", "channel", … as the policy tables name them; NULL out of range */
const char *bp_policy_field_name(bp_policy_field f);

/* Where a policy row comes from, most specific first. */
typedef enum bp_policy_scope
{
	BP_POLICY_TENANT_PRODUCT = 1,
	BP_POLICY_PRODUCT,
	BP_POLICY_TENANT,
	BP_POLICY_GLOBAL
} bp_policy_scope;

/* "tenant_product", "product", "tenant", "global"; NULL out of range */
const char *bp_policy_scope_name(bp_policy_scope s);

/* One policy row that applies: its scope, whether it is for one platform, and which fields it sets. */
typedef struct bp_policy_layer
{
	bp_policy_scope scope;
	bool		platform;		/* a row for the request's platform, not platform-wide */
	bool		set[BP_POLICY_FIELDS];
} bp_policy_layer;

/*
 * 2. Merge the rows that apply: each field from the most specific row that
 * sets it — scope by scope (tenant product, product, tenant, global), a
 * platform's row before the platform-wide one of the same scope.
 * from[f] is the index in layers of the row that supplies field f, or -1
 * when none does (the default applies: bp_policy_defaults).  Returns false
 * when two rows have the same scope and platformness (the tables' keys
 * forbid it) or a scope is out of range.
 */
bool		bp_decide_merge_policy(const bp_policy_layer *layers, size_t n, int from[BP_POLICY_FIELDS]);

/* What applies where no row sets a field (the channel: the request's, else this). */
#define BP_POLICY_DEFAULT_MODE BP_MODE_NOTIFY_ONLY
#define BP_POLICY_DEFAULT_CHANNEL "stable"
#define BP_POLICY_DEFAULT_ALLOW_PRERELEASE false
#define BP_POLICY_DEFAULT_EXPIRED_RULE BP_EXPIRED_PUBLISHED_BEFORE_EXPIRY

/* "AUTO_INSTALL" …; "none" …: the names the *_from_name functions take */
const char *bp_mode_name(bp_mode mode);
const char *bp_expired_rule_name(bp_expired_rule rule);

/* ---- the artifact -------------------------------------------------------------------- */

/*
 * An artifact's rank for this client, smaller first: one of an installer
 * type it runs; then one it can install without rights it lacks (unknown
 * when it did not say its scope: after both); then in its order of
 * installer types.  Equal ranks are broken by installer type (unique within
 * a release's platform and arch).
 */
typedef struct bp_artifact_rank
{
	int			key[3];
	const char *installer_type;
} bp_artifact_rank;

void		bp_decide_rank_artifact(const bp_decide_caps *caps, const char *installer_type, bool requires_admin,
									bp_scope artifact_scope, bp_artifact_rank *rank);
bool		bp_decide_ranks_before(const bp_artifact_rank *a, const bp_artifact_rank *b);

/* ---- candidates ----------------------------------------------------------------------- */

/* The rules one product's candidates are judged by. */
typedef struct bp_decide_rules
{
	bool		allow_prerelease;	/* the channel's or the policy's */
	const bp_semver_range *pinned;	/* NULL: none */
	const bp_semver_range *blocked;
	size_t		n_blocked;
	bool		requires_entitlement;
	bool		entitlement_active;
	bool		has_cutoff;		/* when the entitlement ended */
	int64_t		cutoff;			/* any clock; compared with published_at */
	bp_expired_rule expired_rule;
} bp_decide_rules;

typedef struct bp_decide_candidate
{
	const bp_semver *version;
	bool		has_published;
	int64_t		published_at;
	/* its rollout, when it has one */
	bool		has_rollout;
	int			bucket;			/* this install's, 0..9999 (src/core/rollout.c) */
	int			percentage;		/* basis points */
	bool		paused;
	bool		halted;			/* no new install enters */
	bool		member;			/* this install entered it before */
	int			max_new_per_hour;	/* 0: no limit */
} bp_decide_candidate;

/*
 * Has the rollout let its max_new_per_hour in this hour?  Asked only of a
 * candidate this install would enter, so the caller's count runs seldom.
 */
typedef bool (*bp_rollout_full_fn) (void *ctx, const bp_decide_candidate *c);

/*
 * Why the candidate is dropped, or BP_REASON_NONE when it is kept (the
 * target, when none was kept before: have_target false).
 */
bp_reason	bp_decide_drop(const bp_decide_rules *rules, const bp_decide_candidate *c, bool have_target,
						   bp_rollout_full_fn rollout_full, void *ctx);

/* Does the install enter the rollout by taking this candidate? */
bool		bp_decide_enters_rollout(const bp_decide_candidate *c);

/* ---- reasons and the action ----------------------------------------------------------- */

#define BP_DECIDE_MAX_REASONS 16

typedef struct bp_reasons
{
	bp_reason	r[BP_DECIDE_MAX_REASONS];
	int			n;
} bp_reasons;

/* Add a reason once (a candidate's reason is given once however many it drops). */
void		bp_reasons_add(bp_reasons *rs, bp_reason r);
bool		bp_reasons_has(const bp_reasons *rs, bp_reason r);
/* The running version is revoked: that reason comes first. */
void		bp_reasons_prepend(bp_reasons *rs, bp_reason r);

/* The target's facts the action depends on. */
typedef struct bp_decide_target
{
	bool		requires_admin;
	bp_scope	install_scope;	/* the artifact's: user or machine */
	const char *installer_type;
	bool		has_window;		/* the policy sets a maintenance window */
} bp_decide_target;

/* Is the maintenance window open now?  Asked only when an install is due. */
typedef bool (*bp_window_open_fn) (void *ctx);

/*
 * 6.–7. The action for a decision with a target (target non-NULL) or
 * without one, adding to rs the reasons that explain it.
 */
bp_action	bp_decide_action(bp_mode mode, const bp_decide_caps *caps, const bp_decide_target *target,
							 bp_reasons *rs, bp_window_open_fn window_open, void *ctx);

#ifdef __cplusplus
}
#endif

#endif							/* BP_DECIDE_H */
