import { OAuthError, OAuthErrorCodes } from '@oauth1/core'
import { describe, expect, it } from 'vitest'
import type { User } from './db.ts'
import { escapeHtml, html } from './html.ts'
import {
  apiCallPage,
  errorPage,
  homePage,
  noLoginPage,
  notFoundPage,
  oauthErrorPage,
} from './pages.ts'

const ctx = { framework: 'Express', providerName: 'Test Provider' }
const user: User = {
  id: '1',
  provider: 'provider',
  providerUserId: '1002',
  screenName: 'bob',
  name: 'Bob <script>alert(1)</script>',
  profile: {
    sub: '1002',
    name: 'Bob <script>alert(1)</script>',
    preferred_username: 'bob',
    email: 'bob@example.test',
    email_verified: true,
    picture: 'https://img.example/bob.png?a=1&b=2',
    profile: 'javascript:alert(1)',
    website: 'https://bob.example/',
    raw: { id: '1002', bio: '</code><script>x</script>' },
  },
}

describe('html', () => {
  it('escapes every interpolation unless it is html itself', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    )
    const inner = html`<b>${'<i>'}</b>`
    expect(html`<p>${inner}${['<', inner]}${null}${undefined}${false}${0}</p>`.value).toBe(
      '<p><b>&lt;i&gt;</b>&lt;<b>&lt;i&gt;</b>0</p>',
    )
  })
})

