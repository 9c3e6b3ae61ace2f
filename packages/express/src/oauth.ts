/**
 * The Express registry (`OAuth`) and its registered providers
 * (`ExpressRemoteApp`): the Express half of the web flow over the core's.
 */
import {
  OAuth as CoreOAuth,
  OAuthError,
  RemoteApp,
  type ResolvedRemoteAppOptions,
  type Token,
} from '@oauth1/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import {
  bindSessionStore,
  DEFAULT_BINDING,
  MISSING_SESSION_MESSAGE,
  resolveBinding,
  type SessionBinding,
  saveSession,
  sessionProblem,
} from './session.js'
import type { MiddlewareOptions } from './types.js'
import { rawQuery, resolveRedirectUri } from './url.js'

/** A TypeError naming `req` when a route passes something that is not Express's request. */
function checkRequest(req: unknown, method: string): void {
  if (typeof req !== 'object' || req === null) {
    throw new TypeError(`${method}: req should be the Express request the route was called with`)
  }
}

/**
 * Answers `302 Found` to `url`, with an empty body (as passport does). The
 * `Location` header is Express's own (`res.location`, which encodes what is
 * not a URL character). Not `res.redirect`: it negotiates a body from the
 * `Accept` header ("Found. Redirecting to …"), which no browser shows, and
 * that parsing and page cost every login more CPU than it costs passport.
 */
function found(res: Response, url: string): void {
  res.location(url)
  res.statusCode = 302
  res.setHeader('Content-Length', '0')
  res.end()
}

/** The session binding each registry's `middleware()` chose; `DEFAULT_BINDING` until then. */
const bindings = new WeakMap<object, SessionBinding>()

function bindingOf(registry: object): SessionBinding {
  return bindings.get(registry) ?? DEFAULT_BINDING
}

/**
 * Registries whose `middleware()` has seen a request with a session: the
 * session middleware is installed before it. A later request without one is
 * one the session middleware skipped (express-session does while its store
 * is disconnected, and outside its `cookie.path`), not a setup mistake.
 */
const sessionsSeen = new WeakSet<object>()

/**
 * The store of this request's pending logins; where the session middleware
 * skipped a request of an app that has sessions, `store_unavailable` (503):
 * the login cannot be kept now, and the user can try again.
 */
function sessionStoreOf(registry: object, req: Request): ReturnType<typeof bindSessionStore> {
  const session = (req as { session?: unknown }).session
  if ((session === null || typeof session !== 'object') && sessionsSeen.has(registry)) {
    throw new OAuthError('store_unavailable', {
      description:
        'req.session is missing for this request, though earlier requests had one: the session middleware skipped it (express-session does while its store is disconnected, and outside its cookie.path)',
    })
  }
  return bindSessionStore(req, bindingOf(registry))
}

/**
 * A registered provider, with the Express half of the web flow. Get one from
 * `oauth.register(name, options)` or as `oauth[name]`.
 *
 * @example
 * ```ts
 * app.get('/login', (req, res) => oauth.twitter.authorizeRedirect(req, res, '/authorize'))
 * app.get('/authorize', async (req, res) => {
 *   req.session.token = await oauth.twitter.authorizeAccessToken(req)
 *   res.redirect('/')
 * })
 * ```
 */
