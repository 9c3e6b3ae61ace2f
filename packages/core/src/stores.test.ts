import { describe, expect, it, vi } from 'vitest'
import { OAuthError } from './errors.js'
import {
  base64UrlDecode,
  base64UrlEncode,
  checkServerSideStore,
  createBoundStore,
  createMemoryServerStore,
  createMemoryStore,
  createSealer,
  createSessionRecordStore,
  DEFAULT_SESSION_MAX_BYTES,
  DEFAULT_SESSION_MAX_ENTRIES,
  generateBindingId,
  isBindingId,
  isServerSideStore,
  type SessionRecordAccess,
  takeTemporaryCredential,
} from './stores.js'
import { runStoreConformanceTests, SESSION_RECORD_LIMITATIONS } from './testing.js'
import type { ServerSideStore, StoredTemporaryCredential } from './types.js'

const SECRET = 'a-session-secret-of-at-least-32-chars!!'
const OTHER = 'another-secret-that-is-32-chars-long!!!'

/** A session that lives between requests as JSON, like a cookie or a session store does. */
function fakeSession() {
  let serialized: string | undefined
  const writes: (Record<string, unknown> | undefined)[] = []
  const access: SessionRecordAccess = {
    read: () => (serialized === undefined ? undefined : JSON.parse(serialized)),
    write: (record) => {
      writes.push(record)
      serialized = record === undefined ? undefined : JSON.stringify(record)
    },
  }
  return {
    access,
    writes,
    raw: () => serialized,
    setRaw: (record: unknown) => {
      serialized = JSON.stringify(record)
    },
  }
}

const cred = (token: string, expiresIn = 60_000) => ({
  oauth_token: token,
  oauth_token_secret: `${token}-secret`,
  redirect_uri: 'https://client.example/cb',
  expires_at: Date.now() + expiresIn,
})

runStoreConformanceTests('createMemoryStore', () => ({ store: createMemoryStore() }))

const limitations = SESSION_RECORD_LIMITATIONS

runStoreConformanceTests(
  'createSessionRecordStore',
  () => {
    const session = fakeSession()
    const make = () => createSessionRecordStore(session.access)
    return { store: make(), reopen: make }
  },
  { limitations },
)

runStoreConformanceTests(
  'createSessionRecordStore with a sealer',
  () => {
    const session = fakeSession()
    const sealer = createSealer(SECRET)
    const make = () => createSessionRecordStore(session.access, { sealer })
    return { store: make(), reopen: make }
  },
  { limitations },
)

runStoreConformanceTests(
  'createSessionRecordStore with a rotated sealer (reopen)',
  () => {
    const session = fakeSession()
    const make = () =>
      createSessionRecordStore(session.access, { sealer: createSealer([SECRET, OTHER]) })
    return {
      store: make(),
      reopen: () =>
        createSessionRecordStore(session.access, { sealer: createSealer([OTHER, SECRET]) }),
    }
  },
  { limitations },
)

runStoreConformanceTests('createMemoryServerStore, one binding', () => ({
  store: createMemoryServerStore().forBinding(generateBindingId()),
}))

runStoreConformanceTests('createBoundStore over createMemoryServerStore, across requests', () => {
  // The binding id lives in a session that each request reads as JSON, like a cookie.
  const session = fakeSession()
  const server = createMemoryServerStore()
  const make = () =>
    createBoundStore(server, {
      read: () => (session.access.read() as Record<string, unknown> | undefined)?.id,
      write: (id) => session.access.write({ id }),
    })
  return { store: make(), reopen: make }
})

