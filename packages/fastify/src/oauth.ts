import {
  OAuth as CoreOAuth,
  RemoteApp,
  type ResolvedRemoteAppOptions,
  type TemporaryCredentialStore,
  type Token,
} from '@oauth1/core'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import {
  missingSessionMessage,
  resolveSessionSettings,
  type SessionSettings,
  sessionStore,
} from './session.js'
import type { FastifyMiddlewareOptions } from './types.js'
import { rawQuery, resolveRedirectUri } from './url.js'

/** The session binding of each registry, set by `middleware()`. */
const sessionSettings = new WeakMap<OAuth, SessionSettings>()

/** Per registry, what its `middleware()` options were (to refuse different ones later). */
const fingerprints = new WeakMap<OAuth, { fingerprint: string; store: unknown }>()

/** The session options of `middleware(options)` as a comparable string (`context` excluded). */
function settingsFingerprint(
  options: FastifyMiddlewareOptions | undefined,
  settings: SessionSettings,
): string {
  const secret = options?.secret
  const secrets = secret === undefined ? [] : Array.isArray(secret) ? secret : [secret]
  return JSON.stringify([
    options?.sessionName ?? null,
    settings.sessionKey,
    options?.maxEntries ?? null,
    secrets.map((s: string | Uint8Array) =>
      typeof s === 'string' ? `s:${s}` : `b:${Array.from(s).join(',')}`,
    ),
  ])
}

function settingsOf(oauth: OAuth): SessionSettings {
  let settings = sessionSettings.get(oauth)
  if (settings === undefined) {
    settings = resolveSessionSettings({})
    sessionSettings.set(oauth, settings)
  }
  return settings
}

const MIDDLEWARE_NOT_CALLED =
  '@oauth1/fastify: register the plugin oauth.middleware() returns, not the method: ' +
  'await app.register(oauth.middleware())'

function looksLikeFastify(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { register?: unknown }).register === 'function' &&
    typeof (value as { addHook?: unknown }).addHook === 'function'
  )
}

/** A TypeError naming `request` when a route passes something that is not Fastify's request. */
function checkRequest(request: unknown, method: string): void {
  if (typeof request !== 'object' || request === null) {
    throw new TypeError(
      `@oauth1/fastify: ${method}: request should be the Fastify request the route was called with`,
    )
  }
}

/**
 * A registered provider, with the web flow in Fastify's calling shape and the
 * signed API calls of the core (`request`, `get`, `post`, `put`, `patch`,
 * `delete`, where `request` means Fastify's `request`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2
 */
export class FastifyRemoteApp extends RemoteApp<FastifyRequest> {
  readonly #oauth: OAuth

  constructor(registry: OAuth, name: string, options: ResolvedRemoteAppOptions) {
    super(registry, name, options)
    this.#oauth = registry
  }

