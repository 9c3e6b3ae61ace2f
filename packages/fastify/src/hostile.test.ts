// Hostile callbacks and session cookies, each sent while a REAL login is pending in the
// session: every one must end in a 4xx naming the problem (through Fastify's default error
// handler), must not reach the provider's access-token endpoint, and must leave the pending
// login alone, so the genuine callback still completes afterwards. flow.test.ts covers the
// same kinds of query without a login pending, or without the genuine callback afterwards.
import secureSession from '@fastify/secure-session'
import {
  type HostileCallback,
  hostileCallbacks,
  hostileQueryFromPicks,
  isHostileQueryRefusal,
  tamper,
} from '@oauth1/core/testing'
import { createTestProvider, type TestProvider } from '@oauth1/testing'
import fc from 'fast-check'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sessionKey } from './http.test-helper.js'
import { OAuth, type Token } from './index.js'

const CLIENT = { id: 'fastify-client', secret: 'fastify-client-secret' }
const SEALING_SECRET = 'a-secret-of-at-least-32-characters!!'
/** A request the app has not answered in this time is a hang, not a slow machine. */
const HANG = 10_000

// No unhandled rejection anywhere in this file.
const rejections: unknown[] = []
const onRejection = (reason: unknown) => {
  rejections.push(reason)
}
beforeAll(() => {
  process.on('unhandledRejection', onRejection)
})
afterAll(() => {
  process.off('unhandledRejection', onRejection)
  expect(rejections).toEqual([])
})

type Transport = 'inject' | 'http'

interface Answer {
  status: number
  body: Record<string, unknown>
  location: string | undefined
  setCookies: string[]
}

interface App {
  provider: TestProvider
  fastify: FastifyInstance
  /** `request.url` of every request that reached Fastify. */
  seen: string[]
  /** GET `path` with `cookie` as the Cookie header, through `app.inject()` or a real socket. */
  send(path: string, cookie: string): Promise<Answer>
  close(): Promise<void>
}

/**
 * A provider and a Fastify app on it, with @fastify/secure-session (and the pending logins
 * sealed again when `sealed`): /login, the /authorize callback (answers the token as JSON),
 * and /pending (the keys of the pending logins in the session). No error handler of its
 * own: errors reach Fastify's default one. Over `http`, `maxHeaderSize` is raised so a
 * 64 KiB query reaches the adapter instead of Node's 431.
 */
async function startApp(transport: Transport, sealed = false, key = sessionKey()): Promise<App> {
  const provider = await createTestProvider({
    autoApprove: true,
    clients: [{ ...CLIENT, callbackUrls: [/^https?:\/\/[^/]+\/authorize(\?.*)?$/] }],
  })
  const oauth = new OAuth({ config: {} })
  oauth.register('provider', {
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    requestTokenUrl: provider.requestTokenUrl,
    accessTokenUrl: provider.accessTokenUrl,
    authorizeUrl: provider.authorizeUrl,
  })
  const fastify = Fastify({ logger: false, http: { maxHeaderSize: 1024 * 1024 } })
  await fastify.register(secureSession, { key, cookie: { path: '/', httpOnly: true } })
  await fastify.register(oauth.middleware(sealed ? { secret: SEALING_SECRET } : {}))
  const seen: string[] = []
  fastify.addHook('onRequest', (request, _reply, next) => {
    seen.push(request.url)
    next()
  })
  fastify.get('/login', (request, reply) =>
    oauth.provider.authorizeRedirect(request, reply, '/authorize'),
  )
  fastify.get('/authorize', async (request) => {
    const token: Token = await oauth.provider.authorizeAccessToken(request)
    return { oauth_token: token.oauth_token, user_id: token.user_id }
  })
  fastify.get('/pending', async (request) => Object.keys(request.session.get('oauth1') ?? {}))
  let send: App['send']
  if (transport === 'inject') {
    await fastify.ready()
    send = async (path, cookie) => {
      const res = await fastify.inject({
        method: 'GET',
        url: path,
        headers: cookie === '' ? {} : { cookie },
      })
      const raw = res.headers['set-cookie']
      return {
        status: res.statusCode,
        body: res.body === '' ? {} : (res.json() as Record<string, unknown>),
        location: res.headers.location as string | undefined,
        setCookies: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw],
      }
    }
  } else {
    const base = await fastify.listen({ port: 0, host: '127.0.0.1' })
    send = async (path, cookie) => {
      const res = await fetch(`${base}${path}`, {
        redirect: 'manual',
        headers: cookie === '' ? {} : { cookie },
        signal: AbortSignal.timeout(HANG),
      })
      const text = await res.text()
      return {
        status: res.status,
        body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
        location: res.headers.get('location') ?? undefined,
        setCookies: res.headers.getSetCookie(),
      }
    }
  }
  return {
    provider,
    fastify,
    seen,
    send,
    async close() {
      await fastify.close()
      await provider.close()
    },
  }
}

