/*
 * test_audit_chain.c — the audit-chain verifier of libbigpicture-client
 * (src/client/audit_chain.c), and the bp_client_verify_ex flag it uses.
 *
 * `make unit` links src/core only, so the client library is included here
 * directly (as test_client.c does).  Exports are built here with
 * bp_audit_hash and snprintf; checkpoints and key sets are signed with
 * bp_paseto_v4_sign by keys made from fixed seeds.  Every buffer handed to
 * the verifier is malloc'd at exactly the size its API asks for, so
 * valgrind sees any access past it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "../../src/client/bp_client.c"
#include "paseto.h"
#include "../../src/client/audit_chain.c"
#include "unit.h"

#define NOW INT64_C(1800000000)	/* 2027-01-15T08:00:00Z */
#define LINE_CAP 8192
#define TOKEN_CAP 16384

typedef struct test_key
{
	uint8_t		sk[64];
	uint8_t		pk[32];
	char		pub[BP_PASERK_K4_PUBLIC_LEN + 1];
	char		kid[BP_PASERK_K4_PID_LEN + 1];
} test_key;

static test_key root, audit, audit_retired, audit_revoked, audit_tenant, dec, stranger;

static void
make_key(test_key *k, uint8_t seed_byte)
{
	uint8_t		seed[32];
	size_t		n;

	memset(seed, seed_byte, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	bp_paserk_k4_public_encode(k->pk, 32, k->pub, sizeof(k->pub), &n);
	k->pub[n] = '\0';
	bp_paserk_k4_pid(k->pk, 32, k->kid, sizeof(k->kid), &n);
	k->kid[n] = '\0';
}

/* Sign payload with footer {"kid":…} into a static ring of tokens. */
static char *
sign(const test_key *k, const char *payload)
{
	static char tokens[8][TOKEN_CAP];
	static int	next;
	static uint8_t scratch[TOKEN_CAP];
	char	   *out = tokens[next++ % 8];
	char		footer[128];
	size_t		n = 0;

	snprintf(footer, sizeof(footer), "{\"kid\":\"%s\"}", k->kid);
	if (bp_paseto_v4_sign(k->sk, 64, (const uint8_t *) payload, strlen(payload),
						  (const uint8_t *) footer, strlen(footer), NULL, 0,
						  scratch, sizeof(scratch), out, TOKEN_CAP - 1, &n) != BP_PASETO_OK)
	{
		fprintf(stderr, "signing failed\n");
		exit(2);
	}
	out[n] = '\0';
	return out;
}

/* ---- exports ------------------------------------------------------------ */

typedef struct chain
{
	int			n;
	char		line[8][LINE_CAP];
	uint8_t		hash[8][32];
	char		hex[8][65];
} chain;

static bp_audit_text
txt(const char *s)
{
	bp_audit_text t = {s, s ? strlen(s) : 0, s == NULL};

	return t;
}

/*
 * Event seq of chain_id (a plain ASCII id) chained to prev, as an export
 * line; actor as given.  The hash is written to hash and hex.
 */
static void
event_line(char *out, size_t cap, const char *chain_id, int seq, const uint8_t prev[32],
		   const char *actor, uint8_t hash[32], char hex[65])
{
	bp_audit_event ev;
	char		prev_hex[65];
	char		event_id[32];
	char		stamp[32];
	int64_t		us = INT64_C(1795000000000000) + seq * INT64_C(1000001);
	time_t		secs = (time_t) (us / 1000000);
	struct tm	tm;

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(event_id, sizeof(event_id), "evt_%d", seq);
	ev.chain_id = txt(chain_id);
	ev.seq = (uint64_t) seq;
	ev.event_id = txt(event_id);
	ev.occurred_at_us = us;
	ev.actor = txt(actor);
	ev.event_type = txt("release_published");
	ev.object_type = txt("release");
	ev.object_id = txt(seq % 2 ? "rel_1" : NULL);
	ev.before = txt(NULL);
	ev.after = txt("{\"a\": 1}");
	ev.context = txt("{}");
	if (bp_audit_hash(prev, &ev, hash) != BP_AUDIT_OK)
		exit(2);
	sodium_bin2hex(prev_hex, sizeof(prev_hex), prev, 32);
	sodium_bin2hex(hex, 65, hash, 32);
	snprintf(out, cap,
			 "{\"v\": 1, \"chain_id\": \"%s\", \"seq\": %d, \"event_id\": \"%s\", "
			 "\"occurred_at_us\": %lld, \"occurred_at\": \"%s.%06lldZ\", \"actor\": \"%s\", "
			 "\"event_type\": \"release_published\", \"object_type\": \"release\", "
			 "\"object_id\": %s, \"before\": null, \"after\": \"{\\\"a\\\": 1}\", "
			 "\"context\": \"{}\", \"prev_hash\": \"%s\", \"hash\": \"%s\"}",
			 chain_id, seq, event_id, (long long) us, stamp, (long long) (us % 1000000), actor,
			 seq % 2 ? "\"rel_1\"" : "null", prev_hex, hex);
}

static void
make_chain(chain *c, const char *chain_id, int n)
{
	uint8_t		prev[32] = {0};
	int			i;

	c->n = n;
	for (i = 0; i < n; i++)
	{
		event_line(c->line[i], LINE_CAP, chain_id, i + 1, prev, "alice", c->hash[i], c->hex[i]);
		memcpy(prev, c->hash[i], 32);
	}
}

static char *
checkpoint_payload(const char *chain_id, int seq, const char *hex)
{
	static char buf[4][1024];
	static int	next;
	char	   *b = buf[next++ % 4];

	snprintf(b, 1024, "{\"typ\":\"checkpoint\",\"exp\":\"2027-02-14T07:00:00Z\",\"iat\":\"2027-01-15T07:00:00Z\","
			 "\"chain_id\":\"%s\",\"seq\":%d,\"hash\":\"%s\"}", chain_id, seq, hex);
	return b;
}

/* ---- a verifier in exactly-sized heap memory ---------------------------- */

typedef struct run
{
	bp_audit_chain v;
	void	   *mem;
	bp_audit_chain_result r;
} run;

static void
start(run *x, size_t max_line)
{
	size_t		len = bp_audit_chain_mem_len(max_line);

	x->mem = malloc(len);
	if (x->mem == NULL || bp_audit_chain_init(&x->v, max_line, x->mem, len) != BP_AUDIT_CHAIN_OK)
		exit(2);
}

static void
stop(run *x)
{
	free(x->mem);
	x->mem = NULL;
}

/* Checkpoint with a raw key (ctx NULL) or a context, in exact work memory. */
static bp_audit_chain_status
give_checkpoint(run *x, const bp_client_ctx *ctx, const char *token, const char *key)
{
	size_t		len = strlen(token);
	size_t		work_len = bp_audit_chain_checkpoint_work_len(len);
	void	   *work = malloc(work_len);
	bp_audit_chain_status st;

	if (work == NULL)
		exit(2);
	if (ctx != NULL)
		st = bp_audit_chain_set_checkpoint_ctx(&x->v, ctx, token, len, work, work_len);
	else
		st = bp_audit_chain_set_checkpoint(&x->v, token, len, key, work, work_len);
	free(work);
	return st;
}

/* Feed lines (stopping at the first failure), finish, read the result. */
static bp_audit_chain_status
feed_all(run *x, const char *const *lines, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		size_t		len = strlen(lines[i]);
		char	   *copy = malloc(len ? len : 1);

		memcpy(copy, lines[i], len);
		bp_audit_chain_feed(&x->v, copy, len);
		free(copy);
		bp_audit_chain_get_result(&x->v, &x->r);
		if (x->r.status != BP_AUDIT_CHAIN_OK)
			break;
	}
	bp_audit_chain_finish(&x->v);
	bp_audit_chain_get_result(&x->v, &x->r);
	return x->r.status;
}

