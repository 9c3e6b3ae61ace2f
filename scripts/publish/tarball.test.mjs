import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkPackedPackage } from './tarball.mjs'
import { REPOSITORY, ROOT, readJson } from './workspace.mjs'

const rootManifest = readJson(join(ROOT, 'package.json'))
const workspace = new Map([
  ['@oauth1/core', '0.3.0'],
  ['@oauth1/widget', '0.3.0'],
])
const tested = new Map([['framework', ['4.21.0', '5.1.0']]])

/** An unpacked tarball of a made-up adapter, clean as it is: every case below breaks one thing. */
function fixture() {
  const manifest = {
    name: '@oauth1/widget',
    version: '0.3.0',
    description: 'A widget adapter',
    license: 'MIT',
    type: 'module',
    repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: 'packages/widget' },
    homepage: `${REPOSITORY}/tree/main/packages/widget#readme`,
    bugs: { url: `${REPOSITORY}/issues` },
    keywords: ['oauth', 'oauth1'],
    engines: rootManifest.engines,
    publishConfig: { access: 'public', provenance: true },
    files: ['dist', 'README.md', 'LICENSE'],
    main: './dist/index.cjs',
    types: './dist/index.d.ts',
    exports: {
      '.': {
        import: { types: './dist/index.d.ts', default: './dist/index.js' },
        require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
      },
      './package.json': './package.json',
    },
    dependencies: { '@oauth1/core': '^0.3.0' },
    peerDependencies: { framework: '^4.21.0 || ^5.0.0' },
  }
  return {
    'package.json': JSON.stringify(manifest),
    'README.md': '# @oauth1/widget\n',
    LICENSE: 'MIT License\n',
    'dist/index.js':
      "import { sign } from '@oauth1/core'\nimport { helper } from './chunk-A1.js'\nimport 'node:crypto'\nexport const widget = () => helper(sign)\n//# sourceMappingURL=index.js.map\n",
    'dist/index.js.map': JSON.stringify({
      version: 3,
      sources: ['../src/index.ts'],
      sourcesContent: ['export const widget = 1'],
      mappings: '',
    }),
    'dist/chunk-A1.js':
      "import framework from 'framework/sub'\nexport const helper = (f) => [f, framework]\n",
    'dist/index.cjs':
      "'use strict'\nconst core = require('@oauth1/core')\nconst framework = require('framework')\nexports.widget = () => [core, framework]\n",
    'dist/index.d.ts':
      "import { Token } from '@oauth1/core'\nimport type { App } from 'framework'\nexport { type Chunk } from './chunk-A1.js'\nexport declare function widget(app: App): Token\n",
    'dist/chunk-A1.d.ts': 'export type Chunk = string\n',
    'dist/index.d.cts':
      "import { Token } from '@oauth1/core'\nexport declare function widget(): Token\n",
  }
}

