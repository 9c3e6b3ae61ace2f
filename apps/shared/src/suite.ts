/**
 * The in-process test suite every example app runs (no browser): the app
 * and a real `@oauth1/testing` provider on 127.0.0.1 free ports, driven over
 * HTTP with a small cookie jar, following redirects by hand as a browser
 * would. Import from `@oauth1-examples/shared/suite` in a vitest file.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestProvider, type TestProvider } from '@oauth1/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExampleConfig } from './config.ts'
import { PRESETS, type PresetName, presetApiCall } from './presets.ts'
import type { RunningApp } from './server.ts'
import { openSqlite } from './sqlite.ts'

type ProviderOptions = NonNullable<Parameters<typeof createTestProvider>[0]>

/** A browser's worth of cookies and redirects, for one user. */
export class HttpClient {
  readonly #cookies = new Map<string, string>()

  /** The cookies this client holds (all on 127.0.0.1: cookies ignore ports). */
  get cookies(): ReadonlyMap<string, string> {
    return this.#cookies
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.#cookies.size > 0) {
      headers.set('cookie', [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim())
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0
        if (k.toLowerCase() === 'expires') return Date.parse(v) <= Date.now()
        return false
      })
      if (expired || value === '') this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
    return response
  }

  /** Requests `url` and follows redirects (at most 10), returning every response. */
  async follow(
    url: string,
    init: RequestInit = {},
  ): Promise<{ final: Response; chain: Response[] }> {
    const chain: Response[] = []
    let next = url
    let options = init
    for (let hop = 0; hop <= 10; hop++) {
      const response = await this.request(next, options)
      chain.push(response)
      const location = response.headers.get('location')
      if (response.status < 300 || response.status >= 400 || !location) {
        return { final: response, chain }
      }
      await response.body?.cancel()
      next = new URL(location, next).href
      options = {}
    }
    throw new Error(`too many redirects from ${url}`)
  }
}

/** The hidden inputs of the provider's consent form. */
export function consentForm(html: string): { oauth_token: string; csrf_token: string } {
  const value = (name: string) => {
    const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)
    if (!match) throw new Error(`no ${name} on the consent page`)
    return match[1]!
  }
  return { oauth_token: value('oauth_token'), csrf_token: value('csrf_token') }
}

/** The consent form's `action`, resolved against the page's URL. */
export function consentAction(html: string, pageUrl: string): string {
  const match = /<form method="post" action="([^"]*)"/.exec(html)
  if (!match) throw new Error('no form on the consent page')
  return new URL(match[1]!.replaceAll('&amp;', '&'), pageUrl).href
}

export interface ExampleUnderTest {
  /** "Express" */
  framework: string
  /** "express": the API page echoes `from=example-<id>`. */
  id: string
  start(config: ExampleConfig): Promise<RunningApp>
}

/**
 * Starts a provider (with `options`) and the app configured for it (with
 * `overrides`); `close()` stops both.
 */
export async function startWithProvider(
  example: ExampleUnderTest,
  options: ProviderOptions = {},
  overrides: Partial<ExampleConfig> | ((provider: TestProvider) => Partial<ExampleConfig>) = {},
): Promise<{ provider: TestProvider; app: RunningApp; close(): Promise<void> }> {
  const provider = await createTestProvider(options)
  let app: RunningApp
  try {
    app = await example.start({
      providerName: 'Test Provider',
      clientId: provider.client.id,
      clientSecret: provider.client.secret ?? '',
      requestTokenUrl: provider.requestTokenUrl,
      authorizeUrl: provider.authorizeUrl,
      accessTokenUrl: provider.accessTokenUrl,
      apiBaseUrl: provider.apiBaseUrl,
      timeout: 10_000,
      temporaryCredentialTtl: 600_000,
      host: '127.0.0.1',
      port: 0,
      sessionSecret: 'an example session secret, 32+ characters long',
      databasePath: ':memory:',
      secureCookies: false,
      ...(typeof overrides === 'function' ? overrides(provider) : overrides),
    })
  } catch (err) {
    await provider.close()
    throw err
  }
  return {
    provider,
    app,
    close: async () => {
      await app.close()
      await provider.close()
    },
  }
}

