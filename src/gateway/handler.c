/*
 * handler.c — see handler.h.  The order of checks mirrors PostgREST: the
 * route and method, the profile (schema), content negotiation, the body,
 * then authentication, the schema cache and the function, then the call.
 */
#include "handler.h"

#include "errors.h"
#include "json.h"
#include "jwt.h"
#include "log.h"
#include "request.h"
#include "schema_cache.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *
gw_http_header(const gw_http_request *req, const char *name)
{
	const char *v = NULL;

	for (int i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->header_names[i], name) == 0)
			v = req->header_values[i];
	return v;
}

/* request.headers: lower-cased names, the last value of each, no cookie. */
static char *
headers_json(const gw_http_request *req)
{
	gw_buf		b = GW_BUF_INIT;
	bool		first = true;

	gw_buf_putc(&b, '{');
	for (int i = 0; i < req->n_headers; i++)
	{
		bool		later = false;
		char	   *lower;

		if (strcasecmp(req->header_names[i], "cookie") == 0)
			continue;
		for (int j = i + 1; j < req->n_headers && !later; j++)
			later = strcasecmp(req->header_names[i], req->header_names[j]) == 0;
		if (later)
			continue;
		lower = gw_xstrdup(req->header_names[i]);
		for (char *p = lower; *p; p++)
			*p = (char) tolower((unsigned char) *p);
		if (!first)
			gw_buf_putc(&b, ',');
		first = false;
		gw_buf_json_cstr(&b, lower);
		gw_buf_putc(&b, ':');
		gw_buf_json_cstr(&b, req->header_values[i]);
		free(lower);
	}
	gw_buf_putc(&b, '}');
	return gw_buf_steal(&b);
}

/* request.cookies: "a=1; b=2" as {"a":"1","b":"2"}. */
static char *
cookies_json(const char *cookie)
{
	gw_buf		b = GW_BUF_INIT;
	bool		first = true;

	gw_buf_putc(&b, '{');
	while (cookie && *cookie)
	{
		size_t		n = strcspn(cookie, ";");
		const char *eq = memchr(cookie, '=', n);
		const char *k = cookie;

		while (k < cookie + n && *k == ' ')
			k++;
		if (eq && eq > k)
		{
			if (!first)
				gw_buf_putc(&b, ',');
			first = false;
			gw_buf_json_string(&b, k, (size_t) (eq - k));
			gw_buf_putc(&b, ':');
			gw_buf_json_string(&b, eq + 1, (size_t) (cookie + n - eq - 1));
		}
		cookie += n;
		if (*cookie == ';')
			cookie++;
	}
	gw_buf_putc(&b, '}');
	return gw_buf_steal(&b);
}

/* A set of names, kept sorted and distinct like PostgREST's S.Set Text. */
typedef struct name_set
{
	char	  **v;
	int			n;
	int			cap;
} name_set;

static void
set_add(name_set *s, const char *name, size_t len)
{
	int			lo = 0,
				hi = s->n;
	char	   *k = gw_xstrndup(name, len);

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = strcmp(s->v[mid], k);

		if (c == 0)
		{
			free(k);
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == s->cap)
	{
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = realloc(s->v, (size_t) s->cap * sizeof *s->v);
		if (s->v == NULL)
			abort();
	}
	memmove(s->v + lo + 1, s->v + lo, (size_t) (s->n - lo) * sizeof *s->v);
	s->v[lo] = k;
	s->n++;
}

