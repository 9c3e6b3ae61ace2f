/**
 * MediaWiki's identify: real HS256 JWTs built here with the consumer secret,
 * and each check of the normaliser proven by a token that fails only it.
 */
import { createHmac } from 'node:crypto'
import { isOAuthError } from '@oauth1/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeContext, type RecordedRequest, TOKEN } from './fake-context.test-helper.js'
import { mediawiki } from './index.js'
import type { UserinfoContext } from './types.js'

const CLIENT_ID = 'b5f5e1b1a2c3d4e5f6a7b8c9d0e1f2a3'
const CLIENT_SECRET = '0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d'
const NOW = 1_790_000_000 // seconds; the clock is fixed for every test

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

function jwt(
  claims: Record<string, unknown>,
  { secret = CLIENT_SECRET, header = { typ: 'JWT', alg: 'HS256' } as object } = {},
): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  const signature = createHmac('sha256', secret).update(signingInput).digest()
  return `${signingInput}.${b64url(signature)}`
}

function claimsFor(request: RecordedRequest, origin: string): Record<string, unknown> {
  return {
    iss: origin,
    sub: 51241,
    aud: CLIENT_ID,
    exp: NOW + 100,
    iat: NOW,
    nonce: request.nonce,
    username: 'Example User',
    editcount: 1234,
    confirmed_email: true,
    blocked: false,
    registered: '20140101000000',
    groups: ['*', 'user', 'autoconfirmed'],
    rights: ['read', 'edit'],
    email: 'example@example.org',
  }
}

type Tamper = (claims: Record<string, unknown>, request: RecordedRequest) => string

const preset = mediawiki()
const endpoint = 'https://meta.wikimedia.org/w/index.php?title=Special:OAuth/identify'

function context(body: Tamper | string, init: ResponseInit = {}, url = endpoint) {
  const origin = new URL(url).origin
  return fakeContext({
    endpoint: url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    routes: {
      [`POST ${url}`]: (request) =>
        new Response(typeof body === 'string' ? body : body(claimsFor(request, origin), request), {
          status: 200,
          ...init,
        }),
    },
  })
}

const identify = (ctx: UserinfoContext, options = preset) => {
  const userinfo = options.userinfo
  if (userinfo === undefined) throw new Error('no userinfo')
  return Promise.resolve(userinfo(ctx))
}

async function refusal(ctx: UserinfoContext, options = preset) {
  const error = await identify(ctx, options).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isOAuthError(error)).toBe(true)
  const e = error as { code: string; status: number; description: string }
  expect(e.code).toBe('request_failed')
  expect(e.status).toBe(502)
  return e.description
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(NOW * 1000)
})
afterEach(() => {
  vi.useRealTimers()
})

