/**
 * SmugMug (API v2), PROVIDERS.md §2.6.
 *
 * - `/services/oauth/1.0a/getRequestToken`, `…/authorize`, `…/getAccessToken`
 *   [G1][N1][SM2]; SmugMug's own demo (rauth) GETs them, other clients POST:
 *   both are answered.
 * - HMAC-SHA1 (official demo) [SM2] and PLAINTEXT (Nango) [N1].
 * - The authorize URL takes `Access=Public|Full` and `Permissions=Read|Add|Modify` [SM3];
 *   the out-of-band verifier is 6 digits [SM4].
 * - API `/api/v2`; `!authuser` is the signed-in user [SM2]. It answers JSON
 *   only with `Accept: application/json` (else the HTML API browser).
 *
 * UNVERIFIED: SmugMug's error bodies (OAuth Problem Reporting kept).
 */
import { escapeHtml } from '../html.js'
import { capitalize, randomDigits } from './sample.js'
import type { Emulation } from './types.js'

export const smugmug: Emulation = {
  name: 'smugmug',
  title: 'SmugMug',
  requestToken: { path: '/services/oauth/1.0a/getRequestToken', methods: ['GET', 'POST'] },
  authorize: {
    paths: ['/services/oauth/1.0a/authorize'],
    params: {
      Access: {
        values: ['Public', 'Full'],
        default: 'Public',
        label: 'Access',
        error: 'Access must be Public or Full.',
      },
      Permissions: {
        values: ['Read', 'Add', 'Modify'],
        default: 'Read',
        label: 'Permissions',
        error: 'Permissions must be Read, Add or Modify.',
      },
    },
    title: (app) => `${app} would like to access your SmugMug account`,
  },
  accessToken: { path: '/services/oauth/1.0a/getAccessToken', methods: ['GET', 'POST'] },
  apiBasePath: '/api/v2/',
  userinfoPath: '/api/v2!authuser',
  signatureMethods: ['HMAC-SHA1', 'PLAINTEXT'],
  oobVerifier: () => randomDigits(6),
  routes: [
    {
      path: '/api/v2!authuser',
      methods: ['GET'],
      auth: 'token',
      handle: (r) => {
        const user = r.user!
        const nick = capitalize(user.screenName)
        const accept = String(r.headers.accept ?? '')
        if (!/application\/json/i.test(accept)) {
          return {
            headers: { 'content-type': 'text/html; charset=utf-8' },
            body: `<!doctype html><html lang="en"><head><title>SmugMug API v2 browser</title></head><body><h1>User ${escapeHtml(nick)}</h1><p>Send Accept: application/json for JSON.</p></body></html>`,
          }
        }
        const uri = `/api/v2/user/${nick}`
        return {
          json: {
            Request: { Version: 'v2', Method: 'GET', Uri: '/api/v2!authuser' },
            Options: {
              MethodDetails: { OPTIONS: { Permissions: ['Read'] }, GET: { Permissions: ['Read'] } },
            },
            Response: {
              Uri: uri,
              Locator: 'User',
              LocatorType: 'Object',
              User: {
                NickName: nick,
                Name: user.name,
                FirstName: user.name.split(/\s+/)[0] ?? user.name,
                LastName: user.name.split(/\s+/).slice(1).join(' '),
                ViewPassHint: '',
                WebUri: `https://${nick.toLowerCase()}.smugmug.com`,
                Uri: uri,
                ResponseLevel: 'Full',
              },
            },
            Code: 200,
            Message: 'Ok',
          },
        }
      },
    },
  ],
}
