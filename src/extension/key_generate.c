/*
 * key_generate.c — generate_key(): a new Ed25519 key pair whose secret half
 * is sealed and wiped before anything else can fail, so it exists in clear
 * only for the moment between creation and sealing.
 */
#include "postgres.h"

#include <sodium.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "bigpicture.h"
#include "keys.h"
#include "pkcs11.h"

/* A tenant key needs its tenant: fail before any key material exists. */
static void
check_tenant_exists(const char *tenant_id)
{
	Datum		values[1] = {CStringGetTextDatum(tenant_id)};
	Oid			types[1] = {TEXTOID};
	bool		found;

	SPI_connect();
	if (SPI_execute_with_args("SELECT 1 FROM bigpicture.tenants WHERE tenant_id = $1",
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up the tenant");
	found = SPI_processed > 0;
	SPI_finish();
	if (!found)
		ereport(ERROR,
				(errcode(BP_ERRCODE_NOT_FOUND),
				 errmsg("tenant \"%s\" does not exist", tenant_id)));
}

PG_FUNCTION_INFO_V1(bigpicture_generate_key);
Datum
bigpicture_generate_key(PG_FUNCTION_ARGS)
{
	char	   *purpose;
	char	   *tenant_id = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	unsigned char pk[BP_PASETO_PUBLIC_KEY_BYTES];
	unsigned char sk[BP_PASETO_SECRET_KEY_BYTES];
	unsigned char sealed[SEALED_BYTES];
	char		kid[KID_LEN + 1];
	size_t		kid_len;
	bytea	   *pk_datum;
	bytea	   *sealed_datum;
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, BYTEAOID, BYTEAOID};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("key purpose must not be null"),
				 errhint("Use one of root, decision, lease, snapshot, audit.")));
	purpose = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bp_check_purpose(purpose);
	if (tenant_id != NULL && tenant_id[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tenant id must not be empty"),
				 errhint("Pass NULL for a vendor-wide key.")));
	if (tenant_id != NULL)
		check_tenant_exists(tenant_id);
	if (bp_key_backend == BP_KEY_BACKEND_PKCS11)
	{
		bp_pkcs11_generate(pk, kid, sizeof(kid));
		values[0] = CStringGetTextDatum(kid);
		values[1] = CStringGetTextDatum(purpose);
		values[2] = tenant_id ? CStringGetTextDatum(tenant_id) : (Datum) 0;
		nulls[2] = tenant_id ? ' ' : 'n';
		pk_datum = palloc(VARHDRSZ + sizeof(pk));
		SET_VARSIZE(pk_datum, VARHDRSZ + sizeof(pk));
		memcpy(VARDATA(pk_datum), pk, sizeof(pk));
		values[3] = PointerGetDatum(pk_datum);
		SPI_connect();
		if (SPI_execute_with_args("INSERT INTO bigpicture.signing_keys "
								  "(kid, purpose, tenant_id, public_key, sealed_secret, backend) "
								  "VALUES ($1, $2, $3, $4, NULL, 'pkcs11')",
								  4, types, values, nulls, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not store the signing key");
		SPI_finish();
		PG_RETURN_TEXT_P(cstring_to_text(kid));
	}
	(void) bp_master_key();		/* fail before creating anything */

	/* The secret is sealed and wiped before anything below can fail. */
	crypto_sign_keypair(pk, sk);
	if (bp_paserk_k4_pid(pk, sizeof(pk), kid, sizeof(kid), &kid_len) != BP_PASERK_OK)
	{
		sodium_memzero(sk, sizeof(sk));
		elog(ERROR, "could not compute the key id");
	}
	kid[kid_len] = '\0';
	bp_seal_secret(sk, kid, purpose, sealed);
	sodium_memzero(sk, sizeof(sk));

	pk_datum = palloc(VARHDRSZ + sizeof(pk));
	SET_VARSIZE(pk_datum, VARHDRSZ + sizeof(pk));
	memcpy(VARDATA(pk_datum), pk, sizeof(pk));
	sealed_datum = palloc(VARHDRSZ + sizeof(sealed));
	SET_VARSIZE(sealed_datum, VARHDRSZ + sizeof(sealed));
	memcpy(VARDATA(sealed_datum), sealed, sizeof(sealed));

	values[0] = CStringGetTextDatum(kid);
	values[1] = CStringGetTextDatum(purpose);
	values[2] = tenant_id ? CStringGetTextDatum(tenant_id) : (Datum) 0;
	nulls[2] = tenant_id ? ' ' : 'n';
	values[3] = PointerGetDatum(pk_datum);
	values[4] = PointerGetDatum(sealed_datum);

	SPI_connect();
	if (SPI_execute_with_args("INSERT INTO bigpicture.signing_keys "
							  "(kid, purpose, tenant_id, public_key, sealed_secret) "
							  "VALUES ($1, $2, $3, $4, $5)",
							  5, types, values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not store the signing key");
	SPI_finish();

	PG_RETURN_TEXT_P(cstring_to_text(kid));
}

