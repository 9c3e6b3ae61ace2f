import { OAuthError, OAuthErrorCodes } from '@oauth1/core'
import { describe, expect, it } from 'vitest'
import type { User } from './db.ts'
import { escapeHtml, html } from './html.ts'
import { apiCallPage, errorPage, homePage, notFoundPage, oauthErrorPage } from './pages.ts'
import { ProviderResponseError } from './profile.ts'

const ctx = { framework: 'Express', providerName: 'Test Provider' }
const user: User = {
  id: '1',
  provider: 'provider',
  providerUserId: '1002',
  screenName: 'bob',
  name: 'Bob <script>alert(1)</script>',
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
    expect(page.html).toContain('@bob')
    expect(page.html).toContain('action="/logout"')
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
    const down = oauthErrorPage(ctx, new OAuthError('request_failed'))
    expect([down.status, down.html.includes('Test Provider cannot be reached')]).toEqual([
      502,
      true,
    ])
  })

  it('other errors: their 4xx status, 502 for the provider, else a bare 500', () => {
    const bad = errorPage(ctx, Object.assign(new Error('URI malformed at /x'), { status: 400 }))
    expect(bad.status).toBe(400)
    expect(bad.html).not.toContain('URI malformed')
    const provider = errorPage(
      ctx,
      new ProviderResponseError('The profile endpoint answered HTTP 500.'),
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
