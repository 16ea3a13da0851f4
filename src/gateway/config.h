/*
 * config.h — the gateway's settings, under PostgREST's names.
 *
 * Read once at start from an optional PostgREST-style file (argv[1],
 * `db-uri = "..."` lines) and then the environment (PGRST_DB_URI, ...), the
 * environment winning as in PostgREST.  Anything unknown or invalid is a
 * startup error: main() prints it and exits with status 2.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "jwt.h"

#define GW_MAX_SCHEMAS 16

typedef enum gw_log_level
{
	GW_LOG_CRIT = 0,
	GW_LOG_ERROR,
	GW_LOG_WARN,
	GW_LOG_INFO,
	GW_LOG_DEBUG
} gw_log_level;

typedef enum gw_tls_client_auth
{
	GW_TLS_CLIENT_OFF = 0,		/* no client certificates asked for */
	GW_TLS_CLIENT_OPTIONAL,		/* asked for; verified when sent */
	GW_TLS_CLIENT_REQUIRED		/* every request on the main port needs one */
} gw_tls_client_auth;

typedef struct gw_config
{
	char	   *db_uri;
	char	   *schemas[GW_MAX_SCHEMAS];	/* first is the default */
	int			n_schemas;
	char	   *extra_search_path[GW_MAX_SCHEMAS];
	int			n_extra_search_path;
	char	   *anon_role;		/* NULL: anonymous access disabled */
	bool		have_jwt_secret;
	gw_jwt_keys jwt_keys;
	char	   *jwt_aud;		/* NULL: any audience */
	gw_jspath	role_claim;
	int			db_pool;
	int			pool_acquisition_timeout_s;
	char	   *server_host;
	int			server_port;
	int			admin_server_port;	/* 0: no admin server */
	char	   *admin_server_host;
	char	   *root_spec_schema;	/* NULL: the request's schema */
	char	   *root_spec;		/* NULL: generated OpenAPI document */
	char	   *pre_request_schema;
	char	   *pre_request;
	gw_log_level log_level;
	char	   *db_channel;
	bool		db_channel_enabled;
	/* bigpicture-gateway's own settings */
	size_t		max_body;
	int			statement_timeout_ms;	/* 0: none */
	int			connection_timeout_s;
	int			shutdown_timeout_s;
	bool		jwt_require_exp;	/* refuse tokens without "exp" */
	/* TLS on the main port (tls.c); NULL cert file: plain HTTP */
	char	   *tls_cert_file;
	char	   *tls_key_file;
	char	   *tls_client_ca_file;
	gw_tls_client_auth tls_client_auth;
	char	   *tls_required_routes[GW_MAX_SCHEMAS];	/* "/rpc/lease" */
	int			n_tls_required_routes;
	char	   *tls_required_roles[GW_MAX_SCHEMAS];
	int			n_tls_required_roles;
	char	   *tls_client_role;	/* role of a request with a certificate and no JWT */
	char	   *tls_client_cn_claim;	/* claim the subject's CN supplies, or NULL */
} gw_config;

/*
 * Fill cfg from the file at path (may be NULL) and the environment.  Returns
 * 0, or -1 with a one-line message in err.
 */
int			gw_config_load(gw_config *cfg, const char *path, char **environ_, char *err, size_t errcap);
void		gw_config_free(gw_config *cfg);

#endif							/* GW_CONFIG_H */
