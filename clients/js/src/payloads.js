// The exact JSON bytes behind each verified payload object.  The C checks
// after verification (binding, lease chain, revocations) read the payload
// text, where the first of duplicate keys counts and a number keeps all
// its digits; keeping the text lets them read it the same way here.

import { utf8 } from './bytes.js';
import { fail } from './status.js';

const verified = new WeakMap();

export function remember(payload, bytes) {
  verified.set(payload, bytes);
  return payload;
}

/**
 * The JSON bytes of a payload argument: the verified text of an object
 * that verify() returned; a JSON text (string or bytes) as it is; any
 * other object as JSON.stringify writes it.
 */
export function payloadBytes(payload) {
  if (payload instanceof Uint8Array) return payload;
  if (typeof payload === 'string') return utf8(payload);
  if (payload !== null && typeof payload === 'object') return verified.get(payload) ?? utf8(JSON.stringify(payload));
  fail('BAD_ARGUMENT', 'payload must be an object or a JSON text');
}

/** The JSON text a verified payload object was read from (undefined for others). */
export function payloadText(payload) {
  const bytes = payload !== null && typeof payload === 'object' ? verified.get(payload) : undefined;
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}
