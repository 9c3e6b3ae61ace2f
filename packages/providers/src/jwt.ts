/**
 * Just enough JWS to verify an HS256 compact token with Web Crypto
 * (RFC 7515 §7.1, RFC 7518 §3.2): no other algorithm is accepted, the MAC is
 * checked by `crypto.subtle.verify` (constant time) before anything in the
 * payload is believed.
 */
import { shown } from './userinfo.js'

const BASE64URL = /^[A-Za-z0-9_-]*$/

function base64UrlBytes(segment: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) return undefined
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

function jsonObject(bytes: Uint8Array | undefined): Record<string, unknown> | undefined {
  if (bytes === undefined) return undefined
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** Why a token was refused, or its claims. */
export type Hs256Result =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; reason: string }

/** Verifies a compact HS256 JWS with `secret` (UTF-8) and returns its claims. */
export async function verifyHs256(jwt: string, secret: string): Promise<Hs256Result> {
  const parts = jwt.split('.')
  if (parts.length !== 3) return { ok: false, reason: 'the identify response is not a JWT' }
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string]
  const header = jsonObject(base64UrlBytes(encodedHeader))
  if (header === undefined) return { ok: false, reason: 'the JWT header is not JSON' }
  if (header.alg !== 'HS256') {
    return { ok: false, reason: `the JWT is signed with ${shown(header.alg)}, not HS256` }
  }
  const signature = base64UrlBytes(encodedSignature)
  if (signature === undefined || signature.length === 0) {
    return { ok: false, reason: 'the JWT signature is not base64url' }
  }
  const encoder = new TextEncoder()
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  )
  const valid = await crypto.subtle.verify(
    'HMAC',
    key,
    signature,
    encoder.encode(`${encodedHeader}.${encodedPayload}`),
  )
  if (!valid) return { ok: false, reason: 'the JWT signature does not verify' }
  const claims = jsonObject(base64UrlBytes(encodedPayload))
  if (claims === undefined) return { ok: false, reason: 'the JWT payload is not a JSON object' }
  return { ok: true, claims }
}
