/*
 * test_audit_hash.c — the audit-chain hash (format version 1) against
 * values computed independently, plus framing, NULLs and chaining.
 *
 * The expected hashes were computed with python3's hashlib and struct, by
 * this reference implementation of the format (run it to re-check):
 *
 *   import hashlib, struct
 *   def f(b): return struct.pack('>I', 0xFFFFFFFF) if b is None \
 *                    else struct.pack('>I', len(b)) + b
 *   def h(prev, chain, seq, eid, ts, actor, et, ot, oid, before, after, ctx):
 *       t = lambda s: None if s is None else s.encode()
 *       return hashlib.sha256(prev + b'\x01' + f(t(chain))
 *           + f(struct.pack('>Q', seq)) + f(t(eid)) + f(struct.pack('>q', ts))
 *           + f(t(actor)) + f(t(et)) + f(t(ot)) + f(t(oid))
 *           + f(t(before)) + f(t(after)) + f(t(ctx))).digest()
 *   z = bytes(32)
 *   e1 = h(z, 'tenant_acme', 1, 'evt_1', 1795000000123456, 'alice',
 *          'release_published', 'release', 'rel_1', None, '{"a": 1}', '{}')
 *   e2 = h(e1, 'tenant_acme', 2, 'evt_2', 1795000001000000, 'bob',
 *          'policy_updated', 'policy', None, '{"x": "é"}', '{"x": "ü"}', None)
 *   e3 = h(z, '', 0, '', -1, '', '', '', '', '', '', '')
 *   e4 = h(z, 'vendor', 2**64-1, 'evt_max', -2**63, 'root', 't', 'o',
 *          None, None, None, None)
 *   for e in (e1, e2, e3, e4): print(e.hex())
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "audit_hash.h"
#include "unit.h"

#define E1_HEX "70fa35531d2f918b36daa9e788f4a1bb7c3e7b158b68e379132aad925725eebc"
#define E2_HEX "53388c0c873b9448e6c2cdf943313271ecedd069fce207cd2789e07ff3e748b8"
#define E3_HEX "a85e001a82c4b1acd24566b50708e08abfa0f866d2a352750dfffab459747ad0"
#define E4_HEX "04adaf678f6756cc7562d9d4c489bcdd10592407f6cfbb4037a4f218e5ec0c6d"

static const uint8_t zero[32];

static bp_audit_text
T(const char *s)
{
	bp_audit_text t;

	t.ptr = s;
	t.len = s ? strlen(s) : 0;
	t.is_null = (s == NULL);
	return t;
}

static bp_audit_event
event1(void)
{
	bp_audit_event ev;

	ev.chain_id = T("tenant_acme");
	ev.seq = 1;
	ev.event_id = T("evt_1");
	ev.occurred_at_us = INT64_C(1795000000123456);
	ev.actor = T("alice");
	ev.event_type = T("release_published");
	ev.object_type = T("release");
	ev.object_id = T("rel_1");
	ev.before = T(NULL);
	ev.after = T("{\"a\": 1}");
	ev.context = T("{}");
	return ev;
}

/* The hash as lower-case hex in a static buffer, or "error". */
static const char *
hash_hex(const uint8_t *prev, const bp_audit_event *ev)
{
	static char hex[65];
	uint8_t		out[32];

	if (bp_audit_hash(prev, ev, out) != BP_AUDIT_OK)
		return "error";
	sodium_bin2hex(hex, sizeof(hex), out, sizeof(out));
	return hex;
}

