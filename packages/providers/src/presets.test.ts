/**
 * The exact register options each preset returns, for its defaults and for
 * representative options: URLs to the byte, methods, signing options, and
 * computed authorize parameters called with a fake flow context.
 */
import { OAuth } from '@oauth1/core'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { authorizeParamsOf } from './fake-context.test-helper.js'
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

const fn = expect.any(Function)

// garmin() warns once per process about its end date (garmin.test.ts checks that)
beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => {})
})

describe('twitter', () => {
  it('defaults: Sign in with X on api.x.com, API v2, userinfo from the token or /2/users/me', () => {
    expect(twitter()).toStrictEqual({
      requestTokenUrl: 'https://api.x.com/oauth/request_token',
      authorizeUrl: 'https://api.x.com/oauth/authenticate',
      accessTokenUrl: 'https://api.x.com/oauth/access_token',
      apiBaseUrl: 'https://api.x.com/2/',
      userinfoEndpoint: 'https://api.x.com/2/users/me?user.fields=profile_image_url,url',
      userinfo: fn,
    })
  })

  it('page, accessType (on the request-token call), forceLogin and screenName', () => {
    expect(
      twitter({ page: 'authorize', accessType: 'read', forceLogin: true, screenName: 'jack_1' }),
    ).toStrictEqual({
      requestTokenUrl: 'https://api.x.com/oauth/request_token',
      requestTokenParams: { x_auth_access_type: 'read' },
      authorizeUrl: 'https://api.x.com/oauth/authorize',
      authorizeParams: { force_login: 'true', screen_name: 'jack_1' },
      accessTokenUrl: 'https://api.x.com/oauth/access_token',
      apiBaseUrl: 'https://api.x.com/2/',
      userinfoEndpoint: 'https://api.x.com/2/users/me?user.fields=profile_image_url,url',
      userinfo: fn,
    })
    expect(twitter({ accessType: 'write', forceLogin: false }).requestTokenParams).toEqual({
      x_auth_access_type: 'write',
    })
    expect(twitter({ forceLogin: false })).not.toHaveProperty('authorizeParams')
  })

  it('passes the client credentials only when given', () => {
    expect(twitter()).not.toHaveProperty('clientId')
    expect(twitter()).not.toHaveProperty('clientSecret')
    expect(twitter({ clientId: 'ck', clientSecret: 'cs' })).toMatchObject({
      clientId: 'ck',
      clientSecret: 'cs',
    })
    expect(twitter({ clientId: undefined })).not.toHaveProperty('clientId')
  })
})

describe('trello', () => {
  it('defaults: no authorize parameters (Trello then asks read, 30days)', () => {
    expect(trello()).toStrictEqual({
      requestTokenUrl: 'https://trello.com/1/OAuthGetRequestToken',
      authorizeUrl: 'https://trello.com/1/OAuthAuthorizeToken',
      accessTokenUrl: 'https://trello.com/1/OAuthGetAccessToken',
      apiBaseUrl: 'https://api.trello.com/1/',
      userinfoEndpoint: 'https://api.trello.com/1/members/me',
      userinfo: fn,
    })
  })

  it('name, scope (string or array) and expiration on the authorize URL', () => {
    expect(trello({ name: 'My App', scope: 'read,write', expiration: 'never' })).toMatchObject({
      authorizeParams: { name: 'My App', scope: 'read,write', expiration: 'never' },
    })
    expect(trello({ scope: ['read', 'account'] }).authorizeParams).toStrictEqual({
      scope: 'read,account',
    })
  })
})

describe('flickr', () => {
  it('defaults to perms=read (Flickr refuses an authorize URL without perms)', () => {
    expect(flickr()).toStrictEqual({
      requestTokenUrl: 'https://www.flickr.com/services/oauth/request_token',
      authorizeUrl: 'https://www.flickr.com/services/oauth/authorize',
      accessTokenUrl: 'https://www.flickr.com/services/oauth/access_token',
      authorizeParams: { perms: 'read' },
      apiBaseUrl: 'https://api.flickr.com/services/rest/',
      userinfoEndpoint:
        'https://api.flickr.com/services/rest/?method=flickr.test.login&format=json&nojsoncallback=1',
      userinfo: fn,
    })
    expect(flickr({ perms: 'delete' }).authorizeParams).toStrictEqual({ perms: 'delete' })
  })
})

