/**
 * A systematic fuzz of the public entry points' options with values of the
 * wrong kind: each must end in a TypeError naming the option (or the
 * OAuthError DESIGN.md documents), thrown or rejected as the API does —
 * never a crash deeper inside, silent acceptance or a hang. Valid edge values
 * are checked too, so nothing passes by refusing everything.
 */
import { generateKeyPairSync } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createMemoryStore,
  createSealer,
  createSessionRecordStore,
  OAuth,
  OAuth1Client,
  OAuthError,
  percentEncode,
  signatureBaseString,
  signRequest,
} from './index.js'

const MB = 'x'.repeat(1 << 20)
const SECRET = 's'.repeat(32)
const fn = () => 'x'

/** Every kind of wrong value, by label. */
const ALL: Record<string, unknown> = {
  undefined: undefined,
  null: null,
  "''": '',
  '0': 0,
  '-1': -1,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '1e20': 1e20,
  true: true,
  '{}': {},
  '[]': [],
  Symbol: Symbol('x'),
  function: fn,
  "'string'": 'string',
  '1 MB string': MB,
}
const pick = (...labels: string[]): [string, unknown][] =>
  labels.map((l) => {
    if (!(l in ALL)) throw new Error(`no value ${l}`)
    return [l, ALL[l]]
  })
const NOT_STRING = [
  'null',
  '0',
  '-1',
  'NaN',
  'Infinity',
  '1e20',
  'true',
  '{}',
  '[]',
  'Symbol',
  'function',
]
const NOT_BOOLEAN = [...NOT_STRING.filter((l) => l !== 'true'), "''", "'string'"]
const NOT_FUNCTION = NOT_STRING.filter((l) => l !== 'function').concat("''", "'string'")

/** Calls `run`; returns what it threw or rejected with (undefined when it succeeded). */
async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run()
  } catch (err) {
    return err
  }
  return undefined
}

async function expectTypeError(run: () => unknown, name: string): Promise<void> {
  const err = await failure(run)
  expect(err, `expected a TypeError naming ${name}`).toBeInstanceOf(TypeError)
  expect((err as Error).message).toContain(name)
}

/** A fetch that fails the test when reached. */
const unreachableFetch = (async () => {
  throw new Error('fetch should not be reached')
}) as typeof fetch
const tokenFetch = (async () =>
  new Response('oauth_token=t&oauth_token_secret=ts&oauth_callback_confirmed=true', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })) as typeof fetch
const okFetch = (async () => new Response('ok')) as typeof fetch

const URL_ = 'https://api.example.com/r'
const request = { method: 'GET', url: URL_ }
const credentials = { clientId: 'ck', clientSecret: 'cs' }
/** The register() options of an app with the three flow endpoints. */
const base = {
  clientId: 'ck',
  requestTokenUrl: `${URL_}/request`,
  accessTokenUrl: `${URL_}/access`,
  authorizeUrl: `${URL_}/authorize`,
}

