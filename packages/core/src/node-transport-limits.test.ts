/**
 * What bounds a token request's answer on the node transport (node-http.ts)
 * as fetch bounds it, from outside: raw TCP providers on 127.0.0.1 sending
 * content-coded bodies built to be slow or endless, and connections that
 * never finish. Found by an audit of the transport; each test failed before
 * its fix, and passes over fetch too (TRANSPORT=fetch).
 *
 * - The deadline ends the reading of a body that has fully arrived but is
 *   still being decoded (two layers of gzip over empty stored blocks:
 *   seconds of decoding, no output).
 * - A coded body arriving faster than it decodes waits in the socket, not in
 *   memory: the connection pauses while the decoder is full.
 * - With `timeout: 0` the connection, the head and a stalled body are still
 *   bounded, as undici bounds fetch's by default (10 s, 300 s, 300 s; shorter
 *   here through `setNoDeadlineLimits`).
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OAuth1Client } from './client.js'
import type { OAuthError } from './errors.js'
import { setNoDeadlineLimits, setTokenTransport, type TokenTransportName } from './node-http.js'

const servers: { server: Server; sockets: Socket[] }[] = []
afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
})

let previous: TokenTransportName
beforeEach(() => {
  // TRANSPORT=fetch runs the same tests over fetch, which passes them
  previous = setTokenTransport(process.env.TRANSPORT === 'fetch' ? 'fetch' : 'node')
})
afterEach(() => {
  setTokenTransport(previous)
})

/** A provider that answers each request (its head: no body here) with `answer(socket)`. */
async function provider(answer: (socket: Socket) => void): Promise<string> {
  const sockets: Socket[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    let pending = ''
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1')
      if (pending.includes('\r\n\r\n')) {
        pending = ''
        answer(socket)
      }
    })
  })
  servers.push({ server, sockets })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Raw DEFLATE: an empty non-final stored block (5 bytes in, nothing out). */
const EMPTY_STORED_BLOCK = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])

/** A gzip member of `n` empty stored blocks: decodes to nothing. */
function emptyGzipMember(n: number): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])
  const final = Buffer.from([0x03, 0x00])
  const trailer = Buffer.alloc(8)
  return Buffer.concat([header, Buffer.alloc(n * 5, EMPTY_STORED_BLOCK), final, trailer])
}

describe('decoding under the deadline', () => {
  it('a coded body that arrived whole but decodes slowly still ends at the deadline', async () => {
    // 200 MB of empty stored blocks, gzipped twice: 1 KB on the wire (all of it at once,
    // under any decoder's buffer), then three layers of decoding that give nothing.
    const body = gzipSync(gzipSync(emptyGzipMember(40_000_000), { level: 9 }), { level: 9 })
    expect(body.length).toBeLessThan(16_384)
    const origin = await provider((socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-encoding: gzip, gzip, gzip\r\n' +
          `content-length: ${body.length}\r\n\r\n`,
      )
      socket.write(body)
    })
    const started = performance.now()
    const error = await new OAuth1Client({ clientId: 'ck', clientSecret: 'cs', timeout: 100 })
      .fetchRequestToken(`${origin}/rt`)
      .catch((e: unknown) => e)
    const elapsed = performance.now() - started
    expect(error).toMatchObject({ code: 'request_timeout' })
    // At the deadline, as over fetch; not once the whole decoding is done.
    expect(elapsed).toBeLessThan(600)
  })

  it('a coded body arriving faster than it decodes is not queued whole in memory', async () => {
    const blocks = Buffer.alloc(5 * (1 << 21), EMPTY_STORED_BLOCK) // 10 MB, decodes to nothing
    let written = 0
    const origin = await provider(async (socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\ncontent-encoding: deflate\r\ntransfer-encoding: chunked\r\n\r\n',
      )
      let closed = false
      socket.once('close', () => {
        closed = true
      })
      while (!closed) {
        socket.write(`${blocks.length.toString(16)}\r\n`)
        socket.write(blocks)
        socket.write('\r\n')
        written += blocks.length
        await new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (closed || socket.writableLength === 0) {
              clearInterval(poll)
              resolve()
            }
          }, 1)
        })
      }
    })
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    const error = await new OAuth1Client({ clientId: 'ck', clientSecret: 'cs', timeout: 1_000 })
      .fetchRequestToken(`${origin}/rt`)
      .catch((e: unknown) => e)
    clearInterval(sampler)
    expect(error).toMatchObject({ code: 'request_timeout' })
    expect(written).toBeGreaterThan(0)
    // fetch: +20–60 MB over 3 s; the node transport: every byte written, ~0.9 GB a second here
    expect(peak - before).toBeLessThan(200_000_000)
  })
})

describe('no deadline (timeout 0): bounded as undici bounds fetch', () => {
  let limits: ReturnType<typeof setNoDeadlineLimits>
  beforeEach(() => {
    limits = setNoDeadlineLimits({ connect: 150, head: 150, body: 150 })
  })
  afterEach(() => {
    setNoDeadlineLimits(limits)
  })

  /** A temporary-credential request to `origin` with no timeout. */
  const requestToken = (origin: string) =>
    new OAuth1Client({ clientId: 'ck', clientSecret: 'cs', timeout: 0 })
      .fetchRequestToken(`${origin}/rt`)
      .catch((e: unknown) => e)

  it.runIf(process.env.TRANSPORT !== 'fetch')(
    'a TLS handshake that never comes: fetch_token_denied "Could not reach"',
    async () => {
      const sockets: Socket[] = []
      const server = createServer((socket) => {
        sockets.push(socket)
        socket.on('error', () => {})
      })
      servers.push({ server, sockets })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
      const err = (await requestToken(origin)) as OAuthError
      expect(err).toMatchObject({ code: 'fetch_token_denied' })
      expect(err.description).toBe(`Could not reach the temporary-credential endpoint ${origin}/rt`)
      expect((err.cause as Error).message).toBe(
        'The connection was not made within 150 ms (no timeout was set)',
      )
    },
  )

  it.runIf(process.env.TRANSPORT !== 'fetch')(
    'no answer: fetch_token_denied "Could not reach"',
    async () => {
      const origin = await provider(() => {})
      const err = (await requestToken(origin)) as OAuthError
      expect(err).toMatchObject({ code: 'fetch_token_denied' })
      expect(err.description).toBe(`Could not reach the temporary-credential endpoint ${origin}/rt`)
      expect((err.cause as Error).message).toBe('No answer came within 150 ms (no timeout was set)')
    },
  )

  it.runIf(process.env.TRANSPORT !== 'fetch')(
    'a body that stalls: fetch_token_denied "broke off its answer"; one that trickles is read',
    async () => {
      const stalls = await provider((socket) =>
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 90\r\n\r\noauth_token=t'),
      )
      const err = (await requestToken(stalls)) as OAuthError
      expect(err).toMatchObject({ code: 'fetch_token_denied' })
      expect(err.description).toBe(
        `The temporary-credential endpoint ${stalls}/rt broke off its answer`,
      )
      expect((err.cause as Error).message).toBe(
        'The body stalled within 150 ms (no timeout was set)',
      )
      // A byte every 50 ms for longer than the bound: never idle that long, so read.
      const body = 'oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true'
      const trickles = await provider(async (socket) => {
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`)
        for (let i = 0; i < body.length; i += 8) {
          await new Promise((resolve) => setTimeout(resolve, 50))
          socket.write(body.slice(i, i + 8))
        }
      })
      expect(await requestToken(trickles)).toMatchObject({ oauth_token: 't' })
    },
  )
})
