// What every published package.json must say, checked the same way on the
// workspace's package.json (metadata.test.mjs) and on the one inside the
// tarball (`pnpm test:packed`).
import semver from 'semver'
import { REPOSITORY } from './workspace.mjs'

/** `files` entries a package may publish: the build, its README and LICENSE (and bin/ for a CLI). */
const REQUIRED_FILES = ['dist', 'README.md', 'LICENSE']

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value)
const show = (value) => (value === undefined ? 'missing' : JSON.stringify(value))

/**
 * The problems with a published package's metadata, each naming the field and
 * what it should be; `[]` when there are none.
 *
 * @param manifest the package.json, parsed
 * @param options.relDir where the package lives in the repository (`packages/core`)
 * @param options.rootManifest the root package.json (its `engines` are the packages')
 */
export function checkMetadata(manifest, { relDir, rootManifest }) {
  const problems = []
  const expect = (field, ok, should) => {
    if (!ok) problems.push(`${field} is ${show(manifest[field])}: should be ${should}`)
  }

  expect('name', /^@oauth1\/[a-z0-9-]+$/.test(manifest.name ?? ''), 'an @oauth1/ name')
  expect('version', semver.valid(manifest.version ?? '') !== null, 'a semver version')
  expect(
    'description',
    typeof manifest.description === 'string' && manifest.description.trim() !== '',
    'one line saying what the package is',
  )
  expect('license', manifest.license === 'MIT', '"MIT"')

  const repository = manifest.repository
  expect(
    'repository',
    isObject(repository) &&
      repository.type === 'git' &&
      repository.url === `git+${REPOSITORY}.git` &&
      repository.directory === relDir,
    JSON.stringify({ type: 'git', url: `git+${REPOSITORY}.git`, directory: relDir }),
  )
  const homepage = `${REPOSITORY}/tree/main/${relDir}#readme`
  expect('homepage', manifest.homepage === homepage, JSON.stringify(homepage))
  expect(
    'bugs',
    isObject(manifest.bugs) && manifest.bugs.url === `${REPOSITORY}/issues`,
    JSON.stringify({ url: `${REPOSITORY}/issues` }),
  )

  const keywords = manifest.keywords
  expect(
    'keywords',
    Array.isArray(keywords) &&
      keywords.every((k) => typeof k === 'string' && /^[a-z0-9.-]+$/.test(k)) &&
      new Set(keywords).size === keywords.length &&
      keywords.includes('oauth') &&
      keywords.includes('oauth1'),
    'distinct lowercase words, with "oauth" and "oauth1"',
  )

  const node = rootManifest.engines?.node
  expect(
    'engines',
    isObject(manifest.engines) && manifest.engines.node === node,
    `{ "node": ${JSON.stringify(node)} } (the root package.json's)`,
  )
  expect(
    'publishConfig',
    isObject(manifest.publishConfig) &&
      manifest.publishConfig.access === 'public' &&
      manifest.publishConfig.provenance === true,
    '{ "access": "public", "provenance": true }',
  )

  const allowed = manifest.bin === undefined ? REQUIRED_FILES : [...REQUIRED_FILES, 'bin']
  const files = manifest.files
  expect(
    'files',
    Array.isArray(files) &&
      REQUIRED_FILES.every((f) => files.includes(f)) &&
      files.every((f) => allowed.includes(f) || /^!dist\/./.test(f)),
    `${JSON.stringify(allowed)}: the build, README and LICENSE${
      manifest.bin === undefined ? '' : ', and bin/ for the CLI'
    }, nothing else (a "!dist/…" entry may leave a build file out)`,
  )
  return problems
}
