import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { BACKENDS, useBackend } from '../../test/backends.js'
import { BoundedMap } from './bounded-map.js'
import {
  bodyHash,
  computeSignature,
  getCryptoBackend,
  setCryptoBackend,
  signingKey,
  timingSafeEqualString,
  verifySignature,
  withCryptoBackend,
} from './index.js'
import { createNodeBackend } from './node.js'
import {
  base64ToBytes,
  bytesToBase64,
  parsePem,
  pkcs1PrivateToPkcs8,
  pkcs1PublicToSpki,
  spkiFromCertificate,
} from './pem.js'

const CERT = readFileSync(new URL('../../test/vectors/test-cert.pem', import.meta.url), 'utf8')
const CERT_KEY = readFileSync(
  new URL('../../test/vectors/test-cert-key.pem', import.meta.url),
  'utf8',
)
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })

describe('back end selection', () => {
  it('uses node:crypto where it exists, and both are available under Node', () => {
    expect(getCryptoBackend().name).toBe('node')
    expect(getCryptoBackend('node').name).toBe('node')
    expect(getCryptoBackend('web').name).toBe('web')
  })

  it('falls back to Web Crypto where node:crypto is missing (Workers without nodejs_compat, browsers)', async () => {
    const real = process.getBuiltinModule
    const spy = vi
      .spyOn(process, 'getBuiltinModule')
      .mockImplementation(((id: string) => (id === 'node:crypto' ? undefined : real(id))) as never)
    vi.resetModules()
    try {
      const fresh = await import('./index.js')
      expect(fresh.getCryptoBackend().name).toBe('web')
      expect(() => fresh.getCryptoBackend('node')).toThrow(
        '@oauth1/core: the node crypto back end is not available here',
      )
      expect(await fresh.computeSignature('HMAC-SHA1', 'base', { clientSecret: 'cs' })).toBe(
        (await import('node:crypto')).createHmac('sha1', 'cs&').update('base').digest('base64'),
      )
    } finally {
      spy.mockRestore()
      vi.resetModules()
    }
  })

  it('setCryptoBackend returns the previous one; withCryptoBackend restores it, even on error', async () => {
    const previous = setCryptoBackend('web')
    expect(getCryptoBackend().name).toBe('web')
    setCryptoBackend(previous)
    await expect(
      withCryptoBackend('web', () => {
        expect(getCryptoBackend().name).toBe('web')
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(getCryptoBackend().name).toBe('node')
  })
})

describe.each(BACKENDS)('%s back end', (name) => {
  useBackend(name)
  const backend = () => getCryptoBackend(name)

  it('HMAC-SHA1/256/512 of RFC 4231-style known answers', async () => {
    // RFC 2202 test case 2 (HMAC-SHA1) and RFC 4231 test case 2 (HMAC-SHA256/512): key "Jefe".
    const data = 'what do ya want for nothing?'
    expect(await backend().hmac('SHA-1', 'Jefe', data)).toBe(
      bytesToBase64(Buffer.from('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79', 'hex')),
    )
    expect(await backend().hmac('SHA-256', 'Jefe', data)).toBe(
      bytesToBase64(
        Buffer.from('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'hex'),
      ),
    )
    expect(await backend().hmac('SHA-512', 'Jefe', data)).toBe(
      bytesToBase64(
        Buffer.from(
          '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
          'hex',
        ),
      ),
    )
  })

  it('HMAC with a UTF-8 key and data, and an empty key', async () => {
    const expected = (await import('node:crypto'))
      .createHmac('sha1', 'clé&')
      .update('données')
      .digest('base64')
    expect(await backend().hmac('SHA-1', 'clé&', 'données')).toBe(expected)
    expect(await backend().hmac('SHA-256', '', '')).toBe(
      (await import('node:crypto')).createHmac('sha256', '').update('').digest('base64'),
    )
  })

  it('digest: SHA-1 of "Hello World!" and of the empty string', async () => {
    expect(await backend().digest('SHA-1', 'Hello World!')).toBe('Lve95gjOVATpfV8EL5X4nxwjKHE=')
    expect(await backend().digest('SHA-1', new Uint8Array())).toBe('2jmj7l5rSw0yVb/vlWAYkK/YBwk=')
    expect(await bodyHash('HMAC-SHA256', '')).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
  })

  it('RSA: PKCS#1 and PKCS#8 PEMs sign the same, and match node:crypto.sign', async () => {
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    const expected = sign('sha256', Buffer.from('base'), privateKey).toString('base64')
    expect(await backend().rsaSign('SHA-256', pkcs1, 'base', 'rsaKey')).toBe(expected)
    expect(await backend().rsaSign('SHA-256', pkcs8, 'base', 'rsaKey')).toBe(expected)
    // Cached keys give the same answer.
    expect(await backend().rsaSign('SHA-256', pkcs1, 'base', 'rsaKey')).toBe(expected)
  })

  it('RSA verify: SPKI, PKCS#1 public, certificate, private PEM, KeyObject; wrong or malformed → false', async () => {
    const certKey = createPrivateKey(CERT_KEY)
    const signature = sign('sha1', Buffer.from('base'), certKey).toString('base64')
    const keys = [
      CERT,
      createPublicKey(certKey).export({ type: 'spki', format: 'pem' }) as string,
      createPublicKey(certKey).export({ type: 'pkcs1', format: 'pem' }) as string,
      CERT_KEY,
      createPublicKey(certKey),
      certKey,
    ]
    for (const key of keys) {
      expect(await backend().rsaVerify('SHA-1', key, 'base', signature, 'rsaPublicKey')).toBe(true)
      expect(await backend().rsaVerify('SHA-1', key, 'bass', signature, 'rsaPublicKey')).toBe(false)
    }
    for (const bad of ['', 'not base64!', `${signature}=`, signature.slice(4)]) {
      expect(await backend().rsaVerify('SHA-1', CERT, 'base', bad, 'rsaPublicKey')).toBe(false)
    }
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey
    expect(await backend().rsaVerify('SHA-1', other, 'base', signature, 'rsaPublicKey')).toBe(false)
  })

  it('RSA verify rejects something that is not a public key with a TypeError naming the option', async () => {
    await expect(
      Promise.resolve().then(() =>
        backend().rsaVerify('SHA-1', 'garbage', 'b', 'AAAA', 'rsaPublicKey'),
      ),
    ).rejects.toThrow(
      new TypeError('rsaPublicKey should be an RSA public key, certificate or private key in PEM'),
    )
  })

  it('verifySignature: HMAC and PLAINTEXT compared exactly; a bad method is a TypeError', async () => {
    const base = 'GET&https%3A%2F%2Fe.example%2F&a%3D1'
    const sig = await computeSignature('HMAC-SHA256', base, { clientSecret: 'c', tokenSecret: 't' })
    expect(
      await verifySignature('HMAC-SHA256', base, sig, { clientSecret: 'c', tokenSecret: 't' }),
    ).toBe(true)
    expect(
      await verifySignature('HMAC-SHA256', base, sig.toLowerCase(), {
        clientSecret: 'c',
        tokenSecret: 't',
      }),
    ).toBe(false)
    expect(
      await verifySignature('HMAC-SHA1', base, sig, { clientSecret: 'c', tokenSecret: 't' }),
    ).toBe(false)
    expect(
      await verifySignature('PLAINTEXT', base, 'c&t', { clientSecret: 'c', tokenSecret: 't' }),
    ).toBe(true)
    expect(
      await verifySignature('PLAINTEXT', base, 'c&', { clientSecret: 'c', tokenSecret: 't' }),
    ).toBe(false)
    expect(await verifySignature('HMAC-SHA1', base, undefined as never, {})).toBe(false)
    await expect(verifySignature('MD5' as never, base, sig, {})).rejects.toThrow(
      new TypeError(
        'method should be one of HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512, PLAINTEXT',
      ),
    )
    await expect(verifySignature('RSA-SHA1', base, sig, {})).rejects.toThrow(
      new TypeError('rsaPublicKey is required for RSA-SHA1'),
    )
  })

  it('verifySignature accepts a public CryptoKey and refuses a private one', async () => {
    const pub = await crypto.subtle.importKey(
      'spki',
      publicKey.export({ type: 'spki', format: 'der' }),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' },
      false,
      ['verify'],
    )
    const sig = sign('sha512', Buffer.from('b'), privateKey).toString('base64')
    expect(await verifySignature('RSA-SHA512', 'b', sig, { rsaPublicKey: pub })).toBe(true)
    const priv = await crypto.subtle.importKey(
      'pkcs8',
      privateKey.export({ type: 'pkcs8', format: 'der' }),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' },
      false,
      ['sign'],
    )
    await expect(verifySignature('RSA-SHA512', 'b', sig, { rsaPublicKey: priv })).rejects.toThrow(
      new TypeError('rsaPublicKey should be a public CryptoKey'),
    )
  })
})

describe('signing key (RFC 5849 §3.4.2)', () => {
  it('encodes both secrets and always has the &', () => {
    expect(signingKey('kd94hf93k423kf44', 'pfkkdhi9sl3r4s00')).toBe(
      'kd94hf93k423kf44&pfkkdhi9sl3r4s00',
    )
    expect(signingKey('ja893SD9')).toBe('ja893SD9&')
    expect(signingKey()).toBe('&')
    expect(signingKey('a b', '+/=')).toBe('a%20b&%2B%2F%3D')
  })
})

describe('PEM and DER helpers', () => {
  // A 1024-bit key's DER is ~600 bytes: the two-byte (0x82) length form is exercised.
  it('wraps PKCS#1 into exactly the PKCS#8 and SPKI DER that node:crypto exports', () => {
    const pkcs1 = parsePem(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string)!
    expect(pkcs1.label).toBe('RSA PRIVATE KEY')
    expect(Buffer.from(pkcs1PrivateToPkcs8(pkcs1.der))).toEqual(
      privateKey.export({ type: 'pkcs8', format: 'der' }),
    )
    const pub = parsePem(publicKey.export({ type: 'pkcs1', format: 'pem' }) as string)!
    expect(Buffer.from(pkcs1PublicToSpki(pub.der))).toEqual(
      publicKey.export({ type: 'spki', format: 'der' }),
    )
  })

  it('cuts the SubjectPublicKeyInfo out of an X.509 certificate', () => {
    const spki = spkiFromCertificate(parsePem(CERT)!.der)!
    expect(Buffer.from(spki)).toEqual(
      createPublicKey(createPrivateKey(CERT_KEY)).export({ type: 'spki', format: 'der' }),
    )
    expect(spkiFromCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01]))).toBeNull()
    expect(spkiFromCertificate(new Uint8Array())).toBeNull()
  })

  it('parsePem and base64 reject garbage', () => {
    expect(parsePem('hello')).toBeNull()
    expect(parsePem('-----BEGIN X-----\n!!!\n-----END X-----')).toBeNull()
    expect(parsePem('-----BEGIN X-----\n\n-----END X-----')).toBeNull()
    expect(base64ToBytes('A')).toBeNull()
    expect(base64ToBytes('AA=A')).toBeNull()
    expect(bytesToBase64(base64ToBytes('AAEC/w==')!)).toBe('AAEC/w==')
  })
})

describe('BoundedMap', () => {
  it('keeps at most its size, evicting the oldest inserted entry', () => {
    const map = new BoundedMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    expect(map.get('a')).toBe(1)
    map.set('c', 3)
    expect(map.get('a')).toBeUndefined()
    expect(map.get('b')).toBe(2)
    expect(map.get('c')).toBe(3)
    expect(map.size).toBe(2)
    map.set('b', 20) // re-setting makes it the newest
    map.set('d', 4)
    expect(map.get('c')).toBeUndefined()
    expect(map.get('b')).toBe(20)
  })

  it('the Web Crypto HMAC key cache stays bounded across many secrets', async () => {
    const web = getCryptoBackend('web')
    for (let i = 0; i < 500; i++) await web.hmac('SHA-1', `secret-${i}`, 'data')
    // No public size: the bound is the BoundedMap's, checked above; this checks eviction breaks nothing.
    expect(await web.hmac('SHA-1', 'secret-0', 'data')).toBe(
      (await import('node:crypto')).createHmac('sha1', 'secret-0').update('data').digest('base64'),
    )
  })
})

describe('timingSafeEqualString', () => {
  it('compares exactly', () => {
    expect(timingSafeEqualString('abc', 'abc')).toBe(true)
    expect(timingSafeEqualString('abc', 'abd')).toBe(false)
    expect(timingSafeEqualString('abc', 'ab')).toBe(false)
    expect(timingSafeEqualString('', '')).toBe(true)
  })
})

describe('node back end HMAC (RFC 2104 over crypto.hash) against createHmac', () => {
  it('agrees for keys shorter and longer than a block, every hash, any data length', async () => {
    const { createHmac } = await import('node:crypto')
    const backend = getCryptoBackend('node')
    const hashes = [
      ['SHA-1', 'sha1'],
      ['SHA-256', 'sha256'],
      ['SHA-512', 'sha512'],
    ] as const
    const keys = [
      '',
      'k',
      'é&ü',
      'k'.repeat(64),
      'k'.repeat(65),
      'k'.repeat(128),
      'k'.repeat(129),
      // A block or less in UTF-16 units, more than a block in UTF-8 (64, then 128 bytes).
      'é'.repeat(40),
      'é'.repeat(100),
    ]
    const data = [
      '',
      'a',
      'données 😀 \uD800 lone surrogate',
      'x'.repeat(1000),
      'é'.repeat(30_000), // past the scratch buffer's limit: createHmac
      'y'.repeat(70_000),
    ]
    for (const [hash, nodeName] of hashes) {
      for (const key of keys) {
        for (const text of data) {
          expect(backend.hmac(hash, key, text)).toBe(
            createHmac(nodeName, key).update(text).digest('base64'),
          )
        }
      }
    }
    // Interleaved keys and hashes (cached padded keys are per key and per hash).
    for (let i = 0; i < 3; i++) {
      for (const [hash, nodeName] of hashes) {
        expect(backend.hmac(hash, 'a&b', 'base')).toBe(
          createHmac(nodeName, 'a&b').update('base').digest('base64'),
        )
        expect(backend.hmac(hash, 'c&d', 'base')).toBe(
          createHmac(nodeName, 'c&d').update('base').digest('base64'),
        )
      }
    }
  })

  it('a key seen for the first time signs from shared buffers and leaves no key material in them', async () => {
    const nodeCrypto = await import('node:crypto')
    const inputs: Uint8Array[] = []
    const hash = vi.fn((...args: Parameters<typeof nodeCrypto.hash>) => {
      if (args[1] instanceof Uint8Array) inputs.push(args[1])
      return nodeCrypto.hash(...args)
    })
    const backend = createNodeBackend({ ...nodeCrypto, hash } as typeof nodeCrypto)
    const expected = (key: string) =>
      nodeCrypto.createHmac('sha256', key).update('base string').digest('base64')
    for (let round = 0; round < 3; round++) {
      // 'fresh-…' is new every round; 'again&key' is new in round 0, kept from round 1.
      for (const key of [`fresh-${round}&secret`, 'again&key']) {
        inputs.length = 0
        expect(backend.hmac('SHA-256', key, 'base string')).toBe(expected(key))
        const [inner, outer] = inputs as [Uint8Array, Uint8Array]
        expect(inputs).toHaveLength(2)
        // The padded inner key is zeroed after use, whichever path was taken.
        expect(inner.subarray(0, 64).every((byte) => byte === 0)).toBe(true)
        if (round === 0 || key.startsWith('fresh-')) {
          // A first-seen key: the shared outer block is zeroed whole.
          expect(outer.every((byte) => byte === 0)).toBe(true)
        } else {
          // A kept key: its own outer block keeps the opad key, the digest part is zeroed.
          expect(outer.subarray(64).every((byte) => byte === 0)).toBe(true)
          expect(outer.subarray(0, 64).some((byte) => byte !== 0x5c)).toBe(true)
        }
      }
    }
    // Many keys seen once (past the bound of remembered keys), then old ones: still right.
    for (let i = 0; i < 300; i++) backend.hmac('SHA-1', `once-${i}`, 'x')
    for (const key of ['once-0', 'again&key', 'once-299']) {
      expect(backend.hmac('SHA-1', key, 'x')).toBe(
        nodeCrypto.createHmac('sha1', key).update('x').digest('base64'),
      )
    }
  })

  // Both ways of handing the inner digest to the outer hash must stay in use:
  // were one wrong, the check at start-up would quietly fall back to createHmac.
  it.each([
    ['with a global Buffer, as latin1 text', true, 'binary'],
    ['without one (some runtimes), as bytes', false, 'buffer'],
  ])('computes HMAC through crypto.hash %s', async (_name, withBuffer, innerOutput) => {
    const nodeCrypto = await import('node:crypto')
    const hash = vi.fn(nodeCrypto.hash)
    const hashes = [
      ['SHA-1', 'sha1'],
      ['SHA-256', 'sha256'],
      ['SHA-512', 'sha512'],
    ] as const
    const got: string[] = []
    if (!withBuffer) vi.stubGlobal('Buffer', undefined)
    try {
      const backend = createNodeBackend({ ...nodeCrypto, hash } as typeof nodeCrypto)
      hash.mockClear()
      for (const [name] of hashes) got.push(backend.hmac(name, 'buffer&key', 'données') as string)
    } finally {
      vi.unstubAllGlobals()
    }
    expect(got).toEqual(
      hashes.map(([, nodeName]) =>
        nodeCrypto.createHmac(nodeName, 'buffer&key').update('données').digest('base64'),
      ),
    )
    // Two one-shot hashes per HMAC: the inner one in the expected form, the outer in base64.
    expect(hash.mock.calls.map((call) => call[2])).toEqual(
      hashes.flatMap(() => [innerOutput, 'base64']),
    )
  })
})
