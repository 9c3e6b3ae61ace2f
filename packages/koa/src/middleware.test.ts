import type { StoredTemporaryCredential } from '@oauth1/core'
import Koa from 'koa'
import session from 'koa-session'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { listen, sessionCookieJson } from './http.test-helper.js'
import {
  createMemoryServerStore,
  MISSING_SECRET_MESSAGE,
  MISSING_SESSION_MESSAGE,
  OAuth,
  SESSION_KEY,
  sessionStore,
} from './index.js'

const KEY_A = 'koa-session-key-A-0123456789-aaaaaaaaaaaaaaaa'
const SECRET = 'an explicit sealing secret of 32+ chars'

const credential = (token: string): StoredTemporaryCredential => ({
  oauth_token: token,
  oauth_token_secret: `${token}-very-secret`,
  redirect_uri: 'http://127.0.0.1/authorize',
  expires_at: Date.now() + 60_000,
})

describe('oauth.middleware() start-up checks', () => {
  it('fails the first request with what to install and where when koa-session is missing', async () => {
    const app = new Koa()
    app.keys = [KEY_A]
    app.silent = true
    const errors: unknown[] = []
    app.on('error', (err) => errors.push(err))
    app.use(new OAuth().middleware())
    app.use((ctx) => {
      ctx.body = 'unreachable'
    })
    const server = await listen(app)
    try {
      const res = await request(server.server).get('/')
      expect(res.status).toBe(500)
      expect(res.text).not.toBe('unreachable')
      expect(errors.map((e) => (e as Error).message)).toEqual([MISSING_SESSION_MESSAGE])
    } finally {
      await server.close()
    }
    expect(MISSING_SESSION_MESSAGE).toBe(
      '@oauth1/koa: ctx.session is missing. Install koa-session (npm install koa-session) and add ' +
        '`app.use(session(app))` before `app.use(oauth.middleware())`.',
    )
  })

  it('fails the first request when neither app.keys nor a secret is set', async () => {
    const app = new Koa()
    app.silent = true
    const errors: unknown[] = []
    app.on('error', (err) => errors.push(err))
    app.use(session({ signed: false }, app))
    app.use(new OAuth().middleware())
    app.use((ctx) => {
      ctx.body = 'unreachable'
    })
    const server = await listen(app)
    try {
      const res = await request(server.server).get('/')
      expect(res.status).toBe(500)
      expect(errors.map((e) => (e as Error).message)).toEqual([MISSING_SECRET_MESSAGE])
    } finally {
      await server.close()
    }
  })

  it('checks at creation when given the app', () => {
    const oauth = new OAuth()
    const bare = new Koa()
    bare.keys = [KEY_A]
    expect(() => oauth.middleware({ app: bare })).toThrow(new TypeError(MISSING_SESSION_MESSAGE))

    const noKeys = new Koa()
    noKeys.use(session({ signed: false }, noKeys))
    expect(() => oauth.middleware({ app: noKeys })).toThrow(new TypeError(MISSING_SECRET_MESSAGE))
    expect(() => new OAuth().middleware({ app: noKeys, secret: SECRET })).not.toThrow()

    const ok = new Koa()
    ok.keys = [KEY_A]
    ok.use(session(ok))
    expect(() => oauth.middleware({ app: ok })).not.toThrow()
  })

  it('refuses a second middleware() with other session options on the same OAuth', () => {
    const oauth = new OAuth()
    const store = createMemoryServerStore()
    oauth.middleware({ store, sessionKey: 'pending' })
    // The same options again (another router, a test) are fine; context and app may differ.
    const app = new Koa()
    app.use(session(app))
    expect(() =>
      oauth.middleware({ store, sessionKey: 'pending', context: false, app }),
    ).not.toThrow()
    for (const other of [
      {},
      { store },
      { store: createMemoryServerStore(), sessionKey: 'pending' },
      { sessionKey: 'pending', secret: SECRET },
      { sessionKey: 'pending', maxEntries: 3 },
    ]) {
      expect(() => oauth.middleware(other)).toThrow(
        new TypeError(
          'oauth.middleware(options) was already called with other options; ' +
            'use one OAuth per session configuration (or the same options)',
        ),
      )
    }
    // The default sessionKey, named or not, is the same key.
    const plain = new OAuth()
    plain.middleware()
    expect(() => plain.middleware({ sessionKey: SESSION_KEY })).not.toThrow()
  })

  it('validates its options, naming them', () => {
    const oauth = new OAuth()
    expect(() => oauth.middleware(null as never)).toThrow(
      new TypeError('options should be an object'),
    )
    expect(() => oauth.middleware({ secret: 'short' })).toThrow(
      new TypeError(
        "options.secret should be at least 32 characters long (e.g. crypto.randomBytes(32).toString('hex'))",
      ),
    )
    expect(() => oauth.middleware({ secret: [] })).toThrow(
      new TypeError('options.secret should be a non-empty list of secrets'),
    )
    expect(() => oauth.middleware({ secret: 42 as never })).toThrow(
      new TypeError('options.secret should be a string or a Uint8Array'),
    )
    expect(() => oauth.middleware({ context: 'yes' as never })).toThrow(
      new TypeError('options.context should be a boolean'),
    )
    expect(() => oauth.middleware({ context: null as never })).toThrow(
      new TypeError('options.context should be a boolean'),
    )
    expect(() => oauth.middleware({ app: {} as never })).toThrow(
      new TypeError('options.app should be a Koa application'),
    )
  })

  it('seals with middleware({ secret }) when given, not app.keys', async () => {
    const app = new Koa()
    app.keys = [KEY_A]
    app.use(session(app))
    app.use(new OAuth().middleware({ secret: SECRET }))
    app.use(async (ctx) => {
      if (ctx.path === '/set') {
        await sessionStore(ctx).set('twitter:t1', credential('t1'))
        ctx.body = 'ok'
      } else {
        // a store bound without the middleware derives its key from app.keys: it cannot read
        const viaKeys = sessionStore({ session: ctx.session, app: ctx.app } as Koa.Context)
        const viaSecret = sessionStore(ctx)
        ctx.body = {
          keys: await viaKeys.get('twitter:t1'),
          secret: (await viaSecret.get('twitter:t1'))?.oauth_token ?? null,
        }
      }
    })
    const server = await listen(app)
    try {
      const agent = request.agent(server.server)
      const set = await agent.get('/set')
      const json = sessionCookieJson(set.headers['set-cookie']) as Record<string, unknown>
      expect(Object.keys(json[SESSION_KEY] as object)).toEqual(['twitter:t1'])
      expect(JSON.stringify(json)).not.toContain('t1-very-secret')
      expect((await agent.get('/get')).body).toEqual({ keys: null, secret: 't1' })
    } finally {
      await server.close()
    }
  })
})

