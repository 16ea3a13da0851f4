/*
 * agent_state.c — see agent_state.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "agent_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define SEEN_FILE "seen"

static bp_agent_status
fail(bp_agent_state *st, bp_agent_status code, const char *what, const char *name)
{
	snprintf(st->detail, sizeof(st->detail), "state directory: %s %s: %s", what, name, strerror(errno));
	return code;
}

/* mkdir -p, each new directory 0700 */
static int
make_dirs(const char *dir)
{
	char	   *p = strdup(dir);
	int			rc = 0;

	if (p == NULL)
		return -1;
	for (char *s = p + 1; *s != '\0' && rc == 0; s++)
		if (*s == '/')
		{
			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST)
				rc = -1;
			*s = '/';
		}
	if (rc == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

static void
load_seen(bp_agent_state *st)
{
	char	   *text;
	size_t		len;
	char	   *save = NULL;

	if (bp_agent_state_read(st, SEEN_FILE, &text, &len) != BP_AGENT_OK)
		return;
	for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
	{
		char	   *sp = strchr(line, ' ');
		char	   *end;
		long long	v;

		if (sp == NULL || sp == line)
			continue;
		*sp = '\0';
		errno = 0;
		v = strtoll(sp + 1, &end, 10);
		if (errno == 0 && *end == '\0')
			bp_agent_state_raise(st, line, (int64_t) v);
	}
	free(text);
}

bp_agent_status
bp_agent_state_open(bp_agent_state *st, const char *dir)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	st->dirfd = -1;
	if (dir == NULL || dir[0] == '\0')
	{
		snprintf(st->detail, sizeof(st->detail), "state directory: none given");
		return BP_AGENT_BAD_OPTION;
	}
	if (make_dirs(dir) != 0)
		return fail(st, BP_AGENT_STATE_ERROR, "cannot create", dir);
	st->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0)
		return fail(st, BP_AGENT_STATE_ERROR, "cannot open", dir);
	if (fstat(st->dirfd, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return fail(st, BP_AGENT_STATE_ERROR, "not a directory:", dir);
	load_seen(st);
	return BP_AGENT_OK;
}

void
bp_agent_state_close(bp_agent_state *st)
{
	if (st->dirfd >= 0)
		close(st->dirfd);
	st->dirfd = -1;
	for (size_t i = 0; i < st->n_seen; i++)
		free(st->seen[i].name);
	free(st->seen);
	st->seen = NULL;
	st->n_seen = 0;
}

bp_agent_status
bp_agent_state_read(bp_agent_state *st, const char *name, char **text, size_t *len)
{
	int			fd;
	struct stat sb;
	char	   *buf;
	size_t		got = 0;

	*text = NULL;
	*len = 0;
	fd = openat(st->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
	{
		if (errno == ENOENT)
		{
			snprintf(st->detail, sizeof(st->detail), "state directory: no file %s", name);
			return BP_AGENT_NO_CACHE;
		}
		return fail(st, BP_AGENT_STATE_ERROR, "cannot open", name);
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t) sb.st_size > BP_AGENT_STATE_MAX_FILE)
	{
		errno = errno ? errno : EINVAL;
		close(fd);
		snprintf(st->detail, sizeof(st->detail), "state directory: %s is not a regular file of at most %u bytes",
				 name, BP_AGENT_STATE_MAX_FILE);
		return BP_AGENT_STATE_ERROR;
	}
	buf = malloc((size_t) sb.st_size + 1);
	if (buf == NULL)
	{
		close(fd);
		return BP_AGENT_NO_MEMORY;
	}
	while (got < (size_t) sb.st_size)
	{
		ssize_t		n = read(fd, buf + got, (size_t) sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t) n;
	}
	close(fd);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	return BP_AGENT_OK;
}

bp_agent_status
bp_agent_state_write(bp_agent_state *st, const char *name, const char *text, size_t len)
{
	char		tmp[BP_AGENT_STATE_NAME_MAX + 32];
	int			fd;
	size_t		done = 0;

	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", name, (long) getpid());
	fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(st, BP_AGENT_STATE_ERROR, "cannot create", tmp);
	while (done < len)
	{
		ssize_t		n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
		{
			bp_agent_status r = fail(st, BP_AGENT_STATE_ERROR, "cannot write", tmp);

			close(fd);
			unlinkat(st->dirfd, tmp, 0);
			return r;
		}
		done += (size_t) n;
	}
	if (fsync(fd) != 0 || close(fd) != 0)
	{
		bp_agent_status r = fail(st, BP_AGENT_STATE_ERROR, "cannot sync", tmp);

		unlinkat(st->dirfd, tmp, 0);
		return r;
	}
	if (renameat(st->dirfd, tmp, st->dirfd, name) != 0)
	{
		bp_agent_status r = fail(st, BP_AGENT_STATE_ERROR, "cannot rename to", name);

		unlinkat(st->dirfd, tmp, 0);
		return r;
	}
	(void) fsync(st->dirfd);
	return BP_AGENT_OK;
}

int64_t
bp_agent_state_seen(const bp_agent_state *st, const char *name)
{
	for (size_t i = 0; i < st->n_seen; i++)
		if (strcmp(st->seen[i].name, name) == 0)
			return st->seen[i].value;
	return INT64_MIN;
}

void
bp_agent_state_raise(bp_agent_state *st, const char *name, int64_t value)
{
	bp_agent_seen *grown;

	for (size_t i = 0; i < st->n_seen; i++)
		if (strcmp(st->seen[i].name, name) == 0)
		{
			if (value > st->seen[i].value)
				st->seen[i].value = value;
			return;
		}
	grown = realloc(st->seen, (st->n_seen + 1) * sizeof(*grown));
	if (grown == NULL)
		return;
	st->seen = grown;
	st->seen[st->n_seen].name = strdup(name);
	if (st->seen[st->n_seen].name == NULL)
		return;
	st->seen[st->n_seen].value = value;
	st->n_seen++;
}

bool
bp_agent_state_save_seen(bp_agent_state *st)
{
	size_t		cap = 1;
	char	   *text;
	size_t		len = 0;
	bool		ok;

	for (size_t i = 0; i < st->n_seen; i++)
		cap += strlen(st->seen[i].name) + 24;
	text = malloc(cap);
	if (text == NULL)
		return false;
	for (size_t i = 0; i < st->n_seen; i++)
		len += (size_t) snprintf(text + len, cap - len, "%s %lld\n", st->seen[i].name,
								 (long long) st->seen[i].value);
	ok = bp_agent_state_write(st, SEEN_FILE, text, len) == BP_AGENT_OK;
	free(text);
	return ok;
}

static size_t
put_id(char *out, size_t cap, size_t at, const char *id)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *) id; *p != '\0'; p++)
	{
		bool		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '_' || *p == '-';

		if (plain && at + 1 < cap)
			out[at++] = (char) *p;
		else if (!plain && at + 3 < cap)
		{
			out[at++] = '%';
			out[at++] = hex[*p >> 4];
			out[at++] = hex[*p & 15];
		}
		else
			return cap;
	}
	return at;
}

void
bp_agent_state_name(char *out, size_t cap, const char *kind, const char *a, const char *b, const char *c)
{
	const char *ids[3] = {a, b, c};
	size_t		at = (size_t) snprintf(out, cap, "%s", kind);

	for (int i = 0; i < 3 && ids[i] != NULL && at < cap; i++)
	{
		if (at + 1 < cap)
			out[at++] = '.';
		at = put_id(out, cap, at, ids[i]);
	}
	if (at < cap && at <= 200)
	{
		out[at] = '\0';
		return;
	}
	/* too long for a file name: a hash of the identifiers */
	{
		crypto_hash_sha256_state h;
		unsigned char d[crypto_hash_sha256_BYTES];
		char		hx[sizeof(d) * 2 + 1];

		crypto_hash_sha256_init(&h);
		for (int i = 0; i < 3 && ids[i] != NULL; i++)
			crypto_hash_sha256_update(&h, (const unsigned char *) ids[i], strlen(ids[i]) + 1);
		crypto_hash_sha256_final(&h, d);
		sodium_bin2hex(hx, sizeof(hx), d, sizeof(d));
		snprintf(out, cap, "%s.#%s", kind, hx);
	}
}
