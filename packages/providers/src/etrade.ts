import { DEFAULT_TIMEOUT, OAuthError } from '@oauth1/core'
import { credentials, optionalBoolean, readOptions } from './options.js'
import type { AuthorizeParamsContext, ClientCredentialOptions, PresetOptions } from './types.js'
import { providerResponse, readText } from './userinfo.js'

/** Options of {@link etrade}. */
export interface EtradeOptions extends ClientCredentialOptions {
  /**
   * `true`: API calls go to the sandbox (`https://apisb.etrade.com/`) — use
   * with sandbox consumer keys. The OAuth endpoints are `api.etrade.com` either way.
   */
  sandbox?: boolean | undefined
}

const OAUTH_ORIGIN = 'https://api.etrade.com'

/**
 * E*TRADE (Morgan Stanley): three-legged OAuth 1.0a, HMAC-SHA1 in the
 * Authorization header. Both token endpoints are **GET**; `oauth_callback`
 * is always `oob` and E*TRADE sends the user to the callback registered with
 * your consumer key (ask E*TRADE to register it), with `oauth_token` and
 * `oauth_verifier`. The consent page takes `key` (consumer key) and `token`
 * (request token) instead of `oauth_token`.
 *
 * Tokens expire at midnight US Eastern and go inactive after two idle hours:
 * {@link etradeRenewAccessToken} reactivates one, {@link etradeRevokeAccessToken}
 * revokes it. No `userinfo` (E*TRADE has no identity endpoint).
 *
 * UNVERIFIED: whether E*TRADE's request-token response carries
 * `oauth_callback_confirmed=true` (the core requires it; if it does not,
 * register with `requireCallbackConfirmed: false`).
 *
 * @see https://apisb.etrade.com/docs/api/authorization/request_token.html
 * @see https://apisb.etrade.com/docs/api/authorization/authorize.html
 * @example
 * ```ts
 * oauth.register('etrade', etrade({ sandbox: true }))
 * app.get('/login', (req, res) => oauth.etrade.authorizeRedirect(req, res))
 * ```
 */
export function etrade(options: EtradeOptions = {}): PresetOptions {
  const r = readOptions('etrade', options, ['sandbox'])
  const sandbox = optionalBoolean(r, 'sandbox') ?? false
  return {
    ...credentials(r),
    requestTokenUrl: `${OAUTH_ORIGIN}/oauth/request_token`,
    requestTokenMethod: 'GET',
    authorizeUrl: 'https://us.etrade.com/e/t/etws/authorize',
    authorizeTokenParam: false,
    authorizeParams: etradeAuthorizeParams,
    oobCallback: true,
    accessTokenUrl: `${OAUTH_ORIGIN}/oauth/access_token`,
    accessTokenMethod: 'GET',
    apiBaseUrl: sandbox ? 'https://apisb.etrade.com/' : 'https://api.etrade.com/',
  }
}

/** E*TRADE's consent page names the consumer key `key` and the request token `token`. */
function etradeAuthorizeParams(ctx: AuthorizeParamsContext): Record<string, string> {
  return { key: ctx.clientId, token: ctx.requestToken }
}

/**
 * What the E*TRADE helpers need of a registered app: every adapter's
 * `RemoteApp` fits.
 */
export interface EtradeApp<Init> {
  /** The app's access-token endpoint; renew and revoke live on its origin. */
  readonly accessTokenUrl?: string | undefined
  /** The app's `timeout` (ms): how long an error answer's body is waited for. */
  readonly timeout?: number | undefined
  get(url: string, init?: Init): Promise<Response>
}

async function tokenCall<Init>(
  helper: string,
  path: string,
  app: EtradeApp<Init>,
  init: Init | undefined,
): Promise<void> {
  if (typeof app !== 'object' || app === null || typeof app.get !== 'function') {
    throw new TypeError(`${helper}(): app must be a registered app (oauth.<name>)`)
  }
  const base = app.accessTokenUrl
  const origin =
    typeof base === 'string' && URL.canParse(base) ? new URL(base).origin : OAUTH_ORIGIN
  const response = await app.get(`${origin}${path}`, init)
  if (response.ok) {
    await response.body?.cancel()
    return
  }
  // The body only names the problem: one that fails or never ends is left out,
  // never waited for past the app's timeout.
  const timeout = typeof app.timeout === 'number' ? app.timeout : DEFAULT_TIMEOUT
  const text = await readText(response, helper, timeout).catch(() => '')
  const problem = new URLSearchParams(text.trim()).get('oauth_problem') ?? undefined
  throw new OAuthError('fetch_token_denied', {
    description: `E*TRADE answered HTTP ${response.status} to ${path}`,
    response: providerResponse(response, text),
    ...(problem === undefined ? {} : { oauthProblem: problem }),
  })
}

/**
 * Reactivates an E*TRADE access token that went inactive after two idle
 * hours (`GET /oauth/renew_access_token`, signed with the token). It does not
 * extend a token past midnight US Eastern.
 *
 * @param app the registered app, e.g. `oauth.etrade`
 * @param init as for `app.get`: `{ token }` or `{ request }`; default the token `fetchToken` finds
 * @throws OAuthError `fetch_token_denied` (502) when E*TRADE answers non-2xx
 * @see https://apisb.etrade.com/docs/api/authorization/renew_access_token.html
 * @example
 * ```ts
 * await etradeRenewAccessToken(oauth.etrade, { token })
 * ```
 */
export function etradeRenewAccessToken<Init>(app: EtradeApp<Init>, init?: Init): Promise<void> {
  return tokenCall('etradeRenewAccessToken', '/oauth/renew_access_token', app, init)
}

/**
 * Revokes an E*TRADE access token (`GET /oauth/revoke_access_token`, signed
 * with the token), e.g. when the user signs out.
 *
 * @param app the registered app, e.g. `oauth.etrade`
 * @param init as for `app.get`: `{ token }` or `{ request }`
 * @throws OAuthError `fetch_token_denied` (502) when E*TRADE answers non-2xx
 * @see https://apisb.etrade.com/docs/api/authorization/revoke_access_token.html
 * @example
 * ```ts
 * await etradeRevokeAccessToken(oauth.etrade, { token })
 * ```
 */
export function etradeRevokeAccessToken<Init>(app: EtradeApp<Init>, init?: Init): Promise<void> {
  return tokenCall('etradeRevokeAccessToken', '/oauth/revoke_access_token', app, init)
}
