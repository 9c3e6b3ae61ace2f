/**
 * Two markdown-it plugins for the site (see .vitepress/config.ts), and the
 * marker they share with the generator.
 */
import { existsSync, statSync } from 'node:fs'
import { join, posix } from 'node:path'

/** The line that ends a code block's hidden preamble (twoslash's marker). */
export const CUT_LINE = /^[ \t]*\/\/ ---cut---[ \t]*$/m

/** The part of a code block a reader sees: everything after a `// ---cut---` line. */
export function visibleCode(code: string): string {
  const match = CUT_LINE.exec(code)
  if (!match) return code
  return code.slice(match.index + match[0].length).replace(/^\r?\n/, '')
}

// markdown-it is VitePress's; typed structurally here to need no types of its own.
interface Token {
  type: string
  content: string
  attrGet(name: string): string | null
  attrSet(name: string, value: string): void
  children: Token[] | null
}
interface MarkdownIt {
  core: { ruler: { push(name: string, rule: (state: { tokens: Token[] }) => void): void } }
}

/**
 * Hides a code block's preamble: the lines up to `// ---cut---` are compiled
 * by the code-block check (imports, declarations a fragment needs) but not shown.
 */
export function cutPlugin(md: MarkdownIt): void {
  md.core.ruler.push('oauth1_cut', (state) => {
    for (const token of state.tokens) {
      if (token.type === 'fence') token.content = visibleCode(token.content)
    }
  })
}

const README_START = /^<!-- readme: (\S+) -->/
const README_END = /^<!-- \/readme -->/

/**
 * A link written in a package README, relative to the README's folder, as it
 * must read on the site: the file on GitHub (`blob`) or the folder (`tree`).
 * Absolute URLs and in-page anchors are left as they are.
 */
export function readmeLink(
  href: string,
  readme: string,
  options: { repoRoot: string; repoUrl: string; revision?: string },
): string {
  if (href.startsWith('#') || href.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(href)) return href
  const hashAt = href.indexOf('#')
  const path = hashAt === -1 ? href : href.slice(0, hashAt)
  const hash = hashAt === -1 ? '' : href.slice(hashAt)
  const target = posix.normalize(posix.join(posix.dirname(readme), path)).replace(/\/$/, '')
  if (target.startsWith('..')) return href
  const onDisk = join(options.repoRoot, target)
  const kind = existsSync(onDisk) && statSync(onDisk).isDirectory() ? 'tree' : 'blob'
  return `${options.repoUrl}/${kind}/${options.revision ?? 'main'}/${target}${hash}`
}

/**
 * Rewrites the relative links of README text included between
 * `<!-- readme: packages/x/README.md -->` and `<!-- /readme -->`: they were
 * written relative to the README, which is not where the page is.
 */
export function readmeLinksPlugin(
  md: MarkdownIt,
  options: { repoRoot: string; repoUrl: string; revision?: string },
): void {
  md.core.ruler.push('oauth1_readme_links', (state) => {
    let readme: string | undefined
    for (const token of state.tokens) {
      if (token.type === 'html_block') {
        const start = README_START.exec(token.content)
        if (start) readme = start[1]
        else if (README_END.test(token.content)) readme = undefined
        continue
      }
      if (readme === undefined || token.type !== 'inline') continue
      for (const child of token.children ?? []) {
        if (child.type !== 'link_open') continue
        const href = child.attrGet('href')
        if (href) child.attrSet('href', readmeLink(href, readme, options))
      }
    }
  })
}
