/**
 * The lower bound of the peer range, Hono 4.6.0 (installed as `hono46`): its
 * default error handler returns `err.getResponse()` as is (without the
 * context's headers), and its `c.header()` edits a finalized response in
 * place. The login, the error statuses and the cookie must still work.
 */
import { createTestProvider, type TestProvider } from '@oauth1/testing'
import { Hono } from 'hono46'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar, SECRET } from './http.test-helper.js'
import { OAuth, type Token } from './index.js'

const CLEARED = 'oauth1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax'

describe('on Hono 4.6.0', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await createTestProvider({ autoApprove: true })
  })
  afterAll(() => provider.close())

  function build() {
    const tokens = new Map<string, Token>()
    const oauth = new OAuth({ config: {}, fetchToken: () => tokens.get('me') })
    oauth.register('provider', {
      clientId: provider.client.id,
      clientSecret: provider.client.secret,
      requestTokenUrl: provider.requestTokenUrl,
      accessTokenUrl: provider.accessTokenUrl,
      authorizeUrl: provider.authorizeUrl,
      apiBaseUrl: provider.apiBaseUrl,
    })
    const app = new Hono()
    app.use(oauth.middleware({ secret: SECRET }) as never)
    app.get('/login', (c) => oauth.provider.authorizeRedirect(c as never, '/authorize'))
    app.get('/authorize', async (c) => {
      tokens.set('me', await oauth.provider.authorizeAccessToken(c as never))
      return Response.redirect('http://localhost/me', 302) // immutable headers
    })
    app.get('/me', async (c) => c.json(await (await oauth.provider.get('me')).json()))
    return { app, tokens }
  }

  async function login(app: Hono, jar: CookieJar): Promise<string> {
    const res = jar.apply(await app.request('http://localhost/login', { headers: jar.headers() }))
    expect(res.status).toBe(302)
    expect(res.headers.getSetCookie().filter((h) => h.startsWith('oauth1='))).toHaveLength(1)
    const consent = await fetch(res.headers.get('location') as string, { redirect: 'manual' })
    return consent.headers.get('location') as string
  }

  it('logs in, clears the cookie on an immutable Response.redirect, and finds the token later', async () => {
    const { app } = build()
    const jar = new CookieJar()
    const callback = await login(app, jar)
    const done = jar.apply(await app.request(callback, { headers: jar.headers() }))
    expect(done.status).toBe(302)
    expect(done.headers.getSetCookie()).toEqual([CLEARED])
    const me = await app.request('http://localhost/me', { headers: jar.headers() })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ id: '1001' })
  })

  it('answers OAuthErrors as their status through the default handler, with the cookie update', async () => {
    const { app } = build()
    const jar = new CookieJar()
    const callback = new URL(await login(app, jar))
    callback.searchParams.set('oauth_verifier', 'wrong')
    const failed = jar.apply(await app.request(callback.href, { headers: jar.headers() }))
    expect(failed.status).toBe(502)
    expect(await failed.json()).toMatchObject({ error: 'fetch_token_denied' })
    expect(failed.headers.getSetCookie()).toEqual([CLEARED])

    const replay = await app.request(callback.href, { headers: jar.headers() })
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ error: 'missing_temporary_credential' })
    const refused = await app.request('http://localhost/authorize?denied=abc', {
      headers: jar.headers(),
    })
    expect(refused.status).toBe(403)
    const noToken = await app.request('http://localhost/me')
    expect(noToken.status).toBe(401)
  })
})
