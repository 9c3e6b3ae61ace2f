/**
 * Who is logged in lives in a signed cookie of the app's own (Hono has no
 * session): its lifetime must be checked by the server, not left to the
 * cookie's Max-Age, or a copied cookie logs in forever.
 */
import { type ExampleConfig, openDatabase } from '@oauth1-examples/shared'
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
 * The home page for a browser whose login cookie holds `value(userId)`, signed
 * with `secret`: whether it shows someone logged in.
 */
async function loggedIn(
  value: ((userId: string) => string) | undefined,
  secret = SECRET,
): Promise<boolean> {
  const db = openDatabase(':memory:')
  const user = db.upsertUser('provider', { sub: '42', name: 'Ada', raw: {} })
  const app = createApp(config, db)
  const headers: Record<string, string> = {}
  if (value !== undefined) {
    const cookie = await serializeSigned('example_session', value(user.id), secret)
    headers.cookie = cookie.split(';')[0] as string
  }
  const res = await app.request('http://127.0.0.1/', { headers })
  expect(res.status).toBe(200)
  return (await res.text()).includes('data-testid="logout"')
}

const now = () => Math.floor(Date.now() / 1000)

describe('the example-hono login cookie (`<user id>.<expiry in epoch seconds>`, signed)', () => {
  it('logs in until the expiry it carries', async () => {
    expect(await loggedIn((id) => `${id}.${now() + 3600}`)).toBe(true)
  })

  it('refuses it once expired, whatever the cookie Max-Age said to the browser', async () => {
    expect(await loggedIn((id) => `${id}.${now() - 1}`)).toBe(false)
  })

  it('refuses a signed user id that carries no expiry, or a malformed one', async () => {
    for (const value of [
      (id: string) => id,
      (id: string) => `${id}.`,
      (id: string) => `${id}.soon`,
    ]) {
      expect(await loggedIn(value)).toBe(false)
    }
  })

  it('refuses a cookie signed with another secret, and no cookie at all', async () => {
    expect(await loggedIn((id) => `${id}.${now() + 3600}`, 'x'.repeat(40))).toBe(false)
    expect(await loggedIn(undefined)).toBe(false)
  })
})
