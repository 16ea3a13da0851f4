/*
 * reports.c — report(request jsonb): what an install says happened after a
 * decision (docs/rollouts.md, "Outcome reports").  In C like check_update,
 * which it follows as often: its checks, then a handful of prepared
 * statements.  What a report adds to a rollout's counts, and whether the
 * guards still hold, are src/core/health.c; halting is
 * bigpicture._check_rollout_guards (SQL), run only when they do not.
 */
#include "postgres.h"

#include <sodium.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "bigpicture.h"
#include "health.h"

extern Datum bigpicture_verify(PG_FUNCTION_ARGS);

#define REPORTS_PER_INSTALL 32
#define REPORT_MAX_AGE_DAYS 30

static void
bad_report(const char *message)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid report: %s", message)));
}

/* The member key of the object, or NULL (absent); *type its JSON type. */
static JsonbValue *
member(Jsonb *j, const char *key, JsonbValue *v)
{
	return getKeyJsonValueFromContainer(&j->root, key, strlen(key), v);
}

static char *
member_string(Jsonb *j, const char *key)
{
	JsonbValue	v;

	if (member(j, key, &v) == NULL || v.type != jbvString)
		return NULL;
	return pnstrdup(v.val.string.val, v.val.string.len);
}

/* The request's shape, every problem a 22023 naming the field (the order the tests pin). */
static void
check_request(Jsonb *req, bp_outcome *outcome)
{
	static const char *const allowed[] = {"decision", "outcome", "error_code", "install_id", "tenant_id"};
	static const struct
	{
		const char *name;
		int			max;
	}			strings[] = {{"install_id", 128}, {"tenant_id", 128}, {"error_code", 64}};
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *unknown = NULL;

	if (req == NULL || !JB_ROOT_IS_OBJECT(req) || JB_ROOT_IS_SCALAR(req))
		bad_report("must be a JSON object");
	/* the first unknown field by name, as a sorted scan would find it */
	it = JsonbIteratorInit(&req->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		known = false;
		char	   *k;

		if (tok != WJB_KEY)
			continue;
		k = pnstrdup(v.val.string.val, v.val.string.len);
		for (int i = 0; i < (int) lengthof(allowed); i++)
			known |= strcmp(k, allowed[i]) == 0;
		if (!known && (unknown == NULL || strcmp(k, unknown) < 0))
			unknown = k;
	}
	if (unknown)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid report: \"%s\" is not a report field", unknown),
				 errhint("A report has decision, outcome, and optionally error_code, install_id and tenant_id.")));
	for (int i = 0; i < (int) lengthof(strings); i++)
	{
		int			chars;

		if (member(req, strings[i].name, &v) == NULL || v.type == jbvNull)
			continue;
		chars = v.type == jbvString ? pg_mbstrlen_with_len(v.val.string.val, v.val.string.len) : 0;
		if (v.type != jbvString || chars < 1 || chars > strings[i].max)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid report: \"%s\" must be a string of 1 to %d characters",
							strings[i].name, strings[i].max)));
	}
	if (member(req, "outcome", &v) == NULL || v.type != jbvString ||
		!bp_outcome_from_name(v.val.string.val, v.val.string.len, outcome))
		bad_report("\"outcome\" must be one of downloaded, install_started, installed, failed, rolled_back, crashed");
	if (member(req, "error_code", &v) != NULL && v.type == jbvString && !bp_outcome_takes_error_code(*outcome))
		bad_report("\"error_code\" goes with failed, rolled_back or crashed");
	if (member(req, "decision", &v) == NULL || v.type != jbvString)
		bad_report("\"decision\" must be the decision token the report follows");
}

/* Where what outlives SPI_finish is kept: the caller's context. */
static MemoryContext report_cxt;

static char *
col_text(int col)
{
	char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);

	return v ? MemoryContextStrdup(report_cxt, v) : NULL;
}

static Datum
col(int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, isnull);
}


