/*
 * health.c — see health.h.
 */
#include "health.h"

#include <stddef.h>

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
