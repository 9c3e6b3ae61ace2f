import {
  createBoundStore,
  createSealer,
  createSessionRecordStore,
  type Sealer,
  type ServerSideStore,
  type TemporaryCredentialStore,
} from '@oauth1/core'
import type { KoaSession } from './types.js'

/** The key `@oauth1/koa` keeps its record under in `ctx.session` when `middleware({ sessionKey })` names no other. */
export const SESSION_KEY = 'oauth1'

/** The members of koa-session's session (6 and 7), which a `sessionKey` must not shadow. */
const KOA_SESSION_MEMBERS = new Set([
  'isNew',
  'length',
  'populated',
  'maxAge',
  'externalKey',
  'save',
  'regenerate',
  'manuallyCommit',
  'commit',
  'toJSON',
  'inspect',
])

/** The message when `options.sessionKey` is not a usable key of `ctx.session`. */
export const SESSION_KEY_MESSAGE =
  'options.sessionKey should be a non-empty string that is not a member of ' +
  'koa-session\'s session or Object.prototype (isNew, maxAge, toJSON, save, a name starting with "_"…)'

/**
 * Checks `options.sessionKey` (the default when `undefined`). koa-session's own members
 * would be shadowed, it neither saves nor restores names starting with `_` (its private
 * ones), and a name of `Object.prototype` (`__proto__`, `constructor`…) would read or
 * replace the object's own.
 */
export function checkSessionKey(value: unknown): string {
  if (value === undefined) return SESSION_KEY
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.startsWith('_') ||
    KOA_SESSION_MEMBERS.has(value) ||
    value in Object.prototype
  ) {
    throw new TypeError(SESSION_KEY_MESSAGE)
  }
  return value
}

/** A secret, or a list of them (the first seals, any unseals: key rotation). */
export type SealingSecret = string | Uint8Array | readonly (string | Uint8Array)[]

/** The smallest secret accepted, in characters (strings) or bytes. */
export const MIN_SECRET_LENGTH = 32

/** Thrown (on every request) when koa-session is not installed. */
export const MISSING_SESSION_MESSAGE =
  '@oauth1/koa: ctx.session is missing. Install koa-session (npm install koa-session) and add ' +
  '`app.use(session(app))` before `app.use(oauth.middleware())`.'

/** Thrown when neither `app.keys` nor `middleware({ secret })` gives a key to seal with. */
export const MISSING_SECRET_MESSAGE =
  '@oauth1/koa: no key to seal the temporary credentials with. koa-session keeps the session ' +
  'in a cookie the browser can read, so the token secret is encrypted: set `app.keys` ' +
  '(koa-session signs its cookie with them too) or pass `oauth.middleware({ secret })`.'

/** Thrown when `app.keys` is a Keygrip, whose keys cannot be read. */
export const KEYGRIP_MESSAGE =
  '@oauth1/koa: app.keys is a Keygrip, whose keys cannot be read to derive the sealing key: ' +
  'pass `oauth.middleware({ secret })`.'

/** Anything with the parts of a Koa context this module reads. */
interface SessionHolder {
  session?: KoaSession | null
  app: { keys?: unknown }
}

/**
 * Makes the session's changes survive an error that reaches Koa's default
 * error handler, which removes every response header (Set-Cookie included)
 * and then sets `err.headers`: commits the session now (koa-session's
 * `manuallyCommit`) and puts the resulting Set-Cookie on `err.headers`,
 * non-enumerable so loggers do not print the session cookie. Used when a
 * callback fails, so the consumed temporary credential is really gone from a
 * cookie session. An app's own error handler keeps headers anyway.
 */
