import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createMemoryServerStore, isBindingId, type Token } from '@oauth1/core'
import {
  createSwitchableStore,
  REGISTERED_RELATIVE_CALLBACKS,
  stubProviderRegistration,
} from '@oauth1/core/testing'
import { createTestProvider, type TestProviderOptions } from '@oauth1/testing'
import cookieSession from 'cookie-session'
import express from 'express'
import session from 'express-session'
import request from 'supertest'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { decodedForms, serve, setCookies } from './http.test-helper.js'
import { MISSING_SESSION_MESSAGE, type MiddlewareOptions, OAuth } from './index.js'

declare module 'express-session' {
  interface SessionData {
    token?: Token
    userId?: string
  }
}

const SESSION_SECRET = 'a session secret of at least 32 characters'
const SEALING_SECRET = 'an oauth1 sealing secret, 32+ characters long'

interface Setup {
  provider?: TestProviderOptions
  middleware?: MiddlewareOptions
  sessions?: 'express-session' | 'cookie-session'
  register?: Record<string, unknown>
  store?: session.Store
  /** The registry's config (default none). */
  config?: Record<string, string>
}

/**
 * A real provider and an Express app that logs in with it: /login, the
 * /authorize callback (which stores the token in the session and calls
 * /api/me with it), and /me (an API call with no token passed). No custom
 * error handler: errors reach Express's default one.
 */
async function setup(options: Setup = {}) {
  const provider = await createTestProvider({ autoApprove: true, ...options.provider })
  onTestFinished(() => provider.close())

  // Every secret the provider hands out, to check none leaks into a URL or cookie.
  const secrets: string[] = []
  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    const text = await res.clone().text()
    const secret = new URLSearchParams(text).get('oauth_token_secret')
    if (secret) secrets.push(secret)
    return res
  }

  // With express-session the token credentials may live in the (server-side) session; with
  // cookie-session the app keeps them on the server and only the user id in the cookie.
  const cookieBacked = options.sessions === 'cookie-session'
  const tokens = new Map<string, Token>()
  const oauth = new OAuth({
    config: options.config ?? {},
    fetchToken: (_name, req) =>
      cookieBacked ? tokens.get(req.session.userId ?? '') : req.session.token,
  })
  oauth.register('provider', {
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    requestTokenUrl: provider.requestTokenUrl,
    accessTokenUrl: provider.accessTokenUrl,
    authorizeUrl: provider.authorizeUrl,
    apiBaseUrl: provider.apiBaseUrl,
    fetch: recordingFetch,
    ...options.register,
  })

  const app = express()
  if (cookieBacked) {
    app.use(cookieSession({ name: 'session', keys: [SESSION_SECRET] }))
  } else {
    app.use(
      session({
        secret: SESSION_SECRET,
        resave: false,
        saveUninitialized: false,
        ...(options.store ? { store: options.store } : {}),
      }),
    )
  }
  app.use(oauth.middleware(options.middleware))
  app.get('/login', (req, res) => oauth.provider.authorizeRedirect(req, res, '/authorize'))
  app.get('/login-forced', (req, res) =>
    oauth.provider.authorizeRedirect(req, res, 'authorize?next=%2Fhome', { force_login: 'true' }),
  )
  app.get('/login-oob', (req, res) => oauth.provider.authorizeRedirect(req, res))
  app.get('/deep/login', (req, res) => oauth.provider.authorizeRedirect(req, res, 'authorize'))
  app.get('/authorize', async (req, res) => {
    const token = await oauth.provider.authorizeAccessToken(req)
    const me = await oauth.provider.get('me', { token })
    if (cookieBacked) {
      tokens.set(token.user_id!, token)
      req.session.userId = token.user_id!
    } else {
      req.session.token = token
    }
    res.json({
      token: {
        oauth_token: token.oauth_token,
        user_id: token.user_id,
        screen_name: token.screen_name,
      },
      me: { status: me.status, body: await me.json() },
    })
  })
  app.get('/me', async (_req, res) => {
    const me = await oauth.provider.get('me')
    res.status(me.status).json(await me.json())
  })
  const url = await serve(app)
  return { provider, oauth, app, url, secrets, agent: request.agent(url) }
}

