/*
 * test_paseto.c — PASETO v4.public against the official vectors, plus
 * tampering, strict parsing and random round trips.
 *
 * Run from the repository root: the vectors are read from VECTOR_DIR.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base64url.h"
#include "json_mini.h"
#include "paseto.h"
#include "unit.h"

#define VECTOR_DIR "test/unit/vectors/paseto"
#define BIG 4096

/* The 4-S-* key pair, kept for 4-F-* vectors that carry no public key. */
static uint8_t vec_pk[32];
static uint8_t vec_sk[64];
static bool have_vec_keys;

static uint8_t scratch[BIG];
static uint8_t payload[BIG];

static bool
load(const char *file, jm_value *root)
{
	char		path[256];
	bool		ok;

	snprintf(path, sizeof(path), "%s/%s", VECTOR_DIR, file);
	ok = jm_parse_file(path, root) && jm_get(root, "tests") != NULL &&
		jm_get(root, "tests")->type == JM_ARRAY;
	CHECK_MSG(ok, "cannot load vectors from %s (run from the repository root)", path);
	return ok;
}

/* Verify a NUL-terminated token with the usual big buffers. */
static bp_paseto_status
verify(const char *token, const uint8_t *pk, const char *footer, const char *ia,
	   size_t *plen)
{
	size_t		dummy;

	return bp_paseto_v4_verify(token, strlen(token), pk, 32,
							   (const uint8_t *) footer, footer ? strlen(footer) : 0,
							   (const uint8_t *) ia, ia ? strlen(ia) : 0,
							   scratch, sizeof(scratch),
							   payload, sizeof(payload), plen ? plen : &dummy);
}

/* Sign C strings into a NUL-terminated token. */
static bp_paseto_status
sign(const uint8_t *sk, const char *m, const char *f, const char *ia,
	 char *out, size_t cap)
{
	size_t		n = 0;
	bp_paseto_status st;

	st = bp_paseto_v4_sign(sk, 64, (const uint8_t *) m, strlen(m),
						   (const uint8_t *) f, strlen(f),
						   (const uint8_t *) ia, strlen(ia),
						   scratch, sizeof(scratch), out, cap - 1, &n);
	out[n] = '\0';
	return st;
}

/* Expected status for each 4-F-* vector under v4.public verification. */
static int
expected_failure(const char *name)
{
	static const struct
	{
		const char *name;
		bp_paseto_status status;
	}			table[] = {
		{"4-F-1", BP_PASETO_WRONG_PURPOSE},	/* v4.local token */
		{"4-F-2", BP_PASETO_BAD_SIGNATURE},	/* not signed by this key */
		{"4-F-3", BP_PASETO_WRONG_VERSION},	/* v3.local token */
		{"4-F-4", BP_PASETO_WRONG_PURPOSE},
		{"4-F-5", BP_PASETO_WRONG_PURPOSE},
	};
	size_t		k;

	for (k = 0; k < sizeof(table) / sizeof(table[0]); k++)
		if (strcmp(table[k].name, name) == 0)
			return (int) table[k].status;
	return -1;
}

