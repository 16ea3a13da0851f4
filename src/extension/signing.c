/*
 * signing.c — every token this server signs goes through bp_sign(): one
 * envelope (typ, iss, iat, exp, nbf) stamped in front of the claims, the key
 * purpose taken from typ by the rule table (src/core/token_kinds.h), and the
 * active key of that purpose (or one named key of it) signing.
 *
 * Footer of every token: {"kid":"k4.pid.…"}, and for a mirror's certified
 * key {"kid":"k4.pid.…","cert":"v4.public.…"}: the vendor's key certificate
 * travels with the token, so a client that pinned only the vendor's root
 * can verify it.  Certificates are PASETO tokens (base64url and dots),
 * checked when installed, so they need no JSON escaping.
 */
#include "postgres.h"

#include <sodium.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "bigpicture.h"
#include "keys.h"
#include "pkcs11.h"
#include "rfc3339.h"
#include "token_kinds.h"

#define FOOTER_PREFIX "{\"kid\":\""
#define FOOTER_CERT "\",\"cert\":\""
#define FOOTER_SUFFIX "\"}"

/* Envelope members: the claims may not carry them. */
static const char *const envelope_members[] = {"typ", "iss", "iat", "exp", "nbf"};

/*
 * Run a query (inside SPI) that returns one key row (kid, purpose,
 * sealed_secret, certificate, certificate_expires_at <= now()) and give the
 * cached unsealed key for it, unsealing it on first use; its certificate,
 * if any, is copied into *certificate in memory context outer.  Returns NULL
 * when the query finds no row.  A key whose certificate has expired does
 * not sign.
 */
static cached_key *
find_signing_key(const char *query, int nargs, Oid *types, Datum *values, const char *nulls,
				 MemoryContext outer, char **certificate, TimestampTz *certificate_expires_at)
{
	HeapTuple	row;
	TupleDesc	desc;
	char		kid[KID_LEN + 1];
	cached_key *slot;

	if (SPI_execute_with_args(query, nargs, types, values, nulls, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up the signing key");
	if (SPI_processed == 0)
		return NULL;
	row = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	strlcpy(kid, SPI_getvalue(row, desc, 1), sizeof(kid));
	*certificate = NULL;
	{
		char	   *cert = SPI_getvalue(row, desc, 4);
		char	   *expired = SPI_getvalue(row, desc, 5);

		if (cert != NULL && expired != NULL && strcmp(expired, "t") == 0)
			ereport(ERROR,
					(errcode(BP_ERRCODE_WRONG_STATE),
					 errmsg("the key certificate of signing key %s has expired", kid),
					 errdetail("Tokens signed under an expired certificate would not verify."),
					 errhint("Ask the vendor for a new certificate and install it with "
							 "bigpicture.install_key_certificate().")));
		if (cert != NULL)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(row, desc, 6, &isnull);

			*certificate = MemoryContextStrdup(outer, cert);
			*certificate_expires_at = isnull ? DT_NOBEGIN : DatumGetTimestampTz(d);
		}
	}
	bp_key_cache_watch_table();

	slot = bp_key_cache_find(kid);
	if (slot == NULL)
	{
		bool		isnull;
		char	   *purpose = SPI_getvalue(row, desc, 2);
		bytea	   *sealed;
		unsigned char *sk;
		Datum		sealed_d = SPI_getbinval(row, desc, 3, &isnull);

		/* A key on the token: nothing to unseal; the token signs. */
		if (isnull)
			return bp_key_cache_store(kid, NULL);
		sealed = DatumGetByteaPP(sealed_d);
		(void) bp_master_key();
		sk = sodium_malloc(BP_PASETO_SECRET_KEY_BYTES);

		if (sk == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
							errmsg("out of secure memory for signing keys")));
		/* Checked once here, so every signature can skip the check. */
		if (!bp_unseal_secret((unsigned char *) VARDATA_ANY(sealed), VARSIZE_ANY_EXHDR(sealed),
							  kid, purpose, sk) || !bp_ed25519_secret_key_consistent(sk))
		{
			sodium_free(sk);
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("signing key %s cannot be unsealed", kid),
					 errdetail("The sealed key does not open under the loaded master key."),
					 errhint("Check that bigpicture.master_key_command prints the master key "
							 "these keys were sealed with.")));
		}
		slot = bp_key_cache_store(kid, sk);
	}
	return slot;
}

/*
 * v4.public through the PKCS#11 token: the token holds the key, so it signs
 * PAE(h, m, f, "") itself; src/core writes that PAE and assembles the
 * token, exactly as its own signer does for sealed keys.
 */
