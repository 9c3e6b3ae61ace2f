// What signing one request costs, side by side in one process, on the
// Twitter-sized POST of X's "Creating a signature" page (a form body and a query):
//
//   (a) floor       node:crypto HMAC-SHA1 of a precomputed base string
//   (b) signRequest @oauth1/core, HMAC-SHA1, Authorization header (packages/core/dist)
//   (c) oauth-1.0a  authorize() + toHeader(), node:crypto HMAC-SHA1 as hash_function
//   (d) oauth       node-oauth's _prepareParameters() + _buildAuthorizationHeaders(), no HTTP
//   (e) reference   a signer hard-coded for this one request that still returns what
//                   signRequest returns (parsed URL, a Headers object, a timestamp, an
//                   HMAC; a counter for nonce, no CSPRNG): what the contract costs
//                   before any general logic (not a usable signer)
//   (f) its HMAC    the HMAC-SHA1 signRequest computes: RFC 2104 over node:crypto's one-shot
//                   hash with the padded keys prepared once, as for a key that signs again
//                   (cheaper than createHmac, which builds an Hmac object per call); shown so that the ratio to (a) is not
//                   read as signRequest doing less HMAC work than the floor (informational:
//                   the targets are on (a), as issue #2 sets them)
//   (g) oauth-1.0a + Headers: (c) with its header and the Content-Type put into a Headers
//                   object, which is what (b) returns and what fetch is handed: the same
//                   result, so the target compares (b) with (g) (issue #10: like with like)
//
//   pnpm --filter @oauth1/core build && node bench/signing.bench.mjs
//   (or `pnpm bench`, or `node bench/run.mjs signing`, which runs it on this Node and Node 24)
//
// Options: --rounds (default 31), --batch-ms (default 50), --wall (wall time instead of
// CPU time, see harness.mjs), --check (exit 1 when a target is missed),
// --compare <dir> (then, after the table, signRequest from this build and from another
// build of packages/core — e.g. a copy of dist/ taken before a change — alone, side by
// side, with their paired ratio).
// Targets: signRequest >= 4x the ops/s of oauth-1.0a + Headers (g), and signRequest's
// time per op <= 2.5x the floor's.
import { createHash, createHmac, createSecretKey, hash } from 'node:crypto'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { clock, compare, pairedRatio, printTable } from './harness.mjs'
import { benchOptions, positive } from './options.mjs'

const args = benchOptions('signing bench', {
  rounds: { type: 'string', default: '31' },
  'batch-ms': { type: 'string', default: '50' },
  check: { type: 'boolean', default: false },
  wall: { type: 'boolean', default: false },
  compare: { type: 'string' },
})
const rounds = positive('signing bench', args.rounds, 'rounds')
const batchMs = positive('signing bench', args['batch-ms'], 'batch-ms', { integer: false })

const require = createRequire(new URL('../packages/core/package.json', import.meta.url))
const OAuth1a = require('oauth-1.0a')
const { OAuth: NodeOAuth } = require('oauth')
const { signRequest } = await import('../packages/core/dist/index.js')
const compareDir = typeof args.compare === 'string' ? resolve(args.compare) : undefined
const otherSignRequest =
  compareDir === undefined
    ? undefined
    : (await import(pathToFileURL(join(compareDir, 'index.js')).href)).signRequest

const url = 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true'
const status = 'Hello Ladies + Gentlemen, a signed OAuth request!'
const body = 'status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21'
const consumer = {
  key: 'xvz1evFS4wEEPTGEFPHBog',
  secret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
}
const token = {
  key: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
  secret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
}

