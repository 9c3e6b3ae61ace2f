import { credentials, readOptions } from './options.js'
import type { ClientCredentialOptions, PresetOptions, UserInfo, UserinfoContext } from './types.js'
import { asRecord, endpointOf, toUserInfo } from './userinfo.js'

/** Options of {@link garmin}. */
export interface GarminOptions extends ClientCredentialOptions {}

/** The day Garmin retires OAuth 1.0a for its Connect Developer Program. */
export const GARMIN_OAUTH1_END = '2026-12-31'

let warned = false

/**
 * Garmin Connect Developer Program (Health, Activity, Women's Health APIs):
 * three-legged OAuth 1.0a with HMAC-SHA1; token endpoints on
 * `connectapi.garmin.com/oauth-service/oauth/`, consent on
 * `connect.garmin.com/oauthConfirm`, API on `apis.garmin.com`. `userinfo()`
 * reads `GET /wellness-api/rest/user/id` (store this id: after the OAuth 2.0
 * migration the access token no longer identifies the user in PING/PUSH).
 *
 * The first call in a process logs one `console.warn` about the retirement.
 *
 * @deprecated Garmin retires OAuth 1.0a on 2026-12-31. Existing tokens work
 * until then; Garmin converts apps to OAuth 2.0 with PKCE on request and
 * offers an endpoint that exchanges each user's OAuth 1.0a token.
 * @see https://developer.garmin.com/gc-developer-program/overview/
 * @example
 * ```ts
 * oauth.register('garmin', garmin())
 * ```
 */
export function garmin(options: GarminOptions = {}): PresetOptions {
  const r = readOptions('garmin', options, [])
  if (!warned) {
    warned = true
    console.warn(
      `@oauth1/providers: garmin() — Garmin retires OAuth 1.0a on ${GARMIN_OAUTH1_END}; ` +
        'migrate to its OAuth 2.0 PKCE flow (apps are converted on request, and OAuth 1.0a ' +
        'user tokens can be exchanged).',
    )
  }
  return {
    ...credentials(r),
    requestTokenUrl: 'https://connectapi.garmin.com/oauth-service/oauth/request_token',
    authorizeUrl: 'https://connect.garmin.com/oauthConfirm',
    accessTokenUrl: 'https://connectapi.garmin.com/oauth-service/oauth/access_token',
    apiBaseUrl: 'https://apis.garmin.com/',
    userinfoEndpoint: 'https://apis.garmin.com/wellness-api/rest/user/id',
    userinfo: garminUserinfo,
  }
}

async function garminUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const body = asRecord(await ctx.json(endpointOf(ctx, 'garmin')), 'garmin userinfo')
  return toUserInfo('garmin userinfo', { sub: body.userId }, body, ctx.token)
}
