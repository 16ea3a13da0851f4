/*
 * test_request.c — the pure request parsers (request.c), the SQLSTATE ->
 * HTTP table (errors.c) and configuration checks (config.c).
 */
#include "unit.h"

#include "config.h"
#include "errors.h"
#include "request.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void
target(const char *raw, gw_route route, const char *name, const char *query)
{
	gw_target	t;

	gw_target_parse(raw, strlen(raw), &t);
	CHECK_MSG(t.route == route, "%s: route %d, expected %d", raw, t.route, route);
	if (name)
		CHECK_STR_EQ(t.name, name);
	if (query)
		CHECK_STR_EQ(t.query_json, query);
	gw_target_free(&t);
}

/*
 * The parser is given a length, not a C string: place the target so that
 * it ends where an unreadable page begins, so any read past its end faults
 * (glibc's strstr reads ahead, which once crashed the fuzzer on CI).
 */
static void
target_at_page_end(const char *raw, gw_route route)
{
	size_t		page = (size_t) sysconf(_SC_PAGESIZE);
	size_t		n = strlen(raw);
	char	   *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gw_target	t;

	CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		return;
	CHECK_INT_EQ(mprotect(map + page, page, PROT_NONE), 0);
	memcpy(map + page - n, raw, n);
	gw_target_parse(map + page - n, n, &t);
	CHECK_MSG(t.route == route, "%s at a page's end: route %d, expected %d", raw, t.route, route);
	gw_target_free(&t);
	munmap(map, 2 * page);
}

static int
load(const char **env, char *err)
{
	gw_config	cfg;
	int			rc = gw_config_load(&cfg, NULL, (char **) env, err, 256);

	if (rc == 0)
		gw_config_free(&cfg);
	return rc;
}

/* The kind PostgREST's query parser gives key=value (GET when get). */
static gw_query_kind
classify(const char *kv, bool get)
{
	gw_pair    *p;
	int			n = gw_form_pairs(kv, strlen(kv), &p);
	gw_query_kind k;

	CHECK_INT_EQ(n, 1);
	k = n == 1 ? gw_query_classify(&p[0], get) : 0;
	gw_pairs_free(p, n);
	return k;
}

static int
fuzzy(const char *q, const char *a, const char *b, double min)
{
	const char *c[2] = {a, b};

	return gw_fuzzy_closest(q, c, b ? 2 : 1, min);
}

