// The hostile-callback catalogue of `@oauth1/core/testing` against the core itself: every
// entry's outcome is what completeAuthorization decides, before any adapter is involved.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OAuthError } from './errors.js'
import { createFakeProvider } from './fake-provider.test-helper.js'
import { OAuth, temporaryCredentialKey } from './registry.js'
import { createMemoryServerStore, createMemoryStore, generateBindingId } from './stores.js'
import {
  createSwitchableStore,
  createTestBrowser,
  hostileCallbacks,
  hostileQuery,
  hostileQueryFromPicks,
  hostileQueryParts,
  isHostileQueryRefusal,
  markdownTableCell,
  tamper,
} from './testing.js'

const P = 'https://provider.test'

/**
 * An app on the fake provider with a login pending in a memory store, as
 * beginAuthorization leaves it, under a token of both cases and characters that
 * must be percent-encoded; `genuine` is the provider's callback query for it.
 */
async function pendingLogin() {
  const provider = createFakeProvider()
  const app = new OAuth({ config: {} }).register('provider', {
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    requestTokenUrl: `${P}/oauth/request_token`,
    accessTokenUrl: `${P}/oauth/access_token`,
    authorizeUrl: `${P}/oauth/authorize`,
    fetch: provider.fetch,
  })
  const token = 'Live+Token/1='
  provider.temporary.set(token, { secret: 'rts%1', callback: 'oob' })
  const store = createMemoryStore()
  const key = temporaryCredentialKey('provider', token)
  const pending = {
    oauth_token: token,
    oauth_token_secret: 'rts%1',
    expires_at: Date.now() + 60_000,
  }
  await store.set(key, pending)
  const genuine = new URLSearchParams(provider.approve(token).replace(/^\?/, ''))
  const verifier = genuine.get('oauth_verifier')!
  return { provider, app, store, key, pending, token, verifier, genuine }
}

