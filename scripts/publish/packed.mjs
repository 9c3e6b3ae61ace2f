// pnpm test:packed — the packages as a user gets them from the registry.
//
// 1. `pnpm pack` every published package (every non-private one under packages/).
// 2. Check each tarball as npm, Node, bundlers and TypeScript read it
//    (tarball.mjs): metadata, no workspace: range, every file package.json and
//    the build point at is there, every import declared, peer ranges covering
//    the versions the workspace tests with. The checker is first shown to fail
//    on doctored copies of a real tarball (a file removed, a workspace: range, a
//    peer range that excludes the tested version).
// 3. In a folder outside the workspace, one fresh npm project per adapter (a
//    package whose README's Usage example logs in with the `OAuth` it exports),
//    and one for the other packages:
//    `npm install` the tarballs with the framework's real packages, at the
//    versions the workspace's devDependencies pin; then each adapter once more
//    with the lowest version of each of its peer ranges (`<adapter>-lowest`,
//    and `-lowest-2` for the floors of a range's second major).
// 4. Type-check the Usage example, unmodified, and an import of every entry
//    point, as ESM (.mts) and CommonJS (.cts): Node-only and DOM lib, under
//    moduleResolution node16 and bundler, and Node-only under nodenext;
//    skipLibCheck off. A doctored copy of the example (a misspelt register
//    option) must fail to compile.
// 5. Run every entry point as ESM and CommonJS (the same exports in both),
//    and the example, as ESM and as CommonJS, against @oauth1/testing (from its
//    tarball): an HTTP client with a cookie jar logs in through it and reads
//    the API.
//
// `node scripts/publish/packed.mjs --keep` keeps the folder to look around.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import semver from 'semver'
import {
  asCommonJs,
  doctoredExample,
  exampleNeeds,
  importedPackages,
  isAdapterExample,
  usageBlock,
} from './readme.mjs'
import { checkPackedPackage } from './tarball.mjs'
import { createTypeChecker, SETTINGS } from './typecheck.mjs'
import { publishedPackages, ROOT, readJson, testedVersions } from './workspace.mjs'

const HARNESS = join(ROOT, 'scripts/publish/harness')
const TESTING = '@oauth1/testing'
/** A generous bound for one step (an install, a login): a hang fails instead of blocking CI. */
const STEP_TIMEOUT = 180_000

/** Thrown once `problems` holds the reasons. */
class Failure extends Error {}

