/*
 * fuzz_client.h — fixed test keys and the key set the client harnesses
 * (fuzz_client_verify.c, fuzz_client_keyset.c, fuzz_client_revocations.c,
 * fuzz_audit_verify.c) and gen_seeds.c share, so that seed tokens signed
 * once verify in the harnesses.
 *
 * Every key is an Ed25519 key pair made from 32 copies of one seed byte;
 * Ed25519 signatures are deterministic, so the seeds are reproducible.
 * "Now" is fixed at FUZZ_NOW.  Test-only; needs sodium_init() first.
 */
#ifndef BP_FUZZ_CLIENT_H
#define BP_FUZZ_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "bp_client.h"
#include "paserk.h"
#include "paseto.h"
#include "fuzz.h"

#define FUZZ_NOW INT64_C(1800000000)	/* 2027-01-15T08:00:00Z */
#define FUZZ_KEYSET_VERSION 7

typedef struct fuzz_key
{
	const char *name;
	uint8_t		seed_byte;
	bp_client_purpose purpose;
	const char *state;			/* in the key set; NULL: not in it */
	const char *tenant;			/* JSON text of tenant_id */
	const char *valid_from;		/* JSON text */
	const char *valid_until;	/* JSON text */
	/* filled by fuzz_client_keys_init */
	uint8_t		sk[64];
	uint8_t		pk[32];
	char		pub[BP_PASERK_K4_PUBLIC_LEN + 1];
	char		kid[BP_PASERK_K4_PID_LEN + 1];
} fuzz_key;

enum
{
	FK_ROOT, FK_DECISION, FK_LEASE, FK_SNAPSHOT, FK_AUDIT, FK_TENANT, FK_REVOKED,
	FK_PENDING, FK_RETIRED, FK_FUTURE, FK_ENDED, FK_ROOT2, FK_STRANGER, FK_TENANT_AUDIT,
	FK_RETIRED_AUDIT, FK_N
};

/*
 * The root key is pinned; the snapshot key is pinned too (and also listed
 * in the key set, which a key set may do for a pinned key of the same
 * purpose).  Windows are around FUZZ_NOW, in the RFC 3339 forms the parser
 * takes (offsets, fractions, lower case).
 */
static fuzz_key fuzz_keys[FK_N] = {
	{.name = "root", .seed_byte = 0x01, .purpose = BP_CLIENT_PURPOSE_ROOT, .state = "active",
		.tenant = "null", .valid_from = "\"2026-01-01T00:00:00Z\"", .valid_until = "null"},
	{.name = "decision", .seed_byte = 0x02, .purpose = BP_CLIENT_PURPOSE_DECISION, .state = "active",
		.tenant = "null", .valid_from = "\"2027-01-14T08:00:00+00:00\"", .valid_until = "null"},
	{.name = "lease", .seed_byte = 0x03, .purpose = BP_CLIENT_PURPOSE_LEASE, .state = "active",
		.tenant = "null", .valid_from = "null", .valid_until = "null"},
	{.name = "snapshot", .seed_byte = 0x04, .purpose = BP_CLIENT_PURPOSE_SNAPSHOT, .state = "active",
		.tenant = "null", .valid_from = "null", .valid_until = "null"},
	{.name = "audit", .seed_byte = 0x05, .purpose = BP_CLIENT_PURPOSE_AUDIT, .state = "retiring",
		.tenant = "null", .valid_from = "null", .valid_until = "\"2027-02-01t00:00:00.5z\""},
	{.name = "tenant", .seed_byte = 0x06, .purpose = BP_CLIENT_PURPOSE_LEASE, .state = "active",
		.tenant = "\"tenant-\\u00e9\"", .valid_from = "null", .valid_until = "null"},
	{.name = "revoked", .seed_byte = 0x07, .purpose = BP_CLIENT_PURPOSE_DECISION, .state = "revoked",
		.tenant = "null", .valid_from = "null", .valid_until = "null"},
	{.name = "pending", .seed_byte = 0x08, .purpose = BP_CLIENT_PURPOSE_DECISION, .state = "pending",
		.tenant = "null", .valid_from = "null", .valid_until = "null"},
	{.name = "retired", .seed_byte = 0x09, .purpose = BP_CLIENT_PURPOSE_DECISION, .state = "retired",
		.tenant = "null", .valid_from = "null", .valid_until = "null"},
	{.name = "future", .seed_byte = 0x0A, .purpose = BP_CLIENT_PURPOSE_DECISION, .state = "active",
		.tenant = "null", .valid_from = "\"2027-01-16T08:00:00Z\"", .valid_until = "null"},
	{.name = "ended", .seed_byte = 0x0B, .purpose = BP_CLIENT_PURPOSE_DECISION, .state = "active",
		.tenant = "null", .valid_from = "null", .valid_until = "\"2027-01-15T08:00:00+01:00\""},
	{.name = "root2", .seed_byte = 0x0C, .purpose = BP_CLIENT_PURPOSE_ROOT, .state = "active",
		.tenant = "null", .valid_from = "null", .valid_until = "null"},
	{.name = "stranger", .seed_byte = 0x0D, .purpose = BP_CLIENT_PURPOSE_DECISION, .state = NULL,
		.tenant = "null", .valid_from = "null", .valid_until = "null"},
	{.name = "tenant_audit", .seed_byte = 0x0E, .purpose = BP_CLIENT_PURPOSE_AUDIT, .state = "active",
		.tenant = "\"acme\"", .valid_from = "null", .valid_until = "null"},
	{.name = "retired_audit", .seed_byte = 0x0F, .purpose = BP_CLIENT_PURPOSE_AUDIT, .state = "retired",
		.tenant = "null", .valid_from = "\"2026-01-01T00:00:00Z\"", .valid_until = "\"2026-06-01T00:00:00Z\""},
};

