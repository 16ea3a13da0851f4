/*
 * make_cases.c — write the shared client case file (test/client/cases.json)
 * on stdout: tokens signed with fixed keys (Ed25519 seeds 1, 2, 3, …, so the
 * output is the same every run), each with the status every client of Big
 * Picture must give it.  The C library (run_cases.c, also built as C++) and
 * the JavaScript package (clients/js/test/cases.mjs) run the same file.
 *
 * A case is run in this order, and the first step that fails is its result:
 * pin "pins"; load "keysets" in order at "now"; load "revocations"; verify
 * "token" as "typ" at "now" ("skip_time": without exp, nbf and iat); the
 * binding to "install_id" / "nonce"; the lease chain from "prev_lease"
 * (itself verified without its times); a lease against the revocation list.
 * "expect" is the status name; an OK case carries the verified "payload".
 *
 * Only src/core (the signer the server uses) and libsodium.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "paserk.h"
#include "paseto.h"
#include "rfc3339.h"

#define NOW INT64_C(1800000000)	/* 2027-01-15T08:00:00Z */
#define HOUR 3600
#define DAY 86400

typedef struct key
{
	uint8_t		pk[32];
	uint8_t		sk[64];
	char		pub[BP_PASERK_K4_PUBLIC_LEN + 1];
	char		kid[BP_PASERK_K4_PID_LEN + 1];
} key;

static key
make_key(unsigned char seed_byte)
{
	key			k;
	unsigned char seed[32];
	size_t		n;

	memset(seed, 0, sizeof(seed));
	seed[0] = seed_byte;
	crypto_sign_seed_keypair(k.pk, k.sk, seed);
	bp_paserk_k4_public_encode(k.pk, 32, k.pub, sizeof(k.pub) - 1, &n);
	k.pub[n] = '\0';
	bp_paserk_k4_pid(k.pk, 32, k.kid, sizeof(k.kid) - 1, &n);
	k.kid[n] = '\0';
	return k;
}

static const char *
t3339(int64_t t)
{
	static char buf[8][BP_RFC3339_LEN + 1];
	static int	i;

	i = (i + 1) % 8;
	bp_rfc3339_format(t, buf[i]);
	return buf[i];
}

/* printf into a fresh string */
static char *
fmt(const char *f,...)
{
	va_list		ap;
	char	   *s;
	int			n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	s = malloc((size_t) n + 1);
	va_start(ap, f);
	vsnprintf(s, (size_t) n + 1, f, ap);
	va_end(ap);
	return s;
}

/* A token: payload signed by k, footer {"kid": kid} (kid_override: another kid in the footer). */
static char *
sign_as(const key *k, const char *kid_in_footer, const char *payload)
{
	char	   *footer = fmt("{\"kid\":\"%s\"}", kid_in_footer);
	size_t		m = strlen(payload);
	size_t		f = strlen(footer);
	size_t		scratch_len = bp_paseto_v4_pae_len(m, f, 0);
	size_t		out_len = bp_paseto_v4_token_len(m, f);
	uint8_t    *scratch = malloc(scratch_len);
	char	   *out = malloc(out_len + 1);
	size_t		n;

	if (bp_paseto_v4_sign(k->sk, 64, (const uint8_t *) payload, m, (const uint8_t *) footer, f, NULL, 0,
						  scratch, scratch_len, out, out_len + 1, &n) != BP_PASETO_OK)
	{
		fprintf(stderr, "make_cases: signing failed\n");
		exit(1);
	}
	out[n] = '\0';
	free(scratch);
	free(footer);
	return out;
}

static char *
sign(const key *k, const char *payload)
{
	return sign_as(k, k->kid, payload);
}

/* One key set entry. */
static char *
entry(const key *k, const char *purpose, const char *tenant, const char *state, const char *from,
	  const char *until)
{
	return fmt("{\"kid\":\"%s\",\"purpose\":\"%s\",\"tenant_id\":%s%s%s,\"public_key\":\"%s\",\"state\":\"%s\","
			   "\"valid_from\":%s%s%s,\"valid_until\":%s%s%s}",
			   k->kid, purpose, tenant ? "\"" : "", tenant ? tenant : "null", tenant ? "\"" : "", k->pub, state,
			   from ? "\"" : "", from ? from : "null", from ? "\"" : "",
			   until ? "\"" : "", until ? until : "null", until ? "\"" : "");
}

