// The Redis store against a real redis-server (Debian's, scripts/ensure-redis.sh), with
// node-redis 6, 5 and 4 and ioredis 6 and 5. Without redis-server these tests fail
// in CI (CI=true) and are skipped, loudly, elsewhere.
import { inspect } from 'node:util'
import {
  createBoundStore,
  generateBindingId,
  OAuthError,
  type StoredTemporaryCredential,
  takeTemporaryCredential,
} from '@oauth1/core'
import { CONCURRENT_REQUESTS, runStoreConformanceTests } from '@oauth1/core/testing'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CLIENT_KINDS, type TestClient } from './clients.test-helper.js'
import { DEFAULT_PREFIX, DEFAULT_TIMEOUT, redisStore } from './index.js'
import {
  MISSING_REDIS,
  type RedisServer,
  redisTestMode,
  startRedisServer,
} from './redis-server.test-helper.js'

const SECRET = 'a sealing secret of at least 32 characters'
const mode = redisTestMode()
const suite = mode === 'skip' ? describe.skip : describe

let prefixes = 0
/** A prefix of its own for each test, so tests sharing a server never see each other's keys. */
const freshPrefix = () => `t${++prefixes}-${process.pid}:`

/** One clock for the module, so `pending('t')` twice is the same credential. */
const LOADED_AT = Date.now()
const pending = (token: string, ttl = 600_000): StoredTemporaryCredential => ({
  oauth_token: token,
  oauth_token_secret: `${token}-SECRET-VALUE`,
  redirect_uri: 'https://app.example/authorize?next=%2Fhome',
  expires_at: LOADED_AT + ttl,
})

async function rejection(p: unknown): Promise<OAuthError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    return err as OAuthError
  }
  throw new Error('expected a rejection')
}

