/*
 * token_verify.c — tokens as SQL sees them: PASERK key text, the raw
 * PASETO checks (paseto_verify, paseto_footer), and every verification the
 * server does, through the one verifier in src/core/verify.c:
 *   _verify           a token against this server's own keys (verify_token,
 *                     verify_audit_chain);
 *   _verify_pinned    a token against the root keys a mirror pinned (key
 *                     certificates);
 *   _verify_snapshot  a snapshot bundle: its key set against the pinned
 *                     roots, then the bundle against that key set.
 * Public data only: no secret key is read here.
 */
#include "postgres.h"

#include <sodium.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "bigpicture.h"
#include "keys.h"
#include "json.h"
#include "paserk.h"
#include "paseto.h"
#include "rfc3339.h"
#include "verify.h"

static void
public_key_from_bytea(bytea *b, unsigned char *pk)
{
	if (VARSIZE_ANY_EXHDR(b) != BP_PASETO_PUBLIC_KEY_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an Ed25519 public key is %d bytes, not %d",
						BP_PASETO_PUBLIC_KEY_BYTES, (int) VARSIZE_ANY_EXHDR(b))));
	memcpy(pk, VARDATA_ANY(b), BP_PASETO_PUBLIC_KEY_BYTES);
}

PG_FUNCTION_INFO_V1(bigpicture_paserk_public);
Datum
bigpicture_paserk_public(PG_FUNCTION_ARGS)
{
	unsigned char pk[BP_PASETO_PUBLIC_KEY_BYTES];
	char		out[BP_PASERK_K4_PUBLIC_LEN];
	size_t		n;

	public_key_from_bytea(PG_GETARG_BYTEA_PP(0), pk);
	if (bp_paserk_k4_public_encode(pk, sizeof(pk), out, sizeof(out), &n) != BP_PASERK_OK)
		elog(ERROR, "could not encode the public key");
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, n));
}

PG_FUNCTION_INFO_V1(bigpicture_paserk_pid);
Datum
bigpicture_paserk_pid(PG_FUNCTION_ARGS)
{
	unsigned char pk[BP_PASETO_PUBLIC_KEY_BYTES];
	char		out[BP_PASERK_K4_PID_LEN];
	size_t		n;

	public_key_from_bytea(PG_GETARG_BYTEA_PP(0), pk);
	if (bp_paserk_k4_pid(pk, sizeof(pk), out, sizeof(out), &n) != BP_PASERK_OK)
		elog(ERROR, "could not compute the key id");
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, n));
}

/* Parse untrusted token JSON: a clear error rather than jsonb_in's. */
static Datum
json_text_to_jsonb(const char *json, size_t len, const char *what)
{
	size_t		n_tokens;
	bp_json_status st;

	/*
	 * Token contents are untrusted: src/core's strict reader checks them
	 * first (well-formed UTF-8, nesting at most BP_JSON_MAX_DEPTH deep), so
	 * PostgreSQL's recursive parser never sees a hostile depth or bytes that
	 * are not UTF-8.
	 */
	st = bp_json_parse(json, len, NULL, 0, &n_tokens);
	if (st != BP_JSON_OK || len > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token %s is not valid JSON", what),
				 errdetail("%s", len > INT_MAX ? "It is too long." : bp_json_strerror(st))));
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(pnstrdup(json, len)));
}

