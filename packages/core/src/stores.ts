/**
 * Where the web flow keeps temporary credentials between `authorizeRedirect`
 * and the callback: a store over a framework session record (optionally
 * sealed with AES-256-GCM, for cookie sessions), an in-memory store, and the
 * sealer itself.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 */

import { checkKnownOptions, setOwn } from './own.js'
import type {
  Awaitable,
  ServerSideStore,
  StoredTemporaryCredential,
  TemporaryCredentialStore,
} from './types.js'

// ---------------------------------------------------------------------------
// Sealer
// ---------------------------------------------------------------------------

/**
 * Encrypts and authenticates small JSON values, e.g. a temporary credential
 * kept in a cookie session.
 */
export interface Sealer {
  /**
   * Encrypts `value` (anything `JSON.stringify` accepts) into a base64url
   * string. A `context` (e.g. the session key the value is kept under) is
   * authenticated but not stored: the value only unseals with the same one.
   */
  seal(value: unknown, context?: string): Promise<string>
  /** Decrypts a sealed string; `null` when it is tampered with, sealed with an unknown key or another context, or garbage. Never throws. */
  unseal(sealed: string, context?: string): Promise<unknown | null>
}

/** A secret for {@link createSealer}: a string of at least 32 characters or at least 32 bytes. */
export type SealerSecret = string | Uint8Array

const SEAL_VERSION = 1
/** Pending logins a session record keeps by default (see {@link SessionRecordStoreOptions}). */
export const DEFAULT_SESSION_MAX_ENTRIES = 5
/**
 * Characters of JSON the session record is kept within by default (see
 * {@link SessionRecordStoreOptions}): a cookie session carries it, sealed or
 * encoded again, within browsers' 4 KB per cookie, beside the app's own data.
 */
export const DEFAULT_SESSION_MAX_BYTES = 2048
const IV_BYTES = 12
const TAG_BYTES = 16
/** The shortest secret {@link createSealer} accepts, in characters (or bytes). */
export const MIN_SECRET_LENGTH = 32
/** Sealed values above this size are refused unread (a cookie is at most a few KiB). */
const MAX_SEALED_LENGTH = 64 * 1024
const encoder = new TextEncoder()
const HKDF_SALT = encoder.encode('@oauth1/core sealer v1')
const HKDF_INFO = encoder.encode('@oauth1/core AES-256-GCM temporary credentials')

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle
  if (s === undefined)
    throw new Error(
      '@oauth1/core: Web Crypto (globalThis.crypto.subtle) is required to seal values',
    )
  return s
}

function secretBytes(secret: unknown, label: string): Uint8Array {
  if (typeof secret === 'string') {
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new TypeError(`${label} must be at least ${MIN_SECRET_LENGTH} characters long`)
    }
    return encoder.encode(secret)
  }
  if (secret instanceof Uint8Array) {
    if (secret.byteLength < MIN_SECRET_LENGTH) {
      throw new TypeError(`${label} must be at least ${MIN_SECRET_LENGTH} bytes long`)
    }
    return new Uint8Array(secret)
  }
  throw new TypeError(`${label} must be a string or a Uint8Array`)
}

async function deriveKey(bytes: Uint8Array): Promise<CryptoKey> {
  const material = await subtle().importKey('raw', bytes as BufferSource, 'HKDF', false, [
    'deriveKey',
  ])
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info: HKDF_INFO },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

/** AES-GCM parameters; a context is additional authenticated data. */
function gcmParams(iv: Uint8Array, context: string | undefined): AesGcmParams {
  return context === undefined
    ? { name: 'AES-GCM', iv: iv as BufferSource }
    : { name: 'AES-GCM', iv: iv as BufferSource, additionalData: encoder.encode(context) }
}

/** base64url without padding, with no dependency on Buffer (edge runtimes). */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Strict base64url decoding; `null` for anything that is not base64url. */
export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
    const out = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
    return out
  } catch {
    return null
  }
}

