/*
 * test_decide.c — the decision rules of src/core/decide.c without a
 * database: each drop reason in its order, the policy merge, the artifact
 * ranking, and the action with its reasons (docs/decisions.md).
 */
#include <stdarg.h>
#include <string.h>

#include "decide.h"
#include "semver.h"
#include "unit.h"

static bp_semver
v(const char *text)
{
	bp_semver s;

	CHECK_INT_EQ(bp_semver_parse(text, strlen(text), &s), BP_SEMVER_OK);
	return s;
}

static bp_semver_range
range(const char *text)
{
	bp_semver_range r;

	CHECK_INT_EQ(bp_semver_range_parse(text, strlen(text), &r, NULL), BP_RANGE_OK);
	return r;
}

static int	full_asked;

static bool
always_full(void *ctx, const bp_decide_candidate *c)
{
	(void) ctx;
	(void) c;
	full_asked++;
	return true;
}

static void
test_names(void)
{
	CHECK_STR_EQ(bp_reason_name(BP_REASON_ROLLOUT_VELOCITY), "rollout_velocity");
	CHECK_STR_EQ(bp_reason_text(BP_REASON_UP_TO_DATE), "already on the newest eligible release");
	CHECK(bp_reason_name(BP_REASON_COUNT) == NULL);
	for (int r = 0; r < BP_REASON_COUNT; r++)
		CHECK(bp_reason_name((bp_reason) r) != NULL && bp_reason_text((bp_reason) r) != NULL);
	CHECK_STR_EQ(bp_action_name(BP_ACTION_DOWNLOAD), "DOWNLOAD");
	CHECK(bp_action_name((bp_action) 9) == NULL);
	{
		bp_mode		m;
		bp_expired_rule e;

		CHECK(bp_mode_from_name("MANAGED_BY_IT", &m) && m == BP_MODE_MANAGED_BY_IT);
		CHECK(!bp_mode_from_name("auto_install", &m));
		CHECK(!bp_mode_from_name(NULL, &m));
		CHECK(bp_expired_rule_from_name("published_before_expiry", &e) && e == BP_EXPIRED_PUBLISHED_BEFORE_EXPIRY);
		CHECK(!bp_expired_rule_from_name("some", &e));
	}
}

static void
test_drop(void)
{
	bp_semver	two = v("2.0.0"),
				beta = v("2.1.0-beta.1");
	bp_semver_range blocked = range(">=2.0.0 <2.0.1"),
				pinned = range("^1.0");
	bp_decide_rules rules = {.expired_rule = BP_EXPIRED_PUBLISHED_BEFORE_EXPIRY};
	bp_decide_candidate c = {.version = &two};

	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_NONE);
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, true, NULL, NULL), BP_REASON_OLDER_THAN_TARGET);
	rules.blocked = &blocked;
	rules.n_blocked = 1;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_BLOCKED);
	rules.n_blocked = 0;
	c.version = &beta;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_PRERELEASE_NOT_ALLOWED);
	rules.allow_prerelease = true;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_NONE);
	c.version = &two;
	rules.pinned = &pinned;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_OUTSIDE_PINNED_RANGE);
	rules.pinned = NULL;

	/* an ended entitlement: the rule decides */
	rules.requires_entitlement = true;
	rules.has_cutoff = true;
	rules.cutoff = 1000;
	c.has_published = true;
	c.published_at = 999;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_NONE);
	c.published_at = 1000;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_ENTITLEMENT_EXPIRED);
	rules.expired_rule = BP_EXPIRED_ALL;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_NONE);
	rules.expired_rule = BP_EXPIRED_NONE;
	c.published_at = 1;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_ENTITLEMENT_EXPIRED);
	rules.entitlement_active = true;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_NONE);

	/* rollouts: bucket below the percentage, paused, halted for new installs only, velocity */
	c.has_rollout = true;
	c.percentage = 2500;
	c.bucket = 2499;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_NONE);
	CHECK(bp_decide_enters_rollout(&c));
	c.bucket = 2500;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_ROLLOUT_NOT_REACHED);
	c.bucket = 10;
	c.paused = true;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_ROLLOUT_NOT_REACHED);
	c.paused = false;
	c.halted = true;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_ROLLOUT_NOT_REACHED);
	c.member = true;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, NULL, NULL), BP_REASON_NONE);
	CHECK(!bp_decide_enters_rollout(&c));
	c.halted = false;
	c.max_new_per_hour = 5;
	full_asked = 0;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, always_full, NULL), BP_REASON_NONE);
	CHECK_INT_EQ(full_asked, 0);	/* a member is never counted against the hour */
	c.member = false;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, always_full, NULL), BP_REASON_ROLLOUT_VELOCITY);
	CHECK_INT_EQ(full_asked, 1);
	c.max_new_per_hour = 0;
	CHECK_INT_EQ(bp_decide_drop(&rules, &c, false, always_full, NULL), BP_REASON_NONE);
	CHECK_INT_EQ(full_asked, 1);
}

