import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { missingBuildFiles } from './built.mjs'
import { publishedPackages, ROOT } from './workspace.mjs'

const packages = publishedPackages()
const script = join(ROOT, 'scripts/publish/built.mjs')
const scratch = []
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A copy of a published package's package.json alone, as a fresh clone has it: no dist/. */
function unbuilt(name) {
  const pkg = packages.find((p) => p.manifest.name === name)
  const dir = mkdtempSync(join(tmpdir(), 'oauth1-built-'))
  scratch.push(dir)
  cpSync(join(pkg.dir, 'package.json'), join(dir, 'package.json'))
  return dir
}

describe('prepublishOnly: built.mjs', () => {
  it.each(packages.map((p) => [p.manifest.name]))('%s runs it before publish', (name) => {
    const pkg = packages.find((p) => p.manifest.name === name)
    expect(pkg.manifest.scripts?.prepublishOnly).toBe('node ../../scripts/publish/built.mjs')
  })

  it('names every file package.json points at that is not in the folder', () => {
    const dir = unbuilt('@oauth1/testing')
    expect(missingBuildFiles(dir)).toEqual([
      'bin/oauth1-test-provider.js',
      'dist/index.cjs',
      'dist/index.d.cts',
      'dist/index.d.ts',
      'dist/index.js',
    ])
  })

  it('finds nothing missing once they are there', () => {
    const dir = unbuilt('@oauth1/core')
    for (const file of missingBuildFiles(dir)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      writeFileSync(join(dir, file), '')
    }
    expect(missingBuildFiles(dir)).toEqual([])
  })

  it('exits non-zero, saying to build, in an unbuilt package folder; zero in a built one', () => {
    const failed = spawnSync(process.execPath, [script], {
      cwd: unbuilt('@oauth1/express'),
      encoding: 'utf8',
    })
    expect(failed.status).toBe(1)
    expect(failed.stderr).toMatch(
      /^@oauth1\/express is not built: dist\/index\.cjs, .* Run `pnpm build`/,
    )
    const core = packages.find((p) => p.manifest.name === '@oauth1/core')
    const built = spawnSync(process.execPath, [script], { cwd: core.dir, encoding: 'utf8' })
    expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: '' })
    // Two Node processes: past vitest's 5 s default on a busy 2-core machine.
  }, 30_000)
})
