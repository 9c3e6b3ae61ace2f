import { describe, expect, it } from 'vitest'
import { readmeLink, visibleCode } from './markdown.ts'
import { REPO_ROOT } from './repo.ts'

describe('visibleCode', () => {
  it('shows what follows `// ---cut---`, and all of a block without one', () => {
    expect(visibleCode("import x from 'y'\n// ---cut---\nx()\n")).toBe('x()\n')
    expect(visibleCode('  // ---cut---  \r\nrun()')).toBe('run()')
    expect(visibleCode('a()\n// --- cut ---\nb()')).toBe('a()\n// --- cut ---\nb()')
  })
})

describe('readmeLink', () => {
  const options = { repoRoot: REPO_ROOT, repoUrl: 'https://github.com/oauth1/oauth1' }
  const readme = 'packages/providers/README.md'

  it('points a README-relative file link at the file on GitHub', () => {
    expect(readmeLink('../core/README.md#registry', readme, options)).toBe(
      'https://github.com/oauth1/oauth1/blob/main/packages/core/README.md#registry',
    )
    expect(readmeLink('./src/index.ts', readme, options)).toBe(
      'https://github.com/oauth1/oauth1/blob/main/packages/providers/src/index.ts',
    )
  })

  it('uses tree/ for a folder that exists', () => {
    expect(readmeLink('../core', readme, options)).toBe(
      'https://github.com/oauth1/oauth1/tree/main/packages/core',
    )
    expect(readmeLink('../../apps/', readme, options)).toBe(
      'https://github.com/oauth1/oauth1/tree/main/apps',
    )
  })

  it('leaves anchors, absolute paths, URLs and links out of the repository alone', () => {
    for (const href of [
      '#usage',
      '/guide/',
      'https://x.com/',
      'mailto:a@b.c',
      '../../../outside',
    ]) {
      expect(readmeLink(href, readme, options)).toBe(href)
    }
  })
})

describe('the plugins in VitePress', () => {
  it('hide the preamble and rewrite only the links of included README text', async () => {
    const { createMarkdownRenderer } = await import('vitepress')
    const { cutPlugin, readmeLinksPlugin } = await import('./markdown.ts')
    const md = await createMarkdownRenderer(REPO_ROOT, {
      config(md) {
        md.use(cutPlugin)
        md.use(readmeLinksPlugin, {
          repoRoot: REPO_ROOT,
          repoUrl: 'https://github.com/oauth1/oauth1',
        })
      },
    })
    const html = md.render(
      [
        '[before](../core/README.md)',
        '',
        '<!-- readme: packages/providers/README.md -->',
        '',
        'See [the core](../core/README.md#registry) and [usage](#usage).',
        '',
        '<!-- /readme -->',
        '',
        '[after](../core/README.md)',
        '',
        '```ts',
        "import { hidden } from 'nowhere'",
        '// ---cut---',
        'shown()',
        '```',
      ].join('\n'),
      { relativePath: 'guide/page.md', cleanUrls: false },
    )
    expect(html).toContain(
      'href="https://github.com/oauth1/oauth1/blob/main/packages/core/README.md#registry"',
    )
    expect(html).toContain('href="#usage"')
    expect(html.match(/github\.com/g)).toHaveLength(1) // before and after are the page's own links
    expect(html).toContain('shown')
    expect(html).not.toContain('hidden')
  })
})
