#!/usr/bin/env bash
# verify_cli.sh BINARY — checks the bigpicture-verify CLI
# (src/client/bigpicture_verify.c, built by the caller).
#
# Tokens are signed here by a tiny helper compiled from src/core (found next
# to this script) with cc into a temporary directory: "sign SEED PAYLOAD"
# prints a v4.public token with footer {"kid":"<k4.pid>"} signed by the
# Ed25519 key whose 32-byte seed is SEED repeated, "pub SEED" its k4.public
# and "kid SEED" its k4.pid.  Lease hashes come from sha256sum.  For --audit,
# "audit N" prints an export of N events of chain tenant_acme, hashed with
# src/core/audit_hash (test/unit/audit_verify_cli.sh checks that hash
# against an independent implementation).
#
# Prints "ok - …" or "not ok - …" per check and a last line
# "verify-cli: N passed, N failed"; exits non-zero when anything failed.
set -u

bin=${1:?usage: $0 path/to/bigpicture-verify}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/sign.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "audit_hash.h"
#include "paserk.h"
#include "paseto.h"

static bp_audit_text
txt(const char *s)
{
	bp_audit_text t = {s, s ? strlen(s) : 0, s == NULL};

	return t;
}

/* N export lines, as bigpicture.export_audit_chain writes them. */
static int
audit(int n)
{
	unsigned char prev[32] = {0}, hash[32];
	char prev_hex[65], hash_hex[65], event_id[32], object_id[32], after[64], stamp[32];

	for (int seq = 1; seq <= n; seq++)
	{
		long long us = 1795000000000000LL + seq * 1000001LL;
		time_t secs = (time_t) (us / 1000000);
		struct tm tm;
		bp_audit_event ev;

		gmtime_r(&secs, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(event_id, sizeof(event_id), "evt_%d", seq);
		snprintf(object_id, sizeof(object_id), "rel_%d", seq);
		snprintf(after, sizeof(after), "{\"n\": %d}", seq);
		ev.chain_id = txt("tenant_acme");
		ev.seq = (unsigned long long) seq;
		ev.event_id = txt(event_id);
		ev.occurred_at_us = us;
		ev.actor = txt("alice");
		ev.event_type = txt("release_published");
		ev.object_type = txt("release");
		ev.object_id = txt(object_id);
		ev.before = txt(NULL);
		ev.after = txt(after);
		ev.context = txt("{}");
		if (bp_audit_hash(prev, &ev, hash) != BP_AUDIT_OK)
			return 1;
		sodium_bin2hex(prev_hex, sizeof(prev_hex), prev, 32);
		sodium_bin2hex(hash_hex, sizeof(hash_hex), hash, 32);
		printf("{\"v\": 1, \"chain_id\": \"tenant_acme\", \"seq\": %d, \"event_id\": \"%s\", "
			   "\"occurred_at_us\": %lld, \"occurred_at\": \"%s.%06lldZ\", \"actor\": \"alice\", "
			   "\"event_type\": \"release_published\", \"object_type\": \"release\", "
			   "\"object_id\": \"%s\", \"before\": null, \"after\": \"{\\\"n\\\": %d}\", "
			   "\"context\": \"{}\", \"prev_hash\": \"%s\", \"hash\": \"%s\"}\n",
			   seq, event_id, us, stamp, us % 1000000, object_id, seq, prev_hex, hash_hex);
		memcpy(prev, hash, 32);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned char seed[32], pk[32], sk[64];
	char pub[64], kid[64], footer[128];
	static unsigned char scratch[1 << 16];
	static char out[1 << 16];
	size_t n, kn;

	if (argc < 3 || sodium_init() < 0)
		return 2;
	if (strcmp(argv[1], "audit") == 0)
		return audit(atoi(argv[2]));
	memset(seed, atoi(argv[2]), sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
	bp_paserk_k4_public_encode(pk, 32, pub, sizeof(pub), &n);
	pub[n] = '\0';
	bp_paserk_k4_pid(pk, 32, kid, sizeof(kid), &kn);
	kid[kn] = '\0';
	if (strcmp(argv[1], "pub") == 0)
		return puts(pub) < 0;
	if (strcmp(argv[1], "kid") == 0)
		return puts(kid) < 0;
	if (strcmp(argv[1], "sign") != 0 || argc < 4)
		return 2;
	snprintf(footer, sizeof(footer), "{\"kid\":\"%s\"}", kid);
	if (bp_paseto_v4_sign(sk, 64, (const unsigned char *) argv[3], strlen(argv[3]),
						  (const unsigned char *) footer, strlen(footer), NULL, 0,
						  scratch, sizeof(scratch), out, sizeof(out) - 1, &n) != BP_PASETO_OK)
		return 1;
	out[n] = '\0';
	return puts(out) < 0;
}
C
if ! ${CC:-cc} -std=c99 -D_POSIX_C_SOURCE=200809L -O1 -I"$src/src/core" -o "$tmp/sign" \
		"$tmp/sign.c" "$src"/src/core/*.c -lsodium 2> "$tmp/cc.err"; then
	echo "not ok - could not build the signing helper: $(head -3 "$tmp/cc.err")"
	echo "verify-cli: 0 passed, 1 failed"
	exit 1
fi
s=$tmp/sign

# Keys by seed: 1 root, 2 decision, 3 lease, 4 revoked decision,
# 5 pending decision, 6 a key nobody knows, 7 audit, 8 retired audit,
# 9 revoked audit.
root=$($s pub 1)
dec=$($s pub 2)
lease=$($s pub 3)
audit=$($s pub 7)
now=1800000000					# 2027-01-15T08:00:00Z
later='2027-01-15T09:00:00Z'
earlier='2027-01-15T07:00:00Z'

entry() {	# seed purpose state
	printf '{"kid":"%s","purpose":"%s","tenant_id":null,"public_key":"%s","state":"%s","valid_from":null,"valid_until":null}' \
		"$($s kid "$1")" "$2" "$($s pub "$1")" "$3"
}
keys="$(entry 1 root active),$(entry 2 decision active),$(entry 3 lease active),$(entry 4 decision revoked),$(entry 5 decision pending)"
keys="$keys,$(entry 7 audit active),$(entry 8 audit retired),$(entry 9 audit revoked)"
keyset() {	# version
	$s sign 1 "{\"typ\":\"keyset\",\"iat\":\"$earlier\",\"exp\":\"$later\",\"version\":$1,\"keys\":[$keys]}"
}
ks1=$(keyset 1)
ks2=$(keyset 2)
printf '%s\n' "$ks2" > "$tmp/keyset"

dec_payload="{\"typ\":\"decision\",\"product_id\":\"app\",\"action\":\"UPDATE\",\"iat\":\"$earlier\",\"exp\":\"$later\"}"
good=$($s sign 2 "$dec_payload")
bad_sig=$(printf '%s' "$good" | sed 's/^\(v4\.public\.....................\)./\1A/')
[ "$bad_sig" = "$good" ] && bad_sig=$(printf '%s' "$good" | sed 's/^\(v4\.public\.....................\)./\1B/')
unknown=$($s sign 6 "$dec_payload")
lease_by_dec=$($s sign 2 "{\"typ\":\"lease\",\"exp\":\"$later\",\"seq\":1,\"prev_hash\":\"\"}")
expired=$($s sign 2 "{\"typ\":\"decision\",\"exp\":\"$earlier\"}")
early=$($s sign 2 "{\"typ\":\"decision\",\"nbf\":\"$later\",\"exp\":\"$later\"}")
by_revoked=$($s sign 4 "$dec_payload")
by_pending=$($s sign 5 "$dec_payload")
malformed=$($s sign 2 "{\"typ\":\"decision\",\"exp\":\"tomorrow\"}")

lease_payload() {	# seq prev_hash
	printf '{"typ":"lease","tenant_id":"acme","product_id":"app","sub":"alice","exp":"%s","seq":%s,"prev_hash":"%s"}' "$later" "$1" "$2"
}
hash() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
l1=$($s sign 3 "$(lease_payload 1 "")")
l2=$($s sign 3 "$(lease_payload 2 "$(hash "$l1")")")
l3=$($s sign 3 "$(lease_payload 3 "$(hash "$l2")")")
l2_bad=$($s sign 3 "$(lease_payload 2 "$(hash "$l3")")")
printf '%s\n' "$l1" > "$tmp/l1"

# expect NAME CODE [STDERR-PREFIX] -- ARGS...: run the CLI, check its exit code
# (and that stderr starts with the prefix, when given).
expect() {
	local name=$1 code=$2 prefix=$3
	shift 4
	"$bin" "$@" > "$tmp/out" 2> "$tmp/err" < "${stdin_file:-/dev/null}"
	local rc=$?
	if [ "$rc" -ne "$code" ]; then
		echo "not ok - $name: exit $rc, expected $code ($(head -1 "$tmp/err"))"
		failed=$((failed + 1))
	elif [ -n "$prefix" ] && [ "$(head -c ${#prefix} "$tmp/err")" != "$prefix" ]; then
		echo "not ok - $name: stderr $(head -1 "$tmp/err")"
		failed=$((failed + 1))
	else
		echo "ok - $name"
		passed=$((passed + 1))
	fi
}

expect "pinned decision key: valid" 0 "" -- --key "decision=$dec" --now $now "$good"
if [ "$(cat "$tmp/out")" = "$dec_payload" ]; then
	echo "ok - payload printed on stdout"; passed=$((passed + 1))
else
	echo "not ok - payload printed on stdout: $(cat "$tmp/out")"; failed=$((failed + 1))
fi
expect "root + key set: valid" 0 "" -- --root "$root" --keyset "$ks1" --typ decision --now $now "$good"
printf '%s\n' "$good" > "$tmp/token"
stdin_file=$tmp/token expect "key set from @file, token from stdin" 0 "" -- --root "$root" --keyset "@$tmp/keyset" --now $now -
expect "token from @file" 0 "" -- --key "decision=$dec" --now $now "@$tmp/token"
expect "bad signature" 11 "bigpicture-verify: BAD_SIGNATURE: " -- --key "decision=$dec" --now $now "$bad_sig"
bound=$($s sign 2 "{\"typ\":\"decision\",\"install_id\":\"pc-42\",\"nonce\":\"n-7\",\"iat\":\"$earlier\",\"exp\":\"$later\"}")
expect "bound to its install and request: valid" 0 "" -- --key "decision=$dec" --now $now --install-id pc-42 --nonce n-7 "$bound"
expect "replayed to another install" 30 "bigpicture-verify: NOT_FOR_US: " -- --key "decision=$dec" --now $now --install-id pc-43 "$bound"
expect "an old answer to another request" 30 "bigpicture-verify: NOT_FOR_US: " -- --key "decision=$dec" --now $now --nonce n-8 "$bound"
expect "no install_id in the payload" 30 "bigpicture-verify: NOT_FOR_US: " -- --key "decision=$dec" --now $now --install-id pc-42 "$good"
expect "--nonce with --audit is a usage error" 2 "bigpicture-verify: USAGE: " -- --nonce x --audit -
expect "unknown key" 12 "bigpicture-verify: UNKNOWN_KEY: " -- --root "$root" --keyset "$ks1" --now $now "$unknown"
expect "lease signed by the decision key" 13 "bigpicture-verify: WRONG_PURPOSE: " -- --key "decision=$dec" --now $now "$lease_by_dec"
expect "--typ mismatch" 14 "bigpicture-verify: WRONG_TYPE: " -- --key "decision=$dec" --typ release --now $now "$good"
expect "expired" 15 "bigpicture-verify: EXPIRED: " -- --key "decision=$dec" --now $now "$expired"
expect "not yet valid" 16 "bigpicture-verify: NOT_YET_VALID: " -- --key "decision=$dec" --now $now "$early"
expect "revoked key" 17 "bigpicture-verify: KEY_REVOKED: " -- --root "$root" --keyset "$ks1" --now $now "$by_revoked"
expect "pending key" 18 "bigpicture-verify: KEY_NOT_VALID: " -- --root "$root" --keyset "$ks1" --now $now "$by_pending"
expect "key set rollback" 20 "bigpicture-verify: ROLLBACK: " -- --root "$root" --keyset "$ks2" --keyset "$ks1" --now $now "$good"
expect "key set expired" 15 "bigpicture-verify: EXPIRED: key set" -- --root "$root" --keyset "$ks1" --now 1900000000 "$good"
expect "key set with a wrong root" 12 "bigpicture-verify: UNKNOWN_KEY: key set" -- --root "$dec" --keyset "$ks1" --now $now "$good"
expect "malformed payload" 10 "bigpicture-verify: MALFORMED: " -- --key "decision=$dec" --now $now "$malformed"
expect "not a token" 10 "bigpicture-verify: MALFORMED: " -- --key "decision=$dec" --now $now "hello"
expect "first lease" 0 "" -- --key "lease=$lease" --typ lease --now $now "$l1"
expect "lease chain" 0 "" -- --key "lease=$lease" --now $now --prev-lease "@$tmp/l1" "$l2"
expect "lease chain, later link" 0 "" -- --key "lease=$lease" --now $now --prev-lease "$l2" "$l3"
expect "lease chain, skipped seq" 21 "bigpicture-verify: CHAIN_BROKEN: " -- --key "lease=$lease" --now $now --prev-lease "$l1" "$l3"
expect "lease chain, wrong prev_hash" 21 "bigpicture-verify: CHAIN_BROKEN: " -- --key "lease=$lease" --now $now --prev-lease "$l1" "$l2_bad"
expect "lease chain, backwards" 20 "bigpicture-verify: ROLLBACK: " -- --key "lease=$lease" --now $now --prev-lease "$l2" "$l1"
expect "bad --root key" 22 "bigpicture-verify: BAD_KEY: " -- --root "k4.public.nope" "$good"
expect "no token" 2 "bigpicture-verify: USAGE: " -- --key "decision=$dec"
expect "unknown option" 2 "bigpicture-verify: USAGE: " -- --frobnicate x "$good"
expect "unknown purpose" 2 "bigpicture-verify: USAGE: " -- --key "signing=$dec" "$good"
expect "missing file" 2 "bigpicture-verify: USAGE: " -- --key "decision=$dec" "@$tmp/does-not-exist"

# --revocations: the tenant's signed list of revoked leases (typ
# lease_revocations, signed by the lease key), checked against a lease.
revoked_id=lease_0123456789abcdef0123456789abcdef
kept_id=lease_fedcba9876543210fedcba9876543210
rev_lease() {	# tenant lease_id
	printf '{"typ":"lease","tenant_id":"%s","lease_id":"%s","product_id":"app","sub":"alice","iat":"%s","exp":"%s","seq":1,"prev_hash":""}' \
		"$1" "$2" "$earlier" "$later"
}
rev_list() {	# seed tenant exp leases
	$s sign "$1" "{\"typ\":\"lease_revocations\",\"iat\":\"$earlier\",\"exp\":\"$3\",\"tenant_id\":\"$2\",\"version\":1795000000000000,\"leases\":$4}"
}
lr_revoked=$($s sign 3 "$(rev_lease acme $revoked_id)")
lr_kept=$($s sign 3 "$(rev_lease acme $kept_id)")
list=$(rev_list 3 acme "$later" "[\"$revoked_id\"]")
printf '%s\n' "$list" > "$tmp/revocations"
bad_list=$(printf '%s' "$list" | sed 's/^\(v4\.public\.....................\)./\1A/')
[ "$bad_list" = "$list" ] && bad_list=$(printf '%s' "$list" | sed 's/^\(v4\.public\.....................\)./\1B/')
expect "--revocations: a lease not on the list" 0 "" -- --key "lease=$lease" --now $now --revocations "$list" "$lr_kept"
if [ "$(cat "$tmp/out")" = "$(rev_lease acme $kept_id)" ]; then
	echo "ok - --revocations: the lease's payload printed"; passed=$((passed + 1))
else
	echo "not ok - --revocations: the lease's payload printed: $(cat "$tmp/out")"; failed=$((failed + 1))
fi
expect "--revocations: a listed lease" 31 "bigpicture-verify: LEASE_REVOKED: " -- --key "lease=$lease" --now $now --revocations "$list" "$lr_revoked"
if [ ! -s "$tmp/out" ]; then
	echo "ok - --revocations: nothing on stdout for a revoked lease"; passed=$((passed + 1))
else
	echo "not ok - --revocations: nothing on stdout for a revoked lease: $(cat "$tmp/out")"; failed=$((failed + 1))
fi
expect "--revocations: list from @file, keys from the key set" 31 "bigpicture-verify: LEASE_REVOKED: " -- --root "$root" --keyset "$ks1" --now $now --revocations "@$tmp/revocations" "$lr_revoked"
expect "--revocations: --typ lease is fine" 0 "" -- --key "lease=$lease" --now $now --typ lease --revocations "$list" "$lr_kept"
expect "--revocations: with --prev-lease" 31 "bigpicture-verify: LEASE_REVOKED: " -- --key "lease=$lease" --now $now --revocations "$list" --prev-lease "$l1" "$($s sign 3 "{\"typ\":\"lease\",\"tenant_id\":\"acme\",\"lease_id\":\"$revoked_id\",\"product_id\":\"app\",\"sub\":\"alice\",\"exp\":\"$later\",\"seq\":2,\"prev_hash\":\"$(hash "$l1")\"}")"
expect "--revocations: an empty list" 0 "" -- --key "lease=$lease" --now $now --revocations "$(rev_list 3 acme "$later" "[]")" "$lr_revoked"
expect "--revocations: list expired" 15 "bigpicture-verify: EXPIRED: revocation list: " -- --key "lease=$lease" --now $now --revocations "$(rev_list 3 acme "$earlier" "[]")" "$lr_kept"
expect "--revocations: list altered" 11 "bigpicture-verify: BAD_SIGNATURE: revocation list: " -- --key "lease=$lease" --now $now --revocations "$bad_list" "$lr_kept"
expect "--revocations: a lease given as the list" 14 "bigpicture-verify: WRONG_TYPE: revocation list: " -- --key "lease=$lease" --now $now --revocations "$lr_revoked" "$lr_kept"
expect "--revocations: list signed by the decision key" 13 "bigpicture-verify: WRONG_PURPOSE: revocation list: " -- --key "lease=$lease" --key "decision=$dec" --now $now --revocations "$(rev_list 2 acme "$later" "[]")" "$lr_kept"
expect "--revocations: list signed by an unknown key" 12 "bigpicture-verify: UNKNOWN_KEY: revocation list: " -- --key "lease=$lease" --now $now --revocations "$(rev_list 6 acme "$later" "[]")" "$lr_kept"
expect "--revocations: a duplicate id" 10 "bigpicture-verify: MALFORMED: revocation list: " -- --key "lease=$lease" --now $now --revocations "$(rev_list 3 acme "$later" "[\"$revoked_id\",\"$revoked_id\"]")" "$lr_kept"
expect "--revocations: another tenant's list" 19 "bigpicture-verify: WRONG_TENANT: revocation list: " -- --key "lease=$lease" --now $now --revocations "$(rev_list 3 globex "$later" "[\"$revoked_id\"]")" "$lr_revoked"
expect "--revocations: not a lease" 14 "bigpicture-verify: WRONG_TYPE: " -- --key "lease=$lease" --key "decision=$dec" --now $now --revocations "$list" "$good"
expect "--revocations: with --typ decision" 2 "bigpicture-verify: USAGE: " -- --key "lease=$lease" --now $now --typ decision --revocations "$list" "$lr_kept"
expect "--revocations: with --audit" 2 "bigpicture-verify: USAGE: " -- --revocations "$list" --audit -
expect "--revocations: missing file" 2 "bigpicture-verify: USAGE: " -- --key "lease=$lease" --now $now --revocations "@$tmp/does-not-exist" "$lr_kept"

# --audit: an exported audit chain (3 events), tampered and cut-off copies,
# and checkpoints of its head signed by the audit keys.
$s audit 3 > "$tmp/chain.jsonl"
head3=$(sed -n '3s/.*"hash": "\([0-9a-f]*\)".*/\1/p' "$tmp/chain.jsonl")
head2=$(sed -n '2s/.*"hash": "\([0-9a-f]*\)".*/\1/p' "$tmp/chain.jsonl")
sed '2s/"actor": "alice"/"actor": "mallory"/' "$tmp/chain.jsonl" > "$tmp/tampered.jsonl"
head -n 2 "$tmp/chain.jsonl" > "$tmp/cut.jsonl"
sed 2d "$tmp/chain.jsonl" > "$tmp/gap.jsonl"
: > "$tmp/empty.jsonl"
checkpoint() {	# seed seq hash
	$s sign "$1" "{\"typ\":\"checkpoint\",\"iat\":\"$earlier\",\"exp\":\"$later\",\"chain_id\":\"tenant_acme\",\"seq\":$2,\"hash\":\"$3\"}"
}
cp3=$(checkpoint 7 3 "$head3")
printf '%s\n' "$cp3" > "$tmp/cp3"
expect "--audit: a whole chain" 0 "" -- --audit "$tmp/chain.jsonl"
if [ "$(cat "$tmp/out")" = "ok: chain tenant_acme, 3 events, head seq 3 hash $head3" ]; then
	echo "ok - --audit prints the chain's head"; passed=$((passed + 1))
else
	echo "not ok - --audit prints the chain's head: $(cat "$tmp/out")"; failed=$((failed + 1))
fi
stdin_file=$tmp/chain.jsonl expect "--audit: the export from stdin" 0 "" -- --audit -
expect "--audit: a tampered line" 28 "bigpicture-verify: AUDIT_CHAIN_BROKEN: FAIL seq 2: hash mismatch" -- --audit "$tmp/tampered.jsonl"
expect "--audit: a missing line" 28 "bigpicture-verify: AUDIT_CHAIN_BROKEN: FAIL seq 2: gap" -- --audit "$tmp/gap.jsonl"
expect "--audit: no events" 28 "bigpicture-verify: AUDIT_CHAIN_BROKEN: FAIL seq 0: " -- --audit "$tmp/empty.jsonl"
expect "--audit: a cut-off tail alone still verifies" 0 "" -- --audit "$tmp/cut.jsonl"
expect "--audit: checkpoint with the pinned audit key" 0 "" -- --key "audit=$audit" --audit "$tmp/chain.jsonl" --checkpoint "$cp3"
expect "--audit: checkpoint from @file, audit key from the key set" 0 "" -- --root "$root" --keyset "$ks1" --now $now --audit "$tmp/chain.jsonl" --checkpoint "@$tmp/cp3"
expect "--audit: checkpoint before the head" 0 "" -- --key "audit=$audit" --audit "$tmp/chain.jsonl" --checkpoint "$(checkpoint 7 2 "$head2")"
expect "--audit: cut-off tail caught by the checkpoint" 29 "bigpicture-verify: AUDIT_CHECKPOINT_MISMATCH: FAIL seq 3: chain ends before the checkpoint" -- --key "audit=$audit" --audit "$tmp/cut.jsonl" --checkpoint "$cp3"
expect "--audit: checkpoint of another hash" 29 "bigpicture-verify: AUDIT_CHECKPOINT_MISMATCH: FAIL seq 3: checkpoint mismatch" -- --key "audit=$audit" --audit "$tmp/chain.jsonl" --checkpoint "$(checkpoint 7 3 "$head2")"
expect "--audit: a tampered line with a checkpoint" 28 "bigpicture-verify: AUDIT_CHAIN_BROKEN: FAIL seq 2: hash mismatch" -- --key "audit=$audit" --audit "$tmp/tampered.jsonl" --checkpoint "$cp3"
expect "--audit: checkpoint with the wrong audit key pinned" 12 "bigpicture-verify: UNKNOWN_KEY: FAIL seq 0: checkpoint signature" -- --key "audit=$($s pub 6)" --audit "$tmp/chain.jsonl" --checkpoint "$cp3"
expect "--audit: checkpoint signed by an unknown key" 12 "bigpicture-verify: UNKNOWN_KEY: " -- --root "$root" --keyset "$ks1" --now $now --audit "$tmp/chain.jsonl" --checkpoint "$(checkpoint 6 3 "$head3")"
expect "--audit: checkpoint signed by the decision key" 13 "bigpicture-verify: WRONG_PURPOSE: " -- --root "$root" --keyset "$ks1" --now $now --audit "$tmp/chain.jsonl" --checkpoint "$(checkpoint 2 3 "$head3")"
expect "--audit: checkpoint of a retired audit key still verifies" 0 "" -- --root "$root" --keyset "$ks1" --now $now --audit "$tmp/chain.jsonl" --checkpoint "$(checkpoint 8 3 "$head3")"
expect "--audit: checkpoint of a revoked audit key" 17 "bigpicture-verify: KEY_REVOKED: " -- --root "$root" --keyset "$ks1" --now $now --audit "$tmp/chain.jsonl" --checkpoint "$(checkpoint 9 3 "$head3")"
bad_cp=$(printf '%s' "$cp3" | sed 's/^\(v4\.public\.....................\)./\1A/')
[ "$bad_cp" = "$cp3" ] && bad_cp=$(printf '%s' "$cp3" | sed 's/^\(v4\.public\.....................\)./\1B/')
expect "--audit: edited checkpoint" 11 "bigpicture-verify: BAD_SIGNATURE: " -- --key "audit=$audit" --audit "$tmp/chain.jsonl" --checkpoint "$bad_cp"
expect "--audit: --checkpoint without --audit" 2 "bigpicture-verify: USAGE: " -- --key "audit=$audit" --checkpoint "$cp3" "$good"
expect "--audit: with a token too" 2 "bigpicture-verify: USAGE: " -- --audit "$tmp/chain.jsonl" "$good"
expect "--audit: missing file" 2 "bigpicture-verify: USAGE: " -- --audit "$tmp/does-not-exist"

expect "--help" 0 "" -- --help
if grep -q "BAD_SIGNATURE" "$tmp/out" && grep -q "AUDIT_CHAIN_BROKEN" "$tmp/out" && grep -q -- "--audit" "$tmp/out" &&
	grep -q "31 LEASE_REVOKED" "$tmp/out" && grep -q -- "--revocations" "$tmp/out"; then
	echo "ok - --help lists the exit codes"; passed=$((passed + 1))
else
	echo "not ok - --help lists the exit codes"; failed=$((failed + 1))
fi

echo "verify-cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
