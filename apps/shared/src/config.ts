import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

/**
 * Everything an example app needs, read from the environment by
 * {@link loadConfig} or passed in by the demo and the tests.
 */
export interface ExampleConfig {
  /** Shown on the "Log in with …" button and the error pages. `PROVIDER_DISPLAY_NAME`. */
  providerName: string
  /** `PROVIDER_CLIENT_ID` — the client identifier (consumer key). */
  clientId: string
  /** `PROVIDER_CLIENT_SECRET` — the client shared secret (consumer secret). */
  clientSecret: string
  /** `PROVIDER_REQUEST_TOKEN_URL` — the temporary-credential endpoint. */
  requestTokenUrl: string
  /** `PROVIDER_AUTHORIZE_URL` — the resource-owner authorization page. */
  authorizeUrl: string
  /** `PROVIDER_ACCESS_TOKEN_URL` — the token-credential endpoint. */
  accessTokenUrl: string
  /** `PROVIDER_API_BASE_URL` — relative API paths (`me`, `echo?…`) resolve against it. */
  apiBaseUrl: string
  /** `PROVIDER_TIMEOUT` — how long the provider gets to answer, in ms (default 10 000). */
  timeout: number
  /**
   * `PROVIDER_TEMPORARY_CREDENTIAL_TTL` — how long a started login stays valid,
   * in ms (default 600 000, ten minutes).
   */
  temporaryCredentialTtl: number
  /** `HOST`, default `127.0.0.1`. */
  host: string
  /** `PORT`; 0 picks a free one. */
  port: number
  /** `SESSION_SECRET`, at least 32 characters; a random one when unset. */
  sessionSecret: string
  /** `DATABASE_PATH` — the SQLite file, or `:memory:`. */
  databasePath: string
  /** `COOKIE_SECURE=true` (or `NODE_ENV=production`) — cookies only over https. */
  secureCookies: boolean
  /**
   * `REDIS_URL` (`redis://…` or `rediss://…`): keep the pending logins in
   * Redis (`@oauth1/redis`), so several instances of the app serve one login
   * (Express keeps its sessions there too). Unset: in the session, as usual.
   */
  redisUrl?: string | undefined
}

/**
 * Where `oauth1-test-provider` (the `@oauth1/testing` CLI) listens by default,
 * and its default client. The apps talk to it when nothing else is configured.
 */
export const LOCAL_PROVIDER = {
  url: 'http://127.0.0.1:4000',
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
} as const

/** The provider's endpoint URLs, as `@oauth1/testing` lays them out under its base URL. */
export function localProviderEndpoints(
  baseUrl: string,
): Pick<ExampleConfig, 'requestTokenUrl' | 'authorizeUrl' | 'accessTokenUrl' | 'apiBaseUrl'> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
  return {
    requestTokenUrl: new URL('oauth/request_token', base).href,
    authorizeUrl: new URL('oauth/authorize', base).href,
    accessTokenUrl: new URL('oauth/access_token', base).href,
    apiBaseUrl: new URL('api/', base).href,
  }
}

/** The smallest acceptable `SESSION_SECRET`. */
export const MIN_SECRET_LENGTH = 32

function url(env: Record<string, string | undefined>, name: string, fallback: string): string {
  const value = env[name] || fallback
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new TypeError(`${name} must be an absolute http(s) URL, got ${JSON.stringify(value)}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`${name} must be an absolute http(s) URL, got ${JSON.stringify(value)}`)
  }
  return parsed.href
}

/**
 * Reads an example app's configuration from environment variables:
 * `PROVIDER_CLIENT_ID`, `PROVIDER_CLIENT_SECRET`, `PROVIDER_REQUEST_TOKEN_URL`,
 * `PROVIDER_AUTHORIZE_URL`, `PROVIDER_ACCESS_TOKEN_URL`, `PROVIDER_API_BASE_URL`
 * (the same `<NAME>_<OPTION>` names the `@oauth1` registry reads for a client
 * registered as `provider`), `PROVIDER_URL` (the local test provider's base
 * URL, from which the four endpoints default), `PROVIDER_DISPLAY_NAME`,
 * `HOST`, `PORT`, `SESSION_SECRET`, `DATABASE_PATH`, `COOKIE_SECURE`, `REDIS_URL`.
 *
 * Anything unset defaults to the local `oauth1-test-provider` and its default
 * client, so `pnpm --filter example-express start` works next to
 * `pnpm --filter example-express provider` (the `oauth1-test-provider` CLI).
 *
 * @throws {TypeError} naming the variable, when a value is unusable.
 * @example
 * ```ts
 * const config = loadConfig(process.env, { appDir: dirname(import.meta.dirname), port: 3001 })
 * ```
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  defaults: { appDir: string; port: number },
): ExampleConfig & { sessionSecretGenerated: boolean } {
  const providerUrl = url(env, 'PROVIDER_URL', LOCAL_PROVIDER.url)
  const endpoints = localProviderEndpoints(providerUrl)

  const portText = env.PORT || String(defaults.port)
  const port = Number(portText)
  if (!/^\d{1,5}$/.test(portText) || port > 65535) {
    throw new TypeError(`PORT must be a port number (0-65535), got ${JSON.stringify(portText)}`)
  }

  const ms = (name: string, fallback: number): number => {
    const text = env[name]
    if (!text) return fallback
    if (!/^\d{1,9}$/.test(text) || Number(text) === 0) {
      throw new TypeError(
        `${name} must be a positive number of milliseconds, got ${JSON.stringify(text)}`,
      )
    }
    return Number(text)
  }

  const sessionSecret = env.SESSION_SECRET || randomBytes(32).toString('base64url')
  if (sessionSecret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`)
  }

  return {
    providerName: env.PROVIDER_DISPLAY_NAME || 'Test Provider',
    clientId: env.PROVIDER_CLIENT_ID || LOCAL_PROVIDER.clientId,
    clientSecret: env.PROVIDER_CLIENT_SECRET ?? LOCAL_PROVIDER.clientSecret,
    requestTokenUrl: url(env, 'PROVIDER_REQUEST_TOKEN_URL', endpoints.requestTokenUrl),
    authorizeUrl: url(env, 'PROVIDER_AUTHORIZE_URL', endpoints.authorizeUrl),
    accessTokenUrl: url(env, 'PROVIDER_ACCESS_TOKEN_URL', endpoints.accessTokenUrl),
    apiBaseUrl: url(env, 'PROVIDER_API_BASE_URL', endpoints.apiBaseUrl),
    timeout: ms('PROVIDER_TIMEOUT', 10_000),
    temporaryCredentialTtl: ms('PROVIDER_TEMPORARY_CREDENTIAL_TTL', 600_000),
    host: env.HOST || '127.0.0.1',
    port,
    sessionSecret,
    sessionSecretGenerated: !env.SESSION_SECRET,
    databasePath: env.DATABASE_PATH || join(defaults.appDir, 'example.db'),
    secureCookies: env.COOKIE_SECURE
      ? env.COOKIE_SECURE === 'true' || env.COOKIE_SECURE === '1'
      : env.NODE_ENV === 'production',
    redisUrl: redisUrl(env.REDIS_URL),
  }
}

function redisUrl(value: string | undefined): string | undefined {
  if (!value) return undefined
  let parsed: URL | undefined
  try {
    parsed = new URL(value)
  } catch {
    parsed = undefined
  }
  if (parsed === undefined || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) {
    throw new TypeError('REDIS_URL must be a redis:// or rediss:// URL')
  }
  return value
}
