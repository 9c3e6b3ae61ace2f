import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'providers',
    include: ['src/**/*.test.ts'],
    typecheck: { enabled: process.env.OAUTH1_TYPE_TESTS !== '0', include: ['src/**/*.test-d.ts'] },
  },
})
