#!/usr/bin/env node
/**
 * `pnpm test:bench`: runs every bench of bench/ with the smallest settings its
 * options allow, so that a broken bench shows in CI rather than at the next
 * `pnpm bench`. Each must exit 0 and print what a real run prints (its rows,
 * its ratio lines, its JSON summary, no failed login); no figure is ever
 * judged (a shared machine; figures come only from full runs). Also: a
 * mistyped option is refused at once, and no bench leaves a process behind,
 * even when it is killed.
 *
 * Needs the built packages and the pinned Node 24 (`pnpm build`,
 * `node runtimes/binaries.mjs install`; `pnpm test:bench` does both).
 *
 *   node scripts/bench-smoke.mjs           every check
 *   node scripts/bench-smoke.mjs killed    the checks whose name contains "killed"
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const machine = process.versions.node.split('.')[0]
/** As `pnpm bench`: this Node and the pinned Node 24 the targets are set on. */
const NODES = [...new Set([machine, '24'])]
/** Where the --profile check writes its profiles (removed once checked). */
const PROFILES = mkdtempSync(join(tmpdir(), 'oauth1-bench-profiles-'))
process.on('exit', () => rmSync(PROFILES, { recursive: true, force: true }))

/** A line of the output matching `pattern` (a RegExp, or a string the line contains). */
function hasLine(output, pattern) {
  return output
    .split('\n')
    .some((line) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line)))
}

/** `text` matched literally in a RegExp (RegExp.escape is Node 24+ only). */
function literal(text) {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}