suite('redisStore against a real redis-server', () => {
  let server: RedisServer
  beforeAll(async () => {
    if (mode === 'fail') throw new Error(MISSING_REDIS)
    server = await startRedisServer()
  }, 30_000)
  afterAll(async () => {
    await server?.stop()
  })

  for (const kind of CLIENT_KINDS) {
    describe(kind.name, () => {
      // Two connections: two instances of the app sharing one Redis.
      let a: TestClient
      let b: TestClient
      beforeAll(async () => {
        a = await kind.connect(server.url)
        b = await kind.connect(server.url)
      })
      afterAll(async () => {
        await a?.close()
        await b?.close()
      })

      /** Stores of one browser, alternating between the two instances. */
      const fixture = (options: { secret?: string } = {}) => {
        const prefix = freshPrefix()
        const id = generateBindingId()
        const stores = [a, b].map((c) => redisStore(c.client, { prefix, ...options }))
        let turn = 0
        const next = () => stores[turn++ % 2]!.forBinding(id)
        return { store: next(), reopen: next }
      }

      runStoreConformanceTests(`${kind.name}, two instances`, () => fixture())
      runStoreConformanceTests(`${kind.name}, two instances, sealed`, () =>
        fixture({ secret: SECRET }),
      )
      runStoreConformanceTests(`${kind.name}, bound to a browser through its session`, () => {
        const store = redisStore(a.client, { prefix: freshPrefix() })
        let sessionId: unknown
        const make = () =>
          createBoundStore(store, {
            read: () => sessionId,
            write: (id) => {
              sessionId = id
            },
          })
        return { store: make(), reopen: make }
      })

      it('keeps each login as its own key, <prefix><binding id>:<name>:<token>, expiring with it (PX)', async () => {
        const prefix = freshPrefix()
        const id = generateBindingId()
        const store = redisStore(a.client, { prefix }).forBinding(id)
        const value = pending('tok', 60_000)
        const before = Date.now()
        await store.set('twitter:tok', value)
        await store.set('twitter:other', pending('other', 60_000))
        const keys = ((await a.command('KEYS', `${prefix}*`)) as string[]).sort()
        expect(keys).toEqual([`${prefix}${id}:twitter:other`, `${prefix}${id}:twitter:tok`])
        const pttl = Number(await a.command('PTTL', `${prefix}${id}:twitter:tok`))
        // the TTL is what was left of the login when it was stored, counting down
        expect(pttl).toBeLessThanOrEqual(value.expires_at - before + 1)
        expect(pttl).toBeGreaterThan(value.expires_at - Date.now() - 5_000)
        // without a secret, the entry is the credential as JSON
        expect(
          JSON.parse((await a.command('GET', `${prefix}${id}:twitter:tok`)) as string),
        ).toEqual(value)
      })

      it('lets Redis expire the key with the login', async () => {
        const prefix = freshPrefix()
        const store = redisStore(a.client, { prefix }).forBinding(generateBindingId())
        await store.set('app:soon', { ...pending('soon'), expires_at: Date.now() + 150 })
        expect(((await a.command('KEYS', `${prefix}*`)) as string[]).length).toBe(1)
        await new Promise((r) => setTimeout(r, 400))
        expect(await a.command('KEYS', `${prefix}*`)).toEqual([])
        expect(await store.get('app:soon')).toBeNull()
      })

      it('stores nothing for a login already expired, and drops what the key held', async () => {
        const prefix = freshPrefix()
        const store = redisStore(a.client, { prefix }).forBinding(generateBindingId())
        await store.set('app:k', pending('k'))
        await store.set('app:k', { ...pending('k'), expires_at: Date.now() - 1 })
        expect(await a.command('KEYS', `${prefix}*`)).toEqual([])
      })

      it('seals the entry with the secret: no token secret in Redis, bound to its key', async () => {
        const prefix = freshPrefix()
        const id = generateBindingId()
        const sealed = redisStore(a.client, { prefix, secret: SECRET })
        const value = pending('sealed')
        await sealed.forBinding(id).set('app:sealed', value)
        const key = `${prefix}${id}:app:sealed`
        const raw = (await a.command('GET', key)) as string
        expect(raw).toMatch(/^[A-Za-z0-9_-]+$/)
        expect(raw).not.toContain(value.oauth_token_secret)
        expect(raw).not.toContain('sealed')
        // Copied under another browser's key, it does not open there; nor with another
        // secret, nor without one: store_unavailable (503) naming the secret, since only
        // the instances write to Redis (an instance set up otherwise), not a forged 400.
        const other = generateBindingId()
        await a.command('SET', `${prefix}${other}:app:sealed`, raw)
        const cannotOpen =
          'Redis holds this login, but this instance cannot open it: do all instances share options.secret (a rotated secret kept in the list, after the new one)?'
        const cannotRead = cannotOpen.replace('cannot open', 'cannot read')
        for (const [store, description] of [
          [sealed.forBinding(other), cannotOpen],
          [
            redisStore(a.client, { prefix, secret: `${SECRET}, another` }).forBinding(id),
            cannotOpen,
          ],
          [redisStore(a.client, { prefix }).forBinding(id), cannotRead],
        ] as const) {
          const err = await rejection(store.get('app:sealed'))
          expect([err.code, err.status, err.description]).toEqual([
            'store_unavailable',
            503,
            description,
          ])
        }
        const rotated = redisStore(a.client, { prefix, secret: [`${SECRET}, newer`, SECRET] })
        expect(await rotated.forBinding(id).take('app:sealed')).toEqual(value)
      })

      it('refuses a plaintext entry when sealing, and anything that is not a credential', async () => {
        const prefix = freshPrefix()
        const id = generateBindingId()
        const key = (k: string) => `${prefix}${id}:app:${k}`
        await a.command('SET', key('plain'), JSON.stringify(pending('plain')))
        await a.command('SET', key('junk'), 'not json')
        await a.command('SET', key('partial'), JSON.stringify({ oauth_token: 'x' }))
        await a.command('SET', key('array'), '[1,2]')
        const sealed = redisStore(a.client, { prefix, secret: SECRET }).forBinding(id)
        const plain = redisStore(a.client, { prefix }).forBinding(id)
        expect((await rejection(sealed.get('app:plain'))).code).toBe('store_unavailable')
        expect(await plain.get('app:plain')).toEqual(pending('plain'))
        for (const k of ['junk', 'partial', 'array']) {
          expect((await rejection(plain.get(`app:${k}`))).code).toBe('store_unavailable')
          expect((await rejection(plain.take(`app:${k}`))).code).toBe('store_unavailable')
        }
        // A key that is not there is no login at all: null (the callback's 400).
        expect(await plain.take('app:none')).toBeNull()
      })

      it('keeps browsers and prefixes apart: another id, or another prefix, finds nothing', async () => {
        const prefix = freshPrefix()
        const store = redisStore(a.client, { prefix })
        const alice = generateBindingId()
        await store.forBinding(alice).set('app:t', pending('t'))
        expect(await store.forBinding(generateBindingId()).take('app:t')).toBeNull()
        expect(
          await redisStore(a.client, { prefix: freshPrefix() }).forBinding(alice).get('app:t'),
        ).toBeNull()
        expect(await store.forBinding(alice).take('app:t')).toEqual(pending('t'))
      })

      it(`takes a login once of ${CONCURRENT_REQUESTS * 10} takes at once on two instances (GETDEL)`, async () => {
        const prefix = freshPrefix()
        const id = generateBindingId()
        const instances = [a, b].map((c) => redisStore(c.client, { prefix }))
        for (let round = 0; round < 5; round++) {
          await instances[0]!.forBinding(id).set('app:raced', pending(`raced-${round}`))
          const results = await Promise.all(
            Array.from({ length: CONCURRENT_REQUESTS * 10 }, (_, i) =>
              takeTemporaryCredential(instances[i % 2]!.forBinding(id), 'app:raced'),
            ),
          )
          expect(results.filter((r) => r !== null)).toEqual([pending(`raced-${round}`)])
        }
        expect(await a.command('KEYS', `${prefix}*`)).toEqual([])
      })

      it("keeps the token secret out of a failed SET's store_unavailable error (ioredis puts the arguments on it)", async () => {
        const { store } = fixture()
        // A Redis that refuses writes (as when out of memory, or a replica after a failover)
        await a.command('CONFIG', 'SET', 'maxmemory', '1')
        let err: OAuthError
        try {
          err = await rejection(store.set('app:oom', pending('oom')))
        } finally {
          await a.command('CONFIG', 'SET', 'maxmemory', '0')
        }
        expect([err.code, err.status]).toEqual(['store_unavailable', 503])
        expect(err.description).toMatch(/^Redis failed SET: OOM/)
        const secret = pending('oom').oauth_token_secret
        expect(inspect(err, { depth: 10, showHidden: true })).not.toContain(secret)
        expect(JSON.stringify(err)).not.toContain(secret)
        // the rest of the error is kept for whoever debugs it
        expect(inspect(err.cause, { depth: 10 })).toContain('OOM')
      })

      it('answers a key of the wrong type with store_unavailable (503), not a crash', async () => {
        const prefix = freshPrefix()
        const id = generateBindingId()
        await a.command('RPUSH', `${prefix}${id}:app:list`, 'x')
        const store = redisStore(a.client, { prefix }).forBinding(id)
        const err = await rejection(store.take('app:list'))
        expect([err.code, err.status]).toEqual(['store_unavailable', 503])
        expect(err.description).toMatch(/^Redis failed GETDEL: WRONGTYPE/)
      })
    })
  }
})

