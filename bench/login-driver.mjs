// What bench/login.bench.mjs (CPU time per login) and
// bench/login-instructions.mjs (instructions per login, under callgrind)
// share: the Node the apps run on, the processes of login-apps.mjs, and the
// browsers that log in.
import { fork } from 'node:child_process'
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import { median } from './stats.mjs'

/**
 * The Node the apps run on: `wanted` (a bench's --node), else
 * OAUTH1_BENCH_NODE; a major pinned in runtimes/ or a path; default this Node.
 */
export async function appNode(wanted = process.env.OAUTH1_BENCH_NODE) {
  if (wanted === undefined || wanted === '') return process.execPath
  if (/^\d+$/.test(wanted)) {
    if (wanted === process.versions.node.split('.')[0]) return process.execPath
    const { RUNTIMES, runtimeBinary } = await import('../runtimes/binaries.mjs')
    const name = `node${wanted}`
    if (!Object.hasOwn(RUNTIMES, name)) {
      throw new TypeError(
        `--node ${wanted}: no such Node pinned in runtimes/binaries.mjs (pinned: ${Object.keys(
          RUNTIMES,
        )
          .filter((n) => n.startsWith('node'))
          .map((n) => n.slice(4))
          .join(', ')}; or pass a path)`,
      )
    }
    return runtimeBinary(name)
  }
  return wanted
}

/** {@link appNode}, or the bench ends with its message and exit 2 (a Node not pinned). */
export function appNodeOrExit(bench, wanted) {
  return appNode(wanted).catch((err) => {
    console.error(`${bench}: ${err.message}`)
    process.exit(2)
  })
}

const APPS = fileURLToPath(new URL('./login-apps.mjs', import.meta.url))

/**
 * Forks one role of login-apps.mjs on `execPath` (node, or a program that
 * runs node: `execArgv` then come before the script); resolves when it listens.
 */
export function start(role, execPath, { extra = [], execArgv = [], env = {} } = {}) {
  const child = fork(APPS, [role, ...extra], {
    execPath,
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const replies = []
  const waiting = []
  child.on('message', (message) => {
    const next = waiting.shift()
    if (next) next(message)
    else replies.push(message)
  })
  const nextMessage = () =>
    new Promise((resolve, reject) => {
      if (replies.length > 0) return resolve(replies.shift())
      const onExit = (code) => reject(new Error(`${role} exited (${code}) before answering`))
      child.once('exit', onExit)
      waiting.push((message) => {
        child.off('exit', onExit)
        resolve(message)
      })
    })
  return nextMessage().then((ready) => ({
    role,
    url: ready.url,
    node: ready.node,
    child,
    /** µs of CPU the process used so far. */
    async cpu() {
      child.send('cpu')
      return (await nextMessage()).cpu
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.send('stop')
      const timer = setTimeout(() => child.kill(), 5000)
      await exited
      clearTimeout(timer)
    },
  }))
}

/** One browser: a cookie jar per origin, keep-alive connections of its own, closed when done. */
export class Browser {
  #jar = new Map()
  #agent = new http.Agent({ keepAlive: true, maxSockets: 2 })

  /** GET `url` as a browser would (cookies, no redirect followed); resolves { status, location, body }. */
  get(url) {
    const target = new URL(url)
    const jar = this.#jar.get(target.host) ?? new Map()
    const headers = {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'accept-language': 'en-US,en;q=0.5',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) login-bench',
    }
    if (jar.size > 0) headers.cookie = [...jar].map(([n, v]) => `${n}=${v}`).join('; ')
    return new Promise((resolve, reject) => {
      const req = http.get(target, { agent: this.#agent, headers, timeout: 30_000 }, (res) => {
        for (const line of res.headers['set-cookie'] ?? []) {
          const pair = line.split(';', 1)[0]
          const eq = pair.indexOf('=')
          if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim())
        }
        this.#jar.set(target.host, jar)
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            location: res.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        res.on('error', reject)
      })
      req.on('timeout', () => req.destroy(new Error(`GET ${target.pathname} timed out`)))
      req.on('error', reject)
    })
  }

  close() {
    this.#agent.destroy()
  }
}

/** One login by a new browser; resolves true when it ends logged in, else logs why once and false. */
export async function login(app, report) {
  const browser = new Browser()
  try {
    const start = await browser.get(`${app.url}/login`)
    if (start.status !== 302 || !start.location) throw new Error(`/login answered ${start.status}`)
    const authorize = new URL(start.location, app.url)
    const approved = await browser.get(authorize)
    if (approved.status !== 302 || !approved.location) {
      throw new Error(`authorize answered ${approved.status}`)
    }
    const callback = new URL(approved.location, authorize)
    if (callback.origin !== new URL(app.url).origin) {
      throw new Error(`the provider sent the browser to ${callback.origin}`)
    }
    const done = await browser.get(callback)
    if (done.status !== 302 || !done.location) {
      throw new Error(`the callback answered ${done.status}: ${done.body.slice(0, 200)}`)
    }
    const home = await browser.get(new URL(done.location, callback))
    if (home.status !== 200 || home.body !== 'logged in as bob') {
      throw new Error(`/ answered ${home.status}: ${home.body.slice(0, 200)}`)
    }
    return true
  } catch (err) {
    report(err)
    return false
  } finally {
    browser.close()
  }
}

/** `count` logins, `concurrency` browsers at a time; resolves { ok, failed }. */
export async function runLogins(app, count, concurrency, report) {
  let started = 0
  let ok = 0
  let failed = 0
  async function worker() {
    while (started < count) {
      started++
      if (await login(app, report)) ok++
      else failed++
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return { ok, failed }
}

/** Median and range of per-round ratios. */
export const spread = (values) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
})

export const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
