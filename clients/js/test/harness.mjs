// A tiny test harness: named checks, "ok - …" / "not ok - …" lines, and the
// closing line "LABEL: N passed, N failed".

import { isDeepStrictEqual, inspect } from 'node:util';

import { BigPictureError } from '../index.js';

export class Harness {
  passed = 0;
  failed = 0;
  quiet = false;

  ok(name, good, detail = '') {
    if (good) {
      this.passed++;
      if (!this.quiet) console.log(`ok - ${name}`);
    } else {
      this.failed++;
      console.log(`not ok - ${name}${detail ? ` (${detail})` : ''}`);
    }
    return good;
  }

  equal(name, got, want) {
    return this.ok(name, isDeepStrictEqual(got, want), `got ${inspect(got)}, expected ${inspect(want)}`);
  }

  /** fn() must give status ('OK': return normally). */
  status(name, want, fn) {
    return this.equal(name, statusOf(fn), want);
  }

  summary(label) {
    console.log(`${label}: ${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0;
  }
}

/** 'OK' when fn returns, the status name when it throws a BigPictureError. */
export function statusOf(fn) {
  try {
    fn();
    return 'OK';
  } catch (e) {
    if (e instanceof BigPictureError) return e.status;
    throw e;
  }
}