static void
test_artifacts(void)
{
	static const char *const types[] = {"exe", "msi"};
	bp_decide_caps caps = {.has_installer_types = true, .installer_types = types, .n_installer_types = 2};
	bp_artifact_rank msi, exe, msix, admin_msi;

	bp_decide_rank_artifact(&caps, "msi", false, BP_SCOPE_USER, &msi);
	bp_decide_rank_artifact(&caps, "exe", false, BP_SCOPE_USER, &exe);
	bp_decide_rank_artifact(&caps, "msix", false, BP_SCOPE_USER, &msix);
	bp_decide_rank_artifact(&caps, "msi", true, BP_SCOPE_USER, &admin_msi);
	CHECK(bp_decide_ranks_before(&exe, &msi));	/* the client's order */
	CHECK(bp_decide_ranks_before(&msi, &msix)); /* one it runs first */
	CHECK(bp_decide_ranks_before(&exe, &admin_msi));
	CHECK(bp_decide_ranks_before(&msi, &admin_msi));	/* no rights it lacks */
	CHECK(!bp_decide_ranks_before(&msi, &msi));
	caps.can_elevate = true;
	bp_decide_rank_artifact(&caps, "msi", true, BP_SCOPE_USER, &admin_msi);
	CHECK(!bp_decide_ranks_before(&msi, &admin_msi) && !bp_decide_ranks_before(&admin_msi, &msi));
	/* a machine-wide artifact for a client that did not say its scope ranks after known ones */
	{
		bp_decide_caps any = {0};
		bp_artifact_rank user, machine_unknown;

		bp_decide_rank_artifact(&any, "pkg", false, BP_SCOPE_USER, &user);
		bp_decide_rank_artifact(&any, "dmg", false, BP_SCOPE_MACHINE, &machine_unknown);
		CHECK(bp_decide_ranks_before(&user, &machine_unknown));
		CHECK_INT_EQ(machine_unknown.key[1], 2);
		/* no preference: ties broken by installer type */
		bp_decide_rank_artifact(&any, "deb", false, BP_SCOPE_USER, &machine_unknown);
		CHECK(bp_decide_ranks_before(&machine_unknown, &user));
	}
}

static bool
window_closed(void *ctx)
{
	(*(int *) ctx)++;
	return false;
}

