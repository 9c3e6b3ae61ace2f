import { afterEach, describe, expect, it, vi } from 'vitest'
import { constantTimeEqual, OAuth1Client } from './client.js'
import { MAX_ERROR_BODY, OAuthError } from './errors.js'
import { createFakeProvider, type RecordedRequest, rejection } from './fake-provider.test-helper.js'
import { isLoopbackHost, MAX_TOKEN_RESPONSE, sharedHttpUrl } from './http.js'
import { parseAuthorizationHeader } from './sign.js'
import type { Token } from './types.js'

const P = 'https://provider.test'

function setup(
  options: Partial<ConstructorParameters<typeof OAuth1Client>[0]> = {},
  provider = createFakeProvider(),
) {
  const client = new OAuth1Client({
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    fetch: provider.fetch,
    ...options,
  })
  return { client, provider }
}

/** A fetch that answers every request with `make()` and records them. */
function answering(make: (req: Request) => Response | Promise<Response>) {
  const seen: Request[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init)
    seen.push(req)
    return make(req)
  })
  return { fetch: fetch as unknown as typeof globalThis.fetch, seen, spy: fetch }
}

const formResponse = (body: string, status = 200, type = 'application/x-www-form-urlencoded') =>
  new Response(body, { status, headers: { 'content-type': type } })

const SECRETS = ['client-secret', 'rts%', 'ats-', 'verifier-']
function expectNoSecret(err: OAuthError) {
  const text = `${err.message} ${err.description} ${JSON.stringify(err)} ${err.stack}`
  for (const s of SECRETS) expect(text).not.toContain(s)
}

afterEach(() => {
  vi.useRealTimers()
})

describe('constantTimeEqual (the callback token against the pending login)', () => {
  it.each([
    ['abc', 'abc', true],
    ['', '', true],
    ['é-ü', 'é-ü', true],
    ['abc', 'abd', false],
    ['abc', 'ab', false],
    ['ab', 'abc', false],
    ['', 'a', false],
    ['a', '', false],
    ['abcabc', 'abc', false],
    // two lone surrogates: different strings, although UTF-8 reads both as U+FFFD
    ['\uD800', '\uD801', false],
    ['x\uDC00', 'x\uFFFD', false],
  ])('%j vs %j → %s', (a, b, equal) => {
    expect(constantTimeEqual(a, b)).toBe(equal)
  })
})

describe('OAuth1Client options', () => {
  it('requires a clientId (Authlib test_no_client_id)', () => {
    expect(() => new OAuth1Client({} as never)).toThrow(
      new TypeError('clientId must be a non-empty string'),
    )
    expect(() => new OAuth1Client({ clientId: '' })).toThrow(
      new TypeError('clientId must be a non-empty string'),
    )
  })

  it('names the bad option', () => {
    expect(() => new OAuth1Client({ clientId: 'a', signatureMethod: 'MD5' as never })).toThrow(
      new TypeError(
        'signatureMethod must be one of HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512, PLAINTEXT',
      ),
    )
    expect(() => new OAuth1Client({ clientId: 'a', signatureType: 'cookie' as never })).toThrow(
      new TypeError('signatureType must be one of header, query, body'),
    )
    expect(() => new OAuth1Client({ clientId: 'a', signatureMethod: 'RSA-SHA1' })).toThrow(
      new TypeError('rsaKey is required for RSA-SHA1'),
    )
    expect(() => new OAuth1Client({ clientId: 'a', timeout: -1 })).toThrow(
      new TypeError('timeout must be a non-negative number of milliseconds'),
    )
    expect(() => new OAuth1Client({ clientId: 'a', redirectUri: '/relative' })).toThrow(
      new TypeError('redirectUri must be an absolute URI or "oob"'),
    )
    expect(() => new OAuth1Client({ clientId: 'a', redirectUri: 'OOB' })).toThrow(TypeError)
    expect(() => new OAuth1Client({ clientId: 'a', fetch: 'no' as never })).toThrow(
      new TypeError('fetch must be a function'),
    )
  })

  it('calls an injected fetch as a plain function, never as a method of the client', async () => {
    // Browsers' and workerd's fetch throw "Illegal invocation" when called
    // with a `this` other than the global object (or undefined).
    const thisValues: unknown[] = []
    const fetch = function (this: unknown) {
      thisValues.push(this)
      return Promise.resolve(
        formResponse('oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true'),
      )
    } as unknown as typeof globalThis.fetch
    const client = new OAuth1Client({ clientId: 'a', clientSecret: 'b', fetch })
    await client.fetchRequestToken(`${P}/rt`)
    await client.request('GET', `${P}/api`, {
      token: { oauth_token: 't', oauth_token_secret: 's' },
    })
    expect(thisValues).toEqual([undefined, undefined])
  })

  it('gets and sets redirectUri (Authlib test_redirect_uri)', () => {
    const client = new OAuth1Client({ clientId: 'foo' })
    expect(client.redirectUri).toBeUndefined()
    client.redirectUri = 'https://i.b'
    expect(client.redirectUri).toBe('https://i.b')
  })

  it('starts with the token and verifier it was given', () => {
    const client = new OAuth1Client({ clientId: 'a', token: 't', tokenSecret: 's', verifier: 'v' })
    expect(client.token).toEqual({ oauth_token: 't', oauth_token_secret: 's', oauth_verifier: 'v' })
    expect(new OAuth1Client({ clientId: 'a' }).token).toBeNull()
  })
})

describe('OAuth1Client.token (Authlib test_set_token)', () => {
  it('follows Authlib setter semantics', () => {
    const client = new OAuth1Client({ clientId: 'foo' })
    expect(() => {
      client.token = {} as Token
    }).toThrow(new TypeError('token.oauth_token must be a non-empty string'))

    client.token = { oauth_token: 'a', oauth_token_secret: 'b' }
    expect(client.token).toEqual({ oauth_token: 'a', oauth_token_secret: 'b' })
    expect(client.token?.oauth_verifier).toBeUndefined()

    client.token = { oauth_token: 'a', oauth_verifier: 'c' } as unknown as Token
    expect(client.token?.oauth_token_secret).toBe('b')
    expect(client.token?.oauth_verifier).toBe('c')

    client.token = null
    expect(client.token).toBeNull()
  })

  it('keeps extra fields and returns copies', () => {
    const client = new OAuth1Client({ clientId: 'foo' })
    const token = { oauth_token: 'a', oauth_token_secret: 'b', screen_name: 'jane' }
    client.token = token
    token.oauth_token_secret = 'mutated'
    const read = client.token!
    read.oauth_token = 'changed'
    expect(client.token).toEqual({ oauth_token: 'a', oauth_token_secret: 'b', screen_name: 'jane' })
  })
})

describe('OAuth1Client.createAuthorizationUrl (Authlib test_create_authorization_url)', () => {
  it('appends oauth_token only', () => {
    const client = new OAuth1Client({ clientId: 'foo' })
    const url = 'https://example.comm/authorize'
    expect(client.createAuthorizationUrl(url, 'asluif023sf')).toBe(`${url}?oauth_token=asluif023sf`)
  })

  it('never puts oauth_callback on the authorize URL (it was signed in leg 1)', () => {
    const client = new OAuth1Client({ clientId: 'foo', redirectUri: 'https://c.b' })
    const url = client.createAuthorizationUrl('https://example.com/authorize', 'tok')
    expect(url).toBe('https://example.com/authorize?oauth_token=tok')
    expect(url).not.toContain('c.b')
  })

  it('keeps the existing query and fragment, adds provider extras, encodes values', () => {
    const client = new OAuth1Client({ clientId: 'foo' })
    expect(
      client.createAuthorizationUrl('https://example.com/authorize?lang=en&x=%20y#frag', 'a+b/c=', {
        force_login: 'true',
        screen_name: "Jane O'Neil",
        oauth_token: 'ignored',
      }),
    ).toBe(
      'https://example.com/authorize?lang=en&x=%20y&force_login=true&screen_name=Jane%20O%27Neil&oauth_token=a%2Bb%2Fc%3D#frag',
    )
  })

  it('uses the current token, else refuses', () => {
    const client = new OAuth1Client({ clientId: 'foo' })
    expect(() => client.createAuthorizationUrl('https://example.com/authorize')).toThrow(
      new TypeError('requestToken is required (or fetch temporary credentials first)'),
    )
    client.token = { oauth_token: 'cur', oauth_token_secret: 's' }
    expect(client.createAuthorizationUrl('https://example.com/authorize')).toBe(
      'https://example.com/authorize?oauth_token=cur',
    )
    expect(() => client.createAuthorizationUrl('/authorize', 'x')).toThrow(
      new TypeError('url must be an absolute http(s) URL'),
    )
  })
})

