// The verifier of Big Picture tokens: a port of src/core/verify.c.
//
// Order of checks, as in C: footer kid -> key (known, or vouched for by a
// key certificate; not revoked; usable at now) -> signature (the footer is
// part of PAE, so it is bound) -> payload JSON object without duplicates of
// the members that matter -> typ against the key's purpose -> typ against
// the expected typ -> exp / nbf / iat -> tenant.  Nothing in the payload is
// trusted before the signature has verified.  Times are Unix seconds the
// caller passes: nothing here reads a clock.

import { bytesEqual, cString, text, utf8 } from './bytes.js';
import * as json from './json.js';
import { isK4Pid, k4Pid, k4PublicDecode, K4_PID_LEN } from './paserk.js';
import { parseToken, verifyV4 } from './paseto.js';
import { remember } from './payloads.js';
import { parseRfc3339 } from './rfc3339.js';
import { BigPictureError, fail } from './status.js';
import { purposeFromName, tokenKindOf } from './token_kinds.js';

export const MAX_KEYS = 64;
export const MAX_TENANT_LEN = 128;
export const MAX_TOKEN_LEN = 64 * 1024 * 1024;
/** How far a token's iat may be ahead of the caller's clock (seconds). */
export const CLOCK_SKEW = 300;

/* The footer is {"kid":…} or {"kid":…,"cert":…}: anything much bigger is not ours. */
const FOOTER_MAX = 4096;
const FOOTER_TOKENS = 16;

const STATES = ['active', 'pending', 'retiring', 'retired', 'revoked'];

/* Members that must not appear twice at the top level of a payload. */
const UNIQUE_MEMBERS = ['typ', 'exp', 'nbf', 'iat', 'tenant_id', 'version', 'keys', 'seq', 'prev_hash', 'sub', 'product_id'];
const ENTRY_MEMBERS = ['kid', 'purpose', 'tenant_id', 'public_key', 'state', 'valid_from', 'valid_until'];

/* ---- arguments ----------------------------------------------------------- */

export function tokenBytes(token) {
  if (typeof token === 'string') return utf8(token);
  if (token instanceof Uint8Array) return token;
  fail('BAD_ARGUMENT', 'token must be a string');
}

export function checkNow(now) {
  if (!Number.isSafeInteger(now)) fail('BAD_ARGUMENT', 'now must be an integer (Unix seconds)');
  return now;
}

/* ---- keys ---------------------------------------------------------------- */

function keyUsable(key, now) {
  if (key.state === 'revoked') return 'KEY_REVOKED';
  if (key.state === 'pending' || key.state === 'retired') return 'KEY_NOT_VALID';
  if (key.validFrom !== null && now < key.validFrom) return 'KEY_NOT_VALID';
  if (key.validUntil !== null && now >= key.validUntil) return 'KEY_NOT_VALID';
  return 'OK';
}

function hasDuplicate(doc, object, names) {
  for (const name of names) if (doc.count(object, name) > 1) return true;
  return false;
}

/*
 * An RFC 3339 member of an object: undefined when absent (or JSON null,
 * where allowNull), the Unix time when valid; throws MALFORMED otherwise.
 * The raw string is parsed, as in C: an escape is not a digit.
 */
function readTime(doc, object, name, allowNull, detail = name) {
  const v = doc.get(object, name);
  if (v < 0 || (allowNull && doc.type(v) === json.NULL)) return undefined;
  const t = doc.type(v) === json.STRING ? parseRfc3339(doc.raw(v)) : null;
  if (t === null) fail('MALFORMED', `${detail} is not an RFC 3339 time`);
  return t;
}

/*
 * Read and check the footer: {kid, cert}, cert the raw text of a "cert"
 * member (base64url and dots, no escapes) or null.
 */