describe('tumblr', () => {
  it('access token by GET', () => {
    expect(tumblr()).toStrictEqual({
      requestTokenUrl: 'https://www.tumblr.com/oauth/request_token',
      authorizeUrl: 'https://www.tumblr.com/oauth/authorize',
      accessTokenUrl: 'https://www.tumblr.com/oauth/access_token',
      accessTokenMethod: 'GET',
      apiBaseUrl: 'https://api.tumblr.com/v2/',
      userinfoEndpoint: 'https://api.tumblr.com/v2/user/info',
      userinfo: fn,
    })
  })
})

describe('discogs', () => {
  it('request token by GET, consent on www.discogs.com, the User-Agent, HMAC-SHA1 by default', () => {
    expect(discogs({ userAgent: 'Crate/1.0 +https://app.example' })).toStrictEqual({
      requestTokenUrl: 'https://api.discogs.com/oauth/request_token',
      requestTokenMethod: 'GET',
      authorizeUrl: 'https://www.discogs.com/oauth/authorize',
      accessTokenUrl: 'https://api.discogs.com/oauth/access_token',
      apiBaseUrl: 'https://api.discogs.com/',
      userAgent: 'Crate/1.0 +https://app.example',
      clientKwargs: { signatureMethod: 'HMAC-SHA1' },
      userinfoEndpoint: 'https://api.discogs.com/oauth/identity',
      userinfo: fn,
    })
    expect(discogs({ userAgent: 'Crate/1.0', signatureMethod: 'PLAINTEXT' }).clientKwargs).toEqual({
      signatureMethod: 'PLAINTEXT',
    })
  })
})

describe('smugmug', () => {
  it('defaults, then Access and Permissions on the authorize URL', () => {
    expect(smugmug()).toStrictEqual({
      requestTokenUrl: 'https://api.smugmug.com/services/oauth/1.0a/getRequestToken',
      authorizeUrl: 'https://api.smugmug.com/services/oauth/1.0a/authorize',
      accessTokenUrl: 'https://api.smugmug.com/services/oauth/1.0a/getAccessToken',
      apiBaseUrl: 'https://api.smugmug.com/api/v2/',
      userinfoEndpoint: 'https://api.smugmug.com/api/v2!authuser',
      userinfo: fn,
    })
    expect(smugmug({ access: 'Full', permissions: 'Modify' }).authorizeParams).toStrictEqual({
      Access: 'Full',
      Permissions: 'Modify',
    })
  })
})

describe('zotero', () => {
  it('defaults: API version 3 header, no key-page parameters, the key as API auth', () => {
    const preset = zotero()
    expect(preset).toStrictEqual({
      requestTokenUrl: 'https://www.zotero.org/oauth/request',
      authorizeUrl: 'https://www.zotero.org/oauth/authorize',
      accessTokenUrl: 'https://www.zotero.org/oauth/access',
      apiBaseUrl: 'https://api.zotero.org/',
      headers: { 'Zotero-API-Version': '3' },
      apiAuth: fn,
      userinfoEndpoint: 'https://api.zotero.org/keys/current',
      userinfo: fn,
    })
    expect(preset.apiAuth?.({ oauth_token: 't', oauth_token_secret: 'the-key' })).toEqual({
      'Zotero-API-Key': 'the-key',
    })
  })

  it('oauth.zotero.get() sends the key, unsigned, with the API version', async () => {
    const seen: Request[] = []
    const oauth = new OAuth({ config: {} })
    oauth.register('zotero', {
      ...zotero({ clientId: 'ck', clientSecret: 'cs' }),
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        seen.push(new Request(input, init))
        return new Response('[]')
      }) as typeof fetch,
    })
    await oauth.zotero.get('users/42/items', {
      token: { oauth_token: 't', oauth_token_secret: 'the-key' },
    })
    expect(seen).toHaveLength(1)
    expect(seen[0]?.url).toBe('https://api.zotero.org/users/42/items')
    expect(seen[0]?.headers.get('zotero-api-key')).toBe('the-key')
    expect(seen[0]?.headers.get('zotero-api-version')).toBe('3')
    expect(seen[0]?.headers.get('authorization')).toBeNull()
  })

  it('pre-fills the key page: flags as 1/0, all_groups, identity=1', () => {
    expect(
      zotero({
        name: 'My App',
        libraryAccess: true,
        notesAccess: false,
        writeAccess: true,
        allGroups: 'read',
        identity: true,
      }).authorizeParams,
    ).toStrictEqual({
      name: 'My App',
      library_access: '1',
      notes_access: '0',
      write_access: '1',
      all_groups: 'read',
      identity: '1',
    })
    expect(zotero({ identity: false })).not.toHaveProperty('authorizeParams')
  })
})

