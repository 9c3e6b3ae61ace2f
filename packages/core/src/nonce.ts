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
// One CSPRNG call fills 256 nonces' worth of bytes: a call costs far more
// than the bytes (as in Node's own randomUUID cache). Each byte is used once.
const POOL_BYTES = NONCE_BYTES * 256
let pool: Uint8Array<ArrayBuffer> | undefined
let poolOffset = POOL_BYTES
let hexView: Buffer | undefined

/**
 * A fresh nonce: 16 bytes from the platform CSPRNG
 * (`crypto.getRandomValues`, drawn in batches), as 32 lowercase hex
 * characters. Never `Math.random()`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.3
 * @example
 * ```ts
 * generateNonce() // '1f0c5e9d2b7a4c3e8f6a0b1c2d3e4f50'
 * ```
 */
export function generateNonce(): string {
  if (poolOffset === POOL_BYTES || pool === undefined) {
    if (pool === undefined) {
      pool = new Uint8Array(POOL_BYTES)
      const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer
      hexView = NodeBuffer ? NodeBuffer.from(pool.buffer, pool.byteOffset, POOL_BYTES) : undefined
    }
    globalThis.crypto.getRandomValues(pool)
    poolOffset = 0
  }
  const bytes = pool
  const start = poolOffset
  poolOffset += NONCE_BYTES
  let nonce: string
  if (hexView !== undefined) {
    // Node's Buffer writes hex natively, as one flat string.
    nonce = hexView.toString('hex', start, start + NONCE_BYTES)
  } else {
    nonce = ''
    for (let i = start; i < start + NONCE_BYTES; i++) nonce += HEX[bytes[i]!]
  }
  // The used bytes are not wiped: a nonce is public the moment it is sent.
  return nonce
}

/**
 * Drops the unused random bytes, so the next nonce draws fresh ones.
 * @internal For tests.
 */
export function resetNoncePool(): void {
  pool?.fill(0)
  poolOffset = POOL_BYTES
}

/** @internal The largest clock correction accepted, in ms (about 31 years): more is a bug, not skew. */
export const MAX_CLOCK_OFFSET = 1e12

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
  const seconds = Math.floor((Date.now() + clockOffset) / 1000)
  if (seconds !== lastSeconds) {
    lastSeconds = seconds
    lastTimestamp = String(seconds)
  }
  return lastTimestamp
}

// Many requests are signed within one second: keep its string.
let lastSeconds = Number.NaN
let lastTimestamp = ''