  /**
   * The temporary-credential store of this request, over its session.
   * Exposed for custom flows; `authorizeRedirect` and `authorizeAccessToken`
   * use it.
   */
  credentialStore(request: FastifyRequest): TemporaryCredentialStore {
    return sessionStore(request, settingsOf(this.#oauth))
  }

  /**
   * Starts the login: fetches temporary credentials from the provider, keeps
   * them in the session, and redirects (302) to the provider's authorization
   * page. A relative `redirectUri` (`/authorize`) is resolved against the
   * request's origin (honouring Fastify's `trustProxy`). Without one, the
   * registered `redirectUri` is used, else `oob`.
   *
   * Resolves to `undefined` once the 302 is sent, so a handler can `return`
   * or `await` it (also a route whose `Reply` is typed). Not to the reply:
   * Fastify's reply is a thenable, which a promise adopts, so no promise can
   * resolve to it.
   *
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.2
   * @example
   * ```ts
   * app.get('/login', (request, reply) =>
   *   oauth.twitter.authorizeRedirect(request, reply, '/authorize'))
   * ```
   */
  async authorizeRedirect(
    request: FastifyRequest,
    reply: FastifyReply,
    redirectUri?: string,
    params?: Record<string, string> | URLSearchParams,
  ): Promise<void> {
    checkRequest(request, 'authorizeRedirect(request, reply)')
    if (reply?.sent === true) {
      // Checked before the provider is asked: its temporary credential would be
      // stored in a session whose cookie has gone, and the redirect could not be sent.
      throw new TypeError(
        '@oauth1/fastify: authorizeRedirect(request, reply): the reply was already sent; call it once, instead of answering the request',
      )
    }
    if (redirectUri !== undefined && (typeof redirectUri !== 'string' || redirectUri === '')) {
      throw new TypeError('@oauth1/fastify: redirectUri should be a non-empty string')
    }
    const store = this.credentialStore(request)
    const callback = redirectUri ?? this.redirectUri
    const url = await this.beginAuthorization(
      store,
      callback === undefined ? undefined : resolveRedirectUri(request, callback),
      params,
    )
    reply.header('cache-control', 'no-store')
    // Awaited, not returned: the reply is a thenable that settles once the response is sent.
    await reply.redirect(url, 302)
  }

  /**
   * Completes the login on the callback route: checks that the callback's
   * `oauth_token` names a live temporary credential of this session, removes
   * it (whatever the outcome, so a replay fails), and exchanges it with the
   * verifier for token credentials. Resolves to the `Token` with every field
   * the provider sent (`user_id`, `screen_name`…). Fails with an
   * `OAuthError` whose `statusCode` Fastify's default error handler answers
   * (400 bad callback, 403 refused, 502/504 provider failure/timeout).
   *
   * The query is read raw from `request.url`, not from Fastify's parsed
   * `request.query`, so repeated or oddly encoded parameters are seen as sent.
   *
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3
   * @example
   * ```ts
   * app.get('/authorize', async (request, reply) => {
   *   const token = await oauth.twitter.authorizeAccessToken(request)
   *   request.session.set('user', { id: token.user_id, token })
   *   return reply.redirect('/')
   * })
   * ```
   */
  async authorizeAccessToken(request: FastifyRequest): Promise<Token> {
    checkRequest(request, 'authorizeAccessToken(request)')
    const store = this.credentialStore(request)
    // The raw query, `?`-led: the core reads it as sent (repeated names, bad %-escapes).
    return this.completeAuthorization(store, `?${rawQuery(request)}`)
  }
}

/**
 * The registry of OAuth 1.0a providers for a Fastify app: the core's `OAuth`
 * (same constructor and `register`), whose apps are {@link FastifyRemoteApp}s,
 * plus {@link OAuth.middleware}.
 *
 * @example
 * ```ts
 * const oauth = new OAuth({ fetchToken: (name, request) => request.session.get('user')?.token })
 * oauth.register('twitter', {
 *   requestTokenUrl: 'https://api.twitter.com/oauth/request_token',
 *   accessTokenUrl: 'https://api.twitter.com/oauth/access_token',
 *   authorizeUrl: 'https://api.twitter.com/oauth/authenticate',
 *   apiBaseUrl: 'https://api.twitter.com/1.1/',
 * })
 * await app.register(secureSession, { key })
 * await app.register(oauth.middleware())
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2 (the three-legged flow)
 * @see https://docs.authlib.org/en/latest/client/frameworks.html (Authlib's registry, which this mirrors)
 */
export class OAuth extends CoreOAuth<FastifyRequest, FastifyRemoteApp> {
  protected override createRemoteApp(
    name: string,
    options: ResolvedRemoteAppOptions,
  ): FastifyRemoteApp {
    return new FastifyRemoteApp(this, name, options)
  }

  /**
   * The Fastify plugin (wrapped with `fastify-plugin`, so it applies to the
   * whole app): register it after @fastify/secure-session.
   *
   * - At registration it checks that the session plugin is installed, so
   *   `await app.register(oauth.middleware())` rejects at once (and so do
   *   `ready()`/`listen()` when not awaited) with a message naming what to
   *   install and where.
   * - For each request it keeps the request in the registry's context
   *   (AsyncLocalStorage) from `onRequest` on — re-bound in `preValidation`,
   *   after body parsing — so API calls inside a handler find the user's
   *   token through `fetchToken` with no token and no request passed. Only
   *   when a `fetchToken` is configured (nothing else reads it; checked on
   *   every request, so one registered later counts), unless
   *   `options.context` says `true` or `false`.
   *
   * Options are those of {@link FastifyMiddlewareOptions}; they apply to this
   * `OAuth` instance (use one `OAuth` per session configuration).
   *
   * @example
   * ```ts
   * await app.register(secureSession, { key: readFileSync('secret-key') })
   * await app.register(oauth.middleware())
   * ```
   */
  middleware(options?: FastifyMiddlewareOptions): FastifyPluginCallback {
    if (looksLikeFastify(options)) {
      // `app.register(oauth.middleware)`: Fastify is calling the method itself as
      // the plugin, with (instance, opts, done). Fail the registration, not the process.
      const error = new TypeError(MIDDLEWARE_NOT_CALLED)
      // biome-ignore lint/complexity/noArguments: the `done` Fastify passes to a plugin
      const done: unknown = arguments[2]
      if (typeof done !== 'function') throw error
      done(error)
      return undefined as never
    }
    const settings = resolveSessionSettings(options)
    // resolveSessionSettings has checked that options is an object, if given.
    const bind = options?.context
    if (bind !== undefined && typeof bind !== 'boolean') {
      throw new TypeError('@oauth1/fastify: options.context should be a boolean')
    }
    // The settings belong to this OAuth (authorizeRedirect/authorizeAccessToken
    // read them on any route): a second call must not silently replace them.
    const fingerprint = settingsFingerprint(options, settings)
    const previous = fingerprints.get(this)
    if (
      previous !== undefined &&
      (previous.fingerprint !== fingerprint || previous.store !== settings.server)
    ) {
      throw new TypeError(
        '@oauth1/fastify: oauth.middleware(options) was already called with other options; ' +
          'use one OAuth per session configuration (or the same options)',
      )
    }
    fingerprints.set(this, { fingerprint, store: settings.server })
    sessionSettings.set(this, settings)
    const context = this.context
    const plugin: FastifyPluginCallback = (fastify, _opts, done) => {
      if (!fastify.hasRequestDecorator(settings.sessionName)) {
        done(new TypeError(missingSessionMessage(settings.sessionName)))
        return
      }
      fastify.addHook('onRequest', (request, _reply, next) => {
        this.runWithRequest(request, next, bind)
      })
      // Body parsing runs on stream events, outside the onRequest scope:
      // bind again before validation, handlers and their hooks (runWithRequest
      // makes the same decision as in onRequest: when this request is not
      // bound at all, it only calls next).
      fastify.addHook('preValidation', (request, _reply, next) => {
        if (context.current() === request) next()
        else this.runWithRequest(request, next, bind)
      })
      done()
    }
    return fp(plugin, { fastify: '5.x', name: '@oauth1/fastify' })
  }
}
