/**
 * MediaWiki with Extension:OAuth (Wikimedia wikis and others), PROVIDERS.md §2.8.
 *
 * - POST `/w/index.php?title=Special:OAuth/initiate`, `…/token`, `…/identify` [M1].
 * - The consent page at `/wiki/Special:OAuth/authorize?oauth_token=…&oauth_consumer_key=…`
 *   — the consumer key is required there [M1][M7]; `…/authenticate` and the
 *   `index.php?title=` forms answer too (their difference is UNVERIFIED).
 * - `oauth_callback` must be `oob` unless the consumer was registered with a
 *   callback prefix [M2][M3]; with `oob` the user goes to the registered callback.
 * - HMAC-SHA1, or RSA-SHA1 for a consumer registered with an RSA key [M6].
 * - Errors are HTTP 200 with a plain-text body starting `Error: `, identify's too [M1][M2].
 * - Identify answers a JWT: HS256 with the consumer secret; `iss` the wiki,
 *   `aud` the consumer key, `nonce` the request's `oauth_nonce`, `iat`, and
 *   `sub`, `username`, `editcount`, `groups`, `rights`, `blocked`, `registered`,
 *   `email`, `confirmed_email` [M1][M2][P1-mediawiki].
 *
 * UNVERIFIED: the JWT's `exp` (iat + 100 s here), identify's Content-Type,
 * and the `api.php` layout (the standard MediaWiki one).
 */
import { signJwtHs256 } from '../jwt.js'
import type { TestUser } from '../types.js'
import { capitalize, numericUserId, param, text } from './sample.js'
import type { Emulation, EmulationError, EmulationRequest } from './types.js'

const INDEX = '/w/index.php'

/** The wiki user name: the first letter upper-cased, as MediaWiki stores it. */
export function wikiUserName(user: TestUser): string {
  return capitalize(user.screenName)
}

function identify(r: EmulationRequest) {
  const user = r.user!
  const client = r.client!
  if (client.secret === undefined) {
    r.refuse(401, 'consumer_key_rejected', 'identify needs a consumer with a shared secret')
  }
  const iat = Math.floor(r.now / 1000)
  const claims: Record<string, unknown> = {
    iss: r.origin,
    sub: Number(numericUserId(user)),
    aud: client.id,
    exp: iat + 100,
    iat,
    nonce: r.oauth.oauth_nonce,
    username: wikiUserName(user),
    editcount: 42,
    confirmed_email: user.email !== undefined,
    blocked: false,
    registered: '20120304050607',
    groups: ['*', 'user', 'autoconfirmed'],
    rights: ['read', 'edit', 'createpage', 'createtalk', 'writeapi'],
    grants: ['mwoauth-authonly'],
    ...(user.email !== undefined ? { email: user.email } : {}),
  }
  return {
    body: signJwtHs256(claims, client.secret),
    headers: { 'content-type': 'application/jwt' },
  }
}

function api(r: EmulationRequest) {
  const all = [...r.query, ...r.form]
  const user = r.user!
  if (param(all, 'action') === 'query' && param(all, 'meta') === 'userinfo') {
    return {
      json: {
        batchcomplete: '',
        query: { userinfo: { id: Number(numericUserId(user)), name: wikiUserName(user) } },
      },
    }
  }
  return {
    json: {
      error: {
        code: 'badvalue',
        info: 'This emulation answers action=query&meta=userinfo only.',
      },
    },
  }
}

export const mediawiki: Emulation = {
  name: 'mediawiki',
  title: 'MediaWiki',
  requestToken: { path: `${INDEX}?title=Special:OAuth/initiate`, methods: ['POST'] },
  authorize: {
    paths: [
      '/wiki/Special:OAuth/authorize',
      '/wiki/Special:OAuth/authenticate',
      `${INDEX}?title=Special:OAuth/authorize`,
      `${INDEX}?title=Special:OAuth/authenticate`,
    ],
    consumerKeyParam: 'oauth_consumer_key',
    title: (app) => `${app} would like to access your account on MediaWiki`,
  },
  accessToken: { path: `${INDEX}?title=Special:OAuth/token`, methods: ['POST'] },
  apiBasePath: '/w/api.php',
  userinfoPath: `${INDEX}?title=Special:OAuth/identify`,
  signatureMethods: ['HMAC-SHA1', 'RSA-SHA1'],
  callback: 'oob-or-prefix',
  routes: [
    {
      path: `${INDEX}?title=Special:OAuth/identify`,
      methods: ['POST'],
      auth: 'token',
      handle: identify,
    },
    { path: '/w/api.php', methods: ['GET', 'POST'], auth: 'token', handle: api },
  ],
  formatError: (e: EmulationError) =>
    text(`Error: An error occurred in the OAuth protocol: ${e.advice ?? e.problem} (${e.problem})`),
}
