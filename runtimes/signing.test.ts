/**
 * The core's signing on the real Bun, Deno and workerd: the published
 * vectors (RFC 5849 §1.2 and §3.4.1.1, OAuth Core 1.0 App. A, the X example,
 * Authlib's RSA-SHA1) and all seven signature methods, RSA with PKCS#1 and
 * PKCS#8 private keys and SPKI, PKCS#1 and certificate public keys — on each
 * crypto the runtime offers (its node:crypto, as the core finds it, and its
 * Web Crypto). The cases and the expected results are built here, in Node:
 * signatures from node:crypto directly, the rest from the vectors.
 */
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
} from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  percentEncode,
  SIGNATURE_METHOD_HASH,
  SIGNATURE_METHODS,
  type SignatureMethod,
  type SigningCredentials,
  signatureBaseString,
} from '@oauth1/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AUTHLIB_RSA_KEY,
  AUTHLIB_RSA_SHA1,
  CORE_A_5,
  RFC_1_2,
  RFC_3_1_PARAMS,
  RFC_3_1_SIGNATURE,
  RFC_3_4_1_1_BASE_STRING,
  TEST_CERT,
  TEST_CERT_KEY,
  TWITTER,
  TWITTER_AUTHORIZATION,
} from '../packages/core/test/vectors.js'
import { runtimeBinary, runtimeLabel } from './binaries.mjs'
import { runCases } from './fixtures/signing.mjs'
import { FIXTURES, runForJson } from './support/processes.js'
import { SERVER_RUNTIMES } from './support/runtimes.js'
import { bundleWorker, startWorker, workerdDate } from './support/workerd.js'

type Input =
  | { kind: 'baseString'; method: string; url: string; params: [string, string][] }
  | { kind: 'computeSignature'; method: SignatureMethod; baseString: string; keys: object }
  | {
      kind: 'signRequest'
      request: { method: string; url: string; body?: string; headers?: Record<string, string> }
      credentials: SigningCredentials
      options: { nonce: string; timestamp: string | number }
    }
  | {
      kind: 'verifySignature'
      method: SignatureMethod
      baseString: string
      signature: string
      keys: object
    }
  | { kind: 'bodyHash'; method: SignatureMethod; body: string }

interface Case {
  name: string
  input: Input
  expected: unknown
}

interface ProbeAnswer {
  /** What the probe ran on (`bun 1.4.5`, `deno 2.9.6`, `workerd`): never Node. */
  runtime: string
  crypto: { nodeCrypto: boolean; webCrypto: boolean }
  results: ({ value: unknown } | { error: string })[]
}

const HASH = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-512': 'sha512' } as const
const FIXED = { nonce: 'kllo9940pd9333jh', timestamp: '1191242096' }
const FORM = 'application/x-www-form-urlencoded'

/** What a signRequest case answers. */
interface Signed {
  signature: string
  baseString: string
  authorization: string | null
  url: string
  body: string | null
}

/** What Node's own build of the core answers for `input`: the reference the runtimes must match. */
async function inNode<T>(input: Input): Promise<T> {
  const [result] = await runCases([input])
  if (!result || !('value' in result)) throw new Error(`Node fails ${JSON.stringify(input)}`)
  return result.value as T
}

