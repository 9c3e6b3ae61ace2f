import { createHash, createHmac, generateKeyPairSync, type KeyObject, verify } from 'node:crypto'
import fc from 'fast-check'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { BACKENDS, useBackend } from '../test/backends.js'
import {
  AUTHLIB_RSA_KEY,
  AUTHLIB_RSA_SHA1,
  CORE_A_5,
  TWITTER,
  TWITTER_AUTHORIZATION,
} from '../test/vectors.js'
import { collectSignatureParameters, signatureBaseString } from './base-string.js'
import { computeSignature, verifySignature } from './crypto/index.js'
import { parseFormEncoded } from './encoding.js'
import { resetNoncePool } from './nonce.js'
import {
  formatAuthorizationHeader,
  isFormContentType,
  parseAuthorizationHeader,
  type SignedRequest,
  type SigningCredentials,
  signRequest,
} from './sign.js'
import type { SignatureMethod, SignatureType } from './types.js'

const FORM = 'application/x-www-form-urlencoded'
const FIXED = { nonce: 'abc', timestamp: '123' }

function authParams(signed: SignedRequest): Map<string, string> {
  const parsed = parseAuthorizationHeader(signed.headers.get('authorization') ?? '')
  expect(parsed).not.toBeNull()
  return new Map(parsed!)
}

/** What a careful provider does with the request: recompute the base string from the wire. */
function providerBaseString(signed: SignedRequest): string {
  const header = signed.headers.get('authorization')
  const isForm = isFormContentType(signed.headers.get('content-type'))
  const body =
    typeof signed.body === 'string'
      ? signed.body
      : signed.body
        ? new TextDecoder().decode(signed.body)
        : ''
  const params = collectSignatureParameters({
    url: signed.url,
    authorization: header ? parseAuthorizationHeader(header) : null,
    form: isForm ? parseFormEncoded(body) : null,
  })
  return signatureBaseString(signed.method, signed.url, params, {
    host: signed.headers.get('host'),
  })
}

let rsa1024: { privatePkcs1: string; publicKey: KeyObject; publicPem: string }
let rsa2048: {
  privatePkcs8: string
  privateKey: KeyObject
  publicKey: KeyObject
  publicPem: string
}

beforeAll(() => {
  const a = generateKeyPairSync('rsa', { modulusLength: 1024 })
  rsa1024 = {
    privatePkcs1: a.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    publicKey: a.publicKey,
    publicPem: a.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  }
  const b = generateKeyPairSync('rsa', { modulusLength: 2048 })
  rsa2048 = {
    privatePkcs8: b.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    privateKey: b.privateKey,
    publicKey: b.publicKey,
    publicPem: b.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  }
})