describe('mediawiki userinfo', () => {
  it('POSTs identify with a fresh 32-hex nonce and maps the verified claims', async () => {
    const ctx = context((claims) => jwt(claims))
    const info = await identify(ctx)
    expect(info).toStrictEqual({
      sub: '51241',
      preferred_username: 'Example User',
      email: 'example@example.org',
      email_verified: true,
      profile: 'https://meta.wikimedia.org/wiki/User:Example_User',
      raw: expect.objectContaining({ sub: 51241, username: 'Example User', editcount: 1234 }),
    })
    expect(ctx.requests).toHaveLength(1)
    const [request] = ctx.requests
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe(endpoint)
    expect(request?.nonce).toMatch(/^[0-9a-f]{32}$/)

    const again = context((claims) => jwt(claims))
    await identify(again)
    expect(again.requests[0]?.nonce).not.toBe(request?.nonce)
  })

  it('the nonce comes from crypto.getRandomValues', async () => {
    const spy = vi.spyOn(crypto, 'getRandomValues')
    try {
      const ctx = context((claims) => jwt(claims))
      await identify(ctx)
      expect(spy).toHaveBeenCalled()
    } finally {
      spy.mockRestore()
    }
  })

  it('accepts iat within the leeway either way, and aud as an array', async () => {
    expect((await identify(context((c) => jwt({ ...c, iat: NOW - 300 })))).sub).toBe('51241')
    expect((await identify(context((c) => jwt({ ...c, iat: NOW + 300 })))).sub).toBe('51241')
    expect((await identify(context((c) => jwt({ ...c, aud: ['x', CLIENT_ID] })))).sub).toBe('51241')
  })

  it('an emulation (or another wiki) is checked against its own host', async () => {
    const local = 'http://127.0.0.1:41234/w/index.php?title=Special:OAuth/identify'
    const options = mediawiki({ indexUrl: 'http://127.0.0.1:41234/w/index.php' })
    expect(options.userinfoEndpoint).toBe(local)
    const info = await identify(
      context((c) => jwt(c), {}, local),
      options,
    )
    expect(info.profile).toBe('http://127.0.0.1:41234/wiki/User:Example_User')
  })

  it('a wiki without the /w/ layout: the profile is an index.php?title= page', async () => {
    const local = 'https://wiki.example.org/index.php?title=Special:OAuth/identify'
    const options = mediawiki({ indexUrl: 'https://wiki.example.org/index.php' })
    const info = await identify(
      context((c) => jwt(c), {}, local),
      options,
    )
    expect(info.profile).toBe('https://wiki.example.org/index.php?title=User:Example_User')
  })

  it('a protocol-relative iss ($wgCanonicalServer) is compared by host', async () => {
    const info = await identify(context((c) => jwt({ ...c, iss: '//meta.wikimedia.org' })))
    expect(info.sub).toBe('51241')
  })

  const refusals: [string, Tamper, string][] = [
    [
      'a signature made with another secret',
      (c) => jwt(c, { secret: `${CLIENT_SECRET}x` }),
      'the JWT signature does not verify',
    ],
    [
      'a payload changed after signing',
      (c) => {
        const [h, , s] = jwt(c).split('.')
        return `${h}.${b64url(JSON.stringify({ ...c, sub: 1 }))}.${s}`
      },
      'the JWT signature does not verify',
    ],
    [
      'alg none',
      (c) => `${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(c))}.`,
      'the JWT is signed with "none", not HS256',
    ],
    [
      'alg HS512',
      (c) => jwt(c, { header: { alg: 'HS512' } }),
      'the JWT is signed with "HS512", not HS256',
    ],
    [
      'an empty signature',
      (c) => `${jwt(c).split('.').slice(0, 2).join('.')}.`,
      'the JWT signature is not base64url',
    ],
    [
      'two segments',
      (c) => jwt(c).split('.').slice(0, 2).join('.'),
      'the identify response is not a JWT',
    ],
    [
      'a header that is not JSON',
      (c) => `${b64url('nope')}.${jwt(c).split('.').slice(1).join('.')}`,
      'the JWT header is not JSON',
    ],
    [
      'a signed payload that is not an object',
      () => {
        const input = `${b64url('{"alg":"HS256"}')}.${b64url('[1]')}`
        return `${input}.${b64url(createHmac('sha256', CLIENT_SECRET).update(input).digest())}`
      },
      'the JWT payload is not a JSON object',
    ],
    [
      'another consumer key as aud',
      (c) => jwt({ ...c, aud: 'someone-else' }),
      'the JWT aud is not this consumer key',
    ],
    ['no aud', (c) => jwt({ ...c, aud: undefined }), 'the JWT aud is not this consumer key'],
    [
      'another wiki as iss',
      (c) => jwt({ ...c, iss: 'https://en.wikipedia.org' }),
      'the JWT iss is not meta.wikimedia.org',
    ],
    [
      'iss on another port',
      (c) => jwt({ ...c, iss: 'https://meta.wikimedia.org:8443' }),
      'the JWT iss is not meta.wikimedia.org',
    ],
    ['no iss', (c) => jwt({ ...c, iss: undefined }), 'the JWT iss is not meta.wikimedia.org'],
    [
      'a stale iat',
      (c) => jwt({ ...c, iat: NOW - 301 }),
      'the JWT iat is more than 300 seconds from now',
    ],
    [
      'an iat in the future',
      (c) => jwt({ ...c, iat: NOW + 301 }),
      'the JWT iat is more than 300 seconds from now',
    ],
    ['iat as a string', (c) => jwt({ ...c, iat: String(NOW) }), 'the JWT has no iat'],
    ['an expired token', (c) => jwt({ ...c, exp: NOW - 301 }), 'the JWT has expired'],
    ['exp as a string', (c) => jwt({ ...c, exp: 'soon' }), 'the JWT exp is not a number'],
    [
      'another nonce',
      (c) => jwt({ ...c, nonce: '0'.repeat(32) }),
      'the JWT nonce is not the one sent',
    ],
    ['no nonce', (c) => jwt({ ...c, nonce: undefined }), 'the JWT nonce is not the one sent'],
  ]

  it.each(refusals)('refuses %s', async (_, tamper, reason) => {
    expect(await refusal(context(tamper))).toBe(`mediawiki userinfo: ${reason}`)
  })

  it('refuses an Error: body (HTTP 200) and keeps the provider response', async () => {
    const ctx = context('Error: mwoauth-invalid-authorization-invalid-user\nmore')
    const error = await identify(ctx).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'request_failed',
      description:
        'mediawiki userinfo: the wiki refused: Error: mwoauth-invalid-authorization-invalid-user',
      response: { status: 200, body: 'Error: mwoauth-invalid-authorization-invalid-user\nmore' },
    })
  })

  it('refuses a non-2xx answer', async () => {
    expect(await refusal(context((c) => jwt(c), { status: 503 }))).toBe(
      'mediawiki userinfo: identify answered HTTP 503',
    )
  })

  it('a valid JWT without sub is request_failed', async () => {
    const description = await refusal(context((c) => jwt({ ...c, sub: undefined })))
    expect(description).toBe("mediawiki userinfo: the provider's answer does not identify the user")
  })

  it('the leeway option widens or narrows the iat window', async () => {
    const wide = mediawiki({ leeway: 600 })
    expect(
      (
        await identify(
          context((c) => jwt({ ...c, iat: NOW - 599 })),
          wide,
        )
      ).sub,
    ).toBe('51241')
    const strict = mediawiki({ leeway: 0 })
    expect(
      await refusal(
        context((c) => jwt({ ...c, iat: NOW - 1 })),
        strict,
      ),
    ).toBe('mediawiki userinfo: the JWT iat is more than 0 seconds from now')
  })

  it('without the consumer secret, a TypeError (nothing is sent)', async () => {
    const ctx = fakeContext({ endpoint, clientId: CLIENT_ID, clientSecret: '' })
    await expect(identify(ctx)).rejects.toThrow(
      new TypeError(
        'mediawiki userinfo: the identify JWT is verified with the consumer secret, and clientSecret is empty',
      ),
    )
    expect(ctx.requests).toEqual([])
  })

  it('raw holds the claims but never the token', async () => {
    const info = await identify(context((c) => jwt({ ...c, leak: TOKEN.oauth_token_secret })))
    expect(JSON.stringify(info)).not.toContain(TOKEN.oauth_token_secret)
    expect(info.raw).toMatchObject({ editcount: 1234, groups: ['*', 'user', 'autoconfirmed'] })
  })
})
