import { requestTargetQuery, resolveRequestCallback } from '@oauth1/core'
import type { FastifyRequest } from 'fastify'

/**
 * A client error (HTTP 400) that Fastify's default error handler answers as
 * such: for requests whose own URL cannot be known (no or malformed `Host`),
 * so a relative `redirectUri` cannot be resolved.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.2 (Host)
 * @example
 * ```ts
 * app.setErrorHandler((error, request, reply) => {
 *   if (error instanceof BadRequestError) return reply.code(400).send('Bad Host header')
 *   reply.send(error)
 * })
 * ```
 */
export class BadRequestError extends Error {
  readonly statusCode = 400
  readonly expose = true
  readonly code = 'FST_OAUTH1_BAD_REQUEST'
  constructor(message: string) {
    super(message)
    this.name = 'BadRequestError'
  }
}

/**
 * Resolves a callback URL against the current request's origin, as Authlib's
 * `url_for(..., _external=True)` does: `/authorize` (or `authorize`) becomes
 * `https://app.example/authorize`, by the core's rule (`resolveRequestCallback`).
 * The origin is `request.protocol` and `request.host`, which honour Fastify's
 * `trustProxy` setting (`X-Forwarded-Proto`, `X-Forwarded-Host`). An absolute
 * URL and `oob` are returned as they are; a request whose origin cannot be
 * known gets a {@link BadRequestError}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 */
export function resolveRedirectUri(request: FastifyRequest, redirectUri: string): string {
  // oob and absolute URLs pass; `//other.example/cb` is refused (it would leave this origin)
  return resolveRequestCallback(
    redirectUri,
    () => ({ protocol: request.protocol, host: request.host }),
    (problem) => {
      throw new BadRequestError(`@oauth1/fastify: ${problem}`)
    },
  )
}

/** The raw query string of the request, undecoded, as the provider sent it. */
export function rawQuery(request: FastifyRequest): string {
  return requestTargetQuery(request.url)
}
