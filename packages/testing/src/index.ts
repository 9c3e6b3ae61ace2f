/**
 * `@oauth1/testing` — a strict, real OAuth 1.0a provider (RFC 5849) for local
 * development and tests: temporary credentials, a consent page, token
 * credentials and a small protected API, with every request recorded.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849
 * @packageDocumentation
 */

export { SIGNATURE_METHODS } from '@oauth1/core'
export {
  EMULATION_NAMES,
  EMULATIONS,
  type EmulationName,
  isEmulationName,
} from './emulations/index.js'
export { NETSUITE_ACCOUNT_ID } from './emulations/netsuite.js'
export type {
  AuthorizeParam,
  Emulation,
  EmulationAuthorize,
  EmulationEndpoint,
  EmulationError,
  EmulationReply,
  EmulationRequest,
  EmulationRoute,
  EmulationToken,
  EmulationUrls,
  Placement,
} from './emulations/types.js'
export { escapeHtml } from './html.js'
export type { AuthorizationHeader, AuthorizationHeaderOptions } from './parse.js'
export {
  isLoopbackHost,
  ParseError,
  parseAuthorizationHeader,
  parseForm,
  strictPercentDecode,
} from './parse.js'
export {
  callbackAllowed,
  createTestProvider,
  DEFAULT_CLIENT,
  DEFAULT_USERS,
  LOOPBACK_CALLBACK,
  TestProvider,
} from './provider.js'
export type {
  Endpoint,
  Failure,
  Quirks,
  RecordedRequest,
  TestClientConfig,
  TestProviderOptions,
  TestUser,
} from './types.js'
