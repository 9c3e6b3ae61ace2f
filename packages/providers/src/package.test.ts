/**
 * The package's promises: no runtime dependency but `@oauth1/core` (as the adapters have it),
 * `sideEffects: false`, no Node built-in in the shipped sources (presets run
 * wherever the core runs), and a README row for every preset.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as exported from './index.js'
import { PRESET_NAMES } from './presets.test-helper.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as Record<string, any>

const sources = readdirSync(`${root}src`).filter(
  (file) => file.endsWith('.ts') && !/\.test(-d|-helper)?\.ts$/.test(file),
)

describe('@oauth1/providers package', () => {
  it('depends on @oauth1/core alone, with the range the adapters use', () => {
    // A peer would make changesets release a major on every minor of the core (0.x ranges).
    expect(pkg.dependencies).toEqual({ '@oauth1/core': 'workspace:^' })
    expect(pkg.peerDependencies).toBeUndefined()
    expect(pkg.sideEffects).toBe(false)
  })

  it('ships sources that import only each other and @oauth1/core', () => {
    const specifiers = new Set<string>()
    for (const file of sources) {
      const text = readFileSync(`${root}src/${file}`, 'utf8')
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        specifiers.add(match[1] as string)
      }
    }
    const external = [...specifiers].filter((s) => !s.startsWith('./'))
    expect(external).toEqual(['@oauth1/core'])
  })

  it('exports one function per preset (and the E*TRADE helpers)', () => {
    const functions = Object.entries(exported)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name)
      .sort()
    expect(functions).toEqual(
      [...PRESET_NAMES, 'etradeRenewAccessToken', 'etradeRevokeAccessToken'].sort(),
    )
  })

  it('the README has a table row for every preset', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8')
    for (const name of PRESET_NAMES) expect(readme).toMatch(new RegExp(`^\\| \`${name}\\(`, 'm'))
  })
})