/*
 * The lease revocation list that fuzz_client_revocations.c may hold before
 * its input, signed by the vendor lease key (gen_seeds.c builds on it).
 */
#define FUZZ_REVOCATIONS_PAYLOAD \
	"{\"typ\":\"lease_revocations\",\"iss\":\"fuzz\",\"iat\":\"2027-01-15T07:59:00Z\"," \
	"\"exp\":\"2027-01-15T09:00:00Z\",\"tenant_id\":\"acme\",\"version\":5," \
	"\"leases\":[\"lease_b\",\"lease_a\",\"lease_\\u00e9\"]}"

/* The typ a key of each purpose signs (index: bp_client_purpose). */
static const char *const fuzz_typ_of_purpose[] = {
	"none", "key_certificate", "decision", "lease", "snapshot", "checkpoint"
};

static inline void
fuzz_client_keys_init(void)
{
	for (int i = 0; i < FK_N; i++)
	{
		fuzz_key   *k = &fuzz_keys[i];
		uint8_t		seed[32];
		size_t		n;

		memset(seed, k->seed_byte, sizeof(seed));
		if (crypto_sign_seed_keypair(k->pk, k->sk, seed) != 0 ||
			bp_paserk_k4_public_encode(k->pk, 32, k->pub, sizeof(k->pub), &n) != BP_PASERK_OK)
			abort();
		k->pub[n] = '\0';
		if (bp_paserk_k4_pid(k->pk, 32, k->kid, sizeof(k->kid), &n) != BP_PASERK_OK)
			abort();
		k->kid[n] = '\0';
	}
}

/* {"kid":"<kid>"} into buf (NUL-terminated); its length. */
static inline size_t
fuzz_footer(const fuzz_key *k, char *buf, size_t cap)
{
	int			n = snprintf(buf, cap, "{\"kid\":\"%s\"}", k->kid);

	if (n < 0 || (size_t) n >= cap)
		abort();
	return (size_t) n;
}

/*
 * Sign m with footer f (f_len 0: no footer) into a heap token of exactly
 * its length (not NUL-terminated).
 */
static inline char *
fuzz_sign(const fuzz_key *k, const void *m, size_t m_len, const void *f, size_t f_len,
		  size_t *token_len)
{
	size_t		scratch_len = bp_paseto_v4_pae_len(m_len, f_len, 0);
	size_t		cap = bp_paseto_v4_token_len(m_len, f_len);
	uint8_t    *scratch = fuzz_malloc(scratch_len);
	char	   *token = fuzz_malloc(cap);
	bp_paseto_status st;

	st = bp_paseto_v4_sign_checked_key(k->sk, 64, m, m_len, f, f_len, NULL, 0,
									   scratch, scratch_len, token, cap, token_len);
	free(scratch);
	if (st != BP_PASETO_OK || *token_len != cap)
		abort();
	return token;
}

