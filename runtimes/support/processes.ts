/**
 * The runtimes run as child processes: started here, bounded in time, and
 * always killed — by the test that started them, or at the latest when the
 * test process exits.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
/** The runtimes package (its node_modules are what Bun and Deno resolve imports from). */
export const RUNTIMES_DIR = dirname(FIXTURES.replace(/\/$/, ''))

/** Environment for every child: quiet, no colours, no update checks, no prompts. */
export const QUIET_ENV = {
  NO_COLOR: '1',
  DENO_NO_UPDATE_CHECK: '1',
  DENO_NO_PROMPT: '1',
  BUN_DISABLE_UPDATE_CHECK: '1',
}

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** A started child process, what it printed, and how to stop it. */
export interface Child {
  readonly process: ChildProcess
  /** Everything it wrote to stdout and stderr so far (the last 64 KiB). */
  output(): string
  /** SIGTERM, then SIGKILL after 3 s; resolves once it has exited. */
  stop(): Promise<void>
}

const OUTPUT_LIMIT = 64 * 1024

/** Starts `command`; stdout and stderr are collected, stdin is closed. */
export function start(command: string, args: string[], options: SpawnOptions = {}): Child {
  const child = spawn(command, args, {
    cwd: RUNTIMES_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
    env: { ...process.env, ...QUIET_ENV, ...options.env },
  })
  running.add(child)
  let output = ''
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  }).finally(() => running.delete(child))
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
        await exited
        clearTimeout(timer)
      }
      await exited
    },
  }
}

/**
 * Resolves with the first non-undefined value `match` returns for a line of
 * `stream` (one of the child's pipes), within `timeoutMs`; fails with the
 * child's output if it exits or the time runs out first.
 */
export function waitForLine<T>(
  child: Child,
  stream: NodeJS.ReadableStream,
  match: (line: string) => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buffered = ''
    const finish = (error: Error | null, value?: T) => {
      clearTimeout(timer)
      stream.removeListener('data', onData)
      child.process.off('exit', onExit)
      if (error) reject(error)
      else resolve(value as T)
    }
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      let newline = buffered.indexOf('\n')
      while (newline !== -1) {
        const value = match(buffered.slice(0, newline).trim())
        buffered = buffered.slice(newline + 1)
        if (value !== undefined) {
          finish(null, value)
          return
        }
        newline = buffered.indexOf('\n')
      }
    }
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`exited (${signal ?? `code ${code}`}) before ${what}:\n${child.output()}`))
    const timer = setTimeout(
      () => finish(new Error(`no ${what} within ${timeoutMs} ms:\n${child.output()}`)),
      timeoutMs,
    )
    stream.on('data', onData)
    child.process.once('exit', onExit)
  })
}

/** The first stdout line that parses as a JSON object, within `timeoutMs`. */
export function firstJsonLine<T>(child: Child, timeoutMs: number): Promise<T> {
  const { stdout } = child.process
  if (!stdout) throw new Error('firstJsonLine needs a piped stdout')
  return waitForLine(
    child,
    stdout,
    (line) => {
      if (!line.startsWith('{')) return undefined
      try {
        return JSON.parse(line) as T
      } catch {
        return undefined
      }
    },
    timeoutMs,
    'printing its JSON line',
  )
}

/** Runs `command` to completion (killed after `timeoutMs`) and returns its first JSON line. */
export async function runForJson<T>(
  command: string,
  args: string[],
  timeoutMs: number,
  options: SpawnOptions = {},
): Promise<T> {
  const child = start(command, args, options)
  try {
    return await firstJsonLine<T>(child, timeoutMs)
  } finally {
    await child.stop()
  }
}
