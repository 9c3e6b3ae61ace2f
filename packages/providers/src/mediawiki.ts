import { verifyHs256 } from './jwt.js'
import {
  baseUrl,
  credentials,
  headerString,
  optionalBoolean,
  optionalSeconds,
  readOptions,
} from './options.js'
import type {
  AuthorizeParamsContext,
  ClientCredentialOptions,
  PresetOptions,
  UserInfo,
  UserinfoContext,
} from './types.js'
import {
  endpointOf,
  profileUrl,
  providerResponse,
  readText,
  toUserInfo,
  userinfoError,
} from './userinfo.js'

/** Options of {@link mediawiki}. */
export interface MediaWikiOptions extends ClientCredentialOptions {
  /**
   * The wiki's `index.php` URL. Default `https://meta.wikimedia.org/w/index.php`
   * (Wikimedia's central wiki: one consumer there serves every Wikimedia wiki).
   */
  indexUrl?: string | undefined
  /**
   * Send `oauth_callback=oob` (default `true`): MediaWiki requires it unless
   * the consumer was registered with "callback as a prefix"; it then returns
   * the user to the callback registered with the consumer. `false` sends your
   * `redirectUri`, for a consumer registered with a callback prefix.
   */
  oobCallback?: boolean | undefined
  /** Seconds the identify JWT's `iat` (and `exp`) may differ from this clock. Default 300. */
  leeway?: number | undefined
  /** A descriptive `User-Agent` (Wikimedia's policy asks for one naming the app and a contact). */
  userAgent?: string | undefined
}

/** `mediawiki()`'s `indexUrl` when none is given: Wikimedia's central wiki (Meta-Wiki), where Wikimedia consumers are registered. */
export const DEFAULT_MEDIAWIKI_INDEX_URL = 'https://meta.wikimedia.org/w/index.php'
const DEFAULT_LEEWAY = 300

/**
 * MediaWiki (Wikipedia and every Wikimedia wiki, or any wiki with
 * Extension:OAuth): three-legged OAuth 1.0a with HMAC-SHA1. Every URL comes
 * from `indexUrl`: the token endpoints are `index.php?title=Special:OAuth/initiate`
 * and `…/token` (the `/wiki/Special:OAuth/…` form fails signature checks);
 * the consent page is `Special:OAuth/authorize` under `/wiki/` beside a
 * `/w/index.php` (Wikimedia's layout), else `index.php?title=Special:OAuth/authorize`,
 * and needs the consumer key besides `oauth_token`; the API is the `api.php` beside
 * `index.php`. MediaWiki answers errors with HTTP 200 and a body starting
 * `Error: `.
 *
 * `userinfo()` POSTs `Special:OAuth/identify` with a fresh nonce and verifies
 * the JWT it returns: HS256 with the consumer secret (Web Crypto,
 * constant-time), `aud` = the consumer key, `iss` on the identify endpoint's
 * host, `iat` (and `exp`) within `leeway`, `nonce` = the one sent. Any failed
 * check is an `OAuthError` `request_failed` (502).
 *
 * UNVERIFIED: the behavioural difference between `Special:OAuth/authorize`
 * (used here) and `Special:OAuth/authenticate`; the `api.php` location
 * assumes the standard layout.
 *
 * @see https://www.mediawiki.org/wiki/OAuth/For_Developers
 * @example
 * ```ts
 * oauth.register('wiki', mediawiki({ userAgent: 'MyTool/1.0 (https://app.example; me@app.example)' }))
 * oauth.register('enwiki', mediawiki({ indexUrl: 'https://en.wikipedia.org/w/index.php' }))
 * const me = await oauth.wiki.userinfo({ token }) // { sub, preferred_username, email_verified, … }
 * ```
 */