/* paseto_verify(token text, public_key text) -> payload jsonb */
PG_FUNCTION_INFO_V1(bigpicture_paseto_verify);
Datum
bigpicture_paseto_verify(PG_FUNCTION_ARGS)
{
	text	   *token = PG_GETARG_TEXT_PP(0);
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(1));
	size_t		token_len = VARSIZE_ANY_EXHDR(token);
	unsigned char pk[BP_PASETO_PUBLIC_KEY_BYTES];
	bp_paserk_status kst;
	bp_paseto_status st;
	size_t		scratch_len = bp_paseto_v4_verify_scratch_len(token_len, 0);
	size_t		payload_cap = bp_paseto_v4_payload_max_len(token_len);
	size_t		payload_len;
	unsigned char *scratch;
	unsigned char *payload;

	kst = bp_paserk_k4_public_decode(key, strlen(key), pk);
	if (kst != BP_PASERK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid public key"),
				 errdetail("%s", bp_paserk_strerror(kst)),
				 errhint("Pass the key as a PASERK k4.public string, as listed in bigpicture.public_keys.")));
	if (scratch_len == SIZE_MAX || scratch_len > MaxAllocSize)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("token too large")));
	scratch = palloc(scratch_len);
	payload = palloc(payload_cap + 1);
	st = bp_paseto_v4_verify(VARDATA_ANY(token), token_len, pk, sizeof(pk), NULL, 0, NULL, 0,
							 scratch, scratch_len, payload, payload_cap, &payload_len);
	if (st != BP_PASETO_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token does not verify"),
				 errdetail("%s", bp_paseto_strerror(st))));
	PG_RETURN_DATUM(json_text_to_jsonb((char *) payload, payload_len, "payload"));
}

/* paseto_footer(token text) -> footer jsonb, NOT verified. */
PG_FUNCTION_INFO_V1(bigpicture_paseto_footer);
Datum
bigpicture_paseto_footer(PG_FUNCTION_ARGS)
{
	text	   *token = PG_GETARG_TEXT_PP(0);
	size_t		token_len = VARSIZE_ANY_EXHDR(token);
	size_t		cap = bp_paseto_footer_max_len(token_len);
	size_t		len;
	unsigned char *footer = palloc(cap + 1);
	bp_paseto_status st;

	st = bp_paseto_footer(VARDATA_ANY(token), token_len, footer, cap, &len);
	if (st != BP_PASETO_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token is malformed"),
				 errdetail("%s", bp_paseto_strerror(st))));
	if (len == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(json_text_to_jsonb((char *) footer, len, "footer"));
}

/*
 * _unverified_payload(token text) -> payload jsonb, NOT verified: for the
 * extension's own stored tokens only (is a re-signed copy the same content,
 * when does a stored copy expire).  Never grounds for trust.
 */
PG_FUNCTION_INFO_V1(bigpicture_unverified_payload);
Datum
bigpicture_unverified_payload(PG_FUNCTION_ARGS)
{
	text	   *token = PG_GETARG_TEXT_PP(0);
	size_t		token_len = VARSIZE_ANY_EXHDR(token);
	size_t		cap = bp_paseto_v4_payload_max_len(token_len);
	size_t		len;
	unsigned char *payload = MemoryContextAllocHuge(CurrentMemoryContext, cap + 1);
	bp_paseto_status st;

	st = bp_paseto_v4_unverified_payload(VARDATA_ANY(token), token_len, payload, cap, &len);
	if (st != BP_PASETO_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token is malformed"),
				 errdetail("%s", bp_paseto_strerror(st))));
	PG_RETURN_DATUM(json_text_to_jsonb((char *) payload, len, "payload"));
}

/* ---- the verifier, for SQL ---------------------------------------------- */

/* A work buffer for a token; large snapshots need more than MaxAllocSize allows. */
static void *
work_buffer(size_t token_len, size_t *cap)
{
	*cap = bp_verify_work_len(token_len);
	if (*cap == SIZE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("token too large"),
				 errdetail("Tokens are at most %u bytes.", BP_VERIFY_MAX_TOKEN_LEN)));
	return MemoryContextAllocHuge(CurrentMemoryContext, *cap);
}

static char *
kid_text(const char kid[BP_PASERK_K4_PID_LEN])
{
	return pnstrdup(kid, BP_PASERK_K4_PID_LEN);
}

/*
 * Add this server's key with kid to v, as bigpicture.public_keys shows it
 * to the caller (a tenant's keys only to that tenant).  *state gets its
 * state name; false when there is no such key.  Vendor-wide keys come from
 * the backend's cache after the first time (key_cache.c).
 */
