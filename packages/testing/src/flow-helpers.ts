/**
 * Drivers for the three-legged flow, used by the tests: one signing with
 * `@oauth1/core`, one with the independent node-oauth (`oauth` package).
 */
import { createRequire } from 'node:module'
import type { TestProvider } from './provider.js'
import { coreSigner, type SignInput, send } from './test-helpers.js'

const require = createRequire(import.meta.url)
const { OAuth: NodeOAuth } = require('oauth') as typeof import('oauth')

export interface Credentials {
  token: string
  secret: string
  extra: Record<string, string>
}

export interface FlowClient {
  fetchRequestToken(callback: string): Promise<Credentials>
  fetchAccessToken(temp: Credentials, verifier: string): Promise<Credentials>
  getJson(url: string, token: Credentials): Promise<unknown>
}

export class ProviderError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`provider answered ${status}: ${body}`)
  }
  get problem(): string | null {
    return new URLSearchParams(this.body).get('oauth_problem')
  }
}

function parseToken(text: string, contentType: string | null): Credentials {
  const entries: [string, string][] = contentType?.includes('json')
    ? Object.entries(JSON.parse(text) as Record<string, string>)
    : [...new URLSearchParams(text)]
  const all = Object.fromEntries(entries)
  const { oauth_token, oauth_token_secret, ...extra } = all
  if (!oauth_token || !oauth_token_secret) throw new Error(`not a token: ${text}`)
  return { token: oauth_token, secret: oauth_token_secret, extra }
}

/** The flow signed by `@oauth1/core`'s `signRequest`. */
export function coreFlowClient(
  provider: TestProvider,
  client = { id: 'demo-client', secret: 'demo-secret' },
): FlowClient {
  const post = async (url: string, extra: Partial<SignInput>) => {
    const signed = await coreSigner({
      ...extra,
      method: 'POST',
      url,
      clientId: client.id,
      clientSecret: client.secret,
    })
    const res = await fetch(signed.url, signed.init)
    const text = await res.text()
    if (res.status !== 200) throw new ProviderError(res.status, text)
    return parseToken(text, res.headers.get('content-type'))
  }
  return {
    fetchRequestToken: (callback) => post(provider.requestTokenUrl, { callback }),
    fetchAccessToken: (temp, verifier) =>
      post(provider.accessTokenUrl, {
        token: temp.token,
        tokenSecret: temp.secret,
        verifier,
      }),
    async getJson(url, token) {
      const res = await send(
        await coreSigner({
          method: 'GET',
          url,
          clientId: client.id,
          clientSecret: client.secret,
          token: token.token,
          tokenSecret: token.secret,
        }),
      )
      if (res.status !== 200) throw new ProviderError(res.status, res.text)
      return JSON.parse(res.text)
    },
  }
}

/** The flow signed by node-oauth (`oauth` 0.10). */
export function nodeOAuthFlowClient(
  provider: TestProvider,
  client = { id: 'demo-client', secret: 'demo-secret' },
  /** node-oauth knows HMAC-SHA1, HMAC-SHA256, PLAINTEXT and RSA-SHA1 (the secret is then the private key PEM). */
  signatureMethod: 'HMAC-SHA1' | 'HMAC-SHA256' | 'PLAINTEXT' | 'RSA-SHA1' = 'HMAC-SHA1',
): FlowClient {
  const make = (callback: string | undefined) =>
    new NodeOAuth(
      provider.requestTokenUrl,
      provider.accessTokenUrl,
      client.id,
      client.secret,
      '1.0',
      callback ?? null,
      signatureMethod,
    )
  const wrap =
    (resolve: (c: Credentials) => void, reject: (e: unknown) => void) =>
    (
      err: { statusCode: number; data?: unknown } | null,
      token: string,
      secret: string,
      extra: Record<string, string>,
    ) => {
      if (err) reject(new ProviderError(err.statusCode, String(err.data ?? '')))
      else resolve({ token, secret, extra: { ...extra } })
    }
  return {
    fetchRequestToken: (callback) =>
      new Promise((resolve, reject) =>
        make(callback).getOAuthRequestToken(wrap(resolve, reject) as never),
      ),
    fetchAccessToken: (temp, verifier) =>
      new Promise((resolve, reject) =>
        make(undefined).getOAuthAccessToken(
          temp.token,
          temp.secret,
          verifier,
          wrap(resolve, reject) as never,
        ),
      ),
    getJson: (url, token) =>
      new Promise((resolve, reject) =>
        make(undefined).get(url, token.token, token.secret, (err, data) => {
          if (err) reject(new ProviderError(err.statusCode, String(err.data ?? '')))
          else resolve(JSON.parse(String(data)))
        }),
      ),
  }
}

export const FLOW_CLIENTS: [string, typeof coreFlowClient][] = [
  ['@oauth1/core', coreFlowClient],
  ['node-oauth', nodeOAuthFlowClient],
]

/** The hidden inputs of the consent form. */
export function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1]!] = m[2]!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  }
  return out
}

/** Opens the consent page and answers it; resolves to the redirect (or page) the provider sends back. */
export async function answerConsent(
  provider: TestProvider,
  requestToken: string,
  decision: 'allow' | 'deny',
  userId = '1001',
): Promise<Response> {
  const page = await fetch(
    `${provider.authorizeUrl}?oauth_token=${encodeURIComponent(requestToken)}`,
    {
      redirect: 'manual',
    },
  )
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`)
  const fields = formFields(await page.text())
  return fetch(provider.authorizeUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: provider.url },
    body: new URLSearchParams({ ...fields, user_id: userId, decision }),
  })
}

/** The query parameters of a redirect's Location. */
export function redirectParams(res: Response): URLSearchParams {
  const location = res.headers.get('location')
  if (!location) throw new Error(`no Location (status ${res.status})`)
  return new URL(location).searchParams
}