const started = performance.now()
const keep = process.argv.includes('--keep')
const problems = []

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`
async function timed(label, fn) {
  const t = performance.now()
  try {
    return await fn()
  } finally {
    console.log(`  ${label}: ${seconds(performance.now() - t)}`)
  }
}

const rootManifest = readJson(join(ROOT, 'package.json'))
const packages = publishedPackages()
const byName = new Map(packages.map((pkg) => [pkg.manifest.name, pkg]))
const workspaceVersions = new Map(packages.map((p) => [p.manifest.name, p.manifest.version]))
if (!byName.has(TESTING)) throw new Error(`${TESTING} is not among the published packages`)

const base = realpathSync(tmpdir())
assertIsolated(base)
const temp = mkdtempSync(join(base, 'oauth1-packed-'))
console.log(`packed-install test in ${temp}`)

try {
  // 1. pack
  const tarballs = new Map()
  await timed(`pack ${packages.length} packages`, async () => {
    const filters = packages.flatMap((pkg) => ['--filter', pkg.manifest.name])
    const { stdout } = await run(
      'pnpm',
      ['-r', ...filters, 'pack', '--json', '--pack-destination', join(temp, 'tarballs')],
      { cwd: ROOT },
    )
    for (const { name, filename } of JSON.parse(stdout)) tarballs.set(name, filename)
    for (const pkg of packages)
      if (!tarballs.has(pkg.manifest.name)) problems.push(`pnpm pack made no ${pkg.manifest.name}`)
  })

  // 2. static checks, the checker's own negative checks first
  await timed('check tarballs', async () => {
    const unpacked = new Map()
    for (const pkg of packages) {
      const dir = join(temp, 'unpacked', pkg.manifest.name)
      mkdirSync(dir, { recursive: true })
      await run('tar', ['-xzf', tarballs.get(pkg.manifest.name), '-C', dir])
      unpacked.set(pkg.manifest.name, join(dir, 'package'))
    }
    const context = (pkg) => ({
      relDir: pkg.relDir,
      rootManifest,
      workspace: workspaceVersions,
      tested: testedVersions(pkg.manifest, rootManifest),
    })
    problems.push(...checkerSelfTest(unpacked, context))
    for (const pkg of packages) {
      const found = checkPackedPackage(unpacked.get(pkg.manifest.name), context(pkg))
      problems.push(...found.map((p) => `${pkg.manifest.name} tarball: ${p}`))
    }
  })
  if (problems.length > 0) throw new Failure()

  // 3–5. projects
  const projects = planProjects()
  const checkTypes = createTypeChecker()
  const installs = new Map()
  const install = (project) => {
    if (!installs.has(project.name)) installs.set(project.name, installProject(project, tarballs))
    return installs.get(project.name)
  }
  for (const [i, project] of projects.entries()) {
    console.log(`${project.name} (${project.subjects.map((p) => p.manifest.name).join(', ')})`)
    await timed(`${project.name}: npm install`, () => install(project))
    const next = projects[i + 1]
    // The next project installs while this one is checked; its error, if any, when awaited.
    if (next !== undefined) install(next).catch(() => {})
    await timed(`${project.name}: type-check (${SETTINGS.length} settings)`, async () =>
      typeCheckProject(project, checkTypes),
    )
    if (problems.length > 0) throw new Failure()
    await timed(`${project.name}: run entry points and example`, () => runProject(project))
    if (problems.length > 0) throw new Failure()
  }
  if (keep) console.log(`the projects are kept in ${temp}`)
  else
    await timed('remove the temporary folder', () => rmSync(temp, { recursive: true, force: true }))
  console.log(`test:packed passed in ${seconds(performance.now() - started)}`)
} catch (error) {
  if (!(error instanceof Failure)) problems.push(error?.stack ?? String(error))
  console.error(`\ntest:packed FAILED after ${seconds(performance.now() - started)}:`)
  for (const problem of problems) console.error(`- ${problem}`)
  console.error(`\nThe projects are kept in ${temp}`)
  process.exitCode = 1
}

/**
 * Throws unless the folder is outside the workspace and has no node_modules
 * in it or above it, from which Node and TypeScript would resolve packages the
 * test projects did not install.
 */
function assertIsolated(dir) {
  if (!relative(ROOT, dir).startsWith('..'))
    throw new Error(`${dir} is inside the workspace: set TMPDIR to a folder outside it`)
  for (let folder = dir; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'node_modules')))
      throw new Error(
        `${join(folder, 'node_modules')} exists: the test projects in ${dir} would resolve packages from it (set TMPDIR to another folder)`,
      )
    if (dirname(folder) === folder) break
  }
}

/**
 * Doctors copies of a real unpacked adapter tarball and expects the checker to
 * name each defect; returns problems when it does not.
 */
function checkerSelfTest(unpacked, context) {
  const subject = packages.find(
    (pkg) =>
      Object.keys(pkg.manifest.dependencies ?? {}).some((n) => workspaceVersions.has(n)) &&
      Object.keys(pkg.manifest.peerDependencies ?? {}).some(
        (n) => (context(pkg).tested.get(n) ?? []).length > 0,
      ),
  )
  if (subject === undefined)
    return ['checker self-test: no package depends on a workspace package and has a tested peer']
  const name = subject.manifest.name
  const source = unpacked.get(name)
  const tested = context(subject).tested
  const internal = Object.keys(subject.manifest.dependencies).find((n) => workspaceVersions.has(n))
  const peer = Object.keys(subject.manifest.peerDependencies).find(
    (n) => (tested.get(n) ?? []).length > 0,
  )
  const newest = tested.get(peer).reduce((a, b) => (semver.gt(a, b) ? a : b))
  const missing = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')).main.replace(
    /^\.\//,
    '',
  )
  const cases = [
    {
      defect: `${missing} removed`,
      doctor: (dir) => rmSync(join(dir, missing)),
      expected: missing,
    },
    {
      defect: `dependencies.${internal} set to workspace:^`,
      doctor: (dir) => editManifest(dir, (m) => (m.dependencies[internal] = 'workspace:^')),
      expected: `dependencies.${internal} is "workspace:^"`,
    },
    {
      defect: `peerDependencies.${peer} set to exclude ${newest}`,
      doctor: (dir) =>
        editManifest(dir, (m) => (m.peerDependencies[peer] = `^${semver.major(newest) + 1}.0.0`)),
      expected: `excludes ${newest}`,
    },
  ]
  const failures = []
  for (const [i, { defect, doctor, expected }] of cases.entries()) {
    const dir = join(temp, 'doctored', String(i))
    cpSync(source, dir, { recursive: true })
    doctor(dir)
    const found = checkPackedPackage(dir, context(subject))
    if (!found.some((p) => p.includes(expected)))
      failures.push(
        `checker self-test: ${name} with ${defect} passes (found: ${JSON.stringify(found)})`,
      )
  }
  return failures
}

function editManifest(dir, edit) {
  const file = join(dir, 'package.json')
  const manifest = JSON.parse(readFileSync(file, 'utf8'))
  edit(manifest)
  writeFileSync(file, JSON.stringify(manifest, null, 2))
}

/**
 * One project per adapter (a package whose README's Usage example logs in
 * with the `OAuth` it exports), and one for every other published package
 * (its entry points only).
 */
function planProjects() {
  const projects = []
  const others = []
  for (const pkg of packages) {
    const readme = join(pkg.dir, 'README.md')
    const code = existsSync(readme) ? usageBlock(readFileSync(readme, 'utf8')) : undefined
    if (isAdapterExample(code, pkg.manifest.name))
      projects.push({ name: pkg.relDir.split('/').pop(), subjects: [pkg], example: code })
    else others.push(pkg)
  }
  if (others.length > 0) projects.push({ name: 'libraries', subjects: others })
  // Each adapter again with the oldest framework its peer ranges accept: a
  // user's `npm install` may pick any version in a range, not only the one the
  // workspace pins. A range of several majors (`^4.21.0 || ^5.0.0`) has a
  // floor in each: the first such project takes every peer's first floor, the
  // second every peer's second (or last) floor, and so on.
  for (const project of projects.filter((p) => p.example !== undefined)) {
    const branches = Math.max(
      1,
      ...project.subjects.flatMap((pkg) =>
        Object.values(pkg.manifest.peerDependencies ?? {}).map((r) => r.split('||').length),
      ),
    )
    for (let lowest = 0; lowest < branches; lowest++)
      projects.push({
        ...project,
        name: `${project.name}-lowest${lowest === 0 ? '' : `-${lowest + 1}`}`,
        lowest,
      })
  }
  for (const project of projects) project.dir = join(temp, 'projects', project.name)
  return projects
}

/**
 * The oldest version of a peer a `-lowest` project installs: the floor of the
 * project's branch of the peer's range (its last branch when it has fewer).
 */
function lowestPeerVersion(project, name) {
  for (const pkg of project.subjects) {
    const range = pkg.manifest.peerDependencies?.[name]
    if (range === undefined) continue
    const floors = range.split('||').map((branch) => semver.minVersion(branch.trim())?.version)
    return floors[Math.min(project.lowest, floors.length - 1)]
  }
  return undefined
}

/** Our packages a project installs: its subjects, @oauth1/testing for an example, and what they depend on. */
function ourPackages(project) {
  const names = new Set()
  const add = (name) => {
    if (names.has(name)) return
    names.add(name)
    const { manifest } = byName.get(name)
    for (const field of ['dependencies', 'peerDependencies'])
      for (const dep of Object.keys(manifest[field] ?? {})) if (byName.has(dep)) add(dep)
  }
  for (const pkg of project.subjects) add(pkg.manifest.name)
  if (project.example !== undefined) {
    add(TESTING)
    for (const name of importedPackages(project.example)) if (byName.has(name)) add(name)
  }
  return [...names].sort()
}

/** Third-party packages at the versions the workspace tests with: peers, the example's imports, their @types. */
function thirdParty(project) {
  const wanted = new Map() // name → why
  for (const pkg of project.subjects)
    for (const name of Object.keys(pkg.manifest.peerDependencies ?? {}))
      if (!byName.has(name)) wanted.set(name, `a peer of ${pkg.manifest.name}`)
  if (project.example !== undefined)
    for (const name of importedPackages(project.example))
      if (!byName.has(name)) wanted.set(name, `imported by the ${project.name} README example`)
  wanted.set('@types/node', 'Node-only projects')

  const specs = []
  for (const [name, why] of wanted) {
    const versions = project.subjects.map((pkg) => testedVersions(pkg.manifest, rootManifest))
    const pick = (n) => versions.map((tested) => tested.get(n)?.[0]).find(Boolean)
    const version = (project.lowest !== undefined && lowestPeerVersion(project, name)) || pick(name)
    if (version === undefined) {
      problems.push(
        `${project.name}: ${name} (${why}) has no exact devDependency pin in ${project.subjects
          .map((p) => p.relDir)
          .join(
            ', ',
          )} or the root package.json, so the test does not know which version to install`,
      )
      continue
    }
    specs.push(`${name}@${version}`)
    const types = `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`
    const typesVersion = name.startsWith('@types/') ? undefined : pick(types)
    if (typesVersion !== undefined && !wanted.has(types)) specs.push(`${types}@${typesVersion}`)
  }
  return specs
}

async function installProject(project, tarballs) {
  const { dir } = project
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `oauth1-packed-${project.name}`, private: true }, null, 2)}\n`,
  )
  const ours = ourPackages(project)
  const third = thirdParty(project)
  if (project.lowest !== undefined) console.log(`  ${project.name} installs ${third.join(' ')}`)
  const specs = [...ours.map((name) => tarballs.get(name)), ...third]
  if (problems.length > 0) throw new Failure()
  await run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--save-exact',
      '--loglevel=error',
      ...specs,
    ],
    { cwd: dir, env: npmEnv() },
  )
  // Our packages come from the tarballs, once each: never from the registry,
  // never a second copy because a range did not accept the packed version.
  const lock = readJson(join(dir, 'package-lock.json'))
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = /(?:^|\/)node_modules\/(@oauth1\/[^/]+)$/.exec(path)?.[1]
    if (name === undefined) continue
    if (path !== `node_modules/${name}`)
      problems.push(`${project.name}: npm installed a second ${name} at ${path}`)
    else if (!String(entry.resolved).startsWith('file:'))
      problems.push(`${project.name}: ${name} came from ${entry.resolved}, not from its tarball`)
  }
  for (const name of ours)
    if (!existsSync(join(dir, 'node_modules', name, 'package.json')))
      problems.push(`${project.name}: ${name} is not installed`)
  for (const file of ['preload-common.cjs', 'preload.cjs', 'preload.mjs'])
    cpSync(join(HARNESS, file), join(dir, file))
  writeFileSync(join(dir, 'testing.mjs'), `export * from '${TESTING}'\n`)
}