describe('mediawiki', () => {
  it('defaults to Wikimedia meta: index.php?title= token endpoints, /wiki/ consent page, oob', () => {
    const preset = mediawiki()
    expect(preset).toStrictEqual({
      requestTokenUrl: 'https://meta.wikimedia.org/w/index.php?title=Special:OAuth/initiate',
      authorizeUrl: 'https://meta.wikimedia.org/wiki/Special:OAuth/authorize',
      authorizeParams: fn,
      accessTokenUrl: 'https://meta.wikimedia.org/w/index.php?title=Special:OAuth/token',
      apiBaseUrl: 'https://meta.wikimedia.org/w/api.php',
      userinfoEndpoint: 'https://meta.wikimedia.org/w/index.php?title=Special:OAuth/identify',
      oobCallback: true,
      userinfo: fn,
    })
    // the consumer key goes on the authorize URL beside oauth_token (added by the core)
    expect(authorizeParamsOf(preset, { clientId: 'ck-42' })).toStrictEqual({
      oauth_consumer_key: 'ck-42',
    })
  })

  it('derives every URL from indexUrl; oobCallback false; userAgent', () => {
    expect(
      mediawiki({
        indexUrl: 'http://127.0.0.1:8080/w/index.php',
        oobCallback: false,
        userAgent: 'Tool/1.0 (me@app.example)',
      }),
    ).toStrictEqual({
      requestTokenUrl: 'http://127.0.0.1:8080/w/index.php?title=Special:OAuth/initiate',
      authorizeUrl: 'http://127.0.0.1:8080/wiki/Special:OAuth/authorize',
      authorizeParams: fn,
      accessTokenUrl: 'http://127.0.0.1:8080/w/index.php?title=Special:OAuth/token',
      apiBaseUrl: 'http://127.0.0.1:8080/w/api.php',
      userinfoEndpoint: 'http://127.0.0.1:8080/w/index.php?title=Special:OAuth/identify',
      userAgent: 'Tool/1.0 (me@app.example)',
      userinfo: fn,
    })
    expect(mediawiki({ indexUrl: 'https://wiki.example.org/index.php' }).apiBaseUrl).toBe(
      'https://wiki.example.org/api.php',
    )
  })

  it('the /wiki/ consent page only beside a /w/index.php; else index.php?title=', () => {
    // A wiki with index.php elsewhere has no reason to serve /wiki/ (its article path)
    expect(mediawiki({ indexUrl: 'https://wiki.example.org/index.php' }).authorizeUrl).toBe(
      'https://wiki.example.org/index.php?title=Special:OAuth/authorize',
    )
    expect(mediawiki({ indexUrl: 'https://example.org/mediawiki/index.php' }).authorizeUrl).toBe(
      'https://example.org/mediawiki/index.php?title=Special:OAuth/authorize',
    )
    // the Wikimedia layout under a path: /wiki/ beside /w/
    expect(mediawiki({ indexUrl: 'https://example.org/fr/w/index.php' }).authorizeUrl).toBe(
      'https://example.org/fr/wiki/Special:OAuth/authorize',
    )
  })
})

