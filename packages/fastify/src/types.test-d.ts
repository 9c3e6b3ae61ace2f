import type { Session } from '@fastify/secure-session'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import Fastify from 'fastify'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type FastifyMiddlewareOptions,
  type FastifyRemoteApp,
  OAuth,
  type OAuth1SessionRecord,
  type OAuth1SessionValue,
  type OAuthError,
  type ServerSideStore,
  type TemporaryCredentialStore,
  type Token,
  type UserInfo,
} from './index.js'

describe('@fastify/secure-session augmentation', () => {
  it('types the oauth1 key of the session', () => {
    expectTypeOf<Session['get']>().toBeFunction()
    expectTypeOf((null as unknown as FastifyRequest).session.get('oauth1')).toEqualTypeOf<
      OAuth1SessionValue | undefined
    >()
    expectTypeOf<OAuth1SessionValue>().toEqualTypeOf<OAuth1SessionRecord | string>()
    // set<'oauth1'> takes the record, or the binding id (options.store), or undefined to remove it
    const session = (null as unknown as FastifyRequest).session
    session.set('oauth1', { 'twitter:abc': 'sealed' })
    session.set('oauth1', 'binding-id')
    session.set('oauth1', undefined)
    // @ts-expect-error the record is an object or a string, not a number
    session.set<'oauth1'>('oauth1', 42)
  })
})

describe('OAuth', () => {
  const oauth = new OAuth({
    fetchToken: (name, request) => {
      expectTypeOf(name).toEqualTypeOf<string>()
      expectTypeOf(request).toEqualTypeOf<FastifyRequest>()
      return undefined
    },
  })
  const app = oauth.register('twitter', {
    clientId: 'id',
    clientSecret: 'secret',
    requestTokenUrl: 'https://api.twitter.com/oauth/request_token',
    accessTokenUrl: 'https://api.twitter.com/oauth/access_token',
    authorizeUrl: 'https://api.twitter.com/oauth/authenticate',
    fetchToken: (request) => {
      expectTypeOf(request).toEqualTypeOf<FastifyRequest>()
      return null
    },
  })

  it('registers Fastify remote apps', () => {
    expectTypeOf(app).toEqualTypeOf<FastifyRemoteApp>()
    expectTypeOf(oauth.createClient('twitter')).toEqualTypeOf<FastifyRemoteApp | undefined>()
  })

  it('has the web flow in Fastify calling shape', () => {
    expectTypeOf(app.authorizeRedirect).parameters.toEqualTypeOf<
      [
        FastifyRequest,
        FastifyReply,
        (string | undefined)?,
        (Record<string, string> | URLSearchParams | undefined)?,
      ]
    >()
    // Resolves once the 302 is sent, to undefined: Fastify's reply is a thenable, which a
    // promise adopts, so no promise can resolve to it (flow.test.ts checks the runtime side).
    expectTypeOf(app.authorizeRedirect).returns.resolves.toEqualTypeOf<void>()
    expectTypeOf(app.authorizeAccessToken).parameters.toEqualTypeOf<[FastifyRequest]>()
    expectTypeOf(app.authorizeAccessToken).returns.resolves.toEqualTypeOf<Token>()
  })

  it('exposes the session store for custom flows', () => {
    expectTypeOf(app.credentialStore).parameters.toEqualTypeOf<[FastifyRequest]>()
    expectTypeOf(app.credentialStore).returns.toEqualTypeOf<TemporaryCredentialStore>()
    expectTypeOf(app.beginAuthorization).returns.resolves.toEqualTypeOf<string>()
  })

  it('makes API calls that take the Fastify request', () => {
    expectTypeOf(app.get).returns.resolves.toEqualTypeOf<Response>()
    expectTypeOf(app.post).returns.resolves.toEqualTypeOf<Response>()
    void app.get('account/verify_credentials.json', {
      request: null as unknown as FastifyRequest,
    })
  })

  it('gives a plugin to register', async () => {
    expectTypeOf(oauth.middleware()).toEqualTypeOf<FastifyPluginCallback>()
    expectTypeOf(oauth.middleware)
      .parameter(0)
      .toEqualTypeOf<FastifyMiddlewareOptions | undefined>()
    const server = Fastify()
    await server.register(oauth.middleware({ sessionName: 'session', maxEntries: 5 }))
    expectTypeOf<FastifyMiddlewareOptions['context']>().toEqualTypeOf<boolean | undefined>()
    // @ts-expect-error context is a boolean
    oauth.middleware({ context: 'yes' })
    expectTypeOf<FastifyMiddlewareOptions['sessionKey']>().toEqualTypeOf<string | undefined>()
    oauth.middleware({ sessionKey: 'pendingLogins' })
    // @ts-expect-error sessionKey is a string
    oauth.middleware({ sessionKey: 1 })
    expectTypeOf<FastifyMiddlewareOptions['store']>().toEqualTypeOf<ServerSideStore | undefined>()
    // @ts-expect-error store is a server-side store (redisStore(client)), not a per-request function
    oauth.middleware({ store: () => null })
    server.get('/login', (request, reply) => app.authorizeRedirect(request, reply, '/authorize'))
    server.get('/login-awaited', async (request, reply) => {
      const sent = await app.authorizeRedirect(request, reply, '/authorize')
      // @ts-expect-error it resolves to undefined, not the reply: the 302 is already sent
      sent.header('x-late', '1')
      return reply
    })
    // A route whose Reply is typed can return it too (what it resolves to is no reply body).
    server.get<{ Reply: { 200: { ok: boolean } } }>('/login-typed', (request, reply) =>
      app.authorizeRedirect(request, reply, '/authorize'),
    )
    server.get('/authorize', async (request) => {
      const token = await app.authorizeAccessToken(request)
      expectTypeOf(token.oauth_token).toEqualTypeOf<string>()
      expectTypeOf(token.screen_name).toEqualTypeOf<string | undefined>()
      return { ok: true }
    })
  })

  it('re-exports the core errors', () => {
    expectTypeOf<OAuthError['code']>().toExtend<string>()
    expectTypeOf<OAuthError['status']>().toEqualTypeOf<number>()
  })
})

describe('userinfo()', () => {
  it('resolves to UserInfo and takes the framework request', () => {
    const oauth = new OAuth()
    const app = oauth.register('x', { clientId: 'a' })
    expectTypeOf(app.userinfo).returns.resolves.toEqualTypeOf<UserInfo>()
    const handler = async (request: FastifyRequest) =>
      (await app.userinfo({ request: request })).sub
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<string>()
    // @ts-expect-error a request of another framework
    app.userinfo({ request: 42 })
  })
})
