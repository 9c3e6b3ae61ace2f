// `changeset version` on a scratch copy of the workspace's manifests and
// changesets: what a release would write, without touching the workspace.
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import semver from 'semver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publishedPackages, ROOT, readJson } from './workspace.mjs'

const workspaceDirs = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(ROOT, group), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(ROOT, group, e.name, 'package.json')))
    .map((e) => `${group}/${e.name}`),
)
const published = publishedPackages()
const changesets = readdirSync(join(ROOT, '.changeset')).filter(
  (f) => f.endsWith('.md') && f !== 'README.md',
)

let scratch
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'oauth1-changeset-'))
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset']) {
    cpSync(join(ROOT, file), join(scratch, file), { recursive: true })
  }
  for (const dir of workspaceDirs) {
    mkdirSync(join(scratch, dir), { recursive: true })
    cpSync(join(ROOT, dir, 'package.json'), join(scratch, dir, 'package.json'))
  }
  // .changeset/changelog.cjs requires @changesets/cli from the scratch copy
  mkdirSync(join(scratch, 'node_modules/@changesets'), { recursive: true })
  symlinkSync(
    realpathSync(join(ROOT, 'node_modules/@changesets/cli')),
    join(scratch, 'node_modules/@changesets/cli'),
  )
  execFileSync(join(ROOT, 'node_modules/.bin/changeset'), ['version'], {
    cwd: scratch,
    stdio: 'pipe',
  })
}, 120_000)
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const versioned = (dir) => readJson(join(scratch, dir, 'package.json'))
const current = (dir) => readJson(join(ROOT, dir, 'package.json'))

describe('changeset version', () => {
  it('consumes every changeset', () => {
    expect(changesets.length).toBeGreaterThan(0)
    expect(readdirSync(join(scratch, '.changeset')).filter((f) => changesets.includes(f))).toEqual(
      [],
    )
  })

  it('keeps every published package at 0.x, released together at one version', () => {
    const released = published.filter((p) => versioned(p.relDir).version !== p.manifest.version)
    expect(released.length).toBeGreaterThan(0)
    const versions = new Set(released.map((p) => versioned(p.relDir).version))
    expect(versions.size).toBe(1) // .changeset/config.json links @oauth1/*
    for (const version of versions) expect(semver.major(version)).toBe(0)
  })

  it('leaves the private apps alone: no version, no CHANGELOG', () => {
    for (const dir of workspaceDirs.filter((d) => current(d).private === true)) {
      expect(versioned(dir).version).toBe(current(dir).version)
      expect(existsSync(join(scratch, dir, 'CHANGELOG.md'))).toBe(false)
    }
  })

  it('keeps workspace ranges between the packages (pnpm publish replaces them)', () => {
    for (const pkg of published)
      for (const [name, range] of Object.entries(pkg.manifest.dependencies ?? {}))
        expect(versioned(pkg.relDir).dependencies[name]).toBe(range)
  })

  it.each(published.map((p) => [p.manifest.name, p.relDir]))(
    '%s: a CHANGELOG with one "Updated dependencies" entry per release at most',
    (_name, dir) => {
      const version = versioned(dir).version
      if (version === current(dir).version) {
        expect(existsSync(join(scratch, dir, 'CHANGELOG.md'))).toBe(false) // nothing released
        return
      }
      const changelog = readFileSync(join(scratch, dir, 'CHANGELOG.md'), 'utf8')
      expect(changelog.startsWith(`# ${current(dir).name}\n\n## ${version}\n`)).toBe(true)
      for (const release of changelog.split(/^## /m).slice(1))
        expect(release.match(/^- Updated dependencies/gm)?.length ?? 0).toBeLessThanOrEqual(1)
    },
  )
})
