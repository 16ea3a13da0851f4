// Run the shared client case file (test/client/cases.json, written by
// test/client/cases/make_cases.c) with this package, as
// test/client/cases/run_cases.c does with the C library.
//
// usage: node test/cases.mjs [CASES.json]   (default ../../test/client/cases.json)

import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

import { BigPictureError, checkBinding, checkLeaseChain, Revocations, Verifier } from '../index.js';
import { Harness, statusOf } from './harness.mjs';

export const DEFAULT_CASES = fileURLToPath(new URL('../../../test/client/cases.json', import.meta.url));

/* One case: the first step that fails gives its status; {status, payload}. */
export function runCase(c) {
  const v = new Verifier();
  let rev = null;
  let payload;
  const status = statusOf(() => {
    for (const pin of c.pins ?? []) v.pinKey(pin.purpose, pin.key);
    for (const keyset of c.keysets ?? []) v.loadKeyset(keyset, c.now);
    if (c.revocations != null) {
      rev = new Revocations();
      rev.load(v, c.revocations, c.now);
    }
    if (c.token == null) return;
    payload = v.verify(c.token, { typ: c.typ ?? null, now: c.now, skipTime: c.skip_time === true });
    if (c.install_id != null || c.nonce != null) checkBinding(payload, { installId: c.install_id, nonce: c.nonce });
    if (c.prev_lease != null) {
      const prev = v.verify(c.prev_lease, { typ: 'lease', now: c.now, skipTime: true });
      checkLeaseChain(c.prev_lease, prev, payload);
    }
    if (rev !== null && c.typ === 'lease') {
      /* A list of another tenant says nothing about this lease: WRONG_TENANT, as run_cases.c and bigpicture-verify. */
      if (typeof payload.tenant_id === 'string' && payload.tenant_id !== rev.tenant)
        throw new BigPictureError('WRONG_TENANT', 'the revocation list is of another tenant');
      rev.checkLease(payload);
    }
  });
  return { status, payload };
}

export function runCases(h, path = DEFAULT_CASES) {
  const file = JSON.parse(readFileSync(path, 'utf8'));
  for (const c of file.cases) {
    const { status, payload } = runCase(c);
    let good = status === c.expect;
    let got = status;
    if (good && status === 'OK' && 'payload' in c && !isDeepStrictEqual(payload, c.payload)) {
      good = false;
      got = 'OK with another payload';
    }
    h.ok(c.name, good, `got ${got}, expected ${c.expect}`);
  }
  return file.cases.length;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const h = new Harness();
  try {
    runCases(h, process.argv[2] ?? DEFAULT_CASES);
  } catch (e) {
    h.ok(`read the case file: ${e.message}`, false);
  }
  process.exitCode = h.summary('js') ? 0 : 1;
}
