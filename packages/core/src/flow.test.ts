import { afterEach, describe, expect, it, vi } from 'vitest'
import { OAuthError } from './errors.js'
import { createFakeProvider, inspectableStore, rejection } from './fake-provider.test-helper.js'
import { OAuth, temporaryCredentialKey } from './registry.js'
import {
  createBoundStore,
  createMemoryServerStore,
  createMemoryStore,
  createSealer,
  createSessionRecordStore,
} from './stores.js'
import type { TemporaryCredentialStore } from './types.js'

const P = 'https://provider.test'
const CALLBACK = 'https://app.example/auth/callback'

function setup(extra: Record<string, unknown> = {}, providerOptions = {}) {
  const provider = createFakeProvider(providerOptions)
  const oauth = new OAuth({ config: {} })
  const app = oauth.register('dev', {
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    requestTokenUrl: `${P}/oauth/request_token`,
    accessTokenUrl: `${P}/oauth/access_token`,
    authorizeUrl: `${P}/oauth/authorize`,
    fetch: provider.fetch,
    ...extra,
  })
  return { provider, oauth, app }
}

function expectNoSecret(err: OAuthError, ...secrets: string[]) {
  const text = `${err.message} ${err.description} ${JSON.stringify(err)}`
  for (const s of ['client-secret', 'rts%', ...secrets]) expect(text).not.toContain(s)
}

afterEach(() => {
  vi.useRealTimers()
})

/**
 * A login started on the fake provider, then its app re-registered with
 * `fetch` (a provider unreachable on the callback, say): the callback, the store
 * and its entries as they were.
 */
async function startedThenBroken(fetch: (input: RequestInfo | URL) => Promise<Response>) {
  const ctx = setup()
  const inspect = inspectableStore()
  await ctx.app.beginAuthorization(inspect.store, CALLBACK)
  const cb = ctx.provider.approve('rt+1/=')
  const before = [...inspect.entries]
  const broken = ctx.oauth.register('dev', {
    clientId: ctx.provider.clientId,
    clientSecret: ctx.provider.clientSecret,
    requestTokenUrl: `${P}/oauth/request_token`,
    accessTokenUrl: `${P}/oauth/access_token`,
    authorizeUrl: `${P}/oauth/authorize`,
    fetch,
  })
  return { ctx, inspect, cb, before, broken }
}

