/*
 * dry_run.c — bigpicture.dry_run(change, sample): what a change would do to
 * the fleet (docs/dry-run.md).
 *
 * The change is made for real, by the call it names (_dry_run_apply), in a
 * subtransaction that is always rolled back: the real call's checks, errors
 * and rights apply as they are, and nothing it wrote survives.  While it
 * runs, bp_sign signs nothing.  Every install the change can reach is then
 * read once, through a cursor, and each of its products decided twice by
 * the rules of evaluate.c over two caches: one in the snapshot taken before
 * the change, one in the same snapshot with the change's own writes
 * visible.  Only counts and a bounded sample are kept: memory does not grow
 * with the fleet.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "bigpicture.h"
#include "evaluate.h"

/* Set while a dry run makes its change: bp_sign signs nothing then. */
bool		bp_dry_run_active = false;

#define INSTALL_BATCH 1000
#define DRY_RUN_CAPABILITIES "{\"can_elevate\": true}"
#define MAX_SAMPLE 1000

/* Decisions per action and target version, before and after. */
typedef struct outcome_count
{
	char	   *key;			/* action, unit separator, version ("" for none) */
	int64		before;
	int64		after;
} outcome_count;

typedef struct tenant_count
{
	char	   *key;			/* tenant id */
	bool		active;
	int64		decisions;
	int64		changed;
} tenant_count;

typedef struct dry_run
{
	MemoryContext cxt;			/* the counts and the sample */
	int			sample_max;
	int			n_sample;
	StringInfoData sample;
	HTAB	   *outcomes;
	HTAB	   *tenants;
	int64		installs;
	int64		installs_changed;
	int64		decisions;
	int64		changed;
	int64		skipped;		/* installs without platform or arch; versions that are no SemVer */
} dry_run;

/* The part of the fleet a change can reach (NULL: any). */
typedef struct reach
{
	char	   *tenant_id;
	char	   *product_id;
} reach;

static void
count_outcome(dry_run *r, const bp_decision *d, bool after)
{
	char		buf[256];
	char	   *key = buf;
	bool		found;
	outcome_count *c;
	int			n = snprintf(buf, sizeof(buf), "%s\x1f%s", bp_action_name(d->action), d->have_target ? d->version : "");

	if (n >= (int) sizeof(buf))
		key = psprintf("%s\x1f%s", bp_action_name(d->action), d->have_target ? d->version : "");
	c = bp_string_table_enter(r->outcomes, sizeof(outcome_count), r->cxt, key, &found);
	if (after)
		c->after++;
	else
		c->before++;
}

static void
append_outcome(StringInfo out, const bp_decision *d)
{
	appendStringInfoString(out, "{\"action\":");
	escape_json(out, bp_action_name(d->action));
	appendStringInfoString(out, ",\"version\":");
	bp_append_json_string_or_null(out, d->have_target ? d->version : NULL);
	appendStringInfoString(out, ",\"reasons\":");
	bp_decision_append_reasons(out, d);
	appendStringInfoString(out, ",\"rationale\":");
	bp_decision_append_rationale(out, d);
	appendStringInfoChar(out, '}');
}

static bool
decision_changed(const bp_decision *a, const bp_decision *b)
{
	if (a->action != b->action || a->have_target != b->have_target)
		return true;
	return a->have_target && strcmp(a->version, b->version) != 0;
}

