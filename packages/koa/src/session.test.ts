import {
  createMemoryServerStore,
  DEFAULT_SESSION_MAX_ENTRIES,
  type ServerSideStore,
  type StoredTemporaryCredential,
  type TemporaryCredentialStore,
  takeTemporaryCredential,
} from '@oauth1/core'
import {
  createTestBrowser,
  runStoreConformanceTests,
  SESSION_RECORD_LIMITATIONS,
  type TestBrowser,
} from '@oauth1/core/testing'
import Koa from 'koa'
import session from 'koa-session'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeSetCookies, type Listening, listen } from './http.test-helper.js'
import { OAuth } from './oauth.js'
import {
  COOKIE_MAX_ENTRIES,
  KEYGRIP_MESSAGE,
  MISSING_SECRET_MESSAGE,
  MISSING_SESSION_MESSAGE,
  SESSION_KEY,
  sessionStore,
} from './session.js'

const KEY_A = 'koa-session-key-A-0123456789-aaaaaaaaaaaaaaaa'
const KEY_B = 'koa-session-key-B-0123456789-bbbbbbbbbbbbbbbb'

const credential = (token: string): StoredTemporaryCredential => ({
  oauth_token: token,
  oauth_token_secret: `${token}-very-secret`,
  redirect_uri: 'http://127.0.0.1/authorize',
  expires_at: Date.now() + 60_000,
})

/** A fake ctx over a plain session object, as koa-session would give it. */
function fakeCtx(sessionObject: Record<string, unknown> | null, keys: unknown = [KEY_A]) {
  return { session: sessionObject, app: { keys } } as unknown as Koa.ParameterizedContext
}

// ---------------------------------------------------------------------------
// Conformance, in memory: the binding over a session object.
// ---------------------------------------------------------------------------
const limitations = SESSION_RECORD_LIMITATIONS

runStoreConformanceTests(
  'koa ctx.session binding (in process)',
  () => {
    const sessionObject: Record<string, unknown> = {}
    const make = () => sessionStore(fakeCtx(sessionObject))
    return { store: make(), reopen: make }
  },
  { limitations },
)

// ---------------------------------------------------------------------------
// Conformance across requests: every store operation is one HTTP request,
// so entries only survive through koa-session's (cookie) persistence.
// ---------------------------------------------------------------------------
let storeServer: Listening

function storeApp(server?: ServerSideStore): Koa {
  const app = new Koa()
  app.keys = [KEY_A]
  app.use(session(app))
  if (server !== undefined) app.use(new OAuth({ config: {} }).middleware({ store: server }))
  app.use(async (ctx) => {
    const store = sessionStore(ctx)
    const op = String(ctx.query.op)
    const key: unknown = JSON.parse(String(ctx.query.key))
    const value: unknown =
      typeof ctx.query.value === 'string' ? JSON.parse(ctx.query.value) : undefined
    try {
      let result: unknown
      if (op === 'get') result = await store.get(key as string)
      else if (op === 'set') await store.set(key as string, value as StoredTemporaryCredential)
      else if (op === 'delete') await store.delete(key as string)
      // what one callback request does
      else if (op === 'take') result = await takeTemporaryCredential(store, key as string)
      ctx.body = { result: result ?? null }
    } catch (err) {
      const e = err as Error
      ctx.body = { error: { name: e.name, message: e.message } }
    }
  })
  return app
}

/** One HTTP request per operation, of a browser whose calls made at once are concurrent. */
function remoteStore(browser: TestBrowser): TemporaryCredentialStore {
  const call = async (op: string, key: unknown, value?: unknown): Promise<unknown> => {
    const query = new URLSearchParams({ op, key: JSON.stringify(key) ?? 'null' })
    if (value !== undefined) query.set('value', JSON.stringify(value))
    const res = await browser.fetch(`/store?${query}`)
    expect(res.status).toBe(200)
    // the cookie never carries a token secret in plaintext
    for (const cookie of decodeSetCookies(res.headers.getSetCookie())) {
      for (const reading of cookie.readings) expect(reading).not.toContain('-very-secret')
    }
    const body = (await res.json()) as {
      result?: unknown
      error?: { name: string; message: string }
    }
    if (body.error) {
      throw body.error.name === 'TypeError'
        ? new TypeError(body.error.message)
        : new Error(body.error.message)
    }
    return body.result
  }
  return {
    get: (key) => call('get', key) as Promise<StoredTemporaryCredential | null>,
    set: async (key, value) => {
      await call('set', key, value)
    },
    delete: async (key) => {
      await call('delete', key)
    },
    take: (key) => call('take', key) as Promise<StoredTemporaryCredential | null>,
  }
}

