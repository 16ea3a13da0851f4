// Strict, unpadded RFC 4648 §5 base64url (src/core/base64url.c): no
// padding, no characters outside the alphabet, no length of 4n+1, and the
// unused low bits of the last character must be zero (canonical form).

const VALUES = new Uint8Array(256).fill(0xff);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
for (let i = 0; i < 64; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** Bytes that n characters decode to (the remainder 1 is refused by decode). */
export function decodedLength(n) {
  const rem = n % 4;
  return Math.floor(n / 4) * 3 + (rem >= 2 ? rem - 1 : 0);
}

export function encodedLength(n) {
  const rem = n % 3;
  return Math.floor(n / 3) * 4 + (rem ? rem + 1 : 0);
}

/**
 * Check base64url text (bytes): 'OK', 'PADDING', 'BAD_LENGTH', 'BAD_CHAR'
 * or 'NONCANONICAL', in the order base64url.c reports them.
 */
export function check(input) {
  const n = input.length;
  const rem = n % 4;
  const EQ = 0x3d;
  if (n > 0 && input[n - 1] === EQ) return 'PADDING';
  if (rem === 1) return 'BAD_LENGTH';
  let bad = false;
  for (let i = 0; i < n; i++) {
    if (input[i] === EQ) return 'PADDING';
    if (VALUES[input[i]] === 0xff) bad = true;
  }
  if (bad) return 'BAD_CHAR';
  if ((rem === 2 && (VALUES[input[n - 1]] & 0x0f) !== 0) || (rem === 3 && (VALUES[input[n - 1]] & 0x03) !== 0))
    return 'NONCANONICAL';
  return 'OK';
}

/** Decode text that check() has passed. */
export function decodeChecked(input) {
  const n = input.length;
  const out = new Uint8Array(decodedLength(n));
  let o = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = (VALUES[input[i]] << 18) | (VALUES[input[i + 1]] << 12) | (VALUES[input[i + 2]] << 6) | VALUES[input[i + 3]];
    out[o++] = (w >> 16) & 0xff;
    out[o++] = (w >> 8) & 0xff;
    out[o++] = w & 0xff;
  }
  const rem = n - i;
  if (rem >= 2) {
    let w = (VALUES[input[i]] << 18) | (VALUES[input[i + 1]] << 12);
    if (rem === 3) w |= VALUES[input[i + 2]] << 6;
    out[o++] = (w >> 16) & 0xff;
    if (rem === 3) out[o++] = (w >> 8) & 0xff;
  }
  return out;
}

/** Decode, or null when the text is not strict base64url. */
export function decode(input) {
  return check(input) === 'OK' ? decodeChecked(input) : null;
}

/** Unpadded base64url text of bytes. */
export function encode(bytes) {
  let s = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const w = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    s += ALPHABET[(w >> 18) & 63] + ALPHABET[(w >> 12) & 63] + ALPHABET[(w >> 6) & 63] + ALPHABET[w & 63];
  }
  const rem = bytes.length - i;
  if (rem === 1) {
    const w = bytes[i] << 16;
    s += ALPHABET[(w >> 18) & 63] + ALPHABET[(w >> 12) & 63];
  } else if (rem === 2) {
    const w = (bytes[i] << 16) | (bytes[i + 1] << 8);
    s += ALPHABET[(w >> 18) & 63] + ALPHABET[(w >> 12) & 63] + ALPHABET[(w >> 6) & 63];
  }
  return s;
}
