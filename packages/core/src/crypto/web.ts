/**
 * The Web Crypto back end (`crypto.subtle`): Workers, Deno, Bun, browsers.
 * HMAC keys are imported once per secret and kept in a small LRU map; RSA
 * keys are imported from PEM (PKCS#8 directly, PKCS#1 wrapped into PKCS#8),
 * from a Node `KeyObject`, or used as given when already a `CryptoKey`.
 * @internal
 */

import { BoundedMap } from './bounded-map.js'
import {
  base64ToBytes,
  bytesToBase64,
  parsePem,
  pkcs1PrivateToPkcs8,
  pkcs1PublicToSpki,
  spkiFromCertificate,
} from './pem.js'
import type { CryptoBackend, HashName, KeyObjectLike, RsaKey } from './types.js'

const utf8 = new TextEncoder()

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle
  if (!s) throw new Error('@oauth1/core: this runtime has neither node:crypto nor crypto.subtle')
  return s
}

/** True when the runtime has Web Crypto. */
export function hasWebCrypto(): boolean {
  return typeof (globalThis as { crypto?: Crypto }).crypto?.subtle?.sign === 'function'
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return typeof CryptoKey !== 'undefined' && key instanceof CryptoKey
}

/** Creates the Web Crypto back end. */
export function createWebBackend(): CryptoBackend {
  const hmacKeys = new BoundedMap<string, Promise<CryptoKey>>(64)
  const rsaKeys = new BoundedMap<string, Promise<CryptoKey>>(16)

  function hmacKey(hash: HashName, secret: string): Promise<CryptoKey> {
    const id = `${hash}\n${secret}`
    let key = hmacKeys.get(id)
    if (!key) {
      // Web Crypto refuses an empty HMAC key; HMAC pads keys with zero bytes, so one
      // zero byte is the same key.
      const bytes = secret === '' ? new Uint8Array(1) : utf8.encode(secret)
      key = subtle().importKey('raw', bytes, { name: 'HMAC', hash }, false, ['sign'])
      hmacKeys.set(id, key)
      // A failed import must not stay cached.
      key.catch(() => hmacKeys.delete(id))
    }
    return key
  }

  function importRsa(
    hash: HashName,
    type: 'private' | 'public',
    key: Exclude<RsaKey, CryptoKey>,
    label: string,
  ): Promise<CryptoKey> {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash }
    const usage: KeyUsage[] = type === 'private' ? ['sign'] : ['verify']
    const invalid = () =>
      new TypeError(
        type === 'private'
          ? `${label} should be an unencrypted RSA private key in PEM (PKCS#1 or PKCS#8)`
          : `${label} should be an RSA public key, certificate or private key in PEM`,
      )
    if (typeof key === 'string') {
      const id = `${type}\n${hash}\n${key}`
      const cached = rsaKeys.get(id)
      if (cached) return cached
      const block = parsePem(key)
      let format: 'pkcs8' | 'spki'
      let der: Uint8Array | null = null
      if (type === 'private') {
        format = 'pkcs8'
        if (block?.label === 'PRIVATE KEY') der = block.der
        else if (block?.label === 'RSA PRIVATE KEY') der = pkcs1PrivateToPkcs8(block.der)
      } else {
        format = 'spki'
        if (block?.label === 'PUBLIC KEY') der = block.der
        else if (block?.label === 'RSA PUBLIC KEY') der = pkcs1PublicToSpki(block.der)
        else if (block?.label === 'CERTIFICATE') der = spkiFromCertificate(block.der)
        else if (block?.label === 'PRIVATE KEY' || block?.label === 'RSA PRIVATE KEY') {
          return publicFromPrivatePem(hash, key, label)
        }
      }
      if (!der) return Promise.reject(invalid())
      const imported = subtle()
        .importKey(format, der as Uint8Array<ArrayBuffer>, algorithm, false, usage)
        .catch(() => {
          rsaKeys.delete(id)
          throw invalid()
        })
      rsaKeys.set(id, imported)
      return imported
    }
    // A Node KeyObject (only when Web Crypto is chosen where node:crypto also
    // exists, as in tests): go through its PEM.
    const object = key as KeyObjectLike
    if (typeof object?.export !== 'function' || object.asymmetricKeyType !== 'rsa') {
      return Promise.reject(
        new TypeError(`${label} should be a PEM string, a KeyObject or a CryptoKey`),
      )
    }
    if (type === 'private' && object.type !== 'private') {
      return Promise.reject(new TypeError(`${label} should be an RSA private key`))
    }
    const pem = object.export(
      object.type === 'private'
        ? { format: 'pem', type: 'pkcs8' }
        : { format: 'pem', type: 'spki' },
    )
    return importRsa(hash, type, String(pem), label)
  }

  /** Web Crypto cannot derive a public key from a private one, except through JWK. */
  async function publicFromPrivatePem(
    hash: HashName,
    pem: string,
    label: string,
  ): Promise<CryptoKey> {
    const block = parsePem(pem)!
    const der = block.label === 'PRIVATE KEY' ? block.der : pkcs1PrivateToPkcs8(block.der)
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash }
    try {
      const priv = await subtle().importKey(
        'pkcs8',
        der as Uint8Array<ArrayBuffer>,
        algorithm,
        true,
        ['sign'],
      )
      const jwk = await subtle().exportKey('jwk', priv)
      return await subtle().importKey(
        'jwk',
        { kty: 'RSA', n: jwk.n!, e: jwk.e!, ext: true },
        algorithm,
        false,
        ['verify'],
      )
    } catch {
      throw new TypeError(`${label} should be an RSA public key, certificate or private key in PEM`)
    }
  }

  async function rsaKey(
    hash: HashName,
    type: 'private' | 'public',
    key: RsaKey,
    label: string,
  ): Promise<CryptoKey> {
    // CryptoKeys were checked by the caller (crypto/index.ts).
    if (isCryptoKey(key)) return key
    return importRsa(hash, type, key, label)
  }

  return {
    name: 'web',
    async hmac(hash, key, data) {
      const k = await hmacKey(hash, key)
      return bytesToBase64(new Uint8Array(await subtle().sign('HMAC', k, utf8.encode(data))))
    },
    async rsaSign(hash, key, data, label) {
      const k = await rsaKey(hash, 'private', key, label)
      return bytesToBase64(
        new Uint8Array(await subtle().sign('RSASSA-PKCS1-v1_5', k, utf8.encode(data))),
      )
    },
    async rsaVerify(hash, key, data, signature, label) {
      const k = await rsaKey(hash, 'public', key, label)
      const bytes = base64ToBytes(signature)
      if (!bytes || bytes.length === 0 || bytesToBase64(bytes) !== signature) return false
      return subtle().verify(
        'RSASSA-PKCS1-v1_5',
        k,
        bytes as Uint8Array<ArrayBuffer>,
        utf8.encode(data),
      )
    },
    async digest(hash, data) {
      const bytes = typeof data === 'string' ? utf8.encode(data) : data
      return bytesToBase64(
        new Uint8Array(await subtle().digest(hash, bytes as Uint8Array<ArrayBuffer>)),
      )
    },
  }
}
