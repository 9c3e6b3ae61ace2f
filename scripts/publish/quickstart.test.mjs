// The root README's Quick start: two commands for a fresh machine with only
// Node 20 and npm. The second, `pnpm test`, must install what its stages need
// before the first stage that needs it, or tests skip on that machine.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, readJson } from './workspace.mjs'

const manifest = readJson(join(ROOT, 'package.json'))
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const quickStart = /^## Quick start\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? ''
const commands = (/```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? '').trim().split('\n')
const stages = /^node scripts\/stages\.mjs (.+)$/.exec(manifest.scripts.test)?.[1].split(' ') ?? []

describe('README Quick start', () => {
  it('is two commands: install pnpm, install and start the demo; then run every test', () => {
    const pnpmVersion = manifest.packageManager.replace(/^pnpm@/, '')
    expect(commands).toEqual([
      `npm install -g pnpm@${pnpmVersion} && pnpm install && pnpm demo`,
      'pnpm test',
    ])
  })

  it('is what CI runs', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8')
    expect(ci).toMatch(/^stage "pnpm test" pnpm test$/m)
  })

  it('`pnpm test` installs redis-server before the first stage that runs the Redis store tests', () => {
    // Without redis-server (and without CI=true) the Redis store's tests skip:
    // `pnpm test` on a fresh machine would pass without running them.
    expect(stages.length).toBeGreaterThan(0)
    const runsRedisTests = (script) => /node-matrix\.mjs|vitest run(?! --config)/.test(script)
    const first = stages.find((stage) => runsRedisTests(manifest.scripts[stage] ?? ''))
    expect(first).toBeDefined()
    const script = manifest.scripts[first]
    const ensure = script.indexOf('scripts/ensure-redis.sh')
    expect(ensure, `${first}: ${script}`).toBeGreaterThanOrEqual(0)
    expect(ensure).toBeLessThan(script.search(/node-matrix\.mjs|vitest run/))
  })
})
