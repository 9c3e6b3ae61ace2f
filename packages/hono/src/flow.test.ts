import {
  createSwitchableStore,
  REGISTERED_RELATIVE_CALLBACKS,
  stubProviderRegistration,
} from '@oauth1/core/testing'
import { createTestProvider, type TestProvider, type TestProviderOptions } from '@oauth1/testing'
import { Hono } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import { CookieJar, SECRET, setCookieDecodings } from './http.test-helper.js'
import {
  createMemoryServerStore,
  isOAuthError,
  type MiddlewareOptions,
  OAuth,
  type RemoteAppOptions,
  type Token,
} from './index.js'

const APP = 'http://localhost'

interface Harness {
  app: Hono
  oauth: OAuth
  tokens: Map<string, Token>
  /** Every token secret the provider issued (temporary and token credentials). */
  secrets: Set<string>
  provider: TestProvider
}

/**
 * The app of the README: a login route, a callback route that stores the
 * token (by user id, in memory) and calls /api/me with it, and a later route
 * that calls the API with no token and no request: fetchToken finds the
 * user through the middleware's context.
 */
function harness(
  provider: TestProvider,
  options: {
    register?: Partial<RemoteAppOptions>
    middleware?: MiddlewareOptions
    /** The registry's config (default none). */
    config?: Record<string, string>
  } = {},
): Harness {
  const tokens = new Map<string, Token>()
  const secrets = new Set<string>()
  const spyFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    const url = String(input instanceof Request ? input.url : input)
    if (url.startsWith(provider.url) && url.includes('/oauth/') && res.ok) {
      const body = await res.clone().text()
      const secret = new URLSearchParams(body).get('oauth_token_secret')
      if (secret) secrets.add(secret)
      try {
        const json = JSON.parse(body) as { oauth_token_secret?: string }
        if (json.oauth_token_secret) secrets.add(json.oauth_token_secret)
      } catch {}
    }
    return res
  }
  const oauth = new OAuth({
    config: options.config ?? {},
    fetchToken: (_name, c) => tokens.get(getCookie(c, 'uid') ?? ''),
  })
  oauth.register('provider', {
    clientId: provider.client.id,
    clientSecret: provider.client.secret as string,
    requestTokenUrl: provider.requestTokenUrl,
    accessTokenUrl: provider.accessTokenUrl,
    authorizeUrl: provider.authorizeUrl,
    apiBaseUrl: provider.apiBaseUrl,
    fetch: spyFetch,
    ...options.register,
  })
  const app = new Hono()
  app.use(oauth.middleware(options.middleware ?? { secret: SECRET }))
  app.get('/login', (c) => oauth.provider.authorizeRedirect(c, '/authorize'))
  app.get('/authorize', async (c) => {
    const token = await oauth.provider.authorizeAccessToken(c)
    const me = await oauth.provider.get('me', { token })
    tokens.set(token.user_id as string, token)
    setCookie(c, 'uid', token.user_id as string, { httpOnly: true, path: '/' })
    return c.json({
      token: { user_id: token.user_id, screen_name: token.screen_name },
      me: await me.json(),
    })
  })
  app.get('/me', async (c) => {
    const res = await oauth.provider.get('me')
    return c.json(await res.json())
  })
  return { app, oauth, tokens, secrets, provider }
}

/** What a browser does: GET `path` on the app with the jar's cookies. */
async function browse(h: Harness, jar: CookieJar, path: string): Promise<Response> {
  const res = jar.apply(await h.app.request(new URL(path, APP).href, { headers: jar.headers() }))
  expectNoSecretLeak(h, res)
  return res
}

function expectNoSecretLeak(h: Harness, res: Response): void {
  const location = res.headers.get('location') ?? ''
  const cookies = setCookieDecodings(res.headers.getSetCookie())
  for (const secret of h.secrets) {
    expect(location).not.toContain(secret)
    expect(location).not.toContain(encodeURIComponent(secret))
    for (const text of cookies) expect(text).not.toContain(secret)
  }
}