describe('OAuth1Client.parseAuthorizationResponse (Authlib test_parse_response_url)', () => {
  it('returns the parameters and sets token and verifier', () => {
    const client = new OAuth1Client({ clientId: 'foo' })
    const params = client.parseAuthorizationResponse(
      'https://i.b/callback?oauth_token=foo&oauth_verifier=bar',
    )
    expect(params).toEqual({ oauth_token: 'foo', oauth_verifier: 'bar' })
    for (const [k, v] of Object.entries(params)) {
      expect(typeof k).toBe('string')
      expect(typeof v).toBe('string')
    }
    expect(client.token).toEqual({
      oauth_token: 'foo',
      oauth_token_secret: '',
      oauth_verifier: 'bar',
    })
  })

  it('keeps the temporary secret when the token matches, refuses another token', () => {
    const client = new OAuth1Client({ clientId: 'foo', token: 'tmp', tokenSecret: 'tmp-secret' })
    client.parseAuthorizationResponse(new URL('https://i.b/cb?oauth_token=tmp&oauth_verifier=v'))
    expect(client.token).toEqual({
      oauth_token: 'tmp',
      oauth_token_secret: 'tmp-secret',
      oauth_verifier: 'v',
    })
    const other = new OAuth1Client({ clientId: 'foo', token: 'tmp', tokenSecret: 'tmp-secret' })
    const err = (() => {
      try {
        other.parseAuthorizationResponse('?oauth_token=forged&oauth_verifier=v')
      } catch (e) {
        return e as OAuthError
      }
    })()
    expect(err?.code).toBe('missing_temporary_credential')
    expect(err?.status).toBe(400)
  })

  it("keeps the provider's problem and advice, and drops the temporary credentials it names", async () => {
    const client = new OAuth1Client({ clientId: 'foo', token: 'rt', tokenSecret: 'rs' })
    let err: OAuthError | undefined
    try {
      client.parseAuthorizationResponse(
        'https://i.b/cb?oauth_token=rt&oauth_problem=user_refused&oauth_problem_advice=Maybe+later',
      )
    } catch (e) {
      err = e as OAuthError
    }
    expect(err).toMatchObject({
      code: 'access_denied',
      status: 403,
      oauthProblem: 'user_refused',
      oauthProblemAdvice: 'Maybe later',
    })
    expect(client.token).toBeNull()
    await expect(client.fetchAccessToken('https://i.b/token', 'v')).rejects.toMatchObject({
      code: 'missing_token',
    })
    // a problem naming another token leaves this client's temporary credentials alone
    const other = new OAuth1Client({ clientId: 'foo', token: 'rt', tokenSecret: 'rs' })
    expect(() =>
      other.parseAuthorizationResponse('https://i.b/cb?oauth_token=zz&oauth_problem=token_expired'),
    ).toThrow(OAuthError)
    expect(other.token?.oauth_token).toBe('rt')
  })

  it('reports refusals and bad callbacks', () => {
    const client = new OAuth1Client({ clientId: 'foo' })
    const code = (url: string) => {
      try {
        client.parseAuthorizationResponse(url)
      } catch (e) {
        return [(e as OAuthError).code, (e as OAuthError).status]
      }
      return null
    }
    expect(code('https://i.b/cb?denied=abc')).toEqual(['access_denied', 403])
    expect(code('https://i.b/cb?oauth_token=a&oauth_problem=user_refused')).toEqual([
      'access_denied',
      403,
    ])
    expect(code('https://i.b/cb?oauth_token=a&oauth_problem=permission_denied')).toEqual([
      'access_denied',
      403,
    ])
    expect(
      code('https://i.b/cb?oauth_token=a&oauth_problem=token_rejected&oauth_verifier=v'),
    ).toEqual(['missing_temporary_credential', 400])
    expect(code('https://i.b/cb?oauth_problem=consumer_key_refused')).toEqual([
      'fetch_token_denied',
      503,
    ])
    expect(code('https://i.b/cb?oauth_verifier=v')).toEqual(['missing_token', 400])
    expect(code('https://i.b/cb?oauth_token=a&oauth_token=b&oauth_verifier=v')).toEqual([
      'missing_token',
      400,
    ])
    expect(code('https://i.b/cb?oauth_token=a&oauth_verifier=v&oauth_verifier=w')).toEqual([
      'missing_verifier',
      400,
    ])
  })
})

describe('OAuth1Client.fetchRequestToken', () => {
  it('POSTs a signed oauth_callback (oob by default) and keeps the temporary credentials', async () => {
    const { client, provider } = setup()
    const token = await client.fetchRequestToken(`${P}/oauth/request_token`)
    expect(token).toEqual({
      oauth_token: 'rt+1/=',
      oauth_token_secret: 'rts%1',
      oauth_callback_confirmed: 'true',
    })
    const [req] = provider.hits('/oauth/request_token')
    expect(req!.method).toBe('POST')
    expect(req!.params.oauth_callback).toBe('oob')
    expect(req!.params.oauth_token).toBeUndefined()
    expect(req!.params.oauth_version).toBe('1.0')
    expect(client.token).toEqual(token)
    expect(client.createAuthorizationUrl(`${P}/oauth/authorize`)).toBe(
      `${P}/oauth/authorize?oauth_token=rt%2B1%2F%3D`,
    )
  })

  it('signs the redirectUri as oauth_callback, and the params', async () => {
    const { client, provider } = setup({ redirectUri: 'https://app.example/cb?next=%2Fhome' })
    await client.fetchRequestToken(`${P}/oauth/request_token`, { x_auth_access_type: 'read' })
    const [req] = provider.hits('/oauth/request_token')
    expect(req!.params.oauth_callback).toBe('https://app.example/cb?next=%2Fhome')
    expect(req!.url.searchParams.get('x_auth_access_type')).toBe('read')
  })

  it('takes the params as a URLSearchParams too, on all three legs (typed so)', async () => {
    const { client, provider } = setup()
    await client.fetchRequestToken(
      `${P}/oauth/request_token`,
      new URLSearchParams({ x_auth_access_type: 'read' }),
    )
    const [req] = provider.hits('/oauth/request_token')
    expect(req!.url.searchParams.get('x_auth_access_type')).toBe('read')
    const url = client.createAuthorizationUrl(
      `${P}/oauth/authorize`,
      undefined,
      new URLSearchParams({ force_login: 'true' }),
    )
    expect(new URL(url).searchParams.get('force_login')).toBe('true')
  })

  it("keeps one request's params out of the next request to the same endpoint", async () => {
    // The endpoint's parsed URL is shared between requests (a cache): params go into a copy.
    const { client, provider } = setup()
    const url = `${P}/oauth/request_token?fixed=1`
    await client.fetchRequestToken(url, { x_auth_access_type: 'read' })
    await client.fetchRequestToken(url)
    await client.fetchRequestToken(url, { x_auth_access_type: 'write' })
    const searches = provider.hits('/oauth/request_token').map((req) => req.url.search)
    expect(searches).toEqual([
      '?fixed=1&x_auth_access_type=read',
      '?fixed=1',
      '?fixed=1&x_auth_access_type=write',
    ])
  })

  it('keeps parsed endpoints, never a URL with a query or a user:password', () => {
    const endpoint = `${P}/oauth/request_token`
    expect(sharedHttpUrl(endpoint, 'url')).toBe(sharedHttpUrl(endpoint, 'url'))
    for (const url of [`${P}/oauth/request_token?secret=1`, 'https://user:pass@provider.test/rt']) {
      const first = sharedHttpUrl(url, 'url')
      expect(sharedHttpUrl(url, 'url')).not.toBe(first)
      expect(sharedHttpUrl(url, 'url').href).toBe(first.href)
    }
  })

  it('signs in query and body mode too (Authlib test_signature_types)', async () => {
    for (const signatureType of ['query', 'body'] as const) {
      const { client, provider } = setup({ signatureType })
      await client.fetchRequestToken(`${P}/oauth/request_token`, { extra: 'a b' })
      const [req] = provider.hits('/oauth/request_token')
      expect(req!.authorization).toBeNull()
      const where = signatureType === 'query' ? req!.url.search : req!.body
      expect(where).toContain('oauth_signature=')
      expect(where).toContain('oauth_callback=oob')
      expect(req!.params.extra).toBe('a b')
    }
  })

  it('reads a JSON token response, every field as a string, leaving out numbers JSON could not carry exactly', async () => {
    // A credential may be a number JSON carries exactly; an integer past 2^53
    // or past the largest double would be read as another number: left out.
    const body =
      '{"oauth_token":12345,"oauth_token_secret":"bar","oauth_callback_confirmed":true,"n":5,' +
      '"o":{"a":1},"user_id":12345678901234567890,"big":1e400,"ratio":1.5,' +
      '"id":9007199254740991,"list":[1,"a"],"none":null}'
    const { fetch } = answering(() => formResponse(body, 200, 'application/json'))
    const client = new OAuth1Client({ clientId: 'foo', fetch })
    expect(await client.fetchRequestToken(`${P}/rt`)).toEqual({
      oauth_token: '12345',
      oauth_token_secret: 'bar',
      oauth_callback_confirmed: 'true',
      n: '5',
      o: '{"a":1}',
      ratio: '1.5',
      id: '9007199254740991',
      list: '[1,"a"]',
    })
  })

  it('reads JSON by its first character whatever the content type', async () => {
    const { fetch } = answering(() =>
      formResponse(
        ' {"oauth_token":"a","oauth_token_secret":"b","oauth_callback_confirmed":"true"}',
        200,
        'text/plain',
      ),
    )
    expect(
      (await new OAuth1Client({ clientId: 'x', fetch }).fetchRequestToken(`${P}/rt`)).oauth_token,
    ).toBe('a')
  })

  it('decodes + as a space and keeps values opaque', async () => {
    const { fetch } = answering(() =>
      formResponse(
        'oauth_token=a%2Bb+c%25d&oauth_token_secret=%3D%2F&oauth_callback_confirmed=true&name=Jane+Doe',
      ),
    )
    const token = await new OAuth1Client({ clientId: 'x', fetch }).fetchRequestToken(`${P}/rt`)
    expect(token).toMatchObject({
      oauth_token: 'a+b c%d',
      oauth_token_secret: '=/',
      name: 'Jane Doe',
    })
  })

  it('requires oauth_callback_confirmed to be exactly "true"', async () => {
    for (const body of [
      'oauth_token=a&oauth_token_secret=b',
      'oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=True',
      'oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=false',
    ]) {
      const { fetch } = answering(() => formResponse(body))
      const client = new OAuth1Client({ clientId: 'x', fetch })
      const err = await rejection(client.fetchRequestToken(`${P}/rt`))
      expect(err.code).toBe('callback_not_confirmed')
      expect(err.status).toBe(502)
      expect(client.token).toBeNull()
    }
  })

  it('accepts a missing confirmation when requireCallbackConfirmed is false (OAuth 1.0)', async () => {
    const { fetch } = answering(() => formResponse('oauth_token=foo&oauth_token_secret=bar'))
    const client = new OAuth1Client({ clientId: 'x', fetch, requireCallbackConfirmed: false })
    expect(await client.fetchRequestToken(`${P}/rt`)).toEqual({
      oauth_token: 'foo',
      oauth_token_secret: 'bar',
    })
  })

  it('does not sign with a token it already holds', async () => {
    const { client, provider } = setup({ token: 'old', tokenSecret: 'old-secret' })
    await client.fetchRequestToken(`${P}/oauth/request_token`)
    expect(provider.hits('/oauth/request_token')[0]!.params.oauth_token).toBeUndefined()
  })
})

