/*
 * health.c — see health.h.
 */
#include "health.h"

#include <stddef.h>
#include <string.h>

/*
 * Square root by Newton's method: src/core is linked without libm
 * everywhere (extension, client library, tools), and this is its one use.
 */
static double
square_root(double x)
{
	double		r = x > 1.0 ? x : 1.0;

	if (!(x > 0.0))
		return 0.0;
	for (int i = 0; i < 200; i++)
	{
		double		next = 0.5 * (r + x / r);

		if (next >= r)
			break;				/* converged: Newton's iterates fall monotonically from above */
		r = next;
	}
	return r;
}

bool
bp_wilson_interval(uint64_t k, uint64_t n, double z, double *lower, double *upper)
{
	double		p,
				z2,
				denom,
				centre,
				half;

	if (k > n || !(z >= 0.0) || lower == NULL || upper == NULL)
		return false;
	if (n == 0)
	{
		*lower = *upper = 0.0;
		return true;
	}
	p = (double) k / (double) n;
	z2 = z * z;
	denom = 1.0 + z2 / (double) n;
	centre = p + z2 / (2.0 * (double) n);
	half = z * square_root(p * (1.0 - p) / (double) n + z2 / (4.0 * (double) n * (double) n));
	*lower = (centre - half) / denom;
	*upper = (centre + half) / denom;
	/* rounding may step just outside [0, 1] at the ends */
	if (*lower < 0.0 || k == 0)
		*lower = 0.0;
	if (*upper > 1.0 || k == n)
		*upper = 1.0;
	return true;
}

/* Is k of n worse than max with 95% confidence, on at least min_sample? */
static bool
exceeds(uint64_t k, uint64_t n, double max, uint64_t min_sample)
{
	double		lower,
				upper;

	if (n == 0 || n < min_sample || !bp_wilson_interval(k, n, BP_HEALTH_Z95, &lower, &upper))
		return false;
	return lower > max;
}

bp_guard_verdict
bp_guard_check(const bp_rollout_counts *c, const bp_rollout_guards *g)
{
	if (c == NULL || g == NULL)
		return BP_GUARD_HOLDS;
	if (g->has_max_failure_rate &&
		exceeds(c->failures, c->attempts, g->max_failure_rate, g->min_sample))
		return BP_GUARD_FAILURE_RATE;
	if (g->has_max_crash_rate &&
		exceeds(c->crashes, c->installed, g->max_crash_rate, g->min_sample))
		return BP_GUARD_CRASH_RATE;
	return BP_GUARD_HOLDS;
}

const char *
bp_guard_verdict_name(bp_guard_verdict v)
{
	switch (v)
	{
		case BP_GUARD_FAILURE_RATE:
			return "failure_rate";
		case BP_GUARD_CRASH_RATE:
			return "crash_rate";
		case BP_GUARD_HOLDS:
			break;
	}
	return NULL;
}

static const char *const outcome_names[] = {
	"downloaded", "install_started", "installed", "failed", "rolled_back", "crashed"
};

bool
bp_outcome_from_name(const char *name, size_t len, bp_outcome *out)
{
	if (name == NULL || out == NULL)
		return false;
	for (size_t i = 0; i < sizeof outcome_names / sizeof outcome_names[0]; i++)
		if (strlen(outcome_names[i]) == len && memcmp(outcome_names[i], name, len) == 0)
		{
			*out = (bp_outcome) i;
			return true;
		}
	return false;
}

const char *
bp_outcome_name(bp_outcome o)
{
	return (unsigned) o < sizeof outcome_names / sizeof outcome_names[0] ? outcome_names[o] : NULL;
}

bool
bp_outcome_counts(bp_outcome o)
{
	return o == BP_OUTCOME_INSTALLED || o == BP_OUTCOME_FAILED || o == BP_OUTCOME_ROLLED_BACK ||
		o == BP_OUTCOME_CRASHED;
}

bool
bp_outcome_takes_error_code(bp_outcome o)
{
	return o == BP_OUTCOME_FAILED || o == BP_OUTCOME_ROLLED_BACK || o == BP_OUTCOME_CRASHED;
}

bool
bp_report_delta(const bp_install_counted *was, bp_outcome o, bp_rollout_counts *delta)
{
	bp_install_counted now;

	memset(delta, 0, sizeof *delta);
	if (was == NULL)
		return false;
	now = *was;
	now.attempt |= o == BP_OUTCOME_INSTALLED || o == BP_OUTCOME_FAILED || o == BP_OUTCOME_ROLLED_BACK;
	now.failure |= o == BP_OUTCOME_FAILED || o == BP_OUTCOME_ROLLED_BACK;
	now.installed |= o == BP_OUTCOME_INSTALLED;
	now.crashed |= o == BP_OUTCOME_CRASHED;
	delta->attempts = now.attempt && !was->attempt;
	delta->failures = now.failure && !was->failure;
	delta->installed = now.installed && !was->installed;
	/* a crash counts against installs that installed: when both are known, once */
	delta->crashes = (now.installed && now.crashed) && !(was->installed && was->crashed);
	return delta->attempts || delta->failures || delta->installed || delta->crashes;
}
