// Many instances, one Redis, for real: for each framework, three instances of its
// example app (separate processes, REDIS_URL set, one SQLite file) behind a
// round-robin proxy, @oauth1/testing in consent mode with a user per browser, and
// Debian's redis-server. Load, replay races, kill -9, a Redis restart, a frozen Redis and provider
// faults. Figures go to test-results/cluster-figures.json and the test output.

import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createTestBrowser } from '@oauth1/core/testing'
import type { Quirks, TestUser } from '@oauth1/testing'
import { createClient } from 'redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  freePort,
  MISSING_REDIS,
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from '../../../packages/redis/src/redis-server.test-helper.ts'
import {
  errorCodeOf,
  failureOf,
  fullLogin,
  type LoginResult,
  pool,
  quantile,
  startLogin,
} from './browser.ts'
import { APPS_DIR, FRAMEWORKS, type Framework, type Instance, startInstance } from './instances.ts'
import { type RoundRobinProxy, startProxy } from './proxy.ts'

/** The provider's timeout in the apps (PROVIDER_TIMEOUT); faults that hang are cut there. */
const TIMEOUT = 5_000
/** What "within the timeout" allows on top of it, on a loaded, shared 2-core machine. */
const MARGIN = 5_000
const LOGINS = Number(process.env.CLUSTER_LOGINS ?? 1_000)
const CONCURRENCY = 50
const SESSION_SECRET = 'a cluster-wide session secret, 32+ characters'

const USERS: TestUser[] = Array.from({ length: LOGINS }, (_, i) => ({
  id: String(10_000 + i),
  screenName: `user${i}`,
  name: `User ${i}`,
}))

const figures: Record<string, Record<string, unknown>> = {}
const started = performance.now()

if (!redisServerAvailable()) {
  // Never pass by skipping: this stage exists to run against a real Redis.
  throw new Error(MISSING_REDIS)
}

let redis: RedisServer
/** @oauth1/testing, in a process of its own (src/provider-host.ts). */
let provider: { url: string; setQuirks(quirks: Quirks): Promise<void>; close(): Promise<void> }
let client: ReturnType<typeof createClient>
const workdir = mkdtempSync(join(tmpdir(), 'oauth1-cluster-'))

beforeAll(async () => {
  redis = await startRedisServer()
  client = createClient({ url: redis.url })
  client.on('error', () => {})
  await client.connect()
  provider = await startProviderProcess(USERS)
}, 60_000)

