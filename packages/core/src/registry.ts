/**
 * The framework-neutral registry: `OAuth` keeps named `RemoteApp`s, read
 * their options from config, and runs the web flow (temporary credentials in
 * a per-request store, callback checks, the exchange) and signed API calls.
 * Each adapter subclasses both and only translates its framework.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2
 */
import {
  callbackProblem,
  callbackVerifier,
  checkRequestInit,
  constantTimeEqual,
  hasLineBreakAtEnds,
  neverSent,
  OAuth1Client,
  type OAuth1ClientOptions,
  type OAuth1RequestInit,
  parseCallbackQuery,
  REQUEST_INIT_OPTIONS,
  SAME_ORIGIN_ONLY,
} from './client.js'
import { createRequestContext, type RequestContext } from './context.js'
import { isOAuthError, OAuthError, redactCommandArguments } from './errors.js'
import {
  checkTimeout,
  DEFAULT_TIMEOUT,
  decodeForm,
  parseHttpUrl,
  parseRequestUrl,
  readJsonResponse,
  startDeadline,
  timeoutError,
} from './http.js'
import { checkKnownOptions, setOwn } from './own.js'
import { takeTemporaryCredential } from './stores.js'
import type {
  Awaitable,
  StoredTemporaryCredential,
  TemporaryCredentialStore,
  Token,
} from './types.js'
import { checkRelativeCallback, isPathCallback } from './url.js'

/** How long a pending login may take by default: 10 minutes. */
export const DEFAULT_TEMPORARY_CREDENTIAL_TTL = 600_000

/** The {@link OAuth1Client} options a registered app's resolved options give (no token, no redirectUri). */
function clientOptionsOf(o: ResolvedRemoteAppOptions<any>): OAuth1ClientOptions {
  const options: OAuth1ClientOptions = { clientId: o.clientId, ...o.clientKwargs }
  if (o.requestTokenMethod !== undefined) options.requestTokenMethod = o.requestTokenMethod
  if (o.accessTokenMethod !== undefined) options.accessTokenMethod = o.accessTokenMethod
  if (o.requireVerifier !== undefined) options.requireVerifier = o.requireVerifier
  if (o.headers !== undefined) options.headers = o.headers
  if (o.clientSecret !== undefined) options.clientSecret = o.clientSecret
  if (o.fetch !== undefined) options.fetch = o.fetch
  if (o.userAgent !== undefined) options.userAgent = o.userAgent
  if (o.timeout !== undefined) options.timeout = o.timeout
  if (o.clockOffset !== undefined) options.clockOffset = o.clockOffset
  if (o.requireCallbackConfirmed !== undefined)
    options.requireCallbackConfirmed = o.requireCallbackConfirmed
  if (o.allowInsecureTransport !== undefined)
    options.allowInsecureTransport = o.allowInsecureTransport
  return options
}

/**
 * Signing options handed to the underlying {@link OAuth1Client}: those of its
 * options, spread into them as they are.
 */
export interface ClientKwargs
  extends Pick<
    OAuth1ClientOptions,
    'signatureMethod' | 'signatureType' | 'rsaKey' | 'realm' | 'forceIncludeBody' | 'bodyHash'
  > {}

/** What a function `authorizeParams` is handed to compute the authorize URL's parameters. */
export interface AuthorizeParamsContext {
  /** The temporary credential's `oauth_token`. */
  requestToken: string
  /** The client identifier (`oauth_consumer_key`). */
  clientId: string
  /** This login's callback: an absolute URL, or `'oob'`. */
  callback: string
  /** The whole temporary-credential response, extra fields included. */
  token: Token
}

/**
 * The profile of the user who logged in, with OpenID Connect's claim names
 * (what `userinfo()` resolves to).
 */
export interface UserInfo {
  /** The provider's stable identifier of the user, always a non-empty string. */
  sub: string
  name?: string
  preferred_username?: string
  email?: string
  email_verified?: boolean
  picture?: string
  profile?: string
  website?: string
  /** The provider's own data the profile was read from (never the token secret). */
  raw: Record<string, unknown>
}

/** Options of {@link UserinfoContext.request}. */
export type UserinfoRequestInit = Pick<OAuth1RequestInit, 'body' | 'headers' | 'query' | 'nonce'>

/** What a registration's `userinfo` normaliser is handed. */
export interface UserinfoContext {
  /** The user's token credentials, found as for any API call. */
  token: Token
  clientId: string
  clientSecret: string
  /** The registration's `userinfoEndpoint`. */
  endpoint: string | undefined
  /** A request signed with the user's token (and the app's `headers`); resolves to the Response. */
  request(method: string, url: string | URL, init?: UserinfoRequestInit): Promise<Response>
  /**
   * `url` requested signed (GET unless `method`) and read as JSON.
   * @throws OAuthError `request_failed` (502) for a non-2xx answer or a body that is not JSON.
   */
  json(
    url: string | URL,
    init?: { method?: string; query?: Record<string, string> },
  ): Promise<unknown>
}

/** The normaliser behind `userinfo()`: reads the provider's profile for a token. */
export type UserinfoFunction = (context: UserinfoContext) => Awaitable<UserInfo>

/**
 * Options of `oauth.register(name, options)`. Any option left out is read from
 * config as `<NAME>_<OPTION>` (`TWITTER_CLIENT_ID`, `TWITTER_REQUEST_TOKEN_URL`…).
 */
