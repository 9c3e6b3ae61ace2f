import { readFileSync } from 'node:fs'
import { markdownTableCell } from '@oauth1/core/testing'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README', () => {
  it('shows the Usage example that src/readme-example.test-helper.ts type-checks', () => {
    const example = /## Usage\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    const checked = readFileSync(
      new URL('./readme-example.test-helper.ts', import.meta.url),
      'utf8',
    )
    expect(example).toBeDefined()
    expect(checked.split('\n').slice(2).join('\n')).toBe(example)
  })

  it('installs every package the Usage example imports', () => {
    const install = /## Install\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    const usage = /## Usage\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    const packages = new Set(
      [...usage.matchAll(/^import .* from '([^'.][^']*)'$/gm)].map(
        ([, specifier]) => /^(@[^/]+\/[^/]+|[^/]+)/.exec(specifier as string)?.[1],
      ),
    )
    expect([...packages]).toEqual(['@hono/node-server', '@oauth1/hono', 'hono'])
    const installed = install.split(/\s+/)
    for (const name of packages) expect(installed, name).toContain(name)
  })
})

describe('README defaults are the code’s', () => {
  it('states the defaults and bounds the code has', async () => {
    const { DEFAULT_COOKIE_NAME, MAX_COOKIE_SIZE, ...core } = await import('./index.js')
    expect(markdownTableCell(readme, 'cookie.name', 2)).toBe(`\`'${DEFAULT_COOKIE_NAME}'\``)
    expect(markdownTableCell(readme, 'cookie.name', 3)).toContain(
      `\`__Host-${DEFAULT_COOKIE_NAME}\``,
    )
    expect(readme).toContain(
      `one cookie, \`__Host-${DEFAULT_COOKIE_NAME}\` (\`${DEFAULT_COOKIE_NAME}\` on`,
    )
    expect(markdownTableCell(readme, 'maxEntries', 2)).toBe(
      `\`${core.DEFAULT_SESSION_MAX_ENTRIES}\``,
    )
    expect(readme).toContain(`under the ${MAX_COOKIE_SIZE / 1024} KiB browsers keep`)
    const minutes = [...readme.matchAll(/(\d+)\s+minutes/g)].map((m) => Number(m[1]) * 60_000)
    expect(minutes.length).toBeGreaterThan(0)
    for (const ms of minutes) expect(ms).toBe(core.DEFAULT_TEMPORARY_CREDENTIAL_TTL)
    expect(markdownTableCell(readme, 'secret', 3)).toContain(
      `At least ${core.MIN_SECRET_LENGTH} characters/bytes`,
    )
  })
})
