/**
 * The node transport's connections, from outside: raw TCP and TLS servers on
 * 127.0.0.1 (port 0) that write answers byte by byte as a provider might,
 * and count the connections they are sent on. What any transport must do
 * alike is in http-server.test.ts (every case over node and over fetch); here
 * is what only the node transport has: its kept-alive connections, when it
 * keeps one and when it must not, and its reading of the answer's framing.
 */
import { readFileSync } from 'node:fs'
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OAuth1Client } from './client.js'
import type { OAuthError } from './errors.js'
import { setIdleTimeout, setTokenTransport, type TokenTransportName } from './node-http.js'

const TOKEN_FORM = 'oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true'

/** A 200 with the token form and its length, kept alive. */
const OK = `HTTP/1.1 200 OK\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${TOKEN_FORM.length}\r\n\r\n${TOKEN_FORM}`

interface Provider {
  origin: string
  /** Connections accepted so far. */
  readonly connections: Socket[]
  /** Request heads received, in order. */
  readonly heads: string[]
}

const servers: { server: Server; connections: Socket[] }[] = []
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      ({ server, connections }) =>
        new Promise<void>((resolve) => {
          for (const socket of connections) socket.destroy()
          server.close(() => resolve())
        }),
    ),
  )
})

/**
 * A provider that reads each request's head (token requests here have no body
 * unless signed in it) and answers with `answer(socket, n)` — `n` counting
 * requests over all connections from 0.
 */
async function provider(
  answer: (socket: Socket, n: number) => void,
  tls?: { key: string; cert: string },
): Promise<Provider> {
  const connections: Socket[] = []
  const heads: string[] = []
  const onConnection = (socket: Socket) => {
    connections.push(socket)
    let pending = ''
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1')
      for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end)
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0)
        if (pending.length < end + 4 + length) return
        pending = pending.slice(end + 4 + length)
        heads.push(head)
        answer(socket, heads.length - 1)
      }
    })
    socket.on('error', () => {})
  }
  const server = tls
    ? createTlsServer(tls, onConnection as (socket: TLSSocket) => void)
    : createNetServer(onConnection)
  servers.push({ server, connections })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, connections, heads }
}

let previous: TokenTransportName
beforeEach(() => {
  previous = setTokenTransport('node')
})
afterEach(() => {
  setTokenTransport(previous)
})

/** A temporary-credential request to `origin`, its token or its error. */
function requestToken(origin: string, timeout = 5_000): Promise<unknown> {
  return new OAuth1Client({ clientId: 'ck', clientSecret: 'cs', timeout })
    .fetchRequestToken(`${origin}/rt`)
    .catch((e: unknown) => e)
}

describe('the node transport keeps a connection alive', () => {
  it('sends one request after another on one connection', async () => {
    const p = await provider((socket) => socket.write(OK))
    for (let i = 0; i < 3; i++) {
      expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    }
    expect(p.connections).toHaveLength(1)
    expect(p.heads[0]).toMatch(/^POST \/rt HTTP\/1\.1\r\n/)
    expect(p.heads[0]).toMatch(/\r\nconnection: keep-alive(\r\n|$)/)
  })

  it('in pieces: an answer written a byte at a time, chunked with extensions and a trailer', async () => {
    const chunked =
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n' +
      `a;ext="x"\r\n${TOKEN_FORM.slice(0, 10)}\r\n` +
      `${(TOKEN_FORM.length - 10).toString(16).toUpperCase()}\r\n${TOKEN_FORM.slice(10)}\r\n` +
      '0\r\nx-trailer: 1\r\n\r\n'
    const p = await provider((socket) => {
      let i = 0
      const next = () => {
        if (i < chunked.length) socket.write(chunked[i++] as string, 'latin1', next)
      }
      next()
    })
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    expect(p.connections).toHaveLength(1)
  })

  it('reads an interim 100 Continue and 103 Early Hints, then the answer', async () => {
    const p = await provider((socket) =>
      socket.write(
        `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n${OK}`,
      ),
    )
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    expect(p.connections).toHaveLength(1)
  })

  it('does not keep the process alive while idle', async () => {
    const p = await provider((socket) => {
      // The provider's side of the connection must not hold the process either.
      socket.unref()
      socket.write(OK)
    })
    const sockets = () =>
      process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length
    // The earlier tests' connections, closed, are let go first.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    const before = sockets()
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    expect(p.connections).toHaveLength(1)
    expect(sockets()).toBe(before)
  })
})

describe('the node transport closes a connection idle too long', () => {
  it('closes it after the idle timeout, and sends the next request on a new one', async () => {
    const previousTimeout = setIdleTimeout(50)
    try {
      const p = await provider((socket) => socket.write(OK))
      expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
      const started = Date.now()
      await new Promise<void>((resolve) =>
        (p.connections[0] as Socket).once('close', () => resolve()),
      )
      // Closed by the client's sweep, not by the provider (which never closes).
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
      expect(p.connections).toHaveLength(2)
    } finally {
      setIdleTimeout(previousTimeout)
    }
  })
})

