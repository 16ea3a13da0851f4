/*
 * jwt.c — JWS verification for the gateway (see jwt.h for the contract).
 *
 * Messages and their order follow PostgREST (src/PostgREST/Auth/Jwt.hs and
 * Error.hs): the token shape is checked first, then algorithm and key, then
 * the signature, and only then the claims, in the order exp, nbf, iat, aud,
 * reporting the first failure.  Decoding uses src/core (base64url, json).
 */
#include "jwt.h"

#include "base64url.h"
#include "buf.h"
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

/* ---- small helpers ------------------------------------------------------ */

static void
set_err(char *err, size_t cap, const char *msg)
{
	if (err && cap)
		snprintf(err, cap, "%s", msg);
}

/* Parse text into freshly allocated tokens; NULL on any parse error. */
static bp_json_token *
parse_tokens(const char *text, size_t len, size_t *n)
{
	size_t		need = 0;
	bp_json_token *toks;

	if (bp_json_parse(text, len, NULL, 0, &need) != BP_JSON_OK || need == 0)
		return NULL;
	toks = gw_xcalloc(need, sizeof *toks);
	if (bp_json_parse(text, len, toks, need, n) != BP_JSON_OK)
	{
		free(toks);
		return NULL;
	}
	return toks;
}

/* A string token unescaped into a new C string; NULL if it holds NUL. */
static char *
string_dup(const char *text, const bp_json_token *tok)
{
	size_t		n = 0;
	char	   *s;

	if (tok->type != BP_JSON_STRING)
		return NULL;
	s = gw_xmalloc(tok->end - tok->start + 1);
	if (bp_json_unescape(text, tok, s, tok->end - tok->start + 1, &n) != BP_JSON_OK ||
		memchr(s, '\0', n) != NULL)
	{
		free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

/*
 * Strict base64url (JWS segments, RFC 7515: no padding, URL alphabet,
 * canonical trailing bits), decoded by src/core into a malloc'd buffer;
 * NULL when the text is not valid.
 */
static unsigned char *
b64url_decode(const char *in, size_t n, size_t *out_len)
{
	size_t		cap = bp_b64url_decoded_len(n);
	unsigned char *out = gw_xmalloc(cap + 1);

	if (bp_b64url_decode_public(in, n, out, cap + 1, out_len) != BP_B64URL_OK)
	{
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Base64 as the configuration may carry it (jwt-secret-is-base64, and the
 * "k" and "x" members of a JWK): the standard or the URL alphabet, '='
 * padding optional, trailing '=', blanks and line breaks ignored.  This is
 * not a second decoder: the text is rewritten into unpadded base64url and
 * handed to src/core, so it must also end in canonical bits (the unused low
 * bits of the last character zero, as every encoder writes them).  Returns
 * a malloc'd buffer or NULL.
 */
static unsigned char *
base64_decode_lenient(const char *in, size_t n, size_t *out_len)
{
	char	   *url;
	unsigned char *out;

	while (n > 0 && (in[n - 1] == '=' || in[n - 1] == '\n' || in[n - 1] == '\r' || in[n - 1] == ' '))
		n--;
	url = gw_xmalloc(n);
	for (size_t i = 0; i < n; i++)
		url[i] = in[i] == '+' ? '-' : in[i] == '/' ? '_' : in[i];
	out = b64url_decode(url, n, out_len);
	OPENSSL_cleanse(url, n);	/* it may be an HMAC secret */
	free(url);
	return out;
}

/* ---- keys ------------------------------------------------------------------ */

static void
jwk_clear(gw_jwk *k)
{
	if (k->secret)
	{
		OPENSSL_cleanse(k->secret, k->secret_len);
		free(k->secret);
	}
	if (k->pkey)
		EVP_PKEY_free((EVP_PKEY *) k->pkey);
	free(k->kid);
	free(k->alg);
	memset(k, 0, sizeof *k);
}

void
gw_jwt_keys_free(gw_jwt_keys *keys)
{
	for (size_t i = 0; i < keys->n; i++)
		jwk_clear(&keys->keys[i]);
	keys->n = 0;
}

/* Optional string member; *out NULL when absent.  -1 if present but bad. */
static int
opt_string(const char *text, const bp_json_token *t, size_t n, int obj, const char *key, char **out)
{
	int			i = bp_json_object_get(text, t, n, obj, key);

	*out = NULL;
	if (i < 0 || t[i].type == BP_JSON_NULL)
		return 0;
	*out = string_dup(text, &t[i]);
	return *out ? 0 : -1;
}

/*
 * One JWK object at index obj.  Returns 1 loaded, 0 skipped (a key type or
 * use we do not verify with), -1 invalid.
 */
static int
load_jwk(const char *text, const bp_json_token *t, size_t n, int obj, gw_jwk *k,
		 char *err, size_t errcap)
{
	char	   *kty = NULL,
			   *use = NULL,
			   *crv = NULL,
			   *material = NULL;
	int			rc = -1;

	memset(k, 0, sizeof *k);
	if (t[obj].type != BP_JSON_OBJECT)
	{
		set_err(err, errcap, "a JWK must be a JSON object");
		return -1;
	}
	if (opt_string(text, t, n, obj, "kty", &kty) < 0 || kty == NULL ||
		opt_string(text, t, n, obj, "use", &use) < 0 ||
		opt_string(text, t, n, obj, "kid", &k->kid) < 0 ||
		opt_string(text, t, n, obj, "alg", &k->alg) < 0 ||
		opt_string(text, t, n, obj, "crv", &crv) < 0)
	{
		set_err(err, errcap, "a JWK needs a string \"kty\"; \"use\", \"kid\", \"alg\" and \"crv\" must be strings");
		goto done;
	}
	if (use && strcmp(use, "sig") != 0)
	{
		rc = 0;
		goto done;
	}
	if (strcmp(kty, "oct") == 0)
	{
		if (opt_string(text, t, n, obj, "k", &material) < 0 || material == NULL)
		{
			set_err(err, errcap, "an \"oct\" JWK needs a string \"k\"");
			goto done;
		}
		k->kind = GW_JWK_HMAC;
		k->secret = base64_decode_lenient(material, strlen(material), &k->secret_len);
		if (k->secret == NULL || k->secret_len == 0)
		{
			set_err(err, errcap, "the \"k\" of an \"oct\" JWK is not base64url");
			goto done;
		}
		rc = 1;
	}
	else if (strcmp(kty, "OKP") == 0 && crv && strcmp(crv, "Ed25519") == 0)
	{
		unsigned char *x;
		size_t		xlen = 0;

		if (opt_string(text, t, n, obj, "x", &material) < 0 || material == NULL)
		{
			set_err(err, errcap, "an Ed25519 JWK needs a string \"x\"");
			goto done;
		}
		x = base64_decode_lenient(material, strlen(material), &xlen);
		if (x == NULL || xlen != 32)
		{
			free(x);
			set_err(err, errcap, "the \"x\" of an Ed25519 JWK must be 32 bytes of base64url");
			goto done;
		}
		k->kind = GW_JWK_ED25519;
		k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xlen);
		free(x);
		if (k->pkey == NULL)
		{
			set_err(err, errcap, "OpenSSL rejected the Ed25519 public key");
			goto done;
		}
		rc = 1;
	}
	else
		rc = 0;					/* RSA, EC, X25519...: not supported, skipped */
done:
	free(kty);
	free(use);
	free(crv);
	free(material);
	if (rc != 1)
		jwk_clear(k);
	return rc;
}

int
gw_jwt_keys_load(const char *secret, size_t len, bool is_base64, gw_jwt_keys *out,
				 char *err, size_t errcap)
{
	size_t		i = 0;

	memset(out, 0, sizeof *out);
	while (i < len && (secret[i] == ' ' || secret[i] == '\t' || secret[i] == '\n' || secret[i] == '\r'))
		i++;
	if (i < len && secret[i] == '{')
	{
		size_t		n = 0;
		bp_json_token *t = parse_tokens(secret, len, &n);
		int			keys_idx;

		if (t == NULL || t[0].type != BP_JSON_OBJECT)
		{
			free(t);
			set_err(err, errcap, "the JWT secret starts with '{' but is not a JSON object (JWK or JWKS)");
			return -1;
		}
		keys_idx = bp_json_object_get(secret, t, n, 0, "keys");
		if (keys_idx >= 0)
		{
			int			child = keys_idx + 1;

			if (t[keys_idx].type != BP_JSON_ARRAY)
			{
				free(t);
				set_err(err, errcap, "\"keys\" of the JWKS must be an array");
				return -1;
			}
			for (size_t e = 0; e < t[keys_idx].size; e++)
			{
				int			rc;

				if (out->n == GW_JWT_MAX_KEYS)
				{
					free(t);
					gw_jwt_keys_free(out);
					set_err(err, errcap, "the JWKS has more keys than the gateway supports (16)");
					return -1;
				}
				rc = load_jwk(secret, t, n, child, &out->keys[out->n], err, errcap);
				if (rc < 0)
				{
					free(t);
					gw_jwt_keys_free(out);
					return -1;
				}
				out->n += (size_t) rc;
				child = bp_json_skip(t, n, child);
			}
		}
		else
		{
			int			rc = load_jwk(secret, t, n, 0, &out->keys[0], err, errcap);

			if (rc < 0)
			{
				free(t);
				return -1;
			}
			out->n = (size_t) rc;
		}
		free(t);
		if (out->n == 0)
		{
			set_err(err, errcap, "the JWK/JWKS holds no key the gateway can verify with (supported: kty \"oct\", kty \"OKP\" with crv \"Ed25519\")");
			return -1;
		}
		return 0;
	}

	out->keys[0].kind = GW_JWK_HMAC;
	if (is_base64)
	{
		out->keys[0].secret = base64_decode_lenient(secret, len, &out->keys[0].secret_len);
		if (out->keys[0].secret == NULL)
		{
			set_err(err, errcap, "jwt-secret-is-base64 is set but the JWT secret is not valid base64");
			return -1;
		}
	}
	else
	{
		out->keys[0].secret = gw_xmalloc(len ? len : 1);
		memcpy(out->keys[0].secret, secret, len);
		out->keys[0].secret_len = len;
	}
	out->n = 1;
	if (out->keys[0].secret_len < GW_JWT_MIN_SECRET_LEN)
	{
		gw_jwt_keys_free(out);
		set_err(err, errcap, "the JWT secret must be at least 32 characters long");
		return -1;
	}
	return 0;
}

/* ---- verification -------------------------------------------------------- */

const char *
gw_jwt_status_code(gw_jwt_status st)
{
	switch (st)
	{
		case GW_JWT_OK:
			return NULL;
		case GW_JWT_EMPTY:
		case GW_JWT_PARTS:
		case GW_JWT_KEY_ERROR:
		case GW_JWT_BAD_ALG:
		case GW_JWT_BAD_CRYPTO:
		case GW_JWT_UNSUPPORTED_TYPE:
		case GW_JWT_HEADER_DUPLICATE:
			return "PGRST301";
		default:
			return "PGRST303";
	}
}

const char *
gw_jwt_status_message(gw_jwt_status st, int parts, char *buf, size_t cap)
{
	const char *m = "JWT couldn't be decoded";

	switch (st)
	{
		case GW_JWT_OK:
			m = "";
			break;
		case GW_JWT_EMPTY:
			m = "Empty JWT is sent in Authorization header";
			break;
		case GW_JWT_PARTS:
			snprintf(buf, cap, "Expected 3 parts in JWT; got %d", parts);
			return buf;
		case GW_JWT_KEY_ERROR:
			m = "No suitable key or wrong key type";
			break;
		case GW_JWT_BAD_ALG:
			m = "Wrong or unsupported encoding algorithm";
			break;
		case GW_JWT_BAD_CRYPTO:
			m = "JWT cryptographic operation failed";
			break;
		case GW_JWT_UNSUPPORTED_TYPE:
			m = "Unsupported token type";
			break;
		case GW_JWT_CLAIMS_PARSE:
			m = "Parsing claims failed";
			break;
		case GW_JWT_EXPIRED:
			m = "JWT expired";
			break;
		case GW_JWT_NOT_YET_VALID:
			m = "JWT not yet valid";
			break;
		case GW_JWT_IAT_FUTURE:
			m = "JWT issued at future";
			break;
		case GW_JWT_NOT_IN_AUDIENCE:
			m = "JWT not in audience";
			break;
		case GW_JWT_EXP_NOT_NUMBER:
			m = "The JWT 'exp' claim must be a number";
			break;
		case GW_JWT_NBF_NOT_NUMBER:
			m = "The JWT 'nbf' claim must be a number";
			break;
		case GW_JWT_IAT_NOT_NUMBER:
			m = "The JWT 'iat' claim must be a number";
			break;
		case GW_JWT_HEADER_DUPLICATE:
			m = "The JWT header repeats a member";
			break;
		case GW_JWT_CLAIMS_DUPLICATE:
			m = "The JWT claims repeat a member";
			break;
		case GW_JWT_EXP_MISSING:
			m = "The JWT has no 'exp' claim";
			break;
		case GW_JWT_AUD_NOT_STRING:
			m = "The JWT 'aud' claim must be a string or an array of strings";
			break;
	}
	snprintf(buf, cap, "%s", m);
	return buf;
}

void
gw_jwt_result_free(gw_jwt_result *r)
{
	free(r->claims);
	r->claims = NULL;
	r->claims_len = 0;
}

typedef enum alg_family
{
	ALG_UNKNOWN,
	ALG_NONE,
	ALG_HMAC,
	ALG_EDDSA,
	ALG_OTHER_KNOWN				/* RS*, ES*, PS*: valid JOSE, but no key of ours fits */
} alg_family;

static alg_family
classify_alg(const char *alg, const char **digest)
{
	*digest = NULL;
	if (strcmp(alg, "none") == 0)
		return ALG_NONE;
	if (strcmp(alg, "HS256") == 0)
		*digest = "SHA256";
	else if (strcmp(alg, "HS384") == 0)
		*digest = "SHA384";
	else if (strcmp(alg, "HS512") == 0)
		*digest = "SHA512";
	if (*digest)
		return ALG_HMAC;
	if (strcmp(alg, "EdDSA") == 0)
		return ALG_EDDSA;
	if (!strcmp(alg, "RS256") || !strcmp(alg, "RS384") || !strcmp(alg, "RS512") ||
		!strcmp(alg, "ES256") || !strcmp(alg, "ES384") || !strcmp(alg, "ES512") ||
		!strcmp(alg, "PS256") || !strcmp(alg, "PS384") || !strcmp(alg, "PS512"))
		return ALG_OTHER_KNOWN;
	return ALG_UNKNOWN;
}

static bool
hmac_ok(const gw_jwk *k, const char *digest, const unsigned char *msg, size_t msglen,
		const unsigned char *sig, size_t siglen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t		maclen = 0;
	EVP_MAC    *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM	params[2];
	bool		ok = false;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *) digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx && EVP_MAC_init(ctx, k->secret, k->secret_len, params) == 1 &&
		EVP_MAC_update(ctx, msg, msglen) == 1 &&
		EVP_MAC_final(ctx, mac, &maclen, sizeof mac) == 1)
		ok = siglen == maclen && CRYPTO_memcmp(mac, sig, maclen) == 0;
	OPENSSL_cleanse(mac, sizeof mac);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return ok;
}

static bool
ed25519_ok(const gw_jwk *k, const unsigned char *msg, size_t msglen,
		   const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx;
	bool		ok = false;

	if (siglen != 64)
		return false;
	ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, (EVP_PKEY *) k->pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, msg, msglen) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/*
 * A NumericDate read as PostgREST does (Scientific.toBoundedInteger, 0 when
 * that fails): integers exactly, integral decimals like 1.0e3 too, anything
 * else as 0.
 */
static int64_t
numeric_date(const char *text, const bp_json_token *tok)
{
	int64_t		v = 0;
	bp_json_status st = bp_json_int64(text, tok, &v);

	if (st == BP_JSON_OK)
		return v;
	if (st == BP_JSON_NOT_INTEGER)
	{
		char		tmp[64];
		size_t		n = tok->end - tok->start;
		double		d;

		if (n >= sizeof tmp)
			return 0;
		memcpy(tmp, text + tok->start, n);
		tmp[n] = '\0';
		d = strtod(tmp, NULL);
		if (isfinite(d) && d == floor(d) && d > -9.2e18 && d < 9.2e18)
			return (int64_t) d;
	}
	return 0;
}

/*
 * true when some object in t[0, n) (at any depth) has two members whose
 * unescaped names are equal.  The gateway reads the first of a repeated
 * member and PostgreSQL's jsonb the last, so such a token is refused.  The
 * check is src/core's, the one the extension applies to request.jwt.claims;
 * scratch for n / 2 keys keeps it O(m log m) however large the object.
 */
static bool
has_duplicate_member(const char *text, const bp_json_token *t, size_t n)
{
	size_t		scratch_len = n / 2 + 1;
	int		   *scratch = gw_xcalloc(scratch_len, sizeof *scratch);
	bool		dup = bp_json_find_duplicate_key(text, t, n, scratch, scratch_len) >= 0;

	free(scratch);
	return dup;
}

static gw_jwt_status
check_claims(const char *text, const bp_json_token *t, size_t n, int64_t now, const char *audience,
			 bool require_exp)
{
	static const struct
	{
		const char *name;
		gw_jwt_status not_number;
	}			times[] = {
		{"exp", GW_JWT_EXP_NOT_NUMBER},
		{"nbf", GW_JWT_NBF_NOT_NUMBER},
		{"iat", GW_JWT_IAT_NOT_NUMBER},
	};
	int			aud;

	for (int i = 0; i < 3; i++)
	{
		int			idx = bp_json_object_get(text, t, n, 0, times[i].name);
		int64_t		v;

		if (idx < 0 || t[idx].type == BP_JSON_NULL)
		{
			if (i == 0 && require_exp)
				return GW_JWT_EXP_MISSING;
			continue;
		}
		if (t[idx].type != BP_JSON_NUMBER)
			return times[i].not_number;
		v = numeric_date(text, &t[idx]);
		if (i == 0 && now - GW_JWT_LEEWAY_SECONDS > v)
			return GW_JWT_EXPIRED;
		if (i == 1 && now + GW_JWT_LEEWAY_SECONDS < v)
			return GW_JWT_NOT_YET_VALID;
		if (i == 2 && now + GW_JWT_LEEWAY_SECONDS < v)
			return GW_JWT_IAT_FUTURE;
	}

	aud = bp_json_object_get(text, t, n, 0, "aud");
	if (aud >= 0 && t[aud].type != BP_JSON_NULL)
	{
		size_t		alen = audience ? strlen(audience) : 0;

		if (t[aud].type == BP_JSON_STRING)
		{
			if (audience && !bp_json_string_equals(text, &t[aud], audience, alen))
				return GW_JWT_NOT_IN_AUDIENCE;
		}
		else if (t[aud].type == BP_JSON_ARRAY)
		{
			bool		match = t[aud].size == 0 || audience == NULL;
			int			child = aud + 1;

			for (size_t e = 0; e < t[aud].size; e++)
			{
				if (t[child].type != BP_JSON_STRING)
					return GW_JWT_AUD_NOT_STRING;
				if (audience && bp_json_string_equals(text, &t[child], audience, alen))
					match = true;
				child = bp_json_skip(t, n, child);
			}
			if (!match)
				return GW_JWT_NOT_IN_AUDIENCE;
		}
		else
			return GW_JWT_AUD_NOT_STRING;
	}
	return GW_JWT_OK;
}

gw_jwt_status
gw_jwt_verify(const gw_jwt_keys *keys, const char *token, size_t len,
			  int64_t now, const char *audience, gw_jwt_result *out)
{
	return gw_jwt_verify_ex(keys, token, len, now, audience, false, out);
}

gw_jwt_status
gw_jwt_verify_ex(const gw_jwt_keys *keys, const char *token, size_t len,
				 int64_t now, const char *audience, bool require_exp, gw_jwt_result *out)
{
	const char *dot1,
			   *dot2;
	unsigned char *header = NULL,
			   *sig = NULL,
			   *payload = NULL;
	size_t		header_len = 0,
				sig_len = 0,
				payload_len = 0,
				nh = 0,
				np = 0;
	bp_json_token *ht = NULL,
			   *pt = NULL;
	char	   *alg = NULL,
			   *kid = NULL;
	const char *digest;
	alg_family	family;
	int			idx;
	bool		candidate = false,
				verified = false;
	gw_jwt_status st;

	memset(out, 0, sizeof *out);
	out->parts = 1;
	for (size_t i = 0; i < len; i++)
		out->parts += token[i] == '.';
	if (len == 0)
		return out->status = GW_JWT_EMPTY;
	if (out->parts != 3)
		return out->status = GW_JWT_PARTS;
	dot1 = memchr(token, '.', len);
	dot2 = memchr(dot1 + 1, '.', (size_t) (token + len - dot1 - 1));

	/* Header: a JSON object naming an algorithm. */
	st = GW_JWT_BAD_CRYPTO;
	header = b64url_decode(token, (size_t) (dot1 - token), &header_len);
	if (header == NULL || (ht = parse_tokens((char *) header, header_len, &nh)) == NULL ||
		ht[0].type != BP_JSON_OBJECT)
		goto done;
	if (has_duplicate_member((char *) header, ht, nh))
	{
		st = GW_JWT_HEADER_DUPLICATE;
		goto done;
	}
	if (bp_json_object_get((char *) header, ht, nh, 0, "enc") >= 0)
	{
		st = GW_JWT_UNSUPPORTED_TYPE;
		goto done;
	}
	idx = bp_json_object_get((char *) header, ht, nh, 0, "alg");
	if (idx < 0 || (alg = string_dup((char *) header, &ht[idx])) == NULL)
		goto done;
	idx = bp_json_object_get((char *) header, ht, nh, 0, "kid");
	if (idx >= 0 && ht[idx].type == BP_JSON_STRING)
		kid = string_dup((char *) header, &ht[idx]);

	family = classify_alg(alg, &digest);
	if (family == ALG_NONE || family == ALG_UNKNOWN)
	{
		st = GW_JWT_BAD_ALG;
		goto done;
	}

	/* Signature over "header.payload" with every key that fits the alg. */
	sig = b64url_decode(dot2 + 1, (size_t) (token + len - dot2 - 1), &sig_len);
	for (size_t i = 0; i < keys->n && !verified; i++)
	{
		const gw_jwk *k = &keys->keys[i];

		if ((family == ALG_HMAC && k->kind != GW_JWK_HMAC) ||
			(family == ALG_EDDSA && k->kind != GW_JWK_ED25519) ||
			family == ALG_OTHER_KNOWN)
			continue;
		if (k->alg && strcmp(k->alg, alg) != 0)
			continue;
		if (kid && k->kid && strcmp(kid, k->kid) != 0)
			continue;
		candidate = true;
		if (sig == NULL)
			continue;
		if (family == ALG_HMAC)
			verified = hmac_ok(k, digest, (const unsigned char *) token,
							   (size_t) (dot2 - token), sig, sig_len);
		else
			verified = ed25519_ok(k, (const unsigned char *) token,
								  (size_t) (dot2 - token), sig, sig_len);
	}
	if (!candidate)
	{
		st = GW_JWT_KEY_ERROR;
		goto done;
	}
	if (!verified)
		goto done;				/* GW_JWT_BAD_CRYPTO */

	/* Only now read the payload: a JSON object of claims. */
	st = GW_JWT_CLAIMS_PARSE;
	payload = b64url_decode(dot1 + 1, (size_t) (dot2 - dot1 - 1), &payload_len);
	if (payload == NULL || (pt = parse_tokens((char *) payload, payload_len, &np)) == NULL ||
		pt[0].type != BP_JSON_OBJECT)
		goto done;
	if (has_duplicate_member((char *) payload, pt, np))
	{
		st = GW_JWT_CLAIMS_DUPLICATE;
		goto done;
	}
	st = check_claims((char *) payload, pt, np, now, audience, require_exp);
	if (st == GW_JWT_OK)
	{
		out->claims = gw_xstrndup((char *) payload, payload_len);
		out->claims_len = payload_len;
	}
done:
	free(header);
	free(sig);
	free(payload);
	free(ht);
	free(pt);
	free(alg);
	free(kid);
	return out->status = st;
}

/* ---- role claim ----------------------------------------------------------- */

int
gw_jspath_parse(const char *spec, gw_jspath *out)
{
	const char *p = spec;

	memset(out, 0, sizeof *out);
	if (*p == '\0')
		return -1;
	while (*p)
	{
		if (out->n == GW_JSPATH_MAX)
			goto fail;
		if (*p == '.')
		{
			p++;
			if (*p == '"')
			{
				const char *end = strchr(p + 1, '"');

				if (end == NULL || end == p + 1)
					goto fail;
				out->step[out->n].key = gw_xstrndup(p + 1, (size_t) (end - p - 1));
				p = end + 1;
			}
			else
			{
				size_t		k = strcspn(p, ".[\"");

				if (k == 0)
					goto fail;
				out->step[out->n].key = gw_xstrndup(p, k);
				p += k;
			}
		}
		else if (*p == '[')
		{
			char	   *end;
			long		v;

			if (p[1] < '0' || p[1] > '9')
				goto fail;
			v = strtol(p + 1, &end, 10);
			if (*end != ']' || v < 0)
				goto fail;
			out->step[out->n].index = v;
			p = end + 1;
		}
		else
			goto fail;
		out->n++;
	}
	return 0;
fail:
	gw_jspath_free(out);
	return -1;
}

void
gw_jspath_free(gw_jspath *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->step[i].key);
	memset(p, 0, sizeof *p);
}

