/*
 * key_cache.c — the per-backend cache of unsealed signing keys and of which
 * key is active per purpose and tenant.
 *
 * Unsealed keys live in sodium_malloc memory.  The cache is wiped when the
 * key table changes (a relcache invalidation sent by a trigger, seen by
 * every backend) and when the backend exits.
 */
#include "postgres.h"

#include <sodium.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "storage/ipc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "keys.h"
#include "pkcs11.h"

#define KEY_CACHE_SLOTS 8

static cached_key key_cache[KEY_CACHE_SLOTS];
static uint64 key_cache_clock = 0;
static bool key_cache_exit_hook = false;
static Oid	signing_keys_relid = InvalidOid;

/*
 * Which key signs for a purpose and tenant, remembered so that most
 * signatures need no query: the same invalidation that wipes the unsealed
 * keys (any change to signing_keys) forgets these too.
 */
#define ACTIVE_KEY_SLOTS 8
static active_key active_keys[ACTIVE_KEY_SLOTS];
static int	active_key_next = 0;

/*
 * Public halves of vendor-wide keys, so a token's verification needs no
 * query (a report verifies the decision it follows).  Only vendor-wide ones:
 * whether a tenant's key is visible depends on who asks.
 */
#define VERIFY_KEY_SLOTS 8
static struct
{
	bool		used;
	bp_verify_key key;
	char		state[16];
	TimestampTz stale_at;		/* from then on its state is another (DT_NOEND: never) */
}			verify_keys[VERIFY_KEY_SLOTS];
static int	verify_key_next = 0;

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
	memset(verify_keys, 0, sizeof(verify_keys));
	active_keys_forget();
	bp_pkcs11_forget_handles();
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

cached_key *
bp_key_cache_find(const char *kid)
{
	for (int i = 0; i < KEY_CACHE_SLOTS; i++)
		if (key_cache[i].kid[0] != '\0' && strcmp(key_cache[i].kid, kid) == 0)
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
		if (key_cache[i].kid[0] == '\0')
			return &key_cache[i];
		if (key_cache[i].last_used < victim->last_used)
			victim = &key_cache[i];
	}
	if (victim->sk != NULL)
		sodium_free(victim->sk);
	victim->sk = NULL;
	victim->kid[0] = '\0';
	return victim;
}

/* Cache an unsealed key (sodium memory, now owned by the cache). */
cached_key *
bp_key_cache_store(const char *kid, unsigned char *sk)
{
	cached_key *slot = key_cache_slot();

	slot->sk = sk;
	strlcpy(slot->kid, kid, sizeof(slot->kid));
	slot->last_used = ++key_cache_clock;
	return slot;
}

/* Look up the key table's oid once, so its invalidations wipe the cache. */
void
bp_key_cache_watch_table(void)
{
	if (signing_keys_relid == InvalidOid)
		signing_keys_relid = get_relname_relid("signing_keys",
											   get_namespace_oid("bigpicture", false));
}

active_key *
bp_active_key_find(const char *purpose, const char *tenant_id)
{
	active_key *hit = NULL;

	for (int i = 0; i < ACTIVE_KEY_SLOTS; i++)
		if (active_keys[i].used && strcmp(active_keys[i].purpose, purpose) == 0 &&
			active_keys[i].has_tenant == (tenant_id != NULL) &&
			(tenant_id == NULL || strcmp(active_keys[i].tenant, tenant_id) == 0))
			hit = &active_keys[i];
	return hit;
}

/* Remember the active key (round robin: there are few purposes and tenants per backend). */
void
bp_active_key_remember(const char *purpose, const char *tenant_id, const char *kid,
					   const char *certificate, TimestampTz certificate_expires_at)
{
	active_key *slot;

	if (strlen(purpose) >= sizeof(slot->purpose) ||
		(tenant_id != NULL && strlen(tenant_id) >= sizeof(slot->tenant)))
		return;
	slot = &active_keys[active_key_next++ % ACTIVE_KEY_SLOTS];
	if (slot->certificate != NULL)
		pfree(slot->certificate);
	memset(slot, 0, sizeof(*slot));
	strlcpy(slot->purpose, purpose, sizeof(slot->purpose));
	slot->has_tenant = tenant_id != NULL;
	if (tenant_id != NULL)
		strlcpy(slot->tenant, tenant_id, sizeof(slot->tenant));
	strlcpy(slot->kid, kid, sizeof(slot->kid));
	slot->certificate = certificate ? MemoryContextStrdup(TopMemoryContext, certificate) : NULL;
	slot->certificate_expires_at = certificate_expires_at;
	slot->used = true;
}

bool
bp_verify_key_cache_find(const char kid[KID_LEN], bp_verify_key *key, const char **state)
{
	for (int i = 0; i < VERIFY_KEY_SLOTS; i++)
		if (verify_keys[i].used && memcmp(verify_keys[i].key.kid, kid, KID_LEN) == 0)
		{
			if (GetCurrentTransactionStartTimestamp() >= verify_keys[i].stale_at)
			{
				verify_keys[i].used = false;
				return false;
			}
			*key = verify_keys[i].key;
			*state = verify_keys[i].state;
			return true;
		}
	return false;
}

void
bp_verify_key_cache_store(const bp_verify_key *key, const char *state, TimestampTz stale_at)
{
	int			slot;

	if (key->has_tenant || strlen(state) >= sizeof(verify_keys[0].state))
		return;
	bp_key_cache_watch_table();	/* so that its changes reach us */
	slot = verify_key_next++ % VERIFY_KEY_SLOTS;
	verify_keys[slot].key = *key;
	strlcpy(verify_keys[slot].state, state, sizeof(verify_keys[slot].state));
	verify_keys[slot].stale_at = stale_at;
	verify_keys[slot].used = true;
}

void
bp_key_cache_init(void)
{
	CacheRegisterRelcacheCallback(key_cache_relcache_callback, (Datum) 0);
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

