/*
 * test_json.c — unit tests for src/core/json.c.
 *
 * The accept/reject corpus follows the spirit of JSONTestSuite (Nicolas
 * Seriot): y_ cases must parse, n_ cases must fail, with the status we
 * expect.  Of its i_ (implementation-defined) cases, we accept huge and
 * very precise numbers (their range is the reader's business) and reject
 * lone surrogates, invalid UTF-8 and a byte order mark.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "unit.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
/* A literal with its exact length, NUL bytes included. */
#define T(s) s, sizeof(s) - 1

static const char *const status_name[] = {
	"OK", "BAD_ARGUMENT", "EMPTY", "UNEXPECTED_END", "UNEXPECTED_CHAR",
	"TRAILING", "BAD_NUMBER", "CONTROL_CHAR", "BAD_ESCAPE", "BAD_SURROGATE",
	"BAD_UTF8", "TOO_DEEP", "TOO_MANY_TOKENS", "BUFFER_TOO_SMALL",
	"NOT_INTEGER", "OUT_OF_RANGE"
};

static const char *
name(bp_json_status st)
{
	return (size_t) st < LEN(status_name) ? status_name[st] : "?";
}

typedef struct json_case
{
	const char *text;
	size_t		len;
	bp_json_status want;
} json_case;

/* ---- y_: must parse ---------------------------------------------------- */

static const json_case accept[] = {
	{T("[]"), BP_JSON_OK},
	{T("{}"), BP_JSON_OK},
	{T("[[]   ]"), BP_JSON_OK},
	{T("[[[[]]]]"), BP_JSON_OK},
	{T("[{}]"), BP_JSON_OK},
	{T("[\"\"]"), BP_JSON_OK},
	{T("[\"a\"]"), BP_JSON_OK},
	{T("[false]"), BP_JSON_OK},
	{T("[null, 1, \"1\", {}]"), BP_JSON_OK},
	{T("[1\n]"), BP_JSON_OK},
	{T(" [1]"), BP_JSON_OK},
	{T(" \t\r\n[ 2 ] \t\r\n"), BP_JSON_OK},
	{T("[1,2,3]"), BP_JSON_OK},
	{T("{\"a\":{\"b\":{\"c\":[1,[2,[3]]]}}}"), BP_JSON_OK},
	/* top-level scalars (RFC 8259, unlike RFC 4627) */
	{T("\"asd\""), BP_JSON_OK},
	{T("123"), BP_JSON_OK},
	{T("-0"), BP_JSON_OK},
	{T("true"), BP_JSON_OK},
	{T("false"), BP_JSON_OK},
	{T("null"), BP_JSON_OK},
	{T(" 0 "), BP_JSON_OK},
	/* numbers */
	{T("[-0]"), BP_JSON_OK},
	{T("[-1]"), BP_JSON_OK},
	{T("[-123]"), BP_JSON_OK},
	{T("[0.5]"), BP_JSON_OK},
	{T("[0e1]"), BP_JSON_OK},
	{T("[0E+1]"), BP_JSON_OK},
	{T("[1E-2]"), BP_JSON_OK},
	{T("[1e1]"), BP_JSON_OK},
	{T("[123e65]"), BP_JSON_OK},
	{T("[-1.5e+9999]"), BP_JSON_OK},
	{T("[123.456e-789]"), BP_JSON_OK},
	{T("[123456789012345678901234567890]"), BP_JSON_OK},
	{T("[0.000000000000000000000000000001]"), BP_JSON_OK},
	/* objects: duplicate keys are grammatical */
	{T("{\"a\":\"b\",\"a\":\"c\"}"), BP_JSON_OK},
	{T("{\"\":0}"), BP_JSON_OK},
	{T("{\"a\":[]}"), BP_JSON_OK},
	{T("{\"asd\":\"sdf\", \"dfg\":\"fgh\"}"), BP_JSON_OK},
	{T("{ \"a\" : 1 , \"b\" : [ ] }"), BP_JSON_OK},
	/* escapes and Unicode */
	{T("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]"), BP_JSON_OK},
	{T("[\"\\u0060\\u012a\\u12AB\"]"), BP_JSON_OK},
	{T("[\"\\u0000\"]"), BP_JSON_OK},
	{T("[\"\\uD801\\udc37\"]"), BP_JSON_OK},
	{T("[\"\\ud83d\\ude39\\ud83d\\udc8d\"]"), BP_JSON_OK},
	{T("[\"\\uDBFF\\uDFFF\"]"), BP_JSON_OK},
	{T("[\"\\uFFFF\"]"), BP_JSON_OK},
	{T("[\"\\u2028\\u2029\"]"), BP_JSON_OK},
	{T("[\"\\uD7FF\\uE000\"]"), BP_JSON_OK},
	{T("[\"\xe2\x82\xac\xf0\x9d\x84\x9e\"]"), BP_JSON_OK},	/* € 𝄞 raw */
	{T("[\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\"]"), BP_JSON_OK},
	{T("[\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]"), BP_JSON_OK},	/* U+10000, U+10FFFF */
	{T("[\"\x7f\"]"), BP_JSON_OK},	/* DEL is not a control character here */
	{T("[\"a/*b*/c\"]"), BP_JSON_OK},
	{T("{\"\\u0061\":\"\\\"\"}"), BP_JSON_OK},
};

/* ---- n_: must fail, with this status ----------------------------------- */

