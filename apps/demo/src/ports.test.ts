import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { choosePort } from './ports.ts'

describe('choosePort', () => {
  const servers: Server[] = []
  const occupy = () =>
    new Promise<number>((resolve) => {
      const server = createServer()
      servers.push(server)
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))
    })
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
  })

  it('gives a free port for 0, and the wanted port when it is free', async () => {
    const free = await choosePort(0, '127.0.0.1', false)
    expect(free).toBeGreaterThan(0)
    expect(await choosePort(free, '127.0.0.1', false)).toBe(free)
  })

  it('falls back to a free port when the wanted one is taken, if allowed', async () => {
    const taken = await occupy()
    const other = await choosePort(taken, '127.0.0.1', true)
    expect(other).toBeGreaterThan(0)
    expect(other).not.toBe(taken)
  })

  it('says which port is taken when it may not fall back', async () => {
    const taken = await occupy()
    await expect(choosePort(taken, '127.0.0.1', false)).rejects.toThrow(
      `port ${taken} on 127.0.0.1 is already in use`,
    )
  })
})
