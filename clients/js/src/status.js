// Status names and sentences: exactly those of src/core/verify.c, in the
// same order (the C numbering is the client library's ABI; here only the
// names matter).

const ENTRIES = [
  ['OK', 'The token is valid.'],
  ['BAD_ARGUMENT', 'A required argument is missing or not acceptable.'],
  ['BAD_KEY', 'The key is not a valid PASERK k4.public key.'],
  ['MALFORMED', 'The token, its footer or its payload is not well formed.'],
  ['BAD_SIGNATURE', 'The signature does not verify.'],
  ['UNKNOWN_KEY', "No known key has the token's key id."],
  ['WRONG_PURPOSE', "The signing key's purpose may not sign this token type."],
  ['WRONG_TYPE', 'The token type is not the one expected.'],
  ['EXPIRED', 'The token has expired.'],
  ['NOT_YET_VALID', 'The token is not valid yet.'],
  ['KEY_REVOKED', 'The signing key has been revoked.'],
  ['KEY_NOT_VALID', 'The signing key is not valid now (pending, retired, or outside its validity window).'],
  ['WRONG_TENANT', "The token is for another tenant than the signing key's."],
  ['ROLLBACK', 'The key set version or lease sequence went backwards.'],
  ['CHAIN_BROKEN', 'The lease does not follow the previous lease (sequence skipped or previous hash differs).'],
  ['BUFFER_TOO_SMALL', 'The work buffer is too small for this token.'],
  ['CAPACITY', 'Too many keys for the client context.'],
  ['CERT_INVALID', 'The key certificate is not valid (malformed, not signed by a root key, or for another key).'],
  ['CERT_EXPIRED', 'The key certificate has expired or is not valid yet.'],
  ['NOT_FOR_US', "The token answers another install or another request (install_id or nonce differs)."],
  ['LEASE_REVOKED', "The lease has been revoked (it is on its tenant's signed revocation list)."],
];

/** Every status name, keyed by itself: STATUS.EXPIRED === 'EXPIRED'. */
export const STATUS = Object.freeze(Object.fromEntries(ENTRIES.map(([name]) => [name, name])));

const SENTENCES = new Map(ENTRIES);

/** The sentence for a status name (bp_verify_strerror). */
export function statusMessage(status) {
  return SENTENCES.get(status) ?? 'Unknown status.';
}

/**
 * Every failure is thrown as this: .status is one of the STATUS names,
 * .detail (may be empty) says which check failed, for logs.
 */
export class BigPictureError extends Error {
  constructor(status, detail = '') {
    super(detail ? `${status}: ${statusMessage(status)} (${detail})` : `${status}: ${statusMessage(status)}`);
    this.name = 'BigPictureError';
    this.status = status;
    this.detail = detail;
  }
}

/** Throw a BigPictureError. */
export function fail(status, detail) {
  throw new BigPictureError(status, detail);
}