static const json_case reject[] = {
	/* nothing there */
	{T(""), BP_JSON_EMPTY},
	{T(" \t\r\n"), BP_JSON_EMPTY},
	/* cut short */
	{T("["), BP_JSON_UNEXPECTED_END},
	{T("[1"), BP_JSON_UNEXPECTED_END},
	{T("[1,"), BP_JSON_UNEXPECTED_END},
	{T("{"), BP_JSON_UNEXPECTED_END},
	{T("{\"a\""), BP_JSON_UNEXPECTED_END},
	{T("{\"a\":"), BP_JSON_UNEXPECTED_END},
	{T("{\"a\":1"), BP_JSON_UNEXPECTED_END},
	{T("\""), BP_JSON_UNEXPECTED_END},
	{T("[\"a"), BP_JSON_UNEXPECTED_END},
	{T("\"abc"), BP_JSON_UNEXPECTED_END},
	{T("[\"a\\"), BP_JSON_UNEXPECTED_END},
	{T("\"\\u00"), BP_JSON_UNEXPECTED_END},
	{T("\"\\uD800"), BP_JSON_UNEXPECTED_END},
	{T("\"\\uD800\\"), BP_JSON_UNEXPECTED_END},
	{T("\"\\uD800\\uDC"), BP_JSON_UNEXPECTED_END},
	{T("nul"), BP_JSON_UNEXPECTED_END},
	{T("[tru"), BP_JSON_UNEXPECTED_END},
	/* structure */
	{T("[1,]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[,1]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[,]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[1,,2]"), BP_JSON_UNEXPECTED_CHAR},
	{T("{\"a\":1,}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{,}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{\"a\" 1}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{\"a\"::1}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{\"a\":1 \"b\":2}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{\"a\"}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{\"a\":}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{1:1}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{null:1}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{'a':1}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{a:1}"), BP_JSON_UNEXPECTED_CHAR},
	{T("['a']"), BP_JSON_UNEXPECTED_CHAR},
	{T("[1 2]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[1:2]"), BP_JSON_UNEXPECTED_CHAR},
	{T("]"), BP_JSON_UNEXPECTED_CHAR},
	{T("}"), BP_JSON_UNEXPECTED_CHAR},
	{T("[}"), BP_JSON_UNEXPECTED_CHAR},
	{T("{]"), BP_JSON_UNEXPECTED_CHAR},
	{T("{\"a\":1]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[1}"), BP_JSON_UNEXPECTED_CHAR},
	{T(":"), BP_JSON_UNEXPECTED_CHAR},
	{T("/*c*/[]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[/*c*/]"), BP_JSON_UNEXPECTED_CHAR},
	{T("\xef\xbb\xbf[]"), BP_JSON_UNEXPECTED_CHAR},	/* byte order mark */
	{T("[\xc3\xa9]"), BP_JSON_UNEXPECTED_CHAR},	/* non-ASCII outside a string */
	{T("[\f1]"), BP_JSON_UNEXPECTED_CHAR},	/* form feed is not whitespace */
	{T("[\v1]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[\xc2\xa0" "1]"), BP_JSON_UNEXPECTED_CHAR},	/* no-break space */
	{T("[\0]"), BP_JSON_UNEXPECTED_CHAR},
	/* literals */
	{T("[True]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[nulx]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[nulll]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[undefined]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[NaN]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[Infinity]"), BP_JSON_UNEXPECTED_CHAR},
	/* after the value */
	{T("[1]]"), BP_JSON_TRAILING},
	{T("[] x"), BP_JSON_TRAILING},
	{T("1 2"), BP_JSON_TRAILING},
	{T("{}{}"), BP_JSON_TRAILING},
	{T("[\"a\"]//c"), BP_JSON_TRAILING},
	{T("[1] /"), BP_JSON_TRAILING},
	{T("truefalse"), BP_JSON_TRAILING},
	{T("[]\0"), BP_JSON_TRAILING},
	{T("\"a\" \"b\""), BP_JSON_TRAILING},
	/* numbers */
	{T("[01]"), BP_JSON_BAD_NUMBER},
	{T("[00]"), BP_JSON_BAD_NUMBER},
	{T("[-01]"), BP_JSON_BAD_NUMBER},
	{T("[1.]"), BP_JSON_BAD_NUMBER},
	{T("[2.]"), BP_JSON_BAD_NUMBER},
	{T("1."), BP_JSON_BAD_NUMBER},
	{T("[-]"), BP_JSON_BAD_NUMBER},
	{T("-"), BP_JSON_BAD_NUMBER},
	{T("[- 1]"), BP_JSON_BAD_NUMBER},
	{T("[-.1]"), BP_JSON_BAD_NUMBER},
	{T("[1e]"), BP_JSON_BAD_NUMBER},
	{T("1e"), BP_JSON_BAD_NUMBER},
	{T("[1e+]"), BP_JSON_BAD_NUMBER},
	{T("[1E-]"), BP_JSON_BAD_NUMBER},
	{T("[1.e1]"), BP_JSON_BAD_NUMBER},
	{T("[1.2.3]"), BP_JSON_BAD_NUMBER},
	{T("[1e1.5]"), BP_JSON_BAD_NUMBER},
	{T("[1e2e3]"), BP_JSON_BAD_NUMBER},
	{T("[1+2]"), BP_JSON_BAD_NUMBER},
	{T("[0-1]"), BP_JSON_BAD_NUMBER},
	{T("[-Infinity]"), BP_JSON_BAD_NUMBER},
	{T("[-NaN]"), BP_JSON_BAD_NUMBER},
	{T("[.1]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[+1]"), BP_JSON_UNEXPECTED_CHAR},
	{T("+1"), BP_JSON_UNEXPECTED_CHAR},
	{T("[0x1]"), BP_JSON_UNEXPECTED_CHAR},
	{T("[1a]"), BP_JSON_UNEXPECTED_CHAR},
	/* raw control characters in strings */
	{T("[\"a\tb\"]"), BP_JSON_CONTROL_CHAR},
	{T("[\"\t\"]"), BP_JSON_CONTROL_CHAR},
	{T("[\"a\nb\"]"), BP_JSON_CONTROL_CHAR},
	{T("[\"\r\"]"), BP_JSON_CONTROL_CHAR},
	{T("[\"\x01\"]"), BP_JSON_CONTROL_CHAR},
	{T("[\"\x1f\"]"), BP_JSON_CONTROL_CHAR},
	{T("[\"a\0b\"]"), BP_JSON_CONTROL_CHAR},
	{T("{\"a\tb\":1}"), BP_JSON_CONTROL_CHAR},
	/* escapes */
	{T("[\"\\x41\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\a\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\'\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\U0041\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\0\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\ \"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\\t\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\u00\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\u00G0\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\u-123\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\u 123\"]"), BP_JSON_BAD_ESCAPE},
	{T("[\"\\uD800\\u12\"]"), BP_JSON_BAD_ESCAPE},
	/* surrogates */
	{T("[\"\\uD800\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\uDBFF\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\uDC00\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\uDFFF\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\uDC00\\uD800\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\uD800\\uD800\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\uD800\\u0041\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\uD800x\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\uD800\\n\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\uD800\\\\uDC00\"]"), BP_JSON_BAD_SURROGATE},
	{T("[\"\\ud83d\\ude39\\ud83d\"]"), BP_JSON_BAD_SURROGATE},
	/* UTF-8 */
	{T("[\"\x80\"]"), BP_JSON_BAD_UTF8},	/* lone continuation byte */
	{T("[\"\xbf\"]"), BP_JSON_BAD_UTF8},
	{T("[\"\xc0\xaf\"]"), BP_JSON_BAD_UTF8},	/* overlong '/' */
	{T("[\"\xc1\xbf\"]"), BP_JSON_BAD_UTF8},
	{T("[\"\xe0\x80\xaf\"]"), BP_JSON_BAD_UTF8},	/* overlong, 3 bytes */
	{T("[\"\xe0\x9f\xbf\"]"), BP_JSON_BAD_UTF8},
	{T("[\"\xf0\x80\x80\xaf\"]"), BP_JSON_BAD_UTF8},	/* overlong, 4 bytes */
	{T("[\"\xf0\x8f\xbf\xbf\"]"), BP_JSON_BAD_UTF8},
	{T("[\"\xed\xa0\x80\"]"), BP_JSON_BAD_UTF8},	/* encoded U+D800 */
	{T("[\"\xed\xbf\xbf\"]"), BP_JSON_BAD_UTF8},	/* encoded U+DFFF */
	{T("[\"\xf4\x90\x80\x80\"]"), BP_JSON_BAD_UTF8},	/* U+110000 */
	{T("[\"\xf5\x80\x80\x80\"]"), BP_JSON_BAD_UTF8},
	{T("[\"\xf8\x88\x80\x80\x80\"]"), BP_JSON_BAD_UTF8},	/* 5-byte form */
	{T("[\"\xfe\"]"), BP_JSON_BAD_UTF8},
	{T("[\"\xff\"]"), BP_JSON_BAD_UTF8},
	{T("[\"\xe2\x82\"]"), BP_JSON_BAD_UTF8},	/* cut short by the quote */
	{T("[\"\xe2\x82\x41\"]"), BP_JSON_BAD_UTF8},
	{T("[\"\xc3\"]"), BP_JSON_BAD_UTF8},
	{T("\"\xf0\x9d\x84"), BP_JSON_BAD_UTF8},	/* cut short by the end */
	{T("{\"\xc3\x28\":1}"), BP_JSON_BAD_UTF8},
};

