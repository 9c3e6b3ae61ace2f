import { generateKeyPairSync } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import type { SignatureMethod } from '@oauth1/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestProvider, type TestProvider } from './index.js'
import { call, SIGNERS, type Signer, send, sendRaw } from './test-helpers.js'

const rsa = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
})
const otherRsa = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
})

let clock = Date.now()
let provider: TestProvider
let echo: string

beforeAll(async () => {
  provider = await createTestProvider({
    now: () => clock,
    clients: [
      { id: 'demo-client', secret: 'demo-secret' },
      { id: 'rsa-client', rsaPublicKey: rsa.publicKey },
      { id: 'rsa-pkcs1', rsaPublicKey: otherRsa.publicKey, signatureMethods: ['RSA-SHA256'] },
      { id: 'sha1-only', secret: 's3cr3t !*()', signatureMethods: ['HMAC-SHA1'] },
    ],
    accessTokenTtl: 3600,
  })
  echo = `${provider.apiBaseUrl}echo`
})
afterAll(() => provider.close())
beforeEach(() => {
  clock = Date.now()
})

/** Rebuilds an Authorization header without some parameters. */
function withoutParams(header: string, names: string[]): string {
  const pairs = [...header.matchAll(/([a-z_]+)="([^"]*)"/g)].filter(([, k]) => !names.includes(k!))
  return `OAuth ${pairs.map(([, k, v]) => `${k}="${v}"`).join(', ')}`
}

const nowSec = () => Math.floor(clock / 1000)