describe('the request context', () => {
  const urls = {
    requestTokenUrl: 'http://127.0.0.1:9/oauth/request_token',
    accessTokenUrl: 'http://127.0.0.1:9/oauth/access_token',
    authorizeUrl: 'http://127.0.0.1:9/oauth/authorize',
  }
  const newOAuth = (fetchToken?: () => undefined) =>
    new OAuth(fetchToken === undefined ? { config: {} } : { config: {}, fetchToken })

  /** A Koa app whose route answers whether its ctx is the registry's current request. */
  async function serveProbe(oauth: OAuth, options?: { context?: boolean }) {
    const app = new Koa()
    app.keys = [KEY_A]
    app.use(session(app))
    app.use(oauth.middleware(options))
    app.use(async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      ctx.body = { bound: oauth.context.current() === ctx }
    })
    return listen(app)
  }
  async function probe(oauth: OAuth, options?: { context?: boolean }) {
    const server = await serveProbe(oauth, options)
    try {
      return (await request(server.server).get('/')).body
    } finally {
      await server.close()
    }
  }

  it('is bound only when a fetchToken can read it, unless options.context says so', async () => {
    // No fetchToken anywhere: nothing reads the context, so AsyncLocalStorage is not used.
    expect(await probe(newOAuth())).toEqual({ bound: false })
    expect(await probe(newOAuth(), { context: true })).toEqual({ bound: true })
    const withFetchToken = newOAuth(() => undefined)
    expect(await probe(withFetchToken)).toEqual({ bound: true })
    expect(await probe(withFetchToken, { context: false })).toEqual({ bound: false })
    // A fetchToken on one registered app is enough.
    const appFetch = newOAuth()
    appFetch.register('other', { clientId: 'client', ...urls, fetchToken: () => null })
    expect(await probe(appFetch)).toEqual({ bound: true })
    expect(await probe(appFetch, { context: false })).toEqual({ bound: false })
  })

  it('is decided per request: an app registered later with a fetchToken turns it on', async () => {
    const late = newOAuth()
    const server = await serveProbe(late)
    try {
      expect((await request(server.server).get('/')).body).toEqual({ bound: false })
      late.register('other', { clientId: 'client', ...urls, fetchToken: () => null })
      expect((await request(server.server).get('/')).body).toEqual({ bound: true })
      // registering the name again without one turns it off again
      late.register('other', { clientId: 'client', ...urls })
      expect((await request(server.server).get('/')).body).toEqual({ bound: false })
    } finally {
      await server.close()
    }
  })

  it('keeps concurrent requests apart when bound', async () => {
    const oauth = newOAuth(() => undefined)
    const app = new Koa()
    app.keys = [KEY_A]
    app.use(session(app))
    app.use(oauth.middleware())
    app.use(async (ctx) => {
      const n = Number(ctx.path.slice(1))
      await new Promise((resolve) => setTimeout(resolve, 20 - n))
      ctx.body = { n, bound: oauth.context.current() === ctx }
    })
    const server = await listen(app)
    try {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, n) => request(server.server).get(`/${n}`)),
      )
      expect(answers.map((res) => res.body)).toEqual(
        Array.from({ length: 10 }, (_, n) => ({ n, bound: true })),
      )
    } finally {
      await server.close()
    }
  })

  it('is empty outside the middleware', () => {
    expect(newOAuth(() => undefined).context.current()).toBeUndefined()
  })
})
