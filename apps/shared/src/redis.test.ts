import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { connectRedis } from './redis.ts'

/** A port nothing listens on (taken, then given back). */
const deadPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

describe('connectRedis', () => {
  it('rejects, naming the host, when Redis cannot be reached at start-up (rather than retrying forever)', async () => {
    const port = await deadPort()
    await expect(connectRedis(`redis://127.0.0.1:${port}`)).rejects.toThrow(
      new RegExp(`^Cannot connect to Redis at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    )
  })
})
