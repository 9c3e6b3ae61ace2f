import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { DOCS_DIR } from './repo.ts'

/** Debian's Chromium (scripts/ensure-chromium.sh); no browser is ever downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/** Screenshots of the site test (git-ignored). */
export const RESULTS_DIR = join(DOCS_DIR, 'test-results')

/** Headless Chromium with the flags apps/demo's browser tests use. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}. Run scripts/ensure-chromium.sh (apt-get install chromium) or set CHROMIUM_PATH.`,
    )
  }
  mkdirSync(RESULTS_DIR, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}
