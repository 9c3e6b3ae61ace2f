import { defineConfig } from 'vitest/config'

/**
 * `pnpm test:e2e`: the example apps driven by Debian's Chromium
 * (`/usr/bin/chromium`, see scripts/ensure-chromium.sh) through playwright-core.
 * One browser, one spec file at a time: the machine has two cores.
 */
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['src/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
})
