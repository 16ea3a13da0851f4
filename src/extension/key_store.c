/*
 * key_store.c — signing keys: generation, sealing, the per-backend cache of
 * unsealed keys, and signing and verifying PASETO v4.public tokens.
 *
 * A secret key exists in clear only in this file: created by libsodium,
 * sealed with XChaCha20-Poly1305 under the master key (associated data: kid
 * and purpose) before anything is written, and unsealed into sodium_malloc
 * memory when a backend first signs with it.  The cache is wiped when the key
 * table changes (a relcache invalidation sent by a trigger, seen by every
 * backend) and when the backend exits.
 */
#include "postgres.h"

#include <sodium.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "mb/pg_wchar.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "bigpicture.h"
#include "json.h"
#include "paserk.h"
#include "paseto.h"

#define SEAL_FORMAT 1
#define SEAL_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEALED_BYTES (1 + SEAL_NONCE_BYTES + BP_PASETO_SECRET_KEY_BYTES + \
					  crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define KID_LEN BP_PASERK_K4_PID_LEN
#define KEY_CACHE_SLOTS 8

/*
 * Footer of every token we sign: {"kid":"k4.pid.…"}, and for a mirror's
 * certified key {"kid":"k4.pid.…","cert":"v4.public.…"}: the vendor's key
 * certificate travels with the token, so a client that pinned only the
 * vendor's root can verify it.  Certificates are PASETO tokens (base64url
 * and dots), checked when installed, so they need no JSON escaping.
 */
#define FOOTER_PREFIX "{\"kid\":\""
#define FOOTER_CERT "\",\"cert\":\""
#define FOOTER_SUFFIX "\"}"

typedef struct cached_key
{
	char		kid[KID_LEN + 1];	/* "" when the slot is free */
	unsigned char *sk;			/* sodium_malloc'd, BP_PASETO_SECRET_KEY_BYTES */
	uint64		last_used;
} cached_key;

static cached_key key_cache[KEY_CACHE_SLOTS];
static uint64 key_cache_clock = 0;
static bool key_cache_exit_hook = false;
static Oid	signing_keys_relid = InvalidOid;

static const char *const key_purposes[] = {"root", "decision", "lease", "snapshot", "audit"};

/*
 * Which key signs for a purpose and tenant, remembered so that most
 * signatures need no query: the same invalidation that wipes the unsealed
 * keys (any change to signing_keys) forgets these too.
 */
#define ACTIVE_KEY_SLOTS 8
#define TENANT_ID_MAX 128
typedef struct active_key
{
	bool		used;
	bool		has_tenant;
	char		purpose[16];
	char		tenant[TENANT_ID_MAX];
	char		kid[KID_LEN + 1];
	char	   *certificate;	/* TopMemoryContext, or NULL */
	TimestampTz certificate_expires_at;
} active_key;

static active_key active_keys[ACTIVE_KEY_SLOTS];
static int	active_key_next = 0;

/* ---- the cache ------------------------------------------------------- */

static void
active_keys_forget(void)
{
	for (int i = 0; i < ACTIVE_KEY_SLOTS; i++)
	{
		if (active_keys[i].certificate != NULL)
			pfree(active_keys[i].certificate);
		memset(&active_keys[i], 0, sizeof(active_keys[i]));
	}
}

static void
key_cache_wipe(void)
{
	active_keys_forget();
	for (int i = 0; i < KEY_CACHE_SLOTS; i++)
	{
		if (key_cache[i].sk != NULL)
			sodium_free(key_cache[i].sk);	/* zeroes before freeing */
		key_cache[i].sk = NULL;
		key_cache[i].kid[0] = '\0';
	}
}

static void
key_cache_on_exit(int code, Datum arg)
{
	key_cache_wipe();
}

static void
key_cache_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == signing_keys_relid)
		key_cache_wipe();
}