type Agent = ReturnType<typeof request.agent>

/** GET /login: the 302 to the provider, and the request token it carries. */
async function login(agent: Agent) {
  const res = await agent.get('/login')
  expect(res.status).toBe(302)
  const location = new URL(res.headers.location as string)
  const oauthToken = location.searchParams.get('oauth_token')
  expect(oauthToken).toBeTruthy()
  return { res, location, oauthToken: oauthToken! }
}

/** Follows the provider's authorization URL (auto-approved): the callback path+query it sends the user to. */
async function approve(location: URL): Promise<string> {
  const res = await fetch(location, { redirect: 'manual' })
  expect(res.status).toBe(302)
  const callback = new URL(res.headers.get('location')!)
  return callback.pathname + callback.search
}

/** Answers the provider's consent page (no autoApprove) with Allow or Deny, like a browser posting the form. */
async function consent(location: URL, decision: 'allow' | 'deny'): Promise<string> {
  const page = await fetch(location)
  expect(page.status).toBe(200)
  const html = await page.text()
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]
  const form = new URLSearchParams({
    oauth_token: field('oauth_token')!,
    csrf_token: field('csrf_token')!,
    user_id: field('user_id')!,
    decision,
  })
  const res = await fetch(new URL('/oauth/authorize', location), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  })
  expect(res.status).toBe(302)
  const callback = new URL(res.headers.get('location')!)
  return callback.pathname + callback.search
}

/** Every cookie value the app set, in every form it decodes to. */
function cookieForms(headers: Record<string, unknown>): string[] {
  return setCookies(headers).flatMap(([, value]) => decodedForms(value))
}