static void
test_corpus(void)
{
	size_t		i;
	bp_json_token tokens[64];

	for (i = 0; i < LEN(accept); i++)
	{
		size_t		n = 0;
		size_t		counted = 0;
		bp_json_status st = bp_json_parse(accept[i].text, accept[i].len,
										  tokens, LEN(tokens), &n);

		CHECK_MSG(st == BP_JSON_OK, "y_ %s: %s", accept[i].text, name(st));
		if (st != BP_JSON_OK)
			continue;
		/* Counting alone agrees, and the top value spans every token. */
		st = bp_json_parse(accept[i].text, accept[i].len, NULL, 0, &counted);
		CHECK_MSG(st == BP_JSON_OK && counted == n, "y_ %s: counted %zu of %zu",
				  accept[i].text, counted, n);
		CHECK_MSG(bp_json_skip(tokens, n, 0) == (int) n, "y_ %s: skip", accept[i].text);
		CHECK_MSG(tokens[0].parent == BP_JSON_NO_PARENT, "y_ %s: root parent", accept[i].text);
	}
	for (i = 0; i < LEN(reject); i++)
	{
		size_t		n = 99;
		bp_json_status st = bp_json_parse(reject[i].text, reject[i].len,
										  tokens, LEN(tokens), &n);
		bp_json_status counted = bp_json_parse(reject[i].text, reject[i].len,
											   NULL, 0, &n);

		CHECK_MSG(st == reject[i].want, "n_ %s: %s, expected %s",
				  reject[i].text, name(st), name(reject[i].want));
		CHECK_MSG(counted == reject[i].want, "n_ %s (counting): %s, expected %s",
				  reject[i].text, name(counted), name(reject[i].want));
	}
}

