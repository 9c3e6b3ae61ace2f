import {
  type Awaitable,
  OAuth as CoreOAuth,
  checkKnownOptions,
  createSealer,
  DEFAULT_SESSION_MAX_ENTRIES,
  isLoopbackHost,
  isServerSideStore,
  RemoteApp,
  type RemoteAppRequestInit,
  type ResolvedRemoteAppOptions,
  resolveCallbackUri,
  type Sealer,
  type SealerSecret,
  type ServerSideStore,
  type TemporaryCredentialStore,
  type Token,
  type UserInfo,
} from '@oauth1/core'
import type { Context, Env, MiddlewareHandler } from 'hono'
import { toHonoError } from './errors.js'
import {
  BoundCookieBinding,
  CookieBinding,
  CustomStoreBinding,
  type RequestBinding,
} from './session.js'
import type { OAuthEnv } from './types.js'
import { requestOrigin, requestSearch } from './url.js'

/**
 * Any Hono context. The web-flow methods take the context of any route, as
 * Hono's own helpers (`getCookie(c)`) do: a route behind
 * `app.use(oauth.middleware())` has a `Context<E & OAuthEnv>`, which
 * TypeScript does not accept as a `Context<E>`.
 */
export type AnyContext = Context<any, any, any>

/**
 * Settings of the encrypted cookie that keeps the temporary credentials.
 *
 * @example
 * ```ts
 * // plain http on a LAN address during development: browsers drop Secure cookies there
 * app.use(oauth.middleware({ secret, cookie: { secure: false } }))
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.5
 */
export interface OAuthCookieOptions {
  /**
   * The cookie's name. Default `oauth1`; sent as `__Host-oauth1` whenever the
   * cookie is `Secure`, so no subdomain can plant or overwrite it.
   */
  name?: string | undefined
  /**
   * Default: `Secure` except for plain-http requests to loopback hosts
   * (`localhost`, `127.0.0.1`, `[::1]`), where browsers would drop it.
   */
  secure?: boolean | undefined
}

/**
 * Options of {@link OAuth.middleware}: a `secret` (the temporary credentials
 * then live in an encrypted cookie of their own) or a `store`.
 *
 * @example
 * ```ts
 * app.use(oauth.middleware({ secret: [process.env.OAUTH1_SECRET!, process.env.OAUTH1_OLD_SECRET!], trustProxy: true }))
 * app.use(oauth.middleware({ store: (c) => sessionStore(c) }))
 * ```
 * @see https://oauth.net/advisories/2009-1/
 */
export interface MiddlewareOptions<E extends Env = any> {
  /**
   * At least 32 characters (or bytes) of randomness, used to encrypt the
   * cookie with AES-256-GCM. A list rotates keys: the first seals, any
   * unseals.
   */
  secret?: SealerSecret | readonly SealerSecret[] | undefined
  /**
   * Instead of the encrypted cookie, either:
   *
   * - a server-side store shared by every instance of the app
   *   (`redisStore(redis)` of `@oauth1/redis`): each pending login is an
   *   entry of its own there, and a cookie keeps only this browser's
   *   unguessable binding id (no secret needed). Single use is atomic across
   *   instances, and logins one browser starts at the same moment never
   *   overwrite each other;
   * - or a function returning the temporary-credential store of this
   *   request's session (e.g. `createSessionRecordStore` over your session
   *   library's data), called at most once per request, on first use.
   */
  store?: ((c: Context<E>) => Awaitable<TemporaryCredentialStore>) | ServerSideStore | undefined
  /** The cookie's name and `Secure` flag (with `secret`, or a server-side `store`). */
  cookie?: OAuthCookieOptions | undefined
  /** Pending logins kept in the cookie at most; the oldest is dropped beyond it. Default 5. */
  maxEntries?: number | undefined
  /**
   * Trust `X-Forwarded-Proto` and `X-Forwarded-Host` (first values) to find
   * the origin the browser used: for a relative `redirectUri` and for the
   * cookie's `Secure` flag. Turn on only behind a proxy that sets them. A
   * login or callback whose forwarded value makes no origin (a scheme other
   * than http/https, a host with a path or spaces) is answered `400`.
   * Default `false`.
   */
  trustProxy?: boolean | undefined
  /**
   * Keep each request's context as the registry's current request
   * (`oauth.context`, an `AsyncLocalStorage` where the runtime has one) so
   * API calls find the token through `fetchToken` with no `c` passed.
   * Default: when a `fetchToken` is configured (on `new OAuth()` or on a
   * registered app), since nothing else reads it. `false` skips it (then pass
   * `{ request: c }` to API calls); `true` binds every request.
   */
  context?: boolean | undefined
}

