/**
 * The shape of an emulation: what a real provider does differently from the
 * RFC 5849 defaults, as data and a few small hooks over the strict provider.
 * Every built-in emulation (`emulate: 'trello'`) is one of these, and
 * `emulate` also takes your own.
 */
import type { SignatureMethod } from '@oauth1/core'
import type { Endpoint, TestUser } from '../types.js'

/** Where a client may put the protocol parameters (RFC 5849 §3.5). */
export type Placement = 'header' | 'query' | 'body'

/**
 * A token endpoint: its path on the provider's origin (with a query the
 * request must carry, e.g. `'/w/index.php?title=Special:OAuth/initiate'`) and
 * the HTTP methods it answers (others get 405).
 */
export interface EmulationEndpoint {
  path: string
  methods: readonly string[]
}

/** A parameter the consent page reads from the authorize URL. */
export interface AuthorizeParam {
  /**
   * Accepted values: a list, a RegExp the whole value must match, or a
   * predicate. Any value when absent.
   */
  values?: readonly string[] | RegExp | ((value: string) => boolean)
  /** Refuse the page when the parameter is missing. Default `false`. */
  required?: boolean
  /** The value used when the parameter is missing. */
  default?: string
  /** Shown on the consent page as `label: value` (not shown when absent). */
  label?: string
  /** The error page's text when the parameter is missing or not acceptable. */
  error?: string
}

/** The consent page of an emulation. */
export interface EmulationAuthorize {
  /** Paths of the page (each with an optional required query); the form posts to the first. */
  paths: readonly string[]
  /** Name of the request-token parameter. Default `'oauth_token'` (E*TRADE: `'token'`). */
  tokenParam?: string
  /** A parameter that must carry the client's key (E*TRADE `key`, MediaWiki `oauth_consumer_key`). */
  consumerKeyParam?: string
  /** Parameters the page reads, validates and shows; what it read is the login's *grant*. */
  params?: Readonly<Record<string, AuthorizeParam>>
  /**
   * `oauth_callback` on the authorize URL: `'ignored'` (default, RFC 5849),
   * or `'accepted'` — when present it must be an allowed callback and the
   * user goes back there (OAuth 1.0 providers such as Schoology, some Garmin clients).
   */
  callback?: 'ignored' | 'accepted'
  /** The page's heading, from the application's name and the grant. */
  title?: (app: string, grant: Readonly<Record<string, string>>) => string
}

/** A refusal, as the provider's error style will format it. */
export interface EmulationError {
  status: number
  /** The OAuth Problem Reporting code (`signature_invalid`, `token_rejected`…). */
  problem: string
  advice: string | undefined
  /** Extra Problem Reporting fields (`oauth_parameters_absent`…). */
  extra: Readonly<Record<string, string>>
  endpoint: Endpoint | undefined
}

/** An answer of a route or of an error formatter. `json` wins over `body`. */
export interface EmulationReply {
  /** Default 200. */
  status?: number
  headers?: Readonly<Record<string, string>>
  /** A text body (`text/plain; charset=utf-8` unless `headers` says otherwise). */
  body?: string
  /** A JSON body (`application/json; charset=utf-8`). */
  json?: unknown
}

/** The token credentials a request was signed with, as a route sees them. */
export interface EmulationToken {
  /** `oauth_token`. */
  value: string
  /** The client it was issued to. */
  clientId: string
  /** Revokes it: the next request with it is refused with `token_rejected`. */
  revoke(): void
}

