/*
 * gen_seeds.c — writes the committed seed corpora of test/fuzz/corpus.
 *
 *   build/fuzz/gen_seeds OUTDIR VECTOR_DIR DICT_DIR      (make fuzz-seeds)
 *
 * Seeds are meaningful inputs, valid and nearly valid, one per file with a
 * name saying what it is.  Each starts with the harness's mode bytes where
 * it has them (see the harness's header comment).  The PASETO and PASERK
 * seeds are the official vectors (VECTOR_DIR: test/unit/vectors/paseto);
 * the client and audit seeds are real tokens and payloads signed with the
 * fixed keys of fuzz_client.h, and a real audit chain hashed with
 * src/core/audit_hash, so the harnesses get past signatures and hashes.
 * It also writes DICT_DIR/client.dict, the dictionary of the client
 * harnesses: the payload vocabulary and the fixed keys' kids and PASERKs.
 * Everything is deterministic: running it again gives the same files.
 *
 * An ordinary program (no fuzzer, no sanitizers), test-only.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "audit_hash.h"
#include "bp_client.h"
#include "paseto.h"
#include "fuzz.h"
#include "fuzz_client.h"
#include "../unit/json_mini.h"

static const char *outdir;
static char current[64];
static int	written;

static void
start(const char *name)
{
	char		path[512];

	snprintf(current, sizeof(current), "%s", name);
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
	{
		perror(path);
		exit(1);
	}
}

/* One seed file: mode bytes (n_mode of them), then the data. */
static void
seed_bytes(const char *file, const uint8_t *mode, size_t n_mode, const void *data, size_t len)
{
	char		path[512];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, current, file);
	f = fopen(path, "wb");
	if (f == NULL || (n_mode > 0 && fwrite(mode, 1, n_mode, f) != n_mode) ||
		(len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
	{
		perror(path);
		exit(1);
	}
	written++;
}

static void
seed(const char *file, const char *text)
{
	seed_bytes(file, NULL, 0, text, strlen(text));
}

static void
seed1(const char *file, uint8_t m, const void *data, size_t len)
{
	seed_bytes(file, &m, 1, data, len);
}

static void
seed1s(const char *file, uint8_t m, const char *text)
{
	seed1(file, m, text, strlen(text));
}

static void
seed2s(const char *file, uint8_t m0, uint8_t m1, const char *text)
{
	uint8_t		m[2] = {m0, m1};

	seed_bytes(file, m, 2, text, strlen(text));
}

static void
seed2(const char *file, uint8_t m0, uint8_t m1, const void *data, size_t len)
{
	uint8_t		m[2] = {m0, m1};

	seed_bytes(file, m, 2, data, len);
}

/* printf into a static buffer (several live at once). */
static char *
fmt(const char *f,...)
{
	static char bufs[8][16384];
	static int	next;
	char	   *b = bufs[next++ % 8];
	va_list		ap;
	int			n;

	va_start(ap, f);
	n = vsnprintf(b, sizeof(bufs[0]), f, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= sizeof(bufs[0]))
		abort();
	return b;
}

static const char *
vec_path(const char *dir, const char *file)
{
	return fmt("%s/%s", dir, file);
}

/* ---- plain-text corpora ------------------------------------------------- */

static void
gen_semver(void)
{
	static const char *const seeds[][2] = {
		{"release", "1.2.3"},
		{"zero", "0.0.0"},
		{"max", "2147483647.2147483647.2147483647"},
		{"pre-alpha", "1.0.0-alpha"},
		{"pre-numeric", "1.0.0-0.3.7"},
		{"pre-mixed", "1.0.0-x.7.z.92"},
		{"pre-hyphens", "1.0.0-x-y-z.--"},
		{"build", "1.0.0+20130313144700"},
		{"build-leading-zero", "1.0.0+001.0002"},
		{"pre-build", "1.0.0-beta+exp.sha.5114f85"},
		{"build-hyphens", "1.0.0+21AF26D3----117B344092BD"},
		{"order-semver-org", "1.0.0-alpha.1\n1.0.0-alpha.beta\n1.0.0-beta.11"},
		{"order-numeric-ids", "1.0.0-alpha.2\n1.0.0-alpha.10\n1.0.0-alpha.a"},
		{"order-release-vs-pre", "1.0.0-rc.1\n1.0.0\n1.0.0+build.1"},
		{"order-build-only", "1.0.0+a\n1.0.0+b\n1.0.0"},
		{"order-longer-pre", "1.0.0-a\n1.0.0-a.0\n1.0.0-a.b"},
		{"bad-leading-zero", "01.2.3"},
		{"bad-pre-leading-zero", "1.2.3-01"},
		{"bad-missing-part", "1.2"},
		{"bad-empty-pre", "1.2.3-"},
		{"bad-empty-ident", "1.2.3-a..b"},
		{"bad-empty-build", "1.2.3+"},
		{"bad-overflow", "2147483648.0.0"},
		{"bad-pre-overflow", "1.0.0-2147483648"},
		{"bad-v-prefix", "v1.2.3"},
		{"bad-trailing-space", "1.2.3 "},
		{"bad-letters", "1.2.3a"},
		{"bad-underscore", "1.2.3-a_b"},
	};

	start("semver");
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		seed(seeds[i][0], seeds[i][1]);
}

static void
gen_semver_range(void)
{
	static const char *const seeds[][2] = {
		{"caret", "^1.2.3\n1.9.9\n2.0.0-0\n1.2.3-beta"},
		{"caret-zero-minor", "^0.2.3\n0.2.9\n0.3.0"},
		{"caret-zero-patch", "^0.0.3\n0.0.3\n0.0.4"},
		{"caret-partial", "^0.2\n0.2.0\n0.3.0-0"},
		{"caret-x", "^1.x"},
		{"tilde", "~1.2.3\n1.2.9\n1.3.0"},
		{"tilde-gt", "~>1.2"},
		{"tilde-major", "~1"},
		{"x-range", "1.x\n1.0.0\n2.0.0"},
		{"x-star", "1.2.*"},
		{"star", "*\n0.0.0\n1.0.0-alpha"},
		{"and", ">=1.2.3 <2.0.0\n1.5.0"},
		{"and-commas", ">=1.0.0, <2.0.0 , !1"},
		{"or", "1.2.3 || 2.x || >=5.0.0-rc.1\n5.0.0-rc.2\n2.7.1"},
		{"or-star", "1.2.3 || *"},
		{"hyphen", "1.2.3 - 2.3.4\n2.3.4\n2.3.5"},
		{"hyphen-partial", "1.2 - 2\n2.9.9\n3.0.0"},
		{"hyphen-pre", "1.2.3-alpha - 1.2.3-beta\n1.2.3-alpha.1"},
		{"partial-ops", "<=1.2 >1 <2 >=1.2"},
		{"prerelease-rule", ">1.2.3-alpha.3\n1.2.3-alpha.7\n3.4.5-alpha.9\n3.4.5"},
		{"caret-pre", "^1.2.3-beta.2\n1.2.3-beta.4\n1.2.4-beta.1"},
		{"empty-bounds", ">=2.0.0 <1.0.0\n1.5.0"},
		{"empty-equal", ">1.0.0 <=1.0.0\n1.0.0"},
		{"null-set", "<0.0.0-0\n0.0.0-0"},
		{"null-or", "<0.0.0-0 || >=1.0.0"},
		{"null-all", "<0.0.0-0 || <0.0.0-0"},
		{"lt-star", "<*"},
		{"eq", "=1.2.3+build\n1.2.3+other"},
		{"max", "^2147483646.0.0 || ~0.2147483646.0 || <=1.2147483646"},
		{"many", "1.0.0 1.0.1 1.0.2 1.0.3 1.0.4 1.0.5 1.0.6 1.0.7 1.0.8 1.0.9 || 2.x || 3.x || 4.x"},
		{"bad-empty", "   "},
		{"bad-or-empty", "1.2.3 ||"},
		{"bad-op-arrow", "=> 1.0"},
		{"bad-op-ne", "!=1.0.0"},
		{"bad-op-space", "> =1.2.3"},
		{"bad-hyphen-open", "1.2.3 -"},
		{"bad-hyphen-start", "- 1.2.3"},
		{"bad-x-then-number", "1.x.3"},
		{"bad-caret-overflow", "^2147483647.0.0"},
		{"bad-partial-pre", "1.2-beta"},
		{"bad-comma", ">=1.0.0,,<2.0.0"},
	};

	start("semver_range");
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		seed(seeds[i][0], seeds[i][1]);
}

static void
gen_base64url(void)
{
	static const char *const seeds[][2] = {
		{"empty", ""},
		{"one-byte", "AA"},
		{"two-bytes", "AAA"},
		{"three-bytes", "AAAA"},
		{"alphabet-ends", "-_-_"},
		{"foobar", "Zm9vYmFy"},
		{"foob", "Zm9vYg"},
		{"fooba", "Zm9vYmE"},
		{"all-chars", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"},
		{"bad-noncanonical-2", "AB"},
		{"bad-noncanonical-3", "AAB"},
		{"bad-length", "A"},
		{"bad-padding", "Zg=="},
		{"bad-std-alphabet", "Zm+v/w"},
		{"bad-space", "Zm9v Zm9v"},
	};

	start("base64url");
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		seed(seeds[i][0], seeds[i][1]);
}

static void
gen_json(const char *keyset_payload)
{
	static const char *const seeds[][2] = {
		{"object", "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}"},
		{"array", "[1,-0,0.5,-1.5e+10,2E-3,\"x\",[],{}]"},
		{"string-escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u00e9\\u20ac\\ud83d\\ude00\""},
		{"string-utf8", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
		{"whitespace", " \t\r\n{ \"k\" : [ 1 , 2 ] } \n"},
		{"duplicate-keys", "{\"a\":1,\"a\":2,\"\":3}"},
		{"escaped-key", "{\"\\u0074yp\":\"x\",\"typ\":\"y\"}"},
		{"int64-max", "[9223372036854775807,-9223372036854775808]"},
		{"int64-over", "[9223372036854775808,-9223372036854775809,1e400]"},
		{"scalar-true", "true"},
		{"scalar-number", "-12.5e-3"},
		{"nested", "[[[[[[[[[[[[[[[[{\"a\":[[[[]]]]}]]]]]]]]]]]]]]]]"},
		{"bad-trailing-comma", "[1,2,]"},
		{"bad-missing-value", "{\"a\"}"},
		{"bad-lone-surrogate", "\"\\ud800\""},
		{"bad-low-surrogate", "\"\\udc00\\ud800\""},
		{"bad-leading-zero", "01"},
		{"bad-number", "[1.,-,1e,.5]"},
		{"bad-control", "\"a\x01\""},
		{"bad-overlong", "\"\xc0\xaf\""},
		{"bad-surrogate-utf8", "\"\xed\xa0\x80\""},
		{"bad-trailing", "{} {}"},
		{"bad-literal", "[nul]"},
		{"bad-unterminated", "{\"a\":\"b"},
	};
	char		deep[80];

	start("json");
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		seed(seeds[i][0], seeds[i][1]);
	/* one level deeper than allowed */
	memset(deep, '[', BP_JSON_MAX_DEPTH + 1);
	deep[BP_JSON_MAX_DEPTH + 1] = '\0';
	seed("bad-too-deep", deep);
	seed("keyset-payload", keyset_payload);
}

static void
gen_rfc3339(void)
{
	static const char *const seeds[][2] = {
		{"utc", "2027-01-15T08:00:00Z"},
		{"lower-case", "2027-01-15t08:00:00.123456z"},
		{"offset-plus", "2024-02-29T23:59:60+05:30"},
		{"offset-minus", "0000-01-01T00:00:00-23:59"},
		{"last", "9999-12-31T23:59:59.999999999Z"},
		{"epoch", "1970-01-01T00:00:00+00:00"},
		{"before-epoch", "1969-12-31T23:59:59.5Z"},
		{"century-leap", "2000-02-29T12:00:00Z"},
		{"bad-not-leap", "2026-02-29T00:00:00Z"},
		{"bad-century", "1900-02-29T00:00:00Z"},
		{"bad-no-zone", "2027-01-15T08:00:00"},
		{"bad-space", "2027-01-15 08:00:00Z"},
		{"bad-hour", "2027-01-15T24:00:00Z"},
		{"bad-second", "2027-01-15T08:00:61Z"},
		{"bad-empty-fraction", "2027-01-15T08:00:00.Z"},
		{"bad-offset", "2027-01-15T08:00:00+24:00"},
		{"bad-offset-short", "2027-01-15T08:00:00+0100"},
		{"bad-trailing", "2027-01-15T08:00:00Zx"},
	};

	start("rfc3339");
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		seed(seeds[i][0], seeds[i][1]);
}

/* ---- from the official vectors ------------------------------------------ */

static void
gen_paseto(const char *vectors)
{
	jm_value	root;
	const jm_value *tests;

	start("paseto");
	if (!jm_parse_file(vec_path(vectors, "v4.json"), &root))
		exit(1);
	tests = jm_get(&root, "tests");
	for (size_t i = 0; tests && i < tests->count; i++)
	{
		const jm_value *t = &tests->items[i];
		const char *name = jm_str(t, "name");
		const char *token = jm_str(t, "token");
		const char *payload = jm_str(t, "payload");
		const char *footer = jm_str(t, "footer");
		const char *ia = jm_str(t, "implicit-assertion");
		const char *text;

		if (name == NULL || token == NULL)
			continue;
		/* verify mode (0): TOKEN '\n' IMPLICIT */
		text = ia && *ia ? fmt("%s\n%s", token, ia) : token;
		seed1(fmt("vector-%s", name), 0, text, strlen(text));
		/* sign mode (1): PAYLOAD '\n' FOOTER '\n' IMPLICIT */
		if (payload != NULL && strncmp(token, "v4.public.", 10) == 0)
		{
			text = fmt("%s\n%s\n%s", payload, footer ? footer : "", ia ? ia : "");
			seed1(fmt("sign-%s", name), 1, text, strlen(text));
		}
	}
	jm_free(&root);
	/* near-valid structure */
	seed1s("bad-header-only", 0, "v4.public.");
	seed1s("bad-empty-footer", 0, "v4.public.AAAA.");
	seed1s("bad-three-parts", 0, "v4.public.AAAA.AAAA.AAAA");
	seed1s("bad-version", 0, "v2.public.AAAA");
	seed1s("bad-purpose", 0, "v4.secret.AAAA");
	seed1s("sign-empty", 3, "");
	seed1s("sign-footer-only", 1, "\n{\"kid\":\"x\"}");
}

static void
gen_paserk(const char *vectors)
{
	static const char *const files[] = {"k4.public.json", "k4.secret.json", "k4.pid.json"};

	start("paserk");
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++)
	{
		jm_value	root;
		const jm_value *tests;

		if (!jm_parse_file(vec_path(vectors, files[f]), &root))
			exit(1);
		tests = jm_get(&root, "tests");
		for (size_t i = 0; tests && i < tests->count; i++)
		{
			const char *name = jm_str(&tests->items[i], "name");
			const char *paserk = jm_str(&tests->items[i], "paserk");

			if (name && paserk)
				seed(fmt("vector-%s", name), paserk);
		}
		jm_free(&root);
	}
	seed("bad-wrong-version", "k3.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8");
	seed("bad-wrong-type", "k4.local.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8");
	seed("bad-sid", "k4.sid.YujQ-NvcGquQ0Q-arRf8iYEcXiSOKg2Vk5az-n1lxiUd");
	seed("bad-short", "k4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo");
	seed("bad-noncanonical", "k4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjp");
	seed("bad-padding", "k4.public.cHFyc3R1dnd4eXp7fH1-f4CBgoOEhYaHiImKi4yNjo8=");
	seed("bad-secret-mismatch",
		 "k4.secret.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA7aie8zrakLWKjqNAqbw1zZTIVdx3iQ6Y6wEihi1naKA");
	seed("bad-prefix-only", "k4.pid.");
}

/* ---- client ------------------------------------------------------------- */

static void
seed_token(const char *file, uint8_t m0, uint8_t m1, const fuzz_key *k, const char *payload,
		   const char *footer)
{
	size_t		len;
	char	   *token = footer ?
		fuzz_sign(k, payload, strlen(payload), footer, strlen(footer), &len) :
		fuzz_sign_kid(k, payload, strlen(payload), &len);

	seed2(file, m0, m1, token, len);
	free(token);
}

/*
 * A token by signer with the footer {"kid":...,"cert":...}, the certificate
 * cert_payload signed by issuer with the usual footer (client_verify mode 0).
 */
static void
seed_cert_token(const char *file, const fuzz_key *issuer, const fuzz_key *signer,
				const char *cert_payload, const char *payload)
{
	size_t		cert_len;
	char	   *cert = fuzz_sign_kid(issuer, cert_payload, strlen(cert_payload), &cert_len);
	const char *footer = fmt("{\"kid\":\"%s\",\"cert\":\"%.*s\"}", signer->kid, (int) cert_len, cert);
	size_t		len;
	char	   *token = fuzz_sign(signer, payload, strlen(payload), footer, strlen(footer), &len);

	seed2(file, 0, 0, token, len);
	free(token);
	free(cert);
}

/* Byte 0 of the client harnesses: mode and key index. */
static uint8_t
sel(int mode, int key)
{
	return (uint8_t) (mode | key << 2);
}

static void
gen_client_verify(void)
{
	const char *decision =
		"{\"typ\":\"decision\",\"iss\":\"fuzz\",\"iat\":\"2027-01-15T07:59:00Z\","
		"\"nbf\":\"2027-01-15T07:59:00Z\",\"exp\":\"2027-01-15T09:00:00Z\","
		"\"product_id\":\"prod_1\",\"install_id\":\"inst_1\",\"nonce\":\"n-\\u0031\",\"decision\":\"update\","
		"\"version\":\"1.2.3\",\"tenant_id\":\"acme\"}";
	const char *lease1 =
		"{\"typ\":\"lease\",\"tenant_id\":\"tenant-\xc3\xa9\",\"product_id\":\"p\",\"sub\":\"seat-1\","
		"\"seq\":1,\"prev_hash\":\"\",\"exp\":\"2027-01-15T09:00:00+00:30\"}";
	char		hex[BP_CLIENT_LEASE_HASH_HEX_LEN + 1];
	char		footer[128];

	start("client_verify");
	/* mode 0: real tokens, verified as they are */
	seed_token("token-decision", sel(0, FK_DECISION), 0x00, &fuzz_keys[FK_DECISION], decision, NULL);
	seed_token("token-decision-expected-typ", sel(0, 0), 0x10, &fuzz_keys[FK_DECISION], decision, NULL);
	seed_token("token-release-skip-time", sel(0, 0), 0x01 | 0x20, &fuzz_keys[FK_DECISION],
			   "{\"typ\":\"release\",\"exp\":\"2020-01-01T00:00:00Z\"}", NULL);
	seed_token("token-lease-tenant", sel(0, 0), 0x00, &fuzz_keys[FK_TENANT], lease1, NULL);
	seed_token("token-lease-tenant-escaped", sel(0, 0), 0x08, &fuzz_keys[FK_TENANT],
			   "{\"typ\":\"lease\",\"tenant_id\":\"tenant-\\u00e9\",\"seq\":1,\"prev_hash\":\"\"}", NULL);
	seed_token("token-snapshot-pinned", sel(0, 0), 0x00, &fuzz_keys[FK_SNAPSHOT],
			   "{\"typ\":\"snapshot\",\"items\":[{\"a\":1},{\"b\":[2,3]}]}", NULL);
	seed_token("token-checkpoint-retiring", sel(0, 0), 0x50, &fuzz_keys[FK_AUDIT],
			   "{\"typ\":\"checkpoint\",\"chain_id\":\"c\",\"seq\":3,\"hash\":\"00\"}", NULL);
	seed_token("token-key-certificate", sel(0, 0), 0x70, &fuzz_keys[FK_ROOT],
			   "{\"typ\":\"key_certificate\",\"kid\":\"x\"}", NULL);
	seed_token("token-revoked-key", sel(0, 0), 0x00, &fuzz_keys[FK_REVOKED], decision, NULL);
	seed_token("token-future-key", sel(0, 0), 0x00, &fuzz_keys[FK_FUTURE], decision, NULL);
	seed_token("token-stranger", sel(0, 0), 0x00, &fuzz_keys[FK_STRANGER], decision, NULL);
	seed_token("token-no-footer", sel(0, 0), 0x00, &fuzz_keys[FK_DECISION], decision, "");
	fuzz_footer(&fuzz_keys[FK_DECISION], footer, sizeof(footer));
	seed_token("token-footer-extra", sel(0, 0), 0x00, &fuzz_keys[FK_DECISION], decision,
			   fmt("{\"kid\":\"%s\",\"wpk\":null}", fuzz_keys[FK_DECISION].kid));
	seed_token("token-footer-escaped-kid", sel(0, 0), 0x00, &fuzz_keys[FK_DECISION], decision,
			   fmt("{\"kid\":\"k4\\u002epid.%s\"}", fuzz_keys[FK_DECISION].kid + 7));
	seed_token("token-wrong-purpose", sel(0, 0), 0x00, &fuzz_keys[FK_LEASE], decision, NULL);

	/* mode 1: payloads, signed by the harness */
	seed2("payload-decision", sel(1, FK_DECISION), 0x00, decision, strlen(decision));
	seed2("payload-lease", sel(1, FK_TENANT), 0x00, lease1, strlen(lease1));
	seed2s("payload-wrong-tenant", sel(1, FK_TENANT), 0x00,
		  "{\"typ\":\"lease\",\"tenant_id\":\"other\"}");
	seed2s("payload-expired", sel(1, FK_DECISION), 0x00,
		  "{\"typ\":\"decision\",\"exp\":\"2027-01-15T08:00:00Z\"}");
	seed2s("payload-not-yet", sel(1, FK_DECISION), 0x00,
		  "{\"typ\":\"decision\",\"nbf\":\"2027-01-15T08:00:01Z\"}");
	seed2s("payload-bad-iat", sel(1, FK_DECISION), 0x00,
		  "{\"typ\":\"decision\",\"iat\":\"yesterday\"}");
	seed2s("payload-duplicate-typ", sel(1, FK_DECISION), 0x00,
		  "{\"typ\":\"decision\",\"typ\":\"lease\"}");
	seed2s("payload-escaped-typ", sel(1, FK_DECISION), 0x10, "{\"typ\":\"decisio\\u006e\"}");
	seed2s("payload-not-object", sel(1, FK_DECISION), 0x00, "[\"typ\",\"decision\"]");
	seed2("payload-ended-key", sel(1, FK_ENDED), 0x00, decision, strlen(decision));
	seed2("payload-pending-key", sel(1, FK_PENDING), 0x00, decision, strlen(decision));

	/* mode 2: footer and payload */
	{
		const char *t = fmt("%s\n{\"typ\":\"decision\"}", footer);

		seed2("footer-payload", sel(2, FK_DECISION), 0x00, t, strlen(t));
		t = fmt("{\"kid\":\"%s\"}\n{\"typ\":\"decision\"}", fuzz_keys[FK_LEASE].kid);
		seed2("footer-other-kid", sel(2, FK_DECISION), 0x00, t, strlen(t));
		t = "{\"kid\":\"k4.pid.AAAA\"}\n{}";
		seed2("footer-bad-kid", sel(2, FK_DECISION), 0x00, t, strlen(t));
	}

	/* key certificates: a key the context does not know, vouched for by a root key */
	{
		const fuzz_key *mirror = &fuzz_keys[FK_STRANGER];
		char		cert_payload[1024];
		const char *t;

		snprintf(cert_payload, sizeof(cert_payload),
				 "{\"typ\":\"key_certificate\",\"kid\":\"%s\",\"public_key\":\"%s\","
				 "\"tenant_id\":\"acme\",\"purposes\":[\"decision\",\"lease\"],"
				 "\"iat\":\"2027-01-15T07:00:00Z\",\"exp\":\"2027-01-16T08:00:00Z\",\"mirror\":\"m1\"}",
				 mirror->kid, mirror->pub);
		seed_cert_token("cert-token", &fuzz_keys[FK_ROOT], mirror, cert_payload, decision);
		seed_cert_token("cert-token-root2", &fuzz_keys[FK_ROOT2], mirror, cert_payload, decision);
		seed_cert_token("cert-token-no-tenant", &fuzz_keys[FK_ROOT], mirror, cert_payload,
						"{\"typ\":\"decision\"}");
		seed_cert_token("cert-token-snapshot", &fuzz_keys[FK_ROOT], mirror, cert_payload,
						"{\"typ\":\"snapshot\",\"tenant_id\":\"acme\"}");
		seed_cert_token("cert-token-by-decision-key", &fuzz_keys[FK_DECISION], mirror, cert_payload,
						decision);
		seed_cert_token("cert-token-known-revoked-key", &fuzz_keys[FK_ROOT], &fuzz_keys[FK_REVOKED],
						fmt("{\"typ\":\"key_certificate\",\"kid\":\"%s\",\"public_key\":\"%s\","
							"\"tenant_id\":\"acme\",\"purposes\":[\"decision\"],"
							"\"exp\":\"2027-01-16T08:00:00Z\"}",
							fuzz_keys[FK_REVOKED].kid, fuzz_keys[FK_REVOKED].pub), decision);
		seed_cert_token("cert-token-expired", &fuzz_keys[FK_ROOT], mirror,
						fmt("{\"typ\":\"key_certificate\",\"kid\":\"%s\",\"public_key\":\"%s\","
							"\"tenant_id\":\"acme\",\"purposes\":[\"lease\"],"
							"\"exp\":\"2027-01-15T07:00:00Z\"}", mirror->kid, mirror->pub),
						decision);
		/* certificate mode (flags bit 7): CERT_PAYLOAD '\n' PAYLOAD, both signed by the harness */
		t = fmt("%s\n%s", cert_payload, decision);
		seed2s("cert-mode", sel(2, FK_STRANGER), 0x80, t);
		seed2s("cert-mode-root2", (uint8_t) (sel(2, FK_STRANGER) | 0x40), 0x80, t);
		seed2s("cert-mode-known-key", sel(2, FK_DECISION), 0x80, t);
		t = fmt("%s\n%s", cert_payload, lease1);
		seed2s("cert-mode-lease-other-tenant", sel(2, FK_STRANGER), 0xB0, t);
		t = fmt("{\"typ\":\"key_certificate\",\"kid\":\"%s\",\"public_key\":\"%s\","
				"\"tenant_id\":\"t\\u00e9\",\"purposes\":[\"lease\",\"lease\"],\"exp\":\"2027-01-16T08:00:00Z\"}\n"
				"{\"typ\":\"lease\",\"tenant_id\":\"t\xc3\xa9\",\"seq\":1,\"prev_hash\":\"\"}",
				mirror->kid, mirror->pub);
		seed2s("cert-mode-escaped-tenant", sel(2, FK_STRANGER), 0x80, t);
		t = fmt("{\"typ\":\"key_certificate\",\"kid\":\"%s\",\"public_key\":\"%s\","
				"\"tenant_id\":\"acme\",\"purposes\":[\"root\"],\"exp\":\"2027-01-16T08:00:00Z\"}\n"
				"{\"typ\":\"keyset\",\"tenant_id\":\"acme\"}", mirror->kid, mirror->pub);
		seed2s("cert-mode-root-purpose", sel(2, FK_STRANGER), 0x80, t);
	}

	/* mode 3: lease chains, PREV '\n' NEXT (PREV's text is its token) */
	bp_client_lease_hash(lease1, strlen(lease1), hex);
	{
		const char *next = fmt("{\"typ\":\"lease\",\"tenant_id\":\"tenant-\xc3\xa9\",\"product_id\":\"p\","
							   "\"sub\":\"seat-1\",\"seq\":2,\"prev_hash\":\"%s\"}", hex);
		const char *t = fmt("%s\n%s", lease1, next);
		char		upper[BP_CLIENT_LEASE_HASH_HEX_LEN + 1];

		seed2("lease-chain", sel(3, 0), 0x00, t, strlen(t));
		for (size_t i = 0; i < sizeof(upper); i++)
			upper[i] = (char) (hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 32 : hex[i]);
		t = fmt("%s\n{\"typ\":\"lease\",\"tenant_id\":\"tenant-\xc3\xa9\",\"product_id\":\"p\","
				"\"sub\":\"seat-1\",\"seq\":2,\"prev_hash\":\"%s\"}", lease1, upper);
		seed2("lease-chain-upper-hex", sel(3, 0), 0x00, t, strlen(t));
		t = fmt("%s\n{\"typ\":\"lease\",\"tenant_id\":\"tenant-\xc3\xa9\",\"product_id\":\"p\","
				"\"sub\":\"seat-2\",\"seq\":2,\"prev_hash\":\"%s\"}", lease1, hex);
		seed2("lease-chain-other-sub", sel(3, 0), 0x00, t, strlen(t));
		t = fmt("%s\n{\"typ\":\"lease\",\"seq\":3,\"prev_hash\":\"%s\"}", lease1, hex);
		seed2("lease-chain-skip", sel(3, 0), 0x00, t, strlen(t));
		t = fmt("%s\n%s", lease1, lease1);
		seed2("lease-chain-replay", sel(3, 0), 0x00, t, strlen(t));
	}
}

static void
gen_client_keyset(const char *base_payload, size_t base_len)
{
	static char buf[16384];
	char		entry_root_revoked[1024];
	size_t		n;

	start("client_keyset");
	/* mode 0: real key set tokens */
	seed_token("token-keyset", sel(0, 0), 0x00, &fuzz_keys[FK_ROOT], base_payload, NULL);
	seed_token("token-keyset-again", sel(0, 0), 0x01, &fuzz_keys[FK_ROOT], base_payload, NULL);
	seed_token("token-keyset-expired", sel(0, 0), 0x04, &fuzz_keys[FK_ROOT], base_payload, NULL);
	seed_token("token-keyset-unpinned-root", sel(0, 0), 0x00, &fuzz_keys[FK_ROOT2], base_payload, NULL);
	seed_token("token-keyset-by-pinned-snapshot", sel(0, 0), 0x00, &fuzz_keys[FK_SNAPSHOT],
			   base_payload, NULL);

	/* mode 1: payloads signed by the root key */
	seed2("payload-keyset", sel(1, FK_ROOT), 0x00, base_payload, base_len);
	seed2("payload-keyset-misaligned", sel(1, FK_ROOT), 0x08 | 0x06, base_payload, base_len);
	n = fuzz_keyset_payload(buf, sizeof(buf), FUZZ_KEYSET_VERSION - 1);
	seed2("payload-keyset-rollback", sel(1, FK_ROOT), 0x01, buf, n);
	seed2s("payload-keyset-empty", sel(1, FK_ROOT), 0x00,
		  "{\"typ\":\"keyset\",\"exp\":\"2027-01-15T09:00:00Z\",\"version\":0,\"keys\":[]}");
	seed2s("payload-keyset-no-exp", sel(1, FK_ROOT), 0x00,
		  "{\"typ\":\"keyset\",\"version\":1,\"keys\":[]}");
	seed2s("payload-keyset-negative-version", sel(1, FK_ROOT), 0x00,
		  "{\"typ\":\"keyset\",\"exp\":\"2027-01-15T09:00:00Z\",\"version\":-1,\"keys\":[]}");
	{
		/* the pinned root revoked by its own key set */
		fuzz_key	r = fuzz_keys[FK_ROOT];
		size_t		len = 0;
		const char *t;

		r.state = "revoked";
		entry_root_revoked[0] = '\0';
		fuzz_entry(&r, entry_root_revoked, sizeof(entry_root_revoked), &len);
		t = fmt("{\"typ\":\"keyset\",\"exp\":\"2027-01-15T09:00:00Z\",\"version\":8,\"keys\":[%s]}",
				entry_root_revoked);
		seed2("payload-keyset-revokes-root", sel(1, FK_ROOT), 0x00, t, strlen(t));
		t = fmt("{\"typ\":\"keyset\",\"exp\":\"2027-01-15T09:00:00Z\",\"version\":8,\"keys\":[%s,%s]}",
				entry_root_revoked, entry_root_revoked);
		seed2("payload-keyset-duplicate-entry", sel(1, FK_ROOT), 0x00, t, strlen(t));
	}
	{
		fuzz_key	s = fuzz_keys[FK_SNAPSHOT];
		size_t		len = 0;
		const char *t;

		s.state = "revoked";
		buf[0] = '\0';
		fuzz_entry(&s, buf, sizeof(buf), &len);
		t = fmt("{\"typ\":\"keyset\",\"exp\":\"2027-01-15T09:00:00Z\",\"version\":9,\"keys\":[%s]}", buf);
		seed2("payload-keyset-revokes-pinned", sel(1, FK_ROOT), 0x01, t, strlen(t));
		s.purpose = BP_CLIENT_PURPOSE_DECISION;
		s.state = "active";
		len = 0;
		fuzz_entry(&s, buf, sizeof(buf), &len);
		t = fmt("{\"typ\":\"keyset\",\"exp\":\"2027-01-15T09:00:00Z\",\"version\":9,\"keys\":[%s]}", buf);
		seed2("payload-keyset-pinned-other-purpose", sel(1, FK_ROOT), 0x00, t, strlen(t));
	}
	{
		const char *t = fmt("{\"typ\":\"keyset\",\"exp\":\"2027-01-15T09:00:00Z\",\"version\":1,\"keys\":["
							"{\"kid\":\"%s\",\"purpose\":\"decision\",\"tenant_id\":\"t\\u00e9\\\"x\","
							"\"public_key\":\"%s\",\"state\":\"retiring\",\"valid_from\":null,"
							"\"valid_until\":\"2027-01-15T08:00:01.9Z\"}]}",
							fuzz_keys[FK_DECISION].kid, fuzz_keys[FK_DECISION].pub);

		seed2("payload-keyset-entry-escapes", sel(1, FK_ROOT), 0x00, t, strlen(t));
		t = fmt("{\"typ\":\"keyset\",\"exp\":\"2027-01-15T09:00:00Z\",\"version\":1,\"keys\":["
				"{\"kid\":\"%s\",\"purpose\":\"decision\",\"tenant_id\":null,"
				"\"public_key\":\"%s\",\"state\":\"active\"}]}",
				fuzz_keys[FK_LEASE].kid, fuzz_keys[FK_DECISION].pub);
		seed2("payload-keyset-kid-mismatch", sel(1, FK_ROOT), 0x00, t, strlen(t));
	}
	seed2("payload-keyset-by-decision-key", sel(1, FK_DECISION), 0x00, base_payload, base_len);

	/* mode 2: footer and payload */
	{
		char		footer[128];
		const char *t;

		fuzz_footer(&fuzz_keys[FK_ROOT], footer, sizeof(footer));
		t = fmt("%s\n{\"typ\":\"keyset\",\"exp\":\"2027-01-15T09:00:00Z\",\"version\":3,\"keys\":[]}",
				footer);
		seed2("footer-payload", sel(2, FK_ROOT), 0x00, t, strlen(t));
	}
}

static void
gen_client_revocations(void)
{
	const char *lease = "{\"typ\":\"lease\",\"tenant_id\":\"acme\",\"lease_id\":\"lease_a\",\"product_id\":\"app\","
		"\"sub\":\"alice\",\"iat\":\"2027-01-15T07:59:00Z\",\"exp\":\"2027-01-15T09:00:00Z\",\"seq\":1,\"prev_hash\":\"\"}";
	const char *list = "{\"typ\":\"lease_revocations\",\"iat\":\"2027-01-15T07:59:30Z\",\"exp\":\"2027-01-15T09:00:00Z\","
		"\"tenant_id\":\"acme\",\"version\":%s,\"leases\":%s}";
	const char *t;

	start("client_revocations");
	/* mode 0: real tokens */
	seed_token("token-list", sel(0, 0), 0x00, &fuzz_keys[FK_LEASE], FUZZ_REVOCATIONS_PAYLOAD, NULL);
	seed_token("token-list-again", sel(0, 0), 0x01, &fuzz_keys[FK_LEASE], FUZZ_REVOCATIONS_PAYLOAD, NULL);
	seed_token("token-list-expired", sel(0, 0), 0x04, &fuzz_keys[FK_LEASE], FUZZ_REVOCATIONS_PAYLOAD, NULL);
	seed_token("token-list-by-decision-key", sel(0, 0), 0x00, &fuzz_keys[FK_DECISION], FUZZ_REVOCATIONS_PAYLOAD, NULL);
	seed_token("token-lease-as-list", sel(0, 0), 0x00, &fuzz_keys[FK_LEASE], lease, NULL);

	/* mode 1: list payloads signed by a lease key */
	seed2s("payload-list", sel(1, FK_LEASE), 0x00, FUZZ_REVOCATIONS_PAYLOAD);
	seed2s("payload-list-newer", sel(1, FK_LEASE), 0x01 | 0x08, fmt(list, "6", "[\"lease_c\"]"));
	seed2s("payload-list-rollback", sel(1, FK_LEASE), 0x01, fmt(list, "4", "[]"));
	seed2s("payload-list-empty-version-0", sel(1, FK_LEASE), 0x00, fmt(list, "0", "[]"));
	seed2s("payload-list-duplicate-id", sel(1, FK_LEASE), 0x00, fmt(list, "6", "[\"lease_a\",\"lease_\\u0061\"]"));
	seed2s("payload-list-empty-id", sel(1, FK_LEASE), 0x00, fmt(list, "6", "[\"\"]"));
	seed2s("payload-list-id-not-string", sel(1, FK_LEASE), 0x00, fmt(list, "6", "[7,[\"x\"]]"));
	seed2s("payload-list-negative-version", sel(1, FK_LEASE), 0x00, fmt(list, "-1", "[]"));
	seed2s("payload-list-string-version", sel(1, FK_LEASE), 0x00, fmt(list, "\"6\"", "[]"));
	t = "{\"typ\":\"lease_revocations\",\"iat\":\"2027-01-15T07:59:30Z\",\"exp\":\"2027-01-15T09:00:00Z\","
		"\"tenant_id\":\"tenant-\\u00e9\",\"version\":1,\"leases\":[\"lease_z\"]}";
	seed2s("payload-list-tenant-key", sel(1, FK_TENANT), 0x00, t);
	seed2s("payload-list-tenant-key-other-tenant", sel(1, FK_TENANT), 0x00, fmt(list, "1", "[]"));
	seed2s("payload-list-other-tenant-held", sel(1, FK_LEASE), 0x01, t);

	/* mode 2: a list, then a lease */
	seed2s("list-then-listed-lease", sel(2, FK_LEASE), 0x00, fmt("%s\n%s", fmt(list, "6", "[\"lease_a\"]"), lease));
	seed2s("list-then-lease-escaped-id", sel(2, FK_LEASE), 0x00,
		   fmt("%s\n{\"typ\":\"lease\",\"tenant_id\":\"acme\",\"lease_id\":\"lease_\\u00e9\"}", FUZZ_REVOCATIONS_PAYLOAD));

	/* mode 3: lease payloads against the held list */
	seed2s("lease-listed", sel(3, 0), 0x01, lease);
	seed2s("lease-other-tenant", sel(3, 0), 0x01,
		   "{\"typ\":\"lease\",\"tenant_id\":\"globex\",\"lease_id\":\"lease_a\"}");
	seed2s("lease-no-list", sel(3, 0), 0x00, lease);
	seed2s("decision-not-lease", sel(3, 0), 0x01, "{\"typ\":\"decision\",\"tenant_id\":\"acme\",\"lease_id\":\"lease_a\"}");
}

/* ---- audit -------------------------------------------------------------- */

/* occurred_at for microseconds since the epoch: "...T..:..:...ffffffZ". */
static const char *
stamp(int64_t us)
{
	time_t		t = (time_t) (us / 1000000);
	struct tm	tm;
	char		date[32];

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	return fmt("%s.%06lldZ", date, (long long) (us % 1000000));
}

static bp_audit_text
txt(const char *s)
{
	bp_audit_text t = {s, s ? strlen(s) : 0, s == NULL};

	return t;
}

/*
 * One export line for event seq of chain chained to prev; writes its
 * hash.  after is a JSON text, hashed as is and exported as a JSON string
 * (after_escaped).
 */
static const char *
audit_line(const char *chain, uint64_t seq, const uint8_t prev[32], const char *after_json,
		   const char *after_escaped, uint8_t hash[32])
{
	bp_audit_event ev;
	char		prev_hex[65];
	char		hash_hex[65];
	int64_t		us = INT64_C(1795000000000000) + (int64_t) seq * 1000123;
	const char *event_id = fmt("evt_%llu", (unsigned long long) seq);

	ev.chain_id = txt(chain);
	ev.seq = seq;
	ev.event_id = txt(event_id);
	ev.occurred_at_us = us;
	ev.actor = txt("alice@example.com");
	ev.event_type = txt("release.published");
	ev.object_type = txt("release");
	ev.object_id = txt(seq == 2 ? NULL : "rel_1");
	ev.before = txt(NULL);
	ev.after = txt(after_json);
	ev.context = txt("{}");
	if (bp_audit_hash(prev, &ev, hash) != BP_AUDIT_OK)
		abort();
	sodium_bin2hex(prev_hex, sizeof(prev_hex), prev, 32);
	sodium_bin2hex(hash_hex, sizeof(hash_hex), hash, 32);
	return fmt("{\"v\":1,\"chain_id\":\"%s\",\"seq\":%llu,\"event_id\":\"%s\","
			   "\"occurred_at_us\":%lld,\"occurred_at\":\"%s\",\"actor\":\"alice@example.com\","
			   "\"event_type\":\"release.published\",\"object_type\":\"release\",\"object_id\":%s,"
			   "\"before\":null,\"after\":\"%s\",\"context\":\"{}\",\"prev_hash\":\"%s\",\"hash\":\"%s\"}",
			   chain, (unsigned long long) seq, event_id, (long long) us, stamp(us),
			   seq == 2 ? "null" : "\"rel_1\"", after_escaped, prev_hex, hash_hex);
}

/* Byte 0 of the audit_chain harness: mode, client context, signing key. */
static uint8_t
audit_mode(int mode, bool with_ctx, int key)
{
	return (uint8_t) (mode | (with_ctx ? 4 : 0) | key << 3);
}

/* A checkpoint payload for seq with hash h of chain. */
static const char *
checkpoint(const char *chain, int seq, const uint8_t h[32])
{
	char		hex[65];

	sodium_bin2hex(hex, sizeof(hex), h, 32);
	return fmt("{\"typ\":\"checkpoint\",\"chain_id\":\"%s\",\"seq\":%d,\"hash\":\"%s\","
			   "\"iat\":\"2026-11-18T11:07:00Z\"}", chain, seq, hex);
}

static void
gen_audit_chain(void)
{
	uint8_t		h0[32] = {0};
	uint8_t		h1[32], h2[32], h3[32], h5[32], a1[32], a2[32];
	uint8_t		start5[32];
	char		lines[16384];
	char		l1[2048], l2[2048], l3[2048], m1[2048], m2[2048];
	char		cp[1024];
	size_t		len;
	char	   *token;
	const uint8_t m0 = audit_mode(0, false, 0);

	start("audit_chain");
	snprintf(l1, sizeof(l1), "%s", audit_line("tenant_acme", 1, h0, "{\"version\":\"1.2.3\"}",
											  "{\\\"version\\\":\\\"1.2.3\\\"}", h1));
	snprintf(l2, sizeof(l2), "%s", audit_line("tenant_acme", 2, h1, "{\"name\":\"caf\xc3\xa9\"}",
											  "{\\\"name\\\":\\\"caf\\u00e9\\\"}", h2));
	snprintf(l3, sizeof(l3), "%s", audit_line("tenant_acme", 3, h2, "[]", "[]", h3));
	snprintf(lines, sizeof(lines), "%s\n%s\n%s", l1, l2, l3);
	seed2s("export", m0, 0, lines);
	seed2s("export-one", m0, 0, l1);
	snprintf(lines, sizeof(lines), "%s\r\n%s\r\n%s\r", l1, l2, l3);
	seed2s("export-crlf", m0, 0, lines);
	seed2s("export-line-limit", m0, 100, lines);	/* 400-byte lines: too long */
	snprintf(lines, sizeof(lines), "%s\n%s", l1, l3);
	seed2s("export-gap", m0, 0, lines);
	snprintf(lines, sizeof(lines), "%s\n%s\n", l2, l3);
	seed2s("export-from-seq-2", m0, 0, lines);
	snprintf(lines, sizeof(lines), "%s\n%s", l1, l1);
	seed2s("export-repeat", m0, 0, lines);
	memset(start5, 0x11, sizeof(start5));
	seed2s("export-later-start", m0, 0, audit_line("tenant_acme", 5, start5, "null", "null", h5));
	snprintf(lines, sizeof(lines), "%s", l1);
	lines[strlen(lines) - 3] ^= 1;	/* one hash digit off */
	seed2s("export-bad-hash", m0, 0, lines);
	snprintf(lines, sizeof(lines), "%s", l1);
	memcpy(strstr(lines, "\"v\":1"), "\"v\":2", 5);
	seed2s("export-v2", m0, 0, lines);
	seed2s("export-empty", m0, 0, "");

	/* a checkpoint at seq 3, signed by the audit key */
	snprintf(cp, sizeof(cp), "%s", checkpoint("tenant_acme", 3, h3));
	snprintf(lines, sizeof(lines), "%s\n%s\n%s\n%s", cp, l1, l2, l3);
	seed2s("checkpoint-payload", audit_mode(1, false, FK_AUDIT), 0, lines);
	seed2s("checkpoint-payload-ctx", audit_mode(1, true, FK_AUDIT), 0, lines);
	seed2s("checkpoint-payload-ctx-retired-key", audit_mode(1, true, FK_RETIRED_AUDIT), 0, lines);
	seed2s("checkpoint-payload-ctx-revoked-key", audit_mode(1, true, FK_REVOKED), 0, lines);
	seed2s("checkpoint-payload-ctx-unknown-key", audit_mode(1, true, FK_STRANGER), 0, lines);
	seed2s("checkpoint-payload-ctx-tenant-key-other-chain", audit_mode(1, true, FK_TENANT_AUDIT), 0, lines);
	snprintf(lines, sizeof(lines), "%s\n%s\n%s", cp, l1, l2);
	seed2s("checkpoint-payload-cut-tail", audit_mode(1, false, FK_AUDIT), 0, lines);
	snprintf(lines, sizeof(lines), "%s\n%s", cp, l3);
	seed2s("checkpoint-payload-starts-later", audit_mode(1, false, FK_AUDIT), 0, lines);
	/* seq 1 with seq 3's hash, the chain_id escaped */
	snprintf(lines, sizeof(lines), "%s\n%s", checkpoint("tenant_\\u0061cme", 1, h3), l1);
	seed2s("checkpoint-payload-other-hash", audit_mode(1, false, FK_AUDIT), 0, lines);
	seed2s("checkpoint-payload-not-checkpoint", audit_mode(1, false, FK_AUDIT), 0,
		   "{\"typ\":\"decision\",\"seq\":1}");

	/* a tenant's own audit key checkpoints the tenant's chain */
	snprintf(m1, sizeof(m1), "%s", audit_line("acme", 1, h0, "{}", "{}", a1));
	snprintf(m2, sizeof(m2), "%s", audit_line("acme", 2, a1, "{}", "{}", a2));
	snprintf(lines, sizeof(lines), "%s\n%s\n%s", checkpoint("acme", 2, a2), m1, m2);
	seed2s("checkpoint-payload-ctx-tenant-key", audit_mode(1, true, FK_TENANT_AUDIT), 0, lines);

	/* the checkpoint as a token */
	token = fuzz_sign_kid(&fuzz_keys[FK_AUDIT], cp, strlen(cp), &len);
	snprintf(lines, sizeof(lines), "%.*s\n%s\n%s\n%s", (int) len, token, l1, l2, l3);
	seed2s("checkpoint-token", audit_mode(2, false, 0), 0, lines);
	seed2s("checkpoint-token-ctx", audit_mode(2, true, 0), 0, lines);
	free(token);
	token = fuzz_sign_kid(&fuzz_keys[FK_DECISION], cp, strlen(cp), &len);
	snprintf(lines, sizeof(lines), "%.*s\n%s", (int) len, token, l1);
	seed2s("checkpoint-token-other-key", audit_mode(2, false, 0), 0, lines);
	free(token);

	/* occurred_at alone */
	seed2s("time", audit_mode(3, false, 0), 0, "2026-11-18T11:07:00.123456Z");
	seed2s("time-offset", audit_mode(3, false, 0), 0, "2026-11-18T11:07:00+00:00");
	seed2s("time-short-fraction", audit_mode(3, false, 0), 0, "2024-02-29T00:00:00.5Z");
	seed2s("time-before-epoch", audit_mode(3, false, 0), 0, "1969-12-31T23:59:59.999999Z");
	seed2s("time-long-fraction", audit_mode(3, false, 0), 0, "2026-11-18T11:07:00.1234567Z");
	seed2s("time-leap-second", audit_mode(3, false, 0), 0, "2016-12-31T23:59:60Z");
}

/* The client harnesses' dictionary. */
static void
gen_client_dict(const char *dir)
{
	static const char *const words[] = {
		"typ", "keyset", "key_certificate", "decision", "release", "lease", "snapshot",
		"checkpoint", "exp", "nbf", "iat", "iss", "tenant_id", "product_id", "sub", "version",
		"install_id", "nonce", "cert", "purposes", "chain_id", "lease_revocations", "leases",
		"lease_id",
		"keys", "seq", "prev_hash", "kid", "purpose", "public_key", "state", "valid_from",
		"valid_until", "root", "audit", "active", "pending", "retiring", "retired", "revoked",
		"null", "2027-01-15T08:00:00Z", "2027-01-15T09:00:00Z", "+01:00", ".5Z", "k4.pid.",
		"k4.public.", "\\\\u00", "tenant-\\\\u00e9",
	};
	char		path[512];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/client.dict", dir);
	f = fopen(path, "w");
	if (f == NULL)
	{
		perror(path);
		exit(1);
	}
	fprintf(f, "# client_verify, client_keyset, client_revocations: written by gen_seeds.c (make fuzz-seeds)\n");
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		fprintf(f, "\"%s\"\n", words[i]);
	for (int i = 0; i < FK_N; i++)
		fprintf(f, "kid_%s=\"%s\"\npub_%s=\"%s\"\n", fuzz_keys[i].name, fuzz_keys[i].kid,
				fuzz_keys[i].name, fuzz_keys[i].pub);
	if (fclose(f) != 0)
	{
		perror(path);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	static char payload[16384];
	size_t		payload_len;

	if (argc != 4)
	{
		fprintf(stderr, "usage: gen_seeds OUTDIR VECTOR_DIR DICT_DIR\n");
		return 2;
	}
	outdir = argv[1];
	if (sodium_init() < 0)
		return 1;
	fuzz_client_keys_init();
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
	{
		perror(outdir);
		return 1;
	}
	payload_len = fuzz_keyset_payload(payload, sizeof(payload), FUZZ_KEYSET_VERSION);

	gen_semver();
	gen_semver_range();
	gen_base64url();
	gen_json(payload);
	gen_rfc3339();
	gen_paseto(argv[2]);
	gen_paserk(argv[2]);
	gen_client_verify();
	gen_client_keyset(payload, payload_len);
	gen_client_revocations();
	gen_audit_chain();
	gen_client_dict(argv[3]);
	printf("gen_seeds: %d seed files under %s\n", written, outdir);
	return 0;
}