/**
 * Creates a {@link Sealer}: AES-256-GCM (Web Crypto) with a key derived by
 * HKDF-SHA256 from `secret`, a random 96-bit IV per value, and a versioned
 * base64url output (`version ‖ iv ‖ ciphertext ‖ tag`).
 *
 * Pass a list to rotate keys: values are sealed with the first secret and
 * unsealed with any of them.
 *
 * @throws TypeError when a secret is shorter than 32 characters (or bytes), or the list is empty.
 * @see https://www.rfc-editor.org/rfc/rfc5869 (HKDF)
 * @example
 * ```ts
 * const sealer = createSealer([process.env.SESSION_SECRET!, process.env.OLD_SESSION_SECRET!])
 * const sealed = await sealer.seal({ oauth_token_secret: 'kd94hf93k423kf44' })
 * await sealer.unseal(sealed) // { oauth_token_secret: 'kd94hf93k423kf44' }
 * await sealer.unseal(sealed.slice(1)) // null
 * ```
 */
export function createSealer(secret: SealerSecret | readonly SealerSecret[]): Sealer {
  let list: Uint8Array[]
  if (Array.isArray(secret)) {
    if (secret.length === 0) throw new TypeError('secret must not be an empty list')
    // Array.from visits holes too (`[, key]`): each is checked, as `map` would skip it.
    list = Array.from(secret as readonly SealerSecret[], (s, i) => secretBytes(s, `secret[${i}]`))
  } else {
    list = [secretBytes(secret, 'secret')]
  }
  let keys: Promise<CryptoKey[]> | undefined
  const getKeys = (): Promise<CryptoKey[]> => {
    keys ??= Promise.all(list.map(deriveKey))
    // A failed derivation (no Web Crypto) is retried next time rather than cached.
    keys.catch(() => {
      keys = undefined
    })
    return keys
  }

  return {
    async seal(value, context) {
      const json = JSON.stringify(value)
      if (json === undefined) throw new TypeError('value must be serialisable as JSON')
      if (context !== undefined && typeof context !== 'string') {
        throw new TypeError('context must be a string')
      }
      const [key] = await getKeys()
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES))
      const ciphertext = new Uint8Array(
        await subtle().encrypt(gcmParams(iv, context), key!, encoder.encode(json)),
      )
      const out = new Uint8Array(1 + IV_BYTES + ciphertext.length)
      out[0] = SEAL_VERSION
      out.set(iv, 1)
      out.set(ciphertext, 1 + IV_BYTES)
      const sealed = base64UrlEncode(out)
      // What unseal would refuse is not sealed: refused now, not at the callback.
      if (sealed.length > MAX_SEALED_LENGTH) {
        throw new TypeError(
          `value is too large to seal: ${sealed.length} characters sealed, at most ${MAX_SEALED_LENGTH} (about ${Math.floor(((MAX_SEALED_LENGTH * 3) / 4 - 1 - IV_BYTES - TAG_BYTES) / 1024)} KB of JSON)`,
        )
      }
      return sealed
    },

    async unseal(sealed, context) {
      try {
        if (typeof sealed !== 'string' || sealed.length > MAX_SEALED_LENGTH) return null
        if (context !== undefined && typeof context !== 'string') return null
        const bytes = base64UrlDecode(sealed)
        if (bytes === null || bytes.length < 1 + IV_BYTES + TAG_BYTES) return null
        if (bytes[0] !== SEAL_VERSION) return null
        const iv = bytes.subarray(1, 1 + IV_BYTES)
        const data = bytes.subarray(1 + IV_BYTES)
        for (const key of await getKeys()) {
          let plain: ArrayBuffer
          try {
            plain = await subtle().decrypt(gcmParams(iv, context), key, data)
          } catch {
            continue // wrong key or tampered: try the next key
          }
          return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain)) as unknown
        }
        return null
      } catch {
        return null
      }
    },
  }
}

// ---------------------------------------------------------------------------
// Temporary credential validation and copying
// ---------------------------------------------------------------------------

/**
 * A copy of `value` when it is a well-formed {@link StoredTemporaryCredential},
 * else `null`. Only primitive fields are kept, so the copy shares nothing
 * with what the session holds.
 */
