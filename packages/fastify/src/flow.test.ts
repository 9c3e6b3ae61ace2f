import { readFileSync } from 'node:fs'
import { createSwitchableStore, REGISTERED_RELATIVE_CALLBACKS, tamper } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  CookieJar,
  cookieRevelations,
  createApp,
  get,
  pathOf,
  visitProvider,
} from './http.test-helper.js'
import {
  createMemoryServerStore,
  DEFAULT_MAX_ENTRIES,
  type FastifyMiddlewareOptions,
  isBindingId,
  OAuth,
  type Token,
} from './index.js'

declare module '@fastify/secure-session' {
  interface SessionData {
    /** What the test app keeps after a login (the app's choice, not the adapter's). */
    user: { id: string; token: Token }
  }
}

const CLIENT = { id: 'fastify-client', secret: 'fastify-client-secret' }

type Provider = Awaited<ReturnType<typeof createTestProvider>>
type ProviderOptions = NonNullable<Parameters<typeof createTestProvider>[0]>

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

interface Setup {
  provider: Provider
  app: FastifyInstance
  oauth: OAuth
  /** For each request to /login-awaited: what `await authorizeRedirect(…)` gave, and whether the reply was sent by then. */
  awaited: { returned: unknown; isReply: boolean; sent: boolean }[]
}

async function setup(
  options: {
    provider?: ProviderOptions
    register?: Record<string, unknown>
    /** The registry's config (default none). */
    config?: Record<string, string>
    middleware?: FastifyMiddlewareOptions
    trustProxy?: boolean
    /** Register secure-session under this name, and tell the middleware. */
    sessionName?: string
  } = {},
): Promise<Setup> {
  const sessionName = options.sessionName ?? 'session'
  const sessionOf = (request: FastifyRequest) =>
    (request as unknown as Record<string, FastifyRequest['session']>)[sessionName]!
  const provider = await createTestProvider({
    autoApprove: true,
    clients: [{ ...CLIENT, callbackUrls: [/^https?:\/\/[^/]+\/authorize(\?.*)?$/, 'oob'] }],
    ...options.provider,
  })
  cleanups.push(() => provider.close())
  const oauth = new OAuth({
    config: options.config ?? {},
    fetchToken: (_name, request) => sessionOf(request).get('user')?.token,
  })
  oauth.register('provider', {
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    requestTokenUrl: provider.requestTokenUrl,
    accessTokenUrl: provider.accessTokenUrl,
    authorizeUrl: provider.authorizeUrl,
    apiBaseUrl: provider.apiBaseUrl,
    ...options.register,
  })
  const app = await createApp({
    oauth,
    ...(options.sessionName === undefined
      ? {}
      : { sessionName, middleware: { sessionName, ...options.middleware } }),
    ...(options.middleware === undefined || options.sessionName !== undefined
      ? {}
      : { middleware: options.middleware }),
    fastify: { trustProxy: options.trustProxy ?? false },
  })
  cleanups.push(() => app.close())
  app.get('/login', (request, reply) =>
    oauth.provider.authorizeRedirect(request, reply, '/authorize'),
  )
  app.get('/login-default', (request, reply) => oauth.provider.authorizeRedirect(request, reply))
  app.get('/deep/login', (request, reply) =>
    oauth.provider.authorizeRedirect(request, reply, 'authorize'),
  )
  const awaited: Setup['awaited'] = []
  app.get('/login-awaited', async (request, reply) => {
    const returned: unknown = await oauth.provider.authorizeRedirect(request, reply, '/authorize')
    awaited.push({ returned, isReply: returned === reply, sent: reply.sent })
    return returned
  })
  app.get('/login-absolute', (request, reply) =>
    oauth.provider.authorizeRedirect(request, reply, 'https://app.example/authorize?next=%2Fhome', {
      force_login: 'true',
    }),
  )
  app.get('/authorize', async (request) => {
    const token: Token = await oauth.provider.authorizeAccessToken(request)
    sessionOf(request).set('user', { id: token.user_id ?? '', token })
    const me = await oauth.provider.get('me', { token })
    return { status: me.status, me: await me.json(), token: { ...token, oauth_token_secret: '…' } }
  })
  app.get('/me', async () => {
    // no token, no request: the registry finds them through the middleware's context
    const me = await oauth.provider.get('me')
    return { status: me.status, me: await me.json() }
  })
  await app.ready()
  return { provider, app, oauth, awaited }
}

