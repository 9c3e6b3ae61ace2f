// The node:http transport reads the one or two headers it needs from
// `rawHeaders`, not from `res.headers` (built on first use): it must read
// them as Node's `res.headers` gives them, duplicates included.
import http from 'node:http'
import net from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { rawHeader } from './node-http.js'

/** One answer with these raw header lines, read by node:http. */
async function answerWith(lines: string[]): Promise<http.IncomingMessage> {
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      socket.end(`HTTP/1.1 200 OK\r\n${lines.join('\r\n')}\r\nConnection: close\r\n\r\nhello`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const { port } = server.address() as net.AddressInfo
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        res.resume()
        resolve(res)
      })
      .on('error', reject)
  })
}

describe('rawHeader reads a header as res.headers gives it', () => {
  it('for single, repeated, first-value-only, cookie and absent headers, any case', async () => {
    const res = await answerWith([
      'Content-Length: 5',
      'Content-Type: text/plain',
      'content-type: text/html',
      'Content-Encoding: identity',
      'content-encoding: identity',
      'X-Many: 1',
      'x-many: 2',
      'X-MANY: 3',
      'Cookie: a=1',
      'cookie: b=2',
      'Location: /one',
      'location: /two',
      'Set-Cookie: s=1',
      'Set-Cookie: t=2',
    ])
    const names = [
      'content-length',
      'content-type',
      'content-encoding',
      'x-many',
      'cookie',
      'location',
      'set-cookie',
      'x-absent',
    ]
    for (const name of names) {
      const node = res.headers[name]
      expect(rawHeader(res.rawHeaders, name), name).toBe(
        Array.isArray(node) ? node.join(', ') : node,
      )
    }
  })
})
