/**
 * How Bun and Deno run a fixture: from the runtimes package, so bare imports
 * resolve through its node_modules (the workspace's packages, built), with
 * no install step, no lockfile written and, for Deno, only the permissions
 * the apps need.
 */
import { join } from 'node:path'
import { runtimeBinary } from '../binaries.mjs'
import { type Child, FIXTURES, firstJsonLine, start } from './processes.js'

export type Command = [command: string, args: string[]]

export const SERVER_RUNTIMES = {
  bun: (script: string, ...args: string[]): Command => [
    runtimeBinary('bun'),
    ['--no-install', join(FIXTURES, script), ...args],
  ],
  deno: (script: string, ...args: string[]): Command => [
    runtimeBinary('deno'),
    [
      'run',
      '--no-lock',
      '--no-prompt',
      '--allow-net=127.0.0.1',
      '--allow-env',
      '--allow-read',
      '--allow-sys',
      '--allow-ffi',
      join(FIXTURES, script),
      ...args,
    ],
  ],
} as const

export type ServerRuntime = keyof typeof SERVER_RUNTIMES

export interface RunningServer {
  url: string
  /** What the server said it runs on (`bun 1.4.5`, `deno 2.9.6`). */
  runtime: string
  child: Child
  stop(): Promise<void>
}

/**
 * Starts a fixture server (it prints `{ port, runtime }` once listening) on
 * `runtime`, configured with `config`.
 */
export async function startServer(
  runtime: ServerRuntime,
  script: string,
  args: string[],
  config: unknown,
): Promise<RunningServer> {
  const [command, commandArgs] = SERVER_RUNTIMES[runtime](script, ...args)
  const child = start(command, commandArgs, {
    env: { OAUTH1_APP_CONFIG: JSON.stringify(config) },
  })
  try {
    const { port, runtime: reported } = await firstJsonLine<{ port: number; runtime: string }>(
      child,
      30_000,
    )
    return { url: `http://127.0.0.1:${port}`, runtime: reported, child, stop: () => child.stop() }
  } catch (error) {
    await child.stop()
    throw error
  }
}
