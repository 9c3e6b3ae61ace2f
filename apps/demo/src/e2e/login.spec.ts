/**
 * A person in a real browser (Debian's Chromium, headless) uses each example
 * app against the local provider with its consent page: logs in, calls the
 * API, tries a used callback again, logs out, refuses, logs in from two tabs
 * at once, and meets a provider that is down. Each scenario's last page is
 * saved as test-results/<app>-<n>-<scenario>.png.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXAMPLES, type RunningStack, startStack } from '../stack.ts'
import { screenshot, text, useChromium } from './browser.ts'

const chromium = useChromium()

describe.each(EXAMPLES)('the $framework example, in Chromium', (example) => {
  let stack: RunningStack
  let appUrl: string
  let providerUrl: string
  let context: BrowserContext
  let page: Page
  /** The provider's redirect back to the app, with oauth_token and oauth_verifier. */
  let callbackUrl: string

  const shot = (name: string, p: Page = page) => screenshot(p, `${example.id}-${name}`)

  /** Clicks "Log in" on the app and waits for the provider's consent page. */
  async function openConsentPage(p: Page): Promise<void> {
    const home = await p.goto(appUrl)
    expect(home?.status()).toBe(200)
    await p.getByTestId('login').click()
    await p.waitForURL((url) => url.origin === providerUrl && url.pathname === '/oauth/authorize')
    await p.getByRole('heading', { name: 'Allow Demo App to use your account?' }).waitFor()
  }

  beforeAll(async () => {
    stack = await startStack({ examples: [example.id] })
    appUrl = stack.apps[0]!.url
    providerUrl = stack.provider.url
    context = await chromium.browser.newContext()
    context.setDefaultTimeout(15_000)
    page = await context.newPage()
  })

  afterAll(async () => {
    await context?.close()
    await stack?.close()
  })

  it('logs in through the consent page and shows the profile', async () => {
    await openConsentPage(page)
    await shot('0-consent')
    await page.getByLabel('Bob Builder').check()

    const callback = page.waitForRequest((r) => r.url().startsWith(`${appUrl}/authorize?`))
    await page.getByRole('button', { name: 'Allow' }).click()
    callbackUrl = (await callback).url()
    await page.waitForURL(`${appUrl}/`)

    expect(await text(page, 'profile-name')).toBe('Bob Builder')
    expect(await text(page, 'profile-screen-name')).toBe('@bob')
    expect(await text(page, 'header-user')).toBe('Signed in as Bob Builder')
    // The callback carries the request token and the verifier, nothing secret.
    const params = new URL(callbackUrl).searchParams
    expect([...params.keys()].sort()).toEqual(['oauth_token', 'oauth_verifier'])
    await shot('1-profile')
  })

  it('calls the API with the token saved in SQLite, passing none', async () => {
    await page.getByTestId('api-link').click()
    await page.waitForURL(`${appUrl}/api-call`)
    expect(await text(page, 'api-status')).toBe('HTTP 200')
    const result = await text(page, 'api-result')
    expect(result).toContain(`example-${example.id}`)
    expect(result).toContain('hello world')
    // The provider echoes whose token signed the call: Bob's, found by fetchToken.
    expect(JSON.parse(result)).toMatchObject({
      query: { from: `example-${example.id}`, message: 'hello world' },
      user: { screen_name: 'bob' },
    })
    // The provider saw a request signed with Bob's token credentials.
    const call = stack.provider.requests.findLast((r) => r.url.startsWith('/api/echo'))
    expect(call).toMatchObject({ ok: true, method: 'GET', oauthSource: 'header' })
    expect(call?.oauthParams.oauth_token).toBeTruthy()
    await shot('2-api-call')
  })

  it('refuses a callback that was already used, without asking the provider', async () => {
    const exchanges = stack.provider.requests.filter((r) => r.endpoint === 'accessToken').length
    const response = await page.goto(callbackUrl)
    expect(response?.status()).toBe(400)
    expect(await text(page, 'error-code')).toBe('missing_temporary_credential')
    expect(await text(page, 'error-status')).toBe('400')
    expect(stack.provider.requests.filter((r) => r.endpoint === 'accessToken')).toHaveLength(
      exchanges,
    )
    await shot('3-replayed-callback')
  })

  it('logs out, and the API page then says so', async () => {
    await page.goto(appUrl)
    await page.getByTestId('logout').click()
    await page.waitForURL(`${appUrl}/`)
    await page.getByTestId('login').waitFor()

    const response = await page.goto(`${appUrl}/api-call`)
    expect(response?.status()).toBe(401)
    expect(await text(page, 'error-title')).toBe('You are logged out')
    expect(await text(page, 'error-code')).toBe('missing_token')
    await shot('4-logged-out')
  })

  it('shows a friendly access_denied page when the user refuses', async () => {
    const fresh = await chromium.browser.newContext()
    fresh.setDefaultTimeout(15_000)
    try {
      const p = await fresh.newPage()
      await openConsentPage(p)
      const answer = p.waitForResponse((r) => r.url().startsWith(`${appUrl}/authorize?`))
      await p.getByRole('button', { name: 'Deny' }).click()
      expect((await answer).status()).toBe(403)
      expect(await text(p, 'error-title')).toBe('You did not allow access')
      expect(await text(p, 'error-code')).toBe('access_denied')
      expect(await text(p, 'error-status')).toBe('403')
      expect(await text(p, 'retry-login')).toBe('Log in with Test Provider')
      await shot('5-refused', p)
    } finally {
      await fresh.close()
    }
  })

  it('completes two logins started in two tabs of one browser, in either order', async () => {
    const fresh = await chromium.browser.newContext()
    fresh.setDefaultTimeout(15_000)
    try {
      const first = await fresh.newPage()
      const second = await fresh.newPage()
      await openConsentPage(first)
      await openConsentPage(second)
      // The second login is approved first, then the first one.
      await second.getByLabel('Carol Danvers').check()
      await second.getByRole('button', { name: 'Allow' }).click()
      await second.waitForURL(`${appUrl}/`)
      expect(await text(second, 'profile-name')).toBe('Carol Danvers')
      await first.getByLabel('Alice Liddell').check()
      await first.getByRole('button', { name: 'Allow' }).click()
      await first.waitForURL(`${appUrl}/`)
      expect(await text(first, 'profile-name')).toBe('Alice Liddell')
      await shot('7-two-tabs', first)
    } finally {
      await fresh.close()
    }
  })

  it('shows a friendly 502 page when the provider is down', async () => {
    await stack.provider.close()
    const response = await page.goto(`${appUrl}/login`)
    expect(response?.status()).toBe(502)
    expect(await text(page, 'error-title')).toBe('Test Provider cannot be reached')
    expect(await text(page, 'error-code')).toBe('fetch_token_denied')
    await shot('6-provider-down')
  })
})