/* Depth limit, token limit, text not NUL-terminated, error offsets. */
static void
test_limits(void)
{
	char		buf[8 * BP_JSON_MAX_DEPTH + 16];
	bp_json_token tokens[2 * BP_JSON_MAX_DEPTH + 8];
	size_t		n;
	size_t		off;
	int			d;
	int			k;
	size_t		p;

	/* Arrays: 64 deep is fine, 65 is not. */
	for (d = BP_JSON_MAX_DEPTH; d <= BP_JSON_MAX_DEPTH + 1; d++)
	{
		memset(buf, '[', d);
		memset(buf + d, ']', d);
		CHECK_INT_EQ(bp_json_parse(buf, 2 * d, tokens, LEN(tokens), &n),
					 d <= BP_JSON_MAX_DEPTH ? BP_JSON_OK : BP_JSON_TOO_DEEP);
		CHECK_INT_EQ(bp_json_parse(buf, 2 * d, NULL, 0, &n),
					 d <= BP_JSON_MAX_DEPTH ? BP_JSON_OK : BP_JSON_TOO_DEEP);
	}
	CHECK_INT_EQ(tokens[BP_JSON_MAX_DEPTH - 1].parent, BP_JSON_MAX_DEPTH - 2);

	/* Objects: {"a":{"a":...1...}} */
	for (d = BP_JSON_MAX_DEPTH; d <= BP_JSON_MAX_DEPTH + 1; d++)
	{
		p = 0;
		for (k = 0; k < d; k++)
		{
			memcpy(buf + p, "{\"a\":", 5);
			p += 5;
		}
		buf[p++] = '1';
		memset(buf + p, '}', d);
		p += d;
		CHECK_MSG(p <= sizeof(buf), "buffer");
		CHECK_INT_EQ(bp_json_parse(buf, p, tokens, LEN(tokens), &n),
					 d <= BP_JSON_MAX_DEPTH ? BP_JSON_OK : BP_JSON_TOO_DEEP);
		if (d == BP_JSON_MAX_DEPTH)
			CHECK_INT_EQ(n, 2 * d + 1);
	}

	/* An unclosed deep text fails on depth before it can end. */
	memset(buf, '[', sizeof(buf));
	CHECK_INT_EQ(bp_json_parse_at(buf, sizeof(buf), tokens, LEN(tokens), &n, &off),
				 BP_JSON_TOO_DEEP);
	CHECK_INT_EQ(off, BP_JSON_MAX_DEPTH);

	/* Too many tokens is its own status; one more slot and it fits. */
	CHECK_INT_EQ(bp_json_parse(T("[1,2,3]"), tokens, 3, &n), BP_JSON_TOO_MANY_TOKENS);
	CHECK_INT_EQ(n, 3);
	CHECK_INT_EQ(bp_json_parse(T("[1,2,3]"), tokens, 4, &n), BP_JSON_OK);
	CHECK_INT_EQ(n, 4);
	CHECK_INT_EQ(bp_json_parse(T("{\"a\":1}"), tokens, 2, &n), BP_JSON_TOO_MANY_TOKENS);
	CHECK_INT_EQ(bp_json_parse(T("1"), tokens, 0, &n), BP_JSON_TOO_MANY_TOKENS);
	CHECK_INT_EQ(bp_json_parse(T("[1,2,3]"), NULL, 0, &n), BP_JSON_OK);
	CHECK_INT_EQ(n, 4);

	/* Only len bytes are read. */
	CHECK_INT_EQ(bp_json_parse("[1]xyz", 3, tokens, LEN(tokens), &n), BP_JSON_OK);
	CHECK_INT_EQ(bp_json_parse("\"ab\"", 3, tokens, LEN(tokens), &n), BP_JSON_UNEXPECTED_END);
	CHECK_INT_EQ(bp_json_parse("123", 2, tokens, LEN(tokens), &n), BP_JSON_OK);
	CHECK_INT_EQ(tokens[0].end, 2);

	/* Where it went wrong. */
	CHECK_INT_EQ(bp_json_parse_at(T("[1,]"), tokens, LEN(tokens), &n, &off), BP_JSON_UNEXPECTED_CHAR);
	CHECK_INT_EQ(off, 3);
	CHECK_INT_EQ(bp_json_parse_at(T("{\"a\":01}"), tokens, LEN(tokens), &n, &off), BP_JSON_BAD_NUMBER);
	CHECK_INT_EQ(off, 6);
	CHECK_INT_EQ(bp_json_parse_at(T("[\"ab\tc\"]"), tokens, LEN(tokens), &n, &off), BP_JSON_CONTROL_CHAR);
	CHECK_INT_EQ(off, 4);
	CHECK_INT_EQ(bp_json_parse_at(T("[]  x"), tokens, LEN(tokens), &n, &off), BP_JSON_TRAILING);
	CHECK_INT_EQ(off, 4);
	CHECK_INT_EQ(bp_json_parse_at(T("[1]"), tokens, LEN(tokens), &n, &off), BP_JSON_OK);
	CHECK_INT_EQ(off, 0);

	/* Arguments. */
	CHECK_INT_EQ(bp_json_parse(T("1"), tokens, 1, NULL), BP_JSON_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_json_parse(NULL, 1, tokens, 1, &n), BP_JSON_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_json_parse(NULL, 0, tokens, 1, &n), BP_JSON_EMPTY);
}

/* Token layout of one document, by hand. */
static void
test_tokens(void)
{
	static const char doc[] = "{\"a\":[1,\"x\\n\"],\"b\":{},\"c\":true}";
	bp_json_token t[16];
	size_t		n;

	CHECK_INT_EQ(bp_json_parse(doc, strlen(doc), t, LEN(t), &n), BP_JSON_OK);
	CHECK_INT_EQ(n, 9);
	/* 0 object */
	CHECK_INT_EQ(t[0].type, BP_JSON_OBJECT);
	CHECK_INT_EQ(t[0].start, 0);
	CHECK_INT_EQ(t[0].end, strlen(doc));
	CHECK_INT_EQ(t[0].size, 3);
	CHECK_INT_EQ(t[0].parent, -1);
	/* 1 key "a": quotes excluded */
	CHECK_INT_EQ(t[1].type, BP_JSON_STRING);
	CHECK_INT_EQ(t[1].start, 2);
	CHECK_INT_EQ(t[1].end, 3);
	CHECK_INT_EQ(t[1].parent, 0);
	CHECK_INT_EQ(t[1].size, 0);
	/* 2 array, brackets included */
	CHECK_INT_EQ(t[2].type, BP_JSON_ARRAY);
	CHECK_INT_EQ(t[2].start, 5);
	CHECK_INT_EQ(t[2].end, 14);
	CHECK_INT_EQ(t[2].size, 2);
	CHECK_INT_EQ(t[2].parent, 0);
	/* 3 number, 4 string "x\n" still escaped */
	CHECK_INT_EQ(t[3].type, BP_JSON_NUMBER);
	CHECK_INT_EQ(t[3].start, 6);
	CHECK_INT_EQ(t[3].end, 7);
	CHECK_INT_EQ(t[3].parent, 2);
	CHECK_INT_EQ(t[4].type, BP_JSON_STRING);
	CHECK_INT_EQ(t[4].end - t[4].start, 3);
	CHECK_INT_EQ(t[4].parent, 2);
	/* 5 key "b", 6 empty object, 7 key "c", 8 true */
	CHECK_INT_EQ(t[6].type, BP_JSON_OBJECT);
	CHECK_INT_EQ(t[6].size, 0);
	CHECK_INT_EQ(t[6].end - t[6].start, 2);
	CHECK_INT_EQ(t[6].parent, 0);
	CHECK_INT_EQ(t[8].type, BP_JSON_TRUE);
	CHECK_INT_EQ(t[8].end - t[8].start, 4);
}

