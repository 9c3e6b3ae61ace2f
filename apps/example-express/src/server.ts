/**
 * "Log in with …" for Express, in one file: register the provider,
 * install the session and the OAuth middleware, send the user to the provider
 * (/login), take the token on the way back (/authorize), save it in SQLite,
 * call the API with no token in hand (/api-call), log out, and answer every
 * OAuth failure with a friendly page.
 *
 * Run it (after `pnpm install && pnpm build` at the root): start the local
 * provider with `pnpm --filter example-express provider`, then in another terminal
 * `pnpm --filter example-express start`, and open http://127.0.0.1:3001.
 *
 * With X or Trello keys, log in with the real thing instead: set
 * `PROVIDER_PRESET=twitter` (or `trello`, or any other export of
 * `@oauth1/providers`), `PROVIDER_CLIENT_ID` and `PROVIDER_CLIENT_SECRET`
 * (see .env.example), and register http://127.0.0.1:3001/authorize as the app's callback.
 */
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { OAuth, OAuthError } from '@oauth1/express'
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
  isRedisUnavailable,
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
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type Response,
} from 'express'
import session from 'express-session'
import { BoundedRedisStore } from './session-store.ts'

declare module 'express-session' {
  interface SessionData {
    /** The logged-in user's id in our database. */
    userId?: string
  }
}

/** The name the provider is registered under (its env vars are `PROVIDER_*`). */
export const PROVIDER = 'provider'
const SESSION_COOKIE = 'example.sid'

/**
 * Builds the Express app (pass it to `http.createServer` or supertest): the
 * provider registered, the session and OAuth middleware installed, the routes
 * and the error handler. Tokens and users go to `db` (by default the SQLite
 * file at `config.databasePath`). With `redis` (connected from `REDIS_URL`),
 * the sessions and the pending logins live in Redis, so several instances
 * of the app serve one user.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2 (the three-legged login it runs)
 * @example
 * ```ts
 * const app = createApp(loadConfig(process.env, { appDir, port: 3001 }))
 * app.listen(3001)
 * ```
 */
