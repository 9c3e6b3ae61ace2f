/**
 * The register options a preset returns, declared structurally.
 *
 * These mirror the provider-quirk options of `@oauth1/core`'s `RemoteAppOptions`
 * (`oauth.register(name, options)`) field for field, so a preset's result is
 * accepted by `register` of the core and of every adapter. When the core
 * exports them, these become re-exports of the core's types.
 */
import type { Awaitable, ClientRsaKey, SignatureMethod, SignatureType, Token } from '@oauth1/core'

/** What a computed `authorizeParams` receives when the authorize URL is built. */
export interface AuthorizeParamsContext {
  /** The temporary credential's `oauth_token`. */
  requestToken: string
  /** The client identifier (consumer key). */
  clientId: string
  /** The callback of this login: `'oob'` or an absolute URL. */
  callback: string
  /** The whole temporary-credential response, extra fields included. */
  token: Token
}

/** What a preset's `userinfo` normaliser receives. */
export interface UserinfoContext {
  /** The user's token credentials, found as for any API call. */
  token: Token
  clientId: string
  clientSecret: string
  /** The registration's `userinfoEndpoint`. */
  endpoint: string | undefined
  /**
   * A signed request with the user's token (and the app's headers). `nonce`
   * fixes `oauth_nonce`, for identity protocols that echo it.
   */
  request(
    method: string,
    url: string | URL,
    init?: {
      body?: unknown
      headers?: HeadersInit
      query?: Record<string, string>
      nonce?: string
    },
  ): Promise<Response>
  /**
   * `GET` (or `method`) `url` signed and parse the JSON; a non-2xx or non-JSON
   * answer is an `OAuthError` `request_failed` (502) carrying the response.
   */
  json(
    url: string | URL,
    init?: { method?: string; query?: Record<string, string> },
  ): Promise<unknown>
}

/** The signed-in user, with OpenID Connect claim names. */
export interface UserInfo {
  /** The provider's stable identifier of the user; always a non-empty string. */
  sub: string
  name?: string
  preferred_username?: string
  email?: string
  email_verified?: boolean
  picture?: string
  profile?: string
  website?: string
  /** The provider's own data (token fields and/or profile payload), never the token secret. */
  raw: Record<string, unknown>
}

/** Signing options of a registration (`clientKwargs`). */
export interface PresetClientKwargs {
  signatureMethod?: SignatureMethod
  signatureType?: SignatureType
  /** PEM private key (or a key object) for the RSA-* methods. */
  rsaKey?: ClientRsaKey
  /** `realm` of the Authorization header (never signed). */
  realm?: string
  forceIncludeBody?: boolean
  /** `oauth_body_hash` on every request, also an empty body or a GET. */
  bodyHash?: boolean
}

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
}

/** Options every preset takes: the client credentials, else read from `<NAME>_CLIENT_ID` / `<NAME>_CLIENT_SECRET`. */
export interface ClientCredentialOptions {
  /** The consumer key. Default: read from config as `<NAME>_CLIENT_ID` at `register`. */
  clientId?: string | undefined
  /** The consumer secret. Default: read from config as `<NAME>_CLIENT_SECRET` at `register`. */
  clientSecret?: string | undefined
}
