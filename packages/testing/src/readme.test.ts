/**
 * The README's examples, run as written: with @oauth1/core's OAuth1Client and
 * its registry, against the provider.
 */
import { OAuth, OAuth1Client, OAuthError } from '@oauth1/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestProvider, type TestProvider } from './index.js'

describe('README: use it in a vitest test', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await createTestProvider({ autoApprove: 'bob' }) // 127.0.0.1, a free port
  })
  afterAll(() => provider.close())

  it('logs in and reads the profile', async () => {
    const client = new OAuth1Client({
      clientId: provider.client.id, // 'demo-client'
      clientSecret: provider.client.secret, // 'demo-secret'
      redirectUri: 'http://localhost:3000/callback',
    })
    const temp = await client.fetchRequestToken(provider.requestTokenUrl)
    const authorize = client.createAuthorizationUrl(provider.authorizeUrl, temp.oauth_token)
    // autoApprove: the authorize URL redirects straight to the callback
    const res = await fetch(authorize, { redirect: 'manual' })
    const { oauth_verifier } = client.parseAuthorizationResponse(res.headers.get('location')!)
    const token = await client.fetchAccessToken(provider.accessTokenUrl, oauth_verifier)
    expect(token.screen_name).toBe('bob')

    const me = await client.request('GET', `${provider.apiBaseUrl}me`)
    expect(await me.json()).toMatchObject({ screen_name: 'bob' })

    // what did the client send?
    expect(provider.requests.map((r) => [r.endpoint, r.status])).toEqual([
      ['requestToken', 200],
      ['authorize', 302],
      ['accessToken', 200],
      ['api', 200],
    ])
  })

  it('the registry, with a relative API URL and every signature type', async () => {
    const oauth = new OAuth({ config: {} })
    for (const signatureType of ['header', 'query', 'body'] as const) {
      const app = oauth.register(`test_${signatureType}`, {
        clientId: provider.client.id,
        clientSecret: provider.client.secret,
        requestTokenUrl: provider.requestTokenUrl,
        authorizeUrl: provider.authorizeUrl,
        accessTokenUrl: provider.accessTokenUrl,
        apiBaseUrl: provider.apiBaseUrl,
        clientKwargs: { signatureType },
      })
      const token = provider.issueToken({ userId: 'carol' })
      const res = await app.post('echo?x=1', {
        token,
        body: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({
        query: { x: '1' },
        form: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
        oauthSource: signatureType,
        user: { screen_name: 'carol' },
      })
    }
  })

  it("the client's error handling sees the provider's refusals and quirks", async () => {
    const p = await createTestProvider({
      quirks: { callbackConfirmed: 'omit' },
    })
    try {
      const client = new OAuth1Client({ clientId: 'demo-client', clientSecret: 'wrong' })
      const err = await client.fetchRequestToken(p.requestTokenUrl).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(OAuthError)
      expect(err).toMatchObject({ code: 'fetch_token_denied', oauthProblem: 'signature_invalid' })
      const good = new OAuth1Client({ clientId: 'demo-client', clientSecret: 'demo-secret' })
      const unconfirmed = await good.fetchRequestToken(p.requestTokenUrl).catch((e: unknown) => e)
      expect(unconfirmed).toMatchObject({ code: 'callback_not_confirmed' })
      const lenient = new OAuth1Client({ clientId: 'demo-client', clientSecret: 'demo-secret' })
      const token = p.issueToken()
      lenient.token = token
      const me = await lenient.request('GET', `${p.apiBaseUrl}me`)
      expect(me.status).toBe(200)
    } finally {
      await p.close()
    }
  })
})

describe('README: emulations', () => {
  it('logs in to the Trello emulation and reads the member', async () => {
    const provider = await createTestProvider({ emulate: 'trello', autoApprove: 'bob' })
    try {
      const client = new OAuth1Client({
        clientId: provider.client.id,
        clientSecret: provider.client.secret,
        redirectUri: 'http://localhost:3000/callback',
      })
      const temp = await client.fetchRequestToken(provider.urls.requestTokenUrl!)
      const authorize = client.createAuthorizationUrl(
        provider.urls.authorizeUrl!,
        temp.oauth_token,
        { name: 'My App', scope: 'read,account', expiration: 'never' },
      )
      const res = await fetch(authorize, { redirect: 'manual' }) // autoApprove: straight to the callback
      client.parseAuthorizationResponse(res.headers.get('location')!)
      await client.fetchAccessToken(provider.urls.accessTokenUrl!)
      const me = await client.request('GET', provider.urls.userinfoEndpoint!)
      expect(await me.json()).toMatchObject({
        username: 'bob',
        fullName: 'Bob Builder',
        email: 'bob@example.test',
      })
    } finally {
      await provider.close()
    }
  })

  it('registers a preset-shaped app with the emulation’s urls spread over it', async () => {
    const provider = await createTestProvider({ emulate: 'trello' })
    try {
      const oauth = new OAuth({ config: {} })
      // what a preset returns, pointed at the emulation
      const preset = {
        requestTokenUrl: 'https://trello.com/1/OAuthGetRequestToken',
        authorizeUrl: 'https://trello.com/1/OAuthAuthorizeToken',
        accessTokenUrl: 'https://trello.com/1/OAuthGetAccessToken',
        apiBaseUrl: 'https://api.trello.com/1/',
      }
      const app = oauth.register('trello', {
        ...preset,
        ...provider.urls,
        clientId: provider.client.id,
        clientSecret: provider.client.secret,
      })
      const token = provider.issueToken({ grant: { scope: 'read' } })
      const res = await app.get('members/me', { token })
      expect(await res.json()).toMatchObject({ username: 'alice' })
    } finally {
      await provider.close()
    }
  })
})
