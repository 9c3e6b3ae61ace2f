import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * `pnpm test:runtimes`: the packages on the real Bun, Deno and workerd (run
 * as child processes; binaries from binaries/package.json). Not part of the
 * root `vitest run`, which `pnpm test:node` repeats on every Node.
 */
export default defineConfig({
  test: {
    name: 'runtimes',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.test.ts'],
    // Each test starts runtimes; one file at a time keeps a shared 2-core machine responsive.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
