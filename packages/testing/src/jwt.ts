/** Compact JWS with HS256 (RFC 7515, RFC 7518 §3.2), on node:crypto. */
import { createHmac } from 'node:crypto'

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url')
}

/**
 * Signs `claims` as a compact JWT: `base64url(header).base64url(claims).base64url(HMAC-SHA256)`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519
 */
export function signJwtHs256(claims: Record<string, unknown>, secret: string): string {
  const head = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))
  const body = base64url(JSON.stringify(claims))
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest()
  return `${head}.${body}.${base64url(signature)}`
}
