/*
 * log.h — one JSON object per line on stderr, for both server messages and
 * the access log, so that log shippers need one parser.  Levels follow
 * PostgREST's log-level: crit < error < warn < info < debug.  Secrets and
 * tokens are never passed here.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include "config.h"

void		gw_log_set_level(gw_log_level level);
gw_log_level gw_log_get_level(void);
void		gw_log(gw_log_level level, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/*
 * One request: {"time","method","path","status","duration_ms","role"}.
 * Which statuses are logged depends on the level, as in PostgREST: error
 * logs 5xx, warn 4xx and 5xx, info and debug everything.
 */
void		gw_log_access(const char *method, const char *path, int status,
						  double duration_ms, const char *role);

#endif							/* GW_LOG_H */
