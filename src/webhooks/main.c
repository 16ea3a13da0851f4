/*
 * main.c — bigpicture-webhooks [CONFIG_FILE]: deliver the outbox's events
 * to webhook subscriptions until SIGTERM or SIGINT (docs/events.md).
 *
 * The loop: LISTEN bigpicture_events wakes it at every commit that wrote
 * events, and every poll-ms it looks for retries that came due.  It claims
 * the next events of subscriptions it is not already posting to, posts
 * each subscription's events one after the other (per-endpoint order), and
 * records every try in the database before the next.  Exit status: 0 on a
 * signal, 2 on a bad setting, 1 when it cannot go on.
 */
#include "webhooks.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

static volatile sig_atomic_t stopping = 0;
static wh_config cfg;
static PGconn *conn;
static wh_job **jobs;
static int	n_jobs;
static bool job_ended;			/* a job is done: its subscription may have more */

static void
on_signal(int sig)
{
	(void) sig;
	stopping = 1;
}

void
wh_log(const char *level, const char *fmt,...)
{
	char		msg[1024];
	char		when[32];
	time_t		t = time(NULL);
	struct tm	tm;
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",\"message\":\"", when, level);
	for (const char *p = msg; *p; p++)
	{
		if (*p == '"' || *p == '\\')
			fprintf(stderr, "\\%c", *p);
		else if ((unsigned char) *p < 0x20)
			fprintf(stderr, "\\u%04x", *p);
		else
			fputc(*p, stderr);
	}
	fputs("\"}\n", stderr);
	fflush(stderr);
}

/* ---- the database ----------------------------------------------------------------------------- */

/* Were notifications waiting in libpq's buffer?  They are consumed. */
static bool
took_notifies(void)
{
	PGnotify   *n;
	bool		any = false;

	while ((n = PQnotifies(conn)) != NULL)
	{
		any = true;
		PQfreemem(n);
	}
	return any;
}

static bool
connect_db(void)
{
	PGresult   *r;

	if (conn != NULL)
		PQfinish(conn);
	conn = PQconnectdb(cfg.db_uri);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		wh_log("error", "could not connect to the database: %s", PQerrorMessage(conn));
		return false;
	}
	r = PQexec(conn, "SET application_name = 'bigpicture-webhooks'; LISTEN bigpicture_events");
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		wh_log("error", "could not LISTEN bigpicture_events: %s", PQerrorMessage(conn));
		PQclear(r);
		return false;
	}
	PQclear(r);
	wh_log("info", "connected; worker %s", cfg.worker_id);
	return true;
}

static void
free_job(wh_job *job)
{
	wh_deliver_abandon(job);
	for (int i = 0; i < job->n_events; i++)
	{
		free(job->events[i].type);
		free(job->events[i].body);
	}
	for (int i = 0; i < job->n_secrets; i++)
	{
		sodium_memzero(job->secrets[i], strlen(job->secrets[i]));
		free(job->secrets[i]);
	}
	free(job->events);
	free(job->subscription_id);
	free(job->url);
	free(job);
}

static void
drop_job(wh_job *job)
{
	for (int i = 0; i < n_jobs; i++)
		if (jobs[i] == job)
		{
			jobs[i] = jobs[--n_jobs];
			break;
		}
	free_job(job);
	job_ended = true;
}

/* "{a,b}" of text[] without quotes or commas inside (whsec_ base64 has neither). */
static int
parse_secrets(const char *arr, char *out[2])
{
	int			n = 0;
	const char *p = arr;

	if (*p == '{')
		p++;
	while (*p && *p != '}' && n < 2)
	{
		const char *e = p + strcspn(p, ",}");

		out[n++] = strndup(p, (size_t) (e - p));
		p = *e == ',' ? e + 1 : e;
	}
	return n;
}

