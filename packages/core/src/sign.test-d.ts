import { generateKeyPairSync } from 'node:crypto'
import { describe, expectTypeOf, it } from 'vitest'
import type { RsaKey, SignatureMethod, SignedRequest, SigningCredentials } from './index.js'
import { signRequest } from './index.js'

describe('signRequest types', () => {
  it('resolves to the SignedRequest of DESIGN.md', () => {
    expectTypeOf(signRequest).returns.resolves.toEqualTypeOf<SignedRequest>()
    expectTypeOf<SignedRequest['headers']>().toEqualTypeOf<Headers>()
    expectTypeOf<SignedRequest['body']>().toEqualTypeOf<string | Uint8Array<ArrayBuffer> | null>()
    expectTypeOf<SignedRequest['url']>().toEqualTypeOf<string>()
  })

  it('is what fetch takes, as the README shows: fetch(signed.url, signed)', async () => {
    const signed = await signRequest(
      { method: 'POST', url: 'https://api.example/1/update', body: new Uint8Array([1, 2]) },
      { clientId: 'ck', clientSecret: 'cs' },
    )
    expectTypeOf(fetch).toBeCallableWith(signed.url, signed)
    expectTypeOf<SignedRequest>().toMatchTypeOf<RequestInit>()
    // the README's own lines
    const response = await fetch(signed.url, signed)
    expectTypeOf(response).toEqualTypeOf<Response>()
  })

  it('takes a PEM, a Node KeyObject or a CryptoKey as rsaKey', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    expectTypeOf(privateKey).toMatchTypeOf<RsaKey>()
    expectTypeOf<CryptoKey>().toMatchTypeOf<RsaKey>()
    expectTypeOf<string>().toMatchTypeOf<RsaKey>()
    expectTypeOf<SigningCredentials['signatureMethod']>().toEqualTypeOf<
      SignatureMethod | undefined
    >()
  })

  it('accepts the body types of DESIGN.md and refuses others', () => {
    expectTypeOf(signRequest).parameter(0).toHaveProperty('body')
    const request = { method: 'POST', url: 'https://e.example/', body: new Blob([]) }
    // @ts-expect-error a Blob is not a supported body
    void signRequest(request, { clientId: 'ck' })
    // @ts-expect-error clientId is required
    void signRequest({ method: 'GET', url: 'https://e.example/' }, {})
  })
})