describe('the web flow', () => {
  it('refuses bad authorize params before asking the provider for a request token', async () => {
    const { app, provider } = setup()
    const { store, entries } = inspectableStore()
    for (const params of ['bad', null, [], { force_login: true }]) {
      await expect(app.beginAuthorization(store, CALLBACK, params as never)).rejects.toThrow(
        TypeError,
      )
    }
    expect(provider.hits('/oauth/request_token')).toHaveLength(0)
    expect(entries.size).toBe(0)
  })

  it('runs start to finish and returns every field of the token', async () => {
    // a clock that stands still, so the expiry is exact whatever the machine's load
    const NOW = Date.UTC(2026, 0, 1)
    vi.useFakeTimers({ toFake: ['Date'], now: NOW })
    const { app, provider } = setup()
    const { store, entries } = inspectableStore()
    const url = new URL(await app.beginAuthorization(store, CALLBACK))

    expect(`${url.origin}${url.pathname}`).toBe(`${P}/oauth/authorize`)
    expect([...url.searchParams]).toEqual([['oauth_token', 'rt+1/=']])
    expect(url.href).not.toContain('rts%')
    const [rt] = provider.hits('/oauth/request_token')
    expect(rt!.params.oauth_callback).toBe(CALLBACK)

    const key = temporaryCredentialKey('dev', 'rt+1/=')
    expect(key).toBe('dev:rt+1/=')
    expect(entries.get(key)).toEqual({
      oauth_token: 'rt+1/=',
      oauth_token_secret: 'rts%1',
      redirect_uri: CALLBACK,
      expires_at: expect.any(Number),
    })
    expect(entries.get(key)!.expires_at).toBe(NOW + 600_000)

    const callback = provider.approve('rt+1/=')
    const token = await app.completeAuthorization(store, new URL(callback))
    expect(token).toEqual({
      oauth_token: 'at-2',
      oauth_token_secret: 'ats-2+/',
      user_id: '12345',
      screen_name: 'Jane Doe',
    })
    expect(entries.size).toBe(0)
    const res = await app.get(`${P}/api/me`, { token })
    expect(res.status).toBe(200)
  })

  it('accepts the callback as a URL, URLSearchParams, a query string or a path', async () => {
    const forms = [
      (cb: string) => new URL(cb),
      (cb: string) => new URL(cb).searchParams,
      (cb: string) => new URL(cb).search,
      (cb: string) => new URL(cb).search.slice(1),
      (cb: string) => `/auth/callback${new URL(cb).search}#frag`,
      (cb: string) => cb,
    ]
    for (const form of forms) {
      const { app, provider } = setup()
      const store = createMemoryStore()
      await app.beginAuthorization(store, CALLBACK)
      const token = await app.completeAuthorization(store, form(provider.approve('rt+1/=')))
      expect(token.oauth_token).toBe('at-2')
    }
  })

  it('uses the redirectUri option, else oob', async () => {
    const a = setup({ redirectUri: 'https://app.example/default' })
    await a.app.beginAuthorization(createMemoryStore())
    expect(a.provider.hits('/oauth/request_token')[0]!.params.oauth_callback).toBe(
      'https://app.example/default',
    )
    const b = setup()
    const { store, entries } = inspectableStore()
    await b.app.beginAuthorization(store)
    expect(b.provider.hits('/oauth/request_token')[0]!.params.oauth_callback).toBe('oob')
    expect([...entries.values()][0]!.redirect_uri).toBe('oob')
    const token = await b.app.completeAuthorization(store, b.provider.approve('rt+1/='))
    expect(token.oauth_token).toBe('at-2')
  })

  it('adds authorizeParams then params to the authorize URL, and sends requestTokenParams/accessTokenParams', async () => {
    const { app, provider } = setup({
      authorizeUrl: `${P}/oauth/authorize?lang=en`,
      authorizeParams: { force_login: 'true', screen_name: 'a' },
      requestTokenParams: { x_auth_access_type: 'read' },
      accessTokenParams: { extra: 'yes' },
    })
    const store = createMemoryStore()
    const url = await app.beginAuthorization(store, CALLBACK, { screen_name: 'jane doe' })
    expect(url).toBe(
      `${P}/oauth/authorize?lang=en&force_login=true&screen_name=jane%20doe&oauth_token=rt%2B1%2F%3D`,
    )
    expect(provider.hits('/oauth/request_token')[0]!.params.x_auth_access_type).toBe('read')
    await app.completeAuthorization(store, provider.approve('rt+1/='))
    expect(provider.hits('/oauth/access_token')[0]!.params.extra).toBe('yes')
  })

  it('takes every login parameter as a URLSearchParams too, as OAuth1Client does', async () => {
    for (const computed of [false, true]) {
      const { app, provider } = setup({
        authorizeParams: computed
          ? async () => new URLSearchParams('force_login=true&screen_name=a')
          : new URLSearchParams('force_login=true&screen_name=a'),
        requestTokenParams: new URLSearchParams('x_auth_access_type=read'),
        accessTokenParams: new URLSearchParams('extra=yes'),
      })
      const store = createMemoryStore()
      const url = await app.beginAuthorization(
        store,
        CALLBACK,
        new URLSearchParams({ screen_name: 'jane doe' }),
      )
      expect(url).toBe(
        `${P}/oauth/authorize?force_login=true&screen_name=jane%20doe&oauth_token=rt%2B1%2F%3D`,
      )
      expect(provider.hits('/oauth/request_token')[0]!.params.x_auth_access_type).toBe('read')
      await app.completeAuthorization(store, provider.approve('rt+1/='))
      expect(provider.hits('/oauth/access_token')[0]!.params.extra).toBe('yes')
    }
  })

  it('refuses login parameters it would drop (a Map, a Headers) or a name given twice, naming them', async () => {
    expect(() => setup({ requestTokenParams: new Map([['a', 'b']]) as never })).toThrow(
      new TypeError(
        'requestTokenParams must be an object of strings or a URLSearchParams (not a Map: Object.fromEntries(map) makes one)',
      ),
    )
    expect(() => setup({ accessTokenParams: new Headers({ a: 'b' }) as never })).toThrow(
      new TypeError('accessTokenParams must be an object of strings or a URLSearchParams'),
    )
    expect(() => setup({ authorizeParams: new URLSearchParams('a=1&a=2') })).toThrow(
      new TypeError(
        'authorizeParams names "a" twice: each login parameter is sent once, give it once',
      ),
    )
    const { app, provider } = setup({ authorizeParams: () => new Map() as never })
    const { store, entries } = inspectableStore()
    await expect(app.beginAuthorization(store, CALLBACK)).rejects.toThrow(
      new TypeError(
        'authorizeParams() of dev must be an object of strings or a URLSearchParams (not a Map: Object.fromEntries(map) makes one)',
      ),
    )
    expect(entries.size).toBe(0)
    const before = provider.hits('/oauth/request_token').length
    await expect(
      app.beginAuthorization(store, CALLBACK, new Map([['a', 'b']]) as never),
    ).rejects.toThrow(
      new TypeError(
        'params must be an object of strings or a URLSearchParams (not a Map: Object.fromEntries(map) makes one)',
      ),
    )
    expect(provider.hits('/oauth/request_token')).toHaveLength(before)
  })

  it("sends register()'s userAgent to both token endpoints", async () => {
    const { app, provider } = setup({ userAgent: 'my-app/2.0' })
    const store = createMemoryStore()
    await app.beginAuthorization(store, CALLBACK)
    await app.completeAuthorization(store, provider.approve('rt+1/='))
    expect(provider.hits('/oauth/request_token')[0]!.headers.get('user-agent')).toBe('my-app/2.0')
    expect(provider.hits('/oauth/access_token')[0]!.headers.get('user-agent')).toBe('my-app/2.0')
  })

  it('completes two pending logins of one session (two tabs), in any order', async () => {
    const { app, provider } = setup()
    const { store, entries } = inspectableStore()
    await app.beginAuthorization(store, CALLBACK)
    await app.beginAuthorization(store, CALLBACK)
    expect(entries.size).toBe(2)
    const second = await app.completeAuthorization(store, provider.approve('rt+2/='))
    const first = await app.completeAuthorization(store, provider.approve('rt+1/='))
    expect([first.oauth_token, second.oauth_token].sort()).toEqual(['at-3', 'at-4'])
    expect(entries.size).toBe(0)
  })

  it('serves concurrent users from one app without mixing their logins', async () => {
    const { app, provider } = setup()
    const sessions = [createMemoryStore(), createMemoryStore(), createMemoryStore()]
    const urls = await Promise.all(sessions.map((s) => app.beginAuthorization(s, CALLBACK)))
    const tokens = urls.map((u) => new URL(u).searchParams.get('oauth_token')!)
    const results = await Promise.all(
      sessions.map((s, i) => app.completeAuthorization(s, provider.approve(tokens[i]!))),
    )
    expect(new Set(results.map((t) => t.oauth_token)).size).toBe(3)
    // each session only ever completes its own login
    for (const [i, s] of sessions.entries()) {
      const other = tokens[(i + 1) % 3]!
      expect(
        (
          await rejection(
            app.completeAuthorization(
              s,
              `?oauth_token=${encodeURIComponent(other)}&oauth_verifier=v`,
            ),
          )
        ).code,
      ).toBe('missing_temporary_credential')
    }
  })

  it('works over a sealed cookie-style session record', async () => {
    const { app, provider } = setup()
    let cookie: string | undefined
    const store = () =>
      createSessionRecordStore(
        {
          read: () => (cookie === undefined ? undefined : JSON.parse(cookie)),
          write: (r) => {
            cookie = r === undefined ? undefined : JSON.stringify(r)
          },
        },
        { sealer: createSealer('a-session-secret-of-at-least-32-chars') },
      )
    await app.beginAuthorization(store(), CALLBACK)
    expect(cookie).toBeDefined()
    expect(cookie).not.toContain('rts%1')
    const token = await app.completeAuthorization(store(), provider.approve('rt+1/='))
    expect(token.screen_name).toBe('Jane Doe')
    expect(cookie).toBeUndefined()
  })

  it('stores nothing when the request-token step fails', async () => {
    const { app } = setup(
      {},
      {
        routes: {
          '/oauth/request_token': () => new Response('oauth_token=a&oauth_token_secret=b'),
        },
      },
    )
    const { store, entries } = inspectableStore()
    const err = await rejection(app.beginAuthorization(store, CALLBACK))
    expect(err.code).toBe('callback_not_confirmed')
    expect(entries.size).toBe(0)
  })

  it('supports legacy providers with requireCallbackConfirmed: false', async () => {
    const { app } = setup(
      { requireCallbackConfirmed: false },
      {
        routes: {
          '/oauth/request_token': () => new Response('oauth_token=a&oauth_token_secret=b'),
        },
      },
    )
    expect(await app.beginAuthorization(createMemoryStore(), CALLBACK)).toBe(
      `${P}/oauth/authorize?oauth_token=a`,
    )
  })
})