export function toStoredCredential(value: unknown): StoredTemporaryCredential | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const v = value as Record<string, unknown>
  if (typeof v.oauth_token !== 'string' || typeof v.oauth_token_secret !== 'string') return null
  if (typeof v.expires_at !== 'number' || !Number.isFinite(v.expires_at)) return null
  if (v.redirect_uri !== undefined && typeof v.redirect_uri !== 'string') return null
  const out: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(v)) {
    if (typeof field === 'string' || typeof field === 'number' || typeof field === 'boolean') {
      setOwn(out, name, field)
    }
  }
  return out as unknown as StoredTemporaryCredential
}

const BAD_CREDENTIAL_MESSAGE =
  'value must be a temporary credential { oauth_token, oauth_token_secret, expires_at, redirect_uri? }'

function checkStoreArgs(key: unknown, value?: unknown, withValue = false): void {
  if (typeof key !== 'string' || key === '') throw new TypeError('key must be a non-empty string')
  if (withValue && toStoredCredential(value) === null) throw new TypeError(BAD_CREDENTIAL_MESSAGE)
}

/**
 * Checks a store factory's options: an object naming only `known` options
 * (`prefix` names the factory in the TypeError), with `now` a function.
 */
function checkOptions(options: unknown, known: readonly string[], prefix: string): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('options must be an object')
  if (known.includes('sealer') && Object.hasOwn(options, 'secret')) {
    // `secret` is every middleware's name for what seals the entries: here it
    // would be dropped and the token secrets kept in plaintext.
    throw new TypeError(
      `${prefix}unknown option "secret" (known: ${known.join(', ')}); to seal the entries, pass { sealer: createSealer(secret) }`,
    )
  }
  checkKnownOptions(options, known, prefix)
  const now = (options as { now?: unknown }).now
  if (now !== undefined && typeof now !== 'function') throw new TypeError('now must be a function')
}