describe.each(SIGNERS)('signed by %s', (signerName, sign: Signer) => {
  describe('signature methods', () => {
    it.each(['HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512'] as SignatureMethod[])(
      '%s: accepts the right signature, refuses a wrong secret',
      async (signatureMethod) => {
        const ok = await call(sign, { method: 'GET', url: `${echo}?a=1&b=x%20y`, signatureMethod })
        expect(ok.status).toBe(200)
        expect(JSON.parse(ok.text).query).toEqual({ a: '1', b: 'x y' })
        expect(provider.lastRequest?.oauthParams.oauth_signature_method).toBe(signatureMethod)

        const bad = await call(sign, {
          method: 'GET',
          url: `${echo}?a=1`,
          signatureMethod,
          clientSecret: 'wrong',
        })
        expect(bad.status).toBe(401)
        expect(bad.form.get('oauth_problem')).toBe('signature_invalid')
        expect(bad.headers.get('www-authenticate')).toMatch(/^OAuth realm=/)
      },
    )

    it.each(['RSA-SHA1', 'RSA-SHA256', 'RSA-SHA512'] as SignatureMethod[])(
      "%s: verified with the client's public key; another key's signature is refused",
      async (signatureMethod) => {
        const ok = await call(sign, {
          method: 'POST',
          url: echo,
          body: 'status=hello%20world',
          clientId: 'rsa-client',
          signatureMethod,
          rsaKey: rsa.privateKey,
        })
        expect(ok.status).toBe(200)
        expect(JSON.parse(ok.text).form).toEqual({ status: 'hello world' })

        const bad = await call(sign, {
          method: 'POST',
          url: echo,
          body: 'status=hello',
          clientId: 'rsa-client',
          signatureMethod,
          rsaKey: otherRsa.privateKey,
        })
        expect(bad.status).toBe(401)
        expect(bad.form.get('oauth_problem')).toBe('signature_invalid')
      },
    )

    it('RSA with a 1024-bit PKCS#1 public key PEM', async () => {
      const input = {
        method: 'GET',
        url: echo,
        clientId: 'rsa-pkcs1',
        signatureMethod: 'RSA-SHA256' as const,
      }
      expect((await call(sign, { ...input, rsaKey: otherRsa.privateKey })).status).toBe(200)
      const bad = await call(sign, { ...input, rsaKey: rsa.privateKey })
      expect(bad.form.get('oauth_problem')).toBe('signature_invalid')
    })

    it('PLAINTEXT: accepted on loopback with the right secrets, refused with wrong ones', async () => {
      const ok = await call(sign, { method: 'GET', url: echo, signatureMethod: 'PLAINTEXT' })
      expect(ok.status).toBe(200)
      const bad = await call(sign, {
        method: 'GET',
        url: echo,
        signatureMethod: 'PLAINTEXT',
        clientSecret: 'nope',
      })
      expect(bad.status).toBe(401)
      expect(bad.form.get('oauth_problem')).toBe('signature_invalid')
    })

    it('a method the client may not use, or an unknown one, is signature_method_rejected (400)', async () => {
      const allowed = await call(sign, {
        method: 'GET',
        url: echo,
        clientId: 'sha1-only',
        clientSecret: 's3cr3t !*()',
      })
      expect(allowed.status).toBe(200)
      const notAllowed = await call(sign, {
        method: 'GET',
        url: echo,
        clientId: 'sha1-only',
        clientSecret: 's3cr3t !*()',
        signatureMethod: 'HMAC-SHA256',
      })
      expect(notAllowed.status).toBe(400)
      expect(notAllowed.form.get('oauth_problem')).toBe('signature_method_rejected')
      expect(notAllowed.form.get('oauth_problem_advice')).toContain('HMAC-SHA1')

      const rsaWithoutKey = await call(sign, {
        method: 'GET',
        url: echo,
        signatureMethod: 'RSA-SHA1',
        rsaKey: rsa.privateKey,
      })
      expect(rsaWithoutKey.status).toBe(400)
      expect(rsaWithoutKey.form.get('oauth_problem')).toBe('signature_method_rejected')

      const signed = await sign({ method: 'GET', url: echo })
      signed.init.headers.authorization = signed.init.headers.authorization!.replace(
        'HMAC-SHA1',
        'HMAC-MD5',
      )
      const unknown = await send(signed)
      expect(unknown.status).toBe(400)
      expect(unknown.form.get('oauth_problem')).toBe('signature_method_rejected')
    })
  })

  describe('placements (§3.5)', () => {
    it.each(['header', 'query', 'body'] as const)(
      '%s: accepted, and a tampered parameter breaks the signature',
      async (placement) => {
        const input = {
          method: 'POST',
          url: `${echo}?q=1&tag=x&tag=y`,
          body: 'status=caf%C3%A9%20%21%2A',
          placement,
        }
        const ok = await call(sign, input)
        expect(ok.status).toBe(200)
        const json = JSON.parse(ok.text)
        expect(json.query).toEqual({ q: '1', tag: ['x', 'y'] })
        expect(json.form).toEqual({ status: 'café !*' })
        expect(json.oauthSource).toBe(placement)

        const signed = await sign(input)
        signed.init.body = 'status=tampered'
        if (placement === 'body') {
          signed.init.body = (await sign(input)).init.body!.replace('status=', 'status=x')
        }
        const bad = await send(signed)
        expect(bad.status).toBe(401)
        expect(bad.form.get('oauth_problem')).toBe('signature_invalid')
      },
    )

    it('refuses protocol parameters in two places (400 parameter_rejected)', async () => {
      const signed = await sign({ method: 'GET', url: echo })
      signed.url += '?oauth_nonce=abc'
      const res = await send(signed)
      expect(res.status).toBe(400)
      expect(res.form.get('oauth_problem')).toBe('parameter_rejected')
      expect(res.form.get('oauth_parameters_rejected')).toBe('oauth_nonce')
    })

    it('refuses a protocol parameter repeated in the header (400 parameter_rejected)', async () => {
      const signed = await sign({ method: 'GET', url: echo })
      signed.init.headers.authorization += ', oauth_nonce="again"'
      const res = await send(signed)
      expect(res.status).toBe(400)
      expect(res.form.get('oauth_problem')).toBe('parameter_rejected')
      expect(res.form.get('oauth_parameters_rejected')).toBe('oauth_nonce')
    })

    it('refuses a protocol parameter repeated in the query (400 parameter_rejected)', async () => {
      const signed = await sign({ method: 'GET', url: echo, placement: 'query' })
      const nonce = new URL(signed.url).searchParams.get('oauth_nonce')!
      signed.url += `&oauth_nonce=${encodeURIComponent(nonce)}`
      const res = await send(signed)
      expect(res.status).toBe(400)
      expect(res.form.get('oauth_parameters_rejected')).toBe('oauth_nonce')
    })

    it('signs the path as it goes on the wire (/api/echo/<path>)', async () => {
      const ok = await call(sign, { method: 'GET', url: `${echo}/caf%C3%A9/a%20b/%7Ex?x=%2Fhome` })
      expect(ok.status).toBe(200)
      expect(JSON.parse(ok.text)).toMatchObject({
        path: '/api/echo/caf%C3%A9/a%20b/%7Ex',
        query: { x: '/home' },
      })
      expect(provider.lastRequest?.baseString).toContain(
        '%2Fapi%2Fecho%2Fcaf%25C3%25A9%2Fa%2520b%2F%257Ex&',
      )
      expect(provider.lastRequest?.baseString).toContain('x%3D%252Fhome')
      const signed = await sign({ method: 'GET', url: `${echo}/caf%C3%A9` })
      const bad = await send({ ...signed, url: signed.url.replace('caf%C3%A9', 'caf%c3%a9') })
      expect(bad.form.get('oauth_problem')).toBe('signature_invalid')
    })

    it('keeps empty values and a callback with %XX encoded once more', async () => {
      const res = await call(sign, {
        method: 'POST',
        url: provider.requestTokenUrl,
        callback: 'http://localhost:3000/cb?next=%2Fhome',
      })
      expect(res.status).toBe(200)
      expect(provider.lastRequest?.oauthParams.oauth_callback).toBe(
        'http://localhost:3000/cb?next=%2Fhome',
      )
      expect(provider.lastRequest?.baseString).toContain('next%253D%25252Fhome')
      const empty = await call(sign, { method: 'GET', url: `${echo}?c2=&a3=a` })
      expect(empty.status).toBe(200)
      expect(JSON.parse(empty.text).query).toEqual({ c2: '', a3: 'a' })
      expect(provider.lastRequest?.baseString).toContain('a3%3Da%26c2%3D%26oauth_consumer_key')
    })

    it('ignores realm in the base string', async () => {
      const ok = await call(sign, { method: 'GET', url: echo, realm: 'http://photos.example.net/' })
      expect(ok.status).toBe(200)
      expect(provider.lastRequest?.realm).toBe('http://photos.example.net/')
      expect(provider.lastRequest?.baseString).not.toContain('realm')
    })

    it.runIf(signerName === '@oauth1/core')(
      'reads realm as a quoted-string: quoted-pairs unescaped, no percent-decoding',
      async () => {
        const realm = 'Photos "x" \\ 100% a%20b'
        const ok = await call(sign, { method: 'GET', url: echo, realm })
        expect(ok.status).toBe(200)
        expect(provider.lastRequest?.realm).toBe(realm)
        expect(provider.lastRequest?.baseString).not.toContain('realm')
      },
    )
  })

  describe('required parameters and version', () => {
    it('answers parameter_absent with the missing names', async () => {
      const ok = await call(sign, { method: 'GET', url: echo })
      expect(ok.status).toBe(200)
      const signed = await sign({ method: 'GET', url: echo })
      signed.init.headers.authorization = withoutParams(signed.init.headers.authorization!, [
        'oauth_nonce',
        'oauth_timestamp',
      ])
      const res = await send(signed)
      expect(res.status).toBe(400)
      expect(res.form.get('oauth_problem')).toBe('parameter_absent')
      expect(res.form.get('oauth_parameters_absent')).toBe('oauth_timestamp&oauth_nonce')
      expect(res.text).toContain('oauth_parameters_absent=oauth_timestamp%26oauth_nonce')
    })

    it('accepts oauth_version 1.0 and refuses any other (version_rejected)', async () => {
      const signed = await sign({ method: 'GET', url: echo })
      expect(signed.init.headers.authorization).toContain('oauth_version="1.0"')
      expect((await send(signed)).status).toBe(200)
      const again = await sign({ method: 'GET', url: echo })
      again.init.headers.authorization = again.init.headers.authorization!.replace(
        'oauth_version="1.0"',
        'oauth_version="2.0"',
      )
      const res = await send(again)
      expect(res.status).toBe(400)
      expect(res.form.get('oauth_problem')).toBe('version_rejected')
      expect(res.form.get('oauth_acceptable_versions')).toBe('1.0-1.0')
    })

    it('an unknown consumer key is consumer_key_unknown (401)', async () => {
      const res = await call(sign, { method: 'GET', url: echo, clientId: 'who-is-this' })
      expect(res.status).toBe(401)
      expect(res.form.get('oauth_problem')).toBe('consumer_key_unknown')
    })
  })

  describe('timestamp and nonce', () => {
    it('accepts a timestamp inside the window and refuses one outside (timestamp_refused)', async () => {
      const inside = await call(sign, { method: 'GET', url: echo, timestamp: nowSec() - 299 })
      expect(inside.status).toBe(200)
      const outside = await call(sign, { method: 'GET', url: echo, timestamp: nowSec() - 301 })
      expect(outside.status).toBe(401)
      expect(outside.form.get('oauth_problem')).toBe('timestamp_refused')
      expect(outside.form.get('oauth_acceptable_timestamps')).toBe(
        `${nowSec() - 300}-${nowSec() + 300}`,
      )
      const future = await call(sign, { method: 'GET', url: echo, timestamp: nowSec() + 3600 })
      expect(future.form.get('oauth_problem')).toBe('timestamp_refused')
    })

    it('refuses a timestamp in milliseconds', async () => {
      const signed = await sign({ method: 'GET', url: echo })
      signed.init.headers.authorization = signed.init.headers.authorization!.replace(
        /oauth_timestamp="\d+"/,
        `oauth_timestamp="${clock}"`,
      )
      const res = await send(signed)
      expect(res.status).toBe(401)
      expect(res.form.get('oauth_problem')).toBe('timestamp_refused')
    })

    it('refuses a replayed nonce (nonce_used) but not the same nonce at another timestamp', async () => {
      const nonce = `replay-test-${signerName}` // one per signer: they share the provider
      const first = await sign({ method: 'GET', url: echo, nonce, timestamp: nowSec() })
      expect((await send(first)).status).toBe(200)
      const replay = await send(first)
      expect(replay.status).toBe(401)
      expect(replay.form.get('oauth_problem')).toBe('nonce_used')
      const other = await call(sign, { method: 'GET', url: echo, nonce, timestamp: nowSec() - 1 })
      expect(other.status).toBe(200)
    })

    it('a request with a bad signature does not burn its nonce', async () => {
      const nonce = `bad-signature-test-${signerName}`
      const bad = await call(sign, {
        method: 'GET',
        url: echo,
        nonce,
        clientSecret: 'x',
        timestamp: nowSec(),
      })
      expect(bad.form.get('oauth_problem')).toBe('signature_invalid')
      const good = await call(sign, { method: 'GET', url: echo, nonce, timestamp: nowSec() })
      expect(good.status).toBe(200)
    })
  })

  describe('oauth_body_hash', () => {
    it('checks the hash of a non-form body with the method’s hash', async () => {
      for (const signatureMethod of ['HMAC-SHA1', 'HMAC-SHA256'] as SignatureMethod[]) {
        const input = {
          method: 'POST',
          url: echo,
          body: '{"hello":"world"}',
          contentType: 'application/json',
          bodyHash: true,
          signatureMethod,
        }
        const ok = await call(sign, input)
        expect(ok.status).toBe(200)
        expect(JSON.parse(ok.text).body).toBe('{"hello":"world"}')
        expect(provider.lastRequest?.oauthParams.oauth_body_hash).toBeDefined()
        const signed = await sign(input)
        signed.init.body = '{"hello":"mallory"}'
        const bad = await send(signed)
        expect(bad.status).toBe(401)
        expect(bad.form.get('oauth_problem')).toBe('signature_invalid')
        expect(bad.form.get('oauth_problem_advice')).toContain('oauth_body_hash')
      }
    })

    it('refuses oauth_body_hash on a form body (400)', async () => {
      const signed = await sign({ method: 'POST', url: echo, body: 'a=1' })
      signed.init.headers.authorization += ', oauth_body_hash="2jmj7l5rSw0yVb%2FvlWAYkK%2FYBwk%3D"'
      const res = await send(signed)
      expect(res.status).toBe(400)
      expect(res.form.get('oauth_problem')).toBe('parameter_rejected')
      expect(res.form.get('oauth_parameters_rejected')).toBe('oauth_body_hash')
    })

    it('does not sign a JSON body without a body hash', async () => {
      const res = await call(sign, {
        method: 'PUT',
        url: `${echo}?x=1`,
        body: '{"a":1}',
        contentType: 'application/json',
      })
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text)).toMatchObject({ method: 'PUT', body: '{"a":1}', form: {} })
    })
  })

  describe('tokens', () => {
    it('accepts issued token credentials; refuses unknown, revoked, expired and other clients’ tokens', async () => {
      const token = provider.issueToken({ userId: 'bob' })
      const creds = { token: token.oauth_token, tokenSecret: token.oauth_token_secret }
      const me = await call(sign, { method: 'GET', url: `${provider.apiBaseUrl}me`, ...creds })
      expect(me.status).toBe(200)
      expect(JSON.parse(me.text)).toMatchObject({ screen_name: 'bob', id: '1002' })

      const wrongSecret = await call(sign, {
        method: 'GET',
        url: `${provider.apiBaseUrl}me`,
        token: token.oauth_token,
        tokenSecret: 'nope',
      })
      expect(wrongSecret.form.get('oauth_problem')).toBe('signature_invalid')

      const unknown = await call(sign, {
        method: 'GET',
        url: `${provider.apiBaseUrl}me`,
        token: 'nope',
        tokenSecret: 'nope',
      })
      expect(unknown.status).toBe(401)
      expect(unknown.form.get('oauth_problem')).toBe('token_rejected')

      const rsaToken = provider.issueToken({ clientId: 'rsa-client' })
      const otherClient = await call(sign, {
        method: 'GET',
        url: `${provider.apiBaseUrl}me`,
        token: rsaToken.oauth_token,
        tokenSecret: rsaToken.oauth_token_secret,
      })
      expect(otherClient.form.get('oauth_problem')).toBe('token_rejected')

      clock += 3601 * 1000
      const expired = await call(sign, {
        method: 'GET',
        url: `${provider.apiBaseUrl}me`,
        timestamp: nowSec(),
        ...creds,
      })
      expect(expired.status).toBe(401)
      expect(expired.form.get('oauth_problem')).toBe('token_expired')

      clock = Date.now()
      const t2 = provider.issueToken()
      expect(provider.revokeToken(t2.oauth_token)).toBe(true)
      const revoked = await call(sign, {
        method: 'GET',
        url: `${provider.apiBaseUrl}me`,
        token: t2.oauth_token,
        tokenSecret: t2.oauth_token_secret,
      })
      expect(revoked.form.get('oauth_problem')).toBe('token_rejected')
    })

    it('revokeToken takes the Token itself too, and refuses what is neither', async () => {
      const t = provider.issueToken()
      expect(provider.revokeToken(t)).toBe(true)
      expect(provider.revokeToken(t)).toBe(false) // already gone
      const res = await call(sign, {
        method: 'GET',
        url: `${provider.apiBaseUrl}me`,
        token: t.oauth_token,
        tokenSecret: t.oauth_token_secret,
      })
      expect(res.form.get('oauth_problem')).toBe('token_rejected')
      for (const bad of [undefined, null, 42, '', {}, { oauth_token: 7 }]) {
        expect(() => provider.revokeToken(bad as never)).toThrow(
          /revokeToken\(token\) takes the oauth_token string, or a Token/,
        )
      }
    })

    it('/api/me needs a token (parameter_absent)', async () => {
      const res = await call(sign, { method: 'GET', url: `${provider.apiBaseUrl}me` })
      expect(res.status).toBe(400)
      expect(res.form.get('oauth_parameters_absent')).toBe('oauth_token')
    })
  })

  describe('recording', () => {
    it('records what the client sent and the base string, but does not answer with it', async () => {
      provider.clearRequests()
      const res = await call(sign, { method: 'GET', url: `${echo}?z=1`, clientSecret: 'bad' })
      expect(res.text).not.toContain('debug_sbs')
      expect(provider.requests).toHaveLength(1)
      const r = provider.requests[0]!
      expect(r).toMatchObject({
        method: 'GET',
        url: '/api/echo?z=1',
        endpoint: 'api',
        oauthSource: 'header',
        status: 401,
        problem: 'signature_invalid',
        ok: false,
      })
      expect(r.headers.authorization).toMatch(/^OAuth /)
      expect(r.oauthParams.oauth_consumer_key).toBe('demo-client')
      expect(r.baseString).toMatch(
        /^GET&http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fapi%2Fecho&oauth_consumer_key/,
      )
      expect(r.baseString).toContain('%26z%3D1')
    })
  })
})

