// The login in the app shapes Koa users write: @koa/router with a prefix, or a router nested
// under a path, several providers in one registry. Real HTTP: the app and @oauth1/testing's
// provider on 127.0.0.1, a browser with a cookie jar.
import Router from '@koa/router'
import { createTestBrowser } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import Koa from 'koa'
import session from 'koa-session'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listen } from './http.test-helper.js'
import { OAuth } from './index.js'

type Mount = 'router prefix' | 'nested router'

/**
 * A provider, and an app whose login routes live under `/auth` (a router
 * with that prefix, or a router nested at `/auth` in another):
 * `/auth/login/:name?cb=…` and the callback `/auth/callback/:name`. Two
 * names, `a` and `b`, are the same provider registered twice. Koa's default
 * error handling answers errors.
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
  const app = new Koa()
  app.keys = ['a koa session key of at least 32 characters']
  app.use(session(app))
  app.use(oauth.middleware({ app }))
  const routes = new Router(mount === 'router prefix' ? { prefix: '/auth' } : {})
  const remote = (name: string) => {
    const found = oauth.createClient(name)
    if (found === undefined) throw new Error(`no app ${name}`)
    return found
  }
  routes.get('/login/:name', (ctx) =>
    remote(ctx.params.name as string).authorizeRedirect(
      ctx,
      typeof ctx.query.cb === 'string' ? ctx.query.cb : `/auth/callback/${ctx.params.name}`,
    ),
  )
  routes.get('/callback/:name', async (ctx) => {
    const token = await remote(ctx.params.name as string).authorizeAccessToken(ctx)
    ctx.body = { app: ctx.params.name, user: token.screen_name }
  })
  if (mount === 'router prefix') {
    app.use(routes.routes())
  } else {
    const root = new Router()
    root.use('/auth', routes.routes())
    app.use(root.routes())
  }
  const { url, close } = await listen(app)
  onTestFinished(close)
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

describe.each(['router prefix', 'nested router'] as const)('a login under /auth (%s)', (mount) => {
  it('completes through the prefixed callback route', async () => {
    const { url, browser, login } = await setup(mount)
    const callback = await login('a')
    expect(callback.startsWith(`${url}/auth/callback/a?`)).toBe(true)
    const done = await browser.fetch(callback)
    expect(done.status).toBe(200)
    expect(await done.json()).toEqual({ app: 'a', user: 'bob' })
  })

  it('resolves a relative redirectUri against the origin, not the prefix (documented rule)', async () => {
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
    expect(await wrong.text()).toMatch(/^missing_temporary_credential: /)
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
