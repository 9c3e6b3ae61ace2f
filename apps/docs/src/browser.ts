import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
// One launcher, one list of Chromium flags, for every browser test of the repository.
import { launchChromium as launchDemoChromium } from '../../demo/src/e2e/browser.ts'
import { DOCS_DIR } from './repo.ts'

/** Screenshots of the site test (git-ignored). */
export const RESULTS_DIR = join(DOCS_DIR, 'test-results')

/** Debian's headless Chromium, launched as apps/demo's browser tests launch it. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(RESULTS_DIR, { recursive: true })
  return launchDemoChromium()
}
