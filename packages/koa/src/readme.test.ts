import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8')

describe('README', () => {
  it('shows the example that `pnpm typecheck` checks (src/readme-example.ts)', () => {
    const usage = /## Usage\n\n```ts\n([\s\S]*?)```/.exec(read('../README.md'))?.[1]
    const example = read('./readme-example.ts')
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