interface ResolvedMiddleware {
  bind(c: Context): RequestBinding
  trustProxy: boolean
  /** `options.context`: `undefined` leaves the choice to `runWithRequest`. */
  context: boolean | undefined
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const MIN_SECRET = 32
/** Longer names would leave the sealed credentials no room in a 4 KiB cookie. */
const MAX_COOKIE_NAME = 128
const PREFIX = '@oauth1/hono:'
/** The cookie's name, sent as `__Host-oauth1` whenever the cookie is `Secure`. */
export const DEFAULT_COOKIE_NAME = 'oauth1'

/**
 * What the middleware keeps for one request: `c.var.oauth1`, and the store
 * binding, made on first use only (a route that never logs in pays for no
 * cookie parsing, no decryption and no URL parsing).
 */
class RequestState {
  readonly #c: Context
  readonly #resolved: ResolvedMiddleware
  #binding: RequestBinding | undefined

  constructor(c: Context, resolved: ResolvedMiddleware) {
    this.#c = c
    this.#resolved = resolved
  }

  get trustProxy(): boolean {
    return this.#resolved.trustProxy
  }

  get binding(): RequestBinding {
    this.#binding ??= this.#resolved.bind(this.#c)
    return this.#binding
  }

  /** This request's temporary-credential store (`c.var.oauth1.store`). */
  get store(): TemporaryCredentialStore {
    return this.binding.store
  }

  /** Puts the latest cookie on the final response, if the store was written. */
  settle(c: Context): Promise<void> | undefined {
    return this.#binding?.settle(c)
  }
}

/** Per registry, the context variable its middleware keeps its {@link RequestState} under. */
const stateKeys = new WeakMap<object, symbol>()

function stateKeyOf(registry: object): symbol {
  let key = stateKeys.get(registry)
  if (key === undefined) {
    key = Symbol('@oauth1/hono request state')
    stateKeys.set(registry, key)
  }
  return key
}

function stateOf(registry: object, c: Context): RequestState | undefined {
  return (c.get as (key: symbol) => RequestState | undefined)(stateKeyOf(registry))
}

function checkSecret(secret: unknown, label: string): void {
  if (typeof secret === 'string') {
    if (secret.length < MIN_SECRET) {
      throw new TypeError(
        `${PREFIX} ${label} must be at least ${MIN_SECRET} characters long (it encrypts the temporary credentials in a cookie)`,
      )
    }
    return
  }
  if (secret instanceof Uint8Array) {
    if (secret.byteLength < MIN_SECRET) {
      throw new TypeError(`${PREFIX} ${label} must be at least ${MIN_SECRET} bytes long`)
    }
    return
  }
  throw new TypeError(`${PREFIX} ${label} must be a string or a Uint8Array`)
}

/** Every option of {@link MiddlewareOptions} (the type keeps the list complete): another name is a typo. */
const MIDDLEWARE_OPTIONS: readonly string[] = Object.keys({
  secret: true,
  store: true,
  cookie: true,
  maxEntries: true,
  trustProxy: true,
  context: true,
} satisfies Record<keyof MiddlewareOptions, true>)

function resolveMiddleware(options: unknown): ResolvedMiddleware {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `${PREFIX} oauth.middleware() needs options.secret (a random string of at least 32 characters) to encrypt the temporary credentials in a cookie, or options.store (a server-side store such as redisStore(client) of @oauth1/redis, or a function (c) => TemporaryCredentialStore over your own session): app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))`,
    )
  }
  checkKnownOptions(options, MIDDLEWARE_OPTIONS, `${PREFIX} `)
  const {
    secret,
    store,
    cookie,
    maxEntries,
    trustProxy = false,
    context,
  } = options as MiddlewareOptions
  if (typeof trustProxy !== 'boolean')
    throw new TypeError(`${PREFIX} options.trustProxy must be a boolean`)
  if (context !== undefined && typeof context !== 'boolean')
    throw new TypeError(`${PREFIX} options.context should be a boolean`)
  if (typeof store === 'function') {
    if (secret !== undefined || cookie !== undefined || maxEntries !== undefined) {
      throw new TypeError(
        `${PREFIX} options.store replaces the encrypted cookie: pass options.secret, options.cookie and options.maxEntries only without it`,
      )
    }
    return {
      bind: (c) => new CustomStoreBinding(c, store as (c: Context) => unknown),
      trustProxy,
      context,
    }
  }
  if (store !== undefined) {
    if (!isServerSideStore(store)) {
      throw new TypeError(
        `${PREFIX} options.store must be a function (c) => TemporaryCredentialStore, or a server-side store such as redisStore(client) of @oauth1/redis (an object with forBinding(bindingId))`,
      )
    }
    if (secret !== undefined || maxEntries !== undefined) {
      throw new TypeError(
        `${PREFIX} options.store keeps the pending logins in the store, the cookie only the browser's binding id: options.secret and options.maxEntries apply only without it (seal them in the store instead, e.g. redisStore(client, { secret }))`,
      )
    }
    const cookieFor = resolveCookie(cookie, trustProxy)
    return {
      trustProxy,
      context,
      bind: (c) => new BoundCookieBinding(c, store, cookieFor(c)),
    }
  }
  if (secret === undefined || secret === null || secret === '') {
    throw new TypeError(
      `${PREFIX} oauth.middleware() needs options.secret (a random string of at least 32 characters) to encrypt the temporary credentials in a cookie, or options.store (a server-side store such as redisStore(client) of @oauth1/redis, or a function (c) => TemporaryCredentialStore over your own session): app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))`,
    )
  }
  if (Array.isArray(secret)) {
    if (secret.length === 0)
      throw new TypeError(`${PREFIX} options.secret must not be an empty list`)
    for (const [i, s] of secret.entries()) checkSecret(s, `options.secret[${i}]`)
  } else {
    checkSecret(secret, 'options.secret')
  }
  const sealer: Sealer = createSealer(secret as SealerSecret | readonly SealerSecret[])
  const cookieFor = resolveCookie(cookie, trustProxy)
  const entries = maxEntries ?? DEFAULT_SESSION_MAX_ENTRIES
  if (typeof entries !== 'number' || !Number.isSafeInteger(entries) || entries < 1) {
    throw new TypeError(`${PREFIX} options.maxEntries must be a positive integer`)
  }
  return {
    trustProxy,
    context,
    bind: (c) =>
      new CookieBinding(c, sealer, { ...cookieFor(c), maxEntries: entries, fallbackMaxAge: 600 }),
  }
}