describe('the node transport opens a new connection when the last cannot carry another request', () => {
  const cases: Record<string, string> = {
    'Connection: close': OK.replace('\r\n\r\n', '\r\nconnection: close\r\n\r\n'),
    'HTTP/1.0 without keep-alive': OK.replace('HTTP/1.1', 'HTTP/1.0'),
    'HTTP/1.0 with keep-alive and close': OK.replace('HTTP/1.1', 'HTTP/1.0').replace(
      '\r\n\r\n',
      '\r\nconnection: keep-alive, close\r\n\r\n',
    ),
    'bytes after the answer': `${OK}HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n`,
    'a body running to the connection end': `HTTP/1.1 200 OK\r\n\r\n${TOKEN_FORM}`,
  }
  it.each(Object.keys(cases))('%s', async (name) => {
    const answer = cases[name] as string
    const closes = !name.startsWith('bytes') && !name.startsWith('HTTP/1.0 with')
    const p = await provider((socket) => {
      if (closes) socket.end(answer)
      else socket.write(answer)
    })
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    expect(p.connections).toHaveLength(2)
    // The first one is closed by the client when the provider left it open.
    await new Promise<void>((resolve) => {
      const first = p.connections[0] as Socket
      if (first.destroyed || first.readableEnded) resolve()
      else first.once('close', () => resolve())
    })
  })

  it('bytes on an idle connection: it is closed, the next request goes on a new one', async () => {
    const p = await provider((socket, n) => {
      socket.write(OK)
      // Sent after the answer, once the client is done with it.
      if (n === 0)
        setTimeout(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'), 50)
    })
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    await new Promise<void>((resolve) =>
      (p.connections[0] as Socket).once('close', () => resolve()),
    )
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    expect(p.connections).toHaveLength(2)
  })

  it('a connection the provider ended while idle is not used again', async () => {
    const p = await provider((socket, n) => {
      if (n === 0) socket.end(OK.replace('\r\n\r\n', '\r\nconnection: keep-alive\r\n\r\n'))
      else socket.write(OK)
    })
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    // Closed on both sides: the client has read the provider's end.
    await new Promise<void>((resolve) =>
      (p.connections[0] as Socket).once('close', () => resolve()),
    )
    expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    expect(p.connections).toHaveLength(2)
    // Sent once: not first on the ended connection, then again.
    expect(p.heads).toHaveLength(2)
  })
})

describe('an answer the node transport cannot read: fetch_token_denied, the connection dropped', () => {
  const cases: Record<string, string> = {
    'not HTTP': 'SSH-2.0-OpenSSH_9.6\r\n\r\n',
    'a bare LF in the head': 'HTTP/1.1 200 OK\ncontent-length: 0\r\n\r\n',
    'a folded header': 'HTTP/1.1 200 OK\r\nx-a: 1\r\n  2\r\ncontent-length: 0\r\n\r\n',
    'Transfer-Encoding and Content-Length':
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n0\r\n\r\n',
    'two Content-Length': 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd',
    'a head past 16 KiB': `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(17_000)}\r\n\r\n`,
    'a 101 Switching Protocols': 'HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\n\r\n',
  }
  it.each(Object.keys(cases))('%s', async (name) => {
    const p = await provider((socket) => socket.write(cases[name] as string, 'latin1'))
    const err = (await requestToken(p.origin)) as OAuthError
    expect(err).toMatchObject({ code: 'fetch_token_denied', status: 502 })
    expect(err.description).toBe(`Could not reach the temporary-credential endpoint ${p.origin}/rt`)
    expect((err.cause as Error).message).not.toBe('')
    // Not reused: the next request goes on a new connection.
    await requestToken(p.origin)
    expect(p.connections).toHaveLength(2)
  })

  // The head read, the body not: as over fetch, the endpoint "broke off its answer".
  const bodies: Record<string, string> = {
    'a body cut off mid-chunk':
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n40\r\noauth_token=t',
    'a malformed chunk size': 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
    'a chunk longer than its size':
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n',
    'a body shorter than its Content-Length':
      'HTTP/1.1 200 OK\r\ncontent-length: 90\r\n\r\noauth_token=t',
  }
  it.each(Object.keys(bodies))('%s → "broke off its answer"', async (name) => {
    const p = await provider((socket) => socket.end(bodies[name] as string))
    const err = (await requestToken(p.origin)) as OAuthError
    expect(err).toMatchObject({ code: 'fetch_token_denied', status: 502 })
    expect(err.description).toBe(
      `The temporary-credential endpoint ${p.origin}/rt broke off its answer`,
    )
  })

  it('an answer that stops mid-head → request_timeout at the deadline', async () => {
    const p = await provider((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-le'))
    expect(await requestToken(p.origin, 200)).toMatchObject({ code: 'request_timeout' })
  })
})

describe('a request that cannot be sent', () => {
  it.each<TokenTransportName>(['node', 'fetch'])(
    'over %s, to port 0: fetch_token_denied "Could not reach"',
    async (transport) => {
      setTokenTransport(transport)
      const err = (await requestToken('http://127.0.0.1:0')) as OAuthError
      expect(err).toMatchObject({ code: 'fetch_token_denied', status: 502 })
      expect(err.description).toBe(
        'Could not reach the temporary-credential endpoint http://127.0.0.1:0/rt',
      )
    },
  )
})

describe('headers that would change the framing or the connection: refused as fetch refuses them', () => {
  const refused: Record<string, string>[] = [
    { 'transfer-encoding': 'chunked' },
    { 'keep-alive': 'timeout=5' },
    { upgrade: 'h2c' },
    { expect: '100-continue' },
  ]
  it.each(refused)('%o', async (headers) => {
    const p = await provider((socket) => socket.write(OK))
    const outcomes: unknown[] = []
    for (const transport of ['node', 'fetch'] as const) {
      setTokenTransport(transport)
      const err = (await new OAuth1Client({ clientId: 'ck', clientSecret: 'cs', headers })
        .fetchRequestToken(`${p.origin}/rt`)
        .catch((e: unknown) => e)) as OAuthError
      outcomes.push({ code: err.code, description: err.description })
    }
    expect(outcomes[0]).toEqual({
      code: 'fetch_token_denied',
      description: `Could not reach the temporary-credential endpoint ${p.origin}/rt`,
    })
    expect(outcomes[1]).toEqual(outcomes[0])
    expect(p.heads).toHaveLength(0)
  })

  it('a connection header other than close or keep-alive is refused (as fetch on Node 20 and 22)', async () => {
    const p = await provider((socket) => socket.write(OK))
    const err = (await new OAuth1Client({ clientId: 'ck', headers: { connection: 'upgrade' } })
      .fetchRequestToken(`${p.origin}/rt`)
      .catch((e: unknown) => e)) as OAuthError
    expect(err).toMatchObject({ code: 'fetch_token_denied' })
    expect((err.cause as Error).message).toBe('invalid connection header')
    expect(p.heads).toHaveLength(0)
  })

  it('connection: close is sent, and the connection not kept', async () => {
    const p = await provider((socket) => socket.write(OK))
    const client = new OAuth1Client({
      clientId: 'ck',
      clientSecret: 'cs',
      headers: { connection: 'close' },
    })
    for (let i = 0; i < 2; i++) {
      expect(await client.fetchRequestToken(`${p.origin}/rt`)).toMatchObject({ oauth_token: 't' })
    }
    expect(p.heads[0]).toMatch(/\r\nconnection: close(\r\n|$)/)
    expect(p.connections).toHaveLength(2)
  })
})

describe('the node transport over TLS', () => {
  const tls = {
    key: readFileSync(new URL('../test/vectors/test-cert-key.pem', import.meta.url), 'utf8'),
    cert: readFileSync(new URL('../test/vectors/test-cert.pem', import.meta.url), 'utf8'),
  }

  it.each<TokenTransportName>(['node', 'fetch'])(
    'over %s, refuses a certificate no CA signed: fetch_token_denied, nothing sent',
    async (transport) => {
      setTokenTransport(transport)
      const p = await provider((socket) => socket.write(OK), tls)
      const err = (await requestToken(p.origin)) as OAuthError
      expect(err).toMatchObject({ code: 'fetch_token_denied' })
      expect(p.heads).toHaveLength(0)
    },
  )

  it('with verification off for the process (NODE_TLS_REJECT_UNAUTHORIZED=0), sends SNI and keeps the connection', async () => {
    const names: (string | false | null)[] = []
    const p = await provider((socket) => {
      names.push((socket as TLSSocket).servername)
      socket.write(OK)
    }, tls)
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED
    const warn = process.emitWarning
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
    process.emitWarning = () => {}
    try {
      const local = p.origin.replace('127.0.0.1', 'localhost')
      expect(await requestToken(local)).toMatchObject({ oauth_token: 't' })
      expect(await requestToken(local)).toMatchObject({ oauth_token: 't' })
      // An IP address is not sent as a server name.
      expect(await requestToken(p.origin)).toMatchObject({ oauth_token: 't' })
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved
      process.emitWarning = warn
    }
    expect(names).toEqual(['localhost', 'localhost', false])
    expect(p.connections).toHaveLength(2)
  })
})
