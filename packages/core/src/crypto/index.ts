/**
 * Signature computation (RFC 5849 §3.4.2–3.4.4) over two crypto back ends,
 * `node:crypto` where it exists and Web Crypto elsewhere, chosen once when
 * the module loads.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4
 * @module
 */

import { percentEncode } from '../encoding.js'
import type { SignatureMethod } from '../types.js'
import { BoundedMap } from './bounded-map.js'
import { createNodeBackend, loadNodeCrypto } from './node.js'
import { parsePem } from './pem.js'
import type { CryptoBackend, HashName, KeyObjectLike, RsaKey } from './types.js'
import { createWebBackend, hasWebCrypto } from './web.js'

export type { CryptoBackend, HashName, KeyObjectLike, RsaKey } from './types.js'

const nodeCrypto = loadNodeCrypto()
const backends: { node: CryptoBackend | undefined; web: CryptoBackend | undefined } = {
  node: nodeCrypto ? createNodeBackend(nodeCrypto) : undefined,
  web: hasWebCrypto() ? createWebBackend() : undefined,
}

const missingBackend: CryptoBackend = {
  name: 'web',
  hmac: fail,
  rsaSign: fail,
  rsaVerify: fail,
  digest: fail,
}
function fail(): never {
  throw new Error('@oauth1/core: this runtime has neither node:crypto nor crypto.subtle')
}

let active: CryptoBackend = backends.node ?? backends.web ?? missingBackend

/**
 * The named crypto back end (`'node'` or `'web'`), or the one in use when no
 * name is given. Throws when the runtime lacks it.
 * @internal For tests and benchmarks.
 */
export function getCryptoBackend(name?: 'node' | 'web'): CryptoBackend {
  if (name === undefined) return active
  const backend = backends[name]
  if (!backend) throw new Error(`@oauth1/core: the ${name} crypto back end is not available here`)
  return backend
}

/**
 * Chooses the back end every signature uses from now on; returns the one
 * it replaces, so a test can put it back.
 * @internal For tests and benchmarks.
 */
export function setCryptoBackend(backend: CryptoBackend | 'node' | 'web'): CryptoBackend {
  const previous = active
  active = typeof backend === 'string' ? getCryptoBackend(backend) : backend
  return previous
}

/**
 * Runs `fn` with the given back end in use, then restores the previous one.
 * @internal For tests and benchmarks.
 */
export async function withCryptoBackend<T>(
  backend: CryptoBackend | 'node' | 'web',
  fn: () => T | Promise<T>,
): Promise<T> {
  const previous = setCryptoBackend(backend)
  try {
    return await fn()
  } finally {
    active = previous
  }
}

/** The signature methods, with the hash each one uses. */
export const SIGNATURE_METHOD_HASH: Readonly<Record<SignatureMethod, HashName>> = {
  'HMAC-SHA1': 'SHA-1',
  'HMAC-SHA256': 'SHA-256',
  'HMAC-SHA512': 'SHA-512',
  'RSA-SHA1': 'SHA-1',
  'RSA-SHA256': 'SHA-256',
  'RSA-SHA512': 'SHA-512',
  PLAINTEXT: 'SHA-1',
}

/** Every signature method of RFC 5849 §3.4 (and its SHA-256/512 variants), in one list. */
export const SIGNATURE_METHODS: readonly SignatureMethod[] = Object.freeze(
  Object.keys(SIGNATURE_METHOD_HASH) as SignatureMethod[],
)

/** True when `value` names a supported signature method. */
export function isSignatureMethod(value: unknown): value is SignatureMethod {
  return typeof value === 'string' && Object.hasOwn(SIGNATURE_METHOD_HASH, value)
}

/** The secrets and keys a signature is computed with. */
export interface SigningKeys {
  /** The client (consumer) secret; `''` when absent. */
  clientSecret?: string | undefined
  /** The token (or temporary credential) secret; `''` when absent. */
  tokenSecret?: string | undefined
  /** The RSA private key, for `RSA-*` methods. */
  rsaKey?: RsaKey | undefined
}

/** The keys a signature is checked with. */
export interface VerificationKeys {
  clientSecret?: string | undefined
  tokenSecret?: string | undefined
  /** The client's RSA public key (PEM `PUBLIC KEY`, `RSA PUBLIC KEY`, `CERTIFICATE`, a KeyObject or a CryptoKey). */
  rsaPublicKey?: RsaKey | undefined
}

/**
 * The HMAC and PLAINTEXT key of RFC 5849 §3.4.2: the encoded client secret,
 * `&`, and the encoded token secret. The `&` is there even when the token
 * secret is empty.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2
 * @example
 * ```ts
 * signingKey('kd94hf93k423kf44', 'pfkkdhi9sl3r4s00') // 'kd94hf93k423kf44&pfkkdhi9sl3r4s00'
 * signingKey('ja893SD9') // 'ja893SD9&'
 * ```
 */