static bool
add_server_key(bp_verifier *v, const char kid[BP_PASERK_K4_PID_LEN], char **state)
{
	Datum		values[1] = {CStringGetTextDatum(kid_text(kid))};
	Oid			types[1] = {TEXTOID};
	bp_verify_key key;
	bool		found;
	MemoryContext outer = CurrentMemoryContext;
	static SPIPlanPtr plan;
	const char *cached_state;
	Datum		retired_at = (Datum) 0;
	bool		no_grace = true;

	if (bp_verify_key_cache_find(kid, &key, &cached_state))
	{
		*state = pstrdup(cached_state);
		if (bp_verifier_add_key(v, &key) != BP_VERIFY_OK)
			elog(ERROR, "signing key %s is stored inconsistently", kid_text(kid));
		return true;
	}
	memset(&key, 0, sizeof(key));
	SPI_connect();
	/* prepared once per backend: planning the view each time cost more than verifying */
	if (SPI_execute_plan(bp_prepare_once(&plan, "SELECT kid, purpose, tenant_id, public_key, state, "
										 "pg_catalog.floor(pg_catalog.date_part('epoch', valid_from))::int8, "
										 "pg_catalog.floor(pg_catalog.date_part('epoch', valid_until))::int8, "
										 "CASE WHEN state = 'retiring' THEN valid_until END "
										 "FROM bigpicture.public_keys WHERE kid = $1", 1, types),
						 values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up the signing key");
	found = SPI_processed > 0;
	if (found)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *purpose = SPI_getvalue(row, desc, 2);
		char	   *tenant = SPI_getvalue(row, desc, 3);
		char	   *pk = SPI_getvalue(row, desc, 4);
		char	   *st = SPI_getvalue(row, desc, 5);
		char	   *from = SPI_getvalue(row, desc, 6);
		char	   *until = SPI_getvalue(row, desc, 7);

		memcpy(key.kid, kid, BP_PASERK_K4_PID_LEN);
		key.purpose = bp_purpose_from_name(purpose, strlen(purpose));
		if (bp_paserk_k4_public_decode(pk, strlen(pk), key.pk) != BP_PASERK_OK ||
			!bp_key_state_from_name(st, strlen(st), &key.state))
			elog(ERROR, "signing key %s is stored inconsistently", kid_text(kid));
		if (tenant != NULL)
		{
			key.has_tenant = true;
			key.tenant_len = strlen(tenant);
			if (key.tenant_len > sizeof(key.tenant))
				elog(ERROR, "tenant id of signing key %s is too long", kid_text(kid));
			memcpy(key.tenant, tenant, key.tenant_len);
		}
		key.has_valid_from = from != NULL;
		key.valid_from = from ? strtoll(from, NULL, 10) : 0;
		key.has_valid_until = until != NULL;
		key.valid_until = until ? strtoll(until, NULL, 10) : 0;
		*state = MemoryContextStrdup(outer, st);
		/* a retiring key turns retired when its grace ends, with no change to the table */
		retired_at = SPI_getbinval(row, desc, 8, &no_grace);
	}
	SPI_finish();
	if (found && bp_verifier_add_key(v, &key) != BP_VERIFY_OK)
		elog(ERROR, "signing key %s is stored inconsistently", kid_text(kid));
	if (found)
		bp_verify_key_cache_store(&key, *state, no_grace ? DT_NOEND : DatumGetTimestampTz(retired_at));
	return found;
}

/* The root keys this server pinned (on a mirror); how many. */
static int
pin_trusted_roots(bp_verifier *v)
{
	int			n;

	SPI_connect();
	if (SPI_execute("SELECT public_key FROM bigpicture.trusted_root_keys ORDER BY kid", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the pinned root keys");
	n = (int) SPI_processed;
	for (int i = 0; i < n; i++)
	{
		char	   *pk = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		bp_verify_status st = bp_verifier_pin_key(v, BP_PURPOSE_ROOT, pk);

		if (st == BP_VERIFY_CAPACITY)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("more than %d root keys are pinned", BP_VERIFY_MAX_KEYS),
					 errhint("Unpin old root keys with bigpicture.unpin_root_key().")));
		if (st != BP_VERIFY_OK)
			elog(ERROR, "pinned root key %s is not a valid PASERK k4.public key", pk);
	}
	SPI_finish();
	return n;
}

static Datum
payload_jsonb(const void *work, size_t len)
{
	return json_text_to_jsonb((const char *) work, len, "payload");
}

/* The token's footer kid, or the errors a malformed token or footer gets. */
static void
footer_kid_or_error(text *token, char kid[BP_PASERK_K4_PID_LEN], const char *what, int sqlstate)
{
	size_t		len = VARSIZE_ANY_EXHDR(token);
	size_t		flen;
	bp_paseto_status pst = bp_paseto_footer(VARDATA_ANY(token), len, NULL, 0, &flen);

	if (pst != BP_PASETO_OK && pst != BP_PASETO_BUFFER_TOO_SMALL)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("%s is not a PASETO v4.public token", what),
				 errdetail("%s", bp_paseto_strerror(pst))));
	if (bp_verify_footer_kid(VARDATA_ANY(token), len, kid) != BP_VERIFY_OK)
		ereport(ERROR,
				(errcode(sqlstate),
				 errmsg("%s has no key id", what),
				 errdetail("The footer must be {\"kid\":\"k4.pid.…\"}.")));
}

