import {
  firstHeaderValue,
  type RequestProtocolAndHost,
  requestTargetQuery,
  resolveRequestCallback,
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
 * The protocol and Host the browser used to reach this app, as Express 5's
 * `req.protocol` and `req.host` compute them: `X-Forwarded-Proto` and
 * `X-Forwarded-Host` only when the app's `trust proxy` setting trusts the
 * peer. Written out here so Express 4, whose `req.host` drops the port, gives
 * the same answer.
 */
function protocolAndHost(req: Request): RequestProtocolAndHost {
  const trust = trusted(req)
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  const protocol =
    (trust ? firstHeaderValue(req.get('X-Forwarded-Proto')) : undefined) ??
    (encrypted ? 'https' : 'http')
  const host =
    (trust ? firstHeaderValue(req.get('X-Forwarded-Host')) : undefined) ?? req.get('Host')
  return { protocol, host: host ?? '' }
}

function badRequest(problem: string): never {
  throw new BadRequestError(`@oauth1/express: ${problem}`)
}

/**
 * Resolves a relative callback (`/authorize`, or `authorize`: the same)
 * against the current request's origin, like Flask's
 * `url_for(..., _external=True)`, by the core's rule (`resolveRequestCallback`).
 * Absolute URLs and `oob` are kept as they are; `undefined` stays undefined.
 */
export function resolveRedirectUri(
  req: Request,
  redirectUri: string | undefined,
): string | undefined {
  if (redirectUri === undefined) return undefined
  return resolveRequestCallback(redirectUri, () => protocolAndHost(req), badRequest)
}

/**
 * The raw query string of the request, as the client sent it. `req.query` is
 * not used: Express may parse it with `qs` (nested objects, arrays, a
 * parameter limit), which would hide a duplicated `oauth_token`.
 */
export function rawQuery(req: Request): string {
  return requestTargetQuery(req.originalUrl ?? req.url ?? '')
}
