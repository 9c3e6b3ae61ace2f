/**
 * The architecture page offers its `mapStore` as the store contract and says
 * every store must pass `runStoreConformanceTests`: so the page's own code
 * runs that suite here, as it is written on the page.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TemporaryCredentialStore } from '@oauth1/core'
import { runStoreConformanceTests } from '@oauth1/core/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { extractBlocks } from './code-blocks.ts'
import { DOCS_DIR, PAGES_DIR } from './repo.ts'

const page = join(PAGES_DIR, 'architecture.md')
const block = extractBlocks(page).find((b) => b.code.includes('function mapStore('))

describe('architecture.md', () => {
  it('shows a mapStore example', () => {
    expect(block, 'the page has no code block defining mapStore').toBeDefined()
  })
})

if (block !== undefined) {
  // Written beside the docs' node_modules, so that its imports resolve as the page's do.
  // One directory per run: the Node matrix runs this file on several Nodes at once.
  const cache = join(DOCS_DIR, 'node_modules', '.cache')
  mkdirSync(cache, { recursive: true })
  const dir = mkdtempSync(join(cache, 'architecture-store-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'map-store.ts')
  writeFileSync(file, `${block.code}\nexport { mapStore }\n`)
  const { mapStore } = (await import(file)) as { mapStore: () => TemporaryCredentialStore }
  runStoreConformanceTests('architecture.md mapStore', () => ({ store: mapStore() }))
}