suite('redisStore when Redis is down', () => {
  // A server of its own: these tests freeze, stop and restart it.
  let server: RedisServer
  beforeAll(async () => {
    if (mode === 'fail') throw new Error(MISSING_REDIS)
    server = await startRedisServer()
  }, 30_000)
  afterAll(async () => {
    await server?.stop()
  })

  for (const kind of CLIENT_KINDS) {
    describe(kind.name, () => {
      it('fails every operation with store_unavailable (503) after the timeout when Redis hangs, then recovers', async () => {
        const c = await kind.connect(server.url)
        try {
          const store = redisStore(c.client, { prefix: freshPrefix(), timeout: 200 })
          const browser = store.forBinding(generateBindingId())
          await browser.set('app:before', pending('before'))
          server.pause()
          try {
            const outcomes = await Promise.all([
              rejection(browser.set('app:t', pending('t'))),
              rejection(browser.get('app:before')),
              rejection(browser.take('app:before')),
              rejection(browser.delete('app:before')),
            ])
            for (const [err, command] of outcomes.map(
              (e, i) => [e, ['SET', 'GET', 'GETDEL', 'DEL'][i]] as const,
            )) {
              expect([err.code, err.status, err.expose]).toEqual(['store_unavailable', 503, false])
              expect(err.description).toBe(`Redis did not answer ${command} within 200 ms`)
            }
          } finally {
            server.resume()
          }
          // The commands queued while it hung run once it answers: the store works again.
          await browser.set('app:after', pending('after'))
          expect(await browser.take('app:after')).toEqual(pending('after'))
        } finally {
          await c.close()
        }
      })

      it('fails with store_unavailable while Redis is stopped, and works again once it is back', async () => {
        const c = await kind.connect(server.url)
        try {
          const browser = redisStore(c.client, { prefix: freshPrefix(), timeout: 300 }).forBinding(
            generateBindingId(),
          )
          await server.stop()
          try {
            for (const op of [
              () => browser.set('app:t', pending('t')),
              () => browser.take('app:t'),
            ]) {
              const err = await rejection(op())
              expect([err.code, err.status]).toEqual(['store_unavailable', 503])
            }
          } finally {
            await server.start()
          }
          // The client reconnects by itself.
          let recovered = false
          for (let i = 0; i < 100 && !recovered; i++) {
            try {
              await browser.set('app:back', pending('back'))
              recovered = true
            } catch (err) {
              expect((err as OAuthError).code).toBe('store_unavailable')
              await new Promise((r) => setTimeout(r, 100))
            }
          }
          expect(recovered).toBe(true)
          expect(await browser.take('app:back')).toEqual(pending('back'))
        } finally {
          await c.close()
        }
      })

      it('fails at once with store_unavailable on a closed client', async () => {
        const c = await kind.connect(server.url)
        await c.close()
        const browser = redisStore(c.client, { timeout: 60_000 }).forBinding(generateBindingId())
        const err = await rejection(browser.get('app:t'))
        expect([err.code, err.status]).toEqual(['store_unavailable', 503])
        expect(err.description).toMatch(/^Redis failed GET: /)
        expect(err.cause).toBeInstanceOf(Error)
      })
    })
  }
})