/** /login, then the provider's page: resolves to the callback URL the provider sends the browser to. */
async function startLogin(h: Harness, jar: CookieJar, origin = APP): Promise<string> {
  const login = await browse(h, jar, new URL('/login', origin).href)
  expect(login.status).toBe(302)
  const authorize = login.headers.get('location') as string
  expect(authorize.startsWith(`${h.provider.authorizeUrl}?oauth_token=`)).toBe(true)
  const consent = await fetch(authorize, { redirect: 'manual' })
  expect(consent.status).toBe(302)
  const callback = consent.headers.get('location') as string
  expect(callback.startsWith(`${origin}/authorize?`)).toBe(true)
  return callback
}

/** The consent page, answered with Allow or Deny, as a user would. */
async function answerConsent(authorize: string, decision: 'allow' | 'deny'): Promise<string> {
  const page = await (await fetch(authorize)).text()
  const field = (name: string) =>
    new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page)?.[1] ?? ''
  const form = new URLSearchParams({
    oauth_token: field('oauth_token'),
    csrf_token: field('csrf_token'),
    user_id: '1002',
    decision,
  })
  const res = await fetch(new URL('/oauth/authorize', authorize), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  })
  expect(res.status).toBe(302)
  return res.headers.get('location') as string
}

async function errorOf(res: Response): Promise<{ error: string; error_description: string }> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return (await res.json()) as { error: string; error_description: string }
}