describe('OAuth1Client.parseAuthorizationResponse: a malformed verifier', () => {
  it('refuses control characters, invalid UTF-8 and an overlong verifier (missing_verifier, 400)', async () => {
    for (const verifier of ['%00', '%FF%FE', 'a%1Fb', 'v'.repeat(1025)]) {
      const client = new OAuth1Client({ clientId: 'ck', token: 'rt' })
      const err = await rejection(() =>
        client.parseAuthorizationResponse(
          `https://app.example/cb?oauth_token=rt&oauth_verifier=${verifier}`,
        ),
      )
      expect(err.code).toBe('missing_verifier')
      expect(err.status).toBe(400)
    }
    const client = new OAuth1Client({ clientId: 'ck', token: 'rt' })
    expect(
      client.parseAuthorizationResponse(
        'https://app.example/cb?oauth_token=rt&oauth_verifier=a%25b%2B',
      ),
    ).toMatchObject({ oauth_verifier: 'a%b+' })
  })
})

describe('OAuth1Client.fetchAccessToken (Authlib test_fetch_access_token)', () => {
  it('runs the three legs against the provider', async () => {
    const { client, provider } = setup({ redirectUri: 'https://app.example/cb' })
    await client.fetchRequestToken(`${P}/oauth/request_token`)
    const callback = provider.approve(client.token!.oauth_token)
    client.parseAuthorizationResponse(callback)
    const token = await client.fetchAccessToken(`${P}/oauth/access_token`)
    expect(token).toEqual({
      oauth_token: 'at-2',
      oauth_token_secret: 'ats-2+/',
      user_id: '12345',
      screen_name: 'Jane Doe',
    })
    expect(client.token).toEqual(token)
    const [req] = provider.hits('/oauth/access_token')
    expect(req!.params.oauth_verifier).toBe('verifier-rt+1/=')
    expect(req!.params.oauth_callback).toBeUndefined()
    const res = await client.request('GET', `${P}/api/me`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ token: 'at-2' })
  })

  it('takes the verifier from the constructor, the argument, or the callback', async () => {
    const { fetch } = answering(() => formResponse('oauth_token=foo&oauth_token_secret=bar'))
    const a = new OAuth1Client({ clientId: 'foo', verifier: 'bar', token: 't', fetch })
    expect((await a.fetchAccessToken(`${P}/token`)).oauth_token).toBe('foo')
    const b = new OAuth1Client({ clientId: 'foo', token: 't', fetch })
    expect((await b.fetchAccessToken(`${P}/token`, 'bar')).oauth_token).toBe('foo')
    const { fetch: jsonFetch } = answering(() =>
      formResponse('{"oauth_token":"foo","oauth_token_secret":"s"}'),
    )
    const c = new OAuth1Client({ clientId: 'foo', verifier: 'bar', token: 't', fetch: jsonFetch })
    expect((await c.fetchAccessToken(`${P}/token`)).oauth_token).toBe('foo')
  })

  it('requires a verifier and sends nothing without one', async () => {
    const { fetch, spy } = answering(() => formResponse('oauth_token=foo&oauth_token_secret=bar'))
    const client = new OAuth1Client({ clientId: 'foo', token: 't', fetch })
    const err = await rejection(client.fetchAccessToken(`${P}/token`))
    expect(err.code).toBe('missing_verifier')
    expect(err.status).toBe(400)
    expect(spy).not.toHaveBeenCalled()
  })

  it('requires temporary credentials', async () => {
    const { fetch, spy } = answering(() => formResponse('oauth_token=foo&oauth_token_secret=bar'))
    const err = await rejection(
      new OAuth1Client({ clientId: 'foo', fetch }).fetchAccessToken(`${P}/token`, 'v'),
    )
    expect(err.code).toBe('missing_token')
    expect(spy).not.toHaveBeenCalled()
  })

  it('never replays the verifier: a failed exchange drops the temporary credentials (PITFALLS 22)', async () => {
    let answer = () => new Response('oauth_problem=temporarily_unavailable', { status: 503 })
    const { fetch, spy } = answering(() => answer())
    const client = new OAuth1Client({
      clientId: 'ck',
      token: 'request-token',
      tokenSecret: 'request-secret',
      verifier: 'VERIFIER-1',
      fetch,
    })
    expect((await rejection(client.fetchAccessToken(`${P}/token`))).code).toBe('fetch_token_denied')
    expect(spy).toHaveBeenCalledTimes(1)
    expect(client.token).toBeNull()
    // Even if the provider would now answer: nothing to exchange, nothing sent.
    answer = () => formResponse('oauth_token=at&oauth_token_secret=ats')
    expect((await rejection(client.fetchAccessToken(`${P}/token`))).code).toBe('missing_verifier')
    expect((await rejection(client.fetchAccessToken(`${P}/token`, 'VERIFIER-1'))).code).toBe(
      'missing_token',
    )
    expect(spy).toHaveBeenCalledTimes(1)
  })

  it('keeps the temporary credentials when the exchange is refused before sending', async () => {
    const { fetch, spy } = answering(() => formResponse('oauth_token=at&oauth_token_secret=ats'))
    const client = new OAuth1Client({ clientId: 'ck', token: 'rt', verifier: 'v', fetch })
    expect((await rejection(client.fetchAccessToken('http://10.0.0.1/at'))).code).toBe(
      'insecure_transport',
    )
    expect(spy).not.toHaveBeenCalled()
    expect(client.token?.oauth_token).toBe('rt')
    expect((await client.fetchAccessToken(`${P}/at`)).oauth_token).toBe('at')
  })
})

describe('token responses are read by their content, not their label', () => {
  // X (Twitter) labels its form-encoded token responses text/html.
  const labels = [
    'text/html;charset=utf-8',
    'text/html; charset=UTF-8',
    'application/xhtml+xml',
    'text/plain',
    'application/octet-stream',
    '',
  ]
  it.each(labels)('a form body labelled %j is a token', async (label) => {
    const { fetch } = answering(() =>
      formResponse(
        'oauth_token=rt&oauth_token_secret=rts&oauth_callback_confirmed=true',
        200,
        label,
      ),
    )
    const client = new OAuth1Client({ clientId: 'x', clientSecret: 'client-secret', fetch })
    const token = await client.fetchRequestToken(`${P}/rt`)
    expect(token).toEqual({
      oauth_token: 'rt',
      oauth_token_secret: 'rts',
      oauth_callback_confirmed: 'true',
    })
  })

  it('an access-token response labelled text/html keeps every field (user_id, screen_name)', async () => {
    const { fetch } = answering(() =>
      formResponse(
        'oauth_token=6253282-eWudHldSbIaelX7swmsiHImEL4KinwaGloHANdrY&oauth_token_secret=2EEfA6BG3ly3sR3RjE0IBSnlQu4ZrUzPiYKmrkVU&user_id=6253282&screen_name=twitterapi',
        200,
        'text/html;charset=utf-8',
      ),
    )
    const client = new OAuth1Client({
      clientId: 'x',
      token: 'rt',
      tokenSecret: 's',
      verifier: 'v',
      fetch,
    })
    expect(await client.fetchAccessToken(`${P}/at`)).toEqual({
      oauth_token: '6253282-eWudHldSbIaelX7swmsiHImEL4KinwaGloHANdrY',
      oauth_token_secret: '2EEfA6BG3ly3sR3RjE0IBSnlQu4ZrUzPiYKmrkVU',
      user_id: '6253282',
      screen_name: 'twitterapi',
    })
  })

  it('HTML content is still not a token, whatever its label', async () => {
    for (const label of ['application/x-www-form-urlencoded', 'text/plain', 'text/html']) {
      const { fetch } = answering(() =>
        formResponse('<html><body>oauth_token=a&oauth_token_secret=b</body></html>', 200, label),
      )
      const client = new OAuth1Client({ clientId: 'x', fetch, requireCallbackConfirmed: false })
      const err = await rejection(client.fetchRequestToken(`${P}/rt`))
      expect(err.code).toBe('invalid_token_response')
    }
  })
})