describe('the login, end to end', () => {
  for (const variant of [
    { name: 'express-session', setup: {} },
    { name: 'express-session, sealed', setup: { middleware: { secret: SEALING_SECRET } } },
    {
      name: 'cookie-session, sealed',
      setup: { sessions: 'cookie-session', middleware: { secret: SEALING_SECRET } } as Setup,
    },
    {
      name: 'express-session, options.store',
      setup: { middleware: { store: createMemoryServerStore() } },
    },
    {
      name: 'cookie-session, options.store (no secret)',
      setup: {
        sessions: 'cookie-session',
        middleware: { store: createMemoryServerStore() },
      } as Setup,
    },
  ]) {
    it(`logs in and calls the API, then calls it again with no token passed (${variant.name})`, async () => {
      const { agent, secrets, provider } = await setup(variant.setup)
      const { res: loginRes, location, oauthToken } = await login(agent)
      expect(location.origin + location.pathname).toBe(provider.authorizeUrl)
      // the callback sent to the provider is the absolute /authorize of this app
      const requestTokenCall = provider.requests.find((r) => r.endpoint === 'requestToken')!
      expect(requestTokenCall.oauthParams.oauth_callback).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/authorize$/,
      )

      const callback = await approve(location)
      expect(callback).toContain(`oauth_token=${encodeURIComponent(oauthToken)}`)
      const done = await agent.get(callback)
      expect(done.status).toBe(200)
      expect(done.body.token).toEqual({
        oauth_token: expect.any(String),
        user_id: '1001',
        screen_name: 'alice',
      })
      expect(done.body.me.status).toBe(200)
      expect(done.body.me.body).toMatchObject({ id: '1001' })

      // a LATER request: fetchToken reads the session through the middleware's context
      const later = await agent.get('/me')
      expect(later.status).toBe(200)
      expect(later.body).toMatchObject({ id: '1001' })

      // no secret (temporary or token credentials) in a Location header or in any cookie
      expect(secrets).toHaveLength(2)
      for (const secret of secrets) {
        expect(loginRes.headers.location).not.toContain(secret)
        expect(callback).not.toContain(secret)
        for (const response of [loginRes, done, later]) {
          for (const form of cookieForms(response.headers)) expect(form).not.toContain(secret)
        }
      }
    })
  }

  it('puts only oauth_token and the given params on the authorization URL; signs the callback it resolved', async () => {
    const { agent, provider } = await setup()
    const res = await agent.get('/login-forced')
    expect(res.status).toBe(302)
    const location = new URL(res.headers.location as string)
    expect([...location.searchParams.keys()].sort()).toEqual(['force_login', 'oauth_token'])
    expect(location.searchParams.get('force_login')).toBe('true')
    const sent = provider.requests.find((r) => r.endpoint === 'requestToken')!
    // relative to the origin, with its own query kept as is
    expect(sent.oauthParams.oauth_callback).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/authorize\?next=%2Fhome$/,
    )
    // the provider sends the user back to it, query preserved
    const callback = await approve(location)
    expect(callback).toMatch(/^\/authorize\?next=%2Fhome&oauth_token=/)
    expect((await agent.get(callback)).status).toBe(200)
  })

  it('answers 302 with the authorization URL as Location and an empty body, whatever the Accept header', async () => {
    const { agent } = await setup()
    for (const accept of ['text/html,application/xhtml+xml,*/*;q=0.8', 'text/plain', undefined]) {
      const req = agent.get('/login')
      const res = await (accept === undefined ? req : req.set('Accept', accept))
      expect(res.status).toBe(302)
      expect(new URL(res.headers.location as string).pathname).toBe('/oauth/authorize')
      expect(res.headers['content-length']).toBe('0')
      expect(res.headers['content-type']).toBeUndefined()
      expect(res.text ?? '').toBe('')
    }
  })

  it('sends the Location as res.redirect did: what a URL may not hold is percent-encoded', async () => {
    const { oauth, app, provider, agent } = await setup()
    oauth.register('braces', {
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      requestTokenUrl: provider.requestTokenUrl,
      accessTokenUrl: provider.accessTokenUrl,
      // WHATWG URL keeps { } in a query as they are; Express's res.location encodes them.
      authorizeUrl: `${provider.authorizeUrl}?display={popup}`,
    })
    app.get('/login-braces', (req, res) => oauth.braces!.authorizeRedirect(req, res, '/authorize'))
    const res = await agent.get('/login-braces')
    expect(res.status).toBe(302)
    expect(res.headers.location).toMatch(/\?display=%7Bpopup%7D&oauth_token=[^&]+$/)
  })

  it.each(REGISTERED_RELATIVE_CALLBACKS)(
    'resolves a relative redirectUri %s against the origin, and completes',
    async (_what, options) => {
      const { agent, provider, url } = await setup(options)
      const res = await agent.get('/login-oob')
      expect(res.status).toBe(302)
      const sent = provider.requests.find((r) => r.endpoint === 'requestToken')!
      expect(sent.oauthParams.oauth_callback).toBe(`${url}/authorize`)
      expect((await agent.get(await approve(new URL(res.headers.location as string)))).status).toBe(
        200,
      )
    },
  )

  it('resolves "authorize" (no leading slash) against the origin, not the current path', async () => {
    const { agent, provider, url } = await setup()
    expect((await agent.get('/deep/login')).status).toBe(302)
    const sent = provider.requests.find((r) => r.endpoint === 'requestToken')!
    expect(sent.oauthParams.oauth_callback).toBe(`${url}/authorize`)
  })

  it('sends oob when no redirectUri is given or registered', async () => {
    const { agent, provider } = await setup()
    expect((await agent.get('/login-oob')).status).toBe(302)
    const sent = provider.requests.find((r) => r.endpoint === 'requestToken')!
    expect(sent.oauthParams.oauth_callback).toBe('oob')
  })

  it('keeps the pending login at req.session.oauth1, or at middleware({ sessionKey }), and removes it on the callback', async () => {
    for (const [middleware, key] of [
      [undefined, 'oauth1'],
      [{ sessionKey: 'pendingLogins' }, 'pendingLogins'],
    ] as const) {
      const store = new session.MemoryStore()
      const { agent } = await setup({ store, ...(middleware ? { middleware } : {}) })
      const { location, oauthToken } = await login(agent)
      const stored = Object.values(
        await new Promise<Record<string, Record<string, unknown>>>((resolve, reject) =>
          store.all((err, all) => (err ? reject(err) : resolve((all ?? {}) as never))),
        ),
      )
      expect(stored).toHaveLength(1)
      expect(Object.keys(stored[0]![key] as object)).toEqual([`provider:${oauthToken}`])
      expect((await agent.get(await approve(location))).status).toBe(200)
      const after = await new Promise<Record<string, Record<string, unknown>>>((resolve, reject) =>
        store.all((err, all) => (err ? reject(err) : resolve((all ?? {}) as never))),
      )
      expect(Object.values(after).map((s) => s[key])).toEqual([undefined])
    }
  })

  it('completes through the real consent page (form POST)', async () => {
    const { agent } = await setup({ provider: { autoApprove: false } })
    const { location } = await login(agent)
    const done = await agent.get(await consent(location, 'allow'))
    expect(done.status).toBe(200)
    expect(done.body.token.screen_name).toBe('alice')
  })

  it('completes two logins pending in one session (two tabs), in either order', async () => {
    const { agent } = await setup()
    const first = await login(agent)
    const second = await login(agent)
    expect(first.oauthToken).not.toBe(second.oauthToken)
    const firstCallback = await approve(first.location)
    const secondCallback = await approve(second.location)
    expect((await agent.get(secondCallback)).status).toBe(200)
    expect((await agent.get(firstCallback)).status).toBe(200)
  })

  it('refuses a replayed callback: 400 missing_temporary_credential, without asking the provider', async () => {
    const { agent, provider } = await setup()
    const { location } = await login(agent)
    const callback = await approve(location)
    expect((await agent.get(callback)).status).toBe(200)
    const exchanges = provider.requests.filter((r) => r.endpoint === 'accessToken').length
    const replay = await agent.get(callback)
    expect(replay.status).toBe(400)
    expect(replay.text).toContain('missing_temporary_credential')
    expect(provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(exchanges)
  })

  it("refuses a callback whose oauth_token belongs to another session (400), and the victim's login still completes", async () => {
    const { agent, url, provider } = await setup()
    const { location } = await login(agent)
    const callback = await approve(location)
    const attacker = request.agent(url)
    // The attacker has a session with a pending login of its own.
    const own = await approve((await login(attacker)).location)
    const exchanges = () => provider.requests.filter((r) => r.endpoint === 'accessToken').length
    const before = exchanges()
    const stolen = await attacker.get(callback)
    expect(stolen.status).toBe(400)
    expect(stolen.text).toContain('missing_temporary_credential')
    expect(exchanges()).toBe(before)
    // Neither login was touched: both complete, each in its own browser.
    expect((await agent.get(callback)).status).toBe(200)
    expect((await attacker.get(own)).status).toBe(200)
  })

  it('refuses an expired temporary credential (400)', async () => {
    const { agent } = await setup({ register: { temporaryCredentialTtl: 1_000 } })
    const { location } = await login(agent)
    const callback = await approve(location)
    // the clock jumps past the expiry: no sleep racing the timer
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 1_500 })
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const res = await agent.get(callback)
    expect(res.status).toBe(400)
    expect(res.text).toContain('missing_temporary_credential')
  })

  for (const denial of ['denied', 'user_refused'] as const) {
    it(`answers 403 access_denied when the user refuses (${denial} quirk), and the login cannot be resumed`, async () => {
      const { agent, provider } = await setup({
        provider: { autoApprove: false, quirks: { denial } },
      })
      const { location, oauthToken } = await login(agent)
      const callback = await consent(location, 'deny')
      expect(callback).toContain(
        denial === 'denied' ? `denied=${oauthToken}` : 'oauth_problem=user_refused',
      )
      const res = await agent.get(callback)
      expect(res.status).toBe(403)
      expect(res.text).toContain('access_denied')
      expect(provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(0)
      // the pending login is gone: the same token with a verifier is refused locally
      const forged = await agent.get(
        `/authorize?oauth_token=${encodeURIComponent(oauthToken)}&oauth_verifier=x`,
      )
      expect(forged.status).toBe(400)
    })
  }
})

