import type { StoredTemporaryCredential, TemporaryCredentialStore } from '@oauth1/core'
import {
  createMemoryServerStore,
  createMemoryStore,
  createSessionRecordStore,
  isBindingId,
  takeTemporaryCredential,
} from '@oauth1/core'
import { runStoreConformanceTests, SESSION_RECORD_LIMITATIONS, tamper } from '@oauth1/core/testing'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { CookieJar, SECRET, setCookieDecodings } from './http.test-helper.js'
import { type MiddlewareOptions, OAuth } from './index.js'

const NO_SESSION =
  '@oauth1/hono: oauth.middleware() needs options.secret (a random string of at least 32 characters) to encrypt the temporary credentials in a cookie, or options.store (a server-side store such as redisStore(client) of @oauth1/redis, or a function (c) => TemporaryCredentialStore over your own session): app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET }))'

function credential(token: string, ttl = 600_000): StoredTemporaryCredential {
  return {
    oauth_token: token,
    oauth_token_secret: `${token}-SECRET-VALUE`,
    redirect_uri: 'http://localhost/authorize?next=%2Fhome',
    expires_at: Date.now() + ttl,
  }
}

type Op = {
  op: 'get' | 'set' | 'delete' | 'take'
  key: string
  value?: StoredTemporaryCredential
}

const limitations = SESSION_RECORD_LIMITATIONS

/** A Hono app whose one route runs a store operation of `c.var.oauth1.store`. */
function storeApp(options: MiddlewareOptions = { secret: SECRET }) {
  const oauth = new OAuth({ config: {} })
  const app = new Hono()
  app.use(oauth.middleware(options))
  app.post('/store', async (c) => {
    const { op, key, value } = await c.req.json<Op>()
    const store = c.var.oauth1.store
    if (op === 'get') return c.json({ value: await store.get(key) })
    // what one callback request does
    if (op === 'take') return c.json({ value: await takeTemporaryCredential(store, key) })
    if (op === 'set') await store.set(key, value as StoredTemporaryCredential)
    else await store.delete(key)
    return c.json({ value: null })
  })
  return { app, oauth }
}

/** A store whose every operation is one request of a browser (cookie jar) to `app`. */
function remoteStore(
  app: Hono,
  jar: CookieJar,
  origin = 'http://localhost',
): TemporaryCredentialStore {
  const call = async (body: Op) => {
    const res = jar.apply(
      await app.request(`${origin}/store`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: jar.headers({ 'content-type': 'application/json' }),
      }),
    )
    expect(res.status).toBe(200)
    return ((await res.json()) as { value: StoredTemporaryCredential | null }).value
  }
  return {
    get: (key) => call({ op: 'get', key }),
    set: async (key, value) => {
      await call({ op: 'set', key, value })
    },
    delete: async (key) => {
      await call({ op: 'delete', key })
    },
    take: (key) => call({ op: 'take', key }),
  }
}

