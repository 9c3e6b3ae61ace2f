import { describe, expectTypeOf, it } from 'vitest'
import { OAuth1Client } from './client.js'
import {
  OAuth,
  RemoteApp,
  type RemoteAppOptions,
  type ResolvedRemoteAppOptions,
} from './registry.js'
import { createMemoryStore } from './stores.js'
import type { Token } from './types.js'

interface Req {
  user?: { id: string }
}

describe('registry types', () => {
  it('register returns the adapter subclass', () => {
    class MyApp extends RemoteApp<Req> {
      authorizeRedirect(): Promise<string> {
        return this.beginAuthorization(createMemoryStore(), 'https://app.example/cb')
      }
    }
    class MyOAuth extends OAuth<Req, MyApp> {
      protected override createRemoteApp(
        name: string,
        options: ResolvedRemoteAppOptions<Req>,
      ): MyApp {
        return new MyApp(this, name, options)
      }
    }
    const oauth = new MyOAuth({ fetchToken: (_name, req) => (req.user ? null : undefined) })
    const app = oauth.register('twitter', { fetchToken: (req) => (req.user ? null : undefined) })
    expectTypeOf(app).toEqualTypeOf<MyApp>()
    expectTypeOf(oauth.createClient('twitter')).toEqualTypeOf<MyApp | undefined>()
    expectTypeOf(app.completeAuthorization).returns.toEqualTypeOf<Promise<Token>>()
    expectTypeOf(app.get).returns.toEqualTypeOf<Promise<Response>>()
    expectTypeOf(oauth.context.current()).toEqualTypeOf<Req | undefined>()
  })

  it('options and the client are typed', () => {
    expectTypeOf<RemoteAppOptions<Req>['fetchToken']>().toEqualTypeOf<
      | ((request: Req) => Token | null | undefined | PromiseLike<Token | null | undefined>)
      | undefined
    >()
    const client = new OAuth1Client({ clientId: 'a' })
    expectTypeOf(client.token).toEqualTypeOf<Token | null>()
    expectTypeOf(client.fetchRequestToken).returns.toEqualTypeOf<Promise<Token>>()
    // @ts-expect-error clientId is required
    new OAuth1Client({})
  })

  it('login parameters are an object of strings or a URLSearchParams, never a Map', () => {
    const oauth = new OAuth<Req>()
    const query = new URLSearchParams('force_login=true')
    const app = oauth.register('x', {
      requestTokenParams: query,
      accessTokenParams: { a: 'b' },
      authorizeParams: async () => query,
    })
    oauth.register('y', { authorizeParams: query })
    expectTypeOf(app.beginAuthorization)
      .parameter(2)
      .toEqualTypeOf<Record<string, string> | URLSearchParams | undefined>()
    // @ts-expect-error a Map is refused at runtime: Object.fromEntries(map) makes an object
    oauth.register('z', { requestTokenParams: new Map([['a', 'b']]) })
  })
})