export interface RemoteAppOptions<Req = any> {
  clientId?: string | undefined
  clientSecret?: string | undefined
  /** The temporary-credential endpoint. */
  requestTokenUrl?: string | undefined
  /**
   * Extra parameters of the temporary-credential request (sent signed, in the
   * query): an object of strings or a `URLSearchParams` (each name once).
   */
  requestTokenParams?: Record<string, string> | URLSearchParams | undefined
  /** The token-credential endpoint. */
  accessTokenUrl?: string | undefined
  /**
   * Extra parameters of the token-credential request (sent signed, in the
   * query): an object of strings or a `URLSearchParams` (each name once).
   */
  accessTokenParams?: Record<string, string> | URLSearchParams | undefined
  /** The resource-owner authorization endpoint. */
  authorizeUrl?: string | undefined
  /**
   * Extra parameters of the authorization URL (e.g. `{ force_login: 'true' }`),
   * or a function computing them from the login at hand (the request token,
   * the client id, the callback): `({ clientId }) => ({ oauth_consumer_key: clientId })`.
   * The function may be async; what it returns (or resolves to) must be an
   * object of strings or a `URLSearchParams` (each name once).
   */
  authorizeParams?:
    | Record<string, string>
    | URLSearchParams
    | ((context: AuthorizeParamsContext) => Awaitable<Record<string, string> | URLSearchParams>)
    | undefined
  /**
   * The name the request token goes under on the authorization URL. Default
   * `'oauth_token'`; `false` adds none (give it through `authorizeParams`).
   */
  authorizeTokenParam?: string | false | undefined
  /** HTTP method of the temporary-credential request. Default `'POST'`. */
  requestTokenMethod?: 'GET' | 'POST' | undefined
  /** HTTP method of the token-credential request. Default `'POST'`. */
  accessTokenMethod?: 'GET' | 'POST' | undefined
  /**
   * Send `oauth_callback=oob` to the temporary-credential endpoint whatever
   * the login's callback: for providers that return the user to a callback
   * registered with them out of band. Default `false`.
   */
  oobCallback?: boolean | undefined
  /**
   * `false` for OAuth 1.0 providers that send no `oauth_verifier`: the
   * callback is accepted without one and the exchange sent without one.
   * The callback's `oauth_token` must still name a pending login of this
   * browser, and that check is then all that stands against the OAuth 1.0
   * session-fixation attack: only for providers that really send none.
   * Default `true`.
   * @see https://oauth.net/advisories/2009-1/
   */
  requireVerifier?: boolean | undefined
  /**
   * `true` for providers that report the user's refusal as a callback with
   * an empty `oauth_verifier` (NetSuite): such a callback is then
   * `access_denied` (403), the pending login used up, rather than
   * `missing_verifier` (400). A callback with no `oauth_verifier` at all is
   * still `missing_verifier`. Default `false`.
   */
  emptyVerifierIsDenial?: boolean | undefined
  /** Headers sent with every request to the provider; a request's own headers win. */
  headers?: Record<string, string> | undefined
  /**
   * Token credentials issued ahead of time (signing-only APIs), used when no
   * other token is found. Also read from `<NAME>_TOKEN` and `<NAME>_TOKEN_SECRET`.
   */
  token?: Token | undefined
  /**
   * Sign API calls with the client credentials only, unless a call passes a
   * `token` or `withholdToken: false` (one-legged APIs). Default `false`.
   */
  withholdToken?: boolean | undefined
  /** The absolute URL of the profile or identity endpoint `userinfo` reads. */
  userinfoEndpoint?: string | undefined
  /** The normaliser behind `userinfo()` (provider presets supply one). */
  userinfo?: UserinfoFunction | undefined
  /**
   * For APIs where OAuth 1.0a only mints a key (Zotero: the token secret is
   * the API key): the headers that authenticate an API call made with the
   * user's token, built from it, sent **instead of** an OAuth signature
   * (`request`, `get`…, and `userinfo()`'s requests). Calls without a token
   * (`withholdToken`) are still signed with the client credentials. Default:
   * every call is signed.
   */
  apiAuth?: ((token: Token) => Record<string, string>) | undefined
  /** Relative URLs of request methods are resolved against it. */
  apiBaseUrl?: string | undefined
  clientKwargs?: ClientKwargs | undefined
  /** Finds the user's token for a framework request; wins over the registry's `fetchToken`. */
  fetchToken?: (request: Req) => Awaitable<Token | null | undefined> | undefined
  userAgent?: string | undefined
  /** Let config win over the options passed here. */
  overwrite?: boolean | undefined
  /**
   * The default callback when `authorizeRedirect` gets none; else `'oob'`. An
   * absolute URI, or a path (`/authorize`) that the framework adapters resolve
   * against the current request's origin.
   */
  redirectUri?: string | undefined
  /** Require `oauth_callback_confirmed=true`. Default `true` (legacy 1.0 providers: `false`). */
  requireCallbackConfirmed?: boolean | undefined
  /** How long a pending login stays valid, in ms. Default 600 000 (10 minutes). */
  temporaryCredentialTtl?: number | undefined
  /** Allow token endpoints and PLAINTEXT over `http://` off loopback. */
  allowInsecureTransport?: boolean | undefined
  /** How long the provider gets to answer, in ms. Default 10 000. */
  timeout?: number | undefined
  /** The fetch to use. Default `globalThis.fetch`. */
  fetch?: typeof fetch | undefined
  /** Milliseconds added to the local clock for `oauth_timestamp` (providers with a skewed clock). */
  clockOffset?: number | undefined
}

/** {@link RemoteAppOptions} after config lookup and validation. */
export interface ResolvedRemoteAppOptions<Req = any>
  extends Omit<
    RemoteAppOptions<Req>,
    'overwrite' | 'requestTokenParams' | 'accessTokenParams' | 'authorizeParams'
  > {
  clientId: string
  /** Copied into a record. */
  requestTokenParams?: Record<string, string> | undefined
  /** Copied into a record. */
  accessTokenParams?: Record<string, string> | undefined
  /** Copied into a record, or the function (its result is checked and copied at each login). */
  authorizeParams?:
    | Record<string, string>
    | ((context: AuthorizeParamsContext) => Awaitable<Record<string, string> | URLSearchParams>)
    | undefined
  temporaryCredentialTtl: number
  clientKwargs: ClientKwargs
}

/** Options of {@link RemoteApp.request}. */
export interface RemoteAppRequestInit<Req = unknown> extends Omit<OAuth1RequestInit, 'token'> {
  /** Sign with this token; else the token `fetchToken` finds. */
  token?: Token | undefined
  /** The framework request handed to `fetchToken`; default: the current one (`oauth.middleware()`). */
  request?: Req | undefined
  /** Sign with the client credentials only (default: the registration's `withholdToken`). */
  withholdToken?: boolean | undefined
}

/** What {@link RemoteApp.request} reads in `init`: the client's options and its own. */
const REMOTE_APP_REQUEST_INIT_OPTIONS: readonly string[] = [
  ...REQUEST_INIT_OPTIONS,
  ...Object.keys({ request: true, withholdToken: true } satisfies Record<
    Exclude<keyof RemoteAppRequestInit, keyof OAuth1RequestInit>,
    true
  >),
]

/** What {@link RemoteApp.userinfo} reads in `init`. */
const USERINFO_INIT_OPTIONS: readonly string[] = ['token', 'request', 'signal']

/** Options of `new OAuth()`. */
export interface OAuthOptions<Req = unknown> {
  /** Finds the user's token for the app `name` and a framework request. */
  fetchToken?: (name: string, request: Req) => Awaitable<Token | null | undefined>
  /** Where options left out of `register` are read from. Default `process.env` where it exists. */
  config?: Record<string, string | undefined>
}

type OptionKind = 'string' | 'url' | 'params' | 'boolean' | 'number'

const TOP_LEVEL_OPTIONS: Record<string, OptionKind> = {
  clientId: 'string',
  clientSecret: 'string',
  requestTokenUrl: 'url',
  requestTokenParams: 'params',
  accessTokenUrl: 'url',
  accessTokenParams: 'params',
  authorizeUrl: 'url',
  authorizeParams: 'params',
  authorizeTokenParam: 'string',
  requestTokenMethod: 'string',
  accessTokenMethod: 'string',
  oobCallback: 'boolean',
  requireVerifier: 'boolean',
  emptyVerifierIsDenial: 'boolean',
  headers: 'params',
  withholdToken: 'boolean',
  userinfoEndpoint: 'url',
  apiBaseUrl: 'url',
  userAgent: 'string',
  redirectUri: 'string',
  requireCallbackConfirmed: 'boolean',
  temporaryCredentialTtl: 'number',
  allowInsecureTransport: 'boolean',
  timeout: 'number',
  clockOffset: 'number',
}

const CLIENT_KWARGS_OPTIONS: Record<keyof ClientKwargs, OptionKind> = {
  signatureMethod: 'string',
  signatureType: 'string',
  rsaKey: 'string',
  realm: 'string',
  forceIncludeBody: 'boolean',
  bodyHash: 'boolean',
}

/** Register options that are not read from config (code, objects, or register's own switch). */
const CODE_OPTIONS = [
  'clientKwargs',
  'token',
  'userinfo',
  'apiAuth',
  'fetchToken',
  'fetch',
  'overwrite',
] as const