/** A browser's cookies for the app, kept as sent (still encoded). */
class Browser {
  readonly cookies = new Map<string, string>()
  constructor(readonly app: App) {}

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** GET `path` with these cookies (or `cookie` as the whole Cookie header); keeps what is set. */
  async get(path: string, cookie = this.header()): Promise<Answer> {
    const res = await this.app.send(path, cookie)
    for (const line of res.setCookies) {
      const pair = line.split(';', 1)[0]!
      const eq = pair.indexOf('=')
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)]
      if (value === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(line))
        this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return res
  }
}

/** /login, then the provider (auto-approved): the genuine callback, not yet visited. */
async function startLogin(browser: Browser) {
  const login = await browser.get('/login')
  expect(login.status).toBe(302)
  const location = new URL(login.location!)
  const res = await fetch(location, { redirect: 'manual' })
  expect(res.status).toBe(302)
  const callback = new URL(res.headers.get('location')!)
  const token = callback.searchParams.get('oauth_token')!
  const verifier = callback.searchParams.get('oauth_verifier')!
  expect(token).toBe(location.searchParams.get('oauth_token'))
  expect(token).toMatch(/[a-z]/i) // so that changing its case changes it
  expect(verifier).toBeTruthy()
  return { callback: callback.pathname + callback.search, token, verifier }
}

function exchanges(provider: TestProvider): number {
  return provider.requests.filter((r) => r.endpoint === 'accessToken').length
}

/** Changes one character in the middle of `value` (staying in the base64 alphabet). */
/** `value` with its middle character changed (always to another one). */
function flipMiddle(value: string): string {
  return tamper(value, Math.floor(value.length / 2))
}

const MTC = 'missing_temporary_credential' as const

/**
 * The core's catalogue of hostile callbacks: names and outcomes do not depend on the
 * login, so it is listed once with placeholders to name the tests, then built again
 * from each test's live login.
 */
const CATALOGUE = hostileCallbacks({ token: 'Token', verifier: 'verifier' })
function hostileFor(name: string, login: { token: string; verifier: string }): HostileCallback {
  return hostileCallbacks(login).find((c) => c.name === name)!
}
/** Callbacks that do not name the pending login exactly: they must not touch it. */
const survivable = CATALOGUE.filter((c) => c.keepsPendingLogin)
/** The live token exactly, with a bad verifier: the login is used up. */
const losing = CATALOGUE.filter((c) => !c.keepsPendingLogin)

for (const [transport, sealed] of [
  ['inject', false],
  ['inject', true],
  ['http', false],
] as const) {
  describe(`a hostile callback while a login is pending (${transport}${sealed ? ', sealed' : ''})`, () => {
    let app: App
    beforeAll(async () => {
      app = await startApp(transport, sealed)
    })
    afterAll(() => app.close())

    for (const { name, status, code } of survivable) {
      it(`${name} → ${status} ${code}; the pending login survives and completes`, async () => {
        const browser = new Browser(app)
        const { callback, token, verifier } = await startLogin(browser)
        const c = hostileFor(name, { token, verifier })
        expect(c.contactsProvider).toBe(false)
        expect((await browser.get('/pending')).body).toEqual([`provider:${token}`])
        const before = exchanges(app.provider)

        const path = `/authorize?${c.query}`
        const res = await browser.get(path)
        // It reached Fastify as sent, bar an empty `?`: Node 20 and 22's fetch drop it, 24's keeps it.
        expect(app.seen.at(-1)?.replace(/\?$/, '')).toBe(path.replace(/\?$/, ''))
        expect(res.status).toBe(c.status)
        expect(res.body).toMatchObject({ statusCode: c.status, code: c.code })
        expect(exchanges(app.provider)).toBe(before)
        expect((await browser.get('/pending')).body).toEqual([`provider:${token}`])

        const done = await browser.get(callback)
        expect(done.status).toBe(200)
        expect(done.body).toEqual({ oauth_token: expect.any(String), user_id: '1001' })
        expect(exchanges(app.provider)).toBe(before + 1)
        expect((await browser.get('/pending')).body).toEqual([])
      })
    }

    it('refuses every one of them in a row against one pending login, which then completes', async () => {
      const browser = new Browser(app)
      const { callback, token, verifier } = await startLogin(browser)
      const before = exchanges(app.provider)
      for (const c of hostileCallbacks({ token, verifier }).filter((c) => c.keepsPendingLogin)) {
        const res = await browser.get(`/authorize?${c.query}`)
        expect(res.status, c.name).toBe(c.status)
      }
      expect(exchanges(app.provider)).toBe(before)
      expect((await browser.get(callback)).status).toBe(200)
    })

    // A property (fast-check): random queries of the core's hostile parts. fast-check prints
    // the seed of a failure; FC_SEED=<seed> replays it.
    it('random hostile queries: each a 4xx with its code (502 for an unknown oauth_problem), no exchange; the login then completes', async () => {
      const browser = new Browser(app)
      const { callback, token, verifier } = await startLogin(browser)
      const before = exchanges(app.provider)
      const query = fc
        .array(fc.nat(), { maxLength: 18 })
        .map((picks) => hostileQueryFromPicks({ token, verifier }, picks))
      await fc.assert(
        fc.asyncProperty(query, async (q) => {
          const res = await browser.get(`/authorize?${q}`)
          expect(isHostileQueryRefusal(q, res.status), `${q} → ${res.status}`).toBe(true)
          expect(res.body, q).toMatchObject({ statusCode: res.status, code: expect.any(String) })
          expect(exchanges(app.provider), q).toBe(before)
        }),
        { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20261205) },
      )
      expect((await browser.get(callback)).status).toBe(200)
    })
  })
}

