/**
 * Hostile callbacks and cookies against a REAL pending login: each test starts
 * a login (the koa-session cookie then holds a sealed temporary credential),
 * sends one hostile request, and checks that it ends in a 4xx OAuthError
 * through Koa's DEFAULT error handler, that the provider's access-token
 * endpoint was never contacted, and that the genuine callback still completes
 * afterwards with the cookies the browser then holds.
 *
 * flow.test.ts already checks that such queries give a 4xx; this file checks
 * that they lose nothing.
 */
import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import {
  type HostileCallback,
  type HostilePendingLogin,
  hostileCallbacks,
  hostileQueryFromPicks,
  isHostileQueryRefusal,
  tamper,
} from '@oauth1/core/testing'
import { createTestProvider, type TestProvider } from '@oauth1/testing'
import fc from 'fast-check'
import Koa from 'koa'
import session from 'koa-session'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isOAuthError, OAuth, type OAuthErrorCode, SESSION_KEY } from './index.js'

const KEYS = ['koa-session-signing-key-0123456789abcdef']

// --- no unhandled rejection during the whole file --------------------------
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason)
}
process.on('unhandledRejection', onUnhandled)
afterAll(() => {
  process.off('unhandledRejection', onUnhandled)
  expect(unhandled).toEqual([])
})

// --- one provider, one app --------------------------------------------------
let provider: TestProvider
let server: Server
let defaultLimits: Server
/** Errors Koa's default handler saw, in order. */
const errors: unknown[] = []
/** URLs the client fetched at the provider's access-token endpoint. */
const accessTokenCalls: string[] = []
/** The raw query string of each request the callback route saw. */
const seenQueries: string[] = []

function serve(app: Koa, maxHeaderSize?: number): Promise<Server> {
  const s =
    maxHeaderSize === undefined
      ? createServer(app.callback())
      : createServer({ maxHeaderSize }, app.callback())
  return new Promise((resolve, reject) => {
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => resolve(s))
  })
}

function close(s: Server | undefined): Promise<void> {
  if (s === undefined) return Promise.resolve()
  s.closeAllConnections()
  return new Promise((resolve) => s.close(() => resolve()))
}

beforeAll(async () => {
  provider = await createTestProvider({ autoApprove: true })
  const oauth = new OAuth({ config: {} })
  const countingFetch: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input)
    if (url.startsWith(provider.accessTokenUrl)) accessTokenCalls.push(url)
    return fetch(input, init)
  }
  oauth.register('provider', {
    clientId: provider.client.id,
    clientSecret: provider.client.secret as string,
    requestTokenUrl: provider.requestTokenUrl,
    accessTokenUrl: provider.accessTokenUrl,
    authorizeUrl: provider.authorizeUrl,
    fetch: countingFetch,
  })
  const app = new Koa()
  app.keys = KEYS
  app.silent = true
  app.on('error', (err) => errors.push(err))
  app.use(session(app))
  app.use(oauth.middleware())
  app.use(async (ctx) => {
    if (ctx.path === '/login') return oauth.provider.authorizeRedirect(ctx, '/authorize')
    if (ctx.path === '/authorize') {
      seenQueries.push(ctx.querystring)
      const token = await oauth.provider.authorizeAccessToken(ctx)
      ctx.body = {
        user_id: token.user_id,
        has_token: token.oauth_token !== '' && token.oauth_token_secret !== '',
      }
      return
    }
    ctx.status = 404
  })
  // A 64 KiB token or 10,000 parameters exceed Node's default 16 KiB header
  // limit (Node answers 431 before Koa runs): raise it so they reach the adapter.
  server = await serve(app, 1024 * 1024)
  defaultLimits = await serve(app)
})

afterAll(async () => {
  await close(server)
  await close(defaultLimits)
  await provider?.close()
})

// --- a browser --------------------------------------------------------------

/** The cookies a browser keeps: set, replaced and expired by each response. */
class Browser {
  readonly cookies = new Map<string, string>()

