import {
  checkKnownOptions,
  checkServerSideStore,
  createBoundStore,
  createSealer,
  createSessionRecordStore,
  OAuthError,
  redactCommandArguments,
  type Sealer,
  type ServerSideStore,
  type TemporaryCredentialStore,
} from '@oauth1/core'
import type { Request } from 'express'
import type { MiddlewareOptions } from './types.js'

/** The `req.session` property used when `sessionKey` is not given. */
export const DEFAULT_SESSION_KEY = 'oauth1'

/** Thrown (or passed to `next`) when no session middleware ran before us. */
export const MISSING_SESSION_MESSAGE =
  '@oauth1/express: req.session is missing. Install express-session (npm install express-session) ' +
  'and add app.use(session({ ... })) BEFORE app.use(oauth.middleware()); ' +
  'any middleware that sets req.session (cookie-session too) works. ' +
  'If it is installed, it skipped this request: its store is disconnected, or the path is outside its cookie.path.'

/** Thrown (or passed to `next`) when the session lives in a cookie and no `secret` seals the entries. */
export const COOKIE_SESSION_MESSAGE =
  '@oauth1/express: req.session is kept in a cookie (cookie-session), where the browser could read ' +
  'the token secret. Seal the pending logins with a secret of at least 32 characters: ' +
  'app.use(oauth.middleware({ secret: process.env.OAUTH1_SECRET })).'

/** Names the session libraries use for themselves, which the record must not shadow. */
const RESERVED_KEYS = new Set([
  // express-session's Session
  'cookie',
  'id',
  'req',
  'regenerate',
  'destroy',
  'reload',
  'save',
  'touch',
  'resetMaxAge',
  // cookie-session's Session
  'isNew',
  'isChanged',
  'isPopulated',
  'toJSON',
  // (and every name of Object.prototype: see checkSessionKey)
  'prototype',
])

/** The message when `options.sessionKey` is not a usable key of `req.session`. */
export const SESSION_KEY_MESSAGE =
  'options.sessionKey should be a non-empty string that is not a property of the session itself ' +
  'or of Object.prototype (cookie, id, save, __proto__, constructor, toString…)'

/**
 * Checks `options.sessionKey` (the default when `undefined`), as the Fastify and Koa
 * adapters do theirs: express-session's and cookie-session's own members would be
 * shadowed, and a name of `Object.prototype` (`__proto__`, `isPrototypeOf`…) would read
 * the object's own, so every callback would find no pending login.
 */
function checkSessionKey(value: unknown): string {
  if (value === undefined) return DEFAULT_SESSION_KEY
  if (
    typeof value !== 'string' ||
    value === '' ||
    RESERVED_KEYS.has(value) ||
    value in Object.prototype
  ) {
    throw new TypeError(SESSION_KEY_MESSAGE)
  }
  return value
}

/** The resolved options of one `oauth.middleware(options)` call. */
export interface SessionBinding {
  readonly key: string
  readonly sealer: Sealer | undefined
  readonly maxEntries: number | undefined
  /** `options.store`: the pending logins live there, the session keeps only the binding id. */
  readonly server: ServerSideStore | undefined
  /** What the options were made from (but `store`, compared by identity), to tell two `middleware()` calls apart. */
  readonly fingerprint: string
}

/** The binding used by `authorizeRedirect` before any `middleware()` call: no sealing, key `oauth1`. */
export const DEFAULT_BINDING: SessionBinding = {
  key: DEFAULT_SESSION_KEY,
  sealer: undefined,
  maxEntries: undefined,
  server: undefined,
  fingerprint: fingerprintOf(DEFAULT_SESSION_KEY, undefined, undefined),
}

/** The message when `store` is given with the options of pending logins kept in the session. */
export const STORE_WITH_SESSION_OPTIONS_MESSAGE =
  'options.store keeps the pending logins out of the session: options.secret and options.maxEntries ' +
  'apply only without it (seal them in the store instead, e.g. redisStore(client, { secret }))'

function fingerprintOf(
  key: string,
  secret: MiddlewareOptions['secret'],
  maxEntries: number | undefined,
): string {
  const secrets = secret === undefined ? [] : Array.isArray(secret) ? secret : [secret]
  return JSON.stringify([
    key,
    maxEntries ?? null,
    secrets.map((s: string | Uint8Array) =>
      typeof s === 'string' ? `s:${s}` : `b:${Buffer.from(s).toString('base64')}`,
    ),
  ])
}

/** Every option of {@link MiddlewareOptions} (the type keeps the list complete): another name is a typo. */
const MIDDLEWARE_OPTIONS: readonly string[] = Object.keys({
  secret: true,
  sessionKey: true,
  maxEntries: true,
  store: true,
  context: true,
} satisfies Record<keyof MiddlewareOptions, true>)

/**
 * Checks `oauth.middleware(options)` and turns it into a {@link SessionBinding}.
 * Bad options throw a `TypeError` naming the option.
 */