export function signingKey(clientSecret = '', tokenSecret = ''): string {
  return `${percentEncode(clientSecret)}&${percentEncode(tokenSecret)}`
}

// The last key built: the same string object comes back for the same secrets,
// so the back ends' key caches find it without hashing a new string.
let lastClientSecret: string | undefined
let lastTokenSecret: string | undefined
let lastKey = ''

function memoSigningKey(clientSecret: string, tokenSecret: string): string {
  if (clientSecret !== lastClientSecret || tokenSecret !== lastTokenSecret) {
    lastKey = signingKey(clientSecret, tokenSecret)
    lastClientSecret = clientSecret
    lastTokenSecret = tokenSecret
  }
  return lastKey
}

/** @internal The RSA key option, checked. CryptoKeys are checked here for both back ends alike. */
function checkRsaKey(
  key: RsaKey | undefined,
  hash: HashName,
  type: 'private' | 'public',
  label: string,
  method: string,
): RsaKey {
  if (key === undefined || key === null || (key as unknown) === '') {
    throw new TypeError(`${label} is required for ${method}`)
  }
  if (typeof CryptoKey !== 'undefined' && key instanceof CryptoKey) {
    const algorithm = key.algorithm as RsaHashedKeyAlgorithm
    if (algorithm.name !== 'RSASSA-PKCS1-v1_5') {
      throw new TypeError(`${label} should be an RSASSA-PKCS1-v1_5 CryptoKey`)
    }
    if (algorithm.hash?.name !== hash) {
      throw new TypeError(
        `${label} is a CryptoKey for ${algorithm.hash?.name}; ${method} needs ${hash}`,
      )
    }
    if (key.type !== type) throw new TypeError(`${label} should be a ${type} CryptoKey`)
    return key
  }
  if (
    typeof key !== 'string' &&
    (typeof key !== 'object' || typeof (key as { export?: unknown }).export !== 'function')
  ) {
    throw new TypeError(`${label} should be a PEM string, a KeyObject or a CryptoKey`)
  }
  return key
}

/** PEM private keys that passed {@link checkRsaSigningKey}: parsing one costs far more than the lookup. */
const checkedPrivatePems = new BoundedMap<string, true>(16)

/**
 * @internal The RSA private key of an `RSA-*` method, checked when a client
 * is configured rather than at its first signature: a CryptoKey for the
 * method's hash, an RSA private KeyObject, or a PEM private key (PKCS#1 or
 * PKCS#8; parsed with node:crypto where it exists, its armour and base64
 * checked elsewhere, Web Crypto importing keys only asynchronously).
 */
export function checkRsaSigningKey(key: unknown, method: SignatureMethod, label: string): void {
  const checked = checkRsaKey(
    key as RsaKey,
    SIGNATURE_METHOD_HASH[method],
    'private',
    label,
    method,
  )
  if (typeof CryptoKey !== 'undefined' && checked instanceof CryptoKey) return
  if (typeof checked !== 'string') {
    const object = checked as KeyObjectLike
    if (object.type !== 'private' || object.asymmetricKeyType !== 'rsa') {
      throw new TypeError(`${label} should be an RSA private key`)
    }
    return
  }
  if (checkedPrivatePems.get(checked)) return
  const invalid = () =>
    new TypeError(`${label} should be an unencrypted RSA private key in PEM (PKCS#1 or PKCS#8)`)
  const block = parsePem(checked)
  if (block?.label !== 'PRIVATE KEY' && block?.label !== 'RSA PRIVATE KEY') throw invalid()
  if (nodeCrypto) {
    let object: KeyObjectLike
    try {
      object = nodeCrypto.createPrivateKey(checked)
    } catch {
      throw invalid()
    }
    if (object.asymmetricKeyType !== 'rsa')
      throw new TypeError(`${label} should be an RSA private key`)
  }
  checkedPrivatePems.set(checked, true)
}

/**
 * Computes `oauth_signature` (base64, not yet percent-encoded) for a
 * signature base string: HMAC-SHA1/256/512 with the §3.4.2 key,
 * RSASSA-PKCS1-v1_5 with SHA-1/256/512 and the private key (secrets
 * ignored), or PLAINTEXT, which is the key itself (§3.4.4).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.3
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.4
 * @example
 * ```ts
 * await computeSignature('HMAC-SHA1', baseString, { clientSecret: 'kd94hf93k423kf44', tokenSecret: 'pfkkdhi9sl3r4s00' })
 * // 'tR3+Ty81lMeYAr/Fid0kMTYa/WM='
 * ```
 */
