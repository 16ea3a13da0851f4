/*
 * json_mini.h — the vector files of the unit tests as a small tree.
 *
 * Test-only and header-only.  Parsing is src/core/json.c's (strict, already
 * tested on its own); this only turns its tokens into a malloc'd tree the
 * tests can walk (objects, arrays, decoded strings), and decodes hex, since
 * the vectors give keys in hex.
 */
#ifndef BP_JSON_MINI_H
#define BP_JSON_MINI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

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

static inline void
jm_free(jm_value *v)
{
	for (size_t k = 0; k < v->count; k++)
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

/* The decoded text of a string (or the raw text of a number) token. */
static inline char *
jm_text(const char *text, const bp_json_token *tok, size_t *len)
{
	size_t		cap = tok->end - tok->start;
	char	   *s = malloc(cap + 1);

	*len = cap;
	if (s == NULL)
		return NULL;
	if (tok->type == BP_JSON_STRING)
	{
		if (bp_json_unescape(text, tok, s, cap, len) != BP_JSON_OK)
		{
			free(s);
			return NULL;
		}
	}
	else
		memcpy(s, text + tok->start, cap);
	s[*len] = '\0';
	return s;
}

/* Build the value at token i into v; returns the index after it, or -1. */
static inline int
jm_build(const char *text, const bp_json_token *t, size_t n, int i, jm_value *v)
{
	int			next = i + 1;

	memset(v, 0, sizeof(*v));
	switch (t[i].type)
	{
		case BP_JSON_NULL:
			v->type = JM_NULL;
			return next;
		case BP_JSON_FALSE:
			v->type = JM_FALSE;
			return next;
		case BP_JSON_TRUE:
			v->type = JM_TRUE;
			return next;
		case BP_JSON_NUMBER:
		case BP_JSON_STRING:
			v->type = t[i].type == BP_JSON_NUMBER ? JM_NUMBER : JM_STRING;
			v->str = jm_text(text, &t[i], &v->len);
			return v->str ? next : -1;
		case BP_JSON_ARRAY:
		case BP_JSON_OBJECT:
			v->type = t[i].type == BP_JSON_ARRAY ? JM_ARRAY : JM_OBJECT;
			v->count = t[i].size;
			v->items = calloc(v->count ? v->count : 1, sizeof(jm_value));
			if (v->type == JM_OBJECT)
				v->keys = calloc(v->count ? v->count : 1, sizeof(char *));
			if (v->items == NULL || (v->type == JM_OBJECT && v->keys == NULL))
				return -1;
			for (size_t k = 0; k < v->count; k++)
			{
				if (v->type == JM_OBJECT)
				{
					size_t		klen;

					if ((size_t) next >= n || (v->keys[k] = jm_text(text, &t[next], &klen)) == NULL)
						return -1;
					next++;
				}
				if ((size_t) next >= n || (next = jm_build(text, t, n, next, &v->items[k])) < 0)
					return -1;
			}
			return next;
	}
	return -1;
}

/* Parse a whole file; false (and a message on stderr) on any problem. */
static inline bool
jm_parse_file(const char *path, jm_value *root)
{
	FILE	   *f = fopen(path, "rb");
	char	   *text = NULL;
	bp_json_token *tokens = NULL;
	size_t		n = 0;
	long		size;
	bool		ok = false;

	memset(root, 0, sizeof(*root));
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
		(text = malloc((size_t) size + 1)) == NULL || fread(text, 1, (size_t) size, f) != (size_t) size)
		fprintf(stderr, "json_mini: cannot read %s\n", path);
	else if (bp_json_parse(text, (size_t) size, NULL, 0, &n) != BP_JSON_OK ||
			 (tokens = malloc(n * sizeof(*tokens))) == NULL ||
			 bp_json_parse(text, (size_t) size, tokens, n, &n) != BP_JSON_OK)
		fprintf(stderr, "json_mini: %s is not valid JSON\n", path);
	else if (jm_build(text, tokens, n, 0, root) < 0)
		fprintf(stderr, "json_mini: out of memory reading %s\n", path);
	else
		ok = true;
	if (f)
		fclose(f);
	free(text);
	free(tokens);
	return ok;
}

/* Member of an object by key, or NULL. */
static inline const jm_value *
jm_get(const jm_value *obj, const char *key)
{
	if (obj == NULL || obj->type != JM_OBJECT)
		return NULL;
	for (size_t k = 0; k < obj->count; k++)
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

	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (size_t k = 0; k < n / 2; k++)
	{
		unsigned int byte;

		if (sscanf(hex + 2 * k, "%2x", &byte) != 1 || !strchr("0123456789abcdefABCDEF", hex[2 * k]) ||
			!strchr("0123456789abcdefABCDEF", hex[2 * k + 1]))
			return -1;
		out[k] = (uint8_t) byte;
	}
	return (long) (n / 2);
}

#endif							/* BP_JSON_MINI_H */
