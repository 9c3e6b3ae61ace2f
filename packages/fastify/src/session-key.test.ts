// middleware({ sessionKey }): two OAuth registries in one app (one per plugin prefix), each
// with its own secret and its own key in the session, keep their pending logins apart.
// Real HTTP with a cookie jar; Fastify's default error handler answers errors.
import secureSession from '@fastify/secure-session'
import { createMemoryServerStore } from '@oauth1/core'
import { createTestBrowser, outcomeOf, WRONG_VALUES } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { sessionKey } from './http.test-helper.js'
import { type FastifyMiddlewareOptions, OAuth, SESSION_KEY } from './index.js'

type Params = { Params: { name: string } }

/**
 * An app with two registries, `x` (plugin at /x) and `y` (plugin at /y), each registering
 * the provider under the given names and its own middleware; GET /session answers the
 * session's data.
 */
async function twoRegistries(
  names: { x: string; y: string },
  options: { x: FastifyMiddlewareOptions; y: FastifyMiddlewareOptions },
) {
  const provider = await createTestProvider({ autoApprove: 'bob' })
  onTestFinished(() => provider.close())
  const registration = {
    clientId: provider.client.id,
    clientSecret: provider.client.secret,
    requestTokenUrl: provider.requestTokenUrl,
    authorizeUrl: provider.authorizeUrl,
    accessTokenUrl: provider.accessTokenUrl,
  }
  const app = Fastify()
  onTestFinished(() => app.close())
  await app.register(secureSession, { key: sessionKey(), cookie: { path: '/' } })
  for (const prefix of ['x', 'y'] as const) {
    const oauth = new OAuth({ config: {} })
    oauth.register(names[prefix], registration)
    const remote = (request: FastifyRequest<Params>) => {
      const found = oauth.createClient(request.params.name)
      if (found === undefined) throw new Error(`no app ${request.params.name}`)
      return found
    }
    await app.register(
      async (scope: FastifyInstance) => {
        await scope.register(oauth.middleware(options[prefix]))
        scope.get<Params>('/login/:name', (request, reply) =>
          remote(request).authorizeRedirect(
            request,
            reply,
            `/${prefix}/callback/${request.params.name}`,
          ),
        )
        scope.get<Params>('/callback/:name', async (request) => {
          const token = await remote(request).authorizeAccessToken(request)
          return { registry: prefix, user: token.screen_name }
        })
      },
      { prefix: `/${prefix}` },
    )
  }
  app.get('/session', (request) => request.session.data() ?? {})
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP')
  const browser = createTestBrowser(`http://127.0.0.1:${address.port}`)
  /** Starts a login at `/<path>`; the callback URL the provider sends the browser back to. */
  const login = async (path: string): Promise<string> => {
    const begin = await browser.fetch(path)
    expect(begin.status).toBe(302)
    const consent = await fetch(begin.headers.get('location') as string, { redirect: 'manual' })
    expect(consent.status).toBe(302)
    return consent.headers.get('location') as string
  }
  const session = async () =>
    (await (await browser.fetch('/session')).json()) as Record<string, unknown>
  return { browser, login, session }
}

const SECRET_X = 'a secret of registry x, 32+ characters long'
const SECRET_Y = 'a secret of registry y, 32+ characters long'

