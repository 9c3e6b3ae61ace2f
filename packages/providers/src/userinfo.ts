/**
 * What the presets' `userinfo` normalisers share: reading the provider's
 * answer (bounded), turning it into OIDC-named claims, keeping secrets out of
 * `raw`, and the one error a provider answer the normaliser cannot use ends in.
 */
import {
  MAX_ERROR_BODY,
  OAuthError,
  type OAuthErrorCode,
  type ProviderResponse,
  type Token,
} from '@oauth1/core'
import type { UserInfo, UserinfoContext } from './types.js'

/**
 * PRESET-CONTRACT.md gives userinfo failures the core's `request_failed`
 * (502); the double cast keeps this compiling against a core whose code
 * union does not list it yet, and `status` is passed explicitly for the same reason.
 */
const REQUEST_FAILED: OAuthErrorCode = 'request_failed'

/** The largest profile/identity body a normaliser reads (1 MiB). */
export const MAX_USERINFO_BODY = 1 << 20

/** An `OAuthError` `request_failed` (502): the provider's answer does not tell who the user is. */
export function userinfoError(
  description: string,
  extra: { response?: ProviderResponse; cause?: unknown } = {},
): OAuthError {
  return new OAuthError(REQUEST_FAILED, { description, status: 502, ...extra })
}

/** `text` cut to {@link MAX_ERROR_BODY} characters, never inside a surrogate pair. */
function cut(text: string): string {
  if (text.length <= MAX_ERROR_BODY) return text
  const end = /[\uD800-\uDBFF]/.test(text.charAt(MAX_ERROR_BODY - 1))
    ? MAX_ERROR_BODY - 1
    : MAX_ERROR_BODY
  return text.slice(0, end)
}

/** The provider's status, headers and a bounded excerpt of its body, for an error. */
export function providerResponse(response: Response, body: string): ProviderResponse {
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: cut(body),
  }
}

/**
 * The body as text, at most {@link MAX_USERINFO_BODY} bytes. With `timeout`
 * (ms, finite and above 0), a body still arriving then is given up:
 * `request_timeout` (inside `userinfo()` its own deadline does that).
 */
export async function readText(
  response: Response,
  what: string,
  timeout?: number,
): Promise<string> {
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let timedOut = false
  if (timeout !== undefined && Number.isFinite(timeout) && timeout > 0) {
    timer = setTimeout(() => {
      timedOut = true
      reader.cancel().catch(() => {})
    }, timeout)
  }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (timedOut) {
        throw new OAuthError('request_timeout', {
          description: `${what}: the answer's body was still arriving after ${timeout} ms`,
          response: providerResponse(response, ''),
        })
      }
      if (done) break
      // A fetch of your own may hand anything to its stream: only bytes are a body.
      if (!(value instanceof Uint8Array)) throw new TypeError('a chunk of the body is not bytes')
      size += value.byteLength
      if (size > MAX_USERINFO_BODY) {
        await reader.cancel().catch(() => {})
        throw userinfoError(`${what}: the response is larger than ${MAX_USERINFO_BODY} bytes`, {
          response: providerResponse(response, ''),
        })
      }
      chunks.push(value)
    }
  } catch (error) {
    if (error instanceof OAuthError) throw error
    throw userinfoError(`${what}: reading the response failed`, { cause: error })
  } finally {
    clearTimeout(timer)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

/** A 2xx JSON body, parsed; else `request_failed` with the provider's response. */
export async function readJson(response: Response, what: string): Promise<unknown> {
  const text = await readText(response, what)
  if (!response.ok) {
    throw userinfoError(`${what} answered HTTP ${response.status}`, {
      response: providerResponse(response, text),
    })
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw userinfoError(`${what}: the response is not JSON`, {
      response: providerResponse(response, text),
      cause: error,
    })
  }
}

/** The registration's `userinfoEndpoint`, or a `TypeError` when it was removed. */
export function endpointOf(ctx: UserinfoContext, preset: string): string {
  if (typeof ctx.endpoint !== 'string' || ctx.endpoint === '') {
    throw new TypeError(`${preset} userinfo: userinfoEndpoint is not set`)
  }
  return ctx.endpoint
}

/** `value` when it is a JSON object; else `request_failed`. */
export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw userinfoError(`${what}: expected a JSON object`)
  }
  return value as Record<string, unknown>
}

/** `value[key]` when `value` is a JSON object, else `undefined`. */
export function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
}

const MAX_RAW_DEPTH = 32
const TOKEN_FIELDS = ['oauth_token', 'oauth_token_secret']

