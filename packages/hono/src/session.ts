import {
  createBoundStore,
  createSessionRecordStore,
  type Sealer,
  type ServerSideStore,
  type StoredTemporaryCredential,
  type TemporaryCredentialStore,
  takeTemporaryCredential,
} from '@oauth1/core'
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'

/**
 * What `oauth.middleware()` attaches to each request: the request's
 * temporary-credential store, and a hook run once the rest of the request
 * has run (to put the cookie on the final response).
 */
export interface RequestBinding {
  readonly store: TemporaryCredentialStore
  /** Waits for pending writes; makes the final response carry the latest cookie. */
  settle(c: Context): Promise<void>
}

/** What browsers keep at most for one cookie (name, value and attributes). */
export const MAX_COOKIE_SIZE = 4096

/** Marks our sealed payload, so a value sealed elsewhere with the same secret is refused. */
const PURPOSE = '@oauth1/hono temporary credentials v1'

/** Settings of the encrypted cookie, resolved once per request. */
export interface CookieSettings {
  /** The cookie's name for this request (with `__Host-` when Secure). */
  name: string
  secure: boolean
  maxEntries: number
  /** Max-Age when the entries carry no expiry of their own, in seconds. */
  fallbackMaxAge: number
}

type SessionRecord = Record<string, unknown>

function isRecord(value: unknown): value is SessionRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function expiryOf(entry: unknown): number | undefined {
  if (!isRecord(entry)) return undefined
  const expires = (entry as Partial<StoredTemporaryCredential>).expires_at
  return typeof expires === 'number' && Number.isFinite(expires) ? expires : undefined
}

/**
 * The temporary credentials of one browser, kept in one cookie of their own,
 * sealed as a whole with AES-256-GCM (so encrypted and tamper-evident),
 * `HttpOnly`, `SameSite=Lax` (the provider's redirect back is a top-level
 * cross-site GET, which `Strict` would strip), `Path=/`, `Secure` unless the
 * app runs on plain http on loopback, and a `Max-Age` that ends with the last
 * pending credential.
 */
export class CookieBinding implements RequestBinding {
  readonly store: TemporaryCredentialStore
  readonly #c: Context
  readonly #sealer: Sealer
  readonly #settings: CookieSettings
  #loaded: Promise<void> | undefined
  #record: SessionRecord | undefined
  #hadCookie = false
  #writes: Promise<void> = Promise.resolve()
  #setCookie: string | undefined

  constructor(c: Context, sealer: Sealer, settings: CookieSettings) {
    this.#c = c
    this.#sealer = sealer
    this.#settings = settings
    this.store = createSessionRecordStore(
      {
        read: () => this.#read(),
        write: (record) => this.#enqueueWrite(record),
      },
      { maxEntries: settings.maxEntries },
    )
  }

  async #read(): Promise<SessionRecord | undefined> {
    this.#loaded ??= this.#load()
    await this.#loaded
    await this.#writes
    return this.#record === undefined ? undefined : { ...this.#record }
  }

  async #load(): Promise<void> {
    const raw = getCookie(this.#c, this.#settings.name)
    if (raw === undefined || raw === '') return
    this.#hadCookie = true
    // A cookie larger than we ever write is not ours: skip the decryption.
    if (raw.length > MAX_COOKIE_SIZE) return
    const opened = await this.#sealer.unseal(raw)
    if (isRecord(opened) && opened.purpose === PURPOSE && isRecord(opened.record)) {
      this.#record = { ...opened.record }
    }
  }

  #enqueueWrite(record: SessionRecord | undefined): Promise<void> {
    const write = this.#writes.then(() => this.#write(record))
    // Keep the queue alive after a failed write; the caller still sees the failure.
    this.#writes = write.catch(() => {})
    return write
  }

  async #write(input: SessionRecord | undefined): Promise<void> {
    this.#loaded ??= this.#load()
    await this.#loaded
    const record = input === undefined ? undefined : { ...input }
    const { name } = this.#settings
    if (record === undefined || Object.keys(record).length === 0) {
      this.#record = undefined
      if (!this.#hadCookie && this.#setCookie === undefined) return
      this.#emit(this.#serialize(name, '', 0))
      return
    }
    for (;;) {
      const sealed = await this.#sealer.seal({ purpose: PURPOSE, record })
      const cookie = this.#serialize(name, sealed, this.#maxAge(record))
      if (cookie.length <= MAX_COOKIE_SIZE || Object.keys(record).length <= 1) {
        if (cookie.length > MAX_COOKIE_SIZE) {
          throw new RangeError(
            `@oauth1/hono: the temporary credentials need a ${cookie.length}-byte cookie, more than browsers keep (${MAX_COOKIE_SIZE}); use a shorter redirectUri or options.store`,
          )
        }
        this.#record = record
        this.#emit(cookie)
        return
      }
      // Too large for one cookie: drop the pending login that expires first.
      delete record[this.#oldestKey(record)]
    }
  }

  #oldestKey(record: SessionRecord): string {
    let oldest: string | undefined
    let oldestExpiry = Number.POSITIVE_INFINITY
    for (const [key, entry] of Object.entries(record)) {
      const expiry = expiryOf(entry) ?? Number.NEGATIVE_INFINITY
      if (oldest === undefined || expiry < oldestExpiry) {
        oldest = key
        oldestExpiry = expiry
      }
    }
    return oldest as string
  }

  #maxAge(record: SessionRecord): number {
    let latest: number | undefined
    for (const entry of Object.values(record)) {
      const expiry = expiryOf(entry)
      if (expiry !== undefined && (latest === undefined || expiry > latest)) latest = expiry
    }
    if (latest === undefined) return this.#settings.fallbackMaxAge
    return Math.max(1, Math.ceil((latest - Date.now()) / 1000))
  }

  #serialize(name: string, value: string, maxAge: number): string {
    return `${name}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${this.#settings.secure ? '; Secure' : ''}`
  }

  #emit(cookie: string): void {
    this.#setCookie = cookie
    // Set on the context at once, so a response built with c.redirect(),
    // c.json()… or by Hono's error handler carries it; settle() removes the
    // earlier copies when a request wrote more than once, and adds it to a
    // response built without c.
    if (!this.#c.finalized) this.#c.header('Set-Cookie', cookie, { append: true })
  }

  async settle(c: Context): Promise<void> {
    await this.#writes
    if (this.#setCookie !== undefined) putLatestCookie(c, this.#settings.name, this.#setCookie)
  }
}

