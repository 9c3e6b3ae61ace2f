// authorizeRedirect must persist the session BEFORE the 302 leaves: express-session
// sends the status line and headers first and saves afterwards, so with a slow store a
// fast provider could send the user back before the temporary credential exists.
import { get } from 'node:http'
import { inspect } from 'node:util'
import { createTestProvider } from '@oauth1/testing'
import express from 'express'
import session, { type SessionData } from 'express-session'
import { describe, expect, it, onTestFinished } from 'vitest'
import { serve } from './http.test-helper.js'
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

/** The app over `store`; errors reach `errors` (then a 503) when given, else Express's handler. */
async function appWith(store: session.Store, errors?: unknown[]) {
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
  if (errors !== undefined) {
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: unknown) => {
      errors.push(err)
      res.status(503).end()
    })
  }
  return serve(app)
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
    const url = await appWith(store)
    const res = await headersOf(`${url}/login`)
    expect(res.status).toBe(302)
    const token = new URL(res.location!).searchParams.get('oauth_token')
    const sessions = Object.values(await storedSessions(store))
    expect(sessions).toHaveLength(1)
    expect(Object.keys(sessions[0]!.oauth1 ?? {})).toEqual([`provider:${token}`])
  })

  it('answers 503 (store_unavailable) and no redirect when the session cannot be saved', async () => {
    const url = await appWith(new SlowStore(10, true))
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
    const url = await appWith(new RefusingRedisStore(), seen)
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
