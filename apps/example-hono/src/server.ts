/**
 * "Log in with …" for Hono, in one file: register the provider,
 * install the OAuth middleware (Hono has no session: it keeps the temporary
 * credentials in an encrypted cookie of its own), send the user to the
 * provider (/login), take the token on the way back (/authorize), save it in
 * SQLite, call the API with no token in hand (/api-call), log out, and answer
 * every OAuth failure with a friendly page.
 *
 * Run it (after `pnpm install && pnpm build` at the root): start the local
 * provider with `pnpm --filter example-hono provider`, then in another terminal
 * `pnpm --filter example-hono start`, and open http://127.0.0.1:3004.
 *
 * With X or Trello keys, log in with the real thing instead: set
 * `PROVIDER_PRESET=twitter` (or `trello`, or any other export of
 * `@oauth1/providers`), `PROVIDER_CLIENT_ID` and `PROVIDER_CLIENT_SECRET`
 * (see .env.example), and register http://127.0.0.1:3004/authorize as the app's callback.
 */
import type { IncomingMessage, Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import { createAdaptorServer } from '@hono/node-server'
import { OAuth, OAuthError } from '@oauth1/hono'
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
import { type Context, Hono } from 'hono'
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** The name the provider is registered under (its env vars are `PROVIDER_*`). */
export const PROVIDER = 'provider'
/**
 * Who is logged in: the id of a login the database keeps (with its user and
 * expiry), in a cookie signed with Hono's own helpers. The cookie's Max-Age
 * only tells the browser when to drop it; the database decides, so neither a
 * copied cookie nor one kept from before a log-out logs anybody in.
 */
const SESSION_COOKIE = 'example_session'

/** The host (and port) of a request URL, or `undefined` when it is none. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host
  } catch {
    return undefined
  }
}

/**
 * Builds the Hono app (`app.fetch`, `app.request()`, or `serve()` from
 * @hono/node-server): the provider registered, the OAuth middleware
 * installed, the routes and the error handler. Tokens and users go
 * to `db` (by default the SQLite file at `config.databasePath`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2 (the three-legged login it runs)
 * @example
 * ```ts
 * const app = createApp(loadConfig(process.env, { appDir, port: 3004 }))
 * serve({ fetch: app.fetch, port: 3004 })
 * ```
 */
export function createApp(
  config: ExampleConfig,
  db: AppDatabase = openDatabase(config.databasePath),
  redis?: AppRedis,
) {
  const cookieOptions = {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: config.secureCookies,
  } as const
  // The signed cookie holds the login's id; the database knows its user.
  // Log-out ends it there, so a copy of the cookie kept from before logs
  // nobody in.
  const currentUserId = async (c: Context) =>
    db.userOfLogin(await getSignedCookie(c, config.sessionSecret, SESSION_COOKIE))

  // 1. The registry. `fetchToken` is how a route calls the API without
  //    passing a token: it loads the logged-in user's token from SQLite.
  const oauth = new OAuth({
    fetchToken: async (name, c: Context) => db.getToken(name, await currentUserId(c)),
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

  const app = new Hono()

  // 0. A relative callback follows the request's origin (its Host): without
  //    PUBLIC_URL, only this machine's own names are served (see callbackUri).
  app.use(async (c, next) => {
    const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket
    const refusal = hostRefusal(config, hostOf(c.req.url), socket?.localPort)
    if (refusal) throw refusal
    await next()
  })

  // 2. The OAuth middleware: the temporary credentials wait between /login
  //    and /authorize in a cookie it encrypts with `secret`. With REDIS_URL,
  //    in Redis instead (the cookie keeps only this browser's binding id),
  //    each its own key taken once: any instance serves any step of a login.
  //    Behind an https proxy (TRUST_PROXY), the origin from its X-Forwarded-*
  //    headers; the cookie Secure as COOKIE_SECURE says.
  const cookie = { secure: config.secureCookies }
  const trustProxy = config.trustProxy === true
  app.use(
    oauth.middleware(
      redis
        ? { store: redisStore(redis, { secret: config.sessionSecret }), cookie, trustProxy }
        : { secret: config.sessionSecret, cookie, trustProxy },
    ),
  )

  // A signing-only registration has no login (no authorize URL): the pages say so.
  const canLogIn = provider.authorizeUrl !== undefined
  const pageContext = async (c: Context) => ({
    framework: 'Hono',
    providerName: config.providerName,
    canLogIn, // false: a signing-only API (WooCommerce, Mastercard, BrickLink)
    user: db.getUser(await currentUserId(c)),
  })
  const send = (c: Context, page: Page) => c.html(page.html, page.status as ContentfulStatusCode)

  app.get('/', async (c) => send(c, homePage(await pageContext(c))))

  // 3. Log in: fetch temporary credentials (with our callback URL), keep them
  //    in the encrypted cookie, redirect to the provider's consent page.
  app.get('/login', async (c) => {
    if (!canLogIn) return send(c, noLoginPage(await pageContext(c)))
    return provider.authorizeRedirect(c, callbackUri(config))
  })

  // 4. The callback: check it against the cookie, exchange it for token
  //    credentials, ask who logged in (`userinfo()`: OpenID Connect claims
  //    such as `sub`, `name`, `picture`), save the token, log the user in.
  app.get('/authorize', async (c) => {
    if (!canLogIn) return send(c, noLoginPage(await pageContext(c)))
    const token = await provider.authorizeAccessToken(c)
    // E*TRADE and NetSuite do not say who logged in (their preset has no
    // `userinfo`): the app then knows the user by the token's own fields.
    const profile = registration.userinfo ? await provider.userinfo({ token }) : tokenProfile(token)
    const user = db.upsertUser(PROVIDER, profile)
    db.saveToken(PROVIDER, user.id, token)
    const login = db.startLogin(user.id, LOGIN_LIFETIME)
    await setSignedCookie(c, SESSION_COOKIE, login, config.sessionSecret, {
      ...cookieOptions,
      maxAge: LOGIN_LIFETIME,
    })
    return c.redirect('/')
  })

  // 5. An API call with no token passed: the middleware keeps `c` at hand,
  //    and `fetchToken` finds the user's token. Logged out, this throws
  //    OAuthError `missing_token` (401), which the error handler shows.
  app.get('/api-call', async (c) => {
    // PROVIDER_API_CALL or the preset's sample call; the local provider echoes.
    const url = config.apiCall ?? 'echo?from=example-hono&message=hello+world'
    // provider.timeout bounds the answer's head; this signal, its body too.
    const signal = answerDeadline(provider.timeout)
    const response = await provider.get(url, { signal })
    return send(
      c,
      apiCallPage(await pageContext(c), {
        method: 'GET',
        url,
        status: response.status,
        body: await readAnswerText(response, signal), // 504 too slow, 502 broken off
      }),
    )
  })

  // 6. Log out: end the login in the database and drop its cookie (the token
  //    stays saved for next time).
  app.post('/logout', async (c) => {
    db.endLogin(await getSignedCookie(c, config.sessionSecret, SESSION_COOKIE))
    deleteCookie(c, SESSION_COOKIE, cookieOptions)
    return c.redirect('/', 303)
  })

  app.notFound(async (c) => send(c, notFoundPage(await pageContext(c))))

  // 7. Errors: an OAuthError becomes a page with its code and status
  //    (400 bad callback, 401 logged out, 403 refused, 502/504 provider down).
  app.onError(async (err, c) => {
    if (err instanceof OAuthError) return send(c, oauthErrorPage(await pageContext(c), err))
    const page = errorPage(await pageContext(c), err)
    if (page.status === 500) console.error(err) // a bug: log it
    return send(c, page)
  })

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
  const server = createAdaptorServer({ fetch: app.fetch }) as Server
  return serve('Hono', server, withRedis(db, redis), config)
}

// `pnpm start`: configured from the environment (see .env.example).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runStandalone(start, { appDir: fileURLToPath(new URL('..', import.meta.url)), port: 3004 })
}