/* Sign m with the usual footer {"kid":...}. */
static inline char *
fuzz_sign_kid(const fuzz_key *k, const void *m, size_t m_len, size_t *token_len)
{
	char		footer[128];
	size_t		f_len = fuzz_footer(k, footer, sizeof(footer));

	return fuzz_sign(k, m, m_len, footer, f_len, token_len);
}

/* One key set entry for k into buf at *len. */
static inline void
fuzz_entry(const fuzz_key *k, char *buf, size_t cap, size_t *len)
{
	int			n = snprintf(buf + *len, cap - *len,
							 "%s{\"kid\":\"%s\",\"purpose\":\"%s\",\"tenant_id\":%s,"
							 "\"public_key\":\"%s\",\"state\":\"%s\",\"valid_from\":%s,"
							 "\"valid_until\":%s}",
							 *len > 0 && buf[*len - 1] != '[' ? "," : "",
							 k->kid, bp_client_purpose_name(k->purpose), k->tenant,
							 k->pub, k->state, k->valid_from, k->valid_until);

	if (n < 0 || (size_t) n >= cap - *len)
		abort();
	*len += (size_t) n;
}

/* The key set payload (NUL-terminated in buf) with every key that has a state. */
static inline size_t
fuzz_keyset_payload(char *buf, size_t cap, int64_t version)
{
	size_t		len;
	int			n = snprintf(buf, cap,
							 "{\"typ\":\"keyset\",\"iss\":\"fuzz\",\"iat\":\"2027-01-15T07:59:00Z\","
							 "\"exp\":\"2027-01-15T09:00:00Z\",\"version\":%lld,\"keys\":[",
							 (long long) version);

	if (n < 0 || (size_t) n >= cap)
		abort();
	len = (size_t) n;
	for (int i = 0; i < FK_N; i++)
		if (fuzz_keys[i].state != NULL)
			fuzz_entry(&fuzz_keys[i], buf, cap, &len);
	if (cap - len < 3)
		abort();
	buf[len++] = ']';
	buf[len++] = '}';
	buf[len] = '\0';
	return len;
}

/*
 * A context as an application sets it up: the root key pinned, the
 * snapshot key pinned for its purpose, and (with_keyset) the key set above
 * loaded at FUZZ_NOW.
 */
static inline void
fuzz_client_ctx(bp_client_ctx *ctx, bool with_keyset)
{
	bp_client_init(ctx);
	if (bp_client_pin_key(ctx, BP_CLIENT_PURPOSE_ROOT, fuzz_keys[FK_ROOT].pub) != BP_CLIENT_OK ||
		bp_client_pin_key(ctx, BP_CLIENT_PURPOSE_SNAPSHOT, fuzz_keys[FK_SNAPSHOT].pub) != BP_CLIENT_OK)
		abort();
	if (with_keyset)
	{
		static char payload[16384];
		size_t		m_len = fuzz_keyset_payload(payload, sizeof(payload), FUZZ_KEYSET_VERSION);
		size_t		token_len;
		char	   *token = fuzz_sign_kid(&fuzz_keys[FK_ROOT], payload, m_len, &token_len);
		size_t		work_len = bp_client_work_len(token_len);
		void	   *work = fuzz_malloc(work_len);
		bp_client_status st = bp_client_load_keyset(ctx, token, token_len, FUZZ_NOW,
													work, work_len);

		if (st != BP_CLIENT_OK)
		{
			fprintf(stderr, "fuzz: the fixed key set does not load: %s\n",
					bp_client_status_name(st));
			abort();
		}
		free(work);
		free(token);
	}
}

/* The fixed key whose public key is pk, or NULL. */
static inline const fuzz_key *
fuzz_key_by_pk(const uint8_t *pk)
{
	for (int i = 0; i < FK_N; i++)
		if (memcmp(fuzz_keys[i].pk, pk, 32) == 0)
			return &fuzz_keys[i];
	return NULL;
}

#endif							/* BP_FUZZ_CLIENT_H */
