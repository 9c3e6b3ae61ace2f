import {
  OAuth as CoreOAuth,
  checkKnownOptions,
  checkServerSideStore,
  RemoteApp,
  type ResolvedRemoteAppOptions,
  type Sealer,
  type ServerSideStore,
  type Token,
} from '@oauth1/core'
import type Koa from 'koa'
import {
  assertSession,
  bindSettings,
  checkMaxEntries,
  checkSessionKey,
  keepSessionOnError,
  MISSING_SESSION_MESSAGE,
  SESSION_KEY,
  type SealingSecret,
  STORE_WITH_SESSION_OPTIONS_MESSAGE,
  type StoreSettings,
  sealerFromApp,
  sealerFromSecret,
  sessionStoreWith,
} from './session.js'
import './types.js'
import { resolveRedirectUri } from './url.js'

/**
 * What a Koa handler receives, and what `fetchToken(name, request)` and
 * `request(..., { request })` take: Koa's `ctx`.
 */
export type KoaContext = Koa.ParameterizedContext

/** Options of {@link OAuth.middleware}. */
export interface KoaMiddlewareOptions {
  /**
   * The `ctx.session` key holding the pending logins (or, with `store`, the
   * browser's binding id). Default `'oauth1'`. Give each `OAuth` registry of
   * one app its own, so their pending logins stay apart. Not one of
   * koa-session's members (`isNew`, `maxAge`, `toJSON`, `save`…), a name
   * starting with `_`, nor a name of `Object.prototype`.
   */
  sessionKey?: string | undefined
  /**
   * The secret (32+ characters or bytes) the temporary credentials are
   * sealed with in the session, or a list of them for rotation (the first
   * seals, any unseals). Default: a key derived from `app.keys`.
   */
  secret?: SealingSecret | undefined
  /**
   * Logins pending at once per session (tabs); the oldest is dropped beyond
   * it. Default 4 when the session lives in the cookie (each adds ~435 bytes; a
   * browser drops a cookie over 4 KB), the core's default (`DEFAULT_SESSION_MAX_ENTRIES`, 5) with a server-side koa-session store.
   */
  maxEntries?: number | undefined
  /**
   * Keep the pending logins in a server-side store shared by every instance
   * of the app (`redisStore(redis)` of `@oauth1/redis`) instead of the
   * session, which then keeps only this browser's unguessable binding id
   * (`ctx.session[sessionKey]`; no secret, so no sealing key is needed). Single
   * use is atomic across instances, and logins one browser starts at the
   * same moment never overwrite each other. Not with `secret` or `maxEntries`.
   */
  store?: ServerSideStore | undefined
  /**
   * Run the rest of each request with `ctx` as the registry's current request
   * (an `AsyncLocalStorage`), so API calls in a handler find the user's token
   * through `fetchToken` with no ctx passed. Default: when a `fetchToken` is
   * configured (on `new OAuth()` or on a registered app, checked on every
   * request), since nothing else reads it. `false` never binds: it saves
   * AsyncLocalStorage's cost, which on Node 20 slows every async operation of
   * the process once it is used (about 3.5 µs of CPU per request measured
   * here); API calls then need `{ request: ctx }` (or a `token`). `true` binds
   * every request (e.g. to read `oauth.context.current()` with no `fetchToken`).
   */
  context?: boolean | undefined
  /**
   * The Koa app. Optional: when given, a missing koa-session or a missing key
   * is reported when the middleware is created instead of on the first
   * request. Any Koa app, whatever its state and context types
   * (`new Koa<MyState, MyContext>()`).
   */
  app?: Pick<Koa, 'use' | 'context' | 'keys'> | undefined
}

/** The session settings of each registry, set by `middleware()`; `authorizeRedirect` and `authorizeAccessToken` use them on any route. */
const registrySettings = new WeakMap<object, StoreSettings>()

/** Per registry, what its `middleware()` options were (to refuse different ones later). */
const fingerprints = new WeakMap<object, { fingerprint: string; store: unknown }>()

/** The session options of `middleware(options)` as a comparable string (`context` and `app` excluded). */
function settingsFingerprint(options: KoaMiddlewareOptions, key: string): string {
  const { secret } = options
  const secrets = secret === undefined ? [] : Array.isArray(secret) ? secret : [secret]
  return JSON.stringify([
    key,
    options.maxEntries ?? null,
    secrets.map((s: string | Uint8Array) =>
      typeof s === 'string' ? `s:${s}` : `b:${Buffer.from(s).toString('base64')}`,
    ),
  ])
}

