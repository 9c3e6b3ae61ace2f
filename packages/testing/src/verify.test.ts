import { createSign, generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { baseString, bodyHashOf, pct, verifySignature } from './verify.js'

describe("the provider's own signature checks (src/verify.ts)", () => {
  it('pct is RFC 5849 §3.6, not encodeURIComponent', () => {
    expect(pct("!*'()~ +é😀")).toBe('%21%2A%27%28%29~%20%2B%C3%A9%F0%9F%98%80')
    expect(pct('AZaz09-._~')).toBe('AZaz09-._~')
  })

  it('builds the RFC 5849 §3.4.1.1 example base string (realm never given)', () => {
    const params: [string, string][] = [
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['oauth_signature', 'ignored'],
      ['b5', '=%3D'],
      ['a3', 'a'],
      ['c@', ''],
      ['a2', 'r b'],
      ['c2', ''],
      ['a3', '2 q'],
    ]
    expect(baseString('post', 'http://Example.COM:80/request', params)).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    )
  })

  it('keeps the path as sent and a non-default port; sorts by encoded name, then value', () => {
    expect(baseString('GET', 'http://h:8080/A%2Fb/caf%C3%A9', [])).toBe(
      'GET&http%3A%2F%2Fh%3A8080%2FA%252Fb%2Fcaf%25C3%25A9&',
    )
    const sorted = baseString('GET', 'http://h/', [
      ['aZ', '1'],
      ['aé', '1'],
      ['n', '2'],
      ['n', '10'],
    ])
    expect(sorted.split('&')[2]).toBe('a%25C3%25A9%3D1%26aZ%3D1%26n%3D10%26n%3D2')
  })

  it('checks HMAC-SHA1 against OAuth Core 1.0 Appendix A.5, with the token secret in the key', () => {
    const base = baseString('GET', 'http://photos.example.net/photos', [
      ['file', 'vacation.jpg'],
      ['size', 'original'],
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_token', 'nnch734d00sl2jdk'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '1191242096'],
      ['oauth_nonce', 'kllo9940pd9333jh'],
      ['oauth_version', '1.0'],
    ])
    const keys = {
      clientSecret: 'kd94hf93k423kf44',
      tokenSecret: 'pfkkdhi9sl3r4s00',
      publicKey: undefined,
    }
    expect(verifySignature('HMAC-SHA1', base, 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=', keys)).toBe(true)
    expect(
      verifySignature('HMAC-SHA1', base, 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=', {
        ...keys,
        tokenSecret: '',
      }),
    ).toBe(false)
    expect(verifySignature('HMAC-SHA1', base, 'tR3+Ty81lMeYAr/Fid0kMTYa/WM', keys)).toBe(false)
  })

  it('PLAINTEXT is the encoded key; RSA is PKCS#1 v1.5 over canonical base64 only', () => {
    const keys = { clientSecret: 'ja893SD9', tokenSecret: 'a b', publicKey: undefined }
    expect(verifySignature('PLAINTEXT', 'x', 'ja893SD9&a%20b', keys)).toBe(true)
    expect(verifySignature('PLAINTEXT', 'x', 'ja893SD9&a b', keys)).toBe(false)
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const sig = createSign('RSA-SHA256').update('base').sign(privateKey, 'base64')
    const rsa = { clientSecret: undefined, tokenSecret: '', publicKey }
    expect(verifySignature('RSA-SHA256', 'base', sig, rsa)).toBe(true)
    expect(verifySignature('RSA-SHA1', 'base', sig, rsa)).toBe(false)
    expect(verifySignature('RSA-SHA256', 'base', `${sig}!`, rsa)).toBe(false)
    expect(verifySignature('RSA-SHA256', 'base', sig, { ...rsa, publicKey: undefined })).toBe(false)
    expect(verifySignature('NOPE', 'base', sig, rsa)).toBe(false)
  })

  it('hashes the body with the method’s hash', () => {
    expect(bodyHashOf('HMAC-SHA1', Buffer.from('Hello World!'))).toBe(
      'Lve95gjOVATpfV8EL5X4nxwjKHE=',
    )
    expect(bodyHashOf('RSA-SHA256', Buffer.alloc(0))).toBe(
      '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
    )
  })
})