function footerKid(token) {
  const { footer } = parseToken(token);
  if (footer.length === 0) fail('MALFORMED', 'no footer');
  if (footer.length > FOOTER_MAX) fail('MALFORMED', 'footer too large');
  const { doc } = json.parse(footer, FOOTER_TOKENS);
  if (!doc || doc.type(0) !== json.OBJECT) fail('MALFORMED', 'footer is not a JSON object');
  const v = doc.get(0, 'kid');
  const kid = v >= 0 && doc.type(v) === json.STRING ? doc.unescape(v) : null;
  if (kid === null || kid.length !== K4_PID_LEN || !isK4Pid(kid)) fail('MALFORMED', 'footer kid is not a k4.pid');
  let cert = null;
  const c = doc.get(0, 'cert');
  if (c >= 0) {
    const raw = doc.type(c) === json.STRING ? doc.raw(c) : null;
    if (raw === null || raw.length === 0 || raw.includes(0x5c)) fail('MALFORMED', 'footer cert is not a token');
    cert = raw;
  }
  return { kid: text(kid), cert };
}

/** (verifier, token bytes, typ, now) -> the verified payload's JsonDoc. */
export let verifyDocument;

/** The verifier: its keys, and the key set it has loaded. */
export class Verifier {
  #keys = [];
  #keysetLoaded = false;
  #keysetVersion = null;
  #keysetExp = null;

