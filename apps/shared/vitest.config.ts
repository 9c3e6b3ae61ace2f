import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'examples-shared', include: ['src/**/*.test.ts'] },
})
