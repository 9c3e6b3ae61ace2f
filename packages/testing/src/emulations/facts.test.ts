/**
 * The emulations against the facts of PROVIDERS.md (and the emulation/preset
 * agreement), written here independently of the emulation modules: paths,
 * HTTP methods, accepted and refused signature methods and placements,
 * required authorize parameters, callback and token shapes, error style. Each
 * is checked by driving the emulation with raw requests signed by
 * `@oauth1/core`'s `signRequest`, so an emulation cannot drift from the
 * research together with a preset built from the same misreading.
 */
import { generateKeyPairSync } from 'node:crypto'
import { parseAuthorizationHeader, type SignatureMethod, signRequest } from '@oauth1/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Answer,
  callbackParams,
  consent,
  plain,
  type SignedCall,
  signed,
} from '../emulation-test-helpers.js'
import {
  createTestProvider,
  type EmulationName,
  type Placement,
  type TestProvider,
} from '../index.js'

const CALLBACK = 'http://localhost:3000/auth/callback'
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const RSA_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

type ErrorStyle = 'problem' | 'mediawiki' | 'wordpress'

interface FlowFacts {
  requestToken: { method: 'GET' | 'POST'; refused: 'GET' | 'POST' | undefined }
  accessToken: { method: 'GET' | 'POST'; refused: 'GET' | 'POST' | undefined }
  /** `oauth_callback` of the request-token call. */
  callback: string
  /** The authorize URL exactly as the provider documents it. */
  authorize: (origin: string, clientId: string, token: string) => string
  /** The authorize URL's own parameters that must be there (missing → refused), with a refused value. */
  requiredParam?: { name: string; bad: string; message: string; required?: boolean }
  callbackConfirmed: 'true' | null
  /** Names of the callback's query parameters after Allow, in order. */
  callbackKeys: string[]
  /** … after Deny. */
  denialKeys: string[]
  /** The token-credential request sends a verifier. */
  verifier: boolean
  /** Names of the access-token response (in any order). */
  tokenKeys: string[]
  tokenContentType: string
}

interface Facts {
  name: EmulationName
  /** `provider.urls`, as paths on the origin. */
  urls: Record<string, string>
  flow?: FlowFacts
  /** For signing-only APIs: a protected resource to call. */
  api?: { method: 'GET' | 'POST'; path: string; token: boolean }
  accepted: SignatureMethod[]
  refused: [SignatureMethod, number][]
  placements: { accepted: Placement[]; refused: Placement[] }
  realm?: string
  bodyHash?: boolean
  errors: ErrorStyle
  /** Extra headers every request needs (Discogs' User-Agent is always sent by fetch). */
  headers?: Record<string, string>
}

const STD_TOKEN = ['oauth_token', 'oauth_token_secret']
const CONFIRMED = [...STD_TOKEN, 'oauth_callback_confirmed']
const ALLOW = ['oauth_token', 'oauth_verifier']
const REFUSED = ['oauth_problem', 'oauth_token']
const FORM = 'application/x-www-form-urlencoded'
/** The RFC 5849 answers, where the provider keeps them. */
const RFC_FLOW = {
  callbackConfirmed: 'true',
  callbackKeys: ALLOW,
  denialKeys: REFUSED,
  verifier: true,
  tokenKeys: STD_TOKEN,
  tokenContentType: FORM,
} as const
const q = encodeURIComponent
// Facts several providers share, each named once.
/** HMAC-SHA1 alone; HMAC-SHA256 and PLAINTEXT are refused with 400. */
const HMAC_SHA1_ONLY: Pick<Facts, 'accepted' | 'refused'> = {
  accepted: ['HMAC-SHA1'],
  refused: [
    ['HMAC-SHA256', 400],
    ['PLAINTEXT', 400],
  ],
}
/** Both token requests are POST; a GET is refused (405). */
const POST_LEGS: Pick<FlowFacts, 'requestToken' | 'accessToken'> = {
  requestToken: { method: 'POST', refused: 'GET' },
  accessToken: { method: 'POST', refused: 'GET' },
}
/** The protocol parameters are read from the header, the query and the body alike. */
const ANY_PLACEMENT: Facts['placements'] = { accepted: ['header', 'query', 'body'], refused: [] }
/** Only the Authorization header carries the protocol parameters. */
const HEADER_ONLY: Facts['placements'] = { accepted: ['header'], refused: ['query', 'body'] }

