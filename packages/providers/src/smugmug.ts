import { credentials, definedParams, optionalEnum, readOptions } from './options.js'
import type { ClientCredentialOptions, PresetOptions, UserInfo, UserinfoContext } from './types.js'
import { asRecord, endpointOf, field, readJson, toUserInfo } from './userinfo.js'

/** Options of {@link smugmug}; each one goes on the authorize URL. */
export interface SmugMugOptions extends ClientCredentialOptions {
  /** `Access`: `'Public'` (SmugMug's default) or `'Full'` (private content too). */
  access?: 'Public' | 'Full' | undefined
  /** `Permissions`: `'Read'` (SmugMug's default), `'Add'` or `'Modify'` (upload and delete need Full + Modify). */
  permissions?: 'Read' | 'Add' | 'Modify' | undefined
}

/**
 * SmugMug (API v2): three-legged OAuth 1.0a with HMAC-SHA1 on
 * `api.smugmug.com/services/oauth/1.0a/` (SmugMug's own demo uses the same
 * paths on `secure.smugmug.com`). `userinfo()` reads `GET /api/v2!authuser`
 * as JSON.
 *
 * @see https://api.smugmug.com/api/v2/doc/tutorial/authorization.html
 * @example
 * ```ts
 * oauth.register('smugmug', smugmug({ access: 'Full', permissions: 'Modify' }))
 * ```
 */
export function smugmug(options: SmugMugOptions = {}): PresetOptions {
  const r = readOptions('smugmug', options, ['access', 'permissions'])
  const access = optionalEnum(r, 'access', ['Public', 'Full'] as const)
  const permissions = optionalEnum(r, 'permissions', ['Read', 'Add', 'Modify'] as const)
  const preset: PresetOptions = {
    ...credentials(r),
    requestTokenUrl: 'https://api.smugmug.com/services/oauth/1.0a/getRequestToken',
    authorizeUrl: 'https://api.smugmug.com/services/oauth/1.0a/authorize',
    accessTokenUrl: 'https://api.smugmug.com/services/oauth/1.0a/getAccessToken',
    apiBaseUrl: 'https://api.smugmug.com/api/v2/',
    userinfoEndpoint: 'https://api.smugmug.com/api/v2!authuser',
    userinfo: smugmugUserinfo,
  }
  const authorizeParams = definedParams({ Access: access, Permissions: permissions })
  if (authorizeParams !== undefined) preset.authorizeParams = authorizeParams
  return preset
}

async function smugmugUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  // Without `Accept: application/json` SmugMug answers its HTML API browser
  const response = await ctx.request('GET', endpointOf(ctx, 'smugmug'), {
    headers: { Accept: 'application/json' },
  })
  const body = await readJson(response, 'smugmug userinfo')
  const user = asRecord(field(field(body, 'Response'), 'User'), 'smugmug userinfo: Response.User')
  return toUserInfo(
    'smugmug userinfo',
    {
      sub: user.NickName,
      preferred_username: user.NickName,
      name: user.Name,
      profile: user.WebUri,
    },
    user,
    ctx.token,
  )
}
