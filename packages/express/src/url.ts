import {
  firstHeaderValue,
  requestOriginFrom,
  requestTargetQuery,
  resolveCallbackUri,
} from '@oauth1/core'
import type { Request } from 'express'

/** An HTTP error that Express's default handler answers with its status (not 500). */
export class BadRequestError extends Error {
  readonly status = 400
  readonly statusCode = 400
  readonly expose = true
  constructor(message: string) {
    super(message)
    this.name = 'BadRequestError'
  }
}

type TrustFn = (address: string | undefined, hop: number) => boolean

function trusted(req: Request): boolean {
  const trust = req.app?.get?.('trust proxy fn') as TrustFn | undefined
  return typeof trust === 'function' && trust(req.socket?.remoteAddress, 0)
}

/**
 * The origin the browser used to reach this app (`https://app.example:8443`),
 * as Express 5's `req.protocol` and `req.host` compute it: `X-Forwarded-Proto`
 * and `X-Forwarded-Host` only when the app's `trust proxy` setting trusts the
 * peer. Written out here so Express 4, whose `req.host` drops the port, gives
 * the same answer.
 */
export function requestOrigin(req: Request): string {
  const trust = trusted(req)
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  const protocol =
    (trust ? firstHeaderValue(req.get('X-Forwarded-Proto')) : undefined) ??
    (encrypted ? 'https' : 'http')
  if (!/^https?$/i.test(protocol)) {
    throw new BadRequestError('@oauth1/express: X-Forwarded-Proto should be http or https')
  }
  const host =
    (trust ? firstHeaderValue(req.get('X-Forwarded-Host')) : undefined) ?? req.get('Host')
  const origin = requestOriginFrom(protocol, host ?? '')
  if (origin === undefined) {
    throw new BadRequestError(
      '@oauth1/express: cannot resolve a relative redirectUri: the request has no valid Host header',
    )
  }
  return origin
}

/**
 * Resolves a relative callback (`/authorize`, or `authorize`: the same)
 * against the current request's origin, like Flask's
 * `url_for(..., _external=True)`, by the core's rule (`resolveCallbackUri`).
 * Absolute URLs and `oob` are kept as they are; `undefined` stays undefined.
 */
export function resolveRedirectUri(
  req: Request,
  redirectUri: string | undefined,
): string | undefined {
  if (redirectUri === undefined || redirectUri === 'oob') return redirectUri
  if (typeof redirectUri !== 'string' || redirectUri === '') {
    throw new TypeError(
      'redirectUri must be a non-empty string: an absolute URL, a path such as "/authorize", or "oob"',
    )
  }
  return resolveCallbackUri(redirectUri, () => requestOrigin(req))
}

/**
 * The raw query string of the request, as the client sent it. `req.query` is
 * not used: Express may parse it with `qs` (nested objects, arrays, a
 * parameter limit), which would hide a duplicated `oauth_token`.
 */
export function rawQuery(req: Request): string {
  return requestTargetQuery(req.originalUrl ?? req.url ?? '')
}
