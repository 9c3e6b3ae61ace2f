import secureSession from '@fastify/secure-session'
import Fastify, { type FastifyRequest } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { CookieJar, createApp, get, sessionKey } from './http.test-helper.js'
import { type FastifyMiddlewareOptions, OAuth, SESSION_KEY } from './index.js'

const MISSING_SESSION =
  '@oauth1/fastify: request.session is missing. Install @fastify/secure-session ' +
  '(npm install @fastify/secure-session) and register it before oauth.middleware(): ' +
  'await app.register(secureSession, { key }); await app.register(oauth.middleware())'

const MISSING_NAMED_SESSION =
  '@oauth1/fastify: request.auth is missing. Install @fastify/secure-session ' +
  '(npm install @fastify/secure-session) and register it before oauth.middleware(): ' +
  "await app.register(secureSession, { key, sessionName: 'auth' }); " +
  "await app.register(oauth.middleware({ sessionName: 'auth' }))"

const apps: { close(): Promise<unknown> }[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

function fastify() {
  const app = Fastify({ logger: false })
  apps.push(app)
  return app
}

describe('middleware(): start-up checks', () => {
  it('refuses a second middleware() with other session options on the same OAuth', () => {
    const oauth = new OAuth({ config: {} })
    oauth.middleware({ sessionName: 'auth', maxEntries: 3 })
    // The same options again (another sub-app, a test) are fine; context is per plugin.
    expect(() =>
      oauth.middleware({ sessionName: 'auth', maxEntries: 3, context: false }),
    ).not.toThrow()
    for (const other of [
      {},
      { sessionName: 'other', maxEntries: 3 },
      { sessionName: 'auth', maxEntries: 4 },
      { sessionName: 'auth', maxEntries: 3, secret: 'x'.repeat(32) },
      { sessionName: 'auth', maxEntries: 3, sessionKey: 'pending' },
    ]) {
      expect(() => oauth.middleware(other)).toThrow(
        /^@oauth1\/fastify: oauth\.middleware\(options\) was already called with other options/,
      )
    }
    // The default sessionKey, named or not, is the same key.
    expect(() =>
      oauth.middleware({ sessionName: 'auth', maxEntries: 3, sessionKey: SESSION_KEY }),
    ).not.toThrow()
  })

  it('rejects the registration at once when @fastify/secure-session is not registered', async () => {
    const app = fastify()
    await expect(app.register(new OAuth({ config: {} }).middleware())).rejects.toThrow(
      new TypeError(MISSING_SESSION),
    )
  })

  it('makes ready() reject when secure-session is registered after it', async () => {
    const app = fastify()
    app.register(new OAuth({ config: {} }).middleware())
    app.register(secureSession, { key: sessionKey() })
    await expect(app.ready()).rejects.toThrow(new TypeError(MISSING_SESSION))
  })

  it('does not see a session registered in a sibling (encapsulated) context', async () => {
    const app = fastify()
    app.register(async (child) => {
      // not wrapped with fastify-plugin on purpose: this session stays inside `child`
      await child.register(async (grandChild) => {
        grandChild.decorateRequest('session', null as never)
      })
    })
    await expect(app.register(new OAuth({ config: {} }).middleware())).rejects.toThrow(
      new TypeError(MISSING_SESSION),
    )
  })

  it('names the session it looks for when a named session is configured', async () => {
    const app = fastify()
    await app.register(secureSession, { key: sessionKey() })
    await expect(
      app.register(new OAuth({ config: {} }).middleware({ sessionName: 'auth' })),
    ).rejects.toThrow(new TypeError(MISSING_NAMED_SESSION))
  })

  it('accepts a named secure-session', async () => {
    const app = fastify()
    await app.register(secureSession, {
      key: sessionKey(),
      sessionName: 'auth',
      cookieName: 'auth',
    })
    await expect(
      app.register(new OAuth({ config: {} }).middleware({ sessionName: 'auth' })),
    ).resolves.toBeDefined()
  })

  it('throws a TypeError naming a bad option', () => {
    const oauth = new OAuth({ config: {} })
    expect(() => oauth.middleware({ sessionName: '' })).toThrow(
      new TypeError('@oauth1/fastify: options.sessionName should be a non-empty string'),
    )
    expect(() => oauth.middleware({ maxEntries: 0 })).toThrow(
      new TypeError('@oauth1/fastify: options.maxEntries should be a positive integer'),
    )
    expect(() => oauth.middleware({ maxEntries: 1.5 })).toThrow(
      new TypeError('@oauth1/fastify: options.maxEntries should be a positive integer'),
    )
    expect(() => oauth.middleware('session' as never)).toThrow(
      new TypeError('@oauth1/fastify: options should be an object'),
    )
    expect(() => oauth.middleware({ secret: 'too short' })).toThrow(TypeError)
    for (const context of ['yes', 1, null]) {
      expect(() => oauth.middleware({ context: context as never })).toThrow(
        new TypeError('@oauth1/fastify: options.context should be a boolean'),
      )
    }
  })

  it('fails the registration, not the process, when the method itself is registered', async () => {
    const app = fastify()
    await app.register(secureSession, { key: sessionKey() })
    const oauth = new OAuth({ config: {} })
    await expect(app.register(oauth.middleware as never)).rejects.toThrow(
      new TypeError(
        '@oauth1/fastify: register the plugin oauth.middleware() returns, not the method: ' +
          'await app.register(oauth.middleware())',
      ),
    )
  })

  it('still says what is missing at first use when the middleware was never registered', async () => {
    const app = fastify()
    const oauth = new OAuth({ config: {} })
    const provider = oauth.register('provider', {
      clientId: 'client',
      requestTokenUrl: 'https://provider.example/oauth/request_token',
      accessTokenUrl: 'https://provider.example/oauth/access_token',
      authorizeUrl: 'https://provider.example/oauth/authorize',
    })
    app.get('/login', (request, reply) => provider.authorizeRedirect(request, reply, '/authorize'))
    app.get('/authorize', (request) => provider.authorizeAccessToken(request))
    for (const url of ['/login', '/authorize?oauth_token=t&oauth_verifier=v']) {
      const response = await app.inject(url)
      expect(response.statusCode).toBe(500)
      expect(response.json()).toMatchObject({ message: MISSING_SESSION })
    }
  })

  it('registers with the fastify-plugin metadata, so its hooks apply to the whole app', async () => {
    const oauth = new OAuth({ config: {} })
    const app = await createApp({ oauth })
    apps.push(app)
    await app.ready()
    expect(app.hasPlugin('@oauth1/fastify')).toBe(true)
  })
})

describe('middleware(): the request context', () => {
  /** Routes that report whether the request is current; a fetchToken (which reads it) unless `oauth` is given. */
  async function appWithRoutes(
    oauth = new OAuth({ config: {}, fetchToken: () => undefined }),
    middleware?: FastifyMiddlewareOptions,
  ) {
    const app = await createApp(middleware === undefined ? { oauth } : { oauth, middleware })
    apps.push(app)
    const seen = (request: FastifyRequest) => ({
      same: oauth.context.current() === request,
      id: request.id,
    })
    app.get('/async', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return seen(request)
    })
    app.get('/callback', (request, reply) => {
      setTimeout(() => {
        reply.send(seen(request))
      }, 5)
    })
    app.post('/json', async (request) => {
      await Promise.resolve()
      return { ...seen(request), body: request.body }
    })
    app.get(
      '/hooked',
      {
        preHandler: async (request) => {
          await new Promise((resolve) => setTimeout(resolve, 1))
          ;(request as unknown as { hookSaw: boolean }).hookSaw =
            oauth.context.current() === request
        },
      },
      async (request) => ({
        ...seen(request),
        hookSaw: (request as unknown as { hookSaw: boolean }).hookSaw,
      }),
    )
    app.get('/delayed/:ms', async (request) => {
      const { ms } = request.params as { ms: string }
      await new Promise((resolve) => setTimeout(resolve, Number(ms)))
      return seen(request)
    })
    return { app, oauth }
  }

  it('binds the request for an async handler', async () => {
    const { app } = await appWithRoutes()
    const response = await get(app, new CookieJar(), '/async')
    expect(response.json()).toMatchObject({ same: true })
  })

  it('binds the request for a callback-style handler', async () => {
    const { app } = await appWithRoutes()
    const response = await get(app, new CookieJar(), '/callback')
    expect(response.json()).toMatchObject({ same: true })
  })

  it('keeps the binding across body parsing', async () => {
    const { app } = await appWithRoutes()
    const response = await app.inject({
      method: 'POST',
      url: '/json',
      payload: { hello: 'world' },
    })
    expect(response.json()).toEqual({
      same: true,
      id: expect.any(String),
      body: { hello: 'world' },
    })
  })

  it('binds the request in route hooks too', async () => {
    const { app } = await appWithRoutes()
    const response = await get(app, new CookieJar(), '/hooked')
    expect(response.json()).toMatchObject({ same: true, hookSaw: true })
  })

  it('keeps concurrent requests apart', async () => {
    const { app } = await appWithRoutes()
    const responses = await Promise.all(
      [30, 5, 20, 1, 10].map((ms) => app.inject({ method: 'GET', url: `/delayed/${ms}` })),
    )
    const bodies = responses.map((response) => response.json() as { same: boolean; id: string })
    expect(bodies.every((body) => body.same)).toBe(true)
    expect(new Set(bodies.map((body) => body.id)).size).toBe(5)
  })

  it('survives malformed cookies', async () => {
    const { app } = await appWithRoutes()
    for (const cookie of [
      'session=%%%zz; other=%E0%A4%A',
      `session=${'a;'.repeat(2_000)}`,
      'session=;;;',
    ]) {
      const response = await app.inject({ method: 'GET', url: '/async', headers: { cookie } })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({ same: true })
    }
  })

  it('is bound only when a fetchToken can read it, unless options.context says so', async () => {
    const probe = async (oauth: OAuth, middleware?: FastifyMiddlewareOptions) => {
      const { app } = await appWithRoutes(oauth, middleware)
      const async = (await get(app, new CookieJar(), '/async')).json() as { same: boolean }
      const hooked = (await get(app, new CookieJar(), '/hooked')).json() as {
        same: boolean
        hookSaw: boolean
      }
      // A body: the preValidation hook re-binds after parsing, or leaves it unbound.
      const posted = (
        await app.inject({ method: 'POST', url: '/json', payload: { hello: 'world' } })
      ).json() as { same: boolean; body: unknown }
      expect(posted.body).toEqual({ hello: 'world' })
      const bound = [async.same, hooked.same, hooked.hookSaw, posted.same]
      // all or nothing, in every phase of the request
      expect(new Set(bound).size).toBe(1)
      return bound[0]
    }
    const withoutFetchToken = () => new OAuth({ config: {} })
    const withFetchToken = () => new OAuth({ config: {}, fetchToken: () => undefined })
    // No fetchToken anywhere: nothing reads the context, so AsyncLocalStorage is not used.
    expect(await probe(withoutFetchToken())).toBe(false)
    expect(await probe(withoutFetchToken(), { context: true })).toBe(true)
    expect(await probe(withoutFetchToken(), { context: false })).toBe(false)
    expect(await probe(withFetchToken())).toBe(true)
    expect(await probe(withFetchToken(), { context: true })).toBe(true)
    expect(await probe(withFetchToken(), { context: false })).toBe(false)
  })

  it('counts a fetchToken registered after the plugin, from the next request on', async () => {
    const late = new OAuth({ config: {} })
    const { app } = await appWithRoutes(late)
    const post = () => app.inject({ method: 'POST', url: '/json', payload: { n: 1 } })
    expect((await get(app, new CookieJar(), '/async')).json()).toMatchObject({ same: false })
    expect((await post()).json()).toMatchObject({ same: false, body: { n: 1 } })
    late.register('other', {
      clientId: 'client',
      requestTokenUrl: 'http://127.0.0.1:9/oauth/request_token',
      accessTokenUrl: 'http://127.0.0.1:9/oauth/access_token',
      authorizeUrl: 'http://127.0.0.1:9/oauth/authorize',
      fetchToken: () => null,
    })
    expect((await get(app, new CookieJar(), '/async')).json()).toMatchObject({ same: true })
    expect((await post()).json()).toMatchObject({ same: true, body: { n: 1 } })
    // Registering the name again without one turns it off again.
    late.register('other', {
      clientId: 'client',
      requestTokenUrl: 'http://127.0.0.1:9/oauth/request_token',
      accessTokenUrl: 'http://127.0.0.1:9/oauth/access_token',
      authorizeUrl: 'http://127.0.0.1:9/oauth/authorize',
    })
    expect((await get(app, new CookieJar(), '/async')).json()).toMatchObject({ same: false })
    expect((await post()).json()).toMatchObject({ same: false, body: { n: 1 } })
  })

  it('is empty outside a request', async () => {
    const { app, oauth } = await appWithRoutes()
    await get(app, new CookieJar(), '/async')
    expect(oauth.context.current()).toBeUndefined()
  })
})

