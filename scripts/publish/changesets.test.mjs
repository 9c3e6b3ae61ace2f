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
import { COMPARING_PHRASES, comparingPhrases } from './wording.mjs'
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

// A package.json at 0.0.0 has never been published (the first release is
// 0.1.0): its changesets describe a first release, so they say what it does,
// not how it differs from code no user had (.changeset/README.md).
const UNRELEASED = '0.0.0'
const allUnreleased = published.every((p) => p.manifest.version === UNRELEASED)

describe('the wording of the changesets', () => {
  it.skipIf(!allUnreleased)(
    'while every published package is unreleased, no changeset compares with unreleased code',
    () => {
      expect(published.length).toBeGreaterThan(0)
      const found = changesets.flatMap((file) =>
        comparingPhrases(readFileSync(join(ROOT, '.changeset', file), 'utf8')).map(
          ({ line, phrase, why }) => `.changeset/${file}:${line}: "${phrase}" (${why})`,
        ),
      )
      expect(found).toEqual([])
    },
  )

  it.each([
    ['Before, the call went out unsigned.', 'Before,'],
    ['A store that fails now answers 503.', 'now answers'],
    ['Such a callback is now refused.', 'is now'],
    ['An `authorizeParams` function may now be async.', 'may now'],
    ['Until now only Redis threw it.', 'Until now'],
    ['The error no\nlonger carries its secrets.', 'no longer'],
    ['It used to fall back to the origin.', 'It used to'],
    ['Log in with X works again.', 'works again'],
    ['It works as before and logs nothing.', 'as before'],
    ['as `fetch_token_denied` always did', 'always did'],
    ['they were answered 500', 'were answered'],
    ['`CALLBACK_PROBLEMS` moved to its own module', 'moved to'],
    ['The suite gains helpers.', 'gains'],
  ])('flags %j', (text, phrase) => {
    expect(comparingPhrases(text).map((f) => f.phrase)).toEqual([phrase.replace('\n', ' ')])
  })

  it.each([
    'The key used to sign the request never leaves the process.',
    'A login started now, or an hour ago, expires after 10 minutes.',
    'From now on, every request is signed.',
    'Read the token before, during or after the login.',
    'Pass `now` to `createSessionRecordStore` for a clock of your own.',
    'Pass `{ now:\n() => 0 }` to `createSessionRecordStore` for a clock of your own.',
    'Sends those headers instead of an OAuth signature; a header left out falls back to the request.',
    '```ts\n// no longer used\nconst now = Date.now()\n```',
    '---\n"@oauth1/core": minor\n---\n\nSigns requests as RFC 5849 says.',
  ])('leaves present-tense prose alone: %j', (text) => {
    expect(comparingPhrases(text)).toEqual([])
  })

  it('names the line of each phrase, in the whole file', () => {
    const text = '---\n"@oauth1/core": patch\n---\n\nFine.\nThe `x` option now refused.\n'
    expect(comparingPhrases(text)).toEqual([
      { line: 6, phrase: 'now refused', why: COMPARING_PHRASES[4].why },
    ])
  })
})
