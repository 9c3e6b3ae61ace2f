/**
 * The provider is the oracle the core is tested against: its signature checks
 * must not come from the core. Here the core's encoding, base string, signing
 * key and verification are broken on purpose (classic client bugs), and the
 * provider still judges every request by RFC 5849 alone.
 */
import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestProvider, type TestProvider } from './index.js'
import { call, independentSigner, type SignInput } from './test-helpers.js'

// Which of the core's functions are broken: its base string (a signer and
// verifier that agree on a wrong string) or its verifier (says yes to anything).
const broken = vi.hoisted(() => ({ part: 'baseString' as 'baseString' | 'verifier' }))

vi.mock('@oauth1/core', async (importOriginal) => {
  const real = await importOriginal<typeof import('@oauth1/core')>()
  return {
    ...real,
    // encodeURIComponent leaves ! * ' ( ) unescaped (PITFALLS A1)
    percentEncode: (value: string) => encodeURIComponent(value),
    signatureBaseString: (...args: Parameters<typeof real.signatureBaseString>) =>
      broken.part === 'baseString' ? 'GET&broken&' : real.signatureBaseString(...args),
    signingKey: () => 'broken&',
    verifySignature: async (...args: Parameters<typeof real.verifySignature>) =>
      broken.part === 'verifier' ? true : real.verifySignature(...args),
    bodyHash: async () => 'broken',
  }
})

const rsa = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
})

let provider: TestProvider
let echo: string
beforeAll(async () => {
  provider = await createTestProvider({
    clients: [
      { id: 'demo-client', secret: "s3cr3t !*'()" },
      { id: 'rsa-client', rsaPublicKey: rsa.publicKey },
    ],
  })
  echo = `${provider.apiBaseUrl}echo`
})
afterAll(() => provider.close())

describe('signature checks independent of @oauth1/core', () => {
  it('accepts a request signed right, with reserved characters everywhere', async () => {
    broken.part = 'baseString'
    for (const signatureMethod of ['HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512'] as const) {
      const res = await call(independentSigner, {
        method: 'POST',
        url: `${echo}/Case%2Fx?q=${encodeURIComponent("!*'() é")}&q=2`,
        body: 'f=a%21b&f=',
        clientSecret: "s3cr3t !*'()",
        signatureMethod,
      })
      expect(res.status, signatureMethod).toBe(200)
    }
    const rsaOk = await call(independentSigner, {
      method: 'GET',
      url: `${echo}?x=${encodeURIComponent('(!)')}`,
      clientId: 'rsa-client',
      signatureMethod: 'RSA-SHA256',
      rsaKey: rsa.privateKey,
    })
    expect(rsaOk.status).toBe(200)
  })

  it.each<[string, Partial<SignInput>]>([
    ['HMAC-SHA1 with a wrong secret', { url: `/?a=1`, clientSecret: 'not-the-secret' }],
    [
      'RSA-SHA1 with another key',
      {
        clientId: 'rsa-client',
        signatureMethod: 'RSA-SHA1',
        rsaKey: generateKeyPairSync('rsa', {
          modulusLength: 1024,
          privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        }).privateKey,
      },
    ],
    [
      'PLAINTEXT with a wrong secret',
      { clientSecret: 'not-the-secret', signatureMethod: 'PLAINTEXT' },
    ],
  ])('refuses %s though the core says yes to anything', async (_name, input) => {
    broken.part = 'verifier'
    const res = await call(independentSigner, {
      method: 'GET',
      ...input,
      url: `${echo}${input.url ?? ''}`.replace('/?', '?'),
    })
    expect(res.status).toBe(401)
    expect(res.form.get('oauth_problem')).toBe('signature_invalid')
  })

  it('checks oauth_body_hash itself', async () => {
    const signed = {
      method: 'POST',
      url: echo,
      body: '{"a":1}',
      contentType: 'application/json',
      clientSecret: "s3cr3t !*'()",
      bodyHash: true,
    }
    expect((await call(independentSigner, signed)).status).toBe(200)
  })
})
