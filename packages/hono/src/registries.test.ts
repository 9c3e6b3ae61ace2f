/**
 * Two `OAuth` registries in one Hono app (one per sub-app), as the README's
 * "Register every provider of an app on one registry" paragraph describes:
 * each with its own `cookie.name` they keep their pending logins apart; with
 * the default name they share the `oauth1` cookie and one drops the other's.
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createTestBrowser, loginThrough, type TestBrowser } from '@oauth1/core/testing'
import { createTestProvider } from '@oauth1/testing'
import { Hono } from 'hono'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type MiddlewareOptions, OAuth } from './index.js'

const SECRET_X = 'a secret of registry x, 32+ characters long'
const SECRET_Y = 'a secret of registry y, 32+ characters long'

interface Registry {
  /** The name the provider is registered as. */
  name: string
  options: MiddlewareOptions
}

/** An app with registry x under /x and registry y under /y, each a sub-app with its own middleware. */
async function start(x: Registry, y: Registry) {
  const provider = await createTestProvider({ autoApprove: 'bob' })
  onTestFinished(() => provider.close())
  const registration = {
    clientId: provider.client.id,
    clientSecret: provider.client.secret,
    requestTokenUrl: provider.requestTokenUrl,
    authorizeUrl: provider.authorizeUrl,
    accessTokenUrl: provider.accessTokenUrl,
  }
  const app = new Hono()
  for (const [label, registry] of [
    ['x', x],
    ['y', y],
  ] as const) {
    const oauth = new OAuth({ config: {} })
    oauth.register(registry.name, registration)
    const client = oauth.createClient(registry.name)
    if (client === undefined) throw new Error(`no app ${registry.name}`)
    const sub = new Hono()
    sub.use(oauth.middleware(registry.options))
    sub.get('/login', (c) => client.authorizeRedirect(c, `/${label}/callback`))
    sub.get('/callback', async (c) => {
      try {
        const token = await client.authorizeAccessToken(c)
        return c.json({ registry: label, user: token.screen_name })
      } catch (err) {
        return c.json({ error: (err as { code?: string }).code }, 400)
      }
    })
    app.route(`/${label}`, sub)
  }
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const browser = createTestBrowser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  return { browser, login: (path: string) => loginThrough(browser, path) }
}

async function answer(browser: TestBrowser, callback: string) {
  const response = await browser.fetch(callback)
  return { status: response.status, body: await response.json() }
}

describe('two registries in one Hono app', () => {
  it('completes a login pending in each, in either order, with a cookie name of its own', async () => {
    const { browser, login } = await start(
      { name: 'a', options: { secret: SECRET_X, cookie: { name: 'oauth1x' } } },
      { name: 'b', options: { secret: SECRET_Y, cookie: { name: 'oauth1y' } } },
    )
    const a = await login('/x/login')
    const b = await login('/y/login')
    expect([...browser.cookies.keys()].sort()).toEqual(['oauth1x', 'oauth1y'])
    expect(await answer(browser, b)).toEqual({ status: 200, body: { registry: 'y', user: 'bob' } })
    expect(await answer(browser, a)).toEqual({ status: 200, body: { registry: 'x', user: 'bob' } })
  })

  it("refuses x's callback at y's route when both register the same name, and x's still completes", async () => {
    const { browser, login } = await start(
      { name: 'a', options: { secret: SECRET_X, cookie: { name: 'oauth1x' } } },
      { name: 'a', options: { secret: SECRET_Y, cookie: { name: 'oauth1y' } } },
    )
    const callback = await login('/x/login')
    expect(await answer(browser, callback.replace('/x/callback', '/y/callback'))).toEqual({
      status: 400,
      body: { error: 'missing_temporary_credential' },
    })
    expect(await answer(browser, callback)).toEqual({
      status: 200,
      body: { registry: 'x', user: 'bob' },
    })
  })

  it("drops the other's pending login when both keep the default cookie name (the README's warning)", async () => {
    const { browser, login } = await start(
      { name: 'a', options: { secret: SECRET_X } },
      { name: 'b', options: { secret: SECRET_Y } },
    )
    const a = await login('/x/login')
    const b = await login('/y/login')
    expect([...browser.cookies.keys()]).toEqual(['oauth1'])
    expect(await answer(browser, a)).toEqual({
      status: 400,
      body: { error: 'missing_temporary_credential' },
    })
    expect(await answer(browser, b)).toEqual({ status: 200, body: { registry: 'y', user: 'bob' } })
  })
})
