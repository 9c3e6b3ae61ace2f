/**
 * Hostile callbacks and cookies against a REAL pending login: each test starts
 * a login (the adapter's encrypted cookie then holds the temporary
 * credential), sends one hostile request, and checks that it ends in a 4xx
 * through Hono's DEFAULT error handling (the OAuthError's JSON body), that the
 * provider's access-token endpoint was never contacted, and that the genuine
 * callback still completes afterwards with the cookies the browser then holds.
 *
 * flow.test.ts already checks that such queries give a 400; this file checks
 * that they lose nothing.
 */
import { createSealer } from '@oauth1/core'
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
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar, SECRET } from './http.test-helper.js'
import { OAuth } from './index.js'

const APP = 'http://localhost'
const COOKIE = 'oauth1'

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
let app: Hono
/** URLs the client fetched at the provider's access-token endpoint. */
const accessTokenCalls: string[] = []
/** The raw query of each request the callback route saw. */
const seenQueries: string[] = []

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
  app = new Hono()
  app.use(oauth.middleware({ secret: SECRET }))
  app.get('/login', (c) => oauth.provider.authorizeRedirect(c, '/authorize'))
  app.get('/authorize', async (c) => {
    seenQueries.push(new URL(c.req.url).search.slice(1))
    const token = await oauth.provider.authorizeAccessToken(c)
    return c.json({
      user_id: token.user_id,
      has_token: token.oauth_token !== '' && token.oauth_token_secret !== '',
    })
  })
})

afterAll(async () => {
  await provider?.close()
})

/** What a browser does: GET `path` with the jar's cookies, keeping what the response sets. */
async function browse(jar: CookieJar, path: string): Promise<Response> {
  return jar.apply(await app.request(new URL(path, APP).href, { headers: jar.headers() }))
}

interface Pending {
  token: string
  verifier: string
  /** The genuine callback, path and query, as the provider sent it. */
  callback: string
}

/** /login, then the provider's (auto-approving) page: the pending login's callback. */
async function startLogin(jar: CookieJar): Promise<Pending> {
  const login = await browse(jar, '/login')
  expect(login.status).toBe(302)
  expect(jar.cookies.has(COOKIE)).toBe(true)
  const back = await fetch(login.headers.get('location') as string, { redirect: 'manual' })
  expect(back.status).toBe(302)
  const url = new URL(back.headers.get('location') as string)
  expect(url.pathname).toBe('/authorize')
  return {
    token: url.searchParams.get('oauth_token') as string,
    verifier: url.searchParams.get('oauth_verifier') as string,
    callback: `${url.pathname}${url.search}`,
  }
}

async function errorCode(res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return ((await res.json()) as { error: string }).error
}

