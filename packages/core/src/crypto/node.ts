/**
 * The node:crypto back end: the fast path wherever `node:crypto` exists
 * (Node, Bun, Deno, Workers with nodejs_compat). It is obtained through
 * `process.getBuiltinModule`, never a static import, so that the package
 * still loads where there is no `node:crypto`.
 * @internal
 */

import type * as NodeCrypto from 'node:crypto'
import { BoundedMap } from './bounded-map.js'
import { base64ToBytes, bytesToBase64 } from './pem.js'
import type { CryptoBackend, HashName, RsaKey } from './types.js'

type NodeCryptoModule = typeof NodeCrypto
type KeyObject = NodeCrypto.KeyObject

const utf8 = new TextEncoder()

const NODE_HASH: Readonly<Record<HashName, string>> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-512': 'sha512',
}

/** `node:crypto`, or undefined on runtimes without it. */
export function loadNodeCrypto(): NodeCryptoModule | undefined {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process
    const mod = proc?.getBuiltinModule?.('node:crypto') as NodeCryptoModule | undefined
    return mod && typeof mod.createHmac === 'function' ? mod : undefined
  } catch {
    return undefined
  }
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return typeof CryptoKey !== 'undefined' && key instanceof CryptoKey
}

/** Creates the back end over a `node:crypto` module. */
export function createNodeBackend(crypto: NodeCryptoModule): CryptoBackend {
  // Parsing a PEM costs far more than signing with it: keep the last few.
  const privateKeys = new BoundedMap<string, KeyObject>(16)
  const publicKeys = new BoundedMap<string, KeyObject>(16)
  const hmacKeys = new BoundedMap<string, KeyObject>(64)
  let lastHmacKey: string | undefined
  let lastHmacKeyObject: KeyObject | undefined

  function privateKey(key: RsaKey, label: string): KeyObject {
    let object: KeyObject
    if (typeof key === 'string') {
      const cached = privateKeys.get(key)
      if (cached) return cached
      try {
        object = crypto.createPrivateKey(key)
      } catch {
        throw new TypeError(
          `${label} should be an unencrypted RSA private key in PEM (PKCS#1 or PKCS#8)`,
        )
      }
      checkRsa(object, 'private', label)
      privateKeys.set(key, object)
      return object
    }
    object = isCryptoKey(key) ? crypto.KeyObject.from(key) : (key as KeyObject)
    checkRsa(object, 'private', label)
    return object
  }

  function publicKey(key: RsaKey, label: string): KeyObject {
    let object: KeyObject
    if (typeof key === 'string') {
      const cached = publicKeys.get(key)
      if (cached) return cached
      try {
        object = key.includes('-----BEGIN CERTIFICATE-----')
          ? new crypto.X509Certificate(key).publicKey
          : crypto.createPublicKey(key)
      } catch {
        throw new TypeError(
          `${label} should be an RSA public key, certificate or private key in PEM`,
        )
      }
      checkRsa(object, 'public', label)
      publicKeys.set(key, object)
      return object
    }
    object = isCryptoKey(key) ? crypto.KeyObject.from(key) : (key as KeyObject)
    if (object.type === 'private') object = crypto.createPublicKey(object)
    checkRsa(object, 'public', label)
    return object
  }

  function checkRsa(object: KeyObject, type: 'private' | 'public', label: string): void {
    if (
      !(object instanceof crypto.KeyObject) ||
      object.type !== type ||
      object.asymmetricKeyType !== 'rsa'
    ) {
      throw new TypeError(
        type === 'private'
          ? `${label} should be an RSA private key`
          : `${label} should be an RSA public key`,
      )
    }
  }

  return {
    name: 'node',
    hmac(hash, key, data) {
      // A string key is turned into a key object on every call; keep the last few,
      // and the very last one at hand (the same key string comes back, see index.ts).
      let secret: KeyObject | undefined
      if (key === lastHmacKey) {
        secret = lastHmacKeyObject
      } else {
        secret = hmacKeys.get(key)
        if (secret === undefined) {
          secret = crypto.createSecretKey(utf8.encode(key))
          hmacKeys.set(key, secret)
        }
        lastHmacKey = key
        lastHmacKeyObject = secret
      }
      return crypto.createHmac(NODE_HASH[hash], secret!).update(data).digest('base64')
    },
    rsaSign(hash, key, data, label) {
      const object = privateKey(key, label)
      return crypto.sign(NODE_HASH[hash], utf8.encode(data), object).toString('base64')
    },
    rsaVerify(hash, key, data, signature, label) {
      const object = publicKey(key, label)
      const bytes = base64ToBytes(signature)
      // Only the canonical base64 of a signature is accepted.
      if (!bytes || bytes.length === 0 || bytesToBase64(bytes) !== signature) return false
      return crypto.verify(NODE_HASH[hash], utf8.encode(data), object, bytes)
    },
    digest(hash, data) {
      return crypto.createHash(NODE_HASH[hash]).update(data).digest('base64')
    },
  }
}
