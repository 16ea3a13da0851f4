/*
 * pool.c — see pool.h.  One mutex guards the busy flags; connecting and
 * querying happen outside it, by the slot's current owner only.
 */
#include "pool.h"

#include "buf.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The statements prepared on one connection, by SQL text.  PostgREST
 * prepares its statements too (db-prepared-statements): an unnamed statement
 * is parsed and planned again on every request.  Prepared statements belong
 * to the session, not the transaction, so a rolled-back request keeps them;
 * a new connection starts with none.
 */
#define GW_POOL_STATEMENTS 32

typedef struct stmt_cache
{
	char	   *sql[GW_POOL_STATEMENTS];
	int			n;
} stmt_cache;

struct gw_pool
{
	char	   *conninfo;
	int			size;
	PGconn	  **conns;
	stmt_cache *stmts;			/* per slot, for its current connection */
	bool	   *busy;
	pthread_mutex_t lock;
	pthread_cond_t freed;
};

/* Close the slot's connection, forgetting what was prepared on it. */
static void
close_conn(gw_pool *p, int slot)
{
	stmt_cache *c = &p->stmts[slot];

	if (p->conns[slot])
		PQfinish(p->conns[slot]);
	p->conns[slot] = NULL;
	for (int i = 0; i < c->n; i++)
		free(c->sql[i]);
	c->n = 0;
}

gw_pool *
gw_pool_create(const char *conninfo, int size)
{
	gw_pool    *p = gw_xcalloc(1, sizeof *p);
	pthread_condattr_t attr;

	p->conninfo = gw_xstrdup(conninfo);
	p->size = size;
	p->conns = gw_xcalloc((size_t) size, sizeof *p->conns);
	p->stmts = gw_xcalloc((size_t) size, sizeof *p->stmts);
	p->busy = gw_xcalloc((size_t) size, sizeof *p->busy);
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->freed, &attr);
	pthread_condattr_destroy(&attr);
	return p;
}

void
gw_pool_destroy(gw_pool *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->size; i++)
		close_conn(p, i);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p->conns);
	free(p->stmts);
	free(p->busy);
	free(p->conninfo);
	free(p);
}

int
gw_pool_acquire(gw_pool *p, int timeout_ms)
{
	struct timespec deadline;
	int			slot = -1;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L)
	{
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	for (;;)
	{
		/* prefer a slot that is already connected */
		for (int i = 0; i < p->size && slot < 0; i++)
			if (!p->busy[i] && p->conns[i])
				slot = i;
		for (int i = 0; i < p->size && slot < 0; i++)
			if (!p->busy[i])
				slot = i;
		if (slot >= 0)
		{
			p->busy[slot] = true;
			break;
		}
		if (pthread_cond_timedwait(&p->freed, &p->lock, &deadline) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&p->lock);
	return slot;
}

PGconn *
gw_pool_connect(gw_pool *p, char *err, size_t errcap)
{
	/* expand_dbname lets db-uri be a URI or a keyword=value string */
	const char *keys[] = {"dbname", "fallback_application_name", "connect_timeout", NULL};
	const char *vals[] = {p->conninfo, "bigpicture-gateway", "5", NULL};
	PGconn	   *c = PQconnectdbParams(keys, vals, 1);

	if (c == NULL || PQstatus(c) != CONNECTION_OK)
	{
		const char *m = c ? PQerrorMessage(c) : "out of memory";
		size_t		n = strlen(m);

		while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		snprintf(err, errcap, "%.*s", (int) n, m);
		PQfinish(c);
		return NULL;
	}
	return c;
}

PGconn *
gw_pool_conn(gw_pool *p, int slot, char *err, size_t errcap)
{
	if (p->conns[slot] && PQstatus(p->conns[slot]) != CONNECTION_OK)
		close_conn(p, slot);
	if (p->conns[slot] == NULL)
		p->conns[slot] = gw_pool_connect(p, err, errcap);
	return p->conns[slot];
}

void
gw_pool_discard(gw_pool *p, int slot)
{
	close_conn(p, slot);
}

int
gw_pool_statement(gw_pool *p, int slot, const char *sql, bool *prepared)
{
	stmt_cache *c = &p->stmts[slot];
	int			free_entry = -1;

	for (int i = 0; i < c->n; i++)
	{
		if (c->sql[i] == NULL)
		{
			if (free_entry < 0)
				free_entry = i;
		}
		else if (strcmp(c->sql[i], sql) == 0)
		{
			*prepared = true;
			return i;
		}
	}
	*prepared = false;
	if (free_entry < 0)
	{
		if (c->n == GW_POOL_STATEMENTS)
			return -1;
		free_entry = c->n++;
	}
	c->sql[free_entry] = gw_xstrdup(sql);
	return free_entry;
}

void
gw_pool_statement_failed(gw_pool *p, int slot, int index)
{
	stmt_cache *c = &p->stmts[slot];

	/* The entry's name was never prepared, so it may be used again. */
	if (index >= 0 && index < c->n)
	{
		free(c->sql[index]);
		c->sql[index] = NULL;
	}
}

bool
gw_pool_ping(gw_pool *p)
{
	const char *keys[] = {"dbname", "connect_timeout", NULL};
	const char *vals[] = {p->conninfo, "2", NULL};

	return PQpingParams(keys, vals, 1) == PQPING_OK;
}

void
gw_pool_release(gw_pool *p, int slot, bool broken)
{
	if (slot < 0)
		return;
	if (broken)
		close_conn(p, slot);
	pthread_mutex_lock(&p->lock);
	p->busy[slot] = false;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}
