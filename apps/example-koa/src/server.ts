/**
 * "Log in with …" for Koa, in one file: register the provider,
 * install the session and the OAuth middleware, send the user to the provider
 * (/login), take the token on the way back (/authorize), save it in SQLite,
 * call the API with no token in hand (/api-call), log out, and answer every
 * OAuth failure with a friendly page.
 *
 * Run it (after `pnpm install && pnpm build` at the root): start the local
 * provider with `pnpm --filter example-koa provider`, then in another terminal
 * `pnpm --filter example-koa start`, and open http://127.0.0.1:3003.
 *
 * With X or Trello keys, log in with the real thing instead: set
 * `PROVIDER_PRESET=twitter` (or `trello`, or any other export of
 * `@oauth1/providers`), `PROVIDER_CLIENT_ID` and `PROVIDER_CLIENT_SECRET`
 * (see .env.example), and register http://127.0.0.1:3003/authorize as the app's callback.
 */
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import Router from '@koa/router'
import { OAuth, OAuthError } from '@oauth1/koa'
import { redisStore } from '@oauth1/redis'
import {
  type AppDatabase,
  type AppRedis,
  answerDeadline,
  apiCallPage,
  callbackUri,
  connectRedis,
  type ExampleConfig,
  errorPage,
  homePage,
  hostRefusal,
  LOGIN_LIFETIME,
  noLoginPage,
  notFoundPage,
  oauthErrorPage,
  openDatabase,
  type Page,
  providerRegistration,
  type RunningApp,
  readAnswerText,
  runStandalone,
  serve,
  tokenProfile,
  withRedis,
} from '@oauth1-examples/shared'
import Koa, { type Context } from 'koa'
import session from 'koa-session'

/** The name the provider is registered under (its env vars are `PROVIDER_*`). */
export const PROVIDER = 'provider'

/**
 * Builds the Koa app (serve `app.callback()`): the provider registered, the
 * session and OAuth middleware installed, the routes and the error handler.
 * Tokens and users go to `db` (by default the SQLite file at
 * `config.databasePath`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2 (the three-legged login it runs)
 * @example
 * ```ts
 * const app = createApp(loadConfig(process.env, { appDir, port: 3003 }))
 * app.listen(3003)
 * ```
 */