/* The release a decision offered, and the rollout that applies to it (the platform's own first). */
static const char release_sql[] =
"SELECT r.release_id, o.release_id IS NOT NULL, o.platform, o.guard_since, "
"       COALESCE(o.crash_window, interval '24 hours')::text, "
"       o.halted_at IS NULL AND (o.max_failure_rate IS NOT NULL OR o.max_crash_rate IS NOT NULL), "
"       o.max_failure_rate, o.max_crash_rate, o.min_sample "
"  FROM bigpicture.releases r "
"  LEFT JOIN LATERAL (SELECT * FROM bigpicture.rollouts x "
"       WHERE x.release_id = r.release_id AND (x.platform IS NULL OR x.platform = $3) "
"       ORDER BY x.platform NULLS LAST LIMIT 1) o ON true "
" WHERE r.product_id = $1 AND r.version OPERATOR(bigpicture.=) $2::bigpicture.semver";

/*
 * What the install sent for this release before: duplicates, the flood cap,
 * what it counted as in the rollout's sample since $6, and for a crash
 * whether it is past the window ($8) after installing (or the decision, $7).
 */
static const char seen_sql[] =
"SELECT count(*), (array_agg(x.report_id) FILTER (WHERE x.decision_hash = $4 AND x.outcome = $5))[1], "
"       COALESCE(bool_or(x.outcome IN ('installed', 'failed', 'rolled_back')) FILTER (WHERE x.reported_at >= $6), false), "
"       COALESCE(bool_or(x.outcome IN ('failed', 'rolled_back')) FILTER (WHERE x.reported_at >= $6), false), "
"       COALESCE(bool_or(x.outcome = 'installed') FILTER (WHERE x.reported_at >= $6), false), "
"       COALESCE(bool_or(x.outcome = 'crashed') FILTER (WHERE x.reported_at >= $6), false), "
"       pg_catalog.now() > COALESCE(min(x.reported_at) FILTER (WHERE x.outcome = 'installed'), $7) + $8::interval, "
"       min(x.reported_at) FILTER (WHERE x.outcome = 'installed') IS NULL, "
"       bigpicture.rfc3339(COALESCE(min(x.reported_at) FILTER (WHERE x.outcome = 'installed'), $7)) "
"  FROM bigpicture.install_reports x "
" WHERE x.tenant_id = $1 AND x.install_id = $2 AND x.release_id = $3";