/* The next events of due subscriptions we are not posting to, as new jobs. */
static bool
claim(void)
{
	char		busy[65536];
	size_t		used = 0;
	char		limit[16];
	char		batch[16];
	char		hold[32];
	const char *params[5];
	PGresult   *r;
	int			rows;

	if (n_jobs >= cfg.max_in_flight)
		return true;
	busy[used++] = '{';
	for (int i = 0; i < n_jobs && used + strlen(jobs[i]->subscription_id) + 3 < sizeof(busy); i++)
		used += (size_t) snprintf(busy + used, sizeof(busy) - used, "%s%s", i ? "," : "", jobs[i]->subscription_id);
	busy[used++] = '}';
	busy[used] = '\0';
	snprintf(limit, sizeof(limit), "%d", cfg.max_in_flight - n_jobs);
	snprintf(batch, sizeof(batch), "%d", cfg.batch);
	snprintf(hold, sizeof(hold), "%d seconds", cfg.claim_seconds);
	params[0] = cfg.worker_id;
	params[1] = limit;
	params[2] = batch;
	params[3] = hold;
	params[4] = busy;
	r = PQexecParams(conn, "SELECT subscription_id, url, secrets, event_id, type, attempt, body "
					 "FROM bigpicture.webhook_claim($1, $2::int, $3::int, $4::interval, $5::text[])",
					 5, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		wh_log("error", "webhook_claim failed: %s", PQerrorMessage(conn));
		PQclear(r);
		return false;
	}
	rows = PQntuples(r);
	for (int i = 0; i < rows;)
	{
		wh_job	   *job = calloc(1, sizeof(*job));
		const char *sub = PQgetvalue(r, i, 0);
		int			n = 0;

		while (i + n < rows && strcmp(PQgetvalue(r, i + n, 0), sub) == 0)
			n++;
		job->subscription_id = strdup(sub);
		job->url = strdup(PQgetvalue(r, i, 1));
		job->n_secrets = parse_secrets(PQgetvalue(r, i, 2), job->secrets);
		job->events = calloc((size_t) n, sizeof(wh_event));
		job->n_events = n;
		for (int k = 0; k < n; k++)
		{
			job->events[k].event_id = strtoll(PQgetvalue(r, i + k, 3), NULL, 10);
			job->events[k].type = strdup(PQgetvalue(r, i + k, 4));
			job->events[k].attempt = atoi(PQgetvalue(r, i + k, 5));
			job->events[k].body = strdup(PQgetvalue(r, i + k, 6));
		}
		jobs = realloc(jobs, sizeof(*jobs) * (size_t) (n_jobs + 1));
		jobs[n_jobs++] = job;
		job->easy = NULL;
		i += n;
	}
	/* secrets are in the result: clear it before it is freed */
	for (int i = 0; i < rows; i++)
		sodium_memzero(PQgetvalue(r, i, 2), (size_t) PQgetlength(r, i, 2));
	PQclear(r);
	return true;
}

/* Exponential back-off with jitter: base * 2^(tries-1), capped, times 0.5 to 1. */
static int
backoff_ms(int attempt)
{
	double		d = cfg.retry_base_ms;

	for (int i = 1; i < attempt && d < cfg.retry_max_ms; i++)
		d *= 2;
	if (d > cfg.retry_max_ms)
		d = cfg.retry_max_ms;
	return (int) (d * (0.5 + 0.5 * ((double) randombytes_uniform(1000000) / 1000000.0)));
}

/* Record a try; the database's verdict (delivered, retry, dead, stale), or NULL when it is unreachable. */
static char *
record(wh_job *job, const wh_result *res)
{
	wh_event   *ev = &job->events[job->next];
	char		event_id[24];
	char		status[16];
	char		duration[16];
	char		retry[32];
	char		hold[32];
	const char *params[8];
	PGresult   *r;
	char	   *verdict = NULL;