/** /login, then the provider, then back: the callback URL the browser lands on. */
async function startLogin(app: FastifyInstance, jar: CookieJar, login = '/login') {
  const response = await get(app, jar, login)
  expect(response.statusCode).toBe(302)
  return new URL(response.headers.location as string)
}

function oauthError(response: { statusCode: number; json(): unknown }) {
  return { status: response.statusCode, body: response.json() as Record<string, unknown> }
}

describe('the full login against @oauth1/testing', () => {
  it('redirects to the provider, exchanges the verifier, and calls the API with and without a token', async () => {
    const { app, provider } = await setup()
    const jar = new CookieJar()

    const login = await get(app, jar, '/login')
    expect(login.statusCode).toBe(302)
    expect(login.headers['cache-control']).toBe('no-store')
    const location = new URL(login.headers.location as string)
    expect(`${location.origin}${location.pathname}`).toBe(provider.authorizeUrl)
    expect([...location.searchParams.keys()]).toEqual(['oauth_token'])

    const temporary = provider.requests.find((r) => r.endpoint === 'requestToken')
    expect(temporary?.ok).toBe(true)
    expect(temporary?.oauthParams.oauth_callback).toBe('http://localhost/authorize')

    const callback = await visitProvider(location.href)
    expect(callback.searchParams.get('oauth_token')).toBe(location.searchParams.get('oauth_token'))
    expect(callback.searchParams.get('oauth_verifier')).toBeTruthy()

    const pendingBefore = app.decodeSecureSession(jar.cookies.get('session')!)?.get('oauth1')
    expect(Object.keys(pendingBefore ?? {})).toHaveLength(1)
    const done = await get(app, jar, pathOf(callback))
    expect(done.statusCode).toBe(200)
    // single use: the pending login is gone from the session once exchanged
    expect(app.decodeSecureSession(jar.cookies.get('session')!)?.get('oauth1')).toBeUndefined()
    const body = done.json() as { status: number; me: Record<string, unknown>; token: Token }
    expect(body.status).toBe(200)
    expect(body.token.oauth_token).toMatch(/\S/)
    expect(body.token.user_id).toBe(body.me.id)
    expect(body.token.screen_name).toBeTruthy()

    // a LATER request: no token passed; fetchToken reads the session via the context
    const later = await get(app, jar, '/me')
    expect(later.statusCode).toBe(200)
    expect(later.json()).toEqual({ status: 200, me: body.me })
    const apiCalls = provider.requests.filter((r) => r.endpoint === 'api')
    expect(apiCalls).toHaveLength(2)
    expect(
      apiCalls.every((r) => r.ok && r.oauthParams.oauth_token === body.token.oauth_token),
    ).toBe(true)
  })

  // authorizeRedirect resolves to undefined (its declared Promise<void>), never the reply: Fastify's
  // reply is a thenable (`reply.then`), which a promise adopts. What an async handler can count
  // on: once it resolves, the 302 has been sent.
  it('resolves authorizeRedirect once the 302 is sent, so an async handler can await and return it', async () => {
    const { app, provider, awaited } = await setup()
    const jar = new CookieJar()
    const login = await get(app, jar, '/login-awaited')
    expect(awaited).toEqual([{ returned: undefined, isReply: false, sent: true }])
    expect(login.statusCode).toBe(302)
    expect(login.headers['cache-control']).toBe('no-store')
    const location = new URL(login.headers.location as string)
    expect(`${location.origin}${location.pathname}`).toBe(provider.authorizeUrl)
    const callback = await visitProvider(location.href)
    expect((await get(app, jar, pathOf(callback))).statusCode).toBe(200)
  })

  it('works over a named session (sessionName)', async () => {
    const { app } = await setup({ sessionName: 'auth' })
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href)
    expect([...jar.cookies.keys()]).toEqual(['auth'])
    expect((await get(app, jar, pathOf(callback))).statusCode).toBe(200)
    const later = await get(app, jar, '/me')
    expect(later.json()).toMatchObject({ status: 200, me: { id: expect.any(String) } })
  })

  it('completes through the consent page too (no autoApprove)', async () => {
    const { app } = await setup({ provider: { autoApprove: false } })
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href, 'allow')
    const done = await get(app, jar, pathOf(callback))
    expect(done.statusCode).toBe(200)
  })

  it('gives each concurrent request its own user’s token', async () => {
    const { app, provider } = await setup({ provider: { autoApprove: false } })
    const users = provider.users.slice(0, 2)
    expect(users).toHaveLength(2)
    const jars = users.map(() => new CookieJar())
    for (const [i, user] of users.entries()) {
      const callback = await visitProvider((await startLogin(app, jars[i]!)).href, 'allow', user.id)
      expect((await get(app, jars[i]!, pathOf(callback))).statusCode).toBe(200)
    }
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, n) => get(app, jars[n % 2]!, '/me')),
    )
    answers.forEach((answer, n) => {
      expect(answer.json()).toMatchObject({ status: 200, me: { id: users[n % 2]!.id } })
    })
  })

  it('answers 401 missing_token when the API is called by a user who never logged in', async () => {
    const { app } = await setup()
    const response = await get(app, new CookieJar(), '/me')
    expect(oauthError(response)).toMatchObject({
      status: 401,
      body: { statusCode: 401, code: 'missing_token' },
    })
  })

  it('completes two logins pending in one session (two tabs), in any order', async () => {
    const { app } = await setup()
    const jar = new CookieJar()
    const first = await startLogin(app, jar)
    const second = await startLogin(app, jar)
    expect(first.searchParams.get('oauth_token')).not.toBe(second.searchParams.get('oauth_token'))
    const secondBack = await visitProvider(second.href)
    const firstBack = await visitProvider(first.href)
    expect((await get(app, jar, pathOf(secondBack))).statusCode).toBe(200)
    expect((await get(app, jar, pathOf(firstBack))).statusCode).toBe(200)
  })

  it('adds the sizes the README states to the session cookie per pending login', async () => {
    const perEntry: number[] = []
    for (const secret of [undefined, 'a-secret-of-at-least-32-characters!!']) {
      const { app } = await setup({
        register: { redirectUri: 'https://app.example/authorize' },
        ...(secret === undefined ? {} : { middleware: { secret } }),
      })
      const jar = new CookieJar()
      const sizes: number[] = []
      for (let i = 0; i < DEFAULT_MAX_ENTRIES; i++) {
        expect((await get(app, jar, '/login-default')).statusCode).toBe(302)
        // before URL-encoding, which adds a few percent at random (`+` and `/` of base64)
        sizes.push(decodeURIComponent(jar.seen.at(-1)!.split(';')[0]!).length)
      }
      perEntry.push((sizes.at(-1)! - sizes[0]!) / (sizes.length - 1))
    }
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const stated = /Each adds about (\d+) bytes to the cookie \((\d+) sealed\)/.exec(readme)
    // measured with @oauth1/testing's 32-character tokens and a 29-character callback
    expect(stated?.slice(1).map(Number)).toEqual(perEntry.map((bytes) => 5 * Math.round(bytes / 5)))
  })

  for (const secret of [undefined, 'a-secret-of-at-least-32-characters!!']) {
    it(`keeps the cookie under 4 KB however many logins are started${secret ? ' (sealed)' : ''}`, async () => {
      const { app } = await setup(secret === undefined ? {} : { middleware: { secret } })
      const jar = new CookieJar()
      const pending: URL[] = []
      for (let i = 0; i < 12; i++) pending.push(await startLogin(app, jar))
      const cookie = jar.seen.at(-1)!.split(';')[0]!
      expect(cookie.length).toBeLessThan(4096 - 1024) // room for the app's own data
      // the oldest were evicted (default maxEntries 5); the newest still complete
      const newest = await visitProvider(pending.at(-1)!.href)
      expect((await get(app, jar, pathOf(newest))).statusCode).toBe(200)
      const evicted = await visitProvider(pending[0]!.href)
      expect(oauthError(await get(app, jar, pathOf(evicted)))).toMatchObject({
        status: 400,
        body: { code: 'missing_temporary_credential' },
      })
    })
  }

  it('refuses a replayed callback, without asking the provider', async () => {
    const { app, provider } = await setup()
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href)
    expect((await get(app, jar, pathOf(callback))).statusCode).toBe(200)
    const exchanges = provider.requests.filter((r) => r.endpoint === 'accessToken').length
    const replay = await get(app, jar, pathOf(callback))
    expect(oauthError(replay)).toMatchObject({
      status: 400,
      body: { statusCode: 400, code: 'missing_temporary_credential' },
    })
    expect(provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(exchanges)
  })

  it("refuses a callback carrying another session's oauth_token (session fixation), and both logins still complete", async () => {
    const { app, provider } = await setup()
    const victim = new CookieJar()
    const attacker = new CookieJar()
    // the victim has a login of its own pending: its session is real, not empty
    const victimsCallback = await visitProvider((await startLogin(app, victim)).href)
    // the attacker starts a login and gets the victim to land on its callback
    const attackersCallback = await visitProvider((await startLogin(app, attacker)).href)
    const response = await get(app, victim, pathOf(attackersCallback))
    expect(oauthError(response)).toMatchObject({
      status: 400,
      body: { code: 'missing_temporary_credential' },
    })
    const exchanges = () => provider.requests.filter((r) => r.endpoint === 'accessToken')
    expect(exchanges()).toHaveLength(0)
    // neither pending login is lost: each completes in its own browser
    expect((await get(app, attacker, pathOf(attackersCallback))).statusCode).toBe(200)
    expect((await get(app, victim, pathOf(victimsCallback))).statusCode).toBe(200)
    expect(exchanges().map((r) => r.oauthParams.oauth_token)).toEqual([
      attackersCallback.searchParams.get('oauth_token'),
      victimsCallback.searchParams.get('oauth_token'),
    ])
  })

  it('refuses an expired temporary credential (default 10 minutes)', async () => {
    const { app, provider } = await setup()
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href)
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10 * 60_000 + 1_000 })
    const response = await get(app, jar, pathOf(callback))
    expect(oauthError(response)).toMatchObject({
      status: 400,
      body: { code: 'missing_temporary_credential' },
    })
    expect(provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(0)
  })

  it('honours a short temporaryCredentialTtl', async () => {
    const { app } = await setup({ register: { temporaryCredentialTtl: 1_000 } })
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href)
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 1_500 })
    const response = await get(app, jar, pathOf(callback))
    expect(oauthError(response)).toMatchObject({
      status: 400,
      body: { code: 'missing_temporary_credential' },
    })
  })

  for (const denial of ['denied', 'user_refused'] as const) {
    it(`answers 403 access_denied when the user refuses (${denial} quirk)`, async () => {
      const { app, provider } = await setup({
        provider: { autoApprove: false, quirks: { denial } },
      })
      const jar = new CookieJar()
      const callback = await visitProvider((await startLogin(app, jar)).href, 'deny')
      expect(callback.searchParams.has(denial === 'denied' ? 'denied' : 'oauth_problem')).toBe(true)
      const response = await get(app, jar, pathOf(callback))
      expect(oauthError(response)).toMatchObject({
        status: 403,
        body: { statusCode: 403, code: 'access_denied' },
      })
      expect(provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(0)
      // the refused credential is gone: the same callback cannot be used to try again
      const again = await get(app, jar, pathOf(callback))
      expect(again.statusCode).toBeGreaterThanOrEqual(400)
      expect(again.statusCode).toBeLessThan(500)
    })
  }
})

