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
#include <stddef.h>
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

/* What an install reports after a decision. */
typedef enum bp_outcome
{
	BP_OUTCOME_DOWNLOADED = 0,
	BP_OUTCOME_INSTALL_STARTED,
	BP_OUTCOME_INSTALLED,
	BP_OUTCOME_FAILED,
	BP_OUTCOME_ROLLED_BACK,
	BP_OUTCOME_CRASHED
} bp_outcome;

/* The outcome named name[0, len) ("installed", ...); false for any other. */
bool		bp_outcome_from_name(const char *name, size_t len, bp_outcome *out);
const char *bp_outcome_name(bp_outcome o);

/* Does the outcome count towards a rollout's rates (installed, failed, rolled back, crashed)? */
bool		bp_outcome_counts(bp_outcome o);

/* May a report of this outcome carry an error code (failed, rolled back, crashed)? */
bool		bp_outcome_takes_error_code(bp_outcome o);

/* What an install has counted as so far, in a rollout's current sample. */
typedef struct bp_install_counted
{
	bool		attempt;
	bool		failure;
	bool		installed;
	bool		crashed;		/* reported a crash (counted once it has also installed) */
} bp_install_counted;

/*
 * What one more report of outcome o by an install that counted as *was
 * adds to the rollout's counts (each field 0 or 1: an install counts once
 * per class), into *delta.  True when anything changes.
 */
bool		bp_report_delta(const bp_install_counted *was, bp_outcome o, bp_rollout_counts *delta);

#ifdef __cplusplus
}
#endif

#endif							/* BP_HEALTH_H */
