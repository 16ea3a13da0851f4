/*
 * listener.c — see listener.h.
 */
#include "listener.h"

#include "buf.h"
#include "log.h"
#include "schema_cache.h"
#include "tx.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_t thread;
static bool started;
static atomic_bool stop_requested;
static atomic_bool reload_requested;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cond = PTHREAD_COND_INITIALIZER;
static const gw_config *config;
static gw_pool *pool;

/* Sleep up to ms, waking early on stop. */
static void
nap(int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long) (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L)
	{
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sleep_lock);
	if (!atomic_load(&stop_requested))
		pthread_cond_timedwait(&sleep_cond, &sleep_lock, &until);
	pthread_mutex_unlock(&sleep_lock);
}

static bool
reload(PGconn *conn)
{
	char		err[512];
	gw_schema_cache *c = gw_schema_cache_load(conn, config->schemas, config->n_schemas, err, sizeof err);

	if (c == NULL)
	{
		gw_log(GW_LOG_ERROR, "%s", err);
		return false;
	}
	gw_schema_cache_install(c);
	gw_log(GW_LOG_INFO, "schema cache loaded");
	return true;
}

static void *
run(void *arg)
{
	int			backoff_ms = 250;

	(void) arg;
	while (!atomic_load(&stop_requested))
	{
		char		err[512];
		PGconn	   *conn = gw_pool_connect(pool, err, sizeof err);

		if (conn == NULL)
		{
			gw_log(GW_LOG_ERROR, "database connection failed, retrying in %d ms: %s", backoff_ms, err);
			nap(backoff_ms);
			backoff_ms = backoff_ms < 4000 ? backoff_ms * 2 : 4000;
			continue;
		}
		backoff_ms = 250;
		/* a standby refuses LISTEN, and its primary's NOTIFYs never reach it */
		if (config->db_channel_enabled && gw_tx_conn_in_hot_standby(conn))
			gw_log(GW_LOG_WARN, "the database is a hot standby: no LISTEN %s; reload the schema cache with SIGUSR1",
				   config->db_channel);
		else if (config->db_channel_enabled)
		{
			char	   *chan = PQescapeIdentifier(conn, config->db_channel, strlen(config->db_channel));
			gw_buf		sql = GW_BUF_INIT;
			PGresult   *res;

			gw_buf_printf(&sql, "LISTEN %s", chan ? chan : "pgrst");
			PQfreemem(chan);
			res = PQexec(conn, sql.data);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				gw_log(GW_LOG_ERROR, "LISTEN failed: %s", PQerrorMessage(conn));
			PQclear(res);
			gw_buf_free(&sql);
		}
		atomic_store(&reload_requested, false);
		if (!reload(conn))
		{
			PQfinish(conn);
			nap(1000);
			continue;
		}
		while (!atomic_load(&stop_requested))
		{
			struct pollfd pfd = {.fd = PQsocket(conn),.events = POLLIN};
			PGnotify   *note;
			bool		want = atomic_exchange(&reload_requested, false);

			if (want && !reload(conn) && PQstatus(conn) != CONNECTION_OK)
				break;
			if (pfd.fd < 0)
				break;
			if (poll(&pfd, 1, 200) > 0 && !PQconsumeInput(conn))
			{
				gw_log(GW_LOG_ERROR, "listener connection lost: %s", PQerrorMessage(conn));
				break;
			}
			while ((note = PQnotifies(conn)) != NULL)
			{
				if (note->extra[0] == '\0' || strcmp(note->extra, "reload schema") == 0)
					atomic_store(&reload_requested, true);
				PQfreemem(note);
			}
		}
		PQfinish(conn);
	}
	return NULL;
}

int
gw_listener_start(const gw_config *cfg, gw_pool *p)
{
	config = cfg;
	pool = p;
	atomic_store(&stop_requested, false);
	if (pthread_create(&thread, NULL, run, NULL) != 0)
		return -1;
	started = true;
	return 0;
}

void
gw_listener_request_reload(void)
{
	atomic_store(&reload_requested, true);
}

void
gw_listener_stop(void)
{
	if (!started)
		return;
	atomic_store(&stop_requested, true);
	pthread_mutex_lock(&sleep_lock);
	pthread_cond_broadcast(&sleep_cond);
	pthread_mutex_unlock(&sleep_lock);
	pthread_join(thread, NULL);
	started = false;
}
