/*
 * schema_cache.c — see schema_cache.h.  The current cache is swapped under
 * a read-write lock; readers copy the small gw_routine they need and let go.
 */
#include "schema_cache.h"

#include "errors.h"
#include "tx.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry
{
	char	   *schema;
	char	   *name;
	gw_routine	r;
	char	   *description;
} entry;

struct gw_schema_cache
{
	entry	   *e;
	size_t		n;
};

static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
static gw_schema_cache *current;

/*
 * Every function of the exposed schemas with its input parameters, one row
 * per parameter (one row with NULLs for none), as PostgREST's funcsSqlQuery
 * (SchemaCache.hs) sees them: a parameter is required when it comes before
 * the defaulted ones; character and bit become their varying forms so that
 * a cast does not truncate; OUT, INOUT and TABLE columns make the result
 * rows of a composite, void gives 204.  The caller runs it with search_path
 * pg_catalog, so every type outside pg_catalog comes out schema-qualified.
 */
static const char *const load_sql =
"SELECT n.nspname, p.proname, p.provolatile::text, p.proretset,\n"
"       CASE WHEN p.prorettype = 'pg_catalog.void'::pg_catalog.regtype THEN 'v'\n"
"            WHEN t.typtype = 'c' OR coalesce(p.proargmodes::pg_catalog.text[] && '{t,b,o}', false) THEN 'c'\n"
"            ELSE 's' END,\n"
"       p.pronargs - p.pronargdefaults, pg_catalog.obj_description(p.oid, 'pg_proc'),\n"
"       a.ord, a.nm,\n"
"       CASE WHEN a.ty = 'pg_catalog.bpchar'::pg_catalog.regtype THEN 'character varying'\n"
"            WHEN a.ty = 'pg_catalog._bpchar'::pg_catalog.regtype THEN 'character varying[]'\n"
"            WHEN a.ty = 'pg_catalog.bit'::pg_catalog.regtype THEN 'bit varying'\n"
"            WHEN a.ty = 'pg_catalog._bit'::pg_catalog.regtype THEN 'bit varying[]'\n"
"            ELSE a.ty::pg_catalog.regtype::pg_catalog.text END,\n"
"       a.md = 'v'\n"
"  FROM pg_catalog.pg_proc p\n"
"  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace\n"
"  JOIN pg_catalog.pg_type t ON t.oid = p.prorettype\n"
"  LEFT JOIN LATERAL (\n"
"       SELECT pg_catalog.row_number() OVER (ORDER BY x.i) AS ord, coalesce(x.nm, '') AS nm, x.ty, x.md\n"
"         FROM ROWS FROM (pg_catalog.unnest(coalesce(p.proallargtypes, p.proargtypes::pg_catalog.oid[])),\n"
"                         pg_catalog.unnest(p.proargmodes::pg_catalog.text[]),\n"
"                         pg_catalog.unnest(p.proargnames)) WITH ORDINALITY AS x(ty, md, nm, i)\n"
"        WHERE coalesce(x.md, 'i') IN ('i', 'b', 'v')) a ON true\n"
" WHERE n.nspname = ANY ($1::pg_catalog.text[])\n"
"   AND p.prokind = 'f'\n"
"   AND p.prorettype <> 'pg_catalog.trigger'::pg_catalog.regtype\n"
" ORDER BY n.nspname, p.proname, p.oid, a.ord";

unsigned
gw_routine_json_arg(const gw_routine *r)
{
	if (r->n_params != 1 || r->params[0].name[0] != '\0')
		return 0;
	if (strcmp(r->params[0].type, "json") == 0)
		return GW_JSON_OID;
	if (strcmp(r->params[0].type, "jsonb") == 0)
		return GW_JSONB_OID;
	return 0;
}

void
gw_routine_copy(gw_routine *dst, const gw_routine *src)
{
	*dst = *src;
	dst->params = gw_xcalloc((size_t) (src->n_params > 0 ? src->n_params : 1), sizeof *dst->params);
	for (int i = 0; i < src->n_params; i++)
	{
		dst->params[i] = src->params[i];
		dst->params[i].name = gw_xstrdup(src->params[i].name);
		dst->params[i].type = gw_xstrdup(src->params[i].type);
	}
}

void
gw_routine_free(gw_routine *r)
{
	for (int i = 0; i < r->n_params; i++)
	{
		free(r->params[i].name);
		free(r->params[i].type);
	}
	free(r->params);
	r->params = NULL;
	r->n_params = 0;
}

