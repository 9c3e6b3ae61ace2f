import { OAuthError } from '@oauth1/express'
import type { SessionData } from 'express-session'
import { describe, expect, it } from 'vitest'
import { BoundedRedisStore } from './session-store.ts'

const session = { cookie: { originalMaxAge: null } } as unknown as SessionData

/** A node-redis client whose commands were sent to a Redis that never answers (frozen). */
const frozenClient = {
  get: () => new Promise(() => {}),
  set: () => new Promise(() => {}),
  expire: () => new Promise(() => {}),
  del: () => new Promise(() => {}),
}

/** What express-session's callback receives. */
const viaCallback = (call: (cb: (err?: unknown, data?: unknown) => void) => unknown) =>
  new Promise<{ err: unknown; data: unknown }>((resolve) => {
    call((err, data) => resolve({ err, data }))
  })

describe('BoundedRedisStore', () => {
  it('fails every call with store_unavailable when Redis does not answer, instead of waiting forever', async () => {
    const store = new BoundedRedisStore({ client: frozenClient, timeout: 20 })
    const outcomes = await Promise.all([
      viaCallback((cb) => store.get('sid', cb)),
      viaCallback((cb) => store.set('sid', session, cb)),
      viaCallback((cb) => store.touch('sid', session, cb)),
      viaCallback((cb) => store.destroy('sid', cb)),
    ])
    expect(outcomes.map(({ err }) => err instanceof OAuthError && [err.code, err.status])).toEqual(
      Array(4).fill(['store_unavailable', 503]),
    )
    expect(outcomes.map(({ err }) => (err as OAuthError).description)).toEqual([
      "Redis did not answer the session's GET within 20 ms",
      "Redis did not answer the session's SET within 20 ms",
      "Redis did not answer the session's EXPIRE within 20 ms",
      "Redis did not answer the session's DEL within 20 ms",
    ])
    // without a callback, the promise rejects
    await expect(store.get('sid')).rejects.toMatchObject({ code: 'store_unavailable' })
  })

  it('answers as connect-redis does when Redis answers', async () => {
    const kept = new Map<string, string>()
    const client = {
      get: async (key: string) => kept.get(key) ?? null,
      set: async (key: string, value: string) => {
        kept.set(key, value)
        return 'OK'
      },
      expire: async () => 1,
      del: async ([key]: string[]) => Number(kept.delete(key!)),
    }
    const store = new BoundedRedisStore({ client, prefix: 's:', timeout: 60_000 })
    expect(await viaCallback((cb) => store.get('sid', cb))).toEqual({ err: null, data: null })
    await viaCallback((cb) => store.set('sid', { ...session, user: 'u1' } as SessionData, cb))
    expect(JSON.parse(kept.get('s:sid')!)).toMatchObject({ user: 'u1' })
    expect((await viaCallback((cb) => store.get('sid', cb))).data).toMatchObject({ user: 'u1' })
    expect(await store.get('sid')).toMatchObject({ user: 'u1' })
    await viaCallback((cb) => store.destroy('sid', cb))
    expect(kept.size).toBe(0)
  })

  it('passes a failure of Redis through unchanged', async () => {
    const down = new Error('The client is offline')
    const store = new BoundedRedisStore({
      client: { ...frozenClient, get: () => Promise.reject(down) },
      timeout: 60_000,
    })
    expect((await viaCallback((cb) => store.get('sid', cb))).err).toBe(down)
  })
})
