// The login bench's three apps (bench/login-apps.mjs: ours, passport, the
// floor) measured in instructions rather than CPU time: each app runs under
// valgrind's callgrind, which counts the instructions its threads execute
// (JIT code, builtins, the GC's helper threads and all), the same count for
// the same work whatever else the machine is doing. The CPU-time bench
// (login.bench.mjs) is the one the target of issue #10 is judged by; its
// rounds swing by ±30% on a shared machine, too much to see a change of a
// few per cent. This one is for that: is a change to the login cheaper or
// not, and where ours stands against the floor, with no noise to argue with.
//
//   node bench/login-instructions.mjs [options]      after `pnpm build`
//
// Options:
//   --node <major|path>   the apps' Node, as login.bench.mjs takes it (default
//                         the machine's; `24` is the one pinned in runtimes/)
//   --warmup N            logins per app before counting (default 500: the
//                         JIT has settled by then)
//   --logins N            counted logins per app (default 400)
//   --concurrency a,b     browsers logging in at once (default 1,50)
//   --apps a,b            of ours, passport, floor (default all three)
//   --no-fetch-token      our app without a registry fetchToken, as in
//                         login.bench.mjs (no AsyncLocalStorage context)
//   --keep <dir>          keep callgrind's dumps there (read them with
//                         callgrind_annotate); default a temporary directory,
//                         removed at the end
//
// Needs valgrind (Debian: apt-get install valgrind). Slow: every app runs
// about fifty times slower under callgrind, so a default run takes ten
// to fifteen minutes on Node 24 (longer on Node 20, whose JIT runs longer); it is not part of `pnpm bench`.
//
// Each app and concurrency gets a fresh process: started under callgrind,
// the warm-up logins, the counters zeroed (callgrind_control -z), the counted
// logins, a dump (callgrind_control -d). The GC work the counted logins
// cause is in the count, on whichever thread did it. No GC is forced at
// either end: a forced full GC shrinks the heap, and the logins after it
// then pay for many more scavenges than a server that has been up for a
// while. What is counted is user space only: the kernel's share of CPU time
// (syscalls, the network) is not in it, nor what cache misses cost; the
// CPU-time bench sees those.
//
// A second table leaves out V8's collector (its C++ functions, found by name
// in the dump: the scavenger, the marker, the sweeper): 400 logins are less
// than a major GC cycle, so one falls in the count or does not, and moves a
// total by several per cent. Without it, the same build reads within a few
// thousand instructions from run to run: the table to judge a code change
// by, with the GC column to see what its allocations cost.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { appNodeOrExit, fmt, runLogins, start } from './login-driver.mjs'
import { benchOptions, listOption, positive } from './options.mjs'

const BENCH = 'login instructions'
const ROLES = ['ours', 'passport', 'floor']
const args = benchOptions(BENCH, {
  node: { type: 'string' },
  warmup: { type: 'string', default: '500' },
  logins: { type: 'string', default: '400' },
  concurrency: { type: 'string', default: '1,50' },
  apps: { type: 'string', default: ROLES.join(',') },
  'no-fetch-token': { type: 'boolean', default: false },
  keep: { type: 'string' },
})
const warmup = positive(BENCH, args.warmup, 'warmup', { zero: true })
const logins = positive(BENCH, args.logins, 'logins')
const concurrencies = String(args.concurrency)
  .split(',')
  .map((c) => positive(BENCH, c.trim(), 'concurrency'))
const roles = listOption(BENCH, args.apps, 'apps', ROLES, 'app')

const node = await appNodeOrExit(BENCH, args.node)
for (const tool of ['valgrind', 'callgrind_control']) {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' })
  } catch {
    console.error(
      `${BENCH}: needs ${tool}, which is not installed (Debian: apt-get install valgrind)`,
    )
    process.exit(2)
  }
}

const dumps =
  typeof args.keep === 'string'
    ? resolve(args.keep)
    : mkdtempSync(join(tmpdir(), 'oauth1-callgrind-'))
if (args.keep === undefined)
  process.on('exit', () => rmSync(dumps, { recursive: true, force: true }))
else mkdirSync(dumps, { recursive: true })

/** The instruction count of a callgrind dump (its `summary:` line, or `totals:`). */
function countOf(text, file) {
  const line = /^(?:summary|totals):\s+(\d+)/m.exec(text)
  if (line === null) throw new Error(`${file}: no summary line`)
  return Number(line[1])
}

// V8's garbage collector, by the names of its C++ functions in the node
// binary: the scavenger, the mark-compactor (concurrent marking included),
// the sweeper and what they call to walk and move objects. JIT code and
// builtins (addresses, `Builtins_…`) are never in it.
const GC_FUNCTION =
  /v8::internal::(?:Scavenge|MarkCompact|MinorMark|Marking|ConcurrentMarking|IncrementalMarking|Sweeper|Evacuat|FullEvacuator|RememberedSet|SlotSet|TypedSlot|BodyDescriptor|HeapObject::SizeFromMap|IterateAndScavenge|PointersUpdating|LiveObjectRange|ArrayBufferSweeper|GCTracer|MemoryAllocator|MutablePageMetadata|PageMetadata|WeakObjects|[A-Za-z]*Visitor)|heap::base::|cppgc::/