describe('createSealer', () => {
  it('binds a value to its context: it opens only with the same one', async () => {
    const sealer = createSealer(SECRET)
    const sealed = await sealer.seal({ a: 1 }, 'twitter:T1')
    expect(await sealer.unseal(sealed, 'twitter:T1')).toEqual({ a: 1 })
    expect(await sealer.unseal(sealed, 'twitter:T2')).toBeNull()
    expect(await sealer.unseal(sealed)).toBeNull()
    expect(await sealer.unseal(await sealer.seal({ a: 1 }), 'twitter:T1')).toBeNull()
    await expect(sealer.seal({ a: 1 }, 42 as never)).rejects.toThrow(
      new TypeError('context must be a string'),
    )
  })

  it('refuses to seal what it would not open: a value sealed past 64 KiB', async () => {
    const sealer = createSealer(SECRET)
    const fits = await sealer.seal({ pad: 'a'.repeat(40_000) })
    expect(await sealer.unseal(fits)).toEqual({ pad: 'a'.repeat(40_000) })
    await expect(sealer.seal({ pad: 'a'.repeat(60_000) })).rejects.toThrow(
      /^value is too large to seal: \d+ characters sealed, at most 65536 \(about 47 KB of JSON\)$/,
    )
  })

  it('checks every slot of a secret list, holes included', () => {
    const holed: string[] = new Array(2) // [ <hole>, SECRET ]
    holed[1] = SECRET
    expect(() => createSealer(holed)).toThrow(TypeError)
    expect(() => createSealer(holed)).toThrow(/secret\[0\]/)
    expect(() => createSealer(new Array(1) as never)).toThrow(/secret\[0\]/)
  })

  it('round-trips JSON values', async () => {
    const sealer = createSealer(SECRET)
    for (const value of [{ a: 'b', n: 1, nested: [true, null] }, 'text 😀', 42, null, []]) {
      expect(await sealer.unseal(await sealer.seal(value))).toEqual(value)
    }
  })

  it('outputs versioned base64url, a fresh IV every time', async () => {
    const sealer = createSealer(SECRET)
    const a = await sealer.seal({ secret: 'kd94hf93k423kf44' })
    const b = await sealer.seal({ secret: 'kd94hf93k423kf44' })
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain('kd94hf93k423kf44')
    const bytes = base64UrlDecode(a)!
    expect(bytes[0]).toBe(1)
    expect(bytes.subarray(1, 13)).not.toEqual(base64UrlDecode(b)!.subarray(1, 13))
  })

  it('accepts a Uint8Array secret of 32 bytes', async () => {
    const sealer = createSealer(new Uint8Array(32).fill(7))
    expect(await sealer.unseal(await sealer.seal('x'))).toBe('x')
  })

  it('unseals null for tampering, a wrong key, garbage, or another version', async () => {
    const sealer = createSealer(SECRET)
    const sealed = await sealer.seal({ oauth_token_secret: 's' })
    const bytes = base64UrlDecode(sealed)!
    for (let i = 0; i < bytes.length; i += 7) {
      const flipped = new Uint8Array(bytes)
      flipped[i]! ^= 1
      expect(await sealer.unseal(base64UrlEncode(flipped))).toBeNull()
    }
    expect(await createSealer(OTHER).unseal(sealed)).toBeNull()
    for (const garbage of [
      '',
      'not base64!',
      'AA',
      sealed.slice(0, 20),
      `${sealed}A`,
      'x'.repeat(70_000),
    ]) {
      expect(await sealer.unseal(garbage)).toBeNull()
    }
    expect(await sealer.unseal(123 as unknown as string)).toBeNull()
    const v2 = new Uint8Array(bytes)
    v2[0] = 2
    expect(await sealer.unseal(base64UrlEncode(v2))).toBeNull()
  })

  it('rotates keys: seals with the first, unseals with any', async () => {
    const old = createSealer(OTHER)
    const rotated = createSealer([SECRET, OTHER])
    const fromOld = await old.seal('old')
    expect(await rotated.unseal(fromOld)).toBe('old')
    const fromRotated = await rotated.seal('new')
    expect(await createSealer(SECRET).unseal(fromRotated)).toBe('new')
    expect(await old.unseal(fromRotated)).toBeNull()
  })

  it('refuses short or bad secrets with a TypeError naming the option', () => {
    expect(() => createSealer('short')).toThrow(
      new TypeError('secret must be at least 32 characters long'),
    )
    expect(() => createSealer(new Uint8Array(31))).toThrow(
      new TypeError('secret must be at least 32 bytes long'),
    )
    expect(() => createSealer([SECRET, 'short'])).toThrow(
      new TypeError('secret[1] must be at least 32 characters long'),
    )
    expect(() => createSealer([])).toThrow(new TypeError('secret must not be an empty list'))
    expect(() => createSealer(undefined as unknown as string)).toThrow(
      new TypeError('secret must be a string or a Uint8Array'),
    )
  })

  it('refuses to seal what JSON cannot hold', async () => {
    await expect(createSealer(SECRET).seal(undefined)).rejects.toThrow(TypeError)
  })
})

