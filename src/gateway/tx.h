/*
 * tx.h — one request, one transaction, one libpq pipeline.
 *
 * Sent in a single round trip: BEGIN (READ ONLY unless a POST calls a
 * VOLATILE function), the request settings PostgREST makes (search_path,
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

typedef struct gw_tx_request
{
	bool		read_only;
	bool		authenticated;	/* a valid JWT came with the request (42501 -> 403) */
	const char *schema;			/* the request's schema (profile) */
	const char *function;
	const char *function_schema;	/* where the function lives (default: schema) */
	gw_routine	routine;
	const char *arg;			/* JSON text for the json/jsonb argument, or NULL */
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

/* Fill out as a PostgREST-style error response. */
void		gw_tx_error(gw_tx_result *out, int status, const char *code, const char *message,
						const char *details, const char *hint);

#endif							/* GW_TX_H */
