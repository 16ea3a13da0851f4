/*
 * config.c — reading PostgREST-named settings (see config.h).
 *
 * Every setting is declared once in the table below with its file name
 * (db-uri), from which the environment name (PGRST_DB_URI) is derived.
 * Values are first collected as strings (file, then environment over it),
 * then validated in one place, so a message can name the setting precisely.
 * The JWT secret is never echoed in any message.
 */
#include "config.h"

#include "buf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct setting
{
	const char *name;			/* file name; env is PGRST_ + upper(name, '-'->'_') */
	bool		ours;			/* ours: BIGPICTURE_GATEWAY_ prefix instead */
	const char *dflt;
} setting;

static const setting settings[] = {
	{"db-uri", false, "postgresql://"},
	{"db-schemas", false, "public"},
	{"db-schema", false, NULL},	/* PostgREST's older name for db-schemas */
	{"db-extra-search-path", false, "public"},
	{"db-anon-role", false, NULL},
	{"jwt-secret", false, NULL},
	{"jwt-secret-is-base64", false, "false"},
	{"jwt-aud", false, NULL},
	{"jwt-role-claim-key", false, ".role"},
	{"role-claim-key", false, NULL},	/* older name */
	{"db-pool", false, "10"},
	{"db-pool-acquisition-timeout", false, "10"},
	{"server-host", false, "!4"},
	{"server-port", false, "3000"},
	{"admin-server-port", false, NULL},
	{"admin-server-host", false, NULL},
	{"db-root-spec", false, NULL},
	{"db-pre-request", false, NULL},
	{"log-level", false, "error"},
	{"db-channel", false, "pgrst"},
	{"db-channel-enabled", false, "true"},
	{"max-body", true, "1048576"},
	{"statement-timeout", true, "0"},
	{"connection-timeout", true, "30"},
	{"shutdown-timeout", true, "30"},
	{"jwt-require-exp", true, "false"},
	{"tls-cert-file", true, NULL},
	{"tls-key-file", true, NULL},
	{"tls-client-ca-file", true, NULL},
	{"tls-client-auth", true, NULL},	/* default: optional with a CA file, else off */
	{"tls-client-required-routes", true, ""},
	{"tls-client-required-roles", true, ""},
	{"tls-client-role", true, NULL},
	{"tls-client-cn-claim", true, NULL},
};
#define N_SETTINGS (sizeof settings / sizeof settings[0])

/*
 * PostgREST settings this gateway does not implement.  They are accepted
 * with a warning, so one environment file can serve both servers; any other
 * PGRST_ or BIGPICTURE_GATEWAY_ name is an error (a typo, most likely).
 */
static const char *const ignored[] = {
	"app-settings", "db-aggregates-enabled", "db-config", "db-hoisted-tx-settings",
	"db-max-rows", "db-plan-enabled", "db-pool-max-idletime", "db-pool-max-lifetime",
	"db-pool-automatic-recovery", "db-prepared-statements", "db-tx-end", "db-use-legacy-gucs",
	"jwt-cache-max-lifetime", "jwt-cache-max-entries", "log-query", "openapi-mode",
	"openapi-security-active", "openapi-server-proxy-uri", "server-cors-allowed-origins",
	"server-trace-header", "server-timing-enabled", "server-unix-socket",
	"server-unix-socket-mode", "db-timezone-enabled", "server-proxy-uri",
	"secret-is-base64", "max-rows", "pre-request", "db-max-affected", "log-format",
	"server-cors-allowed-headers", "db-embed-default-join", "db-schema-cache-size",
};

static void
env_name(const setting *s, char *out, size_t cap)
{
	size_t		o = (size_t) snprintf(out, cap, "%s", s->ours ? "BIGPICTURE_GATEWAY_" : "PGRST_");

	for (const char *p = s->name; *p && o + 1 < cap; p++)
		out[o++] = *p == '-' ? '_' : (char) toupper((unsigned char) *p);
	out[o] = '\0';
}

static int
find_setting(const char *name)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return (int) i;
	return -1;
}