describe('authorizeRedirect after the reply was sent', () => {
  it('is a TypeError naming the misuse, before the provider is asked', async () => {
    const oauth = new OAuth({ config: {} })
    oauth.register('provider', {
      clientId: 'client',
      clientSecret: 'secret',
      // A closed port: asked, the provider would be an OAuthError (fetch_token_denied).
      requestTokenUrl: 'http://127.0.0.1:9/oauth/request_token',
      accessTokenUrl: 'http://127.0.0.1:9/oauth/access_token',
      authorizeUrl: 'http://127.0.0.1:9/oauth/authorize',
    })
    const app = await createApp({ oauth })
    apps.push(app)
    const caught: unknown[] = []
    app.get('/login', async (request, reply) => {
      await reply.code(204).send()
      await oauth.provider
        .authorizeRedirect(request, reply, '/authorize')
        .catch((e: unknown) => caught.push(e))
      return reply
    })
    const res = await app.inject({ method: 'GET', url: '/login' })
    expect(res.statusCode).toBe(204)
    await expect.poll(() => caught.length).toBe(1)
    expect(caught[0]).toEqual(
      new TypeError(
        '@oauth1/fastify: authorizeRedirect(request, reply): the reply was already sent; call it once, instead of answering the request',
      ),
    )
  })
})