/* A whole verification: status, seq and the start of the reason. */
static void
expect_run(const char *name, const bp_client_ctx *ctx, const char *cp, const char *key,
		   const char *const *lines, int n, bp_audit_chain_status want, int64_t want_seq,
		   const char *want_reason)
{
	run			x;

	start(&x, BP_AUDIT_CHAIN_DEFAULT_MAX_LINE);
	if (cp != NULL)
		give_checkpoint(&x, ctx, cp, key);
	feed_all(&x, lines, n);
	CHECK_MSG(x.r.status == want, "%s: status %s, expected %s (%s)", name,
			  bp_audit_chain_status_name(x.r.status), bp_audit_chain_status_name(want), x.r.reason);
	CHECK_MSG(x.r.seq == want_seq, "%s: seq %lld, expected %lld", name, (long long) x.r.seq,
			  (long long) want_seq);
	CHECK_MSG(strncmp(x.r.reason, want_reason, strlen(want_reason)) == 0 &&
			  strlen(x.r.reason) == x.r.reason_len,
			  "%s: reason \"%s\", expected \"%s…\"", name, x.r.reason, want_reason);
	stop(&x);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_good(void)
{
	chain		c;
	run			x;
	const char *lines[3];
	char		hex[65];

	make_chain(&c, "tenant_acme", 3);
	lines[0] = c.line[0];
	lines[1] = c.line[1];
	lines[2] = c.line[2];

	start(&x, BP_AUDIT_CHAIN_DEFAULT_MAX_LINE);
	CHECK_INT_EQ(feed_all(&x, lines, 3), BP_AUDIT_CHAIN_OK);
	CHECK_INT_EQ(x.r.events, 3);
	CHECK_INT_EQ(x.r.first_seq, 1);
	CHECK_INT_EQ(x.r.head_seq, 3);
	CHECK_INT_EQ(x.r.seq, 0);
	CHECK_INT_EQ(x.r.reason_len, 0);
	CHECK_STR_EQ(x.r.reason, "");
	CHECK(x.r.chain_id_len == 11 && memcmp(x.r.chain_id, "tenant_acme", 11) == 0);
	sodium_bin2hex(hex, sizeof(hex), x.r.head_hash, 32);
	CHECK_STR_EQ(hex, c.hex[2]);
	CHECK(!x.r.checkpoint);
	/* After finish: no more lines, and finish again changes nothing. */
	CHECK_INT_EQ(bp_audit_chain_feed(&x.v, lines[0], strlen(lines[0])), BP_AUDIT_CHAIN_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_audit_chain_finish(&x.v), BP_AUDIT_CHAIN_OK);
	bp_audit_chain_get_result(&x.v, &x.r);
	CHECK_INT_EQ(x.r.events, 3);
	stop(&x);

	/* A partial export from seq 2 takes its first prev_hash as given. */
	expect_run("from seq 2", NULL, NULL, NULL, lines + 1, 2, BP_AUDIT_CHAIN_OK, 0, "");
	/* A trailing '\r' is white space. */
	{
		char		crlf[LINE_CAP + 1];
		const char *l[1];

		snprintf(crlf, sizeof(crlf), "%s\r", c.line[0]);
		l[0] = crlf;
		expect_run("CRLF", NULL, NULL, NULL, l, 1, BP_AUDIT_CHAIN_OK, 0, "");
	}
}

static void
test_failures(void)
{
	chain		c;
	chain		other;
	const char *l[4];
	char		edited[LINE_CAP];
	char	   *p;
	uint8_t		h[32];
	char		hx[65];

	make_chain(&c, "tenant_acme", 3);
	make_chain(&other, "tenant_other", 3);

	/* An edited actor: the hash no longer matches. */
	snprintf(edited, sizeof(edited), "%s", c.line[1]);
	p = strstr(edited, "\"alice\"");
	memcpy(p, "\"mally\"", 7);
	l[0] = c.line[0];
	l[1] = edited;
	l[2] = c.line[2];
	expect_run("tampered", NULL, NULL, NULL, l, 3, BP_AUDIT_CHAIN_HASH_MISMATCH, 2,
			   "hash mismatch: the event hashes to ");
	/* Gaps: a line left out, repeated, swapped. */
	l[1] = c.line[2];
	expect_run("gap", NULL, NULL, NULL, l, 2, BP_AUDIT_CHAIN_GAP, 2, "gap: found seq 3 after seq 1");
	l[1] = c.line[0];
	expect_run("repeat", NULL, NULL, NULL, l, 2, BP_AUDIT_CHAIN_GAP, 2, "gap: found seq 1 after seq 1");
	/* Another chain's line. */
	l[1] = other.line[1];
	expect_run("other chain", NULL, NULL, NULL, l, 2, BP_AUDIT_CHAIN_CHAIN_MISMATCH, 2,
			   "chain mismatch: chain_id tenant_other differs from tenant_acme");
	/* A resealed line whose prev_hash is not the hash before it. */
	memset(h, 0xab, sizeof(h));
	event_line(edited, sizeof(edited), "tenant_acme", 2, h, "alice", h, hx);
	l[1] = edited;
	expect_run("broken link", NULL, NULL, NULL, l, 2, BP_AUDIT_CHAIN_BROKEN_LINK, 2,
			   "broken link: prev_hash is not the hash of seq 1");
	memset(h, 0x01, sizeof(h));
	event_line(edited, sizeof(edited), "tenant_acme", 1, h, "alice", h, hx);
	l[0] = edited;
	expect_run("seq 1 after non-zero", NULL, NULL, NULL, l, 1, BP_AUDIT_CHAIN_BROKEN_LINK, 1,
			   "broken link: prev_hash of seq 1 is not 32 zero bytes");
	/* Malformed lines. */
	l[0] = c.line[0];
	l[1] = "{\"v\": 1";
	expect_run("bad JSON", NULL, NULL, NULL, l, 2, BP_AUDIT_CHAIN_BAD_LINE, 2,
			   "bad line 2: invalid JSON at byte 8: ");
	l[1] = "";
	expect_run("blank line", NULL, NULL, NULL, l, 2, BP_AUDIT_CHAIN_BAD_LINE, 2, "bad line 2: invalid JSON");
	snprintf(edited, sizeof(edited), "%s", c.line[0]);
	p = strstr(edited, "\"v\": 1");
	p[5] = '2';
	l[0] = edited;
	expect_run("v 2", NULL, NULL, NULL, l, 1, BP_AUDIT_CHAIN_WRONG_VERSION, 0,
			   "wrong version: line 1 is not format v 1");
	/* An unknown member: its name quoted as written. */
	snprintf(edited, sizeof(edited), "%.*s, \"a\\tb\": 1}", (int) strlen(c.line[0]) - 1, c.line[0]);
	l[0] = edited;
	expect_run("unknown member", NULL, NULL, NULL, l, 1, BP_AUDIT_CHAIN_BAD_LINE, 0,
			   "bad line 1: unknown member \"a\\tb\"");
	snprintf(edited, sizeof(edited), "%.*s, \"actor\": \"x\"}", (int) strlen(c.line[0]) - 1, c.line[0]);
	expect_run("duplicate member", NULL, NULL, NULL, l, 1, BP_AUDIT_CHAIN_BAD_LINE, 0,
			   "bad line 1: duplicate member \"actor\"");
	expect_run("empty", NULL, NULL, NULL, l, 0, BP_AUDIT_CHAIN_EMPTY, 0,
			   "bad line: the export holds no events");
	snprintf(edited, sizeof(edited), "%s", c.line[0]);
	p = strstr(edited, ".000001Z");
	p[6] = '2';
	expect_run("occurred_at", NULL, NULL, NULL, l, 1, BP_AUDIT_CHAIN_BAD_LINE, 1,
			   "bad line 1: occurred_at does not name the instant occurred_at_us gives");
}

static void
test_limits_and_misuse(void)
{
	chain		c;
	run			x;
	uint8_t		small[64];
	size_t		len;
	char	   *copy;

	make_chain(&c, "tenant_acme", 2);
	len = strlen(c.line[0]);
	CHECK(bp_audit_chain_mem_len(100) == 5 * 100 + 513);
	CHECK(bp_audit_chain_mem_len(SIZE_MAX / 2) == SIZE_MAX);
	CHECK_INT_EQ(bp_audit_chain_init(&x.v, 100, small, sizeof(small)), BP_AUDIT_CHAIN_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_audit_chain_init(&x.v, 0, small, sizeof(small)), BP_AUDIT_CHAIN_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_audit_chain_init(NULL, 1, small, sizeof(small)), BP_AUDIT_CHAIN_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_audit_chain_feed(NULL, "", 0), BP_AUDIT_CHAIN_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_audit_chain_finish(NULL), BP_AUDIT_CHAIN_BAD_ARGUMENT);

	/* A line of exactly max_line bytes is read; one byte more is not. */
	start(&x, len);
	copy = malloc(len);
	memcpy(copy, c.line[0], len);
	CHECK_INT_EQ(bp_audit_chain_feed(&x.v, copy, len), BP_AUDIT_CHAIN_OK);
	free(copy);
	CHECK_INT_EQ(bp_audit_chain_feed(&x.v, c.line[1], len + 1), BP_AUDIT_CHAIN_BAD_LINE);
	bp_audit_chain_get_result(&x.v, &x.r);
	CHECK_INT_EQ(x.r.seq, 2);
	CHECK_INT_EQ(x.r.line, 2);
	CHECK(strstr(x.r.reason, "bad line 2: longer than ") == x.r.reason);
	/* Failures are sticky and leave the chain as it was. */
	CHECK_INT_EQ(x.r.events, 1);
	CHECK_INT_EQ(bp_audit_chain_feed(&x.v, c.line[1], strlen(c.line[1])), BP_AUDIT_CHAIN_BAD_LINE);
	CHECK_INT_EQ(bp_audit_chain_finish(&x.v), BP_AUDIT_CHAIN_BAD_LINE);
	bp_audit_chain_get_result(&x.v, &x.r);
	CHECK_INT_EQ(x.r.events, 1);
	CHECK_INT_EQ(x.r.line, 2);
	stop(&x);

	/* A checkpoint only before the first line, and with enough work memory. */
	start(&x, 4096);
	{
		const char *t = sign(&audit, checkpoint_payload("tenant_acme", 1, c.hex[0]));
		size_t		work_len = bp_audit_chain_checkpoint_work_len(strlen(t));
		void	   *work = malloc(work_len);

		CHECK_INT_EQ(bp_audit_chain_set_checkpoint(&x.v, t, strlen(t), audit.pub, work, work_len - 1),
					 BP_AUDIT_CHAIN_BAD_ARGUMENT);
		CHECK_INT_EQ(bp_audit_chain_set_checkpoint(&x.v, t, strlen(t), NULL, work, work_len),
					 BP_AUDIT_CHAIN_BAD_ARGUMENT);
		CHECK_INT_EQ(bp_audit_chain_set_checkpoint_ctx(&x.v, NULL, t, strlen(t), work, work_len),
					 BP_AUDIT_CHAIN_BAD_ARGUMENT);
		bp_audit_chain_get_result(&x.v, &x.r);
		CHECK_INT_EQ(x.r.status, BP_AUDIT_CHAIN_OK);
		/* Misaligned work memory is fine: the tokens are aligned inside it. */
		free(work);
		work = malloc(work_len + 1);
		CHECK_INT_EQ(bp_audit_chain_set_checkpoint(&x.v, t, strlen(t), audit.pub,
												   (char *) work + 1, work_len),
					 BP_AUDIT_CHAIN_OK);
		CHECK_INT_EQ(bp_audit_chain_set_checkpoint(&x.v, t, strlen(t), audit.pub, work, work_len),
					 BP_AUDIT_CHAIN_BAD_ARGUMENT);	/* only one */
		CHECK_INT_EQ(bp_audit_chain_feed(&x.v, c.line[0], strlen(c.line[0])), BP_AUDIT_CHAIN_OK);
		CHECK_INT_EQ(bp_audit_chain_finish(&x.v), BP_AUDIT_CHAIN_OK);
		bp_audit_chain_get_result(&x.v, &x.r);
		CHECK(x.r.checkpoint && x.r.checkpoint_seq == 1);
		free(work);
	}
	stop(&x);

	/* The longest reason fits: two chain ids as long as a line allows. */
	{
		char		id[400];
		char		line[LINE_CAP];
		uint8_t		zero[32] = {0};
		uint8_t		h[32];
		char		hx[65];
		const char *t;
		char		cid2[sizeof(id)];

		memset(id, 'a', sizeof(id) - 1);
		id[sizeof(id) - 1] = '\0';
		memcpy(cid2, id, sizeof(id));
		cid2[0] = 'b';
		event_line(line, sizeof(line), id, 1, zero, "x", h, hx);
		start(&x, strlen(line));
		t = sign(&audit, checkpoint_payload(cid2, 1, hx));
		CHECK_INT_EQ(give_checkpoint(&x, NULL, t, audit.pub), BP_AUDIT_CHAIN_OK);
		CHECK_INT_EQ(bp_audit_chain_feed(&x.v, line, strlen(line)), BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH);
		bp_audit_chain_get_result(&x.v, &x.r);
		CHECK_INT_EQ(x.r.reason_len, strlen("checkpoint mismatch: the checkpoint is for chain ") +
					 strlen(cid2) + strlen(", the export is chain ") + strlen(id));
		CHECK_INT_EQ(strlen(x.r.reason), x.r.reason_len);
		stop(&x);

		/* A checkpoint's chain_id longer than any line. */
		start(&x, 100);
		CHECK_INT_EQ(give_checkpoint(&x, NULL, t, audit.pub), BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH);
		stop(&x);
	}
}

static void
test_checkpoint_raw(void)
{
	chain		c;
	const char *l[3];
	const char *cp3;
	const char *cp2;

	make_chain(&c, "tenant_acme", 3);
	l[0] = c.line[0];
	l[1] = c.line[1];
	l[2] = c.line[2];
	cp3 = sign(&audit, checkpoint_payload("tenant_acme", 3, c.hex[2]));
	cp2 = sign(&audit, checkpoint_payload("tenant_acme", 2, c.hex[1]));

	expect_run("checkpoint at the head", NULL, cp3, audit.pub, l, 3, BP_AUDIT_CHAIN_OK, 0, "");
	expect_run("checkpoint before the head", NULL, cp2, audit.pub, l, 3, BP_AUDIT_CHAIN_OK, 0, "");
	expect_run("cut-off tail", NULL, cp3, audit.pub, l, 2, BP_AUDIT_CHAIN_TRUNCATED, 3,
			   "chain ends before the checkpoint: the export ends at seq 2");
	expect_run("no events", NULL, cp3, audit.pub, l, 0, BP_AUDIT_CHAIN_TRUNCATED, 3,
			   "chain ends before the checkpoint: the export holds no events");
	expect_run("starts after", NULL, cp2, audit.pub, l + 2, 1, BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH, 2,
			   "checkpoint mismatch: the export starts after the checkpoint, at seq 3");
	expect_run("another hash", NULL, sign(&audit, checkpoint_payload("tenant_acme", 3, c.hex[1])),
			   audit.pub, l, 3, BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH, 3,
			   "checkpoint mismatch: the checkpoint signs another hash for this seq");
	expect_run("another chain", NULL, sign(&audit, checkpoint_payload("tenant_o\\u0001", 3, c.hex[2])),
			   audit.pub, l, 3, BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH, 3,
			   "checkpoint mismatch: the checkpoint is for chain tenant_o?, the export is chain tenant_acme");
	expect_run("another key", NULL, cp3, stranger.pub, l, 3, BP_AUDIT_CHAIN_CHECKPOINT_INVALID, 0,
			   "checkpoint signature: ");
	expect_run("not a token", NULL, "v4.public.x", audit.pub, l, 3, BP_AUDIT_CHAIN_CHECKPOINT_INVALID, 0,
			   "checkpoint signature: ");
	expect_run("typ", NULL, sign(&audit, "{\"typ\":\"snapshot\",\"seq\":3}"), audit.pub, l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, 0,
			   "checkpoint mismatch: the token's typ is not \"checkpoint\"");
	expect_run("seq", NULL, sign(&audit, "{\"typ\":\"checkpoint\",\"exp\":\"2027-02-14T07:00:00Z\",\"seq\":0}"), audit.pub, l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, 0, "checkpoint mismatch: the checkpoint has no valid seq");
	expect_run("hash", NULL, sign(&audit, "{\"typ\":\"checkpoint\",\"exp\":\"2027-02-14T07:00:00Z\",\"seq\":3,\"hash\":\"ab\"}"), audit.pub,
			   l, 3, BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, 3,
			   "checkpoint mismatch: the checkpoint's hash is not 64 hex digits");
	expect_run("chain_id", NULL,
			   sign(&audit, "{\"typ\":\"checkpoint\",\"exp\":\"2027-02-14T07:00:00Z\",\"seq\":3,\"hash\":"
					"\"05222973185a95c0b09c1a4c0e2dcf75c2606dc55dbdfb4591742c2169839278\"}"),
			   audit.pub, l, 3, BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, 3,
			   "checkpoint mismatch: the checkpoint has no chain_id");
	expect_run("not an object", NULL, sign(&audit, "[1]"), audit.pub, l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, 0, "checkpoint mismatch: the payload is not a JSON object");

	/* Why a checkpoint failed, for callers that map it to their own codes. */
	{
		run			x;

		start(&x, 4096);
		CHECK_INT_EQ(give_checkpoint(&x, NULL, cp3, stranger.pub), BP_AUDIT_CHAIN_CHECKPOINT_INVALID);
		bp_audit_chain_get_result(&x.v, &x.r);
		CHECK_INT_EQ(x.r.client_status, BP_CLIENT_BAD_SIGNATURE);
		CHECK_STR_EQ(x.r.detail, bp_paseto_strerror(BP_PASETO_BAD_SIGNATURE));
		stop(&x);
		start(&x, 4096);
		CHECK_INT_EQ(give_checkpoint(&x, NULL, cp3, "k4.public.AAAA"), BP_AUDIT_CHAIN_BAD_KEY);
		bp_audit_chain_get_result(&x.v, &x.r);
		CHECK(x.r.detail != NULL && strstr(x.r.reason, x.r.detail) != NULL);
		stop(&x);
	}
}

static void
load_keyset(bp_client_ctx *ctx)
{
	char		keys[4096];
	char		payload[8192];
	const char *t;
	size_t		work_len;
	void	   *work;
	struct
	{
		const test_key *k;
		const char *purpose;
		const char *state;
		const char *tenant;
		const char *until;
	}			e[] = {
		{&audit, "audit", "active", "null", "null"},
		{&audit_retired, "audit", "retired", "null", "\"2026-01-01T00:00:00Z\""},
		{&audit_revoked, "audit", "revoked", "null", "null"},
		{&audit_tenant, "audit", "active", "\"tenant_acme\"", "null"},
		{&dec, "decision", "active", "null", "null"},
	};
	size_t		i;
	size_t		len = 0;

	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		len += (size_t) snprintf(keys + len, sizeof(keys) - len,
								 "%s{\"kid\":\"%s\",\"purpose\":\"%s\",\"tenant_id\":%s,"
								 "\"public_key\":\"%s\",\"state\":\"%s\",\"valid_from\":null,"
								 "\"valid_until\":%s}",
								 i ? "," : "", e[i].k->kid, e[i].purpose, e[i].tenant,
								 e[i].k->pub, e[i].state, e[i].until);
	snprintf(payload, sizeof(payload),
			 "{\"typ\":\"keyset\",\"iat\":\"2027-01-15T07:00:00Z\",\"exp\":\"2027-01-15T09:00:00Z\","
			 "\"version\":1,\"keys\":[%s]}", keys);
	t = sign(&root, payload);
	bp_client_init(ctx);
	work_len = bp_client_work_len(strlen(t));
	work = malloc(work_len);
	CHECK_INT_EQ(bp_client_pin_key(ctx, BP_CLIENT_PURPOSE_ROOT, root.pub), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_load_keyset(ctx, t, strlen(t), NOW, work, work_len), BP_CLIENT_OK);
	free(work);
}

static void
expect_ctx(const char *name, const bp_client_ctx *ctx, const char *token,
		   const char *const *lines, int n, bp_audit_chain_status want, bp_client_status want_client)
{
	run			x;

	start(&x, 4096);
	give_checkpoint(&x, ctx, token, NULL);
	feed_all(&x, lines, n);
	CHECK_MSG(x.r.status == want && x.r.client_status == want_client,
			  "%s: %s / %s, expected %s / %s (%s)", name,
			  bp_audit_chain_status_name(x.r.status), bp_client_status_name(x.r.client_status),
			  bp_audit_chain_status_name(want), bp_client_status_name(want_client), x.r.reason);
	stop(&x);
}

static void
test_checkpoint_ctx(void)
{
	bp_client_ctx ctx;
	bp_client_ctx pinned;
	chain		c;
	const char *l[3];
	const char *payload;

	make_chain(&c, "tenant_acme", 3);
	l[0] = c.line[0];
	l[1] = c.line[1];
	l[2] = c.line[2];
	payload = checkpoint_payload("tenant_acme", 3, c.hex[2]);
	load_keyset(&ctx);
	bp_client_init(&pinned);
	CHECK_INT_EQ(bp_client_pin_key(&pinned, BP_CLIENT_PURPOSE_AUDIT, audit.pub), BP_CLIENT_OK);

	expect_ctx("pinned audit key", &pinned, sign(&audit, payload), l, 3, BP_AUDIT_CHAIN_OK, BP_CLIENT_OK);
	expect_ctx("key set audit key", &ctx, sign(&audit, payload), l, 3, BP_AUDIT_CHAIN_OK, BP_CLIENT_OK);
	expect_ctx("cut-off tail", &ctx, sign(&audit, payload), l, 2, BP_AUDIT_CHAIN_TRUNCATED, BP_CLIENT_OK);
	expect_ctx("retired audit key: still valid", &ctx, sign(&audit_retired, payload), l, 3,
			   BP_AUDIT_CHAIN_OK, BP_CLIENT_OK);
	expect_ctx("revoked audit key", &ctx, sign(&audit_revoked, payload), l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_INVALID, BP_CLIENT_KEY_REVOKED);
	expect_ctx("tenant's audit key, own chain", &ctx, sign(&audit_tenant, payload), l, 3,
			   BP_AUDIT_CHAIN_OK, BP_CLIENT_OK);
	expect_ctx("tenant's audit key, another chain", &ctx,
			   sign(&audit_tenant, checkpoint_payload("vendor", 3, c.hex[2])), l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_INVALID, BP_CLIENT_WRONG_TENANT);
	expect_ctx("decision key", &ctx, sign(&dec, payload), l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_INVALID, BP_CLIENT_WRONG_PURPOSE);
	expect_ctx("unknown key", &ctx, sign(&stranger, payload), l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_INVALID, BP_CLIENT_UNKNOWN_KEY);
	expect_ctx("wrong pinned key", &pinned, sign(&audit_retired, payload), l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_INVALID, BP_CLIENT_UNKNOWN_KEY);
	/* Every kind carries exp (token_kinds.c): a checkpoint without one is not ours. */
	expect_ctx("no exp", &ctx,
			   sign(&audit, "{\"typ\":\"checkpoint\",\"chain_id\":\"tenant_acme\",\"seq\":3}"), l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_INVALID, BP_CLIENT_MALFORMED);
	expect_ctx("no seq", &ctx, sign(&audit, "{\"typ\":\"checkpoint\",\"exp\":\"2027-02-14T07:00:00Z\",\"chain_id\":\"tenant_acme\"}"), l, 3,
			   BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, BP_CLIENT_OK);

	/* The flag on its own: only revocation matters for a record of the past. */
	{
		const char *t = sign(&audit_retired, payload);
		size_t		work_len = bp_client_work_len(strlen(t));
		void	   *work = malloc(work_len);
		size_t		plen;

		CHECK_INT_EQ(bp_client_verify_ex(&ctx, t, strlen(t), "checkpoint", NOW, 0, work, work_len, &plen),
					 BP_CLIENT_KEY_NOT_VALID);
		CHECK_INT_EQ(bp_client_verify_ex(&ctx, t, strlen(t), "checkpoint", NOW, BP_CLIENT_SIGNED_EARLIER,
										 work, work_len, &plen), BP_CLIENT_OK);
		t = sign(&audit_revoked, payload);
		CHECK_INT_EQ(bp_client_verify_ex(&ctx, t, strlen(t), "checkpoint", NOW, BP_CLIENT_SIGNED_EARLIER,
										 work, work_len, &plen), BP_CLIENT_KEY_REVOKED);
		free(work);
	}
}

static void
test_names_and_time(void)
{
	int			s;
	int64_t		us = 0;

	for (s = 0; s < BP_AUDIT_CHAIN_N_STATUS; s++)
	{
		CHECK(strcmp(bp_audit_chain_status_name((bp_audit_chain_status) s), "UNKNOWN_STATUS") != 0);
		CHECK(bp_audit_chain_strerror((bp_audit_chain_status) s)[0] != '\0');
	}
	CHECK_STR_EQ(bp_audit_chain_status_name(BP_AUDIT_CHAIN_TRUNCATED), "TRUNCATED");
	CHECK_STR_EQ(bp_audit_chain_status_name(BP_AUDIT_CHAIN_N_STATUS), "UNKNOWN_STATUS");
	CHECK(bp_audit_chain_parse_time("1970-01-01T00:00:01.5Z", 22, &us) && us == 1500000);
	CHECK(bp_audit_chain_parse_time("2024-02-29T00:00:00+00:00", 25, &us));
	CHECK(!bp_audit_chain_parse_time("2023-02-29T00:00:00Z", 20, &us));
	CHECK(!bp_audit_chain_parse_time("2024-01-01T00:00:00.1234567Z", 28, &us));
	CHECK(!bp_audit_chain_parse_time("2024-01-01T00:00:00+01:00", 25, &us));
	CHECK(!bp_audit_chain_parse_time("2016-12-31T23:59:60Z", 20, &us));
	CHECK(bp_audit_chain_parse_time("1969-12-31T23:59:59.999999Z", 27, &us) && us == -1);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 2;
	make_key(&root, 1);
	make_key(&audit, 5);
	make_key(&audit_retired, 11);
	make_key(&audit_revoked, 12);
	make_key(&audit_tenant, 13);
	make_key(&dec, 2);
	make_key(&stranger, 14);

	test_good();
	test_failures();
	test_limits_and_misuse();
	test_checkpoint_raw();
	test_checkpoint_ctx();
	test_names_and_time();
	return unit_summary("audit_chain");
}
