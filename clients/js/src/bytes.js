// Byte helpers. The C code works on bytes; so does this port: token text,
// footers and payloads are handled as Uint8Array.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string (a Uint8Array is passed through). */
export function utf8(s) {
  return s instanceof Uint8Array ? s : encoder.encode(s);
}

/** A string from well-formed UTF-8 (the JSON reader has checked it). */
export function text(bytes) {
  return decoder.decode(bytes);
}

/**
 * A caller's string as C sees a NUL-terminated argument: up to its first
 * NUL. The C API takes keys, typ, install_id and nonce that way.
 */
export function cString(s) {
  const at = s.indexOf('\0');
  return at < 0 ? s : s.slice(0, at);
}

export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Bytewise order, a prefix before what it starts (memcmp, then length). */
export function bytesCompare(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Does bytes equal the ASCII/UTF-8 text of a string? */
export function bytesAre(bytes, s) {
  return bytesEqual(bytes, utf8(s));
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