PG_FUNCTION_INFO_V1(bigpicture_report);
Datum
bigpicture_report(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr release_plan,
				member_plan,
				seen_plan,
				insert_plan,
				count_plan,
				sums_plan,
				halt_plan;
	Jsonb	   *req = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);
	bp_outcome	outcome;
	char	   *token;
	Jsonb	   *d;
	char	   *tenant_id;
	char	   *install;
	char	   *payload_install;
	char	   *version;
	char	   *action;
	char	   *iat;
	TimestampTz decided;
	unsigned char hash[crypto_hash_sha256_BYTES];
	bytea	   *hash_datum;
	char	   *release_id;
	bool		has_rollout;
	char	   *rollout_platform;
	Datum		guard_since = (Datum) 0;
	bool		guard_since_null = true;
	char	   *window;
	bool		guarded;
	bool		isnull;
	bp_install_counted was;
	char	   *duplicate;
	char	   *report_id;
	StringInfoData out;

	check_request(req, &outcome);
	token = member_string(req, "decision");

	/* The decision: signed by this server (at any time; an install may take a while). */
	d = DatumGetJsonbP(DirectFunctionCall4(bigpicture_verify, CStringGetTextDatum(token),
										   CStringGetTextDatum("decision"),
										   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
										   BoolGetDatum(true)));
	{
		HeapTupleHeader t = DatumGetHeapTupleHeader(bp_request_tenant(member_string(req, "tenant_id")));

		tenant_id = TextDatumGetCString(GetAttributeByName(t, "tenant_id", &isnull));
	}
	{
		char	   *dt = member_string(d, "tenant_id");

		if (dt == NULL || strcmp(dt, tenant_id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("the decision was not issued to this tenant")));
	}
	payload_install = member_string(d, "install_id");
	{
		char	   *requested = member_string(req, "install_id");

		install = bp_bound_install_id(requested ? requested : payload_install);
	}
	if (payload_install == NULL || install == NULL || strcmp(install, payload_install) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("install %s never received this decision", install ? install : "(none)"),
				 errdetail("The decision was issued to %s.",
						   payload_install ? payload_install : "no install (a tenant-wide answer)"),
				 errhint("Report the decision your own install received.")));
	version = member_string(d, "version");
	action = member_string(d, "action");
	if (version == NULL || (action && strcmp(action, "NONE") == 0))
		ereport(ERROR,
				(errcode(BP_ERRCODE_WRONG_STATE),
				 errmsg("the decision offered no update, so there is no outcome to report")));
	iat = member_string(d, "iat");
	if (iat == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("the decision has no iat")));
	decided = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in, CStringGetDatum(iat),
													  ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
	if (decided < GetCurrentTransactionStartTimestamp() - (TimestampTz) REPORT_MAX_AGE_DAYS * USECS_PER_DAY)
		ereport(ERROR,
				(errcode(BP_ERRCODE_WRONG_STATE),
				 errmsg("the decision is more than %d days old", REPORT_MAX_AGE_DAYS),
				 errdetail("It was issued at %s.", iat),
				 errhint("Report outcomes soon after the decision.")));
	crypto_hash_sha256(hash, (const unsigned char *) token, strlen(token));
	hash_datum = palloc(VARHDRSZ + sizeof(hash));
	SET_VARSIZE(hash_datum, VARHDRSZ + sizeof(hash));
	memcpy(VARDATA(hash_datum), hash, sizeof(hash));

	report_cxt = CurrentMemoryContext;
	initStringInfo(&out);
	SPI_connect();
	{
		Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
		Datum		values[3];
		char		nulls[3] = {' ', ' ', ' '};
		Datum		gv;

		values[0] = bp_text_or_null(member_string(d, "product_id"), &nulls[0]);
		values[1] = CStringGetTextDatum(version);
		values[2] = bp_text_or_null(member_string(d, "platform"), &nulls[2]);
		if (SPI_execute_plan(bp_prepare_once(&release_plan, release_sql, 3, types), values, nulls, true, 1)
			!= SPI_OK_SELECT)
			elog(ERROR, "could not look up the decision's release");
		if (SPI_processed == 0)
			ereport(ERROR,
					(errcode(BP_ERRCODE_NOT_FOUND),
					 errmsg("the decision's release no longer exists")));
		release_id = col_text(1);
		has_rollout = DatumGetBool(col(2, &isnull));
		rollout_platform = col_text(3);
		guard_since = col(4, &guard_since_null);
		window = col_text(5);
		gv = col(6, &isnull);
		guarded = !isnull && DatumGetBool(gv);
	}
	{
		/* the rollout's numbers, kept for the guard check below */
		bool		n1,
					n2,
					n3;
		Datum		max_failure = col(7, &n1),
					max_crash = col(8, &n2),
					min_sample = col(9, &n3);
		bp_rollout_guards g = {0};

		g.has_max_failure_rate = !n1;
		g.max_failure_rate = n1 ? 0 : DatumGetFloat8(max_failure);
		g.has_max_crash_rate = !n2;
		g.max_crash_rate = n2 ? 0 : DatumGetFloat8(max_crash);
		g.min_sample = n3 ? 1 : (uint64_t) Max(DatumGetInt32(min_sample), 1);

		/*
		 * One install's counted reports for a rollout's release, one at a
		 * time, so each counts the install once: they queue on its member
		 * row (locked, not rewritten; a report makes it a member: it had the
		 * decision).
		 */
		if (has_rollout && bp_outcome_counts(outcome))
		{
			Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
			Datum		values[3] = {CStringGetTextDatum(release_id), CStringGetTextDatum(tenant_id),
			CStringGetTextDatum(install)};

			if (SPI_execute_plan(bp_prepare_once(&member_plan,
												 "INSERT INTO bigpicture.rollout_members AS m (release_id, tenant_id, install_id) "
												 "VALUES ($1, $2, $3) ON CONFLICT (tenant_id, release_id, install_id) "
												 "DO UPDATE SET entered_at = m.entered_at WHERE false", 3, types),
								 values, NULL, false, 0) != SPI_OK_INSERT)
				elog(ERROR, "could not lock the install's rollout membership");
		}
		{
			Oid			types[8] = {TEXTOID, TEXTOID, TEXTOID, BYTEAOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID};
			Datum		values[8] = {CStringGetTextDatum(tenant_id), CStringGetTextDatum(install),
				CStringGetTextDatum(release_id), PointerGetDatum(hash_datum),
				CStringGetTextDatum(bp_outcome_name(outcome)), guard_since, TimestampTzGetDatum(decided),
			CStringGetTextDatum(window)};
			char		nulls[8] = {' ', ' ', ' ', ' ', ' ', guard_since_null ? 'n' : ' ', ' ', ' '};
			int64		n;

			/* not read-only: a fresh snapshot, after waiting on the member row, sees the report that made us wait */
			if (SPI_execute_plan(bp_prepare_once(&seen_plan, seen_sql, 8, types), values, nulls, false, 1)
				!= SPI_OK_SELECT || SPI_processed != 1)
				elog(ERROR, "could not read the install's reports");
			n = DatumGetInt64(col(1, &isnull));
			duplicate = col_text(2);
			was.attempt = DatumGetBool(col(3, &isnull));
			was.failure = DatumGetBool(col(4, &isnull));
			was.installed = DatumGetBool(col(5, &isnull));
			was.crashed = DatumGetBool(col(6, &isnull));
			if (duplicate)
			{
				appendStringInfoString(&out, "{\"report_id\":");
				escape_json(&out, duplicate);
				appendStringInfoString(&out, ",\"release_id\":");
				escape_json(&out, release_id);
				appendStringInfo(&out, ",\"outcome\":\"%s\",\"duplicate\":true}", bp_outcome_name(outcome));
				goto done;
			}
			/* A flood from one install cannot grow without bound (and never moves a rate). */
			if (n >= REPORTS_PER_INSTALL)
				ereport(ERROR,
						(errcode(BP_ERRCODE_TOO_MANY),
						 errmsg("install %s has sent %d reports for release %s already", install,
								REPORTS_PER_INSTALL, release_id),
						 errhint("Each outcome is reported once per decision.")));
			if (outcome == BP_OUTCOME_CRASHED && DatumGetBool(col(7, &isnull)))
			{
				bool		never_installed = DatumGetBool(col(8, &isnull));

				ereport(ERROR,
						(errcode(BP_ERRCODE_WRONG_STATE),
						 errmsg("a crash counts only within %s after updating", window),
						 errdetail("The update was %s at %s.", never_installed ? "decided" : "installed",
								   col_text(9))));
			}
		}
		{
			Oid			types[8] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, BYTEAOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
			Datum		values[8];
			char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};

			values[0] = CStringGetTextDatum(tenant_id);
			values[1] = CStringGetTextDatum(install);
			values[2] = CStringGetTextDatum(release_id);
			values[3] = bp_text_or_null(member_string(d, "platform"), &nulls[3]);
			values[4] = PointerGetDatum(hash_datum);
			values[5] = TimestampTzGetDatum(decided);
			values[6] = CStringGetTextDatum(bp_outcome_name(outcome));
			values[7] = bp_text_or_null(member_string(req, "error_code"), &nulls[7]);
			if (SPI_execute_plan(bp_prepare_once(&insert_plan,
												 "INSERT INTO bigpicture.install_reports (tenant_id, install_id, release_id, platform, "
												 "decision_hash, decided_at, outcome, error_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
												 "ON CONFLICT ON CONSTRAINT install_reports_once DO NOTHING RETURNING report_id",
												 8, types),
								 values, nulls, false, 0) != SPI_OK_INSERT_RETURNING)
				elog(ERROR, "could not record the report");
			report_id = SPI_processed == 1 ? col_text(1) : NULL;	/* NULL: a concurrent retry won */
		}
		appendStringInfoString(&out, "{\"report_id\":");
		if (report_id)
			escape_json(&out, report_id);
		else
			appendStringInfoString(&out, "null");
		appendStringInfoString(&out, ",\"release_id\":");
		escape_json(&out, release_id);
		appendStringInfo(&out, ",\"outcome\":\"%s\",\"duplicate\":%s}", bp_outcome_name(outcome),
						 report_id ? "false" : "true");

		/* The rollout's counts, and its guards judged now: a halt commits with this report. */
		if (report_id && has_rollout && bp_outcome_counts(outcome))
		{
			bp_rollout_counts delta;

			if (bp_report_delta(&was, outcome, &delta))
			{
				Oid			types[8] = {TEXTOID, TEXTOID, TIMESTAMPTZOID, INT2OID, INT8OID, INT8OID, INT8OID, INT8OID};
				Datum		values[8];
				char		nulls[8] = {' ', rollout_platform ? ' ' : 'n', ' ', ' ', ' ', ' ', ' ', ' '};

				values[0] = CStringGetTextDatum(release_id);
				values[1] = rollout_platform ? CStringGetTextDatum(rollout_platform) : (Datum) 0;
				values[2] = guard_since;
				/* the shard spreads concurrent reports over 16 rows */
				values[3] = Int16GetDatum((int16) (hash_bytes((const unsigned char *) install, (int) strlen(install)) % 16));
				values[4] = Int64GetDatum((int64) delta.attempts);
				values[5] = Int64GetDatum((int64) delta.failures);
				values[6] = Int64GetDatum((int64) delta.installed);
				values[7] = Int64GetDatum((int64) delta.crashes);
				if (SPI_execute_plan(bp_prepare_once(&count_plan,
													 "INSERT INTO bigpicture.rollout_counts AS c (release_id, platform, since, shard, "
													 "attempts, failures, installed, crashed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
													 "ON CONFLICT ON CONSTRAINT rollout_counts_key DO UPDATE "
													 "SET attempts = c.attempts + EXCLUDED.attempts, failures = c.failures + EXCLUDED.failures, "
													 "installed = c.installed + EXCLUDED.installed, crashed = c.crashed + EXCLUDED.crashed",
													 8, types),
									 values, nulls, false, 0) != SPI_OK_INSERT)
					elog(ERROR, "could not count the report");
				if (guarded)
				{
					bp_rollout_counts c;

					if (SPI_execute_plan(bp_prepare_once(&sums_plan,
														 "SELECT COALESCE(sum(c.attempts), 0)::int8, COALESCE(sum(c.failures), 0)::int8, "
														 "COALESCE(sum(c.installed), 0)::int8, COALESCE(sum(c.crashed), 0)::int8 "
														 "FROM bigpicture.rollout_counts c WHERE c.release_id = $1 "
														 "AND c.platform IS NOT DISTINCT FROM $2 AND c.since = $3", 3, types),
										 values, nulls, false, 1) != SPI_OK_SELECT)	/* sees the count just added */
						elog(ERROR, "could not read the rollout's counts");
					c.attempts = (uint64_t) DatumGetInt64(col(1, &isnull));
					c.failures = (uint64_t) DatumGetInt64(col(2, &isnull));
					c.installed = (uint64_t) DatumGetInt64(col(3, &isnull));
					c.crashes = (uint64_t) DatumGetInt64(col(4, &isnull));
					if (bp_guard_check(&c, &g) != BP_GUARD_HOLDS &&
						SPI_execute_plan(bp_prepare_once(&halt_plan,
														 "SELECT bigpicture._check_rollout_guards(ROW(x.*)::bigpicture.rollouts) FROM bigpicture.rollouts x "
														 "WHERE x.release_id = $1 AND x.platform IS NOT DISTINCT FROM $2", 2, types),
										 values, nulls, false, 0) != SPI_OK_SELECT)
						elog(ERROR, "could not halt the rollout");
				}
			}
		}
	}
done:
	SPI_finish();
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data)));
}
