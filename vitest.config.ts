import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Every package, the example apps' in-process tests and the publishing
    // checks (scripts/publish). The browser tests (apps/demo/**/*.spec.ts) run
    // separately: `pnpm test:e2e`; so does the packed install: `pnpm test:packed`.
    projects: ['packages/*', 'apps/*/vitest.config.ts', 'scripts/publish/vitest.config.mjs'],
  },
})
