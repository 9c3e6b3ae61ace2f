// The Usage example of README.md, type-checked (src/readme.test.ts keeps the two in step).
import { readFileSync } from 'node:fs'
import secureSession from '@fastify/secure-session'
import Fastify from 'fastify'
import { OAuth, type Token } from './index.js'

declare module '@fastify/secure-session' {
  interface SessionData {
    user: { id: string; token: Token } // what *your* app keeps after a login
  }
}

const oauth = new OAuth({
  // how an API call with no token finds the current user's token
  fetchToken: (_name, request) => request.session.get('user')?.token,
})
oauth.register('twitter', {
  // clientId and clientSecret are read from TWITTER_CLIENT_ID / TWITTER_CLIENT_SECRET
  requestTokenUrl: 'https://api.twitter.com/oauth/request_token',
  accessTokenUrl: 'https://api.twitter.com/oauth/access_token',
  authorizeUrl: 'https://api.twitter.com/oauth/authenticate',
  apiBaseUrl: 'https://api.twitter.com/1.1/',
})

const app = Fastify({ logger: true, trustProxy: true /* only behind a proxy you trust */ })
await app.register(secureSession, {
  key: readFileSync('secret-key'),
  cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: true },
})
await app.register(oauth.middleware()) // after secure-session: it checks

app.get('/login', (request, reply) =>
  // a relative callback is resolved against this request's origin
  oauth.twitter.authorizeRedirect(request, reply, '/authorize'),
)

app.get('/authorize', async (request, reply) => {
  const token = await oauth.twitter.authorizeAccessToken(request) // every field: user_id, screen_name…
  request.session.regenerate(['oauth1']) // a new session for a new login; other tabs' pending logins kept
  request.session.set('user', { id: token.user_id ?? '', token })
  return reply.redirect('/')
})

app.get('/', async (request) => {
  if (!request.session.get('user')) return { login: '/login' }
  // no token, no request: the middleware binds the request, fetchToken finds the token
  const response = await oauth.twitter.get('account/verify_credentials.json')
  return response.json()
})

await app.listen({ port: 3000 })