/** Every option of {@link OAuthCookieOptions} (the type keeps the list complete). */
const COOKIE_OPTIONS: readonly string[] = Object.keys({
  name: true,
  secure: true,
} satisfies Record<keyof OAuthCookieOptions, true>)

/** Cookie attributes other libraries take as options, which this cookie fixes. */
const FIXED_COOKIE_ATTRIBUTES = ['path', 'domain', 'sameSite', 'httpOnly', 'maxAge', 'expires']

/**
 * Checks `options.cookie`; returns the cookie's name and `Secure` flag for a
 * request: `Secure` (and so `__Host-`) unless the app runs on plain http on a
 * loopback host, or as `cookie.secure` says.
 */
function resolveCookie(
  cookie: unknown,
  trustProxy: boolean,
): (c: Context) => { name: string; secure: boolean } {
  if (
    cookie !== undefined &&
    (typeof cookie !== 'object' || cookie === null || Array.isArray(cookie))
  ) {
    throw new TypeError(`${PREFIX} options.cookie must be an object`)
  }
  if (cookie !== undefined) {
    for (const name of FIXED_COOKIE_ATTRIBUTES) {
      if (Object.hasOwn(cookie, name)) {
        throw new TypeError(
          `${PREFIX} options.cookie: unknown option ${JSON.stringify(name)} (known: ${COOKIE_OPTIONS.join(', ')}); the cookie's attributes are fixed: Path=/, HttpOnly, SameSite=Lax and no Domain (so that it can be __Host-), its lifetime that of the pending logins`,
        )
      }
    }
    checkKnownOptions(cookie, COOKIE_OPTIONS, `${PREFIX} options.cookie: `)
  }
  const options = cookie as OAuthCookieOptions | undefined
  const baseName = options?.name ?? DEFAULT_COOKIE_NAME
  if (
    typeof baseName !== 'string' ||
    baseName.length > MAX_COOKIE_NAME ||
    !COOKIE_NAME.test(baseName) ||
    /^__(host|secure)-/i.test(baseName)
  ) {
    throw new TypeError(
      `${PREFIX} options.cookie.name must be a cookie name of at most ${MAX_COOKIE_NAME} characters (letters, digits, ! # $ % & ' * + - . ^ _ \` | ~) without a __Host-/__Secure- prefix`,
    )
  }
  const secureOption = options?.secure
  if (secureOption !== undefined && typeof secureOption !== 'boolean') {
    throw new TypeError(`${PREFIX} options.cookie.secure must be a boolean`)
  }
  return (c) => {
    const origin = requestOrigin(c, trustProxy)
    const secure = secureOption ?? !(origin.protocol === 'http:' && isLoopbackHost(origin.hostname))
    return { name: secure ? `__Host-${baseName}` : baseName, secure }
  }
}

