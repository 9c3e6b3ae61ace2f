/**
 * `pnpm --filter docs check:code`: type-checks every code block of the docs
 * (run `docs:generate` first, so the included fragments exist). Exits 1, with
 * each error at its markdown file and line, when a block does not compile.
 *
 * Options (for tests): `--pages <dir>` (default apps/docs/pages),
 * `--work-dir <dir>` (default apps/docs/.code-blocks; must be under apps/docs).
 */
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { checkBlocks, extractBlocks, markdownPages, requiredPackages } from './code-blocks.ts'
import { DOCS_DIR, PAGES_DIR, REPO_ROOT } from './repo.ts'

const { values } = parseArgs({
  options: { pages: { type: 'string' }, 'work-dir': { type: 'string' } },
})
const pagesDir = resolve(values.pages ?? PAGES_DIR)
const workDir = resolve(values['work-dir'] ?? join(DOCS_DIR, '.code-blocks'))

const started = performance.now()
const pages = markdownPages(pagesDir)
const blocks = pages.flatMap((page) => extractBlocks(page, undefined, { srcDir: pagesDir }))
const result = await checkBlocks(blocks, workDir)
const seconds = ((performance.now() - started) / 1000).toFixed(1)
const skipped = result.blocks.filter((b) => /(^|\s)no-check(\s|$)/.test(b.meta)).length
const waiting = result.blocks.filter(
  (b) => requiredPackages(b).length > 0 && !result.checked.includes(b),
)
console.log(
  `docs: ${result.checked.length} TypeScript/JavaScript code blocks of ${pages.length} pages ` +
    `type-checked in ${seconds} s (${skipped} marked no-check, ${waiting.length} waiting for a ` +
    `package not in this checkout, ${result.blocks.length} blocks in all)`,
)
for (const block of waiting) {
  console.log(`  not checked: ${relative(REPO_ROOT, block.file)}:${block.line} (${block.meta})`)
}
for (const error of result.errors) {
  console.error(`${relative(REPO_ROOT, error.file)}:${error.line}:${error.column} ${error.message}`)
}
if (result.errors.length > 0) {
  console.error(`docs: ${result.errors.length} code block errors`)
  process.exit(1)
}
