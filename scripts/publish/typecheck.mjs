// Type-checks a test project's files as a user's project would, in the
// settings users have: Node-only (`lib: ["es2023"]` + @types/node, no DOM) or
// with the DOM lib, each under `moduleResolution` node16 and bundler, and
// Node-only under nodenext; always
// `skipLibCheck: false`, so errors inside the published declarations count.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

const COMMON = {
  target: 'es2022',
  types: ['node'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  skipDefaultLibCheck: true, // TypeScript's own lib files
}
const NODE_ONLY = ['es2023']
const DOM = ['es2023', 'dom', 'dom.iterable']

/**
 * The settings, by name. `commonJs`: the setting also checks the `.cts`
 * files (bundler projects write ES modules).
 */
export const SETTINGS = [
  {
    name: 'node16-node',
    commonJs: true,
    compilerOptions: { ...COMMON, lib: NODE_ONLY, module: 'node16', moduleResolution: 'node16' },
  },
  {
    // What `tsc --init` writes: nodenext follows Node's newest rules (require of an ES module…)
    name: 'nodenext-node',
    commonJs: true,
    compilerOptions: {
      ...COMMON,
      lib: NODE_ONLY,
      module: 'nodenext',
      moduleResolution: 'nodenext',
    },
  },
  {
    name: 'bundler-node',
    commonJs: false,
    compilerOptions: { ...COMMON, lib: NODE_ONLY, module: 'esnext', moduleResolution: 'bundler' },
  },
  {
    name: 'node16-dom',
    commonJs: true,
    compilerOptions: { ...COMMON, lib: DOM, module: 'node16', moduleResolution: 'node16' },
  },
  {
    name: 'bundler-dom',
    commonJs: false,
    compilerOptions: { ...COMMON, lib: DOM, module: 'esnext', moduleResolution: 'bundler' },
  },
]

/**
 * A type checker that keeps parsed files between programs (lib files,
 * @types/node and the frameworks' declarations are parsed once per run).
 */
export function createTypeChecker() {
  const parsed = new Map()

  /**
   * Checks `files` (absolute paths) in `dir` under one setting and returns the
   * diagnostics of the files `isChecked` selects (the project's own files and
   * the published declarations) plus the program-wide ones, as text, by file.
   * Writes `tsconfig.<setting>.json` beside them, to rerun one by hand
   * (`tsc -p tsconfig.node16-node.json`). `emit` lists files to compile into
   * `out/`.
   */
  return function check({ dir, setting, files, isChecked, emit = [] }) {
    const json = { ...setting.compilerOptions, rootDir: '.', outDir: 'out' }
    writeFileSync(
      join(dir, `tsconfig.${setting.name}.json`),
      `${JSON.stringify({ compilerOptions: json, files: files.map((f) => f.slice(dir.length + 1)) }, null, 2)}\n`,
    )
    const { options, errors } = ts.convertCompilerOptionsFromJson(json, dir)
    const host = ts.createCompilerHost(options, true)
    const getSourceFile = host.getSourceFile
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const settings = typeof languageVersion === 'object' ? languageVersion : { languageVersion }
      const key = `${fileName}\0${settings.languageVersion}\0${settings.impliedNodeFormat}`
      let file = parsed.get(key)
      if (file === undefined) {
        file = getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate)
        if (file !== undefined) parsed.set(key, file)
      }
      return file
    }
    const program = ts.createProgram({ rootNames: files, options, host })
    const diagnostics = [
      ...errors,
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
    ]
    for (const file of program.getSourceFiles()) {
      if (!isChecked(file.fileName)) continue
      diagnostics.push(
        ...program.getSyntacticDiagnostics(file),
        ...program.getSemanticDiagnostics(file),
      )
    }
    for (const fileName of emit) program.emit(program.getSourceFile(fileName))

    const byFile = new Map()
    for (const diagnostic of diagnostics) {
      const key = diagnostic.file?.fileName ?? '(program)'
      byFile.set(key, [...(byFile.get(key) ?? []), format(diagnostic, dir)])
    }
    return byFile
  }
}

function format(diagnostic, dir) {
  return ts.formatDiagnostic(diagnostic, {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => dir,
    getNewLine: () => '\n',
  })
}
