import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { OAuth1Client, parseCallbackQuery } from './client.js'
import { createFakeProvider, rejection } from './fake-provider.test-helper.js'
import { DEFAULT_TIMEOUT } from './http.js'
import {
  configKey,
  OAuth,
  RemoteApp,
  type ResolvedRemoteAppOptions,
  toUpperSnake,
} from './registry.js'
import { createMemoryStore } from './stores.js'
import type { Token } from './types.js'
import { isPathCallback, resolveCallbackUri } from './url.js'

const P = 'https://provider.test'
const urls = {
  requestTokenUrl: `${P}/oauth/request_token`,
  accessTokenUrl: `${P}/oauth/access_token`,
  authorizeUrl: `${P}/oauth/authorize`,
}

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('OAuth.register', () => {
  it('registers an app as oauth[name] (Authlib test_register_remote_app)', () => {
    const oauth = new OAuth({ config: {} })
    expect(oauth.dev).toBeUndefined()
    const app = oauth.register('dev', { clientId: 'dev', clientSecret: 'dev', ...urls })
    expect(oauth.dev).toBe(app)
    expect(app).toBeInstanceOf(RemoteApp)
    expect(app.name).toBe('dev')
    expect(app.clientId).toBe('dev')
  })

  it('reads options left out from config as <NAME>_<OPTION> (Authlib test_register_conf_from_app)', () => {
    const oauth = new OAuth({
      config: {
        TWITTER_CLIENT_ID: 'tw-id',
        TWITTER_CLIENT_SECRET: 'tw-secret',
        TWITTER_REQUEST_TOKEN_URL: urls.requestTokenUrl,
        TWITTER_ACCESS_TOKEN_URL: urls.accessTokenUrl,
        TWITTER_AUTHORIZE_URL: urls.authorizeUrl,
        TWITTER_API_BASE_URL: 'https://api.twitter.com/1.1/',
        TWITTER_AUTHORIZE_PARAMS: 'force_login=true&lang=en',
        TWITTER_REQUIRE_CALLBACK_CONFIRMED: 'false',
        TWITTER_TEMPORARY_CREDENTIAL_TTL: '60000',
        TWITTER_SIGNATURE_METHOD: 'HMAC-SHA256',
      },
    })
    const app = oauth.register('twitter')
    expect(app.clientId).toBe('tw-id')
    expect(app.requestTokenUrl).toBe(urls.requestTokenUrl)
    expect(app.apiBaseUrl).toBe('https://api.twitter.com/1.1/')
    const options = (app as unknown as { options: ResolvedRemoteAppOptions }).options
    expect(options).toMatchObject({
      clientSecret: 'tw-secret',
      authorizeParams: { force_login: 'true', lang: 'en' },
      requireCallbackConfirmed: false,
      temporaryCredentialTtl: 60000,
      clientKwargs: { signatureMethod: 'HMAC-SHA256' },
    })
  })

  it("shows the app's timeout: the option (from config too), else the default", () => {
    const oauth = new OAuth({ config: { SLOW_TIMEOUT: '2500' } })
    expect(oauth.register('plain', { clientId: 'a', ...urls }).timeout).toBe(DEFAULT_TIMEOUT)
    expect(oauth.register('set', { clientId: 'a', ...urls, timeout: 0 }).timeout).toBe(0)
    expect(oauth.register('slow', { clientId: 'a', ...urls }).timeout).toBe(2500)
  })

  it('reads process.env by default', () => {
    vi.stubEnv('ENV_APP_CLIENT_ID', 'from-env')
    const app = new OAuth().register('envApp', urls)
    expect(app.clientId).toBe('from-env')
  })

  it('prefers explicit options, unless overwrite: true (Authlib test_register_with_overwrite)', () => {
    const config = {
      DEV_CLIENT_ID: 'dev-1',
      DEV_CLIENT_SECRET: 'dev',
      DEV_ACCESS_TOKEN_PARAMS: '{"foo":"foo-1"}',
    }
    const kept = new OAuth({ config }).register('dev', {
      clientId: 'dev',
      accessTokenParams: { foo: 'foo' },
      ...urls,
    })
    expect(kept.clientId).toBe('dev')
    const over = new OAuth({ config }).register('dev', {
      overwrite: true,
      clientId: 'dev',
      accessTokenParams: { foo: 'foo' },
      userAgent: 'explicit/1.0',
      timeout: 1234,
      ...urls,
    })
    expect(over.clientId).toBe('dev-1')
    const options = (over as unknown as { options: ResolvedRemoteAppOptions }).options
    expect(options.clientSecret).toBe('dev')
    expect(options.accessTokenParams).toEqual({ foo: 'foo-1' })
    // overwrite lets config win where it has a value; what config lacks stays explicit
    expect(options.userAgent).toBe('explicit/1.0')
    expect(options.timeout).toBe(1234)
    expect(over.requestTokenUrl).toBe(urls.requestTokenUrl)
  })

  it('reads userAgent from config as <NAME>_USER_AGENT, and sends it', async () => {
    const provider = createFakeProvider()
    const config = {
      DEV_CLIENT_ID: provider.clientId,
      DEV_CLIENT_SECRET: provider.clientSecret,
      DEV_USER_AGENT: 'from-config/1.0',
    }
    expect(configKey('dev', 'userAgent')).toBe('DEV_USER_AGENT')
    const app = new OAuth({ config }).register('dev', { ...urls, fetch: provider.fetch })
    const options = (app as unknown as { options: ResolvedRemoteAppOptions }).options
    expect(options.userAgent).toBe('from-config/1.0')
    await app.beginAuthorization(createMemoryStore(), 'https://app.example/cb')
    expect(provider.hits('/oauth/request_token')[0]!.headers.get('user-agent')).toBe(
      'from-config/1.0',
    )
    const explicit = (o: { overwrite?: boolean }) =>
      (
        new OAuth({ config }).register('dev', {
          ...urls,
          userAgent: 'explicit/1.0',
          ...o,
        }) as unknown as {
          options: ResolvedRemoteAppOptions
        }
      ).options.userAgent
    expect(explicit({})).toBe('explicit/1.0')
    expect(explicit({ overwrite: true })).toBe('from-config/1.0')
  })

  it('refuses a blank clientId, or one with whitespace at an end, naming where it came from', () => {
    const blank = new OAuth({ config: { TWITTER_CLIENT_ID: '   ' } })
    expect(() => blank.register('twitter', {})).toThrow(
      new TypeError(
        "register('twitter'): clientId is blank; check what you pass or TWITTER_CLIENT_ID",
      ),
    )
    const pasted = new OAuth({ config: { TWITTER_CLIENT_ID: 'abc123\n' } })
    expect(() => pasted.register('twitter', {})).toThrow(
      new TypeError(
        "register('twitter'): clientId starts or ends with whitespace; check what you pass or TWITTER_CLIENT_ID",
      ),
    )
    const oauth = new OAuth({ config: {} })
    expect(() => oauth.register('x', { clientId: ' key' })).toThrow(/clientId starts or ends/)
    expect(oauth.register('y', { clientId: 'key with inner space' }).clientId).toBe(
      'key with inner space',
    )
  })

  it('refuses a clientSecret or static token secret with a line break at an end (read from a file), as the client does', () => {
    const fromFile = new OAuth({
      config: { TWITTER_CLIENT_ID: 'abc123', TWITTER_CLIENT_SECRET: 's3cret\n' },
    })
    expect(() => fromFile.register('twitter', {})).toThrow(
      new TypeError(
        "register('twitter'): clientSecret starts or ends with a line break (CR or LF): it probably came from a file; trim it (check what you pass or TWITTER_CLIENT_SECRET)",
      ),
    )
    const oauth = new OAuth({ config: {} })
    expect(() => oauth.register('x', { clientId: 'k', clientSecret: '\r\ns3cret' })).toThrow(
      /^register\('x'\): clientSecret starts or ends with a line break/,
    )
    const token = new OAuth({
      config: { X_CLIENT_ID: 'k', X_TOKEN: 't', X_TOKEN_SECRET: 'ts\r\n' },
    })
    expect(() => token.register('x', {})).toThrow(
      new TypeError(
        "register('x'): token.oauth_token_secret starts or ends with a line break (CR or LF): it probably came from a file; trim it (check what you pass or X_TOKEN_SECRET)",
      ),
    )
    for (const [option, value] of [
      ['clientSecret', 's3cret\n'],
      ['tokenSecret', '\rts'],
    ] as const) {
      expect(() => new OAuth1Client({ clientId: 'k', [option]: value })).toThrow(
        new TypeError(
          `${option} starts or ends with a line break (CR or LF): it probably came from a file; trim it`,
        ),
      )
    }
    // Inside a secret, or a space at an end, is the provider's business.
    expect(oauth.register('y', { clientId: 'k', clientSecret: ' a\nb ' }).clientId).toBe('k')
  })

  it('names the option and the variable when a required one is missing', () => {
    const oauth = new OAuth({ config: {} })
    expect(() => oauth.register('twitter', { requestTokenUrl: 'x' })).toThrow(
      new TypeError("register('twitter'): clientId is required; pass it or set TWITTER_CLIENT_ID"),
    )
    expect(() => oauth.register('myApp', { clientId: 'a', ...urls, authorizeUrl: '' })).toThrow(
      new TypeError(
        "register('myApp'): authorizeUrl is required with requestTokenUrl and accessTokenUrl; pass it or set MY_APP_AUTHORIZE_URL (or give none of the three for a signing-only app)",
      ),
    )
    expect(() =>
      oauth.register('twitter', {
        clientId: 'a',
        accessTokenUrl: urls.accessTokenUrl,
        authorizeUrl: urls.authorizeUrl,
      }),
    ).toThrow(
      new TypeError(
        "register('twitter'): requestTokenUrl is required with accessTokenUrl and authorizeUrl; pass it or set TWITTER_REQUEST_TOKEN_URL (or give none of the three for a signing-only app)",
      ),
    )
  })

  it('validates options with a TypeError naming them', () => {
    const oauth = new OAuth({ config: { BAD_TIMEOUT: 'soon' } })
    expect(() =>
      oauth.register('x', { clientId: 'a', ...urls, requestTokenUrl: 'not a url' }),
    ).toThrow(new TypeError('requestTokenUrl must be an absolute http(s) URL'))
    expect(() =>
      oauth.register('x', {
        clientId: 'a',
        ...urls,
        clientKwargs: { signatureMethod: 'RSA-SHA1' },
      }),
    ).toThrow(new TypeError('rsaKey is required for RSA-SHA1'))
    expect(() =>
      oauth.register('x', { clientId: 'a', ...urls, authorizeParams: { a: 1 as never } }),
    ).toThrow(new TypeError('authorizeParams.a must be a string'))
    expect(() =>
      oauth.register('x', { clientId: 'a', ...urls, temporaryCredentialTtl: 0 }),
    ).toThrow(new TypeError('temporaryCredentialTtl must be a positive number of milliseconds'))
    expect(() => oauth.register('bad', { clientId: 'a', ...urls })).toThrow(
      new TypeError('BAD_TIMEOUT: timeout must be a number'),
    )
    expect(() => oauth.register('x', { clientId: 'a', ...urls, redirectUri: '../cb' })).toThrow(
      new TypeError(
        'redirectUri "../cb" has a "." or ".." segment: write the path it means, such as "/authorize"',
      ),
    )
    expect(() => oauth.register('', { clientId: 'a', ...urls })).toThrow(
      new TypeError('name must be an identifier such as "twitter"'),
    )
  })

  it('refuses names that collide with the registry', () => {
    const oauth = new OAuth({ config: {} })
    for (const name of [
      'register',
      'createClient',
      'context',
      'fetchToken',
      'constructor',
      'toString',
      'createRemoteApp',
    ]) {
      expect(() => oauth.register(name, { clientId: 'a', ...urls })).toThrow(
        new TypeError(`name "${name}" is taken by a property of OAuth; choose another`),
      )
    }
  })

  it('replaces an app registered again', () => {
    const oauth = new OAuth({ config: {} })
    oauth.register('dev', { clientId: 'one', ...urls })
    const second = oauth.register('dev', { clientId: 'two', ...urls })
    expect(oauth.dev).toBe(second)
    expect(oauth.createClient('dev')).toBe(second)
  })

  it('createClient returns the app or undefined (Authlib test_create_client)', () => {
    const oauth = new OAuth({ config: {} })
    expect(oauth.createClient('dev')).toBeUndefined()
    oauth.register('dev', { clientId: 'dev', ...urls })
    expect(oauth.createClient('dev')).toBe(oauth.dev)
    expect(oauth.createClient('toString')).toBeUndefined()
  })

  it('lets subclasses build their own app (adapters)', () => {
    class MyApp extends RemoteApp<{ id: number }> {
      hello() {
        return `hello ${this.name}`
      }
    }
    class MyOAuth extends OAuth<{ id: number }, MyApp> {
      protected override createRemoteApp(name: string, options: ResolvedRemoteAppOptions) {
        return new MyApp(this, name, options)
      }
    }
    const oauth = new MyOAuth({ config: {} })
    const app = oauth.register('dev', { clientId: 'dev', ...urls })
    expect(app.hello()).toBe('hello dev')
    expect(oauth.createClient('dev')).toBe(app)
  })

  it('never serialises secrets', () => {
    const app = new OAuth({ config: {} }).register('dev', {
      clientId: 'dev',
      clientSecret: 'very-secret',
      ...urls,
    })
    expect(JSON.stringify(app)).toBe('{"name":"dev","clientId":"dev"}')
  })

  it('never shows secrets when the app or the registry is inspected, logged or spread', () => {
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('dev', {
      clientId: 'dev',
      clientSecret: 'client-secret-value',
      token: { oauth_token: 'static', oauth_token_secret: 'static-token-secret' },
      ...urls,
    })
    for (const value of [app, oauth]) {
      for (const options of [{}, { showHidden: true, depth: 10 }]) {
        const shown = inspect(value, options)
        expect(shown).toContain('dev')
        expect(shown).not.toContain('client-secret-value')
        expect(shown).not.toContain('static-token-secret')
      }
    }
    expect(JSON.stringify({ ...app })).not.toContain('client-secret-value')
    expect(Object.keys(app)).not.toContain('options')
  })

  it('computes config keys', () => {
    expect(configKey('twitter', 'clientId')).toBe('TWITTER_CLIENT_ID')
    expect(configKey('twitter', 'apiBaseUrl')).toBe('TWITTER_API_BASE_URL')
    expect(toUpperSnake('my-app')).toBe('MY_APP')
    expect(toUpperSnake('myApp')).toBe('MY_APP')
  })
})

