/*
 * decide.c — the update decision's rules; see decide.h.
 */
#include "decide.h"

#include <limits.h>
#include <string.h>

static const struct
{
	const char *name;
	const char *text;
}			reasons[BP_REASON_COUNT] = {
	[BP_REASON_NONE] = {"none", "kept"},
	[BP_REASON_UPDATE_AVAILABLE] = {"update_available", "an update is available"},
	[BP_REASON_UP_TO_DATE] = {"up_to_date", "already on the newest eligible release"},
	[BP_REASON_BLOCKED] = {"blocked", "a newer release is blocked by policy"},
	[BP_REASON_OUTSIDE_PINNED_RANGE] = {"outside_pinned_range", "newer releases are outside the pinned version range"},
	[BP_REASON_ROLLOUT_NOT_REACHED] = {"rollout_not_reached",
	"a newer release is rolling out and has not reached this install yet"},
	[BP_REASON_ROLLOUT_VELOCITY] = {"rollout_velocity",
	"a newer release is rolling out and has taken as many new installs as it may this hour"},
	[BP_REASON_PRERELEASE_NOT_ALLOWED] = {"prerelease_not_allowed", "newer prereleases are not allowed on this channel"},
	[BP_REASON_ENTITLEMENT_EXPIRED] = {"entitlement_expired", "the entitlement has expired"},
	[BP_REASON_MANAGED_BY_IT] = {"managed_by_it", "updates are managed by IT"},
	[BP_REASON_INSTALLER_REQUIRES_ADMIN] = {"installer_requires_admin",
	"the installer needs administrator rights this client cannot get"},
	[BP_REASON_INSTALLER_TYPE_UNSUPPORTED] = {"installer_type_unsupported", "the client cannot run this installer type"},
	[BP_REASON_OUTSIDE_MAINTENANCE_WINDOW] = {"outside_maintenance_window",
	"outside the maintenance window: download now, install in the window"},
	[BP_REASON_NOT_ENTITLED] = {"not_entitled", "the product is not available to this tenant"},
	[BP_REASON_TENANT_SUSPENDED] = {"tenant_suspended", "the tenant is suspended"},
	[BP_REASON_CURRENT_VERSION_REVOKED] = {"current_version_revoked", "the running version has been revoked"},
	[BP_REASON_UNKNOWN_CHANNEL] = {"unknown_channel", "the channel does not exist for this product"},
	[BP_REASON_OLDER_THAN_TARGET] = {"older_than_target", "older than the target"},
};

const char *
bp_reason_name(bp_reason r)
{
	return (unsigned) r < BP_REASON_COUNT ? reasons[r].name : NULL;
}

const char *
bp_reason_text(bp_reason r)
{
	return (unsigned) r < BP_REASON_COUNT ? reasons[r].text : NULL;
}

const char *
bp_action_name(bp_action a)
{
	static const char *const names[] = {"NONE", "NOTIFY", "DOWNLOAD", "INSTALL"};

	return (unsigned) a < sizeof(names) / sizeof(names[0]) ? names[a] : NULL;
}

bool
bp_mode_from_name(const char *name, bp_mode *mode)
{
	for (int i = 0; name && i < 3; i++)
		if (strcmp(name, bp_mode_name((bp_mode) i)) == 0)
		{
			*mode = (bp_mode) i;
			return true;
		}
	return false;
}

bool
bp_expired_rule_from_name(const char *name, bp_expired_rule *rule)
{
	for (int i = 0; name && i < 3; i++)
		if (strcmp(name, bp_expired_rule_name((bp_expired_rule) i)) == 0)
		{
			*rule = (bp_expired_rule) i;
			return true;
		}
	return false;
}

const char *
bp_mode_name(bp_mode mode)
{
	static const char *const names[] = {"AUTO_INSTALL", "NOTIFY_ONLY", "MANAGED_BY_IT"};

	return (int) mode >= 0 && (int) mode < 3 ? names[mode] : NULL;
}

const char *
bp_expired_rule_name(bp_expired_rule rule)
{
	static const char *const names[] = {"none", "all", "published_before_expiry"};

	return (int) rule >= 0 && (int) rule < 3 ? names[rule] : NULL;
}

/* ---- the merged policy ---------------------------------------------------------------- */

