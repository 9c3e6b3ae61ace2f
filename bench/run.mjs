// `pnpm bench` entry: runs every bench/*.bench.mjs in sequence, each in its own
// process, on the machine's Node and on the pinned Node 24 (the binaries of
// runtimes/binaries.mjs), forwarding its output under a heading naming the
// Node; exits non-zero if any of them fails.
//
//   node bench/run.mjs                        every bench, on this Node and on Node 24
//   node bench/run.mjs signing                only files whose name contains "signing"
//   node bench/run.mjs --node 24              only on Node 24 (also 20/22/26, or a list: --node 20,24)
//   node bench/run.mjs --node 24 login        the filter may come after --node
//   node bench/run.mjs signing --rounds 25    other arguments go to each bench
//
// A bench's own children (the middleware benches' servers) run on the same
// Node as the bench: they are forked with process.execPath.
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runtimeBinary } from '../runtimes/binaries.mjs'

const dir = fileURLToPath(new URL('.', import.meta.url))
const machineMajor = process.versions.node.split('.')[0]
/** The Nodes a bench can run on: this one, and the pinned binaries. */
const PINNED = ['22', '24', '26']
/** Run on these unless --node says otherwise: the machine's, and the Node 24 the targets are set on. */
const DEFAULT_MAJORS = [...new Set([machineMajor, '24'])]

/** Splits the command line into the filter, the Node majors and what goes to each bench. */
function parseCommandLine(argv) {
  let filter
  const majors = []
  const forwarded = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--node' || arg.startsWith('--node=')) {
      const value = arg === '--node' ? argv[++i] : arg.slice('--node='.length)
      if (value === undefined || value === '') {
        throw new TypeError('--node should be a Node major version, e.g. --node 24 or --node 20,24')
      }
      majors.push(...value.split(',').map((major) => major.trim().replace(/^v/, '')))
    } else if (filter === undefined && forwarded.length === 0 && !arg.startsWith('-')) {
      // The filter: the first argument, or the first after --node (`--node 24 login`).
      filter = arg
    } else {
      forwarded.push(arg)
    }
  }
  return { filter, majors: majors.length === 0 ? DEFAULT_MAJORS : [...new Set(majors)], forwarded }
}

/** The node executable for a major version: this process's, or a pinned binary. */
function nodeFor(major) {
  if (major === machineMajor) return process.execPath
  if (!PINNED.includes(major)) {
    throw new TypeError(
      `--node ${major}: no such Node here (this Node is ${machineMajor}; pinned: ${PINNED.join(', ')})`,
    )
  }
  return runtimeBinary(/** @type {'node22' | 'node24' | 'node26'} */ (`node${major}`))
}

let parsed
let nodes
try {
  parsed = parseCommandLine(process.argv.slice(2))
  nodes = parsed.majors.map((major) => {
    const path = nodeFor(major)
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim()
    return { path, version }
  })
} catch (error) {
  console.error(`bench: ${error.message}`)
  process.exit(2)
}
const { filter, forwarded } = parsed

const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.mjs') && (filter === undefined || file.includes(filter)))
  .sort()

if (files.length === 0) {
  console.error(`bench: no bench/*.bench.mjs file${filter ? ` matches "${filter}"` : ''}`)
  process.exit(1)
}

console.log(
  `bench: ${files.length} bench(es) on ${nodes.map((n) => `Node ${n.version}`).join(' and ')}`,
)

const failed = []
for (const file of files) {
  for (const node of nodes) {
    const label = `${file} on Node ${node.version}`
    console.log(`\n=== ${label} (${node.path}) ===`)
    const code = await new Promise((resolve) => {
      const child = spawn(
        node.path,
        [fileURLToPath(new URL(file, import.meta.url)), ...forwarded],
        {
          stdio: 'inherit',
        },
      )
      child.on('error', (error) => {
        console.error(error)
        resolve(1)
      })
      child.on('exit', (status, signal) => resolve(signal ? 1 : (status ?? 1)))
    })
    if (code !== 0) {
      console.error(`=== ${label} failed (exit ${code}) ===`)
      failed.push(label)
    }
  }
}

const total = files.length * nodes.length
if (failed.length > 0) {
  console.error(`\nbench: ${failed.length} of ${total} failed: ${failed.join(', ')}`)
  process.exit(1)
}
console.log(`\nbench: ${total} passed (${files.length} bench(es) × ${nodes.length} Node(s))`)
