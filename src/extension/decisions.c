/*
 * decisions.c — settings of the decision engine (src/sql/65_decisions.sql).
 */
#include "postgres.h"

#include "utils/guc.h"

#include "bigpicture.h"

static bool log_decisions = false;

void
bp_decisions_init(void)
{
	DefineCustomBoolVariable("bigpicture.log_decisions",
							 "Record every update decision in bigpicture.decision_log.",
							 "Off by default; decisions on a read-only transaction or a hot "
							 "standby are never logged.",
							 &log_decisions, false, PGC_SUSET, 0, NULL, NULL, NULL);
}
