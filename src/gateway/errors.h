/*
 * errors.h — PostgREST's error responses: the JSON body and the table from
 * SQLSTATE to HTTP status (PostgREST src/PostgREST/Error.hs, mapSQLtoHTTP).
 */
#ifndef GW_ERRORS_H
#define GW_ERRORS_H

#include <stdbool.h>

#include "buf.h"

/*
 * The HTTP status for a PostgreSQL error.  message is the primary message
 * (two codes depend on it); authenticated is whether the request carried a
 * valid JWT (42501 is 403 then, else 401).
 */
int			gw_sqlstate_status(const char *sqlstate, const char *message, bool authenticated);

/* {"code":...,"details":...,"hint":...,"message":...}; NULL fields are null. */
void		gw_error_body(gw_buf *out, const char *code, const char *message,
						  const char *details, const char *hint);

#endif							/* GW_ERRORS_H */