static void
test_vectors(void)
{
	bp_audit_event ev = event1();
	uint8_t		h1[32];
	uint8_t		h2[32];
	uint8_t		again[32];

	CHECK_STR_EQ(hash_hex(zero, &ev), E1_HEX);
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, h1), BP_AUDIT_OK);

	/* Chained: the second event's prev is the first one's hash. */
	ev.seq = 2;
	ev.event_id = T("evt_2");
	ev.occurred_at_us = INT64_C(1795000001000000);
	ev.actor = T("bob");
	ev.event_type = T("policy_updated");
	ev.object_type = T("policy");
	ev.object_id = T(NULL);
	ev.before = T("{\"x\": \"\xc3\xa9\"}");
	ev.after = T("{\"x\": \"\xc3\xbc\"}");
	ev.context = T(NULL);
	CHECK_STR_EQ(hash_hex(h1, &ev), E2_HEX);
	CHECK_INT_EQ(bp_audit_hash(h1, &ev, h2), BP_AUDIT_OK);
	CHECK(strcmp(hash_hex(zero, &ev), E2_HEX) != 0);

	/* Deterministic. */
	CHECK_INT_EQ(bp_audit_hash(h1, &ev, again), BP_AUDIT_OK);
	CHECK(memcmp(h2, again, 32) == 0);

	/* All empty, seq 0, time -1 (two's complement 0xFF..FF). */
	ev.chain_id = T("");
	ev.seq = 0;
	ev.event_id = T("");
	ev.occurred_at_us = -1;
	ev.actor = ev.event_type = ev.object_type = T("");
	ev.object_id = ev.before = ev.after = ev.context = T("");
	CHECK_STR_EQ(hash_hex(zero, &ev), E3_HEX);

	/* Extremes of both integer fields, all nullable fields NULL. */
	ev.chain_id = T("vendor");
	ev.seq = UINT64_MAX;
	ev.event_id = T("evt_max");
	ev.occurred_at_us = INT64_MIN;
	ev.actor = T("root");
	ev.event_type = T("t");
	ev.object_type = T("o");
	ev.object_id = ev.before = ev.after = ev.context = T(NULL);
	CHECK_STR_EQ(hash_hex(zero, &ev), E4_HEX);

	/* An empty text may come with a NULL pointer. */
	ev.object_id.ptr = NULL;
	ev.object_id.len = 0;
	ev.object_id.is_null = false;
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, again), BP_AUDIT_OK);
}

/* Pointer to the n-th text field (0..8) of an event. */
static bp_audit_text *
text_field(bp_audit_event *ev, int n)
{
	bp_audit_text *f[] = {
		&ev->chain_id, &ev->event_id, &ev->actor, &ev->event_type,
		&ev->object_type, &ev->object_id, &ev->before, &ev->after, &ev->context
	};

	return f[n];
}

static void
test_every_field_matters(void)
{
	bp_audit_event base = event1();
	uint8_t		h0[32];
	uint8_t		h[32];
	uint8_t		prev[32];
	int			n;

	CHECK_INT_EQ(bp_audit_hash(zero, &base, h0), BP_AUDIT_OK);

	/* Append one byte to each text field in turn. */
	for (n = 0; n < 9; n++)
	{
		bp_audit_event ev = base;
		bp_audit_text *t = text_field(&ev, n);
		char		buf[64];

		if (t->is_null)
			snprintf(buf, sizeof(buf), "x");
		else
			snprintf(buf, sizeof(buf), "%.*sx", (int) t->len, t->ptr);
		*t = T(buf);
		CHECK_INT_EQ(bp_audit_hash(zero, &ev, h), BP_AUDIT_OK);
		CHECK_MSG(memcmp(h, h0, 32) != 0, "text field %d does not change the hash", n);
	}
	{
		bp_audit_event ev = base;

		ev.seq = 2;
		CHECK_INT_EQ(bp_audit_hash(zero, &ev, h), BP_AUDIT_OK);
		CHECK(memcmp(h, h0, 32) != 0);
		ev = base;
		ev.seq = (uint64_t) 1 << 56;	/* same bytes if the byte order were wrong */
		CHECK_INT_EQ(bp_audit_hash(zero, &ev, h), BP_AUDIT_OK);
		CHECK(memcmp(h, h0, 32) != 0);
		ev = base;
		ev.occurred_at_us++;
		CHECK_INT_EQ(bp_audit_hash(zero, &ev, h), BP_AUDIT_OK);
		CHECK(memcmp(h, h0, 32) != 0);
		ev = base;
		ev.occurred_at_us = -ev.occurred_at_us;
		CHECK_INT_EQ(bp_audit_hash(zero, &ev, h), BP_AUDIT_OK);
		CHECK(memcmp(h, h0, 32) != 0);
	}
	/* Each bit of the previous hash. */
	for (n = 0; n < 256; n += 37)
	{
		memset(prev, 0, sizeof(prev));
		prev[n / 8] ^= (uint8_t) (1u << (n % 8));
		CHECK_INT_EQ(bp_audit_hash(prev, &base, h), BP_AUDIT_OK);
		CHECK_MSG(memcmp(h, h0, 32) != 0, "bit %d of prev does not change the hash", n);
	}
}