let boundServer: Listening
beforeAll(async () => {
  storeServer = await listen(storeApp())
  boundServer = await listen(storeApp(createMemoryServerStore()))
})
afterAll(async () => {
  await storeServer.close()
  await boundServer.close()
})

runStoreConformanceTests(
  'koa-session cookie store (across requests)',
  () => {
    const browser = createTestBrowser(storeServer.url)
    return { store: remoteStore(browser), reopen: () => remoteStore(browser) }
  },
  { limitations },
)

// options.store: the cookie keeps only the binding id; no limitation to declare.
runStoreConformanceTests('koa-session cookie with options.store (across requests)', () => {
  const browser = createTestBrowser(boundServer.url)
  return { store: remoteStore(browser), reopen: () => remoteStore(browser) }
})

// ---------------------------------------------------------------------------
// The binding itself
// ---------------------------------------------------------------------------
describe('cookie size', () => {
  async function pendingLogins(sessionOptions: Parameters<typeof session>[0]) {
    const app = new Koa()
    app.keys = [KEY_A]
    app.use(session(sessionOptions, app))
    let n = 0
    app.use(async (ctx) => {
      n++
      // long, realistic values: 40-character tokens and secrets, a callback with a query
      const token = `${'t'.repeat(38)}${String(n).padStart(2, '0')}`
      await sessionStore(ctx).set(`provider:${token}`, {
        oauth_token: token,
        oauth_token_secret: 's'.repeat(40),
        redirect_uri: 'https://app.example.com/oauth/twitter/authorize?next=%2Fdashboard',
        expires_at: Date.now() + 600_000,
      })
      ctx.body = Object.keys(ctx.session?.[SESSION_KEY] ?? {}).length
    })
    const server = await listen(app)
    const agent = request.agent(server.server)
    const sizes: number[] = []
    let kept = 0
    try {
      for (let i = 0; i < 12; i++) {
        const res = await agent.get('/')
        kept = Number(res.text)
        const cookie = decodeSetCookies(res.headers['set-cookie']).find(
          (c) => c.name === 'koa.sess',
        )
        if (cookie) sizes.push(cookie.name.length + 1 + cookie.value.length)
      }
    } finally {
      await server.close()
    }
    return { sizes, kept }
  }

  it('keeps the cookie session under the 4 KB browsers accept, whatever the number of tabs', async () => {
    const { sizes, kept } = await pendingLogins({})
    expect(kept).toBe(COOKIE_MAX_ENTRIES)
    expect(Math.max(...sizes)).toBeLessThan(3200) // room left for the app's own values
  })

  it('keeps the core default with a server-side store', async () => {
    const data = new Map<string, unknown>()
    const { kept } = await pendingLogins({
      store: {
        get: async (key: string) => data.get(key),
        set: async (key: string, value: unknown) => {
          data.set(key, value)
        },
        destroy: async (key: string) => {
          data.delete(key)
        },
      },
    })
    expect(kept).toBe(DEFAULT_SESSION_MAX_ENTRIES)
  })
})