async function buildCases(): Promise<Case[]> {
  const cases: Case[] = []
  const add = (name: string, input: Input, expected: unknown) =>
    cases.push({ name, input, expected })

  // --- published vectors
  add(
    'RFC 5849 §3.4.1.1 base string',
    {
      kind: 'baseString',
      method: 'POST',
      url: 'http://example.com/request',
      params: RFC_3_1_PARAMS,
    },
    RFC_3_4_1_1_BASE_STRING,
  )
  add(
    'RFC 5849 §3.1 HMAC-SHA1 (r6/TJjbC…)',
    {
      kind: 'computeSignature',
      method: 'HMAC-SHA1',
      baseString: RFC_3_4_1_1_BASE_STRING,
      keys: RFC_3_1_SIGNATURE.secrets,
    },
    RFC_3_1_SIGNATURE.signature,
  )
  for (const v of RFC_1_2) {
    const base = signatureBaseString(v.method, v.url, v.params)
    if (v.baseString !== undefined) expect(base).toBe(v.baseString)
    add(
      `RFC 5849 §1.2 ${v.name}: base string`,
      { kind: 'baseString', method: v.method, url: v.url, params: v.params },
      base,
    )
    add(
      `RFC 5849 §1.2 ${v.name}: signature`,
      { kind: 'computeSignature', method: 'HMAC-SHA1', baseString: base, keys: v.secrets },
      v.signature,
    )
  }
  add(
    'OAuth Core 1.0 A.5 (realm, oauth_version)',
    { kind: 'signRequest', ...CORE_A_5 },
    {
      signature: CORE_A_5.signature,
      baseString: CORE_A_5.baseString,
      authorization: CORE_A_5.authorization,
      url: CORE_A_5.request.url,
      body: null,
    },
  )
  add(
    'OAuth Core 1.0 A.2 / RFC 5849 §2.1 PLAINTEXT',
    {
      kind: 'computeSignature',
      method: 'PLAINTEXT',
      baseString: 'ignored',
      keys: { clientSecret: 'kd94hf93k423kf44', tokenSecret: 'hdhd0244k9j7ao03' },
    },
    'kd94hf93k423kf44&hdhd0244k9j7ao03',
  )
  add(
    'X "Creating a signature" (hCtSmYh+…)',
    {
      kind: 'signRequest',
      request: {
        method: 'POST',
        url: TWITTER.url,
        body: TWITTER.body,
        headers: { 'content-type': FORM },
      },
      credentials: TWITTER.credentials,
      options: TWITTER.options,
    },
    {
      signature: TWITTER.signature,
      baseString: TWITTER.baseString,
      authorization: TWITTER_AUTHORIZATION,
      url: TWITTER.url,
      body: TWITTER.body,
    },
  )
  add(
    "Authlib's RSA-SHA1 (PKCS#1 key)",
    {
      kind: 'signRequest',
      request: AUTHLIB_RSA_SHA1.request,
      credentials: { ...AUTHLIB_RSA_SHA1.credentials, rsaKey: AUTHLIB_RSA_KEY },
      options: AUTHLIB_RSA_SHA1.options,
    },
    expect.objectContaining({ authorization: AUTHLIB_RSA_SHA1.authorization }),
  )

  // --- all seven methods on one request: a query, a form body, secrets that need encoding
  const request = {
    method: 'POST',
    url: 'https://api.example.com/1/items?x=%2Fy&z=caf%C3%A9',
    body: 'a=1&b=hello%20world&c=%2B',
    headers: { 'content-type': FORM },
  }
  const base = { clientId: 'ck', token: 'tk', clientSecret: 'c s&é', tokenSecret: 'ts+/=' }
  const hmacKey = `${percentEncode(base.clientSecret)}&${percentEncode(base.tokenSecret)}`
  const authlib = createPrivateKey(AUTHLIB_RSA_KEY)
  const certKey = createPrivateKey(TEST_CERT_KEY)
  const privateKeys = {
    'PKCS#1 (Authlib key)': AUTHLIB_RSA_KEY,
    'PKCS#8 (Authlib key)': authlib.export({ type: 'pkcs8', format: 'pem' }) as string,
    'PKCS#8 (test key)': TEST_CERT_KEY,
    'PKCS#1 (test key)': certKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  }
  const publicKeys = {
    'SPKI (Authlib key)': createPublicKey(authlib).export({ type: 'spki', format: 'pem' }),
    'PKCS#1 (Authlib key)': createPublicKey(authlib).export({ type: 'pkcs1', format: 'pem' }),
    'certificate (test key)': TEST_CERT,
  } as Record<string, string>
  const publicKeyOwner: Record<string, typeof authlib> = {
    'SPKI (Authlib key)': authlib,
    'PKCS#1 (Authlib key)': authlib,
    'certificate (test key)': certKey,
  }

  for (const method of SIGNATURE_METHODS) {
    const hash = HASH[SIGNATURE_METHOD_HASH[method]]
    if (method.startsWith('HMAC-') || method === 'PLAINTEXT') {
      const input: Input = {
        kind: 'signRequest',
        request,
        credentials: { ...base, signatureMethod: method },
        options: FIXED,
      }
      const node = await inNode<Signed>(input)
      const oracle =
        method === 'PLAINTEXT'
          ? hmacKey
          : createHmac(hash, hmacKey).update(node.baseString).digest('base64')
      expect(node.signature).toBe(oracle)
      add(method, input, node)
      add(
        `${method}: verifySignature`,
        {
          kind: 'verifySignature',
          method,
          baseString: node.baseString,
          signature: oracle,
          keys: { clientSecret: base.clientSecret, tokenSecret: base.tokenSecret },
        },
        true,
      )
      continue
    }
    for (const [label, rsaKey] of Object.entries(privateKeys)) {
      const input: Input = {
        kind: 'signRequest',
        request,
        credentials: { ...base, signatureMethod: method, rsaKey },
        options: FIXED,
      }
      const node = await inNode<Signed>(input)
      const oracle = nodeSign(hash, Buffer.from(node.baseString), rsaKey).toString('base64')
      expect(node.signature).toBe(oracle)
      add(`${method} with ${label}`, input, node)
    }
    for (const [label, rsaPublicKey] of Object.entries(publicKeys)) {
      const baseString = `${method}&https%3A%2F%2Fapi.example.com%2F&a%3D1`
      const signature = nodeSign(hash, Buffer.from(baseString), publicKeyOwner[label]!).toString(
        'base64',
      )
      add(
        `${method}: verifySignature with ${label}`,
        { kind: 'verifySignature', method, baseString, signature, keys: { rsaPublicKey } },
        true,
      )
      add(
        `${method}: verifySignature with ${label}, base string tampered`,
        {
          kind: 'verifySignature',
          method,
          baseString: `${baseString}x`,
          signature,
          keys: { rsaPublicKey },
        },
        false,
      )
    }
  }

  // --- oauth_body_hash
  add(
    'oauth_body_hash SHA-1 (the draft’s example)',
    { kind: 'bodyHash', method: 'HMAC-SHA1', body: 'Hello World!' },
    'Lve95gjOVATpfV8EL5X4nxwjKHE=',
  )
  for (const method of ['RSA-SHA256', 'HMAC-SHA512'] as const) {
    const body = '{"amount":"10.00","currency":"€"}'
    add(
      `oauth_body_hash for ${method}`,
      { kind: 'bodyHash', method, body },
      createHash(HASH[SIGNATURE_METHOD_HASH[method]]).update(body).digest('base64'),
    )
  }
  return cases
}

