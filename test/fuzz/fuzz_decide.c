/*
 * fuzz_decide.c — the decision rules (src/core/decide.c) over candidates,
 * rules and capabilities drawn from the input, judged newest first as the
 * extension judges them.
 *
 * Properties:
 *   - every reason and action is in range and has a name;
 *   - at most one candidate is kept (the target); every one after it is
 *     older_than_target, and nothing kept is ever given a reason;
 *   - a decision's reasons are unique, never none or older_than_target,
 *     and never empty;
 *   - no target: action NONE; INSTALL only in AUTO_INSTALL mode, with no
 *     lowering reason; DOWNLOAD only for a closed window;
 *   - rollouts are monotonic: a candidate kept at a percentage is kept at
 *     every higher one, and a member is never refused by a halt or the
 *     hourly limit;
 *   - the policy merge takes each field from a row that sets it, and no row
 *     more specific (scope, then platform) sets it too; a field no row sets
 *     is left to its default; rows of one scope and platformness twice, or
 *     of an unknown scope, are refused.
 */
#include <stdint.h>
#include <string.h>

#include "decide.h"
#include "fuzz.h"
#include "semver.h"

static const char *const versions[] = {"3.0.0", "2.1.0", "2.1.0-rc.1", "2.0.1", "2.0.0", "1.9.0", "1.0.0-beta", "1.0.0"};
static const char *const ranges[] = {"^1.0", ">=2.0.0 <2.1.0", "2.x || 3.0.x", "~2.0", "*", "1.9.0"};
static const char *const types[] = {"msi", "exe", "pkg", "deb"};

typedef struct
{
	const uint8_t *p;
	size_t		n;
} input;