/* _verify(token, typ, at, signed_earlier) -> payload: against this server's keys. */
PG_FUNCTION_INFO_V1(bigpicture_verify);
Datum
bigpicture_verify(PG_FUNCTION_ARGS)
{
	text	   *token;
	char	   *typ = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	int64		at;
	unsigned	flags = BP_VERIFY_OWN_KEYS;
	char		kid[BP_PASERK_K4_PID_LEN];
	char	   *state = NULL;
	bp_verifier *v = palloc(sizeof(bp_verifier));
	bp_verify_status st;
	size_t		cap;
	size_t		len;
	void	   *work;

	/* Every refusal of verify_token is 22023, a missing token too. */
	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("token must not be null")));
	if (PG_ARGISNULL(2))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("the time to verify at must not be null")));
	token = PG_GETARG_TEXT_PP(0);
	at = bp_unix_seconds(PG_GETARG_TIMESTAMPTZ(2));
	if (!PG_ARGISNULL(3) && PG_GETARG_BOOL(3))
		flags |= BP_VERIFY_SIGNED_EARLIER | BP_VERIFY_SKIP_TIME;

	footer_kid_or_error(token, kid, "token", ERRCODE_INVALID_PARAMETER_VALUE);
	bp_verifier_init(v);
	if (!add_server_key(v, kid, &state))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token is signed by an unknown key"),
				 errdetail("No key has kid %s.", kid_text(kid))));
	work = work_buffer(VARSIZE_ANY_EXHDR(token), &cap);
	st = bp_verify_token(v, VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token), typ, at, flags, 0,
						 work, cap, &len);
	switch (st)
	{
		case BP_VERIFY_OK:
			PG_RETURN_DATUM(payload_jsonb(work, len));
		case BP_VERIFY_KEY_REVOKED:
		case BP_VERIFY_KEY_NOT_VALID:
			if (strcmp(state, "active") == 0 || strcmp(state, "retiring") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("token is signed by a key that was not valid at that time"),
						 errdetail("Key %s is %s, but outside its validity window then.", kid_text(kid), state)));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token is signed by a %s key", state),
					 errdetail("Key %s is %s and no longer verifies.", kid_text(kid), state)));
			break;
		case BP_VERIFY_BAD_SIGNATURE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token does not verify"),
					 errdetail("%s", bp_verify_strerror(st))));
			break;
		case BP_VERIFY_WRONG_PURPOSE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token type does not match the key's purpose"),
					 errdetail("A %s key cannot sign this typ.", bp_purpose_name(v->keys[0].purpose))));
			break;
		case BP_VERIFY_WRONG_TYPE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token is not of type %s", typ ? typ : "(any)")));
			break;
		case BP_VERIFY_EXPIRED:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token has expired")));
			break;
		case BP_VERIFY_NOT_YET_VALID:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token is not valid yet"),
					 errdetail("Its nbf is later, or its iat more than %d seconds later, than the time it is verified at.",
							   BP_VERIFY_CLOCK_SKEW)));
			break;
		case BP_VERIFY_WRONG_TENANT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token is for another tenant than its signing key's")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token is not well formed"),
					 errdetail("%s", bp_verify_strerror(st))));
	}
	PG_RETURN_NULL();
}

