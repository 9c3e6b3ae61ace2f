// Wrong values for every option and argument of the Fastify adapter: each ends in a
// TypeError naming it (or the documented start-up Error), never a crash deeper inside.

import secureSession from '@fastify/secure-session'
import { createMemoryServerStore, createMemoryStore } from '@oauth1/core'
import {
  outcomeOf,
  outcomeOfAsync,
  stubProviderRegistration,
  WRONG_AUTHORIZE_PARAMS,
  WRONG_REDIRECT_URIS,
  WRONG_VALUES,
} from '@oauth1/core/testing'
import Fastify, { type FastifyRequest } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { sessionKey } from './http.test-helper.js'
import { OAuth, STORE_WITH_SESSION_OPTIONS_MESSAGE } from './index.js'

const MB = 'x'.repeat(1 << 20)

function newOAuth() {
  const oauth = new OAuth({ config: {} })
  oauth.register('provider', stubProviderRegistration())
  return oauth
}

const apps: { close(): Promise<unknown> }[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

async function sessionApp(oauth = newOAuth()) {
  const app = Fastify({ logger: false })
  apps.push(app)
  await app.register(secureSession, { key: sessionKey() })
  await app.register(oauth.middleware())
  return { app, oauth }
}

/** The same authorize parameters as an object and as a URLSearchParams: both reach the URL. */
const AUTHORIZE_PARAMS = [{ force_login: 'true' }, new URLSearchParams('force_login=true')] as const

describe('oauth.middleware(options) with wrong values', () => {
  it.each(['sesionKey', 'session_key', 'secrets', 'cookieName'])(
    'refuses an option it does not know: %s (a typo would be silently dropped)',
    (option) => {
      expect(outcomeOf(() => newOAuth().middleware({ [option]: 'x' } as never))).toBe(
        `TypeError: @oauth1/fastify: unknown option "${option}" (known: sessionName, sessionKey, secret, maxEntries, store, context)`,
      )
    },
  )

  it('refuses an options argument that is not an object', () => {
    for (const [what, value] of [
      ...WRONG_VALUES.filter(([, v]) => typeof v !== 'object'),
      ['a string', 'session'],
    ] as [string, unknown][]) {
      expect(
        outcomeOf(() => newOAuth().middleware(value as never)),
        what,
      ).toBe('TypeError: @oauth1/fastify: options should be an object')
    }
  })

  it.each(WRONG_VALUES.filter(([, v]) => v !== null))('refuses sessionName: %s', (_what, value) => {
    expect(outcomeOf(() => newOAuth().middleware({ sessionName: value as never }))).toBe(
      'TypeError: @oauth1/fastify: options.sessionName should be a non-empty string',
    )
  })

  it.each([...WRONG_VALUES, ['1.5', 1.5], ["'5'", '5']] as [string, unknown][])(
    'refuses maxEntries: %s',
    (_what, value) => {
      expect(outcomeOf(() => newOAuth().middleware({ maxEntries: value as never }))).toBe(
        'TypeError: @oauth1/fastify: options.maxEntries should be a positive integer',
      )
    },
  )

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
      'TypeError: @oauth1/fastify: options.context should be a boolean',
    )
  })

  it('a sessionName naming no session decorator fails the registration with the start-up Error', async () => {
    for (const sessionName of ['auth', 'with\r\nCR LF', MB]) {
      const app = Fastify({ logger: false })
      apps.push(app)
      await app.register(secureSession, { key: sessionKey() })
      await expect(
        app.register(newOAuth().middleware({ sessionName })),
        JSON.stringify(sessionName.slice(0, 20)),
      ).rejects.toThrow(/^@oauth1\/fastify: request\..* is missing/s)
    }
  })

  it.each([
    ...WRONG_VALUES.filter(([, v]) => v !== null),
    ['a per-request store', createMemoryStore()],
    ['a store factory function', () => createMemoryServerStore()],
  ] as [string, unknown][])('refuses store: %s', (_what, value) => {
    expect(outcomeOf(() => newOAuth().middleware({ store: value as never }))).toBe(
      'TypeError: @oauth1/fastify: options.store should be a server-side store such as redisStore(client) of @oauth1/redis (an object with forBinding(bindingId))',
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

  it('refuses a second middleware() with another store, accepts the same one again', () => {
    const oauth = newOAuth()
    const store = createMemoryServerStore()
    oauth.middleware({ store })
    expect(outcomeOf(() => oauth.middleware({ store }))).toBe('ok')
    expect(outcomeOf(() => oauth.middleware({ store: createMemoryServerStore() }))).toMatch(
      /^TypeError: @oauth1\/fastify: oauth\.middleware\(options\) was already called with other options/,
    )
  })

  it('accepts every valid value (the checks do not refuse everything)', () => {
    for (const options of [
      undefined,
      {},
      { sessionName: 'auth' },
      { maxEntries: 1 },
      { maxEntries: 100 },
      { secret: 'x'.repeat(32) },
      { secret: new Uint8Array(32) },
      { secret: ['x'.repeat(32), new Uint8Array(40)] },
      { secret: MB },
      { context: true },
      { context: false },
      { store: createMemoryServerStore() },
      { store: createMemoryServerStore(), sessionName: 'auth', context: true },
      { sessionName: undefined, maxEntries: undefined, secret: undefined, context: undefined },
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

describe('authorizeRedirect(request, reply, redirectUri, params) with wrong values', () => {
  it.each(WRONG_REDIRECT_URIS.map(([what], i) => [what, i] as const))(
    'redirectUri %s → 500 whose message names redirectUri, from the default handler',
    async (_what, i) => {
      const { app, oauth } = await sessionApp()
      app.get('/login', (request, reply) =>
        oauth.provider.authorizeRedirect(request, reply, WRONG_REDIRECT_URIS[i]?.[1] as never),
      )
      const res = await app.inject('/login')
      expect(res.statusCode).toBe(500)
      expect(res.json().message).toMatch(/redirectUri/)
      expect(res.headers['set-cookie']).toBeUndefined()
    },
  )

  it.each(WRONG_AUTHORIZE_PARAMS.map(([what], i) => [what, i] as const))(
    'params %s → 500 whose message names params, from the default handler',
    async (_what, i) => {
      const { app, oauth } = await sessionApp()
      app.get('/login', (request, reply) =>
        oauth.provider.authorizeRedirect(
          request,
          reply,
          '/cb',
          WRONG_AUTHORIZE_PARAMS[i]?.[1] as never,
        ),
      )
      const res = await app.inject('/login')
      expect(res.statusCode).toBe(500)
      expect(res.json().message).toMatch(/^params/)
      expect(res.headers['set-cookie']).toBeUndefined()
    },
  )

  it('accepts an absolute callback on another host, a custom scheme, oob, a path, and params as an object or a URLSearchParams', async () => {
    const { app, oauth } = await sessionApp()
    const callbacks = ['https://other.example/cb', 'myapp://callback', 'oob', '/cb', 'cb']
    app.get('/:i', (request, reply) =>
      oauth.provider.authorizeRedirect(
        request,
        reply,
        callbacks[Number((request.params as { i: string }).i)],
        AUTHORIZE_PARAMS[Number((request.params as { i: string }).i) % 2],
      ),
    )
    for (const i of callbacks.keys()) {
      const res = await app.inject(`/${i}`)
      expect(res.statusCode, callbacks[i]).toBe(302)
      expect(res.headers.location).toBe(
        'https://provider.example/oauth/authorize?force_login=true&oauth_token=rt',
      )
    }
  })
})

describe('authorizeRedirect / authorizeAccessToken with something that is not a Fastify request', () => {
  it.each([['undefined', undefined], ...WRONG_VALUES, ["a string 'request'", 'request']] as [
    string,
    unknown,
  ][])('%s → TypeError naming request, or the missing-session TypeError', async (_what, value) => {
    const oauth = newOAuth()
    const expected =
      typeof value === 'object' && value !== null
        ? /^TypeError: @oauth1\/fastify: request\.session is missing/
        : /^TypeError: .*request should be the Fastify request/
    expect(await outcomeOfAsync(() => oauth.provider.authorizeAccessToken(value as never))).toMatch(
      expected,
    )
    expect(
      await outcomeOfAsync(() =>
        oauth.provider.authorizeRedirect(value as never, {} as never, '/cb'),
      ),
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

  it('with { request } that is not a request and no fetchToken: OAuthError missing_token (401)', async () => {
    await expect(
      newOAuth().provider.get('me', { request: 5 as unknown as FastifyRequest }),
    ).rejects.toMatchObject({ name: 'OAuthError', code: 'missing_token', status: 401 })
  })
})