describe('sessionStore(ctx)', () => {
  it('keeps each entry sealed under ctx.session.oauth1', async () => {
    const sessionObject: Record<string, unknown> = { userId: 'u1' }
    const store = sessionStore(fakeCtx(sessionObject))
    await store.set('twitter:t1', credential('t1'))
    const record = sessionObject[SESSION_KEY] as Record<string, unknown>
    expect(Object.keys(record)).toEqual(['twitter:t1'])
    expect(typeof record['twitter:t1']).toBe('string')
    expect(JSON.stringify(sessionObject)).not.toContain('t1-very-secret')
    expect(sessionObject.userId).toBe('u1')
  })

  it('removes the record from the session when its last entry goes', async () => {
    const sessionObject: Record<string, unknown> = { userId: 'u1' }
    const store = sessionStore(fakeCtx(sessionObject))
    await store.set('twitter:t1', credential('t1'))
    await store.delete('twitter:t1')
    expect(sessionObject).toEqual({ userId: 'u1' })
  })

  it('starts a new session when the app had set ctx.session = null', async () => {
    const ctx = fakeCtx(null)
    const store = sessionStore(ctx)
    expect(await store.get('twitter:t1')).toBeNull()
    await store.set('twitter:t1', credential('t1'))
    expect(Object.keys((ctx.session as Record<string, unknown>)[SESSION_KEY] as object)).toEqual([
      'twitter:t1',
    ])
  })

  it('reads a record that is not an object as empty', async () => {
    for (const bad of ['x', 42, ['a'], null, true]) {
      const store = sessionStore(fakeCtx({ [SESSION_KEY]: bad }))
      expect(await store.get('twitter:t1')).toBeNull()
    }
  })

  it('reads an entry sealed with another key as missing', async () => {
    const sessionObject: Record<string, unknown> = {}
    await sessionStore(fakeCtx(sessionObject, [KEY_A])).set('twitter:t1', credential('t1'))
    expect(await sessionStore(fakeCtx(sessionObject, [KEY_B])).get('twitter:t1')).toBeNull()
  })

  it('follows key rotation in app.keys (new key first, old key still reads)', async () => {
    const sessionObject: Record<string, unknown> = {}
    const app = { keys: [KEY_A] }
    const ctx = { session: sessionObject, app } as unknown as Koa.ParameterizedContext
    const t1 = credential('t1')
    await sessionStore(ctx).set('twitter:t1', t1)
    app.keys = [KEY_B, KEY_A]
    expect(await sessionStore(ctx).get('twitter:t1')).toEqual(t1)
    await sessionStore(ctx).set('twitter:t2', credential('t2'))
    app.keys.pop() // edited in place: the old key is retired
    expect(await sessionStore(ctx).get('twitter:t1')).toBeNull()
    expect((await sessionStore(ctx).get('twitter:t2'))?.oauth_token).toBe('t2')
  })

  it('fails with a clear message when koa-session is missing', () => {
    expect(() => sessionStore({ app: { keys: [KEY_A] } } as unknown as Koa.Context)).toThrow(
      new TypeError(MISSING_SESSION_MESSAGE),
    )
  })

  it('fails with a clear message when there is no key to seal with', () => {
    for (const keys of [undefined, [], 'not-a-list']) {
      const ctx = { session: {}, app: { keys } } as unknown as Koa.Context
      expect(() => sessionStore(ctx)).toThrow(new TypeError(MISSING_SECRET_MESSAGE))
    }
  })

  it('asks for a secret when app.keys is a Keygrip', () => {
    const keygrip = { sign: () => 'x', verify: () => true, index: () => 0 }
    expect(() => sessionStore(fakeCtx({}, keygrip))).toThrow(new TypeError(KEYGRIP_MESSAGE))
  })

  it('refuses short or odd app.keys, naming them', () => {
    expect(() => sessionStore(fakeCtx({}, ['some secret hurr']))).toThrow(
      new TypeError(
        "app.keys[0] should be at least 32 characters long (e.g. crypto.randomBytes(32).toString('hex'))",
      ),
    )
    expect(() => sessionStore(fakeCtx({}, [KEY_A, new Uint8Array(31)]))).toThrow(
      new TypeError(
        "app.keys[1] should be at least 32 bytes long (e.g. crypto.randomBytes(32).toString('hex'))",
      ),
    )
    expect(() => sessionStore(fakeCtx({}, [KEY_A, 42]))).toThrow(
      new TypeError('app.keys[1] should be a string or a Uint8Array'),
    )
  })
})
