import { OAuth, OAuthError } from '@oauth1/core'
import { trello } from '@oauth1/providers'
import { createTestProvider, type TestProvider } from '@oauth1/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { providerRegistration, testProviderUserinfo, tokenProfile } from './registration.ts'

describe('providerRegistration', () => {
  const credentials = { clientId: 'id', clientSecret: 'secret' }

  it('without a preset: the four URLs, the profile endpoint and the test provider userinfo', () => {
    expect(
      providerRegistration({
        ...credentials,
        requestTokenUrl: 'http://127.0.0.1:4000/oauth/request_token',
        authorizeUrl: 'http://127.0.0.1:4000/oauth/authorize',
        accessTokenUrl: 'http://127.0.0.1:4000/oauth/access_token',
        apiBaseUrl: 'http://127.0.0.1:4000/api/',
      }),
    ).toEqual({
      ...credentials,
      requestTokenUrl: 'http://127.0.0.1:4000/oauth/request_token',
      authorizeUrl: 'http://127.0.0.1:4000/oauth/authorize',
      accessTokenUrl: 'http://127.0.0.1:4000/oauth/access_token',
      apiBaseUrl: 'http://127.0.0.1:4000/api/',
      userinfoEndpoint: 'http://127.0.0.1:4000/api/me',
      userinfo: testProviderUserinfo,
    })
    expect(() =>
      providerRegistration({ ...credentials, authorizeUrl: 'http://127.0.0.1/a' }),
    ).toThrow(new TypeError('requestTokenUrl is required without a preset (PROVIDER_PRESET)'))
  })

  it('with a preset: its options, the URLs set over them, and the credentials', () => {
    const registration = providerRegistration({
      ...credentials,
      preset: { name: 'trello', options: { name: 'My App' } },
      authorizeUrl: 'http://127.0.0.1:4000/1/OAuthAuthorizeToken',
    })
    expect(registration).toEqual({
      ...trello({ name: 'My App' }),
      authorizeUrl: 'http://127.0.0.1:4000/1/OAuthAuthorizeToken',
      ...credentials,
    })
    expect(registration.userinfo).toBeTypeOf('function')
  })

  it("names the variable in the preset's refusal", () => {
    expect(() =>
      providerRegistration({
        ...credentials,
        preset: { name: 'trello', options: { expiration: 'soon' } },
      }),
    ).toThrow(/^PROVIDER_PRESET_EXPIRATION: trello\(\): expiration must be one of/)
  })
})

describe('testProviderUserinfo (the local provider through userinfo())', () => {
  let provider: TestProvider
  beforeAll(async () => {
    provider = await createTestProvider()
  })
  afterAll(async () => {
    await provider?.close()
  })

  function register(userinfoEndpoint?: string) {
    const oauth = new OAuth({ config: {} })
    return oauth.register('local', {
      ...providerRegistration({
        clientId: provider.client.id,
        clientSecret: provider.client.secret,
        requestTokenUrl: provider.requestTokenUrl,
        authorizeUrl: provider.authorizeUrl,
        accessTokenUrl: provider.accessTokenUrl,
        apiBaseUrl: provider.apiBaseUrl,
        ...(userinfoEndpoint ? { userinfoEndpoint } : {}),
      }),
    })
  }

  it('reads /api/me as OpenID Connect claims', async () => {
    const token = provider.issueToken({ userId: '1002' })
    const info = await register().userinfo({ token })
    expect(info).toEqual({
      sub: '1002',
      name: 'Bob Builder',
      preferred_username: 'bob',
      email: 'bob@example.test',
      raw: expect.objectContaining({ id: '1002', screen_name: 'bob', name: 'Bob Builder' }),
    })
    expect(provider.requests.at(-1)).toMatchObject({ method: 'GET', url: '/api/me', ok: true })
  })

  it.each([
    ['an error status', 'me', /HTTP 401|401/],
    ['no profile (the echo)', 'echo', /without an id and a screen name/],
  ])('refuses %s with OAuthError request_failed (502)', async (_, path, description) => {
    const token =
      path === 'me' ? { oauth_token: 'revoked', oauth_token_secret: 'x' } : provider.issueToken()
    const err = await register(`${provider.apiBaseUrl}${path}`)
      .userinfo({ token })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OAuthError)
    expect(err).toMatchObject({ code: 'request_failed', status: 502 })
    expect((err as OAuthError).description).toMatch(description)
  })

  it('refuses a JSON answer that is not an object', async () => {
    const ctx = {
      endpoint: 'http://x/me',
      json: async () => ['not', 'a', 'profile'],
    } as unknown as Parameters<typeof testProviderUserinfo>[0]
    await expect(testProviderUserinfo(ctx)).rejects.toMatchObject({
      code: 'request_failed',
      description: 'The profile endpoint did not answer with a JSON object.',
    })
    const numeric = { ...ctx, json: async () => ({ id: 7, username: 'seven' }) }
    await expect(testProviderUserinfo(numeric)).resolves.toMatchObject({
      sub: '7',
      preferred_username: 'seven',
    })
  })
})

describe('tokenProfile', () => {
  it('knows the user by a digest of the token, shows its fields, never its secret', () => {
    const token = {
      oauth_token: 'abcdef0123456789',
      oauth_token_secret: 'the-secret',
      company: '1234567_SB1',
    }
    const profile = tokenProfile(token)
    expect(profile).toEqual({
      sub: expect.stringMatching(/^token:[0-9a-f]{16}$/),
      raw: { oauth_token: 'abcd…', company: '1234567_SB1' },
      source: 'token',
    })
    expect(JSON.stringify(profile)).not.toContain('the-secret')
    expect(JSON.stringify(profile)).not.toContain('abcdef0123456789')
    expect(tokenProfile({ ...token, company: 'x' }).sub).toBe(profile.sub)
    expect(tokenProfile({ ...token, oauth_token: 'other' }).sub).not.toBe(profile.sub)
  })
})
