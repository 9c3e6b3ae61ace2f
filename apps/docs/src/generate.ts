/**
 * The build-time step before `vitepress build`: writes the fragments that
 * depend on which packages this checkout has (`pages/_generated/`), and the
 * API reference from the packages' TSDoc (`pages/api/`, TypeDoc +
 * typedoc-plugin-markdown). Both are git-ignored and rebuilt every time.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { Application, type TypeDocOptions } from 'typedoc'
import {
  API_DIR,
  DOCS_DIR,
  GENERATED_DIR,
  PAGES_DIR,
  REPO_ROOT,
  repositoryUrl,
  type WorkspacePackage,
  workspacePackages,
} from './repo.ts'

/** Where the TypeDoc entry wrappers and their tsconfig go (git-ignored). */
const TYPEDOC_DIR = join(DOCS_DIR, '.typedoc')

/** Marks included README text so its relative links can be resolved from the README's folder. */
export function readmeStart(readme: string): string {
  return `<!-- readme: ${readme} -->`
}
export const README_END = '<!-- /readme -->'

/** A VitePress include of `target` (repo-relative) from a fragment in `pages/_generated/`. */
function includeFrom(fragmentDir: string, target: string, range = ''): string {
  const path = relative(fragmentDir, join(REPO_ROOT, target)).split('\\').join('/')
  return `<!--@include: ${path}${range}-->`
}

/**
 * The include of a package README, without its `# title` (the page has its
 * own), between the markers, or `fallback` (a part in `pages/_parts/`) when the
 * README is not in this checkout.
 */
export function readmeFragment(root: string, readme: string, fallback: string): string {
  const file = join(root, readme)
  if (!existsSync(file)) {
    return `${includeFrom(GENERATED_DIR, relative(REPO_ROOT, join(PAGES_DIR, '_parts', fallback)))}\n`
  }
  const firstLine = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0] ?? ''
  const range = firstLine.startsWith('# ') ? '{2,}' : ''
  return `${readmeStart(readme)}\n\n${includeFrom(GENERATED_DIR, readme, range)}\n\n${README_END}\n`
}

/** The part of the Testing page that shows emulations, once @oauth1/testing has them. */
export function emulationsFragment(root: string): string {
  const testing = join(root, 'packages/testing/src')
  const hasEmulations =
    existsSync(join(testing, 'emulations')) ||
    (existsSync(join(testing, 'types.ts')) &&
      /\bemulate\??:/.test(readFileSync(join(testing, 'types.ts'), 'utf8')))
  const hasPresets = existsSync(join(root, 'packages/providers/src/index.ts'))
  const part = hasEmulations
    ? hasPresets
      ? 'testing-emulations-presets.md'
      : 'testing-emulations.md'
    : 'testing-emulations-missing.md'
  return `${includeFrom(GENERATED_DIR, relative(REPO_ROOT, join(PAGES_DIR, '_parts', part)))}\n`
}

/** Writes `pages/_generated/*.md`. Returns the files written. */
export function writeFragments(root = REPO_ROOT): string[] {
  mkdirSync(GENERATED_DIR, { recursive: true })
  const fragments: Record<string, string> = {
    'providers.md': readmeFragment(root, 'packages/providers/README.md', 'providers-missing.md'),
    'redis.md': readmeFragment(root, 'packages/redis/README.md', 'redis-missing.md'),
    'testing-emulations.md': emulationsFragment(root),
  }
  const written: string[] = []
  for (const [name, text] of Object.entries(fragments)) {
    const path = join(GENERATED_DIR, name)
    writeFileSync(path, text)
    written.push(path)
  }
  return written
}

/** The leading `/** … *\/` of a file when it is the package's `@packageDocumentation`. */
function packageComment(source: string): string | undefined {
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source)
  if (!match?.[1]?.includes('@packageDocumentation')) return undefined
  return match[1]
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .filter((line) => !line.includes('@packageDocumentation'))
    .join('\n')
    .trim()
}

/**
 * One wrapper module per export (`@oauth1/core`, `@oauth1/core/testing`…), so
 * each becomes a TypeDoc module named like the import, with the package's
 * own `@packageDocumentation` text, and one tsconfig mapping every specifier
 * to its source, so a symbol re-exported by an adapter is the core's own.
 */
function writeTypeDocProgram(packages: WorkspacePackage[]): string[] {
  rmSync(TYPEDOC_DIR, { recursive: true, force: true })
  mkdirSync(TYPEDOC_DIR, { recursive: true })
  const wrappers: string[] = []
  const paths: Record<string, string[]> = {}
  for (const pkg of packages) {
    for (const [specifier, source] of pkg.entries) {
      paths[specifier] = [relative(TYPEDOC_DIR, source).split('\\').join('/')]
      const text = packageComment(readFileSync(source, 'utf8')) ?? pkg.description
      const doc = [...text.split('\n'), '', `@module ${specifier}`]
        .map((line) => ` * ${line}`.trimEnd())
        .join('\n')
      const file = join(TYPEDOC_DIR, `${specifier.replace(/^@/, '').replace(/\//g, '__')}.ts`)
      writeFileSync(file, `/**\n${doc}\n */\nexport * from '${specifier}'\n`)
      wrappers.push(file)
    }
  }
  const tsconfig = {
    extends: relative(TYPEDOC_DIR, join(REPO_ROOT, 'tsconfig.base.json')),
    compilerOptions: { noEmit: true, paths },
    files: wrappers.map((file) => relative(TYPEDOC_DIR, file)),
  }
  writeFileSync(join(TYPEDOC_DIR, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`)
  return wrappers
}

/** Runs TypeDoc over every published package; the markdown lands in `pages/api/`. */
export async function writeApiReference(packages = workspacePackages()): Promise<void> {
  const wrappers = writeTypeDocProgram(packages)
  rmSync(API_DIR, { recursive: true, force: true })
  const options: Partial<TypeDocOptions> & Record<string, unknown> = {
    entryPoints: wrappers,
    tsconfig: join(TYPEDOC_DIR, 'tsconfig.json'),
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    out: API_DIR,
    docsRoot: PAGES_DIR,
    name: 'API reference',
    readme: 'none',
    entryFileName: 'index',
    outputFileStrategy: 'modules',
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useHTMLAnchors: true,
    gitRevision: 'main',
    sourceLinkTemplate: `${repositoryUrl()}/blob/{gitRevision}/{path}#L{line}`,
    basePath: REPO_ROOT,
    logLevel: 'Warn',
    treatWarningsAsErrors: false,
  }
  const app = await Application.bootstrapWithPlugins(options)
  const project = await app.convert()
  if (!project) throw new Error('TypeDoc could not convert the packages (see the errors above)')
  await app.generateOutputs(project)
  if (app.logger.hasErrors()) throw new Error('TypeDoc reported errors (see above)')
}
