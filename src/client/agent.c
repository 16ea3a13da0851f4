/*
 * agent.c — the update-check cycle (see agent.h): ask, verify, bind, keep,
 * fall back.  The verification rules are src/core/verify.c's; this file
 * only decides which token to verify with which keys, and what to keep.
 */
#define _POSIX_C_SOURCE 200809L

#include "agent.h"
#include "agent_state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include <sodium.h>

#include "json.h"
#include "paserk.h"
#include "paseto.h"
#include "rfc3339.h"

#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_KEYSET_GRACE (7 * 86400)
#define MAX_CHAIN 16			/* key sets kept to follow root rotations */
#define MAX_ANSWER (16u * 1024u * 1024u)
#define MAX_OFFLINE_GRACE (366 * 86400)

struct bp_agent
{
	char	   *service_url;
	char	   *install_id;
	char	   *authorization;
	char	   *platform;
	char	   *arch;
	char	  **roots;
	size_t		n_roots;
	long		timeout_ms;
	int64_t		keyset_grace;
	bp_agent_transport transport;
	void	   *transport_arg;
	bp_agent_state state;

	/* Trust: the pinned roots, the roots key sets introduced, the key set. */
	bp_verifier v;
	char	   *chain[MAX_CHAIN];	/* key set tokens, oldest first; the last is current */
	char		signer[MAX_CHAIN][BP_PASERK_K4_PID_LEN];
	size_t		n_chain;
	int64_t		keyset_iat;
	int64_t		keyset_exp;
	bp_agent_status keyset_status;	/* of the cached key sets when opened, or the last refresh */
	char		keyset_detail[240];

	/* The revocation list of one tenant (the last lease's). */
	bp_revocations *rev;
	char		rev_tenant[BP_VERIFY_MAX_TENANT_LEN + 1];

	uint8_t    *work;
	size_t		work_cap;
	char		detail[512];
};

static const char *const agent_names[] = {
	"UNREACHABLE", "SERVER_ERROR", "BAD_RESPONSE", "STATE_ERROR", "CLOCK_BACK", "NO_CACHE",
	"NO_ARTIFACT", "ARTIFACT_SIZE", "ARTIFACT_HASH", "FILE_ERROR", "NO_MEMORY", "BAD_OPTION"
};
static const char *const agent_sentences[] = {
	"the service could not be asked and nothing valid is cached",
	"the service answered with an error",
	"the service's answer is not what the API documents",
	"the state directory cannot be read or written",
	"the clock is earlier than a time already seen",
	"nothing is cached for this question",
	"the decision names no artifact",
	"the file's size is not the artifact's",
	"the file's SHA-256 is not the artifact's",
	"the file cannot be read",
	"out of memory",
	"an option is missing or not valid"
};

const char *
bp_agent_status_name(bp_agent_status st)
{
	if (st >= 0 && st < BP_CLIENT_N_STATUS)
		return bp_client_status_name((bp_client_status) st);
	if (st >= BP_AGENT_UNREACHABLE && st <= BP_AGENT_BAD_OPTION)
		return agent_names[st - BP_AGENT_UNREACHABLE];
	return "UNKNOWN";
}

const char *
bp_agent_strerror(bp_agent_status st)
{
	if (st >= 0 && st < BP_CLIENT_N_STATUS)
		return bp_client_strerror((bp_client_status) st);
	if (st >= BP_AGENT_UNREACHABLE && st <= BP_AGENT_BAD_OPTION)
		return agent_sentences[st - BP_AGENT_UNREACHABLE];
	return "unknown status";
}

const char *
bp_agent_detail(const bp_agent *a)
{
	return a != NULL ? a->detail : "";
}

static bp_agent_status
say(bp_agent *a, bp_agent_status st, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(a->detail, sizeof(a->detail), fmt, ap);
	va_end(ap);
	return st;
}