export function createApp(
  config: ExampleConfig,
  db: AppDatabase = openDatabase(config.databasePath),
  redis?: AppRedis,
) {
  // The cookie holds the login's id; the database knows its user. Log-out
  // ends it there, so a copy of the cookie kept from before logs nobody in.
  const currentUserId = (ctx: Context) => db.userOfLogin(ctx.session?.login)

  // 1. The registry. `fetchToken` is how a route calls the API without
  //    passing a token: it loads the logged-in user's token from SQLite.
  const oauth = new OAuth({
    fetchToken: (name, ctx: Context) => db.getToken(name, currentUserId(ctx)),
  })
  // The provider. With PROVIDER_PRESET=trello, `registration` is
  // `{ ...trello(options), clientId, clientSecret }` (@oauth1/providers: the
  // URLs, the quirks, and `userinfo`, who logged in); without a preset, the
  // local test provider's four URLs and a `userinfo` for its /api/me.
  const registration = providerRegistration(config)
  const provider = oauth.register(PROVIDER, {
    ...registration,
    timeout: config.timeout, // provider too slow: OAuthError request_timeout (504)
    temporaryCredentialTtl: config.temporaryCredentialTtl, // a login older than this fails
  })

  const app = new Koa()
  app.keys = [config.sessionSecret]
  // Behind an https proxy (TRUST_PROXY): ctx.secure and the origin from its X-Forwarded-* headers.
  app.proxy = config.trustProxy === true

  // A signing-only registration has no login (no authorize URL): the pages say so.
  const canLogIn = provider.authorizeUrl !== undefined
  const pageContext = (ctx: Context) => ({
    framework: 'Koa',
    providerName: config.providerName,
    canLogIn, // false: a signing-only API (WooCommerce, Mastercard, BrickLink)
    user: db.getUser(currentUserId(ctx)),
  })
  const send = (ctx: Context, page: Page) => {
    ctx.status = page.status
    ctx.type = 'html'
    ctx.body = page.html
  }

  // 7. Errors (first, so it wraps everything): an OAuthError becomes a page
  //    with its code and status (400 bad callback, 401 logged out, 403
  //    refused, 502/504 provider down); a route nobody answered, a 404 page.
  app.use(async (ctx, next) => {
    try {
      await next()
      if (ctx.status === 404 && ctx.body == null) send(ctx, notFoundPage(pageContext(ctx)))
    } catch (err) {
      if (err instanceof OAuthError) return send(ctx, oauthErrorPage(pageContext(ctx), err))
      const page = errorPage(pageContext(ctx), err)
      if (page.status === 500) ctx.app.emit('error', err, ctx) // a bug: log it
      send(ctx, page)
    }
  })

  // 0. A relative callback follows the Host header: without PUBLIC_URL, only
  //    this machine's own names are served (see callbackUri).
  app.use(async (ctx, next) => {
    const refusal = hostRefusal(config, ctx.get('host'), ctx.req.socket.localPort)
    if (refusal) throw refusal
    await next()
  })

  // 2. The session (a signed cookie by default; the OAuth middleware encrypts
  //    the temporary credentials it keeps there), THEN the OAuth middleware.
  app.use(
    session(
      {
        key: 'example.sess',
        httpOnly: true,
        sameSite: 'lax',
        signed: true,
        secure: config.secureCookies,
        maxAge: LOGIN_LIFETIME * 1000,
      },
      app,
    ),
  )
  // With REDIS_URL, the pending logins go to Redis instead (the session keeps
  // only this browser's binding id), each its own key taken once: any
  // instance of the app serves any step of a login.
  app.use(
    oauth.middleware(
      redis ? { store: redisStore(redis, { secret: config.sessionSecret }) } : undefined,
    ),
  )

  const router = new Router()

  router.get('/', (ctx) => send(ctx, homePage(pageContext(ctx))))

  // 3. Log in: fetch temporary credentials (with our callback URL), keep them
  //    in the session, redirect to the provider's consent page.
  router.get('/login', (ctx) => {
    if (!canLogIn) return send(ctx, noLoginPage(pageContext(ctx)))
    return provider.authorizeRedirect(ctx, callbackUri(config))
  })

  // 4. The callback: check it against the session, exchange it for token
  //    credentials, ask who logged in (`userinfo()`: OpenID Connect claims
  //    such as `sub`, `name`, `picture`), save the token, log the user in.
  router.get('/authorize', async (ctx) => {
    if (!canLogIn) return send(ctx, noLoginPage(pageContext(ctx)))
    const token = await provider.authorizeAccessToken(ctx)
    // E*TRADE and NetSuite do not say who logged in (their preset has no
    // `userinfo`): the app then knows the user by the token's own fields.
    const profile = registration.userinfo ? await provider.userinfo({ token }) : tokenProfile(token)
    const user = db.upsertUser(PROVIDER, profile)
    db.saveToken(PROVIDER, user.id, token)
    ctx.session!.login = db.startLogin(user.id, LOGIN_LIFETIME)
    ctx.redirect('/')
  })

  // 5. An API call with no token passed: the middleware keeps the request at
  //    hand, and `fetchToken` finds the user's token. Logged out, this throws
  //    OAuthError `missing_token` (401), which the error handler shows.
  router.get('/api-call', async (ctx) => {
    // PROVIDER_API_CALL or the preset's sample call; the local provider echoes.
    const url = config.apiCall ?? 'echo?from=example-koa&message=hello+world'
    // provider.timeout bounds the answer's head; this signal, its body too.
    const signal = answerDeadline(provider.timeout)
    const response = await provider.get(url, { signal })
    send(
      ctx,
      apiCallPage(pageContext(ctx), {
        method: 'GET',
        url,
        status: response.status,
        body: await readAnswerText(response, signal), // 504 too slow, 502 broken off
      }),
    )
  })

  // 6. Log out: end the login in the database, then forget the session (the
  //    token stays saved for next time).
  router.post('/logout', (ctx) => {
    db.endLogin(ctx.session?.login)
    ctx.session = null
    ctx.redirect('/')
    ctx.status = 303
  })

  app.use(router.routes())
  app.use(router.allowedMethods({ throw: true }))

  return app
}

/**
 * Starts the app on `config.host:config.port` (0: a free port) with its own
 * database; `close()` stops it and closes the database. The demo and the
 * tests start the apps this way.
 *
 * @example
 * ```ts
 * const app = await start({ ...config, port: 0, databasePath: ':memory:' })
 * console.log(app.url) // http://127.0.0.1:43123
 * await app.close()
 * ```
 */
export async function start(config: ExampleConfig): Promise<RunningApp> {
  const redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined
  const db = openDatabase(config.databasePath)
  const app = createApp(config, db, redis?.client)
  app.on('error', (err) => console.error(err))
  const server = createServer(app.callback())
  return serve('Koa', server, withRedis(db, redis), config)
}

// `pnpm start`: configured from the environment (see .env.example).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runStandalone(start, { appDir: fileURLToPath(new URL('..', import.meta.url)), port: 3003 })
}
