// The official PASETO v4.public vectors and the PASERK k4.public / k4.pid
// vectors (test/unit/vectors/paseto/), run as test/unit/test_client.c and
// test_paserk.c run them.

import { readFileSync } from 'node:fs';

import { k4Pid, k4PublicDecode, k4PublicEncode, verifyPaseto } from '../index.js';
import { statusOf } from './harness.mjs';

const DIR = new URL('../../../test/unit/vectors/paseto/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));
const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));

export function runVectors(h) {
  /* v4.public: 4-S (must verify to their payload) and 4-F (must not verify). */
  let goodKey = '';
  let ran = 0;
  for (const t of load('v4.json').tests) {
    if (!/^4-[SF]/.test(t.name) || typeof t.token !== 'string') continue;
    const key = t['public-key'] && t['public-key'].length === 64 ? k4PublicEncode(hex(t['public-key'])) : goodKey;
    if (!key) continue;
    let payload = null;
    const st = statusOf(() => {
      payload = verifyPaseto(key, t.token, t['implicit-assertion'] ?? '');
    });
    if (t['expect-fail']) h.ok(`vector ${t.name} must not verify`, st !== 'OK', st);
    else {
      goodKey = key;
      h.ok(`vector ${t.name} verifies`, st === 'OK' && new TextDecoder().decode(payload) === t.payload, st);
    }
    ran++;
  }
  h.ok('at least 3 v4.public vectors ran', ran >= 3, `${ran}`);
  h.equal('verifyPaseto with a bad key is BAD_KEY', statusOf(() => verifyPaseto('k4.public.short', 'v4.public.x')), 'BAD_KEY');

  /* PASERK: encode, and decode back; the fail vectors must not encode. */
  for (const [file, want] of [['k4.public.json', 4], ['k4.pid.json', 5]]) {
    const tests = load(file).tests;
    h.equal(`${file}: all vectors present`, tests.length, want);
    for (const t of tests) {
      const key = hex(t.key);
      const encode = file === 'k4.public.json' ? k4PublicEncode : k4Pid;
      let out = null;
      try {
        out = encode(key);
      } catch {
        out = null;
      }
      if (t['expect-fail']) h.ok(`${t.name} must not serialise`, out === null);
      else {
        h.equal(`${t.name}`, out, t.paserk);
        if (file === 'k4.public.json') h.equal(`${t.name} decodes back`, k4PublicDecode(t.paserk), key);
      }
    }
  }
}
