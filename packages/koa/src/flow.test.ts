/**
 * The whole login, in process: Koa + koa-session + oauth.middleware() served on
 * 127.0.0.1, driven by supertest, against a real @oauth1/testing provider.
 * Koa's DEFAULT error handling throughout (no error middleware).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import {
  createSwitchableStore,
  createTestBrowser,
  REGISTERED_RELATIVE_CALLBACKS,
} from '@oauth1/core/testing'
import { createTestProvider, type TestProviderOptions } from '@oauth1/testing'
import Koa from 'koa'
import session from 'koa-session'
import request from 'supertest'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { decodeSetCookies, type Listening, listen, sessionCookieJson } from './http.test-helper.js'
import {
  COOKIE_MAX_ENTRIES,
  createMemoryServerStore,
  isBindingId,
  isOAuthError,
  type KoaMiddlewareOptions,
  MISSING_SESSION_MESSAGE,
  OAuth,
  type OAuthError,
  SESSION_KEY,
  type Token,
} from './index.js'

const CLIENT_ID = 'koa-client'
const CLIENT_SECRET = 'koa-client-shared-secret'
const KEYS = ['koa-session-signing-key-0123456789abcdef']

type Provider = Awaited<ReturnType<typeof createTestProvider>>

interface Exchange {
  url: string
  status: number
  body: string
}

interface Harness {
  provider: Provider
  server: Listening
  app: Koa
  oauth: OAuth
  /** Token credentials the app keeps server-side, by user id (never in the cookie). */
  tokens: Map<string, Token>
  /** Every answer the provider gave the client (to know the secrets it sent). */
  exchanges: Exchange[]
  /** Errors Koa's default handler saw. */
  errors: unknown[]
  agent(): ReturnType<typeof request.agent>
  /** Every secret the provider handed out so far. */
  secrets(): string[]
}

const harnesses: Harness[] = []
afterEach(async () => {
  vi.useRealTimers()
  while (harnesses.length > 0) {
    const h = harnesses.pop()!
    await h.server.close()
    await h.provider.close()
  }
})

interface SetupOptions {
  provider?: TestProviderOptions
  register?: Record<string, unknown>
  /** The registry's config (default none). */
  config?: Record<string, string>
  proxy?: boolean
  /** koa-session options (e.g. an external store). */
  session?: Parameters<typeof session>[0]
  /** Leave oauth.middleware() out. */
  noMiddleware?: boolean
  middleware?: KoaMiddlewareOptions
  /** Other Koa and koa-session versions (the peer ranges' lower majors). */
  impl?: { Koa: typeof Koa; session: typeof session }
}

// Koa 2 and koa-session 6, installed under aliases, to keep the peer ranges honest
const requireDev = createRequire(import.meta.url)
const koa2 = {
  Koa: requireDev('koa2') as typeof Koa,
  session: requireDev('koa-session6') as typeof session,
}

async function setup(options: SetupOptions = {}): Promise<Harness> {
  const provider = await createTestProvider({
    autoApprove: true,
    ...options.provider,
    clients: [
      {
        id: CLIENT_ID,
        secret: CLIENT_SECRET,
        callbackUrls: ['http://127.0.0.1:*', 'https://app.example/*'],
        ...options.provider?.clients?.[0],
      },
    ],
  })
  const exchanges: Exchange[] = []
  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    const body = await res.clone().text()
    exchanges.push({
      url: String(input instanceof Request ? input.url : input),
      status: res.status,
      body,
    })
    return res
  }
  const tokens = new Map<string, Token>()
  const oauth = new OAuth({
    config: options.config ?? {},
    fetchToken: (_name, ctx) => {
      const userId = ctx.session?.userId
      return typeof userId === 'string' ? tokens.get(userId) : undefined
    },
  })
  oauth.register('provider', {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    requestTokenUrl: provider.requestTokenUrl,
    accessTokenUrl: provider.accessTokenUrl,
    authorizeUrl: provider.authorizeUrl,
    apiBaseUrl: provider.apiBaseUrl,
    fetch: recordingFetch,
    ...options.register,
  })

  const app = new (options.impl?.Koa ?? Koa)()
  app.keys = KEYS
  app.silent = true
  if (options.proxy) app.proxy = true
  const errors: unknown[] = []
  app.on('error', (err) => errors.push(err))
  app.use((options.impl?.session ?? session)(options.session ?? {}, app))
  if (!options.noMiddleware) app.use(oauth.middleware(options.middleware))
  app.use(async (ctx) => {
    switch (ctx.path) {
      case '/login':
        await oauth.provider.authorizeRedirect(ctx, '/authorize')
        return
      case '/login-params':
        await oauth.provider.authorizeRedirect(ctx, '/authorize', { force_login: 'true' })
        return
      case '/login-bad':
        await oauth.provider.authorizeRedirect(ctx, 42 as unknown as string)
        return
      case '/plain':
        ctx.body = 'plain'
        return
      case '/login-default':
        await oauth.provider.authorizeRedirect(ctx)
        return
      case '/authorize': {
        const token: Token = await oauth.provider.authorizeAccessToken(ctx)
        const userId = token.user_id ?? token.oauth_token
        tokens.set(userId, token)
        ctx.session!.userId = userId
        const me = await oauth.provider.get('me', { token })
        ctx.body = {
          token: { user_id: token.user_id, screen_name: token.screen_name },
          me: await me.json(),
        }
        return
      }
      case '/me-with-ctx': {
        const me = await oauth.provider.get('me', { request: ctx })
        ctx.status = me.status
        ctx.body = await me.json()
        return
      }
      case '/me': {
        // no token, no request: the middleware's context finds this ctx, fetchToken the token
        const me = await oauth.provider.get('me')
        ctx.status = me.status
        ctx.body = await me.json()
        return
      }
      default:
        ctx.status = 404
    }
  })
  const server = await listen(app)
  const h: Harness = {
    provider,
    server,
    app,
    oauth,
    tokens,
    exchanges,
    errors,
    agent: () => request.agent(server.server),
    secrets() {
      const out: string[] = []
      for (const { body } of exchanges) {
        const secret = new URLSearchParams(body).get('oauth_token_secret')
        if (secret) out.push(secret)
        try {
          const json = JSON.parse(body) as { oauth_token_secret?: unknown }
          if (typeof json.oauth_token_secret === 'string') out.push(json.oauth_token_secret)
        } catch {
          // form body
        }
      }
      return out
    },
  }
  harnesses.push(h)
  return h
}

