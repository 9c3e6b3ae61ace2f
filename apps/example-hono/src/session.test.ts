/**
 * Who is logged in: a signed cookie of the app's own (Hono has no session)
 * holding the id of a login the database keeps. The server decides whether it
 * still names a user — not the cookie's Max-Age — so a copied cookie stops
 * working when the login expires or the user logs out.
 */
import { type AppDatabase, type ExampleConfig, openDatabase } from '@oauth1-examples/shared'
import { serializeSigned } from 'hono/utils/cookie'
import { describe, expect, it } from 'vitest'
import { createApp } from './server.ts'

const SECRET = 'an example session secret, 32+ characters long'
const config: ExampleConfig = {
  providerName: 'Test Provider',
  clientId: 'client',
  clientSecret: 'client-secret',
  requestTokenUrl: 'http://127.0.0.1:9/oauth/request_token',
  authorizeUrl: 'http://127.0.0.1:9/oauth/authorize',
  accessTokenUrl: 'http://127.0.0.1:9/oauth/access_token',
  apiBaseUrl: 'http://127.0.0.1:9/api/',
  timeout: 1_000,
  temporaryCredentialTtl: 600_000,
  host: '127.0.0.1',
  port: 0,
  sessionSecret: SECRET,
  databasePath: ':memory:',
  secureCookies: false,
}

/**
 * The home page for a browser whose login cookie holds `value(db, userId)`,
 * signed with `secret`: whether it shows someone logged in.
 */
async function loggedIn(
  value: ((db: AppDatabase, userId: string) => string) | undefined,
  secret = SECRET,
): Promise<boolean> {
  const db = openDatabase(':memory:')
  const user = db.upsertUser('provider', { sub: '42', name: 'Ada', raw: {} })
  const app = createApp(config, db)
  const headers: Record<string, string> = {}
  if (value !== undefined) {
    const cookie = await serializeSigned('example_session', value(db, user.id), secret)
    headers.cookie = cookie.split(';')[0] as string
  }
  const res = await app.request('http://127.0.0.1/', { headers })
  expect(res.status).toBe(200)
  return (await res.text()).includes('data-testid="logout"')
}

describe('the example-hono login cookie (a login id, signed)', () => {
  it('logs in while the database keeps the login', async () => {
    expect(await loggedIn((db, id) => db.startLogin(id, 3600))).toBe(true)
  })

  it('refuses it once the login expired or ended, whatever the cookie Max-Age said', async () => {
    expect(await loggedIn((db, id) => db.startLogin(id, -1))).toBe(false)
    expect(
      await loggedIn((db, id) => {
        const login = db.startLogin(id, 3600)
        db.endLogin(login)
        return login
      }),
    ).toBe(false)
  })

  it('refuses a signed user id, the old `<id>.<expiry>` value, or an unknown login id', async () => {
    const later = Math.floor(Date.now() / 1000) + 3600
    for (const value of [
      (_db: AppDatabase, id: string) => id,
      (_db: AppDatabase, id: string) => `${id}.${later}`,
      () => 'A'.repeat(43),
    ]) {
      expect(await loggedIn(value)).toBe(false)
    }
  })

  it('refuses a cookie signed with another secret, and no cookie at all', async () => {
    expect(await loggedIn((db, id) => db.startLogin(id, 3600), 'x'.repeat(40))).toBe(false)
    expect(await loggedIn(undefined)).toBe(false)
  })
})
