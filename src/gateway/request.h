/*
 * request.h — pure parsing of what a client sends, before any database work:
 * the request target (path and query string), form bodies, and a few header
 * values.  No HTTP library and no I/O here, so fuzz harnesses can drive
 * these functions directly with arbitrary bytes.
 */
#ifndef GW_REQUEST_H
#define GW_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef enum gw_route
{
	GW_ROUTE_ROOT = 1,			/* "/": the OpenAPI document */
	GW_ROUTE_RPC,				/* "/rpc/<function>" */
	GW_ROUTE_LIVE,				/* "/live" */
	GW_ROUTE_READY,				/* "/ready" */
	GW_ROUTE_TABLE,				/* "/<name>": a table or view (not served) */
	GW_ROUTE_INVALID			/* anything else: PostgREST's PGRST125 */
} gw_route;

typedef struct gw_target
{
	gw_route	route;
	char	   *path;			/* percent-decoded path, valid UTF-8 (or NULL) */
	char	   *name;			/* RPC function or table name, decoded */
	char	   *query_json;		/* the query string as a JSON object */
	int			n_query_keys;
} gw_target;

/*
 * Parse a raw request target such as "/rpc/f%20x?a=1&a=2&b".  Never fails:
 * malformed input yields GW_ROUTE_INVALID.  Free with gw_target_free.
 */
void		gw_target_parse(const char *raw, size_t len, gw_target *out);
void		gw_target_free(gw_target *t);

/*
 * application/x-www-form-urlencoded text (a query string or a form body) as
 * a JSON object: values are strings ('+' is a space, %XX decoded, ill-formed
 * UTF-8 replaced by U+FFFD); a key given without '=' has the value "", and a
 * key given more than once collects its values in an array, in order.
 * Returns the number of distinct keys.
 */
int			gw_form_to_json(const char *s, size_t len, gw_buf *out);

/* One decoded key=value of a query string or form body, in order. */
typedef struct gw_pair
{
	char	   *key;
	size_t		key_len;
	char	   *value;			/* "" when there was no '=' */
	size_t		value_len;
	bool		has_eq;			/* "k=" (true) or a bare "k" (false) */
} gw_pair;

/*
 * Split form-encoded text into decoded pairs, in order (the same decoding
 * as gw_form_to_json, without the UTF-8 repair: values go to the database
 * as they are).  Returns the count; free with gw_pairs_free.
 */
int			gw_form_pairs(const char *s, size_t len, gw_pair **out);
void		gw_pairs_free(gw_pair *p, int n);

/* What PostgREST makes of one query-string parameter of an RPC call. */
typedef enum gw_query_kind
{
	GW_QUERY_ARG = 1,			/* an argument of the function */
	GW_QUERY_LIMIT,				/* limit: rows of the result */
	GW_QUERY_OFFSET,			/* offset */
	GW_QUERY_IGNORED,			/* dropped by PostgREST too (no '=', select=*) */
	GW_QUERY_UNSUPPORTED		/* select, order, filters, ...: not served */
} gw_query_kind;

/*
 * Classify a pair as PostgREST's query parser does (ApiRequest/QueryParams):
 * select, columns, on_conflict and keys ending in order, limit, offset, and,
 * or are reserved; on GET a value such as "eq.1" or "not.in.(1,2)" is a
 * filter, anything else an argument; on POST every other key is a filter.
 */
gw_query_kind gw_query_classify(const gw_pair *p, bool rpc_get);

/*
 * The token in an Authorization header value: *token points into value.
 * Returns 1 for "Bearer <token>" (scheme case-insensitive; the token may be
 * empty), 0 for no header or another scheme.
 */
int			gw_bearer_token(const char *value, const char **token, size_t *len);

typedef enum gw_body_type
{
	GW_BODY_JSON = 1,			/* application/json, or no Content-Type */
	GW_BODY_FORM,				/* application/x-www-form-urlencoded */
	GW_BODY_OTHER
} gw_body_type;

gw_body_type gw_content_type(const char *value);

/*
 * Whether an Accept header admits JSON (application/json, application/ *,
 * * / *, or the given extra type such as application/openapi+json); a
 * missing header does.
 */
bool		gw_accepts_json(const char *value, const char *extra);

#endif							/* GW_REQUEST_H */