describe.each(BACKENDS)('signRequest, %s back end', (backend) => {
  useBackend(backend)

  describe('published vectors', () => {
    it('X/Twitter "Creating a signature": hCtSmYh+iHYCEqBWrE7C7hYmtUk=, base string to the byte', async () => {
      const signed = await signRequest(
        { method: 'POST', url: TWITTER.url, body: TWITTER.body, headers: { 'content-type': FORM } },
        TWITTER.credentials,
        TWITTER.options,
      )
      expect(signed.baseString).toBe(TWITTER.baseString)
      expect(signed.signature).toBe(TWITTER.signature)
      expect(signed.headers.get('authorization')).toBe(TWITTER_AUTHORIZATION)
      expect(signed.body).toBe(TWITTER.body)
      expect(signed.url).toBe(TWITTER.url)
    })

    it('the X example only matches with host api.twitter.com, not the api.x.com the docs now show', async () => {
      const signed = await signRequest(
        {
          method: 'POST',
          url: TWITTER.url.replace('api.twitter.com', 'api.x.com'),
          body: TWITTER.body,
          headers: { 'content-type': FORM },
        },
        TWITTER.credentials,
        TWITTER.options,
      )
      expect(signed.signature).not.toBe(TWITTER.signature)
    })

    it('signs a form body alike whatever its type: string, URLSearchParams, Uint8Array', async () => {
      const bodies = [
        { body: TWITTER.body, headers: { 'content-type': FORM } },
        { body: new URLSearchParams(TWITTER.body) },
        {
          body: new URLSearchParams(TWITTER.body),
          headers: { 'Content-Type': `${FORM};charset=UTF-8` },
        },
        { body: new TextEncoder().encode(TWITTER.body), headers: { 'content-type': FORM } },
      ]
      for (const init of bodies) {
        const signed = await signRequest(
          { method: 'POST', url: TWITTER.url, ...init },
          TWITTER.credentials,
          TWITTER.options,
        )
        expect(signed.signature).toBe(TWITTER.signature)
      }
    })

    it('OAuth Core 1.0 A.5: tR3+Ty81lMeYAr/Fid0kMTYa/WM= with realm, version sent, realm not signed', async () => {
      const signed = await signRequest(CORE_A_5.request, CORE_A_5.credentials, CORE_A_5.options)
      expect(signed.signature).toBe(CORE_A_5.signature)
      expect(signed.baseString).toBe(CORE_A_5.baseString)
      expect(signed.headers.get('authorization')).toBe(CORE_A_5.authorization)
    })

    it('OAuth Core 1.0 A.2 / RFC 5849 §2.1: PLAINTEXT sends the key, & encoded again as %26', async () => {
      const request = await signRequest(
        { method: 'POST', url: 'https://photos.example.net/request_token' },
        {
          clientId: 'dpf43f3p2l4k3l03',
          clientSecret: 'kd94hf93k423kf44',
          signatureMethod: 'PLAINTEXT',
        },
        { nonce: 'hsu94j3884jdopsl', timestamp: '1191242090' },
      )
      expect(request.signature).toBe('kd94hf93k423kf44&')
      expect(authParams(request).get('oauth_signature')).toBe('kd94hf93k423kf44&')
      expect(request.headers.get('authorization')).toContain(
        'oauth_signature="kd94hf93k423kf44%26"',
      )

      const initiate = await signRequest(
        { method: 'POST', url: 'https://server.example.com/request_temp_credentials' },
        {
          clientId: 'jd83jd92dhsh93js',
          clientSecret: 'ja893SD9',
          signatureMethod: 'PLAINTEXT',
          callback: 'http://client.example.net/cb?x=1',
        },
      )
      const header = initiate.headers.get('authorization')!
      expect(header).toContain('oauth_signature="ja893SD9%26"')
      expect(header).toContain('oauth_callback="http%3A%2F%2Fclient.example.net%2Fcb%3Fx%3D1"')

      const access = await signRequest(
        { method: 'POST', url: 'https://photos.example.net/access_token' },
        {
          clientId: 'dpf43f3p2l4k3l03',
          clientSecret: 'kd94hf93k423kf44',
          token: 'hh5s93j4hdidpola',
          tokenSecret: 'hdhd0244k9j7ao03',
          verifier: 'hfdp7dh39dks9884',
          signatureMethod: 'PLAINTEXT',
        },
      )
      expect(access.signature).toBe('kd94hf93k423kf44&hdhd0244k9j7ao03')
      expect(authParams(access).get('oauth_verifier')).toBe('hfdp7dh39dks9884')
    })
  })

  describe("Authlib's OAuth1Session signing behaviours (tests/clients/test_requests/test_oauth1_session.py)", () => {
    it('HMAC-SHA1: the exact Authorization header for nonce abc, timestamp 123', async () => {
      const signed = await signRequest(
        { method: 'POST', url: 'https://i.b' },
        { clientId: 'foo' },
        FIXED,
      )
      expect(signed.headers.get('authorization')).toBe(
        'OAuth oauth_nonce="abc", oauth_timestamp="123", oauth_version="1.0", oauth_signature_method="HMAC-SHA1", oauth_consumer_key="foo", oauth_signature="h2sRqLArjhlc5p3FTkuNogVHlKE%3D"',
      )
    })

    it('PLAINTEXT with no secrets: oauth_signature="%26"', async () => {
      const signed = await signRequest(
        { method: 'POST', url: 'https://i.b' },
        { clientId: 'foo', signatureMethod: 'PLAINTEXT' },
        FIXED,
      )
      expect(signed.headers.get('authorization')).toBe(
        'OAuth oauth_nonce="abc", oauth_timestamp="123", oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="foo", oauth_signature="%26"',
      )
    })

    it("RSA-SHA1 with Authlib's test key: the exact signature", async () => {
      const { request, credentials, options, authorization } = AUTHLIB_RSA_SHA1
      const signed = await signRequest(
        request,
        { ...credentials, rsaKey: AUTHLIB_RSA_KEY },
        options,
      )
      expect(signed.headers.get('authorization')).toBe(authorization)
    })

    it('non-ASCII query (percent-encoded UTF-8) is signed as Authlib signs it', async () => {
      const signed = await signRequest(
        { method: 'POST', url: 'https://i.b?cjk=%E5%95%A6%E5%95%A6' },
        { clientId: 'foo' },
        FIXED,
      )
      expect(signed.headers.get('authorization')).toBe(
        'OAuth oauth_nonce="abc", oauth_timestamp="123", oauth_version="1.0", oauth_signature_method="HMAC-SHA1", oauth_consumer_key="foo", oauth_signature="W0haoue5IZAZoaJiYCtfqwMf8x8%3D"',
      )
    })

    it('query and body placement carry oauth_signature; header mode leaves both alone', async () => {
      const query = await signRequest(
        { method: 'POST', url: 'https://i.b' },
        { clientId: 'foo', signatureType: 'query' },
        FIXED,
      )
      expect(query.url).toBe(
        'https://i.b/?oauth_nonce=abc&oauth_timestamp=123&oauth_version=1.0&oauth_signature_method=HMAC-SHA1&oauth_consumer_key=foo&oauth_signature=h2sRqLArjhlc5p3FTkuNogVHlKE%3D',
      )
      expect(query.headers.has('authorization')).toBe(false)
      const body = await signRequest(
        { method: 'POST', url: 'https://i.b', body: '', headers: { 'Content-Type': FORM } },
        { clientId: 'foo', signatureType: 'body' },
        FIXED,
      )
      expect(body.body).toBe(
        'oauth_nonce=abc&oauth_timestamp=123&oauth_version=1.0&oauth_signature_method=HMAC-SHA1&oauth_consumer_key=foo&oauth_signature=h2sRqLArjhlc5p3FTkuNogVHlKE%3D',
      )
      expect(body.headers.has('authorization')).toBe(false)
      expect(body.url).toBe('https://i.b/')
    })

    it('a non-form upload gets oauth_body_hash when asked', async () => {
      const xml = '<hello>world</hello>'
      const signed = await signRequest(
        {
          method: 'POST',
          url: 'https://i.b',
          body: xml,
          headers: { 'Content-Type': 'application/xml' },
        },
        { clientId: 'foo', bodyHash: true },
        FIXED,
      )
      expect(authParams(signed).get('oauth_body_hash')).toBe(
        createHash('sha1').update(xml).digest('base64'),
      )
      expect(signed.body).toBe(xml)
    })
  })

  describe('signature methods', () => {
    const hmacs: [SignatureMethod, string][] = [
      ['HMAC-SHA1', 'sha1'],
      ['HMAC-SHA256', 'sha256'],
      ['HMAC-SHA512', 'sha512'],
    ]
    it.each(hmacs)(
      '%s is the HMAC of the base string under pct(cs)&pct(ts)',
      async (method, hash) => {
        const signed = await signRequest(
          { method: 'GET', url: 'https://api.example.com/r?a=1' },
          {
            clientId: 'ck',
            clientSecret: 'c s&',
            token: 't',
            tokenSecret: 'é',
            signatureMethod: method,
          },
        )
        const expected = createHmac(hash, 'c%20s%26&%C3%A9')
          .update(signed.baseString)
          .digest('base64')
        expect(signed.signature).toBe(expected)
        expect(signed.baseString).toContain(`oauth_signature_method%3D${method}`)
      },
    )

    it('an empty token secret still has the & (empty-token-secret)', async () => {
      const signed = await signRequest(
        { method: 'POST', url: 'https://api.example.com/initiate' },
        { clientId: 'ck', clientSecret: 'cs', callback: 'oob' },
      )
      expect(signed.signature).toBe(
        createHmac('sha1', 'cs&').update(signed.baseString).digest('base64'),
      )
      expect(authParams(signed).get('oauth_callback')).toBe('oob')
      expect(authParams(signed).has('oauth_token')).toBe(false)
    })

    const rsas: [SignatureMethod, string][] = [
      ['RSA-SHA1', 'sha1'],
      ['RSA-SHA256', 'sha256'],
      ['RSA-SHA512', 'sha512'],
    ]
    it.each(rsas)(
      '%s with a 1024-bit PKCS#1 key verifies with the public key',
      async (method, hash) => {
        const signed = await signRequest(
          { method: 'GET', url: 'https://api.example.com/r' },
          {
            clientId: 'ck',
            clientSecret: 'ignored',
            tokenSecret: 'ignored',
            signatureMethod: method,
            rsaKey: rsa1024.privatePkcs1,
          },
        )
        const bytes = Buffer.from(signed.signature, 'base64')
        expect(bytes).toHaveLength(128)
        expect(verify(hash, Buffer.from(signed.baseString), rsa1024.publicKey, bytes)).toBe(true)
        expect(
          await verifySignature(method, signed.baseString, signed.signature, {
            rsaPublicKey: rsa1024.publicPem,
          }),
        ).toBe(true)
      },
    )

    it.each(rsas)(
      '%s with a 2048-bit PKCS#8 key verifies with the public key, deterministically',
      async (method, hash) => {
        const credentials = {
          clientId: 'ck',
          signatureMethod: method,
          rsaKey: rsa2048.privatePkcs8,
        }
        const a = await signRequest(
          { method: 'GET', url: 'https://api.example.com/r' },
          credentials,
          FIXED,
        )
        const b = await signRequest(
          { method: 'GET', url: 'https://api.example.com/r' },
          credentials,
          FIXED,
        )
        expect(a.signature).toBe(b.signature) // RSASSA-PKCS1-v1_5, not PSS
        expect(Buffer.from(a.signature, 'base64')).toHaveLength(256)
        expect(
          verify(
            hash,
            Buffer.from(a.baseString),
            rsa2048.publicKey,
            Buffer.from(a.signature, 'base64'),
          ),
        ).toBe(true)
        expect(
          await verifySignature(method, a.baseString, a.signature, {
            rsaPublicKey: rsa2048.publicPem,
          }),
        ).toBe(true)
        expect(
          await verifySignature(method, `${a.baseString}x`, a.signature, {
            rsaPublicKey: rsa2048.publicPem,
          }),
        ).toBe(false)
      },
    )

    it('RSA accepts a KeyObject and a CryptoKey, with the same signature as the PEM', async () => {
      const request = { method: 'GET', url: 'https://api.example.com/r' }
      const pem = await signRequest(
        request,
        { clientId: 'ck', signatureMethod: 'RSA-SHA256', rsaKey: rsa2048.privatePkcs8 },
        FIXED,
      )
      const keyObject = await signRequest(
        request,
        { clientId: 'ck', signatureMethod: 'RSA-SHA256', rsaKey: rsa2048.privateKey },
        FIXED,
      )
      const cryptoKey = await crypto.subtle.importKey(
        'pkcs8',
        rsa2048.privateKey.export({ type: 'pkcs8', format: 'der' }),
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        false,
        ['sign'],
      )
      const viaCryptoKey = await signRequest(
        request,
        { clientId: 'ck', signatureMethod: 'RSA-SHA256', rsaKey: cryptoKey },
        FIXED,
      )
      expect(keyObject.signature).toBe(pem.signature)
      expect(viaCryptoKey.signature).toBe(pem.signature)
    })

    it('RSA refuses a CryptoKey for another hash, an encrypted PEM, garbage and a public key', async () => {
      const request = { method: 'GET', url: 'https://api.example.com/r' }
      const sha1Key = await crypto.subtle.importKey(
        'pkcs8',
        rsa2048.privateKey.export({ type: 'pkcs8', format: 'der' }),
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
        false,
        ['sign'],
      )
      await expect(
        signRequest(request, { clientId: 'ck', signatureMethod: 'RSA-SHA256', rsaKey: sha1Key }),
      ).rejects.toThrow(
        new TypeError('credentials.rsaKey is a CryptoKey for SHA-1; RSA-SHA256 needs SHA-256'),
      )
      const encrypted = rsa2048.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'pw',
      }) as string
      const invalid = new TypeError(
        'credentials.rsaKey should be an unencrypted RSA private key in PEM (PKCS#1 or PKCS#8)',
      )
      await expect(
        signRequest(request, { clientId: 'ck', signatureMethod: 'RSA-SHA1', rsaKey: encrypted }),
      ).rejects.toThrow(invalid)
      await expect(
        signRequest(request, { clientId: 'ck', signatureMethod: 'RSA-SHA1', rsaKey: 'not a key' }),
      ).rejects.toThrow(invalid)
      await expect(
        signRequest(request, {
          clientId: 'ck',
          signatureMethod: 'RSA-SHA1',
          rsaKey: rsa2048.publicPem,
        }),
      ).rejects.toThrow(TypeError)
      await expect(
        signRequest(request, {
          clientId: 'ck',
          signatureMethod: 'RSA-SHA1',
          rsaKey: rsa2048.publicKey,
        }),
      ).rejects.toThrow(new TypeError('credentials.rsaKey should be an RSA private key'))
    })
  })

  describe('placement (RFC 5849 §3.5)', () => {
    /** Finds inputs whose signature contains + / =, so the encoding matters. */
    async function signWithAwkwardSignature(
      credentials: Partial<SigningCredentials>,
      body?: string,
    ) {
      for (let i = 0; ; i++) {
        const signed = await signRequest(
          {
            method: 'POST',
            url: 'https://api.example.com/r?q=a+b&x=%2B',
            ...(body === undefined ? {} : { body, headers: { 'content-type': FORM } }),
          },
          { clientId: 'ck', clientSecret: 'cs', token: 'tk', tokenSecret: 'ts', ...credentials },
          { nonce: `n${i}`, timestamp: '1700000000' },
        )
        if (/\+/.test(signed.signature) && /\//.test(signed.signature)) return signed
      }
    }

    it('header: parsed back, it gives exactly the protocol parameters that were signed', async () => {
      const signed = await signWithAwkwardSignature({
        callback: 'https://c.example/cb?a=b&c=d',
        verifier: 'v%2F',
      })
      const params = parseAuthorizationHeader(signed.headers.get('authorization')!)!
      expect(params.map(([n]) => n)).toEqual([
        'oauth_nonce',
        'oauth_timestamp',
        'oauth_version',
        'oauth_signature_method',
        'oauth_consumer_key',
        'oauth_token',
        'oauth_callback',
        'oauth_verifier',
        'oauth_signature',
      ])
      expect(new Map(params).get('oauth_signature')).toBe(signed.signature)
      expect(new Map(params).get('oauth_callback')).toBe('https://c.example/cb?a=b&c=d')
      expect(new Map(params).get('oauth_verifier')).toBe('v%2F') // not unescaped twice
      expect(providerBaseString(signed)).toBe(signed.baseString)
    })

    it('query: no oauth_* name repeats and the signature round-trips exactly (+ is %2B)', async () => {
      const signed = await signWithAwkwardSignature({ signatureType: 'query' })
      const query = parseFormEncoded(new URL(signed.url).search.slice(1))
      const names = query.map(([n]) => n).filter((n) => n.startsWith('oauth_'))
      expect(new Set(names).size).toBe(names.length)
      expect(names).toContain('oauth_signature')
      expect(new Map(query).get('oauth_signature')).toBe(signed.signature)
      expect(signed.url).toMatch(/^https:\/\/api\.example\.com\/r\?q=a\+b&x=%2B&oauth_nonce=/)
      expect(signed.headers.has('authorization')).toBe(false)
      expect(providerBaseString(signed)).toBe(signed.baseString)
    })

    it('body: no oauth_* name repeats, the signature round-trips, the body parameters stay first', async () => {
      const signed = await signWithAwkwardSignature({ signatureType: 'body' }, 'a=1&b=x+y')
      expect(typeof signed.body).toBe('string')
      expect(signed.body as string).toMatch(/^a=1&b=x\+y&oauth_nonce=/)
      const form = parseFormEncoded(signed.body as string)
      const names = form.map(([n]) => n).filter((n) => n.startsWith('oauth_'))
      expect(new Set(names).size).toBe(names.length)
      expect(new Map(form).get('oauth_signature')).toBe(signed.signature)
      expect(providerBaseString(signed)).toBe(signed.baseString)
    })

    it('body mode appends to a Uint8Array form body as bytes, and creates a form body when there is none', async () => {
      const bytes = await signRequest(
        {
          method: 'PUT',
          url: 'https://api.example.com/r',
          body: new TextEncoder().encode('a=1'),
          headers: { 'content-type': FORM },
        },
        { clientId: 'ck', signatureType: 'body' },
        FIXED,
      )
      expect(bytes.body).toBeInstanceOf(Uint8Array)
      expect(new TextDecoder().decode(bytes.body as Uint8Array)).toMatch(/^a=1&oauth_nonce=abc&/)
      const none = await signRequest(
        { method: 'POST', url: 'https://api.example.com/r' },
        { clientId: 'ck', signatureType: 'body' },
        FIXED,
      )
      expect(none.headers.get('content-type')).toBe(FORM)
      expect(none.body).toMatch(/^oauth_nonce=abc&/)
      expect(providerBaseString(none)).toBe(none.baseString)
    })

    it('query mode keeps the fragment after the parameters and handles a bare ?', async () => {
      const a = await signRequest(
        { method: 'GET', url: 'https://e.example/p#frag' },
        { clientId: 'ck', signatureType: 'query' },
        FIXED,
      )
      expect(a.url).toMatch(
        /^https:\/\/e\.example\/p\?oauth_nonce=abc&.*oauth_signature=[^#]+#frag$/,
      )
      const b = await signRequest(
        { method: 'GET', url: 'https://e.example/p?' },
        { clientId: 'ck', signatureType: 'query' },
        FIXED,
      )
      expect(b.url).toMatch(/^https:\/\/e\.example\/p\?oauth_nonce=abc&/)
    })

    it('realm is not sent in query or body mode', async () => {
      const signed = await signRequest(
        { method: 'GET', url: 'https://e.example/p' },
        { clientId: 'ck', signatureType: 'query', realm: 'R' },
        FIXED,
      )
      expect(signed.url).not.toContain('realm')
    })
  })

  describe('what is signed', () => {
    it('form content type with a charset parameter, in any case (rfc-…-form-content-type-with-charset)', async () => {
      for (const contentType of [
        `${FORM}; charset=UTF-8`,
        'Application/X-WWW-Form-URLEncoded',
        ` ${FORM} ;charset="utf-8"`,
      ]) {
        const signed = await signRequest(
          {
            method: 'POST',
            url: 'https://e.example/p',
            body: 'a=1',
            headers: { 'content-type': contentType },
          },
          { clientId: 'ck' },
          FIXED,
        )
        expect(signed.baseString).toContain('a%3D1')
      }
    })

    it('reads plain-object headers as Headers would: any case, trimmed; replaces an Authorization', async () => {
      const signed = await signRequest(
        {
          method: 'POST',
          url: 'https://e.example/p',
          body: 'a=1',
          headers: {
            'Content-TYPE': ` ${FORM}\t`,
            Authorization: 'Bearer old',
            HOST: ' e.example ',
          },
        },
        { clientId: 'ck' },
        FIXED,
      )
      expect(signed.baseString).toContain('a%3D1')
      expect(signed.headers.get('authorization')).toMatch(/^OAuth oauth_nonce="abc"/)
      expect(signed.headers.get('content-type')).toBe(FORM)
      const viaHeaders = await signRequest(
        {
          method: 'POST',
          url: 'https://e.example/p',
          body: 'a=1',
          headers: new Headers({ 'content-type': FORM, authorization: 'Bearer old' }),
        },
        { clientId: 'ck' },
        FIXED,
      )
      expect(viaHeaders.headers.get('authorization')).toBe(signed.headers.get('authorization'))
    })

    it('a URLSearchParams body with no content type is a form: signed, and the content type set', async () => {
      const signed = await signRequest(
        {
          method: 'POST',
          url: 'https://e.example/p',
          body: new URLSearchParams([
            ['a', 'x y'],
            ['a', '*'],
          ]),
        },
        { clientId: 'ck' },
        FIXED,
      )
      expect(signed.headers.get('content-type')).toBe(`${FORM};charset=UTF-8`)
      expect(signed.body).toBe('a=x+y&a=*')
      expect(signed.baseString).toContain('a%3D%252A%26a%3Dx%2520y')
    })

    it('JSON, multipart, text and unlabelled bytes are sent untouched and not signed (post-json-body, post-multipart-body)', async () => {
      const cases: { body: string | Uint8Array; contentType?: string }[] = [
        { body: '{"a":"1"}', contentType: 'application/json' },
        {
          body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
          contentType: 'multipart/form-data; boundary=x',
        },
        { body: 'a=1' },
        { body: 'a=1', contentType: 'text/plain' },
        { body: new TextEncoder().encode('a=1') },
        { body: 'a=1', contentType: 'application/x-www-form-urlencoded-foo' },
      ]
      for (const { body, contentType } of cases) {
        const signed = await signRequest(
          {
            method: 'POST',
            url: 'https://e.example/p',
            body,
            ...(contentType ? { headers: { 'content-type': contentType } } : {}),
          },
          { clientId: 'ck' },
          FIXED,
        )
        expect(signed.body).toBe(body)
        expect(signed.baseString).not.toContain('a%3D1')
        expect(signed.baseString).not.toContain('oauth_body_hash')
        expect(signed.headers.get('content-type')).toBe(contentType ?? null)
      }
    })

    it('a form body is signed for GET and PUT too (rfc-…-get-with-form-body, put-form)', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const signed = await signRequest(
          { method, url: 'https://e.example/p', body: 'a=1', headers: { 'content-type': FORM } },
          { clientId: 'ck' },
          FIXED,
        )
        expect(signed.baseString).toContain('a%3D1')
      }
    })

    it('query and body pairs both appear: the same pair twice (post-query-form-duplicates)', async () => {
      const signed = await signRequest(
        {
          method: 'POST',
          url: 'https://e.example/p?a=1&e=&f',
          body: 'a=1&c2',
          headers: { 'content-type': FORM },
        },
        { clientId: 'ck' },
        FIXED,
      )
      expect(signed.baseString).toMatch(/&a%3D1%26a%3D1%26c2%3D%26e%3D%26f%3D%26oauth_consumer_key/)
    })

    it('the method goes on the wire as given, uppercase only in the base string (lowercase-method, custom-method)', async () => {
      const lower = await signRequest(
        { method: 'post', url: 'https://e.example/p' },
        { clientId: 'ck' },
        FIXED,
      )
      expect(lower.method).toBe('post')
      expect(lower.baseString).toMatch(/^POST&/)
      const custom = await signRequest(
        { method: 'PROPFIND', url: 'https://e.example/p' },
        { clientId: 'ck' },
        FIXED,
      )
      expect(custom.baseString).toMatch(/^PROPFIND&/)
    })

    it('+ in the query is signed as a space, %2B as a plus (get-plus-and-space)', async () => {
      const signed = await signRequest(
        { method: 'GET', url: 'https://api.example/x?q=a+b%2Bc' },
        { clientId: 'ck' },
        FIXED,
      )
      expect(signed.baseString).toContain('q%3Da%2520b%252Bc')
      expect(signed.baseString).toBe(
        'GET&https%3A%2F%2Fapi.example%2Fx&oauth_consumer_key%3Dck%26oauth_nonce%3Dabc%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D123%26oauth_version%3D1.0%26q%3Da%2520b%252Bc',
      )
    })

    it('the path is signed as on the wire (iri-raw-unicode-path, raw-space-path, path-encoded)', async () => {
      const raw = await signRequest(
        { method: 'GET', url: 'https://e.example/café/a b' },
        { clientId: 'ck' },
        FIXED,
      )
      expect(raw.url).toBe('https://e.example/caf%C3%A9/a%20b')
      expect(raw.baseString).toMatch(/^GET&https%3A%2F%2Fe\.example%2Fcaf%25C3%25A9%2Fa%2520b&/)
      const encoded = await signRequest(
        { method: 'GET', url: 'https://e.example/a%2Fb/%7e' },
        { clientId: 'ck' },
        FIXED,
      )
      expect(encoded.baseString).toMatch(/^GET&https%3A%2F%2Fe\.example%2Fa%252Fb%2F%257e&/)
    })

    it('the Host header the request carries is the signed authority (§3.4.1.2)', async () => {
      const signed = await signRequest(
        { method: 'GET', url: 'http://127.0.0.1:8080/r', headers: { Host: 'Photos.Example.NET' } },
        { clientId: 'ck' },
        FIXED,
      )
      expect(signed.baseString).toMatch(/^GET&http%3A%2F%2Fphotos\.example\.net%2Fr&/)
      expect(signed.url).toBe('http://127.0.0.1:8080/r')
      expect(providerBaseString(signed)).toBe(signed.baseString)
    })

    it('realm is never signed, and a realm with " or \\ cannot break the header', async () => {
      const realm = 'a", oauth_signature="forged\\'
      const signed = await signRequest(
        { method: 'GET', url: 'https://e.example/p' },
        { clientId: 'ck', realm },
        FIXED,
      )
      const without = await signRequest(
        { method: 'GET', url: 'https://e.example/p' },
        { clientId: 'ck' },
        FIXED,
      )
      expect(signed.baseString).toBe(without.baseString)
      expect(signed.baseString).not.toContain('realm')
      const params = parseAuthorizationHeader(signed.headers.get('authorization')!)!
      expect(params[0]).toEqual(['realm', realm])
      expect(params.filter(([n]) => n === 'oauth_signature')).toEqual([
        ['oauth_signature', signed.signature],
      ])
    })

    it('a nonce or token that needs encoding is encoded in the header and parses back (nonce-needs-encoding)', async () => {
      const signed = await signRequest(
        { method: 'GET', url: 'https://e.example/p' },
        { clientId: 'c k', token: 'a+b/c=%', tokenSecret: 's' },
        { nonce: 'n "o,n=c\\e' },
      )
      const header = signed.headers.get('authorization')!
      expect(header).toContain('oauth_nonce="n%20%22o%2Cn%3Dc%5Ce"')
      expect(header).toContain('oauth_token="a%2Bb%2Fc%3D%25"')
      const params = new Map(parseAuthorizationHeader(header)!)
      expect(params.get('oauth_nonce')).toBe('n "o,n=c\\e')
      expect(params.get('oauth_token')).toBe('a+b/c=%')
      expect(params.get('oauth_consumer_key')).toBe('c k')
      expect(providerBaseString(signed)).toBe(signed.baseString)
    })

    it('tokens, verifiers and callbacks containing %XX are signed once-encoded, not unescaped (token-verifier-with-percent)', async () => {
      const signed = await signRequest(
        { method: 'POST', url: 'https://e.example/token' },
        {
          clientId: 'ck',
          token: 'tok%3D',
          verifier: 'ver%2B',
          callback: 'https://c.example/?next=%2Fhome',
        },
        FIXED,
      )
      expect(signed.baseString).toContain('oauth_token%3Dtok%25253D')
      expect(signed.baseString).toContain('oauth_verifier%3Dver%25252B')
      expect(signed.baseString).toContain('next%253D%25252Fhome')
    })

    for (const signatureType of ['query', 'body'] as const) {
      it(`${signatureType} mode: %XX and + in token, verifier and callback form-decode once to the given values (oauthlib, authlib)`, async () => {
        const values = {
          oauth_token: 'tok%3D+',
          oauth_verifier: 'ver%2B',
          oauth_callback: 'https://c.example/?next=%2Fhome&x=a+b',
        }
        const signed = await signRequest(
          {
            method: 'POST',
            url: 'https://e.example/token?q=a+b',
            ...(signatureType === 'body'
              ? { body: 'b=%2B', headers: { 'content-type': FORM } }
              : {}),
          },
          {
            clientId: 'ck',
            clientSecret: 'cs',
            token: values.oauth_token,
            tokenSecret: 'ts',
            verifier: values.oauth_verifier,
            callback: values.oauth_callback,
            signatureType,
          },
          FIXED,
        )
        expect(signed.headers.has('authorization')).toBe(false)
        const wire = signatureType === 'query' ? new URL(signed.url).search.slice(1) : signed.body
        expect(typeof wire).toBe('string')
        // URLSearchParams: the WHATWG form decoding, applied once, as a provider does.
        const form = new URLSearchParams(wire as string)
        for (const [name, value] of Object.entries(values)) {
          expect(form.getAll(name), name).toEqual([value])
        }
        expect(providerBaseString(signed)).toBe(signed.baseString)
      })
    }

    it('oauth_version="1.0" is always sent; an empty token is left out', async () => {
      const signed = await signRequest(
        { method: 'GET', url: 'https://e.example/p' },
        { clientId: 'ck', token: '' },
        FIXED,
      )
      expect(authParams(signed).get('oauth_version')).toBe('1.0')
      expect(authParams(signed).has('oauth_token')).toBe(false)
    })

    it('refuses a query or form body that already carries a protocol parameter', async () => {
      await expect(
        signRequest(
          { method: 'GET', url: 'https://e.example/p?oauth_nonce=x' },
          { clientId: 'ck' },
        ),
      ).rejects.toThrow(
        new TypeError('request.url already carries oauth_nonce; signRequest adds it'),
      )
      await expect(
        signRequest(
          {
            method: 'POST',
            url: 'https://e.example/p',
            body: 'oauth_signature=x',
            headers: { 'content-type': FORM },
          },
          { clientId: 'ck' },
        ),
      ).rejects.toThrow(
        new TypeError('request.body already carries oauth_signature; signRequest adds it'),
      )
      // A parameter signRequest does not add is the caller's, and is signed.
      const ok = await signRequest(
        { method: 'GET', url: 'https://e.example/p?oauth_token=t' },
        { clientId: 'ck' },
        FIXED,
      )
      expect(ok.baseString).toContain('oauth_token%3Dt')
    })

    it('checks the query for protocol parameters on every request, also for a URL signed before', async () => {
      const url = 'https://e.example/memo?o%61uth_nonce=x&q=1'
      for (let i = 0; i < 2; i++) {
        await expect(signRequest({ method: 'GET', url }, { clientId: 'ck' })).rejects.toThrow(
          new TypeError('request.url already carries oauth_nonce; signRequest adds it'),
        )
      }
      const withToken = 'https://e.example/memo?oauth_token=t'
      const first = await signRequest({ method: 'GET', url: withToken }, { clientId: 'ck' }, FIXED)
      expect(first.baseString).toContain('oauth_token%3Dt')
      await expect(
        signRequest({ method: 'GET', url: withToken }, { clientId: 'ck', token: 'other' }),
      ).rejects.toThrow(
        new TypeError('request.url already carries oauth_token; signRequest adds it'),
      )
      const again = await signRequest({ method: 'GET', url: withToken }, { clientId: 'ck' }, FIXED)
      expect(again.baseString).toBe(first.baseString)
    })

    it("does not modify the caller's headers or URL object", async () => {
      const headers = new Headers({ 'x-a': '1' })
      const url = new URL('https://e.example/p?q=1')
      const signed = await signRequest(
        { method: 'GET', url, headers },
        { clientId: 'ck', signatureType: 'header' },
        FIXED,
      )
      expect(headers.has('authorization')).toBe(false)
      expect(url.href).toBe('https://e.example/p?q=1')
      expect(signed.headers.get('x-a')).toBe('1')
    })
  })

  describe('oauth_body_hash', () => {
    const body = new Uint8Array([0x00, 0xff, 0xfe, 0x80, 0x41]) // not UTF-8: hashed as bytes
    it.each([
      ['HMAC-SHA1', 'sha1'],
      ['HMAC-SHA256', 'sha256'],
      ['HMAC-SHA512', 'sha512'],
      ['RSA-SHA256', 'sha256'],
      ['RSA-SHA512', 'sha512'],
      ['PLAINTEXT', 'sha1'],
    ] as [SignatureMethod, string][])(
      '%s hashes the exact body bytes with %s',
      async (method, hash) => {
        const signed = await signRequest(
          {
            method: 'PUT',
            url: 'https://e.example/p',
            body,
            headers: { 'content-type': 'application/octet-stream' },
          },
          {
            clientId: 'ck',
            signatureMethod: method,
            bodyHash: true,
            ...(method.startsWith('RSA-') ? { rsaKey: rsa2048.privatePkcs8 } : {}),
          },
          FIXED,
        )
        const expected = createHash(hash).update(body).digest('base64')
        expect(authParams(signed).get('oauth_body_hash')).toBe(expected)
        expect(signed.baseString).toContain(
          `oauth_body_hash%3D${encodeURIComponent(encodeURIComponent(expected))}`,
        )
        expect(signed.body).toBe(body)
      },
    )

    it('hashes a string body as UTF-8 and no body as the empty string', async () => {
      const json = '{"name":"é"}'
      const a = await signRequest(
        {
          method: 'POST',
          url: 'https://e.example/p',
          body: json,
          headers: { 'content-type': 'application/json' },
        },
        { clientId: 'ck', bodyHash: true },
      )
      expect(authParams(a).get('oauth_body_hash')).toBe(
        createHash('sha1').update(json, 'utf8').digest('base64'),
      )
      const b = await signRequest(
        { method: 'GET', url: 'https://e.example/p' },
        { clientId: 'ck', bodyHash: true },
      )
      expect(authParams(b).get('oauth_body_hash')).toBe('2jmj7l5rSw0yVb/vlWAYkK/YBwk=')
    })

    it('is never added to a form body, and is off by default', async () => {
      const form = await signRequest(
        {
          method: 'POST',
          url: 'https://e.example/p',
          body: 'a=1',
          headers: { 'content-type': `${FORM};charset=UTF-8` },
        },
        { clientId: 'ck', bodyHash: true },
      )
      expect(authParams(form).has('oauth_body_hash')).toBe(false)
      const off = await signRequest(
        {
          method: 'POST',
          url: 'https://e.example/p',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        },
        { clientId: 'ck' },
      )
      expect(authParams(off).has('oauth_body_hash')).toBe(false)
    })
  })

  describe('provider-side verification round trip', () => {
    const methods: SignatureMethod[] = [
      'HMAC-SHA1',
      'HMAC-SHA256',
      'HMAC-SHA512',
      'RSA-SHA1',
      'RSA-SHA256',
      'RSA-SHA512',
      'PLAINTEXT',
    ]
    const types = ['header', 'query', 'body'] as const
    for (const method of methods) {
      for (const type of types) {
        it(`${method} in ${type}: verifies; a tampered request does not`, async () => {
          const signed = await signRequest(
            {
              method: 'POST',
              url: 'https://e.example/p?q=1+2&q=é',
              body: 'b=%2B&b=',
              headers: { 'content-type': FORM },
            },
            {
              clientId: 'ck',
              clientSecret: 'cs',
              token: 'tk',
              tokenSecret: 'ts',
              signatureMethod: method,
              signatureType: type,
              ...(method.startsWith('RSA-') ? { rsaKey: rsa1024.privatePkcs1 } : {}),
            },
          )
          const base = providerBaseString(signed)
          expect(base).toBe(signed.baseString)
          const keys = { clientSecret: 'cs', tokenSecret: 'ts', rsaPublicKey: rsa1024.publicPem }
          expect(await verifySignature(method, base, signed.signature, keys)).toBe(true)
          // PLAINTEXT signs no base string (§3.4.4): only TLS protects the request itself.
          const tampered = base.replace('q%3D1', 'q%3D2')
          expect(await verifySignature(method, tampered, signed.signature, keys)).toBe(
            method === 'PLAINTEXT',
          )
          if (!method.startsWith('RSA')) {
            expect(
              await verifySignature(method, base, signed.signature, {
                ...keys,
                tokenSecret: 'other',
              }),
            ).toBe(false)
          }
        })
      }
    }
  })
})

