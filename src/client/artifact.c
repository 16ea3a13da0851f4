/*
 * artifact.c — compare a downloaded file with the artifact a verified
 * decision names (bp_agent_check_artifact, agent.h): size, then SHA-256
 * over the file in chunks, so a file larger than memory is fine.
 */
#define _POSIX_C_SOURCE 200809L

#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "json.h"

#define CHUNK (256u * 1024u)

static bp_agent_status
tell(char *detail, size_t cap, bp_agent_status st, const char *fmt, const char *a, const char *b)
{
	if (detail != NULL && cap > 0)
		snprintf(detail, cap, fmt, a, b);
	return st;
}

/* The artifact's sha256 (32 bytes) and size from a decision payload. */
static bool
artifact_of(const char *payload, size_t len, uint8_t sha[32], int64_t *size)
{
	size_t		n;
	bp_json_token *t;
	int			art;
	int			h;
	int			s;
	bool		ok = false;

	if (bp_json_parse(payload, len, NULL, 0, &n) != BP_JSON_OK || n == 0 ||
		(t = calloc(n, sizeof(*t))) == NULL)
		return false;
	if (bp_json_parse(payload, len, t, n, &n) == BP_JSON_OK && t[0].type == BP_JSON_OBJECT &&
		(art = bp_json_object_get(payload, t, n, 0, "artifact")) >= 0 && t[art].type == BP_JSON_OBJECT &&
		(h = bp_json_object_get(payload, t, n, art, "sha256")) >= 0 && t[h].type == BP_JSON_STRING &&
		(s = bp_json_object_get(payload, t, n, art, "size")) >= 0 && t[s].type == BP_JSON_NUMBER &&
		bp_json_int64(payload, &t[s], size) == BP_JSON_OK && *size >= 0 &&
		t[h].end - t[h].start == 64)
	{
		size_t		bin_len;

		ok = sodium_hex2bin(sha, 32, payload + t[h].start, 64, NULL, &bin_len, NULL) == 0 && bin_len == 32;
	}
	free(t);
	return ok;
}

bp_agent_status
bp_agent_check_artifact(const char *payload, size_t payload_len, const char *path, char *detail, size_t cap)
{
	uint8_t		want[32];
	uint8_t		got[32];
	int64_t		size;
	int			fd;
	struct stat sb;
	crypto_hash_sha256_state h;
	uint8_t    *buf;
	uint64_t	total = 0;
	char		a[32];
	char		b[32];

	if (payload == NULL || path == NULL)
		return BP_AGENT_BAD_OPTION;
	if (!artifact_of(payload, payload_len, want, &size))
		return tell(detail, cap, BP_AGENT_NO_ARTIFACT, "the decision names no artifact (sha256 and size)%s%s", "", "");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
	{
		int			e = errno;

		if (fd >= 0)
			close(fd);
		return tell(detail, cap, BP_AGENT_FILE_ERROR, "%s: %s", path, fd >= 0 && e == 0 ? "not a regular file" : strerror(e));
	}
	if ((uint64_t) sb.st_size != (uint64_t) size)
	{
		close(fd);
		snprintf(a, sizeof(a), "%lld", (long long) sb.st_size);
		snprintf(b, sizeof(b), "%lld", (long long) size);
		return tell(detail, cap, BP_AGENT_ARTIFACT_SIZE, "the file has %s bytes, the artifact %s", a, b);
	}
	buf = malloc(CHUNK);
	if (buf == NULL)
	{
		close(fd);
		return BP_AGENT_NO_MEMORY;
	}
	crypto_hash_sha256_init(&h);
	for (;;)
	{
		ssize_t		n = read(fd, buf, CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
		{
			int			e = errno;

			free(buf);
			close(fd);
			return tell(detail, cap, BP_AGENT_FILE_ERROR, "%s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		crypto_hash_sha256_update(&h, buf, (unsigned long long) n);
		total += (uint64_t) n;
	}
	free(buf);
	close(fd);
	crypto_hash_sha256_final(&h, got);
	/* the file may have changed while it was read */
	if (total != (uint64_t) size)
	{
		snprintf(a, sizeof(a), "%llu", (unsigned long long) total);
		snprintf(b, sizeof(b), "%lld", (long long) size);
		return tell(detail, cap, BP_AGENT_ARTIFACT_SIZE, "%s bytes were read, the artifact has %s", a, b);
	}
	if (sodium_memcmp(got, want, sizeof(got)) != 0)
		return tell(detail, cap, BP_AGENT_ARTIFACT_HASH, "the file's SHA-256 is not the artifact's%s%s", "", "");
	if (detail != NULL && cap > 0)
		detail[0] = '\0';
	return BP_AGENT_OK;
}