/* The refusal of a token checked against pinned roots, named what. */
static void
pinned_error(bp_verify_status st, const char *what, const char *kid)
{
	switch (st)
	{
		case BP_VERIFY_UNKNOWN_KEY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s is not signed by a pinned root key", what),
					 errdetail("It names key %s, which this server does not trust.", kid),
					 errhint("Pin the vendor's root key with bigpicture.pin_root_key(), after checking it out of band.")));
			break;
		case BP_VERIFY_BAD_SIGNATURE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s signature does not verify", what),
					 errdetail("The token was altered, or signed by another key than its footer names.")));
			break;
		case BP_VERIFY_EXPIRED:
			ereport(ERROR,
					(errcode(BP_ERRCODE_GONE),
					 errmsg("%s has expired", what),
					 errhint("Ask the vendor for a new one.")));
			break;
		case BP_VERIFY_NOT_YET_VALID:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s is not valid yet", what)));
			break;
		case BP_VERIFY_WRONG_PURPOSE:
		case BP_VERIFY_WRONG_TYPE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s has the wrong typ", what),
					 errdetail("%s", bp_verify_strerror(st))));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s does not verify", what),
					 errdetail("%s", bp_verify_strerror(st))));
	}
}

/* _verify_pinned(token, what, typ, at) -> payload: against the pinned root keys. */
PG_FUNCTION_INFO_V1(bigpicture_verify_pinned);
Datum
bigpicture_verify_pinned(PG_FUNCTION_ARGS)
{
	text	   *token;
	char	   *what;
	char	   *typ;
	int64		at;
	char		kid[BP_PASERK_K4_PID_LEN];
	bp_verifier *v = palloc(sizeof(bp_verifier));
	bp_verify_status st;
	size_t		cap;
	size_t		len;
	void	   *work;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		elog(ERROR, "what, typ and at are required");
	what = text_to_cstring(PG_GETARG_TEXT_PP(1));
	typ = text_to_cstring(PG_GETARG_TEXT_PP(2));
	at = bp_unix_seconds(PG_GETARG_TIMESTAMPTZ(3));
	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						errmsg("%s is not a PASETO v4.public token", what)));
	token = PG_GETARG_TEXT_PP(0);
	footer_kid_or_error(token, kid, what, ERRCODE_INVALID_TEXT_REPRESENTATION);
	bp_verifier_init(v);
	pin_trusted_roots(v);
	work = work_buffer(VARSIZE_ANY_EXHDR(token), &cap);
	st = bp_verify_token(v, VARDATA_ANY(token), VARSIZE_ANY_EXHDR(token), typ, at, BP_VERIFY_OWN_KEYS, 0,
						 work, cap, &len);
	if (st != BP_VERIFY_OK)
		pinned_error(st, what, kid_text(kid));
	PG_RETURN_DATUM(payload_jsonb(work, len));
}

/* A top-level string member of parsed JSON as a palloc'd C string, or NULL. */
static char *
json_member_text(const char *json, const bp_json_token *tok, size_t n, int object, const char *name)
{
	int			v = bp_json_object_get(json, tok, n, object, name);
	char	   *out;
	size_t		len;

	if (v < 0 || tok[v].type != BP_JSON_STRING)
		return NULL;
	out = palloc(tok[v].end - tok[v].start + 1);
	if (bp_json_unescape(json, &tok[v], out, tok[v].end - tok[v].start, &len) != BP_JSON_OK)
		return NULL;
	out[len] = '\0';
	return out;
}