/** npm without the pnpm-specific settings `pnpm test:packed` puts in the environment. */
function npmEnv() {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase()
    if (lower.startsWith('npm_') && !['npm_config_registry', 'npm_config_cache'].includes(lower))
      continue
    if (lower.startsWith('pnpm_')) continue
    env[key] = value
  }
  return env
}

/** The subpaths of a package's exports that load code (`.`, `./testing`), with their conditions. */
function entryPoints(pkg) {
  const exports = pkg.manifest.exports
  if (typeof exports === 'string') return [{ specifier: pkg.manifest.name, esm: true, cjs: true }]
  return Object.entries(exports ?? { '.': {} })
    .filter(([subpath]) => !subpath.includes('*') && !subpath.endsWith('.json'))
    .map(([subpath, target]) => ({
      specifier: subpath === '.' ? pkg.manifest.name : `${pkg.manifest.name}${subpath.slice(1)}`,
      esm: typeof target === 'string' || 'import' in target || 'default' in target,
      cjs: typeof target === 'string' || 'require' in target || 'default' in target,
    }))
}

/** The project's sources: an import of every entry point and, for an adapter, its README example. */
function writeSources(project) {
  const { dir } = project
  const entries = project.subjects.flatMap(entryPoints)
  const mts = entries.filter((e) => e.esm)
  const cts = entries.filter((e) => e.cjs)
  const names = (list) =>
    `{ ${list.map((e, i) => `${JSON.stringify(e.specifier)}: m${i}`).join(', ')} }`
  const print = 'console.log(JSON.stringify(exportNames(modules)))\n'
  const helper =
    'function exportNames(modules: Record<string, object>) {\n' +
    '  const names: Record<string, string[]> = {}\n' +
    '  for (const [specifier, module] of Object.entries(modules))\n' +
    "    names[specifier] = Object.keys(module).filter((n) => n !== 'default' && n !== '__esModule').sort()\n" +
    '  return names\n}\n'
  const files = {
    'entries.mts': `${mts.map((e, i) => `import * as m${i} from ${JSON.stringify(e.specifier)}\n`).join('')}\n${helper}const modules = ${names(mts)}\n${print}`,
    'entries.cts': `${cts.map((e, i) => `import m${i} = require(${JSON.stringify(e.specifier)})\n`).join('')}\n${helper}const modules = ${names(cts)}\n${print}`,
  }
  if (project.example !== undefined) {
    const commonJs = asCommonJs(project.example)
    project.wrapped = commonJs.wrapped
    const doctored = doctoredExample(project.example)
    project.doctoredName = doctored.name
    files['usage.mts'] = project.example
    files['usage.cts'] = commonJs.code
    files['usage-doctored.mts'] = doctored.code
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
  return Object.keys(files).map((file) => join(dir, file))
}

function typeCheckProject(project, checkTypes) {
  const files = writeSources(project)
  const doctored = files.find((f) => f.endsWith('usage-doctored.mts'))
  const ours = '/node_modules/@oauth1/' // TypeScript's file names use '/'
  const isChecked = (fileName) =>
    fileName.includes(ours) ||
    (fileName.startsWith(project.dir) && !fileName.includes('node_modules'))
  for (const [i, setting] of SETTINGS.entries()) {
    const roots = files.filter(
      (f) => (setting.commonJs || !f.endsWith('.cts')) && (i === 0 || f !== doctored),
    )
    const emit = i === 0 ? roots.filter((f) => f !== doctored) : []
    const byFile = checkTypes({ dir: project.dir, setting, files: roots, isChecked, emit })
    for (const [file, messages] of byFile) {
      if (file === doctored) continue
      problems.push(`${project.name}, ${setting.name}: ${messages.join('')}`)
    }
    if (i === 0 && doctored !== undefined) {
      const messages = byFile.get(doctored) ?? []
      if (!messages.some((m) => m.includes(project.doctoredName)))
        problems.push(
          `${project.name}: the README example with ${project.doctoredName} compiles: the type check would not catch a broken example`,
        )
    }
  }
}

async function runProject(project) {
  const { dir } = project
  const out = join(dir, 'out')
  const esm = JSON.parse((await run('node', [join(out, 'entries.mjs')], { cwd: dir })).stdout)
  const cjs = JSON.parse((await run('node', [join(out, 'entries.cjs')], { cwd: dir })).stdout)
  for (const specifier of new Set([...Object.keys(esm), ...Object.keys(cjs)])) {
    if (!(specifier in esm) || !(specifier in cjs)) continue // an entry point for one format only
    if (JSON.stringify(esm[specifier]) !== JSON.stringify(cjs[specifier]))
      problems.push(
        `${specifier}: the ES module exports ${JSON.stringify(esm[specifier])}, the CommonJS build ${JSON.stringify(cjs[specifier])}`,
      )
    if (esm[specifier].length === 0) problems.push(`${specifier} exports nothing`)
  }
  if (project.example === undefined) return
  if (project.wrapped)
    console.log(
      `  ${project.name}: the example uses top-level await; as CommonJS its statements run in an async function`,
    )
  for (const format of ['esm', 'cjs']) await runExample(project, format)
}

/** Runs the README example (ESM or CJS build) against the test provider and logs in through it. */
async function runExample(project, format) {
  const { dir } = project
  const label = `${project.name} example (${format === 'esm' ? 'ES module' : 'CommonJS'})`
  // The provider from the tarball, in the same format as the example.
  const testing =
    format === 'esm'
      ? await import(pathToFileURL(join(dir, 'testing.mjs')).href)
      : createRequire(join(dir, 'package.json'))(TESTING)
  const provider = await testing.createTestProvider({ autoApprove: 'bob' })
  let child
  try {
    const needs = exampleNeeds(project.example)
    if (needs.ports.length !== 1)
      throw new Error(
        `${label}: expected one port in the example, found ${JSON.stringify(needs.ports)}`,
      )
    const env = {
      PATH: process.env.PATH,
      OAUTH1_PACKED_ADAPTER: project.subjects[0].manifest.name,
      OAUTH1_PACKED_EXAMPLE_PORT: String(needs.ports[0]),
      OAUTH1_PACKED_PROVIDER_URLS: JSON.stringify({
        requestTokenUrl: provider.requestTokenUrl,
        authorizeUrl: provider.authorizeUrl,
        accessTokenUrl: provider.accessTokenUrl,
        apiBaseUrl: `${provider.apiBaseUrl}echo/`, // echoes the call, with the user the token belongs to
      }),
    }
    for (const name of needs.env) env[name] = randomBytes(24).toString('hex')
    for (const name of needs.clientEnv)
      env[name] = name.endsWith('_CLIENT_ID') ? provider.client.id : provider.client.secret
    for (const file of needs.files) writeFileSync(join(dir, file), randomBytes(32))

    const script = join(dir, 'out', format === 'esm' ? 'usage.mjs' : 'usage.cjs')
    const preload =
      format === 'esm' ? ['--import', './preload.mjs'] : ['--require', './preload.cjs']
    child = spawn(process.execPath, [...preload, script], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const address = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${label} did not start listening`)),
        STEP_TIMEOUT,
      )
      child.once('message', (message) => {
        clearTimeout(timer)
        resolve(message.listening)
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`${label} exited (${code}) before listening:\n${output}`))
      })
    })
    const host = address.family === 'IPv6' && address.address === '::1' ? '[::1]' : '127.0.0.1'
    const origin = `http://${host}:${address.port}`
    try {
      await logIn(origin, provider)
    } catch (error) {
      throw new Error(`${label}: ${error.message}\n--- the example's output ---\n${output}`)
    }
    console.log(`  ${label}: logged in as bob and read the API`)
  } finally {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    await provider.close()
  }
}

/**
 * A browser's part: GET /login, follow the redirects to the provider (which
 * approves as bob) and back, with the app's cookies, to the page after login.
 */
async function logIn(origin, provider) {
  const cookies = new Map()
  const hops = []
  let url = new URL('/login', origin)
  for (let hop = 0; hop < 8; hop++) {
    const ours = url.origin === origin
    const headers = {}
    if (ours && cookies.size > 0)
      headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(url, {
      redirect: 'manual',
      headers,
      signal: AbortSignal.timeout(STEP_TIMEOUT),
    })
    // Every cookie is kept: a browser sends Secure cookies to http://localhost too.
    if (ours) for (const line of response.headers.getSetCookie()) storeCookie(cookies, line)
    const body = await response.text()
    hops.push(`${response.status} ${url.origin === origin ? '' : url.origin}${url.pathname}`)
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location !== null) {
      url = new URL(location, url)
      continue
    }
    const authorize = new URL(provider.authorizeUrl)
    const [toProvider, toCallback, toApp] = hops
    if (
      toProvider !== '302 /login' ||
      toCallback !== `302 ${authorize.origin}${authorize.pathname}` ||
      !toApp?.startsWith('302 /') ||
      response.status !== 200
    )
      throw new Error(`the login went ${hops.join(' → ')}, answering:\n${body}`)
    const api = provider.requests.filter((r) => r.endpoint === 'api').at(-1)
    if (api === undefined || !api.ok || !/"screen_name":"bob"/.test(body))
      throw new Error(
        `after login the page should show what the API returned for bob; provider saw ${JSON.stringify(api)}, the page was:\n${body}`,
      )
    return
  }
  throw new Error(`too many redirects: ${hops.join(' → ')}`)
}

function storeCookie(cookies, line) {
  const [pair, ...attributes] = line.split(';')
  const eq = pair.indexOf('=')
  const name = pair.slice(0, eq).trim()
  const value = pair.slice(eq + 1).trim()
  const expired = attributes.some((a) => {
    const [key, val = ''] = a.trim().split('=')
    if (key.toLowerCase() === 'max-age') return Number(val) <= 0
    if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now()
    return false
  })
  if (expired) cookies.delete(name)
  else cookies.set(name, value)
}

/** Runs a command; resolves to its output, rejects with it (and the command) on failure. */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGTERM'), STEP_TIMEOUT)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve({ stdout, stderr })
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} (in ${options.cwd ?? process.cwd()}) failed (${signal ?? code}):\n${stdout}${stderr}`,
          ),
        )
    })
  })
}
