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
  clientId?: string | undefined
  clientSecret?: string | undefined
  requestTokenUrl?: string | undefined
  requestTokenParams?: Record<string, string> | undefined
  /** HTTP method of the temporary-credential request. Core default `'POST'`. */
  requestTokenMethod?: 'GET' | 'POST' | undefined
  accessTokenUrl?: string | undefined
  accessTokenParams?: Record<string, string> | undefined
  /** HTTP method of the token-credential request. Core default `'POST'`. */
  accessTokenMethod?: 'GET' | 'POST' | undefined
  authorizeUrl?: string | undefined
  /** Extra authorize-URL parameters: fixed, or computed from the flow's values. */
  authorizeParams?:
    | Record<string, string>
    | ((ctx: AuthorizeParamsContext) => Record<string, string>)
  /** Name of the request-token parameter on the authorize URL; `false`: not added. */
  authorizeTokenParam?: string | false | undefined
  /** Send `oauth_callback=oob` whatever the redirect URI (callback registered with the provider). */
  oobCallback?: boolean | undefined
  /** `false`: an OAuth 1.0 provider that sends no `oauth_verifier`. */
  requireVerifier?: boolean | undefined
  /** `true`: an empty `oauth_verifier` on the callback is the user's refusal (NetSuite). */
  emptyVerifierIsDenial?: boolean | undefined
  requireCallbackConfirmed?: boolean | undefined
  apiBaseUrl?: string | undefined
  /** Headers sent with every request to the provider. */
  headers?: Record<string, string> | undefined
  /** Static token credentials, used when no other token is found. */
  token?: Token | undefined
  /** Sign API calls with the client credentials only (one-legged APIs). */
  withholdToken?: boolean | undefined
  userAgent?: string | undefined
  clientKwargs?: PresetClientKwargs | undefined
  /** Absolute URL of the profile/identity endpoint the `userinfo` normaliser reads. */
  userinfoEndpoint?: string | undefined
  /** The normaliser behind `oauth.<name>.userinfo()`. */
  userinfo?: ((ctx: UserinfoContext) => Awaitable<UserInfo>) | undefined
  /** Headers that authenticate API calls made with the user's token instead of a signature (Zotero's key). */
  apiAuth?: ((token: Token) => Record<string, string>) | undefined
}

/** Options every preset takes: the client credentials, else read from `<NAME>_CLIENT_ID` / `<NAME>_CLIENT_SECRET`. */
export interface ClientCredentialOptions {
  /** The consumer key. Default: read from config as `<NAME>_CLIENT_ID` at `register`. */
  clientId?: string | undefined
  /** The consumer secret. Default: read from config as `<NAME>_CLIENT_SECRET` at `register`. */
  clientSecret?: string | undefined
}
