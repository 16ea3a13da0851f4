// Differential testing against the C library: write a case file (the
// format of test/client/cases.json) of N random, mostly hostile cases,
// each with expect "?", for both runners to answer:
//
//   node test/differential.mjs 3000 7 > /tmp/fuzz.json
//   node test/cases.mjs /tmp/fuzz.json           > /tmp/js.out
//   run_cases /tmp/fuzz.json                      > /tmp/c.out   (test/client/cases/run_cases.c)
//   node test/differential.mjs --compare /tmp/js.out /tmp/c.out
//
// Not part of npm test (it needs the C build); the cases vary the JSON
// (escapes, duplicates, numbers, UTF-8), the times, the footer, key
// certificates, key set entries, revocation lists, bindings and lease chains,
// and a fixed set of Ed25519 edge cases (ed25519Cases) comes first.

import { readFileSync } from 'node:fs';

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

import { formatRfc3339, k4Pid, k4PublicEncode, leaseHash } from '../index.js';
import * as b64 from '../src/base64url.js';
import { concat, utf8 } from '../src/bytes.js';
import { pae } from '../src/paseto.js';
import { makeKey, sign } from './signer.mjs';

if (process.argv[2] === '--compare') {
  const read = (f) =>
    new Map(
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('not ok - ') || l.startsWith('ok - '))
        .map((l) => {
          const m = /^(?:not )?ok - (.*) \(got (.*), expected .*\)$/.exec(l);
          return m ? [m[1], m[2]] : [l.replace(/^(not )?ok - /, ''), 'OK?'];
        }),
    );
  const a = read(process.argv[3]);
  const b = read(process.argv[4]);
  let differ = 0;
  const counts = {};
  for (const [name, got] of a) {
    counts[got] = (counts[got] ?? 0) + 1;
    if (b.get(name) !== got) {
      differ++;
      console.log(`differ - ${name}: ${got} vs ${b.get(name)}`);
    }
  }
  console.log(JSON.stringify(counts));
  console.log(`differential: ${a.size - differ} passed, ${differ} failed`);
  process.exit(differ === 0 && a.size === b.size ? 0 : 1);
}

const N = Number(process.argv[2] ?? 1000);
let seed = Number(process.argv[3] ?? 1) >>> 0;
/* mulberry32: the same file for the same seed */
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const chance = (p) => rand() < p;

const NOW = 1800000000;
const DAY = 86400;
const rfc = (t) => formatRfc3339(t);
const keys = {
  root: makeKey(1), root2: makeKey(2), dec: makeKey(3), lease: makeKey(4), audit: makeKey(5), snap: makeKey(6),
  tdec: makeKey(7), tlease: makeKey(8), mirror: makeKey(9), stranger: makeKey(10),
};
const K = Object.values(keys);

function timeText() {
  return pick([
    () => `"${rfc(NOW + pick([-DAY, -3600, -301, -300, -1, 0, 1, 299, 300, 301, 3600, 7 * DAY, 8 * DAY, 400 * DAY]))}"`,
    () => `"${rfc(NOW + Math.floor((rand() - 0.5) * 20 * DAY))}"`,
    () => `"${rfc(NOW).replace('Z', pick(['z', '.5Z', '.999999Z', '+00:00', '-00:00', '+01:00', 'ZZ', '', '+0100', '+24:00']))}"`,
    () => `"${rfc(NOW).replace('T', pick(['t', ' ', 'T']))}"`,
    () => pick(['"2027-02-29T00:00:00Z"', '"2028-02-29T00:00:00Z"', '"2027-01-15T07:59:60Z"', '"2027-01-15T24:00:00Z"', '"tomorrow"', '""']),
    () => `"${rfc(NOW + 3600).replace('-', '\\u002d')}"`,
    () => pick(['null', '1800003600', 'true', '[]', '{}']),
  ])();
}

function typText() {
  return pick(['decision', 'release', 'lease', 'lease_revocations', 'keyset', 'key_certificate', 'snapshot', 'checkpoint', 'mystery',
    'decisio\\u006e', 'Decision', '']);
}

function str() {
  return pick(['"acme"', '"globex"', '"\\u0061cme"', '"acme\\u0000"', '""', '7', 'null', '"é"', '"\\ud83d\\ude00"', '"\\ud800"',
    '"a\\"b"', `"${'x'.repeat(129)}"`, `"${'x'.repeat(128)}"`]);
}