describe('createSessionRecordStore', () => {
  it('seals every entry: no token secret in plaintext in the session', async () => {
    const session = fakeSession()
    const store = createSessionRecordStore(session.access, { sealer: createSealer(SECRET) })
    await store.set('twitter:tok', cred('tok'))
    const raw = session.raw()!
    expect(raw).not.toContain('tok-secret')
    expect(typeof JSON.parse(raw)['twitter:tok']).toBe('string')
  })

  it('without a sealer keeps plain JSON entries', async () => {
    const session = fakeSession()
    const store = createSessionRecordStore(session.access)
    const value = cred('tok')
    await store.set('twitter:tok', value)
    expect(JSON.parse(session.raw()!)).toEqual({ 'twitter:tok': value })
  })

  it('writes a new record without a prototype, which reads back, live or from JSON', async () => {
    const written: Record<string, unknown>[] = []
    let current: Record<string, unknown> | undefined
    const store = createSessionRecordStore({
      read: () => current,
      write: (record) => {
        if (record !== undefined) written.push(record)
        current = record
      },
    })
    const a = cred('a')
    const b = cred('b')
    await store.set('twitter:a', a)
    await store.set('twitter:b', b)
    expect(written).toHaveLength(2)
    expect(written[0]).not.toBe(written[1])
    for (const record of written) expect(Object.getPrototypeOf(record)).toBeNull()
    expect(Object.keys(written[1]!)).toEqual(['twitter:a', 'twitter:b'])
    expect(await store.get('twitter:a')).toEqual(a)
    // As a session store gives it back: parsed, an ordinary object.
    current = JSON.parse(JSON.stringify(current))
    expect(Object.getPrototypeOf(current)).toBe(Object.prototype)
    expect(await store.get('twitter:b')).toEqual(b)
    await store.delete('twitter:a')
    expect(Object.getPrototypeOf(current)).toBeNull()
    expect(Object.keys(current!)).toEqual(['twitter:b'])
  })

  it('reads malformed entries as null', async () => {
    const session = fakeSession()
    const store = createSessionRecordStore(session.access)
    const good = cred('good')
    session.setRaw({
      a: 'string',
      b: null,
      c: { oauth_token: 'x' },
      d: { oauth_token: 'x', oauth_token_secret: 'y', expires_at: 'soon' },
      e: { oauth_token: 'x', oauth_token_secret: 'y', expires_at: 1, redirect_uri: 5 },
      f: [1, 2],
      good,
    })
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'constructor', 'toString']) {
      expect(await store.get(key)).toBeNull()
    }
    expect(await store.get('good')).toEqual(good)
    for (const record of [null, 'garbage', 42, [1]]) {
      session.setRaw(record)
      expect(await store.get('good')).toBeNull()
    }
  })

  it('with a sealer, refuses plaintext entries and entries moved to another key', async () => {
    const session = fakeSession()
    const store = createSessionRecordStore(session.access, { sealer: createSealer(SECRET) })
    await store.set('app:a', cred('a'))
    const sealedA = JSON.parse(session.raw()!)['app:a']
    session.setRaw({ 'app:b': sealedA, 'app:plain': cred('plain') })
    expect(await store.get('app:b')).toBeNull()
    expect(await store.get('app:plain')).toBeNull()
  })

  it('prunes expired and malformed entries on set', async () => {
    const session = fakeSession()
    let now = 1_000_000
    const store = createSessionRecordStore(session.access, { now: () => now })
    await store.set('app:old', { ...cred('old'), expires_at: now + 100 })
    await store.set('app:live', { ...cred('live'), expires_at: now + 10_000 })
    session.setRaw({ ...JSON.parse(session.raw()!), junk: 'x' })
    now += 500
    await store.set('app:new', { ...cred('new'), expires_at: now + 10_000 })
    expect(Object.keys(JSON.parse(session.raw()!))).toEqual(['app:live', 'app:new'])
  })

  it('keeps at most maxEntries, evicting the oldest', async () => {
    const session = fakeSession()
    const store = createSessionRecordStore(session.access, { maxEntries: 3 })
    for (const t of ['1', '2', '3', '4']) await store.set(`app:${t}`, cred(t))
    expect(await store.get('app:1')).toBeNull()
    expect(Object.keys(JSON.parse(session.raw()!))).toEqual(['app:2', 'app:3', 'app:4'])
    await store.set('app:2', cred('2'))
    expect(Object.keys(JSON.parse(session.raw()!))).toEqual(['app:3', 'app:4', 'app:2'])
  })

  it('defaults to 5 pending entries', async () => {
    const session = fakeSession()
    const store = createSessionRecordStore(session.access)
    for (let i = 0; i < 7; i++) await store.set(`app:${i}`, cred(String(i)))
    expect(Object.keys(JSON.parse(session.raw()!))).toHaveLength(DEFAULT_SESSION_MAX_ENTRIES)
    expect(DEFAULT_SESSION_MAX_ENTRIES).toBe(5)
    expect(await store.get('app:1')).toBeNull()
    expect(await store.get('app:6')).not.toBeNull()
  })

  it('keeps a full sealed record small enough for a cookie', async () => {
    const session = fakeSession()
    const store = createSessionRecordStore(session.access, { sealer: createSealer('s'.repeat(32)) })
    const token = 'a'.repeat(40)
    for (let i = 0; i < DEFAULT_SESSION_MAX_ENTRIES; i++) {
      await store.set(`twitter:${token}${i}`, {
        oauth_token: `${token}${i}`,
        oauth_token_secret: 'b'.repeat(40),
        redirect_uri: 'https://app.example.com/oauth/twitter/authorize?next=%2Fhome',
        expires_at: Date.now() + 600_000,
      })
    }
    // base64 of the JSON, as koa-session and cookie-session send it: under 3 KB,
    // leaving a quarter of the browsers' 4 KB cookie for the rest of the session
    expect(btoa(session.raw()!).length).toBeLessThan(3072)
  })

  it('keeps the record within maxBytes of JSON, evicting the oldest, never the newest', async () => {
    const sealer = createSealer('s'.repeat(32))
    // Callbacks with a long return URL, as apps send them: 200 characters.
    const long = (t: string) => ({
      ...cred(t),
      redirect_uri: `https://app.example.com/auth/twitter/callback?returnTo=${'%2Fpage'.repeat(18)}`,
    })
    const session = fakeSession()
    const store = createSessionRecordStore(session.access, { sealer })
    for (let i = 0; i < 7; i++) await store.set(`twitter:${'t'.repeat(27)}${i}`, long(`t${i}`))
    const kept = Object.keys(JSON.parse(session.raw()!))
    expect(session.raw()!.length).toBeLessThanOrEqual(DEFAULT_SESSION_MAX_BYTES)
    // The newest ones, in order, and fewer than maxEntries: the bytes bound them here.
    expect(kept.length).toBeGreaterThan(1)
    expect(kept.length).toBeLessThan(DEFAULT_SESSION_MAX_ENTRIES)
    expect(kept.at(-1)).toBe(`twitter:${'t'.repeat(27)}6`)
    expect(await store.get(kept[0]!)).not.toBeNull()
    // base64 of the JSON, as koa-session and cookie-session send it: well under 4 KB.
    expect(btoa(session.raw()!).length).toBeLessThan(3072)

    // One entry over the bound on its own is kept (alone): the bound evicts, it never refuses.
    const small = fakeSession()
    const tight = createSessionRecordStore(small.access, { maxBytes: 100 })
    await tight.set('app:a', cred('a'))
    await tight.set('app:b', cred('b'))
    expect(Object.keys(JSON.parse(small.raw()!))).toEqual(['app:b'])

    // A larger bound keeps them all, up to maxEntries.
    const roomy = fakeSession()
    const large = createSessionRecordStore(roomy.access, { sealer, maxBytes: 100_000 })
    for (let i = 0; i < 7; i++) await large.set(`twitter:${i}`, long(`t${i}`))
    expect(Object.keys(JSON.parse(roomy.raw()!))).toHaveLength(DEFAULT_SESSION_MAX_ENTRIES)
  })

  it.each([0, -1, 1.5, Number.NaN, '2048', null])('refuses maxBytes: %s', (maxBytes) => {
    expect(() =>
      createSessionRecordStore(fakeSession().access, { maxBytes: maxBytes as number }),
    ).toThrow(new TypeError('maxBytes must be a positive integer'))
  })

  it('removes the record when the last entry goes, and does not write when nothing changes', async () => {
    const session = fakeSession()
    const store = createSessionRecordStore(session.access)
    await store.delete('app:none')
    expect(session.writes).toEqual([])
    await store.set('app:a', cred('a'))
    await store.delete('app:a')
    expect(session.writes.at(-1)).toBeUndefined()
    expect(session.raw()).toBeUndefined()
  })

  it('rejects set once, leaving no rejection unhandled, when a sealer throws for one entry after rejecting for another', async () => {
    // A Sealer whose unseal is not an async function: a malformed entry throws at
    // once, a well-formed but tampered one gives a rejected promise.
    const sealer = {
      seal: async (value: unknown) => JSON.stringify(value),
      unseal(sealed: string): Promise<unknown> {
        if (!sealed.startsWith('v1.')) throw new TypeError('not a sealed value')
        return Promise.reject(new Error('tampered'))
      },
    }
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const session = fakeSession()
      session.setRaw({ 'app:tampered': 'v1.xxxx', 'app:malformed': 'garbage' })
      const store = createSessionRecordStore(session.access, { sealer })
      await expect(store.set('app:new', cred('new'))).rejects.toThrow()
      // unhandledRejection is emitted once the microtasks have run
      await new Promise((resolve) => setImmediate(resolve))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('stores keys such as __proto__ as own data', async () => {
    const session = fakeSession()
    const store = createSessionRecordStore(session.access)
    const value = cred('p')
    await store.set('__proto__', value)
    expect(await store.get('__proto__')).toEqual(value)
    expect(({} as Record<string, unknown>).oauth_token).toBeUndefined()
  })

  it('validates its arguments', async () => {
    expect(() => createSessionRecordStore({} as SessionRecordAccess)).toThrow(
      new TypeError('access must be an object with read() and write(record)'),
    )
    const access = fakeSession().access
    expect(() => createSessionRecordStore(access, { maxEntries: 0 })).toThrow(
      new TypeError('maxEntries must be a positive integer'),
    )
    expect(() => createSessionRecordStore(access, { sealer: {} as never })).toThrow(
      new TypeError('sealer must be a Sealer (see createSealer)'),
    )
    const store = createSessionRecordStore(access)
    await expect(store.set('k', { oauth_token: 'x' } as never)).rejects.toThrow(TypeError)
    await expect(store.get('' as string)).rejects.toThrow(
      new TypeError('key must be a non-empty string'),
    )
  })

  it('refuses an unknown option, naming it and the known ones', () => {
    const access = fakeSession().access
    expect(() => createSessionRecordStore(access, { maxEntires: 3 } as never)).toThrow(
      new TypeError(
        'createSessionRecordStore(access, options): unknown option "maxEntires" (known: sealer, maxEntries, maxBytes, now)',
      ),
    )
  })

  it("refuses { secret } (the middlewares' name) rather than keep token secrets in plaintext", async () => {
    const session = fakeSession()
    expect(() => createSessionRecordStore(session.access, { secret: SECRET } as never)).toThrow(
      new TypeError(
        'createSessionRecordStore(access, options): unknown option "secret" (known: sealer, maxEntries, maxBytes, now); to seal the entries, pass { sealer: createSealer(secret) }',
      ),
    )
    expect(session.writes).toEqual([])
  })
})

