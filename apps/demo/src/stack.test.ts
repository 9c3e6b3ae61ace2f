import { createServer, type Server } from 'node:net'
import { consentAction, consentForm, HttpClient } from '@oauth1-examples/shared/suite'
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_EMULATIONS } from './emulate.ts'
import { EXAMPLES, type RunningStack, startStack } from './stack.ts'

describe('startStack (what `pnpm demo` runs)', () => {
  let stack: RunningStack | undefined
  const blockers: Server[] = []
  afterEach(async () => {
    await stack?.close()
    stack = undefined
    await Promise.all(blockers.splice(0).map((s) => new Promise((r) => s.close(r))))
  })

  it('starts the provider and the four apps, each sending its users to the provider', async () => {
    stack = await startStack()
    expect(stack.apps.map((a) => a.framework)).toEqual(EXAMPLES.map((e) => e.framework))
    for (const app of stack.apps) {
      expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const home = await fetch(`${app.url}/`)
      expect(home.status).toBe(200)
      expect(await home.text()).toContain(`@oauth1 · ${app.framework} example`)
      const login = await fetch(`${app.url}/login`, { redirect: 'manual' })
      expect(login.status, app.framework).toBe(302)
      expect(login.headers.get('location')).toMatch(
        new RegExp(`^${stack.provider.authorizeUrl}\\?oauth_token=`),
      )
    }
    // Every app asked for a token with its own /authorize as the signed callback.
    const callbacks = stack.provider.requests
      .filter((r) => r.endpoint === 'requestToken')
      .map((r) => r.oauthParams.oauth_callback)
    expect(callbacks).toEqual(stack.apps.map((a) => `${a.url}/authorize`))
  })

  it('stops everything on close(), and close() can be called twice', async () => {
    const started = await startStack({ examples: ['koa', 'hono'] })
    const urls = [started.provider.url, ...started.apps.map((a) => a.url)]
    await Promise.all([started.close(), started.close()])
    for (const url of urls) await expect(fetch(url)).rejects.toThrow()
  })

  it('refuses a port someone insisted on when it is taken, leaving nothing running', async () => {
    const blocker = createServer()
    blockers.push(blocker)
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    )
    await expect(startStack({ examples: ['express'], ports: { express: port } })).rejects.toThrow(
      `port ${port} on 127.0.0.1 is already in use`,
    )
  })

  it('uses a free port instead of a taken default when allowed', async () => {
    const blocker = createServer()
    blockers.push(blocker)
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    )
    stack = await startStack({
      examples: ['fastify'],
      providerPort: port,
      fallbackToFreePort: ['provider'],
    })
    expect(stack.provider.port).not.toBe(port)
    expect((await fetch(`${stack.apps[0]!.url}/`)).status).toBe(200)
  })

  it('refuses an emulation it does not know, naming the option', async () => {
    await expect(startStack({ examples: ['hono'], emulate: 'myspace' })).rejects.toThrow(
      new TypeError(`options.emulate must be one of ${DEMO_EMULATIONS.join(', ')}, got "myspace"`),
    )
  })

  const SIGNING_ONLY = ['woocommerce', 'mastercard', 'bricklink']
  // Who the profile page says logged in (the consent page's Bob, user 1002).
  const WHO: Record<string, RegExp> = {
    etrade: /data-testid="token-field-oauth_token">/,
    netsuite: /data-testid="token-field-oauth_token">/,
    // These give a user name only.
    twitter: /data-testid="profile-name">@bob</,
    tumblr: /data-testid="profile-name">@bob</,
    zotero: /data-testid="profile-name">@bob</,
    mediawiki: /data-testid="profile-name">@Bob</,
    garmin: /data-testid="claim-sub">/,
  }

  it.each(DEMO_EMULATIONS.map((name) => [name]))(
    'emulate: %s — the app uses its preset against the emulation, end to end',
    async (name) => {
      stack = await startStack({ examples: ['hono'], emulate: name })
      expect(stack.emulation).toBe(name)
      const app = stack.apps[0]!
      const client = new HttpClient()
      const home = await client.request(`${app.url}/`)
      expect(home.status).toBe(200)
      const homePage = await home.text()
      if (SIGNING_ONLY.includes(name)) {
        expect(homePage).toContain(`${stack.providerName} has no login`)
        expect((await client.request(`${app.url}/login`)).status).toBe(404)
        // No login, so no callback either: the same page, never a 500.
        const callback = await client.request(`${app.url}/authorize?oauth_token=t&oauth_verifier=v`)
        expect(callback.status).toBe(404)
      } else {
        expect(homePage).toContain(`Log in with ${stack.providerName}</a>`)
        const login = await client.request(`${app.url}/login`)
        expect(login.status, await login.clone().text()).toBe(302)
        const authorize = login.headers.get('location')!
        expect(authorize.startsWith(stack.provider.url)).toBe(true)
        const consent = await client.request(authorize)
        const consentPage = await consent.text()
        expect(consent.status, consentPage).toBe(200)
        const answer = await client.request(consentAction(consentPage, authorize), {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: stack.provider.url,
          },
          body: new URLSearchParams({
            ...consentForm(consentPage),
            user_id: '1002',
            decision: 'allow',
          }),
        })
        expect(answer.status).toBe(302)
        const { final } = await client.follow(answer.headers.get('location')!)
        const profile = await final.text()
        expect(final.status, profile).toBe(200)
        expect(final.url).toBe(`${app.url}/`)
        expect(profile).toMatch(WHO[name] ?? /data-testid="profile-name">Bob Builder</)
      }
      const api = await client.request(`${app.url}/api-call`)
      const apiPage = await api.text()
      // Zotero's API takes its key in a header, never a signature: the preset's apiAuth sends it.
      expect(api.status, apiPage).toBe(200)
    },
  )
})
