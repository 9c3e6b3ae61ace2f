import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'fastify',
    include: ['src/**/*.test.ts'],
    typecheck: {
      enabled: process.env.OAUTH1_TYPE_TESTS !== '0',
      include: ['src/**/*.test-d.ts'],
    },
    // Tests boot real servers (providers, apps, a spawned CLI); on a loaded 2-core machine
    // the 5 s default is too tight. No test measures time.
    testTimeout: 20_000,
  },
})
