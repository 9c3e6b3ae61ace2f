import { resolveCallbackUri } from '@oauth1/core'
import type { Request } from 'express'

/** `host[:port]`, a bracketed IPv6 literal, nothing else (no userinfo, path or spaces). */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/

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

function firstValue(value: string): string {
  const comma = value.indexOf(',')
  return (comma === -1 ? value : value.slice(0, comma)).trim()
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
  let protocol = encrypted ? 'https' : 'http'
  const forwardedProto = trust ? req.get('X-Forwarded-Proto') : undefined
  if (forwardedProto) protocol = firstValue(forwardedProto).toLowerCase()
  if (protocol !== 'http' && protocol !== 'https') {
    throw new BadRequestError('@oauth1/express: X-Forwarded-Proto should be http or https')
  }
  const forwardedHost = trust ? req.get('X-Forwarded-Host') : undefined
  const host = forwardedHost ? firstValue(forwardedHost) : req.get('Host')
  if (!host || !HOST.test(host)) {
    throw new BadRequestError(
      '@oauth1/express: cannot resolve a relative redirectUri: the request has no valid Host header',
    )
  }
  return `${protocol}://${host}`
}

/**
 * Resolves a relative callback (`/authorize`) against the current request's
 * origin and path, like Flask's `url_for(..., _external=True)`. Absolute URLs
 * and `oob` are kept as they are; `undefined` stays undefined.
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
  return resolveCallbackUri(
    redirectUri,
    () => new URL(pathOf(req.originalUrl ?? req.url ?? '/'), `${requestOrigin(req)}/`),
  )
}

function pathOf(target: string): string {
  const end = target.search(/[?#]/)
  const path = end === -1 ? target : target.slice(0, end)
  // an absolute-form or authority-like target must not change the origin
  return path.startsWith('/') && !path.startsWith('//') ? path : '/'
}

/**
 * The raw query string of the request, as the client sent it. `req.query` is
 * not used: Express may parse it with `qs` (nested objects, arrays, a
 * parameter limit), which would hide a duplicated `oauth_token`.
 */
export function rawQuery(req: Request): string {
  const target = req.originalUrl ?? req.url ?? ''
  const start = target.indexOf('?')
  if (start === -1) return ''
  const end = target.indexOf('#', start)
  return end === -1 ? target.slice(start + 1) : target.slice(start + 1, end)
}