function member() {
  const name = pick(['typ', 'exp', 'nbf', 'iat', 'tenant_id', 'install_id', 'nonce', 'x', 'version', 'seq', 'prev_hash', 'sub',
    'product_id', 'lease_id', 'chain_id', 't\\u0079p', '\\u0065xp', '__proto__', 'leases', 'keys']);
  const value = pick([timeText, str, () => pick(['1', '-0', '1.0', '1e2', '01', '9223372036854775808', '-1', '[1,2]', '{"a":{}}', 'true']),
    () => `"${typText()}"`])();
  return `"${name}":${value}`;
}

function payload(typ, extra = []) {
  const m = [];
  if (!chance(0.05)) m.push(`"typ":"${typ}"`);
  if (!chance(0.05)) m.push(`"iat":${chance(0.9) ? `"${rfc(NOW - 5)}"` : timeText()}`);
  if (!chance(0.04)) m.push(`"exp":${chance(0.85) ? `"${rfc(NOW + 3600)}"` : timeText()}`);
  if (chance(0.2)) m.push(`"nbf":${chance(0.5) ? `"${rfc(NOW - 5)}"` : timeText()}`);
  m.push(...extra);
  while (chance(0.2)) m.push(member());
  if (chance(0.1)) m.splice(Math.floor(rand() * m.length), 0, m[Math.floor(rand() * m.length)] ?? '"x":1');
  let text = `{${m.join(',')}}`;
  if (chance(0.02)) text = pick([`${text},`, `[${text}]`, text.slice(0, -1), `${text} `, `\ufeff${text}`, `${text}x`, 'null']);
  return text;
}

function footerFor(k) {
  return pick([
    () => `{"kid":"${k.kid}"}`,
    () => `{"kid":"${k.kid}"}`,
    () => `{"kid":"${pick(K).kid}"}`,
    () => `{"kid":"\\u006b${k.kid.slice(1)}"}`,
    () => `{"kid":"${k.kid}","kid":"${pick(K).kid}"}`,
    () => `{"kid":"${k.kid}","x":[1,2,3,4,5,6,7,8,9,10,11${chance(0.5) ? ',12' : ''}]}`,
    () => `{"kid":"${k.kid.slice(0, -1)}"}`,
    () => '{"kid":7}',
    () => '',
    () => `{"kid":"${k.kid}","cert":${pick(['""', '1', '"v4.public.AAAA"', '"v4\\u002epublic"'])}}`,
  ])();
}

function certificate(signer, k, tenant, purposes, exp) {
  return sign(signer, `{"typ":"key_certificate","iat":"${rfc(NOW - 3600)}","exp":"${rfc(exp)}","kid":"${k.kid}","public_key":"${k.pub}","tenant_id":${tenant},"purposes":${purposes}}`);
}

function mutate(token) {
  if (!chance(0.06)) return token;
  return pick([
    () => { const i = 10 + Math.floor(rand() * (token.length - 10)); return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1); },
    () => token.slice(0, Math.floor(rand() * token.length)),
    () => `${token}.`,
    () => `${token}=`,
    () => `${token}.e30`,
    () => token.replace('v4.public.', pick(['v4.local.', 'v3.public.', 'v4.public', 'V4.public.'])),
    () => token.split('.').slice(0, 3).join('.'),
  ])();
}

function entry(k, o = {}, hostile = false) {
  const purpose = o.purpose ?? pick(hostile ? ['root', 'decision', 'lease', 'snapshot', 'audit', 'signing'] : ['decision', 'lease', 'snapshot', 'audit']);
  const state = o.state ?? pick(hostile ? ['active', 'pending', 'retiring', 'retired', 'revoked', 'sleeping'] : ['active', 'active', 'active', 'pending', 'retiring', 'retired', 'revoked']);
  const tenant = o.tenant ?? (hostile ? str() : pick(['null', 'null', '"acme"']));
  const t = (d) => (chance(0.7) ? 'null' : hostile ? timeText() : `"${rfc(NOW + d * pick([60, 3600, DAY]))}"`);
  let kid = `"${k.kid}"`;
  if (hostile && chance(0.2)) kid = `"${pick(K).kid}"`;
  let e = `{"kid":${kid},"purpose":"${purpose}","tenant_id":${tenant},"public_key":"${k.pub}","state":"${state}","valid_from":${o.from ?? t(-1)},"valid_until":${o.until ?? t(1)}}`;
  if (hostile && chance(0.1)) e = e.replace('"state"', '"state":"active","state"');
  return e;
}

