// A package README's Usage example, read as the packed-install test needs it:
// the code block itself, and what running it needs from its surroundings.
import { builtinModules } from 'node:module'
import ts from 'typescript'
import { packageName } from './workspace.mjs'

/** The first ```ts block of the README's `## Usage` section, or undefined. */
export function usageBlock(markdown) {
  const start = markdown.search(/^## Usage[ \t]*$/m)
  if (start === -1) return undefined
  const rest = markdown.slice(start + 1)
  const end = rest.search(/^## /m)
  const section = end === -1 ? rest : rest.slice(0, end)
  return /^```(?:ts|typescript)[ \t]*\n([\s\S]*?)^```/m.exec(section)?.[1]
}

/** An example that runs a login: a server app starting and completing the three-legged flow. */
export function isLoginExample(code) {
  return (
    code !== undefined &&
    /\.authorizeRedirect\(/.test(code) &&
    /\.authorizeAccessToken\(/.test(code)
  )
}

/**
 * An adapter's example: it runs a login with the `OAuth` registry it imports
 * from the package itself (`import { OAuth } from '@oauth1/express'`). A
 * package that only takes part in such an example (presets, a store) is not
 * the adapter of it.
 */
export function isAdapterExample(code, packageName) {
  if (!isLoginExample(code)) return false
  const source = ts.createSourceFile('usage.ts', code, ts.ScriptTarget.Latest)
  return source.statements.some(
    (statement) =>
      ts.isImportDeclaration(statement) &&
      ts.isStringLiteral(statement.moduleSpecifier) &&
      statement.moduleSpecifier.text === packageName &&
      statement.importClause?.namedBindings !== undefined &&
      ts.isNamedImports(statement.importClause.namedBindings) &&
      statement.importClause.namedBindings.elements.some(
        (element) => (element.propertyName ?? element.name).text === 'OAuth',
      ),
  )
}

/** The packages an example imports (`hono/cookie` → `hono`), without Node's built-ins. */
export function importedPackages(code) {
  const builtins = new Set(builtinModules)
  const names = ts
    .preProcessFile(code, true, true)
    .importedFiles.map(({ fileName }) => fileName)
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtins.has(s))
    .map(packageName)
  return [...new Set(names)].sort()
}

/**
 * What the example reads from its surroundings: env variables (those it needs:
 * one with a fallback, `process.env.X ?? '/authorize'`, is left unset, as a
 * user trying the example would), files, the port it listens on.
 */
export function exampleNeeds(code) {
  const env = new Set(
    [...code.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)(?![A-Z0-9_])(?!\s*(?:\?\?|\|\|))/g)].map(
      (m) => m[1],
    ),
  )
  const registered = [...code.matchAll(/\.register\(\s*(['"])([A-Za-z][\w-]*)\1/g)].map((m) => m[2])
  const clientEnv = registered.flatMap((name) => {
    const prefix = name.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()
    return [`${prefix}_CLIENT_ID`, `${prefix}_CLIENT_SECRET`]
  })
  const files = [...code.matchAll(/readFileSync\(\s*(['"])([^'"]+)\1/g)].map((m) => m[2])
  const ports = [...code.matchAll(/\.listen\(\s*(\d+)|\bport:\s*(\d+)/g)].map((m) =>
    Number(m[1] ?? m[2]),
  )
  return {
    env: [...env].sort(),
    registered,
    clientEnv,
    files: [...new Set(files)],
    ports: [...new Set(ports)],
  }
}

/**
 * The example as a CommonJS module. CommonJS has no top-level `await`: when
 * the example uses it, the statements that run (everything but imports and
 * type declarations) move, in order, into an async function called at once.
 * Otherwise the code is returned as it is (TypeScript compiles its imports to
 * `require`).
 */
export function asCommonJs(code) {
  const source = ts.createSourceFile('usage.cts', code, ts.ScriptTarget.Latest, true)
  if (!hasTopLevelAwait(source)) return { code, wrapped: false }
  const hoisted = []
  const body = []
  for (const statement of source.statements) {
    const text = code.slice(statement.getFullStart(), statement.getEnd())
    const declarationOnly =
      ts.isImportDeclaration(statement) ||
      ts.isImportEqualsDeclaration(statement) ||
      ts.isModuleDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement)
    ;(declarationOnly ? hoisted : body).push(text)
  }
  const wrappedCode = `${hoisted.join('')}\n\nvoid (async () => {${body.join('')}\n})()\n`
  return { code: wrappedCode, wrapped: true }
}

function hasTopLevelAwait(source) {
  let found = false
  const visit = (node) => {
    if (found || ts.isFunctionLike(node) || ts.isClassLike(node)) return
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) {
      found = true
      return
    }
    ts.forEachChild(node, visit)
  }
  ts.forEachChild(source, visit)
  return found
}

/**
 * The example with one change that must break its compilation: the first
 * `requestTokenUrl:` of a `register` call renamed to an option no registry
 * accepts. (A renamed RemoteApp method would not do: `oauth.twitter` is
 * typed through the registry's `[name: string]: any`.)
 */
export function doctoredExample(code) {
  const doctored = code.replace(/\brequestTokenUrl:/, 'requestTokenUrlDoctored:')
  if (doctored === code) throw new Error('the example registers no requestTokenUrl to doctor')
  return { code: doctored, name: 'requestTokenUrlDoctored' }
}
