/**
 * `OAuth1Client`: Authlib's `OAuth1Client` / `OAuth1Session` for fetch — the
 * three legs of RFC 5849 §2 and signed API requests.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2
 */
import { BoundedMap } from './crypto/bounded-map.js'
import { checkRsaSigningKey, isSignatureMethod, SIGNATURE_METHODS_TEXT } from './crypto/index.js'
import { formDecode, percentEncode } from './encoding.js'
import { MAX_ERROR_BODY, OAuthError } from './errors.js'
import type { FetchBodyInit, FetchHeadersInit } from './fetch-types.js'
import {
  assertSecureTransport,
  checkTimeout,
  describeUrl,
  parseRequestUrl,
  parseTokenResponse,
  replyOf,
  requestFailedError,
  sharedHttpUrl,
  sharedRequestUrl,
  startDeadline,
  type TokenReply,
  timeoutError,
} from './http.js'
import { nodeTransportAvailable, startNodeExchange } from './node-http.js'
import { MAX_CLOCK_OFFSET } from './nonce.js'
import { checkKnownOptions, setOwn } from './own.js'
import { knownProblem, UNKNOWN_PROBLEM } from './problems.js'
import { checkRealm, isFormContentType, type SignedRequestApart, signRequestNow } from './sign.js'
import type { SignatureMethod, SignatureType, Token } from './types.js'

type SignCredentials = Parameters<typeof signRequestNow>[1]
type SignableBody = string | URLSearchParams | Uint8Array | null

/** What {@link OAuth1Client} accepts as an RSA private key: PEM, a node `KeyObject`, or a `CryptoKey`. */
export type ClientRsaKey = NonNullable<SignCredentials['rsaKey']>

const SIGNATURE_TYPES: readonly SignatureType[] = ['header', 'query', 'body']

/** Redirects followed at most by {@link OAuth1Client.request}. */
export const MAX_REDIRECTS = 5

/** The form-decoded name of one `name=value` part of a query. */
function partName(part: string): string {
  const eq = part.indexOf('=')
  return formDecode(eq === -1 ? part : part.slice(0, eq))
}

/** The form-decoded names of a URL's query parameters. */
function queryNames(search: string): Set<string> {
  const names = new Set<string>()
  if (search.length <= 1) return names
  for (const part of search.slice(1).split('&')) {
    if (part !== '') names.add(partName(part))
  }
  return names
}

/** The form-decoded value of one `name=value` part of a query (`''` without `=`). */
function partValue(part: string): string {
  const eq = part.indexOf('=')
  return eq === -1 ? '' : formDecode(part.slice(eq + 1))
}

/**
 * The `oauth_*` parameters that query-mode signing appended to `unsigned`,
 * name to value (signRequest refuses a URL that already carries one it adds,
 * so these are exactly the parameters in the signed query whose names the
 * unsigned one lacks).
 */
function appendedProtocolParams(unsigned: URL, signedUrl: string): Map<string, string> {
  const before = queryNames(unsigned.search)
  const added = new Map<string, string>()
  const search = new URL(signedUrl).search
  if (search.length <= 1) return added
  for (const part of search.slice(1).split('&')) {
    const name = partName(part)
    if (name.startsWith('oauth_') && !before.has(name)) added.set(name, partValue(part))
  }
  return added
}

/**
 * Removes from `url` the query parameters that echo `sent` (the same name
 * with the same value), keeping the others as they were. A parameter of that
 * name with another value is the redirecting server's own, and stays.
 */
function dropEchoedParameters(url: URL, sent: ReadonlyMap<string, string>): void {
  if (sent.size === 0 || url.search.length <= 1) return
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((part) => sent.get(partName(part)) !== partValue(part))
  url.search = kept.length === 0 ? '' : `?${kept.join('&')}`
}
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])
/** Headers a followed redirect never carries to another origin (as undici's fetch drops them). */
const CROSS_ORIGIN_DROPPED = ['cookie', 'proxy-authorization', 'host'] as const

/**
 * @internal A key of `request()`'s init, set by the registry's `userinfo()`:
 * a redirect to another origin is returned as it is, not followed, since
 * the user's identity is the provider's own answer or none.
 */
export const SAME_ORIGIN_ONLY: unique symbol = Symbol('@oauth1/core same origin only')

/**
 * A `Location` value as the URL it names: `Headers` gives its bytes one
 * character each (Latin-1), and a redirect to `/ü` sends them as UTF-8, as
 * fetch reads them. Bytes that are not UTF-8 are kept as they came.
 */
function locationOf(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: bytes above 0x7F are what it finds
  if (!/[\x80-\xFF]/.test(value) || /[^\x00-\xFF]/.test(value)) return value
  const bytes = new Uint8Array(value.length)
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return value
  }
}

/** Whether a `fetch` of the caller's resolved to something a Response's reader can read. */
function isResponseLike(value: unknown): value is Response {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { status?: unknown }).status === 'number' &&
    typeof (value as { headers?: { get?: unknown } }).headers?.get === 'function'
  )
}

/** What a value a `fetch` resolved to is, for the TypeError that refuses it. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (typeof value !== 'object') return `a ${typeof value}`
  return Array.isArray(value) ? 'an array' : 'an object without a status and headers'
}

/** Options of {@link OAuth1Client}. */
export interface OAuth1ClientOptions {
  /** The client identifier (`oauth_consumer_key`). */
  clientId: string
  /** The client shared secret. Not needed for RSA-*. */
  clientSecret?: string | undefined
  /** Token credentials (or temporary credentials) to sign with. */
  token?: string | undefined
  tokenSecret?: string | undefined
  /** Sent, signed, as `oauth_callback` on the temporary-credential request. Default `'oob'`. */
  redirectUri?: string | undefined
  /** The `oauth_verifier` for {@link OAuth1Client.fetchAccessToken}. */
  verifier?: string | undefined
  /** Default `'HMAC-SHA1'`. */
  signatureMethod?: SignatureMethod | undefined
  /** Where the protocol parameters go. Default `'header'`. */
  signatureType?: SignatureType | undefined
  /** The RSA private key for RSA-SHA1/256/512. */
  rsaKey?: ClientRsaKey | undefined
  /** `realm` of the Authorization header (never signed). */
  realm?: string | undefined
  /** Send `oauth_body_hash` for non-form bodies (Authlib's `force_include_body`). */
  forceIncludeBody?: boolean | undefined
  /**
   * Send `oauth_body_hash` on every request that has no form body, an empty
   * body or a GET included (APIs that require it everywhere). The same as
   * `forceIncludeBody`.
   */
  bodyHash?: boolean | undefined
  /** HTTP method of the temporary-credential request. Default `'POST'`. */
  requestTokenMethod?: 'GET' | 'POST' | undefined
  /** HTTP method of the token-credential request. Default `'POST'`. */
  accessTokenMethod?: 'GET' | 'POST' | undefined
  /**
   * `false` for OAuth 1.0 providers that return no `oauth_verifier`: the
   * exchange is then sent without one when none is known. Default `true`.
   *
   * Without a verifier, the token check is the only thing binding the
   * callback to the user who started the login (the OAuth 1.0 session
   * fixation attack that 1.0a's verifier closed): only turn it off for a
   * provider that really sends none.
   * @see https://oauth.net/advisories/2009-1/
   */
  requireVerifier?: boolean | undefined
  /** Headers sent with every request to the provider; a request's own headers win. */
  headers?: Record<string, string> | undefined
  /** The fetch to use. Default `globalThis.fetch`. */
  fetch?: typeof fetch | undefined
  /** Sent as `User-Agent` unless a request sets its own. */
  userAgent?: string | undefined
  /** How long the provider gets to answer, in ms. Default 10 000; `0` or `Infinity` for none. */
  timeout?: number | undefined
  /** Require `oauth_callback_confirmed=true` on the temporary-credential response. Default `true`. */
  requireCallbackConfirmed?: boolean | undefined
  /** Allow token endpoints and PLAINTEXT over `http://` off loopback. Default `false`. */
  allowInsecureTransport?: boolean | undefined
  /**
   * Milliseconds added to the local clock for `oauth_timestamp`, for a
   * provider whose clock differs (`oauth_problem=timestamp_refused`), e.g.
   * `Date.parse(res.headers.get('date')!) - Date.now()`. Default 0.
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.3
   */
  clockOffset?: number | undefined
}

