import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'example-koa', include: ['src/**/*.test.ts'], testTimeout: 30_000 },
})
