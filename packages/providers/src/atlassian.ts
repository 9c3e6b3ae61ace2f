import type { ClientRsaKey } from '@oauth1/core'
import { baseUrl, credentials, optionalEnum, readOptions, rsaKeyOption } from './options.js'
import type { ClientCredentialOptions, PresetOptions, UserInfo, UserinfoContext } from './types.js'
import { asRecord, endpointOf, field, toUserInfo } from './userinfo.js'

/** Options of {@link atlassian}. */
export interface AtlassianOptions extends ClientCredentialOptions {
  /** Required: the product's base URL, context path included (`https://jira.example.com`, `https://example.com/confluence`). */
  baseUrl: string
  /** Which product: sets `apiBaseUrl` and `userinfo()`. Default `'jira'`. */
  product?: 'jira' | 'confluence' | 'bitbucket' | undefined
  /**
   * The RSA private key (PEM, or a key object) whose public half is on the
   * application link. Default: `clientKwargs.rsaKey`, else config `<NAME>_RSA_KEY`.
   */
  rsaKey?: ClientRsaKey | undefined
}

/**
 * Jira, Confluence and Bitbucket **Data Center / Server** through an
 * application link with incoming OAuth 1.0a ("legacy"): RSA-SHA1 only, the
 * consumer key and RSA public key set up by an admin, the consumer secret
 * unused. Every URL comes from `baseUrl`: `<baseUrl>/plugins/servlet/oauth/
 * request-token|authorize|access-token`.
 *
 * `apiBaseUrl` and `userinfo()` per product: Jira `<baseUrl>/rest/api/2/`
 * (`GET myself`); Confluence `<baseUrl>/rest/api/` (`GET user/current`, from
 * Atlassian's Confluence Data Center REST reference, not covered by our
 * emulation); Bitbucket `<baseUrl>/rest/api/1.0/` and no `userinfo`
 * (Bitbucket has no current-user resource).
 *
 * Status: Data Center products reach end of life on 2029-03-28; from Jira
 * 8.22 the incoming-link UI creates OAuth 2.0 clients instead, and Jira
 * **Cloud**'s OAuth 1.0a is deprecated. UNVERIFIED: whether 10.x still lets
 * admins create new OAuth 1.0a incoming links.
 *
 * @deprecated Atlassian's Data Center products (Jira, Confluence, Bitbucket)
 * reach end of life on 2029-03-28, and their OAuth 1.0a application links with
 * them; Atlassian prefers OAuth 2.0 links already. Plan the move before then.
 * @see https://developer.atlassian.com/server/jira/platform/oauth/
 * @example
 * ```ts
 * oauth.register('jira', atlassian({ baseUrl: 'https://jira.example.com', rsaKey: process.env.JIRA_RSA_KEY }))
 * const me = await oauth.jira.userinfo({ token })
 * ```
 */
export function atlassian(options: AtlassianOptions): PresetOptions {
  const r = readOptions('atlassian', options, ['baseUrl', 'product', 'rsaKey'])
  const base = baseUrl(r, 'baseUrl', true) as string
  // An endpoint given as the base would double its path (…/plugins/servlet/oauth/plugins/servlet/oauth/…)
  if (/\/(?:plugins\/servlet|rest)(?:\/|$)/.test(new URL(base).pathname)) {
    r.fail(
      "baseUrl must be the product's base URL (https://jira.example.com, with its context path), not an OAuth or REST URL under it",
    )
  }
  const product = optionalEnum(r, 'product', ['jira', 'confluence', 'bitbucket'] as const) ?? 'jira'
  const rsaKey = rsaKeyOption(r, 'rsaKey')

  const preset: PresetOptions = {
    ...credentials(r),
    requestTokenUrl: `${base}/plugins/servlet/oauth/request-token`,
    authorizeUrl: `${base}/plugins/servlet/oauth/authorize`,
    accessTokenUrl: `${base}/plugins/servlet/oauth/access-token`,
    clientKwargs:
      rsaKey === undefined
        ? { signatureMethod: 'RSA-SHA1' }
        : { signatureMethod: 'RSA-SHA1', rsaKey },
  }
  if (product === 'jira') {
    preset.apiBaseUrl = `${base}/rest/api/2/`
    preset.userinfoEndpoint = `${base}/rest/api/2/myself`
    preset.userinfo = jiraUserinfo
  } else if (product === 'confluence') {
    preset.apiBaseUrl = `${base}/rest/api/`
    preset.userinfoEndpoint = `${base}/rest/api/user/current`
    preset.userinfo = confluenceUserinfo
  } else {
    preset.apiBaseUrl = `${base}/rest/api/1.0/`
  }
  return preset
}

async function jiraUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const user = asRecord(await ctx.json(endpointOf(ctx, 'atlassian')), 'atlassian userinfo')
  return toUserInfo(
    'atlassian userinfo',
    {
      sub: user.key,
      preferred_username: user.name,
      name: user.displayName,
      email: user.emailAddress,
      picture: field(user.avatarUrls, '48x48'),
    },
    user,
    ctx.token,
  )
}

async function confluenceUserinfo(ctx: UserinfoContext): Promise<UserInfo> {
  const endpoint = endpointOf(ctx, 'atlassian')
  const user = asRecord(await ctx.json(endpoint), 'atlassian userinfo')
  // profilePicture.path is a server-absolute path that includes the context path
  const path = field(user.profilePicture, 'path')
  const picture =
    typeof path === 'string' && path.startsWith('/') && URL.canParse(path, endpoint)
      ? new URL(path, endpoint)
      : undefined
  return toUserInfo(
    'atlassian userinfo',
    {
      sub: user.userKey,
      preferred_username: user.username,
      name: user.displayName,
      picture: picture?.origin === new URL(endpoint).origin ? picture.href : undefined,
    },
    user,
    ctx.token,
  )
}
