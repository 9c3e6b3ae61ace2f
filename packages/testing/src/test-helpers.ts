/**
 * Test helpers: two ways to sign a request — `@oauth1/core`'s `signRequest`
 * and the independent `oauth-1.0a` (hashing with node:crypto) — behind one
 * shape, so every verification rule is tested from both.
 */
import { createHash, createHmac, createSign } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { createRequire } from 'node:module'
import { type SignatureMethod, signRequest } from '@oauth1/core'

const require = createRequire(import.meta.url)
const OAuth1a = require('oauth-1.0a') as any

export interface SignInput {
  method: string
  url: string
  /** A form body (with `contentType` unset or form) or any other body. */
  body?: string
  contentType?: string
  clientId?: string
  clientSecret?: string
  token?: string
  tokenSecret?: string
  signatureMethod?: SignatureMethod
  placement?: 'header' | 'query' | 'body'
  callback?: string
  verifier?: string
  bodyHash?: boolean
  /** PEM private key for RSA-*. */
  rsaKey?: string
  nonce?: string
  timestamp?: string | number
  realm?: string
}

export interface Signed {
  url: string
  init: { method: string; headers: Record<string, string>; body?: string }
}

export type Signer = (input: SignInput) => Promise<Signed>

const FORM = 'application/x-www-form-urlencoded'

function contentTypeOf(input: SignInput): string | undefined {
  if (input.body === undefined) return undefined
  return input.contentType ?? FORM
}

/** Signs with `@oauth1/core`'s `signRequest`. */
export const coreSigner: Signer = async (input) => {
  const headers: Record<string, string> = {}
  const ct = contentTypeOf(input)
  if (ct) headers['content-type'] = ct
  const signed = await signRequest(
    { method: input.method, url: input.url, headers, body: input.body ?? null },
    {
      clientId: input.clientId ?? 'demo-client',
      clientSecret: input.clientSecret ?? 'demo-secret',
      ...(input.token === undefined ? {} : { token: input.token }),
      ...(input.tokenSecret === undefined ? {} : { tokenSecret: input.tokenSecret }),
      ...(input.signatureMethod === undefined ? {} : { signatureMethod: input.signatureMethod }),
      ...(input.placement === undefined ? {} : { signatureType: input.placement }),
      ...(input.callback === undefined ? {} : { callback: input.callback }),
      ...(input.verifier === undefined ? {} : { verifier: input.verifier }),
      ...(input.bodyHash === undefined ? {} : { bodyHash: input.bodyHash }),
      ...(input.rsaKey === undefined ? {} : { rsaKey: input.rsaKey }),
      ...(input.realm === undefined ? {} : { realm: input.realm }),
    },
    {
      ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
      ...(input.timestamp === undefined ? {} : { timestamp: input.timestamp }),
    },
  )
  const out: Record<string, string> = {}
  signed.headers.forEach((v, k) => {
    out[k] = v
  })
  const body =
    signed.body === null
      ? undefined
      : typeof signed.body === 'string'
        ? signed.body
        : Buffer.from(signed.body).toString('utf8')
  return {
    url: signed.url,
    init: { method: signed.method, headers: out, ...(body === undefined ? {} : { body }) },
  }
}

const HASH: Record<string, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' }
function hashName(method: string): string {
  return HASH[method.split('-')[1] ?? 'SHA1'] ?? 'sha1'
}

/** RFC 3986 encoding, as oauth-1.0a does it. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

function formToData(body: string): Record<string, string | string[]> {
  const data: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = data[k]
    if (prev === undefined) data[k] = v
    else if (Array.isArray(prev)) prev.push(v)
    else data[k] = [prev, v]
  }
  return data
}

/** Signs with the independent `oauth-1.0a` package, hashing with node:crypto. */
export const independentSigner: Signer = async (input) => {
  const method = input.signatureMethod ?? 'HMAC-SHA1'
  const oauth = new OAuth1a({
    consumer: { key: input.clientId ?? 'demo-client', secret: input.clientSecret ?? 'demo-secret' },
    signature_method: method,
    ...(input.realm === undefined ? {} : { realm: input.realm }),
    hash_function(base: string, key: string) {
      if (method === 'PLAINTEXT') return key
      if (method.startsWith('RSA-')) {
        return createSign(`RSA-${hashName(method).toUpperCase()}`)
          .update(base)
          .sign(input.rsaKey!, 'base64')
      }
      return createHmac(hashName(method), key).update(base).digest('base64')
    },
    body_hash_function(body: string) {
      return createHash(hashName(method)).update(body).digest('base64')
    },
  })
  if (input.nonce !== undefined) oauth.getNonce = () => input.nonce
  if (input.timestamp !== undefined) oauth.getTimeStamp = () => Number(input.timestamp)
  const ct = contentTypeOf(input)
  const isForm = ct !== undefined && ct.split(';')[0]!.trim().toLowerCase() === FORM
  const extra: Record<string, string> = {}
  if (input.callback !== undefined) extra.oauth_callback = input.callback
  if (input.verifier !== undefined) extra.oauth_verifier = input.verifier
  const data: Record<string, unknown> =
    input.body !== undefined && isForm ? { ...formToData(input.body), ...extra } : { ...extra }
  const request: Record<string, unknown> = { url: input.url, method: input.method, data }
  if (input.bodyHash && input.body !== undefined && !isForm) {
    request.data = input.body
    request.includeBodyHash = true
  }
  const token =
    input.token === undefined ? undefined : { key: input.token, secret: input.tokenSecret ?? '' }
  // authorize() merges the request's own parameters into what it returns: keep the oauth_* ones.
  const oauthData = Object.fromEntries(
    Object.entries({ ...oauth.authorize(request, token), ...extra }).filter(([k]) =>
      k.startsWith('oauth_'),
    ),
  ) as Record<string, string>
  const headers: Record<string, string> = {}
  if (ct) headers['content-type'] = ct
  let url = input.url
  let body = input.body
  const pairs = Object.entries(oauthData)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&')
  const placement = input.placement ?? 'header'
  if (placement === 'header') {
    headers.authorization = oauth.toHeader(oauthData).Authorization
  } else if (placement === 'query') {
    url += (url.includes('?') ? '&' : '?') + pairs
  } else {
    body = body ? `${body}&${pairs}` : pairs
    headers['content-type'] = ct ?? FORM
  }
  return { url, init: { method: input.method, headers, ...(body === undefined ? {} : { body }) } }
}

export const SIGNERS: [string, Signer][] = [
  ['@oauth1/core', coreSigner],
  ['oauth-1.0a', independentSigner],
]

/** Sends a signed request and reads the answer. */
export async function send(
  signed: Signed,
): Promise<{ status: number; text: string; form: URLSearchParams; headers: Headers }> {
  const res = await fetch(signed.url, { ...signed.init, redirect: 'manual' })
  const text = await res.text()
  return { status: res.status, text, form: new URLSearchParams(text), headers: res.headers }
}

/** Sends with node:http, which lets a test set any Host header. */
export function sendRaw(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; text: string; form: URLSearchParams }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers: init.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, text, form: new URLSearchParams(text) })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

/** Signs and sends. */
export async function call(signer: Signer, input: SignInput) {
  return send(await signer(input))
}
