// The login in the app shapes Fastify users write: routes in a plugin registered with a prefix,
// the OAuth middleware on the root or inside that plugin, several providers in one registry.
// Real HTTP: the app and @oauth1/testing's provider on 127.0.0.1, a browser with a cookie jar.
import secureSession from '@fastify/secure-session'
import { createTestBrowser } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { sessionKey } from './http.test-helper.js'
import { OAuth } from './index.js'

type Mount = 'middleware on the root' | 'middleware in the plugin'

type Params = { Params: { name: string }; Querystring: { cb?: string } }

/**
 * A provider, and an app whose login routes live in a plugin registered with
 * the prefix `/auth`: `/auth/login/:name?cb=…` and the callback
 * `/auth/callback/:name`. Two names, `a` and `b`, are the same provider
 * registered twice. Fastify's default error handler answers errors.
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
  const app = Fastify()
  onTestFinished(() => app.close())
  await app.register(secureSession, { key: sessionKey(), cookie: { path: '/' } })
  if (mount === 'middleware on the root') await app.register(oauth.middleware())
  const remote = (request: FastifyRequest<Params>) => {
    const found = oauth.createClient(request.params.name)
    if (found === undefined) throw new Error(`no app ${request.params.name}`)
    return found
  }
  await app.register(
    async (auth: FastifyInstance) => {
      if (mount === 'middleware in the plugin') await auth.register(oauth.middleware())
      auth.get<Params>('/login/:name', (request, reply) =>
        remote(request).authorizeRedirect(
          request,
          reply,
          request.query.cb ?? `/auth/callback/${request.params.name}`,
        ),
      )
      auth.get<Params>('/callback/:name', async (request) => {
        const token = await remote(request).authorizeAccessToken(request)
        return { app: request.params.name, user: token.screen_name }
      })
    },
    { prefix: '/auth' },
  )
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP')
  const url = `http://127.0.0.1:${address.port}`
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

describe.each(['middleware on the root', 'middleware in the plugin'] as const)(
  'a login in a plugin with the prefix /auth (%s)',
  (mount) => {
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
      expect(await wrong.json()).toMatchObject({ code: 'missing_temporary_credential' })
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
  },
)
