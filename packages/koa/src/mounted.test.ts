// The login in the app shapes Koa users write: @koa/router with the prefix /auth, or a router
// nested at /auth in another, two names for one provider. Real HTTP; Koa's default error
// handling answers errors (an exposed error's message: "<code>: <description>").
import Router from '@koa/router'
import { runMountedLoginTests } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import Koa from 'koa'
import session from 'koa-session'
import { onTestFinished } from 'vitest'
import { listen } from './http.test-helper.js'
import { OAuth } from './index.js'

const PROVIDER = { provider: () => createTestProvider({ autoApprove: 'bob' }), user: 'bob' }

runMountedLoginTests(['router prefix', 'nested router'], PROVIDER, async (mount, registration) => {
  const oauth = new OAuth({ config: {} })
  for (const name of ['a', 'b']) oauth.register(name, registration)
  const app = new Koa()
  app.keys = ['a koa session key of at least 32 characters']
  app.use(session(app))
  app.use(oauth.middleware({ app }))
  const routes = new Router(mount === 'router prefix' ? { prefix: '/auth' } : {})
  const remote = (name: string) => {
    const found = oauth.createClient(name)
    if (found === undefined) throw new Error(`no app ${name}`)
    return found
  }
  routes.get('/login/:name', (ctx) =>
    remote(ctx.params.name as string).authorizeRedirect(
      ctx,
      typeof ctx.query.cb === 'string' ? ctx.query.cb : `/auth/callback/${ctx.params.name}`,
    ),
  )
  routes.get('/callback/:name', async (ctx) => {
    const token = await remote(ctx.params.name as string).authorizeAccessToken(ctx)
    ctx.body = { app: ctx.params.name, user: token.screen_name }
  })
  if (mount === 'router prefix') {
    app.use(routes.routes())
  } else {
    const root = new Router()
    root.use('/auth', routes.routes())
    app.use(root.routes())
  }
  const { url, close } = await listen(app)
  onTestFinished(close)
  return {
    url,
    errorCode: async (response) => (await response.text()).split(':', 1)[0] as string,
  }
})
