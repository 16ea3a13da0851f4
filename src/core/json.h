/*
 * json.h — a strict, allocation-free JSON reader in the spirit of jsmn.
 *
 * bp_json_parse checks a text against RFC 8259 and describes it as a flat
 * array of tokens in document order, in memory the caller provides:
 *
 *   - exactly one value, with optional whitespace (space, tab, LF, CR)
 *     around it; no byte order mark, comments or trailing commas;
 *   - strings: no raw control characters (below U+0020), only the escapes
 *     \" \\ \/ \b \f \n \r \t \uXXXX, a \u surrogate only as a well-formed
 *     high-low pair, and well-formed UTF-8 (no overlong forms, no encoded
 *     surrogates, nothing above U+10FFFF);
 *   - numbers: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 *   - containers nested at most BP_JSON_MAX_DEPTH deep.
 *
 * Token layout.  A container's children follow it directly, each followed
 * by its own subtree.  An object's children alternate key (a string token),
 * value, key, value, ...; both key and value have the object as parent, and
 * the object's size counts members, so it has 2 * size direct children.
 * Duplicate keys are allowed, as the grammar allows them; lookups return the
 * first, and a caller to whom duplicates matter must check for them.
 *
 * Offsets: text[start, end) is the token's text.  For a string that is the
 * raw, still escaped content between the quotes (the quotes excluded, as in
 * jsmn); for everything else it is the whole value, brackets included.
 *
 * The helpers below take the text and the tokens bp_json_parse made from
 * it; they check indices and types, but trust offsets to fit the text.
 *
 * Pure C99, no allocation, no global state.  Input need not be
 * NUL-terminated, and may hold NUL bytes (which then fail to parse).
 */
#ifndef BP_JSON_H
#define BP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

/* Deepest nesting of objects and arrays accepted ("[[1]]" is depth 2). */
#define BP_JSON_MAX_DEPTH 64

/* Parent index of the top-level value. */
#define BP_JSON_NO_PARENT (-1)

typedef enum bp_json_type
{
	BP_JSON_OBJECT = 1,			/* 0 is left unused, so a zeroed token is no type */
	BP_JSON_ARRAY,
	BP_JSON_STRING,
	BP_JSON_NUMBER,
	BP_JSON_TRUE,
	BP_JSON_FALSE,
	BP_JSON_NULL
} bp_json_type;

typedef struct bp_json_token
{
	bp_json_type type;
	size_t		start;			/* byte offset of the first byte */
	size_t		end;			/* byte offset just past the last byte */
	size_t		size;			/* members (object), elements (array), else 0 */
	int			parent;			/* index of the container, or BP_JSON_NO_PARENT */
} bp_json_token;

typedef enum bp_json_status
{
	BP_JSON_OK = 0,
	BP_JSON_BAD_ARGUMENT,		/* NULL pointer, bad index, or wrong token type */
	BP_JSON_EMPTY,				/* no value at all, only whitespace */
	BP_JSON_UNEXPECTED_END,		/* text ends inside a value */
	BP_JSON_UNEXPECTED_CHAR,	/* a byte the grammar does not allow there */
	BP_JSON_TRAILING,			/* something after the top-level value */
	BP_JSON_BAD_NUMBER,			/* a number not in the grammar, e.g. 01, 1., -, 1e */
	BP_JSON_CONTROL_CHAR,		/* raw byte below 0x20 inside a string */
	BP_JSON_BAD_ESCAPE,			/* unknown escape or \u without four hex digits */
	BP_JSON_BAD_SURROGATE,		/* \u surrogate not part of a high-low pair */
	BP_JSON_BAD_UTF8,			/* ill-formed UTF-8 inside a string */
	BP_JSON_TOO_DEEP,			/* nesting deeper than BP_JSON_MAX_DEPTH */
	BP_JSON_TOO_MANY_TOKENS,	/* valid so far, but more tokens than max_tokens */
	BP_JSON_BUFFER_TOO_SMALL,	/* unescaped string does not fit the output */
	BP_JSON_NOT_INTEGER,		/* number has a fraction or exponent */
	BP_JSON_OUT_OF_RANGE		/* integer outside the int64 range */
} bp_json_status;

