/**
 * The whole login on an "edge" runtime, simulated in Node: no
 * `process.getBuiltinModule` and no `node:async_hooks` module (as on
 * Cloudflare Workers with neither `nodejs_compat` nor `nodejs_als`), so the
 * core finds neither `node:crypto` (it signs with Web Crypto) nor
 * `AsyncLocalStorage` (the context is empty, API calls need `{ request: c }`).
 * Everything is imported dynamically, after the runtime is stripped, so the
 * core's back end is chosen without node:crypto. The real runtimes are
 * tested in runtimes/ (`pnpm test:runtimes`).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CookieJar, SECRET } from './http.test-helper.js'

type HonoPkg = typeof import('./index.js')
type TestingPkg = typeof import('@oauth1/testing')
type HonoMod = typeof import('hono')

const proc = process as { getBuiltinModule?: unknown }
const saved = proc.getBuiltinModule
let pkg: HonoPkg
let testing: TestingPkg
let honoMod: HonoMod

beforeAll(async () => {
  proc.getBuiltinModule = undefined
  vi.resetModules()
  vi.doMock('node:async_hooks', () => {
    throw new Error('No such module "node:async_hooks".')
  })
  pkg = await import('./index.js')
  testing = await import('@oauth1/testing')
  honoMod = await import('hono')
})

afterAll(() => {
  proc.getBuiltinModule = saved
  vi.doUnmock('node:async_hooks')
})

describe('on a runtime without node:crypto and AsyncLocalStorage', () => {
  it('logs in with Web Crypto signatures; API calls take { request: c }', async () => {
    const provider = await testing.createTestProvider({ autoApprove: '1003' })
    try {
      const subtleSign = vi.spyOn(globalThis.crypto.subtle, 'sign')
      const tokens = new Map<string, Record<string, string>>()
      const oauth = new pkg.OAuth({ config: {}, fetchToken: () => tokens.get('me') as never })
      oauth.register('provider', {
        clientId: provider.client.id,
        clientSecret: provider.client.secret as string,
        requestTokenUrl: provider.requestTokenUrl,
        accessTokenUrl: provider.accessTokenUrl,
        authorizeUrl: provider.authorizeUrl,
        apiBaseUrl: provider.apiBaseUrl,
      })
      const app = new honoMod.Hono()
      app.use(oauth.middleware({ secret: SECRET }))
      app.get('/login', (c) => oauth.provider.authorizeRedirect(c, '/authorize'))
      app.get('/authorize', async (c) => {
        tokens.set('me', await oauth.provider.authorizeAccessToken(c))
        return c.text('ok')
      })
      app.get('/me', async (c) => {
        expect(oauth.context.current()).toBeUndefined()
        const res = await oauth.provider.get('me', { request: c })
        return c.json(await res.json())
      })
      app.get('/me-implicit', async (c) => c.json(await (await oauth.provider.get('me')).json()))

      const jar = new CookieJar()
      const login = jar.apply(
        await app.request('http://localhost/login', { headers: jar.headers() }),
      )
      expect(login.status).toBe(302)
      const consent = await fetch(login.headers.get('location') as string, { redirect: 'manual' })
      const callback = consent.headers.get('location') as string
      const done = jar.apply(await app.request(callback, { headers: jar.headers() }))
      expect(done.status).toBe(200)
      expect(tokens.get('me')?.screen_name).toBe('carol')

      const me = await app.request('http://localhost/me', { headers: jar.headers() })
      expect(me.status).toBe(200)
      expect(await me.json()).toMatchObject({ id: '1003' })
      // HMAC-SHA1 signatures went through Web Crypto, not node:crypto.
      expect(
        subtleSign.mock.calls.some(([algorithm]) => JSON.stringify(algorithm).includes('HMAC')),
      ).toBe(true)
      expect(provider.requests.filter((r) => r.endpoint !== undefined).every((r) => r.ok)).toBe(
        true,
      )

      // No AsyncLocalStorage: without { request } or { token }, no token is found.
      const implicit = await app.request('http://localhost/me-implicit', { headers: jar.headers() })
      expect(implicit.status).toBe(401)
      expect(await implicit.json()).toMatchObject({ error: 'missing_token' })
      subtleSign.mockRestore()
    } finally {
      await provider.close()
    }
  })
})
