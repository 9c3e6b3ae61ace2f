/**
 * Test helpers for the emulations: signed requests (any method, placement,
 * realm, body hash, extra headers), and the consent
 * page answered as a browser would (the form's own action and fields).
 */
import type { SignatureMethod } from '@oauth1/core'
import { formFields } from './flow-helpers.js'
import { coreSigner } from './test-helpers.js'

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

/** Signs `call` with `@oauth1/core`'s `signRequest` and sends it (redirects not followed). */
export async function signed(call: SignedCall): Promise<Answer> {
  const { headers, realm, rsaKey, ...input } = call
  const s = await coreSigner({
    ...input,
    ...(realm === undefined ? {} : { realm }),
    ...(rsaKey === undefined ? {} : { rsaKey }),
  })
  const res = await fetch(s.url, {
    ...s.init,
    headers: { ...s.init.headers, ...headers },
    redirect: 'manual',
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