describe('nonce and timestamp in signRequest', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('timestamp is whole seconds: fake time 1318622958123 ms → "1318622958"; a clock offset shifts it', async () => {
    vi.useFakeTimers({ now: 1318622958123, toFake: ['Date'] })
    const signed = await signRequest(
      { method: 'GET', url: 'https://e.example/' },
      { clientId: 'ck' },
    )
    expect(authParams(signed).get('oauth_timestamp')).toBe('1318622958')
    const shifted = await signRequest(
      { method: 'GET', url: 'https://e.example/' },
      { clientId: 'ck' },
      { clockOffset: -60_000 },
    )
    expect(authParams(shifted).get('oauth_timestamp')).toBe('1318622898')
    const ahead = await signRequest(
      { method: 'GET', url: 'https://e.example/' },
      { clientId: 'ck' },
      { clockOffset: 1_877 },
    )
    expect(authParams(ahead).get('oauth_timestamp')).toBe('1318622960')
  })

  it('every signature gets a fresh nonce from the CSPRNG (crypto.getRandomValues), never Math.random', async () => {
    resetNoncePool()
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T>(array: T) => {
      const bytes = array as unknown as Uint8Array
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff
      return array
    })
    const math = vi.spyOn(Math, 'random')
    try {
      const a = await signRequest({ method: 'GET', url: 'https://e.example/' }, { clientId: 'ck' })
      const b = await signRequest({ method: 'GET', url: 'https://e.example/' }, { clientId: 'ck' })
      expect(spy).toHaveBeenCalled()
      expect(math).not.toHaveBeenCalled()
      const hex = (from: number) =>
        Array.from({ length: 16 }, (_, i) =>
          (((from + i) * 7) & 0xff).toString(16).padStart(2, '0'),
        ).join('')
      expect(authParams(a).get('oauth_nonce')).toBe(hex(0))
      expect(authParams(b).get('oauth_nonce')).toBe(hex(16))
    } finally {
      spy.mockRestore()
      math.mockRestore()
      resetNoncePool()
    }
  })
})