const FACTS: Facts[] = [
  {
    // §2.1 [X2][X3][X4][X5][X8]; agreement: denied=, text/html label
    name: 'twitter',
    urls: {
      requestTokenUrl: '/oauth/request_token',
      authorizeUrl: '/oauth/authenticate',
      accessTokenUrl: '/oauth/access_token',
      apiBaseUrl: '/2/',
      userinfoEndpoint: '/2/users/me?user.fields=profile_image_url,url',
    },
    flow: {
      ...POST_LEGS,
      callback: CALLBACK,
      authorize: (o, _k, t) => `${o}/oauth/authorize?oauth_token=${q(t)}`,
      ...RFC_FLOW,
      denialKeys: ['denied'],
      tokenKeys: [...STD_TOKEN, 'user_id', 'screen_name'],
      tokenContentType: 'text/html;charset=utf-8',
    },
    ...HMAC_SHA1_ONLY,
    placements: HEADER_ONLY,
    errors: 'problem',
  },
  {
    // §2.2 [G1][T3][T4][N1]
    name: 'trello',
    urls: {
      requestTokenUrl: '/1/OAuthGetRequestToken',
      authorizeUrl: '/1/OAuthAuthorizeToken',
      accessTokenUrl: '/1/OAuthGetAccessToken',
      apiBaseUrl: '/1/',
      userinfoEndpoint: '/1/members/me',
    },
    flow: {
      ...POST_LEGS,
      callback: CALLBACK,
      authorize: (o, _k, t) =>
        `${o}/1/OAuthAuthorizeToken?name=My%20App&scope=read%2Cwrite%2Caccount&expiration=never&oauth_token=${q(t)}`,
      requiredParam: { name: 'expiration', bad: '2days', message: 'Invalid expiration' },
      ...RFC_FLOW,
    },
    ...HMAC_SHA1_ONLY,
    placements: ANY_PLACEMENT,
    errors: 'problem',
  },
  {
    // §2.3 [F1][F3][F4][P1-flickr]
    name: 'flickr',
    urls: {
      requestTokenUrl: '/services/oauth/request_token',
      authorizeUrl: '/services/oauth/authorize',
      accessTokenUrl: '/services/oauth/access_token',
      apiBaseUrl: '/services/rest/',
      userinfoEndpoint: '/services/rest/?method=flickr.test.login&format=json&nojsoncallback=1',
    },
    flow: {
      requestToken: { method: 'GET', refused: undefined },
      accessToken: { method: 'POST', refused: undefined },
      callback: CALLBACK,
      authorize: (o, _k, t) => `${o}/services/oauth/authorize?perms=write&oauth_token=${q(t)}`,
      requiredParam: {
        name: 'perms',
        bad: 'admin',
        message: 'Oops! Flickr doesn&#39;t recognise the permission set.',
        required: true,
      },
      ...RFC_FLOW,
      tokenKeys: ['fullname', ...STD_TOKEN, 'user_nsid', 'username'],
    },
    ...HMAC_SHA1_ONLY,
    placements: ANY_PLACEMENT,
    errors: 'problem',
  },
  {
    // §2.4 [TU1]: POST request token, GET access token, header only, HMAC-SHA1 only
    name: 'tumblr',
    urls: {
      requestTokenUrl: '/oauth/request_token',
      authorizeUrl: '/oauth/authorize',
      accessTokenUrl: '/oauth/access_token',
      apiBaseUrl: '/v2/',
      userinfoEndpoint: '/v2/user/info',
    },
    flow: {
      requestToken: { method: 'POST', refused: 'GET' },
      accessToken: { method: 'GET', refused: 'POST' },
      callback: CALLBACK,
      authorize: (o, _k, t) => `${o}/oauth/authorize?oauth_token=${q(t)}`,
      ...RFC_FLOW,
    },
    ...HMAC_SHA1_ONLY,
    placements: HEADER_ONLY,
    errors: 'problem',
  },
  {
    // §2.5 [D2][D3][D4][D6]: GET request token, POST access token, PLAINTEXT or HMAC-SHA1
    name: 'discogs',
    urls: {
      requestTokenUrl: '/oauth/request_token',
      authorizeUrl: '/oauth/authorize',
      accessTokenUrl: '/oauth/access_token',
      apiBaseUrl: '/',
      userinfoEndpoint: '/oauth/identity',
    },
    flow: {
      requestToken: { method: 'GET', refused: 'POST' },
      accessToken: { method: 'POST', refused: 'GET' },
      callback: CALLBACK,
      authorize: (o, _k, t) => `${o}/oauth/authorize?oauth_token=${q(t)}`,
      ...RFC_FLOW,
    },
    accepted: ['PLAINTEXT', 'HMAC-SHA1'],
    refused: [
      ['HMAC-SHA256', 400],
      ['RSA-SHA1', 400],
    ],
    placements: ANY_PLACEMENT,
    errors: 'problem',
    headers: { 'user-agent': 'FactsTest/1.0 +https://example.test' },
  },
  {
    // §2.6 [SM2][SM3][N1]
    name: 'smugmug',
    urls: {
      requestTokenUrl: '/services/oauth/1.0a/getRequestToken',
      authorizeUrl: '/services/oauth/1.0a/authorize',
      accessTokenUrl: '/services/oauth/1.0a/getAccessToken',
      apiBaseUrl: '/api/v2/',
      userinfoEndpoint: '/api/v2!authuser',
    },
    flow: {
      requestToken: { method: 'POST', refused: undefined },
      accessToken: { method: 'GET', refused: undefined },
      callback: CALLBACK,
      authorize: (o, _k, t) =>
        `${o}/services/oauth/1.0a/authorize?Access=Full&Permissions=Modify&oauth_token=${q(t)}`,
      requiredParam: { name: 'Permissions', bad: 'Delete', message: 'Permissions must be' },
      ...RFC_FLOW,
    },
    accepted: ['HMAC-SHA1', 'PLAINTEXT'],
    refused: [['HMAC-SHA256', 400]],
    placements: ANY_PLACEMENT,
    errors: 'problem',
  },
  {
    // §2.7 [Z1][Z2]
    name: 'zotero',
    urls: {
      requestTokenUrl: '/oauth/request',
      authorizeUrl: '/oauth/authorize',
      accessTokenUrl: '/oauth/access',
      apiBaseUrl: '/',
      userinfoEndpoint: '/keys/current',
    },
    flow: {
      ...POST_LEGS,
      callback: CALLBACK,
      authorize: (o, _k, t) =>
        `${o}/oauth/authorize?name=My%20Key&library_access=1&notes_access=1&write_access=0&all_groups=read&oauth_token=${q(t)}`,
      requiredParam: { name: 'all_groups', bad: 'admin', message: 'all_groups=admin' },
      ...RFC_FLOW,
      tokenKeys: ['userID', 'username', ...STD_TOKEN],
    },
    accepted: ['HMAC-SHA1'],
    refused: [['HMAC-SHA256', 400]],
    placements: ANY_PLACEMENT,
    errors: 'problem',
  },
  {
    // §2.8 [M1][M2][M6][M7]
    name: 'mediawiki',
    urls: {
      requestTokenUrl: '/w/index.php?title=Special:OAuth/initiate',
      authorizeUrl: '/wiki/Special:OAuth/authorize',
      accessTokenUrl: '/w/index.php?title=Special:OAuth/token',
      apiBaseUrl: '/w/api.php',
      userinfoEndpoint: '/w/index.php?title=Special:OAuth/identify',
    },
    flow: {
      ...POST_LEGS,
      callback: 'oob',
      authorize: (o, k, t) =>
        `${o}/wiki/Special:OAuth/authorize?oauth_token=${q(t)}&oauth_consumer_key=${q(k)}`,
      requiredParam: {
        name: 'oauth_consumer_key',
        bad: 'someone-else',
        message: 'does not name the application',
        required: true,
      },
      ...RFC_FLOW,
    },
    accepted: ['HMAC-SHA1', 'RSA-SHA1'],
    refused: [
      ['HMAC-SHA256', 200],
      ['PLAINTEXT', 200],
    ],
    placements: ANY_PLACEMENT,
    errors: 'mediawiki',
  },
  {
    // §2.9 [ET1][ET2][ET3][ET5]
    name: 'etrade',
    urls: {
      requestTokenUrl: '/oauth/request_token',
      authorizeUrl: '/e/t/etws/authorize',
      accessTokenUrl: '/oauth/access_token',
      apiBaseUrl: '/',
    },
    flow: {
      requestToken: { method: 'GET', refused: 'POST' },
      accessToken: { method: 'GET', refused: 'POST' },
      callback: 'oob',
      authorize: (o, k, t) => `${o}/e/t/etws/authorize?key=${q(k)}&token=${q(t)}`,
      requiredParam: {
        name: 'key',
        bad: 'someone-else',
        message: 'does not name the application',
        required: true,
      },
      ...RFC_FLOW,
    },
    ...HMAC_SHA1_ONLY,
    placements: HEADER_ONLY,
    errors: 'problem',
  },
  {
    // §2.11 [AT4][AT5]; agreement: anything but RSA-SHA1 → 401 signature_method_rejected
    name: 'atlassian',
    urls: {
      requestTokenUrl: '/plugins/servlet/oauth/request-token',
      authorizeUrl: '/plugins/servlet/oauth/authorize',
      accessTokenUrl: '/plugins/servlet/oauth/access-token',
      apiBaseUrl: '/rest/api/2/',
      userinfoEndpoint: '/rest/api/2/myself',
    },
    flow: {
      ...POST_LEGS,
      callback: CALLBACK,
      authorize: (o, _k, t) => `${o}/plugins/servlet/oauth/authorize?oauth_token=${q(t)}`,
      ...RFC_FLOW,
    },
    accepted: ['RSA-SHA1'],
    refused: [
      ['HMAC-SHA1', 401],
      ['RSA-SHA256', 401],
      ['PLAINTEXT', 401],
    ],
    placements: ANY_PLACEMENT,
    errors: 'problem',
  },
  {
    // §2.12 [NS3][NS4][NS6][NS7]
    name: 'netsuite',
    urls: {
      requestTokenUrl: '/rest/requesttoken',
      authorizeUrl: '/app/login/secure/authorizetoken.nl',
      accessTokenUrl: '/rest/accesstoken',
      apiBaseUrl: '/',
    },
    flow: {
      ...POST_LEGS,
      callback: CALLBACK,
      authorize: (o, _k, t) =>
        `${o}/app/login/secure/authorizetoken.nl?oauth_token=${q(t)}&state=abc123`,
      requiredParam: { name: 'state', bad: 'not-alphanumeric!', message: 'state must be' },
      ...RFC_FLOW,
      callbackKeys: [...ALLOW, 'company', 'role', 'entity', 'state'],
      denialKeys: [...ALLOW, 'state'],
    },
    accepted: ['HMAC-SHA256'],
    refused: [
      ['HMAC-SHA1', 400],
      ['PLAINTEXT', 400],
    ],
    placements: { accepted: ['header'], refused: [] },
    realm: '1234567_SB1',
    errors: 'problem',
  },
  {
    // §2.13 [W1][W3]: one-legged, HMAC-SHA1/256, query, body or header
    name: 'woocommerce',
    urls: { apiBaseUrl: '/wp-json/wc/v3/' },
    api: { method: 'GET', path: '/wp-json/wc/v3/products', token: false },
    accepted: ['HMAC-SHA1', 'HMAC-SHA256'],
    refused: [
      ['PLAINTEXT', 401],
      ['HMAC-SHA512', 401],
    ],
    placements: ANY_PLACEMENT,
    errors: 'wordpress',
  },
  {
    // §2.15 [SC1][SC2][SC3]: GET token endpoints, realm, no verifier, callback on authorize
    name: 'schoology',
    urls: {
      requestTokenUrl: '/v1/oauth/request_token',
      authorizeUrl: '/oauth/authorize',
      accessTokenUrl: '/v1/oauth/access_token',
      apiBaseUrl: '/v1/',
      userinfoEndpoint: '/v1/users/me',
    },
    flow: {
      requestToken: { method: 'GET', refused: 'POST' },
      accessToken: { method: 'GET', refused: 'POST' },
      callback: 'oob',
      authorize: (o, _k, t) =>
        `${o}/oauth/authorize?oauth_token=${q(t)}&oauth_callback=${q(CALLBACK)}`,
      callbackConfirmed: null,
      callbackKeys: ['oauth_token'],
      denialKeys: REFUSED,
      verifier: false,
      tokenKeys: STD_TOKEN,
      tokenContentType: FORM,
    },
    accepted: ['HMAC-SHA1', 'PLAINTEXT'],
    refused: [['HMAC-SHA256', 400]],
    placements: { accepted: ['header'], refused: [] },
    realm: 'Schoology API',
    errors: 'problem',
  },
  {
    // §2.16 [MC1]: RSA-SHA256, body hash on every request, no token
    name: 'mastercard',
    urls: { apiBaseUrl: '/' },
    api: { method: 'GET', path: '/locations/atms?Country=USA', token: false },
    accepted: ['RSA-SHA256'],
    refused: [
      ['RSA-SHA1', 401],
      ['HMAC-SHA256', 401],
    ],
    placements: { accepted: ['header'], refused: ['query'] },
    bodyHash: true,
    errors: 'problem',
  },
  {
    // §2.17 [BL1][BL2]: static token credentials, HMAC-SHA1, header (or JSON query)
    name: 'bricklink',
    urls: { apiBaseUrl: '/api/store/v1/' },
    api: { method: 'GET', path: '/api/store/v1/orders?direction=in', token: true },
    ...HMAC_SHA1_ONLY,
    placements: HEADER_ONLY,
    realm: '',
    errors: 'problem',
  },
  {
    // §2.18 [G1][PL2]
    name: 'plurk',
    urls: {
      requestTokenUrl: '/OAuth/request_token',
      authorizeUrl: '/OAuth/authorize',
      accessTokenUrl: '/OAuth/access_token',
      apiBaseUrl: '/APP/',
      userinfoEndpoint: '/APP/Users/me',
    },
    flow: {
      ...POST_LEGS,
      callback: CALLBACK,
      authorize: (o, _k, t) => `${o}/OAuth/authorize?oauth_token=${q(t)}`,
      ...RFC_FLOW,
    },
    accepted: ['HMAC-SHA1'],
    refused: [['HMAC-SHA256', 400]],
    placements: ANY_PLACEMENT,
    errors: 'problem',
  },
  {
    // §2.10 [GA4][G1][N1][GA5]
    name: 'garmin',
    urls: {
      requestTokenUrl: '/oauth-service/oauth/request_token',
      authorizeUrl: '/oauthConfirm',
      accessTokenUrl: '/oauth-service/oauth/access_token',
      apiBaseUrl: '/',
      userinfoEndpoint: '/wellness-api/rest/user/id',
    },
    flow: {
      ...POST_LEGS,
      callback: CALLBACK,
      authorize: (o, _k, t) => `${o}/oauthConfirm?oauth_token=${q(t)}`,
      ...RFC_FLOW,
    },
    accepted: ['HMAC-SHA1'],
    refused: [['HMAC-SHA256', 400]],
    placements: ANY_PLACEMENT,
    errors: 'problem',
  },
]