describe('a session cookie that fails to decrypt never gives a 500', () => {
  /** Each in place of the session cookie of a browser with a login pending (URL-encoded, as sent). */
  const garbage: [string, (cookie: string, foreign: string) => string][] = [
    [
      'one byte of the ciphertext changed',
      (c) => flipMiddle(c.split('%3B')[0]!) + c.slice(c.indexOf('%3B')),
    ],
    [
      'one byte of the nonce changed',
      (c) => c.slice(0, c.indexOf('%3B') + 3) + flipMiddle(c.split('%3B')[1]!),
    ],
    ['a cookie of the same app under another key', (_c, foreign) => foreign],
    ['no separator', (c) => c.replace('%3B', '')],
    ['the separator alone', () => '%3B'],
    ['a nonce of the wrong length', (c) => `${c.split('%3B')[0]}%3BAAAA`],
    ['a ciphertext shorter than the MAC', (c) => `AAAA%3B${c.split('%3B')[1]}`],
    ['invalid percent-encoding', () => '%E0%A4%A'],
    ['non-UTF-8 bytes and a NUL', () => '%FF%FE%00%3B%FF'],
    ['an 8 KiB cookie', () => `${'A'.repeat(8 * 1024)}%3B${'B'.repeat(32)}`],
  ]

  let app: App
  let foreign: string
  beforeAll(async () => {
    app = await startApp('inject')
    // a genuine cookie of this app's code, sealed with another key (a rotated or other deployment)
    const other = await startApp('inject')
    const browser = new Browser(other)
    await startLogin(browser)
    foreign = browser.cookies.get('session')!
    await other.close()
  })
  afterAll(() => app.close())

  for (const [what, make] of garbage) {
    for (const cookieFirst of [false, true]) {
      const header = (value: string, real: string) =>
        cookieFirst ? `session=${value}; session=${real}` : `session=${value}`
      it(`${what}${cookieFirst ? ' (sent before the real cookie)' : ''} → callback 400 missing_temporary_credential, login 302 with a fresh session`, async () => {
        const browser = new Browser(app)
        const { callback } = await startLogin(browser)
        const real = browser.cookies.get('session')!
        const cookie = header(make(real, foreign), real)
        const before = exchanges(app.provider)

        // the genuine callback, with the garbage cookie: nothing pending in that session
        const refused = await browser.get(callback, cookie)
        expect(refused.status).toBe(400)
        expect(refused.body).toMatchObject({ statusCode: 400, code: MTC })
        expect(exchanges(app.provider)).toBe(before)
        expect(refused.setCookies).toEqual([]) // nothing written over the browser's cookie

        // a login with the garbage cookie starts over in a fresh session, which completes
        const fresh = new Browser(app)
        const login = await fresh.get('/login', cookie)
        expect(login.status).toBe(302)
        expect(fresh.cookies.get('session')).toBeTruthy()
        const back = await fetch(login.location!, { redirect: 'manual' })
        const freshCallback = new URL(back.headers.get('location')!)
        expect((await fresh.get(freshCallback.pathname + freshCallback.search)).status).toBe(200)

        // and the browser's own cookie still holds its login
        expect((await browser.get(callback)).status).toBe(200)
      })
    }
  }
})

describe('a callback naming the live token with a bad verifier', () => {
  // Not a forgery of someone else's login: it carries this login's exact token, so the core
  // treats it as this login's callback and uses the login up (single use). It must still
  // never be a 500, the removal must reach the cookie, and the provider is asked only when
  // the verifier looks usable.
  for (const { name, status, code, contactsProvider } of losing) {
    it(`${name} → ${status} ${code}, ${contactsProvider ? 'provider asked' : 'provider not asked'}; the login is used up (400 after, not 500)`, async () => {
      const app = await startApp('inject')
      try {
        const browser = new Browser(app)
        const { callback, token, verifier } = await startLogin(browser)
        const c = hostileFor(name, { token, verifier })
        const res = await browser.get(`/authorize?${c.query}`)
        expect(res.status).toBe(c.status)
        expect(res.body).toMatchObject({ statusCode: c.status, code: c.code })
        expect(exchanges(app.provider)).toBe(c.contactsProvider ? 1 : 0)
        expect((await browser.get('/pending')).body).toEqual([])
        const late = await browser.get(callback)
        expect(late.status).toBe(400)
        expect(late.body).toMatchObject({ code: MTC })
      } finally {
        await app.close()
      }
    })
  }
})