/** Every option of {@link OAuth1ClientOptions} (the type keeps it complete): another name is a typo. */
const CLIENT_OPTIONS: readonly string[] = Object.keys({
  clientId: true,
  clientSecret: true,
  token: true,
  tokenSecret: true,
  redirectUri: true,
  verifier: true,
  signatureMethod: true,
  signatureType: true,
  rsaKey: true,
  realm: true,
  forceIncludeBody: true,
  bodyHash: true,
  requestTokenMethod: true,
  accessTokenMethod: true,
  requireVerifier: true,
  headers: true,
  fetch: true,
  userAgent: true,
  timeout: true,
  requireCallbackConfirmed: true,
  allowInsecureTransport: true,
  clockOffset: true,
} satisfies Record<keyof OAuth1ClientOptions, true>)

/** Options of {@link OAuth1Client.request}. */
export interface OAuth1RequestInit {
  /** The token to sign with instead of the client's; `null` signs with client credentials only. */
  token?: Token | null | undefined
  /** A plain object is sent as a signed form body. Other bodies are sent untouched. */
  body?: FetchBodyInit | Record<string, string> | null | undefined
  headers?: FetchHeadersInit | undefined
  /** Appended to the URL's query. */
  query?: Record<string, string> | URLSearchParams | undefined
  /** Aborts the request (and the reading of its body). */
  signal?: AbortSignal | undefined
  /** `'follow'` (default, at most 5 hops, see {@link OAuth1Client.request}) or `'manual'`. */
  redirect?: 'follow' | 'manual' | undefined
  /**
   * The `oauth_nonce` of the first signed hop, for identity protocols that
   * echo it back (a redirect hop gets a fresh one). Default: 128 random bits.
   */
  nonce?: string | undefined
  /**
   * Headers that authenticate the request **instead of** an OAuth signature,
   * for APIs where OAuth 1.0a only mints a key (Zotero's `Zotero-API-Key`):
   * the request goes unsigned, with these headers, and a redirect to another
   * origin loses them, as it loses a signature.
   */
  authHeaders?: Record<string, string> | undefined
}

/**
 * @internal Every name of {@link OAuth1RequestInit} (the type keeps it
 * complete): another name is a typo.
 */
export const REQUEST_INIT_OPTIONS: readonly string[] = Object.keys({
  token: true,
  body: true,
  headers: true,
  query: true,
  signal: true,
  redirect: true,
  nonce: true,
  authHeaders: true,
} satisfies Record<keyof OAuth1RequestInit, true>)

/**
 * What Authlib (requests' keywords) and the fetch-based OAuth 1 clients call
 * a request's parts: the option to write here instead.
 */
const REQUEST_INIT_ALIASES: Readonly<Record<string, string>> = {
  params: 'query',
  searchParams: 'query',
  qs: 'query',
  data: 'body',
  json: 'body (a JSON string, with a Content-Type header)',
  form: 'body',
}

/**
 * @internal Refuses a request `init` naming an option outside `known`, with a
 * TypeError naming it (and the option to write where another library's name
 * explains it): `{ params: { q } }` would otherwise send the request without
 * its query, and the provider answer another question.
 */
export function checkRequestInit(init: object, known: readonly string[]): void {
  for (const name of Object.keys(init)) {
    if (known.includes(name)) continue
    const alias = Object.hasOwn(REQUEST_INIT_ALIASES, name) ? REQUEST_INIT_ALIASES[name] : undefined
    throw new TypeError(
      `init: unknown option ${JSON.stringify(name)}${alias === undefined ? '' : `; write ${alias}`} (known: ${known.join(', ')})`,
    )
  }
}

/** Options of {@link OAuth1Client.createAuthorizationUrl}. */
export interface AuthorizationUrlOptions {
  /**
   * The name the request token goes under. Default `'oauth_token'`; `false`
   * adds none (the provider takes it under a name that `params` carries).
   */
  tokenParam?: string | false
}

const TOKEN_ENDPOINT_METHODS = ['GET', 'POST'] as const

function tokenEndpointMethod(value: unknown, name: string): 'GET' | 'POST' {
  if (value === undefined) return 'POST'
  if (value !== 'GET' && value !== 'POST') {
    throw new TypeError(`${name} must be one of ${TOKEN_ENDPOINT_METHODS.join(', ')}`)
  }
  return value
}

/**
 * `value` as a header value, or a TypeError naming `name`: a string of
 * field-content (RFC 9110 §5.5: visible ASCII, space, tab, and obs-text up
 * to U+00FF). A Headers refuses CR, LF, NUL and code points above U+00FF but
 * takes other controls, which fetch then refuses when it sends the request.
 */
