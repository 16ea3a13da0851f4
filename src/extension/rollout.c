/*
 * rollout.c — SQL access to the staged-rollout bucket (src/core/rollout.c).
 */
#include "postgres.h"

#include <sodium.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "bigpicture.h"
#include "rollout.h"

/* The bucket of an install (or any key) in a rollout with this salt. */
int
bp_rollout_bucket_of(bytea *salt, const char *install_id)
{
	uint32		bucket;

	if (VARSIZE_ANY_EXHDR(salt) < BP_ROLLOUT_SALT_MIN || VARSIZE_ANY_EXHDR(salt) > BP_ROLLOUT_SALT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a rollout salt is %d to %d bytes, not %d",
						BP_ROLLOUT_SALT_MIN, BP_ROLLOUT_SALT_MAX, (int) VARSIZE_ANY_EXHDR(salt))));
	if (!bp_rollout_bucket((const uint8_t *) VARDATA_ANY(salt), VARSIZE_ANY_EXHDR(salt),
						   (const uint8_t *) install_id, strlen(install_id), &bucket))
		elog(ERROR, "could not compute the rollout bucket");
	return (int) bucket;
}

/* rollout_bucket(salt bytea, install_id text) -> 0..9999 */
PG_FUNCTION_INFO_V1(bigpicture_rollout_bucket);
Datum
bigpicture_rollout_bucket(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(bp_rollout_bucket_of(PG_GETARG_BYTEA_PP(0), text_to_cstring(PG_GETARG_TEXT_PP(1))));
}

/* random_bytes(n) -> n bytes from libsodium's CSPRNG (1..1024): rollout salts. */
PG_FUNCTION_INFO_V1(bigpicture_random_bytes);
Datum
bigpicture_random_bytes(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	bytea	   *out;

	if (n < 1 || n > 1024)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("random_bytes takes 1 to 1024 bytes, not %d", n)));
	out = palloc(VARHDRSZ + n);
	SET_VARSIZE(out, VARHDRSZ + n);
	randombytes_buf(VARDATA(out), (size_t) n);
	PG_RETURN_BYTEA_P(out);
}