describe('bad arguments: TypeError naming the option', () => {
  const request = { method: 'GET', url: 'https://e.example/' }
  const cases: [string, () => Promise<unknown>, string][] = [
    [
      'no request',
      () => signRequest(null as never, { clientId: 'ck' }),
      'request should be an object with a method and a url',
    ],
    [
      'no credentials',
      () => signRequest(request, undefined as never),
      'credentials should be an object with a clientId',
    ],
    [
      'missing clientId',
      () => signRequest(request, {} as never),
      'credentials.clientId should be a non-empty string',
    ],
    [
      'empty clientId',
      () => signRequest(request, { clientId: '' }),
      'credentials.clientId should be a non-empty string',
    ],
    [
      'bad method',
      () => signRequest({ ...request, method: 'GET /x' }, { clientId: 'ck' }),
      'request.method should be an HTTP method token such as "GET"',
    ],
    [
      'relative url',
      () => signRequest({ ...request, url: '/p' }, { clientId: 'ck' }),
      'request.url should be an absolute http: or https: URL',
    ],
    [
      'non-http url',
      () => signRequest({ ...request, url: 'file:///etc/passwd' }, { clientId: 'ck' }),
      'request.url should be an absolute http: or https: URL',
    ],
    [
      'unknown signatureMethod',
      () => signRequest(request, { clientId: 'ck', signatureMethod: 'HMAC-MD5' as never }),
      'credentials.signatureMethod should be one of HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512, PLAINTEXT',
    ],
    [
      'bad signatureType',
      () => signRequest(request, { clientId: 'ck', signatureType: 'cookie' as never }),
      'credentials.signatureType should be one of header, query, body',
    ],
    [
      'RSA without rsaKey',
      () => signRequest(request, { clientId: 'ck', signatureMethod: 'RSA-SHA256' }),
      'credentials.rsaKey is required for RSA-SHA256',
    ],
    [
      'rsaKey with the default method (HMAC-SHA1)',
      () => signRequest(request, { clientId: 'ck', rsaKey: 'a PEM' }),
      'credentials.rsaKey is only used with RSA-SHA1, RSA-SHA256 or RSA-SHA512, and signatureMethod is HMAC-SHA1: set credentials.signatureMethod to the RSA method (or leave rsaKey out)',
    ],
    [
      'rsaKey with PLAINTEXT',
      () => signRequest(request, { clientId: 'ck', signatureMethod: 'PLAINTEXT', rsaKey: 'a PEM' }),
      'credentials.rsaKey is only used with RSA-SHA1, RSA-SHA256 or RSA-SHA512, and signatureMethod is PLAINTEXT: set credentials.signatureMethod to the RSA method (or leave rsaKey out)',
    ],
    [
      'rsaKey of a wrong type',
      () =>
        signRequest(request, { clientId: 'ck', signatureMethod: 'RSA-SHA1', rsaKey: 42 as never }),
      'credentials.rsaKey should be a PEM string, a KeyObject or a CryptoKey',
    ],
    [
      'realm with a control character',
      () => signRequest(request, { clientId: 'ck', realm: 'a\r\nb' }),
      'credentials.realm should contain only printable ASCII characters',
    ],
    [
      'realm with non-ASCII',
      () => signRequest(request, { clientId: 'ck', realm: 'é' }),
      'credentials.realm should contain only printable ASCII characters',
    ],
    [
      'non-string secret',
      () => signRequest(request, { clientId: 'ck', clientSecret: 1 as never }),
      'credentials.clientSecret should be a string',
    ],
    [
      'non-string token',
      () => signRequest(request, { clientId: 'ck', token: {} as never }),
      'credentials.token should be a string',
    ],
    [
      'non-boolean bodyHash',
      () => signRequest(request, { clientId: 'ck', bodyHash: 'yes' as never }),
      'credentials.bodyHash should be a boolean',
    ],
    [
      'body of another type',
      () =>
        signRequest({ ...request, method: 'POST', body: { a: 1 } as never }, { clientId: 'ck' }),
      'request.body should be a string, URLSearchParams, Uint8Array or null',
    ],
    [
      'body mode with JSON',
      () =>
        signRequest(
          {
            method: 'POST',
            url: 'https://e.example/',
            body: '{}',
            headers: { 'content-type': 'application/json' },
          },
          { clientId: 'ck', signatureType: 'body' },
        ),
      'credentials.signatureType "body" needs an application/x-www-form-urlencoded body',
    ],
    [
      'body mode with GET',
      () => signRequest(request, { clientId: 'ck', signatureType: 'body' }),
      'credentials.signatureType "body" needs a method that carries a body (not GET or HEAD)',
    ],
    [
      'empty nonce',
      () => signRequest(request, { clientId: 'ck' }, { nonce: '' }),
      'options.nonce should be a non-empty string',
    ],
    [
      'timestamp in milliseconds',
      () => signRequest(request, { clientId: 'ck' }, { timestamp: 1318622958123 }),
      'options.timestamp should be in seconds, not milliseconds',
    ],
    [
      'non-integer timestamp',
      () => signRequest(request, { clientId: 'ck' }, { timestamp: '12.5' }),
      'options.timestamp should be whole seconds since the epoch',
    ],
    [
      'bad clockOffset',
      () => signRequest(request, { clientId: 'ck' }, { clockOffset: Number.NaN }),
      'options.clockOffset should be a finite number of milliseconds',
    ],
    [
      'invalid headers',
      () => signRequest({ ...request, headers: { 'bad name': 'x' } }, { clientId: 'ck' }),
      'request.headers should be a valid HeadersInit (names and values of a Headers)',
    ],
    [
      'bad Host header',
      () => signRequest({ ...request, headers: { host: 'a.example/evil' } }, { clientId: 'ck' }),
      'headers.host should be a host name with an optional port',
    ],
  ]
  it.each(cases)('%s', async (_name, call, message) => {
    await expect(call()).rejects.toThrow(new TypeError(message))
  })
})

