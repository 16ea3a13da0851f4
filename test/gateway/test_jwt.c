/*
 * test_jwt.c — src/gateway/jwt.c without HTTP or a database: tokens are
 * minted here with OpenSSL (HS256/384/512 and Ed25519) and checked against
 * PostgREST's rules and messages.
 */
#include "unit.h"

#include "base64url.h"
#include "config.h"
#include "jwt.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SECRET "0123456789abcdef0123456789abcdef-secret"
static int64_t now;

static char *
b64(const void *data, size_t n)
{
	size_t		len = bp_b64url_encoded_len(n);
	char	   *out = malloc(len + 1);

	bp_b64url_encode(data, n, out, len, &len);
	out[len] = '\0';
	return out;
}

/* header.payload.signature; sign NULL for an empty signature */
static char *
mint(const char *header, const char *claims, const char *hmac_md, const void *hkey, size_t hkeylen,
	 EVP_PKEY *ed)
{
	char	   *h = b64(header, strlen(header)),
			   *p = b64(claims, strlen(claims));
	size_t		n = strlen(h) + strlen(p) + 1;
	char	   *input = malloc(n + 1);
	unsigned char sig[128];
	size_t		siglen = 0;
	char	   *s,
			   *tok;

	snprintf(input, n + 1, "%s.%s", h, p);
	if (hmac_md)
	{
		unsigned int l = 0;

		HMAC(EVP_get_digestbyname(hmac_md), hkey, (int) hkeylen, (unsigned char *) input, n, sig, &l);
		siglen = l;
	}
	else if (ed)
	{
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();

		siglen = sizeof sig;
		EVP_DigestSignInit(ctx, NULL, NULL, NULL, ed);
		EVP_DigestSign(ctx, sig, &siglen, (unsigned char *) input, n);
		EVP_MD_CTX_free(ctx);
	}
	s = b64(sig, siglen);
	tok = malloc(n + strlen(s) + 2);
	sprintf(tok, "%s.%s", input, s);
	free(h);
	free(p);
	free(input);
	free(s);
	return tok;
}

