/**
 * The presets' userinfo normalisers against the payloads of
 * EMULATION-PRESET-AGREEMENT.md, through a fake UserinfoContext: where each
 * one reads, what it maps, that `raw` never holds the token or its secret,
 * and that an answer naming no user is an OAuthError `request_failed`.
 */
import { isOAuthError, type Token } from '@oauth1/core'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { fakeContext, jsonResponse, TOKEN } from './fake-context.test-helper.js'
import {
  atlassian,
  discogs,
  flickr,
  garmin,
  plurk,
  schoology,
  smugmug,
  trello,
  tumblr,
  twitter,
  zotero,
} from './index.js'
import type { PresetOptions, UserInfo, UserinfoContext } from './types.js'
import { MAX_USERINFO_BODY, providerResponse, rawOf, readJson } from './userinfo.js'

beforeAll(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => {})
})

function userinfoOf(preset: PresetOptions) {
  const userinfo = preset.userinfo
  if (userinfo === undefined) throw new Error('preset has no userinfo')
  return (ctx: UserinfoContext) => Promise.resolve(userinfo(ctx))
}

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isOAuthError(error)).toBe(true)
  return error as { code: string; status: number; description: string }
}

/** What a normaliser answers with, besides `raw`. */
type Claims = Omit<UserInfo, 'raw'>

interface FromTokenCase {
  name: string
  title: string
  preset: PresetOptions
  /** The provider's own fields of the access-token response; `raw` must be exactly these. */
  fields: Record<string, string>
  claims: Claims
}

// Where the access-token response names the user, no request is made.
const fromTokenCases: FromTokenCase[] = [
  {
    name: 'twitter',
    title: 'answers from the access-token fields without a request',
    preset: twitter(),
    fields: { user_id: '6253282', screen_name: 'XDevelopers' },
    claims: {
      sub: '6253282',
      preferred_username: 'XDevelopers',
      profile: 'https://x.com/XDevelopers',
    },
  },
  {
    name: 'flickr',
    title: 'answers from user_nsid, username, fullname of the access token',
    preset: flickr(),
    fields: { user_nsid: '12345678@N00', username: 'jdoe', fullname: 'Jane Doe' },
    claims: { sub: '12345678@N00', preferred_username: 'jdoe', name: 'Jane Doe' },
  },
  {
    name: 'zotero',
    title: 'answers from userID and username of the access token',
    preset: zotero(),
    fields: { userID: '475425', username: 'z_user' },
    claims: {
      sub: '475425',
      preferred_username: 'z_user',
      profile: 'https://www.zotero.org/z_user',
    },
  },
]

for (const { name, title, preset, fields, claims } of fromTokenCases) {
  it(`${name}: ${title}`, async () => {
    const token: Token = { ...TOKEN, ...fields }
    const ctx = fakeContext({ endpoint: preset.userinfoEndpoint, token })
    expect(await userinfoOf(preset)(ctx)).toStrictEqual({ ...claims, raw: fields })
    expect(ctx.requests).toEqual([])
  })
}

interface EndpointCase {
  name: string
  title: string
  preset: PresetOptions
  /** The user record the provider answers with: `raw` must be exactly this. */
  user: Record<string, unknown>
  /** The provider's JSON answers, by URL, carrying `user`. */
  answers: (user: Record<string, unknown>) => Record<string, unknown>
  claims: Claims
  /** Every request the normaliser makes, `METHOD url`, in order. */
  requests: string[]
  /** Headers the first request carries. */
  headers?: Record<string, string>
}

const TRELLO_MEMBER = {
  id: '5abbe4b7ddc1b351ef961414',
  username: 'bobtester',
  fullName: 'Bob Tester',
  avatarUrl: 'https://trello-members.s3.amazonaws.com/5abbe4b7/0a1b2c3d',
  url: 'https://trello.com/bobtester',
  email: 'bob@example.com',
}

const DISCOGS_IDENTITY = {
  id: 1578108,
  username: 'example',
  resource_url: 'https://api.discogs.com/users/example',
  consumer_name: 'Crate',
}

