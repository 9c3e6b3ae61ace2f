/**
 * Signature checks as a provider makes them (RFC 5849 §3.4). The base string,
 * the HMAC/RSA/PLAINTEXT verification and the body hash are `@oauth1/core`'s
 * (`signatureBaseString`, `verifySignature`, `bodyHash`); the tests of this
 * package also sign with two independent clients (`oauth-1.0a`, `oauth`), so a
 * bug shared by the core's signer and verifier cannot hide.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4
 */
import { timingSafeEqual } from 'node:crypto'

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
