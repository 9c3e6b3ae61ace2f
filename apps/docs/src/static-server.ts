/**
 * Serves a built site (VitePress's `.vitepress/dist`) on 127.0.0.1 and a free
 * port, as a static host would: `/x/` → `x/index.html`, `/x` → `x.html`,
 * anything else → `404.html` with status 404.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
}

/** The built file a URL path is served from, or `undefined` (a 404). */
export function fileFor(root: string, pathname: string): string | undefined {
  let path: string
  try {
    path = decodeURIComponent(pathname)
  } catch {
    return undefined
  }
  const candidate = normalize(join(root, path))
  if (candidate !== root && !candidate.startsWith(root.endsWith(sep) ? root : root + sep)) {
    return undefined
  }
  const options = path.endsWith('/')
    ? [join(candidate, 'index.html')]
    : [candidate, `${candidate}.html`, join(candidate, 'index.html')]
  return options.find((file) => existsSync(file) && statSync(file).isFile())
}

export interface StaticServer {
  url: string
  close(): Promise<void>
}

export async function serveStatic(root: string): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    const file = fileFor(root, pathname)
    const status = file ? 200 : 404
    const body = file ? readFileSync(file) : readFileSync(join(root, '404.html'))
    res.writeHead(status, {
      'content-type': TYPES[extname(file ?? '.html')] ?? 'application/octet-stream',
      'content-length': body.length,
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