describe('the login, against a real provider, with Hono’s default error handler', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await createTestProvider({ autoApprove: '1001' })
  })
  afterAll(() => provider.close())
  afterEach(() => {
    vi.useRealTimers()
  })

  it('logs in, calls the API with the token, then calls it later with no token passed', async () => {
    const h = harness(provider)
    const jar = new CookieJar()
    const callback = await startLogin(h, jar)
    const done = await browse(h, jar, callback)
    expect(done.status).toBe(200)
    const body = (await done.json()) as {
      token: Record<string, string>
      me: Record<string, unknown>
    }
    expect(body.token).toEqual({ user_id: '1001', screen_name: 'alice' })
    expect(body.me).toMatchObject({ id: '1001' })
    // The temporary credential was used up: the cookie is expired with the response.
    expect(done.headers.getSetCookie()).toContain(
      'oauth1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
    )
    expect(jar.cookies.has('oauth1')).toBe(false)

    const later = await browse(h, jar, '/me')
    expect(later.status).toBe(200)
    expect(await later.json()).toMatchObject({ id: '1001' })
    const apiCall = provider.requests.at(-1)
    expect(apiCall?.url).toBe('/api/me')
    expect(apiCall?.ok).toBe(true)
    expect(apiCall?.oauthParams.oauth_token).toBe(h.tokens.get('1001')?.oauth_token)
    expect(h.secrets.size).toBeGreaterThanOrEqual(2)
  })

  it('on an https origin, keeps the login in a __Host- Secure cookie and clears it, Secure, on the callback', async () => {
    const origin = 'https://app.example'
    // a provider of its own: the shared one accepts only loopback callbacks
    const onHttps = await createTestProvider({
      autoApprove: '1001',
      clients: [{ id: 'hono-https', secret: 'hono-https-secret', callbackUrls: [`${origin}/*`] }],
    })
    onTestFinished(() => onHttps.close())
    const h = harness(onHttps)
    const jar = new CookieJar()
    const callback = await startLogin(h, jar, origin)
    expect(
      onHttps.requests.findLast((r) => r.endpoint === 'requestToken')?.oauthParams.oauth_callback,
    ).toBe(`${origin}/authorize`)
    expect(jar.seen).toHaveLength(1)
    expect(jar.seen[0]).toMatch(
      /^__Host-oauth1=[A-Za-z0-9_-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    )
    expect([...jar.cookies.keys()]).toEqual(['__Host-oauth1'])

    const done = await browse(h, jar, callback)
    expect(done.status).toBe(200)
    expect(await done.json()).toMatchObject({ token: { user_id: '1001' }, me: { id: '1001' } })
    // Cleared with the same attributes: a browser ignores a __Host- cookie set without Secure.
    expect(done.headers.getSetCookie()).toContain(
      '__Host-oauth1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure',
    )
    expect(jar.cookies.has('__Host-oauth1')).toBe(false)
    const later = await browse(h, jar, `${origin}/me`)
    expect(later.status).toBe(200)
    expect(await later.json()).toMatchObject({ id: '1001' })
  })

  it('sends the relative redirectUri as an absolute, signed oauth_callback', async () => {
    const h = harness(provider)
    await browse(h, new CookieJar(), '/login')
    const record = provider.requests.findLast((r) => r.endpoint === 'requestToken')
    expect(record?.oauthParams.oauth_callback).toBe(`${APP}/authorize`)
    expect(record?.ok).toBe(true)
  })

  it('resolves the callback against X-Forwarded-* only with trustProxy', async () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example' }
    for (const trustProxy of [false, true]) {
      const h = harness(provider, { middleware: { secret: SECRET, trustProxy } })
      await h.app.request(`${APP}/login`, { headers: forwarded })
      const record = provider.requests.findLast((r) => r.endpoint === 'requestToken')
      expect(record?.oauthParams.oauth_callback).toBe(
        trustProxy ? 'https://app.example/authorize' : `${APP}/authorize`,
      )
    }
  })

  it('answers 400 for a malformed forwarded header with trustProxy, as the other adapters do', async () => {
    // Falling back to the request's own origin would turn a TLS proxy's broken
    // header into an http:// callback and a cookie without Secure.
    const h = harness(provider, { middleware: { secret: SECRET, trustProxy: true } })
    const before = provider.requests.length
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'x-forwarded-host': 'evil.example/path' }, /X-Forwarded-Host/],
      [{ 'x-forwarded-host': 'user@evil.example' }, /X-Forwarded-Host/],
      [{ 'x-forwarded-host': 'a b' }, /X-Forwarded-Host/],
      [{ 'x-forwarded-proto': 'javascript' }, /X-Forwarded-Proto/],
      [
        { 'x-forwarded-proto': 'javascript', 'x-forwarded-host': 'app.example' },
        /X-Forwarded-Proto/,
      ],
    ]
    for (const [headers, problem] of cases) {
      const login = await h.app.request(`${APP}/login`, { headers })
      expect(login.status, JSON.stringify(headers)).toBe(400)
      const text = await login.text()
      expect(text, JSON.stringify(headers)).toMatch(/^@oauth1\/hono: cannot tell the origin: /)
      expect(text, JSON.stringify(headers)).toMatch(problem)
      expect(login.headers.get('set-cookie'), JSON.stringify(headers)).toBeNull()
      // The callback reads the cookie, whose name and Secure flag need the origin: 400 too.
      const back = await h.app.request(`${APP}/authorize?oauth_token=t&oauth_verifier=v`, {
        headers,
      })
      expect(back.status, JSON.stringify(headers)).toBe(400)
    }
    // Nothing reached the provider.
    expect(provider.requests.length).toBe(before)
  })

  it('uses the first forwarded values, and the own origin for a header left out', async () => {
    const h = harness(provider, { middleware: { secret: SECRET, trustProxy: true } })
    const cases: [Record<string, string>, string][] = [
      [
        { 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'localhost:8443, proxy' },
        'https://localhost:8443/authorize',
      ],
      [{ 'x-forwarded-proto': 'HTTPS' }, `https://${new URL(APP).host}/authorize`],
      [{ 'x-forwarded-host': 'localhost:8080' }, 'http://localhost:8080/authorize'],
      [{ 'x-forwarded-proto': ' , https' }, `${APP}/authorize`],
    ]
    for (const [headers, expected] of cases) {
      const res = await h.app.request(`${APP}/login`, { headers })
      expect(res.status, JSON.stringify(headers)).toBe(302)
      const record = provider.requests.findLast((r) => r.endpoint === 'requestToken')
      expect(record?.oauthParams.oauth_callback, JSON.stringify(headers)).toBe(expected)
    }
  })

  it.each(REGISTERED_RELATIVE_CALLBACKS)(
    'resolves a relative redirectUri %s against the origin, and completes',
    async (_what, options) => {
      const h = harness(provider, options)
      h.app.get('/deep/login-default', (c) => h.oauth.provider.authorizeRedirect(c))
      const jar = new CookieJar()
      const login = await browse(h, jar, '/deep/login-default')
      expect(login.status).toBe(302)
      const record = provider.requests.findLast((r) => r.endpoint === 'requestToken')
      expect(record?.oauthParams.oauth_callback).toBe(`${APP}/authorize`)
      const back = await fetch(login.headers.get('location') as string, { redirect: 'manual' })
      const callback = new URL(back.headers.get('location') as string)
      expect(callback.pathname).toBe('/authorize')
      expect((await browse(h, jar, `${callback.pathname}${callback.search}`)).status).toBe(200)
    },
  )

  it('uses the registered redirectUri, else oob', async () => {
    const h = harness(provider, { register: { redirectUri: `${APP}/back` } })
    h.app.get('/login-default', (c) => h.oauth.provider.authorizeRedirect(c))
    await browse(h, new CookieJar(), '/login-default')
    expect(
      provider.requests.findLast((r) => r.endpoint === 'requestToken')?.oauthParams.oauth_callback,
    ).toBe(`${APP}/back`)
    const plain = harness(provider)
    plain.app.get('/login-default', (c) => plain.oauth.provider.authorizeRedirect(c))
    await browse(plain, new CookieJar(), '/login-default')
    expect(
      provider.requests.findLast((r) => r.endpoint === 'requestToken')?.oauthParams.oauth_callback,
    ).toBe('oob')
  })

  it('passes extra authorize params to the provider URL', async () => {
    const h = harness(provider)
    h.app.get('/login-extra', (c) =>
      h.oauth.provider.authorizeRedirect(c, '/authorize', { force_login: 'true' }),
    )
    const res = await browse(h, new CookieJar(), '/login-extra')
    const location = new URL(res.headers.get('location') as string)
    expect(location.searchParams.get('force_login')).toBe('true')
    expect([...location.searchParams.keys()].sort()).toEqual(['force_login', 'oauth_token'])
  })

  it('completes two logins pending in one session (two tabs), in any order', async () => {
    const h = harness(provider)
    const jar = new CookieJar()
    const first = await startLogin(h, jar)
    const second = await startLogin(h, jar)
    expect((await browse(h, jar, second)).status).toBe(200)
    expect((await browse(h, jar, first)).status).toBe(200)
  })

  it('refuses a replayed callback (400 missing_temporary_credential)', async () => {
    const h = harness(provider)
    const jar = new CookieJar()
    const callback = await startLogin(h, jar)
    const before = jar.cookies.get('oauth1')
    expect((await browse(h, jar, callback)).status).toBe(200)
    const replay = await browse(h, jar, callback)
    expect(replay.status).toBe(400)
    expect((await errorOf(replay)).error).toBe('missing_temporary_credential')
    // Even replaying the cookie as it was before the first callback fails at the provider, not with a 500.
    const stale = new CookieJar()
    stale.cookies.set('oauth1', before as string)
    const again = await browse(h, stale, callback)
    expect(again.status).toBe(502)
    expect((await errorOf(again)).error).toBe('fetch_token_denied')
  })

  it('refuses a callback whose oauth_token belongs to another session', async () => {
    const h = harness(provider)
    const victim = new CookieJar()
    const attacker = new CookieJar()
    const attackersCallback = await startLogin(h, attacker)
    await startLogin(h, victim)
    const res = await browse(h, victim, attackersCallback)
    expect(res.status).toBe(400)
    expect(await errorOf(res)).toEqual({
      error: 'missing_temporary_credential',
      error_description: expect.any(String),
    })
    const tokenRequests = provider.requests.filter((r) => r.endpoint === 'accessToken').length
    // The attacker's own login is untouched.
    expect((await browse(h, attacker, attackersCallback)).status).toBe(200)
    expect(provider.requests.filter((r) => r.endpoint === 'accessToken').length).toBe(
      tokenRequests + 1,
    )
  })

  it('refuses an expired temporary credential', async () => {
    const h = harness(provider)
    const jar = new CookieJar()
    const callback = await startLogin(h, jar)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 11 * 60_000)
    const res = await browse(h, jar, callback)
    expect(res.status).toBe(400)
    expect((await errorOf(res)).error).toBe('missing_temporary_credential')
  })

  it('honours a shorter temporaryCredentialTtl', async () => {
    const h = harness(provider, { register: { temporaryCredentialTtl: 60_000 } })
    const jar = new CookieJar()
    const callback = await startLogin(h, jar)
    expect(jar.seen[0]).toMatch(/Max-Age=(60|59);/)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 61_000)
    expect((await browse(h, jar, callback)).status).toBe(400)
  })

  it('answers 400 for bad callbacks, never 500', async () => {
    const h = harness(provider)
    const jar = new CookieJar()
    const callback = new URL(await startLogin(h, jar))
    const token = callback.searchParams.get('oauth_token') as string
    const verifier = callback.searchParams.get('oauth_verifier') as string
    const huge = 'x'.repeat(60_000)
    const cases: [string, string][] = [
      ['', 'missing_token'],
      [`oauth_verifier=${verifier}`, 'missing_token'],
      [`oauth_token=${token}`, 'missing_verifier'],
      [`oauth_token=${token}&oauth_verifier=`, 'missing_verifier'],
      [`oauth_token=${token}&oauth_token=${token}&oauth_verifier=${verifier}`, ''],
      [`oauth_token=%ZZ%&oauth_verifier=%E0%A4%A`, ''],
      [`oauth_token=${huge}&oauth_verifier=${huge}`, 'missing_temporary_credential'],
      [`oauth_token[]=${token}&oauth_verifier=${verifier}`, 'missing_token'],
      [`oauth_token=forged&oauth_verifier=${verifier}`, 'missing_temporary_credential'],
    ]
    for (const [query, code] of cases) {
      const fresh = new CookieJar()
      for (const [k, v] of jar.cookies) fresh.cookies.set(k, v)
      const res = await browse(h, fresh, `/authorize?${query}`)
      expect(res.status, query.slice(0, 80)).toBe(400)
      const body = await errorOf(res)
      if (code !== '') expect(body.error, query.slice(0, 80)).toBe(code)
    }
  })

  it('rejects a garbage or oversized cookie as no stored credential, not a 500', async () => {
    const h = harness(provider)
    const jar = new CookieJar()
    const callback = await startLogin(h, jar)
    for (const value of ['garbage', 'A'.repeat(5000), '"quoted"', '%E0%A4%A']) {
      const evil = new CookieJar()
      evil.cookies.set('oauth1', value)
      const res = await browse(h, evil, callback)
      expect(res.status).toBe(400)
      expect((await errorOf(res)).error).toBe('missing_temporary_credential')
    }
  })

  it('clears the cookie on a failed callback too (single use, whatever the outcome)', async () => {
    const h = harness(provider)
    const jar = new CookieJar()
    const callback = new URL(await startLogin(h, jar))
    callback.searchParams.set('oauth_verifier', 'wrong-verifier')
    const res = await browse(h, jar, callback.href)
    expect(res.status).toBe(502)
    expect((await errorOf(res)).error).toBe('fetch_token_denied')
    expect(res.headers.getSetCookie()).toContain(
      'oauth1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
    )
  })

  it('keeps the cookie update when the callback route returns its own Response', async () => {
    const h = harness(provider)
    h.app.get('/authorize-raw', async (c) => {
      const token = await h.oauth.provider.authorizeAccessToken(c)
      return new Response(`hello ${token.screen_name}`)
    })
    const jar = new CookieJar()
    const callback = new URL(await startLogin(h, jar))
    const res = await browse(h, jar, `/authorize-raw${callback.search}`)
    expect(await res.text()).toBe('hello alice')
    expect(res.headers.getSetCookie()).toEqual([
      'oauth1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
    ])
  })

  it('keeps the cookie update on an immutable Response.redirect()', async () => {
    const h = harness(provider)
    h.app.get('/authorize-redirect', async (c) => {
      await h.oauth.provider.authorizeAccessToken(c)
      return Response.redirect(`${APP}/`, 303)
    })
    const jar = new CookieJar()
    const callback = new URL(await startLogin(h, jar))
    const res = await browse(h, jar, `/authorize-redirect${callback.search}`)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${APP}/`)
    expect(res.headers.getSetCookie()).toEqual([
      'oauth1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
    ])
  })

  it('answers 401 missing_token for an API call outside a logged-in request', async () => {
    const h = harness(provider)
    const res = await browse(h, new CookieJar(), '/me')
    expect(res.status).toBe(401)
    expect((await errorOf(res)).error).toBe('missing_token')
  })

  it('needs the middleware before the login routes, with a message saying so', async () => {
    const oauth = new OAuth({ config: {} })
    oauth.register('provider', {
      clientId: provider.client.id,
      clientSecret: provider.client.secret as string,
      requestTokenUrl: provider.requestTokenUrl,
      accessTokenUrl: provider.accessTokenUrl,
      authorizeUrl: provider.authorizeUrl,
    })
    const app = new Hono()
    const errors: unknown[] = []
    app.onError((err, c) => {
      errors.push(err)
      return c.text('misconfigured', 500)
    })
    app.get('/login', (c) => oauth.provider.authorizeRedirect(c, '/authorize'))
    app.get('/authorize', (c) => oauth.provider.authorizeAccessToken(c))
    await app.request('/login')
    await app.request('/authorize?oauth_token=a&oauth_verifier=b')
    expect(errors.map((e) => (e as Error).message)).toEqual([
      '@oauth1/hono: authorizeRedirect() needs oauth.middleware() to run before this route: app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))',
      '@oauth1/hono: authorizeAccessToken() needs oauth.middleware() to run before this route: app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))',
    ])
  })

  it('leaves OAuthError as is for a custom onError', async () => {
    const h = harness(provider)
    const seen: unknown[] = []
    h.app.onError((err, c) => {
      seen.push(err)
      return isOAuthError(err) ? c.redirect(`/?error=${err.code}`) : c.text('oops', 500)
    })
    const res = await browse(h, new CookieJar(), '/authorize?oauth_token=x&oauth_verifier=y')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/?error=missing_temporary_credential')
    expect(isOAuthError(seen[0])).toBe(true)
  })
})

describe('refusals and provider failures, through Hono’s default error handler', () => {
  const providers: TestProvider[] = []
  afterEach(async () => {
    while (providers.length > 0) await providers.pop()?.close()
  })
  const start = async (options: TestProviderOptions) => {
    const provider = await createTestProvider(options)
    providers.push(provider)
    return provider
  }

  for (const denial of ['denied', 'user_refused'] as const) {
    it(`answers 403 access_denied when the user refuses (${denial} quirk), and clears the cookie`, async () => {
      const provider = await start({ quirks: { denial } })
      const h = harness(provider)
      const jar = new CookieJar()
      const login = await browse(h, jar, '/login')
      const back = await answerConsent(login.headers.get('location') as string, 'deny')
      expect(back).toContain(denial === 'denied' ? 'denied=' : 'oauth_problem=user_refused')
      const res = await browse(h, jar, back)
      expect(res.status).toBe(403)
      expect((await errorOf(res)).error).toBe('access_denied')
      expect(res.headers.getSetCookie()).toContain(
        'oauth1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
      )
      expect(provider.requests.some((r) => r.endpoint === 'accessToken')).toBe(false)
    })
  }

  it('completes a login approved on the consent page', async () => {
    const provider = await start({})
    const h = harness(provider)
    const jar = new CookieJar()
    const login = await browse(h, jar, '/login')
    const back = await answerConsent(login.headers.get('location') as string, 'allow')
    const res = await browse(h, jar, back)
    expect(res.status).toBe(200)
    expect(((await res.json()) as { token: Record<string, string> }).token.screen_name).toBe('bob')
  })

  const failures = [
    [
      'a 401 with oauth_problem',
      { status: 401, body: 'oauth_problem=signature_invalid' },
      502,
      'fetch_token_denied',
    ],
    ['a 500', 'server_error', 502, 'fetch_token_denied'],
    ['a 503', 'unavailable', 502, 'fetch_token_denied'],
    ['an HTML page', 'html', 502, 'invalid_token_response'],
    ['a token without its secret', 'malformed', 502, 'invalid_token_response'],
    ['an empty body', 'empty', 502, 'invalid_token_response'],
    ['an oversized body', 'oversized', 502, 'invalid_token_response'],
  ] as const

  for (const [what, failure, status, code] of failures) {
    it(`answers ${status} ${code} when the temporary-credential endpoint answers ${what}`, async () => {
      const provider = await start({
        autoApprove: true,
        quirks: { failure: { requestToken: failure } },
      })
      const h = harness(provider)
      const jar = new CookieJar()
      const res = await browse(h, jar, '/login')
      expect(res.status).toBe(status)
      const body = await errorOf(res)
      expect(body.error).toBe(code)
      expect(JSON.stringify(body)).not.toContain(provider.client.secret as string)
      expect(res.headers.getSetCookie()).toEqual([])
    })

    it(`answers ${status} ${code} when the token endpoint answers ${what}`, async () => {
      const provider = await start({
        autoApprove: true,
        quirks: { failure: { accessToken: failure } },
      })
      const h = harness(provider)
      const jar = new CookieJar()
      const callback = await startLogin(h, jar)
      const res = await browse(h, jar, callback)
      expect(res.status).toBe(status)
      expect((await errorOf(res)).error).toBe(code)
      expect(res.headers.getSetCookie()).toContain(
        'oauth1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
      )
    })
  }

  it('answers 502 for a flow of your own with beginAuthorization and c.var.oauth1.store', async () => {
    const provider = await start({
      autoApprove: true,
      quirks: { failure: { requestToken: 'server_error' } },
    })
    const h = harness(provider)
    h.app.get('/own-login', async (c) =>
      c.redirect(await h.oauth.provider.beginAuthorization(c.var.oauth1.store, `${APP}/authorize`)),
    )
    const res = await browse(h, new CookieJar(), '/own-login')
    expect(res.status).toBe(502)
    expect((await errorOf(res)).error).toBe('fetch_token_denied')
  })

  it('answers 504 request_timeout when the provider is too slow', async () => {
    const provider = await start({ autoApprove: true, quirks: { delay: { requestToken: 5_000 } } })
    const h = harness(provider, { register: { timeout: 200 } })
    const res = await browse(h, new CookieJar(), '/login')
    expect(res.status).toBe(504)
    expect((await errorOf(res)).error).toBe('request_timeout')
  })

  it('answers 504 when the token endpoint is too slow', async () => {
    const provider = await start({ autoApprove: true, quirks: { delay: { accessToken: 5_000 } } })
    const h = harness(provider, { register: { timeout: 200 } })
    const jar = new CookieJar()
    const callback = await startLogin(h, jar)
    const res = await browse(h, jar, callback)
    expect(res.status).toBe(504)
    expect((await errorOf(res)).error).toBe('request_timeout')
  })

  it('answers 502 callback_not_confirmed for a provider without oauth_callback_confirmed, unless told', async () => {
    const provider = await start({ autoApprove: true, quirks: { callbackConfirmed: 'omit' } })
    const strict = harness(provider)
    const res = await browse(strict, new CookieJar(), '/login')
    expect(res.status).toBe(502)
    expect((await errorOf(res)).error).toBe('callback_not_confirmed')
    const legacy = harness(provider, { register: { requireCallbackConfirmed: false } })
    const jar = new CookieJar()
    expect((await browse(legacy, jar, await startLogin(legacy, jar))).status).toBe(200)
  })

  it('completes a login whose token responses are labelled text/html, as X labels them', async () => {
    const provider = await start({
      autoApprove: true,
      quirks: { tokenContentType: 'text/html;charset=utf-8' },
    })
    const h = harness(provider)
    const jar = new CookieJar()
    const res = await browse(h, jar, await startLogin(h, jar))
    expect(res.status).toBe(200)
  })

  it('reads JSON token responses', async () => {
    const provider = await start({ autoApprove: true, quirks: { tokenFormat: 'json' } })
    const h = harness(provider)
    const jar = new CookieJar()
    const res = await browse(h, jar, await startLogin(h, jar))
    expect(res.status).toBe(200)
  })
})

describe('options.store: a server-side store, the binding id in a cookie', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await createTestProvider({ autoApprove: true })
  })
  afterAll(() => provider.close())

  /** The provider's redirect back (autoApprove), as a path on the app. */
  async function approve(login: Response): Promise<string> {
    expect(login.status).toBe(302)
    const consent = await fetch(login.headers.get('location')!, { redirect: 'manual' })
    expect(consent.status).toBe(302)
    return consent.headers.get('location')!
  }

  it('completes 8 logins one browser starts at the same moment', async () => {
    const h = harness(provider, { middleware: { store: createMemoryServerStore() } })
    const jar = new CookieJar()
    await startLogin(h, jar) // the browser has its cookie
    const logins = await Promise.all(Array.from({ length: 8 }, () => browse(h, jar, '/login')))
    const callbacks = await Promise.all(logins.map(approve))
    const done = await Promise.all(callbacks.map((cb) => browse(h, jar, cb)))
    expect(done.map((r) => r.status)).toEqual(Array(8).fill(200))
  })

  it('answers the same callback sent 10 times at once exactly once', async () => {
    const h = harness(provider, { middleware: { store: createMemoryServerStore() } })
    const jar = new CookieJar()
    const callback = await startLogin(h, jar)
    const exchanges = () => provider.requests.filter((r) => r.endpoint === 'accessToken').length
    const before = exchanges()
    const answers = await Promise.all(Array.from({ length: 10 }, () => browse(h, jar, callback)))
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(400)])
    expect(exchanges() - before).toBe(1)
  })

  it('answers 503, not 500, when the store is down; the login completes once it is back', async () => {
    const redis = createSwitchableStore(createMemoryServerStore())
    const h = harness(provider, { middleware: { store: redis.store } })
    const jar = new CookieJar()
    const callback = await startLogin(h, jar)
    redis.down = true
    expect((await browse(h, jar, '/login')).status).toBe(503)
    expect((await browse(h, jar, callback)).status).toBe(503)
    redis.down = false
    expect((await browse(h, jar, callback)).status).toBe(200)
  })
})

describe('an API call that cannot reach the provider', () => {
  it("answers 502 request_failed from Hono's default handler, not 500", async () => {
    const oauth = new OAuth({ config: {} })
    oauth.register('provider', {
      ...stubProviderRegistration(),
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })
      },
    })
    const app = new Hono()
    app.use(oauth.middleware({ secret: SECRET }))
    app.get('/timeline', async (c) => {
      const api = await oauth.provider.get('timeline', { withholdToken: true })
      return c.body(await api.text(), api.status as 200)
    })
    const res = await app.request(`${APP}/timeline`)
    expect(res.status).toBe(502)
    expect(await res.json()).toEqual({ error: 'request_failed', error_description: 'Bad Gateway' })
  })

  it("answers userinfo()'s errors with their own status from Hono's default handler, as get()'s", async () => {
    let reachable = true
    const oauth = new OAuth({
      config: {},
      fetchToken: (_name, c) =>
        c.req.query('who') === 'bob' ? { oauth_token: 't', oauth_token_secret: 's' } : null,
    })
    oauth.register('provider', {
      ...stubProviderRegistration(),
      userinfoEndpoint: 'https://provider.example/api/me',
      userinfo: async ({ json, endpoint }) => {
        const raw = (await json(endpoint as string)) as { id: string }
        return { sub: raw.id, raw }
      },
      fetch: async () => {
        if (!reachable)
          throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })
        return Response.json({ id: '42' })
      },
    })
    const app = new Hono()
    app.use(oauth.middleware({ secret: SECRET }))
    app.get('/me', async (c) => c.json(await oauth.provider.userinfo()))
    app.get('/get', async (c) => c.body(null, (await oauth.provider.get('me')).status as 200))
    const ok = await app.request(`${APP}/me?who=bob`)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ sub: '42', raw: { id: '42' } })
    for (const path of ['/me', '/get']) {
      const none = await app.request(`${APP}${path}`)
      expect(none.status, path).toBe(401)
      expect((await none.json()).error, path).toBe('missing_token')
    }
    reachable = false
    const down = await app.request(`${APP}/me?who=bob`)
    expect(down.status).toBe(502)
    expect(await down.json()).toEqual({ error: 'request_failed', error_description: 'Bad Gateway' })
  })
})

describe('a store that fails', () => {
  it("answers 503 store_unavailable from Hono's default handler when a store function's store throws a plain Error", async () => {
    const oauth = new OAuth({ config: {} })
    oauth.register('provider', stubProviderRegistration())
    const app = new Hono()
    app.use(
      oauth.middleware({
        store: () => ({
          get: async () => null,
          set: async () => {
            throw new Error('ECONNREFUSED: the session database is down')
          },
          delete: async () => {},
        }),
      }),
    )
    app.get('/login', (c) => oauth.provider.authorizeRedirect(c, '/authorize'))
    const res = await app.request(`${APP}/login`)
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({
      error: 'store_unavailable',
      error_description: 'Service Unavailable',
    })
  })
})
