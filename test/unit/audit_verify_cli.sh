#!/usr/bin/env bash
# audit_verify_cli.sh BINARY — checks the offline audit-chain verifier
# (src/client/bigpicture_audit_verify.c, built by the caller) against exports
# generated here with python3, whose hashlib/struct code is an independent
# implementation of the chain hash (docs: src/core/audit_hash.h).
#
# Prints "ok - …" or "not ok - …" per check and a last line
# "audit-cli: N passed, N failed"; exits non-zero when anything failed.
set -u

bin=${1:?usage: $0 path/to/bigpicture_audit_verify}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v python3 >/dev/null 2>&1; then
	echo "not ok - python3 is needed to generate the exports"
	echo "audit-cli: 0 passed, 1 failed"
	exit 1
fi

# The checkpoint tokens below were signed once, with a throwaway Ed25519 key
# (seed bytes a0 a1 … bf), by a few lines of C calling bp_paseto_v4_sign with
# the footer {"kid":"<k4.pid of the key>"}.  Their hashes are the heads of
# the chain generate() writes, so changing that chain means re-signing them.
key='k4.public.T9CZzNR9eJPf6ewkQU7LDZtUICMqrTDZHEZb4zy-ZcQ'
other_key='k4.public.GH3oyi8k6T17oWinFbXdI_3sUjaAa-NGJNDCdXBh_Pk'
cp3='v4.public.eyJ0eXAiOiAiY2hlY2twb2ludCIsICJjaGFpbl9pZCI6ICJ0ZW5hbnRfYWNtZSIsICJzZXEiOiAzLCAiaGFzaCI6ICIwNTIyMjk3MzE4NWE5NWMwYjA5YzFhNGMwZTJkY2Y3NWMyNjA2ZGM1NWRiZGZiNDU5MTc0MmMyMTY5ODM5Mjc4IiwgImlhdCI6ICIyMDI2LTExLTE4VDExOjA3OjAwWiJ9paKDtKzIoberz_y5mKB1F67qsyWQXC2WYvS9utoMcHD7qTpyNhdtgfA3DOfiU8l9S5gr-QhadkEmPfsTHFGuDw.eyJraWQiOiJrNC5waWQuS3UtT2hSMW53bmdlWWg5NG5saDZHei1BMlBWUTFISEdINVBLalJsQlVqOVcifQ'
cp2='v4.public.eyJ0eXAiOiAiY2hlY2twb2ludCIsICJjaGFpbl9pZCI6ICJ0ZW5hbnRfYWNtZSIsICJzZXEiOiAyLCAiaGFzaCI6ICI4MTJlZWQ2MmY4YmFhNGUxMGFmODJhZDE0ZmUxOTA3MGI2YzZiNjA5MjBlZDgzODU3ZjBkMjhlNmVhZDBjODZkIiwgImlhdCI6ICIyMDI2LTExLTE4VDExOjA3OjAwWiJ9_iqQRQgMMltmCfL4nBqDsl3oCkr-eXKE0ckk5udurRnCVR9-fD_-ERmUSvn_q7i3ZSFk2ZJByVd4qQu8xeifCg.eyJraWQiOiJrNC5waWQuS3UtT2hSMW53bmdlWWg5NG5saDZHei1BMlBWUTFISEdINVBLalJsQlVqOVcifQ'
cp3_wrong_hash='v4.public.eyJ0eXAiOiAiY2hlY2twb2ludCIsICJjaGFpbl9pZCI6ICJ0ZW5hbnRfYWNtZSIsICJzZXEiOiAzLCAiaGFzaCI6ICI4MTJlZWQ2MmY4YmFhNGUxMGFmODJhZDE0ZmUxOTA3MGI2YzZiNjA5MjBlZDgzODU3ZjBkMjhlNmVhZDBjODZkIiwgImlhdCI6ICIyMDI2LTExLTE4VDExOjA3OjAwWiJ9YUS0p_9exuSjC7Rymo4qFtZWkGyr6jZZqFevA7SvKb7l8oHBnHUOP_mZRNqclX3Tgz0ZeokK6YnOHINsyp1rBg.eyJraWQiOiJrNC5waWQuS3UtT2hSMW53bmdlWWg5NG5saDZHei1BMlBWUTFISEdINVBLalJsQlVqOVcifQ'
cp3_other_chain='v4.public.eyJ0eXAiOiAiY2hlY2twb2ludCIsICJjaGFpbl9pZCI6ICJ0ZW5hbnRfb3RoZXIiLCAic2VxIjogMywgImhhc2giOiAiMDUyMjI5NzMxODVhOTVjMGIwOWMxYTRjMGUyZGNmNzVjMjYwNmRjNTVkYmRmYjQ1OTE3NDJjMjE2OTgzOTI3OCIsICJpYXQiOiAiMjAyNi0xMS0xOFQxMTowNzowMFoifZQuGOxdq1IaYBbWFlecmvfUEPOBrkT9csBEOT7N664QWwp91xe-Zpqe6G8fgyslZCvsTLH77aDvy29kaoA5-AQ.eyJraWQiOiJrNC5waWQuS3UtT2hSMW53bmdlWWg5NG5saDZHei1BMlBWUTFISEdINVBLalJsQlVqOVcifQ'
cp3_snapshot='v4.public.eyJ0eXAiOiAic25hcHNob3QiLCAiY2hhaW5faWQiOiAidGVuYW50X2FjbWUiLCAic2VxIjogMywgImhhc2giOiAiMDUyMjI5NzMxODVhOTVjMGIwOWMxYTRjMGUyZGNmNzVjMjYwNmRjNTVkYmRmYjQ1OTE3NDJjMjE2OTgzOTI3OCIsICJpYXQiOiAiMjAyNi0xMS0xOFQxMTowNzowMFoifRfKPo7jz61A7dAdu_7TGVoFG9oj9SF6OGBeZn5ylJXmsukQj48eDSZwSErJKXLcV4g0jjje62OzaH4LIgtsTAk.eyJraWQiOiJrNC5waWQuS3UtT2hSMW53bmdlWWg5NG5saDZHei1BMlBWUTFISEdINVBLalJsQlVqOVcifQ'
head1=70fa35531d2f918b36daa9e788f4a1bb7c3e7b158b68e379132aad925725eebc
head2=812eed62f8baa4e10af82ad14fe19070b6c6b60920ed83857f0d28e6ead0c86d
head3=05222973185a95c0b09c1a4c0e2dcf75c2606dc55dbdfb4591742c2169839278