int
main(void)
{
	char		err[256];

	/* ---- targets ---- */
	target("/", GW_ROUTE_ROOT, NULL, "{}");
	target("/rpc/echo", GW_ROUTE_RPC, "echo", "{}");
	target("/rpc/echo/", GW_ROUTE_RPC, "echo", NULL);
	target("/rpc/ech%6F", GW_ROUTE_RPC, "echo", NULL);
	target("/rpc/a%20b?x=1", GW_ROUTE_RPC, "a b", "{\"x\":\"1\"}");
	target("/rpc/f?a=1&a=2&b&c=x+y&d=%22q%22", GW_ROUTE_RPC, "f",
		   "{\"a\":[\"1\",\"2\"],\"b\":\"\",\"c\":\"x y\",\"d\":\"\\\"q\\\"\"}");
	target("/rpc/f?&&=&%zz=%", GW_ROUTE_RPC, "f", "{\"\":\"\",\"%zz\":\"%\"}");
	target("/rpc/f?x=%ff%00", GW_ROUTE_RPC, "f", "{\"x\":\"\xEF\xBF\xBD\\u0000\"}");
	target("/rpc/", GW_ROUTE_INVALID, NULL, NULL);
	target("/rpc/a/b", GW_ROUTE_INVALID, NULL, NULL);
	target("/rpc/%ff", GW_ROUTE_INVALID, NULL, NULL);
	target("/rpc/a%00b", GW_ROUTE_INVALID, NULL, NULL);
	target("rpc/x", GW_ROUTE_INVALID, NULL, NULL);
	target("", GW_ROUTE_INVALID, NULL, "{}");
	target("/live", GW_ROUTE_LIVE, NULL, NULL);
	target("/ready?x", GW_ROUTE_READY, NULL, NULL);
	target("/items", GW_ROUTE_TABLE, "items", NULL);
	target("/a/b/c", GW_ROUTE_INVALID, NULL, NULL);
	target("http://example.org/rpc/echo?a=1", GW_ROUTE_RPC, "echo", "{\"a\":\"1\"}");
	target("http://example.org", GW_ROUTE_INVALID, NULL, NULL);
	target_at_page_end("http://example.org", GW_ROUTE_INVALID);
	target_at_page_end("HTTPS://example.org/rpc/echo", GW_ROUTE_RPC);
	target_at_page_end("/rpc/echo?a=1&b", GW_ROUTE_RPC);

	/* ---- headers ---- */
	{
		const char *tok;
		size_t		len;

		CHECK_INT_EQ(gw_bearer_token("Bearer abc.def", &tok, &len), 1);
		CHECK(len == 7 && strncmp(tok, "abc.def", 7) == 0);
		CHECK_INT_EQ(gw_bearer_token("bearer   x  ", &tok, &len), 1);
		CHECK(len == 1 && tok[0] == 'x');
		CHECK_INT_EQ(gw_bearer_token("Bearer", &tok, &len), 1);
		CHECK_INT_EQ(len, 0);
		CHECK_INT_EQ(gw_bearer_token("Basic dXNlcjpwYXNz", &tok, &len), 0);
		CHECK_INT_EQ(gw_bearer_token("Bearerx", &tok, &len), 0);
		CHECK_INT_EQ(gw_bearer_token(NULL, &tok, &len), 0);
	}
	CHECK_INT_EQ(gw_content_type(NULL), GW_BODY_JSON);
	CHECK_INT_EQ(gw_content_type("application/json; charset=utf-8"), GW_BODY_JSON);
	CHECK_INT_EQ(gw_content_type("Application/JSON"), GW_BODY_JSON);
	CHECK_INT_EQ(gw_content_type("application/x-www-form-urlencoded"), GW_BODY_FORM);
	CHECK_INT_EQ(gw_content_type("text/plain"), GW_BODY_OTHER);
	CHECK(gw_accepts_json(NULL, NULL));
	CHECK(gw_accepts_json("text/html, application/json;q=0.9", NULL));
	CHECK(gw_accepts_json("*/*", NULL));
	CHECK(!gw_accepts_json("text/html", NULL));
	CHECK(gw_accepts_json("application/openapi+json", "application/openapi+json"));
	CHECK(!gw_accepts_json("application/openapi+json", NULL));

	/* ---- SQLSTATE -> HTTP status (PostgREST's table) ---- */
	{
		static const struct
		{
			const char *code;
			const char *msg;
			int			anon,
						authed;
		}			cases[] = {
			{"08006", "", 503, 503}, {"09000", "", 500, 500}, {"0L000", "", 403, 403},
			{"0P000", "", 403, 403}, {"23503", "", 409, 409}, {"23505", "", 409, 409},
			{"23502", "", 400, 400}, {"23514", "", 400, 400}, {"25006", "", 405, 405},
			{"25P02", "", 500, 500}, {"28000", "", 403, 403}, {"2D000", "", 500, 500},
			{"38000", "", 500, 500}, {"39000", "", 500, 500}, {"3B000", "", 500, 500},
			{"40001", "", 500, 500}, {"53400", "", 500, 500}, {"53100", "", 503, 503},
			{"54000", "", 500, 500}, {"55000", "", 500, 500}, {"57P01", "", 503, 503},
			{"57014", "", 500, 500}, {"58000", "", 500, 500}, {"F0000", "", 500, 500},
			{"HV000", "", 500, 500}, {"P0001", "", 400, 400}, {"P0002", "", 500, 500},
			{"XX000", "", 500, 500}, {"42883", "", 404, 404}, {"42P01", "", 404, 404},
			{"42P17", "", 500, 500}, {"42501", "", 401, 403}, {"22023", "", 400, 400},
			{"22023", "role \"x\" does not exist", 401, 401}, {"22P02", "", 400, 400},
			{"21000", "", 500, 500}, {"21000", "UPDATE requires a WHERE clause", 400, 400},
			{"PT402", "", 402, 402}, {"PT418", "", 418, 418}, {"PTabc", "", 500, 500},
			{"PT099", "", 500, 500}, {"42601", "", 400, 400}, {"bad", "", 500, 500},
		};

		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		{
			CHECK_MSG(gw_sqlstate_status(cases[i].code, cases[i].msg, false) == cases[i].anon,
					  "%s anon", cases[i].code);
			CHECK_MSG(gw_sqlstate_status(cases[i].code, cases[i].msg, true) == cases[i].authed,
					  "%s authed", cases[i].code);
		}
	}
	{
		gw_buf		b = GW_BUF_INIT;

		gw_error_body(&b, "P0001", "bad \"x\"", NULL, "h");
		CHECK_STR_EQ(b.data, "{\"code\":\"P0001\",\"details\":null,\"hint\":\"h\",\"message\":\"bad \\\"x\\\"\"}");
		gw_buf_free(&b);
	}

	/* ---- query pairs and PostgREST's reading of them ---- */
	{
		gw_pair    *p;
		int			n = gw_form_pairs("a=1;b=x+y&c&&d=%00z&a=2", 23, &p);

		CHECK_INT_EQ(n, 5);		/* ';' separates too; the empty pair is skipped */
		CHECK_STR_EQ(p[0].key, "a");
		CHECK_STR_EQ(p[1].value, "x y");
		CHECK(!p[2].has_eq && p[2].value[0] == '\0');
		CHECK(p[3].value_len == 2 && p[3].value[0] == '\0');
		CHECK_STR_EQ(p[4].value, "2");
		gw_pairs_free(p, n);
	}
	CHECK_INT_EQ(classify("a=1", true), GW_QUERY_ARG);
	CHECK_INT_EQ(classify("a=", true), GW_QUERY_ARG);
	CHECK_INT_EQ(classify("a", true), GW_QUERY_IGNORED);
	CHECK_INT_EQ(classify("a=1", false), GW_QUERY_UNSUPPORTED);	/* POST: a filter */
	CHECK_INT_EQ(classify("limit=5", true), GW_QUERY_LIMIT);
	CHECK_INT_EQ(classify("offset=5", false), GW_QUERY_OFFSET);
	CHECK_INT_EQ(classify("select=*", true), GW_QUERY_IGNORED);
	CHECK_INT_EQ(classify("select=a", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("order=a", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("x.limit=1", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("or=(a.eq.1)", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("a.b=1", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("a->b=1", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("a=eq.1", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("a=gte.1", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("a=eq(any).%7B1%7D", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("a=not.x", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("a=in.(1,2)", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("a=fts(english).x", true), GW_QUERY_UNSUPPORTED);
	CHECK_INT_EQ(classify("a=equal", true), GW_QUERY_ARG);		/* no '.' after the operator */
	CHECK_INT_EQ(classify("a=ltex.1", true), GW_QUERY_ARG);
	CHECK_INT_EQ(classify("a=fts()x", true), GW_QUERY_ARG);
	CHECK_INT_EQ(classify("a=2020-01-01T00:00:00Z", true), GW_QUERY_ARG);

	/* ---- PostgREST's fuzzy hints ---- */
	CHECK_INT_EQ(fuzzy("ech", "echo", "hello", 0.75), 0);
	CHECK_INT_EQ(fuzzy("xyz", "echo", "hello", 0.75), -1);
	CHECK_INT_EQ(fuzzy("ECHO", "hello", "echo", 0.75), 1);		/* exact but for case */
	CHECK_INT_EQ(fuzzy("(b)", "()", "(a, b)", 0.33), 1);
	CHECK_INT_EQ(fuzzy("()", "(a)", NULL, 0.33), -1);			/* no shared 2-gram */
	CHECK_INT_EQ(fuzzy("()", "()", NULL, 0.33), 0);

	/* ---- configuration ---- */
	{
		const char *ok[] = {"PGRST_DB_SCHEMAS=a, b", "PGRST_DB_POOL=3", "PATH=/bin", NULL};
		const char *typo[] = {"PGRST_DB_SCHEMAZ=a", NULL};
		const char *badint[] = {"PGRST_DB_POOL=many", NULL};
		const char *short_secret[] = {"PGRST_JWT_SECRET=too-short-secret", NULL};
		const char *ignored[] = {"PGRST_DB_MAX_ROWS=10", NULL};
		const char *ours_typo[] = {"BIGPICTURE_GATEWAY_MAXBODY=1", NULL};
		const char *role_key[] = {"PGRST_JWT_ROLE_CLAIM_KEY=role", NULL};
		const char *level[] = {"PGRST_LOG_LEVEL=loud", NULL};
		gw_config	cfg;

		CHECK_INT_EQ(gw_config_load(&cfg, NULL, (char **) ok, err, sizeof err), 0);
		CHECK_INT_EQ(cfg.n_schemas, 2);
		CHECK_STR_EQ(cfg.schemas[1], "b");
		CHECK_INT_EQ(cfg.db_pool, 3);
		CHECK_INT_EQ(cfg.server_port, 3000);
		CHECK_INT_EQ(cfg.max_body, 1048576);
		CHECK(cfg.anon_role == NULL);
		gw_config_free(&cfg);
		CHECK_INT_EQ(load(typo, err), -1);
		CHECK(strstr(err, "PGRST_DB_SCHEMAZ") != NULL);
		CHECK_INT_EQ(load(badint, err), -1);
		CHECK_INT_EQ(load(short_secret, err), -1);
		CHECK(strstr(err, "too-short") == NULL);
		CHECK_INT_EQ(load(ignored, err), 0);
		CHECK_INT_EQ(load(ours_typo, err), -1);
		CHECK_INT_EQ(load(role_key, err), -1);
		CHECK_INT_EQ(load(level, err), -1);
	}
	return unit_summary("gateway-request");
}
