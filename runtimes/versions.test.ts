/**
 * The versions the documentation names are the ones the tests run: every
 * Bun, Deno, workerd and Node 22/24/26 version written in the READMEs and
 * CONTRIBUTING.md is the one pinned in binaries/package.json, and the
 * installed binaries say they are those versions. Moving a pin without the
 * docs (or the docs without the pin) fails here, naming the file and line.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { pinnedVersion, type RuntimeName, runtimeLabel } from './binaries.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** What says which versions are tested (bench/README.md, a log of past measurements, is not). */
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(ROOT, 'packages')).map((name) => `packages/${name}/README.md`),
]

/** `1.20261123.1` (the npm package's version) → `2026-11-23` (what workerd reports). */
function workerdDate(packageVersion: string): string {
  const match = /^1\.(\d{4})(\d{2})(\d{2})\./.exec(packageVersion)
  if (!match) throw new Error(`unexpected workerd package version ${packageVersion}`)
  return `${match[1]}-${match[2]}-${match[3]}`
}

/** Each runtime: how the docs write its version, and the version that must be written. */
const EXPECTED: { runtime: RuntimeName; pattern: RegExp; version: string }[] = [
  { runtime: 'bun', pattern: /\bBun\s+v?(\d+\.\d+\.\d+)/g, version: pinnedVersion('bun') },
  { runtime: 'deno', pattern: /\bDeno\s+v?(\d+\.\d+\.\d+)/g, version: pinnedVersion('deno') },
  {
    runtime: 'workerd',
    pattern: /\bworkerd\s+(\d{4}-\d{2}-\d{2})/g,
    version: workerdDate(pinnedVersion('workerd')),
  },
  ...(['22', '24', '26'] as const).map((major) => ({
    runtime: `node${major}` as RuntimeName,
    pattern: new RegExp(`(?<![\\d.])(${major}\\.\\d+\\.\\d+)(?![\\d.])`, 'g'),
    version: pinnedVersion(`node${major}` as RuntimeName),
  })),
]

/** Every `file:line: version` the docs write for `pattern`. */
function mentions(pattern: RegExp): { where: string; version: string }[] {
  const found: { where: string; version: string }[] = []
  for (const file of DOCS) {
    let text: string
    try {
      text = readFileSync(join(ROOT, file), 'utf8')
    } catch {
      continue
    }
    // Over the whole text: a name and its version may sit on two lines.
    for (const match of text.matchAll(pattern)) {
      const line = text.slice(0, match.index).split('\n').length
      found.push({ where: `${file}:${line}`, version: match[1]! })
    }
  }
  return found
}

describe("edge-runtime (Vercel's emulator, a devDependency of runtimes/)", () => {
  const pinned = (
    JSON.parse(readFileSync(join(ROOT, 'runtimes/package.json'), 'utf8')) as {
      devDependencies: Record<string, string>
    }
  ).devDependencies['edge-runtime']
  it(`the docs name the pinned version (${pinned}), and no other`, () => {
    const found = mentions(/\bedge-runtime\s+(\d+\.\d+\.\d+)/g)
    expect(found.some((m) => m.where.startsWith('README.md:'))).toBe(true)
    expect(found.filter((m) => m.version !== pinned)).toEqual([])
  })
})

describe.each(EXPECTED)('$runtime', ({ runtime, pattern, version }) => {
  it(`the docs name the pinned version (${version}), and no other`, () => {
    const found = mentions(pattern)
    // The root README's runtime table names every runtime.
    expect(found.some((m) => m.where.startsWith('README.md:'))).toBe(true)
    expect(found.filter((m) => m.version !== version)).toEqual([])
  })

  it.skipIf(process.env[`OAUTH1_RUNTIME_${runtime.toUpperCase()}`] !== undefined)(
    `the installed binary is version ${version}`,
    () => {
      expect(runtimeLabel(runtime).split(' ')[1]).toBe(version)
    },
  )
})
