// The login in the app shapes Fastify users write: routes in a plugin registered with the
// prefix /auth, the OAuth middleware on the root or inside that plugin, two names for one
// provider. Real HTTP; Fastify's default error handler answers errors.
import secureSession from '@fastify/secure-session'
import { runMountedLoginTests } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { onTestFinished } from 'vitest'
import { sessionKey } from './http.test-helper.js'
import { OAuth } from './index.js'

const PROVIDER = { provider: () => createTestProvider({ autoApprove: 'bob' }), user: 'bob' }

type Params = { Params: { name: string }; Querystring: { cb?: string } }

runMountedLoginTests(
  ['middleware on the root', 'middleware in the plugin'],
  PROVIDER,
  async (mount, registration) => {
    const oauth = new OAuth({ config: {} })
    for (const name of ['a', 'b']) oauth.register(name, registration)
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
    return {
      url: `http://127.0.0.1:${address.port}`,
      errorCode: async (response) => ((await response.json()) as { code: string }).code,
    }
  },
)
