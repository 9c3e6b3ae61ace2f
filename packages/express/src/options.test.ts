// Wrong values for every option and argument of the Express adapter: each ends in a
// TypeError naming it (or the documented start-up Error), never a crash deeper inside.
import { createMemoryServerStore, createMemoryStore } from '@oauth1/core'
import {
  outcomeOf,
  outcomeOfAsync,
  stubProviderRegistration,
  WRONG_AUTHORIZE_PARAMS,
  WRONG_REDIRECT_URIS,
  WRONG_VALUES,
} from '@oauth1/core/testing'
import express, { type Request } from 'express'
import session from 'express-session'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { serve } from './http.test-helper.js'
import { MISSING_SESSION_MESSAGE, OAuth, STORE_WITH_SESSION_OPTIONS_MESSAGE } from './index.js'

const SESSION_SECRET = 'a session secret of at least 32 characters'
const MB = 'x'.repeat(1 << 20)

function newOAuth() {
  const oauth = new OAuth({ config: {} })
  oauth.register('provider', stubProviderRegistration())
  return oauth
}

/** The same authorize parameters as an object and as a URLSearchParams: both reach the URL. */
const AUTHORIZE_PARAMS = [{ force_login: 'true' }, new URLSearchParams('force_login=true')] as const

describe('oauth.middleware(options) with wrong values', () => {
  it.each(['sesionKey', 'session_key', 'secrets', 'cookieName'])(
    'refuses an option it does not know: %s (a typo would be silently dropped)',
    (option) => {
      expect(outcomeOf(() => newOAuth().middleware({ [option]: 'x' } as never))).toBe(
        `TypeError: oauth.middleware(options): unknown option "${option}" (known: secret, sessionKey, maxEntries, store, context)`,
      )
    },
  )

  it('refuses an options argument that is not an object', () => {
    for (const [what, value] of WRONG_VALUES.filter(
      ([, v]) => typeof v !== 'object' || v === null,
    )) {
      expect(
        outcomeOf(() => newOAuth().middleware(value as never)),
        what,
      ).toBe('TypeError: oauth.middleware(options): options should be an object')
    }
    expect(outcomeOf(() => newOAuth().middleware('secret' as never))).toMatch(
      /^TypeError: .*options/,
    )
  })

  it.each([
    ...WRONG_VALUES,
    ["express-session's own cookie", 'cookie'],
    ["cookie-session's isNew", 'isNew'],
    ['__proto__', '__proto__'],
    ['isPrototypeOf', 'isPrototypeOf'],
    ['propertyIsEnumerable', 'propertyIsEnumerable'],
    ['toLocaleString', 'toLocaleString'],
    ['__defineGetter__', '__defineGetter__'],
  ] as [string, unknown][])(
    'refuses sessionKey: %s, as the Fastify and Koa adapters do',
    (_what, value) => {
      expect(outcomeOf(() => newOAuth().middleware({ sessionKey: value as never }))).toBe(
        'TypeError: options.sessionKey should be a non-empty string that is not a property of the session itself or of Object.prototype (cookie, id, save, __proto__, constructor, toString…)',
      )
    },
  )

  it.each([...WRONG_VALUES, ['1.5', 1.5], ["'5'", '5'], ['2 ** 53', 2 ** 53]] as [
    string,
    unknown,
  ][])('refuses maxEntries: %s', (_what, value) => {
    expect(outcomeOf(() => newOAuth().middleware({ maxEntries: value as never }))).toBe(
      'TypeError: options.maxEntries should be a positive integer',
    )
  })

  it.each([
    ...WRONG_VALUES,
    ['a short string', 'short'],
    ['a short Uint8Array', new Uint8Array(8)],
    ['a list with a short secret', ['x'.repeat(32), 'short']],
    ['a list with a number', ['x'.repeat(32), 5]],
  ] as [string, unknown][])('refuses secret: %s', (_what, value) => {
    expect(outcomeOf(() => newOAuth().middleware({ secret: value as never }))).toMatch(
      /^TypeError: secret/,
    )
  })

  it.each([...WRONG_VALUES.filter(([, v]) => v !== true), ["'true'", 'true']] as [
    string,
    unknown,
  ][])('refuses context: %s', (_what, value) => {
    expect(outcomeOf(() => newOAuth().middleware({ context: value as never }))).toBe(
      'TypeError: options.context should be a boolean',
    )
  })

  it.each([
    ...WRONG_VALUES.filter(([, v]) => v !== null),
    ['a per-request store', createMemoryStore()],
    ['a store factory function', () => createMemoryServerStore()],
  ] as [string, unknown][])('refuses store: %s', (_what, value) => {
    expect(outcomeOf(() => newOAuth().middleware({ store: value as never }))).toBe(
      'TypeError: options.store should be a server-side store such as redisStore(client) of @oauth1/redis (an object with forBinding(bindingId))',
    )
  })

  it('refuses store with secret or maxEntries, which apply to logins kept in the session', () => {
    const store = createMemoryServerStore()
    for (const options of [
      { store, secret: 'x'.repeat(32) },
      { store, maxEntries: 3 },
    ]) {
      expect(outcomeOf(() => newOAuth().middleware(options))).toBe(
        `TypeError: ${STORE_WITH_SESSION_OPTIONS_MESSAGE}`,
      )
    }
    expect(STORE_WITH_SESSION_OPTIONS_MESSAGE).toBe(
      'options.store keeps the pending logins out of the session: options.secret and options.maxEntries apply only without it (seal them in the store instead, e.g. redisStore(client, { secret }))',
    )
  })

  it('refuses a second middleware() with another store, accepts the same one again', () => {
    const oauth = newOAuth()
    const store = createMemoryServerStore()
    oauth.middleware({ store })
    expect(outcomeOf(() => oauth.middleware({ store }))).toBe('ok')
    expect(outcomeOf(() => oauth.middleware({ store: createMemoryServerStore() }))).toBe(
      'TypeError: oauth.middleware(options) was already called with other options; create the middleware once and reuse it',
    )
    expect(outcomeOf(() => oauth.middleware())).toMatch(
      /^TypeError: oauth\.middleware\(options\) was already/,
    )
  })

  it('accepts every valid value (the checks do not refuse everything)', () => {
    for (const options of [
      undefined,
      {},
      { sessionKey: 'pending' },
      { sessionKey: 'with\r\nCR LF and \0 NUL' }, // a property name, never a header
      { sessionKey: MB },
      { maxEntries: 1 },
      { maxEntries: 100 },
      { secret: 'x'.repeat(32) },
      { secret: new Uint8Array(32) },
      { secret: ['x'.repeat(32), new Uint8Array(40)] },
      { secret: MB },
      { context: true },
      { context: false },
      { store: createMemoryServerStore() },
      { store: createMemoryServerStore(), sessionKey: 'oauth1Binding', context: true },
      { sessionKey: undefined, maxEntries: undefined, secret: undefined, context: undefined },
    ]) {
      expect(
        outcomeOf(() => newOAuth().middleware(options)),
        JSON.stringify(options),
      ).toBe('ok')
    }
  })
})