/** The genuine callback completes: 200 and a token. */
async function expectCompletes(jar: CookieJar, pending: Pending): Promise<void> {
  const before = accessTokenCalls.length
  const done = await browse(jar, pending.callback)
  expect(done.status, await done.clone().text()).toBe(200)
  expect(await done.json()).toEqual({ user_id: expect.any(String), has_token: true })
  expect(accessTokenCalls.length).toBe(before + 1)
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

/** A login of another browser, whose (live) token is foreign to the tested one. */
async function foreignToken(): Promise<string> {
  return (await startLogin(new CookieJar())).token
}

describe('a hostile callback loses nothing of the pending login (encrypted cookie)', () => {
  for (const { name } of cases) {
    it(name, async () => {
      const foreign = await foreignToken()
      const jar = new CookieJar()
      const pending = await startLogin(jar)
      const { query: q, status, code, contactsProvider } = hostileFor(name, { ...pending, foreign })
      expect(contactsProvider).toBe(false)
      const before = accessTokenCalls.length
      const res = await browse(jar, `/authorize?${q}`)
      // the query reached the app byte for byte
      expect(seenQueries.at(-1) === q).toBe(true)
      expect(res.status).toBe(status)
      expect(await errorCode(res)).toBe(code)
      expect(accessTokenCalls.length).toBe(before)
      // the pending login is still in the cookie the browser now holds
      await expectCompletes(jar, pending)
    })
  }

  it('survives every hostile callback in a row, then completes', async () => {
    const foreign = await foreignToken()
    const jar = new CookieJar()
    const pending = await startLogin(jar)
    for (const { name, query, status, code, keepsPendingLogin } of hostileCallbacks({
      ...pending,
      foreign,
    })) {
      if (!keepsPendingLogin) continue
      const before = accessTokenCalls.length
      const res = await browse(jar, `/authorize?${query}`)
      expect(res.status, name).toBe(status)
      expect(await errorCode(res), name).toBe(code)
      expect(accessTokenCalls.length, name).toBe(before)
    }
    await expectCompletes(jar, pending)
  })

  // A property (fast-check): random queries of the core's hostile parts. fast-check prints
  // the seed of a failure; FC_SEED=<seed> replays it.
  it('random hostile queries: each a 4xx with its code (502 for an unknown oauth_problem), no exchange; the login then completes', async () => {
    const jar = new CookieJar()
    const pending = await startLogin(jar)
    const before = accessTokenCalls.length
    const query = fc
      .array(fc.nat(), { maxLength: 18 })
      .map((picks) => hostileQueryFromPicks(pending, picks))
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const res = await browse(jar, `/authorize?${q}`)
        expect(isHostileQueryRefusal(q, res.status), `${q} → ${res.status}`).toBe(true)
        expect(await errorCode(res), q).toMatch(/^[a-z_]+$/)
        expect(accessTokenCalls.length, q).toBe(before)
      }),
      { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20261205) },
    )
    await expectCompletes(jar, pending)
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
      const jar = new CookieJar()
      const pending = await startLogin(jar)
      const { query, status, code, contactsProvider } = hostileFor(name, pending)
      const before = accessTokenCalls.length
      const res = await browse(jar, `/authorize?${query}`)
      expect(res.status).toBe(status)
      expect(await errorCode(res)).toBe(code)
      expect(accessTokenCalls.length).toBe(before + (contactsProvider ? 1 : 0))
      // no 500, but the cookie was expired with the error: the browser no longer holds it
      expect(jar.cookies.has(COOKIE)).toBe(false)
      const genuine = await browse(jar, pending.callback)
      expect(genuine.status).toBe(400)
      expect(await errorCode(genuine)).toBe('missing_temporary_credential')
    })
  }
})

// --- garbage and tampered cookies -------------------------------------------

/** The payload shape the adapter seals (session.ts): a purpose tag and the record. */
const PURPOSE = '@oauth1/hono temporary credentials v1'
const sealer = createSealer(SECRET)

/** Cookie values a browser might send, built from a real cookie of a pending login. */
async function tamperedCookies(real: string): Promise<[string, string][]> {
  return [
    ['garbage', 'garbage'],
    ['truncated by 4', real.slice(0, -4)],
    ['truncated to half', real.slice(0, real.length >> 1)],
    ['one byte flipped (IV)', tamper(real, 5)],
    ['one byte flipped (ciphertext)', tamper(real, 40)],
    ['one byte flipped (tag)', tamper(real, real.length - 2)],
    ['wrong base64 (+ / =)', `${real.slice(0, -4).replace(/-/g, '+').replace(/_/g, '/')}==`],
    ['wrong base64 (!)', `${real.slice(0, -1)}!`],
    ['a length base64 cannot have', `${real}A`],
    ['5 KB', 'A'.repeat(5 * 1024)],
    ['5 KB of the real cookie repeated', real.repeat(Math.ceil(5120 / real.length))],
    ['percent-encoded garbage', '%E0%A4%A'],
    // (a quoted cookie is the same cookie, RFC 6265: quote a truncated one)
    ['quoted, truncated', `"${real.slice(0, -4)}"`],
    ['sealed with another secret', await createSealer(`${SECRET}-other`).seal({ x: 1 })],
    ['sealed by us, without the purpose', await sealer.seal({ record: {} })],
    ['sealed by us, record a string', await sealer.seal({ purpose: PURPOSE, record: 'x' })],
    ['sealed by us, record an array', await sealer.seal({ purpose: PURPOSE, record: ['x'] })],
    [
      'sealed by us, entries of the wrong shape',
      await sealer.seal({
        purpose: PURPOSE,
        record: JSON.parse(
          '{"__proto__":{"polluted":true},"provider:x":"garbage","provider:y":{"expires_at":"never"}}',
        ),
      }),
    ],
  ]
}

