/*
 * test_client.c — libbigpicture-client (src/client/bp_client.c).
 *
 * `make unit` links src/core only, so the client library is included here
 * directly.  Keys are made from fixed seeds with libsodium and every token
 * is signed here with bp_paseto_v4_sign, the payloads built with snprintf.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "../../src/client/bp_client.c"
#include "paseto.h"
#include "unit.h"
#include "json_mini.h"

#define NOW INT64_C(1800000000)	/* 2027-01-15T08:00:00Z */
#define TOKEN_CAP 65536
#define WORK_CAP (1024 * 1024)

typedef struct test_key
{
	uint8_t		sk[64];
	uint8_t		pk[32];
	char		pub[BP_PASERK_K4_PUBLIC_LEN + 1];
	char		kid[BP_PASERK_K4_PID_LEN + 1];
} test_key;

static uint8_t work[WORK_CAP];

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

/* Sign payload with key k and footer {"kid":"<kid>"} (or footer as given). */
static char *
sign_footer(const test_key *k, const char *payload, const char *footer)
{
	static char tokens[16][TOKEN_CAP];
	static int	next;
	static uint8_t scratch[TOKEN_CAP];
	char	   *out = tokens[next++ % 16];
	size_t		n = 0;
	bp_paseto_status st;

	st = bp_paseto_v4_sign(k->sk, 64, (const uint8_t *) payload, strlen(payload),
						   (const uint8_t *) footer, strlen(footer), NULL, 0,
						   scratch, sizeof(scratch), out, TOKEN_CAP - 1, &n);
	if (st != BP_PASETO_OK)
	{
		fprintf(stderr, "signing failed: %s\n", bp_paseto_strerror(st));
		exit(2);
	}
	out[n] = '\0';
	return out;
}

static char *
sign(const test_key *k, const char *payload)
{
	char		footer[128];

	snprintf(footer, sizeof(footer), "{\"kid\":\"%s\"}", k->kid);
	return sign_footer(k, payload, footer);
}

/* Unix seconds -> RFC 3339 with gmtime_r: independent of the parser. */
static const char *
rfc(int64_t t)
{
	static char bufs[8][32];
	static int	next;
	char	   *b = bufs[next++ % 8];
	time_t		tt = (time_t) t;
	struct tm	tm;

	gmtime_r(&tt, &tm);
	strftime(b, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return b;
}

static bp_client_status
verify(const bp_client_ctx *ctx, const char *token, const char *typ, int64_t now)
{
	size_t		len;

	return bp_client_verify(ctx, token, strlen(token), typ, now, work, sizeof(work), &len);
}

static bp_client_status
load(bp_client_ctx *ctx, const char *token, int64_t now)
{
	return bp_client_load_keyset(ctx, token, strlen(token), now, work, sizeof(work));
}

/* One key set entry. */
static void
entry(char *out, size_t cap, const test_key *k, const char *purpose, const char *tenant,
	  const char *state, const char *from, const char *until)
{
	char		t[64], f[64], u[64];

	snprintf(t, sizeof(t), tenant ? "\"%s\"" : "null", tenant ? tenant : "");
	snprintf(f, sizeof(f), from ? "\"%s\"" : "null", from ? from : "");
	snprintf(u, sizeof(u), until ? "\"%s\"" : "null", until ? until : "");
	snprintf(out, cap,
			 "{\"kid\":\"%s\",\"purpose\":\"%s\",\"tenant_id\":%s,\"public_key\":\"%s\","
			 "\"state\":\"%s\",\"valid_from\":%s,\"valid_until\":%s}",
			 k->kid, purpose, t, k->pub, state, f, u);
}

static char *
keyset_payload(int64_t version, int64_t exp, const char *keys)
{
	static char buf[TOKEN_CAP];

	snprintf(buf, sizeof(buf),
			 "{\"typ\":\"keyset\",\"iss\":\"test\",\"iat\":\"%s\",\"exp\":\"%s\","
			 "\"version\":%lld,\"keys\":[%s]}",
			 rfc(NOW - 60), rfc(exp), (long long) version, keys);
	return buf;
}

static test_key root, root2, dec, lease, audit, revoked, pending, retiring, tenant_lease,
			future, stranger;
static char keys_json[TOKEN_CAP];

static void
build_keys_json(void)
{
	char		e[10][1024];
	int			i;

	entry(e[0], sizeof(e[0]), &root, "root", NULL, "active", rfc(NOW - 86400), NULL);
	entry(e[1], sizeof(e[1]), &dec, "decision", NULL, "active", rfc(NOW - 86400), NULL);
	entry(e[2], sizeof(e[2]), &lease, "lease", NULL, "active", rfc(NOW - 86400), NULL);
	entry(e[3], sizeof(e[3]), &audit, "audit", NULL, "active", NULL, NULL);
	entry(e[4], sizeof(e[4]), &revoked, "decision", NULL, "revoked", rfc(NOW - 86400), rfc(NOW - 10));
	entry(e[5], sizeof(e[5]), &pending, "decision", NULL, "pending", NULL, NULL);
	entry(e[6], sizeof(e[6]), &retiring, "decision", NULL, "retiring", rfc(NOW - 86400), rfc(NOW + 100));
	entry(e[7], sizeof(e[7]), &tenant_lease, "lease", "acme", "active", rfc(NOW - 86400), NULL);
	entry(e[8], sizeof(e[8]), &future, "decision", NULL, "active", rfc(NOW + 1000), NULL);
	keys_json[0] = '\0';
	for (i = 0; i < 9; i++)
	{
		if (i > 0)
			strcat(keys_json, ",");
		strcat(keys_json, e[i]);
	}
}

static char *
decision(const test_key *k, const char *typ, int64_t exp, const char *nbf_extra)
{
	char		p[1024];

	snprintf(p, sizeof(p),
			 "{\"typ\":\"%s\",\"product_id\":\"app\",\"action\":\"UPDATE\",\"iat\":\"%s\",\"exp\":\"%s\"%s}",
			 typ, rfc(NOW - 5), rfc(exp), nbf_extra ? nbf_extra : "");
	return sign(k, p);
}

static void
test_keyset(void)
{
	bp_client_ctx ctx;
	size_t		n_before;
	char		ks[TOKEN_CAP];
	char		e[1024];
	size_t		len;

	bp_client_init(&ctx);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_ROOT, root.pub), BP_CLIENT_OK);

	/* Good. */
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(5, NOW + 3600, keys_json)), NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(ctx.n_keys, 9);	/* root entry merged with the pinned root */
	CHECK_INT_EQ(ctx.keyset_version, 5);
	CHECK(ctx.keyset_loaded);
	n_before = ctx.n_keys;

	/* Wrong root: signed by a root key nobody pinned. */
	CHECK_INT_EQ(load(&ctx, sign(&root2, keyset_payload(6, NOW + 3600, keys_json)), NOW),
				 BP_CLIENT_UNKNOWN_KEY);
	/* Signed by a key from the key set, not a pinned root. */
	CHECK_INT_EQ(load(&ctx, sign(&dec, keyset_payload(6, NOW + 3600, keys_json)), NOW),
				 BP_CLIENT_UNKNOWN_KEY);
	/* Expired, and exactly at exp. */
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(6, NOW - 1, keys_json)), NOW), BP_CLIENT_EXPIRED);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(6, NOW, keys_json)), NOW), BP_CLIENT_EXPIRED);
	/* Rollback; the same version again is fine; a newer one too. */
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(4, NOW + 3600, keys_json)), NOW), BP_CLIENT_ROLLBACK);
	CHECK_INT_EQ(ctx.keyset_version, 5);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(5, NOW + 3600, keys_json)), NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(ctx.n_keys, n_before);

	/* Malformed: each leaves the context as it was. */
	CHECK_INT_EQ(load(&ctx, sign(&root, "{\"typ\":\"keyset\",\"exp\":\"2099-01-01T00:00:00Z\",\"keys\":[]}"), NOW),
				 BP_CLIENT_MALFORMED);	/* no version */
	CHECK_INT_EQ(load(&ctx, sign(&root, "{\"typ\":\"keyset\",\"version\":9,\"keys\":[]}"), NOW),
				 BP_CLIENT_MALFORMED);	/* no exp */
	CHECK_INT_EQ(load(&ctx, sign(&root, "{\"typ\":\"keyset\",\"exp\":\"2099-01-01T00:00:00Z\",\"version\":9,\"keys\":{}}"), NOW),
				 BP_CLIENT_MALFORMED);	/* keys not an array */
	CHECK_INT_EQ(load(&ctx, sign(&root, "{\"typ\":\"keyset\",\"exp\":\"2099-01-01T00:00:00Z\",\"version\":-1,\"keys\":[]}"), NOW),
				 BP_CLIENT_MALFORMED);	/* negative version */
	CHECK_INT_EQ(load(&ctx, sign(&root, "{\"typ\":\"keyset\",\"exp\":\"tomorrow\",\"version\":9,\"keys\":[]}"), NOW),
				 BP_CLIENT_MALFORMED);	/* exp not RFC 3339 */
	CHECK_INT_EQ(load(&ctx, sign(&root, "not json"), NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(load(&ctx, sign(&root, "[1,2]"), NOW), BP_CLIENT_MALFORMED);
	/* An entry whose kid is not its public key's k4.pid. */
	snprintf(e, sizeof(e),
			 "{\"kid\":\"%s\",\"purpose\":\"decision\",\"tenant_id\":null,\"public_key\":\"%s\",\"state\":\"active\",\"valid_from\":null,\"valid_until\":null}",
			 dec.kid, lease.pub);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(9, NOW + 3600, e)), NOW), BP_CLIENT_MALFORMED);
	entry(e, sizeof(e), &dec, "signing", NULL, "active", NULL, NULL);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(9, NOW + 3600, e)), NOW), BP_CLIENT_MALFORMED);
	entry(e, sizeof(e), &dec, "decision", NULL, "sleeping", NULL, NULL);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(9, NOW + 3600, e)), NOW), BP_CLIENT_MALFORMED);
	entry(e, sizeof(e), &dec, "decision", NULL, "active", "2026-02-30T00:00:00Z", NULL);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(9, NOW + 3600, e)), NOW), BP_CLIENT_MALFORMED);
	/* The same kid twice. */
	entry(e, sizeof(e), &dec, "decision", NULL, "active", NULL, NULL);
	snprintf(ks, sizeof(ks), "%s,%s", e, e);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(9, NOW + 3600, ks)), NOW), BP_CLIENT_MALFORMED);
	/* The pinned root listed with another purpose. */
	entry(e, sizeof(e), &root, "decision", NULL, "active", NULL, NULL);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(9, NOW + 3600, e)), NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(ctx.keyset_version, 5);
	CHECK_INT_EQ(ctx.n_keys, n_before);

	/* typ: a decision signed by the root is the wrong purpose; a key certificate the wrong type. */
	CHECK_INT_EQ(load(&ctx, sign(&root, "{\"typ\":\"decision\",\"exp\":\"2099-01-01T00:00:00Z\",\"version\":9,\"keys\":[]}"), NOW),
				 BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(load(&ctx, sign(&root, "{\"typ\":\"key_certificate\",\"exp\":\"2099-01-01T00:00:00Z\",\"version\":9,\"keys\":[]}"), NOW),
				 BP_CLIENT_WRONG_TYPE);
	/* nbf in the future. */
	snprintf(ks, sizeof(ks), "{\"typ\":\"keyset\",\"nbf\":\"%s\",\"exp\":\"%s\",\"version\":9,\"keys\":[]}",
			 rfc(NOW + BP_CLIENT_CLOCK_SKEW + 1), rfc(NOW + 3600));
	CHECK_INT_EQ(load(&ctx, sign(&root, ks), NOW), BP_CLIENT_NOT_YET_VALID);
	/* A work buffer too small. */
	{
		const char *t = sign(&root, keyset_payload(9, NOW + 3600, keys_json));

		CHECK_INT_EQ(bp_client_load_keyset(&ctx, t, strlen(t), NOW, work, 100), BP_CLIENT_BUFFER_TOO_SMALL);
		len = bp_client_work_len(strlen(t));
		CHECK(len != SIZE_MAX && len <= sizeof(work));
		CHECK_INT_EQ(bp_client_load_keyset(&ctx, t, strlen(t), NOW, work, len), BP_CLIENT_OK);
		CHECK_INT_EQ(ctx.keyset_version, 9);
	}
	/* A newer key set with fewer keys replaces the old one's keys. */
	entry(e, sizeof(e), &dec, "decision", NULL, "active", NULL, NULL);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(10, NOW + 3600, e)), NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(ctx.n_keys, 2);
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW + 60, NULL), NULL, NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(verify(&ctx, decision(&retiring, "decision", NOW + 60, NULL), NULL, NOW), BP_CLIENT_UNKNOWN_KEY);

	/* Capacity: 64 entries plus the pinned root do not fit. */
	{
		static char big[TOKEN_CAP];
		test_key	k;
		int			i;

		big[0] = '\0';
		for (i = 0; i < BP_CLIENT_MAX_KEYS; i++)
		{
			make_key(&k, (uint8_t) (100 + i));
			entry(e, sizeof(e), &k, "decision", NULL, "active", NULL, NULL);
			if (i > 0)
				strcat(big, ",");
			strcat(big, e);
		}
		CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(11, NOW + 3600, big)), NOW), BP_CLIENT_CAPACITY);
		CHECK_INT_EQ(ctx.n_keys, 2);
	}
}

