#!/usr/bin/env node
// What `oauth.middleware()` of @oauth1/koa costs a Koa app.
//
// Two Koa servers with koa-session and the same trivial route, one WITHOUT and
// one WITH `oauth.middleware()`, each in its own child process, while this
// process loads them with autocannon (one server at a time), alternating A, B, A, B…
// so drift (thermal, GC, other load) hits both alike. Reports the median
// requests/s of each and the median of the paired ratios (each B run over the
// A run just before it); target: with ≥ 95% of without. Also reports each
// server's CPU time per request (steadier than requests/s on a busy machine)
// and the cost of the whole Koa pipeline driven without the network.
//
//   pnpm --filter @oauth1/core build && pnpm --filter @oauth1/koa build
//   node bench/middleware-koa.bench.mjs            # or: pnpm bench
//   node bench/middleware-koa.bench.mjs --rounds=5 --duration=5 --connections=50
//
// Imports @oauth1/koa from packages/koa/dist. Stops itself (hard limit below).

import { fork } from 'node:child_process'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const pkgRequire = createRequire(`${root}packages/koa/package.json`)

/** `--name=value` or `--name value` from the command line, else `fallback`. */
function arg(name, fallback) {
  const argv = process.argv
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
  if (i === -1) return fallback
  const raw = argv[i].includes('=') ? argv[i].slice(name.length + 3) : argv[i + 1]
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`--${name} should be a positive number`)
  return value
}

const ROUNDS = arg('rounds', 6)
const DURATION = arg('duration', 2) // seconds per run
const CONNECTIONS = arg('connections', 20)
const PIPELINING = arg('pipelining', 1)
const HARD_LIMIT_MS = (ROUNDS * 2 * (DURATION + 1) + 90) * 1000
const KEY = 'bench-koa-session-key-0123456789abcdef'

async function listen(app) {
  const server = createServer(app.callback())
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

/**
 * Child: one server, with or without the middleware. One process each: on
 * Node 20, AsyncLocalStorage in use slows every promise of its process, so a
 * "without" server sharing the process would pay part of the cost too.
 */
/** The app under test: koa-session, optionally `oauth.middleware()`, a trivial route. */
async function makeApp(withMiddleware) {
  const koaModule = pkgRequire('koa')
  const Koa = typeof koaModule === 'function' ? koaModule : koaModule.default
  const sessionModule = pkgRequire('koa-session')
  const session =
    typeof sessionModule === 'function'
      ? sessionModule
      : (sessionModule.createSession ?? sessionModule.default)
  const { OAuth } = await import(pathToFileURL(`${root}packages/koa/dist/index.js`).href)

  const oauth = new OAuth({ config: {} })
  oauth.register('provider', {
    clientId: 'bench-client',
    clientSecret: 'bench-secret',
    requestTokenUrl: 'https://provider.example/oauth/request_token',
    accessTokenUrl: 'https://provider.example/oauth/access_token',
    authorizeUrl: 'https://provider.example/oauth/authorize',
    apiBaseUrl: 'https://provider.example/api/',
  })
  const app = new Koa()
  app.keys = [KEY]
  app.use(session(app))
  if (withMiddleware) app.use(oauth.middleware())
  app.use((ctx) => {
    ctx.body = 'ok'
  })
  return app
}

async function serve(withMiddleware) {
  const app = await makeApp(withMiddleware)
  const server = await listen(app)
  process.send({ port: server.address().port })
  // the parent asks for this process's CPU time around each run
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send({ cpu: user + system })
    }
  })
  process.on('disconnect', () => process.exit(0))
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The server process's CPU time so far, in µs. */
function serverCpu(child) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (typeof message?.cpu === 'number') {
        child.off('message', onMessage)
        resolve(message.cpu)
      }
    }
    child.on('message', onMessage)
    child.send('cpu')
  })
}

/**
 * One autocannon run: requests/s, and the server's CPU µs per request, which
 * other load on the machine disturbs much less than requests/s.
 */
async function measure(autocannon, child, port, duration) {
  const before = await serverCpu(child)
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration,
  })
  const cpu = (await serverCpu(child)) - before
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`port ${port}: ${result.errors} errors, ${result.non2xx} non-2xx answers`)
  }
  return { rps: result.requests.average, cpuPerRequest: cpu / Math.max(1, result.requests.total) }
}