describe('signRequest', () => {
  const cases: [string, string[], (v: unknown) => unknown][] = [
    [
      'request',
      ['undefined', 'null', "''", '0', 'true', 'Symbol', 'function'],
      (v) => signRequest(v as never, credentials),
    ],
    [
      'credentials',
      ['undefined', 'null', "''", '0', 'true', 'Symbol', 'function'],
      (v) => signRequest(request, v as never),
    ],
    [
      'options',
      ['null', "''", '0', 'true', 'Symbol', 'function'],
      (v) => signRequest(request, credentials, v as never),
    ],
    [
      'request.method',
      ['undefined', ...NOT_STRING, "''", '1 MB string'].filter((l) => l !== '1 MB string'),
      (v) => signRequest({ method: v, url: URL_ } as never, credentials),
    ],
    [
      'request.url',
      ['undefined', ...NOT_STRING, "''", "'string'"],
      (v) => signRequest({ method: 'GET', url: v } as never, credentials),
    ],
    [
      'request.headers',
      ['0', 'true', 'Symbol', "'string'", '1e20'],
      (v) => signRequest({ ...request, headers: v } as never, credentials),
    ],
    [
      'request.body',
      ['0', 'true', '{}', '[]', 'Symbol', 'function', '1e20'],
      (v) => signRequest({ method: 'POST', url: URL_, body: v } as never, credentials),
    ],
    [
      'credentials.clientId',
      ['undefined', "''", ...NOT_STRING],
      (v) => signRequest(request, { clientId: v } as never),
    ],
    ...(['clientSecret', 'token', 'tokenSecret', 'callback', 'verifier', 'realm'] as const).map(
      (o): [string, string[], (v: unknown) => unknown] => [
        `credentials.${o}`,
        NOT_STRING,
        (v) => signRequest(request, { ...credentials, [o]: v } as never),
      ],
    ),
    [
      'credentials.signatureMethod',
      ["''", "'string'", '0', 'true', '{}', '[]', 'Symbol', 'function', '1 MB string'],
      (v) => signRequest(request, { ...credentials, signatureMethod: v } as never),
    ],
    [
      'credentials.signatureType',
      ["''", "'string'", '0', 'true', '{}', '[]', 'Symbol', 'function'],
      (v) => signRequest(request, { ...credentials, signatureType: v } as never),
    ],
    [
      'credentials.bodyHash',
      NOT_BOOLEAN.filter((l) => l !== 'null'),
      (v) => signRequest(request, { ...credentials, bodyHash: v } as never),
    ],
    [
      'credentials.rsaKey',
      ['undefined', 'null', "''", '0', 'true', 'Symbol', 'function', '{}'],
      (v) =>
        signRequest(request, { ...credentials, signatureMethod: 'RSA-SHA1', rsaKey: v } as never),
    ],
    [
      'options.nonce',
      ["''", ...NOT_STRING],
      (v) => signRequest(request, credentials, { nonce: v } as never),
    ],
    [
      'options.timestamp',
      [
        'null',
        "''",
        '-1',
        'NaN',
        'Infinity',
        '1e20',
        'true',
        '{}',
        '[]',
        'Symbol',
        'function',
        "'string'",
      ],
      (v) => signRequest(request, credentials, { timestamp: v } as never),
    ],
    [
      'options.clockOffset',
      [
        "''",
        'NaN',
        'Infinity',
        '-Infinity',
        '1e20',
        'true',
        '{}',
        '[]',
        'Symbol',
        'function',
        "'string'",
      ],
      (v) => signRequest(request, credentials, { clockOffset: v } as never),
    ],
  ]
  for (const [name, labels, run] of cases) {
    it.each(pick(...labels))(`${name} = %s → TypeError naming ${name}`, async (_, value) => {
      await expectTypeError(() => run(value), name)
    })
  }

  it('rejects asynchronously, never throws synchronously', () => {
    const pending = signRequest(null as never, credentials)
    expect(pending).toBeInstanceOf(Promise)
    return expect(pending).rejects.toThrow(TypeError)
  })

  it('refuses a realm with NUL or a lone surrogate, and a header value with NUL', async () => {
    await expectTypeError(
      () => signRequest(request, { ...credentials, realm: 'a\0b' }),
      'credentials.realm',
    )
    await expectTypeError(
      () => signRequest(request, { ...credentials, realm: '\uD800' }),
      'credentials.realm',
    )
    await expectTypeError(
      () => signRequest({ ...request, headers: { 'x-a': 'a\0b' } }, credentials),
      'request.headers',
    )
  })

  it('property: any non-string clientId → TypeError naming credentials.clientId', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything().filter((v) => typeof v !== 'string'),
        async (v) => {
          await expectTypeError(
            () => signRequest(request, { clientId: v } as never),
            'credentials.clientId',
          )
        },
      ),
      { numRuns: 100 },
    )
  })

  it('reads null as "left out" where a default applies (signatureMethod, signatureType, bodyHash, clockOffset)', async () => {
    const signed = await signRequest(
      request,
      { ...credentials, signatureMethod: null, signatureType: null, bodyHash: null } as never,
      { clockOffset: null } as never,
    )
    expect(signed.headers.get('authorization')).toContain('HMAC-SHA1')
    expect(
      new OAuth1Client({ clientId: 'ck', signatureMethod: null, clockOffset: null } as never)
        .signatureMethod,
    ).toBe('HMAC-SHA1')
  })

  it('accepts valid edge values', async () => {
    const signed = await signRequest(
      { method: 'patch', url: new URL(URL_), body: '' },
      {
        clientId: MB,
        clientSecret: '',
        token: '',
        tokenSecret: '\uD800',
        callback: 'oob',
        verifier: 'v\0\uDC00',
        realm: '',
        signatureMethod: 'PLAINTEXT',
        bodyHash: false,
      },
      { nonce: 'n\0\uD800', timestamp: 0, clockOffset: 5 },
    )
    expect(signed.headers.get('authorization')).toContain('oauth_nonce="n%00%EF%BF%BD"')
    expect(signed.headers.get('authorization')).toContain('oauth_verifier="v%00%EF%BF%BD"')
    await expect(
      signRequest(request, credentials, { timestamp: '99999999999' }),
    ).resolves.toBeTruthy()
    await expect(signRequest(request, credentials, { clockOffset: -1 })).resolves.toBeTruthy()
    await expect(signRequest(request, credentials, { clockOffset: 1e12 })).resolves.toBeTruthy()
  })

  it('defect fixed: a Symbol or array timestamp is a TypeError naming options.timestamp', async () => {
    // Before: a Symbol crashed in RegExp#test ("Cannot convert a Symbol value to a string"); ['123'] was accepted.
    await expectTypeError(
      () => signRequest(request, credentials, { timestamp: Symbol() as never }),
      'options.timestamp',
    )
    await expectTypeError(
      () => signRequest(request, credentials, { timestamp: ['123'] as never }),
      'options.timestamp',
    )
  })

  it('defect fixed: a clockOffset past ±1e12 ms is refused (1e25 used to sign oauth_timestamp="1e+22")', async () => {
    await expectTypeError(
      () => signRequest(request, credentials, { clockOffset: 1e25 }),
      'options.clockOffset',
    )
    await expectTypeError(
      () => signRequest(request, credentials, { clockOffset: -1e13 }),
      'options.clockOffset',
    )
  })
})

describe('new OAuth1Client(options)', () => {
  const make = (extra: Record<string, unknown>) => () =>
    new OAuth1Client({ clientId: 'ck', ...extra } as never)
  const cases: [string, string[], (v: unknown) => () => unknown][] = [
    [
      'options',
      ['undefined', 'null', "''", '0', 'true', 'Symbol', 'function'],
      (v) => () => new OAuth1Client(v as never),
    ],
    [
      'clientId',
      ['undefined', "''", ...NOT_STRING],
      (v) => () => new OAuth1Client({ clientId: v } as never),
    ],
    ...(['clientSecret', 'token', 'tokenSecret', 'verifier', 'realm', 'userAgent'] as const).map(
      (o): [string, string[], (v: unknown) => () => unknown] => [
        o,
        NOT_STRING,
        (v) => make({ [o]: v }),
      ],
    ),
    ['redirectUri', [...NOT_STRING, "''", "'string'"], (v) => make({ redirectUri: v })],
    [
      'signatureMethod',
      ["''", "'string'", '0', 'true', '{}', '[]', 'Symbol', 'function'],
      (v) => make({ signatureMethod: v }),
    ],
    [
      'signatureType',
      ["''", "'string'", '0', 'true', '{}', '[]', 'Symbol', 'function'],
      (v) => make({ signatureType: v }),
    ],
    [
      'rsaKey',
      ['undefined', 'null', "''", '0', 'true', 'Symbol', 'function'],
      (v) => make({ signatureMethod: 'RSA-SHA256', rsaKey: v }),
    ],
    ...(['forceIncludeBody', 'requireCallbackConfirmed', 'allowInsecureTransport'] as const).map(
      (o): [string, string[], (v: unknown) => () => unknown] => [
        o,
        NOT_BOOLEAN,
        (v) => make({ [o]: v }),
      ],
    ),
    ['fetch', NOT_FUNCTION, (v) => make({ fetch: v })],
    [
      'timeout',
      [
        'null',
        "''",
        '-1',
        'NaN',
        '-Infinity',
        'true',
        '{}',
        '[]',
        'Symbol',
        'function',
        "'string'",
      ],
      (v) => make({ timeout: v }),
    ],
    [
      'clockOffset',
      [
        "''",
        'NaN',
        'Infinity',
        '-Infinity',
        '1e20',
        'true',
        '{}',
        '[]',
        'Symbol',
        'function',
        "'string'",
      ],
      (v) => make({ clockOffset: v }),
    ],
  ]
  for (const [name, labels, run] of cases) {
    it.each(pick(...labels))(`${name} = %s → TypeError naming ${name}`, (_, value) =>
      expectTypeError(run(value), name),
    )
  }

  it('property: any non-string clientId → TypeError naming clientId', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything().filter((v) => typeof v !== 'string'),
        (v) => expectTypeError(() => new OAuth1Client({ clientId: v } as never), 'clientId'),
      ),
      { numRuns: 100 },
    )
  })

  it('accepts valid edge values', () => {
    for (const timeout of [0, 1, Number.POSITIVE_INFINITY, 1e20]) {
      expect(new OAuth1Client({ clientId: 'ck', timeout }).timeout).toBe(timeout)
    }
    const client = new OAuth1Client({
      clientId: MB,
      clientSecret: '',
      token: '',
      tokenSecret: '',
      verifier: '',
      realm: '',
      userAgent: '',
      redirectUri: 'oob',
      forceIncludeBody: false,
      requireCallbackConfirmed: false,
      allowInsecureTransport: true,
      clockOffset: -1,
      fetch: okFetch,
    })
    expect(client.token).toBeNull()
    expect(client.requireCallbackConfirmed).toBe(false)
  })

  it('defect fixed: a timeout above 2^31-1 ms no longer fires at once', async () => {
    // Before: setTimeout overflowed to 1 ms, so timeout: 1e20 failed every request with request_timeout.
    const slowFetch = (async () => {
      await new Promise((r) => setTimeout(r, 20))
      return new Response('ok')
    }) as typeof fetch
    const client = new OAuth1Client({ clientId: 'ck', timeout: 1e20, fetch: slowFetch })
    const res = await client.request('GET', URL_)
    expect(await res.text()).toBe('ok')
  })
})