/** What a route's handler gets. */
export interface EmulationRequest {
  method: string
  /** The request URL on the provider's origin. */
  url: URL
  /** The path as received (still percent-encoded). */
  path: string
  /** The request headers (lower-case names). */
  headers: Readonly<Record<string, string | string[] | undefined>>
  /** Query parameters other than `oauth_*`, decoded, in order. */
  query: readonly [string, string][]
  /** Form-body parameters other than `oauth_*` (only for a form body). */
  form: readonly [string, string][]
  /** The raw body as UTF-8 text (`''` when none). */
  body: string
  /** The request's `Content-Type`, when sent. */
  contentType: string | undefined
  /** The verified protocol parameters (empty for routes with `auth: 'none'`). */
  oauth: Readonly<Record<string, string>>
  /** Where the protocol parameters were. */
  oauthSource: Placement | undefined
  /** The client that signed the request (`secret`: its shared secret, for HMAC-keyed answers such as a JWT). */
  client: { id: string; name: string; secret: string | undefined } | undefined
  /** The token credentials it was signed with. */
  token: EmulationToken | undefined
  /** The user the token credentials belong to. */
  user: TestUser | undefined
  /** What the user granted on the consent page (authorize parameters and request-token extras). */
  grant: Readonly<Record<string, string>>
  /** The provider's origin, `http://127.0.0.1:<port>`. */
  origin: string
  /** The provider's clock (`options.now`), in milliseconds since the epoch. */
  now: number
  /** Every user of the provider. */
  users: readonly TestUser[]
  /** The token credentials whose secret is `secret`, for APIs keyed by it (Zotero). */
  findTokenBySecret(
    secret: string,
  ): { user: TestUser; grant: Readonly<Record<string, string>>; clientId: string } | undefined
  /** Refuses the request in the provider's error style. Never returns. */
  refuse(status: number, problem: string, advice?: string): never
}

/** A protected resource (or any other page) of an emulation. */
export interface EmulationRoute {
  /**
   * The path (with an optional required query), or a RegExp tested on the
   * path as received (only percent-encoded unreserved characters decoded).
   */
  path: string | RegExp
  methods: readonly string[]
  /**
   * How requests are authenticated:
   * - `'token'` — signed with token credentials (three-legged, or static tokens);
   * - `'consumer'` — signed with the client credentials only, `oauth_token` refused (one-legged);
   * - `'optional'` — either;
   * - `'none'` — not OAuth-signed (the handler checks what it wants).
   */
  auth: 'token' | 'consumer' | 'optional' | 'none'
  /** Accept a token that went idle (see {@link Emulation.tokenIdleTimeout}) and wake it. */
  renewsToken?: boolean
  handle(request: EmulationRequest): EmulationReply | Promise<EmulationReply>
}

/** The facts of one provider, over the strict RFC 5849 provider. Every field but `name` and `title` is optional. */
export interface Emulation {
  /** The key (`'trello'`). */
  name: string
  /** The provider's name on its pages (`'Trello'`); `options.name` overrides it. */
  title: string
  /** Temporary-credential endpoint; none for signing-only APIs. */
  requestToken?: EmulationEndpoint
  /** The consent page; none for signing-only APIs. */
  authorize?: EmulationAuthorize
  /** Token-credential endpoint; none for signing-only APIs. */
  accessToken?: EmulationEndpoint
  /** Protected resources and other pages, matched in order. */
  routes?: readonly EmulationRoute[]
  /** Path of the API base (`provider.apiBaseUrl`, `urls.apiBaseUrl`). */
  apiBasePath?: string
  /** Path (and query) of the profile or identity endpoint (`urls.userinfoEndpoint`). */
  userinfoPath?: string

  /** Signature methods the provider takes; others are refused whatever the client's. */
  signatureMethods?: readonly SignatureMethod[]
  /** Status of the `signature_method_rejected` refusal. Default 400. */
  signatureMethodRejectedStatus?: number
  /** Where the protocol parameters may be. Default all three. */
  placements?: readonly Placement[]
  /** A query parameter that may carry the protocol parameters as a JSON object (BrickLink's `Authorization`). */
  jsonQueryParam?: string
  /** `realm` of the Authorization header: required (and equal to `value`) on `endpoints`, and equal when sent elsewhere. */
  realm?: { value: string; endpoints: readonly Endpoint[] }
  /** `'required'`: every request carries `oauth_body_hash` (also of an empty body, also with a form body). */
  bodyHash?: 'required'
  /** `'provider'`: the base string URI uses the provider's own origin, not the request's Host header (WooCommerce). */
  baseStringOrigin?: 'request' | 'provider'
  /** Shortest accepted `oauth_nonce`. */
  minNonceLength?: number
  /**
   * What a nonce must be new for: `'timestamp'` (default, RFC 5849 §3.3 —
   * the client, token and timestamp), or `'key'` — every request of the
   * client and token while the first is within the timestamp window, whatever
   * its timestamp (WooCommerce keeps a key's nonces 15 minutes).
   */
  nonceScope?: 'timestamp' | 'key'
  /**
   * `oauth_signature` may carry a literal `&` in the Authorization header
   * (Discogs' PLAINTEXT form, `"secret&token-secret"`); everything else
   * must be percent-encoded as RFC 5849 §3.6 asks. Default `false`.
   */
  literalAmpersandInSignature?: boolean
  /** Refuse an `oauth_timestamp` older than the last one of the same client and token. */
  monotonicTimestamps?: boolean
  /** Accepted clock skew in seconds, unless `options.timestampWindow` is given. */
  timestampWindow?: number
  /** Checked on every request before anything else; an answer refuses it as is (Discogs' User-Agent rule). */
  checkRequest?(
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): EmulationReply | undefined