/* Does the token's footer name a kid at all (a string, whether or not a k4.pid)? */
static bool
footer_names_a_kid(const char *t, size_t t_len)
{
	size_t		cap = bp_paseto_footer_max_len(t_len);
	size_t		flen = 0;
	char	   *footer = palloc(cap + 1);
	bp_json_token tok[16];
	size_t		n;
	int			v;

	if (bp_paseto_footer(t, t_len, (uint8 *) footer, cap + 1, &flen) != BP_PASETO_OK || flen == 0 ||
		bp_json_parse(footer, flen, tok, lengthof(tok), &n) != BP_JSON_OK || tok[0].type != BP_JSON_OBJECT)
		return false;
	v = bp_json_object_get(footer, tok, n, 0, "kid");
	return v >= 0 && tok[v].type == BP_JSON_STRING;
}

/* Declared noreturn so clang's uninitialised-use analysis sees the error exit. */
static void snapshot_malformed(const char *detail) pg_attribute_noreturn();

static void
snapshot_malformed(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("snapshot is not well formed"),
			 errdetail("%s", detail)));
}

static void
snapshot_expired(const char *tenant, const char *exp, int64 grace)
{
	ereport(ERROR,
			(errcode(BP_ERRCODE_GONE),
			 errmsg("snapshot of tenant %s expired at %s", tenant ? tenant : "(unknown)", exp ? exp : "(unknown)"),
			 errdetail("The tenant's offline grace (%lld seconds) has passed too.", (long long) grace),
			 errhint("Fetch a fresh snapshot from the vendor.")));
}

/*
 * _verify_snapshot(token, at) -> (payload, keyset, keyset_token): the first
 * key set in the bundle that a pinned root signed is loaded (so a root
 * rotation works), then the bundle is verified against it.  Both may be used
 * up to the tenant's offline grace after their exp.  The grace is read from
 * the payload before its signature is checked, but it only counts if that
 * very payload then verifies.
 */
