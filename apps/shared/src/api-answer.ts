/**
 * Reading an API answer's body within a deadline. The registered app's
 * `timeout` bounds the wait for the answer's head only (the core README): a
 * body that drips, or never ends, would hold the page for ever, and one that
 * breaks off would reach the error handler as a bug.
 */
import { OAuthError } from '@oauth1/core'

/** What the pages show of an answer at most; the rest is not read. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/**
 * A signal for one API call and the reading of its answer, ending after
 * `timeout` ms (the registered app's `app.timeout`); none for no limit.
 *
 * @example
 * ```ts
 * const signal = answerDeadline(provider.timeout)
 * const response = await provider.get(url, { signal })
 * const body = await readAnswerText(response, signal)
 * ```
 */
export function answerDeadline(timeout: number): AbortSignal | undefined {
  return timeout > 0 && Number.isFinite(timeout) ? AbortSignal.timeout(timeout) : undefined
}

/**
 * The answer's body as UTF-8 text, at most {@link MAX_ANSWER_BYTES} of it.
 * When `signal` ends first, `OAuthError` `request_timeout` (504); when the
 * body breaks off, `request_failed` (502) — as the answer's head would have
 * failed.
 *
 * @example
 * ```ts
 * apiCallPage(ctx, { method: 'GET', url, status: response.status, body: await readAnswerText(response, signal) })
 * ```
 */
export async function readAnswerText(
  response: Response,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } catch (cause) {
    throw signal?.aborted
      ? new OAuthError('request_timeout', {
          cause,
          description: 'the provider did not finish its answer in time',
        })
      : new OAuthError('request_failed', { cause, description: 'the provider’s answer broke off' })
  } finally {
    // More than the page shows, or a failure: the rest is not wanted.
    reader.cancel().catch(() => {})
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return new TextDecoder().decode(bytes.subarray(0, MAX_ANSWER_BYTES))
}