  /** The keys known now (copies, for inspection). */
  get keys() {
    return this.#keys.map((k) => ({
      kid: k.kid,
      purpose: k.purpose,
      state: k.state,
      pinned: k.pinned,
      validFrom: k.validFrom,
      validUntil: k.validUntil,
      tenant: k.tenant === null ? null : text(k.tenant),
    }));
  }

  /** The version (BigInt) of the last key set loaded, or null. */
  get keysetVersion() {
    return this.#keysetLoaded ? this.#keysetVersion : null;
  }

  /** The exp (Unix seconds) of the last key set loaded, or null. */
  get keysetExp() {
    return this.#keysetLoaded ? this.#keysetExp : null;
  }

  #find(kid) {
    return this.#keys.findIndex((k) => k.kid === kid);
  }

  /**
   * Pin a public key (PASERK "k4.public.…") for a purpose: root keys verify
   * key sets and key certificates, purpose keys verify tokens without any
   * key set.  The same key again for the same purpose is a no-op; for
   * another purpose BAD_ARGUMENT.
   */
  pinKey(purpose, k4public) {
    if (typeof purpose !== 'string' || purposeFromName(purpose) === null || typeof k4public !== 'string')
      fail('BAD_ARGUMENT', 'pinKey(purpose name, k4.public text)');
    const pk = k4PublicDecode(cString(k4public));
    if (pk === null) fail('BAD_KEY');
    const key = { kid: k4Pid(pk), pk, purpose, state: 'active', pinned: true, validFrom: null, validUntil: null, tenant: null };
    const at = this.#find(key.kid);
    if (at >= 0) {
      const old = this.#keys[at];
      if (old.purpose !== purpose) fail('BAD_ARGUMENT', 'the key is known with another purpose');
      /* Pinning wins over a key set entry; a revocation stays. */
      old.pinned = true;
      if (old.state !== 'revoked') this.#keys[at] = key;
      return;
    }
    if (this.#keys.length >= MAX_KEYS) fail('CAPACITY');
    this.#keys.push(key);
  }

  /*
   * The key a certificate vouches for: the certificate verifies with a
   * known root key (itself without a certificate), typ key_certificate,
   * unexpired; its kid is the token's kid and its public_key has that kid.
   */
  #certifiedKey(cert, kid, now) {
    let doc;
    try {
      ({ doc } = this.#verifyToken(cert, 'key_certificate', now, {}, 0, false, false));
    } catch (e) {
      if (!(e instanceof BigPictureError)) throw e;
      if (e.status === 'EXPIRED' || e.status === 'NOT_YET_VALID') fail('CERT_EXPIRED', e.detail);
      fail('CERT_INVALID', `certificate: ${e.status}`);
    }
    const exp = readTime(doc, 0, 'exp', false);
    if (exp === undefined) fail('CERT_INVALID', 'certificate without exp');
    if (!doc.equals(doc.get(0, 'kid'), kid)) fail('CERT_INVALID', 'certificate for another kid');
    let v = doc.get(0, 'public_key');
    const pk = v >= 0 && doc.type(v) === json.STRING ? k4PublicDecode(doc.raw(v)) : null;
    if (pk === null || k4Pid(pk) !== kid) fail('CERT_INVALID', 'certificate public_key is not the kid');
    v = doc.get(0, 'tenant_id');
    const tenant = v >= 0 && doc.type(v) === json.STRING ? doc.unescape(v) : null;
    if (tenant === null || tenant.length === 0 || tenant.length > MAX_TENANT_LEN) fail('CERT_INVALID', 'certificate tenant_id');
    v = doc.get(0, 'purposes');
    if (v < 0 || doc.type(v) !== json.ARRAY || doc.tok[v].size === 0) fail('CERT_INVALID', 'certificate purposes');
    const purposes = new Set();
    for (let i = 0, e = v + 1; i < doc.tok[v].size; i++, e = doc.skip(e)) {
      const p = doc.type(e) === json.STRING ? purposeFromName(doc.raw(e)) : null;
      if (p !== 'decision' && p !== 'lease') fail('CERT_INVALID', 'a certificate delegates decision and lease only');
      purposes.add(p);
    }
    const key = { kid, pk, purpose: null, state: 'active', pinned: false, validFrom: null, validUntil: exp, tenant };
    return { key, purposes };
  }

  /*
   * The common verifier: {doc, key} or throws.  keysetMode: the key must be
   * a pinned root key and exp is required.  allowCert: an unknown kid may
   * come with a key certificate.
   */
  #verifyToken(token, expectedTyp, now, flags, expLeeway, keysetMode, allowCert) {
    if (token.length > MAX_TOKEN_LEN) fail('MALFORMED', 'token too long');

    /* The key. */
    const { kid, cert } = footerKid(token);
    let key;
    let certPurposes = null;
    const at = this.#find(kid);
    if (at >= 0) key = this.#keys[at];
    else if (cert !== null && allowCert && !keysetMode) {
      /* A mirror's key, vouched for by the root (a key set entry would win). */
      ({ key, purposes: certPurposes } = this.#certifiedKey(cert, kid, now));
    } else fail('UNKNOWN_KEY', kid);
    if (keysetMode && (!key.pinned || key.purpose !== 'root')) fail('UNKNOWN_KEY', 'a key set is signed by a pinned root key');
    /* A record of the past (a checkpoint) only needs a key not revoked. */
    const usable =
      flags.signedEarlier && !keysetMode ? (key.state === 'revoked' ? 'KEY_REVOKED' : 'OK') : keyUsable(key, now);
    if (usable !== 'OK') fail(usable, kid);

    /* The signature, with the footer bound. */
    const payload = verifyV4(token, key.pk);

    /* The payload. */
    const { doc } = json.parse(payload);
    if (!doc || doc.type(0) !== json.OBJECT) fail('MALFORMED', 'payload is not a JSON object');
    if (hasDuplicate(doc, 0, UNIQUE_MEMBERS)) fail('MALFORMED', 'payload repeats a member');

    /* typ against the key's purpose (the raw text, as C), then against the caller's. */
    const v = doc.get(0, 'typ');
    if (v < 0 || doc.type(v) !== json.STRING) fail('MALFORMED', 'payload without typ');
    const kind = tokenKindOf(doc.raw(v));
    const typPurpose = kind !== null ? kind.purpose : null;
    if (certPurposes !== null ? typPurpose === null || !certPurposes.has(typPurpose) : typPurpose !== key.purpose)
      fail('WRONG_PURPOSE', `${key.purpose ?? 'a certified key'} may not sign this typ`);
    if (keysetMode && !doc.equals(v, 'keyset')) fail('WRONG_TYPE', 'not a key set');
    if (expectedTyp !== null && !doc.equals(v, expectedTyp)) fail('WRONG_TYPE', `not a ${expectedTyp}`);

    /* Times. */
    const skip = flags.skipTime === true;
    const exp = readTime(doc, 0, 'exp', false);
    if (exp === undefined && (keysetMode || (kind !== null && kind.needsExp))) fail('MALFORMED', 'payload without exp');
    if (exp !== undefined && !skip && exp <= now - expLeeway) fail('EXPIRED');
    const nbf = readTime(doc, 0, 'nbf', false);
    if (nbf !== undefined && !skip && nbf > now + CLOCK_SKEW) fail('NOT_YET_VALID', 'nbf');
    const iat = readTime(doc, 0, 'iat', false);
    /* Issued in the future beyond any plausible clock skew: a clock is wrong. */
    if (iat !== undefined && !skip && iat > now + CLOCK_SKEW) fail('NOT_YET_VALID', 'iat ahead of the clock');
    /* Longer-lived than its kind is ever signed: not a token of ours. */
    if (iat !== undefined && exp !== undefined && kind !== null && kind.maxLifetime > 0 && exp - iat > kind.maxLifetime)
      fail('MALFORMED', 'longer-lived than its kind');

    /* A tenant's key signs for that tenant only. */
    const t = doc.get(0, 'tenant_id');
    if (key.tenant !== null && t >= 0 && !doc.equals(t, key.tenant)) fail('WRONG_TENANT');
    /* A certified key's tokens must say whose they are. */
    if (certPurposes !== null && t < 0) fail('WRONG_TENANT', 'no tenant_id');
    /* A tenant's audit key checkpoints its tenant's chain only. */
    if (key.tenant !== null && key.purpose === 'audit' && !doc.equals(doc.get(0, 'chain_id'), key.tenant))
      fail('WRONG_TENANT', 'chain_id');
    return { doc, key };
  }

  /**
   * Verify a token; returns its payload (first of duplicate keys kept).
   * options: typ (expected typ; null/undefined for any), now (Unix
   * seconds, required), skipTime (no exp/nbf/iat checks; the key's window
   * still applies), signedEarlier (a record of the past: the key must be
   * known and not revoked, its state and window are not checked).
   */
  verify(token, options = {}) {
    const bytes = tokenBytes(token);
    const { typ = null, now, skipTime = false, signedEarlier = false } = options;
    if (typ !== null && typeof typ !== 'string') fail('BAD_ARGUMENT', 'typ must be a string');
    checkNow(now);
    const { doc } = this.#verifyToken(bytes, typ === null ? null : cString(typ), now, { skipTime, signedEarlier }, 0, false, true);
    return remember(doc.value(0), doc.text);
  }

  static {
    /* For revocations.js, which reads the verified document itself (not exported by index.js). */
    verifyDocument = (verifier, token, typ, now) => verifier.#verifyToken(token, typ, now, {}, 0, false, true).doc;
  }

  /**
   * Load a key set token (typ keyset, signed by a pinned root key usable at
   * now, exp required, version not older than the last one: ROLLBACK).
   * Every entry is checked before anything changes; on success the keys of
   * the previous key set are replaced by these, on failure nothing changes.
   * A pinned key stays pinned: an entry of its kid (same purpose) narrows
   * it to the entry's validity window, and when revoked revokes it.
   */
  loadKeyset(token, now) {
    const bytes = tokenBytes(token);
    checkNow(now);
    const flags = {};
    const { doc } = this.#verifyToken(bytes, 'keyset', now, flags, 0, true, false);
    const exp = readTime(doc, 0, 'exp', false);
    const signer = this.#find(footerKid(bytes).kid);

    let v = doc.get(0, 'version');
    const version = v >= 0 ? doc.int64(v) : null;
    if (version === null || version < 0n) fail('MALFORMED', 'key set version');
    if (this.#keysetLoaded && version < this.#keysetVersion) fail('ROLLBACK', `version ${version} < ${this.#keysetVersion}`);

    v = doc.get(0, 'keys');
    if (v < 0 || doc.type(v) !== json.ARRAY) fail('MALFORMED', 'key set without keys');
    const nPinned = this.#keys.filter((k) => k.pinned).length;

    /* Read and check every entry before changing anything. */
    const staged = [];
    const narrow = new Map(); /* index of a pinned key -> its entry */
    for (let i = 0, e = v + 1; i < doc.tok[v].size; i++, e = doc.skip(e)) {
      const key = readEntry(doc, e);
      if (staged.some((k) => k.kid === key.kid)) fail('MALFORMED', 'a kid twice in the key set');
      const at = this.#find(key.kid);
      if (at >= 0 && this.#keys[at].pinned) {
        if (this.#keys[at].purpose !== key.purpose || narrow.has(at)) fail('MALFORMED', 'pinned key listed with another purpose, or twice');
        /* A key set that puts its own signer outside its window now disowns itself. */
        if (at === signer && key.state !== 'revoked' && !flags.skipTime &&
            ((key.validFrom !== null && now < key.validFrom) || (key.validUntil !== null && now >= key.validUntil)))
          fail('KEY_NOT_VALID', 'the key set puts its signer outside its window');
        narrow.set(at, key);
        continue;
      }
      if (nPinned + staged.length >= MAX_KEYS) fail('CAPACITY');
      staged.push(key);
    }

    /* Commit: pinned keys stay (in order), narrowed; the key set's keys are replaced. */
    for (const [at, entry] of narrow) {
      const k = this.#keys[at];
      k.validFrom = entry.validFrom;
      k.validUntil = entry.validUntil;
      if (entry.state === 'revoked') k.state = 'revoked';
    }
    this.#keys = this.#keys.filter((k) => k.pinned).concat(staged);
    this.#keysetLoaded = true;
    this.#keysetVersion = version;
    this.#keysetExp = exp;
  }
}

/* One key set entry, or throws MALFORMED. */
function readEntry(doc, e) {
  if (doc.type(e) !== json.OBJECT || hasDuplicate(doc, e, ENTRY_MEMBERS)) fail('MALFORMED', 'key set entry');
  const str = (name) => {
    const v = doc.get(e, name);
    return v >= 0 && doc.type(v) === json.STRING ? doc.raw(v) : null;
  };
  /* PASERK and k4.pid text have no escapes, so the raw text is the value. */
  const pub = str('public_key');
  const pk = pub === null ? null : k4PublicDecode(pub);
  if (pk === null) fail('MALFORMED', 'entry public_key');
  const kid = k4Pid(pk);
  const kidText = str('kid');
  if (kidText === null || !bytesEqual(kidText, utf8(kid))) fail('MALFORMED', 'entry kid is not the k4.pid of its public_key');
  const purposeText = str('purpose');
  const purpose = purposeText === null ? null : purposeFromName(purposeText);
  if (purpose === null) fail('MALFORMED', 'entry purpose');
  const stateText = str('state');
  const state = stateText === null ? null : STATES.find((s) => bytesEqual(stateText, utf8(s)));
  if (!state) fail('MALFORMED', 'entry state');
  let tenant = null;
  const t = doc.get(e, 'tenant_id');
  if (t >= 0 && doc.type(t) !== json.NULL) {
    tenant = doc.type(t) === json.STRING ? doc.unescape(t) : null;
    if (tenant === null || tenant.length > MAX_TENANT_LEN) fail('MALFORMED', 'entry tenant_id');
  }
  const validFrom = readTime(doc, e, 'valid_from', true) ?? null;
  const validUntil = readTime(doc, e, 'valid_until', true) ?? null;
  return { kid, pk, purpose, state, pinned: false, validFrom, validUntil, tenant };
}

/**
 * Signature and PASETO v4.public form only, with a key given as PASERK
 * k4.public and an implicit assertion (string or bytes): no kid, typ, key
 * state or time checks.  For generic PASETO tokens and the official test
 * vectors.  Returns the payload bytes.
 */
export function verifyPaseto(k4public, token, implicitAssertion = '') {
  if (typeof k4public !== 'string' || (typeof implicitAssertion !== 'string' && !(implicitAssertion instanceof Uint8Array)))
    fail('BAD_ARGUMENT');
  const bytes = tokenBytes(token);
  const pk = k4PublicDecode(cString(k4public));
  if (pk === null) fail('BAD_KEY');
  return verifyV4(bytes, pk, utf8(implicitAssertion));
}