describe('etrade', () => {
  it('GET token endpoints, oob, key/token on the consent page instead of oauth_token', () => {
    const preset = etrade()
    expect(preset).toStrictEqual({
      requestTokenUrl: 'https://api.etrade.com/oauth/request_token',
      requestTokenMethod: 'GET',
      authorizeUrl: 'https://us.etrade.com/e/t/etws/authorize',
      authorizeTokenParam: false,
      authorizeParams: fn,
      oobCallback: true,
      accessTokenUrl: 'https://api.etrade.com/oauth/access_token',
      accessTokenMethod: 'GET',
      apiBaseUrl: 'https://api.etrade.com/',
    })
    expect(authorizeParamsOf(preset, { clientId: 'ck-9', requestToken: 'rt-5' })).toStrictEqual({
      key: 'ck-9',
      token: 'rt-5',
    })
  })

  it('sandbox: API calls on apisb, OAuth endpoints unchanged', () => {
    expect(etrade({ sandbox: true })).toMatchObject({
      requestTokenUrl: 'https://api.etrade.com/oauth/request_token',
      accessTokenUrl: 'https://api.etrade.com/oauth/access_token',
      apiBaseUrl: 'https://apisb.etrade.com/',
    })
    expect(etrade({ sandbox: false }).apiBaseUrl).toBe('https://api.etrade.com/')
  })
})

describe('atlassian', () => {
  it('jira by default: RSA-SHA1, every URL under baseUrl', () => {
    expect(atlassian({ baseUrl: 'https://jira.example.com/' })).toStrictEqual({
      requestTokenUrl: 'https://jira.example.com/plugins/servlet/oauth/request-token',
      authorizeUrl: 'https://jira.example.com/plugins/servlet/oauth/authorize',
      accessTokenUrl: 'https://jira.example.com/plugins/servlet/oauth/access-token',
      clientKwargs: { signatureMethod: 'RSA-SHA1' },
      apiBaseUrl: 'https://jira.example.com/rest/api/2/',
      userinfoEndpoint: 'https://jira.example.com/rest/api/2/myself',
      userinfo: fn,
    })
  })

  it('confluence and bitbucket under a context path; rsaKey into clientKwargs', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n'
    expect(
      atlassian({ baseUrl: 'https://example.com/confluence', product: 'confluence', rsaKey: pem }),
    ).toStrictEqual({
      requestTokenUrl: 'https://example.com/confluence/plugins/servlet/oauth/request-token',
      authorizeUrl: 'https://example.com/confluence/plugins/servlet/oauth/authorize',
      accessTokenUrl: 'https://example.com/confluence/plugins/servlet/oauth/access-token',
      clientKwargs: { signatureMethod: 'RSA-SHA1', rsaKey: pem },
      apiBaseUrl: 'https://example.com/confluence/rest/api/',
      userinfoEndpoint: 'https://example.com/confluence/rest/api/user/current',
      userinfo: fn,
    })
    expect(atlassian({ baseUrl: 'https://git.example.com', product: 'bitbucket' })).toStrictEqual({
      requestTokenUrl: 'https://git.example.com/plugins/servlet/oauth/request-token',
      authorizeUrl: 'https://git.example.com/plugins/servlet/oauth/authorize',
      accessTokenUrl: 'https://git.example.com/plugins/servlet/oauth/access-token',
      clientKwargs: { signatureMethod: 'RSA-SHA1' },
      apiBaseUrl: 'https://git.example.com/rest/api/1.0/',
    })
  })
})

