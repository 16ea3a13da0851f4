/*
 * key_settings.c — the key store's settings (grace period, lifetimes of
 * the signed kinds, issuer) and the names of key purposes.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "bigpicture.h"
#include "keys.h"
#include "pkcs11.h"
#include "token_kinds.h"

static int	key_grace_period = 30 * 24 * 3600;
static int	keyset_ttl = 24 * 3600;
static int	release_ttl = 30 * 24 * 3600;
static int	checkpoint_ttl = 30 * 24 * 3600;
static int	snapshot_ttl = 14 * 24 * 3600;
static int	revocations_ttl = 24 * 3600;
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
	/* At most the longest lifetime the signer gives a key set (token_kinds.c). */
	DefineCustomIntVariable("bigpicture.keyset_ttl",
							"How long a signed key set is valid.",
							NULL,
							&keyset_ttl, 24 * 3600, 60, 400 * 24 * 3600,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	/*
	 * Stored tokens are re-signed when half their life is gone (the
	 * worker's refresh_signatures job), so a copy fetched at any time stays
	 * valid for at least half of it: 15 days of release metadata and
	 * checkpoints, 7 of a snapshot, by default.  Upper bounds: token_kinds.c.
	 */
	DefineCustomIntVariable("bigpicture.release_ttl",
							"How long signed release metadata is valid; it is re-signed at half of it.",
							NULL,
							&release_ttl, 30 * 24 * 3600, 3600, 400 * 24 * 3600,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("bigpicture.checkpoint_ttl",
							"How long a signed audit checkpoint is valid; the latest is re-signed at half of it.",
							NULL,
							&checkpoint_ttl, 30 * 24 * 3600, 3600, 400 * 24 * 3600,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("bigpicture.snapshot_ttl",
							"How long a snapshot is valid when generated without a ttl; the latest is re-signed at half of it.",
							NULL,
							&snapshot_ttl, 14 * 24 * 3600, 3600, 400 * 24 * 3600,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("bigpicture.revocations_ttl",
							"How long a signed lease revocation list is valid.",
							NULL,
							&revocations_ttl, 24 * 3600, 60, 31 * 24 * 3600,
							PGC_SUSET, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomStringVariable("bigpicture.issuer",
							   "The iss claim of every token this server signs.",
							   NULL,
							   &issuer, "bigpicture",
							   PGC_SUSET, 0, NULL, NULL, NULL);
	bp_pkcs11_settings_init();
	bp_key_cache_init();
}

const char *
bp_issuer(void)
{
	return issuer;
}

void
bp_check_purpose(const char *purpose)
{
	if (bp_purpose_from_name(purpose, strlen(purpose)) != BP_PURPOSE_NONE)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid key purpose \"%s\"", purpose),
			 errhint("Use one of root, decision, lease, snapshot, audit.")));
}