describe('OAuth1Client methods', () => {
  const client = (fetchImpl = unreachableFetch) =>
    new OAuth1Client({ clientId: 'ck', clientSecret: 'cs', fetch: fetchImpl })
  const withToken = (fetchImpl = unreachableFetch) =>
    new OAuth1Client({
      clientId: 'ck',
      token: 't',
      tokenSecret: 'ts',
      verifier: 'v',
      fetch: fetchImpl,
    })
  const BAD_PARAMS = ["''", '0', 'true', '[]', 'Symbol', 'function', "'string'", '1e20']
  const cases: [string, string, string[], (v: unknown) => unknown][] = [
    [
      'fetchRequestToken',
      'url',
      ['undefined', ...NOT_STRING, "''", "'string'"],
      (v) => client().fetchRequestToken(v as never),
    ],
    [
      'fetchRequestToken',
      'params',
      BAD_PARAMS,
      (v) => client().fetchRequestToken(URL_, v as never),
    ],
    [
      'fetchRequestToken',
      'params.a',
      ['0', 'null', 'true', 'Symbol', '{}'],
      (v) => client().fetchRequestToken(URL_, { a: v } as never),
    ],
    [
      'createAuthorizationUrl',
      'url',
      ['undefined', ...NOT_STRING, "''", "'string'"],
      (v) => withToken().createAuthorizationUrl(v as never),
    ],
    [
      'createAuthorizationUrl',
      'requestToken',
      ["''", ...NOT_STRING],
      (v) => client().createAuthorizationUrl(URL_, v as never),
    ],
    [
      'createAuthorizationUrl',
      'params',
      BAD_PARAMS,
      (v) => withToken().createAuthorizationUrl(URL_, undefined, v as never),
    ],
    [
      'parseAuthorizationResponse',
      'url',
      ['undefined', 'null', '0', 'true', '{}', '[]', 'Symbol', 'function'],
      (v) => client().parseAuthorizationResponse(v as never),
    ],
    [
      'fetchAccessToken',
      'url',
      ['undefined', ...NOT_STRING, "''", "'string'"],
      (v) => withToken().fetchAccessToken(v as never),
    ],
    [
      'fetchAccessToken',
      'verifier',
      ['0', '-1', '1e20', 'true', '{}', '[]', 'Symbol', 'function'],
      (v) => withToken().fetchAccessToken(URL_, v as never),
    ],
    [
      'fetchAccessToken',
      'params',
      BAD_PARAMS,
      (v) => withToken().fetchAccessToken(URL_, 'v', v as never),
    ],
    [
      'request',
      'method',
      ['undefined', ...NOT_STRING, "''", '1 MB string'].filter((l) => l !== '1 MB string'),
      (v) => client().request(v as never, URL_),
    ],
    [
      'request',
      'url',
      ['undefined', ...NOT_STRING, "''", "'string'"],
      (v) => client().request('GET', v as never),
    ],
    [
      'request',
      'init',
      ['null', "''", '0', 'true', 'Symbol', 'function', "'string'"],
      (v) => client().request('GET', URL_, v as never),
    ],
    ['request', 'query', BAD_PARAMS, (v) => client().request('GET', URL_, { query: v as never })],
    [
      'request',
      'token',
      ["''", '0', 'true', '{}', '[]', 'Symbol', 'function', "'string'"],
      (v) => client().request('GET', URL_, { token: v as never }),
    ],
    [
      'request',
      'headers',
      ['0', 'true', 'Symbol', "'string'", '1e20'],
      (v) => client().request('GET', URL_, { headers: v as never }),
    ],
    [
      'request',
      'body',
      ['0', '-1', 'NaN', 'true', '[]', 'Symbol', 'function', '1e20'],
      (v) => client().request('POST', URL_, { body: v as never }),
    ],
    [
      'request',
      'signal',
      ["''", '0', 'true', '{}', '[]', 'Symbol', 'function', "'string'"],
      (v) => client().request('GET', URL_, { signal: v as never }),
    ],
    [
      'request',
      'redirect',
      ['null', "''", '0', 'true', '{}', 'Symbol', "'string'"],
      (v) => client().request('GET', URL_, { redirect: v as never }),
    ],
  ]
  for (const [method, name, labels, run] of cases) {
    it.each(pick(...labels))(`${method}: ${name} = %s → TypeError naming ${name}`, (_, value) =>
      expectTypeError(() => run(value), name),
    )
  }

  it('the async methods reject rather than throw synchronously', () => {
    const c = client()
    for (const pending of [
      c.fetchRequestToken(5 as never),
      c.fetchAccessToken(5 as never, 'v'),
      c.request(5 as never, URL_),
      c.request('GET', URL_, null as never),
    ]) {
      expect(pending).toBeInstanceOf(Promise)
      pending.catch(() => {})
    }
  })

  it('documented OAuthErrors: no verifier, no temporary credentials', async () => {
    const c = client()
    const noVerifier = await failure(() => c.fetchAccessToken(URL_))
    expect(noVerifier).toBeInstanceOf(OAuthError)
    expect((noVerifier as OAuthError).code).toBe('missing_verifier')
    const noToken = await failure(() => c.fetchAccessToken(URL_, 'v'))
    expect((noToken as OAuthError).code).toBe('missing_token')
    const cb = await failure(() => c.parseAuthorizationResponse('https://app.example/cb?x=1'))
    expect((cb as OAuthError).code).toBe('missing_token')
  })

  it('refuses NUL in a header value and in the request method', async () => {
    await expectTypeError(
      () => client().request('GET', URL_, { headers: { 'x-a': 'a\0' } }),
      'headers',
    )
    await expectTypeError(() => client().request('GE\0T', URL_), 'method')
  })

  it('accepts valid edge values', async () => {
    const c = client(tokenFetch)
    await expect(c.fetchRequestToken(URL_, {})).resolves.toMatchObject({ oauth_token: 't' })
    await expect(
      c.fetchRequestToken(URL_, new URLSearchParams('a=1') as never),
    ).resolves.toBeTruthy()
    expect(c.createAuthorizationUrl(URL_, undefined, null as never)).toBe(`${URL_}?oauth_token=t`)
    // Defect fixed: a lone surrogate here threw URIError from encodeURIComponent.
    expect(c.createAuthorizationUrl(URL_, 't\0\uD800', { a: MB })).toContain(
      'oauth_token=t%00%EF%BF%BD',
    )
    expect(
      c.parseAuthorizationResponse(new URLSearchParams('oauth_token=t&oauth_verifier=v') as never),
    ).toEqual({
      oauth_token: 't',
      oauth_verifier: 'v',
    })
    await expect(c.fetchAccessToken(new URL(URL_), '', {})).resolves.toMatchObject({
      oauth_token: 't',
    })
    const api = client(okFetch)
    for (const init of [
      undefined,
      {},
      { token: null },
      { token: { oauth_token: 't', oauth_token_secret: '' } },
      {
        query: null as never,
        headers: [['x-a', 'b']] as [string, string][],
        signal: null as never,
      },
      { body: { a: 'b' }, redirect: 'manual' as const },
      { body: new Blob(['x']) },
      { body: new ArrayBuffer(2) },
    ]) {
      await expect(api.request('PATCH', URL_, init)).resolves.toBeInstanceOf(Response)
    }
  })

  it('defect fixed: params of the wrong kind are refused, not sent', async () => {
    // Before: 'ab' was sent as 0=a&1=b, 5 and a URLSearchParams in body mode silently dropped, null crashed in Object.entries.
    const seen: string[] = []
    const recording = (async (input: string) => {
      seen.push(input)
      return tokenFetch(input)
    }) as typeof fetch
    const c = new OAuth1Client({ clientId: 'ck', fetch: recording })
    await expectTypeError(() => c.fetchRequestToken(URL_, 'ab' as never), 'params')
    await expectTypeError(() => c.fetchRequestToken(URL_, { a: 5 } as never), 'params.a')
    expect(seen).toEqual([])
    const body = new OAuth1Client({ clientId: 'ck', signatureType: 'body', fetch: tokenFetch })
    await expectTypeError(() => body.fetchRequestToken(URL_, { a: 5 } as never), 'params.a')
  })

  it('defect fixed: a token of the wrong shape is refused, not signed without a token', async () => {
    await expectTypeError(
      () => client(okFetch).request('GET', URL_, { token: 'abc' as never }),
      'token',
    )
    await expectTypeError(
      () =>
        client(okFetch).request('GET', URL_, {
          token: { oauth_token: 't', oauth_token_secret: 5 } as never,
        }),
      'token',
    )
  })
})