PG_FUNCTION_INFO_V1(bigpicture_verify_snapshot);
Datum
bigpicture_verify_snapshot(PG_FUNCTION_ARGS)
{
	text	   *token;
	const char *t;
	size_t		t_len;
	int64		at;
	bp_verifier *v = palloc(sizeof(bp_verifier));
	char		kid[BP_PASERK_K4_PID_LEN];
	uint8	   *raw;
	size_t		raw_len;
	size_t		n_tok;
	bp_json_token *tok;
	char	   *tenant;
	char	   *exp;
	int64		grace = 0;
	int			keysets;
	int			e;
	const char *ks = NULL;
	size_t		ks_len = 0;
	size_t		cap;
	size_t		len;
	void	   *work;
	bp_verify_status st;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	TupleDesc	desc;
	Datum		ks_payload;

	if (PG_ARGISNULL(1))
		elog(ERROR, "at is required");
	at = bp_unix_seconds(PG_GETARG_TIMESTAMPTZ(1));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "_verify_snapshot must return a record");
	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						errmsg("snapshot is not a PASETO v4.public token with a footer")));
	token = PG_GETARG_TEXT_PP(0);
	t = VARDATA_ANY(token);
	t_len = VARSIZE_ANY_EXHDR(token);

	/* 1. Read, unverified, what to verify it with. */
	{
		size_t		flen;
		bp_paseto_status pst = bp_paseto_footer(t, t_len, NULL, 0, &flen);

		/* BUFFER_TOO_SMALL here means: well formed, with a footer. */
		if (pst != BP_PASETO_BUFFER_TOO_SMALL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("snapshot is not a PASETO v4.public token with a footer"),
					 errdetail("%s", pst == BP_PASETO_OK ? "It has no footer." : bp_paseto_strerror(pst))));
	}
	if (t_len > BP_VERIFY_MAX_TOKEN_LEN)
		snapshot_malformed("It is too large.");
	raw = MemoryContextAllocHuge(CurrentMemoryContext, bp_paseto_v4_payload_max_len(t_len) + 1);
	if (bp_verify_footer_kid(t, t_len, kid) != BP_VERIFY_OK && footer_names_a_kid(t, t_len))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot is signed by a key the key set does not list"),
				 errdetail("Its footer's kid is not a PASERK k4.pid.")));
	if (bp_verify_footer_kid(t, t_len, kid) != BP_VERIFY_OK ||
		bp_paseto_v4_unverified_payload(t, t_len, raw, bp_paseto_v4_payload_max_len(t_len), &raw_len) != BP_PASETO_OK ||
		bp_json_parse((char *) raw, raw_len, NULL, 0, &n_tok) != BP_JSON_OK)
		snapshot_malformed("The footer must name a kid and the payload must be a JSON object.");
	tok = MemoryContextAllocHuge(CurrentMemoryContext, n_tok * sizeof(bp_json_token));
	if (bp_json_parse((char *) raw, raw_len, tok, n_tok, &n_tok) != BP_JSON_OK || tok[0].type != BP_JSON_OBJECT)
		snapshot_malformed("The footer must name a kid and the payload must be a JSON object.");
	tenant = json_member_text((char *) raw, tok, n_tok, 0, "tenant_id");
	exp = json_member_text((char *) raw, tok, n_tok, 0, "exp");
	/* The tenant's offline grace rides beside the content (a JSON text). */
	{
		char	   *g = json_member_text((char *) raw, tok, n_tok, 0, "offline_grace");

		if (g != NULL)
		{
			Interval   *iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(g),
																	ObjectIdGetDatum(InvalidOid),
																	Int32GetDatum(-1)));

			grace = (iv->time + ((int64) iv->day + (int64) iv->month * DAYS_PER_MONTH) * USECS_PER_DAY)
				/ USECS_PER_SEC;
			if (grace < 0)
				grace = 0;
		}
	}

	/* 2. The key set: the first the bundle carries that a pinned root signed. */
	bp_verifier_init(v);
	if (pin_trusted_roots(v) == 0)
		ereport(ERROR,
				(errcode(BP_ERRCODE_WRONG_STATE),
				 errmsg("no root key is pinned"),
				 errhint("Pin the vendor's root key with bigpicture.pin_root_key(), after checking it out of band.")));
	keysets = bp_json_object_get((char *) raw, tok, n_tok, 0, "keysets");
	if (keysets >= 0 && tok[keysets].type == BP_JSON_ARRAY)
	{
		e = keysets + 1;
		for (size_t i = 0; i < tok[keysets].size && ks == NULL; i++, e = bp_json_skip(tok, n_tok, e))
		{
			char		ks_kid[BP_PASERK_K4_PID_LEN];
			const char *s = (char *) raw + tok[e].start;
			size_t		s_len = tok[e].end - tok[e].start;

			if (e < 0 || (size_t) e >= n_tok)
				break;
			if (tok[e].type != BP_JSON_STRING || bp_verify_footer_kid(s, s_len, ks_kid) != BP_VERIFY_OK)
				continue;
			for (size_t k = 0; k < v->n_keys; k++)
				if (memcmp(v->keys[k].kid, ks_kid, BP_PASERK_K4_PID_LEN) == 0)
				{
					ks = s;
					ks_len = s_len;
				}
		}
	}
	if (ks == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snapshot carries no key set signed by a pinned root key"),
				 errhint("Pin the vendor's current root key with bigpicture.pin_root_key().")));
	/*
	 * Signatures first, times last: a tampered bundle is reported as such
	 * even when it has expired too, and an expiry is reported from verified
	 * text only.
	 */
	work = work_buffer(t_len, &cap);
	st = bp_verifier_load_keyset(v, ks, ks_len, at, BP_VERIFY_SKIP_TIME, grace, work, cap);
	if (st == BP_VERIFY_BAD_SIGNATURE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("key set signature does not verify"),
				 errdetail("The snapshot's key set was altered after the vendor's root signed it.")));
	if (st != BP_VERIFY_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the snapshot's key set does not verify"),
				 errdetail("%s", bp_verify_strerror(st))));

	/* 3. The bundle, with a snapshot key of that key set. */
	st = bp_verify_token(v, t, t_len, "snapshot", at, BP_VERIFY_OWN_KEYS, grace, work, cap, &len);
	switch (st)
	{
		case BP_VERIFY_OK:
			break;
		case BP_VERIFY_UNKNOWN_KEY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("snapshot is signed by a key the key set does not list"),
					 errdetail("It names key %s.", kid_text(kid))));
			break;
		case BP_VERIFY_KEY_REVOKED:
		case BP_VERIFY_KEY_NOT_VALID:
		case BP_VERIFY_WRONG_PURPOSE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("snapshot is signed by a key that may not sign snapshots"),
					 errdetail("Key %s: %s", kid_text(kid), bp_verify_strerror(st))));
			break;
		case BP_VERIFY_BAD_SIGNATURE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("snapshot signature does not verify"),
					 errdetail("The bundle was altered after it was signed.")));
			break;
		case BP_VERIFY_WRONG_TYPE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token is not a snapshot")));
			break;
		case BP_VERIFY_WRONG_TENANT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("snapshot is signed by another tenant's key")));
			break;
		case BP_VERIFY_EXPIRED:
			snapshot_expired(tenant, exp, grace);
			break;
		case BP_VERIFY_NOT_YET_VALID:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("snapshot is not valid yet"),
					 errdetail("%s", bp_verify_strerror(st))));
			break;
		default:
			snapshot_malformed(bp_verify_strerror(st));
	}
	values[0] = payload_jsonb(work, len);

	/* 4. The key set's own times, with the same grace. */
	st = bp_verify_token(v, ks, ks_len, "keyset", at, BP_VERIFY_OWN_KEYS, grace, work, cap, &len);
	if (st == BP_VERIFY_EXPIRED)
		snapshot_expired(tenant, exp, grace);
	if (st != BP_VERIFY_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the snapshot's key set does not verify"),
				 errdetail("%s", bp_verify_strerror(st))));
	ks_payload = payload_jsonb(work, len);
	values[1] = ks_payload;
	values[2] = PointerGetDatum(cstring_to_text_with_len(ks, ks_len));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/* _public_key_bytes(public_key, what) -> the 32 raw bytes of a PASERK k4.public key. */
