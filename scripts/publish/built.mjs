#!/usr/bin/env node
// Every published package's `prepublishOnly` (`node ../../scripts/publish/built.mjs`,
// run by npm and pnpm in the package's folder before `publish`, never on `pack`
// or install): refuses to publish a package whose build is missing. `files`
// lists dist/, which git does not hold; from a fresh clone `pnpm publish` (and
// `changeset publish`) would otherwise upload a package with nothing but its
// README, LICENSE and package.json, and succeed.
import { existsSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { pathToFileURL } from 'node:url'
import { entryPoints } from './tarball.mjs'

/** The files package.json points at (main, module, types, exports, bin) that are not in `dir`. */
export function missingBuildFiles(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const missing = new Set()
  for (const [, target] of entryPoints(manifest)) {
    const path = posix.normalize(target)
    if (path.includes('*') || path === 'package.json') continue
    if (!existsSync(join(dir, path))) missing.add(path)
  }
  return [...missing].sort()
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.cwd()
  const missing = missingBuildFiles(dir)
  if (missing.length > 0) {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    console.error(
      `${name} is not built: ${missing.join(', ')} missing. Run \`pnpm build\` at the repository root, then publish.`,
    )
    process.exit(1)
  }
}
