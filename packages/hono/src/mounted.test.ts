// The login in the app shapes Hono users write: a sub-app mounted with app.route('/auth', sub),
// or an app with basePath('/auth'), several providers in one registry. Real HTTP: the app on
// @hono/node-server and @oauth1/testing's provider on 127.0.0.1, a browser with a cookie jar.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createTestBrowser } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import { Hono } from 'hono'
import { describe, expect, it, onTestFinished } from 'vitest'
import { SECRET } from './http.test-helper.js'
import { OAuth } from './index.js'

type Mount = 'app.route' | 'basePath'

/**
 * A provider, and an app whose login routes live under `/auth`:
 * `/auth/login/:name?cb=…` and the callback `/auth/callback/:name`. Two
 * names, `a` and `b`, are the same provider registered twice. Hono's
 * default error handler answers errors.
 */
async function setup(mount: Mount) {
  const provider = await createTestProvider({ autoApprove: 'bob' })
  onTestFinished(() => provider.close())
  const oauth = new OAuth({ config: {} })
  for (const name of ['a', 'b']) {
    oauth.register(name, {
      clientId: provider.client.id,
      clientSecret: provider.client.secret,
      requestTokenUrl: provider.requestTokenUrl,
      authorizeUrl: provider.authorizeUrl,
      accessTokenUrl: provider.accessTokenUrl,
    })
  }
  const routes = mount === 'basePath' ? new Hono().basePath('/auth') : new Hono()
  const remote = (name: string) => {
    const found = oauth.createClient(name)
    if (found === undefined) throw new Error(`no app ${name}`)
    return found
  }
  routes.use(oauth.middleware({ secret: SECRET }))
  routes.get('/login/:name', (c) =>
    remote(c.req.param('name')).authorizeRedirect(
      c,
      c.req.query('cb') ?? `/auth/callback/${c.req.param('name')}`,
    ),
  )
  routes.get('/callback/:name', async (c) => {
    const token = await remote(c.req.param('name')).authorizeAccessToken(c)
    return c.json({ app: c.req.param('name'), user: token.screen_name })
  })
  const app = mount === 'basePath' ? routes : new Hono().route('/auth', routes)
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const browser = createTestBrowser(url)
  /** Starts a login on `name` and returns the callback URL the provider sends the browser to. */
  const login = async (name: string, cb?: string): Promise<string> => {
    const query = cb === undefined ? '' : `?cb=${encodeURIComponent(cb)}`
    const start = await browser.fetch(`/auth/login/${name}${query}`)
    expect(start.status).toBe(302)
    const consent = await fetch(start.headers.get('location') as string, { redirect: 'manual' })
    return consent.headers.get('location') as string
  }
  return { url, browser, login }
}

describe.each(['app.route', 'basePath'] as const)('a login under /auth (%s)', (mount) => {
  it('completes through the mounted callback route', async () => {
    const { url, browser, login } = await setup(mount)
    const callback = await login('a')
    expect(callback.startsWith(`${url}/auth/callback/a?`)).toBe(true)
    const done = await browser.fetch(callback)
    expect(done.status).toBe(200)
    expect(await done.json()).toEqual({ app: 'a', user: 'bob' })
  })

  it('resolves a relative redirectUri against the origin, not the mount path (documented rule)', async () => {
    const { url, login } = await setup(mount)
    for (const cb of ['callback/a', '/callback/a']) {
      expect((await login('a', cb)).startsWith(`${url}/callback/a?`)).toBe(true)
    }
  })

  it("refuses app a's callback at app b's route, and a's login still completes", async () => {
    const { browser, login } = await setup(mount)
    const callback = await login('a')
    const wrong = await browser.fetch(callback.replace('/callback/a?', '/callback/b?'))
    expect(wrong.status).toBe(400)
    expect(await wrong.json()).toMatchObject({ error: 'missing_temporary_credential' })
    const right = await browser.fetch(callback)
    expect(right.status).toBe(200)
    expect(await right.json()).toEqual({ app: 'a', user: 'bob' })
  })

  it('completes two pending logins of the same provider under two names, in either order', async () => {
    const { browser, login } = await setup(mount)
    const a = await login('a')
    const b = await login('b')
    expect((await browser.fetch(b)).status).toBe(200)
    expect((await browser.fetch(a)).status).toBe(200)
  })
})
