/**
 * "Zero runtime dependencies, no framework imports": the package manifest,
 * the sources that ship, and (after `pnpm build`) the bundles.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const srcDir = `${root}src`
const distDir = `${root}dist`

interface ImportSite {
  specifier: string
  /** `import type` / `export type`: erased, never loaded. */
  typeOnly: boolean
  line: number
}

/**
 * Every module a file names: static imports and re-exports, `import x = require()`,
 * `import()` and `require()` calls. Parsed, so comments and strings do not count.
 * Only `import type` / `export type` are type-only: under `verbatimModuleSyntax`,
 * `import { type A } from 'x'` still emits `import {} from 'x'`.
 */
function importsOf(fileName: string, text: string): ImportSite[] {
  const kind = /\.[cm]?js$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind)
  const sites: ImportSite[] = []
  const add = (node: ts.Node, specifier: ts.Node | undefined, typeOnly: boolean) => {
    if (specifier === undefined || !ts.isStringLiteralLike(specifier)) return
    const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1
    sites.push({ specifier: specifier.text, typeOnly, line })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.importClause?.isTypeOnly === true)
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly)
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      add(node, node.moduleReference.expression, node.isTypeOnly)
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require'
      if (isImport || isRequire) add(node, node.arguments[0], false)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return sites
}

const isRelative = (specifier: string) => specifier.startsWith('./') || specifier.startsWith('../')
const FRAMEWORK = /^(?:@(?:fastify|koa|hono)\/|(?:express|fastify|koa|hono)(?:$|[/-]))/
const isNodeBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)

/** Why a value import of `specifier` is refused in shipped source, or null. */
function forbiddenReason(specifier: string): string | null {
  if (FRAMEWORK.test(specifier)) return 'a framework'
  if (isNodeBuiltin(specifier)) return 'a Node built-in'
  return null
}

/** The sources that ship: every `.ts` under src/, recursively, but tests and test helpers. */
function shippedSources(): string[] {
  return (readdirSync(srcDir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !/\.test(?:-d|-helper)?\.ts$/.test(f))
    .map((f) => f.split('\\').join('/'))
    .sort()
}

describe('importsOf (the scanner the checks below rely on)', () => {
  it('finds every kind of value import, and only `import type` / `export type` as type-only', () => {
    const text = [
      "import express from 'express'",
      "import {\n  type Crypto,\n  createHash,\n} from 'node:crypto'",
      "import { type KeyObject } from 'crypto'",
      "import 'fastify'",
      "export * from 'hono'",
      "export { x } from './local.js'",
      "import fs = require('fs')",
      "const koa = require('koa')",
      "const c = await import('node:crypto')",
      "import type * as Node from 'node:crypto'",
      "export type { Context } from 'hono'",
      "// import x from 'express'",
      'const s = "import x from \'koa\'"',
    ].join('\n')
    const sites = importsOf('x.ts', text).map(({ specifier, typeOnly }) => [specifier, typeOnly])
    expect(sites).toEqual([
      ['express', false],
      ['node:crypto', false],
      ['crypto', false],
      ['fastify', false],
      ['hono', false],
      ['./local.js', false],
      ['fs', false],
      ['koa', false],
      ['node:crypto', false],
      ['node:crypto', true],
      ['hono', true],
    ])
  })

  it('refuses frameworks and Node built-ins, with or without node:', () => {
    for (const s of ['express', 'fastify', 'koa', 'hono', 'hono/cookie', '@fastify/cookie']) {
      expect(forbiddenReason(s)).toBe('a framework')
    }
    expect(forbiddenReason('koa-router')).toBe('a framework')
    for (const s of ['node:crypto', 'crypto', 'fs/promises', 'node:fs/promises', 'buffer']) {
      expect(forbiddenReason(s)).toBe('a Node built-in')
    }
    for (const s of ['./http.js', '../errors.js', 'vitest', 'honest']) {
      expect(forbiddenReason(s)).toBeNull()
    }
  })
})

describe('zero runtime dependencies', () => {
  const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as Record<
    string,
    unknown
  >

  it('package.json has no dependencies (nor optional or bundled ones)', () => {
    expect(manifest.dependencies ?? {}).toEqual({})
    expect(manifest.optionalDependencies ?? {}).toEqual({})
    expect(manifest.bundleDependencies ?? manifest.bundledDependencies ?? []).toEqual([])
  })

  it('every peer dependency is optional (vitest, for @oauth1/core/testing only)', () => {
    const peers = Object.keys((manifest.peerDependencies as Record<string, string>) ?? {})
    const meta = (manifest.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>
    for (const peer of peers)
      expect({ peer, optional: meta[peer]?.optional }).toEqual({ peer, optional: true })
  })

  it('finds the shipped sources (the checks below are not vacuous)', () => {
    const files = shippedSources()
    expect(files).toContain('index.ts')
    expect(files).toContain('crypto/node.ts')
    expect(files).not.toContain('errors.test.ts')
  })

  it('no shipped source imports a framework or a Node built-in, except `import type`', () => {
    const offences: string[] = []
    for (const f of shippedSources()) {
      for (const site of importsOf(f, readFileSync(`${srcDir}/${f}`, 'utf8'))) {
        const reason = forbiddenReason(site.specifier)
        if (reason !== null && !site.typeOnly) {
          offences.push(`src/${f}:${site.line} imports ${reason}: '${site.specifier}'`)
        }
      }
    }
    expect(offences).toEqual([])
  })

  it('no shipped source imports any package but its own files (testing.ts: its optional peer vitest)', () => {
    const offences: string[] = []
    for (const f of shippedSources()) {
      for (const site of importsOf(f, readFileSync(`${srcDir}/${f}`, 'utf8'))) {
        if (site.typeOnly || isRelative(site.specifier)) continue
        if (f === 'testing.ts' && site.specifier === 'vitest') continue
        offences.push(`src/${f}:${site.line} imports '${site.specifier}'`)
      }
    }
    expect(offences).toEqual([])
  })
})

const hasDist = existsSync(`${distDir}/index.js`) && existsSync(`${distDir}/index.cjs`)
describe.skipIf(!hasDist)(
  hasDist
    ? 'the built bundles'
    : 'the built bundles (SKIPPED: packages/core/dist/index.{js,cjs} missing; run `pnpm build` first)',
  () => {
    it.each(['index.js', 'index.cjs'])('dist/%s imports or requires no package', (name) => {
      const sites = importsOf(name, readFileSync(`${distDir}/${name}`, 'utf8'))
      const bare = sites
        .filter((site) => !isRelative(site.specifier))
        .map((site) => `dist/${name}:${site.line} loads '${site.specifier}'`)
      expect(bare).toEqual([])
    })

    // The request context's fallback for runtimes with node:async_hooks but no
    // `process` (see context.ts): a specifier built at run time, so no bundle
    // names a built-in, and marked so webpack and Vite neither resolve nor warn.
    it.each(['index.js', 'index.cjs'])(
      'dist/%s has one import(), of a run-time specifier, marked for bundlers to leave alone',
      (name) => {
        const text = readFileSync(`${distDir}/${name}`, 'utf8')
        const calls = [...text.matchAll(/\bimport\s*\(([^)]*)\)/g)].map((m) => m[1]!)
        expect(calls).toHaveLength(1)
        expect(calls[0]).toContain('/* webpackIgnore: true */')
        expect(calls[0]).toContain('/* @vite-ignore */')
        expect(calls[0]).not.toMatch(/['"`]/)
      },
    )
  },
)
