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
      .replace("from './index.js'", "from '@oauth1/fastify'")
    expect(block).toBe(checked)
  })
})

describe('README defaults are the code’s', () => {
  it('states the defaults and bounds the code has', async () => {
    const core = await import('@oauth1/core')
    const { DEFAULT_MAX_ENTRIES, DEFAULT_SESSION_NAME, SESSION_KEY } = await import('./index.js')
    const readme = read('../README.md')
    expect(markdownTableCell(readme, 'sessionName', 2)).toBe(`\`'${DEFAULT_SESSION_NAME}'\``)
    expect(markdownTableCell(readme, 'sessionKey', 2)).toBe(`\`'${SESSION_KEY}'\``)
    expect(markdownTableCell(readme, 'maxEntries', 2)).toBe(`\`${DEFAULT_MAX_ENTRIES}\``)
    expect(markdownTableCell(readme, 'timeout', 2)).toBe(`\`${core.DEFAULT_TIMEOUT}\``)
    expect(markdownTableCell(readme, 'temporaryCredentialTtl', 2)).toBe(
      `\`${core.DEFAULT_TEMPORARY_CREDENTIAL_TTL}\``,
    )
    const minutes = [...readme.matchAll(/(\d+)\s+minutes/g)].map((m) => Number(m[1]) * 60_000)
    expect(minutes.length).toBeGreaterThan(0)
    for (const ms of minutes) expect(ms).toBe(core.DEFAULT_TEMPORARY_CREDENTIAL_TTL)
    expect(readme).toContain(`in the session under \`${SESSION_KEY}\``)
    expect(readme).toContain(`At least ${core.MIN_SECRET_LENGTH} characters`)
  })
})