static void
test_action(void)
{
	static const char *const types[] = {"msi"};
	bp_decide_caps caps = {.can_elevate = true};
	bp_decide_target t = {.install_scope = BP_SCOPE_USER, .installer_type = "msi"};
	bp_reasons rs = {0};
	int			asked = 0;

	CHECK_INT_EQ(bp_decide_action(BP_MODE_AUTO_INSTALL, &caps, &t, &rs, window_closed, &asked), BP_ACTION_INSTALL);
	CHECK(rs.n == 1 && rs.r[0] == BP_REASON_UPDATE_AVAILABLE);
	CHECK_INT_EQ(asked, 0);		/* no window: not asked */
	memset(&rs, 0, sizeof(rs));
	t.has_window = true;
	CHECK_INT_EQ(bp_decide_action(BP_MODE_AUTO_INSTALL, &caps, &t, &rs, window_closed, &asked), BP_ACTION_DOWNLOAD);
	CHECK(rs.n == 1 && rs.r[0] == BP_REASON_OUTSIDE_MAINTENANCE_WINDOW);
	CHECK_INT_EQ(asked, 1);
	memset(&rs, 0, sizeof(rs));
	CHECK_INT_EQ(bp_decide_action(BP_MODE_NOTIFY_ONLY, &caps, &t, &rs, window_closed, &asked), BP_ACTION_NOTIFY);
	CHECK_INT_EQ(asked, 1);		/* only an install waits for the window */
	memset(&rs, 0, sizeof(rs));
	CHECK_INT_EQ(bp_decide_action(BP_MODE_MANAGED_BY_IT, &caps, &t, &rs, NULL, NULL), BP_ACTION_NONE);
	CHECK(rs.n == 1 && rs.r[0] == BP_REASON_MANAGED_BY_IT);
	/* rights: an admin installer, or a machine-wide one from a per-user client, without elevation */
	caps.can_elevate = false;
	t.has_window = false;
	t.requires_admin = true;
	memset(&rs, 0, sizeof(rs));
	CHECK_INT_EQ(bp_decide_action(BP_MODE_AUTO_INSTALL, &caps, &t, &rs, NULL, NULL), BP_ACTION_NOTIFY);
	CHECK(rs.n == 1 && rs.r[0] == BP_REASON_INSTALLER_REQUIRES_ADMIN);
	t.requires_admin = false;
	t.install_scope = BP_SCOPE_MACHINE;
	caps.install_scope = BP_SCOPE_USER;
	memset(&rs, 0, sizeof(rs));
	CHECK_INT_EQ(bp_decide_action(BP_MODE_AUTO_INSTALL, &caps, &t, &rs, NULL, NULL), BP_ACTION_NOTIFY);
	caps.install_scope = BP_SCOPE_MACHINE;
	memset(&rs, 0, sizeof(rs));
	CHECK_INT_EQ(bp_decide_action(BP_MODE_AUTO_INSTALL, &caps, &t, &rs, NULL, NULL), BP_ACTION_INSTALL);
	/* installer types */
	caps.has_installer_types = true;
	caps.installer_types = types;
	caps.n_installer_types = 1;
	t.installer_type = "exe";
	memset(&rs, 0, sizeof(rs));
	CHECK_INT_EQ(bp_decide_action(BP_MODE_AUTO_INSTALL, &caps, &t, &rs, NULL, NULL), BP_ACTION_NOTIFY);
	CHECK(rs.n == 1 && rs.r[0] == BP_REASON_INSTALLER_TYPE_UNSUPPORTED);
	/* no target: up to date, unless a candidate said why */
	memset(&rs, 0, sizeof(rs));
	CHECK_INT_EQ(bp_decide_action(BP_MODE_AUTO_INSTALL, &caps, NULL, &rs, NULL, NULL), BP_ACTION_NONE);
	CHECK(rs.n == 1 && rs.r[0] == BP_REASON_UP_TO_DATE);
	memset(&rs, 0, sizeof(rs));
	bp_reasons_add(&rs, BP_REASON_BLOCKED);
	CHECK_INT_EQ(bp_decide_action(BP_MODE_AUTO_INSTALL, &caps, NULL, &rs, NULL, NULL), BP_ACTION_NONE);
	CHECK(rs.n == 1 && rs.r[0] == BP_REASON_BLOCKED);
	/* a revoked running version comes first and still reads "update available" */
	memset(&rs, 0, sizeof(rs));
	bp_reasons_prepend(&rs, BP_REASON_CURRENT_VERSION_REVOKED);
	t.installer_type = "msi";
	CHECK_INT_EQ(bp_decide_action(BP_MODE_AUTO_INSTALL, &caps, &t, &rs, NULL, NULL), BP_ACTION_INSTALL);
	CHECK(rs.n == 2 && rs.r[0] == BP_REASON_CURRENT_VERSION_REVOKED && rs.r[1] == BP_REASON_UPDATE_AVAILABLE);
}

static void
test_reasons(void)
{
	bp_reasons	rs = {0};

	bp_reasons_add(&rs, BP_REASON_BLOCKED);
	bp_reasons_add(&rs, BP_REASON_BLOCKED);
	bp_reasons_add(&rs, BP_REASON_NONE);
	bp_reasons_add(&rs, BP_REASON_OLDER_THAN_TARGET);
	CHECK_INT_EQ(rs.n, 1);
	for (int r = 1; r < BP_REASON_COUNT; r++)
		bp_reasons_add(&rs, (bp_reason) r);
	CHECK_INT_EQ(rs.n, BP_DECIDE_MAX_REASONS);
	bp_reasons_prepend(&rs, BP_REASON_CURRENT_VERSION_REVOKED);
	CHECK_INT_EQ(rs.n, BP_DECIDE_MAX_REASONS);
	CHECK_INT_EQ(rs.r[0], BP_REASON_CURRENT_VERSION_REVOKED);
	CHECK_INT_EQ(rs.r[1], BP_REASON_BLOCKED);
}