/* A mostly sensible key set, varied. */
function keyset(version) {
  const hostile = chance(0.2);
  const h = () => hostile && chance(0.3);
  const entries = [
    entry(keys.root, { purpose: 'root', state: h() ? undefined : 'active', tenant: 'null' }, h()),
    entry(keys.dec, { purpose: 'decision', state: chance(0.85) ? 'active' : undefined, tenant: 'null' }, h()),
    entry(keys.lease, { purpose: 'lease', state: chance(0.85) ? 'active' : undefined, tenant: 'null' }, h()),
    entry(keys.audit, { purpose: 'audit', tenant: chance(0.5) ? 'null' : '"acme"' }, h()),
    entry(keys.tdec, { purpose: 'decision', tenant: '"acme"', state: 'active' }, h()),
    entry(keys.tlease, { purpose: 'lease', tenant: '"acme"', state: 'active' }, h()),
  ];
  if (chance(0.3)) entries.push(entry(keys.snap, {}, h()));
  if (chance(0.15)) entries.push(entry(keys.mirror, { purpose: 'decision', tenant: '"acme"' }, h()));
  if (hostile && chance(0.1)) entries.push(entries[1]);
  if (chance(0.3)) entries.splice(Math.floor(rand() * entries.length), 1);
  const exp = !hostile || chance(0.7) ? `"${rfc(NOW + 3600)}"` : timeText();
  const signer = !hostile || chance(0.8) ? keys.root : pick(K);
  const text = `{"typ":"${!hostile || chance(0.9) ? 'keyset' : typText()}","iat":"${rfc(NOW - 60)}","exp":${exp},"version":${version},"keys":[${entries.join(',')}]}`;
  const token = sign(signer, text, !hostile || chance(0.8) ? `{"kid":"${signer.kid}"}` : footerFor(signer));
  return hostile ? mutate(token) : token;
}

function leaseText(seq, prev, o = {}) {
  return `{"typ":"lease","iat":"${rfc(NOW - 5)}","exp":"${rfc(NOW + 3600)}","lease_id":"${o.id ?? 'lease_a'}","tenant_id":"${o.tenant ?? 'acme'}","product_id":"app","sub":"${o.sub ?? 'alice'}","install_id":"pc-1","seq":${seq},"prev_hash":"${prev}"${o.extra ?? ''}}`;
}


/*
 * Ed25519 edge cases where libsodium and a cofactored verifier (noble's
 * verify()) part: keys and R with a torsion component, S + L, small-order
 * and non-canonical keys.
 */