/** A TypeError naming `ctx` when a route passes something that is not Koa's context. */
function checkContext(ctx: unknown, method: string): void {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new TypeError(`${method}: ctx should be the Koa context the middleware was called with`)
  }
}

/**
 * A client registered with {@link OAuth.register}: the core's `RemoteApp`
 * (`request`, `get`, `post`, `put`, `patch`, `delete`), plus the login flow in
 * Koa's calling shape.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2
 */
export class KoaRemoteApp extends RemoteApp<KoaContext> {
  /**
   * Starts the login: fetches temporary credentials, keeps them (sealed) in
   * `ctx.session`, and redirects (302) the user to the provider's
   * authorization page.
   *
   * @param redirectUri the callback; relative (`/authorize`) is resolved
   *   against this request's origin. Default: the registered `redirectUri`
   *   (resolved the same way), else `oob`.
   * @param params extra query parameters for the authorization URL (an object of strings or a `URLSearchParams`).
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
   * @example
   * ```ts
   * router.get('/login', (ctx) => oauth.twitter.authorizeRedirect(ctx, '/authorize'))
   * ```
   */
  async authorizeRedirect(
    ctx: KoaContext,
    redirectUri?: string,
    params?: Record<string, string> | URLSearchParams,
  ): Promise<void> {
    checkContext(ctx, 'authorizeRedirect(ctx)')
    if (redirectUri !== undefined && (typeof redirectUri !== 'string' || redirectUri === '')) {
      throw new TypeError('redirectUri should be a non-empty string')
    }
    const store = sessionStoreWith(ctx, registrySettings.get(this.registry))
    const callback = redirectUri ?? this.redirectUri
    const url = await this.beginAuthorization(
      store,
      callback === undefined ? undefined : resolveRedirectUri(ctx, callback),
      params,
    )
    ctx.set('Cache-Control', 'no-store')
    ctx.redirect(url)
  }

  /**
   * Completes the login on the callback route: checks `oauth_token` against
   * the temporary credentials kept in this session (single use, expiring),
   * and exchanges them with `oauth_verifier` for token credentials.
   *
   * @returns the token credentials with every field the provider sent.
   * @throws OAuthError `missing_token`, `missing_verifier`,
   *   `missing_temporary_credential` (400), `access_denied` (403),
   *   `fetch_token_denied`, `invalid_token_response` (502), `request_timeout` (504).
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3
   * @example
   * ```ts
   * router.get('/authorize', async (ctx) => {
   *   const token = await oauth.twitter.authorizeAccessToken(ctx)
   *   tokens.set(token.user_id, token)
   *   ctx.session.userId = token.user_id
   *   ctx.redirect('/')
   * })
   * ```
   */
  async authorizeAccessToken(ctx: KoaContext): Promise<Token> {
    checkContext(ctx, 'authorizeAccessToken(ctx)')
    const store = sessionStoreWith(ctx, registrySettings.get(this.registry))
    try {
      // URLSearchParams, not the raw string: a string is read as a URL, so a `?`
      // inside a query value would be taken for the start of the query
      // The raw query, `?`-led: the core reads it as sent (repeated names, bad %-escapes).
      return await this.completeAuthorization(store, `?${ctx.querystring}`)
    } catch (err) {
      // The credential is gone from the session whatever the outcome, but Koa's
      // default error handler drops every header, the session cookie included:
      // commit now and carry the cookie on the error, so the browser forgets it.
      await keepSessionOnError(ctx, err)
      throw err
    }
  }
}

/** Every option of {@link KoaMiddlewareOptions} (the type keeps the list complete): another name is a typo. */
const MIDDLEWARE_OPTIONS: readonly string[] = Object.keys({
  sessionKey: true,
  secret: true,
  maxEntries: true,
  store: true,
  context: true,
  app: true,
} satisfies Record<keyof KoaMiddlewareOptions, true>)

/**
 * The registry for Koa: `register` clients, then `app.use(oauth.middleware())`
 * after koa-session.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849
 * @example
 * ```ts
 * const oauth = new OAuth({ fetchToken: (name, ctx) => tokens.get(ctx.session?.userId) })
 * oauth.register('twitter', { clientId, clientSecret, requestTokenUrl, authorizeUrl, accessTokenUrl })
 * app.keys = [process.env.SESSION_KEY!]
 * app.use(session(app))
 * app.use(oauth.middleware())
 * ```
 */
