import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'publish', include: ['*.test.mjs'] },
})
