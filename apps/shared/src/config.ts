import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createPreset, PRESETS, type PresetConfig, presetApiCall, readPreset } from './presets.ts'

/**
 * Everything an example app needs, read from the environment by
 * {@link loadConfig} or passed in by the demo and the tests.
 */
export interface ExampleConfig {
  /**
   * Shown on the "Log in with …" button and the error pages. `PROVIDER_DISPLAY_NAME`;
   * default the preset's provider ("Trello"), else "Test Provider".
   */
  providerName: string
  /** `PROVIDER_CLIENT_ID` — the client identifier (consumer key). */
  clientId: string
  /** `PROVIDER_CLIENT_SECRET` — the client shared secret (consumer secret). */
  clientSecret: string
  /**
   * `PROVIDER_PRESET` and its options (`PROVIDER_PRESET_OPTIONS`,
   * `PROVIDER_PRESET_<OPTION>`): a provider of `@oauth1/providers`, whose URLs,
   * quirks and `userinfo` the app then uses. Unset: the local test provider.
   */
  preset?: PresetConfig | undefined
  /**
   * `PROVIDER_REQUEST_TOKEN_URL` — the temporary-credential endpoint. Required
   * without a preset; with one, it replaces the preset's (as the four below do).
   */
  requestTokenUrl?: string | undefined
  /** `PROVIDER_AUTHORIZE_URL` — the resource-owner authorization page. */
  authorizeUrl?: string | undefined
  /** `PROVIDER_ACCESS_TOKEN_URL` — the token-credential endpoint. */
  accessTokenUrl?: string | undefined
  /** `PROVIDER_API_BASE_URL` — relative API paths (`me`, `echo?…`) resolve against it. */
  apiBaseUrl?: string | undefined
  /** `PROVIDER_USERINFO_ENDPOINT` — the profile endpoint `userinfo()` reads. */
  userinfoEndpoint?: string | undefined
  /**
   * `PROVIDER_API_CALL` — what `/api-call` requests (relative to `apiBaseUrl`).
   * {@link loadConfig} sets the preset's sample call (Trello `/1/members/me…`)
   * when the variable is unset; left out, the apps call the local provider's echo.
   */
  apiCall?: string | undefined
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
   * `PUBLIC_URL` — the origin users reach the app at (`https://app.example`).
   * The callback is then `<PUBLIC_URL>/authorize`, whatever Host a request
   * carries. Unset (development on this machine): the callback is relative,
   * and only loopback Hosts on the app's own port are served. Required with
   * `NODE_ENV=production`.
   */
  publicUrl?: string | undefined
  /**
   * `TRUST_PROXY=true` — the app sits behind a reverse proxy (TLS ends
   * there): the framework reads `X-Forwarded-Proto` and `-Host`. Required with
   * `COOKIE_SECURE`: the app itself speaks plain HTTP.
   */
  trustProxy?: boolean | undefined
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
): Required<
  Pick<ExampleConfig, 'requestTokenUrl' | 'authorizeUrl' | 'accessTokenUrl' | 'apiBaseUrl'>