static bool
set_equal(const name_set *a, const name_set *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

static void
set_free(name_set *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* The member names of the object at token k into keys. */
static void
object_names(const char *text, const bp_json_token *t, size_t nt, int k, name_set *keys)
{
	int			m = k + 1;

	for (size_t i = 0; i < t[k].size; i++)
	{
		size_t		cap = t[m].end - t[m].start + 1,
					ul = 0;
		char	   *u = gw_xmalloc(cap);

		if (bp_json_unescape(text, &t[m], u, cap, &ul) == BP_JSON_OK)
			set_add(keys, u, ul);
		free(u);
		m = bp_json_skip(t, nt, m + 1);
	}
}

/*
 * The argument keys of a JSON body as PostgREST's payloadAttributes reads
 * them: an object's member names; for an array, those of its objects, which
 * must all have the same ones; anything else counts as an empty array
 * (*truncate).  False when an array's elements disagree.
 */
static bool
json_body_keys(const char *text, size_t len, name_set *keys, bool *truncate)
{
	size_t		nt = 0;
	bp_json_token *t;
	bool		ok = true;

	*truncate = false;
	if (bp_json_parse(text, len, NULL, 0, &nt) != BP_JSON_OK)
		return false;
	t = gw_xcalloc(nt, sizeof *t);
	bp_json_parse(text, len, t, nt, &nt);
	if (t[0].type == BP_JSON_OBJECT)
		object_names(text, t, nt, 0, keys);
	else if (t[0].type == BP_JSON_ARRAY && t[0].size > 0)
	{
		int			k = 1;

		ok = t[1].type == BP_JSON_OBJECT;
		if (ok)
			object_names(text, t, nt, 1, keys);
		for (size_t i = 0; i < t[0].size && ok; i++)
		{
			name_set	other = {0};

			ok = t[k].type == BP_JSON_OBJECT;
			if (ok)
			{
				object_names(text, t, nt, k, &other);
				ok = set_equal(keys, &other);
			}
			set_free(&other);
			k = bp_json_skip(t, nt, k);
		}
	}
	else if (t[0].type != BP_JSON_ARRAY)
		*truncate = true;
	free(t);
	return ok;
}

/* PGRST202: PostgREST's wording (Error.hs, NoRpc) for a function not in the schema cache. */
static void
no_function(gw_tx_result *out, const char *schema, const char *name, const name_set *keys, bool json_post,
			const char *hint)
{
	gw_buf		msg = GW_BUF_INIT,
				det = GW_BUF_INIT,
				list = GW_BUF_INIT;

	for (int i = 0; i < keys->n; i++)
		gw_buf_printf(&list, "%s%s", i ? ", " : "", keys->v[i]);
	gw_buf_printf(&msg, "Could not find the function %s.%s", schema, name);
	if (keys->n)
		gw_buf_printf(&msg, "(%s)", list.data);
	else
		gw_buf_puts(&msg, " without parameters");
	gw_buf_puts(&msg, " in the schema cache");
	gw_buf_printf(&det, "Searched for the function %s.%s", schema, name);
	if (keys->n)
		gw_buf_printf(&det, " with parameter%s %s", keys->n > 1 ? "s" : "", list.data);
	else
		gw_buf_puts(&det, " without parameters");
	if (json_post)
		gw_buf_puts(&det, " or with a single unnamed json/jsonb parameter");
	gw_buf_puts(&det, ", but no matches were found in the schema cache.");
	gw_tx_error(out, 404, "PGRST202", msg.data, det.data, hint && hint[0] ? hint : NULL);
	gw_buf_free(&msg);
	gw_buf_free(&det);
	gw_buf_free(&list);
}

/* An array literal of values, for a VARIADIC parameter. */
static char *
array_literal(const gw_pair *const *vals, int n)
{
	gw_buf		b = GW_BUF_INIT;

	gw_buf_putc(&b, '{');
	for (int i = 0; i < n; i++)
	{
		if (i)
			gw_buf_putc(&b, ',');
		gw_buf_putc(&b, '"');
		for (const char *p = vals[i]->value; *p; p++)
		{
			if (*p == '"' || *p == '\\')
				gw_buf_putc(&b, '\\');
			gw_buf_putc(&b, *p);
		}
		gw_buf_putc(&b, '"');
	}
	gw_buf_putc(&b, '}');
	return gw_buf_steal(&b);
}

static bool
has_name(const name_set *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return true;
	return false;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* WWW-Authenticate for a rejected token: error_description as Haskell's show. */
static void
invalid_token(gw_tx_result *out, const char *code, const char *message)
{
	gw_buf		h = GW_BUF_INIT;

	gw_tx_error(out, 401, code, message, NULL, NULL);
	gw_buf_puts(&h, "Bearer error=\"invalid_token\", error_description=\"");
	for (const char *p = message; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			gw_buf_putc(&h, '\\');
		gw_buf_putc(&h, *p);
	}
	gw_buf_putc(&h, '"');
	gw_tx_result_add_header(out, "WWW-Authenticate", h.data);
	gw_buf_free(&h);
}

static void
token_required(gw_tx_result *out)
{
	gw_tx_error(out, 401, "PGRST302", "Anonymous access is disabled", NULL, NULL);
	gw_tx_result_add_header(out, "WWW-Authenticate", "Bearer");
}

/* The schema the request asks for, or NULL after answering PGRST106. */
static const char *
pick_schema(const gw_config *cfg, const char *profile, gw_tx_result *out)
{
	gw_buf		hint = GW_BUF_INIT;
	gw_buf		msg = GW_BUF_INIT;

	if (profile == NULL)
		return cfg->schemas[0];
	for (int i = 0; i < cfg->n_schemas; i++)
		if (strcmp(cfg->schemas[i], profile) == 0)
			return cfg->schemas[i];
	gw_buf_puts(&hint, "Only the following schemas are exposed: ");
	for (int i = 0; i < cfg->n_schemas; i++)
		gw_buf_printf(&hint, "%s%s", i ? ", " : "", cfg->schemas[i]);
	gw_buf_printf(&msg, "Invalid schema: %s", profile);
	gw_tx_error(out, 406, "PGRST106", msg.data, NULL, hint.data);
	gw_buf_free(&hint);
	gw_buf_free(&msg);
	return NULL;
}

typedef struct auth
{
	bool		authenticated;
	char	   *role;
	char	   *claims;			/* for request.jwt.claims, with "role" set */
} auth;

static void
cert_required(gw_tx_result *out)
{
	gw_tx_error(out, 401, "BPGW401", "A client certificate is required", NULL,
				"Connect with a certificate issued by the CA in tls-client-ca-file.");
}

/* A certificate that was sent and is not acceptable is never ignored. */
static void
cert_refused(gw_tx_result *out, const gw_client_cert *cert)
{
	gw_tx_error(out, 401, "BPGW401", "The client certificate is not accepted", cert->problem,
				"Send a certificate issued by the CA in tls-client-ca-file, in date and for client authentication.");
}

/*
 * A verified client certificate's claims join the JWT's; a token that names
 * another value for one of them is refused.  False after answering.
 */
static bool
add_cert_claims(auth *a, const gw_client_cert *cert, gw_tx_result *out)
{
	const char *conflict = NULL;
	char	   *merged;

	if (cert == NULL || cert->state != GW_CERT_VERIFIED)
		return true;
	merged = gw_cert_claims(a->claims, cert, &conflict);
	if (merged == NULL)
	{
		gw_buf		m = GW_BUF_INIT;

		gw_buf_printf(&m, "The JWT's %s claim disagrees with the client certificate", conflict);
		gw_tx_error(out, 403, "BPGW403", m.data, NULL,
					"A token may not override what a verified client certificate says; leave the claim out of the token.");
		gw_buf_free(&m);
		return false;
	}
	free(a->claims);
	a->claims = merged;
	return true;
}

/* Authenticate; false after answering the error. */
static bool
authenticate(const gw_config *cfg, const gw_http_request *req, auth *a, gw_tx_result *out)
{
	const gw_client_cert *cert = req->client_cert;
	bool		verified = cert && cert->state == GW_CERT_VERIFIED;
	const char *token;
	size_t		len;
	gw_jwt_result jr;
	char		msg[128];

	memset(a, 0, sizeof *a);
	if (cert && cert->state == GW_CERT_REFUSED)
	{
		cert_refused(out, cert);
		return false;
	}
	if (!gw_bearer_token(gw_http_header(req, "Authorization"), &token, &len))
	{
		if (verified && cfg->tls_client_role)
		{
			a->authenticated = true;
			a->role = gw_xstrdup(cfg->tls_client_role);
		}
		else if (cfg->anon_role == NULL)
		{
			token_required(out);
			return false;
		}
		else
			a->role = gw_xstrdup(cfg->anon_role);
		a->claims = gw_jwt_claims_with_role(NULL, 0, a->role);
		return add_cert_claims(a, cert, out);
	}
	if (!cfg->have_jwt_secret)
	{
		gw_tx_error(out, 500, "PGRST300", "Server lacks JWT secret", NULL, NULL);
		return false;
	}
	if (gw_jwt_verify_ex(&cfg->jwt_keys, token, len, (int64_t) time(NULL), cfg->jwt_aud,
						 cfg->jwt_require_exp, &jr) != GW_JWT_OK)
	{
		invalid_token(out, gw_jwt_status_code(jr.status),
					  gw_jwt_status_message(jr.status, jr.parts, msg, sizeof msg));
		gw_jwt_result_free(&jr);
		return false;
	}
	a->authenticated = true;
	a->role = gw_jwt_role(jr.claims, jr.claims_len, &cfg->role_claim);
	if (a->role == NULL && cfg->anon_role)
		a->role = gw_xstrdup(cfg->anon_role);
	if (a->role == NULL)
	{
		gw_jwt_result_free(&jr);
		token_required(out);
		return false;
	}
	a->claims = gw_jwt_claims_with_role(jr.claims, jr.claims_len, a->role);
	gw_jwt_result_free(&jr);
	if (!add_cert_claims(a, cert, out))
		return false;

	/*
	 * set_config('role', 'none') would mean "back to the login role"; a
	 * token must never get that, so answer as for a role that does not
	 * exist.
	 */
	if (strcasecmp(a->role, "none") == 0 || a->role[0] == '\0')
	{
		gw_buf		m = GW_BUF_INIT;

		gw_buf_printf(&m, "role \"%s\" does not exist", a->role);
		gw_tx_error(out, 401, "22023", m.data, NULL, NULL);
		gw_tx_result_add_header(out, "WWW-Authenticate", "Bearer");
		gw_buf_free(&m);
		return false;
	}
	return true;
}

static void
auth_free(auth *a)
{
	free(a->role);
	free(a->claims);
}

static void
handle_rpc_or_root(const gw_config *cfg, gw_pool *pool, const gw_http_request *req,
				   const gw_target *t, gw_tx_result *out, char **role_out)
{
	const char *m = req->method;
	bool		is_get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
	bool		is_post = strcmp(m, "POST") == 0;
	bool		root = t->route == GW_ROUTE_ROOT;
	const char *schema;
	auth		a;
	char	   *arg = NULL;		/* a JSON body */
	bool		json_post = false;
	gw_pair    *qp = NULL,		/* the query string */
			   *bp = NULL;		/* a form body */
	int			n_qp = 0,
				n_bp = 0;
	const gw_pair **args = NULL;	/* the text arguments (GET, form), in order */
	int			n_args = 0;
	name_set	keys = {0};
	const char *limit = NULL,
			   *offset = NULL;
	gw_routine	chosen = {0};
	char	   *variadic[GW_TX_MAX_ARGS] = {0};
	gw_tx_request tr;

	if (strcmp(m, "OPTIONS") == 0)
	{
		out->status = 200;
		gw_tx_result_add_header(out, "Allow", root ? "OPTIONS,GET,HEAD" : "OPTIONS,GET,HEAD,POST");
		return;
	}
	if (!is_get && !(is_post && !root))
	{
		char		msg[128];

		if (root)
		{
			snprintf(msg, sizeof msg, "Unsupported HTTP method: %.60s", m);
			gw_tx_error(out, 405, "PGRST117", msg, NULL, NULL);
		}
		else
		{
			snprintf(msg, sizeof msg, "Cannot use the %.60s method on RPC", m);
			gw_tx_error(out, 405, "PGRST101", msg, NULL, NULL);
		}
		return;
	}
	schema = pick_schema(cfg, gw_http_header(req, is_post ? "Content-Profile" : "Accept-Profile"), out);
	if (schema == NULL)
		return;
	if (!gw_accepts_json(gw_http_header(req, "Accept"), root ? "application/openapi+json" : NULL))
	{
		char		msg[256];

		snprintf(msg, sizeof msg, "None of these media types are available: %.200s", gw_http_header(req, "Accept"));
		gw_tx_error(out, 406, "PGRST107", msg, NULL, NULL);
		return;
	}
	if (req->body_too_large)
	{
		char		det[128];

		snprintf(det, sizeof det, "The request body is larger than the limit of %zu bytes", cfg->max_body);
		gw_tx_error(out, 413, "BPGW413", "Payload Too Large", det,
					"Send a smaller body, or raise BIGPICTURE_GATEWAY_MAX_BODY");
		return;
	}

	/*
	 * The query string, then the body, before authentication, as PostgREST
	 * parses the request first (ApiRequest).
	 */
	if (!root)
	{
		const char *q = memchr(req->target, '?', req->target_len);

		if (q)
			n_qp = gw_form_pairs(q + 1, req->target_len - (size_t) (q + 1 - req->target), &qp);
		args = gw_xcalloc((size_t) n_qp + 1, sizeof *args);
		for (int i = 0; i < n_qp; i++)
		{
			switch (gw_query_classify(&qp[i], is_get))
			{
				case GW_QUERY_ARG:
					args[n_args++] = &qp[i];
					break;
				case GW_QUERY_LIMIT:
					/* PostgREST ignores a limit or offset that is not a number */
					if (all_digits(qp[i].value))
						limit = qp[i].value;
					break;
				case GW_QUERY_OFFSET:
					if (all_digits(qp[i].value))
						offset = qp[i].value;
					break;
				case GW_QUERY_IGNORED:
					break;
				case GW_QUERY_UNSUPPORTED:
					{
						gw_buf		m = GW_BUF_INIT;

						gw_buf_puts(&m, "Query parameter not supported by bigpicture-gateway: ");
						gw_buf_json_string(&m, qp[i].key, qp[i].key_len);
						gw_tx_error(out, 400, "BPGW400", m.data,
									is_get ? "PostgREST would read it as a filter, select, order or embedding, not as an argument"
									: "PostgREST reads the query string of a POST as filters, select, order or embedding",
									"Only function arguments (GET), limit and offset are read from the query string");
						gw_buf_free(&m);
						goto done_parse;
					}
			}
		}
	}
	if (is_post)
	{
		const char *ct = gw_http_header(req, "Content-Type");
		gw_body_type bt = gw_content_type(ct);

		if (bt == GW_BODY_OTHER)
		{
			char		msg[256];

			snprintf(msg, sizeof msg, "Content-Type not acceptable: %.200s", ct);
			gw_tx_error(out, 415, "PGRST107", msg, NULL, NULL);
			goto done_parse;
		}
		if (bt == GW_BODY_FORM)
		{
			/* a form's pairs are arguments, like a GET's (PostgREST: DirectArgs) */
			n_bp = gw_form_pairs(req->body ? req->body : "", req->body_len, &bp);
			args = realloc(args, ((size_t) n_args + (size_t) n_bp + 1) * sizeof *args);
			if (args == NULL)
				abort();
			for (int i = 0; i < n_bp; i++)
				args[n_args++] = &bp[i];
		}
		else
		{
			size_t		i = 0,
						nt = 0;
			bool		truncate = false;

			json_post = true;
			while (i < req->body_len && req->body[i] != '\0' && strchr(" \t\r\n", req->body[i]))
				i++;
			if (i == req->body_len)
				arg = gw_xstrdup("{}");	/* an empty body is {} (PostgREST) */
			else if (bp_json_parse(req->body, req->body_len, NULL, 0, &nt) != BP_JSON_OK)
			{
				gw_tx_error(out, 400, "PGRST102", "Empty or invalid json", NULL, NULL);
				goto done_parse;
			}
			else if (!json_body_keys(req->body, req->body_len, &keys, &truncate))
			{
				gw_tx_error(out, 400, "PGRST102", "All object keys must match", NULL, NULL);
				goto done_parse;
			}
			else
				arg = truncate ? gw_xstrdup("[]") : gw_xstrndup(req->body, req->body_len);
		}
	}
	for (int i = 0; i < n_args; i++)
	{
		/* text parameters end at a NUL, and PostgreSQL's text refuses one anyway */
		if (strlen(args[i]->key) != args[i]->key_len || strlen(args[i]->value) != args[i]->value_len)
		{
			gw_tx_error(out, 400, "22021", "invalid byte sequence for encoding \"UTF8\": 0x00", NULL, NULL);
			goto done_parse;
		}
		set_add(&keys, args[i]->key, args[i]->key_len);
	}
	if (!authenticate(cfg, req, &a, out))
		goto done_parse;
	*role_out = gw_xstrdup(a.role);
	if (gw_cert_required(cfg, t->path, a.role) &&
		!(req->client_cert && req->client_cert->state == GW_CERT_VERIFIED))
	{
		cert_required(out);
		goto done;
	}

	if (!gw_schema_cache_ready())
	{
		gw_tx_error(out, 503, "PGRST002", "Could not query the database for the schema cache. Retrying.", NULL, NULL);
		goto done;
	}

	memset(&tr, 0, sizeof tr);
	tr.authenticated = a.authenticated;
	tr.schema = schema;
	tr.role = a.role;
	tr.claims = a.claims;
	tr.method = m;
	tr.path = t->path;
	char	   *hj = headers_json(req);
	char	   *cj = cookies_json(gw_http_header(req, "Cookie"));

	tr.headers_json = hj;
	tr.cookies_json = cj;

	if (root)
	{
		if (cfg->root_spec == NULL)
		{
			out->status = 200;
			out->has_body = true;
			gw_schema_cache_openapi(schema, &out->body);
			gw_tx_result_add_header(out, "Content-Type", "application/openapi+json; charset=utf-8");
		}
		else
		{
			tr.read_only = true;
			tr.function = cfg->root_spec;
			tr.function_schema = cfg->root_spec_schema;
			tr.routine.ret_kind = GW_RET_SCALAR;
			gw_tx_run(cfg, pool, &tr, out);
			if (out->status == 200)
				gw_tx_result_add_header(out, "Content-Type", "application/openapi+json; charset=utf-8");
		}
		goto done_tx;
	}

	{
		gw_buf		text = GW_BUF_INIT;
		gw_find_status st = gw_schema_cache_find(schema, t->name, keys.v, keys.n, json_post, &chosen, &text);

		if (st == GW_FIND_NONE || st == GW_FIND_NOT_LOADED)
			no_function(out, schema, t->name, &keys, json_post, text.data);
		else if (st == GW_FIND_AMBIGUOUS)
			gw_tx_error(out, 300, "PGRST203", text.data, NULL,
						"Try renaming the parameters or the function itself in the database so function overloading can be resolved");
		gw_buf_free(&text);
		if (st != GW_FIND_OK)
			goto done_tx;
	}
	tr.function = t->name;
	tr.routine = chosen;
	tr.body = arg;
	tr.limit = limit;
	tr.offset = offset;
	if (gw_routine_json_arg(&chosen))
		tr.args = GW_CALL_BODY;
	else if (keys.n == 0)
		tr.args = GW_CALL_NONE;
	else
	{
		/* the given parameters in the function's order; a text value is the last one given, or all for VARIADIC */
		tr.args = json_post ? GW_CALL_JSON : GW_CALL_TEXT;
		for (int i = 0; i < chosen.n_params; i++)
		{
			const gw_param *p = &chosen.params[i];
			const gw_pair **vals;
			int			nv = 0;

			if (!has_name(&keys, p->name))
				continue;
			tr.arg_param[tr.n_args] = i;
			if (!json_post)
			{
				vals = gw_xcalloc((size_t) n_args + 1, sizeof *vals);
				for (int k = 0; k < n_args; k++)
					if (strcmp(args[k]->key, p->name) == 0)
						vals[nv++] = args[k];
				if (p->variadic)
					tr.arg_value[tr.n_args] = variadic[tr.n_args] = array_literal(vals, nv);
				else
					tr.arg_value[tr.n_args] = vals[nv - 1]->value;
				free(vals);
			}
			tr.n_args++;
		}
	}
	/* GET never writes; POST writes only when the function is VOLATILE */
	tr.read_only = is_get || chosen.volatility != 'v';
	gw_tx_run(cfg, pool, &tr, out);

done_tx:
	free(hj);
	free(cj);
	if (cfg->n_schemas > 1 && out->status < 400)
		gw_tx_result_add_header(out, "Content-Profile", schema);
done:
	auth_free(&a);
done_parse:
	for (int i = 0; i < GW_TX_MAX_ARGS; i++)
		free(variadic[i]);
	gw_routine_free(&chosen);
	set_free(&keys);
	free(args);
	gw_pairs_free(qp, n_qp);
	gw_pairs_free(bp, n_bp);
	free(arg);
}

void
gw_handle(const gw_config *cfg, gw_pool *pool, const gw_http_request *req, bool admin,
		  gw_tx_result *out, char **role, char **path)
{
	gw_target	t;

	memset(out, 0, sizeof *out);
	*role = NULL;
	gw_target_parse(req->target, req->target_len, &t);
	*path = gw_xstrdup(t.path ? t.path : "(invalid)");

	if (!admin && cfg->tls_client_auth == GW_TLS_CLIENT_REQUIRED &&
		!(req->client_cert && req->client_cert->state == GW_CERT_VERIFIED))
	{
		if (req->client_cert && req->client_cert->state == GW_CERT_REFUSED)
			cert_refused(out, req->client_cert);
		else
			cert_required(out);
	}
	else if (t.route == GW_ROUTE_LIVE)
		out->status = 200;
	else if (t.route == GW_ROUTE_READY)
		out->status = gw_schema_cache_ready() && gw_pool_ping(pool) ? 200 : 503;
	else if (admin)
		out->status = 404;
	else if (t.route == GW_ROUTE_INVALID)
		gw_tx_error(out, 404, "PGRST125", "Invalid path specified in request URL", NULL, NULL);
	else if (t.route == GW_ROUTE_TABLE)
	{
		gw_buf		msg = GW_BUF_INIT;

		gw_buf_printf(&msg, "Could not find the table '%s.%s' in the schema cache", cfg->schemas[0], t.name);
		gw_tx_error(out, 404, "PGRST205", msg.data, NULL, NULL);
		gw_buf_free(&msg);
	}
	else
		handle_rpc_or_root(cfg, pool, req, &t, out, role);
	gw_target_free(&t);
}
