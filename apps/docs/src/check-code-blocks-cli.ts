/** `pnpm --filter docs check:code`: type-checks every code block of the docs (after `docs:generate`). */
import { join, relative } from 'node:path'
import { checkBlocks, extractBlocks, markdownPages } from './code-blocks.ts'
import { DOCS_DIR, PAGES_DIR, REPO_ROOT } from './repo.ts'

const started = performance.now()
const pages = markdownPages(PAGES_DIR)
const blocks = pages.flatMap((page) => extractBlocks(page, undefined, { srcDir: PAGES_DIR }))
const result = await checkBlocks(blocks, join(DOCS_DIR, '.code-blocks'))
const seconds = ((performance.now() - started) / 1000).toFixed(1)
const skipped = result.blocks.filter((b) => /\bno-check\b/.test(b.meta)).length
console.log(
  `docs: ${result.checked.length} TypeScript/JavaScript code blocks of ${pages.length} pages ` +
    `type-checked in ${seconds} s (${skipped} marked no-check, ${result.blocks.length} blocks in all)`,
)
for (const error of result.errors) {
  console.error(`${relative(REPO_ROOT, error.file)}:${error.line}:${error.column} ${error.message}`)
}
if (result.errors.length > 0) {
  console.error(`docs: ${result.errors.length} code block errors`)
  process.exit(1)
}