export function createApp(
  config: ExampleConfig,
  db: AppDatabase = openDatabase(config.databasePath),
  redis?: AppRedis,
): Express {
  const currentUserId = (req: Request) => req.session?.userId

  // 1. The registry. `fetchToken` is how a route calls the API without
  //    passing a token: it loads the logged-in user's token from SQLite.
  const oauth = new OAuth({
    fetchToken: (name, req: Request) => db.getToken(name, currentUserId(req)),
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

  const app = express()
  app.disable('x-powered-by')
  // Behind an https proxy (TRUST_PROXY): req.secure and the origin from its X-Forwarded-* headers.
  if (config.trustProxy) app.set('trust proxy', 1)
  // 0. A relative callback follows the Host header: without PUBLIC_URL, only
  //    this machine's own names are served (see callbackUri).
  app.use((req, _res, next) => next(hostRefusal(config, req.headers.host, req.socket.localPort)))

  // 2. The session (the temporary credentials wait there between /login and
  //    /authorize), THEN the OAuth middleware, which needs it. Without Redis,
  //    express-session's MemoryStore (development only: one process, and it
  //    never forgets an abandoned session). With REDIS_URL, the sessions go to
  //    Redis and so do the pending logins, each its own key taken once
  //    (`redisStore`): any instance serves any step of a login. The sessions'
  //    store has the same 2 s deadline as `redisStore` (node-redis never gives
  //    up on a sent command): a frozen Redis is a 503, not a request that hangs.
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies },
      ...(redis
        ? { store: new BoundedRedisStore({ client: redis, prefix: 'example-sess:' }) }
        : {}),
    }),
  )
  app.use(
    oauth.middleware(
      redis ? { store: redisStore(redis, { secret: config.sessionSecret }) } : undefined,
    ),
  )

  // A signing-only registration has no login (no authorize URL): the pages say so.
  const canLogIn = provider.authorizeUrl !== undefined
  const pageContext = (req: Request) => ({
    framework: 'Express',
    providerName: config.providerName,
    canLogIn, // false: a signing-only API (WooCommerce, Mastercard, BrickLink)
    user: db.getUser(currentUserId(req)),
  })
  const send = (res: Response, page: Page) => res.status(page.status).type('html').send(page.html)

  app.get('/', (req, res) => {
    send(res, homePage(pageContext(req)))
  })

  // 3. Log in: fetch temporary credentials (with our callback URL), keep them
  //    in the session, redirect to the provider's consent page.
  app.get('/login', (req, res) => {
    if (!canLogIn) return send(res, noLoginPage(pageContext(req)))
    return provider.authorizeRedirect(req, res, callbackUri(config))
  })

  // 4. The callback: check it against the session, exchange it for token
  //    credentials, ask who logged in (`userinfo()`: OpenID Connect claims
  //    such as `sub`, `name`, `picture`), save the token, log the user in.
  app.get('/authorize', async (req, res) => {
    if (!canLogIn) return send(res, noLoginPage(pageContext(req)))
    const token = await provider.authorizeAccessToken(req)
    // E*TRADE and NetSuite do not say who logged in (their preset has no
    // `userinfo`): the app then knows the user by the token's own fields.
    const profile = registration.userinfo ? await provider.userinfo({ token }) : tokenProfile(token)
    const user = db.upsertUser(PROVIDER, profile)
    db.saveToken(PROVIDER, user.id, token)
    // A new session id for the logged-in user (no session fixation), keeping
    // the logins still pending in other tabs (`req.session.oauth1`).
    const pending = req.session.oauth1
    await new Promise<void>((resolve, reject) =>
      req.session.regenerate((err) => (err ? reject(err) : resolve())),
    )
    if (pending) req.session.oauth1 = pending
    req.session.userId = user.id
    res.redirect('/')
  })

  // 5. An API call with no token passed: the middleware keeps the request at
  //    hand, and `fetchToken` finds the user's token. Logged out, this throws
  //    OAuthError `missing_token` (401), which the error handler shows.
  app.get('/api-call', async (req, res) => {
    // PROVIDER_API_CALL or the preset's sample call; the local provider echoes.
    const url = config.apiCall ?? 'echo?from=example-express&message=hello+world'
    // provider.timeout bounds the answer's head; this signal, its body too.
    const signal = answerDeadline(provider.timeout)
    const response = await provider.get(url, { signal })
    send(
      res,
      apiCallPage(pageContext(req), {
        method: 'GET',
        url,
        status: response.status,
        body: await readAnswerText(response, signal), // 504 too slow, 502 broken off
      }),
    )
  })

  // 6. Log out: forget the session (the token stays saved for next time).
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err)
      res.clearCookie(SESSION_COOKIE).redirect(303, '/')
    })
  })

  app.use((req, res) => {
    send(res, notFoundPage(pageContext(req)))
  })

  // 7. Errors: an OAuthError becomes a page with its code and status
  //    (400 bad callback, 401 logged out, 403 refused, 502/504 provider down).
  const onError: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) return next(err)
    if (err instanceof OAuthError) return send(res, oauthErrorPage(pageContext(req), err))
    // With REDIS_URL the sessions live in Redis too: Redis down is the same 503.
    if (redis && isRedisUnavailable(err)) {
      const down = new OAuthError('store_unavailable', { cause: err })
      return send(res, oauthErrorPage(pageContext(req), down))
    }
    const page = errorPage(pageContext(req), err)
    if (page.status === 500) console.error(err) // a bug: log it
    send(res, page)
  }
  app.use(onError)

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
  const server = createServer(createApp(config, db, redis?.client))
  return serve('Express', server, withRedis(db, redis), config)
}

// `pnpm start`: configured from the environment (see .env.example).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runStandalone(start, { appDir: fileURLToPath(new URL('..', import.meta.url)), port: 3001 })
}