/** The option `name` (`maxEntries`, `maxBytes`): a positive integer, `fallback` when not given. */
function positiveInteger(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${name} must be a positive integer`)
  }
  return value
}

// ---------------------------------------------------------------------------
// Session record store
// ---------------------------------------------------------------------------

/** How {@link createSessionRecordStore} reaches the record kept in the session. */
export interface SessionRecordAccess {
  /** The record kept in the session (e.g. `req.session.oauth1`), or nothing yet. */
  read(): Awaitable<Record<string, unknown> | null | undefined>
  /**
   * Replaces the record (a new object each time, without a prototype: its keys
   * name request tokens); `undefined` removes it from the session.
   */
  write(record: Record<string, unknown> | undefined): Awaitable<void>
}

/** Options of {@link createSessionRecordStore}. */
export interface SessionRecordStoreOptions {
  /** Seals every entry, so no token secret sits in plaintext in a cookie session. */
  sealer?: Sealer | undefined
  /**
   * Pending logins kept per session; the oldest is evicted beyond it. Default 5.
   */
  maxEntries?: number | undefined
  /**
   * The most characters of JSON the record may take; the oldest pending logins
   * are evicted beyond it (the newest is always kept). Default 2048, which
   * keeps a cookie session (the record sealed or encoded again, with the app's
   * own data) under browsers' 4 KB cookie limit even when callbacks carry long
   * return URLs: five sealed pending logins fit with 60-character callbacks,
   * three with 200-character ones. Raise it for a server-side session store.
   */
  maxBytes?: number | undefined
  /** The clock used to prune expired entries (ms since the epoch). Default `Date.now`. */
  now?: (() => number) | undefined
}

/** The options {@link createSessionRecordStore} knows, listed from their type so the two cannot drift. */
const SESSION_RECORD_STORE_OPTIONS: readonly string[] = Object.keys({
  sealer: true,
  maxEntries: true,
  maxBytes: true,
  now: true,
} satisfies Record<keyof SessionRecordStoreOptions, true>)

/**
 * A {@link TemporaryCredentialStore} over one record in a framework session:
 * each key is a property of the record, each value a temporary credential
 * (sealed into a string when a `sealer` is given). Every `set` prunes expired
 * and malformed entries and keeps at most `maxEntries`, within `maxBytes` of
 * JSON (the oldest evicted first); a malformed or
 * tampered entry reads as `null`. The record is removed from the session when
 * its last entry is deleted.
 *
 * @see https://oauth.net/advisories/2009-1/ (temporary credentials are bound to the session)
 * @example
 * ```ts
 * const store = createSessionRecordStore(
 *   {
 *     read: () => req.session.oauth1,
 *     write: (record) => { req.session.oauth1 = record },
 *   },
 *   { sealer: createSealer(process.env.SESSION_SECRET!) },
 * )
 * ```
 */
export function createSessionRecordStore(
  access: SessionRecordAccess,
  options: SessionRecordStoreOptions = {},
): TemporaryCredentialStore {
  if (
    typeof access !== 'object' ||
    access === null ||
    typeof access.read !== 'function' ||
    typeof access.write !== 'function'
  ) {
    throw new TypeError('access must be an object with read() and write(record)')
  }
  checkOptions(options, SESSION_RECORD_STORE_OPTIONS, 'createSessionRecordStore(access, options): ')
  const { sealer } = options
  if (
    sealer !== undefined &&
    (typeof sealer?.seal !== 'function' || typeof sealer.unseal !== 'function')
  ) {
    throw new TypeError('sealer must be a Sealer (see createSealer)')
  }
  const maxEntries = positiveInteger(options.maxEntries, DEFAULT_SESSION_MAX_ENTRIES, 'maxEntries')
  const maxBytes = positiveInteger(options.maxBytes, DEFAULT_SESSION_MAX_BYTES, 'maxBytes')
  const now = options.now ?? Date.now

  // Over a synchronous session and without a sealer, every method runs to its
  // end at once and makes one promise (a login calls three of them): `after`
  // goes on synchronously from a value and waits only for a real promise.
  const decode = (key: string, entry: unknown): Awaitable<StoredTemporaryCredential | null> => {
    if (sealer === undefined) return toStoredCredential(entry)
    // With a sealer only sealed strings are trusted, and each is bound to its key
    // (the key is authenticated data of the seal, so an entry moved under
    // another key does not open).
    if (typeof entry !== 'string') return null
    // A sealer that throws rather than rejects: a rejection all the same, so that
    // `set`, decoding every entry at once, leaves none of the others' unhandled.
    try {
      return after(sealer.unseal(entry, key), toStoredCredential)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  return {
    get(key) {
      return settle(() => {
        checkStoreArgs(key)
        return after(access.read(), (record) => {
          const entry = entriesOf(record).find(([k]) => k === key)
          return entry === undefined ? null : decode(key, entry[1])
        })
      })
    },

    set(key, value) {
      return settle(() => {
        checkStoreArgs(key)
        // Checked and copied in one pass: the copy is what the session keeps (or seals).
        const copy = toStoredCredential(value)
        if (copy === null) throw new TypeError(BAD_CREDENTIAL_MESSAGE)
        const at = now()
        return after(access.read(), (record) => {
          const others = entriesOf(record).filter(([k]) => k !== key)
          return after(allOf(others.map(([k, entry]) => decode(k, entry))), (credentials) => {
            const kept = others.filter((_, i) => {
              const credential = credentials[i]
              return credential != null && credential.expires_at > at
            })
            const entry: Awaitable<unknown> = sealer === undefined ? copy : sealer.seal(copy, key)
            return after(entry, (sealed) => {
              kept.push([key, sealed])
              while (kept.length > maxEntries) kept.shift()
              let record = recordOf(kept)
              // Within maxBytes of JSON, the oldest evicted first: a cookie session
              // over 4 KB is dropped by the browser, and every pending login with it.
              while (kept.length > 1 && JSON.stringify(record).length > maxBytes) {
                kept.shift()
                record = recordOf(kept)
              }
              return after(access.write(record), () => undefined)
            })
          })
        })
      })
    },

    delete(key) {
      return settle(() => {
        checkStoreArgs(key)
        return after(access.read(), (record) => {
          const entries = entriesOf(record)
          const kept = entries.filter(([k]) => k !== key)
          if (kept.length === entries.length) return undefined // nothing to delete: leave the session untouched
          return after(
            access.write(kept.length === 0 ? undefined : recordOf(kept)),
            () => undefined,
          )
        })
      })
    },
  }
}

/**
 * The record the session keeps, from its entries. Without a prototype, so
 * that V8 keeps it as a dictionary: its keys are new each login (they name
 * the request token), and every new key on an ordinary object costs a new
 * hidden class. Serialized (JSON, a cookie's seal) like any other record.
 */
function recordOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const record: Record<string, unknown> = Object.create(null)
  for (const [key, value] of entries) record[key] = value
  return record
}

/** The entries of a session record; none when it is not a plain record. */
function entriesOf(record: unknown): [string, unknown][] {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return []
  return Object.entries(record)
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/** `then(value)` now for a value, once it settles for a promise. */
function after<T, R>(value: Awaitable<T>, then: (value: T) => Awaitable<R>): Awaitable<R> {
  return isPromiseLike(value) ? Promise.resolve(value).then(then) : then(value as T)
}

/** The values, or a promise of them when any is a promise. */
function allOf<T>(values: Awaitable<T>[]): Awaitable<T[]> {
  return values.some(isPromiseLike) ? Promise.all(values) : (values as T[])
}

/** What `run` gives, as a promise: a throw becomes a rejection, as from an async function. */
function settle<T>(run: () => Awaitable<T>): Promise<T> {
  try {
    return Promise.resolve(run())
  } catch (err) {
    return Promise.reject(err)
  }
}

// ---------------------------------------------------------------------------
// Memory store
// ---------------------------------------------------------------------------

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Entries kept at most; the oldest is evicted beyond it. Default 1000. */
  maxEntries?: number | undefined
  /** The clock used to prune expired entries (ms since the epoch). Default `Date.now`. */
  now?: (() => number) | undefined
}

/** The options {@link createMemoryStore} and {@link createMemoryServerStore} know, from their types. */
const MEMORY_STORE_OPTIONS: readonly string[] = Object.keys({
  maxEntries: true,
  now: true,
} satisfies Record<keyof MemoryStoreOptions | keyof MemoryServerStoreOptions, true>)

/**
 * An in-memory {@link TemporaryCredentialStore}, for tests, and for
 * server-side use where you keep one store per user session yourself. Values
 * are copied in and out; expired entries are pruned on every `set`; `take`
 * is atomic (within the process).
 *
 * @example
 * ```ts
 * const store = createMemoryStore()
 * const url = await oauth.twitter.beginAuthorization(store, 'https://app.example/callback')
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): TemporaryCredentialStore {
  checkOptions(options, MEMORY_STORE_OPTIONS, 'createMemoryStore(options): ')
  const maxEntries = positiveInteger(options.maxEntries, 1000, 'maxEntries')
  const now = options.now ?? Date.now
  const entries = new Map<string, StoredTemporaryCredential>()
  return {
    get(key) {
      checkStoreArgs(key)
      const value = entries.get(key)
      return value === undefined ? null : toStoredCredential(value)
    },
    set(key, value) {
      checkStoreArgs(key, value, true)
      const at = now()
      for (const [k, v] of entries) if (v.expires_at <= at) entries.delete(k)
      entries.delete(key)
      entries.set(key, toStoredCredential(value)!)
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    },
    delete(key) {
      checkStoreArgs(key)
      entries.delete(key)
    },
    take(key) {
      checkStoreArgs(key)
      const value = entries.get(key)
      entries.delete(key)
      return value === undefined ? null : toStoredCredential(value)
    },
  }
}

