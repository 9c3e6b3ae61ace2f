import express, { type ErrorRequestHandler, type Request } from 'express'
import session from 'express-session'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { serve } from './http.test-helper.js'
import { MISSING_SESSION_MESSAGE, OAuth } from './index.js'

const EXPECTED_MESSAGE =
  '@oauth1/express: req.session is missing. Install express-session (npm install express-session) ' +
  'and add app.use(session({ ... })) BEFORE app.use(oauth.middleware()); ' +
  'any middleware that sets req.session (cookie-session too) works. ' +
  'If it is installed, it skipped this request: its store is disconnected, or the path is outside its cookie.path.'

const SESSION_SECRET = 'a session secret of at least 32 characters'

function newOAuth(fetchToken?: (name: string, req: Request) => unknown) {
  const oauth = new OAuth({
    config: {},
    ...(fetchToken === undefined ? {} : { fetchToken: fetchToken as never }),
  })
  oauth.register('provider', {
    clientId: 'client',
    clientSecret: 'secret',
    requestTokenUrl: 'http://127.0.0.1:9/oauth/request_token',
    accessTokenUrl: 'http://127.0.0.1:9/oauth/access_token',
    authorizeUrl: 'http://127.0.0.1:9/oauth/authorize',
  })
  return oauth
}

/** Records the error Express routes to its error handlers, then answers as the default one would. */
function capture(errors: unknown[]): ErrorRequestHandler {
  return (err, _req, _res, next) => {
    errors.push(err)
    next(err)
  }
}

