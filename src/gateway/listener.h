/*
 * listener.h — the thread that keeps the schema cache current.
 *
 * It holds its own connection, LISTENs on db-channel ("pgrst") and reloads
 * the cache on NOTIFY pgrst, 'reload schema' (or an empty payload), on
 * gw_listener_request_reload() (SIGUSR1), and whenever it had to reconnect,
 * since the catalogue may have changed while the database was away.
 */
#ifndef GW_LISTENER_H
#define GW_LISTENER_H

#include "config.h"
#include "pool.h"

int			gw_listener_start(const gw_config *cfg, gw_pool *pool);
void		gw_listener_request_reload(void);
void		gw_listener_stop(void);

#endif							/* GW_LISTENER_H */