/*
 * PostgREST keeps functions whose input parameters are all named, or that
 * have exactly one unnamed one of a type it can pass a whole body to; the
 * gateway passes only JSON bodies, so only json/jsonb count here.
 */
static bool
callable(const gw_routine *r)
{
	if (r->n_params > GW_TX_MAX_ARGS)
		return false;			/* more than a stock FUNC_MAX_ARGS: not callable here */
	for (int i = 0; i < r->n_params; i++)
		if (r->params[i].name[0] == '\0')
			return gw_routine_json_arg(r) != 0;
	return true;
}

gw_schema_cache *
gw_schema_cache_load(PGconn *conn, char *const *schemas, int n_schemas, char *err, size_t errcap)
{
	gw_buf		arr = GW_BUF_INIT;
	const char *params[1];
	PGresult   *res;
	gw_schema_cache *c;
	int			rows;

	/* a text[] literal: every element quoted */
	gw_buf_putc(&arr, '{');
	for (int i = 0; i < n_schemas; i++)
	{
		if (i)
			gw_buf_putc(&arr, ',');
		gw_buf_putc(&arr, '"');
		for (const char *p = schemas[i]; *p; p++)
		{
			if (*p == '"' || *p == '\\')
				gw_buf_putc(&arr, '\\');
			gw_buf_putc(&arr, *p);
		}
		gw_buf_putc(&arr, '"');
	}
	gw_buf_putc(&arr, '}');
	params[0] = gw_buf_str(&arr);
	/* type names are qualified unless in pg_catalog, whatever the requests' search_path */
	res = PQexec(conn, "BEGIN READ ONLY; SET LOCAL search_path = pg_catalog");
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
	{
		PQclear(res);
		res = PQexecParams(conn, load_sql, 1, NULL, params, NULL, NULL, 0);
	}
	gw_buf_free(&arr);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		snprintf(err, errcap, "loading the schema cache failed: %s", PQerrorMessage(conn));
		PQclear(res);
		PQclear(PQexec(conn, "ROLLBACK"));
		return NULL;
	}
	PQclear(PQexec(conn, "COMMIT"));
	rows = PQntuples(res);
	c = gw_xcalloc(1, sizeof *c);
	c->e = gw_xcalloc((size_t) (rows > 0 ? rows : 1), sizeof *c->e);
	for (int row = 0; row < rows;)
	{
		entry	   *e = &c->e[c->n];
		int			n_required = atoi(PQgetvalue(res, row, 5));
		int			first = row;

		e->schema = gw_xstrdup(PQgetvalue(res, row, 0));
		e->name = gw_xstrdup(PQgetvalue(res, row, 1));
		e->r.volatility = PQgetvalue(res, row, 2)[0];
		e->r.retset = PQgetvalue(res, row, 3)[0] == 't';
		e->r.ret_kind = (gw_ret_kind) PQgetvalue(res, row, 4)[0];
		if (!PQgetisnull(res, row, 6))
			e->description = gw_xstrdup(PQgetvalue(res, row, 6));
		/* the rows of one function: its parameters in order (ord restarts at 1) */
		do
			row++;
		while (row < rows && !PQgetisnull(res, row, 7) && atoi(PQgetvalue(res, row, 7)) > 1);
		if (!PQgetisnull(res, first, 7))
		{
			e->r.n_params = row - first;
			e->r.params = gw_xcalloc((size_t) e->r.n_params, sizeof *e->r.params);
			for (int k = 0; k < e->r.n_params; k++)
			{
				gw_param   *p = &e->r.params[k];

				p->name = gw_xstrdup(PQgetvalue(res, first + k, 8));
				p->type = gw_xstrdup(PQgetvalue(res, first + k, 9));
				p->variadic = PQgetvalue(res, first + k, 10)[0] == 't';
				p->required = k < n_required;
			}
		}
		if (callable(&e->r))
			c->n++;
		else
		{
			free(e->schema);
			free(e->name);
			free(e->description);
			gw_routine_free(&e->r);
			memset(e, 0, sizeof *e);
		}
	}
	PQclear(res);
	return c;
}

void
gw_schema_cache_free(gw_schema_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
	{
		free(c->e[i].schema);
		free(c->e[i].name);
		free(c->e[i].description);
		gw_routine_free(&c->e[i].r);
	}
	free(c->e);
	free(c);
}