describe('createMemoryStore', () => {
  it('refuses an unknown option, naming it and the known ones', () => {
    expect(() => createMemoryStore({ maxEntires: 5 } as never)).toThrow(
      new TypeError(
        'createMemoryStore(options): unknown option "maxEntires" (known: maxEntries, now)',
      ),
    )
    expect(() => createMemoryStore({ sealer: {} } as never)).toThrow(
      new TypeError('createMemoryStore(options): unknown option "sealer" (known: maxEntries, now)'),
    )
  })

  it('prunes expired entries on set and bounds its size', async () => {
    let now = 0
    const store = createMemoryStore({ maxEntries: 2, now: () => now })
    await store.set('a', { ...cred('a'), expires_at: 10 })
    now = 20
    await store.set('b', { ...cred('b'), expires_at: 100 })
    expect(await store.get('a')).toBeNull()
    await store.set('c', { ...cred('c'), expires_at: 100 })
    await store.set('d', { ...cred('d'), expires_at: 100 })
    expect(await store.get('b')).toBeNull()
    expect(await store.get('c')).not.toBeNull()
  })

  it('is independent per instance', async () => {
    const a = createMemoryStore()
    const b = createMemoryStore()
    await a.set('k', cred('k'))
    expect(await b.get('k')).toBeNull()
  })

  it('uses no timers', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    createMemoryStore()
    expect(spy).not.toHaveBeenCalled()
    spy.mockRestore()
  })
})

