/**
 * Each three-legged emulation end to end: a whole login (with
 * `@oauth1/core`'s OAuth1Client where the provider uses POST token
 * endpoints, else raw signed requests), its refusal path, and its profile
 * endpoint's payload — plus what is particular to it.
 */
import { createHmac } from 'node:crypto'
import { OAuth1Client, type OAuth1ClientOptions, type Token } from '@oauth1/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  callbackParams,
  consent,
  decodeJwt,
  plain,
  type SignedCall,
  signed,
} from '../emulation-test-helpers.js'
import {
  createTestProvider,
  type EmulationName,
  type TestProvider,
  type TestProviderOptions,
} from '../index.js'
import { sendRaw } from '../test-helpers.js'

const CALLBACK = 'http://localhost:3000/auth/callback'
const q = encodeURIComponent

let running: TestProvider[] = []
afterEach(async () => {
  await Promise.all(running.map((p) => p.close()))
  running = []
})

async function start(
  emulate: EmulationName,
  options: Omit<TestProviderOptions, 'emulate'> = {},
): Promise<TestProvider> {
  const p = await createTestProvider({ emulate, ...options })
  running.push(p)
  return p
}

/** A login with OAuth1Client: request token → consent page (Allow as `userId`) → callback → token. */
async function clientLogin(
  p: TestProvider,
  options: Partial<OAuth1ClientOptions> = {},
  authorizeParams?: Record<string, string>,
  userId = '1002',
) {
  const client = new OAuth1Client({
    clientId: p.client.id,
    clientSecret: p.client.secret,
    redirectUri: CALLBACK,
    ...options,
  })
  const temp = await client.fetchRequestToken(p.requestTokenUrl)
  const url = client.createAuthorizationUrl(p.authorizeUrl, temp.oauth_token, authorizeParams)
  const { page, answer } = await consent(url, 'allow', userId)
  expect(answer.status, answer.text).toBe(302)
  client.parseAuthorizationResponse(answer.headers.get('location')!)
  const token = await client.fetchAccessToken(p.accessTokenUrl)
  return { client, token, page: page.text, temp }
}

/** A login with raw signed requests, for providers with GET token endpoints. */
async function rawLogin(
  p: TestProvider,
  opts: {
    rtMethod: 'GET' | 'POST'
    atMethod: 'GET' | 'POST'
    callback: string
    authorize: (token: string) => string
    signing?: Partial<SignedCall>
    verifier?: boolean
    userId?: string
  },
) {
  const rt = await signed({
    method: opts.rtMethod,
    url: p.requestTokenUrl,
    callback: opts.callback,
    ...opts.signing,
  })
  expect(rt.status, rt.text).toBe(200)
  const temp = rt.form
  const { page, answer } = await consent(
    opts.authorize(temp.get('oauth_token')!),
    'allow',
    opts.userId ?? '1002',
  )
  expect(answer.status, answer.text).toBe(302)
  const back = new URLSearchParams(callbackParams(answer))
  const at = await signed({
    method: opts.atMethod,
    url: p.accessTokenUrl,
    token: temp.get('oauth_token')!,
    tokenSecret: temp.get('oauth_token_secret')!,
    ...(opts.verifier === false ? {} : { verifier: back.get('oauth_verifier')! }),
    ...opts.signing,
  })
  expect(at.status, at.text).toBe(200)
  return { temp, back, token: at.form, page: page.text }
}

/** Temporary credentials (POST), then Deny on the consent page: the callback's parameters. */
async function denied(p: TestProvider): Promise<[string, string][]> {
  const rt = (await signed({ method: 'POST', url: p.requestTokenUrl, callback: CALLBACK })).form
  const { answer } = await consent(
    `${p.authorizeUrl}?oauth_token=${q(rt.get('oauth_token')!)}`,
    'deny',
  )
  return callbackParams(answer)
}

const withToken = (t: URLSearchParams | Token) =>
  t instanceof URLSearchParams
    ? { token: t.get('oauth_token')!, tokenSecret: t.get('oauth_token_secret')! }
    : { token: t.oauth_token, tokenSecret: t.oauth_token_secret }

