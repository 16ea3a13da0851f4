/*
 * events.c — what "events out" (docs/events.md) needs in C: the notice
 * period of entitlement.expiring, and webhook signing secrets.
 *
 * A webhook secret is Standard Webhooks' "whsec_" and the standard base64
 * of 24 to 63 random bytes.  It is shown once, when made, and stored sealed
 * under the master key like a signing key (associated data: the
 * subscription's id and "webhook"), so a dump or a backup holds no secret.
 * Only bigpicture-webhooks, through webhook_claim(), reads it back.
 */
#include "postgres.h"

#include <sodium.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "bigpicture.h"
#include "keys.h"

#define WHSEC_PREFIX "whsec_"
#define WHSEC_MIN_BYTES 24
#define WHSEC_MAX_BYTES (BP_PASETO_SECRET_KEY_BYTES - 1)	/* one byte of the sealed block is its length */
#define WHSEC_NEW_BYTES 32

static int	entitlement_notice_period = 7 * 24 * 3600;

void
bp_events_init(void)
{
	DefineCustomIntVariable("bigpicture.entitlement_notice_period",
							"How long before an entitlement ends entitlement.expiring is written.",
							"The worker's entitlement_notices job writes it once per entitlement and end.",
							&entitlement_notice_period, 7 * 24 * 3600, 0, 365 * 24 * 3600,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
}

static text *
secret_text(const unsigned char *bytes, size_t n)
{
	size_t		b64 = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char	   *out = palloc(strlen(WHSEC_PREFIX) + b64);
	text	   *t;

	memcpy(out, WHSEC_PREFIX, strlen(WHSEC_PREFIX));
	sodium_bin2base64(out + strlen(WHSEC_PREFIX), b64, bytes, n, sodium_base64_VARIANT_ORIGINAL);
	t = cstring_to_text(out);
	sodium_memzero(out, strlen(out));
	return t;
}

PG_FUNCTION_INFO_V1(bigpicture_webhook_secret_new);
Datum
bigpicture_webhook_secret_new(PG_FUNCTION_ARGS)
{
	unsigned char bytes[WHSEC_NEW_BYTES];
	text	   *t;

	randombytes_buf(bytes, sizeof(bytes));
	t = secret_text(bytes, sizeof(bytes));
	sodium_memzero(bytes, sizeof(bytes));
	PG_RETURN_TEXT_P(t);
}

/* _webhook_seal(subscription_id, secret): the sealed block; 22023 for a malformed secret. */
PG_FUNCTION_INFO_V1(bigpicture_webhook_seal);
Datum
bigpicture_webhook_seal(PG_FUNCTION_ARGS)
{
	char	   *id;
	char	   *secret;
	size_t		len;
	size_t		n = 0;
	unsigned char *block;
	bytea	   *sealed;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		elog(ERROR, "subscription_id and secret are required");
	id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	secret = text_to_cstring(PG_GETARG_TEXT_PP(1));
	len = strlen(secret);
	block = sodium_malloc(BP_PASETO_SECRET_KEY_BYTES);
	if (block == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of secure memory")));
	memset(block, 0, BP_PASETO_SECRET_KEY_BYTES);
	if (len <= strlen(WHSEC_PREFIX) || strncmp(secret, WHSEC_PREFIX, strlen(WHSEC_PREFIX)) != 0 ||
		sodium_base642bin(block + 1, WHSEC_MAX_BYTES, secret + strlen(WHSEC_PREFIX), len - strlen(WHSEC_PREFIX),
						  NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
		n < WHSEC_MIN_BYTES)
	{
		sodium_free(block);
		sodium_memzero(secret, len);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid webhook secret"),
				 errdetail("A webhook secret is whsec_ followed by the base64 of %d to %d bytes.",
						   WHSEC_MIN_BYTES, WHSEC_MAX_BYTES),
				 errhint("Leave it out and a new one is made.")));
	}
	sodium_memzero(secret, len);
	block[0] = (unsigned char) n;
	sealed = palloc(VARHDRSZ + SEALED_BYTES);
	SET_VARSIZE(sealed, VARHDRSZ + SEALED_BYTES);
	bp_seal_secret(block, id, "webhook", (unsigned char *) VARDATA(sealed));
	sodium_free(block);
	PG_RETURN_BYTEA_P(sealed);
}

/* _webhook_unseal(subscription_id, sealed): the secret again, for the delivery daemon only. */
PG_FUNCTION_INFO_V1(bigpicture_webhook_unseal);
Datum
bigpicture_webhook_unseal(PG_FUNCTION_ARGS)
{
	char	   *id;
	bytea	   *sealed;
	unsigned char *block;
	text	   *t;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	sealed = PG_GETARG_BYTEA_PP(1);
	block = sodium_malloc(BP_PASETO_SECRET_KEY_BYTES);
	if (block == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of secure memory")));
	if (!bp_unseal_secret((const unsigned char *) VARDATA_ANY(sealed), VARSIZE_ANY_EXHDR(sealed), id, "webhook", block) ||
		block[0] < WHSEC_MIN_BYTES || block[0] > WHSEC_MAX_BYTES)
	{
		sodium_free(block);
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the secret of webhook subscription %s does not unseal", id),
				 errhint("Is bigpicture.master_key_command the key it was sealed with? Rotate the "
						 "subscription's secret with bigpicture.rotate_webhook_secret().")));
	}
	t = secret_text(block + 1, block[0]);
	sodium_free(block);
	PG_RETURN_TEXT_P(t);
}
