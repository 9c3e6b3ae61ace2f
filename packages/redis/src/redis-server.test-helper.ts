/**
 * A real redis-server for tests (Debian's, installed by scripts/ensure-redis.sh):
 * started on a free port of 127.0.0.1 with no persistence, stopped by the test
 * that started it. Shared by this package's tests and the cluster tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer, Socket } from 'node:net'

/** The redis-server binary: `REDIS_SERVER_PATH`, else `redis-server` on the PATH. */
export const REDIS_SERVER = process.env.REDIS_SERVER_PATH || 'redis-server'

/** The message of a test run without redis-server. */
export const MISSING_REDIS =
  `${REDIS_SERVER} is not installed: run \`bash scripts/ensure-redis.sh\` (Debian's redis-server), ` +
  'or set REDIS_SERVER_PATH. The Redis tests need a real server.'

/** Whether redis-server can be run here. */
export function redisServerAvailable(): boolean {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' })
  return probe.error === undefined && probe.status === 0
}

/**
 * How a suite that needs Redis should run: `'run'` when redis-server is here;
 * without it, `'fail'` in CI (`CI=true`: the tests must not pass by skipping)
 * and `'skip'` elsewhere (with a warning printed).
 */
export function redisTestMode(): 'run' | 'skip' | 'fail' {
  if (redisServerAvailable()) return 'run'
  const ci = process.env.CI
  if (ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false') return 'fail'
  console.warn(`\n[redis tests skipped] ${MISSING_REDIS}\n`)
  return 'skip'
}

/** A free TCP port on 127.0.0.1 (freed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** One PING over a raw socket: true when the server answers +PONG. */
function ping(port: number, timeout = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeout, () => done(false))
    socket.once('error', () => done(false))
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

/** A running redis-server. */
export interface RedisServer {
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** The process id of the current redis-server. */
  readonly pid: number | undefined
  /** Stops it (SIGTERM, then SIGKILL after 2 s). Idempotent. */
  stop(): Promise<void>
  /** Starts it again on the same port (after {@link RedisServer.stop}). */
  start(): Promise<void>
  /** Freezes it (SIGSTOP): connections stay open, nothing answers. */
  pause(): void
  /** Undoes {@link RedisServer.pause} (SIGCONT). */
  resume(): void
}

/**
 * Starts `redis-server --port <free> --bind 127.0.0.1 --save '' --appendonly no`
 * and resolves once it answers PING.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer()
 * const client = await createClient({ url: redis.url }).connect()
 * // …
 * await client.quit(); await redis.stop()
 * ```
 */
export async function startRedisServer(): Promise<RedisServer> {
  let lastError: unknown
  // A port found free can be taken before redis-server binds it: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    try {
      return await launch(port)
    } catch (err) {
      lastError = err
    }
  }
  throw lastError
}

async function launch(port: number): Promise<RedisServer> {
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()

  const start = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
      '--loglevel',
      'warning',
    ]
    const proc = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    let output = ''
    proc.stdout?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000)
    })
    proc.stderr?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000)
    })
    let failed: Error | undefined
    exited = new Promise<void>((resolve) => {
      proc.once('exit', (code, signal) => {
        failed = new Error(
          `redis-server on port ${port} exited (${signal ?? code}) before it was ready:\n${output}`,
        )
        resolve()
      })
      proc.once('error', (err) => {
        failed = err
        resolve()
      })
    })
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      if (failed) throw failed
      if (await ping(port)) return
      await new Promise((r) => setTimeout(r, 25))
    }
    proc.kill('SIGKILL')
    throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${output}`)
  }

  const stop = async (): Promise<void> => {
    const proc = child
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill('SIGCONT')
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 2_000)
    await exited
    clearTimeout(timer)
  }

  await start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid
    },
    stop,
    start,
    pause: () => {
      child?.kill('SIGSTOP')
    },
    resume: () => {
      child?.kill('SIGCONT')
    },
  }
}
