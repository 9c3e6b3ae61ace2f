/**
 * API calls (`OAuth1Client.request`, the registry's `userinfo()`) against
 * answers and inputs built to break them, from an outside audit: each case
 * failed before its fix (a secret echoed into an error, a hang, a crash, a
 * body sent as "[object Object]", an identity from another origin).
 */
import { describe, expect, it } from 'vitest'
import { OAuth1Client } from './client.js'
import { OAuthError } from './errors.js'
import { OAuth } from './registry.js'

const API = 'https://api.example'
const CREDENTIALS = {
  clientId: 'ck',
  clientSecret: 'client-secret',
  token: 'token-value',
  tokenSecret: 'token-secret',
}

/** A fetch that records each request's URL and answers with `answer(url)`. */
function recording(answer: (url: URL) => unknown) {
  const urls: string[] = []
  const fetch = async (input: RequestInfo | URL) => {
    const url = new URL(String(input))
    urls.push(url.href)
    return answer(url)
  }
  return { fetch: fetch as unknown as typeof globalThis.fetch, urls }
}

const redirectTo = (location: string, status = 302) =>
  new Response('moved', { status, headers: { location } })

describe('redirects an API call does not follow', () => {
  it.each(['query', 'header'] as const)(
    'a Location with a user name and password, on the same origin (%s signing): the redirect is the answer',
    async (signatureType) => {
      const { fetch, urls } = recording((url) =>
        url.pathname === '/a' ? redirectTo(`https://user:pw@api.example/b`) : new Response('b'),
      )
      const client = new OAuth1Client({
        ...CREDENTIALS,
        signatureMethod: 'PLAINTEXT',
        signatureType,
        fetch,
      })
      const response = await client.request('GET', `${API}/a`)
      expect(response.status).toBe(302)
      expect(await response.text()).toBe('moved')
      expect(urls).toHaveLength(1)
    },
  )

  it('a Location that carries a parameter the signature adds: the redirect is the answer, its body intact', async () => {
    for (const location of ['/login?oauth_token=abc', '/x?oauth_nonce=1', '/y?oauth_signature=s']) {
      const { fetch, urls } = recording((url) =>
        url.pathname === '/x' && url.search === '' ? redirectTo(location) : new Response('next'),
      )
      const client = new OAuth1Client({ ...CREDENTIALS, fetch })
      const response = await client.request('GET', `${API}/x`)
      expect(response.status, location).toBe(302)
      expect(await response.text()).toBe('moved')
      expect(urls).toHaveLength(1)
    }
  })

  it('a redirect whose body never lets go is dropped within the timeout', async () => {
    const fetch = async (input: RequestInfo | URL) =>
      String(input).includes('/x')
        ? new Response(new ReadableStream({ cancel: () => new Promise<void>(() => {}) }), {
            status: 302,
            headers: { location: '/y' },
          })
        : new Response('y')
    const client = new OAuth1Client({ ...CREDENTIALS, fetch, timeout: 100 })
    const started = Date.now()
    const err = await client.request('GET', `${API}/x`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OAuthError)
    expect((err as OAuthError).code).toBe('request_timeout')
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('a UTF-8 Location is followed to the URL it names, as fetch reads it', async () => {
    // Headers hold a header's bytes one character each: a redirect to /ü arrives as "/Ã¼".
    const raw = (text: string) => String.fromCharCode(...new TextEncoder().encode(text))
    const { fetch, urls } = recording((url) =>
      url.pathname === '/x' ? redirectTo(raw('/ü/日本')) : new Response('ok'),
    )
    await new OAuth1Client({ ...CREDENTIALS, fetch }).request('GET', `${API}/x`)
    expect(new URL(urls[1] as string).pathname).toBe('/%C3%BC/%E6%97%A5%E6%9C%AC')
  })
})

describe('a fetch of your own that resolves to something else than a Response', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    ['text', 'a string'],
    [{}, 'an object without a status and headers'],
    [{ status: 302 }, 'an object without a status and headers'],
    [[], 'an array'],
  ])('%j: a TypeError naming it', async (value, kind) => {
    const client = new OAuth1Client({ ...CREDENTIALS, fetch: (async () => value) as never })
    await expect(client.request('GET', `${API}/x`)).rejects.toThrow(
      new TypeError(`fetch resolved to ${kind}, not a Response`),
    )
  })
})

describe('bodies an API call does not send as their String()', () => {
  class Status {
    status = 'hello'
  }
  it.each([
    ['a class instance', new Status()],
    ['a Map', new Map([['status', 'hello']])],
    ['an object with a prototype of its own', Object.create({ inherited: true })],
    ['a promise', Promise.resolve('hello')],
    ['an array', ['hello']],
    ['a number', 42],
  ])('%s: a TypeError before anything is sent', async (_kind, body) => {
    const { fetch, urls } = recording(() => new Response('ok'))
    const client = new OAuth1Client({ ...CREDENTIALS, fetch })
    await expect(client.request('POST', `${API}/x`, { body: body as never })).rejects.toThrow(
      new TypeError(
        'body must be a string, URLSearchParams, bytes, Blob, FormData, ReadableStream or an object of strings',
      ),
    )
    expect(urls).toEqual([])
  })

  it('a stream body that fails: a TypeError naming the body, the failure as cause', async () => {
    const { fetch, urls } = recording(() => new Response('ok'))
    const client = new OAuth1Client({ ...CREDENTIALS, fetch })
    const reason = new Error('disk gone')
    const err = await client
      .request('POST', `${API}/x`, {
        body: new ReadableStream({
          pull(controller) {
            controller.error(reason)
          },
        }),
      })
      .catch((e: unknown) => e)
    expect(err).toEqual(new TypeError('body could not be read: its stream failed'))
    expect((err as TypeError).cause).toBe(reason)
    expect(urls).toEqual([])
  })
})

describe("userinfo(): the user's identity comes from the provider's origin", () => {
  const register = (answer: (url: URL) => unknown) => {
    const { fetch, urls } = recording(answer)
    const app = new OAuth({ config: {} }).register('p', {
      clientId: 'ck',
      clientSecret: 'cs',
      userinfoEndpoint: `${API}/me`,
      fetch,
      userinfo: async (ctx) => {
        const body = (await ctx.json(`${API}/me`)) as { id: string }
        return { sub: body.id, raw: body }
      },
    })
    return { app, urls }
  }
  const token = { oauth_token: 't', oauth_token_secret: 's' }

  it('a redirect to another origin is not followed: request_failed, the other origin never asked', async () => {
    const { app, urls } = register((url) =>
      url.origin === API ? redirectTo('https://evil.example/me') : Response.json({ id: 'evil' }),
    )
    const err = await app.userinfo({ token }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OAuthError)
    expect((err as OAuthError).code).toBe('request_failed')
    expect(urls.every((u) => u.startsWith(API))).toBe(true)
  })

  it('a redirect on the same origin is followed, signed again', async () => {
    const { app, urls } = register((url) =>
      url.pathname === '/me' ? redirectTo('/v2/me') : Response.json({ id: 'jane' }),
    )
    expect((await app.userinfo({ token })).sub).toBe('jane')
    expect(urls.map((u) => new URL(u).pathname)).toEqual(['/me', '/v2/me'])
  })
})