/**
 * A copy of `value` without `oauth_token`/`oauth_token_secret` keys and
 * without any string equal to the user's token or token secret (Zotero's
 * `/keys/current` answers the API key, which *is* the token secret), nor
 * anything nested deeper than 32 levels.
 */
function scrub(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return secrets.includes(value) ? undefined : value
  if (typeof value !== 'object' || value === null) return value
  if (depth >= MAX_RAW_DEPTH) return undefined
  if (Array.isArray(value)) {
    return value.map((item) => scrub(item, secrets, depth + 1)).filter((item) => item !== undefined)
  }
  const entries: [string, unknown][] = []
  for (const [key, item] of Object.entries(value)) {
    if (TOKEN_FIELDS.includes(key)) continue
    const kept = scrub(item, secrets, depth + 1)
    if (kept !== undefined) entries.push([key, kept])
  }
  // fromEntries defines own properties: a `__proto__` key stays data
  return Object.fromEntries(entries)
}

/** The provider's data for `raw`, with the user's token and token secret taken out. */
export function rawOf(value: Record<string, unknown>, token: Token): Record<string, unknown> {
  const secrets = [token.oauth_token, token.oauth_token_secret].filter(
    (secret): secret is string => typeof secret === 'string' && secret !== '',
  )
  return scrub(value, secrets, 0) as Record<string, unknown>
}

/** The claims a normaliser read, before checking. */
export interface Claims {
  sub: unknown
  name?: unknown
  preferred_username?: unknown
  email?: unknown
  email_verified?: unknown
  picture?: unknown
  profile?: unknown
  website?: unknown
}

const STRING_CLAIMS = [
  'name',
  'preferred_username',
  'email',
  'picture',
  'profile',
  'website',
] as const

/**
 * The {@link UserInfo}: `sub` as a non-empty string (numbers are stringified;
 * anything else is `request_failed`), the other claims only when they are
 * non-empty strings (`email_verified` when a boolean), and `raw` scrubbed of
 * the user's token.
 */
export function toUserInfo(
  what: string,
  claims: Claims,
  raw: Record<string, unknown>,
  token: Token,
): UserInfo {
  const sub =
    typeof claims.sub === 'number' && Number.isSafeInteger(claims.sub)
      ? String(claims.sub)
      : claims.sub
  if (typeof sub !== 'string' || sub === '') {
    throw userinfoError(`${what}: the provider's answer does not identify the user`)
  }
  const info: UserInfo = { sub, raw: rawOf(raw, token) }
  for (const key of STRING_CLAIMS) {
    const value = claims[key]
    if (typeof value === 'string' && value !== '') info[key] = value
  }
  if (typeof claims.email_verified === 'boolean') info.email_verified = claims.email_verified
  return info
}

/**
 * The {@link UserInfo} from the access-token response's own fields (X, Flickr
 * and Zotero put the user there): no request; `raw` is the extra fields.
 */
export function fromTokenFields(what: string, token: Token, claims: Claims): UserInfo {
  return toUserInfo(what, claims, rawOf(token, token), token)
}

/** `<prefix><username>` (percent-encoded) when `username` is a non-empty string. */
export function profileUrl(prefix: string, username: unknown): string | undefined {
  return typeof username === 'string' && username !== ''
    ? `${prefix}${encodeURIComponent(username)}`
    : undefined
}

/** A string field of the token response, when present and non-empty. */
export function tokenField(token: Token, key: string): string | undefined {
  const value = Object.hasOwn(token, key) ? token[key] : undefined
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * The user's id from a field of the token response, when it has the
 * provider's form (`pattern`); else `undefined`, and the normaliser asks the
 * provider's profile endpoint instead. A JSON token answer's object, array,
 * boolean or fraction reaches the token as text (`{"a":1}`, `true`, `1.5`):
 * taken as is, it would be a `sub` no user has.
 */
export function tokenId(token: Token, key: string, pattern: RegExp): string | undefined {
  const value = tokenField(token, key)
  return value !== undefined && pattern.test(value) ? value : undefined
}

/** Decimal digits: the ids X and Zotero give (an X id is a 64-bit integer). */
export const DECIMAL_ID = /^[0-9]{1,20}$/

/**
 * A value of the provider's answer as an error description shows it: a
 * string quoted and cut to 100 characters, a number, boolean or null as
 * written, anything else by its kind (never `JSON.stringify`, which throws on
 * a value nested deeply enough).
 */
export function shown(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value)
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value)
  }
  if (Array.isArray(value)) return 'an array'
  return value === undefined
    ? 'absent'
    : `a ${typeof value === 'object' ? 'JSON object' : typeof value}`
}
