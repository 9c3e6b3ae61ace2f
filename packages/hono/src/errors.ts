import { isOAuthError, type OAuthError } from '@oauth1/core'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/**
 * The response an app answers its own user with for an {@link OAuthError}:
 * `err.status`, and a JSON body `{ error, error_description }`. The
 * description is shown only for 4xx errors (`expose`), which are about the
 * user's own callback; a 5xx answers the code and the status text. Neither
 * ever holds a secret: `OAuthError` descriptions carry none.
 *
 * Use it in your own `app.onError` if you have one; Hono's default error
 * handler already answers it for errors thrown by this package's methods.
 *
 * @example
 * ```ts
 * app.onError((err, c) => {
 *   if (isOAuthError(err) && err.code === 'access_denied') return c.redirect('/?denied')
 *   if (isOAuthError(err)) return oauthErrorResponse(err)
 *   return c.text('Internal Server Error', 500)
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.2
 */
export function oauthErrorResponse(err: OAuthError): Response {
  const status =
    Number.isInteger(err.status) && err.status >= 400 && err.status <= 599 ? err.status : 500
  const body = {
    error: err.code,
    error_description: status < 500 ? err.description : (REASONS[status] ?? 'Server Error'),
  }
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
  })
}

/**
 * Gives an `OAuthError` the `getResponse()` method Hono's default error
 * handler looks for (the one `HTTPException` has), so the error reaches the
 * client as its own status instead of a 500, while staying the same
 * `OAuthError` object for a custom `app.onError`. Anything else is returned
 * untouched.
 */
export function toHonoError(err: unknown): unknown {
  if (isOAuthError(err) && !Object.hasOwn(err, 'getResponse')) {
    Object.defineProperty(err, 'getResponse', {
      value: () => oauthErrorResponse(err),
      enumerable: false,
      configurable: true,
      writable: true,
    })
  }
  return err
}
