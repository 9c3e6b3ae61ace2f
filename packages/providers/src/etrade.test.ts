/**
 * E*TRADE's renew/revoke helpers: what they ask the app for, the
 * OAuthError a refusal ends in, and what they do to a token on the emulation.
 */
import { isOAuthError, OAuth, type Token } from '@oauth1/core'
import { createTestProvider } from '@oauth1/testing'
import { describe, expect, it } from 'vitest'
import { type EtradeApp, etrade, etradeRenewAccessToken, etradeRevokeAccessToken } from './index.js'

interface Init {
  token?: Token
}

function fakeApp(response: Response, accessTokenUrl?: string) {
  const calls: [string, Init | undefined][] = []
  const app: EtradeApp<Init> & { calls: typeof calls } = {
    ...(accessTokenUrl === undefined ? {} : { accessTokenUrl }),
    calls,
    async get(url, init) {
      calls.push([url, init])
      return response
    },
  }
  return app
}

const token = { oauth_token: 'at-1', oauth_token_secret: 'as-1' }

describe('etradeRenewAccessToken / etradeRevokeAccessToken', () => {
  it('GET renew/revoke on the access-token endpoint origin, with the caller init', async () => {
    const app = fakeApp(
      new Response('Access Token has been renewed'),
      'https://api.etrade.com/oauth/access_token',
    )
    await expect(etradeRenewAccessToken(app, { token })).resolves.toBeUndefined()
    await etradeRevokeAccessToken(app, { token })
    expect(app.calls).toEqual([
      ['https://api.etrade.com/oauth/renew_access_token', { token }],
      ['https://api.etrade.com/oauth/revoke_access_token', { token }],
    ])
  })

  it('an emulation origin (spread accessTokenUrl) is followed', async () => {
    const app = fakeApp(new Response('ok'), 'http://127.0.0.1:39001/oauth/access_token')
    await etradeRenewAccessToken(app)
    expect(app.calls).toEqual([['http://127.0.0.1:39001/oauth/renew_access_token', undefined]])
  })

  it('an app that does not expose accessTokenUrl uses api.etrade.com', async () => {
    const app = fakeApp(new Response('ok'))
    await etradeRevokeAccessToken(app)
    expect(app.calls[0]?.[0]).toBe('https://api.etrade.com/oauth/revoke_access_token')
  })

  it('a non-2xx answer is fetch_token_denied with the provider response and oauth_problem', async () => {
    const app = fakeApp(
      new Response('oauth_problem=token_rejected', { status: 401, headers: { 'x-a': 'b' } }),
      'https://api.etrade.com/oauth/access_token',
    )
    const error = await etradeRenewAccessToken(app, { token }).catch((e: unknown) => e)
    expect(isOAuthError(error)).toBe(true)
    expect(error).toMatchObject({
      code: 'fetch_token_denied',
      status: 502,
      oauthProblem: 'token_rejected',
      description: 'E*TRADE answered HTTP 401 to /oauth/renew_access_token',
      response: { status: 401, body: 'oauth_problem=token_rejected', headers: { 'x-a': 'b' } },
    })
  })

  it('a plain-text refusal has no oauthProblem', async () => {
    const app = fakeApp(new Response('Invalid access token', { status: 400 }))
    const error = await etradeRevokeAccessToken(app).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'fetch_token_denied', oauthProblem: undefined })
  })

  it('something that is not an app is a TypeError naming it', async () => {
    for (const app of [undefined, null, {}, { get: 'x' }]) {
      await expect(etradeRenewAccessToken(app as never)).rejects.toThrow(
        new TypeError('etradeRenewAccessToken(): app must be a registered app (oauth.<name>)'),
      )
    }
  })
})

describe('the helpers against the E*TRADE emulation', () => {
  it('a token idle for two hours is refused until renewed; a revoked one stays refused', async () => {
    // The provider's clock: noon US Eastern, so two hours on stay the same E*TRADE day
    let now = Date.UTC(2026, 5, 15, 16, 0, 0)
    const provider = await createTestProvider({
      emulate: 'etrade',
      now: () => now,
      // the client signs with the real clock
      timestampWindow: 10 * 365 * 86_400,
    })
    try {
      const oauth = new OAuth({ config: {} })
      const preset = etrade({ sandbox: true })
      oauth.register('etrade', {
        ...preset,
        accessTokenUrl: `${provider.url}/oauth/access_token`,
        apiBaseUrl: `${provider.url}/`,
        clientId: provider.client.id,
        clientSecret: provider.client.secret,
      })
      const issued = provider.issueToken({ clientId: provider.client.id })
      const accounts = () => oauth.etrade.get('v1/accounts/list.json', { token: issued })
      expect((await accounts()).status).toBe(200)

      now += 2 * 60 * 60 * 1000 + 1000
      expect((await accounts()).status).toBe(401)
      await etradeRenewAccessToken(oauth.etrade, { token: issued })
      expect(provider.lastRequest?.url).toBe('/oauth/renew_access_token')
      expect((await accounts()).status).toBe(200)

      await etradeRevokeAccessToken(oauth.etrade, { token: issued })
      expect((await accounts()).status).toBe(401)
      const error = await etradeRenewAccessToken(oauth.etrade, { token: issued }).catch((e) => e)
      expect(isOAuthError(error) && error.code).toBe('fetch_token_denied')
    } finally {
      await provider.close()
    }
  })
})