describe('middleware() options', () => {
  const oauth = new OAuth({ config: {} })

  it('throws at once, naming the options, when neither secret nor store is given', () => {
    expect(() => oauth.middleware(undefined as never)).toThrow(new TypeError(NO_SESSION))
    expect(() => oauth.middleware({})).toThrow(new TypeError(NO_SESSION))
    expect(() => oauth.middleware({ secret: '' })).toThrow(new TypeError(NO_SESSION))
  })

  it('refuses a short secret', () => {
    expect(() => oauth.middleware({ secret: 'too-short' })).toThrow(
      new TypeError(
        '@oauth1/hono: options.secret must be at least 32 characters long (it encrypts the temporary credentials in a cookie)',
      ),
    )
    expect(() => oauth.middleware({ secret: new Uint8Array(16) })).toThrow(
      new TypeError('@oauth1/hono: options.secret must be at least 32 bytes long'),
    )
    expect(() => oauth.middleware({ secret: [SECRET, 'short'] })).toThrow(
      new TypeError(
        '@oauth1/hono: options.secret[1] must be at least 32 characters long (it encrypts the temporary credentials in a cookie)',
      ),
    )
    expect(() => oauth.middleware({ secret: [] })).toThrow(
      new TypeError('@oauth1/hono: options.secret must not be an empty list'),
    )
    expect(() => oauth.middleware({ secret: 42 as never })).toThrow(
      new TypeError('@oauth1/hono: options.secret must be a string or a Uint8Array'),
    )
  })

  it('refuses a store that is not a function, or a store with cookie options', () => {
    expect(() => oauth.middleware({ store: createMemoryStore() as never })).toThrow(
      new TypeError(
        '@oauth1/hono: options.store must be a function (c) => TemporaryCredentialStore, or a server-side store such as redisStore(client) of @oauth1/redis (an object with forBinding(bindingId))',
      ),
    )
    for (const extra of [{ secret: SECRET }, { maxEntries: 3 }]) {
      expect(() => oauth.middleware({ store: createMemoryServerStore(), ...extra })).toThrow(
        new TypeError(
          "@oauth1/hono: options.store keeps the pending logins in the store, the cookie only the browser's binding id: options.secret and options.maxEntries apply only without it (seal them in the store instead, e.g. redisStore(client, { secret }))",
        ),
      )
    }
    // the cookie options do apply to the binding-id cookie
    expect(
      typeof oauth.middleware({ store: createMemoryServerStore(), cookie: { name: 'login' } }),
    ).toBe('function')
    expect(() =>
      oauth.middleware({ store: createMemoryServerStore(), cookie: { name: 'a b' } }),
    ).toThrow(/options\.cookie\.name/)
    expect(() => oauth.middleware({ store: () => createMemoryStore(), secret: SECRET })).toThrow(
      new TypeError(
        '@oauth1/hono: options.store replaces the encrypted cookie: pass options.secret, options.cookie and options.maxEntries only without it',
      ),
    )
  })

  it('checks the cookie options, maxEntries and trustProxy', () => {
    expect(() => oauth.middleware({ secret: SECRET, cookie: { name: 'a b' } })).toThrow(
      /options\.cookie\.name/,
    )
    expect(() => oauth.middleware({ secret: SECRET, cookie: { name: '__Host-x' } })).toThrow(
      /options\.cookie\.name/,
    )
    expect(() => oauth.middleware({ secret: SECRET, cookie: { secure: 'yes' as never } })).toThrow(
      new TypeError('@oauth1/hono: options.cookie.secure must be a boolean'),
    )
    expect(() => oauth.middleware({ secret: SECRET, maxEntries: 0 })).toThrow(
      new TypeError('@oauth1/hono: options.maxEntries must be a positive integer'),
    )
    expect(() => oauth.middleware({ secret: SECRET, trustProxy: 1 as never })).toThrow(
      new TypeError('@oauth1/hono: options.trustProxy must be a boolean'),
    )
  })

  it('accepts a rotation list and a 32-byte key', () => {
    expect(typeof oauth.middleware({ secret: [SECRET, `${SECRET}-old`] })).toBe('function')
    expect(typeof oauth.middleware({ secret: new Uint8Array(32) })).toBe('function')
  })
})