describe('provider options', () => {
  it('debug: true puts the base string in signature_invalid answers', async () => {
    const p = await createTestProvider({ debug: true })
    try {
      for (const [, sign] of SIGNERS) {
        const res = await call(sign, {
          method: 'GET',
          url: `${p.apiBaseUrl}echo`,
          clientSecret: 'bad',
        })
        expect(res.form.get('oauth_problem')).toBe('signature_invalid')
        expect(res.form.get('debug_sbs')).toBe(p.lastRequest?.baseString)
      }
    } finally {
      await p.close()
    }
  })

  it('allowPlaintext: false refuses PLAINTEXT even on loopback', async () => {
    const p = await createTestProvider({ allowPlaintext: false })
    try {
      for (const [, sign] of SIGNERS) {
        const res = await call(sign, {
          method: 'GET',
          url: `${p.apiBaseUrl}echo`,
          signatureMethod: 'PLAINTEXT',
        })
        expect(res.status).toBe(400)
        expect(res.form.get('oauth_problem')).toBe('signature_method_rejected')
        expect(res.form.get('oauth_problem_advice')).toContain('TLS')
      }
    } finally {
      await p.close()
    }
  })

  it("'loopback' refuses PLAINTEXT when the Host is not a loopback name", async () => {
    const p = await createTestProvider()
    try {
      for (const [, sign] of SIGNERS) {
        // PLAINTEXT over plain http to a name that is not loopback: refused.
        const signed = await sign({
          method: 'GET',
          url: `http://example.test:${p.port}/api/echo`,
          signatureMethod: 'PLAINTEXT',
        })
        const res = await sendRaw(`${p.url}/api/echo`, {
          ...signed.init,
          headers: { ...signed.init.headers, host: `example.test:${p.port}` },
        })
        expect(res.status).toBe(400)
        expect(res.form.get('oauth_problem')).toBe('signature_method_rejected')
        // The same request with HMAC-SHA1 and the same Host is fine.
        const hmac = await sign({ method: 'GET', url: `http://example.test:${p.port}/api/echo` })
        const ok = await sendRaw(`${p.url}/api/echo`, {
          ...hmac.init,
          headers: { ...hmac.init.headers, host: `example.test:${p.port}` },
        })
        expect(ok.status).toBe(200)
      }
    } finally {
      await p.close()
    }
  })

  it('signs the path as sent: a signature over /api/me does not pass for /api/echo/../me', async () => {
    const p = await createTestProvider()
    try {
      for (const [, sign] of SIGNERS) {
        const signed = await sign({ method: 'GET', url: `${p.url}/api/me` })
        for (const path of ['/api/echo/../me', '/api/echo/%2e%2e/me', '/api/echo/./../me']) {
          const res = await new Promise<{ status: number; problem: string | null }>(
            (resolve, reject) => {
              // node:http with a path of our own: a URL would resolve the dot segments first.
              const req = httpRequest(
                {
                  host: '127.0.0.1',
                  port: p.port,
                  path,
                  method: 'GET',
                  headers: signed.init.headers,
                },
                (answer) => {
                  let text = ''
                  answer.setEncoding('utf8')
                  answer.on('data', (chunk: string) => {
                    text += chunk
                  })
                  answer.on('end', () =>
                    resolve({
                      status: answer.statusCode ?? 0,
                      problem: new URLSearchParams(text).get('oauth_problem'),
                    }),
                  )
                },
              )
              req.on('error', reject)
              req.end()
            },
          )
          expect(res, path).toEqual({ status: 401, problem: 'signature_invalid' })
        }
      }
    } finally {
      await p.close()
    }
  })

  it('timestampWindow changes the accepted skew', async () => {
    // the provider's clock stands still, so a slow machine cannot push ts - 5 out of the window
    const now = Date.now()
    const p = await createTestProvider({ timestampWindow: 10, now: () => now })
    try {
      for (const [, sign] of SIGNERS) {
        const ts = Math.floor(now / 1000)
        expect(
          (await call(sign, { method: 'GET', url: `${p.apiBaseUrl}echo`, timestamp: ts - 5 }))
            .status,
        ).toBe(200)
        const res = await call(sign, {
          method: 'GET',
          url: `${p.apiBaseUrl}echo`,
          timestamp: ts - 60,
        })
        expect(res.form.get('oauth_problem')).toBe('timestamp_refused')
      }
    } finally {
      await p.close()
    }
  })
})
