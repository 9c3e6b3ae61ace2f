/**
 * `@oauth1/hono`: OAuth 1.0a login ("Log in with X") and signed API calls
 * for Hono, on every runtime Hono runs on.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849
 */
export * from '@oauth1/core'
export { oauthErrorResponse } from './errors.js'
export {
  type AnyContext,
  DEFAULT_COOKIE_NAME,
  HonoRemoteApp,
  type MiddlewareOptions,
  OAuth,
  type OAuthCookieOptions,
} from './oauth.js'
export { MAX_COOKIE_SIZE } from './session.js'
export type { OAuthEnv, OAuthVariables } from './types.js'
