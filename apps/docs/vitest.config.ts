import { defineProject } from 'vitest/config'

/** The docs tooling's own tests; the site's browser test is `pnpm --filter docs test:site`. */
export default defineProject({
  test: {
    name: 'docs',
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
  },
})