export async function computeSignature(
  method: SignatureMethod,
  baseString: string,
  keys: SigningKeys,
): Promise<string> {
  return signWith(active, method, baseString, keys, 'rsaKey')
}

/** @internal computeSignature on a given back end, naming the RSA key option `label`. */
export function signWith(
  backend: CryptoBackend,
  method: SignatureMethod,
  baseString: string,
  keys: SigningKeys,
  label: string,
): string | PromiseLike<string> {
  switch (method) {
    case 'HMAC-SHA1':
    case 'HMAC-SHA256':
    case 'HMAC-SHA512':
      return backend.hmac(
        SIGNATURE_METHOD_HASH[method],
        memoSigningKey(keys.clientSecret ?? '', keys.tokenSecret ?? ''),
        baseString,
      )
    case 'RSA-SHA1':
    case 'RSA-SHA256':
    case 'RSA-SHA512': {
      const hash = SIGNATURE_METHOD_HASH[method]
      return backend.rsaSign(
        hash,
        checkRsaKey(keys.rsaKey, hash, 'private', label, method),
        baseString,
        label,
      )
    }
    case 'PLAINTEXT':
      return signingKey(keys.clientSecret, keys.tokenSecret)
    default:
      throw new TypeError(`signatureMethod should be one of ${SIGNATURE_METHODS_TEXT}`)
  }
}

/** @internal For error messages. */
export const SIGNATURE_METHODS_TEXT = SIGNATURE_METHODS.join(', ')

/**
 * Compares two strings in time that depends only on their lengths.
 * @internal
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * Checks a received `oauth_signature` (already percent-decoded) against a
 * base string: HMAC and PLAINTEXT by recomputing and comparing in constant
 * time, RSA with the client's public key. Resolves to `false` for a wrong or
 * malformed signature; rejects with a `TypeError` only for a bad key or
 * method argument, and for an HMAC or PLAINTEXT method without
 * `keys.clientSecret` (a string): checking against a missing secret would
 * accept a request anyone can sign. Check `method` against the methods the
 * client may use before calling this: the request names its own.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4
 * @example
 * ```ts
 * const ok = await verifySignature('HMAC-SHA1', baseString, params.oauth_signature, {
 *   clientSecret: client.secret, tokenSecret: token?.secret,
 * })
 * ```
 */
export async function verifySignature(
  method: SignatureMethod,
  baseString: string,
  signature: string,
  keys: VerificationKeys,
): Promise<boolean> {
  if (!isSignatureMethod(method)) {
    throw new TypeError(`method should be one of ${SIGNATURE_METHODS_TEXT}`)
  }
  if (typeof signature !== 'string') return false
  if (method.startsWith('RSA-')) {
    const hash = SIGNATURE_METHOD_HASH[method]
    const key = checkRsaKey(keys.rsaPublicKey, hash, 'public', 'rsaPublicKey', method)
    return active.rsaVerify(hash, key, baseString, signature, 'rsaPublicKey')
  }
  // The key of HMAC and PLAINTEXT starts with the client's shared secret: one
  // left out would check the request against the empty key `&`, which anyone
  // can sign with (an RSA-only client has no shared secret at all).
  if (typeof keys.clientSecret !== 'string') {
    throw new TypeError(
      `${method} is checked with the client's shared secret: pass keys.clientSecret ('' only if the client was given an empty one); a client without a shared secret signs with RSA only`,
    )
  }
  const expected = await signWith(active, method, baseString, keys, 'rsaKey')
  return timingSafeEqualString(expected, signature)
}

/**
 * `oauth_body_hash` (OAuth Request Body Hash draft): the base64 of the body
 * bytes hashed with the signature method's hash (SHA-1 for `*-SHA1` and
 * PLAINTEXT, SHA-256 for `*-SHA256`, SHA-512 for `*-SHA512`). A string is
 * hashed as UTF-8; no body at all hashes the empty string.
 *
 * @see https://datatracker.ietf.org/doc/html/draft-eaton-oauth-bodyhash-00
 * @example
 * ```ts
 * await bodyHash('HMAC-SHA1', 'Hello World!') // 'Lve95gjOVATpfV8EL5X4nxwjKHE='
 * ```
 */
export async function bodyHash(
  method: SignatureMethod,
  body: string | Uint8Array | null | undefined,
): Promise<string> {
  if (!isSignatureMethod(method)) {
    throw new TypeError(`method should be one of ${SIGNATURE_METHODS_TEXT}`)
  }
  return active.digest(SIGNATURE_METHOD_HASH[method], body ?? '')
}
