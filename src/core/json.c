/*
 * json.c — strict RFC 8259 reader into caller-provided tokens.
 *
 * The parser is a loop over a small state machine with an explicit stack of
 * open containers (BP_JSON_MAX_DEPTH entries on the C stack), so hostile
 * nesting can neither recurse nor run past the limit.  Strings are fully
 * validated while parsing; the helpers decode them again on demand instead
 * of storing decoded copies anywhere.
 */
#include "json.h"

#include <limits.h>
#include <string.h>

typedef enum parse_state
{
	ST_VALUE,					/* a value must come */
	ST_VALUE_OR_CLOSE,			/* just after '[' */
	ST_KEY,						/* after ',' in an object */
	ST_KEY_OR_CLOSE,			/* just after '{' */
	ST_COLON,					/* after a key */
	ST_COMMA_OR_CLOSE,			/* after a value inside a container */
	ST_DONE						/* the top-level value is complete */
} parse_state;

/* Everything one parse needs, on the caller's stack. */
typedef struct parser
{
	const char *text;
	size_t		len;
	size_t		pos;
	bp_json_token *tokens;		/* NULL: only count */
	size_t		cap;			/* token capacity, at most INT_MAX */
	size_t		n;				/* tokens made so far */
	int			depth;
	int			open[BP_JSON_MAX_DEPTH];	/* token index of each open container */
	bool		open_is_object[BP_JSON_MAX_DEPTH];
} parser;

static bool
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

int
bp_hex_digit_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Length of the well-formed UTF-8 sequence at s (Unicode table 3-7), or 0
 * when it is ill-formed or cut off by avail.
 */
static size_t
utf8_sequence_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;
	size_t		need;
	size_t		k;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;			/* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F;			/* no encoded surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		need = 4;
		if (c == 0xF0)
			lo = 0x90;			/* no overlong forms */
		else if (c == 0xF4)
			hi = 0x8F;			/* nothing above U+10FFFF */
	}
	else
		return 0;				/* continuation byte, C0, C1 or F5..FF */

	if (avail < need)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (k = 2; k < need; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return need;
}

/* Four hex digits at text[p, p + 4) within end. */
static bp_json_status
read_hex4(const char *text, size_t p, size_t end, uint32_t *out)
{
	uint32_t	v = 0;
	int			k;

	for (k = 0; k < 4; k++)
	{
		int			h;

		if (p + k >= end)
			return BP_JSON_UNEXPECTED_END;
		h = bp_hex_digit_value((unsigned char) text[p + k]);
		if (h < 0)
			return BP_JSON_BAD_ESCAPE;
		v = (v << 4) | (uint32_t) h;
	}
	*out = v;
	return BP_JSON_OK;
}

/*
 * Decode the escape starting at the backslash text[*p], not reading at or
 * past end.  Gives the code point and moves *p past the escape (both halves
 * of a surrogate pair).  On error *p is where the problem is.
 */
static bp_json_status
decode_escape(const char *text, size_t *p, size_t end, uint32_t *cp)
{
	size_t		q = *p + 1;
	uint32_t	hi;
	uint32_t	lo;
	bp_json_status st;

	if (q >= end)
		return BP_JSON_UNEXPECTED_END;
	switch (text[q])
	{
		case '"':
			*cp = '"';
			break;
		case '\\':
			*cp = '\\';
			break;
		case '/':
			*cp = '/';
			break;
		case 'b':
			*cp = 0x08;
			break;
		case 'f':
			*cp = 0x0C;
			break;
		case 'n':
			*cp = 0x0A;
			break;
		case 'r':
			*cp = 0x0D;
			break;
		case 't':
			*cp = 0x09;
			break;
		case 'u':
			if ((st = read_hex4(text, q + 1, end, &hi)) != BP_JSON_OK)
			{
				*p = q;
				return st;
			}
			q += 5;
			if (hi >= 0xDC00 && hi <= 0xDFFF)
				return BP_JSON_BAD_SURROGATE;	/* low half first */
			if (hi >= 0xD800 && hi <= 0xDBFF)
			{
				/* A high half must be followed at once by "\u" and a low half. */
				if (q >= end || (text[q] == '\\' && q + 1 >= end))
				{
					*p = q;
					return BP_JSON_UNEXPECTED_END;
				}
				if (text[q] != '\\' || text[q + 1] != 'u')
					return BP_JSON_BAD_SURROGATE;
				if ((st = read_hex4(text, q + 2, end, &lo)) != BP_JSON_OK)
				{
					*p = q;
					return st;
				}
				if (lo < 0xDC00 || lo > 0xDFFF)
					return BP_JSON_BAD_SURROGATE;
				*cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
				*p = q + 6;
				return BP_JSON_OK;
			}
			*cp = hi;
			*p = q;
			return BP_JSON_OK;
		default:
			*p = q;
			return BP_JSON_BAD_ESCAPE;
	}
	*p = q + 1;
	return BP_JSON_OK;
}

