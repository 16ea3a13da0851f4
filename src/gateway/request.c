/*
 * request.c — see request.h.
 */
#include "request.h"

#include "json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Percent-decode s[0, n) into a new string.  A '%' not followed by two hex
 * digits stays as it is (as Warp does); plus_is_space for form encoding.
 * *out_len receives the length (the text may contain NUL bytes).
 */
static char *
percent_decode(const char *s, size_t n, bool plus_is_space, size_t *out_len)
{
	char	   *out = gw_xmalloc(n + 1);
	size_t		o = 0;

	for (size_t i = 0; i < n; i++)
	{
		if (s[i] == '%' && i + 2 < n &&
			bp_hex_digit_value((unsigned char) s[i + 1]) >= 0 && bp_hex_digit_value((unsigned char) s[i + 2]) >= 0)
		{
			out[o++] = (char) (bp_hex_digit_value((unsigned char) s[i + 1]) * 16 + bp_hex_digit_value((unsigned char) s[i + 2]));
			i += 2;
		}
		else if (plus_is_space && s[i] == '+')
			out[o++] = ' ';
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

typedef struct form_pair
{
	char	   *key;
	size_t		key_len;
	char	   *val;
	size_t		val_len;
	bool		done;
} form_pair;

int
gw_form_to_json(const char *s, size_t len, gw_buf *out)
{
	form_pair  *pairs;
	size_t		n = 0,
				cap = 1;
	int			keys = 0;

	for (size_t i = 0; i < len; i++)
		cap += s[i] == '&';
	pairs = gw_xcalloc(cap, sizeof *pairs);
	for (size_t start = 0; start <= len;)
	{
		const char *amp = memchr(s + start, '&', len - start);
		size_t		end = amp ? (size_t) (amp - s) : len;
		const char *eq = memchr(s + start, '=', end - start);

		if (end > start)
		{
			size_t		klen = eq ? (size_t) (eq - s) - start : end - start;

			pairs[n].key = percent_decode(s + start, klen, true, &pairs[n].key_len);
			if (eq)
				pairs[n].val = percent_decode(eq + 1, end - (size_t) (eq + 1 - s), true, &pairs[n].val_len);
			else
				pairs[n].val = gw_xstrdup("");
			n++;
		}
		start = end + 1;
	}

	gw_buf_putc(out, '{');
	for (size_t i = 0; i < n; i++)
	{
		size_t		count = 0;

		if (pairs[i].done)
			continue;
		for (size_t j = i; j < n; j++)
			if (pairs[j].key_len == pairs[i].key_len &&
				memcmp(pairs[j].key, pairs[i].key, pairs[i].key_len) == 0)
				count++;
		if (keys++)
			gw_buf_putc(out, ',');
		gw_buf_json_string(out, pairs[i].key, pairs[i].key_len);
		gw_buf_putc(out, ':');
		if (count > 1)
			gw_buf_putc(out, '[');
		for (size_t j = i, k = 0; j < n; j++)
		{
			if (pairs[j].key_len != pairs[i].key_len ||
				memcmp(pairs[j].key, pairs[i].key, pairs[i].key_len) != 0)
				continue;
			if (k++)
				gw_buf_putc(out, ',');
			gw_buf_json_string(out, pairs[j].val, pairs[j].val_len);
			pairs[j].done = true;
		}
		if (count > 1)
			gw_buf_putc(out, ']');
	}
	gw_buf_putc(out, '}');
	for (size_t i = 0; i < n; i++)
	{
		free(pairs[i].key);
		free(pairs[i].val);
	}
	free(pairs);
	return keys;
}

int
gw_form_pairs(const char *s, size_t len, gw_pair **out)
{
	size_t		cap = 1;
	int			n = 0;

	/* http-types (which PostgREST uses) separates pairs with '&' or ';' */
	for (size_t i = 0; i < len; i++)
		cap += s[i] == '&' || s[i] == ';';
	*out = gw_xcalloc(cap, sizeof **out);
	for (size_t start = 0; start <= len;)
	{
		size_t		end = start;
		const char *eq;

		while (end < len && s[end] != '&' && s[end] != ';')
			end++;
		eq = memchr(s + start, '=', end - start);
		if (end > start)
		{
			gw_pair    *p = &(*out)[n++];
			size_t		klen = eq ? (size_t) (eq - s) - start : end - start;

			p->key = percent_decode(s + start, klen, true, &p->key_len);
			p->has_eq = eq != NULL;
			if (eq)
				p->value = percent_decode(eq + 1, end - (size_t) (eq + 1 - s), true, &p->value_len);
			else
				p->value = gw_xstrdup("");
		}
		start = end + 1;
	}
	return n;
}

void
gw_pairs_free(gw_pair *p, int n)
{
	for (int i = 0; i < n; i++)
	{
		free(p[i].key);
		free(p[i].value);
	}
	free(p);
}

/* s starts with word followed by one of the characters in next. */
static bool
word_then(const char *s, const char *word, const char *next)
{
	size_t		n = strlen(word);

	return strncmp(s, word, n) == 0 && s[n] != '\0' && strchr(next, s[n]) != NULL;
}

/*
 * Does PostgREST's pOpExpr accept (or fail after consuming) this value?
 * Either way it is not an argument: a filter, or a 400 there.
 */
static bool
filter_value(const char *v)
{
	static const char *const simple[] = {"neq", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj"};
	static const char *const quant[] = {"eq", "gte", "gt", "lte", "lt", "like", "ilike", "match", "imatch"};
	static const char *const fts[] = {"fts", "plfts", "phfts", "wfts"};

	if (strncmp(v, "not.", 4) == 0 || strncmp(v, "in.", 3) == 0 || strncmp(v, "is.", 3) == 0 ||
		strncmp(v, "isdistinct.", 11) == 0)
		return true;
	for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
		if (word_then(v, simple[i], "."))
			return true;
	for (size_t i = 0; i < sizeof quant / sizeof *quant; i++)
	{
		size_t		n = strlen(quant[i]);

		if (strncmp(v, quant[i], n) == 0 &&
			(v[n] == '.' || strncmp(v + n, "(any).", 6) == 0 || strncmp(v + n, "(all).", 6) == 0))
			return true;
	}
	for (size_t i = 0; i < sizeof fts / sizeof *fts; i++)
	{
		size_t		n = strlen(fts[i]);
		const char *close;

		if (strncmp(v, fts[i], n) != 0)
			continue;
		if (v[n] == '.')
			return true;
		/* fts(language).value */
		if (v[n] == '(' && (close = strchr(v + n, ')')) != NULL && close > v + n + 1 && close[1] == '.')
			return true;
	}
	return false;
}

gw_query_kind
gw_query_classify(const gw_pair *p, bool rpc_get)
{
	const char *last;

	if (!p->has_eq)
		return GW_QUERY_IGNORED;	/* PostgREST keeps only "k=v" pairs */
	if (strcmp(p->key, "select") == 0)
		return strcmp(p->value, "*") == 0 ? GW_QUERY_IGNORED : GW_QUERY_UNSUPPORTED;
	if (strcmp(p->key, "limit") == 0)
		return GW_QUERY_LIMIT;
	if (strcmp(p->key, "offset") == 0)
		return GW_QUERY_OFFSET;
	last = strrchr(p->key, '.');
	last = last ? last + 1 : p->key;
	if (strcmp(p->key, "columns") == 0 || strcmp(p->key, "on_conflict") == 0 ||
		strcmp(last, "order") == 0 || strcmp(last, "limit") == 0 || strcmp(last, "offset") == 0 ||
		strcmp(last, "and") == 0 || strcmp(last, "or") == 0)
		return GW_QUERY_UNSUPPORTED;
	/* embedded resources (a.b) and JSON paths (a->b) */
	if (strchr(p->key, '.') || strstr(p->key, "->"))
		return GW_QUERY_UNSUPPORTED;
	if (!rpc_get || filter_value(p->value))
		return GW_QUERY_UNSUPPORTED;
	return GW_QUERY_ARG;
}

void
gw_target_parse(const char *raw, size_t len, gw_target *out)
{
	const char *q = memchr(raw, '?', len);
	size_t		plen = q ? (size_t) (q - raw) : len;
	size_t		dlen = 0;
	char	   *path;
	gw_buf		json = GW_BUF_INIT;

	memset(out, 0, sizeof *out);
	out->route = GW_ROUTE_INVALID;
	if (q)
		out->n_query_keys = gw_form_to_json(q + 1, len - plen - 1, &json);
	else
		gw_buf_puts(&json, "{}");
	out->query_json = gw_buf_steal(&json);

	/* absolute-form targets (RFC 9112 3.2.2): drop scheme and authority */
	if (plen > 7 && (strncasecmp(raw, "http://", 7) == 0 || strncasecmp(raw, "https://", 8) == 0))
	{
		/*
		 * raw need not be NUL-terminated: no str* scans here (glibc's
		 * strstr reads up to 512 bytes ahead even when the match is early).
		 */
		const char *auth = raw + (raw[4] == ':' ? 7 : 8);
		const char *slash = memchr(auth, '/', plen - (size_t) (auth - raw));

		if (slash == NULL)
			return;
		plen -= (size_t) (slash - raw);
		len -= (size_t) (slash - raw);
		raw = slash;
	}
	/* A fragment is never sent by clients; if it is, it is not ours. */
	if (memchr(raw, '#', plen))
		return;
	path = percent_decode(raw, plen, false, &dlen);
	if (dlen == 0 || path[0] != '/' || !gw_utf8_valid(path, dlen))
	{
		free(path);
		return;
	}
	out->path = path;
	if (strcmp(path, "/") == 0)
		out->route = GW_ROUTE_ROOT;
	else if (strcmp(path, "/live") == 0)
		out->route = GW_ROUTE_LIVE;
	else if (strcmp(path, "/ready") == 0)
		out->route = GW_ROUTE_READY;
	else if (strncmp(path, "/rpc/", 5) == 0)
	{
		const char *name = path + 5;

		/* one trailing slash is tolerated, as in PostgREST */
		size_t		nlen = strlen(name);

		if (nlen > 0 && name[nlen - 1] == '/')
			nlen--;
		if (nlen > 0 && memchr(name, '/', nlen) == NULL)
		{
			out->route = GW_ROUTE_RPC;
			out->name = gw_xstrndup(name, nlen);
		}
	}
	else
	{
		const char *name = path + 1;
		size_t		nlen = strlen(name);

		if (nlen > 0 && name[nlen - 1] == '/')
			nlen--;
		if (nlen > 0 && memchr(name, '/', nlen) == NULL)
		{
			out->route = GW_ROUTE_TABLE;
			out->name = gw_xstrndup(name, nlen);
		}
	}
}

void
gw_target_free(gw_target *t)
{
	free(t->path);
	free(t->name);
	free(t->query_json);
	memset(t, 0, sizeof *t);
}

int
gw_bearer_token(const char *value, const char **token, size_t *len)
{
	const char *p;
	const char *e;

	*token = NULL;
	*len = 0;
	if (value == NULL)
		return 0;
	while (*value == ' ' || *value == '\t')
		value++;
	if (strncasecmp(value, "bearer", 6) != 0 || (value[6] != ' ' && value[6] != '\t' && value[6] != '\0'))
		return 0;
	p = value + 6;
	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*token = p;
	*len = (size_t) (e - p);
	return 1;
}

/* Compare the media type at s (up to ';' or ',') with want, ignoring case. */
static bool
media_is(const char *s, size_t n, const char *want)
{
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strlen(want) == n && strncasecmp(s, want, n) == 0;
}

gw_body_type
gw_content_type(const char *value)
{
	size_t		n;

	if (value == NULL)
		return GW_BODY_JSON;
	n = strcspn(value, ";");
	if (media_is(value, n, "application/json") || media_is(value, n, "") ||
		media_is(value, n, "*/*"))
		return GW_BODY_JSON;
	if (media_is(value, n, "application/x-www-form-urlencoded"))
		return GW_BODY_FORM;
	return GW_BODY_OTHER;
}

bool
gw_accepts_json(const char *value, const char *extra)
{
	const char *p = value;

	if (value == NULL)
		return true;
	while (*p)
	{
		size_t		n = strcspn(p, ",");
		size_t		t = strcspn(p, ";,");

		if (media_is(p, t, "application/json") || media_is(p, t, "application/*") ||
			media_is(p, t, "*/*") || media_is(p, t, "") ||
			(extra && media_is(p, t, extra)))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}
