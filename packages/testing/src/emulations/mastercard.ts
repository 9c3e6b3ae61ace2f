/**
 * Mastercard Developers APIs, PROVIDERS.md §2.16.
 *
 * - No flow: requests are signed with the consumer key and an RSA key; no
 *   `oauth_token` [MC1].
 * - RSA-SHA256 in the Authorization header [MC1].
 * - `oauth_body_hash` = base64(SHA-256(body)) on every request, the empty
 *   string's hash when there is no body [MC1].
 * - The URI's query parameters are signed [MC1].
 *
 * The default client (no `clients` option) gets a fresh RSA key pair:
 * `provider.client.rsaPrivateKey` signs. Every path answers with what it
 * received (`{ method, path, query, body }`), so a client can check its signing.
 *
 * Not emulated: RSA-PSS (added 2026-03 [MC2]; `@oauth1/core` signs RSASSA-PKCS1-v1_5 only).
 * UNVERIFIED: Mastercard's error bodies (OAuth Problem Reporting kept).
 */
import type { Emulation, EmulationRequest } from './types.js'

function echo(r: EmulationRequest) {
  const query: Record<string, string> = {}
  for (const [k, v] of r.query) query[k] = v
  let body: unknown = r.body === '' ? null : r.body
  if (typeof body === 'string' && /json/i.test(r.contentType ?? '')) {
    try {
      body = JSON.parse(body)
    } catch {}
  }
  return { json: { method: r.method, path: r.path, query, body } }
}

export const mastercard: Emulation = {
  name: 'mastercard',
  title: 'Mastercard',
  apiBasePath: '/',
  signatureMethods: ['RSA-SHA256'],
  signatureMethodRejectedStatus: 401,
  placements: ['header'],
  bodyHash: 'required',
  defaultClientKeys: 'rsa',
  routes: [
    {
      path: /^\/.+/,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      auth: 'consumer',
      handle: echo,
    },
  ],
}
