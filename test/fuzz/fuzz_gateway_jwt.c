/*
 * fuzz_gateway_jwt.c — the gateway's JWT verification (src/gateway/jwt.c).
 *
 * Keys are fixed: an HS256 secret and an Ed25519 JWK.  The first byte picks
 * a mode:
 *   even: the rest is a raw token ("Bearer" value) handed to gw_jwt_verify;
 *   odd:  the rest is a header and claims text, "HEADER\nCLAIMS", that the
 *         harness signs with the HS256 secret, so the fuzzer reaches the
 *         claim checks with a valid MAC.
 * Properties: verify always returns a status of the enum, and only OK
 * carries claims, which are then a JSON object that src/core's strict
 * reader accepts; a token the
 * harness signed with the default header never fails as BAD_CRYPTO; a
 * token with a header of the fuzzer's is accepted only if that header is a
 * JSON object whose "alg" is "HS256" (the only algorithm the MAC the harness
 * computed can satisfy: never "none"); the role reader and claims rewriter never fail on accepted
 * claims except by returning NULL, and their output is valid JSON.
 * libFuzzer's leak check covers every allocation.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "base64url.h"
#include "fuzz.h"
#include "json.h"
#include "jwt.h"

#define NOW INT64_C(1800000000)
static const char hs_secret[] = "fuzz-secret-0123456789abcdef-0123456789";
static const char ed_jwk[] =
	"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}";
static gw_jwt_keys keys;
static gw_jspath role_path;
static bool ready;

static void
setup(void)
{
	char		err[256];
	char		both[1024];

	if (ready)
		return;
	snprintf(both, sizeof(both), "{\"keys\":[{\"kty\":\"oct\",\"k\":\"%s\"},%s]}",
			 "ZnV6ei1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZi0wMTIzNDU2Nzg5", ed_jwk);
	FUZZ_ASSERT_MSG(gw_jwt_keys_load(both, strlen(both), false, &keys, err, sizeof(err)) == 0, "%s", err);
	FUZZ_ASSERT(gw_jspath_parse(".role", &role_path) == 0);
	ready = true;
}

static char *
b64url(const uint8_t *in, size_t n)
{
	size_t		cap = bp_b64url_encoded_len(n) + 1;
	char	   *out = fuzz_malloc(cap);
	size_t		len = 0;

	FUZZ_ASSERT(bp_b64url_encode(in, n, out, cap, &len) == BP_B64URL_OK);
	out[len] = '\0';
	return out;
}

/* Is header[0, len) a JSON object whose first "alg" member is "HS256"? */
static bool
alg_is_hs256(const uint8_t *header, size_t len)
{
	size_t		n = 0;
	bp_json_token *tok;
	bool		yes = false;
	int			v;

	if (bp_json_parse((const char *) header, len, NULL, 0, &n) != BP_JSON_OK)
		return false;
	tok = fuzz_malloc(n * sizeof(*tok));
	if (bp_json_parse((const char *) header, len, tok, n, &n) == BP_JSON_OK && tok[0].type == BP_JSON_OBJECT)
	{
		v = bp_json_object_get((const char *) header, tok, n, 0, "alg");
		yes = v >= 0 && tok[v].type == BP_JSON_STRING &&
			bp_json_string_equals((const char *) header, &tok[v], "HS256", 5);
	}
	free(tok);
	return yes;
}

static void
check_result(const gw_jwt_result *r, bool signed_here, bool must_fail)
{
	FUZZ_ASSERT(r->status >= GW_JWT_OK && r->status <= GW_JWT_AUD_NOT_STRING);
	if (signed_here)
		FUZZ_ASSERT(r->status != GW_JWT_BAD_CRYPTO);
	if (must_fail)
		FUZZ_ASSERT(r->status != GW_JWT_OK);
	if (r->status != GW_JWT_OK)
	{
		FUZZ_ASSERT(r->claims == NULL);
		FUZZ_ASSERT(gw_jwt_status_code(r->status) != NULL);
		return;
	}
	FUZZ_ASSERT(r->claims != NULL && strlen(r->claims) == r->claims_len);
	{
		size_t		n = 0;
		bp_json_token tok[1];

		bp_json_status st;

		FUZZ_ASSERT(bp_json_parse(r->claims, r->claims_len, NULL, 0, &n) == BP_JSON_OK);
		st = bp_json_parse(r->claims, r->claims_len, tok, 1, &n);
		FUZZ_ASSERT(st == BP_JSON_OK || st == BP_JSON_TOO_MANY_TOKENS);
		FUZZ_ASSERT(tok[0].type == BP_JSON_OBJECT);
	}
	{
		char	   *role = gw_jwt_role(r->claims, r->claims_len, &role_path);
		char	   *with = gw_jwt_claims_with_role(r->claims, r->claims_len, role ? role : "anon");
		size_t		n = 0;

		if (with != NULL)
			FUZZ_ASSERT(bp_json_parse(with, strlen(with), NULL, 0, &n) == BP_JSON_OK);
		free(role);
		free(with);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gw_jwt_result r;

	setup();
	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0)
	{
		char	   *token = fuzz_dup(data + 1, size - 1);

		memset(&r, 0, sizeof(r));
		gw_jwt_verify(&keys, token, size - 1, NOW, (data[0] & 2) ? "bigpicture" : NULL, &r);
		check_result(&r, false, false);
		gw_jwt_result_free(&r);
		free(token);
		return 0;
	}
	{
		const uint8_t *nl = memchr(data + 1, '\n', size - 1);
		size_t		hlen = nl ? (size_t) (nl - (data + 1)) : 0;
		const uint8_t *claims = nl ? nl + 1 : data + 1;
		size_t		clen = size - 1 - (nl ? hlen + 1 : 0);
		const char *header = nl ? NULL : "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
		char	   *h64 = header ? b64url((const uint8_t *) header, strlen(header)) : b64url(data + 1, hlen);
		char	   *c64 = b64url(claims, clen);
		size_t		slen = strlen(h64) + 1 + strlen(c64);
		char	   *signing = fuzz_malloc(slen + 1);
		unsigned char mac[64];
		size_t		mac_len = 0;
		char	   *m64;
		char	   *token;
		bool		not_hs256 = nl && !alg_is_hs256(data + 1, hlen);

		snprintf(signing, slen + 1, "%s.%s", h64, c64);
		FUZZ_ASSERT(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, hs_secret, strlen(hs_secret),
							  (const unsigned char *) signing, slen, mac, sizeof(mac), &mac_len) != NULL);
		m64 = b64url(mac, mac_len);
		token = fuzz_malloc(slen + 1 + strlen(m64) + 1);
		sprintf(token, "%s.%s", signing, m64);
		memset(&r, 0, sizeof(r));
		gw_jwt_verify(&keys, token, strlen(token), NOW, (data[0] & 2) ? "bigpicture" : NULL, &r);
		/* Signed here with the configured secret: a MAC failure would be a
		 * verification bug, unless the header names another algorithm. */
		check_result(&r, header != NULL, not_hs256);
		gw_jwt_result_free(&r);
		free(h64);
		free(c64);
		free(signing);
		free(m64);
		free(token);
	}
	return 0;
}
