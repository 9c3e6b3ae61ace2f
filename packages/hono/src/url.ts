import { firstHeaderValue, requestOriginFrom } from '@oauth1/core'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'

/**
 * The origin the browser used for this request: the scheme and host of
 * `c.req.url`, or, with `trustProxy`, of the first `X-Forwarded-Proto` and
 * `X-Forwarded-Host` values set by the reverse proxy in front of the app
 * (each falls back to the request's own when absent).
 *
 * @throws HTTPException 400 when, with `trustProxy`, a forwarded value is
 *   there but makes no plain origin (a scheme other than http/https, a host
 *   with a path, credentials or spaces): as the other adapters answer a Host
 *   they cannot use. Falling back to the request's own origin instead would
 *   turn a TLS proxy's broken header into an http callback and a cookie
 *   without `Secure`.
 */
export function requestOrigin(c: Context, trustProxy: boolean): URL {
  const own = new URL(new URL(c.req.url).origin)
  if (!trustProxy) return own
  const proto = firstHeaderValue(c.req.header('x-forwarded-proto'))?.toLowerCase()
  if (proto !== undefined && proto !== 'https' && proto !== 'http') {
    throw badRequest(
      "the request's protocol (X-Forwarded-Proto behind a trusted proxy) should be http or https",
    )
  }
  const scheme = proto ?? own.protocol.slice(0, -1)
  const host = firstHeaderValue(c.req.header('x-forwarded-host'))
  const origin = requestOriginFrom(scheme, host ?? own.host)
  if (origin === undefined) {
    throw badRequest(
      "the request's host (X-Forwarded-Host behind a trusted proxy) is not a valid host[:port]",
    )
  }
  return new URL(origin)
}

function badRequest(problem: string): HTTPException {
  return new HTTPException(400, { message: `@oauth1/hono: cannot tell the origin: ${problem}` })
}
