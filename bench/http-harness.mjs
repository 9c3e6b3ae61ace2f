// The shared harness of the middleware benches (bench/middleware-*.bench.mjs):
// one server process per variant of a trivial route, loaded in turn by
// autocannon from this process, in rounds whose order rotates (so drift,
// GC and other load hit every variant alike), each variant compared with the
// baseline of the same round.
//
// Why one process per variant: on Node 20, an AsyncLocalStorage in use makes
// Node track every async resource of its process, so a baseline sharing a
// process with the middleware would pay part of its cost.
//
// What is reported per variant: median requests/s over the rounds, the median
// of its per-round ratio to the baseline (the target's figure), and the
// server's CPU time per request (user + system of the server process over
// the run, divided by the requests it answered): steadier than requests/s
// when the machine is shared, since other load stretches wall time, not the
// server's CPU time.
//
//   import { runHttpBench } from './http-harness.mjs'
//   await runHttpBench({ title, file: import.meta.url, variants, serve, require })
//
// Options (each bench forwards its command line): --rounds N (default 12),
// --seconds S per load (default 1; fractions allowed), --warmup S of unmeasured
// load for each fresh server process (default 1; 0: none), --connections N (default 10),
// --variants a,b (only those, with the baseline, "with" and "noop": e.g.
// --variants with for the target's three, paired closer in time),
// --restart-every N (start fresh server processes every N rounds, default 4;
// 0: one process per variant for the whole run), --check (exit 1 when the
// target is missed; Node 24 and later only), --profile <dir> (each server
// process runs with --cpu-prof, writing <title>-<variant>-<n>.cpuprofile into
// <dir>; `node bench/profile-top.mjs <dir>/*-with-*.cpuprofile` sums them).
//
// Why restart: each process has its own luck — what the JIT inlined, where
// the heap and the code landed, which core it ran on — worth a few percent
// either way and fixed for the process's life, so rounds alone cannot
// average it out (a run with one process each read a no-op middleware 5%
// faster than the bare route, and the same code 92% one run and 97% the
// next). Fresh processes every few rounds, each warmed up before it is
// measured, spread that luck over every variant alike.
//
// The target (issue #10), on Node 24 and later (on Node 20 the figure is
// reported, not judged): the target variant keeps ≥ 95% of the baseline's
// requests/s — or, where the no-op async middleware of the same run already
// costs more than 5%, comes within 2 points of it (both as medians of the
// per-round ratios to the baseline).

import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { benchOptions, positive } from './options.mjs'
import { median, quantile } from './stats.mjs'

/** The options every middleware bench takes (see the top of this file). */
const OPTIONS = {
  rounds: { type: 'string', default: '12' },
  seconds: { type: 'string', default: '1' },
  warmup: { type: 'string', default: '1' },
  connections: { type: 'string', default: '10' },
  variants: { type: 'string' },
  'restart-every': { type: 'string', default: '4' },
  check: { type: 'boolean', default: false },
  profile: { type: 'string' },
}

/**
 * A per-request context on V8's promise hooks alone (no async_hooks): the
 * value follows promise chains (await, then) but not callbacks (timers,
 * events). NOT what @oauth1 ships — shown as a reference row, to measure how
 * much of AsyncLocalStorage's cost on Node 20 is its async_hooks machinery.
 */
export async function createPromiseHookContext() {
  const { promiseHooks } = await import('node:v8')
  const key = Symbol('context')
  const saved = []
  let current
  promiseHooks.createHook({
    init(promise) {
      if (current !== undefined) promise[key] = current
    },
    before(promise) {
      saved.push(current)
      current = promise[key]
    },
    after() {
      current = saved.pop()
    },
  })
  return {
    run(value, fn) {
      const previous = current
      current = value
      try {
        return fn()
      } finally {
        current = previous
      }
    },
    current: () => current,
  }
}

/** The provider every bench registers (never contacted: the route makes no API call). */
export const BENCH_REGISTRATION = {
  clientId: 'bench-client',
  clientSecret: 'bench-secret',
  requestTokenUrl: 'https://provider.example/oauth/request_token',
  accessTokenUrl: 'https://provider.example/oauth/access_token',
  authorizeUrl: 'https://provider.example/oauth/authorize',
  apiBaseUrl: 'https://provider.example/api/',
}

