import type { ServerSideStore, StoredTemporaryCredential } from '@oauth1/core'
// Brings express-session's declarations into the program, so the augmentation below resolves.
import type {} from 'express-session'

/**
 * What `oauth.middleware()` keeps in `req.session[sessionKey]` (`req.session.oauth1`
 * by default): the pending logins, one entry per client name and request
 * token. An entry is the {@link StoredTemporaryCredential} itself, or, when
 * `oauth.middleware({ secret })` is given, an AES-256-GCM sealed string of it.
 * Treat it as opaque: it is read and written only by `authorizeRedirect` and
 * `authorizeAccessToken`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 */
export type OAuth1SessionRecord = Record<string, StoredTemporaryCredential | string>

/**
 * What `oauth.middleware()` keeps in `req.session[sessionKey]`: the pending
 * logins ({@link OAuth1SessionRecord}), or with `middleware({ store })` only
 * this browser's binding id (a base64url string), the logins being in the store.
 */
export type OAuth1SessionValue = OAuth1SessionRecord | string

/** A secret for sealing, or a list of them for key rotation (seal with the first, open with any). */
export type SealingSecret = string | Uint8Array | readonly (string | Uint8Array)[]

/**
 * Options of {@link OAuth.middleware}.
 *
 * @example
 * ```ts
 * app.use(session({ secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false }))
 * app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))
 * ```
 */
export interface MiddlewareOptions {
  /**
   * Seal (AES-256-GCM, key derived with HKDF-SHA256) each pending temporary
   * credential before it goes into the session. Required in effect when the
   * session lives in a cookie (`cookie-session`, or any client-side store), so
   * the token secret never sits in plaintext in the browser. At least 32
   * characters/bytes; a list rotates keys (the first seals, any opens).
   */
  secret?: SealingSecret | undefined
  /**
   * The `req.session` property that holds the pending logins. Default
   * `'oauth1'`. Not a member of the session itself (`cookie`, `id`, `save`…)
   * nor a name of `Object.prototype`.
   */
  sessionKey?: string | undefined
  /** How many logins may be pending in one session (tabs); the oldest is evicted. Default 5 (core's `DEFAULT_SESSION_MAX_ENTRIES`). */
  maxEntries?: number | undefined
  /**
   * Keep the pending logins in a server-side store shared by every instance
   * of the app (`redisStore(redis)` of `@oauth1/redis`) instead of the
   * session, which then keeps only this browser's unguessable binding id
   * (at `sessionKey`; no secret, so cookie-session needs no `secret`). Single
   * use is atomic across instances, and logins one browser starts at the
   * same moment never overwrite each other. Not with `secret` or `maxEntries`.
   */
  store?: ServerSideStore | undefined
  /**
   * Keep each request as the registry's current request (`AsyncLocalStorage`)
   * so API calls find the token through `fetchToken` with no `req` passed.
   * Default: when a `fetchToken` is configured (on `new OAuth()` or on a
   * registered app), since nothing else reads it. `false` skips it (then pass
   * `{ request: req }` to API calls); `true` binds every request.
   */
  context?: boolean | undefined
}

declare module 'express-session' {
  interface SessionData {
    /** @oauth1/express's pending logins, or with `middleware({ store })` the browser's binding id; see {@link OAuth1SessionValue}. */
    oauth1?: OAuth1SessionValue
  }
}
