/*
 * pkcs11.c — signing keys on a PKCS#11 token (docs/keys.md, "Keys in an
 * HSM").  The module is dlopen'ed and C_Initialize'd lazily in each backend
 * (never in the postmaster); one session per backend, logged in once with
 * the PIN that bigpicture.pkcs11_pin_command prints; object handles cached
 * per kid.  A lost session or token re-initialises once and retries.
 * Types: PKCS#11 v2.40 (OASIS) as p11-kit's pkcs11.h declares them.
 */
#include "postgres.h"

#include <dlfcn.h>
#include <sodium.h>

#include "access/xact.h"
#include "storage/fd.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include <p11-kit-1/p11-kit/pkcs11.h>

#include "bigpicture.h"
#include "keys.h"
#include "pkcs11.h"

#define PIN_MAX 256
#define HANDLE_SLOTS 16

static char *pkcs11_module = NULL;
static char *pkcs11_token_label = NULL;
static char *pkcs11_pin_command = NULL;

static void *module_handle = NULL;
static CK_FUNCTION_LIST_PTR p11 = NULL;
static bool p11_initialized = false;
static CK_SESSION_HANDLE session = CK_INVALID_HANDLE;

/* Private keys found by kid, with the public key checked to be the kid's. */
static struct
{
	char		kid[KID_LEN + 1];
	CK_OBJECT_HANDLE handle;
	unsigned char pk[32];
} handles[HANDLE_SLOTS];
static int	handle_next = 0;

/*
 * Key pairs generated in the current transaction, by kid and subtransaction:
 * their rows are not committed yet, so an abort destroys them on the token
 * rather than leave keys no row names.
 */
typedef struct new_pair
{
	char		kid[KID_LEN + 1];
	SubTransactionId subxid;
	struct new_pair *next;
} new_pair;
static new_pair *new_pairs = NULL;
static bool xact_callbacks_registered = false;

/* A PIN the token refused is not tried again for this long (an HSM may lock it). */
#define PIN_RETRY_SECONDS 60
static TimestampTz pin_refused_at = 0;

/* OID 1.3.101.112 (id-Ed25519) as DER, which SoftHSM2 2.6 accepts. */
static const unsigned char ed25519_params[] = {0x06, 0x03, 0x2b, 0x65, 0x70};

/* CKA_EC_POINT as the 32-byte key: a DER OCTET STRING, or the raw bytes as some modules give. */
static bool
point_to_pk(const unsigned char *point, CK_ULONG len, unsigned char *pk)
{
	if (len == 34 && point[0] == 0x04 && point[1] == 32)
		memcpy(pk, point + 2, 32);
	else if (len == 32)
		memcpy(pk, point, 32);
	else
		return false;
	return true;
}

static const char *
ckr_name(CK_RV rv)
{
	switch (rv)
	{
#define N(x) case x: return #x
			N(CKR_OK);
			N(CKR_GENERAL_ERROR);
			N(CKR_ARGUMENTS_BAD);
			N(CKR_ATTRIBUTE_SENSITIVE);
			N(CKR_ATTRIBUTE_VALUE_INVALID);
			N(CKR_DEVICE_ERROR);
			N(CKR_DEVICE_REMOVED);
			N(CKR_FUNCTION_FAILED);
			N(CKR_KEY_HANDLE_INVALID);
			N(CKR_MECHANISM_INVALID);
			N(CKR_MECHANISM_PARAM_INVALID);
			N(CKR_OBJECT_HANDLE_INVALID);
			N(CKR_PIN_INCORRECT);
			N(CKR_PIN_LOCKED);
			N(CKR_SESSION_HANDLE_INVALID);
			N(CKR_SESSION_CLOSED);
			N(CKR_TEMPLATE_INCOMPLETE);
			N(CKR_TEMPLATE_INCONSISTENT);
			N(CKR_TOKEN_NOT_PRESENT);
			N(CKR_TOKEN_NOT_RECOGNIZED);
			N(CKR_USER_NOT_LOGGED_IN);
			N(CKR_CRYPTOKI_NOT_INITIALIZED);
			N(CKR_CRYPTOKI_ALREADY_INITIALIZED);
			N(CKR_CURVE_NOT_SUPPORTED);
#undef N
	}
	return "CKR_(unknown)";
}