describe('provider failures reach Fastify’s default error handler as 502/504', () => {
  const cases: [string, NonNullable<ProviderOptions['quirks']>, string, number][] = [
    [
      'a 401 with oauth_problem',
      {
        failure: {
          accessToken: {
            status: 401,
            body: 'oauth_problem=token_rejected',
            contentType: 'application/x-www-form-urlencoded',
          },
        },
      },
      'fetch_token_denied',
      502,
    ],
    ['a 500', { failure: { accessToken: 'server_error' } }, 'fetch_token_denied', 502],
    ['a 503', { failure: { accessToken: 'unavailable' } }, 'fetch_token_denied', 502],
    ['an HTML page', { failure: { accessToken: 'html' } }, 'invalid_token_response', 502],
    [
      'a token without its secret',
      { failure: { accessToken: 'malformed' } },
      'invalid_token_response',
      502,
    ],
    ['an empty body', { failure: { accessToken: 'empty' } }, 'invalid_token_response', 502],
    ['an oversized body', { failure: { accessToken: 'oversized' } }, 'invalid_token_response', 502],
  ]
  for (const [what, quirks, code, status] of cases) {
    it(`token endpoint answering ${what} → ${code} ${status}`, async () => {
      const { app } = await setup({ provider: { quirks } })
      const jar = new CookieJar()
      const callback = await visitProvider((await startLogin(app, jar)).href)
      const response = await get(app, jar, pathOf(callback))
      expect(oauthError(response)).toMatchObject({ status, body: { statusCode: status, code } })
      if (what === 'a 401 with oauth_problem') {
        expect(response.json()).toMatchObject({
          message: expect.stringContaining('token_rejected'),
        })
      }
      // single use whatever the outcome
      const again = await get(app, jar, pathOf(callback))
      expect(oauthError(again)).toMatchObject({
        status: 400,
        body: { code: 'missing_temporary_credential' },
      })
    })
  }

  it('a provider too slow to answer the token request → request_timeout 504', async () => {
    const { app } = await setup({
      provider: { quirks: { delay: { accessToken: 3_000 } } },
      register: { timeout: 200 },
    })
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href)
    const response = await get(app, jar, pathOf(callback))
    expect(oauthError(response)).toMatchObject({
      status: 504,
      body: { statusCode: 504, code: 'request_timeout' },
    })
  })

  it('a real 401 from the provider (a wrong client secret) → 502 with its oauth_problem', async () => {
    const { app, provider } = await setup({ register: { clientSecret: 'not-the-secret' } })
    const response = await get(app, new CookieJar(), '/login')
    expect(oauthError(response)).toMatchObject({
      status: 502,
      body: { statusCode: 502, code: 'fetch_token_denied' },
    })
    expect(response.json()).toMatchObject({ message: expect.stringContaining('signature_invalid') })
    expect(JSON.stringify(response.json())).not.toContain('not-the-secret')
    expect(provider.requests[0]).toMatchObject({ status: 401, problem: 'signature_invalid' })
  })

  it('a temporary-credential endpoint failing → 502 on /login, with no redirect', async () => {
    const { app } = await setup({
      provider: { quirks: { failure: { requestToken: 'server_error' } } },
    })
    const response = await get(app, new CookieJar(), '/login')
    expect(oauthError(response)).toMatchObject({
      status: 502,
      body: { code: 'fetch_token_denied' },
    })
    expect(response.headers.location).toBeUndefined()
  })

  it('a missing oauth_callback_confirmed → 502 callback_not_confirmed', async () => {
    const { app } = await setup({ provider: { quirks: { callbackConfirmed: 'omit' } } })
    const response = await get(app, new CookieJar(), '/login')
    expect(oauthError(response)).toMatchObject({
      status: 502,
      body: { code: 'callback_not_confirmed' },
    })
  })

  it('a legacy provider without oauth_callback_confirmed works when opted in', async () => {
    const { app } = await setup({
      provider: { quirks: { callbackConfirmed: 'omit' } },
      register: { requireCallbackConfirmed: false },
    })
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href)
    expect((await get(app, jar, pathOf(callback))).statusCode).toBe(200)
  })
})

