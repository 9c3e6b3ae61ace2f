/**
 * Every preset through two adapters (Express on a real socket, Hono through
 * `app.request`) against its emulation in `@oauth1/testing`: the whole login
 * as a browser drives it (app /login → the provider's consent page → Allow →
 * the app's callback), `userinfo()` with no token passed (fetchToken and the
 * request context), a signed API call, and the refusal path. Signing-only
 * presets make signed API calls with no login, and are refused with a wrong
 * secret. The emulations are checked against PROVIDERS.md on their own
 * (packages/testing), so a preset and its emulation cannot share a mistake;
 * each preset keeps its own paths (only the origin is moved onto the
 * emulation's), so a wrong path or method in a preset fails here.
 */
import { createPublicKey } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { OAuth as ExpressOAuth } from '@oauth1/express'
import { OAuth as HonoOAuth } from '@oauth1/hono'
import {
  createTestProvider,
  type EmulationName,
  type RecordedRequest,
  type TestProvider,
} from '@oauth1/testing'
import express from 'express'
import session from 'express-session'
import { Hono } from 'hono'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  atlassian,
  bricklink,
  discogs,
  etrade,
  flickr,
  garmin,
  mastercard,
  mediawiki,
  netsuite,
  type PresetOptions,
  plurk,
  schoology,
  smugmug,
  trello,
  tumblr,
  twitter,
  type UserInfo,
  woocommerce,
  zotero,
} from './index.js'
import { RSA_KEY as RSA_PRIVATE } from './presets.test-helper.js'

const RSA_PUBLIC = createPublicKey(RSA_PRIVATE).export({ type: 'spki', format: 'pem' }).toString()
const SECRET = 'a-test-secret-of-at-least-32-characters!'
const CLIENT = { id: 'presetapp', secret: 'presetsecret1' }

type Token = Record<string, string>
interface Outcome {
  status: number
  body: Record<string, unknown>
}

/** One framework app with the same routes; `register` adds the preset under test. */
interface AppUnderTest {
  callback: string
  register(options: PresetOptions): void
  /** A browser request to the app (a path, or an absolute URL on the app's origin). */
  visit(pathOrUrl: string, jar: Map<string, string>): Promise<Response>
  close(): Promise<void>
}

/** What both apps answer on /callback, /me and /api: JSON, or the OAuthError's code and status. */
function errorBody(err: unknown): Outcome {
  const e = err as { code?: string; status?: number; description?: string }
  if (typeof e?.code === 'string' && typeof e.status === 'number') {
    return { status: e.status, body: { error: e.code, description: e.description } }
  }
  if (err instanceof TypeError)
    return { status: 500, body: { error: 'TypeError', description: err.message } }
  throw err
}

function withoutSecret(token: Token): Token {
  const { oauth_token_secret: _s, ...rest } = token
  return rest
}