# Write the valid export and one variant per failure into $tmp.
if ! python3 - "$tmp" > "$tmp/hashes" <<'PY'
import datetime, hashlib, json, struct, sys

out = sys.argv[1]
ZERO = bytes(32)

def field(b):
    # u32 big-endian length and the bytes; NULL is the length 0xFFFFFFFF alone
    return struct.pack('>I', 0xFFFFFFFF) if b is None else struct.pack('>I', len(b)) + b

def utf8(s):
    return None if s is None else s.encode('utf-8')

def event_hash(prev, e):
    return hashlib.sha256(
        prev + b'\x01' + field(utf8(e['chain_id'])) + field(struct.pack('>Q', e['seq']))
        + field(utf8(e['event_id'])) + field(struct.pack('>q', e['occurred_at_us']))
        + field(utf8(e['actor'])) + field(utf8(e['event_type'])) + field(utf8(e['object_type']))
        + field(utf8(e['object_id'])) + field(utf8(e['before'])) + field(utf8(e['after']))
        + field(utf8(e['context']))).digest()

def stamp(us):
    t = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=us)
    return t.strftime('%Y-%m-%dT%H:%M:%S.%fZ')

def seal(events, prev=ZERO):
    """Fill in occurred_at, prev_hash and hash along the chain."""
    for e in events:
        e['occurred_at'] = stamp(e['occurred_at_us'])
        e['prev_hash'] = prev.hex()
        prev = event_hash(prev, e)
        e['hash'] = prev.hex()
    return events

