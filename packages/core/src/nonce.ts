/**
 * Nonces and timestamps (RFC 5849 §3.3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.3
 * @module
 */

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, '0'),
)
const NONCE_BYTES = 16

/**
 * A fresh nonce: 16 bytes from the platform CSPRNG
 * (`crypto.getRandomValues`), as 32 lowercase hex characters. Never
 * `Math.random()`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.3
 * @example
 * ```ts
 * generateNonce() // '1f0c5e9d2b7a4c3e8f6a0b1c2d3e4f50'
 * ```
 */
export function generateNonce(): string {
  const bytes = new Uint8Array(NONCE_BYTES)
  globalThis.crypto.getRandomValues(bytes)
  let nonce = ''
  for (let i = 0; i < NONCE_BYTES; i++) nonce += HEX[bytes[i]!]
  return nonce
}

/**
 * The current time as whole seconds since the epoch, as a string (not
 * milliseconds: a common bug). `clockOffset` (milliseconds, may be negative)
 * corrects a local clock that disagrees with the provider's, for example
 * `Date.parse(response.headers.get('date')) - Date.now()`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.3
 * @example
 * ```ts
 * generateTimestamp()        // '1318622958'
 * generateTimestamp(-60_000) // one minute earlier
 * ```
 */
export function generateTimestamp(clockOffset = 0): string {
  return String(Math.floor((Date.now() + clockOffset) / 1000))
}
