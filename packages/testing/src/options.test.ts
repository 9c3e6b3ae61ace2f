import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  callbackAllowed,
  createTestProvider,
  DEFAULT_CLIENT,
  LOOPBACK_CALLBACK,
  type TestProviderOptions,
} from './index.js'
import { coreSigner, send } from './test-helpers.js'

describe('options', () => {
  it('zero-config: the default client, users and endpoints', async () => {
    const p = await createTestProvider()
    try {
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(p.port).toBeGreaterThan(0)
      expect(p.requestTokenUrl).toBe(`${p.url}/oauth/request_token`)
      expect(p.authorizeUrl).toBe(`${p.url}/oauth/authorize`)
      expect(p.accessTokenUrl).toBe(`${p.url}/oauth/access_token`)
      expect(p.apiBaseUrl).toBe(`${p.url}/api/`)
      expect(p.client).toEqual({ id: 'demo-client', secret: 'demo-secret', name: 'Demo App' })
      expect(DEFAULT_CLIENT).toEqual(p.client)
      expect(p.users.map((u) => u.screenName)).toEqual(['alice', 'bob', 'carol'])
      const home = await fetch(`${p.url}/`)
      expect(home.status).toBe(200)
      const html = await home.text()
      expect(html).toContain(p.requestTokenUrl)
      expect(html).toContain('demo-secret')
    } finally {
      await p.close()
    }
  })

  it.each<[TestProviderOptions, string]>([
    [{ clients: [] }, 'options.clients should be a non-empty array of clients'],
    [{ clients: [{ id: '' }] }, 'options.clients[0].id should be a non-empty string'],
    [{ clients: [{ id: 'a' }] }, 'options.clients[0] should have a secret or an rsaPublicKey'],
    [
      {
        clients: [
          { id: 'a', secret: 's' },
          { id: 'a', secret: 't' },
        ],
      },
      'options.clients[1].id is a duplicate',
    ],
    [
      { clients: [{ id: 'a', secret: 's', signatureMethods: ['RSA-SHA1'] }] },
      'options.clients[0].signatureMethods has RSA-SHA1 but the client has no rsaPublicKey',
    ],
    [
      { clients: [{ id: 'a', secret: 's', signatureMethods: ['HMAC-MD5' as never] }] },
      'options.clients[0].signatureMethods should be made of HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512, PLAINTEXT',
    ],
    [
      { clients: [{ id: 'a', rsaPublicKey: 'not a key' }] },
      'options.clients[0].rsaPublicKey should be an RSA public key (PEM or KeyObject)',
    ],
    [
      { clients: [{ id: 'a', secret: 's', callbackUrls: [42 as never] }] },
      'options.clients[0].callbackUrls should be an array of strings and RegExps',
    ],
    [
      { autoApprove: 'mallory' },
      'options.autoApprove should be a boolean or the id or screen name of one of the users',
    ],
    [{ timestampWindow: -1 }, 'options.timestampWindow should be a non-negative number'],
    [{ requestTokenTtl: 0 }, 'options.requestTokenTtl should be a positive number'],
    [{ maxBodySize: Number.NaN }, 'options.maxBodySize should be a positive number'],
    [{ port: 70000 }, 'options.port should be an integer from 0 to 65535'],
    [
      { allowPlaintext: 'yes' as never },
      "options.allowPlaintext should be a boolean or 'loopback'",
    ],
    [
      { quirks: { denial: 'nope' as never } },
      "options.quirks.denial should be 'user_refused' or 'denied'",
    ],
    [
      { quirks: { delay: -5 } },
      'options.quirks.delay should be a non-negative number of milliseconds (at most 2147483647)',
    ],
    [
      { quirks: { tokenFormat: 'xml' as never } },
      "options.quirks.tokenFormat should be 'form' or 'json'",
    ],
    [
      { quirks: { tokenContentType: 'text/html\n' } },
      'options.quirks.tokenContentType should be a printable ASCII Content-Type value',
    ],
    [
      { quirks: { tokenContentType: 5 as never } },
      'options.quirks.tokenContentType should be a printable ASCII Content-Type value',
    ],
    [
      { clients: [{ id: 'a', secret: 's', quirks: { callbackConfirmed: 'yes' as never } }] },
      "options.clients[0].quirks.callbackConfirmed should be 'true', 'True', 'false' or 'omit'",
    ],
    [
      { clients: [{ id: 'a', secret: 's', callbackUrls: ['app.example/callback'] }] },
      'options.clients[0].callbackUrls[0] should be \'oob\' or an absolute URL (a trailing * makes a prefix), got "app.example/callback"',
    ],
    [
      { clients: [{ id: 'a', secret: 's', callbackUrls: ['oob', '*'] }] },
      'options.clients[0].callbackUrls[1] should be \'oob\' or an absolute URL (a trailing * makes a prefix), got "*"',
    ],
    [
      { clients: [{ id: 'a', secret: 's', name: '' }] },
      'options.clients[0].name should be a non-empty string',
    ],
    [{ name: '' }, 'options.name should be a non-empty string'],
    [{ name: 5 as never }, 'options.name should be a non-empty string'],
    [{ host: '' }, 'options.host should be a non-empty string'],
    [
      { quirks: { delay: 2 ** 31 } },
      'options.quirks.delay should be a non-negative number of milliseconds (at most 2147483647)',
    ],
    [
      { quirks: { delay: { accessToken: 1e12 } } },
      'options.quirks.delay.accessToken should be a non-negative number of milliseconds (at most 2147483647)',
    ],
    [{ users: [] }, 'options.users should be a non-empty array of { id, screenName, name }'],
    [
      { users: [{ id: '1', screenName: 'a', name: 'A', email: 5 as never }] },
      'options.users[0].email should be a string',
    ],
    [
      {
        users: [
          { id: '1', screenName: 'a', name: 'A' },
          { id: '1', screenName: 'b', name: 'B' },
        ],
      },
      'options.users[1] should be a user of its own (users[0] has its id or screen name)',
    ],
    [
      {
        users: [
          { id: '1', screenName: 'a', name: 'A' },
          { id: '2', screenName: 'a', name: 'B' },
        ],
      },
      'options.users[1] should be a user of its own (users[0] has its id or screen name)',
    ],
    [{ debug: 'yes' as never }, 'options.debug should be a boolean'],
    [
      { clients: [{ id: 'a', secret: 's', autoApprove: 1 as never }] },
      'options.clients[0].autoApprove should be a boolean or the id or screen name of one of the users',
    ],
    [
      { quirks: { failure: 'bogus' as never } },
      'options.quirks.failure should be one of server_error, unavailable, html, malformed, empty, oversized, reset, truncated, drip, or { status, body?, contentType? }',
    ],
    [
      { quirks: { failure: { status: 99 } } },
      'options.quirks.failure.status should be an HTTP status from 200 to 599',
    ],
    [
      { quirks: { failure: { status: 500, body: 5 as never } } },
      'options.quirks.failure.body should be a string',
    ],
    [
      { quirks: { failure: { status: 500, contentType: 'text/plain\r\nx: y' } } },
      'options.quirks.failure.contentType should be a printable ASCII Content-Type value',
    ],
    [
      { quirks: { failure: { api: 'nope' as never } } },
      'options.quirks.failure.api should be one of server_error, unavailable, html, malformed, empty, oversized, reset, truncated, drip, or { status, body?, contentType? }',
    ],
    [
      { quirks: { failure: { everywhere: 'reset' } as never } },
      'options.quirks.failure should be a failure, or failures keyed by requestToken, authorize, accessToken, api',
    ],
    [
      { clients: [{ id: 'a', secret: 's', quirks: { failure: [] as never } }] },
      'options.clients[0].quirks.failure should be a failure, or failures keyed by requestToken, authorize, accessToken, api',
    ],
  ])('%j → TypeError', async (options, message) => {
    await expect(createTestProvider(options)).rejects.toThrow(new TypeError(message))
  })

  it('every option given as undefined is as if left out (an unset environment variable)', async () => {
    const p = await createTestProvider({
      port: undefined,
      host: undefined,
      name: undefined,
      clients: undefined,
      users: undefined,
      autoApprove: undefined,
      timestampWindow: undefined,
      requestTokenTtl: undefined,
      accessTokenTtl: undefined,
      allowPlaintext: undefined,
      maxBodySize: undefined,
      maxRecords: undefined,
      debug: undefined,
      quirks: undefined,
      emulate: undefined,
      onRequest: undefined,
      now: undefined,
    })
    const q = await createTestProvider({
      clients: [
        {
          id: 'c',
          secret: 's',
          rsaPublicKey: undefined,
          signatureMethods: undefined,
          callbackUrls: undefined,
          name: undefined,
          autoApprove: undefined,
          quirks: undefined,
        },
      ],
    })
    try {
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(p.client).toEqual(DEFAULT_CLIENT)
      expect(p.users.map((u) => u.screenName)).toEqual(['alice', 'bob', 'carol'])
      expect(q.client.id).toBe('c')
      const rt = await send(
        await coreSigner({
          method: 'POST',
          url: q.requestTokenUrl,
          clientId: 'c',
          clientSecret: 's',
          callback: 'oob',
        }),
      )
      expect(rt.status).toBe(200)
    } finally {
      await p.close()
      await q.close()
    }
  })

  it('an RSA client gets the RSA methods by default', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const p = await createTestProvider({ clients: [{ id: 'r', rsaPublicKey: publicKey }] })
    await p.close()
    expect(p.client).toEqual({ id: 'r', secret: '', name: 'Demo App' })
  })

  it('setQuirks checks a failure as the options do; issueToken wants an object', async () => {
    const p = await createTestProvider()
    try {
      expect(() => p.setQuirks({ failure: { status: 1000 } })).toThrow(
        new TypeError('options.quirks.failure.status should be an HTTP status from 200 to 599'),
      )
      expect(() => p.issueToken(null as never)).toThrow(
        new TypeError('issueToken(options) should be an object: { clientId?, userId?, grant? }'),
      )
      // A valid per-endpoint failure is taken.
      p.setQuirks({ failure: { api: { status: 418, body: 'teapot' } } })
      const token = p.issueToken()
      const res = await send(
        await coreSigner({
          method: 'GET',
          url: `${p.apiBaseUrl}me`,
          token: token.oauth_token,
          tokenSecret: token.oauth_token_secret,
        }),
      )
      expect([res.status, res.text]).toEqual([418, 'teapot'])
    } finally {
      await p.close()
    }
  })

  it('a host that names no address here rejects with a TypeError naming options.host', async () => {
    const error = await createTestProvider({ host: 'no-such-host.invalid' }).catch((e) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toMatch(
      /^options\.host should name an address of this machine; "no-such-host\.invalid" gave (ENOTFOUND|EAI_AGAIN)$/,
    )
    expect(error.cause?.code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/)
  })

  it('a port in use rejects with the listen error', async () => {
    const a = await createTestProvider()
    try {
      await expect(createTestProvider({ port: a.port })).rejects.toThrow(/EADDRINUSE/)
    } finally {
      await a.close()
    }
  })

  it('issueToken validates its arguments', async () => {
    const p = await createTestProvider()
    await p.close()
    expect(() => p.issueToken({ userId: 'nobody' })).toThrow(
      new TypeError('options.userId names no user: nobody'),
    )
    expect(() => p.issueToken({ clientId: 'x' })).toThrow(
      new TypeError('options.clientId names no client: x'),
    )
    expect(p.issueToken({ userId: 'carol' })).toMatchObject({
      user_id: '1003',
      screen_name: 'carol',
    })
  })
})

