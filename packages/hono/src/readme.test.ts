import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README', () => {
  it('shows the Usage example that test/readme-example.ts type-checks', () => {
    const example = /## Usage\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    const checked = readFileSync(new URL('../test/readme-example.ts', import.meta.url), 'utf8')
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
