// Hostile callbacks and session cookies, each sent while a REAL login is pending in the
// session: every one must end in a 4xx naming the problem (through Express's default error
// handler), must not reach the provider's access-token endpoint, and must leave the pending
// login alone, so the genuine callback still completes afterwards. flow.test.ts covers the
// same kinds of query without a login pending, or without the genuine callback afterwards.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type HostileCallback,
  hostileCallbacks,
  hostileQueryFromPicks,
  isHostileQueryRefusal,
  tamper,
} from '@oauth1/core/testing'
import { createTestProvider, type TestProvider } from '@oauth1/testing'
import cookieSession from 'cookie-session'
import express from 'express'
import session from 'express-session'
import fc from 'fast-check'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OAuth } from './index.js'

const SESSION_SECRET = 'a session secret of at least 32 characters'
const SEALING_SECRET = 'an oauth1 sealing secret, 32+ characters long'
/** A request the app has not answered in this time is a hang, not a slow machine. */
const HANG = 10_000

// No unhandled rejection anywhere in this file (a handler that throws after answering,
// a session save nobody awaits…).
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

type Sessions = 'express-session' | 'cookie-session'

interface App {
  provider: TestProvider
  url: string
  /** `req.originalUrl` of every request that reached Express. */
  seen: string[]
  close(): Promise<void>
}

/**
 * A provider and an Express app on it, with express-session, or cookie-session with
 * the pending logins sealed. /login, the /authorize callback (GET or POST; answers the token as JSON),
 * and /pending (the keys of the pending logins in the session). No error handler of
 * its own: errors reach Express's default one. `maxHeaderSize` is raised so that a 64 KiB
 * query reaches the adapter instead of Node's 431.
 */
async function startApp(sessions: Sessions, maxHeaderSize = 1024 * 1024): Promise<App> {
  const provider = await createTestProvider({ autoApprove: true })
  const oauth = new OAuth({ config: {} })
  oauth.register('provider', {
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    requestTokenUrl: provider.requestTokenUrl,
    accessTokenUrl: provider.accessTokenUrl,
    authorizeUrl: provider.authorizeUrl,
  })
  const seen: string[] = []
  const app = express()
  app.use((req, _res, next) => {
    seen.push(req.originalUrl)
    next()
  })
  if (sessions === 'cookie-session') {
    app.use(cookieSession({ name: 'session', keys: [SESSION_SECRET] }))
    app.use(oauth.middleware({ secret: SEALING_SECRET }))
  } else {
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(oauth.middleware())
  }
  app.get('/login', (req, res) => oauth.provider.authorizeRedirect(req, res, '/authorize'))
  // POST too, with the form parsed (extended: qs), as an app taking POST callbacks would
  app.all('/authorize', express.urlencoded({ extended: true }), async (req, res) => {
    const token = await oauth.provider.authorizeAccessToken(req)
    res.json({ oauth_token: token.oauth_token, user_id: token.user_id })
  })
  app.get('/pending', (req, res) => {
    const record = (req.session as unknown as Record<string, unknown> | null)?.oauth1
    res.json(Object.keys(record ?? {}))
  })
  const server: Server = createServer({ maxHeaderSize }, app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    provider,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await provider.close()
    },
  }
}

/** A browser's cookies for one site, kept as sent (still encoded). */
class Browser {
  readonly cookies = new Map<string, string>()
  constructor(readonly base: string) {}

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** GET `path` with these cookies (or `cookie` as the whole Cookie header); keeps what is set. */
  async get(path: string, cookie = this.header()) {
    const pending = request(this.base).get(path).redirects(0).timeout(HANG)
    if (cookie !== '') pending.set('Cookie', cookie)
    const res = await pending
    const raw = res.headers['set-cookie'] as string[] | string | undefined
    for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      const pair = line.split(';', 1)[0]!
      const eq = pair.indexOf('=')
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)]
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return res
  }
}

