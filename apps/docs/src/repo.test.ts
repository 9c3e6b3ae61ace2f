import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { repositoryUrl, workspacePackages } from './repo.ts'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'docs-repo-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

function pkg(dir: string, manifest: object, files: string[] = ['src/index.ts']) {
  mkdirSync(join(root, 'packages', dir, 'src'), { recursive: true })
  writeFileSync(join(root, 'packages', dir, 'package.json'), JSON.stringify(manifest))
  for (const file of files) writeFileSync(join(root, 'packages', dir, file), 'export {}')
}

it('discovers every published package with a src/index.ts, and its exports', () => {
  pkg(
    'core',
    {
      name: '@oauth1/core',
      repository: { url: 'git+https://github.com/oauth1/oauth1.git', directory: 'packages/core' },
      exports: {
        '.': { import: { types: './dist/index.d.ts' } },
        './testing': { import: { types: './dist/testing.d.ts' } },
        './package.json': './package.json',
      },
    },
    ['src/index.ts', 'src/testing.ts'],
  )
  pkg('redis', { name: '@oauth1/redis', types: './dist/index.d.ts' })
  pkg('internal', { name: 'internal', private: true })
  pkg('no-source', { name: '@oauth1/no-source' }, [])

  const found = workspacePackages(root)
  expect(found.map((p) => p.name)).toEqual(['@oauth1/core', '@oauth1/redis'])
  const core = found[0]!
  expect(core.entries.map(([specifier]) => specifier)).toEqual([
    '@oauth1/core',
    '@oauth1/core/testing',
  ])
  expect(core.declarations).toEqual([
    ['@oauth1/core', join(root, 'packages/core/dist/index.d.ts')],
    ['@oauth1/core/testing', join(root, 'packages/core/dist/testing.d.ts')],
  ])
  expect(found[1]!.declarations).toEqual([
    ['@oauth1/redis', join(root, 'packages/redis/dist/index.d.ts')],
  ])
  expect(repositoryUrl(root)).toBe('https://github.com/oauth1/oauth1')
})
