/*
 * pool.h — a bounded pool of libpq connections.
 *
 * A slot is acquired with a timeout (PostgREST's db-pool-acquisition-
 * timeout), connected lazily, and handed back either healthy or broken.  A
 * broken slot is closed and reconnected by its next user, which is how the
 * gateway rides through a database restart without being restarted itself.
 */
#ifndef GW_POOL_H
#define GW_POOL_H

#include <libpq-fe.h>
#include <stdbool.h>

typedef struct gw_pool gw_pool;

gw_pool    *gw_pool_create(const char *conninfo, int size);
/* Close every connection; no slot may be in use. */
void		gw_pool_destroy(gw_pool *pool);

/* A free slot index, or -1 after timeout_ms. */
int			gw_pool_acquire(gw_pool *pool, int timeout_ms);

/*
 * The slot's connection, connecting first if it has none.  NULL when the
 * database cannot be reached; err then holds libpq's message.
 */
PGconn	   *gw_pool_conn(gw_pool *pool, int slot, char *err, size_t errcap);

/* Close the slot's connection but keep the slot (to reconnect and retry). */
void		gw_pool_discard(gw_pool *pool, int slot);

/*
 * A statement prepared (or to prepare) on the slot's connection: its index,
 * which names it ("gw<index>"), with *prepared telling whether it already
 * is.  -1 when no more statements are kept: run it unnamed.
 */
int			gw_pool_statement(gw_pool *pool, int slot, const char *sql, bool *prepared);

/* The statement at index failed to prepare: forget it. */
void		gw_pool_statement_failed(gw_pool *pool, int slot, int index);

/* Give the slot back; broken closes its connection first. */
void		gw_pool_release(gw_pool *pool, int slot, bool broken);

/* Connect with the pool's settings (for the listener and /ready). */
PGconn	   *gw_pool_connect(gw_pool *pool, char *err, size_t errcap);

/* Whether the server accepts connections (PQping), for /ready. */
bool		gw_pool_ping(gw_pool *pool);

#endif							/* GW_POOL_H */
