import {
  credentials,
  definedParams,
  optionalBoolean,
  optionalEnum,
  optionalString,
  readOptions,
} from './options.js'
import type { ClientCredentialOptions, PresetOptions, UserInfo, UserinfoContext } from './types.js'
import {
  asRecord,
  DECIMAL_ID,
  endpointOf,
  field,
  fromTokenFields,
  profileUrl,
  tokenField,
  tokenId,
  toUserInfo,
} from './userinfo.js'

/** Options of {@link twitter}. */
export interface TwitterOptions extends ClientCredentialOptions {
  /**
   * The consent page. `'authenticate'` (default, "Sign in with X") skips the
   * prompt for a user who already granted the app, and needs "Sign in with X"
   * enabled on the app; `'authorize'` always prompts (X says desktop apps must use it).
   */
  page?: 'authenticate' | 'authorize' | undefined
  /**
   * `x_auth_access_type` on the request-token call: ask for less than the
   * app's permission level (`'read'`) or for `'write'`.
   */
  accessType?: 'read' | 'write' | undefined
  /** `force_login=true`: X asks for the password even when a user is signed in. */
  forceLogin?: boolean | undefined
  /** `screen_name`: pre-fills the username on X's sign-in form (a handle, without `@`). */
  screenName?: string | undefined
  /**
   * `true`: `userinfo()` always reads `GET /2/users/me`, so it also has the
   * user's `name`, `picture` and `website`, at the cost of one API request
   * counted against the app's X API access tier. Default `false`: it answers
   * from the access token's `user_id` and `screen_name` (`sub`,
   * `preferred_username`, `profile`) without a request, and reads
   * `/2/users/me` only for a token without them.
   */
  fetchProfile?: boolean | undefined
}

const HANDLE = { pattern: /^[A-Za-z0-9_]{1,15}$/, hint: 'an X handle without @ (A-Z, 0-9, _)' }

/**
 * X (formerly Twitter): three-legged OAuth 1.0a, HMAC-SHA1 in the
 * Authorization header, token endpoints on `api.x.com`, API v2 as `apiBaseUrl`.
 *
 * The access-token response carries `user_id` and `screen_name`, so
 * `userinfo()` answers from the token without a request when they are there;
 * else, or with `fetchProfile: true` (for `name` and `picture`), it reads
 * `GET /2/users/me`. X labels its form-encoded token responses
 * `text/html`; the core parses them as form data whatever the label.
 * Callback URLs must be allow-listed in the developer console.
 *
 * @see https://docs.x.com/fundamentals/authentication/oauth-1-0a/obtaining-user-access-tokens
 * @see https://developer.x.com/en/docs/authentication/api-reference/authenticate
 * @see https://developer.x.com/zh-cn/docs/authentication/api-reference/request_token (`x_auth_access_type`)
 * @example
 * ```ts
 * oauth.register('twitter', twitter({ accessType: 'read' }))
 * // TWITTER_CLIENT_ID / TWITTER_CLIENT_SECRET from the environment
 * const me = await oauth.twitter.userinfo({ token }) // { sub: user_id, preferred_username: screen_name, … }
 * // twitter({ fetchProfile: true }): { sub, name, preferred_username, picture, website, profile, raw }
 * ```
 */
export function twitter(options: TwitterOptions = {}): PresetOptions {
  const r = readOptions('twitter', options, [
    'page',
    'accessType',
    'forceLogin',
    'screenName',
    'fetchProfile',
  ])
  const page = optionalEnum(r, 'page', ['authenticate', 'authorize'] as const) ?? 'authenticate'
  const accessType = optionalEnum(r, 'accessType', ['read', 'write'] as const)
  const forceLogin = optionalBoolean(r, 'forceLogin')
  const screenName = optionalString(r, 'screenName', HANDLE)
  const fetchProfile = optionalBoolean(r, 'fetchProfile') === true

  const preset: PresetOptions = {
    ...credentials(r),
    requestTokenUrl: 'https://api.x.com/oauth/request_token',
    authorizeUrl: `https://api.x.com/oauth/${page}`,
    accessTokenUrl: 'https://api.x.com/oauth/access_token',
    apiBaseUrl: 'https://api.x.com/2/',
    userinfoEndpoint: 'https://api.x.com/2/users/me?user.fields=profile_image_url,url',
    userinfo: fetchProfile ? twitterProfile : twitterUserinfo,
  }
  if (accessType !== undefined) preset.requestTokenParams = { x_auth_access_type: accessType }
  const authorizeParams = definedParams({
    force_login: forceLogin === true ? 'true' : undefined,
    screen_name: screenName,
  })
  if (authorizeParams !== undefined) preset.authorizeParams = authorizeParams
  return preset
}

const X_PROFILE = 'https://x.com/'

async function twitterUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const userId = tokenId(ctx.token, 'user_id', DECIMAL_ID)
  if (userId === undefined) return twitterProfile(ctx)
  const screenName = tokenField(ctx.token, 'screen_name')
  return fromTokenFields('twitter userinfo', ctx.token, {
    sub: userId,
    preferred_username: screenName,
    profile: profileUrl(X_PROFILE, screenName),
  })
}

/** `GET /2/users/me`: the user's id, name, handle, picture and website. */
async function twitterProfile(ctx: UserinfoContext): Promise<UserInfo> {
  const body = await ctx.json(endpointOf(ctx, 'twitter'))
  const data = asRecord(field(body, 'data'), 'twitter userinfo: data')
  return toUserInfo(
    'twitter userinfo',
    {
      sub: data.id,
      name: data.name,
      preferred_username: data.username,
      picture: data.profile_image_url,
      website: data.url,
      profile: profileUrl(X_PROFILE, data.username),
    },
    data,
    ctx.token,
  )
}