describe('hostileCallbacks', () => {
  it('has unique names, and names and outcomes that do not depend on the login', () => {
    const strip = ({ query: _query, ...rest }: { query: string }) => rest
    const a = hostileCallbacks({ token: 'Token', verifier: 'verifier' })
    const b = hostileCallbacks({ token: 'Rt+1/=', verifier: 'v%1', foreign: 'other' })
    expect(new Set(a.map((c) => c.name)).size).toBe(a.length)
    expect(b.map(strip)).toEqual(a.map(strip))
    expect(a.some((c) => c.keepsPendingLogin)).toBe(true)
    expect(a.some((c) => !c.keepsPendingLogin)).toBe(true)
    for (const c of b) expect(c.query, c.name).not.toContain('?')
  })

  it('changes the case of a one-case token the other way; refuses a token with no letter', () => {
    for (const token of ['rt+1/=', 'RT+1/=', 'Rt+1/=']) {
      for (const c of hostileCallbacks({ token, verifier: 'v' })) {
        if (
          c.name.startsWith('the live token upper-cased') ||
          c.name.startsWith('the live token lower-cased')
        ) {
          const sent = new URLSearchParams(c.query).get('oauth_token')!
          expect(sent).not.toBe(token)
          expect(sent.toLowerCase()).toBe(token.toLowerCase())
        }
      }
    }
    expect(() => hostileCallbacks({ token: '1234-_', verifier: 'v' })).toThrow(TypeError)
  })

  for (const { name } of hostileCallbacks({ token: 'Token', verifier: 'verifier' })) {
    it(`completeAuthorization agrees: ${name}`, async () => {
      const { provider, app, store, key, token, verifier, genuine } = await pendingLogin()
      const c = hostileCallbacks({ token, verifier }).find((c) => c.name === name)!
      const exchanges = () => provider.hits('/oauth/access_token').length

      const err = await app.completeAuthorization(store, c.query).then(
        () => null,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(OAuthError)
      expect((err as OAuthError).code).toBe(c.code)
      expect((err as OAuthError).status).toBe(c.status)
      expect(exchanges()).toBe(c.contactsProvider ? 1 : 0)
      expect((await store.get(key)) !== null).toBe(c.keepsPendingLogin)
      if (c.keepsPendingLogin) {
        await expect(app.completeAuthorization(store, genuine)).resolves.toMatchObject({
          oauth_token: expect.any(String),
        })
      }
    })
  }
})

describe('hostileQueryParts and hostileQuery', () => {
  it('joins parts into a raw query, bare names and ; separators included', () => {
    expect(
      hostileQuery([
        ['a', '1', false],
        ['b', undefined, false],
        ['c', '', true],
        ['d', null, false],
      ]),
    ).toBe('a=1&b;c=&d')
    expect(hostileQuery([])).toBe('')
  })

  it('hostileQueryFromPicks picks name, value (or none) and separator by threes; isHostileQueryRefusal', () => {
    const login = { token: 'Tok', verifier: 'v' }
    const { names, values } = hostileQueryParts(login)
    expect(hostileQueryFromPicks(login, [0, 0, 0, 1, values.length, 1, 7])).toBe(
      `${names[0]}=${values[0]};${names[1]}`,
    )
    expect(hostileQueryFromPicks(login, [])).toBe('')
    expect(isHostileQueryRefusal('a=1', 400)).toBe(true)
    expect(isHostileQueryRefusal('a=1', 403)).toBe(true)
    expect(isHostileQueryRefusal('a=1', 502)).toBe(false)
    expect(isHostileQueryRefusal('x;oauth_problem=q', 502)).toBe(true)
    expect(isHostileQueryRefusal('oauth_problem=q', 500)).toBe(false)
    expect(isHostileQueryRefusal('oauth_problem=q', 200)).toBe(false)
  })

  it('never holds the live token itself; refuses a token with no letter', () => {
    const { values } = hostileQueryParts({ token: 'Live+Token/1=', verifier: 'v' })
    expect(values).not.toContain(encodeURIComponent('Live+Token/1='))
    expect(values).not.toContain('Live+Token/1=')
    expect(() => hostileQueryParts({ token: '123', verifier: 'v' })).toThrow(TypeError)
  })

  // A property (fast-check): random queries made of the parts, one pending login. Replay a
  // failure with FC_SEED/FC_PATH (see test/fast-check.ts).
  it('any query made of them is an OAuthError (400, 403, or 502 for an oauth_problem) that contacts no provider and keeps the pending login', async () => {
    const { provider, app, store, key, pending, token, verifier, genuine } = await pendingLogin()
    const login = { token, verifier }
    const query = fc
      .array(fc.nat(), { maxLength: 18 })
      .map((picks) => hostileQueryFromPicks(login, picks))
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const err = await app.completeAuthorization(store, q).then(
          () => null,
          (e: unknown) => e,
        )
        expect(err, q).toBeInstanceOf(OAuthError)
        const { status, code } = err as OAuthError
        expect(isHostileQueryRefusal(q, status), `${q} → ${status} ${code}`).toBe(true)
        if (status === 502) expect(code).toBe('fetch_token_denied')
        expect(provider.hits('/oauth/access_token'), q).toHaveLength(0)
        expect(await store.get(key), q).toEqual(pending)
      }),
      { numRuns: 300 },
    )
    await expect(app.completeAuthorization(store, genuine)).resolves.toMatchObject({
      oauth_token: expect.any(String),
    })
  })
})

