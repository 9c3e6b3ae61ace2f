import { OAuthError } from '@oauth1/express'
import { DEFAULT_TIMEOUT } from '@oauth1/redis'
import { RedisStore } from 'connect-redis'
import type { SessionData } from 'express-session'

/** connect-redis's callback (what express-session passes). */
type Callback = NonNullable<Parameters<RedisStore['get']>[1]>

/**
 * connect-redis with a deadline on each call, as `@oauth1/redis` has on its
 * own: node-redis never gives up on a command it has sent, so a Redis that is
 * up but does not answer (frozen, overloaded, packets dropped) would hold
 * every request of a browser with a session forever. A call that takes longer
 * than `timeout` ms fails with `OAuthError('store_unavailable')`, which the
 * app answers 503 as it does for the pending logins.
 *
 * @example
 * ```ts
 * app.use(session({ secret, store: new BoundedRedisStore({ client: redis, prefix: 'sess:' }) }))
 * ```
 */
export class BoundedRedisStore extends RedisStore {
  readonly #timeout: number

  constructor(options: ConstructorParameters<typeof RedisStore>[0] & { timeout?: number }) {
    super(options)
    this.#timeout = options.timeout ?? DEFAULT_TIMEOUT
  }

  override get(sid: string, cb?: Callback): Promise<unknown> {
    return this.#bounded('GET', super.get(sid), cb)
  }

  override set(sid: string, session: SessionData, cb?: Callback): Promise<unknown> {
    return this.#bounded('SET', super.set(sid, session), cb)
  }

  override touch(sid: string, session: SessionData, cb?: Callback): Promise<unknown> {
    return this.#bounded('EXPIRE', super.touch(sid, session), cb)
  }

  override destroy(sid: string, cb?: Callback): Promise<unknown> {
    return this.#bounded('DEL', super.destroy(sid), cb)
  }

  /** `work` or, after the timeout, a `store_unavailable`; told to `cb` when given (express-session's way). */
  #bounded(command: string, work: Promise<unknown>, cb?: Callback): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined
    // An answer (or failure) arriving after the deadline must not be an unhandled rejection.
    work.catch(() => {})
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new OAuthError('store_unavailable', {
              description: `Redis did not answer the session's ${command} within ${this.#timeout} ms`,
            }),
          ),
        this.#timeout,
      )
    })
    const result = Promise.race([work, deadline]).finally(() => clearTimeout(timer))
    if (cb === undefined) return result
    return result.then(
      (data) => cb(null, data),
      (err: unknown) => cb(err),
    )
  }
}