let cases: Case[]
let dir: string
let casesFile: string

beforeAll(async () => {
  cases = await buildCases()
  dir = await mkdtemp(join(tmpdir(), 'oauth1-signing-'))
  casesFile = join(dir, 'cases.json')
  await writeFile(casesFile, JSON.stringify(cases.map((c) => c.input)))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** The answer keyed by case name, next to what is expected, for a readable diff. */
function compare(answer: ProbeAnswer) {
  expect(answer.results).toHaveLength(cases.length)
  const actual = Object.fromEntries(
    cases.map((c, i) => {
      const result = answer.results[i]!
      return [c.name, 'value' in result ? result.value : result]
    }),
  )
  expect(actual).toEqual(Object.fromEntries(cases.map((c) => [c.name, c.expected])))
}

it('builds every case: the vectors, 7 methods, 4 RSA private key forms, 3 public key forms', () => {
  expect(cases.length).toBe(53)
  expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length)
})

describe.each(Object.keys(SERVER_RUNTIMES) as (keyof typeof SERVER_RUNTIMES)[])('%s', (name) => {
  it(`signs every case with its node:crypto (${runtimeLabel(name)})`, async () => {
    const [command, args] = SERVER_RUNTIMES[name]('signing-cli.mjs', casesFile)
    const answer = await runForJson<ProbeAnswer>(command, args, 30_000)
    expect(answer.runtime).toBe(runtimeLabel(name).toLowerCase())
    expect(answer.crypto).toEqual({ nodeCrypto: true, webCrypto: true })
    compare(answer)
  })

  it(`signs every case with its Web Crypto alone, process.getBuiltinModule hidden (${runtimeLabel(name)})`, async () => {
    const [command, args] = SERVER_RUNTIMES[name]('signing-cli.mjs', casesFile, '--web-crypto-only')
    const answer = await runForJson<ProbeAnswer>(command, args, 30_000)
    expect(answer.runtime).toBe(runtimeLabel(name).toLowerCase())
    expect(answer.crypto).toEqual({ nodeCrypto: false, webCrypto: true })
    compare(answer)
  })
})

it(`${runtimeLabel('deno')} without --allow-env: register() with every option reads no environment`, async () => {
  const answer = await runForJson<{ given: string; missing: string }>(
    runtimeBinary('deno'),
    ['run', '--no-lock', '--no-prompt', '--allow-read', join(FIXTURES, 'no-env.mjs')],
    30_000,
  )
  expect(answer).toEqual({
    given: 'registered',
    missing:
      "TypeError: register('twitter'): clientId is required; pass it or set TWITTER_CLIENT_ID",
  })
})

describe(runtimeLabel('workerd'), () => {
  let script: string
  beforeAll(async () => {
    script = await bundleWorker('workerd-signing.mjs')
  })

  const settings = [
    {
      label: 'no flags, compatibility date 2024-09-22: Web Crypto only',
      compatibilityDate: '2024-09-22',
      compatibilityFlags: [],
      crypto: { nodeCrypto: false, webCrypto: true },
    },
    {
      label: "nodejs_compat at workerd's own date: its node:crypto",
      compatibilityDate: workerdDate(runtimeLabel('workerd')),
      compatibilityFlags: ['nodejs_compat'],
      crypto: { nodeCrypto: true, webCrypto: true },
    },
  ]
  for (const { label, crypto, ...setting } of settings) {
    it(`signs every case with ${label}`, async () => {
      const worker = await startWorker(script, setting)
      try {
        const response = await fetch(worker.url, {
          method: 'POST',
          body: JSON.stringify(cases.map((c) => c.input)),
          signal: AbortSignal.timeout(30_000),
        })
        expect(response.status, worker.child.output()).toBe(200)
        const answer = (await response.json()) as ProbeAnswer
        expect(answer.runtime).toBe('workerd')
        expect(answer.crypto).toEqual(crypto)
        compare(answer)
      } finally {
        await worker.stop()
      }
    })
  }
})