const dirs = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function check(edit = () => {}) {
  const files = fixture()
  edit(files)
  const dir = mkdtempSync(join(tmpdir(), 'oauth1-tarball-test-'))
  dirs.push(dir)
  for (const [path, text] of Object.entries(files)) {
    if (text === undefined) continue
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return checkPackedPackage(dir, { relDir: 'packages/widget', rootManifest, workspace, tested })
}
const manifestEdit = (edit) => (files) => {
  const manifest = JSON.parse(files['package.json'])
  edit(manifest)
  files['package.json'] = JSON.stringify(manifest)
}

describe('checkPackedPackage', () => {
  it('finds nothing wrong with a complete package', () => {
    expect(check()).toEqual([])
  })

  describe('a file missing from the tarball', () => {
    it.each([
      [
        'dist/index.cjs',
        'package.json main points at ./dist/index.cjs, which is not in the tarball',
      ],
      [
        'dist/index.d.cts',
        'package.json exports["."]["require"]["types"] points at ./dist/index.d.cts',
      ],
      ['dist/chunk-A1.js', 'dist/index.js imports ./chunk-A1.js, which is not in the tarball'],
      ['dist/chunk-A1.d.ts', 'dist/index.d.ts imports ./chunk-A1.js, which is not in the tarball'],
      [
        'dist/index.js.map',
        'dist/index.js names the source map index.js.map, which is not in the tarball',
      ],
      ['LICENSE', 'LICENSE is not in the tarball'],
      ['README.md', 'README.md is not in the tarball'],
    ])('%s', (path, problem) => {
      const found = check((files) => delete files[path])
      expect(found.some((p) => p.includes(problem))).toBe(true)
    })
  })

  it('a source map pointing at sources that are not shipped, without their text', () => {
    const found = check((files) => {
      files['dist/index.js.map'] = JSON.stringify({
        version: 3,
        sources: ['../src/index.ts'],
        mappings: '',
      })
    })
    expect(found).toEqual([
      'dist/index.js.map points at ../src/index.ts, which is not in the tarball, without its sourcesContent',
    ])
  })

  it.each(['src/index.ts', 'dist/index.test.js', 'dist/types.test-d.ts', 'tsconfig.tsbuildinfo'])(
    'a file users do not need: %s',
    (path) => {
      const found = check((files) => (files[path] = 'x'))
      expect(found).toContain(
        `${path} is in the tarball: only the build, README and LICENSE are published`,
      )
    },
  )

  it('a build file nothing package.json points at loads: a second build of a CLI', () => {
    const found = check((files) => {
      files['dist/cli.cjs'] =
        "'use strict'\nrequire('./chunk.cjs')\n//# sourceMappingURL=cli.cjs.map\n"
      files['dist/cli.cjs.map'] = JSON.stringify({ version: 3, sources: [], mappings: '' })
      files['dist/chunk.cjs'] = "'use strict'\n"
      files['dist/cli.d.cts'] = 'export {}\n'
    })
    expect(found).toEqual(
      ['dist/chunk.cjs', 'dist/cli.cjs', 'dist/cli.cjs.map', 'dist/cli.d.cts'].map(
        (file) =>
          `${file} is in the tarball, but nothing package.json points at (main, types, exports, bin) loads it`,
      ),
    )
  })

  it.each(['workspace:^', 'workspace:*', 'link:../core', 'file:../core', 'catalog:'])(
    'a workspace range left in dependencies: %s',
    (range) => {
      const found = check(manifestEdit((m) => (m.dependencies['@oauth1/core'] = range)))
      expect(found).toContain(
        `dependencies.@oauth1/core is "${range}": npm cannot install a workspace range`,
      )
    },
  )

  it('a workspace range in devDependencies too', () => {
    const found = check(
      manifestEdit((m) => (m.devDependencies = { '@oauth1/testing': 'workspace:^' })),
    )
    expect(found).toEqual([
      'devDependencies.@oauth1/testing is "workspace:^": npm cannot install a workspace range',
    ])
  })

  it('a range on a workspace package that excludes its version', () => {
    const found = check(manifestEdit((m) => (m.dependencies['@oauth1/core'] = '^0.2.0')))
    expect(found).toEqual([
      'dependencies.@oauth1/core is "^0.2.0", which excludes 0.3.0, the version in this workspace',
    ])
  })

  describe('a wrong peer range', () => {
    it('excludes a version the workspace tests against', () => {
      const found = check(manifestEdit((m) => (m.peerDependencies.framework = '^5.0.0')))
      expect(found).toEqual([
        'peerDependencies.framework is "^5.0.0", which excludes 4.21.0, a version the workspace tests against',
      ])
    })

    it('names a peer no devDependency installs', () => {
      const found = check(manifestEdit((m) => (m.peerDependencies.other = '^1.0.0')))
      expect(found).toEqual([
        'peerDependencies.other is "^1.0.0", but no devDependency of the workspace installs other: the range is untested',
      ])
    })

    it.each(['*', 'latest', ''])('is unbounded or not a range: "%s"', (range) => {
      const found = check(manifestEdit((m) => (m.peerDependencies.framework = range)))
      expect(found).toContain(
        `peerDependencies.framework is "${range}": should be a bounded semver range`,
      )
    })

    it('meta for a peer that is not declared', () => {
      const found = check(
        manifestEdit((m) => (m.peerDependenciesMeta = { ghost: { optional: true } })),
      )
      expect(found).toEqual([
        'peerDependenciesMeta.ghost describes a peer that peerDependencies lacks',
      ])
    })
  })

  it('an import of a package neither depended on nor peered', () => {
    const found = check((files) => {
      files['dist/chunk-A1.js'] = "import x from 'left-pad'\nexport const helper = x\n"
    })
    expect(found).toEqual([
      'dist/chunk-A1.js imports left-pad, which package.json neither depends on nor lists as a peer',
    ])
  })

  it('the metadata of the packed package.json', () => {
    const found = check(manifestEdit((m) => delete m.publishConfig))
    expect(found).toEqual([
      'package.json: publishConfig is missing: should be { "access": "public", "provenance": true }',
    ])
  })
})