/**
 * Makes the final response carry `latest` as its only `Set-Cookie` for
 * cookie `name`: drops earlier copies (a request that wrote more than once),
 * adds it to a response built without `c`.
 */
function putLatestCookie(c: Context, name: string, latest: string): void {
  const prefix = `${name}=`
  const all = c.res.headers.getSetCookie()
  const ours = all.filter((value) => value.startsWith(prefix))
  if (ours.length === 1 && ours[0] === latest) return
  // Rebuild the response rather than edit its headers: a Response from
  // fetch() or Response.redirect() has immutable headers, and Hono < 4.7
  // edits c.res in place. Clearing c.res first keeps Hono's setter from
  // merging the old Set-Cookie headers back in.
  const res = c.res
  const headers = new Headers(res.headers)
  headers.delete('set-cookie')
  for (const value of all) if (!value.startsWith(prefix)) headers.append('set-cookie', value)
  headers.append('set-cookie', latest)
  const rebuilt = new Response(res.body, {
    status: res.status,
    statusText: res.statusText,
    headers,
  })
  c.res = undefined
  c.res = rebuilt
}

/** Settings of the binding-id cookie, resolved once per request. */
export interface BindingCookieSettings {
  /** The cookie's name for this request (with `__Host-` when Secure). */
  name: string
  secure: boolean
}

/**
 * The pending logins of one browser in a server-side store
 * (`middleware({ store: redisStore(redis) })`), found through a cookie that
 * holds only the browser's binding id: `HttpOnly`, `SameSite=Lax`, `Path=/`,
 * `Secure` unless the app runs on plain http on loopback, and no `Max-Age`
 * (it ends with the browser session). Written once per browser, on its first
 * login: later logins, even at the same moment, leave it alone.
 */
export class BoundCookieBinding implements RequestBinding {
  readonly store: TemporaryCredentialStore
  readonly #c: Context
  readonly #settings: BindingCookieSettings
  #setCookie: string | undefined

  constructor(c: Context, server: ServerSideStore, settings: BindingCookieSettings) {
    this.#c = c
    this.#settings = settings
    this.store = createBoundStore(server, {
      read: () => getCookie(c, settings.name),
      write: (id) => {
        this.#setCookie = `${settings.name}=${id}; Path=/; HttpOnly; SameSite=Lax${settings.secure ? '; Secure' : ''}`
        // Set on the context at once, so a response built with c (or by Hono's
        // error handler) carries it; settle() adds it to one built without c.
        if (!this.#c.finalized) this.#c.header('Set-Cookie', this.#setCookie, { append: true })
      },
    })
  }

  async settle(c: Context): Promise<void> {
    if (this.#setCookie !== undefined) putLatestCookie(c, this.#settings.name, this.#setCookie)
  }
}

/** A store the application supplies (`middleware({ store })`), resolved on first use. */
export class CustomStoreBinding implements RequestBinding {
  readonly store: TemporaryCredentialStore
  #resolved: Promise<TemporaryCredentialStore> | undefined

  constructor(c: Context, factory: (c: Context) => unknown) {
    const resolve = (): Promise<TemporaryCredentialStore> => {
      this.#resolved ??= Promise.resolve()
        .then(() => factory(c))
        .then((store) => {
          if (
            !isRecord(store) ||
            typeof store.get !== 'function' ||
            typeof store.set !== 'function' ||
            typeof store.delete !== 'function'
          ) {
            throw new TypeError(
              '@oauth1/hono: options.store must return a TemporaryCredentialStore ({ get, set, delete }) for the request',
            )
          }
          return store as unknown as TemporaryCredentialStore
        })
      return this.#resolved
    }
    this.store = {
      get: async (key) => (await resolve()).get(key),
      set: async (key, value) => (await resolve()).set(key, value),
      delete: async (key) => (await resolve()).delete(key),
      // the store's own atomic take, when it has one
      take: async (key) => takeTemporaryCredential(await resolve(), key),
    }
  }

  async settle(): Promise<void> {}
}
