/*
 * tx.c — see tx.h.
 *
 * Statement shapes follow PostgREST's (Query/Statements.hs, asJsonF): the
 * call is a CTE, the body is built by json_agg in the database, and
 * response.headers / response.status are read in the same statement, after
 * the function ran.  Identifiers are quoted with PQescapeIdentifier and
 * every value travels as a parameter.
 */
#include "tx.h"

#include "errors.h"
#include "json.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
gw_tx_result_add_header(gw_tx_result *r, const char *name, const char *value)
{
	/* a later value for the same name replaces the earlier one */
	for (int i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->header_name[i], name) == 0)
		{
			free(r->header_value[i]);
			r->header_value[i] = gw_xstrdup(value);
			return;
		}
	if (r->n_headers == GW_TX_MAX_HEADERS)
		return;
	r->header_name[r->n_headers] = gw_xstrdup(name);
	r->header_value[r->n_headers] = gw_xstrdup(value);
	r->n_headers++;
}

void
gw_tx_result_free(gw_tx_result *r)
{
	gw_buf_free(&r->body);
	for (int i = 0; i < r->n_headers; i++)
	{
		free(r->header_name[i]);
		free(r->header_value[i]);
	}
	r->n_headers = 0;
}

void
gw_tx_error(gw_tx_result *out, int status, const char *code, const char *message,
			const char *details, const char *hint)
{
	out->status = status;
	out->has_body = true;
	gw_buf_reset(&out->body);
	gw_error_body(&out->body, code, message, details, hint);
	gw_tx_result_add_header(out, "Content-Type", "application/json; charset=utf-8");
}

/* An error from the database, mapped with PostgREST's table. */
static void
db_error(gw_tx_result *out, const PGresult *res, PGconn *conn, bool authenticated, bool standby_write)
{
	const char *code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (code == NULL || PQstatus(conn) == CONNECTION_BAD)
	{
		/* the connection, not the statement, failed */
		const char *m = res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn);
		char		details[512];
		size_t		n = strlen(m);

		while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		snprintf(details, sizeof details, "%.*s", (int) n, m);
		gw_tx_error(out, 503, "PGRST001", "Database client error. Retrying the connection.", details, NULL);
		return;
	}
	/* a write refused only because the server is a standby: say so */
	gw_tx_error(out, gw_sqlstate_status(code, msg, authenticated), code, msg,
				PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL),
				standby_write && strcmp(code, "25006") == 0 ?
				"The database server is a read-only hot standby; send requests that write to the primary" :
				PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
	if (out->status == 401)
		gw_tx_result_add_header(out, "WWW-Authenticate", "Bearer");
}

/*
 * response.headers: a JSON array of objects with a single string member.
 * Returns false when it is not (PGRST111).
 */