  keep(res: request.Response): request.Response {
    const headers = res.headers['set-cookie'] as string[] | string | undefined
    for (const header of headers === undefined ? [] : [headers].flat()) {
      const [pair = '', ...attributes] = header.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      let expired = value === ''
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=').map((s) => s.trim())
        if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true
      }
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return res
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async get(path: string, target: Server = server): Promise<request.Response> {
    const req = request(target).get(path)
    if (this.cookies.size > 0) req.set('Cookie', this.header())
    return this.keep(await req)
  }
}

interface Pending {
  token: string
  verifier: string
  /** The genuine callback, path and query, as the provider sent it. */
  callback: string
}

/** /login, then the provider's (auto-approving) page: the pending login's callback. */
async function startLogin(browser: Browser): Promise<Pending> {
  const login = await browser.get('/login')
  expect(login.status, String(errors.at(-1))).toBe(302)
  expect(browser.cookies.has('koa.sess')).toBe(true)
  const back = await fetch(login.headers.location as string, { redirect: 'manual' })
  expect(back.status).toBe(302)
  const url = new URL(back.headers.get('location') as string)
  expect(url.pathname).toBe('/authorize')
  return {
    token: url.searchParams.get('oauth_token') as string,
    verifier: url.searchParams.get('oauth_verifier') as string,
    callback: `${url.pathname}${url.search}`,
  }
}

/** The genuine callback completes: 200 and a token. */
async function expectCompletes(browser: Browser, pending: Pending): Promise<void> {
  const before = accessTokenCalls.length
  const done = await browser.get(pending.callback)
  expect(done.status, String(errors.at(-1))).toBe(200)
  expect(done.body).toEqual({ user_id: expect.any(String), has_token: true })
  expect(accessTokenCalls.length).toBe(before + 1)
}

/** A hostile request answered `status` with `code`, with no access-token call. */
async function expectRefused(
  res: request.Response,
  status: number,
  code: OAuthErrorCode,
  accessCallsBefore: number,
): Promise<void> {
  expect(res.status, String(errors.at(-1))).toBe(status)
  const err = errors.at(-1)
  expect(isOAuthError(err), String(err)).toBe(true)
  expect((err as { code: string }).code).toBe(code)
  // Koa's default handler shows an exposed (4xx) OAuthError's message: the code is in it;
  // a 5xx gets the status text alone
  expect(res.text).toContain(status < 500 ? code : 'Bad Gateway')
  expect(accessTokenCalls.length).toBe(accessCallsBefore)
}

// --- hostile callbacks ------------------------------------------------------

/**
 * The core's catalogue of hostile callbacks: names and outcomes do not depend on the
 * login, so it is listed once with placeholders to name the tests, then built again
 * from each test's live login.
 */
const CATALOGUE = hostileCallbacks({ token: 'Token', verifier: 'verifier' })
function hostileFor(name: string, login: HostilePendingLogin): HostileCallback {
  return hostileCallbacks(login).find((c) => c.name === name)!
}
/** Callbacks that do not name the pending login exactly: they must not touch it. */
const cases = CATALOGUE.filter((c) => c.keepsPendingLogin)

/** A login of another browser, whose (live) token is foreign to the tested session. */
async function foreignToken(): Promise<string> {
  return (await startLogin(new Browser())).token
}

describe('a hostile callback loses nothing of the pending login (koa-session cookie)', () => {
  for (const { name } of cases) {
    it(name, async () => {
      const foreign = await foreignToken()
      const browser = new Browser()
      const pending = await startLogin(browser)
      const { query: q, status, code, contactsProvider } = hostileFor(name, { ...pending, foreign })
      expect(contactsProvider).toBe(false)
      const before = accessTokenCalls.length
      const res = await browser.get(`/authorize?${q}`)
      // the query reached the app byte for byte (no client or server re-encoding)
      expect(seenQueries.at(-1) === q).toBe(true)
      await expectRefused(res, status, code, before)
      // the pending login is still in the cookie the browser now holds
      await expectCompletes(browser, pending)
    })
  }

  it('survives every hostile callback in a row, then completes', async () => {
    const foreign = await foreignToken()
    const browser = new Browser()
    const pending = await startLogin(browser)
    for (const { name, query, status, code, keepsPendingLogin } of hostileCallbacks({
      ...pending,
      foreign,
    })) {
      if (!keepsPendingLogin) continue
      const before = accessTokenCalls.length
      const res = await browser.get(`/authorize?${query}`)
      expect(res.status, name).toBe(status)
      expect((errors.at(-1) as { code?: string }).code, name).toBe(code)
      expect(accessTokenCalls.length, name).toBe(before)
    }
    await expectCompletes(browser, pending)
  })

  // A property (fast-check): random queries of the core's hostile parts. fast-check prints
  // the seed of a failure; FC_SEED=<seed> replays it.
  it('random hostile queries: each an OAuthError (4xx, 502 for an unknown oauth_problem), no exchange; the login then completes', async () => {
    const browser = new Browser()
    const pending = await startLogin(browser)
    const before = accessTokenCalls.length
    const query = fc
      .array(fc.nat(), { maxLength: 18 })
      .map((picks) => hostileQueryFromPicks(pending, picks))
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const errorsBefore = errors.length
        const res = await browser.get(`/authorize?${q}`)
        expect(isHostileQueryRefusal(q, res.status), `${q} → ${res.status}`).toBe(true)
        expect(errors.length, q).toBe(errorsBefore + 1)
        expect(isOAuthError(errors.at(-1)), q).toBe(true)
        expect(accessTokenCalls.length, q).toBe(before)
      }),
      { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20261205) },
    )
    await expectCompletes(browser, pending)
  })

  it('with Node’s default header limit, a 64 KiB token is refused by Node (431, or a reset) and loses nothing either', async () => {
    const browser = new Browser()
    const pending = await startLogin(browser)
    const before = accessTokenCalls.length
    // 431, or the reset that can reach a client still sending 64 KiB first
    // (Node closes as it answers; Node 24's and 26's http client always sees the reset)
    const refused = await browser
      .get(
        `/authorize?oauth_token=${'t'.repeat(64 * 1024)}&oauth_verifier=${pending.verifier}`,
        defaultLimits,
      )
      .then(
        (res) => res.status,
        (error: { code?: unknown }) => error.code,
      )
    expect([431, 'ECONNRESET', 'EPIPE']).toContain(refused)
    expect(accessTokenCalls.length).toBe(before)
    await expectCompletes(browser, pending)
  })
})

