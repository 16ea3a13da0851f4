// Unit tests with tokens signed here: the cases of test/unit/test_client.c
// (key set, verify, pinned keys, rules, iat, binding, key certificates,
// lease chain, revocations, RFC 3339), expecting the statuses C gives.

import {
  checkBinding,
  checkLeaseChain,
  formatRfc3339,
  k4Pid,
  LeaseChain,
  leaseHash,
  parseRfc3339,
  payloadText,
  Revocations,
  STATUS,
  statusMessage,
  Verifier,
} from '../index.js';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { hasSmallOrder, verifyLibsodium } from '../src/ed25519.js';
import * as json from '../src/json.js';
import { utf8 } from '../src/bytes.js';
import { statusOf } from './harness.mjs';
import { makeKey, sign } from './signer.mjs';

const NOW = 1800000000; /* 2027-01-15T08:00:00Z */
const DAY = 86400;
const rfc = (t) => formatRfc3339(t);

const root = makeKey(1);
const root2 = makeKey(2);
const dec = makeKey(3);
const lease = makeKey(4);
const audit = makeKey(5);
const revoked = makeKey(6);
const pending = makeKey(7);
const retiring = makeKey(8);
const tenantLease = makeKey(9);
const future = makeKey(10);
const stranger = makeKey(11);

const q = (s) => (s === null ? 'null' : `"${s}"`);

function entry(k, purpose, tenant, state, from, until) {
  return `{"kid":"${k.kid}","purpose":"${purpose}","tenant_id":${q(tenant)},"public_key":"${k.pub}","state":"${state}","valid_from":${q(from)},"valid_until":${q(until)}}`;
}

function keysetPayload(version, exp, keys) {
  return `{"typ":"keyset","iss":"test","iat":"${rfc(NOW - 60)}","exp":"${rfc(exp)}","version":${version},"keys":[${keys}]}`;
}

const keysJson = [
  entry(root, 'root', null, 'active', rfc(NOW - DAY), null),
  entry(dec, 'decision', null, 'active', rfc(NOW - DAY), null),
  entry(lease, 'lease', null, 'active', rfc(NOW - DAY), null),
  entry(audit, 'audit', null, 'active', null, null),
  entry(revoked, 'decision', null, 'revoked', rfc(NOW - DAY), rfc(NOW - 10)),
  entry(pending, 'decision', null, 'pending', null, null),
  entry(retiring, 'decision', null, 'retiring', rfc(NOW - DAY), rfc(NOW + 100)),
  entry(tenantLease, 'lease', 'acme', 'active', rfc(NOW - DAY), null),
  entry(future, 'decision', null, 'active', rfc(NOW + 1000), null),
].join(',');

function decision(k, typ, exp, extra = '') {
  return sign(k, `{"typ":"${typ}","product_id":"app","action":"UPDATE","iat":"${rfc(NOW - 5)}","exp":"${rfc(exp)}"${extra}}`);
}

/* A verifier with the root pinned and the standard key set loaded. */
function loaded() {
  const v = new Verifier();
  v.pinKey('root', root.pub);
  v.loadKeyset(sign(root, keysetPayload(1, NOW + 3600, keysJson)), NOW);
  return v;
}

