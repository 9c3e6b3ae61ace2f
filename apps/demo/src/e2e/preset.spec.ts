/**
 * `DEMO_EMULATE=trello pnpm demo` in a real browser (Debian's Chromium,
 * headless): the provider emulates Trello and the app registers the `trello()`
 * preset of `@oauth1/providers` over the emulation's URLs. A person clicks
 * "Log in with Trello", reads Trello's consent wording with the app's name,
 * scope and expiration, allows, and lands on the profile `userinfo()` read
 * from Trello's `members/me`. Saved: test-results/trello-0-consent.png,
 * trello-1-profile.png, trello-2-api-call.png.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningStack, startStack } from '../stack.ts'
import { screenshot, text, useChromium } from './browser.ts'

const chromium = useChromium()

describe('the Express example with PROVIDER_PRESET=trello, against the Trello emulation, in Chromium', () => {
  let stack: RunningStack
  let appUrl: string
  let context: BrowserContext
  let page: Page

  beforeAll(async () => {
    stack = await startStack({ examples: ['express'], emulate: 'trello' })
    appUrl = stack.apps[0]!.url
    context = await chromium.browser.newContext()
    context.setDefaultTimeout(15_000)
    page = await context.newPage()
  })

  afterAll(async () => {
    await context?.close()
    await stack?.close()
  })

  it("logs in through Trello's consent page and shows the Trello profile", async () => {
    const home = await page.goto(appUrl)
    expect(home?.status()).toBe(200)
    expect(await text(page, 'login')).toBe('Log in with Trello')
    await page.getByTestId('login').click()

    await page.waitForURL(
      (url) => url.origin === stack.provider.url && url.pathname === '/1/OAuthAuthorizeToken',
    )
    // Trello's wording, with the name, scope and expiration the preset put on the URL.
    await page.getByRole('heading', { name: 'Let Demo App use your account?' }).waitFor()
    const consent = (await page.locator('body').textContent()) ?? ''
    expect(consent).toContain('read,account')
    expect(consent).toContain('1hour')
    await screenshot(page, 'trello-0-consent')

    await page.getByLabel('Bob Builder').check()
    const callback = page.waitForRequest((r) => r.url().startsWith(`${appUrl}/authorize?`))
    await page.getByRole('button', { name: 'Allow' }).click()
    const params = new URL((await callback).url()).searchParams
    expect([...params.keys()].sort()).toEqual(['oauth_token', 'oauth_verifier'])
    await page.waitForURL(`${appUrl}/`)

    expect(await text(page, 'profile-name')).toBe('Bob Builder')
    expect(await text(page, 'profile-screen-name')).toBe('@bob')
    expect(await text(page, 'claim-preferred_username')).toBe('@bob')
    expect(await text(page, 'claim-email')).toBe('bob@example.test')
    expect(await text(page, 'claim-profile')).toBe('https://trello.com/u/bob')
    expect(await text(page, 'claim-sub')).toMatch(/^[0-9a-f]{24}$/)
    expect(await text(page, 'header-user')).toBe('Signed in as Bob Builder')
    // userinfo() asked the emulation's members/me, signed with Bob's new token.
    const me = stack.provider.requests.findLast((r) => r.url.startsWith('/1/members/me'))
    expect(me).toMatchObject({ ok: true, method: 'GET', oauthSource: 'header' })
    await screenshot(page, 'trello-1-profile')
  })

  it("calls Trello's API with the saved token", async () => {
    await page.getByTestId('api-link').click()
    await page.waitForURL(`${appUrl}/api-call`)
    expect(await text(page, 'api-status')).toBe('HTTP 200')
    expect(await text(page, 'api-request')).toBe('GET /1/members/me?fields=username,fullName,url')
    expect(JSON.parse(await text(page, 'api-result'))).toMatchObject({
      username: 'bob',
      fullName: 'Bob Builder',
    })
    await screenshot(page, 'trello-2-api-call')
  })
})