static char *
hs(const char *alg, const char *claims)
{
	char		header[64];

	snprintf(header, sizeof header, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
	return mint(header, claims, !strcmp(alg, "HS256") ? "SHA256" : !strcmp(alg, "HS384") ? "SHA384" : "SHA512",
				SECRET, strlen(SECRET), NULL);
}

static gw_jwt_status
check(const gw_jwt_keys *keys, const char *token, const char *aud)
{
	gw_jwt_result r;
	gw_jwt_status st = gw_jwt_verify(keys, token, strlen(token), now, aud, &r);

	CHECK_MSG((st == GW_JWT_OK) == (r.claims != NULL), "claims only on success");
	gw_jwt_result_free(&r);
	return st;
}

static char *
claims_at(const char *key, int64_t offset)
{
	static char buf[128];

	snprintf(buf, sizeof buf, "{\"role\":\"r\",\"%s\":%lld}", key, (long long) (now + offset));
	return buf;
}

static char *
jwk_of(EVP_PKEY *k, const char *extra)
{
	unsigned char raw[32];
	size_t		n = sizeof raw;
	char	   *x,
			   *out = malloc(256);

	EVP_PKEY_get_raw_public_key(k, raw, &n);
	x = b64(raw, n);
	snprintf(out, 256, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"%s}", x, extra);
	free(x);
	return out;
}

#define T(token_expr, keys, aud, want) \
	do { char *t_ = (token_expr); CHECK_INT_EQ(check((keys), t_, (aud)), (want)); free(t_); } while (0)

int
main(void)
{
	gw_jwt_keys hskeys,
				edkeys,
				jwks,
				tmp;
	char		err[256];
	EVP_PKEY   *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY   *ed2 = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char	   *jwk = jwk_of(ed, "");
	char		msg[128];

	now = (int64_t) time(NULL);

	/* ---- loading keys ---- */
	CHECK_INT_EQ(gw_jwt_keys_load(SECRET, strlen(SECRET), false, &hskeys, err, sizeof err), 0);
	CHECK_INT_EQ(gw_jwt_keys_load(jwk, strlen(jwk), false, &edkeys, err, sizeof err), 0);
	CHECK_INT_EQ(edkeys.keys[0].kind, GW_JWK_ED25519);
	CHECK_INT_EQ(gw_jwt_keys_load("short", 5, false, &tmp, err, sizeof err), -1);
	CHECK(strstr(err, "at least 32") != NULL);
	CHECK(strstr(err, "short") == NULL);	/* the secret is never echoed */
	{
		/* base64 of 32 bytes 'A' */
		const char *b = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=";

		CHECK_INT_EQ(gw_jwt_keys_load(b, strlen(b), true, &tmp, err, sizeof err), 0);
		CHECK_INT_EQ(tmp.keys[0].secret_len, 32);
		CHECK(memcmp(tmp.keys[0].secret, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 32) == 0);
		gw_jwt_keys_free(&tmp);
		CHECK_INT_EQ(gw_jwt_keys_load("not base64!", 11, true, &tmp, err, sizeof err), -1);
	}
	CHECK_INT_EQ(gw_jwt_keys_load("{\"kty\":\"RSA\",\"n\":\"x\",\"e\":\"AQAB\"}", 33, false, &tmp, err, sizeof err), -1);
	CHECK_INT_EQ(gw_jwt_keys_load("{not json", 9, false, &tmp, err, sizeof err), -1);
	CHECK_INT_EQ(gw_jwt_keys_load("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AAAA\"}", 40, false, &tmp, err, sizeof err), -1);
	{
		char		set[1024];
		char	   *k1 = jwk_of(ed, ",\"kid\":\"one\""),
				   *k2 = jwk_of(ed2, ",\"kid\":\"two\"");
		char	   *oct = b64(SECRET, strlen(SECRET));

		snprintf(set, sizeof set, "{\"keys\":[%s,{\"kty\":\"RSA\",\"n\":\"x\",\"e\":\"AQAB\"},%s,"
				 "{\"kty\":\"oct\",\"k\":\"%s\",\"alg\":\"HS512\"}]}", k1, k2, oct);
		CHECK_INT_EQ(gw_jwt_keys_load(set, strlen(set), false, &jwks, err, sizeof err), 0);
		CHECK_INT_EQ(jwks.n, 3);	/* the RSA key is skipped */
		free(k1);
		free(k2);
		free(oct);
	}

	/* ---- HMAC ---- */
	T(hs("HS256", "{\"role\":\"r\"}"), &hskeys, NULL, GW_JWT_OK);
	T(hs("HS384", "{\"role\":\"r\"}"), &hskeys, NULL, GW_JWT_OK);
	T(hs("HS512", "{\"role\":\"r\"}"), &hskeys, NULL, GW_JWT_OK);
	{
		char	   *t = hs("HS256", "{\"role\":\"r\"}");
		char	   *last = strrchr(t, '.') + 1;

		last[0] = last[0] == 'A' ? 'B' : 'A';	/* a different signature */
		CHECK_INT_EQ(check(&hskeys, t, NULL), GW_JWT_BAD_CRYPTO);
		last[-1] = '\0';		/* no signature at all */
		strcat(t, ".");
		CHECK_INT_EQ(check(&hskeys, t, NULL), GW_JWT_BAD_CRYPTO);
		free(t);
	}
	T(mint("{\"alg\":\"HS256\"}", "{\"role\":\"r\"}", "SHA256", "another-secret-another-secret-xx", 32, NULL),
	  &hskeys, NULL, GW_JWT_BAD_CRYPTO);
	{
		/* same signature, payload swapped */
		char	   *a = hs("HS256", "{\"role\":\"r\"}"),
				   *b = hs("HS256", "{\"role\":\"admin\"}");
		char		forged[1024];

		snprintf(forged, sizeof forged, "%.*s%s", (int) (strchr(a, '.') - a + 1), a, strchr(b, '.') + 1);
		*strrchr(forged, '.') = '\0';
		strcat(forged, strrchr(a, '.'));
		CHECK_INT_EQ(check(&hskeys, forged, NULL), GW_JWT_BAD_CRYPTO);
		free(a);
		free(b);
	}

	/* ---- EdDSA ---- */
	T(mint("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}", "{\"role\":\"r\"}", NULL, NULL, 0, ed), &edkeys, NULL, GW_JWT_OK);
	T(mint("{\"alg\":\"EdDSA\"}", "{\"role\":\"r\"}", NULL, NULL, 0, ed2), &edkeys, NULL, GW_JWT_BAD_CRYPTO);
	{
		char	   *t = mint("{\"alg\":\"EdDSA\"}", "{\"role\":\"r\"}", NULL, NULL, 0, ed);
		char	   *p = strchr(t, '.') + 1;

		p[2] = p[2] == 'x' ? 'y' : 'x';	/* tampered payload */
		CHECK_INT_EQ(check(&edkeys, t, NULL), GW_JWT_BAD_CRYPTO);
		free(t);
	}
	/* JWKS: kid selects the key; without kid every Ed25519 key is tried */
	T(mint("{\"alg\":\"EdDSA\",\"kid\":\"two\"}", "{}", NULL, NULL, 0, ed2), &jwks, NULL, GW_JWT_OK);
	T(mint("{\"alg\":\"EdDSA\"}", "{}", NULL, NULL, 0, ed2), &jwks, NULL, GW_JWT_OK);
	T(mint("{\"alg\":\"EdDSA\",\"kid\":\"one\"}", "{}", NULL, NULL, 0, ed2), &jwks, NULL, GW_JWT_BAD_CRYPTO);
	T(hs("HS512", "{}"), &jwks, NULL, GW_JWT_OK);
	T(hs("HS256", "{}"), &jwks, NULL, GW_JWT_KEY_ERROR);	/* the oct key is HS512 only */

	/* ---- algorithm confusion and none ---- */
	T(hs("HS256", "{\"role\":\"r\"}"), &edkeys, NULL, GW_JWT_KEY_ERROR);
	T(mint("{\"alg\":\"EdDSA\"}", "{}", NULL, NULL, 0, ed), &hskeys, NULL, GW_JWT_KEY_ERROR);
	T(mint("{\"alg\":\"none\"}", "{\"role\":\"r\"}", NULL, NULL, 0, NULL), &hskeys, NULL, GW_JWT_BAD_ALG);
	T(mint("{\"alg\":\"none\"}", "{\"role\":\"r\"}", NULL, NULL, 0, NULL), &edkeys, NULL, GW_JWT_BAD_ALG);
	T(mint("{\"alg\":\"None\"}", "{}", NULL, NULL, 0, NULL), &hskeys, NULL, GW_JWT_BAD_ALG);
	T(mint("{\"alg\":\"RS256\"}", "{}", "SHA256", SECRET, strlen(SECRET), NULL), &hskeys, NULL, GW_JWT_KEY_ERROR);
	T(mint("{\"alg\":\"HS999\"}", "{}", "SHA256", SECRET, strlen(SECRET), NULL), &hskeys, NULL, GW_JWT_BAD_ALG);
	T(mint("{\"typ\":\"JWT\"}", "{}", "SHA256", SECRET, strlen(SECRET), NULL), &hskeys, NULL, GW_JWT_BAD_CRYPTO);
	T(mint("{\"alg\":256}", "{}", "SHA256", SECRET, strlen(SECRET), NULL), &hskeys, NULL, GW_JWT_BAD_CRYPTO);
	T(mint("{\"alg\":\"dir\",\"enc\":\"A128GCM\"}", "{}", NULL, NULL, 0, NULL), &hskeys, NULL, GW_JWT_UNSUPPORTED_TYPE);

	/* ---- time claims: 30 s leeway on each side ---- */
	T(hs("HS256", claims_at("exp", 60)), &hskeys, NULL, GW_JWT_OK);
	T(hs("HS256", claims_at("exp", -30)), &hskeys, NULL, GW_JWT_OK);
	T(hs("HS256", claims_at("exp", -31)), &hskeys, NULL, GW_JWT_EXPIRED);
	T(hs("HS256", claims_at("nbf", 30)), &hskeys, NULL, GW_JWT_OK);
	T(hs("HS256", claims_at("nbf", 31)), &hskeys, NULL, GW_JWT_NOT_YET_VALID);
	T(hs("HS256", claims_at("iat", 30)), &hskeys, NULL, GW_JWT_OK);
	T(hs("HS256", claims_at("iat", 31)), &hskeys, NULL, GW_JWT_IAT_FUTURE);
	T(hs("HS256", "{\"exp\":\"tomorrow\"}"), &hskeys, NULL, GW_JWT_EXP_NOT_NUMBER);
	T(hs("HS256", "{\"nbf\":true}"), &hskeys, NULL, GW_JWT_NBF_NOT_NUMBER);
	T(hs("HS256", "{\"iat\":[1]}"), &hskeys, NULL, GW_JWT_IAT_NOT_NUMBER);
	T(hs("HS256", "{\"exp\":null,\"nbf\":null}"), &hskeys, NULL, GW_JWT_OK);
	T(hs("HS256", "{\"exp\":1.5}"), &hskeys, NULL, GW_JWT_EXPIRED);	/* not an integer: 0, as PostgREST */
	T(hs("HS256", "{\"exp\":4.0e12}"), &hskeys, NULL, GW_JWT_OK);
	T(hs("HS256", "{\"exp\":1e400}"), &hskeys, NULL, GW_JWT_EXPIRED);
	/* exp is checked before nbf, as in PostgREST */
	{
		char		c[128];

		snprintf(c, sizeof c, "{\"exp\":%lld,\"nbf\":%lld}", (long long) (now - 100), (long long) (now + 100));
		T(hs("HS256", c), &hskeys, NULL, GW_JWT_EXPIRED);
	}

	/* ---- audience ---- */
	T(hs("HS256", "{\"aud\":\"api\"}"), &hskeys, "api", GW_JWT_OK);
	T(hs("HS256", "{\"aud\":\"other\"}"), &hskeys, "api", GW_JWT_NOT_IN_AUDIENCE);
	T(hs("HS256", "{\"aud\":[\"x\",\"api\"]}"), &hskeys, "api", GW_JWT_OK);
	T(hs("HS256", "{\"aud\":[\"x\",\"y\"]}"), &hskeys, "api", GW_JWT_NOT_IN_AUDIENCE);
	T(hs("HS256", "{\"aud\":[]}"), &hskeys, "api", GW_JWT_OK);
	T(hs("HS256", "{\"aud\":[\"api\",1]}"), &hskeys, "api", GW_JWT_AUD_NOT_STRING);
	T(hs("HS256", "{\"aud\":5}"), &hskeys, "api", GW_JWT_AUD_NOT_STRING);
	T(hs("HS256", "{\"aud\":5}"), &hskeys, NULL, GW_JWT_AUD_NOT_STRING);
	T(hs("HS256", "{\"aud\":\"anything\"}"), &hskeys, NULL, GW_JWT_OK);
	T(hs("HS256", "{\"role\":\"r\"}"), &hskeys, "api", GW_JWT_OK);	/* no aud claim */
	T(hs("HS256", "{\"aud\":\"a\\u0070i\"}"), &hskeys, "api", GW_JWT_OK);	/* compared unescaped */

	/* ---- malformed tokens ---- */
	CHECK_INT_EQ(check(&hskeys, "", NULL), GW_JWT_EMPTY);
	{
		gw_jwt_result r;

		CHECK_INT_EQ(gw_jwt_verify(&hskeys, "a.b", 3, now, NULL, &r), GW_JWT_PARTS);
		CHECK_INT_EQ(r.parts, 2);
		CHECK_STR_EQ(gw_jwt_status_message(r.status, r.parts, msg, sizeof msg), "Expected 3 parts in JWT; got 2");
		CHECK_INT_EQ(gw_jwt_verify(&hskeys, "a.b.c.d", 7, now, NULL, &r), GW_JWT_PARTS);
		CHECK_INT_EQ(r.parts, 4);
		CHECK_INT_EQ(gw_jwt_verify(&hskeys, "abc", 3, now, NULL, &r), GW_JWT_PARTS);
		CHECK_INT_EQ(r.parts, 1);
	}
	CHECK_INT_EQ(check(&hskeys, "!!!.eyJ9.abc", NULL), GW_JWT_BAD_CRYPTO);	/* bad base64url */
	CHECK_INT_EQ(check(&hskeys, "eyJhbGciOiJIUzI1NiJ9=.e30.abc", NULL), GW_JWT_BAD_CRYPTO);	/* padding */
	CHECK_INT_EQ(check(&hskeys, "..", NULL), GW_JWT_BAD_CRYPTO);
	CHECK_INT_EQ(check(&hskeys, "bm90IGpzb24.e30.abc", NULL), GW_JWT_BAD_CRYPTO);	/* header "not json" */
	CHECK_INT_EQ(check(&hskeys, "WzFd.e30.abc", NULL), GW_JWT_BAD_CRYPTO);	/* header [1] */
	{
		/* correctly signed, but the payload is not a JSON object */
		T(mint("{\"alg\":\"HS256\"}", "not json", "SHA256", SECRET, strlen(SECRET), NULL), &hskeys, NULL, GW_JWT_CLAIMS_PARSE);
		T(mint("{\"alg\":\"HS256\"}", "[1,2]", "SHA256", SECRET, strlen(SECRET), NULL), &hskeys, NULL, GW_JWT_CLAIMS_PARSE);
		T(mint("{\"alg\":\"HS256\"}", "{\"a\":\"\xff\"}", "SHA256", SECRET, strlen(SECRET), NULL), &hskeys, NULL, GW_JWT_CLAIMS_PARSE);
		T(mint("{\"alg\":\"HS256\"}", "{\"a\":1,}", "SHA256", SECRET, strlen(SECRET), NULL), &hskeys, NULL, GW_JWT_CLAIMS_PARSE);
	}
	{
		char	   *t = hs("HS256", "{}");

		t = realloc(t, strlen(t) + 2);
		strcat(t, "*");			/* not base64url */
		CHECK_INT_EQ(check(&hskeys, t, NULL), GW_JWT_BAD_CRYPTO);
		free(t);
	}

	/* ---- repeated members: refused (the database reads the last one) ---- */
	T(hs("HS256", "{\"role\":\"r\",\"role\":\"admin\"}"), &hskeys, NULL, GW_JWT_CLAIMS_DUPLICATE);
	T(hs("HS256", "{\"tenant_id\":\"a\",\"x\":1,\"tenant_id\":\"b\"}"), &hskeys, NULL, GW_JWT_CLAIMS_DUPLICATE);
	T(hs("HS256", "{\"exp\":1,\"exp\":99999999999}"), &hskeys, NULL, GW_JWT_CLAIMS_DUPLICATE);
	T(hs("HS256", "{\"role\":\"r\",\"r\\u006fle\":\"admin\"}"), &hskeys, NULL, GW_JWT_CLAIMS_DUPLICATE);	/* escaped */
	T(hs("HS256", "{\"app\":{\"role\":\"a\",\"role\":\"b\"}}"), &hskeys, NULL, GW_JWT_CLAIMS_DUPLICATE);	/* nested */
	T(hs("HS256", "{\"a\":{\"k\":1},\"b\":{\"k\":2},\"role\":\"r\"}"), &hskeys, NULL, GW_JWT_OK);	/* same name, other objects */
	T(mint("{\"alg\":\"HS256\",\"alg\":\"none\"}", "{}", "SHA256", SECRET, strlen(SECRET), NULL), &hskeys, NULL, GW_JWT_HEADER_DUPLICATE);
	/* 3000 claims, the last repeating the first (escaped): src/core's sorted check */
	{
		size_t		cap = 3000 * 16 + 64,
					len = 0;
		char	   *claims = malloc(cap);

		claims[len++] = '{';
		for (int m = 0; m < 3000; m++)
			len += (size_t) snprintf(claims + len, cap - len, "\"c%04d\":%d,", m, m);
		snprintf(claims + len, cap - len, "\"role\":\"r\"}");
		T(hs("HS256", claims), &hskeys, NULL, GW_JWT_OK);
		snprintf(claims + len, cap - len, "\"\\u0063%04d\":1}", 0);
		T(hs("HS256", claims), &hskeys, NULL, GW_JWT_CLAIMS_DUPLICATE);
		free(claims);
	}
	CHECK_STR_EQ(gw_jwt_status_code(GW_JWT_HEADER_DUPLICATE), "PGRST301");
	CHECK_STR_EQ(gw_jwt_status_code(GW_JWT_CLAIMS_DUPLICATE), "PGRST303");
	CHECK_STR_EQ(gw_jwt_status_message(GW_JWT_CLAIMS_DUPLICATE, 0, msg, sizeof msg), "The JWT claims repeat a member");

	/* ---- jwt-require-exp ---- */
	{
		gw_jwt_result r;
		char	   *t = hs("HS256", "{\"role\":\"r\"}");

		CHECK_INT_EQ(gw_jwt_verify_ex(&hskeys, t, strlen(t), now, NULL, true, &r), GW_JWT_EXP_MISSING);
		gw_jwt_result_free(&r);
		CHECK_INT_EQ(gw_jwt_verify_ex(&hskeys, t, strlen(t), now, NULL, false, &r), GW_JWT_OK);
		gw_jwt_result_free(&r);
		free(t);
		t = hs("HS256", "{\"role\":\"r\",\"exp\":null}");
		CHECK_INT_EQ(gw_jwt_verify_ex(&hskeys, t, strlen(t), now, NULL, true, &r), GW_JWT_EXP_MISSING);
		gw_jwt_result_free(&r);
		free(t);
		t = hs("HS256", claims_at("exp", 60));
		CHECK_INT_EQ(gw_jwt_verify_ex(&hskeys, t, strlen(t), now, NULL, true, &r), GW_JWT_OK);
		gw_jwt_result_free(&r);
		free(t);
		CHECK_STR_EQ(gw_jwt_status_code(GW_JWT_EXP_MISSING), "PGRST303");
	}

	/* ---- configuration: jwt-secret = "@file", jwt-require-exp ---- */
	{
		char		dir[] = "/tmp/gw-jwt-test.XXXXXX";
		char		path[256],
					env1[400],
					err[512];
		char	   *envv[3] = {env1, NULL, NULL};
		gw_config	cfg;
		FILE	   *f;
		gw_jwt_result r;
		char	   *t;

		CHECK(mkdtemp(dir) != NULL);
		snprintf(path, sizeof path, "%s/secret", dir);
		f = fopen(path, "w");
		fprintf(f, "%s\n", SECRET);	/* one trailing newline is not part of the secret */
		fclose(f);
		snprintf(env1, sizeof env1, "PGRST_JWT_SECRET=@%s", path);
		CHECK_INT_EQ(gw_config_load(&cfg, NULL, envv, err, sizeof err), 0);
		t = hs("HS256", "{\"role\":\"r\"}");
		CHECK_INT_EQ(gw_jwt_verify(&cfg.jwt_keys, t, strlen(t), now, NULL, &r), GW_JWT_OK);
		gw_jwt_result_free(&r);
		CHECK(!cfg.jwt_require_exp);
		gw_config_free(&cfg);
		/* a token signed with the path itself must not verify */
		{
			char	   *p2 = mint("{\"alg\":\"HS256\"}", "{\"role\":\"r\"}", "SHA256", env1 + 17, strlen(env1 + 17), NULL);

			CHECK_INT_EQ(gw_config_load(&cfg, NULL, envv, err, sizeof err), 0);
			CHECK_INT_EQ(gw_jwt_verify(&cfg.jwt_keys, p2, strlen(p2), now, NULL, &r), GW_JWT_BAD_CRYPTO);
			gw_jwt_result_free(&r);
			gw_config_free(&cfg);
			free(p2);
		}
		/* a JWK in the file */
		{
			char	   *k = b64(SECRET, strlen(SECRET));

			f = fopen(path, "w");
			fprintf(f, "{\"kty\":\"oct\",\"k\":\"%s\"}\n", k);
			fclose(f);
			free(k);
			CHECK_INT_EQ(gw_config_load(&cfg, NULL, envv, err, sizeof err), 0);
			CHECK_INT_EQ(gw_jwt_verify(&cfg.jwt_keys, t, strlen(t), now, NULL, &r), GW_JWT_OK);
			gw_jwt_result_free(&r);
			gw_config_free(&cfg);
		}
		/* empty and missing files refuse to start */
		f = fopen(path, "w");
		fputs("\n", f);
		fclose(f);
		CHECK_INT_EQ(gw_config_load(&cfg, NULL, envv, err, sizeof err), -1);
		CHECK(strstr(err, "is empty") != NULL);
		unlink(path);
		CHECK_INT_EQ(gw_config_load(&cfg, NULL, envv, err, sizeof err), -1);
		CHECK(strstr(err, "cannot read the secret file") != NULL);
		/* the same in a config file */
		{
			char		conf[256];

			snprintf(conf, sizeof conf, "%s/gw.conf", dir);
			f = fopen(conf, "w");
			fprintf(f, "jwt-secret = \"@%s\"\njwt-require-exp = true\n", path);
			fclose(f);
			CHECK_INT_EQ(gw_config_load(&cfg, conf, NULL, err, sizeof err), -1);
			f = fopen(path, "w");
			fprintf(f, "%s", SECRET);
			fclose(f);
			CHECK_INT_EQ(gw_config_load(&cfg, conf, NULL, err, sizeof err), 0);
			CHECK(cfg.jwt_require_exp);
			gw_config_free(&cfg);
			unlink(conf);
		}
		envv[0] = "BIGPICTURE_GATEWAY_JWT_REQUIRE_EXP=true";
		CHECK_INT_EQ(gw_config_load(&cfg, NULL, envv, err, sizeof err), 0);
		CHECK(cfg.jwt_require_exp);
		gw_config_free(&cfg);
		unlink(path);
		rmdir(dir);
		free(t);
	}

	/* ---- codes and messages ---- */
	CHECK_STR_EQ(gw_jwt_status_code(GW_JWT_BAD_CRYPTO), "PGRST301");
	CHECK_STR_EQ(gw_jwt_status_code(GW_JWT_EXPIRED), "PGRST303");
	CHECK_STR_EQ(gw_jwt_status_message(GW_JWT_EXPIRED, 0, msg, sizeof msg), "JWT expired");
	CHECK_STR_EQ(gw_jwt_status_message(GW_JWT_BAD_ALG, 0, msg, sizeof msg), "Wrong or unsupported encoding algorithm");
	CHECK_STR_EQ(gw_jwt_status_message(GW_JWT_KEY_ERROR, 0, msg, sizeof msg), "No suitable key or wrong key type");
	CHECK_STR_EQ(gw_jwt_status_message(GW_JWT_NOT_IN_AUDIENCE, 0, msg, sizeof msg), "JWT not in audience");

	/* ---- role claim paths ---- */
	{
		gw_jspath	p;
		const char *claims = "{\"role\":\"web\",\"https://x.org/r\":\"quoted\",\"a\":{\"b\":\"deep\"},"
			"\"roles\":[\"first\",\"second\"],\"n\":42,\"e\":\"we\\\"ird\"}";
		char	   *r;

#define ROLE(spec, want) \
		do { CHECK_INT_EQ(gw_jspath_parse((spec), &p), 0); r = gw_jwt_role(claims, strlen(claims), &p); \
			 if (want) CHECK_STR_EQ(r, (want)); else CHECK(r == NULL); free(r); gw_jspath_free(&p); } while (0)
		ROLE(".role", "web");
		ROLE(".\"role\"", "web");
		ROLE(".\"https://x.org/r\"", "quoted");
		ROLE(".a.b", "deep");
		ROLE(".roles[1]", "second");
		ROLE(".roles[2]", (char *) NULL);
		ROLE(".n", "42");
		ROLE(".a", "{\"b\":\"deep\"}");
		ROLE(".e", "we\"ird");
		ROLE(".missing", (char *) NULL);
		CHECK_INT_EQ(gw_jspath_parse("", &p), -1);
		CHECK_INT_EQ(gw_jspath_parse("role", &p), -1);
		CHECK_INT_EQ(gw_jspath_parse(".a[", &p), -1);
		CHECK_INT_EQ(gw_jspath_parse(".\"open", &p), -1);
		CHECK_INT_EQ(gw_jspath_parse(".a[-1]", &p), -1);
	}
	{
		const char *c = "{\"role\":\"old\",\"sub\":\"u1\",\"x\":[1,{\"y\":null}],\"s\":\"a\\\"b\"}";
		char	   *w = gw_jwt_claims_with_role(c, strlen(c), "new");

		CHECK_STR_EQ(w, "{\"role\":\"new\",\"sub\":\"u1\",\"x\":[1,{\"y\":null}],\"s\":\"a\\\"b\"}");
		free(w);
		w = gw_jwt_claims_with_role(NULL, 0, "anon");
		CHECK_STR_EQ(w, "{\"role\":\"anon\"}");
		free(w);
	}

	gw_jwt_keys_free(&hskeys);
	gw_jwt_keys_free(&edkeys);
	gw_jwt_keys_free(&jwks);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(ed2);
	free(jwk);
	return unit_summary("gateway-jwt");
}
