/**
 * The built site in Chromium: every page renders with a title and no console
 * error, every internal link resolves to a built page (and its anchor to an
 * element of that page), the local search finds things, and screenshots of
 * the home page and a guide are saved in test-results/. Run by
 * `pnpm --filter docs test:site` after `pnpm docs:build`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, RESULTS_DIR } from './browser.ts'
import { DIST_DIR } from './repo.ts'
import { fileFor, type StaticServer, serveStatic } from './static-server.ts'

/** Every built page, as the path a browser asks for (`/guide/express.html`). */
function builtPages(dir = DIST_DIR): string[] {
  const pages: string[] = []
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'assets') walk(path)
      } else if (entry.name.endsWith('.html')) {
        pages.push(`/${relative(dir, path).split('\\').join('/')}`)
      }
    }
  }
  walk(dir)
  return pages.sort()
}

/** The `id`s of a built page, where a `#fragment` link may land. */
const idCache = new Map<string, Set<string>>()
function idsOf(file: string): Set<string> {
  let ids = idCache.get(file)
  if (!ids) {
    ids = new Set([...readFileSync(file, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!))
    idCache.set(file, ids)
  }
  return ids
}

interface Visit {
  title: string
  heading: string
  errors: string[]
  links: string[]
  /** The ids of the rendered page's elements, where a `#fragment` may land. */
  ids: Set<string>
}

let browser: Browser
let context: BrowserContext
let server: StaticServer
const visits = new Map<string, Visit>()

beforeAll(async () => {
  if (!existsSync(join(DIST_DIR, 'index.html'))) {
    throw new Error(`No built site in ${DIST_DIR}: run \`pnpm docs:build\` first`)
  }
  server = await serveStatic(DIST_DIR)
  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  context.setDefaultTimeout(20_000)
})

afterAll(async () => {
  await context?.close()
  await browser?.close()
  await server?.close()
})

async function visit(page: Page, path: string): Promise<Visit> {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`))
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`))
  const response = await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' })
  if (path !== '/404.html') expect(response?.status(), path).toBe(200)
  // hydrated: VitePress's app has mounted its layout
  await page.locator('#app .Layout').waitFor()
  const heading = (await page.locator('h1').first().textContent())?.trim() ?? ''
  const links = await page.$$eval('a[href]', (anchors) =>
    anchors.map((a) => (a as HTMLAnchorElement).href),
  )
  const ids = await page.$$eval('[id]', (elements) => elements.map((e) => e.id))
  return { title: await page.title(), heading, errors, links, ids: new Set(ids) }
}

describe('the documentation site, in Chromium', () => {
  const pages = existsSync(DIST_DIR) ? builtPages() : []

  it('has the pages of every section', () => {
    expect(pages).toContain('/index.html')
    for (const section of ['/guide/', '/migrate/', '/api/']) {
      expect(
        pages.some((p) => p.startsWith(section)),
        section,
      ).toBe(true)
    }
  })

  it.each(pages)('%s renders with a title and no console error', async (path) => {
    const page = await context.newPage()
    try {
      const result = await visit(page, path)
      visits.set(path, result)
      expect(result.title, 'document title').toMatch(/\S/)
      expect(result.heading, 'the page heading').toMatch(/\S/)
      expect(result.errors).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('has no broken internal link', () => {
    expect(visits.size).toBe(pages.length)
    const broken: string[] = []
    let checked = 0
    for (const [from, { links }] of visits) {
      for (const href of new Set(links)) {
        const url = new URL(href)
        if (url.origin !== server.url) continue
        checked += 1
        const file = fileFor(DIST_DIR, url.pathname)
        if (!file) {
          broken.push(`${from} → ${url.pathname} (no such page)`)
          continue
        }
        const id = decodeURIComponent(url.hash.slice(1))
        const rendered = visits.get(`/${relative(DIST_DIR, file).split('\\').join('/')}`)?.ids
        if (id && file.endsWith('.html') && !(rendered ?? idsOf(file)).has(id)) {
          broken.push(`${from} → ${url.pathname}${url.hash} (no such anchor)`)
        }
      }
    }
    expect(checked).toBeGreaterThan(pages.length)
    expect(broken).toEqual([])
  })

  it('finds pages with the local search', async () => {
    const page = await context.newPage()
    try {
      await page.goto(`${server.url}/`, { waitUntil: 'networkidle' })
      await page.locator('.VPNavBarSearch button').click()
      const input = page.locator('.VPLocalSearchBox input')
      await input.fill('missing_temporary_credential')
      const results = page.locator('.VPLocalSearchBox .result')
      await results.first().waitFor()
      const texts = await results.allTextContents()
      expect(texts.some((text) => /Troubleshooting/.test(text))).toBe(true)
      await page.keyboard.press('Enter') // opens the first result
      await page.waitForURL(/\/guide\//)
    } finally {
      await page.close()
    }
  })

  it('looks right: screenshots of the home page and a guide', async () => {
    const page = await context.newPage()
    try {
      for (const [path, name] of [
        ['/', 'docs-home'],
        ['/guide/express.html', 'docs-guide-express'],
        ['/migrate/passport.html', 'docs-migrate-passport'],
      ] as const) {
        await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' })
        await page.locator('#app .Layout').waitFor()
        await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: path === '/' })
        expect(existsSync(join(RESULTS_DIR, `${name}.png`))).toBe(true)
      }
    } finally {
      await page.close()
    }
  })
})