describe('RemoteApp.request', () => {
  function setup(
    options: {
      fetchToken?: (req: unknown) => Token | null
      registryFetchToken?: (name: string, req: unknown) => Token | null
      userAgent?: string
    } = {},
  ) {
    const provider = createFakeProvider()
    provider.access.set('user-token', 'user-secret')
    provider.access.set('other-token', 'other-secret')
    const oauth = new OAuth<{ user: string }>({
      config: {},
      ...(options.registryFetchToken ? { fetchToken: options.registryFetchToken } : {}),
    })
    const app = oauth.register('dev', {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      ...urls,
      apiBaseUrl: `${P}/api/1.1/`,
      fetch: provider.fetch,
      ...(options.fetchToken ? { fetchToken: options.fetchToken } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    })
    return { oauth, app, provider }
  }
  const USER: Token = { oauth_token: 'user-token', oauth_token_secret: 'user-secret' }
  const OTHER: Token = { oauth_token: 'other-token', oauth_token_secret: 'other-secret' }

  it('joins relative URLs to apiBaseUrl like Authlib, uses absolute ones as they are', async () => {
    const { app, provider } = setup()
    await app.get('statuses/home_timeline.json', { token: USER })
    await app.get(`${P}/api/abs`, { token: USER })
    await app.get(new URL(`${P}/api/url`), { token: USER })
    await app.get('/api/rooted', { token: USER })
    expect(provider.requests.map((r) => r.url.href)).toEqual([
      `${P}/api/1.1/statuses/home_timeline.json`,
      `${P}/api/abs`,
      `${P}/api/url`,
      `${P}/api/rooted`,
    ])
  })

  it('refuses relative URLs that would leave apiBaseUrl’s origin', async () => {
    const { app, provider } = setup()
    for (const url of ['//evil.example/x', '/\\evil.example/x', '\\\\evil.example/x']) {
      await expect(app.get(url, { token: USER })).rejects.toThrow(TypeError)
    }
    expect(provider.requests).toHaveLength(0)
    const bare = new OAuth({ config: {} }).register('bare', { clientId: 'a', ...urls })
    await expect(bare.get('relative', { token: USER })).rejects.toThrow(
      new TypeError('url is relative but bare has no apiBaseUrl'),
    )
  })

  it('every verb helper sends its method, signed', async () => {
    const { app, provider } = setup()
    for (const verb of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const res = await app[verb]('thing', { token: USER })
      expect(res.status).toBe(200)
    }
    expect(provider.requests.map((r) => r.method)).toEqual([
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
    ])
  })

  it('uses init.token first', async () => {
    const fetchToken = vi.fn(() => OTHER)
    const { app, provider } = setup({ fetchToken })
    await app.get('me', { token: USER, request: { user: 'x' } })
    expect(fetchToken).not.toHaveBeenCalled()
    expect(provider.requests[0]!.params.oauth_token).toBe('user-token')
  })

  it('then the app-level fetchToken(request), before the registry-level one', async () => {
    const appFetch = vi.fn(() => USER)
    const registryFetch = vi.fn(() => OTHER)
    const { app, provider } = setup({ fetchToken: appFetch, registryFetchToken: registryFetch })
    const request = { user: 'jane' }
    await app.get('me', { request })
    expect(appFetch).toHaveBeenCalledWith(request)
    expect(registryFetch).not.toHaveBeenCalled()
    expect(provider.requests[0]!.params.oauth_token).toBe('user-token')
  })

  it('a fetchToken giving a token without its secret is a TypeError, nothing sent', async () => {
    const { app, provider } = setup({ fetchToken: () => ({ oauth_token: 'user-token' }) as Token })
    await expect(app.get('me', { request: { user: 'x' } })).rejects.toThrow(
      /token\.oauth_token_secret is missing/,
    )
    expect(provider.requests).toHaveLength(0)
  })

  it('then the registry-level fetchToken(name, request)', async () => {
    const registryFetch = vi.fn(() => OTHER)
    const { app, provider } = setup({ registryFetchToken: registryFetch })
    const request = { user: 'jane' }
    await app.get('me', { request })
    expect(registryFetch).toHaveBeenCalledWith('dev', request)
    expect(provider.requests[0]!.params.oauth_token).toBe('other-token')
  })

  it('then fetchToken for the current request of oauth.context', async () => {
    const registryFetch = vi.fn((_name: string, req: { user: string }) =>
      req.user === 'jane' ? USER : OTHER,
    )
    const { oauth, app, provider } = setup({ registryFetchToken: registryFetch as never })
    await oauth.context.run({ user: 'jane' }, async () => {
      await new Promise((r) => setTimeout(r, 1))
      await oauth.dev.get('home')
    })
    await oauth.context.run({ user: 'bob' }, () => app.get('home'))
    expect(provider.requests.map((r) => r.params.oauth_token)).toEqual([
      'user-token',
      'other-token',
    ])
  })

  it('no token at all → missing_token (401), nothing sent', async () => {
    const { app, oauth, provider } = setup({ registryFetchToken: () => null })
    const err = await rejection(app.get('me'))
    expect(err.code).toBe('missing_token')
    expect(err.status).toBe(401)
    // Outside any request: the message says where a request comes from.
    expect(err.description).toBe(
      'No token for dev: pass { token } or { request }, or call inside oauth.middleware()',
    )
    const inside = await rejection(oauth.context.run({ user: 'x' }, () => app.get('me')))
    expect(inside.code).toBe('missing_token')
    expect(inside.description).toBe('No token for dev: fetchToken found none for this request')
    const passed = await rejection(app.get('me', { request: { user: 'x' } }))
    expect(passed.description).toBe('No token for dev: fetchToken found none for this request')
    const noFetch = setup()
    const withoutFetchToken = await rejection(noFetch.app.get('me', { request: { user: 'x' } }))
    expect(withoutFetchToken.code).toBe('missing_token')
    // No fetchToken anywhere: the message says what to configure, not where to call from.
    expect(withoutFetchToken.description).toBe(
      "No token for dev: pass { token }, or give a fetchToken to new OAuth() or to register('dev')",
    )
    expect(provider.requests).toHaveLength(0)
    expect(noFetch.provider.requests).toHaveLength(0)
  })

  it('where the runtime has no AsyncLocalStorage, missing_token says so', async () => {
    const original = globalThis.process.getBuiltinModule
    let oauth: OAuth<{ user: string }>
    try {
      ;(globalThis.process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined
      oauth = new OAuth<{ user: string }>({ config: {}, fetchToken: () => USER })
    } finally {
      ;(globalThis.process as { getBuiltinModule?: unknown }).getBuiltinModule = original
    }
    expect(oauth.context.available).toBe(false)
    const app = oauth.register('dev', { clientId: 'a', ...urls, apiBaseUrl: `${P}/api/` })
    const err = await rejection(oauth.runWithRequest({ user: 'jane' }, () => app.get('me')))
    expect(err.code).toBe('missing_token')
    expect(err.description).toContain('this runtime has no AsyncLocalStorage')
    expect(err.description).toContain('pass { request } or { token }')
  })

  it('runWithRequest binds the request only when a fetchToken can read it, unless told', async () => {
    const oauth = new OAuth<{ user: string }>({ config: {} })
    const req = { user: 'jane' }
    const seen = (bind?: boolean) => oauth.runWithRequest(req, () => oauth.context.current(), bind)
    // Nothing reads the context: not bound (AsyncLocalStorage's cost is skipped).
    expect(oauth.readsRequestContext).toBe(false)
    expect(seen()).toBeUndefined()
    expect(seen(true)).toBe(req)
    expect(seen(false)).toBeUndefined()
    expect(oauth.runWithRequest(req, () => 42)).toBe(42)

    // An app registered later with its own fetchToken turns it on, on the next request.
    oauth.register('dev', { clientId: 'a', ...urls, fetchToken: () => USER })
    expect(oauth.readsRequestContext).toBe(true)
    expect(seen()).toBe(req)
    expect(seen(false)).toBeUndefined()
    // Registering the name again without one turns it off again.
    oauth.register('dev', { clientId: 'a', ...urls })
    expect(oauth.readsRequestContext).toBe(false)
    expect(seen()).toBeUndefined()

    // A registry-level fetchToken: always on.
    const withRegistryFetch = new OAuth<{ user: string }>({ config: {}, fetchToken: () => USER })
    expect(withRegistryFetch.readsRequestContext).toBe(true)
    await expect(
      withRegistryFetch.runWithRequest(req, async () => {
        await new Promise((r) => setTimeout(r, 1))
        return withRegistryFetch.context.current()
      }),
    ).resolves.toBe(req)
  })

  it('inside runWithRequest, an API call finds the token with no token and no request', async () => {
    const registryFetch = vi.fn((_name: string, req: { user: string }) =>
      req.user === 'jane' ? USER : OTHER,
    )
    const { oauth, app, provider } = setup({ registryFetchToken: registryFetch as never })
    await oauth.runWithRequest({ user: 'jane' }, () => app.get('home'))
    expect(registryFetch).toHaveBeenCalledWith('dev', { user: 'jane' })
    expect(provider.requests[0]!.params.oauth_token).toBe('user-token')
  })

  it('refuses an init that is not an object, and a non-boolean withholdToken, before anything is sent', async () => {
    const { app, provider } = setup()
    for (const init of [null, 'x', 5, [], true]) {
      const err = await app.get('me', init as never).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(TypeError)
      expect((err as Error).message).toContain('init must be an object')
    }
    await expect(app.get('me', { token: USER, withholdToken: 'yes' as never })).rejects.toThrow(
      new TypeError('init.withholdToken must be a boolean'),
    )
    expect(provider.requests).toHaveLength(0)
  })

  it.each([
    ['params', { q: 'a' }, '; write query'],
    ['data', { status: 'hi' }, '; write body'],
    ['qeury', { q: 'a' }, ''],
  ])(
    'refuses an unknown init option %s before anything is sent or any token looked up',
    async (name, value, hint) => {
      const fetchToken = vi.fn(() => USER)
      const { app, provider } = setup({ fetchToken })
      await expect(app.get('search', { [name]: value } as never)).rejects.toThrow(
        new TypeError(
          `init: unknown option "${name}"${hint} (known: token, body, headers, query, signal, redirect, nonce, authHeaders, request, withholdToken)`,
        ),
      )
      expect(fetchToken).not.toHaveBeenCalled()
      expect(provider.requests).toHaveLength(0)
    },
  )

  it('refuses an unknown userinfo() init option', async () => {
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('dev', {
      clientId: 'ck',
      apiBaseUrl: `${P}/api/`,
      userinfoEndpoint: `${P}/api/me`,
      userinfo: () => ({ sub: '1', raw: {} }),
    })
    await expect(app.userinfo({ token: USER, timeout: 5 } as never)).rejects.toThrow(
      new TypeError('init: unknown option "timeout" (known: token, request, signal)'),
    )
  })

  it('withholdToken signs with the client credentials only', async () => {
    const fetchToken = vi.fn(() => USER)
    const { app, provider } = setup({ fetchToken })
    const res = await app.get('public', { withholdToken: true })
    expect(res.status).toBe(200)
    expect(fetchToken).not.toHaveBeenCalled()
    expect(provider.requests[0]!.params.oauth_token).toBeUndefined()
    expect(provider.requests[0]!.params.oauth_signature).toBeDefined()
  })

  it('sends userAgent', async () => {
    const { app, provider } = setup({ userAgent: 'my-app/2.0 (+https://app.example)' })
    await app.get('me', { token: USER })
    expect(provider.requests[0]!.headers.get('user-agent')).toBe(
      'my-app/2.0 (+https://app.example)',
    )
  })

  it('passes body, headers and query through', async () => {
    const { app, provider } = setup()
    await app.post('statuses/update.json', {
      token: USER,
      body: { status: 'hi there' },
      query: { trim_user: '1' },
      headers: { 'x-test': 'yes' },
    })
    const [req] = provider.requests
    expect(req!.params).toMatchObject({ status: 'hi there', trim_user: '1' })
    expect(req!.headers.get('x-test')).toBe('yes')
  })
})

describe('clientKwargs', () => {
  it('reach every request of the app', async () => {
    const provider = createFakeProvider()
    provider.access.set('tok', 'sec')
    const app = new OAuth({ config: {} }).register('dev', {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      ...urls,
      fetch: provider.fetch,
      clientKwargs: { signatureType: 'query', signatureMethod: 'HMAC-SHA1' },
    })
    const res = await app.get(`${P}/api/x`, {
      token: { oauth_token: 'tok', oauth_token_secret: 'sec' },
    })
    expect(res.status).toBe(200)
    const [req] = provider.requests
    expect(req!.authorization).toBeNull()
    expect(req!.url.searchParams.get('oauth_token')).toBe('tok')
  })
})

describe('a registered callback path', () => {
  it('is accepted by register and left to the adapters to resolve', async () => {
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('site', { clientId: 'a', ...urls, redirectUri: '/authorize' })
    expect(app.redirectUri).toBe('/authorize')
    expect(isPathCallback('/authorize')).toBe(true)
    expect(isPathCallback('https://app.example/cb')).toBe(false)
    await expect(app.beginAuthorization(createMemoryStore())).rejects.toThrow(
      new TypeError(
        `redirectUri "/authorize" is a path: resolve it against your app's origin (the framework adapters do)`,
      ),
    )
  })

  it('still refuses a callback that is neither a URI, a path nor oob', () => {
    const oauth = new OAuth({ config: {} })
    expect(() =>
      oauth.register('x', { clientId: 'a', ...urls, redirectUri: '//evil.example' }),
    ).toThrow(TypeError)
  })

  it('accepts a path without a leading slash, and refuses an ambiguous one, given or from config', async () => {
    const app = new OAuth({ config: {} }).register('site', {
      clientId: 'a',
      ...urls,
      redirectUri: 'authorize',
    })
    expect(app.redirectUri).toBe('authorize')
    await expect(app.beginAuthorization(createMemoryStore())).rejects.toThrow(
      new TypeError(
        `redirectUri "authorize" is a path: resolve it against your app's origin (the framework adapters do)`,
      ),
    )
    for (const bad of ['?next=1', '/a/../cb', '/c b', '#top']) {
      expect(() =>
        new OAuth({ config: {} }).register('site', { clientId: 'a', ...urls, redirectUri: bad }),
      ).toThrow(TypeError)
      expect(() =>
        new OAuth({ config: { SITE_REDIRECT_URI: bad } }).register('site', {
          clientId: 'a',
          ...urls,
        }),
      ).toThrow(
        new RegExp(
          `^SITE_REDIRECT_URI: redirectUri ${JSON.stringify(bad).replace(/[?.*+]/g, '\\$&')}`,
        ),
      )
    }
  })
})

describe('parseCallbackQuery', () => {
  it('reads a bare query string whole, even when a value holds a "?"', () => {
    const q = parseCallbackQuery('oauth_token=T&oauth_verifier=V&next=/a?b')
    expect(q.get('oauth_token')).toBe('T')
    expect(q.get('oauth_verifier')).toBe('V')
    expect(q.get('next')).toBe('/a?b')
  })

  it('reads the query of a URL, a path, or a string starting with "?"', () => {
    for (const input of [
      'https://app.example/cb?oauth_token=T&oauth_verifier=V#frag',
      '/cb?oauth_token=T&oauth_verifier=V',
      '?oauth_token=T&oauth_verifier=V',
    ]) {
      const q = parseCallbackQuery(input)
      expect([q.get('oauth_token'), q.get('oauth_verifier')]).toEqual(['T', 'V'])
    }
    expect([...parseCallbackQuery('/cb')]).toEqual([])
  })
})

describe('resolveCallbackUri', () => {
  it('passes oob and absolute URIs, resolves paths against the base, refuses //host', () => {
    expect(resolveCallbackUri('oob', 'https://app.example/')).toBe('oob')
    expect(resolveCallbackUri('https://other.example/cb', 'https://app.example/')).toBe(
      'https://other.example/cb',
    )
    expect(resolveCallbackUri('/authorize?next=%2F', 'https://app.example:8443/login')).toBe(
      'https://app.example:8443/authorize?next=%2F',
    )
    for (const bad of ['//evil.example/cb', '/\\evil.example/cb', '\\\\evil.example']) {
      expect(() => resolveCallbackUri(bad, 'https://app.example/')).toThrow(
        new TypeError(
          'redirectUri should be an absolute URL, "oob", or a path such as "/authorize" (not //host)',
        ),
      )
    }
  })

  it('computes a lazy base only for a relative reference', () => {
    const base = vi.fn(() => 'https://app.example/')
    expect(resolveCallbackUri('oob', base)).toBe('oob')
    expect(resolveCallbackUri('https://x.example/cb', base)).toBe('https://x.example/cb')
    expect(base).not.toHaveBeenCalled()
    expect(resolveCallbackUri('/cb', base)).toBe('https://app.example/cb')
    expect(base).toHaveBeenCalledTimes(1)
  })
})