describe('new OAuth(options) and register(name, options)', () => {
  const reg = (extra: Record<string, unknown>) => () =>
    new OAuth({ config: {} }).register('app', { ...base, ...extra } as never)
  const kw = (extra: Record<string, unknown>) => reg({ clientKwargs: extra })
  // register reads null as "left out" (then config, then the default), as Authlib reads None.
  const NOT_STRING_REG = NOT_STRING.filter((l) => l !== 'null')
  const cases: [string, string[], (v: unknown) => () => unknown][] = [
    [
      'options',
      ['null', "''", '0', 'true', 'Symbol', 'function'],
      (v) => () => new OAuth(v as never),
    ],
    ['fetchToken', NOT_FUNCTION, (v) => () => new OAuth({ fetchToken: v } as never)],
    [
      'config',
      ['null', "''", '0', 'true', 'Symbol', "'string'"],
      (v) => () => new OAuth({ config: v } as never),
    ],
    [
      'name',
      ['undefined', 'null', "''", '0', 'true', '{}', 'Symbol', 'function', '1e20'],
      (v) => () => new OAuth({ config: {} }).register(v as never, base),
    ],
    [
      'options',
      ['null', "''", '0', 'true', 'Symbol', 'function'],
      (v) => () => new OAuth({ config: {} }).register('app', v as never),
    ],
    ...(['clientId', 'requestTokenUrl', 'accessTokenUrl', 'authorizeUrl'] as const).map(
      (o): [string, string[], (v: unknown) => () => unknown] => [
        o,
        ['undefined', "''", ...NOT_STRING_REG],
        (v) => reg({ [o]: v }),
      ],
    ),
    ...(['clientSecret', 'userAgent', 'redirectUri'] as const).map(
      (o): [string, string[], (v: unknown) => () => unknown] => [
        o,
        NOT_STRING_REG,
        (v) => reg({ [o]: v }),
      ],
    ),
    ['apiBaseUrl', [...NOT_STRING_REG, "''", "'string'"], (v) => reg({ apiBaseUrl: v })],
    ...(['requestTokenParams', 'accessTokenParams', 'headers'] as const).map(
      (o): [string, string[], (v: unknown) => () => unknown] => [
        o,
        ["''", '0', 'true', '[]', 'Symbol', 'function', "'string'"],
        (v) => reg({ [o]: v }),
      ],
    ),
    // A function is a computed authorizeParams.
    [
      'authorizeParams',
      ["''", '0', 'true', '[]', 'Symbol', "'string'"],
      (v) => reg({ authorizeParams: v }),
    ],
    ['authorizeParams.a', ['0', 'true', '{}', 'Symbol'], (v) => reg({ authorizeParams: { a: v } })],
    ['headers.a', ['0', 'true', '{}', 'Symbol'], (v) => reg({ headers: { a: v } })],
    ['headers.x y', ["'string'"], (v) => reg({ headers: { 'x y': v } })],
    [
      'authorizeTokenParam',
      ["''", '0', 'true', '{}', '[]', 'Symbol', 'function'],
      (v) => reg({ authorizeTokenParam: v }),
    ],
    ...(['requestTokenMethod', 'accessTokenMethod'] as const).map(
      (o): [string, string[], (v: unknown) => () => unknown] => [
        o,
        ["''", "'string'", '0', 'true', '{}', '[]', 'Symbol', 'function'],
        (v) => reg({ [o]: v }),
      ],
    ),
    ...(['oobCallback', 'requireVerifier', 'withholdToken'] as const).map(
      (o): [string, string[], (v: unknown) => () => unknown] => [
        o,
        NOT_BOOLEAN.filter((l) => l !== 'null'),
        (v) => reg({ [o]: v }),
      ],
    ),
    [
      'token',
      ["''", '0', 'true', '{}', '[]', 'Symbol', 'function', "'string'"],
      (v) => reg({ token: v }),
    ],
    [
      'userinfo',
      ["''", '0', 'true', '{}', '[]', 'Symbol', "'string'"],
      (v) => reg({ userinfo: v }),
    ],
    [
      'userinfoEndpoint',
      [...NOT_STRING_REG, "''", "'string'"],
      (v) => reg({ userinfoEndpoint: v }),
    ],
    ['bodyHash', NOT_BOOLEAN.filter((l) => l !== 'null'), (v) => kw({ bodyHash: v })],
    ...(['requireCallbackConfirmed', 'allowInsecureTransport', 'overwrite'] as const).map(
      (o): [string, string[], (v: unknown) => () => unknown] => [
        o,
        NOT_BOOLEAN.filter((l) => l !== 'null'),
        (v) => reg({ [o]: v }),
      ],
    ),
    [
      'temporaryCredentialTtl',
      ["''", '0', '-1', 'NaN', 'Infinity', 'true', '{}', '[]', 'Symbol', 'function', "'string'"],
      (v) => reg({ temporaryCredentialTtl: v }),
    ],
    [
      'timeout',
      ["''", '-1', 'NaN', 'true', '{}', '[]', 'Symbol', 'function', "'string'"],
      (v) => reg({ timeout: v }),
    ],
    [
      'clockOffset',
      ["''", 'NaN', 'Infinity', '1e20', 'true', '{}', '[]', 'Symbol', 'function', "'string'"],
      (v) => reg({ clockOffset: v }),
    ],
    ['fetchToken', NOT_FUNCTION, (v) => reg({ fetchToken: v })],
    ['fetch', NOT_FUNCTION.filter((l) => l !== 'null'), (v) => reg({ fetch: v })],
    [
      'clientKwargs',
      ["''", '0', 'true', '[]', 'Symbol', 'function', "'string'"],
      (v) => reg({ clientKwargs: v }),
    ],
    [
      'signatureMethod',
      ["''", "'string'", '0', 'true', '{}', '[]', 'Symbol', 'function'],
      (v) => kw({ signatureMethod: v }),
    ],
    [
      'signatureType',
      ["''", "'string'", '0', 'true', '{}', '[]', 'Symbol', 'function'],
      (v) => kw({ signatureType: v }),
    ],
    ['realm', NOT_STRING_REG, (v) => kw({ realm: v })],
    [
      'forceIncludeBody',
      NOT_BOOLEAN.filter((l) => l !== 'null'),
      (v) => kw({ forceIncludeBody: v }),
    ],
    [
      'rsaKey',
      ['undefined', "''", '0', 'true', 'Symbol', 'function'],
      (v) => kw({ signatureMethod: 'RSA-SHA1', rsaKey: v }),
    ],
  ]
  for (const [name, labels, run] of cases) {
    it.each(pick(...labels))(`${name} = %s → TypeError naming ${name}`, (_, value) =>
      expectTypeError(run(value), name),
    )
  }

  it('property: any non-string clientId (not null/undefined) → TypeError naming clientId', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything().filter((v) => typeof v !== 'string' && v !== null && v !== undefined),
        (v) => expectTypeError(reg({ clientId: v }), 'clientId'),
      ),
      { numRuns: 100 },
    )
  })

  it('accepts valid edge values', () => {
    const oauth = new OAuth({ config: { APP_CLIENT_SECRET: 'from-config' } })
    const app = oauth.register('app', {
      ...base,
      clientId: MB,
      clientSecret: null as never,
      apiBaseUrl: URL_,
      authorizeParams: {},
      clientKwargs: { signatureMethod: 'PLAINTEXT', realm: '', forceIncludeBody: false },
      temporaryCredentialTtl: 1,
      timeout: 1e20,
      clockOffset: -1,
      fetch: okFetch,
      overwrite: false,
      requireCallbackConfirmed: false,
      redirectUri: '/authorize',
    })
    expect(app.clientId).toBe(MB)
    expect(new OAuth().fetchToken).toBeUndefined()
  })
})

