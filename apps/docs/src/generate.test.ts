import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emulationsFragment, README_END, readmeFragment, readmeStart } from './generate.ts'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'docs-generate-'))
  mkdirSync(join(root, 'packages', 'providers'), { recursive: true })
  mkdirSync(join(root, 'packages', 'testing', 'src'), { recursive: true })
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('readmeFragment', () => {
  it('includes the README without its title, between the link markers', () => {
    writeFileSync(join(root, 'packages/providers/README.md'), '# @oauth1/providers\n\nPresets.\n')
    const fragment = readmeFragment(root, 'packages/providers/README.md', 'providers-missing.md')
    expect(fragment).toContain(readmeStart('packages/providers/README.md'))
    expect(fragment).toMatch(/<!--@include: (\.\.\/)+packages\/providers\/README\.md\{2,\}-->/)
    expect(fragment.indexOf(README_END)).toBeGreaterThan(fragment.indexOf('@include'))
  })

  it('includes all of a README that does not start with a title', () => {
    writeFileSync(join(root, 'packages/providers/README.md'), 'Presets.\n')
    const fragment = readmeFragment(root, 'packages/providers/README.md', 'providers-missing.md')
    expect(fragment).toMatch(/README\.md-->/)
  })

  it('includes the placeholder part while the README is missing', () => {
    const fragment = readmeFragment(root, 'packages/providers/README.md', 'providers-missing.md')
    expect(fragment).toBe('<!--@include: ../_parts/providers-missing.md-->\n')
  })
})

describe('emulationsFragment', () => {
  it('says "not in this build" until @oauth1/testing has emulations', () => {
    writeFileSync(join(root, 'packages/testing/src/types.ts'), 'export interface X { quirks?: 1 }')
    expect(emulationsFragment(root)).toContain('_parts/testing-emulations-missing.md')
  })

  it('shows the emulations, with presets once @oauth1/providers is there too', () => {
    writeFileSync(
      join(root, 'packages/testing/src/types.ts'),
      "export interface X { emulate?: 'trello' }",
    )
    expect(emulationsFragment(root)).toContain('_parts/testing-emulations.md')
    mkdirSync(join(root, 'packages/providers/src'))
    writeFileSync(join(root, 'packages/providers/src/index.ts'), 'export {}')
    expect(emulationsFragment(root)).toContain('_parts/testing-emulations-presets.md')
  })
})