static void
test_verify(void)
{
	bp_client_ctx ctx;
	char	   *t;
	char		bad[TOKEN_CAP];
	char		p[1024];
	size_t		len;
	bp_client_status st;

	bp_client_init(&ctx);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_ROOT, root.pub), BP_CLIENT_OK);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(1, NOW + 3600, keys_json)), NOW), BP_CLIENT_OK);

	/* Good, and the payload comes back. */
	snprintf(p, sizeof(p), "{\"typ\":\"decision\",\"exp\":\"%s\",\"x\":1}", rfc(NOW + 60));
	t = sign(&dec, p);
	st = bp_client_verify(&ctx, t, strlen(t), "decision", NOW, work, sizeof(work), &len);
	CHECK_INT_EQ(st, BP_CLIENT_OK);
	CHECK(len == strlen(p) && memcmp(work, p, len) == 0);
	CHECK_INT_EQ(verify(&ctx, t, NULL, NOW), BP_CLIENT_OK);

	/* Bad signature: one character of the body changed. */
	strcpy(bad, t);
	bad[20] = bad[20] == 'A' ? 'B' : 'A';
	CHECK_INT_EQ(verify(&ctx, bad, NULL, NOW), BP_CLIENT_BAD_SIGNATURE);
	/* ... or one character of the signature part. */
	strcpy(bad, t);
	{
		char	   *dot = strrchr(bad, '.');

		dot[-10] = dot[-10] == 'A' ? 'B' : 'A';
	}
	CHECK_INT_EQ(verify(&ctx, bad, NULL, NOW), BP_CLIENT_BAD_SIGNATURE);
	/* A footer naming another key than the one that signed. */
	snprintf(bad, sizeof(bad), "{\"kid\":\"%s\"}", retiring.kid);
	CHECK_INT_EQ(verify(&ctx, sign_footer(&dec, p, bad), NULL, NOW), BP_CLIENT_BAD_SIGNATURE);

	/* Unknown kid. */
	CHECK_INT_EQ(verify(&ctx, decision(&stranger, "decision", NOW + 60, NULL), NULL, NOW), BP_CLIENT_UNKNOWN_KEY);
	CHECK_INT_EQ(verify(&ctx, decision(&root2, "keyset", NOW + 60, NULL), NULL, NOW), BP_CLIENT_UNKNOWN_KEY);

	/* Key states and windows. */
	CHECK_INT_EQ(verify(&ctx, decision(&revoked, "decision", NOW + 60, NULL), NULL, NOW), BP_CLIENT_KEY_REVOKED);
	CHECK_INT_EQ(verify(&ctx, decision(&pending, "decision", NOW + 60, NULL), NULL, NOW), BP_CLIENT_KEY_NOT_VALID);
	t = decision(&retiring, "decision", NOW + 3600, NULL);
	CHECK_INT_EQ(verify(&ctx, t, NULL, NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(verify(&ctx, t, NULL, NOW + 99), BP_CLIENT_OK);
	CHECK_INT_EQ(verify(&ctx, t, NULL, NOW + 100), BP_CLIENT_KEY_NOT_VALID);
	CHECK_INT_EQ(verify(&ctx, t, NULL, NOW + 200), BP_CLIENT_KEY_NOT_VALID);
	t = decision(&future, "decision", NOW + 3600, NULL);
	CHECK_INT_EQ(verify(&ctx, t, NULL, NOW), BP_CLIENT_KEY_NOT_VALID);
	CHECK_INT_EQ(verify(&ctx, t, NULL, NOW + 1000), BP_CLIENT_OK);

	/* typ vs purpose: a lease signed by the decision key, and the reverse. */
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "lease", NOW + 60, NULL), NULL, NOW), BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(verify(&ctx, decision(&lease, "decision", NOW + 60, NULL), NULL, NOW), BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "checkpoint", NOW + 60, NULL), NULL, NOW), BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "keyset", NOW + 60, NULL), NULL, NOW), BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "mystery", NOW + 60, NULL), NULL, NOW), BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(verify(&ctx, decision(&audit, "checkpoint", NOW + 60, NULL), "checkpoint", NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "release", NOW + 60, NULL), "release", NOW), BP_CLIENT_OK);
	/* A key certificate signed by the pinned root verifies. */
	CHECK_INT_EQ(verify(&ctx, decision(&root, "key_certificate", NOW + 60, NULL), "key_certificate", NOW), BP_CLIENT_OK);

	/* expected_typ. */
	t = decision(&dec, "decision", NOW + 60, NULL);
	CHECK_INT_EQ(verify(&ctx, t, "release", NOW), BP_CLIENT_WRONG_TYPE);
	CHECK_INT_EQ(verify(&ctx, t, "lease", NOW), BP_CLIENT_WRONG_TYPE);
	CHECK_INT_EQ(verify(&ctx, t, "decision", NOW), BP_CLIENT_OK);

	/* exp and nbf. */
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW - 1, NULL), NULL, NOW), BP_CLIENT_EXPIRED);
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW, NULL), NULL, NOW), BP_CLIENT_EXPIRED);
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW + 1, NULL), NULL, NOW), BP_CLIENT_OK);
	t = decision(&dec, "decision", NOW - 1, NULL);
	CHECK_INT_EQ(bp_client_verify_ex(&ctx, t, strlen(t), NULL, NOW, BP_CLIENT_SKIP_TIME, work, sizeof(work), &len),
				 BP_CLIENT_OK);
	/* nbf gets the clock skew (the server stamps the second it signs). */
	snprintf(p, sizeof(p), ",\"nbf\":\"%s\"", rfc(NOW + BP_CLIENT_CLOCK_SKEW + 1));
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW + 3600, p), NULL, NOW), BP_CLIENT_NOT_YET_VALID);
	snprintf(p, sizeof(p), ",\"nbf\":\"%s\"", rfc(NOW + BP_CLIENT_CLOCK_SKEW));
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW + 3600, p), NULL, NOW), BP_CLIENT_OK);
	snprintf(p, sizeof(p), ",\"nbf\":\"%s\"", rfc(NOW));
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW + 60, p), NULL, NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW + 60, ",\"nbf\":\"soon\""), NULL, NOW), BP_CLIENT_MALFORMED);
	/* Every kind must expire (token_kinds.h): refused without exp. */
	CHECK_INT_EQ(verify(&ctx, sign(&dec, "{\"typ\":\"decision\"}"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign(&dec, "{\"typ\":\"release\"}"), NULL, NOW), BP_CLIENT_MALFORMED);

	/* Tenant-scoped keys. */
	snprintf(p, sizeof(p), "{\"typ\":\"lease\",\"tenant_id\":\"acme\",\"exp\":\"%s\"}", rfc(NOW + 60));
	CHECK_INT_EQ(verify(&ctx, sign(&tenant_lease, p), "lease", NOW), BP_CLIENT_OK);
	snprintf(p, sizeof(p), "{\"typ\":\"lease\",\"tenant_id\":\"globex\",\"exp\":\"%s\"}", rfc(NOW + 60));
	CHECK_INT_EQ(verify(&ctx, sign(&tenant_lease, p), "lease", NOW), BP_CLIENT_WRONG_TENANT);
	CHECK_INT_EQ(verify(&ctx, sign(&lease, p), "lease", NOW), BP_CLIENT_OK);

	/* Malformed. */
	CHECK_INT_EQ(verify(&ctx, sign(&dec, "not json"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign(&dec, "[\"decision\"]"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign(&dec, "{\"exp\":\"2099-01-01T00:00:00Z\"}"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign(&dec, "{\"typ\":7}"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign(&dec, "{\"typ\":\"decision\",\"typ\":\"lease\"}"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign(&dec, "{\"typ\":\"decision\",\"exp\":\"2099-01-01T00:00:00Z\",\"exp\":\"2000-01-01T00:00:00Z\"}"), NULL, NOW),
				 BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign(&dec, "{\"typ\":\"decision\",\"exp\":1900000000}"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign_footer(&dec, "{\"typ\":\"decision\"}", ""), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign_footer(&dec, "{\"typ\":\"decision\"}", "{\"key\":\"x\"}"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign_footer(&dec, "{\"typ\":\"decision\"}", "{\"kid\":\"k4.pid.nope\"}"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, sign_footer(&dec, "{\"typ\":\"decision\"}", "kid"), NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, "hello", NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, "v4.local.AAAA.BBBB", NULL, NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(verify(&ctx, "", NULL, NOW), BP_CLIENT_MALFORMED);
	t = decision(&dec, "decision", NOW + 60, NULL);
	strcpy(bad, t);
	strcat(bad, ".extra");
	CHECK_INT_EQ(verify(&ctx, bad, NULL, NOW), BP_CLIENT_MALFORMED);

	/* Buffers and arguments. */
	CHECK_INT_EQ(bp_client_verify(&ctx, t, strlen(t), NULL, NOW, work, 64, &len), BP_CLIENT_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(len, 0);
	CHECK_INT_EQ(bp_client_verify(&ctx, t, strlen(t), NULL, NOW, work, bp_client_work_len(strlen(t)), &len), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_verify(NULL, t, strlen(t), NULL, NOW, work, sizeof(work), &len), BP_CLIENT_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_client_verify(&ctx, t, strlen(t), NULL, NOW, NULL, 0, &len), BP_CLIENT_BAD_ARGUMENT);
}

static void
test_pinned(void)
{
	bp_client_ctx ctx;
	char		p[256];
	char		e[1024];

	bp_client_init(&ctx);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_DECISION, dec.pub), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_LEASE, lease.pub), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_DECISION, dec.pub), BP_CLIENT_OK);
	CHECK_INT_EQ(ctx.n_keys, 2);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_AUDIT, dec.pub), BP_CLIENT_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_AUDIT, "k4.public.nope"), BP_CLIENT_BAD_KEY);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_AUDIT, "k3.public.AAAA"), BP_CLIENT_BAD_KEY);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_NONE, audit.pub), BP_CLIENT_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_AUDIT, NULL), BP_CLIENT_BAD_ARGUMENT);

	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW + 60, NULL), "decision", NOW), BP_CLIENT_OK);
	snprintf(p, sizeof(p), "{\"typ\":\"lease\",\"seq\":1,\"prev_hash\":\"\",\"exp\":\"%s\"}", rfc(NOW + 60));
	CHECK_INT_EQ(verify(&ctx, sign(&lease, p), "lease", NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(verify(&ctx, sign(&dec, p), "lease", NOW), BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(verify(&ctx, decision(&audit, "checkpoint", NOW + 60, NULL), NULL, NOW), BP_CLIENT_UNKNOWN_KEY);
	/* Without a pinned root no key set loads. */
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(1, NOW + 3600, keys_json)), NOW), BP_CLIENT_UNKNOWN_KEY);

	/* A key set can revoke a pinned key. */
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_ROOT, root.pub), BP_CLIENT_OK);
	entry(e, sizeof(e), &dec, "decision", NULL, "revoked", NULL, rfc(NOW - 5));
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(1, NOW + 3600, e)), NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(verify(&ctx, decision(&dec, "decision", NOW + 60, NULL), NULL, NOW), BP_CLIENT_KEY_REVOKED);
	CHECK_INT_EQ(verify(&ctx, sign(&lease, p), "lease", NOW), BP_CLIENT_OK);

	/* Names and purposes. */
	CHECK_INT_EQ(bp_client_purpose_from_name("lease", 5), BP_CLIENT_PURPOSE_LEASE);
	CHECK_INT_EQ(bp_client_purpose_from_name("leases", 6), BP_CLIENT_PURPOSE_NONE);
	CHECK_INT_EQ(bp_client_purpose_of_typ("release", 7), BP_CLIENT_PURPOSE_DECISION);
	CHECK_INT_EQ(bp_client_purpose_of_typ("key_certificate", 15), BP_CLIENT_PURPOSE_ROOT);
	CHECK_STR_EQ(bp_client_purpose_name(BP_CLIENT_PURPOSE_AUDIT), "audit");
}

