/*
 * bigpicture.h — what the extension's C modules share.
 */
#ifndef BIGPICTURE_H
#define BIGPICTURE_H

#include "postgres.h"

/*
 * Our SQLSTATEs for "no such object" and "wrong state": PostgREST (and
 * bigpicture-gateway) answer PTxyz with HTTP xyz, so a REST client gets 404
 * and 409 (docs/http.md#errors).  The same codes are raised in src/sql.
 */
#define BP_ERRCODE_NOT_FOUND	MAKE_SQLSTATE('P', 'T', '4', '0', '4')
#define BP_ERRCODE_WRONG_STATE	MAKE_SQLSTATE('P', 'T', '4', '0', '9')
#define BP_ERRCODE_GONE			MAKE_SQLSTATE('P', 'T', '4', '1', '0')
#define BP_ERRCODE_TOO_MANY		MAKE_SQLSTATE('P', 'T', '4', '2', '9')
#define BP_ERRCODE_RESTORING	MAKE_SQLSTATE('P', 'T', '5', '0', '3')

/* restore.c: between pre_restore() and post_restore() nothing is signed */
extern bool bp_restoring;
extern void bp_restore_init(void);
extern void bp_refuse_while_restoring(void);

/* master_key.c */
#define BP_MASTER_KEY_BYTES 32
extern void bp_master_key_init(void);
extern const unsigned char *bp_master_key(void);	/* ereports 55000 when absent */

/* key_settings.c: the key store's settings (key_cache.c, key_seal.c, key_generate.c) */
extern void bp_key_store_init(void);

/* signing.c: every token is signed through bp_sign, which stamps the envelope */
#include "lib/stringinfo.h"
#include "datatype/timestamp.h"
typedef struct bp_envelope
{
	const char *typ;			/* the token kind (src/core/token_kinds.h) */
	bool		has_exp;
	TimestampTz exp;
	bool		has_nbf;
	TimestampTz nbf;
} bp_envelope;
extern bool bp_dry_run_active;	/* dry_run.c: nothing is signed while set */
extern text *bp_sign(const bp_envelope *env, const char *tenant_id, const char *kid,
					 const char *claims);
extern void bp_token_payload(StringInfo out, const bp_envelope *env, const char *claims);
extern void bp_append_rfc3339(StringInfo out, TimestampTz ts);
extern int64 bp_unix_seconds(TimestampTz ts);

/* semver_type.c: core views of stored versions and ranges (point into the datum) */
#include "semver.h"
extern bp_semver bp_semver_from_datum(Datum d);
extern void bp_semver_range_from_datum(Datum d, bp_semver_range *out);
extern void bp_semver_range_from_text(const char *str, bp_semver_range *out);
extern char *bp_semver_text(const bp_semver *v);

/* rollout.c: an install's bucket (0..9999) in a rollout */
extern int	bp_rollout_bucket_of(bytea *salt, const char *install_id);

/* spi_plans.c: statements prepared once per backend */
#include "executor/spi.h"
extern SPIPlanPtr bp_prepare_once(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types);
extern Datum bp_text_or_null(const char *s, char *null);
extern SPIPlanPtr bp_prepare_cursor_once(SPIPlanPtr *plan, const char *sql, int nargs, Oid *types,
										 int cursor_options);

/* citus.c: Citus loaded, and the extension's tables distributed */
extern bool bp_citus_loaded(void);
extern bool bp_citus_distributed(void);

/* tenancy.c: who is calling, and for which tenant */
extern char *bp_jwt_claim(const char *claim);
extern char *bp_current_tenant(void);
extern char *bp_bound_install_id(const char *requested);
extern bool bp_acts_for_all_tenants(void);
extern char *bp_resolve_tenant(const char *requested);
extern Datum bp_request_tenant(const char *requested);

/* decisions.c */
extern void bp_decisions_init(void);
extern bool bp_log_decisions;

/* worker.c: the one background worker, which runs bigpicture.worker_jobs */
extern void bp_worker_init(void);

/* events.c */
extern void bp_events_init(void);

/* seat_refusals.c */
extern void bp_seat_refusals_init(void);

#endif							/* BIGPICTURE_H */