/* One install: each product it runs (the one the change reaches), decided before and after. */
static void
dry_run_install(dry_run *r, bp_eval_cache *before, bp_eval_cache *after, const reach *scope,
				const bp_caps *caps, HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	char	   *tenant_id = TextDatumGetCString(SPI_getbinval(tup, desc, 1, &isnull));
	char	   *install_id = TextDatumGetCString(SPI_getbinval(tup, desc, 2, &isnull));
	Datum		platform = SPI_getbinval(tup, desc, 3, &isnull);
	bool		no_platform = isnull;
	Datum		arch = SPI_getbinval(tup, desc, 4, &isnull);
	bool		no_arch = isnull;
	Jsonb	   *versions = DatumGetJsonbP(SPI_getbinval(tup, desc, 5, &isnull));
	bool		found;
	tenant_count *t = bp_string_table_enter(r->tenants, sizeof(tenant_count), r->cxt, tenant_id, &found);
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *product_id = NULL;
	bool		any_changed = false;
	bp_eval_input in = {0};

	/* A decision needs both; check_update always records them. */
	if (no_platform || no_arch || !JB_ROOT_IS_OBJECT(versions))
	{
		r->skipped++;
		return;
	}
	r->installs++;
	in.tenant_id = tenant_id;
	in.tenant_active = t->active;
	in.install_id = install_id;
	in.platform = TextDatumGetCString(platform);
	in.arch = TextDatumGetCString(arch);
	in.caps = caps;

	it = JsonbIteratorInit(&versions->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bp_semver	sv;
		bp_decision db;
		bp_decision da;

		if (tok == WJB_KEY)
		{
			product_id = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE || product_id == NULL)
			continue;
		if (scope->product_id && strcmp(product_id, scope->product_id) != 0)
			continue;
		if (v.type != jbvString ||
			bp_semver_parse(v.val.string.val, (size_t) v.val.string.len, &sv) != BP_SEMVER_OK)
		{
			r->skipped++;
			continue;
		}
		in.product_id = product_id;
		in.current_version = pnstrdup(v.val.string.val, v.val.string.len);
		bp_evaluate_cached(before, &in, &db);
		bp_evaluate_cached(after, &in, &da);
		r->decisions++;
		count_outcome(r, &db, false);
		count_outcome(r, &da, true);
		t->decisions++;
		if (!decision_changed(&db, &da))
			continue;
		r->changed++;
		t->changed++;
		any_changed = true;
		if (r->n_sample < r->sample_max)
		{
			StringInfo	s = &r->sample;

			appendStringInfoString(s, r->n_sample++ ? "," : "[");
			appendStringInfoString(s, "{\"tenant_id\":");
			escape_json(s, tenant_id);
			appendStringInfoString(s, ",\"install_id\":");
			escape_json(s, install_id);
			appendStringInfoString(s, ",\"product_id\":");
			escape_json(s, product_id);
			appendStringInfoString(s, ",\"current_version\":");
			escape_json(s, in.current_version);
			appendStringInfoString(s, ",\"before\":");
			append_outcome(s, &db);
			appendStringInfoString(s, ",\"after\":");
			append_outcome(s, &da);
			appendStringInfoChar(s, '}');
		}
	}
	if (any_changed)
		r->installs_changed++;
}

/*
 * The tenants within reach, with whether each is active (a dry run changes
 * no tenant): read once, not joined to every install.
 */