describe('two registries in one app, each with its own sessionKey', () => {
  it('completes a login pending in each, with different secrets, in either order', async () => {
    const { browser, login, session } = await twoRegistries(
      { x: 'a', y: 'b' },
      {
        x: { secret: SECRET_X, sessionKey: 'oauth1X' },
        y: { secret: SECRET_Y, sessionKey: 'oauth1Y' },
      },
    )
    const a = await login('/x/login/a')
    const b = await login('/y/login/b')
    // Each registry's pending login is under its own key, none under the default.
    const data = await session()
    expect(Object.keys(data.oauth1X as object)).toHaveLength(1)
    expect(Object.keys(data.oauth1Y as object)).toHaveLength(1)
    expect(data).not.toHaveProperty(SESSION_KEY)
    const doneB = await browser.fetch(b)
    expect(doneB.status).toBe(200)
    expect(await doneB.json()).toEqual({ registry: 'y', user: 'bob' })
    const doneA = await browser.fetch(a)
    expect(doneA.status).toBe(200)
    expect(await doneA.json()).toEqual({ registry: 'x', user: 'bob' })
  })

  it("refuses x's callback at y's route when both register the same name, and x's still completes", async () => {
    const { browser, login } = await twoRegistries(
      { x: 'a', y: 'a' },
      {
        x: { secret: SECRET_X, sessionKey: 'oauth1X' },
        y: { secret: SECRET_Y, sessionKey: 'oauth1Y' },
      },
    )
    const callback = await login('/x/login/a')
    const wrong = await browser.fetch(callback.replace('/x/callback/', '/y/callback/'))
    expect(wrong.status).toBe(400)
    expect(((await wrong.json()) as { code: string }).code).toBe('missing_temporary_credential')
    const right = await browser.fetch(callback)
    expect(right.status).toBe(200)
    expect(await right.json()).toEqual({ registry: 'x', user: 'bob' })
  })

  it('refuses the other registry its login with the same name and no secret either', async () => {
    const { browser, login } = await twoRegistries(
      { x: 'a', y: 'a' },
      { x: { sessionKey: 'oauth1X' }, y: {} },
    )
    const callback = await login('/x/login/a')
    const wrong = await browser.fetch(callback.replace('/x/callback/', '/y/callback/'))
    expect(wrong.status).toBe(400)
    expect(((await wrong.json()) as { code: string }).code).toBe('missing_temporary_credential')
    expect((await browser.fetch(callback)).status).toBe(200)
  })

  it('keeps the binding id under the sessionKey with a server-side store', async () => {
    const { browser, login, session } = await twoRegistries(
      { x: 'a', y: 'a' },
      {
        x: { store: createMemoryServerStore(), sessionKey: 'bindingX' },
        y: { store: createMemoryServerStore(), sessionKey: 'bindingY' },
      },
    )
    const x = await login('/x/login/a')
    const y = await login('/y/login/a')
    const data = await session()
    expect(typeof data.bindingX).toBe('string')
    expect(typeof data.bindingY).toBe('string')
    expect(data.bindingX).not.toBe(data.bindingY)
    expect(data).not.toHaveProperty(SESSION_KEY)
    expect(await (await browser.fetch(x)).json()).toEqual({ registry: 'x', user: 'bob' })
    expect(await (await browser.fetch(y)).json()).toEqual({ registry: 'y', user: 'bob' })
  })
})

describe('middleware({ sessionKey }) validation', () => {
  const MESSAGE =
    'TypeError: @oauth1/fastify: options.sessionKey should be a non-empty string that is not ' +
    "reserved by @fastify/secure-session's data or Object.prototype (__ts, __proto__, constructor…)"

  it.each([
    ...WRONG_VALUES,
    ["secure-session's own timestamp", '__ts'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['hasOwnProperty', 'hasOwnProperty'],
  ] as [string, unknown][])('refuses %s', (_what, value) => {
    expect(
      outcomeOf(() => new OAuth({ config: {} }).middleware({ sessionKey: value as never })),
    ).toBe(MESSAGE)
  })

  it('takes part in the options a second middleware() must repeat', () => {
    const oauth = new OAuth({ config: {} })
    oauth.middleware({ sessionKey: 'pending' })
    expect(() => oauth.middleware({ sessionKey: 'pending', context: false })).not.toThrow()
    for (const other of [{}, { sessionKey: 'other' }]) {
      expect(() => oauth.middleware(other)).toThrow(
        /^@oauth1\/fastify: oauth\.middleware\(options\) was already called with other options/,
      )
    }
    // The default, named or not, is the same key.
    const plain = new OAuth({ config: {} })
    plain.middleware()
    expect(() => plain.middleware({ sessionKey: SESSION_KEY })).not.toThrow()
  })
})
