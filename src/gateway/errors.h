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

/*
 * PostgREST's "Perhaps you meant …" search (the fuzzyset package with its
 * defaults: cosine similarity of 3-grams, then of 2-grams if none match,
 * re-scored by normalised Levenshtein distance): the index of the
 * candidate closest to query with a score of at least min_score, or -1.
 * Works on bytes, so it equals the original for ASCII names.
 */
int			gw_fuzzy_closest(const char *query, const char *const *cands, int n, double min_score);

#endif							/* GW_ERRORS_H */