async function expressApp(): Promise<AppUnderTest> {
  let token: Token | undefined
  const oauth = new ExpressOAuth({ fetchToken: () => token as never })
  const app = express()
  app.use(session({ secret: SECRET, resave: false, saveUninitialized: false }))
  app.use(oauth.middleware())
  const send = (res: express.Response, o: Outcome) => res.status(o.status).json(o.body)
  app.get('/login', (req, res) => oauth.p.authorizeRedirect(req, res, '/callback'))
  app.get('/callback', async (req, res) => {
    try {
      token = await oauth.p.authorizeAccessToken(req)
      send(res, { status: 200, body: withoutSecret(token!) })
    } catch (err) {
      send(res, errorBody(err))
    }
  })
  app.get('/me', async (_req, res) => {
    try {
      send(res, { status: 200, body: { ...(await oauth.p.userinfo()) } })
    } catch (err) {
      send(res, errorBody(err))
    }
  })
  app.get('/api', async (req, res) => {
    try {
      const r = await oauth.p.get(String(req.query.url))
      send(res, { status: 200, body: { status: r.status, text: await r.text() } })
    } catch (err) {
      send(res, errorBody(err))
    }
  })
  const server: Server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    callback: `${origin}/callback`,
    register: (options) => oauth.register('p', options),
    visit: (path, jar) =>
      fetch(new URL(path, origin), { redirect: 'manual', headers: cookieHeader(jar) }).then((r) =>
        keepCookies(r, jar),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function honoApp(): Promise<AppUnderTest> {
  let token: Token | undefined
  const oauth = new HonoOAuth({ fetchToken: () => token as never })
  const app = new Hono()
  app.use(oauth.middleware({ secret: SECRET }))
  const answer = (o: Outcome) => Response.json(o.body, { status: o.status })
  app.get('/login', (c) => oauth.p.authorizeRedirect(c, '/callback'))
  app.get('/callback', async (c) => {
    try {
      token = await oauth.p.authorizeAccessToken(c)
      return answer({ status: 200, body: withoutSecret(token!) })
    } catch (err) {
      return answer(errorBody(err))
    }
  })
  app.get('/me', async () => {
    try {
      return answer({ status: 200, body: { ...(await oauth.p.userinfo()) } })
    } catch (err) {
      return answer(errorBody(err))
    }
  })
  app.get('/api', async (c) => {
    try {
      const r = await oauth.p.get(c.req.query('url')!)
      return answer({ status: 200, body: { status: r.status, text: await r.text() } })
    } catch (err) {
      return answer(errorBody(err))
    }
  })
  const origin = 'http://app.test'
  return {
    callback: `${origin}/callback`,
    register: (options) => oauth.register('p', options),
    visit: async (path, jar) =>
      keepCookies(
        await app.request(new URL(path, origin).href, { headers: cookieHeader(jar) }),
        jar,
      ),
    close: async () => {},
  }
}

function cookieHeader(jar: Map<string, string>): Record<string, string> {
  return jar.size === 0 ? {} : { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') }
}

function keepCookies(res: Response, jar: Map<string, string>): Response {
  for (const header of res.headers.getSetCookie()) {
    const pair = header.split(';')[0] ?? ''
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    if (value === '' || /max-age=0/i.test(header)) jar.delete(name)
    else jar.set(name, value)
  }
  return res
}

function decode(html: string): string {
  return html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/**
 * The browser at the provider: opens the consent page at `authorizeUrl` and
 * answers it as `userId` (Allow or Deny); resolves to where the provider
 * sends the browser next.
 */
async function atProvider(
  authorizeUrl: string,
  decision: 'allow' | 'deny',
  userId: string,
): Promise<{ location: string | null; status: number; text: string }> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' })
  const html = await page.text()
  if (page.status !== 200)
    return { location: page.headers.get('location'), status: page.status, text: html }
  const action = /<form method="post" action="([^"]*)">/.exec(html)
  if (!action) throw new Error(`no consent form at ${authorizeUrl}: ${html.slice(0, 300)}`)
  const fields: Record<string, string> = {}
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]!] = decode(m[2]!)
  }
  const res = await fetch(new URL(decode(action[1]!), authorizeUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(authorizeUrl).origin,
    },
    body: new URLSearchParams({ ...fields, user_id: userId, decision }),
  })
  return { location: res.headers.get('location'), status: res.status, text: await res.text() }
}