export class ExpressRemoteApp extends RemoteApp<Request> {
  /**
   * Fetches temporary credentials (with `oauth_callback` = `redirectUri`),
   * keeps them in `req.session` (sealed when `middleware({ secret })` was
   * given), saves the session, then answers `302 Found` to the provider's
   * authorization page (an empty body). A relative `redirectUri` (`/authorize`) is resolved
   * against the origin the browser used (honouring `app.set('trust proxy')`);
   * without one, the registered `redirectUri`, else `oob`.
   *
   * Rejects with an `OAuthError` when the provider fails (`fetch_token_denied`,
   * `callback_not_confirmed`, `invalid_token_response`, `request_timeout`…);
   * Express 5 passes a rejected handler's error to `next` by itself.
   *
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.2
   * @example
   * ```ts
   * app.get('/login', (req, res) => oauth.twitter.authorizeRedirect(req, res, '/authorize'))
   * ```
   */
  async authorizeRedirect(
    req: Request,
    res: Response,
    redirectUri?: string,
    params?: Record<string, string> | URLSearchParams,
  ): Promise<void> {
    checkRequest(req, 'authorizeRedirect(req, res)')
    if (res?.headersSent === true) {
      // Checked before the provider is asked: its temporary credential would be
      // stored in a session whose cookie has gone, and the redirect could not be sent.
      throw new TypeError(
        'authorizeRedirect(req, res): the response was already sent; call it once, instead of answering the request',
      )
    }
    const { store, changed } = sessionStoreOf(this.registry, req)
    const callback = resolveRedirectUri(req, redirectUri ?? this.redirectUri)
    const url = await this.beginAuthorization(store, callback, params)
    // Unchanged with options.store once the browser has its binding id: nothing to save.
    if (changed()) await saveSession(req)
    found(res, url)
  }

  /**
   * Completes the login on the callback route: checks that the callback's
   * `oauth_token` names a live temporary credential stored in this session
   * (the defence against session fixation), removes it whatever the outcome
   * (a replayed callback fails), then exchanges it and the `oauth_verifier`
   * for token credentials. Resolves to the `Token` with every field the
   * provider sent (`user_id`, `screen_name`…).
   *
   * The query is read raw from `req.originalUrl`, never from the parsed
   * `req.query`. Rejects with an `OAuthError` whose `status` Express's default
   * error handler answers: 400 for a bad callback (`missing_token`,
   * `missing_verifier`, `missing_temporary_credential`), 403 for
   * `access_denied`, 502/504 when the provider failed or timed out.
   *
   * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3
   * @example
   * ```ts
   * app.get('/authorize', async (req, res) => {
   *   req.session.token = await oauth.twitter.authorizeAccessToken(req)
   *   res.redirect('/')
   * })
   * ```
   */
  async authorizeAccessToken(req: Request): Promise<Token> {
    checkRequest(req, 'authorizeAccessToken(req)')
    const { store, changed } = sessionStoreOf(this.registry, req)
    let token: Token
    try {
      // The raw query, `?`-led: the core reads it as sent (repeated names, bad %-escapes).
      token = await this.completeAuthorization(store, `?${rawQuery(req)}`)
    } catch (err) {
      // A pending login the callback named is gone whatever happened: persist that now,
      // but report the OAuth error. A callback that matched nothing leaves the session alone.
      if (changed()) await saveSession(req).catch(() => {})
      throw err
    }
    // Saved before the token is handed over, although the session middleware would save it
    // with the response: until then a replay of this callback (the route may call the API,
    // or never answer) would find the pending login again and reach the provider, and a
    // store that fails would go unnoticed behind the route's own answer. It costs one
    // session write per login; the single use it keeps is worth more.
    if (changed()) await saveSession(req)
    return token
  }
}

/**
 * The registry for Express: `register` providers, mount `middleware()` after
 * your session middleware, then call `oauth[name]`'s methods in your routes.
 * Same constructor and `register` as `@oauth1/core`'s `OAuth`.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import session from 'express-session'
 * import { OAuth } from '@oauth1/express'
 *
 * const oauth = new OAuth({ fetchToken: (name, req) => req.session.token })
 * oauth.register('twitter', {
 *   requestTokenUrl: 'https://api.twitter.com/oauth/request_token',
 *   accessTokenUrl: 'https://api.twitter.com/oauth/access_token',
 *   authorizeUrl: 'https://api.twitter.com/oauth/authenticate',
 *   apiBaseUrl: 'https://api.twitter.com/1.1/',
 * }) // TWITTER_CLIENT_ID and TWITTER_CLIENT_SECRET from the environment
 *
 * const app = express()
 * app.use(session({ secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false }))
 * app.use(oauth.middleware())
 * ```
 */