> {
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

function url(env: Record<string, string | undefined>, name: string, fallback: string): string
function url(
  env: Record<string, string | undefined>,
  name: string,
  fallback?: string,
): string | undefined
function url(
  env: Record<string, string | undefined>,
  name: string,
  fallback?: string,
): string | undefined {
  const value = env[name] || fallback
  if (value === undefined) return undefined
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
 * Reads an example app's configuration from environment variables.
 *
 * The provider: `PROVIDER_PRESET=<name>` (any export of `@oauth1/providers`:
 * `twitter`, `trello`, `etrade`…) with its options in `PROVIDER_PRESET_OPTIONS`
 * (a JSON object) and/or `PROVIDER_PRESET_<OPTION>` (`PROVIDER_PRESET_ACCOUNT_ID`),
 * and the client's `PROVIDER_CLIENT_ID` / `PROVIDER_CLIENT_SECRET`. Without a
 * preset, the local test provider at `PROVIDER_URL` (from which the four
 * endpoints default) with its default client. Either way
 * `PROVIDER_REQUEST_TOKEN_URL`, `PROVIDER_AUTHORIZE_URL`,
 * `PROVIDER_ACCESS_TOKEN_URL`, `PROVIDER_API_BASE_URL` and
 * `PROVIDER_USERINFO_ENDPOINT` set a URL (the `<NAME>_<OPTION>` names the
 * `@oauth1` registry reads for a client registered as `provider`), and
 * `PROVIDER_API_CALL` what `/api-call` requests. Then `PROVIDER_DISPLAY_NAME`,
 * `PROVIDER_TIMEOUT`, `PROVIDER_TEMPORARY_CREDENTIAL_TTL`, `HOST`, `PORT`,
 * `SESSION_SECRET`, `DATABASE_PATH`, `COOKIE_SECURE`, `TRUST_PROXY`, `PUBLIC_URL`.
 *
 * With nothing set, `pnpm --filter example-express start` works next to
 * `pnpm --filter example-express provider` (the `oauth1-test-provider` CLI).
 *
 * @throws {TypeError} naming the variable, when a value is unusable (the
 *   preset's own refusals included).
 * @example
 * ```ts
 * const config = loadConfig(process.env, { appDir: dirname(import.meta.dirname), port: 3001 })
 * ```
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  defaults: { appDir: string; port: number },
): ExampleConfig & { sessionSecretGenerated: boolean } {
  const preset = readPreset(env)
  const provider = preset ? presetProvider(env, preset) : localProvider(env)

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

  const production = env.NODE_ENV === 'production'
  const secureCookies = env.COOKIE_SECURE
    ? env.COOKIE_SECURE === 'true' || env.COOKIE_SECURE === '1'
    : production
  const trustProxy = env.TRUST_PROXY === 'true' || env.TRUST_PROXY === '1'
  if (secureCookies && !trustProxy) {
    throw new TypeError(
      `${env.COOKIE_SECURE ? 'COOKIE_SECURE' : 'NODE_ENV=production (which sets COOKIE_SECURE)'} needs TRUST_PROXY=true: the app speaks plain HTTP, so its cookies can be Secure only behind an https proxy it trusts`,
    )
  }
  const publicUrl = env.PUBLIC_URL ? origin(env.PUBLIC_URL) : undefined
  if (production && publicUrl === undefined) {
    throw new TypeError(
      'PUBLIC_URL (https://your.app) is required with NODE_ENV=production: the callback URL must not follow the Host header, which the browser chooses',
    )
  }

  const sessionSecret = env.SESSION_SECRET || randomBytes(32).toString('base64url')
  if (sessionSecret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`)
  }

  return {
    ...provider,
    ...(env.PROVIDER_DISPLAY_NAME ? { providerName: env.PROVIDER_DISPLAY_NAME } : {}),
    timeout: ms('PROVIDER_TIMEOUT', 10_000),
    temporaryCredentialTtl: ms('PROVIDER_TEMPORARY_CREDENTIAL_TTL', 600_000),
    host: env.HOST || '127.0.0.1',
    port,
    sessionSecret,
    sessionSecretGenerated: !env.SESSION_SECRET,
    databasePath: env.DATABASE_PATH || join(defaults.appDir, 'example.db'),
    secureCookies,
    publicUrl,
    trustProxy,
    redisUrl: redisUrl(env.REDIS_URL),
  }
}

/** `PUBLIC_URL`: an http(s) origin, nothing after it but a `/`. */
function origin(value: string): string {
  let parsed: URL | undefined
  try {
    parsed = new URL(value)
  } catch {
    parsed = undefined
  }
  if (
    parsed === undefined ||
    (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
    parsed.username !== '' ||
    parsed.password !== '' ||
    parsed.pathname !== '/' ||
    parsed.search !== '' ||
    parsed.hash !== ''
  ) {
    throw new TypeError(
      `PUBLIC_URL must be the app's http(s) origin (https://app.example), got ${JSON.stringify(value)}`,
    )
  }
  return parsed.origin
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

/** The URL variables that may replace a preset's URLs (or set the local provider's). */
const URL_VARIABLES = {
  requestTokenUrl: 'PROVIDER_REQUEST_TOKEN_URL',
  authorizeUrl: 'PROVIDER_AUTHORIZE_URL',
  accessTokenUrl: 'PROVIDER_ACCESS_TOKEN_URL',
  apiBaseUrl: 'PROVIDER_API_BASE_URL',
  userinfoEndpoint: 'PROVIDER_USERINFO_ENDPOINT',
} as const

type ProviderSettings = Pick<
  ExampleConfig,
  'providerName' | 'clientId' | 'clientSecret' | 'preset' | keyof typeof URL_VARIABLES | 'apiCall'
>

/** `PROVIDER_API_CALL`: a path relative to the API base, or an absolute http(s) URL. */
function apiCall(env: Record<string, string | undefined>): string | undefined {
  const value = env.PROVIDER_API_CALL
  if (!value) return undefined
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
  const bad = /[\u0000-\u0020\u007f]/.test(value) || value.startsWith('//')
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(value)
  if (bad || (absolute && !/^https?:\/\//i.test(value))) {
    throw new TypeError(
      `PROVIDER_API_CALL must be a path such as /1/members/me (or an http(s) URL), got ${JSON.stringify(value)}`,
    )
  }
  return value
}

/** Without a preset: the local test provider (PROVIDER_URL) and its default client. */
function localProvider(env: Record<string, string | undefined>): ProviderSettings {
  const endpoints = localProviderEndpoints(url(env, 'PROVIDER_URL', LOCAL_PROVIDER.url))
  const settings: ProviderSettings = {
    providerName: 'Test Provider',
    clientId: env.PROVIDER_CLIENT_ID || LOCAL_PROVIDER.clientId,
    clientSecret: env.PROVIDER_CLIENT_SECRET ?? LOCAL_PROVIDER.clientSecret,
    requestTokenUrl: url(env, URL_VARIABLES.requestTokenUrl, endpoints.requestTokenUrl),
    authorizeUrl: url(env, URL_VARIABLES.authorizeUrl, endpoints.authorizeUrl),
    accessTokenUrl: url(env, URL_VARIABLES.accessTokenUrl, endpoints.accessTokenUrl),
    apiBaseUrl: url(env, URL_VARIABLES.apiBaseUrl, endpoints.apiBaseUrl),
  }
  const userinfoEndpoint = url(env, URL_VARIABLES.userinfoEndpoint)
  if (userinfoEndpoint !== undefined) settings.userinfoEndpoint = userinfoEndpoint
  const call = apiCall(env)
  if (call !== undefined) settings.apiCall = call
  return settings
}

/** With `PROVIDER_PRESET`: the preset, the client credentials it needs, any URL set over it. */
function presetProvider(
  env: Record<string, string | undefined>,
  preset: PresetConfig,
): ProviderSettings {
  if (env.PROVIDER_URL) {
    throw new TypeError(
      `PROVIDER_URL is the local test provider's address: with PROVIDER_PRESET=${preset.name} the URLs are the preset's (set PROVIDER_REQUEST_TOKEN_URL and the like to replace one)`,
    )
  }
  const { title } = PRESETS[preset.name]
  if (!env.PROVIDER_CLIENT_ID) {
    throw new TypeError(
      `PROVIDER_CLIENT_ID is required with PROVIDER_PRESET=${preset.name}: the consumer key ${title} gave your app`,
    )
  }
  // RSA-signing presets (Jira, Mastercard) have no consumer secret.
  const rsa = createPreset(preset).clientKwargs?.signatureMethod?.startsWith('RSA-') === true
  if (!env.PROVIDER_CLIENT_SECRET && !rsa) {
    throw new TypeError(
      `PROVIDER_CLIENT_SECRET is required with PROVIDER_PRESET=${preset.name}: the consumer secret ${title} gave your app`,
    )
  }
  const settings: ProviderSettings = {
    providerName: title,
    clientId: env.PROVIDER_CLIENT_ID,
    clientSecret: env.PROVIDER_CLIENT_SECRET ?? '',
    preset,
  }
  for (const [option, variable] of Object.entries(URL_VARIABLES)) {
    const value = url(env, variable)
    if (value !== undefined) settings[option as keyof typeof URL_VARIABLES] = value
  }
  const call = apiCall(env) ?? presetApiCall(preset)
  if (call === undefined) {
    throw new TypeError(
      `PROVIDER_API_CALL is required with PROVIDER_PRESET=${preset.name}: the API path /api-call requests (${title} has no call every account may make)`,
    )
  }
  settings.apiCall = call
  return settings
}