async function outcome(res: Response): Promise<Outcome> {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** /login → consent (as `userId`) → the app's callback; resolves to the callback's answer. */
async function login(
  app: AppUnderTest,
  decision: 'allow' | 'deny' = 'allow',
  userId = '1002',
): Promise<{ callback: Outcome; authorizeUrl: string }> {
  const jar = new Map<string, string>()
  const start = await app.visit('/login', jar)
  const authorizeUrl = start.headers.get('location')
  if (start.status !== 302 || authorizeUrl === null) {
    throw new Error(`/login answered ${start.status}: ${await start.text()}`)
  }
  const provider = await atProvider(authorizeUrl, decision, userId)
  if (provider.location === null) {
    throw new Error(`the provider answered ${provider.status}: ${provider.text.slice(0, 300)}`)
  }
  return { callback: await outcome(await app.visit(provider.location, jar)), authorizeUrl }
}

interface ThreeLegged {
  emulate: EmulationName
  preset: (p: TestProvider) => PresetOptions
  /** Checks on the authorize URL the preset built. */
  authorize?: (url: URL, p: TestProvider) => void
  /**
   * What userinfo() must say for bob (user 1002), or null for presets without
   * one; `requests` are what the provider received during the userinfo() call.
   */
  userinfo: ((info: UserInfo, token: Token, requests: readonly RecordedRequest[]) => void) | null
  /** A relative or absolute API URL to call signed with the user's token. */
  api?: (p: TestProvider) => string
  /** The code the app answers a refusal with. */
  refusal: { status: number; error: string }
}

const URL_OPTIONS = [
  'requestTokenUrl',
  'authorizeUrl',
  'accessTokenUrl',
  'apiBaseUrl',
  'userinfoEndpoint',
] as const

/**
 * The preset with each of its URLs moved onto the emulation's origin, path
 * and query kept: a preset whose path differs from the provider's (as the
 * emulation has it, checked against PROVIDERS.md in packages/testing) fails.
 */
function rebase(preset: PresetOptions, p: TestProvider): PresetOptions {
  const out: PresetOptions = { ...preset }
  for (const option of URL_OPTIONS) {
    const value = preset[option]
    if (value === undefined) continue
    const url = new URL(value)
    out[option] = `${p.url}${url.pathname}${url.search}`
  }
  return out
}

const THREE_LEGGED: ThreeLegged[] = [
  {
    emulate: 'twitter',
    preset: (p) => rebase(twitter({ accessType: 'read' }), p),
    authorize: (url, p) => {
      expect(url.pathname).toBe('/oauth/authenticate')
      // x_auth_access_type went on the (signed) request-token call
      const requestToken = p.requests.find((r) => r.endpoint === 'requestToken')
      expect(requestToken?.baseString).toContain('x_auth_access_type%3Dread')
    },
    userinfo: (info, token, requests) => {
      expect(info.sub).toBe(token.user_id)
      expect(info.preferred_username).toBe('bob')
      // From the token's own fields: no request to X
      expect(requests).toEqual([])
    },
    api: () => 'users/me',
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'twitter',
    preset: (p) => rebase(twitter({ fetchProfile: true }), p),
    userinfo: (info, token, requests) => {
      expect(requests.map((r) => r.url)).toEqual(['/2/users/me?user.fields=profile_image_url,url'])
      expect(info.sub).toBe(token.user_id)
      expect(info.preferred_username).toBe('bob')
      // Read from /2/users/me: the emulated user's name and picture.
      expect(info.name).toEqual(expect.any(String))
      expect(info.name).not.toBe('')
      expect(info.picture).toMatch(/^https?:\/\//)
    },
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'trello',
    preset: (p) =>
      rebase(trello({ name: 'Preset Test', scope: ['read', 'account'], expiration: 'never' }), p),
    authorize: (url) => {
      expect(url.searchParams.get('name')).toBe('Preset Test')
      expect(url.searchParams.get('scope')).toBe('read,account')
      expect(url.searchParams.get('expiration')).toBe('never')
    },
    userinfo: (info) => {
      expect(info.preferred_username).toBe('bob')
      expect(info.email).toContain('bob')
      expect(info.picture).toMatch(/\/170\.png$/)
    },
    api: () => 'members/me',
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'flickr',
    preset: (p) => rebase(flickr({ perms: 'write' }), p),
    authorize: (url) => expect(url.searchParams.get('perms')).toBe('write'),
    userinfo: (info, token, requests) => {
      expect(info.sub).toBe(token.user_nsid)
      expect(info.preferred_username).toBe(token.username)
      expect(info.name).toBe(token.fullname)
      expect(requests).toEqual([])
    },
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'tumblr',
    preset: (p) => rebase(tumblr(), p),
    userinfo: (info) => {
      expect(info.sub).toMatch(/^t:/)
      expect(info.preferred_username).toBe('bob')
    },
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'discogs',
    preset: (p) => rebase(discogs({ userAgent: 'PresetTest/1.0 +https://app.example' }), p),
    // Any client sends some User-Agent (fetch's own): the preset's must be the one sent.
    authorize: (_url, p) =>
      expect(p.lastRequest?.headers['user-agent']).toBe('PresetTest/1.0 +https://app.example'),
    userinfo: (info) => {
      expect(info.preferred_username).toBe('bob')
      expect(info.sub).toMatch(/^\d+$/)
    },
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'discogs',
    preset: (p) =>
      rebase(discogs({ userAgent: 'PresetTest/1.0', signatureMethod: 'PLAINTEXT' }), p),
    userinfo: (info) => expect(info.preferred_username).toBe('bob'),
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'smugmug',
    preset: (p) => rebase(smugmug({ access: 'Full', permissions: 'Modify' }), p),
    authorize: (url) => {
      expect(url.searchParams.get('Access')).toBe('Full')
      expect(url.searchParams.get('Permissions')).toBe('Modify')
    },
    userinfo: (info) => expect(info.preferred_username).toBeTruthy(),
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'zotero',
    preset: (p) => rebase(zotero({ name: 'Preset Test' }), p),
    userinfo: (info, token, requests) => {
      expect(info.sub).toBe(token.userID)
      expect(info.preferred_username).toBe(token.username)
      expect(requests).toEqual([])
      expect(JSON.stringify(info.raw)).not.toContain('oauth_token_secret')
    },
    // The API takes the key (the token secret) and wants Zotero-API-Version: 3.
    api: () => 'keys/current',
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'mediawiki',
    preset: (p) => mediawiki({ indexUrl: `${p.url}/w/index.php` }),
    authorize: (url, p) => {
      expect(url.pathname).toBe('/wiki/Special:OAuth/authorize')
      expect(url.searchParams.get('oauth_consumer_key')).toBe(p.client.id)
    },
    userinfo: (info) => {
      expect(info.preferred_username).toBeTruthy()
      expect(info.sub).toMatch(/^\d+$/)
    },
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'etrade',
    preset: (p) => rebase(etrade({ sandbox: true }), p),
    authorize: (url, p) => {
      expect([...url.searchParams.keys()]).toEqual(['key', 'token'])
      expect(url.searchParams.get('key')).toBe(p.client.id)
    },
    userinfo: null,
    api: (p) => `${p.url}/v1/accounts/list.json`,
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'atlassian',
    preset: (p) => atlassian({ baseUrl: p.url, rsaKey: RSA_PRIVATE }),
    userinfo: (info) => {
      expect(info.preferred_username).toBeTruthy()
      expect(info.email).toBeTruthy()
    },
    api: () => 'myself',
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'netsuite',
    preset: (p) => rebase(netsuite({ accountId: '1234567_SB1', state: 'abc123' }), p),
    authorize: (url) => expect(url.searchParams.get('state')).toBe('abc123'),
    userinfo: null,
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'schoology',
    preset: (p) => rebase(schoology({ domain: 'springfield.schoology.com' }), p),
    authorize: (url) => expect(url.searchParams.get('oauth_callback')).toBeTruthy(),
    userinfo: (info) => {
      expect(info.sub).toMatch(/^\d+$/)
      expect(info.name).toBeTruthy()
    },
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'plurk',
    preset: (p) => rebase(plurk(), p),
    userinfo: (info) => expect(info.preferred_username).toBe('bob'),
    refusal: { status: 403, error: 'access_denied' },
  },
  {
    emulate: 'garmin',
    preset: (p) => rebase(garmin(), p),
    userinfo: (info) => expect(info.sub).toBeTruthy(),
    refusal: { status: 403, error: 'access_denied' },
  },
]

const ADAPTERS: [string, () => Promise<AppUnderTest>][] = [
  ['express', expressApp],
  ['hono', honoApp],
]

let providers: TestProvider[] = []
let apps: AppUnderTest[] = []
afterEach(async () => {
  await Promise.all([...providers.map((p) => p.close()), ...apps.map((a) => a.close())])
  providers = []
  apps = []
})

let warn: typeof console.warn
beforeAll(() => {
  // garmin() warns once about its end date; keep the test output clean.
  warn = console.warn
  console.warn = () => {}
})
afterAll(() => {
  console.warn = warn
})

async function setup(
  adapter: () => Promise<AppUnderTest>,
  emulate: EmulationName,
  preset: (p: TestProvider) => PresetOptions,
  client: { id: string; secret: string } = CLIENT,
) {
  const app = await adapter()
  apps.push(app)
  const provider = await createTestProvider({
    emulate,
    clients: [
      {
        id: CLIENT.id,
        secret: CLIENT.secret,
        rsaPublicKey: RSA_PUBLIC,
        callbackUrls: [app.callback],
        name: 'Preset Test',
      },
    ],
  })
  providers.push(provider)
  app.register({ ...preset(provider), clientId: client.id, clientSecret: client.secret })
  return { app, provider }
}

describe.each(ADAPTERS)('presets through %s against their emulations', (_adapter, make) => {
  describe.each(THREE_LEGGED.map((c, i) => [`${c.emulate}#${i}`, c] as const))(
    '%s',
    (_name, spec) => {
      it('logs in, tells who logged in, calls the API, and is refused when the user says no', async () => {
        const { app, provider } = await setup(make, spec.emulate, spec.preset)
        const { callback, authorizeUrl } = await login(app)
        expect(callback.status, JSON.stringify(callback.body)).toBe(200)
        const token = callback.body as Token
        expect(token.oauth_token).toBeTruthy()
        expect(token).not.toHaveProperty('oauth_token_secret')
        spec.authorize?.(new URL(authorizeUrl), provider)

        const jar = new Map<string, string>()
        const before = provider.requests.length
        const me = await outcome(await app.visit('/me', jar))
        if (spec.userinfo === null) {
          expect(me).toEqual({
            status: 500,
            body: {
              error: 'TypeError',
              description:
                'p has no userinfo: register it with a userinfo function (provider presets supply one)',
            },
          })
        } else {
          expect(me.status, JSON.stringify(me.body)).toBe(200)
          const info = me.body as unknown as UserInfo
          expect(typeof info.sub).toBe('string')
          spec.userinfo(info, token, provider.requests.slice(before))
        }
        if (spec.api !== undefined) {
          const api = await outcome(
            await app.visit(`/api?url=${encodeURIComponent(spec.api(provider))}`, jar),
          )
          expect(api.body.status, String(api.body.text)).toBe(200)
        }

        const refused = await login(app, 'deny')
        expect(refused.callback).toMatchObject({
          status: spec.refusal.status,
          body: { error: spec.refusal.error },
        })
      })
    },
  )

  describe('signing-only presets', () => {
    it('woocommerce: one-legged calls with no token, in HMAC-SHA256 (default) and HMAC-SHA1; a wrong secret is refused', async () => {
      for (const signatureMethod of [undefined, 'HMAC-SHA256', 'HMAC-SHA1'] as const) {
        const { app, provider } = await setup(make, 'woocommerce', (p) =>
          woocommerce({ storeUrl: p.url, ...(signatureMethod ? { signatureMethod } : {}) }),
        )
        const jar = new Map<string, string>()
        const ok = await outcome(await app.visit(`/api?url=products`, jar))
        expect(ok.body.status, String(ok.body.text)).toBe(200)
        expect(provider.lastRequest?.oauthParams).not.toHaveProperty('oauth_token')
      }
      // The README's way round a host that strips the Authorization header
      const { app: inQuery, provider: queried } = await setup(make, 'woocommerce', (p) => {
        const shop = woocommerce({ storeUrl: p.url })
        return { ...shop, clientKwargs: { ...shop.clientKwargs, signatureType: 'query' } }
      })
      const viaQuery = await outcome(await inQuery.visit('/api?url=products', new Map()))
      expect(viaQuery.body.status, String(viaQuery.body.text)).toBe(200)
      expect(queried.lastRequest?.oauthSource).toBe('query')
      expect(queried.lastRequest?.oauthParams.oauth_signature_method).toBe('HMAC-SHA256')

      const { app } = await setup(make, 'woocommerce', (p) => woocommerce({ storeUrl: p.url }), {
        id: CLIENT.id,
        secret: 'wrong',
      })
      const bad = await outcome(await app.visit('/api?url=products', new Map()))
      expect(bad.body.status).toBe(401)
    })

    it('mastercard: RSA-SHA256 with a body hash on every call; a wrong key is refused', async () => {
      const { app, provider } = await setup(make, 'mastercard', (p) =>
        rebase(mastercard({ rsaKey: RSA_PRIVATE, sandbox: true }), p),
      )
      const ok = await outcome(await app.visit('/api?url=atms/v1/atm', new Map()))
      expect(ok.body.status, String(ok.body.text)).toBe(200)
      const params = provider.lastRequest?.oauthParams ?? {}
      expect(params.oauth_signature_method).toBe('RSA-SHA256')
      expect(params.oauth_body_hash).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')

      const other = await createTestProvider({ emulate: 'mastercard' })
      providers.push(other)
      const { app: wrong } = await setup(make, 'mastercard', () =>
        rebase(mastercard({ rsaKey: other.client.rsaPrivateKey! }), provider),
      )
      const bad = await outcome(await wrong.visit('/api?url=atms/v1/atm', new Map()))
      expect(bad.body.status).toBe(401)
    })

    it('bricklink: a static token from registration signs every call; a revoked one is refused', async () => {
      let issued: ReturnType<TestProvider['issueToken']> | undefined
      const { app, provider } = await setup(make, 'bricklink', (p) => {
        issued = p.issueToken({ clientId: CLIENT.id })
        return rebase(bricklink({ token: issued }), p)
      })
      const ok = await outcome(await app.visit('/api?url=orders', new Map()))
      expect(ok.body.status, String(ok.body.text)).toBe(200)
      expect(provider.lastRequest?.oauthParams?.oauth_token).toBe(issued!.oauth_token)
      provider.revokeToken(issued!.oauth_token)
      const bad = await outcome(await app.visit('/api?url=orders', new Map()))
      expect(bad.body.status).toBe(401)
    })
  })
})