  /**
   * `oauth_callback` on the temporary-credential request:
   * - `'required'` (default, RFC 5849) — an allowed URL or `oob`;
   * - `'oob'` — must be `oob`; after consent the user goes to the client's
   *   registered callback (the first absolute URL of its `callbackUrls`), or
   *   sees the verifier when it has none (E*TRADE);
   * - `'oob-or-prefix'` — `oob` as above, or a URL starting with one of the
   *   client's prefix patterns (`'http://localhost:3000/*'`) (MediaWiki);
   * - `'ignored'` — OAuth 1.0: not needed; the callback comes from the authorize URL (Schoology).
   */
  callback?: 'required' | 'oob' | 'oob-or-prefix' | 'ignored'
  /** `false`: OAuth 1.0, no `oauth_verifier` anywhere (the exchange needs the user's consent only). Default `true`. */
  verifier?: boolean
  /** The verifier shown on the out-of-band page (Flickr's `123-456-789`). Default: random. */
  oobVerifier?: () => string
  /** `oauth_callback_confirmed` in the temporary-credential response. Default `'true'`. A `callbackConfirmed` quirk wins. */
  callbackConfirmed?: 'true' | 'omit'
  /**
   * How a refusal reaches the callback: `'user_refused'` (default), `'denied'`
   * (`denied=<token>`, X), or `'empty_verifier'` (`oauth_verifier=` empty, NetSuite).
   * A `denial` quirk wins.
   */
  denial?: 'user_refused' | 'denied' | 'empty_verifier'
  /** Extra parameters on the callback (NetSuite's `company`, `role`, `entity`, `state`). */
  callbackParams?(input: {
    user: TestUser | undefined
    grant: Readonly<Record<string, string>>
    denied: boolean
  }): Record<string, string>
  /**
   * Reads extra parameters of the temporary-credential request (X's
   * `x_auth_access_type`); what it returns joins the grant. Refuse with `refuse`.
   */
  requestTokenParams?(
    params: readonly [string, string][],
    refuse: (status: number, problem: string, advice?: string) => never,
  ): Record<string, string> | undefined
  /** Extra fields of the token-credential response (and of `issueToken()`), e.g. X's `user_id`, `screen_name`. */
  tokenFields?(user: TestUser, grant: Readonly<Record<string, string>>): Record<string, string>
  /** Makes token secrets (temporary and token credentials). Default: 24 random bytes, base64. */
  tokenSecret?: () => string
  /** `Content-Type` of successful token responses. Default `application/x-www-form-urlencoded`. */
  tokenContentType?: string
  /** Lifetime of temporary credentials in seconds, unless `options.requestTokenTtl` is given. Default 600. */
  requestTokenTtl?: number
  /** Lifetime of token credentials in seconds (from the grant), unless `options.accessTokenTtl` is given. */
  accessTokenTtl?(grant: Readonly<Record<string, string>>): number | undefined
  /** True when token credentials issued at `issuedAt` have expired at `now` (ms) — E*TRADE's midnight. */
  tokenExpired?(issuedAt: number, now: number): boolean
  /** Seconds of inactivity after which token credentials must be renewed by a `renewsToken` route. */
  tokenIdleTimeout?: number
  /** The keys of the default client: `'rsa'` generates an RSA key pair (RSA-only providers). */
  defaultClientKeys?: 'secret' | 'rsa'
  /** Formats a refusal of a token endpoint or route; `undefined` keeps OAuth Problem Reporting. */
  formatError?(error: EmulationError): EmulationReply | undefined
}

/** The URLs of a running emulation, to spread over a preset's register options. */
export interface EmulationUrls {
  requestTokenUrl?: string
  authorizeUrl?: string
  accessTokenUrl?: string
  apiBaseUrl?: string
  userinfoEndpoint?: string
}