describe('token responses that are not tokens', () => {
  const cases: [string, () => Response][] = [
    ['text', () => formResponse('not valid urlencoded response!')],
    ['empty', () => formResponse('')],
    ['whitespace', () => formResponse('  \n')],
    ['HTML', () => formResponse('<html><body>Welcome</body></html>', 200, 'text/html')],
    ['HTML without type', () => formResponse('<!doctype html><p>hi', 200, '')],
    ['JSON array', () => formResponse('[1,2]', 200, 'application/json')],
    ['bad JSON', () => formResponse('{"oauth_token":', 200, 'application/json')],
    ['bad escape', () => formResponse('oauth_token=%zz&oauth_token_secret=b')],
    ['no secret', () => formResponse('oauth_token=foo')],
    ['empty token', () => formResponse('oauth_token=&oauth_token_secret=b')],
    ['two tokens', () => formResponse('oauth_token=a&oauth_token=b&oauth_token_secret=s')],
    [
      'JSON token as an object',
      () =>
        formResponse('{"oauth_token":{"a":1},"oauth_token_secret":"s"}', 200, 'application/json'),
    ],
    [
      'JSON secret as an array',
      () => formResponse('{"oauth_token":"a","oauth_token_secret":[1]}', 200, 'application/json'),
    ],
    [
      'JSON secret null',
      () => formResponse('{"oauth_token":"a","oauth_token_secret":null}', 200, 'application/json'),
    ],
    [
      'JSON two tokens',
      () =>
        formResponse(
          '{"oauth_token":"a","oauth_token":"b","oauth_token_secret":"s"}',
          200,
          'application/json',
        ),
    ],
    [
      'a token over 512 characters',
      () => formResponse(`oauth_token=${'t'.repeat(513)}&oauth_token_secret=s`),
    ],
    [
      'a secret over 512 characters',
      () => formResponse(`oauth_token=a&oauth_token_secret=${'s'.repeat(513)}`),
    ],
    [
      'oversized',
      () => formResponse(`oauth_token=a&oauth_token_secret=b&pad=${'x'.repeat(70_000)}`),
    ],
    [
      'oversized stream without length',
      () => {
        let sent = 0
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            sent += 16_384
            controller.enqueue(new TextEncoder().encode('a'.repeat(16_384)))
            if (sent > 10_000_000) controller.close()
          },
        })
        return new Response(stream, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      },
    ],
  ]
  it.each([
    ['<html><body>Welcome</body></html>', 'markup (a web page), neither a form nor a JSON object'],
    ['[1,2]', 'a JSON array, not an object'],
    ['{"oauth_token":', 'malformed JSON'],
    [
      '{"oauth_token":{"a":1},"oauth_token_secret":"s"}',
      'a JSON oauth_token that is neither a string nor a number',
    ],
    [
      '{"oauth_token":12345678901234567890,"oauth_token_secret":"s"}',
      'a JSON oauth_token that is a number other than a whole one below 2^53 (JSON cannot carry it exactly)',
    ],
    [
      '{"oauth_token":"a","oauth_token_secret":1.5}',
      'a JSON oauth_token_secret that is a number other than a whole one below 2^53 (JSON cannot carry it exactly)',
    ],
    [
      '{"oauth_token":"a","oauth_token":"b","oauth_token_secret":"s"}',
      'a JSON object naming an oauth_ field twice',
    ],
    ['oauth_token=%zz&oauth_token_secret=b', 'a form with a malformed percent-escape'],
    [
      'x=1&x=2&oauth_token=a&oauth_token=b&oauth_token_secret=s',
      'a form with two values for oauth_token',
    ],
  ])('a body it cannot read says why: %s', async (body, reason) => {
    const { fetch } = answering(() => formResponse(body))
    const client = new OAuth1Client({ clientId: 'x', fetch, requireCallbackConfirmed: false })
    const err = await rejection(client.fetchRequestToken(`${P}/rt`))
    expect(err.code).toBe('invalid_token_response')
    expect(err.description).toBe(
      `The temporary-credential endpoint ${P}/rt answered 200 with ${reason}`,
    )
  })

  it('a JSON answer nested too deeply to write back out is unreadable, not a RangeError', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`
    const { fetch } = answering(() =>
      formResponse(`{"oauth_token":"a","oauth_token_secret":"s","extra":${deep}}`),
    )
    const client = new OAuth1Client({ clientId: 'x', fetch, requireCallbackConfirmed: false })
    // Where JSON.stringify overflows the stack at this depth (Node 20–24; not 26):
    let overflows = false
    try {
      JSON.stringify(JSON.parse(deep))
    } catch {
      overflows = true
    }
    const answer = client.fetchRequestToken(`${P}/rt`)
    if (!overflows) {
      expect((await answer).extra).toBe(JSON.stringify(JSON.parse(deep)))
      return
    }
    const err = await rejection(answer)
    expect(err.code).toBe('invalid_token_response')
    expect(err.description).toBe(
      `The temporary-credential endpoint ${P}/rt answered 200 with JSON nested too deeply to read`,
    )
  })

  it('a field JSON.stringify throws on makes the answer unreadable, whatever the depth that takes', async () => {
    const { fetch } = answering(() =>
      formResponse('{"oauth_token":"a","oauth_token_secret":"s","extra":[[1]]}'),
    )
    const client = new OAuth1Client({ clientId: 'x', fetch, requireCallbackConfirmed: false })
    const stringify = JSON.stringify
    const spy = vi.spyOn(JSON, 'stringify').mockImplementation((value, ...rest) => {
      if (Array.isArray(value)) throw new RangeError('Maximum call stack size exceeded')
      return stringify(value, ...(rest as []))
    })
    try {
      const err = await rejection(client.fetchRequestToken(`${P}/rt`))
      expect(err.code).toBe('invalid_token_response')
      expect(err.description).toBe(
        `The temporary-credential endpoint ${P}/rt answered 200 with JSON nested too deeply to read`,
      )
    } finally {
      spy.mockRestore()
    }
  })

  it('a 304 is not called a redirect', async () => {
    const { fetch } = answering(() => new Response(null, { status: 304 }))
    const client = new OAuth1Client({ clientId: 'x', fetch })
    const err = await rejection(client.fetchRequestToken(`${P}/rt`))
    expect(err.code).toBe('fetch_token_denied')
    expect(err.description).toBe(`The temporary-credential endpoint ${P}/rt answered 304`)
  })

  it.each(cases)('%s → invalid_token_response', async (_name, make) => {
    const { fetch } = answering(make)
    const client = new OAuth1Client({
      clientId: 'x',
      clientSecret: 'client-secret',
      fetch,
      requireCallbackConfirmed: false,
    })
    const err = await rejection(client.fetchRequestToken(`${P}/rt`))
    expect(err.code).toBe('invalid_token_response')
    expect(err.status).toBe(502)
    expectNoSecret(err)
  })

  it.each([
    [
      'plain text (MediaWiki)',
      'Error: mwoauth-invalid-authorization',
      'Error: mwoauth-invalid-authorization',
    ],
    ['a form without oauth_token', 'oauth_token_secret=SECRET1', 'oauth_token_secret=[redacted]'],
    [
      'JSON without oauth_token',
      '{"oauth_token_secret":"SEC\\"RET2","n":1}',
      '{"oauth_token_secret":"[redacted]","n":1}',
    ],
    [
      'a bad escape',
      'oauth_token=%zz&oauth_token_secret=SECRET3',
      'oauth_token=%zz&oauth_token_secret=[redacted]',
    ],
    [
      'a repeated field',
      'oauth_token=a&oauth_token=b&oauth_token_secret=SECRET4',
      'oauth_token=a&oauth_token=b&oauth_token_secret=[redacted]',
    ],
    [
      'an encoded name',
      'oauth%5Ftoken%5Fsecret=SECRET5&oauth_token=',
      'oauth%5Ftoken%5Fsecret=[redacted]&oauth_token=',
    ],
    ['JSON cut short', '{"oauth_token_secret": "SECRET6', '{"oauth_token_secret": "[redacted]"'],
    ['HTML', '<p>oauth_token_secret=SECRET8</p>', '<p>oauth_token_secret=[redacted]</p>'],
    [
      'a secret spelt twice',
      'oauth_token_secret=S%2BEC9&echo=S%2BEC9&x=S+EC9',
      'oauth_token_secret=[redacted]&echo=[redacted]&x=[redacted]',
    ],
  ])(
    '%s: the answer rides on the error as response, any token secret blanked',
    async (_name, body, kept) => {
      const { fetch } = answering(() => formResponse(body, 200, 'text/plain'))
      const client = new OAuth1Client({ clientId: 'x', fetch, requireCallbackConfirmed: false })
      const err = await rejection(client.fetchRequestToken(`${P}/rt`))
      expect(err.code).toBe('invalid_token_response')
      expect(err.response).toEqual({
        status: 200,
        headers: expect.objectContaining({ 'content-type': 'text/plain' }),
        body: kept,
      })
      expect(JSON.stringify(err)).not.toMatch(/SEC\\?"?RET|SECRET\d|S(%2B|\+)EC9/)
    },
  )

  it('a 200 with oauth_problem and an oversized answer keep their response too, secrets blanked', async () => {
    const problem = answering(() =>
      formResponse('oauth_problem=token_rejected&oauth_token_secret=SECRET7', 200, 'text/plain'),
    )
    const a = await rejection(
      new OAuth1Client({ clientId: 'x', fetch: problem.fetch }).fetchRequestToken(`${P}/rt`),
    )
    expect(a.oauthProblem).toBe('token_rejected')
    expect(a.response?.body).toBe('oauth_problem=token_rejected&oauth_token_secret=[redacted]')
    const big = answering(() =>
      formResponse(`oauth_token_secret=SECRET10&pad=${'x'.repeat(70_000)}`, 200, 'text/plain'),
    )
    const b = await rejection(
      new OAuth1Client({ clientId: 'x', fetch: big.fetch }).fetchRequestToken(`${P}/rt`),
    )
    expect(b.response?.status).toBe(200)
    expect(b.response?.body.startsWith('oauth_token_secret=[redacted]&pad=xxx')).toBe(true)
    expect(JSON.stringify(b)).not.toContain('SECRET10')
  })

  it('takes a credential of exactly 512 characters, and JSON numbers as strings', async () => {
    const long = answering(() =>
      formResponse(`oauth_token=${'t'.repeat(512)}&oauth_token_secret=${'s'.repeat(512)}`),
    )
    const client = new OAuth1Client({
      clientId: 'x',
      fetch: long.fetch,
      requireCallbackConfirmed: false,
    })
    expect((await client.fetchRequestToken(`${P}/rt`)).oauth_token).toHaveLength(512)
    const numeric = answering(() =>
      formResponse(
        '{"oauth_token":12345,"oauth_token_secret":"s","user_id":7}',
        200,
        'application/json',
      ),
    )
    const c2 = new OAuth1Client({
      clientId: 'x',
      fetch: numeric.fetch,
      requireCallbackConfirmed: false,
    })
    expect(await c2.fetchRequestToken(`${P}/rt`)).toEqual({
      oauth_token: '12345',
      oauth_token_secret: 's',
      user_id: '7',
    })
  })

  it('refuses a declared oversized body without reading it', async () => {
    let pulled = 0
    const { fetch } = answering(() => {
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++
          controller.enqueue(new Uint8Array(1024))
        },
      })
      return new Response(stream, { headers: { 'content-length': '1000000' } })
    })
    const err = await rejection(
      new OAuth1Client({ clientId: 'x', fetch }).fetchRequestToken(`${P}/rt`),
    )
    expect(err.code).toBe('invalid_token_response')
    expect(pulled).toBeLessThanOrEqual(2)
  })
})

describe("the request's secrets echoed in a provider's error answer", () => {
  it.each([
    [401, 'fetch_token_denied'],
    [200, 'invalid_token_response'],
  ])(
    'are blanked in response.body and the description, however the provider spells them (%i)',
    async (status, code) => {
      const clientSecret = 'cs+1/='
      const tokenSecret = 'ts&2~'
      const verifier = 'ver ifier'
      const echo = answering((req) => {
        // A debug answer: the Authorization header (PLAINTEXT's signature is the
        // encoded secrets) and a base string (values encoded twice), as some
        // providers, and @oauth1/testing's debug option, send back on a 401.
        const auth = req.headers.get('authorization') ?? ''
        const twice = (v: string) => encodeURIComponent(encodeURIComponent(v))
        return formResponse(
          `oauth_problem=${encodeURIComponent(`signature_invalid ${tokenSecret}`)}&oauth_problem_advice=${encodeURIComponent(`secret was ${clientSecret}`)}&debug=${encodeURIComponent(auth)}&base=POST%26x%26oauth_verifier${twice(`=${verifier}`)}&raw=${verifier}|${clientSecret}|${tokenSecret}`,
          status,
        )
      })
      const client = new OAuth1Client({
        clientId: 'ck',
        clientSecret,
        signatureMethod: 'PLAINTEXT',
        token: 'rt',
        tokenSecret,
        fetch: echo.fetch,
      })
      const err = await rejection(client.fetchAccessToken(`${P}/at`, verifier))
      expect(err.code).toBe(code)
      expect(err.response?.body).toContain('[redacted]')
      const everything = `${err.description} ${err.message} ${err.oauthProblem} ${err.oauthProblemAdvice} ${JSON.stringify(err)} ${err.response?.body}`
      for (const secret of [clientSecret, tokenSecret, verifier]) {
        for (const spelling of [
          secret,
          encodeURIComponent(secret),
          encodeURIComponent(encodeURIComponent(secret)),
        ]) {
          expect(everything, spelling).not.toContain(spelling)
        }
      }
      expect(err.oauthProblem).toBe('signature_invalid [redacted]')
      expect(err.oauthProblemAdvice).toBe('secret was [redacted]')
      expect(err.description).toContain('secret was [redacted]')
    },
  )
})

describe('token endpoint errors (Authlib test_fetch_token_invalid_response)', () => {
  it.each([400, 401, 403, 500, 503])('%i → fetch_token_denied', async (status) => {
    const { fetch } = answering(() => formResponse('valid=response', status))
    const err = await rejection(
      new OAuth1Client({ clientId: 'x', fetch }).fetchRequestToken(`${P}/rt`),
    )
    expect(err.code).toBe('fetch_token_denied')
    expect(err.status).toBe(502)
    expect(err.response).toEqual({
      status,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'valid=response',
    })
  })

  it('surfaces oauth_problem and its advice from a form body', async () => {
    const { fetch } = answering(() =>
      formResponse('oauth_problem=signature_invalid&oauth_problem_advice=check+your+clock', 401),
    )
    const err = await rejection(
      new OAuth1Client({ clientId: 'x', fetch }).fetchRequestToken(`${P}/rt`),
    )
    expect(err.oauthProblem).toBe('signature_invalid')
    expect(err.description).toBe(
      'The temporary-credential endpoint https://provider.test/rt answered 401: signature_invalid, the provider found the signature invalid (check your clock)',
    )
  })

  it('says what a known oauth_problem means, and names an unknown one as sent', async () => {
    const cases: [string, string][] = [
      [
        'timestamp_refused',
        ': timestamp_refused, the provider refused the timestamp (check the clock)',
      ],
      [
        'token_expired',
        ': token_expired, the provider says the temporary credentials expired; start the login again',
      ],
      [
        'consumer_key_unknown',
        ': consumer_key_unknown, the provider does not know the client (consumer key)',
      ],
      ['x_provider_own', ': x_provider_own'],
      // Own names of Object.prototype are not problems this library knows.
      ['constructor', ': constructor'],
    ]
    for (const [problem, ending] of cases) {
      const { fetch } = answering(() => formResponse(`oauth_problem=${problem}`, 401))
      const err = await rejection(
        new OAuth1Client({ clientId: 'x', token: 't', fetch }).fetchAccessToken(`${P}/at`, 'v'),
      )
      expect([err.code, err.status, err.oauthProblem]).toEqual(['fetch_token_denied', 502, problem])
      expect(err.description).toBe(
        `The token-credential endpoint https://provider.test/at answered 401${ending}`,
      )
    }
  })

  it('surfaces oauth_problem from a JSON body', async () => {
    const { fetch } = answering(() =>
      Response.json({ oauth_problem: 'timestamp_refused' }, { status: 400 }),
    )
    const err = await rejection(
      new OAuth1Client({ clientId: 'x', fetch }).fetchRequestToken(`${P}/rt`),
    )
    expect(err.oauthProblem).toBe('timestamp_refused')
  })

  it('cuts the excerpt between characters, not inside a surrogate pair', async () => {
    const { fetch } = answering(
      () => new Response(`${'a'.repeat(2047)}😀${'b'.repeat(10)}`, { status: 500 }),
    )
    const client = new OAuth1Client({ clientId: 'ck', fetch })
    const err = await rejection(client.fetchRequestToken(`${P}/rt`))
    expect(err.code).toBe('fetch_token_denied')
    expect(err.response?.body).toBe('a'.repeat(2047))
  })

  it('keeps at most 2048 characters of the body', async () => {
    const { fetch } = answering(() => formResponse('x'.repeat(10_000), 500, 'text/plain'))
    const err = await rejection(
      new OAuth1Client({ clientId: 'x', fetch }).fetchRequestToken(`${P}/rt`),
    )
    expect(err.response?.body).toHaveLength(2048)
  })

  it('reads a bounded prefix of an endless error body, then cancels it', async () => {
    const CHUNK = 1024
    const chunk = new TextEncoder().encode('x'.repeat(CHUNK))
    let pulls = 0
    let cancelled = false
    const endless = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls++
        // A macrotask per chunk, so a reader that never stops still lets the test time out;
        // and a hard stop far beyond the bound, so it cannot eat the machine's memory either.
        await new Promise((resolve) => setTimeout(resolve, 0))
        if (pulls > 10 * (MAX_TOKEN_RESPONSE / CHUNK)) controller.error(new Error('read too far'))
        else controller.enqueue(chunk)
      },
      cancel() {
        cancelled = true
      },
    })
    const { fetch } = answering(
      () => new Response(endless, { status: 500, headers: { 'content-type': 'text/plain' } }),
    )
    const err = await rejection(
      new OAuth1Client({ clientId: 'x', fetch }).fetchRequestToken(`${P}/rt`),
    )
    expect(err.code).toBe('fetch_token_denied')
    expect(err.response?.status).toBe(500)
    expect(err.response?.body).toBe('x'.repeat(MAX_ERROR_BODY))
    expect(pulls).toBeLessThanOrEqual(MAX_TOKEN_RESPONSE / CHUNK + 2)
    expect(cancelled).toBe(true)
  }, 5_000)

  it('does not follow a redirect from a token endpoint', async () => {
    const { fetch, seen } = answering(
      () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.test/' } }),
    )
    const err = await rejection(
      new OAuth1Client({ clientId: 'x', fetch }).fetchRequestToken(`${P}/rt`),
    )
    expect(err.code).toBe('fetch_token_denied')
    expect(err.description).toContain('a redirect, not followed')
    expect(seen).toHaveLength(1)
  })

  it('turns a network failure into fetch_token_denied (502) naming the URL, not its secrets', async () => {
    const cause = new TypeError('fetch failed')
    const fetch = vi.fn(async () => {
      throw cause
    }) as unknown as typeof globalThis.fetch
    const client = new OAuth1Client({ clientId: 'x', clientSecret: 'client-secret', fetch })
    const err = await rejection(
      client.fetchRequestToken('https://provider.test/rt?key=client-secret'),
    )
    expect(err.code).toBe('fetch_token_denied')
    expect(err.status).toBe(502)
    expect(err.cause).toBe(cause)
    expect(err.description).toBe(
      'Could not reach the temporary-credential endpoint https://provider.test/rt',
    )
    expectNoSecret(err)
  })

  it('never puts secrets, verifiers or the Authorization header in an error', async () => {
    const { fetch } = answering(() => formResponse('oauth_problem=verifier_invalid', 401))
    const client = new OAuth1Client({
      clientId: 'x',
      clientSecret: 'client-secret',
      token: 't',
      tokenSecret: 'rts%1',
      verifier: 'verifier-1',
      fetch,
    })
    const err = await rejection(client.fetchAccessToken(`${P}/at`))
    expectNoSecret(err)
    expect(JSON.stringify(err)).not.toMatch(/oauth_signature|OAuth /)
  })
})