export async function keepSessionOnError(
  ctx: { session?: KoaSession | null; res: { getHeader(name: string): unknown } },
  err: unknown,
): Promise<void> {
  if ((typeof err !== 'object' && typeof err !== 'function') || err === null) return
  const current = ctx.session
  if (current == null || typeof current.manuallyCommit !== 'function') return
  try {
    await current.manuallyCommit()
  } catch {
    return // the session store failed: the original error matters more
  }
  const setCookie = ctx.res.getHeader('set-cookie')
  if (setCookie === undefined) return
  const previous = (err as { headers?: unknown }).headers
  const headers = {
    ...(typeof previous === 'object' && previous !== null ? previous : {}),
    'Set-Cookie': setCookie,
  }
  try {
    Object.defineProperty(err, 'headers', {
      value: headers,
      enumerable: false,
      configurable: true,
      writable: true,
    })
  } catch {
    // a frozen error: nothing more to do
  }
}

/**
 * True when koa-session (or another session middleware that defines
 * `ctx.session`) is installed for this context. It does not read
 * `ctx.session`: koa-session parses its cookie lazily on first read, and a
 * route that never uses the session should not pay for it.
 */
export function hasSession(ctx: object): boolean {
  return 'session' in ctx
}

/** Checks that koa-session is installed; throws {@link MISSING_SESSION_MESSAGE} when not. */
export function assertSession(ctx: object): void {
  if (!hasSession(ctx)) throw new TypeError(MISSING_SESSION_MESSAGE)
}

function isSecret(value: unknown): value is string | Uint8Array {
  return typeof value === 'string' || value instanceof Uint8Array
}

/**
 * Validates a secret (or list of them) and builds its sealer. `option` names
 * where it came from, for the error message.
 */
export function sealerFromSecret(secret: unknown, option: string): Sealer {
  const list: readonly unknown[] = Array.isArray(secret) ? secret : [secret]
  if (list.length === 0) {
    throw new TypeError(`${option} should be a non-empty list of secrets`)
  }
  list.forEach((item, i) => {
    const name = Array.isArray(secret) ? `${option}[${i}]` : option
    if (!isSecret(item)) {
      throw new TypeError(`${name} should be a string or a Uint8Array`)
    }
    if (item.length < MIN_SECRET_LENGTH) {
      throw new TypeError(
        `${name} should be at least ${MIN_SECRET_LENGTH} ${typeof item === 'string' ? 'characters' : 'bytes'} long ` +
          `(e.g. crypto.randomBytes(32).toString('hex'))`,
      )
    }
  })
  return createSealer(list as readonly (string | Uint8Array)[])
}

interface CachedSealer {
  keys: readonly unknown[]
  snapshot: readonly unknown[]
  sealer: Sealer
}

const appSealers = new WeakMap<object, CachedSealer>()

/**
 * The sealer derived from `app.keys`, cached per app and rebuilt when the
 * keys change (rotation by reassigning or editing `app.keys`).
 * Throws {@link MISSING_SECRET_MESSAGE} when the app has no keys.
 */
export function sealerFromApp(app: { keys?: unknown }): Sealer {
  const keys = app.keys
  if (!Array.isArray(keys)) {
    if (typeof keys === 'object' && keys !== null) throw new TypeError(KEYGRIP_MESSAGE)
    throw new TypeError(MISSING_SECRET_MESSAGE)
  }
  if (keys.length === 0) throw new TypeError(MISSING_SECRET_MESSAGE)
  const cached = appSealers.get(app)
  if (
    cached !== undefined &&
    cached.keys === keys &&
    cached.snapshot.length === keys.length &&
    cached.snapshot.every((key, i) => key === keys[i])
  ) {
    return cached.sealer
  }
  const sealer = sealerFromSecret(keys, 'app.keys')
  appSealers.set(app, { keys, snapshot: [...keys], sealer })
  return sealer
}

/** What `oauth.middleware(options)` decided for a request it saw. */
export interface StoreSettings {
  /** The `ctx.session` key of the pending logins (or the binding id); default {@link SESSION_KEY}. */
  key?: string
  /** Seals the entries kept in the session (else a key derived from `app.keys`). */
  sealer?: Sealer
  maxEntries?: number
  /** `options.store`: the pending logins live there, the session keeps only the binding id. */
  server?: ServerSideStore
}

