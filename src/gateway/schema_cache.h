/*
 * schema_cache.h — what the gateway knows about the exposed functions.
 *
 * Loaded from pg_proc at start and again on NOTIFY pgrst, 'reload schema'
 * or SIGUSR1 (listener.c), like PostgREST's schema cache.  Requests look
 * functions up here to learn how to call them and how to shape the result,
 * without a catalogue query per request.
 */
#ifndef GW_SCHEMA_CACHE_H
#define GW_SCHEMA_CACHE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "buf.h"

#define GW_JSON_OID 114
#define GW_JSONB_OID 3802

typedef enum gw_ret_kind
{
	GW_RET_SCALAR = 's',		/* one value per row: json_agg of the values */
	GW_RET_COMPOSITE = 'c',		/* rows: json_agg of the rows */
	GW_RET_VOID = 'v'			/* nothing: 204 */
} gw_ret_kind;

/* One callable form of a function. */
typedef struct gw_routine
{
	char		volatility;		/* 'i', 's' or 'v' as in pg_proc */
	bool		retset;
	gw_ret_kind ret_kind;
	unsigned	arg_type;		/* GW_JSON(B)_OID, or 0 when called without argument */
} gw_routine;

typedef struct gw_schema_cache gw_schema_cache;

/* Query pg_proc for the given schemas; NULL with err on failure. */
gw_schema_cache *gw_schema_cache_load(PGconn *conn, char *const *schemas, int n_schemas,
									  char *err, size_t errcap);
void		gw_schema_cache_free(gw_schema_cache *c);

/* Make c the current cache (taking ownership; the old one is freed). */
void		gw_schema_cache_install(gw_schema_cache *c);
bool		gw_schema_cache_ready(void);
void		gw_schema_cache_shutdown(void);

/*
 * Look schema.name up in the current cache.  *with_arg / *without_arg are
 * set and the matching have_* flags raised for the single-unnamed-json(b)
 * form and the no-argument form.  Returns false when no cache is loaded.
 */
bool		gw_schema_cache_find(const char *schema, const char *name,
								 gw_routine *with_arg, bool *have_with_arg,
								 gw_routine *without_arg, bool *have_without_arg);

/* Append a minimal OpenAPI 3 document listing schema's callable functions. */
void		gw_schema_cache_openapi(const char *schema, gw_buf *out);

#endif							/* GW_SCHEMA_CACHE_H */