/* A layer that sets the fields listed (terminated by BP_POLICY_FIELDS). */
static bp_policy_layer
layer(bp_policy_scope scope, bool platform, ...)
{
	bp_policy_layer l;
	va_list		ap;
	int			f;

	memset(&l, 0, sizeof(l));
	l.scope = scope;
	l.platform = platform;
	va_start(ap, platform);
	while ((f = va_arg(ap, int)) != BP_POLICY_FIELDS)
		l.set[f] = true;
	va_end(ap);
	return l;
}

static void
test_merge_policy(void)
{
	int			from[BP_POLICY_FIELDS];
	/* given in an order unlike the merge order, as a query returns rows */
	bp_policy_layer rows[] = {
		layer(BP_POLICY_GLOBAL, false, BP_POLICY_MODE, BP_POLICY_CHANNEL, BP_POLICY_ALLOW_PRERELEASE, BP_POLICY_FIELDS),
		layer(BP_POLICY_TENANT, false, BP_POLICY_MODE, BP_POLICY_BLOCKED, BP_POLICY_FIELDS),
		layer(BP_POLICY_TENANT_PRODUCT, false, BP_POLICY_PINNED_RANGE, BP_POLICY_FIELDS),
		layer(BP_POLICY_TENANT, true, BP_POLICY_MAINTENANCE_WINDOW, BP_POLICY_FIELDS),
		layer(BP_POLICY_PRODUCT, false, BP_POLICY_CHANNEL, BP_POLICY_BLOCKED, BP_POLICY_FIELDS),
		layer(BP_POLICY_TENANT_PRODUCT, true, BP_POLICY_PINNED_RANGE, BP_POLICY_MODE, BP_POLICY_FIELDS),
	};

	CHECK(bp_decide_merge_policy(rows, 6, from));
	CHECK_INT_EQ(from[BP_POLICY_MODE], 5);	/* tenant product for the platform beats everything */
	CHECK_INT_EQ(from[BP_POLICY_PINNED_RANGE], 5);	/* … and the platform-wide row of its scope */
	CHECK_INT_EQ(from[BP_POLICY_CHANNEL], 4);	/* product before global */
	CHECK_INT_EQ(from[BP_POLICY_BLOCKED], 4);	/* product before tenant */
	CHECK_INT_EQ(from[BP_POLICY_MAINTENANCE_WINDOW], 3);
	CHECK_INT_EQ(from[BP_POLICY_ALLOW_PRERELEASE], 0);
	CHECK_INT_EQ(from[BP_POLICY_EXPIRED_UPDATES], -1);	/* nobody: the default */

	CHECK(bp_decide_merge_policy(rows, 0, from));
	for (int f = 0; f < BP_POLICY_FIELDS; f++)
		CHECK_INT_EQ(from[f], -1);

	/* two rows of the same scope and platformness: refused */
	{
		bp_policy_layer dup[] = {
			layer(BP_POLICY_TENANT, false, BP_POLICY_MODE, BP_POLICY_FIELDS),
			layer(BP_POLICY_TENANT, false, BP_POLICY_CHANNEL, BP_POLICY_FIELDS),
		};
		bp_policy_layer bad = layer((bp_policy_scope) 9, false, BP_POLICY_MODE, BP_POLICY_FIELDS);

		CHECK(!bp_decide_merge_policy(dup, 2, from));
		CHECK(!bp_decide_merge_policy(&bad, 1, from));
	}

	CHECK_STR_EQ(bp_policy_field_name(BP_POLICY_EXPIRED_UPDATES), "expired_entitlement_updates");
	CHECK(bp_policy_field_name(BP_POLICY_FIELDS) == NULL);
	CHECK_STR_EQ(bp_policy_scope_name(BP_POLICY_TENANT_PRODUCT), "tenant_product");
	CHECK(bp_policy_scope_name((bp_policy_scope) 0) == NULL);
	CHECK_STR_EQ(bp_mode_name(BP_POLICY_DEFAULT_MODE), "NOTIFY_ONLY");
	CHECK_STR_EQ(bp_expired_rule_name(BP_POLICY_DEFAULT_EXPIRED_RULE), "published_before_expiry");
	CHECK(bp_mode_name((bp_mode) 3) == NULL);
}

int
main(void)
{
	test_names();
	test_merge_policy();
	test_drop();
	test_artifacts();
	test_action();
	test_reasons();
	return unit_summary("decide");
}