/** The message when `store` is given with the options of pending logins kept in the session. */
export const STORE_WITH_SESSION_OPTIONS_MESSAGE =
  'options.store keeps the pending logins out of the session: options.secret and options.maxEntries ' +
  'apply only without it (seal them in the store instead, e.g. redisStore(client, { secret }))'

// A symbol property on ctx, not a WeakMap: a WeakMap entry per request costs
// microseconds of GC work (ephemerons), a property a few nanoseconds.
const SETTINGS = Symbol.for('@oauth1/koa.settings')

/** Remembers the middleware's settings for this request. */
export function bindSettings(ctx: object, settings: StoreSettings): void {
  ;(ctx as { [SETTINGS]?: StoreSettings })[SETTINGS] = settings
}

/**
 * Pending logins kept by default when the session lives in the cookie
 * (koa-session's default store). Each sealed entry adds about 435 bytes to the
 * cookie, and browsers drop a cookie over 4 KB, session and all: four leave
 * room for the app's own values. With a server-side store (`store` or
 * `ContextStore`), the core's default (`DEFAULT_SESSION_MAX_ENTRIES`) applies.
 */
export const COOKIE_MAX_ENTRIES = 4

/** True when koa-session keeps the session data on the server. */
function hasExternalStore(ctx: object): boolean {
  const options = (ctx as { sessionOptions?: { store?: unknown; ContextStore?: unknown } })
    .sessionOptions
  return options != null && (options.store != null || options.ContextStore != null)
}

/** Validates `options.maxEntries`. */
export function checkMaxEntries(value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError('options.maxEntries should be a positive integer')
  }
  return value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The `TemporaryCredentialStore` for one Koa request, over `ctx.session.oauth1`
 * (or the `sessionKey` given to the middleware the request went through; with
 * two registries' middlewares on one request, the last one's: a registry's own
 * `authorizeRedirect`/`authorizeAccessToken` always use its own options).
 * Each entry is sealed with the middleware's `secret`, else with a key derived
 * from `app.keys`. `authorizeRedirect` and `authorizeAccessToken` use it; call
 * it yourself only to drive `beginAuthorization`/`completeAuthorization`.
 *
 * @throws Error when koa-session is missing or there is no key to seal with.
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 * @example
 * ```ts
 * const url = await oauth.twitter.beginAuthorization(sessionStore(ctx), 'https://app.example/authorize')
 * ```
 */
export function sessionStore(ctx: SessionHolder): TemporaryCredentialStore {
  return sessionStoreWith(ctx, (ctx as { [SETTINGS]?: StoreSettings })[SETTINGS])
}

/** {@link sessionStore} with the given settings (a registry's), not the ones bound to `ctx`. */
export function sessionStoreWith(
  ctx: SessionHolder,
  settings: StoreSettings | undefined,
): TemporaryCredentialStore {
  assertSession(ctx)
  const key = settings?.key ?? SESSION_KEY
  if (settings?.server !== undefined) {
    // Only the binding id goes into the session, once per browser: a browser that has
    // one never has its session rewritten by a login, so concurrent logins never collide.
    return createBoundStore(settings.server, {
      read: () => ctx.session?.[key],
      write: (id) => {
        if (ctx.session == null) (ctx as { session: unknown }).session = { [key]: id }
        else ctx.session[key] = id
      },
    })
  }
  const sealer = settings?.sealer ?? sealerFromApp(ctx.app)
  const maxEntries =
    settings?.maxEntries ?? (hasExternalStore(ctx) ? undefined : COOKIE_MAX_ENTRIES)
  return createSessionRecordStore(
    {
      read() {
        const record = ctx.session?.[key]
        return isRecord(record) ? record : undefined
      },
      write(record) {
        const session = ctx.session
        if (record === undefined) {
          if (session != null && key in session) delete session[key]
          return
        }
        if (session == null) {
          // the app set `ctx.session = null` earlier in this request: koa-session
          // starts a new session when given an object
          ;(ctx as { session: unknown }).session = { [key]: record }
          return
        }
        session[key] = record
      },
    },
    maxEntries === undefined ? { sealer } : { sealer, maxEntries },
  )
}
