// middleware({ sessionKey }): two OAuth registries in one app (one per router prefix), each
// with its own secret and its own key in ctx.session, keep their pending logins apart, whether
// their middleware runs on the app or in the router. Real HTTP with a cookie jar; Koa's default
// error handling answers errors (an exposed error's message: "<code>: <description>").
import Router from '@koa/router'
import { outcomeOf, runSeparateRegistriesTests, WRONG_VALUES } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import Koa from 'koa'
import session from 'koa-session'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listen } from './http.test-helper.js'
import { OAuth } from './index.js'

const PROVIDER = { provider: () => createTestProvider({ autoApprove: 'bob' }), user: 'bob' }

runSeparateRegistriesTests(
  ['middleware on the app', 'middleware in the router'],
  PROVIDER,
  async (mount, registration, registries) => {
    const app = new Koa()
    app.keys = ['a koa session key of at least 32 characters']
    app.use(session(app))
    const routers: Router[] = []
    for (const prefix of ['x', 'y'] as const) {
      const { name, options } = registries[prefix]
      const oauth = new OAuth({ config: {} })
      oauth.register(name, registration)
      const routes = new Router({ prefix: `/${prefix}` })
      if (mount === 'middleware on the app') app.use(oauth.middleware(options))
      else routes.use(oauth.middleware(options))
      const remote = (ctx: Router.RouterContext) => {
        const found = oauth.createClient(ctx.params.name as string)
        if (found === undefined) throw new Error(`no app ${ctx.params.name}`)
        return found
      }
      routes.get('/login/:name', (ctx) =>
        remote(ctx).authorizeRedirect(ctx, `/${prefix}/callback/${ctx.params.name}`),
      )
      routes.get('/callback/:name', async (ctx) => {
        const token = await remote(ctx).authorizeAccessToken(ctx)
        ctx.body = { registry: prefix, user: token.screen_name }
      })
      routers.push(routes)
    }
    for (const routes of routers) app.use(routes.routes())
    app.use((ctx) => {
      if (ctx.path === '/session') ctx.body = ctx.session?.toJSON() ?? {}
    })
    app.silent = true
    const { url, close } = await listen(app)
    onTestFinished(close)
    return {
      url,
      errorCode: async (response) => (await response.text()).split(':', 1)[0] as string,
    }
  },
)

describe('middleware({ sessionKey }) validation', () => {
  const MESSAGE =
    'TypeError: options.sessionKey should be a non-empty string that is not a member of ' +
    'koa-session\'s session or Object.prototype (isNew, maxAge, toJSON, save, a name starting with "_"…)'

  it.each([
    ...WRONG_VALUES,
    ...[
      'isNew',
      'length',
      'populated',
      'maxAge',
      'externalKey',
      'save',
      'regenerate',
      'manuallyCommit',
      'commit',
      'toJSON',
      'inspect',
      '_requireSave',
      '_maxAge',
      '_session',
      '__proto__',
      'constructor',
      'hasOwnProperty',
    ].map((name) => [name, name]),
  ] as [string, unknown][])('refuses %s', (_what, value) => {
    expect(
      outcomeOf(() => new OAuth({ config: {} }).middleware({ sessionKey: value as never })),
    ).toBe(MESSAGE)
  })
})
