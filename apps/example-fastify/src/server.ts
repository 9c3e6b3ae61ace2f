/**
 * "Log in with …" for Fastify, in one file: register the provider,
 * install the session and the OAuth plugin, send the user to the provider
 * (/login), take the token on the way back (/authorize), save it in SQLite,
 * call the API with no token in hand (/api-call), log out, and answer every
 * OAuth failure with a friendly page.
 *
 * Run it (after `pnpm install && pnpm build` at the root): start the local
 * provider with `pnpm --filter example-fastify provider`, then in another terminal
 * `pnpm --filter example-fastify start`, and open http://127.0.0.1:3002.
 *
 * With X or Trello keys, log in with the real thing instead: set
 * `PROVIDER_PRESET=twitter` (or `trello`, or any other export of
 * `@oauth1/providers`), `PROVIDER_CLIENT_ID` and `PROVIDER_CLIENT_SECRET`
 * (see .env.example), and register http://127.0.0.1:3002/authorize as the app's callback.
 */
import { hkdfSync } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import formbody from '@fastify/formbody'
import secureSession from '@fastify/secure-session'
import { OAuth, OAuthError } from '@oauth1/fastify'
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
  runningApp,
  runStandalone,
  serverUrl,
  tokenProfile,
  withRedis,
} from '@oauth1-examples/shared'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'

declare module '@fastify/secure-session' {
  interface SessionData {
    /**
     * The login's id in our database, which knows its user: log-out ends it
     * there, so a copy of this cookie kept from before logs nobody in.
     */
    login: string
  }
}

/** The name the provider is registered under (its env vars are `PROVIDER_*`). */
export const PROVIDER = 'provider'

/** @fastify/secure-session wants a 32-byte key; derive one from SESSION_SECRET. */
function sessionKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, '', 'example-fastify session', 32))
}

/**
 * Builds the Fastify instance, plugins registered (use `app.inject()` or
 * `app.listen()`): the provider registered, the session and OAuth middleware
 * installed, the routes and the error handler. Tokens and users go to `db` (by
 * default the SQLite file at `config.databasePath`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2 (the three-legged login it runs)
 * @example
 * ```ts
 * const app = await createApp(loadConfig(process.env, { appDir, port: 3002 }))
 * await app.listen({ port: 3002 })
 * ```
 */