function ed25519Cases() {
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const le = (b) => { let n = 0n; for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]); return n; };
  const toLE = (n) => { const o = new Uint8Array(32); for (let i = 0; i < 32; i++, n >>= 8n) o[i] = Number(n & 0xffn); return o; };
  const cases = [];
  const seed = new Uint8Array(32).fill(3);
  const ext = ed.utils.getExtendedPublicKey(seed);
  const T4 = ed.Point.fromHex('0000000000000000000000000000000000000000000000000000000000000000');
  const T8 = ed.Point.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
  function tok(pkBytes, m, sigFn) {
    const kid = k4Pid(pkBytes);
    const f = utf8(`{"kid":"${kid}"}`);
    const msg = pae(utf8('v4.public.'), m, f, new Uint8Array(0));
    const sig = sigFn(msg);
    return `v4.public.${b64.encode(concat(m, sig))}.${b64.encode(f)}`;
  }
  function signWith(a, A2bytes, r, msg, Rpoint) {
    const R = (Rpoint ?? ed.Point.BASE.multiply(r)).toBytes();
    const k = le(sha512(concat(R, A2bytes, msg))) % L;
    return concat(R, toLE((r + k * a) % L));
  }
  let i = 0;
  for (const [label, T] of [['order4', T4], ['order8', T8], ['order2', T4.double()]]) {
    const A2 = ext.point.add(T).toBytes();
    for (let r = 1n; r <= 12n; r++) {
      const m = utf8(`{"typ":"decision","exp":"${rfc(NOW + 60)}","r":${r}}`);
      cases.push({ name: `ed ${i++} mixed ${label} r${r}`, now: NOW, pins: [{ purpose: 'decision', key: k4PublicEncode(A2) }], keysets: [], revocations: null,
        token: tok(A2, m, (msg) => signWith(ext.scalar, A2, r * 7919n, msg)), typ: null, skip_time: false, install_id: null, nonce: null, prev_lease: null, expect: '?' });
    }
  }
  /* R with a torsion component, honest key: R2 = rB + T; S = r + k a. cofactored accepts; cofactorless not. Small-order R (pure torsion) too. */
  const A = ext.point.toBytes();
  for (const [label, T] of [['T4', T4], ['T8', T8]]) for (let r = 1n; r <= 4n; r++) {
    const m = utf8(`{"typ":"decision","exp":"${rfc(NOW + 60)}","q":${r}}`);
    cases.push({ name: `ed ${i++} R+${label} ${r}`, now: NOW, pins: [{ purpose: 'decision', key: k4PublicEncode(A) }], keysets: [], revocations: null,
      token: tok(A, m, (msg) => signWith(ext.scalar, A, r, msg, ed.Point.BASE.multiply(r).add(T))), typ: null, skip_time: false, install_id: null, nonce: null, prev_lease: null, expect: '?' });
  }
  /* S + L and S + 2^253 etc, honest. */
  for (const add of [0n, L, 2n ** 255n - 1n - L]) {
    const m = utf8(`{"typ":"decision","exp":"${rfc(NOW + 60)}"}`);
    cases.push({ name: `ed ${i++} S+${add}`, now: NOW, pins: [{ purpose: 'decision', key: k4PublicEncode(A) }], keysets: [], revocations: null,
      token: tok(A, m, (msg) => { const s = ed.sign(msg, seed); const S = le(s.subarray(32)) + (add === L ? L : 0n); return concat(s.subarray(0, 32), toLE(S % (1n << 256n))); }), typ: null, skip_time: false, install_id: null, nonce: null, prev_lease: null, expect: '?' });
  }
  /* Weird public keys: small order, noncanonical, off-curve. */
  for (const hex of ['0000000000000000000000000000000000000000000000000000000000000000', '0100000000000000000000000000000000000000000000000000000000000000',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    'efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', '0200000000000000000000000000000000000000000000000000000000000000',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85']) {
    const pk = ed.etc.hexToBytes(hex);
    const m = utf8(`{"typ":"decision","exp":"${rfc(NOW + 60)}"}`);
    cases.push({ name: `ed ${i++} pk ${hex.slice(0, 8)}`, now: NOW, pins: [{ purpose: 'decision', key: k4PublicEncode(pk) }], keysets: [], revocations: null,
      token: tok(pk, m, () => concat(T8.toBytes(), new Uint8Array(32))), typ: null, skip_time: false, install_id: null, nonce: null, prev_lease: null, expect: '?' });
  }
  return cases;
}

