/**
 * `@oauth1/core/testing`: the conformance suite every
 * {@link TemporaryCredentialStore} implementation runs in its own tests, so
 * each adapter's session binding behaves alike. Requires vitest (an optional
 * peer dependency of `@oauth1/core`).
 *
 * @example
 * ```ts
 * import { runStoreConformanceTests } from '@oauth1/core/testing'
 *
 * runStoreConformanceTests('express-session store', async () => {
 *   const session: Record<string, unknown> = {}
 *   const make = () => storeFor(session)
 *   return { store: make(), reopen: make }
 * })
 * ```
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Awaitable, StoredTemporaryCredential, TemporaryCredentialStore } from './types.js'

/** What a conformance-suite factory returns: a fresh, empty store. */
export interface StoreConformanceFixture {
  store: TemporaryCredentialStore
  /** Frees what the factory made (servers, files…). */
  cleanup?(): Awaitable<void>
  /**
   * Makes a new store over the same session, as the next request of the same
   * user would, to prove entries persist across requests. Optional.
   */
  reopen?(): Awaitable<TemporaryCredentialStore>
}

/**
 * Registers a vitest `describe` block that checks `factory`'s store against
 * the {@link TemporaryCredentialStore} contract: a missing key reads as null;
 * set/get round-trips every field; keys are independent; delete removes only
 * its key and tolerates a missing one; set overwrites; values are copies; and,
 * when `reopen` is given, entries persist across requests.
 *
 * @param name - shown in the test report
 * @param factory - called once per test; must return an empty store
 */
export function runStoreConformanceTests(
  name: string,
  factory: () => Awaitable<StoreConformanceFixture>,
): void {
  describe(`TemporaryCredentialStore conformance: ${name}`, () => {
    const cleanups: (() => Awaitable<void>)[] = []
    afterEach(async () => {
      while (cleanups.length > 0) await cleanups.pop()!()
    })

    const setup = async (): Promise<StoreConformanceFixture> => {
      const fixture = await factory()
      if (fixture.cleanup) cleanups.push(() => fixture.cleanup!())
      return fixture
    }

    const credential = (token: string, extra: Partial<StoredTemporaryCredential> = {}) => ({
      oauth_token: token,
      oauth_token_secret: `${token}-secret`,
      redirect_uri: 'https://client.example/callback?next=%2Fhome',
      expires_at: Date.now() + 10 * 60_000,
      ...extra,
    })

    it('reads a missing key as null', async () => {
      const { store } = await setup()
      expect(await store.get('app:missing')).toBeNull()
    })

    it('round-trips every field of a credential', async () => {
      const { store } = await setup()
      const value = credential('hh5s93j4hdidpola')
      await store.set('app:hh5s93j4hdidpola', value)
      expect(await store.get('app:hh5s93j4hdidpola')).toEqual(value)
    })

    it('round-trips a credential without redirect_uri', async () => {
      const { store } = await setup()
      const { redirect_uri: _omit, ...value } = credential('no-redirect')
      await store.set('app:no-redirect', value)
      const got = await store.get('app:no-redirect')
      expect(got).toEqual(value)
      expect(got?.redirect_uri).toBeUndefined()
    })

    it('round-trips opaque values and keys with reserved characters', async () => {
      const { store } = await setup()
      const token = 'a+b/c=d%2Fé 😀&x=y'
      const value = credential(token, { oauth_token_secret: '%3D"\'<>\\ secret+/=' })
      await store.set(`app:${token}`, value)
      expect(await store.get(`app:${token}`)).toEqual(value)
      expect(await store.get('app:a b/c=d%2Fé 😀&x=y')).toBeNull()
    })

    it('keeps two keys side by side (two pending logins)', async () => {
      const { store } = await setup()
      const a = credential('tab-a')
      const b = credential('tab-b')
      await store.set('app:tab-a', a)
      await store.set('app:tab-b', b)
      expect(await store.get('app:tab-a')).toEqual(a)
      expect(await store.get('app:tab-b')).toEqual(b)
    })

    it('keeps the same token of two apps apart', async () => {
      const { store } = await setup()
      const a = credential('same', { oauth_token_secret: 'secret-of-a' })
      const b = credential('same', { oauth_token_secret: 'secret-of-b' })
      await store.set('a:same', a)
      await store.set('b:same', b)
      expect((await store.get('a:same'))?.oauth_token_secret).toBe('secret-of-a')
      expect((await store.get('b:same'))?.oauth_token_secret).toBe('secret-of-b')
    })

    it('deletes only the given key', async () => {
      const { store } = await setup()
      const b = credential('keep')
      await store.set('app:drop', credential('drop'))
      await store.set('app:keep', b)
      await store.delete('app:drop')
      expect(await store.get('app:drop')).toBeNull()
      expect(await store.get('app:keep')).toEqual(b)
    })

    it('deletes a missing key without failing', async () => {
      const { store } = await setup()
      await expect(Promise.resolve(store.delete('app:never-set'))).resolves.toBeUndefined()
      const value = credential('after')
      await store.set('app:after', value)
      await store.delete('app:never-set')
      expect(await store.get('app:after')).toEqual(value)
    })

    it('deletes the last key and can be used again', async () => {
      const { store } = await setup()
      await store.set('app:only', credential('only'))
      await store.delete('app:only')
      expect(await store.get('app:only')).toBeNull()
      const again = credential('again')
      await store.set('app:again', again)
      expect(await store.get('app:again')).toEqual(again)
    })

    it('overwrites a key', async () => {
      const { store } = await setup()
      await store.set('app:k', credential('k', { oauth_token_secret: 'first' }))
      const second = credential('k', { oauth_token_secret: 'second', redirect_uri: 'oob' })
      await store.set('app:k', second)
      expect(await store.get('app:k')).toEqual(second)
    })

    it('stores copies: mutating what was set or what was read changes nothing', async () => {
      const { store } = await setup()
      const value = credential('copy')
      const expected = { ...value }
      await store.set('app:copy', value)
      value.oauth_token_secret = 'mutated-after-set'
      const read = await store.get('app:copy')
      expect(read).toEqual(expected)
      read!.oauth_token_secret = 'mutated-after-get'
      expect(await store.get('app:copy')).toEqual(expected)
    })

    it('persists entries across requests (reopen)', async (ctx) => {
      const fixture = await setup()
      if (!fixture.reopen) {
        ctx.skip()
        return
      }
      const a = credential('persist-a')
      const b = credential('persist-b')
      await fixture.store.set('app:persist-a', a)
      await fixture.store.set('app:persist-b', b)
      const next = await fixture.reopen()
      expect(await next.get('app:persist-a')).toEqual(a)
      await next.delete('app:persist-a')
      const third = await fixture.reopen()
      expect(await third.get('app:persist-a')).toBeNull()
      expect(await third.get('app:persist-b')).toEqual(b)
    })
  })
}
