// The rule table of signed tokens (src/core/token_kinds.c): each kind (the
// payload's typ), the only key purpose that may sign it, whether it must
// carry exp (every kind does), and its longest life exp - iat (0: no bound).

const DAY = 86400;

export const PURPOSES = Object.freeze(['root', 'decision', 'lease', 'snapshot', 'audit']);

export const TOKEN_KINDS = Object.freeze([
  { typ: 'keyset', purpose: 'root', needsExp: true, maxLifetime: 400 * DAY },
  { typ: 'key_certificate', purpose: 'root', needsExp: true, maxLifetime: 400 * DAY },
  { typ: 'decision', purpose: 'decision', needsExp: true, maxLifetime: 7 * DAY },
  { typ: 'release', purpose: 'decision', needsExp: true, maxLifetime: 400 * DAY },
  { typ: 'lease', purpose: 'lease', needsExp: true, maxLifetime: 0 },
  { typ: 'lease_revocations', purpose: 'lease', needsExp: true, maxLifetime: 31 * DAY },
  { typ: 'snapshot', purpose: 'snapshot', needsExp: true, maxLifetime: 400 * DAY },
  { typ: 'checkpoint', purpose: 'audit', needsExp: true, maxLifetime: 400 * DAY },
].map(Object.freeze));

const decoder = new TextDecoder();

/** The kind of a typ (a string, or raw bytes as the payload spells it), or null. */
export function tokenKindOf(typ) {
  const s = typeof typ === 'string' ? typ : decoder.decode(typ);
  return TOKEN_KINDS.find((k) => k.typ === s) ?? null;
}

/** A purpose name as C knows it (bytes or string), or null. */
export function purposeFromName(name) {
  const s = typeof name === 'string' ? name : decoder.decode(name);
  return PURPOSES.includes(s) ? s : null;
}
