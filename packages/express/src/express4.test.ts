// The same adapter on Express 4.21.0, the lower bound of the peer range: the session
// check, the login, trust proxy, and OAuth errors through Express 4's default handler.
import { createTestProvider } from '@oauth1/testing'
import type { NextFunction, Request, Response } from 'express'
import session from 'express-session'
import express4 from 'express4'
import request from 'supertest'
import { describe, expect, it, onTestFinished } from 'vitest'
import { serve } from './http.test-helper.js'
import { MISSING_SESSION_MESSAGE, OAuth } from './index.js'

const SESSION_SECRET = 'a session secret of at least 32 characters'

/** Express 4 does not forward a rejected async handler to `next`: do it, as its users do. */
const wrap =
  (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next)
  }

describe('Express 4', () => {
  it('really is Express 4', async () => {
    const { createRequire } = await import('node:module')
    const pkg = createRequire(import.meta.url)('express4/package.json') as { version: string }
    expect(pkg.version).toBe('4.21.0')
  })

  it('fails a request without a session with the start-up message', async () => {
    const oauth = new OAuth({ config: {} })
    const app = express4()
    app.use(oauth.middleware())
    app.get('/', (_req, res) => {
      res.send('reached')
    })
    const errors: unknown[] = []
    app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
      errors.push(err)
      next(err)
    })
    const res = await request(await serve(app)).get('/')
    expect(res.status).toBe(500)
    expect((errors[0] as Error).message).toBe(MISSING_SESSION_MESSAGE)
  })

  it('logs in behind a trusted proxy, calls the API with no token passed, and answers a replay with 400', async () => {
    const provider = await createTestProvider({ autoApprove: true })
    onTestFinished(() => provider.close())
    const oauth = new OAuth({ config: {}, fetchToken: (_name, req) => req.session.token })
    oauth.register('provider', {
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      requestTokenUrl: provider.requestTokenUrl,
      accessTokenUrl: provider.accessTokenUrl,
      authorizeUrl: provider.authorizeUrl,
      apiBaseUrl: provider.apiBaseUrl,
    })
    const app = express4()
    app.set('trust proxy', 'loopback')
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(oauth.middleware())
    app.get(
      '/login',
      wrap((req, res) => oauth.provider.authorizeRedirect(req, res, '/authorize')),
    )
    app.get(
      '/authorize',
      wrap(async (req, res) => {
        req.session.token = await oauth.provider.authorizeAccessToken(req)
        res.redirect('/me')
      }),
    )
    app.get(
      '/me',
      wrap(async (_req, res) => {
        const me = await oauth.provider.get('me')
        res.status(me.status).json(await me.json())
      }),
    )
    const agent = request.agent(await serve(app))

    // the callback is built from the forwarded origin (trust proxy), Express 4 dropping
    // the port from req.host is not an issue: the adapter reads the headers itself
    const login = await agent
      .get('/login')
      .set('X-Forwarded-Proto', 'http')
      .set('X-Forwarded-Host', '127.0.0.1:8443')
    expect(login.status).toBe(302)
    const sent = provider.requests.find((r) => r.endpoint === 'requestToken')!
    expect(sent.oauthParams.oauth_callback).toBe('http://127.0.0.1:8443/authorize')

    const approved = await fetch(login.headers.location as string, { redirect: 'manual' })
    const callback = new URL(approved.headers.get('location')!)
    const done = await agent.get(callback.pathname + callback.search)
    expect(done.status).toBe(302)
    const me = await agent.get('/me')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ id: '1001' })

    const replay = await agent.get(callback.pathname + callback.search)
    expect(replay.status).toBe(400)
    expect(replay.text).toContain('missing_temporary_credential')
  })
})