static void
test_vectors(void)
{
	jm_value	root;
	const jm_value *tests;
	size_t		k;
	int			n_sign = 0,
				n_fail = 0,
				n_local = 0;

	if (!load("v4.json", &root))
		return;
	tests = jm_get(&root, "tests");

	/* Signing vectors first: they also provide the key for 4-F-*. */
	for (k = 0; k < tests->count; k++)
	{
		const jm_value *t = &tests->items[k];
		const char *name = jm_str(t, "name");
		const char *token = jm_str(t, "token");
		const char *m = jm_str(t, "payload");
		const char *f = jm_str(t, "footer");
		const char *ia = jm_str(t, "implicit-assertion");
		uint8_t		pk[32];
		uint8_t		sk[64];
		uint8_t		fbuf[256];
		char		out[1024];
		size_t		plen = 0;
		size_t		flen = 0;

		if (name == NULL || strncmp(name, "4-S-", 4) != 0)
			continue;
		n_sign++;
		CHECK_INT_EQ(jm_bool(t, "expect-fail"), 0);
		if (token == NULL || m == NULL || f == NULL || ia == NULL ||
			jm_str(t, "public-key") == NULL || jm_str(t, "secret-key") == NULL)
		{
			CHECK_MSG(false, "%s: missing fields", name ? name : "?");
			continue;
		}
		CHECK_INT_EQ(jm_hex_decode(jm_str(t, "public-key"), pk, sizeof(pk)), 32);
		CHECK_INT_EQ(jm_hex_decode(jm_str(t, "secret-key"), sk, sizeof(sk)), 64);
		memcpy(vec_pk, pk, 32);
		memcpy(vec_sk, sk, 64);
		have_vec_keys = true;

		/* Ed25519 is deterministic: signing reproduces the exact token. */
		CHECK_INT_EQ(sign(sk, m, f, ia, out, sizeof(out)), BP_PASETO_OK);
		CHECK_MSG(strcmp(out, token) == 0, "%s: token\n  got  %s\n  want %s", name, out, token);
		CHECK_INT_EQ(strlen(token), bp_paseto_v4_token_len(strlen(m), strlen(f)));

		CHECK_INT_EQ(verify(token, pk, f, ia, &plen), BP_PASETO_OK);
		CHECK_MSG(plen == strlen(m) && memcmp(payload, m, plen) == 0, "%s: payload", name);
		CHECK_INT_EQ(verify(token, pk, NULL, ia, &plen), BP_PASETO_OK);

		CHECK_INT_EQ(bp_paseto_footer(token, strlen(token), fbuf, sizeof(fbuf), &flen),
					 BP_PASETO_OK);
		CHECK_MSG(flen == strlen(f) && memcmp(fbuf, f, flen) == 0, "%s: footer", name);

		/* The implicit assertion is signed: a different one must fail. */
		CHECK_INT_EQ(verify(token, pk, NULL, strlen(ia) ? "" : "x", NULL),
					 BP_PASETO_BAD_SIGNATURE);
	}

	for (k = 0; k < tests->count; k++)
	{
		const jm_value *t = &tests->items[k];
		const char *name = jm_str(t, "name");
		const char *token = jm_str(t, "token");
		const char *pkhex = jm_str(t, "public-key");
		uint8_t		pk[32];
		bp_paseto_status st;
		int			want;

		if (name == NULL || token == NULL)
			continue;
		if (strncmp(name, "4-E-", 4) == 0)
		{
			/* Local tokens are never accepted as public ones. */
			n_local++;
			if (have_vec_keys)
				CHECK_INT_EQ(verify(token, vec_pk, NULL, jm_str(t, "implicit-assertion"), NULL),
							 BP_PASETO_WRONG_PURPOSE);
			continue;
		}
		if (strncmp(name, "4-F-", 4) != 0)
			continue;
		n_fail++;
		CHECK_INT_EQ(jm_bool(t, "expect-fail"), 1);
		if (pkhex != NULL)
			CHECK_INT_EQ(jm_hex_decode(pkhex, pk, sizeof(pk)), 32);
		else if (have_vec_keys)
			memcpy(pk, vec_pk, 32);
		else
		{
			CHECK_MSG(false, "%s: no public key to try", name);
			continue;
		}
		st = verify(token, pk, jm_str(t, "footer"), jm_str(t, "implicit-assertion"), NULL);
		CHECK_MSG(st != BP_PASETO_OK, "%s: verified but must fail", name);
		/* Also without a footer expectation: the failure is in the token. */
		CHECK(verify(token, pk, NULL, jm_str(t, "implicit-assertion"), NULL) != BP_PASETO_OK);
		want = expected_failure(name);
		if (want >= 0)
			CHECK_MSG((int) st == want, "%s: status %d (%s), expected %d", name,
					  (int) st, bp_paseto_strerror(st), want);
	}

	/* A truncated or replaced vector file must not pass silently. */
	CHECK_INT_EQ(n_sign, 3);
	CHECK_INT_EQ(n_fail, 5);
	CHECK_INT_EQ(n_local, 9);
	jm_free(&root);
}

