// PASERK serialisations of version 4 Ed25519 public keys (src/core/paserk.c):
//
//   k4.public.  b64url(32-byte public key)
//   k4.pid.     b64url(BLAKE2b-264("k4.pid." ‖ k4.public PASERK string))

import { blake2b } from '@noble/hashes/blake2.js';

import * as b64 from './base64url.js';
import { utf8 } from './bytes.js';

export const K4_PUBLIC_LEN = 53; /* "k4.public." + 43 characters */
export const K4_PID_LEN = 51; /* "k4.pid." + 44 characters */
const PUBLIC_PREFIX = 'k4.public.';
const PID_PREFIX = 'k4.pid.';

/*
 * Decode exactly n bytes after prefix, or null: the prefix (k4 and the
 * type), strict base64url, and the fixed length.
 */
function decodeWithPrefix(prefix, input, n) {
  const bytes = utf8(input);
  const p = utf8(prefix);
  if (bytes.length < p.length) return null;
  for (let i = 0; i < p.length; i++) if (bytes[i] !== p[i]) return null;
  const data = bytes.subarray(p.length);
  if (data.length !== b64.encodedLength(n)) return null;
  return b64.decode(data);
}

/** The 32 bytes of a "k4.public.…" PASERK (text or bytes), or null. */
export function k4PublicDecode(paserk) {
  return decodeWithPrefix(PUBLIC_PREFIX, paserk, 32);
}

/** "k4.public.…" of a 32-byte public key; throws on another length. */
export function k4PublicEncode(pk) {
  if (!(pk instanceof Uint8Array) || pk.length !== 32) throw new RangeError('a k4.public key is 32 bytes');
  return PUBLIC_PREFIX + b64.encode(pk);
}

/** "k4.pid.…" of a 32-byte public key; throws on another length. */
export function k4Pid(pk) {
  const id = blake2b(utf8(PID_PREFIX + k4PublicEncode(pk)), { dkLen: 33 });
  return PID_PREFIX + b64.encode(id);
}

/** Is the text (or bytes) a well-formed k4.pid? */
export function isK4Pid(text) {
  return decodeWithPrefix(PID_PREFIX, text, 33) !== null;
}
