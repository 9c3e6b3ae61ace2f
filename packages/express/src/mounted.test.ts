// The login in the app shapes Express users write: a Router or a sub-app (with the OAuth
// middleware of its own) mounted at /auth, two names for one provider. Real HTTP.
import { runMountedLoginTests } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import express, { type Request, type Response } from 'express'
import session from 'express-session'
import { answerWithCode, serve } from './http.test-helper.js'
import { OAuth } from './index.js'

const PROVIDER = { provider: () => createTestProvider({ autoApprove: 'bob' }), user: 'bob' }

runMountedLoginTests(['router', 'sub-app'], PROVIDER, async (mount, registration) => {
  const oauth = new OAuth({ config: {} })
  for (const name of ['a', 'b']) oauth.register(name, registration)
  const app = express()
  app.use(session({ secret: 'x'.repeat(32), resave: false, saveUninitialized: false }))
  const routes = mount === 'router' ? express.Router() : express()
  if (mount === 'router') app.use(oauth.middleware())
  else routes.use(oauth.middleware())
  const remote = (req: Request) => {
    const found = oauth.createClient(String(req.params.name))
    if (found === undefined) throw new Error(`no app ${req.params.name}`)
    return found
  }
  routes.get('/login/:name', (req: Request, res: Response) =>
    remote(req).authorizeRedirect(
      req,
      res,
      typeof req.query.cb === 'string' ? req.query.cb : `/auth/callback/${req.params.name}`,
    ),
  )
  routes.get('/callback/:name', async (req: Request, res: Response) => {
    const token = await remote(req).authorizeAccessToken(req)
    res.json({ app: req.params.name, user: token.screen_name })
  })
  app.use('/auth', routes)
  app.use(answerWithCode)
  return {
    url: await serve(app),
    errorCode: async (response) => ((await response.json()) as { error: string }).error,
  }
})