/* LE64 with the top bit cleared, written out here so the test does not trust paseto.c. */
static size_t
put_le64(uint8_t *p, size_t n)
{
	for (int k = 0; k < 8; k++)
		p[k] = (uint8_t) ((uint64_t) n >> (8 * k));
	p[7] &= 0x7f;
	return 8;
}

static size_t
put_piece(uint8_t *p, const char *s)
{
	size_t		n = strlen(s);

	put_le64(p, n);
	memcpy(p + 8, s, n);
	return 8 + n;
}

/*
 * The split signing path a PKCS#11 token uses: bp_paseto_v4_pae, a signer
 * outside paseto.c (libsodium here, standing in for the token), then
 * bp_paseto_v4_assemble must give exactly the official 4-S-* tokens.  The
 * PAE is also checked byte for byte against one built here from the spec,
 * and the vector's own signature must verify over it.
 */
static void
test_pae_and_assemble_vectors(void)
{
	jm_value	root;
	const jm_value *tests;
	int			n_sign = 0;

	if (!load("v4.json", &root))
		return;
	tests = jm_get(&root, "tests");
	for (size_t k = 0; k < tests->count; k++)
	{
		const jm_value *t = &tests->items[k];
		const char *name = jm_str(t, "name");
		const char *token = jm_str(t, "token");
		const char *m = jm_str(t, "payload");
		const char *f = jm_str(t, "footer");
		const char *ia = jm_str(t, "implicit-assertion");
		uint8_t		pk[32],
					sk[64],
					sig[BP_PASETO_SIGNATURE_BYTES],
					want_pae[BIG],
					body[BIG];
		char		out[1024];
		size_t		pae_len = 0,
					want_len = 0,
					body_len = 0,
					out_len = 0;
		const char *dot;

		if (name == NULL || strncmp(name, "4-S-", 4) != 0 || token == NULL || m == NULL ||
			f == NULL || ia == NULL || jm_str(t, "public-key") == NULL ||
			jm_str(t, "secret-key") == NULL)
			continue;
		n_sign++;
		CHECK_INT_EQ(jm_hex_decode(jm_str(t, "public-key"), pk, sizeof(pk)), 32);
		CHECK_INT_EQ(jm_hex_decode(jm_str(t, "secret-key"), sk, sizeof(sk)), 64);

		/* PAE(h, m, f, i) = LE64(4) ‖ (LE64(len) ‖ piece) for each piece */
		want_len += put_le64(want_pae, 4);
		want_len += put_piece(want_pae + want_len, "v4.public.");
		want_len += put_piece(want_pae + want_len, m);
		want_len += put_piece(want_pae + want_len, f);
		want_len += put_piece(want_pae + want_len, ia);
		CHECK_INT_EQ(bp_paseto_v4_pae((const uint8_t *) m, strlen(m), (const uint8_t *) f,
									  strlen(f), (const uint8_t *) ia, strlen(ia),
									  scratch, sizeof(scratch), &pae_len), BP_PASETO_OK);
		CHECK_INT_EQ(pae_len, bp_paseto_v4_pae_len(strlen(m), strlen(f), strlen(ia)));
		CHECK_MSG(pae_len == want_len && memcmp(scratch, want_pae, pae_len) == 0,
				  "%s: PAE differs from the spec's", name);

		/* The official token's signature is a signature over our PAE. */
		dot = strchr(token + BP_PASETO_HEADER_LEN, '.');
		CHECK_INT_EQ(bp_b64url_decode(token + BP_PASETO_HEADER_LEN,
									  dot ? (size_t) (dot - token) - BP_PASETO_HEADER_LEN
									  : strlen(token) - BP_PASETO_HEADER_LEN,
									  body, sizeof(body), &body_len), BP_B64URL_OK);
		CHECK(body_len == strlen(m) + BP_PASETO_SIGNATURE_BYTES);
		CHECK_INT_EQ(crypto_sign_verify_detached(body + strlen(m), scratch, pae_len, pk), 0);

		/* An outside signer over PAE, then assembly: the official token exactly. */
		CHECK_INT_EQ(crypto_sign_detached(sig, NULL, scratch, pae_len, sk), 0);
		CHECK(memcmp(sig, body + strlen(m), sizeof(sig)) == 0);
		CHECK_INT_EQ(bp_paseto_v4_assemble((const uint8_t *) m, strlen(m), (const uint8_t *) f,
										   strlen(f), sig, out, sizeof(out) - 1, &out_len),
					 BP_PASETO_OK);
		out[out_len] = '\0';
		CHECK_MSG(strcmp(out, token) == 0, "%s: assembled\n  got  %s\n  want %s", name, out, token);
		CHECK_INT_EQ(out_len, bp_paseto_v4_token_len(strlen(m), strlen(f)));
	}
	CHECK_INT_EQ(n_sign, 3);
	jm_free(&root);
}

