// @bigpicture/client: verify Big Picture tokens (PASETO v4.public) offline,
// with exactly the rules of the C verifier (src/core/verify.c).

export { BigPictureError, STATUS, statusMessage } from './src/status.js';
export { Verifier, verifyPaseto, CLOCK_SKEW, MAX_KEYS } from './src/verifier.js';
export { Revocations, MAX_REVOCATIONS } from './src/revocations.js';
export { checkBinding, checkLeaseChain, leaseHash, LeaseChain } from './src/lease.js';
export { payloadText } from './src/payloads.js';
export { parseRfc3339, formatRfc3339 } from './src/rfc3339.js';
export { k4PublicEncode, k4PublicDecode, k4Pid } from './src/paserk.js';
export { TOKEN_KINDS, PURPOSES } from './src/token_kinds.js';
