import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  augmentedModules,
  type CodeBlock,
  extractBlocks,
  isChecked,
  markdownPages,
  requiredPackages,
} from './code-blocks.ts'
import { DOCS_DIR, PAGES_DIR, REPO_ROOT } from './repo.ts'

const fence = '```'

describe('extractBlocks', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'docs-blocks-'))
    mkdirSync(join(dir, 'parts'))
    writeFileSync(
      join(dir, 'parts', 'shared.md'),
      ['# Title', '', `${fence}ts`, 'const included = 1', fence, '', 'tail'].join('\n'),
    )
    writeFileSync(
      join(dir, 'page.md'),
      [
        '# Page', //                                      1
        '', //                                            2
        `${fence}ts no-check`, //                         3
        'partial(', //                                    4
        fence, //                                         5
        '<!--@include: ./parts/shared.md{2,}-->', //      6
        '- a list', //                                    7
        `  ${fence}js`, //                                8
        '  const indented = 2', //                        9
        `  ${fence}`, //                                  10
        `${fence}md`, //                                  11
        '<!--@include: ./parts/shared.md-->', //          12 (inside a fence: not an include)
        fence, //                                         13
        `~~~~python`, //                                  14
        'print(1)', //                                    15
        '~~~~', //                                        16
      ].join('\n'),
    )
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('finds fenced blocks with their language, meta and first line, following includes', () => {
    const blocks = extractBlocks(join(dir, 'page.md'))
    const shared = join(dir, 'parts', 'shared.md')
    expect(blocks.map((b) => [relative(dir, b.file), b.line, b.lang, b.meta, b.code])).toEqual([
      ['page.md', 4, 'ts', 'no-check', 'partial('],
      // included from its line 2 on: the block's code is on line 4 of shared.md
      [relative(dir, shared), 4, 'ts', '', 'const included = 1'],
      ['page.md', 9, 'js', '', 'const indented = 2'],
      ['page.md', 12, 'md', '', '<!--@include: ./parts/shared.md-->'],
      ['page.md', 15, 'python', '', 'print(1)'],
    ])
  })

  it('does not follow an include into itself', () => {
    writeFileSync(
      join(dir, 'loop.md'),
      `<!--@include: ./loop.md-->\n${fence}ts\nlet x = 1\n${fence}\n`,
    )
    expect(extractBlocks(join(dir, 'loop.md')).map((b) => b.code)).toEqual(['let x = 1'])
  })
})

describe('which blocks are compiled', () => {
  const block = (lang: string, meta = ''): CodeBlock => ({
    file: 'x.md',
    line: 1,
    lang,
    meta,
    code: '',
  })

  it('TypeScript and JavaScript, not other languages, not `no-check`', () => {
    expect(isChecked(block('ts'))).toBe(true)
    expect(isChecked(block('typescript', '{1,3}'))).toBe(true)
    expect(isChecked(block('js'))).toBe(true)
    expect(isChecked(block('ts', 'no-check'))).toBe(false)
    expect(isChecked(block('sh'))).toBe(false)
    expect(isChecked(block('python'))).toBe(false)
  })

  it('`requires=` waits for the package to be in the workspace', () => {
    const waiting = block('ts', 'requires=@oauth1/providers,@oauth1/redis')
    expect(requiredPackages(waiting)).toEqual(['@oauth1/providers', '@oauth1/redis'])
    expect(isChecked(waiting, new Set(['@oauth1/providers']))).toBe(false)
    expect(isChecked(waiting, new Set(['@oauth1/providers', '@oauth1/redis']))).toBe(true)
  })

  it('knows which modules a block augments', () => {
    const code =
      "declare module 'express-session' {\n}\ndeclare global {\n}\nconst x = 'declare module \"no\"'"
    expect(augmentedModules(code)).toEqual(['express-session', 'global'])
  })

  it('every page of the site is found, the generated API reference and fragments left out', () => {
    const pages = markdownPages(PAGES_DIR).map((p) => relative(PAGES_DIR, p))
    expect(pages).toContain('guide/express.md')
    expect(pages).toContain('migrate/authlib.md')
    expect(pages.filter((p) => p.startsWith('api/') || p.startsWith('_'))).toEqual([])
  })
})

describe('the check (tsc over the blocks)', () => {
  const execFileAsync = promisify(execFile)
  let dir: string
  const workDir = join(DOCS_DIR, '.code-blocks-test')

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'docs-check-'))
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
    rmSync(workDir, { recursive: true, force: true })
  })

  /** The troubleshooting page's signature example, as it is on the site. */
  function realBlock(): string {
    const blocks = extractBlocks(join(PAGES_DIR, 'guide', 'troubleshooting.md'))
    const found = blocks.find((b) => b.code.includes('signRequest('))
    if (!found) throw new Error('the troubleshooting page lost its signRequest example')
    return found.code
  }

  it('passes the real block and fails a doctored copy at its markdown line', async () => {
    const good = realBlock()
    // doctored: an option renamed, as a stale doc would have it
    const doctored = good.replace('clientSecret:', 'consumerSecret:')
    expect(doctored).not.toBe(good)
    const doctoredLine = doctored.split('\n').findIndex((l) => l.includes('consumerSecret:'))
    writeFileSync(join(dir, 'good.md'), `# Good\n\n${fence}ts\n${good}\n${fence}\n`)
    writeFileSync(
      join(dir, 'bad.md'),
      [
        '# Bad',
        '',
        `${fence}ts no-check`,
        'this is not TypeScript (',
        fence,
        '',
        `${fence}ts requires=@oauth1/not-a-package`,
        "import { nothing } from '@oauth1/not-a-package'",
        fence,
        '',
        `${fence}ts`,
        doctored,
        fence,
      ].join('\n'),
    )
    const cli = join(DOCS_DIR, 'src', 'check-code-blocks-cli.ts')
    const run = execFileAsync(
      process.execPath,
      ['--import', 'tsx', cli, '--pages', dir, '--work-dir', workDir],
      { cwd: DOCS_DIR },
    )
    const failure = await run.then(
      () => undefined,
      (err: { code?: number; stdout: string; stderr: string }) => err,
    )
    expect(failure?.code).toBe(1)
    const errorLines = failure!.stderr.split('\n').filter((l) => /^\S+\.md:\d+:\d+ /.test(l))
    const badFile = relative(REPO_ROOT, join(dir, 'bad.md'))
    // the block's code starts on line 12 of bad.md
    expect(errorLines.map((l) => l.split(' ')[0]?.replace(/:\d+$/, ''))).toEqual([
      `${badFile}:${12 + doctoredLine}`,
    ])
    expect(errorLines[0]).toMatch(/consumerSecret/)
    expect(failure!.stdout).toMatch(/2 TypeScript\/JavaScript code blocks of 2 pages/)
    expect(failure!.stdout).toMatch(/1 marked no-check, 1 waiting for a package/)
    // what tsc compiled is the page's code (bad.md sorts first), after a line naming its origin
    const compiled = readFileSync(join(workDir, 'program-0', 'block-001.ts'), 'utf8')
    expect(compiled.startsWith(`// ${badFile}:12\n${doctored}`)).toBe(true)
  })
})