/** Asserts no secret the provider handed out shows in a response's cookies or Location. */
function expectNoSecretLeak(h: Harness, res: request.Response): void {
  const secrets = h.secrets()
  expect(secrets.length).toBeGreaterThan(0)
  const location = res.headers.location ?? ''
  const readings = decodeSetCookies(res.headers['set-cookie']).flatMap((c) => c.readings)
  for (const secret of secrets) {
    expect(location).not.toContain(secret)
    expect(location).not.toContain(encodeURIComponent(secret))
    for (const reading of readings) expect(reading).not.toContain(secret)
  }
}

/** GET /login and return the provider's authorization URL. */
async function login(h: Harness, agent: ReturnType<typeof request.agent>, path = '/login') {
  const res = await agent.get(path)
  expect(res.status, String(h.errors.at(-1))).toBe(302)
  expect(res.headers['cache-control']).toBe('no-store')
  const location = new URL(res.headers.location as string)
  expect(location.href.startsWith(h.provider.authorizeUrl)).toBe(true)
  expect(location.searchParams.get('oauth_token')).toBeTruthy()
  // the callback travels signed in the request-token call, never on the authorize URL
  expect(location.searchParams.has('oauth_callback')).toBe(false)
  expectNoSecretLeak(h, res)
  return location
}

/** What the provider redirects the browser back to after autoApprove. */
async function approve(authorizeUrl: URL): Promise<URL> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' })
  expect(res.status).toBe(302)
  return new URL(res.headers.get('location')!)
}

const pathOf = (url: URL) => `${url.pathname}${url.search}`

function lastError(h: Harness): OAuthError {
  const err = h.errors.at(-1)
  expect(isOAuthError(err)).toBe(true)
  return err as OAuthError
}

/** Posts the provider's consent form back with a decision, as a browser would. */
async function consent(
  authorizeUrl: URL,
  decision: 'allow' | 'deny',
  userId?: string,
): Promise<URL> {
  const page = await fetch(authorizeUrl)
  expect(page.status).toBe(200)
  const html = await page.text()
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? authorizeUrl.pathname
  const form = new URLSearchParams()
  for (const [, name, value] of html.matchAll(
    /<input type="hidden" name="([^"]+)" value="([^"]*)"/g,
  )) {
    form.append(name!, value!.replace(/&amp;/g, '&').replace(/&quot;/g, '"'))
  }
  const user = /<input type="radio" name="user_id" value="([^"]*)"/.exec(html)?.[1]
  if (user !== undefined) form.set('user_id', userId ?? user)
  form.set('decision', decision)
  const cookie = page.headers.get('set-cookie')?.split(';', 1)[0]
  const res = await fetch(new URL(action.replace(/&amp;/g, '&'), authorizeUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie ? { cookie } : {}),
    },
    body: form,
  })
  expect(res.status).toBe(302)
  return new URL(res.headers.get('location')!)
}