describe('createSealer, createSessionRecordStore, createMemoryStore', () => {
  const access = { read: () => ({}), write: () => {} }
  const value = { oauth_token: 't', oauth_token_secret: 's', expires_at: Date.now() + 60_000 }
  const cases: [string, string[], (v: unknown) => unknown][] = [
    [
      'secret',
      ['undefined', 'null', "''", '0', 'true', '{}', 'Symbol', 'function', "'string'"],
      (v) => createSealer(v as never),
    ],
    [
      'secret[1]',
      ['undefined', "''", '0', '{}', 'Symbol'],
      (v) => createSealer([SECRET, v] as never),
    ],
    [
      'access',
      ['undefined', 'null', "''", '0', 'true', '{}', '[]', 'Symbol', 'function'],
      (v) => createSessionRecordStore(v as never),
    ],
    [
      'options',
      ['null', "''", '0', 'true', 'Symbol', "'string'"],
      (v) => createSessionRecordStore(access, v as never),
    ],
    [
      'sealer',
      ['null', "''", '0', 'true', '{}', 'Symbol', 'function'],
      (v) => createSessionRecordStore(access, { sealer: v as never }),
    ],
    [
      'maxEntries',
      ['null', "''", '0', '-1', 'NaN', 'Infinity', '1e20', 'true', '{}', 'Symbol', 'function'],
      (v) => createSessionRecordStore(access, { maxEntries: v as never }),
    ],
    ['now', NOT_FUNCTION, (v) => createSessionRecordStore(access, { now: v as never })],
    [
      'options',
      ['null', "''", '0', 'true', 'Symbol', "'string'"],
      (v) => createMemoryStore(v as never),
    ],
    [
      'maxEntries',
      ['null', "''", '0', '-1', 'NaN', 'Infinity', '1e20', 'true', '{}', 'Symbol', 'function'],
      (v) => createMemoryStore({ maxEntries: v as never }),
    ],
    ['now', NOT_FUNCTION, (v) => createMemoryStore({ now: v as never })],
    ['key', ['undefined', "''", ...NOT_STRING], (v) => createMemoryStore().get(v as never)],
    ['value', ['undefined', "''", ...NOT_STRING], (v) => createMemoryStore().set('k', v as never)],
    [
      'key',
      ['undefined', "''", ...NOT_STRING],
      (v) => createSessionRecordStore(access).delete(v as never),
    ],
    [
      'value',
      ['undefined', "''", ...NOT_STRING],
      (v) => createSessionRecordStore(access).set('k', v as never),
    ],
  ]
  for (const [name, labels, run] of cases) {
    it.each(pick(...labels))(`${name} = %s → TypeError naming ${name}`, (_, v) =>
      expectTypeError(() => run(v), name),
    )
  }

  it('accepts valid edge values', async () => {
    const sealer = createSealer([SECRET, new Uint8Array(32), MB])
    expect(await sealer.unseal(await sealer.seal('x\0\uD800'))).toBe('x\0\uD800')
    const store = createMemoryStore({ maxEntries: 1, now: () => 0 })
    await store.set('k', value)
    expect(await store.get('k')).toEqual(value)
    const session = createSessionRecordStore(access, { sealer, maxEntries: 1, now: Date.now })
    await expect(session.set('k', value)).resolves.toBeUndefined()
  })
})