/*
 * The rules of src/core shared by every verifier: the kind table, exp where
 * a kind must expire, the longest life of a kind, the exp leeway (offline
 * grace), keys added with a state and window, a pinned key narrowed by the
 * key set, and the footer's kid.
 */
static void
test_rules(void)
{
	bp_verifier v;
	bp_verify_key k;
	char		p[512];
	char		e[1024];
	char		kid[BP_PASERK_K4_PID_LEN];
	size_t		len;
	size_t		i;

	/* The table: every kind has a purpose; the SQL names round-trip. */
	CHECK_INT_EQ(bp_n_token_kinds, 8);
	for (i = 0; i < bp_n_token_kinds; i++)
	{
		const bp_token_kind *kind = &bp_token_kinds[i];
		const char *name = bp_purpose_name(kind->purpose);

		CHECK(bp_token_kind_of(kind->typ, strlen(kind->typ)) == kind);
		CHECK_INT_EQ(bp_purpose_from_name(name, strlen(name)), kind->purpose);
		CHECK_MSG(kind->needs_exp, "%s: needs_exp", kind->typ);
	}
	CHECK(bp_token_kind_of("decisions", 9) == NULL);
	CHECK(bp_token_kind_of("decision", 7) == NULL);
	CHECK(bp_token_kind_of(NULL, 0) == NULL);
	CHECK_INT_EQ(bp_token_kind_of("snapshot", 8)->purpose, BP_PURPOSE_SNAPSHOT);
	CHECK_INT_EQ(bp_token_kind_of("checkpoint", 10)->purpose, BP_PURPOSE_AUDIT);
	CHECK_STR_EQ(bp_purpose_name((bp_purpose) 99), "none");

	/* Keys added with state and window (as the database hands them over). */
	bp_verifier_init(&v);
	memset(&k, 0, sizeof(k));
	memcpy(k.kid, dec.kid, BP_PASERK_K4_PID_LEN);
	memcpy(k.pk, dec.pk, 32);
	k.purpose = BP_PURPOSE_DECISION;
	k.state = BP_KEY_RETIRING;
	k.has_valid_from = true;
	k.valid_from = NOW - 3600;
	k.has_valid_until = true;
	k.valid_until = NOW + 100;
	CHECK_INT_EQ(bp_verifier_add_key(&v, &k), BP_VERIFY_OK);
	CHECK_INT_EQ(bp_verifier_add_key(&v, &k), BP_VERIFY_BAD_ARGUMENT);	/* same kid twice */
	memcpy(k.kid, lease.kid, BP_PASERK_K4_PID_LEN);		/* kid of another key */
	CHECK_INT_EQ(bp_verifier_add_key(&v, &k), BP_VERIFY_BAD_KEY);

	/* exp where the kind must expire; the longest life of the kind. */
	snprintf(p, sizeof(p), "{\"typ\":\"decision\",\"iat\":\"%s\"}", rfc(NOW - 5));
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW, 0, 0, work, sizeof(work), &len),
				 BP_VERIFY_MALFORMED);
	snprintf(p, sizeof(p), "{\"typ\":\"release\",\"iat\":\"%s\",\"exp\":\"%s\"}", rfc(NOW - 5), rfc(NOW + 86400));
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW, 0, 0, work, sizeof(work), &len),
				 BP_VERIFY_OK);
	snprintf(p, sizeof(p), "{\"typ\":\"decision\",\"iat\":\"%s\",\"exp\":\"%s\"}", rfc(NOW - 5), rfc(NOW - 5 + 7 * 86400));
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW, 0, 0, work, sizeof(work), &len),
				 BP_VERIFY_OK);
	snprintf(p, sizeof(p), "{\"typ\":\"decision\",\"iat\":\"%s\",\"exp\":\"%s\"}", rfc(NOW - 5), rfc(NOW - 4 + 7 * 86400));
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW, 0, 0, work, sizeof(work), &len),
				 BP_VERIFY_MALFORMED);

	/* The exp leeway (a mirror's offline grace): expired, yet within it. */
	snprintf(p, sizeof(p), "{\"typ\":\"decision\",\"iat\":\"%s\",\"exp\":\"%s\"}", rfc(NOW - 60), rfc(NOW - 10));
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW, 0, 0, work, sizeof(work), &len),
				 BP_VERIFY_EXPIRED);
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW, 0, 11, work, sizeof(work), &len),
				 BP_VERIFY_OK);
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW, 0, 10, work, sizeof(work), &len),
				 BP_VERIFY_EXPIRED);
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW, 0, -1, work, sizeof(work), &len),
				 BP_VERIFY_BAD_ARGUMENT);
	/* The retiring key's window, at its end. */
	snprintf(p, sizeof(p), "{\"typ\":\"release\",\"iat\":\"%s\",\"exp\":\"%s\"}", rfc(NOW - 5), rfc(NOW + 86400));
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW + 100, 0, 0, work, sizeof(work), &len),
				 BP_VERIFY_KEY_NOT_VALID);
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW + 100, BP_VERIFY_SIGNED_EARLIER, 0,
								 work, sizeof(work), &len), BP_VERIFY_OK);

	/* The footer's kid. */
	CHECK_INT_EQ(bp_verify_footer_kid(sign(&dec, p), strlen(sign(&dec, p)), kid), BP_VERIFY_OK);
	CHECK(memcmp(kid, dec.kid, BP_PASERK_K4_PID_LEN) == 0);
	CHECK_INT_EQ(bp_verify_footer_kid(sign_footer(&dec, p, "{\"kid\":\"k4.pid.nope\"}"), 0, kid), BP_VERIFY_MALFORMED);
	{
		const char *t = sign_footer(&dec, p, "{\"kid\":\"k4.pid.nope\"}");

		CHECK_INT_EQ(bp_verify_footer_kid(t, strlen(t), kid), BP_VERIFY_MALFORMED);
	}

	/*
	 * A key set that puts its own (pinned) signer outside its window now
	 * would not load again: refused, and nothing changes (found by fuzzing).
	 */
	bp_verifier_init(&v);
	CHECK_INT_EQ(bp_verifier_pin_key(&v, BP_PURPOSE_ROOT, root.pub), BP_VERIFY_OK);
	entry(e, sizeof(e), &root, "root", NULL, "active", rfc(NOW + 3600), NULL);
	{
		const char *ks = sign(&root, keyset_payload(1, NOW + 3600, e));

		CHECK_INT_EQ(bp_verifier_load_keyset(&v, ks, strlen(ks), NOW, 0, 0, work, sizeof(work)), BP_VERIFY_KEY_NOT_VALID);
		CHECK(!v.keyset_loaded && !v.keys[0].has_valid_from);
		entry(e, sizeof(e), &root, "root", NULL, "retiring", rfc(NOW - 3600), rfc(NOW));
		ks = sign(&root, keyset_payload(1, NOW + 3600, e));
		CHECK_INT_EQ(bp_verifier_load_keyset(&v, ks, strlen(ks), NOW, 0, 0, work, sizeof(work)), BP_VERIFY_KEY_NOT_VALID);
		entry(e, sizeof(e), &root, "root", NULL, "retiring", rfc(NOW - 3600), rfc(NOW + 1));
		ks = sign(&root, keyset_payload(1, NOW + 3600, e));
		CHECK_INT_EQ(bp_verifier_load_keyset(&v, ks, strlen(ks), NOW, 0, 0, work, sizeof(work)), BP_VERIFY_OK);
	}

	/* A pinned key takes the key set's window for it. */
	bp_verifier_init(&v);
	CHECK_INT_EQ(bp_verifier_pin_key(&v, BP_PURPOSE_ROOT, root.pub), BP_VERIFY_OK);
	CHECK_INT_EQ(bp_verifier_pin_key(&v, BP_PURPOSE_DECISION, dec.pub), BP_VERIFY_OK);
	snprintf(p, sizeof(p), "{\"typ\":\"release\",\"iat\":\"%s\",\"exp\":\"%s\"}", rfc(NOW - 5), rfc(NOW + 86400));
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW + 500, 0, 0, work, sizeof(work), &len),
				 BP_VERIFY_OK);
	entry(e, sizeof(e), &dec, "decision", NULL, "retiring", rfc(NOW - 3600), rfc(NOW + 100));
	{
		const char *ks = sign(&root, keyset_payload(1, NOW + 3600, e));

		CHECK_INT_EQ(bp_verifier_load_keyset(&v, ks, strlen(ks), NOW, 0, 0, work, sizeof(work)), BP_VERIFY_OK);
	}
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW, 0, 0, work, sizeof(work), &len),
				 BP_VERIFY_OK);
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW + 500, 0, 0, work, sizeof(work), &len),
				 BP_VERIFY_KEY_NOT_VALID);
	CHECK_INT_EQ(bp_verify_token(&v, sign(&dec, p), strlen(sign(&dec, p)), NULL, NOW - 7200, BP_VERIFY_SKIP_TIME, 0,
								 work, sizeof(work), &len), BP_VERIFY_KEY_NOT_VALID);
	CHECK(v.keys[1].pinned);
	/* A key set loaded with SKIP_TIME may be past its exp (checked later). */
	{
		const char *old = sign(&root, keyset_payload(2, NOW - 10, e));

		CHECK_INT_EQ(bp_verifier_load_keyset(&v, old, strlen(old), NOW, 0, 0, work, sizeof(work)), BP_VERIFY_EXPIRED);
		CHECK_INT_EQ(bp_verifier_load_keyset(&v, old, strlen(old), NOW, BP_VERIFY_SKIP_TIME, 0, work, sizeof(work)),
					 BP_VERIFY_OK);
	}

	/* RFC 3339 out: what the parser reads back, over a wide range. */
	{
		char		buf[BP_RFC3339_LEN + 1];
		int64_t		t;
		bool		all = true;

		CHECK(bp_rfc3339_format(0, buf));
		CHECK_STR_EQ(buf, "1970-01-01T00:00:00Z");
		CHECK(bp_rfc3339_format(INT64_C(253402300799), buf));
		CHECK_STR_EQ(buf, "9999-12-31T23:59:59Z");
		CHECK(!bp_rfc3339_format(INT64_C(253402300800), buf));
		CHECK(bp_rfc3339_format(INT64_C(-62167219200), buf));
		CHECK_STR_EQ(buf, "0000-01-01T00:00:00Z");
		CHECK(!bp_rfc3339_format(INT64_C(-62167219201), buf));
		for (i = 0; i < 5000; i++)
		{
			int64_t		want = (int64_t) i * INT64_C(50000017) - INT64_C(30000000000);	/* years 1019 to 8900 */

			if (!bp_rfc3339_format(want, buf) || strcmp(buf, rfc(want)) != 0 ||
				!bp_rfc3339_parse(buf, strlen(buf), &t) || t != want)
			{
				all = false;
				fprintf(stderr, "format round trip %lld: %s vs %s\n", (long long) want, buf, rfc(want));
				break;
			}
		}
		CHECK(all);
	}
}

