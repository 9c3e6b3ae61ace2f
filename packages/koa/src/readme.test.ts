import { readFileSync } from 'node:fs'
import { markdownTableCell } from '@oauth1/core/testing'
import { describe, expect, it } from 'vitest'

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8')

describe('README', () => {
  it('shows the example that `pnpm typecheck` checks (src/readme-example.test-helper.ts)', () => {
    const usage = /## Usage\n\n```ts\n([\s\S]*?)```/.exec(read('../README.md'))?.[1]
    const example = read('./readme-example.test-helper.ts')
      .split('\n')
      .slice(2)
      .join('\n')
      .replace("from './index.js'", "from '@oauth1/koa'")
    expect(usage).toBe(example)
    // the setup is checked at start-up, not on the first request (see middleware.test.ts)
    expect(usage).toContain('app.use(oauth.middleware({ app }))')
  })

  it('states the exact setup error messages', async () => {
    const { MISSING_SECRET_MESSAGE, MISSING_SESSION_MESSAGE } = await import('./session.js')
    const readme = read('../README.md')
    expect(readme).toContain(MISSING_SESSION_MESSAGE)
    expect(readme).toContain(MISSING_SECRET_MESSAGE)
  })
})

describe('README defaults are the code’s', () => {
  it('states the defaults and bounds the code has', async () => {
    const { COOKIE_MAX_ENTRIES, SESSION_KEY, ...core } = await import('./index.js')
    const readme = read('../README.md')
    expect(markdownTableCell(readme, 'maxEntries', 2)).toBe(
      `\`${COOKIE_MAX_ENTRIES}\` with koa-session's cookie store, \`${core.DEFAULT_SESSION_MAX_ENTRIES}\` (core's \`DEFAULT_SESSION_MAX_ENTRIES\`) with a server-side \`store\``,
    )
    expect(readme).toContain(`(${COOKIE_MAX_ENTRIES} in a cookie session`)
    expect(readme).toContain(`default ${core.DEFAULT_TIMEOUT / 1000} s`)
    const minutes = [...readme.matchAll(/(\d+)\s+minutes/g)].map((m) => Number(m[1]) * 60_000)
    expect(minutes.length).toBeGreaterThan(0)
    for (const ms of minutes) expect(ms).toBe(core.DEFAULT_TEMPORARY_CREDENTIAL_TTL)
    expect(readme).toContain(`\`ctx.session.${SESSION_KEY}\``)
    expect(markdownTableCell(readme, 'sessionKey', 2)).toBe(`\`'${SESSION_KEY}'\``)
    expect(markdownTableCell(readme, 'secret', 3)).toContain(
      `(${core.MIN_SECRET_LENGTH}+ characters or bytes each)`,
    )
  })
})