/* A short English sentence describing a status, for error details. */
const char *bp_json_strerror(bp_json_status status);

/*
 * Parse len bytes of text into tokens[0, max_tokens).  *n_tokens receives
 * the number of tokens written: all of them on success, those written so
 * far on error (their end and size may then be incomplete).  With tokens
 * NULL the text is only checked and *n_tokens receives the number of tokens
 * it needs (max_tokens is ignored).  More than INT_MAX tokens count as too
 * many, since indices are int.  BP_JSON_TOO_MANY_TOKENS is reported as soon
 * as a token does not fit, so the rest of the text is unchecked then.
 */
bp_json_status bp_json_parse(const char *text, size_t len,
							 bp_json_token *tokens, size_t max_tokens,
							 size_t *n_tokens);

/*
 * The same, and on error *error_offset (may be NULL) receives the byte
 * offset where the problem was found, for messages.
 */
bp_json_status bp_json_parse_at(const char *text, size_t len,
								bp_json_token *tokens, size_t max_tokens,
								size_t *n_tokens, size_t *error_offset);

/*
 * Index just past the value at index and everything inside it: its next
 * sibling when it has one.  May equal n.  -1 for a bad index or tokens that
 * do not form complete subtrees.
 */
int			bp_json_skip(const bp_json_token *tokens, size_t n, int index);

/*
 * Index of the value of the first member of the object at object_index
 * whose key, unescaped, equals the NUL-terminated key.  -1 when there is
 * none, or object_index is not an object.
 */
int			bp_json_object_get(const char *text, const bp_json_token *tokens,
							   size_t n, int object_index, const char *key);

/*
 * The first key in the document (the lowest token index) that repeats an
 * earlier key of the same object, compared unescaped: "a" and "\u0061" are
 * the same key; -1 when every object's keys are distinct.  For texts whose
 * readers disagree on duplicates (first or last wins), such as JWT claims.
 * A key that is not a string token or does not unescape (tokens not made by
 * bp_json_parse from this text) is reported too: whether it repeats cannot
 * be told, and the caller refuses either way.
 *
 * Each object's keys are sorted in scratch, so an object of m members costs
 * O(m log m) comparisons.  scratch holds scratch_len ints and must hold the
 * largest object's member count to get that bound; n / 2 always suffices.
 * An object with more members than scratch_len (or scratch NULL) is checked
 * pairwise instead: the same answer, in quadratic time.
 */
int			bp_json_find_duplicate_key(const char *text, const bp_json_token *tokens,
									   size_t n, int *scratch, size_t scratch_len);

/*
 * The same with a small scratch array of its own on the stack: sorted for
 * objects of up to 64 members, pairwise beyond.  For small texts; a caller
 * that may meet large objects passes scratch to bp_json_find_duplicate_key.
 */
int			bp_json_duplicate_key(const char *text, const bp_json_token *tokens, size_t n);

/* Does the string token, unescaped, equal s[0, s_len)? */
bool		bp_json_string_equals(const char *text, const bp_json_token *tok,
								  const char *s, size_t s_len);

/*
 * Unescape a string token into out as UTF-8 (not NUL-terminated; it may
 * contain NUL from \u0000).  The unescaped value is never longer than
 * tok->end - tok->start.  With out NULL only *out_len is computed (cap is
 * ignored).  On error *out_len is 0 and out may hold a partial value.
 */
bp_json_status bp_json_unescape(const char *text, const bp_json_token *tok,
								char *out, size_t cap, size_t *out_len);

/*
 * Read a number token as an int64_t, exactly: BP_JSON_NOT_INTEGER for any
 * fraction or exponent (even "1.0" or "1e2"), BP_JSON_OUT_OF_RANGE outside
 * [-2^63, 2^63 - 1].  "-0" reads as 0.
 */
bp_json_status bp_json_int64(const char *text, const bp_json_token *tok,
							 int64_t *out);

/* The value of a hexadecimal digit (either case), or -1. */
int			bp_hex_digit_value(unsigned char c);

#ifdef __cplusplus
}
#endif

#endif							/* BP_JSON_H */
