import type { KeyObject } from 'node:crypto'
import type { SignatureMethod } from '@oauth1/core'
import type { EmulationName } from './emulations/index.js'
import type { Emulation } from './emulations/types.js'

/** The endpoints of the provider, as named in quirks and recordings. */
export type Endpoint = 'requestToken' | 'authorize' | 'accessToken' | 'api'

/**
 * A broken answer a real provider sometimes gives, to test a client's error
 * handling:
 *
 * - `'server_error'` — 500 `text/plain`
 * - `'unavailable'` — 503 with `Retry-After: 1`
 * - `'html'` — 200 with an HTML page (a login or maintenance page, not a token)
 * - `'malformed'` — 200, form-encoded, with `oauth_token` but no `oauth_token_secret`
 * - `'empty'` — 200 with an empty body
 * - `'oversized'` — 200 with a 2 MiB form-encoded body
 * - `'reset'` — no answer: the connection is reset (TCP RST)
 * - `'truncated'` — 200 announcing a token body by `Content-Length`, then the
 *   connection closes halfway through it
 * - `'drip'` — 200, then one byte every 200 ms, forever (until the client
 *   gives up or the provider closes)
 * - `{ status, body?, contentType? }` — any answer you like
 */
export type Failure =
  | 'server_error'
  | 'unavailable'
  | 'html'
  | 'malformed'
  | 'empty'
  | 'oversized'
  | 'reset'
  | 'truncated'
  | 'drip'
  | { status: number; body?: string; contentType?: string }

/**
 * Behaviours of real providers that a client must cope with. Set on the
 * provider (every client) or on one client (merged over the provider's).
 *
 * @example
 * ```ts
 * createTestProvider({ quirks: { denial: 'denied', callbackConfirmed: 'omit', delay: { accessToken: 5_000 } } })
 * ```
 */
export interface Quirks {
  /**
   * How a refusal on the consent page comes back to the callback:
   * `'user_refused'` (default) appends `oauth_problem=user_refused&oauth_token=…`;
   * `'denied'` appends `denied=<token>` as X (Twitter) does.
   */
  denial?: 'user_refused' | 'denied'
  /**
   * `oauth_callback_confirmed` in the temporary-credential response:
   * `'true'` (default, RFC 5849 §2.1), `'True'` (figshare), `'false'`, or
   * `'omit'` (OAuth 1.0 providers such as Magento and TripIt).
   */
  callbackConfirmed?: 'true' | 'True' | 'false' | 'omit'
  /** Token responses as `'form'` (default, RFC 5849) or `'json'`. */
  tokenFormat?: 'form' | 'json'
  /**
   * The `Content-Type` label of successful token responses, whatever their
   * format: X (Twitter) labels its form-encoded token responses
   * `'text/html;charset=utf-8'`. Default: the format's own type.
   */
  tokenContentType?: string
  /**
   * Milliseconds to wait before answering, for every endpoint (a number) or
   * per endpoint. `close()` never waits for a delayed answer.
   */
  delay?: number | Partial<Record<Endpoint, number>>
  /**
   * Answer with a broken response instead of the real one, for every endpoint
   * or per endpoint. The request is still verified and recorded (the record
   * keeps the verdict the provider would have given).
   */
  failure?: Failure | Partial<Record<Endpoint, Failure>>
}

/**
 * A registered client (consumer).
 *
 * Callback URLs in `callbackUrls` match:
 * - a string — exactly (`'https://app.example/callback'`);
 * - a string ending in `*` — as a prefix (`'http://localhost:3000/*'`);
 * - a `RegExp` — when `test(callback)` is true: it matches anywhere in the URL unless
 *   anchored (`/^https:\/\/app\.example\/cb(?:\?|$)/`);
 * - `'oob'` — out-of-band (the verifier is shown on a page).
 */
export interface TestClientConfig {
  /** The client identifier (`oauth_consumer_key`). */
  id: string
  /** The shared secret, for HMAC-* and PLAINTEXT. */
  secret?: string | undefined
  /** The client's RSA public key (PEM or `KeyObject`), for RSA-*. */
  rsaPublicKey?: string | KeyObject | undefined
  /**
   * Methods this client may sign with. Default: HMAC-SHA1/256/512 and
   * PLAINTEXT when it has a `secret`, plus RSA-SHA1/256/512 when it has an
   * `rsaPublicKey`.
   */
  signatureMethods?: readonly SignatureMethod[] | undefined
  /** Allowed callbacks. Default: any `http(s)` URL on a loopback host, and `oob`. */
  callbackUrls?: readonly (string | RegExp)[] | undefined
  /** The name shown on the consent page. Default `'Demo App'`. */
  name?: string | undefined
  /** Overrides the provider's `autoApprove` for this client. */
  autoApprove?: boolean | string | undefined
  /** Merged over the provider's quirks for this client. */
  quirks?: Quirks | undefined
}