describe('encrypted cookie store', () => {
  runStoreConformanceTests(
    '@oauth1/hono cookie, one request per operation',
    () => {
      const { app } = storeApp()
      const jar = new CookieJar()
      return { store: remoteStore(app, jar), reopen: () => remoteStore(app, jar) }
    },
    { limitations },
  )

  runStoreConformanceTests(
    '@oauth1/hono cookie on https, one request per operation',
    () => {
      const { app } = storeApp()
      const jar = new CookieJar()
      const origin = 'https://app.example'
      return { store: remoteStore(app, jar, origin), reopen: () => remoteStore(app, jar, origin) }
    },
    { limitations },
  )

  it('sets an HttpOnly, SameSite=Lax, Path=/ cookie, not Secure on http://localhost', async () => {
    const { app } = storeApp()
    const jar = new CookieJar()
    await remoteStore(app, jar).set('x:one', credential('one'))
    expect(jar.seen).toHaveLength(1)
    const header = jar.seen[0] as string
    expect(header).toMatch(
      /^oauth1=[A-Za-z0-9_-]+; Max-Age=(600|599); Path=\/; HttpOnly; SameSite=Lax$/,
    )
  })

  it('is Secure with the __Host- prefix on https and on http off loopback', async () => {
    for (const origin of ['https://app.example', 'http://app.example', 'https://localhost']) {
      const { app } = storeApp()
      const jar = new CookieJar()
      const store = remoteStore(app, jar, origin)
      const value = credential('one')
      await store.set('x:one', value)
      expect(jar.seen[0]).toMatch(
        /^__Host-oauth1=[A-Za-z0-9_-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
      )
      expect(await store.get('x:one')).toEqual(value)
    }
  })

  it('honours cookie.name and cookie.secure', async () => {
    const { app } = storeApp({ secret: SECRET, cookie: { name: 'login', secure: false } })
    const jar = new CookieJar()
    await remoteStore(app, jar, 'https://app.example').set('x:one', credential('one'))
    expect(jar.seen[0]).toMatch(/^login=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/)
  })

  it('uses X-Forwarded-Proto for the Secure flag only with trustProxy', async () => {
    for (const trustProxy of [false, true]) {
      const { app } = storeApp({ secret: SECRET, trustProxy })
      const res = await app.request('http://localhost/store', {
        method: 'POST',
        body: JSON.stringify({ op: 'set', key: 'x:one', value: credential('one') }),
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      })
      expect(
        res.headers.getSetCookie()[0]?.startsWith(trustProxy ? '__Host-oauth1=' : 'oauth1='),
      ).toBe(true)
    }
  })

  it('keeps Max-Age to the last pending credential', async () => {
    const { app } = storeApp()
    const jar = new CookieJar()
    await remoteStore(app, jar).set('x:one', credential('one', 90_000))
    expect(jar.seen[0]).toMatch(/Max-Age=(90|89);/)
  })

  it('never holds a token secret in plaintext, in any decoding', async () => {
    const { app } = storeApp()
    const jar = new CookieJar()
    const store = remoteStore(app, jar)
    await store.set('x:one', credential('one'))
    await store.set('x:two', credential('two'))
    const decoded = setCookieDecodings(jar.seen)
    expect(decoded.length).toBeGreaterThan(2)
    for (const text of decoded) {
      expect(text).not.toContain('SECRET-VALUE')
      expect(text).not.toContain('oauth_token')
    }
  })

  it('reads a tampered, foreign or oversized cookie as empty, and never answers 500', async () => {
    const { app } = storeApp()
    const jar = new CookieJar()
    await remoteStore(app, jar).set('x:one', credential('one'))
    const sealed = jar.cookies.get('oauth1') as string
    const flipped = tamper(sealed, 20)
    for (const value of [flipped, 'garbage', '%%%', 'x'.repeat(10_000), sealed.slice(0, -4)]) {
      const evil = new CookieJar()
      evil.cookies.set('oauth1', value)
      expect(await remoteStore(app, evil).get('x:one')).toBeNull()
    }
    // A cookie sealed with another secret is not ours either.
    const other = storeApp({ secret: `${SECRET}-other` })
    expect(await remoteStore(other.app, jar).get('x:one')).toBeNull()
  })

  it('unseals with an older secret of a rotation list', async () => {
    const before = storeApp({ secret: `${SECRET}-old` })
    const jar = new CookieJar()
    const value = credential('one')
    await remoteStore(before.app, jar).set('x:one', value)
    const after = storeApp({ secret: [SECRET, `${SECRET}-old`] })
    expect(await remoteStore(after.app, jar).get('x:one')).toEqual(value)
  })

  it('expires the cookie when its last entry is deleted', async () => {
    const { app } = storeApp()
    const jar = new CookieJar()
    const store = remoteStore(app, jar)
    await store.set('x:one', credential('one'))
    await store.delete('x:one')
    expect(jar.seen.at(-1)).toBe('oauth1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax')
    expect(jar.cookies.size).toBe(0)
  })

  it('keeps at most maxEntries pending logins, dropping the oldest', async () => {
    const { app } = storeApp({ secret: SECRET, maxEntries: 2 })
    const jar = new CookieJar()
    const store = remoteStore(app, jar)
    for (const token of ['one', 'two', 'three']) await store.set(`x:${token}`, credential(token))
    expect(await store.get('x:one')).toBeNull()
    expect(await store.get('x:two')).not.toBeNull()
    expect(await store.get('x:three')).not.toBeNull()
  })

  it('stays under the 4 KiB browsers keep, dropping the oldest login when needed', async () => {
    const { app } = storeApp({ secret: SECRET, maxEntries: 20 })
    const jar = new CookieJar()
    const store = remoteStore(app, jar)
    for (let i = 0; i < 20; i++)
      await store.set(`x:${i}`, credential(`token-${i}`.padEnd(60, '0'), 600_000 + i))
    for (const header of jar.seen) expect(header.length).toBeLessThanOrEqual(4096)
    expect(await store.get('x:19')).not.toBeNull()
    expect(await store.get('x:0')).toBeNull()
  })

  it('sends one Set-Cookie per response even after several writes, beside the app’s own cookies', async () => {
    const oauth = new OAuth({ config: {} })
    const app = new Hono()
    app.use(oauth.middleware({ secret: SECRET }))
    app.get('/many', async (c) => {
      const { store } = c.var.oauth1
      await store.set('x:one', credential('one'))
      c.header('Set-Cookie', 'theme=dark; Path=/', { append: true })
      await store.set('x:two', credential('two'))
      // A raw Response, not built with c: the middleware still adds the cookie.
      return new Response('done', { headers: { 'set-cookie': 'lang=en; Path=/' } })
    })
    const jar = new CookieJar()
    const res = jar.apply(await app.request('http://localhost/many'))
    const ours = res.headers.getSetCookie().filter((h) => h.startsWith('oauth1='))
    expect(ours).toHaveLength(1)
    expect(res.headers.getSetCookie().some((h) => h.startsWith('lang=en'))).toBe(true)
    // A later request, to another app with the same secret, reads both.
    const later = remoteStore(storeApp().app, jar)
    expect(await later.get('x:one')).not.toBeNull()
    expect(await later.get('x:two')).not.toBeNull()
  })

  it('exposes the store as c.var.oauth1 and c.get("oauth1")', async () => {
    const oauth = new OAuth({ config: {} })
    const app = new Hono()
    app.use(oauth.middleware({ secret: SECRET }))
    app.get('/', (c) =>
      c.json({ same: c.get('oauth1') === c.var.oauth1, store: typeof c.var.oauth1.store.get }),
    )
    expect(await (await app.request('/')).json()).toEqual({ same: true, store: 'function' })
  })
})

describe('options.store', () => {
  runStoreConformanceTests(
    '@oauth1/hono options.store, a server-side store (binding id cookie), one request per operation',
    () => {
      const { app } = storeApp({ store: createMemoryServerStore() })
      const jar = new CookieJar()
      return { store: remoteStore(app, jar), reopen: () => remoteStore(app, jar) }
    },
  )

  it('with a server-side store, the cookie holds only the binding id, written once per browser', async () => {
    const server = createMemoryServerStore()
    const { app } = storeApp({ store: server })
    const jar = new CookieJar()
    const store = remoteStore(app, jar)
    await store.get('x:none')
    expect(jar.seen).toEqual([]) // reading writes nothing
    const one = credential('one')
    await store.set('x:one', one)
    expect(jar.seen).toHaveLength(1)
    expect(jar.seen[0]).toMatch(/^oauth1=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax$/)
    const id = jar.cookies.get('oauth1')!
    expect(isBindingId(id)).toBe(true)
    expect(await server.forBinding(id).get('x:one')).toEqual(one)
    await Promise.all([
      store.set('x:two', credential('two')),
      store.set('x:three', credential('three')),
    ])
    expect(jar.seen).toHaveLength(1) // later logins leave the cookie alone
    // on https (or off loopback): Secure, with the __Host- prefix
    const secureJar = new CookieJar()
    await remoteStore(app, secureJar, 'https://app.example').set('x:s', credential('s'))
    expect(secureJar.seen[0]).toMatch(
      /^__Host-oauth1=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    )
  })

  runStoreConformanceTests(
    '@oauth1/hono options.store over a server-side session',
    () => {
      // A minimal server-side session: an id cookie naming a record kept here.
      const sessions = new Map<string, Record<string, unknown>>()
      const oauth = new OAuth({ config: {} })
      const app = new Hono()
      app.use(async (c, next) => {
        const sid = /sid=([^;]+)/.exec(c.req.header('cookie') ?? '')?.[1] ?? crypto.randomUUID()
        c.header('Set-Cookie', `sid=${sid}; Path=/; HttpOnly`, { append: true })
        c.set('sid' as never, sid as never)
        await next()
      })
      app.use(
        oauth.middleware({
          store: (c) => {
            const sid = c.get('sid' as never) as string
            return createSessionRecordStore({
              read: () => sessions.get(sid),
              write: (record) => {
                if (record === undefined) sessions.delete(sid)
                else sessions.set(sid, record)
              },
            })
          },
        }),
      )
      app.post('/store', async (c) => {
        const { op, key, value } = await c.req.json<Op>()
        const store = c.var.oauth1.store
        if (op === 'get') return c.json({ value: await store.get(key) })
        if (op === 'take') return c.json({ value: await takeTemporaryCredential(store, key) })
        if (op === 'set') await store.set(key, value as StoredTemporaryCredential)
        else await store.delete(key)
        return c.json({ value: null })
      })
      const jar = new CookieJar()
      return { store: remoteStore(app, jar), reopen: () => remoteStore(app, jar) }
    },
    { limitations },
  )

  it('calls the factory lazily, once per request, and rejects what is not a store', async () => {
    let calls = 0
    const oauth = new OAuth({ config: {} })
    const app = new Hono()
    app.use(
      oauth.middleware({
        store: async () => {
          calls++
          return createMemoryStore()
        },
      }),
    )
    app.get('/none', (c) => c.text('ok'))
    app.get('/twice', async (c) => {
      await c.var.oauth1.store.get('x:a')
      await c.var.oauth1.store.get('x:b')
      return c.text('ok')
    })
    await app.request('/none')
    expect(calls).toBe(0)
    await app.request('/twice')
    expect(calls).toBe(1)

    const bad = new Hono()
    bad.use(new OAuth({ config: {} }).middleware({ store: () => ({}) as never }))
    bad.get('/', async (c) => c.json(await c.var.oauth1.store.get('x:a')))
    const errors: unknown[] = []
    bad.onError((err, c) => {
      errors.push(err)
      return c.text('failed', 500)
    })
    await bad.request('/')
    expect(errors[0]).toEqual(
      new TypeError(
        '@oauth1/hono: options.store must return a TemporaryCredentialStore ({ get, set, delete }) for the request',
      ),
    )
  })
})

describe('request context', () => {
  it('runs the handler, and what it awaits, inside oauth.context', async () => {
    const oauth = new OAuth({ config: {}, fetchToken: () => undefined })
    const app = new Hono()
    app.use(oauth.middleware({ secret: SECRET }))
    app.get('/', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return c.json({ same: oauth.context.current() === c })
    })
    expect(await (await app.request('/')).json()).toEqual({ same: true })
    expect(oauth.context.current()).toBeUndefined()
  })

  it('keeps concurrent requests apart', async () => {
    const oauth = new OAuth({ config: {}, fetchToken: () => undefined })
    const app = new Hono()
    app.use(oauth.middleware({ secret: SECRET }))
    app.get('/:id', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, Number(c.req.param('id'))))
      return c.text(oauth.context.current()?.req.param('id') ?? 'none')
    })
    const answers = await Promise.all(
      ['9', '1', '5'].map(async (id) => (await app.request(`/${id}`)).text()),
    )
    expect(answers).toEqual(['9', '1', '5'])
  })

  it('is bound only when a fetchToken can read it, unless options.context says so', async () => {
    const probe = async (oauth: OAuth, options?: { context?: boolean }) => {
      const app = new Hono()
      app.use(oauth.middleware({ secret: SECRET, ...options }))
      app.get('/', async (c) => {
        await new Promise((resolve) => setTimeout(resolve, 1))
        await c.var.oauth1.store.set('x:one', credential('one'))
        return c.json({ bound: oauth.context.current() === c })
      })
      const res = await app.request('http://localhost/')
      // The per-request state is there, and settles the cookie, whatever the context decision.
      expect(res.headers.getSetCookie().filter((h) => h.startsWith('oauth1='))).toHaveLength(1)
      return res.json()
    }
    const withoutFetchToken = () => new OAuth({ config: {} })
    const withFetchToken = () => new OAuth({ config: {}, fetchToken: () => undefined })
    // No fetchToken anywhere: nothing reads the context, so AsyncLocalStorage is not used.
    expect(await probe(withoutFetchToken())).toEqual({ bound: false })
    expect(await probe(withoutFetchToken(), { context: true })).toEqual({ bound: true })
    expect(await probe(withFetchToken())).toEqual({ bound: true })
    expect(await probe(withFetchToken(), { context: false })).toEqual({ bound: false })
    expect(await probe(withoutFetchToken(), { context: false })).toEqual({ bound: false })

    // A fetchToken on an app registered after the middleware was made counts too.
    const late = withoutFetchToken()
    const app = new Hono()
    app.use(late.middleware({ secret: SECRET }))
    app.get('/', (c) => c.json({ bound: late.context.current() === c }))
    expect(await (await app.request('/')).json()).toEqual({ bound: false })
    late.register('other', {
      clientId: 'client',
      requestTokenUrl: 'http://127.0.0.1:9/oauth/request_token',
      accessTokenUrl: 'http://127.0.0.1:9/oauth/access_token',
      authorizeUrl: 'http://127.0.0.1:9/oauth/authorize',
      fetchToken: () => null,
    })
    expect(await (await app.request('/')).json()).toEqual({ bound: true })
    expect(late.context.current()).toBeUndefined()
  })

  it('refuses an options.context that is not a boolean', () => {
    const oauth = new OAuth({ config: {} })
    const refused = new TypeError('@oauth1/hono: options.context should be a boolean')
    expect(() => oauth.middleware({ secret: SECRET, context: 'yes' as never })).toThrow(refused)
    expect(() => oauth.middleware({ secret: SECRET, context: null as never })).toThrow(refused)
    expect(() =>
      oauth.middleware({ store: () => createMemoryStore(), context: 1 as never }),
    ).toThrow(refused)
  })

  it('does the work once when installed twice on a path', async () => {
    const oauth = new OAuth({ config: {} })
    const app = new Hono()
    const middleware = oauth.middleware({ secret: SECRET })
    app.use(middleware)
    app.use('/twice/*', middleware)
    app.get('/twice/x', async (c) => {
      await c.var.oauth1.store.set('x:one', credential('one'))
      return c.text('ok')
    })
    const res = await app.request('http://localhost/twice/x')
    expect(res.headers.getSetCookie().filter((h) => h.startsWith('oauth1='))).toHaveLength(1)
  })
})
