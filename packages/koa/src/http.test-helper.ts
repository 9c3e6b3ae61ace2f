/**
 * Test helpers (not part of the package: `tsup` builds only `index.ts`).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type Koa from 'koa'

/** A Koa app listening on 127.0.0.1 on a free port. */
export interface Listening {
  server: Server
  url: string
  close(): Promise<void>
}

export async function listen(app: Koa): Promise<Listening> {
  const server = createServer(app.callback())
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}

/** One Set-Cookie value, raw and in every decoding a session library might use. */
export interface DecodedCookie {
  name: string
  value: string
  /** The value, URL-decoded, and base64 (and base64url) decoded to text. */
  readings: string[]
}

function base64Readings(value: string): string[] {
  const out: string[] = []
  for (const encoding of ['base64', 'base64url'] as const) {
    try {
      out.push(Buffer.from(value, encoding).toString('utf8'))
    } catch {
      // not that encoding
    }
  }
  return out
}

/** Decodes every Set-Cookie header of a response. */
export function decodeSetCookies(setCookie: string | string[] | undefined): DecodedCookie[] {
  const headers = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]
  return headers.map((header) => {
    const pair = header.split(';', 1)[0] ?? ''
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq)
    const value = pair.slice(eq + 1)
    let unescaped = value
    try {
      unescaped = decodeURIComponent(value)
    } catch {
      // keep it raw
    }
    const readings = [value, unescaped, ...base64Readings(unescaped)]
    // koa-session: base64 of JSON; decode nested JSON strings too
    for (const text of [...readings]) {
      try {
        readings.push(JSON.stringify(JSON.parse(text)))
      } catch {
        // not JSON
      }
    }
    return { name, value, readings }
  })
}

/** The parsed JSON of koa-session's cookie (`koa.sess`), or undefined. */
export function sessionCookieJson(setCookie: string | string[] | undefined): unknown {
  const cookie = decodeSetCookies(setCookie).find((c) => c.name === 'koa.sess')
  if (cookie === undefined || cookie.value === '') return undefined
  return JSON.parse(Buffer.from(decodeURIComponent(cookie.value), 'base64').toString('utf8'))
}
