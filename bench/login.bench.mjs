// A whole login, against the incumbent (issue #10): the app CPU time one
// completed "Log in with …" costs on @oauth1/express and on passport +
// passport-oauth1, the same Express + express-session app otherwise
// (bench/login-apps.mjs).
//
//   pnpm bench login                                  builds, then runs this bench
//   node bench/run.mjs login [options]                after `pnpm build`
//   node bench/login.bench.mjs [options]
//
// Options:
//   --node <major|path>   run the two app processes on that Node: `24` (or 22,
//                         26) is the one pinned in runtimes/binaries.mjs
//                         (`node runtimes/binaries.mjs install`), a path any
//                         executable; default the machine's Node. Env:
//                         OAUTH1_BENCH_NODE. The provider and the driver stay
//                         on the machine's Node.
//   --rounds N            measured rounds per concurrency (default 8)
//   --logins N            completed logins per app per round (default 150)
//   --concurrency a,b     browsers logging in at once (default 1,50)
//   --warmup N            logins per app before the measured rounds, at each
//                         concurrency (default: 50, or twice the concurrency)
//   --check               also exit 1 when the target is missed
//   --no-fetch-token      our app without a registry fetchToken (as an app
//                         that passes { token } to API calls): the middleware
//                         then keeps no AsyncLocalStorage context (see the
//                         Express README's Performance section)
//   --profile <dir>       run the apps with --cpu-prof, writing their CPU
//                         profiles (open them in Chrome DevTools) into <dir>
//   --profile-interval µs the profiler's sampling interval (default Node's,
//                         1000 µs; 100 gives ten times the samples, for
//                         `node bench/profile-top.mjs --inclusive`)
//   --floor               a third app in the rounds: the same app on a minimal
//                         hand-written client (login-apps.mjs, floorApp), the
//                         least CPU any OAuth 1.0a client could spend here;
//                         adds passport ÷ floor (the best ratio any library
//                         could reach against passport in this app) and
//                         ours ÷ floor (what our safety and generality cost)
//
// Processes: the @oauth1/testing provider (auto-approve), the two apps, each
// in its own process; this process is the browsers. A login, like a browser
// with its own cookie jar and its own keep-alive connections: GET /login →
// 302 to the provider's authorize URL → 302 back to the app's /authorize
// callback → 302 to / → 200 "logged in as bob". Anything else is a failed
// login; the bench exits 1 if any login failed, on either side.
//
// What is measured: the CPU time (user + system, GC threads included) of
// each app process over a round (process.cpuUsage() in the app, asked over
// IPC before and after), divided by the logins it completed. Rounds
// alternate between the apps (ours first in even rounds, passport first in
// odd ones; with --floor the three rotate), so drift and other load hit all alike; each round gives a
// paired ratio, passport's CPU per login ÷ ours (> 1: ours is cheaper), and
// the report is the median ratio with its spread (min–max) over the rounds.
import { appNodeOrExit, fmt, runLogins, spread, start } from './login-driver.mjs'
import { benchOptions, positive } from './options.mjs'
import { median } from './stats.mjs'

const args = benchOptions('login bench', {
  node: { type: 'string' },
  rounds: { type: 'string', default: '8' },
  logins: { type: 'string', default: '150' },
  concurrency: { type: 'string', default: '1,50' },
  warmup: { type: 'string' },
  check: { type: 'boolean', default: false },
  profile: { type: 'string' },
  'profile-interval': { type: 'string' },
  'no-fetch-token': { type: 'boolean', default: false },
  floor: { type: 'boolean', default: false },
})

const rounds = positive('login bench', args.rounds, 'rounds')
const profileInterval =
  args['profile-interval'] === undefined
    ? undefined
    : positive('login bench', args['profile-interval'], 'profile-interval')
if (profileInterval !== undefined && args.profile === undefined) {
  console.error('login bench: --profile-interval needs --profile <dir>')
  process.exit(2)
}
const logins = positive('login bench', args.logins, 'logins')
const warmup =
  args.warmup === undefined ? undefined : positive('login bench', args.warmup, 'warmup')
const concurrencies = String(args.concurrency)
  .split(',')
  .map((c) => positive('login bench', c.trim(), 'concurrency'))

const execPath = await appNodeOrExit('login bench', args.node)
const provider = await start('provider', process.execPath)
const apps = []
const roles = args.floor ? ['ours', 'passport', 'floor'] : ['ours', 'passport']
const failures = Object.fromEntries(roles.map((role) => [role, 0]))
const firstErrors = new Map()
const reporter = (key) => (err) => {
  failures[key]++
  if (!firstErrors.has(key)) {
    firstErrors.set(key, err)
    console.error(`login-bench: a login on ${key} failed: ${err?.message ?? err}`)
  }
}