function checkHeaderValue(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`)
  if (/[^\t\x20-\x7E\x80-\xFF]/.test(value)) {
    throw new TypeError(
      `${name} is not a valid header value (no control characters, nothing above U+00FF)`,
    )
  }
  return value
}

/**
 * Why a Host header is refused: the signer would take it as the base string's
 * host (as a server verifying does), but fetch sends the URL's own host.
 */
const HOST_HEADER =
  "a Host header is not sent as given (fetch sends the URL's host), so the request would be signed for another host; put the host in the URL"

/** A copy of `value` as a record of header names and values, validated as a Headers would. */
function checkHeaderRecord(value: unknown, name: string): Record<string, string> | undefined {
  if (value === undefined) return undefined
  const proto =
    typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`${name} must be an object of header names and string values`)
  }
  const copy: Record<string, string> = {}
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const field = checkHeaderValue(raw, `${name}.${key}`)
    try {
      new Headers([[key, field]])
    } catch {
      throw new TypeError(`${name}.${key} is not a valid header name and value`)
    }
    if (key.toLowerCase() === 'host') throw new TypeError(`${name}.${key}: ${HOST_HEADER}`)
    setOwn(copy, key, field)
  }
  return copy
}

/** Body of {@link OAuth1Client.request}. */
async function normalizeBody(
  body: OAuth1RequestInit['body'],
  headers: Headers,
): Promise<SignableBody> {
  if (body === undefined || body === null) return null
  if (typeof body === 'string' || body instanceof URLSearchParams || body instanceof Uint8Array)
    return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  const proto = Object.getPrototypeOf(body)
  if (proto === Object.prototype || proto === null) {
    const type = headers.get('content-type')
    if (type !== null && !isFormContentType(type)) {
      // It would go out form-encoded under that label, and unsigned.
      throw new TypeError(
        `a plain-object body is sent as a form: drop content-type "${type}", or pass the body as a string (JSON.stringify)`,
      )
    }
    const form = new URLSearchParams()
    for (const [name, value] of Object.entries(body)) {
      if (typeof value !== 'string') throw new TypeError(`body.${name} must be a string`)
      form.append(name, value)
    }
    return form
  }
  // By their tag, not instanceof: one made in another realm (an iframe, a vm context) is one too.
  const tag = typeof body === 'object' ? Object.prototype.toString.call(body) : ''
  if (!SERIALISED_BODIES.has(tag)) {
    // Anything else would go out, signed, as its String(): "[object Object]".
    throw new TypeError(
      'body must be a string, URLSearchParams, bytes, Blob, FormData, ReadableStream or an object of strings',
    )
  }
  // Blob, FormData, ReadableStream: serialise once (so a 307 can resend it), keeping their content type.
  const response = new Response(body as BodyInit)
  const type = response.headers.get('content-type')
  if (type !== null && !headers.has('content-type')) headers.set('content-type', type)
  try {
    return new Uint8Array(await response.arrayBuffer())
  } catch (err) {
    throw new TypeError('body could not be read: its stream failed', { cause: err })
  }
}

/** The `Object.prototype.toString` tags of the bodies read into bytes before signing. */
const SERIALISED_BODIES = new Set([
  '[object Blob]',
  '[object File]',
  '[object FormData]',
  '[object ReadableStream]',
])

/** The pairs of a params/query argument: a plain object of strings or URLSearchParams; `undefined`/`null` for none. */
function paramEntries(value: unknown, name: string): [string, string][] {
  if (value === undefined || value === null) return []
  if (value instanceof URLSearchParams) return [...value]
  const proto = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`${name} must be an object of strings`)
  }
  const entries = Object.entries(value as Record<string, unknown>)
  for (const [key, field] of entries) {
    if (typeof field !== 'string') throw new TypeError(`${name}.${key} must be a string`)
  }
  return entries as [string, string][]
}

function appendQuery(url: URL, query: unknown, name = 'query'): void {
  for (const [key, value] of paramEntries(query, name)) url.searchParams.append(key, value)
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`)
  return value
}

/** Callbacks that passed {@link checkCallback} lately: every login of an app sends the same one or two. */
const acceptedCallbacks = new BoundedMap<string, true>(32)

function checkCallback(value: unknown): string {
  if (value === 'oob') return value
  if (typeof value === 'string') {
    if (acceptedCallbacks.get(value) === true) return value
    try {
      const url = new URL(value)
      if (url.protocol !== '' && !/\s/.test(value)) {
        if (value.length <= 2048) acceptedCallbacks.set(value, true)
        return value
      }
    } catch {
      // fall through
    }
  }
  throw new TypeError('redirectUri must be an absolute URI or "oob"')
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`)
  return value
}

/**
 * @internal True when a secret starts or ends with a line break (CR or LF): the
 * line end of a file it was read from (`readFileSync`, a mounted secret, a
 * `.env` with CRLF). It would be signed as part of the key, and every request
 * refused with an unexplained 401; no provider issues a secret with one.
 */
export function hasLineBreakAtEnds(secret: string): boolean {
  return /^[\r\n]|[\r\n]$/.test(secret)
}

/** `value` (an optional string option), refusing a line break at either end of a secret. */
function optionalSecret(value: unknown, name: string): string | undefined {
  const secret = optionalString(value, name)
  if (secret !== undefined && hasLineBreakAtEnds(secret)) {
    throw new TypeError(
      `${name} starts or ends with a line break (CR or LF): it probably came from a file; trim it`,
    )
  }
  return secret
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  // UTF-16 code units, as the strings hold them: no encoding (which cost more
  // than the rest of the check, and read two different lone surrogates as
  // the same U+FFFD).
  let diff = a.length ^ b.length
  const n = Math.max(a.length, b.length)
  const la = a.length || 1
  const lb = b.length || 1
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i % la) | 0) ^ (b.charCodeAt(i % lb) | 0)
  return diff === 0
}

/** The longest `oauth_verifier` accepted from a callback (providers send a few dozen characters). */
export const MAX_VERIFIER_LENGTH = 1024

/**
 * @internal The callback's one `oauth_verifier`, or an OAuthError
 * `missing_verifier` (400) when it is absent, empty, repeated or malformed:
 * a control character (NUL…), U+FFFD (bytes that were not UTF-8), or longer
 * than {@link MAX_VERIFIER_LENGTH}. A malformed verifier is refused here,
 * without a round trip the provider would refuse anyway (and that would read
 * as the provider failing, 502).
 */
export function callbackVerifier(params: URLSearchParams): string {
  const verifiers = params.getAll('oauth_verifier')
  if (verifiers.length > 1) {
    throw new OAuthError('missing_verifier', {
      description: 'The callback carries oauth_verifier more than once',
    })
  }
  const verifier = verifiers[0] ?? ''
  if (verifier === '') {
    throw new OAuthError('missing_verifier', { description: 'The callback has no oauth_verifier' })
  }
  if (badVerifierEscapes.has(params)) {
    throw new OAuthError('missing_verifier', {
      description:
        "The callback's oauth_verifier is malformed (a % not followed by two hex digits)",
    })
  }
  if (verifier.length > MAX_VERIFIER_LENGTH) {
    throw new OAuthError('missing_verifier', {
      description: `The callback's oauth_verifier is longer than ${MAX_VERIFIER_LENGTH} characters`,
    })
  }
  // C0 controls, DEL, and U+FFFD (what a decoder makes of bytes that are not UTF-8).
  for (let i = 0; i < verifier.length; i++) {
    const c = verifier.charCodeAt(i)
    if (c < 0x20 || c === 0x7f || c === 0xfffd) {
      throw new OAuthError('missing_verifier', {
        description:
          "The callback's oauth_verifier is malformed (control characters or invalid UTF-8)",
      })
    }
  }
  return verifier
}

/** Callback queries (from {@link parseCallbackQuery}) whose raw `oauth_verifier` holds a bad %-escape. */
const badVerifierEscapes = new WeakSet<URLSearchParams>()

/** True when a raw query's value for `name` holds a `%` that starts no `%XX` escape. */
function badEscapeIn(raw: string, name: string): boolean {
  for (const part of raw.split('&')) {
    const eq = part.indexOf('=')
    const rawName = (eq === -1 ? part : part.slice(0, eq)).replace(/\+/g, ' ')
    let decoded = rawName
    try {
      decoded = decodeURIComponent(rawName)
    } catch {
      // a name with a bad escape of its own is no protocol parameter
    }
    if (decoded === name && eq !== -1 && /%(?![0-9A-Fa-f]{2})/.test(part.slice(eq + 1))) {
      return true
    }
  }
  return false
}

