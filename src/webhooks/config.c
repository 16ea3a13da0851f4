/*
 * config.c — bigpicture-webhooks' settings.  A file of `key = value` lines
 * (# comments, values optionally in double quotes), then the environment:
 * BIGPICTURE_WEBHOOKS_ and the key in capitals with _ for - (the
 * environment wins).  Anything unknown or out of range stops the start.
 */
#include "webhooks.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum
{
	SET_STRING, SET_INT, SET_LONG, SET_BOOL
} setting_kind;

typedef struct setting
{
	const char *key;
	setting_kind kind;
	size_t		offset;
	long		min;
	long		max;
} setting;

#define AT(field) offsetof(wh_config, field)

static const setting settings[] = {
	{"db-uri", SET_STRING, AT(db_uri), 0, 0},
	{"worker-id", SET_STRING, AT(worker_id), 0, 0},
	{"max-in-flight", SET_INT, AT(max_in_flight), 1, 1000},
	{"batch", SET_INT, AT(batch), 1, 1000},
	{"claim-seconds", SET_INT, AT(claim_seconds), 1, 3600},
	{"timeout-ms", SET_INT, AT(timeout_ms), 100, 600000},
	{"connect-timeout-ms", SET_INT, AT(connect_timeout_ms), 100, 600000},
	{"max-response-bytes", SET_LONG, AT(max_response_bytes), 0, 1L << 30},
	{"retry-base-ms", SET_INT, AT(retry_base_ms), 10, 86400000},
	{"retry-max-ms", SET_INT, AT(retry_max_ms), 10, 86400000},
	{"poll-ms", SET_INT, AT(poll_ms), 10, 600000},
	{"allow-loopback", SET_BOOL, AT(allow_loopback), 0, 0},
	{"allow-private", SET_BOOL, AT(allow_private), 0, 0},
	{"verbose", SET_BOOL, AT(verbose), 0, 0},
};

static bool
set(wh_config *cfg, const char *key, const char *value, const char *where, char *error, size_t error_len)
{
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
	{
		const setting *s = &settings[i];
		char	   *p = (char *) cfg + s->offset;
		char	   *end;
		long		n;

		if (strcmp(s->key, key) != 0)
			continue;
		switch (s->kind)
		{
			case SET_STRING:
				free(*(char **) p);
				*(char **) p = strdup(value);
				return true;
			case SET_BOOL:
				if (strcmp(value, "true") == 0 || strcmp(value, "on") == 0 || strcmp(value, "1") == 0)
					*(bool *) p = true;
				else if (strcmp(value, "false") == 0 || strcmp(value, "off") == 0 || strcmp(value, "0") == 0)
					*(bool *) p = false;
				else
				{
					snprintf(error, error_len, "%s: %s must be true or false", where, key);
					return false;
				}
				return true;
			case SET_INT:
			case SET_LONG:
				errno = 0;
				n = strtol(value, &end, 10);
				if (errno != 0 || end == value || *end != '\0' || n < s->min || n > s->max)
				{
					snprintf(error, error_len, "%s: %s must be a whole number from %ld to %ld", where, key, s->min,
							 s->max);
					return false;
				}
				if (s->kind == SET_INT)
					*(int *) p = (int) n;
				else
					*(long *) p = n;
				return true;
		}
	}
	snprintf(error, error_len, "%s: unknown setting \"%s\"", where, key);
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

static bool
load_file(wh_config *cfg, const char *path, char *error, size_t error_len)
{
	FILE	   *f = fopen(path, "r");
	char		line[4096];
	int			lineno = 0;

	if (f == NULL)
	{
		snprintf(error, error_len, "%s: %s", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f) != NULL)
	{
		char	   *s = trim(line);
		char	   *eq;
		char	   *key;
		char	   *value;
		char		where[600];

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		eq = strchr(s, '=');
		if (eq == NULL)
		{
			snprintf(error, error_len, "%s: expected key = value", where);
			fclose(f);
			return false;
		}
		*eq = '\0';
		key = trim(s);
		value = trim(eq + 1);
		if (value[0] == '"' && strlen(value) >= 2 && value[strlen(value) - 1] == '"')
		{
			value[strlen(value) - 1] = '\0';
			value++;
		}
		if (!set(cfg, key, value, where, error, error_len))
		{
			fclose(f);
			return false;
		}
	}
	fclose(f);
	return true;
}

bool
wh_config_load(wh_config *cfg, const char *path, char *error, size_t error_len)
{
	char		host[256] = "localhost";

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_in_flight = 16;
	cfg->batch = 20;
	cfg->claim_seconds = 60;
	cfg->timeout_ms = 10000;
	cfg->connect_timeout_ms = 5000;
	cfg->max_response_bytes = 65536;
	cfg->retry_base_ms = 5000;
	cfg->retry_max_ms = 3600000;
	cfg->poll_ms = 250;
	if (path != NULL && !load_file(cfg, path, error, error_len))
		return false;
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
	{
		char		name[96] = "BIGPICTURE_WEBHOOKS_";
		size_t		n = strlen(name);
		const char *v;

		for (const char *k = settings[i].key; *k && n + 1 < sizeof(name); k++)
			name[n++] = *k == '-' ? '_' : (char) toupper((unsigned char) *k);
		name[n] = '\0';
		v = getenv(name);
		if (v != NULL && !set(cfg, settings[i].key, v, name, error, error_len))
			return false;
	}
	if (cfg->db_uri == NULL)
		cfg->db_uri = strdup("");	/* libpq's PG* variables */
	if (cfg->worker_id == NULL)
	{
		char		id[300];

		gethostname(host, sizeof(host) - 1);
		snprintf(id, sizeof(id), "%s:%d", host, (int) getpid());
		cfg->worker_id = strdup(id);
	}
	/* a claim must outlast a try, or another daemon could take a subscription mid-try */
	if ((long) cfg->claim_seconds * 1000 <= (long) cfg->timeout_ms + cfg->connect_timeout_ms)
	{
		snprintf(error, error_len, "claim-seconds (%d) must be longer than timeout-ms + connect-timeout-ms (%d ms)",
				 cfg->claim_seconds, cfg->timeout_ms + cfg->connect_timeout_ms);
		return false;
	}
	if (cfg->retry_max_ms < cfg->retry_base_ms)
	{
		snprintf(error, error_len, "retry-max-ms must be at least retry-base-ms");
		return false;
	}
	return true;
}
