import { credentials, readOptions } from './options.js'
import type { ClientCredentialOptions, PresetOptions, UserInfo, UserinfoContext } from './types.js'
import { asRecord, endpointOf, field, shown, toUserInfo, userinfoError } from './userinfo.js'

/** Options of {@link tumblr}. */
export interface TumblrOptions extends ClientCredentialOptions {}

/**
 * Tumblr: three-legged OAuth 1.0a, HMAC-SHA1 in the Authorization header only;
 * the request token is a POST and the access token a **GET**. API v2 on
 * `api.tumblr.com`; `userinfo()` reads `GET /v2/user/info`: `sub` is the
 * primary blog's `uuid` (the name, `preferred_username`, can be changed and
 * then taken by someone else), `profile` the primary blog's URL. Tumblr also
 * offers OAuth 2.0.
 *
 * @see https://github.com/tumblr/docs/blob/master/api.md#oauth1-authorization
 * @example
 * ```ts
 * oauth.register('tumblr', tumblr())
 * ```
 */
export function tumblr(options: TumblrOptions = {}): PresetOptions {
  const r = readOptions('tumblr', options, [])
  return {
    ...credentials(r),
    requestTokenUrl: 'https://www.tumblr.com/oauth/request_token',
    authorizeUrl: 'https://www.tumblr.com/oauth/authorize',
    accessTokenUrl: 'https://www.tumblr.com/oauth/access_token',
    accessTokenMethod: 'GET',
    apiBaseUrl: 'https://api.tumblr.com/v2/',
    userinfoEndpoint: 'https://api.tumblr.com/v2/user/info',
    userinfo: tumblrUserinfo,
  }
}

async function tumblrUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const body = asRecord(await ctx.json(endpointOf(ctx, 'tumblr')), 'tumblr userinfo')
  const status = field(body.meta, 'status')
  if (status !== undefined && status !== 200) {
    throw userinfoError(`tumblr userinfo: meta.status is ${shown(status)}`)
  }
  const user = asRecord(field(body.response, 'user'), 'tumblr userinfo: response.user')
  const blogs = Array.isArray(user.blogs) ? user.blogs : []
  const primary = blogs.find((blog) => field(blog, 'primary') === true)
  // The user's name is their primary blog's, which they can rename and someone
  // else can then take: the blog's uuid is what stays theirs.
  return toUserInfo(
    'tumblr userinfo',
    { sub: field(primary, 'uuid'), preferred_username: user.name, profile: field(primary, 'url') },
    user,
    ctx.token,
  )
}
