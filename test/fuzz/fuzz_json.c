/*
 * fuzz_json.c — the JSON reader bp_json_parse(_at) and its helpers
 * bp_json_skip, bp_json_object_get, bp_json_string_equals,
 * bp_json_unescape and bp_json_int64.
 *
 * Properties:
 *   - the parser accepts exactly what a plain recursive-descent checker
 *     written from json.h accepts, with the same number of tokens;
 *   - counting (tokens NULL) and parsing into exactly that many tokens give
 *     the same status, count and error offset; one token fewer is
 *     TOO_MANY_TOKENS with every slot filled;
 *   - on success the tokens form a sound tree: offsets inside the text,
 *     parents before children and of container type, sizes equal to the
 *     children found (two per object member, keys strings), skip(i)
 *     stepping exactly over i's descendants, skip(0) == n;
 *   - writing the tree back compactly from the tokens and parsing that
 *     gives the same tree (the tokens capture the whole document);
 *   - unescape: exact length with out NULL and into an exact buffer,
 *     BUFFER_TOO_SMALL one byte short, never longer than the raw text,
 *     valid UTF-8 out; string_equals agrees with it;
 *   - object_get finds the first member with each key;
 *   - int64 agrees with strtoll on range, and refuses fractions and
 *     exponents as NOT_INTEGER.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "fuzz.h"

/*
 * One well-formed UTF-8 sequence at s (n bytes available): decode it and
 * reject overlong forms, surrogates and anything above U+10FFFF.
 */
static bool
valid_utf8_one(const unsigned char *s, size_t n, size_t *pos)
{
	unsigned char c = s[0];
	size_t		need;
	uint32_t	cp;

	if (c < 0x80)
		need = 1, cp = c;
	else if ((c & 0xE0) == 0xC0)
		need = 2, cp = c & 0x1F;
	else if ((c & 0xF0) == 0xE0)
		need = 3, cp = c & 0x0F;
	else if ((c & 0xF8) == 0xF0)
		need = 4, cp = c & 0x07;
	else
		return false;
	if (n < need)
		return false;
	for (size_t k = 1; k < need; k++)
	{
		if ((s[k] & 0xC0) != 0x80)
			return false;
		cp = cp << 6 | (s[k] & 0x3F);
	}
	if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) ||
		(need == 4 && cp < 0x10000) || cp > 0x10FFFF ||
		(cp >= 0xD800 && cp <= 0xDFFF))
		return false;
	*pos += need;
	return true;
}

/* Well-formed UTF-8 (NUL allowed: \u0000 unescapes to it). */
static bool
valid_utf8(const unsigned char *s, size_t n)
{
	size_t		i = 0;

	while (i < n)
		if (!valid_utf8_one(s + i, n - i, &i))
			return false;
	return true;
}

/*
 * Reference: a plain recursive-descent RFC 8259 checker written from
 * json.h's description (containers at most BP_JSON_MAX_DEPTH deep), that
 * also counts the tokens a valid text needs (every value and every key).
 */
typedef struct ref
{
	const unsigned char *s;
	size_t		n;
	size_t		p;
	int			depth;
	size_t		tokens;
} ref;

static bool ref_value(ref *r);

static void
ref_ws(ref *r)
{
	while (r->p < r->n && (r->s[r->p] == ' ' || r->s[r->p] == '\t' || r->s[r->p] == '\n' ||
						   r->s[r->p] == '\r'))
		r->p++;
}

static bool
ref_hex4(ref *r, uint32_t *v)
{
	*v = 0;
	if (r->n - r->p < 4)
		return false;
	for (int k = 0; k < 4; k++)
	{
		unsigned char c = r->s[r->p++];
		int			h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (h < 0)
			return false;
		*v = *v << 4 | (uint32_t) h;
	}
	return true;
}

