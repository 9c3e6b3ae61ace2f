import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  asCommonJs,
  doctoredExample,
  exampleNeeds,
  importedPackages,
  isAdapterExample,
  usageBlock,
} from './readme.mjs'
import { publishedPackages } from './workspace.mjs'

const examples = publishedPackages()
  .map((pkg) => [pkg.manifest.name, usageBlock(readFileSync(join(pkg.dir, 'README.md'), 'utf8'))])
  .filter(([name, code]) => isAdapterExample(code, name))

describe('the adapters’ README Usage examples', () => {
  it('are found for the four adapters', () => {
    expect(examples.map(([name]) => name)).toEqual(
      expect.arrayContaining(['@oauth1/express', '@oauth1/fastify', '@oauth1/hono', '@oauth1/koa']),
    )
  })

  it.each(examples)('%s: what the packed test supplies is found', (_name, code) => {
    const needs = exampleNeeds(code)
    expect(needs.ports).toHaveLength(1)
    expect(needs.registered.length).toBeGreaterThan(0)
    expect(importedPackages(code).length).toBeGreaterThan(0)
    expect(doctoredExample(code).code).not.toBe(code)
  })
})

describe('isAdapterExample', () => {
  const login = [
    "app.get('/login', (req, res) => oauth.x.authorizeRedirect(req, res))",
    "app.get('/cb', async (req) => oauth.x.authorizeAccessToken(req))",
  ].join('\n')

  it('is a login with the OAuth the package exports', () => {
    const code = `import { OAuth, type Token } from '@oauth1/widget'\n${login}`
    expect(isAdapterExample(code, '@oauth1/widget')).toBe(true)
    const renamed = `import { OAuth as Registry } from '@oauth1/widget'\n${login}`
    expect(isAdapterExample(renamed, '@oauth1/widget')).toBe(true)
  })

  it('is not a login with another package’s OAuth (presets, stores)', () => {
    const code = `import { OAuth } from '@oauth1/express'\nimport { twitter } from '@oauth1/presets'\n${login}`
    expect(isAdapterExample(code, '@oauth1/presets')).toBe(false)
    expect(isAdapterExample(code, '@oauth1/express')).toBe(true)
  })

  it('is not an example without a login', () => {
    const code = "import { OAuth } from '@oauth1/widget'\nnew OAuth()\n"
    expect(isAdapterExample(code, '@oauth1/widget')).toBe(false)
    expect(isAdapterExample(undefined, '@oauth1/widget')).toBe(false)
  })
})

describe('usageBlock', () => {
  it('reads the first ts block of the Usage section only', () => {
    const markdown = [
      '# pkg',
      '```ts',
      'before()',
      '```',
      '## Usage',
      'Some text.',
      '```sh',
      'npm i',
      '```',
      '```ts',
      'usage()',
      '```',
      '```ts',
      'second()',
      '```',
      '## API',
      '```ts',
      'api()',
      '```',
    ].join('\n')
    expect(usageBlock(markdown)).toBe('usage()\n')
  })

  it('is undefined without a Usage section or a ts block in it', () => {
    expect(usageBlock('# pkg\n```ts\nx()\n```\n')).toBeUndefined()
    expect(usageBlock('## Usage\n```js\nx()\n```\n## API\n```ts\ny()\n```\n')).toBeUndefined()
  })
})

describe('asCommonJs', () => {
  it('returns an example without top-level await unchanged', () => {
    const code = "import x from 'x'\nconst app = x()\napp.listen(3000)\n"
    expect(asCommonJs(code)).toEqual({ code, wrapped: false })
  })

  it('an await inside a function is not top-level', () => {
    const code = "import x from 'x'\nx.get('/', async () => await x.y())\n"
    expect(asCommonJs(code).wrapped).toBe(false)
  })

  it('moves the statements that run into an async function, keeping imports and type declarations at the top', () => {
    const code = [
      "import Fastify from 'fastify'",
      "declare module 'fastify' {",
      '  interface FastifyRequest { user: string }',
      '}',
      'interface Extra { a: string }',
      'type Alias = Extra',
      'const app = Fastify()',
      'await app.register(plugin)',
      'await app.listen({ port: 3000 })',
      '',
    ].join('\n')
    const { code: wrapped, wrapped: isWrapped } = asCommonJs(code)
    expect(isWrapped).toBe(true)
    expect(asCommonJs(wrapped).wrapped).toBe(false) // no await left at the top level
    expect(wrapped).toBe(
      [
        "import Fastify from 'fastify'",
        "declare module 'fastify' {",
        '  interface FastifyRequest { user: string }',
        '}',
        'interface Extra { a: string }',
        'type Alias = Extra',
        '',
        'void (async () => {',
        'const app = Fastify()',
        'await app.register(plugin)',
        'await app.listen({ port: 3000 })',
        '})()',
        '',
      ].join('\n'),
    )
  })

  it('for await at the top level counts', () => {
    expect(asCommonJs('for await (const x of xs) console.log(x)\n').wrapped).toBe(true)
  })
})

describe('exampleNeeds', () => {
  it('finds env variables, registered names, files read and the port', () => {
    const code = [
      "const key = readFileSync('secret-key')",
      'const secret = process.env.SESSION_SECRET!',
      "oauth.register('my-provider', {})",
      'serve({ fetch: app.fetch, port: 3000 })',
    ].join('\n')
    expect(exampleNeeds(code)).toEqual({
      env: ['SESSION_SECRET'],
      registered: ['my-provider'],
      clientEnv: ['MY_PROVIDER_CLIENT_ID', 'MY_PROVIDER_CLIENT_SECRET'],
      files: ['secret-key'],
      ports: [3000],
    })
  })

  it('needs the env variables read without a fallback, and leaves the others unset', () => {
    const code = [
      'session({ secret: process.env.SESSION_SECRET! })',
      "register('x', { redirectUri: process.env.X_REDIRECT_URI ?? '/authorize' })",
      'const port = Number(process.env.PORT || 3000)',
      'app.listen(3000)',
    ].join('\n')
    expect(exampleNeeds(code).env).toEqual(['SESSION_SECRET'])
  })
})

describe('importedPackages', () => {
  it('names packages, not subpaths, and leaves out Node built-ins and relative files', () => {
    const code = [
      "import { readFileSync } from 'node:fs'",
      "import path from 'path'",
      "import { getSignedCookie } from 'hono/cookie'",
      "import { Hono } from 'hono'",
      "import secureSession from '@fastify/secure-session'",
      "import { x } from './local.js'",
      "import type { Token } from '@oauth1/hono'",
    ].join('\n')
    expect(importedPackages(code)).toEqual(['@fastify/secure-session', '@oauth1/hono', 'hono'])
  })
})

describe('doctoredExample', () => {
  it('misspells the first requestTokenUrl option', () => {
    const code =
      "oauth.register('a', { requestTokenUrl: 'x' })\noauth.register('b', { requestTokenUrl: 'y' })\n"
    expect(doctoredExample(code)).toEqual({
      code: "oauth.register('a', { requestTokenUrlDoctored: 'x' })\noauth.register('b', { requestTokenUrl: 'y' })\n",
      name: 'requestTokenUrlDoctored',
    })
  })

  it('refuses an example it cannot doctor', () => {
    expect(() => doctoredExample('app.listen(3000)\n')).toThrow('no requestTokenUrl')
  })
})
