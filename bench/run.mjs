// `pnpm bench` entry: runs every bench/*.bench.mjs in sequence, each in its own
// node process, forwarding its output; exits non-zero if any of them fails.
//
//   node bench/run.mjs                 every bench
//   node bench/run.mjs signing         only files whose name contains "signing"
//   node bench/run.mjs signing --rounds 25   extra arguments go to each bench
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('.', import.meta.url))
const [first, ...rest] = process.argv.slice(2)
const filter = first !== undefined && !first.startsWith('-') ? first : undefined
const forwarded = filter === undefined ? process.argv.slice(2) : rest

const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.mjs') && (filter === undefined || file.includes(filter)))
  .sort()

if (files.length === 0) {
  console.error(`bench: no bench/*.bench.mjs file${filter ? ` matches "${filter}"` : ''}`)
  process.exit(1)
}

const failed = []
for (const file of files) {
  console.log(`\n=== ${file} ===`)
  const code = await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
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
    console.error(`=== ${file} failed (exit ${code}) ===`)
    failed.push(file)
  }
}

if (failed.length > 0) {
  console.error(`\nbench: ${failed.length} of ${files.length} failed: ${failed.join(', ')}`)
  process.exit(1)
}
console.log(`\nbench: ${files.length} passed`)
