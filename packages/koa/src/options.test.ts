// Wrong values for every option and argument of the Koa adapter: each ends in a
// TypeError naming it (or the documented start-up Error), never a crash deeper inside.
import Koa from 'koa'
import session from 'koa-session'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { type KoaContext, MISSING_SESSION_MESSAGE, OAuth } from './index.js'
import { type Listening, listen } from './test-helpers.js'

const KEY = 'koa-session-key-0123456789-aaaaaaaaaaaaaaaa'
const MB = 'x'.repeat(1 << 20)

/** Values that are wrong wherever a string, a number, a boolean or an object is expected. */
const JUNK: [string, unknown][] = [
  ['null', null],
  ["''", ''],
  ['0', 0],
  ['-1', -1],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['true', true],
  ['{}', {}],
  ['[]', []],
  ['a Symbol', Symbol('x')],
  ['a function', () => 'x'],
]

/** A stub provider: every request-token request succeeds, without the network. */
const providerFetch: typeof fetch = async () =>
  new Response('oauth_token=rt&oauth_token_secret=rs&oauth_callback_confirmed=true', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })

function newOAuth() {
  const oauth = new OAuth({ config: {} })
  oauth.register('provider', {
    clientId: 'client',
    clientSecret: 'secret',
    requestTokenUrl: 'https://provider.example/oauth/request_token',
    accessTokenUrl: 'https://provider.example/oauth/access_token',
    authorizeUrl: 'https://provider.example/oauth/authorize',
    apiBaseUrl: 'https://provider.example/api/',
    fetch: providerFetch,
  })
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

function outcome(fn: () => unknown): string {
  try {
    fn()
    return 'ok'
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`
  }
}

async function outcomeAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn()
    return 'ok'
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`
  }
}

describe('oauth.middleware(options) with wrong values', () => {
  it('refuses an options argument that is not an object', () => {
    for (const [what, value] of [
      ...JUNK.filter(([, v]) => typeof v !== 'object' || v === null),
      ['a string', 'secret'],
    ] as [string, unknown][]) {
      expect(
        outcome(() => newOAuth().middleware(value as never)),
        what,
      ).toBe('TypeError: options should be an object')
    }
  })

  it.each([
    ...JUNK,
    ['a short string', 'short'],
    ['a short Uint8Array', new Uint8Array(8)],
    ['a list with a short secret', ['x'.repeat(32), 'short']],
    ['a list with a number', ['x'.repeat(32), 5]],
  ] as [string, unknown][])('refuses secret: %s', (_what, value) => {
    expect(outcome(() => newOAuth().middleware({ secret: value as never }))).toMatch(
      /^TypeError: options\.secret/,
    )
  })

  it.each([...JUNK, ['1.5', 1.5], ["'5'", '5'], ['2 ** 53', 2 ** 53]] as [string, unknown][])(
    'refuses maxEntries: %s',
    (_what, value) => {
      expect(outcome(() => newOAuth().middleware({ maxEntries: value as never }))).toBe(
        'TypeError: options.maxEntries should be a positive integer',
      )
    },
  )

  it.each([...JUNK.filter(([, v]) => v !== true), ["'true'", 'true']] as [string, unknown][])(
    'refuses context: %s',
    (_what, value) => {
      expect(outcome(() => newOAuth().middleware({ context: value as never }))).toBe(
        'TypeError: options.context should be a boolean',
      )
    },
  )

  it.each([
    ...JUNK,
    ["a string 'app'", 'app'],
    ['an object with use() but no context', { use() {} }],
    ['an object with use() and a null context', { use() {}, context: null }],
  ] as [string, unknown][])('refuses app: %s', (_what, value) => {
    expect(outcome(() => newOAuth().middleware({ app: value as never }))).toBe(
      'TypeError: options.app should be a Koa application',
    )
  })

  it('an app without koa-session is the documented start-up Error', () => {
    const app = new Koa()
    app.keys = [KEY]
    expect(outcome(() => newOAuth().middleware({ app }))).toBe(`Error: ${MISSING_SESSION_MESSAGE}`)
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
      { secret: undefined, maxEntries: undefined, context: undefined, app: undefined },
    ]) {
      expect(
        outcome(() => newOAuth().middleware(options as never)),
        JSON.stringify(options),
      ).toBe('ok')
    }
  })
})

const REDIRECTS: [string, unknown][] = [
  ...JUNK.filter(([, v]) => v !== null),
  ['//evil.example/cb', '//evil.example/cb'],
  ['/\\evil.example/cb', '/\\evil.example/cb'],
]

const PARAMS: [string, unknown][] = [
  ...JUNK.filter(([, v]) => v !== null && !(typeof v === 'object' && !Array.isArray(v))),
  ['a number value', { force_login: 1 }],
  ['a null value', { force_login: null }],
  ['an object value', { force_login: {} }],
]

describe('authorizeRedirect(ctx, redirectUri, params) with wrong values', () => {
  it.each(REDIRECTS.map(([what], i) => [what, i] as const))(
    'redirectUri %s → 500 from the default handler, the logged error naming redirectUri',
    async (_what, i) => {
      const { agent, errors } = await loginApp((ctx, oauth) =>
        oauth.provider.authorizeRedirect(ctx, REDIRECTS[i]?.[1] as never),
      )
      const res = await agent.get('/login')
      expect(res.status).toBe(500)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toBeInstanceOf(TypeError)
      expect(errors[0]?.message).toMatch(/^redirectUri/)
    },
  )

  it.each(PARAMS.map(([what], i) => [what, i] as const))(
    'params %s → 500 from the default handler, the logged error naming params',
    async (_what, i) => {
      const { agent, errors } = await loginApp((ctx, oauth) =>
        oauth.provider.authorizeRedirect(ctx, '/cb', PARAMS[i]?.[1] as never),
      )
      const res = await agent.get('/login')
      expect(res.status).toBe(500)
      expect(errors).toHaveLength(1)
      expect(errors[0]).toBeInstanceOf(TypeError)
      expect(errors[0]?.message).toMatch(/^params/)
    },
  )

  it('accepts an absolute callback on another host, a custom scheme, oob, a path, and params', async () => {
    const callbacks = ['https://other.example/cb', 'myapp://callback', 'oob', '/cb', 'cb']
    const { agent, errors } = await loginApp((ctx, oauth) =>
      oauth.provider.authorizeRedirect(ctx, callbacks[Number(ctx.path.slice(1))], {
        force_login: 'true',
      }),
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
  it.each([['undefined', undefined], ...JUNK, ["a string 'ctx'", 'ctx']] as [string, unknown][])(
    '%s → TypeError naming ctx, or the missing-session Error',
    async (_what, value) => {
      const oauth = newOAuth()
      const expected =
        typeof value === 'object' && value !== null
          ? `Error: ${MISSING_SESSION_MESSAGE}`
          : /^TypeError: .*ctx should be the Koa context/
      expect(await outcomeAsync(() => oauth.provider.authorizeAccessToken(value as never))).toMatch(
        expected,
      )
      expect(
        await outcomeAsync(() => oauth.provider.authorizeRedirect(value as never, '/cb')),
      ).toMatch(expected)
    },
  )
})

describe('the request helpers with wrong values', () => {
  const token = { oauth_token: 't', oauth_token_secret: 's' }
  it.each([['undefined', undefined], ...JUNK, ['//evil.example/x', '//evil.example/x']] as [
    string,
    unknown,
  ][])('get(%s) → TypeError naming url', async (_what, url) => {
    expect(await outcomeAsync(() => newOAuth().provider.get(url as never, { token }))).toMatch(
      /^TypeError: url /,
    )
  })
})
