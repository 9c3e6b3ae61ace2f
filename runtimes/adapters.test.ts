/**
 * @oauth1/express, @oauth1/fastify and @oauth1/koa on Bun and Deno (their
 * node:http): the whole login against @oauth1/testing (running here, in
 * Node), each with its framework's session (express-session,
 * @fastify/secure-session, koa-session), then an API call with no token and
 * no request passed, found through fetchToken and the request context, on a
 * GET and on a POST whose JSON body is read first. A forged callback is
 * refused with 400, not a 500.
 */
import { describe, expect, it } from 'vitest'
import { runtimeLabel } from './binaries.mjs'
import { forgedCallback, getJson, login, REFUSED_CALLBACK, useProvider } from './support/login.js'
import { type ServerRuntime, startServer } from './support/runtimes.js'

const env = useProvider()

const FRAMEWORKS = [
  ['express', 'Express 5 + express-session'],
  ['fastify', 'Fastify 5 + @fastify/secure-session'],
  ['koa', 'Koa 3 + koa-session'],
] as const

describe.each(['bun', 'deno'] as ServerRuntime[])('%s', (runtime) => {
  it.each(FRAMEWORKS)(
    `${runtimeLabel(runtime)}, %s (%s): logs in, then calls the API with the token fetchToken finds`,
    async (framework) => {
      const app = await startServer(runtime, 'serve.mjs', [framework], env.config)
      try {
        expect(app.runtime).toBe(runtimeLabel(runtime).toLowerCase())
        const { callback, browser } = await login(app.url, env.provider)
        expect(callback).toEqual({ screen_name: 'bob' })
        expect(await forgedCallback(browser, app.url)).toEqual(REFUSED_CALLBACK)
        expect(await getJson(browser, app.url, '/me'), app.child.output()).toEqual({
          status: 200,
          body: { context: true, profile: expect.objectContaining({ screen_name: 'bob' }) },
        })
        // With a body parsed first (stream events run outside the middleware's scope).
        const posted = await getJson(browser, app.url, '/me', {
          method: 'POST',
          body: JSON.stringify({ echo: 'a body' }),
          headers: { 'content-type': 'application/json' },
        })
        expect(posted, app.child.output()).toEqual({
          status: 200,
          body: {
            context: true,
            profile: expect.objectContaining({ screen_name: 'bob' }),
            body: { echo: 'a body' },
          },
        })
      } finally {
        await app.stop()
      }
    },
  )
})