/** An app whose /login/:i starts a login with WRONG_REDIRECT_URIS[i] and /params/:i with WRONG_AUTHORIZE_PARAMS[i]. */
function loginApp(oauth = newOAuth()) {
  const app = express()
  app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
  app.use(oauth.middleware())
  app.get('/login/:i', (req, res) =>
    oauth.provider.authorizeRedirect(
      req,
      res,
      WRONG_REDIRECT_URIS[Number(req.params.i)]?.[1] as never,
    ),
  )
  app.get('/params/:i', (req, res) =>
    oauth.provider.authorizeRedirect(
      req,
      res,
      '/cb',
      WRONG_AUTHORIZE_PARAMS[Number(req.params.i)]?.[1] as never,
    ),
  )
  return app
}

describe('authorizeRedirect(req, res, redirectUri, params) with wrong values', () => {
  it.each(WRONG_REDIRECT_URIS.map(([what], i) => [what, i] as const))(
    'redirectUri %s → 500 naming redirectUri from the default handler, provider not asked',
    async (_what, i) => {
      const res = await request(await serve(loginApp())).get(`/login/${i}`)
      expect(res.status).toBe(500)
      expect(res.text).toMatch(/TypeError: redirectUri/)
      expect(res.headers['set-cookie']).toBeUndefined()
    },
  )

  it.each(WRONG_AUTHORIZE_PARAMS.map(([what], i) => [what, i] as const))(
    'params %s → 500 naming params from the default handler, no session stored',
    async (_what, i) => {
      const res = await request(await serve(loginApp())).get(`/params/${i}`)
      expect(res.status).toBe(500)
      expect(res.text).toMatch(/TypeError: params/)
      expect(res.headers['set-cookie']).toBeUndefined()
    },
  )

  it('accepts an absolute callback on another host, a custom scheme, oob, a path, and params as an object or a URLSearchParams', async () => {
    const oauth = newOAuth()
    const app = express()
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(oauth.middleware())
    const callbacks = ['https://other.example/cb', 'myapp://callback', 'oob', '/cb', 'cb']
    app.get('/:i', (req, res) =>
      oauth.provider.authorizeRedirect(
        req,
        res,
        callbacks[Number(req.params.i)],
        AUTHORIZE_PARAMS[Number(req.params.i) % 2],
      ),
    )
    for (const i of callbacks.keys()) {
      const res = await request(await serve(app)).get(`/${i}`)
      expect(res.status, callbacks[i]).toBe(302)
      expect(res.headers.location).toBe(
        'https://provider.example/oauth/authorize?force_login=true&oauth_token=rt',
      )
    }
  })
})