// ---------------------------------------------------------------------------
// Single use
// ---------------------------------------------------------------------------

/**
 * Removes the entry at `key` from `store` and returns what it held (or
 * `null`): with the store's atomic `take` when it has one, else `get` then
 * `delete`. What the callback does with the pending login it names, so the
 * login is used once whatever happens next.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3 (temporary credentials are single use)
 * @example
 * ```ts
 * const pending = await takeTemporaryCredential(store, temporaryCredentialKey('twitter', token))
 * ```
 */
export async function takeTemporaryCredential(
  store: TemporaryCredentialStore,
  key: string,
): Promise<StoredTemporaryCredential | null> {
  if (typeof store.take === 'function') return (await store.take(key)) ?? null
  const stored = await store.get(key)
  if (stored !== null) await store.delete(key)
  return stored
}

// ---------------------------------------------------------------------------
// Server-side stores, bound to a browser by an id
// ---------------------------------------------------------------------------

/** Random bytes in a binding id: 128 bits from the CSPRNG. */
const BINDING_ID_BYTES = 16
const BINDING_ID = /^[A-Za-z0-9_-]{22,64}$/

/**
 * A new per-browser binding id: 128 bits from the CSPRNG
 * (`crypto.getRandomValues`), base64url (22 characters). Unguessable, and no
 * secret: it only names where this browser's pending logins are kept.
 */