static bool
lost(CK_RV rv)
{
	return rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
		rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT ||
		rv == CKR_CRYPTOKI_NOT_INITIALIZED || rv == CKR_USER_NOT_LOGGED_IN;
}

static void
config_error(const char *msg, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("%s", msg),
			 detail ? errdetail("%s", detail) : 0,
			 errhint("Check bigpicture.pkcs11_module, bigpicture.pkcs11_token_label and "
					 "bigpicture.pkcs11_pin_command.")));
}

static void
token_error(const char *what, CK_RV rv)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("PKCS#11 %s failed: %s", what, ckr_name(rv)),
			 errdetail("Module %s, token \"%s\" (return value 0x%lx).",
					   pkcs11_module ? pkcs11_module : "", pkcs11_token_label ? pkcs11_token_label : "",
					   (unsigned long) rv),
			 errhint("Check the token, bigpicture.pkcs11_token_label and "
					 "bigpicture.pkcs11_pin_command.")));
}

void
bp_pkcs11_forget_handles(void)
{
	memset(handles, 0, sizeof(handles));
}

/* Drop the session and the library state: the next call starts afresh. */
static void
p11_reset(void)
{
	if (p11 != NULL && p11_initialized)
	{
		if (session != CK_INVALID_HANDLE)
			(void) p11->C_CloseSession(session);
		(void) p11->C_Finalize(NULL);
	}
	session = CK_INVALID_HANDLE;
	p11_initialized = false;
	bp_pkcs11_forget_handles();
}

/* The PIN: the first line the command prints, into pin (PIN_MAX + 1). */
static size_t
read_pin(char *pin)
{
	FILE	   *pipe;
	size_t		len = 0;
	size_t		n;
	int			rc;

	if (pkcs11_pin_command == NULL || pkcs11_pin_command[0] == '\0')
		config_error("bigpicture.pkcs11_pin_command is not set", NULL);
	pipe = OpenPipeStream(pkcs11_pin_command, "r");
	if (pipe == NULL)
		config_error("could not run bigpicture.pkcs11_pin_command", NULL);
	while (len < PIN_MAX && (n = fread(pin + len, 1, PIN_MAX - len, pipe)) > 0)
		len += n;
	rc = ClosePipeStream(pipe);
	if (rc != 0)
	{
		sodium_memzero(pin, PIN_MAX + 1);
		config_error("bigpicture.pkcs11_pin_command failed",
					 "The command exited with a non-zero status.");
	}
	for (size_t i = 0; i < len; i++)
		if (pin[i] == '\n' || pin[i] == '\r')
		{
			len = i;
			break;
		}
	pin[len] = '\0';
	return len;
}

