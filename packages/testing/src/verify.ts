/**
 * Signature checks as a provider makes them (RFC 5849 §3.4): the base string,
 * the HMAC/RSA/PLAINTEXT verification and the body hash, written here on
 * node:crypto and WHATWG URL alone. None of it comes from `@oauth1/core`: the
 * provider is the oracle the core's own signer and its users' clients are
 * tested against, so a bug in the core's encoding, sorting or signing key
 * must make their requests fail here, not be repeated on both sides.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4
 */
import {
  constants,
  createHash,
  createHmac,
  verify as cryptoVerify,
  type KeyObject,
  timingSafeEqual,
} from 'node:crypto'

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8')
  const bb = Buffer.from(b, 'utf8')
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab)
    return false
  }
  return timingSafeEqual(ab, bb)
}

const HASHES: Readonly<Record<string, 'sha1' | 'sha256' | 'sha512'>> = {
  'HMAC-SHA1': 'sha1',
  'HMAC-SHA256': 'sha256',
  'HMAC-SHA512': 'sha512',
  'RSA-SHA1': 'sha1',
  'RSA-SHA256': 'sha256',
  'RSA-SHA512': 'sha512',
  PLAINTEXT: 'sha1',
}

/**
 * RFC 5849 §3.6: every UTF-8 byte but `A-Z a-z 0-9 - . _ ~` as `%XX`, in
 * uppercase hex.
 *
 * @example
 * ```ts
 * pct("!*'() é") // '%21%2A%27%28%29%20%C3%A9'
 * ```
 */
export function pct(value: string): string {
  let out = ''
  for (const byte of Buffer.from(value, 'utf8')) {
    const unreserved =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d ||
      byte === 0x2e ||
      byte === 0x5f ||
      byte === 0x7e
    out += unreserved
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * The signature base string (§3.4.1) of a request as received: the method in
 * uppercase, the base string URI (scheme and host lowercased, the default port
 * dropped, the path as sent, no query), and the decoded parameters (every
 * source, `oauth_signature` left out, `realm` never given) encoded and sorted
 * by name then value in byte order, repeats kept.
 *
 * @example
 * ```ts
 * baseString('GET', 'http://Example.com:80/a', [['b', '2'], ['a', '1']])
 * // 'GET&http%3A%2F%2Fexample.com%2Fa&a%3D1%26b%3D2'
 * ```
 */
export function baseString(method: string, url: string, params: [string, string][]): string {
  const u = new URL(url)
  // The path as sent, from the string itself: a URL parser resolves `/a/../b`
  // to `/b`, and a signature over `/b` would then pass for a request to `/a/../b`.
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url)
  const rest = authority === null ? u.pathname : url.slice(authority[0].length)
  const path = rest.split(/[?#]/, 1)[0] || '/'
  const uri = `${u.protocol}//${u.host}${path}`
  const pairs: [string, string][] = []
  for (const [k, v] of params) if (k !== 'oauth_signature') pairs.push([pct(k), pct(v)])
  // Encoded names and values are ASCII: string order is byte order.
  pairs.sort(([ak, av], [bk, bv]) =>
    ak !== bk ? (ak < bk ? -1 : 1) : av < bv ? -1 : av > bv ? 1 : 0,
  )
  const normalized = pairs.map(([k, v]) => `${k}=${v}`).join('&')
  return `${pct(method.toUpperCase())}&${pct(uri)}&${pct(normalized)}`
}

/** What a signature is checked with. */
export interface VerificationKeys {
  clientSecret: string | undefined
  tokenSecret: string
  publicKey: KeyObject | undefined
}

/**
 * Checks `signature` (as decoded from the request) for `method` over `base`
 * (§3.4.2–3.4.4): HMAC over the key `pct(client secret)&pct(token secret)`,
 * RSASSA-PKCS1-v1_5 with the client's public key (only the canonical base64
 * of a signature), or PLAINTEXT equal to that key.
 */
export function verifySignature(
  method: string,
  base: string,
  signature: string,
  keys: VerificationKeys,
): boolean {
  const hash = HASHES[method]
  if (hash === undefined) return false
  const key = `${pct(keys.clientSecret ?? '')}&${pct(keys.tokenSecret)}`
  if (method === 'PLAINTEXT') return safeEqual(signature, key)
  if (method.startsWith('HMAC-')) {
    return safeEqual(createHmac(hash, key).update(base, 'utf8').digest('base64'), signature)
  }
  if (keys.publicKey === undefined) return false
  const bytes = Buffer.from(signature, 'base64')
  if (bytes.length === 0 || bytes.toString('base64') !== signature) return false
  return cryptoVerify(
    hash,
    Buffer.from(base, 'utf8'),
    { key: keys.publicKey, padding: constants.RSA_PKCS1_PADDING },
    bytes,
  )
}

/** `oauth_body_hash` of `body`: base64 of its bytes hashed with the signature method's hash. */
export function bodyHashOf(method: string, body: Buffer): string {
  return createHash(HASHES[method] ?? 'sha1')
    .update(body)
    .digest('base64')
}
