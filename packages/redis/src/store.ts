/**
 * `redisStore`: the pending logins on Redis, one key per login, taken with
 * `GETDEL` (the package's overview is in index.ts).
 */
import {
  checkKnownOptions,
  createSealer,
  isBindingId,
  isOAuthError,
  OAuthError,
  redactCommandArguments,
  type Sealer,
  type SealerSecret,
  type ServerSideStore,
  type StoredTemporaryCredential,
  type TemporaryCredentialStore,
  toStoredCredential,
} from '@oauth1/core'

/**
 * The methods of a node-redis client the store calls: what `createClient()`
 * and `createCluster()` of the `redis` package (4, 5 or 6) return, connected.
 */
export interface NodeRedisClientLike {
  get(key: string): Promise<unknown>
  getDel(key: string): Promise<unknown>
  set(
    key: string,
    value: string,
    options: { PX: number; expiration: { type: 'PX'; value: number } },
  ): Promise<unknown>
  del(key: string): Promise<unknown>
}

/** The methods of an ioredis client (`new Redis()` or `new Cluster()`, ioredis 5 or 6) the store calls. */
export interface IORedisClientLike {
  get(key: string): Promise<unknown>
  getdel(key: string): Promise<unknown>
  set(key: string, value: string, mode: 'PX', milliseconds: number): Promise<unknown>
  del(key: string): Promise<unknown>
}

/** A Redis client: node-redis's or ioredis's, told apart by `getDel` / `getdel`. */
export type RedisClientLike = NodeRedisClientLike | IORedisClientLike

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Put before every key, to share a Redis database with other data. Default `'oauth1:'`. */
  prefix?: string
  /**
   * Seal each entry (AES-256-GCM, key derived with HKDF-SHA256, the entry's
   * key as associated data) so no token secret sits in plaintext in Redis
   * (its memory, RDB/AOF files, replicas, `MONITOR`). At least 32
   * characters or bytes; a list rotates keys (the first seals, any opens).
   * Left out, entries are plain JSON; given as `undefined` (an unset
   * environment variable), `redisStore` throws a `TypeError`.
   */
  secret?: SealerSecret | readonly SealerSecret[]
  /**
   * How long one Redis command may take, in ms, before the login fails with
   * `OAuthError('store_unavailable')` (503) instead of waiting for a Redis
   * that is down (clients queue commands while they reconnect). Default 2000.
   */
  timeout?: number
}

/** The default {@link RedisStoreOptions.prefix}. */
export const DEFAULT_PREFIX = 'oauth1:'
/** The default {@link RedisStoreOptions.timeout}, in ms. */
export const DEFAULT_TIMEOUT = 2_000
const MAX_TIMER = 2_147_483_647

const PREFIX = '@oauth1/redis:'

type Client =
  | { kind: 'node-redis'; client: NodeRedisClientLike }
  | { kind: 'ioredis'; client: IORedisClientLike }

function hasMethods(value: object, names: readonly string[]): boolean {
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')
}

function identify(client: unknown): Client {
  if ((typeof client === 'object' || typeof client === 'function') && client !== null) {
    let v4: unknown
    try {
      // node-redis 4 outside legacyMode throws on reading it.
      v4 = (client as { v4?: unknown }).v4
    } catch {
      v4 = undefined
    }
    if (typeof v4 === 'object' && v4 !== null && hasMethods(v4, ['getDel', 'get', 'set', 'del'])) {
      // node-redis 4 with `legacyMode: true`: its commands take callbacks and
      // return nothing, so every write would seem to succeed and be lost.
      throw new TypeError(
        `${PREFIX} client is a node-redis client in legacyMode, whose commands take callbacks: pass its promise API, redisStore(client.v4)`,
      )
    }
    if (hasMethods(client, ['getDel', 'get', 'set', 'del'])) {
      return { kind: 'node-redis', client: client as NodeRedisClientLike }
    }
    if (hasMethods(client, ['getdel', 'get', 'set', 'del'])) {
      return { kind: 'ioredis', client: client as IORedisClientLike }
    }
  }
  throw new TypeError(
    `${PREFIX} client should be a connected Redis client: node-redis's createClient() (redis 4, 5 or 6) or an ioredis Redis (5 or 6)`,
  )
}

/** Every option of {@link RedisStoreOptions} (the type keeps the list complete): another name is a typo. */
const STORE_OPTIONS: readonly string[] = Object.keys({
  prefix: true,
  secret: true,
  timeout: true,
} satisfies Record<keyof RedisStoreOptions, true>)