describe('verifySignature without a client secret', () => {
  it.each(['HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512', 'PLAINTEXT'] as const)(
    '%s: a TypeError, never a check against the empty key anyone can sign with',
    async (method) => {
      const forged =
        method === 'PLAINTEXT' ? '&' : await computeSignature(method, 'base', { clientSecret: '' })
      for (const keys of [
        {},
        { tokenSecret: undefined },
        { clientSecret: undefined, rsaPublicKey: rsa1024.publicPem },
      ]) {
        await expect(verifySignature(method, 'base', forged, keys)).rejects.toThrow(
          new TypeError(
            `${method} is checked with the client's shared secret: pass keys.clientSecret ('' only if the client was given an empty one); a client without a shared secret signs with RSA only`,
          ),
        )
      }
      // An empty secret given on purpose is the client's own.
      expect(await verifySignature(method, 'base', forged, { clientSecret: '' })).toBe(true)
    },
  )
})

describe('unknown names in credentials and options: a TypeError naming them, not an empty secret', () => {
  const request = { method: 'GET', url: 'https://e.example/' }
  const KNOWN_CREDENTIALS =
    'clientId, clientSecret, token, tokenSecret, signatureMethod, signatureType, rsaKey, realm, callback, verifier, bodyHash'
  it.each([
    ['clientSecert', ''],
    ['client_secret', ', which is clientSecret here'],
    ['token_secret', ', which is tokenSecret here'],
    ['resource_owner_secret', ', which is tokenSecret here'],
    ['consumer_secret', ', which is clientSecret here'],
    ['ClientSecret', ', which is clientSecret here'],
    ['secret', ', which is clientSecret here'],
    ['toString', ''],
    ['__proto__', ''],
  ])('credentials.%s', async (name, hint) => {
    // A credentials object built apart from the call (JSON, a config), where TypeScript cannot see the name.
    const credentials = JSON.parse(`{"clientId":"ck",${JSON.stringify(name)}:"cs"}`)
    await expect(signRequest(request, credentials)).rejects.toThrow(
      new TypeError(
        `credentials: unknown name ${JSON.stringify(name)}${hint} (known: ${KNOWN_CREDENTIALS})`,
      ),
    )
  })

  it.each(['nounce', 'ts', 'clock_offset'])('options.%s', async (name) => {
    const options = JSON.parse(`{${JSON.stringify(name)}:"1"}`)
    await expect(signRequest(request, { clientId: 'ck' }, options)).rejects.toThrow(
      new TypeError(
        `options: unknown name ${JSON.stringify(name)}${name === 'clock_offset' ? ', which is clockOffset here' : ''} (known: nonce, timestamp, clockOffset)`,
      ),
    )
  })

  it('reads only own names: a known name set to undefined, or one inherited, is fine', async () => {
    const credentials = Object.assign(Object.create({ unused: 'x' }), {
      clientId: 'ck',
      clientSecret: undefined,
    })
    await expect(signRequest(request, credentials, { nonce: undefined })).resolves.toHaveProperty(
      'signature',
    )
  })
})