describe('authorizeRedirect / authorizeAccessToken with something that is not an Express request', () => {
  it.each([['undefined', undefined], ...WRONG_VALUES, ["a string 'req'", 'req']] as [
    string,
    unknown,
  ][])('%s → TypeError naming req', async (_what, value) => {
    const oauth = newOAuth()
    expect(await outcomeOfAsync(() => oauth.provider.authorizeAccessToken(value as never))).toMatch(
      /^(TypeError: authorizeAccessToken\(req\): req should be|TypeError: @oauth1\/express: req\.session is missing)/,
    )
    expect(
      await outcomeOfAsync(() =>
        oauth.provider.authorizeRedirect(value as never, {} as never, '/cb'),
      ),
    ).toMatch(
      /^(TypeError: authorizeRedirect\(req, res\): req should be|TypeError: @oauth1\/express: req\.session is missing)/,
    )
    if (typeof value !== 'object' || value === null) {
      expect(await outcomeOfAsync(() => oauth.provider.authorizeAccessToken(value as never))).toBe(
        'TypeError: authorizeAccessToken(req): req should be the Express request the route was called with',
      )
    }
  })

  it('an object without a session is the documented missing-session TypeError', async () => {
    const oauth = newOAuth()
    expect(await outcomeOfAsync(() => oauth.provider.authorizeAccessToken({} as Request))).toBe(
      `TypeError: ${MISSING_SESSION_MESSAGE}`,
    )
  })
})

describe('the request helpers with wrong values', () => {
  const token = { oauth_token: 't', oauth_token_secret: 's' }
  it.each([['undefined', undefined], ...WRONG_VALUES, ['//evil.example/x', '//evil.example/x']] as [
    string,
    unknown,
  ][])('get(%s) → TypeError naming url', async (_what, url) => {
    const oauth = newOAuth()
    expect(await outcomeOfAsync(() => oauth.provider.get(url as never, { token }))).toMatch(
      /^TypeError: url /,
    )
  })

  it('a relative url and a URL object are accepted', async () => {
    const seen: string[] = []
    const oauth = new OAuth({ config: {} })
    oauth.register('provider', {
      ...stubProviderRegistration(),
      fetch: async (input) => {
        seen.push(String(input instanceof globalThis.Request ? input.url : input))
        return new Response('{}')
      },
    })
    expect((await oauth.provider.get('me', { token })).status).toBe(200)
    expect(
      (await oauth.provider.post(new URL('https://provider.example/x'), { token })).status,
    ).toBe(200)
    expect(seen).toEqual(['https://provider.example/api/me', 'https://provider.example/x'])
  })

  it('with no token and no request, outside the middleware: OAuthError missing_token (401)', async () => {
    const oauth = newOAuth()
    await expect(oauth.provider.get('me')).rejects.toMatchObject({
      name: 'OAuthError',
      code: 'missing_token',
      status: 401,
    })
  })
})

describe('documented behaviour that is not an error', () => {
  it('a null redirectUri means "not given": the registered one, else oob', async () => {
    const seen: string[] = []
    const oauth = new OAuth({ config: {} })
    const stub = stubProviderRegistration()
    oauth.register('provider', {
      ...stub,
      fetch: async (input, init) => {
        seen.push(String(new Headers(init?.headers).get('authorization')))
        return stub.fetch(input, init)
      },
    })
    const app = express()
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.get('/', (req, res) => oauth.provider.authorizeRedirect(req, res, null as never))
    expect((await request(await serve(app)).get('/')).status).toBe(302)
    expect(seen[0]).toContain('oauth_callback="oob"')
  })
})
