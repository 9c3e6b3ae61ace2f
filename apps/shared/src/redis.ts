import { createClient } from 'redis'

/** Attempts to reach Redis at start-up before the app gives up (about 1.5 s in all). */
const START_ATTEMPTS = 5

/** `everConnected` tells start-up (give up soon, so the app does not hang) from an outage (retry forever). */
function createAppClient(url: string, everConnected: () => boolean) {
  return createClient({
    url,
    // While Redis is away, fail each command at once (the login answers 503
    // store_unavailable) instead of queueing it until Redis is back.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      // Try again every 50 ms, backing off to 1 s: a restarted Redis is used at once.
      // At start-up, a few tries only: connect() then rejects instead of waiting forever.
      reconnectStrategy: (retries: number, cause: Error) =>
        !everConnected() && retries >= START_ATTEMPTS
          ? cause
          : Math.min(50 * 2 ** Math.min(retries, 5), 1_000),
    },
  })
}

/** The node-redis client the example apps share between `@oauth1/redis` and their sessions. */
export type AppRedis = ReturnType<typeof createAppClient>

/**
 * Connects to `url` (`REDIS_URL`): the client keeps reconnecting when Redis
 * goes away (while it is away, the login routes answer 503 `store_unavailable`),
 * and logs once each time the connection is lost and back. Rejects, with the
 * URL's host in the message, when Redis cannot be reached at start-up.
 *
 * @example
 * ```ts
 * const redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined
 * app.use(oauth.middleware(redis ? { store: redisStore(redis.client) } : {}))
 * ```
 */
export async function connectRedis(url: string): Promise<{
  client: AppRedis
  close(): void
}> {
  let connected = false
  let everConnected = false
  const client = createAppClient(url, () => everConnected)
  client.on('ready', () => {
    if (!connected) console.log('Redis connected')
    connected = true
    everConnected = true
  })
  client.on('error', (err: Error) => {
    // node-redis emits an error per failed reconnection: say it once per outage.
    if (!connected) return
    connected = false
    console.error(`Redis connection lost (${err.message}); reconnecting…`)
  })
  try {
    await client.connect()
  } catch (err) {
    client.destroy()
    const host = new URL(url).host
    throw new Error(`Cannot connect to Redis at ${host}: ${(err as Error).message}`)
  }
  return {
    client,
    close: () => {
      if (client.isOpen) client.destroy()
    },
  }
}

/** `db` and the Redis connection, closed together (what `start(config)` hands `serve`). */
export function withRedis(
  db: { close(): void },
  redis: { close(): void } | undefined,
): { close(): void } {
  return {
    close() {
      try {
        redis?.close()
      } finally {
        db.close()
      }
    },
  }
}

/** The errors node-redis fails a command with while Redis cannot be reached. */
const UNAVAILABLE = new Set([
  'ClientOfflineError',
  'ClientClosedError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'SocketTimeoutError',
  'ReconnectStrategyError',
])

/**
 * True when `err` is node-redis saying Redis cannot be reached right now:
 * what an app keeping its sessions in Redis (Express here) answers 503 for,
 * as `@oauth1/redis` does for the pending logins.
 */
export function isRedisUnavailable(err: unknown): boolean {
  return err instanceof Error && UNAVAILABLE.has(err.constructor.name)
}