function checkOptions(options: unknown): { prefix: string; sealer?: Sealer; timeout: number } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${PREFIX} options should be an object`)
  }
  checkKnownOptions(options, STORE_OPTIONS, `${PREFIX} `)
  const {
    prefix = DEFAULT_PREFIX,
    secret,
    timeout = DEFAULT_TIMEOUT,
  } = options as RedisStoreOptions
  if (typeof prefix !== 'string') throw new TypeError(`${PREFIX} options.prefix should be a string`)
  // A binding id is base64url and 22 to 64 characters long: a prefix ending in
  // one of its characters would let 'app' + a 23-character id name the same key
  // as 'appX' + a 22-character one.
  if (prefix !== '' && /[A-Za-z0-9_-]$/.test(prefix)) {
    throw new TypeError(
      `${PREFIX} options.prefix should end with a character outside A-Z a-z 0-9 _ - (':' is usual: 'myapp:oauth1:'), so that no two prefixes share keys`,
    )
  }
  if (
    typeof timeout !== 'number' ||
    !Number.isFinite(timeout) ||
    timeout <= 0 ||
    timeout > MAX_TIMER
  ) {
    throw new TypeError(
      `${PREFIX} options.timeout should be a positive number of milliseconds (at most ${MAX_TIMER})`,
    )
  }
  if (secret === undefined && Object.hasOwn(options, 'secret')) {
    // `{ secret: process.env.OAUTH1_SECRET }` with the variable unset: refuse
    // rather than quietly keep the token secrets in plaintext.
    throw new TypeError(
      `${PREFIX} options.secret is undefined (an unset environment variable?): pass a secret of at least 32 characters to seal the entries, or leave the option out to keep them unsealed`,
    )
  }
  let sealer: Sealer | undefined
  if (secret !== undefined) {
    try {
      sealer = createSealer(secret)
    } catch (err) {
      // createSealer names `secret` (or `secret[i]`): say whose option it is.
      throw new TypeError(`${PREFIX} options.${(err as Error).message}`)
    }
  }
  return sealer === undefined ? { prefix, timeout } : { prefix, sealer, timeout }
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string')
}

const decoder = new TextDecoder()

/**
 * A {@link ServerSideStore} on Redis. Pass it as `store` to your adapter's
 * `oauth.middleware()`: the session (or Hono's cookie) then keeps only an
 * unguessable per-browser binding id, and each pending login is a key of its
 * own, `<prefix><binding id>:<app name>:<oauth_token>`, expiring with the
 * login (`PX`). The callback takes it with `GETDEL`, so single use holds across
 * every instance, and logins a browser starts at the same moment never
 * overwrite each other.
 *
 * `client` is yours, connected (and closed) by your app: node-redis's
 * `createClient()` (redis 4, 5 or 6; Redis server 6.2 or later, for `GETDEL`)
 * or ioredis. A command that fails, or takes longer than `options.timeout`
 * (Redis down, the client reconnecting), fails the login with
 * `OAuthError('store_unavailable')`, status 503.
 *
 * @throws TypeError when `client` is not a Redis client or an option is wrong, naming it.
 * @see https://redis.io/docs/latest/commands/getdel/
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { redisStore } from '@oauth1/redis'
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect()
 * app.use(oauth.middleware({ store: redisStore(redis, { secret: process.env.OAUTH1_SECRET! }) }))
 * ```
 */
