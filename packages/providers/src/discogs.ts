import { credentials, headerString, optionalEnum, readOptions } from './options.js'
import type { ClientCredentialOptions, PresetOptions, UserInfo, UserinfoContext } from './types.js'
import { asRecord, endpointOf, toUserInfo, userinfoError } from './userinfo.js'

/** Options of {@link discogs}. */
export interface DiscogsOptions extends ClientCredentialOptions {
  /**
   * Required: Discogs refuses requests without a `User-Agent` that names your
   * app (`'MyDiscogsApp/1.0 +https://app.example'`). Sent on every request.
   */
  userAgent: string
  /**
   * `'HMAC-SHA1'` (default) or `'PLAINTEXT'` (Discogs' documented example;
   * sends both secrets on every request, over TLS).
   */
  signatureMethod?: 'HMAC-SHA1' | 'PLAINTEXT' | undefined
}

/**
 * Discogs: three-legged OAuth 1.0a. The request token is a **GET**, the access
 * token a POST, both on `api.discogs.com`; the consent page is on
 * `www.discogs.com`. Every request needs a `User-Agent` naming the app (limit:
 * 60 authenticated requests a minute per user). `userinfo()` reads
 * `GET /oauth/identity`, then the profile at its `resource_url` (only on the
 * identity endpoint's origin).
 *
 * @see https://www.discogs.com/developers/#page:authentication,header:authentication-oauth-flow
 * @example
 * ```ts
 * oauth.register('discogs', discogs({ userAgent: 'MyDiscogsApp/1.0 +https://app.example' }))
 * ```
 */
export function discogs(options: DiscogsOptions): PresetOptions {
  const r = readOptions('discogs', options, ['userAgent', 'signatureMethod'])
  const userAgent = headerString(r, 'userAgent', true)
  const signatureMethod =
    optionalEnum(r, 'signatureMethod', ['HMAC-SHA1', 'PLAINTEXT'] as const) ?? 'HMAC-SHA1'
  return {
    ...credentials(r),
    requestTokenUrl: 'https://api.discogs.com/oauth/request_token',
    requestTokenMethod: 'GET',
    authorizeUrl: 'https://www.discogs.com/oauth/authorize',
    accessTokenUrl: 'https://api.discogs.com/oauth/access_token',
    apiBaseUrl: 'https://api.discogs.com/',
    userAgent,
    clientKwargs: { signatureMethod },
    userinfoEndpoint: 'https://api.discogs.com/oauth/identity',
    userinfo: discogsUserinfo,
  }
}

async function discogsUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const endpoint = endpointOf(ctx, 'discogs')
  const identity = asRecord(await ctx.json(endpoint), 'discogs userinfo: identity')
  const resource = identity.resource_url
  const url = typeof resource === 'string' && URL.canParse(resource) ? new URL(resource) : undefined
  // A signed request goes only where the identity endpoint itself lives
  if (url === undefined || url.origin !== new URL(endpoint).origin) {
    throw userinfoError(
      'discogs userinfo: the identity has no resource_url on the identity endpoint’s origin',
    )
  }
  const user = asRecord(await ctx.json(url), 'discogs userinfo: profile')
  return toUserInfo(
    'discogs userinfo',
    {
      sub: user.id ?? identity.id,
      preferred_username: user.username ?? identity.username,
      name: user.name,
      picture: user.avatar_url,
      profile: user.uri,
      email: user.email,
      website: user.home_page,
    },
    user,
    ctx.token,
  )
}
