// A webhook receiver for test/webhooks/run.  Checks every delivery's
// signature with the Standard Webhooks reference library (npm
// standardwebhooks), not with our code, and appends one JSON line per
// request to LOG as the request arrives (before any delay: a request the
// sender gave up on, or was killed during, is logged too).  Reads CONTROL
// (JSON, re-read on each request):
//   { "secrets": { "/path": "whsec_..." }, "behaviour": { "/path": "ok" | "fail" | "slow:MS" | "big" } }
//   ok: 204 when the signature verifies, 401 when not; fail: 500; slow:MS: as ok,
//   after MS milliseconds; big: 200 and a 1 MiB body.
// usage: node receiver.mjs PORT LOG CONTROL
import { createServer } from 'node:http';
import { appendFileSync, readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';

const [port, log, control] = process.argv.slice(2);

function settings() {
	try { return JSON.parse(readFileSync(control, 'utf8')); } catch { return { secrets: {}, behaviour: {} }; }
}

const server = createServer((req, res) => {
	const chunks = [];
	res.on('error', () => {});
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const body = Buffer.concat(chunks).toString('utf8');
		const { secrets = {}, behaviour = {} } = settings();
		const path = req.url;
		let verified = false;
		let error = null;
		let data = null;
		try {
			data = new Webhook(secrets[path] ?? 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').verify(body, req.headers);
			verified = true;
		} catch (e) {
			error = String(e.message ?? e);
		}
		let parsed = null;
		try { parsed = JSON.parse(body); } catch { /* logged as is */ }
		const how = behaviour[path] ?? 'ok';
		const status = how === 'fail' ? 500 : how === 'big' ? 200 : verified ? 204 : 401;
		const entry = {
			at: Date.now(), path, method: req.method, id: req.headers['webhook-id'] ?? null,
			timestamp: req.headers['webhook-timestamp'] ?? null,
			signatures: (req.headers['webhook-signature'] ?? '').split(' ').filter((s) => s).length, verified, error,
			type: (data ?? parsed)?.type ?? null, event_id: (data ?? parsed)?.event_id ?? null, body, how, status,
		};
		appendFileSync(log, JSON.stringify(entry) + '\n');
		const answer = () => {
			if (res.destroyed || req.socket.destroyed) return;
			if (how === 'fail') { res.writeHead(500); res.end('failing on purpose'); return; }
			if (how === 'big') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('x'.repeat(1 << 20)); return; }
			res.writeHead(status);
			res.end();
		};
		if (how.startsWith('slow:')) setTimeout(answer, Number(how.slice(5)));
		else answer();
	});
});
// the sender may hang up at any time (a timeout, kill -9, the response cap)
server.on('connection', (socket) => socket.on('error', () => {}));
server.listen(Number(port), '127.0.0.1', () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => { server.closeAllConnections?.(); process.exit(0); });