static bp_paseto_status
sign_on_token(const char *kid, const uint8_t *m, size_t m_len, const uint8_t *f, size_t f_len,
			  uint8_t *pae, size_t pae_cap, char *out, size_t out_cap, size_t *out_len)
{
	uint8_t		sig[BP_PASETO_SIGNATURE_BYTES];
	size_t		pae_len;
	bp_paseto_status st;

	st = bp_paseto_v4_pae(m, m_len, f, f_len, NULL, 0, pae, pae_cap, &pae_len);
	if (st != BP_PASETO_OK)
		return st;
	bp_pkcs11_sign(kid, pae, pae_len, sig);
	return bp_paseto_v4_assemble(m, m_len, f, f_len, sig, out, out_cap, out_len);
}

/* Sign payload_json with a cached key; the footer names its kid (and certificate). */
static text *
sign_with(const cached_key *key, const char *certificate, const char *payload_json)
{
	char	   *footer = certificate
		? psprintf(FOOTER_PREFIX "%s" FOOTER_CERT "%s" FOOTER_SUFFIX, key->kid, certificate)
		: psprintf(FOOTER_PREFIX "%s" FOOTER_SUFFIX, key->kid);
	size_t		footer_len = strlen(footer);
	size_t		m_len = strlen(payload_json);
	size_t		pae_len = bp_paseto_v4_pae_len(m_len, footer_len, 0);
	size_t		token_len = bp_paseto_v4_token_len(m_len, footer_len);
	size_t		out_len;
	unsigned char *scratch;
	text	   *token;
	bp_paseto_status st;

	if (pae_len == SIZE_MAX || token_len == SIZE_MAX || pae_len > MaxAllocSize ||
		token_len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("payload too large to sign")));
	scratch = palloc(pae_len);
	token = palloc(VARHDRSZ + token_len);
	if (key->sk == NULL)
		st = sign_on_token(key->kid, (const uint8_t *) payload_json, m_len,
						   (const uint8_t *) footer, footer_len,
						   scratch, pae_len, VARDATA(token), token_len, &out_len);
	else
		st = bp_paseto_v4_sign_checked_key(key->sk, BP_PASETO_SECRET_KEY_BYTES,
										   (const uint8_t *) payload_json, m_len,
										   (const uint8_t *) footer, footer_len, NULL, 0,
										   scratch, pae_len, VARDATA(token), token_len, &out_len);
	pfree(scratch);
	pfree(footer);
	if (st != BP_PASETO_OK)
		elog(ERROR, "signing failed: %s", bp_paseto_strerror(st));
	SET_VARSIZE(token, VARHDRSZ + out_len);
	return token;
}

/* Unix seconds of a timestamp, rounded down to the second. */
int64
bp_unix_seconds(TimestampTz ts)
{
	int64		s = ts / USECS_PER_SEC - (ts % USECS_PER_SEC < 0 ? 1 : 0);

	return s + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (quoted), as bigpicture.rfc3339() writes it. */
void
bp_append_rfc3339(StringInfo out, TimestampTz ts)
{
	char		buf[BP_RFC3339_LEN + 1];

	if (TIMESTAMP_NOT_FINITE(ts) || !bp_rfc3339_format(bp_unix_seconds(ts), buf))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for a signed token"),
				 errdetail("Signed times are RFC 3339 in the years 0000 to 9999.")));
	appendStringInfoChar(out, '"');
	appendStringInfoString(out, buf);
	appendStringInfoChar(out, '"');
}

/* The token kind of typ, or a clear error. */
static const bp_token_kind *
token_kind_or_error(const char *typ)
{
	const bp_token_kind *kind = typ ? bp_token_kind_of(typ, strlen(typ)) : NULL;

	if (kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown token type \"%s\"", typ ? typ : "(null)"),
				 errhint("Token types are keyset, key_certificate, decision, release, lease, "
						 "snapshot and checkpoint.")));
	return kind;
}

/*
 * The payload: the envelope, then the claims (JSON object members without
 * braces, "" for none).  iat is the transaction's start, as now() is.
 */
