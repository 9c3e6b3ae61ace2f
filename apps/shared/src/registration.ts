/**
 * The register options of the apps' one provider, from their configuration:
 * a preset of `@oauth1/providers` (`PROVIDER_PRESET`), or the local
 * `@oauth1/testing` provider with a `userinfo` for its `/api/me`.
 */
import { createHash } from 'node:crypto'
import { OAuthError, type Token, type UserInfo, type UserinfoContext } from '@oauth1/core'
import type { PresetOptions } from '@oauth1/providers'
import type { ExampleConfig } from './config.ts'
import type { Profile } from './db.ts'
import { createPreset } from './presets.ts'

/** The provider URLs a configuration may set (over a preset's, or for the local provider). */
export const URL_OPTIONS = [
  'requestTokenUrl',
  'authorizeUrl',
  'accessTokenUrl',
  'apiBaseUrl',
  'userinfoEndpoint',
] as const

/**
 * What `oauth.register(PROVIDER, …)` is given, apart from the timeouts:
 *
 * - with `config.preset` (`PROVIDER_PRESET=trello`): the preset's options
 *   (`trello(options)`: URLs, quirks, `userinfo`), any URL the config sets
 *   spread over them (the demo points a preset at an `@oauth1/testing`
 *   emulation this way), and the client credentials;
 * - without: the local test provider's four URLs, its profile endpoint, and
 *   {@link testProviderUserinfo} as `userinfo`.
 *
 * @throws {TypeError} naming the variable, when the preset refuses an option;
 *   without a preset, when one of the four URLs is missing.
 * @example
 * ```ts
 * const provider = oauth.register('provider', { ...providerRegistration(config), timeout: 10_000 })
 * ```
 */
export function providerRegistration(
  config: Pick<
    ExampleConfig,
    'clientId' | 'clientSecret' | 'preset' | (typeof URL_OPTIONS)[number]
  >,
): PresetOptions {
  const urls: Partial<Record<(typeof URL_OPTIONS)[number], string>> = {}
  for (const option of URL_OPTIONS) {
    const value = config[option]
    if (value !== undefined) urls[option] = value
  }
  const credentials = { clientId: config.clientId, clientSecret: config.clientSecret }
  if (config.preset !== undefined) {
    return { ...createPreset(config.preset), ...urls, ...credentials }
  }
  for (const option of ['requestTokenUrl', 'authorizeUrl', 'accessTokenUrl'] as const) {
    if (urls[option] === undefined) {
      throw new TypeError(`${option} is required without a preset (PROVIDER_PRESET)`)
    }
  }
  const apiBaseUrl = urls.apiBaseUrl ?? new URL('/api/', urls.requestTokenUrl).href
  return {
    ...credentials,
    ...urls,
    apiBaseUrl,
    userinfoEndpoint: urls.userinfoEndpoint ?? new URL('me', apiBaseUrl).href,
    userinfo: testProviderUserinfo,
  }
}

function claim(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  return undefined
}

/**
 * The `userinfo` normaliser of the local `@oauth1/testing` provider: its
 * `GET /api/me` answers `{ id, screen_name, username, name, email? }` (the
 * shape of X's `account/verify_credentials`), which becomes `{ sub, name,
 * preferred_username, email, raw }`. The presets of `@oauth1/providers` bring
 * one of these for each real provider.
 *
 * @throws OAuthError `request_failed` (502) when the answer is not such a profile.
 * @example
 * ```ts
 * oauth.register('local', { …, userinfoEndpoint: 'http://127.0.0.1:4000/api/me', userinfo: testProviderUserinfo })
 * ```
 */
export async function testProviderUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  if (ctx.endpoint === undefined) throw new TypeError('userinfoEndpoint is not set')
  const me = await ctx.json(ctx.endpoint)
  if (typeof me !== 'object' || me === null || Array.isArray(me)) {
    throw new OAuthError('request_failed', {
      description: 'The profile endpoint did not answer with a JSON object.',
    })
  }
  const record = me as Record<string, unknown>
  const sub = claim(record.id) ?? claim(record.user_id)
  const screenName = claim(record.screen_name) ?? claim(record.username)
  if (sub === undefined || screenName === undefined) {
    throw new OAuthError('request_failed', {
      description: 'The profile endpoint answered without an id and a screen name.',
    })
  }
  const info: UserInfo = { sub, preferred_username: screenName, raw: record }
  const name = claim(record.name)
  const email = claim(record.email)
  if (name !== undefined) info.name = name
  if (email !== undefined) info.email = email
  return info
}

/**
 * Who logged in, for a provider that does not say (E*TRADE, NetSuite, Bitbucket
 * Data Center register no `userinfo`): the user is known by their token, and
 * `raw` holds what the token response carried — the token shortened, never
 * its secret.
 *
 * @example
 * ```ts
 * tokenProfile({ oauth_token: 'abcdef123456', oauth_token_secret: 's' })
 * // { sub: 'token:…', raw: { oauth_token: 'abcd…' }, source: 'token' }
 * ```
 */
export function tokenProfile(token: Token): Profile {
  const { oauth_token, oauth_token_secret: _secret, ...fields } = token
  const digest = createHash('sha256').update(oauth_token).digest('hex')
  return {
    sub: `token:${digest.slice(0, 16)}`,
    raw: { oauth_token: `${oauth_token.slice(0, 4)}…`, ...fields },
    source: 'token',
  }
}
