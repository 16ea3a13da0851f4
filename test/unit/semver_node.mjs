// semver_node.mjs — the node-semver side of test/unit/semver_node.sh: reads
// "RANGE<TAB>VERSION" lines from the file argv[3] and prints what
// semver_node.c prints for ours, from node-semver (default options), whose
// package directory is argv[2].  node prints "" for "*" and joins sets with
// "||": both are put in our spelling ("*", " || ").
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const semver = createRequire(import.meta.url)(resolve(process.argv[2]));
const out = [];
for (const line of readFileSync(process.argv[3], 'utf8').split('\n')) {
	if (line === '') continue;
	const [text, version] = line.split('\t');
	let range;
	try {
		range = new semver.Range(text);
	} catch {
		out.push(`${text}\t${version}\terror`);
		continue;
	}
	const canonical = range.set.map((set) => set.map((c) => c.value).join(' ').trim() || '*').join(' || ');
	out.push(`${text}\t${version}\tok\t${range.test(version) ? 1 : 0}\t${canonical}`);
}
process.stdout.write(out.join('\n') + '\n');
