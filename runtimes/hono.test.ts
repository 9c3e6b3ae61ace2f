/**
 * @oauth1/hono on each runtime's own server — Bun.serve, Deno.serve, a
 * workerd module worker — completing the whole login against
 * @oauth1/testing (running here, in Node), then an API call with no token
 * and no request passed, which finds the token through fetchToken and the
 * request context (AsyncLocalStorage, wherever the runtime offers it).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { runtimeLabel } from './binaries.mjs'
import {
  forgedCallback,
  getJson,
  login,
  REFUSED_CALLBACK,
  statusWithHost,
  useProvider,
} from './support/login.js'
import { type ServerRuntime, startServer } from './support/runtimes.js'
import { bundleWorker, startWorker, workerdDate } from './support/workerd.js'

const env = useProvider()

const BOB = expect.objectContaining({ screen_name: 'bob', id: '1002' })

/**
 * Logs in on the app at `url`, checks that a forged callback, one with a
 * malformed escape, and a Host no URL can carry are refused (400, never a
 * 500); returns the logged-in browser.
 */
async function loginAsBob(url: string) {
  const { callback, browser } = await login(url, env.provider)
  expect(callback).toEqual({ screen_name: 'bob' })
  expect(await forgedCallback(browser, url)).toEqual(REFUSED_CALLBACK)
  expect(await getJson(browser, url, '/callback?oauth_token=%E0%A4%A&oauth_verifier=v')).toEqual(
    REFUSED_CALLBACK,
  )
  for (const path of ['/login', '/callback?oauth_token=t&oauth_verifier=v']) {
    expect(await statusWithHost(url, path, '127.0.0.1:99999'), path).toBe(400)
  }
  return browser
}

describe.each([
  ['bun', 'bun-hono.mjs', 'Bun.serve'],
  ['deno', 'deno-hono.mjs', 'Deno.serve'],
] as [ServerRuntime, string, string][])('%s', (runtime, script, server) => {
  it(`${runtimeLabel(runtime)}: logs in on ${server}, then calls the API with the token fetchToken finds`, async () => {
    const app = await startServer(runtime, script, [], env.config)
    try {
      expect(app.runtime).toBe(runtimeLabel(runtime).toLowerCase())
      const browser = await loginAsBob(app.url)
      expect(await getJson(browser, app.url, '/me')).toEqual({
        status: 200,
        body: { context: true, profile: BOB },
      })
    } finally {
      await app.stop()
    }
  })
})