describe('bad callbacks never give a 500', () => {
  const queries: [string, string, number][] = [
    ['no query at all', '', 400],
    ['a malformed query', '?%zz=%%%&&=&oauth_token', 400],
    ['a forged oauth_token', '?oauth_token=forged&oauth_verifier=v', 400],
    ['an empty oauth_token', '?oauth_token=&oauth_verifier=v', 400],
    ['a huge oauth_token', `?oauth_token=${'a'.repeat(6_000)}&oauth_verifier=v`, 400],
    ['a 100 KB oauth_verifier', `?oauth_token=t&oauth_verifier=${'%41'.repeat(35_000)}`, 400],
    ['a query of many parameters', `?${'x=1&'.repeat(1_000)}oauth_token=t`, 400],
    ['unicode and nul bytes', '?oauth_token=%00%F0%9F%98%80&oauth_verifier=%C0%AF', 400],
  ]
  for (const [what, query, status] of queries) {
    it(`${what} → ${status}`, async () => {
      const { app } = await setup()
      const response = await get(app, new CookieJar(), `/authorize${query}`)
      expect(response.statusCode).toBe(status)
      expect((response.json() as { code: string }).code).toMatch(/^missing_/)
    })
  }

  it('a duplicated oauth_token, even naming a live credential, is refused', async () => {
    const { app, provider } = await setup()
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href)
    const token = callback.searchParams.get('oauth_token')!
    const response = await get(app, jar, `${pathOf(callback)}&oauth_token=${token}x`)
    expect(response.statusCode).toBe(400)
    expect(provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(0)
  })

  it('a live oauth_token without a verifier → 400 missing_verifier', async () => {
    const { app } = await setup()
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href)
    const response = await get(
      app,
      jar,
      `/authorize?oauth_token=${encodeURIComponent(callback.searchParams.get('oauth_token')!)}`,
    )
    expect(oauthError(response)).toMatchObject({ status: 400, body: { code: 'missing_verifier' } })
  })

  it('a tampered session cookie reads as an empty session', async () => {
    const { app } = await setup()
    const jar = new CookieJar()
    const callback = await visitProvider((await startLogin(app, jar)).href)
    const [name, value] = [...jar.cookies][0]!
    jar.cookies.set(name, tamper(value))
    const response = await get(app, jar, pathOf(callback))
    expect(oauthError(response)).toMatchObject({
      status: 400,
      body: { code: 'missing_temporary_credential' },
    })
  })
})

