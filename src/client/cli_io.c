/*
 * cli_io.c — see cli_io.h.
 */
#include "cli_io.h"

int
bp_cli_read_line(FILE *in, char *buf, size_t cap, size_t *len)
{
	size_t		n = 0;
	int			c;

	while ((c = getc(in)) != EOF)
	{
		if (c == '\n')
		{
			*len = n;
			return 1;
		}
		if (n == cap)
			return -1;
		buf[n++] = (char) c;
	}
	if (ferror(in))
		return -2;
	*len = n;
	return n > 0 ? 1 : 0;
}