static void
test_skip(void)
{
	static const char doc[] = "[[1,[2]],{\"a\":{\"b\":3}},4]";
	bp_json_token t[16];
	size_t		n;

	CHECK_INT_EQ(bp_json_parse(doc, strlen(doc), t, LEN(t), &n), BP_JSON_OK);
	CHECK_INT_EQ(n, 11);
	CHECK_INT_EQ(bp_json_skip(t, n, 0), 11);
	CHECK_INT_EQ(bp_json_skip(t, n, 1), 5);
	CHECK_INT_EQ(bp_json_skip(t, n, 2), 3);
	CHECK_INT_EQ(bp_json_skip(t, n, 3), 5);
	CHECK_INT_EQ(bp_json_skip(t, n, 5), 10);
	CHECK_INT_EQ(bp_json_skip(t, n, 6), 7);		/* a key skips to its value */
	CHECK_INT_EQ(bp_json_skip(t, n, 7), 10);
	CHECK_INT_EQ(bp_json_skip(t, n, 10), 11);
	CHECK_INT_EQ(bp_json_skip(t, n, -1), -1);
	CHECK_INT_EQ(bp_json_skip(t, n, 11), -1);
	CHECK_INT_EQ(bp_json_skip(t, 4, 1), -1);	/* subtree cut off */
	CHECK_INT_EQ(bp_json_skip(NULL, n, 0), -1);
}

/* The first repeated key, in any object, compared unescaped. */
static int
duplicate_in(const char *doc)
{
	bp_json_token t[64];
	size_t		n;

	if (bp_json_parse(doc, strlen(doc), t, LEN(t), &n) != BP_JSON_OK)
		return -2;
	return bp_json_duplicate_key(doc, t, n);
}

static void
test_duplicate_key(void)
{
	CHECK_INT_EQ(duplicate_in("{}"), -1);
	CHECK_INT_EQ(duplicate_in("[1,2,1]"), -1);
	CHECK_INT_EQ(duplicate_in("{\"a\":1,\"b\":2,\"ab\":3,\"\":4}"), -1);
	CHECK_INT_EQ(duplicate_in("{\"exp\":1,\"exp\":2}"), 3);
	/* the second of three, after a nested value */
	CHECK_INT_EQ(duplicate_in("{\"a\":{\"x\":[1,{\"y\":2}]},\"b\":1,\"a\":3}"), 11);
	/* escapes: the same key written two ways */
	CHECK_INT_EQ(duplicate_in("{\"role\":1,\"r\\u006fle\":2}"), 3);
	CHECK_INT_EQ(duplicate_in("{\"\\u00e9\":1,\"\xc3\xa9\":2}"), 3);
	CHECK_INT_EQ(duplicate_in("{\"\\ud834\\udd1e\":1,\"\xf0\x9d\x84\x9e\":2}"), 3);
	/* a prefix is not a duplicate, nor the same key in two objects */
	CHECK_INT_EQ(duplicate_in("{\"a\":1,\"a\\u0000\":2}"), -1);
	CHECK_INT_EQ(duplicate_in("{\"a\":{\"k\":1},\"b\":{\"k\":2}}"), -1);
	/* inside a nested object */
	CHECK_INT_EQ(duplicate_in("[{\"k\":1},{\"k\":1,\"k\":2}]"), 7);
	CHECK_INT_EQ(bp_json_duplicate_key(NULL, NULL, 0), -1);
}

/* bp_json_find_duplicate_key with scratch for every object, sorted path. */
static int
duplicate_sorted_in(const char *doc)
{
	bp_json_token t[64];
	int			scratch[32];
	size_t		n;

	if (bp_json_parse(doc, strlen(doc), t, LEN(t), &n) != BP_JSON_OK)
		return -2;
	return bp_json_find_duplicate_key(doc, t, n, scratch, LEN(scratch));
}

/* Without scratch: the pairwise fallback, which must give the same answer. */
static int
duplicate_pairwise_in(const char *doc)
{
	bp_json_token t[64];
	size_t		n;

	if (bp_json_parse(doc, strlen(doc), t, LEN(t), &n) != BP_JSON_OK)
		return -2;
	return bp_json_find_duplicate_key(doc, t, n, NULL, 0);
}

static void
test_find_duplicate_key(void)
{
	static const struct
	{
		const char *doc;
		int			want;
	}			cases[] = {
		/* no duplicates */
		{"{}", -1},
		{"{\"a\":1}", -1},
		{"{\"b\":1,\"a\":2,\"c\":3,\"ab\":4,\"\":5}", -1},
		{"[{\"a\":1},{\"b\":2}]", -1},
		/* at the top level: the second occurrence, not the first */
		{"{\"a\":1,\"a\":2}", 3},
		{"{\"z\":1,\"b\":2,\"y\":3,\"b\":4}", 7},
		/* three of a kind: the first repeat */
		{"{\"k\":1,\"x\":2,\"k\":3,\"k\":4}", 5},
		/* two repeated keys: the earlier repeat, whatever their sort order */
		{"{\"z\":1,\"a\":2,\"z\":3,\"a\":4}", 5},
		/* in nested objects */
		{"{\"o\":{\"p\":{\"q\":1,\"q\":2}}}", 7},
		{"[1,[{\"a\":{},\"a\":[]}]]", 6},
		/* a nested repeat before the outer one is the first in the text */
		{"{\"a\":{\"b\":1,\"b\":2},\"a\":3}", 5},
		/* the outer repeat first, a nested one after it */
		{"{\"a\":1,\"a\":{\"b\":1,\"b\":2}}", 3},
		/* escaped: the same key written two ways */
		{"{\"a\":1,\"\\u0061\":2}", 3},
		{"{\"\\u0061\":1,\"a\":2}", 3},
		{"{\"a/b\":1,\"a\\/b\":2}", 3},
		{"{\"\\\"\":1,\"\\u0022\":2}", 3},
		{"{\"\\u00e9\":1,\"\xc3\xa9\":2}", 3},
		{"{\"\\ud834\\udd1e\":1,\"\xf0\x9d\x84\x9e\":2}", 3},
		/* escaped differences are not duplicates */
		{"{\"a\":1,\"\\u0041\":2}", -1},
		{"{\"a\":1,\"a\\u0000\":2}", -1},
		{"{\"\\u00e9\":1,\"\\u00ea\":2}", -1},
		/* the same key in different objects is not a duplicate */
		{"{\"a\":{\"a\":{\"a\":1}}}", -1},
		{"{\"x\":{\"k\":1},\"y\":{\"k\":2}}", -1},
		{"[{\"k\":1},{\"k\":1}]", -1},
	};

	for (size_t c = 0; c < LEN(cases); c++)
	{
		CHECK_MSG(duplicate_sorted_in(cases[c].doc) == cases[c].want,
				  "sorted %s: %d, expected %d", cases[c].doc,
				  duplicate_sorted_in(cases[c].doc), cases[c].want);
		CHECK_MSG(duplicate_pairwise_in(cases[c].doc) == cases[c].want,
				  "pairwise %s: %d, expected %d", cases[c].doc,
				  duplicate_pairwise_in(cases[c].doc), cases[c].want);
		CHECK_MSG(duplicate_in(cases[c].doc) == cases[c].want,
				  "wrapper %s: %d, expected %d", cases[c].doc,
				  duplicate_in(cases[c].doc), cases[c].want);
	}
	CHECK_INT_EQ(bp_json_find_duplicate_key(NULL, NULL, 0, NULL, 0), -1);
}