/* A key certificate (typ key_certificate) for key k, signed by signer. */
static char *
certificate(const test_key *signer, const test_key *k, const char *tenant, const char *purposes,
			int64_t exp, const char *kid_override)
{
	char		p[2048];

	snprintf(p, sizeof(p),
			 "{\"typ\":\"key_certificate\",\"iat\":\"%s\",\"nbf\":\"%s\",\"exp\":\"%s\",\"kid\":\"%s\","
			 "\"public_key\":\"%s\",\"tenant_id\":\"%s\",\"purposes\":%s,\"mirror_id\":null}",
			 rfc(NOW - 3600), rfc(NOW - 3600), rfc(exp), kid_override ? kid_override : k->kid, k->pub,
			 tenant, purposes);
	return sign(signer, p);
}

/* A token signed by a mirror's key k, its certificate in the footer. */
static char *
mirror_token(const test_key *k, const char *cert, const char *typ, const char *tenant, int64_t exp)
{
	static char footer[8192];
	char		p[1024];

	snprintf(footer, sizeof(footer), "{\"kid\":\"%s\",\"cert\":\"%s\"}", k->kid, cert);
	if (tenant)
		snprintf(p, sizeof(p), "{\"typ\":\"%s\",\"tenant_id\":\"%s\",\"iat\":\"%s\",\"exp\":\"%s\"}",
				 typ, tenant, rfc(NOW - 5), rfc(exp));
	else
		snprintf(p, sizeof(p), "{\"typ\":\"%s\",\"iat\":\"%s\",\"exp\":\"%s\"}", typ, rfc(NOW - 5), rfc(exp));
	return sign_footer(k, p, footer);
}

/* iat: a little ahead of the caller's clock is skew; far ahead is refused. */
static void
test_iat(void)
{
	bp_client_ctx ctx;
	char		p[512];

	bp_client_init(&ctx);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_DECISION, dec.pub), BP_CLIENT_OK);
	snprintf(p, sizeof(p), "{\"typ\":\"decision\",\"iat\":\"%s\",\"exp\":\"%s\"}",
			 rfc(NOW + BP_CLIENT_CLOCK_SKEW), rfc(NOW + 3600));
	CHECK_INT_EQ(verify(&ctx, sign(&dec, p), "decision", NOW), BP_CLIENT_OK);
	snprintf(p, sizeof(p), "{\"typ\":\"decision\",\"iat\":\"%s\",\"exp\":\"%s\"}",
			 rfc(NOW + BP_CLIENT_CLOCK_SKEW + 1), rfc(NOW + 3600));
	CHECK_INT_EQ(verify(&ctx, sign(&dec, p), "decision", NOW), BP_CLIENT_NOT_YET_VALID);
	{
		size_t		len;
		char	   *t = sign(&dec, p);

		CHECK_INT_EQ(bp_client_verify_ex(&ctx, t, strlen(t), "decision", NOW, BP_CLIENT_SKIP_TIME,
										 work, sizeof(work), &len), BP_CLIENT_OK);
	}
}

