/*
 * restore.c — the database between bigpicture.pre_restore() and
 * post_restore() (src/sql/94_restore.sql, docs/backup.md).
 *
 * pre_restore() sets bigpicture.restoring = on for the database, so every
 * session that pg_restore opens sees it; rows then arrive with the guards
 * and audit triggers off (session_replication_role = replica), so nothing
 * may be signed from them until post_restore() has checked them.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "bigpicture.h"

bool		bp_restoring = false;

void
bp_restore_init(void)
{
	DefineCustomBoolVariable("bigpicture.restoring",
							 "The database is being restored: set by bigpicture.pre_restore(), "
							 "cleared by bigpicture.post_restore(); nothing is signed meanwhile.",
							 NULL, &bp_restoring, false, PGC_SUSET, 0, NULL, NULL, NULL);
}

void
bp_refuse_while_restoring(void)
{
	if (bp_restoring)
		ereport(ERROR,
				(errcode(BP_ERRCODE_RESTORING),
				 errmsg("the database is being restored"),
				 errdetail("Rows restored since the restore began have not been checked yet, "
						   "so nothing is signed from them."),
				 errhint("Finish the restore with SELECT bigpicture.post_restore(); see docs/backup.md.")));
}