describe('API calls that fail on the way', () => {
  it('a fetch that rejects → request_failed (502), the rejection kept as cause', async () => {
    const cause = new Error('socket hang up')
    const fetch = vi.fn(async () => {
      throw cause
    }) as unknown as typeof globalThis.fetch
    const client = new OAuth1Client({ clientId: 'x', clientSecret: 'client-secret', fetch })
    const err = await rejection(client.request('POST', `${P}/api/x?secret=client-secret`))
    expect(err.code).toBe('request_failed')
    expect(err.status).toBe(502)
    expect(err.expose).toBe(false)
    expect(err.cause).toBe(cause)
    expect(err.description).toBe('Could not reach https://provider.test/api/x')
    expectNoSecret(err)
  })

  it('a redirect hop that fails names the hop', async () => {
    let calls = 0
    const fetch = vi.fn(async () => {
      calls++
      if (calls === 1) {
        return new Response(null, { status: 302, headers: { location: 'https://cdn.test/file' } })
      }
      throw new TypeError('fetch failed')
    }) as unknown as typeof globalThis.fetch
    const err = await rejection(new OAuth1Client({ clientId: 'x', fetch }).request('GET', `${P}/a`))
    expect([err.code, err.description]).toEqual([
      'request_failed',
      'Could not reach https://cdn.test/file',
    ])
  })

  it("the caller's own abort rejects as fetch does, not as request_failed", async () => {
    const controller = new AbortController()
    const fetch = vi.fn(
      (_u: unknown, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
        }),
    ) as unknown as typeof globalThis.fetch
    const pending = new OAuth1Client({ clientId: 'x', fetch })
      .request('GET', `${P}/a`, { signal: controller.signal })
      .catch((e: unknown) => e)
    controller.abort()
    const err = await pending
    expect(err).not.toBeInstanceOf(OAuthError)
    expect((err as Error).name).toBe('AbortError')
  })

  it('a body on GET or HEAD is a TypeError naming it, before anything is sent', async () => {
    const fetch = vi.fn() as unknown as typeof globalThis.fetch
    const client = new OAuth1Client({ clientId: 'x', fetch })
    for (const method of ['GET', 'head']) {
      await expect(client.request(method, `${P}/a`, { body: 'x=1' })).rejects.toThrow(
        new TypeError(`body is not allowed with ${method.toUpperCase()}`),
      )
    }
    expect(fetch).not.toHaveBeenCalled()
  })

  it("a Host header is a TypeError: fetch sends the URL's host, so the signature would be for another", async () => {
    const fetch = vi.fn() as unknown as typeof globalThis.fetch
    const message =
      "headers: a Host header is not sent as given (fetch sends the URL's host), so the request would be signed for another host; put the host in the URL"
    const client = new OAuth1Client({ clientId: 'x', fetch })
    await expect(
      client.request('GET', `${P}/a`, { headers: { Host: 'api.example.test' } }),
    ).rejects.toThrow(new TypeError(message))
    expect(() => new OAuth1Client({ clientId: 'x', fetch, headers: { HOST: 'a.test' } })).toThrow(
      new TypeError(`headers.HOST: ${message.slice('headers: '.length)}`),
    )
    await expect(
      client.request('GET', `${P}/a`, { authHeaders: { host: 'a.test' } }),
    ).rejects.toThrow(new TypeError(`authHeaders.host: ${message.slice('headers: '.length)}`))
    expect(fetch).not.toHaveBeenCalled()
  })
})