/** Every option `register` knows: a name outside it is a typo that would surface only at a login. */
const KNOWN_OPTIONS = [...Object.keys(TOP_LEVEL_OPTIONS), ...CODE_OPTIONS]

/** The endpoints of the three-legged flow: an app registers all three, or none (signing-only). */
const FLOW_URLS = ['requestTokenUrl', 'accessTokenUrl', 'authorizeUrl'] as const

/** The `denied=` values of one callback whose pending logins are deleted (a provider sends one). */
const MAX_DENIED_NAMES = 4

/** `myApp` → `MY_APP`, `requestTokenUrl` → `REQUEST_TOKEN_URL`. */
export function toUpperSnake(value: string): string {
  return value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase()
}

/**
 * `process.env[key]` where the runtime has a `process.env` and lets it be
 * read; `undefined` otherwise. Deno without `--allow-env` throws on every
 * read (`NotCapable`): a registry given all its options must not fail there,
 * so a denied read is a variable not set.
 */
function environmentValue(key: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env
    return env && Object.hasOwn(env, key) ? env[key] : undefined
  } catch {
    return undefined
  }
}

/** The config variable an option of app `name` is read from, e.g. `TWITTER_CLIENT_ID`. */
export function configKey(name: string, option: string): string {
  return `${toUpperSnake(name)}_${toUpperSnake(option)}`
}

