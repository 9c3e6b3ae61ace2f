import Koa from 'koa'
import session from 'koa-session'
import { expectTypeOf, test } from 'vitest'
import { OAuth } from './index.js'

test('middleware({ app }) takes a Koa app with its own state and context types', () => {
  interface MyState extends Koa.DefaultState {
    userId?: string
  }
  interface MyContext extends Koa.DefaultContext {
    requestId: string
  }
  const app = new Koa<MyState, MyContext>()
  app.keys = ['a key of at least thirty-two characters']
  app.use(session({ sameSite: 'lax' }, app))
  const oauth = new OAuth()
  expectTypeOf(oauth.middleware).toBeCallableWith({ app })
  expectTypeOf(oauth.middleware).toBeCallableWith({ app: new Koa() })
  // not a Koa app
  // @ts-expect-error
  oauth.middleware({ app: { keys: [] } })
})

declare module './index.js' {
  interface KoaSession {
    /** A value of this test's own (a name no other file of the package uses). */
    appTypeTestVisits?: number
  }
}

test("the app's own session values, typed by augmenting KoaSession as the README says", () => {
  const app = new Koa()
  app.use((ctx) => {
    expectTypeOf(ctx.session?.appTypeTestVisits).toEqualTypeOf<number | undefined>()
  })
})
