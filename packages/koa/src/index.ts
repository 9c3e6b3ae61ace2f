/**
 * `@oauth1/koa`: OAuth 1.0a login ("Log in with X") and signed API calls for
 * Koa, with the temporary credentials kept (sealed) in koa-session.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849
 * @packageDocumentation
 */

// The core's errors, types and helpers, so an app imports from one package.
// Its `OAuth` is replaced by the Koa one below (a local export wins over `export *`).
export * from '@oauth1/core'
export { type KoaContext, type KoaMiddlewareOptions, KoaRemoteApp, OAuth } from './oauth.js'
export {
  COOKIE_MAX_ENTRIES,
  KEYGRIP_MESSAGE,
  MISSING_SECRET_MESSAGE,
  MISSING_SESSION_MESSAGE,
  SESSION_KEY,
  type SealingSecret,
  STORE_WITH_SESSION_OPTIONS_MESSAGE,
  sessionStore,
} from './session.js'
export type { KoaSession } from './types.js'