/**
 * Starts the `@oauth1/testing` emulation of a provider and the app configured
 * with that provider's preset (`PROVIDER_PRESET=<name>` and `options`), the
 * emulation's URLs spread over the preset's, as `pnpm demo` with
 * `DEMO_EMULATE=<name>` does; `close()` stops both.
 */
export async function startWithPreset(
  example: ExampleUnderTest,
  name: PresetName,
  options: Record<string, unknown> | ((provider: TestProvider) => Record<string, unknown>) = {},
  providerOptions: ProviderOptions = {},
): Promise<{ provider: TestProvider; app: RunningApp; close(): Promise<void> }> {
  return startWithProvider(example, { ...providerOptions, emulate: name }, (provider) => {
    const preset = { name, options: typeof options === 'function' ? options(provider) : options }
    const apiCall = presetApiCall(preset)
    return {
      providerName: PRESETS[name].title,
      clientId: provider.client.id,
      clientSecret: provider.client.secret,
      preset,
      // No local provider URLs: the emulation's own, spread over the preset's.
      requestTokenUrl: undefined,
      authorizeUrl: undefined,
      accessTokenUrl: undefined,
      apiBaseUrl: undefined,
      ...provider.urls,
      ...(apiCall === undefined ? {} : { apiCall }),
    }
  })
}

/** Clicks "Log in": follows the app's redirect to the consent page and reads its form. */
async function startLogin(
  client: HttpClient,
  appUrl: string,
  provider: TestProvider,
): Promise<{ oauth_token: string; csrf_token: string }> {
  const login = await client.request(`${appUrl}/login`)
  expect(login.status).toBe(302)
  const location = new URL(login.headers.get('location')!)
  expect(`${location.origin}${location.pathname}`).toBe(provider.authorizeUrl)
  // Only the request token travels in the redirect: never a secret.
  expect([...location.searchParams.keys()]).toEqual(['oauth_token'])

  const consent = await client.request(location.href)
  expect(consent.status).toBe(200)
  return consentForm(await consent.text())
}

/** Answers the consent form, then follows the provider's redirect back to the app. */
async function finishLogin(
  client: HttpClient,
  appUrl: string,
  provider: TestProvider,
  form: { oauth_token: string; csrf_token: string },
  decision: 'allow' | 'deny',
  userId: string,
): Promise<{ callbackUrl: string; final: Response }> {
  const answer = await client.request(provider.authorizeUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: provider.url },
    body: new URLSearchParams({ ...form, user_id: userId, decision }),
  })
  expect(answer.status).toBe(302)
  const callbackUrl = answer.headers.get('location')!
  expect(callbackUrl.startsWith(`${appUrl}/authorize?`)).toBe(true)
  const { final } = await client.follow(callbackUrl)
  return { callbackUrl, final }
}

/** Logs `client` in through the consent page as `userId`; returns the callback URL used. */
async function logIn(
  client: HttpClient,
  appUrl: string,
  provider: TestProvider,
  decision: 'allow' | 'deny' = 'allow',
  userId = '1002',
): Promise<{ callbackUrl: string; final: Response }> {
  const form = await startLogin(client, appUrl, provider)
  return finishLogin(client, appUrl, provider, form, decision, userId)
}

/**
 * Sends raw bytes to the app and reads what comes back until it closes (send
 * `Connection: close`). The socket stays open for writing: a server may drop a
 * half-closed connection before an async route answers.
 */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request))
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    socket.on('error', reject)
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer in 5 s')))
  })
}

async function page(response: Response): Promise<string> {
  expect(response.headers.get('content-type')).toMatch(/^text\/html/)
  return response.text()
}

