// middleware({ sessionKey }): two OAuth registries in one app (one per Router), each with its
// own secret and its own key in the session, keep their pending logins apart. Real HTTP.
import { runSeparateRegistriesTests } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import express, { type Request, type Response } from 'express'
import session from 'express-session'
import { answerWithCode, serve } from './http.test-helper.js'
import { OAuth } from './index.js'

const PROVIDER = { provider: () => createTestProvider({ autoApprove: 'bob' }), user: 'bob' }

runSeparateRegistriesTests(['routers'], PROVIDER, async (_mount, registration, registries) => {
  const app = express()
  app.use(session({ secret: 'x'.repeat(32), resave: false, saveUninitialized: false }))
  for (const prefix of ['x', 'y'] as const) {
    const { name, options } = registries[prefix]
    const oauth = new OAuth({ config: {} })
    oauth.register(name, registration)
    const remote = (req: Request) => {
      const found = oauth.createClient(String(req.params.name))
      if (found === undefined) throw new Error(`no app ${req.params.name}`)
      return found
    }
    const router = express.Router()
    router.use(oauth.middleware(options))
    router.get('/login/:name', (req: Request, res: Response) =>
      remote(req).authorizeRedirect(req, res, `/${prefix}/callback/${req.params.name}`),
    )
    router.get('/callback/:name', async (req: Request, res: Response) => {
      const token = await remote(req).authorizeAccessToken(req)
      res.json({ registry: prefix, user: token.screen_name })
    })
    app.use(`/${prefix}`, router)
  }
  app.get('/session', (req: Request, res: Response) => {
    const { cookie: _cookie, ...data } = req.session as unknown as Record<string, unknown>
    res.json(data)
  })
  app.use(answerWithCode)
  return {
    url: await serve(app),
    errorCode: async (response) => ((await response.json()) as { error: string }).error,
  }
})