describe('netsuite', () => {
  it('realm upper case with _, hosts lower case with -, HMAC-SHA256, Deny as access_denied', () => {
    const expected = {
      requestTokenUrl: 'https://1234567-sb1.restlets.api.netsuite.com/rest/requesttoken',
      authorizeUrl: 'https://1234567-sb1.app.netsuite.com/app/login/secure/authorizetoken.nl',
      accessTokenUrl: 'https://1234567-sb1.restlets.api.netsuite.com/rest/accesstoken',
      apiBaseUrl: 'https://1234567-sb1.restlets.api.netsuite.com/',
      clientKwargs: { signatureMethod: 'HMAC-SHA256', realm: '1234567_SB1' },
      emptyVerifierIsDenial: true,
    }
    expect(netsuite({ accountId: '1234567_SB1' })).toStrictEqual(expected)
    expect(netsuite({ accountId: '1234567-sb1' })).toStrictEqual(expected)
    expect(netsuite({ accountId: '1234567' }).clientKwargs).toEqual({
      signatureMethod: 'HMAC-SHA256',
      realm: '1234567',
    })
  })

  it('state on the consent page; a pre-issued token as the static token', () => {
    const token = { oauth_token: 'ns-token', oauth_token_secret: 'ns-secret' }
    const preset = netsuite({ accountId: 'TSTDRV123', state: 'abc123', token })
    expect(preset).toMatchObject({
      authorizeUrl: 'https://tstdrv123.app.netsuite.com/app/login/secure/authorizetoken.nl',
      authorizeParams: { state: 'abc123' },
      token: { oauth_token: 'ns-token', oauth_token_secret: 'ns-secret' },
      clientKwargs: { signatureMethod: 'HMAC-SHA256', realm: 'TSTDRV123' },
    })
    expect(preset.token).not.toBe(token) // a copy: later changes to the caller's object do not leak in
  })
})

describe('woocommerce', () => {
  it('signing only: no token endpoints, withholdToken, HMAC-SHA256, wc/v3 under storeUrl', () => {
    expect(woocommerce({ storeUrl: 'https://shop.example.com/' })).toStrictEqual({
      apiBaseUrl: 'https://shop.example.com/wp-json/wc/v3/',
      withholdToken: true,
      clientKwargs: { signatureMethod: 'HMAC-SHA256' },
    })
    expect(
      woocommerce({
        storeUrl: 'http://127.0.0.1:9000/shop',
        signatureMethod: 'HMAC-SHA1',
        version: 'v2',
      }),
    ).toStrictEqual({
      apiBaseUrl: 'http://127.0.0.1:9000/shop/wp-json/wc/v2/',
      withholdToken: true,
      clientKwargs: { signatureMethod: 'HMAC-SHA1' },
    })
  })
})

describe('schoology', () => {
  it('GET token endpoints, realm, no verifier, callback on the district consent page', () => {
    const preset = schoology({ domain: 'Springfield.schoology.com' })
    expect(preset).toStrictEqual({
      requestTokenUrl: 'https://api.schoology.com/v1/oauth/request_token',
      requestTokenMethod: 'GET',
      authorizeUrl: 'https://springfield.schoology.com/oauth/authorize',
      authorizeParams: fn,
      accessTokenUrl: 'https://api.schoology.com/v1/oauth/access_token',
      accessTokenMethod: 'GET',
      requireVerifier: false,
      requireCallbackConfirmed: false,
      apiBaseUrl: 'https://api.schoology.com/v1/',
      clientKwargs: { realm: 'Schoology API' },
      userinfoEndpoint: 'https://api.schoology.com/v1/users/me',
      userinfo: fn,
    })
    expect(authorizeParamsOf(preset, { callback: 'https://app.example/cb?x=1' })).toStrictEqual({
      oauth_callback: 'https://app.example/cb?x=1',
    })
  })
})

describe('mastercard', () => {
  it('signing only: RSA-SHA256 with a body hash on every request, production by default', () => {
    expect(mastercard()).toStrictEqual({
      apiBaseUrl: 'https://api.mastercard.com/',
      withholdToken: true,
      clientKwargs: { signatureMethod: 'RSA-SHA256', bodyHash: true },
    })
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIC\n-----END RSA PRIVATE KEY-----\n'
    expect(mastercard({ sandbox: true, rsaKey: pem })).toStrictEqual({
      apiBaseUrl: 'https://sandbox.api.mastercard.com/',
      withholdToken: true,
      clientKwargs: { signatureMethod: 'RSA-SHA256', bodyHash: true, rsaKey: pem },
    })
  })

  it('a key object passes through untouched', async () => {
    const { generateKeyPairSync } = await import('node:crypto')
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    expect(mastercard({ rsaKey: privateKey }).clientKwargs?.rsaKey).toBe(privateKey)
  })
})

