// The login in the app shapes Hono users write: a sub-app mounted with app.route('/auth', sub),
// or an app with basePath('/auth'), two names for one provider. Real HTTP on
// @hono/node-server; Hono's default error handler answers errors.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { runMountedLoginTests } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import { Hono } from 'hono'
import { onTestFinished } from 'vitest'
import { SECRET } from './http.test-helper.js'
import { OAuth } from './index.js'

const PROVIDER = { provider: () => createTestProvider({ autoApprove: 'bob' }), user: 'bob' }

runMountedLoginTests(['app.route', 'basePath'], PROVIDER, async (mount, registration) => {
  const oauth = new OAuth({ config: {} })
  for (const name of ['a', 'b']) oauth.register(name, registration)
  const routes = mount === 'basePath' ? new Hono().basePath('/auth') : new Hono()
  const remote = (name: string) => {
    const found = oauth.createClient(name)
    if (found === undefined) throw new Error(`no app ${name}`)
    return found
  }
  routes.use(oauth.middleware({ secret: SECRET }))
  routes.get('/login/:name', (c) =>
    remote(c.req.param('name')).authorizeRedirect(
      c,
      c.req.query('cb') ?? `/auth/callback/${c.req.param('name')}`,
    ),
  )
  routes.get('/callback/:name', async (c) => {
    const token = await remote(c.req.param('name')).authorizeAccessToken(c)
    return c.json({ app: c.req.param('name'), user: token.screen_name })
  })
  const app = mount === 'basePath' ? routes : new Hono().route('/auth', routes)
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    errorCode: async (response) => ((await response.json()) as { error: string }).error,
  }
})