/*
 * A key the caller cannot read counts as a repeat: tokens not made by
 * bp_json_parse from this text, here a number as key and a broken escape.
 */
static void
test_duplicate_key_unreadable(void)
{
	static const char doc[] = "{\"a\":1,\"b\\x\":2}";
	bp_json_token t[8];
	int			scratch[4];
	size_t		n;

	CHECK_INT_EQ(bp_json_parse(T("{\"a\":1,\"bc\":2}"), t, LEN(t), &n), BP_JSON_OK);
	/* same offsets over a text whose second key has a bad escape */
	CHECK_INT_EQ(bp_json_find_duplicate_key(doc, t, n, scratch, LEN(scratch)), 3);
	CHECK_INT_EQ(bp_json_find_duplicate_key(doc, t, n, NULL, 0), 3);
	t[3].type = BP_JSON_NUMBER;
	CHECK_INT_EQ(bp_json_find_duplicate_key("{\"a\":1,\"bc\":2}", t, n, scratch, LEN(scratch)), 3);
}

/*
 * 5000 distinct members, then last_key: sorted with scratch, and the
 * wrapper (pairwise beyond its 64 members) must agree.
 */
#define BIG_MEMBERS 5000
static char big_doc[BIG_MEMBERS * 16 + 64];
static bp_json_token big_tokens[2 * BIG_MEMBERS + 3];
static int	big_scratch[BIG_MEMBERS + 1];

static size_t
big_object(const char *last_key, size_t *n)
{
	size_t		len = 0;

	big_doc[len++] = '{';
	for (int m = 0; m < BIG_MEMBERS; m++)
		len += (size_t) snprintf(big_doc + len, sizeof(big_doc) - len, "\"k%04d\":%d,", m, m);
	len += (size_t) snprintf(big_doc + len, sizeof(big_doc) - len, "\"%s\":0}", last_key);
	CHECK_INT_EQ(bp_json_parse(big_doc, len, big_tokens, LEN(big_tokens), n), BP_JSON_OK);
	CHECK_INT_EQ(*n, 2 * BIG_MEMBERS + 3);
	return len;
}

static void
test_duplicate_key_large(void)
{
	size_t		n = 0;
	int			last = 2 * BIG_MEMBERS + 1;

	/* "k2500" again, its 2 escaped */
	big_object("k\\u0032500", &n);
	CHECK_INT_EQ(bp_json_find_duplicate_key(big_doc, big_tokens, n, big_scratch, n / 2), last);
	CHECK_INT_EQ(bp_json_duplicate_key(big_doc, big_tokens, n), last);
	/* the very first key again */
	big_object("k0000", &n);
	CHECK_INT_EQ(bp_json_find_duplicate_key(big_doc, big_tokens, n, big_scratch, n / 2), last);
	/* a new key: no duplicate among 5001 */
	big_object("k\\u00325000", &n);
	CHECK_INT_EQ(bp_json_find_duplicate_key(big_doc, big_tokens, n, big_scratch, n / 2), -1);
	CHECK_INT_EQ(bp_json_duplicate_key(big_doc, big_tokens, n), -1);
}

/*
 * Random nested objects over a few keys, some spelt with escapes: sorting
 * and pairwise comparison must name the same key.
 */
static void
test_duplicate_key_random(void)
{
	static const char *const keys[] = {"a", "\\u0061", "b", "ab", "a\\u0062", "", "\\u00e9", "\xc3\xa9"};
	unsigned	seed = 12345;
	int			disagreements = 0,
				found = 0;

	for (int round = 0; round < 2000; round++)
	{
		char		doc[512];
		bp_json_token t[128];
		int			scratch[64];
		size_t		len = 0,
					n;
		int			depth = 0,
					members[8] = {0};
		int			sorted,
					pairwise,
					steps = 2 + round % 5;

		doc[len++] = '{';
		depth = 1;
		for (int step = 0; step < steps && len < sizeof(doc) - 64; step++)
		{
			seed = seed * 1103515245u + 12345u;
			if (members[depth - 1]++ > 0)
				doc[len++] = ',';
			len += (size_t) snprintf(doc + len, sizeof(doc) - len, "\"%s\":",
									 keys[(seed >> 16) % LEN(keys)]);
			if ((seed >> 8) % 4 == 0 && depth < 7)
			{
				doc[len++] = '{';
				members[depth++] = 0;
			}
			else
				doc[len++] = '1';
			if ((seed >> 4) % 5 == 0 && depth > 1)
				doc[len++] = '}', depth--;
		}
		while (depth > 0)
		{
			if (doc[len - 1] == ':')
				doc[len++] = '1';
			doc[len++] = '}';
			depth--;
		}
		if (bp_json_parse(doc, len, t, LEN(t), &n) != BP_JSON_OK)
		{
			CHECK_MSG(false, "random document does not parse: %.*s", (int) len, doc);
			continue;
		}
		sorted = bp_json_find_duplicate_key(doc, t, n, scratch, LEN(scratch));
		pairwise = bp_json_find_duplicate_key(doc, t, n, NULL, 0);
		disagreements += sorted != pairwise;
		found += sorted >= 0;
	}
	CHECK_INT_EQ(disagreements, 0);
	CHECK_MSG(found > 100 && found < 1900, "found %d", found);		/* both outcomes were exercised */
}