static cached_key *
key_cache_find(const char *kid)
{
	for (int i = 0; i < KEY_CACHE_SLOTS; i++)
		if (key_cache[i].sk != NULL && strcmp(key_cache[i].kid, kid) == 0)
		{
			key_cache[i].last_used = ++key_cache_clock;
			return &key_cache[i];
		}
	return NULL;
}

/* A free slot, or the least recently used one wiped. */
static cached_key *
key_cache_slot(void)
{
	cached_key *victim = &key_cache[0];

	if (!key_cache_exit_hook)
	{
		on_proc_exit(key_cache_on_exit, (Datum) 0);
		key_cache_exit_hook = true;
	}
	for (int i = 0; i < KEY_CACHE_SLOTS; i++)
	{
		if (key_cache[i].sk == NULL)
			return &key_cache[i];
		if (key_cache[i].last_used < victim->last_used)
			victim = &key_cache[i];
	}
	sodium_free(victim->sk);
	victim->sk = NULL;
	victim->kid[0] = '\0';
	return victim;
}

static int	key_grace_period = 30 * 24 * 3600;
static int	keyset_ttl = 24 * 3600;
static char *issuer = NULL;

void
bp_key_store_init(void)
{
	DefineCustomIntVariable("bigpicture.key_grace_period",
							"How long a replaced signing key keeps verifying.",
							"When a key is activated, the key it replaces is retiring "
							"for this long, then retired.",
							&key_grace_period, 30 * 24 * 3600, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("bigpicture.keyset_ttl",
							"How long a signed key set is valid.",
							NULL,
							&keyset_ttl, 24 * 3600, 60, INT_MAX,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomStringVariable("bigpicture.issuer",
							   "The iss claim of every token this server signs.",
							   NULL,
							   &issuer, "bigpicture",
							   PGC_SUSET, 0, NULL, NULL, NULL);
	CacheRegisterRelcacheCallback(key_cache_relcache_callback, (Datum) 0);
}

/* ---- sealing --------------------------------------------------------- */

/* Associated data binds a sealed key to its kid and purpose. */
static size_t
seal_ad(char *ad, size_t cap, const char *kid, const char *purpose)
{
	int			n = snprintf(ad, cap, "%s%c%s", kid, '\0', purpose);

	return (n > 0 && (size_t) n < cap) ? (size_t) n : 0;
}

static void
seal_secret(const unsigned char *sk, const char *kid, const char *purpose,
			unsigned char *sealed)
{
	char		ad[KID_LEN + 32];
	size_t		ad_len = seal_ad(ad, sizeof(ad), kid, purpose);
	const unsigned char *mk = bp_master_key();

	sealed[0] = SEAL_FORMAT;
	randombytes_buf(sealed + 1, SEAL_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + 1 + SEAL_NONCE_BYTES, NULL,
											   sk, BP_PASETO_SECRET_KEY_BYTES,
											   (const unsigned char *) ad, ad_len,
											   NULL, sealed + 1, mk);
}

/* Unseal into sk (BP_PASETO_SECRET_KEY_BYTES of sodium memory). */
static bool
unseal_secret(const unsigned char *sealed, size_t sealed_len, const char *kid,
			  const char *purpose, unsigned char *sk)
{
	char		ad[KID_LEN + 32];
	size_t		ad_len = seal_ad(ad, sizeof(ad), kid, purpose);
	const unsigned char *mk = bp_master_key();

	return sealed_len == SEALED_BYTES && sealed[0] == SEAL_FORMAT &&
		crypto_aead_xchacha20poly1305_ietf_decrypt(sk, NULL, NULL,
												   sealed + 1 + SEAL_NONCE_BYTES,
												   sealed_len - 1 - SEAL_NONCE_BYTES,
												   (const unsigned char *) ad, ad_len,
												   sealed + 1, mk) == 0;
}

/* ---- helpers --------------------------------------------------------- */

static void
check_purpose(const char *purpose)
{
	for (size_t i = 0; i < lengthof(key_purposes); i++)
		if (strcmp(purpose, key_purposes[i]) == 0)
			return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid key purpose \"%s\"", purpose),
			 errhint("Use one of root, decision, lease, snapshot, audit.")));
}