function expectRefused(style: ErrorStyle, a: Answer, status: number, problem: string): void {
  if (style === 'mediawiki') {
    expect(a.status).toBe(200)
    expect(a.text.startsWith('Error: ')).toBe(true)
    expect(a.text).toContain(`(${problem})`)
  } else if (style === 'wordpress') {
    expect(a.status).toBe(status)
    expect(a.json()).toMatchObject({ data: { status } })
  } else {
    expect(a.status).toBe(status)
    expect(a.form.get('oauth_problem')).toBe(problem)
  }
}

describe.each(FACTS)('$name matches PROVIDERS.md', (facts) => {
  let provider: TestProvider
  let origin: string
  beforeAll(async () => {
    provider = await createTestProvider({
      emulate: facts.name,
      clients: [
        {
          id: 'demo-client',
          secret: 'demo-secret',
          rsaPublicKey: publicKey,
          callbackUrls: [CALLBACK, 'oob'],
          name: 'Facts App',
        },
      ],
    })
    origin = provider.url
  })
  afterAll(() => provider.close())

  const signing = (method: SignatureMethod = facts.accepted[0]!): Partial<SignedCall> => ({
    signatureMethod: method,
    // always named: a non-RSA method given over the default (RSA) one drops the key
    rsaKey: method.startsWith('RSA-') ? RSA_KEY : undefined,
    ...(facts.realm !== undefined ? { realm: facts.realm } : {}),
    ...(facts.bodyHash ? { bodyHash: true } : {}),
    ...(facts.headers ? { headers: facts.headers } : {}),
  })

  it('exposes the provider’s own paths as provider.urls', () => {
    const expected = Object.fromEntries(Object.entries(facts.urls).map(([k, p]) => [k, origin + p]))
    expect({ ...provider.urls }).toEqual(expected)
    expect(provider.emulation).toBe(facts.name)
  })

  // The call every placement/method check makes: leg 1 of a flow, or the API.
  const probe = (extra: Partial<SignedCall>) => {
    if (facts.flow) {
      return signed({
        method: facts.flow.requestToken.method,
        url: origin + facts.urls.requestTokenUrl!,
        callback: facts.flow.callback,
        ...signing(),
        ...extra,
      })
    }
    const token = facts.api!.token ? provider.issueToken() : undefined
    return signed({
      method: facts.api!.method,
      url: origin + facts.api!.path,
      ...(token ? { token: token.oauth_token, tokenSecret: token.oauth_token_secret } : {}),
      ...signing(),
      ...extra,
    })
  }

  it.each(facts.accepted)('accepts %s', async (method) => {
    const a = await probe(signing(method))
    expect(a.status, a.text).toBe(200)
  })

  it.each(facts.refused)('refuses %s with %i signature_method_rejected', async (method, status) => {
    const a = await probe(signing(method))
    expectRefused(facts.errors, a, status, 'signature_method_rejected')
  })

  it('accepts the protocol parameters where the provider reads them, refuses the rest', async () => {
    for (const placement of facts.placements.accepted) {
      // body placement needs a body-capable method
      if (placement === 'body' && (facts.flow?.requestToken.method ?? facts.api!.method) === 'GET')
        continue
      const a = await probe({ placement, ...(placement === 'header' ? {} : { realm: undefined }) })
      expect(a.status, `${placement}: ${a.text}`).toBe(200)
    }
    for (const placement of facts.placements.refused) {
      if (placement === 'body' && (facts.flow?.requestToken.method ?? facts.api!.method) === 'GET')
        continue
      const a = await probe({ placement })
      expectRefused(facts.errors, a, 400, 'parameter_rejected')
    }
  })

  it('refuses a wrong signature in its own error style', async () => {
    const a = await probe({ clientSecret: 'not-the-secret', rsaKey: undefined, ...wrongKey() })
    expectRefused(facts.errors, a, 401, 'signature_invalid')
  })

  it('stays as strict as the base provider: a replayed nonce and a stale timestamp are refused', async () => {
    const now = Math.floor(Date.now() / 1000)
    const nonce = `replay-${facts.name}-${now}`
    // The nonce is unique per (client, token, timestamp): replay with the same token.
    const token = facts.api?.token ? provider.issueToken() : undefined
    const same = token ? { token: token.oauth_token, tokenSecret: token.oauth_token_secret } : {}
    const first = await probe({ nonce, timestamp: now, ...same })
    expect(first.status, first.text).toBe(200)
    expectRefused(facts.errors, await probe({ nonce, timestamp: now, ...same }), 401, 'nonce_used')
    const stale = await probe({ timestamp: now - 3600 })
    expectRefused(facts.errors, stale, 401, 'timestamp_refused')
  })

  const wrongKey = (): Partial<SignedCall> =>
    facts.accepted[0]!.startsWith('RSA-')
      ? {
          rsaKey: generateKeyPairSync('rsa', { modulusLength: 1024 })
            .privateKey.export({ type: 'pkcs8', format: 'pem' })
            .toString(),
        }
      : {}

  if (facts.realm !== undefined && facts.realm !== '') {
    it(`requires realm="${facts.realm}" in the Authorization header`, async () => {
      const none = await probe({ realm: undefined })
      expectRefused(facts.errors, none, 401, 'parameter_absent')
      const wrong = await probe({ realm: `${facts.realm}X` })
      expectRefused(facts.errors, wrong, 401, 'parameter_rejected')
      expect(provider.lastRequest!.realm).toBe(`${facts.realm}X`)
    })
  }

  const flow = facts.flow
  if (flow) {
    const rt = () =>
      signed({
        method: flow.requestToken.method,
        url: origin + facts.urls.requestTokenUrl!,
        callback: flow.callback,
        ...signing(),
      })

    it(`temporary credentials: ${flow.requestToken.method}, ${flow.callbackConfirmed === null ? 'no' : 'with'} oauth_callback_confirmed`, async () => {
      const a = await rt()
      expect(a.status, a.text).toBe(200)
      expect(a.headers.get('content-type')).toBe(flow.tokenContentType)
      expect([...a.form.keys()]).toEqual(flow.callbackConfirmed === null ? STD_TOKEN : CONFIRMED)
      expect(a.form.get('oauth_callback_confirmed')).toBe(flow.callbackConfirmed)
      if (flow.requestToken.refused) {
        const wrong = await signed({
          method: flow.requestToken.refused,
          url: origin + facts.urls.requestTokenUrl!,
          callback: flow.callback,
          ...signing(),
        })
        expect(wrong.status).toBe(405)
        expect(wrong.headers.get('allow')).toContain(flow.requestToken.method)
      }
    })

    it('the whole login: authorize URL as documented → callback → token credentials → profile', async () => {
      const temp = (await rt()).form
      const authorizeUrl = flow.authorize(origin, 'demo-client', temp.get('oauth_token')!)
      const { page, answer } = await consent(authorizeUrl, 'allow', '1002')
      expect(page.text).toContain('Facts App')
      expect(answer.status).toBe(302)
      expect(answer.headers.get('location')!.startsWith(`${CALLBACK}?`)).toBe(true)
      const back = callbackParams(answer)
      expect(back.map(([k]) => k)).toEqual(flow.callbackKeys)
      expect(back[0]).toEqual(['oauth_token', temp.get('oauth_token')])
      const verifier = back.find(([k]) => k === 'oauth_verifier')?.[1]
      const call = {
        method: flow.accessToken.method,
        url: origin + facts.urls.accessTokenUrl!,
        token: temp.get('oauth_token')!,
        tokenSecret: temp.get('oauth_token_secret')!,
        ...(flow.verifier ? { verifier: verifier! } : {}),
        ...signing(),
      }
      if (flow.accessToken.refused) {
        const wrong = await signed({ ...call, method: flow.accessToken.refused })
        expect(wrong.status).toBe(405)
      }
      const token = await signed(call)
      expect(token.status, token.text).toBe(200)
      expect(token.headers.get('content-type')).toBe(flow.tokenContentType)
      expect([...token.form.keys()].sort()).toEqual([...flow.tokenKeys].sort())
      // single use: the same exchange again is refused
      const replay = await signed(call)
      expectRefused(facts.errors, replay, 401, 'token_rejected')

      if (facts.urls.userinfoEndpoint !== undefined && facts.name !== 'zotero') {
        const me = await signed({
          method: facts.name === 'mediawiki' ? 'POST' : 'GET',
          url: origin + facts.urls.userinfoEndpoint,
          token: token.form.get('oauth_token')!,
          tokenSecret: token.form.get('oauth_token_secret')!,
          ...signing(),
          headers: { ...facts.headers, accept: 'application/json' },
        })
        expect([200, 303]).toContain(me.status)
      }
    })

    it('Deny comes back to the callback in the provider’s shape', async () => {
      const temp = (await rt()).form
      const { answer } = await consent(
        flow.authorize(origin, 'demo-client', temp.get('oauth_token')!),
        'deny',
      )
      expect(answer.status).toBe(302)
      const back = callbackParams(answer)
      expect(back.map(([k]) => k)).toEqual(flow.denialKeys)
      if (flow.denialKeys.includes('oauth_verifier'))
        expect(back.find(([k]) => k === 'oauth_verifier')![1]).toBe('')
    })

    if (flow.requiredParam) {
      const { name, bad, message } = flow.requiredParam
      it(`the consent page refuses ${name}=${bad} (and a missing ${name} when required)`, async () => {
        const temp = (await rt()).form
        const good = flow.authorize(origin, 'demo-client', temp.get('oauth_token')!)
        const url = new URL(good)
        url.searchParams.set(name, bad)
        const refused = await plain(url.href)
        expect(refused.status).toBe(400)
        expect(refused.headers.get('content-type')).toMatch(/^text\/html/)
        expect(refused.text).toContain(message)
        if (flow.requiredParam!.required) {
          url.searchParams.delete(name)
          const missing = await plain(url.href)
          expect(missing.status).toBe(400)
          expect(missing.text).toContain(name === 'perms' ? message : `has no ${name}`)
        }
        // the good URL still works afterwards: a refusal does not burn the request token
        expect((await plain(good)).status).toBe(200)
      })
    }
  }
})

