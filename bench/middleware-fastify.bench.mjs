// Cost of `oauth.middleware()` (@oauth1/fastify) on a trivial route.
//
//   node bench/middleware-fastify.bench.mjs [--rounds 5] [--seconds 3] [--connections 10]
//   (or `pnpm bench`, which builds first; this file imports packages/fastify/dist)
//
// Two Fastify servers with @fastify/secure-session on 127.0.0.1:0, each in its
// own child process (so the AsyncLocalStorage hooks B turns on cannot tax A):
// A has a trivial route and NO oauth.middleware(), B the same route AND
// oauth.middleware(). autocannon, in this process, loads them in turn
// (A B, B A, A B…), and we report the median requests/s of each, B/A, and each
// server's CPU time per request (far less sensitive to the machine's other
// load than requests/s). Target: B ≥ 95% of A. Bounded in time: the children
// are killed after a deadline.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(new URL('../packages/fastify/package.json', import.meta.url))
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`)
  const value = at === -1 ? Number.NaN : Number(process.argv[at + 1])
  return Number.isInteger(value) && value > 0 ? value : fallback
}
const ROUNDS = Math.min(arg('rounds', 5), 15)
const SECONDS = Math.min(arg('seconds', 3), 30)
const CONNECTIONS = arg('connections', 10)
const TARGET = 0.95

if (process.argv[2] === 'serve') {
  await serve(process.argv[3] === 'with')
} else {
  await main()
}

async function serve(withMiddleware) {
  const Fastify = require('fastify')
  const secureSession = require('@fastify/secure-session')
  const app = Fastify({ logger: false })
  await app.register(secureSession, { key: randomBytes(32) })
  if (withMiddleware) {
    const { OAuth } = await import(
      new URL('../packages/fastify/dist/index.js', import.meta.url).href
    )
    await app.register(new OAuth({ config: {} }).middleware())
  }
  app.get('/', async () => ({ hello: 'world' }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  process.on('message', async (message) => {
    if (message === 'cpu') {
      // this process's CPU time so far (µs): the parent charges the difference to one load
      const { user, system } = process.cpuUsage()
      process.send({ cpu: user + system })
    } else if (message === 'stop') {
      await app.close()
      process.exit(0)
    }
  })
  process.send({ port: app.server.address().port })
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** A server child: its port, a way to read its CPU time, and stop(). */
async function start(variant) {
  const child = fork(fileURLToPath(import.meta.url), ['serve', variant], { stdio: 'inherit' })
  const ask = (message, field) =>
    new Promise((resolve, reject) => {
      const onMessage = (answer) => {
        if (typeof answer?.[field] === 'number') {
          child.off('message', onMessage)
          child.off('exit', onExit)
          resolve(answer[field])
        }
      }
      const onExit = (code) => reject(new Error(`the ${variant} server exited with ${code}`))
      child.on('message', onMessage)
      child.once('exit', onExit)
      if (message !== undefined) child.send(message)
    })
  const port = await ask(undefined, 'port')
  return {
    child,
    port,
    cpu: () => ask('cpu', 'cpu'),
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.send('stop')
      await exited
    },
  }
}

async function main() {
  const autocannon = require('autocannon')
  const servers = {}
  const deadline = setTimeout(
    () => {
      console.error('middleware-fastify: deadline reached, stopping')
      for (const server of Object.values(servers)) server.child.kill('SIGKILL')
      process.exit(1)
    },
    (ROUNDS * 2 * (SECONDS + 2) + 40) * 1000,
  )
  deadline.unref()
  try {
    servers.a = await start('without')
    servers.b = await start('with')
    const load = async (server, duration) => {
      const before = await server.cpu()
      const result = await autocannon({
        url: `http://127.0.0.1:${server.port}/`,
        connections: CONNECTIONS,
        duration,
      })
      const after = await server.cpu()
      if (result.non2xx !== 0 || result.errors !== 0 || result.requests.total === 0) {
        throw new Error(`unexpected answers: ${result.non2xx} non-2xx, ${result.errors} errors`)
      }
      return { rps: result.requests.average, cpu: (after - before) / result.requests.total }
    }
    // warm up both (JIT), not measured
    await load(servers.a, 1)
    await load(servers.b, 1)
    const runs = { a: [], b: [] }
    for (let round = 0; round < ROUNDS; round++) {
      // A B, then B A, …: neither server always goes first
      const order = round % 2 === 0 ? ['a', 'b'] : ['b', 'a']
      for (const key of order) runs[key].push(await load(servers[key], SECONDS))
    }
    const rpsA = median(runs.a.map((r) => r.rps))
    const rpsB = median(runs.b.map((r) => r.rps))
    const cpuA = median(runs.a.map((r) => r.cpu))
    const cpuB = median(runs.b.map((r) => r.cpu))
    const ratio = rpsB / rpsA
    const fmt = (n) => Math.round(n).toLocaleString('en-US')
    const list = (runs) => runs.map((r) => fmt(r.rps)).join(', ')
    console.log(
      `@oauth1/fastify middleware (${ROUNDS} × ${SECONDS}s alternating, ${CONNECTIONS} connections)`,
    )
    console.log(`  A without oauth.middleware(): ${fmt(rpsA)} req/s (median of ${list(runs.a)})`)
    console.log(`  B with    oauth.middleware(): ${fmt(rpsB)} req/s (median of ${list(runs.b)})`)
    console.log(
      `  B/A = ${(ratio * 100).toFixed(1)}% (target ≥ ${TARGET * 100}%): ${ratio >= TARGET ? 'OK' : 'BELOW TARGET'}`,
    )
    console.log(
      `  server CPU per request: A ${cpuA.toFixed(1)} µs, B ${cpuB.toFixed(1)} µs ` +
        `(${cpuB >= cpuA ? '+' : ''}${(cpuB - cpuA).toFixed(1)} µs); as throughput B/A = ${((cpuA / cpuB) * 100).toFixed(1)}%`,
    )
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()))
    clearTimeout(deadline)
  }
}
