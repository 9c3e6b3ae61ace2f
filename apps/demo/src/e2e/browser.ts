import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'

/** Debian's Chromium; we never download a browser (`npx playwright install`). */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/** Where the final page of each scenario is saved (git-ignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url))

/** Launches headless Chromium, or explains how to get it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}. Run scripts/ensure-chromium.sh (apt-get install chromium) or set CHROMIUM_PATH.`,
    )
  }
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

/** Saves a full-page screenshot as `test-results/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const path = `${RESULTS_DIR}${name}.png`
  await page.screenshot({ path, fullPage: true })
  return path
}

/** The trimmed text of the element with `data-testid=testId`, once it is there. */
export async function text(page: Page, testId: string): Promise<string> {
  const locator = page.getByTestId(testId)
  await locator.waitFor()
  return ((await locator.textContent()) ?? '').trim()
}

/** One Chromium for the spec file: launched before its tests, closed after them. */
export function useChromium(): { readonly browser: Browser } {
  const holder: { browser?: Browser } = {}
  beforeAll(async () => {
    holder.browser = await launchChromium()
  })
  afterAll(async () => {
    await holder.browser?.close()
  })
  return {
    get browser() {
      if (!holder.browser) throw new Error('Chromium is not launched yet (use it inside a test)')
      return holder.browser
    },
  }
}
