import {
  createMemoryServerStore,
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
import cookieSession from 'cookie-session'
import express, { type Request } from 'express'
import session from 'express-session'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { decodedForms, serve, setCookies } from './http.test-helper.js'
import {
  COOKIE_SESSION_MESSAGE,
  createExpressSessionStore,
  resolveBinding,
  type SessionBinding,
} from './session.js'

const SESSION_SECRET = 'a session secret of at least 32 characters'
const SEALING_SECRET = 'an oauth1 sealing secret, 32+ characters long'

/** A request whose session is a plain object, as express-session leaves it between requests. */
function fakeRequest(sessionObject: Record<string, unknown> = {}): Request {
  return { session: sessionObject } as unknown as Request
}

/**
 * An app whose one route runs a store operation on the session binding of its
 * own request, so that a client holding the session cookie sees the store as
 * the next requests of the same user would.
 */
function storeApp(
  install: (app: express.Express) => void,
  binding: SessionBinding,
): express.Express {
  const app = express()
  install(app)
  app.post('/op', express.json(), async (req, res) => {
    const { op, key, value } = req.body as {
      op: 'get' | 'set' | 'delete' | 'take'
      key: string
      value?: StoredTemporaryCredential
    }
    try {
      const store = createExpressSessionStore(req, binding)
      const result =
        op === 'get'
          ? await store.get(key)
          : op === 'set'
            ? await store.set(key, value!)
            : op === 'take'
              ? await takeTemporaryCredential(store, key) // what one callback request does
              : await store.delete(key)
      res.json({ result: result ?? null })
    } catch (err) {
      res.status(500).json({ error: (err as Error).message })
    }
  })
  return app
}

/**
 * A {@link TemporaryCredentialStore} whose every call is one HTTP request of `browser`
 * (fetch with a cookie jar: calls made at once are concurrent requests).
 */
function remoteStore(browser: TestBrowser): TemporaryCredentialStore {
  const call = async (op: string, key: string, value?: StoredTemporaryCredential) => {
    const answer = await browser.fetch('/op', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ op, key, value }),
    })
    const res = { status: answer.status, body: (await answer.json()) as unknown }
    if (res.status !== 200)
      throw new Error(`store ${op} failed: ${res.status} ${JSON.stringify(res.body)}`)
    return (res.body as { result: unknown }).result
  }
  return {
    get: async (key) => (await call('get', key)) as StoredTemporaryCredential | null,
    set: async (key, value) => {
      await call('set', key, value)
    },
    delete: async (key) => {
      await call('delete', key)
    },
    take: async (key) => (await call('take', key)) as StoredTemporaryCredential | null,
  }
}

const expressSession = (app: express.Express) =>
  app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
const cookieBacked = (app: express.Express) =>
  app.use(cookieSession({ name: 'session', keys: [SESSION_SECRET] }))

const limitations = SESSION_RECORD_LIMITATIONS

runStoreConformanceTests(
  'req.session (in process)',
  () => {
    const req = fakeRequest()
    return { store: createExpressSessionStore(req), reopen: () => createExpressSessionStore(req) }
  },
  { limitations },
)

runStoreConformanceTests(
  'req.session, sealed (in process)',
  () => {
    const req = fakeRequest()
    const binding = resolveBinding({ secret: SEALING_SECRET })
    return {
      store: createExpressSessionStore(req, binding),
      reopen: () => createExpressSessionStore(req, binding),
    }
  },
  { limitations },
)

runStoreConformanceTests(
  'express-session across requests',
  async () => {
    const url = await serve(storeApp(expressSession, resolveBinding(undefined)))
    const browser = createTestBrowser(url)
    return { store: remoteStore(browser), reopen: () => remoteStore(browser) }
  },
  { limitations },
)

runStoreConformanceTests(
  'express-session across requests, sealed',
  async () => {
    const url = await serve(storeApp(expressSession, resolveBinding({ secret: SEALING_SECRET })))
    const browser = createTestBrowser(url)
    return { store: remoteStore(browser), reopen: () => remoteStore(browser) }
  },
  { limitations },
)

runStoreConformanceTests(
  'cookie-session across requests, sealed',
  async () => {
    const url = await serve(storeApp(cookieBacked, resolveBinding({ secret: SEALING_SECRET })))
    const browser = createTestBrowser(url)
    return { store: remoteStore(browser), reopen: () => remoteStore(browser) }
  },
  { limitations },
)

// options.store: the session keeps only the binding id; no limitation to declare.
runStoreConformanceTests('express-session across requests, options.store', async () => {
  const binding = resolveBinding({ store: createMemoryServerStore() })
  const url = await serve(storeApp(expressSession, binding))
  const browser = createTestBrowser(url)
  return { store: remoteStore(browser), reopen: () => remoteStore(browser) }
})

runStoreConformanceTests('cookie-session across requests, options.store (no secret)', async () => {
  const binding = resolveBinding({ store: createMemoryServerStore() })
  const url = await serve(storeApp(cookieBacked, binding))
  const browser = createTestBrowser(url)
  return { store: remoteStore(browser), reopen: () => remoteStore(browser) }
})

