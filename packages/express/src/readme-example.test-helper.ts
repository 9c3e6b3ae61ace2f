// The Usage example of README.md, type-checked by `pnpm typecheck` (src/readme.test.ts keeps the two in step); never run.
import express, { type ErrorRequestHandler } from 'express'
import session from 'express-session'
import { isOAuthError, OAuth, type Token } from './index.js'

declare module 'express-session' {
  interface SessionData {
    token?: Token // where this app keeps the user's token credentials
  }
}

const oauth = new OAuth({
  // how an API call finds the user's token when none is passed
  fetchToken: (_name, req) => req.session.token,
})

oauth.register('twitter', {
  // clientId and clientSecret are read from TWITTER_CLIENT_ID / TWITTER_CLIENT_SECRET
  requestTokenUrl: 'https://api.twitter.com/oauth/request_token',
  accessTokenUrl: 'https://api.twitter.com/oauth/access_token',
  authorizeUrl: 'https://api.twitter.com/oauth/authenticate',
  apiBaseUrl: 'https://api.twitter.com/1.1/',
  // in production, your public callback URL (the Host header is the client's to choose)
  redirectUri: process.env.TWITTER_REDIRECT_URI ?? '/authorize',
})

const app = express()
app.use(
  session({
    secret: process.env.SESSION_SECRET!,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax' }, // and secure: true behind https
  }),
)
app.use(oauth.middleware()) // AFTER the session middleware

// 1. send the user to the provider (302); it comes back to the redirectUri
app.get('/login', (req, res) => oauth.twitter.authorizeRedirect(req, res))

// 2. the provider sends the user back: exchange the verifier for token credentials
app.get('/authorize', async (req, res, next) => {
  const token = await oauth.twitter.authorizeAccessToken(req)
  // a new session id for the logged-in user (no session fixation),
  // keeping the logins still pending in other tabs
  const pending = req.session.oauth1
  req.session.regenerate((err) => {
    if (err) return next(err)
    if (pending) req.session.oauth1 = pending
    req.session.token = token // { oauth_token, oauth_token_secret, user_id, screen_name, … }
    res.redirect('/')
  })
})

// 3. later requests: no token and no request passed, fetchToken finds it
app.get('/', async (req, res) => {
  if (!req.session.token) return res.send('<a href="/login">Log in with X</a>')
  const me = await oauth.twitter.get('account/verify_credentials.json')
  res.json(await me.json())
})

// 4. an OAuthError carries its status: 403 refused, 400 a forged or replayed
//    callback, 401 no token, 502/504 the provider down
const onError: ErrorRequestHandler = (err, _req, res, next) => {
  if (!isOAuthError(err) || res.headersSent) return next(err)
  res.status(err.status).type('text').send(err.description)
}
app.use(onError)

app.listen(3000)
