// The processes of bench/login.bench.mjs, one per role, each forked with an
// IPC channel:
//
//   node bench/login-apps.mjs provider             the @oauth1/testing provider (auto-approve)
//   node bench/login-apps.mjs ours <provider url>   Express + express-session + @oauth1/express
//   node bench/login-apps.mjs passport <provider url>  the same app on passport + passport-oauth1
//
// Each listens on 127.0.0.1, port 0, then sends { ready, url } to its parent.
// The parent then sends 'cpu' (answered { cpu: µs of user + system CPU this
// process used so far, GC threads included }) or 'stop'.
//
// Both apps: express and express-session of packages/express (the same
// versions), `saveUninitialized: false`, the session id regenerated once the
// user is logged in (passport 0.7 does it in req.login(); the @oauth1/express
// README tells apps to do it), and GET / answering `logged in as <name>`.
import { createRequire } from 'node:module'

const require = createRequire(new URL('../packages/express/package.json', import.meta.url))

const SESSION_SECRET = 'bench-session-secret-bench-session-secret'
const [role, providerUrl] = process.argv.slice(2)

function listen(app) {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server))
    server.once('error', reject)
  })
}

async function provider() {
  const { createTestProvider } = await import('../packages/testing/dist/index.js')
  const p = await createTestProvider({ autoApprove: 'bob' })
  return { url: p.url, client: p.client, close: () => p.close() }
}

function endpoints(base) {
  return {
    requestTokenUrl: `${base}/oauth/request_token`,
    accessTokenUrl: `${base}/oauth/access_token`,
    authorizeUrl: `${base}/oauth/authorize`,
  }
}

function sessionApp() {
  const express = require('express')
  const session = require('express-session')
  const app = express()
  app.use(session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }))
  return app
}

/** The user's own login route: the README's Usage, with the session regenerated on login. */
async function ours(base) {
  const { OAuth } = await import('../packages/express/dist/index.js')
  const app = sessionApp()
  // As in the README: a fetchToken, so API calls find the user's token (the
  // middleware then keeps each request in AsyncLocalStorage). Pending logins:
  // the adapter's defaults (several per session, the callback's token checked).
  // (`--no-fetch-token` of the bench: without one, as an app that passes { token } itself.)
  const oauth = new OAuth(
    process.env.LOGIN_BENCH_FETCH_TOKEN === '0'
      ? { config: {} }
      : { config: {}, fetchToken: (_name, req) => req.session.token },
  )
  oauth.register('provider', {
    clientId: 'demo-client',
    clientSecret: 'demo-secret',
    ...endpoints(base),
    apiBaseUrl: `${base}/api/`,
  })
  app.use(oauth.middleware())
  app.get('/login', (req, res) => oauth.provider.authorizeRedirect(req, res, '/authorize'))
  app.get('/authorize', async (req, res) => {
    const token = await oauth.provider.authorizeAccessToken(req)
    await new Promise((resolve, reject) =>
      req.session.regenerate((err) => (err ? reject(err) : resolve())),
    )
    req.session.token = token
    req.session.user = { id: token.user_id, name: token.screen_name }
    res.redirect('/')
  })
  app.get('/', (req, res) => {
    res.send(req.session.user ? `logged in as ${req.session.user.name}` : 'anonymous')
  })
  return app
}

/** The same app on passport 0.7 + passport-oauth1: passport.session(), serializeUser, authenticate(). */
async function passportApp(base) {
  const passport = require('passport')
  const { Strategy: OAuth1Strategy } = require('passport-oauth1')
  passport.use(
    'provider',
    new OAuth1Strategy(
      {
        ...(({ requestTokenUrl, accessTokenUrl, authorizeUrl }) => ({
          requestTokenURL: requestTokenUrl,
          accessTokenURL: accessTokenUrl,
          userAuthorizationURL: authorizeUrl,
        }))(endpoints(base)),
        consumerKey: 'demo-client',
        consumerSecret: 'demo-secret',
        callbackURL: '/authorize',
      },
      (token, tokenSecret, params, _profile, done) =>
        done(null, {
          id: params.user_id,
          name: params.screen_name,
          token: { oauth_token: token, oauth_token_secret: tokenSecret },
        }),
    ),
  )
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user, done) => done(null, user))
  const app = sessionApp()
  app.use(passport.session())
  app.get('/login', passport.authenticate('provider'))
  app.get(
    '/authorize',
    passport.authenticate('provider', { successRedirect: '/', failureRedirect: '/failed' }),
  )
  app.get('/', (req, res) => {
    res.send(req.user ? `logged in as ${req.user.name}` : 'anonymous')
  })
  return app
}

async function main() {
  let url
  let close
  if (role === 'provider') {
    const p = await provider()
    url = p.url
    close = p.close
  } else if (role === 'ours' || role === 'passport') {
    if (!providerUrl) throw new TypeError(`login-apps: ${role} needs the provider's URL`)
    const app = role === 'ours' ? await ours(providerUrl) : await passportApp(providerUrl)
    // An OAuthError carries its status: answer with it, never a 500 page with a stack.
    app.use((err, _req, res, _next) => {
      res.status(err.status ?? 500).send(`login failed: ${err.code ?? err.message}`)
    })
    const server = await listen(app)
    url = `http://127.0.0.1:${server.address().port}`
    close = () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(resolve)
      })
  } else {
    throw new TypeError('usage: node bench/login-apps.mjs provider | ours <url> | passport <url>')
  }
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send({ cpu: user + system })
    } else if (message === 'stop') {
      await close()
      process.disconnect()
    }
  })
  process.send({ ready: true, url, node: process.version })
}

await main()