	snprintf(event_id, sizeof(event_id), "%lld", (long long) ev->event_id);
	snprintf(status, sizeof(status), "%d", res->http_status);
	snprintf(duration, sizeof(duration), "%d", res->duration_ms);
	snprintf(retry, sizeof(retry), "%d milliseconds", backoff_ms(ev->attempt));
	params[0] = cfg.worker_id;
	params[1] = job->subscription_id;
	params[2] = event_id;
	params[3] = res->http_status ? status : NULL;
	params[4] = res->error[0] ? res->error : NULL;
	params[5] = duration;
	params[6] = retry;
	snprintf(hold, sizeof(hold), "%d seconds", cfg.claim_seconds);
	params[7] = hold;
	r = PQexecParams(conn, "SELECT bigpicture.webhook_record($1, $2, $3::bigint, $4::int, $5, $6::int, $7::interval, "
					 "$8::interval)", 8, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		verdict = strdup(PQgetvalue(r, 0, 0));
	else
		wh_log("error", "webhook_record failed: %s", PQerrorMessage(conn));
	PQclear(r);
	if (verdict && (cfg.verbose || strcmp(verdict, "delivered") != 0))
		wh_log(strcmp(verdict, "delivered") == 0 ? "info" : "warn",
			   "%s evt_%lld (%s) to %s, try %d: %s%s%s", verdict, (long long) ev->event_id, ev->type,
			   job->subscription_id, ev->attempt, res->http_status ? status : "no response",
			   res->error[0] ? ", " : "", res->error);
	return verdict;
}

/* Start the job's current event, recording at once a try that could not start. */
static void
start_next(wh_job *job)
{
	while (job->next < job->n_events)
	{
		wh_result	res;
		char	   *verdict;
		bool		go_on;

		if (wh_deliver_start(job, &res))
			return;
		verdict = record(job, &res);
		go_on = verdict && (strcmp(verdict, "dead") == 0);
		free(verdict);
		if (!go_on)
			break;
		job->next++;
	}
	drop_job(job);
}

/* After a finished try: on to the job's next event, or the job is done. */
static void
finished(wh_job *job, const wh_result *res)
{
	char	   *verdict = record(job, res);
	bool		go_on = verdict && (strcmp(verdict, "delivered") == 0 || strcmp(verdict, "dead") == 0);

	free(verdict);
	if (!go_on)
	{
		drop_job(job);			/* retry later (the database says when), or stale */
		return;
	}
	job->next++;
	start_next(job);
}

int
main(int argc, char **argv)
{
	char		error[1024];
	int64_t		next_poll = 0;
	bool		woken = true;
	int			reconnect_ms = 500;

	if (argc > 2 || (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)))
	{
		fprintf(stderr, "usage: bigpicture-webhooks [CONFIG_FILE]\n"
				"Delivers bigpicture's events to webhook subscriptions (docs/events.md).\n");
		return argc == 2 ? 0 : 2;
	}
	if (!wh_config_load(&cfg, argc == 2 ? argv[1] : NULL, error, sizeof(error)))
	{
		fprintf(stderr, "bigpicture-webhooks: %s\n", error);
		return 2;
	}
	if (sodium_init() < 0 || !wh_deliver_init(&cfg))
	{
		fprintf(stderr, "bigpicture-webhooks: could not initialise libsodium or libcurl\n");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);

	while (!stopping)
	{
		wh_result	res;
		wh_job	   *job;
		int			wait_ms;

		if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		{
			/* what was in flight cannot be recorded: its claims run out and it is posted again */
			while (n_jobs > 0)
				drop_job(jobs[0]);
			if (!connect_db())
			{
				usleep((useconds_t) reconnect_ms * 1000);
				reconnect_ms = reconnect_ms < 30000 ? reconnect_ms * 2 : 30000;
				continue;
			}
			reconnect_ms = 500;
			woken = true;
		}
		if (woken || wh_now_ms() >= next_poll)
		{
			int			before = n_jobs;

			woken = false;
			next_poll = wh_now_ms() + cfg.poll_ms;
			if (!claim())
				continue;
			for (int i = n_jobs - 1; i >= before; i--)
				start_next(jobs[i]);
		}
		/*
		 * A notification that came in with the answer to a claim or a record
		 * is in libpq's buffer already, and the socket will not wake us for
		 * it: look before waiting.
		 */
		woken |= took_notifies();
		wait_ms = woken ? 0 : (int) (next_poll - wh_now_ms());
		wh_deliver_wait(PQsocket(conn), wait_ms < 0 ? 0 : wait_ms);
		if (PQconsumeInput(conn))
			woken |= took_notifies();
		job_ended = false;
		while ((job = wh_deliver_done(&res)) != NULL)
			finished(job, &res);
		if (job_ended)
			woken = true;
	}
	/* Finish and record the tries in flight (each ends within timeout-ms); start no other. */
	wh_log("info", "stopping: finishing %d tries in flight", n_jobs);
	for (int64_t until = wh_now_ms() + cfg.timeout_ms + 1000; n_jobs > 0 && wh_now_ms() < until
		 && PQstatus(conn) == CONNECTION_OK;)
	{
		wh_result	res;
		wh_job	   *job;

		wh_deliver_wait(-1, 100);
		while ((job = wh_deliver_done(&res)) != NULL)
		{
			free(record(job, &res));
			drop_job(job);
		}
	}
	wh_log("info", "stopped");
	while (n_jobs > 0)
		drop_job(jobs[0]);
	PQfinish(conn);
	wh_deliver_cleanup();
	return 0;
}
