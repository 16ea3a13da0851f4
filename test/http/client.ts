// A typed client of the OpenAPI document: test/http/run generates ./api.d.ts
// from GET / with openapi-typescript and compiles this with tsc --noEmit
// --strict.  The @ts-expect-error lines are the negative half: each must be
// a type error, or tsc fails on the unused directive.
import type { components, paths } from './api';

type Body<P extends keyof paths, M extends 'post'> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Ok<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : never;
type Query<P extends keyof paths> = paths[P]['get'] extends { parameters: { query?: infer Q } } ? Q : never;

export async function call<P extends keyof paths>(base: string, token: string, path: P, body: Body<P, 'post'>): Promise<Ok<P, 'post'>> {
  const r = await fetch(base + path, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body) });
  if (!r.ok) {
    const e: components['schemas']['Error'] = await r.json();
    throw new Error(`${e.code}: ${e.message} ${e.details ?? ''} ${e.hint ?? ''}`);
  }
  return r.json();
}

export async function decide(base: string, token: string): Promise<string | null | undefined> {
  const d = await call(base, token, '/rpc/decision', {
    install_id: 'ts-1', platform: 'linux', arch: 'x86_64', products: [{ product_id: 'prod_http', current_version: '1.0.0' }],
  });
  const recorded: boolean = d.recorded;
  const retry: number = d.retry_after;
  return recorded && retry > 0 ? d.decisions[0].version : d.decisions[0]?.token;
}

export async function lease(base: string, token: string): Promise<string> {
  const l = await call(base, token, '/rpc/lease', { product_id: 'prod_http', subject_type: 'machine', subject_id: 'm-1', duration: 3600 });
  const expires: string = l.expires_at;
  return l.token + expires;
}

const usage: Query<'/rpc/usage'> = { from: '2020-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
const audit: Query<'/rpc/audit'> = { max_events: 5, event_type: 'lease_issued' };
const keyset: Ok<'/rpc/keyset', 'get'> = { keyset: 'v4.public.x', keysets: ['v4.public.x'] };
type UsageRow = Ok<'/rpc/usage', 'get'>[number];
const row: UsageRow = { entitlement_id: 'e', product_id: 'p', type: 'concurrent', leases: 1, peak_concurrency: 1, average_concurrency: 0.5 };
const status: Ok<'/rpc/license_status', 'get'>['entitlements'][number]['lease'] = null;
const policy: Ok<'/rpc/policy_get', 'get'> = null;
export const examples = [usage, audit, keyset, row, status, policy];

// @ts-expect-error: platform is one of windows, macos, linux
export const badPlatform: Body<'/rpc/decision', 'post'> = { platform: 'beos', arch: 'x86_64', products: [{ product_id: 'p' }] };
// @ts-expect-error: a decision request without products
export const noProducts: Body<'/rpc/decision', 'post'> = { platform: 'linux', arch: 'x86_64' };
// @ts-expect-error: a lease without its subject
export const noSubject: Body<'/rpc/lease', 'post'> = { product_id: 'p' };
// @ts-expect-error: usage needs from and to
export const noFrom: Query<'/rpc/usage'> = { to: '2030-01-01T00:00:00Z' };
// @ts-expect-error: audit takes max_events, not limit (GET reserves limit)
export const limit: Query<'/rpc/audit'> = { limit: 5 };
// @ts-expect-error: a body field no request has
export const colour: Body<'/rpc/policy_put', 'post'> = { scope: 'tenant', colour: 'red' };
// @ts-expect-error: the key set is a string
export const keysetNumber: Ok<'/rpc/keyset', 'get'> = { keyset: 5, keysets: [] };
// @ts-expect-error: no view is described (bigpicture-gateway serves none)
export type Releases = paths['/releases'];
