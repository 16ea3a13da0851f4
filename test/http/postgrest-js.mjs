// The real PostgREST client library against bigpicture-gateway: a decision,
// a lease, and a refused lease whose error must be PostgREST's error object.
// Prints "decision <version> lease <token prefix> refused <code>".
import { PostgrestClient } from '@supabase/postgrest-js';

const api = new PostgrestClient(process.env.BP_URL, {
  headers: { Authorization: `Bearer ${process.env.BP_TOKEN}` },
});
const decision = await api.rpc('decision', {
  install_id: 'js-1', platform: 'linux', arch: 'x86_64',
  products: [{ product_id: 'prod_http', current_version: '1.0.0' }],
});
if (decision.error) throw new Error(JSON.stringify(decision.error));
const lease = await api.rpc('lease', { product_id: 'prod_http', subject_type: 'user', subject_id: 'carol' });
if (lease.error) throw new Error(JSON.stringify(lease.error));
const refused = await api.rpc('lease', { product_id: 'prod_http', subject_type: 'user', subject_id: 'dave' });
console.log(`decision ${decision.data.decisions[0].version} lease ${lease.data.token.slice(0, 9)} ` +
  `refused ${refused.error && refused.status === 409 ? refused.error.code : JSON.stringify(refused)}`);
