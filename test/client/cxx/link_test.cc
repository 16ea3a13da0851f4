// link_test.cc — a C++17 application of libbigpicture-client, built against
// an installed copy (make cxx-check, test/client/cxx/run): the headers must
// give C linkage (extern "C") and be reachable as <bigpicture/...> without
// hiding another library's <json.h>.  Exits non-zero when a check fails.
#include <json.h>				// the other library's, not ours

#include <bigpicture/audit_chain.h>
#include <bigpicture/bp_client.h>
#include <bigpicture/json.h>
#include <bigpicture/paseto.h>
#include <bigpicture/semver.h>

#include <sodium.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#ifndef OTHER_LIBRARY_JSON_H
#error "<json.h> did not find the other library's header"
#endif

namespace
{
int			passed;
int			failed;

void
check(bool ok, const std::string &what)
{
	std::printf("%s - %s\n", ok ? "ok" : "not ok", what.c_str());
	(ok ? passed : failed)++;
}

struct Key
{
	std::uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	std::uint8_t sk[crypto_sign_SECRETKEYBYTES];
	std::string pub;
	std::string kid;

	explicit Key(unsigned char seed_byte)
	{
		std::uint8_t seed[crypto_sign_SEEDBYTES];
		char		buf[BP_PASERK_K4_PUBLIC_LEN + BP_PASERK_K4_PID_LEN];
		std::size_t n = 0;

		std::memset(seed, seed_byte, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
		bp_paserk_k4_public_encode(pk, sizeof(pk), buf, sizeof(buf), &n);
		pub.assign(buf, n);
		bp_paserk_k4_pid(pk, sizeof(pk), buf, sizeof(buf), &n);
		kid.assign(buf, n);
	}
};

// A v4.public token signed by signer whose footer names the key kid.
std::string
sign(const Key &signer, const std::string &kid, const std::string &payload)
{
	std::string footer = "{\"kid\":\"" + kid + "\"}";
	std::vector<std::uint8_t> scratch(bp_paseto_v4_pae_len(payload.size(), footer.size(), 0));
	std::vector<char> out(bp_paseto_v4_token_len(payload.size(), footer.size()));
	std::size_t n = 0;
	bp_paseto_status st = bp_paseto_v4_sign(signer.sk, sizeof(signer.sk),
											reinterpret_cast<const std::uint8_t *>(payload.data()), payload.size(),
											reinterpret_cast<const std::uint8_t *>(footer.data()), footer.size(),
											nullptr, 0, scratch.data(), scratch.size(),
											out.data(), out.size(), &n);

	check(st == BP_PASETO_OK, "bp_paseto_v4_sign signs a token");
	return std::string(out.data(), n);
}
}								// namespace

int
main()
{
	const std::int64_t now = 1800000000;	// 2027-01-15T08:00:00Z

	if (sodium_init() < 0)
	{
		std::fprintf(stderr, "sodium_init failed\n");
		return 2;
	}
	check(other_json_version() == 42, "the other library's json.h is the one <json.h> finds");

	// Verify: the pinned decision key, a good token, then wrong ones.
	Key			decision(1);
	Key			impostor(2);
	bp_client_ctx ctx;

	bp_client_init(&ctx);
	check(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_DECISION, decision.pub.c_str()) == BP_CLIENT_OK,
		  "pin a decision key");
	check(bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_DECISION, "k4.public.nonsense") == BP_CLIENT_BAD_KEY,
		  "pinning a malformed key is BAD_KEY");

	const std::string payload = "{\"typ\":\"decision\",\"exp\":\"2027-01-15T09:00:00Z\",\"install_id\":\"pc-1\"}";
	std::string good = sign(decision, decision.kid, payload);
	std::string forged = sign(impostor, decision.kid, payload);
	std::vector<unsigned char> work(bp_client_work_len(good.size()));
	std::size_t plen = 0;

	check(bp_client_verify(&ctx, good.data(), good.size(), "decision", now,
						   work.data(), work.size(), &plen) == BP_CLIENT_OK &&
		  std::string(reinterpret_cast<char *>(work.data()), plen) == payload,
		  "a token of the pinned key verifies and gives its payload");
	bp_client_status st = bp_client_verify(&ctx, forged.data(), forged.size(), "decision", now,
										   work.data(), work.size(), &plen);

	check(st == BP_CLIENT_BAD_SIGNATURE, std::string("a forged token is BAD_SIGNATURE, got ") +
		  bp_client_status_name(st));
	check(bp_client_verify(&ctx, good.data(), good.size(), "decision", now + 7200,
						   work.data(), work.size(), &plen) == BP_CLIENT_EXPIRED,
		  "an expired token is EXPIRED");
	check(bp_client_verify(&ctx, "v4.public.xyz", 13, nullptr, now,
						   work.data(), work.size(), &plen) == BP_CLIENT_MALFORMED,
		  "garbage is MALFORMED");
	check(std::strcmp(bp_client_status_name(BP_CLIENT_BAD_SIGNATURE), "BAD_SIGNATURE") == 0,
		  "bp_client_status_name names statuses");
	check(bp_client_check_binding(payload.data(), payload.size(), "pc-2", nullptr) == BP_CLIENT_NOT_FOR_US,
		  "another install's decision is NOT_FOR_US");

	// Parsing: RFC 3339, JSON, SemVer ranges.
	std::int64_t t = 0;

	check(bp_client_parse_rfc3339("2027-01-15T08:00:00Z", 20, &t) && t == now, "parse an RFC 3339 time");
	check(!bp_client_parse_rfc3339("2026-02-29T00:00:00Z", 20, &t), "an impossible date is refused");

	bp_json_token tok[8];
	std::size_t ntok = 0;
	const char	json[] = "{\"a\":[1,2]}";

	check(bp_json_parse(json, sizeof(json) - 1, tok, 8, &ntok) == BP_JSON_OK && ntok == 5 &&
		  tok[0].type == BP_JSON_OBJECT, "bigpicture/json.h parses JSON");

	bp_semver_range range;
	bp_semver	v;
	const char	rtext[] = "^1.2.3 || 3.x";

	check(bp_semver_range_parse(rtext, sizeof(rtext) - 1, &range, nullptr) == BP_RANGE_OK &&
		  bp_semver_parse("1.9.0", 5, &v) == BP_SEMVER_OK && bp_semver_range_satisfies(&range, &v),
		  "a SemVer range admits a version");

	// The audit-chain verifier: an empty export is an error, not a pass.
	bp_audit_chain chain;
	std::vector<unsigned char> mem(bp_audit_chain_mem_len(4096));

	check(bp_audit_chain_init(&chain, 4096, mem.data(), mem.size()) == BP_AUDIT_CHAIN_OK &&
		  bp_audit_chain_finish(&chain) != BP_AUDIT_CHAIN_OK, "an empty audit export does not verify");

	std::printf("cxx: %d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}
