/*
 * health.h — how a rollout is doing, from outcome reports: rates with a
 * confidence bound, and the guards that halt it.
 *
 * Rates are of installs, not reports (each install counts once per
 * outcome), and every rate comes with its Wilson score interval, so a small
 * sample reads as uncertain: 3 failures of 5 is 60% with a 95% interval of
 * about 23% to 88%.  A guard trips only when the interval's lower bound is
 * above the limit, after a minimum sample: the failure rate is then worse
 * than allowed with 95% confidence, not just unlucky.
 */
#ifndef BP_HEALTH_H
#define BP_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

/* z of a two-sided 95% interval */
#define BP_HEALTH_Z95 1.959963984540054

/*
 * The Wilson score interval of k successes in n trials at z, into *lower
 * and *upper (both 0 when n is 0).  False for k > n or a negative z.
 */
bool		bp_wilson_interval(uint64_t k, uint64_t n, double z, double *lower, double *upper);

typedef enum bp_guard_verdict
{
	BP_GUARD_HOLDS = 0,
	BP_GUARD_FAILURE_RATE,		/* failed or rolled back, of installs that finished trying */
	BP_GUARD_CRASH_RATE			/* crashed after updating, of installs that installed */
} bp_guard_verdict;

typedef struct bp_rollout_counts
{
	uint64_t	attempts;		/* installs that installed, failed or rolled back */
	uint64_t	failures;		/* installs that failed or rolled back */
	uint64_t	installed;
	uint64_t	crashes;		/* installed installs that then crashed */
} bp_rollout_counts;

typedef struct bp_rollout_guards
{
	bool		has_max_failure_rate;
	double		max_failure_rate;	/* 0..1 */
	bool		has_max_crash_rate;
	double		max_crash_rate;
	uint64_t	min_sample;		/* installs needed before a rate is judged */
} bp_rollout_guards;

/*
 * Whether the guards hold for these counts; the failure rate is judged
 * first.  A guard without a limit always holds.
 */
bp_guard_verdict bp_guard_check(const bp_rollout_counts *c, const bp_rollout_guards *g);

/* "failure_rate", "crash_rate", or NULL for BP_GUARD_HOLDS. */
const char *bp_guard_verdict_name(bp_guard_verdict v);

#ifdef __cplusplus
}
#endif

#endif							/* BP_HEALTH_H */