def event(seq, us, actor, etype, otype, oid, before, after, context):
    return {'v': 1, 'chain_id': 'tenant_acme', 'seq': seq, 'event_id': 'evt_%d' % seq,
            'occurred_at_us': us, 'actor': actor, 'event_type': etype,
            'object_type': otype, 'object_id': oid, 'before': before,
            'after': after, 'context': context}

def generate():
    return seal([
        event(1, 1795000000123456, 'alice', 'release_published', 'release', 'rel_1',
              None, '{"a": 1}', '{}'),
        event(2, 1795000001000000, 'bob', 'policy_updated', 'policy', None,
              '{"name": "caf\u00e9"}', '{"name": "caf\u00e9 \\"x\\"", "emoji": "\U0001F600"}',
              '{"path": "/rpc/policy", "client": "192.0.2.1"}'),
        event(3, 1795000002999999, 'carol', 'lease_issued', 'lease', 'lea_9',
              None, '{"seats": [1, 2]}', None),
    ])

def write(name, events):
    with open('%s/%s.jsonl' % (out, name), 'w', encoding='utf-8') as f:
        for e in events:
            f.write(json.dumps(e) + '\n')      # non-ASCII as \u escapes

def write_raw(name, text):
    with open('%s/%s.jsonl' % (out, name), 'w', encoding='utf-8') as f:
        f.write(text)

good = generate()
write('good', good)
# Raw UTF-8, no spaces, members in reverse order: the same events.
write_raw('good_utf8', ''.join(json.dumps(dict(reversed(list(e.items()))), ensure_ascii=False,
                                          separators=(',', ':')) + '\n' for e in good))
# CRLF on one line and no newline at the end.
write_raw('crlf', json.dumps(good[0]) + '\n' + json.dumps(good[1]) + '\r\n' + json.dumps(good[2]))
write('partial', good[1:])
write('head2', good[:2])

c = generate(); c[1]['actor'] = 'mallory'; write('tamper_actor', c)
c = generate(); c[2]['after'] = '{"seats": [1, 2, 3]}'; write('tamper_after', c)
c = generate(); c[1]['object_id'] = ''; write('tamper_null', c)
c = generate(); c[0]['occurred_at_us'] += 1; c[0]['occurred_at'] = stamp(c[0]['occurred_at_us']); write('tamper_time', c)
c = generate(); c[0]['occurred_at'] = stamp(c[0]['occurred_at_us'] + 3600 * 10**6); write('tamper_stamp', c)
c = generate(); write('gap', [c[0], c[2]])
c = generate(); write('swap', [c[0], c[2], c[1]])
c = generate(); write('dup', [c[0], c[1], c[1], c[2]])
c = generate(); c[2]['prev_hash'] = 'ab' * 32; write('link', c)
c = generate(); seal(c[2:], bytes.fromhex('ab' * 32)); write('link_resealed', c)
c = generate(); seal(c, bytes.fromhex('01' * 32)); write('first_prev', c)
c = generate(); c[1]['v'] = 2; write('version', c)
c = generate(); c[1]['chain_id'] = 'tenant_other'; seal(c); write('chain_id', c)
c = generate(); c[1]['hash'] = c[1]['hash'][:-1]; write('short_hash', c)
c = generate(); c[1]['before'] = {'name': 'caf\u00e9'}; write('object_before', c)
c = generate(); c[1]['extra'] = 1; write('unknown_member', c)
c = generate(); del c[1]['context']; write('missing_member', c)
c = generate(); write_raw('dup_member', json.dumps(c[0]) + '\n' + json.dumps(c[1])[:-1] + ', "actor": "mallory"}\n')
c = generate(); write_raw('bad_json', json.dumps(c[0]) + '\n' + json.dumps(c[1])[:-1] + '\n' + json.dumps(c[2]) + '\n')
c = generate(); write_raw('trailing_comma', json.dumps(c[0])[:-1] + ',}\n')
c = generate(); write_raw('blank_line', json.dumps(c[0]) + '\n\n' + json.dumps(c[1]) + '\n')
write_raw('empty', '')
# Near the 1 MiB line limit, and over it.
c = generate()[:1]; c[0]['after'] = '{"blob": "%s"}' % ('x' * 1040000); seal(c); write('big', c)
write_raw('too_long', 'x' * (1024 * 1024 + 1) + '\n')

