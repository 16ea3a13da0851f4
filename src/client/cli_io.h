/*
 * cli_io.h — input helpers shared by the command-line tools in src/client
 * (bigpicture-verify, bigpicture-audit-verify); not part of the library.
 */
#ifndef BP_CLI_IO_H
#define BP_CLI_IO_H

#include <stddef.h>
#include <stdio.h>

/*
 * Read one line without its '\n' into buf (cap bytes).  1: a line; 0: end
 * of input; -1: line longer than cap (the rest is not read); -2: I/O error.
 * NUL bytes are kept: the JSON parser then rejects the line.
 */
int			bp_cli_read_line(FILE *in, char *buf, size_t cap, size_t *len);

#endif							/* BP_CLI_IO_H */