/* A logged-in session on the configured token, made on first use. */
static void
p11_session(void)
{
	CK_RV		rv;
	CK_C_GetFunctionList get_list;
	CK_SLOT_ID	slots[64];
	CK_ULONG	nslots = lengthof(slots);
	CK_SLOT_ID	slot = 0;
	bool		found = false;
	char		pin[PIN_MAX + 1];
	size_t		pin_len;

	if (session != CK_INVALID_HANDLE)
		return;
	if (pkcs11_module == NULL || pkcs11_module[0] == '\0')
		config_error("bigpicture.pkcs11_module is not set",
					 "bigpicture.key_backend is pkcs11, or a key lives on a token.");
	if (module_handle == NULL)
	{
		module_handle = dlopen(pkcs11_module, RTLD_NOW | RTLD_LOCAL);
		if (module_handle == NULL)
			config_error("could not load the PKCS#11 module", dlerror());
		get_list = (CK_C_GetFunctionList) dlsym(module_handle, "C_GetFunctionList");
		if (get_list == NULL || get_list(&p11) != CKR_OK || p11 == NULL)
		{
			p11 = NULL;
			config_error("the PKCS#11 module has no usable C_GetFunctionList", pkcs11_module);
		}
	}
	if (!p11_initialized)
	{
		rv = p11->C_Initialize(NULL);
		if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
			token_error("C_Initialize", rv);
		p11_initialized = true;
	}
	rv = p11->C_GetSlotList(CK_TRUE, slots, &nslots);
	if (rv != CKR_OK)
		token_error("C_GetSlotList", rv);
	for (CK_ULONG i = 0; i < nslots && !found; i++)
	{
		CK_TOKEN_INFO info;
		char		label[33];
		int			l = 32;

		if (p11->C_GetTokenInfo(slots[i], &info) != CKR_OK)
			continue;
		memcpy(label, info.label, 32);
		while (l > 0 && label[l - 1] == ' ')
			l--;
		label[l] = '\0';
		if (pkcs11_token_label != NULL && strcmp(label, pkcs11_token_label) == 0)
		{
			slot = slots[i];
			found = true;
		}
	}
	if (!found)
		config_error("the PKCS#11 token was not found",
					 psprintf("No token labelled \"%s\" in module %s.",
							  pkcs11_token_label ? pkcs11_token_label : "", pkcs11_module));
	rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &session);
	if (rv != CKR_OK)
	{
		session = CK_INVALID_HANDLE;
		token_error("C_OpenSession", rv);
	}
	if (pin_refused_at != 0 &&
		!TimestampDifferenceExceeds(pin_refused_at, GetCurrentTimestamp(), PIN_RETRY_SECONDS * 1000))
	{
		(void) p11->C_CloseSession(session);
		session = CK_INVALID_HANDLE;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the PKCS#11 token refused the PIN less than %d seconds ago; not trying it again yet",
						PIN_RETRY_SECONDS),
				 errdetail("A token that counts failed logins may lock the PIN."),
				 errhint("Fix bigpicture.pkcs11_pin_command; this session tries again after %d seconds.",
						 PIN_RETRY_SECONDS)));
	}
	pin_len = read_pin(pin);
	rv = p11->C_Login(session, CKU_USER, (unsigned char *) pin, pin_len);
	sodium_memzero(pin, sizeof(pin));
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
	{
		(void) p11->C_CloseSession(session);
		session = CK_INVALID_HANDLE;
		if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
			rv == CKR_PIN_EXPIRED || rv == CKR_PIN_LOCKED)
			pin_refused_at = GetCurrentTimestamp();
		token_error("C_Login", rv);
	}
	pin_refused_at = 0;
}

void
bp_pkcs11_check_configured(void)
{
	p11_session();
}