char *
gw_jwt_role(const char *claims, size_t len, const gw_jspath *path)
{
	size_t		n = 0;
	bp_json_token *t = parse_tokens(claims, len, &n);
	int			cur = 0;
	char	   *role = NULL;

	if (t == NULL)
		return NULL;
	for (int s = 0; s < path->n && cur >= 0; s++)
	{
		if (path->step[s].key)
			cur = bp_json_object_get(claims, t, n, cur, path->step[s].key);
		else if (t[cur].type == BP_JSON_ARRAY && (size_t) path->step[s].index < t[cur].size)
		{
			int			child = cur + 1;

			for (long e = 0; e < path->step[s].index; e++)
				child = bp_json_skip(t, n, child);
			cur = child;
		}
		else
			cur = -1;
	}
	if (cur >= 0 && t[cur].type == BP_JSON_STRING)
		role = string_dup(claims, &t[cur]);
	else if (cur >= 0)
		role = gw_xstrndup(claims + t[cur].start, t[cur].end - t[cur].start);
	free(t);
	return role;
}

char *
gw_jwt_claims_with_role(const char *claims, size_t len, const char *role)
{
	gw_buf		b = GW_BUF_INIT;
	size_t		n = 0;
	bp_json_token *t = claims ? parse_tokens(claims, len, &n) : NULL;

	gw_buf_puts(&b, "{\"role\":");
	gw_buf_json_cstr(&b, role);
	if (t && t[0].type == BP_JSON_OBJECT)
	{
		int			k = 1;

		for (size_t m = 0; m < t[0].size; m++)
		{
			int			v = k + 1;
			const bp_json_token *vt = &t[v];

			if (!bp_json_string_equals(claims, &t[k], "role", 4))
			{
				size_t		vs = vt->type == BP_JSON_STRING ? vt->start - 1 : vt->start;
				size_t		ve = vt->type == BP_JSON_STRING ? vt->end + 1 : vt->end;

				gw_buf_putc(&b, ',');
				gw_buf_append(&b, claims + t[k].start - 1, t[k].end - t[k].start + 2);
				gw_buf_putc(&b, ':');
				gw_buf_append(&b, claims + vs, ve - vs);
			}
			k = bp_json_skip(t, n, v);
		}
	}
	gw_buf_putc(&b, '}');
	free(t);
	return gw_buf_steal(&b);
}
