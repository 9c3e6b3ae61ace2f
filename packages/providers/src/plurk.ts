import { credentials, readOptions } from './options.js'
import type { ClientCredentialOptions, PresetOptions, UserInfo, UserinfoContext } from './types.js'
import { asRecord, endpointOf, profileUrl, toUserInfo } from './userinfo.js'

/** Options of {@link plurk}. */
export interface PlurkOptions extends ClientCredentialOptions {}

/**
 * Plurk (API 2.0, still labelled beta): three-legged OAuth 1.0a with
 * HMAC-SHA1 on `www.plurk.com/OAuth/`; the API is `www.plurk.com/APP/`;
 * `userinfo()` reads `GET /APP/Users/me`. UNVERIFIED: Plurk's mobile consent
 * page (`/m/authorize`); this preset uses the desktop one.
 *
 * @see https://www.plurk.com/API/2
 * @example
 * ```ts
 * oauth.register('plurk', plurk())
 * ```
 */
export function plurk(options: PlurkOptions = {}): PresetOptions {
  const r = readOptions('plurk', options, [])
  return {
    ...credentials(r),
    requestTokenUrl: 'https://www.plurk.com/OAuth/request_token',
    authorizeUrl: 'https://www.plurk.com/OAuth/authorize',
    accessTokenUrl: 'https://www.plurk.com/OAuth/access_token',
    apiBaseUrl: 'https://www.plurk.com/APP/',
    userinfoEndpoint: 'https://www.plurk.com/APP/Users/me',
    userinfo: plurkUserinfo,
  }
}

async function plurkUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const user = asRecord(await ctx.json(endpointOf(ctx, 'plurk')), 'plurk userinfo')
  const nick = user.nick_name
  return toUserInfo(
    'plurk userinfo',
    {
      sub: user.id,
      preferred_username: nick,
      name: user.display_name,
      profile: profileUrl('https://www.plurk.com/', nick),
    },
    user,
    ctx.token,
  )
}