describe('parseAuthorizationHeader (RFC 5849 §3.5.1)', () => {
  it('parses the RFC 5849 §3.5.1 example, realm first, values decoded', () => {
    const header =
      'OAuth realm="Example",\n        oauth_consumer_key="0685bd9184jfhq22",\n        oauth_token="ad180jjd733klru7",\n        oauth_signature_method="HMAC-SHA1",\n        oauth_signature="wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D",\n        oauth_timestamp="137131200",\n        oauth_nonce="4572616e48616d6d65724c61686176",\n        oauth_version="1.0"'.replace(
        /\n\s*/g,
        ' ',
      )
    expect(parseAuthorizationHeader(header)).toEqual([
      ['realm', 'Example'],
      ['oauth_consumer_key', '0685bd9184jfhq22'],
      ['oauth_token', 'ad180jjd733klru7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_signature', 'wOJIO9A2W5mFwDgiDvZbTSMK/PY='],
      ['oauth_timestamp', '137131200'],
      ['oauth_nonce', '4572616e48616d6d65724c61686176'],
      ['oauth_version', '1.0'],
    ])
  })

  it('accepts any scheme case, tabs, no space after commas, token values and empty elements', () => {
    expect(parseAuthorizationHeader('oauth a="1",b=2 ,\t c = "3",, d=""')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', ''],
    ])
    expect(parseAuthorizationHeader('OAuth')).toEqual([])
  })

  it('keeps repeated names, so a provider can reject them', () => {
    expect(parseAuthorizationHeader('OAuth a="1", a="2"')).toEqual([
      ['a', '1'],
      ['a', '2'],
    ])
  })

  it('unescapes a quoted-pair realm without percent-decoding it', () => {
    expect(parseAuthorizationHeader('OAuth realm="a\\"b\\\\c%20"')).toEqual([
      ['realm', 'a"b\\c%20'],
    ])
  })

  it('returns null for another scheme or a malformed header, never throws', () => {
    for (const header of [
      '',
      'Basic YTpi',
      'OAuthx a="1"',
      'OAuth a="1" b="2"',
      'OAuth a="1',
      'OAuth a=',
      'OAuth ="1"',
      'OAuth a="%ZZ"',
      'OAuth a="%E2%82"',
      'OAuth a="1"\\',
      'OAuth a="\\',
      'OAuth a b',
      42 as unknown as string,
    ]) {
      expect(parseAuthorizationHeader(header)).toBeNull()
    }
  })

  it('formatAuthorizationHeader round-trips through the parser', () => {
    const params: [string, string][] = [
      ['oauth_consumer_key', 'k y'],
      ['oauth_signature', 'a+b/c=='],
      ['x', '"\\,='],
    ]
    expect(parseAuthorizationHeader(formatAuthorizationHeader(params, 'R "1"'))).toEqual([
      ['realm', 'R "1"'],
      ...params,
    ])
    expect(() => formatAuthorizationHeader([], 'a\nb')).toThrow(
      new TypeError('realm should contain only printable ASCII characters'),
    )
  })

  it('handles a very long malformed header in linear time (no catastrophic backtracking)', () => {
    const header = `OAuth ${'a="1",'.repeat(50_000)}b="`
    expect(parseAuthorizationHeader(header)).toBeNull()
  })
})

