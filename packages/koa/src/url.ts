import { resolveCallbackUri } from '@oauth1/core'
/** The parts of a Koa context used to resolve a relative URL. */
export interface OriginSource {
  /** The Host (X-Forwarded-Host first when `app.proxy` is set). */
  readonly host: string
  /** `http` or `https` (X-Forwarded-Proto first when `app.proxy` is set). */
  readonly protocol: string
  throw(status: number, message: string): never
}

// host (labels of letters, digits, `-` and `_`, as Docker service names have) or
// [IPv6], optional port: no userinfo, path or anything a URL parser would reinterpret
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[\w-]+(?:\.[\w-]+)*\.?)(?::\d{1,5})?$/

/**
 * Resolves a relative callback (`/authorize`) against the origin the client
 * used for this request, as Authlib's `url_for(..., _external=True)` does.
 * The origin is `ctx.protocol://ctx.host`, which honour `app.proxy`: behind
 * a proxy, set `app.proxy = true` so X-Forwarded-Proto/-Host are used, and
 * only then. (Not `ctx.origin`: Koa 3 made it the Origin request header.)
 * Absolute URLs and `oob` pass unchanged. A request whose Host cannot make a
 * URL gets a 400 (Koa `HttpError`), never a 500.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 */
export function resolveRedirectUri(ctx: OriginSource, uri: string): string {
  return resolveCallbackUri(uri, () => requestOrigin(ctx))
}

function requestOrigin(ctx: OriginSource): string {
  const protocol = ctx.protocol.toLowerCase()
  if (protocol !== 'http' && protocol !== 'https') {
    ctx.throw(400, 'Cannot build the OAuth callback URL: the request has no valid protocol')
  }
  if (!HOST.test(ctx.host)) {
    ctx.throw(400, 'Cannot build the OAuth callback URL: the request has no valid Host header')
  }
  try {
    return new URL(`${protocol}://${ctx.host}`).href
  } catch {
    ctx.throw(400, 'Cannot build the OAuth callback URL from this request')
  }
}
