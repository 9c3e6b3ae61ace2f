import { credentials, definedParams, optionalEnum, optionalString, readOptions } from './options.js'
import type { ClientCredentialOptions, PresetOptions, UserInfo, UserinfoContext } from './types.js'
import { asRecord, endpointOf, toUserInfo } from './userinfo.js'

/** One Trello permission. */
export type TrelloScope = 'read' | 'write' | 'account'

/** Options of {@link trello}; each one goes on the authorize URL. */
export interface TrelloOptions extends ClientCredentialOptions {
  /** `name`: the app name on the consent page (else "An unknown application"). */
  name?: string | undefined
  /**
   * `scope`: `'read'`, `'write'`, `'account'` (the email needs it), as a comma
   * list (`'read,write'`) or an array. Trello's default: `read`.
   */
  scope?: string | readonly TrelloScope[] | undefined
  /**
   * `expiration`: `'1hour'`, `'1day'`, `'30days'` (Trello's default) or
   * `'never'`. Anything but `'never'` re-prompts the user at each login.
   */
  expiration?: '1hour' | '1day' | '30days' | 'never' | undefined
}

const SCOPES: readonly TrelloScope[] = ['read', 'write', 'account']
const EXPIRATIONS = ['1hour', '1day', '30days', 'never'] as const

/**
 * Trello: three-legged OAuth 1.0a with HMAC-SHA1 on `trello.com/1/OAuth*`, the
 * API on `api.trello.com/1/`; `userinfo()` reads `GET /1/members/me`.
 *
 * @see https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/
 * @example
 * ```ts
 * oauth.register('trello', trello({ name: 'My App', scope: 'read,write', expiration: 'never' }))
 * ```
 */
export function trello(options: TrelloOptions = {}): PresetOptions {
  const r = readOptions('trello', options, ['name', 'scope', 'expiration'])
  const name = optionalString(r, 'name')
  const scope = trelloScope(r.value('scope'), r.fail)
  const expiration = optionalEnum(r, 'expiration', EXPIRATIONS)

  const preset: PresetOptions = {
    ...credentials(r),
    requestTokenUrl: 'https://trello.com/1/OAuthGetRequestToken',
    authorizeUrl: 'https://trello.com/1/OAuthAuthorizeToken',
    accessTokenUrl: 'https://trello.com/1/OAuthGetAccessToken',
    apiBaseUrl: 'https://api.trello.com/1/',
    userinfoEndpoint: 'https://api.trello.com/1/members/me',
    userinfo: trelloUserinfo,
  }
  const authorizeParams = definedParams({ name, scope, expiration })
  if (authorizeParams !== undefined) preset.authorizeParams = authorizeParams
  return preset
}

function trelloScope(value: unknown, fail: (message: string) => never): string | undefined {
  if (value === undefined) return undefined
  const items =
    typeof value === 'string' ? value.split(',') : Array.isArray(value) ? [...value] : undefined
  if (
    items === undefined ||
    items.length === 0 ||
    !items.every((item) => SCOPES.includes(item)) ||
    new Set(items).size !== items.length
  ) {
    fail(`scope must be a comma-separated list of ${SCOPES.join(', ')} (no spaces, no repeats)`)
  }
  return (items as string[]).join(',')
}

async function trelloUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const member = asRecord(await ctx.json(endpointOf(ctx, 'trello')), 'trello userinfo')
  const avatar = member.avatarUrl
  return toUserInfo(
    'trello userinfo',
    {
      sub: member.id,
      name: member.fullName,
      preferred_username: member.username,
      picture: typeof avatar === 'string' && avatar !== '' ? `${avatar}/170.png` : undefined,
      profile: member.url,
      email: member.email,
    },
    member,
    ctx.token,
  )
}
