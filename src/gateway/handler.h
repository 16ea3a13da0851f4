/*
 * handler.h — the PostgREST protocol for one request, independent of the
 * HTTP library: routing, profiles, content negotiation, authentication,
 * choosing the function and its argument, then the transaction (tx.c).
 * server.c adapts libmicrohttpd to this.
 */
#ifndef GW_HANDLER_H
#define GW_HANDLER_H

#include <stdbool.h>
#include <stddef.h>

#include "client_cert.h"
#include "config.h"
#include "pool.h"
#include "tx.h"

typedef struct gw_http_request
{
	const char *method;
	const char *target;			/* raw request target: path and query */
	size_t		target_len;
	const char *body;
	size_t		body_len;
	bool		body_too_large;
	int			n_headers;
	const char **header_names;	/* as received */
	const char **header_values;
	const gw_client_cert *client_cert;	/* NULL: none asked for (plain HTTP, or no client CA) */
} gw_http_request;

/* The value of the last header called name (case-insensitive), or NULL. */
const char *gw_http_header(const gw_http_request *req, const char *name);

/*
 * Answer req into out.  *role (malloc'd, may be NULL) and *path (malloc'd)
 * are for the access log.  admin: the admin port, which only serves /live
 * and /ready.
 */
void		gw_handle(const gw_config *cfg, gw_pool *pool, const gw_http_request *req, bool admin,
					  gw_tx_result *out, char **role, char **path);

#endif							/* GW_HANDLER_H */