static CK_RV
generate_once(unsigned char *pk, char *kid, size_t kid_size)
{
	CK_MECHANISM mech = {CKM_EC_EDWARDS_KEY_PAIR_GEN, NULL, 0};
	CK_BBOOL yes = CK_TRUE;
	CK_BBOOL no = CK_FALSE;
	char		tmp_label[] = "bigpicture-new";
	CK_ATTRIBUTE pub_t[] = {
		{CKA_EC_PARAMS, (void *) ed25519_params, sizeof(ed25519_params)},
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_VERIFY, &yes, sizeof(yes)},
		{CKA_LABEL, tmp_label, strlen(tmp_label)},
	};
	CK_ATTRIBUTE priv_t[] = {
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_PRIVATE, &yes, sizeof(yes)},
		{CKA_SENSITIVE, &yes, sizeof(yes)},
		{CKA_EXTRACTABLE, &no, sizeof(no)},
		{CKA_SIGN, &yes, sizeof(yes)},
		{CKA_LABEL, tmp_label, strlen(tmp_label)},
	};
	CK_OBJECT_HANDLE pub, priv;
	unsigned char point[64];
	CK_ATTRIBUTE get = {CKA_EC_POINT, point, sizeof(point)};
	size_t		kid_len;
	CK_RV		rv;

	rv = p11->C_GenerateKeyPair(session, &mech, pub_t, lengthof(pub_t), priv_t, lengthof(priv_t),
								&pub, &priv);
	if (rv != CKR_OK)
		return rv;
	rv = p11->C_GetAttributeValue(session, pub, &get, 1);
	if (rv != CKR_OK)
	{
		(void) p11->C_DestroyObject(session, priv);
		(void) p11->C_DestroyObject(session, pub);
		return rv;
	}
	if (!point_to_pk(point, get.ulValueLen, pk))
	{
		(void) p11->C_DestroyObject(session, priv);
		(void) p11->C_DestroyObject(session, pub);
		elog(ERROR, "the PKCS#11 token returned a public key of %lu bytes",
			 (unsigned long) get.ulValueLen);
	}
	if (bp_paserk_k4_pid(pk, 32, kid, kid_size, &kid_len) != BP_PASERK_OK)
		elog(ERROR, "could not compute the key id");
	kid[kid_len] = '\0';
	{
		CK_ATTRIBUTE name[] = {
			{CKA_ID, kid, kid_len},
			{CKA_LABEL, kid, kid_len},
		};

		rv = p11->C_SetAttributeValue(session, priv, name, 2);
		if (rv == CKR_OK)
			rv = p11->C_SetAttributeValue(session, pub, name, 2);
		if (rv != CKR_OK)
		{
			(void) p11->C_DestroyObject(session, priv);
			(void) p11->C_DestroyObject(session, pub);
		}
	}
	return rv;
}

/* Destroy every object (private and public key) with CKA_ID kid; best effort. */
static void
destroy_pair(const char *kid)
{
	CK_ATTRIBUTE t[] = {{CKA_ID, (void *) kid, strlen(kid)}};
	CK_OBJECT_HANDLE found[4];
	CK_ULONG	n = 0;

	if (session == CK_INVALID_HANDLE ||
		p11->C_FindObjectsInit(session, t, lengthof(t)) != CKR_OK)
		goto failed;
	if (p11->C_FindObjects(session, found, lengthof(found), &n) != CKR_OK)
		n = 0;
	(void) p11->C_FindObjectsFinal(session);
	for (CK_ULONG i = 0; i < n; i++)
		if (p11->C_DestroyObject(session, found[i]) != CKR_OK)
			goto failed;
	return;
failed:
	ereport(WARNING,
			(errmsg("could not remove the key pair %s of an aborted transaction from the PKCS#11 token", kid),
			 errhint("No signing_keys row names it; delete the objects with CKA_ID %s by hand.", kid)));
}

static void
destroy_new_pairs(SubTransactionId from)
{
	new_pair  **p = &new_pairs;

	while (*p)
	{
		if ((*p)->subxid >= from)
		{
			new_pair   *gone = *p;

			destroy_pair(gone->kid);
			*p = gone->next;
			pfree(gone);
		}
		else
			p = &(*p)->next;
	}
	bp_pkcs11_forget_handles();
}

static void
forget_new_pairs(void)
{
	while (new_pairs)
	{
		new_pair   *next = new_pairs->next;

		pfree(new_pairs);
		new_pairs = next;
	}
}

static void
on_xact(XactEvent event, void *arg)
{
	(void) arg;
	if (new_pairs == NULL)
		return;
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		destroy_new_pairs(InvalidSubTransactionId);
	else if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PREPARE)
		forget_new_pairs();
}

static void
on_subxact(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	(void) arg;
	if (new_pairs == NULL)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
		destroy_new_pairs(mySubid);
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
		for (new_pair *p = new_pairs; p; p = p->next)
			if (p->subxid == mySubid)
				p->subxid = parentSubid;
}