static char *
keyset_payload(int64_t version, int64_t iat, int64_t exp, const char *entries)
{
	return fmt("{\"typ\":\"keyset\",\"iss\":\"bigpicture\",\"iat\":\"%s\",\"exp\":\"%s\",\"version\":%lld,\"keys\":[%s]}",
			   t3339(iat), t3339(exp), (long long) version, entries);
}

static char *
decision_payload(const char *tenant, const char *install, const char *nonce, int64_t iat, int64_t exp)
{
	return fmt("{\"typ\":\"decision\",\"iss\":\"bigpicture\",\"iat\":\"%s\",\"exp\":\"%s\",\"nonce\":\"%s\","
			   "\"tenant_id\":\"%s\",\"install_id\":\"%s\",\"product_id\":\"prod_editor\",\"action\":\"INSTALL\","
			   "\"version\":\"1.2.0\",\"artifact\":{\"url\":\"https://dl.example.com/e.msi\",\"sha256\":\"%s\",\"size\":1024}}",
			   t3339(iat), t3339(exp), nonce, tenant, install,
			   "0000000000000000000000000000000000000000000000000000000000000000");
}

static char *
lease_payload(const char *lease_id, int64_t seq, const char *prev_hash, int64_t iat, int64_t exp)
{
	return fmt("{\"typ\":\"lease\",\"iss\":\"bigpicture\",\"iat\":\"%s\",\"nbf\":\"%s\",\"exp\":\"%s\","
			   "\"lease_id\":\"%s\",\"tenant_id\":\"tenant_acme\",\"product_id\":\"prod_editor\",\"sub\":\"user:alice\","
			   "\"install_id\":\"pc-1\",\"seq\":%lld,\"prev_hash\":\"%s\"}",
			   t3339(iat), t3339(iat), t3339(exp), lease_id, (long long) seq, prev_hash);
}

static char *
revocations_payload(const char *tenant, int64_t version, const char *ids, int64_t iat, int64_t exp)
{
	return fmt("{\"typ\":\"lease_revocations\",\"iss\":\"bigpicture\",\"iat\":\"%s\",\"exp\":\"%s\","
			   "\"tenant_id\":\"%s\",\"version\":%lld,\"leases\":[%s]}",
			   t3339(iat), t3339(exp), tenant, (long long) version, ids);
}

static char *
token_hash(const char *token)
{
	unsigned char h[32];
	char	   *hex = malloc(65);

	crypto_hash_sha256(h, (const unsigned char *) token, strlen(token));
	sodium_bin2hex(hex, 65, h, 32);
	return hex;
}

/* Flip one character in the token's signed part. */
static char *
tamper(const char *token)
{
	char	   *t = strdup(token);
	size_t		i = strlen("v4.public.") + 5;

	t[i] = t[i] == 'A' ? 'B' : 'A';
	return t;
}

/* ---- output ------------------------------------------------------------------------------------ */

static bool first_case = true;

typedef struct c
{
	const char *name;
	int64_t		now;
	const char *pins[4];		/* "purpose=k4.public…" */
	const char *keysets[4];
	const char *revocations;
	const char *token;
	const char *typ;
	bool		skip_time;
	const char *install_id;
	const char *nonce;
	const char *prev_lease;
	const char *expect;
	const char *payload;		/* raw JSON, for OK */
} c;

static void
str_or_null(const char *s)
{
	if (s == NULL)
		fputs("null", stdout);
	else
		printf("\"%s\"", s);	/* the generator's strings need no escaping */
}

static void
emit(const c *x)
{
	printf("%s\n {\"name\": \"%s\", \"now\": %lld,\n  \"pins\": [", first_case ? "" : ",", x->name,
		   (long long) (x->now ? x->now : NOW));
	for (int i = 0; i < 4 && x->pins[i]; i++)
	{
		const char *eq = strchr(x->pins[i], '=');

		printf("%s{\"purpose\": \"%.*s\", \"key\": \"%s\"}", i ? ", " : "", (int) (eq - x->pins[i]), x->pins[i], eq + 1);
	}
	printf("],\n  \"keysets\": [");
	for (int i = 0; i < 4 && x->keysets[i]; i++)
		printf("%s\"%s\"", i ? ", " : "", x->keysets[i]);
	printf("],\n  \"revocations\": ");
	str_or_null(x->revocations);
	printf(",\n  \"token\": ");
	str_or_null(x->token);
	printf(",\n  \"typ\": ");
	str_or_null(x->typ);
	printf(", \"skip_time\": %s, \"install_id\": ", x->skip_time ? "true" : "false");
	str_or_null(x->install_id);
	printf(", \"nonce\": ");
	str_or_null(x->nonce);
	printf(",\n  \"prev_lease\": ");
	str_or_null(x->prev_lease);
	printf(",\n  \"expect\": \"%s\"", x->expect);
	if (x->payload)
		printf(",\n  \"payload\": %s", x->payload);
	printf("}");
	first_case = false;
}

