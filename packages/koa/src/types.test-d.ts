import Koa from 'koa'
import session from 'koa-session'
import { describe, expectTypeOf, it } from 'vitest'
import {
  createMemoryServerStore,
  type KoaContext,
  type KoaMiddlewareOptions,
  type KoaRemoteApp,
  type KoaSession,
  OAuth,
  OAuthError,
  type ServerSideStore,
  type Token,
  type UserInfo,
} from './index.js'

describe('ctx.session augmentation', () => {
  it('types ctx.session in a plain middleware as koa-session leaves it', () => {
    const app = new Koa()
    app.use(session(app))
    app.use(async (ctx) => {
      expectTypeOf(ctx.session).toEqualTypeOf<KoaSession | null>()
      if (ctx.session) {
        expectTypeOf(ctx.session.isNew).toEqualTypeOf<boolean | undefined>()
        expectTypeOf(ctx.session.populated).toEqualTypeOf<boolean>()
        expectTypeOf(ctx.session.maxAge).toEqualTypeOf<number | 'session' | undefined>()
        // the pending logins, or the binding id with oauth.middleware({ store })
        expectTypeOf(ctx.session.oauth1).toEqualTypeOf<
          Record<string, unknown> | string | undefined
        >()
        // the app's own values stay as free as in plain koa-session
        ctx.session.userId = 'u1'
        ctx.session.views = (ctx.session.views ?? 0) + 1
      }
      ctx.session = null
      // @ts-expect-error a session is an object, not a string
      ctx.session = 'nope'
    })
  })

  it('keeps Context and custom state contexts typed', () => {
    expectTypeOf<Koa.Context['session']>().toEqualTypeOf<KoaSession | null>()
    expectTypeOf<
      Koa.ParameterizedContext<{ user: string }>['session']
    >().toEqualTypeOf<KoaSession | null>()
  })
})

describe('the Koa registry', () => {
  const oauth = new OAuth({
    fetchToken: (name, ctx) => {
      expectTypeOf(name).toEqualTypeOf<string>()
      expectTypeOf(ctx).toEqualTypeOf<KoaContext>()
      return ctx.session?.token as Token | undefined
    },
  })
  const twitter = oauth.register('twitter', {
    clientId: 'id',
    clientSecret: 'secret',
    requestTokenUrl: 'https://api.example/oauth/request_token',
    accessTokenUrl: 'https://api.example/oauth/access_token',
    authorizeUrl: 'https://api.example/oauth/authorize',
  })

  it('register returns the Koa RemoteApp, createClient too', () => {
    expectTypeOf(twitter).toEqualTypeOf<KoaRemoteApp>()
    expectTypeOf(oauth.createClient('twitter')).toEqualTypeOf<KoaRemoteApp | undefined>()
  })

  it('takes ctx in the Koa calling shape', () => {
    const app = new Koa()
    app.use(oauth.middleware())
    app.use(oauth.middleware({ secret: 'x'.repeat(32), app }))
    app.use(oauth.middleware({ secret: ['x'.repeat(32), new Uint8Array(32)] }))
    app.use(oauth.middleware({ store: createMemoryServerStore(), app }))
    expectTypeOf<KoaMiddlewareOptions['store']>().toEqualTypeOf<ServerSideStore | undefined>()
    // @ts-expect-error store is a server-side store (redisStore(client)), not a per-request function
    oauth.middleware({ store: () => null })
    app.use(async (ctx) => {
      expectTypeOf(twitter.authorizeRedirect(ctx)).toEqualTypeOf<Promise<void>>()
      await twitter.authorizeRedirect(ctx, '/authorize', { force_login: 'true' })
      await twitter.authorizeRedirect(ctx, '/authorize', new URLSearchParams('force_login=true'))
      // @ts-expect-error a Map is refused: Object.fromEntries(map) makes an object
      await twitter.authorizeRedirect(ctx, '/authorize', new Map([['force_login', 'true']]))
      expectTypeOf(twitter.authorizeAccessToken(ctx)).toEqualTypeOf<Promise<Token>>()
      expectTypeOf(twitter.get('account/verify_credentials.json')).toEqualTypeOf<
        Promise<Response>
      >()
      await twitter.post('statuses/update.json', { request: ctx, body: { status: 'hi' } })
      // @ts-expect-error the Koa shape takes ctx, not (req, res)
      await twitter.authorizeRedirect(ctx.req, ctx.res)
    })
  })

  it('takes router-style and custom-state contexts', () => {
    type RouterLike = Koa.ParameterizedContext<
      { user?: string },
      Koa.DefaultContext & { params: Record<string, string>; routerPath?: string },
      unknown
    >
    const ctx = {} as RouterLike
    expectTypeOf(twitter.authorizeRedirect).toBeCallableWith(ctx, '/authorize')
    expectTypeOf(twitter.authorizeAccessToken).toBeCallableWith(ctx)
    expectTypeOf(twitter.get).toBeCallableWith('me', { request: ctx })
  })

  it('rejects bad middleware options at compile time', () => {
    expectTypeOf<KoaMiddlewareOptions['secret']>().toEqualTypeOf<
      string | Uint8Array | readonly (string | Uint8Array)[] | undefined
    >()
    // @ts-expect-error a secret is a string or bytes
    oauth.middleware({ secret: 42 })
    expectTypeOf<KoaMiddlewareOptions['sessionKey']>().toEqualTypeOf<string | undefined>()
    oauth.middleware({ sessionKey: 'pendingLogins' })
    // @ts-expect-error sessionKey is a string
    oauth.middleware({ sessionKey: 1 })
  })

  it('re-exports the core errors', () => {
    const err = new OAuthError('access_denied')
    expectTypeOf(err.status).toEqualTypeOf<number>()
    expectTypeOf(err.code).toEqualTypeOf<OAuthError['code']>()
  })
})

describe('userinfo()', () => {
  it('resolves to UserInfo and takes the framework request', () => {
    const oauth = new OAuth()
    const app = oauth.register('x', { clientId: 'a' })
    expectTypeOf(app.userinfo).returns.resolves.toEqualTypeOf<UserInfo>()
    const handler = async (ctx: Koa.Context) => (await app.userinfo({ request: ctx })).sub
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<string>()
    // @ts-expect-error a request of another framework
    app.userinfo({ request: 42 })
  })
})

describe('a custom context type (new Koa<State, MyContext>())', () => {
  const oauth = new OAuth({ config: {} })
  const app = oauth.register('x', {
    clientId: 'ck',
    requestTokenUrl: 'https://x.example/rt',
    accessTokenUrl: 'https://x.example/at',
    authorizeUrl: 'https://x.example/au',
  })

  it('passes its ctx when the context extends Koa.DefaultContext, as the README says', () => {
    interface MyContext extends Koa.DefaultContext {
      requestId: string
    }
    const koa = new Koa<Koa.DefaultState, MyContext>()
    koa.use(async (ctx) => {
      expectTypeOf(ctx.requestId).toEqualTypeOf<string>()
      await app.authorizeRedirect(ctx, '/callback')
      expectTypeOf(await app.authorizeAccessToken(ctx)).toEqualTypeOf<Token>()
      await app.get('me', { request: ctx })
    })
  })

  it('refuses a ctx whose context type does not extend it (no session)', () => {
    const koa = new Koa<Koa.DefaultState, { requestId: string }>()
    koa.use(async (ctx) => {
      // @ts-expect-error the context type lacks Koa.DefaultContext's session
      await app.authorizeRedirect(ctx, '/callback')
    })
  })
})