// (a) the floor: what any signer must at least spend.
const probe = await signRequest(
  { method: 'POST', url, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  {
    clientId: consumer.key,
    clientSecret: consumer.secret,
    token: token.key,
    tokenSecret: token.secret,
  },
)
const baseString = probe.baseString
const signingKey = `${consumer.secret}&${token.secret}`
const floor = () => createHmac('sha1', signingKey).update(baseString).digest('base64')

// (b) @oauth1/core
const credentials = {
  clientId: consumer.key,
  clientSecret: consumer.secret,
  token: token.key,
  tokenSecret: token.secret,
}
const headers = { 'content-type': 'application/x-www-form-urlencoded' }
const ours = () => signRequest({ method: 'POST', url, body, headers }, credentials)

// (c) oauth-1.0a
const oauth1a = OAuth1a({
  consumer,
  signature_method: 'HMAC-SHA1',
  hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
})
const theirs1a = () =>
  oauth1a.toHeader(oauth1a.authorize({ url, method: 'POST', data: { status } }, token))

// (g) oauth-1.0a with its header put into a Headers, as signRequest returns it:
// what an oauth-1.0a user pays to hand fetch the same thing (the target's row)
const theirs1aHeaders = () =>
  new Headers({
    'content-type': 'application/x-www-form-urlencoded',
    ...oauth1a.toHeader(oauth1a.authorize({ url, method: 'POST', data: { status } }, token)),
  })

// (d) node-oauth
const nodeOAuth = new NodeOAuth('', '', consumer.key, consumer.secret, '1.0', null, 'HMAC-SHA1')
const theirsNode = () =>
  nodeOAuth._buildAuthorizationHeaders(
    nodeOAuth._prepareParameters(token.key, token.secret, 'POST', url, { status }),
  )

// (e) the reference: everything request-specific hard-coded, no parsing, sorting or checks.
const referenceKey = createSecretKey(new TextEncoder().encode(`${consumer.secret}&${token.secret}`))
let referenceNonce = 0
const reference = () => {
  const parsed = new URL(url)
  const h = new Headers(headers)
  const nonce = (referenceNonce++).toString(16).padStart(32, '0')
  const timestamp = String(Math.floor(Date.now() / 1000))
  const base = `POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3D${consumer.key}%26oauth_nonce%3D${nonce}%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D${timestamp}%26oauth_token%3D${token.key}%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521`
  const signature = createHmac('sha1', referenceKey).update(base).digest('base64')
  h.append(
    'authorization',
    `OAuth oauth_nonce="${nonce}", oauth_timestamp="${timestamp}", oauth_version="1.0", oauth_signature_method="HMAC-SHA1", oauth_consumer_key="${consumer.key}", oauth_token="${token.key}", oauth_signature="${encodeURIComponent(signature)}"`,
  )
  return { method: 'POST', url: parsed.href, headers: h, body, signature, baseString: base }
}

// (f) HMAC-SHA1 as signRequest computes it (packages/core/src/crypto/node.ts), inline.
let keyBytes = new TextEncoder().encode(signingKey)
if (keyBytes.length > 64) keyBytes = createHash('sha1').update(keyBytes).digest()
const innerPad = new Uint8Array(64).fill(0x36)
// The opad key followed by room for the inner digest: the outer hash's whole input.
const outerBlock = new Uint8Array(84).fill(0x5c, 0, 64)
for (let i = 0; i < keyBytes.length; i++) {
  innerPad[i] ^= keyBytes[i]
  outerBlock[i] ^= keyBytes[i]
}
const scratch = new Uint8Array(1024)
const afterBlock = scratch.subarray(64)
const utf8 = new TextEncoder()
const outerWriter = Buffer.from(outerBlock.buffer, outerBlock.byteOffset, outerBlock.length)
const oneShotHmac = () => {
  scratch.set(innerPad, 0)
  const written = utf8.encodeInto(baseString, afterBlock).written
  // The inner digest as latin1, written into the outer block (no Buffer allocated).
  const inner = hash('sha1', new Uint8Array(scratch.buffer, 0, 64 + written), 'binary')
  scratch.fill(0, 0, 64)
  outerWriter.write(inner, 64, 20, 'latin1')
  const signature = hash('sha1', outerBlock, 'base64')
  outerBlock.fill(0, 64)
  return signature
}
if (oneShotHmac() !== floor()) {
  console.error('the one-shot HMAC disagrees with createHmac')
  process.exit(1)
}

// Sanity: all four sign the same request (fixed nonce/timestamp give the published signature).
const check = await signRequest({ method: 'POST', url, body, headers }, credentials, {
  nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
  timestamp: '1318622958',
})
if (check.signature !== 'hCtSmYh+iHYCEqBWrE7C7hYmtUk=') {
  console.error(`signRequest gave ${check.signature}, expected hCtSmYh+iHYCEqBWrE7C7hYmtUk=`)
  process.exit(1)
}
// (b') the other build, which must sign exactly as this one does.
const theirsBuild =
  otherSignRequest && (() => otherSignRequest({ method: 'POST', url, body, headers }, credentials))
if (otherSignRequest !== undefined) {
  const fixed = { nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg', timestamp: '1318622958' }
  const other = await otherSignRequest({ method: 'POST', url, body, headers }, credentials, fixed)
  if (
    other.baseString !== check.baseString ||
    other.signature !== check.signature ||
    other.headers.get('authorization') !== check.headers.get('authorization')
  ) {
    console.error(`--compare ${compareDir}: that build signs differently`)
    process.exit(1)
  }
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}`)
console.log(`request: POST ${url}, form body ${body.length} bytes, header mode`)
console.log(`measured: ${clock}, ${rounds} rounds of ${batchMs} ms batches\n`)

const results = await compare(
  [
    { name: '(a) floor: node:crypto HMAC-SHA1', fn: floor },
    { name: '(b) @oauth1/core signRequest', fn: ours },
    { name: '(c) oauth-1.0a', fn: theirs1a },
    { name: '(d) oauth (node-oauth)', fn: theirsNode },
    { name: '(e) reference: hard-coded signer', fn: reference },
    { name: '(f) HMAC-SHA1 as signRequest does it', fn: oneShotHmac },
    { name: '(g) oauth-1.0a + Headers', fn: theirs1aHeaders },
  ],
  { rounds, batchMs },
)
printTable(results, { baseline: '(c) oauth-1.0a' })

const [a, b, c, d, e, f, g] = results
// Paired per round (see harness.mjs): steadier than the medians above on a busy machine.
const vsSame = pairedRatio(b, g)
const vsFloor = 1 / pairedRatio(b, a)
/** The quartiles of the per-round ratios x/y (or y/x with `invert`), as "low–high". */
const quartiles = (x, y, invert = false) => {
  const ratios = x.samples
    .map((ops, round) => (invert ? y.samples[round] / ops : ops / y.samples[round]))
    .sort((p, q) => p - q)
  const at = (q) => ratios[Math.round((ratios.length - 1) * q)]
  return `${at(0.25).toFixed(2)}–${at(0.75).toFixed(2)}`
}
console.log('')
console.log('per-round paired ratios (median over rounds; middle half in brackets):')
console.log(
  `  signRequest vs oauth-1.0a + Headers (g), the same result: ${vsSame.toFixed(2)}x the ops/s [${quartiles(b, g)}]   (target >= 4)    ${vsSame >= 4 ? 'met' : 'MISSED'}`,
)
console.log(
  `  signRequest vs the floor (a): ${vsFloor.toFixed(2)}x the time [${quartiles(b, a, true)}]   (target <= 2.5)  ${vsFloor <= 2.5 ? 'met' : 'MISSED'}`,
)
console.log(
  `  signRequest vs oauth-1.0a (c), header object only: ${pairedRatio(b, c).toFixed(2)}x the ops/s [${quartiles(b, c)}]`,
)
console.log(`  signRequest vs node-oauth:  ${pairedRatio(b, d).toFixed(2)}x the ops/s`)
console.log(
  `  reference (e) vs the floor: ${(1 / pairedRatio(e, a)).toFixed(2)}x the time; vs oauth-1.0a: ${pairedRatio(e, c).toFixed(2)}x the ops/s`,
)
console.log(
  `  signRequest vs its own HMAC (f): ${(1 / pairedRatio(b, f)).toFixed(2)}x the time; (f) vs the floor: ${(1 / pairedRatio(f, a)).toFixed(2)}x the time`,
)

console.log(
  JSON.stringify({
    bench: 'signing',
    node: process.version,
    rounds,
    opsPerSec: Object.fromEntries(
      results.map((r) => [r.name.slice(1, r.name.indexOf(')')), Math.round(r.opsPerSec)]),
    ),
    vsSameResult: Number(vsSame.toFixed(3)),
    vsFloorTime: Number(vsFloor.toFixed(3)),
    met: vsSame >= 4 && vsFloor <= 2.5,
  }),
)

// --compare: this build and the other one alone, alternating batch by batch,
// so that each pair of batches shares the machine's load.
if (theirsBuild !== undefined) {
  const pair = await compare(
    [
      { name: '(b) signRequest, this build', fn: ours },
      { name: "(b') signRequest, --compare build", fn: theirsBuild },
    ],
    { rounds, batchMs },
  )
  console.log(`\nthis build against ${compareDir}, alone, ${rounds} rounds:`)
  printTable(pair, { baseline: "(b') signRequest, --compare build" })
  console.log(
    `  this build vs the --compare build: ${pairedRatio(pair[0], pair[1]).toFixed(3)}x the ops/s [${quartiles(pair[0], pair[1])}]`,
  )
}

if (args.check && (vsSame < 4 || vsFloor > 2.5)) process.exit(1)