describe('no secret leaks to the browser', () => {
  async function loginAndCollect(setupResult: Setup) {
    const { app } = setupResult
    const jar = new CookieJar()
    const login = await get(app, jar, '/login')
    const locations = [login.headers.location as string]
    // the temporary secret, read back from inside the encrypted session
    const session = app.decodeSecureSession(jar.cookies.get('session')!)
    const callback = await visitProvider(locations[0]!)
    const done = await get(app, jar, pathOf(callback))
    expect(done.statusCode).toBe(200)
    const user = app.decodeSecureSession(jar.cookies.get('session')!)?.get('user')
    return { jar, locations, session, tokenSecret: user!.token.oauth_token_secret }
  }

  it('keeps the token secrets out of redirect URLs and out of every cookie in plaintext', async () => {
    const s = await setup()
    const { jar, locations, session, tokenSecret } = await loginAndCollect(s)
    const record = session?.get('oauth1')
    expect(record).toBeDefined()
    const entries = Object.values(record!) as { oauth_token_secret: string }[]
    expect(entries).toHaveLength(1)
    const temporarySecret = entries[0]!.oauth_token_secret
    expect(temporarySecret).toMatch(/\S{8,}/)
    expect(tokenSecret).toMatch(/\S{8,}/)

    for (const location of locations) {
      expect(location).not.toContain(temporarySecret)
      expect(location).not.toContain(encodeURIComponent(temporarySecret))
      expect(location).not.toContain(CLIENT.secret)
    }
    expect(jar.seen.length).toBeGreaterThanOrEqual(2)
    for (const setCookie of jar.seen) {
      for (const view of cookieRevelations(setCookie)) {
        expect(view).not.toContain(temporarySecret)
        expect(view).not.toContain(tokenSecret)
        expect(view).not.toContain(CLIENT.secret)
      }
    }
  })

  it('with a secret, seals each pending credential inside the session as well', async () => {
    const s = await setup({ middleware: { secret: 'a-secret-of-at-least-32-characters!!' } })
    const jar = new CookieJar()
    await get(s.app, jar, '/login')
    const session = s.app.decodeSecureSession(jar.cookies.get('session')!)
    const entries = Object.values(session!.get('oauth1')!)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/))
    const temporary = s.provider.requests.find((r) => r.endpoint === 'requestToken')
    expect(temporary?.ok).toBe(true)
    // the sealed login still completes
    const callback = await visitProvider(
      (await get(s.app, jar, '/login')).headers.location as string,
    )
    expect((await get(s.app, jar, pathOf(callback))).statusCode).toBe(200)
  })
})

