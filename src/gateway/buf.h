/*
 * buf.h — a growable byte buffer and a JSON writer on top of it.
 *
 * The gateway builds many small texts (error bodies, the request.headers
 * object, log lines).  They all go through gw_buf so that escaping is done in
 * one place.  Allocation failure aborts: a half-written JSON text is worse
 * than a crashed worker that the supervisor restarts.
 */
#ifndef GW_BUF_H
#define GW_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct gw_buf
{
	char	   *data;			/* always NUL-terminated when non-NULL */
	size_t		len;
	size_t		cap;
} gw_buf;

#define GW_BUF_INIT {NULL, 0, 0}

void		gw_buf_reset(gw_buf *b);	/* len = 0, keeps memory */
void		gw_buf_free(gw_buf *b);
void		gw_buf_append(gw_buf *b, const void *data, size_t n);
void		gw_buf_puts(gw_buf *b, const char *s);
void		gw_buf_putc(gw_buf *b, char c);
void		gw_buf_printf(gw_buf *b, const char *fmt,...) __attribute__((format(printf, 2, 3)));
/* The buffer's text ("" when empty); stays owned by b. */
const char *gw_buf_str(const gw_buf *b);
/* Hand the text to the caller (free() it); b becomes empty. */
char	   *gw_buf_steal(gw_buf *b);

/*
 * Append s[0, n) as a quoted JSON string.  Ill-formed UTF-8 becomes U+FFFD,
 * so whatever bytes a client sends, the result is valid JSON that PostgreSQL
 * accepts as json/jsonb text.
 */
void		gw_buf_json_string(gw_buf *b, const char *s, size_t n);
void		gw_buf_json_cstr(gw_buf *b, const char *s);	/* NULL -> null */

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 if ill-formed. */
size_t		gw_utf8_seq_len(const unsigned char *s, size_t n);
bool		gw_utf8_valid(const char *s, size_t n);

/* Abort-on-failure allocation helpers. */
void	   *gw_xmalloc(size_t n);
void	   *gw_xcalloc(size_t n, size_t size);
char	   *gw_xstrdup(const char *s);
char	   *gw_xstrndup(const char *s, size_t n);

#endif							/* GW_BUF_H */
