# Shell helper: mint an HS256 JWT with the openssl command (demo and bench;
# the tests use test/gateway/jwt_mint.py, which also makes EdDSA and broken ones).
#   bp_jwt_hs256 SECRET CLAIMS_JSON
bp_b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
bp_jwt_hs256() {
	local body
	body=$(printf '{"alg":"HS256","typ":"JWT"}' | bp_b64url).$(printf '%s' "$2" | bp_b64url)
	printf '%s.%s\n' "$body" "$(printf '%s' "$body" | openssl dgst -sha256 -mac HMAC -macopt "key:$1" -binary | bp_b64url)"
}