export async function createApp(
  config: ExampleConfig,
  db: AppDatabase = openDatabase(config.databasePath),
  redis?: AppRedis,
) {
  const currentUserId = (request: FastifyRequest) => db.userOfLogin(request.session?.get('login'))

  // 1. The registry. `fetchToken` is how a route calls the API without
  //    passing a token: it loads the logged-in user's token from SQLite.
  const oauth = new OAuth({
    fetchToken: (name, request: FastifyRequest) => db.getToken(name, currentUserId(request)),
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

  // forceCloseConnections: close() does not wait for a browser's keep-alive sockets.
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    // Behind an https proxy (TRUST_PROXY): the origin from its X-Forwarded-* headers.
    trustProxy: config.trustProxy === true,
  })
  // 0. A relative callback follows the Host header: without PUBLIC_URL, only
  //    this machine's own names are served (see callbackUri).
  app.addHook('onRequest', async (request) => {
    const refusal = hostRefusal(config, request.headers.host, request.raw.socket.localPort)
    if (refusal) throw refusal
  })

  // 2. The (encrypted, cookie-held) session — the temporary credentials wait
  //    there between /login and /authorize — THEN the OAuth plugin.
  await app.register(formbody)
  await app.register(secureSession, {
    key: sessionKey(config.sessionSecret),
    cookieName: 'example-session',
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies },
  })
  // With REDIS_URL, the pending logins go to Redis instead (the cookie keeps
  // only this browser's binding id), each its own key taken once: any
  // instance of the app serves any step of a login.
  await app.register(
    oauth.middleware(
      redis ? { store: redisStore(redis, { secret: config.sessionSecret }) } : undefined,
    ),
  )

  // A signing-only registration has no login (no authorize URL): the pages say so.
  const canLogIn = provider.authorizeUrl !== undefined
  const pageContext = (request: FastifyRequest) => ({
    framework: 'Fastify',
    providerName: config.providerName,
    canLogIn, // false: a signing-only API (WooCommerce, Mastercard, BrickLink)
    user: db.getUser(currentUserId(request)),
  })
  const send = (reply: FastifyReply, page: Page) =>
    reply.code(page.status).type('text/html; charset=utf-8').send(page.html)

  app.get('/', async (request, reply) => send(reply, homePage(pageContext(request))))

  // 3. Log in: fetch temporary credentials (with our callback URL), keep them
  //    in the session, redirect to the provider's consent page.
  app.get('/login', async (request, reply) => {
    if (!canLogIn) return send(reply, noLoginPage(pageContext(request)))
    return provider.authorizeRedirect(request, reply, callbackUri(config))
  })

  // 4. The callback: check it against the session, exchange it for token
  //    credentials, ask who logged in (`userinfo()`: OpenID Connect claims
  //    such as `sub`, `name`, `picture`), save the token, log the user in.
  app.get('/authorize', async (request, reply) => {
    if (!canLogIn) return send(reply, noLoginPage(pageContext(request)))
    const token = await provider.authorizeAccessToken(request)
    // E*TRADE and NetSuite do not say who logged in (their preset has no
    // `userinfo`): the app then knows the user by the token's own fields.
    const profile = registration.userinfo ? await provider.userinfo({ token }) : tokenProfile(token)
    const user = db.upsertUser(PROVIDER, profile)
    db.saveToken(PROVIDER, user.id, token)
    request.session.set('login', db.startLogin(user.id, LOGIN_LIFETIME))
    return reply.redirect('/')
  })

  // 5. An API call with no token passed: the plugin keeps the request at
  //    hand, and `fetchToken` finds the user's token. Logged out, this throws
  //    OAuthError `missing_token` (401), which the error handler shows.
  app.get('/api-call', async (request, reply) => {
    // PROVIDER_API_CALL or the preset's sample call; the local provider echoes.
    const url = config.apiCall ?? 'echo?from=example-fastify&message=hello+world'
    // provider.timeout bounds the answer's head; this signal, its body too.
    const signal = answerDeadline(provider.timeout)
    const response = await provider.get(url, { signal })
    return send(
      reply,
      apiCallPage(pageContext(request), {
        method: 'GET',
        url,
        status: response.status,
        body: await readAnswerText(response, signal), // 504 too slow, 502 broken off
      }),
    )
  })

  // 6. Log out: end the login in the database, then forget the session (the
  //    token stays saved for next time).
  app.post('/logout', async (request, reply) => {
    db.endLogin(request.session.get('login'))
    request.session.delete()
    return reply.redirect('/', 303)
  })

  app.setNotFoundHandler(async (request, reply) => send(reply, notFoundPage(pageContext(request))))

  // 7. Errors: an OAuthError becomes a page with its code and status
  //    (400 bad callback, 401 logged out, 403 refused, 502/504 provider down).
  app.setErrorHandler(async (err, request, reply) => {
    if (err instanceof OAuthError) return send(reply, oauthErrorPage(pageContext(request), err))
    const page = errorPage(pageContext(request), err)
    if (page.status === 500) console.error(err) // a bug: log it
    return send(reply, page)
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
  const resources = withRedis(db, redis)
  let app: Awaited<ReturnType<typeof createApp>> | undefined
  try {
    app = await createApp(config, db, redis?.client)
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    await app?.close()
    resources.close()
    throw err
  }
  const server = app
  return runningApp('Fastify', serverUrl(app.server), () => server.close(), resources)
}

// `pnpm start`: configured from the environment (see .env.example).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await runStandalone(start, { appDir: fileURLToPath(new URL('..', import.meta.url)), port: 3002 })
}