describe('percentEncode and signatureBaseString', () => {
  it.each(pick('undefined', 'null', '0', 'true', '{}', 'Symbol', 'function'))(
    'signatureBaseString: method = %s → TypeError naming method',
    (_, v) => expectTypeError(() => signatureBaseString(v as never, URL_, []), 'method'),
  )
  it.each(pick('undefined', 'null', "''", '0', 'true', '{}', 'Symbol', "'string'"))(
    'signatureBaseString: url = %s → TypeError naming url',
    (_, v) => expectTypeError(() => signatureBaseString('GET', v as never, []), 'url'),
  )
  it.each(pick("''", '0', 'true', '{}', 'Symbol'))(
    'signatureBaseString: options.host = %s → TypeError naming options.host',
    (_, v) =>
      expectTypeError(
        () => signatureBaseString('GET', URL_, [], { host: v as never }),
        'options.host',
      ),
  )
  it('encodes NUL, lone surrogates and a 1 MB string', () => {
    expect(percentEncode('a\0\uD800')).toBe('a%00%EF%BF%BD')
    expect(percentEncode(MB)).toBe(MB)
    expect(signatureBaseString('get', URL_, [['a\0', '\uDC00']])).toBe(
      'GET&https%3A%2F%2Fapi.example.com%2Fr&a%2500%3D%25EF%25BF%25BD',
    )
  })
})

