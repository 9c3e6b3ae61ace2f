/** The `emulate` option itself: names, errors, overrides, and emulations of your own. */
import { describe, expect, it } from 'vitest'
import { callbackParams, consent, plain, signed } from '../emulation-test-helpers.js'
import {
  createTestProvider,
  EMULATION_NAMES,
  EMULATIONS,
  type Emulation,
  isEmulationName,
  type TestProviderOptions,
} from '../index.js'
import { resolveEmulation } from './index.js'

const CALLBACK = 'http://localhost:3000/cb'
const q = encodeURIComponent

describe('emulate', () => {
  it('knows the names the presets use', () => {
    expect(EMULATION_NAMES).toEqual([
      'twitter',
      'trello',
      'flickr',
      'tumblr',
      'discogs',
      'smugmug',
      'zotero',
      'mediawiki',
      'etrade',
      'atlassian',
      'netsuite',
      'woocommerce',
      'schoology',
      'mastercard',
      'bricklink',
      'plurk',
      'garmin',
    ])
    expect(Object.keys(EMULATIONS)).toEqual(EMULATION_NAMES)
    expect(isEmulationName('trello')).toBe(true)
    expect(isEmulationName('standard')).toBe(false)
    expect(Object.isFrozen(EMULATIONS)).toBe(true)
  })

  it.each<[unknown, string]>([
    [
      'myspace',
      'options.emulate should be one of twitter, trello, flickr, tumblr, discogs, smugmug, zotero, mediawiki, etrade, atlassian, netsuite, woocommerce, schoology, mastercard, bricklink, plurk, garmin (got "myspace")',
    ],
    [42, 'options.emulate should be an emulation name or an Emulation object'],
    [{ name: '', title: 'x' }, 'options.emulate.name should be a non-empty string'],
    [
      { name: 'x', title: 'X', requestToken: { path: '/rt', methods: ['POST'] } },
      'options.emulate should have both requestToken and accessToken, or neither',
    ],
    [
      {
        name: 'x',
        title: 'X',
        requestToken: { path: '/rt', methods: ['POST'] },
        accessToken: { path: '/at', methods: ['POST'] },
      },
      'options.emulate.authorize is needed with token endpoints',
    ],
    [
      {
        name: 'x',
        title: 'X',
        routes: [{ path: '/a', methods: ['GET'], auth: 'maybe', handle() {} }],
      },
      'options.emulate.routes[0].auth should be one of token, consumer, optional, none',
    ],
    [
      { name: 'x', title: 'X', signatureMethods: ['HMAC-MD5'] },
      'options.emulate.signatureMethods should be a non-empty array of signature methods',
    ],
    // Every optional field is checked when the provider starts, not at its first request.
    [
      { name: 'x', title: 'X', realm: 'abc' },
      'options.emulate.realm should be { value: string, endpoints: (requestToken | authorize | accessToken | api)[] } (got "abc")',
    ],
    [
      { name: 'x', title: 'X', realm: { value: 'r', endpoints: ['everywhere'] } },
      'options.emulate.realm should be { value: string, endpoints: (requestToken | authorize | accessToken | api)[] } (got an object)',
    ],
    [
      { name: 'x', title: 'X', timestampWindow: '300' },
      'options.emulate.timestampWindow should be a number of seconds, 0 or more (got "300")',
    ],
    [
      { name: 'x', title: 'X', minNonceLength: 2.5 },
      'options.emulate.minNonceLength should be a whole number of characters (got 2.5)',
    ],
    [
      { name: 'x', title: 'X', signatureMethodRejectedStatus: 200 },
      'options.emulate.signatureMethodRejectedStatus should be an HTTP error status (400–599) (got 200)',
    ],
    [
      { name: 'x', title: 'X', nonceScope: 'global' },
      'options.emulate.nonceScope should be "timestamp" or "key" (got "global")',
    ],
    [
      { name: 'x', title: 'X', requestTokenTtl: 0 },
      'options.emulate.requestTokenTtl should be a number of seconds above 0 (got 0)',
    ],
    [
      { name: 'x', title: 'X', denial: 'no' },
      'options.emulate.denial should be "user_refused" or "denied" or "empty_verifier" (got "no")',
    ],
    [
      { name: 'x', title: 'X', tokenFields: { user_id: '1' } },
      'options.emulate.tokenFields should be a function (got an object)',
    ],
    [
      { name: 'x', title: 'X', literalAmpersandInSignature: 'yes' },
      'options.emulate.literalAmpersandInSignature should be a boolean (got "yes")',
    ],
    [
      { name: 'x', title: 'X', jsonQueryParam: 'oauth_params' },
      'options.emulate.jsonQueryParam should be a query parameter name (got "oauth_params")',
    ],
    [
      {
        name: 'x',
        title: 'X',
        requestToken: { path: '/rt', methods: ['POST'] },
        accessToken: { path: '/at', methods: ['POST'] },
        authorize: { paths: ['/az'], params: { scope: { values: 'read' } } },
      },
      'options.emulate.authorize.params.scope.values should be an array of strings, a RegExp or a function (got "read")',
    ],
    [
      {
        name: 'x',
        title: 'X',
        routes: [{ path: '/a', methods: ['GET'], auth: 'none', renewsToken: 1, handle() {} }],
      },
      'options.emulate.routes[0].renewsToken should be a boolean (got 1)',
    ],
  ])('refuses %j with a TypeError', async (emulate, message) => {
    await expect(createTestProvider({ emulate } as unknown as TestProviderOptions)).rejects.toThrow(
      new TypeError(message),
    )
  })

  it('every built-in emulation passes the checks a custom one gets', () => {
    for (const name of EMULATION_NAMES) {
      expect(() => resolveEmulation({ ...EMULATIONS[name] }), name).not.toThrow()
    }
  })

  it('without emulate: the RFC 5849 provider, with urls too', async () => {
    const p = await createTestProvider()
    try {
      expect(p.emulation).toBeUndefined()
      expect({ ...p.urls }).toEqual({
        requestTokenUrl: `${p.url}/oauth/request_token`,
        authorizeUrl: `${p.url}/oauth/authorize`,
        accessTokenUrl: `${p.url}/oauth/access_token`,
        apiBaseUrl: `${p.url}/api/`,
        userinfoEndpoint: `${p.url}/api/me`,
      })
      expect(Object.isFrozen(p.urls)).toBe(true)
    } finally {
      await p.close()
    }
  })

  it('routes by the path as received: %2F is not a slash, an encoded unreserved character is itself', async () => {
    const p = await createTestProvider({ emulate: 'smugmug' })
    try {
      const slash = await plain(`${p.url}/services%2Foauth/1.0a/getRequestToken`, {
        method: 'POST',
      })
      expect(slash.status).toBe(404)
      const tilde = await plain(`${p.url}/services/%6Fauth/1.0a/getRequestToken`, {
        method: 'POST',
      })
      expect([tilde.status, tilde.form.get('oauth_problem')]).toEqual([400, 'parameter_absent'])
      const bang = await plain(`${p.url}/api/v2%21authuser`)
      expect(bang.status).toBe(404)
      const bad = await plain(`${p.url}/api/v2%zz`)
      expect(bad.status).toBe(400)
    } finally {
      await p.close()
    }
  })

  it('options win over the emulation’s defaults: name, timestampWindow, accessTokenTtl, quirks', async () => {
    let clock = Date.now()
    const p = await createTestProvider({
      emulate: 'twitter',
      name: 'Staging X',
      timestampWindow: 30,
      accessTokenTtl: 60,
      quirks: { denial: 'user_refused' },
      now: () => clock,
    })
    try {
      const rt = await signed({ method: 'POST', url: p.requestTokenUrl, callback: CALLBACK })
      const page = await plain(`${p.authorizeUrl}?oauth_token=${q(rt.form.get('oauth_token')!)}`)
      expect(page.text).toContain('<p class="provider">Staging X</p>')
      const { answer } = await consent(
        `${p.authorizeUrl}?oauth_token=${q(rt.form.get('oauth_token')!)}`,
        'deny',
      )
      expect(callbackParams(answer)[0]).toEqual(['oauth_problem', 'user_refused'])
      const old = await signed({
        method: 'POST',
        url: p.requestTokenUrl,
        callback: CALLBACK,
        timestamp: Math.floor(clock / 1000) - 60,
      })
      expect(old.form.get('oauth_problem')).toBe('timestamp_refused')
      const token = p.issueToken()
      expect(Object.keys(token)).toEqual([
        'oauth_token',
        'oauth_token_secret',
        'user_id',
        'screen_name',
      ])
      clock += 61_000
      const expired = await signed({
        method: 'GET',
        url: `${p.url}/2/users/me`,
        token: token.oauth_token,
        tokenSecret: token.oauth_token_secret,
        timestamp: Math.floor(clock / 1000),
      })
      expect(expired.form.get('oauth_problem')).toBe('token_expired')
    } finally {
      await p.close()
    }
  })

  it('issueToken takes the grant an emulation reads', async () => {
    const p = await createTestProvider({ emulate: 'trello' })
    try {
      const token = p.issueToken({ userId: 'carol', grant: { scope: 'read,account' } })
      const me = await signed({
        method: 'GET',
        url: p.urls.userinfoEndpoint!,
        token: token.oauth_token,
        tokenSecret: token.oauth_token_secret,
      })
      expect(me.json()).toMatchObject({ username: 'carol', email: 'carol@example.test' })
      expect(() => p.issueToken({ grant: { scope: 1 as never } })).toThrow(
        new TypeError('options.grant should be an object of strings'),
      )
    } finally {
      await p.close()
    }
  })

  it('builds your own: GET token endpoints, a required authorize parameter, no verifier, a route', async () => {
    const acme: Emulation = {
      name: 'acme',
      title: 'Acme',
      requestToken: { path: '/oauth/initiate', methods: ['GET'] },
      authorize: {
        paths: ['/login'],
        params: { scope: { values: ['profile', 'orders'], required: true, label: 'Scope' } },
        callback: 'accepted',
      },
      accessToken: { path: '/oauth/token', methods: ['GET'] },
      callback: 'ignored',
      verifier: false,
      callbackConfirmed: 'omit',
      signatureMethods: ['HMAC-SHA256'],
      apiBasePath: '/v1/',
      userinfoPath: '/v1/whoami',
      routes: [
        {
          path: '/v1/whoami',
          methods: ['GET'],
          auth: 'token',
          handle: (r) => ({ json: { user: r.user!.screenName, scope: r.grant.scope } }),
        },
      ],
    }
    const p = await createTestProvider({ emulate: acme, autoApprove: 'bob' })
    try {
      expect(p.emulation).toBe('acme')
      const signing = { signatureMethod: 'HMAC-SHA256' as const }
      const rt = await signed({ method: 'GET', url: p.requestTokenUrl, ...signing })
      expect(rt.text).toMatch(/^oauth_token=[^&]+&oauth_token_secret=[^&]+$/)
      const token = rt.form.get('oauth_token')!
      const missing = await plain(`${p.authorizeUrl}?oauth_token=${q(token)}`)
      expect(missing.status).toBe(400)
      const back = await plain(
        `${p.authorizeUrl}?oauth_token=${q(token)}&scope=orders&oauth_callback=${q(CALLBACK)}`,
      )
      expect(back.headers.get('location')).toBe(`${CALLBACK}?oauth_token=${q(token)}`)
      const at = await signed({
        method: 'GET',
        url: p.accessTokenUrl,
        token,
        tokenSecret: rt.form.get('oauth_token_secret')!,
        ...signing,
      })
      expect(at.status).toBe(200)
      const me = await signed({
        method: 'GET',
        url: p.urls.userinfoEndpoint!,
        token: at.form.get('oauth_token')!,
        tokenSecret: at.form.get('oauth_token_secret')!,
        ...signing,
      })
      expect(me.json()).toEqual({ user: 'bob', scope: 'orders' })
      const sha1 = await signed({ method: 'GET', url: p.requestTokenUrl })
      expect(sha1.form.get('oauth_problem_advice')).toBe(
        'Acme accepts HMAC-SHA256 only, not HMAC-SHA1',
      )
    } finally {
      await p.close()
    }
  })

  it('a built-in emulation as the base of your own', async () => {
    const p = await createTestProvider({
      emulate: { ...EMULATIONS.trello, name: 'trello-staging', title: 'Trello Staging' },
    })
    try {
      expect(p.urls.requestTokenUrl).toBe(`${p.url}/1/OAuthGetRequestToken`)
      expect(p.emulation).toBe('trello-staging')
      const home = await plain(`${p.url}/`)
      expect(home.text).toContain('Trello Staging')
      expect(home.text).toContain(`${p.url}/1/members/me`)
    } finally {
      await p.close()
    }
  })
})