/**
 * The variants every middleware bench measures, after its baseline:
 * `with` (a fetchToken, as in the READMEs, so the request is kept in
 * AsyncLocalStorage; the target's variant), `no-fetch` (no fetchToken: the
 * context is not bound), and the references `als` and `promise`.
 */
export const STANDARD_VARIANTS = [
  { key: 'with', label: 'with oauth.middleware() (fetchToken set)' },
  { key: 'no-fetch', label: 'with oauth.middleware() (no fetchToken)' },
  { key: 'noop', label: 'reference: a no-op async middleware' },
  { key: 'als', label: 'reference: bare AsyncLocalStorage.run' },
  { key: 'promise', label: 'reference: promise-hook context' },
]

/** The target of every middleware bench (issue #10), judged on Node 24 and later. */
export const STANDARD_TARGET = { variant: 'with', ratio: 0.95, noop: 'noop', points: 0.02 }

/** The Node major from which the target is judged; before it, the figure is only reported. */
const TARGET_FROM_MAJOR = 24

/**
 * The adapter's registry for `variant` ('with': with `fetchToken`;
 * 'no-fetch': without), with BENCH_REGISTRATION registered; undefined for
 * the other variants.
 */
export function benchRegistry(OAuth, variant, fetchToken) {
  if (variant !== 'with' && variant !== 'no-fetch') return undefined
  const oauth = new OAuth(variant === 'with' ? { config: {}, fetchToken } : { config: {} })
  oauth.register('provider', BENCH_REGISTRATION)
  return oauth
}

/**
 * For the reference variants, `{ run(request, next) }`: a bare
 * AsyncLocalStorage ('als') or the promise-hook context ('promise');
 * undefined for the others.
 */
export async function referenceContext(variant) {
  if (variant === 'als') {
    const { AsyncLocalStorage } = await import('node:async_hooks')
    const storage = new AsyncLocalStorage()
    return { run: (request, next) => storage.run(request, next) }
  }
  if (variant === 'promise') return createPromiseHookContext()
  return undefined
}

/**
 * The variants to run: all of the bench's, or with `--variants a,b` those
 * named plus the baseline, the target's variant and its no-op (fewer servers
 * per round pair each one closer in time with the baseline, which a busy
 * machine needs).
 */
function chooseVariants(bench, args) {
  if (typeof args.variants !== 'string') return bench.variants
  const known = bench.variants.map((v) => v.key)
  const named = args.variants.split(',').map((key) => key.trim())
  for (const key of named) {
    if (!known.includes(key)) {
      console.error(
        `${bench.title}: --variants: no variant "${key}" (this bench has ${known.join(', ')})`,
      )
      process.exit(2)
    }
  }
  const keep = new Set([known[0], bench.target.variant, bench.target.noop, ...named])
  return bench.variants.filter((v) => keep.has(v.key))
}

/** Child side: start the variant's server, answer the parent's questions. */
async function serveChild(serve, key) {
  const server = await serve(key)
  process.on('message', async (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send({ cpu: user + system })
    } else if (message === 'stop') {
      await server.close()
      process.exit(0)
    }
  })
  process.on('disconnect', () => process.exit(0))
  process.send({ port: server.port })
}

/**
 * Runs one middleware bench.
 *
 * @param {{
 *   title: string,
 *   file: string,              // the bench's import.meta.url (re-run as the server child)
 *   require: NodeRequire,      // resolves autocannon (a devDependency of the adapter)
 *   variants: { key: string, label: string }[],   // the first is the baseline
 *   target: { variant: string, ratio: number, noop?: string, points?: number },
 *     // e.g. STANDARD_TARGET: 'with' ≥ 95% of the baseline, or within 2 points of
 *     // the 'noop' variant where that one is below 95%
 *   serve: (key: string) => Promise<{ port: number, close: () => unknown }>,
 * }} bench
 */
