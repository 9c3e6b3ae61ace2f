/**
 * `pnpm test:docs` (at the root, after the packages are built): the whole
 * docs check, one step after the other, with each step's time and the total.
 *
 * 1. generate + build the site (`docs:build`: fragments, TypeDoc, VitePress;
 *    a dead link fails the build);
 * 2. type-check every code block of the pages and of what they include;
 * 3. the site in Chromium (every page, internal links, search, screenshots).
 */
import { spawn } from 'node:child_process'
import { DOCS_DIR } from './repo.ts'

const steps: Array<[name: string, command: string, args: string[]]> = [
  ['build the site', 'pnpm', ['run', 'docs:build']],
  ['type-check the code blocks', 'pnpm', ['run', 'check:code']],
  ['test the site in Chromium', 'pnpm', ['run', 'test:site']],
]

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: DOCS_DIR, stdio: 'inherit' })
    child.once('error', reject)
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

const times: string[] = []
const started = performance.now()
for (const [name, command, args] of steps) {
  const stepStarted = performance.now()
  const code = await run(command, args)
  const seconds = (performance.now() - stepStarted) / 1000
  times.push(`${name} ${seconds.toFixed(0)} s`)
  if (code !== 0) {
    console.error(`test:docs: "${name}" failed (exit ${code}) after ${seconds.toFixed(0)} s`)
    process.exit(code)
  }
}
const total = ((performance.now() - started) / 1000).toFixed(0)
console.log(`test:docs: passed in ${total} s (${times.join(', ')})`)