/** One clock for the whole module, so `pending('t')` twice is the same credential. */
const LOADED_AT = Date.now()
const pending = (token: string, expiresIn = 600_000): StoredTemporaryCredential => ({
  oauth_token: token,
  oauth_token_secret: `${token}-secret`,
  redirect_uri: 'https://client.example/cb',
  expires_at: LOADED_AT + expiresIn,
})

describe('takeTemporaryCredential', () => {
  it("uses the store's own take when it has one, else get then delete", async () => {
    const calls: string[] = []
    const value = pending('t')
    const withTake = {
      get: () => {
        calls.push('get')
        return value
      },
      set: () => {},
      delete: () => {
        calls.push('delete')
      },
      take: () => {
        calls.push('take')
        return value
      },
    }
    expect(await takeTemporaryCredential(withTake, 'a:t')).toBe(value)
    expect(calls).toEqual(['take'])
    calls.length = 0
    const { take: _take, ...withoutTake } = withTake
    expect(await takeTemporaryCredential(withoutTake, 'a:t')).toBe(value)
    expect(calls).toEqual(['get', 'delete'])
  })

  it('does not delete what it did not find', async () => {
    const calls: string[] = []
    const store = {
      get: () => {
        calls.push('get')
        return null
      },
      set: () => {},
      delete: () => {
        calls.push('delete')
      },
    }
    expect(await takeTemporaryCredential(store, 'a:t')).toBeNull()
    expect(calls).toEqual(['get'])
  })
})

