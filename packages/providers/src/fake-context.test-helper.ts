/**
 * A fake {@link UserinfoContext} for the normalisers' tests: `request` and
 * `json` answer canned Responses by URL and record what was asked, and
 * `json` fails as PRESET-CONTRACT.md specifies (non-2xx or non-JSON →
 * `OAuthError` `request_failed`, 502).
 */
import { OAuthError, type Token } from '@oauth1/core'
import type { AuthorizeParamsContext, PresetOptions, UserinfoContext } from './types.js'

export interface RecordedRequest {
  method: string
  url: string
  headers: Headers
  nonce: string | undefined
}

type Route = Response | ((request: RecordedRequest) => Response | Promise<Response>)

export interface FakeContext extends UserinfoContext {
  requests: RecordedRequest[]
}

export const TOKEN: Token = {
  oauth_token: 'tok-3f9a1c7e',
  oauth_token_secret: 'sec-8d2b6e0f4a',
}

export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  })
}

export function fakeContext(options: {
  endpoint: string | undefined
  routes?: Record<string, Route>
  token?: Token
  clientId?: string
  clientSecret?: string
}): FakeContext {
  const routes = options.routes ?? {}
  const requests: RecordedRequest[] = []
  const request: UserinfoContext['request'] = async (method, url, init = {}) => {
    const target = new URL(url)
    for (const [name, value] of Object.entries(init.query ?? {})) {
      target.searchParams.append(name, value)
    }
    const recorded: RecordedRequest = {
      method,
      url: target.href,
      headers: new Headers(init.headers),
      nonce: init.nonce,
    }
    requests.push(recorded)
    const route = routes[`${method} ${target.href}`] ?? routes[target.href]
    if (route === undefined) return new Response('not found', { status: 404 })
    return typeof route === 'function' ? route(recorded) : route.clone()
  }
  return {
    token: options.token ?? TOKEN,
    clientId: options.clientId ?? 'consumer-key-1',
    clientSecret: options.clientSecret ?? 'consumer-secret-1',
    endpoint: options.endpoint,
    requests,
    request,
    async json(url, init = {}) {
      const response = await request(
        init.method ?? 'GET',
        url,
        init.query ? { query: init.query } : {},
      )
      const text = await response.text()
      const failed = (description: string) =>
        new OAuthError('request_failed', {
          description,
          status: 502,
          response: { status: response.status, headers: {}, body: text },
        })
      if (!response.ok) throw failed(`HTTP ${response.status}`)
      try {
        return JSON.parse(text)
      } catch {
        throw failed('not JSON')
      }
    },
  }
}

/** What `authorizeParams` yields for a login: the object, or the function called with `ctx`. */
export function authorizeParamsOf(
  preset: PresetOptions,
  ctx: Partial<AuthorizeParamsContext> = {},
): Record<string, string> | undefined {
  const params = preset.authorizeParams
  if (typeof params !== 'function') return params
  return params({
    requestToken: 'req-token-77',
    clientId: 'consumer-key-1',
    callback: 'https://app.example/callback',
    token: { oauth_token: 'req-token-77', oauth_token_secret: 'req-secret-77' },
    ...ctx,
  })
}