describe('bricklink', () => {
  it('signing only with static token credentials', () => {
    expect(bricklink()).toStrictEqual({ apiBaseUrl: 'https://api.bricklink.com/api/store/v1/' })
    expect(
      bricklink({ token: { oauth_token: 'bl-token', oauth_token_secret: 'bl-secret' } }),
    ).toStrictEqual({
      apiBaseUrl: 'https://api.bricklink.com/api/store/v1/',
      token: { oauth_token: 'bl-token', oauth_token_secret: 'bl-secret' },
    })
  })
})

describe('plurk', () => {
  it('www.plurk.com/OAuth endpoints, /APP/ API', () => {
    expect(plurk()).toStrictEqual({
      requestTokenUrl: 'https://www.plurk.com/OAuth/request_token',
      authorizeUrl: 'https://www.plurk.com/OAuth/authorize',
      accessTokenUrl: 'https://www.plurk.com/OAuth/access_token',
      apiBaseUrl: 'https://www.plurk.com/APP/',
      userinfoEndpoint: 'https://www.plurk.com/APP/Users/me',
      userinfo: fn,
    })
  })
})

describe('garmin', () => {
  it('connectapi token endpoints, oauthConfirm, apis.garmin.com', () => {
    expect(garmin()).toStrictEqual({
      requestTokenUrl: 'https://connectapi.garmin.com/oauth-service/oauth/request_token',
      authorizeUrl: 'https://connect.garmin.com/oauthConfirm',
      accessTokenUrl: 'https://connectapi.garmin.com/oauth-service/oauth/access_token',
      apiBaseUrl: 'https://apis.garmin.com/',
      userinfoEndpoint: 'https://apis.garmin.com/wellness-api/rest/user/id',
      userinfo: fn,
    })
  })
})

describe('every preset', () => {
  const all = {
    twitter: () => twitter(),
    trello: () => trello(),
    flickr: () => flickr(),
    tumblr: () => tumblr(),
    discogs: () => discogs({ userAgent: 'x/1' }),
    smugmug: () => smugmug(),
    zotero: () => zotero(),
    mediawiki: () => mediawiki(),
    etrade: () => etrade(),
    atlassian: () => atlassian({ baseUrl: 'https://jira.example.com' }),
    netsuite: () => netsuite({ accountId: '1' }),
    woocommerce: () => woocommerce({ storeUrl: 'https://shop.example.com' }),
    schoology: () => schoology({ domain: 'x.schoology.com' }),
    mastercard: () => mastercard(),
    bricklink: () => bricklink(),
    plurk: () => plurk(),
    garmin: () => garmin(),
  }

  it.each(Object.entries(all))(
    '%s: URLs are absolute https strings; no client credentials',
    (_, make) => {
      const preset = make()
      for (const key of [
        'requestTokenUrl',
        'authorizeUrl',
        'accessTokenUrl',
        'apiBaseUrl',
        'userinfoEndpoint',
      ] as const) {
        const value = preset[key]
        if (value === undefined) continue
        expect(typeof value).toBe('string')
        expect(new URL(value).protocol).toBe('https:')
      }
      expect(preset).not.toHaveProperty('clientId')
      expect(preset).not.toHaveProperty('clientSecret')
      // a flow needs all three endpoints, a signing-only preset none
      const endpoints = [preset.requestTokenUrl, preset.authorizeUrl, preset.accessTokenUrl]
      expect(endpoints.filter((url) => url === undefined).length % 3).toBe(0)
      // userinfo and its endpoint come together
      expect(preset.userinfo === undefined).toBe(preset.userinfoEndpoint === undefined)
    },
  )

  it.each(Object.entries(all))('%s: each call returns a fresh object', (_, make) => {
    const a = make()
    const b = make()
    expect(a).not.toBe(b)
    if (a.clientKwargs !== undefined) expect(a.clientKwargs).not.toBe(b.clientKwargs)
  })

  it('spreading overrides anything', () => {
    expect({ ...trello(), apiBaseUrl: 'http://127.0.0.1:1/1/' }.apiBaseUrl).toBe(
      'http://127.0.0.1:1/1/',
    )
  })
})
