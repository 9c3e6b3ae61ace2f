// Cost of `oauth.middleware({ secret })` (@oauth1/hono) on a trivial route.
//
//   node bench/middleware-hono.bench.mjs        (or `pnpm bench`, after a build)
//
// Two Hono apps served by @hono/node-server on 127.0.0.1:0 in one child
// process: A has a trivial route and NO oauth.middleware(), B the same route
// AND oauth.middleware({ secret }) (Hono has no session of its own: the
// middleware is what keeps the temporary credentials, in an encrypted cookie).
// autocannon (in this process) loads them in turn, A, B, A, B…, and we report
// the median requests/s of each and B/A. Target: B ≥ 95% of A. Bounded in
// time: the child is killed after a deadline.
//
// For scale, a third app N has the same route behind a no-op
// `async (c, next) => { await next() }`: Hono answers a route with no
// middleware on a synchronous fast path, so ANY middleware costs something;
// B/N is what oauth.middleware() costs beyond that. It is loaded in the same
// alternation (A, B, N, A, B, N…) but is not part of the target.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(new URL('../packages/hono/package.json', import.meta.url))
// `--rounds N`, `--seconds N`, `--connections N` (as `node bench/run.mjs hono --rounds 7`
// forwards them), else BENCH_ROUNDS / BENCH_SECONDS / BENCH_CONNECTIONS, else 5 / 3 / 10.
function option(name, env, fallback) {
  const at = process.argv.indexOf(`--${name}`)
  const raw = at === -1 ? process.env[env] : process.argv[at + 1]
  const value = Number(raw ?? fallback)
  return Number.isFinite(value) && value > 0 ? value : fallback
}
const ROUNDS = option('rounds', 'BENCH_ROUNDS', 5)
const SECONDS = option('seconds', 'BENCH_SECONDS', 3)
const CONNECTIONS = option('connections', 'BENCH_CONNECTIONS', 10)
const TARGET = 0.95

if (process.argv[2] === 'serve') {
  await serve()
} else {
  await main()
}

async function serve() {
  const { Hono } = require('hono')
  const { serve: listen } = require('@hono/node-server')
  const { OAuth } = await import(new URL('../packages/hono/dist/index.js', import.meta.url).href)
  const secret = randomBytes(32).toString('base64url')
  function build(kind) {
    const app = new Hono()
    if (kind === 'oauth') {
      const oauth = new OAuth({ config: {} })
      app.use(oauth.middleware({ secret }))
    } else if (kind === 'noop') {
      app.use(async (_c, next) => {
        await next()
      })
    }
    app.get('/', (c) => c.json({ hello: 'world' }))
    return new Promise((resolve) => {
      const server = listen({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
        resolve({ server, port: info.port }),
      )
    })
  }
  const a = await build('none')
  const b = await build('oauth')
  const n = await build('noop')
  process.send({ a: a.port, b: b.port, n: n.port })
  process.on('message', async (message) => {
    if (message === 'stop') {
      await Promise.all(
        [a, b, n].map(({ server }) => new Promise((resolve) => server.close(resolve))),
      )
      process.exit(0)
    }
  })
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function main() {
  const autocannon = require('autocannon')
  const child = fork(fileURLToPath(import.meta.url), ['serve'], { stdio: 'inherit' })
  const deadline = setTimeout(
    () => {
      console.error('middleware-hono: deadline reached, stopping')
      child.kill('SIGKILL')
      process.exit(1)
    },
    (ROUNDS * 3 * (SECONDS + 2) + 30) * 1000,
  )
  deadline.unref()
  const ports = await new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)))
  })
  const load = async (port, duration) => {
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/`,
      connections: CONNECTIONS,
      duration,
    })
    if (result.non2xx !== 0 || result.errors !== 0) {
      throw new Error(`unexpected answers: ${result.non2xx} non-2xx, ${result.errors} errors`)
    }
    return result.requests.average
  }
  try {
    // warm up both (JIT), not measured
    await load(ports.a, 1)
    await load(ports.b, 1)
    await load(ports.n, 1)
    const a = []
    const b = []
    const n = []
    for (let round = 0; round < ROUNDS; round++) {
      a.push(await load(ports.a, SECONDS))
      b.push(await load(ports.b, SECONDS))
      n.push(await load(ports.n, SECONDS))
    }
    const medianA = median(a)
    const medianB = median(b)
    const medianN = median(n)
    const ratio = medianB / medianA
    const fmt = (n) => Math.round(n).toLocaleString('en-US')
    console.log(
      `@oauth1/hono middleware (${ROUNDS} × ${SECONDS}s alternating, ${CONNECTIONS} connections)`,
    )
    console.log(
      `  A without oauth.middleware(): ${fmt(medianA)} req/s (median of ${a.map(fmt).join(', ')})`,
    )
    console.log(
      `  B with    oauth.middleware(): ${fmt(medianB)} req/s (median of ${b.map(fmt).join(', ')})`,
    )
    console.log(
      `  N no-op async middleware:     ${fmt(medianN)} req/s (median of ${n.map(fmt).join(', ')})`,
    )
    console.log(
      `  B/A = ${(ratio * 100).toFixed(1)}% (target ≥ ${TARGET * 100}%): ${ratio >= TARGET ? 'OK' : 'BELOW TARGET'}`,
    )
    console.log(
      `  B/N = ${((medianB / medianN) * 100).toFixed(1)}% (oauth.middleware() beyond Hono's cost of any middleware)`,
    )
  } finally {
    child.send('stop')
    await new Promise((resolve) => child.once('exit', resolve))
    clearTimeout(deadline)
  }
}