// --- the real token with a malformed verifier --------------------------------
//
// By design (DESIGN.md: "Removed on first use, whatever the outcome"): a
// callback that carries the browser's real token uses the pending login up,
// even when its verifier is missing, empty, repeated or malformed. Those are
// refused by the core with 400 missing_verifier without contacting the
// provider (a NUL or non-UTF-8 bytes included), except a literal "%zz",
// which could be an opaque verifier and goes to the provider (502
// fetch_token_denied); the genuine callback then fails with 400
// missing_temporary_credential. Knowing the real token is
// needed, and whoever knows it can end the login with denied=<token> anyway.

/** The live token exactly, with a bad verifier: the login is used up. */
const knownLosses = CATALOGUE.filter((c) => !c.keepsPendingLogin)

describe('the real token with a missing or malformed verifier uses the pending login up (single use)', () => {
  for (const { name } of knownLosses) {
    it(name, async () => {
      const browser = new Browser()
      const pending = await startLogin(browser)
      const { query, status, code, contactsProvider } = hostileFor(name, pending)
      const before = accessTokenCalls.length
      const res = await browser.get(`/authorize?${query}`)
      expect(res.status).toBe(status)
      expect((errors.at(-1) as { code?: string }).code).toBe(code)
      expect(accessTokenCalls.length).toBe(before + (contactsProvider ? 1 : 0))
      // no 500, but the credential is gone from the cookie the browser now holds
      const genuine = await browser.get(pending.callback)
      expect(genuine.status).toBe(400)
      expect((errors.at(-1) as { code?: string }).code).toBe('missing_temporary_credential')
    })
  }
})

// --- garbage and tampered cookies -------------------------------------------

