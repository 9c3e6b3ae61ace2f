// Where a process's CPU went, from V8 CPU profiles (`--cpu-prof`, or the
// `--profile <dir>` of the middleware and login benches): self time per
// function, summed over the profiles given, as a share of the busy time
// (all samples but "(idle)"), with two totals: the frames of our packages
// (packages/*/dist) and Node's AsyncLocalStorage machinery
// (internal/async_context_frame, internal/async_local_storage, async_hooks).
//
//   node bench/profile-top.mjs <file.cpuprofile>... [--top 25] [--filter text] [--inclusive]
//
// --inclusive charges each sample to the innermost frame of our packages on
// its stack instead of the leaf, so that the native work a function of ours
// causes (a URL parse, a Headers, a hash) counts as its own; samples with no
// frame of ours on their stack are left out of the list (the totals stay).
// Frames that call back into the app (the middleware's `run`, a request's
// `send`) then carry everything below them: read the smaller rows.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { positive } from './options.mjs'

const TITLE = 'profile-top'
let values
let positionals
try {
  ;({ values, positionals } = parseArgs({
    options: {
      top: { type: 'string', default: '25' },
      filter: { type: 'string' },
      inclusive: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  }))
} catch (error) {
  console.error(`${TITLE}: ${error.message}`)
  process.exit(2)
}
if (positionals.length === 0) {
  console.error(`${TITLE}: name at least one .cpuprofile file`)
  process.exit(2)
}
const top = positive(TITLE, values.top, 'top')

const OURS = /\/packages\/[^/]+\/dist\//
const CONTEXT = /internal\/async_context_frame|internal\/async_local_storage|node:async_hooks/

const self = new Map()
let busy = 0
let ours = 0
let context = 0
for (const file of positionals) {
  let profile
  try {
    profile = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    console.error(`${TITLE}: cannot read ${file}: ${error.message}`)
    process.exit(2)
  }
  const time = new Map()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]
    time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  // --inclusive walks up from each sample: each node's parent.
  const parent = new Map()
  if (values.inclusive) {
    for (const node of profile.nodes)
      for (const child of node.children ?? []) parent.set(child, node)
  }
  for (const node of profile.nodes) {
    const t = time.get(node.id) ?? 0
    const { functionName, url } = node.callFrame
    if (functionName === '(idle)') continue
    busy += t
    if (OURS.test(url)) ours += t
    if (CONTEXT.test(url)) context += t
    let charged = node
    if (values.inclusive) {
      while (charged !== undefined && !OURS.test(charged.callFrame.url))
        charged = parent.get(charged.id)
      if (charged === undefined) continue
    }
    const { functionName: name, url: chargedUrl, lineNumber } = charged.callFrame
    const where = chargedUrl
      .replace(/^.*\/node_modules\//, '')
      .replace(/^file:\/\/.*\/packages\//, 'packages/')
    const key = `${name || '(anonymous)'}  ${where}${where ? `:${lineNumber + 1}` : ''}`
    self.set(key, (self.get(key) ?? 0) + t)
  }
}

const share = (t) => `${((100 * t) / busy).toFixed(2).padStart(6)}%`
console.log(`${positionals.length} profile(s), busy ${(busy / 1e3).toFixed(0)} ms (idle left out)`)
console.log(`${share(ours)}  @oauth1 frames (packages/*/dist)`)
console.log(
  `${share(context)}  AsyncLocalStorage frames (async_context_frame, async_local_storage, async_hooks)`,
)
console.log('')
const rows = [...self]
  .filter(([key]) => values.filter === undefined || key.includes(values.filter))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)
for (const [key, t] of rows)
  console.log(`${share(t)}  ${(t / 1e3).toFixed(1).padStart(8)} ms  ${key}`)
