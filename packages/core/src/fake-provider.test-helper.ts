/**
 * A small, strict, in-process OAuth 1.0a provider behind an injectable fetch,
 * for the client, registry and web-flow tests. It verifies every signature
 * (HMAC-SHA1/PLAINTEXT), nonce reuse, the callback, the verifier and
 * single use of temporary credentials, and records every request it gets.
 */
import { expect } from 'vitest'
import { collectSignatureParameters, signatureBaseString } from './base-string.js'
import { verifySignature } from './crypto/index.js'
import { parseFormEncoded } from './encoding.js'
import { OAuthError } from './errors.js'
import { isFormContentType, parseAuthorizationHeader } from './sign.js'
import type {
  SignatureMethod,
  StoredTemporaryCredential,
  TemporaryCredentialStore,
} from './types.js'

export interface RecordedRequest {
  method: string
  url: URL
  headers: Headers
  body: string
  /** Every signed parameter (query, Authorization header, form body). */
  params: Record<string, string>
  authorization: string | null
}

export type Responder = (req: RecordedRequest) => Response | Promise<Response>

export interface FakeProviderOptions {
  origin?: string
  clientId?: string
  clientSecret?: string
  /** Override the answer of a path (`/oauth/request_token`…). */
  routes?: Record<string, Responder>
  /** Extra fields of the token-credential response. */
  accessTokenExtras?: Record<string, string>
  /** The only method each token endpoint takes. Default POST for both. */
  requestTokenMethod?: 'GET' | 'POST'
  accessTokenMethod?: 'GET' | 'POST'
  /** An OAuth 1.0 provider: no verifier on the callback, none checked on the exchange. */
  noVerifier?: boolean
}

const form = (fields: Record<string, string>, status = 200) =>
  new Response(new URLSearchParams(fields).toString(), {
    status,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })

