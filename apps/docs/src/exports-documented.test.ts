/**
 * Every name a published package exports carries TSDoc: it is what users
 * read on hover in their editor, and what the API reference shows. A name
 * re-exported from another package (an adapter's `OAuthError`) counts as
 * documented where it is declared, as the reference shows it.
 */
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { workspacePackages } from './repo.ts'

const packages = workspacePackages()
const entries = packages.flatMap((pkg) => pkg.entries)

// One program over the sources, every specifier mapped to its source file, so
// a re-export resolves to the declaration itself (not to a built .d.ts).
const program = ts.createProgram(
  entries.map(([, source]) => source),
  {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    paths: Object.fromEntries(entries.map(([specifier, source]) => [specifier, [source]])),
  },
)
const checker = program.getTypeChecker()

/** The exported names of `source` that have neither a doc comment nor a tag. */
function undocumented(source: string): string[] {
  const file = program.getSourceFile(source)
  const module = file && checker.getSymbolAtLocation(file)
  if (!module) throw new Error(`${source}: not a module`)
  return checker
    .getExportsOfModule(module)
    .filter((exported) => {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim()
      return text === '' && symbol.getJsDocTags(checker).length === 0
    })
    .map((symbol) => symbol.name)
    .sort()
}

describe('every export has TSDoc', () => {
  it('finds the entry points', () => {
    expect(entries.map(([specifier]) => specifier)).toContain('@oauth1/core')
  })

  it.each(entries)('%s', (_specifier, source) => {
    expect(undocumented(source)).toEqual([])
  })
})
