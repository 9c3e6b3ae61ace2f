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
  fromTokenFields,
  profileUrl,
  readJson,
  tokenField,
  tokenId,
  toUserInfo,
} from './userinfo.js'

/** Options of {@link zotero}: what the key-creation page is pre-filled with. */
export interface ZoteroOptions extends ClientCredentialOptions {
  /** `name`: the key's name shown to the user. */
  name?: string | undefined
  /** `library_access`: read access to the user's library. */
  libraryAccess?: boolean | undefined
  /** `notes_access`: read access to notes. */
  notesAccess?: boolean | undefined
  /** `write_access`: write access to the library. */
  writeAccess?: boolean | undefined
  /**
   * `all_groups`: access to all the user's groups, `'none'`, `'read'` or
   * `'write'`. Reported in October 2026: `'none'` still grants read access
   * to all groups.
   */
  allGroups?: 'none' | 'read' | 'write' | undefined
  /** `identity=1`: only identify the user, mint no key with library access. */
  identity?: boolean | undefined
}

const API_KEY_HEADER = 'Zotero-API-Key'

/**
 * Zotero: three-legged OAuth 1.0a with HMAC-SHA1 used only to mint an API key.
 * The access-token response's `oauth_token_secret` **is** the API key, and
 * it carries `userID` and `username`; API calls then send the key, not an
 * OAuth signature: `oauth.zotero.get(…)` with the user's token sends
 * `Zotero-API-Key: <oauth_token_secret>` unsigned (the preset's `apiAuth`),
 * and `Zotero-API-Version: 3` on every request. Keys are valid until revoked.
 *
 * `userinfo()` answers from the token's `userID`/`username` when they are
 * there, else from `GET https://api.zotero.org/keys/current` with the key;
 * `raw` never holds the key.
 *
 * @see https://www.zotero.org/support/dev/web_api/v3/oauth
 * @example
 * ```ts
 * oauth.register('zotero', zotero({ name: 'My App', libraryAccess: true, writeAccess: true }))
 * const token = await oauth.zotero.authorizeAccessToken(req)
 * const items = await oauth.zotero.get(`users/${token.userID}/items`, { token }) // sends the key
 * ```
 */
export function zotero(options: ZoteroOptions = {}): PresetOptions {
  const r = readOptions('zotero', options, [
    'name',
    'libraryAccess',
    'notesAccess',
    'writeAccess',
    'allGroups',
    'identity',
  ])
  const name = optionalString(r, 'name')
  const flag = (option: string) => {
    const value = optionalBoolean(r, option)
    return value === undefined ? undefined : value ? '1' : '0'
  }
  const libraryAccess = flag('libraryAccess')
  const notesAccess = flag('notesAccess')
  const writeAccess = flag('writeAccess')
  const allGroups = optionalEnum(r, 'allGroups', ['none', 'read', 'write'] as const)
  const identity = optionalBoolean(r, 'identity')

  const preset: PresetOptions = {
    ...credentials(r),
    requestTokenUrl: 'https://www.zotero.org/oauth/request',
    authorizeUrl: 'https://www.zotero.org/oauth/authorize',
    accessTokenUrl: 'https://www.zotero.org/oauth/access',
    apiBaseUrl: 'https://api.zotero.org/',
    headers: { 'Zotero-API-Version': '3' },
    // The token secret is the API key: calls send it, unsigned.
    apiAuth: (token) => ({ [API_KEY_HEADER]: token.oauth_token_secret ?? '' }),
    userinfoEndpoint: 'https://api.zotero.org/keys/current',
    userinfo: zoteroUserinfo,
  }
  const authorizeParams = definedParams({
    name,
    library_access: libraryAccess,
    notes_access: notesAccess,
    write_access: writeAccess,
    all_groups: allGroups,
    identity: identity === true ? '1' : undefined,
  })
  if (authorizeParams !== undefined) preset.authorizeParams = authorizeParams
  return preset
}

const ZOTERO_PROFILE = 'https://www.zotero.org/'

async function zoteroUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const userId = tokenId(ctx.token, 'userID', DECIMAL_ID)
  if (userId !== undefined) {
    const username = tokenField(ctx.token, 'username')
    return fromTokenFields('zotero userinfo', ctx.token, {
      sub: userId,
      preferred_username: username,
      profile: profileUrl(ZOTERO_PROFILE, username),
    })
  }
  const response = await ctx.request('GET', endpointOf(ctx, 'zotero'), {
    headers: { [API_KEY_HEADER]: ctx.token.oauth_token_secret },
  })
  const key = asRecord(await readJson(response, 'zotero userinfo'), 'zotero userinfo')
  const { key: _apiKey, ...rest } = key
  return toUserInfo(
    'zotero userinfo',
    {
      sub: key.userID,
      preferred_username: key.username,
      profile: profileUrl(ZOTERO_PROFILE, key.username),
    },
    rest,
    ctx.token,
  )
}