describe('binding ids', () => {
  it('are 128 random bits as 22 base64url characters, never twice the same', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 10_000; i++) {
      const id = generateBindingId()
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
      expect(base64UrlDecode(id)).toHaveLength(16)
      seen.add(id)
    }
    expect(seen.size).toBe(10_000)
  })

  it('come from crypto.getRandomValues', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues')
    try {
      generateBindingId()
      expect(spy).toHaveBeenCalledTimes(1)
      expect((spy.mock.calls[0]![0] as Uint8Array).byteLength).toBe(16)
    } finally {
      spy.mockRestore()
    }
  })

  it('isBindingId accepts base64url of 22 to 64 characters only', () => {
    expect(isBindingId(generateBindingId())).toBe(true)
    expect(isBindingId('a'.repeat(64))).toBe(true)
    for (const bad of [
      undefined,
      null,
      42,
      {},
      '',
      'a'.repeat(21),
      'a'.repeat(65),
      `${'a'.repeat(21)}=`,
      `${'a'.repeat(21)}:`,
      `${'a'.repeat(21)}/`,
      { 'app:t': pending('t') },
    ]) {
      expect(isBindingId(bad)).toBe(false)
    }
  })

  it('isServerSideStore tells a server-side store from a per-request one', () => {
    expect(isServerSideStore(createMemoryServerStore())).toBe(true)
    expect(isServerSideStore(createMemoryStore())).toBe(false)
    expect(isServerSideStore(null)).toBe(false)
    expect(isServerSideStore(() => createMemoryStore())).toBe(false)
  })
})