export function generateBindingId(): string {
  return base64UrlEncode(globalThis.crypto.getRandomValues(new Uint8Array(BINDING_ID_BYTES)))
}

/** True for a string shaped like a {@link generateBindingId} id (base64url, 22 to 64 characters). */
export function isBindingId(value: unknown): value is string {
  return typeof value === 'string' && BINDING_ID.test(value)
}

/** True when `value` is a {@link ServerSideStore} (an object with `forBinding`). */
export function isServerSideStore(value: unknown): value is ServerSideStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { forBinding?: unknown }).forBinding === 'function'
  )
}

/**
 * `value` when it is a {@link ServerSideStore}; else a TypeError naming the
 * option (`name`), as every adapter's `middleware({ store })` reports it.
 */
export function checkServerSideStore(value: unknown, name = 'store'): ServerSideStore {
  if (isServerSideStore(value)) return value
  throw new TypeError(
    `${name} should be a server-side store such as redisStore(client) of @oauth1/redis (an object with forBinding(bindingId))`,
  )
}

/** Where an adapter keeps a browser's binding id: a session property, or a cookie of its own. */
export interface BindingIdAccess {
  /** The id kept for this browser, if any; anything that is not a binding id reads as none. */
  read(): Awaitable<unknown>
  /** Keeps a new id for this browser; called only when it has none, before its first entry is stored. */
  write(bindingId: string): Awaitable<void>
}

/**
 * The {@link TemporaryCredentialStore} of one request over a
 * {@link ServerSideStore}: its entries live in `store` under this browser's
 * binding id, which `access` keeps (in the session, or a cookie). Reads with
 * no id find nothing and write nothing; the first `set` of a browser without
 * one makes an id ({@link generateBindingId}) and writes it through `access`.
 * A browser that already has an id never has its session written again, so
 * logins it starts at the same moment each keep their own entry. `take` is
 * the store's atomic one.
 *
 * What every adapter's `oauth.middleware({ store })` builds per request.
 *
 * @see https://oauth.net/advisories/2009-1/ (the pending login stays bound to its browser)
 * @example
 * ```ts
 * const store = createBoundStore(redisStore(redis), {
 *   read: () => req.session.oauth1,
 *   write: (id) => { req.session.oauth1 = id },
 * })
 * const url = await oauth.twitter.beginAuthorization(store, 'https://app.example/authorize')
 * ```
 */