/* A verified payload bound to its install and request. */
static void
test_binding(void)
{
	const char *p = "{\"typ\":\"decision\",\"install_id\":\"pc-42\",\"nonce\":\"n-7\",\"tenant_id\":\"acme\"}";
	const char *no_nonce = "{\"typ\":\"decision\",\"install_id\":\"pc-42\",\"nonce\":null}";
	static char big[65536];
	size_t		i;

	CHECK_INT_EQ(bp_client_check_binding(p, strlen(p), "pc-42", "n-7"), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_check_binding(p, strlen(p), "pc-42", NULL), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_check_binding(p, strlen(p), NULL, NULL), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_check_binding(p, strlen(p), "pc-43", "n-7"), BP_CLIENT_NOT_FOR_US);
	CHECK_INT_EQ(bp_client_check_binding(p, strlen(p), "pc-4", NULL), BP_CLIENT_NOT_FOR_US);
	CHECK_INT_EQ(bp_client_check_binding(p, strlen(p), "pc-42", "n-8"), BP_CLIENT_NOT_FOR_US);
	CHECK_INT_EQ(bp_client_check_binding(no_nonce, strlen(no_nonce), "pc-42", "n-7"), BP_CLIENT_NOT_FOR_US);
	CHECK_INT_EQ(bp_client_check_binding(no_nonce, strlen(no_nonce), "pc-42", ""), BP_CLIENT_NOT_FOR_US);
	CHECK_INT_EQ(bp_client_check_binding("[1]", 3, "pc-42", NULL), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(bp_client_check_binding("{", 1, NULL, NULL), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(bp_client_check_binding(NULL, 0, NULL, NULL), BP_CLIENT_BAD_ARGUMENT);
	/* Escapes compare by value. */
	{
		const char *esc = "{\"install_id\":\"pc\\u002d42\"}";

		CHECK_INT_EQ(bp_client_check_binding(esc, strlen(esc), "pc-42", NULL), BP_CLIENT_OK);
	}
	/* More tokens than the documented maximum. */
	strcpy(big, "{\"a\":[");
	for (i = 0; i < BP_CLIENT_BINDING_MAX_TOKENS; i++)
		strcat(big, i ? ",1" : "1");
	strcat(big, "]}");
	CHECK_INT_EQ(bp_client_check_binding(big, strlen(big), "x", NULL), BP_CLIENT_BUFFER_TOO_SMALL);
}

static void
test_certificates(void)
{
	bp_client_ctx ctx;
	test_key	mirror;
	static char cert[TOKEN_CAP];	/* sign()'s buffers are reused */
	char		keys[TOKEN_CAP];
	char		e[1024];

	make_key(&mirror, 42);
	bp_client_init(&ctx);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_ROOT, root.pub), BP_CLIENT_OK);
	snprintf(cert, sizeof(cert), "%s", certificate(&root, &mirror, "acme", "[\"decision\"]", NOW + 86400, NULL));

	/* The chain verifies to the pinned root: typ, tenant, time. */
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, cert, "decision", "acme", NOW + 60), "decision", NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, cert, "decision", "acme", NOW - 1), "decision", NOW),
				 BP_CLIENT_EXPIRED);
	/* Purposes: a decision certificate does not make leases or releases. */
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, cert, "lease", "acme", NOW + 60), NULL, NOW),
				 BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, cert, "keyset", "acme", NOW + 60), NULL, NOW),
				 BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, cert, "bogus", "acme", NOW + 60), NULL, NOW),
				 BP_CLIENT_WRONG_PURPOSE);
	{
		char	   *both = certificate(&root, &mirror, "acme", "[\"decision\",\"lease\"]", NOW + 86400, NULL);

		CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, both, "lease", "acme", NOW + 60), "lease", NOW), BP_CLIENT_OK);
	}
	/* Tenant: the certificate's tenant only, and it must be named. */
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, cert, "decision", "globex", NOW + 60), NULL, NOW),
				 BP_CLIENT_WRONG_TENANT);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, cert, "decision", NULL, NOW + 60), NULL, NOW),
				 BP_CLIENT_WRONG_TENANT);
	/* The certificate's own validity. */
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, certificate(&root, &mirror, "acme", "[\"decision\"]", NOW - 1, NULL),
										   "decision", "acme", NOW + 60), NULL, NOW), BP_CLIENT_CERT_EXPIRED);
	/* Broken chains: signed by a non-root key, by an unknown key, for another key. */
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, certificate(&stranger, &mirror, "acme", "[\"decision\"]",
																NOW + 86400, NULL), "decision", "acme", NOW + 60), NULL, NOW),
				 BP_CLIENT_CERT_INVALID);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, certificate(&root, &stranger, "acme", "[\"decision\"]",
																NOW + 86400, NULL), "decision", "acme", NOW + 60), NULL, NOW),
				 BP_CLIENT_CERT_INVALID);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, certificate(&root, &mirror, "acme", "[\"decision\"]",
																NOW + 86400, stranger.kid), "decision", "acme", NOW + 60),
						NULL, NOW), BP_CLIENT_CERT_INVALID);
	/* Certificates delegate decision and lease only; malformed purposes. */
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, certificate(&root, &mirror, "acme", "[\"root\"]", NOW + 86400, NULL),
										   "keyset", "acme", NOW + 60), NULL, NOW), BP_CLIENT_CERT_INVALID);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, certificate(&root, &mirror, "acme", "[]", NOW + 86400, NULL),
										   "decision", "acme", NOW + 60), NULL, NOW), BP_CLIENT_CERT_INVALID);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, certificate(&root, &mirror, "acme", "\"decision\"", NOW + 86400, NULL),
										   "decision", "acme", NOW + 60), NULL, NOW), BP_CLIENT_CERT_INVALID);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, certificate(&root, &mirror, "", "[\"decision\"]", NOW + 86400, NULL),
										   "decision", "acme", NOW + 60), NULL, NOW), BP_CLIENT_CERT_INVALID);
	/* A certificate is not itself a decision key, and a token of it tampered fails. */
	CHECK_INT_EQ(verify(&ctx, cert, "decision", NOW), BP_CLIENT_WRONG_TYPE);
	{
		char		bad[TOKEN_CAP];
		char	   *t = mirror_token(&mirror, cert, "decision", "acme", NOW + 60);

		snprintf(bad, sizeof(bad), "%s", t);
		bad[20] = bad[20] == 'A' ? 'B' : 'A';
		CHECK_INT_EQ(verify(&ctx, bad, NULL, NOW), BP_CLIENT_BAD_SIGNATURE);
		/* A certificate that is not a token at all. */
		CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, "v4.public.AAAA", "decision", "acme", NOW + 60), NULL, NOW),
					 BP_CLIENT_CERT_INVALID);
	}
	/* Without the root known, nothing vouches for the mirror key. */
	{
		bp_client_ctx empty;

		bp_client_init(&empty);
		CHECK_INT_EQ(verify(&empty, mirror_token(&mirror, cert, "decision", "acme", NOW + 60), NULL, NOW),
					 BP_CLIENT_CERT_INVALID);
	}
	/* A key set that lists the mirror's key as revoked beats its certificate. */
	entry(keys, sizeof(keys), &root, "root", NULL, "active", rfc(NOW - 86400), NULL);
	entry(e, sizeof(e), &mirror, "decision", "acme", "revoked", rfc(NOW - 86400), rfc(NOW - 10));
	strcat(keys, ",");
	strcat(keys, e);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(5, NOW + 3600, keys)), NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(verify(&ctx, mirror_token(&mirror, cert, "decision", "acme", NOW + 60), NULL, NOW),
				 BP_CLIENT_KEY_REVOKED);
}

static void
test_status_names(void)
{
	int			i, j;
	bool		distinct = true;

	for (i = 0; i < BP_CLIENT_N_STATUS; i++)
		for (j = i + 1; j < BP_CLIENT_N_STATUS; j++)
			if (strcmp(bp_client_status_name((bp_client_status) i),
					   bp_client_status_name((bp_client_status) j)) == 0 ||
				strcmp(bp_client_strerror((bp_client_status) i),
					   bp_client_strerror((bp_client_status) j)) == 0)
				distinct = false;
	CHECK(distinct);
	CHECK_STR_EQ(bp_client_status_name(BP_CLIENT_BAD_SIGNATURE), "BAD_SIGNATURE");
	CHECK_STR_EQ(bp_client_status_name(BP_CLIENT_CAPACITY), "CAPACITY");
	CHECK_STR_EQ(bp_client_status_name((bp_client_status) 99), "UNKNOWN_STATUS");
}

static char *
lease_payload(int seq, const char *prev_hash, const char *sub)
{
	static char bufs[8][512];
	static int	next;
	char	   *b = bufs[next++ % 8];

	snprintf(b, 512,
			 "{\"typ\":\"lease\",\"tenant_id\":\"acme\",\"product_id\":\"app\",\"sub\":\"%s\","
			 "\"exp\":\"%s\",\"seq\":%d,\"prev_hash\":\"%s\"}",
			 sub, rfc(NOW + 600), seq, prev_hash);
	return b;
}

