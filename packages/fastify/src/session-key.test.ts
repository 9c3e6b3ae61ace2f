// middleware({ sessionKey }): two OAuth registries in one app (one per plugin prefix), each
// with its own secret and its own key in the session, keep their pending logins apart.
// Real HTTP with a cookie jar; Fastify's default error handler answers errors.
import secureSession from '@fastify/secure-session'
import { outcomeOf, runSeparateRegistriesTests, WRONG_VALUES } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { sessionKey } from './http.test-helper.js'
import { OAuth } from './index.js'

const PROVIDER = { provider: () => createTestProvider({ autoApprove: 'bob' }), user: 'bob' }

type Params = { Params: { name: string } }

runSeparateRegistriesTests(['plugins'], PROVIDER, async (_mount, registration, registries) => {
  const app = Fastify()
  onTestFinished(() => app.close())
  await app.register(secureSession, { key: sessionKey(), cookie: { path: '/' } })
  for (const prefix of ['x', 'y'] as const) {
    const { name, options } = registries[prefix]
    const oauth = new OAuth({ config: {} })
    oauth.register(name, registration)
    const remote = (request: FastifyRequest<Params>) => {
      const found = oauth.createClient(request.params.name)
      if (found === undefined) throw new Error(`no app ${request.params.name}`)
      return found
    }
    await app.register(
      async (scope: FastifyInstance) => {
        await scope.register(oauth.middleware(options))
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
  return {
    url: `http://127.0.0.1:${address.port}`,
    errorCode: async (response) => ((await response.json()) as { code: string }).code,
  }
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
})