static unsigned
take(input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static bool
full_if(void *ctx, const bp_decide_candidate *c)
{
	(void) c;
	return *(const bool *) ctx;
}

static bool
window(void *ctx)
{
	return *(const bool *) ctx;
}

/* How specific a layer is: smaller first (the merge order). */
static int
specificity(const bp_policy_layer *l)
{
	return 2 * (int) l->scope + (l->platform ? 0 : 1);
}

/* Up to 10 policy rows drawn from the input, merged and checked. */
static void
check_merge(input *in)
{
	bp_policy_layer layers[10];
	size_t		n = take(in) % 11;
	int			from[BP_POLICY_FIELDS];
	bool		valid = true;
	bool		ok;

	for (size_t i = 0; i < n; i++)
	{
		unsigned	b = take(in);
		unsigned	fields = take(in);

		layers[i].scope = (bp_policy_scope) (b % 6);	/* 0 and 5 are out of range */
		layers[i].platform = b & 8;
		for (int f = 0; f < BP_POLICY_FIELDS; f++)
			layers[i].set[f] = fields & (1u << f);
		if (layers[i].scope < BP_POLICY_TENANT_PRODUCT || layers[i].scope > BP_POLICY_GLOBAL)
			valid = false;
		for (size_t j = 0; j < i; j++)
			if (specificity(&layers[j]) == specificity(&layers[i]))
				valid = false;
	}
	ok = bp_decide_merge_policy(layers, n, from);
	FUZZ_ASSERT(ok == valid);
	if (!ok)
		return;
	for (int f = 0; f < BP_POLICY_FIELDS; f++)
	{
		FUZZ_ASSERT(from[f] >= -1 && from[f] < (int) n);
		for (size_t i = 0; i < n; i++)
		{
			if (!layers[i].set[f])
				continue;
			FUZZ_ASSERT(from[f] >= 0);
			FUZZ_ASSERT(specificity(&layers[from[f]]) <= specificity(&layers[i]));
		}
		if (from[f] >= 0)
			FUZZ_ASSERT(layers[from[f]].set[f]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	input		in = {data, size};
	bp_semver	vs[8];
	bp_semver_range rs[6];
	bp_decide_rules rules = {0};
	bp_decide_caps caps = {0};
	const char *client_types[4];
	unsigned	flags = take(&in);
	bool		hour_full = flags & 1;
	bool		window_open = flags & 2;
	bp_reasons	reasons = {0};
	bool		have_target = false;
	int			target = -1;
	size_t		n_candidates = take(&in) % 9;

	check_merge(&in);

	for (int i = 0; i < 8; i++)
		FUZZ_ASSERT(bp_semver_parse(versions[i], strlen(versions[i]), &vs[i]) == BP_SEMVER_OK);
	for (int i = 0; i < 6; i++)
		FUZZ_ASSERT(bp_semver_range_parse(ranges[i], strlen(ranges[i]), &rs[i], NULL) == BP_RANGE_OK);
	rules.allow_prerelease = flags & 4;
	rules.requires_entitlement = flags & 8;
	rules.entitlement_active = flags & 16;
	rules.has_cutoff = true;
	rules.cutoff = take(&in);
	rules.expired_rule = (bp_expired_rule) (take(&in) % 3);
	if (flags & 32)
		rules.pinned = &rs[take(&in) % 6];
	if (flags & 64)
	{
		rules.blocked = &rs[take(&in) % 5];
		rules.n_blocked = 1 + (flags & 128 ? 1 : 0);
	}
	{
		unsigned	c = take(&in);

		caps.can_elevate = c & 1;
		caps.install_scope = (bp_scope) ((c >> 1) % 3);
		caps.has_installer_types = c & 8;
		for (int i = 0; i < 4; i++)
			if (c & (16 << i))
				client_types[caps.n_installer_types++] = types[i];
		caps.installer_types = client_types;
	}

	for (size_t i = 0; i < n_candidates; i++)
	{
		unsigned	a = take(&in),
					b = take(&in);
		bp_decide_candidate c = {
			.version = &vs[i % 8], .has_published = a & 1, .published_at = take(&in),
			.has_rollout = a & 2, .bucket = (int) ((take(&in) << 8 | take(&in)) % 10000),
			.percentage = (int) ((b * 40) % 10001), .paused = a & 4, .halted = a & 8, .member = a & 16,
			.max_new_per_hour = a & 32 ? 1 : 0,
		};
		bp_reason	why = bp_decide_drop(&rules, &c, have_target, full_if, &hour_full);

		FUZZ_ASSERT(bp_reason_name(why) != NULL);
		if (have_target)
			FUZZ_ASSERT(why == BP_REASON_OLDER_THAN_TARGET);
		else
			FUZZ_ASSERT(why != BP_REASON_OLDER_THAN_TARGET);
		/* monotonic rollouts: kept at p, kept at any higher p; a member is not refused by halt or velocity */
		if (why == BP_REASON_NONE && c.has_rollout)
		{
			bp_decide_candidate more = c;

			more.percentage = 10000;
			FUZZ_ASSERT(bp_decide_drop(&rules, &more, false, full_if, &hour_full) == BP_REASON_NONE);
		}
		if (c.has_rollout && c.member && !c.paused && c.bucket < c.percentage)
		{
			bp_decide_candidate m = c;

			m.halted = true;
			m.max_new_per_hour = 1;
			FUZZ_ASSERT(bp_decide_drop(&rules, &m, have_target, full_if, &hour_full) != BP_REASON_ROLLOUT_NOT_REACHED);
			FUZZ_ASSERT(bp_decide_drop(&rules, &m, have_target, full_if, &hour_full) != BP_REASON_ROLLOUT_VELOCITY);
		}
		if (why == BP_REASON_NONE)
		{
			have_target = true;
			target = (int) i;
		}
		bp_reasons_add(&reasons, why);
	}
	if (flags & 128)
		bp_reasons_prepend(&reasons, BP_REASON_CURRENT_VERSION_REVOKED);
	{
		bp_mode		mode = (bp_mode) (take(&in) % 3);
		unsigned	t = take(&in);
		bp_decide_target tg = {.requires_admin = t & 1, .install_scope = t & 2 ? BP_SCOPE_MACHINE : BP_SCOPE_USER,
		.installer_type = types[(t >> 2) % 4], .has_window = t & 16};
		bp_action	action = bp_decide_action(mode, &caps, have_target ? &tg : NULL, &reasons, window, &window_open);

		FUZZ_ASSERT(bp_action_name(action) != NULL);
		FUZZ_ASSERT(reasons.n > 0);
		for (int i = 0; i < reasons.n; i++)
		{
			FUZZ_ASSERT(reasons.r[i] != BP_REASON_NONE && reasons.r[i] != BP_REASON_OLDER_THAN_TARGET);
			FUZZ_ASSERT(bp_reason_name(reasons.r[i]) != NULL);
			for (int j = 0; j < i; j++)
				FUZZ_ASSERT(reasons.r[i] != reasons.r[j]);
		}
		if (target < 0)
			FUZZ_ASSERT(action == BP_ACTION_NONE);
		if (action == BP_ACTION_INSTALL)
			FUZZ_ASSERT(mode == BP_MODE_AUTO_INSTALL && !bp_reasons_has(&reasons, BP_REASON_INSTALLER_REQUIRES_ADMIN) &&
						!bp_reasons_has(&reasons, BP_REASON_INSTALLER_TYPE_UNSUPPORTED) &&
						!bp_reasons_has(&reasons, BP_REASON_OUTSIDE_MAINTENANCE_WINDOW));
		if (action == BP_ACTION_DOWNLOAD)
			FUZZ_ASSERT(tg.has_window && !window_open);
		if (have_target && mode == BP_MODE_MANAGED_BY_IT)
			FUZZ_ASSERT(action == BP_ACTION_NONE && bp_reasons_has(&reasons, BP_REASON_MANAGED_BY_IT));
	}
	return 0;
}
