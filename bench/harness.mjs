// A small ops/s harness for the benches: warm-up, then rounds in which every
// candidate runs one timed batch in turn (so drift, GC and frequency scaling hit
// all of them alike), and the median ops/s over the rounds. No npm dependencies.
//
//   import { compare, printTable } from './harness.mjs'
//   const results = await compare([{ name: 'a', fn: () => work() }, …], { rounds: 15 })
//   printTable(results)

// Time is this process's CPU time (user + system, GC threads included), not
// wall time: on a shared machine other processes stretch wall time at random,
// while the CPU a candidate burns stays put. `--wall` measures wall time.
import { median } from './stats.mjs'

const useWall = process.argv.includes('--wall')
const now = useWall
  ? () => Number(process.hrtime.bigint())
  : () => {
      const { user, system } = process.cpuUsage()
      return (user + system) * 1000
    }

/** Runs `fn` `n` times, awaiting it when it returns a promise; returns elapsed ns. */
async function runBatch(fn, n) {
  const start = now()
  for (let i = 0; i < n; i++) {
    const result = fn()
    if (result !== undefined && typeof result.then === 'function') await result
  }
  return now() - start
}

/** What the harness measures, for the report. */
export const clock = useWall ? 'wall time' : 'process CPU time (user + system)'

/** How many calls take about `ms` milliseconds. */
async function calibrate(fn, ms) {
  let n = 16
  for (;;) {
    const elapsed = await runBatch(fn, n)
    if (elapsed >= ms * 1e6 * 0.25 || n >= 1 << 24) {
      return Math.max(1, Math.round((n * ms * 1e6) / Math.max(elapsed, 1)))
    }
    n *= 4
  }
}

/**
 * Measures each candidate: `warmupMs` of warm-up each, then `rounds` rounds
 * of one `batchMs` batch per candidate. Returns, per candidate, the median
 * ops/s, ns/op, the spread (min/max ops/s over the rounds) and every sample.
 *
 * @param {{ name: string, fn: () => unknown }[]} candidates
 * @param {{ warmupMs?: number, rounds?: number, batchMs?: number }} [options]
 */
export async function compare(candidates, options = {}) {
  const { warmupMs = 500, rounds = 15, batchMs = 100 } = options
  const sizes = []
  for (const { fn } of candidates) {
    const deadline = Date.now() + warmupMs
    while (Date.now() < deadline) await runBatch(fn, 64)
    sizes.push(await calibrate(fn, batchMs))
  }
  const samples = candidates.map(() => [])
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < candidates.length; i++) {
      const elapsed = await runBatch(candidates[i].fn, sizes[i])
      samples[i].push((sizes[i] * 1e9) / elapsed)
    }
  }
  return candidates.map(({ name }, i) => {
    const opsPerSec = median(samples[i])
    return {
      name,
      opsPerSec,
      nsPerOp: 1e9 / opsPerSec,
      min: Math.min(...samples[i]),
      max: Math.max(...samples[i]),
      samples: samples[i],
    }
  })
}

/**
 * The median over rounds of `a`'s ops/s divided by `b`'s in the same round.
 * Batches of one round run back to back, so they share the machine's load:
 * on a busy machine this ratio is far steadier than a ratio of medians.
 */
export function pairedRatio(a, b) {
  return median(a.samples.map((opsPerSec, round) => opsPerSec / b.samples[round]))
}

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** Prints a table of results; ratios are against `baseline` (a name), in ops/s. */
export function printTable(results, { baseline } = {}) {
  const base = results.find((r) => r.name === baseline)
  const width = Math.max(...results.map((r) => r.name.length))
  console.log(
    `${'candidate'.padEnd(width)}  ${'ops/s'.padStart(12)}  ${'µs/op'.padStart(8)}  ${'spread'.padStart(20)}${base ? `  ${'vs '.concat(baseline).padStart(10)}` : ''}`,
  )
  for (const r of results) {
    const spread = `${fmt(r.min)}–${fmt(r.max)}`
    const ratio = base ? `  ${`${fmt(r.opsPerSec / base.opsPerSec, 2)}×`.padStart(10)}` : ''
    console.log(
      `${r.name.padEnd(width)}  ${fmt(r.opsPerSec).padStart(12)}  ${fmt(r.nsPerOp / 1000, 2).padStart(8)}  ${spread.padStart(20)}${ratio}`,
    )
  }
}
