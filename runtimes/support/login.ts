/**
 * Drives a login as a browser does — the app's /login, the provider's
 * authorize page (auto-approved), back to the app's /callback, cookies kept
 * per origin — then calls the app's API routes.
 */
import { connect } from 'node:net'
import { createTestProvider, type TestProvider, type TestProviderOptions } from '@oauth1/testing'
import { afterAll, beforeAll, expect } from 'vitest'

/** The configuration every fixture app takes (OAUTH1_APP_CONFIG, or workerd's CONFIG binding). */
export interface AppConfig {
  provider: {
    clientId: string
    clientSecret: string
    requestTokenUrl: string
    authorizeUrl: string
    accessTokenUrl: string
    apiBaseUrl: string
    /** MediaWiki's `index.php` (for `preset: 'mediawiki'`). */
    indexUrl?: string
  }
  /** Register the provider with this preset of @oauth1/providers (hono-app.mjs only). */
  preset?: 'mediawiki'
  /** Signs and encrypts the apps' cookies. */
  secret: string
  /** @fastify/secure-session's key, 32 bytes in hex. */
  sessionKey: string
}

/**
 * For a test file (or a describe block): a provider that approves every
 * login as bob (on a free port of 127.0.0.1, in this process), and the
 * fixture apps' configuration for it; started before the tests, closed after
 * them. `options` go to createTestProvider (an emulation, its clients).
 */
export function useProvider(
  options: TestProviderOptions = {},
  preset?: AppConfig['preset'],
): { readonly provider: TestProvider; readonly config: AppConfig } {
  const state = {} as { provider: TestProvider; config: AppConfig }
  beforeAll(async () => {
    state.provider = await createTestProvider({ autoApprove: 'bob', ...options })
    const config = appConfig(state.provider)
    if (preset === 'mediawiki') {
      config.preset = preset
      config.provider.indexUrl = `${state.provider.url}/w/index.php`
    }
    state.config = config
  })
  afterAll(() => state.provider?.close())
  return state
}

/** The fixture apps' configuration for `provider`, with fresh random secrets. */
export function appConfig(provider: TestProvider): AppConfig {
  const hex = (bytes: number) =>
    Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex')
  return {
    provider: {
      clientId: provider.client.id,
      clientSecret: provider.client.secret ?? '',
      requestTokenUrl: provider.requestTokenUrl,
      authorizeUrl: provider.authorizeUrl,
      accessTokenUrl: provider.accessTokenUrl,
      apiBaseUrl: provider.apiBaseUrl,
    },
    secret: hex(24),
    sessionKey: hex(32),
  }
}

/** A minimal cookie jar: name → value per origin, as a browser keeps them for plain-http hosts. */
export class Browser {
  readonly #jars = new Map<string, Map<string, string>>()
  /** Every request made, as `<status> <METHOD> <url>`. */
  readonly steps: string[] = []

  get(url: string): Promise<Response> {
    return this.request(url)
  }

  /** A request with the jar's cookies (GET unless `init.method` says otherwise); keeps the answer's cookies. */
  async request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const { origin } = new URL(url)
    const jar = this.#jars.get(origin) ?? new Map<string, string>()
    this.#jars.set(origin, jar)
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const method = init.method ?? 'GET'
    const response = await fetch(url, {
      method,
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
      headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
      signal: AbortSignal.timeout(15_000),
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a))
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
    this.steps.push(`${response.status} ${method} ${url}`)
    return response
  }

  /** Follows the Location of a redirect, resolved against `from`. */
  follow(from: Response, base: string): Promise<Response> {
    const location = from.headers.get('location')
    if (from.status < 300 || from.status >= 400 || !location) {
      throw new Error(`expected a redirect from ${base}, got ${from.status} ${location ?? ''}`)
    }
    return this.get(new URL(location, base).href)
  }
}

export interface LoginResult {
  /** The app's /callback answer: `{ screen_name }`. */
  callback: unknown
  /** The browser, logged in: call more routes with it. */
  browser: Browser
}

/**
 * Logs in on the app at `appUrl` (its /login, the provider, its /callback).
 * Throws, with every step taken, when a step does not answer as a login does.
 */
export async function login(appUrl: string, provider: TestProvider): Promise<LoginResult> {
  const browser = new Browser()
  const fail = (what: string, response: Response, body = '') =>
    new Error(`${what}: ${response.status} ${body}\nsteps:\n${browser.steps.join('\n')}`)

  const start = await browser.get(`${appUrl}/login`)
  const toProvider = start.headers.get('location') ?? ''
  if (start.status !== 302 || !toProvider.startsWith(provider.authorizeUrl)) {
    throw fail('/login did not redirect to the provider', start, await start.text())
  }
  const approved = await browser.follow(start, appUrl)
  const back = approved.headers.get('location') ?? ''
  if (approved.status !== 302 || !back.startsWith(`${appUrl}/callback?`)) {
    throw fail('the provider did not send the browser back', approved, await approved.text())
  }
  const callback = await browser.follow(approved, provider.url)
  const text = await callback.text()
  if (callback.status !== 200) throw fail('/callback failed', callback, text)
  return { callback: JSON.parse(text), browser }
}

/** GETs `path` on the app with the browser's cookies; the status and the parsed JSON body. */
export async function getJson(
  browser: Browser,
  appUrl: string,
  path: string,
  init?: Parameters<Browser['request']>[1],
): Promise<{ status: number; body: unknown }> {
  const response = await browser.request(`${appUrl}${path}`, init)
  const text = await response.text()
  try {
    return { status: response.status, body: JSON.parse(text) }
  } catch {
    return { status: response.status, body: text }
  }
}

/**
 * A callback naming no pending login of this browser (forged, or replayed):
 * the app must answer 400 `missing_temporary_credential`, never 500, without
 * contacting the provider.
 */
export async function forgedCallback(
  browser: Browser,
  appUrl: string,
): Promise<{ status: number; body: unknown }> {
  return getJson(browser, appUrl, '/callback?oauth_token=forged&oauth_verifier=guessed')
}

/** What {@link forgedCallback} must get back. */
export const REFUSED_CALLBACK = {
  status: 400,
  body: expect.objectContaining({ error: 'missing_temporary_credential' }),
}

/**
 * The status of a raw `GET <path>` to the app at `appUrl` with `host` as its
 * Host header — one no URL can carry (`127.0.0.1:99999`), which Node's
 * server refuses itself and Bun, Deno and workerd pass on to the app.
 */
export function statusWithHost(appUrl: string, path: string, host: string): Promise<number> {
  const { hostname, port } = new URL(appUrl)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.end(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
    )
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('close', () => {
      const status = /^HTTP\/1\.[01] (\d{3}) /.exec(Buffer.concat(chunks).toString('latin1'))
      if (status) resolve(Number(status[1]))
      else reject(new Error(`no HTTP answer to GET ${path} with Host: ${host}`))
    })
    socket.on('error', reject)
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')))
  })
}
