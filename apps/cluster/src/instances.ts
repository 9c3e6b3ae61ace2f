/**
 * Example apps as real processes (`node --import tsx apps/example-<x>/src/server.ts`),
 * configured from the environment as `pnpm start` is: what can be killed with
 * SIGKILL and started again on the same port.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export type Framework = 'express' | 'fastify' | 'koa' | 'hono'
export const FRAMEWORKS: readonly Framework[] = ['express', 'fastify', 'koa', 'hono']

export const APPS_DIR = fileURLToPath(new URL('../../', import.meta.url))

export interface Instance {
  readonly framework: Framework
  readonly port: number
  readonly url: string
  readonly pid: number | undefined
  /** The last few KiB of what it printed. */
  output(): string
  /** `kill -9`: no cleanup, no goodbye. */
  kill9(): Promise<void>
  /** SIGTERM and wait. Idempotent. */
  stop(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
}

/** Starts one instance of `framework` on `port` with `env` (PROVIDER_URL, REDIS_URL…) and waits until it listens. */
export async function startInstance(
  framework: Framework,
  port: number,
  env: Record<string, string>,
): Promise<Instance> {
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let output = ''
  const cwd = `${APPS_DIR}example-${framework}`

  const start = async () => {
    output = ''
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd,
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-8192)
    }
    proc.stdout?.on('data', keep)
    proc.stderr?.on('data', keep)
    exited = new Promise((resolve) => proc.once('exit', () => resolve()))
    const deadline = Date.now() + 60_000
    while (!/listening on http/.test(output)) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`example-${framework} on port ${port} exited:\n${output}`)
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL')
        throw new Error(`example-${framework} on port ${port} did not start in 60 s:\n${output}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  const stopWith = async (signal: NodeJS.Signals) => {
    const proc = child
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    proc.kill(signal)
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }

  await start()
  return {
    framework,
    port,
    url: `http://127.0.0.1:${port}`,
    get pid() {
      return child?.pid
    },
    output: () => output,
    kill9: () => stopWith('SIGKILL'),
    stop: () => stopWith('SIGTERM'),
    start,
  }
}