/** A config value as option `option` takes it; a TypeError naming the option when it cannot be. */
function parseConfigValue(raw: string, kind: OptionKind, option: string): unknown {
  switch (kind) {
    case 'string':
    case 'url':
      return raw
    case 'boolean': {
      const v = raw.trim().toLowerCase()
      if (v === 'true' || v === '1' || v === 'yes') return true
      if (v === 'false' || v === '0' || v === 'no') return false
      throw new TypeError(`${option} must be true or false`)
    }
    case 'number': {
      const n = Number(raw)
      if (raw.trim() === '' || Number.isNaN(n)) throw new TypeError(`${option} must be a number`)
      return n
    }
    case 'params': {
      const text = raw.trim()
      const malformed = () =>
        new TypeError(`${option} must be a JSON object or a query string (name=value&…)`)
      // JSON-looking ({…}, […], "…"): a JSON object of scalars, never read as a query.
      if (/^[[{"]/.test(text)) {
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch {
          throw malformed()
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw malformed()
        const params: Record<string, string> = {}
        for (const [name, value] of Object.entries(parsed)) {
          if (
            typeof value !== 'string' &&
            typeof value !== 'number' &&
            typeof value !== 'boolean'
          ) {
            throw new TypeError(`${option}.${name} must be a string, a number or a boolean`)
          }
          setOwn(params, name, String(value))
        }
        return params
      }
      const pairs = decodeForm(text.replace(/^\?/, ''))
      if (pairs === null || pairs.some(([name]) => name === '')) throw malformed()
      return Object.fromEntries(pairs)
    }
  }
}

/**
 * A TypeError about an option read from config key `key`, made to name the
 * key too (`APP_TIMEOUT: timeout must be…`); anything else as it is.
 */
function namingConfigKey(err: unknown, key: string): unknown {
  if (!(err instanceof TypeError)) return err
  return new TypeError(`${key}: ${err.message}`, { cause: err })
}

/**
 * Login parameters (`requestTokenParams`, `authorizeParams`, `params`…),
 * checked and copied into a record: an object of strings, or a
 * `URLSearchParams` as OAuth1Client takes them. Anything else is a TypeError
 * naming `name`, never an empty record: a `Map`, a `Headers` or a class
 * instance has no own entries, and its parameters would silently be dropped.
 */
function checkParams(value: unknown, name: string): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (value instanceof URLSearchParams) {
    const params: Record<string, string> = {}
    for (const [k, v] of value) {
      if (Object.hasOwn(params, k)) {
        throw new TypeError(
          `${name} names ${JSON.stringify(k)} twice: each login parameter is sent once, give it once`,
        )
      }
      setOwn(params, k, v)
    }
    return params
  }
  const proto = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : 0
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(
      `${name} must be an object of strings or a URLSearchParams${value instanceof Map ? ' (not a Map: Object.fromEntries(map) makes one)' : ''}`,
    )
  }
  for (const [k, v] of Object.entries(value as object)) {
    if (typeof v !== 'string') throw new TypeError(`${name}.${k} must be a string`)
  }
  return { ...(value as Record<string, string>) }
}

/**
 * The protocol parameters of RFC 5849 §3.1 (and the body hash): the
 * signature adds each of them to a token request itself.
 */
const PROTOCOL_PARAMS: Readonly<Record<string, string>> = {
  oauth_consumer_key: 'it is the clientId',
  oauth_token: 'it is the token of the login at hand',
  oauth_signature_method: 'set clientKwargs.signatureMethod',
  oauth_signature: 'the signature adds it',
  oauth_timestamp: 'the signature adds it (clockOffset corrects a skewed provider clock)',
  oauth_nonce: 'the signature adds it',
  oauth_version: 'the signature adds it',
  oauth_callback:
    "give the callback as redirectUri (register's option, or authorizeRedirect's argument)",
  oauth_verifier: 'it is read from the callback',
  oauth_body_hash: 'set clientKwargs.bodyHash',
}

/**
 * Refuses a protocol parameter among a token request's extra parameters: the
 * signature adds it too, so every login would fail on a request that carries
 * it twice — and the token-credential request only once the user's pending
 * login is used up.
 */
function checkNoProtocolParams(params: Record<string, string>, option: string): void {
  for (const name of Object.keys(params)) {
    if (Object.hasOwn(PROTOCOL_PARAMS, name)) {
      throw new TypeError(
        `${option}.${name} is an OAuth protocol parameter the signed request carries already: ${PROTOCOL_PARAMS[name]}`,
      )
    }
  }
}

const USERINFO_STRING_CLAIMS = [
  'name',
  'preferred_username',
  'email',
  'picture',
  'profile',
  'website',
] as const

/**
 * A normaliser's result, checked and copied: `sub` a non-empty string, the
 * other claims strings (or `email_verified` a boolean) where present, `raw` an object.
 */
function checkUserInfo(info: unknown, name: string): UserInfo {
  const bad = (what: string) =>
    new OAuthError('request_failed', {
      description: `The userinfo of ${name} is not a profile: ${what}`,
    })
  if (typeof info !== 'object' || info === null) throw bad('not an object')
  const record = info as Record<string, unknown>
  if (typeof record.sub !== 'string' || record.sub === '') throw bad('no sub')
  const raw = record.raw
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('no raw object')
  const out: UserInfo = { sub: record.sub, raw: raw as Record<string, unknown> }
  for (const claim of USERINFO_STRING_CLAIMS) {
    const value = record[claim]
    if (value === undefined || value === null || value === '') continue
    if (typeof value !== 'string') throw bad(`${claim} is not a string`)
    out[claim] = value
  }
  if (record.email_verified !== undefined && record.email_verified !== null) {
    if (typeof record.email_verified !== 'boolean') throw bad('email_verified is not a boolean')
    out.email_verified = record.email_verified
  }
  return out
}

/** A register option's value as token credentials, or a TypeError naming it. */
function checkToken(value: unknown, name: string): Token | undefined {
  if (value === undefined) return undefined
  const record = value as Record<string, unknown> | null
  if (
    typeof value !== 'object' ||
    record === null ||
    typeof record.oauth_token !== 'string' ||
    record.oauth_token === '' ||
    typeof record.oauth_token_secret !== 'string'
  ) {
    throw new TypeError(`${name} must be { oauth_token, oauth_token_secret } strings`)
  }
  return { ...(value as Token) }
}

/** The key a pending login is stored under: `<app name>:<oauth_token>`. */
export function temporaryCredentialKey(appName: string, oauthToken: string): string {
  return `${appName}:${oauthToken}`
}

/**
 * Runs one operation of the temporary-credential store. A failure of the
 * store itself (a session store that cannot save, a database or Redis that is
 * down, a store function that throws) becomes `store_unavailable` (503) with
 * the store's error as `cause`, so the user gets "try again later" rather
 * than a 500. An `OAuthError` the store throws (`@oauth1/redis` throws its
 * own `store_unavailable`) passes through as it is, and so do a `TypeError`
 * and a `RangeError`: the app's mistake (something that is not a store, a
 * wrong argument, a cookie over its size), which must reach its logs as the
 * bug it is.
 */
async function viaStore<T>(what: string, operation: () => T | PromiseLike<T>): Promise<T> {
  try {
    return await operation()
  } catch (err) {
    if (isOAuthError(err) || err instanceof TypeError || err instanceof RangeError) throw err
    throw new OAuthError('store_unavailable', {
      description: `The temporary-credential store failed to ${what}`,
      cause: redactCommandArguments(err),
    })
  }
}

/**
 * One registered provider: the web flow (`beginAuthorization` /
 * `completeAuthorization`) and signed API calls. Stateless between requests:
 * a new {@link OAuth1Client} is made for each call, so one app serves every
 * user concurrently. Adapters subclass it to add `authorizeRedirect` and
 * `authorizeAccessToken` in their framework's shape.
 *
 * @example
 * ```ts
 * const url = await oauth.twitter.beginAuthorization(store, 'https://app.example/callback')
 * // redirect the user to `url`; on the callback:
 * const token = await oauth.twitter.completeAuthorization(store, new URL(req.url, 'http://x'))
 * const res = await oauth.twitter.get('account/verify_credentials.json', { token })
 * ```
 */
export class RemoteApp<Req = unknown> {
  readonly name: string
  readonly registry: OAuth<Req, any>
  // Not enumerable: it holds the client secret, RSA key and static token, which
  // console.log, util.inspect and `{ ...app }` would otherwise show.
  declare protected readonly options: Readonly<ResolvedRemoteAppOptions<Req>>

  constructor(registry: OAuth<Req, any>, name: string, options: ResolvedRemoteAppOptions<Req>) {
    this.registry = registry
    this.name = name
    Object.defineProperty(this, 'options', {
      value: Object.freeze({ ...options }),
      enumerable: false,
      writable: false,
      configurable: false,
    })
  }

  get clientId(): string {
    return this.options.clientId
  }
  /** The temporary-credential endpoint; `undefined` for a signing-only app. */
  get requestTokenUrl(): string | undefined {
    return this.options.requestTokenUrl
  }
  /** The token-credential endpoint; `undefined` for a signing-only app. */
  get accessTokenUrl(): string | undefined {
    return this.options.accessTokenUrl
  }
  /** The resource-owner authorization endpoint; `undefined` for a signing-only app. */
  get authorizeUrl(): string | undefined {
    return this.options.authorizeUrl
  }
  get apiBaseUrl(): string | undefined {
    return this.options.apiBaseUrl
  }
  /** The profile endpoint `userinfo()` reads, if registered. */
  get userinfoEndpoint(): string | undefined {
    return this.options.userinfoEndpoint
  }
  /**
   * How long the provider gets to answer, in ms (the `timeout` option, else
   * {@link DEFAULT_TIMEOUT}; `0` or `Infinity`: no limit). For code that reads
   * an answer's body itself and should give up when the client would.
   */
  get timeout(): number {
    return this.options.timeout ?? DEFAULT_TIMEOUT
  }

  /** The flow endpoint `option`, or a TypeError saying the app is signing-only. */
  #flowUrl(option: (typeof FLOW_URLS)[number]): string {
    const url = this.options[option]
    if (url === undefined) {
      throw new TypeError(
        `${this.name} is registered without ${option} (signing-only): pass it to register('${this.name}') or set ${configKey(this.name, option)}`,
      )
    }
    return url
  }
  /** The default callback (`redirectUri` option), if any. */
  get redirectUri(): string | undefined {
    return this.options.redirectUri
  }

  /** A fresh client with this app's credentials and settings. */
  protected createOAuth1Client(extra: Partial<OAuth1ClientOptions> = {}): OAuth1Client {
    // The options are frozen at registration: what the client gets of them is worked out once.
    this.#clientOptions ??= clientOptionsOf(this.options)
    return new OAuth1Client({ ...this.#clientOptions, ...extra })
  }

  /**
   * Starts a login: fetches temporary credentials with `redirectUri` (else
   * the `redirectUri` option, else `oob`) as the signed `oauth_callback`,
   * saves them in `store` under `<name>:<oauth_token>` with an expiry, and
   * returns the provider URL to send the user to (`authorizeParams`, then
   * `params`, then `oauth_token`).
   *
   * @throws OAuthError `callback_not_confirmed`, `fetch_token_denied`, `invalid_token_response`,
   *   `request_timeout`, `insecure_transport`
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
   */
  async beginAuthorization(
    store: TemporaryCredentialStore,
    redirectUri?: string,
    params?: Record<string, string> | URLSearchParams,
  ): Promise<string> {
    const callback = redirectUri ?? this.options.redirectUri ?? 'oob'
    if (isPathCallback(callback)) {
      throw new TypeError(
        `redirectUri "${callback}" is a path: resolve it against your app's origin (the framework adapters do)`,
      )
    }
    // Checked before the provider is asked for a request token.
    const requestTokenUrl = this.#flowUrl('requestTokenUrl')
    const authorizeUrl = this.#flowUrl('authorizeUrl')
    this.#flowUrl('accessTokenUrl')
    const extraParams = checkParams(params, 'params')
    const client = this.createOAuth1Client({
      redirectUri: this.options.oobCallback === true ? 'oob' : callback,
    })
    const token = await client.fetchRequestToken(requestTokenUrl, this.options.requestTokenParams)
    const registered = this.options.authorizeParams
    const computed =
      typeof registered === 'function'
        ? checkParams(
            // Awaited: a Promise would otherwise pass as an empty object and its
            // rejection go unhandled.
            await registered({
              requestToken: token.oauth_token,
              clientId: this.options.clientId,
              callback,
              token: { ...token },
            }),
            `authorizeParams() of ${this.name}`,
          )
        : registered
    const url = client.createAuthorizationUrl(
      authorizeUrl,
      token.oauth_token,
      { ...computed, ...extraParams },
      this.options.authorizeTokenParam === undefined
        ? {}
        : { tokenParam: this.options.authorizeTokenParam },
    )
    const stored: StoredTemporaryCredential = {
      oauth_token: token.oauth_token,
      oauth_token_secret: token.oauth_token_secret,
      redirect_uri: callback,
      expires_at: Date.now() + this.options.temporaryCredentialTtl,
    }
    await viaStore('keep the temporary credential', () =>
      store.set(temporaryCredentialKey(this.name, token.oauth_token), stored),
    )
    return url
  }

  /**
   * Finishes a login from the callback's query: refuses a refusal
   * (`denied=…`, `oauth_problem=user_refused` → `access_denied`, 403) or
   * another problem the provider reports (`oauth_problem`, mapped by
   * {@link CALLBACK_PROBLEMS}, kept as `oauthProblem` with
   * `oauthProblemAdvice`; the pending login it names is used up), a
   * callback without `oauth_token` (`missing_token`, 400) or with a token
   * that names no live credential in `store` — forged, expired, replayed, or
   * from another session (`missing_temporary_credential`, 400) — and one
   * without a well-formed `oauth_verifier` (`missing_verifier`, 400: absent,
   * empty, repeated, with control characters, invalid UTF-8 or a `%` that
   * starts no `%XX` escape, or over 1024 characters; the provider is not
   * contacted). The stored credential
   * is deleted before the exchange, whatever the outcome, so a callback works
   * once. Returns the token credentials with every field the provider sent.
   *
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3
   * @see https://oauth.net/advisories/2009-1/
   */
  async completeAuthorization(
    store: TemporaryCredentialStore,
    callback: URL | URLSearchParams | string,
  ): Promise<Token> {
    const accessTokenUrl = this.#flowUrl('accessTokenUrl')
    const query = parseCallbackQuery(callback)
    const oauthToken = query.get('oauth_token') ?? ''
    let problem = callbackProblem(query)
    if (
      problem === undefined &&
      this.options.emptyVerifierIsDenial === true &&
      query.getAll('oauth_verifier').length === 1 &&
      query.get('oauth_verifier') === ''
    ) {
      problem = new OAuthError('access_denied', {
        description:
          'The user refused the authorization (the provider sent an empty oauth_verifier)',
      })
    }
    if (problem !== undefined) {
      // The pending logins it names are used up (single use); the provider is not asked.
      // A provider names one; a forged callback repeating `denied=` must not turn
      // one request into thousands of store round trips (the rest expire).
      const named = new Set([...query.getAll('denied').slice(0, MAX_DENIED_NAMES), oauthToken])
      for (const t of named) {
        if (t !== '') {
          await viaStore('drop the temporary credential', () =>
            store.delete(temporaryCredentialKey(this.name, t)),
          )
        }
      }
      throw problem
    }
    if (oauthToken === '') {
      throw new OAuthError('missing_token', {
        status: 400,
        description: 'The callback has no oauth_token',
      })
    }
    const key = temporaryCredentialKey(this.name, oauthToken)
    // Single use: gone before anything else can fail (atomically, with a store that can `take`).
    const stored = await viaStore('take the temporary credential', () =>
      takeTemporaryCredential(store, key),
    )
    if (stored === null) {
      throw new OAuthError('missing_temporary_credential', {
        description:
          "The callback's oauth_token names no pending login in this session (forged, replayed, or from another session)",
      })
    }
    if (!constantTimeEqual(stored.oauth_token, oauthToken)) {
      throw new OAuthError('missing_temporary_credential', {
        description: "The callback's oauth_token does not match the pending login",
      })
    }
    if (!(stored.expires_at > Date.now())) {
      throw new OAuthError('missing_temporary_credential', {
        description: 'The pending login expired; start again',
      })
    }
    // Absent, empty, repeated or malformed (control characters, invalid
    // UTF-8, too long): 400 here, the provider not contacted. A provider
    // registered with requireVerifier: false may send none at all.
    const verifier =
      this.options.requireVerifier === false && !query.has('oauth_verifier')
        ? undefined
        : callbackVerifier(query)
    const client = this.createOAuth1Client({
      token: stored.oauth_token,
      tokenSecret: stored.oauth_token_secret,
    })
    try {
      return await client.fetchAccessToken(accessTokenUrl, verifier, this.options.accessTokenParams)
    } catch (err) {
      if (neverSent(err)) {
        // No byte reached the provider (refused, no such host, a failed TLS
        // handshake): the verifier is unused there. The pending login goes back,
        // as it was, so that the user's retry of this callback can complete it.
        // The failure to reach the provider is the error to report, not the store's.
        await viaStore('put the temporary credential back', () => store.set(key, stored)).catch(
          () => {},
        )
      }
      throw err
    }
  }

  /**
   * The user's token, in order: `init.token`; else `fetchToken(init.request)`
   * (the app's `fetchToken`, else the registry's `fetchToken(name, request)`);
   * else `fetchToken` of the current request (inside `oauth.middleware()`);
   * else the `token` given at registration.
   *
   * @throws OAuthError `missing_token` (401) when none is found.
   */
  protected async resolveToken(
    init: Pick<RemoteAppRequestInit<Req>, 'token' | 'request'>,
  ): Promise<Token> {
    if (init.token !== undefined && init.token !== null) return init.token
    const appFetch = this.options.fetchToken
    const registryFetch = this.registry.fetchToken
    const hasFetch = appFetch !== undefined || registryFetch !== undefined
    // Looked up once: the same request answers for the fetch and for the error.
    const request = hasFetch
      ? init.request !== undefined
        ? init.request
        : this.registry.context.current()
      : undefined
    if (request !== undefined) {
      const token =
        appFetch !== undefined ? await appFetch(request) : await registryFetch?.(this.name, request)
      if (token !== null && token !== undefined) return token
    }
    const fallback = this.options.token
    if (fallback !== undefined) return fallback
    throw new OAuthError('missing_token', {
      description: !hasFetch
        ? `No token for ${this.name}: pass { token }, or give a fetchToken to new OAuth() or to register('${this.name}')`
        : request !== undefined
          ? `No token for ${this.name}: fetchToken found none for this request`
          : this.registry.context.available === false
            ? `No token for ${this.name}: this runtime has no AsyncLocalStorage (Node 20.16+, Bun, Deno, Workers with nodejs_compat or nodejs_als have it), so oauth.middleware() cannot keep the request; pass { request } or { token }`
            : `No token for ${this.name}: pass { token } or { request }, or call inside oauth.middleware()`,
    })
  }

  /** `url` resolved against `apiBaseUrl` when relative; an absolute URL is used as is. */
  protected resolveUrl(url: string | URL): URL {
    if (url instanceof URL) return parseHttpUrl(url, 'url')
    if (typeof url !== 'string' || url === '')
      throw new TypeError('url must be a non-empty string or a URL')
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) return parseHttpUrl(url, 'url')
    const base = this.options.apiBaseUrl
    if (base === undefined)
      throw new TypeError(`url is relative but ${this.name} has no apiBaseUrl`)
    const baseUrl = new URL(base)
    const resolved = new URL(url, baseUrl)
    if (resolved.origin !== baseUrl.origin || /^[\\/]{2}/.test(url)) {
      throw new TypeError('url must be absolute, or a path relative to apiBaseUrl (not //host)')
    }
    return resolved
  }

  /**
   * Sends a signed request to the provider's API with the user's token (see
   * {@link RemoteApp.resolveToken}), or with the client credentials only
   * (`withholdToken: true`). Resolves to the fetch `Response`, whatever its status.
   *
   * @throws OAuthError `missing_token`, `request_timeout`, `request_failed` (the provider
   *   could not be reached: 502, fetch's error as `cause`), `insecure_transport`
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-3
   * @example
   * ```ts
   * const res = await oauth.twitter.request('POST', 'statuses/update.json', { body: { status: 'Hello' } })
   * ```
   */
  async request(
    method: string,
    url: string | URL,
    init: RemoteAppRequestInit<Req> = {},
  ): Promise<Response> {
    if (typeof init !== 'object' || init === null || Array.isArray(init)) {
      throw new TypeError(
        'init must be an object ({ token?, request?, body?, headers?, query?, … })',
      )
    }
    checkRequestInit(init, REMOTE_APP_REQUEST_INIT_OPTIONS)
    if (init.withholdToken !== undefined && typeof init.withholdToken !== 'boolean') {
      throw new TypeError('init.withholdToken must be a boolean')
    }
    const target = this.resolveUrl(url)
    const withhold =
      init.withholdToken ?? (this.options.withholdToken === true && init.token === undefined)
    const token = withhold ? null : await this.resolveToken(init)
    const { token: _t, request: _r, withholdToken: _w, ...rest } = init
    const auth = this.#apiAuthOf(token)
    this.#checkClearCredentials(target, auth)
    return this.createOAuth1Client().request(method, target, { ...rest, token, ...auth })
  }

  /**
   * Refuses to send credentials in the clear — a PLAINTEXT signature (the
   * client secret and the token secret) or the `apiAuth` headers (an API key)
   * — to an origin none of the registration's URLs names: an absolute URL
   * taken from an API answer, say, would otherwise hand them to whoever
   * serves it. An HMAC or RSA signature is bound to its URL and reveals no
   * secret, so such calls stay allowed (an upload host of the provider, say).
   */
  #checkClearCredentials(
    target: string | URL,
    auth: { authHeaders?: Record<string, string> },
  ): void {
    const plaintext = this.options.clientKwargs?.signatureMethod === 'PLAINTEXT'
    if (!plaintext && auth.authHeaders === undefined) return
    let origin: string
    try {
      origin = new URL(target).origin
    } catch {
      return // not a URL: the client refuses it, with its own message
    }
    const origins = this.#registeredOrigins()
    if (origins.has(origin)) return
    const what =
      auth.authHeaders !== undefined
        ? `its apiAuth headers (the user's API credentials)`
        : 'a PLAINTEXT signature (the client and token secrets in the clear)'
    throw new TypeError(
      `${this.name} would send ${what} to ${origin}, which none of its registered URLs names (${[...origins].join(', ') || 'none'}): call a URL there, or register that API as an app of its own with its apiBaseUrl`,
    )
  }

  #origins: ReadonlySet<string> | undefined
  /** What every OAuth1Client of this app is built from (see createOAuth1Client). */
  #clientOptions: OAuth1ClientOptions | undefined

  /** The origins of the registration's URLs (its options are frozen: worked out once). */
  #registeredOrigins(): ReadonlySet<string> {
    if (this.#origins === undefined) {
      const origins = new Set<string>()
      for (const option of [...FLOW_URLS, 'apiBaseUrl', 'userinfoEndpoint'] as const) {
        const url = this.options[option]
        if (url !== undefined) origins.add(new URL(url).origin)
      }
      this.#origins = origins
    }
    return this.#origins
  }

  /** `{ authHeaders }` from the `apiAuth` option for calls made with `token`; `{}` to sign them. */
  #apiAuthOf(token: Token | null): { authHeaders?: Record<string, string> } {
    const make = this.options.apiAuth
    if (make === undefined || token === null) return {}
    const headers = make({ ...token })
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      throw new TypeError(`apiAuth() of ${this.name} must return an object of header values`)
    }
    return { authHeaders: headers }
  }

  /**
   * Who logged in: the registration's `userinfo` normaliser (a provider
   * preset supplies one) run with the user's token, found as for any API
   * call. Resolves to OpenID Connect claim names (`sub`, `name`,
   * `preferred_username`, `email`, `picture`…) plus the provider's `raw` data.
   *
   * One `timeout` bounds the whole of it, every call the normaliser makes and
   * the reading of their answers; `init.signal` aborts it, rejecting with the
   * abort reason as fetch does.
   *
   * @throws TypeError when the app was registered without `userinfo`.
   * @throws OAuthError `missing_token` with no token; `request_failed` when the
   *   provider's profile answer is not a profile; `request_timeout`.
   * @example
   * ```ts
   * const me = await oauth.twitter.userinfo()   // inside oauth.middleware(), via fetchToken
   * me.sub; me.preferred_username; me.raw
   * ```
   */
  async userinfo(
    init: Pick<RemoteAppRequestInit<Req>, 'token' | 'request' | 'signal'> = {},
  ): Promise<UserInfo> {
    const normalise = this.options.userinfo
    if (normalise === undefined) {
      throw new TypeError(
        `${this.name} has no userinfo: register it with a userinfo function (provider presets supply one)`,
      )
    }
    if (typeof init !== 'object' || init === null || Array.isArray(init)) {
      throw new TypeError('init must be an object ({ token?, request?, signal? })')
    }
    checkRequestInit(init, USERINFO_INIT_OPTIONS)
    const { signal, ...tokenInit } = init
    if (signal !== undefined && signal !== null && !(signal instanceof AbortSignal)) {
      throw new TypeError('init.signal must be an AbortSignal')
    }
    signal?.throwIfAborted()
    const token = await this.resolveToken(tokenInit)
    const client = this.createOAuth1Client()
    const auth = this.#apiAuthOf(token)
    const deadline = startDeadline(client.timeout, signal)
    let last: string | URL = this.options.userinfoEndpoint ?? this.name
    const request: UserinfoContext['request'] = async (method, url, options = {}) => {
      last = url
      this.#checkClearCredentials(url, auth)
      return deadline.race(
        client.request(method, url, {
          ...options,
          token,
          ...auth,
          signal: deadline.signal,
          // Who the user is comes from the provider's origin: a redirect away is not followed.
          [SAME_ORIGIN_ONLY]: true,
        } as OAuth1RequestInit),
      )
    }
    const context: UserinfoContext = {
      token: { ...token },
      clientId: this.options.clientId,
      clientSecret: this.options.clientSecret ?? '',
      endpoint: this.options.userinfoEndpoint,
      request,
      json: async (url, options = {}) => {
        const response = await request(options.method ?? 'GET', url, {
          headers: { accept: 'application/json' },
          ...(options.query === undefined ? {} : { query: options.query }),
        })
        return deadline.race(readJsonResponse(response, url, 'userinfo endpoint', client.timeout))
      },
    }
    let info: UserInfo
    try {
      info = await deadline.race(Promise.resolve().then(() => normalise(context)))
    } catch (err) {
      if (deadline.timedOut && !(isOAuthError(err) && err.code === 'request_timeout'))
        throw timeoutError(last, client.timeout, err)
      throw err
    } finally {
      deadline.clear()
    }
    return checkUserInfo(info, this.name)
  }

  get(url: string | URL, init?: RemoteAppRequestInit<Req>): Promise<Response> {
    return this.request('GET', url, init)
  }
  post(url: string | URL, init?: RemoteAppRequestInit<Req>): Promise<Response> {
    return this.request('POST', url, init)
  }
  put(url: string | URL, init?: RemoteAppRequestInit<Req>): Promise<Response> {
    return this.request('PUT', url, init)
  }
  patch(url: string | URL, init?: RemoteAppRequestInit<Req>): Promise<Response> {
    return this.request('PATCH', url, init)
  }
  delete(url: string | URL, init?: RemoteAppRequestInit<Req>): Promise<Response> {
    return this.request('DELETE', url, init)
  }

  /** Never serialise the client secret or RSA key. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, clientId: this.clientId }
  }

  /** What `util.inspect` and `console.log` show (Node, Bun, Deno): no secret, even with `showHidden`. */
  [Symbol.for('nodejs.util.inspect.custom')](
    _depth?: number,
    options?: unknown,
    inspect?: (value: unknown, options?: unknown) => string,
  ): unknown {
    const shown = { ...this.toJSON(), apiBaseUrl: this.apiBaseUrl }
    return typeof inspect === 'function'
      ? `${this.constructor.name} ${inspect(shown, options)}`
      : shown
  }
}

