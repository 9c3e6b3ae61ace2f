/**
 * Type augmentation for @fastify/secure-session, and the adapter's own option
 * types.
 *
 * Importing `@oauth1/fastify` anywhere in a program is enough to type
 * `request.session.get('oauth1')`.
 */
import type {} from '@fastify/secure-session'
import type { ServerSideStore } from '@oauth1/core'
import type {} from 'fastify'

/**
 * What `@oauth1/fastify` keeps in the session under the `oauth1` key (or the
 * middleware's `sessionKey`): one
 * entry per pending login, keyed by the client's name and the request token
 * (so two logins pending in one session both complete). Each entry is the
 * temporary credential with its expiry, sealed with AES-256-GCM when the
 * middleware is given a `secret`. Treat it as opaque.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 */
export type OAuth1SessionRecord = Record<string, unknown>

/**
 * What `@oauth1/fastify` keeps under the `oauth1` key (or `sessionKey`): the pending logins
 * ({@link OAuth1SessionRecord}), or with `middleware({ store })` only this
 * browser's binding id (a base64url string), the logins being in the store.
 */
export type OAuth1SessionValue = OAuth1SessionRecord | string

/** The session key under which temporary credentials are kept when `middleware({ sessionKey })` names no other. */
export const SESSION_KEY = 'oauth1'

declare module '@fastify/secure-session' {
  interface SessionData {
    /** Pending logins of `@oauth1/fastify` (temporary credentials), or the browser's binding id. Opaque. */
    oauth1: OAuth1SessionValue
  }
}

/**
 * Options of `oauth.middleware()`.
 *
 * @example
 * ```ts
 * await app.register(secureSession, { key, sessionName: 'auth', cookieName: 'auth' })
 * await app.register(oauth.middleware({ sessionName: 'auth' }))
 * ```
 */
export interface FastifyMiddlewareOptions {
  /**
   * Which @fastify/secure-session session keeps the temporary credentials:
   * the `sessionName` it was registered with. Default `'session'`
   * (`request.session`).
   */
  sessionName?: string | undefined
  /**
   * The key inside that session holding the pending logins (or, with
   * `store`, the browser's binding id): `request.session.get(sessionKey)`.
   * Default `'oauth1'`. Give each `OAuth` registry of one app its own, so
   * their pending logins stay apart. Not `__ts` (secure-session's own) nor a
   * name of `Object.prototype`.
   */
  sessionKey?: string | undefined
  /**
   * Seal every temporary credential with AES-256-GCM (key derived with
   * HKDF-SHA256) on top of the session's own encryption. At least 32
   * characters; a list rotates keys (seal with the first, open with any).
   * Optional: @fastify/secure-session already encrypts the whole cookie.
   */
  secret?: string | Uint8Array | readonly (string | Uint8Array)[] | undefined
  /**
   * Most logins pending at once in one session (tabs); the oldest is evicted.
   * Default `5`. Each adds about 300 bytes to the session cookie (435 sealed
   * with `secret`), and browsers drop cookies over 4 KB.
   */
  maxEntries?: number | undefined
  /**
   * Keep the pending logins in a server-side store shared by every instance
   * of the app (`redisStore(redis)` of `@oauth1/redis`) instead of the
   * session, which then keeps only this browser's unguessable binding id
   * under `sessionKey`. Single use is atomic across instances, and logins one
   * browser starts at the same moment never overwrite each other (the
   * session cookie is written once per browser, not at every login). Not
   * with `secret` or `maxEntries`.
   */
  store?: ServerSideStore | undefined
  /**
   * Keep each request as the registry's current request (`AsyncLocalStorage`)
   * so API calls find the token through `fetchToken` with no `request` passed.
   * Default: when a `fetchToken` is configured (on `new OAuth()` or on a
   * registered app), since nothing else reads it. `false` skips it (then pass
   * `{ request }` to API calls); `true` binds every request.
   */
  context?: boolean | undefined
}