export function resolveBinding(options: MiddlewareOptions | undefined): SessionBinding {
  if (options === undefined) return DEFAULT_BINDING
  if (options === null || typeof options !== 'object') {
    throw new TypeError('oauth.middleware(options): options should be an object')
  }
  checkKnownOptions(options, MIDDLEWARE_OPTIONS, 'oauth.middleware(options): ')
  const key = checkSessionKey(options.sessionKey)
  const { maxEntries } = options
  if (maxEntries !== undefined && !(Number.isSafeInteger(maxEntries) && maxEntries >= 1)) {
    throw new TypeError('options.maxEntries should be a positive integer')
  }
  const { secret } = options
  if (options.store !== undefined) {
    const server = checkServerSideStore(options.store, 'options.store')
    if (secret !== undefined || maxEntries !== undefined) {
      throw new TypeError(STORE_WITH_SESSION_OPTIONS_MESSAGE)
    }
    return {
      key,
      sealer: undefined,
      maxEntries: undefined,
      server,
      fingerprint: fingerprintOf(key, undefined, undefined),
    }
  }
  // createSealer checks the secret(s) itself: a TypeError naming `secret` (or `secret[i]`).
  const sealer = secret === undefined ? undefined : createSealer(secret)
  return {
    key,
    sealer,
    maxEntries,
    server: undefined,
    fingerprint: fingerprintOf(key, secret, maxEntries),
  }
}

type SessionObject = Record<string, unknown> & {
  save?: (callback: (err?: unknown) => void) => void
}

/**
 * Why this request cannot keep temporary credentials in its session, or
 * `undefined` when it can: no session middleware ran before us, or the
 * session is cookie-session's (it sets `req.sessionOptions`; express-session,
 * whose data stays on the server, sets `req.sessionStore`) and nothing seals
 * the entries.
 */
export function sessionProblem(req: Request, binding: SessionBinding): string | undefined {
  const session = (req as { session?: unknown }).session
  if (session === null || typeof session !== 'object') return MISSING_SESSION_MESSAGE
  // With a server-side store, the cookie holds only the binding id: no secret to seal.
  if (binding.server === undefined && binding.sealer === undefined && isCookieSession(req)) {
    return COOKIE_SESSION_MESSAGE
  }
  return undefined
}

function isCookieSession(req: Request): boolean {
  const r = req as { sessionOptions?: unknown; sessionStore?: unknown }
  return r.sessionOptions !== undefined && r.sessionStore === undefined
}

/** `req.session`, or the start-up error when no session middleware ran before us. */
export function sessionOf(req: Request): SessionObject {
  const session = (req as { session?: unknown }).session
  if (session === null || typeof session !== 'object') throw new TypeError(MISSING_SESSION_MESSAGE)
  return session as SessionObject
}

/**
 * The {@link TemporaryCredentialStore} port over `req.session[binding.key]`:
 * one record in the session, one entry per pending login, each entry sealed
 * when the binding has a sealer. Works with any session middleware that
 * persists changes to `req.session` (express-session, cookie-session…).
 * Throws the start-up error when the request has no usable session.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 * @example
 * ```ts
 * const store = createExpressSessionStore(req, resolveBinding({ secret }))
 * const url = await app.beginAuthorization(store, 'https://app.example/authorize')
 * ```
 */
export function createExpressSessionStore(
  req: Request,
  binding: SessionBinding = DEFAULT_BINDING,
): TemporaryCredentialStore {
  return bindSessionStore(req, binding).store
}

/**
 * {@link createExpressSessionStore}, plus whether the store has written to
 * the session since, so a caller saves the session only when it changed (an
 * explicit save of an untouched, uninitialized session would store it).
 */
export function bindSessionStore(
  req: Request,
  binding: SessionBinding,
): { store: TemporaryCredentialStore; changed(): boolean } {
  const problem = sessionProblem(req, binding)
  if (problem !== undefined) throw new TypeError(problem)
  const session = sessionOf(req)
  const { key } = binding
  let changed = false
  if (binding.server !== undefined) {
    // Only the binding id goes into the session, once per browser: a browser that has
    // one never has its session written by a login, so concurrent logins never collide.
    const store = createBoundStore(binding.server, {
      read: () => session[key],
      write: (id) => {
        changed = true
        session[key] = id
      },
    })
    return { store, changed: () => changed }
  }
  const store = createSessionRecordStore(
    {
      read() {
        const record = session[key]
        return record !== null && typeof record === 'object' && !Array.isArray(record)
          ? (record as Record<string, unknown>)
          : undefined
      },
      write(record) {
        changed = true
        if (record === undefined) delete session[key]
        else session[key] = record
      },
    },
    {
      ...(binding.sealer === undefined ? {} : { sealer: binding.sealer }),
      ...(binding.maxEntries === undefined ? {} : { maxEntries: binding.maxEntries }),
    },
  )
  return { store, changed: () => changed }
}

/**
 * Persists the session now, before a redirect goes out. express-session saves
 * when the response ends, but it sends the status line and headers first and
 * only reports a store failure afterwards, so a fast provider could send the
 * user back before the temporary credential is stored, and a failed save would
 * go unnoticed. Sessions without `save` (cookie-session writes its cookie with
 * the headers) need nothing.
 */
export async function saveSession(req: Request): Promise<void> {
  const session = sessionOf(req)
  if (typeof session.save !== 'function') return
  await new Promise<void>((resolve, reject) => {
    session.save?.((err?: unknown) =>
      err
        ? // The session store is the temporary-credential store here: 503, as the core answers one that fails.
          reject(
            new OAuthError('store_unavailable', {
              description: 'The session store failed to save the session',
              // ioredis (e.g. under connect-redis) puts the session JSON on its errors
              cause: redactCommandArguments(err),
            }),
          )
        : resolve(),
    )
  })
}
