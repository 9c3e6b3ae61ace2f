import {
  checkKnownOptions,
  checkServerSideStore,
  createBoundStore,
  createSealer,
  createSessionRecordStore,
  type Sealer,
  type ServerSideStore,
  type TemporaryCredentialStore,
} from '@oauth1/core'
import type { FastifyRequest } from 'fastify'
import { type FastifyMiddlewareOptions, type OAuth1SessionRecord, SESSION_KEY } from './types.js'

/** The part of a @fastify/secure-session `Session` the adapter uses. */
export interface SessionLike {
  get(key: string): unknown
  set(key: string, value: unknown): void
}

/** The settings the session binding runs with, resolved from {@link FastifyMiddlewareOptions}. */
export interface SessionSettings {
  readonly sessionName: string
  /** The key inside the session holding the pending logins (or, with `server`, the binding id). */
  readonly sessionKey: string
  readonly sealer: Sealer | undefined
  readonly maxEntries: number
  /** `options.store`: the pending logins live there, the session keeps only the binding id. */
  readonly server?: ServerSideStore
}

/** The message when `store` is given with the options of pending logins kept in the session. */
export const STORE_WITH_SESSION_OPTIONS_MESSAGE =
  '@oauth1/fastify: options.store keeps the pending logins out of the session: options.secret and ' +
  'options.maxEntries apply only without it (seal them in the store instead, e.g. redisStore(client, { secret }))'

/** The request decorator the pending logins are read from when `sessionName` is not given (@fastify/secure-session's default). */
export const DEFAULT_SESSION_NAME = 'session'
/**
 * Each pending login adds about 300 bytes to the secure-session cookie (about
 * 435 sealed with a `secret`; more with a long callback URL), and browsers drop
 * cookies over 4 KB: five, within the core's 2048 characters of record (its
 * `maxBytes`, which evicts the oldest first), keep the cookie under it with
 * room for the app's own session data.
 */
export const DEFAULT_MAX_ENTRIES = 5

/** The message when `options.sessionKey` is not a usable key of the session's data. */
export const SESSION_KEY_MESSAGE =
  '@oauth1/fastify: options.sessionKey should be a non-empty string that is not reserved by ' +
  "@fastify/secure-session's data or Object.prototype (__ts, __proto__, constructor…)"

/**
 * Checks `options.sessionKey` (the default when `undefined`). @fastify/secure-session keeps
 * the data in a plain object with its own timestamp at `__ts`; a name of
 * `Object.prototype` (`__proto__`, `constructor`…) would read or replace the object's own.
 */
function checkSessionKey(sessionKey: unknown): string {
  if (sessionKey === undefined) return SESSION_KEY
  if (
    typeof sessionKey !== 'string' ||
    sessionKey === '' ||
    sessionKey === '__ts' ||
    sessionKey in Object.prototype
  ) {
    throw new TypeError(SESSION_KEY_MESSAGE)
  }
  return sessionKey
}

/** Every option of {@link FastifyMiddlewareOptions} (the type keeps the list complete): another name is a typo. */
const MIDDLEWARE_OPTIONS: readonly string[] = Object.keys({
  sessionName: true,
  sessionKey: true,
  secret: true,
  maxEntries: true,
  store: true,
  context: true,
} satisfies Record<keyof FastifyMiddlewareOptions, true>)

/** Checks the middleware's options; a bad one is a `TypeError` naming it. */
export function resolveSessionSettings(options: unknown): SessionSettings {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object') {
    throw new TypeError('@oauth1/fastify: options should be an object')
  }
  checkKnownOptions(options as object, MIDDLEWARE_OPTIONS, '@oauth1/fastify: ')
  const { sessionName, secret, maxEntries, store } = options as FastifyMiddlewareOptions
  if (sessionName !== undefined && (typeof sessionName !== 'string' || sessionName === '')) {
    throw new TypeError('@oauth1/fastify: options.sessionName should be a non-empty string')
  }
  const sessionKey = checkSessionKey((options as FastifyMiddlewareOptions).sessionKey)
  if (store !== undefined) {
    const server = checkServerSideStore(store, '@oauth1/fastify: options.store')
    if (secret !== undefined || maxEntries !== undefined) {
      throw new TypeError(STORE_WITH_SESSION_OPTIONS_MESSAGE)
    }
    return {
      sessionName: sessionName ?? DEFAULT_SESSION_NAME,
      sessionKey,
      sealer: undefined,
      maxEntries: DEFAULT_MAX_ENTRIES,
      server,
    }
  }
  if (
    maxEntries !== undefined &&
    (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 1)
  ) {
    throw new TypeError('@oauth1/fastify: options.maxEntries should be a positive integer')
  }
  return {
    sessionName: sessionName ?? DEFAULT_SESSION_NAME,
    sessionKey,
    sealer: secret === undefined ? undefined : createSealer(secret),
    maxEntries: maxEntries ?? DEFAULT_MAX_ENTRIES,
  }
}

/** The start-up (and run-time) message when the session plugin is missing. */
export function missingSessionMessage(sessionName: string): string {
  return (
    `@oauth1/fastify: request.${sessionName} is missing. Install @fastify/secure-session ` +
    `(npm install @fastify/secure-session) and register it before oauth.middleware(): ` +
    `await app.register(secureSession, { key${sessionName === DEFAULT_SESSION_NAME ? '' : `, sessionName: '${sessionName}'`} }); ` +
    `await app.register(oauth.middleware(${sessionName === DEFAULT_SESSION_NAME ? '' : `{ sessionName: '${sessionName}' }`}))`
  )
}

/** The request's session, or an `Error` saying what to install. */
export function sessionOf(request: FastifyRequest, sessionName: string): SessionLike {
  const session = (request as unknown as Record<string, unknown>)[sessionName] as
    | Partial<SessionLike>
    | null
    | undefined
  if (
    session === null ||
    typeof session !== 'object' ||
    typeof session.get !== 'function' ||
    typeof session.set !== 'function'
  ) {
    throw new TypeError(missingSessionMessage(sessionName))
  }
  return session as SessionLike
}

function isRecord(value: unknown): value is OAuth1SessionRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The `TemporaryCredentialStore` of one request, over its secure-session
 * session (`request[sessionName].get/set(sessionKey)`, `'oauth1'` by default). Writes mark the session
 * changed, so @fastify/secure-session re-encrypts and sends the cookie with
 * the response — also when the handler ends in an error.
 */
export function sessionStore(
  request: FastifyRequest,
  settings: SessionSettings,
): TemporaryCredentialStore {
  const session = sessionOf(request, settings.sessionName)
  const key = settings.sessionKey
  if (settings.server !== undefined) {
    // Only the binding id goes into the session, once per browser: a browser that has
    // one never has its cookie rewritten by a login, so concurrent logins never collide.
    return createBoundStore(settings.server, {
      read: () => session.get(key),
      write: (id) => session.set(key, id),
    })
  }
  return createSessionRecordStore(
    {
      read() {
        const record = session.get(key)
        return isRecord(record) ? record : undefined
      },
      write(record) {
        session.set(key, record)
      },
    },
    settings.sealer === undefined
      ? { maxEntries: settings.maxEntries }
      : { sealer: settings.sealer, maxEntries: settings.maxEntries },
  )
}