export function redisStore(
  client: RedisClientLike,
  options: RedisStoreOptions = {},
): ServerSideStore {
  const redis = identify(client)
  const { prefix, sealer, timeout } = checkOptions(options)

  const unavailable = (command: string, cause: unknown, timedOut: boolean) => {
    // Redis quotes a refused command's first arguments ("…, with args beginning
    // with: 'key' '{\"oauth_token\":…'"): the description must not carry them.
    const message = (cause instanceof Error ? cause.message : String(cause)).replace(
      /,? with args beginning with:[\s\S]*$/,
      ' (its arguments left out)',
    )
    // A server older than 6.2 has no GETDEL: say so, not only "unknown command".
    const hint =
      command === 'GETDEL' && cause instanceof Error && /unknown command/i.test(message)
        ? ' (GETDEL needs Redis 6.2 or later)'
        : ''
    return new OAuthError('store_unavailable', {
      description: timedOut
        ? `Redis did not answer ${command} within ${timeout} ms`
        : `Redis failed ${command}: ${message}${hint}`,
      ...(cause === undefined ? {} : { cause: redactCommandArguments(cause) }),
    })
  }

  /** Runs one command, bounded by `timeout`; any failure becomes `store_unavailable`. */
  const run = async <T>(command: string, send: () => Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let sent: Promise<T>
    try {
      const answer = send()
      if (typeof (answer as { then?: unknown } | null)?.then !== 'function') {
        // A client whose commands return no promise (a MULTI passed by mistake,
        // a callback API): nothing says the command ran, so it did not.
        throw new TypeError(
          `the client's ${command} returned no promise: pass a Redis client, not a MULTI or a callback-style (legacyMode) client`,
        )
      }
      sent = Promise.resolve(answer)
    } catch (err) {
      throw unavailable(command, err, false)
    }
    // A command that answers (or fails) after the timeout must not be an unhandled rejection.
    sent.catch(() => {})
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(command, undefined, true)), timeout)
    })
    try {
      return await Promise.race([sent, deadline])
    } catch (err) {
      if (isOAuthError(err) && err.code === 'store_unavailable') throw err
      throw unavailable(command, err, false)
    } finally {
      clearTimeout(timer)
    }
  }

  const get = (key: string) => run('GET', () => redis.client.get(key))
  const getDel = (key: string) =>
    run('GETDEL', () =>
      redis.kind === 'node-redis' ? redis.client.getDel(key) : redis.client.getdel(key),
    )
  const del = (key: string) => run('DEL', () => redis.client.del(key))
  const setPx = (key: string, value: string, ms: number) =>
    run('SET', () =>
      redis.kind === 'node-redis'
        ? // `expiration` for redis 5+, `PX` for redis 4 (5+ read `expiration` first)
          redis.client.set(key, value, { PX: ms, expiration: { type: 'PX', value: ms } })
        : redis.client.set(key, value, 'PX', ms),
    )

  const decode = async (
    redisKey: string,
    raw: unknown,
  ): Promise<StoredTemporaryCredential | null> => {
    const text =
      typeof raw === 'string' ? raw : raw instanceof Uint8Array ? decoder.decode(raw) : undefined
    if (text === undefined) return null
    let credential: StoredTemporaryCredential | null = null
    if (sealer !== undefined) credential = toStoredCredential(await sealer.unseal(text, redisKey))
    else {
      try {
        credential = toStoredCredential(JSON.parse(text))
      } catch {
        // not JSON: sealed by an instance with a secret, read here without one
      }
    }
    if (credential === null) {
      // The login is there, but this instance cannot read it: no browser can put
      // an entry in Redis, so it is the instances' configuration, not a forgery.
      throw new OAuthError('store_unavailable', {
        description: `Redis holds this login, but this instance cannot ${sealer === undefined ? 'read' : 'open'} it: do all instances share options.secret (a rotated secret kept in the list, after the new one)?`,
      })
    }
    return credential
  }

  return {
    forBinding(
      bindingId: string,
    ): TemporaryCredentialStore & Required<Pick<TemporaryCredentialStore, 'take'>> {
      if (!isBindingId(bindingId)) {
        throw new TypeError(`${PREFIX} bindingId must be a binding id (see generateBindingId)`)
      }
      const keyOf = (key: string) => `${prefix}${bindingId}:${key}`
      return {
        async get(key) {
          checkKey(key)
          const redisKey = keyOf(key)
          return decode(redisKey, await get(redisKey))
        },
        async set(key, value) {
          checkKey(key)
          const credential = toStoredCredential(value)
          if (credential === null) {
            throw new TypeError(
              'value must be a temporary credential { oauth_token, oauth_token_secret, expires_at, redirect_uri? }',
            )
          }
          const redisKey = keyOf(key)
          const ttl = Math.ceil(credential.expires_at - Date.now())
          if (ttl <= 0) {
            // Already expired: nothing to keep, and nothing older under this key either.
            await del(redisKey)
            return
          }
          const payload =
            sealer === undefined
              ? JSON.stringify(credential)
              : await sealer.seal(credential, redisKey)
          await setPx(redisKey, payload, Math.min(ttl, MAX_TIMER))
        },
        async delete(key) {
          checkKey(key)
          await del(keyOf(key))
        },
        async take(key) {
          checkKey(key)
          const redisKey = keyOf(key)
          return decode(redisKey, await getDel(redisKey))
        },
      }
    },
  }
}