void
bp_token_payload(StringInfo out, const bp_envelope *env, const char *claims)
{
	const bp_token_kind *kind = token_kind_or_error(env->typ);
	TimestampTz iat = GetCurrentTransactionStartTimestamp();

	if (kind->needs_exp && !env->has_exp)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a %s token needs an expiry", kind->typ)));
	if (env->has_exp && kind->max_lifetime > 0 &&
		bp_unix_seconds(env->exp) - bp_unix_seconds(iat) > kind->max_lifetime)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a %s token lives at most %lld days", kind->typ,
						(long long) (kind->max_lifetime / SECS_PER_DAY)),
				 errdetail("Its expiry would be %s.", timestamptz_to_str(env->exp))));
	appendStringInfoString(out, "{\"typ\":");
	escape_json(out, kind->typ);
	appendStringInfoString(out, ",\"iss\":");
	escape_json(out, bp_issuer());
	appendStringInfoString(out, ",\"iat\":");
	bp_append_rfc3339(out, iat);
	if (env->has_exp)
	{
		appendStringInfoString(out, ",\"exp\":");
		bp_append_rfc3339(out, env->exp);
	}
	if (env->has_nbf)
	{
		appendStringInfoString(out, ",\"nbf\":");
		bp_append_rfc3339(out, env->nbf);
	}
	if (claims[0] != '\0')
	{
		appendStringInfoChar(out, ',');
		appendStringInfoString(out, claims);
	}
	appendStringInfoChar(out, '}');
}

/* A named key: active, or retiring within its grace (a root rotation's counter-signature). */
static cached_key *
named_key(const char *kid, const char *purpose, MemoryContext outer, char **certificate)
{
	Datum		values[2] = {CStringGetTextDatum(kid), CStringGetTextDatum(purpose)};
	Oid			types[2] = {TEXTOID, TEXTOID};
	TimestampTz certificate_expires_at;
	cached_key *key;

	SPI_connect();
	key = find_signing_key("SELECT kid, purpose, sealed_secret, certificate, "
						   "certificate_expires_at <= pg_catalog.now(), certificate_expires_at "
						   "FROM bigpicture.signing_keys "
						   "WHERE kid = $1 AND purpose = $2 AND (state = 'active' OR "
						   "(state = 'retiring' AND grace_ends_at > pg_catalog.now()))",
						   2, types, values, NULL, outer, certificate, &certificate_expires_at);
	SPI_finish();
	if (key == NULL)
		ereport(ERROR,
				(errcode(BP_ERRCODE_WRONG_STATE),
				 errmsg("signing key \"%s\" cannot sign for purpose %s", kid, purpose),
				 errdetail("Only an active key of that purpose, or a retiring one within its "
						   "grace period, signs.")));
	return key;
}

/* The active key of a purpose: the tenant's own when it has one, else the vendor-wide key. */
static cached_key *
active_key_for(const char *purpose, const char *tenant_id, MemoryContext outer, char **certificate)
{
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	Oid			types[2] = {TEXTOID, TEXTOID};
	cached_key *key;
	TimestampTz certificate_expires_at = 0;
	active_key *hit = bp_active_key_find(purpose, tenant_id);

	/* The remembered active key, while its unsealed copy is cached too. */
	if (hit != NULL &&
		(hit->certificate == NULL || hit->certificate_expires_at > GetCurrentTransactionStartTimestamp()))
	{
		key = bp_key_cache_find(hit->kid);
		if (key != NULL)
		{
			*certificate = hit->certificate;
			return key;
		}
	}

	values[0] = CStringGetTextDatum(purpose);
	values[1] = tenant_id ? CStringGetTextDatum(tenant_id) : (Datum) 0;
	nulls[1] = tenant_id ? ' ' : 'n';
	SPI_connect();
	key = find_signing_key("SELECT kid, purpose, sealed_secret, certificate, "
						   "certificate_expires_at <= pg_catalog.now(), certificate_expires_at "
						   "FROM bigpicture.signing_keys "
						   "WHERE purpose = $1 AND state = 'active' "
						   "AND (tenant_id IS NULL OR tenant_id = $2) "
						   "ORDER BY tenant_id NULLS LAST LIMIT 1",
						   2, types, values, nulls, outer, certificate, &certificate_expires_at);
	SPI_finish();
	if (key == NULL)
		ereport(ERROR,
				(errcode(BP_ERRCODE_WRONG_STATE),
				 errmsg("no active %s signing key", purpose),
				 errhint("Create one with bigpicture.generate_key('%s') and activate it "
						 "with bigpicture.activate_key(kid).", purpose)));
	bp_active_key_remember(purpose, tenant_id, key->kid, *certificate, certificate_expires_at);
	return key;
}

/*
 * Sign claims (object members without braces) as a token of env->typ: the
 * key is the active one of typ's purpose for tenant_id (or vendor-wide), or
 * the named kid, which must be of that purpose.
 */
