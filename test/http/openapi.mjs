// The OpenAPI document a server answers GET / with (bigpicture_api.openapi()),
// checked: valid OpenAPI 3.0.3 (@apidevtools/swagger-parser), the JWT bearer
// scheme, no path the server does not serve, and every request and response
// that test/http/run made held to it with ajv:
//   * a 200 response validates against its route's response schema, an error
//     against PostgREST's error body; every route has been seen answering 200;
//   * the request of a 200 validates against the route's request schema (the
//     body of a POST, the query of a GET), and the request of an "unknown
//     field" or "unknown parameter" refusal does not.
// usage: node openapi.mjs DOC.json CALLS.jsonl EXPECTED_PATHS
// (CALLS.jsonl: one {method, path, query, body, status, response} per line;
// EXPECTED_PATHS: the paths of bigpicture.api_routes(), comma-separated).
// Prints "ok - …" / "not ok - …" lines.
import fs from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const [docFile, callsFile, expected] = process.argv.slice(2);
const raw = JSON.parse(fs.readFileSync(docFile, 'utf8'));
let failed = 0;
const ok = (cond, name, why) => {
  console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
  if (!cond) { failed++; if (why) console.log(`#   ${String(why).slice(0, 600)}`); }
};

try {
  await SwaggerParser.validate(structuredClone(raw));
  ok(true, 'the OpenAPI document is valid OpenAPI (swagger-parser)');
} catch (e) {
  ok(false, 'the OpenAPI document is valid OpenAPI (swagger-parser)', e.message);
}
ok(raw.openapi === '3.0.3', 'it is OpenAPI 3.0.3', raw.openapi);
const jwt = raw.components?.securitySchemes?.jwt;
ok(jwt?.type === 'http' && jwt?.scheme === 'bearer' && jwt?.bearerFormat === 'JWT', 'components.securitySchemes.jwt is the JWT bearer scheme');
const paths = Object.keys(raw.paths).sort();
ok(paths.join(',') === expected.split(',').sort().join(','), 'it lists exactly the routes of bigpicture.api_routes(), no view',
  `${paths.join(',')} vs ${expected}`);

const doc = await SwaggerParser.dereference(structuredClone(raw));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const check = (schema, value) => {
  const v = ajv.compile(schema);
  return v(value) ? null : ajv.errorsText(v.errors);
};
const errorSchema = doc.components.schemas.Error;
let missing = [];
for (const [p, item] of Object.entries(doc.paths)) {
  for (const [m, op] of Object.entries(item)) {
    if (!op.responses?.['200']?.content?.['application/json']?.schema) missing.push(`${m} ${p}: 200 schema`);
    for (const code of ['400', '403', '404', 'default'])
      if (!op.responses?.[code]?.content?.['application/json']?.schema) missing.push(`${m} ${p}: ${code}`);
    if (m === 'post' && !op.requestBody?.content?.['application/json']?.schema) missing.push(`${m} ${p}: request schema`);
    if (!Array.isArray(op.security)) missing.push(`${m} ${p}: security`);
  }
}
ok(missing.length === 0, 'every operation has a request schema (POST), a 200 schema, error responses and its security', missing.join('; '));

// The request of a call as the route's schema sees it: the JSON body, or the query as an object.
function requestProblem(op, method, call) {
  if (method === 'post') return check(op.requestBody.content['application/json'].schema, call.body ?? {});
  const params = op.parameters ?? [];
  const props = Object.fromEntries(params.map((x) => [x.name, x.schema.type === 'integer' ? { type: 'string', pattern: '^-?[0-9]+$' } : x.schema]));
  const schema = { type: 'object', additionalProperties: false, properties: props,
    required: params.filter((x) => x.required).map((x) => x.name) };
  return check(schema, call.query ?? {});
}

const calls = fs.readFileSync(callsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const seen = new Set();
let n200 = 0, nerr = 0, nreq = 0, nbad = 0;
const bad = [];
for (const c of calls) {
  const op = doc.paths[c.path]?.[c.method];
  if (!op) continue;
  if (c.status === 200) {
    n200++;
    const pr = check(op.responses['200'].content['application/json'].schema, c.response);
    if (pr) bad.push(`${c.method} ${c.path} 200 response: ${pr}`);
    else seen.add(c.path);
    nreq++;
    const rq = requestProblem(op, c.method, c);
    if (rq) bad.push(`${c.method} ${c.path} request of a 200: ${rq}`);
  } else {
    nerr++;
    const pr = check(errorSchema, c.response);
    if (pr) bad.push(`${c.method} ${c.path} ${c.status} error body: ${pr}`);
    const unknown = (c.status === 400 && c.response?.code === '22023' && /^unknown field/.test(c.response?.message ?? '')) ||
      (c.status === 404 && c.response?.code === 'PGRST202');
    if (unknown) {
      nbad++;
      if (!requestProblem(op, c.method, c)) bad.push(`${c.method} ${c.path}: a request refused for an unknown field or parameter passes the request schema`);
    }
  }
}
ok(bad.length === 0 && n200 > 0 && nerr > 0,
  `${n200} answers 200 validate against their response schemas and their ${nreq} requests against the request schemas; ${nerr} errors are PostgREST's error body`,
  bad.join('\n#   '));
ok(nbad > 0 && !bad.some((b) => b.includes('passes the request schema')),
  `${nbad} requests refused for an unknown field or parameter fail the request schema too (additionalProperties: false)`);
const unseen = paths.filter((p) => !seen.has(p));
ok(unseen.length === 0, 'every route was seen answering 200 with a body its schema accepts', `not seen: ${unseen.join(', ')}`);
process.exit(failed ? 1 : 0);