/** /login, then the provider (auto-approved): the genuine callback, not yet visited. */
async function startLogin(browser: Browser) {
  const login = await browser.get('/login')
  expect(login.status).toBe(302)
  const location = new URL(login.headers.location as string)
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

/** Changes one character in the middle of `value` (staying in the base64url alphabet). */
/** `value` with its middle character changed (always to another one). */
function flipMiddle(value: string): string {
  return tamper(value, Math.floor(value.length / 2))
}

const e = encodeURIComponent
const MANY = 10_000

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

for (const sessions of ['express-session', 'cookie-session'] as const) {
  describe(`a hostile callback while a login is pending (${sessions}${sessions === 'cookie-session' ? ', sealed' : ''})`, () => {
    let app: App
    beforeAll(async () => {
      app = await startApp(sessions)
    })
    afterAll(() => app.close())

    for (const { name, status, code } of survivable) {
      it(`${name} → ${status} ${code}; the pending login survives and completes`, async () => {
        const browser = new Browser(app.url)
        const { callback, token, verifier } = await startLogin(browser)
        const c = hostileFor(name, { token, verifier })
        expect(c.contactsProvider).toBe(false)
        expect((await browser.get('/pending')).body).toEqual([`provider:${token}`])
        const before = exchanges(app.provider)

        const path = `/authorize?${c.query}`
        const res = await browser.get(path)
        expect(app.seen.at(-1)).toBe(path.replace(/\?$/, '')) // it reached Express as sent
        expect(res.status).toBe(c.status)
        // the default error handler shows `OAuthError: <code>: <description>`
        expect(res.text).toContain(`OAuthError: ${c.code}: `)
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
      const browser = new Browser(app.url)
      const { callback, token, verifier } = await startLogin(browser)
      const before = exchanges(app.provider)
      for (const c of hostileCallbacks({ token, verifier }).filter((c) => c.keepsPendingLogin)) {
        const res = await browser.get(`/authorize?${c.query}`)
        expect(res.status, c.name).toBe(c.status)
      }
      expect(exchanges(app.provider)).toBe(before)
      expect((await browser.get(callback)).status).toBe(200)
    })

    // A property (fast-check): random queries of the core's hostile parts (qs-style arrays and
    // objects, __proto__, overlong and surrogate escapes…), GET or POST with a form body naming
    // the live login. fast-check prints the seed of a failure; FC_SEED=<seed> replays it.
    it('random hostile queries: each a 4xx naming the code (502 for an unknown oauth_problem), no exchange; the login then completes', async () => {
      const browser = new Browser(app.url)
      const { callback, token, verifier } = await startLogin(browser)
      const before = exchanges(app.provider)
      const query = fc
        .array(fc.nat(), { maxLength: 18 })
        .map((picks) => hostileQueryFromPicks({ token, verifier }, picks))
      const form = `oauth_token=${encodeURIComponent(token)}&oauth_verifier=${encodeURIComponent(verifier)}`
      await fc.assert(
        fc.asyncProperty(query, fc.boolean(), async (q, post) => {
          const pending = post
            ? request(app.url)
                .post(`/authorize?${q}`)
                .type('form')
                .send(form)
                .set('Cookie', browser.header())
                .redirects(0)
                .timeout(HANG)
            : browser.get(`/authorize?${q}`)
          const res = await pending
          expect(isHostileQueryRefusal(q, res.status), `${q} → ${res.status}`).toBe(true)
          expect(res.text, q).toMatch(/OAuthError: [a-z_]+: /)
          expect(exchanges(app.provider), q).toBe(before)
        }),
        { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20261205) },
      )
      expect((await browser.get(callback)).status).toBe(200)
    })
  })
}

describe('a 64 KiB callback at Node’s default header limit', () => {
  it('is refused by Node before Express (431, or a reset), and the pending login still completes', async () => {
    const app = await startApp('express-session', 16 * 1024)
    try {
      const browser = new Browser(app.url)
      const { callback, token, verifier } = await startLogin(browser)
      const before = exchanges(app.provider)
      for (const query of [
        `oauth_token=${'a'.repeat(64 * 1024)}&oauth_verifier=${e(verifier)}`,
        `${'p=1&'.repeat(MANY)}oauth_token=${e(token)}&oauth_verifier=${e(verifier)}`,
      ]) {
        // 431, or the reset that can reach a client still sending 64 KiB first
        // (Node closes as it answers; Node 24's and 26's http client always sees the reset)
        const refused = await browser.get(`/authorize?${query}`).then(
          (res) => res.status,
          (error: { code?: unknown }) => error.code,
        )
        expect([431, 'ECONNRESET', 'EPIPE']).toContain(refused)
      }
      expect(app.seen.filter((u) => u.startsWith('/authorize'))).toEqual([])
      expect(exchanges(app.provider)).toBe(before)
      expect((await browser.get(callback)).status).toBe(200)
    } finally {
      await app.close()
    }
  })
})

describe('a garbage or tampered session cookie never gives a 500', () => {
  /** Each in place of the session cookie(s) of a browser with a login pending. */
  const cookieSessionGarbage: [string, (session: string, sig: string) => string][] = [
    [
      'one byte of the session cookie changed',
      (s, sig) => `session=${flipMiddle(s)}; session.sig=${sig}`,
    ],
    [
      'one byte of the signature changed',
      (s, sig) => `session=${s}; session.sig=${flipMiddle(sig)}`,
    ],
    ['the session cookie without its signature', (s) => `session=${s}`],
    [
      'the session cookie cut in half',
      (s, sig) => `session=${s.slice(0, s.length >> 1)}; session.sig=${sig}`,
    ],
    ['invalid percent-encoding', () => 'session=%E0%A4%A; session.sig=%zz'],
    ['non-UTF-8 bytes', () => 'session=%FF%FE; session.sig=%FF%FE'],
    [
      'base64 of something not JSON, unsigned',
      () => `session=${Buffer.from('\u0000not json').toString('base64')}`,
    ],
    ['an 8 KiB cookie', () => `session=${'A'.repeat(8 * 1024)}; session.sig=${'B'.repeat(27)}`],
  ]
  for (const [what, garbage] of cookieSessionGarbage) {
    it(`cookie-session, sealed: ${what} → callback 400 missing_temporary_credential, login 302 with a fresh session`, async () => {
      const app = await startApp('cookie-session')
      try {
        const browser = new Browser(app.url)
        const { callback } = await startLogin(browser)
        const untampered = browser.header()
        const cookie = garbage(browser.cookies.get('session')!, browser.cookies.get('session.sig')!)
        const before = exchanges(app.provider)

        // the genuine callback, with the garbage cookie: nothing pending in that session
        const refused = await browser.get(callback, cookie)
        expect(refused.status).toBe(400)
        expect(refused.text).toContain('OAuthError: missing_temporary_credential: ')
        expect(exchanges(app.provider)).toBe(before)

        // a login with the garbage cookie starts over in a fresh session, which completes
        const fresh = new Browser(app.url)
        const login = await fresh.get('/login', cookie)
        expect(login.status).toBe(302)
        expect(fresh.cookies.get('session')).toBeTruthy()
        const back = await fetch(login.headers.location as string, { redirect: 'manual' })
        const freshCallback = new URL(back.headers.get('location')!)
        expect((await fresh.get(freshCallback.pathname + freshCallback.search)).status).toBe(200)

        // Nothing was lost on the server: the untampered cookie still holds the first login.
        // (A browser that got the refusal has lost it, though: on a bad signature the `cookies`
        // library under cookie-session answers with an expired session.sig. Whoever can write
        // a victim's cookie can delete it anyway.)
        expect((await browser.get(callback, untampered)).status).toBe(200)
      } finally {
        await app.close()
      }
    })
  }

  const expressSessionGarbage: [string, (sid: string) => string][] = [
    ['one byte of the session id changed', (sid) => `connect.sid=${flipMiddle(sid)}`],
    ['an unsigned session id', (sid) => `connect.sid=${sid.replace(/^s%3A/, '').split('.')[0]}`],
    ['invalid percent-encoding', () => 'connect.sid=%E0%A4%A'],
    ['non-UTF-8 bytes and a NUL', () => 'connect.sid=s%3A%FF%FE%00.x'],
    ['the cookie twice, garbage first', (sid) => `connect.sid=s%3Agarbage.sig; connect.sid=${sid}`],
  ]
  for (const [what, garbage] of expressSessionGarbage) {
    it(`express-session: ${what} → callback 400 missing_temporary_credential, login 302`, async () => {
      const app = await startApp('express-session')
      try {
        const browser = new Browser(app.url)
        const { callback } = await startLogin(browser)
        const cookie = garbage(browser.cookies.get('connect.sid')!)
        const before = exchanges(app.provider)
        const refused = await browser.get(callback, cookie)
        expect(refused.status).toBe(400)
        expect(refused.text).toContain('OAuthError: missing_temporary_credential: ')
        expect(exchanges(app.provider)).toBe(before)
        const login = await new Browser(app.url).get('/login', cookie)
        expect(login.status).toBe(302)
        expect((await browser.get(callback)).status).toBe(200)
      } finally {
        await app.close()
      }
    })
  }
})

describe('a callback naming the live token with a bad verifier', () => {
  // Not a forgery of someone else's login: it carries this login's exact token, so the core
  // treats it as this login's callback and uses the login up (single use, see flow.test.ts
  // "persists the removal…"). It must still never be a 500, and the provider is asked only
  // when the verifier looks usable.
  for (const { name, status, code, contactsProvider } of losing) {
    it(`${name} → ${status} ${code}, ${contactsProvider ? 'provider asked' : 'provider not asked'}; the login is used up (400 after, not 500)`, async () => {
      const app = await startApp('express-session')
      try {
        const browser = new Browser(app.url)
        const { callback, token, verifier } = await startLogin(browser)
        const c = hostileFor(name, { token, verifier })
        const res = await browser.get(`/authorize?${c.query}`)
        expect(res.status).toBe(c.status)
        expect(res.text).toContain(`OAuthError: ${c.code}: `)
        expect(exchanges(app.provider)).toBe(c.contactsProvider ? 1 : 0)
        expect((await browser.get('/pending')).body).toEqual([])
        const late = await browser.get(callback)
        expect(late.status).toBe(400)
        expect(late.text).toContain('OAuthError: missing_temporary_credential: ')
      } finally {
        await app.close()
      }
    })
  }
})