static bool
is_ignored(const char *name)
{
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		if (strncmp(name, ignored[i], strlen(ignored[i])) == 0)
			return true;
	return false;
}

static char *
trim(char *s)
{
	char	   *e;

	while (isspace((unsigned char) *s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char) e[-1]))
		*--e = '\0';
	return s;
}

/* Parse one `key = value` file; values go into vals[] (malloc'd). */
static int
read_file(const char *path, char **vals, char *err, size_t errcap)
{
	FILE	   *f = fopen(path, "r");
	char		line[8192];
	int			lineno = 0;

	if (f == NULL)
	{
		snprintf(err, errcap, "cannot open config file %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f))
	{
		char	   *p,
				   *eq,
				   *key,
				   *val;
		int			idx;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f))
		{
			snprintf(err, errcap, "%s:%d: line too long", path, lineno);
			goto fail;
		}
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		eq = strchr(p, '=');
		if (eq == NULL)
		{
			snprintf(err, errcap, "%s:%d: expected `key = value`", path, lineno);
			goto fail;
		}
		*eq = '\0';
		key = trim(p);
		val = trim(eq + 1);
		if (*val == '"')
		{
			/* a quoted string; \" and \\ are the only escapes */
			char	   *w = val,
					   *r = val + 1;

			for (; *r && *r != '"'; r++)
			{
				if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r;
			}
			if (*r != '"' || *trim(r + 1) != '\0')
			{
				if (*r == '"' && trim(r + 1)[0] == '#')
					goto ok;
				snprintf(err, errcap, "%s:%d: unterminated or trailing text after quoted value of %s", path, lineno, key);
				goto fail;
			}
	ok:
			*w = '\0';
		}
		else
		{
			char	   *hash = strchr(val, '#');

			if (hash)
				*hash = '\0';
			val = trim(val);
		}
		idx = find_setting(key);
		if (idx < 0 && is_ignored(key))
		{
			fprintf(stderr, "bigpicture-gateway: warning: %s:%d: PostgREST setting %s is not supported by the gateway, ignored\n", path, lineno, key);
			continue;
		}
		if (idx < 0)
		{
			snprintf(err, errcap, "%s:%d: unknown setting %s", path, lineno, key);
			goto fail;
		}
		free(vals[idx]);
		vals[idx] = gw_xstrdup(val);
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	return -1;
}

static int
read_env(char **environ_, char **vals, char *err, size_t errcap)
{
	for (char **e = environ_; e && *e; e++)
	{
		const char *eq = strchr(*e, '=');
		bool		matched = false;
		char		name[128];
		size_t		nlen;

		if (eq == NULL)
			continue;
		nlen = (size_t) (eq - *e);
		if (!(nlen > 6 && strncmp(*e, "PGRST_", 6) == 0) &&
			!(nlen > 19 && strncmp(*e, "BIGPICTURE_GATEWAY_", 19) == 0))
			continue;
		for (size_t i = 0; i < N_SETTINGS; i++)
		{
			env_name(&settings[i], name, sizeof name);
			if (strlen(name) == nlen && strncmp(name, *e, nlen) == 0)
			{
				free(vals[i]);
				vals[i] = gw_xstrdup(eq + 1);
				matched = true;
				break;
			}
		}
		if (!matched)
		{
			/* PGRST_APP_SETTINGS_X -> app-settings-x */
			char		lower[128];
			size_t		o = 0;

			if (strncmp(*e, "PGRST_", 6) == 0)
				for (const char *p = *e + 6; p < eq && o + 1 < sizeof lower; p++)
					lower[o++] = *p == '_' ? '-' : (char) tolower((unsigned char) *p);
			lower[o] = '\0';
			if (o > 0 && is_ignored(lower))
				fprintf(stderr, "bigpicture-gateway: warning: PostgREST setting %.*s is not supported by the gateway, ignored\n", (int) nlen, *e);
			else
			{
				snprintf(err, errcap, "unknown setting %.*s in the environment", (int) (nlen > 100 ? 100 : nlen), *e);
				return -1;
			}
		}
	}
	return 0;
}

static int
parse_int(const char *name, const char *v, long lo, long hi, int *out, char *err, size_t errcap)
{
	char	   *end;
	long		x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *trim(end) != '\0' || x < lo || x > hi)
	{
		snprintf(err, errcap, "%s must be an integer from %ld to %ld, got \"%.60s\"", name, lo, hi, v);
		return -1;
	}
	*out = (int) x;
	return 0;
}