PG_FUNCTION_INFO_V1(bigpicture_public_key_bytes);
Datum
bigpicture_public_key_bytes(PG_FUNCTION_ARGS)
{
	const char *what = PG_ARGISNULL(1) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *key = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	bytea	   *out = palloc(VARHDRSZ + BP_PASETO_PUBLIC_KEY_BYTES);

	if (key == NULL || bp_paserk_k4_public_decode(key, strlen(key), (uint8 *) VARDATA(out)) != BP_PASERK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s public key", what),
				 errdetail("Keys are given as PASERK k4.public text (k4.public. and 43 base64url characters)."),
				 errhint("Read it from bigpicture.public_keys on the server that holds the key.")));
	SET_VARSIZE(out, VARHDRSZ + BP_PASETO_PUBLIC_KEY_BYTES);
	PG_RETURN_BYTEA_P(out);
}

/* key_purpose_of(typ): the purpose whose key signs a typ, from the rule table; NULL when unknown. */
PG_FUNCTION_INFO_V1(bigpicture_key_purpose_of);
Datum
bigpicture_key_purpose_of(PG_FUNCTION_ARGS)
{
	text	   *typ = PG_GETARG_TEXT_PP(0);
	const bp_token_kind *kind = bp_token_kind_of(VARDATA_ANY(typ), VARSIZE_ANY_EXHDR(typ));

	if (kind == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(bp_purpose_name(kind->purpose)));
}