describe(`${runtimeLabel('workerd')}, a module worker (fetch handler)`, () => {
  let script: string
  beforeAll(async () => {
    script = await bundleWorker('workerd-hono.mjs')
  })

  async function serve(compatibilityDate: string, compatibilityFlags: string[]) {
    return startWorker(
      script,
      { compatibilityDate, compatibilityFlags },
      { CONFIG: JSON.stringify(env.config) },
    )
  }

  // Where AsyncLocalStorage comes from in each: nodejs_compat from 2024-09-23
  // gives a `process` with getBuiltinModule; nodejs_als alone, or nodejs_compat
  // before that date, only the node:async_hooks module (the core imports it).
  const WITH_CONTEXT: [string, string, string[]][] = [
    ['nodejs_als alone (no process global)', '2024-09-22', ['nodejs_als']],
    ['nodejs_compat before 2024-09-23 (no process global)', '2024-09-22', ['nodejs_compat']],
    ['nodejs_compat from 2024-09-23 (process.getBuiltinModule)', '2024-09-23', ['nodejs_compat']],
    // Headers.getSetCookie (which Hono and the adapter need for two Set-Cookie
    // headers on one response) is on by default from 2023-03-01.
    ['nodejs_als alone on 2023-03-01, the oldest date that works', '2023-03-01', ['nodejs_als']],
    [
      'nodejs_als on an older date with http_headers_getsetcookie',
      '2022-01-01',
      ['nodejs_als', 'http_headers_getsetcookie'],
    ],
    [
      "no flag at workerd's own date (nodejs_compat is the default from 2026-08-04)",
      workerdDate(runtimeLabel('workerd')),
      [],
    ],
    ['no flag on 2026-08-04, the first date nodejs_compat is the default', '2026-08-04', []],
  ]
  it.each(WITH_CONTEXT)(
    '%s: logs in, then calls the API with the token fetchToken finds',
    async (_label, date, flags) => {
      const worker = await serve(date, flags)
      try {
        const browser = await loginAsBob(worker.url)
        expect(await getJson(browser, worker.url, '/me'), worker.child.output()).toEqual({
          status: 200,
          body: { context: true, profile: BOB },
        })
      } finally {
        await worker.stop()
      }
    },
  )

  // Not a bug workerd will fix: a compatibility date keeps its behaviour. The
  // Hono README states the bound; this test keeps it honest.
  it('before 2023-03-01 without http_headers_getsetcookie: no Headers.getSetCookie, so /login fails', async () => {
    const worker = await serve('2023-02-28', ['nodejs_als'])
    try {
      const response = await fetch(`${worker.url}/login`, {
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      })
      expect(response.status).toBe(500)
      // workerd logs the exception; its pipe may be read after the response.
      await vi.waitFor(
        () => expect(worker.child.output()).toContain('getSetCookie is not a function'),
        {
          timeout: 10_000,
        },
      )
    } finally {
      await worker.stop()
    }
  })

  it('no flag on 2026-08-03, the day before nodejs_compat is the default: logs in; with no AsyncLocalStorage the API call needs { request: c }', async () => {
    const worker = await serve('2026-08-03', [])
    try {
      const browser = await loginAsBob(worker.url)
      expect(await getJson(browser, worker.url, '/me')).toEqual({
        status: 401,
        body: {
          error: 'missing_token',
          error_description: expect.stringContaining('this runtime has no AsyncLocalStorage'),
        },
      })
      expect(await getJson(browser, worker.url, '/me-with-request')).toEqual({
        status: 200,
        body: { context: false, profile: BOB },
      })
    } finally {
      await worker.stop()
    }
  })
})

/**
 * @oauth1/providers on each runtime: the MediaWiki preset (its URLs from
 * `indexUrl`, the consent page needing the consumer key) logging in against
 * @oauth1/testing's MediaWiki emulation, then userinfo() with no token
 * passed, which POSTs Special:OAuth/identify and checks the HS256 JWT it
 * answers with the runtime's Web Crypto.
 */
describe("@oauth1/providers' MediaWiki preset", () => {
  const wiki = useProvider(
    {
      emulate: 'mediawiki',
      // A consumer registered with a callback prefix: any loopback app.
      clients: [
        { id: 'wiki-consumer', secret: 'wiki-secret', callbackUrls: ['http://127.0.0.1:*'] },
      ],
    },
    'mediawiki',
  )
  const BOB_ON_THE_WIKI = {
    status: 200,
    body: expect.objectContaining({ sub: '1002', preferred_username: 'Bob' }),
  }

  it.each([
    ['bun', 'bun-hono.mjs'],
    ['deno', 'deno-hono.mjs'],
  ] as [ServerRuntime, string][])(
    '%s: logs in, then userinfo() verifies the identify JWT',
    async (runtime, script) => {
      const app = await startServer(runtime, script, [], wiki.config)
      try {
        expect(app.runtime).toBe(runtimeLabel(runtime).toLowerCase())
        const { browser } = await login(app.url, wiki.provider)
        expect(await getJson(browser, app.url, '/userinfo'), app.child.output()).toEqual(
          BOB_ON_THE_WIKI,
        )
      } finally {
        await app.stop()
      }
    },
  )

  it(`${runtimeLabel('workerd')}, nodejs_als on 2024-09-22 (Web Crypto only): logs in, then userinfo() verifies the identify JWT`, async () => {
    const worker = await startWorker(
      await bundleWorker('workerd-hono.mjs'),
      { compatibilityDate: '2024-09-22', compatibilityFlags: ['nodejs_als'] },
      { CONFIG: JSON.stringify(wiki.config) },
    )
    try {
      const { browser } = await login(worker.url, wiki.provider)
      expect(await getJson(browser, worker.url, '/userinfo'), worker.child.output()).toEqual(
        BOB_ON_THE_WIKI,
      )
    } finally {
      await worker.stop()
    }
  })
})
