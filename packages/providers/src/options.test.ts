/**
 * Every bad preset option is a TypeError whose exact message names the
 * preset and the option (wrong type, unknown value, missing, unknown name).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { PRESETS, type PresetName } from './presets.test-helper.js'

beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => {})
})

// Options are checked at run time for JavaScript callers and config-driven
// values; the casts let the table pass what TypeScript would refuse.
const call = (name: PresetName, options?: unknown) => () =>
  (PRESETS[name].create as (options?: unknown) => unknown)(options)

const cases: [string, () => unknown, string][] = [
  // the options object itself
  ['not an object', call('trello', 'read'), 'trello(): options must be an object'],
  ['null', call('twitter', null), 'twitter(): options must be an object'],
  ['an array', call('plurk', []), 'plurk(): options must be an object'],
  [
    'a misspelt option',
    call('trello', { expiraton: 'never' }),
    'trello(): unknown option "expiraton" (known: name, scope, expiration, clientId, clientSecret)',
  ],
  [
    'an option of another preset',
    call('tumblr', { sandbox: true }),
    'tumblr(): unknown option "sandbox" (known: clientId, clientSecret)',
  ],
  [
    'clientId not a string',
    call('garmin', { clientId: 42 }),
    'garmin(): clientId must be a non-empty string',
  ],
  [
    'clientSecret empty',
    call('flickr', { clientSecret: '' }),
    'flickr(): clientSecret must be a non-empty string',
  ],

  // twitter
  [
    'twitter page',
    call('twitter', { page: 'login' }),
    'twitter(): page must be one of authenticate, authorize',
  ],
  [
    'twitter accessType',
    call('twitter', { accessType: 'admin' }),
    'twitter(): accessType must be one of read, write',
  ],
  [
    'twitter forceLogin',
    call('twitter', { forceLogin: 'true' }),
    'twitter(): forceLogin must be a boolean',
  ],
  [
    'twitter fetchProfile',
    call('twitter', { fetchProfile: 'yes' }),
    'twitter(): fetchProfile must be a boolean',
  ],
  [
    'twitter screenName with @',
    call('twitter', { screenName: '@jack' }),
    'twitter(): screenName must be an X handle without @ (A-Z, 0-9, _)',
  ],
  [
    'twitter screenName too long',
    call('twitter', { screenName: 'a'.repeat(16) }),
    'twitter(): screenName must be an X handle without @ (A-Z, 0-9, _)',
  ],

  // trello
  [
    'trello expiration',
    call('trello', { expiration: 'forever' }),
    'trello(): expiration must be one of 1hour, 1day, 30days, never',
  ],
  ...(
    [
      ['an unknown scope', 'read,admin'],
      ['a space', 'read, write'],
      ['a repeat', 'read,read'],
      ['an empty string', ''],
      ['an empty array', []],
      ['a number', 7],
    ] as [string, unknown][]
  ).map(([label, scope]): [string, () => unknown, string] => [
    `trello scope: ${label}`,
    call('trello', { scope }),
    'trello(): scope must be a comma-separated list of read, write, account (no spaces, no repeats)',
  ]),
  ['trello name', call('trello', { name: 3 }), 'trello(): name must be a non-empty string'],

  // flickr, smugmug, zotero
  [
    'flickr perms',
    call('flickr', { perms: 'none' }),
    'flickr(): perms must be one of read, write, delete',
  ],
  [
    'smugmug access',
    call('smugmug', { access: 'full' }),
    'smugmug(): access must be one of Public, Full',
  ],
  [
    'smugmug permissions',
    call('smugmug', { permissions: 'Delete' }),
    'smugmug(): permissions must be one of Read, Add, Modify',
  ],
  [
    'zotero libraryAccess',
    call('zotero', { libraryAccess: 1 }),
    'zotero(): libraryAccess must be a boolean',
  ],
  [
    'zotero allGroups',
    call('zotero', { allGroups: 'all' }),
    'zotero(): allGroups must be one of none, read, write',
  ],
  ['zotero identity', call('zotero', { identity: 'yes' }), 'zotero(): identity must be a boolean'],

  // discogs
  ['discogs without options', call('discogs'), 'discogs(): userAgent is required'],
  ['discogs userAgent missing', call('discogs', {}), 'discogs(): userAgent is required'],
  [
    'discogs userAgent empty',
    call('discogs', { userAgent: '' }),
    'discogs(): userAgent must be a non-empty string',
  ],
  [
    'discogs userAgent with a newline',
    call('discogs', { userAgent: 'App/1\r\nX-Evil: 1' }),
    'discogs(): userAgent must not contain control characters',
  ],
  [
    'discogs signatureMethod',
    call('discogs', { userAgent: 'a', signatureMethod: 'HMAC-SHA256' }),
    'discogs(): signatureMethod must be one of HMAC-SHA1, PLAINTEXT',
  ],

  // mediawiki
  [
    'mediawiki indexUrl relative',
    call('mediawiki', { indexUrl: '/w/index.php' }),
    'mediawiki(): indexUrl must be an absolute http(s) URL',
  ],
  [
    'mediawiki indexUrl ftp',
    call('mediawiki', { indexUrl: 'ftp://wiki.example/w/index.php' }),
    'mediawiki(): indexUrl must be an absolute http(s) URL',
  ],
  [
    'mediawiki indexUrl with a query',
    call('mediawiki', { indexUrl: 'https://en.wikipedia.org/w/index.php?title=Main' }),
    'mediawiki(): indexUrl must not have a query or fragment',
  ],
  [
    'mediawiki indexUrl not index.php',
    call('mediawiki', { indexUrl: 'https://en.wikipedia.org/' }),
    "mediawiki(): indexUrl must be the wiki's index.php URL (https://<wiki>/w/index.php)",
  ],
  [
    'mediawiki oobCallback',
    call('mediawiki', { oobCallback: 'false' }),
    'mediawiki(): oobCallback must be a boolean',
  ],
  [
    'mediawiki leeway negative',
    call('mediawiki', { leeway: -1 }),
    'mediawiki(): leeway must be a non-negative number of seconds',
  ],
  [
    'mediawiki leeway NaN',
    call('mediawiki', { leeway: Number.NaN }),
    'mediawiki(): leeway must be a non-negative number of seconds',
  ],

  // etrade, mastercard
  ['etrade sandbox', call('etrade', { sandbox: 'yes' }), 'etrade(): sandbox must be a boolean'],
  [
    'mastercard sandbox',
    call('mastercard', { sandbox: 1 }),
    'mastercard(): sandbox must be a boolean',
  ],
  [
    'mastercard rsaKey not PEM',
    call('mastercard', { rsaKey: 'not a key' }),
    'mastercard(): rsaKey must be a PEM private key or a key object',
  ],
  [
    'mastercard rsaKey number',
    call('mastercard', { rsaKey: 5 }),
    'mastercard(): rsaKey must be a PEM private key or a key object',
  ],

  // atlassian
  ['atlassian without options', call('atlassian'), 'atlassian(): baseUrl is required'],
  [
    'atlassian baseUrl not a URL',
    call('atlassian', { baseUrl: 'jira.example.com' }),
    'atlassian(): baseUrl must be an absolute http(s) URL',
  ],
  [
    'atlassian baseUrl with credentials',
    call('atlassian', { baseUrl: 'https://admin:pw@jira.example.com' }),
    'atlassian(): baseUrl must not contain credentials',
  ],
  [
    'atlassian baseUrl with a fragment',
    call('atlassian', { baseUrl: 'https://jira.example.com/#x' }),
    'atlassian(): baseUrl must not have a query or fragment',
  ],
  ...[
    'https://jira.example.com/plugins/servlet/oauth',
    'https://jira.example.com/plugins/servlet/oauth/request-token',
    'https://jira.example.com/rest/api/2',
    'https://example.com/confluence/rest/api/',
  ].map((baseUrl): [string, () => unknown, string] => [
    `atlassian baseUrl ${baseUrl}`,
    call('atlassian', { baseUrl }),
    "atlassian(): baseUrl must be the product's base URL (https://jira.example.com, with its context path), not an OAuth or REST URL under it",
  ]),
  [
    'atlassian product',
    call('atlassian', { baseUrl: 'https://jira.example.com', product: 'bamboo' }),
    'atlassian(): product must be one of jira, confluence, bitbucket',
  ],
  [
    'atlassian rsaKey',
    call('atlassian', { baseUrl: 'https://jira.example.com', rsaKey: [] }),
    'atlassian(): rsaKey must be a PEM private key or a key object',
  ],

  // netsuite
  ['netsuite without options', call('netsuite'), 'netsuite(): accountId is required'],
  [
    'netsuite accountId with a dot',
    call('netsuite', { accountId: '1234567.sb1' }),
    'netsuite(): accountId must be a NetSuite account id such as 1234567 or 1234567_SB1',
  ],
  [
    'netsuite accountId as a host',
    call('netsuite', { accountId: '1234567-sb1.app.netsuite.com' }),
    'netsuite(): accountId must be a NetSuite account id such as 1234567 or 1234567_SB1',
  ],
  [
    'netsuite accountId number',
    call('netsuite', { accountId: 1234567 }),
    'netsuite(): accountId must be a non-empty string',
  ],
  [
    'netsuite state with a dash',
    call('netsuite', { accountId: '1', state: 'a-b' }),
    'netsuite(): state must be at most 512 letters and digits',
  ],
  [
    'netsuite state too long',
    call('netsuite', { accountId: '1', state: 'a'.repeat(513) }),
    'netsuite(): state must be at most 512 letters and digits',
  ],
  [
    'netsuite token without secret',
    call('netsuite', { accountId: '1', token: { oauth_token: 't' } }),
    'netsuite(): token must be { oauth_token, oauth_token_secret } with non-empty strings',
  ],

  // woocommerce
  ['woocommerce without options', call('woocommerce'), 'woocommerce(): storeUrl is required'],
  [
    'woocommerce storeUrl',
    call('woocommerce', { storeUrl: 'shop' }),
    'woocommerce(): storeUrl must be an absolute http(s) URL',
  ],
  ...[
    'https://shop.example/wp-json',
    'https://shop.example/wp-json/wc/v3',
    'https://shop.example/blog/wp-json/wc/v3/products',
  ].map((storeUrl): [string, () => unknown, string] => [
    `woocommerce storeUrl ${storeUrl}`,
    call('woocommerce', { storeUrl }),
    'woocommerce(): storeUrl must be the site address (https://shop.example.com), not a REST API URL under /wp-json',
  ]),
  [
    'woocommerce signatureMethod',
    call('woocommerce', { storeUrl: 'https://s.example', signatureMethod: 'PLAINTEXT' }),
    'woocommerce(): signatureMethod must be one of HMAC-SHA256, HMAC-SHA1',
  ],
  [
    'woocommerce version',
    call('woocommerce', { storeUrl: 'https://s.example', version: 'wc/v3' }),
    'woocommerce(): version must be one of v3, v2, v1',
  ],

  // schoology
  ['schoology without options', call('schoology'), 'schoology(): domain is required'],
  ...[
    'https://springfield.schoology.com',
    'springfield.schoology.com/',
    'springfield',
    'a b.com',
    'x.com:443',
  ].map((domain): [string, () => unknown, string] => [
    `schoology domain ${domain}`,
    call('schoology', { domain }),
    'schoology(): domain must be a host name such as springfield.schoology.com (no scheme, port or path)',
  ]),

  // bricklink
  [
    'bricklink token a string',
    call('bricklink', { token: 'abc' }),
    'bricklink(): token must be { oauth_token, oauth_token_secret } with non-empty strings',
  ],
  [
    'bricklink token with a non-string field',
    call('bricklink', { token: { oauth_token: 't', oauth_token_secret: 's', ip: 1 } }),
    'bricklink(): token.ip must be a string',
  ],
]

describe('preset options', () => {
  it.each(cases)('%s', (_, thunk, message) => {
    expect(thunk).toThrow(new TypeError(message))
    expect(thunk).toThrow(TypeError)
  })

  it('undefined optional values are the same as leaving them out', () => {
    expect(
      PRESETS.trello.create({ name: undefined, scope: undefined, expiration: undefined }),
    ).toEqual(PRESETS.trello.create())
    expect(PRESETS.etrade.create({ sandbox: undefined })).toEqual(PRESETS.etrade.create())
  })

  it('an option inherited from the prototype is not read', () => {
    const options = Object.create({ expiration: 'forever' }) as object
    expect(PRESETS.trello.create(options).authorizeParams).toBeUndefined()
  })
})
