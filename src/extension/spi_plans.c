/*
 * spi_plans.c — statements prepared once per backend, shared by the C
 * modules that query the extension's tables (decisions, tenancy).
 *
 * A kept plan is revalidated by PostgreSQL's plan cache when a table it uses
 * changes or is dropped, and re-planned for a different role when row-level
 * security applies, so one plan serves every caller (test/pgtap/engine.sql).
 */
#include "postgres.h"

#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"

#include "bigpicture.h"

/*
 * Prepare a statement once per backend.  Plans are generic from the first
 * call: the statements are index lookups whose best plan does not depend on
 * the values, and a custom plan per call would cost more than running it.
 */
SPIPlanPtr
bp_prepare_once(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types)
{
	return bp_prepare_cursor_once(plan, sql, nargs, types, 0);
}

/* The same with cursor options, such as CURSOR_OPT_FAST_PLAN for a cursor read in part. */
SPIPlanPtr
bp_prepare_cursor_once(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types, int cursor_options)
{
	if (*plan == NULL)
	{
		/*
		 * Generic plans on one node: planned once per backend.  Under Citus
		 * custom ones: it cannot plan every query with parameters (a join of
		 * a distributed and a reference table), and routes by the values.
		 */
		SPIPlanPtr	p = SPI_prepare_cursor(sql, nargs, types, cursor_options |
										   (bp_citus_loaded() ? CURSOR_OPT_CUSTOM_PLAN : CURSOR_OPT_GENERIC_PLAN));

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed (%s): %s", SPI_result_code_string(SPI_result), sql);
		SPI_keepplan(p);
		*plan = p;
	}
	return *plan;
}


/* A text argument of a prepared statement, or SQL NULL for s NULL (*null: ' ' or 'n'). */
Datum
bp_text_or_null(const char *s, char *null)
{
	*null = s ? ' ' : 'n';
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}
