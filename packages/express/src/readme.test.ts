import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')

describe('README', () => {
  it('shows the Usage example that test/readme-example.ts type-checks', () => {
    const readme = read('../README.md')
    const usage = readme.slice(readme.indexOf('## Usage'))
    const block = /```ts\n([\s\S]*?)```/.exec(usage)?.[1]
    const checked = read('../test/readme-example.ts')
      .split('\n')
      .slice(1) // the file's own comment
      .join('\n')
      .replace("from '../src/index.js'", "from '@oauth1/express'")
    expect(block).toBeDefined()
    expect(block).toBe(checked)
  })
})