describe('the login, end to end', () => {
  it('logs in, stores the token server-side, then calls the API with no token passed', async () => {
    const h = await setup()
    const agent = h.agent()
    const authorizeUrl = await login(h, agent)
    // the temporary credentials sit sealed in the session cookie
    const callback = await approve(authorizeUrl)
    expect(`${callback.origin}${callback.pathname}`).toBe(`${h.server.url}/authorize`)
    expect(callback.searchParams.get('oauth_token')).toBe(
      authorizeUrl.searchParams.get('oauth_token'),
    )

    const done = await agent.get(pathOf(callback))
    expect(done.status).toBe(200)
    expect(done.body.token.user_id).toBeTruthy()
    expect(done.body.me).toMatchObject({ id: done.body.token.user_id })
    expectNoSecretLeak(h, done)
    // the entry is gone from the session once used
    const json = sessionCookieJson(done.headers['set-cookie']) as Record<string, unknown>
    expect(json[SESSION_KEY]).toBeUndefined()
    expect(json.userId).toBe(done.body.token.user_id)

    // a later request: fetchToken(name, ctx) through the middleware's context
    const me = await agent.get('/me')
    expect(me.status).toBe(200)
    expect(me.body).toEqual(done.body.me)
    const apiCalls = h.provider.requests.filter((r) => r.endpoint === 'api')
    expect(apiCalls).toHaveLength(2)
    expect(apiCalls.every((r) => r.ok)).toBe(true)
    const token = h.tokens.get(done.body.token.user_id)!
    expect(apiCalls[1]!.oauthParams.oauth_token).toBe(token.oauth_token)
  })

  it('completes through the consent form, as a browser would', async () => {
    const h = await setup({ provider: { autoApprove: false } })
    const agent = h.agent()
    const callback = await consent(await login(h, agent), 'allow')
    const done = await agent.get(pathOf(callback))
    expect(done.status).toBe(200)
    expect(done.body.me.id).toBe(done.body.token.user_id)
  })

  it("keeps each user's token apart under concurrent requests (the middleware's context)", async () => {
    const h = await setup({ provider: { autoApprove: false } })
    const alice = h.agent()
    const bob = h.agent()
    const a = await alice.get(pathOf(await consent(await login(h, alice), 'allow', '1001')))
    const b = await bob.get(pathOf(await consent(await login(h, bob), 'allow', '1002')))
    expect([a.body.me.id, b.body.me.id]).toEqual(['1001', '1002'])
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? bob : alice).get('/me')),
    )
    answers.forEach((res, i) => {
      expect(res.status).toBe(200)
      expect(res.body.id).toBe(i % 2 ? '1002' : '1001')
    })
  })

  it('works with a server-side koa-session store too', async () => {
    const sessions = new Map<string, unknown>()
    const h = await setup({
      session: {
        store: {
          get: async (key: string) => sessions.get(key),
          set: async (key: string, value: unknown) => {
            sessions.set(key, value)
          },
          destroy: async (key: string) => {
            sessions.delete(key)
          },
        },
      },
    })
    const agent = h.agent()
    const callback = await approve(await login(h, agent))
    // entries are sealed in the server-side store as well
    const stored = JSON.stringify([...sessions.values()])
    expect(stored).toContain(`provider:${callback.searchParams.get('oauth_token')}`)
    for (const secret of h.secrets()) expect(stored).not.toContain(secret)
    expect((await agent.get(pathOf(callback))).status).toBe(200)
    expect((await agent.get('/me')).status).toBe(200)
  })

  it('passes extra authorization parameters to the provider page', async () => {
    const h = await setup()
    const url = await login(h, h.agent(), '/login-params')
    expect(url.searchParams.get('force_login')).toBe('true')
  })

  it('refuses a redirectUri that is not a string, naming it', async () => {
    const h = await setup()
    const res = await h.agent().get('/login-bad')
    expect(res.status).toBe(500)
    expect((h.errors.at(-1) as Error).message).toBe('redirectUri should be a non-empty string')
    expect(h.provider.requests).toHaveLength(0)
  })

  it('leaves routes that do not use the session alone (no cookie, no session parsing)', async () => {
    const h = await setup()
    const res = await h
      .agent()
      .get('/plain')
      .set('Cookie', 'koa.sess=garbage; koa.sess.sig=garbage')
    expect(res.status).toBe(200)
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('logs in without oauth.middleware() too (keys from app.keys), but API calls then need a token', async () => {
    const h = await setup({ noMiddleware: true })
    const agent = h.agent()
    const done = await agent.get(pathOf(await approve(await login(h, agent))))
    expect(done.status).toBe(200)
    const me = await agent.get('/me')
    expect(me.status).toBe(401)
    expect(lastError(h).code).toBe('missing_token')
  })

  it('with middleware({ context: false }), API calls need the ctx passed', async () => {
    const h = await setup({ middleware: { context: false } })
    const agent = h.agent()
    expect((await agent.get(pathOf(await approve(await login(h, agent))))).status).toBe(200)
    expect((await agent.get('/me')).status).toBe(401)
    expect(lastError(h).code).toBe('missing_token')
    const me = await agent.get('/me-with-ctx')
    expect(me.status).toBe(200)
    expect(me.body.id).toBeTruthy()
  })

  it('answers 401 missing_token for an API call before login', async () => {
    const h = await setup()
    const res = await h.agent().get('/me')
    expect(res.status).toBe(401)
    expect(lastError(h).code).toBe('missing_token')
  })

  it('signs a relative callback against the request origin', async () => {
    const h = await setup()
    await login(h, h.agent())
    const [first] = h.provider.requests.filter((r) => r.endpoint === 'requestToken')
    expect(first!.oauthParams.oauth_callback).toBe(`${h.server.url}/authorize`)
  })

  it('uses the registered redirectUri when given none', async () => {
    const h = await setup({ register: { redirectUri: 'http://127.0.0.1:1/registered?x=%2F' } })
    await login(h, h.agent(), '/login-default')
    const [first] = h.provider.requests.filter((r) => r.endpoint === 'requestToken')
    expect(first!.oauthParams.oauth_callback).toBe('http://127.0.0.1:1/registered?x=%2F')
  })

  it.each(REGISTERED_RELATIVE_CALLBACKS)(
    'resolves a relative redirectUri %s against the origin, and completes',
    async (_what, options) => {
      const h = await setup(options)
      const agent = h.agent()
      const callback = await approve(await login(h, agent, '/login-default'))
      const [first] = h.provider.requests.filter((r) => r.endpoint === 'requestToken')
      expect(first!.oauthParams.oauth_callback).toBe(`${h.server.url}/authorize`)
      expect(callback.href.startsWith(`${h.server.url}/authorize?`)).toBe(true)
      expect((await agent.get(pathOf(callback))).status).toBe(200)
    },
  )

  it('falls back to oob with no callback anywhere', async () => {
    const h = await setup({ provider: { clients: [{ id: CLIENT_ID, callbackUrls: ['oob'] }] } })
    await login(h, h.agent(), '/login-default')
    const [first] = h.provider.requests.filter((r) => r.endpoint === 'requestToken')
    expect(first!.oauthParams.oauth_callback).toBe('oob')
  })

  it('honours X-Forwarded-* only when app.proxy is set', async () => {
    const trusted = await setup({ proxy: true })
    await trusted
      .agent()
      .get('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'app.example')
      .expect(302)
    const [a] = trusted.provider.requests.filter((r) => r.endpoint === 'requestToken')
    expect(a!.oauthParams.oauth_callback).toBe('https://app.example/authorize')

    const untrusted = await setup()
    await untrusted
      .agent()
      .get('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'app.example')
      .expect(302)
    const [b] = untrusted.provider.requests.filter((r) => r.endpoint === 'requestToken')
    expect(b!.oauthParams.oauth_callback).toBe(`${untrusted.server.url}/authorize`)
  })

  it('answers 400, not 500, when the Host cannot make a callback URL', async () => {
    const h = await setup({ proxy: true })
    for (const [name, value] of [
      ['X-Forwarded-Host', 'evil.example/path'],
      ['X-Forwarded-Host', 'user@evil.example'],
      ['X-Forwarded-Proto', 'javascript'],
    ] as const) {
      const res = await h.agent().get('/login').set(name, value)
      expect(res.status).toBe(400)
    }
    expect(h.provider.requests).toHaveLength(0)
  })
})

describe('temporary credentials', () => {
  it('completes two logins pending in one session (two tabs)', async () => {
    const h = await setup()
    const agent = h.agent()
    const tab1 = await login(h, agent)
    const tab2 = await login(h, agent)
    expect(tab1.searchParams.get('oauth_token')).not.toBe(tab2.searchParams.get('oauth_token'))
    const cb1 = await approve(tab1)
    const cb2 = await approve(tab2)
    expect((await agent.get(pathOf(cb2))).status).toBe(200)
    expect((await agent.get(pathOf(cb1))).status).toBe(200)
  })

  it('two /logins started at the very same moment race on the cookie session: the last Set-Cookie wins', async () => {
    const h = await setup()
    const cookieOf = (res: request.Response) =>
      decodeSetCookies(res.headers['set-cookie'])
        .map((c) => `${c.name}=${c.value}`)
        .join('; ')
    // a session with one login pending already (tab 0)
    const first = await request(h.server.server).get('/login')
    const before = cookieOf(first)
    // tabs a and b start at once: both leave with the cookie the browser holds before either answers
    const [a, b] = await Promise.all(
      [0, 1].map(() => request(h.server.server).get('/login').set('Cookie', before)),
    )
    // the browser keeps the later Set-Cookie (b's): tab 0 and tab b complete, tab a fails
    const after = cookieOf(b!)
    const callback = async (res: request.Response) =>
      pathOf(await approve(new URL(res.headers.location as string)))
    const lost = await request(h.server.server)
      .get(await callback(a!))
      .set('Cookie', after)
    expect(lost.status).toBe(400)
    expect(lastError(h).code).toBe('missing_temporary_credential')
    const tab0 = await request(h.server.server)
      .get(await callback(first))
      .set('Cookie', after)
    expect(tab0.status).toBe(200)
    const tabB = await request(h.server.server)
      .get(await callback(b!))
      .set('Cookie', after)
    expect(tabB.status).toBe(200)
  })

  it('adds the size the README states to the cookie session per pending login', async () => {
    const h = await setup({ register: { redirectUri: 'https://app.example/authorize' } })
    const agent = h.agent()
    const sizes: number[] = []
    for (let i = 0; i < COOKIE_MAX_ENTRIES; i++) {
      const res = await agent.get('/login-default')
      const cookie = decodeSetCookies(res.headers['set-cookie']).find((c) => c.name === 'koa.sess')
      sizes.push(cookie!.value.length)
    }
    const perEntry = (sizes.at(-1)! - sizes[0]!) / (sizes.length - 1)
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const stated = [...readme.matchAll(/adds about (\d+) bytes/g)].map((m) => Number(m[1]))
    expect(stated.length).toBeGreaterThan(0)
    // measured with @oauth1/testing's 32-character tokens and a 29-character callback
    for (const bytes of stated)
      expect(Math.abs(bytes - perEntry), `${perEntry}`).toBeLessThanOrEqual(5)
  })

  it('reads the callback query as a query: a raw `?` in a value is data', async () => {
    const h = await setup()
    const agent = h.agent()
    const callback = await approve(await login(h, agent))
    // a raw `?` after oauth_token must not be read as the start of the query
    const done = await agent.get(`${pathOf(callback)}&next=/a?b=c`)
    expect(done.status).toBe(200)
  })

  it('keeps at most maxEntries pending logins, dropping the oldest (with an explicit secret)', async () => {
    const h = await setup({
      middleware: { maxEntries: 2, secret: 'a sealing secret that is long enough!' },
    })
    const agent = h.agent()
    const tabs = [await login(h, agent), await login(h, agent), await login(h, agent)]
    const callbacks = await Promise.all(tabs.map(approve))
    expect((await agent.get(pathOf(callbacks[0]!))).status).toBe(400)
    expect(lastError(h).code).toBe('missing_temporary_credential')
    expect((await agent.get(pathOf(callbacks[1]!))).status).toBe(200)
    expect((await agent.get(pathOf(callbacks[2]!))).status).toBe(200)
  })

  it('refuses a replayed callback', async () => {
    const h = await setup()
    const agent = h.agent()
    const callback = await approve(await login(h, agent))
    expect((await agent.get(pathOf(callback))).status).toBe(200)
    const accessCalls = h.provider.requests.filter((r) => r.endpoint === 'accessToken').length
    const replay = await agent.get(pathOf(callback))
    expect(replay.status).toBe(400)
    expect(replay.text).toContain('missing_temporary_credential')
    expect(lastError(h).code).toBe('missing_temporary_credential')
    // refused locally: the provider never saw the replay
    expect(h.provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(
      accessCalls,
    )
  })

  it("refuses a callback whose oauth_token belongs to another session, and both sessions' logins still complete", async () => {
    const h = await setup()
    const victim = h.agent()
    const attacker = h.agent()
    // the attacker's browser has a login of its own pending: a real session, not an empty one
    const attackersCallback = await approve(await login(h, attacker))
    const victimsCallback = await approve(await login(h, victim))
    const forged = await attacker.get(pathOf(victimsCallback))
    expect(forged.status).toBe(400)
    expect(forged.text).toContain('missing_temporary_credential')
    expect(lastError(h).code).toBe('missing_temporary_credential')
    const exchanges = () => h.provider.requests.filter((r) => r.endpoint === 'accessToken')
    expect(exchanges()).toHaveLength(0)
    // neither pending login is lost: each completes in its own browser
    expect((await victim.get(pathOf(victimsCallback))).status).toBe(200)
    expect((await attacker.get(pathOf(attackersCallback))).status).toBe(200)
    expect(exchanges().map((r) => r.oauthParams.oauth_token)).toEqual([
      victimsCallback.searchParams.get('oauth_token'),
      attackersCallback.searchParams.get('oauth_token'),
    ])
  })

  it('refuses an expired one', async () => {
    const h = await setup()
    const agent = h.agent()
    const callback = await approve(await login(h, agent))
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 10 * 60_000 + 1_000)
    const res = await agent.get(pathOf(callback))
    expect(res.status).toBe(400)
    expect(lastError(h).code).toBe('missing_temporary_credential')
    expect(h.provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(0)
  })

  it('honours a shorter temporaryCredentialTtl', async () => {
    const h = await setup({ register: { temporaryCredentialTtl: 60_000 } })
    const agent = h.agent()
    const callback = await approve(await login(h, agent))
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 61_000)
    expect((await agent.get(pathOf(callback))).status).toBe(400)
    expect(lastError(h).code).toBe('missing_temporary_credential')
  })

  for (const denial of ['denied', 'user_refused'] as const) {
    it(`answers 403 access_denied when the user refuses (${denial}=)`, async () => {
      const h = await setup({ provider: { autoApprove: false, quirks: { denial } } })
      const agent = h.agent()
      const callback = await consent(await login(h, agent), 'deny')
      expect(callback.searchParams.has(denial === 'denied' ? 'denied' : 'oauth_problem')).toBe(true)
      const res = await agent.get(pathOf(callback))
      expect(res.status).toBe(403)
      expect(res.text).toContain('access_denied')
      expect(lastError(h).code).toBe('access_denied')
      expect(h.provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(0)
      // the pending login is gone from the session
      const json = sessionCookieJson(res.headers['set-cookie']) as
        | Record<string, unknown>
        | undefined
      expect(json?.[SESSION_KEY]).toBeUndefined()
    })
  }
})

describe('provider failures reach Koa’s default error handler as 502/504', () => {
  const cases = [
    [
      '401 with oauth_problem',
      {
        status: 401,
        body: 'oauth_problem=token_rejected',
        contentType: 'application/x-www-form-urlencoded',
      },
      502,
      'fetch_token_denied',
    ],
    ['5xx', 'server_error', 502, 'fetch_token_denied'],
    ['unavailable', 'unavailable', 502, 'fetch_token_denied'],
    ['an HTML page', 'html', 502, 'invalid_token_response'],
    ['a token without secret', 'malformed', 502, 'invalid_token_response'],
    ['an empty body', 'empty', 502, 'invalid_token_response'],
    ['an oversized body', 'oversized', 502, 'invalid_token_response'],
  ] as const

  for (const [name, failure, status, code] of cases) {
    it(`access token endpoint answering ${name} → ${status} ${code}`, async () => {
      const h = await setup({ provider: { quirks: { failure: { accessToken: failure } } } })
      const agent = h.agent()
      const callback = await approve(await login(h, agent))
      const res = await agent.get(pathOf(callback))
      expect(res.status).toBe(status)
      // a 5xx is not exposed: Koa answers the bare status text, nothing of the provider's
      expect(res.text).toBe('Bad Gateway')
      const err = lastError(h)
      expect(err.code).toBe(code)
      expect(err.status).toBe(status)
      // nothing secret in what the app would log
      for (const secret of h.secrets()) expect(JSON.stringify(err)).not.toContain(secret)
      // the consumed credential leaves the cookie even though Koa drops headers on errors
      const json = sessionCookieJson(res.headers['set-cookie']) as Record<string, unknown>
      expect(json).toBeDefined()
      expect(json[SESSION_KEY]).toBeUndefined()
      // ...carried on err.headers, which loggers do not print
      expect(Object.keys(err)).not.toContain('headers')
      // single use, whatever the outcome
      expect((await agent.get(pathOf(callback))).status).toBe(400)
    })

    it(`request token endpoint answering ${name} → ${status} ${code}`, async () => {
      const h = await setup({ provider: { quirks: { failure: { requestToken: failure } } } })
      const res = await h.agent().get('/login')
      expect(res.status).toBe(status)
      expect(lastError(h).code).toBe(code)
      expect(res.headers.location).toBeUndefined()
    })
  }

  it('a provider that cannot be reached → 502 fetch_token_denied', async () => {
    const h = await setup({
      register: { requestTokenUrl: 'http://127.0.0.1:1/oauth/request_token' },
    })
    const res = await h.agent().get('/login')
    expect(res.status).toBe(502)
    expect(lastError(h).code).toBe('fetch_token_denied')
  })

  it('a provider too slow → 504 request_timeout', async () => {
    const h = await setup({
      provider: { quirks: { delay: { accessToken: 30_000 } } },
      register: { timeout: 1_500 },
    })
    const agent = h.agent()
    const callback = await approve(await login(h, agent))
    const res = await agent.get(pathOf(callback))
    expect(res.status).toBe(504)
    expect(res.text).toBe('Gateway Timeout')
    expect(lastError(h).code).toBe('request_timeout')
  })

  it('a request token without oauth_callback_confirmed → 502 callback_not_confirmed', async () => {
    const h = await setup({ provider: { quirks: { callbackConfirmed: 'omit' } } })
    const res = await h.agent().get('/login')
    expect(res.status).toBe(502)
    expect(lastError(h).code).toBe('callback_not_confirmed')
  })
})

describe('bad input never gives a 500', () => {
  const queries = [
    '',
    '?',
    '?oauth_verifier=v',
    '?oauth_token=',
    '?oauth_token=unknown&oauth_verifier=v',
    '?oauth_token=%E0%A4%A&oauth_verifier=%',
    '?oauth_token=a&oauth_token=b&oauth_verifier=v',
    '?oauth_token[]=a&oauth_verifier[x]=v',
    '?oauth_token=a%00b&oauth_verifier=%F0%9F%98%80',
    `?oauth_token=${'x'.repeat(6000)}&oauth_verifier=${'y'.repeat(6000)}`,
    '?denied=',
    '?oauth_problem=user_refused',
    `?${'a=1&'.repeat(1500)}`,
  ]
  it.each(queries)('GET /authorize%s', async (query) => {
    const h = await setup()
    const agent = h.agent()
    await login(h, agent)
    const res = await agent.get(`/authorize${query}`)
    expect(res.status).toBeGreaterThanOrEqual(400)
    expect(res.status).toBeLessThan(500)
    expect(isOAuthError(h.errors.at(-1))).toBe(true)
  })

  it("a stranger's garbage callback creates no session", async () => {
    const h = await setup()
    for (const query of ['', '?oauth_token=x&oauth_verifier=y', '?denied=x']) {
      const res = await request(h.server.server).get(`/authorize${query}`)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
      expect(res.headers['set-cookie']).toBeUndefined()
    }
  })

  it('a duplicated oauth_token naming a live credential is still refused', async () => {
    const h = await setup()
    const agent = h.agent()
    const callback = await approve(await login(h, agent))
    callback.searchParams.append('oauth_token', callback.searchParams.get('oauth_token')!)
    const res = await agent.get(pathOf(callback))
    expect(res.status).toBe(400)
    expect(h.provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(0)
  })

  it('a tampered session cookie reads as no pending login', async () => {
    const h = await setup()
    const agent = h.agent()
    const authorizeUrl = await login(h, agent)
    const callback = await approve(authorizeUrl)
    // the same callback with a forged, unsigned session cookie
    const forgedSession = Buffer.from(
      JSON.stringify({
        [SESSION_KEY]: { [`provider:${authorizeUrl.searchParams.get('oauth_token')}`]: 'garbage' },
      }),
    ).toString('base64')
    const res = await request(h.server.server)
      .get(pathOf(callback))
      .set('Cookie', `koa.sess=${forgedSession}`)
    expect(res.status).toBe(400)
  })
})

describe('on Koa 2 and koa-session 6 (the peer ranges’ lower majors)', () => {
  it('logs in, and later calls the API with no token passed', async () => {
    const h = await setup({ impl: koa2 })
    const agent = h.agent()
    const callback = await approve(await login(h, agent))
    const done = await agent.get(pathOf(callback))
    expect(done.status).toBe(200)
    expectNoSecretLeak(h, done)
    const me = await agent.get('/me')
    expect(me.status).toBe(200)
    expect(me.body).toEqual(done.body.me)
    expect((await agent.get(pathOf(callback))).status).toBe(400)
  })

  it('resolves a relative callback against protocol://host (Koa 2’s ctx.origin too)', async () => {
    const h = await setup({ impl: koa2, proxy: true })
    await h
      .agent()
      .get('/login')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'app.example')
    const [first] = h.provider.requests.filter((r) => r.endpoint === 'requestToken')
    expect(first!.oauthParams.oauth_callback).toBe('https://app.example/authorize')
  })

  it('a failed callback still clears the entry from the cookie, through Koa 2’s default handler', async () => {
    const h = await setup({
      impl: koa2,
      provider: { quirks: { failure: { accessToken: 'server_error' } } },
    })
    const agent = h.agent()
    const callback = await approve(await login(h, agent))
    const res = await agent.get(pathOf(callback))
    expect(res.status).toBe(502)
    expect(lastError(h).code).toBe('fetch_token_denied')
    const json = sessionCookieJson(res.headers['set-cookie']) as Record<string, unknown>
    expect(json).toBeDefined()
    expect(json[SESSION_KEY]).toBeUndefined()
    expect((await agent.get(pathOf(callback))).status).toBe(400)
  })

  it('answers 403 access_denied and 401 missing_token as Koa 2 statuses', async () => {
    const h = await setup({
      impl: koa2,
      provider: { autoApprove: false, quirks: { denial: 'denied' } },
    })
    const agent = h.agent()
    expect((await agent.get('/me')).status).toBe(401)
    const res = await agent.get(pathOf(await consent(await login(h, agent), 'deny')))
    expect(res.status).toBe(403)
    expect(res.text).toContain('access_denied')
  })

  it('keeps the cookie under 4 KB with koa-session 6 too', async () => {
    const h = await setup({ impl: koa2 })
    const agent = h.agent()
    let size = 0
    for (let i = 0; i < 8; i++) {
      const res = await agent.get('/login')
      const cookie = decodeSetCookies(res.headers['set-cookie']).find((c) => c.name === 'koa.sess')
      if (cookie) size = Math.max(size, cookie.value.length)
    }
    expect(size).toBeGreaterThan(0)
    expect(size).toBeLessThan(3200)
  })

  it('fails the first request with the missing-session message', async () => {
    const app = new koa2.Koa()
    app.keys = KEYS
    app.silent = true
    const errors: Error[] = []
    app.on('error', (err: Error) => errors.push(err))
    app.use(new OAuth().middleware())
    const server = await listen(app)
    try {
      expect((await request(server.server).get('/')).status).toBe(500)
      expect(errors.map((e) => e.message)).toEqual([MISSING_SESSION_MESSAGE])
    } finally {
      await server.close()
    }
  })
})

describe('options.store: pending logins in a server-side store, the binding id in the session', () => {
  /** The provider's redirect back for an authorization URL (autoApprove): the callback path. */
  async function approve(location: string): Promise<string> {
    const res = await fetch(location, { redirect: 'manual' })
    expect(res.status).toBe(302)
    const back = new URL(res.headers.get('location')!)
    return back.pathname + back.search
  }

  it('keeps only the binding id in the koa-session cookie, the login in the store', async () => {
    const server = createMemoryServerStore()
    const h = await setup({ middleware: { store: server } })
    const browser = createTestBrowser(h.server.url)
    const res = await browser.fetch('/login')
    expect(res.status).toBe(302)
    const token = new URL(res.headers.get('location')!).searchParams.get('oauth_token')!
    const saved = sessionCookieJson(res.headers.getSetCookie()) as Record<string, unknown>
    expect(isBindingId(saved[SESSION_KEY])).toBe(true)
    expect(JSON.stringify(saved)).not.toContain(token)
    const id = saved[SESSION_KEY] as string
    expect(await server.forBinding(id).get(`provider:${token}`)).toMatchObject({
      oauth_token: token,
    })
    const again = await browser.fetch('/login')
    expect(again.headers.getSetCookie()).toEqual([]) // the cookie is not rewritten by a login
    const done = await browser.fetch(await approve(res.headers.get('location')!))
    expect(done.status).toBe(200)
    expect(await server.forBinding(id).get(`provider:${token}`)).toBeNull()
  })

  it('completes 8 logins one browser starts at the same moment', async () => {
    const h = await setup({ middleware: { store: createMemoryServerStore() } })
    const browser = createTestBrowser(h.server.url)
    expect((await browser.fetch('/login')).status).toBe(302) // the browser has its session
    const started = await Promise.all(Array.from({ length: 8 }, () => browser.fetch('/login')))
    const callbacks = await Promise.all(started.map((r) => approve(r.headers.get('location')!)))
    const done = await Promise.all(callbacks.map((cb) => browser.fetch(cb)))
    expect(done.map((r) => r.status)).toEqual(Array(8).fill(200))
  })

  it('answers the same callback sent 10 times at once exactly once', async () => {
    const h = await setup({ middleware: { store: createMemoryServerStore() } })
    const browser = createTestBrowser(h.server.url)
    const callback = await approve((await browser.fetch('/login')).headers.get('location')!)
    const exchanges = () => h.provider.requests.filter((r) => r.endpoint === 'accessToken').length
    const before = exchanges()
    const answers = await Promise.all(Array.from({ length: 10 }, () => browser.fetch(callback)))
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(400)])
    expect(exchanges() - before).toBe(1)
  })

  it('answers 503, not 500, when the store is down; the login completes once it is back', async () => {
    const redis = createSwitchableStore(createMemoryServerStore())
    const h = await setup({ middleware: { store: redis.store } })
    const browser = createTestBrowser(h.server.url)
    const callback = await approve((await browser.fetch('/login')).headers.get('location')!)
    redis.down = true
    expect((await browser.fetch('/login')).status).toBe(503)
    expect((await browser.fetch(callback)).status).toBe(503)
    redis.down = false
    expect((await browser.fetch(callback)).status).toBe(200)
  })
})
