import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { fileFor, serveStatic } from './static-server.ts'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'docs-static-'))
  mkdirSync(join(root, 'guide'))
  writeFileSync(join(root, 'index.html'), 'home')
  writeFileSync(join(root, 'guide', 'index.html'), 'guide')
  writeFileSync(join(root, 'guide', 'express.html'), 'express')
  writeFileSync(join(root, '404.html'), 'not found')
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

it('maps paths to built files as a static host does', () => {
  expect(fileFor(root, '/')).toBe(join(root, 'index.html'))
  expect(fileFor(root, '/guide/')).toBe(join(root, 'guide', 'index.html'))
  expect(fileFor(root, '/guide')).toBe(join(root, 'guide', 'index.html'))
  expect(fileFor(root, '/guide/express')).toBe(join(root, 'guide', 'express.html'))
  expect(fileFor(root, '/guide/express.html')).toBe(join(root, 'guide', 'express.html'))
  expect(fileFor(root, '/guide/koa.html')).toBeUndefined()
})

it('serves nothing outside its folder', () => {
  expect(fileFor(root, '/../etc/passwd')).toBeUndefined()
  expect(fileFor(root, '/%2e%2e/%2e%2e/etc/passwd')).toBeUndefined()
  expect(fileFor(root, '/%E0%A4%A')).toBeUndefined()
})

it('answers pages with 200 and unknown paths with the 404 page', async () => {
  const server = await serveStatic(root)
  try {
    const page = await fetch(`${server.url}/guide/express.html`)
    expect([page.status, page.headers.get('content-type'), await page.text()]).toEqual([
      200,
      'text/html; charset=utf-8',
      'express',
    ])
    const missing = await fetch(`${server.url}/nope`)
    expect([missing.status, await missing.text()]).toEqual([404, 'not found'])
  } finally {
    await server.close()
  }
})
