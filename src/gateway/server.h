/*
 * server.h — libmicrohttpd glue: the main server (thread pool, one worker
 * per pooled connection) and the optional admin server for /live and
 * /ready.  Bodies are collected here, limited to max-body, and every
 * request is written to the access log when it completes.
 */
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include "config.h"
#include "pool.h"

typedef struct gw_server gw_server;

/* Start listening; NULL with err when the port cannot be bound. */
gw_server  *gw_server_start(const gw_config *cfg, gw_pool *pool, char *err, size_t errcap);

/*
 * Graceful stop: stop accepting, wait up to shutdown-timeout seconds for
 * requests in flight, then close everything.
 */
void		gw_server_stop(gw_server *s);

#endif							/* GW_SERVER_H */
