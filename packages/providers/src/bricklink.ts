import type { Token } from '@oauth1/core'
import { credentials, readOptions, tokenOption } from './options.js'
import type { ClientCredentialOptions, PresetOptions } from './types.js'

/** Options of {@link bricklink}. */
export interface BrickLinkOptions extends ClientCredentialOptions {
  /**
   * The token value and secret BrickLink issued for your registered IP
   * (`{ oauth_token, oauth_token_secret }`); they never expire. Used for every
   * call when no other token is found.
   */
  token?: Token | undefined
}

/**
 * BrickLink Store API: signing only. The consumer key/secret and a token
 * issued per registered IP address (0.0.0.0 for any) sign every call with
 * HMAC-SHA1 in the Authorization header; no login flow, no `userinfo`. The
 * API is `https://api.bricklink.com/api/store/v1/` (TLS only).
 *
 * @see http://apidev.bricklink.com/redmine/projects/bricklink-api/wiki/Authorization
 * @example
 * ```ts
 * oauth.register('bricklink', bricklink({
 *   token: { oauth_token: process.env.BRICKLINK_TOKEN!, oauth_token_secret: process.env.BRICKLINK_TOKEN_SECRET! },
 * }))
 * const orders = await (await oauth.bricklink.get('orders?direction=in')).json()
 * ```
 */
export function bricklink(options: BrickLinkOptions = {}): PresetOptions {
  const r = readOptions('bricklink', options, ['token'])
  const token = tokenOption(r, 'token')
  const preset: PresetOptions = {
    ...credentials(r),
    apiBaseUrl: 'https://api.bricklink.com/api/store/v1/',
  }
  if (token !== undefined) preset.token = token
  return preset
}
