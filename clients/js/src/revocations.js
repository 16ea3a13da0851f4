// A tenant's signed list of revoked leases (src/core/revocations.c).
//
// The server publishes per tenant a token of typ lease_revocations, signed
// by the lease key that signs that tenant's leases:
//   {"typ":"lease_revocations","iat":…,"exp":…,"tenant_id":"…",
//    "version":<integer >= 0>,"leases":["lease_…", …]}
// A Revocations holds one tenant's latest list.  Loading verifies the token,
// then its members (MALFORMED), then against the list held: another
// tenant's is WRONG_TENANT; a lower version, or the same version issued
// earlier, is ROLLBACK.  On failure the held list is unchanged.  A list
// keeps applying after its exp until a newer one replaces it, but an
// expired list is refused when loaded (EXPIRED).

import { bytesCompare, bytesEqual, text } from './bytes.js';
import * as json from './json.js';
import { payloadBytes } from './payloads.js';
import { parseRfc3339 } from './rfc3339.js';
import { fail } from './status.js';
import { checkNow, MAX_TENANT_LEN, tokenBytes, Verifier, verifyDocument } from './verifier.js';

export const MAX_REVOCATIONS = 4096;
export const MAX_ID_LEN = 128;
/* bp_revocations_check_lease parses a lease into a fixed array of tokens. */
const LEASE_MAX_TOKENS = 1024;

function requiredTime(doc, name) {
  const v = doc.get(0, name);
  const t = v >= 0 && doc.type(v) === json.STRING ? parseRfc3339(doc.raw(v)) : null;
  if (t === null) fail('MALFORMED', `${name} is required, RFC 3339`);
  return t;
}

export class Revocations {
  #list = null; /* {tenant, version, iat, exp, ids (sorted bytes)} */

  /** Is a list held? */
  get loaded() {
    return this.#list !== null;
  }

  /** The held list's tenant_id, version (BigInt), iat and exp; null when none. */
  get tenant() {
    return this.#list && text(this.#list.tenant);
  }

  get version() {
    return this.#list && this.#list.version;
  }

  get iat() {
    return this.#list && this.#list.iat;
  }

  get exp() {
    return this.#list && this.#list.exp;
  }

  /** The listed lease ids, sorted bytewise. */
  get ids() {
    return this.#list ? this.#list.ids.map(text) : [];
  }

  /** Verify a lease_revocations token with the verifier's keys at now and hold it. */
  load(verifier, token, now) {
    if (!(verifier instanceof Verifier)) fail('BAD_ARGUMENT', 'load(verifier, token, now)');
    const bytes = tokenBytes(token);
    checkNow(now);
    const doc = verifyDocument(verifier, bytes, 'lease_revocations', now);

    let at = doc.get(0, 'tenant_id');
    const tenant = at >= 0 && doc.type(at) === json.STRING ? doc.unescape(at) : null;
    if (tenant === null || tenant.length === 0 || tenant.length > MAX_TENANT_LEN) fail('MALFORMED', 'tenant_id');
    at = doc.get(0, 'version');
    const version = at >= 0 ? doc.int64(at) : null;
    if (version === null || version < 0n) fail('MALFORMED', 'version');
    /* iat orders lists of one version, so it is required. */
    const iat = requiredTime(doc, 'iat');
    const exp = requiredTime(doc, 'exp');
    at = doc.get(0, 'leases');
    if (at < 0 || doc.type(at) !== json.ARRAY || doc.count(0, 'leases') !== 1) fail('MALFORMED', 'leases');
    const n = doc.tok[at].size;
    if (n > MAX_REVOCATIONS) fail('CAPACITY', `more than ${MAX_REVOCATIONS} revoked leases`);
    const ids = [];
    for (let i = 0, e = at + 1; i < n; i++, e = doc.skip(e)) {
      const id = doc.type(e) === json.STRING ? doc.unescape(e) : null;
      if (id === null || id.length === 0 || id.length > MAX_ID_LEN) fail('MALFORMED', 'a lease id');
      ids.push(id);
    }
    ids.sort(bytesCompare);
    for (let i = 1; i < ids.length; i++) if (bytesCompare(ids[i - 1], ids[i]) === 0) fail('MALFORMED', 'a lease id twice');

    /* Against the list held: the same tenant, and not older. */
    const held = this.#list;
    if (held !== null) {
      if (!bytesEqual(tenant, held.tenant)) fail('WRONG_TENANT', 'another tenant than the list held');
      if (version < held.version || (version === held.version && iat < held.iat)) fail('ROLLBACK');
    }
    this.#list = { tenant, version, iat, exp, ids };
  }

  /** Is the lease id (a string) on the held list?  false when none is held. */
  contains(leaseId) {
    if (this.#list === null || typeof leaseId !== 'string') return false;
    const want = new TextEncoder().encode(leaseId);
    let lo = 0;
    let hi = this.#list.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = bytesCompare(this.#list.ids[mid], want);
      if (c === 0) return true;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return false;
  }

  /**
   * Check a verified lease payload: throws LEASE_REVOKED when its tenant_id
   * is the list's tenant and its lease_id is listed.  Nothing is revoked
   * when no list is held or the list is another tenant's (keep one
   * Revocations per tenant).  A payload that is not a lease is WRONG_TYPE;
   * without string tenant_id and lease_id, MALFORMED.
   */
  checkLease(payload) {
    const { status, doc } = json.parse(payloadBytes(payload), LEASE_MAX_TOKENS);
    if (status === 'TOO_MANY_TOKENS') fail('BUFFER_TOO_SMALL', `more than ${LEASE_MAX_TOKENS} JSON tokens`);
    if (!doc || doc.type(0) !== json.OBJECT) fail('MALFORMED', 'payload is not a JSON object');
    const v = doc.get(0, 'typ');
    if (v < 0 || doc.type(v) !== json.STRING) fail('MALFORMED', 'payload without typ');
    if (!doc.equals(v, 'lease')) fail('WRONG_TYPE', 'not a lease');
    const tenant = doc.get(0, 'tenant_id');
    const lease = doc.get(0, 'lease_id');
    if (tenant < 0 || doc.type(tenant) !== json.STRING || lease < 0 || doc.type(lease) !== json.STRING)
      fail('MALFORMED', 'lease without tenant_id or lease_id');
    /* Another tenant's list says nothing about this lease. */
    if (this.#list === null || !doc.equals(tenant, this.#list.tenant)) return;
    /* An id that could not be listed is not. */
    const id = doc.unescape(lease);
    if (id.length > MAX_ID_LEN) return;
    if (this.contains(text(id))) fail('LEASE_REVOKED', text(id));
  }
}
