/*
 * tx.h — one request, one transaction, one libpq pipeline.
 *
 * Sent in a single round trip: BEGIN (READ ONLY unless a POST calls a
 * VOLATILE function, and always READ ONLY when the server is a hot standby), the request settings PostgREST makes (search_path,
 * role, request.jwt.claims, request.method, request.path, request.headers,
 * request.cookies), db-pre-request, the function call (which also reads
 * response.headers and response.status), COMMIT.  If any step fails the
 * rest is skipped by the server and the transaction is rolled back.
 */
#ifndef GW_TX_H
#define GW_TX_H

#include <stdbool.h>

#include "buf.h"
#include "config.h"
#include "pool.h"
#include "schema_cache.h"

/* How the function gets its arguments (PostgREST's CallParams / CallArgs). */
typedef enum gw_call_args
{
	GW_CALL_NONE,				/* f() */
	GW_CALL_BODY,				/* f($1::jsonb): the body to the single unnamed parameter */
	GW_CALL_JSON,				/* f(a := …) from the JSON body, through json_to_record(set) */
	GW_CALL_TEXT				/* f(a := $1::type) from text values (GET, form bodies) */
} gw_call_args;

/* A function has at most 100 parameters (FUNC_MAX_ARGS). */
#define GW_TX_MAX_ARGS 100

typedef struct gw_tx_request
{
	bool		read_only;
	bool		authenticated;	/* a valid JWT came with the request (42501 -> 403) */
	const char *schema;			/* the request's schema (profile) */
	const char *function;
	const char *function_schema;	/* where the function lives (default: schema) */
	gw_routine	routine;
	gw_call_args args;
	const char *body;			/* JSON text, for GW_CALL_BODY and GW_CALL_JSON */
	int			n_args;			/* GW_CALL_JSON, GW_CALL_TEXT: the parameters given */
	int			arg_param[GW_TX_MAX_ARGS];	/* index into routine.params */
	const char *arg_value[GW_TX_MAX_ARGS];	/* GW_CALL_TEXT: the value (an array literal if variadic) */
	const char *limit;			/* digits, or NULL: LIMIT / OFFSET on the result rows */
	const char *offset;
	const char *role;
	const char *claims;			/* JSON object for request.jwt.claims */
	const char *method;
	const char *path;
	const char *headers_json;
	const char *cookies_json;
} gw_tx_request;

#define GW_TX_MAX_HEADERS 32

typedef struct gw_tx_result
{
	int			status;
	bool		has_body;		/* false for 204 */
	gw_buf		body;
	int			n_headers;
	char	   *header_name[GW_TX_MAX_HEADERS];
	char	   *header_value[GW_TX_MAX_HEADERS];
} gw_tx_result;

void		gw_tx_run(const gw_config *cfg, gw_pool *pool, const gw_tx_request *req, gw_tx_result *out);
void		gw_tx_result_add_header(gw_tx_result *r, const char *name, const char *value);
void		gw_tx_result_free(gw_tx_result *r);

/* Whether the server on conn reports in_hot_standby = on (PostgreSQL 14+). */
bool		gw_tx_conn_in_hot_standby(PGconn *conn);

/* Fill out as a PostgREST-style error response. */
void		gw_tx_error(gw_tx_result *out, int status, const char *code, const char *message,
						const char *details, const char *hint);

#endif							/* GW_TX_H */