static void
test_lease_chain(void)
{
	char		h1[65], h2[65], h3[65];
	char	   *p1, *p2, *p3, *t1, *t2, *t3;
	char	   *p;
	bp_client_lease_chain chain;
	char		upper[65];
	size_t		i;

	bp_client_lease_hash("abc", 3, h1);
	CHECK_STR_EQ(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	p1 = lease_payload(1, "", "alice");
	t1 = sign(&lease, p1);
	bp_client_lease_hash(t1, strlen(t1), h1);
	p2 = lease_payload(2, h1, "alice");
	t2 = sign(&lease, p2);
	bp_client_lease_hash(t2, strlen(t2), h2);
	p3 = lease_payload(3, h2, "alice");
	t3 = sign(&lease, p3);
	bp_client_lease_hash(t3, strlen(t3), h3);

	/* Stateless. */
	CHECK_INT_EQ(bp_client_check_lease_chain(NULL, 0, NULL, 0, p1, strlen(p1)), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_check_lease_chain(t1, strlen(t1), p1, strlen(p1), p2, strlen(p2)), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_check_lease_chain(t2, strlen(t2), p2, strlen(p2), p3, strlen(p3)), BP_CLIENT_OK);
	/* Skipped seq. */
	CHECK_INT_EQ(bp_client_check_lease_chain(t1, strlen(t1), p1, strlen(p1), p3, strlen(p3)), BP_CLIENT_CHAIN_BROKEN);
	/* Backwards, and the same seq again. */
	CHECK_INT_EQ(bp_client_check_lease_chain(t2, strlen(t2), p2, strlen(p2), p1, strlen(p1)), BP_CLIENT_ROLLBACK);
	CHECK_INT_EQ(bp_client_check_lease_chain(t2, strlen(t2), p2, strlen(p2), p2, strlen(p2)), BP_CLIENT_ROLLBACK);
	/* Wrong prev_hash: seq right, hash of another token. */
	p = lease_payload(2, h3, "alice");
	CHECK_INT_EQ(bp_client_check_lease_chain(t1, strlen(t1), p1, strlen(p1), p, strlen(p)), BP_CLIENT_CHAIN_BROKEN);
	p = lease_payload(2, "", "alice");
	CHECK_INT_EQ(bp_client_check_lease_chain(t1, strlen(t1), p1, strlen(p1), p, strlen(p)), BP_CLIENT_CHAIN_BROKEN);
	/* Upper-case hex is the same hash. */
	for (i = 0; i < 65; i++)
		upper[i] = (h1[i] >= 'a' && h1[i] <= 'f') ? (char) (h1[i] - 32) : h1[i];
	p = lease_payload(2, upper, "alice");
	CHECK_INT_EQ(bp_client_check_lease_chain(t1, strlen(t1), p1, strlen(p1), p, strlen(p)), BP_CLIENT_OK);
	/* Another subject's chain. */
	p = lease_payload(2, h1, "bob");
	CHECK_INT_EQ(bp_client_check_lease_chain(t1, strlen(t1), p1, strlen(p1), p, strlen(p)), BP_CLIENT_CHAIN_BROKEN);
	/* First lease: seq 1 and prev_hash "". */
	CHECK_INT_EQ(bp_client_check_lease_chain(NULL, 0, NULL, 0, p2, strlen(p2)), BP_CLIENT_CHAIN_BROKEN);
	p = lease_payload(1, h3, "alice");
	CHECK_INT_EQ(bp_client_check_lease_chain(NULL, 0, NULL, 0, p, strlen(p)), BP_CLIENT_CHAIN_BROKEN);
	/* Malformed payloads. */
	p = "{\"typ\":\"lease\",\"seq\":0,\"prev_hash\":\"\"}";
	CHECK_INT_EQ(bp_client_check_lease_chain(NULL, 0, NULL, 0, p, strlen(p)), BP_CLIENT_MALFORMED);
	p = "{\"typ\":\"lease\",\"prev_hash\":\"\"}";
	CHECK_INT_EQ(bp_client_check_lease_chain(NULL, 0, NULL, 0, p, strlen(p)), BP_CLIENT_MALFORMED);
	p = "{\"typ\":\"lease\",\"seq\":1}";
	CHECK_INT_EQ(bp_client_check_lease_chain(NULL, 0, NULL, 0, p, strlen(p)), BP_CLIENT_MALFORMED);
	p = "{\"typ\":\"lease\",\"seq\":1,\"prev_hash\":\"abc\"}";
	CHECK_INT_EQ(bp_client_check_lease_chain(NULL, 0, NULL, 0, p, strlen(p)), BP_CLIENT_MALFORMED);
	p = "{\"typ\":\"decision\",\"seq\":1,\"prev_hash\":\"\"}";
	CHECK_INT_EQ(bp_client_check_lease_chain(NULL, 0, NULL, 0, p, strlen(p)), BP_CLIENT_WRONG_TYPE);
	p = "{\"typ\":\"lease\",\"seq\":1.5,\"prev_hash\":\"\"}";
	CHECK_INT_EQ(bp_client_check_lease_chain(NULL, 0, NULL, 0, p, strlen(p)), BP_CLIENT_MALFORMED);

	/* Stateful. */
	bp_client_lease_chain_init(&chain);
	CHECK_INT_EQ(bp_client_lease_chain_next(&chain, t2, strlen(t2), p2, strlen(p2)), BP_CLIENT_CHAIN_BROKEN);
	CHECK_INT_EQ(chain.seq, 0);
	CHECK_INT_EQ(bp_client_lease_chain_next(&chain, t1, strlen(t1), p1, strlen(p1)), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_lease_chain_next(&chain, t3, strlen(t3), p3, strlen(p3)), BP_CLIENT_CHAIN_BROKEN);
	CHECK_INT_EQ(bp_client_lease_chain_next(&chain, t2, strlen(t2), p2, strlen(p2)), BP_CLIENT_OK);
	CHECK_INT_EQ(bp_client_lease_chain_next(&chain, t2, strlen(t2), p2, strlen(p2)), BP_CLIENT_ROLLBACK);
	CHECK_INT_EQ(bp_client_lease_chain_next(&chain, t3, strlen(t3), p3, strlen(p3)), BP_CLIENT_OK);
	CHECK_INT_EQ(chain.seq, 3);
	CHECK_STR_EQ(chain.hash, h3);
}

/* ---- lease revocation lists -------------------------------------------- */

#define LEASE_A "lease_0123456789abcdef0123456789abcdef"
#define LEASE_B "lease_fedcba9876543210fedcba9876543210"
#define LEASE_C "lease_00000000000000000000000000000000"

/* A lease_revocations payload; tenant, version and leases as raw JSON. */
static char *
revocations_payload(const char *tenant, const char *version, int64_t iat, int64_t exp, const char *leases)
{
	static char bufs[4][TOKEN_CAP];
	static int	next;
	char	   *b = bufs[next++ % 4];

	snprintf(b, TOKEN_CAP,
			 "{\"typ\":\"lease_revocations\",\"iss\":\"test\",\"iat\":\"%s\",\"exp\":\"%s\","
			 "\"tenant_id\":%s,\"version\":%s,\"leases\":%s}",
			 rfc(iat), rfc(exp), tenant, version, leases);
	return b;
}

/* acme's list of version, issued at iat, valid for a day, signed by the lease key. */
static char *
acme_list(const char *version, int64_t iat, const char *leases)
{
	return sign(&lease, revocations_payload("\"acme\"", version, iat, iat + 86400, leases));
}

static bp_client_status
load_list(bp_client_revocations *rev, const bp_client_ctx *ctx, const char *token, int64_t now)
{
	return bp_client_load_revocations(rev, ctx, token, strlen(token), now, work, sizeof(work));
}

/* Sign a lease of tenant with lease_id (raw JSON), verify it, check it against rev. */
static bp_client_status
lease_revoked(const bp_client_revocations *rev, const bp_client_ctx *ctx, const test_key *k,
			  const char *tenant, const char *lease_id)
{
	char		p[1024];
	size_t		len = 0;
	const char *t;
	bp_client_status st;

	snprintf(p, sizeof(p),
			 "{\"typ\":\"lease\",\"tenant_id\":\"%s\",\"lease_id\":%s,\"product_id\":\"app\",\"sub\":\"alice\","
			 "\"iat\":\"%s\",\"exp\":\"%s\",\"seq\":1,\"prev_hash\":\"\"}",
			 tenant, lease_id, rfc(NOW - 5), rfc(NOW + 600));
	t = sign(k, p);
	st = bp_client_verify(ctx, t, strlen(t), "lease", NOW, work, sizeof(work), &len);
	if (st != BP_CLIENT_OK)
		return st;
	return bp_client_check_lease_revoked(rev, (const char *) work, len);
}

/* Has the list stayed what it was (loaded, tenant, version, iat, ids)? */
static bool
same_list(const bp_client_revocations *a, const bp_client_revocations *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void
test_revocations(void)
{
	static bp_client_revocations rev;
	static bp_client_revocations held;
	static char big[TOKEN_CAP];
	static char cert[4096];
	bp_client_ctx ctx;
	test_key	mirror;
	char		footer[8192];
	char		id[160];
	const char *p;
	int			i;

	bp_client_init(&ctx);
	CHECK_INT_EQ(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_ROOT, root.pub), BP_CLIENT_OK);
	CHECK_INT_EQ(load(&ctx, sign(&root, keyset_payload(1, NOW + 3600, keys_json)), NOW), BP_CLIENT_OK);
	CHECK_STR_EQ(bp_client_status_name(BP_CLIENT_LEASE_REVOKED), "LEASE_REVOKED");
	CHECK_INT_EQ(BP_CLIENT_LEASE_REVOKED, BP_CLIENT_NOT_FOR_US + 1);	/* appended: the ABI */

	/* No list: nothing is revoked. */
	bp_client_revocations_init(&rev);
	CHECK(!rev.loaded);
	CHECK(!bp_client_revocations_contains(&rev, LEASE_A, strlen(LEASE_A)));
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "acme", "\"" LEASE_A "\""), BP_CLIENT_OK);

	/* Load; the ids are kept sorted; contains is exact. */
	CHECK_INT_EQ(load_list(&rev, &ctx, acme_list("5", NOW - 60, "[\"" LEASE_B "\",\"" LEASE_A "\"]"), NOW),
				 BP_CLIENT_OK);
	CHECK(rev.loaded);
	CHECK(rev.tenant_len == 4 && memcmp(rev.tenant, "acme", 4) == 0);
	CHECK_INT_EQ(rev.version, 5);
	CHECK_INT_EQ(rev.iat, NOW - 60);
	CHECK_INT_EQ(rev.exp, NOW - 60 + 86400);
	CHECK_INT_EQ(rev.n_ids, 2);
	CHECK(rev.id_len[0] == strlen(LEASE_A) && memcmp(rev.ids[0], LEASE_A, strlen(LEASE_A)) == 0);
	CHECK(rev.id_len[1] == strlen(LEASE_B) && memcmp(rev.ids[1], LEASE_B, strlen(LEASE_B)) == 0);
	CHECK(bp_client_revocations_contains(&rev, LEASE_A, strlen(LEASE_A)));
	CHECK(bp_client_revocations_contains(&rev, LEASE_B, strlen(LEASE_B)));
	CHECK(!bp_client_revocations_contains(&rev, LEASE_C, strlen(LEASE_C)));
	CHECK(!bp_client_revocations_contains(&rev, LEASE_A, strlen(LEASE_A) - 1));	/* a prefix */
	CHECK(!bp_client_revocations_contains(&rev, LEASE_A "0", strlen(LEASE_A) + 1));
	CHECK(!bp_client_revocations_contains(&rev, "", 0));

	/* Leases: listed -> LEASE_REVOKED, unlisted -> OK, another tenant's lease of that id -> OK. */
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "acme", "\"" LEASE_A "\""), BP_CLIENT_LEASE_REVOKED);
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &tenant_lease, "acme", "\"" LEASE_B "\""), BP_CLIENT_LEASE_REVOKED);
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "acme", "\"" LEASE_C "\""), BP_CLIENT_OK);
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "globex", "\"" LEASE_A "\""), BP_CLIENT_OK);
	/* An id spelled with escapes is the same id. */
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "acme", "\"\\u006cease_0123456789abcdef0123456789abcdef\""),
				 BP_CLIENT_LEASE_REVOKED);
	/* Payloads that are not leases, or lack the members. */
	p = "{\"typ\":\"decision\",\"tenant_id\":\"acme\",\"lease_id\":\"" LEASE_A "\"}";
	CHECK_INT_EQ(bp_client_check_lease_revoked(&rev, p, strlen(p)), BP_CLIENT_WRONG_TYPE);
	p = "{\"typ\":\"lease\",\"tenant_id\":\"acme\"}";
	CHECK_INT_EQ(bp_client_check_lease_revoked(&rev, p, strlen(p)), BP_CLIENT_MALFORMED);
	p = "{\"typ\":\"lease\",\"lease_id\":\"" LEASE_A "\"}";
	CHECK_INT_EQ(bp_client_check_lease_revoked(&rev, p, strlen(p)), BP_CLIENT_MALFORMED);
	p = "{\"typ\":\"lease\",\"tenant_id\":\"acme\",\"lease_id\":7}";
	CHECK_INT_EQ(bp_client_check_lease_revoked(&rev, p, strlen(p)), BP_CLIENT_MALFORMED);
	p = "[1]";
	CHECK_INT_EQ(bp_client_check_lease_revoked(&rev, p, strlen(p)), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(bp_client_check_lease_revoked(NULL, p, strlen(p)), BP_CLIENT_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_client_load_revocations(&rev, &ctx, NULL, 0, NOW, work, sizeof(work)), BP_CLIENT_BAD_ARGUMENT);

	/* Failures below leave the list as it was. */
	held = rev;
	/* Another tenant's list, while acme's is held (a tenant key signs its own tenant's only). */
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, revocations_payload("\"globex\"", "9", NOW - 5, NOW + 3600, "[]")), NOW),
				 BP_CLIENT_WRONG_TENANT);
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&tenant_lease, revocations_payload("\"globex\"", "9", NOW - 5, NOW + 3600, "[]")), NOW),
				 BP_CLIENT_WRONG_TENANT);
	/* Rollback: a lower version; the same version issued earlier. */
	CHECK_INT_EQ(load_list(&rev, &ctx, acme_list("4", NOW - 5, "[]"), NOW), BP_CLIENT_ROLLBACK);
	CHECK_INT_EQ(load_list(&rev, &ctx, acme_list("5", NOW - 61, "[]"), NOW), BP_CLIENT_ROLLBACK);
	/* A lease token is not a list; a decision key does not sign one. */
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, lease_payload(1, "", "alice")), NOW), BP_CLIENT_WRONG_TYPE);
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&dec, revocations_payload("\"acme\"", "9", NOW - 5, NOW + 3600, "[]")), NOW),
				 BP_CLIENT_WRONG_PURPOSE);
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&stranger, revocations_payload("\"acme\"", "9", NOW - 5, NOW + 3600, "[]")), NOW),
				 BP_CLIENT_UNKNOWN_KEY);
	/* Time: expired, exactly at exp, no exp, longer-lived than a list is signed (31 days). */
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, revocations_payload("\"acme\"", "9", NOW - 3600, NOW - 1, "[]")), NOW),
				 BP_CLIENT_EXPIRED);
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, revocations_payload("\"acme\"", "9", NOW - 3600, NOW, "[]")), NOW),
				 BP_CLIENT_EXPIRED);
	snprintf(big, sizeof(big), "{\"typ\":\"lease_revocations\",\"iat\":\"%s\",\"tenant_id\":\"acme\",\"version\":9,\"leases\":[]}",
			 rfc(NOW - 5));
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, big), NOW), BP_CLIENT_MALFORMED);
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, revocations_payload("\"acme\"", "9", NOW - 5, NOW + 32 * 86400, "[]")), NOW),
				 BP_CLIENT_MALFORMED);
	/* Members. */
	{
		static const char *const bad[][3] = {
			/* tenant_id, version, leases */
			{"\"acme\"", "-1", "[]"},
			{"\"acme\"", "\"9\"", "[]"},
			{"\"acme\"", "9.5", "[]"},
			{"\"acme\"", "1e3", "[]"},
			{"\"acme\"", "null", "[]"},
			{"\"acme\"", "9", "{}"},
			{"\"acme\"", "9", "\"" LEASE_A "\""},
			{"\"acme\"", "9", "null"},
			{"\"acme\"", "9", "[7]"},
			{"\"acme\"", "9", "[[\"" LEASE_A "\"]]"},
			{"\"acme\"", "9", "[\"\"]"},
			{"\"acme\"", "9", "[\"" LEASE_A "\",\"" LEASE_B "\",\"" LEASE_A "\"]"},
			{"\"acme\"", "9", "[\"" LEASE_A "\",\"\\u006cease_0123456789abcdef0123456789abcdef\"]"},
			{"\"\"", "9", "[]"},
			{"7", "9", "[]"},
			{"null", "9", "[]"},
		};
		size_t		k;

		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		{
			bp_client_status st = load_list(&rev, &ctx, sign(&lease, revocations_payload(bad[k][0], bad[k][1], NOW - 5,
																						 NOW + 3600, bad[k][2])), NOW);

			CHECK_MSG(st == BP_CLIENT_MALFORMED, "tenant_id %s, version %s, leases %s: %s",
					  bad[k][0], bad[k][1], bad[k][2], bp_client_status_name(st));
		}
	}
	/* An id of 129 bytes is too long; 128 is fine (below). */
	memset(id, 'x', sizeof(id));
	snprintf(big, sizeof(big), "[\"%.*s\"]", BP_REVOCATIONS_MAX_ID_LEN + 1, id);
	CHECK_INT_EQ(load_list(&rev, &ctx, acme_list("9", NOW - 5, big), NOW), BP_CLIENT_MALFORMED);
	/* Members missing or twice. */
	snprintf(big, sizeof(big), "{\"typ\":\"lease_revocations\",\"iat\":\"%s\",\"exp\":\"%s\",\"version\":9,\"leases\":[]}",
			 rfc(NOW - 5), rfc(NOW + 3600));
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, big), NOW), BP_CLIENT_MALFORMED);
	snprintf(big, sizeof(big), "{\"typ\":\"lease_revocations\",\"iat\":\"%s\",\"exp\":\"%s\",\"tenant_id\":\"acme\",\"leases\":[]}",
			 rfc(NOW - 5), rfc(NOW + 3600));
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, big), NOW), BP_CLIENT_MALFORMED);
	snprintf(big, sizeof(big), "{\"typ\":\"lease_revocations\",\"iat\":\"%s\",\"exp\":\"%s\",\"tenant_id\":\"acme\",\"version\":9}",
			 rfc(NOW - 5), rfc(NOW + 3600));
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, big), NOW), BP_CLIENT_MALFORMED);
	snprintf(big, sizeof(big), "{\"typ\":\"lease_revocations\",\"exp\":\"%s\",\"tenant_id\":\"acme\",\"version\":9,\"leases\":[]}",
			 rfc(NOW + 3600));
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, big), NOW), BP_CLIENT_MALFORMED);	/* no iat */
	snprintf(big, sizeof(big), "{\"typ\":\"lease_revocations\",\"iat\":\"%s\",\"exp\":\"%s\",\"tenant_id\":\"acme\",\"version\":9,"
			 "\"leases\":[],\"leases\":[\"" LEASE_A "\"]}", rfc(NOW - 5), rfc(NOW + 3600));
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&lease, big), NOW), BP_CLIENT_MALFORMED);
	/* A work buffer too small. */
	p = acme_list("9", NOW - 5, "[]");
	CHECK_INT_EQ(bp_client_load_revocations(&rev, &ctx, p, strlen(p), NOW, work, 100), BP_CLIENT_BUFFER_TOO_SMALL);
	/* Capacity: one id more than the list holds (written backwards, so the sort has work). */
	strcpy(big, "[");
	for (i = BP_CLIENT_MAX_REVOCATIONS; i >= 0; i--)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "%s\"l%d\"", i < BP_CLIENT_MAX_REVOCATIONS ? "," : "", i);
	strcat(big, "]");
	CHECK_INT_EQ(load_list(&rev, &ctx, acme_list("9", NOW - 5, big), NOW), BP_CLIENT_CAPACITY);
	CHECK(same_list(&rev, &held));

	/* The same version and iat again, a later iat, a higher version: all replace it. */
	CHECK_INT_EQ(load_list(&rev, &ctx, acme_list("5", NOW - 60, "[\"" LEASE_A "\",\"" LEASE_B "\"]"), NOW), BP_CLIENT_OK);
	CHECK(same_list(&rev, &held));
	CHECK_INT_EQ(load_list(&rev, &ctx, acme_list("5", NOW - 30, "[\"" LEASE_A "\"]"), NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(rev.iat, NOW - 30);
	CHECK_INT_EQ(rev.n_ids, 1);
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "acme", "\"" LEASE_B "\""), BP_CLIENT_OK);
	/* The lists' own signer may be the tenant's lease key; a 128-byte id fits. */
	snprintf(big, sizeof(big), "[\"%.*s\",\"" LEASE_C "\"]", BP_REVOCATIONS_MAX_ID_LEN, id);
	CHECK_INT_EQ(load_list(&rev, &ctx, sign(&tenant_lease, revocations_payload("\"acme\"", "6", NOW - 90, NOW + 3600, big)), NOW),
				 BP_CLIENT_OK);
	CHECK_INT_EQ(rev.version, 6);
	CHECK(bp_client_revocations_contains(&rev, id, BP_REVOCATIONS_MAX_ID_LEN));
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "acme", "\"" LEASE_C "\""), BP_CLIENT_LEASE_REVOKED);
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "acme", "\"" LEASE_A "\""), BP_CLIENT_OK);

	/* A list keeps applying after its exp; loading it then is refused, and changes nothing. */
	held = rev;
	p = sign(&tenant_lease, revocations_payload("\"acme\"", "6", NOW - 90, NOW + 3600, big));
	CHECK_INT_EQ(load_list(&rev, &ctx, p, NOW + 7200), BP_CLIENT_EXPIRED);
	CHECK(same_list(&rev, &held));
	CHECK_INT_EQ(bp_client_check_lease_revoked(&rev, "{\"typ\":\"lease\",\"tenant_id\":\"acme\",\"lease_id\":\"" LEASE_C "\"}",
											   strlen("{\"typ\":\"lease\",\"tenant_id\":\"acme\",\"lease_id\":\"" LEASE_C "\"}")),
				 BP_CLIENT_LEASE_REVOKED);

	/* Version 0 (no revocations yet) with an empty list. */
	bp_client_revocations_init(&rev);
	CHECK_INT_EQ(load_list(&rev, &ctx, acme_list("0", NOW - 5, "[]"), NOW), BP_CLIENT_OK);
	CHECK(rev.loaded && rev.n_ids == 0 && rev.version == 0);
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "acme", "\"" LEASE_A "\""), BP_CLIENT_OK);

	/* The full list: BP_CLIENT_MAX_REVOCATIONS ids, backwards, found and sorted. */
	strcpy(big, "[");
	for (i = BP_CLIENT_MAX_REVOCATIONS - 1; i >= 0; i--)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "%s\"l%d\"", i < BP_CLIENT_MAX_REVOCATIONS - 1 ? "," : "", i);
	strcat(big, "]");
	CHECK_INT_EQ(load_list(&rev, &ctx, acme_list("1", NOW - 5, big), NOW), BP_CLIENT_OK);
	CHECK_INT_EQ(rev.n_ids, BP_CLIENT_MAX_REVOCATIONS);
	{
		bool		sorted = true;
		bool		found = true;
		size_t		k;

		/* Bytewise, a prefix first: "l1" < "l10" < "l2". */
		for (k = 1; k < rev.n_ids; k++)
		{
			size_t		a = rev.id_len[k - 1];
			size_t		b = rev.id_len[k];
			int			c = memcmp(rev.ids[k - 1], rev.ids[k], a < b ? a : b);

			if (c > 0 || (c == 0 && a >= b))
				sorted = false;
		}
		for (i = 0; i < BP_CLIENT_MAX_REVOCATIONS; i++)
		{
			snprintf(id, sizeof(id), "l%d", i);
			if (!bp_client_revocations_contains(&rev, id, strlen(id)))
				found = false;
		}
		CHECK(sorted);
		CHECK(found);
		CHECK(!bp_client_revocations_contains(&rev, "l4096", 5));
		CHECK(!bp_client_revocations_contains(&rev, "l", 1));
	}

	/* A mirror's list: signed by a key certified for acme's leases. */
	make_key(&mirror, 43);
	snprintf(cert, sizeof(cert), "%s", certificate(&root, &mirror, "acme", "[\"lease\"]", NOW + 86400, NULL));
	snprintf(footer, sizeof(footer), "{\"kid\":\"%s\",\"cert\":\"%s\"}", mirror.kid, cert);
	bp_client_revocations_init(&rev);
	CHECK_INT_EQ(load_list(&rev, &ctx, sign_footer(&mirror, revocations_payload("\"acme\"", "3", NOW - 5, NOW + 3600,
																			   "[\"" LEASE_A "\"]"), footer), NOW),
				 BP_CLIENT_OK);
	CHECK_INT_EQ(lease_revoked(&rev, &ctx, &lease, "acme", "\"" LEASE_A "\""), BP_CLIENT_LEASE_REVOKED);
	/* ... but not another tenant's, nor for a certificate without the lease purpose. */
	bp_client_revocations_init(&rev);
	CHECK_INT_EQ(load_list(&rev, &ctx, sign_footer(&mirror, revocations_payload("\"globex\"", "3", NOW - 5, NOW + 3600, "[]"),
												  footer), NOW), BP_CLIENT_WRONG_TENANT);
	snprintf(cert, sizeof(cert), "%s", certificate(&root, &mirror, "acme", "[\"decision\"]", NOW + 86400, NULL));
	snprintf(footer, sizeof(footer), "{\"kid\":\"%s\",\"cert\":\"%s\"}", mirror.kid, cert);
	CHECK_INT_EQ(load_list(&rev, &ctx, sign_footer(&mirror, revocations_payload("\"acme\"", "3", NOW - 5, NOW + 3600, "[]"),
												  footer), NOW), BP_CLIENT_WRONG_PURPOSE);
	CHECK(!rev.loaded);
}