static char *
text_arg_or_null(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

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
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("tenant \"%s\" does not exist", tenant_id)));
}

/* ---- SQL: generate_key ----------------------------------------------- */

PG_FUNCTION_INFO_V1(bigpicture_generate_key);
Datum
bigpicture_generate_key(PG_FUNCTION_ARGS)
{
	char	   *purpose;
	char	   *tenant_id = text_arg_or_null(fcinfo, 1);
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
	check_purpose(purpose);
	if (tenant_id != NULL && tenant_id[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tenant id must not be empty"),
				 errhint("Pass NULL for a vendor-wide key.")));
	if (tenant_id != NULL)
		check_tenant_exists(tenant_id);
	(void) bp_master_key();		/* fail before creating anything */

	/* The secret is sealed and wiped before anything below can fail. */
	crypto_sign_keypair(pk, sk);
	if (bp_paserk_k4_pid(pk, sizeof(pk), kid, sizeof(kid), &kid_len) != BP_PASERK_OK)
	{
		sodium_memzero(sk, sizeof(sk));
		elog(ERROR, "could not compute the key id");
	}
	kid[kid_len] = '\0';
	seal_secret(sk, kid, purpose, sealed);
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

/* ---- signing --------------------------------------------------------- */

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
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
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
	if (signing_keys_relid == InvalidOid)
		signing_keys_relid = get_relname_relid("signing_keys",
											   get_namespace_oid("bigpicture", false));

	slot = key_cache_find(kid);
	if (slot == NULL)
	{
		bool		isnull;
		char	   *purpose = SPI_getvalue(row, desc, 2);
		bytea	   *sealed = DatumGetByteaPP(SPI_getbinval(row, desc, 3, &isnull));
		unsigned char *sk = sodium_malloc(BP_PASETO_SECRET_KEY_BYTES);

		if (sk == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
							errmsg("out of secure memory for signing keys")));
		/* Checked once here, so every signature can skip the check. */
		if (!unseal_secret((unsigned char *) VARDATA_ANY(sealed), VARSIZE_ANY_EXHDR(sealed),
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
		slot = key_cache_slot();
		slot->sk = sk;
		strlcpy(slot->kid, kid, sizeof(slot->kid));
		slot->last_used = ++key_cache_clock;
	}
	return slot;
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

/*
 * Sign payload_json with the active key of this purpose: the tenant's own key
 * when it has one, else the vendor-wide key.  Returns the token.
 */
text *
bp_sign_token(const char *purpose, const char *tenant_id, const char *payload_json)
{
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	Oid			types[2] = {TEXTOID, TEXTOID};
	cached_key *key;
	char	   *certificate;
	MemoryContext outer = CurrentMemoryContext;

	TimestampTz certificate_expires_at = 0;
	active_key *hit = NULL;

	check_purpose(purpose);
	(void) bp_master_key();

	/* The remembered active key, while its unsealed copy is cached too. */
	for (int i = 0; i < ACTIVE_KEY_SLOTS; i++)
		if (active_keys[i].used && strcmp(active_keys[i].purpose, purpose) == 0 &&
			active_keys[i].has_tenant == (tenant_id != NULL) &&
			(tenant_id == NULL || strcmp(active_keys[i].tenant, tenant_id) == 0))
			hit = &active_keys[i];
	if (hit != NULL &&
		(hit->certificate == NULL || hit->certificate_expires_at > GetCurrentTransactionStartTimestamp()))
	{
		key = key_cache_find(hit->kid);
		if (key != NULL)
			return sign_with(key, hit->certificate, payload_json);
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
						   2, types, values, nulls, outer, &certificate, &certificate_expires_at);
	SPI_finish();
	if (key != NULL && strlen(purpose) < sizeof(hit->purpose) &&
		(tenant_id == NULL || strlen(tenant_id) < TENANT_ID_MAX))
	{
		/* Remember it (round robin: there are few purposes and tenants per backend). */
		active_key *slot = &active_keys[active_key_next++ % ACTIVE_KEY_SLOTS];

		if (slot->certificate != NULL)
			pfree(slot->certificate);
		memset(slot, 0, sizeof(*slot));
		strlcpy(slot->purpose, purpose, sizeof(slot->purpose));
		slot->has_tenant = tenant_id != NULL;
		if (tenant_id != NULL)
			strlcpy(slot->tenant, tenant_id, sizeof(slot->tenant));
		strlcpy(slot->kid, key->kid, sizeof(slot->kid));
		slot->certificate = certificate ? MemoryContextStrdup(TopMemoryContext, certificate) : NULL;
		slot->certificate_expires_at = certificate_expires_at;
		slot->used = true;
	}
	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no active %s signing key", purpose),
				 errhint("Create one with bigpicture.generate_key('%s') and activate it "
						 "with bigpicture.activate_key(kid).", purpose)));
	return sign_with(key, certificate, payload_json);
}

