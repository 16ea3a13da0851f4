/*
 * test_health.c — Wilson intervals and rollout guards (src/core/health.c).
 * Expected intervals were computed independently, in Python from the
 * closed form (Wilson 1927), to 12 digits.
 */
#include "unit.h"

#include "health.h"

#include <stdio.h>

static bool
near(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

static void
interval(uint64_t k, uint64_t n, double lo_want, double hi_want)
{
	double		lo = -1,
				hi = -1;

	CHECK(bp_wilson_interval(k, n, BP_HEALTH_Z95, &lo, &hi));
	CHECK_MSG(near(lo, lo_want) && near(hi, hi_want), "%llu/%llu: [%.12f, %.12f], expected [%.12f, %.12f]",
			  (unsigned long long) k, (unsigned long long) n, lo, hi, lo_want, hi_want);
}

int
main(void)
{
	bp_rollout_counts c = {0};
	bp_rollout_guards g = {0};
	double		lo,
				hi;

	/* ---- intervals ---- */
	interval(3, 5, 0.230724281276, 0.882379225767);
	interval(20, 100, 0.133366933331, 0.288829165593);
	interval(0, 10, 0.000000000000, 0.277532799863);
	interval(10, 10, 0.722467200137, 1.000000000000);
	interval(1, 1000, 0.000176546371, 0.005642558598);
	interval(0, 0, 0.0, 0.0);
	CHECK(!bp_wilson_interval(6, 5, BP_HEALTH_Z95, &lo, &hi));
	CHECK(!bp_wilson_interval(1, 5, -1.0, &lo, &hi));
	CHECK(!bp_wilson_interval(1, 5, BP_HEALTH_Z95, NULL, &hi));
	/* z = 0 is the plain rate */
	CHECK(bp_wilson_interval(1, 4, 0.0, &lo, &hi) && near(lo, 0.25) && near(hi, 0.25));
	/* large n: close to the rate, still ordered */
	CHECK(bp_wilson_interval(500000, 1000000, BP_HEALTH_Z95, &lo, &hi) && lo < 0.5 && hi > 0.5 &&
		  hi - lo < 0.002);

	/* ---- guards ---- */
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_HOLDS);
	g.has_max_failure_rate = true;
	g.max_failure_rate = 0.05;
	g.min_sample = 100;
	/* 3 of 5 is 60%, but the sample is too small to judge */
	c.attempts = 5;
	c.failures = 3;
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_HOLDS);
	/* 20% of 100: the lower bound 13% is above 5% */
	c.attempts = 100;
	c.failures = 20;
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_FAILURE_RATE);
	CHECK_STR_EQ(bp_guard_verdict_name(BP_GUARD_FAILURE_RATE), "failure_rate");
	/* 6% of 100 is above 5%, but not with confidence */
	c.failures = 6;
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_HOLDS);
	/* 99 installs: one short of the sample */
	c.attempts = 99;
	c.failures = 50;
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_HOLDS);
	/* crashes: of installed installs */
	c.attempts = 200;
	c.failures = 0;
	c.installed = 200;
	c.crashes = 40;
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_HOLDS);	/* no crash limit */
	g.has_max_crash_rate = true;
	g.max_crash_rate = 0.10;
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_CRASH_RATE);
	CHECK_STR_EQ(bp_guard_verdict_name(BP_GUARD_CRASH_RATE), "crash_rate");
	/* the failure guard is judged first */
	c.failures = 100;
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_FAILURE_RATE);
	CHECK(bp_guard_verdict_name(BP_GUARD_HOLDS) == NULL);
	CHECK(bp_guard_check(NULL, &g) == BP_GUARD_HOLDS);
	/* a limit of 0: any failure with enough sample trips */
	g.max_failure_rate = 0.0;
	g.has_max_crash_rate = false;
	c.attempts = 100;
	c.failures = 1;
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_FAILURE_RATE);
	c.failures = 0;
	CHECK(bp_guard_check(&c, &g) == BP_GUARD_HOLDS);
	/* ---- outcomes and what a report adds ---- */
	{
		bp_outcome	o;
		bp_install_counted was = {0};
		bp_rollout_counts d;

		CHECK(bp_outcome_from_name("rolled_back", 11, &o) && o == BP_OUTCOME_ROLLED_BACK);
		CHECK(!bp_outcome_from_name("rolled", 6, &o));
		CHECK(!bp_outcome_from_name("installedx", 10, &o));
		CHECK(!bp_outcome_from_name(NULL, 0, &o));
		CHECK_STR_EQ(bp_outcome_name(BP_OUTCOME_INSTALL_STARTED), "install_started");
		CHECK(bp_outcome_name((bp_outcome) 99) == NULL);
		CHECK(!bp_outcome_counts(BP_OUTCOME_DOWNLOADED) && bp_outcome_counts(BP_OUTCOME_CRASHED));
		CHECK(bp_outcome_takes_error_code(BP_OUTCOME_FAILED) && !bp_outcome_takes_error_code(BP_OUTCOME_INSTALLED));
		/* downloaded changes nothing */
		CHECK(!bp_report_delta(&was, BP_OUTCOME_DOWNLOADED, &d));
		/* failed: an attempt and a failure */
		CHECK(bp_report_delta(&was, BP_OUTCOME_FAILED, &d) && d.attempts == 1 && d.failures == 1 && d.installed == 0);
		/* then rolled back: nothing new (the install counts once) */
		was.attempt = was.failure = true;
		CHECK(!bp_report_delta(&was, BP_OUTCOME_ROLLED_BACK, &d));
		/* then installed after all: installed, not another attempt */
		CHECK(bp_report_delta(&was, BP_OUTCOME_INSTALLED, &d) && d.attempts == 0 && d.installed == 1 && d.crashes == 0);
		/* a crash before installing counts when the install comes */
		memset(&was, 0, sizeof was);
		CHECK(!bp_report_delta(&was, BP_OUTCOME_CRASHED, &d) && d.crashes == 0);
		was.crashed = true;
		CHECK(bp_report_delta(&was, BP_OUTCOME_INSTALLED, &d) && d.installed == 1 && d.crashes == 1);
		/* a second crash of an installed install counts no more */
		was.attempt = was.installed = true;
		CHECK(!bp_report_delta(&was, BP_OUTCOME_CRASHED, &d));
		CHECK(!bp_report_delta(NULL, BP_OUTCOME_CRASHED, &d));
	}
	return unit_summary("health");
}