/** Where PROVIDERS.md gives an exact request or answer, it is checked to the byte. */
describe('exact requests and answers from PROVIDERS.md', () => {
  it('E*TRADE: /e/t/etws/authorize?key=<consumer key>&token=<request token>, then the registered callback [ET2]', async () => {
    const p = await createTestProvider({
      emulate: 'etrade',
      autoApprove: 'bob',
      clients: [{ id: 'etrade-key', secret: 'etrade-secret', callbackUrls: [CALLBACK] }],
    })
    try {
      const temp = (
        await signed({
          method: 'GET',
          url: `${p.url}/oauth/request_token`,
          clientId: 'etrade-key',
          clientSecret: 'etrade-secret',
          callback: 'oob',
        })
      ).form
      const token = temp.get('oauth_token')!
      // the documented shape, byte for byte
      const url = `${p.url}/e/t/etws/authorize?key=etrade-key&token=${q(token)}`
      const answer = await plain(url)
      expect(answer.status).toBe(302)
      const location = answer.headers.get('location')!
      const verifier = new URL(location).searchParams.get('oauth_verifier')!
      expect(location).toBe(`${CALLBACK}?oauth_token=${q(token)}&oauth_verifier=${q(verifier)}`)
      // the RFC's parameter name is not the provider's
      const standard = await plain(
        `${p.url}/e/t/etws/authorize?oauth_token=${q(token)}&key=etrade-key`,
      )
      expect(standard.status).toBe(400)
      expect(standard.text).toContain('has no token')
    } finally {
      await p.close()
    }
  })

  it('MediaWiki: /wiki/Special:OAuth/authorize?oauth_token=…&oauth_consumer_key=… [M7]', async () => {
    const p = await createTestProvider({
      emulate: 'mediawiki',
      clients: [{ id: 'wiki-key', secret: 'wiki-secret', callbackUrls: [CALLBACK] }],
    })
    try {
      const temp = (
        await signed({
          method: 'POST',
          url: `${p.url}/w/index.php?title=Special:OAuth/initiate`,
          clientId: 'wiki-key',
          clientSecret: 'wiki-secret',
          callback: 'oob',
        })
      ).form
      const token = temp.get('oauth_token')!
      expect(temp.get('oauth_callback_confirmed')).toBe('true')
      const page = await plain(
        `${p.url}/wiki/Special:OAuth/authorize?oauth_token=${q(token)}&oauth_consumer_key=wiki-key`,
      )
      expect(page.status).toBe(200)
      const without = await plain(`${p.url}/wiki/Special:OAuth/authorize?oauth_token=${q(token)}`)
      expect(without.status).toBe(400)
      expect(without.text).toContain('has no oauth_consumer_key')
      // signing the /wiki/ form instead of index.php?title= is a different resource [M7]
      const wrongPath = await signed({
        method: 'POST',
        url: `${p.url}/wiki/Special:OAuth/initiate`,
        clientId: 'wiki-key',
        clientSecret: 'wiki-secret',
        callback: 'oob',
      })
      expect(wrongPath.status).toBe(404)
    } finally {
      await p.close()
    }
  })

  it('Discogs: PLAINTEXT with a literal & inside the Authorization header [D2][D3]', async () => {
    const p = await createTestProvider({ emulate: 'discogs', autoApprove: 'alice' })
    try {
      const ts = Math.floor(Date.now() / 1000)
      const headers = (signature: string, extra: string) => ({
        authorization: `OAuth oauth_consumer_key="demo-client", oauth_nonce="n${extra.length}${ts}", oauth_signature="${signature}", oauth_signature_method="PLAINTEXT", oauth_timestamp="${ts}", ${extra}`,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'FactsTest/1.0',
      })
      const rt = await plain(`${p.url}/oauth/request_token`, {
        headers: headers('demo-secret&', `oauth_callback="${q(CALLBACK)}"`),
      })
      expect(rt.status, rt.text).toBe(200)
      const token = rt.form.get('oauth_token')!
      const secret = rt.form.get('oauth_token_secret')!
      expect(secret).toMatch(/^[A-Za-z0-9]+$/)
      const back = await plain(`${p.url}/oauth/authorize?oauth_token=${q(token)}`)
      const verifier = new URL(back.headers.get('location')!).searchParams.get('oauth_verifier')!
      const at = await plain(`${p.url}/oauth/access_token`, {
        method: 'POST',
        headers: headers(
          `demo-secret&${secret}`,
          `oauth_token="${q(token)}", oauth_verifier="${q(verifier)}"`,
        ),
      })
      expect(at.status, at.text).toBe(200)
      // the RFC's encoded form (%26) works as well
      const access = at.form
      const me = await plain(`${p.url}/oauth/identity`, {
        headers: headers(
          `demo-secret%26${access.get('oauth_token_secret')}`,
          `oauth_token="${q(access.get('oauth_token')!)}"`,
        ),
      })
      expect(me.status, me.text).toBe(200)
      expect(me.json()).toMatchObject({ username: 'alice', consumer_name: 'Demo App' })
    } finally {
      await p.close()
    }
  })

  it('X: token responses labelled text/html;charset=utf-8, a refusal as ?denied=<token> (issue 9, passport-twitter)', async () => {
    const p = await createTestProvider({ emulate: 'twitter' })
    try {
      const rt = await signed({ method: 'POST', url: p.requestTokenUrl, callback: CALLBACK })
      expect(rt.headers.get('content-type')).toBe('text/html;charset=utf-8')
      expect(rt.text).toMatch(
        /^oauth_token=[^&]+&oauth_token_secret=[^&]+&oauth_callback_confirmed=true$/,
      )
      const token = rt.form.get('oauth_token')!
      const { answer } = await consent(`${p.url}/oauth/authorize?oauth_token=${q(token)}`, 'deny')
      expect(answer.headers.get('location')).toBe(`${CALLBACK}?denied=${q(token)}`)
    } finally {
      await p.close()
    }
  })

  it('NetSuite: the callback carries company, role, entity and state; Deny an empty oauth_verifier [NS3]', async () => {
    const p = await createTestProvider({
      emulate: 'netsuite',
      clients: [{ id: 'ns-key', secret: 'ns-secret', callbackUrls: [CALLBACK] }],
    })
    try {
      const call = {
        method: 'POST',
        url: `${p.url}/rest/requesttoken`,
        clientId: 'ns-key',
        clientSecret: 'ns-secret',
        signatureMethod: 'HMAC-SHA256' as const,
        realm: '1234567_SB1',
        callback: CALLBACK,
      }
      const first = (await signed(call)).form.get('oauth_token')!
      expect(p.lastRequest!.headers.authorization!.startsWith('OAuth realm="1234567_SB1", ')).toBe(
        true,
      )
      const allow = await consent(
        `${p.url}/app/login/secure/authorizetoken.nl?oauth_token=${q(first)}&state=xyz123`,
        'allow',
        '1003',
      )
      const location = allow.answer.headers.get('location')!
      const verifier = new URL(location).searchParams.get('oauth_verifier')!
      expect(location).toBe(
        `${CALLBACK}?oauth_token=${q(first)}&oauth_verifier=${q(verifier)}&company=1234567_SB1&role=3&entity=1003&state=xyz123`,
      )
      const second = (await signed(call)).form.get('oauth_token')!
      const deny = await consent(
        `${p.url}/app/login/secure/authorizetoken.nl?oauth_token=${q(second)}&state=xyz123`,
        'deny',
      )
      expect(deny.answer.headers.get('location')).toBe(
        `${CALLBACK}?oauth_token=${q(second)}&oauth_verifier=&state=xyz123`,
      )
    } finally {
      await p.close()
    }
  })

  it('Schoology: realm="Schoology API" first in the header, a callback with oauth_token only [SC2][SC3]', async () => {
    const p = await createTestProvider({ emulate: 'schoology', autoApprove: true })
    try {
      const rt = await signed({
        method: 'GET',
        url: `${p.url}/v1/oauth/request_token`,
        realm: 'Schoology API',
      })
      expect(rt.text).toMatch(/^oauth_token=[^&]+&oauth_token_secret=[^&]+$/)
      expect(
        p.lastRequest!.headers.authorization!.startsWith('OAuth realm="Schoology API", '),
      ).toBe(true)
      const token = rt.form.get('oauth_token')!
      const back = await plain(
        `${p.url}/oauth/authorize?oauth_token=${q(token)}&oauth_callback=${q(CALLBACK)}`,
      )
      expect(back.headers.get('location')).toBe(`${CALLBACK}?oauth_token=${q(token)}`)
    } finally {
      await p.close()
    }
  })

  it('Mastercard: oauth_body_hash of the empty body is base64(SHA-256("")) [MC1]', async () => {
    const p = await createTestProvider({ emulate: 'mastercard' })
    try {
      const call = {
        method: 'GET',
        url: `${p.url}/locations/atms?Country=USA`,
        signatureMethod: 'RSA-SHA256' as const,
        rsaKey: p.client.rsaPrivateKey!,
      }
      const ok = await signed({ ...call, bodyHash: true })
      expect(ok.status, ok.text).toBe(200)
      expect(p.lastRequest!.oauthParams.oauth_body_hash).toBe(
        '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
      )
      const without = await signed(call)
      expect(without.status).toBe(400)
      expect(without.form.get('oauth_parameters_absent')).toBe('oauth_body_hash')
    } finally {
      await p.close()
    }
  })

  it('BrickLink: realm="" in the header, or the parameters as JSON in ?Authorization= [BL1]', async () => {
    const p = await createTestProvider({ emulate: 'bricklink' })
    try {
      const token = p.issueToken()
      const url = `${p.url}/api/store/v1/orders?direction=in`
      const header = await signed({
        method: 'GET',
        url,
        token: token.oauth_token,
        tokenSecret: token.oauth_token_secret,
        realm: '',
      })
      expect(header.status, header.text).toBe(200)
      expect(p.lastRequest!.headers.authorization!.startsWith('OAuth realm="", ')).toBe(true)
      // the same signature, carried as one JSON query parameter
      const s = await signRequestFor(url, token)
      const json = await plain(`${url}&Authorization=${q(JSON.stringify(s))}`)
      expect(json.status, json.text).toBe(200)
      expect(p.lastRequest!.oauthSource).toBe('query')
      const tampered = await plain(
        `${url}&Authorization=${q(JSON.stringify({ ...s, oauth_nonce: `${s.oauth_nonce}x` }))}`,
      )
      expect(tampered.status).toBe(401)
      expect(tampered.form.get('oauth_problem')).toBe('signature_invalid')
    } finally {
      await p.close()
    }
  })
})

/** The protocol parameters of a header-signed GET, as an object. */
async function signRequestFor(
  url: string,
  token: { oauth_token: string; oauth_token_secret: string },
): Promise<Record<string, string>> {
  const s = await signRequest(
    { method: 'GET', url },
    {
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      token: token.oauth_token,
      tokenSecret: token.oauth_token_secret,
    },
  )
  return Object.fromEntries(parseAuthorizationHeader(s.headers.get('authorization')!)!)
}