void
gw_schema_cache_install(gw_schema_cache *c)
{
	gw_schema_cache *old;

	pthread_rwlock_wrlock(&cache_lock);
	old = current;
	current = c;
	pthread_rwlock_unlock(&cache_lock);
	gw_schema_cache_free(old);
}

bool
gw_schema_cache_ready(void)
{
	bool		ready;

	pthread_rwlock_rdlock(&cache_lock);
	ready = current != NULL;
	pthread_rwlock_unlock(&cache_lock);
	return ready;
}

void
gw_schema_cache_shutdown(void)
{
	gw_schema_cache_install(NULL);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool
has_key(char *const *keys, int n_keys, const char *k)
{
	for (int i = 0; i < n_keys; i++)
		if (strcmp(keys[i], k) == 0)
			return true;
	return false;
}

/* PostgREST's matchesParams: keys ⊆ parameters, required parameters ⊆ keys. */
static bool
matches(const gw_routine *r, char *const *keys, int n_keys)
{
	int			known = 0;

	for (int i = 0; i < r->n_params; i++)
	{
		bool		given;

		if (r->params[i].name[0] == '\0')
			return false;		/* the unnamed json form is matched separately */
		given = has_key(keys, n_keys, r->params[i].name);
		if (r->params[i].required && !given)
			return false;
		known += given;
	}
	return known == n_keys;
}

/* "(a, b)": the sorted names, as noRpcHint's listToText writes them */
static char *
param_list(char *const *names, int n)
{
	char	  **sorted = gw_xcalloc((size_t) (n > 0 ? n : 1), sizeof *sorted);
	gw_buf		b = GW_BUF_INIT;

	if (n > 0)
		memcpy(sorted, names, (size_t) n * sizeof *sorted);
	qsort(sorted, (size_t) n, sizeof *sorted, cmp_str);
	gw_buf_putc(&b, '(');
	for (int i = 0; i < n; i++)
		gw_buf_printf(&b, "%s%s", i ? ", " : "", sorted[i]);
	gw_buf_putc(&b, ')');
	free(sorted);
	return gw_buf_steal(&b);
}

/* noRpcHint (Error.hs): a similar parameter list, or a similar function name. */
static void
no_rpc_hint(const char *schema, const char *name, char *const *keys, int n_keys, gw_buf *hint)
{
	const char **cands = gw_xcalloc(current->n + 1, sizeof *cands);
	char	  **owned = gw_xcalloc(current->n + 1, sizeof *owned);
	int			n = 0,
				best;
	bool		overloaded = false;

	for (size_t i = 0; i < current->n; i++)
		if (strcmp(current->e[i].schema, schema) == 0 && strcmp(current->e[i].name, name) == 0)
			overloaded = true;
	for (size_t i = 0; i < current->n; i++)
	{
		const entry *e = &current->e[i];

		if (strcmp(e->schema, schema) != 0)
			continue;
		if (!overloaded)
			cands[n++] = e->name;
		else if (strcmp(e->name, name) == 0)
		{
			char	  **names = gw_xcalloc((size_t) (e->r.n_params + 1), sizeof *names);

			for (int k = 0; k < e->r.n_params; k++)
				names[k] = e->r.params[k].name;
			owned[n] = param_list(names, e->r.n_params);
			cands[n] = owned[n];
			n++;
			free(names);
		}
	}
	if (overloaded)
	{
		char	   *given = param_list(keys, n_keys);

		best = gw_fuzzy_closest(given, cands, n, 0.33);
		if (best >= 0)
			gw_buf_printf(hint, "Perhaps you meant to call the function %s.%s%s", schema, name, cands[best]);
		free(given);
	}
	else if ((best = gw_fuzzy_closest(name, cands, n, 0.75)) >= 0)
		gw_buf_printf(hint, "Perhaps you meant to call the function %s.%s", schema, cands[best]);
	for (int i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(cands);
}

gw_find_status
gw_schema_cache_find(const char *schema, const char *name, char *const *keys, int n_keys, bool json_post,
					 gw_routine *out, gw_buf *text)
{
	const entry **hit;
	const entry *fallback = NULL;
	int			n_hit = 0,
				n_fallback = 0;
	gw_find_status st;

	pthread_rwlock_rdlock(&cache_lock);
	if (current == NULL)
	{
		pthread_rwlock_unlock(&cache_lock);
		return GW_FIND_NOT_LOADED;
	}
	hit = gw_xcalloc(current->n + 1, sizeof *hit);
	for (size_t i = 0; i < current->n; i++)
	{
		const entry *e = &current->e[i];

		if (strcmp(e->schema, schema) != 0 || strcmp(e->name, name) != 0)
			continue;
		if (matches(&e->r, keys, n_keys))
			hit[n_hit++] = e;
		else if (json_post && gw_routine_json_arg(&e->r))
		{
			fallback = e;
			n_fallback++;
		}
	}
	/* findProc: named matches first, then the single unnamed json(b) one */
	if (n_hit == 1 || (n_hit == 0 && n_fallback == 1))
	{
		gw_routine_copy(out, &(n_hit ? hit[0] : fallback)->r);
		st = GW_FIND_OK;
	}
	else if (n_hit == 0 && n_fallback == 0)
	{
		no_rpc_hint(schema, name, keys, n_keys, text);
		st = GW_FIND_NONE;
	}
	else
	{
		/* AmbiguousRpc: every candidate as schema.f(a => integer, …) */
		int			n = n_hit ? n_hit : 0;

		gw_buf_puts(text, "Could not choose the best candidate function between: ");
		if (n_hit == 0)
			for (size_t i = 0; i < current->n; i++)
			{
				const entry *e = &current->e[i];

				if (strcmp(e->schema, schema) == 0 && strcmp(e->name, name) == 0 && gw_routine_json_arg(&e->r))
					hit[n++] = e;
			}
		for (int i = 0; i < n; i++)
		{
			gw_buf_printf(text, "%s%s.%s(", i ? ", " : "", hit[i]->schema, hit[i]->name);
			for (int k = 0; k < hit[i]->r.n_params; k++)
				gw_buf_printf(text, "%s%s => %s", k ? ", " : "", hit[i]->r.params[k].name, hit[i]->r.params[k].type);
			gw_buf_putc(text, ')');
		}
		st = GW_FIND_AMBIGUOUS;
	}
	free(hit);
	pthread_rwlock_unlock(&cache_lock);
	return st;
}

void
gw_schema_cache_openapi(const char *schema, gw_buf *out)
{
	bool		first = true;

	gw_buf_puts(out, "{\"openapi\":\"3.0.3\",\"info\":{\"title\":\"bigpicture-gateway\","
				"\"description\":\"RPC functions of schema ");
	/* the schema name inside a JSON string: reuse the escaper, minus quotes */
	{
		gw_buf		tmp = GW_BUF_INIT;

		gw_buf_json_cstr(&tmp, schema);
		gw_buf_append(out, tmp.data + 1, tmp.len - 2);
		gw_buf_free(&tmp);
	}
	gw_buf_puts(out, "\",\"version\":\"1\"},\"paths\":{");
	pthread_rwlock_rdlock(&cache_lock);
	for (size_t i = 0; current && i < current->n; i++)
	{
		const entry *e = &current->e[i];
		gw_buf		path = GW_BUF_INIT;
		const char *resp = "{\"200\":{\"description\":\"OK\",\"content\":{\"application/json\":{}}}}";

		if (strcmp(e->schema, schema) != 0)
			continue;
		/* one path per function name, even if it has two callable forms */
		if (i > 0 && strcmp(current->e[i - 1].schema, e->schema) == 0 &&
			strcmp(current->e[i - 1].name, e->name) == 0)
			continue;
		gw_buf_puts(&path, "/rpc/");
		gw_buf_puts(&path, e->name);
		if (!first)
			gw_buf_putc(out, ',');
		first = false;
		gw_buf_json_string(out, path.data, path.len);
		gw_buf_puts(out, ":{\"post\":{\"summary\":");
		gw_buf_json_cstr(out, e->description ? e->description : e->name);
		if (gw_routine_json_arg(&e->r))
			gw_buf_puts(out, ",\"requestBody\":{\"content\":{\"application/json\":{\"schema\":{}}}}");
		gw_buf_printf(out, ",\"responses\":%s}", resp);
		gw_buf_puts(out, ",\"get\":{\"summary\":");
		gw_buf_json_cstr(out, e->description ? e->description : e->name);
		gw_buf_printf(out, ",\"responses\":%s}}", resp);
		gw_buf_free(&path);
	}
	pthread_rwlock_unlock(&cache_lock);
	gw_buf_puts(out, "}}");
}
