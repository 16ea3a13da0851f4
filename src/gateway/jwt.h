/*
 * jwt.h — JSON Web Token verification, the way PostgREST does it.
 *
 * Pure functions: no HTTP, no database, no clock (the caller passes "now"),
 * no global state, so the module can be unit tested and fuzzed on its own.
 *
 *   gw_jwt_keys_load     turns the configured secret into keys, once at
 *                        start: a plain HS secret (>= 32 bytes, optionally
 *                        base64), a JWK ({"kty":"oct"|"OKP",...}) or a JWKS
 *                        ({"keys":[...]}).
 *   gw_jwt_verify        checks one compact JWS against those keys and the
 *                        time and audience rules and returns its claims.
 *   gw_jwt_role          reads the role out of the claims with PostgREST's
 *                        jwt-role-claim-key path (".role", ."a b".c, [0]).
 *   gw_jwt_claims_with_role  the claims object PostgREST hands to
 *                        request.jwt.claims: the claims with "role" set.
 *
 * Supported algorithms: HS256, HS384, HS512 (HMAC keys) and EdDSA with
 * Ed25519 (OKP keys).  "none", and any algorithm no configured key can
 * check, are rejected.  Signatures are checked before the payload is read;
 * MACs are compared in constant time.
 */
#ifndef GW_JWT_H
#define GW_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_JWT_MAX_KEYS 16
#define GW_JWT_LEEWAY_SECONDS 30	/* PostgREST's allowedSkewSeconds */
#define GW_JWT_MIN_SECRET_LEN 32	/* PostgREST refuses shorter HS secrets */

typedef enum gw_jwk_kind
{
	GW_JWK_HMAC = 1,
	GW_JWK_ED25519
} gw_jwk_kind;

typedef struct gw_jwk
{
	gw_jwk_kind kind;
	unsigned char *secret;		/* HMAC key bytes */
	size_t		secret_len;
	void	   *pkey;			/* EVP_PKEY * for Ed25519 (opaque here) */
	char	   *kid;			/* NULL when the key has none */
	char	   *alg;			/* NULL when the key allows any of its kind */
} gw_jwk;

typedef struct gw_jwt_keys
{
	gw_jwk		keys[GW_JWT_MAX_KEYS];
	size_t		n;
} gw_jwt_keys;

/*
 * Load secret[0, len).  A secret whose first non-blank byte is '{' is read
 * as a JWK or JWKS; otherwise it is an HMAC secret, base64-decoded first
 * when is_base64.  Returns 0, or -1 with a message in err (never containing
 * the secret).  On success free with gw_jwt_keys_free.
 */
int			gw_jwt_keys_load(const char *secret, size_t len, bool is_base64,
							 gw_jwt_keys *out, char *err, size_t errcap);
void		gw_jwt_keys_free(gw_jwt_keys *keys);

typedef enum gw_jwt_status
{
	GW_JWT_OK = 0,
	/* PGRST301: the token itself is unusable */
	GW_JWT_EMPTY,				/* "Empty JWT is sent in Authorization header" */
	GW_JWT_PARTS,				/* "Expected 3 parts in JWT; got N" */
	GW_JWT_KEY_ERROR,			/* "No suitable key or wrong key type" */
	GW_JWT_BAD_ALG,				/* "Wrong or unsupported encoding algorithm" */
	GW_JWT_BAD_CRYPTO,			/* "JWT cryptographic operation failed" */
	GW_JWT_UNSUPPORTED_TYPE,	/* "Unsupported token type" (JWE) */
	/* PGRST303: the claims are not acceptable */
	GW_JWT_CLAIMS_PARSE,		/* "Parsing claims failed" */
	GW_JWT_EXPIRED,				/* "JWT expired" */
	GW_JWT_NOT_YET_VALID,		/* "JWT not yet valid" */
	GW_JWT_IAT_FUTURE,			/* "JWT issued at future" */
	GW_JWT_NOT_IN_AUDIENCE,		/* "JWT not in audience" */
	GW_JWT_EXP_NOT_NUMBER,
	GW_JWT_NBF_NOT_NUMBER,
	GW_JWT_IAT_NOT_NUMBER,
	GW_JWT_HEADER_DUPLICATE,	/* PGRST301: the header repeats a member */
	GW_JWT_CLAIMS_DUPLICATE,	/* the claims (at any depth) repeat a member */
	GW_JWT_EXP_MISSING,			/* no "exp" while one is required */
	GW_JWT_AUD_NOT_STRING		/* keep last: the fuzz harness checks the range */
} gw_jwt_status;

typedef struct gw_jwt_result
{
	gw_jwt_status status;
	int			parts;			/* number of '.'-separated parts seen */
	char	   *claims;			/* on success: the payload, a JSON object, NUL-terminated (malloc) */
	size_t		claims_len;
} gw_jwt_result;

/*
 * Verify token[0, len) (the text after "Bearer ").  audience NULL accepts any
 * "aud"; otherwise a present "aud" (string, or array of strings, an empty
 * array accepted as PostgREST does) must contain it.  now is Unix seconds.
 * Returns out->status; free out with gw_jwt_result_free.
 */
gw_jwt_status gw_jwt_verify(const gw_jwt_keys *keys, const char *token, size_t len,
							int64_t now, const char *audience, gw_jwt_result *out);
/* The same, refusing a token without "exp" when require_exp. */
gw_jwt_status gw_jwt_verify_ex(const gw_jwt_keys *keys, const char *token, size_t len,
							   int64_t now, const char *audience, bool require_exp,
							   gw_jwt_result *out);
void		gw_jwt_result_free(gw_jwt_result *r);

/* "PGRST301" or "PGRST303" (NULL for GW_JWT_OK). */
const char *gw_jwt_status_code(gw_jwt_status st);
/* PostgREST's message for st into buf (parts is used by GW_JWT_PARTS). */
const char *gw_jwt_status_message(gw_jwt_status st, int parts, char *buf, size_t cap);

/* A parsed jwt-role-claim-key. */
#define GW_JSPATH_MAX 16
typedef struct gw_jspath
{
	int			n;
	struct
	{
		char	   *key;		/* object member, or NULL for an array index */
		long		index;
	}			step[GW_JSPATH_MAX];
} gw_jspath;

/* Parse ".role", "."https://x".role", ".roles[0]"; 0 or -1. */
int			gw_jspath_parse(const char *spec, gw_jspath *out);
void		gw_jspath_free(gw_jspath *p);

/*
 * The role named by path in claims (a JSON object text).  A string value is
 * returned unescaped; any other value as its JSON text (as PostgREST does).
 * Returns a malloc'd NUL-terminated string, or NULL when the path finds
 * nothing (or the claims are not JSON, or the role holds a NUL byte).
 */
char	   *gw_jwt_role(const char *claims, size_t len, const gw_jspath *path);

/*
 * claims with the top-level "role" member replaced by role (added when
 * absent): what PostgREST sets as request.jwt.claims.  claims NULL means {}.
 * Returns a malloc'd JSON text.
 */
char	   *gw_jwt_claims_with_role(const char *claims, size_t len, const char *role);

#endif							/* GW_JWT_H */
