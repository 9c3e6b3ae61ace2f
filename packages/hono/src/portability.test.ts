/**
 * The package must load wherever Hono runs (Workers, Deno, Bun, browsers):
 * no static `node:` import and no `Buffer` in the built files it ships, nor
 * in the core's built files it pulls in. Run after
 * `pnpm --filter @oauth1/core build && pnpm --filter @oauth1/hono build`
 * (`pnpm test` builds first).
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const honoDist = resolve(here, '../dist')
const coreDist = dirname(
  createRequire(join(here, '../package.json')).resolve('@oauth1/core/package.json'),
)

const BUILTINS = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'http',
  'https',
  'module',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
]
const builtin = `(?:node:[\\w/]+|(?:${BUILTINS.join('|')})(?:/[\\w/]+)?)`
const FORBIDDEN: [string, RegExp][] = [
  [
    'static import of a built-in',
    new RegExp(`\\b(?:import|export)\\b[^'"\`;]*?\\bfrom\\s*['"]${builtin}['"]`),
  ],
  ['side-effect import of a built-in', new RegExp(`\\bimport\\s*['"]${builtin}['"]`)],
  ['dynamic import of a built-in', new RegExp(`\\bimport\\s*\\(\\s*['"]${builtin}['"]\\s*\\)`)],
  ['require of a built-in', new RegExp(`\\brequire\\s*\\(\\s*['"]${builtin}['"]\\s*\\)`)],
  [
    'Buffer',
    /\bBuffer\s*\.\s*(?:from|alloc|allocUnsafe|concat|isBuffer|byteLength)\b|\bnew\s+Buffer\b/,
  ],
]

/** `file` and every relative module it imports, transitively. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  const text = readFileSync(file, 'utf8')
  for (const match of text.matchAll(
    /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g,
  )) {
    closure(resolve(dirname(file), match[1] as string), seen)
  }
  return seen
}

/** Bare specifiers a file imports or requires. */
function bareImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out = new Set<string>()
  for (const match of text.matchAll(
    /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^.'"][^'"]*)['"]/g,
  )) {
    out.add(match[1] as string)
  }
  return [...out].sort()
}

describe('portability of the built package', () => {
  for (const entry of ['index.js', 'index.cjs']) {
    it(`dist/${entry} and the core it pulls in import no node built-in and use no Buffer`, () => {
      const ours = join(honoDist, entry)
      const core = join(coreDist, 'dist', entry)
      expect(existsSync(ours), `${ours} is missing: run pnpm --filter @oauth1/hono build`).toBe(
        true,
      )
      expect(existsSync(core), `${core} is missing: run pnpm --filter @oauth1/core build`).toBe(
        true,
      )
      const files = [...closure(ours), ...closure(core)]
      expect(files.length).toBeGreaterThanOrEqual(2)
      for (const file of files) {
        const text = readFileSync(file, 'utf8')
        for (const [what, pattern] of FORBIDDEN) {
          expect(pattern.exec(text)?.[0], `${what} in ${file}`).toBeUndefined()
        }
      }
      // Our package imports nothing but the core and Hono's own web-standard modules.
      expect(bareImports(ours)).toEqual(['@oauth1/core', 'hono/cookie', 'hono/http-exception'])
    })
  }

  it('finds a node built-in import when there is one (the check itself works)', () => {
    const samples = [
      `import { createHmac } from 'node:crypto'`,
      `import crypto from "crypto"`,
      `const { AsyncLocalStorage } = require("node:async_hooks")`,
      `await import('node:fs')`,
      `export { x } from 'node:util'`,
      `Buffer.from(s, 'base64')`,
    ]
    for (const sample of samples) {
      expect(
        FORBIDDEN.some(([, pattern]) => pattern.test(sample)),
        sample,
      ).toBe(true)
    }
    expect(
      FORBIDDEN.some(([, pattern]) => pattern.test(`process.getBuiltinModule?.('node:crypto')`)),
    ).toBe(false)
  })
})