static void
test_object_get(void)
{
	static const char doc[] =
		"{\"a\":1,\"b\":{\"c\":2},\"a\":3,\"d\\u0065\":4,\"\":5,\"x\\u0000y\":6,"
		"\"\\u00e9\":7,\"\\ud834\\udd1e\":[8]}";
	bp_json_token t[32];
	size_t		n;
	int			v;

	CHECK_INT_EQ(bp_json_parse(doc, strlen(doc), t, LEN(t), &n), BP_JSON_OK);
	CHECK_INT_EQ(t[0].size, 8);

	/* Duplicate keys: the first wins. */
	v = bp_json_object_get(doc, t, n, 0, "a");
	CHECK(v > 0 && t[v].type == BP_JSON_NUMBER && doc[t[v].start] == '1');
	v = bp_json_object_get(doc, t, n, 0, "b");
	CHECK(v > 0 && t[v].type == BP_JSON_OBJECT);
	CHECK(bp_json_object_get(doc, t, n, v, "c") == v + 2);
	/* Only direct members count. */
	CHECK_INT_EQ(bp_json_object_get(doc, t, n, 0, "c"), -1);
	/* Keys compare unescaped. */
	v = bp_json_object_get(doc, t, n, 0, "de");
	CHECK(v > 0 && doc[t[v].start] == '4');
	CHECK_INT_EQ(bp_json_object_get(doc, t, n, 0, "d\\u0065"), -1);
	v = bp_json_object_get(doc, t, n, 0, "");
	CHECK(v > 0 && doc[t[v].start] == '5');
	v = bp_json_object_get(doc, t, n, 0, "\xc3\xa9");
	CHECK(v > 0 && doc[t[v].start] == '7');
	v = bp_json_object_get(doc, t, n, 0, "\xf0\x9d\x84\x9e");
	CHECK(v > 0 && t[v].type == BP_JSON_ARRAY);
	/* A key holding NUL never equals a C string, nor does its prefix. */
	CHECK_INT_EQ(bp_json_object_get(doc, t, n, 0, "x"), -1);
	CHECK(bp_json_string_equals(doc, &t[bp_json_object_get(doc, t, n, 0, "") + 1],
								"x\0y", 3));
	CHECK_INT_EQ(bp_json_object_get(doc, t, n, 0, "zz"), -1);
	CHECK_INT_EQ(bp_json_object_get(doc, t, n, 0, "aa"), -1);
	/* Not an object, bad index, missing arguments. */
	CHECK_INT_EQ(bp_json_object_get(doc, t, n, 1, "a"), -1);
	CHECK_INT_EQ(bp_json_object_get(doc, t, n, -1, "a"), -1);
	CHECK_INT_EQ(bp_json_object_get(doc, t, n, (int) n, "a"), -1);
	CHECK_INT_EQ(bp_json_object_get(doc, t, n, 0, NULL), -1);
	CHECK_INT_EQ(bp_json_object_get(doc, t, 3, 0, "b"), -1);	/* tokens cut off */

	/* string_equals */
	CHECK(bp_json_string_equals(doc, &t[1], "a", 1));
	CHECK(!bp_json_string_equals(doc, &t[1], "ab", 2));
	CHECK(!bp_json_string_equals(doc, &t[1], "", 0));
	CHECK(!bp_json_string_equals(doc, &t[0], "a", 1));
}