static int
parse_bool(const char *name, const char *v, bool *out, char *err, size_t errcap)
{
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on") || !strcasecmp(v, "yes"))
		*out = true;
	else if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off") || !strcasecmp(v, "no"))
		*out = false;
	else
	{
		snprintf(err, errcap, "%s must be true or false, got \"%.60s\"", name, v);
		return -1;
	}
	return 0;
}

/* Split "a, b,c" into trimmed, non-empty names (at most GW_MAX_SCHEMAS). */
static int
parse_list(const char *name, const char *v, char **out, int *n, bool allow_empty, char *err, size_t errcap)
{
	char	   *copy = gw_xstrdup(v),
			   *save = NULL;

	*n = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
	{
		char	   *t = trim(tok);

		if (*t == '\0')
			continue;
		if (*n == GW_MAX_SCHEMAS)
		{
			snprintf(err, errcap, "%s lists more than %d names", name, GW_MAX_SCHEMAS);
			free(copy);
			return -1;
		}
		out[(*n)++] = gw_xstrdup(t);
	}
	free(copy);
	if (*n == 0 && !allow_empty)
	{
		snprintf(err, errcap, "%s must name at least one", name);
		return -1;
	}
	return 0;
}

/* "fn" or "schema.fn", each part optionally double-quoted. */
static int
parse_qualified(const char *name, const char *v, char **schema, char **fn, char *err, size_t errcap)
{
	char		part[2][256];
	int			n = 0;
	const char *p = v;

	while (*p && n < 2)
	{
		size_t		k = 0;

		if (*p == '"')
		{
			p++;
			while (*p && *p != '"' && k + 1 < sizeof part[0])
				part[n][k++] = *p++;
			if (*p != '"')
				goto bad;
			p++;
		}
		else
			while (*p && *p != '.' && k + 1 < sizeof part[0])
				part[n][k++] = *p++;
		part[n][k] = '\0';
		if (k == 0)
			goto bad;
		n++;
		if (*p == '.')
			p++;
		else if (*p)
			goto bad;
	}
	if (*p || n == 0)
		goto bad;
	*schema = n == 2 ? gw_xstrdup(part[0]) : NULL;
	*fn = gw_xstrdup(part[n - 1]);
	return 0;
bad:
	snprintf(err, errcap, "%s must be a function name or schema.function, got \"%.60s\"", name, v);
	return -1;
}

/*
 * jwt-secret = "@/path": the secret is the file's content, one trailing
 * newline removed, as PostgREST reads it; it is then read like any secret
 * (raw, base64 with jwt-secret-is-base64, a JWK or a JWKS).  A file that
 * cannot be read, or is empty, is a startup error.
 */
