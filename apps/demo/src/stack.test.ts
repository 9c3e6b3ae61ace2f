import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
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
})