describe('a garbage or tampered cookie never gives a 500', () => {
  it('on the login route: the login proceeds, and its callback completes', async () => {
    const real = new CookieJar()
    await startLogin(real)
    for (const [name, value] of await tamperedCookies(real.cookies.get(COOKIE) as string)) {
      const jar = new CookieJar()
      jar.cookies.set(COOKIE, value)
      const login = await browse(jar, '/login')
      expect(login.status, `${name}: ${await login.clone().text()}`).toBe(302)
      const back = await fetch(login.headers.get('location') as string, { redirect: 'manual' })
      const url = new URL(back.headers.get('location') as string)
      const done = await browse(jar, `${url.pathname}${url.search}`)
      expect(done.status, `${name}: ${await done.clone().text()}`).toBe(200)
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
  })

  it('on the callback route: 400 missing_temporary_credential, and the real login survives', async () => {
    const real = new CookieJar()
    const pending = await startLogin(real)
    for (const [name, value] of await tamperedCookies(real.cookies.get(COOKIE) as string)) {
      const jar = new CookieJar()
      jar.cookies.set(COOKIE, value)
      const before = accessTokenCalls.length
      const res = await browse(jar, pending.callback)
      expect(res.status, name).toBe(400)
      expect(await errorCode(res), name).toBe('missing_temporary_credential')
      expect(accessTokenCalls.length, name).toBe(before)
    }
    // the browser that holds the real cookie still completes
    await expectCompletes(real, pending)
  })
})

describe('a request URL no Host can make (Bun, Deno and workerd pass such a Host on; Node refuses it)', () => {
  /** The app's answer to a request whose `url` is exactly `url` (a Request cannot be built with it). */
  async function answer(url: string): Promise<[number, string]> {
    const oauth = new OAuth({ config: {} })
    oauth.register('p', {
      clientId: 'client',
      clientSecret: 'secret',
      requestTokenUrl: 'http://127.0.0.1:9/rt',
      accessTokenUrl: 'http://127.0.0.1:9/at',
      authorizeUrl: 'http://127.0.0.1:9/az',
    })
    const hono = new Hono()
    hono.use(oauth.middleware({ secret: SECRET }))
    hono.get('/login', (c) => oauth.p.authorizeRedirect(c, '/authorize'))
    hono.get('/authorize', async (c) => c.json(await oauth.p.authorizeAccessToken(c)))
    const request = new Request('http://placeholder/')
    Object.defineProperty(request, 'url', { value: url })
    const res = await hono.fetch(request)
    return [res.status, await res.text()]
  }

  it.each([
    ['a space in the host', 'http://a b/login'],
    ['a port past 65535', 'http://127.0.0.1:99999/login'],
    ['an unclosed IPv6 literal', 'http://[::1/login'],
    ['a host name longer than DNS allows', `http://${'a'.repeat(3700)}/login`],
    [
      'the callback, with a space in the host',
      'http://a b/authorize?oauth_token=t&oauth_verifier=v',
    ],
  ])('%s → 400 naming the Host, not a 500', async (_, url) => {
    const [status, body] = await answer(url)
    expect(status).toBe(400)
    expect(body).toContain("the request's URL (its Host header) is not an http(s) origin")
  })

  it('reads the callback query without parsing the URL: a bad % escape is the callback’s own 400', async () => {
    const [status, body] = await answer(
      'http://127.0.0.1/authorize?oauth_token=%E0%A4%A&oauth_verifier=v',
    )
    expect(status).toBe(400)
    expect(JSON.parse(body)).toMatchObject({ error: 'missing_temporary_credential' })
  })
})