describe('the session binding', () => {
  const credential = (token: string): StoredTemporaryCredential => ({
    oauth_token: token,
    oauth_token_secret: `${token}-very-secret-value`,
    redirect_uri: 'http://127.0.0.1/authorize',
    expires_at: Date.now() + 60_000,
  })

  it('keeps the record at req.session.oauth1, or at options.sessionKey', async () => {
    const plain: Record<string, unknown> = {}
    const value = credential('t1')
    await createExpressSessionStore(fakeRequest(plain)).set('app:t1', value)
    expect(Object.keys(plain)).toEqual(['oauth1'])
    expect(plain.oauth1).toEqual({ 'app:t1': value })

    const custom: Record<string, unknown> = {}
    const binding = resolveBinding({ sessionKey: 'pendingLogins' })
    await createExpressSessionStore(fakeRequest(custom), binding).set('app:t1', credential('t1'))
    expect(Object.keys(custom)).toEqual(['pendingLogins'])
  })

  it('seals each entry when a secret is given: no secret in the session object', async () => {
    const sessionObject: Record<string, unknown> = {}
    const binding = resolveBinding({ secret: SEALING_SECRET })
    const value = credential('t2')
    await createExpressSessionStore(fakeRequest(sessionObject), binding).set('app:t2', value)
    const record = sessionObject.oauth1 as Record<string, unknown>
    expect(typeof record['app:t2']).toBe('string')
    expect(JSON.stringify(sessionObject)).not.toContain(value.oauth_token_secret)
    // and a sealer with another secret cannot open it
    const other = resolveBinding({ secret: 'another sealing secret of 32+ characters' })
    expect(
      await createExpressSessionStore(fakeRequest(sessionObject), other).get('app:t2'),
    ).toBeNull()
    expect(
      await createExpressSessionStore(fakeRequest(sessionObject), binding).get('app:t2'),
    ).toEqual(value)
  })

  it('removes the record from the session when the last entry goes', async () => {
    const sessionObject: Record<string, unknown> = { other: 1 }
    const store = createExpressSessionStore(fakeRequest(sessionObject))
    await store.set('app:t3', credential('t3'))
    await store.delete('app:t3')
    expect(sessionObject).toEqual({ other: 1 })
  })

  it('reads a record that is not an object as empty, never crashes', async () => {
    for (const junk of ['string', 42, null, ['a'], { 'app:t4': 'not a credential' }]) {
      const store = createExpressSessionStore(fakeRequest({ oauth1: junk }))
      expect(await store.get('app:t4')).toBeNull()
      const value = credential('t4')
      await store.set('app:t4', value)
      expect(await store.get('app:t4')).toEqual(value)
    }
  })

  it('refuses cookie-session without a secret, with a message that says what to do', async () => {
    expect(COOKIE_SESSION_MESSAGE).toBe(
      '@oauth1/express: req.session is kept in a cookie (cookie-session), where the browser could read ' +
        'the token secret. Seal the pending logins with a secret of at least 32 characters: ' +
        'app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET })).',
    )
    const url = await serve(storeApp(cookieBacked, resolveBinding(undefined)))
    const res = await request(url)
      .post('/op')
      .send({ op: 'set', key: 'app:t5', value: credential('t5') })
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ error: COOKIE_SESSION_MESSAGE })
    expect(setCookies(res.headers)).toEqual([])
  })

  it('puts no token secret in any cookie, express-session or cookie-session', async () => {
    for (const [install, binding] of [
      [expressSession, resolveBinding(undefined)],
      [expressSession, resolveBinding({ secret: SEALING_SECRET })],
      [cookieBacked, resolveBinding({ secret: SEALING_SECRET })],
    ] as const) {
      const url = await serve(storeApp(install, binding))
      const agent = request.agent(url)
      const value = credential('t6')
      const res = await agent.post('/op').send({ op: 'set', key: 'app:t6', value })
      expect(res.status).toBe(200)
      const cookies = setCookies(res.headers)
      expect(cookies.length).toBeGreaterThan(0)
      for (const [, cookieValue] of cookies) {
        for (const form of decodedForms(cookieValue)) {
          expect(form).not.toContain(value.oauth_token_secret)
        }
      }
      // and it really is in the session
      expect((await agent.post('/op').send({ op: 'get', key: 'app:t6' })).body).toEqual({
        result: value,
      })
    }
  })

  it('would show the secret in a cookie-session cookie without sealing (why the secret is required)', async () => {
    // Write the unsealed record directly, bypassing the binding's refusal, to show what it prevents.
    const app = express()
    cookieBacked(app)
    app.get('/', (req, res) => {
      ;(req.session as unknown as Record<string, unknown>).oauth1 = { 'app:t7': credential('t7') }
      res.end()
    })
    const res = await request(await serve(app)).get('/')
    const forms = setCookies(res.headers).flatMap(([, v]) => decodedForms(v))
    expect(forms.some((f) => f.includes('t7-very-secret-value'))).toBe(true)
  })
})
