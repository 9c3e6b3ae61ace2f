// What `oauth.middleware()` costs an Express app: the same trivial route behind
// express-session, served without (A) and with (B) the middleware, loaded with
// autocannon in alternating rounds (A B, B A, A B…); median requests/s and B/A.
//
//   pnpm --filter @oauth1/express build && node bench/middleware-express.bench.mjs
//   (or `pnpm bench`, which builds everything and runs every bench/*.bench.mjs)
//
// Each server runs in its own child process: the load generator does not share
// their event loop, and A does not pay for B's AsyncLocalStorage (which, once
// used, adds async hooks to the whole process on Node 20). Besides requests/s,
// the servers' CPU time per request is reported: the machine's other load
// distorts it far less. Options: --rounds (default 16), --seconds per round
// (default 1), --connections (default 10). Target: B >= 95% of A.
import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const require = createRequire(new URL('../packages/express/package.json', import.meta.url))

const { values: args } = parseArgs({
  strict: false,
  options: {
    serve: { type: 'string' },
    micro: { type: 'string' },
    rounds: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '1' },
    connections: { type: 'string', default: '10' },
  },
})
const ROUNDS = Number(args.rounds)
const SECONDS = Number(args.seconds)
const CONNECTIONS = Number(args.connections)
const TARGET = 0.95

if (args.serve === 'a' || args.serve === 'b') {
  await serve(args.serve === 'b')
} else if (args.micro === 'a' || args.micro === 'b') {
  await micro(args.micro === 'b')
} else {
  await main()
}

/** A server process: express + express-session (+ oauth.middleware() when `withOAuth`). */
async function serve(withOAuth) {
  const express = require('express')
  const session = require('express-session')
  const { OAuth } = await import('../packages/express/dist/index.js')

  const oauth = new OAuth({ config: {}, fetchToken: (_name, req) => req.session.token })
  oauth.register('provider', {
    clientId: 'bench-client',
    clientSecret: 'bench-secret',
    requestTokenUrl: 'http://127.0.0.1:1/oauth/request_token',
    accessTokenUrl: 'http://127.0.0.1:1/oauth/access_token',
    authorizeUrl: 'http://127.0.0.1:1/oauth/authorize',
  })

  const app = express()
  app.use(
    session({
      secret: 'bench-session-secret-bench-session',
      resave: false,
      saveUninitialized: false,
    }),
  )
  if (withOAuth) app.use(oauth.middleware())
  app.get('/', (_req, res) => {
    res.send('ok')
  })

  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  process.send({ port: server.address().port })
  process.on('message', (m) => {
    if (m === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send({ cpu: user + system })
    }
  })
  process.on('disconnect', () => {
    server.close()
    process.exit(0)
  })
}

/**
 * The middleware alone, without HTTP: a handler awaiting 5 promises, called
 * directly (A) or through `oauth.middleware()` (B). Prints the fastest of 15
 * batches in µs per call: the minimum is what the code costs when nothing else
 * competes for the CPU, so it holds on a loaded machine.
 */
async function micro(withOAuth) {
  const { OAuth } = await import('../packages/express/dist/index.js')
  const middleware = new OAuth({ config: {} }).middleware()
  const req = { session: {} }
  const handler = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }
  const once = withOAuth
    ? () => {
        let done
        middleware(req, {}, () => {
          done = handler()
        })
        return done
      }
    : handler
  const batch = 50_000
  let best = Number.POSITIVE_INFINITY
  for (let round = 0; round < 16; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < batch; i++) await once()
    const perCall = Number(process.hrtime.bigint() - start) / batch / 1000
    if (round > 0) best = Math.min(best, perCall) // round 0 warms up
  }
  process.stdout.write(`${best}\n`)
}

/** Runs `--micro <variant>` in a fresh process (B's AsyncLocalStorage must not slow A). */
function microIn(variant) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--micro', variant], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    })
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    child.on('exit', (code) =>
      code === 0
        ? resolve(Number(out.trim()))
        : reject(new Error(`micro ${variant}: exit ${code}`)),
    )
  })
}

