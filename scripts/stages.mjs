#!/usr/bin/env node
/**
 * Runs package.json scripts one after the other, as `pnpm run a && pnpm run b`
 * would, and prints how long each took: as it ends, and in a table at the end.
 * Stops at the first that fails (the rest are listed as not run).
 *
 *   node scripts/stages.mjs build lint typecheck test:node
 */
import { spawn } from 'node:child_process'

const stages = process.argv.slice(2)
if (stages.length === 0) {
  console.error('usage: node scripts/stages.mjs <script> [<script>…]')
  process.exit(2)
}

/** @param {string} script @returns {Promise<number>} */
function run(script) {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['run', script], { stdio: 'inherit' })
    const forward = (/** @type {NodeJS.Signals} */ signal) => child.kill(signal)
    process.on('SIGINT', forward).on('SIGTERM', forward)
    child.on('error', (error) => {
      console.error(error)
      resolve(1)
    })
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward)
      resolve(code ?? (signal ? 128 : 1))
    })
  })
}

const format = (/** @type {number} */ seconds) =>
  seconds >= 60
    ? `${Math.floor(seconds / 60)} min ${(seconds % 60).toFixed(0).padStart(2, '0')} s`
    : `${seconds.toFixed(1)} s`

/** @type {{ stage: string, result: string, seconds: number | null }[]} */
const results = []
const started = performance.now()
let failed = false
for (const stage of stages) {
  if (failed) {
    results.push({ stage, result: 'not run', seconds: null })
    continue
  }
  console.log(`\n▶ ${stage}`)
  const t0 = performance.now()
  const code = await run(stage)
  const seconds = (performance.now() - t0) / 1000
  failed = code !== 0
  results.push({ stage, result: failed ? `FAILED (exit ${code})` : 'passed', seconds })
  console.log(`◀ ${stage}: ${failed ? `FAILED (exit ${code})` : 'passed'} in ${format(seconds)}`)
}

const total = (performance.now() - started) / 1000
const width = Math.max(...stages.map((s) => s.length))
console.log('\nstage timings')
for (const { stage, result, seconds } of results) {
  console.log(
    `  ${stage.padEnd(width)}  ${result.padEnd(18)} ${seconds === null ? '' : format(seconds).padStart(10)}`,
  )
}
console.log(`  ${'total'.padEnd(width)}  ${''.padEnd(18)} ${format(total).padStart(10)}`)
const passed = results.filter((r) => r.result === 'passed').length
console.log(`stages: ${passed} passed, ${results.length - passed} failed`)
process.exit(failed ? 1 : 0)
