/**
 * Every TypeScript and JavaScript code block of the docs compiles: the blocks
 * of the pages (and of the files they include with VitePress's
 * `<!--@include: …-->`, package READMEs among them) are written out one file
 * each and type-checked with `tsc` against the workspace packages.
 *
 * A block whose fence says `no-check` (```ts no-check) is skipped: keep that
 * for code that is deliberately partial. A block whose fence says
 * `requires=@oauth1/providers` is checked once the workspace has that package.
 * Lines before `// ---cut---` are compiled but not shown on the site (imports
 * and declarations a snippet needs).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { promisify } from 'node:util'
import { DOCS_DIR, REPO_ROOT, workspacePackages } from './repo.ts'

/** One fenced code block, where a reader's editor would find it. */
export interface CodeBlock {
  /** The markdown file the block is written in (an included file's own path). */
  file: string
  /** 1-based line of the block's first code line in `file`. */
  line: number
  lang: string
  /** The words after the language on the fence line (`no-check`, `{1,3}`…). */
  meta: string
  code: string
}

/** Languages checked, and the extension each is compiled as. */
const CHECKED: Record<string, string> = {
  ts: '.ts',
  typescript: '.ts',
  mts: '.mts',
  js: '.mjs',
  javascript: '.mjs',
  mjs: '.mjs',
  cjs: '.cjs',
}

