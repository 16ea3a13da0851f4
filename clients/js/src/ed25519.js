// Ed25519 verification exactly as libsodium's crypto_sign_verify_detached
// (1.0.18, the C verifier's), built from @noble/ed25519's point arithmetic.
//
// noble's own verify() is cofactored ([8][S]B = [8]R + [8][k]A) and, even
// with zip215: false, accepts small-order R; libsodium is stricter and
// cofactorless, so a signature could verify in one and not the other.
// libsodium refuses: S >= L; R or A of small order (a fixed list of
// encodings, sign bit ignored); A not canonical (y >= p); A not on the
// curve.  Then it computes R' = [S]B - [k]A, k = SHA-512(R ‖ A ‖ M) mod L,
// and compares the canonical encoding of R' with the signature's R bytes.

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

import { concat } from './bytes.js';

// noble needs a synchronous SHA-512 for sign()/verify(); the tests sign
// with it.  Verification below calls sha512 itself.
ed.hashes.sha512 = sha512;

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/* libsodium's ge25519_has_small_order list: y = 0, 1, the two order-8 ys, p-1, p, p+1. */
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => ed.etc.hexToBytes(h));

export function hasSmallOrder(s) {
  return SMALL_ORDER.some((b) => {
    for (let j = 0; j < 31; j++) if (s[j] !== b[j]) return false;
    return (s[31] & 0x7f) === b[31];
  });
}

/* y < p (the sign bit aside): ge25519_is_canonical. */
function isCanonical(s) {
  if ((s[31] & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (s[i] !== 0xff) return true;
  return s[0] < 0xed;
}

function numberLE(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** libsodium's verdict on a 64-byte signature of msg by a 32-byte public key. */
export function verifyLibsodium(sig, msg, pk) {
  if (sig.length !== 64 || pk.length !== 32) return false;
  const r = sig.subarray(0, 32);
  const s = numberLE(sig.subarray(32));
  if (s >= L || hasSmallOrder(r)) return false;
  if (!isCanonical(pk) || hasSmallOrder(pk)) return false;
  let A;
  try {
    A = ed.Point.fromBytes(pk, false);
  } catch {
    return false;
  }
  const k = numberLE(sha512(concat(r, pk, msg))) % L;
  const rCheck = ed.Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k)).toBytes();
  for (let i = 0; i < 32; i++) if (rCheck[i] !== r[i]) return false;
  return true;
}
