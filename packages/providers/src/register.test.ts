/**
 * Every preset's result goes through the core's `register` as it is: the
 * core validates each option (URLs, methods, kwargs, the RSA key…) at
 * registration, so a preset the core would refuse fails here, not at a
 * user's first login.
 */
import { OAuth } from '@oauth1/core'
import { describe, expect, it } from 'vitest'
import { PRESETS } from './presets.test-helper.js'

const presets = Object.entries(PRESETS).map(([name, { valid }]) => [name, valid] as const)

describe("the core's register accepts every preset", () => {
  it.each(presets)('%s', (name, preset) => {
    const oauth = new OAuth({ config: {} })
    const app = oauth.register(name, { ...preset(), clientId: 'ck', clientSecret: 'cs' })
    expect(app.clientId).toBe('ck')
    expect(oauth.createClient(name)).toBe(app)
  })

  it('reads the client credentials from <NAME>_CLIENT_ID / <NAME>_CLIENT_SECRET', () => {
    const oauth = new OAuth({ config: { X_CLIENT_ID: 'from-env', X_CLIENT_SECRET: 's' } })
    expect(oauth.register('x', PRESETS.twitter.valid()).clientId).toBe('from-env')
  })

  it('lets a spread override anything', () => {
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('trello', {
      ...PRESETS.trello.create(),
      clientId: 'ck',
      apiBaseUrl: 'https://api.trello.example/1/',
    })
    expect(app.apiBaseUrl).toBe('https://api.trello.example/1/')
  })
})
