#!/usr/bin/env node
/**
 * `pnpm test:node`: the whole unit and integration suite (`vitest run`) on
 * each Node the packages are tested on — the machine's own (20), then the
 * pinned 22, 24 and 26 — one after the other, against the packages built
 * once beforehand (`pnpm build`). Every child process a test starts with
 * `node` or `process.execPath` runs on the same Node: its directory comes
 * first on PATH.
 *
 *   node runtimes/node-matrix.mjs                 # 20 (this Node), 22, 24, 26
 *   node runtimes/node-matrix.mjs 22 26           # only those
 *   node runtimes/node-matrix.mjs 24 -- --project core src/sign.test.ts
 *
 * Prints how long each took, and exits non-zero when any failed (all run).
 */
import { execFileSync, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runtimeBinary } from './binaries.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const vitest = join(
  dirname(createRequire(join(root, 'package.json')).resolve('vitest/package.json')),
  'vitest.mjs',
)

const args = process.argv.slice(2)
const dashes = args.indexOf('--')
const majors = dashes === -1 ? args : args.slice(0, dashes)
const vitestArgs = dashes === -1 ? [] : args.slice(dashes + 1)

const machineMajor = process.versions.node.split('.')[0]
const ALL = [machineMajor, '22', '24', '26']
const chosen = majors.length === 0 ? ALL : majors
for (const major of chosen) {
  if (!ALL.includes(major)) {
    console.error(`node-matrix: no Node ${major} here (tested: ${ALL.join(', ')})`)
    process.exit(2)
  }
}

/** @param {string} major */
function nodeFor(major) {
  return major === machineMajor
    ? process.execPath
    : runtimeBinary(/** @type {'node22' | 'node24' | 'node26'} */ (`node${major}`))
}

/**
 * The type tests (`*.test-d.ts`, run by tsc) check TypeScript's view of the
 * packages, which no Node version changes: they run once, on the first Node
 * of the run (the machine's), and the packages' vitest configs skip them when
 * OAUTH1_TYPE_TESTS=0.
 *
 * @param {string} node
 * @param {boolean} typeTests
 * @returns {Promise<number>}
 */
function runVitest(node, typeTests) {
  return new Promise((resolve) => {
    const child = spawn(node, [vitest, 'run', ...vitestArgs], {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`,
        OAUTH1_TYPE_TESTS: typeTests ? '1' : '0',
      },
    })
    const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal)
    process.on('SIGINT', forward).on('SIGTERM', forward)
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward)
      resolve(code ?? (signal ? 128 : 1))
    })
  })
}

const results = []
for (const major of chosen) {
  const node = nodeFor(major)
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  console.log(`\n━━ vitest run on Node ${version} (${node}) ━━\n`)
  const started = performance.now()
  const code = await runVitest(node, major === chosen[0])
  const seconds = (performance.now() - started) / 1000
  results.push({ version, code, seconds })
  console.log(
    `\n━━ Node ${version}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s ━━`,
  )
}

console.log('\nnode-matrix: vitest run per Node')
for (const { version, code, seconds } of results) {
  console.log(
    `  ${version.padEnd(10)} ${code === 0 ? 'passed' : 'FAILED'}  ${seconds.toFixed(1).padStart(6)} s`,
  )
}
const failed = results.filter((r) => r.code !== 0).length
console.log(`node-matrix: ${results.length - failed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