function stateFor(registry: object, c: Context, method: string): RequestState {
  if (typeof c !== 'object' || c === null || typeof c.get !== 'function') {
    throw new TypeError(
      `${PREFIX} ${method}(c): c should be the Hono context the route was called with`,
    )
  }
  const found = stateOf(registry, c)
  if (found === undefined) {
    throw new TypeError(
      `${PREFIX} ${method}() needs oauth.middleware() to run before this route: app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))`,
    )
  }
  return found
}

/**
 * A registered provider, with the web flow in Hono's calling shape and
 * signed API calls (`request`, `get`, `post`, `put`, `patch`, `delete`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2
 */
export class HonoRemoteApp<E extends Env = any> extends RemoteApp<Context<E>> {
  /**
   * Starts the login: fetches temporary credentials (sending `redirectUri`
   * as the signed `oauth_callback`), keeps them in this browser's encrypted
   * cookie (or your store), and returns the `302` to the provider's
   * authorization page, carrying the `Set-Cookie`. Return it from the
   * handler.
   *
   * A relative `redirectUri` (`/authorize`) is resolved against the
   * request's origin. Without one, the registered `redirectUri`, else `oob`.
   *
   * @throws OAuthError `fetch_token_denied`, `callback_not_confirmed`,
   * `invalid_token_response` (502), `request_timeout` (504),
   * `insecure_transport` — answered as their status by Hono's default error
   * handler.
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
   * @example
   * ```ts
   * app.get('/login', (c) => oauth.twitter.authorizeRedirect(c, '/authorize'))
   * ```
   */
  async authorizeRedirect(
    c: AnyContext,
    redirectUri?: string,
    params?: Record<string, string> | URLSearchParams,
  ): Promise<Response> {
    const state = stateFor(this.registry, c as Context, 'authorizeRedirect')
    if (redirectUri !== undefined && (typeof redirectUri !== 'string' || redirectUri === '')) {
      throw new TypeError(`${PREFIX} redirectUri should be a non-empty string`)
    }
    const wanted = redirectUri ?? this.redirectUri
    const callback =
      wanted === undefined
        ? undefined
        : resolveCallbackUri(wanted, requestOrigin(c as Context, state.trustProxy))
    // beginAuthorization (overridden below) already gives its OAuthErrors their Hono response.
    const url = await this.beginAuthorization(state.store, callback, params)
    return c.redirect(url, 302)
  }

  /**
   * Completes the login on the callback route: checks that the query's
   * `oauth_token` names a live temporary credential of this browser, removes
   * it (single use, whatever the outcome), exchanges it with the verifier,
   * and resolves to the token credentials with every field the provider sent
   * (`user_id`, `screen_name`…). Store them; this package does not.
   *
   * @throws OAuthError `access_denied` (403), `missing_token`,
   * `missing_verifier`, `missing_temporary_credential` (400), provider
   * failures (502/504) — answered as their status by Hono's default error
   * handler.
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3
   * @example
   * ```ts
   * app.get('/authorize', async (c) => {
   *   const token = await oauth.twitter.authorizeAccessToken(c)
   *   await saveToken(token)
   *   return c.redirect('/')
   * })
   * ```
   */
  async authorizeAccessToken(c: AnyContext): Promise<Token> {
    const state = stateFor(this.registry, c as Context, 'authorizeAccessToken')
    // completeAuthorization (overridden below) already gives its OAuthErrors their Hono response.
    return this.completeAuthorization(state.store, requestSearch(c as Context))
  }

  /**
   * The framework-neutral first half of the login, for flows of your own
   * (`c.var.oauth1.store` is this request's store). Its `OAuthError`s, too,
   * reach Hono's default error handler as their status.
   *
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
   */
  override async beginAuthorization(
    ...args: Parameters<RemoteApp<Context<E>>['beginAuthorization']>
  ): Promise<string> {
    try {
      return await super.beginAuthorization(...args)
    } catch (err) {
      throw toHonoError(err)
    }
  }

  /**
   * The framework-neutral second half of the login, for flows of your own.
   * Its `OAuthError`s, too, reach Hono's default error handler as their
   * status.
   *
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3
   */
  override async completeAuthorization(
    ...args: Parameters<RemoteApp<Context<E>>['completeAuthorization']>
  ): Promise<Token> {
    try {
      return await super.completeAuthorization(...args)
    } catch (err) {
      throw toHonoError(err)
    }
  }

