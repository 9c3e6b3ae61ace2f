/**
 * Every preset's result goes through the core's `register` as it is: the
 * core validates each option (URLs, methods, kwargs, the RSA key…) at
 * registration, so a preset the core would refuse fails here, not at a
 * user's first login.
 */
import { readFileSync } from 'node:fs'
import { OAuth, type RemoteAppOptions } from '@oauth1/core'
import { describe, expect, it } from 'vitest'
import {
  atlassian,
  bricklink,
  discogs,
  etrade,
  flickr,
  garmin,
  mastercard,
  mediawiki,
  netsuite,
  plurk,
  schoology,
  smugmug,
  trello,
  tumblr,
  twitter,
  woocommerce,
  zotero,
} from './index.js'

const RSA_KEY = readFileSync(
  new URL('../../core/test/vectors/authlib-rsa-private.pem', import.meta.url),
  'utf8',
)

const presets: [string, () => RemoteAppOptions][] = [
  ['twitter', () => twitter()],
  ['trello', () => trello({ name: 'My App', scope: ['read', 'write'], expiration: 'never' })],
  ['flickr', () => flickr({ perms: 'write' })],
  ['tumblr', () => tumblr()],
  ['discogs', () => discogs({ userAgent: 'MyApp/1.0 +https://app.example' })],
  ['smugmug', () => smugmug()],
  ['zotero', () => zotero()],
  ['mediawiki', () => mediawiki()],
  ['etrade', () => etrade({ sandbox: true })],
  ['atlassian', () => atlassian({ baseUrl: 'https://jira.example.com', rsaKey: RSA_KEY })],
  ['netsuite', () => netsuite({ accountId: '1234567_SB1' })],
  ['woocommerce', () => woocommerce({ storeUrl: 'https://shop.example' })],
  ['schoology', () => schoology({ domain: 'springfield.schoology.com' })],
  ['mastercard', () => mastercard({ rsaKey: RSA_KEY })],
  ['bricklink', () => bricklink({ token: { oauth_token: 't', oauth_token_secret: 's' } })],
  ['plurk', () => plurk()],
  ['garmin', () => garmin()],
]

describe("the core's register accepts every preset", () => {
  it.each(presets)('%s', (name, preset) => {
    const oauth = new OAuth({ config: {} })
    const app = oauth.register(name, { ...preset(), clientId: 'ck', clientSecret: 'cs' })
    expect(app.clientId).toBe('ck')
    expect(oauth.createClient(name)).toBe(app)
  })

  it('reads the client credentials from <NAME>_CLIENT_ID / <NAME>_CLIENT_SECRET', () => {
    const oauth = new OAuth({ config: { X_CLIENT_ID: 'from-env', X_CLIENT_SECRET: 's' } })
    expect(oauth.register('x', twitter()).clientId).toBe('from-env')
  })

  it('lets a spread override anything', () => {
    const oauth = new OAuth({ config: {} })
    const app = oauth.register('trello', {
      ...trello(),
      clientId: 'ck',
      apiBaseUrl: 'https://api.trello.example/1/',
    })
    expect(app.apiBaseUrl).toBe('https://api.trello.example/1/')
  })
})