describe('createBoundStore', () => {
  /** A session kept as a plain value, and what was written to it. */
  function idSession(initial?: unknown) {
    let value = initial
    const writes: string[] = []
    return {
      access: {
        read: () => value,
        write: (id: string) => {
          writes.push(id)
          value = id
        },
      },
      writes,
      value: () => value,
    }
  }

  it('writes no id for reads, deletes and takes of a browser that has none', async () => {
    const session = idSession()
    const store = createBoundStore(createMemoryServerStore(), session.access)
    expect(await store.get('a:t')).toBeNull()
    expect(await store.take('a:t')).toBeNull()
    await store.delete('a:t')
    expect(session.writes).toEqual([])
  })

  it('makes one id on the first set, and never writes the session again', async () => {
    const session = idSession()
    const server = createMemoryServerStore()
    const store = createBoundStore(server, session.access)
    await Promise.all([store.set('a:1', pending('1')), store.set('a:2', pending('2'))])
    await store.set('a:3', pending('3'))
    expect(session.writes).toHaveLength(1)
    const id = session.writes[0]!
    expect(isBindingId(id)).toBe(true)
    expect(await server.forBinding(id).get('a:1')).toEqual(pending('1'))
    // The next request of this browser finds them, and writes nothing.
    const next = createBoundStore(server, session.access)
    await next.set('a:4', pending('4'))
    expect(session.writes).toHaveLength(1)
    expect(await next.take('a:2')).toEqual(pending('2'))
    expect(await next.take('a:2')).toBeNull()
  })

  it('uses the id it made even when the session cannot be read back in this request (a cookie)', async () => {
    const written: string[] = []
    const server = createMemoryServerStore()
    const store = createBoundStore(server, {
      read: () => undefined, // the request's cookie, as sent
      write: (id) => {
        written.push(id)
      },
    })
    await store.set('a:1', pending('1'))
    await store.set('a:2', pending('2'))
    expect(written).toHaveLength(1)
    expect(await store.get('a:1')).toEqual(pending('1'))
    expect(await store.get('a:2')).toEqual(pending('2'))
  })

  it("keeps browsers apart: another browser's id, or none, finds nothing", async () => {
    const server = createMemoryServerStore()
    const alice = idSession()
    await createBoundStore(server, alice.access).set('a:t', pending('t'))
    const mallory = idSession()
    await createBoundStore(server, mallory.access).set('a:other', pending('other'))
    expect(await createBoundStore(server, mallory.access).take('a:t')).toBeNull()
    expect(await createBoundStore(server, idSession().access).take('a:t')).toBeNull()
    expect(await createBoundStore(server, alice.access).take('a:t')).toEqual(pending('t'))
  })

  it('reads anything that is not a binding id as none, and replaces it on set', async () => {
    for (const junk of [42, 'short', { 'a:t': pending('t') }, ['x'], null]) {
      const session = idSession(junk)
      const store = createBoundStore(createMemoryServerStore(), session.access)
      expect(await store.get('a:t')).toBeNull()
      await store.set('a:t', pending('t'))
      expect(isBindingId(session.value())).toBe(true)
      expect(await store.get('a:t')).toEqual(pending('t'))
    }
  })

  it("passes on the server-side store's errors, and tries the id write again after a failure", async () => {
    const down: ServerSideStore = {
      forBinding: () => {
        const fail = () => {
          throw new OAuthError('store_unavailable')
        }
        return { get: fail, set: fail, delete: fail, take: fail }
      },
    }
    const session = idSession(generateBindingId())
    const store = createBoundStore(down, session.access)
    await expect(store.set('a:t', pending('t'))).rejects.toMatchObject({
      code: 'store_unavailable',
      status: 503,
    })
    await expect(store.take('a:t')).rejects.toMatchObject({ code: 'store_unavailable' })

    let failures = 1
    const flaky = idSession()
    const retried = createBoundStore(createMemoryServerStore(), {
      read: flaky.access.read,
      write: (id) => {
        if (failures-- > 0) throw new Error('session store down')
        flaky.access.write(id)
      },
    })
    await expect(retried.set('a:t', pending('t'))).rejects.toThrow('session store down')
    await retried.set('a:t', pending('t'))
    expect(flaky.writes).toHaveLength(1)
    expect(await retried.get('a:t')).toEqual(pending('t'))
  })

  it('refuses a forBinding() that returns no store with an atomic take, at the login, naming it', async () => {
    const kept = new Map<string, unknown>()
    const withoutTake = (id: string) => ({
      get: (key: string) => (kept.get(`${id}:${key}`) ?? null) as never,
      set: (key: string, value: unknown) => void kept.set(`${id}:${key}`, value),
      delete: (key: string) => void kept.delete(`${id}:${key}`),
    })
    const message =
      'store.forBinding(bindingId) should return a store with get, set, delete and an atomic take (as redisStore(client) of @oauth1/redis does)'
    for (const forBinding of [withoutTake, () => null, async () => createMemoryStore()]) {
      const store = createBoundStore({ forBinding } as never, idSession().access)
      // at /login, before the user is sent to the provider: not at the callback
      await expect(store.set('a:t', pending('t'))).rejects.toThrow(new TypeError(message))
      const known = createBoundStore({ forBinding } as never, idSession(generateBindingId()).access)
      await expect(known.take('a:t')).rejects.toThrow(new TypeError(message))
    }
    expect(kept.size).toBe(0)
  })

  it('refuses what is not a server-side store or an access, naming it', () => {
    const access = idSession().access
    expect(() => createBoundStore(createMemoryStore() as never, access)).toThrow(
      new TypeError(
        'store should be a server-side store such as redisStore(client) of @oauth1/redis (an object with forBinding(bindingId))',
      ),
    )
    expect(() => checkServerSideStore(() => createMemoryStore(), 'options.store')).toThrow(
      new TypeError(
        'options.store should be a server-side store such as redisStore(client) of @oauth1/redis (an object with forBinding(bindingId))',
      ),
    )
    const server = createMemoryServerStore()
    expect(checkServerSideStore(server)).toBe(server)
    expect(() => createBoundStore(createMemoryServerStore(), {} as never)).toThrow(
      new TypeError('access must be an object with read() and write(bindingId)'),
    )
  })

  it('checks keys and values as every store does', async () => {
    const store = createBoundStore(createMemoryServerStore(), idSession().access)
    await expect(store.get('')).rejects.toThrow(TypeError)
    await expect(store.set('a:t', { oauth_token: 't' } as never)).rejects.toThrow(TypeError)
  })
})