int
main(void)
{
	key			root,
				root_other,
				dec,
				lea,
				tdec,
				dec_revoked,
				dec_pending,
				dec_window,
				root_next;
	char	   *pin_root;
	char	   *ks,
			   *ks_v2,
			   *ks_v1_again,
			   *ks_by_dec,
			   *ks_by_other,
			   *ks_expired,
			   *ks_bad_kid,
			   *ks_revokes_root,
			   *ks_next;
	char	   *entries;
	char	   *d_ok,
			   *d_ok_payload;
	char	   *l1,
			   *l1_payload,
			   *l2,
			   *l2_payload,
			   *l2_broken,
			   *l3;
	char	   *h1;

	if (sodium_init() < 0)
		return 1;
	root = make_key(1);
	root_other = make_key(2);
	dec = make_key(3);
	lea = make_key(4);
	tdec = make_key(5);
	dec_revoked = make_key(6);
	dec_pending = make_key(7);
	dec_window = make_key(8);
	root_next = make_key(9);
	pin_root = fmt("root=%s", root.pub);

	entries = fmt("%s,%s,%s,%s,%s,%s,%s",
				  entry(&root, "root", NULL, "active", NULL, NULL),
				  entry(&dec, "decision", NULL, "active", t3339(NOW - 30 * DAY), NULL),
				  entry(&lea, "lease", NULL, "active", NULL, NULL),
				  entry(&tdec, "decision", "tenant_acme", "active", NULL, NULL),
				  entry(&dec_revoked, "decision", NULL, "revoked", NULL, NULL),
				  entry(&dec_pending, "decision", NULL, "pending", NULL, NULL),
				  entry(&dec_window, "decision", NULL, "retiring", NULL, t3339(NOW - HOUR)));
	ks = sign(&root, keyset_payload(7, NOW - HOUR, NOW + DAY, entries));
	ks_v2 = sign(&root, keyset_payload(8, NOW - 60, NOW + DAY, entries));
	ks_v1_again = sign(&root, keyset_payload(6, NOW - 30, NOW + DAY, entries));
	ks_by_dec = sign(&dec, keyset_payload(9, NOW - HOUR, NOW + DAY, entries));
	ks_by_other = sign(&root_other, keyset_payload(9, NOW - HOUR, NOW + DAY, entries));
	ks_expired = sign(&root, keyset_payload(7, NOW - 2 * DAY, NOW - DAY, entries));
	ks_bad_kid = sign(&root, keyset_payload(7, NOW - HOUR, NOW + DAY,
											fmt("{\"kid\":\"%s\",\"purpose\":\"decision\",\"tenant_id\":null,\"public_key\":\"%s\","
												"\"state\":\"active\",\"valid_from\":null,\"valid_until\":null}", lea.kid, dec.pub)));
	ks_revokes_root = sign(&root, keyset_payload(8, NOW - 60, NOW + DAY,
												 fmt("%s,%s", entry(&root, "root", NULL, "revoked", NULL, NULL),
													 entry(&dec, "decision", NULL, "active", NULL, NULL))));
	ks_next = sign(&root_next, keyset_payload(9, NOW - 60, NOW + DAY, entries));

	d_ok_payload = decision_payload("tenant_acme", "pc-1", "n-1", NOW - 60, NOW + HOUR);
	d_ok = sign(&dec, d_ok_payload);

	h1 = NULL;
	l1_payload = lease_payload("lease_1", 1, "", NOW - 120, NOW + DAY);
	l1 = sign(&lea, l1_payload);
	h1 = token_hash(l1);
	l2_payload = lease_payload("lease_1", 2, h1, NOW - 60, NOW + DAY);
	l2 = sign(&lea, l2_payload);
	l2_broken = sign(&lea, lease_payload("lease_1", 2, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NOW - 60, NOW + DAY));
	l3 = sign(&lea, lease_payload("lease_1", 3, token_hash(l2), NOW - 30, NOW + DAY));

	printf("{\"comment\": \"written by test/client/cases/make_cases.c; run by test/client/cases/run_cases.c (C and C++) and clients/js/test/cases.mjs\",\n\"cases\": [");

	/* key sets */
	emit(&(c) {.name = "a key set signed by the pinned root loads", .pins = {pin_root}, .keysets = {ks}, .expect = "OK"});
	emit(&(c) {.name = "a newer key set after it loads", .pins = {pin_root}, .keysets = {ks, ks_v2}, .expect = "OK"});
	emit(&(c) {.name = "an older key set after a newer one is ROLLBACK", .pins = {pin_root}, .keysets = {ks, ks_v1_again}, .expect = "ROLLBACK"});
	emit(&(c) {.name = "a key set signed by a decision key is refused", .pins = {pin_root}, .keysets = {ks_by_dec}, .expect = "UNKNOWN_KEY"});
	emit(&(c) {.name = "a key set signed by a root not pinned is refused", .pins = {pin_root}, .keysets = {ks_by_other}, .expect = "UNKNOWN_KEY"});
	emit(&(c) {.name = "an expired key set is refused", .pins = {pin_root}, .keysets = {ks_expired}, .expect = "EXPIRED"});
	emit(&(c) {.name = "a key set entry whose kid is not its key's is MALFORMED", .pins = {pin_root}, .keysets = {ks_bad_kid}, .expect = "MALFORMED"});
	emit(&(c) {.name = "a tampered key set is BAD_SIGNATURE", .pins = {pin_root}, .keysets = {tamper(ks)}, .expect = "BAD_SIGNATURE"});
	emit(&(c) {.name = "a key set signed by the next root, pinned too, loads", .pins = {pin_root, fmt("root=%s", root_next.pub)}, .keysets = {ks_next}, .expect = "OK"});
	emit(&(c) {.name = "a key set that revokes the pinned root: the next key set it signed is refused", .pins = {pin_root}, .keysets = {ks_revokes_root, sign(&root, keyset_payload(9, NOW - 30, NOW + DAY, entries))}, .expect = "KEY_REVOKED"});

	/* decisions */
	emit(&(c) {.name = "a decision verifies", .pins = {pin_root}, .keysets = {ks}, .token = d_ok, .typ = "decision", .expect = "OK", .payload = d_ok_payload});
	emit(&(c) {.name = "a decision with a pinned decision key and no key set verifies", .pins = {fmt("decision=%s", dec.pub)}, .token = d_ok, .typ = "decision", .expect = "OK", .payload = d_ok_payload});
	emit(&(c) {.name = "a decision bound to its install and nonce", .pins = {pin_root}, .keysets = {ks}, .token = d_ok, .typ = "decision", .install_id = "pc-1", .nonce = "n-1", .expect = "OK", .payload = d_ok_payload});
	emit(&(c) {.name = "a decision of another install is NOT_FOR_US", .pins = {pin_root}, .keysets = {ks}, .token = d_ok, .typ = "decision", .install_id = "pc-2", .expect = "NOT_FOR_US"});
	emit(&(c) {.name = "a decision replayed to another request is NOT_FOR_US", .pins = {pin_root}, .keysets = {ks}, .token = d_ok, .typ = "decision", .install_id = "pc-1", .nonce = "n-2", .expect = "NOT_FOR_US"});
	emit(&(c) {.name = "a tampered decision is BAD_SIGNATURE", .pins = {pin_root}, .keysets = {ks}, .token = tamper(d_ok), .typ = "decision", .expect = "BAD_SIGNATURE"});
	emit(&(c) {.name = "a decision signed by one key with another key's kid is BAD_SIGNATURE", .pins = {pin_root}, .keysets = {ks}, .token = sign_as(&lea, dec.kid, d_ok_payload), .typ = "decision", .expect = "BAD_SIGNATURE"});
	emit(&(c) {.name = "a decision asked for as a lease is WRONG_TYPE", .pins = {pin_root}, .keysets = {ks}, .token = d_ok, .typ = "lease", .expect = "WRONG_TYPE"});
	emit(&(c) {.name = "a decision signed by the lease key is WRONG_PURPOSE", .pins = {pin_root}, .keysets = {ks}, .token = sign(&lea, d_ok_payload), .typ = "decision", .expect = "WRONG_PURPOSE"});
	emit(&(c) {.name = "a decision signed by a key nobody knows is UNKNOWN_KEY", .pins = {pin_root}, .keysets = {ks}, .token = sign(&root_other, d_ok_payload), .typ = "decision", .expect = "UNKNOWN_KEY"});
	emit(&(c) {.name = "a decision signed by a revoked key is KEY_REVOKED", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec_revoked, d_ok_payload), .typ = "decision", .expect = "KEY_REVOKED"});
	emit(&(c) {.name = "a decision signed by a pending key is KEY_NOT_VALID", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec_pending, d_ok_payload), .typ = "decision", .expect = "KEY_NOT_VALID"});
	emit(&(c) {.name = "a decision signed by a retiring key past its valid_until is KEY_NOT_VALID", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec_window, d_ok_payload), .typ = "decision", .expect = "KEY_NOT_VALID"});
	emit(&(c) {.name = "… which verified before valid_until", .now = NOW - 2 * HOUR, .pins = {pin_root}, .keysets = {sign(&root, keyset_payload(7, NOW - 3 * HOUR, NOW + DAY, entries))}, .token = sign(&dec_window, decision_payload("tenant_acme", "pc-1", "n-1", NOW - 3 * HOUR, NOW + HOUR)), .typ = "decision", .expect = "OK", .payload = decision_payload("tenant_acme", "pc-1", "n-1", NOW - 3 * HOUR, NOW + HOUR)});
	emit(&(c) {.name = "a decision before its key's valid_from is KEY_NOT_VALID", .now = NOW - 31 * DAY, .pins = {fmt("root=%s", root.pub)}, .keysets = {sign(&root, keyset_payload(7, NOW - 32 * DAY, NOW + DAY, entries))}, .token = sign(&dec, decision_payload("tenant_acme", "pc-1", "n", NOW - 31 * DAY - 60, NOW - 31 * DAY + HOUR)), .typ = "decision", .expect = "KEY_NOT_VALID"});
	emit(&(c) {.name = "an expired decision is EXPIRED", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec, decision_payload("tenant_acme", "pc-1", "n", NOW - 2 * HOUR, NOW - HOUR)), .typ = "decision", .expect = "EXPIRED"});
	emit(&(c) {.name = "… unless the time is not checked", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec, decision_payload("tenant_acme", "pc-1", "n", NOW - 2 * HOUR, NOW - HOUR)), .typ = "decision", .skip_time = true, .expect = "OK", .payload = decision_payload("tenant_acme", "pc-1", "n", NOW - 2 * HOUR, NOW - HOUR)});
	emit(&(c) {.name = "a decision at its exp exactly is EXPIRED", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec, decision_payload("tenant_acme", "pc-1", "n", NOW - HOUR, NOW)), .typ = "decision", .expect = "EXPIRED"});
	emit(&(c) {.name = "a decision issued 301 s ahead of the clock is NOT_YET_VALID", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec, decision_payload("tenant_acme", "pc-1", "n", NOW + 301, NOW + HOUR)), .typ = "decision", .expect = "NOT_YET_VALID"});
	emit(&(c) {.name = "a decision issued 300 s ahead verifies (clock skew)", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec, decision_payload("tenant_acme", "pc-1", "n", NOW + 300, NOW + HOUR)), .typ = "decision", .expect = "OK", .payload = decision_payload("tenant_acme", "pc-1", "n", NOW + 300, NOW + HOUR)});
	emit(&(c) {.name = "a decision claiming eight days of life is MALFORMED (seven at most)", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec, decision_payload("tenant_acme", "pc-1", "n", NOW - 60, NOW + 8 * DAY)), .typ = "decision", .expect = "MALFORMED"});
	emit(&(c) {.name = "a decision without exp is MALFORMED", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec, "{\"typ\":\"decision\",\"iss\":\"bigpicture\",\"tenant_id\":\"tenant_acme\"}"), .typ = "decision", .expect = "MALFORMED"});
	emit(&(c) {.name = "a tenant's own decision key vouches for its tenant", .pins = {pin_root}, .keysets = {ks}, .token = sign(&tdec, d_ok_payload), .typ = "decision", .expect = "OK", .payload = d_ok_payload});
	emit(&(c) {.name = "… and not for another tenant: WRONG_TENANT", .pins = {pin_root}, .keysets = {ks}, .token = sign(&tdec, decision_payload("tenant_other", "pc-1", "n-1", NOW - 60, NOW + HOUR)), .typ = "decision", .expect = "WRONG_TENANT"});
	emit(&(c) {.name = "not a token at all is MALFORMED", .pins = {pin_root}, .keysets = {ks}, .token = "v4.public.notatoken", .typ = "decision", .expect = "MALFORMED"});
	emit(&(c) {.name = "a v4.local token is MALFORMED", .pins = {pin_root}, .keysets = {ks}, .token = "v4.local.AAAA", .typ = "decision", .expect = "MALFORMED"});
	emit(&(c) {.name = "a payload with a typ no key may sign is WRONG_PURPOSE", .pins = {pin_root}, .keysets = {ks}, .token = sign(&dec, fmt("{\"typ\":\"coupon\",\"iat\":\"%s\",\"exp\":\"%s\"}", t3339(NOW - 60), t3339(NOW + HOUR))), .typ = NULL, .expect = "WRONG_PURPOSE"});

	/* leases, their chain and revocations */
	emit(&(c) {.name = "a lease verifies", .pins = {pin_root}, .keysets = {ks}, .token = l1, .typ = "lease", .install_id = "pc-1", .expect = "OK", .payload = l1_payload});
	emit(&(c) {.name = "the next lease follows the first (seq 2, prev_hash)", .pins = {pin_root}, .keysets = {ks}, .token = l2, .typ = "lease", .prev_lease = l1, .expect = "OK", .payload = l2_payload});
	emit(&(c) {.name = "a lease that skips one is CHAIN_BROKEN", .pins = {pin_root}, .keysets = {ks}, .token = l3, .typ = "lease", .prev_lease = l1, .expect = "CHAIN_BROKEN"});
	emit(&(c) {.name = "a lease with another prev_hash is CHAIN_BROKEN", .pins = {pin_root}, .keysets = {ks}, .token = l2_broken, .typ = "lease", .prev_lease = l1, .expect = "CHAIN_BROKEN"});
	emit(&(c) {.name = "an earlier lease after a later one is ROLLBACK", .pins = {pin_root}, .keysets = {ks}, .token = l1, .typ = "lease", .prev_lease = l2, .expect = "ROLLBACK"});
	emit(&(c) {.name = "a lease more than the clock skew before its nbf is NOT_YET_VALID", .pins = {pin_root}, .keysets = {ks}, .token = sign(&lea, lease_payload("lease_2", 1, "", NOW + 301, NOW + DAY)), .typ = "lease", .expect = "NOT_YET_VALID"});
	emit(&(c) {.name = "a lease within the clock skew of its nbf verifies", .pins = {pin_root}, .keysets = {ks}, .token = sign(&lea, lease_payload("lease_2", 1, "", NOW + 300, NOW + DAY)), .typ = "lease", .expect = "OK"});
	emit(&(c) {.name = "a lease the revocation list names is LEASE_REVOKED", .pins = {pin_root}, .keysets = {ks}, .revocations = sign(&lea, revocations_payload("tenant_acme", 3, "\"lease_0\",\"lease_1\"", NOW - 60, NOW + HOUR)), .token = l1, .typ = "lease", .expect = "LEASE_REVOKED"});
	emit(&(c) {.name = "a lease the list does not name verifies", .pins = {pin_root}, .keysets = {ks}, .revocations = sign(&lea, revocations_payload("tenant_acme", 3, "\"lease_0\"", NOW - 60, NOW + HOUR)), .token = l1, .typ = "lease", .expect = "OK", .payload = l1_payload});
	emit(&(c) {.name = "an expired revocation list is refused when loaded", .pins = {pin_root}, .keysets = {ks}, .revocations = sign(&lea, revocations_payload("tenant_acme", 3, "", NOW - 2 * HOUR, NOW - HOUR)), .token = l1, .typ = "lease", .expect = "EXPIRED"});
	emit(&(c) {.name = "a revocation list signed by the decision key is WRONG_PURPOSE", .pins = {pin_root}, .keysets = {ks}, .revocations = sign(&dec, revocations_payload("tenant_acme", 3, "", NOW - 60, NOW + HOUR)), .token = l1, .typ = "lease", .expect = "WRONG_PURPOSE"});
	emit(&(c) {.name = "another tenant's revocation list says nothing about this lease: WRONG_TENANT", .pins = {pin_root}, .keysets = {ks}, .revocations = sign(&lea, revocations_payload("tenant_other", 3, "\"lease_1\"", NOW - 60, NOW + HOUR)), .token = l1, .typ = "lease", .expect = "WRONG_TENANT"});

	printf("\n]}\n");
	return 0;
}