export class OAuth extends CoreOAuth<Request, ExpressRemoteApp> {
  protected override createRemoteApp(
    name: string,
    options: ResolvedRemoteAppOptions<Request>,
  ): ExpressRemoteApp {
    return new ExpressRemoteApp(this, name, options)
  }

  /**
   * The Express middleware: install it with `app.use()` AFTER your session
   * middleware (express-session, or cookie-session). For each request it
   *
   * - fails with an `Error` passed to `next` (a 500 you see at once in
   *   development) when `req.session` is missing, naming what to install and
   *   where; see {@link MISSING_SESSION_MESSAGE} (not for `OPTIONS *`, which
   *   names no path, so no session middleware serves it); likewise when the session
   *   is cookie-session's and no `secret` seals the pending logins
   *   ({@link COOKIE_SESSION_MESSAGE}): the token secret must not sit in
   *   plaintext in a cookie;
   * - runs the rest of the request with `req` as the current request, so
   *   `oauth.twitter.get('…')` with no token and no request finds the user's
   *   token through `fetchToken(name, req)`, as Flask's `g` does. Only when
   *   a `fetchToken` is configured (nothing else reads it), unless
   *   `options.context` says `true` or `false`.
   *
   * `options` choose how pending logins are kept in the session
   * (`secret` seals them; required in effect for cookie-backed sessions), or
   * that they are kept in a server-side store shared by every instance of the
   * app (`store: redisStore(redis)` of `@oauth1/redis`): the session then
   * keeps only the browser's binding id, single use is atomic, and logins a
   * browser starts at the same moment never overwrite each other.
   * Calling it again must give the same options (it configures the registry).
   * Bad options throw a `TypeError` naming the option.
   *
   * @example
   * ```ts
   * app.use(session({ secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false }))
   * app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))
   * ```
   */
  middleware(options?: MiddlewareOptions): RequestHandler {
    const binding = resolveBinding(options)
    const bind = options?.context
    if (bind !== undefined && typeof bind !== 'boolean') {
      throw new TypeError('options.context should be a boolean')
    }
    const previous = bindings.get(this)
    if (
      previous !== undefined &&
      (previous.fingerprint !== binding.fingerprint || previous.server !== binding.server)
    ) {
      throw new TypeError(
        'oauth.middleware(options) was already called with other options; create the middleware once and reuse it',
      )
    }
    bindings.set(this, binding)
    const oauth = this
    // sessionsSeen, kept here too so that the usual request adds nothing to it
    let seen = sessionsSeen.has(this)
    return function oauth1Middleware(req: Request, _res: Response, next: NextFunction): void {
      const problem = sessionProblem(req, binding)
      if (problem !== undefined) {
        if (problem === MISSING_SESSION_MESSAGE) {
          // `OPTIONS *` names no path, so no session middleware gives it a
          // session (express-session skips it): not a setup error, and no
          // route of the app can log in there.
          if (!namesAPath(req.originalUrl ?? req.url)) {
            next()
            return
          }
          // The session middleware ran before us on earlier requests and
          // skipped this one (its store is down): the app's other routes
          // still answer; a login here is refused with store_unavailable.
          if (sessionsSeen.has(oauth)) {
            oauth.runWithRequest(req, next, bind)
            return
          }
        }
        next(new TypeError(problem))
        return
      }
      if (!seen) {
        seen = true
        sessionsSeen.add(oauth)
      }
      oauth.runWithRequest(req, next, bind)
    }
  }
}

/** True for an origin-form (`/path`) or absolute-form (`http://host/path`) request target. */
function namesAPath(target: string | undefined): boolean {
  return (
    target !== undefined && (target.startsWith('/') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(target))
  )
}