describe('oauth.middleware() without a session', () => {
  it('fails the first request with a TypeError that says what to install and where', async () => {
    const oauth = newOAuth()
    const app = express()
    app.use(oauth.middleware())
    app.get('/', (_req, res) => {
      res.send('reached')
    })
    const errors: unknown[] = []
    app.use(capture(errors))

    const res = await request(await serve(app)).get('/')
    expect(res.status).toBe(500)
    expect(res.text).not.toContain('reached')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toEqual(new TypeError(EXPECTED_MESSAGE))
    expect(MISSING_SESSION_MESSAGE).toBe(EXPECTED_MESSAGE)
  })

  it('fails every request, not only the first', async () => {
    const app = express()
    app.use(newOAuth().middleware())
    app.get('/', (_req, res) => {
      res.send('reached')
    })
    const url = await serve(app)
    for (let i = 0; i < 3; i++) expect((await request(url).get('/')).status).toBe(500)
  })

  it('lets OPTIONS * through: it names no path, so no session middleware serves it', async () => {
    const { connect } = await import('node:net')
    const app = express()
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(newOAuth().middleware())
    app.use((req, res) => {
      res.status(404).send(`no route for ${req.method} ${req.url}`)
    })
    const errors: unknown[] = []
    app.use(capture(errors))
    const port = new URL(await serve(app)).port
    for (const method of ['OPTIONS', 'GET']) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.end(`${method} * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
        )
        const chunks: Buffer[] = []
        socket.on('data', (c: Buffer) => chunks.push(c))
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
        socket.on('error', reject)
      })
      expect(answer, method).toMatch(/^HTTP\/1\.1 404 /)
      expect(answer).toContain(`no route for ${method} *`)
    }
    expect(errors).toEqual([])
  })

  it('fails when the session middleware comes AFTER it', async () => {
    const app = express()
    app.use(newOAuth().middleware())
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.get('/', (_req, res) => {
      res.send('reached')
    })
    const errors: unknown[] = []
    app.use(capture(errors))
    expect((await request(await serve(app)).get('/')).status).toBe(500)
    expect((errors[0] as Error).message).toBe(EXPECTED_MESSAGE)
  })

  it('says so too when express-session skips the first request because its store is disconnected', async () => {
    const store = new session.MemoryStore()
    const app = express()
    app.use(session({ store, secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(newOAuth().middleware())
    app.get('/', (_req, res) => {
      res.send('reached')
    })
    const errors: unknown[] = []
    app.use(capture(errors))
    const url = await serve(app)
    store.emit('disconnect')
    expect((await request(url).get('/')).status).toBe(500)
    expect(errors[0]).toEqual(new TypeError(EXPECTED_MESSAGE))
    store.emit('connect')
    expect((await request(url).get('/')).status).toBe(200)
  })

  it('lets the other routes answer while the session store is down, and refuses a login then with store_unavailable (503)', async () => {
    const store = new session.MemoryStore()
    const oauth = newOAuth()
    const app = express()
    app.use(session({ store, secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(oauth.middleware())
    app.get('/', (_req, res) => {
      res.send('reached')
    })
    app.get('/login', (req, res) => oauth.provider.authorizeRedirect(req, res, '/authorize'))
    app.get('/authorize', async (req, res) => {
      res.json(await oauth.provider.authorizeAccessToken(req))
    })
    const errors: unknown[] = []
    app.use(capture(errors))
    const url = await serve(app)
    expect((await request(url).get('/')).status).toBe(200)
    store.emit('disconnect')
    const home = await request(url).get('/')
    expect([home.status, home.text]).toEqual([200, 'reached'])
    expect((await request(url).get('/login')).status).toBe(503)
    expect((await request(url).get('/authorize?oauth_token=a&oauth_verifier=b')).status).toBe(503)
    expect(errors).toHaveLength(2)
    for (const err of errors) {
      expect(err).toMatchObject({
        code: 'store_unavailable',
        status: 503,
        description:
          'req.session is missing for this request, though earlier requests had one: the session middleware skipped it (express-session does while its store is disconnected, and outside its cookie.path)',
      })
    }
    store.emit('connect')
    expect((await request(url).get('/')).status).toBe(200)
  })

  it('passes when express-session comes before it', async () => {
    const app = express()
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(newOAuth().middleware())
    app.get('/', (_req, res) => {
      res.send('reached')
    })
    const res = await request(await serve(app)).get('/')
    expect(res.status).toBe(200)
    expect(res.text).toBe('reached')
  })

  it('makes authorizeRedirect and authorizeAccessToken reject with the same message on a route without a session', async () => {
    const oauth = newOAuth()
    const app = express()
    const errors: unknown[] = []
    app.get('/login', (req, res) => oauth.provider.authorizeRedirect(req, res, '/authorize'))
    app.get('/authorize', async (req, res) => {
      res.json(await oauth.provider.authorizeAccessToken(req))
    })
    app.use(capture(errors))
    const url = await serve(app)
    expect((await request(url).get('/login')).status).toBe(500)
    expect((await request(url).get('/authorize?oauth_token=a&oauth_verifier=b')).status).toBe(500)
    expect(errors.map((e) => (e as Error).message)).toEqual([EXPECTED_MESSAGE, EXPECTED_MESSAGE])
  })
})

describe('authorizeRedirect after the response was sent', () => {
  it('is a TypeError naming the misuse, before the provider is asked', async () => {
    const oauth = newOAuth()
    const app = express()
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(oauth.middleware())
    const caught: unknown[] = []
    app.get('/login', async (req, res) => {
      res.status(204).end()
      // The provider's port is closed: asked, this would be an OAuthError (fetch_token_denied).
      await oauth.provider
        .authorizeRedirect(req, res, '/authorize')
        .catch((e: unknown) => caught.push(e))
    })
    const res = await request(await serve(app)).get('/login')
    expect(res.status).toBe(204)
    await expect.poll(() => caught.length).toBe(1)
    expect(caught[0]).toEqual(
      new TypeError(
        'authorizeRedirect(req, res): the response was already sent; call it once, instead of answering the request',
      ),
    )
  })
})

describe('oauth.middleware(options)', () => {
  it('refuses bad options with a TypeError naming the option', () => {
    const oauth = newOAuth()
    expect(() => oauth.middleware({ sessionKey: '' })).toThrow(
      new TypeError(
        'options.sessionKey should be a non-empty string that is not a property of the session itself or of Object.prototype (cookie, id, save, __proto__, constructor, toString…)',
      ),
    )
    expect(() => oauth.middleware({ sessionKey: 'cookie' })).toThrow(TypeError)
    expect(() => oauth.middleware({ sessionKey: '__proto__' })).toThrow(TypeError)
    expect(() => oauth.middleware({ maxEntries: 0 })).toThrow(
      new TypeError('options.maxEntries should be a positive integer'),
    )
    expect(() => oauth.middleware({ maxEntries: 1.5 })).toThrow(TypeError)
    expect(() => oauth.middleware({ secret: 'too short' })).toThrow(TypeError)
    expect(() => oauth.middleware({ secret: 'too short' })).toThrow(/secret/)
    expect(() => oauth.middleware({ secret: [] })).toThrow(TypeError)
    expect(() => oauth.middleware(null as never)).toThrow(
      new TypeError('oauth.middleware(options): options should be an object'),
    )
  })

  it('can be created again with the same options, not with others', () => {
    const oauth = newOAuth()
    const secret = 'x'.repeat(32)
    expect(typeof oauth.middleware({ secret })).toBe('function')
    expect(typeof oauth.middleware({ secret })).toBe('function')
    expect(() => oauth.middleware({ secret: 'y'.repeat(32) })).toThrow(
      new TypeError(
        'oauth.middleware(options) was already called with other options; create the middleware once and reuse it',
      ),
    )
    expect(() => oauth.middleware()).toThrow(TypeError)
  })
})

describe('the request context', () => {
  function appWith(oauth: OAuth) {
    const app = express()
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(oauth.middleware())
    return app
  }

  it('makes the request current for the route, across awaits', async () => {
    const oauth = newOAuth(() => undefined)
    const app = appWith(oauth)
    app.get('/', async (req, res) => {
      const before = oauth.context.current() === req
      await new Promise((resolve) => setTimeout(resolve, 5))
      res.json({ before, after: oauth.context.current() === req })
    })
    expect((await request(await serve(app)).get('/')).body).toEqual({ before: true, after: true })
    expect(oauth.context.current()).toBeUndefined()
  })

  it('survives body parsers mounted after it', async () => {
    const oauth = newOAuth(() => undefined)
    const app = appWith(oauth)
    app.use(express.json())
    app.use(express.urlencoded({ extended: false }))
    app.post('/', (req, res) => {
      res.json({ same: oauth.context.current() === req, body: req.body })
    })
    const url = await serve(app)
    const json = await request(url).post('/').send({ a: 1 })
    expect(json.body).toEqual({ same: true, body: { a: 1 } })
    const form = await request(url).post('/').type('form').send('a=1')
    expect(form.body).toEqual({ same: true, body: { a: '1' } })
  })

  it('keeps concurrent requests apart', async () => {
    const oauth = newOAuth(() => undefined)
    const app = appWith(oauth)
    app.get('/:n', async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 20 - Number(req.params.n)))
      res.send(String((oauth.context.current() as Request | undefined)?.params.n))
    })
    const url = await serve(app)
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, n) => request(url).get(`/${n}`)),
    )
    expect(answers.map((r) => r.text)).toEqual(Array.from({ length: 10 }, (_, n) => String(n)))
  })

  it('lets an API call find the token with no token and no request passed (missing_token otherwise)', async () => {
    const seen: unknown[] = []
    const oauth = newOAuth((name, req) => {
      seen.push([name, req.path])
      return undefined
    })
    const app = appWith(oauth)
    app.get('/me', async (_req, res) => {
      res.json(await oauth.provider.get('http://127.0.0.1:9/api/me'))
    })
    const res = await request(await serve(app)).get('/me')
    // fetchToken was asked, with the current request, and found nothing: 401 missing_token
    expect(seen).toEqual([['provider', '/me']])
    expect(res.status).toBe(401)
  })

  it('is bound only when a fetchToken can read it, unless options.context says so', async () => {
    const probe = (oauth: OAuth, options?: { context?: boolean }) => {
      const app = express()
      app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
      app.use(oauth.middleware(options))
      app.get('/', async (req, res) => {
        await new Promise((resolve) => setTimeout(resolve, 1))
        res.json({ bound: oauth.context.current() === req })
      })
      return serve(app).then((url) => request(url).get('/'))
    }
    // No fetchToken anywhere: nothing reads the context, so AsyncLocalStorage is not used.
    expect((await probe(newOAuth())).body).toEqual({ bound: false })
    expect((await probe(newOAuth(), { context: true })).body).toEqual({ bound: true })
    expect((await probe(newOAuth(() => undefined))).body).toEqual({ bound: true })
    expect(
      (
        await probe(
          newOAuth(() => undefined),
          { context: false },
        )
      ).body,
    ).toEqual({
      bound: false,
    })
    // A fetchToken on an app registered after the middleware was made counts too.
    const late = newOAuth()
    const app = express()
    app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
    app.use(late.middleware())
    app.get('/', (req, res) => {
      res.json({ bound: late.context.current() === req })
    })
    const url = await serve(app)
    expect((await request(url).get('/')).body).toEqual({ bound: false })
    late.register('other', {
      clientId: 'client',
      requestTokenUrl: 'http://127.0.0.1:9/oauth/request_token',
      accessTokenUrl: 'http://127.0.0.1:9/oauth/access_token',
      authorizeUrl: 'http://127.0.0.1:9/oauth/authorize',
      fetchToken: () => null,
    })
    expect((await request(url).get('/')).body).toEqual({ bound: true })
  })

  it('refuses an options.context that is not a boolean', () => {
    expect(() => newOAuth().middleware({ context: 'yes' as never })).toThrow(
      new TypeError('options.context should be a boolean'),
    )
  })

  it('is empty outside the middleware', async () => {
    const oauth = newOAuth()
    const app = express()
    app.get('/', (_req, res) => {
      res.json({ current: oauth.context.current() ?? null })
    })
    expect((await request(await serve(app)).get('/')).body).toEqual({ current: null })
  })
})