describe('timeouts', () => {
  it('a provider that never answers → request_timeout (504)', async () => {
    vi.useFakeTimers()
    const fetch = vi.fn(() => new Promise<Response>(() => {})) as unknown as typeof globalThis.fetch
    const client = new OAuth1Client({ clientId: 'x', fetch, timeout: 5000 })
    const pending = rejection(client.fetchRequestToken(`${P}/rt`))
    await vi.advanceTimersByTimeAsync(5001)
    const err = await pending
    expect(err.code).toBe('request_timeout')
    expect(err.status).toBe(504)
  })

  it('a request body stream that never ends → request_timeout, or the abort of your signal', async () => {
    vi.useFakeTimers()
    const fetch = vi.fn() as unknown as typeof globalThis.fetch
    const client = new OAuth1Client({ clientId: 'x', fetch, timeout: 5000 })
    const stalled = () => new ReadableStream({ pull: () => new Promise<void>(() => {}) })
    const timedOut = rejection(client.request('PUT', `${P}/up`, { body: stalled() }))
    await vi.advanceTimersByTimeAsync(5001)
    expect((await timedOut).code).toBe('request_timeout')
    const controller = new AbortController()
    const aborted = client
      .request('PUT', `${P}/up`, { body: stalled(), signal: controller.signal })
      .catch((e: unknown) => e)
    controller.abort(new Error('gave up'))
    expect(await aborted).toEqual(new Error('gave up'))
    expect(fetch).not.toHaveBeenCalled()
  })

  it('defaults to 10 seconds', async () => {
    vi.useFakeTimers()
    let signal: AbortSignal | undefined
    const fetch = vi.fn((_u: unknown, init?: RequestInit) => {
      signal = init?.signal ?? undefined
      return new Promise<Response>(() => {})
    }) as unknown as typeof globalThis.fetch
    const pending = rejection(
      new OAuth1Client({ clientId: 'x', fetch }).request('GET', `${P}/api/x`),
    )
    await vi.advanceTimersByTimeAsync(9_999)
    expect(signal?.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(2)
    expect(signal?.aborted).toBe(true)
    expect((await pending).code).toBe('request_timeout')
  })

  it('a body that stalls → request_timeout', async () => {
    vi.useFakeTimers()
    const { fetch } = answering(
      () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('oauth_token=a'))
            },
          }),
        ),
    )
    const pending = rejection(
      new OAuth1Client({ clientId: 'x', fetch, timeout: 1000 }).fetchRequestToken(`${P}/rt`),
    )
    await vi.advanceTimersByTimeAsync(1001)
    expect((await pending).code).toBe('request_timeout')
  })

  it('the caller aborting is not a timeout', async () => {
    const fetch = vi.fn(
      (_u: unknown, init?: RequestInit) =>
        new Promise<Response>((_r, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
    ) as unknown as typeof globalThis.fetch
    const controller = new AbortController()
    const pending = new OAuth1Client({ clientId: 'x', fetch }).request('GET', `${P}/api/x`, {
      signal: controller.signal,
    })
    controller.abort(new Error('user gave up'))
    await expect(pending).rejects.toThrow('user gave up')
  })
})

describe('insecure transport', () => {
  it('refuses token endpoints over http:// off loopback', async () => {
    const { fetch, spy } = answering(() =>
      formResponse('oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=true'),
    )
    const client = new OAuth1Client({ clientId: 'x', fetch, token: 't', verifier: 'v' })
    for (const call of [
      () => client.fetchRequestToken('http://provider.example/rt'),
      () => client.fetchAccessToken('http://10.0.0.1/at'),
      () => client.fetchRequestToken('http://localhost.evil.com/rt'),
      // Resolved by the system's resolver, which may send it off the machine.
      () => client.fetchRequestToken('http://app.localhost/rt'),
      () => client.fetchRequestToken('http://app.localhost./rt'),
    ]) {
      const err = await rejection(call())
      expect(err.code).toBe('insecure_transport')
      expect(err.status).toBe(500)
    }
    expect(spy).not.toHaveBeenCalled()
  })

  it('allows loopback hosts', async () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      'localhost.',
      '127.0.0.1',
      '127.8.9.10',
      '[::1]',
      '[::ffff:127.0.0.1]',
    ]) {
      const { fetch } = answering(() =>
        formResponse('oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=true'),
      )
      const client = new OAuth1Client({ clientId: 'x', fetch })
      await expect(client.fetchRequestToken(`http://${host}:8080/rt`)).resolves.toMatchObject({
        oauth_token: 'a',
      })
    }
  })

  it('isLoopbackHost, for the browser side, still counts *.localhost; the transport check does not', () => {
    for (const host of ['localhost', 'app.localhost', 'a.b.localhost.', '127.0.0.1', '[::1]']) {
      expect(isLoopbackHost(host), host).toBe(true)
    }
    for (const host of ['localhost.evil.com', 'localhostx', '10.0.0.1', '[::2]', 'example.com']) {
      expect(isLoopbackHost(host), host).toBe(false)
    }
  })

  it('allows http:// when opted in by name', async () => {
    const { fetch } = answering(() =>
      formResponse('oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=true'),
    )
    const client = new OAuth1Client({ clientId: 'x', fetch, allowInsecureTransport: true })
    await expect(client.fetchRequestToken('http://provider.example/rt')).resolves.toMatchObject({
      oauth_token: 'a',
    })
  })

  it('refuses PLAINTEXT over http:// but not HMAC API calls', async () => {
    const { fetch, spy } = answering(() => new Response('ok'))
    const plain = new OAuth1Client({ clientId: 'x', signatureMethod: 'PLAINTEXT', fetch })
    expect((await rejection(plain.request('GET', 'http://api.example/x'))).code).toBe(
      'insecure_transport',
    )
    expect(spy).not.toHaveBeenCalled()
    expect((await plain.request('GET', 'https://api.example/x')).status).toBe(200)
    expect((await plain.request('GET', 'http://127.0.0.1/x')).status).toBe(200)
    const hmac = new OAuth1Client({ clientId: 'x', fetch })
    expect((await hmac.request('GET', 'http://api.example/x')).status).toBe(200)
  })
})

