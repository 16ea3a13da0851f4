// Interop, step 2: check the extension's tokens and keys with two independent npm
// libraries, `paseto` and `paseto-ts`, each with its default verify options, and
// sign tokens with `paseto` for the extension to check (step 3).
//
// usage: node verify.mjs IN.json OUT.json
//   IN:  written by make-tokens.sql ({tokens, keyset, kinds, keys})
//   OUT: npm-made keys and tokens for check-npm-tokens.sql
// Prints one "ok - ..." / "not ok - ..." line per check, and notes (other lines);
// exits non-zero only if it could not run to the end (test/interop/run counts the lines).

import { readFileSync, writeFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { ClaimValidationError, InvalidTokenError, PasetoError, PublicProtocol } from 'paseto'
import {
  ExportPublicKeyFactory,
  GenerateKeyPairFactory,
  ImportPublicKeyFactory,
  SignFactory,
  VerifyFactory,
} from 'paseto/v4/public'
import { blake2b } from '@noble/hashes/blake2.js'
import { verify as pasetoTsVerify } from 'paseto-ts/v4'
import { PasetoSignatureInvalid } from 'paseto-ts/lib/errors'
import { countKeys, getJsonDepth } from 'paseto-ts/lib/json'
import { MAX_DEPTH_DEFAULT, MAX_KEYS_DEFAULT } from 'paseto-ts/lib/magic'

const v4 = new PublicProtocol(
  GenerateKeyPairFactory,
  SignFactory,
  VerifyFactory,
  ImportPublicKeyFactory,
  ExportPublicKeyFactory,
)
const [inFile, outFile] = process.argv.slice(2)
const input = JSON.parse(readFileSync(inFile, 'utf8'))
const utf8 = new TextEncoder()
const b64u = (bytes) => Buffer.from(bytes).toString('base64url')
const unb64u = (text) => new Uint8Array(Buffer.from(text, 'base64url'))

// PASERK k4.pid: "k4.pid." + base64url(BLAKE2b-264("k4.pid." + k4.public PASERK)).
const pid = (paserk) => 'k4.pid.' + b64u(blake2b(utf8.encode('k4.pid.' + paserk), { dkLen: 33 }))

// ---- reporting ---------------------------------------------------------------------

async function check(name, fn) {
  let problem
  try {
    problem = await fn()
  } catch (err) {
    problem = `${err?.name ?? 'error'}: ${err?.message ?? err}`
  }
  if (problem) problem = String(problem).replace(/\s+/g, ' ')
  console.log(problem ? `not ok - ${name} (${problem})` : `ok - ${name}`)
}
const show = (v) => {
  const s = JSON.stringify(v)
  return s.length > 200 ? s.slice(0, 200) + '…' : s
}

// The extension's tokens are verified with the library's defaults: exp required and
// in the future, nbf and iat not in the future, at the current time.
const npmVerify = (key, token) => v4.Verify(key, token)

// npm's own tokens (section 3) have fixed times and one has no exp: they are checked
// at their own iat, and may lack exp.  The signature check is never relaxed.
function npmVerifyOwn(key, token, claims) {
  return v4.Verify(key, token, {
    allowNonExpiring: true,
    now: typeof claims?.iat === 'string' ? new Date(claims.iat) : new Date(),
  })
}

// The token must be rejected as a bad token: a claim failure or a usage error
// (TypeError) would mean the tampering went untested.
async function expectRejected(key, token) {
  try {
    await npmVerify(key, token)
    return 'accepted'
  } catch (err) {
    if (!(err instanceof PasetoError) || err instanceof ClaimValidationError)
      return `rejected for the wrong reason: ${err.name}: ${err.message}`
  }
}

// ---- tampering -----------------------------------------------------------------------

function split(token) {
  const [version, purpose, body, footer] = token.split('.')
  return { version, purpose, body: unb64u(body), footer }
}
function join({ version, purpose, body, footer }) {
  return `${version}.${purpose}.${b64u(body)}` + (footer === undefined ? '' : `.${footer}`)
}
function flip(body, index) {
  const copy = body.slice()
  copy[index] ^= 0x01
  return copy
}

// Each variant must fail verification with the original key.
function tamperings(token, otherKid) {
  const t = split(token)
  const msgLen = t.body.length - 64
  return [
    ['payload byte flipped', join({ ...t, body: flip(t.body, Math.floor(msgLen / 2)) })],
    ['first payload byte flipped', join({ ...t, body: flip(t.body, 0) })],
    ['signature byte flipped', join({ ...t, body: flip(t.body, msgLen + 10) })],
    ['last signature byte flipped', join({ ...t, body: flip(t.body, t.body.length - 1) })],
    ['footer with a different kid', join({ ...t, footer: b64u(utf8.encode(JSON.stringify({ kid: otherKid }))) })],
    t.footer === undefined
      ? ['footer added', join({ ...t, footer: b64u(utf8.encode(JSON.stringify({ kid: otherKid }))) })]
      : ['footer removed', join({ ...t, footer: undefined })],
    ['header v4.local', join({ ...t, purpose: 'local' })],
    ['header v3.public', join({ ...t, version: 'v3' })],
    ['truncated by one byte', join({ ...t, body: t.body.subarray(0, -1) })],
    ['truncated to 32 bytes', join({ ...t, body: t.body.subarray(0, 32) })],
  ]
}

// ---- 1. the extension's keys as PASERK -------------------------------------------------------

const keyByKid = new Map()
for (const k of input.keys) {
  await check(`PASERK ${k.kid}: imports, re-exports identically, raw key matches`, async () => {
    const key = await v4.ImportPublicKey(k.public_key)
    keyByKid.set(k.kid, key)
    const again = await v4.ExportPublicKey(key)
    if (again !== k.public_key) return `re-exported as ${again}`
    if (k.public_key !== 'k4.public.' + b64u(Buffer.from(k.raw_hex, 'hex')))
      return `PASERK ${k.public_key} does not encode raw key ${k.raw_hex}`
  })
  await check(`kid ${k.kid} is the k4.pid of its PASERK`, () => {
    const expected = pid(k.public_key)
    if (expected !== k.kid) return `computed ${expected}`
  })
}

// ---- 2. the extension's tokens, verified by npm -----------------------------------------------

async function verifyExtensionToken(name, t) {
  await check(`npm verifies extension token: ${name}`, async () => {
    const key = keyByKid.get(t.kid)
    if (!key) return `no usable public key for kid ${t.kid}`
    const { claims, footer } = await npmVerify(key, t.token)
    if (!t.token.startsWith('v4.public.')) return 'not a v4.public token'
    if (!isDeepStrictEqual(claims, t.payload))
      return `payload ${show(claims)} differs from the signed jsonb ${show(t.payload)}`
    const f = JSON.parse(new TextDecoder().decode(footer))
    if (!isDeepStrictEqual(f, { kid: t.kid })) return `footer ${show(f)}, expected {"kid": "${t.kid}"}`
  })
}

for (const t of input.tokens) await verifyExtensionToken(t.name, t)
await verifyExtensionToken('keyset()', input.keyset)
await check('keyset() payload: typ "keyset", equals keyset_payload(), lists the keys used', () => {
  const ks = JSON.parse(new TextDecoder().decode(split(input.keyset.token).body.subarray(0, -64)))
  if (ks.typ !== 'keyset') return `typ is ${show(ks.typ)}`
  if (!isDeepStrictEqual(ks, input.keyset.payload)) return 'differs from keyset_payload()'
  const published = new Map(ks.keys.map((k) => [k.kid, k.public_key]))
  for (const kid of new Set([...input.tokens.map((t) => t.kid), input.keyset.kid])) {
    const expected = input.keys.find((k) => k.kid === kid)?.public_key
    if (published.get(kid) !== expected) return `key set has ${published.get(kid)} for ${kid}`
  }
})

// Tampered extension tokens: a plain one and the large one.
const otherKid = input.keyset.kid
for (const t of [input.tokens[0], input.tokens.find((x) => x.name.startsWith('large'))]) {
  for (const [how, token] of tamperings(t.token, otherKid)) {
    await check(`npm rejects extension token (${t.name.split(' ')[0]}): ${how}`, () =>
      expectRejected(keyByKid.get(t.kid), token),
    )
  }
}
await check('npm rejects extension token verified with another key (root for decision)', () =>
  expectRejected(keyByKid.get(otherKid), input.tokens[0].token),
)

// ---- 2b. one token of every kind, made by the real SQL API, verified by both libraries ----
//
// `paseto` (V4 Verify) and `paseto-ts` (verify), each with its default options: no
// option passed, no implicit assertion.  The footer's kid only picks the public key
// from bigpicture.public_keys; both libraries then authenticate the footer too.

const decoder = new TextDecoder()
const footerKid = (token) => {
  try {
    return JSON.parse(decoder.decode(unb64u(token.split('.')[3] ?? ''))).kid
  } catch {
    return undefined
  }
}

// What paseto-ts measures on the payload's JSON text before it parses it (its
// countKeys is the number of `":` plus one; it refuses more than maxKeys).
function shape(token) {
  const text = decoder.decode(split(token).body.subarray(0, -64))
  let depth
  try {
    depth = getJsonDepth(text)
  } catch (err) {
    depth = `unmeasurable (${err.message})`
  }
  return { bytes: Buffer.byteLength(text), counted: countKeys(text), depth }
}
const overLimits = (sh) =>
  [
    sh.counted > MAX_KEYS_DEFAULT &&
      `${sh.counted - 1} keys, over paseto-ts's default maxKeys ${MAX_KEYS_DEFAULT} (its countKeys gives ${sh.counted})`,
    sh.depth > MAX_DEPTH_DEFAULT && `depth ${sh.depth}, over paseto-ts's default maxDepth ${MAX_DEPTH_DEFAULT}`,
  ].filter(Boolean)

const libraries = [
  {
    name: 'paseto',
    async verify(key, token) {
      const { claims, footer } = await v4.Verify(keyByKid.get(key.kid), token)
      return { claims, footer: JSON.parse(decoder.decode(footer)) }
    },
    refusedForSignature: (err) => err instanceof InvalidTokenError && /signature/i.test(err.message),
  },
  {
    name: 'paseto-ts',
    async verify(key, token) {
      const { payload, footer } = pasetoTsVerify(key.public_key, token)
      return { claims: payload, footer }
    },
    refusedForSignature: (err) => err instanceof PasetoSignatureInvalid,
  },
]

// One base64url character changed, well inside the signed message or the signature
// (not the last character, whose spare bits a decoder may ignore).
function oneCharChanged(token) {
  const [version, purpose, body, footer] = token.split('.')
  const at = (i) =>
    [version, purpose, body.slice(0, i) + (body[i] === 'A' ? 'B' : 'A') + body.slice(i + 1), footer]
      .filter((x) => x !== undefined)
      .join('.')
  const signatureChars = Math.ceil((64 * 4) / 3)
  return [
    ['payload', at(Math.floor((body.length - signatureChars) / 2))],
    ['signature', at(body.length - 20)],
  ]
}

for (const k of input.kinds) {
  if (!k.made) {
    console.log(`${k.kind}: this build of the extension has no way to make it; not checked`)
    continue
  }
  const key = k.token && input.keys.find((x) => x.kid === footerKid(k.token))
  // Problems that make every check of this kind fail.
  const unusable = !k.token
    ? `the extension did not make it: ${k.error}`
    : !key
      ? `its footer kid ${footerKid(k.token)} names no key in bigpicture.public_keys`
      : k.purpose && key.purpose !== k.purpose
        ? `signed by a ${key.purpose} key; typ ${k.typ} needs ${k.purpose}`
        : undefined
  const sh = k.token && shape(k.token)
  if (sh)
    console.log(
      `${k.kind}: payload ${sh.bytes} bytes, ${sh.counted - 1} keys, depth ${sh.depth}` +
        ` (paseto-ts defaults: maxKeys ${MAX_KEYS_DEFAULT}, maxDepth ${MAX_DEPTH_DEFAULT})`,
    )
  for (const lib of libraries) {
    await check(`${lib.name} verifies ${k.kind} with its default options`, async () => {
      if (unusable) return unusable
      let got
      try {
        got = await lib.verify(key, k.token)
      } catch (err) {
        const over = lib.name === 'paseto-ts' ? overLimits(sh) : []
        return `refused: ${err?.name}: ${err?.message}` + (over.length ? `; the payload has ${over.join(', ')}` : '')
      }
      if (got.claims.typ !== k.typ) return `typ ${show(got.claims.typ)}, expected ${k.typ}`
      if (typeof got.claims.exp !== 'string') return `accepted, but the payload has no exp`
      if (!isDeepStrictEqual(got.footer, { kid: key.kid })) return `footer ${show(got.footer)}, expected {"kid": "${key.kid}"}`
      if (!k.payload) return `the extension's verify_token refused it: ${k.payload_error}`
      if (!isDeepStrictEqual(got.claims, k.payload))
        return `payload ${show(got.claims)} differs from verify_token's ${show(k.payload)}`
    })
  }
  for (const [part, token] of k.token ? oneCharChanged(k.token) : [['payload'], ['signature']]) {
    for (const lib of libraries) {
      await check(`${lib.name} refuses ${k.kind} with one character changed in the ${part}`, async () => {
        if (unusable) return unusable
        try {
          await lib.verify(key, token)
          return 'accepted'
        } catch (err) {
          if (!lib.refusedForSignature(err)) return `refused for the wrong reason: ${err?.name}: ${err?.message}`
        }
      })
    }
  }
}

// ---- 3. npm-made tokens, for the extension to verify ---------------------------------------

const { publicKey, secretKey } = await v4.GenerateKeyPair()
const paserk = await v4.ExportPublicKey(publicKey)
const npmKid = pid(paserk)
const decisionKey = input.keys.find((k) => k.kid === input.tokens[0].kid).public_key
const kidFooter = utf8.encode(JSON.stringify({ kid: npmKid }))
const times = { iat: '2026-11-26T17:00:00Z', exp: '2026-11-26T18:00:00Z' }
const large = {
  typ: 'snapshot',
  items: Array.from({ length: 2000 }, (_, i) => ({ i, name: `item ${i} ✓`, tags: ['a', 'ß', i % 7] })),
}
const npmCases = [
  ['no footer', { typ: 'decision', sub: 'alice', ...times }, undefined],
  ['kid footer', { typ: 'decision', sub: 'alice', ...times }, kidFooter],
  ['unicode payload', { typ: 'decision', name: 'Zoë 日本語 🎉 שלום', 'ключ': '\u2028"\\\n\u0001', ...times }, kidFooter],
  ['nested payload, no times', { a: { b: [1, 2.5, -3e-7, null, true, { c: '' }] }, n: 9007199254740991 }, kidFooter],
  ['large payload (~100 KB)', { ...large, ...times }, kidFooter],
]

const out = { keys: [], cases: [] }
out.keys.push({ name: 'fresh npm key', paserk, pid: npmKid, raw_hex: Buffer.from(unb64u(paserk.slice(10))).toString('hex') })
let kidToken
for (const [name, claims, footer] of npmCases) {
  // Sign exactly these claims: no added iat, and no added or removed exp.
  const token = await v4.Sign(secretKey, claims, { footer, addIssuedAt: false, nonExpiring: !('exp' in claims) })
  if (footer === kidFooter && !kidToken) kidToken = token
  await check(`npm verifies its own token: ${name}`, async () => {
    const { claims: got } = await npmVerifyOwn(publicKey, token, claims)
    if (!isDeepStrictEqual(got, claims)) return `payload ${show(got)}`
  })
  out.cases.push({ name, token, key: paserk, expect: 'accept', payload: claims })
}
for (const [how, token] of tamperings(kidToken, input.keyset.kid))
  out.cases.push({ name: `kid-footer token: ${how}`, token, key: paserk, expect: 'reject' })
out.cases.push({ name: 'kid-footer token with the wrong key', token: kidToken, key: decisionKey, expect: 'reject' })

writeFileSync(outFile, JSON.stringify(out))