static void
load_tenants(dry_run *r, Datum tenant_id, char null)
{
	static SPIPlanPtr plan;
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {tenant_id};
	char		nulls[1] = {null};

	if (SPI_execute_plan(bp_prepare_once(&plan, "SELECT t.tenant_id, t.status = 'active' FROM bigpicture.tenants t "
										 "WHERE $1::text IS NULL OR t.tenant_id = $1", 1, types),
						 values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the tenants");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		bool		found;
		char	   *id = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		tenant_count *t = bp_string_table_enter(r->tenants, sizeof(tenant_count), r->cxt, id, &found);

		t->active = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
}

/* Stream the installs within reach, a batch at a time, each batch's memory freed after it. */
static void
dry_run_fleet(dry_run *r, Snapshot before_snap, Snapshot after_snap, const reach *scope)
{
	static SPIPlanPtr plan;
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char		nulls[2];
	MemoryContext batch = AllocSetContextCreate(CurrentMemoryContext, "bigpicture dry run batch",
												ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	bp_eval_cache *before = bp_eval_cache_create(before_snap, r->cxt);
	bp_eval_cache *after = bp_eval_cache_create(after_snap, r->cxt);
	bp_caps		caps;
	Portal		portal;

	/*
	 * Installs keep no capabilities: each is decided as a client that may
	 * elevate and runs any installer type, as tenant_update_decisions does,
	 * so a dry run shows what policy allows rather than what a client lacks.
	 */
	old = MemoryContextSwitchTo(r->cxt);
	bp_caps_from_jsonb(DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(DRY_RUN_CAPABILITIES))), &caps);
	MemoryContextSwitchTo(old);

	values[0] = bp_text_or_null(scope->tenant_id, &nulls[0]);
	values[1] = bp_text_or_null(scope->product_id, &nulls[1]);
	PushActiveSnapshot(before_snap);
	load_tenants(r, values[0], nulls[0]);
	portal = SPI_cursor_open(NULL, bp_prepare_cursor_once(&plan,
														  "SELECT i.tenant_id, i.install_id, i.platform, i.arch, i.versions "
														  "  FROM bigpicture.installs i "
														  " WHERE ($1::text IS NULL OR i.tenant_id = $1) "
														  "   AND ($2::text IS NULL OR i.versions ? $2)",
														  2, types, 0),
							 values, nulls, true);
	PopActiveSnapshot();
	for (;;)
	{
		SPITupleTable *tuples;
		uint64		n;

		SPI_cursor_fetch(portal, true, INSTALL_BATCH);
		tuples = SPI_tuptable;
		n = SPI_processed;
		if (n == 0)
			break;
		old = MemoryContextSwitchTo(batch);
		for (uint64 i = 0; i < n; i++)
		{
			CHECK_FOR_INTERRUPTS();
			dry_run_install(r, before, after, scope, &caps, tuples->vals[i], tuples->tupdesc);
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
		SPI_freetuptable(tuples);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(batch);
}

/* The change through the real call; the reach it returns. */
static void
apply_change(Jsonb *change, reach *scope, MemoryContext cxt)
{
	Oid			types[1] = {JSONBOID};
	Datum		values[1] = {JsonbPGetDatum(change)};
	bool		isnull;
	Datum		d;

	bp_dry_run_active = true;
	if (SPI_execute_with_args("SELECT bigpicture._dry_run_apply($1)", 1, types, values, NULL, false, 1)
		!= SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not make the dry run's change");
	bp_dry_run_active = false;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
	{
		Jsonb	   *j = DatumGetJsonbP(d);
		JsonbValue	v;
		MemoryContext old = MemoryContextSwitchTo(cxt);

		if (getKeyJsonValueFromContainer(&j->root, "tenant_id", 9, &v) && v.type == jbvString)
			scope->tenant_id = pnstrdup(v.val.string.val, v.val.string.len);
		if (getKeyJsonValueFromContainer(&j->root, "product_id", 10, &v) && v.type == jbvString)
			scope->product_id = pnstrdup(v.val.string.val, v.val.string.len);
		MemoryContextSwitchTo(old);
	}
	SPI_freetuptable(SPI_tuptable);
}

static int
outcome_order(const void *a, const void *b)
{
	const outcome_count *x = *(const outcome_count *const *) a;
	const outcome_count *y = *(const outcome_count *const *) b;

	return strcmp(x->key, y->key);
}

static int
tenant_order(const void *a, const void *b)
{
	const tenant_count *x = *(const tenant_count *const *) a;
	const tenant_count *y = *(const tenant_count *const *) b;

	if (x->changed != y->changed)
		return x->changed > y->changed ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* [{"action": …, "version": …, "decisions": n}] for one side, by action and version. */
static void
append_outcomes(StringInfo out, outcome_count **sorted, long n, bool after)
{
	bool		first = true;

	appendStringInfoChar(out, '[');
	for (long i = 0; i < n; i++)
	{
		int64		count = after ? sorted[i]->after : sorted[i]->before;
		const char *sep = strchr(sorted[i]->key, '\x1f');

		if (count == 0)
			continue;
		appendStringInfoString(out, first ? "" : ",");
		first = false;
		appendStringInfoString(out, "{\"action\":");
		{
			char	   *action = pnstrdup(sorted[i]->key, sep - sorted[i]->key);

			escape_json(out, action);
		}
		appendStringInfoString(out, ",\"version\":");
		if (sep[1] == '\0')
			appendStringInfoString(out, "null");
		else
			escape_json(out, sep + 1);
		appendStringInfo(out, ",\"decisions\":" INT64_FORMAT "}", count);
	}
	appendStringInfoChar(out, ']');
}

/* A table's entries, sorted by cmp (*n of them). */
static void **
sorted_entries(HTAB *table, int (*cmp) (const void *, const void *), long *n)
{
	HASH_SEQ_STATUS seq;
	void	  **entries;
	void	   *e;
	long		i = 0;

	*n = hash_get_num_entries(table);
	entries = palloc(sizeof(void *) * (*n + 1));
	hash_seq_init(&seq, table);
	while ((e = hash_seq_search(&seq)) != NULL)
		entries[i++] = e;
	qsort(entries, *n, sizeof(void *), cmp);
	return entries;
}

static char *
dry_run_json(dry_run *r, const reach *scope)
{
	StringInfoData out;
	long		n;
	outcome_count **outcomes;
	tenant_count **tenants;
	bool		first = true;

	initStringInfo(&out);
	appendStringInfoString(&out, "{\"reach\":{\"tenant_id\":");
	bp_append_json_string_or_null(&out, scope->tenant_id);
	appendStringInfoString(&out, ",\"product_id\":");
	bp_append_json_string_or_null(&out, scope->product_id);
	appendStringInfo(&out, "},\"installs\":" INT64_FORMAT ",\"installs_changed\":" INT64_FORMAT
					 ",\"decisions\":" INT64_FORMAT ",\"changed\":" INT64_FORMAT ",\"skipped\":" INT64_FORMAT,
					 r->installs, r->installs_changed, r->decisions, r->changed, r->skipped);

	outcomes = (outcome_count **) sorted_entries(r->outcomes, outcome_order, &n);
	appendStringInfoString(&out, ",\"before\":");
	append_outcomes(&out, outcomes, n, false);
	appendStringInfoString(&out, ",\"after\":");
	append_outcomes(&out, outcomes, n, true);

	tenants = (tenant_count **) sorted_entries(r->tenants, tenant_order, &n);
	appendStringInfoString(&out, ",\"tenants\":[");
	for (long i = 0; i < n && tenants[i]->changed > 0; i++)
	{
		appendStringInfoString(&out, first ? "{\"tenant_id\":" : ",{\"tenant_id\":");
		first = false;
		escape_json(&out, tenants[i]->key);
		appendStringInfo(&out, ",\"decisions\":" INT64_FORMAT ",\"changed\":" INT64_FORMAT "}",
						 tenants[i]->decisions, tenants[i]->changed);
	}
	appendStringInfoString(&out, "],\"sample\":");
	appendStringInfoString(&out, r->n_sample ? r->sample.data : "[");
	appendStringInfoString(&out, "]}");
	return out.data;
}

/* _dry_run_active(): is a dry run making its change?  (_audit_append then appends nothing.) */
PG_FUNCTION_INFO_V1(bigpicture_dry_run_active);
Datum
bigpicture_dry_run_active(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(bp_dry_run_active);
}

PG_FUNCTION_INFO_V1(bigpicture_dry_run);
Datum
bigpicture_dry_run(PG_FUNCTION_ARGS)
{
	MemoryContext fn_cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Jsonb	   *change = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);
	dry_run		r;
	reach		scope = {0};
	char	   *own_tenant = NULL;
	Snapshot	before_snap;
	char	   *json;

	if (change == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("a dry run needs a change"),
						errhint("Pass {\"call\": \"set_policy\", \"args\": {…}} or another call docs/dry-run.md lists.")));
	memset(&r, 0, sizeof(r));
	r.sample_max = PG_ARGISNULL(1) ? 10 : PG_GETARG_INT32(1);
	if (r.sample_max < 0 || r.sample_max > MAX_SAMPLE)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("sample must be between 0 and %d", MAX_SAMPLE),
						errdetail("Got %d.", r.sample_max)));
	r.cxt = AllocSetContextCreate(fn_cxt, "bigpicture dry run", ALLOCSET_DEFAULT_SIZES);
	r.outcomes = bp_string_table("bigpicture dry run outcomes", sizeof(outcome_count), r.cxt);
	r.tenants = bp_string_table("bigpicture dry run tenants", sizeof(tenant_count), r.cxt);
	{
		MemoryContext old = MemoryContextSwitchTo(r.cxt);

		initStringInfo(&r.sample);
		MemoryContextSwitchTo(old);
	}

	/* A tenant's administrator sees its own fleet; an administrator or auditor, every tenant's. */
	if (!bp_acts_for_all_tenants())
	{
		own_tenant = bp_current_tenant();
		if (own_tenant == NULL)
			ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
							errmsg("a dry run needs a tenant or bigpicture_admin"),
							errdetail("The calling role is bound to no tenant."),
							errhint("Bind the role with bigpicture.bind_role(), or call as an administrator.")));
	}

	/*
	 * "Before" is read through this node's snapshot; under Citus the tenants'
	 * rows are on workers, which see the change itself: the answer would be wrong.
	 */
	if (bp_citus_distributed())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("dry_run() is not available on Citus"),
				 errdetail("A dry run compares the fleet before and after in one snapshot; "
						   "on Citus the tenants' rows are read on the workers, which would see the change."),
				 errhint("Run the dry run on a single-node copy (a restored backup); see docs/scaling.md.")));

	SPI_connect();
	before_snap = RegisterSnapshot(GetActiveSnapshot());

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(fn_cxt);
	PG_TRY();
	{
		Snapshot	after_snap;

		apply_change(change, &scope, fn_cxt);
		if (own_tenant)
			scope.tenant_id = own_tenant;
		/* the same snapshot, with the change's own writes visible */
		CommandCounterIncrement();
		PushCopiedSnapshot(before_snap);
		UpdateActiveSnapshotCommandId();
		after_snap = RegisterSnapshot(GetActiveSnapshot());
		PopActiveSnapshot();

		dry_run_fleet(&r, before_snap, after_snap, &scope);
		UnregisterSnapshot(after_snap);

		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(fn_cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *e;

		bp_dry_run_active = false;
		MemoryContextSwitchTo(fn_cxt);
		e = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(fn_cxt);
		CurrentResourceOwner = owner;
		ReThrowError(e);
	}
	PG_END_TRY();

	UnregisterSnapshot(before_snap);
	json = dry_run_json(&r, &scope);
	SPI_finish();
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
}
