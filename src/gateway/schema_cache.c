/*
 * schema_cache.c — see schema_cache.h.  The current cache is swapped under
 * a read-write lock; readers copy the small gw_routine they need and let go.
 */
#include "schema_cache.h"

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
 * Callable forms only: no arguments (or all defaulted), or exactly one
 * unnamed json/jsonb IN argument.  ret_kind: void; rows for composite types
 * and for OUT/TABLE functions; a value for everything else (including a bare
 * "record", which json_agg renders as an object).
 */
static const char *const load_sql =
"SELECT n.nspname, p.proname, p.provolatile::text, p.proretset,\n"
"       CASE WHEN p.prorettype = 'pg_catalog.void'::pg_catalog.regtype THEN 'v'\n"
"            WHEN t.typtype = 'c' OR (p.prorettype = 'pg_catalog.record'::pg_catalog.regtype\n"
"                                     AND p.proallargtypes IS NOT NULL) THEN 'c'\n"
"            ELSE 's' END,\n"
"       CASE WHEN p.pronargs = 1 THEN p.proargtypes[0]::pg_catalog.int8 ELSE 0 END,\n"
"       pg_catalog.obj_description(p.oid, 'pg_proc')\n"
"  FROM pg_catalog.pg_proc p\n"
"  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace\n"
"  JOIN pg_catalog.pg_type t ON t.oid = p.prorettype\n"
" WHERE n.nspname = ANY ($1::pg_catalog.text[])\n"
"   AND p.prokind = 'f'\n"
"   AND (p.pronargs = p.pronargdefaults\n"
"        OR (p.pronargs = 1 AND p.pronargdefaults = 0\n"
"            AND p.proargtypes[0] IN ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.jsonb'::pg_catalog.regtype)\n"
"            AND coalesce((SELECT a.nm FROM ROWS FROM (pg_catalog.unnest(p.proargnames),\n"
"                                pg_catalog.unnest(p.proargmodes::pg_catalog.text[])) AS a(nm, md)\n"
"                          WHERE coalesce(a.md, 'i') IN ('i', 'b') LIMIT 1), '') = ''))\n"
" ORDER BY 1, 2";

gw_schema_cache *
gw_schema_cache_load(PGconn *conn, char *const *schemas, int n_schemas, char *err, size_t errcap)
{
	gw_buf		arr = GW_BUF_INIT;
	const char *params[1];
	PGresult   *res;
	gw_schema_cache *c;

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
	res = PQexecParams(conn, load_sql, 1, NULL, params, NULL, NULL, 0);
	gw_buf_free(&arr);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		snprintf(err, errcap, "loading the schema cache failed: %s", PQerrorMessage(conn));
		PQclear(res);
		return NULL;
	}
	c = gw_xcalloc(1, sizeof *c);
	c->n = (size_t) PQntuples(res);
	c->e = gw_xcalloc(c->n, sizeof *c->e);
	for (size_t i = 0; i < c->n; i++)
	{
		entry	   *e = &c->e[i];
		int			row = (int) i;

		e->schema = gw_xstrdup(PQgetvalue(res, row, 0));
		e->name = gw_xstrdup(PQgetvalue(res, row, 1));
		e->r.volatility = PQgetvalue(res, row, 2)[0];
		e->r.retset = PQgetvalue(res, row, 3)[0] == 't';
		e->r.ret_kind = (gw_ret_kind) PQgetvalue(res, row, 4)[0];
		e->r.arg_type = (unsigned) strtoul(PQgetvalue(res, row, 5), NULL, 10);
		if (!PQgetisnull(res, row, 6))
			e->description = gw_xstrdup(PQgetvalue(res, row, 6));
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

bool
gw_schema_cache_find(const char *schema, const char *name,
					 gw_routine *with_arg, bool *have_with_arg,
					 gw_routine *without_arg, bool *have_without_arg)
{
	*have_with_arg = *have_without_arg = false;
	pthread_rwlock_rdlock(&cache_lock);
	if (current == NULL)
	{
		pthread_rwlock_unlock(&cache_lock);
		return false;
	}
	for (size_t i = 0; i < current->n; i++)
	{
		const entry *e = &current->e[i];

		if (strcmp(e->schema, schema) != 0 || strcmp(e->name, name) != 0)
			continue;
		if (e->r.arg_type && !*have_with_arg)
		{
			*with_arg = e->r;
			*have_with_arg = true;
		}
		else if (!e->r.arg_type && !*have_without_arg)
		{
			*without_arg = e->r;
			*have_without_arg = true;
		}
	}
	pthread_rwlock_unlock(&cache_lock);
	return true;
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
		if (e->r.arg_type)
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
