/*
 * citus.c — whether this server runs Citus, and whether citus_distribute()
 * has distributed the extension's tables (docs/scaling.md).  On one node
 * both answer false at the cost of a setting lookup, so the paths that ask
 * on every call (a lease, a new entitlement) pay nothing for Citus.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "bigpicture.h"

/*
 * Is Citus loaded into this server?  Its settings exist only then, and
 * shared_preload_libraries does not change under a running backend.
 */
bool
bp_citus_loaded(void)
{
	static int	loaded = -1;

	if (loaded < 0)
		loaded = GetConfigOption("citus.version", true, false) != NULL;
	return loaded;
}

/* Are the extension's tables distributed in this database? */
bool
bp_citus_distributed(void)
{
	bool		distributed;
	bool		isnull;

	if (!bp_citus_loaded() || !OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
		return false;
	SPI_connect();
	if (SPI_execute("SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition p "
					"WHERE p.logicalrelid OPERATOR(pg_catalog.=) 'bigpicture.releases'::pg_catalog.regclass)",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_dist_partition");
	distributed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return distributed;
}

PG_FUNCTION_INFO_V1(bigpicture_citus_distributed);
Datum
bigpicture_citus_distributed(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(bp_citus_distributed());
}
