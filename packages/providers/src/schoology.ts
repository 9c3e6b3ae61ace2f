import { credentials, readOptions, requiredString } from './options.js'
import type {
  AuthorizeParamsContext,
  ClientCredentialOptions,
  PresetOptions,
  UserInfo,
  UserinfoContext,
} from './types.js'
import { asRecord, endpointOf, toUserInfo } from './userinfo.js'

/** Options of {@link schoology}. */
export interface SchoologyOptions extends ClientCredentialOptions {
  /** Required: the district's Schoology host, where its users sign in (`'springfield.schoology.com'`). */
  domain: string
}

const HOST = {
  // dot-separated DNS labels, at least two
  pattern: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i,
  hint: 'a host name such as springfield.schoology.com (no scheme, port or path)',
}

/**
 * Schoology (PowerSchool): OAuth 1.0-style three-legged flow with HMAC-SHA1
 * and `realm="Schoology API"`. Both token endpoints are **GET** on
 * `api.schoology.com`; the consent page is on the district's own host
 * (`domain`) and takes the callback as `oauth_callback`; no `oauth_verifier`
 * anywhere and no `oauth_callback_confirmed`. Because there is no verifier,
 * the preset turns off `requireVerifier` (the core still requires the
 * callback's `oauth_token` to name a login pending in this browser, which is
 * what stops a forged callback) and `requireCallbackConfirmed`.
 *
 * `userinfo()` reads `GET /v1/users/me` (Schoology answers with a 303 to
 * `/v1/users/<uid>`, which the client follows and re-signs). OAuth 1 access
 * tokens are capped at 90 days.
 *
 * @see https://developers.schoology.com/api-documentation/authentication
 * @example
 * ```ts
 * oauth.register('schoology', schoology({ domain: 'springfield.schoology.com' }))
 * ```
 */
export function schoology(options: SchoologyOptions): PresetOptions {
  const r = readOptions('schoology', options, ['domain'])
  const domain = requiredString(r, 'domain', HOST).toLowerCase()
  return {
    ...credentials(r),
    requestTokenUrl: 'https://api.schoology.com/v1/oauth/request_token',
    requestTokenMethod: 'GET',
    authorizeUrl: `https://${domain}/oauth/authorize`,
    authorizeParams: schoologyAuthorizeParams,
    accessTokenUrl: 'https://api.schoology.com/v1/oauth/access_token',
    accessTokenMethod: 'GET',
    requireVerifier: false,
    requireCallbackConfirmed: false,
    apiBaseUrl: 'https://api.schoology.com/v1/',
    clientKwargs: { realm: 'Schoology API' },
    userinfoEndpoint: 'https://api.schoology.com/v1/users/me',
    userinfo: schoologyUserinfo,
  }
}

/** OAuth 1.0 style: the callback goes on the consent page. */
function schoologyAuthorizeParams(ctx: AuthorizeParamsContext): Record<string, string> {
  return { oauth_callback: ctx.callback }
}

async function schoologyUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const user = asRecord(await ctx.json(endpointOf(ctx, 'schoology')), 'schoology userinfo')
  return toUserInfo(
    'schoology userinfo',
    {
      sub: user.uid,
      name: user.name_display,
      preferred_username: user.username,
      email: user.primary_email,
      picture: user.picture_url,
    },
    user,
    ctx.token,
  )
}
