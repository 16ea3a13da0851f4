/*
 * health.c — SQL access to rollout health (src/core/health.c): Wilson
 * intervals and the guards' verdict, so the SQL that halts a rollout and
 * the views that show its health use the one implementation.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "bigpicture.h"
#include "health.h"

static uint64_t
count_arg(FunctionCallInfo fcinfo, int i, const char *name)
{
	int64		v = PG_GETARG_INT64(i);

	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", name)));
	return (uint64_t) v;
}

/* wilson_interval(k bigint, n bigint) -> float8[2]: the 95% interval of k of n. */
PG_FUNCTION_INFO_V1(bigpicture_wilson_interval);
Datum
bigpicture_wilson_interval(PG_FUNCTION_ARGS)
{
	uint64_t	k = count_arg(fcinfo, 0, "k");
	uint64_t	n = count_arg(fcinfo, 1, "n");
	double		lower,
				upper;
	Datum		d[2];

	if (!bp_wilson_interval(k, n, BP_HEALTH_Z95, &lower, &upper))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must not exceed n"),
				 errdetail("Got %llu of %llu.", (unsigned long long) k, (unsigned long long) n)));
	d[0] = Float8GetDatum(lower);
	d[1] = Float8GetDatum(upper);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, 2, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * _guard_verdict(attempts, failures, installed, crashes, max_failure_rate,
 * max_crash_rate, min_sample) -> 'failure_rate' | 'crash_rate' | NULL.
 * A NULL limit is no guard.
 */
PG_FUNCTION_INFO_V1(bigpicture_guard_verdict);
Datum
bigpicture_guard_verdict(PG_FUNCTION_ARGS)
{
	bp_rollout_counts c;
	bp_rollout_guards g = {0};
	const char *name;

	for (int i = 0; i < 4; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("counts must not be null")));
	c.attempts = count_arg(fcinfo, 0, "attempts");
	c.failures = count_arg(fcinfo, 1, "failures");
	c.installed = count_arg(fcinfo, 2, "installed");
	c.crashes = count_arg(fcinfo, 3, "crashes");
	g.has_max_failure_rate = !PG_ARGISNULL(4);
	g.max_failure_rate = g.has_max_failure_rate ? PG_GETARG_FLOAT8(4) : 0;
	g.has_max_crash_rate = !PG_ARGISNULL(5);
	g.max_crash_rate = g.has_max_crash_rate ? PG_GETARG_FLOAT8(5) : 0;
	g.min_sample = PG_ARGISNULL(6) ? 1 : (uint64_t) Max(PG_GETARG_INT32(6), 1);
	name = bp_guard_verdict_name(bp_guard_check(&c, &g));
	if (name == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(name));
}
