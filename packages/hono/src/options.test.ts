// Wrong values for every option and argument of the Hono adapter: each ends in a
// TypeError naming it (or the documented OAuthError), never a crash deeper inside.

import { createMemoryServerStore, createMemoryStore } from '@oauth1/core'
import {
  outcomeOf,
  outcomeOfAsync,
  stubProviderRegistration,
  WRONG_AUTHORIZE_PARAMS,
  WRONG_REDIRECT_URIS,
  WRONG_VALUES,
} from '@oauth1/core/testing'
import { type Context, Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SECRET } from './http.test-helper.js'
import { type MiddlewareOptions, OAuth } from './index.js'

const MB = 'x'.repeat(1 << 20)
const NEEDS_SECRET =
  '@oauth1/hono: oauth.middleware() needs options.secret (a random string of at least 32 characters) to encrypt the temporary credentials in a cookie, or options.store (a server-side store such as redisStore(client) of @oauth1/redis, or a function (c) => TemporaryCredentialStore over your own session): app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))'

function newOAuth() {
  const oauth = new OAuth({ config: {} })
  oauth.register('provider', stubProviderRegistration())
  return oauth
}

/** An app whose every route runs `route`; `logged` gets what Hono's default handler logs. */
function loginApp(
  route: (c: Context, oauth: OAuth) => Promise<Response>,
  options: MiddlewareOptions = { secret: SECRET },
) {
  const oauth = newOAuth()
  const app = new Hono()
  app.use(oauth.middleware(options))
  app.get('/*', (c) => route(c, oauth))
  return app
}

const logged: unknown[] = []
afterEach(() => {
  logged.length = 0
  vi.restoreAllMocks()
})
function captureConsoleError() {
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    logged.push(args[0])
  })
}

const middleware = (options: unknown) => () => newOAuth().middleware(options as MiddlewareOptions)

/** The same authorize parameters as an object and as a URLSearchParams: both reach the URL. */
const AUTHORIZE_PARAMS = [{ force_login: 'true' }, new URLSearchParams('force_login=true')] as const