describe('createMemoryServerStore', () => {
  it('refuses an unknown option, naming it and the known ones', () => {
    expect(() => createMemoryServerStore({ maxEntires: 5 } as never)).toThrow(
      new TypeError(
        'createMemoryServerStore(options): unknown option "maxEntires" (known: maxEntries, now)',
      ),
    )
  })

  it('keeps at most maxEntries, all browsers together, evicting the oldest', async () => {
    const server = createMemoryServerStore({ maxEntries: 3 })
    const ids = [generateBindingId(), generateBindingId()]
    await server.forBinding(ids[0]!).set('a:1', pending('1'))
    await server.forBinding(ids[1]!).set('a:2', pending('2'))
    await server.forBinding(ids[0]!).set('a:3', pending('3'))
    await server.forBinding(ids[1]!).set('a:4', pending('4'))
    expect(await server.forBinding(ids[0]!).get('a:1')).toBeNull()
    expect(await server.forBinding(ids[1]!).get('a:2')).toEqual(pending('2'))
    expect(await server.forBinding(ids[1]!).get('a:4')).toEqual(pending('4'))
  })

  it('forgets expired entries: they read as null, and are dropped as new ones come', async () => {
    let clock = 1_000_000
    const server = createMemoryServerStore({ now: () => clock })
    const store = server.forBinding(generateBindingId())
    const at = (token: string, ttl: number) => ({ ...pending(token), expires_at: clock + ttl })
    await store.set('a:short', at('short', 1_000))
    await store.set('a:long', at('long', 60_000))
    clock += 1_001
    expect(await store.get('a:short')).toBeNull()
    expect(await store.take('a:short')).toBeNull()
    expect(await store.get('a:long')).not.toBeNull()
    await store.set('a:gone', at('gone', -1))
    expect(await store.get('a:gone')).toBeNull()
  })

  it('refuses a binding id of the wrong shape', () => {
    expect(() => createMemoryServerStore().forBinding('not an id')).toThrow(
      new TypeError('bindingId must be a binding id (see generateBindingId)'),
    )
  })
})