describe('options refused at configuration time, not at the first login', () => {
  const make = (extra: Record<string, unknown>) => () =>
    new OAuth1Client({ clientId: 'ck', ...extra } as never)
  const reg =
    (extra: Record<string, unknown>, config: Record<string, string> = {}) =>
    () =>
      new OAuth({ config }).register('app', { ...base, ...extra } as never)
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const pkcs1 = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()
  const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString()
  // Neither a header value nor printable: CR, LF, NUL, other C0 controls, DEL, above U+00FF.
  const BAD_HEADER_TEXT: [string, string][] = [
    ['LF', 'a\nb'],
    ['CR', 'a\rb'],
    ['NUL', 'a\u0000b'],
    ['U+0001', 'a\u0001b'],
    ['DEL', 'a\u007fb'],
    ['€', 'app€'],
    ['emoji', 'app😀'],
    ['lone surrogate', 'a\ud800'],
  ]

  it.each([
    // typos and names from other libraries, silently dropped, would surface only at a login
    ['callbackConfirmed', false],
    ['requestTokenURL', 'https://provider.example/rt'],
    ['client_secret', 'cs'],
    ['signatureMethod', 'RSA-SHA1'],
  ])('register() with an unknown option %s → TypeError naming it', async (option, value) => {
    const err = await failure(reg({ [option]: value }))
    expect(err).toBeInstanceOf(TypeError)
    expect((err as Error).message).toMatch(
      new RegExp(
        `^register\\('app'\\): unknown option "${option}" \\(known: clientId, clientSecret, .*\\bclientKwargs\\b.*\\)$`,
      ),
    )
  })

  it.each([
    ['signature_method', 'RSA-SHA1'],
    ['rsa_key', 'pem'],
    ['signatureMethods', ['HMAC-SHA1']],
  ])(
    'register() with an unknown clientKwargs option %s → TypeError naming it',
    async (option, value) => {
      await expect(reg({ clientKwargs: { [option]: value } })).toThrow(
        new TypeError(
          `register('app'): clientKwargs: unknown option "${option}" (known: signatureMethod, signatureType, rsaKey, realm, forceIncludeBody, bodyHash)`,
        ),
      )
    },
  )

  it('register() takes every option of a preset and of RemoteAppOptions', () => {
    expect(
      reg({
        requestTokenMethod: 'GET',
        accessTokenMethod: 'GET',
        authorizeTokenParam: 'token',
        oobCallback: false,
        requireVerifier: true,
        emptyVerifierIsDenial: false,
        requireCallbackConfirmed: true,
        headers: { 'x-a': 'b' },
        withholdToken: false,
        userinfoEndpoint: 'https://provider.example/me',
        userinfo: () => ({ sub: '1', raw: {} }),
        apiAuth: () => ({}),
        apiBaseUrl: 'https://provider.example/api/',
        userAgent: 'ua/1',
        redirectUri: '/cb',
        temporaryCredentialTtl: 1000,
        allowInsecureTransport: false,
        timeout: 1000,
        clockOffset: 0,
        token: { oauth_token: 't', oauth_token_secret: 's' },
        fetchToken: () => null,
        fetch: globalThis.fetch,
        overwrite: false,
        clientKwargs: { signatureMethod: 'HMAC-SHA256', realm: 'r', bodyHash: false },
      }),
    ).not.toThrow()
  })

  it.each([
    ['fetch_token', () => null],
    ['env', {}],
  ])('new OAuth() with an unknown option %s → TypeError naming it', async (option, value) => {
    const err = await failure(() => new OAuth({ [option]: value } as never))
    expect(err).toBeInstanceOf(TypeError)
    expect((err as Error).message).toBe(
      `unknown option ${JSON.stringify(option)} (known: fetchToken, config)`,
    )
  })

  it.each([
    ['an array', []],
    ['a URL', new URL('https://app.example/')],
  ])('new OAuth(%s) → TypeError', async (_what, value) => {
    await expect(failure(() => new OAuth(value as never))).resolves.toEqual(
      new TypeError('options must be an object'),
    )
  })

  it.each([
    ['signature_method', 'RSA-SHA1'],
    ['consumerKey', 'ck'],
    ['callbackUri', 'https://app.example/cb'],
  ])(
    'new OAuth1Client() with an unknown option %s → TypeError naming it',
    async (option, value) => {
      const err = await failure(make({ [option]: value }))
      expect(err).toBeInstanceOf(TypeError)
      expect((err as Error).message).toBe(
        `unknown option ${JSON.stringify(option)} (known: clientId, clientSecret, token, tokenSecret, redirectUri, verifier, signatureMethod, signatureType, rsaKey, realm, forceIncludeBody, bodyHash, requestTokenMethod, accessTokenMethod, requireVerifier, headers, fetch, userAgent, timeout, requireCallbackConfirmed, allowInsecureTransport, clockOffset)`,
      )
    },
  )

  it.each(BAD_HEADER_TEXT)('userAgent with %s → TypeError naming userAgent', async (_, v) => {
    await expectTypeError(make({ userAgent: v }), 'userAgent')
    await expectTypeError(reg({ userAgent: v }), 'userAgent')
  })

  it.each(BAD_HEADER_TEXT)('headers value with %s → TypeError naming headers.x-a', async (_, v) => {
    await expectTypeError(make({ headers: { 'x-a': v } }), 'headers.x-a')
    await expectTypeError(reg({ headers: { 'x-a': v } }), 'headers.x-a')
  })

  it.each(BAD_HEADER_TEXT)(
    'APP_USER_AGENT with %s → TypeError naming the config key',
    async (_, v) => {
      await expectTypeError(reg({}, { APP_USER_AGENT: v }), 'APP_USER_AGENT')
      await expectTypeError(reg({}, { APP_USER_AGENT: v }), 'userAgent')
    },
  )

  it('a userAgent a header carries is sent as is (Latin-1 and a tab included)', async () => {
    const seen: (string | null)[] = []
    const fetch = (async (_: unknown, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('user-agent'))
      return new Response('ok')
    }) as typeof globalThis.fetch
    for (const userAgent of ['app/1.0 (+https://example.com)', 'café\tbar']) {
      await new OAuth1Client({ clientId: 'ck', userAgent, fetch }).request('GET', URL_)
    }
    expect(seen).toEqual(['app/1.0 (+https://example.com)', 'café\tbar'])
  })

  it.each([...BAD_HEADER_TEXT, ['TAB', 'a\tb'], ['é', 'café']])(
    'realm with %s → TypeError naming realm',
    async (_, v) => {
      await expectTypeError(make({ realm: v }), 'realm')
      await expectTypeError(reg({ clientKwargs: { realm: v } }), 'realm')
      await expectTypeError(reg({}, { APP_REALM: v }), 'APP_REALM')
    },
  )

  it('a realm with " and \\ is accepted and escaped in the Authorization header', async () => {
    let authorization: string | null = null
    const fetch = (async (_: unknown, init?: RequestInit) => {
      authorization = new Headers(init?.headers).get('authorization')
      return new Response('ok')
    }) as typeof globalThis.fetch
    await new OAuth1Client({ clientId: 'ck', realm: 'a"b\\c', fetch }).request('GET', URL_)
    expect(authorization).toMatch(/^OAuth realm="a\\"b\\\\c", /)
  })

  const BAD_RSA_KEYS: [string, unknown][] = [
    ['not a pem', 'not a pem'],
    ['armour without a body', '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----'],
    [
      'armour around garbage',
      '-----BEGIN RSA PRIVATE KEY-----\nAAAAAAAAAAAAAAAA\n-----END RSA PRIVATE KEY-----',
    ],
    ['a public key PEM', publicKey.export({ format: 'pem', type: 'spki' }).toString()],
    ['an EC private key PEM', ecPem],
    ['a public KeyObject', publicKey],
    ['{}', {}],
    ['[]', []],
  ]

  it.each(BAD_RSA_KEYS)('rsaKey %s → TypeError naming rsaKey', async (_, rsaKey) => {
    for (const signatureMethod of ['RSA-SHA1', 'RSA-SHA256', 'RSA-SHA512']) {
      await expectTypeError(make({ signatureMethod, rsaKey }), 'rsaKey')
      await expectTypeError(reg({ clientKwargs: { signatureMethod, rsaKey } }), 'rsaKey')
    }
  })

  it('APP_RSA_KEY that is not a key → TypeError naming the config key', async () => {
    const config = { APP_SIGNATURE_METHOD: 'RSA-SHA1', APP_RSA_KEY: 'not a pem' }
    await expectTypeError(reg({}, config), 'APP_RSA_KEY')
  })

  it('a CryptoKey for another hash than the method → TypeError naming rsaKey', async () => {
    const key = await crypto.subtle.importKey(
      'pkcs8',
      privateKey.export({ format: 'der', type: 'pkcs8' }),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      false,
      ['sign'],
    )
    await expectTypeError(make({ signatureMethod: 'RSA-SHA1', rsaKey: key }), 'rsaKey')
    expect(() => make({ signatureMethod: 'RSA-SHA256', rsaKey: key })()).not.toThrow()
  })

  it.each([
    ['PKCS#1 PEM', pkcs1],
    ['PKCS#8 PEM', pkcs8],
    ['KeyObject', privateKey],
  ])('rsaKey as a %s is accepted and signs', async (_, rsaKey) => {
    let authorization = ''
    const fetch = (async (_: unknown, init?: RequestInit) => {
      authorization = new Headers(init?.headers).get('authorization') ?? ''
      return new Response('ok')
    }) as typeof globalThis.fetch
    const client = new OAuth1Client({
      clientId: 'ck',
      signatureMethod: 'RSA-SHA256',
      rsaKey: rsaKey as never,
      fetch,
    })
    await client.request('GET', URL_)
    expect(authorization).toContain('oauth_signature_method="RSA-SHA256"')
    expect(() => reg({ clientKwargs: { signatureMethod: 'RSA-SHA1', rsaKey } })()).not.toThrow()
  })

  it.each([
    ['HMAC-SHA1 by default', {}, 'HMAC-SHA1'],
    ['HMAC-SHA256', { signatureMethod: 'HMAC-SHA256' }, 'HMAC-SHA256'],
    ['PLAINTEXT', { signatureMethod: 'PLAINTEXT' }, 'PLAINTEXT'],
  ])(
    'an rsaKey with %s → TypeError saying to set signatureMethod, not a key ignored',
    async (_, method, name) => {
      const message = `rsaKey is only used with RSA-SHA1, RSA-SHA256 or RSA-SHA512, and signatureMethod is ${name}: set signatureMethod to the RSA method the provider expects (or leave rsaKey out)`
      for (const rsaKey of [pkcs8, privateKey, 'not a pem', 12345]) {
        expect(make({ ...method, rsaKey })).toThrow(new TypeError(message))
        expect(reg({ clientKwargs: { ...method, rsaKey } })).toThrow(new TypeError(message))
      }
      const config = { APP_RSA_KEY: pkcs8 }
      expect(reg({ clientKwargs: method }, config)).toThrow(
        new TypeError(`APP_RSA_KEY: ${message}`),
      )
    },
  )

  it('an rsaKey left undefined with an HMAC method is no rsaKey', () => {
    expect(() => make({ signatureMethod: 'HMAC-SHA1', rsaKey: undefined })()).not.toThrow()
  })

  it.each([
    ['APP_AUTHORIZE_PARAMS', '[1,2]'],
    ['APP_AUTHORIZE_PARAMS', '["a"]'],
    ['APP_AUTHORIZE_PARAMS', '"a=1"'],
    ['APP_AUTHORIZE_PARAMS', '{"a":{"b":1}}'],
    ['APP_AUTHORIZE_PARAMS', '{"a":null}'],
    ['APP_AUTHORIZE_PARAMS', '{"a":[1]}'],
    ['APP_AUTHORIZE_PARAMS', '{"a":1'],
    ['APP_AUTHORIZE_PARAMS', '=1'],
    ['APP_REQUEST_TOKEN_PARAMS', '[{"a":1}]'],
    ['APP_ACCESS_TOKEN_PARAMS', '[]'],
    ['APP_HEADERS', '["x-a"]'],
  ])('%s=%s → TypeError naming the config key', async (key, value) => {
    await expectTypeError(reg({}, { [key]: value }), key)
  })

  it('config params: a JSON object of strings, numbers and booleans, or a query string', () => {
    const app = reg(
      {},
      {
        APP_AUTHORIZE_PARAMS: ' {"a": "x", "n": 1, "b": true} ',
        APP_REQUEST_TOKEN_PARAMS: '?scope=read%20write&force',
      },
    )() as unknown as { options: Record<string, unknown> }
    expect(app.options.authorizeParams).toEqual({ a: 'x', n: '1', b: 'true' })
    expect(app.options.requestTokenParams).toEqual({ scope: 'read write', force: '' })
  })

  it.each([
    ['APP_TIMEOUT', '-5', 'timeout'],
    ['APP_TIMEOUT', 'soon', 'timeout'],
    ['APP_TEMPORARY_CREDENTIAL_TTL', '0', 'temporaryCredentialTtl'],
    ['APP_CLOCK_OFFSET', '1e20', 'clockOffset'],
    ['APP_SIGNATURE_METHOD', 'NOPE', 'signatureMethod'],
    ['APP_REQUEST_TOKEN_METHOD', 'PUT', 'requestTokenMethod'],
  ])('%s=%s → TypeError naming the config key and the option', async (key, value, option) => {
    await expectTypeError(reg({}, { [key]: value }), key)
    await expectTypeError(reg({}, { [key]: value }), option)
  })

  it.each(['requestTokenUrl', 'accessTokenUrl', 'authorizeUrl', 'apiBaseUrl', 'userinfoEndpoint'])(
    '%s with user:password@ → TypeError naming it at register(), as every request would',
    async (option) => {
      const url = 'https://user:pass@provider.example/x'
      expect(reg({ [option]: url })).toThrow(
        new TypeError(`${option} must not carry a user name or password (user:password@)`),
      )
    },
  )

  it('a URL with user:password@ from config → TypeError naming the config key', async () => {
    expect(reg({}, { APP_API_BASE_URL: 'https://u:p@api.example/' })).toThrow(
      new TypeError(
        'APP_API_BASE_URL: apiBaseUrl must not carry a user name or password (user:password@)',
      ),
    )
  })

  it.each([
    [
      'requestTokenParams',
      'oauth_callback',
      "give the callback as redirectUri (register's option, or authorizeRedirect's argument)",
    ],
    ['accessTokenParams', 'oauth_verifier', 'it is read from the callback'],
    ['accessTokenParams', 'oauth_token', 'it is the token of the login at hand'],
    ['requestTokenParams', 'oauth_nonce', 'the signature adds it'],
  ])('%s.%s → TypeError at register(), not at a login', async (option, name, advice) => {
    const message = `${option}.${name} is an OAuth protocol parameter the signed request carries already: ${advice}`
    expect(reg({ [option]: { [name]: 'x' } })).toThrow(new TypeError(message))
    expect(reg({ [option]: new URLSearchParams({ [name]: 'x' }) })).toThrow(new TypeError(message))
    const key =
      option === 'requestTokenParams' ? 'APP_REQUEST_TOKEN_PARAMS' : 'APP_ACCESS_TOKEN_PARAMS'
    expect(reg({}, { [key]: `${name}=x` })).toThrow(new TypeError(`${key}: ${message}`))
  })

  it('other oauth_ names, and protocol names on the authorize URL, are kept', () => {
    const app = reg({
      requestTokenParams: { oauth_scope: 'read' },
      authorizeParams: { oauth_consumer_key: 'ck' },
    })() as unknown as { options: Record<string, unknown> }
    expect(app.options.requestTokenParams).toEqual({ oauth_scope: 'read' })
    expect(app.options.authorizeParams).toEqual({ oauth_consumer_key: 'ck' })
  })

  it('an explicit option keeps its own name when config did not supply it', async () => {
    const err = await failure(reg({ timeout: -5 }, { APP_USER_AGENT: 'ok' }))
    expect((err as Error).message).toMatch(/^timeout /)
  })
})