/**
 * The instructions of a callgrind dump spent in V8's collector: each
 * function's own cost (its cost lines, not those of the calls it makes,
 * which follow a `calls=` line), summed over the functions GC_FUNCTION names.
 */
function gcCountOf(text) {
  const names = new Map()
  const nameOf = (spec) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(spec)
    if (m === null) return spec
    if (m[2] !== undefined) names.set(m[1], m[2])
    return names.get(m[1]) ?? ''
  }
  let inGc = false
  let callCost = false
  let gc = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) {
      inGc = GC_FUNCTION.test(nameOf(line.slice(3)))
    } else if (line.startsWith('cfn=')) {
      nameOf(line.slice(4))
    } else if (line.startsWith('calls=')) {
      callCost = true
    } else if (/^[+\-*0-9]/.test(line)) {
      // The line after calls= is the call's inclusive cost, the callee's own.
      if (callCost) callCost = false
      else if (inGc) gc += Number(line.split(' ')[1] ?? 0)
    }
  }
  return gc
}

let appVersion = ''
let failed = 0
const report = (role) => (err) => {
  if (failed++ === 0) console.error(`${BENCH}: a login on ${role} failed: ${err?.message ?? err}`)
}

/** One app at one concurrency, in a fresh process under callgrind: instructions per login. */
async function measure(providerUrl, role, concurrency) {
  const name = `${role}-c${concurrency}`
  const app = await start(role, 'valgrind', {
    extra: [providerUrl],
    execArgv: [
      '--tool=callgrind',
      '--quiet',
      // V8 rewrites its code in place; valgrind must notice or it runs stale code.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(dumps, `${name}.%p`)}`,
      node,
    ],
    env: { LOGIN_BENCH_FETCH_TOKEN: args['no-fetch-token'] ? '0' : '1' },
  })
  appVersion = app.node
  try {
    const pid = String(app.child.pid)
    if (warmup > 0) await runLogins(app, warmup, concurrency, report(role))
    execFileSync('callgrind_control', ['--zero', pid], { stdio: 'ignore' })
    const { ok } = await runLogins(app, logins, concurrency, report(role))
    execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' })
    // The dump after the zeroing is part 1: <name>.<pid>.1
    const dump = join(dumps, `${name}.${pid}.1`)
    if (!existsSync(dump)) throw new Error(`${name}: callgrind wrote no dump`)
    if (ok === 0) return { total: Number.NaN, gc: Number.NaN }
    const text = readFileSync(dump, 'utf8')
    return { total: countOf(text, dump) / ok, gc: gcCountOf(text) / ok }
  } finally {
    await app.stop()
  }
}

const provider = await start('provider', process.execPath)
const results = []
try {
  for (const concurrency of concurrencies) {
    const row = { concurrency }
    for (const role of roles) row[role] = await measure(provider.url, role, concurrency)
    results.push(row)
  }
} finally {
  await provider.stop()
}

console.log(
  `${BENCH} (callgrind): ${warmup} warm-up + ${logins} counted logins per app, concurrency ` +
    `${concurrencies.join(' and ')}${args['no-fetch-token'] ? ', ours without a fetchToken' : ''}; apps on Node ${appVersion} (${node}), provider and browsers on Node ${process.version}`,
)
const ratios = [
  ['passport', 'ours'],
  ['passport', 'floor'],
  ['ours', 'floor'],
].filter(([a, b]) => roles.includes(a) && roles.includes(b))

/** One table: a column of `pick(result)` per app, then the ratios between apps. */
function table(label, pick) {
  console.log(
    `  ${'concurrency'.padEnd(11)}${roles.map((role) => `${role} ${label}`.padStart(22)).join('')}${ratios
      .map(([a, b]) => `${a} ÷ ${b}`.padStart(18))
      .join('')}`,
  )
  for (const row of results) {
    console.log(
      `  ${String(row.concurrency).padEnd(11)}${roles.map((role) => fmt(pick(row[role])).padStart(22)).join('')}${ratios
        .map(([a, b]) => fmt(pick(row[a]) / pick(row[b]), 2).padStart(18))
        .join('')}`,
    )
  }
}

table('instr/login', (r) => r.total)
console.log(
  '  (instructions per completed login, every thread of the app process, user space only; ' +
    'a ratio above 1: the first costs more)',
)
table('without GC', (r) => r.total - r.gc)
console.log(
  "  (the same, less V8's garbage collector: the part a change to the code moves, free of where " +
    'a major collection falls; GC per login: ' +
    results
      .map(
        (row) =>
          `c=${row.concurrency} ${roles.map((role) => `${role} ${fmt(row[role].gc)}`).join(', ')}`,
      )
      .join('; ') +
    ')',
)
console.log(`  failed logins: ${failed}`)
console.log(
  JSON.stringify({
    bench: 'login-instructions',
    node: appVersion,
    fetchToken: !args['no-fetch-token'],
    warmup,
    logins,
    // Per app: instructions per login, and of them the collector's (gc).
    results: results.map((row) => ({
      concurrency: row.concurrency,
      ...Object.fromEntries(roles.map((role) => [role, Math.round(row[role].total)])),
      gc: Object.fromEntries(roles.map((role) => [role, Math.round(row[role].gc)])),
    })),
    failed,
  }),
)
if (failed > 0) process.exitCode = 1
