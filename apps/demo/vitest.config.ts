import { defineProject } from 'vitest/config'

/** Unit tests of the demo's orchestration (no browser); the browser tests are `*.spec.ts`. */
export default defineProject({
  test: {
    name: 'demo',
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
  },
})