export function mediawiki(options: MediaWikiOptions = {}): PresetOptions {
  const r = readOptions('mediawiki', options, ['indexUrl', 'oobCallback', 'leeway', 'userAgent'])
  const indexUrl = baseUrl(r, 'indexUrl', false) ?? DEFAULT_MEDIAWIKI_INDEX_URL
  if (!indexUrl.endsWith('/index.php')) {
    r.fail("indexUrl must be the wiki's index.php URL (https://<wiki>/w/index.php)")
  }
  const oobCallback = optionalBoolean(r, 'oobCallback') ?? true
  const leeway = optionalSeconds(r, 'leeway') ?? DEFAULT_LEEWAY
  const userAgent = headerString(r, 'userAgent')
  const authorizeUrl = pageUrl(indexUrl, 'Special:OAuth/authorize')

  const preset: PresetOptions = {
    ...credentials(r),
    requestTokenUrl: `${indexUrl}?title=Special:OAuth/initiate`,
    authorizeUrl,
    authorizeParams: mediawikiAuthorizeParams,
    accessTokenUrl: `${indexUrl}?title=Special:OAuth/token`,
    apiBaseUrl: new URL('api.php', indexUrl).href,
    userinfoEndpoint: `${indexUrl}?title=Special:OAuth/identify`,
    userinfo: (ctx) => mediawikiIdentify(ctx, leeway),
  }
  if (oobCallback) preset.oobCallback = true
  if (userAgent !== undefined) preset.userAgent = userAgent
  return preset
}

/**
 * The URL of wiki page `title` (already URL-safe): in Wikimedia's layout
 * (index.php under `/w/`, pages under `/wiki/`) the short form, which also
 * avoids MobileFrontend's redirects; in any other layout `index.php?title=`,
 * which every wiki answers.
 */
function pageUrl(indexUrl: string, title: string): string {
  return indexUrl.endsWith('/w/index.php')
    ? new URL(`../wiki/${title}`, indexUrl).href
    : `${indexUrl}?title=${title}`
}

/** MediaWiki's consent page wants the consumer key beside `oauth_token`. */
function mediawikiAuthorizeParams(ctx: AuthorizeParamsContext): Record<string, string> {
  return { oauth_consumer_key: ctx.clientId }
}

function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes))
  return Array.from(values, (value) => value.toString(16).padStart(2, '0')).join('')
}

function hostOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  // $wgCanonicalServer may be protocol-relative ("//meta.wikimedia.org")
  const absolute = value.startsWith('//') ? `https:${value}` : value
  return URL.canParse(absolute) ? new URL(absolute).host : undefined
}

const WHAT = 'mediawiki userinfo'

async function mediawikiIdentify(ctx: UserinfoContext, leeway: number): Promise<UserInfo> {
  const endpoint = endpointOf(ctx, 'mediawiki')
  if (typeof ctx.clientSecret !== 'string' || ctx.clientSecret === '') {
    throw new TypeError(
      `${WHAT}: the identify JWT is verified with the consumer secret, and clientSecret is empty`,
    )
  }
  const nonce = randomHex(16)
  const response = await ctx.request('POST', endpoint, { nonce })
  const text = await readText(response, WHAT)
  const fail = (reason: string): never => {
    throw userinfoError(`${WHAT}: ${reason}`, { response: providerResponse(response, text) })
  }
  if (!response.ok) fail(`identify answered HTTP ${response.status}`)
  const body = text.trim()
  // MediaWiki answers its errors with HTTP 200 and a plain-text "Error: …"
  if (body.startsWith('Error:')) fail(`the wiki refused: ${body.split('\n', 1)[0]?.slice(0, 200)}`)

  const result = await verifyHs256(body, ctx.clientSecret)
  if (!result.ok) return fail(result.reason)
  const claims = result.claims

  const aud = claims.aud
  if (!(aud === ctx.clientId || (Array.isArray(aud) && aud.includes(ctx.clientId)))) {
    fail('the JWT aud is not this consumer key')
  }
  const expectedHost = new URL(endpoint).host
  if (hostOf(claims.iss) !== expectedHost) fail(`the JWT iss is not ${expectedHost}`)
  const now = Date.now() / 1000
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) fail('the JWT has no iat')
  if (Math.abs(now - (claims.iat as number)) > leeway) {
    fail(`the JWT iat is more than ${leeway} seconds from now`)
  }
  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp))
      fail('the JWT exp is not a number')
    if (now > (claims.exp as number) + leeway) fail('the JWT has expired')
  }
  if (claims.nonce !== nonce) fail('the JWT nonce is not the one sent')

  const username = claims.username
  const indexUrl = endpoint.split(/[?#]/, 1)[0] as string
  return toUserInfo(
    WHAT,
    {
      sub: claims.sub,
      preferred_username: username,
      email: claims.email,
      email_verified: claims.confirmed_email,
      // MediaWiki titles write spaces as underscores
      profile: profileUrl(
        pageUrl(indexUrl, 'User:'),
        typeof username === 'string' ? username.replace(/ /g, '_') : undefined,
      ),
    },
    claims,
    ctx.token,
  )
}