/* Capacities and arguments of the split path, checked before anything is written. */
static void
test_pae_and_assemble_arguments(void)
{
	const uint8_t m[] = "hello";
	uint8_t		sig[BP_PASETO_SIGNATURE_BYTES] = {0};
	uint8_t		pae[64];
	char		out[128];
	size_t		len = 99;

	CHECK_INT_EQ(bp_paseto_v4_pae(m, 5, NULL, 0, NULL, 0, pae, 54, &len), BP_PASETO_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(len, 0);
	CHECK_INT_EQ(bp_paseto_v4_pae(m, 5, NULL, 0, NULL, 0, pae, 55, &len), BP_PASETO_OK);
	CHECK_INT_EQ(len, 55);
	CHECK_INT_EQ(bp_paseto_v4_pae(NULL, 5, NULL, 0, NULL, 0, pae, 55, &len), BP_PASETO_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_paseto_v4_pae(m, 5, NULL, 1, NULL, 0, pae, 64, &len), BP_PASETO_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_paseto_v4_pae(m, 5, NULL, 0, NULL, 0, NULL, 55, &len), BP_PASETO_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_paseto_v4_pae(m, SIZE_MAX - 10, NULL, 0, NULL, 0, pae, 55, &len), BP_PASETO_TOO_LARGE);

	len = bp_paseto_v4_token_len(5, 0);
	CHECK_INT_EQ(bp_paseto_v4_assemble(m, 5, NULL, 0, sig, out, len - 1, &len), BP_PASETO_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(len, 0);
	CHECK_INT_EQ(bp_paseto_v4_assemble(m, 5, NULL, 0, NULL, out, sizeof(out), &len), BP_PASETO_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_paseto_v4_assemble(m, 5, NULL, 0, sig, NULL, sizeof(out), &len), BP_PASETO_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_paseto_v4_assemble(m, 5, NULL, 0, sig, out, sizeof(out), &len), BP_PASETO_OK);
	CHECK_INT_EQ(len, bp_paseto_v4_token_len(5, 0));
	CHECK(memcmp(out, "v4.public.aGVsbG8AAAA", 21) == 0);	/* "hello" then the zero signature */
	CHECK(memchr(out, '.', len) == out + 2 && memchr(out + 3, '.', len - 3) == out + 9);
}

/* Replace the character at pos in a copy of token. */
static const char *
with_char(const char *token, size_t pos, char c)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s", token);
	buf[pos] = c;
	return buf;
}

/* A different alphabet character that keeps the low bits of c canonical. */
static char
other_char(char c)
{
	return c == 'A' ? 'Q' : 'A';
}

/* Set the lowest (unused) bit of the last character of [start, end). */
static const char *
noncanonical(const char *token, size_t end)
{
	static const char alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p = strchr(alpha, token[end - 1]);

	return with_char(token, end - 1, alpha[(p - alpha) | 1]);
}

static void
test_tamper(void)
{
	uint8_t		pk[32];
	uint8_t		sk[64];
	char		token[1024];
	char		bad[1100];
	const char *m = "{\"sub\":\"alice\",\"n\":42}";	/* 22 + 64 = 86 bytes: 2 unused bits */
	const char *f = "k4.pid.test-footer";	/* 18 bytes */
	const char *f2 = "k4.pid.test-footer-x";	/* 20 bytes: 2 unused bits */
	size_t		len;
	size_t		dot;
	uint8_t		fbuf[64];
	size_t		flen;

	crypto_sign_keypair(pk, sk);
	CHECK_INT_EQ(sign(sk, m, f, "", token, sizeof(token)), BP_PASETO_OK);
	CHECK_INT_EQ(verify(token, pk, f, NULL, NULL), BP_PASETO_OK);
	len = strlen(token);
	dot = (size_t) (strrchr(token, '.') - token);
	CHECK_INT_EQ(dot, 10 + 115);	/* the offsets below assume this */

	/* Payload, signature and footer bytes are all covered by the signature. */
	CHECK_INT_EQ(verify(with_char(token, 10, other_char(token[10])), pk, NULL, NULL, NULL),
				 BP_PASETO_BAD_SIGNATURE);
	CHECK_INT_EQ(verify(with_char(token, dot - 20, other_char(token[dot - 20])), pk, NULL, NULL, NULL),
				 BP_PASETO_BAD_SIGNATURE);
	CHECK_INT_EQ(verify(with_char(token, dot + 1, other_char(token[dot + 1])), pk, NULL, NULL, NULL),
				 BP_PASETO_BAD_SIGNATURE);
	CHECK_INT_EQ(verify(with_char(token, dot + 1, other_char(token[dot + 1])), pk, f, NULL, NULL),
				 BP_PASETO_FOOTER_MISMATCH);

	/* Footer expectations. */
	CHECK_INT_EQ(verify(token, pk, "", NULL, NULL), BP_PASETO_FOOTER_MISMATCH);
	CHECK_INT_EQ(verify(token, pk, "k4.pid.test-foote", NULL, NULL), BP_PASETO_FOOTER_MISMATCH);
	CHECK_INT_EQ(verify(token, pk, "k4.pid.test-footer!", NULL, NULL), BP_PASETO_FOOTER_MISMATCH);

	/* Footer readable before verification, even on a tampered token. */
	CHECK_INT_EQ(bp_paseto_footer(with_char(token, 12, other_char(token[12])), len,
								  fbuf, sizeof(fbuf), &flen), BP_PASETO_OK);
	CHECK(flen == strlen(f) && memcmp(fbuf, f, flen) == 0);
	CHECK_INT_EQ(bp_paseto_footer(token, len, fbuf, 3, &flen), BP_PASETO_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(bp_paseto_footer("v4.local.abc", 12, fbuf, sizeof(fbuf), &flen),
				 BP_PASETO_WRONG_PURPOSE);

	/* Headers. */
	CHECK_INT_EQ(verify(with_char(token, 3, 'x'), pk, NULL, NULL, NULL), BP_PASETO_WRONG_PURPOSE);
	CHECK_INT_EQ(verify(with_char(token, 1, '3'), pk, NULL, NULL, NULL), BP_PASETO_WRONG_VERSION);
	CHECK_INT_EQ(verify(with_char(token, 0, 'V'), pk, NULL, NULL, NULL), BP_PASETO_NOT_PASETO);
	CHECK_INT_EQ(verify(with_char(token, 9, '_'), pk, NULL, NULL, NULL), BP_PASETO_NOT_PASETO);
	snprintf(bad, sizeof(bad), "v4.local.%s", token + 10);
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_WRONG_PURPOSE);
	snprintf(bad, sizeof(bad), "v44.public.%s", token + 10);
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_WRONG_VERSION);
	snprintf(bad, sizeof(bad), " %s", token);
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_NOT_PASETO);
	CHECK_INT_EQ(verify("", pk, NULL, NULL, NULL), BP_PASETO_NOT_PASETO);
	CHECK_INT_EQ(verify("v4.public", pk, NULL, NULL, NULL), BP_PASETO_NOT_PASETO);

	/* Truncation. */
	CHECK_INT_EQ(verify("v4.public.", pk, NULL, NULL, NULL), BP_PASETO_SHORT_BODY);
	snprintf(bad, sizeof(bad), "%.*s", 10 + 84, token);	/* 63 bytes */
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_SHORT_BODY);
	snprintf(bad, sizeof(bad), "%.*s", (int) dot, token);	/* footer dropped */
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_BAD_SIGNATURE);
	CHECK_INT_EQ(verify(bad, pk, f, NULL, NULL), BP_PASETO_FOOTER_MISMATCH);
	snprintf(bad, sizeof(bad), "v4.public.%s", token + 14);	/* first 3 bytes gone */
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_BAD_SIGNATURE);
	snprintf(bad, sizeof(bad), "%.*s", (int) len - 1, token);
	CHECK(verify(bad, pk, NULL, NULL, NULL) != BP_PASETO_OK);
	snprintf(bad, sizeof(bad), "%.*s", (int) dot - 2, token);	/* 115 - 2 = 4k+1 */
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_BAD_BASE64);

	/* Trailing data and extra parts. */
	snprintf(bad, sizeof(bad), "%s.", token);
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_EXTRA_PARTS);
	snprintf(bad, sizeof(bad), "%s.eA", token);
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_EXTRA_PARTS);
	snprintf(bad, sizeof(bad), "%.*s.", (int) dot, token);
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_EMPTY_FOOTER);
	snprintf(bad, sizeof(bad), "%s\n", token);
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_BAD_BASE64);
	snprintf(bad, sizeof(bad), "%s ", token);
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_BAD_BASE64);
	snprintf(bad, sizeof(bad), "%s=", token);
	CHECK_INT_EQ(verify(bad, pk, NULL, NULL, NULL), BP_PASETO_BAD_BASE64);
	snprintf(bad, sizeof(bad), "%s", token);
	bad[len] = '\0';
	CHECK_INT_EQ(bp_paseto_v4_verify(bad, len + 1, pk, 32, NULL, 0, NULL, 0,
									 scratch, sizeof(scratch), payload,
									 sizeof(payload), &flen), BP_PASETO_BAD_BASE64);

	/* Non-canonical base64url in the body and in the footer. */
	CHECK_INT_EQ(verify(noncanonical(token, dot), pk, NULL, NULL, NULL),
				 BP_PASETO_NONCANONICAL_BASE64);
	CHECK_INT_EQ(sign(sk, m, f2, "", token, sizeof(token)), BP_PASETO_OK);
	CHECK_INT_EQ(verify(token, pk, f2, NULL, NULL), BP_PASETO_OK);
	CHECK_INT_EQ(verify(noncanonical(token, strlen(token)), pk, NULL, NULL, NULL),
				 BP_PASETO_NONCANONICAL_BASE64);
	CHECK_INT_EQ(bp_paseto_footer(noncanonical(token, strlen(token)), strlen(token),
								  fbuf, sizeof(fbuf), &flen),
				 BP_PASETO_NONCANONICAL_BASE64);

	/* Without a footer the token has exactly one '.' after the header. */
	CHECK_INT_EQ(sign(sk, m, "", "", token, sizeof(token)), BP_PASETO_OK);
	CHECK(strchr(token + 10, '.') == NULL);
	CHECK_INT_EQ(verify(token, pk, "", NULL, NULL), BP_PASETO_OK);
	CHECK_INT_EQ(verify(token, pk, "x", NULL, NULL), BP_PASETO_FOOTER_MISMATCH);
	CHECK_INT_EQ(bp_paseto_footer(token, strlen(token), NULL, 0, &flen), BP_PASETO_OK);
	CHECK_INT_EQ(flen, 0);
}

