/**
 * One example app in this process, with the provider answered by a stub
 * `fetch` in the same process (a provider round trip per iteration would make
 * 100,000 iterations too slow on two cores): Hono driven in-process
 * (`app.request`), the Node frameworks over loopback HTTP:
 *
 *   node --expose-gc --import tsx src/memory-harness.ts <framework> <mode> <count> [redisUrl]
 *
 * - `failed`: every /login meets a failing provider (5xx, connection reset, a
 *   body cut short, a huge body, a wrong content type, garbage, in turn);
 * - `abandoned`: every /login succeeds, from a new browser, and is never
 *   completed (the app's default setup, or Redis with `redisUrl`).
 *
 * Prints one JSON line: RSS and heap after a forced GC at 10,000 and at `count`.
 */
import { Agent, request } from 'node:http'
import { connectRedis, type ExampleConfig, openDatabase } from '@oauth1-examples/shared'

const [framework, mode, countText, redisUrl] = process.argv.slice(2) as [
  string,
  string,
  string,
  string?,
]
const count = Number(countText)
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

const P = 'http://provider.invalid'
const form = { 'content-type': 'application/x-www-form-urlencoded' }
let n = 0
const failures: (() => Response | Promise<Response>)[] = [
  () => new Response('Internal Server Error', { status: 500 }),
  () => {
    throw new TypeError('fetch failed', {
      cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    })
  },
  () =>
    new Response(
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('oauth_token=abc&oauth_tok'))
          c.error(new TypeError('terminated'))
        },
      }),
      { headers: form },
    ),
  () => new Response('oauth_token='.padEnd(2 * 1024 * 1024, 'a'), { headers: form }),
  () => new Response('\u0089PNG\r\n\u001a\n', { headers: { 'content-type': 'image/png' } }),
  () => new Response('%%\u0000garbage=%zz&&==', { headers: form }),
]
globalThis.fetch = (async (input: RequestInfo | URL) => {
  const url = String(input instanceof Request ? input.url : input)
  if (!url.includes('/oauth/request_token')) return new Response('not found', { status: 404 })
  n++
  if (mode === 'failed')
    return failures[(process.env.ONLY ? Number(process.env.ONLY) : n) % failures.length]!()
  return new Response(
    `oauth_token=rt${n}&oauth_token_secret=rs${n}&oauth_callback_confirmed=true`,
    {
      headers: form,
    },
  )
}) as typeof fetch

const config: ExampleConfig = {
  providerName: 'Stub',
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
  requestTokenUrl: `${P}/oauth/request_token`,
  authorizeUrl: `${P}/oauth/authorize`,
  accessTokenUrl: `${P}/oauth/access_token`,
  apiBaseUrl: `${P}/api/`,
  timeout: 5_000,
  temporaryCredentialTtl: Number(process.env.TTL ?? 600_000),
  host: '127.0.0.1',
  port: 0,
  sessionSecret: 'a memory-harness session secret, 32+ chars',
  databasePath: ':memory:',
  secureCookies: false,
  redisUrl,
}
// http://provider.invalid is not loopback: allow it, it never leaves the stub.
process.env.PROVIDER_ALLOW_INSECURE_TRANSPORT = 'true'

let get: (path: string) => Promise<{ status: number; body: string }>
let stop: () => Promise<void>
if (framework === 'hono') {
  // In-process: Hono answers a Request without a socket.
  const redis = redisUrl ? await connectRedis(redisUrl) : undefined
  const db = openDatabase(':memory:')
  const { createApp } = await import('example-hono')
  const app = createApp(config, db, redis?.client)
  get = async (path) => {
    const res = await app.request(`http://127.0.0.1${path}`)
    return { status: res.status, body: await res.text() }
  }
  stop = async () => {
    redis?.close()
    db.close()
  }
} else {
  // Node frameworks: the app listening on loopback, one keep-alive connection per
  // worker (light-my-request's injection retains memory on error paths by itself,
  // which would be measured instead of the app).
  const { start } = await import(`example-${framework}`)
  const running = await start(config)
  const agent = new Agent({ keepAlive: true, maxSockets: 20 })
  get = (path) =>
    new Promise((resolve, reject) => {
      request(`${running.url}${path}`, { agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        )
        res.on('error', reject)
      })
        .on('error', reject)
        .end()
    })
  stop = async () => {
    agent.destroy()
    await running.close()
  }
}

const mb = (m: NodeJS.MemoryUsage) => ({
  rssMB: Math.round(m.rss / 2 ** 20),
  heapMB: Math.round(m.heapUsed / 2 ** 20),
})
/**
 * RSS and heap after a forced GC that the event loop has had a few turns to
 * finish. Two `gc()` calls back to back are not enough: part of what a request
 * leaves behind is only freed by work the GC defers to the loop (Node's
 * second-pass weak callbacks), so right after a Koa + Redis run of 100,000
 * logins the heap read 210 MB, then 32 MB after five turns of 20 ms and a
 * `gc()` each (31 MB at 10,000): garbage waiting, not memory kept. Both
 * readings are reported; the settled one is what "flat" is judged on.
 */
const measure = async () => {
  gc()
  gc()
  const unsettled = mb(process.memoryUsage())
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    gc()
  }
  return { ...mb(process.memoryUsage()), unsettled }
}
const statuses: Record<string, number> = {}
const codes: Record<string, number> = {}
const snapshots: Record<string, Awaited<ReturnType<typeof measure>>> = {}
const t0 = performance.now()
let done = 0
let measuring10k = false
const worker = async () => {
  while (done < count) {
    done++
    const res = await get('/login')
    statuses[res.status] = (statuses[res.status] ?? 0) + 1
    const code = /data-testid="error-code">([a-z_]+)</.exec(res.body)?.[1]
    if (code) codes[code] = (codes[code] ?? 0) + 1
    // once, by the worker that finished the 10,000th login (the others go on)
    if (done >= 10_000 && !measuring10k) {
      measuring10k = true
      snapshots['10k'] = await measure()
    }
  }
}
await Promise.all(Array.from({ length: 20 }, worker))
snapshots.end = await measure()
console.log(
  JSON.stringify({
    framework,
    mode,
    redis: Boolean(redisUrl),
    count,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    statuses,
    codes,
    ...snapshots,
  }),
)
await stop()
process.exit(0)
