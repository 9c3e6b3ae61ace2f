import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkMetadata } from './metadata.mjs'
import { publishedPackages, ROOT, readJson } from './workspace.mjs'

const rootManifest = readJson(join(ROOT, 'package.json'))
const packages = publishedPackages()
const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8')

describe('every published package.json', () => {
  it('is found: every non-private package under packages/', () => {
    const names = packages.map((p) => p.manifest.name)
    for (const name of ['@oauth1/core', '@oauth1/express', '@oauth1/testing'])
      expect(names).toContain(name)
    expect(packages.every((p) => p.manifest.private !== true)).toBe(true)
  })

  it.each(packages.map((p) => [p.manifest.name, p]))(
    '%s has the metadata npm and users need',
    (_name, pkg) => {
      expect(checkMetadata(pkg.manifest, { relDir: pkg.relDir, rootManifest })).toEqual([])
    },
  )

  it.each(packages.map((p) => [p.manifest.name, p]))(
    "%s has the repository's MIT LICENSE beside it",
    (_name, pkg) => {
      expect(readFileSync(join(pkg.dir, 'LICENSE'), 'utf8')).toBe(license)
    },
  )

  it('the LICENSE is MIT, held by the @oauth1 contributors', () => {
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the @oauth1 contributors\n/)
    expect(rootManifest.license).toBe('MIT')
  })
})

describe('checkMetadata', () => {
  const core = packages.find((p) => p.manifest.name === '@oauth1/core')
  const check = (edit) => {
    const manifest = structuredClone(core.manifest)
    edit(manifest)
    return checkMetadata(manifest, { relDir: core.relDir, rootManifest })
  }

  it.each([
    ['license', (m) => delete m.license],
    ['license', (m) => (m.license = 'ISC')],
    ['description', (m) => (m.description = ' ')],
    ['repository', (m) => delete m.repository],
    ['repository', (m) => (m.repository.directory = 'packages/other')],
    ['repository', (m) => (m.repository = 'oauth1/oauth1')],
    ['homepage', (m) => delete m.homepage],
    ['bugs', (m) => (m.bugs = 'https://example.com/issues')],
    ['keywords', (m) => delete m.keywords],
    ['keywords', (m) => (m.keywords = ['OAuth', 'oauth1'])],
    ['keywords', (m) => (m.keywords = ['oauth1', 'oauth1', 'oauth'])],
    ['engines', (m) => (m.engines = { node: '>=18' })],
    ['publishConfig', (m) => delete m.publishConfig],
    ['publishConfig', (m) => (m.publishConfig.provenance = false)],
    ['publishConfig', (m) => (m.publishConfig.access = 'restricted')],
    ['files', (m) => delete m.files],
    ['files', (m) => m.files.push('src')],
    ['files', (m) => (m.files = m.files.filter((f) => f !== 'LICENSE'))],
    ['files', (m) => m.files.push('bin')], // no bin field: nothing to publish there
    ['name', (m) => (m.name = 'oauth1-core')],
    ['version', (m) => (m.version = '1')],
  ])('names %s when it is wrong (case %#)', (field, edit) => {
    const problems = check(edit)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(new RegExp(`^${field} is `))
  })

  it('accepts bin/ in files for a package with a bin, and "!dist/…" exclusions', () => {
    expect(
      check((m) => {
        m.bin = { tool: './bin/tool.js' }
        m.files.push('bin', '!dist/extra.cjs')
      }),
    ).toEqual([])
  })
})
