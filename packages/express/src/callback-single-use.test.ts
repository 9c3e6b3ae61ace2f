// The pending login a callback uses is gone from the session store before the
// token reaches the route: a replay while the route is still at work (calling
// the API, or never answering) is refused here without asking the provider,
// and a store that cannot save fails the callback (503) instead of hiding
// behind the route's answer.
import { createTestProvider } from '@oauth1/testing'
import express from 'express'
import session from 'express-session'
import request from 'supertest'
import { describe, expect, it, onTestFinished } from 'vitest'
import { serve } from './http.test-helper.js'
import { OAuth } from './index.js'

type Route = (req: express.Request, res: express.Response) => unknown

async function setup(route: Route, store?: session.Store) {
  const provider = await createTestProvider({ autoApprove: true })
  onTestFinished(() => provider.close())
  const oauth = new OAuth({ config: {} })
  oauth.register('provider', {
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    requestTokenUrl: provider.requestTokenUrl,
    accessTokenUrl: provider.accessTokenUrl,
    authorizeUrl: provider.authorizeUrl,
  })
  const app = express()
  app.use(
    session({
      secret: 'a session secret of at least 32 characters',
      resave: false,
      saveUninitialized: false,
      ...(store === undefined ? {} : { store }),
    }),
  )
  app.use(oauth.middleware())
  app.get('/login', (req, res) => oauth.provider.authorizeRedirect(req, res, '/authorize'))
  app.get('/authorize', async (req, res) => {
    await oauth.provider.authorizeAccessToken(req)
    return route(req, res)
  })
  app.use(
    (err: { status?: number }, _req: express.Request, res: express.Response, _next: unknown) => {
      res.status(err.status ?? 500).send(String(err))
    },
  )
  const agent = request.agent(await serve(app))
  /** `/login`, the provider's approval: the callback's path and query. */
  const approve = async () => {
    const res = await agent.get('/login')
    expect(res.status).toBe(302)
    const approved = await fetch(res.headers.location as string, { redirect: 'manual' })
    const callback = new URL(approved.headers.get('location') as string)
    return `${callback.pathname}${callback.search}`
  }
  const exchanges = () => provider.requests.filter((r) => r.endpoint === 'accessToken').length
  return { agent, approve, exchanges }
}

describe('a callback used once, even while its route is still at work', () => {
  it('refuses a replay sent before the route answers, without asking the provider', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let reached!: () => void
    const atRoute = new Promise<void>((resolve) => {
      reached = resolve
    })
    const { agent, approve, exchanges } = await setup(async (_req, res) => {
      reached()
      await held // the app calling the provider's API, a database…
      res.send('logged in')
    })
    const callback = await approve()
    const first = agent.get(callback).then((res) => res)
    await atRoute
    const before = exchanges()
    const replay = await agent.get(callback)
    release()
    expect((await first).status).toBe(200)
    expect(replay.status).toBe(400)
    expect(replay.text).toContain('missing_temporary_credential')
    expect(exchanges()).toBe(before)
  })

  it('refuses a replay after the route threw, without asking the provider', async () => {
    const { agent, approve, exchanges } = await setup(() => {
      throw new Error('the database is down')
    })
    const callback = await approve()
    expect((await agent.get(callback)).status).toBe(500)
    const before = exchanges()
    const replay = await agent.get(callback)
    expect(replay.status).toBe(400)
    expect(exchanges()).toBe(before)
  })

  it("answers 503 store_unavailable when the session cannot be saved, not the route's success", async () => {
    let failing = false
    class FlakyStore extends session.MemoryStore {
      override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void) {
        if (failing) callback?.(new Error('ECONNREFUSED'))
        else super.set(sid, data, callback)
      }
    }
    const { agent, approve } = await setup((_req, res) => res.send('logged in'), new FlakyStore())
    const callback = await approve()
    failing = true
    const res = await agent.get(callback)
    failing = false
    expect(res.status).toBe(503)
    expect(res.text).toContain('store_unavailable')
  })
})
