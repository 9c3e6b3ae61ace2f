import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** apps/docs, whatever the working directory. */
export const DOCS_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)))
/** The repository's root. */
export const REPO_ROOT = resolve(DOCS_DIR, '../..')
/** VitePress's source folder: the pages. */
export const PAGES_DIR = join(DOCS_DIR, 'pages')
/** Fragments the generator writes and pages include (not pages themselves). */
export const GENERATED_DIR = join(PAGES_DIR, '_generated')
/** The API reference TypeDoc writes. */
export const API_DIR = join(PAGES_DIR, 'api')
/** VitePress's build output. */
export const DIST_DIR = join(DOCS_DIR, '.vitepress', 'dist')

/** A published package of the workspace: `packages/<dir>` with a `src/index.ts`. */
export interface WorkspacePackage {
  /** `@oauth1/core` */
  name: string
  /** The folder's name under packages/ (`core`). */
  dir: string
  /** Absolute path of the package's folder. */
  path: string
  description: string
  /**
   * Each export of package.json that TypeScript users import, as
   * `[specifier, source file]`: `['@oauth1/core/testing', '<abs>/src/testing.ts']`.
   */
  entries: Array<[specifier: string, source: string]>
  /** The declaration file of each export, for type-checking code blocks. */
  declarations: Array<[specifier: string, declaration: string]>
}

interface PackageJson {
  name?: string
  private?: boolean
  description?: string
  types?: string
  exports?: Record<string, unknown> | string
  repository?: { url?: string; directory?: string } | string
}

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson
}

/** The `types` a conditional export resolves to for `import`. */
function typesOf(target: unknown): string | undefined {
  if (typeof target === 'string') return target.endsWith('.d.ts') ? target : undefined
  if (typeof target !== 'object' || target === null) return undefined
  const conditions = target as Record<string, unknown>
  if (typeof conditions.types === 'string') return conditions.types
  return typesOf(conditions.import) ?? typesOf(conditions.default)
}

/**
 * Every package under `packages/` that is published (not `private`) and has a
 * `src/index.ts`: the API reference documents them and code blocks may import
 * them. Discovered, so a package merged later is picked up without a list to edit.
 */
export function workspacePackages(root = REPO_ROOT): WorkspacePackage[] {
  const packagesDir = join(root, 'packages')
  if (!existsSync(packagesDir)) return []
  const found: WorkspacePackage[] = []
  for (const dir of readdirSync(packagesDir).sort()) {
    const path = join(packagesDir, dir)
    const manifest = join(path, 'package.json')
    if (!existsSync(manifest) || !existsSync(join(path, 'src', 'index.ts'))) continue
    const pkg = readJson(manifest)
    if (pkg.private || !pkg.name) continue
    const entries: Array<[string, string]> = [[pkg.name, join(path, 'src', 'index.ts')]]
    const declarations: Array<[string, string]> = []
    const exportsField =
      typeof pkg.exports === 'object' && pkg.exports !== null ? pkg.exports : { '.': pkg.exports }
    for (const [subpath, target] of Object.entries(exportsField)) {
      if (subpath.endsWith('.json')) continue
      const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`
      const types = typesOf(target) ?? (subpath === '.' ? pkg.types : undefined)
      if (types) declarations.push([specifier, join(path, types)])
      if (subpath === '.') continue
      // ./testing → src/testing.ts, when the source is where tsup's entry would be
      const source = join(path, 'src', `${subpath.replace(/^\.\//, '')}.ts`)
      if (existsSync(source)) entries.push([specifier, source])
    }
    found.push({
      name: pkg.name,
      dir,
      path,
      description: pkg.description ?? '',
      entries,
      declarations,
    })
  }
  return found
}

/** `https://github.com/oauth1/oauth1`, from the packages' `repository` field. */
export function repositoryUrl(root = REPO_ROOT): string {
  for (const pkg of workspacePackages(root)) {
    const { repository } = readJson(join(pkg.path, 'package.json'))
    const url = typeof repository === 'string' ? repository : repository?.url
    if (url) return url.replace(/^git\+/, '').replace(/\.git$/, '')
  }
  return 'https://github.com/oauth1/oauth1'
}
