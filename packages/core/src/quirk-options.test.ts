/**
 * The generic register options that express real providers' quirks (token
 * endpoint methods, computed authorize parameters, an oob callback, no
 * verifier, headers, static tokens, one-legged calls, body hash everywhere,
 * signing-only apps, userinfo), each on its own against the strict fake
 * provider. Provider presets are built from these and nothing else.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { OAuthError } from './errors.js'
import {
  createFakeProvider,
  type FakeProviderOptions,
  inspectableStore,
  rejection,
} from './fake-provider.test-helper.js'
import { OAuth, type RemoteAppOptions, temporaryCredentialKey } from './registry.js'
import { createMemoryStore } from './stores.js'

const P = 'https://provider.test'
const CALLBACK = 'https://app.example/auth/callback'

function setup(extra: RemoteAppOptions = {}, providerOptions: FakeProviderOptions = {}) {
  const provider = createFakeProvider(providerOptions)
  const oauth = new OAuth({ config: {} })
  const app = oauth.register('dev', {
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    requestTokenUrl: `${P}/oauth/request_token`,
    accessTokenUrl: `${P}/oauth/access_token`,
    authorizeUrl: `${P}/oauth/authorize`,
    apiBaseUrl: `${P}/api/`,
    fetch: provider.fetch,
    ...extra,
  })
  return { provider, oauth, app }
}

function tokenOf(authorizeUrl: string, name = 'oauth_token'): string {
  const token = new URL(authorizeUrl).searchParams.get(name)
  if (token === null) throw new Error(`no ${name} on ${authorizeUrl}`)
  return token
}

describe('requestTokenMethod / accessTokenMethod', () => {
  it('sends GET token requests, their parameters signed in the query, when told', async () => {
    const { provider, app } = setup(
      {
        requestTokenMethod: 'GET',
        accessTokenMethod: 'GET',
        requestTokenParams: { scope: 'read write' },
        accessTokenParams: { extra: 'x' },
      },
      { requestTokenMethod: 'GET', accessTokenMethod: 'GET' },
    )
    const store = createMemoryStore()
    const url = await app.beginAuthorization(store, CALLBACK)
    const token = await app.completeAuthorization(store, provider.approve(tokenOf(url)))
    expect(token.oauth_token).toMatch(/^at-/)
    const [rt] = provider.hits('/oauth/request_token')
    const [at] = provider.hits('/oauth/access_token')
    expect(rt!.method).toBe('GET')
    expect(rt!.body).toBe('')
    expect(rt!.url.searchParams.get('scope')).toBe('read write')
    expect(at!.method).toBe('GET')
    expect(at!.url.searchParams.get('extra')).toBe('x')
    expect(at!.params.oauth_verifier).toMatch(/^verifier-/)
  })

  it('POST by default, which a GET-only endpoint refuses', async () => {
    const { app } = setup({}, { requestTokenMethod: 'GET' })
    const err = await rejection(app.beginAuthorization(createMemoryStore(), CALLBACK))
    expect(err.code).toBe('fetch_token_denied')
    expect(err.response?.status).toBe(405)
  })

  it('refuses GET with signatureType "body" at registration', () => {
    expect(() =>
      setup({ requestTokenMethod: 'GET', clientKwargs: { signatureType: 'body' } }),
    ).toThrow(
      new TypeError(
        'signatureType "body" needs POST token endpoints (requestTokenMethod/accessTokenMethod "GET" carry no body)',
      ),
    )
  })

  it('reads the methods from config', () => {
    const oauth = new OAuth({
      config: { DEV_REQUEST_TOKEN_METHOD: 'GET', DEV_ACCESS_TOKEN_METHOD: 'PUT' },
    })
    expect(() =>
      oauth.register('dev', {
        clientId: 'a',
        requestTokenUrl: `${P}/rt`,
        accessTokenUrl: `${P}/at`,
        authorizeUrl: `${P}/az`,
      }),
    ).toThrow(new TypeError('DEV_ACCESS_TOKEN_METHOD: accessTokenMethod must be one of GET, POST'))
  })
})

describe('emptyVerifierIsDenial', () => {
  it('reads an empty oauth_verifier as the user refusing: access_denied (403), the login used up', async () => {
    const { app } = setup({ emptyVerifierIsDenial: true })
    const { store, entries } = inspectableStore()
    const url = await app.beginAuthorization(store, CALLBACK)
    const token = encodeURIComponent(tokenOf(url))
    const err = await rejection(
      app.completeAuthorization(store, `?oauth_token=${token}&oauth_verifier=`),
    )
    expect([err.code, err.status]).toEqual(['access_denied', 403])
    expect(err.description).toBe(
      'The user refused the authorization (the provider sent an empty oauth_verifier)',
    )
    expect(entries.size).toBe(0)
  })

  it('leaves a callback with no oauth_verifier at all, or without the option, missing_verifier (400)', async () => {
    for (const [options, query] of [
      [{ emptyVerifierIsDenial: true }, ''],
      [{}, '&oauth_verifier='],
    ] as const) {
      const { app } = setup(options)
      const store = createMemoryStore()
      const url = await app.beginAuthorization(store, CALLBACK)
      const err = await rejection(
        app.completeAuthorization(
          store,
          `?oauth_token=${encodeURIComponent(tokenOf(url))}${query}`,
        ),
      )
      expect([err.code, err.status]).toEqual(['missing_verifier', 400])
    }
  })

  it('is a boolean', () => {
    expect(() => setup({ emptyVerifierIsDenial: 'yes' as never })).toThrow(
      new TypeError('emptyVerifierIsDenial must be a boolean'),
    )
  })
})

describe('authorizeParams as a function, authorizeTokenParam', () => {
  it("is handed the login's request token, client id, callback and temporary-credential fields", async () => {
    const seen: unknown[] = []
    const { app } = setup({
      authorizeParams: (context) => {
        seen.push(context)
        return { oauth_consumer_key: context.clientId }
      },
    })
    const url = await app.beginAuthorization(createMemoryStore(), CALLBACK, { extra: '1' })
    const token = tokenOf(url)
    expect(seen).toEqual([
      {
        requestToken: token,
        clientId: 'client-id',
        callback: CALLBACK,
        token: {
          oauth_token: token,
          oauth_token_secret: expect.any(String),
          oauth_callback_confirmed: 'true',
        },
      },
    ])
    // computed params, then the call's params, then the token
    expect(url).toBe(
      `${P}/oauth/authorize?oauth_consumer_key=client-id&extra=1&oauth_token=${encodeURIComponent(token)}`,
    )
  })

  it('puts the request token under another name, or under none', async () => {
    const renamed = setup({
      authorizeTokenParam: 'token',
      authorizeParams: ({ clientId }) => ({ key: clientId }),
    })
    const url = await renamed.app.beginAuthorization(createMemoryStore(), CALLBACK)
    const token = tokenOf(url, 'token')
    expect(url).toBe(`${P}/oauth/authorize?key=client-id&token=${encodeURIComponent(token)}`)
    expect(new URL(url).searchParams.has('oauth_token')).toBe(false)

    const none = setup({
      authorizeTokenParam: false,
      authorizeParams: ({ requestToken, clientId }) => ({ key: clientId, token: requestToken }),
    })
    const url2 = await none.app.beginAuthorization(createMemoryStore(), CALLBACK)
    const token2 = tokenOf(url2, 'token')
    expect(url2).toBe(`${P}/oauth/authorize?key=client-id&token=${encodeURIComponent(token2)}`)
  })

  it('can carry the callback on the authorize URL (OAuth 1.0 style)', async () => {
    const { app } = setup({ authorizeParams: ({ callback }) => ({ oauth_callback: callback }) })
    const url = await app.beginAuthorization(createMemoryStore(), CALLBACK)
    expect(new URL(url).searchParams.get('oauth_callback')).toBe(CALLBACK)
  })

  it('a function returning something other than an object of strings → TypeError, nothing stored', async () => {
    const { store, entries } = inspectableStore()
    const { app } = setup({ authorizeParams: () => ({ a: 1 }) as never })
    await expect(app.beginAuthorization(store, CALLBACK)).rejects.toThrow(
      new TypeError('authorizeParams() of dev.a must be a string'),
    )
    expect(entries.size).toBe(0)
  })

  it('may be async: its resolved params are used, its rejection fails the login, a non-object is a TypeError', async () => {
    const resolved = setup({ authorizeParams: async ({ clientId }) => ({ key: clientId }) })
    const url = await resolved.app.beginAuthorization(createMemoryStore(), CALLBACK)
    expect(new URL(url).searchParams.get('key')).toBe('client-id')

    const failure = new Error('the tenant database is down')
    const { store, entries } = inspectableStore()
    const rejecting = setup({
      authorizeParams: async () => {
        throw failure
      },
    })
    await expect(rejecting.app.beginAuthorization(store, CALLBACK)).rejects.toBe(failure)
    expect(entries.size).toBe(0)

    const wrong = setup({ authorizeParams: async () => 'key=1' as never })
    await expect(wrong.app.beginAuthorization(createMemoryStore(), CALLBACK)).rejects.toThrow(
      new TypeError('authorizeParams() of dev must be an object of strings or a URLSearchParams'),
    )
  })

  it('config wins over a function only with overwrite', async () => {
    const config = { DEV_AUTHORIZE_PARAMS: 'from=config' }
    const make = (overwrite: boolean) => {
      const provider = createFakeProvider()
      return new OAuth({ config }).register('dev', {
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        requestTokenUrl: `${P}/oauth/request_token`,
        accessTokenUrl: `${P}/oauth/access_token`,
        authorizeUrl: `${P}/oauth/authorize`,
        fetch: provider.fetch,
        authorizeParams: () => ({ from: 'code' }),
        overwrite,
      })
    }
    for (const [overwrite, expected] of [
      [false, 'code'],
      [true, 'config'],
    ] as const) {
      const url = await make(overwrite).beginAuthorization(createMemoryStore(), CALLBACK)
      expect(new URL(url).searchParams.get('from')).toBe(expected)
    }
  })
})

describe('oobCallback', () => {
  it('signs oauth_callback=oob while the login keeps its own callback', async () => {
    const { provider, app } = setup({ oobCallback: true })
    const { store, entries } = inspectableStore()
    const url = await app.beginAuthorization(store, CALLBACK)
    const [rt] = provider.hits('/oauth/request_token')
    expect(rt!.params.oauth_callback).toBe('oob')
    const token = tokenOf(url)
    expect(entries.get(temporaryCredentialKey('dev', token))?.redirect_uri).toBe(CALLBACK)
    // The provider sends the user to the callback registered with it.
    const query = provider.approve(token)
    const done = await app.completeAuthorization(store, `${CALLBACK}${query}`)
    expect(done.oauth_token).toMatch(/^at-/)
  })

  it('is off by default: the callback itself is signed', async () => {
    const { provider, app } = setup()
    await app.beginAuthorization(createMemoryStore(), CALLBACK)
    expect(provider.hits('/oauth/request_token')[0]!.params.oauth_callback).toBe(CALLBACK)
  })
})

describe('requireVerifier: false (OAuth 1.0 providers)', () => {
  it('completes a callback without oauth_verifier and sends none', async () => {
    const { provider, app } = setup(
      { requireVerifier: false, requireCallbackConfirmed: false },
      { noVerifier: true },
    )
    const store = createMemoryStore()
    const url = await app.beginAuthorization(store, CALLBACK)
    const callback = provider.approve(tokenOf(url))
    expect(new URL(callback).searchParams.has('oauth_verifier')).toBe(false)
    const token = await app.completeAuthorization(store, callback)
    expect(token.oauth_token).toMatch(/^at-/)
    expect(provider.hits('/oauth/access_token')[0]!.params).not.toHaveProperty('oauth_verifier')
  })

  it('still sends a verifier the callback carries, and still refuses a malformed one', async () => {
    const { provider, app } = setup({ requireVerifier: false })
    const store = createMemoryStore()
    const url = await app.beginAuthorization(store, CALLBACK)
    const token = await app.completeAuthorization(store, provider.approve(tokenOf(url)))
    expect(token.oauth_token).toMatch(/^at-/)
    expect(provider.hits('/oauth/access_token')[0]!.params.oauth_verifier).toMatch(/^verifier-/)

    const url2 = await app.beginAuthorization(store, CALLBACK)
    const err = await rejection(
      app.completeAuthorization(
        store,
        `?oauth_token=${encodeURIComponent(tokenOf(url2))}&oauth_verifier=`,
      ),
    )
    expect(err.code).toBe('missing_verifier')
    expect(provider.hits('/oauth/access_token')).toHaveLength(1)
  })

  it('still refuses a callback naming no pending login', async () => {
    const { provider, app } = setup({ requireVerifier: false }, { noVerifier: true })
    const err = await rejection(app.completeAuthorization(createMemoryStore(), '?oauth_token=x'))
    expect(err.code).toBe('missing_temporary_credential')
    expect(provider.hits('/oauth/access_token')).toHaveLength(0)
  })

  it('is required by default', async () => {
    const { provider, app } = setup({}, { noVerifier: true })
    const store = createMemoryStore()
    const url = await app.beginAuthorization(store, CALLBACK)
    const err = await rejection(app.completeAuthorization(store, provider.approve(tokenOf(url))))
    expect(err.code).toBe('missing_verifier')
  })
})

describe('headers', () => {
  it('go with token requests and API calls; a call’s own headers win', async () => {
    const { provider, app } = setup({
      headers: { 'X-Api-Version': '3', 'User-Agent': 'from-headers/1' },
      userAgent: 'ignored-when-headers-has-one',
    })
    const store = createMemoryStore()
    const url = await app.beginAuthorization(store, CALLBACK)
    const token = await app.completeAuthorization(store, provider.approve(tokenOf(url)))
    await app.get('me', { token })
    await app.get('me', { token, headers: { 'x-api-version': '4' } })
    const seen = provider.requests.map((r) => [
      r.headers.get('x-api-version'),
      r.headers.get('user-agent'),
    ])
    expect(seen).toEqual([
      ['3', 'from-headers/1'],
      ['3', 'from-headers/1'],
      ['3', 'from-headers/1'],
      ['4', 'from-headers/1'],
    ])
  })

  it('read from config as a query string or JSON', () => {
    const oauth = new OAuth({ config: { DEV_HEADERS: '{"Zotero-API-Version":"3"}' } })
    expect(() => oauth.register('dev', { clientId: 'a' })).not.toThrow()
    expect(() =>
      new OAuth({ config: { DEV_HEADERS: 'bad header=1' } }).register('dev', { clientId: 'a' }),
    ).toThrow(new TypeError('DEV_HEADERS: headers.bad header is not a valid header name and value'))
  })
})

describe('a static token, withholdToken, signing-only apps', () => {
  it('a registered token signs API calls when nothing else gives one', async () => {
    const { provider, app, oauth } = setup()
    const store = createMemoryStore()
    const url = await app.beginAuthorization(store, CALLBACK)
    const issued = await app.completeAuthorization(store, provider.approve(tokenOf(url)))
    const staticApp = oauth.register('fixed', {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      apiBaseUrl: `${P}/api/`,
      fetch: provider.fetch,
      token: issued,
    })
    const res = await staticApp.get('orders')
    expect(await res.json()).toMatchObject({ token: issued.oauth_token })
    // Inside a request whose fetchToken finds none, the static token still serves.
    const withFetch = new OAuth({ config: {}, fetchToken: () => null })
    const app2 = withFetch.register('fixed', {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      apiBaseUrl: `${P}/api/`,
      fetch: provider.fetch,
      token: issued,
    })
    const res2 = await withFetch.context.run({}, () => app2.get('orders'))
    expect(await res2.json()).toMatchObject({ token: issued.oauth_token })
  })

  it('fetchToken and an explicit token win over the registered one', async () => {
    const { provider, app } = setup()
    const store = createMemoryStore()
    const a = await app.completeAuthorization(
      store,
      provider.approve(tokenOf(await app.beginAuthorization(store, CALLBACK))),
    )
    const b = await app.completeAuthorization(
      store,
      provider.approve(tokenOf(await app.beginAuthorization(store, CALLBACK))),
    )
    const oauth = new OAuth({ config: {}, fetchToken: () => b })
    const fixed = oauth.register('fixed', {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      apiBaseUrl: `${P}/api/`,
      fetch: provider.fetch,
      token: a,
    })
    const viaFetch = await oauth.context.run({}, () => fixed.get('x'))
    expect(await viaFetch.json()).toMatchObject({ token: b.oauth_token })
    const explicit = await fixed.get('x', { token: b })
    expect(await explicit.json()).toMatchObject({ token: b.oauth_token })
  })

  it('reads the token from <NAME>_TOKEN and <NAME>_TOKEN_SECRET', async () => {
    const oauth = new OAuth({ config: { SHOP_TOKEN: 'tok', SHOP_TOKEN_SECRET: 'sec' } })
    const seen: string[] = []
    const app = oauth.register('shop', {
      clientId: 'ck',
      clientSecret: 'cs',
      apiBaseUrl: `${P}/api/`,
      fetch: async (_input, init) => {
        seen.push(new Headers(init?.headers).get('authorization') ?? '')
        return new Response('{}')
      },
    })
    await app.get('x')
    expect(seen[0]).toContain('oauth_token="tok"')
    expect(() =>
      oauth.register('bad', { clientId: 'a', token: { oauth_token: '' } as never }),
    ).toThrow(new TypeError('token must be { oauth_token, oauth_token_secret } strings'))
  })

  it('withholdToken at registration signs with client credentials only, in or out of a request', async () => {
    const { provider, oauth } = setup()
    const calls = new OAuth({
      config: {},
      fetchToken: () => ({ oauth_token: 'no', oauth_token_secret: 'no' }),
    })
    const app = calls.register('shop', {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      apiBaseUrl: `${P}/api/`,
      fetch: provider.fetch,
      withholdToken: true,
    })
    const outside = await app.get('products')
    expect(outside.status).toBe(200)
    expect(await outside.json()).toMatchObject({ token: null })
    const inside = await calls.context.run({}, () => app.post('products', { body: { a: '1' } }))
    expect(await inside.json()).toMatchObject({ token: null, method: 'POST' })
    const last = provider.requests.at(-1)!
    expect(last.params).not.toHaveProperty('oauth_token')
    // withholdToken: false on the call resolves the user's token as usual.
    await calls.context.run({}, () => app.get('products', { withholdToken: false }))
    expect(provider.requests.at(-1)!.params.oauth_token).toBe('no')
    expect(oauth).toBeDefined()
  })

  it('registers without flow endpoints (signing-only), and says so when a login is attempted', async () => {
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('shop', { clientId: 'ck', clientSecret: 'cs' })
    expect(app.requestTokenUrl).toBeUndefined()
    await expect(app.beginAuthorization(createMemoryStore(), CALLBACK)).rejects.toThrow(
      new TypeError(
        "shop is registered without requestTokenUrl (signing-only): pass it to register('shop') or set SHOP_REQUEST_TOKEN_URL",
      ),
    )
    await expect(
      app.completeAuthorization(createMemoryStore(), '?oauth_token=a&oauth_verifier=b'),
    ).rejects.toThrow(
      new TypeError(
        "shop is registered without accessTokenUrl (signing-only): pass it to register('shop') or set SHOP_ACCESS_TOKEN_URL",
      ),
    )
  })
})

describe('clientKwargs.bodyHash', () => {
  it('hashes an empty body on a GET with the method’s hash', async () => {
    const seen: string[] = []
    const oauth = new OAuth({ config: {} })
    const fetch = async (_: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('authorization') ?? '')
      return new Response('{}')
    }
    oauth.register('sha1', {
      clientId: 'ck',
      clientSecret: 'cs',
      fetch,
      clientKwargs: { bodyHash: true },
    })
    oauth.register('sha256', {
      clientId: 'ck',
      clientSecret: 'cs',
      fetch,
      clientKwargs: { bodyHash: true, signatureMethod: 'HMAC-SHA256' },
    })
    oauth.register('plain', { clientId: 'ck', clientSecret: 'cs', fetch })
    await oauth.sha1.get(`${P}/x`, { withholdToken: true })
    await oauth.sha256.get(`${P}/x`, { withholdToken: true })
    await oauth.plain.get(`${P}/x`, { withholdToken: true })
    // base64 of SHA-1("") and SHA-256(""), percent-encoded in the header
    expect(seen[0]).toContain('oauth_body_hash="2jmj7l5rSw0yVb%2FvlWAYkK%2FYBwk%3D"')
    expect(seen[1]).toContain(
      'oauth_body_hash="47DEQpj8HBSa%2B%2FTImW%2B5JCeuQeRkm5NMpJWZG3hSuFU%3D"',
    )
    expect(seen[2]).not.toContain('oauth_body_hash')
  })
})

describe('userinfo()', () => {
  async function loggedIn(extra: RemoteAppOptions = {}) {
    const ctx = setup(extra)
    const store = createMemoryStore()
    const url = await ctx.app.beginAuthorization(store, CALLBACK)
    const token = await ctx.app.completeAuthorization(store, ctx.provider.approve(tokenOf(url)))
    return { ...ctx, token }
  }

  it('runs the normaliser with the token, credentials and endpoint, and signs its calls', async () => {
    let nonceSeen: string | undefined
    const { app, token, provider } = await loggedIn({
      userinfoEndpoint: `${P}/api/me`,
      userinfo: async (context) => {
        expect(context.clientId).toBe('client-id')
        expect(context.clientSecret).toBe('client-secret')
        expect(context.token).toEqual(token)
        const data = (await context.json(context.endpoint!, { query: { fields: 'a,b' } })) as {
          path: string
          token: string
        }
        const res = await context.request('POST', `${P}/api/identify`, { nonce: 'fixed-nonce-1' })
        nonceSeen = provider.requests.at(-1)!.params.oauth_nonce
        expect(res.status).toBe(200)
        return { sub: data.token, preferred_username: 'jane', raw: data }
      },
    })
    const me = await app.userinfo({ token })
    expect(me).toEqual({
      sub: token.oauth_token,
      preferred_username: 'jane',
      raw: { path: '/api/me', token: token.oauth_token, method: 'GET', body: '' },
    })
    expect(nonceSeen).toBe('fixed-nonce-1')
    const me2 = provider.hits('/api/me')[0]!
    expect(me2.url.searchParams.get('fields')).toBe('a,b')
    expect(me2.headers.get('accept')).toBe('application/json')
  })

  it('finds the token as any API call does (fetchToken in the request, the static token)', async () => {
    const { provider, token } = await loggedIn()
    const oauth = new OAuth({ config: {}, fetchToken: () => token })
    const app = oauth.register('dev', {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      fetch: provider.fetch,
      userinfo: (c) => ({ sub: c.token.oauth_token, raw: {} }),
    })
    expect((await oauth.context.run({}, () => app.userinfo())).sub).toBe(token.oauth_token)
    const err = await rejection(app.userinfo())
    expect(err.code).toBe('missing_token')
    const fixed = oauth.register('fixed', {
      clientId: 'a',
      token,
      userinfo: (c) => ({ sub: c.token.oauth_token, raw: {} }),
    })
    expect((await fixed.userinfo()).sub).toBe(token.oauth_token)
  })

  it('without a userinfo registered → TypeError', async () => {
    const { app, token } = await loggedIn()
    await expect(app.userinfo({ token })).rejects.toThrow(
      new TypeError(
        'dev has no userinfo: register it with a userinfo function (provider presets supply one)',
      ),
    )
  })

  it('a provider answer that is not a profile → request_failed (502) with the response', async () => {
    const { app, token } = await loggedIn({
      userinfo: async (c) => {
        await c.json(`${P}/nowhere`)
        return { sub: 'never', raw: {} }
      },
    })
    const err = await rejection(app.userinfo({ token }))
    expect(err.code).toBe('request_failed')
    expect(err.status).toBe(502)
    expect(err.response).toMatchObject({ status: 404, body: 'not found' })
    expect(err.description).toBe(
      'The userinfo endpoint https://provider.test/nowhere answered 404 instead of 2xx',
    )
  })

  it('a body that is not JSON → request_failed', async () => {
    const provider = createFakeProvider({
      routes: { '/api/me': () => new Response('<html>', { status: 200 }) },
    })
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('dev', {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      fetch: provider.fetch,
      userinfo: async (c) => ({ sub: String(await c.json(`${P}/api/me`)), raw: {} }),
    })
    const err = await rejection(
      app.userinfo({ token: { oauth_token: 'a', oauth_token_secret: 'b' } }),
    )
    expect(err.code).toBe('request_failed')
    expect(err.description).toContain('with a body that is not JSON')
  })

  it.each([
    ['not an object', null],
    ['no sub', { raw: {} }],
    ['no sub', { sub: '', raw: {} }],
    ['no sub', { sub: 5, raw: {} }],
    ['no raw object', { sub: 'a' }],
    ['name is not a string', { sub: 'a', name: 5, raw: {} }],
    ['email_verified is not a boolean', { sub: 'a', email_verified: 'yes', raw: {} }],
  ])('a normaliser result with %s → request_failed', async (what, result) => {
    const { app, token } = await loggedIn({ userinfo: () => result as never })
    const err = await rejection(app.userinfo({ token }))
    expect(err.code).toBe('request_failed')
    expect(err.description).toBe(`The userinfo of dev is not a profile: ${what}`)
  })

  describe("one deadline and the caller's signal", () => {
    afterEach(() => {
      vi.useRealTimers()
    })
    const TOKEN = { oauth_token: 't', oauth_token_secret: 's' }
    /** A fetch that answers JSON after `delay` ms (fake timers), or rejects when its signal aborts. */
    function slowFetch(delay: number, seen: AbortSignal[] = []): typeof fetch {
      return ((_url: string, init: RequestInit) =>
        new Promise<Response>((resolve, reject) => {
          const signal = init.signal!
          seen.push(signal)
          const timer = setTimeout(
            () =>
              resolve(
                Response.json({ id: 1 }, { headers: { 'content-type': 'application/json' } }),
              ),
            delay,
          )
          signal.addEventListener('abort', () => {
            clearTimeout(timer)
            reject(signal.reason)
          })
        })) as typeof fetch
    }
    function twoCalls(fetchImpl: typeof fetch, timeout: number) {
      const oauth = new OAuth({ config: {} })
      return oauth.register('dev', {
        clientId: 'ck',
        clientSecret: 'cs',
        fetch: fetchImpl,
        timeout,
        userinfo: async (c) => {
          await c.json(`${P}/api/identity`)
          const res = await c.request('GET', `${P}/api/profile`)
          await res.body?.cancel()
          return { sub: '1', raw: {} }
        },
      })
    }

    it("bounds all of the normaliser's calls by one timeout → request_timeout (504)", async () => {
      vi.useFakeTimers()
      // each call answers within the timeout; both together do not
      const app = twoCalls(slowFetch(600), 1000)
      const settled = app.userinfo({ token: TOKEN }).then(
        () => undefined,
        (err: unknown) => err,
      )
      await vi.advanceTimersByTimeAsync(1300)
      const err = (await settled) as OAuthError
      expect(err).toBeInstanceOf(OAuthError)
      expect(err.code).toBe('request_timeout')
      expect(err.status).toBe(504)
    })

    it('bounds a body the normaliser reads itself (one that never ends) → request_timeout', async () => {
      vi.useFakeTimers()
      const endless = (async () =>
        new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), {
          headers: { 'content-type': 'text/plain' },
        })) as typeof fetch
      const oauth = new OAuth({ config: {} })
      const app = oauth.register('dev', {
        clientId: 'ck',
        clientSecret: 'cs',
        fetch: endless,
        timeout: 1000,
        userinfo: async (c) => {
          const res = await c.request('GET', `${P}/api/key`)
          return { sub: await res.text(), raw: {} }
        },
      })
      const settled = app.userinfo({ token: TOKEN }).then(
        () => undefined,
        (err: unknown) => err,
      )
      await vi.advanceTimersByTimeAsync(1100)
      expect(await settled).toMatchObject({ code: 'request_timeout', status: 504 })
    })

    it('within the timeout, both calls complete', async () => {
      vi.useFakeTimers()
      const app = twoCalls(slowFetch(400), 1000)
      const settled = app.userinfo({ token: TOKEN })
      await vi.advanceTimersByTimeAsync(900)
      expect((await settled).sub).toBe('1')
    })

    it('init.signal aborts the call in flight with its reason, as fetch does', async () => {
      const seen: AbortSignal[] = []
      const app = twoCalls(slowFetch(60_000, seen), 0)
      const controller = new AbortController()
      const settled = app.userinfo({ token: TOKEN, signal: controller.signal }).then(
        () => 'resolved',
        (err: unknown) => err,
      )
      await vi.waitFor(() => expect(seen).toHaveLength(1))
      const reason = new Error('user went away')
      controller.abort(reason)
      expect(await settled).toBe(reason)
      expect(seen[0]!.aborted).toBe(true)
    })

    it('an aborted init.signal rejects before any call', async () => {
      const seen: AbortSignal[] = []
      const app = twoCalls(slowFetch(0, seen), 0)
      const reason = new Error('already gone')
      await expect(app.userinfo({ token: TOKEN, signal: AbortSignal.abort(reason) })).rejects.toBe(
        reason,
      )
      expect(seen).toHaveLength(0)
    })

    it('init.signal that is not an AbortSignal → TypeError', async () => {
      const app = twoCalls(slowFetch(0), 0)
      await expect(app.userinfo({ token: TOKEN, signal: 'stop' as never })).rejects.toThrow(
        new TypeError('init.signal must be an AbortSignal'),
      )
    })
  })

  it('drops empty claims and keeps the typed ones', async () => {
    const { app, token } = await loggedIn({
      userinfo: () => ({
        sub: '1',
        name: '',
        email: 'a@b.example',
        email_verified: false,
        picture: undefined as never,
        raw: { id: 1 },
      }),
    })
    expect(await app.userinfo({ token })).toEqual({
      sub: '1',
      email: 'a@b.example',
      email_verified: false,
      raw: { id: 1 },
    })
  })
})
