import { readFileSync } from 'node:fs'
import { markdownTableCell } from '@oauth1/core/testing'
import { describe, expect, it } from 'vitest'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')

describe('README', () => {
  it('shows the Usage example that src/readme-example.test-helper.ts type-checks', () => {
    const readme = read('../README.md')
    const usage = readme.slice(readme.indexOf('## Usage'))
    const block = /```ts\n([\s\S]*?)```/.exec(usage)?.[1]
    const checked = read('./readme-example.test-helper.ts')
      .split('\n')
      .slice(1) // the file's own comment
      .join('\n')
      .replace("from './index.js'", "from '@oauth1/express'")
    expect(block).toBeDefined()
    expect(block).toBe(checked)
  })
})

describe('README defaults are the code’s', () => {
  it('states the defaults and bounds the code has', async () => {
    const { DEFAULT_SESSION_KEY, ...core } = await import('./index.js')
    const readme = read('../README.md')
    expect(markdownTableCell(readme, 'sessionKey', 2)).toBe(`\`'${DEFAULT_SESSION_KEY}'\``)
    expect(readme).toContain(`sit in \`req.session.${DEFAULT_SESSION_KEY}\``)
    expect(markdownTableCell(readme, 'maxEntries', 2)).toBe(
      `\`${core.DEFAULT_SESSION_MAX_ENTRIES}\``,
    )
    expect(markdownTableCell(readme, 'request_timeout', 2)).toContain(
      `(${core.DEFAULT_TIMEOUT / 1000} s)`,
    )
    const minutes = [...readme.matchAll(/(\d+)\s+minutes/g)].map((m) => Number(m[1]) * 60_000)
    expect(minutes.length).toBeGreaterThan(0)
    for (const ms of minutes) expect(ms).toBe(core.DEFAULT_TEMPORARY_CREDENTIAL_TTL)
    expect(markdownTableCell(readme, 'secret', 3)).toContain(
      `At least ${core.MIN_SECRET_LENGTH} characters/bytes`,
    )
  })
})
