import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Every package, and the example apps' in-process tests. The browser tests
    // (apps/demo/**/*.spec.ts) run separately: `pnpm test:e2e`.
    projects: ['packages/*', 'apps/*/vitest.config.ts'],
  },
})
