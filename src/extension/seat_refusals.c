/*
 * seat_refusals.c — counting leases refused for want of a seat, so the
 * outbox can say so (entitlement.leases_refused, docs/events.md).
 *
 * A refusal is an error: its transaction rolls back, and an event it wrote
 * would roll back with it.  So issue_lease counts the refusal here, in
 * shared memory, before it raises; the worker's job fold_seat_refusals takes
 * the counts and writes one event per tenant and product.  What a fold takes
 * is given back if its (sub)transaction aborts, so a failed fold loses no
 * count.  Counts not yet folded are lost in a server restart or crash: the
 * event is a notice, not a record (the refusals themselves are in no table).
 *
 * Needs shared_preload_libraries (as the worker does); otherwise nothing is
 * counted and the job finds nothing.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "bigpicture.h"

#define SLOTS 512
#define ID_BYTES 80				/* ids are a prefix, "_" and at most 64 characters */

typedef struct RefusalCount
{
	Oid			database;		/* InvalidOid: a free slot */
	char		tenant_id[ID_BYTES];
	char		product_id[ID_BYTES];
	int64		refusals;
	TimestampTz first_at;
	TimestampTz last_at;
} RefusalCount;

typedef struct RefusalTable
{
	LWLock	   *lock;
	int64		lost;			/* refusals not counted: every slot was taken */
	RefusalCount slots[SLOTS];
} RefusalTable;

/* Counts a fold took, kept until its transaction ends, to give back on abort. */
typedef struct TakenCounts
{
	SubTransactionId subxact;
	int			n;
	RefusalCount *counts;
	int64		lost;
	struct TakenCounts *next;
} TakenCounts;

static RefusalTable *table = NULL;
static TakenCounts *taken = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
request_shmem(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(sizeof(RefusalTable));
	RequestNamedLWLockTranche("bigpicture seat refusals", 1);
}

static void
startup_shmem(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	table = ShmemInitStruct("bigpicture seat refusals", sizeof(RefusalTable), &found);
	if (!found)
	{
		memset(table, 0, sizeof(RefusalTable));
		table->lock = &(GetNamedLWLockTranche("bigpicture seat refusals"))->lock;
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Add a count to the table (the caller holds the lock). */
static void
add_locked(const RefusalCount *c)
{
	RefusalCount *free_slot = NULL;

	for (int i = 0; i < SLOTS; i++)
	{
		RefusalCount *s = &table->slots[i];

		if (s->database == InvalidOid)
		{
			if (free_slot == NULL)
				free_slot = s;
			continue;
		}
		if (s->database == c->database && strcmp(s->tenant_id, c->tenant_id) == 0 &&
			strcmp(s->product_id, c->product_id) == 0)
		{
			s->refusals += c->refusals;
			s->first_at = Min(s->first_at, c->first_at);
			s->last_at = Max(s->last_at, c->last_at);
			return;
		}
	}
	if (free_slot == NULL)
	{
		table->lost += c->refusals;
		return;
	}
	*free_slot = *c;
}

static void
give_back(SubTransactionId only)
{
	TakenCounts **link = &taken;

	while (*link)
	{
		TakenCounts *t = *link;

		if (only != InvalidSubTransactionId && t->subxact != only)
		{
			link = &t->next;
			continue;
		}
		LWLockAcquire(table->lock, LW_EXCLUSIVE);
		for (int i = 0; i < t->n; i++)
			add_locked(&t->counts[i]);
		table->lost += t->lost;
		LWLockRelease(table->lock);
		*link = t->next;
	}
}

static void
on_xact(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		give_back(InvalidSubTransactionId);
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE)
		taken = NULL;			/* its memory is the transaction's */
}

static void
on_subxact(SubXactEvent event, SubTransactionId mine, SubTransactionId parent, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		give_back(mine);
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
		for (TakenCounts *t = taken; t; t = t->next)
			if (t->subxact == mine)
				t->subxact = parent;
}

void
bp_seat_refusals_init(void)
{
	RegisterXactCallback(on_xact, NULL);
	RegisterSubXactCallback(on_subxact, NULL);
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = request_shmem;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = startup_shmem;
}

/* _note_seat_refusal(tenant_id, product_id): one lease refused. */
PG_FUNCTION_INFO_V1(bigpicture_note_seat_refusal);
Datum
bigpicture_note_seat_refusal(PG_FUNCTION_ARGS)
{
	char	   *tenant_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *product_id = text_to_cstring(PG_GETARG_TEXT_PP(1));
	RefusalCount c;

	if (table == NULL)
		PG_RETURN_BOOL(false);
	if (strlen(tenant_id) >= ID_BYTES || strlen(product_id) >= ID_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a tenant or product id longer than %d bytes cannot be counted", ID_BYTES - 1)));
	memset(&c, 0, sizeof(c));
	c.database = MyDatabaseId;
	strlcpy(c.tenant_id, tenant_id, ID_BYTES);
	strlcpy(c.product_id, product_id, ID_BYTES);
	c.refusals = 1;
	c.first_at = c.last_at = GetCurrentTimestamp();
	LWLockAcquire(table->lock, LW_EXCLUSIVE);
	add_locked(&c);
	LWLockRelease(table->lock);
	PG_RETURN_BOOL(true);
}

/*
 * _take_seat_refusals(): this database's counts, removed from the table and
 * given back if the calling (sub)transaction aborts.  A row with NULL
 * tenant and product carries the refusals lost to a full table.
 */
PG_FUNCTION_INFO_V1(bigpicture_take_seat_refusals);
Datum
bigpicture_take_seat_refusals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TakenCounts *t;
	int64		lost;

	InitMaterializedSRF(fcinfo, 0);
	if (table == NULL)
		PG_RETURN_VOID();

	t = MemoryContextAllocZero(TopTransactionContext, sizeof(TakenCounts));
	t->counts = MemoryContextAlloc(TopTransactionContext, sizeof(RefusalCount) * SLOTS);
	t->subxact = GetCurrentSubTransactionId();
	LWLockAcquire(table->lock, LW_EXCLUSIVE);
	for (int i = 0; i < SLOTS; i++)
	{
		RefusalCount *s = &table->slots[i];

		if (s->database != MyDatabaseId)
			continue;
		t->counts[t->n++] = *s;
		s->database = InvalidOid;
	}
	lost = t->lost = table->lost;
	table->lost = 0;
	LWLockRelease(table->lock);
	t->next = taken;
	taken = t;

	for (int i = 0; i < t->n; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = CStringGetTextDatum(t->counts[i].tenant_id);
		values[1] = CStringGetTextDatum(t->counts[i].product_id);
		values[2] = Int64GetDatum(t->counts[i].refusals);
		values[3] = TimestampTzGetDatum(t->counts[i].first_at);
		values[4] = TimestampTzGetDatum(t->counts[i].last_at);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	if (lost > 0)
	{
		/* not this database's alone: whichever database folds first reports them */
		Datum		values[5] = {0, 0, Int64GetDatum(lost), 0, 0};
		bool		nulls[5] = {true, true, false, true, true};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}