export async function runHttpBench(bench) {
  if (process.argv[2] === '--serve') {
    await serveChild(bench.serve, process.argv[3])
    return
  }
  const args = benchOptions(bench.title, OPTIONS)
  const rounds = positive(bench.title, args.rounds, 'rounds')
  const seconds = positive(bench.title, args.seconds, 'seconds', { integer: false })
  const warmup = positive(bench.title, args.warmup, 'warmup', { integer: false, zero: true })
  const connections = positive(bench.title, args.connections, 'connections')
  const restartEvery = positive(bench.title, args['restart-every'], 'restart-every', { zero: true })
  const autocannon = bench.require('autocannon')
  const variants = chooseVariants(bench, args)
  const baseline = variants[0].key
  const servers = new Map()

  const deadline = setTimeout(
    () => {
      console.error(`${bench.title}: deadline reached, stopping`)
      for (const server of servers.values()) server.child.kill('SIGKILL')
      process.exit(1)
    },
    ((rounds + 1) * variants.length * (Math.max(seconds, 1) + 2) +
      (restartEvery === 0 ? 1 : Math.ceil(rounds / restartEvery)) *
        variants.length *
        (Math.max(warmup, 1) + 5) +
      60) *
      1000,
  )
  deadline.unref()

  let started = 0
  async function start(key) {
    const profile =
      typeof args.profile === 'string'
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${args.profile}`,
            `--cpu-prof-name=${bench.title}-${key}-${++started}.cpuprofile`,
          ]
        : []
    const child = fork(fileURLToPath(bench.file), ['--serve', key], {
      stdio: 'inherit',
      execArgv: [...process.execArgv, ...profile],
    })
    const ask = (message, field) =>
      new Promise((resolve, reject) => {
        const onMessage = (answer) => {
          if (typeof answer?.[field] === 'number') {
            child.off('message', onMessage)
            child.off('exit', onExit)
            resolve(answer[field])
          }
        }
        const onExit = (code) => reject(new Error(`the ${key} server exited with ${code}`))
        child.on('message', onMessage)
        child.once('exit', onExit)
        if (message !== undefined) child.send(message)
      })
    const port = await ask(undefined, 'port')
    return { child, port, cpu: () => ask('cpu', 'cpu') }
  }

  async function load(key, duration) {
    const server = servers.get(key)
    const before = await server.cpu()
    // autocannon checks its deadline only when it takes a sample (every
    // sampleInt ms, 1000 by default), so a load of 0.2 s ran for 1 s and one
    // of 1 s for 1 or 2; and its requests.average is per sample, not per
    // second. Sampling every 50 ms ends a load within 50 ms of `duration`,
    // and requests/s is counted here over the load's own wall time.
    const started = performance.now()
    const result = await autocannon({
      url: `http://127.0.0.1:${server.port}/`,
      connections,
      duration,
      sampleInt: 50,
      pipelining: 1,
    })
    const elapsed = (performance.now() - started) / 1000
    const after = await server.cpu()
    if (result.non2xx !== 0 || result.errors !== 0 || result.requests.total === 0) {
      throw new Error(
        `${key}: unexpected answers: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.requests.total} requests`,
      )
    }
    return {
      rps: result.requests.total / elapsed,
      cpu: (after - before) / result.requests.total,
    }
  }

  async function stop(server) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return
    const exited = new Promise((resolve) => server.child.once('exit', resolve))
    server.child.send('stop')
    await exited
  }

  /** Fresh server processes for every variant, each warmed up (JIT), not measured. */
  async function startAll() {
    await Promise.all([...servers.values()].map(stop))
    for (const { key } of variants) servers.set(key, await start(key))
    if (warmup > 0) for (const { key } of variants) await load(key, warmup)
  }

  try {
    const runs = new Map(variants.map(({ key }) => [key, []]))
    for (let round = 0; round < rounds; round++) {
      if (round === 0 || (restartEvery > 0 && round % restartEvery === 0)) await startAll()
      const order = variants.map((_, i) => variants[(i + round) % variants.length].key)
      const results = new Map()
      for (const key of order) results.set(key, await load(key, seconds))
      const base = results.get(baseline)
      for (const [key, run] of results) {
        runs.get(key).push({ ...run, ratio: run.rps / base.rps, cpuRatio: base.cpu / run.cpu })
      }
    }

    const summary = variants.map(({ key, label }) => {
      const list = runs.get(key)
      return {
        key,
        label,
        rps: median(list.map((r) => r.rps)),
        ratio: median(list.map((r) => r.ratio)),
        ratioLow: quantile(
          list.map((r) => r.ratio),
          0.25,
        ),
        ratioHigh: quantile(
          list.map((r) => r.ratio),
          0.75,
        ),
        cpu: median(list.map((r) => r.cpu)),
        cpuRatio: median(list.map((r) => r.cpuRatio)),
      }
    })
    const fmt = (n) => Math.round(n).toLocaleString('en-US')
    const pct = (n) => `${(n * 100).toFixed(1)}%`
    const width = Math.max(...summary.map((s) => s.label.length))
    console.log(
      `${bench.title}: ${rounds} rounds × ${seconds}s per server, ${connections} connections, ` +
        `servers in rotating order, one process each, ${
          restartEvery === 0 ? 'never restarted' : `fresh processes every ${restartEvery} rounds`
        }; Node ${process.version}`,
    )
    console.log(
      `  ${'server'.padEnd(width)}  ${'req/s'.padStart(8)}  ${'of baseline'.padStart(11)}  ` +
        `${'middle half'.padStart(13)}  ${'CPU/request'.padStart(11)}  ${'as throughput'.padStart(13)}`,
    )
    for (const s of summary) {
      const isBase = s.key === baseline
      const spread = isBase
        ? '—'
        : `${(s.ratioLow * 100).toFixed(0)}–${(s.ratioHigh * 100).toFixed(0)}%`
      console.log(
        `  ${s.label.padEnd(width)}  ${fmt(s.rps).padStart(8)}  ${(isBase ? '—' : pct(s.ratio)).padStart(11)}  ` +
          `${spread.padStart(13)}  ${`${s.cpu.toFixed(1)} µs`.padStart(11)}  ${(isBase ? '—' : pct(s.cpuRatio)).padStart(13)}`,
      )
    }
    console.log(
      '  (of baseline: median over the rounds of requests/s ÷ the baseline’s in the same round;' +
        ' middle half: its quartiles; as throughput: the same from CPU time per request)',
    )
    const { variant, ratio: wanted, noop: noopKey, points = 0 } = bench.target
    const measured = summary.find((s) => s.key === variant)
    const noop = noopKey === undefined ? undefined : summary.find((s) => s.key === noopKey)
    // The target's variant minus the no-op, in points of the baseline, per round (median).
    const behindNoop =
      noop === undefined
        ? undefined
        : median(runs.get(variant).map((r, round) => r.ratio - runs.get(noopKey)[round].ratio))
    const judged = Number(process.versions.node.split('.')[0]) >= TARGET_FROM_MAJOR
    const met =
      measured.ratio >= wanted ||
      (noop !== undefined && noop.ratio < wanted && measured.ratio >= noop.ratio - points)
    if (noop !== undefined) {
      console.log(
        `  ${measured.label} − ${noop.label}: ${(behindNoop * 100).toFixed(1)} points ` +
          '(median of per-round differences of "of baseline")',
      )
    }
    const rule =
      `${measured.label} ≥ ${pct(wanted)} of the baseline's requests/s` +
      (noop === undefined
        ? ''
        : `, or within ${(points * 100).toFixed(0)} points of the no-op where it is below ${pct(wanted)}`)
    console.log(
      `  target${judged ? '' : ` (judged on Node ${TARGET_FROM_MAJOR}+; reported only here)`}: ${rule}: ` +
        `${pct(measured.ratio)}${noop === undefined ? '' : ` (no-op ${pct(noop.ratio)})`}, ` +
        `${judged ? (met ? 'met' : 'NOT met') : 'not judged on this Node'}`,
    )
    // The same from the server's CPU time per request, which other load on
    // the machine stretches far less than wall time: a second reading.
    console.log(
      `  the same by CPU time per request: ${pct(measured.cpuRatio)}` +
        `${noop === undefined ? '' : ` (no-op ${pct(noop.cpuRatio)})`}`,
    )
    console.log(
      JSON.stringify({
        bench: bench.title,
        node: process.version,
        rounds,
        seconds,
        restartEvery,
        connections,
        variants: Object.fromEntries(
          summary.map((s) => [
            s.key,
            {
              rps: Math.round(s.rps),
              ratio: Number(s.ratio.toFixed(4)),
              cpuUsPerRequest: Number(s.cpu.toFixed(2)),
              cpuRatio: Number(s.cpuRatio.toFixed(4)),
            },
          ]),
        ),
        target: bench.target,
        behindNoopPoints:
          behindNoop === undefined ? undefined : Number((behindNoop * 100).toFixed(2)),
        judged,
        met,
      }),
    )
    if (args.check && judged && !met) process.exitCode = 1
  } finally {
    await Promise.all([...servers.values()].map(stop))
    clearTimeout(deadline)
  }
}