static void
test_arguments(void)
{
	uint8_t		pk[32];
	uint8_t		sk[64];
	uint8_t		small[97];
	char		token[512];
	size_t		need;
	size_t		n = 99;
	const uint8_t *m = (const uint8_t *) "hello";

	crypto_sign_keypair(pk, sk);
	need = bp_paseto_v4_token_len(5, 0);
	CHECK_INT_EQ(need, 10 + 92);
	CHECK_INT_EQ(bp_paseto_v4_pae_len(5, 0, 0), 55);

	CHECK_INT_EQ(bp_paseto_v4_sign(sk, 63, m, 5, NULL, 0, NULL, 0, scratch, sizeof(scratch),
								   token, sizeof(token), &n), BP_PASETO_BAD_KEY_LENGTH);
	CHECK_INT_EQ(n, 0);
	CHECK_INT_EQ(bp_paseto_v4_sign(sk, 64, m, 5, NULL, 0, NULL, 0, scratch, 54,
								   token, sizeof(token), &n), BP_PASETO_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(bp_paseto_v4_sign(sk, 64, m, 5, NULL, 0, NULL, 0, scratch, 55,
								   token, need - 1, &n), BP_PASETO_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(bp_paseto_v4_sign(sk, 64, NULL, 5, NULL, 0, NULL, 0, scratch, 55,
								   token, need, &n), BP_PASETO_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_paseto_v4_sign(sk, 64, m, 5, NULL, 0, NULL, 0, scratch, 55,
								   token, need, &n), BP_PASETO_OK);
	CHECK_INT_EQ(n, need);

	/* Verify's scratch: exact need is max(34 + m + 64, PAE) = 103 here. */
	CHECK_INT_EQ(bp_paseto_v4_verify(token, need, pk, 32, NULL, 0, NULL, 0, small, 97,
									 payload, sizeof(payload), &n),
				 BP_PASETO_BUFFER_TOO_SMALL);
	CHECK(bp_paseto_v4_verify_scratch_len(need, 0) >= 103);
	CHECK_INT_EQ(bp_paseto_v4_verify(token, need, pk, 32, NULL, 0, NULL, 0, scratch, 103,
									 payload, 4, &n),
				 BP_PASETO_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(bp_paseto_v4_verify(token, need, pk, 32, NULL, 0, NULL, 0, scratch, 103,
									 payload, 5, &n),
				 BP_PASETO_OK);
	CHECK(n == 5 && memcmp(payload, "hello", 5) == 0);
	CHECK_INT_EQ(bp_paseto_v4_verify(token, need, pk, 31, NULL, 0, NULL, 0, scratch,
									 sizeof(scratch), payload, sizeof(payload), &n),
				 BP_PASETO_BAD_KEY_LENGTH);
	CHECK_INT_EQ(bp_paseto_v4_verify(NULL, 0, pk, 32, NULL, 0, NULL, 0, scratch,
									 sizeof(scratch), payload, sizeof(payload), &n),
				 BP_PASETO_BAD_ARGUMENT);

	/* A secret key whose public half is not its own is refused. */
	sk[40] ^= 1;
	CHECK_INT_EQ(bp_paseto_v4_sign(sk, 64, m, 5, NULL, 0, NULL, 0, scratch, sizeof(scratch),
								   token, sizeof(token), &n), BP_PASETO_KEY_MISMATCH);

	/* Size helpers saturate instead of wrapping. */
	CHECK(bp_paseto_v4_pae_len(SIZE_MAX - 10, 0, 0) == SIZE_MAX);
	CHECK(bp_paseto_v4_token_len(SIZE_MAX - 10, 0) == SIZE_MAX);
	CHECK(bp_paseto_v4_token_len(1, SIZE_MAX) == SIZE_MAX);
	CHECK(bp_paseto_v4_verify_scratch_len(SIZE_MAX - 10, 5) == SIZE_MAX);
}

static void
test_random_round_trips(void)
{
	uint8_t		pk[32],
				sk[64],
				pk2[32],
				sk2[64];
	uint8_t		m[300],
				f[60],
				ia[40];
	char		token[1024];
	uint8_t		fbuf[100];
	int			iter;
	long		wrong = 0;

	for (iter = 0; iter < 200; iter++)
	{
		size_t		m_len = randombytes_uniform(sizeof(m) + 1);
		size_t		f_len = iter % 4 == 0 ? 0 : randombytes_uniform(sizeof(f) + 1);
		size_t		i_len = iter % 3 == 0 ? 0 : randombytes_uniform(sizeof(ia) + 1);
		size_t		t_len = 0,
					p_len = 0,
					fl = 0;
		size_t		scratch_need;

		crypto_sign_keypair(pk, sk);
		crypto_sign_keypair(pk2, sk2);
		randombytes_buf(m, m_len);
		randombytes_buf(f, f_len);
		randombytes_buf(ia, i_len);

		if (bp_paseto_v4_sign(sk, 64, m, m_len, f, f_len, ia, i_len,
							  scratch, bp_paseto_v4_pae_len(m_len, f_len, i_len),
							  token, bp_paseto_v4_token_len(m_len, f_len),
							  &t_len) != BP_PASETO_OK ||
			t_len != bp_paseto_v4_token_len(m_len, f_len))
		{
			wrong++;
			continue;
		}
		scratch_need = bp_paseto_v4_verify_scratch_len(t_len, i_len);
		if (bp_paseto_v4_verify(token, t_len, pk, 32, f, f_len, ia, i_len,
								scratch, scratch_need,
								payload, bp_paseto_v4_payload_max_len(t_len),
								&p_len) != BP_PASETO_OK ||
			p_len != m_len || memcmp(payload, m, m_len) != 0)
			wrong++;
		if (bp_paseto_v4_verify(token, t_len, pk2, 32, NULL, 0, ia, i_len,
								scratch, sizeof(scratch), payload, sizeof(payload),
								&p_len) != BP_PASETO_BAD_SIGNATURE || p_len != 0)
			wrong++;
		if (bp_paseto_footer(token, t_len, fbuf, bp_paseto_footer_max_len(t_len) < sizeof(fbuf) ?
							 bp_paseto_footer_max_len(t_len) : sizeof(fbuf),
							 &fl) != BP_PASETO_OK ||
			fl != f_len || memcmp(fbuf, f, f_len) != 0)
			wrong++;
	}
	CHECK_INT_EQ(wrong, 0);
}

static void
test_strerror(void)
{
	int			s,
				t;

	for (s = BP_PASETO_OK; s <= BP_PASETO_BAD_SIGNATURE; s++)
	{
		const char *msg = bp_paseto_strerror((bp_paseto_status) s);

		CHECK_MSG(msg[0] >= 'A' && msg[0] <= 'Z' && msg[strlen(msg) - 1] == '.',
				  "strerror(%d) = \"%s\"", s, msg);
		for (t = BP_PASETO_OK; t < s; t++)
			CHECK_MSG(strcmp(msg, bp_paseto_strerror((bp_paseto_status) t)) != 0,
					  "strerror(%d) == strerror(%d)", s, t);
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
	test_pae_and_assemble_vectors();
	test_pae_and_assemble_arguments();
	test_tamper();
	test_arguments();
	test_random_round_trips();
	test_strerror();
	/* The checked-key variant signs the same bytes, only without re-checking. */
	{
		uint8_t		pk2[32];
		uint8_t		sk2[64];
		uint8_t		scratch2[512];
		char		t1[512];
		char		t2[512];
		size_t		l1 = 0;
		size_t		l2 = 0;
		const uint8_t msg[] = "{\"typ\":\"decision\"}";

		crypto_sign_keypair(pk2, sk2);
		CHECK_INT_EQ(bp_paseto_v4_sign(sk2, 64, msg, sizeof(msg) - 1, NULL, 0, NULL, 0, scratch2,
									   sizeof(scratch2), t1, sizeof(t1), &l1), BP_PASETO_OK);
		CHECK_INT_EQ(bp_paseto_v4_sign_checked_key(sk2, 64, msg, sizeof(msg) - 1, NULL, 0, NULL, 0, scratch2,
												   sizeof(scratch2), t2, sizeof(t2), &l2), BP_PASETO_OK);
		CHECK(l1 == l2 && l1 > 0 && memcmp(t1, t2, l1) == 0);
		/* A mismatched public half: refused by the checking variant only. */
		sk2[40] ^= 1;
		CHECK_INT_EQ(bp_paseto_v4_sign(sk2, 64, msg, sizeof(msg) - 1, NULL, 0, NULL, 0, scratch2,
									   sizeof(scratch2), t1, sizeof(t1), &l1), BP_PASETO_KEY_MISMATCH);
	}

	return unit_summary("paseto");
}
