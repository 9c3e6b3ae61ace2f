/**
 * Runs a fixture as a Cloudflare Worker on the real workerd: bundled with
 * esbuild as wrangler would (ESM, `workerd`/`worker`/`browser` export
 * conditions, `node:*` left to the runtime), served on a free port of
 * 127.0.0.1 under a given compatibility date and flags, with outbound fetch
 * allowed to loopback addresses only.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { runtimeBinary } from '../binaries.mjs'
import { type Child, FIXTURES, start, waitForLine } from './processes.js'

/** A compatibility setting: the date and the flags. */
export interface WorkerdSettings {
  compatibilityDate: string
  compatibilityFlags: string[]
}

export interface RunningWorker {
  url: string
  child: Child
  stop(): Promise<void>
}

/** The newest compatibility date the pinned workerd supports (what `workerd --version` prints). */
export function workerdDate(version: string): string {
  const date = /\d{4}-\d{2}-\d{2}/.exec(version)?.[0]
  if (!date) throw new Error(`no date in workerd's version ${version}`)
  return date
}

/** Bundles `fixtures/<entry>` into one ES module, as wrangler does for a module worker. */
export function bundleWorker(entry: string): Promise<string> {
  return bundleFixture(entry, {
    format: 'esm',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*', 'cloudflare:*'],
  })
}

/** Bundles `fixtures/<entry>` into one file for a runtime with no module loader of ours (esbuild, neutral platform). */
export async function bundleFixture(
  entry: string,
  options: { format: 'esm' | 'iife'; conditions: string[]; external?: string[] },
): Promise<string> {
  const result = await build({
    entryPoints: [join(FIXTURES, entry)],
    bundle: true,
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
    ...options,
  })
  const [file] = result.outputFiles
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`)
  return file.text
}

/** Cap'n Proto text for a string literal. */
const capnpString = (value: string) => JSON.stringify(value)

/**
 * Starts workerd serving `script` (an ES module) with `settings`; `text`
 * bindings become `env.<NAME>`. Resolves once it listens.
 */
export async function startWorker(
  script: string,
  settings: WorkerdSettings,
  text: Record<string, string> = {},
): Promise<RunningWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'oauth1-workerd-'))
  await writeFile(join(dir, 'worker.mjs'), script)
  const bindings: string[] = []
  for (const [name, value] of Object.entries(text)) {
    await writeFile(join(dir, `${name}.txt`), value)
    bindings.push(`(name = ${capnpString(name)}, text = embed ${capnpString(`${name}.txt`)})`)
  }
  await writeFile(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "worker.mjs")],
  compatibilityDate = ${capnpString(settings.compatibilityDate)},
  compatibilityFlags = [${settings.compatibilityFlags.map(capnpString).join(', ')}],
  bindings = [${bindings.join(', ')}],
);
`,
  )
  // --control-fd: workerd writes {"event":"listen","socket":"http","port":N} to fd 3.
  const child = start(
    runtimeBinary('workerd'),
    ['serve', 'config.capnp', '--verbose', '--control-fd=3'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] },
  )
  const stop = async () => {
    await child.stop()
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const port = await listenPort(child, 20_000)
    return { url: `http://127.0.0.1:${port}`, child, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The port workerd reports on its control pipe (fd 3) once the `http` socket listens. */
function listenPort(child: Child, timeoutMs: number): Promise<number> {
  const control = child.process.stdio[3] as NodeJS.ReadableStream | null
  if (!control) throw new Error('workerd started without its control pipe')
  return waitForLine(
    child,
    control,
    (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; socket?: string; port?: number }
        return event.event === 'listen' && event.socket === 'http' ? event.port : undefined
      } catch {
        return undefined
      }
    },
    timeoutMs,
    'listening',
  )
}
