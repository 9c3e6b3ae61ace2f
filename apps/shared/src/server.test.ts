import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { runningApp, serve } from './server.ts'

const fakeDb = () => {
  const db = { closed: 0, close: () => void db.closed++ }
  return db
}

describe('runningApp', () => {
  it('stops, then closes the database, once however often close() is called', async () => {
    const order: string[] = []
    const db = { close: () => void order.push('db') }
    const app = runningApp('X', 'http://127.0.0.1:1', async () => void order.push('stop'), db)
    expect(app).toMatchObject({ framework: 'X', url: 'http://127.0.0.1:1' })
    const first = app.close()
    expect(app.close()).toBe(first)
    await first
    expect(order).toEqual(['stop', 'db'])
  })

  it('closes the database even when stopping fails, and rejects with that failure', async () => {
    const db = fakeDb()
    const app = runningApp('X', 'http://127.0.0.1:1', () => Promise.reject(new Error('boom')), db)
    await expect(app.close()).rejects.toThrow('boom')
    expect(db.closed).toBe(1)
  })
})

describe('serve', () => {
  const servers: Server[] = []
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((s) => new Promise((resolve) => s.close(() => resolve(null)))),
    )
  })

  it('listens, gives the URL, and close() stops the server then closes the database', async () => {
    const db = fakeDb()
    const server = createServer((_req, res) => res.end('ok'))
    const app = await serve('X', server, db, { host: '127.0.0.1', port: 0 })
    expect(app.framework).toBe('X')
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await (await fetch(app.url)).text()).toBe('ok')
    await app.close()
    await app.close()
    expect(server.listening).toBe(false)
    expect(db.closed).toBe(1)
  })

  it('closes the database and rethrows when the port is taken', async () => {
    const taken = createServer()
    servers.push(taken)
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    const db = fakeDb()
    await expect(serve('X', createServer(), db, { host: '127.0.0.1', port })).rejects.toMatchObject(
      {
        code: 'EADDRINUSE',
      },
    )
    expect(db.closed).toBe(1)
  })
})