describe('redisStore arguments', () => {
  const client = {
    get: async () => null,
    getDel: async () => null,
    set: async () => 'OK',
    del: async () => 0,
  }

  it('tells node-redis from ioredis by getDel / getdel, and refuses anything else', async () => {
    const calls: unknown[][] = []
    const nodeRedis = {
      ...client,
      set: async (...args: unknown[]) => {
        calls.push(['node-redis', ...args])
        return 'OK'
      },
    }
    const { getDel: _g, ...rest } = client
    const io = {
      ...rest,
      getdel: async () => null,
      set: async (...args: unknown[]) => {
        calls.push(['ioredis', ...args])
        return 'OK'
      },
    }
    const id = generateBindingId()
    // The TTL is the expiry less the clock at each set: a frozen clock, so that
    // the two sets cannot fall either side of a millisecond and differ by one.
    vi.useFakeTimers({ now: 1_800_000_000_000, toFake: ['Date'] })
    const value = { ...pending('t'), expires_at: Date.now() + 60_000 }
    try {
      await redisStore(nodeRedis).forBinding(id).set('a:t', value)
      await redisStore(io).forBinding(id).set('a:t', value)
    } finally {
      vi.useRealTimers()
    }
    expect(calls.map((c) => [c[0], c[1], JSON.parse(c[2] as string)])).toEqual([
      ['node-redis', `oauth1:${id}:a:t`, value],
      ['ioredis', `oauth1:${id}:a:t`, value],
    ])
    const [nodeOptions] = calls[0]!.slice(3) as [{ PX: number; expiration: { value: number } }]
    expect(nodeOptions.PX).toBe(60_000)
    expect(nodeOptions.PX).toBe(nodeOptions.expiration.value)
    expect(nodeOptions).toMatchObject({ expiration: { type: 'PX' } })
    expect(calls[1]![3]).toBe('PX')
    expect(calls[1]![4]).toBe(nodeOptions.PX)

    const message =
      "@oauth1/redis: client should be a connected Redis client: node-redis's createClient() (redis 4, 5 or 6) or an ioredis Redis (5 or 6)"
    for (const bad of [undefined, null, {}, 'redis://localhost', { ...rest }, { get: 1 }]) {
      expect(() => redisStore(bad as never)).toThrow(new TypeError(message))
    }
  })

  it('checks its options, naming them', () => {
    expect(() => redisStore(client, null as never)).toThrow(
      new TypeError('@oauth1/redis: options should be an object'),
    )
    expect(() => redisStore(client, { prefix: 1 as never })).toThrow(
      new TypeError('@oauth1/redis: options.prefix should be a string'),
    )
    // 'app' + a 23-character binding id would name the key 'appA' + a 22-character one does.
    for (const prefix of ['app', 'oauth1:A', 'x_', 'x-', 'x9']) {
      expect(() => redisStore(client, { prefix }), prefix).toThrow(
        new TypeError(
          "@oauth1/redis: options.prefix should end with a character outside A-Z a-z 0-9 _ - (':' is usual: 'myapp:oauth1:'), so that no two prefixes share keys",
        ),
      )
    }
    for (const prefix of ['', 'oauth1:', 'myapp/', 'a.b.'])
      expect(() => redisStore(client, { prefix })).not.toThrow()
    // a typo (ttl is the pending login's own expiry, not an option) fails here, not silently
    for (const option of ['prefx', 'ttl', 'keyPrefix']) {
      expect(() => redisStore(client, { [option]: 'x' } as never)).toThrow(
        new TypeError(`@oauth1/redis: unknown option "${option}" (known: prefix, secret, timeout)`),
      )
    }
    for (const timeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000', 2 ** 31]) {
      expect(() => redisStore(client, { timeout: timeout as never })).toThrow(
        new TypeError(
          '@oauth1/redis: options.timeout should be a positive number of milliseconds (at most 2147483647)',
        ),
      )
    }
    expect(() => redisStore(client, { secret: 'short' })).toThrow(
      new TypeError('@oauth1/redis: options.secret must be at least 32 characters long'),
    )
    expect(() => redisStore(client, { secret: [SECRET, 'short'] })).toThrow(
      new TypeError('@oauth1/redis: options.secret[1] must be at least 32 characters long'),
    )
    // `secret: process.env.OAUTH1_SECRET` with the variable unset must not fall back to plaintext.
    expect(() => redisStore(client, { secret: undefined as never })).toThrow(
      new TypeError(
        '@oauth1/redis: options.secret is undefined (an unset environment variable?): pass a secret of at least 32 characters to seal the entries, or leave the option out to keep them unsealed',
      ),
    )
    expect(() => redisStore(client, {})).not.toThrow()
    expect(DEFAULT_PREFIX).toBe('oauth1:')
    expect(DEFAULT_TIMEOUT).toBe(2_000)
  })

  it('refuses a binding id of the wrong shape, and bad keys and values', async () => {
    const store = redisStore(client)
    for (const bad of ['', 'short', 'a:b'.repeat(10), 42]) {
      expect(() => store.forBinding(bad as never)).toThrow(
        new TypeError('@oauth1/redis: bindingId must be a binding id (see generateBindingId)'),
      )
    }
    const browser = store.forBinding(generateBindingId())
    await expect(browser.get('')).rejects.toThrow(new TypeError('key must be a non-empty string'))
    await expect(browser.set('a:t', { oauth_token: 't' } as never)).rejects.toThrow(TypeError)
  })

  it('turns a client that throws synchronously into store_unavailable', async () => {
    const throwing = {
      ...client,
      get: () => {
        throw new Error('boom')
      },
    }
    const err = await rejection(redisStore(throwing).forBinding(generateBindingId()).get('a:t'))
    expect([err.code, err.description]).toEqual(['store_unavailable', 'Redis failed GET: boom'])
  })

  it('names the Redis version a server without GETDEL lacks', async () => {
    // What Redis 6.0 answers (redis-cli: `GETDEL a` → ERR unknown command `GETDEL`, with args …).
    const old = {
      ...client,
      getDel: async () => {
        throw new Error('ERR unknown command `GETDEL`, with args beginning with: `a`, ')
      },
    }
    const err = await rejection(redisStore(old).forBinding(generateBindingId()).take('a:t'))
    expect([err.code, err.status]).toEqual(['store_unavailable', 503])
    expect(err.description).toBe(
      'Redis failed GETDEL: ERR unknown command `GETDEL` (its arguments left out) (GETDEL needs Redis 6.2 or later)',
    )
    // Other failures of the same command are told as they are.
    const wrong = {
      ...client,
      getDel: async () => {
        throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value')
      },
    }
    const other = await rejection(redisStore(wrong).forBinding(generateBindingId()).take('a:t'))
    expect(other.description).toBe(
      'Redis failed GETDEL: WRONGTYPE Operation against a key holding the wrong kind of value',
    )
  })

  it("keeps the arguments Redis quotes in a refusal out of the description (a token secret's start among them)", async () => {
    const refusing = {
      ...client,
      set: async () => {
        throw new Error(
          'ERR unknown command \'SET\', with args beginning with: \'oauth1:k\' \'{"oauth_token":"t","oauth_token_secret":"s3cr',
        )
      },
    }
    const err = await rejection(
      redisStore(refusing).forBinding(generateBindingId()).set('a:t', pending('t')),
    )
    expect(err.description).toBe(
      "Redis failed SET: ERR unknown command 'SET' (its arguments left out)",
    )
  })

  it('refuses a node-redis client in legacyMode (callbacks), pointing to client.v4', () => {
    const legacy = { ...client, getDel: () => undefined, v4: { ...client } }
    expect(() => redisStore(legacy as never)).toThrow(
      new TypeError(
        '@oauth1/redis: client is a node-redis client in legacyMode, whose commands take callbacks: pass its promise API, redisStore(client.v4)',
      ),
    )
    expect(() => redisStore(legacy.v4)).not.toThrow()
  })

  it('fails with store_unavailable, not a silent success, when a command returns no promise (a MULTI)', async () => {
    const multi = { get: () => multi, getDel: () => multi, set: () => multi, del: () => multi }
    const store = redisStore(multi as never).forBinding(generateBindingId())
    const err = await rejection(store.set('a:t', pending('t')))
    expect([err.code, err.status, err.description]).toEqual([
      'store_unavailable',
      503,
      "Redis failed SET: the client's SET returned no promise: pass a Redis client, not a MULTI or a callback-style (legacyMode) client",
    ])
  })

  it('reads a Buffer answer (a client set to return buffers) like a string', async () => {
    const value = pending('buf')
    const buffers = {
      ...client,
      getDel: async () => Buffer.from(JSON.stringify(value)),
    }
    expect(await redisStore(buffers).forBinding(generateBindingId()).take('a:buf')).toEqual(value)
  })
})