/** Starts a server process; resolves to its URL and a way to read its CPU time (µs). */
async function start(variant) {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', variant], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port))
    child.once('exit', (code) => reject(new Error(`server ${variant} exited with ${code}`)))
  })
  const cpu = () =>
    new Promise((resolve) => {
      const onMessage = (m) => {
        if (m && typeof m.cpu === 'number') {
          child.off('message', onMessage)
          resolve(m.cpu)
        }
      }
      child.on('message', onMessage)
      child.send('cpu')
    })
  return { child, url: `http://127.0.0.1:${port}/`, cpu }
}

async function main() {
  const autocannon = require('autocannon')
  const servers = []
  const watchdog = setTimeout(
    () => {
      console.error('middleware-express: took too long, giving up')
      for (const s of servers) s.child.kill()
      process.exit(1)
    },
    (ROUNDS * 2 * (SECONDS + 2) + 30) * 1000,
  )
  try {
    servers.push(await start('a'), await start('b'))
    const [a, b] = servers
    const run = (url, duration) =>
      autocannon({ url, connections: CONNECTIONS, duration, pipelining: 1 })
    // warm up both (JIT, session store)
    await run(a.url, 1)
    await run(b.url, 1)
    const samples = { a: [], b: [] }
    const cpuPerRequest = { a: [], b: [] }
    for (let round = 0; round < ROUNDS; round++) {
      // A B, then B A, …: neither server always runs first
      const order = round % 2 === 0 ? ['a', 'b'] : ['b', 'a']
      for (const key of order) {
        const server = key === 'a' ? a : b
        const before = await server.cpu()
        const result = await run(server.url, SECONDS)
        const after = await server.cpu()
        if (result.errors || result.non2xx) {
          throw new Error(`${key}: ${result.errors} errors, ${result.non2xx} non-2xx`)
        }
        samples[key].push(result.requests.average)
        cpuPerRequest[key].push((after - before) / result.requests.total)
      }
    }
    const median = (xs) => {
      const s = [...xs].sort((x, y) => x - y)
      const m = s.length >> 1
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
    }
    const ma = median(samples.a)
    const mb = median(samples.b)
    // each round's B/A, from back-to-back runs under the same machine load
    const ratio = median(samples.a.map((x, i) => samples.b[i] / x))
    const ca = median(cpuPerRequest.a)
    const cb = median(cpuPerRequest.b)
    const fmt = (n) => Math.round(n).toLocaleString('en-US')
    console.log(
      `middleware-express (${ROUNDS} alternating rounds x ${SECONDS}s, ${CONNECTIONS} connections, Node ${process.version})`,
    )
    console.log(
      `  A express + express-session                    ${fmt(ma)} req/s median  [${samples.a.map(fmt).join(', ')}]`,
    )
    console.log(
      `  B express + express-session + oauth.middleware ${fmt(mb)} req/s median  [${samples.b.map(fmt).join(', ')}]`,
    )
    console.log(
      `  B/A = ${(ratio * 100).toFixed(1)}% (median of the rounds' ratios; of the medians ${((mb / ma) * 100).toFixed(1)}%)  target >= ${TARGET * 100}%: ${ratio >= TARGET ? 'met' : 'NOT met'}`,
    )
    console.log(
      `  server CPU per request: A ${ca.toFixed(1)} µs, B ${cb.toFixed(1)} µs (${cb >= ca ? '+' : ''}${(cb - ca).toFixed(1)} µs); as throughput B/A = ${((ca / cb) * 100).toFixed(1)}%`,
    )
    const microA = []
    const microB = []
    for (let i = 0; i < 3; i++) {
      microA.push(await microIn('a'))
      microB.push(await microIn('b'))
    }
    const ma2 = Math.min(...microA)
    const mb2 = Math.min(...microB)
    console.log(
      `  middleware alone (no HTTP, fastest batch): handler ${ma2.toFixed(2)} µs, through oauth.middleware() ${mb2.toFixed(2)} µs: +${(mb2 - ma2).toFixed(2)} µs per request`,
    )
  } finally {
    clearTimeout(watchdog)
    for (const s of servers) s.child.disconnect()
  }
}
