import { resolveRequestCallback } from '@oauth1/core'

/** The parts of a Koa context used to resolve a relative URL. */
export interface OriginSource {
  /** The Host (X-Forwarded-Host first when `app.proxy` is set). */
  readonly host: string
  /** `http` or `https` (X-Forwarded-Proto first when `app.proxy` is set). */
  readonly protocol: string
  throw(status: number, message: string): never
}

/**
 * Resolves a relative callback (`/authorize`, or `authorize`: the same)
 * against the origin the client used for this request, as Authlib's
 * `url_for(..., _external=True)` does, by the core's rule (`resolveRequestCallback`).
 * The origin is `ctx.protocol://ctx.host`, which honour `app.proxy`: behind
 * a proxy, set `app.proxy = true` so X-Forwarded-Proto/-Host are used, and
 * only then. (Not `ctx.origin`: Koa 3 made it the Origin request header.)
 * Absolute URLs and `oob` pass unchanged. A request whose Host cannot make a
 * URL gets a 400 (Koa `HttpError`), never a 500.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 */
export function resolveRedirectUri(ctx: OriginSource, uri: string): string {
  return resolveRequestCallback(
    uri,
    () => ctx,
    (problem) => ctx.throw(400, `@oauth1/koa: ${problem}`),
  )
}
