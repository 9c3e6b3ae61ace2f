/**
 * Zotero, PROVIDERS.md §2.7.
 *
 * - `/oauth/request`, `/oauth/authorize`, `/oauth/access` [Z1][P1-zotero]; HMAC-SHA1 [Z2].
 * - The flow only mints an API key: the access-token response's
 *   `oauth_token_secret` *is* the key, and adds `userID` and `username` [Z1][Z2].
 * - Authorize "pre-populate" parameters: `name`, `library_access`,
 *   `notes_access`, `write_access` (1/0), `all_groups=none|read|write`,
 *   `identity=1` (identity only: the login gives `userID` and `username`,
 *   and its secret is no API key — `/keys/current` refuses it) [Z1].
 * - The API (`api.zotero.org`) is not OAuth-signed: it takes the key in
 *   `Zotero-API-Key`, and wants `Zotero-API-Version: 3` [Z5];
 *   `GET /keys/current` describes the key.
 *
 * UNVERIFIED: what Zotero's access-token response carries as
 * `oauth_token_secret` with `identity=1` (a random value here), what the API
 * does without `Zotero-API-Version` (refused here with 400, so a client that
 * forgets it fails in tests), and the token endpoints' methods (POST kept,
 * RFC 5849 §2.1).
 */
import type { TestUser } from '../types.js'
import { numericId, randomString, text } from './sample.js'
import type { Emulation, EmulationRequest } from './types.js'

/** A Zotero user id (digits). */
export function zoteroUserId(user: TestUser): string {
  return numericId(`zotero:${user.id}`, 7)
}

const BIT = ['1', '0']

function header(r: EmulationRequest, name: string): string | undefined {
  const v = r.headers[name]
  return Array.isArray(v) ? v[0] : v
}

function keysCurrent(r: EmulationRequest) {
  const version = header(r, 'zotero-api-version')
  if (version !== '3') return text('Zotero-API-Version: 3 is required', 400)
  let key = header(r, 'zotero-api-key')
  const bearer = /^Bearer (\S+)$/.exec(header(r, 'authorization') ?? '')
  if (key === undefined && bearer) key = bearer[1]
  if (key === undefined || key === '') return text('Forbidden', 403)
  const found = r.findTokenBySecret(key)
  // identity=1 asks for the user's identity only: no API key is made [Z1].
  if (!found || found.grant.identity === '1') return text('Forbidden', 403)
  const g = found.grant
  const write = g.write_access === '1'
  return {
    json: {
      key,
      userID: Number(zoteroUserId(found.user)),
      username: found.user.screenName,
      displayName: found.user.name,
      access: {
        user: {
          library: g.library_access !== '0',
          files: g.library_access !== '0',
          notes: g.notes_access === '1',
          write,
        },
        groups: { all: { library: g.all_groups !== 'none', write: g.all_groups === 'write' } },
      },
    },
    headers: { 'zotero-api-version': '3' },
  }
}

export const zotero: Emulation = {
  name: 'zotero',
  title: 'Zotero',
  requestToken: { path: '/oauth/request', methods: ['POST'] },
  authorize: {
    paths: ['/oauth/authorize'],
    params: {
      name: { label: 'Key name' },
      library_access: { values: BIT, default: '1', label: 'Library access' },
      notes_access: { values: BIT, default: '0', label: 'Notes access' },
      write_access: { values: BIT, default: '0', label: 'Write access' },
      all_groups: { values: ['none', 'read', 'write'], default: 'none', label: 'Groups' },
      identity: { values: ['1'], label: 'Identity only' },
    },
    title: (app, grant) => `${grant.name || app} would like to access your Zotero account`,
  },
  accessToken: { path: '/oauth/access', methods: ['POST'] },
  apiBasePath: '/',
  userinfoPath: '/keys/current',
  signatureMethods: ['HMAC-SHA1'],
  // API keys are 24 alphanumerics.
  tokenSecret: () => randomString(24),
  tokenFields: (user) => ({ userID: zoteroUserId(user), username: user.screenName }),
  routes: [{ path: '/keys/current', methods: ['GET'], auth: 'none', handle: keysCurrent }],
}