describe('OAuth1Client.request', () => {
  const authorized = () => setup({ token: 'at-1', tokenSecret: 'ats-1' })

  it.each([
    ['params', '; write query'],
    ['data', '; write body'],
    ['json', '; write body (a JSON string, with a Content-Type header)'],
    ['qeury', ''],
    ['withholdToken', ''],
  ])('refuses an unknown init option %s, before anything is sent', async (name, hint) => {
    const { fetch, spy } = answering(() => new Response('ok'))
    const client = new OAuth1Client({ clientId: 'x', fetch })
    await expect(client.request('POST', `${P}/a`, { [name]: { a: '1' } } as never)).rejects.toThrow(
      new TypeError(
        `init: unknown option "${name}"${hint} (known: token, body, headers, query, signal, redirect, nonce, authHeaders)`,
      ),
    )
    expect(spy).not.toHaveBeenCalled()
  })

  it('refuses a token without its secret, before anything is sent (not signed with an empty one)', async () => {
    const { fetch, spy } = answering(() => new Response('ok'))
    const client = new OAuth1Client({ clientId: 'x', clientSecret: 'cs', fetch })
    const message =
      'token.oauth_token_secret is missing: keep the whole token the login gave (an empty string if the provider sent none)'
    for (const token of [{ oauth_token: 't' }, { oauth_token: 't', oauth_token_secret: null }]) {
      await expect(client.request('GET', `${P}/a`, { token } as never)).rejects.toThrow(
        new TypeError(message),
      )
    }
    expect(spy).not.toHaveBeenCalled()
    // An empty secret is one: the provider may give none.
    await client.request('GET', `${P}/a`, { token: { oauth_token: 't', oauth_token_secret: '' } })
    expect(spy).toHaveBeenCalledTimes(1)
  })

  it('returns ≥ 400 answers like fetch does', async () => {
    const { fetch } = answering(() => new Response('nope', { status: 404 }))
    const res = await new OAuth1Client({ clientId: 'x', fetch }).request('GET', `${P}/missing`)
    expect(res.status).toBe(404)
    expect(await res.text()).toBe('nope')
  })

  it('signs the query and a plain-object body as a form', async () => {
    const { client, provider } = authorized()
    provider.access.set('at-1', 'ats-1')
    const res = await client.request('POST', `${P}/api/statuses/update.json?a=1`, {
      query: { include_entities: 'true' },
      body: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
    })
    expect(res.status).toBe(200)
    const [req] = provider.hits('/api/statuses/update.json')
    expect(req!.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(req!.params).toMatchObject({ a: '1', include_entities: 'true', oauth_token: 'at-1' })
    expect(req!.params.status).toBe('Hello Ladies + Gentlemen, a signed OAuth request!')
  })

  it('a plain-object body with a content-type other than a form is a TypeError, before anything is sent', async () => {
    // It would go out form-encoded under the other label, and unsigned.
    const fetch = vi.fn() as unknown as typeof globalThis.fetch
    const client = new OAuth1Client({ clientId: 'x', fetch })
    await expect(
      client.request('POST', `${P}/a`, {
        body: { a: '1' },
        headers: { 'content-type': 'application/json' },
      }),
    ).rejects.toThrow(
      new TypeError(
        'a plain-object body is sent as a form: drop content-type "application/json", or pass the body as a string (JSON.stringify)',
      ),
    )
    expect(fetch).not.toHaveBeenCalled()
    const { client: signed, provider } = authorized()
    provider.access.set('at-1', 'ats-1')
    const res = await signed.request('POST', `${P}/api/form`, {
      body: { a: '1' },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    })
    expect(res.status).toBe(200)
    expect(provider.hits('/api/form')[0]!.params.a).toBe('1')
  })

  it('sends the method upper-cased, as signed (fetch sends a lower-case "patch" as is)', async () => {
    const { client, provider } = authorized()
    provider.access.set('at-1', 'ats-1')
    const res = await client.request('patch', `${P}/api/item`, { body: { a: '1' } })
    expect(res.status).toBe(200)
    expect(provider.hits('/api/item')[0]!.method).toBe('PATCH')
  })

  it('sends a JSON body untouched and unsigned', async () => {
    const { client, provider } = authorized()
    provider.access.set('at-1', 'ats-1')
    const body = JSON.stringify({ text: 'hi & bye' })
    const res = await client.request('POST', `${P}/api/json`, {
      body,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(200)
    expect(provider.hits('/api/json')[0]!.body).toBe(body)
  })

  it('serialises Blob and FormData bodies, with a body hash when forceIncludeBody', async () => {
    const { client, provider } = setup({
      token: 'at-1',
      tokenSecret: 'ats-1',
      forceIncludeBody: true,
    })
    provider.access.set('at-1', 'ats-1')
    const fd = new FormData()
    fd.append('file', new Blob(['hello world'], { type: 'application/xml' }), 'a.xml')
    expect((await client.request('POST', `${P}/api/upload`, { body: fd })).status).toBe(200)
    const [req] = provider.hits('/api/upload')
    expect(req!.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=/)
    expect(req!.body).toContain('hello world')
    expect(req!.authorization).toContain('oauth_body_hash')
  })

  it('signs with client credentials only when token is null', async () => {
    const { client, provider } = authorized()
    await client.request('GET', `${P}/api/app`, { token: null })
    expect(provider.hits('/api/app')[0]!.params.oauth_token).toBeUndefined()
  })

  it('signs with init.token over the client token', async () => {
    const { client, provider } = authorized()
    provider.access.set('other', 'other-secret')
    const res = await client.request('GET', `${P}/api/x`, {
      token: { oauth_token: 'other', oauth_token_secret: 'other-secret' },
    })
    expect(res.status).toBe(200)
    expect(provider.hits('/api/x')[0]!.params.oauth_token).toBe('other')
  })

  it('sends userAgent unless the request sets its own', async () => {
    const { client, provider } = setup({ userAgent: 'my-app/1.0' })
    await client.request('GET', `${P}/api/a`, { token: null })
    await client.request('GET', `${P}/api/b`, { token: null, headers: { 'User-Agent': 'custom' } })
    expect(provider.hits('/api/a')[0]!.headers.get('user-agent')).toBe('my-app/1.0')
    expect(provider.hits('/api/b')[0]!.headers.get('user-agent')).toBe('custom')
  })

  it('sends userAgent to the request-token and access-token endpoints too', async () => {
    const { client, provider } = setup({
      userAgent: 'my-app/1.0',
      redirectUri: 'https://app.example/cb',
    })
    await client.fetchRequestToken(`${P}/oauth/request_token`)
    client.parseAuthorizationResponse(provider.approve(client.token!.oauth_token))
    await client.fetchAccessToken(`${P}/oauth/access_token`)
    expect(provider.hits('/oauth/request_token')[0]!.headers.get('user-agent')).toBe('my-app/1.0')
    expect(provider.hits('/oauth/access_token')[0]!.headers.get('user-agent')).toBe('my-app/1.0')
  })

  it('validates its arguments', async () => {
    const client = new OAuth1Client({ clientId: 'x' })
    await expect(client.request('GE T', `${P}/x`)).rejects.toThrow(
      new TypeError('method must be an HTTP method token'),
    )
    await expect(client.request('GET', 'ftp://x/y')).rejects.toThrow(
      new TypeError('url must be an absolute http(s) URL'),
    )
    await expect(client.request('POST', `${P}/x`, { body: { a: 1 as never } })).rejects.toThrow(
      new TypeError('body.a must be a string'),
    )
  })
})

describe('redirects (PITFALLS 18)', () => {
  function redirecting(routes: Record<string, (req: Request) => Response>) {
    return answering((req) => {
      const url = new URL(req.url)
      const route = routes[`${url.origin}${url.pathname}`]
      return route ? route(req) : new Response(`final ${url.href}`)
    })
  }
  const redirect =
    (location: string, status = 302) =>
    () =>
      new Response(null, { status, headers: { location } })
  const oauthParams = (req: Request) =>
    parseAuthorizationHeader(req.headers.get('authorization') ?? '')

  it('re-signs a same-origin redirect with a fresh nonce', async () => {
    const { fetch, seen } = redirecting({ [`${P}/a`]: redirect('/b?x=1') })
    const client = new OAuth1Client({ clientId: 'ck', token: 't', tokenSecret: 's', fetch })
    const res = await client.request('GET', `${P}/a`)
    expect(await res.text()).toBe(`final ${P}/b?x=1`)
    expect(seen).toHaveLength(2)
    const first = Object.fromEntries(oauthParams(seen[0]!)!)
    const second = Object.fromEntries(oauthParams(seen[1]!)!)
    expect(second.oauth_consumer_key).toBe('ck')
    expect(second.oauth_token).toBe('t')
    expect(second.oauth_nonce).not.toBe(first.oauth_nonce)
    expect(second.oauth_signature).not.toBe(first.oauth_signature)
  })

  it('never sends the signature to another origin', async () => {
    const { fetch, seen } = redirecting({
      [`${P}/a`]: redirect('https://cdn.example/file?x=1'),
      'https://cdn.example/file': redirect(`${P}/back`),
    })
    const client = new OAuth1Client({
      clientId: 'ck',
      token: 't',
      tokenSecret: 's',
      fetch,
      signatureType: 'header',
    })
    await client.request('GET', `${P}/a`, { headers: { Authorization: 'Bearer leaked?' } })
    expect(seen.map((r) => r.url)).toEqual([`${P}/a`, 'https://cdn.example/file?x=1', `${P}/back`])
    expect(seen[1]!.headers.get('authorization')).toBeNull()
    // Having left the origin once, a hop back is not signed either.
    expect(seen[2]!.headers.get('authorization')).toBeNull()
  })

  it("drops the caller's Cookie and Proxy-Authorization on a cross-origin hop, as fetch does", async () => {
    const { fetch, seen } = redirecting({
      [`${P}/a`]: redirect('/b'),
      [`${P}/b`]: redirect('https://other.example/x'),
    })
    const client = new OAuth1Client({ clientId: 'ck', token: 't', tokenSecret: 's', fetch })
    await client.request('GET', `${P}/a`, {
      headers: { Cookie: 'sid=1', 'Proxy-Authorization': 'Basic cHJveHk6cHc=', 'X-Trace': '7' },
    })
    expect(seen.map((r) => r.url)).toEqual([`${P}/a`, `${P}/b`, 'https://other.example/x'])
    // the provider's own origin keeps them, on every hop
    for (const req of seen.slice(0, 2)) {
      expect(req.headers.get('cookie')).toBe('sid=1')
      expect(req.headers.get('proxy-authorization')).toBe('Basic cHJveHk6cHc=')
    }
    const away = seen[2]!
    expect(away.headers.get('cookie')).toBeNull()
    expect(away.headers.get('proxy-authorization')).toBeNull()
    expect(away.headers.get('authorization')).toBeNull()
    expect(away.headers.get('x-trace')).toBe('7')
  })

  it('drops oauth_* query parameters on a cross-origin hop in query mode', async () => {
    const { fetch, seen } = redirecting({ [`${P}/a`]: redirect('https://other.example/x') })
    const client = new OAuth1Client({
      clientId: 'ck',
      token: 't',
      tokenSecret: 's',
      fetch,
      signatureType: 'query',
    })
    await client.request('GET', `${P}/a?q=1`)
    expect(seen[0]!.url).toContain('oauth_signature=')
    expect(seen[1]!.url).toBe('https://other.example/x')
  })

  it('re-signs a same-origin redirect that echoes the signed query (query mode)', async () => {
    const provider = createFakeProvider()
    provider.access.set('t', 's')
    // A trailing-slash redirect that keeps the query, oauth_* parameters and all.
    const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input))
      if (url.pathname === '/api/thing') {
        return new Response(null, {
          status: 301,
          headers: { location: `/api/thing/${url.search}` },
        })
      }
      return provider.fetch(input, init)
    })
    const client = new OAuth1Client({
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      token: 't',
      tokenSecret: 's',
      signatureType: 'query',
      fetch: fetch as typeof globalThis.fetch,
    })
    const res = await client.request('GET', `${P}/api/thing?x=1&o=2`)
    expect(fetch).toHaveBeenCalledTimes(2)
    const first = new URL(String(fetch.mock.calls[0]![0]))
    const second = new URL(String(fetch.mock.calls[1]![0]))
    expect(second.pathname).toBe('/api/thing/')
    // Every protocol parameter once, freshly signed; the request's own kept.
    for (const name of [
      'oauth_consumer_key',
      'oauth_nonce',
      'oauth_signature',
      'oauth_signature_method',
      'oauth_timestamp',
      'oauth_token',
      'oauth_version',
    ]) {
      expect(second.searchParams.getAll(name)).toHaveLength(1)
    }
    expect(second.searchParams.getAll('x')).toEqual(['1'])
    expect(second.searchParams.getAll('o')).toEqual(['2'])
    expect(second.searchParams.get('oauth_nonce')).not.toBe(first.searchParams.get('oauth_nonce'))
    // The fake provider verifies the signature of the re-signed hop.
    expect(res.status).toBe(200)
  })

  it('returns a same-origin redirect whose Location sets a protocol parameter of its own (query mode)', async () => {
    for (const location of [
      '/ok?oauth_token=zzz',
      '/ok?oauth_nonce=abc',
      '/ok?oauth_consumer_key=other',
    ]) {
      const { fetch, seen } = answering((req) =>
        new URL(req.url).pathname === '/a'
          ? new Response(null, { status: 302, headers: { location } })
          : new Response('followed'),
      )
      const client = new OAuth1Client({
        clientId: 'ck',
        token: 'mytoken',
        tokenSecret: 's',
        signatureType: 'query',
        fetch,
      })
      const res = await client.request('GET', `${P}/a?q=1`)
      // the provider's value is not replaced by ours: its redirect is the answer
      expect([res.status, seen.length], location).toEqual([302, 1])
      expect(res.headers.get('location')).toBe(location)
    }
  })

  it('does not carry an echoed signed query to another origin (query mode)', async () => {
    const { fetch, seen } = answering((req) => {
      const url = new URL(req.url)
      return url.origin === P
        ? new Response(null, {
            status: 302,
            headers: { location: `https://cdn.example/file${url.search}` },
          })
        : new Response('file')
    })
    const client = new OAuth1Client({
      clientId: 'ck',
      token: 't',
      tokenSecret: 's',
      signatureType: 'query',
      fetch,
    })
    await client.request('GET', `${P}/a?q=1&oauth_extension=kept`)
    expect(seen[0]!.url).toContain('oauth_signature=')
    expect(seen[1]!.url).toBe('https://cdn.example/file?q=1&oauth_extension=kept')
  })

  it('sends the original body, unsigned, on a cross-origin 307 (body mode)', async () => {
    const { fetch, seen } = answering((req) =>
      new URL(req.url).origin === P
        ? new Response(null, { status: 307, headers: { location: 'https://other.example/x' } })
        : new Response('ok'),
    )
    const client = new OAuth1Client({
      clientId: 'ck',
      token: 't',
      tokenSecret: 's',
      signatureType: 'body',
      fetch,
    })
    await client.request('POST', `${P}/post`, { body: { a: '1' } })
    expect(await seen[0]!.text()).toContain('oauth_signature=')
    expect(seen[1]!.url).toBe('https://other.example/x')
    expect(seen[1]!.method).toBe('POST')
    expect(await seen[1]!.text()).toBe('a=1')
    expect(seen[1]!.headers.get('authorization')).toBeNull()
  })

  it('treats https → http on the same host as another origin', async () => {
    const { fetch, seen } = redirecting({ [`${P}/a`]: redirect('http://provider.test/a') })
    await new OAuth1Client({ clientId: 'ck', fetch }).request('GET', `${P}/a`)
    expect(seen[1]!.headers.get('authorization')).toBeNull()
  })

  it('turns 303, and 301/302 after POST, into a GET without body', async () => {
    for (const status of [301, 302, 303]) {
      const { fetch, seen } = redirecting({ [`${P}/post`]: redirect('/done', status) })
      await new OAuth1Client({ clientId: 'ck', fetch }).request('POST', `${P}/post`, {
        body: { a: '1' },
      })
      expect(seen[1]!.method).toBe('GET')
      expect(await seen[1]!.text()).toBe('')
      expect(seen[1]!.headers.get('content-type')).toBeNull()
      expect(Object.fromEntries(oauthParams(seen[1]!)!).oauth_signature).toBeDefined()
    }
  })

  it('signatureType "body": a same-origin hop that becomes a GET is returned as is (a GET has no body to sign)', async () => {
    for (const status of [301, 302, 303]) {
      const { fetch, seen } = redirecting({ [`${P}/post`]: redirect('/done', status) })
      const client = new OAuth1Client({ clientId: 'ck', signatureType: 'body', fetch })
      const res = await client.request('POST', `${P}/post`, { body: { a: '1' } })
      expect(res.status).toBe(status)
      expect(res.headers.get('location')).toBe('/done')
      expect(seen).toHaveLength(1)
    }
    // a 307 keeps the POST and its form: re-signed in the body
    const { fetch, seen } = redirecting({ [`${P}/post`]: redirect('/again', 307) })
    const client = new OAuth1Client({ clientId: 'ck', signatureType: 'body', fetch })
    expect((await client.request('POST', `${P}/post`, { body: { a: '1' } })).status).toBe(200)
    expect(await seen[1]!.text()).toMatch(/^a=1&oauth_.*oauth_signature=/)
    // and another origin gets the GET, unsigned, as in every mode
    const away = redirecting({ [`${P}/post`]: redirect('https://elsewhere.test/done', 303) })
    const other = new OAuth1Client({ clientId: 'ck', signatureType: 'body', fetch: away.fetch })
    expect((await other.request('POST', `${P}/post`, { body: { a: '1' } })).status).toBe(200)
    expect(away.seen[1]!.method).toBe('GET')
    expect(away.seen[1]!.url).toBe('https://elsewhere.test/done')
  })

  it('keeps method and body on 307/308, re-signed', async () => {
    const { fetch, seen } = redirecting({ [`${P}/post`]: redirect('/again', 307) })
    await new OAuth1Client({ clientId: 'ck', fetch }).request('POST', `${P}/post`, {
      body: { a: '1' },
    })
    expect(seen[1]!.method).toBe('POST')
    expect(await seen[1]!.text()).toBe('a=1')
  })

  it('stops after 5 hops and returns the last redirect', async () => {
    const { fetch, seen } = redirecting({ [`${P}/loop`]: redirect('/loop') })
    const res = await new OAuth1Client({ clientId: 'ck', fetch }).request('GET', `${P}/loop`)
    expect(res.status).toBe(302)
    expect(seen).toHaveLength(6)
  })

  it("returns redirects as they are with redirect: 'manual', or when Location is unusable", async () => {
    const { fetch, seen } = redirecting({
      [`${P}/a`]: redirect('/b'),
      [`${P}/js`]: redirect('javascript:alert(1)'),
      [`${P}/none`]: () => new Response(null, { status: 302 }),
    })
    const client = new OAuth1Client({ clientId: 'ck', fetch })
    expect((await client.request('GET', `${P}/a`, { redirect: 'manual' })).status).toBe(302)
    expect((await client.request('GET', `${P}/js`)).status).toBe(302)
    expect((await client.request('GET', `${P}/none`)).status).toBe(302)
    expect(seen).toHaveLength(3)
  })
})

