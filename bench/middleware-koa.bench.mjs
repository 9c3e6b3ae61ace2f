#!/usr/bin/env node
// What `oauth.middleware()` of @oauth1/koa costs a Koa app.
//
// Two Koa servers with koa-session and the same trivial route, one WITHOUT and
// one WITH `oauth.middleware()`, each in its own child process, while this
// process loads them with autocannon (one server at a time), alternating A, B, A, B…
// so drift (thermal, GC, other load) hits both alike. Reports the median
// requests/s of each and the median of the paired ratios (each B run over the
// A run just before it); target: with ≥ 95% of without. Two more servers show
// where the cost goes: `oauth.middleware({ context: false })` (no
// AsyncLocalStorage) and a bare `AsyncLocalStorage.run(ctx, next)` middleware
// (on Node 20 AsyncLocalStorage slows every async resource of its process). Also reports each
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

const ROUNDS = arg('rounds', 8)
const DURATION = arg('duration', 2) // seconds per run
const CONNECTIONS = arg('connections', 20)
const PIPELINING = arg('pipelining', 1)
const HARD_LIMIT_MS = (ROUNDS * 4 * (DURATION + 1) + 120) * 1000
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
/**
 * The app under test: koa-session, then `variant`: nothing (`without`),
 * `oauth.middleware()` (`with`), or, for reference, a bare
 * `AsyncLocalStorage.run(ctx, next)` (`als`); then a trivial route.
 */
async function makeApp(variant) {
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
  if (variant === 'with') app.use(oauth.middleware())
  if (variant === 'nocontext') app.use(oauth.middleware({ context: false }))
  if (variant === 'als') {
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const storage = new AsyncLocalStorage()
    app.use((ctx, next) => storage.run(ctx, next))
  }
  app.use((ctx) => {
    ctx.body = 'ok'
  })
  return app
}

async function serve(variant) {
  const app = await makeApp(variant)
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
async function pipeline(variant) {
  const { IncomingMessage, ServerResponse } = await import('node:http')
  const { Socket } = await import('node:net')
  const handle = (await makeApp(variant)).callback()
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
/** The servers, in the order each round loads them. `without` is the baseline. */
const VARIANTS = [
  ['without', 'without oauth.middleware()'],
  ['with', 'with oauth.middleware()'],
  ['nocontext', 'with oauth.middleware({ context: false })'],
  ['als', 'a bare AsyncLocalStorage.run (reference)'],
]

async function main() {
  const autocannon = pkgRequire('autocannon')
  const self = fileURLToPath(import.meta.url)
  const children = Object.fromEntries(
    VARIANTS.map(([name]) => [name, fork(self, [`--serve=${name}`], { stdio: 'inherit' })]),
  )
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
    // warm up every server (JIT, session code paths)
    for (const [name] of VARIANTS) await load(autocannon, ports[name], 1)

    const runs = Object.fromEntries(VARIANTS.map(([name]) => [name, []]))
    for (let i = 0; i < ROUNDS; i++) {
      // rotate the order each round, so no server always goes first
      for (let j = 0; j < VARIANTS.length; j++) {
        const [name] = VARIANTS[(i + j) % VARIANTS.length]
        runs[name].push(await measure(autocannon, children[name], ports[name], DURATION))
      }
    }
    const rps = (name) => median(runs[name].map((r) => r.rps))
    const cpu = (name) => median(runs[name].map((r) => r.cpuPerRequest))
    // each run against the baseline run of the same round: robust to slow drift in load
    const ratio = (name) => median(runs[name].map((r, i) => r.rps / runs.without[i].rps))

    const pipe = { without: [], with: [] }
    for (let i = 0; i < 2; i++) {
      pipe.without.push(await pipelineCost(self, 'without'))
      pipe.with.push(await pipelineCost(self, 'with'))
    }
    const pipeWithout = median(pipe.without)
    const pipeWith = median(pipe.with)

    const fmt = (n) => Math.round(n).toLocaleString('en-US')
    const pct = (n) => `${(n * 100).toFixed(1)}%`
    console.log(
      `koa + koa-session, ${CONNECTIONS} connections, ${ROUNDS}×${DURATION}s per server per round, ` +
        `servers alternating in rotating order, Node ${process.version}`,
    )
    for (const [name, label] of VARIANTS) {
      const detail = name === 'without' ? '' : `, ${pct(ratio(name))} of without`
      console.log(
        `  ${label.padEnd(42)} ${fmt(rps(name)).padStart(7)} req/s, ${cpu(name).toFixed(1)} µs CPU/request${detail}`,
      )
    }
    console.log(`  target: with ≥ 95% of without → ${ratio('with') >= 0.95 ? 'met' : 'NOT met'}`)
    console.log(
      `  whole Koa pipeline, no network, CPU: without ${(pipeWithout / 1000).toFixed(2)} µs, with ` +
        `${(pipeWith / 1000).toFixed(2)} µs per request → the middleware adds ` +
        `${((pipeWith - pipeWithout) / 1000).toFixed(2)} µs`,
    )
    console.log(
      JSON.stringify({
        bench: 'middleware-koa',
        rps: Object.fromEntries(VARIANTS.map(([name]) => [name, Math.round(rps(name))])),
        ratio: Object.fromEntries(VARIANTS.map(([name]) => [name, Number(ratio(name).toFixed(4))])),
        cpuUsPerRequest: Object.fromEntries(
          VARIANTS.map(([name]) => [name, Number(cpu(name).toFixed(2))]),
        ),
        pipelineNsPerRequest: { without: Math.round(pipeWithout), with: Math.round(pipeWith) },
        target: 0.95,
        pass: ratio('with') >= 0.95,
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
  pipeline(pipelineArg.slice('--pipeline='.length)).catch((err) => {
    console.error(err)
    process.exit(1)
  })
} else if (serveArg !== undefined) {
  serve(serveArg.slice('--serve='.length)).catch((err) => {
    console.error(err)
    process.exit(1)
  })
} else {
  main().catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
