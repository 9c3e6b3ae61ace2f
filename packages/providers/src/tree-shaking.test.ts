/**
 * One import, one preset: bundling `import { x } from '@oauth1/providers'`
 * with esbuild keeps x's URLs and drops every other preset's.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { PRESETS } from './presets.test-helper.js'

const root = fileURLToPath(new URL('..', import.meta.url))

/** A string only each preset's code holds. */
const MARKERS: Record<string, string> = Object.fromEntries(
  Object.entries(PRESETS).map(([name, { marker }]) => [name, marker]),
)

async function bundle(entry: string, name: string): Promise<string> {
  const result = await build({
    stdin: { contents: `export { ${name} } from '${entry}'`, resolveDir: root, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    external: ['@oauth1/core'],
    logLevel: 'silent',
  })
  return result.outputFiles[0]?.text ?? ''
}

const entries: [string, string][] = [['src', './src/index.ts']]
const dist = `${root}dist/index.js`
if (existsSync(dist)) entries.push(['dist', './dist/index.js'])

describe.each(entries)('tree-shaking (%s)', (_, entry) => {
  it.each(Object.keys(MARKERS))('%s alone keeps no other preset', async (name) => {
    const code = await bundle(entry, name)
    expect(code).toContain(MARKERS[name])
    const others = Object.entries(MARKERS)
      .filter(([other]) => other !== name)
      .filter(([, marker]) => code.includes(marker))
      .map(([other]) => other)
    expect(others).toEqual([])
    if (name !== 'garmin') expect(code).not.toContain('retires OAuth 1.0a')
  })
})