/**
 * The registry of providers, as Authlib's `OAuth`: `register` each one once
 * at start-up, then reach it as `oauth.<name>`.
 *
 * @example
 * ```ts
 * const oauth = new OAuth({ fetchToken: (name, req) => db.tokens.find(req.user.id, name) })
 * oauth.register('twitter', {
 *   // clientId and clientSecret from TWITTER_CLIENT_ID / TWITTER_CLIENT_SECRET
 *   requestTokenUrl: 'https://api.x.com/oauth/request_token',
 *   accessTokenUrl: 'https://api.x.com/oauth/access_token',
 *   authorizeUrl: 'https://api.x.com/oauth/authenticate',
 *   apiBaseUrl: 'https://api.x.com/1.1/',
 * })
 * await oauth.twitter.get('account/verify_credentials.json', { token })
 * ```
 */
export class OAuth<Req = unknown, App extends RemoteApp<Req> = RemoteApp<Req>> {
  [name: string]: any
  /** The per-request context; each adapter's `middleware()` runs requests inside `context.run`. */
  readonly context: RequestContext<Req>
  readonly fetchToken:
    | ((name: string, request: Req) => Awaitable<Token | null | undefined>)
    | undefined
  readonly #config: Record<string, string | undefined> | undefined
  readonly #apps = new Map<string, App>()
  /** The registered apps with a `fetchToken` of their own. */
  readonly #appsWithFetchToken = new Set<string>()