const TWITTER_ME = 'https://api.x.com/2/users/me?user.fields=profile_image_url,url'
const FLICKR_LOGIN =
  'https://api.flickr.com/services/rest/?method=flickr.test.login&format=json&nojsoncallback=1'

const endpointCases: EndpointCase[] = [
  {
    name: 'twitter',
    title: 'else reads /2/users/me',
    preset: twitter(),
    user: {
      id: '2244994945',
      name: 'X Dev',
      username: 'XDevelopers',
      profile_image_url: 'https://pbs.twimg.com/profile_images/1/a_normal.jpg',
      url: 'https://t.co/3ZmXbP8DLB',
    },
    answers: (data) => ({ [TWITTER_ME]: { data } }),
    claims: {
      sub: '2244994945',
      name: 'X Dev',
      preferred_username: 'XDevelopers',
      picture: 'https://pbs.twimg.com/profile_images/1/a_normal.jpg',
      website: 'https://t.co/3ZmXbP8DLB',
      profile: 'https://x.com/XDevelopers',
    },
    requests: [`GET ${TWITTER_ME}`],
  },
  {
    name: 'trello',
    title: 'reads /1/members/me; picture is the 170px avatar',
    preset: trello(),
    user: TRELLO_MEMBER,
    answers: (member) => ({ 'https://api.trello.com/1/members/me': member }),
    claims: {
      sub: '5abbe4b7ddc1b351ef961414',
      name: 'Bob Tester',
      preferred_username: 'bobtester',
      picture: 'https://trello-members.s3.amazonaws.com/5abbe4b7/0a1b2c3d/170.png',
      profile: 'https://trello.com/bobtester',
      email: 'bob@example.com',
    },
    requests: ['GET https://api.trello.com/1/members/me'],
  },
  {
    name: 'flickr',
    title: 'else calls flickr.test.login',
    preset: flickr(),
    user: { id: '12345678@N00', username: { _content: 'jdoe' } },
    answers: (user) => ({ [FLICKR_LOGIN]: { user, stat: 'ok' } }),
    claims: { sub: '12345678@N00', preferred_username: 'jdoe' },
    requests: [`GET ${FLICKR_LOGIN}`],
  },
  {
    name: 'tumblr',
    title: 'reads /v2/user/info; sub is the primary blog uuid, profile its URL',
    preset: tumblr(),
    user: {
      name: 'staff',
      likes: 0,
      blogs: [
        { name: 'side', url: 'https://side.tumblr.com/', primary: false, uuid: 't:b' },
        { name: 'staff', url: 'https://staff.tumblr.com/', primary: true, uuid: 't:a' },
      ],
    },
    answers: (user) => ({
      'https://api.tumblr.com/v2/user/info': {
        meta: { status: 200, msg: 'OK' },
        response: { user },
      },
    }),
    // The name can be changed, and then taken by someone else: not a sub.
    claims: { sub: 't:a', preferred_username: 'staff', profile: 'https://staff.tumblr.com/' },
    requests: ['GET https://api.tumblr.com/v2/user/info'],
  },
  {
    name: 'discogs',
    title: 'reads /oauth/identity, then the profile at its resource_url',
    preset: discogs({ userAgent: 'Crate/1.0' }),
    user: {
      id: 1578108,
      username: 'example',
      name: 'Ex Ample',
      avatar_url: 'https://img.discogs.com/a.jpg',
      uri: 'https://www.discogs.com/user/example',
      email: 'ex@example.com',
      home_page: 'https://example.com',
    },
    answers: (profile) => ({
      'https://api.discogs.com/oauth/identity': DISCOGS_IDENTITY,
      'https://api.discogs.com/users/example': profile,
    }),
    claims: {
      sub: '1578108',
      preferred_username: 'example',
      name: 'Ex Ample',
      picture: 'https://img.discogs.com/a.jpg',
      profile: 'https://www.discogs.com/user/example',
      email: 'ex@example.com',
      website: 'https://example.com',
    },
    requests: [
      'GET https://api.discogs.com/oauth/identity',
      'GET https://api.discogs.com/users/example',
    ],
  },
  {
    name: 'smugmug',
    title: 'reads !authuser with Accept: application/json',
    preset: smugmug(),
    user: { NickName: 'cmac', Name: 'Chris MacAskill', WebUri: 'https://cmac.smugmug.com' },
    answers: (user) => ({
      'https://api.smugmug.com/api/v2!authuser': { Response: { User: user } },
    }),
    claims: {
      sub: 'cmac',
      preferred_username: 'cmac',
      name: 'Chris MacAskill',
      profile: 'https://cmac.smugmug.com',
    },
    requests: ['GET https://api.smugmug.com/api/v2!authuser'],
    headers: { accept: 'application/json' },
  },
  {
    name: 'zotero',
    title: 'else reads /keys/current with the key (the token secret), and keeps the key out of raw',
    preset: zotero(),
    user: {
      userID: 475425,
      username: 'z_user',
      access: { user: { library: true, files: true }, groups: { all: { library: true } } },
    },
    answers: (user) => ({
      'https://api.zotero.org/keys/current': { key: TOKEN.oauth_token_secret, ...user },
    }),
    claims: {
      sub: '475425',
      preferred_username: 'z_user',
      profile: 'https://www.zotero.org/z_user',
    },
    requests: ['GET https://api.zotero.org/keys/current'],
    headers: { 'zotero-api-key': TOKEN.oauth_token_secret },
  },
  {
    name: 'atlassian',
    title: 'jira: /rest/api/2/myself',
    preset: atlassian({ baseUrl: 'https://jira.example.com' }),
    user: {
      self: 'https://jira.example.com/rest/api/2/user?username=fred',
      key: 'JIRAUSER10100',
      name: 'fred',
      emailAddress: 'fred@example.com',
      avatarUrls: {
        '48x48': 'https://jira.example.com/secure/useravatar?avatarId=1',
        '16x16': 'x',
      },
      displayName: 'Fred F. User',
    },
    answers: (user) => ({ 'https://jira.example.com/rest/api/2/myself': user }),
    claims: {
      sub: 'JIRAUSER10100',
      preferred_username: 'fred',
      name: 'Fred F. User',
      email: 'fred@example.com',
      picture: 'https://jira.example.com/secure/useravatar?avatarId=1',
    },
    requests: ['GET https://jira.example.com/rest/api/2/myself'],
  },
  {
    name: 'schoology',
    title: 'reads /v1/users/me (after its redirect, the user record)',
    preset: schoology({ domain: 'springfield.schoology.com' }),
    user: {
      uid: 45552,
      id: 45552,
      name_first: 'Edna',
      name_last: 'Krabappel',
      name_display: 'Edna Krabappel',
      username: 'ekrabappel',
      primary_email: 'edna@springfield.example',
      picture_url: 'https://asset-cdn.schoology.com/x.jpg',
    },
    answers: (user) => ({ 'https://api.schoology.com/v1/users/me': user }),
    claims: {
      sub: '45552',
      name: 'Edna Krabappel',
      preferred_username: 'ekrabappel',
      email: 'edna@springfield.example',
      picture: 'https://asset-cdn.schoology.com/x.jpg',
    },
    requests: ['GET https://api.schoology.com/v1/users/me'],
  },
  {
    name: 'plurk',
    title: 'reads /APP/Users/me',
    preset: plurk(),
    user: {
      id: 3146,
      nick_name: 'amix',
      display_name: 'amix3k',
      full_name: 'Amir Salihefendic',
      email: 'amix@example.com',
    },
    answers: (user) => ({ 'https://www.plurk.com/APP/Users/me': user }),
    claims: {
      sub: '3146',
      preferred_username: 'amix',
      name: 'amix3k',
      profile: 'https://www.plurk.com/amix',
    },
    requests: ['GET https://www.plurk.com/APP/Users/me'],
  },
  {
    name: 'garmin',
    title: 'reads /wellness-api/rest/user/id',
    preset: garmin(),
    user: { userId: 'd3315b1072421d0dd7c8f6b8e1de4df8' },
    answers: (user) => ({ 'https://apis.garmin.com/wellness-api/rest/user/id': user }),
    claims: { sub: 'd3315b1072421d0dd7c8f6b8e1de4df8' },
    requests: ['GET https://apis.garmin.com/wellness-api/rest/user/id'],
  },
]

