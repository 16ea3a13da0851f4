/*
 * bigpicture.c — module entry point.
 *
 * The library is meant to be in shared_preload_libraries: later modules load
 * the master key in the postmaster and start the background worker
 * (worker.c).  _PG_init only initialises libsodium and calls each module's
 * init function.
 */
#include "postgres.h"

#include <sodium.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "bigpicture.h"


PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	if (sodium_init() < 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYSTEM_ERROR),
				 errmsg("could not initialise libsodium")));

	/* Settings under bigpicture.* are ours; reject typos in that namespace. */
	bp_master_key_init();
	bp_key_store_init();
	bp_decisions_init();
	bp_worker_init();
	bp_restore_init();
	bp_events_init();
	bp_seat_refusals_init();

	MarkGUCPrefixReserved("bigpicture");
}
