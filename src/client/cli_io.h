/*
 * cli_io.h — input helpers shared by the command-line tools in src/client
 * (bigpicture-verify, bigpicture-audit-verify, bigpicture-agent); not part of the library.
 */
#ifndef BP_CLI_IO_H
#define BP_CLI_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bp_client.h"

/*
 * Read one line without its '\n' into buf (cap bytes).  1: a line; 0: end
 * of input; -1: line longer than cap (the rest is not read); -2: I/O error.
 * NUL bytes are kept: the JSON parser then rejects the line.
 */
int			bp_cli_read_line(FILE *in, char *buf, size_t cap, size_t *len);

/* A text read from an argument (malloc'd, NUL-terminated). */
typedef struct bp_cli_text
{
	char	   *s;
	size_t		len;
} bp_cli_text;

/*
 * An argument that is literal text, @FILE or - (stdin), with surrounding
 * white space trimmed; at most BP_CLIENT_MAX_TOKEN_LEN bytes.  On failure
 * a "PROGRAM: USAGE: …" line on stderr and false.
 */
bool		bp_cli_read_arg(const char *program, const char *arg, bp_cli_text *out);

/* "PROGRAM: USAGE: what[: arg]." and a hint on stderr; returns 2, the usage exit code. */
int			bp_cli_usage_error(const char *program, const char *what, const char *arg);

/* A whole decimal int64, or false. */
bool		bp_cli_parse_int64(const char *s, int64_t *out);

/*
 * The documented exit code of a verifier status (10-31; 0 for OK; 1 for a
 * status without one), shared by bigpicture-verify and bigpicture-agent.
 */
int			bp_cli_exit_code(bp_client_status st);

#endif							/* BP_CLI_IO_H */