describe('oauth.middleware(options) with wrong values', () => {
  it.each(['sesionKey', 'session_key', 'secrets', 'cookieName'])(
    'refuses an option it does not know: %s (a typo would be silently dropped)',
    (option) => {
      expect(
        outcomeOf(() => newOAuth().middleware({ secret: SECRET, [option]: 'x' } as never)),
      ).toBe(
        `TypeError: @oauth1/hono: unknown option "${option}" (known: secret, store, cookie, maxEntries, trustProxy, context)`,
      )
    },
  )

  it('refuses options that are not an object, or an object with neither secret nor store', () => {
    for (const [what, value] of [
      ['undefined', undefined],
      ...WRONG_VALUES.filter(([, v]) => typeof v !== 'object' || v === null || !Array.isArray(v)),
      ['[]', []],
    ] as [string, unknown][]) {
      expect(outcomeOf(middleware(value)), what).toBe(`TypeError: ${NEEDS_SECRET}`)
    }
  })

  it.each([
    ...WRONG_VALUES.filter(([, v]) => v !== null && v !== ''),
    ['a short string', 'short'],
    ['a short Uint8Array', new Uint8Array(8)],
    ['a list with a short secret', [SECRET, 'short']],
    ['a list with a number', [SECRET, 5]],
  ] as [string, unknown][])('refuses secret: %s', (_what, value) => {
    expect(outcomeOf(middleware({ secret: value }))).toMatch(
      /^TypeError: @oauth1\/hono: options\.secret/,
    )
  })

  it.each([
    ...WRONG_VALUES.filter(([, v]) => v !== null && typeof v !== 'function'),
    ['a store object', createMemoryStore()],
    ["a string 'store'", 'store'],
  ] as [string, unknown][])('refuses store: %s', (_what, value) => {
    expect(outcomeOf(middleware({ store: value }))).toMatch(
      /^TypeError: @oauth1\/hono: options\.store/,
    )
  })

  it.each(
    WRONG_VALUES.filter(([, v]) => v !== false && typeof v !== 'object').concat([['null', null]]),
  )('refuses cookie: %s', (_what, value) => {
    expect(outcomeOf(middleware({ secret: SECRET, cookie: value }))).toBe(
      'TypeError: @oauth1/hono: options.cookie must be an object',
    )
  })

  it.each([
    ['[]', []],
    ["['name', 'x']", ['name', 'x']],
  ] as [string, unknown][])('refuses cookie: %s (an array)', (_what, value) => {
    expect(outcomeOf(middleware({ secret: SECRET, cookie: value }))).toBe(
      'TypeError: @oauth1/hono: options.cookie must be an object',
    )
  })

  it.each(['nmae', 'Name', 'sessionKey'])('refuses cookie.%s, naming it', (option) => {
    expect(outcomeOf(middleware({ secret: SECRET, cookie: { [option]: 'x' } }))).toBe(
      `TypeError: @oauth1/hono: options.cookie: unknown option "${option}" (known: name, secure)`,
    )
  })

  it.each(['path', 'domain', 'sameSite', 'httpOnly', 'maxAge', 'expires'])(
    'refuses cookie.%s, saying the attribute is fixed',
    (option) => {
      for (const options of [
        { secret: SECRET, cookie: { [option]: '/auth' } },
        { store: createMemoryServerStore(), cookie: { [option]: '/auth' } },
      ]) {
        expect(outcomeOf(middleware(options))).toBe(
          `TypeError: @oauth1/hono: options.cookie: unknown option "${option}" (known: name, secure); the cookie's attributes are fixed: Path=/, HttpOnly, SameSite=Lax and no Domain (so that it can be __Host-), its lifetime that of the pending logins`,
        )
      }
    },
  )

  it.each([
    ...WRONG_VALUES.filter(([, v]) => v !== null),
    ['CR LF', 'oauth1\r\nSet-Cookie: x=1'],
    ['NUL', 'oauth1\0'],
    ['a space', 'a b'],
    ['a = sign', 'a=b'],
    ['a ; sign', 'a;b'],
    ['a non-ASCII letter', 'é'],
    ['a __Host- prefix', '__Host-x'],
    ['a __secure- prefix', '__secure-x'],
    ['129 characters', 'n'.repeat(129)],
    ['1 MB', MB],
  ] as [string, unknown][])('refuses cookie.name: %s', (_what, value) => {
    expect(outcomeOf(middleware({ secret: SECRET, cookie: { name: value } }))).toMatch(
      /^TypeError: @oauth1\/hono: options\.cookie\.name must be/,
    )
  })

  it.each([...WRONG_VALUES.filter(([, v]) => v !== true), ["'true'", 'true']] as [
    string,
    unknown,
  ][])('refuses cookie.secure: %s', (_what, value) => {
    expect(outcomeOf(middleware({ secret: SECRET, cookie: { secure: value } }))).toBe(
      'TypeError: @oauth1/hono: options.cookie.secure must be a boolean',
    )
  })

  it.each([
    ...WRONG_VALUES.filter(([, v]) => v !== null),
    ['1.5', 1.5],
    ["'5'", '5'],
    ['2 ** 53', 2 ** 53],
  ] as [string, unknown][])('refuses maxEntries: %s', (_what, value) => {
    expect(outcomeOf(middleware({ secret: SECRET, maxEntries: value }))).toBe(
      'TypeError: @oauth1/hono: options.maxEntries must be a positive integer',
    )
  })

  it.each([...WRONG_VALUES.filter(([, v]) => v !== true), ["'true'", 'true']] as [
    string,
    unknown,
  ][])('refuses trustProxy: %s', (_what, value) => {
    expect(outcomeOf(middleware({ secret: SECRET, trustProxy: value }))).toBe(
      'TypeError: @oauth1/hono: options.trustProxy must be a boolean',
    )
  })

  it.each([...WRONG_VALUES.filter(([, v]) => v !== true), ["'true'", 'true']] as [
    string,
    unknown,
  ][])('refuses context: %s', (_what, value) => {
    expect(outcomeOf(middleware({ secret: SECRET, context: value }))).toBe(
      'TypeError: @oauth1/hono: options.context should be a boolean',
    )
  })

  it('accepts every valid value (the checks do not refuse everything)', () => {
    for (const options of [
      { secret: SECRET },
      { secret: new Uint8Array(32) },
      { secret: [SECRET, new Uint8Array(40)] },
      { secret: MB },
      { secret: SECRET, cookie: {} },
      { secret: SECRET, cookie: { name: "a!#$%&'*+-.^_`|~9Z" } },
      { secret: SECRET, cookie: { name: 'n'.repeat(128) } },
      { secret: SECRET, cookie: { secure: false } },
      { secret: SECRET, maxEntries: 1 },
      { secret: SECRET, trustProxy: true, context: false },
      { store: () => createMemoryStore(), trustProxy: false, context: true },
      { store: createMemoryServerStore() },
      {
        store: createMemoryServerStore(),
        cookie: { name: 'login', secure: true },
        trustProxy: true,
      },
      {
        secret: SECRET,
        cookie: undefined,
        maxEntries: undefined,
        trustProxy: undefined,
        context: undefined,
      },
      {
        store: createMemoryServerStore(),
        secret: undefined,
        cookie: { name: undefined, secure: undefined },
      },
    ] satisfies MiddlewareOptions[]) {
      expect(
        outcomeOf(() => newOAuth().middleware(options)),
        JSON.stringify(options),
      ).toBe('ok')
    }
  })

  it('a 128-character cookie name still holds a pending login (the limit leaves room)', async () => {
    const name = 'n'.repeat(128)
    const app = loginApp(
      (c, oauth) => oauth.provider.authorizeRedirect(c, `https://app.example/${'p'.repeat(500)}`),
      { secret: SECRET, cookie: { name } },
    )
    const res = await app.request('http://localhost/login')
    expect(res.status).toBe(302)
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^${name}=`))
  })

  it('a store factory answering something that is not a store → 500, the TypeError logged', async () => {
    captureConsoleError()
    for (const answer of [undefined, null, 'store', {}, { get() {}, set() {} }]) {
      const app = loginApp((c, oauth) => oauth.provider.authorizeRedirect(c, '/cb'), {
        store: () => answer as never,
      })
      const res = await app.request('http://localhost/login')
      expect(res.status, String(answer)).toBe(500)
    }
    expect(logged).toHaveLength(5)
    for (const err of logged) {
      expect(err).toBeInstanceOf(TypeError)
      expect((err as Error).message).toMatch(/^@oauth1\/hono: options\.store must return/)
    }
  })
})

describe('authorizeRedirect(c, redirectUri, params) with wrong values', () => {
  it.each(WRONG_REDIRECT_URIS.map(([what], i) => [what, i] as const))(
    'redirectUri %s → 500 from the default handler, the logged TypeError naming redirectUri',
    async (_what, i) => {
      captureConsoleError()
      const app = loginApp((c, oauth) =>
        oauth.provider.authorizeRedirect(c, WRONG_REDIRECT_URIS[i]?.[1] as never),
      )
      const res = await app.request('http://localhost/login')
      expect(res.status).toBe(500)
      expect(res.headers.get('set-cookie')).toBeNull()
      expect(logged).toHaveLength(1)
      expect(logged[0]).toBeInstanceOf(TypeError)
      expect((logged[0] as Error).message).toMatch(/redirectUri/)
    },
  )

  it.each(WRONG_AUTHORIZE_PARAMS.map(([what], i) => [what, i] as const))(
    'params %s → 500 from the default handler, the logged TypeError naming params',
    async (_what, i) => {
      captureConsoleError()
      const app = loginApp((c, oauth) =>
        oauth.provider.authorizeRedirect(c, '/cb', WRONG_AUTHORIZE_PARAMS[i]?.[1] as never),
      )
      const res = await app.request('http://localhost/login')
      expect(res.status).toBe(500)
      expect(res.headers.get('set-cookie')).toBeNull()
      expect(logged).toHaveLength(1)
      expect(logged[0]).toBeInstanceOf(TypeError)
      expect((logged[0] as Error).message).toMatch(/^params/)
    },
  )

  it('accepts an absolute callback on another host, a custom scheme, oob, a path, and params as an object or a URLSearchParams', async () => {
    const callbacks = ['https://other.example/cb', 'myapp://callback', 'oob', '/cb', 'cb']
    const app = loginApp((c, oauth) =>
      oauth.provider.authorizeRedirect(
        c,
        callbacks[Number(c.req.path.slice(1))],
        AUTHORIZE_PARAMS[Number(c.req.path.slice(1)) % 2],
      ),
    )
    for (const i of callbacks.keys()) {
      const res = await app.request(`http://localhost/${i}`)
      expect(res.status, callbacks[i]).toBe(302)
      expect(res.headers.get('location')).toBe(
        'https://provider.example/oauth/authorize?force_login=true&oauth_token=rt',
      )
    }
  })
})

