import {
  createMemoryServerStore,
  type StoredTemporaryCredential,
  type TemporaryCredentialStore,
  takeTemporaryCredential,
} from '@oauth1/core'
import {
  runStoreConformanceTests,
  SESSION_RECORD_LIMITATIONS,
  type StoreLimitations,
} from '@oauth1/core/testing'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { CookieJar, createApp } from './http.test-helper.js'
import { type FastifyMiddlewareOptions, OAuth } from './index.js'

/**
 * A TemporaryCredentialStore whose every operation is one request to a real
 * Fastify app: the store is rebuilt from `request.session` each time, and the
 * session travels only in the encrypted cookie kept by `jar` — so what the
 * conformance suite reads back was really persisted by @fastify/secure-session.
 */
function storeOverRequests(app: FastifyInstance, jar: CookieJar): TemporaryCredentialStore {
  const call = async (op: string, key: string, value?: StoredTemporaryCredential) => {
    const response = await app.inject({
      method: 'POST',
      url: `/store/${op}`,
      headers: jar.header(),
      payload: { key, value },
    })
    jar.store(response)
    const body = response.json() as { value?: StoredTemporaryCredential | null; error?: string }
    if (response.statusCode !== 200)
      throw new TypeError(body.error ?? `status ${response.statusCode}`)
    return body.value
  }
  return {
    get: async (key) => (await call('get', key)) ?? null,
    set: async (key, value) => {
      await call('set', key, value)
    },
    delete: async (key) => {
      await call('delete', key)
    },
    take: async (key) => (await call('take', key)) ?? null,
  }
}

async function storeApp(options: { middleware?: FastifyMiddlewareOptions; sessionName?: string }) {
  const oauth = new OAuth({ config: {} })
  oauth.register('provider', {
    clientId: 'client',
    clientSecret: 'secret',
    requestTokenUrl: 'https://provider.example/oauth/request_token',
    accessTokenUrl: 'https://provider.example/oauth/access_token',
    authorizeUrl: 'https://provider.example/oauth/authorize',
  })
  const app = await createApp({ oauth, ...options })
  app.post('/store/:op', async (request, reply) => {
    const { op } = request.params as { op: string }
    const { key, value } = request.body as { key: string; value?: StoredTemporaryCredential }
    const store = oauth.provider.credentialStore(request)
    try {
      if (op === 'get') return { value: await store.get(key) }
      // what one callback request does
      if (op === 'take') return { value: await takeTemporaryCredential(store, key) }
      if (op === 'set') await store.set(key, value as StoredTemporaryCredential)
      else await store.delete(key)
      return {}
    } catch (error) {
      return reply.code(400).send({ error: (error as Error).message })
    }
  })
  await app.ready()
  return app
}

const limitations = SESSION_RECORD_LIMITATIONS
const variants: [
  string,
  { middleware?: FastifyMiddlewareOptions; sessionName?: string },
  StoreLimitations | undefined,
][] = [
  ['request.session', {}, limitations],
  [
    'request.session, sealed with a secret',
    { middleware: { secret: 'x'.repeat(32) } },
    limitations,
  ],
  [
    'a named session (sessionName)',
    { sessionName: 'auth', middleware: { sessionName: 'auth' } },
    limitations,
  ],
  // The cookie keeps only the binding id: no limitation to declare.
  [
    'request.session with options.store',
    { middleware: { store: createMemoryServerStore() } },
    undefined,
  ],
]

for (const [name, options, limits] of variants) {
  runStoreConformanceTests(
    `@oauth1/fastify over ${name}, across requests`,
    async () => {
      const app = await storeApp(options)
      const jar = new CookieJar()
      return {
        store: storeOverRequests(app, jar),
        reopen: () => storeOverRequests(app, jar),
        cleanup: () => app.close(),
      }
    },
    limits === undefined ? {} : { limitations: limits },
  )
}

describe('the session binding', () => {
  const credential = (token: string, ttl = 60_000): StoredTemporaryCredential => ({
    oauth_token: token,
    oauth_token_secret: `${token}-secret`,
    redirect_uri: 'https://app.example/authorize',
    expires_at: Date.now() + ttl,
  })

  it('keeps entries under the oauth1 key of the chosen session only', async () => {
    const app = await storeApp({ sessionName: 'auth', middleware: { sessionName: 'auth' } })
    const jar = new CookieJar()
    await storeOverRequests(app, jar).set('provider:t1', credential('t1'))
    expect([...jar.cookies.keys()]).toEqual(['auth'])
    const session = app.decodeSecureSession(jar.cookies.get('auth')!, undefined, 'auth')
    expect(Object.keys(session!.get('oauth1')!)).toEqual(['provider:t1'])
    await app.close()
  })

  it('keeps at most maxEntries logins, evicting the oldest', async () => {
    const app = await storeApp({ middleware: { maxEntries: 2 } })
    const store = storeOverRequests(app, new CookieJar())
    await store.set('provider:a', credential('a'))
    await store.set('provider:b', credential('b'))
    await store.set('provider:c', credential('c'))
    expect(await store.get('provider:a')).toBeNull()
    expect(await store.get('provider:b')).toMatchObject({ oauth_token: 'b' })
    expect(await store.get('provider:c')).toMatchObject({ oauth_token: 'c' })
    await app.close()
  })

  it('removes the oauth1 key from the session when the last entry goes', async () => {
    const app = await storeApp({})
    const jar = new CookieJar()
    const store = storeOverRequests(app, jar)
    await store.set('provider:a', credential('a'))
    await store.delete('provider:a')
    const session = app.decodeSecureSession(jar.cookies.get('session')!)
    expect(session?.get('oauth1')).toBeUndefined()
    await app.close()
  })

  it('reads a session value that is not a record as empty', async () => {
    const app = await storeApp({})
    const forged = app.createSecureSession({ oauth1: 'not a record' })
    const jar = new CookieJar()
    jar.cookies.set('session', app.encodeSecureSession(forged))
    const store = storeOverRequests(app, jar)
    expect(await store.get('provider:a')).toBeNull()
    await store.set('provider:a', credential('a'))
    expect(await store.get('provider:a')).toMatchObject({ oauth_token: 'a' })
    await app.close()
  })
})
