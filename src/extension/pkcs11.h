/*
 * pkcs11.h — signing keys held on a PKCS#11 token (bigpicture.key_backend =
 * pkcs11): generation on the token, signing through it.  The secret half
 * never leaves the token (CKA_SENSITIVE, not CKA_EXTRACTABLE).
 */
#ifndef BP_PKCS11_H
#define BP_PKCS11_H

#include "postgres.h"

#define BP_KEY_BACKEND_SEALED 0
#define BP_KEY_BACKEND_PKCS11 1

extern int	bp_key_backend;		/* key_settings.c: where generate_key puts new secrets */

extern void bp_pkcs11_settings_init(void);
/* Fails with 55000 unless the module, token and PIN are usable. */
extern void bp_pkcs11_check_configured(void);
/* Creates a key pair on the token, labelled (CKA_ID, CKA_LABEL) with its
 * kid; pk receives the 32-byte public key, kid its PASERK pid. */
extern void bp_pkcs11_generate(unsigned char *pk, char *kid, size_t kid_size);
/* Signs msg with the token's private key whose CKA_ID is kid; sig: 64 bytes. */
extern void bp_pkcs11_sign(const char *kid, const unsigned char *msg, size_t msg_len,
						   unsigned char *sig);
/* Forget cached object handles (the key table changed). */
extern void bp_pkcs11_forget_handles(void);

#endif							/* BP_PKCS11_H */
