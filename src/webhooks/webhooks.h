/*
 * webhooks.h — bigpicture-webhooks, the daemon that delivers the outbox's
 * events to webhook subscriptions (docs/events.md, "Webhooks").
 *
 * The database decides what is due and keeps every state (the
 * subscription's cursor, its tries, the delivery log): the daemon claims
 * with bigpicture.webhook_claim(), posts, and reports each try with
 * bigpicture.webhook_record().  Killed at any moment, it loses nothing: a
 * claim it held runs out and the event is posted again, with the same
 * webhook-id.
 *
 *   config.c   settings: a key = value file and BIGPICTURE_WEBHOOKS_* variables
 *   deliver.c  one HTTP POST per subscription at a time (libcurl multi),
 *              signed, with timeouts, a cap on the response read, and the
 *              refusal of loopback, private and link-local addresses
 *   main.c     the loop: LISTEN, claim, deliver, record, back off
 */
#ifndef BPWH_WEBHOOKS_H
#define BPWH_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wh_config
{
	char	   *db_uri;			/* libpq connection string */
	char	   *worker_id;		/* who claims: default host:pid */
	int			max_in_flight;	/* subscriptions delivered to at once */
	int			batch;			/* events claimed per subscription */
	int			claim_seconds;	/* how long a claim holds */
	int			timeout_ms;		/* a whole try */
	int			connect_timeout_ms;
	long		max_response_bytes;	/* read of a response body, at most */
	int			retry_base_ms;	/* first retry after about this, doubling */
	int			retry_max_ms;	/* ... up to this */
	int			poll_ms;		/* look for new events and due retries this often when idle */
	bool		allow_loopback; /* endpoints on 127.0.0.0/8, ::1 (tests) */
	bool		allow_private;	/* RFC 1918, unique local, link-local, CGNAT */
	bool		verbose;		/* log every try, not only failures */
} wh_config;

/* config.c: file (may be NULL), then the environment; false and *error on a bad setting */
bool		wh_config_load(wh_config *cfg, const char *path, char *error, size_t error_len);

/* the log: one JSON object per line on stderr (never a secret, never a body) */
void		wh_log(const char *level, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/* deliver.c */
typedef struct wh_event
{
	int64_t		event_id;
	char	   *type;
	int			attempt;
	char	   *body;
} wh_event;

typedef struct wh_job
{
	char	   *subscription_id;
	char	   *url;
	char	   *secrets[2];		/* the current, and the previous one while it is valid */
	int			n_secrets;
	wh_event   *events;
	int			n_events;
	int			next;			/* the event being posted */
	/* the try in flight */
	void	   *easy;			/* CURL * */
	void	   *headers;		/* struct curl_slist * */
	long		response_bytes;
	bool		refused_address;
	char		refused[96];	/* why the address was refused */
	int64_t		started_ms;
} wh_job;

/* The outcome of a finished try. */
typedef struct wh_result
{
	int			http_status;	/* 0: no response */
	char		error[256];		/* "" when the response was 2xx */
	int			duration_ms;
} wh_result;

bool		wh_deliver_init(const wh_config *cfg);
/* Start posting job->events[job->next]; false (and *result) when it could not start. */
bool		wh_deliver_start(wh_job *job, wh_result *result);
/* Run transfers, wait up to timeout_ms for them or for fd (-1: none) to be readable. */
void		wh_deliver_wait(int fd, int timeout_ms);
/* A finished try, or NULL: the job and its result. */
wh_job	   *wh_deliver_done(wh_result *result);
void		wh_deliver_abandon(wh_job *job);
void		wh_deliver_cleanup(void);

int64_t		wh_now_ms(void);

#endif							/* BPWH_WEBHOOKS_H */
