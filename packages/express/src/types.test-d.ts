import type { Request, RequestHandler, Response } from 'express'
import type { SessionData } from 'express-session'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type ExpressRemoteApp,
  type MiddlewareOptions,
  OAuth,
  type OAuth1SessionRecord,
  type OAuth1SessionValue,
  OAuthError,
  type ServerSideStore,
  type StoredTemporaryCredential,
  type Token,
  type UserInfo,
} from './index.js'

describe('express-session augmentation', () => {
  it('types req.session.oauth1 as the record of pending logins, or the binding id (options.store)', () => {
    expectTypeOf<SessionData['oauth1']>().toEqualTypeOf<OAuth1SessionValue | undefined>()
    expectTypeOf<OAuth1SessionValue>().toEqualTypeOf<OAuth1SessionRecord | string>()
    expectTypeOf<OAuth1SessionRecord>().toEqualTypeOf<
      Record<string, StoredTemporaryCredential | string>
    >()
    expectTypeOf<Request['session']['oauth1']>().toEqualTypeOf<OAuth1SessionValue | undefined>()
  })
})

describe('OAuth for Express', () => {
  const oauth = new OAuth({
    fetchToken: (name, request) => {
      expectTypeOf(name).toEqualTypeOf<string>()
      expectTypeOf(request).toEqualTypeOf<Request>()
      return undefined
    },
  })
  const app = oauth.register('twitter', { clientId: 'id', clientSecret: 'secret' })

  it('registers Express remote apps', () => {
    expectTypeOf(app).toEqualTypeOf<ExpressRemoteApp>()
    expectTypeOf(oauth.createClient('twitter')).toEqualTypeOf<ExpressRemoteApp | undefined>()
  })

  it('has the Express calling shapes', () => {
    expectTypeOf(app.authorizeRedirect).parameters.toEqualTypeOf<
      [
        Request,
        Response,
        (string | undefined)?,
        (Record<string, string> | URLSearchParams | undefined)?,
      ]
    >()
    expectTypeOf(app.authorizeRedirect).returns.toEqualTypeOf<Promise<void>>()
    expectTypeOf(app.authorizeAccessToken).parameters.toEqualTypeOf<[Request]>()
    expectTypeOf(app.authorizeAccessToken).returns.toEqualTypeOf<Promise<Token>>()
    expectTypeOf(app.get).returns.toEqualTypeOf<Promise<globalThis.Response>>()
  })

  it('returns an Express middleware and checks its options', () => {
    expectTypeOf(oauth.middleware).returns.toEqualTypeOf<RequestHandler>()
    expectTypeOf(oauth.middleware).parameter(0).toEqualTypeOf<MiddlewareOptions | undefined>()
    // @ts-expect-error sessionKey is a string
    oauth.middleware({ sessionKey: 1 })
    // @ts-expect-error secret is a string, bytes or a list of them
    oauth.middleware({ secret: 42 })
    expectTypeOf<MiddlewareOptions['store']>().toEqualTypeOf<ServerSideStore | undefined>()
    // @ts-expect-error store is a server-side store (redisStore(client)), not a per-request function
    oauth.middleware({ store: () => ({ get() {}, set() {}, delete() {} }) })
  })

  it('lets fetchToken return what the app keeps in its own (augmented) session', () => {
    const fromSession = new OAuth({ fetchToken: (_name, req) => req.session.token })
    expectTypeOf(fromSession).toEqualTypeOf<OAuth>()
    expectTypeOf(new OAuthError('access_denied').status).toEqualTypeOf<number>()
  })
})

declare module 'express-session' {
  interface SessionData {
    token?: Token
  }
}

describe('userinfo()', () => {
  it('resolves to UserInfo and takes the framework request', () => {
    const oauth = new OAuth()
    const app = oauth.register('x', { clientId: 'a' })
    expectTypeOf(app.userinfo).returns.resolves.toEqualTypeOf<UserInfo>()
    const handler = async (req: Request) => (await app.userinfo({ request: req })).sub
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<string>()
    // @ts-expect-error a request of another framework
    app.userinfo({ request: 42 })
  })
})