async function load(autocannon, port, duration) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/`,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration,
  })
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`port ${port}: ${result.errors} errors, ${result.non2xx} non-2xx answers`)
  }
  return result.requests.average
}

/**
 * Child: the whole Koa pipeline (koa-session, the middleware or not, the
 * route, the response) driven in a loop through `app.callback()` with
 * socket-less requests: CPU time per request without the network, with
 * AsyncLocalStorage's process-wide promise cost included.
 */
async function pipeline(withMiddleware) {
  const { IncomingMessage, ServerResponse } = await import('node:http')
  const { Socket } = await import('node:net')
  const handle = (await makeApp(withMiddleware)).callback()
  const once = () =>
    new Promise((resolve) => {
      const req = new IncomingMessage(new Socket())
      req.method = 'GET'
      req.url = '/'
      req.headers = { host: '127.0.0.1' }
      const res = new ServerResponse(req)
      res.end = function end() {
        resolve()
        return this
      }
      handle(req, res)
    })
  const N = 50_000
  for (let i = 0; i < N; i++) await once()
  // CPU time, not wall time: on a shared machine waiting for a core inflates wall time
  const runs = []
  for (let k = 0; k < 5; k++) {
    const before = process.cpuUsage()
    for (let i = 0; i < N; i++) await once()
    const used = process.cpuUsage(before)
    runs.push(((used.user + used.system) * 1000) / N)
  }
  process.send({ nsPerRequest: median(runs) })
}

/** Runs {@link pipeline} in a fresh process; ns per request. */
function pipelineCost(self, variant) {
  return new Promise((resolve, reject) => {
    const child = fork(self, [`--pipeline=${variant}`], { stdio: 'inherit' })
    child.once('message', (message) => {
      resolve(message.nsPerRequest)
      child.kill()
    })
    child.once('exit', (code) => reject(new Error(`pipeline process exited (${code})`)))
  })
}

/** Parent: load the servers alternately. */
async function main() {
  const autocannon = pkgRequire('autocannon')
  const self = fileURLToPath(import.meta.url)
  const children = {
    without: fork(self, ['--serve=without'], { stdio: 'inherit' }),
    with: fork(self, ['--serve=with'], { stdio: 'inherit' }),
  }
  const stop = () => {
    for (const child of Object.values(children)) {
      if (child.connected) child.disconnect()
      child.kill()
    }
  }
  const limit = setTimeout(() => {
    console.error('middleware-koa bench: hard time limit reached, stopping')
    stop()
    process.exit(1)
  }, HARD_LIMIT_MS)
  try {
    const ports = {}
    for (const [name, child] of Object.entries(children)) {
      ports[name] = await new Promise((resolve, reject) => {
        child.once('message', (message) => resolve(message.port))
        child.once('exit', (code) => reject(new Error(`server process exited (${code})`)))
      })
    }
    // warm up both (JIT, session code paths)
    await load(autocannon, ports.without, 1)
    await load(autocannon, ports.with, 1)

    const a = []
    const b = []
    const cpuA = []
    const cpuB = []
    for (let i = 0; i < ROUNDS; i++) {
      const ra = await measure(autocannon, children.without, ports.without, DURATION)
      const rb = await measure(autocannon, children.with, ports.with, DURATION)
      a.push(ra.rps)
      b.push(rb.rps)
      cpuA.push(ra.cpuPerRequest)
      cpuB.push(rb.cpuPerRequest)
    }
    const cpuWithout = median(cpuA)
    const cpuWith = median(cpuB)
    const without = median(a)
    const withMw = median(b)
    // each B run against the A run just before it: robust to slow drift in load
    const ratio = median(b.map((rps, i) => rps / a[i]))
    const fmt = (n) => Math.round(n).toLocaleString('en-US')
    const pipeA = []
    const pipeB = []
    for (let i = 0; i < 2; i++) {
      pipeA.push(await pipelineCost(self, 'without'))
      pipeB.push(await pipelineCost(self, 'with'))
    }
    const pipeWithout = median(pipeA)
    const pipeWith = median(pipeB)
    console.log(
      `koa + koa-session, ${CONNECTIONS} connections, ${ROUNDS}×${DURATION}s alternating, Node ${process.version}`,
    )
    console.log(
      `  without oauth.middleware(): ${fmt(without)} req/s (runs: ${a.map(fmt).join(', ')})`,
    )
    console.log(
      `  with    oauth.middleware(): ${fmt(withMw)} req/s (runs: ${b.map(fmt).join(', ')})`,
    )
    console.log(
      `  with/without: ${(ratio * 100).toFixed(1)}% (median of the ${ROUNDS} paired runs; target ≥ 95%)`,
    )
    console.log(
      `  server CPU per request: without ${cpuWithout.toFixed(1)} µs, with ${cpuWith.toFixed(1)} µs ` +
        `(medians) → capacity with/without ${((cpuWithout / cpuWith) * 100).toFixed(1)}%`,
    )
    console.log(
      `  whole Koa pipeline, no network, CPU: without ${(pipeWithout / 1000).toFixed(2)} µs, with ` +
        `${(pipeWith / 1000).toFixed(2)} µs per request → the middleware adds ` +
        `${((pipeWith - pipeWithout) / 1000).toFixed(2)} µs`,
    )
    console.log(
      JSON.stringify({
        bench: 'middleware-koa',
        withoutRps: Math.round(without),
        withRps: Math.round(withMw),
        ratio: Number(ratio.toFixed(4)),
        serverCpuUsPerRequest: {
          without: Number(cpuWithout.toFixed(2)),
          with: Number(cpuWith.toFixed(2)),
        },
        cpuCapacityRatio: Number((cpuWithout / cpuWith).toFixed(4)),
        pipelineNsPerRequest: { without: Math.round(pipeWithout), with: Math.round(pipeWith) },
        target: 0.95,
        pass: ratio >= 0.95,
      }),
    )
  } finally {
    clearTimeout(limit)
    stop()
  }
}

const serveArg = process.argv.find((a) => a.startsWith('--serve='))
const pipelineArg = process.argv.find((a) => a.startsWith('--pipeline='))
if (pipelineArg !== undefined) {
  pipeline(pipelineArg === '--pipeline=with').catch((err) => {
    console.error(err)
    process.exit(1)
  })
} else if (serveArg !== undefined) {
  serve(serveArg === '--serve=with').catch((err) => {
    console.error(err)
    process.exit(1)
  })
} else {
  main().catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
