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

/** The opad key and room for the inner digest of a first-seen key: one per hash, shared. */
type SharedOuterBlock = Omit<HmacPads, 'inner'>

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
  // A key seen once maps to null: its padded keys are written per call into
  // shared buffers, and only a key that signs again gets its own (most sign
  // once: a login's temporary secret).
  const hmacKeys = new BoundedMap<string, HmacKey | null>(64)
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
  // costs more than hashing a base string twice. A key that signs more than
  // once has its padded keys derived once (kept with its KeyObject, in the
  // bounded map); a key seen for the first time has them written into shared
  // buffers, as allocating them costs more than the HMAC itself. Where
  // crypto.hash is missing or disagrees with createHmac, createHmac it is.
  const oneShot = typeof crypto.hash === 'function' ? crypto.hash : undefined
  let scratch = new Uint8Array(1024)
  // Views of the scratch buffer past one block (64 or 128 bytes), where the data goes.
  let after64 = scratch.subarray(64)
  let after128 = scratch.subarray(128)
  // A first-seen key's UTF-8 when it is at most a block long in UTF-16 units (3 bytes each).
  const keyScratch = new Uint8Array(3 * 128)
  // The outer blocks of first-seen keys, one per hash, zeroed whole after each use.
  const sharedOuter: Partial<Record<HashName, SharedOuterBlock>> = {}
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
      padded = { inner, outerBlock, outerWriter: writerOver(outerBlock) }
      entry.pads[hash] = padded
    }
    return padded
  }

  /** Node's Buffer over `block` where the runtime has one, to write a digest into it as latin1. */
  function writerOver(block: Uint8Array): Buffer | undefined {
    const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer
    return NodeBuffer === undefined
      ? undefined
      : NodeBuffer.from(block.buffer, block.byteOffset, block.length)
  }

  /**
   * A first-seen key's padded keys: the ipad key written into the scratch
   * buffer's first block, the opad key into the shared outer block of `hash`.
   */
  function padInPlace(hash: HashName, key: string): SharedOuterBlock {
    const block = HASH_BLOCK[hash]
    const name = NODE_HASH[hash]
    let keyBytes: Uint8Array = keyScratch
    let keyLength: number
    if (key.length > block) {
      // Longer than a block in any encoding: K is its digest.
      keyBytes = oneShot!(name, key, 'buffer') as unknown as Uint8Array
      keyLength = keyBytes.length
    } else {
      keyLength = utf8.encodeInto(key, keyScratch).written
      if (keyLength > block) {
        keyBytes = oneShot!(
          name,
          keyScratch.subarray(0, keyLength),
          'buffer',
        ) as unknown as Uint8Array
        keyScratch.fill(0, 0, keyLength)
        keyLength = keyBytes.length
      }
    }
    let outer = sharedOuter[hash]
    if (outer === undefined) {
      const outerBlock = new Uint8Array(block + HASH_LENGTH[hash])
      outer = { outerBlock, outerWriter: writerOver(outerBlock) }
      sharedOuter[hash] = outer
    }
    const outerBlock = outer.outerBlock
    scratch.fill(0x36, 0, block)
    outerBlock.fill(0x5c, 0, block)
    for (let i = 0; i < keyLength; i++) {
      const byte = keyBytes[i]!
      scratch[i]! ^= byte
      outerBlock[i]! ^= byte
    }
    keyBytes.fill(0, 0, keyLength)
    return outer
  }

  /**
   * The HMAC through crypto.hash, or undefined when `data` is too long for the
   * scratch buffer; `entry` undefined for a first-seen key.
   */
  function hmacOneShot(
    hash: HashName,
    entry: HmacKey | undefined,
    key: string,
    data: string,
  ): string | undefined {
    const block = HASH_BLOCK[hash]
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const most = block + data.length * 3
    if (most > SCRATCH_LIMIT) return undefined
    if (scratch.length < most) {
      scratch = new Uint8Array(Math.min(SCRATCH_LIMIT, Math.max(most, scratch.length * 2)))
      after64 = scratch.subarray(64)
      after128 = scratch.subarray(128)
    }
    let outerBlock: Uint8Array
    let outerWriter: Buffer | undefined
    if (entry !== undefined) {
      const padded = pads(entry, hash)
      scratch.set(padded.inner, 0)
      outerBlock = padded.outerBlock
      outerWriter = padded.outerWriter
    } else {
      const shared = padInPlace(hash, key)
      outerBlock = shared.outerBlock
      outerWriter = shared.outerWriter
    }
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
    // Nor the inner digest in a kept outer block, nor anything in a shared one.
    if (entry !== undefined) outerBlock.fill(0, block)
    else outerBlock.fill(0)
    return signature
  }

  /** The kept entry of `key`, or undefined the first time it is seen (then remembered as seen). */
  function hmacKey(key: string): HmacKey | undefined {
    // The same key string comes back (see index.ts): the very last one is at hand.
    if (key === lastHmacKey) return lastHmacEntry
    const known = hmacKeys.get(key)
    if (known === undefined) {
      hmacKeys.set(key, null)
      return undefined
    }
    let entry = known
    if (entry === null) {
      entry = { bytes: utf8.encode(key), object: undefined, pads: {} }
      hmacKeys.set(key, entry)
    }
    lastHmacKey = key
    lastHmacEntry = entry
    return entry
  }

  function hmacObject(
    hash: HashName,
    entry: HmacKey | undefined,
    key: string,
    data: string,
  ): string {
    if (entry === undefined)
      return crypto.createHmac(NODE_HASH[hash], key).update(data).digest('base64')
    entry.object ??= crypto.createSecretKey(entry.bytes)
    return crypto.createHmac(NODE_HASH[hash], entry.object).update(data).digest('base64')
  }

  if (useOneShot) {
    // Checked once against createHmac (short and long keys, every hash, non-ASCII data).
    try {
      // Short; long in UTF-16 units; at most a block of units but over a block of UTF-8.
      const keys = ['k\u00e9y', 'k'.repeat(200), '\u00e9'.repeat(60)]
      for (const hash of ['SHA-1', 'SHA-256', 'SHA-512'] as const) {
        for (const key of keys) {
          const entry: HmacKey = { bytes: utf8.encode(key), object: undefined, pads: {} }
          const expected = hmacObject(hash, entry, key, 'd\u00e0ta\u{1F600}')
          if (
            hmacOneShot(hash, entry, key, 'd\u00e0ta\u{1F600}') !== expected ||
            hmacOneShot(hash, undefined, key, 'd\u00e0ta\u{1F600}') !== expected ||
            hmacObject(hash, undefined, key, 'd\u00e0ta\u{1F600}') !== expected
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
        const signature = hmacOneShot(hash, entry, key, data)
        if (signature !== undefined) return signature
      }
      return hmacObject(hash, entry, key, data)
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