static void
test_null_and_framing(void)
{
	bp_audit_event ev = event1();
	uint8_t		a[32];
	uint8_t		b[32];
	int			n;

	/* NULL and "" differ for every nullable field. */
	for (n = 5; n < 9; n++)
	{
		*text_field(&ev, n) = T(NULL);
		CHECK_INT_EQ(bp_audit_hash(zero, &ev, a), BP_AUDIT_OK);
		*text_field(&ev, n) = T("");
		CHECK_INT_EQ(bp_audit_hash(zero, &ev, b), BP_AUDIT_OK);
		CHECK_MSG(memcmp(a, b, 32) != 0, "NULL and empty field %d hash alike", n);
	}

	/* Moving bytes across a field boundary changes the hash. */
	ev = event1();
	ev.actor = T("ab");
	ev.event_type = T("c");
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, a), BP_AUDIT_OK);
	ev.actor = T("a");
	ev.event_type = T("bc");
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, b), BP_AUDIT_OK);
	CHECK(memcmp(a, b, 32) != 0);

	/* Swapping before and after changes it too. */
	ev = event1();
	ev.before = T("{}");
	ev.after = T("{\"a\": 1}");
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, a), BP_AUDIT_OK);
	ev.before = T("{\"a\": 1}");
	ev.after = T("{}");
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, b), BP_AUDIT_OK);
	CHECK(memcmp(a, b, 32) != 0);
}

static void
test_errors(void)
{
	bp_audit_event ev;
	uint8_t		out[32];
	uint8_t		untouched[32];
	int			n;

	memset(untouched, 0xAB, sizeof(untouched));

	/* The five required texts refuse NULL; out stays as it was. */
	for (n = 0; n < 5; n++)
	{
		ev = event1();
		*text_field(&ev, n) = T(NULL);
		memcpy(out, untouched, 32);
		CHECK_INT_EQ(bp_audit_hash(zero, &ev, out), BP_AUDIT_REQUIRED_NULL);
		CHECK(memcmp(out, untouched, 32) == 0);
	}

	ev = event1();
	ev.actor.ptr = NULL;		/* length 5, no bytes */
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, out), BP_AUDIT_BAD_ARGUMENT);

	/* 0xFFFFFFFF is the NULL marker, so no text may be that long (never read). */
	ev = event1();
	ev.context.len = (size_t) 0xFFFFFFFFu;
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, out), BP_AUDIT_FIELD_TOO_LONG);
	ev.context.is_null = true;	/* a NULL field's length is ignored */
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, out), BP_AUDIT_OK);

	ev = event1();
	CHECK_INT_EQ(bp_audit_hash(NULL, &ev, out), BP_AUDIT_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_audit_hash(zero, NULL, out), BP_AUDIT_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_audit_hash(zero, &ev, NULL), BP_AUDIT_BAD_ARGUMENT);

	for (n = BP_AUDIT_OK; n <= BP_AUDIT_FIELD_TOO_LONG; n++)
	{
		const char *s = bp_audit_strerror((bp_audit_status) n);

		CHECK(s[0] >= 'A' && s[0] <= 'Z' && s[strlen(s) - 1] == '.');
	}
}

int
main(void)
{
	if (sodium_init() < 0)
	{
		fprintf(stderr, "sodium_init failed\n");
		return 1;
	}
	test_vectors();
	test_every_field_matters();
	test_null_and_framing();
	test_errors();
	return unit_summary("audit_hash");
}