const char *
bp_policy_field_name(bp_policy_field f)
{
	static const char *const names[BP_POLICY_FIELDS] = {
		"mode", "channel", "pinned_range", "blocked", "maintenance_window", "allow_prerelease",
		"expired_entitlement_updates"
	};

	return (int) f >= 0 && f < BP_POLICY_FIELDS ? names[f] : NULL;
}

const char *
bp_policy_scope_name(bp_policy_scope s)
{
	static const char *const names[] = {NULL, "tenant_product", "product", "tenant", "global"};

	return (int) s >= BP_POLICY_TENANT_PRODUCT && s <= BP_POLICY_GLOBAL ? names[s] : NULL;
}

bool
bp_decide_merge_policy(const bp_policy_layer *layers, size_t n, int from[BP_POLICY_FIELDS])
{
	/* the layers in merge order: two per scope, the platform's first */
	int			order[2 * (BP_POLICY_GLOBAL + 1)];

	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
		order[o] = -1;
	for (size_t i = 0; i < n; i++)
	{
		int			slot;

		if (layers[i].scope < BP_POLICY_TENANT_PRODUCT || layers[i].scope > BP_POLICY_GLOBAL)
			return false;
		slot = 2 * (int) layers[i].scope + (layers[i].platform ? 0 : 1);
		if (order[slot] >= 0)
			return false;
		order[slot] = (int) i;
	}
	for (int f = 0; f < BP_POLICY_FIELDS; f++)
	{
		from[f] = -1;
		for (size_t o = 0; o < sizeof(order) / sizeof(order[0]) && from[f] < 0; o++)
			if (order[o] >= 0 && layers[order[o]].set[f])
				from[f] = order[o];
	}
	return true;
}

/* ---- the artifact -------------------------------------------------------------------- */

static bool
runs(const bp_decide_caps *caps, const char *installer_type)
{
	for (size_t i = 0; i < caps->n_installer_types; i++)
		if (strcmp(caps->installer_types[i], installer_type) == 0)
			return true;
	return false;
}

void
bp_decide_rank_artifact(const bp_decide_caps *caps, const char *installer_type, bool requires_admin,
						bp_scope artifact_scope, bp_artifact_rank *rank)
{
	int			needs_rights;
	int			position = INT_MAX;

	rank->key[0] = caps->has_installer_types && !runs(caps, installer_type);
	/* false 0, true 1, unknown 2 (as SQL sorts a NULL after both) */
	if (caps->can_elevate)
		needs_rights = 0;
	else if (requires_admin)
		needs_rights = 1;
	else if (artifact_scope != BP_SCOPE_MACHINE)
		needs_rights = 0;
	else if (caps->install_scope == BP_SCOPE_UNKNOWN)
		needs_rights = 2;
	else
		needs_rights = caps->install_scope == BP_SCOPE_USER;
	rank->key[1] = needs_rights;
	for (size_t i = 0; i < caps->n_installer_types; i++)
		if (strcmp(caps->installer_types[i], installer_type) == 0)
		{
			position = (int) i;
			break;
		}
	rank->key[2] = position;
	rank->installer_type = installer_type;
}

bool
bp_decide_ranks_before(const bp_artifact_rank *a, const bp_artifact_rank *b)
{
	for (int i = 0; i < 3; i++)
		if (a->key[i] != b->key[i])
			return a->key[i] < b->key[i];
	return strcmp(a->installer_type, b->installer_type) < 0;
}

/* ---- candidates ----------------------------------------------------------------------- */

static bool
any_covers(const bp_semver_range *ranges, size_t n, const bp_semver *version)
{
	for (size_t i = 0; i < n; i++)
		if (bp_semver_range_covers(&ranges[i], version))
			return true;
	return false;
}

bool
bp_decide_enters_rollout(const bp_decide_candidate *c)
{
	return c->has_rollout && !c->member;
}

