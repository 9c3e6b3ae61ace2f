/**
 * A minimal round-robin HTTP load balancer for the cluster tests: each request
 * goes to the next backend in turn. A backend that refuses the connection
 * (its process is dead) is skipped for the next one, as a load balancer with
 * health checks would; a backend that dies while answering gets the request a
 * 502 with `x-proxy-error: backend-died`. Every answer says which backend
 * served it (`x-backend`).
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Backend {
  host: string
  port: number
}

export interface RoundRobinProxy {
  url: string
  /** Requests sent to each backend (by index). */
  readonly served: number[]
  close(): Promise<void>
}

export async function startProxy(backends: readonly Backend[]): Promise<RoundRobinProxy> {
  // No keep-alive to the backends: a reused socket the backend has just
  // closed would reset a request it never saw, which could not be told from a
  // backend dying while it answers.
  const agents = backends.map(() => new Agent({ keepAlive: false, maxSockets: 512 }))
  const served = backends.map(() => 0)
  let next = 0

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    index: number,
    tries: number,
  ) => {
    const backend = backends[index]!
    served[index]!++
    const upstream = httpRequest(
      {
        host: backend.host,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' },
        agent: agents[index],
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, {
          ...answer.headers,
          'x-backend': String(index),
        })
        answer.pipe(res)
        answer.on('error', () => res.destroy())
      },
    )
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      // Refused: nothing reached the backend, so another may take it.
      if (err.code === 'ECONNREFUSED' && tries + 1 < backends.length) {
        forward(req, res, body, (index + 1) % backends.length, tries + 1)
        return
      }
      res.writeHead(502, {
        'content-type': 'text/plain',
        'x-backend': String(index),
        'x-proxy-error': err.code === 'ECONNREFUSED' ? 'all-backends-down' : 'backend-died',
      })
      res.end(`proxy: backend ${index} failed: ${err.code ?? err.message}`)
    })
    upstream.end(body)
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => forward(req, res, Buffer.concat(chunks), next++ % backends.length, 0))
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        for (const agent of agents) agent.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
