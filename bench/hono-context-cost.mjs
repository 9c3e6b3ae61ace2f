// Where @oauth1/hono's middleware spends its time, in one process through
// Hono's app.fetch() (no HTTP, no sockets: only the app's own work), with the
// ops/s harness of the signing bench (harness.mjs: CPU time, rounds in which
// every candidate runs one batch in turn, medians). Not one of `pnpm bench`'s
// benches (the file name does not end in .bench.mjs): run it directly, on the
// Node you want to read, after `pnpm build`:
//
//   runtimes/binaries/node_modules/node24/bin/node bench/hono-context-cost.mjs [--rounds 41] [--wall]
//
// Read it on Node 22 or later: on Node 20, the AsyncLocalStorage two rows use
// turns on async hooks for the whole process, so every row pays for it (the
// HTTP benches run one process per variant for that reason).
//
// Candidates, each a GET of the same JSON route, with before it:
//   bare              nothing (Hono's synchronous fast path)
//   no-op async       async (c, next) => { await next() }
//   same work, no ALS a sync middleware doing what oauth.middleware() does but bind the
//                     context: two c.set and one .then after next()
//   same work + ALS   the same inside AsyncLocalStorage.run({ request: c }, next)
//   oauth.middleware  the real one, with a fetchToken (so the context is bound)
import { AsyncLocalStorage } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { compare, pairedRatio, printTable } from './harness.mjs'
import { BENCH_REGISTRATION } from './http-harness.mjs'
import { benchOptions, positive } from './options.mjs'

const args = benchOptions('hono-context-cost', {
  rounds: { type: 'string', default: '31' },
  wall: { type: 'boolean', default: false },
})
const rounds = positive('hono-context-cost', args.rounds, 'rounds')
const require = createRequire(new URL('../packages/hono/package.json', import.meta.url))
const { Hono } = require('hono')
const { OAuth } = await import('../packages/hono/dist/index.js')

const storage = new AsyncLocalStorage()
const key = Symbol('state')
/** A Hono app answering GET / with JSON, behind `middleware` when given. */
function app(middleware) {
  const hono = new Hono()
  if (middleware !== undefined) hono.use(middleware)
  hono.get('/', (c) => c.json({ hello: 'world' }))
  return hono
}
function sameWork(c, next, run) {
  const state = { c }
  c.set(key, state)
  c.set('oauth1', state)
  return run(c, next).then(() => undefined)
}
const oauth = new OAuth({ config: {}, fetchToken: (_name, c) => c.get('token') })
oauth.register('provider', BENCH_REGISTRATION)
const apps = [
  ['bare', app()],
  [
    'no-op async',
    app(async (_c, next) => {
      await next()
    }),
  ],
  ['same work, no ALS', app((c, next) => sameWork(c, next, (_c, n) => n()))],
  [
    'same work + ALS',
    app((c, next) => sameWork(c, next, (c2, n) => storage.run({ request: c2 }, n))),
  ],
  ['oauth.middleware', app(oauth.middleware({ secret: randomBytes(32).toString('base64url') }))],
]

const results = await compare(
  apps.map(([name, hono]) => ({
    name,
    fn: async () => {
      const response = await hono.fetch(new Request('http://localhost/'))
      await response.text()
    },
  })),
  { rounds, batchMs: 50 },
)
console.log(`node ${process.version}; ${rounds} rounds; GET / through app.fetch()`)
printTable(results, { baseline: 'bare' })
const [bare, noop, work, workAls, ours] = results
const extra = (x, y) => ((1 / pairedRatio(x, y) - 1) * y.nsPerOp) / 1000
console.log(
  "per-round paired, µs added per request (median ratio × the baseline row's median time):",
)
console.log(`  no-op async over bare:              ${extra(noop, bare).toFixed(2)} µs`)
console.log(`  same work, no ALS, over bare:       ${extra(work, bare).toFixed(2)} µs`)
console.log(
  `  AsyncLocalStorage.run (same work + ALS over same work): ${extra(workAls, work).toFixed(2)} µs`,
)
console.log(`  oauth.middleware over the no-op:    ${extra(ours, noop).toFixed(2)} µs`)