void
bp_pkcs11_generate(unsigned char *pk, char *kid, size_t kid_size)
{
	CK_RV		rv;
	new_pair   *pair;

	if (!xact_callbacks_registered)
	{
		RegisterXactCallback(on_xact, NULL);
		RegisterSubXactCallback(on_subxact, NULL);
		xact_callbacks_registered = true;
	}
	p11_session();
	rv = generate_once(pk, kid, kid_size);
	if (lost(rv))
	{
		p11_reset();
		p11_session();
		rv = generate_once(pk, kid, kid_size);
	}
	if (rv != CKR_OK)
		token_error("key pair generation", rv);
	pair = MemoryContextAllocZero(TopMemoryContext, sizeof(new_pair));
	strlcpy(pair->kid, kid, sizeof(pair->kid));
	pair->subxid = GetCurrentSubTransactionId();
	pair->next = new_pairs;
	new_pairs = pair;
}

/*
 * The public key with CKA_ID kid into pk; false when there is none, or it is
 * not the key kid names (PASERK pid of the key), so the private key beside
 * it cannot be the one the key table means.
 */
static bool
public_key_of(const char *kid, unsigned char *pk)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE t[] = {
		{CKA_CLASS, &cls, sizeof(cls)},
		{CKA_ID, (void *) kid, strlen(kid)},
	};
	CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
	CK_ULONG	n = 0;
	unsigned char point[64];
	CK_ATTRIBUTE get = {CKA_EC_POINT, point, sizeof(point)};
	char		pid[KID_LEN + 1];
	size_t		pid_len;

	if (p11->C_FindObjectsInit(session, t, lengthof(t)) != CKR_OK)
		return false;
	if (p11->C_FindObjects(session, &pub, 1, &n) != CKR_OK)
		n = 0;
	(void) p11->C_FindObjectsFinal(session);
	if (n == 0 || p11->C_GetAttributeValue(session, pub, &get, 1) != CKR_OK ||
		!point_to_pk(point, get.ulValueLen, pk) ||
		bp_paserk_k4_pid(pk, 32, pid, sizeof(pid), &pid_len) != BP_PASERK_OK)
		return false;
	pid[pid_len] = '\0';
	return strcmp(pid, kid) == 0;
}

/* The private key whose CKA_ID is kid, or CK_INVALID_HANDLE; pk: its public key. */
static CK_RV
find_key(const char *kid, CK_OBJECT_HANDLE *out, unsigned char *pk)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[] = {
		{CKA_CLASS, &cls, sizeof(cls)},
		{CKA_ID, (void *) kid, strlen(kid)},
	};
	CK_ULONG	n = 0;
	CK_RV		rv;

	for (int i = 0; i < HANDLE_SLOTS; i++)
		if (handles[i].kid[0] != '\0' && strcmp(handles[i].kid, kid) == 0)
		{
			*out = handles[i].handle;
			memcpy(pk, handles[i].pk, 32);
			return CKR_OK;
		}
	*out = CK_INVALID_HANDLE;
	rv = p11->C_FindObjectsInit(session, t, lengthof(t));
	if (rv != CKR_OK)
		return rv;
	rv = p11->C_FindObjects(session, out, 1, &n);
	(void) p11->C_FindObjectsFinal(session);
	if (rv != CKR_OK)
		return rv;
	if (n == 0)
	{
		*out = CK_INVALID_HANDLE;
		return CKR_OK;
	}
	if (!public_key_of(kid, pk))
		ereport(ERROR,
				(errcode(BP_ERRCODE_WRONG_STATE),
				 errmsg("the PKCS#11 token's key %s is not the key its id names", kid),
				 errdetail("The public key with CKA_ID %s on token \"%s\" is missing, or its PASERK id differs.",
						   kid, pkcs11_token_label ? pkcs11_token_label : ""),
				 errhint("Another object took this key's CKA_ID; nothing was signed with it.")));
	strlcpy(handles[handle_next].kid, kid, sizeof(handles[0].kid));
	handles[handle_next].handle = *out;
	memcpy(handles[handle_next].pk, pk, 32);
	handle_next = (handle_next + 1) % HANDLE_SLOTS;
	return CKR_OK;
}

