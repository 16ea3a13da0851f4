/*
 * main.c — bigpicture-gateway: a PostgREST-compatible RPC server.
 *
 *   bigpicture-gateway [config-file]
 *
 * Settings come from the file and the PGRST_* / BIGPICTURE_GATEWAY_*
 * environment (config.h).  Signals are handled synchronously here with
 * sigwait, after blocking them in every thread: SIGUSR1 reloads the schema
 * cache, SIGHUP re-reads the TLS certificate, key and client CA files,
 * SIGTERM and SIGINT stop gracefully.
 */
#include "buf.h"
#include "config.h"
#include "listener.h"
#include "log.h"
#include "pool.h"
#include "schema_cache.h"
#include "server.h"
#include "tls.h"

#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int
main(int argc, char **argv)
{
	gw_config	cfg;
	char		err[512];
	sigset_t	sigs;
	gw_pool    *pool;
	gw_server  *server;
	int			sig = 0;

	if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))))
	{
		fprintf(stderr, "usage: bigpicture-gateway [config-file]\n"
				"Settings: PostgREST's (PGRST_DB_URI, PGRST_DB_SCHEMAS, PGRST_JWT_SECRET, ...);\n"
				"see docs/gateway.md.\n");
		return argc == 2 ? 0 : 2;
	}
	if (gw_config_load(&cfg, argc == 2 ? argv[1] : NULL, environ, err, sizeof err) < 0)
	{
		fprintf(stderr, "bigpicture-gateway: configuration error: %s\n", err);
		return 2;
	}
	gw_log_set_level(cfg.log_level);
	if (gw_tls_load(&cfg, err, sizeof err) < 0)
	{
		fprintf(stderr, "bigpicture-gateway: configuration error: %s\n", err);
		gw_config_free(&cfg);
		return 2;
	}

	/* every thread created from here on inherits the blocked set */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	pool = gw_pool_create(cfg.db_uri, cfg.db_pool);
	if (gw_listener_start(&cfg, pool) < 0)
	{
		fprintf(stderr, "bigpicture-gateway: cannot start the listener thread\n");
		return 1;
	}
	server = gw_server_start(&cfg, pool, err, sizeof err);
	if (server == NULL)
	{
		fprintf(stderr, "bigpicture-gateway: %s\n", err);
		gw_listener_stop();
		gw_pool_destroy(pool);
		gw_config_free(&cfg);
		return 1;
	}
	gw_log(GW_LOG_CRIT > cfg.log_level ? GW_LOG_CRIT : GW_LOG_INFO,
		   "listening on %s port %d%s", cfg.server_host, cfg.server_port,
		   cfg.admin_server_port ? " (admin server on its own port)" : "");
	/* a line that scripts can wait for, whatever the log level */
	fprintf(stderr, "bigpicture-gateway: listening on port %d%s\n", cfg.server_port,
			cfg.tls_cert_file ? " (TLS)" : "");
	fflush(stderr);

	for (;;)
	{
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGUSR1)
		{
			gw_log(GW_LOG_INFO, "SIGUSR1: reloading the schema cache");
			gw_listener_request_reload();
			continue;
		}
		if (sig == SIGHUP)
		{
			/* PostgREST reloads its config here; we re-read only the TLS files */
			if (cfg.tls_cert_file == NULL)
				continue;
			/* the stderr lines are for scripts to wait for, whatever the log level */
			if (gw_tls_reload(err, sizeof err) < 0)
			{
				gw_log(GW_LOG_ERROR, "SIGHUP: TLS files not reloaded, the old ones stay in use: %s", err);
				fprintf(stderr, "bigpicture-gateway: TLS reload failed: %s\n", err);
			}
			else
			{
				gw_log(GW_LOG_INFO, "SIGHUP: TLS certificate, key and client CA reloaded");
				fprintf(stderr, "bigpicture-gateway: TLS reloaded\n");
			}
			fflush(stderr);
			continue;
		}
		break;
	}
	gw_log(GW_LOG_INFO, "shutting down: finishing requests in flight");
	gw_server_stop(server);
	gw_listener_stop();
	gw_pool_destroy(pool);
	gw_schema_cache_shutdown();
	gw_tls_shutdown();
	gw_config_free(&cfg);
	fprintf(stderr, "bigpicture-gateway: stopped\n");
	return 0;
}