for e in good:
    print(e['hash'])
PY
then
	echo "not ok - generating the exports with python3"
	echo "audit-cli: 0 passed, 1 failed"
	exit 1
fi

report() {
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
		echo "ok - $2"
	else
		failed=$((failed + 1))
		echo "not ok - $2"
		sed 's/^/#   /' "$tmp/out" "$tmp/err" | cut -c1-300
	fi
}

# check NAME WANT_EXIT REGEX ARGS…: run the verifier; the exit status must be
# WANT_EXIT and stdout one line matching REGEX (any stdout for exit 2).
check() {
	local name=$1 want_rc=$2 want=$3 rc lines
	shift 3
	"$bin" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	lines=$(wc -l < "$tmp/out")
	if [ "$rc" -eq "$want_rc" ] &&
		{ [ "$want_rc" -eq 2 ] || { [ "$lines" -eq 1 ] && grep -Eq -- "$want" "$tmp/out"; }; }; then
		report ok "$name"
	else
		echo "exit $rc, expected $want_rc; stdout must match: $want" >> "$tmp/err"
		report fail "$name"
	fi
}

# The generator and the C unit test's vector agree on the first event.
if [ "$(sed -n 1p "$tmp/hashes")" = "$head1" ] && [ "$(sed -n 2p "$tmp/hashes")" = "$head2" ] &&
	[ "$(sed -n 3p "$tmp/hashes")" = "$head3" ]; then
	: > "$tmp/out"; : > "$tmp/err"; report ok "python3 computes the expected hashes"
else
	cp "$tmp/hashes" "$tmp/out"; : > "$tmp/err"; report fail "python3 computes the expected hashes"
fi

d=$tmp
check "a valid export verifies" 0 "^ok: chain tenant_acme, 3 events, head seq 3 hash $head3\$" "$d/good.jsonl"
check "raw UTF-8, compact, reordered members" 0 "^ok: chain tenant_acme, 3 events, head seq 3 hash $head3\$" "$d/good_utf8.jsonl"
check "CRLF and no final newline" 0 "^ok: chain tenant_acme, 3 events" "$d/crlf.jsonl"
check "reads stdin when given -" 0 "^ok: chain tenant_acme, 3 events" - < "$d/good.jsonl"
check "a partial export from seq 2" 0 "^ok: chain tenant_acme, 2 events, head seq 3 hash $head3\$" "$d/partial.jsonl"
check "a line of about 1 MiB" 0 "^ok: chain tenant_acme, 1 events, head seq 1 " "$d/big.jsonl"