const INCLUDE = /<!--\s*@include:\s*(.*?)\s*-->/g
const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})\s*([^`\s{]*)(.*)$/

/**
 * The lines VitePress would include for `<!--@include: spec-->` written in
 * `file`: `path`, `path{start,end}` (1-based, inclusive) or `path#region`.
 * Returns the file and the line number of the first included line.
 */
function resolveInclude(
  spec: string,
  file: string,
  srcDir: string,
): { file: string; lines: string[]; firstLine: number } | undefined {
  let path = spec
  let start: number | undefined
  let end: number | undefined
  let region: string | undefined
  const range = /\{(\d*),(\d*)\}$/.exec(path)
  if (range) {
    path = path.slice(0, -range[0].length)
    start = range[1] ? Number(range[1]) : undefined
    end = range[2] ? Number(range[2]) : undefined
  }
  const regionMatch = /#([\w-]+)$/.exec(path)
  if (regionMatch) {
    path = path.slice(0, -regionMatch[0].length)
    region = regionMatch[1]
  }
  const target = path.startsWith('@')
    ? join(srcDir, path.slice(path[1] === '/' ? 2 : 1))
    : join(dirname(file), path)
  if (!existsSync(target)) return undefined
  let lines = readFileSync(target, 'utf8').split(/\r?\n/)
  let firstLine = 1
  if (region !== undefined) {
    const open = lines.findIndex((l) => new RegExp(`#region\\s+${region}\\b`).test(l))
    const close = lines.findIndex((l, i) => i > open && /#endregion/.test(l))
    if (open === -1) return undefined
    lines = lines.slice(open + 1, close === -1 ? undefined : close)
    firstLine = open + 2
  }
  if (start !== undefined || end !== undefined) {
    const from = start === undefined ? 0 : start - 1
    lines = lines.slice(from, end)
    firstLine += from
  }
  return { file: target, lines, firstLine }
}

/**
 * The fenced code blocks of a markdown text, following includes (outside
 * code blocks) into the included files, as VitePress renders them.
 */
export function extractBlocks(
  file: string,
  lines: string[] = readFileSync(file, 'utf8').split(/\r?\n/),
  options: { srcDir?: string; firstLine?: number; seen?: ReadonlySet<string> } = {},
): CodeBlock[] {
  const srcDir = options.srcDir ?? dirname(file)
  const firstLine = options.firstLine ?? 1
  const seen = new Set(options.seen ?? [])
  seen.add(resolve(file))
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? ''
    const open = FENCE_OPEN.exec(text)
    if (open) {
      const indent = open[1]?.length ?? 0
      const fence = open[2] ?? '```'
      const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`)
      const body: string[] = []
      let j = i + 1
      for (; j < lines.length && !closing.test(lines[j] ?? ''); j++) {
        body.push((lines[j] ?? '').replace(new RegExp(`^ {0,${indent}}`), ''))
      }
      blocks.push({
        file,
        line: firstLine + i + 1,
        lang: (open[3] ?? '').toLowerCase(),
        meta: (open[4] ?? '').trim(),
        code: body.join('\n'),
      })
      i = j
      continue
    }
    for (const match of text.matchAll(INCLUDE)) {
      const included = resolveInclude(match[1] ?? '', file, srcDir)
      if (!included || seen.has(resolve(included.file))) continue
      blocks.push(
        ...extractBlocks(included.file, included.lines, {
          srcDir,
          firstLine: included.firstLine,
          seen,
        }),
      )
    }
  }
  return blocks
}

/** The packages a block's `requires=@scope/name,…` meta names. */
export function requiredPackages(block: CodeBlock): string[] {
  const match = /(?:^|\s)requires=(\S+)/.exec(block.meta)
  return match?.[1] ? match[1].split(',').filter(Boolean) : []
}

/**
 * Whether the check compiles this block: a checked language, not `no-check`,
 * and every package of its `requires=` in the workspace (`available`).
 */
export function isChecked(block: CodeBlock, available?: ReadonlySet<string>): boolean {
  if (!(block.lang in CHECKED) || /(^|\s)no-check(\s|$)/.test(block.meta)) return false
  return available === undefined || requiredPackages(block).every((name) => available.has(name))
}

/** The markdown pages of `pagesDir`: every `.md` but the generated API reference and fragments. */
export function markdownPages(pagesDir: string): string[] {
  const pages: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      const rel = relative(pagesDir, path)
      if (entry.isDirectory()) {
        if (rel === 'api' || entry.name.startsWith('_') || entry.name === 'node_modules') continue
        walk(path)
      } else if (entry.name.endsWith('.md')) {
        pages.push(path)
      }
    }
  }
  walk(pagesDir)
  return pages.sort()
}

/** A compiler error, placed in the markdown. */
export interface BlockError {
  file: string
  line: number
  column: number
  message: string
}

export interface CheckResult {
  blocks: CodeBlock[]
  checked: CodeBlock[]
  errors: BlockError[]
}

/** Lines a generated block file starts with before the block's own first line. */
const HEADER_LINES = 1

const execFileAsync = promisify(execFile)

/** The modules a block augments (`declare module 'x'`), and `global` for `declare global`. */
export function augmentedModules(code: string): string[] {
  const names = new Set<string>()
  for (const match of code.matchAll(/^\s*declare\s+(?:module\s+['"]([^'"]+)['"]|(global))/gm)) {
    names.add(match[1] ?? 'global')
  }
  return [...names]
}

/** Runs `task` over `items`, at most `limit` at a time (the machine is shared). */
async function runPool<T, R>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const at = next++
      results[at] = await task(items[at] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** `tsc -p dir`; resolves to its diagnostics ('' when the program compiles). */
async function runTsc(dir: string): Promise<string> {
  const tsc = createRequire(join(DOCS_DIR, 'package.json')).resolve('typescript/bin/tsc')
  try {
    await execFileAsync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], {
      maxBuffer: 64 * 1024 * 1024,
    })
    return ''
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string }
    const output = `${stdout ?? ''}${stderr ?? ''}`
    if (output.trim() === '') throw err
    return output
  }
}

/** tsc's diagnostics, placed back in the markdown the blocks come from. */
function parseTscOutput(output: string, files: ReadonlyMap<string, CodeBlock>): BlockError[] {
  const errors: BlockError[] = []
  let last: BlockError | undefined
  for (const text of output.split('\n')) {
    const match = /^(?:.*[\\/])?(block-\d+\.[cm]?[jt]s)\((\d+),(\d+)\): (error .*)$/.exec(text)
    if (match) {
      const block = files.get(match[1] ?? '')
      const at = Number(match[2]) - HEADER_LINES - 1
      last = {
        file: block?.file ?? (match[1] as string),
        line: (block?.line ?? 0) + Math.max(at, 0),
        column: Number(match[3]),
        message: match[4] ?? '',
      }
      errors.push(last)
    } else if (text.startsWith(' ') && last) {
      last.message += `\n${text}`
    } else if (text.trim() !== '') {
      last = { file: '(tsc)', line: 0, column: 0, message: text }
      errors.push(last)
    }
  }
  return errors
}

/**
 * Type-checks `blocks` with `tsc` in `workDir` (which must sit where
 * `node_modules` resolution finds the libraries the blocks import: under
 * apps/docs). Workspace packages resolve to their built declarations
 * (`pnpm build` first), whether or not apps/docs depends on them.
 */
export async function checkBlocks(
  blocks: CodeBlock[],
  workDir: string,
  root = REPO_ROOT,
): Promise<CheckResult> {
  const packages = workspacePackages(root)
  const available = new Set(packages.map((pkg) => pkg.name))
  const checked = blocks.filter((block) => isChecked(block, available))
  rmSync(workDir, { recursive: true, force: true })
  mkdirSync(workDir, { recursive: true })
  writeFileSync(join(workDir, 'package.json'), '{ "type": "module", "private": true }\n')
  const paths: Record<string, string[]> = {}
  for (const pkg of packages) {
    for (const [specifier, declaration] of pkg.declarations) paths[specifier] = [declaration]
  }
  // Augmentations (`declare module 'express-session' { … }`, `declare global`)
  // are global to a program, and two blocks may declare the same session field
  // differently: blocks that augment the same module go to different programs.
  const groups: Array<{ blocks: CodeBlock[]; augmented: Set<string> }> = [
    { blocks: [], augmented: new Set() },
  ]
  for (const block of checked) {
    const augments = augmentedModules(block.code)
    let group = groups.find((g) => augments.every((name) => !g.augmented.has(name)))
    if (!group) {
      group = { blocks: [], augmented: new Set() }
      groups.push(group)
    }
    group.blocks.push(block)
    for (const name of augments) group.augmented.add(name)
  }
  const files = new Map<string, CodeBlock>()
  const programs: string[] = []
  let index = 0
  groups.forEach(({ blocks: group }, g) => {
    if (group.length === 0) return
    const dir = join(workDir, `program-${g}`)
    mkdirSync(dir)
    const names: string[] = []
    for (const block of group) {
      index += 1
      const name = `block-${String(index).padStart(3, '0')}${CHECKED[block.lang]}`
      const isModule = /^\s*(import|export)\b/m.test(block.code)
      const header = `// ${relative(root, block.file)}:${block.line}`
      writeFileSync(join(dir, name), `${header}\n${block.code}\n${isModule ? '' : 'export {}\n'}`)
      files.set(name, block)
      names.push(name)
    }
    const tsconfig = {
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true,
        allowJs: true,
        checkJs: true,
        declaration: false,
        sourceMap: false,
        paths,
      },
      files: names,
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
    programs.push(dir)
  })

  const outputs = await runPool(programs, 2, (dir) => runTsc(dir))
  const errors: BlockError[] = []
  for (const output of outputs) errors.push(...parseTscOutput(output, files))
  return { blocks, checked, errors }
}
