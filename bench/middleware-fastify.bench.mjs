// Cost of `oauth.middleware()` (@oauth1/fastify) on a trivial route.
//
//   node bench/middleware-fastify.bench.mjs        (or `pnpm bench`, after a build)
//
// Two Fastify servers with @fastify/secure-session on 127.0.0.1:0 in one child
// process: A has a trivial route and NO oauth.middleware(), B the same route
// AND oauth.middleware(). autocannon (in this process) loads them in turn,
// A, B, A, B…, and we report the median requests/s of each and B/A.
// Target: B ≥ 95% of A. Bounded in time: the child is killed after a deadline.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(new URL('../packages/fastify/package.json', import.meta.url))
// `--rounds 5 --seconds 3 --connections 10` override the defaults.
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? Number.NaN : Number(process.argv[at + 1])
  return Number.isInteger(value) && value > 0 ? value : fallback
}
const ROUNDS = Math.min(arg('rounds', 5), 15)
const SECONDS = arg('seconds', 3)
const CONNECTIONS = arg('connections', 10)
const TARGET = 0.95

if (process.argv[2] === 'serve') {
  await serve()
} else {
  await main()
}

async function serve() {
  const Fastify = require('fastify')
  const secureSession = require('@fastify/secure-session')
  const { OAuth } = await import(new URL('../packages/fastify/dist/index.js', import.meta.url).href)
  const key = randomBytes(32)
  async function build(withMiddleware) {
    const app = Fastify({ logger: false })
    await app.register(secureSession, { key })
    if (withMiddleware) {
      const oauth = new OAuth({ config: {} })
      await app.register(oauth.middleware())
    }
    app.get('/', async () => ({ hello: 'world' }))
    await app.listen({ host: '127.0.0.1', port: 0 })
    return app
  }
  const a = await build(false)
  const b = await build(true)
  process.send({ a: a.server.address().port, b: b.server.address().port })
  process.on('message', async (message) => {
    if (message === 'stop') {
      await Promise.all([a.close(), b.close()])
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
      console.error('middleware-fastify: deadline reached, stopping')
      child.kill('SIGKILL')
      process.exit(1)
    },
    (ROUNDS * 2 * (SECONDS + 2) + 30) * 1000,
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
    const a = []
    const b = []
    for (let round = 0; round < ROUNDS; round++) {
      a.push(await load(ports.a, SECONDS))
      b.push(await load(ports.b, SECONDS))
    }
    const medianA = median(a)
    const medianB = median(b)
    const ratio = medianB / medianA
    const fmt = (n) => Math.round(n).toLocaleString('en-US')
    console.log(
      `@oauth1/fastify middleware (${ROUNDS} × ${SECONDS}s alternating, ${CONNECTIONS} connections)`,
    )
    console.log(
      `  A without oauth.middleware(): ${fmt(medianA)} req/s (median of ${a.map(fmt).join(', ')})`,
    )
    console.log(
      `  B with    oauth.middleware(): ${fmt(medianB)} req/s (median of ${b.map(fmt).join(', ')})`,
    )
    console.log(
      `  B/A = ${(ratio * 100).toFixed(1)}% (target ≥ ${TARGET * 100}%): ${ratio >= TARGET ? 'OK' : 'BELOW TARGET'}`,
    )
  } finally {
    child.send('stop')
    await new Promise((resolve) => child.once('exit', resolve))
    clearTimeout(deadline)
  }
}
