/*
 * worker.c — the extension's one background worker: all periodic work of
 * the project runs here, as jobs in bigpicture.worker_jobs (src/sql/
 * 92_worker.sql), never in loops of its own.
 *
 * The postmaster starts it when the library is preloaded, once the server
 * accepts writes (never on a standby: a standby that is promoted starts it
 * then), and restarts it after a crash.  It connects to one database,
 * bigpicture.worker_database, and every bigpicture.worker_naptime runs the
 * jobs that are due, each in a transaction of its own as bigpicture_owner
 * (SET LOCAL ROLE: the bootstrap superuser only logs in, as NOLOGIN roles
 * cannot).  A job's errors are caught and recorded by run_job in SQL; an
 * error outside a job is logged and the worker goes on.  State lives in the
 * table, not here, so a restart loses nothing: a job runs when next_run_at
 * has passed.
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "bigpicture.h"

PGDLLEXPORT void bigpicture_worker_main(Datum arg);

static char *worker_database = NULL;
static int	worker_naptime = 10;

void
bp_worker_init(void)
{
	BackgroundWorker w;

	DefineCustomStringVariable("bigpicture.worker_database",
							   "The database whose bigpicture jobs the background worker runs.",
							   "Empty: the worker stays idle.  Other databases run "
							   "bigpicture.run_due_jobs() from a scheduler.",
							   &worker_database, "postgres",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("bigpicture.worker_naptime",
							"How long the background worker sleeps between looks at its jobs.",
							NULL,
							&worker_naptime, 10, 1, 3600,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);

	/* Registered only from shared_preload_libraries, never by a backend. */
	if (!process_shared_preload_libraries_in_progress)
		return;
	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = 10;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "bigpicture");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "bigpicture_worker_main");
	snprintf(w.bgw_name, BGW_MAXLEN, "bigpicture worker");
	snprintf(w.bgw_type, BGW_MAXLEN, "bigpicture worker");
	RegisterBackgroundWorker(&w);
}

/* Sleep for naptime, or until the configuration changes or we must stop. */
static void
nap(void)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 worker_naptime * 1000L, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/* Re-read the configuration; a new database means a new connection. */
static void
reload_if_asked(const char *connected_to)
{
	if (!ConfigReloadPending)
		return;
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	if (strcmp(worker_database, connected_to) != 0)
	{
		ereport(LOG,
				(errmsg("bigpicture worker: bigpicture.worker_database changed from \"%s\" to \"%s\"; restarting",
						connected_to, worker_database)));
		proc_exit(1);			/* the postmaster restarts us after bgw_restart_time */
	}
}

/*
 * The jobs due now, as a list of palloc'd names in TopMemoryContext; empty
 * when the extension is not installed (or not yet upgraded to have jobs).
 */
static List *
due_jobs(void)
{
	List	   *jobs = NIL;
	uint64		i;

	if (SPI_execute("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'bigpicture'"
					" AND pg_catalog.to_regclass('bigpicture.worker_jobs') IS NOT NULL", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "bigpicture worker: could not look for the extension");
	if (SPI_processed == 0)
		return NIL;
	if (SPI_execute("SELECT job FROM bigpicture.worker_jobs"
					" WHERE enabled AND next_run_at <= pg_catalog.now() ORDER BY next_run_at, job",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "bigpicture worker: could not read bigpicture.worker_jobs");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *job = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		jobs = lappend(jobs, pstrdup(job));
		MemoryContextSwitchTo(old);
	}
	return jobs;
}

/* Run one job through bigpicture.run_job as the owner; log what it did. */
static void
run_job(const char *job)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	bool		isnull;
	char	   *report;

	if (SPI_execute("SET LOCAL ROLE bigpicture_owner", false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "bigpicture worker: could not become bigpicture_owner");
	args[0] = CStringGetTextDatum(job);
	/* run_job answers a line worth logging, or NULL when there was nothing to do. */
	if (SPI_execute_with_args("SELECT bigpicture.run_job($1) ->> 'report'", 1, argtypes, args, NULL,
							  false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "bigpicture worker: could not run job %s", job);
	(void) SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		return;
	report = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	ereport(LOG, (errmsg("bigpicture worker: %s", report)));
}

/*
 * One transaction: fn(arg).  An error is logged and rolled back, and the
 * worker goes on; false then.
 */
static bool
in_transaction(void (*fn) (const char *), const char *arg, const char *activity)
{
	MemoryContext caller = CurrentMemoryContext;
	volatile bool ok = true;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	pgstat_report_activity(STATE_RUNNING, activity);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "bigpicture worker: SPI_connect failed");
		PushActiveSnapshot(GetTransactionSnapshot());
		fn(arg);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(caller);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		ok = false;
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
	MemoryContextSwitchTo(caller);
	return ok;
}

static List *pending_jobs = NIL;

static void
collect_due_jobs(const char *unused)
{
	pending_jobs = due_jobs();
}

void
bigpicture_worker_main(Datum arg)
{
	char	   *database;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	/* Without a database there is nothing to do until one is configured. */
	while (worker_database == NULL || worker_database[0] == '\0')
	{
		nap();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
	}
	database = MemoryContextStrdup(TopMemoryContext, worker_database);
	BackgroundWorkerInitializeConnection(database, NULL, 0);
	SetConfigOption("application_name", "bigpicture worker", PGC_USERSET, PGC_S_SESSION);
	pgstat_report_appname("bigpicture worker");
	ereport(LOG, (errmsg("bigpicture worker: started on database \"%s\"", database)));

	for (;;)
	{
		ListCell   *lc;

		reload_if_asked(database);
		/* Promotion ends recovery, but never run a job while it lasts. */
		if (!RecoveryInProgress() && in_transaction(collect_due_jobs, NULL, "bigpicture worker: due jobs"))
		{
			foreach(lc, pending_jobs)
			{
				CHECK_FOR_INTERRUPTS();
				(void) in_transaction(run_job, (const char *) lfirst(lc), "bigpicture worker: job");
			}
			list_free_deep(pending_jobs);
			pending_jobs = NIL;
		}
		nap();
	}
}