try {
  for (const role of roles) {
    const profile =
      typeof args.profile === 'string'
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${args.profile}`,
            `--cpu-prof-name=${role}.cpuprofile`,
            ...(profileInterval === undefined ? [] : [`--cpu-prof-interval=${profileInterval}`]),
          ]
        : []
    apps.push(
      await start(role, execPath, {
        extra: [provider.url],
        execArgv: profile,
        env: { LOGIN_BENCH_FETCH_TOKEN: args['no-fetch-token'] ? '0' : '1' },
      }),
    )
  }
  const [ours] = apps
  console.log(
    `login: ${rounds} rounds × ${logins} logins per app, concurrency ${concurrencies.join(' and ')}; ` +
      `apps on Node ${ours.node} (${execPath}), provider and browsers on Node ${process.version}`,
  )
  const summary = []
  for (const concurrency of concurrencies) {
    // Warm-up: the JIT, the session store, the connection pools of both apps.
    for (const app of apps) {
      await runLogins(app, warmup ?? Math.max(50, concurrency * 2), concurrency, reporter(app.role))
    }
    const cpu = Object.fromEntries(roles.map((role) => [role, []]))
    const ratios = []
    const floorRatios = { passport: [], ours: [] }
    for (let round = 0; round < rounds; round++) {
      // Rotate: every app takes every place in the order equally often (with two
      // apps, ours first in even rounds and passport first in odd ones).
      const order = apps.map((_, i) => apps[(i + round) % apps.length])
      for (const app of order) {
        const before = await app.cpu()
        const { ok } = await runLogins(app, logins, concurrency, reporter(app.role))
        const after = await app.cpu()
        cpu[app.role].push(ok === 0 ? Number.NaN : (after - before) / ok)
      }
      ratios.push(cpu.passport[round] / cpu.ours[round])
      if (args.floor) {
        floorRatios.passport.push(cpu.passport[round] / cpu.floor[round])
        floorRatios.ours.push(cpu.ours[round] / cpu.floor[round])
      }
    }
    const main = spread(ratios)
    summary.push({
      concurrency,
      ours: median(cpu.ours),
      passport: median(cpu.passport),
      ...(args.floor
        ? {
            floor: median(cpu.floor),
            passportOverFloor: spread(floorRatios.passport),
            oursOverFloor: spread(floorRatios.ours),
          }
        : {}),
      ratio: main.median,
      min: main.min,
      max: main.max,
      ratios,
    })
  }

  console.log(
    `  ${'concurrency'.padEnd(11)}  ${'ours CPU/login'.padStart(14)}  ${'passport CPU/login'.padStart(18)}  ${'passport ÷ ours'.padStart(15)}  ${'spread (min–max)'.padStart(16)}`,
  )
  for (const s of summary) {
    console.log(
      `  ${String(s.concurrency).padEnd(11)}  ${`${fmt(s.ours)} µs`.padStart(14)}  ${`${fmt(s.passport)} µs`.padStart(18)}  ${fmt(s.ratio, 2).padStart(15)}  ${`${fmt(s.min, 2)}–${fmt(s.max, 2)}`.padStart(16)}`,
    )
  }
  console.log(
    '  (CPU/login: median over the rounds of the app process’s user + system CPU per completed login; ' +
      'passport ÷ ours: median of the per-round ratios, > 1 when ours costs less)',
  )
  if (args.floor) {
    console.log(
      `  ${'concurrency'.padEnd(11)}  ${'floor CPU/login'.padStart(15)}  ${'passport ÷ floor'.padStart(16)}  ${'spread'.padStart(11)}  ${'ours ÷ floor'.padStart(12)}  ${'spread'.padStart(11)}`,
    )
    for (const s of summary) {
      const range = (r) => `${fmt(r.min, 2)}–${fmt(r.max, 2)}`
      console.log(
        `  ${String(s.concurrency).padEnd(11)}  ${`${fmt(s.floor)} µs`.padStart(15)}  ${fmt(s.passportOverFloor.median, 2).padStart(16)}  ${range(s.passportOverFloor).padStart(11)}  ${fmt(s.oursOverFloor.median, 2).padStart(12)}  ${range(s.oursOverFloor).padStart(11)}`,
      )
    }
    console.log(
      '  (floor: the same app on a minimal hand-written client, login-apps.mjs floorApp; passport ÷ floor is the ' +
        'best passport ÷ ours any client could reach here, ours ÷ floor what our own code adds; medians of per-round ratios)',
    )
  }
  console.log(`  failed logins: ${roles.map((role) => `${role} ${failures[role]}`).join(', ')}`)
  const major = Number(ours.node.slice(1).split('.')[0])
  const target = major >= 24 ? 1.25 : 1.1
  const met = summary.every((s) => s.ratio >= target)
  console.log(
    `  target (issue #10): passport ÷ ours ≥ ${target} at every concurrency on Node ${major}: ${met ? 'met' : 'NOT met'}`,
  )
  console.log(
    JSON.stringify({
      bench: 'login',
      node: ours.node,
      rounds,
      logins,
      results: summary.map((s) => ({
        concurrency: s.concurrency,
        oursCpuUsPerLogin: Math.round(s.ours),
        passportCpuUsPerLogin: Math.round(s.passport),
        ratio: Number(s.ratio.toFixed(3)),
        min: Number(s.min.toFixed(3)),
        max: Number(s.max.toFixed(3)),
        ...(s.floor === undefined
          ? {}
          : {
              floorCpuUsPerLogin: Math.round(s.floor),
              passportOverFloor: Number(s.passportOverFloor.median.toFixed(3)),
              oursOverFloor: Number(s.oursOverFloor.median.toFixed(3)),
            }),
      })),
      failed: failures,
      target,
      met,
    }),
  )
  if (Object.values(failures).some((n) => n > 0)) {
    console.error('login-bench: FAILED logins (see the first error of each side above)')
    process.exitCode = 1
  } else if (args.check && !met) process.exitCode = 1
} finally {
  await Promise.all([...apps, provider].map((p) => p.stop()))
}