describe('the callback URL', () => {
  it('resolves a relative redirectUri against X-Forwarded-* when trustProxy is on', async () => {
    const { app, provider } = await setup({ trustProxy: true })
    const response = await get(app, new CookieJar(), '/login', {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example',
    })
    expect(response.statusCode).toBe(302)
    const temporary = provider.requests.find((r) => r.endpoint === 'requestToken')
    expect(temporary?.oauthParams.oauth_callback).toBe('https://app.example/authorize')
  })

  it('ignores X-Forwarded-* when trustProxy is off, and keeps a non-default port', async () => {
    const { app, provider } = await setup()
    await get(app, new CookieJar(), '/login', {
      host: 'localhost:3000',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
    })
    const temporary = provider.requests.find((r) => r.endpoint === 'requestToken')
    expect(temporary?.oauthParams.oauth_callback).toBe('http://localhost:3000/authorize')
  })

  it('answers 400 when the Host header cannot make a URL', async () => {
    const { app, provider } = await setup()
    const response = await get(app, new CookieJar(), '/login', { host: 'bad host/x' })
    expect(response.statusCode).toBe(400)
    expect(provider.requests).toHaveLength(0)
  })

  it.each(REGISTERED_RELATIVE_CALLBACKS)(
    'resolves a relative redirectUri %s against the origin, and completes',
    async (_what, options) => {
      const { app, provider } = await setup(options)
      const jar = new CookieJar()
      const callback = await startLogin(app, jar, '/login-default')
      const temporary = provider.requests.find((r) => r.endpoint === 'requestToken')
      expect(temporary?.oauthParams.oauth_callback).toBe('http://localhost/authorize')
      const back = await visitProvider(callback.href)
      expect(back.pathname).toBe('/authorize')
      expect((await get(app, jar, pathOf(back))).statusCode).toBe(200)
    },
  )

  it('resolves "authorize" (no leading slash) against the origin, not the current path', async () => {
    const { app, provider } = await setup()
    expect((await get(app, new CookieJar(), '/deep/login')).statusCode).toBe(302)
    const temporary = provider.requests.find((r) => r.endpoint === 'requestToken')
    expect(temporary?.oauthParams.oauth_callback).toBe('http://localhost/authorize')
  })

  it('uses the registered redirectUri when none is given', async () => {
    const { app, provider } = await setup({
      register: { redirectUri: 'http://127.0.0.1:8080/authorize?from=registered' },
    })
    const response = await get(app, new CookieJar(), '/login-default')
    expect(response.statusCode).toBe(302)
    const temporary = provider.requests.find((r) => r.endpoint === 'requestToken')
    expect(temporary?.oauthParams.oauth_callback).toBe(
      'http://127.0.0.1:8080/authorize?from=registered',
    )
  })

  it('keeps an absolute redirectUri as given, whatever the Host', async () => {
    const { app, provider } = await setup()
    const response = await get(app, new CookieJar(), '/login-absolute', { host: 'other.example' })
    const location = new URL(response.headers.location as string)
    expect(location.searchParams.get('force_login')).toBe('true')
    expect(location.searchParams.get('oauth_token')).toMatch(/\S/)
    const temporary = provider.requests.find((r) => r.endpoint === 'requestToken')
    expect(temporary?.oauthParams.oauth_callback).toBe('https://app.example/authorize?next=%2Fhome')
  })

  it('falls back to oob when no redirectUri is given or registered', async () => {
    const { app, provider } = await setup()
    const response = await get(app, new CookieJar(), '/login-default')
    expect(response.statusCode).toBe(302)
    const temporary = provider.requests.find((r) => r.endpoint === 'requestToken')
    expect(temporary?.oauthParams.oauth_callback).toBe('oob')
  })
})

