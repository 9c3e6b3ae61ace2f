import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'express',
    include: ['src/**/*.test.ts'],
    typecheck: {
      enabled: process.env.OAUTH1_TYPE_TESTS !== '0',
      include: ['src/**/*.test-d.ts'],
    },
    // Every test boots real servers (the app, a provider); on a loaded 2-core machine
    // the 5 s default is too tight. No test measures time.
    testTimeout: 20_000,
  },
})