  constructor(options: OAuthOptions<Req> = {}) {
    if (
      typeof options !== 'object' ||
      options === null ||
      Array.isArray(options) ||
      options instanceof URL
    )
      throw new TypeError('options must be an object')
    checkKnownOptions(options, ['fetchToken', 'config'])
    if (options.fetchToken !== undefined && typeof options.fetchToken !== 'function') {
      throw new TypeError('fetchToken must be a function')
    }
    if (
      options.config !== undefined &&
      (typeof options.config !== 'object' || options.config === null)
    ) {
      throw new TypeError('config must be an object')
    }
    this.context = createRequestContext<Req>()
    this.fetchToken = options.fetchToken
    this.#config = options.config
  }

  #configValue(name: string, option: string, kind: OptionKind): unknown {
    const key = configKey(name, option)
    const config = this.#config
    const raw =
      config === undefined
        ? environmentValue(key)
        : Object.hasOwn(config, key)
          ? config[key]
          : undefined
    if (typeof raw !== 'string' || raw === '') return undefined
    try {
      return parseConfigValue(raw, kind, option)
    } catch (err) {
      throw namingConfigKey(err, key)
    }
  }

  /**
   * Registers a provider as `oauth[name]` and returns it. Options left out
   * are read from config as `<NAME>_<OPTION>`; with `overwrite: true`, config
   * wins. Registering a name again replaces the app.
   *
   * @throws TypeError when a required option (clientId, requestTokenUrl,
   *   accessTokenUrl, authorizeUrl) is missing, an option is malformed, or
   *   `name` is taken by a property of the registry (`register`, `context`…).
   */
  register(name: string, options: RemoteAppOptions<Req> = {}): App {
    if (typeof name !== 'string' || !/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(name)) {
      throw new TypeError('name must be an identifier such as "twitter"')
    }
    // `then` would make the registry a thenable: `await oauth` would call the app.
    if ((name in this || name === 'then') && !this.#apps.has(name)) {
      throw new TypeError(`name "${name}" is taken by a property of OAuth; choose another`)
    }
    if (typeof options !== 'object' || options === null)
      throw new TypeError('options must be an object')
    if (options.overwrite !== undefined && typeof options.overwrite !== 'boolean') {
      throw new TypeError('overwrite must be a boolean')
    }
    const kwargs: unknown = options.clientKwargs
    if (
      kwargs !== undefined &&
      kwargs !== null &&
      (typeof kwargs !== 'object' || Array.isArray(kwargs))
    ) {
      throw new TypeError('clientKwargs must be an object')
    }
    checkKnownOptions(options, KNOWN_OPTIONS, `register('${name}'): `)
    checkKnownOptions(
      kwargs ?? {},
      Object.keys(CLIENT_KWARGS_OPTIONS),
      `register('${name}'): clientKwargs: `,
    )
    const overwrite = options.overwrite === true
    // The options whose value config supplied, with the key: errors about them name it.
    const fromConfigKey = new Map<string, string>()
    const pick = (explicit: unknown, option: string, kind: OptionKind): unknown => {
      const fromConfig = this.#configValue(name, option, kind)
      const useConfig = fromConfig !== undefined && (overwrite || explicit == null)
      if (useConfig) fromConfigKey.set(option, configKey(name, option))
      return useConfig ? fromConfig : explicit
    }

    const resolved: Record<string, unknown> = {}
    for (const [option, kind] of Object.entries(TOP_LEVEL_OPTIONS)) {
      const explicit = (options as Record<string, unknown>)[option]
      // A computed authorizeParams is code: config (a JSON object or a query) wins only with overwrite.
      if (option === 'authorizeParams' && typeof explicit === 'function') {
        resolved[option] = overwrite ? pick(explicit, option, kind) : explicit
        continue
      }
      const value = pick(explicit, option, kind)
      if (value !== undefined) resolved[option] = value
    }
    const configToken = this.#configValue(name, 'token', 'string') as string | undefined
    const staticToken =
      configToken === undefined
        ? undefined
        : {
            oauth_token: configToken,
            oauth_token_secret:
              (this.#configValue(name, 'tokenSecret', 'string') as string | undefined) ?? '',
          }
    const token = overwrite ? (staticToken ?? options.token) : (options.token ?? staticToken)
    if (token !== undefined) resolved.token = checkToken(token, 'token')
    if (options.userinfo !== undefined) {
      if (typeof options.userinfo !== 'function') throw new TypeError('userinfo must be a function')
      resolved.userinfo = options.userinfo
    }
    if (options.apiAuth !== undefined) {
      if (typeof options.apiAuth !== 'function') throw new TypeError('apiAuth must be a function')
      resolved.apiAuth = options.apiAuth
    }
    const clientKwargs: Record<string, unknown> = {}
    for (const [option, kind] of Object.entries(CLIENT_KWARGS_OPTIONS)) {
      const value = pick(
        (kwargs as Record<string, unknown> | null | undefined)?.[option],
        option,
        kind,
      )
      if (value !== undefined) clientKwargs[option] = value
    }
    resolved.clientKwargs = clientKwargs
    if (options.fetchToken !== undefined) {
      if (typeof options.fetchToken !== 'function')
        throw new TypeError('fetchToken must be a function')
      resolved.fetchToken = options.fetchToken
    }
    if (options.fetch !== undefined) resolved.fetch = options.fetch

    let final: ResolvedRemoteAppOptions<Req>
    try {
      for (const option of ['clientId', ...FLOW_URLS]) {
        if (resolved[option] === '') delete resolved[option]
      }
      if (resolved.clientId === undefined) {
        throw new TypeError(
          `register('${name}'): clientId is required; pass it or set ${configKey(name, 'clientId')}`,
        )
      }
      // No provider issues a client identifier with whitespace at either end: a
      // blank one, or one pasted with a space or a line break, would be signed
      // as it is and refused by the provider with an unhelpful 401.
      const clientId: unknown = resolved.clientId
      if (typeof clientId === 'string' && /^\s|\s$/.test(clientId)) {
        throw new TypeError(
          `register('${name}'): clientId ${clientId.trim() === '' ? 'is blank' : 'starts or ends with whitespace'}; check what you pass or ${configKey(name, 'clientId')}`,
        )
      }
      // The same for a secret read from a file, whose line end would be part of the HMAC key.
      const clientSecret: unknown = resolved.clientSecret
      if (typeof clientSecret === 'string' && hasLineBreakAtEnds(clientSecret)) {
        throw new TypeError(
          `register('${name}'): clientSecret starts or ends with a line break (CR or LF): it probably came from a file; trim it (check what you pass or ${configKey(name, 'clientSecret')})`,
        )
      }
      const tokenSecret = (resolved.token as Token | undefined)?.oauth_token_secret
      if (tokenSecret !== undefined && hasLineBreakAtEnds(tokenSecret)) {
        throw new TypeError(
          `register('${name}'): token.oauth_token_secret starts or ends with a line break (CR or LF): it probably came from a file; trim it (check what you pass or ${configKey(name, 'tokenSecret')})`,
        )
      }
      // All three flow endpoints, or none (a signing-only app).
      const givenUrls = FLOW_URLS.filter((option) => resolved[option] !== undefined)
      if (givenUrls.length !== 0) {
        for (const option of FLOW_URLS) {
          if (resolved[option] === undefined) {
            throw new TypeError(
              `register('${name}'): ${option} is required with ${givenUrls.join(' and ')}; pass it or set ${configKey(name, option)} (or give none of the three for a signing-only app)`,
            )
          }
        }
      }
      // As every request parses them: a user:password@ would pass here and fail
      // the first login or API call (fetch refuses to send one).
      for (const option of [...FLOW_URLS, 'apiBaseUrl', 'userinfoEndpoint']) {
        if (resolved[option] !== undefined) parseRequestUrl(resolved[option], option)
      }
      for (const option of ['requestTokenParams', 'accessTokenParams', 'authorizeParams']) {
        if (option === 'authorizeParams' && typeof resolved[option] === 'function') continue
        resolved[option] = checkParams(resolved[option], option)
        if (resolved[option] === undefined) delete resolved[option]
        else if (option !== 'authorizeParams') {
          checkNoProtocolParams(resolved[option] as Record<string, string>, option)
        }
      }
      for (const option of ['clientId', 'clientSecret', 'userAgent', 'redirectUri']) {
        if (resolved[option] !== undefined && typeof resolved[option] !== 'string') {
          throw new TypeError(`${option} must be a string`)
        }
      }
      for (const option of [
        'oobCallback',
        'withholdToken',
        'requireVerifier',
        'emptyVerifierIsDenial',
      ]) {
        if (resolved[option] !== undefined && typeof resolved[option] !== 'boolean') {
          throw new TypeError(`${option} must be a boolean`)
        }
      }
      const tokenParam = resolved.authorizeTokenParam
      if (tokenParam !== undefined && tokenParam !== false) {
        if (typeof tokenParam !== 'string' || tokenParam === '')
          throw new TypeError('authorizeTokenParam must be a non-empty string or false')
      }
      const ttl = resolved.temporaryCredentialTtl ?? DEFAULT_TEMPORARY_CREDENTIAL_TTL
      if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
        throw new TypeError('temporaryCredentialTtl must be a positive number of milliseconds')
      }
      resolved.temporaryCredentialTtl = ttl
      if (resolved.timeout !== undefined) checkTimeout(resolved.timeout)

      final = resolved as unknown as ResolvedRemoteAppOptions<Req>
      // Fail now, not on the first login: signature method, RSA key, redirectUri…
      // (the very options every later client of this app is built from).
      const probe = clientOptionsOf(final)
      if (final.redirectUri !== undefined) {
        if (isPathCallback(final.redirectUri)) checkRelativeCallback(final.redirectUri)
        else probe.redirectUri = final.redirectUri
      }
      new OAuth1Client(probe)
    } catch (err) {
      // A message starts with the option it is about (`timeout must…`, `headers.x-a is…`).
      const option = err instanceof TypeError ? /^[A-Za-z]+/.exec(err.message)?.[0] : undefined
      const key = option === undefined ? undefined : fromConfigKey.get(option)
      throw key === undefined ? err : namingConfigKey(err, key)
    }

    const app = this.createRemoteApp(name, final)
    if (final.fetchToken !== undefined) this.#appsWithFetchToken.add(name)
    else this.#appsWithFetchToken.delete(name)
    this.#apps.set(name, app)
    Object.defineProperty(this, name, {
      value: app,
      enumerable: true,
      configurable: true,
      writable: false,
    })
    return app
  }

  /**
   * Whether anything reads the request {@link context}: a `fetchToken` on the
   * registry or on a registered app. The context serves only to find a token
   * for an API call made with neither `token` nor `request`, and with no
   * `fetchToken` that call fails with `missing_token` either way.
   */
  get readsRequestContext(): boolean {
    return this.fetchToken !== undefined || this.#appsWithFetchToken.size !== 0
  }

  /**
   * What each adapter's `middleware()` calls for a request: runs `fn` with
   * `request` as the current request of {@link context} when `bind` is
   * `true`, or when it is `undefined` (the default) and
   * {@link readsRequestContext}; otherwise just calls `fn`. Checked on every
   * request, so a `fetchToken` registered later is honoured.
   *
   * Skipping the context when nothing reads it matters on Node 20, where an
   * `AsyncLocalStorage` in use makes Node track every async resource of the
   * process (a few percent of a trivial route's throughput).
   *
   * @example
   * ```ts
   * app.use((req, res, next) => oauth.runWithRequest(req, next))
   * ```
   */
  runWithRequest<T>(request: Req, fn: () => T, bind?: boolean): T {
    if (bind === true || (bind === undefined && this.readsRequestContext)) {
      return this.context.run(request, fn)
    }
    return fn()
  }

  /** The app registered as `name`, or `undefined`. */
  createClient(name: string): App | undefined {
    return this.#apps.get(name)
  }

  /** Builds the app object; adapters override it to return their subclass. */
  protected createRemoteApp(name: string, options: ResolvedRemoteAppOptions<Req>): App {
    return new RemoteApp<Req>(this, name, options) as App
  }
}