describe('provider failures reach the default error handler as 502/504, never 500', () => {
  const cases: {
    name: string
    provider: TestProviderOptions
    register?: Record<string, unknown>
    status: number
    code: string
  }[] = [
    {
      name: 'access token endpoint answers 401',
      provider: {
        quirks: {
          failure: {
            accessToken: {
              status: 401,
              body: 'oauth_problem=token_rejected',
              contentType: 'application/x-www-form-urlencoded',
            },
          },
        },
      },
      status: 502,
      code: 'fetch_token_denied',
    },
    {
      name: 'access token endpoint answers 500',
      provider: { quirks: { failure: { accessToken: 'server_error' } } },
      status: 502,
      code: 'fetch_token_denied',
    },
    {
      name: 'access token endpoint answers 503',
      provider: { quirks: { failure: { accessToken: 'unavailable' } } },
      status: 502,
      code: 'fetch_token_denied',
    },
    {
      name: 'access token endpoint answers HTML',
      provider: { quirks: { failure: { accessToken: 'html' } } },
      status: 502,
      code: 'invalid_token_response',
    },
    {
      name: 'access token endpoint answers a token without secret',
      provider: { quirks: { failure: { accessToken: 'malformed' } } },
      status: 502,
      code: 'invalid_token_response',
    },
    {
      name: 'access token endpoint answers an empty body',
      provider: { quirks: { failure: { accessToken: 'empty' } } },
      status: 502,
      code: 'invalid_token_response',
    },
    {
      name: 'access token endpoint answers 2 MiB',
      provider: { quirks: { failure: { accessToken: 'oversized' } } },
      status: 502,
      code: 'invalid_token_response',
    },
    {
      name: 'access token endpoint is too slow',
      provider: { quirks: { delay: { accessToken: 5_000 } } },
      register: { timeout: 200 },
      status: 504,
      code: 'request_timeout',
    },
  ]
  for (const c of cases) {
    it(`callback: ${c.name} → ${c.status} ${c.code}`, async () => {
      const { agent } = await setup({
        provider: c.provider,
        ...(c.register ? { register: c.register } : {}),
      })
      const { location } = await login(agent)
      const res = await agent.get(await approve(location))
      expect(res.status).toBe(c.status)
      expect(res.text).toContain(c.code)
    })
  }

  // The exchange failed, but the pending login was used up all the same: a replay (a
  // reload of the callback page, a retry) must not reach the provider with it again.
  const failedExchanges = cases.filter((c) => c.code === 'fetch_token_denied') // 401, 500, 503
  for (const c of failedExchanges) {
    for (const variant of [
      { name: 'express-session', setup: {} },
      {
        name: 'cookie-session, sealed',
        setup: { sessions: 'cookie-session', middleware: { secret: SEALING_SECRET } } as Setup,
      },
    ]) {
      it(`after ${c.name}, replaying the callback → 400 missing_temporary_credential, provider not asked (${variant.name})`, async () => {
        const { agent, provider } = await setup({ ...variant.setup, provider: c.provider })
        const { location } = await login(agent)
        const callback = await approve(location)
        const failed = await agent.get(callback)
        expect(failed.status).toBe(502)
        expect(failed.text).toContain('fetch_token_denied')
        const exchanges = provider.requests.filter((r) => r.endpoint === 'accessToken').length
        expect(exchanges).toBeGreaterThan(0)
        const replay = await agent.get(callback)
        expect(replay.status).toBe(400)
        expect(replay.text).toContain('missing_temporary_credential')
        expect(provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(
          exchanges,
        )
      })
    }
  }

  const loginCases: {
    name: string
    provider: TestProviderOptions
    register?: Record<string, unknown>
    status: number
    code: string
  }[] = [
    {
      name: 'request token endpoint answers 500',
      provider: { quirks: { failure: { requestToken: 'server_error' } } },
      status: 502,
      code: 'fetch_token_denied',
    },
    {
      name: 'request token endpoint answers HTML',
      provider: { quirks: { failure: { requestToken: 'html' } } },
      status: 502,
      code: 'invalid_token_response',
    },
    {
      name: 'no oauth_callback_confirmed',
      provider: { quirks: { callbackConfirmed: 'omit' } },
      status: 502,
      code: 'callback_not_confirmed',
    },
    {
      name: 'request token endpoint is too slow',
      provider: { quirks: { delay: { requestToken: 5_000 } } },
      register: { timeout: 200 },
      status: 504,
      code: 'request_timeout',
    },
  ]
  for (const c of loginCases) {
    it(`login: ${c.name} → ${c.status} ${c.code}, and no redirect`, async () => {
      const { agent } = await setup({
        provider: c.provider,
        ...(c.register ? { register: c.register } : {}),
      })
      const res = await agent.get('/login')
      expect(res.status).toBe(c.status)
      expect(res.text).toContain(c.code)
      expect(res.headers.location).toBeUndefined()
    })
  }
})

describe('bad input never gives a 500', () => {
  it('answers 4xx to malformed, duplicated, nested and huge callback queries', async () => {
    const { agent, provider } = await setup()
    const { oauthToken } = await login(agent)
    const t = encodeURIComponent(oauthToken)
    const queries = [
      '',
      '?',
      '?oauth_verifier=abc',
      `?oauth_token=${t}`,
      `?oauth_token=${t}&oauth_verifier=`,
      `?oauth_token=${t}&oauth_token=${t}&oauth_verifier=abc`,
      `?oauth_token=x&oauth_token=${t}&oauth_verifier=abc`,
      `?oauth_token[]=${t}&oauth_verifier=abc`,
      `?oauth_token[a]=${t}&oauth_verifier=abc`,
      '?oauth_token=%zz&oauth_verifier=%',
      '?oauth_token=%E0%A4%A&oauth_verifier=%C0%AF',
      '?%=%&&&==',
      `?oauth_token=${'a'.repeat(12_000)}&oauth_verifier=b`,
      `?denied=${'d'.repeat(8_000)}`,
      '?oauth_problem=user_refused',
      '?oauth_token=__proto__&oauth_verifier=x',
      '?oauth_token=constructor&oauth_verifier=x',
    ]
    for (const query of queries) {
      const res = await agent.get(`/authorize${query}`)
      expect(res.status, query).toBeGreaterThanOrEqual(400)
      expect(res.status, query).toBeLessThan(500)
    }
    // none of them reached the token endpoint
    expect(provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(0)
  })

  it('stores no session for a stranger sending garbage callbacks', async () => {
    const store = new session.MemoryStore()
    const { url } = await setup({ store })
    for (const query of [
      '',
      '?oauth_token=x&oauth_verifier=y',
      '?denied=x',
      '?oauth_token=a&oauth_token=b',
    ]) {
      const res = await request(url).get(`/authorize${query}`)
      expect(res.status).toBe(query === '?denied=x' ? 403 : 400)
      expect(setCookies(res.headers)).toEqual([])
    }
    const count = await new Promise<number>((resolve, reject) =>
      store.length((err, n) => (err ? reject(err) : resolve(n ?? 0))),
    )
    expect(count).toBe(0)
  })

  it('persists the removal of a pending login its failed callback consumed', async () => {
    const { agent } = await setup()
    const { oauthToken, location } = await login(agent)
    const callback = await approve(location)
    const t = encodeURIComponent(oauthToken)
    const noVerifier = await agent.get(`/authorize?oauth_token=${t}`)
    expect(noVerifier.status).toBe(400)
    expect(noVerifier.text).toContain('missing_verifier')
    // the real callback now fails too: the pending login was used up by the bad one
    const late = await agent.get(callback)
    expect(late.status).toBe(400)
    expect(late.text).toContain('missing_temporary_credential')
  })

  it('answers 400 to a login whose Host header cannot make an absolute callback', async () => {
    const { url, provider } = await setup()
    const res = await request(url).get('/login').set('Host', 'evil.example/x')
    expect(res.status).toBe(400)
    expect(provider.requests).toHaveLength(0)
  })
})

describe('a missing session, through the default error handler', () => {
  it('answers every request with the start-up error, naming what to install and where', async () => {
    const oauth = new OAuth({ config: {} })
    const app = express()
    app.use(oauth.middleware())
    app.get('/', (_req, res) => {
      res.send('ok')
    })
    const res = await request(await serve(app)).get('/')
    expect(res.status).toBe(500)
    // the default handler shows the stack outside production, HTML-escaped
    expect(res.text).toContain('app.use(session({ ... })) BEFORE app.use(oauth.middleware())')
    expect(MISSING_SESSION_MESSAGE).toContain('npm install express-session')
  })
})

describe('options.store: pending logins in a server-side store, the binding id in the session', () => {
  /** The session cookie of a browser that has started one login (it has its session). */
  async function browserWithSession(url: string) {
    const res = await fetch(`${url}/login`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    const cookie = res.headers
      .getSetCookie()
      .map((line) => line.split(';', 1)[0])
      .join('; ')
    expect(cookie).not.toBe('')
    return cookie
  }

  it('keeps only the binding id in the session, the login in the store, gone after the callback', async () => {
    const sessions = new session.MemoryStore()
    const server = createMemoryServerStore()
    const { agent } = await setup({ store: sessions, middleware: { store: server } })
    const { location, oauthToken } = await login(agent)
    const all = () =>
      new Promise<Record<string, Record<string, unknown>>>((resolve, reject) =>
        sessions.all((err, found) => (err ? reject(err) : resolve((found ?? {}) as never))),
      )
    const [saved] = Object.values(await all())
    const id = saved!.oauth1
    expect(isBindingId(id)).toBe(true)
    expect(JSON.stringify(saved)).not.toContain(oauthToken)
    const pending = await server.forBinding(id as string).get(`provider:${oauthToken}`)
    expect(pending).toMatchObject({ oauth_token: oauthToken })
    expect((await agent.get(await approve(location))).status).toBe(200)
    expect(await server.forBinding(id as string).get(`provider:${oauthToken}`)).toBeNull()
    // the same id keeps serving this browser's next logins
    expect(Object.values(await all())[0]!.oauth1).toBe(id)
  })

  for (const sessions of ['express-session', 'cookie-session'] as const) {
    it(`completes 8 logins one browser starts at the same moment (${sessions})`, async () => {
      const { url } = await setup({ sessions, middleware: { store: createMemoryServerStore() } })
      const cookie = await browserWithSession(url)
      const starts = await Promise.all(
        Array.from({ length: 8 }, () =>
          fetch(`${url}/login`, { headers: { cookie }, redirect: 'manual' }),
        ),
      )
      const callbacks = await Promise.all(
        starts.map((res) => {
          expect(res.status).toBe(302)
          return approve(new URL(res.headers.get('location')!))
        }),
      )
      const done = await Promise.all(
        callbacks.map((cb) => fetch(`${url}${cb}`, { headers: { cookie }, redirect: 'manual' })),
      )
      expect(done.map((r) => r.status)).toEqual(Array(8).fill(200))
    })

    it(`answers the same callback sent 10 times at once exactly once (${sessions})`, async () => {
      const { url, provider } = await setup({
        sessions,
        middleware: { store: createMemoryServerStore() },
      })
      const cookie = await browserWithSession(url)
      const started = await fetch(`${url}/login`, { headers: { cookie }, redirect: 'manual' })
      const callback = await approve(new URL(started.headers.get('location')!))
      const exchanges = () => provider.requests.filter((r) => r.endpoint === 'accessToken').length
      const before = exchanges()
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(`${url}${callback}`, { headers: { cookie }, redirect: 'manual' }),
        ),
      )
      const statuses = answers.map((r) => r.status).sort()
      expect(statuses).toEqual([200, ...Array(9).fill(400)])
      for (const r of answers.filter((a) => a.status === 400)) {
        expect(await r.text()).toContain('missing_temporary_credential')
      }
      expect(exchanges() - before).toBe(1)
    })
  }

  it('answers 503 store_unavailable, not 500, when the store is down, at /login and on the callback', async () => {
    const redis = createSwitchableStore(createMemoryServerStore())
    const { agent } = await setup({ middleware: { store: redis.store } })
    const { location } = await login(agent)
    const callback = await approve(location)
    redis.down = true
    const refused = await agent.get('/login')
    expect(refused.status).toBe(503)
    expect(refused.text).toContain('store_unavailable')
    const failed = await agent.get(callback)
    expect(failed.status).toBe(503)
    redis.down = false
    // back up: the login was not consumed by the failed callback, and completes
    expect((await agent.get(callback)).status).toBe(200)
  })
})

describe('a session store that fails', () => {
  it('answers 503 store_unavailable, not 500, when express-session cannot save the pending login, and a server-side store that throws a plain Error the same', async () => {
    class FailingStore extends session.MemoryStore {
      override set(_sid: string, _data: session.SessionData, callback?: (err?: unknown) => void) {
        callback?.(new Error('ECONNREFUSED: the session database is down'))
      }
    }
    const failing = await setup({ store: new FailingStore() })
    const refused = await failing.agent.get('/login')
    expect(refused.status).toBe(503)
    expect(refused.text).toContain(
      'store_unavailable: The session store failed to save the session',
    )

    const plain = createSwitchableStore(createMemoryServerStore(), () => new Error('ECONNRESET'))
    const flaky = await setup({ middleware: { store: plain.store } })
    const { location } = await login(flaky.agent)
    const callback = await approve(location)
    plain.down = true
    const atLogin = await flaky.agent.get('/login')
    expect(atLogin.status).toBe(503)
    expect(atLogin.text).toContain(
      'store_unavailable: The temporary-credential store failed to keep the temporary credential',
    )
    const atCallback = await flaky.agent.get(callback)
    expect(atCallback.status).toBe(503)
    plain.down = false
    expect((await flaky.agent.get(callback)).status).toBe(200)
  })
})

describe('an API call that cannot reach the provider', () => {
  it("answers 502 request_failed from Express's default handler, not 500", async () => {
    // a port that was just listening and is closed now: connection refused
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo
        probe.close(() => resolve(port))
      })
    })
    const { fetch: _stub, ...registration } = stubProviderRegistration()
    const oauth = new OAuth({ config: {} })
    oauth.register('provider', { ...registration, apiBaseUrl: `http://127.0.0.1:${port}/api/` })
    const app = express()
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(oauth.middleware())
    app.get('/timeline', async (_req, res) => {
      const api = await oauth.provider.get('timeline', { withholdToken: true })
      res.status(api.status).send(await api.text())
    })
    const res = await request(await serve(app)).get('/timeline')
    expect(res.status).toBe(502)
    expect(res.text).toContain('OAuthError: request_failed: Could not reach')
  })
})