describe('twitter', () => {
  it('login (header, HMAC-SHA1): user_id and screen_name in the token; /2/users/me; x_auth_access_type', async () => {
    const p = await start('twitter')
    const { back, token, page } = await rawLogin(p, {
      rtMethod: 'POST',
      atMethod: 'POST',
      callback: CALLBACK,
      authorize: (t) => `${p.url}/oauth/authenticate?oauth_token=${q(t)}&force_login=true`,
    })
    expect(page).toContain('Authorize Demo App to access your account?')
    expect(page).toContain('<dt>Force login</dt><dd>true</dd>')
    expect([...back.keys()]).toEqual(['oauth_token', 'oauth_verifier'])
    expect(token.get('user_id')).toBe('1002')
    expect(token.get('screen_name')).toBe('bob')
    const me = await signed({ method: 'GET', url: p.urls.userinfoEndpoint!, ...withToken(token) })
    expect(me.json()).toEqual({
      data: {
        id: '1002',
        name: 'Bob Builder',
        username: 'bob',
        profile_image_url: expect.stringMatching(
          /^https:\/\/pbs\.twimg\.com\/profile_images\/\d{19}\/[0-9a-f]{8}_normal\.jpg$/,
        ),
        url: expect.stringMatching(/^https:\/\/t\.co\/\w{10}$/),
      },
    })
    const bare = await signed({ method: 'GET', url: `${p.url}/2/users/me`, ...withToken(token) })
    expect(bare.json()).toEqual({ data: { id: '1002', name: 'Bob Builder', username: 'bob' } })

    const write = await signed({
      method: 'POST',
      url: `${p.requestTokenUrl}?x_auth_access_type=write`,
      callback: CALLBACK,
    })
    expect(write.status).toBe(200)
    const admin = await signed({
      method: 'POST',
      url: `${p.requestTokenUrl}?x_auth_access_type=admin`,
      callback: CALLBACK,
    })
    expect(admin.status).toBe(401)
    expect(admin.form.get('oauth_problem_advice')).toBe('x_auth_access_type must be read or write')
  })

  it('refusal: Deny → ?denied=<token>; the token endpoint refuses query-signed requests', async () => {
    const p = await start('twitter')
    const rt = await signed({ method: 'POST', url: p.requestTokenUrl, callback: CALLBACK })
    const token = rt.form.get('oauth_token')!
    const { answer } = await consent(`${p.authorizeUrl}?oauth_token=${q(token)}`, 'deny')
    expect(callbackParams(answer)).toEqual([['denied', token]])
    const query = await signed({
      method: 'POST',
      url: p.requestTokenUrl,
      callback: CALLBACK,
      placement: 'query',
    })
    expect(query.status).toBe(400)
    expect(query.form.get('oauth_problem_advice')).toContain('Authorization header only')
  })
})

describe('trello', () => {
  it('login with OAuth1Client: name, scope and expiration on the consent page; the e-mail with account', async () => {
    const p = await start('trello')
    const { client, page } = await clientLogin(
      p,
      {},
      {
        name: 'My App',
        scope: 'read,account',
        expiration: '1day',
      },
    )
    expect(page).toContain('Let My App use your account?')
    expect(page).toContain('<dt>Scope</dt><dd>read,account</dd>')
    expect(page).toContain('<dt>Expiration</dt><dd>1day</dd>')
    const me = await client.request('GET', p.urls.userinfoEndpoint!)
    expect(me.status).toBe(200)
    const member = (await me.json()) as Record<string, string>
    expect(member).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      username: 'bob',
      fullName: 'Bob Builder',
      initials: 'BB',
      avatarUrl: expect.stringMatching(
        /^https:\/\/trello-members\.s3\.amazonaws\.com\/[0-9a-f]{24}\/[0-9a-f]{32}$/,
      ),
      url: 'https://trello.com/u/bob',
      email: 'bob@example.test',
    })
    expect(member.avatarUrl).toContain(member.id)
  })

  it('expiration sets the token lifetime; no account scope, no e-mail; unknown scope refused', async () => {
    let clock = Date.now()
    const p = await start('trello', { now: () => clock, autoApprove: 'carol' })
    const rt = await signed({ method: 'POST', url: p.requestTokenUrl, callback: CALLBACK })
    const temp = rt.form
    const back = await plain(
      `${p.authorizeUrl}?expiration=1hour&scope=read&oauth_token=${q(temp.get('oauth_token')!)}`,
    )
    const verifier = new URL(back.headers.get('location')!).searchParams.get('oauth_verifier')!
    const token = (
      await signed({ method: 'POST', url: p.accessTokenUrl, ...withToken(temp), verifier })
    ).form
    const me = await signed({ method: 'GET', url: `${p.url}/1/members/me`, ...withToken(token) })
    expect(me.json()).not.toHaveProperty('email')
    clock += 3601_000
    const later = await signed({
      method: 'GET',
      url: `${p.url}/1/members/me`,
      ...withToken(token),
      timestamp: Math.floor(clock / 1000),
    })
    expect(later.status).toBe(401)
    expect(later.form.get('oauth_problem')).toBe('token_expired')

    const again = (
      await signed({
        method: 'POST',
        url: p.requestTokenUrl,
        callback: CALLBACK,
        timestamp: Math.floor(clock / 1000),
      })
    ).form.get('oauth_token')!
    const bad = await plain(`${p.authorizeUrl}?scope=read,admin&oauth_token=${q(again)}`)
    expect(bad.status).toBe(400)
    expect(bad.text).toContain('Invalid scope')
    const unnamed = await createTestProvider({ emulate: 'trello' })
    running.push(unnamed)
    const t = (await signed({ method: 'POST', url: unnamed.requestTokenUrl, callback: CALLBACK }))
      .form
    const anonymous = await plain(`${unnamed.authorizeUrl}?oauth_token=${q(t.get('oauth_token')!)}`)
    expect(anonymous.text).toContain('Let An unknown application use your account?')
  })
})