static void
check_time(const char *s, int64_t want)
{
	int64_t		got = 0;
	bool		ok = bp_client_parse_rfc3339(s, strlen(s), &got);

	CHECK_MSG(ok && got == want, "parse \"%s\": ok %d, got %lld, want %lld", s, ok, (long long) got, (long long) want);
}

static void
check_bad_time(const char *s)
{
	int64_t		got;

	CHECK_MSG(!bp_client_parse_rfc3339(s, strlen(s), &got), "\"%s\" should not parse", s);
}

static void
test_rfc3339(void)
{
	int64_t		t;
	int			i;
	bool		all = true;

	check_time("1970-01-01T00:00:00Z", 0);
	check_time("2026-11-26T17:00:00Z", INT64_C(1795712400));
	check_time("2024-02-29T12:34:56Z", INT64_C(1709210096));
	check_time("2000-02-29T00:00:00Z", INT64_C(951782400));
	check_time("1999-12-31T23:59:59Z", INT64_C(946684799));
	check_time("2038-01-19T03:14:08Z", INT64_C(2147483648));
	check_time("9999-12-31T23:59:59Z", INT64_C(253402300799));
	check_time("0001-01-01T00:00:00Z", INT64_C(-62135596800));
	check_time("1969-12-31T23:59:59Z", -1);
	/* Fractions truncate; lower case t and z. */
	check_time("2026-11-26T17:00:00.999999Z", INT64_C(1795712400));
	check_time("2026-11-26T17:00:00.5Z", INT64_C(1795712400));
	check_time("2026-11-26t17:00:00z", INT64_C(1795712400));
	/* Offsets. */
	check_time("2026-11-26T18:00:00+01:00", INT64_C(1795712400));
	check_time("2026-11-26T11:30:00-05:30", INT64_C(1795712400));
	check_time("2026-11-27T02:45:00.25+09:45", INT64_C(1795712400));
	check_time("2026-11-26T17:00:00-00:00", INT64_C(1795712400));
	check_time("2026-11-26T17:00:00+00:00", INT64_C(1795712400));
	check_time("1970-01-01T00:00:00+01:00", -3600);
	/* A leap second counts as the next minute's :00. */
	check_time("2016-12-31T23:59:60Z", INT64_C(1483228800));
	/* Leap years. */
	check_time("1600-02-29T00:00:00Z", INT64_C(-11670998400));
	check_bad_time("2023-02-29T00:00:00Z");
	check_bad_time("1900-02-29T00:00:00Z");
	check_bad_time("2100-02-29T00:00:00Z");
	check_time("2023-02-28T00:00:00Z", INT64_C(1677542400));
	/* Bad input. */
	check_bad_time("");
	check_bad_time("2026-11-26");
	check_bad_time("2026-11-26T17:00:00");
	check_bad_time("2026-11-26 17:00:00Z");
	check_bad_time("2026-13-01T00:00:00Z");
	check_bad_time("2026-00-01T00:00:00Z");
	check_bad_time("2026-04-31T00:00:00Z");
	check_bad_time("2026-11-00T00:00:00Z");
	check_bad_time("2026-11-26T24:00:00Z");
	check_bad_time("2026-11-26T17:60:00Z");
	check_bad_time("2026-11-26T17:00:61Z");
	check_bad_time("2026-11-26T17:00:00.Z");
	check_bad_time("2026-11-26T17:00:00ZZ");
	check_bad_time("2026-11-26T17:00:00+0100");
	check_bad_time("2026-11-26T17:00:00+24:00");
	check_bad_time("2026-11-26T17:00:00+01:60");
	check_bad_time("2026-11-26T17:00:00+01");
	check_bad_time("26-11-26T17:00:00Z");
	check_bad_time("2026-1-26T17:00:00Z");
	check_bad_time("+2026-11-26T17:00:00Z");
	check_bad_time(" 2026-11-26T17:00:00Z");
	check_bad_time("2026-11-26T17:00:00 Z");
	check_bad_time("2026/11/26T17:00:00Z");
	check_bad_time("2026-11-26T1a:00:00Z");
	CHECK(!bp_client_parse_rfc3339("2026-11-26T17:00:00Z", 19, &t));	/* cut short */
	CHECK(!bp_client_parse_rfc3339(NULL, 0, &t));
	CHECK_INT_EQ(bp_client_days_from_civil(2000, 3, 1), 11017);
	CHECK_INT_EQ(bp_client_days_from_civil(1970, 1, 1), 0);

	/* Round trips against gmtime over a wide range. */
	for (i = 0; i < 2000; i++)
	{
		int64_t		want = (int64_t) i * INT64_C(2147483) - INT64_C(1000000000);
		const char *s = rfc(want);

		if (!bp_client_parse_rfc3339(s, strlen(s), &t) || t != want)
		{
			all = false;
			fprintf(stderr, "round trip %s: %lld\n", s, (long long) want);
			break;
		}
	}
	CHECK(all);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 2;
	make_key(&root, 1);
	make_key(&root2, 2);
	make_key(&dec, 3);
	make_key(&lease, 4);
	make_key(&audit, 5);
	make_key(&revoked, 6);
	make_key(&pending, 7);
	make_key(&retiring, 8);
	make_key(&tenant_lease, 9);
	make_key(&future, 10);
	make_key(&stranger, 11);
	build_keys_json();

	test_keyset();
	test_verify();
	test_pinned();
	test_rules();
	test_certificates();
	test_iat();
	test_binding();
	test_status_names();
	test_lease_chain();
	test_revocations();
	test_rfc3339();
	/* The official PASETO v4.public vectors, through the library's API. */
	{
		jm_value	root;
		static char work_v[1 << 16];
		int			ran = 0;

		if (!jm_parse_file("test/unit/vectors/paseto/v4.json", &root))
			CHECK_MSG(false, "cannot load test/unit/vectors/paseto/v4.json (run from the repository root)");
		else
		{
			const jm_value *tests = jm_get(&root, "tests");
			char		good_key[BP_PASERK_K4_PUBLIC_LEN + 1] = "";

			for (size_t k = 0; tests && k < tests->count; k++)
			{
				const jm_value *t = &tests->items[k];
				const char *name = jm_str(t, "name");
				const char *token = jm_str(t, "token");
				const char *pkhex = jm_str(t, "public-key");
				const char *ia = jm_str(t, "implicit-assertion");
				char		key[BP_PASERK_K4_PUBLIC_LEN + 1];
				uint8_t		pk[32];
				size_t		n = 0;
				size_t		plen = 0;
				bp_client_status st;

				if (name == NULL || token == NULL || strncmp(name, "4-", 2) != 0 ||
					!(name[2] == 'S' || name[2] == 'F'))
					continue;
				if (pkhex != NULL && jm_hex_decode(pkhex, pk, sizeof(pk)) == 32 &&
					bp_paserk_k4_public_encode(pk, 32, key, sizeof(key) - 1, &n) == BP_PASERK_OK)
					key[n] = '\0';
				else
					strcpy(key, good_key);
				if (key[0] == '\0')
					continue;
				st = bp_client_verify_paseto(key, token, strlen(token), ia, ia ? strlen(ia) : 0,
											 work_v, sizeof(work_v), &plen);
				if (jm_bool(t, "expect-fail") == 1)
					CHECK_MSG(st != BP_CLIENT_OK, "vector %s must not verify", name);
				else
				{
					const char *want = jm_str(t, "payload");

					strcpy(good_key, key);
					CHECK_MSG(st == BP_CLIENT_OK && want && plen == strlen(want) &&
							  memcmp(work_v, want, plen) == 0, "vector %s: %s", name, bp_client_status_name(st));
				}
				ran++;
			}
			jm_free(&root);
			CHECK_MSG(ran >= 3, "only %d v4.public vectors ran", ran);
		}
		CHECK_INT_EQ(bp_client_verify_paseto("k4.public.short", "v4.public.x", 11, NULL, 0, work_v,
											 sizeof(work_v), &(size_t){0}), BP_CLIENT_BAD_KEY);
	}

	return unit_summary("client");
}
