import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

describe('README', () => {
  it('shows the Usage example that test/readme-example.ts type-checks', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const example = /## Usage\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    const checked = readFileSync(new URL('../test/readme-example.ts', import.meta.url), 'utf8')
    expect(example).toBeDefined()
    expect(checked.split('\n').slice(2).join('\n')).toBe(example)
  })
})
