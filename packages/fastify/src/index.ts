/**
 * `@oauth1/fastify`: OAuth 1.0a login ("Log in with X") and signed API calls
 * for Fastify, with the temporary credentials kept in @fastify/secure-session.
 *
 * Re-exports everything from `@oauth1/core` (errors, types, signing), so an
 * app imports from this one package; `OAuth` here is the Fastify registry.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849
 * @packageDocumentation
 */
export * from '@oauth1/core'
export { FastifyRemoteApp, OAuth } from './oauth.js'
export {
  DEFAULT_MAX_ENTRIES,
  DEFAULT_SESSION_NAME,
  STORE_WITH_SESSION_OPTIONS_MESSAGE,
} from './session.js'
export type { FastifyMiddlewareOptions, OAuth1SessionRecord, OAuth1SessionValue } from './types.js'
export { SESSION_KEY } from './types.js'
export { BadRequestError } from './url.js'