static char *
read_secret_file(const char *path, size_t *len, char *err, size_t errcap)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	size_t		n = 0;
	struct stat st;

	if (f == NULL)
	{
		snprintf(err, errcap, "jwt-secret: cannot read the secret file %.200s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > 1024 * 1024)
	{
		fclose(f);
		snprintf(err, errcap, "jwt-secret: the secret file %.200s is not a regular file of at most 1 MiB", path);
		return NULL;
	}
	buf = gw_xmalloc((size_t) st.st_size + 1);
	n = fread(buf, 1, (size_t) st.st_size, f);
	if (ferror(f))
	{
		fclose(f);
		free(buf);
		snprintf(err, errcap, "jwt-secret: cannot read the secret file %.200s", path);
		return NULL;
	}
	fclose(f);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	if (n == 0)
	{
		free(buf);
		snprintf(err, errcap, "jwt-secret: the secret file %.200s is empty", path);
		return NULL;
	}
	*len = n;
	return buf;
}

static bool
set(const char *v)
{
	return v != NULL && *v != '\0';
}

/*
 * The tls-* settings.  Only their shape is checked here; the files are read
 * (and re-read on SIGHUP) by tls.c, which refuses to start on a bad one.
 */
static int
parse_tls(gw_config *cfg, const char *cert, const char *key, const char *ca, const char *auth,
		  const char *routes, const char *roles, const char *role, const char *cn_claim,
		  char *err, size_t errcap)
{
	if (set(cert) != set(key))
	{
		snprintf(err, errcap, "tls-cert-file and tls-key-file go together: set both or neither");
		return -1;
	}
	if (set(cert))
	{
		cfg->tls_cert_file = gw_xstrdup(cert);
		cfg->tls_key_file = gw_xstrdup(key);
	}
	if (set(ca))
	{
		if (!set(cert))
		{
			snprintf(err, errcap, "tls-client-ca-file needs TLS: set tls-cert-file and tls-key-file too");
			return -1;
		}
		cfg->tls_client_ca_file = gw_xstrdup(ca);
	}
	cfg->tls_client_auth = set(ca) ? GW_TLS_CLIENT_OPTIONAL : GW_TLS_CLIENT_OFF;
	if (set(auth))
	{
		if (strcmp(auth, "off") == 0)
			cfg->tls_client_auth = GW_TLS_CLIENT_OFF;
		else if (strcmp(auth, "optional") == 0)
			cfg->tls_client_auth = GW_TLS_CLIENT_OPTIONAL;
		else if (strcmp(auth, "required") == 0)
			cfg->tls_client_auth = GW_TLS_CLIENT_REQUIRED;
		else
		{
			snprintf(err, errcap, "tls-client-auth must be off, optional or required, got \"%.60s\"", auth);
			return -1;
		}
	}
	if (cfg->tls_client_auth != GW_TLS_CLIENT_OFF && !set(ca))
	{
		snprintf(err, errcap, "tls-client-auth = %s needs tls-client-ca-file, the CA that client certificates must chain to",
				 auth);
		return -1;
	}
	if (parse_list("tls-client-required-routes", routes, cfg->tls_required_routes,
				   &cfg->n_tls_required_routes, true, err, errcap) < 0 ||
		parse_list("tls-client-required-roles", roles, cfg->tls_required_roles,
				   &cfg->n_tls_required_roles, true, err, errcap) < 0)
		return -1;
	for (int i = 0; i < cfg->n_tls_required_routes; i++)
		if (cfg->tls_required_routes[i][0] != '/')
		{
			snprintf(err, errcap, "tls-client-required-routes lists paths like /rpc/lease, got \"%.60s\"",
					 cfg->tls_required_routes[i]);
			return -1;
		}
	if ((cfg->n_tls_required_routes > 0 || cfg->n_tls_required_roles > 0 || set(role) || set(cn_claim)) &&
		cfg->tls_client_auth == GW_TLS_CLIENT_OFF)
	{
		snprintf(err, errcap, "tls-client-required-routes, -required-roles, tls-client-role and tls-client-cn-claim "
				 "need client certificates: set tls-client-ca-file");
		return -1;
	}
	if (set(role))
		cfg->tls_client_role = gw_xstrdup(role);
	if (set(cn_claim))
	{
		if (strcmp(cn_claim, "install_id") != 0 && strcmp(cn_claim, "tenant_id") != 0)
		{
			snprintf(err, errcap, "tls-client-cn-claim must be install_id or tenant_id, got \"%.60s\"", cn_claim);
			return -1;
		}
		cfg->tls_client_cn_claim = gw_xstrdup(cn_claim);
	}
	return 0;
}

int
gw_config_load(gw_config *cfg, const char *path, char **environ_, char *err, size_t errcap)
{
	char	   *vals[N_SETTINGS] = {0};
	int			rc = -1;
	int			tmp;
	bool		b64 = false;

#define V(name) vals[find_setting(name)]
	memset(cfg, 0, sizeof *cfg);
	if (path && read_file(path, vals, err, errcap) < 0)
		goto done;
	if (read_env(environ_, vals, err, errcap) < 0)
		goto done;
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (vals[i] == NULL && settings[i].dflt)
			vals[i] = gw_xstrdup(settings[i].dflt);

	cfg->db_uri = gw_xstrdup(V("db-uri"));
	if (V("db-schema") && strcmp(V("db-schemas"), "public") == 0)
	{
		free(V("db-schemas"));
		V("db-schemas") = gw_xstrdup(V("db-schema"));
	}
	if (parse_list("db-schemas", V("db-schemas"), cfg->schemas, &cfg->n_schemas, false, err, errcap) < 0 ||
		parse_list("db-extra-search-path", V("db-extra-search-path"), cfg->extra_search_path,
				   &cfg->n_extra_search_path, true, err, errcap) < 0)
		goto done;
	if (V("db-anon-role") && *V("db-anon-role"))
		cfg->anon_role = gw_xstrdup(V("db-anon-role"));
	if (parse_bool("jwt-secret-is-base64", V("jwt-secret-is-base64"), &b64, err, errcap) < 0)
		goto done;
	if (V("jwt-secret") && *V("jwt-secret"))
	{
		char		kerr[256];
		const char *sec = V("jwt-secret");
		size_t		slen = strlen(sec);
		char	   *fromfile = NULL;
		int			krc;

		if (sec[0] == '@')
		{
			fromfile = read_secret_file(sec + 1, &slen, err, errcap);
			if (fromfile == NULL)
				goto done;
			sec = fromfile;
		}
		krc = gw_jwt_keys_load(sec, slen, b64, &cfg->jwt_keys, kerr, sizeof kerr);
		if (fromfile)
		{
			memset(fromfile, 0, slen);
			free(fromfile);
		}
		if (krc < 0)
		{
			snprintf(err, errcap, "jwt-secret: %s", kerr);
			goto done;
		}
		cfg->have_jwt_secret = true;
	}
	if (V("jwt-aud") && *V("jwt-aud"))
		cfg->jwt_aud = gw_xstrdup(V("jwt-aud"));
	if (V("role-claim-key") && strcmp(V("jwt-role-claim-key"), ".role") == 0)
	{
		free(V("jwt-role-claim-key"));
		V("jwt-role-claim-key") = gw_xstrdup(V("role-claim-key"));
	}
	if (gw_jspath_parse(V("jwt-role-claim-key"), &cfg->role_claim) < 0)
	{
		snprintf(err, errcap, "jwt-role-claim-key must be a path like .role, .\"https://example.org/role\" or .roles[0], got \"%.60s\"",
				 V("jwt-role-claim-key"));
		goto done;
	}
	if (parse_int("db-pool", V("db-pool"), 1, 1000, &cfg->db_pool, err, errcap) < 0 ||
		parse_int("db-pool-acquisition-timeout", V("db-pool-acquisition-timeout"), 1, 3600,
				  &cfg->pool_acquisition_timeout_s, err, errcap) < 0 ||
		parse_int("server-port", V("server-port"), 0, 65535, &cfg->server_port, err, errcap) < 0)
		goto done;
	cfg->server_host = gw_xstrdup(V("server-host"));
	if (V("admin-server-port") && *V("admin-server-port"))
	{
		if (parse_int("admin-server-port", V("admin-server-port"), 1, 65535, &cfg->admin_server_port, err, errcap) < 0)
			goto done;
		if (cfg->admin_server_port == cfg->server_port)
		{
			snprintf(err, errcap, "admin-server-port must differ from server-port");
			goto done;
		}
	}
	cfg->admin_server_host = gw_xstrdup(V("admin-server-host") ? V("admin-server-host") : cfg->server_host);
	if (V("db-root-spec") && *V("db-root-spec") &&
		parse_qualified("db-root-spec", V("db-root-spec"), &cfg->root_spec_schema, &cfg->root_spec, err, errcap) < 0)
		goto done;
	if (V("db-pre-request") && *V("db-pre-request") &&
		parse_qualified("db-pre-request", V("db-pre-request"), &cfg->pre_request_schema, &cfg->pre_request, err, errcap) < 0)
		goto done;
	{
		static const char *const levels[] = {"crit", "error", "warn", "info", "debug"};
		bool		found = false;

		for (int i = 0; i < 5; i++)
			if (strcmp(V("log-level"), levels[i]) == 0)
			{
				cfg->log_level = (gw_log_level) i;
				found = true;
			}
		if (!found)
		{
			snprintf(err, errcap, "log-level must be one of crit, error, warn, info, debug, got \"%.60s\"", V("log-level"));
			goto done;
		}
	}
	cfg->db_channel = gw_xstrdup(V("db-channel"));
	if (parse_bool("db-channel-enabled", V("db-channel-enabled"), &cfg->db_channel_enabled, err, errcap) < 0)
		goto done;
	if (parse_int("BIGPICTURE_GATEWAY_MAX_BODY", V("max-body"), 0, INT_MAX, &tmp, err, errcap) < 0)
		goto done;
	cfg->max_body = (size_t) tmp;
	if (parse_int("BIGPICTURE_GATEWAY_STATEMENT_TIMEOUT", V("statement-timeout"), 0, INT_MAX,
				  &cfg->statement_timeout_ms, err, errcap) < 0 ||
		parse_int("BIGPICTURE_GATEWAY_CONNECTION_TIMEOUT", V("connection-timeout"), 1, 86400,
				  &cfg->connection_timeout_s, err, errcap) < 0 ||
		parse_int("BIGPICTURE_GATEWAY_SHUTDOWN_TIMEOUT", V("shutdown-timeout"), 0, 86400,
				  &cfg->shutdown_timeout_s, err, errcap) < 0 ||
		parse_bool("BIGPICTURE_GATEWAY_JWT_REQUIRE_EXP", V("jwt-require-exp"), &cfg->jwt_require_exp, err, errcap) < 0)
		goto done;
	if (parse_tls(cfg, V("tls-cert-file"), V("tls-key-file"), V("tls-client-ca-file"), V("tls-client-auth"),
				  V("tls-client-required-routes"), V("tls-client-required-roles"), V("tls-client-role"),
				  V("tls-client-cn-claim"), err, errcap) < 0)
		goto done;
	rc = 0;
done:
	for (size_t i = 0; i < N_SETTINGS; i++)
	{
		if (vals[i] && strcmp(settings[i].name, "jwt-secret") == 0)
			memset(vals[i], 0, strlen(vals[i]));
		free(vals[i]);
	}
	if (rc < 0)
		gw_config_free(cfg);
	return rc;
#undef V
}

void
gw_config_free(gw_config *cfg)
{
	free(cfg->db_uri);
	for (int i = 0; i < cfg->n_schemas; i++)
		free(cfg->schemas[i]);
	for (int i = 0; i < cfg->n_extra_search_path; i++)
		free(cfg->extra_search_path[i]);
	free(cfg->anon_role);
	gw_jwt_keys_free(&cfg->jwt_keys);
	free(cfg->jwt_aud);
	gw_jspath_free(&cfg->role_claim);
	free(cfg->server_host);
	free(cfg->admin_server_host);
	free(cfg->root_spec_schema);
	free(cfg->root_spec);
	free(cfg->pre_request_schema);
	free(cfg->pre_request);
	free(cfg->db_channel);
	free(cfg->tls_cert_file);
	free(cfg->tls_key_file);
	free(cfg->tls_client_ca_file);
	for (int i = 0; i < cfg->n_tls_required_routes; i++)
		free(cfg->tls_required_routes[i]);
	for (int i = 0; i < cfg->n_tls_required_roles; i++)
		free(cfg->tls_required_roles[i]);
	free(cfg->tls_client_role);
	free(cfg->tls_client_cn_claim);
	memset(cfg, 0, sizeof *cfg);
}