static bool
ref_string(ref *r)
{
	if (r->p >= r->n || r->s[r->p] != '"')
		return false;
	r->p++;
	r->tokens++;
	for (;;)
	{
		unsigned char c;

		if (r->p >= r->n)
			return false;
		c = r->s[r->p];
		if (c == '"')
		{
			r->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\')
		{
			uint32_t	cp;
			uint32_t	lo;

			if (++r->p >= r->n)
				return false;
			c = r->s[r->p++];
			if (strchr("\"\\/bfnrt", c) != NULL && c != '\0')
				continue;
			if (c != 'u' || !ref_hex4(r, &cp))
				return false;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return false;
			if (cp >= 0xD800 && cp <= 0xDBFF)
			{
				if (r->n - r->p < 2 || r->s[r->p] != '\\' || r->s[r->p + 1] != 'u')
					return false;
				r->p += 2;
				if (!ref_hex4(r, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return false;
			}
			continue;
		}
		if (c < 0x80)
		{
			r->p++;
			continue;
		}
		if (!valid_utf8_one(r->s + r->p, r->n - r->p, &r->p))
			return false;
	}
}

static bool
ref_digits(ref *r)
{
	size_t		start = r->p;

	while (r->p < r->n && r->s[r->p] >= '0' && r->s[r->p] <= '9')
		r->p++;
	return r->p > start;
}

static bool
ref_number(ref *r)
{
	if (r->p < r->n && r->s[r->p] == '-')
		r->p++;
	if (r->p < r->n && r->s[r->p] == '0')
		r->p++;
	else if (r->p >= r->n || r->s[r->p] < '1' || r->s[r->p] > '9' || !ref_digits(r))
		return false;
	if (r->p < r->n && r->s[r->p] == '.')
	{
		r->p++;
		if (!ref_digits(r))
			return false;
	}
	if (r->p < r->n && (r->s[r->p] == 'e' || r->s[r->p] == 'E'))
	{
		r->p++;
		if (r->p < r->n && (r->s[r->p] == '+' || r->s[r->p] == '-'))
			r->p++;
		if (!ref_digits(r))
			return false;
	}
	r->tokens++;
	return true;
}

static bool
ref_word(ref *r, const char *w)
{
	size_t		k = strlen(w);

	if (r->n - r->p < k || memcmp(r->s + r->p, w, k) != 0)
		return false;
	r->p += k;
	r->tokens++;
	return true;
}

static bool
ref_container(ref *r, bool object)
{
	if (++r->depth > BP_JSON_MAX_DEPTH)
		return false;
	r->p++;
	r->tokens++;
	ref_ws(r);
	if (r->p < r->n && r->s[r->p] == (object ? '}' : ']'))
	{
		r->p++;
		r->depth--;
		return true;
	}
	for (;;)
	{
		if (object)
		{
			if (!ref_string(r))
				return false;
			ref_ws(r);
			if (r->p >= r->n || r->s[r->p] != ':')
				return false;
			r->p++;
			ref_ws(r);
		}
		if (!ref_value(r))
			return false;
		ref_ws(r);
		if (r->p >= r->n)
			return false;
		if (r->s[r->p] == ',')
		{
			r->p++;
			ref_ws(r);
			continue;
		}
		if (r->s[r->p] != (object ? '}' : ']'))
			return false;
		r->p++;
		r->depth--;
		return true;
	}
}

static bool
ref_value(ref *r)
{
	unsigned char c;

	if (r->p >= r->n)
		return false;
	c = r->s[r->p];
	if (c == '{' || c == '[')
		return ref_container(r, c == '{');
	if (c == '"')
		return ref_string(r);
	if (c == '-' || (c >= '0' && c <= '9'))
		return ref_number(r);
	if (c == 't')
		return ref_word(r, "true");
	if (c == 'f')
		return ref_word(r, "false");
	if (c == 'n')
		return ref_word(r, "null");
	return false;
}

static bool
ref_valid(const char *text, size_t n, size_t *tokens)
{
	ref			r = {(const unsigned char *) text, n, 0, 0, 0};

	ref_ws(&r);
	if (!ref_value(&r))
		return false;
	ref_ws(&r);
	*tokens = r.tokens;
	return r.p == n;
}

typedef struct writer
{
	char	   *buf;
	size_t		len;
	size_t		cap;
} writer;

static void
put(writer *w, const char *s, size_t n)
{
	FUZZ_ASSERT(w->cap - w->len >= n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

/* Write the value at i compactly; index after it. */
static int
emit(writer *w, const char *text, const bp_json_token *t, size_t n, int i)
{
	FUZZ_ASSERT(i >= 0 && (size_t) i < n);
	switch (t[i].type)
	{
		case BP_JSON_OBJECT:
		case BP_JSON_ARRAY:
			{
				bool		obj = t[i].type == BP_JSON_OBJECT;
				int			k = i + 1;

				put(w, obj ? "{" : "[", 1);
				for (size_t m = 0; m < t[i].size; m++)
				{
					if (m > 0)
						put(w, ",", 1);
					if (obj)
					{
						FUZZ_ASSERT(t[k].type == BP_JSON_STRING);
						k = emit(w, text, t, n, k);
						put(w, ":", 1);
					}
					k = emit(w, text, t, n, k);
				}
				put(w, obj ? "}" : "]", 1);
				return k;
			}
		case BP_JSON_STRING:
			put(w, "\"", 1);
			put(w, text + t[i].start, t[i].end - t[i].start);
			put(w, "\"", 1);
			return i + 1;
		default:
			put(w, text + t[i].start, t[i].end - t[i].start);
			return i + 1;
	}
}

static void
check_string(const char *text, const bp_json_token *tok)
{
	size_t		raw = tok->end - tok->start;
	size_t		len = 12345;
	size_t		len2 = 12345;
	char	   *out;

	FUZZ_ASSERT(bp_json_unescape(text, tok, NULL, 0, &len) == BP_JSON_OK);
	FUZZ_ASSERT(len <= raw);
	out = fuzz_malloc(len);
	FUZZ_ASSERT(bp_json_unescape(text, tok, out, len, &len2) == BP_JSON_OK && len2 == len);
	FUZZ_ASSERT(valid_utf8((const unsigned char *) out, len));
	FUZZ_ASSERT(bp_json_string_equals(text, tok, out, len));
	if (len > 0)
	{
		FUZZ_ASSERT(bp_json_unescape(text, tok, out, len - 1, &len2) == BP_JSON_BUFFER_TOO_SMALL &&
					len2 == 0);
		FUZZ_ASSERT(!bp_json_string_equals(text, tok, out, len - 1));
		out[len - 1] ^= 0x01;
		FUZZ_ASSERT(!bp_json_string_equals(text, tok, out, len));
	}
	else
		FUZZ_ASSERT(!bp_json_string_equals(text, tok, "x", 1));
	free(out);
}

static void
check_number(const char *text, const bp_json_token *tok)
{
	size_t		raw = tok->end - tok->start;
	char	   *copy = fuzz_dupz(text + tok->start, raw);
	int64_t		v = 0;
	bp_json_status st = bp_json_int64(text, tok, &v);
	bool		fraction = strpbrk(copy, ".eE") != NULL;
	long long	ref;
	char	   *end;

	if (fraction)
		FUZZ_ASSERT(st == BP_JSON_NOT_INTEGER);
	else
	{
		errno = 0;
		ref = strtoll(copy, &end, 10);
		FUZZ_ASSERT(*end == '\0');
		if (errno == ERANGE)
			FUZZ_ASSERT(st == BP_JSON_OUT_OF_RANGE);
		else
			FUZZ_ASSERT_MSG(st == BP_JSON_OK && v == ref, "%s: %s", copy, bp_json_strerror(st));
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = fuzz_dup(data, size);
	size_t		n0 = 12345;
	size_t		n = 12345;
	size_t		off0 = 12345;
	size_t		off = 12345;
	bp_json_status st0;
	bp_json_status st;
	bp_json_token *tok;

	st0 = bp_json_parse_at(text, size, NULL, 0, &n0, &off0);
	FUZZ_ASSERT(bp_json_strerror(st0) != NULL);
	FUZZ_ASSERT(st0 != BP_JSON_TOO_MANY_TOKENS && st0 != BP_JSON_BAD_ARGUMENT);
	FUZZ_ASSERT(st0 == BP_JSON_OK ? off0 == 0 : off0 <= size);
	FUZZ_ASSERT(n0 <= size);

	{
		size_t		ref_tokens = 0;
		bool		valid = ref_valid(text, size, &ref_tokens);

		FUZZ_ASSERT_MSG(valid == (st0 == BP_JSON_OK), "parser: %s, reference: %s",
						bp_json_strerror(st0), valid ? "valid" : "invalid");
		FUZZ_ASSERT(!valid || ref_tokens == n0);
	}

	tok = fuzz_malloc(n0 * sizeof(bp_json_token));
	st = bp_json_parse_at(text, size, tok, n0, &n, &off);
	FUZZ_ASSERT(st == st0 && n == n0 && off == off0);
	FUZZ_ASSERT((st == BP_JSON_OK) == (bp_json_parse(text, size, tok, n0, &n) == BP_JSON_OK));

	if (st == BP_JSON_OK)
	{
		FUZZ_ASSERT(n >= 1);
		/* one token fewer */
		if (n > 1)
		{
			bp_json_token *fewer = fuzz_malloc((n - 1) * sizeof(bp_json_token));
			size_t		m = 0;

			FUZZ_ASSERT(bp_json_parse(text, size, fewer, n - 1, &m) == BP_JSON_TOO_MANY_TOKENS &&
						m == n - 1);
			free(fewer);
		}

		/* the tree */
		FUZZ_ASSERT(tok[0].parent == BP_JSON_NO_PARENT);
		FUZZ_ASSERT(bp_json_skip(tok, n, 0) == (int) n);
		for (size_t i = 0; i < n; i++)
		{
			const bp_json_token *t = &tok[i];
			size_t		children = 0;
			int			next = bp_json_skip(tok, n, (int) i);

			FUZZ_ASSERT(t->type >= BP_JSON_OBJECT && t->type <= BP_JSON_NULL);
			FUZZ_ASSERT(t->start <= t->end && t->end <= size);
			if (t->type == BP_JSON_STRING)
				FUZZ_ASSERT(t->start > 0 && text[t->start - 1] == '"' && t->end < size &&
							text[t->end] == '"');
			if (t->type != BP_JSON_OBJECT && t->type != BP_JSON_ARRAY)
				FUZZ_ASSERT(t->size == 0);
			if (i > 0)
			{
				FUZZ_ASSERT(t->parent >= 0 && (size_t) t->parent < i);
				FUZZ_ASSERT(tok[t->parent].type == BP_JSON_OBJECT ||
							tok[t->parent].type == BP_JSON_ARRAY);
				FUZZ_ASSERT(t->start >= tok[t->parent].start && t->end <= tok[t->parent].end);
			}
			FUZZ_ASSERT(next > (int) i && (size_t) next <= n);
			for (size_t k = i + 1; k < (size_t) next; k++)
			{
				FUZZ_ASSERT(tok[k].parent >= (int) i);
				if (tok[k].parent == (int) i)
					children++;
			}
			if ((size_t) next < n)
				FUZZ_ASSERT(tok[next].parent < (int) i);
			FUZZ_ASSERT(children == (t->type == BP_JSON_OBJECT ? 2 * t->size : t->size));

			if (t->type == BP_JSON_STRING)
				check_string(text, t);
			else if (t->type == BP_JSON_NUMBER)
				check_number(text, t);
			else
				FUZZ_ASSERT(bp_json_int64(text, t, &(int64_t) {0}) == BP_JSON_BAD_ARGUMENT);

			/* object members: keys are strings, object_get finds the first */
			if (t->type == BP_JSON_OBJECT)
			{
				int			k = (int) i + 1;

				for (size_t m = 0; m < t->size; m++)
				{
					size_t		klen = 0;
					char	   *key;

					FUZZ_ASSERT(tok[k].type == BP_JSON_STRING && tok[k].parent == (int) i);
					FUZZ_ASSERT(bp_json_unescape(text, &tok[k], NULL, 0, &klen) == BP_JSON_OK);
					key = fuzz_malloc(klen + 1);
					FUZZ_ASSERT(bp_json_unescape(text, &tok[k], key, klen, &klen) == BP_JSON_OK);
					key[klen] = '\0';
					if (strlen(key) == klen)
					{
						int			v = bp_json_object_get(text, tok, n, (int) i, key);

						FUZZ_ASSERT(v > (int) i && v <= k + 1);
						FUZZ_ASSERT(tok[v].parent == (int) i);
						FUZZ_ASSERT(bp_json_string_equals(text, &tok[v - 1], key, klen));
					}
					free(key);
					k = bp_json_skip(tok, n, k + 1);
				}
			}
			else
				FUZZ_ASSERT(bp_json_object_get(text, tok, n, (int) i, "") == -1);
		}

		/* write the tree back and read it again */
		{
			writer		w = {fuzz_malloc(size), 0, size};
			bp_json_token *tok2 = fuzz_malloc(n * sizeof(bp_json_token));
			size_t		n2 = 0;

			FUZZ_ASSERT(emit(&w, text, tok, n, 0) == (int) n);
			FUZZ_ASSERT(bp_json_parse(w.buf, w.len, tok2, n, &n2) == BP_JSON_OK && n2 == n);
			for (size_t i = 0; i < n; i++)
			{
				FUZZ_ASSERT(tok2[i].type == tok[i].type && tok2[i].size == tok[i].size &&
							tok2[i].parent == tok[i].parent);
				FUZZ_ASSERT(tok2[i].end - tok2[i].start == tok[i].end - tok[i].start ||
							tok[i].type == BP_JSON_OBJECT || tok[i].type == BP_JSON_ARRAY);
			}
			free(tok2);
			free(w.buf);
		}
	}
	FUZZ_ASSERT(bp_json_skip(tok, n, (int) n) == -1);
	FUZZ_ASSERT(bp_json_skip(tok, n, -1) == -1);
	free(tok);
	free(text);
	return 0;
}