describe('options.store: pending logins in a server-side store, the binding id in the session', () => {
  it('keeps only the binding id in the session cookie, the login in the store', async () => {
    const server = createMemoryServerStore()
    const { app } = await setup({ middleware: { store: server } })
    const jar = new CookieJar()
    const location = await startLogin(app, jar)
    const token = location.searchParams.get('oauth_token')!
    const id = app.decodeSecureSession(jar.cookies.get('session')!)?.get('oauth1')
    expect(isBindingId(id)).toBe(true)
    expect(await server.forBinding(id as string).get(`provider:${token}`)).toMatchObject({
      oauth_token: token,
    })
    const cookiesBefore = jar.seen.length
    // a second login of this browser does not touch its cookie
    await startLogin(app, jar)
    expect(jar.seen.length).toBe(cookiesBefore)
    expect((await get(app, jar, pathOf(await visitProvider(location.href)))).statusCode).toBe(200)
    expect(await server.forBinding(id as string).get(`provider:${token}`)).toBeNull()
  })

  it('completes 8 logins one browser starts at the same moment', async () => {
    const { app } = await setup({ middleware: { store: createMemoryServerStore() } })
    const jar = new CookieJar()
    await startLogin(app, jar) // the browser has its session
    const started = await Promise.all(Array.from({ length: 8 }, () => startLogin(app, jar)))
    const callbacks = await Promise.all(started.map((l) => visitProvider(l.href)))
    const done = await Promise.all(callbacks.map((cb) => get(app, jar, pathOf(cb))))
    expect(done.map((r) => r.statusCode)).toEqual(Array(8).fill(200))
  })

  it('answers the same callback sent 10 times at once exactly once', async () => {
    const { app, provider } = await setup({ middleware: { store: createMemoryServerStore() } })
    const jar = new CookieJar()
    const callback = pathOf(await visitProvider((await startLogin(app, jar)).href))
    const exchanges = () => provider.requests.filter((r) => r.endpoint === 'accessToken').length
    const before = exchanges()
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(app, jar, callback)))
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, ...Array(9).fill(400)])
    for (const r of answers.filter((a) => a.statusCode === 400)) {
      expect(oauthError(r).body).toMatchObject({ code: 'missing_temporary_credential' })
    }
    expect(exchanges() - before).toBe(1)
  })

  it('answers 503 store_unavailable, not 500, when the store is down', async () => {
    const redis = createSwitchableStore(createMemoryServerStore())
    const { app } = await setup({ middleware: { store: redis.store } })
    const jar = new CookieJar()
    const callback = pathOf(await visitProvider((await startLogin(app, jar)).href))
    redis.down = true
    expect(oauthError(await get(app, jar, '/login'))).toMatchObject({
      status: 503,
      body: { code: 'store_unavailable' },
    })
    expect((await get(app, jar, callback)).statusCode).toBe(503)
    redis.down = false
    expect((await get(app, jar, callback)).statusCode).toBe(200)
  })
})
