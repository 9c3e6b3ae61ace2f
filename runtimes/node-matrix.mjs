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
 * Prints how long each took and, at the very end (where a CI log's tail shows
 * it), every failed test with the first lines of its error; exits non-zero
 * when any failed (all run).
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
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
 * Unless the caller chose reporters, vitest's usual one plus a JSON report,
 * read back for the failures' summary.
 */
const reportDir = mkdtempSync(join(tmpdir(), 'node-matrix-'))
const ownReporters = vitestArgs.some((a) => a.startsWith('--reporter'))

/**
 * The type tests (`*.test-d.ts`, run by tsc) check TypeScript's view of the
 * packages, which no Node version changes: they run once, on the first Node
 * of the run (the machine's), and the packages' vitest configs skip them when
 * OAUTH1_TYPE_TESTS=0.
 *
 * @param {string} node
 * @param {boolean} typeTests
 * @param {string} report where the JSON report goes
 * @returns {Promise<number>}
 */
function runVitest(node, typeTests, report) {
  const reporting = ownReporters
    ? []
    : ['--reporter=default', '--reporter=json', `--outputFile.json=${report}`]
  return new Promise((resolve) => {
    const child = spawn(node, [vitest, 'run', ...reporting, ...vitestArgs], {
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

/**
 * The failed tests (and files that failed to load) in a vitest JSON report:
 * a line naming each, then the first lines of its error. Empty when the
 * report is missing or unreadable (vitest died before writing it: its own
 * output above says why).
 *
 * @param {string} report
 * @returns {string[]}
 */
function failuresIn(report) {
  let parsed
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8'))
  } catch {
    return []
  }
  const lines = []
  // The message's first lines and the first stack frame (where it failed).
  const excerpt = (/** @type {unknown} */ text) => {
    const all = String(text)
      .split('\n')
      .filter((line) => line.trim() !== '')
    const firstFrame = all.findIndex((line) => line.trimStart().startsWith('at '))
    const message = (firstFrame === -1 ? all : all.slice(0, firstFrame)).slice(0, 6)
    const shown = firstFrame === -1 ? message : [...message, all[firstFrame]]
    return shown.map((line) => `      ${line.trim().slice(0, 200)}`)
  }
  for (const file of parsed.testResults ?? []) {
    const where = String(file.name ?? '').replace(root, '')
    const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed')
    for (const test of failedTests) {
      lines.push(`    ✗ ${where} > ${test.fullName ?? test.title}`)
      lines.push(...excerpt((test.failureMessages ?? [])[0] ?? ''))
    }
    if (failedTests.length === 0 && file.status === 'failed') {
      lines.push(`    ✗ ${where} (the file itself)`)
      lines.push(...excerpt(file.message ?? ''))
    }
  }
  return lines
}

const results = []
for (const major of chosen) {
  const node = nodeFor(major)
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  console.log(`\n━━ vitest run on Node ${version} (${node}) ━━\n`)
  const started = performance.now()
  const report = join(reportDir, `node${major}.json`)
  const code = await runVitest(node, major === chosen[0], report)
  const seconds = (performance.now() - started) / 1000
  results.push({ version, code, seconds, failures: code === 0 ? [] : failuresIn(report) })
  console.log(
    `\n━━ Node ${version}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s ━━`,
  )
}

console.log('\nnode-matrix: vitest run per Node')
for (const { version, code, seconds, failures } of results) {
  console.log(
    `  ${version.padEnd(10)} ${code === 0 ? 'passed' : 'FAILED'}  ${seconds.toFixed(1).padStart(6)} s`,
  )
  for (const line of failures) console.log(line)
}
rmSync(reportDir, { recursive: true, force: true })
const failed = results.filter((r) => r.code !== 0).length
console.log(`node-matrix: ${results.length - failed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