describe('createTestBrowser', () => {
  it('keeps cookies, sends requests made at once concurrently with the same jar, and drops expired cookies', async () => {
    const { createServer } = await import('node:http')
    let inFlight = 0
    let most = 0
    const seen: (string | undefined)[] = []
    const server = createServer((req, res) => {
      inFlight++
      most = Math.max(most, inFlight)
      seen.push(req.headers.cookie)
      setTimeout(() => {
        inFlight--
        if (req.url === '/set') res.setHeader('set-cookie', ['a=1; Path=/', 'b=x=y; HttpOnly'])
        if (req.url === '/drop') res.setHeader('set-cookie', 'a=gone; Max-Age=0')
        if (req.url === '/redirect') res.writeHead(302, { location: '/elsewhere' })
        res.end('ok')
      }, 20)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as { port: number }
      const browser = createTestBrowser(`http://127.0.0.1:${port}`)
      await browser.fetch('/set')
      expect([...browser.cookies]).toEqual([
        ['a', '1'],
        ['b', 'x=y'],
      ])
      seen.length = 0
      await Promise.all([browser.fetch('/x'), browser.fetch('/y'), browser.fetch('/z')])
      expect(most).toBe(3)
      expect(seen).toEqual(Array(3).fill('a=1; b=x=y'))
      expect((await browser.fetch('/redirect')).status).toBe(302)
      await browser.fetch('/drop')
      expect([...browser.cookies]).toEqual([['b', 'x=y']])
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('createSwitchableStore', () => {
  it('passes every operation through while up, fails each with store_unavailable while down', async () => {
    const redis = createSwitchableStore(createMemoryServerStore())
    const browser = redis.store.forBinding(generateBindingId())
    const value = { oauth_token: 't', oauth_token_secret: 's', expires_at: Date.now() + 60_000 }
    await browser.set('a:t', value)
    redis.down = true
    for (const op of [
      () => browser.get('a:t'),
      () => browser.set('a:t', value),
      () => browser.take('a:t'),
      () => browser.delete('a:t'),
    ]) {
      expect(() => op()).toThrow(OAuthError)
      try {
        op()
      } catch (err) {
        expect([(err as OAuthError).code, (err as OAuthError).status]).toEqual([
          'store_unavailable',
          503,
        ])
      }
    }
    redis.down = false
    expect(await browser.take('a:t')).toEqual(value)
  })
})

describe('tamper', () => {
  const ALPHABETS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_'

  it('always changes the character, whatever it was (x included)', () => {
    for (const c of `${ALPHABETS}x=.;:%A `) {
      for (const text of [c, `${c}rest`, `head${c}`]) {
        const at = text.indexOf(c)
        const out = tamper(text, at)
        expect(out, JSON.stringify(text)).not.toBe(text)
        expect(out.length).toBe(text.length)
        expect(out.slice(0, at) + out.slice(at + 1)).toBe(text.slice(0, at) + text.slice(at + 1))
      }
    }
    expect(tamper('xyz')).toBe(`${tamper('x')}yz`)
  })

  it('changes the decoded bytes of base64 and base64url, even in a last digit holding padding bits', () => {
    // every length modulo 4 (the last digit of 1 or 2 trailing bytes holds 4 or 2 padding bits)
    for (const length of [1, 2, 3, 4, 20, 32, 33, 34]) {
      const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff))
      for (const encoding of ['base64', 'base64url'] as const) {
        const text = bytes.toString(encoding)
        for (let at = 0; at < text.replace(/=+$/, '').length; at++) {
          const out = tamper(text, at)
          expect(Buffer.from(out, encoding).equals(bytes), `${encoding} ${text} @${at}`).toBe(false)
          expect(out[at]).toMatch(/^[A-Za-z0-9]$/)
        }
      }
    }
  })

  it('refuses an index outside the text', () => {
    for (const at of [-1, 3, 1.5, Number.NaN]) expect(() => tamper('abc', at)).toThrow(RangeError)
    expect(() => tamper('', 0)).toThrow(RangeError)
  })
})

describe('markdownTableCell', () => {
  const readme = [
    '| Option | Type | Default | Description |',
    '|---|---|---|---|',
    '| `secret` | `string \\| Uint8Array` | none | Seals. |',
    '| `maxEntries` | `number` | `5` | Pending logins. |',
    '| `maxEntries` | `number` | `9` | a second table |',
  ].join('\n')

  it('reads a cell of the first row named so, keeping escaped pipes', () => {
    expect(markdownTableCell(readme, 'maxEntries', 2)).toBe('`5`')
    expect(markdownTableCell(readme, 'secret', 1)).toBe('`string \\| Uint8Array`')
    expect(markdownTableCell(readme, 'secret', 3)).toBe('Seals.')
    expect(markdownTableCell(readme, 'timeout', 2)).toBeUndefined()
    expect(markdownTableCell(readme, 'maxEntries', 9)).toBeUndefined()
  })
})