describe('isFormContentType', () => {
  it('compares the media type only, case-insensitively', () => {
    expect(isFormContentType('application/x-www-form-urlencoded')).toBe(true)
    expect(isFormContentType('APPLICATION/X-WWW-FORM-URLENCODED;charset=utf-8')).toBe(true)
    expect(isFormContentType('application/x-www-form-urlencodedx')).toBe(false)
    expect(isFormContentType('multipart/form-data; boundary=x')).toBe(false)
    expect(isFormContentType(null)).toBe(false)
    expect(isFormContentType('')).toBe(false)
  })
})

describe('credential-dependent parts, prepared once (a one-entry cache checked by value)', () => {
  const A = { clientId: 'client a', token: 'token/a', clientSecret: 'sa', tokenSecret: 'ta' }
  const B = { clientId: 'client-b', token: 'token+b', clientSecret: 'sb', tokenSecret: 'tb' }

  it('never lends one credentials’ key or token to the next request, whatever the order', async () => {
    const request = { method: 'GET', url: 'https://e.example/p?q=1' }
    const { token: _dropped, ...bWithoutToken } = B
    const sequence: SigningCredentials[] = [A, B, A, { ...A }, B, bWithoutToken, A]
    for (const credentials of sequence) {
      const signed = await signRequest(request, credentials, FIXED)
      const auth = authParams(signed)
      expect(auth.get('oauth_consumer_key')).toBe(credentials.clientId)
      if (credentials.token === undefined) {
        expect(auth.has('oauth_token')).toBe(false)
        expect(signed.baseString).not.toContain('oauth_token')
      } else {
        expect(auth.get('oauth_token')).toBe(credentials.token)
      }
      expect(signed.baseString).toBe(providerBaseString(signed))
      const other = credentials.clientId === A.clientId ? B : A
      expect(signed.headers.get('authorization')).not.toContain(encodeURIComponent(other.clientId))
      expect(
        await verifySignature('HMAC-SHA1', signed.baseString, signed.signature, credentials),
      ).toBe(true)
    }
  })

  it('follows a change of client, token or signature method on the same credentials object', async () => {
    const credentials: SigningCredentials = { clientId: 'ck', token: 'tk', clientSecret: 's' }
    const request = { method: 'GET', url: 'https://e.example/p' }
    const first = await signRequest(request, credentials, FIXED)
    expect(authParams(first).get('oauth_token')).toBe('tk')
    credentials.token = ''
    const noToken = await signRequest(request, credentials, FIXED)
    expect(authParams(noToken).has('oauth_token')).toBe(false)
    credentials.clientId = 'ck2'
    credentials.signatureMethod = 'HMAC-SHA256'
    const changed = await signRequest(request, credentials, FIXED)
    expect(authParams(changed).get('oauth_consumer_key')).toBe('ck2')
    expect(authParams(changed).get('oauth_signature_method')).toBe('HMAC-SHA256')
    expect(changed.baseString).toBe(providerBaseString(changed))
    // No secret is kept with the prepared parts: a new secret signs differently at once.
    credentials.clientSecret = 'other'
    const resigned = await signRequest(request, credentials, FIXED)
    expect(resigned.signature).not.toBe(changed.signature)
    expect(
      await verifySignature('HMAC-SHA256', resigned.baseString, resigned.signature, credentials),
    ).toBe(true)
  })

  it('sorts request parameters starting with "o" among the protocol parameters', async () => {
    const query = 'o=1&oa=2&oauth_a=3&oauth_callbackz=4&oauth_token=5&oauth_w=6&oz=7&a=8&z=9'
    const body = 'oauth_body_hashes=x&oauth_verifiex=y&oauth_versioo=z&oauth_z=%2F&n=1&p=2'
    for (const extra of [
      {},
      { callback: 'https://c.example/cb?x=1&y=%2F' },
      { verifier: 'v/1' },
      { callback: 'oob', verifier: 'v' },
    ]) {
      const signed = await signRequest(
        {
          method: 'POST',
          url: `https://e.example/p?${query}`,
          headers: { 'content-type': FORM },
          body,
        },
        { clientId: 'ck', clientSecret: 's', ...extra },
        FIXED,
      )
      expect(signed.baseString).toBe(providerBaseString(signed))
    }
    const hashed = await signRequest(
      {
        method: 'POST',
        url: `https://e.example/p?${query}`,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      { clientId: 'ck', verifier: 'v', bodyHash: true },
      FIXED,
    )
    expect(hashed.baseString).toContain('oauth_body_hash%3D')
    expect(hashed.baseString).toBe(providerBaseString(hashed))
  })
})

describe('the signature in the header', () => {
  it.each(['HMAC-SHA1', 'HMAC-SHA256', 'HMAC-SHA512'] as const)(
    '%s: oauth_signature is the base64 with + / = percent-encoded',
    async (signatureMethod) => {
      const seen = new Set<string>()
      for (let i = 0; i < 200; i++) {
        const signed = await signRequest(
          { method: 'GET', url: 'https://e.example/p' },
          { clientId: 'ck', clientSecret: 's', signatureMethod },
          { nonce: `n${i}`, timestamp: '123' },
        )
        const header = signed.headers.get('authorization')!
        const sent = header.slice(header.indexOf('oauth_signature="') + 17, -1)
        expect(sent).toBe(encodeURIComponent(signed.signature))
        for (const c of '+/=') if (signed.signature.includes(c)) seen.add(c)
      }
      expect([...seen].sort()).toEqual(['+', '/', '='])
    },
  )
})

describe('an empty parameter name sorts first, also among names starting with "o"', () => {
  it('signs "=x&oa=1" as a provider normalises it', async () => {
    for (const [url, body] of [
      ['https://e.example/p', '=x&oa=1'],
      ['https://e.example/p?=&o=', null],
    ] as const) {
      const signed = await signRequest(
        {
          method: 'POST',
          url,
          body,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        { clientId: 'ck', clientSecret: 'cs' },
        { nonce: 'n', timestamp: '1' },
      )
      expect(signed.baseString).toBe(providerBaseString(signed))
      expect(signed.baseString.split('&')[2]!.startsWith('%3D')).toBe(true)
    }
  })
})

describe('signRequest sorts the request parameters as a provider does (property)', () => {
  /** The protocol parameters signRequest always adds, so always refuses from the request. */
  const ALWAYS_ADDED = new Set([
    'oauth_consumer_key',
    'oauth_nonce',
    'oauth_signature',
    'oauth_signature_method',
    'oauth_timestamp',
    'oauth_version',
  ])
  // Form-reserved characters, space, # and ?, non-ASCII (é, a surrogate pair), uppercase,
  // "_" (below "o"), "~" and "z" (above it).
  const char = fc.constantFrom(
    ...['a', 'b', 'o', 'z', 'A', 'Z', '0', '_', '-', '.', '~', 'é', '😀'],
    ...['%', '+', '=', '&', ' ', '#', '?', '*', "'", '!', '/'],
  )
  const text = (maxLength: number) => fc.array(char, { maxLength }).map((cs) => cs.join(''))
  // Names that sort among, or exactly on, the oauth_* protocol names.
  const O_NAMES = [
    ...['o', 'oa', 'oauth', 'oauth_', 'oauth_a', 'oauth_x', 'oauth_zz', 'oz', 'o~', 'O', 'n', 'p'],
    ...['oauth_callbackz', 'oauth_tokem', 'oauth_token_', 'oauth_versioo', 'oauth_verifiex'],
    ...['oauth_token', 'oauth_callback', 'oauth_verifier', 'oauth_body_hash'],
    ...['oauth_nonce', 'oauth_signature', 'oauth_version'],
  ]
  const name = fc.oneof(
    fc.constantFrom(...O_NAMES),
    // A small pool, so that names repeat and values break the ties; '' is a name too ("=x").
    fc.constantFrom('a', 'A', 'é', '😀', ''),
    text(4),
    text(3).map((s) => `o${s}`),
    text(3).map((s) => `oauth_${s}`),
  )
  const value = fc.oneof(fc.constantFrom('', '1', '2', 'a b', '%', '+', '='), text(5))
  const pair = fc.record({
    name,
    value,
    /** Goes into the form body (when there is one) rather than the query. */
    inBody: fc.boolean(),
    /** How the pair is written: each style parses back to exactly these strings. */
    style: fc.constantFrom('percent', 'lowercase', 'plus', 'raw'),
    /** An empty value written as a bare name, with no "=". */
    bare: fc.boolean(),
  })
  const optional = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: undefined })
  const scenario = fc.record({
    // Up to 24: past 16 pairs, sortPairs switches from insertion sort to Array#sort.
    pairs: fc.array(pair, { maxLength: 24, size: 'max' }),
    body: fc.constantFrom('none', 'form', 'json'),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'patch'),
    signatureType: fc.constantFrom<SignatureType>('header', 'query', 'body'),
    signatureMethod: fc.constantFrom<SignatureMethod>('HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'),
    token: optional(fc.oneof(fc.constantFrom('tk', 'tok%3D+'), text(4))),
    callback: optional(fc.constantFrom('oob', 'https://c.example/cb?a=1&b=%2F+', '')),
    verifier: optional(fc.oneof(fc.constantFrom('v', 'ver%2B'), text(4))),
    bodyHash: fc.boolean(),
    fragment: fc.boolean(),
    nonce: optional(
      fc.oneof(
        fc.constantFrom('n', 'n%3D =&'),
        text(3).map((s) => `n${s}`),
      ),
    ),
  })

  function writeComponent(s: string, style: string, isName: boolean, inUrl: boolean): string {
    switch (style) {
      case 'percent':
        return encodeURIComponent(s)
      case 'lowercase':
        return encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())
      case 'plus':
        return new URLSearchParams([['', s]]).toString().slice(1)
      default:
        // Only what would change the parse is escaped, the rest goes raw (the URL parser
        // percent-encodes non-ASCII in the query itself, but strips a trailing space).
        return s.replace(inUrl ? /[%+&=# ]/g : /[%+&=]/g, (c) =>
          c === '=' && !isName ? c : encodeURIComponent(c),
        )
    }
  }

  function writeForm(
    pairs: { name: string; value: string; style: string; bare: boolean }[],
    inUrl: boolean,
  ) {
    return pairs
      .map((p) => {
        const n = writeComponent(p.name, p.style, true, inUrl)
        const bare = p.bare && p.value === '' && p.name !== ''
        return bare ? n : `${n}=${writeComponent(p.value, p.style, false, inUrl)}`
      })
      .join('&')
  }

  /** The oauth_signature values on the wire, where the signature type puts them. */
  function wireSignatures(signed: SignedRequest, signatureType: string): string[] {
    if (signatureType === 'header') {
      const params = parseAuthorizationHeader(signed.headers.get('authorization') ?? '') ?? []
      return params.filter(([n]) => n === 'oauth_signature').map(([, v]) => v)
    }
    const wire =
      signatureType === 'query'
        ? new URL(signed.url).searchParams
        : new URLSearchParams(`&${signed.body as string}`)
    return wire.getAll('oauth_signature')
  }

  it('base string equals the one a provider recomputes from the wire, and the signature verifies', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const isForm = s.body === 'form'
        const bodyPairs = isForm ? s.pairs.filter((p) => p.inBody) : []
        const queryPairs = isForm ? s.pairs.filter((p) => !p.inBody) : s.pairs
        const query = writeForm(queryPairs, true)
        const url = `https://e.example/p${query === '' ? '' : `?${query}`}${s.fragment ? '#frag' : ''}`
        const formBody = writeForm(bodyPairs, false)
        // The inputs parse back to exactly the generated pairs.
        const asPairs = (ps: typeof s.pairs) => ps.map((p) => [p.name, p.value])
        expect([...new URL(url).searchParams]).toEqual(asPairs(queryPairs))
        // (a leading & keeps URLSearchParams from dropping a leading ? as it would a query's)
        expect([...new URLSearchParams(`&${formBody}`)]).toEqual(asPairs(bodyPairs))

        const request =
          s.body === 'form'
            ? { body: formBody, headers: { 'content-type': FORM } }
            : s.body === 'json'
              ? {
                  body: JSON.stringify(asPairs(s.pairs)),
                  headers: { 'content-type': 'application/json' },
                }
              : {}
        const credentials: SigningCredentials = {
          clientId: 'ck',
          clientSecret: 'cs',
          tokenSecret: 'ts',
          signatureMethod: s.signatureMethod,
          signatureType: s.signatureType,
          bodyHash: s.bodyHash,
          ...(s.token === undefined ? {} : { token: s.token }),
          ...(s.callback === undefined ? {} : { callback: s.callback }),
          ...(s.verifier === undefined ? {} : { verifier: s.verifier }),
        }
        const sign = () =>
          signRequest({ method: s.method, url, ...request }, credentials, {
            timestamp: '1700000000',
            ...(s.nonce === undefined ? {} : { nonce: s.nonce }),
          })

        if (s.signatureType === 'body' && (s.method === 'GET' || s.body === 'json')) {
          await expect(sign()).rejects.toThrow(TypeError)
          return
        }
        // The protocol parameters signRequest adds here, which the request may not carry.
        const signedAsForm = isForm || s.signatureType === 'body'
        const added = (n: string) =>
          ALWAYS_ADDED.has(n) ||
          (n === 'oauth_token' && !!s.token) ||
          (n === 'oauth_callback' && !!s.callback) ||
          (n === 'oauth_verifier' && !!s.verifier) ||
          (n === 'oauth_body_hash' && s.bodyHash && !signedAsForm)
        if ([...queryPairs, ...bodyPairs].some((p) => added(p.name))) {
          await expect(sign()).rejects.toThrow(TypeError)
          return
        }

        const signed = await sign()
        const base = providerBaseString(signed)
        expect(signed.baseString).toBe(base)
        const sent = wireSignatures(signed, s.signatureType)
        expect(sent).toEqual([signed.signature])
        const keys = { clientSecret: 'cs', tokenSecret: 'ts' }
        expect(await verifySignature(s.signatureMethod, base, sent[0]!, keys)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