/**
 * @internal The error a callback carrying the user's refusal (`denied=…`)
 * or a provider's problem report (`oauth_problem`, see
 * {@link CALLBACK_PROBLEMS}) fails with, keeping `oauth_problem` and
 * `oauth_problem_advice` (at most {@link MAX_ERROR_BODY} characters each);
 * `undefined` for a callback that reports neither. A refusal wins over
 * other problems sent beside it. The advice never enters the description:
 * the callback's URL is anyone's to forge, and 4xx descriptions reach users.
 */
export function callbackProblem(params: URLSearchParams): OAuthError | undefined {
  const problems = params.getAll('oauth_problem').filter((p) => p !== '')
  const denied = params.has('denied')
  if (!denied && problems.length === 0) return undefined
  const problem = problems.find((p) => knownProblem(p)?.code === 'access_denied') ?? problems[0]
  const advice = params.get('oauth_problem_advice') || undefined
  const meaning = problem === undefined ? undefined : (knownProblem(problem) ?? UNKNOWN_PROBLEM)
  const options = {
    ...(problem === undefined ? {} : { oauthProblem: problem.slice(0, MAX_ERROR_BODY) }),
    ...(advice === undefined ? {} : { oauthProblemAdvice: advice.slice(0, MAX_ERROR_BODY) }),
  }
  if (denied || meaning === undefined) {
    return new OAuthError('access_denied', {
      description: 'The user refused the authorization',
      ...options,
    })
  }
  return new OAuthError(meaning.code, {
    status: meaning.status,
    description:
      meaning === UNKNOWN_PROBLEM
        ? 'The provider reported an oauth_problem this library does not know (see oauthProblem)'
        : `The provider reported oauth_problem=${problem}: ${meaning.meaning}`,
    ...options,
  })
}

/**
 * Parses the query of a callback URL (or a bare query string). Repeated
 * `oauth_token`, `oauth_verifier`, `denied` or `oauth_problem` make it a bad
 * callback.
 */
export function parseCallbackQuery(
  input: URL | URLSearchParams | string,
  label = 'callback',
): URLSearchParams {
  let params: URLSearchParams
  let raw: string | undefined
  if (input instanceof URLSearchParams) params = input
  else if (input instanceof URL) {
    params = input.searchParams
    raw = input.search.slice(1)
  } else if (typeof input === 'string') {
    const hash = input.indexOf('#')
    const noHash = hash === -1 ? input : input.slice(0, hash)
    // A URL (`https://…?q`), a path (`/cb?q`) or `?q`: the query starts after the
    // first `?`. Anything else is a bare query string, whose own values may hold a `?`.
    const isUrlOrPath = noHash.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(noHash)
    const q = noHash.indexOf('?')
    if (noHash.startsWith('?')) raw = noHash.slice(1)
    else if (isUrlOrPath) raw = q === -1 ? '' : noHash.slice(q + 1)
    else raw = noHash
    params = new URLSearchParams(raw)
  } else {
    throw new TypeError(`${label} must be a URL, URLSearchParams or a string`)
  }
  if (raw?.includes('%') && badEscapeIn(raw, 'oauth_verifier')) {
    // URLSearchParams keeps `%zz` as it is, so the verifier the provider meant
    // cannot be known: callbackVerifier refuses it once the login is used up.
    badVerifierEscapes.add(params)
  }
  if (params.getAll('oauth_token').length > 1) {
    throw new OAuthError('missing_token', {
      status: 400,
      description: 'The callback carries oauth_token more than once',
    })
  }
  return params
}

/** Token-request errors raised before any byte of the request could reach the provider. */
const unsent = new WeakSet<object>()

/**
 * @internal True when `err`, from a token request, failed before any byte of
 * the request could reach the provider (no connection made: refused, no such
 * host, a TLS handshake that failed, a deadline passed while connecting): the
 * provider saw nothing, so the temporary credentials and the verifier are
 * still unused there, and a pending login may be kept for a retry.
 */
export function neverSent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && unsent.has(err)
}

/** Error codes of a connection that was never made (fetch's, undici's and Node's), before any byte was sent. */
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
])

/**
 * Deno's fetch names no code: its errors say the kind of hyper's client
 * error, and `(Connect)` is the connection's (TCP, DNS, TLS handshake), before
 * any byte of the request went out.
 */
const DENO_CONNECT_FAILURE = /\bclient error \(Connect\)/

/**
 * Whether a fetch's rejection says the connection was never made: a code of
 * {@link CONNECT_FAILURES} on the error or its causes (undici puts it on
 * `cause`, or on each error of an `AggregateError` when every address failed;
 * Bun on the error), or Deno's connect failure in a message. Anything else
 * may have come after the request went out (workerd's "Network connection
 * lost." among it: it names no kind).
 */
function failedToConnect(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false
  const { code, cause, errors, message } = err as {
    code?: unknown
    cause?: unknown
    errors?: unknown
    message?: unknown
  }
  if (typeof code === 'string' && CONNECT_FAILURES.has(code)) return true
  if (typeof message === 'string' && DENO_CONNECT_FAILURE.test(message)) return true
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.every((e) => failedToConnect(e, depth + 1))
  }
  return failedToConnect(cause, depth + 1)
}

/**
 * An OAuth 1.0a client: fetches temporary credentials, builds the
 * authorization URL, exchanges the verifier for token credentials, and signs
 * API requests. Like Authlib's `OAuth1Session`, it keeps the current token and
 * verifier; make one client per user.
 *
 * Safe by default: the temporary-credential request always carries a signed
 * `oauth_callback` (`oob` unless `redirectUri` is set) and requires
 * `oauth_callback_confirmed=true`; token endpoints and PLAINTEXT refuse plain
 * `http://` off loopback; redirects are re-signed, and never carry the
 * signature to another origin.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2
 * @example
 * ```ts
 * const client = new OAuth1Client({ clientId, clientSecret, redirectUri: 'https://app.example/cb' })
 * const { oauth_token } = await client.fetchRequestToken('https://api.x.com/oauth/request_token')
 * const url = client.createAuthorizationUrl('https://api.x.com/oauth/authorize')
 * // … the user comes back to https://app.example/cb?oauth_token=…&oauth_verifier=…
 * client.parseAuthorizationResponse(callbackUrl)
 * const token = await client.fetchAccessToken('https://api.x.com/oauth/access_token')
 * const res = await client.request('GET', 'https://api.x.com/1.1/account/verify_credentials.json')
 * ```
 */
export class OAuth1Client {
  readonly clientId: string
  readonly signatureMethod: SignatureMethod
  readonly signatureType: SignatureType
  readonly timeout: number
  readonly userAgent: string | undefined
  readonly requireCallbackConfirmed: boolean
  readonly allowInsecureTransport: boolean
  readonly forceIncludeBody: boolean
  readonly realm: string | undefined
  readonly requestTokenMethod: 'GET' | 'POST'
  readonly accessTokenMethod: 'GET' | 'POST'
  readonly requireVerifier: boolean
  /** Milliseconds added to the local clock for `oauth_timestamp`. */
  clockOffset: number
  #clientSecret: string
  #rsaKey: ClientRsaKey | undefined
  #fetch: typeof fetch
  /** True when the user gave no `fetch`: token requests may then go over Node's own sockets (node-http.ts). */
  #defaultFetch: boolean
  #redirectUri: string | undefined
  #token: Token | null = null
  #verifier: string | undefined
  #headers: Record<string, string> | undefined
  /** See #tokenRequestHeaders; `null` until first built. */
  #tokenHeaders: Record<string, string> | undefined | null = null