/** koa-session's cookie signature (Keygrip: HMAC-SHA1, base64url without padding). */
function sign(name: string, value: string): string {
  return createHmac('sha1', KEYS[0] as string)
    .update(`${name}=${value}`)
    .digest('base64')
    .replace(/\//g, '_')
    .replace(/\+/g, '-')
    .replace(/=+$/, '')
}

/** koa-session's cookie value for a session object (base64 of its JSON). */
function encodeSession(json: unknown): string {
  return Buffer.from(JSON.stringify(json)).toString('base64')
}

function decodeSession(value: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Record<string, unknown>
}

/** A browser holding `koa.sess=value`, signed (validly, with the app's key) or not. */
function browserWith(value: string, signature?: string): Browser {
  const b = new Browser()
  b.cookies.set('koa.sess', value)
  if (signature !== undefined) b.cookies.set('koa.sess.sig', signature)
  return b
}

/** Cookies a browser might send, built from a real session cookie of a pending login. */
function tamperedCookies(real: { value: string; sig: string }): [string, Browser][] {
  const session = decodeSession(real.value)
  const record = session[SESSION_KEY] as Record<string, string>
  const [key, sealed] = Object.entries(record)[0] as [string, string]
  const resign = (json: unknown): Browser => {
    const value = encodeSession(json)
    return browserWith(value, sign('koa.sess', value))
  }
  return [
    ['garbage, unsigned', browserWith('garbage')],
    ['garbage, with garbage signature', browserWith('garbage', 'garbage')],
    ['the real session, signature flipped', browserWith(real.value, tamper(real.sig, 3))],
    ['the real session, signature missing', browserWith(real.value)],
    ['the real session, one byte flipped', browserWith(tamper(real.value, 10), real.sig)],
    ['the real session, truncated', browserWith(real.value.slice(0, -8), real.sig)],
    ['wrong base64, validly signed', browserWith('%%%!!', sign('koa.sess', '%%%!!'))],
    ['5 KB of A', browserWith('A'.repeat(5000), 'A'.repeat(27))],
    [
      '5 KB of A, validly signed',
      browserWith('A'.repeat(5000), sign('koa.sess', 'A'.repeat(5000))),
    ],
    ['not JSON, validly signed', browserWith('bm90IGpzb24', sign('koa.sess', 'bm90IGpzb24'))],
    [
      'the sealed entry with a byte flipped, validly signed',
      resign({ ...session, [SESSION_KEY]: { [key]: tamper(sealed, 20) } }),
    ],
    [
      'the sealed entry truncated, validly signed',
      resign({ ...session, [SESSION_KEY]: { [key]: sealed.slice(0, -6) } }),
    ],
    [
      'the sealed entry as wrong base64, validly signed',
      resign({ ...session, [SESSION_KEY]: { [key]: `${sealed}!*` } }),
    ],
    [
      'the sealed entry as 5 KB of A, validly signed',
      resign({ ...session, [SESSION_KEY]: { [key]: 'A'.repeat(5000) } }),
    ],
    [
      'the sealed entry as an object, validly signed',
      resign({
        ...session,
        [SESSION_KEY]: {
          [key]: { oauth_token: 'x', oauth_token_secret: 'y', expires_at: 9e15 },
        },
      }),
    ],
    ['the record as a string, validly signed', resign({ ...session, [SESSION_KEY]: 'garbage' })],
    ['the record as an array, validly signed', resign({ ...session, [SESSION_KEY]: [sealed] })],
  ]
}

describe('a garbage or tampered session cookie never gives a 500', () => {
  let real: { value: string; sig: string; pending: Pending; browser: Browser }
  beforeAll(async () => {
    const browser = new Browser()
    const pending = await startLogin(browser)
    real = {
      value: browser.cookies.get('koa.sess') as string,
      sig: browser.cookies.get('koa.sess.sig') as string,
      pending,
      browser,
    }
  })

  it('on the login route: the login proceeds, and its callback completes', async () => {
    for (const [name, browser] of tamperedCookies(real)) {
      const res = await browser.get('/login')
      expect(res.status, `${name}: ${String(errors.at(-1))}`).toBe(302)
      // the provider's page, then the callback, with the cookies the login left
      const back = await fetch(res.headers.location as string, { redirect: 'manual' })
      const url = new URL(back.headers.get('location') as string)
      const done = await browser.get(`${url.pathname}${url.search}`)
      expect(done.status, `${name}: ${String(errors.at(-1))}`).toBe(200)
      expect(done.body.has_token, name).toBe(true)
    }
  })

  it('on the callback route: 400 missing_temporary_credential, and the real login survives', async () => {
    for (const [name, browser] of tamperedCookies(real)) {
      const before = accessTokenCalls.length
      const res = await browser.get(real.pending.callback)
      expect(res.status, `${name}: ${String(errors.at(-1))}`).toBe(400)
      expect((errors.at(-1) as { code?: string }).code, name).toBe('missing_temporary_credential')
      expect(accessTokenCalls.length, name).toBe(before)
    }
    // the browser that holds the real cookie still completes
    await expectCompletes(real.browser, real.pending)
  })

  it('a tampered entry beside the real one does not hide it', async () => {
    const browser = new Browser()
    const pending = await startLogin(browser)
    const session = decodeSession(browser.cookies.get('koa.sess') as string)
    const record = session[SESSION_KEY] as Record<string, string>
    const [, sealed] = Object.entries(record)[0] as [string, string]
    const value = encodeSession({
      ...session,
      [SESSION_KEY]: {
        'provider:junk': tamper(sealed, 20),
        'provider:__proto__': 'A'.repeat(5000),
        ...record,
      },
    })
    browser.cookies.set('koa.sess', value)
    browser.cookies.set('koa.sess.sig', sign('koa.sess', value))
    await expectCompletes(browser, pending)
  })
})