function flip(token, i) {
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

function testKeyset(h) {
  const v = new Verifier();
  const load = (t, now = NOW) => statusOf(() => v.loadKeyset(t, now));
  v.pinKey('root', root.pub);
  h.equal('keyset: loads', load(sign(root, keysetPayload(5, NOW + 3600, keysJson))), 'OK');
  h.equal('keyset: root entry merged with the pinned root', v.keys.length, 9);
  h.equal('keyset: version', v.keysetVersion, 5n);
  h.equal('keyset: signed by a root nobody pinned', load(sign(root2, keysetPayload(6, NOW + 3600, keysJson))), 'UNKNOWN_KEY');
  h.equal('keyset: signed by a key of the key set', load(sign(dec, keysetPayload(6, NOW + 3600, keysJson))), 'UNKNOWN_KEY');
  h.equal('keyset: expired', load(sign(root, keysetPayload(6, NOW - 1, keysJson))), 'EXPIRED');
  h.equal('keyset: at exp', load(sign(root, keysetPayload(6, NOW, keysJson))), 'EXPIRED');
  h.equal('keyset: rollback', load(sign(root, keysetPayload(4, NOW + 3600, keysJson))), 'ROLLBACK');
  h.equal('keyset: version kept', v.keysetVersion, 5n);
  h.equal('keyset: the same version again', load(sign(root, keysetPayload(5, NOW + 3600, keysJson))), 'OK');
  const before = JSON.stringify(v.keys);
  const malformed = [
    ['no version', '{"typ":"keyset","exp":"2099-01-01T00:00:00Z","keys":[]}'],
    ['no exp', '{"typ":"keyset","version":9,"keys":[]}'],
    ['keys not an array', '{"typ":"keyset","exp":"2099-01-01T00:00:00Z","version":9,"keys":{}}'],
    ['negative version', '{"typ":"keyset","exp":"2099-01-01T00:00:00Z","version":-1,"keys":[]}'],
    ['version 9.0', '{"typ":"keyset","exp":"2099-01-01T00:00:00Z","version":9.0,"keys":[]}'],
    ['version beyond int64', '{"typ":"keyset","exp":"2099-01-01T00:00:00Z","version":9223372036854775808,"keys":[]}'],
    ['exp not RFC 3339', '{"typ":"keyset","exp":"tomorrow","version":9,"keys":[]}'],
    ['not json', 'not json'],
    ['an array', '[1,2]'],
    ['kid of another key', keysetPayload(9, NOW + 3600, `{"kid":"${dec.kid}","purpose":"decision","tenant_id":null,"public_key":"${lease.pub}","state":"active","valid_from":null,"valid_until":null}`)],
    ['unknown purpose', keysetPayload(9, NOW + 3600, entry(dec, 'signing', null, 'active', null, null))],
    ['unknown state', keysetPayload(9, NOW + 3600, entry(dec, 'decision', null, 'sleeping', null, null))],
    ['impossible date', keysetPayload(9, NOW + 3600, entry(dec, 'decision', null, 'active', '2026-02-30T00:00:00Z', null))],
    ['the same kid twice', keysetPayload(9, NOW + 3600, [1, 2].map(() => entry(dec, 'decision', null, 'active', null, null)).join(','))],
    ['the pinned root with another purpose', keysetPayload(9, NOW + 3600, entry(root, 'decision', null, 'active', null, null))],
    ['an entry member twice', keysetPayload(9, NOW + 3600, entry(dec, 'decision', null, 'active', null, null).replace('"state"', '"state":"active","state"'))],
    ['an entry purpose escaped', keysetPayload(9, NOW + 3600, entry(dec, 'decision', null, 'active', null, null).replace('"purpose":"decision"', '"purpose":"decisio\\u006e"'))],
    ['a tenant of 129 bytes', keysetPayload(9, NOW + 3600, entry(dec, 'decision', 'x'.repeat(129), 'active', null, null))],
  ];
  for (const [name, p] of malformed) h.equal(`keyset: ${name} is MALFORMED`, load(sign(root, p)), 'MALFORMED');
  h.equal('keyset: a 128-byte tenant loads', load(sign(root, keysetPayload(9, NOW + 3600, entry(dec, 'decision', 'x'.repeat(128), 'active', null, null)))), 'OK');
  h.equal('keyset: ... and a failure after it changes nothing', load(sign(root, keysetPayload(10, NOW + 3600, 'x'))), 'MALFORMED');
  h.equal('keyset: a decision signed by the root', load(sign(root, '{"typ":"decision","exp":"2099-01-01T00:00:00Z","version":9,"keys":[]}')), 'WRONG_PURPOSE');
  h.equal('keyset: a key certificate', load(sign(root, '{"typ":"key_certificate","exp":"2099-01-01T00:00:00Z","version":9,"keys":[]}')), 'WRONG_TYPE');
  h.equal('keyset: nbf ahead', load(sign(root, `{"typ":"keyset","nbf":"${rfc(NOW + 301)}","exp":"${rfc(NOW + 3600)}","version":9,"keys":[]}`)), 'NOT_YET_VALID');

  const v2 = new Verifier();
  v2.pinKey('root', root.pub);
  v2.loadKeyset(sign(root, keysetPayload(5, NOW + 3600, keysJson)), NOW);
  const before2 = JSON.stringify(v2.keys);
  for (const [name, p] of malformed) statusOf(() => v2.loadKeyset(sign(root, p), NOW));
  h.equal('keyset: failures leave the keys as they were', JSON.stringify(v2.keys), before2);
  h.equal('keyset: ... and the version', v2.keysetVersion, 5n);
  h.ok('keyset: keys changed by the loads that succeeded', JSON.stringify(v.keys) !== before);

  h.equal('keyset: fewer keys replace the old', load(sign(root, keysetPayload(11, NOW + 3600, entry(dec, 'decision', null, 'active', null, null)))), 'OK');
  h.equal('keyset: pinned root and one key', v.keys.length, 2);
  h.status('keyset: the key left verifies', 'OK', () => v.verify(decision(dec, 'decision', NOW + 60), { now: NOW }));
  h.status('keyset: a key no longer listed is unknown', 'UNKNOWN_KEY', () => v.verify(decision(retiring, 'decision', NOW + 60), { now: NOW }));

  const big = [];
  for (let i = 0; i < 64; i++) big.push(entry(makeKey(100 + i), 'decision', null, 'active', null, null));
  h.equal('keyset: 64 entries plus the pinned root is CAPACITY', load(sign(root, keysetPayload(12, NOW + 3600, big.join(',')))), 'CAPACITY');
  h.equal('keyset: 63 entries plus the pinned root fit', load(sign(root, keysetPayload(12, NOW + 3600, big.slice(1).join(',')))), 'OK');
  h.status('keyset: bad arguments', 'BAD_ARGUMENT', () => v.loadKeyset(42, NOW));
  h.status('keyset: now not an integer', 'BAD_ARGUMENT', () => v.loadKeyset('v4.public.x', 1.5));
}

function testVerify(h) {
  const v = loaded();
  const verify = (t, typ = null, now = NOW, o = {}) => statusOf(() => v.verify(t, { typ, now, ...o }));
  const p = `{"typ":"decision","exp":"${rfc(NOW + 60)}","x":1}`;
  const t = sign(dec, p);
  const payload = v.verify(t, { typ: 'decision', now: NOW });
  h.equal('verify: the payload comes back', payload, { typ: 'decision', exp: rfc(NOW + 60), x: 1 });
  h.equal('verify: ... with its exact text', payloadText(payload), p);
  h.equal('verify: any typ', verify(t), 'OK');
  h.equal('verify: a body character changed', verify(flip(t, 20)), 'BAD_SIGNATURE');
  h.equal('verify: a signature character changed', verify(flip(t, t.lastIndexOf('.') - 10)), 'BAD_SIGNATURE');
  h.equal('verify: a footer naming another key', verify(sign(dec, p, `{"kid":"${retiring.kid}"}`)), 'BAD_SIGNATURE');
  h.equal('verify: unknown kid', verify(decision(stranger, 'decision', NOW + 60)), 'UNKNOWN_KEY');
  h.equal('verify: an unpinned root', verify(decision(root2, 'keyset', NOW + 60)), 'UNKNOWN_KEY');
  h.equal('verify: revoked key', verify(decision(revoked, 'decision', NOW + 60)), 'KEY_REVOKED');
  h.equal('verify: pending key', verify(decision(pending, 'decision', NOW + 60)), 'KEY_NOT_VALID');
  const r = decision(retiring, 'decision', NOW + 3600);
  h.equal('verify: retiring key in its window', verify(r), 'OK');
  h.equal('verify: retiring key 1 s before valid_until', verify(r, null, NOW + 99), 'OK');
  h.equal('verify: retiring key at valid_until', verify(r, null, NOW + 100), 'KEY_NOT_VALID');
  h.equal('verify: retiring key at valid_until, skipTime', verify(r, null, NOW + 100, { skipTime: true }), 'KEY_NOT_VALID');
  h.equal('verify: retiring key at valid_until, signedEarlier', verify(r, null, NOW + 100, { signedEarlier: true }), 'OK');
  h.equal('verify: revoked key, signedEarlier', verify(decision(revoked, 'decision', NOW + 60), null, NOW, { signedEarlier: true }), 'KEY_REVOKED');
  const f = decision(future, 'decision', NOW + 3600);
  h.equal('verify: before valid_from', verify(f), 'KEY_NOT_VALID');
  h.equal('verify: at valid_from', verify(f, null, NOW + 1000), 'OK');
  h.equal('verify: a lease by the decision key', verify(decision(dec, 'lease', NOW + 60)), 'WRONG_PURPOSE');
  h.equal('verify: a decision by the lease key', verify(decision(lease, 'decision', NOW + 60)), 'WRONG_PURPOSE');
  h.equal('verify: a checkpoint by the decision key', verify(decision(dec, 'checkpoint', NOW + 60)), 'WRONG_PURPOSE');
  h.equal('verify: a keyset by the decision key', verify(decision(dec, 'keyset', NOW + 60)), 'WRONG_PURPOSE');
  h.equal('verify: an unknown typ', verify(decision(dec, 'mystery', NOW + 60)), 'WRONG_PURPOSE');
  h.equal('verify: typ spelled with an escape (raw text is looked up, as C)', verify(decision(dec, 'decisio\\u006e', NOW + 60)), 'WRONG_PURPOSE');
  h.equal('verify: a checkpoint by the audit key', verify(decision(audit, 'checkpoint', NOW + 60), 'checkpoint'), 'OK');
  h.equal('verify: a release by the decision key', verify(decision(dec, 'release', NOW + 60), 'release'), 'OK');
  h.equal('verify: a key certificate by the root', verify(decision(root, 'key_certificate', NOW + 60), 'key_certificate'), 'OK');
  const d = decision(dec, 'decision', NOW + 60);
  h.equal('verify: expected release', verify(d, 'release'), 'WRONG_TYPE');
  h.equal('verify: expected lease', verify(d, 'lease'), 'WRONG_TYPE');
  h.equal('verify: expected decision', verify(d, 'decision'), 'OK');
  h.equal('verify: expired', verify(decision(dec, 'decision', NOW - 1)), 'EXPIRED');
  h.equal('verify: at exp', verify(decision(dec, 'decision', NOW)), 'EXPIRED');
  h.equal('verify: 1 s before exp', verify(decision(dec, 'decision', NOW + 1)), 'OK');
  h.equal('verify: expired, skipTime', verify(decision(dec, 'decision', NOW - 1), null, NOW, { skipTime: true }), 'OK');
  h.equal('verify: nbf beyond the skew', verify(decision(dec, 'decision', NOW + 3600, `,"nbf":"${rfc(NOW + 301)}"`)), 'NOT_YET_VALID');
  h.equal('verify: nbf within the skew', verify(decision(dec, 'decision', NOW + 3600, `,"nbf":"${rfc(NOW + 300)}"`)), 'OK');
  h.equal('verify: nbf now', verify(decision(dec, 'decision', NOW + 60, `,"nbf":"${rfc(NOW)}"`)), 'OK');
  h.equal('verify: nbf not a time', verify(decision(dec, 'decision', NOW + 60, ',"nbf":"soon"')), 'MALFORMED');
  h.equal('verify: expired and a bad nbf (exp is checked first)', verify(decision(dec, 'decision', NOW - 1, ',"nbf":"soon"')), 'EXPIRED');
  h.equal('verify: nbf null', verify(decision(dec, 'decision', NOW + 60, ',"nbf":null')), 'MALFORMED');
  h.equal('verify: exp escaped (raw text parsed, as C)', verify(sign(dec, '{"typ":"decision","exp":"2099\\u002d01-01T00:00:00Z"}')), 'MALFORMED');
  h.equal('verify: a decision without exp', verify(sign(dec, '{"typ":"decision"}')), 'MALFORMED');
  h.equal('verify: a release without exp', verify(sign(dec, '{"typ":"release"}')), 'MALFORMED');
  const lp = (tenant) => `{"typ":"lease","tenant_id":"${tenant}","exp":"${rfc(NOW + 60)}"}`;
  h.equal('verify: tenant key, its tenant', verify(sign(tenantLease, lp('acme')), 'lease'), 'OK');
  h.equal('verify: tenant key, its tenant escaped', verify(sign(tenantLease, lp('\\u0061cme')), 'lease'), 'OK');
  h.equal('verify: tenant key, another tenant', verify(sign(tenantLease, lp('globex')), 'lease'), 'WRONG_TENANT');
  h.equal('verify: tenant key, tenant_id not a string', verify(sign(tenantLease, `{"typ":"lease","tenant_id":7,"exp":"${rfc(NOW + 60)}"}`), 'lease'), 'WRONG_TENANT');
  h.equal('verify: tenant key, no tenant_id', verify(sign(tenantLease, `{"typ":"lease","exp":"${rfc(NOW + 60)}"}`), 'lease'), 'OK');
  h.equal('verify: global key, any tenant', verify(sign(lease, lp('globex')), 'lease'), 'OK');
  const malformed = [
    ['not json', sign(dec, 'not json')],
    ['an array', sign(dec, '["decision"]')],
    ['no typ', sign(dec, '{"exp":"2099-01-01T00:00:00Z"}')],
    ['typ a number', sign(dec, '{"typ":7}')],
    ['typ twice', sign(dec, '{"typ":"decision","typ":"lease"}')],
    ['typ twice, once escaped', sign(dec, '{"typ":"decision","t\\u0079p":"lease"}')],
    ['exp twice', sign(dec, '{"typ":"decision","exp":"2099-01-01T00:00:00Z","exp":"2000-01-01T00:00:00Z"}')],
    ['exp a number', sign(dec, '{"typ":"decision","exp":1900000000}')],
    ['a lone surrogate', sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}","x":"\\ud800"}`)],
    ['a trailing comma', sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}",}`)],
    ['a leading zero', sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}","x":01}`)],
    ['a BOM', sign(dec, `\ufeff{"typ":"decision","exp":"${rfc(NOW + 60)}"}`)],
    ['65 levels of nesting', sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}","x":${'['.repeat(64)}${']'.repeat(64)}}`)],
    ['empty footer', sign(dec, '{"typ":"decision"}', '')],
    ['footer without kid', sign(dec, '{"typ":"decision"}', '{"key":"x"}')],
    ['footer kid not a k4.pid', sign(dec, '{"typ":"decision"}', '{"kid":"k4.pid.nope"}')],
    ['footer not JSON', sign(dec, '{"typ":"decision"}', 'kid')],
    ['footer of 17 JSON tokens', sign(dec, '{"typ":"decision"}', `{"kid":"${dec.kid}","x":[1,2,3,4,5,6,7,8,9,10,11,12]}`)],
    ['footer over 4096 bytes', sign(dec, '{"typ":"decision"}', `{"kid":"${dec.kid}","x":"${'x'.repeat(4096)}"}`)],
    ['footer cert empty', sign(dec, '{"typ":"decision"}', `{"kid":"${dec.kid}","cert":""}`)],
    ['footer cert escaped', sign(dec, '{"typ":"decision"}', `{"kid":"${dec.kid}","cert":"v4\\u002e"}`)],
    ['footer cert not a string', sign(dec, '{"typ":"decision"}', `{"kid":"${dec.kid}","cert":1}`)],
    ['hello', 'hello'],
    ['v4.local', 'v4.local.AAAA.BBBB'],
    ['empty', ''],
    ['an extra part', `${d}.extra`],
    ['a trailing dot', `${d.split('.').slice(0, 3).join('.')}.`],
    ['padding', `${d}=`],
  ];
  for (const [name, tok] of malformed) h.equal(`verify: ${name} is MALFORMED`, verify(tok), 'MALFORMED');
  h.equal('verify: 64 levels of nesting are fine', verify(sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}","x":${'['.repeat(63)}${']'.repeat(63)}}`)), 'OK');
  h.equal('verify: footer of 16 JSON tokens is fine', verify(sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}"}`, `{"kid":"${dec.kid}","x":[1,2,3,4,5,6,7,8,9,10,11]}`)), 'OK');
  h.equal('verify: footer kid escaped is the same kid', verify(sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}"}`, `{"kid":"\\u006b${dec.kid.slice(1)}"}`)), 'OK');
  h.equal('verify: footer with the kid twice: the first counts', verify(sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}"}`, `{"kid":"${dec.kid}","kid":"${lease.kid}"}`)), 'OK');
  const dup = v.verify(sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}","x":1,"x":2,"__proto__":{"y":1}}`), { now: NOW });
  h.equal('verify: a repeated other member: the first counts', dup.x, 1);
  h.ok('verify: a "__proto__" member is data', Object.getPrototypeOf(dup) === Object.prototype && dup.__proto__ !== undefined && Object.hasOwn(dup, '__proto__'));
  h.equal('verify: strings with escapes come back unescaped', v.verify(sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}","s":"\\ud83d\\ude00 \\u00e9\\n\\/"}`), { now: NOW }).s, '\u{1f600} \u00e9\n/');
  h.status('verify: typ not a string', 'BAD_ARGUMENT', () => v.verify(d, { typ: 7, now: NOW }));
  h.status('verify: no now', 'BAD_ARGUMENT', () => v.verify(d, {}));
  h.status('verify: not a token', 'BAD_ARGUMENT', () => v.verify(null, { now: NOW }));
}

function testPinned(h) {
  const v = new Verifier();
  h.status('pin: decision key', 'OK', () => v.pinKey('decision', dec.pub));
  h.status('pin: lease key', 'OK', () => v.pinKey('lease', lease.pub));
  h.status('pin: the same again', 'OK', () => v.pinKey('decision', dec.pub));
  h.equal('pin: two keys', v.keys.length, 2);
  h.status('pin: another purpose', 'BAD_ARGUMENT', () => v.pinKey('audit', dec.pub));
  h.status('pin: a short key', 'BAD_KEY', () => v.pinKey('audit', 'k4.public.nope'));
  h.status('pin: k3', 'BAD_KEY', () => v.pinKey('audit', 'k3.public.AAAA'));
  const A64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const noncanonical = audit.pub.slice(0, -1) + A64[A64.indexOf(audit.pub.at(-1)) | 1];
  h.status('pin: noncanonical base64url', 'BAD_KEY', () => v.pinKey('audit', noncanonical));
  h.status('pin: a key with a NUL after it (C reads up to the NUL)', 'OK', () => new Verifier().pinKey('audit', `${audit.pub}\0junk`));
  h.status('pin: purpose none', 'BAD_ARGUMENT', () => v.pinKey('none', audit.pub));
  h.status('pin: no key', 'BAD_ARGUMENT', () => v.pinKey('audit', null));
  h.status('pin: a decision verifies', 'OK', () => v.verify(decision(dec, 'decision', NOW + 60), { typ: 'decision', now: NOW }));
  const p = `{"typ":"lease","seq":1,"prev_hash":"","exp":"${rfc(NOW + 60)}"}`;
  h.status('pin: a lease verifies', 'OK', () => v.verify(sign(lease, p), { typ: 'lease', now: NOW }));
  h.status('pin: a lease by the decision key', 'WRONG_PURPOSE', () => v.verify(sign(dec, p), { typ: 'lease', now: NOW }));
  h.status('pin: an unpinned audit key', 'UNKNOWN_KEY', () => v.verify(decision(audit, 'checkpoint', NOW + 60), { now: NOW }));
  h.status('pin: no root, no key set', 'UNKNOWN_KEY', () => v.loadKeyset(sign(root, keysetPayload(1, NOW + 3600, keysJson)), NOW));
  v.pinKey('root', root.pub);
  h.status('pin: a key set that revokes a pinned key loads', 'OK', () =>
    v.loadKeyset(sign(root, keysetPayload(1, NOW + 3600, entry(dec, 'decision', null, 'revoked', null, rfc(NOW - 5)))), NOW));
  h.status('pin: the revoked pinned key', 'KEY_REVOKED', () => v.verify(decision(dec, 'decision', NOW + 60), { now: NOW }));
  h.status('pin: pinned again, it stays revoked', 'KEY_REVOKED', () => {
    v.pinKey('decision', dec.pub);
    v.verify(decision(dec, 'decision', NOW + 60), { now: NOW });
  });
  h.status('pin: the other pinned key', 'OK', () => v.verify(sign(lease, p), { typ: 'lease', now: NOW }));

  /* A pinned key takes the key set's window; its state other than revoked does not count. */
  const w = new Verifier();
  w.pinKey('root', root.pub);
  w.pinKey('decision', dec.pub);
  const rel = sign(dec, `{"typ":"release","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW + DAY)}"}`);
  h.status('pin: window before narrowing', 'OK', () => w.verify(rel, { now: NOW + 500 }));
  w.loadKeyset(sign(root, keysetPayload(1, NOW + 3600, entry(dec, 'decision', null, 'retired', rfc(NOW - 3600), rfc(NOW + 100)))), NOW);
  h.status('pin: narrowed, inside (a retired entry narrows only)', 'OK', () => w.verify(rel, { now: NOW }));
  h.status('pin: narrowed, after', 'KEY_NOT_VALID', () => w.verify(rel, { now: NOW + 500 }));
  h.status('pin: narrowed, before, skipTime', 'KEY_NOT_VALID', () => w.verify(rel, { now: NOW - 7200, skipTime: true }));
  h.ok('pin: still pinned', w.keys[1].pinned);
  w.loadKeyset(sign(root, keysetPayload(2, NOW + 3600, '')), NOW);
  h.status('pin: a key set without it keeps the narrowed window', 'KEY_NOT_VALID', () => w.verify(rel, { now: NOW + 500 }));
  w.pinKey('decision', dec.pub);
  h.status('pin: pinned again, the window is gone', 'OK', () => w.verify(rel, { now: NOW + 500 }));

  /* A key set that puts its own signer outside its window now: refused, nothing changes. */
  const s = new Verifier();
  s.pinKey('root', root.pub);
  const ks = (from, until, state = 'active') => sign(root, keysetPayload(1, NOW + 3600, entry(root, 'root', null, state, from, until)));
  h.status('pin: a key set disowning its signer (valid_from ahead)', 'KEY_NOT_VALID', () => s.loadKeyset(ks(rfc(NOW + 3600), null), NOW));
  h.ok('pin: ... nothing changed', s.keysetVersion === null && s.keys[0].validFrom === null);
  h.status('pin: ... (valid_until now)', 'KEY_NOT_VALID', () => s.loadKeyset(ks(rfc(NOW - 3600), rfc(NOW), 'retiring'), NOW));
  h.status('pin: ... 1 s inside its window loads', 'OK', () => s.loadKeyset(ks(rfc(NOW - 3600), rfc(NOW + 1), 'retiring'), NOW));
  h.status('pin: a key set revoking its own signer loads', 'OK', () => s.loadKeyset(ks(null, rfc(NOW - 1), 'revoked'), NOW));
  h.status('pin: ... and then nothing it signs does', 'KEY_REVOKED', () => s.loadKeyset(ks(null, null), NOW));
}

function testRules(h) {
  const v = new Verifier();
  v.pinKey('decision', dec.pub);
  const verify = (p, now = NOW) => statusOf(() => v.verify(sign(dec, p), { now }));
  h.equal('rules: a decision with iat, no exp', verify(`{"typ":"decision","iat":"${rfc(NOW - 5)}"}`), 'MALFORMED');
  h.equal('rules: a release of a day', verify(`{"typ":"release","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW + DAY)}"}`), 'OK');
  h.equal('rules: a decision of 7 days', verify(`{"typ":"decision","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW - 5 + 7 * DAY)}"}`), 'OK');
  h.equal('rules: a decision of 7 days and 1 s', verify(`{"typ":"decision","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW - 4 + 7 * DAY)}"}`), 'MALFORMED');
  h.status('rules: ... also with skipTime', 'MALFORMED', () =>
    v.verify(sign(dec, `{"typ":"decision","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW - 4 + 7 * DAY)}"}`), { now: NOW, skipTime: true }));
  h.equal('rules: iat at the clock skew', verify(`{"typ":"decision","iat":"${rfc(NOW + 300)}","exp":"${rfc(NOW + 3600)}"}`), 'OK');
  h.equal('rules: iat beyond the clock skew', verify(`{"typ":"decision","iat":"${rfc(NOW + 301)}","exp":"${rfc(NOW + 3600)}"}`), 'NOT_YET_VALID');
  h.status('rules: ... skipTime', 'OK', () =>
    v.verify(sign(dec, `{"typ":"decision","iat":"${rfc(NOW + 301)}","exp":"${rfc(NOW + 3600)}"}`), { now: NOW, skipTime: true }));
  h.equal('rules: times with offsets and fractions', verify(`{"typ":"decision","iat":"${rfc(NOW - 5).replace('Z', '.999+00:00')}","exp":"2027-01-15T09:00:00.5+01:00"}`), 'EXPIRED');
  /* A tenant's audit key checkpoints its tenant's chain only. */
  const a = new Verifier();
  a.pinKey('root', root.pub);
  a.loadKeyset(sign(root, keysetPayload(1, NOW + 3600, entry(audit, 'audit', 'acme', 'active', null, null))), NOW);
  const cp = (chain) => sign(audit, `{"typ":"checkpoint","exp":"${rfc(NOW + 60)}"${chain}}`);
  h.status('rules: a tenant audit key, its chain', 'OK', () => a.verify(cp(',"chain_id":"acme"'), { now: NOW }));
  h.status('rules: a tenant audit key, another chain', 'WRONG_TENANT', () => a.verify(cp(',"chain_id":"globex"'), { now: NOW }));
  h.status('rules: a tenant audit key, no chain', 'WRONG_TENANT', () => a.verify(cp(''), { now: NOW }));
}

function certificate(signer, k, tenant, purposes, exp, kidOverride) {
  return sign(signer, `{"typ":"key_certificate","iat":"${rfc(NOW - 3600)}","nbf":"${rfc(NOW - 3600)}","exp":"${rfc(exp)}","kid":"${kidOverride ?? k.kid}","public_key":"${k.pub}","tenant_id":"${tenant}","purposes":${purposes},"mirror_id":null}`);
}

function mirrorToken(k, cert, typ, tenant, exp) {
  const p = tenant
    ? `{"typ":"${typ}","tenant_id":"${tenant}","iat":"${rfc(NOW - 5)}","exp":"${rfc(exp)}"}`
    : `{"typ":"${typ}","iat":"${rfc(NOW - 5)}","exp":"${rfc(exp)}"}`;
  return sign(k, p, `{"kid":"${k.kid}","cert":"${cert}"}`);
}

function testCertificates(h) {
  const mirror = makeKey(42);
  const v = new Verifier();
  v.pinKey('root', root.pub);
  const verify = (t, typ = null) => statusOf(() => v.verify(t, { typ, now: NOW }));
  const cert = certificate(root, mirror, 'acme', '["decision"]', NOW + DAY);
  h.equal('cert: a mirror decision', verify(mirrorToken(mirror, cert, 'decision', 'acme', NOW + 60), 'decision'), 'OK');
  h.equal('cert: expired decision', verify(mirrorToken(mirror, cert, 'decision', 'acme', NOW - 1), 'decision'), 'EXPIRED');
  h.equal('cert: a lease by a decision certificate', verify(mirrorToken(mirror, cert, 'lease', 'acme', NOW + 60)), 'WRONG_PURPOSE');
  h.equal('cert: a keyset', verify(mirrorToken(mirror, cert, 'keyset', 'acme', NOW + 60)), 'WRONG_PURPOSE');
  h.equal('cert: an unknown typ', verify(mirrorToken(mirror, cert, 'bogus', 'acme', NOW + 60)), 'WRONG_PURPOSE');
  const both = certificate(root, mirror, 'acme', '["decision","lease"]', NOW + DAY);
  h.equal('cert: a lease by a decision+lease certificate', verify(mirrorToken(mirror, both, 'lease', 'acme', NOW + 60), 'lease'), 'OK');
  h.equal('cert: another tenant', verify(mirrorToken(mirror, cert, 'decision', 'globex', NOW + 60)), 'WRONG_TENANT');
  h.equal('cert: no tenant', verify(mirrorToken(mirror, cert, 'decision', null, NOW + 60)), 'WRONG_TENANT');
  h.equal('cert: expired certificate', verify(mirrorToken(mirror, certificate(root, mirror, 'acme', '["decision"]', NOW - 1), 'decision', 'acme', NOW + 60)), 'CERT_EXPIRED');
  const invalid = [
    ['signed by a stranger', certificate(stranger, mirror, 'acme', '["decision"]', NOW + DAY)],
    ['for another key', certificate(root, stranger, 'acme', '["decision"]', NOW + DAY)],
    ['with another kid', certificate(root, mirror, 'acme', '["decision"]', NOW + DAY, stranger.kid)],
    ['delegating root', certificate(root, mirror, 'acme', '["root"]', NOW + DAY)],
    ['no purposes', certificate(root, mirror, 'acme', '[]', NOW + DAY)],
    ['purposes not an array', certificate(root, mirror, 'acme', '"decision"', NOW + DAY)],
    ['empty tenant', certificate(root, mirror, '', '["decision"]', NOW + DAY)],
    ['not a token', 'v4.public.AAAA'],
    ['of the wrong typ', sign(root, `{"typ":"keyset","exp":"${rfc(NOW + DAY)}"}`)],
    ['signed with a cert itself', mirrorToken(mirror, certificate(root, mirror, 'acme', '["decision"]', NOW + DAY), 'key_certificate', 'acme', NOW + 60)],
  ];
  for (const [name, c] of invalid)
    h.equal(`cert: a certificate ${name} is CERT_INVALID`, verify(mirrorToken(mirror, c, 'decision', 'acme', NOW + 60)), 'CERT_INVALID');
  h.equal('cert: a certificate is not a decision', verify(cert, 'decision'), 'WRONG_TYPE');
  h.equal('cert: tampered', verify(flip(mirrorToken(mirror, cert, 'decision', 'acme', NOW + 60), 20)), 'BAD_SIGNATURE');
  h.status('cert: no root known', 'CERT_INVALID', () => new Verifier().verify(mirrorToken(mirror, cert, 'decision', 'acme', NOW + 60), { now: NOW }));
  v.loadKeyset(sign(root, keysetPayload(5, NOW + 3600, [entry(root, 'root', null, 'active', rfc(NOW - DAY), null), entry(mirror, 'decision', 'acme', 'revoked', rfc(NOW - DAY), rfc(NOW - 10))].join(','))), NOW);
  h.equal('cert: a key set revoking the mirror key beats its certificate', verify(mirrorToken(mirror, cert, 'decision', 'acme', NOW + 60)), 'KEY_REVOKED');
  h.status('cert: a key set signed by a certified key', 'UNKNOWN_KEY', () => new Verifier().loadKeyset(mirrorToken(mirror, cert, 'keyset', 'acme', NOW + 60), NOW));
}

function testBinding(h) {
  const p = '{"typ":"decision","install_id":"pc-42","nonce":"n-7","tenant_id":"acme"}';
  const noNonce = '{"typ":"decision","install_id":"pc-42","nonce":null}';
  const b = (payload, installId, nonce) => statusOf(() => checkBinding(payload, { installId, nonce }));
  h.equal('binding: both', b(p, 'pc-42', 'n-7'), 'OK');
  h.equal('binding: install only', b(p, 'pc-42', null), 'OK');
  h.equal('binding: neither', b(p, null, null), 'OK');
  h.equal('binding: another install', b(p, 'pc-43', 'n-7'), 'NOT_FOR_US');
  h.equal('binding: a prefix', b(p, 'pc-4', null), 'NOT_FOR_US');
  h.equal('binding: another nonce', b(p, 'pc-42', 'n-8'), 'NOT_FOR_US');
  h.equal('binding: nonce null', b(noNonce, 'pc-42', 'n-7'), 'NOT_FOR_US');
  h.equal('binding: nonce null, expected ""', b(noNonce, 'pc-42', ''), 'NOT_FOR_US');
  h.equal('binding: nonce absent', b('{"install_id":"pc-42"}', 'pc-42', 'n-7'), 'NOT_FOR_US');
  h.equal('binding: install_id a number', b('{"install_id":42}', '42', null), 'NOT_FOR_US');
  h.equal('binding: not an object', b('[1]', 'pc-42', null), 'MALFORMED');
  h.equal('binding: not JSON', b('{', null, null), 'MALFORMED');
  h.equal('binding: no payload', b(undefined, null, null), 'BAD_ARGUMENT');
  h.equal('binding: escapes compare by value', b('{"install_id":"pc\\u002d42"}', 'pc-42', null), 'OK');
  h.equal('binding: the first of two install_ids', b('{"install_id":"pc-42","install_id":"pc-43"}', 'pc-42', null), 'OK');
  h.equal('binding: more than 1024 JSON tokens', b(`{"a":[${Array(1024).fill(1).join(',')}]}`, 'x', null), 'BUFFER_TOO_SMALL');
  h.equal('binding: 1024 JSON tokens', b(`{"a":[${Array(1019).fill(1).join(',')}],"install_id":"x"}`, 'x', null), 'OK');
  h.equal('binding: a plain object', b({ install_id: 'pc-42' }, 'pc-42', null), 'OK');
  const v = new Verifier();
  v.pinKey('decision', dec.pub);
  const payload = v.verify(sign(dec, `{"typ":"decision","exp":"${rfc(NOW + 60)}","install_id":"pc-1","install_id":"pc-2"}`), { now: NOW });
  payload.install_id = 'pc-2';
  h.equal('binding: a verified payload is checked as signed', b(payload, 'pc-1', null), 'OK');
}

function leasePayload(seq, prevHash, sub) {
  return `{"typ":"lease","tenant_id":"acme","product_id":"app","sub":"${sub}","exp":"${rfc(NOW + 600)}","seq":${seq},"prev_hash":"${prevHash}"}`;
}

function testLeaseChain(h) {
  h.equal('chain: sha256 of abc', leaseHash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const p1 = leasePayload(1, '', 'alice');
  const t1 = sign(lease, p1);
  const h1 = leaseHash(t1);
  const p2 = leasePayload(2, h1, 'alice');
  const t2 = sign(lease, p2);
  const h2 = leaseHash(t2);
  const p3 = leasePayload(3, h2, 'alice');
  const t3 = sign(lease, p3);
  const h3 = leaseHash(t3);
  const c = (pt, pp, np) => statusOf(() => checkLeaseChain(pt, pp, np));
  h.equal('chain: first', c(null, null, p1), 'OK');
  h.equal('chain: 1 -> 2', c(t1, p1, p2), 'OK');
  h.equal('chain: 2 -> 3', c(t2, p2, p3), 'OK');
  h.equal('chain: 1 -> 3', c(t1, p1, p3), 'CHAIN_BROKEN');
  h.equal('chain: 2 -> 1', c(t2, p2, p1), 'ROLLBACK');
  h.equal('chain: 2 -> 2', c(t2, p2, p2), 'ROLLBACK');
  h.equal('chain: another prev_hash', c(t1, p1, leasePayload(2, h3, 'alice')), 'CHAIN_BROKEN');
  h.equal('chain: empty prev_hash', c(t1, p1, leasePayload(2, '', 'alice')), 'CHAIN_BROKEN');
  h.equal('chain: upper-case hex', c(t1, p1, leasePayload(2, h1.toUpperCase(), 'alice')), 'OK');
  h.equal('chain: another subject', c(t1, p1, leasePayload(2, h1, 'bob')), 'CHAIN_BROKEN');
  h.equal('chain: the same subject spelled with an escape (raw text compared, as C)', c(t1, p1, leasePayload(2, h1, '\\u0061lice')), 'CHAIN_BROKEN');
  h.equal('chain: first must be seq 1', c(null, null, p2), 'CHAIN_BROKEN');
  h.equal('chain: first must have prev_hash ""', c(null, null, leasePayload(1, h3, 'alice')), 'CHAIN_BROKEN');
  for (const [name, p, want] of [
    ['seq 0', '{"typ":"lease","seq":0,"prev_hash":""}', 'MALFORMED'],
    ['no seq', '{"typ":"lease","prev_hash":""}', 'MALFORMED'],
    ['no prev_hash', '{"typ":"lease","seq":1}', 'MALFORMED'],
    ['prev_hash abc', '{"typ":"lease","seq":1,"prev_hash":"abc"}', 'MALFORMED'],
    ['a decision', '{"typ":"decision","seq":1,"prev_hash":""}', 'WRONG_TYPE'],
    ['seq 1.5', '{"typ":"lease","seq":1.5,"prev_hash":""}', 'MALFORMED'],
    ['more than 512 JSON tokens', `{"typ":"lease","seq":1,"prev_hash":"","a":[${Array(510).fill(1).join(',')}]}`, 'MALFORMED'],
  ])
    h.equal(`chain: ${name}`, c(null, null, p), want);
  h.equal('chain: seq beyond 2^53 is exact', c(t1, leasePayload('9007199254740993', '', 'alice'), leasePayload('9007199254740994', h1, 'alice')), 'OK');
  const chain = new LeaseChain();
  const next = (t, p) => statusOf(() => chain.next(t, p));
  h.equal('chain: stateful, 2 first', next(t2, p2), 'CHAIN_BROKEN');
  h.equal('chain: ... unchanged', chain.seq, 0n);
  h.equal('chain: stateful 1', next(t1, p1), 'OK');
  h.equal('chain: stateful 3 after 1', next(t3, p3), 'CHAIN_BROKEN');
  h.equal('chain: stateful 2', next(t2, p2), 'OK');
  h.equal('chain: stateful 2 again', next(t2, p2), 'ROLLBACK');
  h.equal('chain: stateful 3', next(t3, p3), 'OK');
  h.equal('chain: state', [chain.seq, chain.hash], [3n, h3]);
}

const LEASE_A = 'lease_0123456789abcdef0123456789abcdef';
const LEASE_B = 'lease_fedcba9876543210fedcba9876543210';
const LEASE_C = 'lease_00000000000000000000000000000000';

function revocationsPayload(tenant, version, iat, exp, leases) {
  return `{"typ":"lease_revocations","iss":"test","iat":"${rfc(iat)}","exp":"${rfc(exp)}","tenant_id":${tenant},"version":${version},"leases":${leases}}`;
}

function testRevocations(h) {
  const v = loaded();
  const acmeList = (version, iat, leases) => sign(lease, revocationsPayload('"acme"', version, iat, iat + DAY, leases));
  const rev = new Revocations();
  const load = (t, now = NOW) => statusOf(() => rev.load(v, t, now));
  const leaseRevoked = (k, tenant, leaseId) =>
    statusOf(() => {
      const p = v.verify(sign(k, `{"typ":"lease","tenant_id":"${tenant}","lease_id":${leaseId},"product_id":"app","sub":"alice","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW + 600)}","seq":1,"prev_hash":""}`), { typ: 'lease', now: NOW });
      rev.checkLease(p);
    });
  h.ok('revocations: none held', !rev.loaded && !rev.contains(LEASE_A));
  h.equal('revocations: nothing revoked without a list', leaseRevoked(lease, 'acme', `"${LEASE_A}"`), 'OK');
  h.equal('revocations: load', load(acmeList(5, NOW - 60, `["${LEASE_B}","${LEASE_A}"]`)), 'OK');
  h.equal('revocations: held', [rev.tenant, rev.version, rev.iat, rev.exp, rev.ids], ['acme', 5n, NOW - 60, NOW - 60 + DAY, [LEASE_A, LEASE_B]]);
  h.ok('revocations: contains is exact', rev.contains(LEASE_A) && rev.contains(LEASE_B) && !rev.contains(LEASE_C) && !rev.contains(LEASE_A.slice(0, -1)) && !rev.contains(`${LEASE_A}0`) && !rev.contains(''));
  h.equal('revocations: a listed lease', leaseRevoked(lease, 'acme', `"${LEASE_A}"`), 'LEASE_REVOKED');
  h.equal('revocations: a listed lease of the tenant key', leaseRevoked(tenantLease, 'acme', `"${LEASE_B}"`), 'LEASE_REVOKED');
  h.equal('revocations: an unlisted lease', leaseRevoked(lease, 'acme', `"${LEASE_C}"`), 'OK');
  h.equal("revocations: another tenant's lease of that id", leaseRevoked(lease, 'globex', `"${LEASE_A}"`), 'OK');
  h.equal('revocations: an id spelled with escapes', leaseRevoked(lease, 'acme', '"\\u006cease_0123456789abcdef0123456789abcdef"'), 'LEASE_REVOKED');
  for (const [name, p, want] of [
    ['a decision', `{"typ":"decision","tenant_id":"acme","lease_id":"${LEASE_A}"}`, 'WRONG_TYPE'],
    ['no lease_id', '{"typ":"lease","tenant_id":"acme"}', 'MALFORMED'],
    ['no tenant_id', `{"typ":"lease","lease_id":"${LEASE_A}"}`, 'MALFORMED'],
    ['lease_id a number', '{"typ":"lease","tenant_id":"acme","lease_id":7}', 'MALFORMED'],
    ['an array', '[1]', 'MALFORMED'],
    ['more than 1024 JSON tokens', `{"typ":"lease","a":[${Array(1024).fill(1).join(',')}]}`, 'BUFFER_TOO_SMALL'],
  ])
    h.status(`revocations: check ${name}`, want, () => rev.checkLease(p));
  h.status('revocations: load without a verifier', 'BAD_ARGUMENT', () => rev.load(null, 'x', NOW));

  const held = JSON.stringify([rev.tenant, String(rev.version), rev.iat, rev.ids]);
  h.equal("revocations: another tenant's list", load(sign(lease, revocationsPayload('"globex"', 9, NOW - 5, NOW + 3600, '[]'))), 'WRONG_TENANT');
  h.equal("revocations: another tenant's list by its tenant key", load(sign(tenantLease, revocationsPayload('"globex"', 9, NOW - 5, NOW + 3600, '[]'))), 'WRONG_TENANT');
  h.equal('revocations: a lower version', load(acmeList(4, NOW - 5, '[]')), 'ROLLBACK');
  h.equal('revocations: the same version issued earlier', load(acmeList(5, NOW - 61, '[]')), 'ROLLBACK');
  h.equal('revocations: a lease token', load(sign(lease, leasePayload(1, '', 'alice'))), 'WRONG_TYPE');
  h.equal('revocations: signed by the decision key', load(sign(dec, revocationsPayload('"acme"', 9, NOW - 5, NOW + 3600, '[]'))), 'WRONG_PURPOSE');
  h.equal('revocations: signed by a stranger', load(sign(stranger, revocationsPayload('"acme"', 9, NOW - 5, NOW + 3600, '[]'))), 'UNKNOWN_KEY');
  h.equal('revocations: expired', load(sign(lease, revocationsPayload('"acme"', 9, NOW - 3600, NOW - 1, '[]'))), 'EXPIRED');
  h.equal('revocations: at exp', load(sign(lease, revocationsPayload('"acme"', 9, NOW - 3600, NOW, '[]'))), 'EXPIRED');
  h.equal('revocations: no exp', load(sign(lease, `{"typ":"lease_revocations","iat":"${rfc(NOW - 5)}","tenant_id":"acme","version":9,"leases":[]}`)), 'MALFORMED');
  h.equal('revocations: 32 days of life', load(sign(lease, revocationsPayload('"acme"', 9, NOW - 5, NOW + 32 * DAY, '[]'))), 'MALFORMED');
  const bad = [
    ['"acme"', '-1', '[]'], ['"acme"', '"9"', '[]'], ['"acme"', '9.5', '[]'], ['"acme"', '1e3', '[]'], ['"acme"', 'null', '[]'],
    ['"acme"', '9', '{}'], ['"acme"', '9', `"${LEASE_A}"`], ['"acme"', '9', 'null'], ['"acme"', '9', '[7]'],
    ['"acme"', '9', `[["${LEASE_A}"]]`], ['"acme"', '9', '[""]'], ['"acme"', '9', `["${LEASE_A}","${LEASE_B}","${LEASE_A}"]`],
    ['"acme"', '9', `["${LEASE_A}","\\u006cease_0123456789abcdef0123456789abcdef"]`], ['""', '9', '[]'], ['7', '9', '[]'], ['null', '9', '[]'],
    ['"acme"', '9', `["${'x'.repeat(129)}"]`],
  ];
  for (const [t, ver, l] of bad)
    h.equal(`revocations: tenant_id ${t}, version ${ver}, leases ${l.slice(0, 40)} is MALFORMED`, load(sign(lease, revocationsPayload(t, ver, NOW - 5, NOW + 3600, l))), 'MALFORMED');
  for (const [name, p] of [
    ['no tenant_id', `{"typ":"lease_revocations","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW + 3600)}","version":9,"leases":[]}`],
    ['no version', `{"typ":"lease_revocations","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW + 3600)}","tenant_id":"acme","leases":[]}`],
    ['no leases', `{"typ":"lease_revocations","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW + 3600)}","tenant_id":"acme","version":9}`],
    ['no iat', `{"typ":"lease_revocations","exp":"${rfc(NOW + 3600)}","tenant_id":"acme","version":9,"leases":[]}`],
    ['leases twice', `{"typ":"lease_revocations","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW + 3600)}","tenant_id":"acme","version":9,"leases":[],"leases":["${LEASE_A}"]}`],
  ])
    h.equal(`revocations: ${name} is MALFORMED`, load(sign(lease, p)), 'MALFORMED');
  const over = [];
  for (let i = 4096; i >= 0; i--) over.push(`"l${i}"`);
  h.equal('revocations: 4097 ids is CAPACITY', load(acmeList(9, NOW - 5, `[${over.join(',')}]`)), 'CAPACITY');
  h.equal('revocations: failures left the list as it was', JSON.stringify([rev.tenant, String(rev.version), rev.iat, rev.ids]), held);
  h.equal('revocations: the same version and iat again', load(acmeList(5, NOW - 60, `["${LEASE_A}","${LEASE_B}"]`)), 'OK');
  h.equal('revocations: a later iat', load(acmeList(5, NOW - 30, `["${LEASE_A}"]`)), 'OK');
  h.equal('revocations: ... replaced', [rev.iat, rev.ids.length], [NOW - 30, 1]);
  h.equal('revocations: ... B no longer revoked', leaseRevoked(lease, 'acme', `"${LEASE_B}"`), 'OK');
  const id128 = 'x'.repeat(128);
  const list6 = sign(tenantLease, revocationsPayload('"acme"', 6, NOW - 90, NOW + 3600, `["${id128}","${LEASE_C}"]`));
  h.equal('revocations: by the tenant key, a 128-byte id', load(list6), 'OK');
  h.ok('revocations: ... version 6, contains it', rev.version === 6n && rev.contains(id128));
  h.equal('revocations: ... C revoked', leaseRevoked(lease, 'acme', `"${LEASE_C}"`), 'LEASE_REVOKED');
  h.equal('revocations: ... A not', leaseRevoked(lease, 'acme', `"${LEASE_A}"`), 'OK');
  h.equal('revocations: loading it after its exp', load(list6, NOW + 7200), 'EXPIRED');
  h.status('revocations: ... it still applies', 'LEASE_REVOKED', () => rev.checkLease(`{"typ":"lease","tenant_id":"acme","lease_id":"${LEASE_C}"}`));
  h.status('revocations: an id over 128 bytes is not listed', 'OK', () => rev.checkLease(`{"typ":"lease","tenant_id":"acme","lease_id":"${'x'.repeat(129)}"}`));

  const r0 = new Revocations();
  h.status('revocations: version 0, empty', 'OK', () => r0.load(v, acmeList(0, NOW - 5, '[]'), NOW));
  const full = [];
  for (let i = 4095; i >= 0; i--) full.push(`"l${i}"`);
  h.status('revocations: 4096 ids', 'OK', () => r0.load(v, acmeList(1, NOW - 5, `[${full.join(',')}]`), NOW));
  let all = r0.ids.length === 4096;
  for (let i = 0; i < 4096; i++) all &&= r0.contains(`l${i}`);
  h.ok('revocations: all found, none more', all && !r0.contains('l4096') && !r0.contains('l'));
  h.equal('revocations: sorted bytewise, a prefix first', r0.ids.slice(0, 3), ['l0', 'l1', 'l10']);

  const mirror = makeKey(43);
  const footer = (purposes) => `{"kid":"${mirror.kid}","cert":"${certificate(root, mirror, 'acme', purposes, NOW + DAY)}"}`;
  const rm = new Revocations();
  h.status("revocations: a mirror's list", 'OK', () => rm.load(v, sign(mirror, revocationsPayload('"acme"', 3, NOW - 5, NOW + 3600, `["${LEASE_A}"]`), footer('["lease"]')), NOW));
  const rm2 = new Revocations();
  h.status("revocations: a mirror's list of another tenant", 'WRONG_TENANT', () => rm2.load(v, sign(mirror, revocationsPayload('"globex"', 3, NOW - 5, NOW + 3600, '[]'), footer('["lease"]')), NOW));
  h.status("revocations: a mirror's list with a decision certificate", 'WRONG_PURPOSE', () => rm2.load(v, sign(mirror, revocationsPayload('"acme"', 3, NOW - 5, NOW + 3600, '[]'), footer('["decision"]')), NOW));
  h.ok('revocations: ... none held', !rm2.loaded);
}

function testRfc3339(h) {
  for (const [s, want] of [
    ['1970-01-01T00:00:00Z', 0], ['2026-11-26T17:00:00Z', 1795712400], ['2024-02-29T12:34:56Z', 1709210096],
    ['2000-02-29T00:00:00Z', 951782400], ['1999-12-31T23:59:59Z', 946684799], ['2038-01-19T03:14:08Z', 2147483648],
    ['9999-12-31T23:59:59Z', 253402300799], ['0001-01-01T00:00:00Z', -62135596800], ['1969-12-31T23:59:59Z', -1],
    ['2026-11-26T17:00:00.999999Z', 1795712400], ['2026-11-26T17:00:00.5Z', 1795712400], ['2026-11-26t17:00:00z', 1795712400],
    ['2026-11-26T18:00:00+01:00', 1795712400], ['2026-11-26T11:30:00-05:30', 1795712400], ['2026-11-27T02:45:00.25+09:45', 1795712400],
    ['2026-11-26T17:00:00-00:00', 1795712400], ['2026-11-26T17:00:00+00:00', 1795712400], ['1970-01-01T00:00:00+01:00', -3600],
    ['2016-12-31T23:59:60Z', 1483228800], ['1600-02-29T00:00:00Z', -11670998400], ['2023-02-28T00:00:00Z', 1677542400],
    ['0000-01-01T00:00:00Z', -62167219200],
  ])
    h.equal(`rfc3339: ${s}`, parseRfc3339(s), want);
  for (const s of [
    '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '', '2026-11-26', '2026-11-26T17:00:00',
    '2026-11-26 17:00:00Z', '2026-13-01T00:00:00Z', '2026-00-01T00:00:00Z', '2026-04-31T00:00:00Z', '2026-11-00T00:00:00Z',
    '2026-11-26T24:00:00Z', '2026-11-26T17:60:00Z', '2026-11-26T17:00:61Z', '2026-11-26T17:00:00.Z', '2026-11-26T17:00:00ZZ',
    '2026-11-26T17:00:00+0100', '2026-11-26T17:00:00+24:00', '2026-11-26T17:00:00+01:60', '2026-11-26T17:00:00+01',
    '26-11-26T17:00:00Z', '2026-1-26T17:00:00Z', '+2026-11-26T17:00:00Z', ' 2026-11-26T17:00:00Z', '2026-11-26T17:00:00 Z',
    '2026/11/26T17:00:00Z', '2026-11-26T1a:00:00Z', '2026-11-26T17:00:0', '２026-11-26T17:00:00Z',
  ])
    h.equal(`rfc3339: ${JSON.stringify(s)} is refused`, parseRfc3339(s), null);
  let all = true;
  for (let i = 0; i < 5000 && all; i++) {
    const want = i * 50000017 - 30000000000;
    const s = rfc(want);
    all = s === new Date(want * 1000).toISOString().replace('.000Z', 'Z') && parseRfc3339(s) === want;
  }
  h.ok('rfc3339: round trips against Date, years 1019 to 8900', all);
  h.equal('rfc3339: format bounds', [rfc(0), rfc(253402300799), rfc(253402300800), rfc(-62167219200), rfc(-62167219201)],
    ['1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', null, '0000-01-01T00:00:00Z', null]);
}

function testEd25519(h) {
  /* The small-order list: each decodable encoding is of small order, and all 8 torsion points are on it. */
  const torsion = [];
  for (const hex of [
    '0000000000000000000000000000000000000000000000000000000000000000',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  ]) {
    const p = ed.Point.fromHex(hex);
    for (let k = 1n; k <= 8n; k++) torsion.push(p.multiplyUnsafe(k));
  }
  h.ok('ed25519: the torsion points are all small-order encodings', torsion.every((p) => p.isSmallOrder() && hasSmallOrder(p.toBytes())));
  h.ok('ed25519: ... with the sign bit set too', torsion.every((p) => { const b = p.toBytes(); b[31] |= 0x80; return hasSmallOrder(b); }));
  h.ok('ed25519: a real key is not', !hasSmallOrder(dec.pk));
  const msg = utf8('message');
  const sig = ed.sign(msg, dec.seed);
  h.ok('ed25519: verifies', verifyLibsodium(sig, msg, dec.pk));
  h.ok('ed25519: another message does not', !verifyLibsodium(sig, utf8('messagf'), dec.pk));
  /* S + L: the same signature to a cofactored, non-canonical-S verifier; libsodium refuses S >= L. */
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
  const big = sig.slice();
  let sl = s + L;
  for (let i = 32; i < 64; i++, sl >>= 8n) big[i] = Number(sl & 0xffn);
  h.ok('ed25519: S + L is refused', !verifyLibsodium(big, msg, dec.pk));
  /* A public key with a torsion component: noble (cofactored) may accept what libsodium (cofactorless) refuses. */
  const T = torsion[0]; /* order 4, the point with y = 0 */
  const a = ed.utils.getExtendedPublicKey(dec.seed);
  const A2 = a.point.add(T).toBytes();
  const r = 12345n;
  const R = ed.Point.BASE.multiply(r).toBytes();
  let k = 0n;
  const hk = sha512(new Uint8Array([...R, ...A2, ...msg]));
  for (let i = 63; i >= 0; i--) k = (k << 8n) | BigInt(hk[i]);
  k %= L;
  let S = (r + k * a.scalar) % L;
  const mixed = new Uint8Array(64);
  mixed.set(R);
  for (let i = 32; i < 64; i++, S >>= 8n) mixed[i] = Number(S & 0xffn);
  const nobleSays = ed.verify(mixed, msg, A2, { zip215: false });
  /* [8](R + kA2 - SB) = [8](k T) = 0 always; cofactorless R' = R - kT differs unless 4 | k. */
  h.ok('ed25519: a mixed-order key: cofactorless as libsodium', verifyLibsodium(mixed, msg, A2) === (k % 4n === 0n) && nobleSays);
}

function testStatus(h) {
  const names = Object.keys(STATUS);
  h.equal('status: 21 names in C order', names, ['OK', 'BAD_ARGUMENT', 'BAD_KEY', 'MALFORMED', 'BAD_SIGNATURE', 'UNKNOWN_KEY',
    'WRONG_PURPOSE', 'WRONG_TYPE', 'EXPIRED', 'NOT_YET_VALID', 'KEY_REVOKED', 'KEY_NOT_VALID', 'WRONG_TENANT', 'ROLLBACK',
    'CHAIN_BROKEN', 'BUFFER_TOO_SMALL', 'CAPACITY', 'CERT_INVALID', 'CERT_EXPIRED', 'NOT_FOR_US', 'LEASE_REVOKED']);
  h.ok('status: distinct sentences', new Set(names.map(statusMessage)).size === names.length);
  h.equal('json: TOO_MANY_TOKENS only once the text is right so far', json.parse(utf8('[1,2,x]'), 2).status, 'TOO_MANY_TOKENS');
  h.equal('json: an error before the limit', json.parse(utf8('[x,1,2]'), 2).status, 'UNEXPECTED_CHAR');
  h.equal('json: overlong UTF-8', json.parse(Uint8Array.from([0x22, 0xc0, 0xaf, 0x22])).status, 'BAD_UTF8');
  h.equal('json: an encoded surrogate', json.parse(Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22])).status, 'BAD_UTF8');
  h.equal('json: a raw control character', json.parse(utf8('"a\tb"')).status, 'CONTROL_CHAR');
  h.equal('json: \\u0000 is fine', json.parse(utf8('"\\u0000"')).doc.value(), '\0');
  h.equal('k4.pid of the zero key (vector)', k4Pid(new Uint8Array(32)), 'k4.pid.S_XQmeEwHbbvRmiyfXfHYpLGjXGzjTRSDoT1YtTakWFE');
}

export function runUnit(h) {
  for (const t of [testKeyset, testVerify, testPinned, testRules, testCertificates, testBinding, testLeaseChain, testRevocations,
    testRfc3339, testEd25519, testStatus])
    t(h);
}
