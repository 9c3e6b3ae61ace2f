import type { Context } from 'hono'

/**
 * True for the hosts a browser treats as a secure context even over plain
 * http: `localhost`, `*.localhost`, `127.0.0.0/8` and `::1`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6761#section-6.3
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '')
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (host === '[::1]' || host === '::1') return true
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  if (v4 === null) return false
  return v4.slice(1).every((part) => Number(part) <= 255)
}

function firstValue(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const value = header.split(',')[0]?.trim()
  return value === undefined || value === '' ? undefined : value
}

/**
 * The origin the browser used for this request: the scheme and host of
 * `c.req.url`, or, with `trustProxy`, of the first `X-Forwarded-Proto` and
 * `X-Forwarded-Host` values set by the reverse proxy in front of the app.
 * Forwarded values that do not make a plain origin are ignored.
 */
export function requestOrigin(c: Context, trustProxy: boolean): URL {
  const own = new URL(c.req.url)
  const origin = new URL(own.origin)
  if (!trustProxy) return origin
  const proto = firstValue(c.req.header('x-forwarded-proto'))?.toLowerCase()
  const host = firstValue(c.req.header('x-forwarded-host'))
  const scheme = proto === 'https' || proto === 'http' ? proto : origin.protocol.slice(0, -1)
  const authority = host !== undefined && !/[\s/\\?#@]/.test(host) ? host : origin.host
  try {
    const forwarded = new URL(`${scheme}://${authority}`)
    if (forwarded.pathname === '/' && forwarded.username === '') return forwarded
  } catch {
    // A malformed forwarded host: keep the request's own origin.
  }
  return new URL(`${scheme}://${origin.host}`)
}