describe('the fake provider itself', () => {
  it('rejects a bad signature, so the passing tests mean something', async () => {
    const provider = createFakeProvider()
    const client = new OAuth1Client({
      clientId: provider.clientId,
      clientSecret: 'wrong',
      fetch: provider.fetch,
    })
    const err = await rejection(client.fetchRequestToken(`${P}/oauth/request_token`))
    expect(err.oauthProblem).toBe('signature_invalid')
    const seen: RecordedRequest[] = provider.requests
    expect(seen).toHaveLength(1)
  })
})

describe('clock skew (PITFALLS 17)', () => {
  it('signs whole seconds, shifted by clockOffset', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1318622958123 })
    const { fetch, seen } = answering(() => new Response('ok'))
    await new OAuth1Client({ clientId: 'x', fetch }).request('GET', `${P}/a`)
    const client = new OAuth1Client({ clientId: 'x', fetch, clockOffset: 10_000 })
    await client.request('GET', `${P}/a`)
    client.clockOffset = -2_000
    await client.request('GET', `${P}/a`)
    const stamps = seen.map(
      (r) =>
        Object.fromEntries(parseAuthorizationHeader(r.headers.get('authorization')!)!)
          .oauth_timestamp,
    )
    expect(stamps).toEqual(['1318622958', '1318622968', '1318622956'])
    expect(() => new OAuth1Client({ clientId: 'x', clockOffset: Number.NaN })).toThrow(
      new TypeError('clockOffset must be a finite number of milliseconds'),
    )
  })
})

describe('a 200 carrying oauth_problem', () => {
  it('is never read as credentials', async () => {
    const { fetch } = answering(() =>
      formResponse('oauth_token=a&oauth_token_secret=b&oauth_problem=token_rejected'),
    )
    const err = await rejection(
      new OAuth1Client({ clientId: 'x', fetch, requireCallbackConfirmed: false }).fetchRequestToken(
        `${P}/rt`,
      ),
    )
    expect(err.code).toBe('invalid_token_response')
    expect(err.oauthProblem).toBe('token_rejected')
    expect(err.description).toBe(
      'The temporary-credential endpoint https://provider.test/rt answered 200 with oauth_problem=token_rejected, the provider refused the temporary credentials; start the login again',
    )
  })
})

describe('signing options reach the signature', () => {
  it('RSA-SHA1 with a PEM key, verified with the public key; realm is sent, not signed', async () => {
    const { generateKeyPairSync } = await import('node:crypto')
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    const { fetch, seen } = answering(() => new Response('ok'))
    const client = new OAuth1Client({
      clientId: 'ck',
      signatureMethod: 'RSA-SHA1',
      rsaKey: pem,
      realm: 'Photos',
      token: 't',
      tokenSecret: 'ignored',
      fetch,
    })
    await client.request('GET', `${P}/photos?file=vacation.jpg`)
    const { collectSignatureParameters, signatureBaseString } = await import('./base-string.js')
    const { verifySignature } = await import('./crypto/index.js')
    const header = seen[0]!.headers.get('authorization')!
    const pairs = parseAuthorizationHeader(header)!
    const params = Object.fromEntries(pairs)
    expect(params.realm).toBe('Photos')
    expect(params.oauth_signature_method).toBe('RSA-SHA1')
    const base = signatureBaseString(
      'GET',
      seen[0]!.url,
      collectSignatureParameters({ url: seen[0]!.url, authorization: pairs }),
    )
    expect(base).not.toContain('realm')
    expect(
      await verifySignature('RSA-SHA1', base, params.oauth_signature!, {
        rsaPublicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      }),
    ).toBe(true)
  })
})