bp_reason
bp_decide_drop(const bp_decide_rules *rules, const bp_decide_candidate *c, bool have_target,
			   bp_rollout_full_fn rollout_full, void *ctx)
{
	if (have_target)
		return BP_REASON_OLDER_THAN_TARGET;
	if (rules->blocked != NULL && any_covers(rules->blocked, rules->n_blocked, c->version))
		return BP_REASON_BLOCKED;
	if (c->version->pre_len > 0 && !rules->allow_prerelease)
		return BP_REASON_PRERELEASE_NOT_ALLOWED;
	if (rules->pinned != NULL && !bp_semver_range_satisfies(rules->pinned, c->version))
		return BP_REASON_OUTSIDE_PINNED_RANGE;
	if (rules->requires_entitlement && !rules->entitlement_active &&
		(rules->expired_rule == BP_EXPIRED_NONE ||
		 (rules->expired_rule == BP_EXPIRED_PUBLISHED_BEFORE_EXPIRY && c->has_published &&
		  rules->has_cutoff && c->published_at >= rules->cutoff)))
		return BP_REASON_ENTITLEMENT_EXPIRED;
	/* a halt stops new installs only; pausing or lowering the percentage stops everyone above it */
	if (c->has_rollout && (c->paused || c->bucket >= c->percentage || (c->halted && !c->member)))
		return BP_REASON_ROLLOUT_NOT_REACHED;
	if (bp_decide_enters_rollout(c) && c->max_new_per_hour > 0 && rollout_full != NULL && rollout_full(ctx, c))
		return BP_REASON_ROLLOUT_VELOCITY;
	return BP_REASON_NONE;
}

/* ---- reasons and the action ----------------------------------------------------------- */

void
bp_reasons_add(bp_reasons *rs, bp_reason r)
{
	if (r == BP_REASON_NONE || r == BP_REASON_OLDER_THAN_TARGET || bp_reasons_has(rs, r))
		return;
	if (rs->n < BP_DECIDE_MAX_REASONS)
		rs->r[rs->n++] = r;
}

bool
bp_reasons_has(const bp_reasons *rs, bp_reason r)
{
	for (int i = 0; i < rs->n; i++)
		if (rs->r[i] == r)
			return true;
	return false;
}

void
bp_reasons_prepend(bp_reasons *rs, bp_reason r)
{
	int			keep = rs->n < BP_DECIDE_MAX_REASONS ? rs->n : BP_DECIDE_MAX_REASONS - 1;

	memmove(&rs->r[1], &rs->r[0], sizeof(rs->r[0]) * (size_t) keep);
	rs->r[0] = r;
	rs->n = keep + 1;
}

/* No reasons yet, or only that the running version is revoked. */
static bool
no_reason_but_revoked(const bp_reasons *rs)
{
	return rs->n == 0 || (rs->n == 1 && rs->r[0] == BP_REASON_CURRENT_VERSION_REVOKED);
}

bp_action
bp_decide_action(bp_mode mode, const bp_decide_caps *caps, const bp_decide_target *target,
				 bp_reasons *rs, bp_window_open_fn window_open, void *ctx)
{
	bp_action	action = BP_ACTION_NONE;

	if (target == NULL)
	{
		if (no_reason_but_revoked(rs))
			bp_reasons_add(rs, BP_REASON_UP_TO_DATE);
		return BP_ACTION_NONE;
	}
	if (mode == BP_MODE_AUTO_INSTALL)
		action = BP_ACTION_INSTALL;
	else if (mode == BP_MODE_NOTIFY_ONLY)
		action = BP_ACTION_NOTIFY;
	else
		bp_reasons_add(rs, BP_REASON_MANAGED_BY_IT);
	if (action == BP_ACTION_INSTALL)
	{
		/* A machine-wide install from a per-user client needs elevation too. */
		if ((target->requires_admin ||
			 (target->install_scope == BP_SCOPE_MACHINE && caps->install_scope == BP_SCOPE_USER)) &&
			!caps->can_elevate)
		{
			action = BP_ACTION_NOTIFY;
			bp_reasons_add(rs, BP_REASON_INSTALLER_REQUIRES_ADMIN);
		}
		else if (caps->has_installer_types && !runs(caps, target->installer_type))
		{
			action = BP_ACTION_NOTIFY;
			bp_reasons_add(rs, BP_REASON_INSTALLER_TYPE_UNSUPPORTED);
		}
		else if (target->has_window && window_open != NULL && !window_open(ctx))
		{
			action = BP_ACTION_DOWNLOAD;
			bp_reasons_add(rs, BP_REASON_OUTSIDE_MAINTENANCE_WINDOW);
		}
	}
	if (no_reason_but_revoked(rs))
		bp_reasons_add(rs, BP_REASON_UPDATE_AVAILABLE);
	return action;
}
