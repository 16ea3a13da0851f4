/*
 * buf.c — growable buffer and JSON string writer (see buf.h).
 */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
out_of_memory(void)
{
	static const char msg[] = "bigpicture-gateway: out of memory\n";

	fwrite(msg, 1, sizeof msg - 1, stderr);
	abort();
}

void *
gw_xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

void *
gw_xcalloc(size_t n, size_t size)
{
	void	   *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory();
	return p;
}

char *
gw_xstrndup(const char *s, size_t n)
{
	char	   *p = gw_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
gw_xstrdup(const char *s)
{
	return gw_xstrndup(s, strlen(s));
}

static void
reserve(gw_buf *b, size_t extra)
{
	size_t		need;
	char	   *p;

	if (extra > SIZE_MAX - b->len - 1)
		out_of_memory();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t		cap = b->cap ? b->cap : 64;

	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		out_of_memory();
	b->data = p;
	b->cap = cap;
}

void
gw_buf_reset(gw_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
gw_buf_free(gw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
gw_buf_append(gw_buf *b, const void *data, size_t n)
{
	reserve(b, n);
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
gw_buf_puts(gw_buf *b, const char *s)
{
	gw_buf_append(b, s, strlen(s));
}

void
gw_buf_putc(gw_buf *b, char c)
{
	gw_buf_append(b, &c, 1);
}

void
gw_buf_printf(gw_buf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	reserve(b, (size_t) n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

const char *
gw_buf_str(const gw_buf *b)
{
	return b->data ? b->data : "";
}

char *
gw_buf_steal(gw_buf *b)
{
	char	   *p = b->data ? b->data : gw_xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

size_t
gw_utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF)
	{
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
		unsigned char hi = c == 0xED ? 0x9F : 0xBF;	/* no surrogates */

		return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4)
	{
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;	/* nothing above U+10FFFF */

		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
			(s[3] & 0xC0) == 0x80 ? 4 : 0;
	}
	return 0;
}

bool
gw_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	while (i < n)
	{
		size_t		k = gw_utf8_seq_len(p + i, n - i);

		if (k == 0 || (k == 1 && p[i] == 0))
			return false;
		i += k;
	}
	return true;
}

void
gw_buf_json_string(gw_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	reserve(b, n + 2);
	gw_buf_putc(b, '"');
	while (i < n)
	{
		unsigned char c = p[i];
		size_t		k;

		if (c == '"' || c == '\\')
		{
			char		esc[2] = {'\\', (char) c};

			gw_buf_append(b, esc, 2);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
		{
			char		esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

			if (c == '\n')
				gw_buf_append(b, "\\n", 2);
			else if (c == '\r')
				gw_buf_append(b, "\\r", 2);
			else if (c == '\t')
				gw_buf_append(b, "\\t", 2);
			else
				gw_buf_append(b, esc, 6);
			i++;
			continue;
		}
		k = gw_utf8_seq_len(p + i, n - i);
		if (k == 0)
		{
			gw_buf_append(b, "\xEF\xBF\xBD", 3);	/* U+FFFD */
			i++;
			continue;
		}
		gw_buf_append(b, p + i, k);
		i += k;
	}
	gw_buf_putc(b, '"');
}

void
gw_buf_json_cstr(gw_buf *b, const char *s)
{
	if (s == NULL)
		gw_buf_puts(b, "null");
	else
		gw_buf_json_string(b, s, strlen(s));
}
