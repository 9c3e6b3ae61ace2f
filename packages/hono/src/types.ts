import type { TemporaryCredentialStore } from '@oauth1/core'

/**
 * What `oauth.middleware()` puts on the Hono context, as `c.var.oauth1` /
 * `c.get('oauth1')`.
 *
 * @example
 * ```ts
 * app.get('/login', async (c) => {
 *   const url = await oauth.twitter.beginAuthorization(c.var.oauth1.store, 'https://app.example/authorize')
 *   return c.redirect(url)
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 */
export interface OAuthVariables {
  oauth1: {
    /**
     * This request's temporary-credential store: the encrypted cookie, or
     * the store `options.store` returned. For flows of your own with
     * `beginAuthorization` / `completeAuthorization`.
     */
    store: TemporaryCredentialStore
  }
}

/**
 * The `Env` that `oauth.middleware()` contributes, as Hono's session
 * middleware does with `SessionEnv`: `app.use(oauth.middleware(...))` makes
 * `c.var.oauth1` typed in the routes after it. Combine it with your own:
 * `new Hono<MyEnv & OAuthEnv>()`.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Variables: { user: string } } & OAuthEnv>()
 * app.get('/debug', async (c) => c.json(await c.var.oauth1.store.get('twitter:abc')))
 * ```
 */
export interface OAuthEnv {
  Variables: OAuthVariables
}

declare module 'hono' {
  /**
   * Typed `c.get('oauth1')` in every app, as Hono's own middleware (`requestId`,
   * `jwt`) declare their variables.
   */
  interface ContextVariableMap extends OAuthVariables {}
}