describe('bad callbacks', () => {
  async function pending(extra: Record<string, unknown> = {}) {
    const ctx = setup(extra)
    const inspect = inspectableStore()
    await ctx.app.beginAuthorization(inspect.store, CALLBACK)
    const approved = ctx.provider.approve('rt+1/=')
    return {
      ...ctx,
      ...inspect,
      approved,
      verifier: new URL(approved).searchParams.get('oauth_verifier')!,
    }
  }

  it('a forged oauth_token → missing_temporary_credential (400), the token endpoint never reached', async () => {
    const { app, store, entries, provider } = await pending()
    const err = await rejection(
      app.completeAuthorization(store, '?oauth_token=forged&oauth_verifier=x'),
    )
    expect(err.code).toBe('missing_temporary_credential')
    expect(err.status).toBe(400)
    expect(provider.hits('/oauth/access_token')).toHaveLength(0)
    expect(entries.size).toBe(1) // the real pending login is untouched
    expectNoSecret(err)
  })

  it('an expired login → missing_temporary_credential saying so, and is deleted', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { app, store, entries, approved, provider } = await pending()
    vi.setSystemTime(Date.now() + 600_001)
    const err = await rejection(app.completeAuthorization(store, approved))
    expect(err.code).toBe('missing_temporary_credential')
    expect(err.status).toBe(400)
    expect(err.description).toContain('expired')
    expect(entries.size).toBe(0)
    expect(provider.hits('/oauth/access_token')).toHaveLength(0)
  })

  it('honours temporaryCredentialTtl', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { app, store, approved } = await pending({ temporaryCredentialTtl: 60_000 })
    vi.setSystemTime(Date.now() + 59_000)
    await expect(app.completeAuthorization(store, approved)).resolves.toMatchObject({
      oauth_token: 'at-2',
    })
    const again = await pending({ temporaryCredentialTtl: 60_000 })
    vi.setSystemTime(Date.now() + 60_001)
    expect(
      (await rejection(again.app.completeAuthorization(again.store, again.approved))).code,
    ).toBe('missing_temporary_credential')
  })

  it('a replayed callback → missing_temporary_credential; the provider sees one exchange', async () => {
    const { app, store, approved, provider } = await pending()
    await app.completeAuthorization(store, approved)
    const err = await rejection(app.completeAuthorization(store, approved))
    expect(err.code).toBe('missing_temporary_credential')
    expect(provider.hits('/oauth/access_token')).toHaveLength(1)
  })

  it("takes the pending login with the store's own take when it has one (one call, atomic)", async () => {
    const { app, store, approved } = await pending()
    const calls: string[] = []
    const counted: TemporaryCredentialStore = {
      get: (k) => {
        calls.push('get')
        return store.get(k)
      },
      set: (k, v) => store.set(k, v),
      delete: (k) => {
        calls.push('delete')
        return store.delete(k)
      },
      take: async (k) => {
        calls.push('take')
        const v = await store.get(k)
        await store.delete(k)
        return v
      },
    }
    await expect(app.completeAuthorization(counted, approved)).resolves.toMatchObject({
      oauth_token: expect.any(String),
    })
    expect(calls).toEqual(['take'])
  })

  it('the same callback in 10 requests at once over a server-side store: one exchange, nine refusals', async () => {
    const { app, provider } = setup()
    const server = createMemoryServerStore()
    let id: unknown
    const browser = () =>
      createBoundStore(server, {
        read: () => id,
        write: (fresh) => {
          id = fresh
        },
      })
    await app.beginAuthorization(browser(), CALLBACK)
    const approved = provider.approve('rt+1/=')
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => app.completeAuthorization(browser(), approved)),
    )
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason.code).toBe('missing_temporary_credential')
    }
    expect(provider.hits('/oauth/access_token')).toHaveLength(1)
  })

  it('a store that fails on the callback: its OAuthError, nothing exchanged', async () => {
    const { app, approved, provider } = await pending()
    const down: TemporaryCredentialStore = {
      get: () => null,
      set: () => {},
      delete: () => {},
      take: () => Promise.reject(new OAuthError('store_unavailable')),
    }
    const err = await rejection(app.completeAuthorization(down, approved))
    expect([err.code, err.status]).toEqual(['store_unavailable', 503])
    expect(provider.hits('/oauth/access_token')).toHaveLength(0)
  })

  it.each([
    ['set, on the login', 'set', 'keep the temporary credential'],
    ['take, on the callback', 'take', 'take the temporary credential'],
    ['get, on the callback of a store without take', 'get', 'take the temporary credential'],
    ['delete, on a refused callback', 'delete', 'drop the temporary credential'],
  ] as const)(
    'a store whose %s throws a plain Error: store_unavailable (503), its error as cause',
    async (_what, op, doing) => {
      const { app, approved, provider, store } = await pending()
      const cause = new Error('connection refused')
      const down: TemporaryCredentialStore = {
        get: (key) => (op === 'get' ? Promise.reject(cause) : store.get(key)),
        set: (key, value) => {
          if (op === 'set') throw cause
          return store.set(key, value)
        },
        delete: (key) => (op === 'delete' ? Promise.reject(cause) : store.delete(key)),
        ...(op === 'get'
          ? {}
          : {
              take: (key: string) =>
                op === 'take' ? Promise.reject(cause) : (store.take?.(key) ?? null),
            }),
      }
      const attempt =
        op === 'set'
          ? app.beginAuthorization(down, CALLBACK)
          : app.completeAuthorization(down, op === 'delete' ? `${approved}&denied=x` : approved)
      const err = await rejection(attempt)
      expect([err.code, err.status]).toEqual(['store_unavailable', 503])
      expect(err.description).toBe(`The temporary-credential store failed to ${doing}`)
      expect(err.cause).toBe(cause)
      expect(provider.hits('/oauth/access_token')).toHaveLength(0)
    },
  )

  it("a store that throws a TypeError (the app's mistake): the TypeError as it is, not store_unavailable", async () => {
    const { app } = setup()
    const mistake = new TypeError('store.set is not a function')
    const broken: TemporaryCredentialStore = {
      get: () => null,
      set: () => {
        throw mistake
      },
      delete: () => {},
    }
    await expect(app.beginAuthorization(broken, CALLBACK)).rejects.toBe(mistake)
    const tooBig = new RangeError('the temporary credentials need a 5000-byte cookie')
    const overflowing: TemporaryCredentialStore = { ...broken, set: () => Promise.reject(tooBig) }
    await expect(app.beginAuthorization(overflowing, CALLBACK)).rejects.toBe(tooBig)
  })

  it.each([
    ['denied=<token> (Twitter)', (t: string) => `?denied=${encodeURIComponent(t)}`],
    [
      'oauth_problem=user_refused',
      (t: string) => `?oauth_token=${encodeURIComponent(t)}&oauth_problem=user_refused`,
    ],
  ])('%s → access_denied (403), the pending login deleted', async (_name, make) => {
    const { app, store, entries, provider } = await pending()
    const err = await rejection(app.completeAuthorization(store, make('rt+1/=')))
    expect(err.code).toBe('access_denied')
    expect(err.status).toBe(403)
    expect(entries.size).toBe(0)
    expect(provider.hits('/oauth/access_token')).toHaveLength(0)
  })

  it('a callback repeating denied= a thousand times costs the store a handful of deletes', async () => {
    const { app, store, entries } = await pending()
    let deletes = 0
    const counting: TemporaryCredentialStore = {
      get: (key) => store.get(key),
      set: (key, value) => store.set(key, value),
      delete: (key) => {
        deletes++
        return store.delete(key)
      },
    }
    const many = Array.from({ length: 1000 }, (_, i) => `denied=forged${i}`).join('&')
    const err = await rejection(
      app.completeAuthorization(counting, `?denied=${encodeURIComponent('rt+1/=')}&${many}`),
    )
    expect(err.code).toBe('access_denied')
    expect(entries.size).toBe(0)
    expect(deletes).toBeLessThanOrEqual(5)
  })

  // The OAuth Problem Reporting extension's problems, as a provider may send them on the callback.
  it.each([
    ['user_refused', 'access_denied', 403],
    ['permission_denied', 'access_denied', 403],
    ['permission_unknown', 'access_denied', 403],
    ['additional_authorization_required', 'access_denied', 403],
    ['token_used', 'missing_temporary_credential', 400],
    ['token_expired', 'missing_temporary_credential', 400],
    ['token_revoked', 'missing_temporary_credential', 400],
    ['token_rejected', 'missing_temporary_credential', 400],
    ['version_rejected', 'fetch_token_denied', 502],
    ['parameter_absent', 'fetch_token_denied', 502],
    ['parameter_rejected', 'fetch_token_denied', 502],
    ['timestamp_refused', 'fetch_token_denied', 502],
    ['nonce_used', 'fetch_token_denied', 502],
    ['signature_method_rejected', 'fetch_token_denied', 502],
    ['signature_invalid', 'fetch_token_denied', 502],
    ['consumer_key_unknown', 'fetch_token_denied', 502],
    ['consumer_key_rejected', 'fetch_token_denied', 502],
    ['consumer_key_refused', 'fetch_token_denied', 503],
    ['a_problem_from_the_future', 'fetch_token_denied', 502],
  ] as const)(
    'oauth_problem=%s on the callback → %s (%i), kept with its advice; the login used up, the provider not asked',
    async (problem, code, status) => {
      const { app, store, entries, provider, verifier } = await pending()
      const err = await rejection(
        app.completeAuthorization(
          store,
          `?oauth_token=rt%2B1%2F%3D&oauth_verifier=${verifier}&oauth_problem=${problem}&oauth_problem_advice=Ask+your+admin`,
        ),
      )
      expect([err.code, err.status]).toEqual([code, status])
      expect(err.oauthProblem).toBe(problem)
      expect(err.oauthProblemAdvice).toBe('Ask your admin')
      // the advice comes from a URL anyone can forge: kept on the error, never in what the user is shown
      expect(err.message).not.toContain('Ask your admin')
      expect(entries.size).toBe(0)
      expect(provider.hits('/oauth/access_token')).toHaveLength(0)
      // single use: the genuine callback cannot finish it afterwards
      expect(
        (
          await rejection(
            app.completeAuthorization(
              store,
              `?oauth_token=rt%2B1%2F%3D&oauth_verifier=${verifier}`,
            ),
          )
        ).code,
      ).toBe('missing_temporary_credential')
    },
  )

  it('names a known problem in the description, and never echoes an unknown one', async () => {
    const { app, store } = await pending()
    const known = await rejection(
      app.completeAuthorization(store, '?oauth_token=x&oauth_problem=permission_denied'),
    )
    expect(known.description).toBe(
      'The provider reported oauth_problem=permission_denied: the user refused the authorization',
    )
    const unknown = await rejection(
      app.completeAuthorization(store, '?oauth_problem=%3Cb%3ECall+0800+now%3C%2Fb%3E'),
    )
    expect(unknown.oauthProblem).toBe('<b>Call 0800 now</b>')
    expect(unknown.message).not.toContain('0800')
    expect(unknown.description).toBe(
      'The provider reported an oauth_problem this library does not know (see oauthProblem)',
    )
  })

  it('a refusal wins over another problem, denied= keeps the oauth_problem sent beside it', async () => {
    const { app, store } = await pending()
    const both = await rejection(
      app.completeAuthorization(store, '?oauth_problem=nonce_used&oauth_problem=user_refused'),
    )
    expect([both.code, both.oauthProblem]).toEqual(['access_denied', 'user_refused'])
    const denied = await rejection(
      app.completeAuthorization(store, '?denied=x&oauth_problem=token_rejected'),
    )
    expect([denied.code, denied.status, denied.oauthProblem]).toEqual([
      'access_denied',
      403,
      'token_rejected',
    ])
    const twitter = await rejection(app.completeAuthorization(store, '?denied=x'))
    expect([twitter.code, twitter.oauthProblem]).toEqual(['access_denied', undefined])
  })

  it('keeps at most 2048 characters of a problem and its advice', async () => {
    const { app, store } = await pending()
    const long = 'a'.repeat(5000)
    const err = await rejection(
      app.completeAuthorization(store, `?oauth_problem=${long}&oauth_problem_advice=${long}`),
    )
    expect(err.oauthProblem).toHaveLength(2048)
    expect(err.oauthProblemAdvice).toHaveLength(2048)
  })

  it("another session's token → missing_temporary_credential", async () => {
    const { app, approved, entries, provider } = await pending()
    const otherSession = createMemoryStore()
    const err = await rejection(app.completeAuthorization(otherSession, approved))
    expect(err.code).toBe('missing_temporary_credential')
    expect(entries.size).toBe(1)
    expect(provider.hits('/oauth/access_token')).toHaveLength(0)
  })

  it("another app's pending login is not this app's", async () => {
    const { oauth, provider, app, store } = await pending()
    const other = oauth.register('other', {
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      requestTokenUrl: `${P}/oauth/request_token`,
      accessTokenUrl: `${P}/oauth/access_token`,
      authorizeUrl: `${P}/oauth/authorize`,
      fetch: provider.fetch,
    })
    const approved = provider.approve('rt+1/=')
    expect((await rejection(other.completeAuthorization(store, approved))).code).toBe(
      'missing_temporary_credential',
    )
    await expect(app.completeAuthorization(store, approved)).resolves.toMatchObject({
      oauth_token: 'at-2',
    })
  })

  it('no oauth_token → missing_token (400)', async () => {
    const { app, store, verifier, provider } = await pending()
    const err = await rejection(app.completeAuthorization(store, `?oauth_verifier=${verifier}`))
    expect(err.code).toBe('missing_token')
    expect(err.status).toBe(400)
    expect((await rejection(app.completeAuthorization(store, ''))).code).toBe('missing_token')
    expect((await rejection(app.completeAuthorization(store, '?oauth_token='))).code).toBe(
      'missing_token',
    )
    expect(provider.hits('/oauth/access_token')).toHaveLength(0)
  })

  it('no or empty verifier → missing_verifier (400), the pending login deleted', async () => {
    for (const query of [
      '?oauth_token=rt%2B1%2F%3D',
      '?oauth_token=rt%2B1%2F%3D&oauth_verifier=',
    ]) {
      const { app, store, entries, provider } = await pending()
      const err = await rejection(app.completeAuthorization(store, query))
      expect(err.code).toBe('missing_verifier')
      expect(err.status).toBe(400)
      expect(entries.size).toBe(0)
      expect(provider.hits('/oauth/access_token')).toHaveLength(0)
    }
  })

  it('a malformed verifier → missing_verifier (400), the provider not contacted', async () => {
    for (const verifier of [
      '%00',
      'v%00',
      '%FF%FE',
      'v%0Aw',
      '%7F',
      'v'.repeat(1025),
      // %-escapes that escape nothing: URLSearchParams would keep them as typed.
      '%zz',
      'ab%2',
      '%',
      'a%g1',
    ]) {
      const { app, store, entries, provider } = await pending()
      const err = await rejection(
        app.completeAuthorization(store, `?oauth_token=rt%2B1%2F%3D&oauth_verifier=${verifier}`),
      )
      expect(err.code).toBe('missing_verifier')
      expect(err.status).toBe(400)
      // Single use, as for a missing verifier: the callback named the login.
      expect(entries.size).toBe(0)
      expect(provider.hits('/oauth/access_token')).toHaveLength(0)
    }
    // The longest accepted, and a verifier with % + / = (opaque), still go to the provider.
    for (const verifier of ['v'.repeat(1024), encodeURIComponent('a%2B+/=')]) {
      const { app, store, provider } = await pending()
      await rejection(
        app.completeAuthorization(store, `?oauth_token=rt%2B1%2F%3D&oauth_verifier=${verifier}`),
      )
      expect(provider.hits('/oauth/access_token')).toHaveLength(1)
    }
  })

  it('repeated oauth_token or oauth_verifier → a bad callback (400), nothing exchanged', async () => {
    const { app, store, verifier, provider } = await pending()
    const t = encodeURIComponent('rt+1/=')
    const twoTokens = await rejection(
      app.completeAuthorization(
        store,
        `?oauth_token=${t}&oauth_token=other&oauth_verifier=${verifier}`,
      ),
    )
    expect(twoTokens.status).toBe(400)
    const twoVerifiers = await rejection(
      app.completeAuthorization(
        store,
        `?oauth_token=${t}&oauth_verifier=${verifier}&oauth_verifier=x`,
      ),
    )
    expect(twoVerifiers.code).toBe('missing_verifier')
    expect(twoVerifiers.status).toBe(400)
    expect(provider.hits('/oauth/access_token')).toHaveLength(0)
  })

  it('the store is empty after the first exchange, even when the provider refuses it', async () => {
    const { app, store, entries, approved, provider } = await pending()
    provider.temporary.get('rt+1/=')!.verifier = 'something-else'
    const err = await rejection(app.completeAuthorization(store, approved))
    expect(err.code).toBe('fetch_token_denied')
    expect(err.oauthProblem).toBe('verifier_invalid')
    expect(entries.size).toBe(0)
    expectNoSecret(err, new URL(approved).searchParams.get('oauth_verifier')!)
  })

  it('the store is empty after a network failure of the exchange that may have reached the provider', async () => {
    // A failure that does not say the connection was never made.
    const { inspect, cb, broken } = await startedThenBroken(async () => {
      throw new TypeError('fetch failed')
    })
    const err = await rejection(broken.completeAuthorization(inspect.store, cb))
    expect(err.code).toBe('fetch_token_denied')
    expect(err.status).toBe(502)
    expect(err.description).toBe(
      'Could not reach the token-credential endpoint https://provider.test/oauth/access_token',
    )
    expect(inspect.entries.size).toBe(0)
  })

  describe('an exchange that never reached the provider keeps the pending login for a retry', () => {
    const refused = (code: string) =>
      Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code })

    it.each([
      ['refused', () => new TypeError('fetch failed', { cause: refused('ECONNREFUSED') })],
      ['no such host', () => new TypeError('fetch failed', { cause: refused('ENOTFOUND') })],
      [
        'every address refused (AggregateError)',
        () =>
          new TypeError('fetch failed', {
            cause: new AggregateError([refused('ECONNREFUSED'), refused('ECONNREFUSED')]),
          }),
      ],
      [
        'a certificate refused',
        () => new TypeError('fetch failed', { cause: refused('CERT_HAS_EXPIRED') }),
      ],
      [
        'refused, as Deno says it (no code)',
        () =>
          new TypeError('fetch failed', {
            cause: new Error(
              'error sending request for url (https://provider.test/oauth/access_token): client error (Connect): tcp connect error: Connection refused (os error 111)',
            ),
          }),
      ],
      [
        'refused, as Bun says it (the code on the error)',
        () =>
          Object.assign(
            new TypeError(
              'ECONNREFUSED: Unable to connect. Is the computer able to access the url?',
            ),
            { code: 'ECONNREFUSED' },
          ),
      ],
    ])(
      '%s: fetch_token_denied, the entry back as it was, and the same callback completes later',
      async (_name, failure) => {
        const { ctx, inspect, cb, before, broken } = await startedThenBroken(async () => {
          throw failure()
        })
        const err = await rejection(broken.completeAuthorization(inspect.store, cb))
        expect(err.code).toBe('fetch_token_denied')
        expect([...inspect.entries]).toEqual(before)
        // The provider reachable again: the user's retry of the same callback logs in.
        const token = await ctx.app.completeAuthorization(inspect.store, cb)
        expect(token.oauth_token).toBeTruthy()
        expect(inspect.entries.size).toBe(0)
      },
    )

    it.each([
      [
        'reset after the request went out',
        () => new TypeError('fetch failed', { cause: refused('ECONNRESET') }),
      ],
      ['a failure of unknown kind', () => new TypeError('fetch failed')],
      ["workerd's, which names no kind", () => new Error('Network connection lost.')],
      [
        'Deno, after the connection was made',
        () =>
          new TypeError('fetch failed', {
            cause: new Error(
              'error sending request for url (…): client error (SendRequest): connection closed',
            ),
          }),
      ],
      [
        'some addresses refused, one reset',
        () =>
          new TypeError('fetch failed', {
            cause: new AggregateError([refused('ECONNREFUSED'), refused('ECONNRESET')]),
          }),
      ],
    ])(
      '%s: the pending login is used up, as the request may have reached the provider',
      async (_name, failure) => {
        const { inspect, cb, broken } = await startedThenBroken(async () => {
          throw failure()
        })
        const err = await rejection(broken.completeAuthorization(inspect.store, cb))
        expect(err.code).toBe('fetch_token_denied')
        expect(inspect.entries.size).toBe(0)
      },
    )

    it('a store that fails to take it back: the failure to reach the provider is reported', async () => {
      const { inspect, cb, broken } = await startedThenBroken(async () => {
        throw new TypeError('fetch failed', { cause: refused('ECONNREFUSED') })
      })
      const failing = { ...inspect.store, set: () => Promise.reject(new Error('store down')) }
      const err = await rejection(broken.completeAuthorization(failing, cb))
      expect(err.code).toBe('fetch_token_denied')
    })
  })

  it('no error message carries a secret or a verifier', async () => {
    const { app, store, approved, verifier } = await pending()
    const errors = [
      await rejection(
        app.completeAuthorization(store, `?oauth_token=nope&oauth_verifier=${verifier}`),
      ),
      await rejection(app.completeAuthorization(store, '?denied=x')),
      await rejection(app.completeAuthorization(store, `?oauth_verifier=${verifier}`)),
    ]
    await app.completeAuthorization(store, approved)
    errors.push(await rejection(app.completeAuthorization(store, approved)))
    for (const err of errors) expectNoSecret(err, verifier)
  })
})