describe('pages', () => {
  it('home: a login button when logged out', () => {
    const page = homePage(ctx)
    expect(page.status).toBe(200)
    expect(page.html).toContain(
      '<a class="button" href="/login" data-testid="login">Log in with Test Provider</a>',
    )
    expect(page.html).not.toContain('data-testid="profile"')
    expect(page.html).not.toMatch(/<script|<link|src=/)
  })

  it('home: the profile, escaped, when logged in', () => {
    const page = homePage({ ...ctx, user })
    expect(page.html).toContain('Bob &lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page.html).not.toContain('<script>')
    expect(page.html).toContain('data-testid="profile-screen-name">@bob<')
    expect(page.html).toContain('action="/logout"')
  })

  it('home: every userinfo() claim the provider gave, links only to http(s), and the raw data', () => {
    const page = homePage({ ...ctx, user }).html
    expect(page).toContain('data-testid="claim-sub">1002<')
    expect(page).toContain('data-testid="claim-preferred_username">@bob<')
    expect(page).toContain(
      'data-testid="claim-email">bob@example.test <span class="tag">verified</span><',
    )
    expect(page).toContain(
      '<img class="avatar" src="https://img.example/bob.png?a=1&amp;b=2" alt="" width="64" height="64" data-initial="B"',
    )
    expect(page).toContain(
      'data-testid="claim-website"><a href="https://bob.example/" rel="noopener noreferrer">',
    )
    // A javascript: URL is shown as text, never linked.
    expect(page).toContain('data-testid="claim-profile">javascript:alert(1)<')
    expect(page).not.toContain('href="javascript:')
    expect(page).toContain('&lt;/code&gt;&lt;script&gt;x&lt;/script&gt;')
    // Claims the provider did not give have no row.
    const bare = homePage({
      ...ctx,
      user: { ...user, name: '', screenName: '', profile: { sub: '9', raw: {} } },
    }).html
    expect(bare).toContain('data-testid="profile-name">Test Provider user<')
    expect(bare).not.toMatch(/claim-(?:name|email|picture|preferred_username)/)
    expect(bare).not.toContain('<img')
  })

  it('home: the token fields, for a provider without userinfo', () => {
    const page = homePage({
      ...ctx,
      providerName: 'E*TRADE',
      user: {
        ...user,
        name: '',
        screenName: '',
        profile: {
          sub: 'token:0123',
          raw: { oauth_token: 'abcd…', company: '<1234567>' },
          source: 'token',
        },
      },
    }).html
    expect(page).toContain('data-testid="profile-name">E*TRADE user<')
    expect(page).toContain('E*TRADE does not tell applications who logged in')
    expect(page).toContain('data-testid="token-field-oauth_token">abcd…<')
    expect(page).toContain('data-testid="token-field-company">&lt;1234567&gt;<')
    expect(page).not.toContain('data-testid="claims"')
  })

  it('a signing-only API: no login button, the API call instead; /login answers 404', () => {
    const home = homePage({ ...ctx, providerName: 'WooCommerce', canLogIn: false })
    expect(home.status).toBe(200)
    expect(home.html).toContain('WooCommerce has no login')
    expect(home.html).toContain('href="/api-call" data-testid="api-link"')
    expect(home.html).not.toContain('data-testid="login"')
    expect(noLoginPage({ ...ctx, canLogIn: false }).status).toBe(404)
    const call = apiCallPage(
      { ...ctx, canLogIn: false },
      { method: 'GET', url: 'products', status: 200, body: '[]' },
    )
    expect(call.html).toContain("signed with the app's own credentials")
    expect(call.html).not.toContain('action="/logout"')
  })

  it('API page: pretty JSON, escaped; a failed call answers 502', () => {
    const ok = apiCallPage(
      { ...ctx, user },
      { method: 'GET', url: 'echo?a=1', status: 200, body: '{"a":"<1>"}' },
    )
    expect(ok.status).toBe(200)
    expect(ok.html).toContain('{\n  &quot;a&quot;: &quot;&lt;1&gt;&quot;\n}')
    const failed = apiCallPage(ctx, {
      method: 'GET',
      url: 'me',
      status: 401,
      body: 'oauth_problem=token_rejected',
    })
    expect(failed.status).toBe(502)
    expect(failed.html).toContain('HTTP 401')
    expect(failed.html).toContain('Set <code>PROVIDER_API_CALL</code>')
    expect(failed.html).toContain('oauth_problem=token_rejected')
  })

  it('an OAuthError: friendly title, its code and status, never a stack', () => {
    for (const code of OAuthErrorCodes) {
      const err = new OAuthError(code, { description: 'the <details>' })
      const page = oauthErrorPage(ctx, err)
      expect(page.status).toBe(err.status)
      expect(page.html).toContain(`data-testid="error-code">${code}<`)
      expect(page.html).toContain(`data-testid="error-status">${err.status}<`)
      expect(page.html).toContain('the &lt;details&gt;')
      // No stack trace, not even the error's own message line.
      expect(page.html).not.toContain(err.stack!.split('\n')[1]!.trim())
      expect(page.html).not.toContain('OAuthError:')
    }
    expect(oauthErrorPage(ctx, new OAuthError('access_denied')).html).toContain(
      'You did not allow access',
    )
    expect(oauthErrorPage(ctx, new OAuthError('missing_token')).html).toContain(
      'You are logged out',
    )
    expect(oauthErrorPage(ctx, new OAuthError('missing_token', { status: 400 })).html).toContain(
      'Test Provider&#39;s answer was incomplete',
    )
    const refused = new OAuthError('fetch_token_denied', {
      oauthProblem: 'signature_invalid',
      response: { status: 401, headers: {}, body: 'oauth_problem=signature_invalid' },
    })
    expect(oauthErrorPage(ctx, refused).html).toContain('Test Provider refused the request')
    expect(oauthErrorPage(ctx, refused).html).toContain('<code>signature_invalid</code>')
    expect(oauthErrorPage(ctx, new OAuthError('fetch_token_denied')).html).toContain(
      'Test Provider cannot be reached',
    )
    const down = oauthErrorPage(
      ctx,
      new OAuthError('request_failed', { cause: new TypeError('fetch failed') }),
    )
    expect([down.status, down.html.includes('Test Provider cannot be reached')]).toEqual([
      502,
      true,
    ])
    expect(oauthErrorPage(ctx, new OAuthError('request_failed')).html).toContain(
      'Test Provider did not say who you are',
    )
  })

  it('other errors: their 4xx status, 502 for the provider, else a bare 500', () => {
    const bad = errorPage(ctx, Object.assign(new Error('URI malformed at /x'), { status: 400 }))
    expect(bad.status).toBe(400)
    expect(bad.html).not.toContain('URI malformed')
    const provider = errorPage(
      ctx,
      Object.assign(new Error('The profile endpoint answered HTTP 500.'), {
        status: 502,
        code: 'bad_provider_response',
      }),
    )
    expect(provider.status).toBe(502)
    expect(provider.html).toContain('bad_provider_response')
    expect(provider.html).toContain('The profile endpoint answered HTTP 500.')
    const crash = new Error('secret connection string')
    const page = errorPage(ctx, crash)
    expect(page.status).toBe(500)
    expect(page.html).toContain('Something went wrong')
    expect(page.html).not.toContain('secret connection string')
    expect(errorPage(ctx, 'a string').status).toBe(500)
    expect(errorPage(ctx, Object.assign(new Error('x'), { statusCode: 413 })).status).toBe(413)
    expect(notFoundPage(ctx).status).toBe(404)
    const down = errorPage(
      ctx,
      new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }),
    )
    expect(down.status).toBe(502)
    expect(down.html).toContain('Test Provider cannot be reached')
    expect(down.html).not.toContain('ECONNREFUSED')
  })
})
