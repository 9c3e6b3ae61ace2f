import { firstHeaderValue, requestOriginFrom } from '@oauth1/core'
import type { Context } from 'hono'

/**
 * The origin the browser used for this request: the scheme and host of
 * `c.req.url`, or, with `trustProxy`, of the first `X-Forwarded-Proto` and
 * `X-Forwarded-Host` values set by the reverse proxy in front of the app.
 * Forwarded values that do not make a plain origin are ignored.
 */
export function requestOrigin(c: Context, trustProxy: boolean): URL {
  const own = new URL(new URL(c.req.url).origin)
  if (!trustProxy) return own
  const proto = firstHeaderValue(c.req.header('x-forwarded-proto'))?.toLowerCase()
  const scheme = proto === 'https' || proto === 'http' ? proto : own.protocol.slice(0, -1)
  const host = firstHeaderValue(c.req.header('x-forwarded-host'))
  const origin =
    (host === undefined ? undefined : requestOriginFrom(scheme, host)) ??
    requestOriginFrom(scheme, own.host)
  return origin === undefined ? own : new URL(origin)
}
