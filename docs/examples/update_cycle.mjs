// update_cycle.mjs — "should I update?" from an Electron or Node app with
// clients/js: pin the root, load the key set, ask for a decision with a
// fresh nonce, verify it and bind it to this install and request.
//
//   node update_cycle.mjs URL ROOT_KEY INSTALL_ID JWT PRODUCT VERSION
import { randomBytes } from 'node:crypto';
import { Verifier, checkBinding } from '../../clients/js/index.js';

const [url, root, installId, jwt, product, version] = process.argv.slice(2);
const now = () => Math.floor(Date.now() / 1000);
const v = new Verifier();
v.pinKey('root', root);                       // shipped inside the app

// every copy of the key set (one per root in service): the first that verifies
const keys = await (await fetch(`${url}/rpc/keyset`)).json();
let loaded = null;
for (const token of keys.keysets ?? [keys.keyset]) {
	try { v.loadKeyset(token, now()); loaded = token; break; } catch (e) { loaded = e; }
}
if (typeof loaded !== 'string') throw loaded;

const nonce = randomBytes(16).toString('hex');
const answer = await fetch(`${url}/rpc/decision`, {
	method: 'POST',
	headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}` },
	body: JSON.stringify({ install_id: installId, nonce, platform: 'linux', arch: 'x86_64',
		products: [{ product_id: product, current_version: version }] }),
});
if (!answer.ok) throw new Error(`POST /rpc/decision: HTTP ${answer.status}`);
const { decisions } = await answer.json();
const payload = v.verify(decisions[0].token, { typ: 'decision', now: now() });
checkBinding(payload, { installId, nonce });   // not another install's, not an old answer
console.log(`decision: ${payload.action} ${payload.version ?? ''} (sha256 ${payload.artifact?.sha256 ?? 'none'})`);