for (const c of endpointCases) {
  it(`${c.name}: ${c.title}`, async () => {
    const routes = Object.fromEntries(
      Object.entries(c.answers(c.user)).map(([url, body]) => [url, jsonResponse(body)]),
    )
    const ctx = fakeContext({ endpoint: c.preset.userinfoEndpoint, routes })
    expect(await userinfoOf(c.preset)(ctx)).toStrictEqual({ ...c.claims, raw: c.user })
    expect(ctx.requests.map((r) => `${r.method} ${r.url}`)).toEqual(c.requests)
    for (const [name, value] of Object.entries(c.headers ?? {})) {
      expect(ctx.requests[0]?.headers.get(name)).toBe(value)
    }
  })
}

describe('twitter', () => {
  const preset = twitter()

  it('with fetchProfile, reads /2/users/me even when the token names the user, for name and picture', async () => {
    const ctx = fakeContext({
      endpoint: TWITTER_ME,
      token: { ...TOKEN, user_id: '2244994945', screen_name: 'XDevelopers' },
      routes: {
        [TWITTER_ME]: jsonResponse({
          data: {
            id: '2244994945',
            name: 'X Dev',
            username: 'XDevelopers',
            profile_image_url: 'https://pbs.twimg.com/profile_images/1/a_normal.jpg',
          },
        }),
      },
    })
    const info = await userinfoOf(twitter({ fetchProfile: true }))(ctx)
    expect(ctx.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${TWITTER_ME}`])
    expect(info).toMatchObject({
      sub: '2244994945',
      name: 'X Dev',
      preferred_username: 'XDevelopers',
      picture: 'https://pbs.twimg.com/profile_images/1/a_normal.jpg',
      profile: 'https://x.com/XDevelopers',
    })
    // Without it, the same token answers from its fields, with no request.
    const quiet = fakeContext({ endpoint: TWITTER_ME, token: ctx.token, routes: {} })
    const fromToken = await userinfoOf(twitter({ fetchProfile: false }))(quiet)
    expect(quiet.requests).toHaveLength(0)
    expect(fromToken).not.toHaveProperty('name')
    expect(fromToken.sub).toBe('2244994945')
  })

  it('an empty url is left out, not kept as an empty website', async () => {
    const endpoint = 'http://127.0.0.1:4000/2/users/me'
    const ctx = fakeContext({
      endpoint,
      routes: { [endpoint]: jsonResponse({ data: { id: '1', username: 'a', url: '' } }) },
    })
    const info = await userinfoOf(preset)(ctx)
    expect(info).not.toHaveProperty('website')
  })

  it('a 401 from the endpoint is request_failed; a body without data too', async () => {
    const endpoint = 'http://127.0.0.1:4000/2/users/me'
    const denied = fakeContext({
      endpoint,
      routes: { [endpoint]: jsonResponse({ title: 'Unauthorized' }, { status: 401 }) },
    })
    expect((await rejection(userinfoOf(preset)(denied))).code).toBe('request_failed')
    const empty = fakeContext({ endpoint, routes: { [endpoint]: jsonResponse({ errors: [] }) } })
    const error = await rejection(userinfoOf(preset)(empty))
    expect(error.description).toBe('twitter userinfo: data: expected a JSON object')
    expect(error.status).toBe(502)
  })
})

describe('trello', () => {
  const preset = trello()

  it('no avatar (null) and no email (no account scope): left out', async () => {
    const ctx = fakeContext({
      endpoint: preset.userinfoEndpoint,
      routes: {
        'https://api.trello.com/1/members/me': jsonResponse({
          ...TRELLO_MEMBER,
          avatarUrl: null,
          email: null,
        }),
      },
    })
    const info = await userinfoOf(preset)(ctx)
    expect(info).not.toHaveProperty('picture')
    expect(info).not.toHaveProperty('email')
  })
})

describe('flickr', () => {
  const preset = flickr()

  it("stat: fail (HTTP 200) is request_failed with Flickr's message", async () => {
    const endpoint = preset.userinfoEndpoint as string
    const ctx = fakeContext({
      endpoint,
      routes: {
        [endpoint]: jsonResponse({ stat: 'fail', code: 98, message: 'Invalid auth token' }),
      },
    })
    const error = await rejection(userinfoOf(preset)(ctx))
    expect(error.description).toBe('flickr userinfo: flickr.test.login failed: Invalid auth token')
  })
})

describe('tumblr', () => {
  const preset = tumblr()

  it('meta.status other than 200 is request_failed', async () => {
    const ctx = fakeContext({
      endpoint: preset.userinfoEndpoint,
      routes: {
        'https://api.tumblr.com/v2/user/info': jsonResponse({
          meta: { status: 401 },
          response: [],
        }),
      },
    })
    expect((await rejection(userinfoOf(preset)(ctx))).description).toBe(
      'tumblr userinfo: meta.status is 401',
    )
  })

  it('no primary blog (or one without a uuid) does not identify the user: request_failed', async () => {
    for (const blogs of [
      undefined,
      [],
      [{ name: 'x', primary: false, uuid: 't:x' }],
      [{ name: 'x', primary: true }],
    ]) {
      const ctx = fakeContext({
        endpoint: preset.userinfoEndpoint,
        routes: {
          'https://api.tumblr.com/v2/user/info': jsonResponse({
            meta: { status: 200 },
            response: { user: { name: 'x', blogs } },
          }),
        },
      })
      const error = await rejection(userinfoOf(preset)(ctx))
      expect(error.code).toBe('request_failed')
    }
  })
})

describe('discogs', () => {
  const preset = discogs({ userAgent: 'Crate/1.0' })

  it('a resource_url on another origin (or none) is refused before any request goes there', async () => {
    for (const resource_url of ['https://evil.example/users/example', 'not a url', undefined]) {
      const ctx = fakeContext({
        endpoint: preset.userinfoEndpoint,
        routes: {
          'https://api.discogs.com/oauth/identity': jsonResponse({
            ...DISCOGS_IDENTITY,
            resource_url,
          }),
        },
      })
      const error = await rejection(userinfoOf(preset)(ctx))
      expect(error.description).toBe(
        'discogs userinfo: the identity has no resource_url on the identity endpoint’s origin',
      )
      expect(ctx.requests).toHaveLength(1)
    }
  })
})

describe('smugmug', () => {
  const preset = smugmug()

  it('an HTML answer (no JSON) is request_failed with the provider response', async () => {
    const ctx = fakeContext({
      endpoint: preset.userinfoEndpoint,
      routes: {
        'https://api.smugmug.com/api/v2!authuser': new Response('<html>', {
          headers: { 'content-type': 'text/html' },
        }),
      },
    })
    const error = await rejection(userinfoOf(preset)(ctx))
    expect(error).toMatchObject({
      code: 'request_failed',
      status: 502,
      description: 'smugmug userinfo: the response is not JSON',
      response: { status: 200, body: '<html>' },
    })
  })
})

describe('atlassian', () => {
  it('confluence: /rest/api/user/current; the picture path only on the same origin', async () => {
    const preset = atlassian({ baseUrl: 'https://example.com/wiki', product: 'confluence' })
    const user = {
      type: 'known',
      username: 'fred',
      userKey: '2c9680f7405147ee0140514c26120003',
      profilePicture: { path: '/wiki/images/icons/profilepics/default.svg', width: 48 },
      displayName: 'Fred',
    }
    const endpoint = 'https://example.com/wiki/rest/api/user/current'
    const ctx = fakeContext({ endpoint, routes: { [endpoint]: jsonResponse(user) } })
    expect(await userinfoOf(preset)(ctx)).toStrictEqual({
      sub: '2c9680f7405147ee0140514c26120003',
      preferred_username: 'fred',
      name: 'Fred',
      picture: 'https://example.com/wiki/images/icons/profilepics/default.svg',
      raw: user,
    })
    for (const path of ['//evil.example/x.png', '/\\evil.example/x.png', 'x.png', '//']) {
      const other = fakeContext({
        endpoint,
        routes: { [endpoint]: jsonResponse({ ...user, profilePicture: { path } }) },
      })
      expect(await userinfoOf(preset)(other)).not.toHaveProperty('picture')
    }
  })
})

describe('every normaliser', () => {
  // [preset, the URL it reads, a payload with the user's id at `id`]
  const endpointCases: [string, PresetOptions, (id: unknown, extra: object) => unknown][] = [
    ['twitter', twitter(), (id, extra) => ({ data: { id, username: 'u', ...extra } })],
    ['trello', trello(), (id, extra) => ({ id, ...extra })],
    ['flickr', flickr(), (id, extra) => ({ stat: 'ok', user: { id, ...extra } })],
    [
      'tumblr',
      tumblr(),
      (id, extra) => ({
        response: { user: { name: 'u', blogs: [{ primary: true, uuid: id }], ...extra } },
      }),
    ],
    ['smugmug', smugmug(), (id, extra) => ({ Response: { User: { NickName: id, ...extra } } })],
    ['zotero', zotero(), (id, extra) => ({ userID: id, ...extra })],
    [
      'atlassian',
      atlassian({ baseUrl: 'https://j.example' }),
      (id, extra) => ({ key: id, ...extra }),
    ],
    ['schoology', schoology({ domain: 'a.schoology.com' }), (id, extra) => ({ uid: id, ...extra })],
    ['plurk', plurk(), (id, extra) => ({ id, ...extra })],
    ['garmin', garmin(), (id, extra) => ({ userId: id, ...extra })],
  ]

  const contextFor = (preset: PresetOptions, payload: unknown) => {
    const endpoint = preset.userinfoEndpoint as string
    return fakeContext({ endpoint, routes: { [endpoint]: jsonResponse(payload) } })
  }

  it.each(endpointCases)(
    '%s: raw never holds the token or its secret',
    async (_, preset, payload) => {
      const leaky = {
        oauth_token: TOKEN.oauth_token,
        oauth_token_secret: TOKEN.oauth_token_secret,
        echoed: [TOKEN.oauth_token_secret, 'kept'],
        nested: { secret: TOKEN.oauth_token_secret, token: TOKEN.oauth_token },
      }
      const info = await userinfoOf(preset)(contextFor(preset, payload('42', leaky)))
      const text = JSON.stringify(info)
      expect(text).not.toContain(TOKEN.oauth_token_secret)
      expect(text).not.toContain(TOKEN.oauth_token)
      expect(text).toContain('kept')
    },
  )

  it.each(endpointCases)('%s: a numeric id becomes a string sub', async (_, preset, payload) => {
    const info = await userinfoOf(preset)(contextFor(preset, payload(987654321, {})))
    expect(info.sub).toBe('987654321')
  })

  it.each(endpointCases)(
    '%s: no id (or an object, or "") is request_failed',
    async (_, preset, payload) => {
      for (const id of [undefined, null, '', { id: 1 }, true, 1.5]) {
        const error = await rejection(userinfoOf(preset)(contextFor(preset, payload(id, {}))))
        expect(error.code).toBe('request_failed')
        expect(error.status).toBe(502)
      }
    },
  )

  it.each(endpointCases)('%s: a JSON array or a 500 is request_failed', async (_, preset) => {
    await rejection(userinfoOf(preset)(contextFor(preset, [])))
    const endpoint = preset.userinfoEndpoint as string
    const ctx = fakeContext({
      endpoint,
      routes: { [endpoint]: new Response('oops', { status: 500 }) },
    })
    expect((await rejection(userinfoOf(preset)(ctx))).code).toBe('request_failed')
  })

  it.each(endpointCases)(
    '%s: reads ctx.endpoint, so spreading userinfoEndpoint redirects it',
    async (_, preset, payload) => {
      const endpoint = 'http://127.0.0.1:40123/emulated/me'
      const ctx = fakeContext({ endpoint, routes: { [endpoint]: jsonResponse(payload('7', {})) } })
      expect((await userinfoOf({ ...preset, userinfoEndpoint: endpoint })(ctx)).sub).toBe('7')
      expect(ctx.requests.map((r) => r.url)).toEqual([endpoint])
    },
  )

  it.each(endpointCases)(
    '%s: without userinfoEndpoint, a TypeError naming it',
    async (name, preset) => {
      const ctx = fakeContext({ endpoint: undefined })
      await expect(userinfoOf(preset)(ctx)).rejects.toThrow(
        new TypeError(`${name} userinfo: userinfoEndpoint is not set`),
      )
    },
  )

  it('a __proto__ key in the payload stays data in raw', async () => {
    const preset = plurk()
    const ctx = fakeContext({
      endpoint: preset.userinfoEndpoint,
      routes: {
        'https://www.plurk.com/APP/Users/me': new Response(
          '{"id":1,"__proto__":{"polluted":true}}',
        ),
      },
    })
    const info = await userinfoOf(preset)(ctx)
    expect(Object.getPrototypeOf(info.raw)).toBe(Object.prototype)
    expect(Object.hasOwn(info.raw, '__proto__')).toBe(true)
    expect((info.raw as { polluted?: unknown }).polluted).toBeUndefined()
  })
})

describe('reading provider answers', () => {
  it('a body over 1 MiB is request_failed, and the stream is cancelled', async () => {
    let cancelled = false
    let sent = 0
    const chunk = new Uint8Array(64 * 1024).fill(0x20)
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.byteLength
        controller.enqueue(chunk)
      },
      cancel() {
        cancelled = true
      },
    })
    const error = await rejection(readJson(new Response(body), 'smugmug userinfo'))
    expect(error.description).toBe(
      `smugmug userinfo: the response is larger than ${MAX_USERINFO_BODY} bytes`,
    )
    expect(cancelled).toBe(true)
    expect(sent).toBeLessThanOrEqual(MAX_USERINFO_BODY + 2 * chunk.byteLength)
  })

  it('a body that fails mid-stream is request_failed with the cause', async () => {
    const failure = new Error('socket hang up')
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"id":'))
        controller.error(failure)
      },
    })
    const error = await readJson(new Response(body), 'plurk userinfo').catch((e: unknown) => e)
    expect(isOAuthError(error)).toBe(true)
    expect(error).toMatchObject({
      description: 'plurk userinfo: reading the response failed',
      cause: failure,
    })
  })

  it('the error keeps at most 2048 characters of the body, never half a surrogate pair', () => {
    const body = `${'a'.repeat(2047)}😀tail`
    const excerpt = providerResponse(new Response(null, { status: 500 }), body).body
    expect(excerpt).toBe('a'.repeat(2047))
    expect(providerResponse(new Response(null), 'short').body).toBe('short')
    expect(providerResponse(new Response(null), 'b'.repeat(3000)).body).toHaveLength(2048)
  })

  it('raw drops what is nested deeper than 32 levels', () => {
    let deep: Record<string, unknown> = { leaf: 'x' }
    for (let i = 0; i < 40; i++) deep = { d: deep }
    const raw = rawOf({ id: 1, deep }, TOKEN)
    let depth = 0
    let node: unknown = raw.deep
    while (typeof node === 'object' && node !== null) {
      node = (node as { d?: unknown }).d
      depth++
    }
    expect(depth).toBe(31)
    expect(raw.id).toBe(1)
  })
})
