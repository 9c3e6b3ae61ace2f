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

/** Block sizes of the hashes, for HMAC's padded keys (RFC 2104). */
const HASH_BLOCK: Readonly<Record<HashName, number>> = {
  'SHA-1': 64,
  'SHA-256': 64,
  'SHA-512': 128,
}
/** Longer data goes through createHmac rather than a larger scratch buffer. */
const SCRATCH_LIMIT = 64 * 1024

/** Digest lengths, for the outer block (the opad key followed by the inner digest). */
const HASH_LENGTH: Readonly<Record<HashName, number>> = {
  'SHA-1': 20,
  'SHA-256': 32,
  'SHA-512': 64,
}

/**
 * The key XORed with ipad (one block), and the key XORed with opad followed
 * by room for the inner digest: the outer hash's whole input, hashed in place
 * (no view to create, no pad to copy), the digest part zeroed after each use.
 */
interface HmacPads {
  inner: Uint8Array
  outerBlock: Uint8Array
  /** A Node Buffer over outerBlock (where Buffer exists), to write the inner digest as latin1. */
  outerWriter: Buffer | undefined
}

/** One HMAC key: its bytes, its KeyObject and its padded keys per hash. */
interface HmacKey {
  bytes: Uint8Array
  /** Made on first use by createHmac only: most keys never need one (a login's temporary secret signs once). */
  object: KeyObject | undefined
  pads: Partial<Record<HashName, HmacPads>>
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return typeof CryptoKey !== 'undefined' && key instanceof CryptoKey
}

/** Creates the back end over a `node:crypto` module. */
export function createNodeBackend(crypto: NodeCryptoModule): CryptoBackend {
  // Parsing a PEM costs far more than signing with it: keep the last few.
  const privateKeys = new BoundedMap<string, KeyObject>(16)
  const publicKeys = new BoundedMap<string, KeyObject>(16)
  const hmacKeys = new BoundedMap<string, HmacKey>(64)
  let lastHmacKey: string | undefined
  let lastHmacEntry: HmacKey | undefined

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

  // HMAC (RFC 2104) over the one-shot hash: H((K ^ opad) || H((K ^ ipad) || data)).
  // crypto.hash skips the Hmac object createHmac builds on every call, which
  // costs more than hashing a base string twice. The padded keys are derived
  // once per key (kept with the KeyObjects, in the same bounded map); where
  // crypto.hash is missing or disagrees with createHmac, createHmac it is.
  const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined
  let scratch = new Uint8Array(1024)
  // Views of the scratch buffer past one block (64 or 128 bytes), where the data goes.
  let after64 = scratch.subarray(64)
  let after128 = scratch.subarray(128)
  let useOneShot = oneShot !== undefined

  function pads(entry: HmacKey, hash: HashName): HmacPads {
    let padded = entry.pads[hash]
    if (padded === undefined) {
      const block = HASH_BLOCK[hash]
      let keyBytes: Uint8Array = entry.bytes
      if (keyBytes.length > block)
        keyBytes = crypto.createHash(NODE_HASH[hash]).update(keyBytes).digest()
      const inner = new Uint8Array(block).fill(0x36)
      const outerBlock = new Uint8Array(block + HASH_LENGTH[hash]).fill(0x5c, 0, block)
      for (let i = 0; i < keyBytes.length; i++) {
        inner[i]! ^= keyBytes[i]!
        outerBlock[i]! ^= keyBytes[i]!
      }
      // Node's Buffer, where the runtime has one (read once per key and hash).
      const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer
      padded = {
        inner,
        outerBlock,
        outerWriter:
          NodeBuffer === undefined
            ? undefined
            : NodeBuffer.from(outerBlock.buffer, outerBlock.byteOffset, outerBlock.length),
      }
      entry.pads[hash] = padded
    }
    return padded
  }

  /** The HMAC through crypto.hash, or undefined when `data` is too long for the scratch buffer. */
  function hmacOneShot(hash: HashName, entry: HmacKey, data: string): string | undefined {
    const block = HASH_BLOCK[hash]
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const most = block + data.length * 3
    if (most > SCRATCH_LIMIT) return undefined
    if (scratch.length < most) {
      scratch = new Uint8Array(Math.min(SCRATCH_LIMIT, Math.max(most, scratch.length * 2)))
      after64 = scratch.subarray(64)
      after128 = scratch.subarray(128)
    }
    const { inner, outerBlock, outerWriter } = pads(entry, hash)
    scratch.set(inner, 0)
    const written = utf8.encodeInto(data, block === 64 ? after64 : after128).written
    const name = NODE_HASH[hash]
    const innerData = new Uint8Array(scratch.buffer, 0, block + written)
    if (outerWriter !== undefined) {
      // The inner digest as a latin1 string (one character per byte; 'binary'
      // is Node's name for latin1), written into the outer block: a digest
      // returned as a Buffer costs a new ArrayBuffer, which measured dearer
      // than both hashes together.
      const innerDigest = oneShot!(name, innerData, 'binary')
      outerWriter.write(innerDigest, block, HASH_LENGTH[hash], 'latin1')
    } else {
      outerBlock.set(oneShot!(name, innerData, 'buffer') as unknown as Uint8Array, block)
    }
    // No key material left behind in the shared buffer (the data is the base string).
    scratch.fill(0, 0, block)
    const signature = oneShot!(name, outerBlock, 'base64')
    // Nor the inner digest in the outer block.
    outerBlock.fill(0, block)
    return signature
  }

  function hmacKey(key: string): HmacKey {
    // The same key string comes back (see index.ts): the very last one is at hand.
    if (key === lastHmacKey) return lastHmacEntry!
    let entry = hmacKeys.get(key)
    if (entry === undefined) {
      const bytes = utf8.encode(key)
      entry = { bytes, object: undefined, pads: {} }
      hmacKeys.set(key, entry)
    }
    lastHmacKey = key
    lastHmacEntry = entry
    return entry
  }

  function hmacObject(hash: HashName, entry: HmacKey, data: string): string {
    entry.object ??= crypto.createSecretKey(entry.bytes)
    return crypto.createHmac(NODE_HASH[hash], entry.object).update(data).digest('base64')
  }

  if (useOneShot) {
    // Checked once against createHmac (short and long keys, every hash, non-ASCII data).
    try {
      const probe = {
        bytes: utf8.encode('k\u00e9y'),
        object: crypto.createSecretKey(utf8.encode('k\u00e9y')),
        pads: {},
      }
      const long = utf8.encode('k'.repeat(200))
      const longProbe = { bytes: long, object: crypto.createSecretKey(long), pads: {} }
      for (const hash of ['SHA-1', 'SHA-256', 'SHA-512'] as const) {
        for (const entry of [probe, longProbe]) {
          if (
            hmacOneShot(hash, entry, 'd\u00e0ta\u{1F600}') !==
            hmacObject(hash, entry, 'd\u00e0ta\u{1F600}')
          ) {
            useOneShot = false
          }
        }
      }
    } catch {
      useOneShot = false
    }
  }

  return {
    name: 'node',
    hmac(hash, key, data) {
      const entry = hmacKey(key)
      if (useOneShot) {
        const signature = hmacOneShot(hash, entry, data)
        if (signature !== undefined) return signature
      }
      return hmacObject(hash, entry, data)
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
