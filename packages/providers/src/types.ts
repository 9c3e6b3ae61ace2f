/**
 * The register options a preset returns: the part of `@oauth1/core`'s
 * `RemoteAppOptions` (`oauth.register(name, options)`) that presets set, with
 * the core's own types for the computed parts, so a preset's result is
 * accepted by `register` of the core and of every adapter (a type test checks it).
 */
import type {
  AuthorizeParamsContext,
  Awaitable,
  ClientKwargs,
  Token,
  UserInfo,
  UserinfoContext,
} from '@oauth1/core'

export type { AuthorizeParamsContext, UserInfo, UserinfoContext }

/** Signing options of a registration (`clientKwargs`): the core's {@link ClientKwargs}. */
export type PresetClientKwargs = ClientKwargs

/**
 * What every preset returns: a plain object for `oauth.register(name, preset())`.
 * Spread it to override anything: `{ ...trello(), apiBaseUrl: '…' }`.
 */
export interface PresetOptions {
  clientId?: string
  clientSecret?: string
  requestTokenUrl?: string
  requestTokenParams?: Record<string, string>
  /** HTTP method of the temporary-credential request. Core default `'POST'`. */
  requestTokenMethod?: 'GET' | 'POST'
  accessTokenUrl?: string
  accessTokenParams?: Record<string, string>
  /** HTTP method of the token-credential request. Core default `'POST'`. */
  accessTokenMethod?: 'GET' | 'POST'
  authorizeUrl?: string
  /** Extra authorize-URL parameters: fixed, or computed from the flow's values. */
  authorizeParams?:
    | Record<string, string>
    | ((ctx: AuthorizeParamsContext) => Record<string, string>)
  /** Name of the request-token parameter on the authorize URL; `false`: not added. */
  authorizeTokenParam?: string | false
  /** Send `oauth_callback=oob` whatever the redirect URI (callback registered with the provider). */
  oobCallback?: boolean
  /** `false`: an OAuth 1.0 provider that sends no `oauth_verifier`. */
  requireVerifier?: boolean
  /** `true`: an empty `oauth_verifier` on the callback is the user's refusal (NetSuite). */
  emptyVerifierIsDenial?: boolean
  requireCallbackConfirmed?: boolean
  apiBaseUrl?: string
  /** Headers sent with every request to the provider. */
  headers?: Record<string, string>
  /** Static token credentials, used when no other token is found. */
  token?: Token
  /** Sign API calls with the client credentials only (one-legged APIs). */
  withholdToken?: boolean
  userAgent?: string
  clientKwargs?: PresetClientKwargs
  /** Absolute URL of the profile/identity endpoint the `userinfo` normaliser reads. */
  userinfoEndpoint?: string
  /** The normaliser behind `oauth.<name>.userinfo()`. */
  userinfo?: (ctx: UserinfoContext) => Awaitable<UserInfo>
  /** Headers that authenticate API calls made with the user's token instead of a signature (Zotero's key). */
  apiAuth?: (token: Token) => Record<string, string>
}

/** Options every preset takes: the client credentials, else read from `<NAME>_CLIENT_ID` / `<NAME>_CLIENT_SECRET`. */
export interface ClientCredentialOptions {
  /** The consumer key. Default: read from config as `<NAME>_CLIENT_ID` at `register`. */
  clientId?: string | undefined
  /** The consumer secret. Default: read from config as `<NAME>_CLIENT_SECRET` at `register`. */
  clientSecret?: string | undefined
}