check "tampered actor: hash mismatch" 1 "^FAIL seq 2: hash mismatch" "$d/tamper_actor.jsonl"
check "tampered after: hash mismatch" 1 "^FAIL seq 3: hash mismatch" "$d/tamper_after.jsonl"
check "NULL object_id made empty: hash mismatch" 1 "^FAIL seq 2: hash mismatch" "$d/tamper_null.jsonl"
check "tampered occurred_at_us: hash mismatch" 1 "^FAIL seq 1: hash mismatch" "$d/tamper_time.jsonl"
check "occurred_at disagreeing with occurred_at_us" 1 "^FAIL seq 1: bad line 1: occurred_at" "$d/tamper_stamp.jsonl"
check "middle line deleted: gap" 1 "^FAIL seq 2: gap" "$d/gap.jsonl"
check "lines swapped: gap" 1 "^FAIL seq 2: gap" "$d/swap.jsonl"
check "line repeated: gap" 1 "^FAIL seq 3: gap" "$d/dup.jsonl"
check "prev_hash changed: broken link" 1 "^FAIL seq 3: broken link" "$d/link.jsonl"
check "prev_hash changed, hash recomputed: broken link" 1 "^FAIL seq 3: broken link" "$d/link_resealed.jsonl"
check "seq 1 with a non-zero prev_hash: broken link" 1 "^FAIL seq 1: broken link" "$d/first_prev.jsonl"
check "v 2: wrong version" 1 "^FAIL seq 2: wrong version" "$d/version.jsonl"
check "chain_id changes" 1 "^FAIL seq 2: chain mismatch" "$d/chain_id.jsonl"
check "truncated JSON: bad line" 1 "^FAIL seq 2: bad line 2: invalid JSON" "$d/bad_json.jsonl"
check "trailing comma: bad line" 1 "^FAIL seq 0: bad line 1: invalid JSON" "$d/trailing_comma.jsonl"
check "duplicate member: bad line" 1 "^FAIL seq 2: bad line 2: duplicate member \"actor\"" "$d/dup_member.jsonl"
check "unknown member: bad line" 1 "^FAIL seq 2: bad line 2: unknown member \"extra\"" "$d/unknown_member.jsonl"
check "missing member: bad line" 1 "^FAIL seq 2: bad line 2: missing member \"context\"" "$d/missing_member.jsonl"
check "before as a JSON object, not a string: bad line" 1 "^FAIL seq 2: bad line 2: before must be a string or null" "$d/object_before.jsonl"
check "63-digit hash: bad line" 1 "^FAIL seq 2: bad line 2: prev_hash and hash" "$d/short_hash.jsonl"
check "blank line: bad line" 1 "^FAIL seq 2: bad line 2" "$d/blank_line.jsonl"
check "line over 1 MiB: bad line" 1 "^FAIL seq 0: bad line 1: longer than" "$d/too_long.jsonl"
check "empty export" 1 "^FAIL seq 0: bad line: the export holds no events" "$d/empty.jsonl"

check "checkpoint at the head" 0 "^ok: chain tenant_acme, 3 events, head seq 3 hash $head3\$" \
	--checkpoint "$cp3" --key "$key" "$d/good.jsonl"
check "checkpoint before the head" 0 "^ok: chain tenant_acme, 3 events" \
	--checkpoint "$cp2" --key "$key" "$d/good.jsonl"
check "checkpoint within a partial export" 0 "^ok: chain tenant_acme, 2 events, head seq 3" \
	--checkpoint "$cp2" --key "$key" "$d/partial.jsonl"
check "tail cut off: chain ends before the checkpoint" 1 "^FAIL seq 3: chain ends before the checkpoint" \
	--checkpoint "$cp3" --key "$key" "$d/head2.jsonl"
check "empty export with a checkpoint" 1 "^FAIL seq 3: chain ends before the checkpoint" \
	--checkpoint "$cp3" --key "$key" "$d/empty.jsonl"
check "checkpoint with another hash: mismatch" 1 "^FAIL seq 3: checkpoint mismatch" \
	--checkpoint "$cp3_wrong_hash" --key "$key" "$d/good.jsonl"
check "checkpoint of another chain: mismatch" 1 "^FAIL seq 3: checkpoint mismatch" \
	--checkpoint "$cp3_other_chain" --key "$key" "$d/good.jsonl"
check "token of another typ: mismatch" 1 "^FAIL seq 0: checkpoint mismatch" \
	--checkpoint "$cp3_snapshot" --key "$key" "$d/good.jsonl"
check "checkpoint signed by another key: signature" 1 "^FAIL seq 0: checkpoint signature" \
	--checkpoint "$cp3" --key "$other_key" "$d/good.jsonl"
check "edited checkpoint: signature" 1 "^FAIL seq 0: checkpoint signature" \
	--checkpoint "${cp3%?????}AAAAA" --key "$key" "$d/good.jsonl"
check "a checkpoint check still catches tampering" 1 "^FAIL seq 2: hash mismatch" \
	--checkpoint "$cp3" --key "$key" "$d/tamper_actor.jsonl"

check "usage: --checkpoint without --key" 2 "" --checkpoint "$cp3" "$d/good.jsonl"
check "usage: invalid --key" 2 "" --checkpoint "$cp3" --key k4.public.AAAA "$d/good.jsonl"
check "usage: unknown option" 2 "" --verbose "$d/good.jsonl"
check "usage: two files" 2 "" "$d/good.jsonl" "$d/good.jsonl"
check "missing file" 2 "" "$d/no-such-file.jsonl"

echo "audit-cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
