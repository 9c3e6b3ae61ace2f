import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type AnyContext,
  createMemoryServerStore,
  createMemoryStore,
  type HonoRemoteApp,
  type MiddlewareOptions,
  OAuth,
  type OAuthEnv,
  OAuthError,
  type OAuthVariables,
  type ServerSideStore,
  type TemporaryCredentialStore,
  type Token,
  type UserInfo,
} from './index.js'

/** Exact type identity, cheap even for Hono's deep Context type. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

type AppEnv = { Variables: { userId: string }; Bindings: { OAUTH1_SECRET: string } }

describe('types', () => {
  it('middleware() contributes OAuthEnv, so c.var.oauth1 is typed after app.use()', () => {
    const oauth = new OAuth()
    const mw = oauth.middleware({ secret: 'x'.repeat(32) })
    expectTypeOf(mw).toEqualTypeOf<MiddlewareHandler<OAuthEnv>>()
    new Hono().use(mw).get('/', (c) => {
      expectTypeOf(c.var.oauth1.store).toEqualTypeOf<TemporaryCredentialStore>()
      expectTypeOf(c.get('oauth1')).toEqualTypeOf<OAuthVariables['oauth1']>()
      return c.text('ok')
    })
  })

  it('augments ContextVariableMap, so c.get("oauth1") is typed in any app', () => {
    new Hono<AppEnv>().get('/', (c) => {
      expectTypeOf(c.get('oauth1').store).toEqualTypeOf<TemporaryCredentialStore>()
      expectTypeOf(c.get('userId')).toEqualTypeOf<string>()
      return c.text('ok')
    })
  })

  it('OAuthEnv combines with the app’s own Env', () => {
    new Hono<AppEnv & OAuthEnv>().get('/', (c) => {
      expectTypeOf(c.var.userId).toEqualTypeOf<string>()
      expectTypeOf(c.var.oauth1.store).toEqualTypeOf<TemporaryCredentialStore>()
      expectTypeOf(c.env.OAUTH1_SECRET).toEqualTypeOf<string>()
      return c.text('ok')
    })
  })

  it('OAuth<Env> types the request handed to fetchToken and to the store option', () => {
    const oauth = new OAuth<AppEnv>({
      fetchToken: (name, c) => {
        expectTypeOf(name).toEqualTypeOf<string>()
        expectTypeOf<Equal<typeof c, Context<AppEnv>>>().toEqualTypeOf<true>()
        expectTypeOf(c.var.userId).toEqualTypeOf<string>()
        return undefined
      },
    })
    oauth.middleware({
      store: (c) => {
        expectTypeOf<Equal<typeof c, Context<AppEnv>>>().toEqualTypeOf<true>()
        return createMemoryStore()
      },
    })
  })

  it('the RemoteApp has the web flow in Hono’s shape', () => {
    const oauth = new OAuth<AppEnv>()
    const app = oauth.register('twitter', {
      clientId: 'id',
      clientSecret: 'secret',
      requestTokenUrl: 'https://api.x.com/oauth/request_token',
      accessTokenUrl: 'https://api.x.com/oauth/access_token',
      authorizeUrl: 'https://api.x.com/oauth/authorize',
    })
    expectTypeOf(app).toEqualTypeOf<HonoRemoteApp<AppEnv>>()
    type Params = Parameters<typeof app.authorizeRedirect>
    expectTypeOf<Equal<Params[0], AnyContext>>().toEqualTypeOf<true>()
    expectTypeOf<Equal<Params[1], string | undefined>>().toEqualTypeOf<true>()
    expectTypeOf<
      Equal<Params[2], Record<string, string> | URLSearchParams | undefined>
    >().toEqualTypeOf<true>()
    expectTypeOf<
      Equal<Parameters<typeof app.authorizeAccessToken>[0], AnyContext>
    >().toEqualTypeOf<true>()
    expectTypeOf(app.authorizeRedirect).returns.toEqualTypeOf<Promise<Response>>()
    expectTypeOf(app.authorizeAccessToken).returns.toEqualTypeOf<Promise<Token>>()
    expectTypeOf(app.get).returns.toEqualTypeOf<Promise<Response>>()
    expectTypeOf(oauth.createClient('twitter')).toEqualTypeOf<HonoRemoteApp<AppEnv> | undefined>()
    new Hono<AppEnv>().get('/login', (c) => app.authorizeRedirect(c, '/authorize'))
    // The context of an app whose Env also has OAuthEnv, or that went through app.use(middleware), fits too.
    new Hono<AppEnv & OAuthEnv>().get('/login', (c) => app.authorizeRedirect(c, '/authorize'))
    new Hono<AppEnv>()
      .use(oauth.middleware({ secret: 'x'.repeat(32) }))
      .get('/authorize', async (c) => c.json(await app.authorizeAccessToken(c)))
      .get('/me', async (c) => c.json(await (await app.get('me', { request: c })).json()))
  })

  it('rejects a middleware call without options, and a store that is neither a function nor server-side', () => {
    const oauth = new OAuth()
    // @ts-expect-error options are required: a secret or a store
    oauth.middleware()
    // @ts-expect-error the store option is a function of the context, or a server-side store
    oauth.middleware({ store: createMemoryStore() })
    // a server-side store (redisStore(client)) is accepted as it is
    oauth.middleware({ store: createMemoryServerStore(), cookie: { name: 'login' } })
    expectTypeOf<NonNullable<MiddlewareOptions['store']>>().toExtend<
      ServerSideStore | ((c: never) => unknown)
    >()
  })

  it('re-exports the core’s error class', () => {
    expectTypeOf(new OAuthError('access_denied').status).toEqualTypeOf<number>()
  })
})

describe('userinfo()', () => {
  it('resolves to UserInfo and takes the framework request', () => {
    const oauth = new OAuth()
    const app = oauth.register('x', { clientId: 'a' })
    expectTypeOf(app.userinfo).returns.resolves.toEqualTypeOf<UserInfo>()
    const handler = async (c: Context) => (await app.userinfo({ request: c })).sub
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<string>()
    // @ts-expect-error a request of another framework
    app.userinfo({ request: 42 })
  })
})
