/**
 * The one error class of @oauth1. Every failure of the OAuth flow or of a
 * provider ends in an `OAuthError` with a `code` from {@link OAuthErrorCode};
 * bad arguments throw a `TypeError` naming the option instead.
 *
 * `status` is the HTTP status *your app* should answer its own user with
 * (not the provider's status, which is in `response.status`). It is mirrored
 * as `statusCode` with `expose: true`, so Express, Fastify and Koa's default
 * error handlers answer it as a 4xx/5xx of the right kind instead of a 500.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.2
 */

/** The closed set of error codes. */
export const OAuthErrorCodes = [
  'missing_token',
  'missing_verifier',
  'missing_temporary_credential',
  'access_denied',
  'callback_not_confirmed',
  'fetch_token_denied',
  'invalid_token_response',
  'request_timeout',
  'request_failed',
  'store_unavailable',
  'insecure_transport',
] as const

/** One of {@link OAuthErrorCodes}: what went wrong, as `OAuthError#code` holds it. */
export type OAuthErrorCode = (typeof OAuthErrorCodes)[number]

/** The HTTP status an app should answer with, per code. */
export const defaultStatus: Readonly<Record<OAuthErrorCode, number>> = {
  missing_token: 401,
  missing_verifier: 400,
  missing_temporary_credential: 400,
  access_denied: 403,
  callback_not_confirmed: 502,
  fetch_token_denied: 502,
  invalid_token_response: 502,
  request_timeout: 504,
  request_failed: 502,
  store_unavailable: 503,
  insecure_transport: 500,
}

/** What the provider answered, kept small enough to log. */
export interface ProviderResponse {
  status: number
  headers: Record<string, string>
  /** At most {@link MAX_ERROR_BODY} characters of the body. */
  body: string
}

/** The largest excerpt of a provider's body kept on an error. */
export const MAX_ERROR_BODY = 2048

/** The second argument of `new OAuthError(code, options)`; every field is optional. */
export interface OAuthErrorOptions {
  /** A sentence for the user; default: the code with spaces. Never put a secret in it. */
  description?: string | undefined
  /** The status the app should answer; default: the code's ({@link defaultStatus}). */
  status?: number | undefined
  /** The provider's `oauth_problem`, as sent. */
  oauthProblem?: string | undefined
  /** `oauth_problem_advice`: the provider's free text about the problem, for the user. */
  oauthProblemAdvice?: string | undefined
  /** What the provider answered, bounded ({@link MAX_ERROR_BODY}). */
  response?: ProviderResponse | undefined
  /** The underlying error (fetch's, a store's, an abort). */
  cause?: unknown
}

/**
 * @example
 * ```ts
 * try {
 *   await oauth.twitter.authorizeAccessToken(req)
 * } catch (err) {
 *   if (err instanceof OAuthError && err.code === 'access_denied') return res.redirect('/')
 *   throw err
 * }
 * ```
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode
  readonly description: string
  readonly status: number
  readonly oauthProblem: string | undefined
  /**
   * The provider's `oauth_problem_advice`, as sent. On a callback it comes
   * from a URL anyone can forge: log it, or show it as the provider's words.
   */
  readonly oauthProblemAdvice: string | undefined
  readonly response: ProviderResponse | undefined

  constructor(code: OAuthErrorCode, options: OAuthErrorOptions = {}) {
    const description = options.description ?? code.replace(/_/g, ' ')
    super(`${code}: ${description}`, options.cause === undefined ? {} : { cause: options.cause })
    this.name = 'OAuthError'
    this.code = code
    this.description = description
    this.status = options.status ?? defaultStatus[code]
    this.oauthProblem = options.oauthProblem
    this.oauthProblemAdvice = options.oauthProblemAdvice
    this.response = options.response
  }

  /** Same as `status`, for Express, Fastify and Koa's error handlers. */
  get statusCode(): number {
    return this.status
  }

  /** Tells Koa (and http-errors users) that the message is safe to show. */
  get expose(): boolean {
    return this.status < 500
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      description: this.description,
      status: this.status,
      ...(this.oauthProblem === undefined ? {} : { oauthProblem: this.oauthProblem }),
      ...(this.oauthProblemAdvice === undefined
        ? {}
        : { oauthProblemAdvice: this.oauthProblemAdvice }),
      ...(this.response === undefined ? {} : { response: this.response }),
    }
  }
}

/** True when `value` is an {@link OAuthError}, across copies of the package too. */
export function isOAuthError(value: unknown): value is OAuthError {
  return (
    value instanceof OAuthError ||
    (value instanceof Error &&
      value.name === 'OAuthError' &&
      typeof (value as { code?: unknown }).code === 'string')
  )
}

/**
 * `err` (a store's or session store's failure, about to become an error's
 * `cause`) with the values of the Redis command it failed on blanked.
 * ioredis puts the failed command on its reply errors (`err.command.args`,
 * also on a cluster's `lastNodeError`), and a SET's value is what was being
 * stored: a pending login or a whole session, token secret and all. The key
 * (the first argument) is kept for debugging. The error is edited in place;
 * one whose command cannot be edited is dropped (`undefined`).
 *
 * @example
 * ```ts
 * throw new OAuthError('store_unavailable', { cause: redactCommandArguments(err) })
 * ```
 */
export function redactCommandArguments(err: unknown): unknown {
  const cluster = (err as { lastNodeError?: unknown } | null | undefined)?.lastNodeError
  for (const holder of [err, cluster]) {
    const command = (holder as { command?: { args?: unknown } } | null | undefined)?.command
    if (typeof command === 'object' && command !== null && Array.isArray(command.args)) {
      try {
        command.args = command.args.map((arg, i) => (i === 0 ? arg : '[redacted]'))
      } catch {
        return undefined
      }
    }
    // Redis quotes a refused command's first arguments in its own message (and
    // so in the stack, which util.inspect prints): "…, with args beginning
    // with: 'key' '{"oauth_token_secret":…'".
    const quoted = holder as { message?: unknown; stack?: unknown } | null | undefined
    if (typeof quoted?.message === 'string' && REDIS_QUOTED_ARGS.test(quoted.message)) {
      const original = quoted.message
      const redacted = original.replace(REDIS_QUOTED_ARGS, ' (its arguments left out)')
      try {
        quoted.message = redacted
        const stack = quoted.stack
        if (typeof stack === 'string') {
          const edited = stack.replace(original, redacted)
          quoted.stack = edited
          // A stack that quotes the message another way: the error is dropped rather than kept.
          if (/with args beginning with:/.test(edited)) return undefined
        }
      } catch {
        return undefined
      }
    }
  }
  return err
}

/** The tail of a Redis error message that quotes the command's arguments. */
const REDIS_QUOTED_ARGS = /,? with args beginning with:[\s\S]*$/
