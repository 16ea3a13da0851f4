/*
 * bigpicture.h — what the extension's C modules share.
 */
#ifndef BIGPICTURE_H
#define BIGPICTURE_H

#include "postgres.h"

/* master_key.c */
#define BP_MASTER_KEY_BYTES 32
extern void bp_master_key_init(void);
extern const unsigned char *bp_master_key(void);	/* ereports 55000 when absent */

/* key_store.c */
extern void bp_key_store_init(void);
extern text *bp_sign_token(const char *purpose, const char *tenant_id, const char *payload_json);

/* decisions.c */
extern void bp_decisions_init(void);

#endif							/* BIGPICTURE_H */