export function createBoundStore(
  store: ServerSideStore,
  access: BindingIdAccess,
): TemporaryCredentialStore & Required<Pick<TemporaryCredentialStore, 'take'>> {
  checkServerSideStore(store)
  if (
    typeof access !== 'object' ||
    access === null ||
    typeof access.read !== 'function' ||
    typeof access.write !== 'function'
  ) {
    throw new TypeError('access must be an object with read() and write(bindingId)')
  }
  /** The id this request made, once written (a cookie written now is not read back until the next request). */
  let made: string | undefined
  let making: Promise<string> | undefined

  const current = async (): Promise<string | undefined> => {
    if (made !== undefined) return made
    const id = await access.read()
    return isBindingId(id) ? id : undefined
  }
  /** This browser's store in `store`, checked: a store without an atomic `take` would break single use. */
  const bound = (id: string) => {
    const found: unknown = store.forBinding(id)
    const methods = found as Partial<Record<'get' | 'set' | 'delete' | 'take', unknown>> | null
    if (
      typeof found !== 'object' ||
      found === null ||
      isPromiseLike(found) ||
      !(['get', 'set', 'delete', 'take'] as const).every((m) => typeof methods?.[m] === 'function')
    ) {
      throw new TypeError(
        'store.forBinding(bindingId) should return a store with get, set, delete and an atomic take (as redisStore(client) of @oauth1/redis does)',
      )
    }
    return found as ReturnType<ServerSideStore['forBinding']>
  }
  const existing = async () => {
    const id = await current()
    return id === undefined ? undefined : bound(id)
  }
  const ensure = async (): Promise<string> => {
    const id = await current()
    if (id !== undefined) return id
    making ??= (async () => {
      const fresh = generateBindingId()
      await access.write(fresh)
      made = fresh
      return fresh
    })()
    // A failed write is tried again by the next set.
    making.catch(() => {
      making = undefined
    })
    return making
  }

  return {
    async get(key) {
      checkStoreArgs(key)
      const bound = await existing()
      return bound === undefined ? null : toStoredCredential(await bound.get(key))
    },
    async set(key, value) {
      checkStoreArgs(key, value, true)
      await bound(await ensure()).set(key, toStoredCredential(value)!)
    },
    async delete(key) {
      checkStoreArgs(key)
      const bound = await existing()
      if (bound !== undefined) await bound.delete(key)
    },
    async take(key) {
      checkStoreArgs(key)
      const bound = await existing()
      return bound === undefined ? null : toStoredCredential(await bound.take(key))
    },
  }
}

/** Options of {@link createMemoryServerStore}. */
export interface MemoryServerStoreOptions {
  /** Pending logins kept at most, all browsers together; the oldest is evicted beyond it. Default 10 000. */
  maxEntries?: number | undefined
  /** The clock used for expiry (ms since the epoch). Default `Date.now`. */
  now?: (() => number) | undefined
}

/**
 * A {@link ServerSideStore} in this process's memory: atomic single use and
 * concurrent logins that never overwrite each other, like the Redis store,
 * but for ONE instance only (a callback landing on another process finds
 * nothing). Bounded: expired entries are dropped as new ones come, and at
 * most `maxEntries` are kept.
 *
 * @example
 * ```ts
 * app.use(oauth.middleware({ store: createMemoryServerStore() }))
 * ```
 */
export function createMemoryServerStore(options: MemoryServerStoreOptions = {}): ServerSideStore {
  checkOptions(options, MEMORY_STORE_OPTIONS, 'createMemoryServerStore(options): ')
  const maxEntries = positiveInteger(options.maxEntries, 10_000, 'maxEntries')
  const now = options.now ?? Date.now
  // Insertion order is (nearly) expiry order: every login gets the app's TTL.
  const entries = new Map<string, StoredTemporaryCredential>()
  const live = (full: string): StoredTemporaryCredential | undefined => {
    const value = entries.get(full)
    if (value === undefined) return undefined
    if (value.expires_at > now()) return value
    entries.delete(full)
    return undefined
  }
  return {
    forBinding(bindingId) {
      if (!isBindingId(bindingId)) {
        throw new TypeError('bindingId must be a binding id (see generateBindingId)')
      }
      const full = (key: string) => `${bindingId}:${key}`
      return {
        get(key) {
          checkStoreArgs(key)
          const value = live(full(key))
          return value === undefined ? null : toStoredCredential(value)
        },
        set(key, value) {
          checkStoreArgs(key, value, true)
          const at = now()
          for (const [k, v] of entries) {
            if (v.expires_at > at) break
            entries.delete(k)
          }
          entries.delete(full(key))
          if (value.expires_at <= at) return
          entries.set(full(key), toStoredCredential(value)!)
          while (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
        },
        delete(key) {
          checkStoreArgs(key)
          entries.delete(full(key))
        },
        take(key) {
          checkStoreArgs(key)
          const value = live(full(key))
          entries.delete(full(key))
          return value === undefined ? null : toStoredCredential(value)
        },
      }
    },
  }
}
