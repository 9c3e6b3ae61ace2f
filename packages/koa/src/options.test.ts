// Wrong values for every option and argument of the Koa adapter: each ends in a
// TypeError naming it (or the documented start-up Error), never a crash deeper inside.
import {
  outcomeOf,
  outcomeOfAsync,
  stubProviderRegistration,
  WRONG_AUTHORIZE_PARAMS,
  WRONG_REDIRECT_URIS,
  WRONG_VALUES,
} from '@oauth1/core/testing'
import Koa from 'koa'
import session from 'koa-session'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { type Listening, listen } from './http.test-helper.js'
import {
  createMemoryServerStore,
  createMemoryStore,
  type KoaContext,
  MISSING_SECRET_MESSAGE,
  MISSING_SESSION_MESSAGE,
  OAuth,
  STORE_WITH_SESSION_OPTIONS_MESSAGE,
} from './index.js'

const KEY = 'koa-session-key-0123456789-aaaaaaaaaaaaaaaa'
const MB = 'x'.repeat(1 << 20)

function newOAuth() {
  const oauth = new OAuth({ config: {} })
  oauth.register('provider', stubProviderRegistration())
  return oauth
}

const servers: Listening[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A Koa app with koa-session and the middleware; `errors` gets what Koa's default handler logs. */
async function loginApp(route: (ctx: KoaContext, oauth: OAuth) => Promise<void>) {
  const oauth = newOAuth()
  const app = new Koa()
  app.keys = [KEY]
  const errors: Error[] = []
  app.on('error', (err: Error) => errors.push(err))
  app.use(session(app))
  app.use(oauth.middleware())
  app.use((ctx) => route(ctx, oauth))
  const server = await listen(app)
  servers.push(server)
  return { agent: request(server.url), errors }
}

/** The same authorize parameters as an object and as a URLSearchParams: both reach the URL. */
const AUTHORIZE_PARAMS = [{ force_login: 'true' }, new URLSearchParams('force_login=true')] as const

describe('oauth.middleware(options) with wrong values', () => {
  it.each(['sesionKey', 'session_key', 'secrets', 'cookieName'])(
    'refuses an option it does not know: %s (a typo would be silently dropped)',
    (option) => {
      expect(outcomeOf(() => newOAuth().middleware({ [option]: 'x' } as never))).toBe(
        `TypeError: oauth.middleware(options): unknown option "${option}" (known: sessionKey, secret, maxEntries, store, context, app)`,
      )
    },
  )

  it('refuses an options argument that is not an object', () => {
    for (const [what, value] of [
      ...WRONG_VALUES.filter(([, v]) => typeof v !== 'object' || v === null),
      ['a string', 'secret'],
    ] as [string, unknown][]) {
      expect(
        outcomeOf(() => newOAuth().middleware(value as never)),
        what,
      ).toBe('TypeError: options should be an object')
    }
  })

  it.each([
    ...WRONG_VALUES,
    ['a short string', 'short'],
    ['a short Uint8Array', new Uint8Array(8)],
    ['a list with a short secret', ['x'.repeat(32), 'short']],
    ['a list with a number', ['x'.repeat(32), 5]],
  ] as [string, unknown][])('refuses secret: %s', (_what, value) => {
    expect(outcomeOf(() => newOAuth().middleware({ secret: value as never }))).toMatch(
      /^TypeError: options\.secret/,
    )
  })

  it.each([...WRONG_VALUES, ['1.5', 1.5], ["'5'", '5'], ['2 ** 53', 2 ** 53]] as [
    string,
    unknown,
  ][])('refuses maxEntries: %s', (_what, value) => {
    expect(outcomeOf(() => newOAuth().middleware({ maxEntries: value as never }))).toBe(
      'TypeError: options.maxEntries should be a positive integer',
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
    ...WRONG_VALUES,
    ["a string 'app'", 'app'],
    ['an object with use() but no context', { use() {} }],
    ['an object with use() and a null context', { use() {}, context: null }],
  ] as [string, unknown][])('refuses app: %s', (_what, value) => {
    expect(outcomeOf(() => newOAuth().middleware({ app: value as never }))).toBe(
      'TypeError: options.app should be a Koa application',
    )
  })

  it('an app without koa-session is the documented start-up TypeError', () => {
    const app = new Koa()
    app.keys = [KEY]
    expect(outcomeOf(() => newOAuth().middleware({ app }))).toBe(
      `TypeError: ${MISSING_SESSION_MESSAGE}`,
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
  })

  it('with store, needs no sealing key: an app without app.keys is accepted', () => {
    const app = new Koa()
    app.use(session({ signed: false }, app))
    expect(outcomeOf(() => newOAuth().middleware({ app }))).toBe(
      `TypeError: ${MISSING_SECRET_MESSAGE}`,
    )
    expect(outcomeOf(() => newOAuth().middleware({ app, store: createMemoryServerStore() }))).toBe(
      'ok',
    )
  })

  it('accepts every valid value (the checks do not refuse everything)', () => {
    const app = new Koa()
    app.keys = [KEY]
    app.use(session(app))
    for (const options of [
      undefined,
      {},
      { maxEntries: 1 },
      { maxEntries: 100 },
      { secret: 'x'.repeat(32) },
      { secret: new Uint8Array(32) },
      { secret: ['x'.repeat(32), new Uint8Array(40)] },
      { secret: MB },
      { context: true },
      { context: false },
      { app },
      { store: createMemoryServerStore() },
      { store: createMemoryServerStore(), app, context: true },
      { secret: undefined, maxEntries: undefined, context: undefined, app: undefined },
      { sessionKey: undefined, store: undefined },
    ]) {
      expect(
        // no cast: the declared options take every value the runtime accepts, undefined too
        outcomeOf(() => newOAuth().middleware(options)),
        JSON.stringify(options),
      ).toBe('ok')
    }
  })
})

describe('authorizeRedirect(ctx, redirectUri, params) with wrong values', () => {
  it.each(WRONG_REDIRECT_URIS.map(([what], i) => [what, i] as const))(
    'redirectUri %s → 500 from the default handler, the logged error naming redirectUri',
    async (_what, i) => {
      const { agent, errors } = await loginApp((ctx, oauth) =>
        oauth.provider.authorizeRedirect(ctx, WRONG_REDIRECT_URIS[i]?.[1] as never),
      )
      const res = await agent.get('/login')
      expect(res.status).toBe(500)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toBeInstanceOf(TypeError)
      expect(errors[0]?.message).toMatch(/^redirectUri/)
    },
  )

  it.each(WRONG_AUTHORIZE_PARAMS.map(([what], i) => [what, i] as const))(
    'params %s → 500 from the default handler, the logged error naming params',
    async (_what, i) => {
      const { agent, errors } = await loginApp((ctx, oauth) =>
        oauth.provider.authorizeRedirect(ctx, '/cb', WRONG_AUTHORIZE_PARAMS[i]?.[1] as never),
      )
      const res = await agent.get('/login')
      expect(res.status).toBe(500)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toBeInstanceOf(TypeError)
      expect(errors[0]?.message).toMatch(/^params/)
    },
  )

  it('accepts an absolute callback on another host, a custom scheme, oob, a path, and params as an object or a URLSearchParams', async () => {
    const callbacks = ['https://other.example/cb', 'myapp://callback', 'oob', '/cb', 'cb']
    const { agent, errors } = await loginApp((ctx, oauth) =>
      oauth.provider.authorizeRedirect(
        ctx,
        callbacks[Number(ctx.path.slice(1))],
        AUTHORIZE_PARAMS[Number(ctx.path.slice(1)) % 2],
      ),
    )
    for (const i of callbacks.keys()) {
      const res = await agent.get(`/${i}`)
      expect(res.status, callbacks[i]).toBe(302)
      expect(res.headers.location).toBe(
        'https://provider.example/oauth/authorize?force_login=true&oauth_token=rt',
      )
    }
    expect(errors).toEqual([])
  })
})

describe('authorizeRedirect / authorizeAccessToken with something that is not a Koa context', () => {
  it.each([['undefined', undefined], ...WRONG_VALUES, ["a string 'ctx'", 'ctx']] as [
    string,
    unknown,
  ][])('%s → TypeError naming ctx, or the missing-session TypeError', async (_what, value) => {
    const oauth = newOAuth()
    const expected =
      typeof value === 'object' && value !== null
        ? `TypeError: ${MISSING_SESSION_MESSAGE}`
        : /^TypeError: .*ctx should be the Koa context/
    expect(await outcomeOfAsync(() => oauth.provider.authorizeAccessToken(value as never))).toMatch(
      expected,
    )
    expect(
      await outcomeOfAsync(() => oauth.provider.authorizeRedirect(value as never, '/cb')),
    ).toMatch(expected)
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
})