text *
bp_sign(const bp_envelope *env, const char *tenant_id, const char *kid, const char *claims)
{
	const bp_token_kind *kind = token_kind_or_error(env->typ);
	const char *purpose = bp_purpose_name(kind->purpose);
	MemoryContext outer = CurrentMemoryContext;
	StringInfoData payload;
	char	   *certificate = NULL;
	cached_key *key;

	bp_refuse_while_restoring();
	/*
	 * With sealed keys (the default) nothing signs without the master key:
	 * say that first rather than "no active key".  With pkcs11, sealed keys
	 * of other purposes still need it, when they are unsealed.
	 */
	if (bp_key_backend == BP_KEY_BACKEND_SEALED)
		(void) bp_master_key();
	initStringInfo(&payload);
	bp_token_payload(&payload, env, claims);
	key = kid ? named_key(kid, purpose, outer, &certificate)
		: active_key_for(purpose, tenant_id, outer, &certificate);
	/*
	 * A dry run's change is rolled back: it is refused as the real one would
	 * be (no key, no master key), but what it would sign is never signed.
	 */
	if (bp_dry_run_active)
		return cstring_to_text("v4.public.dry-run-not-signed");
	return sign_with(key, certificate, payload.data);
}

/* Members of a jsonb object as text without its braces; refuses envelope members. */
static char *
claims_text(Jsonb *claims)
{
	char	   *s;
	size_t		len;

	if (!JB_ROOT_IS_OBJECT(claims) || JB_ROOT_IS_SCALAR(claims))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("token claims must be a JSON object")));
	for (size_t i = 0; i < lengthof(envelope_members); i++)
	{
		JsonbValue	k;

		k.type = jbvString;
		k.val.string.val = (char *) envelope_members[i];
		k.val.string.len = strlen(envelope_members[i]);
		if (findJsonbValueFromContainer(&claims->root, JB_FOBJECT, &k) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("token claims must not set \"%s\"", envelope_members[i]),
					 errdetail("typ, iss, iat, exp and nbf are the envelope, which the signer stamps.")));
	}
	s = JsonbToCString(NULL, &claims->root, VARSIZE(claims));
	len = strlen(s);
	/* "{...}" -> "...": JsonbToCString writes an object with its braces. */
	s[len - 1] = '\0';
	return s + 1;
}

static void
envelope_args(FunctionCallInfo fcinfo, int typ_arg, bp_envelope *env)
{
	int			exp_arg = typ_arg + 2;

	if (PG_ARGISNULL(typ_arg) || PG_ARGISNULL(typ_arg + 1))
		elog(ERROR, "typ and claims are required");
	env->typ = text_to_cstring(PG_GETARG_TEXT_PP(typ_arg));
	env->has_exp = !PG_ARGISNULL(exp_arg);
	env->exp = env->has_exp ? PG_GETARG_TIMESTAMPTZ(exp_arg) : 0;
	env->has_nbf = PG_NARGS() > exp_arg + 1 && !PG_ARGISNULL(exp_arg + 1);
	env->nbf = env->has_nbf ? PG_GETARG_TIMESTAMPTZ(exp_arg + 1) : 0;
}

/* _sign(typ, tenant_id, claims jsonb, exp, nbf): internal, granted to no one. */
PG_FUNCTION_INFO_V1(bigpicture_sign);
Datum
bigpicture_sign(PG_FUNCTION_ARGS)
{
	bp_envelope env;
	char	   *tenant_id = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		elog(ERROR, "typ and claims are required");
	env.typ = text_to_cstring(PG_GETARG_TEXT_PP(0));
	env.has_exp = !PG_ARGISNULL(3);
	env.exp = env.has_exp ? PG_GETARG_TIMESTAMPTZ(3) : 0;
	env.has_nbf = !PG_ARGISNULL(4);
	env.nbf = env.has_nbf ? PG_GETARG_TIMESTAMPTZ(4) : 0;
	PG_RETURN_TEXT_P(bp_sign(&env, tenant_id, NULL, claims_text(PG_GETARG_JSONB_P(2))));
}

/* _sign_with_key(kid, typ, claims jsonb, exp, nbf): internal, granted to no one. */
PG_FUNCTION_INFO_V1(bigpicture_sign_with_key);
Datum
bigpicture_sign_with_key(PG_FUNCTION_ARGS)
{
	bp_envelope env;

	if (PG_ARGISNULL(0))
		elog(ERROR, "kid is required");
	envelope_args(fcinfo, 1, &env);
	PG_RETURN_TEXT_P(bp_sign(&env, NULL, text_to_cstring(PG_GETARG_TEXT_PP(0)),
							 claims_text(PG_GETARG_JSONB_P(2))));
}

/* _token_payload(typ, claims jsonb, exp, nbf): the payload bp_sign would sign, unsigned. */
PG_FUNCTION_INFO_V1(bigpicture_token_payload);
Datum
bigpicture_token_payload(PG_FUNCTION_ARGS)
{
	bp_envelope env;
	StringInfoData out;

	envelope_args(fcinfo, 0, &env);
	initStringInfo(&out);
	bp_token_payload(&out, &env, claims_text(PG_GETARG_JSONB_P(1)));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(out.data)));
}
