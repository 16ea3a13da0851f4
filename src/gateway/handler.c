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

/* The member names of a JSON object text, "a, b"; count in *n. */
static char *
object_keys(const char *text, size_t len, int *n)
{
	size_t		nt = 0;
	bp_json_token *t;
	gw_buf		b = GW_BUF_INIT;

	*n = 0;
	if (bp_json_parse(text, len, NULL, 0, &nt) != BP_JSON_OK)
		return gw_buf_steal(&b);
	t = gw_xcalloc(nt, sizeof *t);
	if (bp_json_parse(text, len, t, nt, &nt) == BP_JSON_OK && t[0].type == BP_JSON_OBJECT)
	{
		int			k = 1;

		for (size_t m = 0; m < t[0].size; m++)
		{
			size_t		ul = 0;
			char	   *u = gw_xmalloc(t[k].end - t[k].start + 1);

			if (bp_json_unescape(text, &t[k], u, t[k].end - t[k].start + 1, &ul) == BP_JSON_OK)
			{
				if ((*n)++)
					gw_buf_puts(&b, ", ");
				gw_buf_append(&b, u, ul);
			}
			free(u);
			k = bp_json_skip(t, nt, k + 1);
		}
	}
	free(t);
	return gw_buf_steal(&b);
}

/* PGRST202: PostgREST's wording for a function not in the schema cache. */
static void
no_function(gw_tx_result *out, const char *schema, const char *name, const char *keys, int n_keys, bool json_post)
{
	gw_buf		msg = GW_BUF_INIT,
				det = GW_BUF_INIT;

	gw_buf_printf(&msg, "Could not find the function %s.%s", schema, name);
	if (n_keys)
		gw_buf_printf(&msg, "(%s)", keys);
	else
		gw_buf_puts(&msg, " without parameters");
	gw_buf_puts(&msg, " in the schema cache");
	gw_buf_printf(&det, "Searched for the function %s.%s", schema, name);
	if (n_keys)
		gw_buf_printf(&det, " with parameter%s %s", n_keys > 1 ? "s" : "", keys);
	else
		gw_buf_puts(&det, " without parameters");
	if (json_post)
		gw_buf_puts(&det, " or with a single unnamed json/jsonb parameter");
	gw_buf_puts(&det, ", but no matches were found in the schema cache.");
	gw_tx_error(out, 404, "PGRST202", msg.data, det.data, NULL);
	gw_buf_free(&msg);
	gw_buf_free(&det);
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

/* Authenticate; false after answering the error. */
static bool
authenticate(const gw_config *cfg, const gw_http_request *req, auth *a, gw_tx_result *out)
{
	const char *token;
	size_t		len;
	gw_jwt_result jr;
	char		msg[128];

	memset(a, 0, sizeof *a);
	if (!gw_bearer_token(gw_http_header(req, "Authorization"), &token, &len))
	{
		if (cfg->anon_role == NULL)
		{
			token_required(out);
			return false;
		}
		a->role = gw_xstrdup(cfg->anon_role);
		a->claims = gw_jwt_claims_with_role(NULL, 0, a->role);
		return true;
	}
	if (!cfg->have_jwt_secret)
	{
		gw_tx_error(out, 500, "PGRST300", "Server lacks JWT secret", NULL, NULL);
		return false;
	}
	if (gw_jwt_verify(&cfg->jwt_keys, token, len, (int64_t) time(NULL), cfg->jwt_aud, &jr) != GW_JWT_OK)
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
	char	   *arg = NULL;
	gw_routine	with_arg,
				without_arg,
				chosen;
	bool		have_with,
				have_without;
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

	/* the argument, before authentication, as PostgREST parses the body first */
	if (is_post)
	{
		const char *ct = gw_http_header(req, "Content-Type");
		gw_body_type bt = gw_content_type(ct);

		if (bt == GW_BODY_OTHER)
		{
			char		msg[256];

			snprintf(msg, sizeof msg, "Content-Type not acceptable: %.200s", ct);
			gw_tx_error(out, 415, "PGRST107", msg, NULL, NULL);
			return;
		}
		if (bt == GW_BODY_FORM)
		{
			gw_buf		b = GW_BUF_INIT;

			gw_form_to_json(req->body ? req->body : "", req->body_len, &b);
			arg = gw_buf_steal(&b);
		}
		else
		{
			size_t		i = 0,
						nt = 0;

			while (i < req->body_len && strchr(" \t\r\n", req->body[i]))
				i++;
			if (i == req->body_len)
				arg = gw_xstrdup("{}");	/* an empty body is {} (PostgREST) */
			else if (bp_json_parse(req->body, req->body_len, NULL, 0, &nt) != BP_JSON_OK)
			{
				gw_tx_error(out, 400, "PGRST102", "Empty or invalid json", NULL, NULL);
				return;
			}
			else
				arg = gw_xstrndup(req->body, req->body_len);
		}
	}
	else
		arg = gw_xstrdup(t->query_json);

	if (!authenticate(cfg, req, &a, out))
	{
		free(arg);
		return;
	}
	*role_out = gw_xstrdup(a.role);

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
		int			n_keys = 0;
		char	   *keys = object_keys(arg, strlen(arg), &n_keys);
		const char *a0 = arg;
		bool		has_input;

		while (*a0 && strchr(" \t\r\n", *a0))
			a0++;
		/* any body but an empty object, or any query parameter, is input */
		has_input = is_post ? n_keys > 0 || *a0 != '{' : t->n_query_keys > 0;

		gw_schema_cache_find(schema, t->name, &with_arg, &have_with, &without_arg, &have_without);
		if (have_with && (has_input || !have_without))
			chosen = with_arg;
		else if (have_without && !has_input)
			chosen = without_arg;
		else
		{
			no_function(out, schema, t->name, keys, n_keys,
						is_post && gw_content_type(gw_http_header(req, "Content-Type")) == GW_BODY_JSON);
			free(keys);
			goto done_tx;
		}
		free(keys);
	}
	tr.function = t->name;
	tr.routine = chosen;
	tr.arg = chosen.arg_type ? arg : NULL;
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

	if (t.route == GW_ROUTE_LIVE)
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