export class OAuth extends CoreOAuth<KoaContext, KoaRemoteApp> {
  protected override createRemoteApp(
    name: string,
    options: ResolvedRemoteAppOptions,
  ): KoaRemoteApp {
    return new KoaRemoteApp(this, name, options)
  }

  /**
   * The Koa middleware: install it after koa-session. It checks that
   * koa-session is installed and that there is a key to seal the temporary
   * credentials with (none is needed with `options.store`, where the session
   * keeps only the browser's binding id), then runs the rest of the request with `ctx` as the
   * current request, so `oauth.twitter.get(url)` in a handler finds the
   * user's token through `fetchToken` with no token passed. Only when a
   * `fetchToken` is configured (nothing else reads it), unless
   * `options.context` says `true` or `false`.
   *
   * The session options (`sessionKey`, `secret`, `maxEntries`, `store`)
   * belong to this `OAuth`: its `authorizeRedirect` and `authorizeAccessToken`
   * use them on any route, and calling `middleware()` again with other ones
   * is a `TypeError` (use one `OAuth` per session configuration).
   *
   * Koa gives a middleware no app when it is created, so the checks run on
   * every request (the first one fails loudly); pass `{ app }` to run them
   * now instead.
   *
   * @example
   * ```ts
   * app.use(session(app))
   * app.use(oauth.middleware())
   * ```
   */
  middleware(options: KoaMiddlewareOptions = {}): Koa.Middleware {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('options should be an object')
    }
    checkKnownOptions(options, MIDDLEWARE_OPTIONS, 'oauth.middleware(options): ')
    const key = checkSessionKey(options.sessionKey)
    const server =
      options.store === undefined ? undefined : checkServerSideStore(options.store, 'options.store')
    if (
      server !== undefined &&
      (options.secret !== undefined || options.maxEntries !== undefined)
    ) {
      throw new TypeError(STORE_WITH_SESSION_OPTIONS_MESSAGE)
    }
    const explicit: Sealer | undefined =
      options.secret === undefined ? undefined : sealerFromSecret(options.secret, 'options.secret')
    const maxEntries = checkMaxEntries(options.maxEntries)
    const bind = options.context
    if (bind !== undefined && typeof bind !== 'boolean') {
      throw new TypeError('options.context should be a boolean')
    }
    const app = options.app
    if (app !== undefined) {
      if (
        typeof app !== 'object' ||
        app === null ||
        typeof app.use !== 'function' ||
        typeof app.context !== 'object' ||
        app.context === null
      ) {
        throw new TypeError('options.app should be a Koa application')
      }
      if (!('session' in app.context)) throw new TypeError(MISSING_SESSION_MESSAGE)
      if (explicit === undefined && server === undefined) sealerFromApp(app)
    }
    // The settings belong to this OAuth (authorizeRedirect/authorizeAccessToken
    // read them on any route, whichever registry's middleware the request went
    // through): a second call must not silently replace them.
    const fingerprint = settingsFingerprint(options, key)
    const previous = fingerprints.get(this)
    if (
      previous !== undefined &&
      (previous.fingerprint !== fingerprint || previous.store !== server)
    ) {
      throw new TypeError(
        'oauth.middleware(options) was already called with other options; ' +
          'use one OAuth per session configuration (or the same options)',
      )
    }
    fingerprints.set(this, { fingerprint, store: server })
    // Set settings are kept as one shared object; with none, the store falls
    // back to app.keys by itself and nothing is bound at all.
    const fixed: StoreSettings | undefined =
      server !== undefined
        ? { key, server }
        : explicit === undefined && maxEntries === undefined && key === SESSION_KEY
          ? undefined
          : {
              key,
              ...(explicit === undefined ? {} : { sealer: explicit }),
              ...(maxEntries === undefined ? {} : { maxEntries }),
            }
    if (fixed !== undefined) registrySettings.set(this, fixed)
    const oauth = this
    const needsAppKeys = fixed?.sealer === undefined && server === undefined
    return function oauth1(ctx, next) {
      assertSession(ctx)
      if (needsAppKeys) sealerFromApp(ctx.app) // throws when there is no key
      // For sessionStore(ctx), in custom flows; the registry's own methods read registrySettings.
      if (fixed !== undefined) bindSettings(ctx, fixed)
      return oauth.runWithRequest(ctx, next, bind)
    }
  }
}