static CK_RV
sign_once(const char *kid, const unsigned char *msg, size_t msg_len, unsigned char *sig,
		  bool *missing)
{
	CK_MECHANISM mech = {CKM_EDDSA, NULL, 0};
	CK_OBJECT_HANDLE key;
	CK_ULONG	sig_len = 64;
	unsigned char pk[32];
	CK_RV		rv;

	*missing = false;
	rv = find_key(kid, &key, pk);
	if (rv != CKR_OK)
		return rv;
	if (key == CK_INVALID_HANDLE)
	{
		*missing = true;
		return CKR_OK;
	}
	rv = p11->C_SignInit(session, &mech, key);
	if (rv == CKR_OK)
		rv = p11->C_Sign(session, (unsigned char *) msg, msg_len, sig, &sig_len);
	if (rv == CKR_OK && sig_len != 64)
		rv = CKR_GENERAL_ERROR;
	/* What leaves here verifies with the kid's key, or is not used. */
	if (rv == CKR_OK && crypto_sign_verify_detached(sig, msg, msg_len, pk) != 0)
		ereport(ERROR,
				(errcode(BP_ERRCODE_WRONG_STATE),
				 errmsg("the PKCS#11 token's signature with key %s does not verify", kid),
				 errdetail("The signature does not verify with the public key the key id names."),
				 errhint("The token's private key with this CKA_ID is not the key's; nothing was signed.")));
	if (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID)
		bp_pkcs11_forget_handles();
	return rv;
}

void
bp_pkcs11_sign(const char *kid, const unsigned char *msg, size_t msg_len, unsigned char *sig)
{
	CK_RV		rv;
	bool		missing;

	p11_session();
	rv = sign_once(kid, msg, msg_len, sig, &missing);
	if (lost(rv) || rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID ||
		rv == CKR_DEVICE_ERROR || rv == CKR_GENERAL_ERROR || missing)
	{
		p11_reset();
		p11_session();
		rv = sign_once(kid, msg, msg_len, sig, &missing);
	}
	if (rv != CKR_OK)
		token_error("signing", rv);
	if (missing)
		ereport(ERROR,
				(errcode(BP_ERRCODE_WRONG_STATE),
				 errmsg("signing key %s is not on the PKCS#11 token", kid),
				 errdetail("No private key with CKA_ID %s on token \"%s\".", kid,
						   pkcs11_token_label ? pkcs11_token_label : ""),
				 errhint("Check bigpicture.pkcs11_token_label, or generate and activate a new key.")));
}

static const struct config_enum_entry backend_options[] = {
	{"sealed", BP_KEY_BACKEND_SEALED, false},
	{"pkcs11", BP_KEY_BACKEND_PKCS11, false},
	{NULL, 0, false}
};

int			bp_key_backend = BP_KEY_BACKEND_SEALED;

void
bp_pkcs11_settings_init(void)
{
	DefineCustomEnumVariable("bigpicture.key_backend",
							 "Where generate_key() creates new signing keys: sealed or pkcs11.",
							 "Existing keys keep signing where they live.",
							 &bp_key_backend, BP_KEY_BACKEND_SEALED, backend_options,
							 PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomStringVariable("bigpicture.pkcs11_module",
							   "Path of the PKCS#11 library that holds signing keys.",
							   NULL, &pkcs11_module, "",
							   PGC_POSTMASTER, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomStringVariable("bigpicture.pkcs11_token_label",
							   "Label of the PKCS#11 token that holds signing keys.",
							   NULL, &pkcs11_token_label, "",
							   PGC_POSTMASTER, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
	DefineCustomStringVariable("bigpicture.pkcs11_pin_command",
							   "Shell command that prints the PKCS#11 user PIN.",
							   "Run by each backend before its first use of the token.",
							   &pkcs11_pin_command, "",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY, NULL, NULL, NULL);
}
