// authorizeRedirect must persist the session BEFORE the 302 leaves: express-session
// sends the status line and headers first and saves afterwards, so with a slow store a
// fast provider could send the user back before the temporary credential exists.
// authorizeAccessToken likewise saves the pending login's removal before the token
// reaches the route: a replay while the route is still at work (calling the API, or
// never answering) is refused here without asking the provider, and a store that
// cannot save fails the callback (503) instead of hiding behind the route's answer.
import { get } from 'node:http'
import { inspect } from 'node:util'
import { createTestProvider, type TestProvider } from '@oauth1/testing'
import express from 'express'
import session, { type SessionData } from 'express-session'
import request from 'supertest'
import { describe, expect, it, onTestFinished } from 'vitest'
import { answerWithCode, serve } from './http.test-helper.js'
import { OAuth, OAuthError } from './index.js'

/** A MemoryStore whose writes take `delay` ms (a remote store), or fail. */
class SlowStore extends session.MemoryStore {
  constructor(
    private readonly delay: number,
    private readonly fail = false,
  ) {
    super()
  }
  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    setTimeout(() => {
      if (this.fail) callback?.(new Error('the session store is down'))
      else super.set(sid, data, callback)
    }, this.delay)
  }
}

type Route = (req: express.Request, res: express.Response) => unknown

/**
 * The app over `store`, with /login and, given `afterToken`, an /authorize callback that
 * gets the token then runs it. Errors reach `errors` (then a 503) when given, else, with
 * a callback, `answerWithCode`, else Express's handler.
 */
async function appWith(
  store: session.Store,
  { errors, afterToken }: { errors?: unknown[]; afterToken?: Route } = {},
) {
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
      store,
      secret: 'a session secret of at least 32 characters',
      resave: false,
      saveUninitialized: false,
    }),
  )
  app.use(oauth.middleware())
  app.get('/login', (req, res) => oauth.provider.authorizeRedirect(req, res, '/authorize'))
  if (afterToken !== undefined) {
    app.get('/authorize', async (req, res) => {
      await oauth.provider.authorizeAccessToken(req)
      return afterToken(req, res)
    })
  }
  if (errors !== undefined) {
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: unknown) => {
      errors.push(err)
      res.status(503).end()
    })
  } else if (afterToken !== undefined) {
    app.use(answerWithCode)
  }
  return { url: await serve(app), provider }
}

/** A browser (a cookie jar) at `url`: `/login`, the provider's approval, then the callback's path and query. */
async function approvedCallback(url: string) {
  const agent = request.agent(url)
  const res = await agent.get('/login')
  expect(res.status).toBe(302)
  const approved = await fetch(res.headers.location as string, { redirect: 'manual' })
  const callback = new URL(approved.headers.get('location') as string)
  return { agent, callback: `${callback.pathname}${callback.search}` }
}

/** GETs `url` and resolves as soon as the status line and headers arrive. */
function headersOf(url: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      resolve({ status: res.statusCode ?? 0, location: res.headers.location })
      res.resume()
    }).on('error', reject)
  })
}

function storedSessions(store: session.MemoryStore): Promise<Record<string, SessionData>> {
  return new Promise((resolve, reject) =>
    store.all((err, all) =>
      err ? reject(err) : resolve((all ?? {}) as Record<string, SessionData>),
    ),
  )
}

describe('the session is saved before the redirect', () => {
  it('holds the pending login in the store when the 302 arrives, even with a slow store', async () => {
    const store = new SlowStore(200)
    const { url } = await appWith(store)
    const res = await headersOf(`${url}/login`)
    expect(res.status).toBe(302)
    const token = new URL(res.location!).searchParams.get('oauth_token')
    const sessions = Object.values(await storedSessions(store))
    expect(sessions).toHaveLength(1)
    expect(Object.keys(sessions[0]!.oauth1 ?? {})).toEqual([`provider:${token}`])
  })

  it('answers 503 (store_unavailable) and no redirect when the session cannot be saved', async () => {
    const { url } = await appWith(new SlowStore(10, true))
    const res = await headersOf(`${url}/login`)
    expect(res.status).toBe(503)
    expect(res.location).toBeUndefined()
  })
})

describe('a session store failing as connect-redis over ioredis does', () => {
  /** ioredis puts the failed command on its reply error: for a session, the whole session JSON. */
  class RefusingRedisStore extends session.MemoryStore {
    override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
      const err = Object.assign(new Error('OOM command not allowed when used memory > maxmemory'), {
        name: 'ReplyError',
        command: { name: 'set', args: [`sess:${sid}`, JSON.stringify(data), 'EX', 86400] },
      })
      callback?.(err)
    }
  }

  it('answers 503 with an error whose cause keeps no pending login (no token secret to log)', async () => {
    const seen: unknown[] = []
    const { url } = await appWith(new RefusingRedisStore(), { errors: seen })
    expect((await headersOf(`${url}/login`)).status).toBe(503)
    expect(seen).toHaveLength(1)
    const err = seen[0] as OAuthError
    expect(err).toBeInstanceOf(OAuthError)
    expect(err.code).toBe('store_unavailable')
    const shown = inspect(err, { depth: 10, showHidden: true })
    expect(shown).toContain('OOM command not allowed')
    expect(shown).toMatch(/sess:/) // the key stays, for whoever debugs it
    expect(shown).not.toContain('oauth_token_secret')
  })
})

describe('a callback used once, even while its route is still at work', () => {
  const exchanges = (provider: TestProvider) =>
    provider.requests.filter((r) => r.endpoint === 'accessToken').length

  it('refuses a replay sent before the route answers, without asking the provider', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let reached!: () => void
    const atRoute = new Promise<void>((resolve) => {
      reached = resolve
    })
    const { url, provider } = await appWith(new session.MemoryStore(), {
      afterToken: async (_req, res) => {
        reached()
        await held // the app calling the provider's API, a database…
        res.send('logged in')
      },
    })
    const { agent, callback } = await approvedCallback(url)
    const first = agent.get(callback).then((res) => res)
    await atRoute
    const before = exchanges(provider)
    const replay = await agent.get(callback)
    release()
    expect((await first).status).toBe(200)
    expect(replay.status).toBe(400)
    expect(replay.body.error).toBe('missing_temporary_credential')
    expect(exchanges(provider)).toBe(before)
  })

  it('refuses a replay after the route threw, without asking the provider', async () => {
    const { url, provider } = await appWith(new session.MemoryStore(), {
      afterToken: () => {
        throw new Error('the database is down')
      },
    })
    const { agent, callback } = await approvedCallback(url)
    expect((await agent.get(callback)).status).toBe(500)
    const before = exchanges(provider)
    const replay = await agent.get(callback)
    expect(replay.status).toBe(400)
    expect(exchanges(provider)).toBe(before)
  })

  it("answers 503 store_unavailable when the session cannot be saved, not the route's success", async () => {
    let failing = false
    class FlakyStore extends session.MemoryStore {
      override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
        if (failing) callback?.(new Error('ECONNREFUSED'))
        else super.set(sid, data, callback)
      }
    }
    const { url } = await appWith(new FlakyStore(), {
      afterToken: (_req, res) => res.send('logged in'),
    })
    const { agent, callback } = await approvedCallback(url)
    failing = true
    const res = await agent.get(callback)
    failing = false
    expect(res.status).toBe(503)
    expect(res.body.error).toBe('store_unavailable')
  })
})
