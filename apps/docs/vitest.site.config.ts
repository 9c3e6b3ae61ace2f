import { defineConfig } from 'vitest/config'

/**
 * `pnpm --filter docs test:site`: the built site served on 127.0.0.1 and
 * visited in Debian's Chromium (playwright-core), one page at a time.
 */
export default defineConfig({
  test: {
    name: 'docs-site',
    include: ['src/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
  },
})
