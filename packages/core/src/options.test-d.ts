// What users pass to the optional options: values typed `T | undefined` (an environment
// variable, a session field). The runtime reads `undefined` as "not given"
// (undefined-options.test.ts), so under `exactOptionalPropertyTypes` (the repo's and many users' setting)
// the types take it too; and what is not an option value still does not compile.
import { describe, expectTypeOf, it } from 'vitest'
import {
  createMemoryServerStore,
  createMemoryStore,
  createSealer,
  createSessionRecordStore,
  OAuth,
  OAuth1Client,
  type OAuth1ClientOptions,
  type OAuth1RequestInit,
  OAuthError,
  type RemoteAppRequestInit,
  type SignableRequest,
  type SigningCredentials,
  type SignOptions,
  signRequest,
  type Token,
} from './index.js'

declare const env: Record<string, string | undefined>
declare const sessionToken: Token | undefined

describe('optional options take undefined', () => {
  it('OAuth1Client options, from environment variables', () => {
    const client = new OAuth1Client({
      clientId: 'ck',
      clientSecret: env.SECRET,
      token: env.TOKEN,
      tokenSecret: env.TOKEN_SECRET,
      redirectUri: env.CALLBACK,
      realm: env.REALM,
      userAgent: env.USER_AGENT,
    })
    expectTypeOf(client.redirectUri).toEqualTypeOf<string | undefined>()
    expectTypeOf<{ timeout: number | undefined }>().toExtend<Partial<OAuth1ClientOptions>>()
  })

  it('a request with the session’s token, which may be missing', () => {
    const client = new OAuth1Client({ clientId: 'ck' })
    void client.request('GET', 'https://api.example/1/me', { token: sessionToken })
    const app = new OAuth().register('x', { clientId: 'ck' })
    void app.get('me', { token: sessionToken, headers: undefined })
    expectTypeOf<{ request: undefined }>().toExtend<RemoteAppRequestInit<{ id: string }>>()
    expectTypeOf<{ signal: AbortSignal | undefined }>().toExtend<OAuth1RequestInit>()
  })

  it('signRequest, with a secret from the environment', () => {
    void signRequest(
      { method: 'GET', url: 'https://api.example/1/me', body: undefined },
      { clientId: 'ck', clientSecret: env.SECRET, token: env.TOKEN, tokenSecret: env.TS },
      { nonce: undefined, timestamp: undefined },
    )
    expectTypeOf<{ method: string; url: string; headers: undefined }>().toExtend<SignableRequest>()
    expectTypeOf<{ clockOffset: number | undefined }>().toExtend<SignOptions>()
    expectTypeOf<{ clientId: string; realm: string | undefined }>().toExtend<SigningCredentials>()
  })
})

describe('what is not an option value still does not compile', () => {
  it('refuses a token without its secret, a signature method or type of no one, a null secret', () => {
    const client = new OAuth1Client({ clientId: 'ck' })
    // @ts-expect-error a token without oauth_token_secret
    void client.request('GET', 'https://api.example/', { token: { oauth_token: 't' } })
    const app = new OAuth().register('x', { clientId: 'ck' })
    // @ts-expect-error a token without oauth_token_secret
    void app.get('me', { token: { oauth_token: 't' } })
    // @ts-expect-error not a signature method
    new OAuth1Client({ clientId: 'ck', signatureMethod: 'HMAC-SHA3' })
    // @ts-expect-error signature methods are upper case, as RFC 5849 names them
    new OAuth1Client({ clientId: 'ck', signatureMethod: 'hmac-sha1' })
    // @ts-expect-error not a signature type
    new OAuth1Client({ clientId: 'ck', signatureType: 'cookie' })
    void signRequest(
      { method: 'GET', url: 'https://e.example/' },
      // @ts-expect-error null is not undefined: a secret is a string or absent
      { clientId: 'ck', clientSecret: null },
    )
    // @ts-expect-error the clientId may not be undefined
    new OAuth1Client({ clientId: env.ID })
  })
})

describe('OAuth1Client: the legs take their params as a record or a URLSearchParams', () => {
  it('types both, and nothing else', () => {
    const client = new OAuth1Client({ clientId: 'x' })
    const search = new URLSearchParams({ a: '1' })
    expectTypeOf(client.fetchRequestToken).toBeCallableWith('https://p.example/rt', search)
    expectTypeOf(client.fetchRequestToken).toBeCallableWith('https://p.example/rt', { a: '1' })
    expectTypeOf(client.createAuthorizationUrl).toBeCallableWith('https://p.example/a', 't', search)
    expectTypeOf(client.fetchAccessToken).toBeCallableWith('https://p.example/at', 'v', search)
    // @ts-expect-error a Map is refused at runtime (its entries would be dropped)
    void client.fetchRequestToken('https://p.example/rt', new Map([['a', '1']]))
  })
})

it("OAuth1Client.token takes a callback's { oauth_token, oauth_verifier } over the temporary credentials, as in Authlib", () => {
  const client = new OAuth1Client({ clientId: 'ck' })
  client.token = { oauth_token: 't', oauth_token_secret: 's' }
  client.token = { oauth_token: 't', oauth_verifier: 'v' }
  client.token = null
  // @ts-expect-error an oauth_token is required
  client.token = { oauth_verifier: 'v' }
  expectTypeOf(client.token).toEqualTypeOf<Token | null>()
})

it('the stores, OAuthError and clientKwargs take undefined for an option (exactOptionalPropertyTypes)', () => {
  const inCookie = env.IN_COOKIE === 'true'
  const sealer = inCookie ? createSealer('a sealing secret of 32 characters!!') : undefined
  createSessionRecordStore(
    { read: () => undefined, write: () => {} },
    { sealer, maxEntries: undefined },
  )
  createMemoryStore({ maxEntries: undefined, now: undefined })
  createMemoryServerStore({ maxEntries: undefined, now: undefined })
  new OAuthError('access_denied', { description: env.DESCRIPTION, status: undefined })
  new OAuth().register('x', { clientKwargs: { realm: env.REALM, rsaKey: env.RSA_KEY } })
})
