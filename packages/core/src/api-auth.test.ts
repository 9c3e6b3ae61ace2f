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

describe('credentials in the clear go only to the origins the registration names', () => {
  const keyHeader = (token: Token) => ({ 'Zotero-API-Key': token.oauth_token_secret ?? '' })
  function register(options: Record<string, unknown>) {
    const { fetch, seen } = recorder()
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('app', {
      clientId: 'ck',
      clientSecret: 'the-client-secret',
      requestTokenUrl: 'https://auth.example/oauth/request_token',
      accessTokenUrl: 'https://auth.example/oauth/access_token',
      authorizeUrl: 'https://www.example/authorize',
      apiBaseUrl: 'https://api.example/v1/',
      fetch,
      ...options,
    })
    return { app, seen }
  }

  it("refuses apiAuth headers to another origin, before anything is sent; the API's and the registration's origins are fine", async () => {
    const { app, seen } = register({ apiAuth: keyHeader })
    const refused = app.get('https://evil.example/x', { token: TOKEN })
    await expect(refused).rejects.toThrow(TypeError)
    await expect(refused).rejects.toThrow(
      "app would send its apiAuth headers (the user's API credentials) to https://evil.example, which none of its registered URLs names (https://auth.example, https://www.example, https://api.example): call a URL there, or register that API as an app of its own with its apiBaseUrl",
    )
    expect(seen).toEqual([])
    await app.get('https://api.example/elsewhere', { token: TOKEN })
    await app.get('https://auth.example/x', { token: TOKEN })
    expect(seen.map((r) => [r.url, r.headers.get('zotero-api-key')])).toEqual([
      ['https://api.example/elsewhere', 'the-api-key'],
      ['https://auth.example/x', 'the-api-key'],
    ])
    // Without the token there are no apiAuth headers: an HMAC-signed call goes anywhere.
    await app.get('https://evil.example/x', { withholdToken: true })
    expect(seen[2]?.headers.get('authorization')).toMatch(/^OAuth /)
  })

  it('refuses a PLAINTEXT signature to another origin (its secrets are in the clear), with or without the token', async () => {
    const { app, seen } = register({ clientKwargs: { signatureMethod: 'PLAINTEXT' } })
    for (const init of [{ token: TOKEN }, { withholdToken: true }]) {
      await expect(app.post('https://upload.example/x', init)).rejects.toThrow(
        /^app would send a PLAINTEXT signature \(the client and token secrets in the clear\) to https:\/\/upload\.example, /,
      )
    }
    expect(seen).toEqual([])
    await app.get('photos', { token: TOKEN })
    expect(seen[0]?.headers.get('authorization')).toMatch(
      /oauth_signature="the-client-secret%26the-api-key"/,
    )
  })

  it('lets an HMAC-SHA1 signature go to any origin (it is bound to its URL and carries no secret)', async () => {
    const { app, seen } = register({})
    await app.post('https://upload.example/x', { token: TOKEN })
    expect(seen.map((r) => r.url)).toEqual(['https://upload.example/x'])
    expect(seen[0]?.headers.get('authorization')).toMatch(/oauth_signature_method="HMAC-SHA1"/)
  })

  it("checks userinfo()'s requests too", async () => {
    const { app, seen } = register({
      apiAuth: keyHeader,
      userinfo: async ({ json }: { json: (url: string) => Promise<unknown> }) => {
        await json('https://profile.elsewhere.example/me')
        return { sub: '1', raw: {} }
      },
    })
    await expect(app.userinfo({ token: TOKEN })).rejects.toThrow(
      /^app would send its apiAuth headers .* to https:\/\/profile\.elsewhere\.example, /,
    )
    expect(seen).toEqual([])
  })
})
