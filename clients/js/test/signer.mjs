// Signing, for the tests only (the package itself only verifies): PASETO
// v4.public tokens with @noble/ed25519, keys from fixed seeds.

import * as ed from '@noble/ed25519';

import { k4Pid, k4PublicEncode } from '../index.js';
import * as b64 from '../src/base64url.js';
import { concat, utf8 } from '../src/bytes.js';
import { pae } from '../src/paseto.js';
import '../src/ed25519.js'; /* sets ed.hashes.sha512 */

/** A key from a 32-byte seed of one repeated byte (as test/unit/test_client.c). */
export function makeKey(seedByte) {
  const seed = new Uint8Array(32).fill(seedByte);
  const pk = ed.getPublicKey(seed);
  return { seed, pk, pub: k4PublicEncode(pk), kid: k4Pid(pk) };
}

/** Sign payload (text) with key k and footer (text; default {"kid":…}). */
export function sign(k, payload, footer = `{"kid":"${k.kid}"}`, implicit = '') {
  const m = utf8(payload);
  const f = utf8(footer);
  const sig = ed.sign(pae(utf8('v4.public.'), m, f, utf8(implicit)), k.seed);
  return `v4.public.${b64.encode(concat(m, sig))}${f.length ? `.${b64.encode(f)}` : ''}`;
}
