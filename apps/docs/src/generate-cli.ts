import { relative } from 'node:path'
import { writeApiReference, writeFragments } from './generate.ts'
import { DOCS_DIR, workspacePackages } from './repo.ts'

const started = performance.now()
for (const file of writeFragments()) console.log(`docs: wrote ${relative(DOCS_DIR, file)}`)
const packages = workspacePackages()
console.log(`docs: API reference of ${packages.map((p) => p.name).join(', ')}`)
await writeApiReference(packages)
console.log(`docs: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`)
