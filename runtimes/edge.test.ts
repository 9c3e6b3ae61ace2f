/**
 * @oauth1/hono in Vercel's Edge Runtime — the `edge-runtime` package, the
 * emulator `vercel dev` and Next.js run edge functions in: a V8 context with
 * the edge's Web APIs and no Node global (`process`, `require`, `Buffer`).
 * The app is bundled as an edge function is (esbuild, the `edge-light`
 * condition), answers FetchEvents on the emulator's own server, logs in
 * against @oauth1/testing and calls the API. Netlify's edge functions run on
 * Deno, which hono.test.ts covers.
 *
 * The emulator has no `AsyncLocalStorage`; Next.js's edge sandbox puts one on
 * `globalThis`, which the core's context finds: both are tested.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { EdgeRuntime, runServer } from 'edge-runtime'
import edgeRuntimePackage from 'edge-runtime/package.json' with { type: 'json' }
import { beforeAll, describe, expect, it } from 'vitest'
import { forgedCallback, getJson, login, REFUSED_CALLBACK, useProvider } from './support/login.js'
import { bundleFixture } from './support/workerd.js'

const env = useProvider()
const BOB = expect.objectContaining({ screen_name: 'bob', id: '1002' })

describe(`Vercel's Edge Runtime (edge-runtime ${edgeRuntimePackage.version})`, () => {
  let script: string
  beforeAll(async () => {
    // One script, as Vercel builds an edge function (the `edge-light` condition).
    script = await bundleFixture('edge-hono.mjs', {
      format: 'iife',
      conditions: ['edge-light', 'worker', 'browser'],
    })
  })

  /** Serves the bundled app on 127.0.0.1; `globals` are defined on the edge context. */
  async function serve(globals: Record<string, unknown> = {}) {
    const runtime = new EdgeRuntime({
      initialCode: script,
      extend: (context) =>
        Object.assign(context, { OAUTH1_CONFIG: JSON.stringify(env.config), ...globals }),
    })
    // What the app runs in: no Node global, the edge's own fetch.
    expect(runtime.evaluate('[typeof process, typeof require, typeof EdgeRuntime]')).toEqual([
      'undefined',
      'undefined',
      'string',
    ])
    const server = await runServer({ runtime, host: '127.0.0.1', port: 0 })
    // Its url ends in a slash; the helpers append paths that start with one.
    return { url: server.url.replace(/\/$/, ''), close: () => server.close() }
  }

  it('logs in; with no AsyncLocalStorage (as the emulator is) the API call needs { request: c }', async () => {
    const server = await serve()
    try {
      const { callback, browser } = await login(server.url, env.provider)
      expect(callback).toEqual({ screen_name: 'bob' })
      expect(await forgedCallback(browser, server.url)).toEqual(REFUSED_CALLBACK)
      expect(await getJson(browser, server.url, '/me')).toEqual({
        status: 401,
        body: {
          error: 'missing_token',
          error_description: expect.stringContaining('this runtime has no AsyncLocalStorage'),
        },
      })
      expect(await getJson(browser, server.url, '/me-with-request')).toEqual({
        status: 200,
        body: { context: false, profile: BOB },
      })
    } finally {
      await server.close()
    }
  })

  it('with a global AsyncLocalStorage (as Next.js defines it), the API call finds the token through fetchToken', async () => {
    const server = await serve({ AsyncLocalStorage })
    try {
      const { browser } = await login(server.url, env.provider)
      expect(await getJson(browser, server.url, '/me')).toEqual({
        status: 200,
        body: { context: true, profile: BOB },
      })
    } finally {
      await server.close()
    }
  })
})
