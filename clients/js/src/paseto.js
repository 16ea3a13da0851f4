// PASETO v4.public (src/core/paseto.c): "v4.public." b64url(m ‖ sig)
// ["." b64url(f)], sig = Ed25519(PAE("v4.public.", m, f, i)).  The footer
// is present only when non-empty, so "body." is refused; base64url must be
// strict and canonical; the body holds at least the 64-byte signature.

import * as b64 from './base64url.js';
import { concat } from './bytes.js';
import { verifyLibsodium } from './ed25519.js';
import { fail } from './status.js';

const HEADER = new TextEncoder().encode('v4.public.');
const DOT = 0x2e;

/* PAE length prefix: little-endian 64-bit, top bit cleared. */
function le64(n) {
  const out = new Uint8Array(8);
  let v = BigInt(n) & 0x7fffffffffffffffn;
  for (let k = 0; k < 8; k++, v >>= 8n) out[k] = Number(v & 0xffn);
  return out;
}

/** PAE(pieces...) of the PASETO spec. */
export function pae(...pieces) {
  return concat(le64(pieces.length), ...pieces.flatMap((p) => [le64(p.length), p]));
}

/**
 * Split and decode a token (bytes): {m, sig, footer}, footer an empty
 * array when absent.  Throws MALFORMED, as the C verifier maps every
 * structural error.
 */
export function parseToken(token) {
  if (token.length < HEADER.length || HEADER.some((c, i) => token[i] !== c)) fail('MALFORMED', 'not a v4.public token');
  const rest = token.subarray(HEADER.length);
  const dot = rest.indexOf(DOT);
  const body = dot < 0 ? rest : rest.subarray(0, dot);
  let footerText = null;
  if (dot >= 0) {
    footerText = rest.subarray(dot + 1);
    if (footerText.indexOf(DOT) >= 0) fail('MALFORMED', 'more parts than body and footer');
    if (footerText.length === 0) fail('MALFORMED', 'empty footer after a separator');
  }
  if (b64.check(body) !== 'OK') fail('MALFORMED', 'body is not canonical base64url');
  if (footerText !== null && b64.check(footerText) !== 'OK') fail('MALFORMED', 'footer is not canonical base64url');
  const decoded = b64.decodeChecked(body);
  if (decoded.length < 64) fail('MALFORMED', 'body too short for a signature');
  return {
    m: decoded.subarray(0, decoded.length - 64),
    sig: decoded.subarray(decoded.length - 64),
    footer: footerText === null ? new Uint8Array(0) : b64.decodeChecked(footerText),
  };
}

/**
 * Verify a token (bytes) with a 32-byte public key and implicit assertion
 * (bytes); the payload bytes, or throws MALFORMED / BAD_SIGNATURE.
 */
export function verifyV4(token, pk, implicit = new Uint8Array(0)) {
  const { m, sig, footer } = parseToken(token);
  if (!verifyLibsodium(sig, pae(HEADER, m, footer, implicit), pk)) fail('BAD_SIGNATURE');
  return m;
}
