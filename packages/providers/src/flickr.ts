import { credentials, optionalEnum, readOptions } from './options.js'
import type { ClientCredentialOptions, PresetOptions, UserInfo, UserinfoContext } from './types.js'
import {
  asRecord,
  endpointOf,
  field,
  fromTokenFields,
  tokenField,
  tokenId,
  toUserInfo,
  userinfoError,
} from './userinfo.js'

/** Options of {@link flickr}. */
export interface FlickrOptions extends ClientCredentialOptions {
  /**
   * `perms` on the authorize URL: `'read'` (default), `'write'` or `'delete'`
   * (each includes the ones before). Flickr refuses an authorize URL without it.
   */
  perms?: 'read' | 'write' | 'delete' | undefined
}

/**
 * Flickr: three-legged OAuth 1.0a, HMAC-SHA1 only, on
 * `www.flickr.com/services/oauth/`; the REST API is one endpoint
 * (`api.flickr.com/services/rest/`, `method=` parameter).
 *
 * The access-token response carries `user_nsid`, `username` and `fullname`,
 * so `userinfo()` answers from the token when they are there; else it calls
 * `flickr.test.login`. UNVERIFIED: whether every Flickr endpoint accepts the
 * parameters in the Authorization header (Flickr's own examples sign the
 * query string); if one refuses, register with
 * `clientKwargs: { signatureType: 'query' }`.
 *
 * @see https://www.flickr.com/services/api/auth.oauth.html
 * @example
 * ```ts
 * oauth.register('flickr', flickr({ perms: 'write' }))
 * ```
 */
export function flickr(options: FlickrOptions = {}): PresetOptions {
  const r = readOptions('flickr', options, ['perms'])
  const perms = optionalEnum(r, 'perms', ['read', 'write', 'delete'] as const) ?? 'read'
  return {
    ...credentials(r),
    requestTokenUrl: 'https://www.flickr.com/services/oauth/request_token',
    authorizeUrl: 'https://www.flickr.com/services/oauth/authorize',
    accessTokenUrl: 'https://www.flickr.com/services/oauth/access_token',
    authorizeParams: { perms },
    apiBaseUrl: 'https://api.flickr.com/services/rest/',
    userinfoEndpoint:
      'https://api.flickr.com/services/rest/?method=flickr.test.login&format=json&nojsoncallback=1',
    userinfo: flickrUserinfo,
  }
}

/**
 * A Flickr user id (NSID): digits, `@N`, digits (`12345678@N00`). Another
 * form in the token answer sends the normaliser to `flickr.test.login`.
 */
const FLICKR_NSID = /^[0-9]{1,20}@N[0-9]{1,4}$/

async function flickrUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const nsid = tokenId(ctx.token, 'user_nsid', FLICKR_NSID)
  if (nsid !== undefined) {
    return fromTokenFields('flickr userinfo', ctx.token, {
      sub: nsid,
      preferred_username: tokenField(ctx.token, 'username'),
      name: tokenField(ctx.token, 'fullname'),
    })
  }
  const body = asRecord(await ctx.json(endpointOf(ctx, 'flickr')), 'flickr userinfo')
  // Flickr answers its errors with HTTP 200 and `stat: "fail"`
  if (body.stat !== 'ok') {
    const message = typeof body.message === 'string' ? `: ${body.message}` : ''
    throw userinfoError(`flickr userinfo: flickr.test.login failed${message}`)
  }
  const user = asRecord(body.user, 'flickr userinfo: user')
  return toUserInfo(
    'flickr userinfo',
    { sub: user.id, preferred_username: field(user.username, '_content') },
    user,
    ctx.token,
  )
}
