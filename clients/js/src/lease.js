// What only a client does after verifying (src/client/bp_client.c): bind a
// payload to its install and request, and follow a subject's lease chain.

import { sha256 } from '@noble/hashes/sha2.js';

import { cString, toHex, utf8 } from './bytes.js';
import * as json from './json.js';
import { payloadBytes } from './payloads.js';
import { fail } from './status.js';

/* The C checks parse into fixed token arrays: more is BUFFER_TOO_SMALL (binding) or MALFORMED (chain). */
const BINDING_MAX_TOKENS = 1024;
const LEASE_TOKENS = 512;
const HASH_HEX_LEN = 64;

function optionalString(value, name) {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail('BAD_ARGUMENT', `${name} must be a string`);
  return cString(value);
}

/**
 * Is a verified payload an answer to this install and this request?
 * Decisions carry the install_id and nonce of the request they answer,
 * leases the install_id.  With installId (or null/undefined to skip) the
 * payload's "install_id" must be that string; with nonce its "nonce" must
 * be.  A member absent, null or not a string does not match: NOT_FOR_US.
 */
export function checkBinding(payload, { installId, nonce } = {}) {
  const want = { install_id: optionalString(installId, 'installId'), nonce: optionalString(nonce, 'nonce') };
  const { status, doc } = json.parse(payloadBytes(payload), BINDING_MAX_TOKENS);
  if (status === 'TOO_MANY_TOKENS') fail('BUFFER_TOO_SMALL', `more than ${BINDING_MAX_TOKENS} JSON tokens`);
  if (!doc || doc.type(0) !== json.OBJECT) fail('MALFORMED', 'payload is not a JSON object');
  for (const [member, value] of Object.entries(want))
    if (value !== null && !doc.equals(doc.get(0, member), value)) fail('NOT_FOR_US', `${member} differs`);
}

/** Hex SHA-256 of a lease token's text: what the next lease's prev_hash says. */
export function leaseHash(token) {
  if (typeof token !== 'string' && !(token instanceof Uint8Array)) fail('BAD_ARGUMENT', 'token must be a string');
  return toHex(sha256(utf8(token)));
}

/* typ lease, seq >= 1 (int64, a BigInt), prev_hash "" or 64 characters (raw: hex has no escapes). */
function readLease(payload) {
  const { doc } = json.parse(payloadBytes(payload), LEASE_TOKENS);
  if (!doc || doc.type(0) !== json.OBJECT) fail('MALFORMED', 'lease payload is not a JSON object');
  let v = doc.get(0, 'typ');
  if (v < 0 || doc.type(v) !== json.STRING) fail('MALFORMED', 'payload without typ');
  if (!doc.equals(v, 'lease')) fail('WRONG_TYPE', 'not a lease');
  v = doc.get(0, 'seq');
  const seq = v >= 0 ? doc.int64(v) : null;
  if (seq === null || seq < 1n) fail('MALFORMED', 'lease seq');
  v = doc.get(0, 'prev_hash');
  if (v < 0 || doc.type(v) !== json.STRING) fail('MALFORMED', 'lease prev_hash');
  const prevHash = doc.raw(v);
  if (prevHash.length !== 0 && prevHash.length !== HASH_HEX_LEN) fail('MALFORMED', 'lease prev_hash');
  return { doc, seq, prevHash };
}

/* Does next follow a lease of seq prevSeq whose token hashes to prevHex (null: none)? */
function checkLink(prevSeq, prevHex, next) {
  if (prevHex === null) {
    if (next.seq !== 1n) fail(next.seq < 1n ? 'ROLLBACK' : 'CHAIN_BROKEN', 'the first lease has seq 1');
    if (next.prevHash.length !== 0) fail('CHAIN_BROKEN', 'the first lease has prev_hash ""');
    return;
  }
  if (next.seq <= prevSeq) fail('ROLLBACK', `seq ${next.seq} after ${prevSeq}`);
  if (next.seq !== prevSeq + 1n || next.prevHash.length !== HASH_HEX_LEN) fail('CHAIN_BROKEN', `seq ${next.seq} after ${prevSeq}`);
  /* Upper-case hex is the same hash. */
  for (let i = 0; i < HASH_HEX_LEN; i++) {
    const c = next.prevHash[i];
    if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== prevHex.charCodeAt(i)) fail('CHAIN_BROKEN', 'prev_hash differs');
  }
}

/* The same raw JSON value (or both absent) for a top-level member? */
function sameMember(a, b, name) {
  const x = a.doc.get(0, name);
  const y = b.doc.get(0, name);
  if (x < 0 || y < 0) return x < 0 && y < 0;
  const rx = a.doc.raw(x);
  const ry = b.doc.raw(y);
  return a.doc.type(x) === b.doc.type(y) && rx.length === ry.length && rx.every((c, i) => c === ry[i]);
}

/**
 * The next lease follows the previous one: seq = prev seq + 1 (ROLLBACK
 * when lower or equal, CHAIN_BROKEN when it skips), prev_hash = the hash
 * of prevToken (CHAIN_BROKEN), the same tenant_id, product_id and sub.
 * With prevToken null the next lease must be the first: seq 1, prev_hash "".
 */
export function checkLeaseChain(prevToken, prevPayload, nextPayload) {
  const next = readLease(nextPayload);
  if (prevToken === null || prevToken === undefined) return checkLink(0n, null, next);
  if (prevPayload === null || prevPayload === undefined) fail('BAD_ARGUMENT', 'the previous lease payload is missing');
  const prev = readLease(prevPayload);
  /* One chain per tenant, product and subject. */
  if (!sameMember(prev, next, 'tenant_id') || !sameMember(prev, next, 'product_id') || !sameMember(prev, next, 'sub'))
    fail('CHAIN_BROKEN', 'another tenant, product or subject');
  checkLink(prev.seq, leaseHash(prevToken), next);
}

/**
 * Follow one subject's leases in order (bp_client_lease_chain): feed each
 * verified lease to next(); the state moves on only when it fits.
 */
export class LeaseChain {
  /** seq (BigInt) of the last lease accepted, 0n before any. */
  seq = 0n;
  /** Its token hash, '' before any. */
  hash = '';

  next(token, payload) {
    if (typeof token !== 'string' && !(token instanceof Uint8Array)) fail('BAD_ARGUMENT', 'token must be a string');
    const lease = readLease(payload);
    checkLink(this.seq, this.seq === 0n ? null : this.hash, lease);
    this.seq = lease.seq;
    this.hash = leaseHash(token);
  }
}