describe('authorizeRedirect / authorizeAccessToken with something that is not a Hono context', () => {
  it.each([['undefined', undefined], ...WRONG_VALUES, ["a string 'c'", 'c']] as [
    string,
    unknown,
  ][])('%s → TypeError naming c', async (_what, value) => {
    const oauth = newOAuth()
    expect(await outcomeOfAsync(() => oauth.provider.authorizeAccessToken(value as never))).toBe(
      'TypeError: @oauth1/hono: authorizeAccessToken(c): c should be the Hono context the route was called with',
    )
    expect(
      await outcomeOfAsync(() => oauth.provider.authorizeRedirect(value as never, '/cb')),
    ).toBe(
      'TypeError: @oauth1/hono: authorizeRedirect(c): c should be the Hono context the route was called with',
    )
  })
})

describe('the request helpers with wrong values', () => {
  const token = { oauth_token: 't', oauth_token_secret: 's' }
  it.each([['undefined', undefined], ...WRONG_VALUES, ['//evil.example/x', '//evil.example/x']] as [
    string,
    unknown,
  ][])('get(%s) → TypeError naming url', async (_what, url) => {
    expect(await outcomeOfAsync(() => newOAuth().provider.get(url as never, { token }))).toMatch(
      /^TypeError: url /,
    )
  })

  it('with no token: OAuthError missing_token, answered 401 by the default handler', async () => {
    const app = loginApp(async (_c, oauth) => oauth.provider.get('me'))
    const res = await app.request('http://localhost/me')
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: 'missing_token' })
  })
})