  /**
   * A signed request to the provider's API. The token is `init.token`, else
   * `fetchToken(init.request)`, else `fetchToken` for the request the
   * middleware is running (where the runtime has `AsyncLocalStorage`).
   *
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-3
   */
  override async request(
    method: string,
    url: string | URL,
    init?: RemoteAppRequestInit<AnyContext>,
  ): Promise<Response> {
    try {
      return await super.request(method, url, init as RemoteAppRequestInit<Context<E>> | undefined)
    } catch (err) {
      throw toHonoError(err)
    }
  }

  /**
   * Who logged in, as the core's `userinfo()`: the registration's `userinfo`
   * normaliser run with the user's token, found as for {@link request}. Its
   * `OAuthError`s (`missing_token` 401, `request_failed` 502,
   * `request_timeout` 504) reach the client with their own status from Hono's
   * default error handler, as `request`'s do.
   */
  override async userinfo(
    init?: Pick<RemoteAppRequestInit<AnyContext>, 'token' | 'request' | 'signal'>,
  ): Promise<UserInfo> {
    try {
      return await super.userinfo(
        init as Pick<RemoteAppRequestInit<Context<E>>, 'token' | 'request' | 'signal'> | undefined,
      )
    } catch (err) {
      throw toHonoError(err)
    }
  }

  override get(url: string | URL, init?: RemoteAppRequestInit<AnyContext>): Promise<Response> {
    return this.request('GET', url, init)
  }
  override post(url: string | URL, init?: RemoteAppRequestInit<AnyContext>): Promise<Response> {
    return this.request('POST', url, init)
  }
  override put(url: string | URL, init?: RemoteAppRequestInit<AnyContext>): Promise<Response> {
    return this.request('PUT', url, init)
  }
  override patch(url: string | URL, init?: RemoteAppRequestInit<AnyContext>): Promise<Response> {
    return this.request('PATCH', url, init)
  }
  override delete(url: string | URL, init?: RemoteAppRequestInit<AnyContext>): Promise<Response> {
    return this.request('DELETE', url, init)
  }
}

/**
 * The registry of OAuth 1.0a providers for a Hono app: `register()` each
 * one, `app.use(oauth.middleware({ secret }))`, then `oauth.<name>` is the
 * {@link HonoRemoteApp}.
 *
 * @example
 * ```ts
 * const oauth = new OAuth({ fetchToken: (name, c) => tokens.get(getCookie(c, 'uid') ?? '') })
 * oauth.register('twitter', { requestTokenUrl, accessTokenUrl, authorizeUrl, apiBaseUrl })
 * app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5849
 */
export class OAuth<E extends Env = any> extends CoreOAuth<Context<E>, HonoRemoteApp<E>> {
  protected override createRemoteApp(
    name: string,
    options: ResolvedRemoteAppOptions<Context<E>>,
  ): HonoRemoteApp<E> {
    return new HonoRemoteApp<E>(this, name, options)
  }

  /**
   * The middleware that keeps this browser's temporary credentials (in an
   * encrypted cookie, or the store you pass) and runs the rest of the request
   * inside the registry's context, so API calls find the user's token with
   * `fetchToken` and no token or request passed. Only when a `fetchToken` is
   * configured (nothing else reads the context), unless `options.context`
   * says `true` or `false`; `c.var.oauth1` is set either way.
   *
   * Throws a `TypeError` at once, at start-up, when neither `secret` nor
   * `store` is given or the secret is too short.
   *
   * @example
   * ```ts
   * app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))
   * ```
   */
  middleware(options: MiddlewareOptions<E>): MiddlewareHandler<OAuthEnv> {
    const resolved = resolveMiddleware(options)
    const bind = resolved.context
    const key = stateKeyOf(this)
    const getState = (c: Context) => (c.get as (key: symbol) => RequestState | undefined)(key)
    // Not an async function: on a route that never logs in, the middleware
    // costs one object, one context run (only when a fetchToken can read it)
    // and one promise reaction.
    return (c, next) => {
      // Installed twice on one path (app and sub-app): the outer one does the work.
      if (getState(c as Context) !== undefined) return next()
      const state = new RequestState(c as Context, resolved)
      ;(c.set as (key: symbol, value: RequestState) => void)(key, state)
      c.set('oauth1', state)
      return this.runWithRequest(c as unknown as Context<E>, next, bind).then(() =>
        state.settle(c as Context),
      )
    }
  }
}
