/*
 * json_mini.h — a tiny JSON reader for the unit tests' vector files.
 *
 * Test-only and header-only.  Parses a whole file into a malloc'd tree
 * (objects, arrays, strings with all escapes including \uXXXX surrogate
 * pairs, numbers, true/false/null).  Not for production: no depth limit
 * beyond the recursion a test file needs, and errors just say where.
 * Also has hex decoding, since the vectors give keys in hex.
 */
#ifndef BP_JSON_MINI_H
#define BP_JSON_MINI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum jm_type
{
	JM_NULL,
	JM_FALSE,
	JM_TRUE,
	JM_NUMBER,
	JM_STRING,
	JM_ARRAY,
	JM_OBJECT
} jm_type;

typedef struct jm_value
{
	jm_type		type;
	char	   *str;			/* string: decoded, NUL-terminated; number: its text */
	size_t		len;			/* bytes in str (strings may hold NUL) */
	struct jm_value *items;		/* array elements or object values */
	char	  **keys;			/* object keys, parallel to items */
	size_t		count;
} jm_value;

typedef struct jm_parser
{
	const char *p;
	const char *end;
	const char *start;
	bool		failed;
} jm_parser;

static inline void jm_free(jm_value *v);

static inline void
jm_skip_ws(jm_parser *ps)
{
	while (ps->p < ps->end &&
		   (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static inline bool
jm_fail(jm_parser *ps)
{
	ps->failed = true;
	return false;
}

static inline int
jm_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool
jm_read_u16(jm_parser *ps, unsigned int *out)
{
	unsigned int v = 0;
	int			k;

	if (ps->end - ps->p < 4)
		return jm_fail(ps);
	for (k = 0; k < 4; k++)
	{
		int			d = jm_hex_digit(ps->p[k]);

		if (d < 0)
			return jm_fail(ps);
		v = v * 16 + (unsigned int) d;
	}
	ps->p += 4;
	*out = v;
	return true;
}

static inline size_t
jm_put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80)
	{
		o[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		o[0] = (char) (0xC0 | (cp >> 6));
		o[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		o[0] = (char) (0xE0 | (cp >> 12));
		o[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char) (0xF0 | (cp >> 18));
	o[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* Parse a string at ps->p (on the opening quote) into a malloc'd buffer. */
static inline bool
jm_parse_string(jm_parser *ps, char **out, size_t *out_len)
{
	const char *q;
	char	   *buf;
	size_t		o = 0;

	ps->p++;
	/* Decoded text is never longer than the raw text. */
	for (q = ps->p; q < ps->end && *q != '"'; q++)
		if (*q == '\\')
			q++;
	if (q >= ps->end)
		return jm_fail(ps);
	buf = malloc((size_t) (q - ps->p) + 1);
	if (buf == NULL)
		return jm_fail(ps);
	while (ps->p < q)
	{
		char		c = *ps->p++;

		if ((unsigned char) c < 0x20)
			goto bad;
		if (c != '\\')
		{
			buf[o++] = c;
			continue;
		}
		c = *ps->p++;
		switch (c)
		{
			case '"':
			case '\\':
			case '/':
				buf[o++] = c;
				break;
			case 'b':
				buf[o++] = '\b';
				break;
			case 'f':
				buf[o++] = '\f';
				break;
			case 'n':
				buf[o++] = '\n';
				break;
			case 'r':
				buf[o++] = '\r';
				break;
			case 't':
				buf[o++] = '\t';
				break;
			case 'u':
				{
					unsigned int hi,
								lo;
					unsigned long cp;

					if (!jm_read_u16(ps, &hi))
						goto bad;
					cp = hi;
					if (hi >= 0xD800 && hi <= 0xDBFF)
					{
						if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u')
							goto bad;
						ps->p += 2;
						if (!jm_read_u16(ps, &lo) || lo < 0xDC00 || lo > 0xDFFF)
							goto bad;
						cp = 0x10000 + (((unsigned long) hi - 0xD800) << 10) + (lo - 0xDC00);
					}
					else if (hi >= 0xDC00 && hi <= 0xDFFF)
						goto bad;
					o += jm_put_utf8(buf + o, cp);
					break;
				}
			default:
				goto bad;
		}
	}
	ps->p = q + 1;
	buf[o] = '\0';
	*out = buf;
	*out_len = o;
	return true;

bad:
	free(buf);
	return jm_fail(ps);
}

static inline bool jm_parse_value(jm_parser *ps, jm_value *v);

static inline bool
jm_append(jm_value *v, jm_value *item, char *key)
{
	jm_value   *items = realloc(v->items, (v->count + 1) * sizeof(*items));

	if (items == NULL)
		return false;
	v->items = items;
	if (v->type == JM_OBJECT)
	{
		char	  **keys = realloc(v->keys, (v->count + 1) * sizeof(*keys));

		if (keys == NULL)
			return false;
		v->keys = keys;
		v->keys[v->count] = key;
	}
	v->items[v->count++] = *item;
	return true;
}

static inline bool
jm_parse_container(jm_parser *ps, jm_value *v, char close)
{
	ps->p++;
	jm_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close)
	{
		ps->p++;
		return true;
	}
	for (;;)
	{
		jm_value	item;
		char	   *key = NULL;
		size_t		key_len;

		memset(&item, 0, sizeof(item));
		jm_skip_ws(ps);
		if (close == '}')
		{
			if (ps->p >= ps->end || *ps->p != '"' ||
				!jm_parse_string(ps, &key, &key_len))
				return jm_fail(ps);
			jm_skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
			{
				free(key);
				return jm_fail(ps);
			}
			ps->p++;
		}
		if (!jm_parse_value(ps, &item) || !jm_append(v, &item, key))
		{
			free(key);
			jm_free(&item);
			return jm_fail(ps);
		}
		jm_skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',')
		{
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close)
		{
			ps->p++;
			return true;
		}
		return jm_fail(ps);
	}
}

static inline bool
jm_match(jm_parser *ps, const char *word)
{
	size_t		n = strlen(word);

	if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return jm_fail(ps);
	ps->p += n;
	return true;
}

static inline bool
jm_parse_value(jm_parser *ps, jm_value *v)
{
	memset(v, 0, sizeof(*v));
	jm_skip_ws(ps);
	if (ps->p >= ps->end)
		return jm_fail(ps);
	switch (*ps->p)
	{
		case '{':
			v->type = JM_OBJECT;
			return jm_parse_container(ps, v, '}');
		case '[':
			v->type = JM_ARRAY;
			return jm_parse_container(ps, v, ']');
		case '"':
			v->type = JM_STRING;
			return jm_parse_string(ps, &v->str, &v->len);
		case 't':
			v->type = JM_TRUE;
			return jm_match(ps, "true");
		case 'f':
			v->type = JM_FALSE;
			return jm_match(ps, "false");
		case 'n':
			v->type = JM_NULL;
			return jm_match(ps, "null");
		default:
			{
				const char *s = ps->p;

				while (ps->p < ps->end && strchr("+-0123456789.eE", *ps->p) != NULL)
					ps->p++;
				if (ps->p == s)
					return jm_fail(ps);
				v->type = JM_NUMBER;
				v->len = (size_t) (ps->p - s);
				v->str = malloc(v->len + 1);
				if (v->str == NULL)
					return jm_fail(ps);
				memcpy(v->str, s, v->len);
				v->str[v->len] = '\0';
				return true;
			}
	}
}

static inline void
jm_free(jm_value *v)
{
	size_t		k;

	for (k = 0; k < v->count; k++)
	{
		jm_free(&v->items[k]);
		if (v->keys)
			free(v->keys[k]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

/*
 * Read and parse a whole file.  On failure prints why to stderr and returns
 * false (out is then empty and safe to jm_free).
 */
static inline bool
jm_parse_file(const char *path, jm_value *out)
{
	FILE	   *fp = fopen(path, "rb");
	char	   *buf = NULL;
	size_t		len = 0;
	size_t		got;
	char		chunk[4096];
	jm_parser	ps;
	bool		ok;

	memset(out, 0, sizeof(*out));
	if (fp == NULL)
	{
		fprintf(stderr, "json_mini: cannot open %s\n", path);
		return false;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
	{
		char	   *nbuf = realloc(buf, len + got);

		if (nbuf == NULL)
		{
			free(buf);
			fclose(fp);
			return false;
		}
		buf = nbuf;
		memcpy(buf + len, chunk, got);
		len += got;
	}
	fclose(fp);

	ps.p = ps.start = buf;
	ps.end = buf + len;
	ps.failed = false;
	ok = buf != NULL && jm_parse_value(&ps, out);
	if (ok)
	{
		jm_skip_ws(&ps);
		ok = ps.p == ps.end;
	}
	if (!ok)
	{
		fprintf(stderr, "json_mini: %s: syntax error at byte %ld\n", path,
				buf ? (long) (ps.p - ps.start) : 0L);
		jm_free(out);
	}
	free(buf);
	return ok;
}

/* Member of an object by key, or NULL. */
static inline const jm_value *
jm_get(const jm_value *obj, const char *key)
{
	size_t		k;

	if (obj == NULL || obj->type != JM_OBJECT)
		return NULL;
	for (k = 0; k < obj->count; k++)
		if (strcmp(obj->keys[k], key) == 0)
			return &obj->items[k];
	return NULL;
}

/* String member of an object, or NULL when absent or not a string. */
static inline const char *
jm_str(const jm_value *obj, const char *key)
{
	const jm_value *v = jm_get(obj, key);

	return v != NULL && v->type == JM_STRING ? v->str : NULL;
}

/* Boolean member: 1 true, 0 false, -1 absent or not a boolean. */
static inline int
jm_bool(const jm_value *obj, const char *key)
{
	const jm_value *v = jm_get(obj, key);

	if (v == NULL)
		return -1;
	return v->type == JM_TRUE ? 1 : v->type == JM_FALSE ? 0 : -1;
}

/*
 * Decode hex text into out (cap bytes).  Returns the byte count, or -1 on
 * odd length, bad digit or overflow.
 */
static inline long
jm_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t		n = strlen(hex);
	size_t		k;

	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (k = 0; k < n / 2; k++)
	{
		int			hi = jm_hex_digit(hex[2 * k]);
		int			lo = jm_hex_digit(hex[2 * k + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[k] = (uint8_t) (hi * 16 + lo);
	}
	return (long) (n / 2);
}

#endif							/* BP_JSON_MINI_H */