/* UTF-8 for a code point that is not a surrogate: 1 to 4 bytes. */
static size_t
utf8_encode(uint32_t cp, unsigned char out[4])
{
	if (cp < 0x80)
	{
		out[0] = (unsigned char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (unsigned char) (0xC0 | (cp >> 6));
		out[1] = (unsigned char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (unsigned char) (0xE0 | (cp >> 12));
		out[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char) (0xF0 | (cp >> 18));
	out[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (unsigned char) (0x80 | (cp & 0x3F));
	return 4;
}

/*
 * The next unescaped bytes of the string content text[*p, end): one raw
 * byte, or the UTF-8 of one escape.  Raw bytes were validated by the parser.
 */
static bp_json_status
next_unit(const char *text, size_t *p, size_t end, unsigned char buf[4],
		  size_t *n)
{
	uint32_t	cp;
	bp_json_status st;

	if (text[*p] != '\\')
	{
		buf[0] = (unsigned char) text[*p];
		*n = 1;
		(*p)++;
		return BP_JSON_OK;
	}
	if ((st = decode_escape(text, p, end, &cp)) != BP_JSON_OK)
		return st;
	*n = utf8_encode(cp, buf);
	return BP_JSON_OK;
}

/* ---- parsing ---------------------------------------------------------- */

/* Make a token (or count one); its index in *index. */
static bp_json_status
new_token(parser *ps, bp_json_type type, size_t start, int *index)
{
	int			parent;

	if (ps->n >= ps->cap)
		return BP_JSON_TOO_MANY_TOKENS;
	parent = ps->depth > 0 ? ps->open[ps->depth - 1] : BP_JSON_NO_PARENT;
	if (ps->tokens)
	{
		bp_json_token *t = &ps->tokens[ps->n];

		t->type = type;
		t->start = start;
		t->end = start;
		t->size = 0;
		t->parent = parent;
	}
	*index = (int) ps->n;
	ps->n++;
	return BP_JSON_OK;
}

static void
set_end(parser *ps, int index, size_t end)
{
	if (ps->tokens)
		ps->tokens[index].end = end;
}

/*
 * Count one more child of the innermost open container: called for every
 * key and value, it counts keys in objects and values in arrays.
 */
static void
grow_container(parser *ps, bool is_key)
{
	if (ps->tokens && ps->depth > 0 &&
		ps->open_is_object[ps->depth - 1] == is_key)
		ps->tokens[ps->open[ps->depth - 1]].size++;
}

/* A string whose opening quote is at pos; its token excludes the quotes. */
static bp_json_status
parse_string(parser *ps)
{
	const char *text = ps->text;
	size_t		p = ps->pos + 1;
	int			index;
	bp_json_status st;

	if ((st = new_token(ps, BP_JSON_STRING, p, &index)) != BP_JSON_OK)
		return st;
	for (;;)
	{
		unsigned char c;

		if (p >= ps->len)
		{
			ps->pos = p;
			return BP_JSON_UNEXPECTED_END;
		}
		c = (unsigned char) text[p];
		if (c == '"')
			break;
		if (c == '\\')
		{
			uint32_t	cp;

			if ((st = decode_escape(text, &p, ps->len, &cp)) != BP_JSON_OK)
			{
				ps->pos = p;
				return st;
			}
		}
		else if (c < 0x20)
		{
			ps->pos = p;
			return BP_JSON_CONTROL_CHAR;
		}
		else
		{
			size_t		k = utf8_sequence_len((const unsigned char *) text + p,
											  ps->len - p);

			if (k == 0)
			{
				ps->pos = p;
				return BP_JSON_BAD_UTF8;
			}
			p += k;
		}
	}
	set_end(ps, index, p);
	ps->pos = p + 1;
	return BP_JSON_OK;
}

/* A number starting at pos ('-' or a digit). */
static bp_json_status
parse_number(parser *ps)
{
	const char *text = ps->text;
	size_t		len = ps->len;
	size_t		start = ps->pos;
	size_t		p = start;
	int			index;
	bp_json_status st;

	if (text[p] == '-')
		p++;
	if (p < len && text[p] == '0')
		p++;
	else if (p < len && text[p] >= '1' && text[p] <= '9')
	{
		while (p < len && is_digit((unsigned char) text[p]))
			p++;
	}
	else
		goto bad;
	if (p < len && text[p] == '.')
	{
		p++;
		if (p >= len || !is_digit((unsigned char) text[p]))
			goto bad;
		while (p < len && is_digit((unsigned char) text[p]))
			p++;
	}
	if (p < len && (text[p] == 'e' || text[p] == 'E'))
	{
		p++;
		if (p < len && (text[p] == '+' || text[p] == '-'))
			p++;
		if (p >= len || !is_digit((unsigned char) text[p]))
			goto bad;
		while (p < len && is_digit((unsigned char) text[p]))
			p++;
	}
	/* "01", "1.2.3", "1e2e3": the grammar stopped inside what looks like one number. */
	if (p < len && (is_digit((unsigned char) text[p]) || text[p] == '.' ||
					text[p] == 'e' || text[p] == 'E' ||
					text[p] == '+' || text[p] == '-'))
		goto bad;

	if ((st = new_token(ps, BP_JSON_NUMBER, start, &index)) != BP_JSON_OK)
		return st;
	set_end(ps, index, p);
	ps->pos = p;
	return BP_JSON_OK;

bad:
	ps->pos = p;
	return BP_JSON_BAD_NUMBER;
}

/* true, false or null starting at pos. */
static bp_json_status
parse_literal(parser *ps, const char *word, bp_json_type type)
{
	size_t		wlen = strlen(word);
	size_t		avail = ps->len - ps->pos;
	size_t		k;
	int			index;
	bp_json_status st;

	for (k = 0; k < wlen; k++)
	{
		if (k >= avail)
		{
			ps->pos += k;
			return BP_JSON_UNEXPECTED_END;
		}
		if (ps->text[ps->pos + k] != word[k])
		{
			ps->pos += k;
			return BP_JSON_UNEXPECTED_CHAR;
		}
	}
	if ((st = new_token(ps, type, ps->pos, &index)) != BP_JSON_OK)
		return st;
	set_end(ps, index, ps->pos + wlen);
	ps->pos += wlen;
	return BP_JSON_OK;
}

/* Start a value at pos: a scalar whole, or open a container. */
static bp_json_status
parse_value(parser *ps, parse_state *state)
{
	unsigned char c = (unsigned char) ps->text[ps->pos];
	bp_json_status st;

	if (c == '{' || c == '[')
	{
		int			index;

		if (ps->depth >= BP_JSON_MAX_DEPTH)
			return BP_JSON_TOO_DEEP;
		if ((st = new_token(ps, c == '{' ? BP_JSON_OBJECT : BP_JSON_ARRAY,
							ps->pos, &index)) != BP_JSON_OK)
			return st;
		grow_container(ps, false);
		ps->open[ps->depth] = index;
		ps->open_is_object[ps->depth] = (c == '{');
		ps->depth++;
		ps->pos++;
		*state = c == '{' ? ST_KEY_OR_CLOSE : ST_VALUE_OR_CLOSE;
		return BP_JSON_OK;
	}

	if (c == '"')
		st = parse_string(ps);
	else if (c == '-' || is_digit(c))
		st = parse_number(ps);
	else if (c == 't')
		st = parse_literal(ps, "true", BP_JSON_TRUE);
	else if (c == 'f')
		st = parse_literal(ps, "false", BP_JSON_FALSE);
	else if (c == 'n')
		st = parse_literal(ps, "null", BP_JSON_NULL);
	else
		return BP_JSON_UNEXPECTED_CHAR;
	if (st != BP_JSON_OK)
		return st;
	grow_container(ps, false);
	*state = ps->depth > 0 ? ST_COMMA_OR_CLOSE : ST_DONE;
	return BP_JSON_OK;
}

/* The closing bracket at pos ends the innermost container. */
static void
close_container(parser *ps, parse_state *state)
{
	ps->depth--;
	set_end(ps, ps->open[ps->depth], ps->pos + 1);
	ps->pos++;
	*state = ps->depth > 0 ? ST_COMMA_OR_CLOSE : ST_DONE;
}

static bp_json_status
run(parser *ps)
{
	parse_state state = ST_VALUE;

	for (;;)
	{
		unsigned char c;
		bool		in_object;
		bp_json_status st;

		while (ps->pos < ps->len && is_ws((unsigned char) ps->text[ps->pos]))
			ps->pos++;
		if (ps->pos >= ps->len)
		{
			if (state == ST_DONE)
				return BP_JSON_OK;
			return ps->n == 0 ? BP_JSON_EMPTY : BP_JSON_UNEXPECTED_END;
		}
		c = (unsigned char) ps->text[ps->pos];
		in_object = ps->depth > 0 && ps->open_is_object[ps->depth - 1];

		switch (state)
		{
			case ST_DONE:
				return BP_JSON_TRAILING;
			case ST_COLON:
				if (c != ':')
					return BP_JSON_UNEXPECTED_CHAR;
				ps->pos++;
				state = ST_VALUE;
				break;
			case ST_COMMA_OR_CLOSE:
				if (c == ',')
				{
					ps->pos++;
					state = in_object ? ST_KEY : ST_VALUE;
				}
				else if (c == (in_object ? '}' : ']'))
					close_container(ps, &state);
				else
					return BP_JSON_UNEXPECTED_CHAR;
				break;
			case ST_KEY_OR_CLOSE:
			case ST_KEY:
				if (c == '}' && state == ST_KEY_OR_CLOSE)
				{
					close_container(ps, &state);
					break;
				}
				if (c != '"')
					return BP_JSON_UNEXPECTED_CHAR;
				grow_container(ps, true);
				if ((st = parse_string(ps)) != BP_JSON_OK)
					return st;
				state = ST_COLON;
				break;
			case ST_VALUE_OR_CLOSE:
				if (c == ']')
				{
					close_container(ps, &state);
					break;
				}
				/* FALLTHROUGH */
			case ST_VALUE:
				if ((st = parse_value(ps, &state)) != BP_JSON_OK)
					return st;
				break;
		}
	}
}

bp_json_status
bp_json_parse_at(const char *text, size_t len, bp_json_token *tokens,
				 size_t max_tokens, size_t *n_tokens, size_t *error_offset)
{
	parser		ps;
	bp_json_status st;

	if (n_tokens)
		*n_tokens = 0;
	if (error_offset)
		*error_offset = 0;
	if (n_tokens == NULL || (text == NULL && len > 0))
		return BP_JSON_BAD_ARGUMENT;

	ps.text = text;
	ps.len = len;
	ps.pos = 0;
	ps.tokens = tokens;
	ps.cap = tokens == NULL || max_tokens > INT_MAX ? (size_t) INT_MAX : max_tokens;
	ps.n = 0;
	ps.depth = 0;

	st = run(&ps);
	*n_tokens = ps.n;
	if (st != BP_JSON_OK && error_offset)
		*error_offset = ps.pos;
	return st;
}

bp_json_status
bp_json_parse(const char *text, size_t len, bp_json_token *tokens,
			  size_t max_tokens, size_t *n_tokens)
{
	return bp_json_parse_at(text, len, tokens, max_tokens, n_tokens, NULL);
}

/* ---- reading tokens --------------------------------------------------- */

int
bp_json_skip(const bp_json_token *tokens, size_t n, int index)
{
	size_t		i;
	size_t		remaining = 1;

	if (tokens == NULL || index < 0 || (size_t) index >= n)
		return -1;
	for (i = (size_t) index; remaining > 0; i++)
	{
		const bp_json_token *t;

		if (i >= n)
			return -1;
		t = &tokens[i];
		remaining--;
		if (t->type == BP_JSON_OBJECT)
		{
			if (t->size > (SIZE_MAX - remaining) / 2)
				return -1;
			remaining += 2 * t->size;
		}
		else if (t->type == BP_JSON_ARRAY)
		{
			if (t->size > SIZE_MAX - remaining)
				return -1;
			remaining += t->size;
		}
	}
	if (i > INT_MAX)
		return -1;
	return (int) i;
}

bool
bp_json_string_equals(const char *text, const bp_json_token *tok,
					  const char *s, size_t s_len)
{
	size_t		p;
	size_t		matched = 0;

	if (text == NULL || tok == NULL || tok->type != BP_JSON_STRING ||
		(s == NULL && s_len > 0))
		return false;
	for (p = tok->start; p < tok->end;)
	{
		unsigned char buf[4];
		size_t		k;

		if (next_unit(text, &p, tok->end, buf, &k) != BP_JSON_OK)
			return false;
		if (k > s_len - matched || memcmp(buf, s + matched, k) != 0)
			return false;
		matched += k;
	}
	return matched == s_len;
}

/*
 * Order two string tokens of text by their unescaped bytes, as memcmp
 * would order the unescaped strings (a prefix first).  Compared as byte
 * streams: next_unit gives an escape's character whole but raw UTF-8 a byte
 * at a time.  A token that does not unescape compares equal to anything,
 * so it would be refused as a repeat; duplicate_key_in checks every key
 * before it sorts, so that only backs it up.
 */
static int
strings_compare(const char *text, const bp_json_token *a, const bp_json_token *b)
{
	size_t		pa = a->start,
				pb = b->start,
				ia = 0,
				ib = 0,
				ka = 0,
				kb = 0;
	unsigned char ca[4],
				cb[4];

	for (;;)
	{
		if (ia == ka && pa < a->end)
		{
			if (next_unit(text, &pa, a->end, ca, &ka) != BP_JSON_OK)
				return 0;
			ia = 0;
		}
		if (ib == kb && pb < b->end)
		{
			if (next_unit(text, &pb, b->end, cb, &kb) != BP_JSON_OK)
				return 0;
			ib = 0;
		}
		if (ia == ka || ib == kb)	/* one side has run out */
			return (ia != ka) - (ib != kb);
		if (ca[ia] != cb[ib])
			return ca[ia] < cb[ib] ? -1 : 1;
		ia++;
		ib++;
	}
}

/*
 * Key order for the sort: by unescaped key, then by token index, so equal
 * keys end up next to each other in document order.
 */
static bool
key_before(const char *text, const bp_json_token *tokens, int a, int b)
{
	int			c = strings_compare(text, &tokens[a], &tokens[b]);

	return c < 0 || (c == 0 && a < b);
}

/*
 * Heapsort of key token indices: in place and without recursion, so it
 * needs no memory beyond the caller's array, and O(m log m) always.
 */
static void
sift_down(const char *text, const bp_json_token *tokens, int *keys,
		  size_t root, size_t count)
{
	for (;;)
	{
		size_t		child = 2 * root + 1;
		int			tmp;

		if (child >= count)
			return;
		if (child + 1 < count &&
			key_before(text, tokens, keys[child], keys[child + 1]))
			child++;
		if (!key_before(text, tokens, keys[root], keys[child]))
			return;
		tmp = keys[root];
		keys[root] = keys[child];
		keys[child] = tmp;
		root = child;
	}
}

static void
sort_keys(const char *text, const bp_json_token *tokens, int *keys, size_t count)
{
	for (size_t i = count / 2; i-- > 0;)
		sift_down(text, tokens, keys, i, count);
	for (size_t end = count; end-- > 1;)
	{
		int			tmp = keys[0];

		keys[0] = keys[end];
		keys[end] = tmp;
		sift_down(text, tokens, keys, 0, end);
	}
}

/*
 * The first key of the object at o that repeats an earlier key of it, or
 * one that cannot be read (not a string, or does not unescape: the caller
 * cannot tell whether it repeats, so it is reported and refused too); -1
 * when there is none.  Sorts when the object's keys fit scratch, else
 * compares pairwise (slow, but right, for a caller short of scratch).
 */
static int
duplicate_key_in(const char *text, const bp_json_token *tokens, size_t n,
				 int o, int *scratch, size_t scratch_len)
{
	size_t		members = tokens[o].size;
	size_t		count = 0;
	int			first = -1;
	int			k = o + 1;
	bool		sorted = scratch != NULL && members <= scratch_len;

	for (size_t m = 0; m < members && k >= 0 && (size_t) k < n; m++)
	{
		size_t		unused;

		if (tokens[k].type != BP_JSON_STRING ||
			bp_json_unescape(text, &tokens[k], NULL, 0, &unused) != BP_JSON_OK)
			return k;
		if (sorted)
			scratch[count++] = k;
		else
		{
			/* against every earlier key; the first hit is the earliest repeat */
			int			j = o + 1;

			for (size_t e = 0; e < m; e++)
			{
				if (strings_compare(text, &tokens[j], &tokens[k]) == 0)
					return k;
				j = bp_json_skip(tokens, n, j + 1);
			}
		}
		k = bp_json_skip(tokens, n, k + 1);
	}
	if (!sorted)
		return -1;
	sort_keys(text, tokens, scratch, count);
	/* In a run of equal keys the second is the run's first repeat. */
	for (size_t i = 1; i < count; i++)
		if (strings_compare(text, &tokens[scratch[i - 1]], &tokens[scratch[i]]) == 0 &&
			(first < 0 || scratch[i] < first))
			first = scratch[i];
	return first;
}

int
bp_json_find_duplicate_key(const char *text, const bp_json_token *tokens, size_t n,
						   int *scratch, size_t scratch_len)
{
	int			first = -1;

	if (text == NULL || tokens == NULL || n > INT_MAX)
		return -1;
	/*
	 * Objects in document order; an object's keys all come after it, so once
	 * an object starts past the earliest repeat found, none can beat it.
	 */
	for (size_t o = 0; o < n && (first < 0 || o < (size_t) first); o++)
	{
		int			dup;

		if (tokens[o].type != BP_JSON_OBJECT || tokens[o].size == 0)
			continue;
		dup = duplicate_key_in(text, tokens, n, (int) o, scratch, scratch_len);
		if (dup >= 0 && (first < 0 || dup < first))
			first = dup;
	}
	return first;
}

/*
 * Members that bp_json_duplicate_key sorts on its own stack (256 bytes):
 * more than any JWT header or claims set we have seen.
 */
#define DUPLICATE_KEY_STACK_MEMBERS 64

int
bp_json_duplicate_key(const char *text, const bp_json_token *tokens, size_t n)
{
	int			scratch[DUPLICATE_KEY_STACK_MEMBERS];

	return bp_json_find_duplicate_key(text, tokens, n, scratch, sizeof(scratch) / sizeof(scratch[0]));
}

int
bp_json_object_get(const char *text, const bp_json_token *tokens, size_t n,
				   int object_index, const char *key)
{
	size_t		key_len;
	size_t		m;
	int			i;

	if (text == NULL || tokens == NULL || key == NULL || object_index < 0 ||
		(size_t) object_index >= n || tokens[object_index].type != BP_JSON_OBJECT)
		return -1;
	key_len = strlen(key);
	i = object_index + 1;
	for (m = 0; m < tokens[object_index].size; m++)
	{
		if (i < 0 || (size_t) i + 1 >= n || tokens[i].type != BP_JSON_STRING)
			return -1;
		if (bp_json_string_equals(text, &tokens[i], key, key_len))
			return i + 1;
		i = bp_json_skip(tokens, n, i + 1);
	}
	return -1;
}

bp_json_status
bp_json_unescape(const char *text, const bp_json_token *tok, char *out,
				 size_t cap, size_t *out_len)
{
	size_t		p;
	size_t		o = 0;

	if (out_len == NULL)
		return BP_JSON_BAD_ARGUMENT;
	*out_len = 0;
	if (text == NULL || tok == NULL || tok->type != BP_JSON_STRING)
		return BP_JSON_BAD_ARGUMENT;
	for (p = tok->start; p < tok->end;)
	{
		unsigned char buf[4];
		size_t		k;
		bp_json_status st;

		if ((st = next_unit(text, &p, tok->end, buf, &k)) != BP_JSON_OK)
			return st;
		if (out)
		{
			if (k > cap - o)
				return BP_JSON_BUFFER_TOO_SMALL;
			memcpy(out + o, buf, k);
		}
		o += k;
	}
	*out_len = o;
	return BP_JSON_OK;
}

bp_json_status
bp_json_int64(const char *text, const bp_json_token *tok, int64_t *out)
{
	size_t		p;
	bool		negative = false;
	uint64_t	magnitude = 0;
	uint64_t	limit;
	size_t		digits = 0;
	size_t		q;

	if (text == NULL || tok == NULL || out == NULL ||
		tok->type != BP_JSON_NUMBER)
		return BP_JSON_BAD_ARGUMENT;
	p = tok->start;
	if (p < tok->end && text[p] == '-')
	{
		negative = true;
		p++;
	}
	/* Check the whole token first, so "1e999999999999999999" is not a range error. */
	for (q = p; q < tok->end; q++)
		if (!is_digit((unsigned char) text[q]))
			return text[q] == '.' || text[q] == 'e' || text[q] == 'E' ?
				BP_JSON_NOT_INTEGER : BP_JSON_BAD_ARGUMENT;

	/* |INT64_MIN| is one more than INT64_MAX. */
	limit = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	for (; p < tok->end; p++)
	{
		unsigned int d = (unsigned int) (text[p] - '0');

		if (magnitude > (limit - d) / 10)
			return BP_JSON_OUT_OF_RANGE;
		magnitude = magnitude * 10 + d;
		digits++;
	}
	if (digits == 0)
		return BP_JSON_BAD_ARGUMENT;
	if (!negative)
		*out = (int64_t) magnitude;
	else if (magnitude == (uint64_t) INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t) magnitude;
	return BP_JSON_OK;
}

const char *
bp_json_strerror(bp_json_status status)
{
	switch (status)
	{
		case BP_JSON_OK:
			return "No error.";
		case BP_JSON_BAD_ARGUMENT:
			return "A required argument is missing or refers to the wrong kind of token.";
		case BP_JSON_EMPTY:
			return "The JSON text contains no value.";
		case BP_JSON_UNEXPECTED_END:
			return "The JSON text ends before the value is complete.";
		case BP_JSON_UNEXPECTED_CHAR:
			return "The JSON text contains a character that is not allowed there.";
		case BP_JSON_TRAILING:
			return "The JSON text continues after its value.";
		case BP_JSON_BAD_NUMBER:
			return "The JSON text contains a malformed number.";
		case BP_JSON_CONTROL_CHAR:
			return "A JSON string contains an unescaped control character.";
		case BP_JSON_BAD_ESCAPE:
			return "A JSON string contains an invalid escape sequence.";
		case BP_JSON_BAD_SURROGATE:
			return "A JSON string contains a UTF-16 surrogate that is not part of a pair.";
		case BP_JSON_BAD_UTF8:
			return "A JSON string contains invalid UTF-8.";
		case BP_JSON_TOO_DEEP:
			return "The JSON text is nested too deeply.";
		case BP_JSON_TOO_MANY_TOKENS:
			return "The JSON text has more values than the token buffer holds.";
		case BP_JSON_BUFFER_TOO_SMALL:
			return "The output buffer is too small.";
		case BP_JSON_NOT_INTEGER:
			return "The JSON number is not an integer.";
		case BP_JSON_OUT_OF_RANGE:
			return "The JSON number is outside the 64-bit integer range.";
	}
	return "Unknown JSON error.";
}