/** A resource owner the consent page lets you choose. */
export interface TestUser {
  /** Returned as `user_id` and `id`. */
  id: string
  /** Returned as `screen_name` and `username`. */
  screenName: string
  /** Display name. */
  name: string
  /** Returned by `/api/me` when set. */
  email?: string
}

/** What the provider saw and decided, for each request. */
export interface RecordedRequest {
  /** 1, 2, 3… in arrival order. */
  id: number
  /** Milliseconds since the epoch (the provider's clock). */
  time: number
  method: string
  /** The request target as received (path and query, still encoded). */
  url: string
  /** Which endpoint handled it (`undefined` for 404/405). */
  endpoint: Endpoint | undefined
  /** Headers of interest: authorization, content-type, host, user-agent, origin, accept. */
  headers: Record<string, string>
  /** The raw body (up to 64 KiB), when there was one. */
  body: string | undefined
  /** Where the protocol parameters came from. */
  oauthSource: 'header' | 'query' | 'body' | undefined
  /** Every `oauth_*` parameter the client sent, decoded (first value if repeated). */
  oauthParams: Record<string, string>
  /** `realm` from the Authorization header, when sent. */
  realm: string | undefined
  /** The signature base string the provider computed (when it got that far). */
  baseString: string | undefined
  /** The status the provider answered with (before any `failure` quirk). */
  status: number
  /** The `oauth_problem` reported, if the request was refused. */
  problem: string | undefined
  /** A human explanation of the problem. */
  advice: string | undefined
  /** True when the request was accepted. */
  ok: boolean
}

/** Options of {@link createTestProvider}. Every one is optional. */
export interface TestProviderOptions {
  /**
   * Behave like a real provider (`'trello'`, `'etrade'`…, see
   * `EMULATION_NAMES`): its paths and methods, signature methods and
   * placements, authorize parameters, callback and token shapes, profile
   * endpoint and error style; `provider.urls` has its URLs. Also takes your own
   * {@link Emulation}. Default: the plain RFC 5849 provider.
   */
  emulate?: EmulationName | Emulation | undefined
  /** Port to listen on. Default `0` (a free port). */
  port?: number | undefined
  /** Interface to bind. Default `'127.0.0.1'`. */
  host?: string | undefined
  /** The provider's name, shown on its pages. Default `'Test Provider'`. */
  name?: string | undefined
  /** Registered clients. Default: one client, {@link DEFAULT_CLIENT}. */
  clients?: readonly TestClientConfig[] | undefined
  /** The users to choose from on the consent page. Default alice, bob and carol. */
  users?: readonly TestUser[] | undefined
  /**
   * Skip the consent page: `true` approves as the first user, a user id
   * approves as that user. Default `false` (show the page).
   */
  autoApprove?: boolean | string | undefined
  /** Accepted clock skew for `oauth_timestamp`, in seconds. Default 300. */
  timestampWindow?: number | undefined
  /** Lifetime of temporary credentials, in seconds. Default 600. */
  requestTokenTtl?: number | undefined
  /** Lifetime of token credentials, in seconds. Default: they do not expire. */
  accessTokenTtl?: number | undefined
  /**
   * PLAINTEXT sends the secrets in clear, so RFC 5849 §3.4.4 allows it only
   * over TLS; this server speaks plain HTTP. `'loopback'` (default) accepts it
   * when both the Host header and the peer are loopback; `true` always;
   * `false` never.
   */
  allowPlaintext?: boolean | 'loopback' | undefined
  /** Largest accepted request body, in bytes. Default 1 MiB (larger → 413). */
  maxBodySize?: number | undefined
  /** How many requests `requests` keeps (oldest dropped). Default 1000. */
  maxRecords?: number | undefined
  /** Put the computed base string in `signature_invalid` answers (`debug_sbs`). Default `false`. */
  debug?: boolean | undefined
  /** Provider-wide quirks. */
  quirks?: Quirks | undefined
  /** Called with each request's record once it is judged, before its answer is sent. */
  onRequest?: ((record: RecordedRequest) => void) | undefined
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined
}
