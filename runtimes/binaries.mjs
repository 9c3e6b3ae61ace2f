#!/usr/bin/env node
/**
 * The runtimes the tests run on: Node 22, 24 and 26, Bun, Deno and workerd,
 * as the binaries their own npm registry packages ship (no install script,
 * nothing downloaded from anywhere else), pinned in binaries/package.json and
 * its lockfile. They live outside the workspace, so `pnpm install` stays
 * small; `node runtimes/binaries.mjs install` installs them (about 750 MB,
 * hard links from pnpm's store after the first time).
 *
 * The packages are for linux-x64 (glibc). Elsewhere, point the tests at
 * binaries of your own with OAUTH1_RUNTIME_<NAME> (OAUTH1_RUNTIME_NODE24,
 * OAUTH1_RUNTIME_BUN, OAUTH1_RUNTIME_DENO, OAUTH1_RUNTIME_WORKERD…).
 *
 *   node runtimes/binaries.mjs install   # install (idempotent), then print the versions
 *   node runtimes/binaries.mjs           # print the versions
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const BINARIES_DIR = fileURLToPath(new URL('./binaries/', import.meta.url))

/** Each runtime: its package in binaries/package.json and the executable inside it. */
export const RUNTIMES = {
  node22: { dependency: 'node22', executable: 'bin/node' },
  node24: { dependency: 'node24', executable: 'bin/node' },
  node26: { dependency: 'node26', executable: 'bin/node' },
  bun: { dependency: '@oven/bun-linux-x64', executable: 'bin/bun' },
  deno: { dependency: '@deno/linux-x64-glibc', executable: 'deno' },
  workerd: { dependency: '@cloudflare/workerd-linux-64', executable: 'bin/workerd' },
}

/** @typedef {keyof typeof RUNTIMES} RuntimeName */

const manifest = JSON.parse(readFileSync(`${BINARIES_DIR}package.json`, 'utf8'))

/**
 * The version pinned for a runtime (`'24.22.3'`, `'1.4.5'`…).
 * @param {RuntimeName} name
 * @returns {string}
 */
export function pinnedVersion(name) {
  const spec = manifest.dependencies[RUNTIMES[name].dependency]
  return spec.slice(spec.lastIndexOf('@') + 1)
}

/**
 * The executable's absolute path: OAUTH1_RUNTIME_<NAME> when set, else the
 * pinned package's. Throws, saying how to install it, when it is missing.
 * @param {RuntimeName} name
 * @returns {string}
 */
export function runtimeBinary(name) {
  const override = process.env[`OAUTH1_RUNTIME_${name.toUpperCase()}`]
  if (override) return override
  const { dependency, executable } = RUNTIMES[name]
  const path = `${BINARIES_DIR}node_modules/${dependency}/${executable}`
  if (!existsSync(path)) {
    throw new Error(
      `${name} is not installed (${path} is missing): run \`node runtimes/binaries.mjs install\`, ` +
        `or set OAUTH1_RUNTIME_${name.toUpperCase()} to a ${name} executable`,
    )
  }
  return path
}

/**
 * What the executable says its version is (`v24.22.3`, `1.4.5`, `deno 2.9.6`, `workerd 2026-11-23`).
 * @param {RuntimeName} name
 * @returns {string}
 */
export function reportedVersion(name) {
  return execFileSync(runtimeBinary(name), ['--version'], { encoding: 'utf8' })
    .split('\n')[0]
    .trim()
}

/** True when node_modules holds exactly what the lockfile pins (pnpm keeps a copy of it there). */
function upToDate() {
  const installed = `${BINARIES_DIR}node_modules/.pnpm/lock.yaml`
  return (
    existsSync(installed) &&
    readFileSync(installed, 'utf8') === readFileSync(`${BINARIES_DIR}pnpm-lock.yaml`, 'utf8') &&
    Object.values(RUNTIMES).every(({ dependency, executable }) =>
      existsSync(`${BINARIES_DIR}node_modules/${dependency}/${executable}`),
    )
  )
}

/**
 * The runtime and its version as the tests name it: `Node 24.22.3`, `Bun 1.4.5`,
 * `Deno 2.9.6`, `workerd 2026-11-23` (from the executable, not the pin).
 * @param {RuntimeName} name
 * @returns {string}
 */
export function runtimeLabel(name) {
  const reported = reportedVersion(name)
  const version = /\d{4}-\d{2}-\d{2}|\d+\.\d+\.\d+/.exec(reported)?.[0] ?? reported
  const title = { bun: 'Bun', deno: 'Deno', workerd: 'workerd' }[name] ?? 'Node'
  return `${title} ${version}`
}

/** Installs the pinned binaries (a no-op when they are there already). */
export function installBinaries() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log(
      `runtimes: the pinned binaries are for linux-x64, this is ${process.platform}-${process.arch}; ` +
        'set OAUTH1_RUNTIME_<NAME> for each runtime instead',
    )
    return
  }
  if (upToDate()) {
    console.log('runtimes: the pinned binaries are installed')
    return
  }
  execFileSync(
    'pnpm',
    [
      'install',
      '--dir',
      BINARIES_DIR,
      '--ignore-workspace',
      '--frozen-lockfile',
      '--prefer-offline',
      '--reporter=append-only',
    ],
    { stdio: 'inherit' },
  )
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === 'install') installBinaries()
  else if (process.argv[2] !== undefined) {
    console.error('usage: node runtimes/binaries.mjs [install]')
    process.exit(2)
  }
  for (const name of Object.keys(RUNTIMES)) {
    console.log(`${name.padEnd(8)} ${reportedVersion(/** @type {RuntimeName} */ (name))}`)
  }
}