/* dst = src, cut to cap - 1 bytes */
static void
copy_detail(char *dst, size_t cap, const char *src)
{
	size_t		n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void
bp_agent_result_free(bp_agent_result *r)
{
	if (r == NULL)
		return;
	free(r->token);
	free(r->payload);
	memset(r, 0, sizeof(*r));
}

/* ---- small helpers ---------------------------------------------------------------------------- */

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static char *
dup_n(const char *s, size_t n)
{
	char	   *d = malloc(n + 1);

	if (d != NULL)
	{
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Milliseconds on the monotonic clock, for deadlines. */
static int64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The caller's now, moved on by the time spent since the call began (its
 * deadline less the timeout): a fresh token is verified at the time it
 * arrived, not when the call started.
 */
static int64_t
advanced(const bp_agent *a, int64_t now, int64_t deadline)
{
	int64_t		spent = monotonic_ms() - (deadline - a->timeout_ms);

	return spent > 0 ? now + spent / 1000 : now;
}

static bool
ensure_work(bp_agent *a, size_t token_len)
{
	size_t		need = bp_verify_work_len(token_len);

	if (need == SIZE_MAX)
		return false;
	if (need > a->work_cap)
	{
		uint8_t    *w = realloc(a->work, need);

		if (w == NULL)
			return false;
		a->work = w;
		a->work_cap = need;
	}
	return true;
}

/* A parsed JSON text (an answer or a verified payload). */
typedef struct doc
{
	const char *text;
	size_t		len;
	bp_json_token *t;
	size_t		n;
} doc;

static bool
doc_parse(doc *d, const char *text, size_t len)
{
	size_t		n;

	memset(d, 0, sizeof(*d));
	if (bp_json_parse(text, len, NULL, 0, &n) != BP_JSON_OK || n == 0)
		return false;
	d->t = calloc(n, sizeof(bp_json_token));
	if (d->t == NULL || bp_json_parse(text, len, d->t, n, &d->n) != BP_JSON_OK ||
		d->t[0].type != BP_JSON_OBJECT)
	{
		free(d->t);
		d->t = NULL;
		return false;
	}
	d->text = text;
	d->len = len;
	return true;
}

static void
doc_free(doc *d)
{
	free(d->t);
	d->t = NULL;
}

static int
doc_get(const doc *d, int obj, const char *key)
{
	return bp_json_object_get(d->text, d->t, d->n, obj, key);
}

/* The string member key of the object at obj, unescaped and malloc'ed; NULL if none. */
static char *
doc_string(const doc *d, int obj, const char *key)
{
	int			i = doc_get(d, obj, key);
	size_t		len;
	char	   *s;

	if (i < 0 || d->t[i].type != BP_JSON_STRING)
		return NULL;
	if (bp_json_unescape(d->text, &d->t[i], NULL, 0, &len) != BP_JSON_OK)
		return NULL;
	s = malloc(len + 1);
	if (s == NULL || bp_json_unescape(d->text, &d->t[i], s, len + 1, &len) != BP_JSON_OK ||
		memchr(s, '\0', len) != NULL)
	{
		free(s);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

static bool
doc_int(const doc *d, int obj, const char *key, int64_t *out)
{
	int			i = doc_get(d, obj, key);

	return i >= 0 && d->t[i].type == BP_JSON_NUMBER && bp_json_int64(d->text, &d->t[i], out) == BP_JSON_OK;
}

static bool
doc_time(const doc *d, int obj, const char *key, int64_t *out)
{
	int			i = doc_get(d, obj, key);

	return i >= 0 && d->t[i].type == BP_JSON_STRING &&
		bp_rfc3339_parse(d->text + d->t[i].start, d->t[i].end - d->t[i].start, out);
}

static bool
doc_string_is(const doc *d, int obj, const char *key, const char *want)
{
	int			i = doc_get(d, obj, key);

	return i >= 0 && d->t[i].type == BP_JSON_STRING &&
		bp_json_string_equals(d->text, &d->t[i], want, strlen(want));
}

/*
 * A JSON request body.  Values are the caller's identifiers and versions:
 * quotes and backslashes are escaped, control characters refused.
 */
typedef struct body
{
	char		buf[4096];
	size_t		len;
	bool		bad;
} body;

static void
body_raw(body *b, const char *s)
{
	size_t		n = strlen(s);

	if (b->len + n >= sizeof(b->buf))
	{
		b->bad = true;
		return;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

/* , "key": "value" (the comma unless first) */
static void
body_str(body *b, const char *key, const char *value)
{
	char		one[2] = {0, 0};

	if (value == NULL)
		return;
	body_raw(b, b->len > 0 && b->buf[b->len - 1] != '{' ? ", \"" : "\"");
	body_raw(b, key);
	body_raw(b, "\": \"");
	for (const char *p = value; *p != '\0'; p++)
	{
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			b->bad = true;
		if (*p == '"' || *p == '\\')
			body_raw(b, "\\");
		one[0] = *p;
		body_raw(b, one);
	}
	body_raw(b, "\"");
}

/* ---- talking to the service ------------------------------------------------------------------- */

/*
 * One request, within the time left before deadline (monotonic ms).
 * UNREACHABLE: no answer, or the service could not answer (5xx, 429);
 * SERVER_ERROR: it answered no (other 4xx and the like).  On OK the answer's
 * body is in *answer (malloc'ed), *answer_len bytes.
 */
static bp_agent_status
call(bp_agent *a, const char *method, const char *path, const body *b, int64_t deadline,
	 char **answer, size_t *answer_len)
{
	bp_agent_request req;
	bp_agent_response resp;
	char		url[1024];
	int64_t		left = deadline - monotonic_ms();
	int			rc;

	*answer = NULL;
	*answer_len = 0;
	if (left <= 0)
		return say(a, BP_AGENT_UNREACHABLE, "%s %s: no time left (timeout %ld ms)", method, path, a->timeout_ms);
	if ((size_t) snprintf(url, sizeof(url), "%s%s", a->service_url, path) >= sizeof(url))
		return say(a, BP_AGENT_BAD_OPTION, "service URL too long");
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.method = method;
	req.url = url;
	req.authorization = a->authorization;
	req.body = b != NULL ? b->buf : NULL;
	req.body_len = b != NULL ? b->len : 0;
	req.timeout_ms = (long) left;
	req.max_body = MAX_ANSWER;
	rc = a->transport(a->transport_arg, &req, &resp);
	if (rc != 0)
	{
		free(resp.body);
		resp.error[sizeof(resp.error) - 1] = '\0';
		return say(a, BP_AGENT_UNREACHABLE, "%s %s: %s", method, path,
				   resp.error[0] ? resp.error : "no answer");
	}
	if (resp.status < 200 || resp.status > 299)
	{
		doc		d;
		char	   *msg = NULL;
		bp_agent_status st = (resp.status >= 500 || resp.status == 429 || resp.status == 0) ?
			BP_AGENT_UNREACHABLE : BP_AGENT_SERVER_ERROR;

		if (resp.body != NULL && doc_parse(&d, resp.body, resp.body_len))
		{
			msg = doc_string(&d, 0, "message");
			doc_free(&d);
		}
		say(a, st, "%s %s: HTTP %ld%s%s", method, path, resp.status, msg ? ": " : "", msg ? msg : "");
		free(msg);
		free(resp.body);
		return st;
	}
	if (resp.body == NULL)
		return say(a, BP_AGENT_BAD_RESPONSE, "%s %s: an empty answer", method, path);
	*answer = resp.body;
	*answer_len = resp.body_len;
	return BP_AGENT_OK;
}

/* ---- trust: pinned roots, key sets ------------------------------------------------------------ */

/* A fresh verifier with the pinned roots only. */
static bp_agent_status
pinned_verifier(bp_agent *a, bp_verifier *v)
{
	bp_verifier_init(v);
	for (size_t i = 0; i < a->n_roots; i++)
	{
		bp_verify_status st = bp_verifier_pin_key(v, BP_PURPOSE_ROOT, a->roots[i]);

		if (st != BP_VERIFY_OK)
			return say(a, st, "pinned root key %zu: %s", i + 1, bp_verify_strerror(st));
	}
	return BP_AGENT_OK;
}

/* Trust the root keys the loaded key set lists (not revoked or retired) to sign key sets. */
static void
pin_listed_roots(bp_verifier *v)
{
	size_t		n = v->n_keys;

	for (size_t i = 0; i < n; i++)
	{
		bp_verify_key *k = &v->keys[i];
		char		pub[BP_PASERK_K4_PUBLIC_LEN + 1];
		size_t		pub_len;

		if (k->pinned || k->purpose != BP_PURPOSE_ROOT ||
			k->state == BP_KEY_REVOKED || k->state == BP_KEY_RETIRED)
			continue;
		if (bp_paserk_k4_public_encode(k->pk, sizeof(k->pk), pub, sizeof(pub), &pub_len) != BP_PASERK_OK)
			continue;
		pub[pub_len] = '\0';
		(void) bp_verifier_pin_key(v, BP_PURPOSE_ROOT, pub);
	}
}

/* iat and exp of a key set token whose payload is at the start of a->work. */
static void
keyset_times(bp_agent *a, size_t payload_len)
{
	doc			d;

	a->keyset_iat = a->keyset_exp = 0;
	if (doc_parse(&d, (const char *) a->work, payload_len))
	{
		(void) doc_time(&d, 0, "iat", &a->keyset_iat);
		(void) doc_time(&d, 0, "exp", &a->keyset_exp);
		doc_free(&d);
	}
}

static void
drop_chain(bp_agent *a)
{
	for (size_t i = 0; i < a->n_chain; i++)
		free(a->chain[i]);
	a->n_chain = 0;
}

/*
 * Load a key set into v: the signature with v's pinned roots, the version
 * against v's last, and exp (expired ones only within leeway seconds, or any
 * with SKIP_TIME).  Payload at the start of a->work.
 */
static bp_verify_status
load_keyset(bp_agent *a, bp_verifier *v, const char *token, unsigned flags, int64_t now, int64_t leeway,
			size_t *payload_len)
{
	size_t		len = strlen(token);
	bp_verify_status st;

	if (!ensure_work(a, len))
		return BP_VERIFY_BUFFER_TOO_SMALL;
	st = bp_verifier_load_keyset(v, token, len, now, flags, leeway, a->work, a->work_cap);
	if (st != BP_VERIFY_OK)
		return st;
	/* the payload, verified just now, for its times (load_keyset leaves none behind) */
	return bp_paseto_v4_unverified_payload(token, len, a->work, a->work_cap, payload_len) == BP_PASETO_OK ?
		BP_VERIFY_OK : BP_VERIFY_MALFORMED;
}

/*
 * The state directory's key sets, verified in order from the pinned roots:
 * each but the last vouches for the roots that sign the next.  Whatever
 * does not verify is dropped (the pinned roots remain).
 */
static bp_agent_status
load_trust(bp_agent *a, int64_t now)
{
	char	   *text = NULL;
	size_t		len = 0;
	bp_agent_status st;
	size_t		payload_len = 0;
	char	   *line;
	char	   *save = NULL;

	st = pinned_verifier(a, &a->v);
	if (st != BP_AGENT_OK)
		return st;
	drop_chain(a);
	st = bp_agent_state_read(&a->state, "keysets", &text, &len);
	a->keyset_status = st;
	if (st == BP_AGENT_NO_CACHE)
		return BP_AGENT_OK;
	if (st != BP_AGENT_OK)
		return say(a, st, "%s", a->state.detail);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
	{
		if (a->n_chain == MAX_CHAIN)
			break;
		a->chain[a->n_chain] = strdup(line);
		if (a->chain[a->n_chain] == NULL)
			break;
		a->n_chain++;
	}
	free(text);
	for (size_t i = 0; i < a->n_chain; i++)
	{
		bool		last = i + 1 == a->n_chain;
		bp_verify_status vs;

		if (i > 0)
			pin_listed_roots(&a->v);
		vs = load_keyset(a, &a->v, a->chain[i], last ? 0 : BP_VERIFY_SKIP_TIME, now,
						 a->keyset_grace, &payload_len);
		if (vs == BP_VERIFY_OK)
			vs = bp_verify_footer_kid(a->chain[i], strlen(a->chain[i]), a->signer[i]);
		if (vs != BP_VERIFY_OK)
		{
			say(a, vs, "cached key set %zu of %zu not used: %s", i + 1, a->n_chain, bp_verify_strerror(vs));
			a->keyset_status = vs;
			copy_detail(a->keyset_detail, sizeof(a->keyset_detail), a->detail);
			drop_chain(a);
			return pinned_verifier(a, &a->v) == BP_AGENT_OK ? (bp_agent_status) vs : BP_AGENT_BAD_OPTION;
		}
	}
	if (a->n_chain > 0)
	{
		keyset_times(a, payload_len);
		if (a->v.keyset_version < bp_agent_state_seen(&a->state, "keyset"))
		{
			say(a, BP_VERIFY_ROLLBACK, "cached key set version %lld is older than one seen before",
				(long long) a->v.keyset_version);
			a->keyset_status = BP_VERIFY_ROLLBACK;
			copy_detail(a->keyset_detail, sizeof(a->keyset_detail), a->detail);
			drop_chain(a);
			(void) pinned_verifier(a, &a->v);
			return BP_VERIFY_ROLLBACK;
		}
		bp_agent_state_raise(&a->state, "keyset", a->v.keyset_version);
	}
	return BP_AGENT_OK;
}

/* Write the key set chain whole. */
static bp_agent_status
save_chain(bp_agent *a)
{
	size_t		total = 0;
	char	   *text;
	char	   *p;
	bp_agent_status st;

	for (size_t i = 0; i < a->n_chain; i++)
		total += strlen(a->chain[i]) + 1;
	text = malloc(total + 1);
	if (text == NULL)
		return say(a, BP_AGENT_NO_MEMORY, "out of memory");
	p = text;
	for (size_t i = 0; i < a->n_chain; i++)
	{
		size_t		n = strlen(a->chain[i]);

		memcpy(p, a->chain[i], n);
		p += n;
		*p++ = '\n';
	}
	st = bp_agent_state_write(&a->state, "keysets", text, total);
	free(text);
	if (st != BP_AGENT_OK)
		return say(a, st, "%s", a->state.detail);
	return BP_AGENT_OK;
}

/*
 * Take a key set token if it verifies with the trusted roots (the pinned
 * ones and those the current key set lists) and is not older than the
 * current one.  On success the chain is updated: reset when a pinned root
 * signed it, else the key set replaces the last one of the same signer or
 * follows it.
 */
static bp_verify_status
accept_keyset(bp_agent *a, const char *token, int64_t now)
{
	bp_verifier *cand = malloc(sizeof(bp_verifier));
	char		kid[BP_PASERK_K4_PID_LEN];
	size_t		payload_len;
	bp_verify_status st;
	bool		by_pinned = false;
	char	   *copy;

	if (cand == NULL)
		return BP_VERIFY_BUFFER_TOO_SMALL;
	*cand = a->v;
	pin_listed_roots(cand);
	st = bp_verify_footer_kid(token, strlen(token), kid);
	if (st == BP_VERIFY_OK)
		st = load_keyset(a, cand, token, 0, now, 0, &payload_len);
	if (st == BP_VERIFY_OK && cand->keyset_version < bp_agent_state_seen(&a->state, "keyset"))
		st = BP_VERIFY_ROLLBACK;
	if (st != BP_VERIFY_OK)
	{
		free(cand);
		return st;
	}
	{
		bp_verifier pinned;

		if (pinned_verifier(a, &pinned) == BP_AGENT_OK)
			for (size_t i = 0; i < pinned.n_keys; i++)
				if (memcmp(pinned.keys[i].kid, kid, sizeof(kid)) == 0)
					by_pinned = true;
	}
	copy = strdup(token);
	if (copy == NULL)
	{
		free(cand);
		return BP_VERIFY_BUFFER_TOO_SMALL;
	}
	if (by_pinned)
		drop_chain(a);
	else if (a->n_chain > 0 && memcmp(a->signer[a->n_chain - 1], kid, sizeof(kid)) == 0)
		free(a->chain[--a->n_chain]);
	else if (a->n_chain == MAX_CHAIN)
	{
		free(a->chain[0]);
		memmove(a->chain, a->chain + 1, (MAX_CHAIN - 1) * sizeof(a->chain[0]));
		memmove(a->signer, a->signer + 1, (MAX_CHAIN - 1) * sizeof(a->signer[0]));
		a->n_chain--;
	}
	a->chain[a->n_chain] = copy;
	memcpy(a->signer[a->n_chain], kid, sizeof(kid));
	a->n_chain++;
	a->v = *cand;
	free(cand);
	keyset_times(a, payload_len);
	bp_agent_state_raise(&a->state, "keyset", a->v.keyset_version);
	return BP_VERIFY_OK;
}

static bp_agent_status
refresh_keys(bp_agent *a, int64_t now, int64_t deadline)
{
	char	   *answer;
	size_t		len;
	doc			d;
	bp_agent_status st;
	bp_verify_status best = BP_VERIFY_UNKNOWN_KEY;
	int			arr;
	bool		taken = false;

	st = call(a, "GET", "/rpc/keyset", NULL, deadline, &answer, &len);
	if (st != BP_AGENT_OK)
		return st;
	if (!doc_parse(&d, answer, len))
	{
		free(answer);
		return say(a, BP_AGENT_BAD_RESPONSE, "GET /rpc/keyset: not a JSON object");
	}
	/* every copy, the active root's first; an old service sends only "keyset" */
	arr = doc_get(&d, 0, "keysets");
	if (arr >= 0 && d.t[arr].type == BP_JSON_ARRAY)
	{
		int			i = arr + 1;

		for (size_t k = 0; k < d.t[arr].size && !taken; k++, i = bp_json_skip(d.t, d.n, i))
		{
			char	   *tok;

			if (i < 0 || d.t[i].type != BP_JSON_STRING)
				break;
			tok = dup_n(d.text + d.t[i].start, d.t[i].end - d.t[i].start);	/* base64url: no escapes */
			if (tok == NULL)
				break;
			best = accept_keyset(a, tok, now);
			taken = best == BP_VERIFY_OK;
			free(tok);
		}
	}
	if (!taken)
	{
		char	   *tok = doc_string(&d, 0, "keyset");

		if (tok != NULL)
		{
			bp_verify_status s = accept_keyset(a, tok, now);

			if (s == BP_VERIFY_OK || best == BP_VERIFY_UNKNOWN_KEY)
				best = s;
			taken = s == BP_VERIFY_OK;
		}
		else if (arr < 0)
			st = say(a, BP_AGENT_BAD_RESPONSE, "GET /rpc/keyset: no keyset in the answer");
		free(tok);
	}
	doc_free(&d);
	free(answer);
	if (st != BP_AGENT_OK)
		return st;
	if (!taken)
		return say(a, best, "the service's key set was refused: %s", bp_verify_strerror(best));
	a->keyset_status = BP_AGENT_OK;
	a->keyset_detail[0] = '\0';
	st = save_chain(a);
	if (st == BP_AGENT_OK)
		st = bp_agent_state_save_seen(&a->state) ? BP_AGENT_OK : say(a, BP_AGENT_STATE_ERROR, "%s", a->state.detail);
	return st;
}

static bool
keyset_due(const bp_agent *a, int64_t now)
{
	return a->n_chain == 0 || a->keyset_exp <= now ||
		now >= a->keyset_iat + (a->keyset_exp - a->keyset_iat) / 2;
}

bp_agent_status
bp_agent_refresh_keys(bp_agent *a, int64_t now)
{
	if (a == NULL)
		return BP_AGENT_BAD_OPTION;
	return refresh_keys(a, now, monotonic_ms() + a->timeout_ms);
}

/* ---- open, close ------------------------------------------------------------------------------ */

void
bp_agent_close(bp_agent *a)
{
	if (a == NULL)
		return;
	free(a->service_url);
	free(a->install_id);
	if (a->authorization != NULL)
		sodium_memzero(a->authorization, strlen(a->authorization));
	free(a->authorization);
	free(a->platform);
	free(a->arch);
	for (size_t i = 0; i < a->n_roots; i++)
		free(a->roots[i]);
	free(a->roots);
	drop_chain(a);
	bp_agent_state_close(&a->state);
	free(a->rev);
	free(a->work);
	free(a);
}

bp_agent_status
bp_agent_open(const bp_agent_options *o, int64_t now, bp_agent **out, char *detail, size_t detail_cap)
{
	bp_agent   *a;
	bp_agent_status st;
	size_t		url_len;

#define OPEN_FAIL(code, ...) do { \
		if (detail != NULL && detail_cap > 0) snprintf(detail, detail_cap, __VA_ARGS__); \
		bp_agent_close(a); return (code); } while (0)

	if (out == NULL)
		return BP_AGENT_BAD_OPTION;
	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
	{
		if (detail != NULL && detail_cap > 0)
			snprintf(detail, detail_cap, "out of memory");
		return BP_AGENT_NO_MEMORY;
	}
	if (o == NULL || o->state_dir == NULL || o->install_id == NULL || o->install_id[0] == '\0')
		OPEN_FAIL(BP_AGENT_BAD_OPTION, "state_dir and install_id are required");
	if (o->n_roots == 0 || o->roots == NULL)
		OPEN_FAIL(BP_AGENT_BAD_OPTION, "at least one pinned root key is required");
	if (o->service_url != NULL && strncmp(o->service_url, "http://", 7) != 0 &&
		strncmp(o->service_url, "https://", 8) != 0)
		OPEN_FAIL(BP_AGENT_BAD_OPTION, "service_url must start with http:// or https://");
	a->service_url = strdup(o->service_url != NULL ? o->service_url : "");
	if (a->service_url != NULL && (url_len = strlen(a->service_url)) > 0 && a->service_url[url_len - 1] == '/')
		a->service_url[url_len - 1] = '\0';
	a->install_id = strdup(o->install_id);
	a->platform = dup_or_null(o->platform);
	a->arch = dup_or_null(o->arch);
	if (o->access_token != NULL)
	{
		size_t		n = strlen(o->access_token) + sizeof("Bearer ");

		a->authorization = malloc(n);
		if (a->authorization != NULL)
			snprintf(a->authorization, n, "Bearer %s", o->access_token);
	}
	a->roots = calloc(o->n_roots, sizeof(char *));
	if (a->service_url == NULL || a->install_id == NULL || a->roots == NULL ||
		(o->platform != NULL && a->platform == NULL) || (o->arch != NULL && a->arch == NULL) ||
		(o->access_token != NULL && a->authorization == NULL))
		OPEN_FAIL(BP_AGENT_NO_MEMORY, "out of memory");
	for (size_t i = 0; i < o->n_roots; i++)
	{
		if (o->roots[i] == NULL || (a->roots[i] = strdup(o->roots[i])) == NULL)
			OPEN_FAIL(BP_AGENT_BAD_OPTION, "pinned root key %zu missing", i + 1);
		a->n_roots++;
	}
	a->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	a->keyset_grace = o->keyset_grace > 0 ? o->keyset_grace : DEFAULT_KEYSET_GRACE;
	a->transport = o->transport != NULL ? o->transport : bp_agent_curl_transport;
	a->transport_arg = o->transport_arg;
	a->rev = malloc(sizeof(bp_revocations));
	if (a->rev == NULL)
		OPEN_FAIL(BP_AGENT_NO_MEMORY, "out of memory");
	bp_revocations_init(a->rev);

	st = pinned_verifier(a, &a->v);
	if (st != BP_AGENT_OK)
		OPEN_FAIL(st, "%s", a->detail);
	st = bp_agent_state_open(&a->state, o->state_dir);
	if (st != BP_AGENT_OK)
		OPEN_FAIL(st, "%s", a->state.detail);
	/* a cached key set that does not verify is not an error: it is not used */
	(void) load_trust(a, now);
	*out = a;
	return BP_AGENT_OK;
#undef OPEN_FAIL
}

/* ---- the clock -------------------------------------------------------------------------------- */

/* CLOCK_BACK when now is earlier than a time seen before; else remember now. */
static bp_agent_status
check_clock(bp_agent *a, int64_t now)
{
	int64_t		seen = bp_agent_state_seen(&a->state, "clock");

	if (now + BP_VERIFY_CLOCK_SKEW < seen)
		return say(a, BP_AGENT_CLOCK_BACK, "the clock reads %lld, %lld s before a time already seen",
				   (long long) now, (long long) (seen - now));
	bp_agent_state_raise(&a->state, "clock", now);
	return BP_AGENT_OK;
}

/* ---- verified tokens -------------------------------------------------------------------------- */

/*
 * Verify token (typ, at now, with exp_leeway and flags) and copy the
 * payload into result.
 */
static bp_verify_status
verify_into(bp_agent *a, const char *token, const char *typ, int64_t now, unsigned flags, int64_t leeway,
			bp_agent_result *r)
{
	size_t		len = strlen(token);
	size_t		payload_len;
	bp_verify_status st;
	doc			d;

	if (!ensure_work(a, len))
		return BP_VERIFY_BUFFER_TOO_SMALL;
	st = bp_verify_token(&a->v, token, len, typ, now, flags, leeway, a->work, a->work_cap, &payload_len);
	if (st != BP_VERIFY_OK)
		return st;
	r->payload = dup_n((const char *) a->work, payload_len);
	r->token = strdup(token);
	if (r->payload == NULL || r->token == NULL)
		return BP_VERIFY_BUFFER_TOO_SMALL;
	r->payload_len = payload_len;
	r->issued_at = r->expires_at = 0;
	if (doc_parse(&d, r->payload, r->payload_len))
	{
		(void) doc_time(&d, 0, "iat", &r->issued_at);
		(void) doc_time(&d, 0, "exp", &r->expires_at);
		doc_free(&d);
	}
	return BP_VERIFY_OK;
}

/* ---- decisions -------------------------------------------------------------------------------- */

static void
decision_file(char *name, size_t cap, const char *product_id)
{
	bp_agent_state_name(name, cap, "decision", product_id, NULL, NULL);
}

/* The cached decision: "nonce\ntoken\n", verified (exp only when check_time). */
static bp_agent_status
cached_decision(bp_agent *a, const char *product_id, int64_t now, bool check_time, bp_agent_result *r)
{
	char		name[BP_AGENT_STATE_NAME_MAX];
	char	   *text = NULL;
	size_t		len;
	char	   *nl;
	bp_agent_status st;
	doc			d;

	decision_file(name, sizeof(name), product_id);
	st = bp_agent_state_read(&a->state, name, &text, &len);
	if (st != BP_AGENT_OK)
		return say(a, st, "%s", st == BP_AGENT_NO_CACHE ? "no decision cached for this product" : a->state.detail);
	nl = memchr(text, '\n', len);
	if (nl == NULL)
	{
		free(text);
		return say(a, BP_VERIFY_MALFORMED, "cached decision: not a nonce and a token");
	}
	*nl = '\0';
	if (len > 0 && text[len - 1] == '\n')
		text[len - 1] = '\0';
	if (check_time && (st = check_clock(a, now)) != BP_AGENT_OK)
	{
		free(text);
		return st;
	}
	st = verify_into(a, nl + 1, "decision", now, check_time ? 0 : BP_VERIFY_SKIP_TIME, 0, r);
	if (st == BP_AGENT_OK)
		st = bp_client_check_binding(r->payload, r->payload_len, a->install_id, text);
	if (st == BP_AGENT_OK && doc_parse(&d, r->payload, r->payload_len))
	{
		if (!doc_string_is(&d, 0, "product_id", product_id))
			st = BP_VERIFY_NOT_FOR_US;
		doc_free(&d);
	}
	if (st == BP_AGENT_OK && r->issued_at < bp_agent_state_seen(&a->state, name))
		st = BP_VERIFY_ROLLBACK;
	free(text);
	if (st != BP_AGENT_OK)
	{
		bp_agent_result_free(r);
		return say(a, st, "cached decision for %s: %s", product_id, bp_agent_strerror(st));
	}
	r->source = BP_AGENT_FROM_CACHE;
	return BP_AGENT_OK;
}

bp_agent_status
bp_agent_cached_decision(bp_agent *a, const char *product_id, int64_t now, bp_agent_result *r)
{
	if (a == NULL || product_id == NULL || r == NULL)
		return BP_AGENT_BAD_OPTION;
	memset(r, 0, sizeof(*r));
	return cached_decision(a, product_id, now, false, r);
}

/* The service's answer to one product: the decision's token, verified and bound. */
static bp_agent_status
fresh_decision(bp_agent *a, const char *product_id, const char *current_version, const char *channel,
			   int64_t now, int64_t deadline, bp_agent_result *r)
{
	unsigned char rnd[16];
	char		nonce[sizeof(rnd) * 2 + 1];
	body		b = {.len = 0};
	char	   *answer;
	size_t		len;
	bp_agent_status st;
	doc			d;
	char	   *token = NULL;
	int			arr;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(nonce, sizeof(nonce), rnd, sizeof(rnd));
	body_raw(&b, "{");
	body_str(&b, "install_id", a->install_id);
	body_str(&b, "nonce", nonce);
	body_str(&b, "platform", a->platform);
	body_str(&b, "arch", a->arch);
	body_raw(&b, ", \"products\": [{");
	body_str(&b, "product_id", product_id);
	body_str(&b, "current_version", current_version);
	body_str(&b, "channel", channel);
	body_raw(&b, "}]}");
	if (b.bad)
		return say(a, BP_AGENT_BAD_OPTION, "an identifier holds a control character or is too long");

	st = call(a, "POST", "/rpc/decision", &b, deadline, &answer, &len);
	if (st != BP_AGENT_OK)
		return st;
	if (doc_parse(&d, answer, len))
	{
		arr = doc_get(&d, 0, "decisions");
		if (arr >= 0 && d.t[arr].type == BP_JSON_ARRAY && d.t[arr].size == 1 &&
			d.t[arr + 1].type == BP_JSON_OBJECT)
			token = doc_string(&d, arr + 1, "token");
		doc_free(&d);
	}
	free(answer);
	if (token == NULL)
		return say(a, BP_AGENT_BAD_RESPONSE, "POST /rpc/decision: no decision token in the answer");

	now = advanced(a, now, deadline);
	st = verify_into(a, token, "decision", now, 0, 0, r);
	if (st == BP_VERIFY_UNKNOWN_KEY && refresh_keys(a, now, deadline) == BP_AGENT_OK)
	{
		bp_agent_result_free(r);
		st = verify_into(a, token, "decision", now, 0, 0, r);
	}
	if (st == BP_AGENT_OK)
		st = bp_client_check_binding(r->payload, r->payload_len, a->install_id, nonce);
	if (st == BP_AGENT_OK && doc_parse(&d, r->payload, r->payload_len))
	{
		if (!doc_string_is(&d, 0, "product_id", product_id))
			st = BP_VERIFY_NOT_FOR_US;
		doc_free(&d);
	}
	if (st != BP_AGENT_OK)
	{
		free(token);
		bp_agent_result_free(r);
		return say(a, st, "the service's decision for %s: %s", product_id, bp_agent_strerror(st));
	}
	/* keep it: "nonce\ntoken\n" */
	{
		char		name[BP_AGENT_STATE_NAME_MAX];
		size_t		tl = strlen(token);
		size_t		n = strlen(nonce) + tl + 2;
		char	   *text = malloc(n + 1);

		decision_file(name, sizeof(name), product_id);
		if (text == NULL)
			st = say(a, BP_AGENT_NO_MEMORY, "out of memory");
		else
		{
			snprintf(text, n + 1, "%s\n%s\n", nonce, token);
			st = bp_agent_state_write(&a->state, name, text, n);
			if (st != BP_AGENT_OK)
				say(a, st, "%s", a->state.detail);
			free(text);
		}
		bp_agent_state_raise(&a->state, name, r->issued_at);
		bp_agent_state_raise(&a->state, "clock", r->issued_at);
	}
	free(token);
	if (st == BP_AGENT_OK && !bp_agent_state_save_seen(&a->state))
		st = say(a, BP_AGENT_STATE_ERROR, "%s", a->state.detail);
	if (st != BP_AGENT_OK)
		bp_agent_result_free(r);
	else
		r->source = BP_AGENT_FROM_SERVICE;
	return st;
}

bp_agent_status
bp_agent_check(bp_agent *a, const char *product_id, const char *current_version, const char *channel,
			   int64_t now, bp_agent_result *r)
{
	int64_t		deadline;
	bp_agent_status st;
	bp_agent_status why;
	char		why_detail[240];

	if (a == NULL || r == NULL || product_id == NULL || current_version == NULL)
		return BP_AGENT_BAD_OPTION;
	memset(r, 0, sizeof(*r));
	deadline = monotonic_ms() + a->timeout_ms;
	a->detail[0] = '\0';
	if (a->service_url[0] == '\0')
		st = say(a, BP_AGENT_UNREACHABLE, "no service URL: offline");
	else if (keyset_due(a, now) && (st = refresh_keys(a, now, deadline)) != BP_AGENT_OK &&
			 a->n_chain == 0)
		;						/* no key set at all: nothing can verify */
	else
		st = fresh_decision(a, product_id, current_version, channel, now, deadline, r);
	if (st == BP_AGENT_OK || st != BP_AGENT_UNREACHABLE)
		return st;
	/* the service cannot be asked: the cached answer, while valid */
	why = st;
	copy_detail(why_detail, sizeof(why_detail), a->detail);
	st = cached_decision(a, product_id, now, true, r);
	if (st != BP_AGENT_OK)
	{
		char		cache_detail[240];

		copy_detail(cache_detail, sizeof(cache_detail), a->detail);
		snprintf(a->detail, sizeof(a->detail), "%s; %s", why_detail, cache_detail);
		return st == BP_AGENT_NO_CACHE ? why : st;
	}
	r->offline_status = why;
	snprintf(a->detail, sizeof(a->detail), "answered from the cache: %s", why_detail);
	(void) bp_agent_state_save_seen(&a->state);
	return BP_AGENT_OK;
}

/* ---- leases ----------------------------------------------------------------------------------- */

static void
lease_file(char *name, size_t cap, const char *product_id, const char *subject_type, const char *subject_id)
{
	bp_agent_state_name(name, cap, "lease", product_id, subject_type, subject_id);
}

/*
 * The tenant's revocation list, from the state directory, into a->rev (kept
 * there: a second call for the same tenant reads nothing).  OK, NO_CACHE,
 * or why the file's list was not taken.
 */
static bp_agent_status
load_cached_revocations(bp_agent *a, const char *tenant, int64_t now)
{
	char		name[BP_AGENT_STATE_NAME_MAX];
	char	   *text;
	size_t		len;
	bp_agent_status st;

	if (strcmp(a->rev_tenant, tenant) == 0)
		return BP_AGENT_OK;
	bp_revocations_init(a->rev);
	snprintf(a->rev_tenant, sizeof(a->rev_tenant), "%s", tenant);
	bp_agent_state_name(name, sizeof(name), "revocations", tenant, NULL, NULL);
	st = bp_agent_state_read(&a->state, name, &text, &len);
	if (st != BP_AGENT_OK)
		return st;
	while (len > 0 && text[len - 1] == '\n')
		len--;
	/*
	 * A list keeps applying after its exp until a newer one replaces it: an
	 * expired one is verified as of just before its exp (read, unverified,
	 * only to choose that time).
	 */
	if (!ensure_work(a, len))
		st = BP_AGENT_NO_MEMORY;
	else
	{
		int64_t		at = now;
		size_t		plen;
		doc			d;

		if (bp_paseto_v4_unverified_payload(text, len, a->work, a->work_cap, &plen) == BP_PASETO_OK &&
			doc_parse(&d, (const char *) a->work, plen))
		{
			int64_t		exp;

			if (doc_time(&d, 0, "exp", &exp) && exp <= now)
				at = exp - 1;
			doc_free(&d);
		}
		st = bp_revocations_load(a->rev, &a->v, text, len, at, a->work, a->work_cap);
		if (st == BP_AGENT_OK && a->rev->version < bp_agent_state_seen(&a->state, name))
			st = BP_VERIFY_ROLLBACK;
		if (st != BP_AGENT_OK)
			bp_revocations_init(a->rev);
	}
	free(text);
	return st;
}

/* GET /rpc/lease_revocations for the tenant: verified, newer than the held one, kept. */
static bp_agent_status
fresh_revocations(bp_agent *a, const char *tenant, int64_t now, int64_t deadline)
{
	char	   *answer;
	size_t		len;
	doc			d;
	char	   *token = NULL;
	bp_agent_status st;
	char		name[BP_AGENT_STATE_NAME_MAX];

	st = call(a, "GET", "/rpc/lease_revocations", NULL, deadline, &answer, &len);
	if (st != BP_AGENT_OK)
		return st;
	if (doc_parse(&d, answer, len))
	{
		token = doc_string(&d, 0, "lease_revocations");
		doc_free(&d);
	}
	free(answer);
	if (token == NULL)
		return say(a, BP_AGENT_BAD_RESPONSE, "GET /rpc/lease_revocations: no list in the answer");
	st = ensure_work(a, strlen(token)) ?
		bp_revocations_load(a->rev, &a->v, token, strlen(token), now, a->work, a->work_cap) :
		BP_VERIFY_BUFFER_TOO_SMALL;
	if (st == BP_AGENT_OK && (a->rev->tenant_len != strlen(tenant) ||
							  memcmp(a->rev->tenant, tenant, a->rev->tenant_len) != 0))
		st = BP_VERIFY_WRONG_TENANT;
	if (st != BP_AGENT_OK)
	{
		free(token);
		return say(a, st, "the service's revocation list: %s", bp_verify_strerror(st));
	}
	bp_agent_state_name(name, sizeof(name), "revocations", tenant, NULL, NULL);
	st = bp_agent_state_write(&a->state, name, token, strlen(token));
	if (st != BP_AGENT_OK)
		say(a, st, "%s", a->state.detail);
	bp_agent_state_raise(&a->state, name, a->rev->version);
	free(token);
	return st;
}

/* seq of a verified lease payload (0 when absent). */
static int64_t
lease_seq(const char *payload, size_t len)
{
	doc			d;
	int64_t		seq = 0;

	if (doc_parse(&d, payload, len))
	{
		(void) doc_int(&d, 0, "seq", &seq);
		doc_free(&d);
	}
	return seq;
}

/*
 * A lease payload for this install, product and subject; and (with prev) a
 * successor of prev: seq higher (ROLLBACK otherwise), and when exactly one
 * higher, prev_hash the hash of prev's token (the subject may hold leases on
 * other installs, so a gap is not an error).
 */
static bp_verify_status
check_lease(bp_agent *a, const bp_agent_result *r, const char *product_id, const char *subject,
			const bp_agent_result *prev)
{
	bp_verify_status st = bp_client_check_binding(r->payload, r->payload_len, a->install_id, NULL);
	doc			d;

	if (st != BP_VERIFY_OK)
		return st;
	if (!doc_parse(&d, r->payload, r->payload_len))
		return BP_VERIFY_MALFORMED;
	if (!doc_string_is(&d, 0, "product_id", product_id) || !doc_string_is(&d, 0, "sub", subject))
		st = BP_VERIFY_NOT_FOR_US;
	doc_free(&d);
	if (st == BP_VERIFY_OK && prev != NULL && prev->payload != NULL)
	{
		int64_t		ps = lease_seq(prev->payload, prev->payload_len);
		int64_t		ns = lease_seq(r->payload, r->payload_len);

		if (ns <= ps)
			st = BP_VERIFY_ROLLBACK;
		else if (ns == ps + 1)
			st = bp_client_check_lease_chain(prev->token, strlen(prev->token), prev->payload,
											 prev->payload_len, r->payload, r->payload_len);
	}
	return st;
}

static bp_verify_status
check_not_revoked(bp_agent *a, const bp_agent_result *r)
{
	return bp_revocations_check_lease(a->rev, r->payload, r->payload_len);
}

/* The lease's offline grace (seconds past exp it still serves offline). */
static int64_t
lease_grace(const bp_agent_result *r)
{
	doc			d;
	int64_t		g = 0;

	if (doc_parse(&d, r->payload, r->payload_len))
	{
		(void) doc_int(&d, 0, "offline_grace", &g);
		doc_free(&d);
	}
	return g < 0 ? 0 : g > MAX_OFFLINE_GRACE ? MAX_OFFLINE_GRACE : g;
}

static char *
payload_string(const bp_agent_result *r, const char *key)
{
	doc			d;
	char	   *s = NULL;

	if (doc_parse(&d, r->payload, r->payload_len))
	{
		s = doc_string(&d, 0, key);
		doc_free(&d);
	}
	return s;
}

/*
 * The cached lease, verified whatever its age (signature, binding, not
 * older than seen); the caller checks the time.
 */
static bp_agent_status
cached_lease(bp_agent *a, const char *name, const char *product_id, const char *subject, int64_t now,
			 bp_agent_result *r)
{
	char	   *text;
	size_t		len;
	bp_agent_status st = bp_agent_state_read(&a->state, name, &text, &len);

	if (st != BP_AGENT_OK)
		return say(a, st, "%s", st == BP_AGENT_NO_CACHE ? "no lease cached for this subject" : a->state.detail);
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	st = verify_into(a, text, "lease", now, BP_VERIFY_SKIP_TIME, 0, r);
	free(text);
	if (st == BP_AGENT_OK)
		st = check_lease(a, r, product_id, subject, NULL);
	if (st == BP_AGENT_OK && lease_seq(r->payload, r->payload_len) < bp_agent_state_seen(&a->state, name))
		st = BP_VERIFY_ROLLBACK;
	if (st != BP_AGENT_OK)
	{
		bp_agent_result_free(r);
		return say(a, st, "cached lease: %s", bp_agent_strerror(st));
	}
	r->source = BP_AGENT_FROM_CACHE;
	return BP_AGENT_OK;
}

bp_agent_status
bp_agent_lease(bp_agent *a, const char *product_id, const char *subject_type, const char *subject_id,
			   int64_t now, bp_agent_result *r)
{
	char		name[BP_AGENT_STATE_NAME_MAX];
	char		subject[512];
	bp_agent_result prev = {0};
	bool		have_prev;
	bp_agent_status prev_status;
	char		prev_detail[240];
	int64_t		deadline;
	bp_agent_status st;
	bp_agent_status why;
	char		why_detail[240];
	body		b = {.len = 0};
	char	   *answer;
	size_t		len;
	char	   *token = NULL;
	char	   *tenant;

	if (a == NULL || r == NULL || product_id == NULL || subject_type == NULL || subject_id == NULL)
		return BP_AGENT_BAD_OPTION;
	memset(r, 0, sizeof(*r));
	if ((size_t) snprintf(subject, sizeof(subject), "%s:%s", subject_type, subject_id) >= sizeof(subject))
		return say(a, BP_AGENT_BAD_OPTION, "subject too long");
	deadline = monotonic_ms() + a->timeout_ms;
	a->detail[0] = '\0';
	lease_file(name, sizeof(name), product_id, subject_type, subject_id);
	prev_status = cached_lease(a, name, product_id, subject, now, &prev);
	have_prev = prev_status == BP_AGENT_OK;
	copy_detail(prev_detail, sizeof(prev_detail), a->detail);
	a->detail[0] = '\0';

	body_raw(&b, "{");
	body_str(&b, "product_id", product_id);
	body_str(&b, "subject_type", subject_type);
	body_str(&b, "subject_id", subject_id);
	body_str(&b, "install_id", a->install_id);
	body_raw(&b, "}");
	if (b.bad)
	{
		bp_agent_result_free(&prev);
		return say(a, BP_AGENT_BAD_OPTION, "an identifier holds a control character or is too long");
	}
	if (a->service_url[0] == '\0')
		st = say(a, BP_AGENT_UNREACHABLE, "no service URL: offline");
	else if (keyset_due(a, now) && (st = refresh_keys(a, now, deadline)) != BP_AGENT_OK && a->n_chain == 0)
		;
	else if ((st = call(a, "POST", "/rpc/lease", &b, deadline, &answer, &len)) == BP_AGENT_OK)
	{
		doc			d;

		if (doc_parse(&d, answer, len))
		{
			token = doc_string(&d, 0, "token");
			doc_free(&d);
		}
		free(answer);
		if (token == NULL)
			st = say(a, BP_AGENT_BAD_RESPONSE, "POST /rpc/lease: no lease token in the answer");
	}
	if (st == BP_AGENT_OK)
	{
		now = advanced(a, now, deadline);
		st = verify_into(a, token, "lease", now, 0, 0, r);
		if (st == BP_VERIFY_UNKNOWN_KEY && refresh_keys(a, now, deadline) == BP_AGENT_OK)
		{
			bp_agent_result_free(r);
			st = verify_into(a, token, "lease", now, 0, 0, r);
		}
		free(token);
		if (st == BP_AGENT_OK)
			st = check_lease(a, r, product_id, subject, have_prev ? &prev : NULL);
		if (st == BP_AGENT_OK && lease_seq(r->payload, r->payload_len) < bp_agent_state_seen(&a->state, name))
			st = BP_VERIFY_ROLLBACK;
		tenant = st == BP_AGENT_OK ? payload_string(r, "tenant_id") : NULL;
		if (st == BP_AGENT_OK && tenant == NULL)
			st = BP_VERIFY_MALFORMED;
		if (st == BP_AGENT_OK)
		{
			(void) load_cached_revocations(a, tenant, now);
			/* the list is fetched with every lease; offline, the cached one decides */
			if (fresh_revocations(a, tenant, now, deadline) == BP_VERIFY_ROLLBACK)
				st = BP_VERIFY_ROLLBACK;
			else
				st = check_not_revoked(a, r);
		}
		free(tenant);
		if (st != BP_AGENT_OK)
		{
			bp_agent_result_free(r);
			bp_agent_result_free(&prev);
			return say(a, st, "the service's lease: %s", bp_agent_strerror(st));
		}
		st = bp_agent_state_write(&a->state, name, r->token, strlen(r->token));
		if (st != BP_AGENT_OK)
			say(a, st, "%s", a->state.detail);
		bp_agent_state_raise(&a->state, name, lease_seq(r->payload, r->payload_len));
		bp_agent_state_raise(&a->state, "clock", r->issued_at);
		if (st == BP_AGENT_OK && !bp_agent_state_save_seen(&a->state))
			st = say(a, BP_AGENT_STATE_ERROR, "%s", a->state.detail);
		bp_agent_result_free(&prev);
		if (st != BP_AGENT_OK)
			bp_agent_result_free(r);
		else
			r->source = BP_AGENT_FROM_SERVICE;
		return st;
	}
	if (st != BP_AGENT_UNREACHABLE)
	{
		bp_agent_result_free(&prev);
		return st;
	}
	/* offline: the cached lease while valid (exp plus its offline grace) and not revoked */
	why = st;
	copy_detail(why_detail, sizeof(why_detail), a->detail);
	if (!have_prev)
	{
		snprintf(a->detail, sizeof(a->detail), "%s; %s", why_detail, prev_detail);
		return prev_status == BP_AGENT_NO_CACHE ? why : prev_status;
	}
	st = check_clock(a, now);
	if (st == BP_AGENT_OK)
	{
		/* verified again, with the time now: exp plus the lease's offline grace */
		st = verify_into(a, prev.token, "lease", now, 0, lease_grace(&prev), r);
		tenant = st == BP_AGENT_OK ? payload_string(r, "tenant_id") : NULL;
		if (st == BP_AGENT_OK && tenant == NULL)
			st = BP_VERIFY_MALFORMED;
		if (st == BP_AGENT_OK)
		{
			(void) load_cached_revocations(a, tenant, now);
			st = check_not_revoked(a, r);
		}
		free(tenant);
		if (st != BP_AGENT_OK)
			say(a, st, "cached lease: %s", bp_agent_strerror(st));
	}
	bp_agent_result_free(&prev);
	if (st != BP_AGENT_OK)
	{
		char		cache_detail[240];

		bp_agent_result_free(r);
		copy_detail(cache_detail, sizeof(cache_detail), a->detail);
		snprintf(a->detail, sizeof(a->detail), "%s; %s", why_detail, cache_detail);
		return st;
	}
	r->source = BP_AGENT_FROM_CACHE;
	r->offline_status = why;
	snprintf(a->detail, sizeof(a->detail), "answered from the cache: %s", why_detail);
	(void) bp_agent_state_save_seen(&a->state);
	return BP_AGENT_OK;
}

/* ---- files and status ------------------------------------------------------------------------- */

bp_agent_status
bp_agent_verify_file(bp_agent *a, const char *product_id, const char *path, int64_t now)
{
	bp_agent_result r;
	bp_agent_status st;

	if (a == NULL || product_id == NULL || path == NULL)
		return BP_AGENT_BAD_OPTION;
	st = bp_agent_cached_decision(a, product_id, now, &r);
	if (st != BP_AGENT_OK)
		return st;
	st = bp_agent_check_artifact(r.payload, r.payload_len, path, a->detail, sizeof(a->detail));
	bp_agent_result_free(&r);
	return st;
}

/* A growing JSON text for bp_agent_status_json. */
typedef struct out
{
	char	   *s;
	size_t		len;
	size_t		cap;
	bool		bad;
} out;

static void
out_put(out *o, const char *fmt,...)
{
	va_list		ap;
	int			n;

	for (;;)
	{
		va_start(ap, fmt);
		n = vsnprintf(o->s ? o->s + o->len : NULL, o->s ? o->cap - o->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
		{
			o->bad = true;
			return;
		}
		if (o->s != NULL && o->len + (size_t) n < o->cap)
		{
			o->len += (size_t) n;
			return;
		}
		{
			size_t		cap = (o->cap + (size_t) n + 1) * 2;
			char	   *g = realloc(o->s, cap);

			if (g == NULL)
			{
				o->bad = true;
				return;
			}
			o->s = g;
			o->cap = cap;
		}
	}
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
out_str(out *o, const char *v)
{
	out_put(o, "\"");
	for (const unsigned char *p = (const unsigned char *) v; *p != '\0'; p++)
	{
		if (*p == '"' || *p == '\\')
			out_put(o, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			out_put(o, "\\u%04x", *p);
		else
			out_put(o, "%c", *p);
	}
	out_put(o, "\"");
}

/* Decode the i-th identifier (0-based) of a state file name "kind.a.b.c"; false if hashed or absent. */
static bool
name_part(const char *name, int i, char *outp, size_t cap)
{
	const char *p = strchr(name, '.');
	size_t		n = 0;

	if (p == NULL || p[1] == '#')
		return false;
	p++;
	for (int k = 0; k < i; k++)
	{
		p = strchr(p, '.');
		if (p == NULL)
			return false;
		p++;
	}
	for (; *p != '\0' && *p != '.'; p++)
	{
		int			c = (unsigned char) *p;

		if (c == '%')
		{
			int			hi = bp_hex_digit_value((unsigned char) p[1]);
			int			lo = hi >= 0 ? bp_hex_digit_value((unsigned char) p[2]) : -1;

			if (lo < 0)
				return false;
			c = hi * 16 + lo;
			p += 2;
		}
		if (n + 1 >= cap || c == 0)
			return false;
		outp[n++] = (char) c;
	}
	outp[n] = '\0';
	return n > 0;
}

static void
status_entry(out *o, bool *first, const char *file, bp_agent_status st, const bp_agent_result *r,
			 const char *why)
{
	out_put(o, "%s{\"file\": ", *first ? "" : ", ");
	out_str(o, file);
	out_put(o, ", \"status\": \"%s\"", bp_agent_status_name(st));
	if (st == BP_AGENT_OK && r != NULL)
		out_put(o, ", \"expires_at\": %lld, \"payload\": %.*s", (long long) r->expires_at,
				(int) r->payload_len, r->payload);
	else if (why != NULL)
	{
		out_put(o, ", \"detail\": ");
		out_str(o, why);
	}
	out_put(o, "}");
	*first = false;
}

static int
cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *) x, *(char *const *) y);
}

bp_agent_status
bp_agent_status_json(bp_agent *a, int64_t now, char **json)
{
	out			o = {0};
	DIR		   *d;
	struct dirent *e;
	char	  **names = NULL;
	size_t		n_names = 0;
	int			fd;
	bool		first;
	const char *kinds[] = {"decision", "lease", "revocations"};
	const char *arrays[] = {"decisions", "leases", "revocation_lists"};

	if (a == NULL || json == NULL)
		return BP_AGENT_BAD_OPTION;
	*json = NULL;
	fd = dup(a->state.dirfd);
	if (fd < 0 || (d = fdopendir(fd)) == NULL)
	{
		if (fd >= 0)
			close(fd);
		return say(a, BP_AGENT_STATE_ERROR, "state directory: cannot list it: %s", strerror(errno));
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL)
	{
		char	  **g;

		if (e->d_name[0] == '.')
			continue;
		g = realloc(names, (n_names + 1) * sizeof(char *));
		if (g == NULL)
			break;
		names = g;
		if ((names[n_names] = strdup(e->d_name)) != NULL)
			n_names++;
	}
	closedir(d);
	qsort(names, n_names, sizeof(char *), cmp_names);

	out_put(&o, "{\"install_id\": ");
	out_str(&o, a->install_id);
	out_put(&o, ", \"service_url\": ");
	out_str(&o, a->service_url);
	out_put(&o, ", \"clock_seen\": %lld", (long long) bp_agent_state_seen(&a->state, "clock"));
	out_put(&o, ", \"keyset\": {\"status\": \"%s\"", bp_agent_status_name(a->keyset_status));
	if (a->keyset_detail[0] != '\0')
	{
		out_put(&o, ", \"detail\": ");
		out_str(&o, a->keyset_detail);
	}
	if (a->n_chain > 0)
	{
		out_put(&o, ", \"version\": %lld, \"issued_at\": %lld, \"expires_at\": %lld, \"expired\": %s, \"chain\": %zu",
				(long long) a->v.keyset_version, (long long) a->keyset_iat, (long long) a->keyset_exp,
				a->keyset_exp <= now ? "true" : "false", a->n_chain);
	}
	/* the roots that may sign the next key set: the pinned ones and those the key set lists */
	out_put(&o, ", \"trusted_roots\": [");
	first = true;
	{
		bp_verifier *tv = malloc(sizeof(bp_verifier));

		if (tv == NULL)
			o.bad = true;
		else
		{
			*tv = a->v;
			pin_listed_roots(tv);
			for (size_t i = 0; i < tv->n_keys; i++)
				if (tv->keys[i].pinned && tv->keys[i].purpose == BP_PURPOSE_ROOT &&
					tv->keys[i].state != BP_KEY_REVOKED)
				{
					out_put(&o, "%s\"%.*s\"", first ? "" : ", ", BP_PASERK_K4_PID_LEN, tv->keys[i].kid);
					first = false;
				}
			free(tv);
		}
	}
	out_put(&o, "]}");

	for (int k = 0; k < 3; k++)
	{
		size_t		kl = strlen(kinds[k]);

		out_put(&o, ", \"%s\": [", arrays[k]);
		first = true;
		for (size_t i = 0; i < n_names; i++)
		{
			char		p1[256];
			char		p2[256];
			char		p3[256];
			bp_agent_result r = {0};
			bp_agent_status st;

			if (strncmp(names[i], kinds[k], kl) != 0 || names[i][kl] != '.')
				continue;
			if (k == 0)
			{
				st = name_part(names[i], 0, p1, sizeof(p1)) ? cached_decision(a, p1, now, true, &r) : BP_AGENT_NO_CACHE;
				status_entry(&o, &first, names[i], st, &r, st == BP_AGENT_OK ? NULL : a->detail);
			}
			else if (k == 1)
			{
				char		subject[520];

				if (name_part(names[i], 0, p1, sizeof(p1)) && name_part(names[i], 1, p2, sizeof(p2)) &&
					name_part(names[i], 2, p3, sizeof(p3)))
				{
					snprintf(subject, sizeof(subject), "%s:%s", p2, p3);
					st = cached_lease(a, names[i], p1, subject, now, &r);
					if (st == BP_AGENT_OK)
					{
						bp_agent_result timed = {0};
						char	   *tenant;

						st = verify_into(a, r.token, "lease", now, 0, lease_grace(&r), &timed);
						tenant = st == BP_AGENT_OK ? payload_string(&timed, "tenant_id") : NULL;
						if (tenant != NULL)
						{
							(void) load_cached_revocations(a, tenant, now);
							st = check_not_revoked(a, &timed);
							free(tenant);
						}
						bp_agent_result_free(&timed);
					}
				}
				else
					st = BP_AGENT_NO_CACHE;
				status_entry(&o, &first, names[i], st, &r, st == BP_AGENT_OK ? NULL : bp_agent_strerror(st));
			}
			else
			{
				if (name_part(names[i], 0, p1, sizeof(p1)))
				{
					a->rev_tenant[0] = '\0';
					st = load_cached_revocations(a, p1, now);
				}
				else
					st = BP_AGENT_NO_CACHE;
				out_put(&o, "%s{\"file\": ", first ? "" : ", ");
				out_str(&o, names[i]);
				out_put(&o, ", \"status\": \"%s\"", bp_agent_status_name(st));
				if (st == BP_AGENT_OK)
					out_put(&o, ", \"version\": %lld, \"expires_at\": %lld, \"revoked\": %zu",
							(long long) a->rev->version, (long long) a->rev->exp, a->rev->n_ids);
				out_put(&o, "}");
				first = false;
			}
			bp_agent_result_free(&r);
		}
		out_put(&o, "]");
	}
	out_put(&o, "}");
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	if (o.bad)
	{
		free(o.s);
		return say(a, BP_AGENT_NO_MEMORY, "out of memory");
	}
	*json = o.s;
	return BP_AGENT_OK;
}
