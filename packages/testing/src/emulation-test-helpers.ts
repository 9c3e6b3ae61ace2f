/**
 * Test helpers for the emulations: signed requests with `@oauth1/core`'s
 * `signRequest` (any method, placement, realm, body hash), and the consent
 * page answered as a browser would (the form's own action and fields).
 */
import { type SignatureMethod, signRequest } from '@oauth1/core'
import { formFields } from './flow-helpers.js'

export interface Signing {
  clientId?: string
  clientSecret?: string
  rsaKey?: string | undefined
  signatureMethod?: SignatureMethod
  placement?: 'header' | 'query' | 'body'
  realm?: string | undefined
  bodyHash?: boolean
}

export interface SignedCall extends Signing {
  method: string
  url: string
  token?: string
  tokenSecret?: string
  callback?: string
  verifier?: string
  /** Extra headers (sent, not signed). */
  headers?: Record<string, string>
  body?: string
  contentType?: string
  nonce?: string
  timestamp?: number
}

export interface Answer {
  status: number
  text: string
  form: URLSearchParams
  headers: Headers
  json(): unknown
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text()
  return {
    status: res.status,
    text,
    form: new URLSearchParams(text),
    headers: res.headers,
    json: () => JSON.parse(text) as unknown,
  }
}

/** Signs `call` with `signRequest` and sends it (redirects not followed). */
export async function signed(call: SignedCall): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (call.body !== undefined)
    headers['content-type'] = call.contentType ?? 'application/x-www-form-urlencoded'
  const s = await signRequest(
    { method: call.method, url: call.url, headers, body: call.body ?? null },
    {
      clientId: call.clientId ?? 'demo-client',
      clientSecret: call.clientSecret ?? 'demo-secret',
      ...(call.token === undefined ? {} : { token: call.token }),
      ...(call.tokenSecret === undefined ? {} : { tokenSecret: call.tokenSecret }),
      ...(call.signatureMethod === undefined ? {} : { signatureMethod: call.signatureMethod }),
      ...(call.placement === undefined ? {} : { signatureType: call.placement }),
      ...(call.callback === undefined ? {} : { callback: call.callback }),
      ...(call.verifier === undefined ? {} : { verifier: call.verifier }),
      ...(call.rsaKey === undefined ? {} : { rsaKey: call.rsaKey }),
      ...(call.realm === undefined ? {} : { realm: call.realm }),
      ...(call.bodyHash === undefined ? {} : { bodyHash: call.bodyHash }),
    },
    {
      ...(call.nonce === undefined ? {} : { nonce: call.nonce }),
      ...(call.timestamp === undefined ? {} : { timestamp: call.timestamp }),
    },
  )
  const sent = new Headers(s.headers)
  for (const [k, v] of Object.entries(call.headers ?? {})) sent.set(k, v)
  const res = await fetch(s.url, {
    method: s.method,
    headers: sent,
    redirect: 'manual',
    ...(s.body === null ? {} : { body: typeof s.body === 'string' ? s.body : Buffer.from(s.body) }),
  })
  return answer(res)
}

/** A GET without OAuth (a browser, or an API keyed otherwise). */
export async function plain(url: string, init: RequestInit = {}): Promise<Answer> {
  return answer(await fetch(url, { redirect: 'manual', ...init }))
}

/** The consent form's `action`, resolved against the page's URL. */
export function formAction(html: string, pageUrl: string): string {
  const m = /<form method="post" action="([^"]*)">/.exec(html)
  if (!m) throw new Error('no consent form on the page')
  return new URL(m[1]!.replace(/&amp;/g, '&'), pageUrl).href
}

/**
 * Opens the consent page at `authorizeUrl` and answers it as `userId`;
 * resolves to the provider's answer (a redirect or a page).
 */
export async function consent(
  authorizeUrl: string,
  decision: 'allow' | 'deny',
  userId = '1001',
): Promise<{ page: Answer; answer: Answer }> {
  const page = await plain(authorizeUrl)
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${page.text}`)
  const action = formAction(page.text, authorizeUrl)
  const res = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(authorizeUrl).origin,
    },
    body: new URLSearchParams({ ...formFields(page.text), user_id: userId, decision }),
  })
  return { page, answer: await answer(res) }
}

/** The callback's query parameters, in order, from a redirect answer. */
export function callbackParams(a: Answer): [string, string][] {
  const location = a.headers.get('location')
  if (!location) throw new Error(`no Location (status ${a.status}): ${a.text}`)
  return [...new URL(location).searchParams]
}

/** Splits a compact JWS into its decoded header and claims, and the signed input and signature. */
export function decodeJwt(jwt: string) {
  const [h, c, s] = jwt.split('.')
  if (h === undefined || c === undefined || s === undefined) throw new Error(`not a JWT: ${jwt}`)
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>,
    signingInput: `${h}.${c}`,
    signature: Buffer.from(s, 'base64url'),
  }
}
