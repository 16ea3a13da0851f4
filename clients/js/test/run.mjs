// All tests: the official vectors, the unit tests (tokens signed here), and
// the shared case file.  Last line: "js: N passed, N failed".

import { existsSync } from 'node:fs';

import { DEFAULT_CASES, runCases } from './cases.mjs';
import { Harness } from './harness.mjs';
import { runUnit } from './unit.mjs';
import { runVectors } from './vectors.mjs';

const h = new Harness();
h.quiet = process.argv.includes('--quiet');
for (const [name, run] of [['vectors', runVectors], ['unit', runUnit], ['cases', (x) => {
  if (!existsSync(DEFAULT_CASES)) {
    console.log(`# ${DEFAULT_CASES} not found: shared cases skipped`);
    return;
  }
  runCases(x, DEFAULT_CASES);
}]]) {
  console.log(`# ${name}`);
  try {
    run(h);
  } catch (e) {
    h.ok(`${name} ran to its end`, false, e.stack);
  }
}
process.exitCode = h.summary('js') ? 0 : 1;
