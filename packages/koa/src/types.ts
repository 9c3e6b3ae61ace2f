/**
 * Koa type augmentation for `ctx.session`.
 *
 * koa-session 7 ships types for its factory but declares nothing on Koa's
 * context, so `ctx.session` is `any` (Koa's `DefaultContext` index
 * signature). This file gives it a shape. It augments `DefaultContext`, the
 * interface @types/koa documents for this, and NOT `BaseContext`, which
 * `@types/koa-session` (for koa-session 6) augments: the two declarations then
 * meet in an intersection instead of conflicting, so both can be installed.
 *
 * @see https://github.com/koajs/session
 */

/**
 * What koa-session (6 or 7) puts on `ctx.session`. Any JSON value may be kept
 * on it, as in plain JavaScript; the named members are koa-session's own.
 *
 * @example
 * ```ts
 * app.use(async (ctx) => {
 *   if (ctx.session) ctx.session.userId = 'u1'
 * })
 * ```
 */
export interface KoaSession {
  /**
   * The pending temporary credentials of `@oauth1/koa`, keyed by client name
   * and request token, each entry sealed (AES-256-GCM); or, with
   * `oauth.middleware({ store })`, only this browser's binding id (the
   * logins being in the store). Written and pruned by the library; do not edit.
   * Under another key when the middleware is given a `sessionKey`.
   */
  oauth1?: Record<string, unknown> | string
  /** True when the session was created during this request. */
  isNew?: boolean
  /** How many values the session holds. */
  readonly length: number
  /** `length > 0`. */
  readonly populated: boolean
  /** The cookie's lifetime in ms, or `'session'` for a browser-session cookie. */
  maxAge: number | 'session' | undefined
  /** Save the session even when it did not change. */
  save(callback?: (err?: Error) => void): Promise<void> | undefined | void
  /** Replace the session (and its external key) with a new, empty one. */
  regenerate(callback?: (err?: Error) => void): Promise<void> | undefined | void
  /** Commit the session's headers when `autoCommit` is `false`. */
  manuallyCommit(): Promise<void> | undefined
  /** The session's values, as they are saved. */
  toJSON(): object
  /** Anything else the app keeps in the session. */
  [key: string]: any
}

declare module 'koa' {
  interface DefaultContext {
    /**
     * The koa-session session: `null` once the app has set `ctx.session = null`
     * in this request. Present only when `app.use(session(app))` is installed.
     */
    session: KoaSession | null
  }
}
