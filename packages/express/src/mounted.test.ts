// The login in the app shapes Express users write: a Router or a sub-app mounted under a path,
// several providers in one registry. Real HTTP: the app and @oauth1/testing's provider on
// 127.0.0.1, a browser with a cookie jar.
import { createTestBrowser } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import express, { type NextFunction, type Request, type Response } from 'express'
import session from 'express-session'
import { describe, expect, it, onTestFinished } from 'vitest'
import { serve } from './http.test-helper.js'
import { OAuth } from './index.js'

type Mount = 'router' | 'sub-app'

/**
 * A provider, and an app whose login routes live under `/auth` (a Router, or
 * a sub-app with the OAuth middleware of its own): `/auth/login/:name?cb=…`
 * and the callback `/auth/callback/:name`. Two names, `a` and `b`, are the
 * same provider registered twice. Express's default error handler answers errors.
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
  const app = express()
  app.use(session({ secret: 'x'.repeat(32), resave: false, saveUninitialized: false }))
  const routes = mount === 'router' ? express.Router() : express()
  if (mount === 'router') app.use(oauth.middleware())
  else routes.use(oauth.middleware())
  const remote = (req: Request) => {
    const found = oauth.createClient(String(req.params.name))
    if (found === undefined) throw new Error(`no app ${req.params.name}`)
    return found
  }
  routes.get('/login/:name', (req: Request, res: Response) =>
    remote(req).authorizeRedirect(
      req,
      res,
      typeof req.query.cb === 'string' ? req.query.cb : `/auth/callback/${req.params.name}`,
    ),
  )
  routes.get('/callback/:name', async (req: Request, res: Response) => {
    const token = await remote(req).authorizeAccessToken(req)
    res.json({ app: req.params.name, user: token.screen_name })
  })
  app.use('/auth', routes)
  // Express's default handler, minus the stack it prints in development.
  app.use(
    (
      err: { status?: number; code?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      res.status(err.status ?? 500).json({ error: err.code })
    },
  )
  const url = await serve(app)
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

describe.each(['router', 'sub-app'] as const)('a login mounted at /auth (%s)', (mount) => {
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
    expect(await wrong.json()).toEqual({ error: 'missing_temporary_credential' })
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
