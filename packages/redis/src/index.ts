/**
 * @oauth1/redis: a {@link ServerSideStore} on Redis for the pending logins of
 * `@oauth1/express`, `@oauth1/fastify`, `@oauth1/koa` and `@oauth1/hono`, so
 * that an app running as several instances behind a load balancer completes
 * each login wherever its callback lands, exactly once.
 *
 * Each pending login is its own key, `<prefix><binding id>:<app name>:<oauth_token>`,
 * with the login's expiry as the key's TTL (`SET … PX`); the callback takes it
 * with `GETDEL`, atomically: of the same callback arriving at several instances
 * at once, one finds it. The session (or Hono's cookie) keeps only the
 * browser's unguessable binding id.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3 (temporary credentials are single use)
 * @packageDocumentation
 */
export {
  DEFAULT_PREFIX,
  DEFAULT_TIMEOUT,
  type IORedisClientLike,
  type NodeRedisClientLike,
  type RedisClientLike,
  type RedisStoreOptions,
  redisStore,
} from './store.js'