/**
 * Runs the example app's in-process tests: pages, the whole login with the
 * consent page, the API call with the token from SQLite, replay, log-out,
 * refusal (both styles), provider failures and odd requests — each OAuth
 * failure a friendly page with the right status, never a 500.
 */
export function describeExampleApp(example: ExampleUnderTest): void {
  describe(`the ${example.framework} example app`, () => {
    let running: Awaited<ReturnType<typeof startWithProvider>>
    let appUrl: string

    beforeAll(async () => {
      running = await startWithProvider(example)
      appUrl = running.app.url
    })
    afterAll(async () => {
      await running?.close()
    })

    it('serves the home page with a "Log in with Test Provider" button', async () => {
      const response = await fetch(`${appUrl}/`)
      expect(response.status).toBe(200)
      const html = await page(response)
      expect(html).toContain('href="/login" data-testid="login">Log in with Test Provider</a>')
      expect(html).toContain(`@oauth1 · ${example.framework} example`)
    })

    it('answers an unknown page with a friendly 404', async () => {
      const response = await fetch(`${appUrl}/nope`)
      expect(response.status).toBe(404)
      expect(await page(response)).toContain('Page not found')
    })

    it('logs in, saves the token, calls the API with none passed, refuses a replay, logs out', async () => {
      const client = new HttpClient()
      const { callbackUrl, final } = await logIn(client, appUrl, running.provider)
      expect(final.url).toBe(`${appUrl}/`)
      const profile = await page(final)
      expect(profile).toContain('data-testid="profile-name">Bob Builder<')
      expect(profile).toContain('@bob')

      const api = await client.request(`${appUrl}/api-call`)
      expect(api.status).toBe(200)
      const apiPage = await page(api)
      expect(apiPage).toContain(`example-${example.id}`)
      expect(apiPage).toContain('hello world')
      const signed = running.provider.requests.findLast((r) => r.url.startsWith('/api/echo'))
      expect(signed).toMatchObject({ ok: true, method: 'GET' })

      const replay = await client.request(callbackUrl)
      expect(replay.status).toBe(400)
      expect(await page(replay)).toContain('data-testid="error-code">missing_temporary_credential<')

      const logout = await client.request(`${appUrl}/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      })
      expect(logout.status).toBe(303)
      expect(logout.headers.get('location')).toBe('/')
      const after = await client.request(`${appUrl}/api-call`)
      expect(after.status).toBe(401)
      const loggedOut = await page(after)
      expect(loggedOut).toContain('You are logged out')
      expect(loggedOut).toContain('data-testid="error-code">missing_token<')

      // Logging in again (as alice now) replaces nobody's token and works as before.
      const again = await logIn(new HttpClient(), appUrl, running.provider, 'allow', '1001')
      expect(await page(again.final)).toContain('data-testid="profile-name">Alice Liddell<')
    })

    it('serves only its own Host without PUBLIC_URL: a forged one never reaches the provider', async () => {
      const before = running.provider.requests.length
      const { port } = new URL(appUrl)
      for (const host of ['localhost:9', `evil.example:${port}`, 'evil.example', '']) {
        const head = await rawRequest(
          Number(port),
          `GET /login HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        )
        expect(Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]), host).toBe(400)
        if (host !== '') expect(head, host).toContain('data-testid="error-code">unknown_host<')
      }
      expect(running.provider.requests.length).toBe(before)
      // Its own names, on its own port, are served.
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
        const head = await rawRequest(
          Number(port),
          `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        )
        expect(head, host).toMatch(/^HTTP\/1\.1 200 /)
      }
    })

    it('log-out holds for a copy of the cookies kept from before it', async () => {
      const client = new HttpClient()
      await logIn(client, appUrl, running.provider)
      const copy = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
      const before = await fetch(`${appUrl}/api-call`, { headers: { cookie: copy } })
      expect(before.status).toBe(200)
      await before.body?.cancel()
      const logout = await client.request(`${appUrl}/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      })
      expect(logout.status).toBe(303)
      const replayed = await fetch(`${appUrl}/api-call`, { headers: { cookie: copy } })
      expect(replayed.status).toBe(401)
      expect(await page(replayed)).toContain('data-testid="error-code">missing_token<')
      const home = await page(await fetch(`${appUrl}/`, { headers: { cookie: copy } }))
      expect(home).toContain('data-testid="login"')
    })

    it('completes two logins pending in one session (two tabs), in either order', async () => {
      const client = new HttpClient()
      const tab1 = await startLogin(client, appUrl, running.provider)
      const tab2 = await startLogin(client, appUrl, running.provider)
      expect(tab1.oauth_token).not.toBe(tab2.oauth_token)
      const second = await finishLogin(client, appUrl, running.provider, tab2, 'allow', '1003')
      expect(await page(second.final)).toContain('data-testid="profile-name">Carol Danvers<')
      const first = await finishLogin(client, appUrl, running.provider, tab1, 'allow', '1001')
      expect(await page(first.final)).toContain('data-testid="profile-name">Alice Liddell<')
    })

    it('keeps users apart: each session calls the API with its own token', async () => {
      const alice = new HttpClient()
      const bob = new HttpClient()
      await logIn(alice, appUrl, running.provider, 'allow', '1001')
      await logIn(bob, appUrl, running.provider, 'allow', '1002')
      const tokens = new Set<string | undefined>()
      for (const client of [alice, bob]) {
        const response = await client.request(`${appUrl}/api-call`)
        expect(response.status).toBe(200)
        await response.body?.cancel()
        tokens.add(
          running.provider.requests.findLast((r) => r.url.startsWith('/api/echo'))?.oauthParams
            .oauth_token,
        )
      }
      expect(tokens.size).toBe(2)
    })

    it('shows access_denied (403) when the user refuses on the consent page', async () => {
      const { final } = await logIn(new HttpClient(), appUrl, running.provider, 'deny')
      expect(final.status).toBe(403)
      const html = await page(final)
      expect(html).toContain('You did not allow access')
      expect(html).toContain('data-testid="error-code">access_denied<')
      expect(html).not.toMatch(/at .+\.(?:ts|js):\d+/)
    })

    it('answers bad callbacks with 400 pages, without asking the provider', async () => {
      const exchanges = () =>
        running.provider.requests.filter((r) => r.endpoint === 'accessToken').length
      const before = exchanges()
      for (const [query, code] of [
        ['', 'missing_token'],
        ['?oauth_token=forged&oauth_verifier=x', 'missing_temporary_credential'],
        ['?oauth_token=a&oauth_token=b&oauth_verifier=x', undefined],
        ['?oauth_token=%E0%A4%A&oauth_verifier=x', undefined],
      ] as const) {
        const response = await fetch(`${appUrl}/authorize${query}`)
        expect(response.status, query).toBe(400)
        const html = await page(response)
        if (code) expect(html).toContain(`data-testid="error-code">${code}<`)
      }
      expect(exchanges()).toBe(before)
    })

    it('never answers odd requests with a 500', async () => {
      const odd: [string, RequestInit?][] = [
        ['/login', { method: 'POST' }],
        ['/logout'],
        [
          '/logout',
          {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'x=1',
          },
        ],
        ['/%E0%A4%A'],
        ['/api-call?x=%ZZ'],
        ['/login', { method: 'PROPFIND' }],
        ['/authorize', { method: 'LOCK' }],
        ['/', { method: 'PATCH' }],
        [`/authorize?oauth_token=${'a'.repeat(4000)}&oauth_verifier=v`],
      ]
      for (const [path, init] of odd) {
        const response = await fetch(`${appUrl}${path}`, { ...init, redirect: 'manual' })
        const status = response.status
        // 501 (Koa's allowedMethods, for a method no route knows) is an answer, not a failure.
        expect(status < 500 || status === 501, `${init?.method ?? 'GET'} ${path}: ${status}`).toBe(
          true,
        )
        await response.body?.cancel()
      }
      // The asterisk form names no path: no session middleware serves it.
      const { port } = new URL(appUrl)
      for (const method of ['OPTIONS', 'GET']) {
        const head = await rawRequest(
          Number(port),
          `${method} * HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
        )
        expect(Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]), `${method} *`).toBeLessThan(500)
      }
    })
  })

  describe(`the ${example.framework} example app, with its SQLite file`, () => {
    it('keeps the token in the oauth1_token table, never in a cookie, and uses it for the API', async () => {
      const dir = mkdtempSync(join(tmpdir(), `oauth1-${example.id}-`))
      const path = join(dir, 'example.db')
      const running = await startWithProvider(example, {}, { databasePath: path })
      try {
        const client = new HttpClient()
        await logIn(client, running.app.url, running.provider, 'allow', '1001')
        const api = await client.request(`${running.app.url}/api-call`)
        expect(api.status).toBe(200)
        await api.body?.cancel()

        const db = openSqlite(path, { readonly: true })
        try {
          const rows = db
            .prepare(
              `SELECT t.name, t.oauth_token, t.oauth_token_secret, u.provider_user_id, u.screen_name
               FROM oauth1_token t JOIN users u ON u.id = CAST(t.user AS INTEGER)`,
            )
            .all() as Record<string, string>[]
          expect(rows).toHaveLength(1)
          const row = rows[0]!
          expect(row).toMatchObject({
            name: 'provider',
            provider_user_id: '1001',
            screen_name: 'alice',
          })
          // The API call was signed with exactly this saved token.
          const call = running.provider.requests.findLast((r) => r.url.startsWith('/api/echo'))
          expect(call?.oauthParams.oauth_token).toBe(row.oauth_token)
          // No cookie holds the token secret, however it is encoded.
          const secret = row.oauth_token_secret!
          for (const [name, value] of client.cookies) {
            const decoded = [value, decodeURIComponent(value)]
            for (const part of value.split(/[.:]/)) {
              decoded.push(Buffer.from(part, 'base64').toString('latin1'))
              decoded.push(Buffer.from(part, 'base64url').toString('latin1'))
            }
            for (const text of decoded) expect(text, `cookie ${name}`).not.toContain(secret)
          }
        } finally {
          db.close()
        }
      } finally {
        await running.close()
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })

  describe(`the ${example.framework} example app, with forged or broken cookies`, () => {
    let running: Awaited<ReturnType<typeof startWithProvider>>
    beforeAll(async () => {
      running = await startWithProvider(example)
    })
    afterAll(async () => {
      await running?.close()
    })

    it('treats garbage session cookies as no session, never a 500', async () => {
      // The cookies a real login sets, with their values replaced by garbage.
      const client = new HttpClient()
      await logIn(client, running.app.url, running.provider)
      const names = [...client.cookies.keys()]
      expect(names.length).toBeGreaterThan(0)
      const garbage = ['x', '%', 'e30', 'eyJ1c2VySWQiOiIxIn0', '"', 's:abc.def', 'a'.repeat(3000)]
      for (const value of garbage) {
        const cookie = names.map((n) => `${n}=${value}`).join('; ')
        for (const path of [
          '/',
          '/api-call',
          '/authorize?oauth_token=t&oauth_verifier=v',
          '/login',
        ]) {
          const response = await fetch(`${running.app.url}${path}`, {
            headers: { cookie },
            redirect: 'manual',
          })
          expect(response.status, `${path} with ${value.slice(0, 20)}`).toBeLessThan(500)
          if (path === '/') expect(await response.text()).toContain('data-testid="login"')
          else await response.body?.cancel()
        }
      }
    })
  })

  describe(`the ${example.framework} example app, with a provider preset (PROVIDER_PRESET) against its emulation`, () => {
    /** Clicks "Log in", answers the emulation's consent page, follows the callback home. */
    async function presetLogin(
      running: Awaited<ReturnType<typeof startWithPreset>>,
      decision: 'allow' | 'deny' = 'allow',
    ): Promise<{ client: HttpClient; authorize: URL; consent: string; final: Response }> {
      const client = new HttpClient()
      const login = await client.request(`${running.app.url}/login`)
      expect(login.status).toBe(302)
      const authorize = new URL(login.headers.get('location')!)
      expect(`${authorize.origin}${authorize.pathname}`).toBe(running.provider.authorizeUrl)
      expect(authorize.searchParams.has('oauth_token_secret')).toBe(false)
      const page = await client.request(authorize.href)
      expect(page.status).toBe(200)
      const consent = await page.text()
      const answer = await client.request(consentAction(consent, authorize.href), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: running.provider.url,
        },
        body: new URLSearchParams({ ...consentForm(consent), user_id: '1002', decision }),
      })
      expect(answer.status).toBe(302)
      const callback = answer.headers.get('location')!
      expect(callback.startsWith(`${running.app.url}/authorize?`)).toBe(true)
      const { final } = await client.follow(callback)
      return { client, authorize, consent, final }
    }

    it("trello: Trello's consent page with the preset's options, then the userinfo() profile", async () => {
      const running = await startWithPreset(example, 'trello', {
        name: 'Demo App',
        scope: 'read,account',
        expiration: '1hour',
      })
      try {
        const home = await page(await fetch(`${running.app.url}/`))
        expect(home).toContain('data-testid="login">Log in with Trello</a>')

        const { client, authorize, consent, final } = await presetLogin(running)
        expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
          name: 'Demo App',
          scope: 'read,account',
          expiration: '1hour',
        })
        expect(consent).toContain('Let Demo App use your account?')
        expect(final.url).toBe(`${running.app.url}/`)
        const profile = await page(final)
        expect(profile).toContain('data-testid="profile-name">Bob Builder<')
        expect(profile).toContain('data-testid="claim-preferred_username">@bob<')
        expect(profile).toMatch(/data-testid="claim-sub">[0-9a-f]{24}</)
        // The e-mail address comes with the account scope.
        expect(profile).toContain('data-testid="claim-email">bob@example.test<')
        expect(profile).toContain('href="https://trello.com/u/bob"')
        expect(profile).toMatch(
          /<img class="avatar" src="https:\/\/trello-members\.s3\.amazonaws\.com\/[0-9a-f]{24}\/[0-9a-f]{32}\/170\.png"/,
        )
        // userinfo() read Trello's profile endpoint, signed with the new token.
        const me = running.provider.requests.findLast((r) => r.url.startsWith('/1/members/me'))
        expect(me).toMatchObject({ ok: true, method: 'GET' })

        const api = await client.request(`${running.app.url}/api-call`)
        expect(api.status).toBe(200)
        const apiPage = await page(api)
        expect(apiPage).toContain('GET /1/members/me?fields=username,fullName,url')
        expect(apiPage).toContain('&quot;fullName&quot;: &quot;Bob Builder&quot;')
      } finally {
        await running.close()
      }
    })

    it('woocommerce (signing-only): no login, and the API call signed with the consumer key alone', async () => {
      const running = await startWithPreset(example, 'woocommerce', (provider) => ({
        storeUrl: provider.url,
      }))
      try {
        const home = await fetch(`${running.app.url}/`)
        expect(home.status).toBe(200)
        const html = await page(home)
        expect(html).toContain('WooCommerce has no login')
        expect(html).not.toContain('data-testid="login"')
        for (const path of ['/login', '/authorize?oauth_token=t&oauth_verifier=v']) {
          const response = await fetch(`${running.app.url}${path}`, { redirect: 'manual' })
          expect(response.status, path).toBe(404)
          expect(await page(response)).toContain('WooCommerce has no login')
        }
        const api = await fetch(`${running.app.url}/api-call`)
        expect(api.status).toBe(200)
        expect(await page(api)).toContain("signed with the app's own credentials")
        const call = running.provider.requests.findLast((r) =>
          r.url.startsWith('/wp-json/wc/v3/products'),
        )
        expect(call).toMatchObject({ ok: true, method: 'GET' })
        expect(call?.oauthParams.oauth_token).toBeUndefined()
      } finally {
        await running.close()
      }
    })

    it('twitter: a token response labelled text/html still logs in; userinfo() from its fields', async () => {
      const running = await startWithPreset(example, 'twitter', { accessType: 'read' })
      try {
        const { client, final } = await presetLogin(running)
        const profile = await page(final)
        expect(profile).toContain('data-testid="profile-name">@bob<')
        expect(profile).toContain('data-testid="claim-sub">1002<')
        expect(profile).toContain('href="https://x.com/bob"')
        const exchange = running.provider.requests.findLast((r) => r.endpoint === 'accessToken')
        expect(exchange).toMatchObject({ ok: true })
        // X puts the user in the token response: no profile request was needed.
        expect(running.provider.requests.some((r) => r.url.startsWith('/2/users/me'))).toBe(false)
        const api = await client.request(`${running.app.url}/api-call`)
        expect(api.status).toBe(200)
        expect(await page(api)).toContain('&quot;username&quot;: &quot;bob&quot;')

        // X's refusal style (denied=…) is an access_denied page.
        const refused = await presetLogin(running, 'deny')
        expect(refused.final.status).toBe(403)
        expect(await page(refused.final)).toContain('data-testid="error-code">access_denied<')
      } finally {
        await running.close()
      }
    })
  })

  describe(`the ${example.framework} example app, when the provider misbehaves`, () => {
    it('shows access_denied for an X-style refusal (denied=…)', async () => {
      const running = await startWithProvider(example, { quirks: { denial: 'denied' } })
      try {
        const { final } = await logIn(new HttpClient(), running.app.url, running.provider, 'deny')
        expect(final.status).toBe(403)
        expect(await page(final)).toContain('data-testid="error-code">access_denied<')
      } finally {
        await running.close()
      }
    })

    it.each([
      [
        'answers 500',
        { failure: { requestToken: 'server_error' } },
        'fetch_token_denied',
        'refused the request',
      ],
      [
        'answers HTML instead of a token',
        { failure: { requestToken: 'html' } },
        'invalid_token_response',
        'unexpected answer',
      ],
      [
        'does not confirm the callback',
        { callbackConfirmed: 'omit' },
        'callback_not_confirmed',
        'did not confirm the callback',
      ],
    ] as const)('shows a 502 page when the provider %s', async (_, quirks, code, title) => {
      const running = await startWithProvider(example, { quirks })
      try {
        const response = await fetch(`${running.app.url}/login`, { redirect: 'manual' })
        expect(response.status).toBe(502)
        const html = await page(response)
        expect(html).toContain(`data-testid="error-code">${code}<`)
        expect(html).toContain(title)
      } finally {
        await running.close()
      }
    })

    it('shows a 502 page when the token exchange fails', async () => {
      const running = await startWithProvider(example, {
        quirks: { failure: { accessToken: 'malformed' } },
      })
      try {
        const { final } = await logIn(new HttpClient(), running.app.url, running.provider)
        expect(final.status).toBe(502)
        expect(await page(final)).toContain('data-testid="error-code">invalid_token_response<')
      } finally {
        await running.close()
      }
    })

    it('shows a 504 page when the provider is too slow', async () => {
      const running = await startWithProvider(
        example,
        { quirks: { delay: { requestToken: 5_000 } } },
        { timeout: 200 },
      )
      try {
        const response = await fetch(`${running.app.url}/login`, { redirect: 'manual' })
        expect(response.status).toBe(504)
        const html = await page(response)
        expect(html).toContain('Test Provider did not answer in time')
        expect(html).toContain('data-testid="error-code">request_timeout<')
      } finally {
        await running.close()
      }
    })

    it('shows a 400 page when the login took longer than the app allows', async () => {
      // A login is valid for 1 ms here: the consent page alone takes longer.
      const running = await startWithProvider(example, {}, { temporaryCredentialTtl: 1 })
      try {
        const before = running.provider.requests.filter((r) => r.endpoint === 'accessToken').length
        const { final } = await logIn(new HttpClient(), running.app.url, running.provider)
        expect(final.status).toBe(400)
        const html = await page(final)
        expect(html).toContain('This login has expired or was already used')
        expect(html).toContain('data-testid="error-code">missing_temporary_credential<')
        expect(html).toMatch(/expired/i)
        expect(running.provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(
          before,
        )
      } finally {
        await running.close()
      }
    })

    it('shows a 502 page when the provider goes down after the login', async () => {
      const running = await startWithProvider(example)
      try {
        const client = new HttpClient()
        await logIn(client, running.app.url, running.provider)
        await running.provider.close()
        const response = await client.request(`${running.app.url}/api-call`)
        expect(response.status).toBe(502)
        expect(await page(response)).toContain('Test Provider cannot be reached')
      } finally {
        await running.close()
      }
    })

    it.each([
      [504, 'never finishes its answer', 'drip', 'request_timeout'],
      [502, 'breaks its answer off', 'truncated', 'request_failed'],
    ] as const)('shows a %i page when the API %s', async (status, _, failure, code) => {
      const running = await startWithProvider(example, {}, { timeout: 500 })
      try {
        const client = new HttpClient()
        await logIn(client, running.app.url, running.provider)
        running.provider.setQuirks({ failure: { api: failure } })
        const started = performance.now()
        const response = await client.request(`${running.app.url}/api-call`)
        expect(response.status).toBe(status)
        expect(await page(response)).toContain(`data-testid="error-code">${code}<`)
        // Within the provider's timeout (500 ms) and some slack, not for ever.
        expect(performance.now() - started).toBeLessThan(5_000)
      } finally {
        await running.close()
      }
    })

    it('with PUBLIC_URL, the callback is the public one, whatever Host the request carried', async () => {
      const running = await startWithProvider(example, {}, { publicUrl: 'http://localhost:1' })
      try {
        const { port } = new URL(running.app.url)
        const head = await rawRequest(
          Number(port),
          `GET /login HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`,
        )
        expect(head).toMatch(/^HTTP\/1\.1 302 /)
        const sent = running.provider.requests.findLast((r) => r.endpoint === 'requestToken')
        expect(sent?.oauthParams.oauth_callback).toBe('http://localhost:1/authorize')
      } finally {
        await running.close()
      }
    })

    it('behind an https proxy it trusts (COOKIE_SECURE, TRUST_PROXY): Secure cookies on the login', async () => {
      const running = await startWithProvider(
        example,
        {},
        { secureCookies: true, trustProxy: true, publicUrl: 'https://localhost' },
      )
      try {
        const login = await fetch(`${running.app.url}/login`, {
          redirect: 'manual',
          headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'localhost' },
        })
        expect(login.status).toBe(302)
        const cookies = login.headers.getSetCookie()
        expect(cookies.length).toBeGreaterThan(0)
        for (const cookie of cookies) expect(cookie, cookie).toMatch(/;\s*secure/i)
      } finally {
        await running.close()
      }
    })

    it('shows a 502 page, "cannot be reached", when the provider is down', async () => {
      const running = await startWithProvider(example)
      try {
        await running.provider.close()
        const response = await fetch(`${running.app.url}/login`, { redirect: 'manual' })
        expect(response.status).toBe(502)
        const html = await page(response)
        expect(html).toContain('Test Provider cannot be reached')
        expect(html).toContain('data-testid="error-code">fetch_token_denied<')
      } finally {
        await running.close()
      }
    })
  })
}