/* _sign_token(purpose, tenant_id, payload jsonb): internal, granted to no one. */
PG_FUNCTION_INFO_V1(bigpicture_sign_token);
Datum
bigpicture_sign_token(PG_FUNCTION_ARGS)
{
	char	   *purpose;
	char	   *tenant_id = text_arg_or_null(fcinfo, 1);
	Jsonb	   *payload;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2))
		elog(ERROR, "purpose and payload are required");
	purpose = text_to_cstring(PG_GETARG_TEXT_PP(0));
	payload = PG_GETARG_JSONB_P(2);
	PG_RETURN_TEXT_P(bp_sign_token(purpose, tenant_id,
								   JsonbToCString(NULL, &payload->root, VARSIZE(payload))));
}

/*
 * _sign_token_with_key(kid, payload jsonb): internal, granted to no one.
 * Signs with one named key that is active or retiring within its grace
 * period: how a key set is counter-signed by the outgoing root key during a
 * root rotation, so clients that pinned it can follow to the new root.
 */
PG_FUNCTION_INFO_V1(bigpicture_sign_token_with_key);
Datum
bigpicture_sign_token_with_key(PG_FUNCTION_ARGS)
{
	Datum		values[1];
	Oid			types[1] = {TEXTOID};
	char	   *kid;
	Jsonb	   *payload;
	cached_key *key;
	char	   *certificate;
	TimestampTz certificate_expires_at;
	MemoryContext outer = CurrentMemoryContext;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		elog(ERROR, "kid and payload are required");
	kid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	payload = PG_GETARG_JSONB_P(1);
	(void) bp_master_key();
	values[0] = CStringGetTextDatum(kid);

	SPI_connect();
	key = find_signing_key("SELECT kid, purpose, sealed_secret, certificate, "
						   "certificate_expires_at <= pg_catalog.now(), certificate_expires_at "
						   "FROM bigpicture.signing_keys "
						   "WHERE kid = $1 AND (state = 'active' OR "
						   "(state = 'retiring' AND grace_ends_at > pg_catalog.now()))",
						   1, types, values, NULL, outer, &certificate, &certificate_expires_at);
	SPI_finish();
	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("signing key \"%s\" cannot sign", kid),
				 errdetail("Only an active key, or a retiring key within its grace period, signs.")));
	PG_RETURN_TEXT_P(sign_with(key, certificate, JsonbToCString(NULL, &payload->root, VARSIZE(payload))));
}

/* Wipe cached keys in every backend once the key table has changed. */
PG_FUNCTION_INFO_V1(bigpicture_signing_keys_changed);
Datum
bigpicture_signing_keys_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "bigpicture_signing_keys_changed: not called as a trigger");
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}

/* ---- PASERK and verification (public data only) ---------------------- */

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