  constructor(options: OAuth1ClientOptions) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('options must be an object')
    checkKnownOptions(options, CLIENT_OPTIONS)
    if (typeof options.clientId !== 'string' || options.clientId === '') {
      throw new TypeError('clientId must be a non-empty string')
    }
    this.clientId = options.clientId
    this.#clientSecret = optionalSecret(options.clientSecret, 'clientSecret') ?? ''
    const method = options.signatureMethod ?? 'HMAC-SHA1'
    if (!isSignatureMethod(method)) {
      throw new TypeError(`signatureMethod must be one of ${SIGNATURE_METHODS_TEXT}`)
    }
    this.signatureMethod = method
    const type = options.signatureType ?? 'header'
    if (!SIGNATURE_TYPES.includes(type)) {
      throw new TypeError(`signatureType must be one of ${SIGNATURE_TYPES.join(', ')}`)
    }
    this.signatureType = type
    if (method.startsWith('RSA-')) checkRsaSigningKey(options.rsaKey, method, 'rsaKey')
    else if (options.rsaKey != null) {
      // Signing would ignore it, with clientSecret (often empty here) as the
      // HMAC key, and every request be refused with an unexplained 401.
      throw new TypeError(
        `rsaKey is only used with RSA-SHA1, RSA-SHA256 or RSA-SHA512, and signatureMethod is ${method}: set signatureMethod to the RSA method the provider expects (or leave rsaKey out)`,
      )
    }
    this.#rsaKey = options.rsaKey
    this.realm = optionalString(options.realm, 'realm')
    if (this.realm !== undefined) checkRealm(this.realm, 'realm')
    const bodyHash = optionalBoolean(options.bodyHash, 'bodyHash')
    this.forceIncludeBody =
      (optionalBoolean(options.forceIncludeBody, 'forceIncludeBody') ?? false) || bodyHash === true
    this.requestTokenMethod = tokenEndpointMethod(options.requestTokenMethod, 'requestTokenMethod')
    this.accessTokenMethod = tokenEndpointMethod(options.accessTokenMethod, 'accessTokenMethod')
    if (
      type === 'body' &&
      (this.requestTokenMethod === 'GET' || this.accessTokenMethod === 'GET')
    ) {
      throw new TypeError(
        'signatureType "body" needs POST token endpoints (requestTokenMethod/accessTokenMethod "GET" carry no body)',
      )
    }
    this.requireVerifier = optionalBoolean(options.requireVerifier, 'requireVerifier') ?? true
    this.#headers = checkHeaderRecord(options.headers, 'headers')
    if (options.fetch !== undefined && typeof options.fetch !== 'function') {
      throw new TypeError('fetch must be a function')
    }
    const userFetch = options.fetch
    // Called as a plain function: `this.#fetch(…)` would hand fetch the client
    // as `this`, which browsers' and workerd's fetch refuse ("Illegal invocation").
    this.#fetch =
      userFetch === undefined
        ? (input, init) => globalThis.fetch(input, init)
        : (input, init) => userFetch(input, init)
    this.#defaultFetch = options.fetch === undefined
    this.userAgent =
      options.userAgent === undefined ? undefined : checkHeaderValue(options.userAgent, 'userAgent')
    this.timeout = checkTimeout(options.timeout)
    this.requireCallbackConfirmed =
      optionalBoolean(options.requireCallbackConfirmed, 'requireCallbackConfirmed') ?? true
    this.allowInsecureTransport =
      optionalBoolean(options.allowInsecureTransport, 'allowInsecureTransport') ?? false
    const offset = options.clockOffset ?? 0
    if (typeof offset !== 'number' || !Number.isFinite(offset)) {
      throw new TypeError('clockOffset must be a finite number of milliseconds')
    }
    if (Math.abs(offset) > MAX_CLOCK_OFFSET) {
      throw new TypeError('clockOffset must be within ±1e12 milliseconds (about 31 years)')
    }
    this.clockOffset = offset
    if (options.redirectUri !== undefined) this.#redirectUri = checkCallback(options.redirectUri)
    const token = optionalString(options.token, 'token')
    const tokenSecret = optionalSecret(options.tokenSecret, 'tokenSecret')
    if (token !== undefined && token !== '') {
      this.#token = { oauth_token: token, oauth_token_secret: tokenSecret ?? '' }
    }
    this.#verifier = optionalString(options.verifier, 'verifier') || undefined
  }

  /** The `oauth_callback` sent with the temporary-credential request (`undefined`: `oob`). */
  get redirectUri(): string | undefined {
    return this.#redirectUri
  }

  set redirectUri(value: string | undefined) {
    this.#redirectUri = value === undefined ? undefined : checkCallback(value)
  }

  /**
   * The current token, with `oauth_verifier` when one is set; `null` when none.
   *
   * Set it as in Authlib: `null` clears token, secret and verifier; a token
   * sets them; a token without `oauth_token_secret` keeps the current secret
   * (so a callback's `{ oauth_token, oauth_verifier }` can be applied over
   * the temporary credentials); one without `oauth_token` is a TypeError.
   */
  get token(): Token | null {
    if (this.#token === null) return null
    const copy = { ...this.#token }
    if (this.#verifier !== undefined) copy.oauth_verifier = this.#verifier
    return copy
  }

  set token(value: (Partial<Token> & { oauth_token: string }) | null | undefined) {
    if (value === null || value === undefined) {
      this.#token = null
      this.#verifier = undefined
      return
    }
    if (
      typeof value !== 'object' ||
      typeof value.oauth_token !== 'string' ||
      value.oauth_token === ''
    ) {
      throw new TypeError('token.oauth_token must be a non-empty string')
    }
    const next: Record<string, string> = {}
    for (const [name, field] of Object.entries(value)) {
      if (typeof field === 'string' && name !== 'oauth_verifier') {
        setOwn(next, name, field)
      }
    }
    if (typeof value.oauth_token_secret !== 'string') {
      next.oauth_token_secret = this.#token?.oauth_token_secret ?? ''
    }
    this.#token = next as Token
    if (typeof value.oauth_verifier === 'string' && value.oauth_verifier !== '') {
      this.#verifier = value.oauth_verifier
    }
  }

  /**
   * Leg 1: obtains temporary credentials with a signed POST (`requestTokenMethod`) that carries
   * `oauth_callback`, and keeps them as the current token. `params` are sent
   * in the query (or the form body in `signatureType: 'body'`), signed.
   *
   * @throws OAuthError `callback_not_confirmed`, `fetch_token_denied`, `invalid_token_response`,
   *   `request_timeout`, `insecure_transport`
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
   */
  async fetchRequestToken(
    url: string | URL,
    params?: Record<string, string> | URLSearchParams,
  ): Promise<Token> {
    const token = await this.#fetchToken(url, 'temporary-credential', params, {
      callback: this.#redirectUri ?? 'oob',
    })
    if (this.requireCallbackConfirmed && token.oauth_callback_confirmed !== 'true') {
      throw new OAuthError('callback_not_confirmed', {
        description: `The temporary-credential endpoint ${describeUrl(url)} did not answer oauth_callback_confirmed=true (set requireCallbackConfirmed: false only for OAuth 1.0 providers)`,
      })
    }
    this.#token = null
    this.#verifier = undefined
    this.token = token
    return token
  }

  /**
   * Leg 2: the URL to send the user to — `url` with its own query kept, then
   * `params` (provider extras such as `force_login`), then `oauth_token`.
   * `oauth_callback` is not added: it was signed in leg 1.
   *
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.2
   */
  createAuthorizationUrl(
    url: string | URL,
    requestToken?: string,
    params?: Record<string, string> | URLSearchParams,
    options: AuthorizationUrlOptions = {},
  ): string {
    const href = sharedHttpUrl(url, 'url').href
    const token = requestToken ?? this.#token?.oauth_token
    if (typeof token !== 'string' || token === '') {
      throw new TypeError('requestToken is required (or fetch temporary credentials first)')
    }
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('options must be an object')
    }
    const tokenParam = options.tokenParam ?? 'oauth_token'
    if (tokenParam !== false && (typeof tokenParam !== 'string' || tokenParam === '')) {
      throw new TypeError('options.tokenParam must be a non-empty string or false')
    }
    const parts: string[] = []
    for (const [name, value] of paramEntries(params, 'params')) {
      if (name === tokenParam) continue
      // RFC 3986 unreserved only; a lone surrogate becomes U+FFFD, not a URIError.
      parts.push(`${percentEncode(name)}=${percentEncode(value)}`)
    }
    if (tokenParam !== false) parts.push(`${percentEncode(tokenParam)}=${percentEncode(token)}`)
    const hash = href.indexOf('#')
    const base = hash === -1 ? href : href.slice(0, hash)
    const fragment = hash === -1 ? '' : href.slice(hash)
    const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?'
    return `${base}${sep}${parts.join('&')}${fragment}`
  }

  /**
   * Reads the callback the provider sent the user back with, sets the token
   * (keeping the temporary secret) and the verifier from it, and returns its
   * parameters.
   *
   * @throws OAuthError `access_denied` when the user refused; the code of
   *   {@link CALLBACK_PROBLEMS} for another `oauth_problem` (the temporary
   *   credentials it names dropped); `missing_token` (400) without `oauth_token`.
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.2
   */
  parseAuthorizationResponse(url: string | URL): Record<string, string> {
    const params = parseCallbackQuery(url, 'url')
    const problem = callbackProblem(params)
    if (problem !== undefined) {
      // The temporary credentials the callback names are done with (single use).
      const named = [...params.getAll('denied'), params.get('oauth_token')]
      const current = this.#token?.oauth_token
      if (current !== undefined && named.some((t) => t !== null && constantTimeEqual(t, current))) {
        this.#token = null
        this.#verifier = undefined
      }
      throw problem
    }
    const result: Record<string, string> = {}
    for (const [name, value] of params) {
      if (!Object.hasOwn(result, name)) {
        setOwn(result, name, value)
      }
    }
    const token = params.get('oauth_token')
    if (!token) {
      throw new OAuthError('missing_token', {
        status: 400,
        description: 'The callback has no oauth_token',
      })
    }
    const current = this.#token?.oauth_token
    if (current !== undefined && !constantTimeEqual(current, token)) {
      throw new OAuthError('missing_temporary_credential', {
        description: "The callback's oauth_token is not the temporary credential this client holds",
      })
    }
    // No verifier is allowed here (fetchAccessToken then asks for one); a
    // repeated or malformed one is refused.
    const verifier = params.has('oauth_verifier') ? callbackVerifier(params) : undefined
    this.token = {
      oauth_token: token,
      ...(verifier ? { oauth_verifier: verifier } : {}),
    } as unknown as Token
    return result
  }

  /**
   * Leg 3: exchanges the temporary credentials and the verifier for token
   * credentials, and keeps them as the current token.
   *
   * @throws OAuthError `missing_verifier`, `missing_token` (no temporary credentials), `fetch_token_denied`,
   *   `invalid_token_response`, `request_timeout`, `insecure_transport`
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3
   */
  async fetchAccessToken(
    url: string | URL,
    verifier?: string,
    params?: Record<string, string> | URLSearchParams,
  ): Promise<Token> {
    if (verifier !== undefined && typeof verifier !== 'string') {
      throw new TypeError('verifier must be a string')
    }
    if (verifier) this.#verifier = verifier
    const v = this.#verifier
    if (!v && this.requireVerifier)
      throw new OAuthError('missing_verifier', { description: 'No oauth_verifier to exchange' })
    if (this.#token === null) {
      throw new OAuthError('missing_token', {
        status: 400,
        description: 'No temporary credentials to exchange: fetch them first, or set client.token',
      })
    }
    // Single use (RFC 5849 §2: the server revokes them after one use): once
    // the exchange is sent, the temporary credentials and the verifier are
    // dropped whatever its outcome, so a second call never replays the
    // verifier. A refusal before sending (insecure transport, a bad URL)
    // keeps them.
    const token = await this.#fetchToken(
      url,
      'token-credential',
      params,
      v ? { verifier: v } : {},
      this.#token,
      () => {
        this.#token = null
        this.#verifier = undefined
      },
    )
    this.token = token
    return token
  }

  /**
   * Sends a signed request and resolves to the fetch `Response`, whatever its
   * status (like fetch). Relative to what fetch does:
   *
   * - a plain-object `body` is sent as a signed form (a `content-type` other
   *   than a form's is a TypeError); other bodies untouched;
   * - the method is sent upper-cased, as it is signed;
   * - redirects are followed by hand, at most 5 hops: a same-origin hop is
   *   re-signed with a fresh nonce (303, and 301/302 after POST, become a GET
   *   without body); once a hop leaves the origin, nothing is signed any more
   *   (no Authorization header, no oauth_* parameters), so the signature and
   *   token never reach another host; nor do your own `Cookie` and
   *   `Proxy-Authorization` headers, which fetch drops there too. Past 5 hops the last redirect response
   *   is returned, as with `redirect: 'manual'`, and so is, with
   *   `signatureType: 'body'`, a same-origin hop that would become a GET, and
   *   a redirect whose `Location` carries a user name or password or a
   *   parameter the signature adds (`oauth_token`…);
   * - `body`: a string, URLSearchParams, bytes, a Blob, FormData or a
   *   ReadableStream (read first, under the deadline; one that fails is a
   *   TypeError), or a plain object of strings; anything else is a TypeError;
   * - `timeout` bounds the reading of a stream or Blob body and the wait for
   *   the response headers → `request_timeout`;
   * - a network failure (fetch rejecting: refused connection, DNS, TLS…)
   *   → `request_failed` (502), fetch's error as `cause`. Aborting through
   *   your own `signal` rejects with the abort reason, as fetch does.
   *
   * @throws OAuthError `request_timeout`, `request_failed`; `insecure_transport` for PLAINTEXT
   *   over `http://`; TypeError for bad arguments (a body with GET or HEAD…)
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-3
   */
  async request(
    method: string,
    url: string | URL,
    init: OAuth1RequestInit = {},
  ): Promise<Response> {
    if (typeof method !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) {
      throw new TypeError('method must be an HTTP method token')
    }
    if (typeof init !== 'object' || init === null) throw new TypeError('init must be an object')
    checkRequestInit(init, REQUEST_INIT_OPTIONS)
    const origin = parseRequestUrl(url, 'url')
    appendQuery(origin, init.query)
    const token = init.token === undefined ? this.#token : init.token
    if (
      token !== null &&
      (typeof token !== 'object' ||
        typeof token.oauth_token !== 'string' ||
        token.oauth_token === '' ||
        (token.oauth_token_secret != null && typeof token.oauth_token_secret !== 'string'))
    ) {
      throw new TypeError('token must be null or { oauth_token, oauth_token_secret } strings')
    }
    if (token !== null && token.oauth_token_secret == null) {
      // Signed with an empty secret, the provider would answer a bare 401
      // signature_invalid: the token was stored or built without its secret.
      throw new TypeError(
        'token.oauth_token_secret is missing: keep the whole token the login gave (an empty string if the provider sent none)',
      )
    }
    if (
      init.signal !== undefined &&
      init.signal !== null &&
      !(init.signal instanceof AbortSignal)
    ) {
      throw new TypeError('signal must be an AbortSignal')
    }
    if (init.redirect !== undefined && init.redirect !== 'follow' && init.redirect !== 'manual') {
      throw new TypeError('redirect must be "follow" or "manual"')
    }
    if (init.nonce !== undefined && (typeof init.nonce !== 'string' || init.nonce === '')) {
      throw new TypeError('nonce must be a non-empty string')
    }
    const authHeaders = checkHeaderRecord(init.authHeaders, 'authHeaders')
    let headers: Headers
    try {
      headers = new Headers(init.headers)
    } catch {
      throw new TypeError('headers must be a valid HeadersInit (names and values of a Headers)')
    }
    this.#applyDefaultHeaders(headers)
    if (headers.has('host')) throw new TypeError(`headers: ${HOST_HEADER}`)
    const upperMethod = method.toUpperCase()
    if (
      init.body !== undefined &&
      init.body !== null &&
      (upperMethod === 'GET' || upperMethod === 'HEAD')
    ) {
      // fetch would refuse it with a TypeError of its own, read as a network failure
      throw new TypeError(`body is not allowed with ${upperMethod}`)
    }
    if (this.signatureMethod === 'PLAINTEXT') {
      assertSecureTransport(origin, 'a PLAINTEXT-signed request', this.allowInsecureTransport)
    }

    const deadline = startDeadline(this.timeout, init.signal)
    let body: SignableBody
    try {
      // A stream or a Blob is read under the deadline and the caller's
      // signal, as fetch would send it: one that never ends cannot hang here.
      body = await deadline.race(normalizeBody(init.body, headers))
    } catch (err) {
      deadline.clear()
      if (deadline.timedOut) throw timeoutError(origin, this.timeout, err)
      throw err
    }
    let current = origin
    // As signed (the base string's method is upper-case): fetch upper-cases
    // only DELETE, GET, HEAD, OPTIONS, POST and PUT, and sends `patch` as is.
    let currentMethod = upperMethod
    // Still on the origin first asked: only there is the request signed (or
    // carries its authHeaders).
    let sameOrigin = true
    // In query mode: the oauth_* parameters the last signed hop appended. A
    // redirect that echoes them back (a trailing-slash redirect keeps the
    // query) must not carry them to the next hop: re-signing would refuse a
    // URL that already has them, and another origin must not receive them.
    let appended: Map<string, string> | undefined
    // The redirect being followed: returned as it is when the next hop cannot be made.
    let redirect: Response | undefined
    const staysOnOrigin = (init as { [SAME_ORIGIN_ONLY]?: unknown })[SAME_ORIGIN_ONLY] === true
    try {
      for (let hop = 0; ; hop++) {
        let sendUrl = current.href
        let sendHeaders = headers
        let sendBody = body as BodyInit | null
        if (sameOrigin && authHeaders === undefined) {
          let signed: SignedRequestApart
          try {
            signed = await this.#sign(currentMethod, current, headers, body, token, {
              nonce: hop === 0 ? init.nonce : undefined,
            })
          } catch (err) {
            // A Location carrying a parameter the signature adds (`?oauth_token=…`)
            // is the provider's doing, not the caller's: its redirect is the answer.
            if (redirect !== undefined && err instanceof TypeError) return redirect
            throw err
          }
          if (this.signatureType === 'query') appended = appendedProtocolParams(current, signed.url)
          sendUrl = signed.url
          sendHeaders = signed.headers
          sendBody = signed.body as BodyInit | null
        } else {
          sendHeaders = new Headers(headers)
          sendHeaders.delete('authorization')
          if (sameOrigin && authHeaders !== undefined) {
            for (const [name, value] of Object.entries(authHeaders)) sendHeaders.set(name, value)
          }
          // What fetch drops on a cross-origin redirect: the caller's credentials
          // for the first origin (or its proxy) are not another host's to see.
          if (!sameOrigin) for (const name of CROSS_ORIGIN_DROPPED) sendHeaders.delete(name)
        }
        if (redirect !== undefined) {
          // Its body is not read: dropped, within the deadline (a cancel may never settle).
          const dropped = redirect.body
          if (typeof dropped?.cancel === 'function') {
            await deadline.race(Promise.resolve(dropped.cancel()).catch(() => {}))
          }
          redirect = undefined
        }
        let response: Response
        try {
          response = await deadline.race(
            this.#fetch(sendUrl, {
              method: currentMethod,
              headers: sendHeaders,
              body: sendBody,
              redirect: 'manual',
              signal: deadline.signal,
            }),
          )
        } catch (err) {
          // A timeout (below) and the caller's own abort reject as they are.
          if (deadline.timedOut || init.signal?.aborted) throw err
          throw requestFailedError(current, err)
        }
        if (!isResponseLike(response)) {
          throw new TypeError(`fetch resolved to ${kindOf(response)}, not a Response`)
        }
        if (
          !REDIRECT_STATUSES.has(response.status) ||
          init.redirect === 'manual' ||
          hop >= MAX_REDIRECTS
        ) {
          return response
        }
        const location = response.headers.get('location')
        let next: URL
        try {
          if (location === null) return response
          next = new URL(locationOf(location), current)
        } catch {
          return response
        }
        if (next.protocol !== 'https:' && next.protocol !== 'http:') return response
        // A user name or password in the Location: a URL no request is made to
        // (fetch refuses one, and the signed URL would echo into its error).
        if (next.username !== '' || next.password !== '') return response
        if (staysOnOrigin && next.origin !== origin.origin) return response
        if (appended !== undefined) dropEchoedParameters(next, appended)
        const toGet =
          (response.status === 303 && currentMethod !== 'HEAD') ||
          ((response.status === 301 || response.status === 302) && currentMethod === 'POST')
        // signatureType 'body' signs in the form: a GET on the origin has
        // none to carry the signature, so that hop is the caller's to make.
        if (toGet && sameOrigin && next.origin === origin.origin && this.signatureType === 'body')
          return response
        redirect = response
        if (toGet) {
          currentMethod = 'GET'
          body = null
          headers.delete('content-type')
          headers.delete('content-length')
        }
        if (next.origin !== origin.origin) sameOrigin = false
        current = next
      }
    } catch (err) {
      if (deadline.timedOut) throw timeoutError(current, this.timeout, err)
      throw err
    } finally {
      deadline.clear()
    }
  }

  /**
   * The headers of every token request (the `headers` option and `userAgent`),
   * as a plain record, which signRequest copies for less than a `Headers`.
   * Both options are fixed: built once, through a `Headers` so that names
   * and values come out exactly as one would send them.
   */
  #tokenRequestHeaders(): Record<string, string> | undefined {
    if (this.#tokenHeaders === null) {
      if (this.#headers === undefined && this.userAgent === undefined) return undefined
      const headers = new Headers()
      this.#applyDefaultHeaders(headers)
      let record: Record<string, string> | undefined
      headers.forEach((value, name) => {
        record ??= {}
        setOwn(record, name, value)
      })
      this.#tokenHeaders = record
    }
    return this.#tokenHeaders
  }

  /** The `headers` option and `userAgent`, where `headers` has none of its own. */
  #applyDefaultHeaders(headers: Headers): void {
    if (this.#headers !== undefined) {
      for (const [name, value] of Object.entries(this.#headers)) {
        if (!headers.has(name)) headers.set(name, value)
      }
    }
    if (this.userAgent !== undefined && !headers.has('user-agent'))
      headers.set('user-agent', this.userAgent)
  }

  /** Signs one request with this client's credentials and `token`. */
  #sign(
    method: string,
    url: URL,
    headers: Headers | Record<string, string> | undefined,
    body: SignableBody,
    token: Token | null,
    extra: { callback?: string; verifier?: string; nonce?: string | undefined },
    authorizationApart = false,
  ) {
    const credentials: SignCredentials = {
      clientId: this.clientId,
      clientSecret: this.#clientSecret,
      signatureMethod: this.signatureMethod,
      signatureType: this.signatureType,
    }
    if (token) {
      credentials.token = token.oauth_token
      credentials.tokenSecret = token.oauth_token_secret ?? ''
    }
    if (this.#rsaKey !== undefined) credentials.rsaKey = this.#rsaKey
    if (this.realm !== undefined) credentials.realm = this.realm
    if (this.forceIncludeBody) credentials.bodyHash = true
    if (extra.callback !== undefined) credentials.callback = extra.callback
    if (extra.verifier !== undefined) credentials.verifier = extra.verifier
    return signRequestNow(
      // signRequest copies the headers it is given: no copy of our own.
      { method, url: url.href, headers, body },
      credentials,
      {
        ...(this.clockOffset === 0 ? {} : { clockOffset: this.clockOffset }),
        ...(extra.nonce === undefined ? {} : { nonce: extra.nonce }),
      },
      authorizationApart,
    )
  }

  /** A signed request (POST, or GET where configured) to a token endpoint, read as a token. */
  async #fetchToken(
    url: string | URL,
    what: 'temporary-credential' | 'token-credential',
    params: Record<string, string> | URLSearchParams | undefined,
    extra: { callback?: string; verifier?: string },
    token: Token | null = null,
    onSend?: () => void,
  ): Promise<Token> {
    const endpoint = sharedRequestUrl(url, 'url')
    const pairs = paramEntries(params, 'params')
    // Read only below unless params join its query: then a copy of its own.
    const target = pairs.length === 0 ? endpoint : new URL(endpoint.href)
    assertSecureTransport(target, `the ${what} request`, this.allowInsecureTransport)
    const method =
      what === 'temporary-credential' ? this.requestTokenMethod : this.accessTokenMethod
    let body: SignableBody = null
    if (this.signatureType === 'body') {
      body = new URLSearchParams(pairs)
    } else {
      for (const [name, value] of pairs) target.searchParams.append(name, value)
    }
    // Node's own kept-alive sockets: the same request, answer and
    // errors as over fetch, for a fraction of its CPU (see node-http.ts). It
    // writes the Authorization header itself, so the signing leaves it apart.
    const overNode = this.#defaultFetch && nodeTransportAvailable()
    // Signed again (a new nonce and timestamp) if the node transport sends it once more.
    const sign = () =>
      this.#sign(method, target, this.#tokenRequestHeaders(), body, token, extra, overNode)
    const signing = sign()
    // Signed at once with node:crypto: no await (a promise fewer per request).
    const signed = signing instanceof Promise ? await signing : signing
    onSend?.()
    // What a provider's error answer might echo back, blanked in the error.
    const known = [this.#clientSecret, token?.oauth_token_secret ?? '', extra.verifier ?? '']
    if (overNode) {
      const toExchange = (request: typeof signed) => ({
        url: request.url,
        init: {
          method,
          headers: request.headers,
          authorization: request.authorization,
          body: request.body as SignableBody,
        },
      })
      const first = toExchange(signed)
      // Sent once more on a kept-alive connection the server had closed: signed afresh.
      const again = () => {
        const resigned = sign()
        return resigned instanceof Promise ? resigned.then(toExchange) : toExchange(resigned)
      }
      const exchange = startNodeExchange(first.url, first.init, this.timeout, again)
      return this.#exchange(exchange, (p) => p, target, what, known)
    }
    const deadline = startDeadline(this.timeout)
    // An async function, so that a fetch throwing at once is a rejection like any other.
    const reply = (async () =>
      replyOf(
        await deadline.race(
          this.#fetch(signed.url, {
            method,
            headers: signed.headers,
            body: signed.body as BodyInit | null,
            redirect: 'manual',
            signal: deadline.signal,
          }),
        ),
      ))()
    return this.#exchange(
      {
        reply,
        get timedOut() {
          return deadline.timedOut
        },
        finish: () => deadline.clear(),
      },
      (p) => deadline.race(p),
      target,
      what,
      known,
    )
  }

  /**
   * Reads a token endpoint's answer, whichever transport brought it, and
   * maps the failures alike: no answer → `fetch_token_denied` ("Could not
   * reach"), an answer broken off → `fetch_token_denied`, the deadline →
   * `request_timeout`. `race` bounds the reading of the body by the deadline.
   */
  async #exchange(
    exchange: {
      reply: Promise<TokenReply>
      readonly timedOut: boolean
      /** The node transport's: whether a byte may have reached the server (else read from the error). */
      readonly sent?: boolean
      finish(): void
    },
    race: <T>(promise: Promise<T>) => Promise<T>,
    target: URL,
    what: 'temporary-credential' | 'token-credential',
    known: readonly string[],
  ): Promise<Token> {
    try {
      let reply: TokenReply
      try {
        reply = await exchange.reply
      } catch (err) {
        const failure = exchange.timedOut
          ? timeoutError(target, this.timeout, err)
          : new OAuthError('fetch_token_denied', {
              description: `Could not reach the ${what} endpoint ${describeUrl(target)}`,
              cause: err,
            })
        if (exchange.sent === false || (exchange.sent === undefined && failedToConnect(err))) {
          unsent.add(failure)
        }
        throw failure
      }
      try {
        return await race(parseTokenResponse(reply, target, what, known))
      } catch (err) {
        // Past the deadline, whatever became of the reading (an error answer's
        // body cut off by it reads as that answer): a timeout, on both transports.
        if (exchange.timedOut) throw timeoutError(target, this.timeout, err)
        if (err instanceof OAuthError) throw err
        throw new OAuthError('fetch_token_denied', {
          description: `The ${what} endpoint ${describeUrl(target)} broke off its answer`,
          cause: err,
        })
      }
    } finally {
      exchange.finish()
    }
  }
}
