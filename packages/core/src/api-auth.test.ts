import { describe, expect, it } from 'vitest'
import { OAuth1Client } from './client.js'
import { OAuth } from './registry.js'
import type { Token } from './types.js'

/** A fetch that records each request and answers from `route`. */
function recorder(route: (req: Request) => Response = () => new Response('{}')) {
  const seen: Request[] = []
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init)
    seen.push(req)
    return route(req)
  }) as typeof globalThis.fetch
  return { fetch, seen }
}

const TOKEN: Token = { oauth_token: 'tok', oauth_token_secret: 'the-api-key', userID: '42' }

describe('OAuth1Client.request with authHeaders', () => {
  it('sends them instead of a signature, and only to the origin first asked', async () => {
    const { fetch, seen } = recorder((req) => {
      const url = new URL(req.url)
      if (url.pathname === '/a') return Response.redirect('https://api.example/b', 302)
      if (url.pathname === '/b') return Response.redirect('https://cdn.example/c', 302)
      return new Response('done')
    })
    const client = new OAuth1Client({ clientId: 'ck', clientSecret: 'cs', fetch })
    const res = await client.request('GET', 'https://api.example/a', {
      token: TOKEN,
      headers: { authorization: 'Bearer from-the-caller' },
      authHeaders: { 'Zotero-API-Key': 'the-api-key' },
    })
    expect(await res.text()).toBe('done')
    expect(
      seen.map((r) => [r.url, r.headers.get('zotero-api-key'), r.headers.get('authorization')]),
    ).toEqual([
      ['https://api.example/a', 'the-api-key', null],
      ['https://api.example/b', 'the-api-key', null],
      ['https://cdn.example/c', null, null],
    ])
  })

  it('refuses authHeaders that are not an object of header values, naming them', async () => {
    const client = new OAuth1Client({ clientId: 'ck', fetch: recorder().fetch })
    for (const bad of ['key', ['a', 'b'], { 'x-key': 'a\nb' }, { 'x-key': 1 }]) {
      await expect(
        client.request('GET', 'https://api.example/', { authHeaders: bad as never }),
      ).rejects.toThrow(/^authHeaders/)
    }
  })
})

describe('RemoteApp with apiAuth', () => {
  function setup(apiAuth?: unknown) {
    const { fetch, seen } = recorder((req) =>
      new URL(req.url).pathname === '/keys/current'
        ? Response.json({ userID: 42, username: 'jane', key: 'the-api-key' })
        : new Response('ok'),
    )
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('keyed', {
      clientId: 'ck',
      clientSecret: 'cs',
      apiBaseUrl: 'https://api.example/',
      userinfoEndpoint: 'https://api.example/keys/current',
      userinfo: async ({ json, endpoint }) => {
        const raw = (await json(endpoint as string)) as { userID: number }
        return { sub: String(raw.userID), raw }
      },
      fetch,
      ...(apiAuth === undefined ? {} : { apiAuth: apiAuth as never }),
    })
    return { app, seen }
  }
  const keyHeader = (token: Token) => ({ 'Zotero-API-Key': token.oauth_token_secret ?? '' })

  it('authenticates calls with the user token by its headers, unsigned, userinfo() too', async () => {
    const { app, seen } = setup(keyHeader)
    await app.get('users/42/items', { token: TOKEN })
    expect((await app.userinfo({ token: TOKEN })).sub).toBe('42')
    for (const req of seen) {
      expect(req.headers.get('zotero-api-key')).toBe('the-api-key')
      expect(req.headers.get('authorization')).toBeNull()
      expect(new URL(req.url).searchParams.has('oauth_signature')).toBe(false)
    }
    expect(seen.map((r) => new URL(r.url).pathname)).toEqual(['/users/42/items', '/keys/current'])
  })

  it('still signs a call without a token with the client credentials; without apiAuth every call is signed', async () => {
    const keyed = setup(keyHeader)
    await keyed.app.get('public', { withholdToken: true })
    expect(keyed.seen[0]?.headers.get('authorization')).toMatch(/^OAuth /)
    expect(keyed.seen[0]?.headers.has('zotero-api-key')).toBe(false)
    const plain = setup()
    await plain.app.get('users/42/items', { token: TOKEN })
    expect(plain.seen[0]?.headers.get('authorization')).toMatch(/oauth_token="tok"/)
  })

  it('refuses an apiAuth that is not a function at register(), and a result that is not headers at the call', async () => {
    expect(() => setup('Zotero-API-Key')).toThrow(new TypeError('apiAuth must be a function'))
    const { app } = setup(() => null)
    await expect(app.get('x', { token: TOKEN })).rejects.toThrow(
      new TypeError('apiAuth() of keyed must return an object of header values'),
    )
    const bad = setup(() => ({ 'x-key': 'a\r\nb' }))
    await expect(bad.app.get('x', { token: TOKEN })).rejects.toThrow(/^authHeaders\.x-key/)
  })
})
