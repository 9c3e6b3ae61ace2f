import type { Awaitable } from '../types.js'

/** The hash functions OAuth 1.0a signature methods use. */
export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-512'

/**
 * A Node `KeyObject`, described structurally so that the package's types do
 * not require `@types/node` on runtimes without it.
 */
export interface KeyObjectLike {
  readonly type: string
  readonly asymmetricKeyType?: string | undefined
  export(...args: any[]): unknown
}

/**
 * An RSA key: a PEM string (PKCS#1 `RSA PRIVATE KEY`, PKCS#8 `PRIVATE KEY`;
 * for verification also `PUBLIC KEY`, `RSA PUBLIC KEY` or `CERTIFICATE`), a
 * Node `KeyObject`, or a Web Crypto `CryptoKey` (RSASSA-PKCS1-v1_5 with the
 * signature method's hash).
 */
export type RsaKey = string | KeyObjectLike | WebCryptoKey

/**
 * A Web Crypto `CryptoKey`. The global `CryptoKey` type is declared by the
 * DOM lib (and by newer `@types/node`), not by `@types/node` 20 alone, so it
 * is looked up on `globalThis`: where a global `CryptoKey` is declared this is
 * that type, elsewhere (a Node-only project on `@types/node` 20) the shape of
 * one, which `crypto.webcrypto.CryptoKey` and `crypto.subtle`'s keys have.
 */
export type WebCryptoKey = typeof globalThis extends { CryptoKey: { prototype: infer K } }
  ? K
  : CryptoKeyShape

/** The parts of a Web Crypto `CryptoKey` the signer reads, for runtimes without the DOM lib. */
export interface CryptoKeyShape {
  readonly algorithm: { readonly name: string }
  readonly extractable: boolean
  readonly type: string
  readonly usages: readonly string[]
}

/**
 * What the signer needs from a crypto library. Two implementations: Node's
 * `node:crypto` (fast, synchronous underneath) and Web Crypto (Workers,
 * Deno, Bun, browsers). Every result is base64 (standard alphabet, padded).
 * @internal
 */
export interface CryptoBackend {
  readonly name: 'node' | 'web'
  /** HMAC of the UTF-8 bytes of `data` under the UTF-8 bytes of `key`. */
  hmac(hash: HashName, key: string, data: string): Awaitable<string>
  /** RSASSA-PKCS1-v1_5 signature of the UTF-8 bytes of `data`. `label` names the key option in errors. */
  rsaSign(hash: HashName, key: RsaKey, data: string, label: string): Awaitable<string>
  /** Verifies an RSASSA-PKCS1-v1_5 signature (base64) with a public key (or a private key's public half). */
  rsaVerify(
    hash: HashName,
    key: RsaKey,
    data: string,
    signature: string,
    label: string,
  ): Awaitable<boolean>
  /** Digest of `data` (UTF-8 when a string). */
  digest(hash: HashName, data: string | Uint8Array): Awaitable<string>
}