static bool
apply_response_headers(gw_tx_result *out, const char *text)
{
	size_t		n = 0;
	bp_json_token *t;
	bool		ok = true;
	int			child = 1;

	if (bp_json_parse(text, strlen(text), NULL, 0, &n) != BP_JSON_OK)
		return false;
	t = gw_xcalloc(n, sizeof *t);
	if (bp_json_parse(text, strlen(text), t, n, &n) != BP_JSON_OK || t[0].type != BP_JSON_ARRAY)
	{
		free(t);
		return false;
	}
	for (size_t e = 0; e < t[0].size && ok; e++)
	{
		char		name[256],
					value[4096];
		size_t		nl = 0,
					vl = 0;

		ok = t[child].type == BP_JSON_OBJECT && t[child].size == 1 &&
			t[child + 2].type == BP_JSON_STRING &&
			bp_json_unescape(text, &t[child + 1], name, sizeof name - 1, &nl) == BP_JSON_OK &&
			bp_json_unescape(text, &t[child + 2], value, sizeof value - 1, &vl) == BP_JSON_OK &&
			nl > 0;
		if (!ok)
			break;
		name[nl] = value[vl] = '\0';
		/* no CR, LF or NUL may reach the response head */
		if (strlen(name) != nl || strlen(value) != vl || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		{
			ok = false;
			break;
		}
		gw_tx_result_add_header(out, name, value);
		child = bp_json_skip(t, n, child);
	}
	free(t);
	return ok;
}

static char *
quote_ident(PGconn *conn, const char *s)
{
	char	   *q = PQescapeIdentifier(conn, s, strlen(s));
	char	   *copy = gw_xstrdup(q ? q : "\"\"");

	PQfreemem(q);
	return copy;
}

/* Build the statements of the pipeline; returns how many. */
typedef struct stmt
{
	char	   *sql;
	int			nparams;
	const char *params[GW_TX_MAX_ARGS + 3];
	unsigned	types[GW_TX_MAX_ARGS + 3];
	bool		keep;			/* prepared once per connection (not BEGIN, COMMIT) */
} stmt;

/* What the pipeline sends: a statement, or the preparation of one first. */
typedef struct command
{
	int			stmt;			/* index into the statements */
	int			prepare;		/* >= 0: prepares statement cache entry #prepare */
} command;

/*
 * PostgreSQL 14 and later report in_hot_standby to the client, and report
 * it again when it changes, so a promotion is seen on each connection.
 */
bool
gw_tx_conn_in_hot_standby(PGconn *conn)
{
	const char *v = PQparameterStatus(conn, "in_hot_standby");

	return v != NULL && strcmp(v, "on") == 0;
}

static int
build(const gw_config *cfg, PGconn *conn, const gw_tx_request *req, bool read_only, stmt *s, int *call_index)
{
	int			n = 0;
	gw_buf		b = GW_BUF_INIT;
	gw_buf		search_path = GW_BUF_INIT;
	char	   *fs,
			   *fn;
	const char *body;

	s[n++].sql = gw_xstrdup(read_only ? "BEGIN READ ONLY" : "BEGIN READ WRITE");

	/* search_path: the request's schema, then db-extra-search-path */
	{
		char	   *q = quote_ident(conn, req->schema);

		gw_buf_puts(&search_path, q);
		free(q);
		for (int i = 0; i < cfg->n_extra_search_path; i++)
		{
			q = quote_ident(conn, cfg->extra_search_path[i]);
			gw_buf_printf(&search_path, ", %s", q);
			free(q);
		}
	}
	gw_buf_puts(&b, "SELECT pg_catalog.set_config('search_path', $1, true),"
				" pg_catalog.set_config('role', $2, true),"
				" pg_catalog.set_config('request.jwt.claims', $3, true),"
				" pg_catalog.set_config('request.method', $4, true),"
				" pg_catalog.set_config('request.path', $5, true),"
				" pg_catalog.set_config('request.headers', $6, true),"
				" pg_catalog.set_config('request.cookies', $7, true)");
	s[n].params[0] = NULL;		/* filled below, after the buffer is stolen */
	s[n].nparams = 7;
	if (cfg->statement_timeout_ms > 0)
	{
		gw_buf_printf(&b, ", pg_catalog.set_config('statement_timeout', '%d', true)", cfg->statement_timeout_ms);
	}
	s[n].sql = gw_buf_steal(&b);
	s[n].keep = true;
	s[n].params[0] = gw_buf_steal(&search_path);
	s[n].params[1] = req->role;
	s[n].params[2] = req->claims;
	s[n].params[3] = req->method;
	s[n].params[4] = req->path;
	s[n].params[5] = req->headers_json;
	s[n].params[6] = req->cookies_json;
	n++;

	if (cfg->pre_request)
	{
		char	   *f = quote_ident(conn, cfg->pre_request);

		if (cfg->pre_request_schema)
		{
			char	   *sch = quote_ident(conn, cfg->pre_request_schema);

			gw_buf_printf(&b, "SELECT %s.%s()", sch, f);
			free(sch);
		}
		else
			gw_buf_printf(&b, "SELECT %s()", f);
		free(f);
		s[n].keep = true;
		s[n++].sql = gw_buf_steal(&b);
	}

	fs = quote_ident(conn, req->function_schema ? req->function_schema : req->schema);
	fn = quote_ident(conn, req->function);
	{
		gw_buf		from = GW_BUF_INIT,
					args = GW_BUF_INIT,
					cols = GW_BUF_INIT,
					defs = GW_BUF_INIT;
		int			np = 0;

		/* QueryBuilder.callPlanToQuery: the arguments, and for JSON the records they come from */
		if (req->args == GW_CALL_BODY)
		{
			gw_buf_puts(&args, gw_routine_json_arg(&req->routine) == GW_JSON_OID ?
						"$1::pg_catalog.json" : "$1::pg_catalog.jsonb");
			s[n].params[np++] = req->body ? req->body : "{}";
		}
		else if (req->args == GW_CALL_JSON || req->args == GW_CALL_TEXT)
		{
			bool		json = req->args == GW_CALL_JSON;

			if (json)
				s[n].params[np++] = req->body ? req->body : "{}";
			for (int i = 0; i < req->n_args; i++)
			{
				const gw_param *p = &req->routine.params[req->arg_param[i]];
				char	   *q = quote_ident(conn, p->name);

				gw_buf_printf(&args, "%s%s%s := ", i ? ", " : "", p->variadic ? "VARIADIC " : "", q);
				if (json)
				{
					gw_buf_printf(&args, "pgrst_body.%s", q);
					gw_buf_printf(&cols, "%s%s", i ? ", " : "", q);
					gw_buf_printf(&defs, "%s%s %s", i ? ", " : "", q, p->type);
				}
				else
				{
					/* an untyped parameter cast to the type: its input function judges the text */
					s[n].params[np++] = req->arg_value[i];
					gw_buf_printf(&args, "$%d::%s", np, p->type);
				}
				free(q);
			}
			if (json)
			{
				const char *first = req->body ? req->body : "{}";

				/* an object is one record, an array a set of them (PostgREST's isJsonObject) */
				while (*first == ' ' || *first == '\t' || *first == '\r' || *first == '\n')
					first++;
				gw_buf_printf(&from, "(SELECT $1::pg_catalog.json AS json_data) pgrst_payload, "
							  "LATERAL (SELECT %s FROM pg_catalog.%s(pgrst_payload.json_data) AS _(%s) LIMIT 1) pgrst_body, "
							  "LATERAL ", cols.data, *first == '{' ? "json_to_record" : "json_to_recordset", defs.data);
			}
		}
		if (req->routine.ret_kind == GW_RET_COMPOSITE)
		{
			gw_buf_printf(&b, "WITH pgrst_source AS (SELECT pgrst_call.* FROM %s%s.%s(%s) pgrst_call) ",
						  gw_buf_str(&from), fs, fn, gw_buf_str(&args));
			body = req->routine.retset ? "coalesce(pg_catalog.json_agg(_postgrest_t), '[]')"
				: "coalesce(pg_catalog.json_agg(_postgrest_t)->0, 'null')";
		}
		else if (req->routine.retset)
		{
			gw_buf_printf(&b, "WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM %s%s.%s(%s) pgrst_call(pgrst_scalar)) ",
						  gw_buf_str(&from), fs, fn, gw_buf_str(&args));
			body = "coalesce(pg_catalog.json_agg(_postgrest_t.pgrst_scalar), '[]')";
		}
		else
		{
			gw_buf_printf(&b, "WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM %s(SELECT %s.%s(%s) pgrst_scalar) pgrst_call) ",
						  gw_buf_str(&from), fs, fn, gw_buf_str(&args));
			body = "coalesce(pg_catalog.json_agg(_postgrest_t.pgrst_scalar)->0, 'null')";
		}
		/* limit and offset are parameters (NULL: none), so they share one prepared statement */
		gw_buf_printf(&b, "SELECT pg_catalog.count(_postgrest_t), %s::pg_catalog.text, "
					  "nullif(pg_catalog.current_setting('response.headers', true), ''), "
					  "nullif(pg_catalog.current_setting('response.status', true), '') "
					  "FROM (SELECT * FROM pgrst_source LIMIT $%d::pg_catalog.int8 OFFSET $%d::pg_catalog.int8) _postgrest_t",
					  body, np + 1, np + 2);
		s[n].params[np++] = req->limit;
		s[n].params[np++] = req->offset;
		s[n].nparams = np;
		gw_buf_free(&from);
		gw_buf_free(&args);
		gw_buf_free(&cols);
		gw_buf_free(&defs);
	}
	free(fs);
	free(fn);
	*call_index = n;
	s[n].sql = gw_buf_steal(&b);
	s[n].keep = true;
	n++;
	s[n++].sql = gw_xstrdup("COMMIT");
	return n;
}

typedef enum run_outcome
{
	RUN_DONE,					/* out is filled */
	RUN_RETRY					/* the connection was dead before anything ran */
} run_outcome;

static run_outcome
run_pipeline(const gw_config *cfg, gw_pool *pool, int slot, PGconn *conn, const gw_tx_request *req,
			 gw_tx_result *out, bool *broken)
{
	stmt		s[6];
	command		cmds[12];
	int			n_cmds = 0;
	int			call = 0;
	int			n;
	PGresult   *first_error = NULL;
	PGresult   *call_result = NULL;
	int			results_seen = 0;
	run_outcome outcome = RUN_DONE;

	bool		standby = gw_tx_conn_in_hot_standby(conn);

	memset(s, 0, sizeof s);
	n = build(cfg, conn, req, req->read_only || standby, s, &call);
	*broken = false;

	if (!PQenterPipelineMode(conn))
	{
		*broken = true;
		outcome = RUN_RETRY;
		goto cleanup;
	}
	for (int i = 0; i < n; i++)
	{
		bool		prepared = false;
		int			entry = s[i].keep ? gw_pool_statement(pool, slot, s[i].sql, &prepared) : -1;
		char		name[16];
		int			ok;

		snprintf(name, sizeof name, "gw%d", entry);
		if (entry >= 0 && !prepared)
		{
			cmds[n_cmds++] = (command) {.stmt = i, .prepare = entry};
			if (!PQsendPrepare(conn, name, s[i].sql, s[i].nparams,
							   s[i].nparams ? (const Oid *) s[i].types : NULL))
			{
				gw_pool_statement_failed(pool, slot, entry);
				*broken = true;
				outcome = RUN_RETRY;
				goto cleanup;
			}
		}
		cmds[n_cmds++] = (command) {.stmt = i, .prepare = -1};
		if (entry >= 0)
			ok = PQsendQueryPrepared(conn, name, s[i].nparams, s[i].params, NULL, NULL, 0);
		else
			ok = PQsendQueryParams(conn, s[i].sql, s[i].nparams, s[i].nparams ? (const Oid *) s[i].types : NULL,
								   s[i].params, NULL, NULL, 0);
		if (!ok)
		{
			*broken = true;
			outcome = RUN_RETRY;
			goto cleanup;
		}
	}
	if (!PQpipelineSync(conn))
	{
		*broken = true;
		outcome = RUN_RETRY;
		goto cleanup;
	}

	for (int k = 0; k < n_cmds && !*broken; k++)
	{
		PGresult   *r;

		while ((r = PQgetResult(conn)) != NULL)
		{
			ExecStatusType st = PQresultStatus(r);

			if (st != PGRES_FATAL_ERROR && st != PGRES_PIPELINE_ABORTED)
				results_seen++;
			/* a statement that did not get prepared is not kept */
			if (cmds[k].prepare >= 0 && st != PGRES_COMMAND_OK)
				gw_pool_statement_failed(pool, slot, cmds[k].prepare);
			if (st == PGRES_FATAL_ERROR && first_error == NULL)
			{
				first_error = r;
				r = NULL;
			}
			else if (st == PGRES_TUPLES_OK && cmds[k].prepare < 0 && cmds[k].stmt == call && call_result == NULL)
			{
				call_result = r;
				r = NULL;
			}
			PQclear(r);
			if (PQstatus(conn) == CONNECTION_BAD)
			{
				*broken = true;
				break;
			}
		}
	}
	if (!*broken)
	{
		PGresult   *r = PQgetResult(conn);	/* the PGRES_PIPELINE_SYNC */

		PQclear(r);
		while ((r = PQgetResult(conn)) != NULL)
			PQclear(r);
		PQexitPipelineMode(conn);
	}
	if (PQstatus(conn) == CONNECTION_BAD)
		*broken = true;

	if (*broken && results_seen == 0)
	{
		/*
		 * Not even BEGIN succeeded and the connection is gone: it was dead
		 * before the request (a database restart, 57P01), so nothing ran
		 * and a fresh connection may try again.
		 */
		outcome = RUN_RETRY;
		goto cleanup;
	}
	if (!*broken && PQtransactionStatus(conn) != PQTRANS_IDLE)
	{
		PGresult   *r = PQexec(conn, "ROLLBACK");

		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			*broken = true;
		PQclear(r);
	}

	if (first_error || *broken)
	{
		db_error(out, first_error, conn, req->authenticated, standby && !req->read_only);
		goto cleanup;
	}
	if (call_result == NULL || PQntuples(call_result) != 1)
	{
		gw_tx_error(out, 500, "PGRSTX00", "The function call returned no result row", NULL, NULL);
		goto cleanup;
	}

	{
		long		rows = strtol(PQgetvalue(call_result, 0, 0), NULL, 10);
		int			status = req->routine.ret_kind == GW_RET_VOID ? 204 : 200;

		if (!PQgetisnull(call_result, 0, 2) &&
			!apply_response_headers(out, PQgetvalue(call_result, 0, 2)))
		{
			gw_tx_result_free(out);
			gw_tx_error(out, 500, "PGRST111",
						"response.headers guc must be a JSON array composed of objects with a single key and a string value",
						NULL, NULL);
			goto cleanup;
		}
		if (!PQgetisnull(call_result, 0, 3))
		{
			char	   *end;
			const char *v = PQgetvalue(call_result, 0, 3);
			long		st = strtol(v, &end, 10);

			if (end == v || *end != '\0' || st < 100 || st > 599)
			{
				gw_tx_result_free(out);
				gw_tx_error(out, 500, "PGRST112", "response.status guc must be a valid status code", NULL, NULL);
				goto cleanup;
			}
			status = (int) st;
		}
		out->status = status;
		if (req->routine.ret_kind != GW_RET_VOID)
		{
			char		range[64];

			out->has_body = true;
			gw_buf_puts(&out->body, PQgetvalue(call_result, 0, 1));
			if (rows > 0)
			{
				long long	first = req->offset ? strtoll(req->offset, NULL, 10) : 0;

				snprintf(range, sizeof range, "%lld-%lld/*", first, first + rows - 1);
			}
			else
				snprintf(range, sizeof range, "*/*");
			/* defaults first, so that response.headers can override them */
			gw_tx_result *tmp = gw_xcalloc(1, sizeof *tmp);

			gw_tx_result_add_header(tmp, "Content-Type", "application/json; charset=utf-8");
			gw_tx_result_add_header(tmp, "Content-Range", range);
			for (int i = 0; i < out->n_headers; i++)
				gw_tx_result_add_header(tmp, out->header_name[i], out->header_value[i]);
			for (int i = 0; i < out->n_headers; i++)
			{
				free(out->header_name[i]);
				free(out->header_value[i]);
			}
			memcpy(out->header_name, tmp->header_name, sizeof tmp->header_name);
			memcpy(out->header_value, tmp->header_value, sizeof tmp->header_value);
			out->n_headers = tmp->n_headers;
			free(tmp);
		}
	}

cleanup:
	if (outcome == RUN_RETRY && PQpipelineStatus(conn) != PQ_PIPELINE_OFF)
		PQexitPipelineMode(conn);
	PQclear(first_error);
	PQclear(call_result);
	for (int i = 0; i < n; i++)
		free(s[i].sql);
	free((char *) s[1].params[0]);
	return outcome;
}

void
gw_tx_run(const gw_config *cfg, gw_pool *pool, const gw_tx_request *req, gw_tx_result *out)
{
	int			slot = gw_pool_acquire(pool, cfg->pool_acquisition_timeout_s * 1000);
	bool		broken = false;

	if (slot < 0)
	{
		gw_tx_error(out, 504, "PGRST003", "Timed out acquiring connection from connection pool.", NULL, NULL);
		return;
	}
	/* a second attempt only when a pooled connection turned out dead */
	for (int attempt = 0; attempt < 2; attempt++)
	{
		char		err[512];
		PGconn	   *conn = gw_pool_conn(pool, slot, err, sizeof err);

		if (conn == NULL)
		{
			gw_tx_error(out, 503, "PGRST000", "Database connection error. Retrying the connection.", err, NULL);
			broken = true;
			break;
		}
		if (run_pipeline(cfg, pool, slot, conn, req, out, &broken) == RUN_DONE)
			break;
		gw_log(GW_LOG_WARN, "pooled connection was closed by the server; reconnecting");
		gw_pool_discard(pool, slot);
		if (attempt == 1)
			gw_tx_error(out, 503, "PGRST001", "Database client error. Retrying the connection.", NULL, NULL);
	}
	gw_pool_release(pool, slot, broken);
}