describe('flickr', () => {
  it('login with OAuth1Client and perms; the token’s user_nsid is flickr.test.login’s user', async () => {
    const p = await start('flickr')
    const { client, token, page } = await clientLogin(p, {}, { perms: 'delete' })
    expect(page).toContain('Demo App wants to link to your Flickr account')
    expect(token).toMatchObject({ username: 'bob', fullname: 'Bob Builder' })
    expect(token.user_nsid).toMatch(/^\d{8}@N0\d$/)
    const res = await client.request('GET', p.urls.userinfoEndpoint!)
    expect(await res.json()).toEqual({
      user: { id: token.user_nsid, username: { _content: 'bob' }, path_alias: null },
      stat: 'ok',
    })
    const jsonp = await client.request(
      'GET',
      `${p.apiBaseUrl}?method=flickr.test.login&format=json`,
    )
    expect(await jsonp.text()).toMatch(/^jsonFlickrApi\(\{"user":/)
    const xml = await client.request('GET', `${p.apiBaseUrl}?method=flickr.test.login`)
    expect(xml.headers.get('content-type')).toBe('text/xml; charset=utf-8')
    expect(await xml.text()).toContain(`<user id="${token.user_nsid}">`)
    const unknown = await client.request(
      'GET',
      `${p.apiBaseUrl}?method=flickr.nope&format=json&nojsoncallback=1`,
    )
    expect(await unknown.json()).toEqual({
      stat: 'fail',
      code: 112,
      message: 'Method "flickr.nope" not found',
    })
  })

  it('refusal: no perms is Flickr’s own error page; out of band the code reads 123-456-789', async () => {
    const p = await start('flickr')
    const rt = (await signed({ method: 'GET', url: p.requestTokenUrl, callback: 'oob' })).form
    const missing = await plain(`${p.authorizeUrl}?oauth_token=${q(rt.get('oauth_token')!)}`)
    expect(missing.status).toBe(400)
    expect(missing.text).toContain('Oops! Flickr doesn&#39;t recognise the permission set.')
    const { answer } = await consent(
      `${p.authorizeUrl}?perms=read&oauth_token=${q(rt.get('oauth_token')!)}`,
      'allow',
    )
    const code = /<code id="oauth_verifier">([^<]+)<\/code>/.exec(answer.text)![1]!
    expect(code).toMatch(/^\d{3}-\d{3}-\d{3}$/)
    const at = await signed({
      method: 'GET',
      url: p.accessTokenUrl,
      ...withToken(rt),
      verifier: code,
    })
    expect(at.status).toBe(200)
  })
})

describe('tumblr', () => {
  it('login: POST request token, GET access token; /v2/user/info; errors in the API envelope', async () => {
    const p = await start('tumblr')
    const { token } = await rawLogin(p, {
      rtMethod: 'POST',
      atMethod: 'GET',
      callback: CALLBACK,
      authorize: (t) => `${p.authorizeUrl}?oauth_token=${q(t)}`,
    })
    const info = await signed({ method: 'GET', url: p.urls.userinfoEndpoint!, ...withToken(token) })
    expect(info.json()).toEqual({
      meta: { status: 200, msg: 'OK' },
      response: {
        user: {
          name: 'bob',
          likes: 0,
          following: 0,
          default_post_format: 'html',
          blogs: [
            {
              name: 'bob',
              title: 'Bob Builder',
              url: 'https://bob.tumblr.com/',
              primary: true,
              uuid: expect.stringMatching(/^t:[0-9a-f]{22}$/),
              followers: 0,
            },
          ],
        },
      },
    })
    p.revokeToken(token.get('oauth_token')!)
    const gone = await signed({ method: 'GET', url: p.urls.userinfoEndpoint!, ...withToken(token) })
    expect(gone.status).toBe(401)
    expect(gone.json()).toMatchObject({ meta: { status: 401, msg: 'Unauthorized' }, response: [] })
  })

  it('refusal: Deny, and a POST to the access-token endpoint', async () => {
    const p = await start('tumblr')
    const rt = (await signed({ method: 'POST', url: p.requestTokenUrl, callback: CALLBACK })).form
    const { answer } = await consent(
      `${p.authorizeUrl}?oauth_token=${q(rt.get('oauth_token')!)}`,
      'deny',
    )
    expect(callbackParams(answer)).toEqual([
      ['oauth_problem', 'user_refused'],
      ['oauth_token', rt.get('oauth_token')],
    ])
    const post = await signed({
      method: 'POST',
      url: p.accessTokenUrl,
      ...withToken(rt),
      verifier: 'x',
    })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET')
  })
})

describe('discogs', () => {
  it('login (GET request token, PLAINTEXT); identity, then its resource_url', async () => {
    const p = await start('discogs')
    const signing = {
      signatureMethod: 'PLAINTEXT' as const,
      headers: { 'user-agent': 'MyDiscogsApp/1.0' },
    }
    const { token } = await rawLogin(p, {
      rtMethod: 'GET',
      atMethod: 'POST',
      callback: CALLBACK,
      authorize: (t) => `${p.authorizeUrl}?oauth_token=${q(t)}`,
      signing,
    })
    const identity = await signed({
      method: 'GET',
      url: p.urls.userinfoEndpoint!,
      ...withToken(token),
      ...signing,
    })
    const id = identity.json() as Record<string, unknown>
    expect(id).toEqual({
      id: expect.any(Number),
      username: 'bob',
      resource_url: `${p.url}/users/bob`,
      consumer_name: 'Demo App',
    })
    const profile = await signed({
      method: 'GET',
      url: String(id.resource_url),
      ...withToken(token),
      ...signing,
    })
    expect(profile.json()).toMatchObject({
      id: id.id,
      username: 'bob',
      name: 'Bob Builder',
      avatar_url: expect.stringMatching(/^https:\/\/i\.discogs\.com\/avatars\/\d+\.jpeg$/),
      uri: 'https://www.discogs.com/user/bob',
      home_page: 'https://bob.example',
      email: 'bob@example.test',
    })
    // someone else's public profile has no e-mail
    const other = await signed({
      method: 'GET',
      url: `${p.url}/users/alice`,
      ...withToken(token),
      ...signing,
    })
    expect(other.json()).not.toHaveProperty('email')
  })

  it('refusal: a request without User-Agent is 403 plain text', async () => {
    const p = await start('discogs')
    const s = await signed({ method: 'GET', url: p.requestTokenUrl, callback: CALLBACK })
    expect(s.status).toBe(200) // fetch sends a User-Agent of its own
    const noUa = await sendRaw(`${p.requestTokenUrl}`, { method: 'GET', headers: {} })
    expect(noUa.status).toBe(403)
    expect(noUa.text).toContain('User-Agent')
    expect(p.lastRequest!.ok).toBe(false)
  })
})

describe('smugmug', () => {
  it('login with OAuth1Client, Access and Permissions; !authuser needs Accept: application/json', async () => {
    const p = await start('smugmug')
    const { client, page } = await clientLogin(p, {}, { Access: 'Full', Permissions: 'Modify' })
    expect(page).toContain('<dt>Access</dt><dd>Full</dd>')
    const html = await client.request('GET', p.urls.userinfoEndpoint!)
    expect(html.headers.get('content-type')).toMatch(/^text\/html/)
    const res = await client.request('GET', p.urls.userinfoEndpoint!, {
      headers: { accept: 'application/json' },
    })
    const body = (await res.json()) as { Response: { User: Record<string, string> } }
    expect(body.Response.User).toMatchObject({
      NickName: 'Bob',
      Name: 'Bob Builder',
      WebUri: 'https://bob.smugmug.com',
      Uri: '/api/v2/user/Bob',
    })
    expect(body).toMatchObject({ Code: 200, Message: 'Ok' })
  })

  it('refusal: Access=Private; out of band a 6-digit code', async () => {
    const p = await start('smugmug')
    const rt = (await signed({ method: 'GET', url: p.requestTokenUrl, callback: 'oob' })).form
    const bad = await plain(
      `${p.authorizeUrl}?Access=Private&oauth_token=${q(rt.get('oauth_token')!)}`,
    )
    expect(bad.status).toBe(400)
    expect(bad.text).toContain('Access must be Public or Full.')
    const { answer } = await consent(
      `${p.authorizeUrl}?oauth_token=${q(rt.get('oauth_token')!)}`,
      'allow',
    )
    expect(/<code id="oauth_verifier">(\d{6})<\/code>/.test(answer.text)).toBe(true)
  })
})

describe('zotero', () => {
  it('login with OAuth1Client: the token secret is the API key of /keys/current', async () => {
    const p = await start('zotero')
    const { token } = await clientLogin(
      p,
      {},
      {
        name: 'My Key',
        library_access: '1',
        notes_access: '1',
        write_access: '1',
        all_groups: 'read',
      },
    )
    expect(token.username).toBe('bob')
    expect(token.userID).toMatch(/^\d{7}$/)
    expect(token.oauth_token_secret).toMatch(/^[A-Za-z0-9]{24}$/)
    const key = await plain(p.urls.userinfoEndpoint!, {
      headers: { 'zotero-api-key': token.oauth_token_secret, 'zotero-api-version': '3' },
    })
    expect(key.status).toBe(200)
    expect(key.json()).toEqual({
      key: token.oauth_token_secret,
      userID: Number(token.userID),
      username: 'bob',
      displayName: 'Bob Builder',
      access: {
        user: { library: true, files: true, notes: true, write: true },
        groups: { all: { library: true, write: false } },
      },
    })
  })

  it('identity=1: the login names the user and makes no API key [Z1]', async () => {
    const p = await start('zotero')
    const { token, page } = await clientLogin(p, {}, { identity: '1' })
    expect(page).toContain('Identity only')
    expect(token.username).toBe('bob')
    expect(token.userID).toMatch(/^\d{7}$/)
    const key = await plain(p.urls.userinfoEndpoint!, {
      headers: { 'zotero-api-key': token.oauth_token_secret, 'zotero-api-version': '3' },
    })
    expect([key.status, key.text]).toEqual([403, 'Forbidden'])
  })

  it('refusal: a wrong key is 403; no Zotero-API-Version is 400; Deny', async () => {
    const p = await start('zotero')
    const token = p.issueToken()
    const wrong = await plain(p.urls.userinfoEndpoint!, {
      headers: { 'zotero-api-key': 'x'.repeat(24), 'zotero-api-version': '3' },
    })
    expect([wrong.status, wrong.text]).toEqual([403, 'Forbidden'])
    const noVersion = await plain(p.urls.userinfoEndpoint!, {
      headers: { 'zotero-api-key': token.oauth_token_secret },
    })
    expect(noVersion.status).toBe(400)
    expect(await denied(p)).toEqual([
      ['oauth_problem', 'user_refused'],
      ['oauth_token', expect.any(String)],
    ])
  })
})

describe('mediawiki', () => {
  it('login with OAuth1Client (oob → the registered callback), identify verified as a preset must', async () => {
    const p = await start('mediawiki', {
      clients: [
        { id: 'wiki-key', secret: 'wiki-secret', callbackUrls: [CALLBACK], name: 'Wiki App' },
      ],
    })
    const client = new OAuth1Client({ clientId: 'wiki-key', clientSecret: 'wiki-secret' })
    const temp = await client.fetchRequestToken(p.requestTokenUrl)
    expect(p.lastRequest!.oauthParams.oauth_callback).toBe('oob')
    const url = client.createAuthorizationUrl(p.authorizeUrl, temp.oauth_token, {
      oauth_consumer_key: 'wiki-key',
    })
    const { page, answer } = await consent(url, 'allow', '1002')
    expect(page.text).toContain('Wiki App would like to access your account on MediaWiki')
    expect(answer.headers.get('location')!.startsWith(`${CALLBACK}?oauth_token=`)).toBe(true)
    client.parseAuthorizationResponse(answer.headers.get('location')!)
    const token = await client.fetchAccessToken(p.accessTokenUrl)

    const before = Math.floor(Date.now() / 1000)
    const nonce = 'chosen-by-the-preset-0123456789'
    const res = await signed({
      method: 'POST',
      url: p.urls.userinfoEndpoint!,
      clientId: 'wiki-key',
      clientSecret: 'wiki-secret',
      ...withToken(token),
      nonce,
    })
    expect(res.status).toBe(200)
    const jwt = decodeJwt(res.text)
    expect(jwt.header).toEqual({ typ: 'JWT', alg: 'HS256' })
    const expected = createHmac('sha256', 'wiki-secret').update(jwt.signingInput).digest()
    expect(jwt.signature.equals(expected)).toBe(true)
    expect(jwt.claims).toEqual({
      iss: p.url,
      sub: 1002,
      aud: 'wiki-key',
      exp: (jwt.claims.iat as number) + 100,
      iat: expect.any(Number),
      nonce,
      username: 'Bob',
      editcount: 42,
      confirmed_email: true,
      blocked: false,
      registered: '20120304050607',
      groups: ['*', 'user', 'autoconfirmed'],
      rights: ['read', 'edit', 'createpage', 'createtalk', 'writeapi'],
      grants: ['mwoauth-authonly'],
      email: 'bob@example.test',
    })
    expect(Math.abs((jwt.claims.iat as number) - before)).toBeLessThanOrEqual(300)
    expect(new URL(jwt.claims.iss as string).host).toBe(new URL(p.urls.userinfoEndpoint!).host)

    const api = await client.request(
      'GET',
      `${p.apiBaseUrl}?action=query&meta=userinfo&format=json`,
    )
    expect(await api.json()).toEqual({
      batchcomplete: '',
      query: { userinfo: { id: 1002, name: 'Bob' } },
    })
  })

  it('refusal: a URL callback without a registered prefix, errors as 200 "Error: "', async () => {
    const p = await start('mediawiki', {
      clients: [
        { id: 'plain', secret: 's1', callbackUrls: [CALLBACK] },
        { id: 'prefixed', secret: 's2', callbackUrls: ['http://localhost:3000/*'] },
      ],
    })
    const refused = await signed({
      method: 'POST',
      url: p.requestTokenUrl,
      clientId: 'plain',
      clientSecret: 's1',
      callback: CALLBACK,
    })
    expect(refused.status).toBe(200)
    expect(refused.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(refused.text).toMatch(/^Error: .*oauth_callback must be "oob".*\(parameter_rejected\)$/)
    expect(p.lastRequest!.ok).toBe(false)
    const prefixed = await signed({
      method: 'POST',
      url: p.requestTokenUrl,
      clientId: 'prefixed',
      clientSecret: 's2',
      callback: `${CALLBACK}?next=%2F`,
    })
    expect(prefixed.status).toBe(200)
    expect(prefixed.form.get('oauth_token')).toBeTruthy()
    const { answer } = await consent(
      `${p.authorizeUrl}?oauth_token=${q(prefixed.form.get('oauth_token')!)}&oauth_consumer_key=prefixed`,
      'deny',
    )
    expect(
      answer.headers.get('location')!.startsWith(`${CALLBACK}?next=%2F&oauth_problem=user_refused`),
    ).toBe(true)
  })
})

describe('etrade', () => {
  const login = async (p: TestProvider, userId = '1002') =>
    rawLogin(p, {
      rtMethod: 'GET',
      atMethod: 'GET',
      callback: 'oob',
      authorize: (t) => `${p.authorizeUrl}?key=${q(p.client.id)}&token=${q(t)}`,
      userId,
    })

  it('login (GET, oob, key/token) to the registered callback; accounts in JSON and XML', async () => {
    const p = await start('etrade', {
      clients: [{ id: 'demo-client', secret: 'demo-secret', callbackUrls: [CALLBACK] }],
    })
    const { back, token, page } = await login(p)
    expect(page).toContain('Demo App is requesting access to your E*TRADE account')
    expect([...back.keys()]).toEqual(['oauth_token', 'oauth_verifier'])
    const json = await signed({
      method: 'GET',
      url: `${p.apiBaseUrl}v1/accounts/list.json`,
      ...withToken(token),
    })
    expect(json.json()).toEqual({
      AccountListResponse: {
        Accounts: {
          Account: [
            expect.objectContaining({
              accountId: expect.stringMatching(/^\d{8}$/),
              accountStatus: 'ACTIVE',
            }),
          ],
        },
      },
    })
    const xml = await signed({
      method: 'GET',
      url: `${p.apiBaseUrl}v1/accounts/list`,
      ...withToken(token),
    })
    expect(xml.text).toContain('<AccountListResponse><Accounts><Account><accountId>')
  })

  it('refusal: a URL callback; without a registered callback the code is shown (5 characters)', async () => {
    const p = await start('etrade')
    const url = await signed({ method: 'GET', url: p.requestTokenUrl, callback: CALLBACK })
    expect(url.status).toBe(400)
    expect(url.form.get('oauth_parameters_rejected')).toBe('oauth_callback')
    const rt = (await signed({ method: 'GET', url: p.requestTokenUrl, callback: 'oob' })).form
    const { answer } = await consent(
      `${p.authorizeUrl}?key=demo-client&token=${q(rt.get('oauth_token')!)}`,
      'allow',
    )
    const code = /<code id="oauth_verifier">([A-Z0-9]{5})<\/code>/.exec(answer.text)![1]!
    const at = await signed({
      method: 'GET',
      url: p.accessTokenUrl,
      ...withToken(rt),
      verifier: code,
    })
    expect(at.status).toBe(200)
  })

  it('request tokens live 5 minutes [ET1]; the requestTokenTtl option wins', async () => {
    let clock = Date.UTC(2026, 5, 1, 12)
    const options = {
      now: () => clock,
      autoApprove: true,
      clients: [{ id: 'demo-client', secret: 'demo-secret', callbackUrls: [CALLBACK] }],
    }
    const fresh = async (p: TestProvider) =>
      (
        await signed({
          method: 'GET',
          url: p.requestTokenUrl,
          callback: 'oob',
          timestamp: Math.floor(clock / 1000),
        })
      ).form.get('oauth_token')!
    const authorize = (p: TestProvider, token: string) =>
      plain(`${p.authorizeUrl}?key=demo-client&token=${q(token)}`)
    const p = await start('etrade', options)
    const [early, late] = [await fresh(p), await fresh(p)]
    clock += 5 * 60_000 - 1000
    expect((await authorize(p, early)).status).toBe(302)
    clock += 2000
    const expired = await authorize(p, late)
    expect(expired.status).toBe(400)
    const longer = await start('etrade', { ...options, requestTokenTtl: 600 })
    const kept = await fresh(longer)
    clock += 5 * 60_000 + 1000
    expect((await authorize(longer, kept)).status).toBe(302)
  })

  it('tokens go inactive after 2 h idle (renew wakes them), die at midnight US Eastern, and can be revoked', async () => {
    // 2026-01-14 23:50 EST
    let clock = Date.UTC(2026, 0, 15, 4, 50)
    const p = await start('etrade', {
      now: () => clock,
      autoApprove: true,
      clients: [{ id: 'demo-client', secret: 'demo-secret', callbackUrls: [CALLBACK] }],
      requestTokenTtl: 86_400,
    })
    const at = (extra: Partial<SignedCall> = {}) => ({
      timestamp: Math.floor(clock / 1000),
      ...extra,
    })
    const rt = (await signed({ method: 'GET', url: p.requestTokenUrl, callback: 'oob', ...at() }))
      .form
    const back = await plain(`${p.authorizeUrl}?key=demo-client&token=${q(rt.get('oauth_token')!)}`)
    const verifier = new URL(back.headers.get('location')!).searchParams.get('oauth_verifier')!
    // issued at 23:50 the day before: dies at 00:00 EST
    const late = (
      await signed({ method: 'GET', url: p.accessTokenUrl, ...withToken(rt), verifier, ...at() })
    ).form
    /** A signed GET at the provider's clock. */
    const get = (path: string, token: URLSearchParams | Token) =>
      signed({ method: 'GET', url: `${p.url}${path}`, ...withToken(token), ...at() })
    const accounts = '/v1/accounts/list.json'
    clock += 11 * 60_000
    expect((await get(accounts, late)).form.get('oauth_problem')).toBe('token_expired')
    expect((await get('/oauth/renew_access_token', late)).status).toBe(401)

    // a token of the new day: idle for 2 h, renewed, revoked
    const token = p.issueToken()
    clock += 2 * 3600_000 + 1000
    const idle = await get(accounts, token)
    expect(idle.status).toBe(401)
    expect(idle.form.get('oauth_problem_advice')).toContain('renew')
    const renew = await get('/oauth/renew_access_token', token)
    expect([renew.status, renew.text]).toEqual([200, 'Access Token has been renewed'])
    expect((await get(accounts, token)).status).toBe(200)
    const revoke = await get('/oauth/revoke_access_token', token)
    expect([revoke.status, revoke.text]).toEqual([200, 'Revoked Access Token'])
    expect((await get(accounts, token)).form.get('oauth_problem')).toBe('token_rejected')
  })
})

describe('atlassian', () => {
  it('login with OAuth1Client, RSA-SHA1 with the generated key; /rest/api/2/myself', async () => {
    const p = await start('atlassian')
    expect(p.client.rsaPrivateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    const { client } = await clientLogin(p, {
      signatureMethod: 'RSA-SHA1',
      rsaKey: p.client.rsaPrivateKey!,
    })
    const me = await client.request('GET', p.urls.userinfoEndpoint!)
    const body = (await me.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      self: `${p.url}/rest/api/2/user?username=bob`,
      key: expect.stringMatching(/^JIRAUSER\d{5}$/),
      name: 'bob',
      displayName: 'Bob Builder',
      emailAddress: 'bob@example.test',
      avatarUrls: { '48x48': expect.stringContaining(`${p.url}/secure/useravatar?size=48`) },
    })
  })

  it('refusal: HMAC-SHA1 is 401 signature_method_rejected', async () => {
    const p = await start('atlassian', { clients: [{ id: 'k', secret: 's' }] })
    const client = new OAuth1Client({ clientId: 'k', clientSecret: 's', redirectUri: CALLBACK })
    const err = await client.fetchRequestToken(p.requestTokenUrl).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'fetch_token_denied',
      oauthProblem: 'signature_method_rejected',
      response: { status: 401 },
    })
  })
})

describe('netsuite', () => {
  const options = { signatureMethod: 'HMAC-SHA256' as const, realm: '1234567_SB1' }

  it('login with OAuth1Client (HMAC-SHA256, realm), state echoed; a RESTlet call', async () => {
    const p = await start('netsuite')
    const { client, page } = await clientLogin(p, options, { state: 'abc123' }, '1003')
    expect(page).toContain('Demo App is requesting access to your NetSuite account')
    const res = await client.request(
      'POST',
      `${p.apiBaseUrl}app/site/hosting/restlet.nl?script=12&deploy=1`,
      {
        body: '{"hello":"world"}',
        headers: { 'content-type': 'application/json' },
      },
    )
    expect(await res.json()).toEqual({
      success: true,
      script: '12',
      deploy: '1',
      method: 'POST',
      entity: '1003',
      body: '{"hello":"world"}',
    })
  })

  it('refusal: realm missing on a RESTlet call, a short nonce, a timestamp going backwards', async () => {
    const p = await start('netsuite')
    const token = p.issueToken()
    const call = {
      method: 'GET',
      url: `${p.apiBaseUrl}app/site/hosting/restlet.nl?script=1&deploy=1`,
      signatureMethod: 'HMAC-SHA256' as const,
      ...withToken(token),
    }
    const noRealm = await signed(call)
    expect(noRealm.form.get('oauth_parameters_absent')).toBe('realm')
    const short = await signed({ ...call, realm: '1234567_SB1', nonce: 'abc12' })
    expect(short.form.get('oauth_parameters_rejected')).toBe('oauth_nonce')
    const now = Math.floor(Date.now() / 1000)
    expect((await signed({ ...call, realm: '1234567_SB1', timestamp: now })).status).toBe(200)
    const backwards = await signed({ ...call, realm: '1234567_SB1', timestamp: now - 10 })
    expect(backwards.form.get('oauth_problem')).toBe('timestamp_refused')
    // the access-token step no longer needs the realm [NS6]
    const rt = (
      await signed({ method: 'POST', url: p.requestTokenUrl, callback: CALLBACK, ...options })
    ).form
    const back = await plain(`${p.authorizeUrl}?oauth_token=${q(rt.get('oauth_token')!)}`)
    const { answer } = await consent(
      `${p.authorizeUrl}?oauth_token=${q(rt.get('oauth_token')!)}`,
      'allow',
    )
    expect(back.status).toBe(200)
    const verifier = new URL(answer.headers.get('location')!).searchParams.get('oauth_verifier')!
    const at = await signed({
      method: 'POST',
      url: p.accessTokenUrl,
      signatureMethod: 'HMAC-SHA256',
      ...withToken(rt),
      verifier,
    })
    expect(at.status, at.text).toBe(200)
  })
})

describe('schoology', () => {
  it('login without a verifier (GET, realm, callback on the authorize URL); /users/me 303 followed by OAuth1Client', async () => {
    const p = await start('schoology')
    const signing = { realm: 'Schoology API' }
    const { back, token } = await rawLogin(p, {
      rtMethod: 'GET',
      atMethod: 'GET',
      callback: 'oob',
      authorize: (t) => `${p.authorizeUrl}?oauth_token=${q(t)}&oauth_callback=${q(CALLBACK)}`,
      signing,
      verifier: false,
    })
    expect([...back.keys()]).toEqual(['oauth_token'])
    expect(p.lastRequest!.oauthParams).not.toHaveProperty('oauth_verifier')
    const client = new OAuth1Client({
      clientId: p.client.id,
      clientSecret: p.client.secret,
      realm: 'Schoology API',
    })
    const me = await client.request('GET', p.urls.userinfoEndpoint!, {
      token: {
        oauth_token: token.get('oauth_token')!,
        oauth_token_secret: token.get('oauth_token_secret')!,
      },
    })
    expect(me.status).toBe(200)
    expect(me.url).toBe(`${p.url}/v1/users/1002`)
    expect(await me.json()).toMatchObject({
      uid: '1002',
      id: 1002,
      name_first: 'Bob',
      name_last: 'Builder',
      name_display: 'Bob Builder',
      username: 'bob',
      primary_email: 'bob@example.test',
      picture_url: expect.stringMatching(/^https:\/\/asset-cdn\.schoology\.com\//),
    })
    const first = await signed({
      method: 'GET',
      url: p.urls.userinfoEndpoint!,
      ...withToken(token),
      ...signing,
    })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe(`${p.url}/v1/users/1002`)
  })

  it('refusal: the exchange before the user answered; an unregistered callback; tokens end after 90 days', async () => {
    let clock = Date.now()
    const p = await start('schoology', { now: () => clock })
    const signing = { realm: 'Schoology API', timestamp: Math.floor(clock / 1000) }
    const rt = (await signed({ method: 'GET', url: p.requestTokenUrl, ...signing })).form
    const early = await signed({
      method: 'GET',
      url: p.accessTokenUrl,
      ...withToken(rt),
      ...signing,
    })
    expect(early.form.get('oauth_problem')).toBe('permission_unknown')
    const rt2 = (await signed({ method: 'GET', url: p.requestTokenUrl, ...signing })).form
    const evil = await plain(
      `${p.authorizeUrl}?oauth_token=${q(rt2.get('oauth_token')!)}&oauth_callback=${q('https://evil.example/cb')}`,
    )
    expect(evil.status).toBe(400)
    // no callback at all: a page to return from, and the exchange works
    const { answer } = await consent(
      `${p.authorizeUrl}?oauth_token=${q(rt2.get('oauth_token')!)}`,
      'allow',
    )
    expect(answer.text).toContain('Return to the application')
    const at = (
      await signed({ method: 'GET', url: p.accessTokenUrl, ...withToken(rt2), ...signing })
    ).form
    clock += 90 * 86_400_000 + 1000
    const old = await signed({
      method: 'GET',
      url: `${p.url}/v1/users/1001`,
      ...withToken(at),
      realm: 'Schoology API',
      timestamp: Math.floor(clock / 1000),
    })
    expect(old.form.get('oauth_problem')).toBe('token_expired')
  })
})

describe('plurk', () => {
  it('login with OAuth1Client; /APP/Users/me; Deny', async () => {
    const p = await start('plurk')
    const { client } = await clientLogin(p)
    const me = await client.request('GET', p.urls.userinfoEndpoint!)
    expect(await me.json()).toEqual({
      id: expect.any(Number),
      nick_name: 'bob',
      display_name: 'Bob Builder',
      full_name: 'Bob Builder',
      has_profile_image: 1,
      avatar: expect.any(Number),
      location: '',
      default_lang: 'en',
      karma: 81.5,
      premium: false,
      email: 'bob@example.test',
    })
    expect(await denied(p)).toEqual([
      ['oauth_problem', 'user_refused'],
      ['oauth_token', expect.any(String)],
    ])
  })
})

describe('garmin', () => {
  it('login with OAuth1Client; /wellness-api/rest/user/id; oauth_callback on oauthConfirm', async () => {
    const p = await start('garmin')
    const { client } = await clientLogin(p)
    const id = await client.request('GET', p.urls.userinfoEndpoint!)
    expect(await id.json()).toEqual({
      userId: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
      ),
    })
    const rt = (await signed({ method: 'POST', url: p.requestTokenUrl, callback: 'oob' })).form
    const other = 'http://localhost:3000/garmin/return'
    const { answer } = await consent(
      `${p.authorizeUrl}?oauth_token=${q(rt.get('oauth_token')!)}&oauth_callback=${q(other)}`,
      'allow',
    )
    expect(answer.headers.get('location')!.startsWith(`${other}?oauth_token=`)).toBe(true)
    const rt2 = (await signed({ method: 'POST', url: p.requestTokenUrl, callback: 'oob' })).form
    const refused = await plain(
      `${p.authorizeUrl}?oauth_token=${q(rt2.get('oauth_token')!)}&oauth_callback=${q('https://evil.example/')}`,
    )
    expect(refused.status).toBe(400)
    expect(refused.text).toContain('oauth_callback is not registered')
  })
})