/** The JSON summary lines a bench prints (`{"bench":…}`), parsed. */
function summaries(output) {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{"bench":'))
    .map((line) => JSON.parse(line))
}

/** Every number in a JSON summary must be finite (a NaN prints as null): well formed, not judged. */
function allFinite(value, path = 'summary') {
  if (value === null) throw new Error(`${path} is null (a NaN or an Infinity?)`)
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${path} is ${value}`)
  if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) allFinite(inner, `${path}.${key}`)
  }
}

/**
 * Runs `node args…` in a process group of its own; resolves { code, output,
 * pid, timedOut } once it exits (and its output is in, or 2 s later: a
 * process it left behind may hold the pipes open; the caller checks the group).
 */
function run(args, { timeoutMs, watch } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    current = child
    let output = ''
    let timedOut = false
    const collect = (chunk) => {
      output += chunk
      watch?.(output, child)
    }
    const poll = watch === undefined ? undefined : setInterval(() => watch(output, child), 200)
    child.stdout.setEncoding('utf8').on('data', collect)
    child.stderr.setEncoding('utf8').on('data', collect)
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid)
    }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      clearInterval(poll)
      current = undefined
      const done = () => resolve({ code: code ?? signal, output, pid: child.pid, timedOut })
      const grace = setTimeout(done, 2_000)
      child.on('close', () => {
        clearTimeout(grace)
        done()
      })
    })
  })
}

/** @type {import('node:child_process').ChildProcess | undefined} */
let current
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (current !== undefined) killGroup(current.pid)
    process.exit(130)
  })
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** How many processes the process group of `pid` has. */
function groupSize(pid) {
  try {
    return execFileSync('pgrep', ['-g', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n').length
  } catch {
    return 0 // pgrep exits 1 when there is none
  }
}

function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {}
}

/** Waits up to `ms` for the process group of `pid` to empty; true when it did. */
async function groupGone(pid, ms) {
  const deadline = Date.now() + ms
  while (groupAlive(pid)) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return true
}

/** Throws unless every pattern has a line in the output. */
function expectLines(output, patterns) {
  const missing = patterns.filter((pattern) => !hasLine(output, pattern))
  if (missing.length > 0) {
    throw new Error(`missing from the output: ${missing.map((p) => String(p)).join(' | ')}`)
  }
}

const MIDDLEWARE = {
  express: 'express-session, no oauth.middleware()',
  fastify: 'secure-session, no oauth.middleware()',
  hono: 'the bare route, no middleware',
  koa: 'koa-session, no oauth.middleware()',
}
const STANDARD_ROWS = [
  'with oauth.middleware() (fetchToken set)',
  'with oauth.middleware() (no fetchToken)',
  'reference: a no-op async middleware',
  'reference: bare AsyncLocalStorage.run',
  'reference: promise-hook context',
]
const SIGNING_ROWS = [
  '(a) floor: node:crypto HMAC-SHA1',
  '(b) @oauth1/core signRequest',
  '(c) oauth-1.0a',
  '(d) oauth (node-oauth)',
  '(e) reference: hard-coded signer',
  '(f) HMAC-SHA1 as signRequest does it',
  '(g) oauth-1.0a + Headers',
]
const LOGIN = ['--rounds', '1', '--logins', '5', '--concurrency', '1,3', '--floor']

/** What a login run prints, apps on Node `major`. */
function checkLogin(output, major) {
  expectLines(output, [
    new RegExp(
      `^login: 1 rounds × 5 logins per app, concurrency 1 and 3; apps on Node v${major}\\.`,
    ),
    /^ {2}concurrency +ours CPU\/login +passport CPU\/login +passport ÷ ours +spread/,
    /^ {2}1 +[\d,]+ µs +[\d,]+ µs +[\d.]+ +[\d.]+–[\d.]+$/,
    /^ {2}3 +[\d,]+ µs +[\d,]+ µs +[\d.]+ +[\d.]+–[\d.]+$/,
    /^ {2}concurrency +floor CPU\/login +passport ÷ floor +spread +ours ÷ floor +spread$/,
    /^ {2}1 +[\d,]+ µs +[\d.]+ +[\d.]+–[\d.]+ +[\d.]+ +[\d.]+–[\d.]+$/,
    'failed logins: ours 0, passport 0, floor 0',
    /^ {2}target \(issue #10\): passport ÷ ours ≥ [\d.]+ at every concurrency on Node \d+: (met|NOT met)$/,
  ])
  const [summary, extra] = summaries(output)
  if (summary?.bench !== 'login' || extra !== undefined) throw new Error('not one login summary')
  if (summary.results.length !== 2) throw new Error('the summary has not two concurrencies')
  if (Object.values(summary.failed).some((n) => n !== 0)) throw new Error('failed logins')
  allFinite(summary.results)
}

/**
 * @type {{ name: string, args: string[], timeoutMs: number, exit?: number | string,
 *   prepare?: () => void,
 *   check?: (output: string) => void,
 *   killWhen?: (output: string, pid: number) => boolean }[]}
 */
const cases = [
  {
    name: `signing, on Node ${NODES.join(' and ')} (run.mjs)`,
    args: [
      'bench/run.mjs',
      'signing',
      '--node',
      NODES.join(),
      ...['--rounds', '3', '--batch-ms', '5'],
    ],
    timeoutMs: 60_000,
    check(output) {
      for (const major of NODES) {
        expectLines(output, [new RegExp(`^=== signing\\.bench\\.mjs on Node v${major}\\.`)])
      }
      expectLines(output, [
        ...SIGNING_ROWS.map((row) => new RegExp(`^${literal(row)} +[\\d,]+ `)),
        /^ {2}signRequest vs oauth-1\.0a \+ Headers \(g\), the same result: [\d.]+x the ops\/s .*(met|MISSED)$/,
        /^ {2}signRequest vs the floor \(a\): [\d.]+x the time .*(met|MISSED)$/,
        /^ {2}signRequest vs node-oauth: +[\d.]+x the ops\/s$/,
        /^ {2}signRequest vs its own HMAC \(f\): [\d.]+x the time; \(f\) vs the floor: [\d.]+x the time$/,
        `bench: ${NODES.length} passed (1 bench(es) × ${NODES.length} Node(s))`,
      ])
      const runs = summaries(output)
      if (runs.length !== NODES.length || runs.some((s) => s.bench !== 'signing')) {
        throw new Error(`not ${NODES.length} signing summaries`)
      }
      for (const s of runs) allFinite(s.opsPerSec)
    },
  },
  {
    name: `token-request, on Node ${NODES.join(' and ')}, with --compare (run.mjs)`,
    args: [
      'bench/run.mjs',
      'token-request',
      '--node',
      NODES.join(),
      ...['--rounds', '1', '--requests', '3', '--warmup', '0'],
      ...['--compare', 'packages/core/dist'],
    ],
    timeoutMs: 60_000,
    check(output) {
      for (const major of NODES) {
        expectLines(output, [new RegExp(`^=== token-request\\.bench\\.mjs on Node v${major}\\.`)])
      }
      expectLines(output, [
        /^ {2}node transport \(no fetch option\) +[\d.]+ µs +1\.00 *$/,
        /^ {2}fetch \(a fetch passed in\) +[\d.]+ µs +[\d.]+ +[\d.]+–[\d.]+$/,
        /^ {2}--compare build, no fetch option +[\d.]+ µs +[\d.]+ +[\d.]+–[\d.]+$/,
      ])
      const runs = summaries(output)
      if (runs.length !== NODES.length || runs.some((s) => s.bench !== 'token-request')) {
        throw new Error(`not ${NODES.length} token-request summaries`)
      }
      for (const s of runs) {
        if (s.results.length !== 3) throw new Error('not three ways in a token-request summary')
        allFinite(s.results)
      }
    },
  },
  {
    name: `the four middleware benches, every variant, on Node ${NODES.join(' and ')} (run.mjs)`,
    args: [
      'bench/run.mjs',
      'middleware',
      '--node',
      NODES.join(),
      ...['--rounds', '1', '--seconds', '0.2', '--warmup', '0.1'],
      ...['--restart-every', '1', '--connections', '2'],
    ],
    timeoutMs: 100_000,
    check(output) {
      for (const [framework, baseline] of Object.entries(MIDDLEWARE)) {
        const header = `middleware-${framework}: 1 rounds × 0.2s per server, 2 connections`
        const tables = output.split(header).slice(1)
        if (tables.length !== NODES.length) {
          throw new Error(`${tables.length} tables of middleware-${framework}, not ${NODES.length}`)
        }
        // Each table's rows, in order, right after its header.
        for (const table of tables) {
          const rows = table.split('\n').slice(2, 8)
          ;[baseline, ...STANDARD_ROWS].forEach((label, i) => {
            if (!new RegExp(`^ {2}${literal(label)} +[\\d,]+ +(—|[\\d.]+%) `).test(rows[i] ?? '')) {
              throw new Error(`middleware-${framework}: row ${i + 1} is not "${label}": ${rows[i]}`)
            }
          })
        }
      }
      expectLines(output, [
        /^ {2}with oauth\.middleware\(\) \(fetchToken set\) − reference: a no-op async middleware: -?[\d.]+ points/,
        /^ {2}target .*, (met|NOT met|not judged on this Node)$/,
        /^ {2}the same by CPU time per request: [\d.]+%/,
        `bench: ${4 * NODES.length} passed (4 bench(es) × ${NODES.length} Node(s))`,
      ])
      const runs = summaries(output)
      const want = Object.keys(MIDDLEWARE).flatMap((f) => NODES.map(() => `middleware-${f}`))
      const titles = runs.map((s) => s.bench).sort()
      if (titles.join() !== want.join()) throw new Error(`summaries of ${titles.join(', ')}`)
      for (const s of runs) {
        const keys = Object.keys(s.variants).join()
        if (keys !== 'without,with,no-fetch,noop,als,promise') throw new Error(`variants ${keys}`)
        allFinite(s.variants, s.bench)
      }
    },
  },
  {
    name: `login --floor, on Node ${machine} (run.mjs)`,
    args: ['bench/run.mjs', 'login', '--node', machine, ...LOGIN],
    timeoutMs: 60_000,
    check: (output) => checkLogin(output, machine),
  },
  {
    name: 'login --floor, the apps on Node 24 (login.bench.mjs --node 24)',
    args: ['bench/login.bench.mjs', '--node', '24', ...LOGIN],
    timeoutMs: 60_000,
    check: (output) => checkLogin(output, '24'),
  },
  {
    name: 'login --profile --profile-interval: a profile per app, read by profile-top.mjs --inclusive',
    args: [
      'bench/login.bench.mjs',
      ...['--rounds', '1', '--logins', '5', '--concurrency', '1'],
      ...['--profile', join(PROFILES, 'login'), '--profile-interval', '200'],
    ],
    timeoutMs: 60_000,
    check() {
      const dir = join(PROFILES, 'login')
      const files = readdirSync(dir).sort()
      if (files.join(' ') !== 'ours.cpuprofile passport.cpuprofile') {
        throw new Error(`want ours.cpuprofile and passport.cpuprofile, got ${files.join(', ')}`)
      }
      const top = execFileSync(
        process.execPath,
        ['bench/profile-top.mjs', join(dir, 'ours.cpuprofile'), '--inclusive', '--top', '5'],
        { cwd: root, encoding: 'utf8' },
      )
      expectLines(top, [
        /^1 profile\(s\), busy \d+ ms \(idle left out\)$/,
        /^ +[\d.]+% {2}@oauth1 frames \(packages\/\*\/dist\)$/,
        /^ +[\d.]+% {2}AsyncLocalStorage frames /,
      ])
      // Inclusive: every row listed is a frame of ours.
      const rows = top.split('\n').filter((line) => / ms {2}/.test(line))
      if (rows.length === 0 || rows.some((row) => !/ packages\/[^/]+\/dist\//.test(row))) {
        throw new Error(`--inclusive listed a frame that is not ours:\n${top}`)
      }
    },
  },
  {
    name: 'middleware --profile: a CPU profile per server process, summed by profile-top.mjs',
    args: [
      'bench/middleware-hono.bench.mjs',
      ...['--rounds', '1', '--seconds', '0.2', '--warmup', '0', '--connections', '2'],
      ...['--variants', 'with', '--profile', PROFILES],
    ],
    timeoutMs: 60_000,
    check() {
      const files = readdirSync(PROFILES).sort()
      // The baseline, "with" and the no-op: one process each (one round, one generation).
      const want = ['without', 'with', 'noop'].map((v) => `middleware-hono-${v}-`)
      for (const prefix of want) {
        if (!files.some((f) => f.startsWith(prefix) && f.endsWith('.cpuprofile'))) {
          throw new Error(`no ${prefix}*.cpuprofile in ${files.join(', ') || 'nothing'}`)
        }
      }
      const top = execFileSync(
        process.execPath,
        [
          'bench/profile-top.mjs',
          ...files.filter((f) => f.includes('-with-')).map((f) => join(PROFILES, f)),
          ...['--top', '3'],
        ],
        { cwd: root, encoding: 'utf8' },
      )
      expectLines(top, [
        /^1 profile\(s\), busy \d+ ms \(idle left out\)$/,
        /^ +[\d.]+% {2}@oauth1 frames \(packages\/\*\/dist\)$/,
        /^ +[\d.]+% {2}AsyncLocalStorage frames /,
      ])
    },
  },
  {
    name: 'login-instructions.mjs: instructions per login under callgrind, ours and the floor on Node 24',
    // valgrind comes with the machine; installed from Debian where it does not.
    prepare: () =>
      execFileSync(
        'bash',
        ['-c', 'command -v valgrind >/dev/null || bash scripts/apt-install.sh test:bench valgrind'],
        {
          cwd: root,
          stdio: 'inherit',
        },
      ),
    args: [
      'bench/login-instructions.mjs',
      ...['--node', '24', '--warmup', '2', '--logins', '3', '--concurrency', '1,2'],
      ...['--apps', 'ours,floor'],
    ],
    timeoutMs: 240_000,
    check(output) {
      expectLines(output, [
        /^login instructions \(callgrind\): 2 warm-up \+ 3 counted logins per app, concurrency 1 and 2; apps on Node v24\./,
        /^ {2}concurrency +ours instr\/login +floor instr\/login +ours ÷ floor$/,
        /^ {2}1 +[\d,]+ +[\d,]+ +[\d.]+$/,
        /^ {2}2 +[\d,]+ +[\d,]+ +[\d.]+$/,
        /^ {2}concurrency +ours without GC +floor without GC +ours ÷ floor$/,
        /GC per login: c=1 ours [\d,]+, floor [\d,]+; c=2 ours [\d,]+, floor [\d,]+\)$/,
        'failed logins: 0',
      ])
      const [summary, extra] = summaries(output)
      if (summary?.bench !== 'login-instructions' || extra !== undefined) {
        throw new Error('not one login-instructions summary')
      }
      if (summary.results.length !== 2) throw new Error('the summary has not two concurrencies')
      allFinite(summary.results)
      // Counted, not made up: a login is millions of instructions.
      // The collector's share is a part of it, found by name in the dump.
      for (const row of summary.results) {
        if (!(row.ours > 1e6 && row.floor > 1e6))
          throw new Error(`implausible counts ${JSON.stringify(row)}`)
        if (!(row.gc?.ours >= 0 && row.gc.ours < row.ours && row.gc.floor < row.floor))
          throw new Error(`implausible GC counts ${JSON.stringify(row)}`)
      }
    },
  },
  {
    name: 'gc-survival.mjs: what outlives a scavenge, per server',
    args: ['bench/gc-survival.mjs', '--connections', '40', '--servers', 'http,express-session'],
    timeoutMs: 60_000,
    check(output) {
      expectLines(output, [
        /^gc survival: 40 connections × 4 requests per server, one at a time; servers on Node v[\d.]+$/,
        /^ {2}server +scavenges +allocated\/request +survived +promoted\/request +mark-compacts$/,
        /^ {2}http +\d+ +[\d.]+ KB +[\d.]+% +[\d.]+ KB +\d+$/,
        /^ {2}express-session +\d+ +[\d.]+ KB +[\d.]+% +[\d.]+ KB +\d+$/,
      ])
      const [summary, extra] = summaries(output)
      if (summary?.bench !== 'gc-survival' || extra !== undefined) {
        throw new Error('not one gc-survival summary')
      }
      allFinite(summary.results)
      // Read from a real trace: 160 requests allocate, and a scavenge ran.
      for (const row of summary.results) {
        if (!(row.allocatedPerRequest > 1000 && row.scavenges > 0))
          throw new Error(`implausible trace ${JSON.stringify(row)}`)
      }
    },
  },
  {
    name: 'hono-context-cost.mjs',
    args: ['bench/hono-context-cost.mjs', '--rounds', '1'],
    timeoutMs: 60_000,
    check(output) {
      expectLines(output, [
        /^node v[\d.]+; 1 rounds; GET \/ through app\.fetch\(\)$/,
        ...['bare', 'no-op async', 'same work, no ALS', 'same work + ALS', 'oauth.middleware'].map(
          (row) => new RegExp(`^${literal(row)} +[\\d,]+ `),
        ),
        /^ {2}no-op async over bare: +-?[\d.]+ µs$/,
        /^ {2}same work, no ALS, over bare: +-?[\d.]+ µs$/,
        /^ {2}AsyncLocalStorage\.run \(same work \+ ALS over same work\): -?[\d.]+ µs$/,
        /^ {2}oauth\.middleware over the no-op: +-?[\d.]+ µs$/,
      ])
    },
  },
  // A mistyped option ends every bench at once, instead of a full-size run.
  ...[
    [['bench/signing.bench.mjs', '--roudns', '3'], 'signing bench: unknown option --roudns'],
    [
      ['bench/token-request.bench.mjs', '--request', '3'],
      'token-request bench: unknown option --request',
    ],
    [['bench/middleware-express.bench.mjs', '--second', '0.2'], 'unknown option --second'],
    [['bench/middleware-fastify.bench.mjs', '--rounds', '1', 'x'], 'unexpected argument "x"'],
    [['bench/middleware-hono.bench.mjs', '--warmup=-1'], '--warmup should be a number ≥ 0'],
    [['bench/middleware-koa.bench.mjs', '--variants', 'nope'], '--variants: no variant "nope"'],
    [['bench/login.bench.mjs', '--login', '5'], 'login bench: unknown option --login'],
    [['bench/login.bench.mjs', '--logins', '0'], '--logins should be a positive integer'],
    [['bench/hono-context-cost.mjs', '--round', '1'], 'unknown option --round'],
    [['bench/login-instructions.mjs', '--apps', 'ours,nope'], '--apps: no app "nope"'],
    [['bench/gc-survival.mjs', '--servers', 'nope'], '--servers: no server "nope"'],
    [['bench/gc-survival.mjs', '--servers', 'http,http'], '--servers names "http" twice'],
    [['bench/login-instructions.mjs', '--node', '99'], '--node 99: no such Node pinned'],
    [['bench/login.bench.mjs', '--node', '99'], '--node 99: no such Node pinned'],
  ].map(([args, message]) => ({
    name: `refuses: ${args.slice(1).join(' ')} (${args[0].slice('bench/'.length)})`,
    args,
    timeoutMs: 15_000,
    exit: 2,
    check: (output) => expectLines(output, [message]),
  })),
  {
    name: 'run.mjs reads the filter after --node',
    args: ['bench/run.mjs', '--node', machine, 'no-such-bench'],
    timeoutMs: 15_000,
    exit: 1,
    check: (output) => expectLines(output, ['no bench/*.bench.mjs file matches "no-such-bench"']),
  },
  {
    name: 'a killed login bench leaves no server behind',
    args: ['bench/login.bench.mjs', '--rounds', '50', '--logins', '50', '--floor'],
    timeoutMs: 30_000,
    exit: 'SIGKILL',
    // Once its apps have started: kill the bench alone, not its group.
    killWhen: (output) => output.includes('login: 50 rounds'),
  },
  {
    name: 'a killed middleware bench leaves no server behind',
    args: ['bench/middleware-koa.bench.mjs', '--rounds', '50', '--warmup', '0'],
    timeoutMs: 30_000,
    exit: 'SIGKILL',
    // Once its six servers are up (the bench prints nothing before the end).
    killWhen: (_output, pid) => groupSize(pid) >= 7,
  },
]

const format = (ms) => `${(ms / 1000).toFixed(1)} s`
const started = performance.now()
const failures = []
const only = process.argv[2]
const chosen = only === undefined ? cases : cases.filter((c) => c.name.includes(only))
if (chosen.length === 0) {
  console.error(`bench smoke: no check named like "${only}"`)
  process.exit(2)
}
for (const testCase of chosen) {
  const t0 = performance.now()
  testCase.prepare?.()
  let killed = false
  const result = await run(testCase.args, {
    timeoutMs: testCase.timeoutMs,
    watch(output, child) {
      if (testCase.killWhen === undefined || killed) return
      if (testCase.killWhen(output, child.pid)) {
        killed = true
        child.kill('SIGKILL')
      }
    },
  })
  let problem
  try {
    const exit = testCase.exit ?? 0
    if (result.timedOut) throw new Error(`no exit after ${testCase.timeoutMs / 1000} s`)
    if (result.code !== exit) throw new Error(`exit ${result.code}, expected ${exit}`)
    testCase.check?.(result.output)
  } catch (error) {
    problem = error.message
  }
  // Whatever the bench started (servers, apps, the provider) must be gone with it.
  if (!(await groupGone(result.pid, 5_000))) {
    killGroup(result.pid)
    problem = `${problem ? `${problem}; ` : ''}processes left behind after it ended`
  }
  const took = format(performance.now() - t0)
  if (problem === undefined) {
    console.log(`✓ ${testCase.name} (${took})`)
  } else {
    failures.push(testCase.name)
    console.log(`✗ ${testCase.name} (${took}): ${problem}`)
    console.log(`  node ${testCase.args.join(' ')}; its output:`)
    console.log(result.output.replace(/^/gm, '  | '))
  }
}

const took = format(performance.now() - started)
if (failures.length > 0) {
  console.log(`bench smoke: ${failures.length} of ${chosen.length} failed, in ${took}`)
  process.exit(1)
}
console.log(`bench smoke: ${chosen.length} passed, in ${took} (no figure judged)`)
