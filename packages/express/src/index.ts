/**
 * @oauth1/express: OAuth 1.0a login ("Log in with X") and signed API calls for
 * Express, with the temporary credentials kept in `req.session`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2
 * @packageDocumentation
 */

// The core's errors, types and helpers, so an app imports from one package.
// Its `OAuth` is replaced by the Express one below (a named export wins over `export *`).
export * from '@oauth1/core'
export { ExpressRemoteApp, OAuth } from './oauth.js'
export {
  COOKIE_SESSION_MESSAGE,
  DEFAULT_SESSION_KEY,
  MISSING_SESSION_MESSAGE,
  STORE_WITH_SESSION_OPTIONS_MESSAGE,
} from './session.js'
export type {
  MiddlewareOptions,
  OAuth1SessionRecord,
  OAuth1SessionValue,
  SealingSecret,
} from './types.js'
