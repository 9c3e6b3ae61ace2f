// The processes of bench/login.bench.mjs, one per role, each forked with an
// IPC channel:
//
//   node bench/login-apps.mjs provider             the @oauth1/testing provider (auto-approve)
//   node bench/login-apps.mjs ours <provider url>   Express + express-session + @oauth1/express
//   node bench/login-apps.mjs passport <provider url>  the same app on passport + passport-oauth1
//   node bench/login-apps.mjs floor <provider url>  the same app on a minimal hand-written client
//
// Each listens on 127.0.0.1, port 0, then sends { ready, url } to its parent.
// The parent then sends 'cpu' (answered { cpu: µs of user + system CPU this
// process used so far, GC threads included }) or 'stop'.
//
// Both apps: express and express-session of packages/express (the same
// versions), `saveUninitialized: false`, the session id regenerated once the
// user is logged in (passport 0.7 does it in req.login(); the @oauth1/express
// README tells apps to do it), and GET / answering `logged in as <name>`.
import http from 'node:http'
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

const RFC3986 = /[!'()*]/g
/** RFC 5849 section 3.6 percent-encoding. */
const enc = (s) =>
  encodeURIComponent(s).replace(RFC3986, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * The floor (`--floor` of the bench): the least CPU any OAuth 1.0a client
 * could spend on this login in this app — the same Express + express-session
 * app, HMAC-SHA1 signed by hand, the token requests over a keep-alive
 * node:http agent, the answers read with URLSearchParams, one pending login
 * per session checked against the callback's oauth_token. No timeout, no
 * body bound, no validation beyond that, no error mapping: not a client
 * anyone should ship, only a yardstick for what a library's own code costs.
 */
async function floorApp(base) {
  const crypto = await import('node:crypto')
  const agent = new http.Agent({ keepAlive: true })
  const { requestTokenUrl, accessTokenUrl, authorizeUrl } = endpoints(base)
  const consumerKey = 'demo-client'
  const consumerSecret = 'demo-secret'
  function tokenRequest(url, extra, tokenSecret) {
    const params = {
      oauth_consumer_key: consumerKey,
      oauth_nonce: crypto.randomBytes(16).toString('hex'),
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: String(Math.floor(Date.now() / 1000)),
      oauth_version: '1.0',
      ...extra,
    }
    const pairs = Object.keys(params)
      .map((k) => [enc(k), enc(params[k])])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
    const target = new URL(url)
    const baseString = `POST&${enc(`${target.origin}${target.pathname}`)}&${enc(
      pairs.map(([k, v]) => `${k}=${v}`).join('&'),
    )}`
    const signature = crypto
      .createHmac('sha1', `${enc(consumerSecret)}&${enc(tokenSecret)}`)
      .update(baseString)
      .digest('base64')
    const authorization = `OAuth ${pairs.map(([k, v]) => `${k}="${v}"`).join(', ')}, oauth_signature="${enc(signature)}"`
    return new Promise((resolve, reject) => {
      const req = http.request(
        target,
        { method: 'POST', agent, headers: { authorization, 'content-length': '0' } },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk) => {
            body += chunk
          })
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(new URLSearchParams(body))
              : reject(new Error(`token endpoint answered ${res.statusCode}`)),
          )
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end()
    })
  }
  const app = sessionApp()
  app.get('/login', async (req, res, next) => {
    try {
      const callback = `${req.protocol}://${req.get('host')}/authorize`
      const answer = await tokenRequest(requestTokenUrl, { oauth_callback: callback }, '')
      if (answer.get('oauth_callback_confirmed') !== 'true')
        throw new Error('callback not confirmed')
      const token = answer.get('oauth_token')
      req.session['oauth:provider'] = { token, secret: answer.get('oauth_token_secret') }
      res.redirect(`${authorizeUrl}?oauth_token=${enc(token)}`)
    } catch (err) {
      next(err)
    }
  })
  app.get('/authorize', async (req, res, next) => {
    try {
      const pending = req.session['oauth:provider']
      const { oauth_token: token, oauth_verifier: verifier } = req.query
      if (pending === undefined || typeof token !== 'string' || token !== pending.token) {
        throw new Error('no pending login for this oauth_token')
      }
      delete req.session['oauth:provider']
      const answer = await tokenRequest(
        accessTokenUrl,
        { oauth_token: token, oauth_verifier: String(verifier) },
        pending.secret,
      )
      await new Promise((resolve, reject) =>
        req.session.regenerate((err) => (err ? reject(err) : resolve())),
      )
      const fields = Object.fromEntries(answer)
      req.session.token = fields
      req.session.user = { id: fields.user_id, name: fields.screen_name }
      res.redirect('/')
    } catch (err) {
      next(err)
    }
  })
  app.get('/', (req, res) => {
    res.send(req.session.user ? `logged in as ${req.session.user.name}` : 'anonymous')
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
  } else if (role === 'ours' || role === 'passport' || role === 'floor') {
    if (!providerUrl) throw new TypeError(`login-apps: ${role} needs the provider's URL`)
    const app =
      role === 'ours'
        ? await ours(providerUrl)
        : role === 'passport'
          ? await passportApp(providerUrl)
          : await floorApp(providerUrl)
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
    throw new TypeError(
      'usage: node bench/login-apps.mjs provider | ours <url> | passport <url> | floor <url>',
    )
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
  // The bench gone without a 'stop' (killed, crashed): no server outlives it.
  process.on('disconnect', () => process.exit(0))
  process.send({ ready: true, url, node: process.version })
}

await main()
