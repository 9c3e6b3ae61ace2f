import { defineConfig } from 'vitest/config'

/**
 * `pnpm test:cluster`: real processes (three instances of each example app, a
 * round-robin proxy, Debian's redis-server, @oauth1/testing), one file at a
 * time: the machine has two cores. Not part of `pnpm test:unit` (no
 * vitest.config.ts here): the root `pnpm test` runs it as its own stage.
 */
export default defineConfig({
  test: {
    name: 'cluster',
    include: ['src/**/*.cluster.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
    reporters: ['verbose'],
  },
})
