// Checks an unpacked tarball (the `package/` folder of `pnpm pack`'s .tgz) the
// way npm and a user's bundler, Node and TypeScript will read it.
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, posix } from 'node:path'
import semver from 'semver'
import ts from 'typescript'
import { checkMetadata } from './metadata.mjs'
import { packageName } from './workspace.mjs'

const DEPENDENCY_FIELDS = [
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
  'devDependencies',
]
/** Protocols only a workspace understands; npm refuses them (EUNSUPPORTEDPROTOCOL). */
const WORKSPACE_PROTOCOL = /^(workspace|link|file|portal|catalog):/
const CODE = /\.(c|m)?js$/
const DECLARATIONS = /\.d\.(c|m)?ts$/
const BUILTINS = new Set(builtinModules)

/** Every file under `dir`, as posix paths relative to it. */
export function listFiles(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`
    return entry.isDirectory() ? listFiles(dir, path) : [path]
  })
}

/**
 * The problems with an unpacked package, each a sentence naming the file or
 * field; `[]` when there are none.
 *
 * @param dir the unpacked `package/` folder
 * @param options.relDir the package's folder in the repository (`packages/express`)
 * @param options.rootManifest the repository's root package.json
 * @param options.workspace name → version of every package of the workspace
 * @param options.tested name → the versions the workspace tests with (see testedVersions)
 */
export function checkPackedPackage(dir, { relDir, rootManifest, workspace, tested }) {
  const files = new Set(listFiles(dir))
  const read = (path) => readFileSync(join(dir, path), 'utf8')
  const manifest = JSON.parse(read('package.json'))
  const problems = checkMetadata(manifest, { relDir, rootManifest }).map(
    (problem) => `package.json: ${problem}`,
  )

  for (const file of ['README.md', 'LICENSE']) {
    if (!files.has(file)) problems.push(`${file} is not in the tarball`)
  }
  const hasBin = manifest.bin !== undefined
  for (const file of files) {
    const expected =
      ['package.json', 'README.md', 'LICENSE'].includes(file) ||
      file.startsWith('dist/') ||
      (hasBin && file.startsWith('bin/'))
    if (!expected || /\.test(-d)?\.|\.tsbuildinfo$|(^|\/)(src|test)\//.test(file))
      problems.push(`${file} is in the tarball: only the build, README and LICENSE are published`)
  }

  problems.push(...checkDependencies(manifest, workspace, tested))

  // Every file package.json points at is there.
  for (const [field, target] of entryPoints(manifest)) {
    const path = posix.normalize(target)
    const found = path.includes('*')
      ? [...files].some((file) => globMatches(path, file))
      : files.has(path)
    if (!found)
      problems.push(`package.json ${field} points at ${target}, which is not in the tarball`)
  }

  problems.push(...unreachableBuildFiles(manifest, files, read))

  const declared = new Set(
    ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) =>
      Object.keys(manifest[field] ?? {}),
    ),
  )
  for (const file of [...files].sort()) {
    if (CODE.test(file) || DECLARATIONS.test(file)) {
      const text = read(file)
      const info = ts.preProcessFile(text, true, true)
      for (const { fileName: specifier } of info.importedFiles) {
        if (specifier.startsWith('.')) {
          const target = posix.join(posix.dirname(file), specifier)
          const candidates = DECLARATIONS.test(file) ? declarationFiles(target) : [target]
          if (!candidates.some((candidate) => files.has(candidate)))
            problems.push(`${file} imports ${specifier}, which is not in the tarball`)
        } else if (!allowedImport(specifier, manifest.name, declared)) {
          problems.push(
            `${file} imports ${specifier}, which package.json neither depends on nor lists as a peer`,
          )
        }
      }
      if (CODE.test(file)) problems.push(...checkSourceMapComment(file, text, files))
    }
    if (file.endsWith('.map')) problems.push(...checkSourceMap(file, read(file), files))
  }
  return problems
}

/**
 * Build files nothing loads: not an entry point of package.json, not imported
 * (relative import, declaration, source map) by a file that is. They only
 * make the download bigger.
 */
function unreachableBuildFiles(manifest, files, read) {
  const reached = new Set()
  const queue = entryPoints(manifest).map(([, target]) => posix.normalize(target))
  while (queue.length > 0) {
    const file = queue.pop()
    if (reached.has(file) || !files.has(file)) continue
    reached.add(file)
    if (!CODE.test(file) && !DECLARATIONS.test(file)) continue
    const text = read(file)
    const map = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1]
    if (map !== undefined && !map.startsWith('data:'))
      queue.push(posix.join(posix.dirname(file), decodeURIComponent(map)))
    for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!specifier.startsWith('.')) continue
      const target = posix.join(posix.dirname(file), specifier)
      queue.push(...(DECLARATIONS.test(file) ? declarationFiles(target) : [target]))
    }
  }
  return [...files]
    .filter((file) => file.startsWith('dist/') && !reached.has(file))
    .sort()
    .map(
      (file) =>
        `${file} is in the tarball, but nothing package.json points at (main, types, exports, bin) loads it`,
    )
}

/** Dependency ranges: no workspace protocol, workspace packages in range, peers cover what is tested. */
function checkDependencies(manifest, workspace, tested) {
  const problems = []
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (WORKSPACE_PROTOCOL.test(range)) {
        problems.push(`${field}.${name} is "${range}": npm cannot install a workspace range`)
        continue
      }
      if (field === 'devDependencies') continue // never installed by users
      if (semver.validRange(range) === null || range.trim() === '*' || range.trim() === '') {
        problems.push(`${field}.${name} is "${range}": should be a bounded semver range`)
        continue
      }
      const local = workspace.get(name)
      if (local !== undefined && !semver.satisfies(local, range))
        problems.push(
          `${field}.${name} is "${range}", which excludes ${local}, the version in this workspace`,
        )
    }
  }
  const peers = manifest.peerDependencies ?? {}
  for (const [name, range] of Object.entries(peers)) {
    if (workspace.has(name) || semver.validRange(range) === null) continue
    const versions = tested.get(name) ?? []
    if (versions.length === 0)
      problems.push(
        `peerDependencies.${name} is "${range}", but no devDependency of the workspace installs ${name}: the range is untested`,
      )
    for (const version of versions) {
      if (!semver.satisfies(version, range))
        problems.push(
          `peerDependencies.${name} is "${range}", which excludes ${version}, a version the workspace tests against`,
        )
    }
  }
  for (const name of Object.keys(manifest.peerDependenciesMeta ?? {})) {
    if (!(name in peers))
      problems.push(`peerDependenciesMeta.${name} describes a peer that peerDependencies lacks`)
  }
  return problems
}

/** `[field, path]` for every file package.json points at: main, module, types, bin, exports. */
export function entryPoints(manifest) {
  const entries = []
  for (const field of ['main', 'module', 'types', 'typings']) {
    if (typeof manifest[field] === 'string') entries.push([field, manifest[field]])
  }
  if (typeof manifest.bin === 'string') entries.push(['bin', manifest.bin])
  if (manifest.bin !== null && typeof manifest.bin === 'object')
    for (const [name, path] of Object.entries(manifest.bin)) entries.push([`bin.${name}`, path])
  const walk = (value, field) => {
    if (typeof value === 'string') entries.push([field, value])
    else if (Array.isArray(value))
      for (const [i, item] of value.entries()) walk(item, `${field}[${i}]`)
    else if (value !== null && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) walk(item, `${field}["${key}"]`)
  }
  walk(manifest.exports, 'exports')
  return entries
}

/** The declaration files an import in a declaration file can mean. */
function declarationFiles(target) {
  const stem = target.replace(/\.(c|m)?(j|t)s$/, '')
  const kind = /\.c(j|t)s$/.test(target) ? '.d.cts' : /\.m(j|t)s$/.test(target) ? '.d.mts' : '.d.ts'
  return [`${stem}${kind}`, `${target}.d.ts`, `${target}/index.d.ts`]
}

function allowedImport(specifier, self, declared) {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return true
  const name = packageName(specifier)
  if (name === self || declared.has(name)) return true
  // Declarations may name a peer's types package (`@types/koa` for koa).
  return name.startsWith('@types/') && declared.has(name.slice('@types/'.length))
}

function globMatches(pattern, file) {
  const [head, tail] = pattern.split('*')
  return file.startsWith(head) && file.endsWith(tail ?? '')
}

function checkSourceMapComment(file, text, files) {
  const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1]
  if (url === undefined || url.startsWith('data:')) return []
  const map = posix.join(posix.dirname(file), decodeURIComponent(url))
  return files.has(map) ? [] : [`${file} names the source map ${url}, which is not in the tarball`]
}

/** A source map must work from the tarball alone: its sources shipped, or their text embedded. */
function checkSourceMap(file, text, files) {
  let map
  try {
    map = JSON.parse(text)
  } catch {
    return [`${file} is not JSON`]
  }
  const problems = []
  const sources = Array.isArray(map.sources) ? map.sources : []
  sources.forEach((source, i) => {
    const path = posix.join(posix.dirname(file), map.sourceRoot ?? '', source)
    if (!files.has(path) && typeof map.sourcesContent?.[i] !== 'string')
      problems.push(
        `${file} points at ${source}, which is not in the tarball, without its sourcesContent`,
      )
  })
  return problems
}
