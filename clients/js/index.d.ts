// Type declarations for @bigpicture/client (hand-written; the code is index.js).

/** Status names, exactly those of the C verifier (src/core/verify.h). */
export type Status =
  | 'OK'
  | 'BAD_ARGUMENT'
  | 'BAD_KEY'
  | 'MALFORMED'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_KEY'
  | 'WRONG_PURPOSE'
  | 'WRONG_TYPE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'KEY_REVOKED'
  | 'KEY_NOT_VALID'
  | 'WRONG_TENANT'
  | 'ROLLBACK'
  | 'CHAIN_BROKEN'
  | 'BUFFER_TOO_SMALL'
  | 'CAPACITY'
  | 'CERT_INVALID'
  | 'CERT_EXPIRED'
  | 'NOT_FOR_US'
  | 'LEASE_REVOKED';

/** Every status name keyed by itself: STATUS.EXPIRED === 'EXPIRED'. */
export const STATUS: { readonly [S in Status]: S };

/** The sentence for a status (bp_verify_strerror). */
export function statusMessage(status: Status): string;

/** What every failing call throws. */
export class BigPictureError extends Error {
  constructor(status: Status, detail?: string);
  readonly name: 'BigPictureError';
  /** Which check failed, as the C status name. */
  readonly status: Exclude<Status, 'OK'>;
  /** Free text for logs (which member, which kid); may be empty. */
  readonly detail: string;
}

export type Purpose = 'root' | 'decision' | 'lease' | 'snapshot' | 'audit';
export type KeyState = 'active' | 'pending' | 'retiring' | 'retired' | 'revoked';
export type Typ =
  | 'keyset'
  | 'key_certificate'
  | 'decision'
  | 'release'
  | 'lease'
  | 'lease_revocations'
  | 'snapshot'
  | 'checkpoint';

/** A verified payload: the JSON object the token carries (the first of repeated keys kept). */
export type Payload = { typ: string; [member: string]: unknown };

/** A payload argument: a payload from Verifier.verify (its signed text is used), a JSON text, or a plain object. */
export type PayloadInput = Payload | object | string | Uint8Array;

export interface VerifyOptions {
  /** The typ the token must have; null or absent for any. */
  typ?: string | null;
  /** The caller's clock, Unix seconds (an integer). Required. */
  now: number;
  /** Do not check exp, nbf and iat (the key's validity window still applies). */
  skipTime?: boolean;
  /** A record of the past (an audit checkpoint): the key must be known and not revoked; its state and window are not checked. */
  signedEarlier?: boolean;
}

export interface KeyInfo {
  kid: string;
  /** null for none (not used by keys a verifier holds). */
  purpose: Purpose | null;
  state: KeyState;
  pinned: boolean;
  validFrom: number | null;
  validUntil: number | null;
  tenant: string | null;
}

/** How far a token's iat may be ahead of the caller's clock: 300 seconds. */
export const CLOCK_SKEW: number;
/** Most keys a verifier holds (pinned and from the key set): 64. */
export const MAX_KEYS: number;
/** Most lease ids a revocation list holds: 4096. */
export const MAX_REVOCATIONS: number;

export class Verifier {
  constructor();
  /** The keys known now (copies). */
  readonly keys: KeyInfo[];
  /** Version of the last key set loaded, or null. */
  readonly keysetVersion: bigint | null;
  /** exp (Unix seconds) of the last key set loaded, or null. */
  readonly keysetExp: number | null;
  /**
   * Pin a public key "k4.public.…" for a purpose. Throws BAD_ARGUMENT (unknown
   * purpose, or the key pinned for another purpose), BAD_KEY, CAPACITY.
   */
  pinKey(purpose: Purpose, k4public: string): void;
  /**
   * Load a key set token (GET /rpc/keyset). Throws; on failure nothing changes.
   * ROLLBACK when its version is below the last one loaded.
   */
  loadKeyset(token: string, now: number): void;
  /** Verify a token; its payload, or throws. */
  verify(token: string, options: VerifyOptions): Payload;
}

/** Signature and PASETO v4.public form only (no kid, typ, key or time checks); the payload bytes. */
export function verifyPaseto(k4public: string, token: string, implicitAssertion?: string | Uint8Array): Uint8Array;

/** Throws NOT_FOR_US unless the payload's install_id / nonce are these (each null or absent: not checked). */
export function checkBinding(payload: PayloadInput, binding?: { installId?: string | null; nonce?: string | null }): void;

/**
 * Throws unless nextPayload follows prevToken (seq + 1: ROLLBACK / CHAIN_BROKEN;
 * prev_hash = leaseHash(prevToken); the same tenant_id, product_id, sub).
 * prevToken null: nextPayload must be the first lease (seq 1, prev_hash "").
 */
export function checkLeaseChain(prevToken: string | null, prevPayload: PayloadInput | null, nextPayload: PayloadInput): void;

/** Hex SHA-256 of a lease token's text. */
export function leaseHash(token: string): string;

/** One subject's leases in order; next() throws unless the lease fits, and moves on only when it does. */
export class LeaseChain {
  /** seq of the last lease accepted, 0n before any. */
  seq: bigint;
  /** leaseHash of the last lease accepted, '' before any. */
  hash: string;
  next(token: string, payload: PayloadInput): void;
}

/** One tenant's signed list of revoked leases (GET /rpc/lease_revocations). */
export class Revocations {
  constructor();
  readonly loaded: boolean;
  readonly tenant: string | null;
  readonly version: bigint | null;
  readonly iat: number | null;
  readonly exp: number | null;
  /** The listed lease ids, sorted bytewise. */
  readonly ids: string[];
  /** Verify and hold a list; WRONG_TENANT for another tenant's than the one held, ROLLBACK for an older one. */
  load(verifier: Verifier, token: string, now: number): void;
  contains(leaseId: string): boolean;
  /** Throws LEASE_REVOKED when the lease (of this list's tenant) is listed. */
  checkLease(payload: PayloadInput): void;
}

/** The exact JSON text a payload from Verifier.verify was read from; undefined for other objects. */
export function payloadText(payload: object): string | undefined;

/** RFC 3339 to Unix seconds, as the C parser reads it; null when refused. */
export function parseRfc3339(text: string): number | null;
/** Unix seconds as "YYYY-MM-DDTHH:MM:SSZ"; null outside years 0000-9999. */
export function formatRfc3339(t: number): string | null;

/** "k4.public.…" of a 32-byte public key (throws RangeError on another length). */
export function k4PublicEncode(pk: Uint8Array): string;
/** The 32 bytes of a "k4.public.…", or null. */
export function k4PublicDecode(paserk: string): Uint8Array | null;
/** "k4.pid.…" (the kid) of a 32-byte public key. */
export function k4Pid(pk: Uint8Array): string;

export interface TokenKind {
  readonly typ: Typ;
  readonly purpose: Purpose;
  readonly needsExp: boolean;
  /** Longest exp - iat in seconds; 0 for no bound. */
  readonly maxLifetime: number;
}
export const TOKEN_KINDS: readonly TokenKind[];
export const PURPOSES: readonly Purpose[];
