import { firstHeaderValue, requestOriginFrom, requestTargetQuery } from '@oauth1/core'
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
  const own = ownOrigin(c)
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

/**
 * The origin of `c.req.url` itself. Node's server refuses a request whose
 * Host makes no URL; Bun, Deno and workerd pass it on (`Host: a b`,
 * `127.0.0.1:99999`), and their `c.req.url` then does not parse: a 400, as
 * Node gives, not a `TypeError` Hono would answer 500. A host name longer
 * than DNS allows is refused too: it would only make the login's cookie
 * overflow.
 */
function ownOrigin(c: Context): URL {
  // Only the scheme and host are parsed: an older runtime's URL parser
  // (workerd before its 2022-10-31 compatibility date) throws on a malformed
  // `%` escape in the query, which is the callback's to refuse.
  const raw = c.req.url
  const pathStart = raw.indexOf('/', raw.indexOf('//') + 2)
  let url: URL | undefined
  try {
    url = new URL(pathStart === -1 ? raw : raw.slice(0, pathStart))
  } catch {
    url = undefined
  }
  const origin = url === undefined ? undefined : requestOriginFrom(url.protocol, url.host)
  if (origin === undefined) {
    throw badRequest(
      "the request's URL (its Host header) is not an http(s) origin with a valid host[:port]",
    )
  }
  return new URL(origin)
}

/**
 * The query of the request as the client sent it (`?` and all, `''` when
 * none), read from `c.req.url` without parsing it as a URL: an older
 * runtime's URL parser (workerd before its 2022-10-31 compatibility date)
 * throws on a malformed `%` escape that the callback's checks answer 400.
 */
export function requestSearch(c: Context): string {
  const query = requestTargetQuery(c.req.url)
  return query === '' ? '' : `?${query}`
}

function badRequest(problem: string): HTTPException {
  return new HTTPException(400, { message: `@oauth1/hono: cannot tell the origin: ${problem}` })
}
