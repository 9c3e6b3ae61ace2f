// The published packages of this workspace, found rather than listed: every
// package under packages/ whose package.json is not `"private": true`.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'

/** The repository root (absolute, with a trailing slash). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The repository every package.json names (no trailing slash, no `.git`). */
export const REPOSITORY = 'https://github.com/oauth1/oauth1'

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/**
 * Every package under `packages/` that is published, sorted by directory:
 * `{ dir, relDir: 'packages/core', manifest }`.
 */
export function publishedPackages(root = ROOT) {
  const packagesDir = join(root, 'packages')
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(packagesDir, entry.name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({
      dir,
      relDir: `packages/${dir.slice(packagesDir.length + 1)}`,
      manifest: readJson(join(dir, 'package.json')),
    }))
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => (a.relDir < b.relDir ? -1 : 1))
}

/**
 * The versions the workspace installs and tests, by package name: exact
 * devDependency pins of the package itself and of the root package.json,
 * including aliases (`"express4": "npm:express@4.21.0"` counts for express).
 */
export function testedVersions(manifest, rootManifest) {
  const tested = new Map()
  for (const deps of [manifest.devDependencies, rootManifest.devDependencies]) {
    for (const [key, spec] of Object.entries(deps ?? {})) {
      const alias = /^npm:((?:@[^/@]+\/)?[^@]+)@(.+)$/.exec(spec)
      const name = alias ? alias[1] : key
      const version = semver.valid(alias ? alias[2] : spec)
      if (version === null) continue // a range, or workspace:^: not one version
      const versions = tested.get(name) ?? []
      if (!versions.includes(version)) versions.push(version)
      tested.set(name, versions)
    }
  }
  return tested
}

/** The package a bare specifier names: `hono/cookie` → `hono`, `@a/b/c` → `@a/b`. */
export function packageName(specifier) {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}