const cases = ed25519Cases();
for (let i = 0; i < N; i++) {
  const c = { name: `fuzz ${i}`, now: chance(0.8) ? NOW : NOW + pick([-DAY, -60, 99, 3600, 7200, DAY * 2]), pins: [], keysets: [], revocations: null, token: null, typ: null, skip_time: chance(0.1), install_id: null, nonce: null, prev_lease: null, expect: '?' };
  c.pins.push({ purpose: 'root', key: keys.root.pub });
  if (chance(0.15)) c.pins.push({ purpose: pick(['decision', 'lease', 'root', 'audit', 'none']), key: pick(K).pub });
  if (chance(0.85)) c.keysets.push(keyset(pick([1, 2, 5])));
  if (chance(0.2)) c.keysets.push(keyset(pick([0, 1, 5, 9])));
  const kind = pick(['decision', 'decision', 'lease', 'lease', 'chain', 'revocations', 'cert', 'other']);
  const signer = pick([keys.dec, keys.dec, keys.lease, keys.tdec, keys.tlease, keys.audit, keys.snap, keys.stranger, keys.root]);
  const footer = chance(0.85) ? `{"kid":"${signer.kid}"}` : footerFor(signer);
  if (kind === 'decision' || kind === 'other') {
    const typ = kind === 'decision' ? 'decision' : typText();
    const extra = [`"tenant_id":${chance(0.7) ? '"acme"' : str()}`, `"install_id":${chance(0.8) ? '"pc-1"' : str()}`, `"nonce":${chance(0.8) ? '"n-1"' : str()}`];
    c.token = mutate(sign(signer, payload(typ, extra), footer));
    c.typ = chance(0.7) ? (kind === 'decision' ? 'decision' : pick([typ, null])) : pick([null, 'decision', 'lease', 'release']);
    if (chance(0.5)) c.install_id = pick(['pc-1', 'pc-2', '']);
    if (chance(0.4)) c.nonce = pick(['n-1', 'n-2']);
  } else if (kind === 'lease' || kind === 'chain') {
    const s = chance(0.9) ? keys.lease : signer;
    const first = sign(s, leaseText(1, ''), `{"kid":"${s.kid}"}`);
    const seq = pick(['1', '2', '3', '0', '1.0', '9223372036854775807', '"2"']);
    const prev = pick([leaseHash(first), leaseHash(first).toUpperCase(), '', 'abc', leaseHash('x')]);
    const text = chance(0.8) ? leaseText(seq, prev, { sub: chance(0.9) ? 'alice' : pick(['bob', '\\u0061lice']), extra: chance(0.3) ? `,${member()}` : '' }) : payload('lease');
    c.token = mutate(sign(s, text, chance(0.9) ? `{"kid":"${s.kid}"}` : footerFor(s)));
    c.typ = chance(0.9) ? 'lease' : pick([null, 'decision']);
    if (kind === 'chain') c.prev_lease = chance(0.9) ? first : mutate(sign(s, leaseText(pick(['1', '2']), ''), `{"kid":"${s.kid}"}`));
    if (chance(0.3)) c.install_id = pick(['pc-1', 'pc-2']);
  } else if (kind === 'revocations') {
    const s = chance(0.8) ? pick([keys.lease, keys.tlease]) : signer;
    const ids = pick(['[]', '["lease_a"]', '["lease_b","lease_a"]', '["lease_a","lease_a"]', '["\\u006cease_a"]', '[7]', '{}', '[""]', `["${'x'.repeat(129)}"]`]);
    const rev = `{"typ":"${chance(0.95) ? 'lease_revocations' : typText()}","iat":${chance(0.9) ? `"${rfc(NOW - 5)}"` : timeText()},"exp":${chance(0.85) ? `"${rfc(NOW + 3600)}"` : timeText()},"tenant_id":${chance(0.8) ? '"acme"' : str()},"version":${pick(['1', '0', '-1', '1.5', '"1"'])},"leases":${ids}}`;
    c.revocations = mutate(sign(s, rev, chance(0.9) ? `{"kid":"${s.kid}"}` : footerFor(s)));
    c.token = mutate(sign(keys.lease, leaseText('1', '', { id: pick(['lease_a', 'lease_b', '\\u006cease_a']), tenant: pick(['acme', 'acme', 'globex']) }), `{"kid":"${keys.lease.kid}"}`));
    c.typ = 'lease';
  } else {
    /* A mirror's token with a key certificate in its footer. */
    const certSigner = chance(0.85) ? keys.root : pick(K);
    const certKey = chance(0.9) ? keys.mirror : pick(K);
    const cert = mutate(certificate(certSigner, certKey, chance(0.85) ? '"acme"' : str(), pick(['["decision"]', '["lease"]', '["decision","lease"]', '["root"]', '[]', '"decision"', '[7]']),
      NOW + pick([DAY, DAY, -1, 0, 3600])));
    const typ = pick(['decision', 'lease', 'lease_revocations', 'keyset', 'release']);
    const extra = chance(0.85) ? [`"tenant_id":${chance(0.8) ? '"acme"' : str()}`] : [];
    const f = chance(0.9) ? `{"kid":"${keys.mirror.kid}","cert":"${cert}"}` : `{"kid":"${keys.mirror.kid}","cert":"${cert}","cert":"x"}`;
    c.token = mutate(sign(keys.mirror, payload(typ, extra), f));
    c.typ = chance(0.6) ? typ : null;
  }
  cases.push(c);
}
process.stdout.write(`${JSON.stringify({ comment: 'random cases from clients/js/test/differential.mjs', cases }, null, 1)}\n`);
