/*
 * audit.c — SQL access to the audit-chain hash (src/core/audit_hash.c).
 *
 * Timestamps enter the hash as microseconds since the Unix epoch, never as
 * text, so the hash does not depend on TimeZone or DateStyle.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "audit_hash.h"

/* A text argument as a hash field: NULL stays NULL. */
static bp_audit_text
text_field(FunctionCallInfo fcinfo, int n)
{
	bp_audit_text f = {NULL, 0, true};

	if (!PG_ARGISNULL(n))
	{
		text	   *t = PG_GETARG_TEXT_PP(n);

		f.ptr = VARDATA_ANY(t);
		f.len = VARSIZE_ANY_EXHDR(t);
		f.is_null = false;
	}
	return f;
}

/*
 * audit_hash(prev_hash, chain_id, seq, event_id, occurred_at, actor,
 *            event_type, object_type, object_id, before, after, context)
 */
PG_FUNCTION_INFO_V1(bigpicture_audit_hash);
Datum
bigpicture_audit_hash(PG_FUNCTION_ARGS)
{
	bytea	   *prev;
	bp_audit_event ev;
	TimestampTz ts;
	bytea	   *out;
	bp_audit_status st;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("prev_hash, seq and occurred_at must not be null")));
	prev = PG_GETARG_BYTEA_PP(0);
	if (VARSIZE_ANY_EXHDR(prev) != BP_AUDIT_HASH_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("prev_hash must be %d bytes", BP_AUDIT_HASH_BYTES)));
	if (PG_GETARG_INT64(2) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("seq must be positive")));

	ts = PG_GETARG_TIMESTAMPTZ(4);
	ev.chain_id = text_field(fcinfo, 1);
	ev.seq = (uint64_t) PG_GETARG_INT64(2);
	ev.event_id = text_field(fcinfo, 3);
	/* PostgreSQL counts from 2000-01-01; the format counts from 1970-01-01. */
	ev.occurred_at_us = (int64_t) ts +
		(int64_t) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
	ev.actor = text_field(fcinfo, 5);
	ev.event_type = text_field(fcinfo, 6);
	ev.object_type = text_field(fcinfo, 7);
	ev.object_id = text_field(fcinfo, 8);
	ev.before = text_field(fcinfo, 9);
	ev.after = text_field(fcinfo, 10);
	ev.context = text_field(fcinfo, 11);

	out = palloc(VARHDRSZ + BP_AUDIT_HASH_BYTES);
	SET_VARSIZE(out, VARHDRSZ + BP_AUDIT_HASH_BYTES);
	st = bp_audit_hash((const uint8_t *) VARDATA_ANY(prev), &ev, (uint8_t *) VARDATA(out));
	if (st != BP_AUDIT_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot hash the audit event"),
				 errdetail("%s", bp_audit_strerror(st))));
	PG_RETURN_BYTEA_P(out);
}
