import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DefaultTheme, defineConfig } from 'vitepress'
import { cutPlugin, readmeLinksPlugin } from '../src/markdown.ts'
import { API_DIR, REPO_ROOT, repositoryUrl } from '../src/repo.ts'

const repoUrl = repositoryUrl()

/** The API reference's sidebar, written by typedoc-vitepress-theme (`pnpm docs:generate`). */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const file = join(API_DIR, 'typedoc-sidebar.json')
  if (!existsSync(file)) return []
  return JSON.parse(readFileSync(file, 'utf8')) as DefaultTheme.SidebarItem[]
}

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Getting started',
    items: [
      { text: 'Introduction', link: '/guide/' },
      { text: 'Express', link: '/guide/express' },
      { text: 'Fastify', link: '/guide/fastify' },
      { text: 'Koa', link: '/guide/koa' },
      { text: 'Hono', link: '/guide/hono' },
    ],
  },
  {
    text: 'Guide',
    items: [
      { text: 'Concepts', link: '/guide/concepts' },
      { text: 'Provider presets', link: '/guide/providers' },
      { text: 'Testing your app', link: '/guide/testing' },
      { text: 'Deploying', link: '/guide/deploying' },
      { text: 'Troubleshooting', link: '/guide/troubleshooting' },
    ],
  },
  {
    text: 'Migrating',
    items: [
      { text: 'From passport-twitter', link: '/migrate/passport' },
      { text: "From Authlib's Flask client", link: '/migrate/authlib' },
      { text: 'From oauth-1.0a + fetch', link: '/migrate/oauth-1.0a' },
      { text: 'From grant', link: '/migrate/grant' },
    ],
  },
  {
    text: 'Project',
    items: [{ text: 'Architecture and design contract', link: '/architecture' }],
  },
]

export default defineConfig({
  title: '@oauth1',
  description: 'The OAuth 1.0a web client for Express, Fastify, Koa and Hono',
  srcDir: 'pages',
  srcExclude: ['_generated/**', '_parts/**'],
  lastUpdated: false,
  // Every link must resolve: a dead one fails the build (and the Chromium test checks anchors).
  ignoreDeadLinks: false,
  head: [
    ['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }],
    ['meta', { name: 'theme-color', content: '#3c8772' }],
  ],
  vite: {
    // The local search index holds the whole API reference: one large chunk, by design.
    build: { chunkSizeWarningLimit: 2048 },
  },
  markdown: {
    config(md) {
      md.use(cutPlugin)
      md.use(readmeLinksPlugin, { repoRoot: REPO_ROOT, repoUrl })
    },
  },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/' },
      { text: 'Migrating', link: '/migrate/passport' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: {
      '/guide/': guide,
      '/migrate/': guide,
      '/architecture': guide,
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar() }],
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
    socialLinks: [{ icon: 'github', link: repoUrl }],
    footer: { message: 'Released under the MIT License.' },
  },
})