async function startProviderProcess(users: TestUser[]): Promise<typeof provider> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/provider-host.ts', JSON.stringify(users)],
    {
      cwd: join(APPS_DIR, 'cluster'),
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const first = (await lines.next()).value as string | undefined
  const url = /^listening (\S+)$/.exec(first ?? '')?.[1]
  if (!url) throw new Error(`the provider did not start: ${first}`)
  return {
    url,
    async setQuirks(quirks) {
      child.stdin!.write(`${JSON.stringify({ setQuirks: quirks })}\n`)
      const answer = (await lines.next()).value
      if (answer !== 'ok') throw new Error(`setQuirks: ${answer}`)
    },
    async close() {
      child.stdin!.end()
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

afterAll(async () => {
  client?.destroy()
  await provider?.close()
  await redis?.stop()
  rmSync(workdir, { recursive: true, force: true })
  const seconds = (performance.now() - started) / 1000
  figures.stage = { seconds: Math.round(seconds) }
  const out = join(APPS_DIR, 'cluster', 'test-results')
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'cluster-figures.json'), `${JSON.stringify(figures, null, 2)}\n`)
  console.log(`\ncluster figures:\n${JSON.stringify(figures, null, 2)}`)
  console.log(`cluster stage (cluster.cluster.ts) took ${seconds.toFixed(1)} s`)
})

/** Pending logins left in Redis (the store's keys, not Express's sessions). */
async function pendingKeys(): Promise<number> {
  return (await client.keys('oauth1:*')).length
}

const userFor = (i: number) => USERS[i % USERS.length]!

describe.each(FRAMEWORKS)(
  '%s: three instances behind a round-robin proxy, one Redis',
  (framework: Framework) => {
    const instances: Instance[] = []
    let proxy: RoundRobinProxy
    const mine: Record<string, unknown> = {}
    figures[framework] = mine

    beforeAll(async () => {
      const env = {
        PROVIDER_URL: provider.url,
        REDIS_URL: redis.url,
        SESSION_SECRET,
        DATABASE_PATH: join(workdir, `${framework}.db`),
        PROVIDER_TIMEOUT: String(TIMEOUT),
      }
      const ports = await Promise.all([freePort(), freePort(), freePort()])
      // The proxy first: its URL is the apps' public one (their callback, and
      // the Host they are reached by).
      proxy = await startProxy(ports.map((port) => ({ host: '127.0.0.1', port })))
      const publicEnv = { ...env, PUBLIC_URL: proxy.url }
      for (const port of ports) instances.push(await startInstance(framework, port, publicEnv))
    }, 180_000)

    afterAll(async () => {
      await proxy?.close()
      await Promise.all(instances.map((i) => i.stop()))
    })

    it(`load: ${LOGINS} complete logins at concurrency ${CONCURRENCY}, each browser its own user, nothing left in Redis`, async () => {
      const t0 = performance.now()
      const results = await pool(LOGINS, CONCURRENCY, (i) => fullLogin(proxy.url, userFor(i)))
      const seconds = (performance.now() - t0) / 1000
      const failures = results.filter((r) => !r.ok)
      expect(failures.slice(0, 5)).toEqual([])
      expect(failures).toHaveLength(0)
      // every backend took its share (three requests of the app per login)
      expect(
        proxy.served.every((n) => n >= LOGINS / 2),
        String(proxy.served),
      ).toBe(true)
      expect(await pendingKeys()).toBe(0)
      const ms = results.map((r) => r.ms)
      Object.assign(mine, {
        logins: LOGINS,
        concurrency: CONCURRENCY,
        failures: failures.length,
        loginsPerSecond: Math.round((LOGINS / seconds) * 10) / 10,
        p50ms: Math.round(quantile(ms, 0.5)),
        p99ms: Math.round(quantile(ms, 0.99)),
        pendingKeysAfter: 0,
      })
    })

    it('replay race: the same callback at the three instances at once, 100 times: exactly one success each time', async () => {
      let successes = 0
      for (let round = 0; round < 100; round++) {
        const browser = createTestBrowser(proxy.url)
        const login = await startLogin(browser, proxy.url, userFor(round).id)
        expect(login.ok).toBe(true)
        if (!login.ok) return
        const path = new URL(login.callback).pathname + new URL(login.callback).search
        const answers = await Promise.all(instances.map((i) => browser.fetch(`${i.url}${path}`)))
        const statuses = answers.map((a) => a.status)
        const wins = statuses.filter((s) => s === 302).length
        expect(wins, `round ${round}: ${statuses}`).toBe(1)
        for (const a of answers) {
          const html = await a.text()
          if (a.status !== 302) {
            expect(a.status).toBe(400)
            expect(errorCodeOf(html)).toBe('missing_temporary_credential')
          }
        }
        successes += wins
      }
      expect(await pendingKeys()).toBe(0)
      mine.replayRace = { rounds: 100, successesPerRound: successes / 100 }
    })

    it('crash: kill -9 one instance mid-load; logins whose callback lands on a live instance complete, the restarted one serves logins begun elsewhere', async () => {
      const victim = instances[0]!
      const total = 300
      let killedAt = -1
      const results = await pool(
        total,
        30,
        (i) => fullLogin(proxy.url, userFor(i)),
        async (_r, done) => {
          if (done === 100) {
            killedAt = done
            await victim.kill9()
          }
          if (done === 200) await victim.start()
        },
      )
      expect(killedAt).toBe(100)
      const failed = results.filter((r) => !r.ok)
      // A login fails only when one of its requests was being answered by the
      // instance at the moment it died (the proxy says so).
      for (const r of failed) {
        expect(r.failure?.backend, JSON.stringify(r)).toBe('0')
        expect(['backend-died', 'connection-cut'], JSON.stringify(r)).toContain(
          r.failure?.proxyError,
        )
      }
      expect(failed.length).toBeLessThan(30)
      const begunOnVictimDoneElsewhere = results.filter(
        (r) => r.ok && r.beganOn === '0' && r.completedOn !== '0',
      ).length
      expect(begunOnVictimDoneElsewhere).toBeGreaterThan(0)

      // The restarted instance completes logins begun on the others.
      for (let i = 0; i < 20; i++) {
        const browser = createTestBrowser(instances[1 + (i % 2)]!.url)
        const login = await startLogin(browser, instances[1 + (i % 2)]!.url, userFor(i).id)
        expect(login.ok).toBe(true)
        if (!login.ok) return
        const url = new URL(login.callback)
        const back = await browser.fetch(`${victim.url}${url.pathname}${url.search}`)
        expect(back.status, await back.clone().text()).toBe(302)
      }
      // A login cut off by the kill may leave its key: it expires with the login (TTL).
      const left = await pendingKeys()
      expect(left).toBeLessThanOrEqual(failed.length)
      const stale = await client.keys('oauth1:*')
      if (stale.length > 0) await client.del(stale) // so the next tests count from zero
      mine.crash = {
        logins: total,
        failedInFlightAtKill: failed.length,
        begunOnKilledInstanceCompletedElsewhere: begunOnVictimDoneElsewhere,
        restartedInstanceCompleted: 20,
        keysLeftByCutOffLogins: left,
      }
    })

    it('Redis restart mid-run: 503 store_unavailable while it is down, within the timeout; logins pending at the restart answer 400; full recovery after', async () => {
      // Logins begun before the restart: their pending keys die with Redis (no persistence).
      const before = await pool(20, 10, (i) => fullLogin(proxy.url, userFor(i)))
      expect(before.every((r) => r.ok)).toBe(true)
      // Logins waiting at their callback across the restart: forgotten with Redis.
      const waiting = await pool(6, 6, async (i) => {
        const browser = createTestBrowser(proxy.url)
        const login = await startLogin(browser, proxy.url, userFor(i).id)
        if (!login.ok) throw new Error(`could not start a login: ${JSON.stringify(login.failure)}`)
        return { browser, callback: login.callback }
      })
      expect(await pendingKeys()).toBe(waiting.length)
      await redis.stop()
      const down: { status: number; code: string | undefined; ms: number }[] = []
      try {
        await pool(30, 10, async () => {
          const t0 = performance.now()
          const res = await createTestBrowser(proxy.url).fetch(`${proxy.url}/login`)
          const failure = await failureOf('login', res)
          down.push({ status: res.status, code: failure.code, ms: performance.now() - t0 })
        })
      } finally {
        await redis.start()
      }
      for (const d of down) {
        expect(d).toMatchObject({ status: 503, code: 'store_unavailable' })
        expect(d.ms).toBeLessThan(TIMEOUT + MARGIN)
      }
      // The apps' clients reconnect by themselves: wait until each instance completes a login.
      const t0 = performance.now()
      for (const instance of instances) {
        let recovered: LoginResult | undefined
        while (performance.now() - t0 < 20_000) {
          recovered = await fullLogin(instance.url, userFor(0))
          if (recovered.ok) break
          await new Promise((r) => setTimeout(r, 100))
        }
        expect(recovered?.ok, JSON.stringify(recovered)).toBe(true)
      }
      const recoveredWithinMs = Math.round(performance.now() - t0)
      // Without persistence, the logins pending at the restart are gone: their callbacks
      // answer 400 (start again), wherever they land, never a 500 or a success.
      for (const w of waiting) {
        const back = await w.browser.fetch(w.callback)
        const failure = await failureOf('callback', back)
        expect([failure.status, failure.code], failure.excerpt).toEqual([
          400,
          'missing_temporary_credential',
        ])
      }
      // Probes cut off while an instance was still reconnecting left their keys: not the test's subject.
      const probes = await client.keys('oauth1:*')
      if (probes.length > 0) await client.del(probes)
      const after = await pool(60, 20, (i) => fullLogin(proxy.url, userFor(i)))
      expect(after.filter((r) => !r.ok)).toEqual([])
      expect(await pendingKeys()).toBe(0)
      mine.redisRestart = {
        answersWhileDown: down.length,
        pendingForgottenAnswered400: waiting.length,
        worstMsWhileDown: Math.round(Math.max(...down.map((d) => d.ms))),
        recoveredWithinMs,
        loginsAfter: after.length,
      }
    })

    it('Redis frozen (SIGSTOP): a new browser, a returning one and a pending callback all get 503 store_unavailable within the timeout, never a hang', async () => {
      // A returning browser: its session (Express: in Redis) and a login waiting at its callback.
      const returning = createTestBrowser(proxy.url)
      const pendingLogin = await startLogin(returning, proxy.url, userFor(0).id)
      expect(pendingLogin.ok).toBe(true)
      if (!pendingLogin.ok) return
      // Frozen: the connections stay open and nothing answers, so only a timeout ends a command.
      redis.pause()
      let frozen: { what: string; status: number; code: string | undefined; ms: number }[]
      try {
        const timed = async (what: string, fn: (signal: AbortSignal) => Promise<Response>) => {
          const t0 = performance.now()
          try {
            const res = await fn(AbortSignal.timeout(TIMEOUT + MARGIN))
            const failure = await failureOf(what, res)
            return { what, status: res.status, code: failure.code, ms: performance.now() - t0 }
          } catch (err) {
            // no answer within the bound: a hang
            return { what, status: 0, code: (err as Error).name, ms: performance.now() - t0 }
          }
        }
        frozen = await Promise.all([
          timed('new browser /login', (signal) =>
            createTestBrowser(proxy.url).fetch(`${proxy.url}/login`, { signal }),
          ),
          timed('returning browser /login', (signal) =>
            returning.fetch(`${proxy.url}/login`, { signal }),
          ),
          timed('pending callback', (signal) => returning.fetch(pendingLogin.callback, { signal })),
        ])
      } finally {
        redis.resume()
      }
      for (const answer of frozen) {
        expect({ ...answer, ms: undefined }).toEqual({
          what: answer.what,
          status: 503,
          code: 'store_unavailable',
          ms: undefined,
        })
        expect(answer.ms, answer.what).toBeLessThan(TIMEOUT + MARGIN)
      }
      // Thawed: every instance completes logins again (the commands that gave up may
      // still have run: the pending login may be gone, and a cut-off /login left a key).
      for (const instance of instances) {
        const back = await fullLogin(instance.url, userFor(1))
        expect(back.ok, JSON.stringify(back)).toBe(true)
      }
      const stale = await client.keys('oauth1:*')
      if (stale.length > 0) await client.del(stale) // so the next tests count from zero
      mine.redisFrozen = {
        worstMsWhileFrozen: Math.round(Math.max(...frozen.map((a) => a.ms))),
      }
    })

    const FAULTS: {
      name: string
      quirks: Quirks
      code: string
      status: number
    }[] = [
      {
        name: 'latency beyond the timeout',
        quirks: { delay: TIMEOUT + 1_500 },
        code: 'request_timeout',
        status: 504,
      },
      { name: '5xx', quirks: { failure: 'server_error' }, code: 'fetch_token_denied', status: 502 },
      {
        name: 'connection reset',
        quirks: { failure: 'reset' },
        code: 'fetch_token_denied',
        status: 502,
      },
      {
        name: 'truncated body',
        quirks: { failure: 'truncated' },
        code: 'fetch_token_denied',
        status: 502,
      },
      {
        name: 'a body that drips forever',
        quirks: { failure: 'drip' },
        code: 'request_timeout',
        status: 504,
      },
      {
        name: 'a huge body (2 MiB)',
        quirks: { failure: 'oversized' },
        code: 'invalid_token_response',
        status: 502,
      },
      {
        name: 'wrong content type (a PNG)',
        quirks: {
          failure: {
            status: 200,
            contentType: 'image/png',
            body: '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR',
          },
        },
        code: 'invalid_token_response',
        status: 502,
      },
      {
        name: 'garbage',
        quirks: {
          failure: {
            status: 200,
            contentType: 'application/x-www-form-urlencoded',
            body: '%%\u0000garbage=%zz&&==',
          },
        },
        code: 'invalid_token_response',
        status: 502,
      },
    ]

    it('provider faults at both token endpoints: the right code and status within the timeout, no pending login left', async () => {
      const seen: Record<string, { worstMs: number }> = {}
      for (const fault of FAULTS) {
        // Logins waiting at their callback, for the access-token endpoint's turn.
        const waiting = await pool(8, 8, async (i) => {
          const browser = createTestBrowser(proxy.url)
          const login = await startLogin(browser, proxy.url, userFor(i).id)
          if (!login.ok)
            throw new Error(`could not start a login: ${JSON.stringify(login.failure)}`)
          return { browser, callback: login.callback }
        })
        // The fault at both token endpoints at once: new logins meet it at the
        // request-token endpoint, the waiting callbacks at the access-token one.
        const { delay, failure } = fault.quirks as { delay?: number; failure?: unknown }
        const both =
          delay !== undefined
            ? { delay: { requestToken: delay, accessToken: delay } }
            : { failure: { requestToken: failure, accessToken: failure } }
        const timed = async (what: string, fn: () => Promise<Response>) => {
          const t0 = performance.now()
          const res = await fn()
          const html = await res.text()
          return { what, status: res.status, code: errorCodeOf(html), ms: performance.now() - t0 }
        }
        await provider.setQuirks(both as never)
        let answers: Awaited<ReturnType<typeof timed>>[]
        try {
          answers = await Promise.all([
            ...Array.from({ length: 8 }, () =>
              timed('login', () => createTestBrowser(proxy.url).fetch(`${proxy.url}/login`)),
            ),
            ...waiting.map((w) => timed('callback', () => w.browser.fetch(w.callback))),
          ])
        } finally {
          // Awaited: the provider is another process, and the next fault's logins
          // must not reach it before it is back to normal.
          await provider.setQuirks({})
        }
        for (const a of answers) {
          expect({ fault: fault.name, ...a, ms: undefined }).toEqual({
            fault: fault.name,
            what: a.what,
            status: fault.status,
            code: fault.code,
            ms: undefined,
          })
          expect(a.ms, `${fault.name} ${a.what}`).toBeLessThan(TIMEOUT + MARGIN)
        }
        expect(await pendingKeys()).toBe(0)
        seen[fault.name] = { worstMs: Math.round(Math.max(...answers.map((a) => a.ms))) }
      }
      // and the provider back to normal: logins complete again
      const after = await pool(10, 10, (i) => fullLogin(proxy.url, userFor(i)))
      expect(after.filter((r) => !r.ok)).toEqual([])
      mine.providerFaults = seen
    })
  },
)
