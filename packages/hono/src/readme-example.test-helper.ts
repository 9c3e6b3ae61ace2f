// The README's Usage example, type-checked by `pnpm typecheck` (readme.test.ts keeps the two identical).
// Never run: it would listen on port 3000.
import { serve } from '@hono/node-server'
import { isLoopbackHost, OAuth, type Token } from '@oauth1/hono'
import { type Context, Hono } from 'hono'
import { getSignedCookie, setSignedCookie } from 'hono/cookie'

const SECRET = process.env.OAUTH1_SECRET! // ≥ 32 random characters
const tokens = new Map<string, Token>() // your database, keyed by user id

const WEEK = 7 * 24 * 60 * 60 // seconds a login lasts

// The logged-in user's id, from a signed cookie that also says until when:
// a copy of the cookie stops working then too.
async function userId(c: Context): Promise<string | undefined> {
  const value = (await getSignedCookie(c, SECRET, 'uid')) || ''
  const dot = value.lastIndexOf('.')
  return dot > 0 && Number(value.slice(dot + 1)) > Date.now() ? value.slice(0, dot) : undefined
}

// Secure everywhere but plain http on this machine (the rule of the middleware's own cookie).
function secure(c: Context): boolean {
  const { protocol, hostname } = new URL(c.req.url)
  return !(protocol === 'http:' && isLoopbackHost(hostname))
}

const oauth = new OAuth({
  // how an API call finds the user's token when none is passed
  fetchToken: async (_name, c) => {
    const uid = await userId(c)
    return uid ? tokens.get(uid) : undefined
  },
})

oauth.register('twitter', {
  // clientId and clientSecret are read from TWITTER_CLIENT_ID / TWITTER_CLIENT_SECRET
  requestTokenUrl: 'https://api.twitter.com/oauth/request_token',
  accessTokenUrl: 'https://api.twitter.com/oauth/access_token',
  authorizeUrl: 'https://api.twitter.com/oauth/authenticate',
  apiBaseUrl: 'https://api.twitter.com/1.1/',
})

const app = new Hono()
app.use(oauth.middleware({ secret: SECRET }))

// 1. send the user to the provider: a 302 that also sets the encrypted cookie
app.get('/login', (c) => oauth.twitter.authorizeRedirect(c, '/authorize'))

// 2. the provider sends the user back: exchange the verifier for token credentials
app.get('/authorize', async (c) => {
  const token = await oauth.twitter.authorizeAccessToken(c)
  tokens.set(token.user_id!, token) // { oauth_token, oauth_token_secret, user_id, screen_name, … }
  await setSignedCookie(c, 'uid', `${token.user_id}.${Date.now() + WEEK * 1000}`, SECRET, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c),
    path: '/',
    maxAge: WEEK,
  })
  return c.redirect('/')
})

// 3. later requests: no token and no request passed, fetchToken finds it
app.get('/', async (c) => {
  if (!(await userId(c))) return c.html('<a href="/login">Log in with X</a>')
  const me = await oauth.twitter.get('account/verify_credentials.json')
  return c.json(await me.json())
})

serve({ fetch: app.fetch, port: 3000 })