static void
test_unescape(void)
{
	static const char doc[] =
		"[\"a\\\"\\\\\\/\\b\\f\\n\\r\\tz\", \"\\u00e9\\u20AC\\uD834\\uDD1E\","
		" \"\\u0000\", \"\xc3\xa9\xe2\x82\xac\", \"\", 5]";
	bp_json_token t[8];
	size_t		n;
	char		out[32];
	size_t		len;

	CHECK_INT_EQ(bp_json_parse(doc, strlen(doc), t, LEN(t), &n), BP_JSON_OK);
	CHECK_INT_EQ(n, 7);

	CHECK_INT_EQ(bp_json_unescape(doc, &t[1], out, sizeof(out), &len), BP_JSON_OK);
	CHECK(len == 10 && memcmp(out, "a\"\\/\b\f\n\r\tz", 10) == 0);

	/* é € 𝄞: 2 + 3 + 4 bytes from 24 characters of escapes. */
	CHECK_INT_EQ(bp_json_unescape(doc, &t[2], out, sizeof(out), &len), BP_JSON_OK);
	CHECK(len == 9 && memcmp(out, "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", 9) == 0);
	/* Exact capacity is enough, one byte less is not. */
	CHECK_INT_EQ(bp_json_unescape(doc, &t[2], out, 9, &len), BP_JSON_OK);
	CHECK_INT_EQ(bp_json_unescape(doc, &t[2], out, 8, &len), BP_JSON_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(len, 0);
	/* Length only. */
	CHECK_INT_EQ(bp_json_unescape(doc, &t[2], NULL, 0, &len), BP_JSON_OK);
	CHECK_INT_EQ(len, 9);

	CHECK_INT_EQ(bp_json_unescape(doc, &t[3], out, sizeof(out), &len), BP_JSON_OK);
	CHECK(len == 1 && out[0] == '\0');
	CHECK_INT_EQ(bp_json_unescape(doc, &t[4], out, sizeof(out), &len), BP_JSON_OK);
	CHECK(len == 5 && memcmp(out, "\xc3\xa9\xe2\x82\xac", 5) == 0);
	CHECK_INT_EQ(bp_json_unescape(doc, &t[5], out, 0, &len), BP_JSON_OK);
	CHECK_INT_EQ(len, 0);

	CHECK_INT_EQ(bp_json_unescape(doc, &t[6], out, sizeof(out), &len), BP_JSON_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_json_unescape(doc, &t[0], out, sizeof(out), &len), BP_JSON_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_json_unescape(doc, &t[1], out, sizeof(out), NULL), BP_JSON_BAD_ARGUMENT);
}

static void
test_int64(void)
{
	static const struct
	{
		const char *text;
		bp_json_status want;
		int64_t		value;
	}			cases[] = {
		{"0", BP_JSON_OK, 0},
		{"-0", BP_JSON_OK, 0},
		{"1", BP_JSON_OK, 1},
		{"-1", BP_JSON_OK, -1},
		{"1795000000123456", BP_JSON_OK, INT64_C(1795000000123456)},
		{"9223372036854775806", BP_JSON_OK, INT64_MAX - 1},
		{"9223372036854775807", BP_JSON_OK, INT64_MAX},
		{"-9223372036854775807", BP_JSON_OK, -INT64_MAX},
		{"-9223372036854775808", BP_JSON_OK, INT64_MIN},
		{"9223372036854775808", BP_JSON_OUT_OF_RANGE, 0},
		{"-9223372036854775809", BP_JSON_OUT_OF_RANGE, 0},
		{"9223372036854775810", BP_JSON_OUT_OF_RANGE, 0},
		{"18446744073709551615", BP_JSON_OUT_OF_RANGE, 0},
		{"18446744073709551616", BP_JSON_OUT_OF_RANGE, 0},
		{"92233720368547758070", BP_JSON_OUT_OF_RANGE, 0},
		{"-99999999999999999999999999", BP_JSON_OUT_OF_RANGE, 0},
		{"1.0", BP_JSON_NOT_INTEGER, 0},
		{"1.5", BP_JSON_NOT_INTEGER, 0},
		{"1e2", BP_JSON_NOT_INTEGER, 0},
		{"-1E0", BP_JSON_NOT_INTEGER, 0},
		{"0e0", BP_JSON_NOT_INTEGER, 0},
		{"99999999999999999999e-30", BP_JSON_NOT_INTEGER, 0},
	};
	bp_json_token t[2];
	size_t		n;
	size_t		i;

	for (i = 0; i < LEN(cases); i++)
	{
		int64_t		v = 42;
		bp_json_status st;

		st = bp_json_parse(cases[i].text, strlen(cases[i].text), t, LEN(t), &n);
		CHECK_MSG(st == BP_JSON_OK, "%s does not parse", cases[i].text);
		st = bp_json_int64(cases[i].text, &t[0], &v);
		CHECK_MSG(st == cases[i].want, "int64 %s: %s, expected %s",
				  cases[i].text, name(st), name(cases[i].want));
		if (cases[i].want == BP_JSON_OK)
			CHECK_MSG(v == cases[i].value, "int64 %s: %lld", cases[i].text, (long long) v);
		else
			CHECK_MSG(v == 42, "int64 %s: output written on error", cases[i].text);
	}
	/* Only numbers. */
	CHECK_INT_EQ(bp_json_parse(T("\"1\""), t, LEN(t), &n), BP_JSON_OK);
	{
		int64_t		v;

		CHECK_INT_EQ(bp_json_int64("\"1\"", &t[0], &v), BP_JSON_BAD_ARGUMENT);
		CHECK_INT_EQ(bp_json_int64("\"1\"", &t[0], NULL), BP_JSON_BAD_ARGUMENT);
	}
}

/*
 * Random mutations of a valid document never crash or read out of bounds
 * (run under a sanitizer to make that bite), counting agrees with filling,
 * and every accepted text has complete subtrees.
 */
static void
test_mutations(void)
{
	static const char seed[] =
		"{\"k\":[1,-2.5e3,\"s\\u00e9\\n\",true,false,null,{\"x\":[[]]}],\"\xc3\xa9\":\"\\ud83d\\ude00\"}";
	static const char alphabet[] = "{}[]\",:\\u0123456789abcdefDE-+.e tnrl\x80\xc3\xed\xf4";
	char		buf[sizeof(seed)];
	bp_json_token t[64];
	uint32_t	rng = 12345;
	int			iter;
	int			ok_count = 0;
	bool		consistent = true;

	for (iter = 0; iter < 20000; iter++)
	{
		size_t		len = sizeof(seed) - 1;
		size_t		n1;
		size_t		n2;
		bp_json_status s1;
		bp_json_status s2;
		int			k;

		memcpy(buf, seed, len);
		for (k = 0; k < 1 + iter % 3; k++)
		{
			rng = rng * 1103515245u + 12345u;
			if ((rng >> 16) % 5 == 0)
				len = (rng >> 8) % (len + 1);	/* truncate */
			else if (len > 0)
				buf[(rng >> 8) % len] = alphabet[(rng >> 20) % (sizeof(alphabet) - 1)];
		}
		s1 = bp_json_parse(buf, len, t, LEN(t), &n1);
		s2 = bp_json_parse(buf, len, NULL, 0, &n2);
		if (s1 != s2 || (s1 == BP_JSON_OK && (n1 != n2 || bp_json_skip(t, n1, 0) != (int) n1)))
			consistent = false;
		ok_count += (s1 == BP_JSON_OK);
	}
	CHECK(consistent);
	CHECK(ok_count > 0 && ok_count < 20000);
}

static void
test_strerror(void)
{
	int			s;

	for (s = BP_JSON_OK; s <= BP_JSON_OUT_OF_RANGE; s++)
	{
		const char *m = bp_json_strerror((bp_json_status) s);

		CHECK(m[0] >= 'A' && m[0] <= 'Z' && m[strlen(m) - 1] == '.');
	}
	CHECK_INT_EQ(LEN(status_name), BP_JSON_OUT_OF_RANGE + 1);
}

int
main(void)
{
	test_corpus();
	test_limits();
	test_tokens();
	test_skip();
	test_object_get();
	test_duplicate_key();
	test_find_duplicate_key();
	test_duplicate_key_unreadable();
	test_duplicate_key_large();
	test_duplicate_key_random();
	test_unescape();
	test_int64();
	test_mutations();
	test_strerror();
	return unit_summary("json");
}
