// The README's example (importing './index.js' for '@oauth1/koa'), type-checked by `pnpm typecheck`;
// readme.test.ts keeps the two identical.
import Koa from 'koa'
import session from 'koa-session'
import { OAuth, type Token } from './index.js'

// Token credentials live on the server, never in the cookie (use your database).
const tokens = new Map<string, Token>()

const oauth = new OAuth({
  // how the app finds the current user's token: called with the Koa ctx
  fetchToken: (_name, ctx) => tokens.get(ctx.session?.userId),
})
// clientId and clientSecret, left out, are read from TWITTER_CLIENT_ID and TWITTER_CLIENT_SECRET
oauth.register('twitter', {
  requestTokenUrl: 'https://api.twitter.com/oauth/request_token',
  authorizeUrl: 'https://api.twitter.com/oauth/authenticate',
  accessTokenUrl: 'https://api.twitter.com/oauth/access_token',
  apiBaseUrl: 'https://api.twitter.com/1.1/',
})

const app = new Koa()
app.keys = [process.env.SESSION_KEY!] // 32+ characters: signs the cookie, seals the credentials
app.use(session({ sameSite: 'lax' }, app)) // 1. koa-session (and secure: true behind https)
// 2. then @oauth1/koa, before your routes; given { app }, it checks koa-session and app.keys
// now, as the app starts, instead of failing the first request
app.use(oauth.middleware({ app }))

app.use(async (ctx, next) => {
  if (ctx.path === '/login') {
    // relative callbacks are resolved against this request's origin
    return oauth.twitter.authorizeRedirect(ctx, '/authorize')
  }
  if (ctx.path === '/authorize') {
    const token = await oauth.twitter.authorizeAccessToken(ctx) // 400/403/502/504 on failure
    tokens.set(token.user_id!, token) // every field the provider sent: user_id, screen_name…
    ctx.session!.userId = token.user_id
    return ctx.redirect('/')
  }
  if (ctx.path === '/') {
    // no token, no ctx passed: oauth.middleware() knows the request, fetchToken the token
    const res = await oauth.twitter.get('account/verify_credentials.json')
    ctx.body = await res.json()
    return
  }
  await next()
})

app.listen(3000)
