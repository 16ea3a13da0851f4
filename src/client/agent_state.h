/*
 * agent_state.h — the agent's state directory (internal to libbigpicture-client).
 *
 * Files are read whole and written whole: a temporary file in the same
 * directory, fsync, rename over the old one, fsync of the directory, so a
 * crash leaves the old copy or the new one, never half of either.  Nothing
 * here trusts what it reads: the agent verifies every token it loads.  The
 * file "seen" keeps high-water marks (the newest key set version, decision
 * iat, lease seq, revocation list version, clock reading) by file name.
 */
#ifndef BP_AGENT_STATE_H
#define BP_AGENT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"

#define BP_AGENT_STATE_NAME_MAX 256
#define BP_AGENT_STATE_MAX_FILE (64u * 1024u * 1024u)

typedef struct bp_agent_seen
{
	char	   *name;
	int64_t		value;
} bp_agent_seen;

typedef struct bp_agent_state
{
	int			dirfd;
	bp_agent_seen *seen;
	size_t		n_seen;
	char		detail[384];
} bp_agent_state;

/* Create the directory (mode 0700) if missing, open it, read "seen". */
bp_agent_status bp_agent_state_open(bp_agent_state *st, const char *dir);
void		bp_agent_state_close(bp_agent_state *st);

/*
 * A file's contents, NUL-terminated (malloc'ed): NO_CACHE when there is no
 * such file, STATE_ERROR when it cannot be read, is not a regular file or
 * is larger than BP_AGENT_STATE_MAX_FILE.
 */
bp_agent_status bp_agent_state_read(bp_agent_state *st, const char *name, char **text, size_t *len);
bp_agent_status bp_agent_state_write(bp_agent_state *st, const char *name, const char *text, size_t len);

/* The high-water mark of name (INT64_MIN when none); raise it to value. */
int64_t		bp_agent_state_seen(const bp_agent_state *st, const char *name);
void		bp_agent_state_raise(bp_agent_state *st, const char *name, int64_t value);
bool		bp_agent_state_save_seen(bp_agent_state *st);

/*
 * The file name for kind and up to three identifiers (NULL ends them):
 * "kind.a.b.c", each identifier with bytes other than [A-Za-z0-9_-] as %XX;
 * when that is longer than a file name may be, "kind.#" and the hex SHA-256
 * of the identifiers.
 */
void		bp_agent_state_name(char *out, size_t cap, const char *kind, const char *a, const char *b,
								const char *c);

#endif							/* BP_AGENT_STATE_H */
