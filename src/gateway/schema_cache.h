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

/* One input parameter, as PostgREST's schema cache describes it. */
typedef struct gw_param
{
	char	   *name;			/* "" when unnamed */
	char	   *type;			/* the type to cast to: "integer", "text[]", "public.t" */
	bool		required;		/* no default */
	bool		variadic;
} gw_param;

/* One function (one overload). */
typedef struct gw_routine
{
	char		volatility;		/* 'i', 's' or 'v' as in pg_proc */
	bool		retset;
	gw_ret_kind ret_kind;
	int			n_params;
	gw_param   *params;
} gw_routine;

/* The single unnamed json/jsonb parameter form: 0, GW_JSON_OID or GW_JSONB_OID. */
unsigned	gw_routine_json_arg(const gw_routine *r);
void		gw_routine_copy(gw_routine *dst, const gw_routine *src);
void		gw_routine_free(gw_routine *r);

typedef struct gw_schema_cache gw_schema_cache;

/* Query pg_proc for the given schemas; NULL with err on failure. */
gw_schema_cache *gw_schema_cache_load(PGconn *conn, char *const *schemas, int n_schemas,
									  char *err, size_t errcap);
void		gw_schema_cache_free(gw_schema_cache *c);

/* Make c the current cache (taking ownership; the old one is freed). */
void		gw_schema_cache_install(gw_schema_cache *c);
bool		gw_schema_cache_ready(void);
void		gw_schema_cache_shutdown(void);

typedef enum gw_find_status
{
	GW_FIND_OK,
	GW_FIND_NONE,				/* PGRST202 */
	GW_FIND_AMBIGUOUS,			/* PGRST203 */
	GW_FIND_NOT_LOADED
} gw_find_status;

/*
 * Pick the overload of schema.name that PostgREST's findProc picks for
 * these argument keys (sorted, distinct): the functions whose named
 * parameters include every key and whose parameters without default are
 * all among the keys; failing those, one with a single unnamed json/jsonb
 * parameter when json_post (a POST with a JSON body).  On GW_FIND_OK *out is
 * a copy (gw_routine_free it).  On GW_FIND_NONE text gets PostgREST's hint
 * ("Perhaps you meant to call the function …"; empty when none), on
 * GW_FIND_AMBIGUOUS its message listing the candidates.
 */
gw_find_status gw_schema_cache_find(const char *schema, const char *name,
									char *const *keys, int n_keys, bool json_post,
									gw_routine *out, gw_buf *text);

/* Append a minimal OpenAPI 3 document listing schema's callable functions. */
void		gw_schema_cache_openapi(const char *schema, gw_buf *out);

#endif							/* GW_SCHEMA_CACHE_H */