export function createFakeProvider(options: FakeProviderOptions = {}) {
  const origin = options.origin ?? 'https://provider.test'
  const clientId = options.clientId ?? 'client-id'
  const clientSecret = options.clientSecret ?? 'client-secret'
  const requests: RecordedRequest[] = []
  const nonces = new Set<string>()
  let counter = 0
  const temporary = new Map<
    string,
    { secret: string; callback: string; verifier?: string; used?: boolean }
  >()
  const access = new Map<string, string>()

  const problem = (name: string, status = 401) => form({ oauth_problem: name }, status)

  async function verify(req: RecordedRequest, tokenSecret: string): Promise<Response | null> {
    const p = req.params
    if (p.oauth_consumer_key !== clientId) return problem('consumer_key_unknown')
    if (p.oauth_version !== undefined && p.oauth_version !== '1.0')
      return problem('version_rejected', 400)
    const nonceKey = `${p.oauth_timestamp}:${p.oauth_nonce}:${p.oauth_token ?? ''}`
    if (!p.oauth_nonce || nonces.has(nonceKey)) return problem('nonce_used')
    nonces.add(nonceKey)
    const pairs = collectSignatureParameters({
      url: req.url,
      authorization: req.authorization ? parseAuthorizationHeader(req.authorization) : null,
      form: isFormContentType(req.headers.get('content-type')) ? parseFormEncoded(req.body) : null,
    })
    const base = signatureBaseString(req.method, req.url, pairs)
    const ok = await verifySignature(
      p.oauth_signature_method as SignatureMethod,
      base,
      p.oauth_signature ?? '',
      { clientSecret, tokenSecret },
    )
    return ok ? null : problem('signature_invalid')
  }

  const defaultRoutes: Record<string, Responder> = {
    '/oauth/request_token': async (req) => {
      if (req.method !== (options.requestTokenMethod ?? 'POST'))
        return problem('method_not_allowed', 405)
      const callback = req.params.oauth_callback
      if (callback === undefined) return problem('parameter_absent', 400)
      const bad = await verify(req, '')
      if (bad) return bad
      counter++
      const token = `rt+${counter}/=`
      const secret = `rts%${counter}`
      temporary.set(token, { secret, callback })
      return form({
        oauth_token: token,
        oauth_token_secret: secret,
        oauth_callback_confirmed: 'true',
      })
    },
    '/oauth/access_token': async (req) => {
      if (req.method !== (options.accessTokenMethod ?? 'POST'))
        return problem('method_not_allowed', 405)
      const token = req.params.oauth_token ?? ''
      const entry = temporary.get(token)
      if (entry === undefined || entry.used) return problem('token_rejected')
      const bad = await verify(req, entry.secret)
      if (bad) return bad
      if (options.noVerifier) {
        if (!entry.verifier) return problem('permission_unknown')
      } else if (!entry.verifier || req.params.oauth_verifier !== entry.verifier)
        return problem('verifier_invalid')
      entry.used = true
      counter++
      const accessToken = `at-${counter}`
      const accessSecret = `ats-${counter}+/`
      access.set(accessToken, accessSecret)
      return form({
        oauth_token: accessToken,
        oauth_token_secret: accessSecret,
        user_id: '12345',
        screen_name: 'Jane Doe',
        ...options.accessTokenExtras,
      })
    },
  }

  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const body = await request.text()
    const authorization = request.headers.get('authorization')
    const params: Record<string, string> = {}
    const add = (pairs: Iterable<readonly [string, string]> | null) => {
      for (const [k, v] of pairs ?? []) if (k !== 'realm') params[k] = v
    }
    add(parseFormEncoded(url.search.slice(1)))
    if (authorization) add(parseAuthorizationHeader(authorization))
    if (isFormContentType(request.headers.get('content-type'))) add(parseFormEncoded(body))
    const recorded: RecordedRequest = {
      method: request.method,
      url,
      headers: request.headers,
      body,
      params,
      authorization,
    }
    requests.push(recorded)
    if (url.origin !== origin) return new Response('unknown host', { status: 599 })
    const route = options.routes?.[url.pathname] ?? defaultRoutes[url.pathname]
    if (route) return route(recorded)
    if (url.pathname.startsWith('/api/')) {
      if (isUnsigned(recorded)) return problem('parameter_absent', 401)
      const token = params.oauth_token
      const secret = token === undefined ? '' : access.get(token)
      if (secret === undefined) return problem('token_rejected')
      const bad = await verify(recorded, secret)
      if (bad) return bad
      return Response.json({
        path: url.pathname,
        token: token ?? null,
        method: request.method,
        body,
      })
    }
    return new Response('not found', { status: 404 })
  }

  return {
    origin,
    clientId,
    clientSecret,
    fetch: fetch as typeof globalThis.fetch,
    requests,
    temporary,
    access,
    /** The user approves `token` on the provider's page: returns the callback URL they are sent to. */
    approve(token: string): string {
      const entry = temporary.get(token)
      if (!entry) throw new Error(`unknown request token ${token}`)
      entry.verifier = `verifier-${token}`
      const query = new URLSearchParams({ oauth_token: token })
      if (!options.noVerifier) query.set('oauth_verifier', entry.verifier)
      if (entry.callback === 'oob') return `?${query}`
      const cb = new URL(entry.callback)
      for (const [k, v] of query) cb.searchParams.append(k, v)
      return cb.href
    },
    /** Requests that reached a path. */
    hits(path: string): RecordedRequest[] {
      return requests.filter((r) => r.url.pathname === path)
    },
  }
}

function isUnsigned(req: RecordedRequest): boolean {
  return req.params.oauth_signature === undefined
}

export type FakeProvider = ReturnType<typeof createFakeProvider>

/** A memory store that also exposes what it holds (copies in, copies out, as a real store). */
export function inspectableStore() {
  const entries = new Map<string, StoredTemporaryCredential>()
  const store: TemporaryCredentialStore = {
    get: (k) => (entries.has(k) ? { ...entries.get(k)! } : null),
    set: (k, v) => {
      entries.set(k, { ...v })
    },
    delete: (k) => {
      entries.delete(k)
    },
  }
  return { store, entries }
}

/**
 * The `OAuthError` a promise (or a function's result) rejects with; fails the
 * test when it settles otherwise or rejects with something else.
 */
export async function rejection(p: Promise<unknown> | (() => unknown)): Promise<OAuthError> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    return err as OAuthError
  }
  throw new Error('expected a rejection')
}