describe('callbackAllowed', () => {
  it('exact strings, prefixes with *, RegExps, and oob', () => {
    const patterns = [
      'https://app.example/cb',
      'https://app.example/auth/*',
      /^myapp:\/\/cb$/,
      'oob',
    ]
    expect(callbackAllowed('https://app.example/cb', patterns)).toBe(true)
    expect(callbackAllowed('https://app.example/cb?x=1', patterns)).toBe(false)
    expect(callbackAllowed('https://app.example/auth/twitter?x=1', patterns)).toBe(true)
    expect(callbackAllowed('https://app.example/authx', patterns)).toBe(false)
    expect(callbackAllowed('myapp://cb', patterns)).toBe(true)
    expect(callbackAllowed('oob', patterns)).toBe(true)
    expect(callbackAllowed('OOB', patterns)).toBe(false)
  })

  it('the default accepts loopback hosts only', () => {
    const ok = [
      'http://localhost/cb',
      'http://localhost:3000/cb?x=1',
      'http://127.0.0.1:8080/',
      'http://[::1]:3000/cb',
      'https://localhost',
    ]
    const bad = [
      'http://localhost.evil.example/cb',
      'http://127.0.0.1.evil.example/',
      'https://example.com/cb',
      'http://localhost@evil.example/',
    ]
    for (const u of ok) expect(callbackAllowed(u, [LOOPBACK_CALLBACK])).toBe(true)
    for (const u of bad) expect(callbackAllowed(u, [LOOPBACK_CALLBACK])).toBe(false)
  })
})
